//! E-mail against a real SMTP server (aiosmtpd, started here): a mention
//! mailed as it happens with text and HTML, Message-ID and one-click
//! List-Unsubscribe, which works; a header-injection attempt that stays
//! in the subject; the daily digest; invitations; password reset links
//! (single use, expiring); a refusing server retried, and queued mail
//! surviving a restart.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tandem_app::outbound::mail::{SmtpSecurity, SmtpSettings};
use tandem_core::{Millis, Role};
use tandem_server::Config;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{TestApp, databases, expect_error, json_ok};

/// A running SMTP server keeping messages as JSON files.
struct Sink {
    port: u16,
    dir: PathBuf,
    _child: tokio::process::Child,
}

impl Sink {
    /// Starts one, or `None` (said once) where aiosmtpd is missing and
    /// `TANDEM_REQUIRE_SMTP` is not set.
    async fn start(test: &str) -> Option<Sink> {
        let has = std::process::Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !has {
            assert!(
                std::env::var("TANDEM_REQUIRE_SMTP").is_err(),
                "{test}: aiosmtpd is required (pip install aiosmtpd)"
            );
            eprintln!("{test}: skipped: no aiosmtpd (pip install aiosmtpd)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("tandem-smtp-{test}-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smtp_sink.py");
        let mut child = tokio::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.unwrap().unwrap();
        assert_eq!(ready.as_deref(), Some("ready"));
        Some(Sink { port, dir, _child: child })
    }

    fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Tandem <tandem@tandem.example>".into(),
        }
    }

    fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// Waits (up to 20 s) for a message to `to` whose subject has `needle`.
    async fn wait_for(&self, to: &str, needle: &str) -> Value {
        for _ in 0..200 {
            if let Some(m) = self
                .messages()
                .into_iter()
                .find(|m| m["to"][0] == to && m["subject"].as_str().unwrap().contains(needle))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no mail to {to} about {needle:?}; got {:?}",
            self.messages().iter().map(|m| (m["to"].clone(), m["subject"].clone())).collect::<Vec<_>>()
        );
    }

