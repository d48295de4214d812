//! Sprints and the board, risks and defects, Monte Carlo runs and status
//! reports, through the API, on small plans whose numbers are known.

use serde_json::{Value, json};
use tandem_core::{Millis, Role};

use crate::support::{Api, TestApp, expect_error, json_ok, on_each_database};

fn at(s: &str) -> Millis {
    let t: jiff::Timestamp = s.parse().unwrap();
    Millis(t.as_millisecond())
}

async fn project(app: &TestApp, pm: &Api, ws: &str, key: &str, extra: Value) -> String {
    let mut body = json!({"name": format!("Project {key}"), "key": key, "start": "2027-01-04"});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let _ = app;
    let p = json_ok(pm.post(&format!("/api/v1/workspaces/{ws}/projects"), body).await, 201).await;
    p["id"].as_str().unwrap().to_owned()
}

async fn task(pm: &Api, project: &str, body: Value) -> Value {
    json_ok(pm.post(&format!("/api/v1/projects/{project}/tasks"), body).await, 201).await
}

async fn patch_task(api: &Api, id: &str, mut body: Value) -> reqwest::Response {
    let admin_view = api.get(&format!("/api/v1/tasks/{id}")).await.json::<Value>().await.unwrap();
    body["version"] = admin_view["version"].clone();
    api.patch(&format!("/api/v1/tasks/{id}"), body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sprints_board_and_burndown() {
    on_each_database("sprints_board_and_burndown", |app| async move {
        let ws = app.seed_demo().await;
        // Sessions last two weeks: sign in on the sprint's first day.
        app.clock.set(at("2027-01-04T09:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let dev = app.login_as(Role::Contributor).await;
        let sh = app.login_as(Role::Stakeholder).await;
        let p = project(&app, &pm, &ws, "AG", json!({"methodology": "agile"})).await;
        let dev_id = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id.to_string();
        let r = json_ok(
            pm.post(&format!("/api/v1/workspaces/{ws}/resources"), json!({"name": "Dev Agile", "user_id": dev_id}))
                .await,
            201,
        )
        .await;
        let rid = r["id"].as_str().unwrap();
        let mut s = Vec::new();
        for (name, start, finish) in
            [("Sprint 1", "2027-01-04", "2027-01-08"), ("Sprint 2", "2027-01-11", "2027-01-15")]
        {
            let sp = json_ok(
                pm.post(
                    &format!("/api/v1/projects/{p}/sprints"),
                    json!({"name": name, "start": start, "finish": finish, "capacity_points": 10, "goal": "Ship it"}),
                )
                .await,
                201,
            )
            .await;
            assert_eq!(sp["status"], "planned");
            s.push(sp["id"].as_str().unwrap().to_owned());
        }
        let mut t = Vec::new();
        for (name, pts, sprint, mine) in
            [("T1", 5, 0, true), ("T2", 3, 0, false), ("T3", 2, 0, false), ("T4", 8, 1, false)]
        {
            let mut body = json!({"name": name, "story_points": pts, "sprint_id": s[sprint]});
            if mine {
                body["assignments"] = json!([{"resource_id": rid}]);
            }
            t.push(task(&pm, &p, body).await["id"].as_str().unwrap().to_owned());
        }
        // Bad sprints and strangers' sprints are refused.
        let bad = pm
            .post(
                &format!("/api/v1/projects/{p}/sprints"),
                json!({"name": "X", "start": "2027-01-08", "finish": "2027-01-04"}),
            )
            .await;
        assert_eq!(expect_error(bad, 422, "invalid_value").await["error"]["details"]["field"], "finish");
        let other = project(&app, &pm, &ws, "AG2", json!({})).await;
        let r = pm.post(&format!("/api/v1/projects/{other}/tasks"), json!({"name": "x", "sprint_id": s[0]})).await;
        assert_eq!(expect_error(r, 422, "invalid_value").await["error"]["details"]["field"], "sprint_id");
        let r = dev
            .post(
                &format!("/api/v1/projects/{p}/sprints"),
                json!({"name": "X", "start": "2027-01-04", "finish": "2027-01-05"}),
            )
            .await;
        expect_error(r, 403, "forbidden").await;

        // Tuesday: the contributor finishes her own card; she may not move
        // others' cards or rename her own; stakeholders move nothing.
        app.clock.set(at("2027-01-05T12:00:00Z"));
        let done = json_ok(patch_task(&dev, &t[0], json!({"status": "done"})).await, 200).await;
        assert_eq!(done["status"], "done");
        assert_eq!(done["percent_complete"], 100);
        assert!(done["actual_finish"].is_string());
        expect_error(patch_task(&dev, &t[2], json!({"status": "in_progress"})).await, 403, "forbidden").await;
        expect_error(patch_task(&dev, &t[0], json!({"name": "Mine"})).await, 403, "forbidden").await;
        expect_error(patch_task(&sh, &t[0], json!({"status": "review"})).await, 403, "forbidden").await;
        // Thursday: the manager finishes T2.
        app.clock.set(at("2027-01-07T12:00:00Z"));
        json_ok(patch_task(&pm, &t[1], json!({"status": "done"})).await, 200).await;
        json_ok(patch_task(&pm, &t[2], json!({"status": "in_progress"})).await, 200).await;

        let b = json_ok(dev.get(&format!("/api/v1/sprints/{}/burndown", s[0])).await, 200).await;
        assert_eq!(b["committed_points"], 10.0);
        let rem: Vec<Value> = b["days"].as_array().unwrap().iter().map(|d| d["remaining"].clone()).collect();
        assert_eq!(rem, [json!(10.0), json!(5.0), json!(5.0), json!(2.0), Value::Null]);
        let ideal: Vec<f64> = b["days"].as_array().unwrap().iter().map(|d| d["ideal"].as_f64().unwrap()).collect();
        assert_eq!(ideal, [10.0, 7.5, 5.0, 2.5, 0.0]);

        let board = json_ok(sh.get(&format!("/api/v1/projects/{p}/board")).await, 200).await;
        let col = |st: &str| board["columns"].as_array().unwrap().iter().find(|c| c["status"] == st).unwrap().clone();
        let keys = |c: &Value| {
            c["cards"].as_array().unwrap().iter().map(|x| x["key"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(keys(&col("done")), ["AG-1", "AG-2"]);
        assert_eq!(col("done")["points"], 8.0);
        assert_eq!(keys(&col("in_progress")), ["AG-3"]);
        assert_eq!(keys(&col("todo")), ["AG-4"]);
        let only2 = json_ok(sh.get(&format!("/api/v1/projects/{p}/board?sprint_id={}", s[1])).await, 200).await;
        assert_eq!(only2["columns"][0]["cards"].as_array().unwrap().len(), 1);

        // Close both sprints; velocity is the mean of points done in them.
        let close = |id: String| {
            let pm = pm.clone();
            async move {
                let v =
                    pm.get(&format!("/api/v1/sprints/{id}")).await.json::<Value>().await.unwrap()["version"].clone();
                json_ok(
                    pm.patch(&format!("/api/v1/sprints/{id}"), json!({"status": "closed", "version": v})).await,
                    200,
                )
                .await
            }
        };
        close(s[0].clone()).await;
        app.clock.set(at("2027-01-13T12:00:00Z"));
        json_ok(patch_task(&pm, &t[3], json!({"status": "done"})).await, 200).await;
        // Finished after its sprint: does not count for sprint 1.
        json_ok(patch_task(&pm, &t[2], json!({"status": "done"})).await, 200).await;
        close(s[1].clone()).await;
        let list = json_ok(pm.get(&format!("/api/v1/projects/{p}/sprints")).await, 200).await;
        assert_eq!(list["items"][0]["committed_points"], 10.0);
        assert_eq!(list["items"][0]["done_points"], 8.0);
        assert_eq!(list["items"][1]["done_points"], 8.0);
        assert_eq!(list["velocity"], 8.0);
        // Sprint planning from the task list: T3 into sprint 2.
        let t3 = json_ok(pm.get(&format!("/api/v1/tasks/{}", t[2])).await, 200).await;
        let form = [
            ("version", t3["version"].to_string()),
            ("action", "save".into()),
            ("sprint_id", s[1].clone()),
            ("back", format!("/projects/{p}/tasks")),
        ];
        let r = pm.request(reqwest::Method::POST, &format!("/tasks/{}/edit", t[2])).form(&form).send().await.unwrap();
        assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        let t3 = json_ok(pm.get(&format!("/api/v1/tasks/{}", t[2])).await, 200).await;
        assert_eq!(t3["sprint_id"], s[1].as_str());
        // Deleting a sprint returns its tasks to the backlog.
        assert_eq!(pm.delete(&format!("/api/v1/sprints/{}", s[1])).await.status(), 204);
        let t4 = json_ok(pm.get(&format!("/api/v1/tasks/{}", t[3])).await, 200).await;
        assert_eq!(t4["sprint_id"], Value::Null);
    })
    .await;
}

/// The shared computed plan carries the project's row: editing the
/// project moves its revision, so no reader sees the old fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_edits_are_never_stale_in_the_shared_plan() {
    on_each_database("project_edits_are_never_stale_in_the_shared_plan", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = project(&app, &pm, &ws, "ST", json!({"target_finish": "2027-02-01"})).await;
        task(&pm, &p, json!({"name": "Only", "duration_minutes": 960})).await;
        let etag = |r: &reqwest::Response| r.headers()["etag"].to_str().unwrap().to_owned();
        let first = pm.get(&format!("/api/v1/projects/{p}/schedule")).await;
        let before = etag(&first);
        let d = json_ok(pm.get(&format!("/api/v1/dashboards/project/{p}")).await, 200).await;
        assert_eq!(d["late"], false, "{d}");
        let v = json_ok(pm.get(&format!("/api/v1/projects/{p}")).await, 200).await["version"].clone();
        let body = json!({"target_finish": "2027-01-04T12:00:00", "name": "Renamed", "version": v});
        json_ok(pm.patch(&format!("/api/v1/projects/{p}"), body).await, 200).await;
        let after = pm.get(&format!("/api/v1/projects/{p}/schedule")).await;
        assert_ne!(etag(&after), before, "the edit moved the plan's revision");
        let d = json_ok(pm.get(&format!("/api/v1/dashboards/project/{p}")).await, 200).await;
        assert_eq!((d["target_finish"].clone(), d["late"].clone()), (json!("2027-01-04T12:00:00"), json!(true)), "{d}");
    })
    .await;
}

/// One definition of done: a task given only an actual finish is done for
/// the burndown, for its summary and for shipping its feature alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actual_finish_is_done_everywhere() {
    on_each_database("an_actual_finish_is_done_everywhere", |app| async move {
        let ws = app.seed_demo().await;
        app.clock.set(at("2027-01-04T09:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let pdm = app.login_as(Role::ProductManager).await;
        let product = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let feature = json_ok(
            pdm.post(&format!("/api/v1/products/{product}/features"), json!({"title": "Gift cards"})).await,
            201,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let p = project(&app, &pm, &ws, "DN", json!({"methodology": "agile"})).await;
        let sprint = json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/sprints"),
                json!({"name": "Sprint 1", "start": "2027-01-04", "finish": "2027-01-08"}),
            )
            .await,
            201,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let phase = task(&pm, &p, json!({"name": "Phase"})).await["id"].as_str().unwrap().to_owned();
        let mut t = Vec::new();
        for (name, pts) in [("Design", 3), ("Build", 2)] {
            let body = json!({"name": name, "parent_id": phase, "story_points": pts, "sprint_id": sprint,
                "feature_id": feature});
            t.push(task(&pm, &p, body).await["id"].as_str().unwrap().to_owned());
        }
        let feature_status = || async {
            json_ok(pdm.get(&format!("/api/v1/features/{feature}")).await, 200).await["status"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(feature_status().await, "idea");
        // Tuesday: Design is reported finished by its dates alone.
        app.clock.set(at("2027-01-05T12:00:00Z"));
        let finished = json!({"actual_start": "2027-01-04T08:00:00", "actual_finish": "2027-01-05T12:00:00"});
        json_ok(patch_task(&pm, &t[0], finished.clone()).await, 200).await;
        assert_eq!(feature_status().await, "in_delivery", "an actual finish has started the feature's work");
        let b = json_ok(pm.get(&format!("/api/v1/sprints/{sprint}/burndown")).await, 200).await;
        assert_eq!(b["days"][1]["remaining"], json!(2.0), "{b}");
        let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let row = |id: &str| s["tasks"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
        assert_eq!((row(&t[0])["done"].clone(), row(&phase)["done"].clone()), (json!(true), json!(false)));
        // Build too: the feature ships, and the phase is done at 100 %.
        json_ok(patch_task(&pm, &t[1], finished).await, 200).await;
        assert_eq!(feature_status().await, "shipped");
        let s = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let phase_row = s["tasks"].as_array().unwrap().iter().find(|r| r["id"] == phase.as_str()).unwrap().clone();
        assert_eq!((phase_row["done"].clone(), phase_row["percent_complete"].clone()), (json!(true), json!(100)));
        let b = json_ok(pm.get(&format!("/api/v1/sprints/{sprint}/burndown")).await, 200).await;
        assert_eq!(b["days"][1]["remaining"], json!(0.0), "{b}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risks_defects_and_quality() {
    on_each_database("risks_defects_and_quality", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let dev = app.login_as(Role::Contributor).await;
        let pdm = app.login_as(Role::ProductManager).await;
        let sh = app.login_as(Role::Stakeholder).await;
        let p = project(&app, &pm, &ws, "RK", json!({})).await;
        let t = task(&pm, &p, json!({"name": "Build", "story_points": 10, "status": "done"})).await;
        let r = json_ok(
            pm.post(&format!("/api/v1/projects/{p}/risks"),
                json!({"title": "Vendor late", "probability": 4, "impact": 5, "cost_impact_minor": 1_000_000,
                       "response": "mitigate", "mitigation": "Second vendor", "trigger": "No API by March",
                       "task_ids": [t["id"]]}))
                .await,
            201,
        )
        .await;
        assert_eq!(r["key"], "RK-2");
        assert_eq!(r["score"], 20);
        assert_eq!(r["exposure_minor"], 700_000);
        assert_eq!(r["status"], "open");
        assert_eq!(r["task_ids"], json!([t["id"]]));
        let low = json_ok(
            pm.post(&format!("/api/v1/projects/{p}/risks"), json!({"title": "Rain", "probability": 2, "impact": 3})).await,
            201,
        )
        .await;
        for (body, field) in [
            (json!({"title": "x", "probability": 6, "impact": 1}), "probability"),
            (json!({"title": "x", "probability": 1, "impact": 0}), "impact"),
            (json!({"title": "x", "probability": 1, "impact": 1, "task_ids": ["999999"]}), "task_ids"),
            (json!({"title": "x", "probability": 1, "impact": 1, "cost_impact_minor": -1}), "cost_impact_minor"),
        ] {
            let e = expect_error(pm.post(&format!("/api/v1/projects/{p}/risks"), body).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], field);
        }
        for api in [&dev, &pdm, &sh] {
            let r = api.post(&format!("/api/v1/projects/{p}/risks"), json!({"title": "x", "probability": 1, "impact": 1})).await;
            expect_error(r, 403, "forbidden").await;
        }
        let rid = low["id"].as_str().unwrap();
        json_ok(pm.patch(&format!("/api/v1/risks/{rid}"), json!({"status": "closed", "version": 1})).await, 200).await;
        expect_error(pm.patch(&format!("/api/v1/risks/{rid}"), json!({"impact": 2, "version": 1})).await, 412, "version_mismatch").await;
        let list = json_ok(sh.get(&format!("/api/v1/projects/{p}/risks")).await, 200).await;
        assert_eq!(list["items"][0]["title"], "Vendor late");
        let h = json_ok(sh.get(&format!("/api/v1/projects/{p}/risks/heatmap")).await, 200).await;
        assert_eq!(h["open"], 1);
        assert_eq!(h["cells"][0], json!([0, 0, 0, 1, 0]));
        assert_eq!(h["cells"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap().clone()).filter_map(|v| v.as_i64()).sum::<i64>(), 1);
        assert_eq!(h["total_exposure_minor"], 700_000);
        assert_eq!(h["worst_score"], 20);

        // Defects: contributors file; the reporter and the manager edit.
        let d = json_ok(
            dev.post(&format!("/api/v1/projects/{p}/defects"),
                json!({"title": "Crash on pay", "severity": "critical", "found_after_release": true, "task_id": t["id"]}))
                .await,
            201,
        )
        .await;
        assert_eq!(d["status"], "open");
        let did = d["id"].as_str().unwrap();
        json_ok(pdm.post(&format!("/api/v1/projects/{p}/defects"), json!({"title": "Typo", "severity": "trivial"})).await, 201).await;
        expect_error(sh.post(&format!("/api/v1/projects/{p}/defects"), json!({"title": "x"})).await, 403, "forbidden").await;
        expect_error(pdm.patch(&format!("/api/v1/defects/{did}"), json!({"severity": "minor", "version": 1})).await, 403, "forbidden").await;
        json_ok(dev.patch(&format!("/api/v1/defects/{did}"), json!({"description": "Steps: pay", "version": 1})).await, 200).await;
        let bad = dev.post(&format!("/api/v1/projects/{p}/defects"), json!({"title": "x", "severity": "apocalyptic"})).await;
        assert_eq!(bad.status(), 422);
        let q = json_ok(sh.get(&format!("/api/v1/projects/{p}/quality")).await, 200).await;
        assert_eq!(q["total"], 2);
        assert_eq!(q["open"], 2);
        assert_eq!(q["open_critical"], 1);
        assert_eq!(q["escape_rate"], 0.5);
        assert_eq!(q["points_delivered"], 10.0);
        assert_eq!(q["defects_per_100_points"], 20.0);
        assert_eq!(q["by_severity"], json!({"critical": 1, "trivial": 1}));
        json_ok(pm.patch(&format!("/api/v1/defects/{did}"), json!({"status": "resolved", "version": 2})).await, 200).await;
        let q = json_ok(sh.get(&format!("/api/v1/projects/{p}/quality")).await, 200).await;
        assert_eq!(q["open_critical"], 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monte_carlo_runs_are_seeded_and_stored() {
    on_each_database("monte_carlo_runs_are_seeded_and_stored", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = project(&app, &pm, &ws, "MC", json!({"target_finish": "2027-01-15T17:00:00"})).await;
        let est =
            |o: i64, m: i64, x: i64| json!({"optimistic_minutes": o, "likely_minutes": m, "pessimistic_minutes": x});
        let a = task(&pm, &p, json!({"name": "A", "duration_minutes": 2880, "estimate": est(2400, 2880, 4800)})).await;
        let b = task(&pm, &p, json!({"name": "B", "duration_minutes": 960, "estimate": est(960, 960, 1920)})).await;
        let c = task(&pm, &p, json!({"name": "C", "duration_minutes": 480})).await;
        json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/dependencies"),
                json!({"predecessor_id": a["id"], "successor_id": b["id"]}),
            )
            .await,
            201,
        )
        .await;
        let bad =
            pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "X", "estimate": est(10, 5, 20)})).await;
        assert_eq!(expect_error(bad, 422, "invalid_value").await["error"]["details"]["field"], "estimate");

        let run = json!({"iterations": 500, "seed": 7, "distribution": "pert"});
        let r1 = json_ok(pm.post(&format!("/api/v1/projects/{p}/monte-carlo"), run.clone()).await, 201).await;
        let res = &r1["results"];
        let d = |k: &str| res[k].as_str().unwrap().to_owned();
        assert!(
            d("min") <= d("p10")
                && d("p10") <= d("p50")
                && d("p50") <= d("p80")
                && d("p80") <= d("p90")
                && d("p90") <= d("max")
        );
        // The deterministic plan: A 6 days then B 2 days, finishing Wednesday 13th.
        assert_eq!(res["planned_finish"], "2027-01-13T17:00:00");
        assert_eq!(res["target"], "2027-01-15T17:00:00");
        let on_time = res["on_time"].as_f64().unwrap();
        assert!(on_time > 0.0 && on_time < 1.0, "{on_time}");
        let count: u64 = res["histogram"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
        assert_eq!(count, 500);
        assert_eq!(res["s_curve"].as_array().unwrap().last().unwrap()["probability"], 1.0);
        let crit = res["criticality"].as_array().unwrap();
        let idx = |key: &str| crit.iter().find(|c| c["key"] == key).unwrap()["index"].as_f64().unwrap();
        assert_eq!(idx("MC-1"), 1.0);
        assert_eq!(idx("MC-2"), 1.0);
        assert_eq!(idx("MC-3"), 0.0);
        assert_eq!(r1["inputs"]["tasks"].as_array().unwrap().len(), 3);
        assert_eq!(r1["inputs"]["tasks"][2]["estimate"], Value::Null);
        // Same seed, same answer; another seed, another sample.
        let r2 = json_ok(pm.post(&format!("/api/v1/projects/{p}/monte-carlo"), run).await, 201).await;
        assert_eq!(r2["results"], r1["results"]);
        let r3 = json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/monte-carlo"),
                json!({"iterations": 500, "seed": 8, "distribution": "pert"}),
            )
            .await,
            201,
        )
        .await;
        assert_ne!(r3["results"]["histogram"], r1["results"]["histogram"]);
        let list = json_ok(pm.get(&format!("/api/v1/projects/{p}/monte-carlo")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 3);
        assert_eq!(list["items"][0]["id"], r3["id"]);
        let sh = app.login_as(Role::Stakeholder).await;
        let got = json_ok(sh.get(&format!("/api/v1/monte-carlo/{}", r1["id"].as_str().unwrap())).await, 200).await;
        assert_eq!(got["results"], r1["results"]);
        assert_eq!(got["seed"], 7);
        assert_eq!(got["distribution"], "pert");
        for body in [json!({"iterations": 0}), json!({"iterations": 100_001})] {
            expect_error(pm.post(&format!("/api/v1/projects/{p}/monte-carlo"), body).await, 422, "invalid_value").await;
        }
        assert_eq!(
            pm.post(&format!("/api/v1/projects/{p}/monte-carlo"), json!({"distribution": "normal"})).await.status(),
            422
        );
        expect_error(sh.post(&format!("/api/v1/projects/{p}/monte-carlo"), json!({})).await, 403, "forbidden").await;
        let _ = c;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_follow_the_rag_thresholds() {
    on_each_database("status_reports_follow_the_rag_thresholds", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = project(&app, &pm, &ws, "ST", json!({})).await;
        // A: 10 days, 1000.00 of fixed cost. Half of it is planned by the
        // status date, set after the baseline.
        let a = task(&pm, &p, json!({"name": "A", "duration_minutes": 4800, "fixed_cost_minor": 100_000})).await;
        json_ok(pm.post(&format!("/api/v1/projects/{p}/baselines"), json!({})).await, 201).await;
        let v = json_ok(pm.get(&format!("/api/v1/projects/{p}")).await, 200).await["version"].clone();
        json_ok(pm.patch(&format!("/api/v1/projects/{p}"), json!({"status_date": "2027-01-08T17:00:00", "version": v})).await, 200).await;
        json_ok(patch_task(&pm, a["id"].as_str().unwrap(), json!({"percent_complete": 46})).await, 200).await;
        let draft = |pm: Api| {
            let p = p.clone();
            async move { json_ok(pm.post(&format!("/api/v1/projects/{p}/status-reports"), json!({"period": "2027-W01"})).await, 201).await }
        };
        // SPI 0.92 is amber (below 0.95, not below 0.90); CPI 1.0 green.
        let r = draft(pm.clone()).await;
        assert_eq!(r["status"], "draft");
        assert!((r["facts"]["spi"].as_f64().unwrap() - 0.92).abs() < 1e-9, "{r}");
        assert_eq!(r["facts"]["cpi"], 1.0);
        assert_eq!(r["rag"], json!({"schedule": "amber", "budget": "green", "scope": "green", "quality": "green",
                                    "risk": "green", "overall": "amber"}));
        assert!(r["summary"].as_str().unwrap().contains("SPI 0.92"));
        // Work added after the baseline (25 % more), a risk scoring 16, an
        // open critical defect and a target before the forecast finish.
        task(&pm, &p, json!({"name": "B", "duration_minutes": 1200})).await;
        json_ok(pm.post(&format!("/api/v1/projects/{p}/risks"), json!({"title": "R", "probability": 4, "impact": 4})).await, 201).await;
        json_ok(pm.post(&format!("/api/v1/projects/{p}/defects"), json!({"title": "D", "severity": "critical"})).await, 201).await;
        let r = draft(pm.clone()).await;
        assert_eq!(r["facts"]["scope_creep"], 0.25);
        assert_eq!(r["facts"]["worst_open_risk"], 16);
        assert_eq!(r["rag"], json!({"schedule": "amber", "budget": "green", "scope": "red", "quality": "red",
                                    "risk": "amber", "overall": "red"}));
        let v = json_ok(pm.get(&format!("/api/v1/projects/{p}")).await, 200).await["version"].clone();
        json_ok(pm.patch(&format!("/api/v1/projects/{p}"), json!({"target_finish": "2027-01-15T17:00:00", "version": v})).await, 200).await;
        // Thresholds per project: risks turn amber only from 17.
        let th = json_ok(pm.get(&format!("/api/v1/projects/{p}/rag-thresholds")).await, 200).await;
        assert_eq!(th, json!({"index_amber": 0.95, "index_red": 0.9, "creep_amber": 0.1, "creep_red": 0.2,
                              "risk_amber": 15, "risk_red": 20}));
        let v = json_ok(pm.get(&format!("/api/v1/projects/{p}")).await, 200).await["version"].as_i64().unwrap();
        let mut put = th.clone();
        put["risk_amber"] = json!(17);
        put["version"] = json!(v);
        json_ok(pm.request(reqwest::Method::PUT, &format!("/api/v1/projects/{p}/rag-thresholds")).json(&put).send().await.unwrap(), 200).await;
        let mut bad = put.clone();
        bad["version"] = json!(v + 1);
        bad["index_red"] = json!(0.99);
        let r = pm.request(reqwest::Method::PUT, &format!("/api/v1/projects/{p}/rag-thresholds")).json(&bad).send().await.unwrap();
        expect_error(r, 422, "invalid_value").await;
        let r = draft(pm.clone()).await;
        assert_eq!(r["facts"]["forecast_after_target"], true);
        assert_eq!(r["rag"]["schedule"], "red");
        assert_eq!(r["rag"]["risk"], "green");

        // The manager edits and publishes; then it no longer changes.
        let id = r["id"].as_str().unwrap();
        let dev = app.login_as(Role::Contributor).await;
        expect_error(dev.patch(&format!("/api/v1/status-reports/{id}"), json!({"summary": "x", "version": 1})).await, 403, "forbidden").await;
        let e = json_ok(
            pm.patch(&format!("/api/v1/status-reports/{id}"),
                json!({"summary": "Vendor **late**; <script>x</script>", "rag": {"quality": "amber", "scope": "amber", "schedule": "amber"}, "version": 1}))
                .await,
            200,
        )
        .await;
        assert_eq!(e["rag"]["overall"], "amber");
        assert!(e["summary_html"].as_str().unwrap().contains("<strong>late</strong>"));
        assert!(!e["summary_html"].as_str().unwrap().contains("<script"));
        let pubd = json_ok(pm.post(&format!("/api/v1/status-reports/{id}/publish"), json!({"version": 2})).await, 200).await;
        assert_eq!(pubd["status"], "published");
        assert!(pubd["published_at"].is_string());
        expect_error(pm.patch(&format!("/api/v1/status-reports/{id}"), json!({"summary": "y", "version": 3})).await, 409, "conflict").await;
        let list = json_ok(dev.get(&format!("/api/v1/projects/{p}/status-reports")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 3);
        assert_eq!(list["items"][0]["status"], "published");
    })
    .await;
}
