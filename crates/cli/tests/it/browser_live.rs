//! Live updates in the browser: a board, the task sheet and the bell
//! follow changes made by someone else, without a reload, and a part the
//! viewer is typing in keeps what they typed. On PostgreSQL the browser
//! talks to one server and the changes go through another.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;
use tandem_core::Role;

use crate::browser::{Browser, demo_in_browser, sign_in_as};
use crate::browser_tour::{WIDE, set_width};
use crate::support::{TestApp, json_ok};

/// Waits (3 s at most) until the script's answer is true; how long it took.
async fn until(b: &Browser, script: &str) -> Duration {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        if b.client.execute(script, vec![]).await.unwrap() == serde_json::Value::Bool(true) {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never true: {script}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boards_sheets_and_the_bell_follow_changes_made_elsewhere() {
    let test = "boards_sheets_and_the_bell_follow_changes_made_elsewhere";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    // The browser's server; on PostgreSQL a second one on the same database.
    let other = match db.label() {
        "postgres" => Some(TestApp::start(&db, tandem_server::Config::default()).await),
        _ => None,
    };
    let view = other.as_ref().unwrap_or(&app);
    eprintln!("{test}: changes through {} server", if other.is_some() { "another" } else { "the same" });
    set_width(&b, WIDE).await;
    sign_in_as(&b, view, Role::ProjectManager).await;
    // Someone else: the viewer's own changes are on their page already.
    let admin = app.login_as(Role::Admin).await;
    let project = app.state.store.projects_by_key(Some(ws.parse().unwrap()), "CKT").await.unwrap().remove(0).id;

    // A card moved by someone else moves on the open board.
    b.client.goto(&view.url(&format!("/projects/{project}/board"))).await.unwrap();
    let card = b.client.find(Locator::Css("#board .column[data-status='todo'] article.card-item")).await.unwrap();
    let id = card.attr("data-id").await.unwrap().unwrap();
    let t = json_ok(admin.get(&format!("/api/v1/tasks/{id}")).await, 200).await;
    json_ok(
        admin.patch(&format!("/api/v1/tasks/{id}"), json!({"status": "review", "version": t["version"]})).await,
        200,
    )
    .await;
    let took = until(
        &b,
        &format!("return !!document.querySelector(\"#board .column[data-status='review'] article[data-id='{id}']\")"),
    )
    .await;
    eprintln!("{test}: the board followed in {took:?}");
    b.screenshot("live-01-board").await;

    // The bell counts a mention made elsewhere.
    let pdm = app.login_as(Role::ProductManager).await;
    let before: i64 = app.state.store.unread_notifications(pm_user(&app).await).await.unwrap();
    json_ok(pdm.post(&format!("/api/v1/tasks/{id}/comments"), json!({"body": "@pm have a look"})).await, 201).await;
    until(&b, &format!("return document.querySelector('a.bell .badge')?.dataset.unread === '{}'", before + 1)).await;

    // The task sheet shows a renamed task.
    b.client.goto(&view.url(&format!("/projects/{project}/tasks"))).await.unwrap();
    b.client.wait().for_element(Locator::Css("#sheet[data-ready]")).await.unwrap();
    let t = json_ok(admin.get(&format!("/api/v1/tasks/{id}")).await, 200).await;
    json_ok(
        admin
            .patch(&format!("/api/v1/tasks/{id}"), json!({"name": "Renamed elsewhere", "version": t["version"]}))
            .await,
        200,
    )
    .await;
    until(&b, "return document.querySelector('#sheet').textContent.includes('Renamed elsewhere')").await;

    // A change request's rationale being typed survives a change.
    b.client.goto(&view.url(&format!("/projects/{project}/changes"))).await.unwrap();
    let why = b
        .client
        .find(Locator::Css("#change-requests textarea[name=rationale], #change-requests input[name=rationale]"))
        .await;
    if let Ok(field) = why {
        field.send_keys("Half a thought").await.unwrap();
        let t = json_ok(admin.get(&format!("/api/v1/tasks/{id}")).await, 200).await;
        json_ok(
            admin
                .patch(&format!("/api/v1/tasks/{id}"), json!({"name": "Renamed again", "version": t["version"]}))
                .await,
            200,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(field.prop("value").await.unwrap().as_deref(), Some("Half a thought"));
    }

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "{errors:?}");
    b.close().await;
    drop(other);
    db.destroy().await;
}

async fn pm_user(app: &TestApp) -> tandem_core::Id {
    app.state.store.user_by_email("pm@demo.example").await.unwrap().unwrap().id
}
