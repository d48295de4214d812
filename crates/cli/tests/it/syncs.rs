//! The weekly sync: its agenda lists exactly what changed since the
//! previous sync; attendees, notes, action items that become tasks; who
//! may hold one.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{OUTSIDER, expect_error, json_ok, on_each_database, other_workspace};

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_agenda_lists_what_changed_since_the_previous_sync() {
    on_each_database("the_sync_agenda_lists_what_changed_since_the_previous_sync", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, pm, admin) = (app.login_as(Role::ProductManager).await, app.login_as(Role::ProjectManager).await, app.login_as(Role::Admin).await);
        let (dev, sh) = (app.login_as(Role::Contributor).await, app.login_as(Role::Stakeholder).await);
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"].as_str().unwrap().to_owned();
        let me = |api: &crate::support::Api| {
            let api = api.clone();
            async move { json_ok(api.get("/api/v1/me").await, 200).await["user"]["id"].as_str().unwrap().to_owned() }
        };
        let (pdm_id, pm_id) = (me(&pdm).await, me(&pm).await);

        // Who holds a sync.
        expect_error(dev.post("/api/v1/syncs", json!({"product_id": product})).await, 403, "forbidden").await;
        expect_error(sh.post("/api/v1/syncs", json!({"product_id": product})).await, 403, "forbidden").await;
        expect_error(pdm.post("/api/v1/syncs", json!({"product_id": product, "attendees": ["999999"]})).await, 422, "invalid_value").await;
        let first = json_ok(pdm.post("/api/v1/syncs", json!({"product_id": product, "attendees": [pdm_id, pm_id], "notes": "First *sync*"})).await, 201).await;
        assert_eq!(first["notes_html"].as_str().unwrap().trim(), "<p>First <em>sync</em></p>");
        // The first agenda: what waits, and every forecast without a before.
        let waiting = first["agenda"]["awaiting_decision"].as_array().unwrap();
        assert!(waiting.iter().any(|c| c["title"] == "Bring loyalty points into 2027.1"), "{first}");
        let moves = first["agenda"]["forecast_moves"].as_array().unwrap();
        assert!(moves.iter().any(|m| m["subject_type"] == "project" && m["subject_id"] == p.as_str() && m["before"].is_null()));

        // Right after a sync nothing has changed; the waiting request still waits.
        let next = json_ok(sh.get(&format!("/api/v1/products/{product}/sync-agenda")).await, 200).await;
        for k in ["decisions", "scope_changes", "forecast_moves", "slipped_milestones", "risks", "budget", "shipped", "okrs"] {
            assert_eq!(next[k], json!([]), "{k}: {next}");
        }
        assert_eq!(next["feedback"]["count"], 0);
        assert_eq!(next["awaiting_decision"].as_array().unwrap().len(), waiting.len());

        // A week of changes.
        let features = json_ok(pdm.get(&format!("/api/v1/products/{product}/features")).await, 200).await;
        let feature = features["items"][0].clone();
        let fb = json_ok(sh.post(&format!("/api/v1/products/{product}/feedback"), json!({"text": "Please add Apple Pay", "source": "customer"})).await, 201).await;
        json_ok(pdm.post(&format!("/api/v1/feedback/{}/links", fb["id"].as_str().unwrap()), json!({"feature_id": feature["id"]})).await, 200).await;
        let risks = json_ok(pm.get(&format!("/api/v1/projects/{p}/risks")).await, 200).await;
        let low = risks["items"].as_array().unwrap().iter().find(|r| r["probability"].as_i64().unwrap() < 5).unwrap().clone();
        let raised = json_ok(pm.patch(&format!("/api/v1/risks/{}", low["id"].as_str().unwrap()),
            json!({"probability": 5, "version": low["version"]})).await, 200).await;
        let new_risk = json_ok(pm.post(&format!("/api/v1/projects/{p}/risks"), json!({"title": "Card network outage", "probability": 3, "impact": 4})).await, 201).await;
        let schedule = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let unstarted = |id: &Value| tasks["items"].as_array().unwrap().iter().any(|t| &t["id"] == id && t["percent_complete"] == 0 && t["kind"] == "task");
        let critical = schedule["tasks"].as_array().unwrap().iter()
            .find(|t| t["critical"] == true && unstarted(&t["id"])).unwrap().clone();
        let task = json_ok(pm.get(&format!("/api/v1/tasks/{}", critical["id"].as_str().unwrap())).await, 200).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", critical["id"].as_str().unwrap()),
            json!({"duration_minutes": task["duration_minutes"].as_i64().unwrap() + 2400, "version": task["version"]})).await, 200).await;
        let added = json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Security review"})).await, 201).await;
        let objectives = json_ok(pdm.get(&format!("/api/v1/products/{product}/objectives")).await, 200).await;
        let kr = objectives["items"][0]["key_results"][0].clone();
        json_ok(pdm.patch(&format!("/api/v1/key-results/{}", kr["id"].as_str().unwrap()),
            json!({"current": kr["current"].as_f64().unwrap() + (kr["target"].as_f64().unwrap() - kr["baseline"].as_f64().unwrap()) / 10.0, "version": kr["version"]})).await, 200).await;
        let cr = waiting.iter().find(|c| c["title"] == "Bring loyalty points into 2027.1").unwrap()["change_request_id"].as_str().unwrap().to_owned();
        json_ok(pm.post(&format!("/api/v1/change-requests/{cr}/decisions"), json!({"outcome": "reject", "rationale": "Not this release"})).await, 200).await;

        let second = json_ok(pm.post("/api/v1/syncs", json!({"product_id": product, "attendees": [pdm_id, pm_id]})).await, 201).await;
        let a = &second["agenda"];
        assert_eq!(a["feedback"]["count"], 1, "{a}");
        assert_eq!(a["feedback"]["top_features"][0]["feature_id"], feature["id"]);
        let mut risk_ids = ids(&a["risks"], "risk_id");
        risk_ids.sort();
        let mut want = vec![raised["id"].as_str().unwrap().to_owned(), new_risk["id"].as_str().unwrap().to_owned()];
        want.sort();
        assert_eq!(risk_ids, want, "{a}");
        let raised_row = a["risks"].as_array().unwrap().iter().find(|r| r["risk_id"] == raised["id"]).unwrap();
        assert_eq!(raised_row["previous_score"], low["score"]);
        assert!(a["risks"].as_array().unwrap().iter().any(|r| r["risk_id"] == new_risk["id"] && r["previous_score"].is_null()));
        let outcomes: Vec<&str> = a["decisions"].as_array().unwrap().iter().map(|d| d["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["reject"], "{a}");
        assert_eq!(ids(&a["scope_changes"], "subject_id"), [added["id"].as_str().unwrap()], "{a}");
        let project_moves: Vec<&Value> = a["forecast_moves"].as_array().unwrap().iter().filter(|m| m["subject_type"] == "project").collect();
        assert_eq!(project_moves.len(), 1, "{a}");
        assert_eq!(project_moves[0]["days"], 7, "five working days later is a week: {a}");
        assert!(!a["slipped_milestones"].as_array().unwrap().is_empty(), "{a}");
        assert_eq!(ids(&a["okrs"], "key_result_id"), [kr["id"].as_str().unwrap()]);
        assert_eq!(a["okrs"][0]["before"], kr["progress"]);
        assert!(a["budget"].as_array().unwrap().iter().all(|b| b["project_id"] == p.as_str()));

        // History, newest first; the page shows it to every member.
        let list = json_ok(sh.get(&format!("/api/v1/syncs?product={product}")).await, 200).await;
        assert_eq!(ids(&list["items"], "id"), [second["id"].as_str().unwrap(), first["id"].as_str().unwrap()]);
        other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/syncs/{}", second["id"].as_str().unwrap())).await, 404, "not_found").await;
        expect_error(outsider.get(&format!("/api/v1/syncs?product={product}")).await, 404, "not_found").await;

        // Notes and attendees, version-guarded.
        let sid = second["id"].as_str().unwrap().to_owned();
        let edited = json_ok(pdm.patch(&format!("/api/v1/syncs/{sid}"), json!({"notes": "Agreed: review the risk", "version": second["version"]})).await, 200).await;
        assert_eq!(edited["notes"], "Agreed: review the risk");
        expect_error(pdm.patch(&format!("/api/v1/syncs/{sid}"), json!({"notes": "x", "version": second["version"]})).await, 412, "version_mismatch").await;
        expect_error(dev.patch(&format!("/api/v1/syncs/{sid}"), json!({"notes": "x", "version": edited["version"]})).await, 403, "forbidden").await;

        // Action items: a task in the plan (for the plan's manager), or a follow-up.
        let item = json_ok(pm.post(&format!("/api/v1/syncs/{sid}/action-items"),
            json!({"title": "Mitigate card outage", "owner_id": pm_id, "due": "2027-01-15", "project_id": p})).await, 201).await;
        let t = json_ok(pm.get(&format!("/api/v1/tasks/{}", item["task_id"].as_str().unwrap())).await, 200).await;
        assert_eq!(t["name"], "Mitigate card outage");
        assert_eq!(t["deadline"], "2027-01-15T17:00:00");
        expect_error(pdm.post(&format!("/api/v1/syncs/{sid}/action-items"), json!({"title": "x", "project_id": p})).await, 403, "forbidden").await;
        let follow = json_ok(pdm.post(&format!("/api/v1/syncs/{sid}/action-items"), json!({"title": "Ask sales about Apple Pay", "owner_id": pdm_id, "due": "2027-01-10"})).await, 201).await;
        assert!(follow["task_id"].is_null());
        expect_error(pdm.post(&format!("/api/v1/syncs/{sid}/action-items"), json!({"title": "x", "owner_id": "424242"})).await, 422, "invalid_value").await;
        let got = json_ok(admin.get(&format!("/api/v1/syncs/{sid}")).await, 200).await;
        assert_eq!(ids(&got["action_items"], "id"), [item["id"].as_str().unwrap(), follow["id"].as_str().unwrap()]);

        // The next agenda starts after the second sync: the action item's task is its only scope change.
        let next = json_ok(pdm.get(&format!("/api/v1/products/{product}/sync-agenda")).await, 200).await;
        assert_eq!(ids(&next["scope_changes"], "subject_id"), [item["task_id"].as_str().unwrap()], "{next}");
        assert_eq!(next["risks"], json!([]));

        // The pages: the next agenda and the history; the sync with its items.
        let html = sh.get(&format!("/products/{product}/syncs")).await.text().await.unwrap();
        assert!(html.contains("Next agenda") && html.contains(second["title"].as_str().unwrap()), "{html}");
        assert!(html.contains("Security review") || html.contains("Mitigate card outage"), "{html}");
        assert!(!html.contains("Hold the sync"), "a stakeholder holds no sync: {html}");
        let html = pdm.get(&format!("/syncs/{sid}")).await.text().await.unwrap();
        assert!(html.contains("Card network outage") && html.contains("Mitigate card outage") && html.contains("task in the plan"), "{html}");
        let csrf = pdm.csrf.clone().unwrap();
        let r = pdm.request(reqwest::Method::POST, &format!("/products/{product}/syncs"))
            .form(&[("csrf_token", csrf.as_str()), ("title", "Page sync"), ("attendee", pdm_id.as_str()), ("attendee", pm_id.as_str())])
            .send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let list = json_ok(sh.get(&format!("/api/v1/syncs?product={product}")).await, 200).await;
        assert_eq!(list["items"][0]["title"], "Page sync");
        assert_eq!(list["items"][0]["attendees"], json!([pdm_id, pm_id]));
    })
    .await;
}

/// The demo's first agenda agrees with its dashboard: the feature the
/// dashboard shows as shipped and the new feedback are on it, although
/// the plan's history was recorded with earlier dates after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_agenda_shows_what_the_dashboard_shows() {
    on_each_database("the_first_agenda_shows_what_the_dashboard_shows", |app| async move {
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let dash = json_ok(pdm.get(&format!("/api/v1/dashboards/product/{product}")).await, 200).await;
        let shipped: Vec<&str> =
            dash["shipped"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
        assert!(!shipped.is_empty(), "{dash}");
        let agenda = json_ok(pdm.get(&format!("/api/v1/products/{product}/sync-agenda")).await, 200).await;
        let on_agenda: Vec<&str> =
            agenda["shipped"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
        assert_eq!(on_agenda, shipped, "{agenda}");
        let feedback = json_ok(pdm.get(&format!("/api/v1/products/{product}/feedback")).await, 200).await;
        let all = feedback["items"].as_array().unwrap().len() as u64;
        assert_eq!(agenda["feedback"]["count"].as_u64(), Some(all), "{agenda}");
    })
    .await;
}
