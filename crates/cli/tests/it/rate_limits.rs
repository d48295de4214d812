//! Rate limits: writes per API token and per person, sign-in attempts per
//! client address (behind a trusted proxy, the address it forwards for),
//! 429 with Retry-After, counted together by servers sharing PostgreSQL.

use serde_json::{Value, json};
use tandem_core::{Millis, Role};
use tandem_server::Config;

use crate::support::{TestApp, client, expect_error, json_ok, new_project, on_each_database_with, postgres_url};

fn limited() -> Config {
    Config { writes_per_minute: 5, sign_ins_per_minute: 3, ..Config::default() }
}

/// A 429 that says how long to wait, in the header and the body.
async fn refused(r: reqwest::Response) -> u64 {
    let header: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let body = expect_error(r, 429, "rate_limited").await;
    assert_eq!(body["error"]["details"]["retry_after_seconds"], header);
    assert!((1..=60).contains(&header), "{header}");
    header
}

async fn add_task(api: &crate::support::Api, p: &str, name: &str) -> reqwest::Response {
    api.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": name})).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_limited_per_person_and_per_token() {
    on_each_database_with("writes_are_limited_per_person_and_per_token", limited, |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = new_project(&pm, &ws, "Limited", "LIM").await; // write 1
        let token: Value = json_ok(pm.post("/api/v1/tokens", json!({"name": "bot"})).await, 201).await; // write 2
        for i in 3..=5 {
            json_ok(add_task(&pm, &p, &format!("by hand {i}")).await, 201).await;
        }
        refused(add_task(&pm, &p, "one too many").await).await;
        // Reads go on; nothing of the refused write was stored.
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        assert_eq!(tasks["items"].as_array().unwrap().len(), 3);

        // The token counts on its own, as does another person.
        let bot = pm.with_bearer(token["token"].as_str().unwrap());
        for i in 1..=5 {
            json_ok(add_task(&bot, &p, &format!("scripted {i}")).await, 201).await;
        }
        refused(add_task(&bot, &p, "scripted 6").await).await;
        let admin = app.login_as(Role::Admin).await;
        json_ok(add_task(&admin, &p, "the admin's").await, 201).await;

        // A minute on, the window is new.
        app.clock.set(Millis(app.state.clock.now().0 + 61_000));
        json_ok(add_task(&pm, &p, "next minute").await, 201).await;
        json_ok(add_task(&bot, &p, "next minute too").await, 201).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_limited_per_client_address() {
    on_each_database_with("sign_in_attempts_are_limited_per_client_address", limited, |app| async move {
        app.seed_demo().await;
        let login = |email: &'static str, password: &'static str, forwarded: Option<&'static str>| {
            let mut rb =
                client().post(app.url("/api/v1/auth/login")).json(&json!({"email": email, "password": password}));
            if let Some(f) = forwarded {
                rb = rb.header("x-forwarded-for", f);
            }
            rb.send()
        };
        assert_eq!(login("pm@demo.example", "demo-pm-2026", None).await.unwrap().status(), 200);
        assert_eq!(login("dev@demo.example", "wrong", None).await.unwrap().status(), 401);
        assert_eq!(login("dev@demo.example", "demo-dev-2026", None).await.unwrap().status(), 200);
        // The fourth attempt from this address is refused, right password or not.
        refused(login("admin@demo.example", "demo-admin-2026", None).await.unwrap()).await;
        // A forwarded address from a client that is no trusted proxy changes nothing.
        refused(login("admin@demo.example", "demo-admin-2026", Some("203.0.113.5")).await.unwrap()).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_counts_alone() {
    let db = crate::support::TestDb::sqlite();
    let trusted = tandem_server::limits::parse_proxies("127.0.0.1").unwrap();
    let app = TestApp::start(&db, Config { trusted_proxies: trusted, ..limited() }).await;
    app.seed_demo().await;
    let login = |forwarded: &'static str| {
        client()
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": "pm@demo.example", "password": "demo-pm-2026"}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(login("198.51.100.7").await.unwrap().status(), 200);
    }
    refused(login("198.51.100.7").await.unwrap()).await;
    // Another client behind the same proxy, and one that claims an address
    // at the left of the list: counted by the address the proxy saw.
    assert_eq!(login("198.51.100.8").await.unwrap().status(), 200);
    refused(login("10.0.0.1, 198.51.100.7").await.unwrap()).await;
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_sharing_postgres_count_together() {
    let Some(admin) = postgres_url("servers_sharing_postgres_count_together") else {
        return;
    };
    let db = crate::support::TestDb::postgres(&admin).await;
    let a = TestApp::start(&db, limited()).await;
    let b = TestApp::start(&db, limited()).await;
    let ws = a.seed_demo().await;
    let on_a = a.login_as(Role::ProjectManager).await;
    let on_b = b.login_as(Role::ProjectManager).await;
    let p = new_project(&on_a, &ws, "Shared", "SHR").await;
    json_ok(add_task(&on_a, &p, "a1").await, 201).await;
    json_ok(add_task(&on_b, &p, "b1").await, 201).await;
    json_ok(add_task(&on_b, &p, "b2").await, 201).await;
    json_ok(add_task(&on_a, &p, "a2").await, 201).await;
    refused(add_task(&on_b, &p, "b3").await).await;
    refused(add_task(&on_a, &p, "a3").await).await;
    drop((a, b));
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_batches_are_limited_per_client_address() {
    let db = crate::support::TestDb::sqlite();
    let config = Config {
        ingest_per_address_per_minute: 2,
        trusted_proxies: tandem_server::limits::parse_proxies("127.0.0.1").unwrap(),
        ..Config::default()
    };
    let app = TestApp::start(&db, config).await;
    let ws = app.seed_demo().await;
    let pdm = app.login_as(Role::ProductManager).await;
    let pr = crate::analytics::quiet_product(&pdm, &ws).await;
    let made =
        json_ok(pdm.post(&format!("/api/v1/products/{pr}/ingest-keys"), json!({"name": "Web"})).await, 201).await;
    let key = made["key"].as_str().unwrap().to_owned();
    let send = |from: &'static str| {
        client()
            .post(app.url("/api/v1/ingest/events"))
            .bearer_auth(&key)
            .header("x-forwarded-for", from)
            .json(&json!({"batch": [{"event": "opened", "distinct_id": "ana", "timestamp": "2027-01-10T09:00:00Z"}]}))
            .send()
    };
    json_ok(send("198.51.100.20").await.unwrap(), 200).await;
    json_ok(send("198.51.100.20").await.unwrap(), 200).await;
    let r = send("198.51.100.20").await.unwrap();
    // Browsers read the refusal too: the answer carries the CORS headers.
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    refused(r).await;
    json_ok(send("198.51.100.21").await.unwrap(), 200).await;
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_says_when_to_try_again() {
    let db = crate::support::TestDb::sqlite();
    let app = TestApp::start(&db, limited()).await;
    app.seed_demo().await;
    let form = |password: &'static str| {
        client().post(app.url("/login")).form(&[("email", "pm@demo.example"), ("password", password)]).send()
    };
    for _ in 0..3 {
        form("not the password").await.unwrap();
    }
    // Thirty seconds into the window, half a minute is left to wait.
    app.clock.set(Millis(app.state.clock.now().0 + 30_000));
    let r = form("demo-pm-2026").await.unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((29..=31).contains(&wait), "{wait}");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("try again in"), "{page}");
    // Changing one's password tries a password too: counted the same way.
    let r = client()
        .post(app.url("/api/v1/me/password"))
        .json(&json!({"current_password": "guess", "new_password": "another long one"}))
        .send()
        .await
        .unwrap();
    refused(r).await;
    db.destroy().await;
}
