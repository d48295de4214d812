//! The product side through the API: scoring on worked examples, backlog
//! order and tie-breaks, the feature workflow, feedback triage and demand,
//! releases and the roadmap, OKR progress, competitors and metrics, the
//! rights of every role, sanitised Markdown and safe CSV.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, OUTSIDER, TestApp, expect_error, json_ok, on_each_database, other_workspace};

/// A product owned by the demo product manager; its id.
async fn product(app: &TestApp, ws: &str) -> (Api, String) {
    let pdm = app.login_as(Role::ProductManager).await;
    let p = json_ok(
        pdm.post(
            &format!("/api/v1/workspaces/{ws}/products"),
            json!({"name": "Web shop", "key": "web", "vision": "Checkout in *one* minute"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(p["key"], "WEB");
    assert_eq!(p["default_framework"], "rice");
    assert_eq!(p["vision_html"], "<p>Checkout in <em>one</em> minute</p>\n");
    (pdm, p["id"].as_str().unwrap().to_owned())
}

async fn feature(api: &Api, product: &str, body: Value) -> Value {
    json_ok(api.post(&format!("/api/v1/products/{product}/features"), body).await, 201).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn rice(reach: f64, impact: f64, confidence: f64, effort: f64) -> Value {
    json!({"reach": reach, "impact": impact, "confidence": confidence, "effort": effort})
}

/// The titles of the backlog in the order `query` asks for.
async fn order(api: &Api, product: &str, query: &str) -> Vec<String> {
    let list = json_ok(api.get(&format!("/api/v1/products/{product}/features{query}")).await, 200).await;
    list["items"].as_array().unwrap().iter().map(|f| f["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoring_sorting_and_workflow() {
    on_each_database("scoring_sorting_and_workflow", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        // 2,000 × 2 × 80 % ÷ 4 = 800; 1,000 × 1 × 100 % ÷ 1.25 = 800; 300 × 0.25 × 50 % ÷ 0.5 = 75.
        let a = feature(&pdm, &p, json!({"title": "A one-click checkout", "rice": rice(2000.0, 2.0, 80.0, 4.0)})).await;
        let b = feature(&pdm, &p, json!({"title": "B saved carts", "rice": rice(1000.0, 1.0, 100.0, 1.25)})).await;
        let c = feature(&pdm, &p, json!({"title": "C gift wrap", "rice": rice(300.0, 0.25, 50.0, 0.5)})).await;
        let d = feature(&pdm, &p, json!({"title": "D dark mode", "rice": {"reach": 500, "impact": 1}})).await;
        assert_eq!(a["key"], "WEB-1");
        assert_eq!(d["key"], "WEB-4");
        assert_eq!(a["scores"]["rice"], 800.0);
        assert_eq!(b["scores"]["rice"], 800.0);
        assert_eq!(c["scores"]["rice"], 75.0);
        // Missing inputs: no score, never zero.
        assert_eq!(d["scores"]["rice"], Value::Null);
        assert_eq!(a["scores"]["ice"], Value::Null);
        assert_eq!(a["scores"]["demand"], 0.0);
        // Effort 0 is refused and stores nothing (no number is used up either).
        let zero = pdm
            .post(&format!("/api/v1/products/{p}/features"), json!({"title": "E", "rice": rice(10.0, 3.0, 100.0, 0.0)}))
            .await;
        let body = expect_error(zero, 422, "invalid_value").await;
        assert_eq!(body["error"]["details"]["field"], "rice.effort");
        let bad_impact =
            pdm.post(&format!("/api/v1/products/{p}/features"), json!({"title": "E", "rice": rice(1.0, 1.5, 1.0, 1.0)})).await;
        expect_error(bad_impact, 422, "invalid_value").await;
        let wsjf = pdm
            .post(
                &format!("/api/v1/products/{p}/features"),
                json!({"title": "E", "wsjf": {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 4}}),
            )
            .await;
        expect_error(wsjf, 422, "invalid_value").await;
        assert_eq!(order(&pdm, &p, "").await.len(), 4);

        // Ties on RICE go to the older feature; unscored last.
        assert_eq!(order(&pdm, &p, "?sort=rice").await, ["A one-click checkout", "B saved carts", "C gift wrap", "D dark mode"]);
        // Critical feedback from a large customer on B: demand 3 × (1 + log10(1 + 99,999)) = 18.
        let sh = app.login_as(Role::Stakeholder).await;
        let fb = json_ok(
            sh.post(
                &format!("/api/v1/products/{p}/feedback"),
                json!({"text": "We lose carts when the session ends", "customer": "Acme", "segment": "Enterprise",
                       "customer_value_minor": 9_999_900}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(fb["status"], "new");
        assert_eq!(fb["source"], "customer");
        let linked = json_ok(
            pdm.post(&format!("/api/v1/feedback/{}/links", id(&fb)), json!({"feature_id": id(&b), "importance": 3})).await,
            200,
        )
        .await;
        assert_eq!(linked["status"], "linked");
        assert_eq!(linked["links"][0]["feature_key"], "WEB-2");
        // The inbox filters by status, source and feature.
        let count = |q: String| {
            let (pdm, p) = (pdm.clone(), p.clone());
            async move {
                let list = json_ok(pdm.get(&format!("/api/v1/products/{p}/feedback{q}")).await, 200).await;
                list["items"].as_array().unwrap().len()
            }
        };
        assert_eq!(count("?status=linked".into()).await, 1);
        assert_eq!(count("?status=new".into()).await, 0);
        assert_eq!(count("?source=customer".into()).await, 1);
        assert_eq!(count("?source=survey".into()).await, 0);
        assert_eq!(count(format!("?feature_id={}", id(&b))).await, 1);
        assert_eq!(count(format!("?feature_id={}", id(&a))).await, 0);
        expect_error(pdm.get(&format!("/api/v1/products/{p}/feedback?status=maybe")).await, 400, "invalid_query").await;
        let b_now = json_ok(pdm.get(&format!("/api/v1/features/{}", id(&b))).await, 200).await;
        assert_eq!(b_now["scores"]["demand"], 18.0);
        assert_eq!(b_now["feedback_count"], 1);
        // Now the RICE tie is broken by demand.
        assert_eq!(order(&pdm, &p, "?sort=rice").await, ["B saved carts", "A one-click checkout", "C gift wrap", "D dark mode"]);
        assert_eq!(order(&pdm, &p, "?sort=demand").await, ["B saved carts", "A one-click checkout", "C gift wrap", "D dark mode"]);
        // Nobody has ICE inputs: all unscored, by demand then age.
        assert_eq!(order(&pdm, &p, "?sort=ice").await, ["B saved carts", "A one-click checkout", "C gift wrap", "D dark mode"]);
        expect_error(pdm.get(&format!("/api/v1/products/{p}/features?sort=price")).await, 400, "invalid_query").await;
        expect_error(pdm.get(&format!("/api/v1/products/{p}/features?sort=rice;drop")).await, 400, "invalid_query").await;
        expect_error(pdm.get(&format!("/api/v1/products/{p}/features?order=rice")).await, 400, "invalid_query").await;

        // MoSCoW sorts by category before anything else.
        let v = |f: &Value| f["version"].as_i64().unwrap();
        let c2 = json_ok(pdm.patch(&format!("/api/v1/features/{}", id(&c)), json!({"moscow": "must", "version": v(&c)})).await, 200)
            .await;
        json_ok(pdm.patch(&format!("/api/v1/features/{}", id(&a)), json!({"moscow": "should", "version": v(&a)})).await, 200)
            .await;
        assert_eq!(order(&pdm, &p, "?sort=moscow").await, ["C gift wrap", "A one-click checkout", "B saved carts", "D dark mode"]);
        // Pages follow the sorted order.
        let page1 = json_ok(pdm.get(&format!("/api/v1/products/{p}/features?sort=moscow&limit=3")).await, 200).await;
        assert_eq!(page1["items"].as_array().unwrap().len(), 3);
        let cursor = page1["next_cursor"].as_str().unwrap();
        let page2 =
            json_ok(pdm.get(&format!("/api/v1/products/{p}/features?sort=moscow&limit=3&cursor={cursor}")).await, 200).await;
        assert_eq!(page2["items"][0]["title"], "D dark mode");
        assert_eq!(page2["next_cursor"], Value::Null);

        // A stale version changes nothing.
        let stale = pdm.patch(&format!("/api/v1/features/{}", id(&c)), json!({"moscow": "wont", "version": v(&c)})).await;
        let body = expect_error(stale, 412, "version_mismatch").await;
        assert_eq!(body["error"]["details"]["current_version"], v(&c2));
        let c3 = json_ok(pdm.get(&format!("/api/v1/features/{}", id(&c))).await, 200).await;
        assert_eq!(c3["moscow"], "must");

        // The workflow: rejecting needs a reason; a rejected idea can only reopen.
        let dv = v(&d);
        let no_reason =
            pdm.patch(&format!("/api/v1/features/{}", id(&d)), json!({"status": "rejected", "version": dv})).await;
        assert_eq!(expect_error(no_reason, 422, "invalid_value").await["error"]["details"]["field"], "rejection_reason");
        let rejected = json_ok(
            pdm.patch(
                &format!("/api/v1/features/{}", id(&d)),
                json!({"status": "rejected", "rejection_reason": "Off strategy this year", "version": dv}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(rejected["rejection_reason"], "Off strategy this year");
        let ship = pdm
            .patch(&format!("/api/v1/features/{}", id(&d)), json!({"status": "shipped", "version": v(&rejected)}))
            .await;
        assert_eq!(expect_error(ship, 422, "invalid_value").await["error"]["details"]["field"], "status");
        let reopened =
            json_ok(pdm.patch(&format!("/api/v1/features/{}", id(&d)), json!({"status": "idea", "version": v(&rejected)})).await, 200)
                .await;
        assert_eq!(reopened["rejection_reason"], Value::Null);
        let shipped = json_ok(
            pdm.patch(&format!("/api/v1/features/{}", id(&d)), json!({"status": "shipped", "version": v(&reopened)})).await,
            200,
        )
        .await;
        assert!(shipped["shipped_on"].is_string(), "{shipped}");

        // MoSCoW ties go by demand then age; the manual order keeps the groups but follows the ranks.
        assert_eq!(order(&pdm, &p, "?sort=manual").await, ["C gift wrap", "A one-click checkout", "B saved carts", "D dark mode"]);
        // Drag and drop: D to the top of the manual order, then after C.
        let moved = json_ok(pdm.post(&format!("/api/v1/features/{}/move", id(&d)), json!({"after_id": null})).await, 200).await;
        assert_eq!(moved["rank"], 1);
        let moved =
            json_ok(pdm.post(&format!("/api/v1/features/{}/move", id(&d)), json!({"after_id": id(&c)})).await, 200).await;
        let ranks: Vec<(String, i64)> = json_ok(pdm.get(&format!("/api/v1/products/{p}/features?limit=10")).await, 200)
            .await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["key"].as_str().unwrap().to_owned(), f["rank"].as_i64().unwrap()))
            .collect();
        assert!(ranks.contains(&("WEB-4".into(), 4)), "{ranks:?}");
        assert_eq!(order(&pdm, &p, "?sort=manual").await, ["C gift wrap", "A one-click checkout", "B saved carts", "D dark mode"]);
        // Two "must"s: MoSCoW breaks their tie by demand, the manual order by rank.
        let bv = json_ok(pdm.get(&format!("/api/v1/features/{}", id(&b))).await, 200).await["version"].clone();
        json_ok(pdm.patch(&format!("/api/v1/features/{}", id(&b)), json!({"moscow": "must", "version": bv})).await, 200).await;
        json_ok(pdm.post(&format!("/api/v1/features/{}/move", id(&c)), json!({"after_id": null})).await, 200).await;
        assert_eq!(order(&pdm, &p, "?sort=moscow").await, ["B saved carts", "C gift wrap", "A one-click checkout", "D dark mode"]);
        assert_eq!(order(&pdm, &p, "?sort=manual").await, ["C gift wrap", "B saved carts", "A one-click checkout", "D dark mode"]);
        assert_eq!(moved["rank"], 4);
        expect_error(
            pdm.post(&format!("/api/v1/features/{}/move", id(&d)), json!({"after_id": id(&d)})).await,
            422,
            "invalid_value",
        )
        .await;

        // Each change is in the activity log with what changed.
        let log = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/activity?limit=200")).await, 200).await;
        let moscow = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "feature.updated" && e["after"]["moscow"] == "must")
            .expect("the MoSCoW change is logged");
        assert_eq!(moscow["before"]["moscow"], Value::Null);
        assert!(moscow["after"].get("title").is_none(), "only changed fields: {moscow}");
        // The entry names its subject as it is now, by key and title.
        let now = json_ok(pdm.get(&format!("/api/v1/features/{}", moscow["subject_id"].as_str().unwrap())).await, 200).await;
        assert_eq!(moscow["subject_label"], format!("{} {}", now["key"].as_str().unwrap(), now["title"].as_str().unwrap()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_on_product_endpoints() {
    on_each_database("every_role_on_product_endpoints", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let f = feature(&pdm, &p, json!({"title": "Guest checkout"})).await;
        let fb = json_ok(
            pdm.post(&format!("/api/v1/products/{p}/feedback"), json!({"text": "Let me pay as a guest"})).await,
            201,
        )
        .await;
        let rel = json_ok(pdm.post(&format!("/api/v1/products/{p}/releases"), json!({"name": "1.0"})).await, 201).await;
        let obj = json_ok(
            pdm.post(&format!("/api/v1/products/{p}/objectives"), json!({"title": "Grow", "period": "2026-Q3"})).await,
            201,
        )
        .await;
        let kr = json_ok(
            pdm.post(
                &format!("/api/v1/objectives/{}/key-results", id(&obj)),
                json!({"metric": "NPS", "baseline": 20, "target": 40}),
            )
            .await,
            201,
        )
        .await;
        let comp =
            json_ok(pdm.post(&format!("/api/v1/products/{p}/competitors"), json!({"name": "Rival"})).await, 201).await;
        let met = json_ok(
            pdm.post(&format!("/api/v1/products/{p}/metrics"), json!({"name": "NPS", "kind": "nps"})).await,
            201,
        )
        .await;
        json_ok(pdm.post(&format!("/api/v1/feedback/{}/links", id(&fb)), json!({"feature_id": id(&f)})).await, 200)
            .await;
        let (fid, fbid, rid, oid) = (id(&f), id(&fb), id(&rel), id(&obj));
        let (kid, cid, mid) = (id(&kr), id(&comp), id(&met));
        let reads = [
            format!("/api/v1/products/{p}"),
            format!("/api/v1/workspaces/{ws}/products"),
            format!("/api/v1/products/{p}/features"),
            format!("/api/v1/products/{p}/features.csv"),
            format!("/api/v1/features/{fid}"),
            format!("/api/v1/products/{p}/feedback"),
            format!("/api/v1/products/{p}/feedback.csv"),
            format!("/api/v1/feedback/{fbid}"),
            format!("/api/v1/feedback/{fbid}/links"),
            format!("/api/v1/products/{p}/releases"),
            format!("/api/v1/releases/{rid}"),
            format!("/api/v1/releases/{rid}/notes"),
            format!("/api/v1/products/{p}/roadmap"),
            format!("/api/v1/products/{p}/objectives"),
            format!("/api/v1/objectives/{oid}"),
            format!("/api/v1/products/{p}/competitors"),
            format!("/api/v1/products/{p}/metrics"),
            format!("/api/v1/objectives/{oid}/key-results"),
            format!("/api/v1/key-results/{kid}"),
            format!("/api/v1/competitors/{cid}"),
            format!("/api/v1/metrics/{mid}"),
        ];
        for role in [Role::ProjectManager, Role::Contributor, Role::Stakeholder] {
            let api = app.login_as(role).await;
            for path in &reads {
                let r = api.get(path).await;
                assert_eq!(r.status(), 200, "{role:?} GET {path}");
            }
            // Everyone may submit feedback.
            json_ok(
                api.post(&format!("/api/v1/products/{p}/feedback"), json!({"text": format!("from {role:?}")})).await,
                201,
            )
            .await;
            // Nobody but the owner (or an admin) edits or decides.
            let writes = [
                api.post(&format!("/api/v1/workspaces/{ws}/products"), json!({"name": "Mine", "key": "MINE"})).await,
                api.patch(&format!("/api/v1/products/{p}"), json!({"vision": "mine", "version": 1})).await,
                api.post(&format!("/api/v1/products/{p}/features"), json!({"title": "Mine"})).await,
                api.patch(&format!("/api/v1/features/{fid}"), json!({"title": "Mine", "version": 1})).await,
                api.patch(&format!("/api/v1/features/{fid}"), json!({"lane": "now", "version": 1})).await,
                api.patch(&format!("/api/v1/features/{fid}"), json!({"release_id": rid, "version": 1})).await,
                api.post(&format!("/api/v1/features/{fid}/move"), json!({"after_id": null})).await,
                api.delete(&format!("/api/v1/features/{fid}")).await,
                api.patch(&format!("/api/v1/feedback/{fbid}"), json!({"status": "archived", "version": 1})).await,
                api.post(&format!("/api/v1/feedback/{fbid}/links"), json!({"feature_id": fid})).await,
                api.post(&format!("/api/v1/products/{p}/releases"), json!({"name": "2.0"})).await,
                api.patch(&format!("/api/v1/releases/{rid}"), json!({"target_date": "2027-01-01", "version": 1})).await,
                api.delete(&format!("/api/v1/releases/{rid}")).await,
                api.post(&format!("/api/v1/products/{p}/objectives"), json!({"title": "X", "period": "2026"})).await,
                api.post(&format!("/api/v1/products/{p}/competitors"), json!({"name": "Rival"})).await,
                api.post(&format!("/api/v1/products/{p}/metrics"), json!({"name": "DAU", "kind": "dau"})).await,
                api.patch(&format!("/api/v1/products/{p}"), json!({"name": "Mine", "version": 1})).await,
                api.delete(&format!("/api/v1/feedback/{fbid}/links/{fid}")).await,
                api.patch(&format!("/api/v1/objectives/{oid}"), json!({"title": "Mine", "version": 1})).await,
                api.delete(&format!("/api/v1/objectives/{oid}")).await,
                api.post(
                    &format!("/api/v1/objectives/{oid}/key-results"),
                    json!({"metric": "X", "baseline": 0, "target": 1}),
                )
                .await,
                api.patch(&format!("/api/v1/key-results/{kid}"), json!({"current": 30, "version": 1})).await,
                api.delete(&format!("/api/v1/key-results/{kid}")).await,
                api.patch(&format!("/api/v1/competitors/{cid}"), json!({"notes": "x", "version": 1})).await,
                api.delete(&format!("/api/v1/competitors/{cid}")).await,
                api.post(
                    &format!("/api/v1/metrics/{mid}/values"),
                    json!({"points": [{"date": "2026-01-01", "value": 1}]}),
                )
                .await,
                api.delete(&format!("/api/v1/metrics/{mid}")).await,
            ];
            for (i, r) in writes.into_iter().enumerate() {
                assert_eq!(r.status(), 403, "{role:?} write #{i}");
            }
        }
        // A second product manager who does not own the product reads but does not decide.
        let admin = app.login_as(Role::Admin).await;
        json_ok(
            admin
                .post(
                    &format!("/api/v1/workspaces/{ws}/members"),
                    json!({"email": "pdm2@demo.example", "role": "product_manager", "password": "second pdm pass"}),
                )
                .await,
            201,
        )
        .await;
        let pdm2 = app.login("pdm2@demo.example", "second pdm pass").await;
        json_ok(pdm2.get(&format!("/api/v1/features/{fid}")).await, 200).await;
        expect_error(
            pdm2.patch(&format!("/api/v1/features/{fid}"), json!({"lane": "now", "version": 1})).await,
            403,
            "forbidden",
        )
        .await;
        // The admin may; the owner may.
        let f2 =
            json_ok(admin.patch(&format!("/api/v1/features/{fid}"), json!({"lane": "next", "version": 1})).await, 200)
                .await;
        json_ok(
            pdm.patch(&format!("/api/v1/features/{fid}"), json!({"lane": "now", "version": f2["version"]})).await,
            200,
        )
        .await;
        // An owner must be a product manager or admin.
        let contributor_id = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::Contributor).unwrap();
        let cid = app.state.store.user_by_email(contributor_id.email).await.unwrap().unwrap().id.to_string();
        let bad_owner = pdm
            .post(&format!("/api/v1/workspaces/{ws}/products"), json!({"name": "X", "key": "XX", "owner_id": cid}))
            .await;
        expect_error(bad_owner, 422, "invalid_value").await;

        // Another workspace sees none of it: 404, never 403.
        let _ = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        for path in &reads[..3] {
            expect_error(outsider.get(path).await, 404, "not_found").await;
        }
        expect_error(outsider.get(&format!("/api/v1/features/{fid}")).await, 404, "not_found").await;
        expect_error(
            outsider.post(&format!("/api/v1/products/{p}/feedback"), json!({"text": "hi"})).await,
            404,
            "not_found",
        )
        .await;
        expect_error(
            outsider.patch(&format!("/api/v1/features/{fid}"), json!({"title": "x", "version": 1})).await,
            404,
            "not_found",
        )
        .await;
        // A link across products is refused.
        let (ows, _) = (other_workspace_product(&app, &outsider).await, ());
        let foreign = feature(&outsider, &ows, json!({"title": "Theirs"})).await;
        let cross = pdm.post(&format!("/api/v1/feedback/{fbid}/links"), json!({"feature_id": id(&foreign)})).await;
        expect_error(cross, 422, "invalid_value").await;
    })
    .await;
}

/// A product in the outsider's workspace; its id.
async fn other_workspace_product(app: &TestApp, outsider: &Api) -> String {
    let ws = app.state.store.workspace_by_key("OTHER").await.unwrap().unwrap().id;
    let p = json_ok(
        outsider.post(&format!("/api/v1/workspaces/{ws}/products"), json!({"name": "Theirs", "key": "THR"})).await,
        201,
    )
    .await;
    id(&p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releases_roadmap_and_notes() {
    on_each_database("releases_roadmap_and_notes", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let rel = json_ok(
            pdm.post(&format!("/api/v1/products/{p}/releases"), json!({"name": "1.0", "target_date": "2027-03-31"})).await,
            201,
        )
        .await;
        assert_eq!(rel["status"], "planned");
        assert_eq!(rel["forecast"], Value::Null);
        assert!(rel["forecast_reason"].as_str().unwrap().contains("no scheduled work"));
        let bad_date = pdm.post(&format!("/api/v1/products/{p}/releases"), json!({"name": "2", "target_date": "2027-02-30"})).await;
        expect_error(bad_date, 422, "invalid_value").await;
        let a = feature(
            &pdm,
            &p,
            json!({"title": "Apple Pay <b>now</b>", "lane": "now", "release_id": id(&rel), "rice": rice(100.0, 1.0, 100.0, 1.0)}),
        )
        .await;
        let b = feature(&pdm, &p, json!({"title": "Wishlist", "lane": "next", "rice": rice(500.0, 1.0, 100.0, 1.0)})).await;
        let c = feature(&pdm, &p, json!({"title": "Coupons", "lane": "now", "release_id": id(&rel)})).await;
        let r = feature(&pdm, &p, json!({"title": "Fax ordering", "lane": "later"})).await;
        json_ok(
            pdm.patch(
                &format!("/api/v1/features/{}", id(&r)),
                json!({"status": "rejected", "rejection_reason": "No", "version": r["version"]}),
            )
            .await,
            200,
        )
        .await;
        let map = json_ok(pdm.get(&format!("/api/v1/products/{p}/roadmap")).await, 200).await;
        let keys = |v: &Value| v.as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(keys(&map["lanes"]["now"]), ["Apple Pay <b>now</b>", "Coupons"]);
        assert_eq!(keys(&map["lanes"]["next"]), ["Wishlist"]);
        assert!(keys(&map["lanes"]["later"]).is_empty(), "rejected features stay off the roadmap");
        assert_eq!(map["timeline"][0]["release"]["name"], "1.0");
        assert_eq!(keys(&map["timeline"][0]["features"]), ["Apple Pay <b>now</b>", "Coupons"]);
        assert_eq!(keys(&map["unreleased"]), ["Wishlist"]);
        assert_eq!(map["lanes"]["now"][0]["score"], 100.0);
        let rel_now = json_ok(pdm.get(&format!("/api/v1/releases/{}", id(&rel))).await, 200).await;
        assert_eq!(rel_now["feature_ids"], json!([id(&a), id(&c)]));

        // Notes list what shipped, with titles escaped.
        let notes = json_ok(pdm.get(&format!("/api/v1/releases/{}/notes", id(&rel))).await, 200).await;
        assert!(notes["markdown"].as_str().unwrap().contains("No features of this release have shipped yet"));
        json_ok(pdm.patch(&format!("/api/v1/features/{}", id(&a)), json!({"status": "shipped", "version": a["version"]})).await, 200)
            .await;
        let notes = json_ok(pdm.get(&format!("/api/v1/releases/{}/notes", id(&rel))).await, 200).await;
        let html = notes["html"].as_str().unwrap();
        assert!(html.contains("Apple Pay &lt;b&gt;now&lt;/b&gt;"), "{html}");
        assert!(!html.contains("Coupons"), "{html}");
        let _ = b;

        // Deleting a release takes its features out of it.
        let del = pdm.delete(&format!("/api/v1/releases/{}", id(&rel))).await;
        assert_eq!(del.status(), 204);
        let c_now = json_ok(pdm.get(&format!("/api/v1/features/{}", id(&c))).await, 200).await;
        assert_eq!(c_now["release_id"], Value::Null);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okr_progress_and_history() {
    on_each_database("okr_progress_and_history", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let bet = feature(&pdm, &p, json!({"title": "Onboarding tour"})).await;
        let obj = json_ok(
            pdm.post(
                &format!("/api/v1/products/{p}/objectives"),
                json!({"title": "Activate more shops", "period": "2026-q3"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(obj["period"], "2026-Q3");
        assert_eq!(obj["progress"], Value::Null);
        let o = id(&obj);
        let up = json_ok(
            pdm.post(
                &format!("/api/v1/objectives/{o}/key-results"),
                json!({"metric": "Activation rate", "unit": "%", "baseline": 20, "target": 40, "current": 35,
                       "feature_ids": [id(&bet)]}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(up["direction"], "increase");
        assert_eq!(up["progress"], 0.75);
        assert_eq!(up["feature_ids"], json!([id(&bet)]));
        assert_eq!(up["history"].as_array().unwrap().len(), 1);
        let down = json_ok(
            pdm.post(
                &format!("/api/v1/objectives/{o}/key-results"),
                json!({"metric": "Churn", "unit": "%", "baseline": 5, "target": 3, "current": 4.5}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(down["direction"], "decrease");
        assert_eq!(down["progress"], 0.25);
        let obj = json_ok(pdm.get(&format!("/api/v1/objectives/{o}")).await, 200).await;
        assert_eq!(obj["progress"], 0.5);
        // A target that cannot be reached the stated way is refused.
        for bad in [
            json!({"metric": "X", "baseline": 5, "target": 5}),
            json!({"metric": "X", "baseline": 5, "target": 3, "direction": "increase"}),
            json!({"metric": "", "baseline": 1, "target": 3}),
        ] {
            expect_error(pdm.post(&format!("/api/v1/objectives/{o}/key-results"), bad).await, 422, "invalid_value")
                .await;
        }
        expect_error(
            pdm.post(&format!("/api/v1/products/{p}/objectives"), json!({"title": "X", "period": "someday"})).await,
            422,
            "invalid_value",
        )
        .await;
        // New values go into the history; progress is clamped.
        let k = id(&up);
        let up2 = json_ok(
            pdm.patch(
                &format!("/api/v1/key-results/{k}"),
                json!({"current": 45, "as_of": "2026-08-01", "version": up["version"]}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(up2["progress"], 1.0);
        let hist = up2["history"].as_array().unwrap();
        assert_eq!(hist.len(), 2);
        assert!(hist.iter().any(|h| h["date"] == "2026-08-01" && h["value"] == 45.0), "{hist:?}");
        let list = json_ok(pdm.get(&format!("/api/v1/objectives/{o}/key-results")).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        let objs = json_ok(pdm.get(&format!("/api/v1/products/{p}/objectives")).await, 200).await;
        assert_eq!(objs["items"][0]["progress"], 0.625);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn competitors_and_metrics() {
    on_each_database("competitors_and_metrics", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let c = json_ok(
            pdm.post(
                &format!("/api/v1/products/{p}/competitors"),
                json!({"name": "ShopFast", "capabilities": {"One-click checkout": "has", "Wishlists": "partial"}}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(c["capabilities"]["Wishlists"], "partial");
        let c2 = json_ok(
            pdm.patch(
                &format!("/api/v1/competitors/{}", id(&c)),
                json!({"capabilities": {"Wishlists": null, "Gift cards": "none"}, "version": c["version"]}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(c2["capabilities"], json!({"Gift cards": "none", "One-click checkout": "has"}));
        let bad = pdm
            .post(&format!("/api/v1/products/{p}/competitors"), json!({"name": "X", "capabilities": {"A": "maybe"}}))
            .await;
        expect_error(bad, 422, "invalid_value").await;

        let dau = json_ok(
            pdm.post(
                &format!("/api/v1/products/{p}/metrics"),
                json!({"name": "Daily active users", "kind": "dau", "points": [{"date": "2026-09-01", "value": 1200}]}),
            )
            .await,
            201,
        )
        .await;
        let s = id(&dau);
        let dau = json_ok(
            pdm.post(
                &format!("/api/v1/metrics/{s}/values"),
                json!({"points": [{"date": "2026-09-02", "value": 1300}, {"date": "2026-09-01", "value": 1250}]}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            dau["points"],
            json!([{"date": "2026-09-01", "value": 1250.0}, {"date": "2026-09-02", "value": 1300.0}])
        );
        let dup = pdm.post(&format!("/api/v1/products/{p}/metrics"), json!({"name": "Daily active users"})).await;
        expect_error(dup, 409, "conflict").await;
        let many: Vec<Value> = (0..1001).map(|i| json!({"date": format!("2026-01-01"), "value": i})).collect();
        expect_error(
            pdm.post(&format!("/api/v1/metrics/{s}/values"), json!({"points": many})).await,
            422,
            "invalid_value",
        )
        .await;
        expect_error(
            pdm.post(&format!("/api/v1/metrics/{s}/values"), json!({"points": []})).await,
            422,
            "invalid_value",
        )
        .await;
        let list = json_ok(pdm.get(&format!("/api/v1/products/{p}/metrics")).await, 200).await;
        assert_eq!(list["items"][0]["points"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_is_sanitised_and_csv_is_safe() {
    on_each_database("markdown_is_sanitised_and_csv_is_safe", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let evil = "## Goal\n<script>alert(1)</script>\n[click](javascript:alert(1))\n<img src=x onerror=alert(1)>\n\
                    <a href=\"JaVaScRiPt:alert(2)\" onclick=\"x()\">y</a>";
        let f = feature(&pdm, &p, json!({"title": "=HYPERLINK(\"http://evil.example\",\"win\")", "description": evil}))
            .await;
        assert_eq!(f["description"], evil, "the source is kept as written");
        let html = f["description_html"].as_str().unwrap().to_lowercase();
        assert!(html.contains("<h2>goal</h2>"), "{html}");
        for bad in ["<script", "javascript:", "onerror", "onclick"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        let sh = app.login_as(Role::Stakeholder).await;
        json_ok(
            sh.post(
                &format!("/api/v1/products/{p}/feedback"),
                json!({"text": "@SUM(1+1)*cmd|' /C calc'!A0", "customer": "+44 Ltd", "segment": "-SMB"}),
            )
            .await,
            201,
        )
        .await;
        let r = pdm.get(&format!("/api/v1/products/{p}/features.csv")).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("WEB-features.csv"));
        let csv = r.text().await.unwrap();
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().starts_with("key,title,status"));
        let row = lines.next().unwrap();
        assert!(row.starts_with("WEB-1,\"'=HYPERLINK("), "{row}");
        let csv = pdm.get(&format!("/api/v1/products/{p}/feedback.csv")).await.text().await.unwrap();
        assert!(csv.contains(",'+44 Ltd,'-SMB,"), "{csv}");
        assert!(csv.contains(",'@SUM(1+1)*cmd|' /C calc'!A0"), "{csv}");
        assert!(!csv.lines().skip(1).any(|l| l.split(',').any(|c| c.starts_with(['=', '+', '-', '@']))), "{csv}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_member_comments_authors_edit() {
    on_each_database("every_member_comments_authors_edit", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let f = feature(&pdm, &p, json!({"title": "Guest checkout"})).await;
        let fid = id(&f);
        let sh = app.login_as(Role::Stakeholder).await;
        let c = json_ok(
            sh.post(
                &format!("/api/v1/features/{fid}/comments"),
                json!({"body": "Customers **love** this <script>alert(1)</script>"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(c["author_name"], "Sam Stakeholder");
        let html = c["body_html"].as_str().unwrap();
        assert!(html.contains("<strong>love</strong>") && !html.contains("<script"), "{html}");
        let dev = app.login_as(Role::Contributor).await;
        json_ok(dev.post(&format!("/api/v1/features/{fid}/comments"), json!({"body": "I can build it"})).await, 201)
            .await;
        json_ok(dev.post(&format!("/api/v1/products/{p}/comments"), json!({"body": "On the product"})).await, 201)
            .await;
        expect_error(
            dev.post(&format!("/api/v1/features/{fid}/comments"), json!({"body": "  "})).await,
            422,
            "invalid_value",
        )
        .await;
        let list = json_ok(pdm.get(&format!("/api/v1/features/{fid}/comments")).await, 200).await;
        let bodies: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[1], "I can build it");
        // Only the author (or an admin) edits or deletes.
        let cid = id(&c);
        expect_error(
            pdm.patch(&format!("/api/v1/comments/{cid}"), json!({"body": "x", "version": 1})).await,
            403,
            "forbidden",
        )
        .await;
        let edited = json_ok(
            sh.patch(&format!("/api/v1/comments/{cid}"), json!({"body": "Customers like this", "version": 1})).await,
            200,
        )
        .await;
        assert_eq!(edited["version"], 2);
        expect_error(
            sh.patch(&format!("/api/v1/comments/{cid}"), json!({"body": "y", "version": 1})).await,
            412,
            "version_mismatch",
        )
        .await;
        expect_error(pdm.delete(&format!("/api/v1/comments/{cid}")).await, 403, "forbidden").await;
        let admin = app.login_as(Role::Admin).await;
        assert_eq!(admin.delete(&format!("/api/v1/comments/{cid}")).await.status(), 204);
        // Another workspace sees nothing.
        let _ = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/features/{fid}/comments")).await, 404, "not_found").await;
        expect_error(
            outsider.post(&format!("/api/v1/features/{fid}/comments"), json!({"body": "hi"})).await,
            404,
            "not_found",
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_forms_create_and_edit() {
    on_each_database("page_forms_create_and_edit", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, p) = product(&app, &ws).await;
        let form = |api: &Api, path: String, fields: Vec<(&'static str, String)>| {
            let rb = api.request(reqwest::Method::POST, &path).form(&fields);
            async move { rb.send().await.unwrap() }
        };
        // Forms answer with a redirect to the page that shows the result.
        let r = form(
            &pdm,
            format!("/products/{p}/objectives/new"),
            vec![("title", "Grow".into()), ("period", "2027-q1".into())],
        )
        .await;
        assert!(r.status().is_success(), "{}", r.status());
        let objs = json_ok(pdm.get(&format!("/api/v1/products/{p}/objectives")).await, 200).await;
        let o = objs["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(objs["items"][0]["period"], "2027-Q1");
        form(
            &pdm,
            format!("/objectives/{o}/key-results/new"),
            vec![("metric", "Churn".into()), ("unit", "%".into()), ("baseline", "5".into()), ("target", "3".into())],
        )
        .await;
        let kr = &json_ok(pdm.get(&format!("/api/v1/objectives/{o}")).await, 200).await["key_results"][0];
        assert_eq!(kr["direction"], "decrease");
        form(
            &pdm,
            format!("/products/{p}/releases/new"),
            vec![("name", "3.0".into()), ("target_date", "2027-09-30".into())],
        )
        .await;
        let rel = &json_ok(pdm.get(&format!("/api/v1/products/{p}/releases")).await, 200).await["items"][0];
        assert_eq!(rel["target_date"], "2027-09-30");
        form(&pdm, format!("/products/{p}/competitors/new"), vec![("name", "Rival".into())]).await;
        let c = json_ok(pdm.get(&format!("/api/v1/products/{p}/competitors")).await, 200).await["items"][0].clone();
        // A value that does not fit its field is refused naming the field.
        let fields = vec![("version", "one".into()), ("capability", "SSO".into()), ("level", "partial".into())];
        let r = form(&pdm, format!("/competitors/{}/cell", id(&c)), fields).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Version: must be a whole number"), "{page}");
        form(
            &pdm,
            format!("/competitors/{}/cell", id(&c)),
            vec![("version", "1".into()), ("capability", "SSO".into()), ("level", "partial".into())],
        )
        .await;
        let c = json_ok(pdm.get(&format!("/api/v1/competitors/{}", id(&c))).await, 200).await;
        assert_eq!(c["capabilities"]["SSO"], "partial");
        form(&pdm, format!("/products/{p}/metrics/new"), vec![("name", "NPS".into()), ("kind", "nps".into())]).await;
        let m = json_ok(pdm.get(&format!("/api/v1/products/{p}/metrics")).await, 200).await["items"][0].clone();
        form(&pdm, format!("/metrics/{}/record", id(&m)), vec![("date", "2026-10-01".into()), ("value", "31".into())])
            .await;
        let m = json_ok(pdm.get(&format!("/api/v1/metrics/{}", id(&m))).await, 200).await;
        assert_eq!(m["points"], json!([{"date": "2026-10-01", "value": 31.0}]));
        form(
            &pdm,
            format!("/products/{p}/edit"),
            vec![
                ("version", "1".into()),
                ("name", "Web shop".into()),
                ("vision", "Fast".into()),
                ("strategy", "".into()),
                ("default_framework", "wsjf".into()),
            ],
        )
        .await;
        let prod = json_ok(pdm.get(&format!("/api/v1/products/{p}")).await, 200).await;
        assert_eq!((prod["vision"].as_str(), prod["default_framework"].as_str()), (Some("Fast"), Some("wsjf")));
        // A stakeholder's form posts change nothing.
        let sh = app.login_as(Role::Stakeholder).await;
        let r = form(&sh, format!("/products/{p}/releases/new"), vec![("name", "mine".into())]).await;
        assert_eq!(r.status(), 403);
        let rels = json_ok(pdm.get(&format!("/api/v1/products/{p}/releases")).await, 200).await;
        assert_eq!(rels["items"].as_array().unwrap().len(), 1);
    })
    .await;
}
