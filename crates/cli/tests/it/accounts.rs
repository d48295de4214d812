//! Sign-in, throttling, sessions, API tokens, CSRF, invitations.

use reqwest::Method;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{expect_error, json_ok, on_each_database};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_401_and_repeated_failures_429() {
    on_each_database("wrong_password_is_401_and_repeated_failures_429", |app| async move {
        app.seed_demo().await;
        let anon = app.anonymous();
        for _ in 0..5 {
            let r = anon
                .post("/api/v1/auth/login", json!({"email": "pdm@demo.example", "password": "wrong password"}))
                .await;
            expect_error(r, 401, "invalid_credentials").await;
        }
        // The sixth attempt within the minute is refused, even with the right password.
        let r =
            anon.post("/api/v1/auth/login", json!({"email": "pdm@demo.example", "password": "demo-pdm-2026"})).await;
        let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "retry-after {retry}");
        expect_error(r, 429, "rate_limited").await;
        // Other accounts are not locked by it.
        let r = app
            .anonymous()
            .post("/api/v1/auth/login", json!({"email": "pm@demo.example", "password": "demo-pm-2026"}))
            .await;
        assert_eq!(r.status(), 200);
        // A client holding a session may sign in as someone else without
        // that session's CSRF token; the origin check still applies.
        let mut holder = app.login_as(Role::Admin).await;
        holder.csrf = None;
        let r =
            holder.post("/api/v1/auth/login", json!({"email": "pm@demo.example", "password": "demo-pm-2026"})).await;
        assert_eq!(r.status(), 200);
        assert_eq!(json_ok(holder.get("/api/v1/me").await, 200).await["user"]["email"], "pm@demo.example");
        let r = holder
            .request(reqwest::Method::POST, "/api/v1/auth/login")
            .header("origin", "http://evil.example")
            .json(&json!({"email": "pm@demo.example", "password": "demo-pm-2026"}))
            .send()
            .await
            .unwrap();
        expect_error(r, 403, "csrf_failed").await;
        // An unknown account answers like a wrong password.
        let r = app
            .anonymous()
            .post("/api/v1/auth/login", json!({"email": "nobody@demo.example", "password": "whatever1"}))
            .await;
        expect_error(r, 401, "invalid_credentials").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_me_and_logout() {
    on_each_database("sessions_me_and_logout", |app| async move {
        let ws = app.seed_demo().await;
        expect_error(app.anonymous().get("/api/v1/me").await, 401, "unauthenticated").await;
        let pdm = app.login_as(Role::ProductManager).await;
        let me = json_ok(pdm.get("/api/v1/me").await, 200).await;
        assert_eq!(me["user"]["email"], "pdm@demo.example");
        assert_eq!(me["memberships"][0]["workspace"]["id"], ws.as_str());
        assert_eq!(me["memberships"][0]["role"], "product_manager");
        assert_eq!(me["csrf_token"].as_str(), pdm.csrf.as_deref());
        // The cookie is HttpOnly and SameSite=Lax.
        let r = app
            .anonymous()
            .post("/api/v1/auth/login", json!({"email": "pm@demo.example", "password": "demo-pm-2026"}))
            .await;
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "no Secure flag without --secure-cookies: {cookie}");

        assert_eq!(pdm.post("/api/v1/auth/logout", json!({})).await.status(), 204);
        expect_error(pdm.get("/api/v1/me").await, 401, "unauthenticated").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_work_as_bearer_and_revoked_ones_are_refused() {
    on_each_database("api_tokens_work_as_bearer_and_revoked_ones_are_refused", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let created = json_ok(pm.post("/api/v1/tokens", json!({"name": "ci script"})).await, 201).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let id = created["id"].as_str().unwrap().to_owned();

        let bot = pm.with_bearer(&token);
        let me = json_ok(bot.get("/api/v1/me").await, 200).await;
        assert_eq!(me["user"]["email"], "pm@demo.example");
        assert_eq!(me["csrf_token"], Value::Null);
        // Bearer requests need no CSRF token.
        json_ok(bot.post("/api/v1/tokens", json!({"name": "second"})).await, 201).await;

        // Listing never shows the secret.
        let list = pm.get("/api/v1/tokens").await.text().await.unwrap();
        assert!(!list.contains(&token));
        assert!(list.contains("ci script"));
        // Its use is marked (at most once a minute), and shown. The mark
        // is written only when the writer is free, so a busy machine may
        // take another use (bounded) before it shows.
        let mut used = Value::Null;
        for _ in 0..50 {
            let list = json_ok(pm.get("/api/v1/tokens").await, 200).await;
            used = list.as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).unwrap().clone();
            if used["last_used_at"].is_string() {
                break;
            }
            json_ok(bot.get("/api/v1/me").await, 200).await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(used["last_used_at"].is_string(), "{used}");
        app.clock.set(tandem_core::Millis(app.state.clock.now().0 + 61_000));
        // The mark is written only when the writer is free (a read never
        // waits for it), so a busy machine may need another use.
        let mut again = Value::Null;
        for _ in 0..50 {
            json_ok(bot.get("/api/v1/me").await, 200).await;
            let list = json_ok(pm.get("/api/v1/tokens").await, 200).await;
            again = list.as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).unwrap().clone();
            if again["last_used_at"].as_str() > used["last_used_at"].as_str() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(again["last_used_at"].as_str() > used["last_used_at"].as_str(), "{again}");

        // Another user cannot revoke it: not found.
        let other = app.login_as(Role::Admin).await;
        expect_error(other.delete(&format!("/api/v1/tokens/{id}")).await, 404, "not_found").await;

        assert_eq!(pm.delete(&format!("/api/v1/tokens/{id}")).await.status(), 204);
        expect_error(bot.get("/api/v1/me").await, 401, "unauthenticated").await;
        expect_error(bot.get(&format!("/api/v1/workspaces/{ws}/members")).await, 401, "unauthenticated").await;
        expect_error(pm.with_bearer("tdm_madeup").get("/api/v1/me").await, 401, "unauthenticated").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_writes_need_the_csrf_token_and_our_origin() {
    on_each_database("cookie_writes_need_the_csrf_token_and_our_origin", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        let path = format!("/api/v1/workspaces/{ws}");
        let body = json!({"name": "Renamed", "version": 1});

        let mut no_token = admin.clone();
        no_token.csrf = None;
        expect_error(no_token.patch(&path, body.clone()).await, 403, "csrf_failed").await;

        let mut wrong = admin.clone();
        wrong.csrf = Some("not-the-token".into());
        expect_error(wrong.patch(&path, body.clone()).await, 403, "csrf_failed").await;

        let r = admin
            .request(Method::PATCH, &path)
            .header("origin", "http://evil.example")
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_error(r, 403, "csrf_failed").await;
        let r = admin
            .request(Method::PATCH, &path)
            .header("sec-fetch-site", "cross-site")
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_error(r, 403, "csrf_failed").await;

        // Nothing changed so far.
        let w = json_ok(admin.get(&path).await, 200).await;
        assert_eq!((w["name"].as_str(), w["version"].as_i64()), (Some("Demo: Acme Checkout"), Some(1)));

        let r =
            admin.request(Method::PATCH, &path).header("origin", app.base.as_str()).json(&body).send().await.unwrap();
        let w = json_ok(r, 200).await;
        assert_eq!(w["name"], "Renamed");
        assert_eq!(w["version"], 2);

        // A form post carries the token as a field instead.
        let r = admin
            .client
            .post(app.url("/api/v1/auth/logout"))
            .form(&[("csrf_token", admin.csrf.clone().unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_create_the_account_once() {
    on_each_database("invitations_create_the_account_once", |app| async move {
        let ws = app.seed_demo().await;
        let admin = app.login_as(Role::Admin).await;
        let added = json_ok(
            admin
                .post(
                    &format!("/api/v1/workspaces/{ws}/members"),
                    json!({"email": "New.Person@Example.com", "role": "contributor"}),
                )
                .await,
            201,
        )
        .await;
        assert_eq!(added["member"], Value::Null);
        let link = added["invitation_url"].as_str().unwrap();
        let token = link.rsplit('/').next().unwrap();

        let anon = app.anonymous();
        let short = anon
            .post(&format!("/api/v1/invitations/{token}"), json!({"name": "New Person", "password": "short"}))
            .await;
        expect_error(short, 422, "invalid_value").await;
        let ok = json_ok(
            anon.post(
                &format!("/api/v1/invitations/{token}"),
                json!({"name": "New Person", "password": "a good passphrase"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(ok["workspace_id"], ws.as_str());
        let again = anon
            .post(&format!("/api/v1/invitations/{token}"), json!({"name": "X", "password": "another passphrase"}))
            .await;
        expect_error(again, 404, "not_found").await;

        let newbie = app.login("new.person@example.com", "a good passphrase").await;
        let me = json_ok(newbie.get("/api/v1/me").await, 200).await;
        assert_eq!(me["memberships"][0]["role"], "contributor");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_sessions() {
    on_each_database("changing_the_password_ends_sessions", |app| async move {
        app.seed_demo().await;
        let dev = app.login_as(Role::Contributor).await;
        let other_device = app.login_as(Role::Contributor).await;
        let wrong = dev
            .post("/api/v1/me/password", json!({"current_password": "nope nope", "new_password": "new passphrase"}))
            .await;
        expect_error(wrong, 401, "invalid_credentials").await;
        let weak = dev
            .post("/api/v1/me/password", json!({"current_password": "demo-dev-2026", "new_password": "short"}))
            .await;
        expect_error(weak, 422, "invalid_value").await;
        let ok = dev
            .post("/api/v1/me/password", json!({"current_password": "demo-dev-2026", "new_password": "new passphrase"}))
            .await;
        assert_eq!(ok.status(), 204);
        expect_error(other_device.get("/api/v1/me").await, 401, "unauthenticated").await;
        let r = app
            .anonymous()
            .post("/api/v1/auth/login", json!({"email": "dev@demo.example", "password": "demo-dev-2026"}))
            .await;
        expect_error(r, 401, "invalid_credentials").await;
        app.login("dev@demo.example", "new passphrase").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_when_configured() {
    let db = crate::support::TestDb::sqlite();
    let config = tandem_server::Config { secure_cookies: true, ..Default::default() };
    let app = crate::support::TestApp::start(&db, config).await;
    app.seed_demo().await;
    let r = app
        .anonymous()
        .post("/api/v1/auth/login", json!({"email": "pm@demo.example", "password": "demo-pm-2026"}))
        .await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    db.destroy().await;
}

/// A person's own reading preferences and a workspace's time zone: checked,
/// versioned, and what the pages use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_and_time_zone_are_checked_and_versioned() {
    on_each_database("preferences_and_time_zone_are_checked_and_versioned", |app| async move {
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let me = json_ok(pdm.get("/api/v1/me").await, 200).await;
        assert_eq!(me["user"]["date_order"], "day_month");
        assert_eq!(me["user"]["theme"], "system");
        let v = me["user"]["version"].as_i64().unwrap();

        // A bad word is a 422 naming the field; nothing changes.
        let r = pdm.patch("/api/v1/me", json!({"theme": "purple", "version": v})).await;
        let e = expect_error(r, 422, "invalid_value").await;
        assert_eq!(e["error"]["details"]["field"], "theme", "{e}");
        let r = pdm.patch("/api/v1/me", json!({"date_order": "month_day", "theme": "dark", "version": v})).await;
        let u = json_ok(r, 200).await;
        assert_eq!((u["date_order"].as_str(), u["theme"].as_str()), (Some("month_day"), Some("dark")));
        // A stale version is refused.
        let r = pdm.patch("/api/v1/me", json!({"theme": "light", "version": v})).await;
        expect_error(r, 412, "version_mismatch").await;
        // The pages follow: dark colours and month-first dates.
        let html = pdm.get(&format!("/w/{ws}/project")).await.text().await.unwrap();
        assert!(html.contains(r#"data-theme="dark""#), "theme not applied");
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let month_first = weekdays.iter().any(|d| months.iter().any(|m| html.contains(&format!("{d}, {m} "))));
        assert!(month_first, "dates not month-first");

        // The workspace's zone: admins only, a known name.
        let admin = app.login_as(Role::Admin).await;
        let w = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}")).await, 200).await;
        assert_eq!(w["time_zone"], "UTC");
        let wv = w["version"].as_i64().unwrap();
        let name = w["name"].as_str().unwrap().to_owned();
        let r = admin
            .patch(
                &format!("/api/v1/workspaces/{ws}"),
                json!({"name": name, "time_zone": "Mars/Olympus", "version": wv}),
            )
            .await;
        let e = expect_error(r, 422, "invalid_value").await;
        assert_eq!(e["error"]["details"]["field"], "time_zone", "{e}");
        let r = pdm
            .patch(
                &format!("/api/v1/workspaces/{ws}"),
                json!({"name": name, "time_zone": "Europe/Berlin", "version": wv}),
            )
            .await;
        assert_eq!(r.status(), 403);
        let r = admin
            .patch(
                &format!("/api/v1/workspaces/{ws}"),
                json!({"name": name, "time_zone": "Europe/Berlin", "version": wv}),
            )
            .await;
        assert_eq!(json_ok(r, 200).await["time_zone"], "Europe/Berlin");
        // Times now read in Berlin's zone, with its abbreviation on hover.
        let html = admin.get("/notifications").await.text().await.unwrap();
        assert!(html.contains(" CET\"") || html.contains("Nothing yet"), "zone not applied");
    })
    .await;
}
