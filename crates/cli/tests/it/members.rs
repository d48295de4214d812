//! What each role may do with members and settings; other workspaces are
//! invisible; the activity log records each change.

use serde_json::json;
use tandem_core::Role;

use crate::support::{Api, expect_error, json_ok, on_each_database, other_workspace};

async fn member_id(api: &Api, ws: &str, email: &str) -> (String, i64) {
    let list = json_ok(api.get(&format!("/api/v1/workspaces/{ws}/members")).await, 200).await;
    let m = list["items"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap().clone();
    (m["id"].as_str().unwrap().to_owned(), m["version"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_with_members_and_settings() {
    on_each_database("each_role_with_members_and_settings", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        for role in [Role::ProductManager, Role::ProjectManager, Role::Contributor, Role::Stakeholder] {
            let api = app.login_as(role).await;
            // Every member reads the workspace, its members and its history.
            json_ok(api.get(&format!("/api/v1/workspaces/{ws}")).await, 200).await;
            let list = json_ok(api.get(&format!("/api/v1/workspaces/{ws}/members")).await, 200).await;
            assert_eq!(list["items"].as_array().unwrap().len(), 5);
            json_ok(api.get(&format!("/api/v1/workspaces/{ws}/activity")).await, 200).await;
            // None of them manages members or settings.
            let add = api
                .post(
                    &format!("/api/v1/workspaces/{ws}/members"),
                    json!({"email": "x@y.example", "role": "admin", "password": "password123"}),
                )
                .await;
            expect_error(add, 403, "forbidden").await;
            let (sh, v) = member_id(&admin, &ws, "stakeholder@demo.example").await;
            let promote = api
                .patch(&format!("/api/v1/workspaces/{ws}/members/{sh}"), json!({"role": "admin", "version": v}))
                .await;
            expect_error(promote, 403, "forbidden").await;
            // Not even themselves: no self-promotion.
            let me = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == role).unwrap();
            let (mine, v) = member_id(&admin, &ws, me.email).await;
            let selfie = api
                .patch(&format!("/api/v1/workspaces/{ws}/members/{mine}"), json!({"role": "admin", "version": v}))
                .await;
            expect_error(selfie, 403, "forbidden").await;
            expect_error(api.delete(&format!("/api/v1/workspaces/{ws}/members/{sh}")).await, 403, "forbidden").await;
            let rename =
                api.patch(&format!("/api/v1/workspaces/{ws}"), json!({"name": "Mine now", "version": 1})).await;
            expect_error(rename, 403, "forbidden").await;
        }
        // Nothing changed: still five members in their roles, the old name.
        let list = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/members")).await, 200).await;
        let roles: Vec<&str> = list["items"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["admin", "product_manager", "project_manager", "contributor", "stakeholder"]);

        // The admin does all of it.
        let added = json_ok(
            admin
                .post(
                    &format!("/api/v1/workspaces/{ws}/members"),
                    json!({"email": "eve@demo.example", "role": "contributor", "password": "eve password"}),
                )
                .await,
            201,
        )
        .await;
        assert_eq!(added["member"]["role"], "contributor");
        let eve = added["member"]["id"].as_str().unwrap().to_owned();
        let dup = admin
            .post(
                &format!("/api/v1/workspaces/{ws}/members"),
                json!({"email": "eve@demo.example", "role": "stakeholder"}),
            )
            .await;
        expect_error(dup, 409, "conflict").await;
        let m = json_ok(
            admin
                .patch(&format!("/api/v1/workspaces/{ws}/members/{eve}"), json!({"role": "stakeholder", "version": 1}))
                .await,
            200,
        )
        .await;
        assert_eq!((m["role"].as_str(), m["version"].as_i64()), (Some("stakeholder"), Some(2)));
        assert_eq!(admin.delete(&format!("/api/v1/workspaces/{ws}/members/{eve}")).await.status(), 204);
        expect_error(admin.get(&format!("/api/v1/workspaces/{ws}/members/{eve}")).await, 404, "not_found").await;
        let w =
            json_ok(admin.patch(&format!("/api/v1/workspaces/{ws}"), json!({"name": "Acme", "version": 1})).await, 200)
                .await;
        assert_eq!(w["name"], "Acme");

        // The last admin can be neither demoted nor removed.
        let (me, v) = member_id(&admin, &ws, "admin@demo.example").await;
        let demote = admin
            .patch(&format!("/api/v1/workspaces/{ws}/members/{me}"), json!({"role": "stakeholder", "version": v}))
            .await;
        expect_error(demote, 409, "conflict").await;
        expect_error(admin.delete(&format!("/api/v1/workspaces/{ws}/members/{me}")).await, 409, "conflict").await;

        // Bad values are 422 and store nothing.
        let bad = admin
            .post(
                &format!("/api/v1/workspaces/{ws}/members"),
                json!({"email": "not-an-email", "role": "contributor", "password": "password123"}),
            )
            .await;
        expect_error(bad, 422, "invalid_value").await;
        let bad = admin
            .post(
                &format!("/api/v1/workspaces/{ws}/members"),
                json!({"email": "z@demo.example", "role": "owner", "password": "password123"}),
            )
            .await;
        expect_error(bad, 422, "invalid_value").await;
        let list = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/members")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 5);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_workspaces_are_not_found() {
    on_each_database("other_workspaces_are_not_found", |app| async move {
        app.seed_demo().await;
        let other = other_workspace(&app).await;
        let admin = app.login_as(Role::Admin).await;
        let outsider = app.login("outsider@other.example", "outsider pass 1").await;
        let (their_member, _) = member_id(&outsider, &other, "outsider@other.example").await;
        for path in [
            format!("/api/v1/workspaces/{other}"),
            format!("/api/v1/workspaces/{other}/members"),
            format!("/api/v1/workspaces/{other}/members/{their_member}"),
            format!("/api/v1/workspaces/{other}/activity"),
        ] {
            expect_error(admin.get(&path).await, 404, "not_found").await;
        }
        let r = admin.patch(&format!("/api/v1/workspaces/{other}"), json!({"name": "Taken", "version": 1})).await;
        expect_error(r, 404, "not_found").await;
        let r = admin
            .post(
                &format!("/api/v1/workspaces/{other}/members"),
                json!({"email": "admin@demo.example", "role": "admin"}),
            )
            .await;
        expect_error(r, 404, "not_found").await;
        expect_error(
            admin.delete(&format!("/api/v1/workspaces/{other}/members/{their_member}")).await,
            404,
            "not_found",
        )
        .await;
        // A member id of the other workspace, under one's own, is not found either.
        let demo = app.state.store.workspace_by_key("DEMO").await.unwrap().unwrap().id;
        expect_error(admin.get(&format!("/api/v1/workspaces/{demo}/members/{their_member}")).await, 404, "not_found")
            .await;
        // Nonsense ids are 404, not 400 or 500.
        expect_error(admin.get("/api/v1/workspaces/abc/members").await, 404, "not_found").await;
        expect_error(admin.get("/api/v1/workspaces/99999999/members").await, 404, "not_found").await;
        let o = json_ok(outsider.get(&format!("/api/v1/workspaces/{other}")).await, 200).await;
        assert_eq!(o["name"], "Other Co");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_records_before_and_after() {
    on_each_database("activity_records_before_and_after", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        let (dev, v) = member_id(&admin, &ws, "dev@demo.example").await;
        json_ok(
            admin
                .patch(
                    &format!("/api/v1/workspaces/{ws}/members/{dev}"),
                    json!({"role": "project_manager", "version": v}),
                )
                .await,
            200,
        )
        .await;
        json_ok(admin.patch(&format!("/api/v1/workspaces/{ws}"), json!({"name": "Acme Two", "version": 1})).await, 200)
            .await;
        let log = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/activity?limit=2")).await, 200).await;
        let items = log["items"].as_array().unwrap();
        assert_eq!(items[0]["action"], "workspace.updated");
        assert_eq!(items[0]["before"], json!({"name": "Demo: Acme Checkout"}));
        assert_eq!(items[0]["after"], json!({"name": "Acme Two"}));
        assert_eq!(items[0]["actor_email"], "admin@demo.example");
        assert_eq!(items[1]["action"], "member.role_changed");
        assert_eq!(items[1]["before"]["role"], "contributor");
        assert_eq!(items[1]["after"]["role"], "project_manager");
        // The rest of the log, page by page: the demo's content, the
        // members and, first of all, the workspace's creation.
        let mut cursor = log["next_cursor"].as_str().unwrap().to_owned();
        let mut actions: Vec<String> = Vec::new();
        loop {
            let rest =
                json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/activity?cursor={cursor}&limit=200")).await, 200)
                    .await;
            actions.extend(rest["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap().to_owned()));
            match rest["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(actions.iter().filter(|a| *a == "member.added").count(), 5, "{actions:?}");
        assert_eq!(actions.last().map(String::as_str), Some("workspace.created"));
    })
    .await;
}
