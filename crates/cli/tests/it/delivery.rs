//! Effort and cost on a small known plan: resources and assignments,
//! weekly utilisation, levelling, time entries with the timesheet and
//! reports, baselines with variance, earned value worked by hand, the
//! project calendar and scheduling after a status date.

use reqwest::Method;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, TestApp, expect_error, json_ok, on_each_database};

/// A project starting Monday 2027-01-04 with tasks A and B (5 days each,
/// both on Ana) and C (2 days after A, Bo at half time, fixed cost 100.00).
struct Known {
    ws: String,
    project: String,
    ana: String,
    bo: String,
    tasks: Vec<String>,
}

async fn known_plan(app: &TestApp) -> (Api, Known) {
    let ws = app.seed_demo().await;
    let pm = app.login_as(Role::ProjectManager).await;
    let dev = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id.to_string();
    let p = json_ok(
        pm.post(
            &format!("/api/v1/workspaces/{ws}/projects"),
            json!({"name": "Known", "key": "KN", "start": "2027-01-04"}),
        )
        .await,
        201,
    )
    .await;
    let project = p["id"].as_str().unwrap().to_owned();
    let res = |name: &str, rate: i64, user: Option<&str>| json!({"name": name, "rate_minor": rate, "user_id": user});
    let ana =
        json_ok(pm.post(&format!("/api/v1/workspaces/{ws}/resources"), res("Ana Test", 6000, Some(&dev))).await, 201)
            .await;
    assert_eq!(ana["type"], "work");
    assert_eq!(ana["max_units"], 100);
    let bo =
        json_ok(pm.post(&format!("/api/v1/workspaces/{ws}/resources"), res("Bo Test", 3000, None)).await, 201).await;
    let (ana, bo) = (ana["id"].as_str().unwrap().to_owned(), bo["id"].as_str().unwrap().to_owned());
    let mut tasks = Vec::new();
    for body in [
        json!({"name": "A", "duration_minutes": 2400, "assignments": [{"resource_id": ana, "units": 100}]}),
        json!({"name": "B", "duration_minutes": 2400, "assignments": [{"resource_id": ana}]}),
        json!({"name": "C", "duration_minutes": 960, "fixed_cost_minor": 10_000,
               "assignments": [{"resource_id": bo, "units": 50}]}),
    ] {
        let t = json_ok(pm.post(&format!("/api/v1/projects/{project}/tasks"), body).await, 201).await;
        tasks.push(t["id"].as_str().unwrap().to_owned());
    }
    json_ok(
        pm.post(
            &format!("/api/v1/projects/{project}/dependencies"),
            json!({"predecessor_id": tasks[0], "successor_id": tasks[2]}),
        )
        .await,
        201,
    )
    .await;
    (pm, Known { ws, project, ana, bo, tasks })
}

