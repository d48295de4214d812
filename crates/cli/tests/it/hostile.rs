//! Hostile inputs, a story per class, through the real endpoints as users
//! allowed to call them: each is refused or neutralised, stores nothing,
//! and the server stays healthy. (MS Project files with entities, external
//! entities, deep nesting and bad bytes are in `interchange`; oversized
//! and malformed bodies in `api_conventions`.)

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, TestApp, expect_error, json_ok, on_each_database};

/// The newest activity entry's id: every write appends one, so an
/// unchanged id means nothing was stored.
async fn last_activity(api: &Api, ws: &str) -> Value {
    json_ok(api.get(&format!("/api/v1/workspaces/{ws}/activity?limit=1")).await, 200).await["items"][0]["id"].clone()
}

async fn healthy(app: &TestApp) {
    assert_eq!(app.anonymous().get("/healthz").await.status(), 200);
}

/// Tags that would run script: `<script>`, `<iframe>`, an event-handler
/// attribute, a `javascript:` URL. Escaped text holds no `<`, so every `<`
/// opens a real tag; text that merely says `javascript:` is harmless.
fn unsafe_tags(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    lower
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or("").to_owned())
        .filter(|t| {
            t.starts_with("script")
                || t.starts_with("iframe")
                || t.contains("javascript:")
                || t.split_whitespace().skip(1).any(|a| a.starts_with("on") && a.contains('='))
        })
        .collect()
}

