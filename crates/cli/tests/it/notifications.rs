//! In-app notifications: owners asked to decide, admins on escalation,
//! the roles the matrix informs once a request is settled, @-mentions in
//! comments; reading and marking them.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, expect_error, json_ok, on_each_database};

async fn texts(api: &Api, query: &str) -> Vec<(String, String, String)> {
    let list = json_ok(api.get(&format!("/api/v1/notifications{query}")).await, 200).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let s = |k: &str| n[k].as_str().unwrap().to_owned();
            (s("reason"), s("text"), s("link"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_and_mentions_notify_the_people_they_concern() {
    on_each_database("decisions_and_mentions_notify_the_people_they_concern", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, pm, admin) = (
            app.login_as(Role::ProductManager).await,
            app.login_as(Role::ProjectManager).await,
            app.login_as(Role::Admin).await,
        );
        let (dev, sh) = (app.login_as(Role::Contributor).await, app.login_as(Role::Stakeholder).await);
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let crs = json_ok(pm.get(&format!("/api/v1/projects/{p}/change-requests")).await, 200).await;
        let cr = crs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["title"] == "Bring loyalty points into 2027.1")
            .unwrap()
            .clone();
        let id = cr["id"].as_str().unwrap().to_owned();
        let key = cr["key"].as_str().unwrap().to_owned();

        // The demo request, filed and submitted by the product manager,
        // waits for both its owners, her included, and only them.
        let asked = format!("{key} Bring loyalty points into 2027.1 awaits your decision");
        let link = format!("/projects/{p}/changes#cr-{id}");
        for owner in [&pm, &pdm] {
            assert!(
                texts(owner, "").await.contains(&("decision_needed".into(), asked.clone(), link.clone())),
                "{:?}",
                texts(owner, "").await
            );
        }
        for api in [&admin, &dev, &sh] {
            assert!(texts(api, "").await.iter().all(|n| n.0 != "decision_needed"));
        }

        // Owners disagree: admins are asked.
        json_ok(
            pm.post(
                &format!("/api/v1/change-requests/{id}/decisions"),
                json!({"outcome": "reject", "rationale": "No room"}),
            )
            .await,
            200,
        )
        .await;
        // Acting on the request reads the notice that asked for it.
        let unread = texts(&pm, "?unread=true").await;
        assert!(unread.iter().all(|n| n.1 != asked), "{unread:?}");
        assert!(texts(&pdm, "?unread=true").await.iter().any(|n| n.1 == asked));
        json_ok(
            pdm.post(
                &format!("/api/v1/change-requests/{id}/decisions"),
                json!({"outcome": "approve", "rationale": "Customers want it"}),
            )
            .await,
            200,
        )
        .await;
        let escalated = format!("{key} Bring loyalty points into 2027.1 was escalated: owners disagree");
        assert!(texts(&admin, "").await.iter().any(|n| n.0 == "decision_needed" && n.1 == escalated));
        // Settled: every role the matrix names for its kinds hears of it, not the admin who decided.
        let cr = json_ok(
            admin
                .post(
                    &format!("/api/v1/change-requests/{id}/decisions"),
                    json!({"outcome": "approve", "rationale": "Go"}),
                )
                .await,
            200,
        )
        .await;
        assert_eq!(cr["status"], "applied");
        let applied = format!("{key} Bring loyalty points into 2027.1: applied");
        for api in [&pdm, &pm, &sh] {
            assert!(
                texts(api, "").await.iter().any(|n| n.0 == "informed" && n.1 == applied),
                "{:?}",
                texts(api, "").await
            );
        }
        assert!(texts(&admin, "").await.iter().all(|n| n.1 != applied));
        assert!(
            texts(&dev, "").await.iter().all(|n| n.1 != applied),
            "the default matrix does not inform contributors of scope and schedule"
        );

        // Mentions, by e-mail or by the name before the @.
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let t = tasks["items"][3]["id"].as_str().unwrap().to_owned();
        let c = json_ok(
            pm.post(
                &format!("/api/v1/tasks/{t}/comments"),
                json!({"body": "@dev can you take this? cc @pdm@demo.example and @nobody"}),
            )
            .await,
            201,
        )
        .await;
        assert!(c["body_html"].as_str().unwrap().contains("@dev"));
        let mention = texts(&dev, "?unread=true").await;
        assert!(
            mention.iter().any(|n| n.0 == "mention"
                && n.1.starts_with("Pat Project mentioned you: @dev can you take this?")
                && n.2 == format!("/tasks/{t}")),
            "{mention:?}"
        );
        assert!(texts(&pdm, "").await.iter().any(|n| n.0 == "mention"));
        assert!(texts(&pm, "").await.iter().all(|n| n.0 != "mention"), "no one is told of their own mention");
        expect_error(pm.post(&format!("/api/v1/tasks/{t}/comments"), json!({"body": ""})).await, 422, "invalid_value")
            .await;
        let on_task = json_ok(sh.get(&format!("/api/v1/tasks/{t}/comments")).await, 200).await;
        assert_eq!(on_task["items"].as_array().unwrap().len(), 1);

        // Reading: one, all; another's is not found.
        let list = json_ok(dev.get("/api/v1/notifications?unread=true").await, 200).await;
        let first: Value = list["items"][0].clone();
        let nid = first["id"].as_str().unwrap();
        assert_eq!(dev.post(&format!("/api/v1/notifications/{nid}/read"), json!({})).await.status(), 204);
        expect_error(sh.post(&format!("/api/v1/notifications/{nid}/read"), json!({})).await, 404, "not_found").await;
        let left = json_ok(dev.get("/api/v1/notifications?unread=true").await, 200).await;
        assert!(left["items"].as_array().unwrap().iter().all(|n| n["id"] != first["id"]));
        let html = pdm.get("/notifications").await.text().await.unwrap();
        assert!(html.contains("mentioned you") && html.contains("class=\"badge\""), "{html}");
        let marked = json_ok(pdm.post("/api/v1/notifications/read-all", json!({})).await, 200).await;
        assert!(marked["marked"].as_u64().unwrap() >= 2);
        assert_eq!(json_ok(pdm.get("/api/v1/notifications?unread=true").await, 200).await["items"], json!([]));
        let html = pdm.get("/notifications").await.text().await.unwrap();
        assert!(!html.contains("class=\"badge\""), "{html}");
        expect_error(app.anonymous().get("/api/v1/notifications").await, 401, "unauthenticated").await;
    })
    .await;
}