fn row<'a>(schedule: &'a Value, id: &str) -> &'a Value {
    schedule["tasks"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_utilisation_and_levelling() {
    on_each_database("resources_utilisation_and_levelling", |app| async move {
        let (pm, k) = known_plan(&app).await;
        let t = json_ok(pm.get(&format!("/api/v1/tasks/{}", k.tasks[2])).await, 200).await;
        assert_eq!(t["assignments"], json!([{"resource_id": k.bo, "units": 50}]));
        assert_eq!(t["work_minutes"], 480);

        // Week 1: Ana has A and B at once (4800 of 2400 minutes); Bo works
        // half of C's two days in week 2.
        let u = json_ok(pm.get(&format!("/api/v1/projects/{}/utilization", k.project)).await, 200).await;
        assert_eq!(u["weeks"], json!(["2027-01-04", "2027-01-11"]));
        let by = |name: &str| u["resources"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap().clone();
        let ana = by("Ana Test");
        assert_eq!(ana["weeks"][0]["assigned_minutes"], 4800);
        assert_eq!(ana["weeks"][0]["available_minutes"], 2400);
        assert_eq!(ana["weeks"][0]["utilisation"], 2.0);
        assert_eq!(ana["weeks"][0]["over_allocated"], true);
        assert_eq!(ana["over_allocated"], true);
        let bo = by("Bo Test");
        assert_eq!(bo["weeks"][0]["assigned_minutes"], 0);
        assert_eq!(bo["weeks"][1]["assigned_minutes"], 480);
        assert_eq!(bo["weeks"][1]["utilisation"], 0.2);
        assert_eq!(bo["over_allocated"], false);
        expect_error(
            pm.get(&format!("/api/v1/projects/{}/utilization?weeks=0", k.project)).await,
            400,
            "invalid_query",
        )
        .await;

        // Levelling is explicit: B (with slack) waits for A; C keeps its place.
        let l = json_ok(pm.post(&format!("/api/v1/projects/{}/level", k.project), json!({})).await, 200).await;
        assert_eq!(l["moved"].as_array().unwrap().len(), 1, "{l}");
        assert_eq!(l["moved"][0]["task_id"], k.tasks[1].as_str());
        assert_eq!(l["moved"][0]["delay_minutes"], 2400);
        assert_eq!(l["moved"][0]["start_before"], "2027-01-04T08:00:00");
        assert_eq!(l["moved"][0]["start_after"], "2027-01-11T08:00:00");
        assert_eq!(l["finish_before"], "2027-01-12T17:00:00");
        assert_eq!(l["finish_after"], "2027-01-15T17:00:00");
        assert_eq!(l["unresolved"], json!([]));
        let s = json_ok(pm.get(&format!("/api/v1/projects/{}/schedule", k.project)).await, 200).await;
        assert_eq!(row(&s, &k.tasks[1])["start"], "2027-01-11T08:00:00");
        let u = json_ok(pm.get(&format!("/api/v1/projects/{}/utilization", k.project)).await, 200).await;
        assert!(u["resources"].as_array().unwrap().iter().all(|r| r["over_allocated"] == false), "{u}");
        // Clearing puts B back.
        let l =
            json_ok(pm.post(&format!("/api/v1/projects/{}/level", k.project), json!({"clear": true})).await, 200).await;
        assert_eq!(l["moved"], json!([]));
        let s = json_ok(pm.get(&format!("/api/v1/projects/{}/schedule", k.project)).await, 200).await;
        assert_eq!(row(&s, &k.tasks[1])["start"], "2027-01-04T08:00:00");

        // Only admins and project managers manage resources; a resource
        // named twice, bad units and unknown resources are refused.
        for role in [Role::ProductManager, Role::Contributor, Role::Stakeholder] {
            let api = app.login_as(role).await;
            json_ok(api.get(&format!("/api/v1/workspaces/{}/resources", k.ws)).await, 200).await;
            let r = api.post(&format!("/api/v1/workspaces/{}/resources", k.ws), json!({"name": "Mine"})).await;
            expect_error(r, 403, "forbidden").await;
            let r = api.post(&format!("/api/v1/projects/{}/level", k.project), json!({})).await;
            expect_error(r, 403, "forbidden").await;
        }
        let dup = pm.post(&format!("/api/v1/workspaces/{}/resources", k.ws), json!({"name": "Ana Test"})).await;
        expect_error(dup, 409, "conflict").await;
        let bad =
            pm.post(&format!("/api/v1/workspaces/{}/resources", k.ws), json!({"name": "X", "max_units": -5})).await;
        expect_error(bad, 422, "invalid_value").await;
        let v = json_ok(pm.get(&format!("/api/v1/tasks/{}", k.tasks[0])).await, 200).await["version"].clone();
        for a in [
            json!([{"resource_id": k.ana, "units": 0}]),
            json!([{"resource_id": "999999"}]),
            json!([{"resource_id": k.ana}, {"resource_id": k.ana}]),
        ] {
            let r = pm.patch(&format!("/api/v1/tasks/{}", k.tasks[0]), json!({"assignments": a, "version": v})).await;
            expect_error(r, 422, "invalid_value").await;
        }
        let r = json_ok(
            pm.patch(&format!("/api/v1/resources/{}", k.bo), json!({"max_units": 50, "version": 1})).await,
            200,
        )
        .await;
        assert_eq!(r["max_units"], 50);
        expect_error(
            pm.patch(&format!("/api/v1/resources/{}", k.bo), json!({"max_units": 60, "version": 1})).await,
            412,
            "version_mismatch",
        )
        .await;
        // C needs half of Bo; with 40 % of Bo it can never fit: levelling
        // leaves it in place and says so, and still levels the rest.
        json_ok(pm.patch(&format!("/api/v1/resources/{}", k.bo), json!({"max_units": 40, "version": 2})).await, 200)
            .await;
        let l = json_ok(pm.post(&format!("/api/v1/projects/{}/level", k.project), json!({})).await, 200).await;
        assert_eq!(l["unresolved"].as_array().unwrap().len(), 1, "{l}");
        assert_eq!(l["unresolved"][0]["task_id"], k.tasks[2].as_str());
        assert!(l["unresolved"][0]["key"].is_string());
        assert_eq!(l["moved"].as_array().unwrap().len(), 1, "{l}");
        assert_eq!(l["moved"][0]["task_id"], k.tasks[1].as_str());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_baselines_and_earned_value() {
    on_each_database("time_baselines_and_earned_value", |app| async move {
        let (pm, k) = known_plan(&app).await;
        let p = format!("/api/v1/projects/{}", k.project);
        // EVM needs a baseline.
        expect_error(pm.get(&format!("{p}/evm")).await, 409, "conflict").await;
        let b = json_ok(pm.post(&format!("{p}/baselines"), json!({})).await, 201).await;
        assert_eq!(b["number"], 0);
        assert_eq!(b["name"], "Baseline");
        assert_eq!(b["tasks"], 3);
        let b1 = json_ok(pm.post(&format!("{p}/baselines"), json!({"name": "Replan"})).await, 201).await;
        assert_eq!(b1["number"], 1);
        expect_error(pm.post(&format!("{p}/baselines"), json!({"number": 11})).await, 422, "invalid_value").await;

        // Progress: A half done, B 40 %; actual starts come from the schedule.
        for (i, pct) in [(0, 50), (1, 40)] {
            let t = json_ok(pm.get(&format!("/api/v1/tasks/{}", k.tasks[i])).await, 200).await;
            let t = json_ok(
                pm.patch(&format!("/api/v1/tasks/{}", k.tasks[i]), json!({"percent_complete": pct, "version": t["version"]}))
                    .await,
                200,
            )
            .await;
            assert_eq!(t["actual_start"], "2027-01-04T08:00:00");
        }

        // Ana (the contributor) logs her own time; others' resources and
        // stakeholders are refused.
        let dev = app.login_as(Role::Contributor).await;
        let log = |task: &str, date: &str, minutes: i64| {
            json!({"task_id": task, "resource_id": k.ana, "date": date, "minutes": minutes})
        };
        for (task, date) in [(0, "2027-01-04"), (0, "2027-01-05"), (1, "2027-01-06"), (1, "2027-01-07")] {
            let e = json_ok(dev.post(&format!("{p}/time-entries"), log(&k.tasks[task], date, 480)).await, 201).await;
            assert_eq!(e["cost_minor"], 48_000);
        }
        let other = json!({"task_id": k.tasks[2], "resource_id": k.bo, "date": "2027-01-06", "minutes": 60});
        expect_error(dev.post(&format!("{p}/time-entries"), other.clone()).await, 403, "forbidden").await;
        let sh = app.login_as(Role::Stakeholder).await;
        expect_error(sh.post(&format!("{p}/time-entries"), log(&k.tasks[0], "2027-01-04", 60)).await, 403, "forbidden")
            .await;
        for (body, field) in [
            (log(&k.tasks[0], "2027-01-04", 0), "minutes"),
            (log(&k.tasks[0], "2027-01-04", 1441), "minutes"),
            (json!({"task_id": "999999", "date": "2027-01-04", "minutes": 60}), "task_id"),
        ] {
            let err = expect_error(dev.post(&format!("{p}/time-entries"), body).await, 422, "invalid_value").await;
            assert_eq!(err["error"]["details"]["field"], field);
        }
        // A day holds 24 hours for one person, over all their entries; a
        // correction that would overfill it is refused too.
        let day = |m: i64| log(&k.tasks[1], "2027-01-09", m);
        let first = json_ok(dev.post(&format!("{p}/time-entries"), day(900)).await, 201).await;
        let err = expect_error(dev.post(&format!("{p}/time-entries"), day(600)).await, 422, "invalid_value").await;
        assert_eq!(err["error"]["details"]["field"], "minutes");
        assert_eq!(err["error"]["message"], "15 h already logged that day; a day holds 24 h, so at most 9 h more");
        let second = json_ok(dev.post(&format!("{p}/time-entries"), day(540)).await, 201).await;
        let sid = second["id"].as_str().unwrap();
        let err = dev.patch(&format!("/api/v1/time-entries/{sid}"), json!({"minutes": 541, "version": 1})).await;
        expect_error(err, 422, "invalid_value").await;
        for e in [&first, &second] {
            assert_eq!(dev.delete(&format!("/api/v1/time-entries/{}", e["id"].as_str().unwrap())).await.status(), 204);
        }
        // The manager logs for Bo (60 minutes, then corrected to 120).
        let bo_entry = json_ok(pm.post(&format!("{p}/time-entries"), other).await, 201).await;
        assert_eq!(bo_entry["cost_minor"], 3000);
        let id = bo_entry["id"].as_str().unwrap();
        expect_error(dev.patch(&format!("/api/v1/time-entries/{id}"), json!({"minutes": 1, "version": 1})).await, 403, "forbidden")
            .await;
        let fixed = json_ok(pm.patch(&format!("/api/v1/time-entries/{id}"), json!({"minutes": 120, "version": 1})).await, 200)
            .await;
        assert_eq!(fixed["cost_minor"], 6000);
        expect_error(pm.patch(&format!("/api/v1/time-entries/{id}"), json!({"minutes": 90, "version": 1})).await, 412, "version_mismatch")
            .await;
        assert_eq!(pm.delete(&format!("/api/v1/time-entries/{id}")).await.status(), 204);

        // Her timesheet for the week, and reports.
        let ts = json_ok(dev.get(&format!("/api/v1/workspaces/{}/timesheet?week=2027-01-06", k.ws)).await, 200).await;
        assert_eq!(ts["days"][0], "2027-01-04");
        assert_eq!(ts["days"][6], "2027-01-10");
        assert_eq!(ts["rows"].as_array().unwrap().len(), 2);
        assert_eq!((ts["rows"][0]["task_key"].as_str(), ts["rows"][0]["task_name"].is_string()), (Some("KN-1"), true));
        assert_eq!(ts["entries"].as_array().unwrap().len(), 4, "{ts}");
        assert_eq!(ts["entries"][0]["date"], "2027-01-04");
        assert_eq!(ts["rows"][0]["minutes"], json!([480, 480, 0, 0, 0, 0, 0]));
        assert_eq!(ts["rows"][1]["minutes"], json!([0, 0, 480, 480, 0, 0, 0]));
        assert_eq!(ts["totals"], json!([480, 480, 480, 480, 0, 0, 0]));
        assert_eq!(ts["total_minutes"], 1920);
        let pm_id = app.state.store.user_by_email("pm@demo.example").await.unwrap().unwrap().id.to_string();
        let r = dev.get(&format!("/api/v1/workspaces/{}/timesheet?user_id={pm_id}", k.ws)).await;
        expect_error(r, 403, "forbidden").await;
        let by_task = json_ok(pm.get(&format!("{p}/time-report?group=task")).await, 200).await;
        assert_eq!(by_task["rows"][0]["label"], "KN-1");
        assert_eq!(by_task["rows"][0]["minutes"], 960);
        assert_eq!(by_task["rows"][0]["cost_minor"], 96_000);
        assert_eq!(by_task["total_cost_minor"], 192_000);
        let by_person = json_ok(pm.get(&format!("{p}/time-report?from=2027-01-05&to=2027-01-06")).await, 200).await;
        assert_eq!(by_person["rows"], json!([{"id": by_person["rows"][0]["id"], "label": "dev@demo.example",
            "minutes": 960, "cost_minor": 96_000, "entries": 2}]));
        let by_project = json_ok(pm.get(&format!("/api/v1/workspaces/{}/time-report?group=project", k.ws)).await, 200).await;
        assert!(by_project["rows"].as_array().unwrap().iter().any(|r| r["label"] == "KN" && r["minutes"] == 1920));
        expect_error(pm.get(&format!("{p}/time-report?group=colour")).await, 400, "invalid_query").await;
        let rep = pm.get(&format!("{p}/time-report.csv?group=task")).await;
        assert_eq!(rep.status(), 200);
        let rep = rep.text().await.unwrap();
        assert!(rep.starts_with("task,minutes,hours,cost_minor,entries\n"), "{rep}");
        assert!(rep.contains("KN-1,960,16.00,96000,2"), "{rep}");
        let by_project = pm.get(&format!("/api/v1/workspaces/{}/time-report.csv?group=project", k.ws)).await.text().await.unwrap();
        assert!(by_project.contains("\nKN,1920,32.00,192000,4"), "{by_project}");
        let csv = pm.get(&format!("{p}/time-entries.csv")).await;
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("date,task,person,minutes,hours,cost_minor,currency,note"), "{text}");
        assert!(text.contains("2027-01-04,KN-1,dev@demo.example,480,8.00,48000,EUR,"), "{text}");

        // EVM at Wednesday evening, worked by hand: baseline costs A 2400.00,
        // B 2400.00, C 340.00 (8 h of Bo at 30.00 + 100.00 fixed); BAC 5140.00.
        // PV = 60 % of A and B = 2880.00; EV = 50 % of A + 40 % of B = 2160.00;
        // AC = time to date = 1440.00 (Thursday's entry is after the status date).
        let e = json_ok(pm.get(&format!("{p}/evm?status_date=2027-01-06T17:00:00")).await, 200).await;
        assert_eq!(e["status_date"], "2027-01-06T17:00:00");
        assert_eq!(e["baseline"], 0);
        assert_eq!(e["bac"], 514_000);
        assert_eq!(e["pv"], 288_000);
        assert_eq!(e["ev"], 216_000);
        assert_eq!(e["ac"], 144_000);
        assert_eq!(e["cv"], 72_000);
        assert_eq!(e["sv"], -72_000);
        assert_eq!(e["cpi"], 1.5);
        assert_eq!(e["spi"], 0.75);
        assert_eq!(e["eac"], 342_667);
        assert_eq!(e["etc"], 198_667);
        assert_eq!(e["vac"], 171_333);
        assert!((e["tcpi"].as_f64().unwrap() - 298_000.0 / 370_000.0).abs() < 1e-9);
        let curve = e["curve"].as_array().unwrap();
        assert!(curve.iter().any(|pt| pt["date"] == "2027-01-06" && pt["ev"] == 216_000 && pt["pv"] == 288_000), "{e}");
        assert_eq!(curve.last().unwrap()["pv"], 514_000);
        assert_eq!(e["baseline_cost"], 514_000);
        // An approved project budget is the BAC; the baseline's tasks still
        // cost what they cost.
        let v = json_ok(pm.get(&p).await, 200).await["version"].clone();
        json_ok(pm.patch(&p, json!({"budget_minor": 600_000, "version": v})).await, 200).await;
        let e = json_ok(pm.get(&format!("{p}/evm?status_date=2027-01-06T17:00:00")).await, 200).await;
        assert_eq!(e["bac"], 600_000);
        assert_eq!(e["baseline_cost"], 514_000);
        assert_eq!(e["eac"], 400_000);

        // Variance against the baseline after C grows by a day.
        let c = json_ok(pm.get(&format!("/api/v1/tasks/{}", k.tasks[2])).await, 200).await;
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", k.tasks[2]), json!({"duration_minutes": 1440, "version": c["version"]})).await, 200)
            .await;
        let var = json_ok(pm.get(&format!("{p}/baselines/0")).await, 200).await;
        let c = var["tasks"].as_array().unwrap().iter().find(|t| t["task_id"] == k.tasks[2].as_str()).unwrap();
        assert_eq!(c["baseline_finish"], "2027-01-12T17:00:00");
        assert_eq!(c["finish"], "2027-01-13T17:00:00");
        assert_eq!(c["finish_variance_minutes"], 480);
        assert_eq!(c["start_variance_minutes"], 0);
        assert_eq!(c["duration_variance_minutes"], 480);
        assert_eq!(c["cost_variance_minor"], 12_000);
        let list = json_ok(pm.get(&format!("{p}/baselines")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        expect_error(dev.delete(&format!("{p}/baselines/1")).await, 403, "forbidden").await;
        assert_eq!(pm.delete(&format!("{p}/baselines/1")).await.status(), 204);
        expect_error(pm.delete(&format!("{p}/baselines/1")).await, 404, "not_found").await;
        expect_error(pm.get(&format!("{p}/baselines/5")).await, 404, "not_found").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_and_status_date() {
    on_each_database("calendar_and_status_date", |app| async move {
        let (pm, k) = known_plan(&app).await;
        let p = format!("/api/v1/projects/{}", k.project);
        let cal = json_ok(pm.get(&format!("{p}/calendar")).await, 200).await;
        assert_eq!(cal["week"]["monday"], json!(["08:00-12:00", "13:00-17:00"]));
        assert_eq!(cal["week"]["sunday"], json!([]));
        // A holiday on Tuesday 5 January pushes A (and C after it) a day.
        let mut put = cal.clone();
        put["exceptions"] = json!([{"name": "Holiday", "from": "2027-01-05", "to": "2027-01-05"}]);
        let v = json_ok(pm.get(&p).await, 200).await["version"].as_i64().unwrap();
        put["version"] = json!(v);
        let r = pm.request(Method::PUT, &format!("{p}/calendar")).json(&put).send().await.unwrap();
        json_ok(r, 200).await;
        let s = json_ok(pm.get(&format!("{p}/schedule")).await, 200).await;
        assert_eq!(row(&s, &k.tasks[0])["finish"], "2027-01-11T17:00:00");
        assert_eq!(row(&s, &k.tasks[2])["finish"], "2027-01-13T17:00:00");
        // A stale version, bad hours and unknown fields change nothing.
        let r = pm.request(Method::PUT, &format!("{p}/calendar")).json(&put).send().await.unwrap();
        expect_error(r, 412, "version_mismatch").await;
        let mut bad = put.clone();
        bad["version"] = json!(v + 1);
        bad["week"]["monday"] = json!(["08:00-25:00"]);
        let r = pm.request(Method::PUT, &format!("{p}/calendar")).json(&bad).send().await.unwrap();
        assert_eq!(r.status(), 422);
        bad["week"]["monday"] = json!(["13:00-17:00", "08:00-12:00"]);
        let r = pm.request(Method::PUT, &format!("{p}/calendar")).json(&bad).send().await.unwrap();
        expect_error(r, 422, "invalid_value").await;
        let mut no_work = put.clone();
        no_work["version"] = json!(v + 1);
        for d in ["monday", "tuesday", "wednesday", "thursday", "friday"] {
            no_work["week"][d] = json!([]);
        }
        let r = pm.request(Method::PUT, &format!("{p}/calendar")).json(&no_work).send().await.unwrap();
        expect_error(r, 422, "invalid_value").await;
        let dev = app.login_as(Role::Contributor).await;
        let r = dev.request(Method::PUT, &format!("{p}/calendar")).json(&put).send().await.unwrap();
        expect_error(r, 403, "forbidden").await;
        let s2 = json_ok(pm.get(&format!("{p}/schedule")).await, 200).await;
        assert_eq!(s2["tasks"], s["tasks"]);

        // With a status date, the work left on a started task is scheduled
        // after it: A started on time, is 20 % done on Friday evening, so
        // its remaining 4 days run from Monday 11th (the holiday is behind).
        let a = json_ok(pm.get(&format!("/api/v1/tasks/{}", k.tasks[0])).await, 200).await;
        json_ok(
            pm.patch(
                &format!("/api/v1/tasks/{}", k.tasks[0]),
                json!({"percent_complete": 20, "version": a["version"]}),
            )
            .await,
            200,
        )
        .await;
        let s = json_ok(pm.get(&format!("{p}/schedule?status_date=2027-01-08T17:00:00")).await, 200).await;
        assert_eq!(row(&s, &k.tasks[0])["start"], "2027-01-04T08:00:00");
        assert_eq!(row(&s, &k.tasks[0])["finish"], "2027-01-14T17:00:00");
        // B has not started: it waits for the status date too.
        assert_eq!(row(&s, &k.tasks[1])["start"], "2027-01-11T08:00:00");
        expect_error(pm.get(&format!("{p}/schedule?status_date=soon")).await, 400, "invalid_query").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_calendars_decide_when_their_tasks_are_worked() {
    on_each_database("resource_calendars_decide_when_their_tasks_are_worked", |app| async move {
        let (pm, k) = known_plan(&app).await;
        let p = format!("/api/v1/projects/{}", k.project);
        // Bo works Monday to Wednesday only.
        let day = json!(["08:00-12:00", "13:00-17:00"]);
        let cal = json!({"week": {"monday": day, "tuesday": day, "wednesday": day, "thursday": [], "friday": [],
            "saturday": [], "sunday": []}});
        let bad = pm
            .patch(
                &format!("/api/v1/resources/{}", k.bo),
                json!({"calendar": {"week": {"monday": ["9-5"]}}, "version": 1}),
            )
            .await;
        assert_eq!(bad.status(), 422);
        json_ok(pm.patch(&format!("/api/v1/resources/{}", k.bo), json!({"calendar": cal, "version": 1})).await, 200)
            .await;
        // C (2 days at half time, after A ends on Friday 8th) runs Monday 11th and Tuesday 12th either way;
        // make it 4 days: Mon, Tue, Wed, then Mon 18th.
        let c = json_ok(pm.get(&format!("/api/v1/tasks/{}", k.tasks[2])).await, 200).await;
        json_ok(
            pm.patch(
                &format!("/api/v1/tasks/{}", k.tasks[2]),
                json!({"duration_minutes": 1920, "version": c["version"]}),
            )
            .await,
            200,
        )
        .await;
        let s = json_ok(pm.get(&format!("{p}/schedule")).await, 200).await;
        let row = s["tasks"].as_array().unwrap().iter().find(|t| t["id"] == k.tasks[2].as_str()).unwrap().clone();
        assert_eq!(row["start"], "2027-01-11T08:00:00");
        assert_eq!(row["finish"], "2027-01-18T17:00:00");
        let u = json_ok(pm.get(&format!("{p}/utilization?from=2027-01-11&weeks=1")).await, 200).await;
        let bo = u["resources"].as_array().unwrap().iter().find(|r| r["name"] == "Bo Test").unwrap().clone();
        assert_eq!(bo["weeks"][0]["available_minutes"], 1440);
        assert_eq!(bo["weeks"][0]["assigned_minutes"], 720);
        // Back on the project's calendar: Thursday 14th.
        json_ok(pm.patch(&format!("/api/v1/resources/{}", k.bo), json!({"calendar": null, "version": 2})).await, 200)
            .await;
        let s = json_ok(pm.get(&format!("{p}/schedule")).await, 200).await;
        let row = s["tasks"].as_array().unwrap().iter().find(|t| t["id"] == k.tasks[2].as_str()).unwrap().clone();
        assert_eq!(row["finish"], "2027-01-14T17:00:00");
    })
    .await;
}

/// A dashboard is kept per (plan revision, data revision, day): every
/// write to a figure it shows moves the data revision in the same
/// transaction, and a new day makes a new one, so no reader sees it stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_follows_every_write_to_its_figures() {
    on_each_database("the_dashboard_follows_every_write_to_its_figures", |app| async move {
        let day: jiff::Timestamp = "2027-01-08T09:00:00Z".parse().unwrap();
        app.clock.set(tandem_core::Millis(day.as_millisecond()));
        let (pm, k) = known_plan(&app).await;
        let p = format!("/api/v1/projects/{}", k.project);
        let dash = || async { json_ok(pm.get(&format!("/api/v1/dashboards/project/{}", k.project)).await, 200).await };
        let d = dash().await;
        assert_eq!((&d["evm"], &d["latest_report"]), (&Value::Null, &Value::Null), "{d}");
        assert_eq!(d["top_risks"], json!([]));
        assert_eq!(d["open_change_requests"], json!([]));

        json_ok(pm.post(&format!("{p}/baselines"), json!({})).await, 201).await;
        let d = dash().await;
        assert_eq!(d["evm"]["status_date"], "2027-01-08T17:00:00", "{d}");
        let ac = d["evm"]["ac"].as_i64().unwrap();

        let entry = json!({"task_id": k.tasks[0], "resource_id": k.bo, "date": "2027-01-05", "minutes": 60});
        json_ok(pm.post(&format!("{p}/time-entries"), entry).await, 201).await;
        assert_eq!(dash().await["evm"]["ac"], ac + 3000, "an hour of Bo's time is actual cost at once");

        let risk = json_ok(
            pm.post(&format!("{p}/risks"), json!({"title": "Late parts", "probability": 3, "impact": 4})).await,
            201,
        )
        .await;
        assert_eq!(dash().await["top_risks"][0]["id"], risk["id"]);
        json_ok(
            pm.patch(
                &format!("/api/v1/risks/{}", risk["id"].as_str().unwrap()),
                json!({"status": "closed", "version": risk["version"]}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(dash().await["top_risks"], json!([]), "a closed risk leaves the top risks");

        let report = json_ok(pm.post(&format!("{p}/status-reports"), json!({"period": "2027-W01"})).await, 201).await;
        assert_eq!(dash().await["latest_report"]["id"], report["id"]);

        let edits = json!([{"op": "update_task", "task_id": k.tasks[2], "fields": {"duration_minutes": 480}}]);
        let cr =
            json_ok(pm.post(&format!("{p}/change-requests"), json!({"title": "Shorter C", "edits": edits})).await, 201)
                .await;
        let id = cr["id"].as_str().unwrap();
        json_ok(pm.post(&format!("/api/v1/change-requests/{id}/submit"), json!({"version": cr["version"]})).await, 200)
            .await;
        assert_eq!(dash().await["open_change_requests"][0]["id"], cr["id"]);

        // Nothing written, but a new day: the status date moves with it.
        let next: jiff::Timestamp = "2027-01-11T09:00:00Z".parse().unwrap();
        app.clock.set(tandem_core::Millis(next.as_millisecond()));
        assert_eq!(dash().await["evm"]["status_date"], "2027-01-11T17:00:00");
    })
    .await;
}
