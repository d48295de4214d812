//! The project side through the API: projects and who may change them.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{OUTSIDER, assert_outline, expect_error, json_ok, on_each_database, other_workspace};

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
        // The demo's project and this one.
        let list = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);

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

/// Creates a task; returns its id.
async fn task(api: &crate::support::Api, project: &str, body: Value) -> String {
    json_ok(api.post(&format!("/api/v1/projects/{project}/tasks"), body).await, 201).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn link(api: &crate::support::Api, project: &str, body: Value) -> reqwest::Response {
    api.post(&format!("/api/v1/projects/{project}/dependencies"), body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wbs_dependencies_and_the_schedule() {
    on_each_database("wbs_dependencies_and_the_schedule", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = json_ok(
            pm.post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "Launch", "key": "LCH", "start": "2027-01-04"}),
            )
            .await,
            201,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let phase = task(&pm, &p, json!({"name": "Phase 1"})).await;
        let design = task(&pm, &p, json!({"name": "Design", "duration_minutes": 2400, "parent_id": phase})).await;
        let build = task(&pm, &p, json!({"name": "Build", "duration_minutes": 4800, "parent_id": phase})).await;
        let test = task(&pm, &p, json!({"name": "Test", "duration_minutes": 1440})).await;
        let docs = task(&pm, &p, json!({"name": "Docs", "duration_minutes": 960})).await;
        let launch = task(&pm, &p, json!({"name": "Launch", "kind": "milestone"})).await;
        for (a, b, kind, lag) in [
            (&design, &build, "FS", 0),
            (&build, &test, "FS", 0),
            (&design, &docs, "SS", 480),
            (&test, &launch, "FS", 0),
            (&docs, &launch, "FS", 0),
        ] {
            json_ok(
                link(&pm, &p, json!({"predecessor_id": a, "successor_id": b, "type": kind, "lag_minutes": lag})).await,
                201,
            )
            .await;
        }
        // The WBS reads in order, with levels and codes; the phase is a summary.
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        assert_outline(
            tasks["items"].as_array().unwrap(),
            &[
                ("1", "Phase 1", "summary"),
                ("1.1", "Design", "task"),
                ("1.2", "Build", "task"),
                ("2", "Test", "task"),
                ("3", "Docs", "task"),
                ("4", "Launch", "milestone"),
            ],
        );

        // Dates as MS Project computes them on the standard calendar.
        let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        assert_eq!(s["project"], json!({"start": "2027-01-04T08:00:00", "finish": "2027-01-27T17:00:00"}));
        let by_name = |n: &str| s["tasks"].as_array().unwrap().iter().find(|t| t["name"] == n).unwrap().clone();
        assert_eq!(
            (by_name("Design")["start"].clone(), by_name("Design")["finish"].clone()),
            (json!("2027-01-04T08:00:00"), json!("2027-01-08T17:00:00"))
        );
        assert_eq!(by_name("Build")["finish"], "2027-01-22T17:00:00");
        assert_eq!(by_name("Docs")["start"], "2027-01-05T08:00:00");
        assert_eq!(by_name("Docs")["total_slack_minutes"], 15 * 480);
        assert_eq!(by_name("Docs")["critical"], false);
        assert_eq!(by_name("Launch")["start"], "2027-01-27T17:00:00");
        assert_eq!(by_name("Phase 1")["summary"], true);
        assert_eq!(
            (by_name("Phase 1")["start"].clone(), by_name("Phase 1")["finish"].clone()),
            (json!("2027-01-04T08:00:00"), json!("2027-01-22T17:00:00"))
        );
        assert_eq!(s["critical_path"], json!([design, build, test, launch]));

        // The same plan built by hand for the engine gives the same dates.
        use tandem_sched::{Lag, LinkType, Network, Task};
        let start = tandem_sched::time::parse("2027-01-04T08:00:00").unwrap();
        let mut net = Network::new(start);
        let ph = net.add(Task::new(0));
        let child = |net: &mut Network, d: i64, parent: Option<u32>| {
            let mut t = Task::new(d);
            t.parent = parent;
            net.add(t)
        };
        let (d, b, t, dc, l) = (
            child(&mut net, 2400, Some(ph)),
            child(&mut net, 4800, Some(ph)),
            child(&mut net, 1440, None),
            child(&mut net, 960, None),
            child(&mut net, 0, None),
        );
        net.link(d, b, LinkType::FinishToStart, Lag::Working(0));
        net.link(b, t, LinkType::FinishToStart, Lag::Working(0));
        net.link(d, dc, LinkType::StartToStart, Lag::Working(480));
        net.link(t, l, LinkType::FinishToStart, Lag::Working(0));
        net.link(dc, l, LinkType::FinishToStart, Lag::Working(0));
        let engine = tandem_sched::schedule(&net).unwrap();
        for (i, row) in s["tasks"].as_array().unwrap().iter().enumerate() {
            for (field, v) in [
                ("early_start", engine.early_start[i]),
                ("early_finish", engine.early_finish[i]),
                ("late_start", engine.late_start[i]),
                ("late_finish", engine.late_finish[i]),
            ] {
                assert_eq!(row[field], tandem_sched::time::format(v), "{} {field}", row["name"]);
            }
            assert_eq!(row["total_slack_minutes"], engine.total_slack[i], "{}", row["name"]);
            assert_eq!(row["free_slack_minutes"], engine.free_slack[i], "{}", row["name"]);
            assert_eq!(row["critical"], engine.critical[i], "{}", row["name"]);
        }

        // A link that closes a cycle is refused, naming the tasks, and stores nothing.
        let cycle = link(&pm, &p, json!({"predecessor_id": launch, "successor_id": design})).await;
        let body = expect_error(cycle, 422, "invalid_value").await;
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(msg.contains("cycle") && msg.contains("LCH-2 Design") && msg.contains("LCH-6 Launch"), "{msg}");
        let deps = json_ok(pm.get(&format!("/api/v1/projects/{p}/dependencies")).await, 200).await;
        assert_eq!(deps["items"].as_array().unwrap().len(), 5);
        expect_error(link(&pm, &p, json!({"predecessor_id": test, "successor_id": test})).await, 422, "invalid_value")
            .await;
        expect_error(link(&pm, &p, json!({"predecessor_id": design, "successor_id": build})).await, 409, "conflict")
            .await;

        // A link's type and lag change in place; a stale version is 412 and
        // a bad lag 422, and neither changes it.
        let first = deps["items"][0].clone();
        let url = format!("/api/v1/dependencies/{}", first["id"].as_str().unwrap());
        let v = first["version"].as_i64().unwrap();
        let changed = json_ok(pm.patch(&url, json!({"type": "SS", "lag_minutes": 240, "version": v})).await, 200).await;
        assert_eq!((changed["type"].clone(), changed["lag_minutes"].clone()), (json!("SS"), json!(240)));
        assert_eq!(changed["predecessor_id"], first["predecessor_id"]);
        expect_error(pm.patch(&url, json!({"type": "FF", "version": v})).await, 412, "version_mismatch").await;
        expect_error(pm.patch(&url, json!({"lag_percent": 5000.0, "version": v + 1})).await, 422, "invalid_value")
            .await;
        let back = json_ok(pm.patch(&url, json!({"type": "FS", "version": v + 1})).await, 200).await;
        assert_eq!((back["type"].clone(), back["lag_minutes"].clone()), (json!("FS"), json!(0)));
        let dev = app.login_as(Role::Contributor).await;
        expect_error(dev.patch(&url, json!({"type": "SS", "version": v + 2})).await, 403, "forbidden").await;

        // Outdent Build out of the phase; a task cannot go under its own subtask.
        let v = json_ok(pm.get(&format!("/api/v1/tasks/{build}")).await, 200).await["version"].clone();
        let moved =
            json_ok(pm.patch(&format!("/api/v1/tasks/{build}"), json!({"parent_id": null, "version": v})).await, 200)
                .await;
        assert_eq!(moved["wbs"], "5");
        let pv = json_ok(pm.get(&format!("/api/v1/tasks/{phase}")).await, 200).await["version"].clone();
        let under = pm.patch(&format!("/api/v1/tasks/{phase}"), json!({"parent_id": design, "version": pv})).await;
        assert_eq!(expect_error(under, 422, "invalid_value").await["error"]["details"]["field"], "parent_id");

        // Notes in Markdown: kept, cleared, limited, and carried through MS Project XML.
        let url = format!("/api/v1/tasks/{design}");
        let v = json_ok(pm.get(&url).await, 200).await["version"].clone();
        let noted =
            json_ok(pm.patch(&url, json!({"notes": "Read **the brief** first.", "version": v})).await, 200).await;
        assert_eq!(noted["notes"], "Read **the brief** first.");
        let long = "x".repeat(tandem_core::markdown::MAX_MARKDOWN_CHARS + 1);
        let refused = pm.patch(&url, json!({"notes": long, "version": noted["version"]})).await;
        assert_eq!(expect_error(refused, 422, "invalid_value").await["error"]["details"]["field"], "notes");
        let xml = pm.get(&format!("/api/v1/projects/{p}/export?format=mspdi")).await.text().await.unwrap();
        assert!(xml.contains("<Notes>Read **the brief** first.</Notes>"), "{xml}");
        let copy = crate::support::new_project(&pm, &ws, "Launch copy", "LCC").await;
        let imported = pm
            .request(reqwest::Method::POST, &format!("/api/v1/projects/{copy}/import"))
            .header("content-type", "application/xml")
            .body(xml)
            .send()
            .await
            .unwrap();
        assert_eq!(imported.status(), 201, "{}", imported.text().await.unwrap());
        let copied = json_ok(pm.get(&format!("/api/v1/projects/{copy}/tasks")).await, 200).await;
        let notes: Vec<&Value> = copied["items"].as_array().unwrap().iter().map(|t| &t["notes"]).collect();
        assert_eq!(notes.iter().filter(|n| **n == "Read **the brief** first.").count(), 1, "{notes:?}");
        assert_eq!(notes.iter().filter(|n| **n == "").count(), notes.len() - 1);

        // Contributors and stakeholders read the plan but do not change it.
        for role in [Role::Contributor, Role::Stakeholder, Role::ProductManager] {
            let api = app.login_as(role).await;
            json_ok(api.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
            expect_error(
                api.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "x"})).await,
                403,
                "forbidden",
            )
            .await;
            expect_error(api.delete(&format!("/api/v1/tasks/{test}")).await, 403, "forbidden").await;
            expect_error(link(&api, &p, json!({"predecessor_id": docs, "successor_id": test})).await, 403, "forbidden")
                .await;
        }
        let _ = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/projects/{p}/schedule")).await, 404, "not_found").await;
        expect_error(outsider.get(&format!("/api/v1/tasks/{test}")).await, 404, "not_found").await;
        // Deleting the phase takes its subtasks and their links with it.
        assert_eq!(pm.delete(&format!("/api/v1/tasks/{phase}")).await.status(), 204);
        let left = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        assert_eq!(left["items"].as_array().unwrap().len(), 4);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_forecast_follows_the_schedule() {
    on_each_database("release_forecast_follows_the_schedule", |app| async move {
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let pm = app.login_as(Role::ProjectManager).await;
        let product = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let rel = json_ok(
            pdm.post(
                &format!("/api/v1/products/{product}/releases"),
                json!({"name": "3.0", "target_date": "2027-01-15"}),
            )
            .await,
            201,
        )
        .await;
        let rid = rel["id"].as_str().unwrap().to_owned();
        assert_eq!(rel["forecast"], Value::Null);
        let f = json_ok(
            pdm.post(
                &format!("/api/v1/products/{product}/features"),
                json!({"title": "Express checkout", "release_id": rid}),
            )
            .await,
            201,
        )
        .await;
        let p = json_ok(
            pm.post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "Express", "key": "EXP", "start": "2027-01-04"}),
            )
            .await,
            201,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Ten working days from Monday 4 January: done Friday the 15th, on target.
        let t =
            task(&pm, &p, json!({"name": "Build express checkout", "duration_minutes": 4800, "feature_id": f["id"]}))
                .await;
        let r = json_ok(pdm.get(&format!("/api/v1/releases/{rid}")).await, 200).await;
        assert_eq!(r["forecast"], json!({"date": "2027-01-15", "late": false}));
        assert_eq!(r["forecast_reason"], Value::Null);
        // Five more days and the release is late, on every view of it.
        let v = json_ok(pm.get(&format!("/api/v1/tasks/{t}")).await, 200).await["version"].clone();
        json_ok(pm.patch(&format!("/api/v1/tasks/{t}"), json!({"duration_minutes": 7200, "version": v})).await, 200)
            .await;
        let list = json_ok(pdm.get(&format!("/api/v1/products/{product}/releases")).await, 200).await;
        let mine = list["items"].as_array().unwrap().iter().find(|x| x["id"] == rid.as_str()).unwrap().clone();
        assert_eq!(mine["forecast"], json!({"date": "2027-01-22", "late": true}));
        let map = json_ok(pdm.get(&format!("/api/v1/products/{product}/roadmap")).await, 200).await;
        let on_map =
            map["timeline"].as_array().unwrap().iter().find(|x| x["release"]["id"] == rid.as_str()).unwrap().clone();
        assert_eq!(on_map["release"]["forecast"]["late"], true);
        // The feature page shows the delivering task with its scheduled dates.
        let html = pdm.get(&format!("/features/{}", f["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(
            html.contains("Build express checkout") && html.contains("4 Jan") && html.contains("→ 22 Jan"),
            "{html}"
        );
        // The feature follows its delivering work: in delivery once started, shipped when done.
        let fid = f["id"].as_str().unwrap().to_owned();
        let status = |pdm: crate::support::Api, fid: String| async move {
            json_ok(pdm.get(&format!("/api/v1/features/{fid}")).await, 200).await
        };
        assert_eq!(status(pdm.clone(), fid.clone()).await["status"], "idea");
        let v = json_ok(pm.get(&format!("/api/v1/tasks/{t}")).await, 200).await["version"].clone();
        json_ok(pm.patch(&format!("/api/v1/tasks/{t}"), json!({"status": "in_progress", "version": v})).await, 200)
            .await;
        assert_eq!(status(pdm.clone(), fid.clone()).await["status"], "in_delivery");
        let v = json_ok(pm.get(&format!("/api/v1/tasks/{t}")).await, 200).await["version"].clone();
        json_ok(pm.patch(&format!("/api/v1/tasks/{t}"), json!({"percent_complete": 100, "version": v})).await, 200)
            .await;
        let shipped = status(pdm.clone(), fid.clone()).await;
        assert_eq!(shipped["status"], "shipped");
        assert!(shipped["shipped_on"].is_string(), "{shipped}");
        let log = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/activity?limit=20")).await, 200).await;
        assert!(
            log["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "feature.delivery" && e["after"]["status"] == "shipped")
        );
        // The demo's second release, without delivering work, still says why there is no forecast.
        let other = list["items"].as_array().unwrap().iter().find(|x| x["name"] == "2027.2 Loyalty").unwrap().clone();
        assert_eq!(other["forecast"], Value::Null);
        assert!(other["forecast_reason"].is_string());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wbs_reorder_move_lag_kinds_and_task_calendars() {
    on_each_database("wbs_reorder_move_lag_kinds_and_task_calendars", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = json_ok(
            pm.post(&format!("/api/v1/workspaces/{ws}/projects"), json!({"name": "Order", "key": "ORD", "start": "2027-01-04"})).await,
            201,
        )
        .await;
        let p = p["id"].as_str().unwrap().to_owned();
        let mut ids = Vec::new();
        for name in ["A", "B", "C", "D"] {
            let t = json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": name})).await, 201).await;
            ids.push(t["id"].as_str().unwrap().to_owned());
        }
        let names = |v: &Value| -> Vec<String> {
            v["items"].as_array().unwrap().iter().map(|t| format!("{}:{}", t["wbs"].as_str().unwrap(), t["name"].as_str().unwrap())).collect()
        };
        let version = |id: &str| {
            let pm = pm.clone();
            let id = id.to_owned();
            async move { pm.get(&format!("/api/v1/tasks/{id}")).await.json::<Value>().await.unwrap()["version"].clone() }
        };
        // Reorder: D to the top.
        let v = version(&ids[3]).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", ids[3]), json!({"position": 1, "version": v})).await, 200).await;
        let list = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        assert_eq!(names(&list), ["1:D", "2:A", "3:B", "4:C"]);
        // Move C under A (indent), at the first place; then B after it.
        let v = version(&ids[2]).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", ids[2]), json!({"parent_id": ids[0], "version": v})).await, 200).await;
        let v = version(&ids[1]).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", ids[1]), json!({"parent_id": ids[0], "position": 1, "version": v})).await, 200).await;
        let list = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        assert_eq!(names(&list), ["1:D", "2:A", "2.1:B", "2.2:C"]);
        // One task read alone has the place in the WBS the whole list gives it.
        for t in list["items"].as_array().unwrap() {
            let one = json_ok(pm.get(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap())).await, 200).await;
            for field in ["wbs", "outline_level", "kind", "work_minutes", "assignments"] {
                assert_eq!(one[field], t[field], "{} {field}", t["name"]);
            }
        }
        let bad = pm.patch(&format!("/api/v1/tasks/{}", ids[1]), json!({"position": 0, "version": version(&ids[1]).await})).await;
        expect_error(bad, 422, "invalid_value").await;
        // A new task at a place among its siblings: E second under A; 0 is refused, storing nothing.
        let e = json!({"name": "E", "parent_id": ids[0], "position": 2});
        let e = json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), e).await, 201).await;
        let list = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        assert_eq!(names(&list), ["1:D", "2:A", "2.1:B", "2.2:E", "2.3:C"]);
        let zero = pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "F", "position": 0})).await;
        expect_error(zero, 422, "invalid_value").await;
        assert_eq!(pm.delete(&format!("/api/v1/tasks/{}", e["id"].as_str().unwrap())).await.status(), 204);

        // Lags: a 50 % lag of B's 2 days, and an elapsed lag of a weekend.
        let v = version(&ids[1]).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", ids[1]), json!({"duration_minutes": 960, "version": v})).await, 200).await;
        let d = json_ok(
            pm.post(&format!("/api/v1/projects/{p}/dependencies"), json!({"predecessor_id": ids[1], "successor_id": ids[2], "type": "SS", "lag_percent": 50.0})).await,
            201,
        )
        .await;
        assert_eq!(d["lag_kind"], "percent");
        assert_eq!(d["lag_percent"], 50.0);
        json_ok(
            pm.post(&format!("/api/v1/projects/{p}/dependencies"), json!({"predecessor_id": ids[2], "successor_id": ids[3], "lag_minutes": 2880, "lag_kind": "elapsed"})).await,
            201,
        )
        .await;
        for body in [
            json!({"predecessor_id": ids[0], "successor_id": ids[3], "lag_kind": "percent"}),
            json!({"predecessor_id": ids[0], "successor_id": ids[3], "lag_percent": 5000.0}),
            json!({"predecessor_id": ids[0], "successor_id": ids[3], "lag_minutes": 60, "lag_percent": 10.0, "lag_kind": "working"}),
        ] {
            expect_error(pm.post(&format!("/api/v1/projects/{p}/dependencies"), body).await, 422, "invalid_value").await;
        }
        let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let row = |id: &str| s["tasks"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap().clone();
        // C starts half-way through B (Monday 12:00... B runs Mon–Tue, so Tuesday 08:00).
        assert_eq!(row(&ids[2])["start"], "2027-01-05T08:00:00");
        assert_eq!(row(&ids[2])["finish"], "2027-01-05T17:00:00");
        // D starts two calendar days after C finishes: Thursday 17:00 → next work, Friday 08:00.
        assert_eq!(row(&ids[3])["start"], "2027-01-08T08:00:00");

        // A task calendar: D worked on a Saturday-only calendar.
        let cal = json!({"name": "Weekends", "week": {"monday": [], "tuesday": [], "wednesday": [], "thursday": [], "friday": [],
            "saturday": ["09:00-13:00"], "sunday": []}});
        let c = json_ok(pm.post(&format!("/api/v1/projects/{p}/calendars"), cal.clone()).await, 201).await;
        expect_error(pm.post(&format!("/api/v1/projects/{p}/calendars"), cal).await, 409, "conflict").await;
        let v = version(&ids[3]).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", ids[3]), json!({"calendar_id": c["id"], "duration_minutes": 240, "version": v})).await, 200).await;
        let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let d = s["tasks"].as_array().unwrap().iter().find(|t| t["id"] == ids[3].as_str()).unwrap();
        assert_eq!(d["start"], "2027-01-09T09:00:00");
        assert_eq!(d["finish"], "2027-01-09T13:00:00");
        assert_eq!(pm.delete(&format!("/api/v1/calendars/{}", c["id"].as_str().unwrap())).await.status(), 204);
        let t = json_ok(pm.get(&format!("/api/v1/tasks/{}", ids[3])).await, 200).await;
        assert_eq!(t["calendar_id"], Value::Null);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_project_has_a_plan_in_flight() {
    on_each_database("the_demo_project_has_a_plan_in_flight", |app| async move {
        let ws = app.seed_demo().await;
        let sh = app.login_as(Role::Stakeholder).await;
        let list = json_ok(sh.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = list["items"].as_array().unwrap().iter().find(|p| p["key"] == "CKT").unwrap().clone();
        let id = p["id"].as_str().unwrap();
        assert!(p["status_date"].is_string() && p["budget_minor"].as_i64().unwrap() > 0);
        let tasks = json_ok(sh.get(&format!("/api/v1/projects/{id}/tasks")).await, 200).await;
        let tasks = tasks["items"].as_array().unwrap();
        assert!((55..=65).contains(&tasks.len()), "{}", tasks.len());
        assert!(tasks.iter().any(|t| t["percent_complete"] == 100));
        assert!(tasks.iter().any(|t| t["percent_complete"].as_i64().is_some_and(|p| p > 0 && p < 100)));
        assert!(tasks.iter().filter(|t| t["feature_id"].is_string()).count() >= 10);
        let deps = json_ok(sh.get(&format!("/api/v1/projects/{id}/dependencies")).await, 200).await;
        assert!(deps["items"].as_array().unwrap().len() >= 50);
        let s = json_ok(sh.get(&format!("/api/v1/projects/{id}/schedule")).await, 200).await;
        assert!(!s["critical_path"].as_array().unwrap().is_empty());
        let b = json_ok(sh.get(&format!("/api/v1/projects/{id}/baselines")).await, 200).await;
        assert_eq!(b["items"][0]["name"], "Approved plan");
        let e = json_ok(sh.get(&format!("/api/v1/projects/{id}/evm")).await, 200).await;
        assert!(e["ev"].as_i64().unwrap() > 0 && e["ac"].as_i64().unwrap() > 0 && e["pv"].as_i64().unwrap() > 0, "{e}");
        let r = json_ok(sh.get(&format!("/api/v1/projects/{id}/time-report?group=task")).await, 200).await;
        assert!(r["rows"].as_array().unwrap().len() >= 10);
        let sprints = json_ok(sh.get(&format!("/api/v1/projects/{id}/sprints")).await, 200).await;
        assert_eq!(sprints["items"].as_array().unwrap().len(), 2);
        assert!(sprints["velocity"].as_f64().unwrap() > 0.0);
        let risks = json_ok(sh.get(&format!("/api/v1/projects/{id}/risks")).await, 200).await;
        assert!(risks["items"].as_array().unwrap().len() >= 5);
        let defects = json_ok(sh.get(&format!("/api/v1/projects/{id}/defects")).await, 200).await;
        assert!(defects["items"].as_array().unwrap().len() >= 4);
        let reports = json_ok(sh.get(&format!("/api/v1/projects/{id}/status-reports")).await, 200).await;
        assert_eq!(reports["items"][0]["status"], "published");
        let runs = json_ok(sh.get(&format!("/api/v1/projects/{id}/monte-carlo")).await, 200).await;
        assert_eq!(runs["items"].as_array().unwrap().len(), 1);
        let u = json_ok(sh.get(&format!("/api/v1/projects/{id}/utilization")).await, 200).await;
        assert_eq!(u["resources"].as_array().unwrap().len(), 5);
        let crs = json_ok(sh.get(&format!("/api/v1/projects/{id}/change-requests")).await, 200).await;
        assert_eq!(crs["items"][0]["status"], "submitted");
        assert_eq!(crs["items"][0]["required"], json!(["product_manager", "project_manager"]));
        assert!(crs["items"][0]["impact"]["finish_delta_working_days"].as_f64().unwrap() > 0.0);
        let d = json_ok(sh.get(&format!("/api/v1/dashboards/project/{id}")).await, 200).await;
        assert_eq!(d["forecast_finish"], s["project"]["finish"]);
        assert_eq!(d["critical_tasks"].as_u64().unwrap() as usize, s["critical_path"].as_array().unwrap().len());
        assert!(d["baseline_finish"].is_string() && d["evm"]["cpi"].is_number());
        assert_eq!(d["latest_report"]["status"], "published");
        assert_eq!(d["top_risks"][0]["score"], 15);
        assert_eq!(d["open_change_requests"][0]["title"], "Bring loyalty points into 2027.1");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaries_roll_up_work_cost_and_progress() {
    on_each_database("summaries_roll_up_work_cost_and_progress", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = json_ok(
            pm.post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "Roll", "key": "ROL", "start": "2027-01-04"}),
            )
            .await,
            201,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = json_ok(
            pm.post(&format!("/api/v1/workspaces/{ws}/resources"), json!({"name": "Roller", "rate_minor": 6000})).await,
            201,
        )
        .await;
        let phase = task(&pm, &p, json!({"name": "Phase"})).await;
        // X: 1 day at full time (8 h × 60.00) plus 100.00 fixed, half done; Y: 3 days, not started, half time.
        task(
            &pm,
            &p,
            json!({"name": "X", "parent_id": phase, "duration_minutes": 480, "percent_complete": 50,
            "fixed_cost_minor": 10_000, "assignments": [{"resource_id": r["id"]}]}),
        )
        .await;
        task(
            &pm,
            &p,
            json!({"name": "Y", "parent_id": phase, "duration_minutes": 1440,
            "assignments": [{"resource_id": r["id"], "units": 50}]}),
        )
        .await;
        let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let row = |name: &str| s["tasks"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
        assert_eq!(row("X")["cost_minor"], 58_000);
        assert_eq!(row("Y")["work_minutes"], 720);
        assert_eq!(row("Y")["cost_minor"], 72_000);
        let ph = row("Phase");
        assert_eq!(ph["summary"], true);
        assert_eq!(ph["work_minutes"], 480 + 720);
        assert_eq!(ph["cost_minor"], 58_000 + 72_000);
        // (480 × 50 + 1440 × 0) ÷ 1920 = 12 %.
        assert_eq!(ph["percent_complete"], 12);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_person_both_hats_is_flagged_on_both_dashboards() {
    on_each_database("one_person_both_hats_is_flagged_on_both_dashboards", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        let product = json_ok(
            admin.post(&format!("/api/v1/workspaces/{ws}/products"), json!({"name": "Solo", "key": "SOLO"})).await,
            201,
        )
        .await;
        let pid = product["id"].as_str().unwrap();
        let html = admin.get(&format!("/products/{pid}")).await.text().await.unwrap();
        assert!(!html.contains("both hats"), "no project yet");
        let p = json_ok(
            admin
                .post(
                    &format!("/api/v1/workspaces/{ws}/projects"),
                    json!({"name": "Solo build", "key": "SOLOB", "start": "2027-01-04", "product_id": pid}),
                )
                .await,
            201,
        )
        .await;
        let html = admin.get(&format!("/products/{pid}")).await.text().await.unwrap();
        assert!(html.contains("One person, both hats") && html.contains("Solo build"), "{html}");
        let d =
            json_ok(admin.get(&format!("/api/v1/dashboards/project/{}", p["id"].as_str().unwrap())).await, 200).await;
        assert_eq!(d["both_hats"], true);
        let html = admin.get(&format!("/projects/{}", p["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(html.contains("One person, both hats"), "{html}");
    })
    .await;
}

/// The schedule read is cached per plan revision: every kind of plan write
/// — tasks, links, the project's calendar and start, task calendars,
/// resources and their calendars and rates, assignments — shows in the
/// next read, and a status date asked for is its own entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_schedule_follows_every_plan_write() {
    on_each_database("a_cached_schedule_follows_every_plan_write", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = json_ok(
            pm.post(&format!("/api/v1/workspaces/{ws}/projects"), json!({"name": "Cache", "key": "CCH", "start": "2027-01-04"}))
                .await,
            201,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let a = task(&pm, &p, json!({"name": "A", "duration_minutes": 960})).await;
        let b = task(&pm, &p, json!({"name": "B", "duration_minutes": 480})).await;
        // Read twice, so the second read comes from the cache, then check
        // the field that the write before must have moved.
        let read = |field: &'static str| {
            let (pm, p, b) = (pm.clone(), p.clone(), b.clone());
            async move {
                let mut seen = Vec::new();
                for _ in 0..2 {
                    let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
                    let row = s["tasks"].as_array().unwrap().iter().find(|t| t["id"] == b.as_str()).cloned();
                    seen.push(row.map_or(Value::Null, |r| r[field].clone()));
                }
                assert_eq!(seen[0], seen[1], "a cached read equals the fresh one");
                seen.remove(0)
            }
        };
        let version = |id: String| {
            let pm = pm.clone();
            async move { pm.get(&id).await.json::<Value>().await.unwrap()["version"].clone() }
        };
        assert_eq!(read("start").await, "2027-01-04T08:00:00");
        // The revision is the entity tag: the same plan is 304 Not Modified.
        let url = format!("/api/v1/projects/{p}/schedule");
        let etag = |r: &reqwest::Response| r.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
        let first = etag(&pm.get(&url).await).expect("an ETag");
        let again = pm.request(reqwest::Method::GET, &url).header("if-none-match", &first).send().await.unwrap();
        assert_eq!(again.status(), 304);
        assert_eq!(etag(&again).as_deref(), Some(first.as_str()));
        assert!(again.bytes().await.unwrap().is_empty());
        let dep = json_ok(link(&pm, &p, json!({"predecessor_id": a, "successor_id": b})).await, 201).await;
        let moved = pm.request(reqwest::Method::GET, &url).header("if-none-match", &first).send().await.unwrap();
        assert_eq!(moved.status(), 200, "a plan write changes the tag");
        assert_ne!(etag(&moved).as_deref(), Some(first.as_str()));
        assert_eq!(read("start").await, "2027-01-06T08:00:00", "a new link");
        let v = version(format!("/api/v1/tasks/{a}")).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{a}"), json!({"duration_minutes": 1440, "version": v})).await, 200).await;
        assert_eq!(read("start").await, "2027-01-07T08:00:00", "a longer predecessor");

        // The project's calendar: Thursday 7 January becomes a holiday.
        let cal = json_ok(pm.get(&format!("/api/v1/projects/{p}/calendar")).await, 200).await;
        let pv = version(format!("/api/v1/projects/{p}")).await;
        let mut put = cal.clone();
        put["exceptions"] = json!([{"name": "Holiday", "from": "2027-01-07", "to": "2027-01-07", "hours": []}]);
        put["version"] = pv;
        json_ok(pm.request(reqwest::Method::PUT, &format!("/api/v1/projects/{p}/calendar")).json(&put).send().await.unwrap(), 200)
            .await;
        assert_eq!(read("start").await, "2027-01-08T08:00:00", "a holiday in the project's calendar");

        // The project's start moves everything.
        let pv = version(format!("/api/v1/projects/{p}")).await;
        json_ok(pm.patch(&format!("/api/v1/projects/{p}"), json!({"start": "2027-01-11", "version": pv})).await, 200).await;
        assert_eq!(read("start").await, "2027-01-14T08:00:00", "a later project start");

        // A resource with a calendar of its own (Thursdays off) put on B.
        let thursdays_off = json!({"week": {"monday": ["08:00-12:00", "13:00-17:00"], "tuesday": ["08:00-12:00", "13:00-17:00"],
            "wednesday": ["08:00-12:00", "13:00-17:00"], "thursday": [], "friday": ["08:00-12:00", "13:00-17:00"],
            "saturday": [], "sunday": []}, "work_weeks": [], "exceptions": []});
        let r = json_ok(
            pm.post(&format!("/api/v1/workspaces/{ws}/resources"), json!({"name": "Cache tester", "type": "work", "max_units": 100, "rate_minor": 6000}))
                .await,
            201,
        )
        .await;
        let r = r["id"].as_str().unwrap().to_owned();
        let v = version(format!("/api/v1/tasks/{b}")).await;
        json_ok(
            pm.patch(&format!("/api/v1/tasks/{b}"), json!({"assignments": [{"resource_id": r, "units": 100}], "version": v})).await,
            200,
        )
        .await;
        assert_eq!(read("cost_minor").await, 8 * 6000, "an assignment at the resource's rate");
        let rv = version(format!("/api/v1/resources/{r}")).await;
        json_ok(pm.patch(&format!("/api/v1/resources/{r}"), json!({"rate_minor": 9000, "version": rv})).await, 200).await;
        assert_eq!(read("cost_minor").await, 8 * 9000, "a new rate");
        let rv = version(format!("/api/v1/resources/{r}")).await;
        json_ok(pm.patch(&format!("/api/v1/resources/{r}"), json!({"calendar": thursdays_off, "version": rv})).await, 200).await;
        assert_eq!(read("start").await, "2027-01-15T08:00:00", "the resource's calendar");

        // A task calendar, then the link removed.
        let sat = json!({"name": "Saturdays", "week": {"monday": [], "tuesday": [], "wednesday": [], "thursday": [], "friday": [],
            "saturday": ["09:00-13:00"], "sunday": []}});
        let c = json_ok(pm.post(&format!("/api/v1/projects/{p}/calendars"), sat).await, 201).await;
        let v = version(format!("/api/v1/tasks/{b}")).await;
        json_ok(
            pm.patch(&format!("/api/v1/tasks/{b}"), json!({"assignments": [], "calendar_id": c["id"], "version": v})).await,
            200,
        )
        .await;
        assert_eq!(read("start").await, "2027-01-16T09:00:00", "a task calendar");
        assert_eq!(pm.delete(&format!("/api/v1/dependencies/{}", dep["id"].as_str().unwrap())).await.status(), 204);
        assert_eq!(read("start").await, "2027-01-16T09:00:00", "Saturday still, but the first one");
        assert_eq!(pm.delete(&format!("/api/v1/calendars/{}", c["id"].as_str().unwrap())).await.status(), 204);
        assert_eq!(read("start").await, "2027-01-11T08:00:00", "back on the project's calendar, unlinked");

        // A status date asked for is a schedule of its own, cached apart.
        let v = version(format!("/api/v1/tasks/{b}")).await;
        json_ok(
            pm.patch(&format!("/api/v1/tasks/{b}"), json!({"actual_start": "2027-01-11T08:00:00", "percent_complete": 50, "version": v}))
                .await,
            200,
        )
        .await;
        let at = |d: &'static str| {
            let (pm, p, b) = (pm.clone(), p.clone(), b.clone());
            async move {
                let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule?status_date={d}")).await, 200).await;
                s["tasks"].as_array().unwrap().iter().find(|t| t["id"] == b.as_str()).unwrap()["finish"].clone()
            }
        };
        let early = at("2027-01-11T17:00:00").await;
        let late = at("2027-01-20T08:00:00").await;
        assert_ne!(early, late, "remaining work from each status date");
        assert_eq!(at("2027-01-11T17:00:00").await, early);
        // Deleting the task takes it out of the next read.
        assert_eq!(pm.delete(&format!("/api/v1/tasks/{b}")).await.status(), 204);
        assert_eq!(read("start").await, Value::Null, "a deleted task");
    })
    .await;
}
