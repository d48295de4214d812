//! Who may call every endpoint outside the project side (which has its own
//! table in `project_rights`): workspaces, members, the matrix, the
//! product side, syncs and dashboards, for every role and for a member of
//! another workspace, from one table. Authorised calls carry a stale
//! version or an invalid value, so they are refused after the rights check
//! (412 or 422) and change nothing. Every route of the OpenAPI document is
//! in this table, the project table, or the short list of the caller's own
//! endpoints; a new route in none of them fails.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::project_rights::PROJECT_PREFIXES;
use crate::support::{Api, OUTSIDER, json_ok, on_each_database, other_workspace};

/// The right an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Every member.
    Read,
    /// Admins, and the product's owner (a product manager).
    Owner,
    /// Admins only.
    Admin,
    /// Admins and product managers.
    ProductCreate,
    /// Admins, the product's owner, and the managers of its projects.
    Hold,
    /// The comment's author (the product manager here) and admins.
    Author,
}

fn allowed(needs: Needs, role: Role) -> bool {
    match needs {
        Needs::Read => true,
        Needs::Owner | Needs::ProductCreate | Needs::Author => matches!(role, Role::Admin | Role::ProductManager),
        Needs::Admin => role == Role::Admin,
        Needs::Hold => matches!(role, Role::Admin | Role::ProductManager | Role::ProjectManager),
    }
}

const ROLES: [Role; 5] =
    [Role::Admin, Role::ProductManager, Role::ProjectManager, Role::Contributor, Role::Stakeholder];

/// The caller's own endpoints: any signed-in user, about themselves
/// (checked in accounts.rs and notifications.rs; search answers only
/// what the caller may read, checked in search.rs), or before signing in.
const PERSONAL: &[&str] = &[
    "/auth/login",
    "/auth/logout",
    "/me",
    "/me/password",
    "/tokens",
    "/tokens/{id}",
    "/invitations/{token}",
    "/notifications",
    "/notifications/{id}/read",
    "/notifications/read-all",
    "/workspaces",
    "/search",
    "/me/calendar-feed",
    "/me/calendar-feed/rotate",
    "/me/notification-settings",
    "/auth/password-reset",
    "/auth/password-reset/{token}",
    // Sent with an ingest key, not as a member: `tests/it/analytics.rs`.
    "/ingest/events",
    "/ingest/v1/batch",
    "/ingest/v1/track",
];

