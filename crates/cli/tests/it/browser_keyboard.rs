//! Everything reachable by keyboard: on every page a project manager and a
//! contributor see, Tab alone reaches every visible link, button and field
//! in order, nothing clickable hides from the keyboard, and focus is drawn.
//! Drag-only moves have a keyboard way too (the backlog's arrow keys).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use tandem_core::Role;

use crate::browser::{Browser, demo_in_browser, sign_in_as};
use crate::browser_tour::{WIDE, crawl, set_width};

/// At most this many Tab presses a page: more than any page has controls
/// in reading order before its long lists.
const MAX_TABS: usize = 250;

/// Marks what can take focus, counts it, and records each focus from now on.
const PREPARE: &str = r#"
// Rendered and not inside a closed section (whose content the browser skips).
const visible = (el) => el.checkVisibility({ visibilityProperty: true });
const focusable = Array.from(document.querySelectorAll(
  'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), summary, [tabindex]'))
  // A composite widget (the task sheet's grid) is one stop; its own keys move inside it.
  .filter(el => visible(el) && el.tabIndex >= 0 && !el.closest('[inert]'));
// Radio groups take one Tab stop: only the first of each name counts.
const seen = new Set();
const stops = focusable.filter(el => {
  if (el.type !== 'radio') return true;
  if (seen.has(el.name)) return false;
  seen.add(el.name);
  return true;
});
stops.forEach((el, i) => el.dataset.kbStop = String(i));
window.__kbReached = new Set();
// Each control Tab lands on must draw its focus (an outline or a ring).
window.__kbNoRing = [];
const ring = (el) => {
  const s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
};
document.addEventListener('focusin', (e) => {
  if (!ring(e.target) && window.__kbNoRing.length < 3) {
    window.__kbNoRing.push(e.target.tagName.toLowerCase() + ' ' + (e.target.innerText || e.target.name || '').trim().slice(0, 30));
  }
  const el = e.target.closest('[data-kb-stop]');
  if (el) window.__kbReached.add(el.dataset.kbStop);
  else if (e.target.type === 'radio') {
    const first = document.querySelector(`[data-kb-stop][name="${e.target.name}"]`);
    if (first) window.__kbReached.add(first.dataset.kbStop);
  }
});
// Clickable things that are not controls: a keyboard cannot reach them.
const mute = Array.from(document.querySelectorAll('[onclick], [role=button], [role=link], [role=tab]'))
  .filter(el => visible(el) && el.tabIndex < 0)
  .map(el => el.outerHTML.slice(0, 80));
// Date and time fields take a Tab per part (day, month, year, hour, …).
const parts = { date: 4, 'datetime-local': 7, time: 4, month: 3, week: 3 };
const presses = stops.reduce((n, el) => n + (el.tagName === 'INPUT' ? parts[el.type] || 1 : 1), 0);
document.activeElement && document.activeElement.blur();
window.scrollTo(0, 0);
return [stops.length, presses, mute];
"#;

/// The stops Tab never reached, and the controls focused without a ring.
const REPORT: &str = r#"
const missed = Array.from(document.querySelectorAll('[data-kb-stop]'))
  .filter(el => !window.__kbReached.has(el.dataset.kbStop))
  .map(el => (el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '') + ' ' +
    (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)));
return [missed, window.__kbNoRing];
"#;

