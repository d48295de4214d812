//! Webhooks against a real receiver: an HTTP server started here on a
//! free port that keeps what it is sent and answers as told. Signed
//! deliveries of subscribed events only, retries with backoff, an
//! endpoint disabled after a day of failures (its admins told), deliveries
//! sent again by hand, chat messages; and the address guard: loopback,
//! private, link-local and metadata addresses, names resolving to them
//! and redirects, all refused unless private ranges are allowed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tandem_app::outbound::{Outbound, Outcome};
use tandem_core::{Millis, Role};
use tandem_server::Config;

use crate::support::{Api, TestApp, databases, expect_error, json_ok};

/// What the receiver was sent.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: String,
}

/// A webhook receiver: keeps every request, answers with `status` (and
/// `Location`, when set).
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<(u16, Option<String>)>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let r = Receiver { answer: Arc::new(Mutex::new((200, None))), ..Receiver::default() };
        let state = r.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                state.got.lock().unwrap().push(Received { headers, body });
                let (status, location) = state.answer.lock().unwrap().clone();
                let status = StatusCode::from_u16(status).unwrap();
                match location {
                    Some(l) => (status, [("location", l)], "moved").into_response(),
                    None => (status, "thanks").into_response(),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, format!("http://127.0.0.1:{port}/hooks/tandem"))
    }

    fn answer(&self, status: u16, location: Option<&str>) {
        *self.answer.lock().unwrap() = (status, location.map(str::to_owned));
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// Waits (up to 20 s) until `f` gives a value.
async fn until<T, F, Fut>(what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn config(allow_private: bool) -> Config {
    Config { webhooks_allow_private: allow_private, outbox_poll: Duration::from_millis(100), ..Config::default() }
}

/// Checks a delivery's signature the way a receiver would, from the
/// Standard Webhooks scheme.
fn verify(secret: &str, r: &Received) {
    let h = |k: &str| r.headers.get(k).unwrap().to_str().unwrap().to_owned();
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", h("webhook-id"), h("webhook-timestamp"), r.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(h("webhook-signature"), expected, "signature of {}", r.body);
    assert_eq!(h("content-type"), "application/json");
}

async fn project_of(api: &Api, ws: &str) -> String {
    let list = json_ok(api.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
    list["items"][0]["id"].as_str().unwrap().to_owned()
}

async fn deliveries(api: &Api, hook: &str) -> Vec<Value> {
    let list = json_ok(api.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await, 200).await;
    list["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribed_events_are_delivered_signed_and_retried() {
    let test = "subscribed_events_are_delivered_signed_and_retried";
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        let app = TestApp::start(&db, config(true)).await;
        let ws = app.seed_demo().await;
        let (admin, pm) = (app.login_as(Role::Admin).await, app.login_as(Role::ProjectManager).await);
        let (rx, url) = Receiver::start().await;

        // Admins only; the secret is given once.
        let body = json!({"url": url, "events": ["task"]});
        expect_error(pm.post(&format!("/api/v1/workspaces/{ws}/webhooks"), body.clone()).await, 403, "forbidden").await;
        let made = json_ok(admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), body).await, 201).await;
        let secret = made["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"), "{made}");
        assert_eq!((made["format"].as_str(), made["enabled"].as_bool()), (Some("standard"), Some(true)));
        let hook_id = made["id"].as_str().unwrap().to_owned();
        let hook = hook_id.as_str();
        let (rx, admin) = (&rx, &admin);
        let read = json_ok(admin.get(&format!("/api/v1/webhooks/{hook}")).await, 200).await;
        assert!(read.get("secret").is_none(), "{read}");
        expect_error(pm.get(&format!("/api/v1/webhooks/{hook}")).await, 403, "forbidden").await;
        for bad in [json!({"url": url, "events": ["tasks"]}), json!({"url": "ftp://x", "events": ["task"]})] {
            expect_error(admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), bad).await, 422, "invalid_value")
                .await;
        }

        // A task made: one signed delivery of task.created. A feature made:
        // none (not subscribed).
        let p = project_of(&pm, &ws).await;
        let task =
            json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Wire the hook"})).await, 201).await;
        let products = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let pr = products["items"][0]["id"].as_str().unwrap().to_owned();
        json_ok(admin.post(&format!("/api/v1/products/{pr}/features"), json!({"title": "Not sent"})).await, 201).await;
        let got = until("the delivery", || async move {
            let r = rx.received();
            (!r.is_empty()).then_some(r)
        })
        .await;
        verify(&secret, &got[0]);
        let sent: Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(sent["type"], "task.created");
        assert_eq!(sent["data"]["subject_id"], task["id"]);
        assert_eq!(sent["data"]["after"]["name"], "Wire the hook");
        let log = until("the log to show it delivered", || async move {
            let d = deliveries(admin, hook).await;
            (d.len() == 1 && d[0]["status"] == "delivered").then_some(d)
        })
        .await;
        assert_eq!((log[0]["response_status"].as_i64(), log[0]["attempts"].as_i64()), (Some(200), Some(1)));
        assert_eq!(log[0]["payload"], sent);
        assert_eq!(rx.received().len(), 1, "the feature was not sent");

        // A failing receiver: kept pending with its answer, tried again
        // after 5 seconds, delivered once it answers.
        rx.answer(500, None);
        let t = task["id"].as_str().unwrap();
        let v = task["version"].as_i64().unwrap();
        json_ok(
            pm.patch(&format!("/api/v1/tasks/{t}"), json!({"name": "Wire the hook well", "version": v})).await,
            200,
        )
        .await;
        let failed = until("the failed attempt", || async move {
            let d = deliveries(admin, hook).await;
            (d[0]["attempts"] == 1 && d[0]["status"] == "pending").then(|| d[0].clone())
        })
        .await;
        assert_eq!(failed["response_status"], 500);
        assert_eq!(failed["response_body"], "thanks");
        let at = |k: &str| failed[k].as_str().unwrap().parse::<jiff::Timestamp>().unwrap().as_millisecond();
        assert_eq!(at("next_attempt_at") - at("last_attempt_at"), 5_000, "{failed}");
        rx.answer(204, None);
        app.clock.set(Millis(app.state.clock.now().0 + 6_000));
        let ok = until("the retry", || async move {
            let d = deliveries(admin, hook).await;
            (d[0]["status"] == "delivered").then(|| d[0].clone())
        })
        .await;
        assert_eq!((ok["attempts"].as_i64(), ok["response_status"].as_i64()), (Some(2), Some(204)));
        let all = rx.received();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].body, all[2].body, "a retry sends the same body");
        assert_eq!(all[1].headers["webhook-id"], all[2].headers["webhook-id"], "and the same message id");
        verify(&secret, &all[2]);

        // Sent again by hand: a new delivery with the same body.
        let first = log[0]["id"].as_str().unwrap();
        let again =
            json_ok(admin.post(&format!("/api/v1/webhook-deliveries/{first}/redeliver"), json!({})).await, 202).await;
        assert_eq!(again["payload"], sent);
        until("the redelivery", || async move { (rx.received().len() == 4).then_some(()) }).await;
        assert_eq!(rx.received()[3].body, got[0].body);
        expect_error(
            pm.post(&format!("/api/v1/webhook-deliveries/{first}/redeliver"), json!({})).await,
            403,
            "forbidden",
        )
        .await;

        // A day of failures disables the endpoint and tells the admins.
        rx.answer(503, None);
        json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Doomed"})).await, 201).await;
        until("a failure", || async move {
            let d = deliveries(admin, hook).await;
            (d[0]["attempts"] == 1).then_some(())
        })
        .await;
        app.clock.set(Millis(app.state.clock.now().0 + 25 * 3600 * 1000));
        let off = until("the endpoint disabled", || async move {
            let w = json_ok(admin.get(&format!("/api/v1/webhooks/{hook}")).await, 200).await;
            (w["enabled"] == false).then_some(w)
        })
        .await;
        assert!(off["disabled_reason"].as_str().unwrap().contains("a day"), "{off}");
        let notes = json_ok(admin.get("/api/v1/notifications?unread=true").await, 200).await;
        let told = notes["items"].as_array().unwrap().iter().any(|n| n["reason"] == "webhook_disabled");
        assert!(told, "{notes}");
        let d = deliveries(admin, hook).await;
        assert_eq!(d[0]["status"], "failed");
        let sent_before = rx.received().len();
        json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Unsent"})).await, 201).await;
        assert_eq!(deliveries(admin, hook).await.len(), d.len(), "a disabled endpoint queues nothing");
        assert_eq!(rx.received().len(), sent_before);

        // Enabled again by an admin: deliveries resume.
        let w = json_ok(admin.get(&format!("/api/v1/webhooks/{hook}")).await, 200).await;
        rx.answer(200, None);
        let on = json_ok(
            admin.patch(&format!("/api/v1/webhooks/{hook}"), json!({"enabled": true, "version": w["version"]})).await,
            200,
        )
        .await;
        assert_eq!((on["enabled"].as_bool(), on["disabled_reason"].as_str()), (Some(true), None));
        json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Back"})).await, 201).await;
        until("delivery after enabling", || async move {
            rx.received().iter().any(|r| r.body.contains("\"Back\"")).then_some(())
        })
        .await;
        let stale =
            admin.patch(&format!("/api/v1/webhooks/{hook}"), json!({"enabled": false, "version": w["version"]})).await;
        expect_error(stale, 412, "version_mismatch").await;
        assert_eq!(admin.delete(&format!("/api/v1/webhooks/{hook}")).await.status(), 204);
        assert_eq!(admin.get(&format!("/api/v1/webhooks/{hook}")).await.status(), 404);
        db.destroy().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_endpoints_get_a_message() {
    let test = "chat_endpoints_get_a_message";
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        let app =
            TestApp::start(&db, Config { public_url: Some("https://tandem.example".into()), ..config(true) }).await;
        let ws = app.seed_demo().await;
        let (admin, pm) = (app.login_as(Role::Admin).await, app.login_as(Role::ProjectManager).await);
        let (rx, url) = Receiver::start().await;
        let body = json!({"url": url, "events": ["task.created"], "format": "chat"});
        json_ok(admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), body).await, 201).await;
        let p = project_of(&pm, &ws).await;
        let task =
            json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Ship <it> & co"})).await, 201)
                .await;
        let rx = &rx;
        let got = until("the message", || async move { rx.received().first().cloned() }).await;
        let msg: Value = serde_json::from_str(&got.body).unwrap();
        let text = msg["text"].as_str().unwrap();
        let t = task["id"].as_str().unwrap();
        assert!(text.contains(&format!("created <https://tandem.example/tasks/{t}|task ")), "{text}");
        assert!(text.contains("Ship &lt;it&gt; &amp; co>"), "{text}");
        db.destroy().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_unless_allowed() {
    let test = "private_addresses_are_refused_unless_allowed";
    let db = databases(test).await.remove(0);
    let app = TestApp::start(&db, config(false)).await;
    let ws = app.seed_demo().await;
    let admin = app.login_as(Role::Admin).await;
    let (rx, url) = Receiver::start().await;
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    for target in [
        url.clone(),
        "http://[::1]/x".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://0x7f000001/".to_owned(),
        "http://[::ffff:127.0.0.1]/".to_owned(),
        format!("http://localhost:{port}/hooks"),
        format!("http://LocalHost.:{port}/hooks"),
        "http://app.localhost/".to_owned(),
        "http://2130706433/".to_owned(),
        "http://0177.0.0.1/".to_owned(),
        "http://[::]/".to_owned(),
    ] {
        let r = admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), json!({"url": target, "events": ["*"]})).await;
        let e = expect_error(r, 422, "invalid_value").await;
        assert!(e["error"]["message"].as_str().unwrap().contains("private"), "{target}: {e}");
    }

    // The client itself, as deliveries use it: a name resolving to a
    // private address is refused after resolution, before connecting.
    let strict = Outbound::new(false, Duration::from_secs(5)).unwrap();
    for target in [format!("http://localhost:{port}/hooks"), url.clone(), "http://[::1]:9/".into()] {
        match strict.post_json(&target, &[], "{}".into()).await {
            Outcome::Refused(why) => assert!(why.contains("not allowed"), "{target}: {why}"),
            other => panic!("{target}: {other:?}"),
        }
    }
    assert!(rx.received().is_empty(), "nothing reached the receiver");

    // Allowed private ranges reach it; a redirect is an answer, never
    // followed.
    let open = Outbound::new(true, Duration::from_secs(5)).unwrap();
    assert_eq!(
        open.post_json(&format!("http://localhost:{port}/hooks"), &[], "{}".into()).await,
        Outcome::Answered { status: 200, body: "thanks".into() }
    );
    rx.answer(302, Some("http://10.0.0.1/steal"));
    assert_eq!(open.post_json(&url, &[], "{}".into()).await, Outcome::Answered { status: 302, body: "moved".into() });
    assert_eq!(rx.received().len(), 2);
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirecting_endpoint_is_not_followed() {
    let test = "a_redirecting_endpoint_is_not_followed";
    let db = databases(test).await.remove(0);
    let app = TestApp::start(&db, config(true)).await;
    let ws = app.seed_demo().await;
    let (admin, pm) = (app.login_as(Role::Admin).await, app.login_as(Role::ProjectManager).await);
    let (rx, url) = Receiver::start().await;
    rx.answer(307, Some("http://169.254.169.254/latest/meta-data/"));
    let made = json_ok(
        admin.post(&format!("/api/v1/workspaces/{ws}/webhooks"), json!({"url": url, "events": ["task"]})).await,
        201,
    )
    .await;
    let hook = made["id"].as_str().unwrap();
    let (rx, admin) = (&rx, &admin);
    let p = project_of(&pm, &ws).await;
    json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Redirected"})).await, 201).await;
    let d = until("the attempt", || async move {
        let d = deliveries(admin, hook).await;
        (d.first().is_some_and(|d| d["attempts"] == 1)).then(|| d[0].clone())
    })
    .await;
    assert_eq!((d["status"].as_str(), d["response_status"].as_i64()), (Some("pending"), Some(307)));
    assert!(d["error"].as_str().unwrap().contains("redirects are not followed"), "{d}");
    assert_eq!(rx.received().len(), 1);
    db.destroy().await;
}
