//! Search in the browser: the palette opens with Ctrl K or /, finds
//! objects and pages as one types, moves with the arrows and opens with
//! Enter; / typed into a field stays in the field; the search page works
//! as a plain form.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use tandem_core::Role;

use crate::browser::{Browser, demo_in_browser, sign_in_as};
use crate::browser_tour::{WIDE, set_width};

async fn keys(b: &Browser, list: &[KeyAction]) {
    let mut k = KeyActions::new("keyboard".into());
    for a in list {
        k = k.then(a.clone());
    }
    b.client.perform_actions(k).await.unwrap();
}

fn press(key: Key) -> [KeyAction; 2] {
    [KeyAction::Down { value: key.into() }, KeyAction::Up { value: key.into() }]
}

async fn palette_open(b: &Browser) -> bool {
    b.client.execute("return !!document.querySelector('dialog.palette[open]')", vec![]).await.unwrap()
        == serde_json::Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_palette_finds_objects_and_pages_and_opens_them_from_the_keyboard() {
    let test = "the_palette_finds_objects_and_pages_and_opens_them_from_the_keyboard";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::ProjectManager).await;
    b.client.goto(&app.url(&format!("/w/{ws}"))).await.unwrap();

    // Ctrl K opens it; the start of two words finds the task.
    let [d, u] = press(Key::Control);
    keys(&b, &[d, KeyAction::Down { value: 'k' }, KeyAction::Up { value: 'k' }, u]).await;
    b.client.wait().for_element(Locator::Css("dialog.palette[open] input")).await.unwrap();
    let input = b.client.active_element().await.unwrap();
    input.send_keys("card tok").await.unwrap();
    let first = b.expect_text("#palette-list [role=option][aria-selected=true]", "Card tokenisation vault").await;
    assert!(first.contains("Task") && first.contains("CKT-"), "{first}");
    b.screenshot("search-01-palette").await;
    keys(&b, &press(Key::Enter)).await;
    b.expect_text("main h1", "Card tokenisation vault").await;
    assert!(b.client.current_url().await.unwrap().path().starts_with("/tasks/"));

    // / opens it anywhere outside a field; pages are found by their
    // names and their project's, and the arrows move between answers.
    keys(&b, &press(Key::Escape)).await;
    b.client.execute("document.activeElement && document.activeElement.blur()", vec![]).await.unwrap();
    keys(&b, &[KeyAction::Down { value: '/' }, KeyAction::Up { value: '/' }]).await;
    b.client.wait().for_element(Locator::Css("dialog.palette[open] input")).await.unwrap();
    b.client.active_element().await.unwrap().send_keys("gantt ckt").await.unwrap();
    b.expect_text("#palette-list", "Gantt").await;
    let options = b.client.find_all(Locator::Css("#palette-list [role=option]")).await.unwrap();
    assert!(options.len() >= 2, "a page and the way to all results");
    keys(&b, &press(Key::Down)).await;
    keys(&b, &press(Key::Up)).await;
    keys(&b, &press(Key::Enter)).await;
    for _ in 0..100 {
        if b.client.current_url().await.unwrap().path().ends_with("/gantt") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(b.client.current_url().await.unwrap().path().ends_with("/gantt"));

    // Escape closes it; / typed into a field is text.
    keys(&b, &[KeyAction::Down { value: '/' }, KeyAction::Up { value: '/' }]).await;
    b.client.wait().for_element(Locator::Css("dialog.palette[open]")).await.unwrap();
    keys(&b, &press(Key::Escape)).await;
    assert!(!palette_open(&b).await);
    b.client.goto(&app.url("/search")).await.unwrap();
    let q = b.client.find(Locator::Css("main input[name=q]")).await.unwrap();
    q.send_keys("a/b").await.unwrap();
    assert!(!palette_open(&b).await);
    assert_eq!(q.prop("value").await.unwrap().as_deref(), Some("a/b"));

    // On a phone the header has a search button that opens the palette.
    set_width(&b, crate::browser_tour::NARROW).await;
    b.client.find(Locator::Css("header .search-link")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("dialog.palette[open] input")).await.unwrap();
    b.client.active_element().await.unwrap().send_keys("fraud").await.unwrap();
    b.expect_text("#palette-list", "Fraud rules engine").await;
    b.screenshot("search-03-palette-phone").await;
    // Escape closes it even with words typed (a search field would only
    // clear them).
    keys(&b, &press(Key::Escape)).await;
    assert!(!palette_open(&b).await);
    set_width(&b, WIDE).await;

    // The search page is a plain form: results with their kind and key.
    q.clear().await.unwrap();
    q.send_keys("vault").await.unwrap();
    b.client.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    let results = b.expect_text("#results", "Card tokenisation vault").await;
    assert!(results.contains("Task"), "{results}");
    b.screenshot("search-02-page").await;
    b.client.goto(&app.url("/search?q=zzqqxx")).await.unwrap();
    b.expect_text("#results", "Nothing holds all of these words").await;

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "{errors:?}");
    b.close().await;
    db.destroy().await;
}

