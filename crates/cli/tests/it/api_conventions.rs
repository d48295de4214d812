//! The conventions of `api.md`: error bodies, versions, limits, lists,
//! health, headers, the OpenAPI document.

use reqwest::Method;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{expect_error, json_ok, on_each_database};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_versions_get_412_and_change_nothing() {
    on_each_database("stale_versions_get_412_and_change_nothing", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        let path = format!("/api/v1/workspaces/{ws}");
        json_ok(admin.patch(&path, json!({"name": "First", "version": 1})).await, 200).await;
        // A second editor still holding version 1.
        let body =
            expect_error(admin.patch(&path, json!({"name": "Second", "version": 1})).await, 412, "version_mismatch")
                .await;
        assert_eq!(body["error"]["details"]["current_version"], 2);
        // The same through If-Match.
        let r = admin
            .request(Method::PATCH, &path)
            .header("if-match", "\"1\"")
            .json(&json!({"name": "Third"}))
            .send()
            .await
            .unwrap();
        expect_error(r, 412, "version_mismatch").await;
        let r = admin
            .request(Method::PATCH, &path)
            .header("if-match", "2")
            .json(&json!({"name": "Third"}))
            .send()
            .await
            .unwrap();
        assert_eq!(json_ok(r, 200).await["version"], 3);
        // No version at all is refused rather than guessed.
        expect_error(admin.patch(&path, json!({"name": "Fourth"})).await, 422, "invalid_value").await;
        let w = json_ok(admin.get(&path).await, 200).await;
        assert_eq!((w["name"].as_str(), w["version"].as_i64()), (Some("Third"), Some(3)));

        // Members too.
        let list = json_ok(admin.get(&format!("{path}/members")).await, 200).await;
        let dev =
            list["items"].as_array().unwrap().iter().find(|m| m["email"] == "dev@demo.example").unwrap()["id"].clone();
        let dev = dev.as_str().unwrap();
        json_ok(admin.patch(&format!("{path}/members/{dev}"), json!({"role": "stakeholder", "version": 1})).await, 200)
            .await;
        expect_error(
            admin.patch(&format!("{path}/members/{dev}"), json!({"role": "admin", "version": 1})).await,
            412,
            "version_mismatch",
        )
        .await;
        let m = json_ok(admin.get(&format!("{path}/members/{dev}")).await, 200).await;
        assert_eq!(m["role"], "stakeholder");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_get_clear_errors() {
    on_each_database("bad_bodies_get_clear_errors", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        let path = format!("/api/v1/workspaces/{ws}/members");

        // Oversized: refused from the declared length, with the error body.
        // The server answers without reading the body and closes the
        // connection, saying so, lest the client send the next request on
        // it. The body is never sent here: a client still writing it when
        // the server closes sees a broken pipe instead of the answer.
        let addr = app.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
        let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            2 * 1024 * 1024
        );
        tokio::io::AsyncWriteExt::write_all(&mut sock, head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut sock, &mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer).to_string();
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
        let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "payload_too_large");
        assert!(body["error"]["details"]["limit_bytes"].as_u64().unwrap() >= 1024);

        // Malformed JSON.
        let r = admin
            .request(Method::POST, &path)
            .header("content-type", "application/json")
            .body("{\"email\": ")
            .send()
            .await
            .unwrap();
        expect_error(r, 400, "malformed_request").await;
        let r = admin
            .request(Method::POST, &path)
            .header("content-type", "application/json")
            .body("{\"email\": \"a\" \"role\"}")
            .send()
            .await
            .unwrap();
        expect_error(r, 400, "malformed_request").await;
        // Deeply nested JSON is refused, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let r = admin
            .request(Method::POST, &path)
            .header("content-type", "application/json")
            .body(deep)
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 400 | 422), "{}", r.status());
        // Wrong shape.
        expect_error(admin.post(&path, json!({"email": 5, "role": []})).await, 422, "invalid_value").await;
        // Not JSON at all.
        let r =
            admin.request(Method::POST, &path).header("content-type", "text/plain").body("hello").send().await.unwrap();
        expect_error(r, 415, "unsupported_media_type").await;

        // Nothing was stored, and the server is healthy.
        let list = json_ok(admin.get(&path).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 5);
        assert_eq!(app.anonymous().get("/healthz").await.status(), 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_with_cursors_and_validate_parameters() {
    on_each_database("lists_page_with_cursors_and_validate_parameters", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let q = match &cursor {
                Some(c) => format!("?limit=2&cursor={c}"),
                None => "?limit=2".to_owned(),
            };
            let page = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/members{q}")).await, 200).await;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(|m| m["email"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5);
        seen.dedup();
        assert_eq!(seen.len(), 5);
        for q in ["?limit=0", "?limit=201", "?limit=x", "?cursor=abc", "?sort=role;DROP TABLE users", "?bogus=1"] {
            expect_error(pm.get(&format!("/api/v1/workspaces/{ws}/members{q}")).await, 400, "invalid_query").await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_headers_and_unknown_routes() {
    on_each_database("health_headers_and_unknown_routes", |app| async move {
        let anon = app.anonymous();
        assert_eq!(anon.get("/healthz").await.status(), 200);
        assert_eq!(anon.get("/readyz").await.status(), 200);
        let r = anon.get("/api/v1/nothing-here").await;
        let h = r.headers().clone();
        expect_error(r, 404, "not_found").await;
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.get("x-request-id").is_some_and(|v| v.len() >= 8));
        // A caller's request id is kept.
        let r = anon.request(Method::GET, "/healthz").header("x-request-id", "abc-123").send().await.unwrap();
        assert_eq!(r.headers()["x-request-id"], "abc-123");
        let r = anon.request(Method::PUT, "/api/v1/me").send().await.unwrap();
        assert_eq!(r.status(), 405);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_endpoint() {
    on_each_database("openapi_documents_every_endpoint", |app| async move {
        let doc = json_ok(app.anonymous().get("/api/v1/openapi.json").await, 200).await;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        let expected: &[(&str, &[&str])] = &[
            ("/api/v1/auth/login", &["post"]),
            ("/api/v1/auth/logout", &["post"]),
            ("/api/v1/me", &["get"]),
            ("/api/v1/me/password", &["post"]),
            ("/api/v1/tokens", &["get", "post"]),
            ("/api/v1/tokens/{id}", &["delete"]),
            ("/api/v1/invitations/{token}", &["post"]),
            ("/api/v1/workspaces", &["get", "post"]),
            ("/api/v1/workspaces/{ws}", &["get", "patch"]),
            ("/api/v1/workspaces/{ws}/members", &["get", "post"]),
            ("/api/v1/workspaces/{ws}/members/{id}", &["get", "patch", "delete"]),
            ("/api/v1/workspaces/{ws}/activity", &["get"]),
        ];
        for (path, methods) in expected {
            let ops = paths.get(*path).unwrap_or_else(|| panic!("{path} missing from the OpenAPI document"));
            for m in *methods {
                assert!(ops.get(*m).is_some(), "{m} {path} missing");
            }
        }
        // Every documented operation answers (not 404/405) when called.
        let admin_ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        for (path, ops) in paths {
            for (method, _) in ops.as_object().unwrap() {
                let p = path.replace("{ws}", &admin_ws).replace("{id}", "1").replace("{token}", "x");
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let r = admin.request(m, &p).json(&Value::Object(Default::default())).send().await.unwrap();
                assert_ne!(r.status(), 405, "{method} {path}");
                if r.status() == 404 {
                    let b: Value = r.json().await.unwrap();
                    assert_eq!(b["error"]["code"], "not_found", "{method} {path}");
                }
            }
        }
    })
    .await;
}
