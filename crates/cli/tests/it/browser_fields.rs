//! Custom fields in the browser: a product manager adds a required select
//! in Settings; the backlog shows it as a column and asks for it on a new
//! feature; the feature page shows and edits it; the task sheet has the
//! demo's task fields as columns that take typed values; deleting the
//! field asks first.

use fantoccini::Locator;
use tandem_core::Role;

use crate::browser::{choose, demo_in_browser, sign_in_as};
use crate::browser_tour::{NARROW, WIDE, set_width};

async fn submit(b: &crate::browser::Browser, form: &str) {
    let js = format!("document.querySelector('{form}').requestSubmit()");
    b.client.execute(&js, vec![]).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_is_added_filled_shown_edited_and_deleted_in_the_browser() {
    let test = "a_field_is_added_filled_shown_edited_and_deleted_in_the_browser";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::ProductManager).await;

    // Settings: the demo's fields are listed; a new required select is added.
    b.client.goto(&app.url(&format!("/w/{ws}/settings/fields"))).await.unwrap();
    b.expect_text("#feature", "Customer tier").await;
    b.expect_text("#task", "Component").await;
    choose(&b, "#new-field", "object", "feature").await;
    b.fill("#new-field input[name=name]", "Launch window").await;
    choose(&b, "#new-field", "type", "select").await;
    b.fill("#new-field textarea[name=options]", "Q1\nQ2\nQ3").await;
    b.click("#new-field input[name=required]").await;
    b.click("#new-field button[type=submit]").await;
    let row = b.expect_text("#field-launch_window", "Launch window").await;
    assert!(row.contains("Single select") && row.contains("Q1, Q2, Q3") && row.contains("yes"), "{row}");
    b.screenshot("fields-01-settings").await;
    set_width(&b, NARROW).await;
    b.screenshot("fields-01-settings-narrow").await;
    set_width(&b, WIDE).await;

    // The backlog: a column per field, and the required one on the create form.
    let product = app.state.store.products(ws.parse().unwrap(), None, 10).await.unwrap().items.remove(0).id;
    b.client.goto(&app.url(&format!("/products/{product}/backlog"))).await.unwrap();
    b.expect_text("#backlog thead", "Launch window").await;
    b.expect_text("#backlog tbody", "Enterprise").await;
    b.fill("#new-title", "Passkey sign-in").await;
    choose(&b, "form[data-create]", "cf\\.launch_window", "Q2").await;
    b.click("form[data-create] button[type=submit]").await;
    b.expect_text("main h1", "Passkey sign-in").await;
    let shown = b.expect_text("#fields", "Launch window").await;
    assert!(shown.contains("Q2"), "{shown}");

    // The feature page edits it with the rest of the feature.
    choose(&b, "#feature-form", "cf\\.launch_window", "Q3").await;
    choose(&b, "#feature-form", "cf\\.customer_tier", "SMB").await;
    b.fill("#feature-form input[name='cf.spec']", "https://specs.example/passkeys").await;
    // The toast of the save before may cover the button: submit the form.
    submit(&b, "#feature-form").await;
    let shown = b.expect_text("#fields", "Q3").await;
    assert!(shown.contains("SMB") && shown.contains("https://specs.example/passkeys"), "{shown}");
    let link = b.client.find(Locator::Css("#fields a")).await.unwrap();
    assert_eq!(link.attr("href").await.unwrap().as_deref(), Some("https://specs.example/passkeys"));
    b.screenshot("fields-02-feature").await;

    // A bad value is refused beside the form, and nothing is stored.
    b.fill("#feature-form input[name='cf.spec']", "not a link").await;
    b.client.execute("document.querySelector('#feature-form').noValidate = true", vec![]).await.unwrap();
    submit(&b, "#feature-form").await;
    b.expect_text("main", "is not a web address").await;

    // The task sheet: the demo's task fields are columns that take typed values.
    sign_in_as(&b, &app, Role::ProjectManager).await;
    let ws_id: tandem_core::Id = ws.parse().unwrap();
    let project = app.state.store.projects_by_key(Some(ws_id), "CKT").await.unwrap().remove(0).id;
    b.client.goto(&app.url(&format!("/projects/{project}/tasks"))).await.unwrap();
    b.expect_text(".sheet-head", "Component").await;
    b.expect_text(".sheet-head", "Reviewer").await;
    b.expect_text(".sheet-rows", "Payments").await;
    b.screenshot("fields-03-sheet").await;

    // Deleting asks first, then the field and its values are gone.
    sign_in_as(&b, &app, Role::ProductManager).await;
    b.client.goto(&app.url(&format!("/w/{ws}/settings/fields"))).await.unwrap();
    b.click("#field-launch_window summary").await;
    b.click("#field-launch_window button.danger").await;
    let asked = b.client.get_alert_text().await.unwrap();
    assert!(asked.contains("Launch window") && asked.contains("1 feature is deleted"), "{asked}");
    b.client.accept_alert().await.unwrap();
    b.client.wait().for_element(Locator::Css("#new-field")).await.unwrap();
    let list = b.text("#feature").await;
    assert!(!list.contains("Launch window"), "{list}");

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}