async fn typed(b: &Browser, text: &str) {
    let mut k = KeyActions::new("keyboard".into());
    for c in text.chars() {
        k = k.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
    }
    b.client.perform_actions(k).await.unwrap();
}

async fn path(b: &Browser) -> String {
    b.client.current_url().await.unwrap().path().to_owned()
}

/// What has focus: its tag, name and the id of its form.
async fn focused(b: &Browser) -> String {
    let v = b
        .client
        .execute(
            "const e = document.activeElement; \
             return `${e.tagName.toLowerCase()} ${e.name || ''} ${e.form ? e.form.id || e.form.getAttribute('action') : ''}`",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

async fn wait_for_path(b: &Browser, want: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        let p = path(b).await;
        if want(&p) {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    path(b).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shortcuts_go_move_create_and_edit_but_never_while_typing() {
    let test = "shortcuts_go_move_create_and_edit_but_never_while_typing";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::ProjectManager).await;
    let project = app.state.store.projects_by_key(Some(ws.parse().unwrap()), "CKT").await.unwrap().remove(0).id;
    let product = crate::browser::project_product(&app, project).await;

    // ? lists the shortcuts, with the pages g reaches from here.
    b.client.goto(&app.url(&format!("/projects/{project}"))).await.unwrap();
    typed(&b, "?").await;
    let help = b.expect_text("dialog.shortcuts[open]", "Keyboard shortcuts").await;
    for needle in ["Search", "Next row", "Go to", "Home", "Risks", "Timesheet"] {
        assert!(help.contains(needle), "{needle} in {help}");
    }
    b.screenshot("shortcuts-01-help").await;
    keys(&b, &press(Key::Escape)).await;

    // g then a letter goes there.
    typed(&b, "gk").await;
    assert_eq!(wait_for_path(&b, |p| p.ends_with("/risks")).await, format!("/projects/{project}/risks"));

    // j and k move through the rows; c goes to the form that adds one.
    typed(&b, "jj").await;
    let second: String = serde_json::from_value(
        b.client
            .execute(
                "const rows = [...document.querySelectorAll('#risks tbody tr')]; \
                 return String(rows.findIndex(r => r.classList.contains('kb-current')))",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(second, "1");
    typed(&b, "c").await;
    let f = focused(&b).await;
    assert!(f.starts_with("input title") && f.ends_with("/risks"), "{f}");
    // Letters typed into a field are text, never shortcuts.
    typed(&b, "gh").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(path(&b).await, format!("/projects/{project}/risks"));
    let v = b.client.execute("return document.activeElement.value", vec![]).await.unwrap();
    assert_eq!(v, "gh");

    // In the backlog, j reaches the first feature and Enter opens it;
    // e goes to its edit form (the product's owner edits it).
    sign_in_as(&b, &app, Role::ProductManager).await;
    b.client.goto(&app.url(&format!("/products/{product}/backlog"))).await.unwrap();
    typed(&b, "j").await;
    keys(&b, &press(Key::Enter)).await;
    assert!(wait_for_path(&b, |p| p.starts_with("/features/")).await.starts_with("/features/"));
    typed(&b, "e").await;
    let f = focused(&b).await;
    assert!(f.ends_with("feature-form"), "{f}");

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "{errors:?}");
    b.close().await;
    db.destroy().await;
}