async fn call(api: &Api, method: &Method, path: &str, body: Option<&Value>) -> u16 {
    let mut rb = api.request(method.clone(), &format!("/api/v1{path}"));
    if let Some(b) = body {
        rb = rb.json(b);
    }
    rb.send().await.unwrap().status().as_u16()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_endpoint_for_every_role() {
    on_each_database("every_other_endpoint_for_every_role", |app| async move {
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let admin = app.login_as(Role::Admin).await;
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let pr = id(&products["items"][0]);
        let first = |path: String| {
            let pdm = pdm.clone();
            async move { id(&json_ok(pdm.get(&path).await, 200).await["items"][0]) }
        };
        let f = first(format!("/api/v1/products/{pr}/features")).await;
        // A feature that names its adoption event.
        let adopted = json_ok(pdm.get(&format!("/api/v1/products/{pr}/features?limit=200")).await, 200).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["adoption_event"].is_string())
            .map(id)
            .unwrap();
        let fb = first(format!("/api/v1/products/{pr}/feedback")).await;
        let rel = first(format!("/api/v1/products/{pr}/releases")).await;
        let ob = first(format!("/api/v1/products/{pr}/objectives")).await;
        let kr = first(format!("/api/v1/objectives/{ob}/key-results")).await;
        let co = first(format!("/api/v1/products/{pr}/competitors")).await;
        let me = first(format!("/api/v1/products/{pr}/metrics")).await;
        let mem = first(format!("/api/v1/workspaces/{ws}/members")).await;
        json_ok(
            pdm.post(&format!("/api/v1/feedback/{fb}/links"), json!({"feature_id": f, "importance": 2})).await,
            200,
        )
        .await;
        let cm =
            id(&json_ok(pdm.post(&format!("/api/v1/features/{f}/comments"), json!({"body": "rights"})).await, 201)
                .await);
        let sy = id(&json_ok(pdm.post("/api/v1/syncs", json!({"product_id": pr})).await, 201).await);
        let vw = id(&json_ok(
            pdm.post(
                &format!("/api/v1/workspaces/{ws}/views"),
                json!({"page": "risks", "name": "rights", "shared": true}),
            )
            .await,
            201,
        )
        .await);
        let cf = id(&json_ok(
            pdm.post(
                &format!("/api/v1/workspaces/{ws}/custom-fields"),
                json!({"object": "feature", "name": "Rights", "type": "text"}),
            )
            .await,
            201,
        )
        .await);
        let ingest_key =
            json_ok(pdm.post(&format!("/api/v1/products/{pr}/ingest-keys"), json!({"name": "rights"})).await, 201)
                .await["key"]
                .as_str()
                .unwrap()
                .to_owned();
        let stale = json!({"version": 999_999});
        // A webhook with a delivery waiting (the address does not resolve
        // here, so it stays waiting).
        let hook_body = json!({"url": "https://hooks.example.invalid/rights", "events": ["feature"]});
        let wh =
            id(&json_ok(admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), hook_body.clone()).await, 201).await);
        json_ok(pdm.post(&format!("/api/v1/products/{pr}/features"), json!({"title": "Hooked"})).await, 201).await;
        let wd = id(&json_ok(admin.get(&format!("/api/v1/webhooks/{wh}/deliveries")).await, 200).await["items"][0]);
        use Needs::*;
        let g = Method::GET;
        let (post, patch, put) = (Method::POST, Method::PATCH, Method::PUT);
        let rows: Vec<(Method, String, &str, Option<Value>, Needs)> = vec![
            (g.clone(), format!("/workspaces/{ws}"), "/workspaces/{ws}", None, Read),
            (patch.clone(), format!("/workspaces/{ws}"), "/workspaces/{ws}", Some(json!({"name": ""})), Admin),
            (g.clone(), format!("/workspaces/{ws}/members"), "/workspaces/{ws}/members", None, Read),
            (g.clone(), format!("/workspaces/{ws}/webhooks"), "/workspaces/{ws}/webhooks", None, Admin),
            (
                post.clone(),
                format!("/workspaces/{ws}/webhooks"),
                "/workspaces/{ws}/webhooks",
                Some(json!({"url": "", "events": ["task"]})),
                Admin,
            ),
            (g.clone(), format!("/webhooks/{wh}"), "/webhooks/{id}", None, Admin),
            (g.clone(), format!("/workspaces/{ws}/sso"), "/workspaces/{ws}/sso", None, Admin),
            (
                put.clone(),
                format!("/workspaces/{ws}/sso"),
                "/workspaces/{ws}/sso",
                Some(json!({"default_role": "boss"})),
                Admin,
            ),
            (patch.clone(), format!("/webhooks/{wh}"), "/webhooks/{id}", Some(stale.clone()), Admin),
            (g.clone(), format!("/webhooks/{wh}/deliveries"), "/webhooks/{id}/deliveries", None, Admin),
            (
                post.clone(),
                format!("/webhook-deliveries/{wd}/redeliver"),
                "/webhook-deliveries/{id}/redeliver",
                None,
                Admin,
            ),
            (
                post.clone(),
                format!("/workspaces/{ws}/members"),
                "/workspaces/{ws}/members",
                Some(json!({"email": "x", "role": "contributor"})),
                Admin,
            ),
            (g.clone(), format!("/workspaces/{ws}/members/{mem}"), "/workspaces/{ws}/members/{id}", None, Read),
            (
                patch.clone(),
                format!("/workspaces/{ws}/members/{mem}"),
                "/workspaces/{ws}/members/{id}",
                Some(json!({"role": "contributor", "version": 999_999})),
                Admin,
            ),
            (g.clone(), format!("/workspaces/{ws}/activity"), "/workspaces/{ws}/activity", None, Read),
            (g.clone(), format!("/workspaces/{ws}/decision-rights"), "/workspaces/{ws}/decision-rights", None, Read),
            (
                put.clone(),
                format!("/workspaces/{ws}/decision-rights"),
                "/workspaces/{ws}/decision-rights",
                Some(json!({"rows": [], "version": 999_999})),
                Admin,
            ),
            (g.clone(), format!("/workspaces/{ws}/products"), "/workspaces/{ws}/products", None, Read),
            (
                post.clone(),
                format!("/workspaces/{ws}/products"),
                "/workspaces/{ws}/products",
                Some(json!({"name": "", "key": "ZZ"})),
                ProductCreate,
            ),
            (g.clone(), format!("/dashboards/portfolio/{ws}"), "/dashboards/portfolio/{ws}", None, Read),
            (g.clone(), format!("/workspaces/{ws}/my-work"), "/workspaces/{ws}/my-work", None, Read),
            (g.clone(), format!("/workspaces/{ws}/events"), "/workspaces/{ws}/events", None, Read),
            (g.clone(), format!("/workspaces/{ws}/views"), "/workspaces/{ws}/views", None, Read),
            (
                post.clone(),
                format!("/workspaces/{ws}/views"),
                "/workspaces/{ws}/views",
                Some(json!({"page": "board", "name": " "})),
                Read,
            ),
            (g.clone(), format!("/views/{vw}"), "/views/{id}", None, Read),
            (g.clone(), format!("/workspaces/{ws}/custom-fields"), "/workspaces/{ws}/custom-fields", None, Read),
            (
                post.clone(),
                format!("/workspaces/{ws}/custom-fields"),
                "/workspaces/{ws}/custom-fields",
                Some(json!({"object": "feature", "name": " ", "type": "text"})),
                Owner,
            ),
            (g.clone(), format!("/custom-fields/{cf}"), "/custom-fields/{id}", None, Read),
            (patch.clone(), format!("/custom-fields/{cf}"), "/custom-fields/{id}", Some(stale.clone()), Owner),
            (patch.clone(), format!("/views/{vw}"), "/views/{id}", Some(stale.clone()), Author),
            (g.clone(), format!("/dashboards/product/{pr}"), "/dashboards/product/{id}", None, Read),
            (g.clone(), format!("/products/{pr}"), "/products/{id}", None, Read),
            (patch.clone(), format!("/products/{pr}"), "/products/{id}", Some(stale.clone()), Owner),
            (g.clone(), format!("/products/{pr}/comments"), "/products/{id}/comments", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/comments"),
                "/products/{id}/comments",
                Some(json!({"body": " "})),
                Read,
            ),
            (g.clone(), format!("/products/{pr}/features"), "/products/{id}/features", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/features"),
                "/products/{id}/features",
                Some(json!({"title": ""})),
                Owner,
            ),
            (g.clone(), format!("/products/{pr}/features.csv"), "/products/{id}/features.csv", None, Read),
            (g.clone(), format!("/products/{pr}/feedback"), "/products/{id}/feedback", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/feedback"),
                "/products/{id}/feedback",
                Some(json!({"text": ""})),
                Read,
            ),
            (g.clone(), format!("/products/{pr}/feedback.csv"), "/products/{id}/feedback.csv", None, Read),
            (g.clone(), format!("/products/{pr}/releases"), "/products/{id}/releases", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/releases"),
                "/products/{id}/releases",
                Some(json!({"name": ""})),
                Owner,
            ),
            (g.clone(), format!("/products/{pr}/objectives"), "/products/{id}/objectives", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/objectives"),
                "/products/{id}/objectives",
                Some(json!({"title": "", "period": "2027"})),
                Owner,
            ),
            (g.clone(), format!("/products/{pr}/competitors"), "/products/{id}/competitors", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/competitors"),
                "/products/{id}/competitors",
                Some(json!({"name": ""})),
                Owner,
            ),
            (g.clone(), format!("/products/{pr}/metrics"), "/products/{id}/metrics", None, Read),
            (g.clone(), format!("/products/{pr}/ingest-keys"), "/products/{id}/ingest-keys", None, Owner),
            (
                post.clone(),
                format!("/products/{pr}/ingest-keys"),
                "/products/{id}/ingest-keys",
                Some(json!({"name": ""})),
                Owner,
            ),
            (g.clone(), format!("/products/{pr}/analytics/active"), "/products/{id}/analytics/active", None, Read),
            (g.clone(), format!("/features/{adopted}/adoption"), "/features/{id}/adoption", None, Read),
            (
                g.clone(),
                format!("/products/{pr}/analytics/retention"),
                "/products/{id}/analytics/retention",
                None,
                Read,
            ),
            (
                g.clone(),
                format!("/products/{pr}/analytics/funnel?steps=a,b"),
                "/products/{id}/analytics/funnel",
                None,
                Read,
            ),
            (
                post.clone(),
                format!("/products/{pr}/metrics"),
                "/products/{id}/metrics",
                Some(json!({"name": ""})),
                Owner,
            ),
            (g.clone(), format!("/products/{pr}/roadmap"), "/products/{id}/roadmap", None, Read),
            (g.clone(), format!("/products/{pr}/sync-agenda"), "/products/{id}/sync-agenda", None, Read),
            (g.clone(), format!("/features/{f}"), "/features/{id}", None, Read),
            (patch.clone(), format!("/features/{f}"), "/features/{id}", Some(stale.clone()), Owner),
            (post.clone(), format!("/features/{f}/move"), "/features/{id}/move", Some(json!({"after_id": f})), Owner),
            (g.clone(), format!("/features/{f}/comments"), "/features/{id}/comments", None, Read),
            (
                post.clone(),
                format!("/features/{f}/comments"),
                "/features/{id}/comments",
                Some(json!({"body": " "})),
                Read,
            ),
            (g.clone(), format!("/feedback/{fb}"), "/feedback/{id}", None, Read),
            (patch.clone(), format!("/feedback/{fb}"), "/feedback/{id}", Some(stale.clone()), Owner),
            (g.clone(), format!("/feedback/{fb}/comments"), "/feedback/{id}/comments", None, Read),
            (
                post.clone(),
                format!("/feedback/{fb}/comments"),
                "/feedback/{id}/comments",
                Some(json!({"body": " "})),
                Read,
            ),
            (g.clone(), format!("/feedback/{fb}/links"), "/feedback/{id}/links", None, Read),
            (
                post.clone(),
                format!("/products/{pr}/feedback/bulk"),
                "/products/{id}/feedback/bulk",
                Some(json!({"ids": [], "action": "triage"})),
                Owner,
            ),
            (
                post.clone(),
                format!("/feedback/{fb}/feature"),
                "/feedback/{id}/feature",
                Some(json!({"title": "x".repeat(300)})),
                Owner,
            ),
            // Linking again what is linked changes nothing: 200 for the owner.
            (
                post.clone(),
                format!("/feedback/{fb}/links"),
                "/feedback/{id}/links",
                Some(json!({"feature_id": f, "importance": 2})),
                Owner,
            ),
            (g.clone(), format!("/releases/{rel}"), "/releases/{id}", None, Read),
            (patch.clone(), format!("/releases/{rel}"), "/releases/{id}", Some(stale.clone()), Owner),
            (g.clone(), format!("/releases/{rel}/comments"), "/releases/{id}/comments", None, Read),
            (
                post.clone(),
                format!("/releases/{rel}/comments"),
                "/releases/{id}/comments",
                Some(json!({"body": " "})),
                Read,
            ),
            (g.clone(), format!("/releases/{rel}/go-no-go"), "/releases/{id}/go-no-go", None, Read),
            (
                post.clone(),
                format!("/releases/{rel}/go-no-go"),
                "/releases/{id}/go-no-go",
                Some(json!({"outcome": "maybe", "rationale": "x"})),
                Hold,
            ),
            (g.clone(), format!("/releases/{rel}/notes"), "/releases/{id}/notes", None, Read),
            (g.clone(), format!("/objectives/{ob}"), "/objectives/{id}", None, Read),
            (patch.clone(), format!("/objectives/{ob}"), "/objectives/{id}", Some(stale.clone()), Owner),
            (g.clone(), format!("/objectives/{ob}/comments"), "/objectives/{id}/comments", None, Read),
            (
                post.clone(),
                format!("/objectives/{ob}/comments"),
                "/objectives/{id}/comments",
                Some(json!({"body": " "})),
                Read,
            ),
            (g.clone(), format!("/objectives/{ob}/key-results"), "/objectives/{id}/key-results", None, Read),
            (
                post.clone(),
                format!("/objectives/{ob}/key-results"),
                "/objectives/{id}/key-results",
                Some(json!({"metric": "", "baseline": 0.0, "target": 1.0})),
                Owner,
            ),
            (g.clone(), format!("/key-results/{kr}"), "/key-results/{id}", None, Read),
            (patch.clone(), format!("/key-results/{kr}"), "/key-results/{id}", Some(stale.clone()), Owner),
            (g.clone(), format!("/competitors/{co}"), "/competitors/{id}", None, Read),
            (patch.clone(), format!("/competitors/{co}"), "/competitors/{id}", Some(stale.clone()), Owner),
            (g.clone(), format!("/metrics/{me}"), "/metrics/{id}", None, Read),
            (
                post.clone(),
                format!("/metrics/{me}/values"),
                "/metrics/{id}/values",
                Some(json!({"points": vec![json!({"date": "2027-01-01", "value": 1.0}); 1001]})),
                Owner,
            ),
            (
                patch.clone(),
                format!("/comments/{cm}"),
                "/comments/{id}",
                Some(json!({"body": "x", "version": 999_999})),
                Author,
            ),
            (g.clone(), format!("/syncs?product={pr}"), "/syncs", None, Read),
            (
                post.clone(),
                "/syncs".to_owned(),
                "/syncs",
                Some(json!({"product_id": pr, "attendees": ["999999"]})),
                Hold,
            ),
            (g.clone(), format!("/syncs/{sy}"), "/syncs/{id}", None, Read),
            (patch.clone(), format!("/syncs/{sy}"), "/syncs/{id}", Some(stale.clone()), Hold),
            (
                post.clone(),
                format!("/syncs/{sy}/action-items"),
                "/syncs/{id}/action-items",
                Some(json!({"title": ""})),
                Hold,
            ),
        ];
        // Deletions: an object made for each caller.
        let deletions = [
            "/workspaces/{ws}/members/{id}",
            "/features/{id}",
            "/releases/{id}",
            "/objectives/{id}",
            "/key-results/{id}",
            "/competitors/{id}",
            "/metrics/{id}",
            "/comments/{id}",
            "/feedback/{id}/links/{feature_id}",
            "/views/{id}",
            "/custom-fields/{id}",
            "/ingest-keys/{id}",
            "/products/{id}/analytics/persons/{distinct_id}",
            "/webhooks/{id}",
        ];

        // Every route of the document is covered somewhere.
        let doc = json_ok(app.anonymous().get("/api/v1/openapi.json").await, 200).await;
        let mut covered: BTreeSet<(String, String)> =
            rows.iter().map(|(m, _, tpl, _, _)| (m.to_string(), (*tpl).to_owned())).collect();
        covered.extend(deletions.iter().map(|tpl| ("DELETE".to_owned(), (*tpl).to_owned())));
        let mut missing = Vec::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            let path = path.strip_prefix("/api/v1").unwrap_or(path).to_owned();
            if PROJECT_PREFIXES.iter().any(|pre| path.starts_with(pre)) || PERSONAL.contains(&path.as_str()) {
                continue;
            }
            for m in ops.as_object().unwrap().keys() {
                if !covered.contains(&(m.to_uppercase(), path.clone())) {
                    missing.push(format!("{} {path}", m.to_uppercase()));
                }
            }
        }
        assert!(missing.is_empty(), "endpoints without a rights row: {missing:?}");

        other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        let mut failures = Vec::new();
        for (method, path, tpl, body, _) in &rows {
            let got = call(&outsider, method, path, body.as_ref()).await;
            if got != 404 {
                failures.push(format!("outsider {method} {tpl}: {got}"));
            }
        }
        for role in ROLES {
            let api = app.login_as(role).await;
            for (method, path, tpl, body, needs) in &rows {
                let got = call(&api, method, path, body.as_ref()).await;
                let ok = if allowed(*needs, role) {
                    if *method == Method::GET || tpl.ends_with("/links") {
                        got == 200
                    } else if tpl.ends_with("/redeliver") {
                        got == 202
                    } else {
                        got == 412 || got == 422
                    }
                } else {
                    got == 403
                };
                if !ok {
                    failures.push(format!("{role} {method} {tpl}: {got} (needs {needs:?})"));
                }
            }
            // Fresh objects to delete, made by the product's owner (the admin adds the member).
            let made = |path: String, body: Value| {
                let pdm = pdm.clone();
                async move { id(&json_ok(pdm.post(&path, body).await, 201).await) }
            };
            let n = format!("del {role}");
            let email = format!("del-{}@demo.example", role.as_str());
            let member = json_ok(
                admin
                    .post(
                        &format!("/api/v1/workspaces/{ws}/members"),
                        json!({"email": email, "role": "stakeholder", "password": "a long password 1"}),
                    )
                    .await,
                201,
            )
            .await;
            let member = member["member"]["id"].as_str().or(member["id"].as_str()).unwrap().to_owned();
            let nf = made(format!("/api/v1/products/{pr}/features"), json!({"title": n})).await;
            let nr = made(format!("/api/v1/products/{pr}/releases"), json!({"name": n})).await;
            let no = made(format!("/api/v1/products/{pr}/objectives"), json!({"title": n, "period": "2027"})).await;
            let nk = made(
                format!("/api/v1/objectives/{ob}/key-results"),
                json!({"metric": n, "baseline": 0.0, "target": 1.0}),
            )
            .await;
            let nc = made(format!("/api/v1/products/{pr}/competitors"), json!({"name": n})).await;
            let nm = made(format!("/api/v1/products/{pr}/metrics"), json!({"name": n})).await;
            let ncm = made(format!("/api/v1/features/{f}/comments"), json!({"body": n})).await;
            let ncf = made(
                format!("/api/v1/workspaces/{ws}/custom-fields"),
                json!({"object": "feature", "name": n, "type": "text"}),
            )
            .await;
            let nik = made(format!("/api/v1/products/{pr}/ingest-keys"), json!({"name": n})).await;
            let nwh =
                id(&json_ok(admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), hook_body.clone()).await, 201)
                    .await);
            // A person the product heard of, to forget.
            let person = format!("person-{}", role.as_str());
            let event = json!({"batch": [{"event": "opened", "distinct_id": person}]});
            let sent = crate::support::client()
                .post(app.url("/api/v1/ingest/events"))
                .bearer_auth(ingest_key.as_str())
                .json(&event)
                .send()
                .await
                .unwrap();
            assert_eq!(json_ok(sent, 200).await["accepted"], 1);
            json_ok(pdm.post(&format!("/api/v1/feedback/{fb}/links"), json!({"feature_id": nf})).await, 200).await;
            let targets = [
                (format!("/workspaces/{ws}/members/{member}"), deletions[0], Admin),
                (format!("/feedback/{fb}/links/{nf}"), deletions[8], Owner),
                (format!("/features/{nf}"), deletions[1], Owner),
                (format!("/releases/{nr}"), deletions[2], Owner),
                (format!("/key-results/{nk}"), deletions[4], Owner),
                (format!("/objectives/{no}"), deletions[3], Owner),
                (format!("/competitors/{nc}"), deletions[5], Owner),
                (format!("/metrics/{nm}"), deletions[6], Owner),
                (format!("/comments/{ncm}"), deletions[7], Author),
                (format!("/custom-fields/{ncf}"), deletions[10], Owner),
                (format!("/ingest-keys/{nik}"), deletions[11], Owner),
                (format!("/products/{pr}/analytics/persons/{person}"), deletions[12], Owner),
                (format!("/webhooks/{nwh}"), deletions[13], Admin),
            ];
            for (path, tpl, needs) in &targets {
                let got = call(&api, &Method::DELETE, path, None).await;
                // Unlinking answers with the feedback (200); deletions with 204.
                let ok = if allowed(*needs, role) { got == 204 || got == 200 } else { got == 403 };
                if !ok {
                    failures.push(format!("{role} DELETE {tpl}: {got} (needs {needs:?})"));
                }
                if allowed(*needs, role) {
                    assert_ne!(call(&outsider, &Method::GET, path, None).await, 200);
                } else {
                    let got = call(&outsider, &Method::DELETE, path, None).await;
                    if got != 404 {
                        failures.push(format!("outsider DELETE {tpl}: {got}"));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} unexpected answers:\n{}", failures.len(), failures.join("\n"));
    })
    .await;
}
