//! Single sign-on through a real OpenID provider (oidc-provider under
//! Node.js, started here): a known person signs in; a newcomer is refused
//! where accounts are not made and made (with their group's role) where
//! they are; an unverified e-mail, a bad state, a replayed answer, a
//! wrong nonce and an expired ID token are refused; password sign-in can
//! be switched off.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use reqwest::redirect::Policy;
use serde_json::json;
use tandem_app::ops::sso::OidcSettings;
use tandem_core::{Millis, Role};
use tandem_server::Config;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{TestApp, databases, json_ok};

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/oidc");

struct Provider {
    _child: tokio::process::Child,
}

impl Provider {
    /// Starts one on `port` for the callbacks of `apps`, or `None` (said
    /// once) where its packages are not installed and `TANDEM_REQUIRE_OIDC`
    /// is not set.
    async fn start(test: &str, port: u16, apps: &[&TestApp]) -> Option<Provider> {
        if !Path::new(PEER).join("node_modules/oidc-provider").exists() {
            assert!(
                std::env::var("TANDEM_REQUIRE_OIDC").is_err(),
                "{test}: the OpenID provider is required: npm ci --prefix crates/cli/tests/peers/oidc"
            );
            eprintln!("{test}: skipped: no OpenID provider (npm ci --prefix crates/cli/tests/peers/oidc)");
            return None;
        }
        let redirects: Vec<String> = apps.iter().map(|a| format!("{}/auth/oidc/callback", a.base)).collect();
        let mut child = tokio::process::Command::new("node")
            .current_dir(PEER)
            .args(["provider.mjs", &port.to_string(), &redirects.join(","), "300"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.unwrap().unwrap();
        assert_eq!(ready.as_deref(), Some("ready"));
        Some(Provider { _child: child })
    }
}

fn config(issuer: &str, create_users: bool, password_login: bool) -> Config {
    Config {
        oidc: Some(OidcSettings {
            issuer: issuer.to_owned(),
            client_id: "tandem".into(),
            client_secret: Some("tandem-test-secret".into()),
            label: "Corp SSO".into(),
            create_users,
            groups_claim: Some("groups".into()),
        }),
        password_login,
        ..Config::default()
    }
}

/// A browser's walk through a sign-in: Tandem's login, the provider's
/// pages (with `tamper` applied to the authorisation request), and
/// Tandem's callback. Answers the client (with its cookies), the callback
/// address and the callback's answer.
async fn walk(
    app: &TestApp,
    person: &str,
    tamper: impl Fn(&mut url::Url),
) -> (reqwest::Client, String, reqwest::Response) {
    let client = crate::support::client_builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let r = client.get(app.url("/auth/oidc/login?next=/notifications")).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let mut at = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    at.query_pairs_mut().append_pair("login_hint", person);
    tamper(&mut at);
    for _ in 0..10 {
        if at.as_str().starts_with(&app.base) {
            let callback = at.to_string();
            let answer = client.get(&callback).send().await.unwrap();
            return (client, callback, answer);
        }
        let r = client.get(at.clone()).send().await.unwrap();
        assert!(r.status().is_redirection(), "{at}: {} {}", r.status(), r.text().await.unwrap());
        at = at.join(r.headers()["location"].to_str().unwrap()).unwrap();
    }
    panic!("the provider never sent the browser back");
}

async fn refused(r: reqwest::Response, needle: &str) {
    let status = r.status().as_u16();
    let page = r.text().await.unwrap();
    assert!((400..500).contains(&status), "{status}: {page}");
    assert!(page.contains("Not signed in") && page.contains(needle), "{needle:?} not in {page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_sign_in_with_the_identity_provider() {
    let test = "people_sign_in_with_the_identity_provider";
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        let port = crate::support::free_port();
        let issuer = format!("http://127.0.0.1:{port}");
        // One server that makes no accounts; one, on the same database,
        // that makes them and takes no passwords.
        let strict = TestApp::start(&db, config(&issuer, false, true)).await;
        let open = TestApp::start(&db, config(&issuer, true, false)).await;
        let Some(_idp) = Provider::start(test, port, &[&strict, &open]).await else { return };
        let ws = strict.seed_demo().await;

        // The login page offers it.
        let page = crate::support::get(strict.url("/login")).await.text().await.unwrap();
        assert!(page.contains("Sign in with Corp SSO") && page.contains("name=\"password\""), "{page}");

        // A known, verified person: signed in, sent on to the page asked for.
        let (client, callback, r) = walk(&strict, "pat", |_| {}).await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/notifications");
        let me = client.get(strict.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(json_ok(me, 200).await["user"]["email"], "pm@demo.example");

        // The same answer again: refused (state used).
        refused(client.get(&callback).send().await.unwrap(), "used already").await;
        // A state never started here.
        let bad = crate::support::get(strict.url("/auth/oidc/callback?code=abc&state=forged")).await;
        refused(bad, "not started in this browser").await;
        // The provider's own refusal.
        let denied = crate::support::client()
            .get(strict.url("/auth/oidc/callback?error=access_denied&error_description=nope"))
            .send()
            .await;
        refused(denied.unwrap(), "did not sign you in: nope").await;

        // An answer to someone else's sign-in, sent to another browser
        // (login CSRF): refused, and it stays usable by its own browser.
        let client_a = crate::support::client_builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        let r = client_a.get(strict.url("/auth/oidc/login")).send().await.unwrap();
        let mut at = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        at.query_pairs_mut().append_pair("login_hint", "pat");
        while !at.as_str().starts_with(&strict.base) {
            let r = client_a.get(at.clone()).send().await.unwrap();
            at = at.join(r.headers()["location"].to_str().unwrap()).unwrap();
        }
        refused(crate::support::get(at.clone()).await, "not started in this browser").await;
        assert_eq!(client_a.get(at).send().await.unwrap().status(), 303);

        // An unverified e-mail.
        let (_, _, r) = walk(&strict, "eve", |_| {}).await;
        refused(r, "has not verified eve@corp.example").await;

        // A nonce other than the one this sign-in made (the request
        // altered on its way to the provider).
        let (_, _, r) = walk(&strict, "pat", |u| {
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k == "nonce" { "forged-nonce".to_owned() } else { v.into_owned() };
                    (k.into_owned(), v)
                })
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
        })
        .await;
        refused(r, "nonce").await;

        // An ID token that expired (five minutes) before it came back.
        let real = strict.state.clock.now();
        strict.clock.set(Millis(real.0 + 400_000));
        let (_, _, r) = walk(&strict, "pat", |_| {}).await;
        refused(r, "expired").await;
        strict.clock.set(real);

        // A newcomer: refused where accounts are not made...
        let (_, _, r) = walk(&strict, "ada", |_| {}).await;
        refused(r, "No Tandem account has the address ada.sso@corp.example").await;

        // ...made where they are, joining with their group's role.
        let admin = strict.login_as(Role::Admin).await;
        let sso = json!({"default_role": "stakeholder", "group_roles": {"tandem-pms": "project_manager"}});
        let set = json_ok(admin.put(&format!("/api/v1/workspaces/{ws}/sso"), sso).await, 200).await;
        assert_eq!(set["group_roles"]["tandem-pms"], "project_manager");
        let (client, _, r) = walk(&open, "ada", |_| {}).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let me = json_ok(client.get(open.url("/api/v1/me")).send().await.unwrap(), 200).await;
        assert_eq!(
            (me["user"]["email"].as_str(), me["user"]["name"].as_str()),
            (Some("ada.sso@corp.example"), Some("Ada Sso"))
        );
        let members = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/members?limit=200")).await, 200).await;
        let ada = members["items"].as_array().unwrap().iter().find(|m| m["email"] == "ada.sso@corp.example").unwrap();
        assert_eq!(ada["role"], "project_manager");

        // Where passwords are off: the form is gone and the API refuses them.
        let page = crate::support::get(open.url("/login")).await.text().await.unwrap();
        assert!(page.contains("Sign in with Corp SSO") && !page.contains("name=\"password\""), "{page}");
        let anon = open.anonymous();
        let r = anon.post("/api/v1/auth/login", json!({"email": "pm@demo.example", "password": "demo-pm-2026"})).await;
        crate::support::expect_error(r, 403, "password_login_off").await;
        drop((strict, open));
        db.destroy().await;
    }
}
