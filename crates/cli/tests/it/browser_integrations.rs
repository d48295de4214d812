//! Webhooks and the calendar feed in the browser: an admin is refused a
//! private address with the reason beside the form, adds a webhook and
//! sees its secret once, finds the delivery a change made in its log and
//! turns it off; a person copies their calendar address and makes a new
//! one.

use serde_json::json;
use tandem_core::Role;

use crate::browser::{demo_in_browser, sign_in_as};
use crate::browser_tour::{NARROW, WIDE, set_width};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_webhook_and_reads_its_deliveries() {
    let test = "an_admin_adds_a_webhook_and_reads_its_deliveries";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::Admin).await;
    b.client.goto(&app.url(&format!("/w/{ws}/settings"))).await.unwrap();
    b.click("nav.subnav a[href$='/settings/webhooks']").await;
    b.expect_text("#webhooks", "No webhooks yet").await;

    // A private address is refused, with the reason.
    b.fill("#new-webhook input[name=url]", "http://169.254.169.254/latest/meta-data/").await;
    b.click("#new-webhook input[value=task]").await;
    b.click("#new-webhook button[type=submit]").await;
    b.expect_text("body", "private").await;

    // A public one is added: the secret is shown this once.
    b.client.goto(&app.url(&format!("/w/{ws}/settings/webhooks"))).await.unwrap();
    b.fill("#new-webhook input[name=url]", "https://hooks.example.invalid/tandem").await;
    b.click("#new-webhook input[value=task]").await;
    b.click("#new-webhook input[value=change_request]").await;
    b.click("#new-webhook button[type=submit]").await;
    let secret = b.expect_text("#new-secret", "whsec_").await;
    assert!(secret.len() > 40, "{secret}");
    b.expect_text("#webhooks", "Change requests, tasks").await;
    b.screenshot("webhooks-01-added").await;
    set_width(&b, NARROW).await;
    b.screenshot("webhooks-01-added-narrow").await;
    set_width(&b, WIDE).await;

    // A change is delivered (here: tried; the address does not resolve)
    // and shows in the endpoint's log with its body.
    let pm = app.login_as(Role::ProjectManager).await;
    let projects = crate::support::json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
    let p = projects["items"][0]["id"].as_str().unwrap().to_owned();
    crate::support::json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Hooked task"})).await, 201)
        .await;
    b.click("#webhooks a").await;
    b.expect_text("main h1", "Webhook to https://hooks.example.invalid/tandem").await;
    let log = b.expect_text("main", "task.created").await;
    assert!(log.contains("Waiting") || log.contains("Delivered") || log.contains("Failed"), "{log}");
    b.screenshot("webhooks-02-log").await;
    set_width(&b, NARROW).await;
    b.screenshot("webhooks-02-log-narrow").await;
    set_width(&b, WIDE).await;

    // Turned off, then on.
    b.click("form[action$='/edit'] button[type=submit]").await;
    b.expect_text("main", "Off: nothing is sent").await;
    b.click("form[action$='/edit'] button.primary").await;
    b.expect_text("main", "On: changes are sent").await;
    assert!(b.console_errors().await.is_empty());
    b.close().await;
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_copies_their_calendar_address_and_makes_a_new_one() {
    let test = "a_person_copies_their_calendar_address_and_makes_a_new_one";
    let Some((b, db, app, _ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url("/settings/profile")).await.unwrap();
    b.click("nav.subnav a[href='/settings/calendar']").await;
    let first = b.expect_text("#feed-url", "/calendar/cal_").await;
    assert_eq!(crate::support::get(&first).await.status(), 200);
    b.screenshot("calendar-01-feed").await;
    set_width(&b, NARROW).await;
    b.screenshot("calendar-01-feed-narrow").await;
    set_width(&b, WIDE).await;

    // A new address: the old one stops working.
    b.client.execute("window.confirm = () => true", vec![]).await.unwrap();
    b.click("form[action='/settings/calendar/rotate'] button").await;
    b.expect_text(".flash", "new address").await;
    let second = b.text("#feed-url").await;
    assert_ne!(first, second);
    assert_eq!(crate::support::get(&first).await.status(), 404);
    assert_eq!(crate::support::get(&second).await.status(), 200);
    b.close().await;
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_chooses_who_joins_by_single_sign_on_and_a_person_their_mail() {
    let test = "an_admin_chooses_who_joins_by_single_sign_on_and_a_person_their_mail";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::Admin).await;
    b.client.goto(&app.url(&format!("/w/{ws}/settings"))).await.unwrap();
    b.click("nav.subnav a[href$='/settings/sso']").await;
    b.expect_text("main", "not set up on this server").await;
    crate::browser::choose(&b, "#sso-form", "default_role", "stakeholder").await;
    b.fill("#sso-form textarea[name=group_roles]", "delivery-leads = Project manager\nproduct = product_manager").await;
    b.click("#sso-form button[type=submit]").await;
    b.expect_text(".flash", "Saved").await;
    let kept = b.text("#sso-form textarea").await;
    assert!(kept.contains("delivery-leads = project manager") && kept.contains("product = product manager"), "{kept}");
    let admin = app.login_as(Role::Admin).await;
    let s = crate::support::json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/sso")).await, 200).await;
    assert_eq!(s["default_role"], "stakeholder");
    assert_eq!(s["group_roles"]["delivery-leads"], "project_manager");
    b.screenshot("sso-01-settings").await;
    set_width(&b, NARROW).await;
    b.screenshot("sso-01-settings-narrow").await;
    set_width(&b, WIDE).await;

    // The person's own mail choices.
    b.client.goto(&app.url("/settings/email")).await.unwrap();
    b.expect_text("main", "sends no e-mail yet").await;
    b.click("#email-form input[name=mention][value=daily]").await;
    b.click("#email-form button[type=submit]").await;
    b.expect_text(".flash", "Saved").await;
    let s = crate::support::json_ok(admin.get("/api/v1/me/notification-settings").await, 200).await;
    assert_eq!(s["settings"]["mention"], "daily");
    b.screenshot("email-01-settings").await;
    set_width(&b, NARROW).await;
    b.screenshot("email-01-settings-narrow").await;

    // Forgot password, signed out.
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&app.url("/login")).await.unwrap();
    b.click("a[href='/forgot-password']").await;
    b.fill("input[name=email]", "pm@demo.example").await;
    b.click("form button[type=submit]").await;
    b.expect_text(".flash", "on its way").await;
    b.screenshot("forgot-01-sent-narrow").await;
    b.close().await;
    db.destroy().await;
}
