//! The decision-rights matrix: per workspace, edited by admins, validated
//! to keep one accountable role per decision, and read by every right
//! Tandem enforces for a decision kind.

use reqwest::Method;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{OUTSIDER, expect_error, json_ok, on_each_database, other_workspace};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_decides_who_decides() {
    on_each_database("the_matrix_decides_who_decides", |app| async move {
        let ws = app.seed_demo().await;
        let path = format!("/api/v1/workspaces/{ws}/decision-rights");
        let admin = app.login_as(Role::Admin).await;
        let m = json_ok(admin.get(&path).await, 200).await;
        assert_eq!(m["version"], 0);
        assert_eq!(m["rows"].as_array().unwrap().len(), 11);
        let row =
            |m: &Value, kind: &str| m["rows"].as_array().unwrap().iter().find(|r| r["kind"] == kind).unwrap().clone();
        assert_eq!(row(&m, "release_go_no_go")["accountable"], json!(["product_manager", "project_manager"]));
        assert_eq!(row(&m, "schedule")["accountable"], json!(["project_manager"]));
        for role in [Role::ProductManager, Role::ProjectManager, Role::Contributor, Role::Stakeholder] {
            let api = app.login_as(role).await;
            json_ok(api.get(&path).await, 200).await;
            let put =
                api.request(Method::PUT, &path).json(&json!({"rows": m["rows"], "version": 0})).send().await.unwrap();
            expect_error(put, 403, "forbidden").await;
        }
        let _ = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&path).await, 404, "not_found").await;

        // Every row keeps exactly one accountable role (two for go/no-go).
        let with = |kind: &str, field: &str, v: Value| {
            let mut rows = m["rows"].clone();
            for r in rows.as_array_mut().unwrap() {
                if r["kind"] == kind {
                    r[field] = v.clone();
                }
            }
            rows
        };
        let put = |rows: Value, version: i64| {
            let admin = admin.clone();
            let path = path.clone();
            async move {
                admin.request(Method::PUT, &path).json(&json!({"rows": rows, "version": version})).send().await.unwrap()
            }
        };
        for rows in [
            with("schedule", "accountable", json!(["project_manager", "admin"])),
            with("schedule", "accountable", json!([])),
            with("release_go_no_go", "accountable", json!(["product_manager"])),
            with("budget", "consulted", json!(["project_manager"])),
            json!(m["rows"].as_array().unwrap()[1..]),
        ] {
            expect_error(put(rows, 0).await, 422, "invalid_value").await;
        }
        assert_eq!(put(with("schedule", "accountable", json!(["boss"])), 0).await.status(), 422);
        let unchanged = json_ok(admin.get(&path).await, 200).await;
        assert_eq!(unchanged["version"], 0);

        // Before: the product's owner decides priorities; the manager edits the plan.
        let pdm = app.login_as(Role::ProductManager).await;
        let pm = app.login_as(Role::ProjectManager).await;
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let features = json_ok(pdm.get(&format!("/api/v1/products/{product}/features")).await, 200).await;
        let f = features["items"][0].clone();
        let fid = f["id"].as_str().unwrap().to_owned();
        let v = json_ok(
            pdm.patch(&format!("/api/v1/features/{fid}"), json!({"moscow": "should", "version": f["version"]})).await,
            200,
        )
        .await["version"]
            .clone();
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let project = projects["items"][0]["id"].as_str().unwrap().to_owned();
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{project}/tasks")).await, 200).await;
        let t = tasks["items"][1].clone();
        let tid = t["id"].as_str().unwrap().to_owned();
        let tv = json_ok(
            pm.patch(&format!("/api/v1/tasks/{tid}"), json!({"name": "Kick-off meeting", "version": t["version"]}))
                .await,
            200,
        )
        .await["version"]
            .clone();

        // The admin gives priorities to project managers and the schedule to product managers.
        let rows = with("feature_priority", "accountable", json!(["project_manager"]));
        let mut rows = rows;
        for r in rows.as_array_mut().unwrap() {
            if r["kind"] == "feature_priority" {
                r["consulted"] = json!(["product_manager"]);
            }
            if r["kind"] == "schedule" {
                r["accountable"] = json!(["product_manager"]);
                r["consulted"] = json!(["project_manager"]);
            }
        }
        let saved = json_ok(put(rows.clone(), 0).await, 200).await;
        assert_eq!(saved["version"], 1);
        expect_error(put(rows, 0).await, 412, "version_mismatch").await;
        let r = pdm.patch(&format!("/api/v1/features/{fid}"), json!({"moscow": "must", "version": v})).await;
        expect_error(r, 403, "forbidden").await;
        let r = pm.patch(&format!("/api/v1/tasks/{tid}"), json!({"name": "Kick-off", "version": tv})).await;
        expect_error(r, 403, "forbidden").await;
        // Admins still decide everything.
        json_ok(admin.patch(&format!("/api/v1/features/{fid}"), json!({"moscow": "must", "version": v})).await, 200)
            .await;
        // The projects page says who has the final say now.
        let html = pm.get(&format!("/w/{ws}/project")).await.text().await.unwrap();
        assert!(html.contains("<td>Schedule: dates, sequencing, milestones</td><td>Product manager</td>"), "{html}");
        let log = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/activity?limit=5")).await, 200).await;
        assert!(log["items"].as_array().unwrap().iter().any(|e| e["action"] == "decision_rights.updated"));

        // The grid page: the admin puts everything back by form.
        let mut form: Vec<(String, String)> = vec![("version".into(), "1".into())];
        for r in m["rows"].as_array().unwrap() {
            let kind = r["kind"].as_str().unwrap();
            for (letter, field) in [("a", "accountable"), ("c", "consulted"), ("i", "informed")] {
                for role in r[field].as_array().unwrap() {
                    form.push((format!("{kind}.{}", role.as_str().unwrap()), letter.into()));
                }
            }
        }
        let html = admin.get(&format!("/w/{ws}/settings/decision-rights")).await.text().await.unwrap();
        assert!(html.contains("name=\"schedule.product_manager\""), "{html}");
        let r =
            admin.request(Method::POST, &format!("/w/{ws}/settings/decision-rights")).form(&form).send().await.unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        let back = json_ok(admin.get(&path).await, 200).await;
        assert_eq!(back["rows"], m["rows"]);
        assert_eq!(back["version"], 2);
        json_ok(pm.patch(&format!("/api/v1/tasks/{tid}"), json!({"name": "Kick-off", "version": tv})).await, 200).await;
        // Others see the grid without controls.
        let html = pm.get(&format!("/w/{ws}/settings/decision-rights")).await.text().await.unwrap();
        assert!(!html.contains("<select"), "{html}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_go_no_go_needs_both_managers() {
    on_each_database("release_go_no_go_needs_both_managers", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, pm, admin) = (
            app.login_as(Role::ProductManager).await,
            app.login_as(Role::ProjectManager).await,
            app.login_as(Role::Admin).await,
        );
        let (dev, sh) = (app.login_as(Role::Contributor).await, app.login_as(Role::Stakeholder).await);
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let releases = json_ok(pdm.get(&format!("/api/v1/products/{product}/releases")).await, 200).await;
        let r = releases["items"][0]["id"].as_str().unwrap().to_owned();
        let url = format!("/api/v1/releases/{r}/go-no-go");
        let s = json_ok(sh.get(&url).await, 200).await;
        assert_eq!(s["outcome"], "pending");
        assert_eq!(s["required"], json!(["product_manager", "project_manager"]));
        let call = |o: &str| json!({"outcome": o, "rationale": format!("{o} after review")});
        expect_error(dev.post(&url, call("go")).await, 403, "forbidden").await;
        expect_error(sh.post(&url, call("go")).await, 403, "forbidden").await;
        expect_error(pdm.post(&url, json!({"outcome": "yes", "rationale": "x"})).await, 422, "invalid_value").await;
        assert_eq!(json_ok(pdm.post(&url, call("go")).await, 200).await["outcome"], "pending");
        // The admin is consulted: an opinion, which decides nothing.
        let s = json_ok(admin.post(&url, call("go")).await, 200).await;
        assert_eq!(s["outcome"], "pending");
        assert_eq!(s["calls"][1]["outcome"], "opinion");
        assert_eq!(json_ok(pm.post(&url, call("no_go")).await, 200).await["outcome"], "no_go");
        assert_eq!(json_ok(pm.post(&url, call("go")).await, 200).await["outcome"], "go");
        let log = json_ok(
            admin.get(&format!("/api/v1/workspaces/{ws}/decisions?kind=release_go_no_go&subject_id={r}")).await,
            200,
        )
        .await;
        assert_eq!(log["items"].as_array().unwrap().len(), 4);
        // A product manager who does not own the product is not one of the two.
        let other = pdm
            .post(
                &format!("/api/v1/workspaces/{ws}/members"),
                json!({"email": "pdm2@demo.example", "role": "product_manager", "password": "another pass 1"}),
            )
            .await;
        assert_eq!(other.status(), 403, "only admins add members");
        json_ok(
            admin
                .post(
                    &format!("/api/v1/workspaces/{ws}/members"),
                    json!({"email": "pdm2@demo.example", "role": "product_manager", "password": "another pass 1"}),
                )
                .await,
            201,
        )
        .await;
        let pdm2 = app.login("pdm2@demo.example", "another pass 1").await;
        expect_error(pdm2.post(&url, call("no_go")).await, 403, "forbidden").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_results_show_the_forecast_of_their_delivery_work() {
    on_each_database("key_results_show_the_forecast_of_their_delivery_work", |app| async move {
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let projects = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let tasks = json_ok(pdm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let schedule = json_ok(pdm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        let objectives = json_ok(pdm.get(&format!("/api/v1/products/{product}/objectives")).await, 200).await;
        let mut checked = 0;
        for o in objectives["items"].as_array().unwrap() {
            for k in o["key_results"].as_array().unwrap() {
                let bets = k["feature_ids"].as_array().unwrap();
                let mine: Vec<&Value> = tasks["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|t| bets.contains(&t["feature_id"]) && t["kind"] != "summary")
                    .collect();
                let d = &k["delivery"];
                assert_eq!(d["tasks"].as_u64().unwrap() as usize, mine.len(), "{k}");
                if mine.is_empty() {
                    assert!(d["forecast"].is_null());
                    continue;
                }
                let last = mine
                    .iter()
                    .map(|t| {
                        schedule["tasks"].as_array().unwrap().iter().find(|s| s["id"] == t["id"]).unwrap()["finish"]
                            .as_str()
                            .unwrap()[..10]
                            .to_owned()
                    })
                    .max()
                    .unwrap();
                assert_eq!(d["forecast"], last.as_str(), "{k}");
                let done: f64 = mine
                    .iter()
                    .map(|t| t["duration_minutes"].as_f64().unwrap() * t["percent_complete"].as_f64().unwrap())
                    .sum::<f64>()
                    / mine.iter().map(|t| t["duration_minutes"].as_f64().unwrap()).sum::<f64>()
                    / 100.0;
                assert!((d["percent_complete"].as_f64().unwrap() - done).abs() < 1e-9);
                assert_eq!(d["late"], json!(d["due"].as_str().is_some_and(|due| last.as_str() > due)));
                checked += 1;
            }
        }
        assert!(checked > 0, "the demo's key results have delivery work");
        let html = pdm.get(&format!("/products/{product}/okrs")).await.text().await.unwrap();
        assert!(html.contains("forecast to finish"), "{html}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_and_portfolio_dashboards() {
    on_each_database("product_and_portfolio_dashboards", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, sh, pm) = (
            app.login_as(Role::ProductManager).await,
            app.login_as(Role::Stakeholder).await,
            app.login_as(Role::ProjectManager).await,
        );
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = products["items"][0]["id"].as_str().unwrap().to_owned();
        let d = json_ok(sh.get(&format!("/api/v1/dashboards/product/{product}")).await, 200).await;
        assert_eq!(d["product_id"], product.as_str());
        assert_eq!(d["top_features"].as_array().unwrap().len(), 5);
        assert!(d["top_features"].as_array().unwrap().iter().all(|f| f["status"] != "shipped"));
        assert_eq!(d["feedback_weekly"].as_array().unwrap().len(), 8);
        let releases = json_ok(pdm.get(&format!("/api/v1/products/{product}/releases")).await, 200).await;
        assert_eq!(d["releases"], releases["items"]);
        assert!(d["objectives"][0]["key_results"][0]["delivery"].is_object());
        assert_eq!(d["both_hats"], json!([]));
        assert!(
            d["open_change_requests"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["title"] == "Bring loyalty points into 2027.1")
        );

        let pf = json_ok(sh.get(&format!("/api/v1/dashboards/portfolio/{ws}")).await, 200).await;
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        assert_eq!(pf["projects"].as_array().unwrap().len(), projects["items"].as_array().unwrap().len());
        let row = pf["projects"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap();
        let p = row["project_id"].as_str().unwrap();
        let dash = json_ok(pm.get(&format!("/api/v1/dashboards/project/{p}")).await, 200).await;
        assert_eq!(row["forecast_finish"], dash["forecast_finish"]);
        assert_eq!(row["target_finish"], dash["target_finish"]);
        assert_eq!(row["late"], dash["late"]);
        assert_eq!(row["spi"], dash["evm"]["spi"]);
        assert_eq!(row["open_change_requests"], dash["open_change_requests"].as_array().unwrap().len());
        // The RAG is the one a status report drafted now would carry.
        let draft = json_ok(pm.post(&format!("/api/v1/projects/{p}/status-reports"), json!({})).await, 201).await;
        assert_eq!(row["rag"], draft["rag"], "{row}");
        let n = |c: &str| pf[c].as_i64().unwrap();
        assert_eq!(n("red") + n("amber") + n("green"), pf["projects"].as_array().unwrap().len() as i64);
        let html = sh.get(&format!("/w/{ws}/portfolio")).await.text().await.unwrap();
        assert!(html.contains("Checkout 2027.1") && html.contains("<svg"), "{html}");
        other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/dashboards/portfolio/{ws}")).await, 404, "not_found").await;
        expect_error(outsider.get(&format!("/api/v1/dashboards/product/{product}")).await, 404, "not_found").await;
    })
    .await;
}