async fn press_tab(b: &Browser, times: usize) {
    let mut keys = KeyActions::new("keyboard".into());
    for _ in 0..times {
        keys = keys.then(KeyAction::Down { value: Key::Tab.into() }).then(KeyAction::Up { value: Key::Tab.into() });
    }
    b.client.perform_actions(keys).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_reachable_by_keyboard() {
    let test = "every_page_is_reachable_by_keyboard";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    let mut findings = Vec::new();
    let mut pages_seen = 0;
    for role in [Role::ProjectManager, Role::Contributor] {
        sign_in_as(&b, &app, role).await;
        for path in crawl(&b, &app.base, &format!("/w/{ws}")).await {
            b.client.goto(&app.url(&path)).await.unwrap();
            // A page drawn by script (the task sheet) is walked once drawn.
            b.client
                .wait()
                .for_element(fantoccini::Locator::Css("body:not(:has(#sheet:not([data-ready])))"))
                .await
                .unwrap();
            let prepared = b.client.execute(PREPARE, vec![]).await.unwrap();
            let (stops, presses, mute): (usize, usize, Vec<String>) = serde_json::from_value(prepared).unwrap();
            for m in mute {
                findings.push(format!("{} {path}: clickable but not focusable: {m}", role.as_str()));
            }
            // The first stops in reading order: long lists repeat one kind of row.
            let tabs = (presses + 2).min(MAX_TABS);
            press_tab(&b, tabs).await;
            let report = b.client.execute(REPORT, vec![]).await.unwrap();
            let (missed, no_ring): (Vec<String>, Vec<String>) = serde_json::from_value(report).unwrap();
            let missed: Vec<String> = if presses + 2 > MAX_TABS {
                // Only what lies within the presses made can be asked for.
                let idx = b.client.execute(
                    "return Array.from(document.querySelectorAll('[data-kb-stop]')).filter(el => \
                     !window.__kbReached.has(el.dataset.kbStop) && +el.dataset.kbStop < arguments[0] - 20).length",
                    vec![serde_json::json!(MAX_TABS)],
                );
                let n: usize = serde_json::from_value(idx.await.unwrap()).unwrap();
                missed.into_iter().take(n).collect()
            } else {
                missed
            };
            if !missed.is_empty() {
                let few: Vec<&String> = missed.iter().take(4).collect();
                findings.push(format!(
                    "{} {path}: Tab never reaches {} of {stops}: {few:?}",
                    role.as_str(),
                    missed.len()
                ));
            }
            if !no_ring.is_empty() {
                findings.push(format!("{} {path}: focus is not drawn on {no_ring:?}", role.as_str()));
            }
            pages_seen += 1;
        }
    }

    // The backlog's manual order moves by keyboard: focus a handle, press
    // the down arrow, and the feature is saved one place lower.
    sign_in_as(&b, &app, Role::ProductManager).await;
    let project = app.state.store.projects_by_key(Some(ws.parse().unwrap()), "CKT").await.unwrap().remove(0).id;
    let product = crate::browser::project_product(&app, project).await;
    b.client.goto(&app.url(&format!("/products/{product}/backlog?sort=manual"))).await.unwrap();
    let order = || async {
        let v = b
            .client
            .execute("return Array.from(document.querySelectorAll('#backlog tbody tr')).map(r => r.dataset.id)", vec![])
            .await
            .unwrap();
        serde_json::from_value::<Vec<String>>(v).unwrap()
    };
    let before = order().await;
    let first = b.client.find(fantoccini::Locator::Css("#backlog tbody tr .handle")).await.unwrap();
    first.send_keys(&Key::Down.to_string()).await.unwrap();
    // Saved when the handle says where its row went.
    b.client.wait().for_element(fantoccini::Locator::Css("#backlog .handle[aria-description]")).await.unwrap();
    b.client.goto(&app.url(&format!("/products/{product}/backlog?sort=manual"))).await.unwrap();
    let after = order().await;
    assert_eq!((after.get(1), after.first()), (before.first(), before.get(1)), "{before:?} → {after:?}");

    // In the task sheet (one Tab stop), Alt+Enter opens the selected task.
    b.client.goto(&app.url(&format!("/projects/{project}/tasks"))).await.unwrap();
    b.client.wait().for_element(fantoccini::Locator::Css("#sheet[data-ready]")).await.unwrap();
    b.client.execute("document.querySelector('.sheet-scroll').focus()", vec![]).await.unwrap();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: Key::Down.into() })
        .then(KeyAction::Up { value: Key::Down.into() })
        .then(KeyAction::Down { value: Key::Alt.into() })
        .then(KeyAction::Down { value: Key::Enter.into() })
        .then(KeyAction::Up { value: Key::Enter.into() })
        .then(KeyAction::Up { value: Key::Alt.into() });
    b.client.perform_actions(keys).await.unwrap();
    b.expect_text("main h1", "CKT-").await;
    assert!(b.client.current_url().await.unwrap().path().starts_with("/tasks/"));

    eprintln!("{test}: {pages_seen} pages walked with Tab");
    for f in &findings {
        eprintln!("  {f}");
    }
    assert!(findings.is_empty(), "{} keyboard findings (listed above)", findings.len());
    b.close().await;
    db.destroy().await;
}
