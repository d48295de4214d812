//! Saved views: every member saves views of list pages, private or shared;
//! only the owner (or an admin) changes or deletes one; stale versions and
//! bad queries are refused.

use serde_json::json;
use tandem_core::Role;

use crate::support::{OUTSIDER, expect_error, json_ok, on_each_database, other_workspace};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_are_saved_private_or_shared_and_changed_only_by_their_owner() {
    on_each_database("saved_views", |app| async move {
        let ws = app.seed_demo().await;
        let (pm, dev, admin) = (
            app.login_as(Role::ProjectManager).await,
            app.login_as(Role::Contributor).await,
            app.login_as(Role::Admin).await,
        );
        let url = format!("/api/v1/workspaces/{ws}/views");
        let mine = json_ok(
            dev.post(&url, json!({"page": "board", "name": "My cards", "query": "?assignee=me&group=status"})).await,
            201,
        )
        .await;
        assert_eq!(mine["query"], "assignee=me&group=status");
        assert_eq!(mine["shared"], false);
        let shared = json_ok(
            pm.post(
                &url,
                json!({"page": "risks", "name": "Open, worst first", "query": "status=open&sort=-score",
                                 "shared": true}),
            )
            .await,
            201,
        )
        .await;
        let names = |v: &serde_json::Value| -> Vec<String> {
            v["items"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_owned()).collect()
        };
        // Each sees their own and the shared ones; a page narrows.
        assert_eq!(names(&json_ok(dev.get(&url).await, 200).await), vec!["My cards", "Open, worst first"]);
        assert_eq!(names(&json_ok(pm.get(&url).await, 200).await), vec!["Open, worst first"]);
        assert_eq!(names(&json_ok(dev.get(&format!("{url}?page=risks")).await, 200).await), vec!["Open, worst first"]);
        let private = format!("/api/v1/views/{}", mine["id"].as_str().unwrap());
        expect_error(pm.get(&private).await, 404, "not_found").await;
        json_ok(dev.get(&private).await, 200).await;

        // Only the owner or an admin changes a view; a stale version is 412.
        let theirs = format!("/api/v1/views/{}", shared["id"].as_str().unwrap());
        expect_error(dev.patch(&theirs, json!({"name": "Mine now", "version": 1})).await, 403, "forbidden").await;
        expect_error(pm.patch(&theirs, json!({"name": "x", "version": 7})).await, 412, "version_mismatch").await;
        let renamed = json_ok(pm.patch(&theirs, json!({"name": "Worst open risks", "version": 1})).await, 200).await;
        assert_eq!((renamed["name"].as_str(), renamed["version"].as_i64()), (Some("Worst open risks"), Some(2)));
        assert_eq!(renamed["query"], "status=open&sort=-score");
        expect_error(dev.delete(&theirs).await, 403, "forbidden").await;
        assert_eq!(admin.delete(&theirs).await.status(), 204);
        expect_error(pm.get(&theirs).await, 404, "not_found").await;

        // Bad input stores nothing.
        for (body, field) in [
            (json!({"page": "board", "name": " "}), "name"),
            (json!({"page": "board", "name": "x", "query": "a b=c"}), "query"),
            (json!({"page": "board", "name": "x", "query": "x=1#frag"}), "query"),
        ] {
            let e = expect_error(dev.post(&url, body).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], field);
        }
        expect_error(dev.post(&url, json!({"page": "gantt", "name": "x"})).await, 422, "invalid_value").await;
        expect_error(dev.get(&format!("{url}?page=gantt")).await, 422, "invalid_value").await;
        assert_eq!(names(&json_ok(dev.get(&url).await, 200).await), vec!["My cards"]);

        // Outsiders see none of it.
        other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&url).await, 404, "not_found").await;
        expect_error(outsider.get(&private).await, 404, "not_found").await;
    })
    .await;
}