fn nested(depth: usize, open: char, close: char) -> String {
    let mut s = String::with_capacity(depth * 2 + 40);
    s.push_str("{\"title\": \"deep\", \"edits\": ");
    s.extend(std::iter::repeat_n(open, depth));
    s.extend(std::iter::repeat_n(close, depth));
    s.push('}');
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_are_refused_and_store_nothing() {
    on_each_database("hostile_inputs_are_refused_and_store_nothing", |app| async move {
        let ws = app.seed_demo().await;
        let (pdm, pm, dev) = (app.login_as(Role::ProductManager).await, app.login_as(Role::ProjectManager).await, app.login_as(Role::Contributor).await);
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let pr = products["items"][0]["id"].as_str().unwrap().to_owned();
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"][0]["id"].as_str().unwrap().to_owned();

        // Deeply nested JSON: refused at once, no stack overflow.
        let before = last_activity(&pm, &ws).await;
        for (open, close) in [('[', ']'), ('{', '}')] {
            let body = nested(100_000, open, close);
            let r = pm.request(reqwest::Method::POST, &format!("/api/v1/projects/{p}/change-requests"))
                .header("content-type", "application/json").body(body).send().await.unwrap();
            assert!(matches!(r.status().as_u16(), 400 | 413 | 422), "{}", r.status());
            let e: Value = r.json().await.unwrap();
            assert!(e["error"]["code"].is_string(), "{e}");
            healthy(&app).await;
        }
        assert_eq!(last_activity(&pm, &ws).await, before);

        // SQL fragments in sort and filter parameters: refused, or matched as plain text.
        expect_error(pdm.get(&format!("/api/v1/products/{pr}/features?sort=rice;DROP%20TABLE%20features")).await, 400, "invalid_query").await;
        expect_error(pdm.get(&format!("/api/v1/products/{pr}/features?sort=rice%20DESC%2C%20(SELECT%201)")).await, 400, "invalid_query").await;
        for q in ["kind=%27%20OR%201%3D1%20--", "q=%25%27%20OR%20%271%27%3D%271", "subject_type=x%27%3B%20DELETE%20FROM%20decisions%3B--"] {
            let log = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/decisions?{q}")).await, 200).await;
            assert_eq!(log["items"], json!([]), "{q}");
        }
        let features = json_ok(pdm.get(&format!("/api/v1/products/{pr}/features")).await, 200).await;
        assert_eq!(features["items"].as_array().unwrap().len(), 22, "the features are all there");
        let log = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/decisions")).await, 200).await;
        assert!(!log["items"].as_array().unwrap().is_empty());

        // Mass assignment: no one sets their own role or a field the API does not take.
        let me = json_ok(dev.get("/api/v1/me").await, 200).await;
        let uid = me["user"]["id"].as_str().unwrap().to_owned();
        let members = json_ok(dev.get(&format!("/api/v1/workspaces/{ws}/members")).await, 200).await;
        let mine = members["items"].as_array().unwrap().iter().find(|m| m["user_id"] == uid.as_str()).unwrap().clone();
        let before = last_activity(&pm, &ws).await;
        expect_error(dev.patch(&format!("/api/v1/workspaces/{ws}/members/{}", mine["id"].as_str().unwrap()),
            json!({"role": "admin", "version": mine["version"]})).await, 403, "forbidden").await;
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let t = tasks["items"][0].clone();
        for extra in [json!({"project_id": "999", "version": t["version"]}), json!({"id": "1", "version": t["version"]}),
            json!({"workspace_id": "2", "version": t["version"]}), json!({"created_at": "2020-01-01T00:00:00Z", "version": t["version"]})] {
            expect_error(pm.patch(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()), extra).await, 422, "invalid_value").await;
        }
        expect_error(dev.post(&format!("/api/v1/workspaces/{ws}/members"), json!({"email": "me2@x.example", "role": "admin"})).await, 403, "forbidden").await;
        assert_eq!(last_activity(&pm, &ws).await, before);
        let me = json_ok(dev.get("/api/v1/me").await, 200).await;
        assert_eq!(me["memberships"][0]["role"], "contributor");

        // Markdown XSS: stored as written, rendered without scripts, handlers or javascript: links.
        let evil = "<script>alert(1)</script><img src=x onerror=alert(1)> [click](javascript:alert(1)) <a href=\"jAvAsCrIpT:alert(2)\">x</a> <iframe src=//evil.example></iframe>";
        let c = json_ok(dev.post(&format!("/api/v1/projects/{p}/comments"), json!({"body": evil})).await, 201).await;
        let html = c["body_html"].as_str().unwrap();
        assert_eq!(unsafe_tags(html), Vec::<String>::new(), "{html}");
        assert_eq!(c["body"], evil);
        let f = features["items"][0]["id"].as_str().unwrap().to_owned();
        json_ok(pdm.post(&format!("/api/v1/features/{f}/comments"), json!({"body": evil})).await, 201).await;
        let page = pdm.get(&format!("/features/{f}")).await.text().await.unwrap();
        let comments = page.split("Discussion").nth(1).unwrap_or(&page);
        assert_eq!(unsafe_tags(comments), Vec::<String>::new());

        // CSV formula injection: cells that a spreadsheet would run are quoted as text.
        json_ok(pdm.post(&format!("/api/v1/products/{pr}/features"), json!({"title": "=HYPERLINK(\"http://evil.example\",\"x\")"})).await, 201).await;
        json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "+cmd|' /C calc'!A0"})).await, 201).await;
        json_ok(dev.post(&format!("/api/v1/products/{pr}/feedback"), json!({"text": "@SUM(1+1)*cmd"})).await, 201).await;
        let csv = pdm.get(&format!("/api/v1/products/{pr}/features.csv")).await.text().await.unwrap();
        assert!(csv.contains("'=HYPERLINK") && !csv.contains(",=HYPERLINK"), "{csv}");
        let csv = pm.get(&format!("/api/v1/projects/{p}/tasks.csv")).await.text().await.unwrap();
        assert!(csv.contains("'+cmd") && !csv.contains(",+cmd"), "{csv}");
        let csv = pdm.get(&format!("/api/v1/products/{pr}/feedback.csv")).await.text().await.unwrap();
        assert!(csv.contains("'@SUM") && !csv.contains(",@SUM"), "{csv}");

        // Path traversal in the only file paths the server serves.
        for path in ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fCargo.toml", "/static/app.css/../../../etc/passwd"] {
            let r = app.anonymous().get(path).await;
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!(!body.contains("root:") && !body.contains("[package]"), "{path}: {status}");
            assert!(status == 404 || status == 400 || status == 303 || status == 308, "{path}: {status}");
        }

        // Open redirects after signing in: only local paths.
        let client = crate::support::client_builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for next in ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "\\\\evil.example"] {
            let r = client.post(app.url("/login"))
                .header("origin", app.url("").trim_end_matches('/'))
                .form(&[("email", "pm@demo.example"), ("password", "demo-pm-2026"), ("next", next)])
                .send().await.unwrap();
            let to = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            assert!(to.starts_with('/') && !to.starts_with("//") && !to.contains('\\'), "{next} → {to}");
        }
        healthy(&app).await;
    })
    .await;
}