    /// Forgets what was received (a story's second database).
    fn clear(&self) {
        for e in std::fs::read_dir(&self.dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                std::fs::remove_file(p).unwrap();
            }
        }
    }

    fn count_to(&self, to: &str) -> usize {
        self.messages().iter().filter(|m| m["to"][0] == to).count()
    }

    fn refuse(&self, on: bool) {
        let f = self.dir.join("fail");
        if on {
            std::fs::write(f, "").unwrap();
        } else {
            let _ = std::fs::remove_file(f);
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn config(sink: &Sink) -> Config {
    Config {
        smtp: Some(sink.settings()),
        public_url: Some("https://tandem.example".into()),
        outbox_poll: Duration::from_millis(100),
        ..Config::default()
    }
}

/// The link in a text part that starts with `prefix`.
fn link(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..].split(['>', ' ', '\n', '\r']).next().unwrap().to_owned()
}

fn header<'a>(m: &'a Value, name: &str) -> Option<&'a str> {
    m["head"].as_str().unwrap().split("\r\n").find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_are_mailed_as_people_choose() {
    let test = "notifications_are_mailed_as_people_choose";
    let Some(sink) = Sink::start(test).await else { return };
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        sink.clear();
        let app = TestApp::start(&db, config(&sink)).await;
        let ws = app.seed_demo().await;
        let (pm, dev) = (app.login_as(Role::ProjectManager).await, app.login_as(Role::Contributor).await);
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"][0]["id"].as_str().unwrap().to_owned();
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
        let t = tasks["items"][3]["id"].as_str().unwrap().to_owned();

        // The defaults: mentions as they happen.
        let s = json_ok(dev.get("/api/v1/me/notification-settings").await, 200).await;
        assert_eq!(
            (s["settings"]["mention"].as_str(), s["settings"]["informed"].as_str()),
            (Some("instant"), Some("daily"))
        );
        assert_eq!(s["mail_enabled"], true);

        // A mention, whose text tries to add a header of its own.
        let body = json!({"body": "@dev please look\r\nBcc: victim@evil.example\r\n\r\nthanks"});
        json_ok(pm.post(&format!("/api/v1/tasks/{t}/comments"), body).await, 201).await;
        let m = sink.wait_for("dev@demo.example", "mentioned you").await;
        assert_eq!(m["to"], json!(["dev@demo.example"]), "nobody else was written to");
        assert!(!m["head"].as_str().unwrap().to_ascii_lowercase().contains("\nbcc:"), "{}", m["head"]);
        assert!(
            m["subject"].as_str().unwrap().starts_with("[Tandem] Pat Project mentioned you: @dev please look Bcc:"),
            "{}",
            m["subject"]
        );
        let id = header(&m, "Message-ID").unwrap();
        assert!(id.starts_with("<tandem.") && id.ends_with("@tandem.example>"), "{id}");
        let text = m["text"].as_str().unwrap();
        assert!(text.contains(&format!("https://tandem.example/tasks/{t}")), "{text}");
        let html = m["html"].as_str().unwrap();
        assert!(html.contains(&format!("href=\"https://tandem.example/tasks/{t}\"")), "{html}");
        assert_eq!(header(&m, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        let stop = header(&m, "List-Unsubscribe").unwrap().trim_matches(['<', '>']).to_owned();
        assert!(stop.starts_with("https://tandem.example/unsubscribe/uns_"), "{stop}");

        // One click, as a mail program sends it (no session): mentions are
        // off; the next one is not mailed.
        let path = stop.trim_start_matches("https://tandem.example");
        let page = crate::support::get(app.url(path)).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("mentions of you"));
        let one_click = crate::support::client()
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(one_click.status(), 200);
        let s = json_ok(dev.get("/api/v1/me/notification-settings").await, 200).await;
        assert_eq!(s["settings"]["mention"], "off");
        let before = sink.count_to("dev@demo.example");
        json_ok(pm.post(&format!("/api/v1/tasks/{t}/comments"), json!({"body": "@dev again"})).await, 201).await;

        // Daily: a mention gathered into the next day's digest.
        let put = json!({"settings": {"mention": "daily"}});
        let s = json_ok(dev.put("/api/v1/me/notification-settings", put).await, 200).await;
        assert_eq!(s["settings"]["mention"], "daily");
        expect_error(
            dev.put("/api/v1/me/notification-settings", json!({"settings": {"nope": "off"}})).await,
            422,
            "invalid_value",
        )
        .await;
        json_ok(pm.post(&format!("/api/v1/tasks/{t}/comments"), json!({"body": "@dev for the digest"})).await, 201)
            .await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(sink.count_to("dev@demo.example"), before, "nothing mailed until the digest");
        let tomorrow = (app.state.clock.now().0 / 86_400_000 + 1) * 86_400_000 + 8 * 3_600_000;
        app.clock.set(Millis(tomorrow));
        let d = sink.wait_for("dev@demo.example", "daily digest").await;
        let text = d["text"].as_str().unwrap();
        assert!(text.contains("for the digest") && !text.contains("@dev again"), "{text}");
        assert!(header(&d, "List-Unsubscribe").is_some());
        db.destroy().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_resets_and_invitations_are_mailed() {
    let test = "password_resets_and_invitations_are_mailed";
    let Some(sink) = Sink::start(test).await else { return };
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        sink.clear();
        let app = TestApp::start(&db, config(&sink)).await;
        let ws = app.seed_demo().await;
        let anon = app.anonymous();

        // Signed in, the page's form carries the session's CSRF token.
        let signed_in = app.login_as(Role::Admin).await;
        let page = signed_in.get("/forgot-password").await.text().await.unwrap();
        assert!(page.contains("name=\"csrf_token\""), "{page}");
        assert!(!anon.get("/forgot-password").await.text().await.unwrap().contains("csrf_token"));

        // Unknown or known, the answer is the same; only the known is mailed.
        let r = anon.post("/api/v1/auth/password-reset", json!({"email": "nobody@demo.example"})).await;
        assert_eq!(r.status(), 202);
        let r = anon.post("/api/v1/auth/password-reset", json!({"email": "PM@demo.example"})).await;
        assert_eq!(r.status(), 202);
        let m = sink.wait_for("pm@demo.example", "Reset your password").await;
        let url = link(m["text"].as_str().unwrap(), "https://tandem.example/reset-password/");
        let token = url.rsplit('/').next().unwrap().to_owned();
        assert_eq!(sink.count_to("nobody@demo.example"), 0);

        // Used once; the old password stops working, the new one works.
        let path = format!("/api/v1/auth/password-reset/{token}");
        expect_error(anon.post(&path, json!({"password": "short"})).await, 422, "invalid_value").await;
        assert_eq!(anon.post(&path, json!({"password": "a brand new password"})).await.status(), 204);
        assert_eq!(anon.post(&path, json!({"password": "another new password"})).await.status(), 404);
        let old =
            anon.post("/api/v1/auth/login", json!({"email": "pm@demo.example", "password": "demo-pm-2026"})).await;
        assert_eq!(old.status(), 401);
        app.login("pm@demo.example", "a brand new password").await;

        // An hour later a link no longer works.
        app.clock.set(Millis(app.state.clock.now().0 + 120_000));
        anon.post("/api/v1/auth/password-reset", json!({"email": "dev@demo.example"})).await;
        let m = sink.wait_for("dev@demo.example", "Reset your password").await;
        let url = link(m["text"].as_str().unwrap(), "https://tandem.example/reset-password/");
        app.clock.set(Millis(app.state.clock.now().0 + 3_601_000));
        let late = format!("/api/v1/auth/password-reset/{}", url.rsplit('/').next().unwrap());
        assert_eq!(anon.post(&late, json!({"password": "too late password"})).await.status(), 404);

        // An invitation is mailed with its link.
        let admin = app.login_as(Role::Admin).await;
        let added = json_ok(
            admin
                .post(
                    &format!("/api/v1/workspaces/{ws}/members"),
                    json!({"email": "new@else.example", "role": "contributor"}),
                )
                .await,
            201,
        )
        .await;
        let inv = sink.wait_for("new@else.example", "invited you to").await;
        let url = link(inv["text"].as_str().unwrap(), "https://tandem.example/invitations/");
        assert!(added["invitation_url"].as_str().unwrap().ends_with(url.rsplit('/').next().unwrap()), "{added} {url}");
        db.destroy().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_mail_is_retried_and_survives_a_restart() {
    let test = "a_refused_mail_is_retried_and_survives_a_restart";
    let Some(sink) = Sink::start(test).await else { return };
    let db = databases(test).await.remove(0);
    sink.refuse(true);
    let app = TestApp::start(&db, config(&sink)).await;
    app.seed_demo().await;
    let anon = app.anonymous();
    assert_eq!(anon.post("/api/v1/auth/password-reset", json!({"email": "pdm@demo.example"})).await.status(), 202);
    let store = app.state.store.clone();
    let mut tried = None;
    for _ in 0..200 {
        let log = store.mail_log(50).await.unwrap();
        if let Some(e) = log.into_iter().find(|e| e.kind == "password_reset" && e.attempts == 1) {
            tried = Some(e);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tried = tried.expect("a refused attempt");
    assert_eq!(tried.status, "pending");
    assert!(tried.error.as_deref().unwrap().contains("451"), "{tried:?}");
    let at = app.state.clock.now();
    drop(app);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Another server on the same database, the mail server taking mail
    // again, a minute later: the queued mail goes out.
    sink.refuse(false);
    let again = TestApp::start(&db, config(&sink)).await;
    again.clock.set(Millis(at.0 + 61_000));
    let m = sink.wait_for("pdm@demo.example", "Reset your password").await;
    assert!(m["text"].as_str().unwrap().contains("https://tandem.example/reset-password/pwr_"));
    let log = again.state.store.mail_log(50).await.unwrap();
    let sent = log.iter().find(|e| e.kind == "password_reset").unwrap();
    assert_eq!((sent.status.as_str(), sent.attempts), ("sent", 2));
    db.destroy().await;
}
