//! The story that motivates Tandem, through the API: a product manager
//! files "add a feature to release 2027.1"; the impact shows the finish
//! moving; the project manager rejects, the product manager approves, so it
//! escalates; the admin approves; the plan changes in one transaction; the
//! decision log has each step. And: who may file and decide, a stale plan
//! recomputes the impact, the matrix decides who must approve.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{expect_error, json_ok, on_each_database};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_request_from_feedback_to_the_plan() {
    on_each_database("a_change_request_from_feedback_to_the_plan", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, pm, admin) = (app.login_as(Role::ProductManager).await, app.login_as(Role::ProjectManager).await, app.login_as(Role::Admin).await);
        let dev = app.login_as(Role::Contributor).await;
        let sh = app.login_as(Role::Stakeholder).await;
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"].as_str().unwrap().to_owned();
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let features = json_ok(pdm.get(&format!("/api/v1/products/{product}/features")).await, 200).await;
        let gift = features["items"].as_array().unwrap().iter().find(|f| f["title"] == "Gift cards").unwrap().clone();
        let releases = json_ok(pdm.get(&format!("/api/v1/products/{product}/releases")).await, 200).await;
        let r1 = releases["items"].as_array().unwrap().iter().find(|r| r["name"] == "2027.1 Faster checkout").unwrap()["id"].as_str().unwrap().to_owned();
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let id_of = |name: &str| tasks["items"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["id"].as_str().unwrap().to_owned();
        let (rollout, live) = (id_of("Rollout to everyone"), id_of("Release 2027.1 live"));
        let before = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;

        // Ten days of gift-card work between the rollout and the release.
        let body = json!({"title": "Add gift cards to 2027.1", "description": "Three enterprise customers asked for it.",
            "edits": [
                {"op": "add_task", "ref": "gift", "name": "Gift card payments", "duration_minutes": 4800, "feature_id": gift["id"]},
                {"op": "add_dependency", "predecessor": rollout, "successor": "gift", "type": "FS"},
                {"op": "add_dependency", "predecessor": "gift", "successor": live, "type": "FS"},
                {"op": "add_feature_to_release", "feature_id": gift["id"], "release_id": r1}
            ]});
        expect_error(sh.post(&format!("/api/v1/projects/{p}/change-requests"), body.clone()).await, 403, "forbidden").await;
        expect_error(pdm.post(&format!("/api/v1/projects/{p}/change-requests"), json!({"title": "x", "edits": []})).await, 422, "invalid_value").await;
        let cr = json_ok(pdm.post(&format!("/api/v1/projects/{p}/change-requests"), body).await, 201).await;
        assert_eq!(cr["status"], "draft");
        let id = cr["id"].as_str().unwrap().to_owned();
        let cr = json_ok(pdm.post(&format!("/api/v1/change-requests/{id}/submit"), json!({"version": cr["version"]})).await, 200).await;
        assert_eq!(cr["status"], "submitted");
        assert_eq!(cr["impact"]["finish_delta_working_days"], 10.0, "{cr}");
        assert_eq!(cr["impact"]["finish_before"], before["project"]["finish"]);
        assert_eq!(cr["impact"]["features_in"], json!([gift["id"]]));
        assert_eq!(cr["impact"]["moved_milestones"][0]["task_id"], live.as_str());
        assert_eq!(cr["dimensions"], json!(["scope", "schedule"]));
        assert_eq!(cr["required"], json!(["product_manager", "project_manager"]));
        // Nothing changed yet.
        let now = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        assert_eq!(now["project"]["finish"], before["project"]["finish"]);

        let decide = |who: crate::support::Api, outcome: &'static str, why: &'static str| {
            let id = id.clone();
            async move { who.post(&format!("/api/v1/change-requests/{id}/decisions"), json!({"outcome": outcome, "rationale": why})).await }
        };
        expect_error(decide(dev.clone(), "approve", "Looks fine").await, 403, "forbidden").await;
        expect_error(decide(pm.clone(), "maybe", "Hmm").await, 422, "invalid_value").await;
        let cr = json_ok(decide(pm.clone(), "reject", "Ten more days puts the release at risk").await, 200).await;
        assert_eq!(cr["status"], "submitted");
        let cr = json_ok(decide(pdm.clone(), "approve", "Enterprise deals depend on it").await, 200).await;
        assert_eq!(cr["status"], "escalated");
        // The page shows the impact, the calls, and buttons for whoever must decide.
        let html = admin.get(&format!("/projects/{p}/changes")).await.text().await.unwrap();
        assert!(html.contains("Add gift cards to 2027.1") && html.contains("(10 working days)"), "{html}");
        assert!(html.contains(&format!("action=\"/change-requests/{id}/decide\"")), "{html}");
        let html = sh.get(&format!("/projects/{p}/changes")).await.text().await.unwrap();
        assert!(!html.contains("/decide\""), "{html}");
        let cr = json_ok(decide(admin.clone(), "approve", "Revenue outweighs two weeks").await, 200).await;
        assert_eq!(cr["status"], "applied", "{cr}");

        // The plan changed, all of it.
        let after = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        assert!(after["tasks"].as_array().unwrap().iter().any(|t| t["name"] == "Gift card payments"));
        assert_ne!(after["project"]["finish"], before["project"]["finish"]);
        let f = json_ok(pdm.get(&format!("/api/v1/features/{}", gift["id"].as_str().unwrap())).await, 200).await;
        assert_eq!(f["release_id"], r1.as_str());
        let log = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/decisions?subject_type=change_request&subject_id={id}")).await, 200).await;
        let steps: Vec<String> = log["items"].as_array().unwrap().iter().rev().map(|d| d["outcome"].as_str().unwrap().to_owned()).collect();
        assert_eq!(steps, ["submitted", "reject", "approve", "escalated", "approve", "approved", "applied"]);
        let found = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/decisions?q=revenue")).await, 200).await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        assert_eq!(found["items"][0]["role"], "admin");
        let csv = admin.get(&format!("/api/v1/workspaces/{ws}/decisions.csv")).await.text().await.unwrap();
        assert!(csv.starts_with("at,kind,subject_type,subject_id,user_id,role,outcome,rationale"), "{csv}");
        assert!(csv.contains("Enterprise deals depend on it"));
        // Each call is in the activity feed too.
        let feed = json_ok(sh.get(&format!("/api/v1/workspaces/{ws}/activity?limit=200")).await, 200).await;
        let calls: Vec<&Value> = feed["items"].as_array().unwrap().iter()
            .filter(|a| a["action"] == "change_request.decided" && a["subject_id"] == id.as_str()).collect();
        assert_eq!(calls.len(), 3, "{feed}");
        assert_eq!(calls[0]["after"]["status"], "approved");
        expect_error(decide(pm.clone(), "approve", "late").await, 409, "conflict").await;
        let html = sh.get(&format!("/w/{ws}/decisions")).await.text().await.unwrap();
        assert!(html.contains("Revenue outweighs two weeks") && html.contains("Escalated"), "{html}");

        // A plan that moved under the request so that it no longer does
        // what was approved: the impact is recomputed and the owner asked
        // again. (Work elsewhere that leaves its effect alone does not; see
        // progress_between_approvals_does_not_send_a_request_back.)
        let cr2 = json_ok(pm.post(&format!("/api/v1/projects/{p}/change-requests"),
            json!({"title": "Longer beta", "edits": [{"op": "update_task", "task_id": id_of("Beta monitoring"), "fields": {"duration_minutes": 4800}}]})).await, 201).await;
        let id2 = cr2["id"].as_str().unwrap().to_owned();
        let cr2 = json_ok(pm.post(&format!("/api/v1/change-requests/{id2}/submit"), json!({"version": cr2["version"]})).await, 200).await;
        assert_eq!(cr2["required"], json!(["project_manager"]));
        let t = json_ok(admin.get(&format!("/api/v1/tasks/{}", id_of("Beta monitoring"))).await, 200).await;
        json_ok(admin.patch(&format!("/api/v1/tasks/{}", id_of("Beta monitoring")), json!({"duration_minutes": 1440, "version": t["version"]})).await, 200).await;
        let cr2 = json_ok(pm.post(&format!("/api/v1/change-requests/{id2}/decisions"), json!({"outcome": "approve", "rationale": "Fine"})).await, 200).await;
        assert_eq!(cr2["status"], "submitted", "{cr2}");
        assert_eq!(cr2["approvals"], json!([]));
        let log = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/decisions?subject_id={id2}")).await, 200).await;
        assert!(log["items"].as_array().unwrap().iter().any(|d| d["outcome"] == "recomputed"));
        let cr2 = json_ok(pm.post(&format!("/api/v1/change-requests/{id2}/decisions"), json!({"outcome": "approve", "rationale": "Still fine"})).await, 200).await;
        assert_eq!(cr2["status"], "applied");

        // The matrix decides who must approve: give the schedule to admins.
        let m = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/decision-rights")).await, 200).await;
        let mut rows = m["rows"].clone();
        for r in rows.as_array_mut().unwrap() {
            if r["kind"] == "schedule" {
                r["accountable"] = json!(["admin"]);
                r["consulted"] = json!(["project_manager", "product_manager"]);
            }
        }
        json_ok(admin.request(reqwest::Method::PUT, &format!("/api/v1/workspaces/{ws}/decision-rights")).json(&json!({"rows": rows, "version": m["version"]})).send().await.unwrap(), 200).await;
        let cr3 = json_ok(dev.post(&format!("/api/v1/projects/{p}/change-requests"),
            json!({"title": "Runbook after dashboards", "edits": [{"op": "add_dependency", "predecessor": id_of("Monitoring dashboards"), "successor": id_of("Support runbook")}]})).await, 201).await;
        let cr3: Value = json_ok(dev.post(&format!("/api/v1/change-requests/{}/submit", cr3["id"].as_str().unwrap()), json!({"version": cr3["version"]})).await, 200).await;
        assert_eq!(cr3["required"], json!(["admin"]));
        // The project manager is consulted now: an opinion, not a decision.
        let o = json_ok(pm.post(&format!("/api/v1/change-requests/{}/decisions", cr3["id"].as_str().unwrap()), json!({"outcome": "reject", "rationale": "Risky"})).await, 200).await;
        assert_eq!(o["status"], "submitted");
        assert_eq!(o["approvals"][0]["decision"], "opinion");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_without_a_request_are_unmanaged_change() {
    on_each_database("edits_without_a_request_are_unmanaged_change", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"].as_str().unwrap().to_owned();
        let scope = |pm: crate::support::Api, p: String| async move { json_ok(pm.get(&format!("/api/v1/dashboards/project/{p}")).await, 200).await["scope"].clone() };
        let s0 = scope(pm.clone(), p.clone()).await;
        assert!(s0["baseline_at"].is_string(), "the demo has a baseline: {s0}");
        let n0 = s0["unmanaged_changes"].as_i64().unwrap();
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let todo: Vec<&Value> = tasks["items"].as_array().unwrap().iter().filter(|t| t["kind"] == "task" && t["percent_complete"] == 0).collect();
        let (a, b) = (todo[0].clone(), todo[1].clone());
        // Progress is not a plan change; a longer task and a new link are.
        let a2 = json_ok(pm.patch(&format!("/api/v1/tasks/{}", a["id"].as_str().unwrap()), json!({"percent_complete": 10, "version": a["version"]})).await, 200).await;
        assert_eq!(scope(pm.clone(), p.clone()).await["unmanaged_changes"], n0);
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", a["id"].as_str().unwrap()), json!({"duration_minutes": 4800, "version": a2["version"]})).await, 200).await;
        let dep = json_ok(pm.post(&format!("/api/v1/projects/{p}/dependencies"), json!({"predecessor_id": b["id"], "successor_id": a["id"], "type": "SS"})).await, 201).await;
        assert_eq!(pm.delete(&format!("/api/v1/dependencies/{}", dep["id"].as_str().unwrap())).await.status(), 204);
        let s1 = scope(pm.clone(), p.clone()).await;
        assert_eq!(s1["unmanaged_changes"], n0 + 3, "{s1}");
        assert_eq!(s1["unmanaged"][0]["action"], "dependency.deleted");
        assert_eq!(s1["unmanaged"][2]["subject_id"], a["id"]);
        // A request's edits are managed: counted as a request, not as unmanaged change.
        let cr = json_ok(pm.post(&format!("/api/v1/projects/{p}/change-requests"),
            json!({"title": "More tests", "edits": [{"op": "update_task", "task_id": b["id"], "fields": {"duration_minutes": 960}}]})).await, 201).await;
        let id = cr["id"].as_str().unwrap();
        json_ok(pm.post(&format!("/api/v1/change-requests/{id}/submit"), json!({"version": cr["version"]})).await, 200).await;
        let done = json_ok(pm.post(&format!("/api/v1/change-requests/{id}/decisions"), json!({"outcome": "approve", "rationale": "ok"})).await, 200).await;
        assert_eq!(done["status"], "applied", "{done}");
        let s2 = scope(pm.clone(), p.clone()).await;
        assert_eq!(s2["unmanaged_changes"], n0 + 3, "{s2}");
        assert_eq!(s2["requests_applied"].as_i64().unwrap(), s1["requests_applied"].as_i64().unwrap() + 1);
        assert!(s2["requests_filed"].as_i64().unwrap() >= 1);
        let html = pm.get(&format!("/projects/{p}")).await.text().await.unwrap();
        assert!(html.contains(&format!("{} plan edit(s) without a request", n0 + 3)), "{html}");
    })
    .await;
}

