//! The project side through the API: projects and who may change them.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{OUTSIDER, expect_error, json_ok, on_each_database, other_workspace};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_and_their_rights() {
    on_each_database("projects_and_their_rights", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let products = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let p = json_ok(
            pm.post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "Checkout rebuild", "key": "chk2", "product_id": product, "start": "2027-01-04",
                       "target_finish": "2027-06-30T17:00", "budget_minor": 25_000_000, "currency": "eur",
                       "methodology": "agile"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(p["key"], "CHK2");
        assert_eq!(p["start"], "2027-01-04T08:00:00");
        assert_eq!(p["target_finish"], "2027-06-30T17:00:00");
        assert_eq!(p["currency"], "EUR");
        assert_eq!(p["status"], "active");
        assert_eq!(p["status_date"], Value::Null);
        let id = p["id"].as_str().unwrap().to_owned();
        // Bad values are refused and store nothing.
        for (body, field) in [
            (json!({"name": "X", "key": "XX", "start": "2027-02-30"}), None),
            (json!({"name": "X", "key": "XX", "start": "2027-01-04", "currency": "EURO"}), Some("currency")),
            (json!({"name": "X", "key": "XX", "start": "2027-01-04", "budget_minor": -1}), Some("budget_minor")),
            (json!({"name": "X", "key": "1X", "start": "2027-01-04"}), Some("key")),
        ] {
            let r = pm.post(&format!("/api/v1/workspaces/{ws}/projects"), body).await;
            let err = expect_error(r, 422, "invalid_value").await;
            if let Some(f) = field {
                assert_eq!(err["error"]["details"]["field"], f);
            }
        }
        let dup = pm
            .post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "X", "key": "CHK2", "start": "2027-01-04"}),
            )
            .await;
        expect_error(dup, 409, "conflict").await;
        // A product manager may not be the manager.
        let pdm_id = app.state.store.user_by_email("pdm@demo.example").await.unwrap().unwrap().id.to_string();
        let bad = pm
            .post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "X", "key": "XX", "start": "2027-01-04", "manager_id": pdm_id}),
            )
            .await;
        assert_eq!(expect_error(bad, 422, "invalid_value").await["error"]["details"]["field"], "manager_id");
        let list = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        // Every member reads; only the manager (or an admin) edits; others create nothing.
        for role in [Role::ProductManager, Role::Contributor, Role::Stakeholder] {
            let api = app.login_as(role).await;
            json_ok(api.get(&format!("/api/v1/projects/{id}")).await, 200).await;
            json_ok(api.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
            let patch = api.patch(&format!("/api/v1/projects/{id}"), json!({"name": "Mine", "version": 1})).await;
            expect_error(patch, 403, "forbidden").await;
            let create = api
                .post(
                    &format!("/api/v1/workspaces/{ws}/projects"),
                    json!({"name": "Mine", "key": "MINE", "start": "2027-01-04"}),
                )
                .await;
            expect_error(create, 403, "forbidden").await;
        }
        let edited = json_ok(
            pm.patch(
                &format!("/api/v1/projects/{id}"),
                json!({"status_date": "2027-02-01T17:00:00", "target_finish": null, "version": 1}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(edited["status_date"], "2027-02-01T17:00:00");
        assert_eq!(edited["target_finish"], Value::Null);
        expect_error(
            pm.patch(&format!("/api/v1/projects/{id}"), json!({"name": "Stale", "version": 1})).await,
            412,
            "version_mismatch",
        )
        .await;
        let admin = app.login_as(Role::Admin).await;
        json_ok(
            admin.patch(&format!("/api/v1/projects/{id}"), json!({"budget_minor": 30_000_000, "version": 2})).await,
            200,
        )
        .await;

        // Another workspace sees nothing, and its products cannot be linked.
        let _ = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/projects/{id}")).await, 404, "not_found").await;
        expect_error(
            outsider.patch(&format!("/api/v1/projects/{id}"), json!({"name": "x", "version": 3})).await,
            404,
            "not_found",
        )
        .await;
        let other_ws = app.state.store.workspace_by_key("OTHER").await.unwrap().unwrap().id;
        let foreign = outsider
            .post(
                &format!("/api/v1/workspaces/{other_ws}/projects"),
                json!({"name": "Theirs", "key": "THR", "start": "2027-01-04", "product_id": product}),
            )
            .await;
        assert_eq!(expect_error(foreign, 422, "invalid_value").await["error"]["details"]["field"], "product_id");
    })
    .await;
}