/// Work going on between two approvals (a card moved, progress recorded)
/// does not send a request back to its owners when it still changes the
/// plan as they approved; the request is applied on today's plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_between_approvals_does_not_send_a_request_back() {
    on_each_database("progress_between_approvals_does_not_send_a_request_back", |app| async move {
        let ws = app.seed_demo().await;
        let (pm, pdm) = (app.login_as(Role::ProjectManager).await, app.login_as(Role::ProductManager).await);
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let crs = json_ok(pm.get(&format!("/api/v1/projects/{p}/change-requests")).await, 200).await;
        let cr = crs["items"].as_array().unwrap().iter().find(|c| c["status"] == "submitted").unwrap().clone();
        let id = cr["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/change-requests/{id}/decisions");
        let approve = json!({"outcome": "approve", "rationale": "ok"});
        json_ok(pm.post(&path, approve.clone()).await, 200).await;
        // Progress on a task of the plan, as a team would record it.
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let t = tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "task" && t["percent_complete"] == 0)
            .unwrap()
            .clone();
        let r = pm
            .patch(
                &format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()),
                json!({"status": "in_progress", "version": t["version"]}),
            )
            .await;
        json_ok(r, 200).await;
        let after = json_ok(pdm.post(&path, approve).await, 200).await;
        assert_eq!(after["status"], "applied", "{after}");
    })
    .await;
}
