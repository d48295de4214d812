//! The command line: `tandem user add`, errors on stderr, `serve --demo`.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::cluster::{spawn_server, spawn_server_with_env};
use crate::support::{TestApp, TestDb};

pub async fn tandem(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env_remove("TANDEM_DATABASE_URL")
        .env_remove("TANDEM_CONFIG")
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_reads_the_password_from_stdin() {
    let db = TestDb::sqlite();
    let app = TestApp::start(&db, tandem_server::Config::default()).await;
    app.seed_demo().await;

    let (code, out, err) = tandem(
        &[
            "user",
            "add",
            "--email",
            "Quinn@Demo.example",
            "--role",
            "project_manager",
            "--workspace",
            "demo",
            "--db",
            db.url(),
        ],
        "quinn's passphrase\n",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("quinn@demo.example"), "{out}");
    let quinn = app.login("quinn@demo.example", "quinn's passphrase").await;
    let me: serde_json::Value = quinn.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["memberships"][0]["role"], "project_manager");

    // Errors: one line on stderr, non-zero exit, nothing created.
    let add = |email: &'static str, role: &'static str, ws: &'static str, db: String| -> Vec<String> {
        ["user", "add", "--email", email, "--role", role, "--workspace", ws, "--db"]
            .iter()
            .map(|s| s.to_string())
            .chain([db])
            .collect()
    };
    let url = db.url().to_owned();
    for (args, stdin) in [
        (add("a@demo.example", "owner", "DEMO", url.clone()), "password123\n"),
        (add("a@demo.example", "admin", "NOPE", url.clone()), "password123\n"),
        (add("a@demo.example", "admin", "DEMO", url.clone()), ""),
        (add("a@demo.example", "admin", "DEMO", url.clone()), "short\n"),
        (add("quinn@demo.example", "admin", "DEMO", url.clone()), "password123\n"),
        (add("a@demo.example", "admin", "DEMO", "mysql://x".into()), "password123\n"),
    ] {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = tandem(&refs, stdin).await;
        assert_ne!(code, 0, "{args:?} succeeded");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(!lines.is_empty() && !err.contains("panicked"), "{args:?}: {err}");
        if !args.iter().any(|a| a == "owner") {
            // clap's own usage errors are longer; ours are one line.
            assert_eq!(lines.len(), 1, "{args:?}: {err}");
        }
    }
    assert!(app.state.store.user_by_email("a@demo.example").await.unwrap().is_none());
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_prints_credentials_and_bootstraps_the_admin_once() {
    let db = TestDb::sqlite();
    let s = spawn_server(db.url(), &["--demo"]).await;
    for u in &tandem_app::seed::DEMO_USERS {
        assert!(s.output.iter().any(|l| l.contains(u.email) && l.contains(u.password)), "{:?}", s.output);
    }
    drop(s);
    // Started again, it reuses the demo instead of duplicating it.
    let s = spawn_server(db.url(), &["--demo"]).await;
    assert!(s.output.iter().any(|l| l.contains("existing demo workspace")), "{:?}", s.output);
    drop(s);
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_admin_comes_from_the_environment() {
    let db = TestDb::sqlite();
    let env = [
        ("TANDEM_ADMIN_EMAIL", "Boss@Example.com"),
        ("TANDEM_ADMIN_PASSWORD", "boss passphrase"),
        ("TANDEM_WORKSPACE_NAME", "Acme Corp"),
    ];
    let s = spawn_server_with_env(db.url(), &[], &env).await;
    assert!(s.output.iter().any(|l| l.contains("created admin")), "{:?}", s.output);
    let client = crate::support::client();
    let login = client
        .post(format!("{}/api/v1/auth/login", s.base))
        .json(&serde_json::json!({"email": "boss@example.com", "password": "boss passphrase"}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me: serde_json::Value = client
        .get(format!("{}/api/v1/me", s.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["memberships"][0]["workspace"]["name"], "Acme Corp");
    assert_eq!(me["memberships"][0]["role"], "admin");
    drop(s);
    // A second start leaves the existing admin alone.
    let s = spawn_server_with_env(db.url(), &[], &env).await;
    assert!(!s.output.iter().any(|l| l.contains("created admin")), "{:?}", s.output);
    drop(s);
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_export_on_the_command_line() {
    let db = TestDb::sqlite();
    let app = TestApp::start(&db, tandem_server::Config::default()).await;
    let ws = app.seed_demo().await;
    let pm = app.login_as(tandem_core::Role::ProjectManager).await;
    let body = serde_json::json!({"name": "From MS Project", "key": "CLI", "start": "2020-01-06"});
    let p: serde_json::Value = pm.post(&format!("/api/v1/workspaces/{ws}/projects"), body).await.json().await.unwrap();
    let id = p["id"].as_str().unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../formats/tests/fixtures/corpus/mpp__new-product-dev.xml");
    let (code, out, err) = tandem(&["import", file, "--project", "cli", "--db", db.url()], "").await;
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("imported 26 tasks"), "{out}");
    let s: serde_json::Value = pm.get(&format!("/api/v1/projects/{id}/schedule")).await.json().await.unwrap();
    let (code, cli, err) = tandem(&["schedule", file, "--format", "json"], "").await;
    assert_eq!(code, 0, "{err}");
    let cli: serde_json::Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(s["project"]["finish"], cli["project"]["finish"]);

    let dir = tempdir();
    let out_path = format!("{dir}/cli.xml");
    let (code, _, err) =
        tandem(&["export", "--project", "CLI", "--format", "mspdi", "-o", &out_path, "--db", db.url()], "").await;
    assert_eq!(code, 0, "{err}");
    let (code, again, err) = tandem(&["schedule", &out_path, "--format", "json"], "").await;
    assert_eq!(code, 0, "{err}");
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["project"]["finish"], cli["project"]["finish"]);
    let (code, csv, _) = tandem(&["export", "--project", "CLI", "--format", "csv", "--db", db.url()], "").await;
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 27, "{csv}");

    // A Jira export, its format read from the extension.
    let body = serde_json::json!({"name": "From Jira", "key": "JIR", "start": "2027-01-04"});
    assert_eq!(pm.post(&format!("/api/v1/workspaces/{ws}/projects"), body).await.status(), 201);
    let jira = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jira-shop.csv");
    let (code, out, err) = tandem(&["import", jira, "--project", "JIR", "--db", db.url()], "").await;
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("imported 5 tasks, 4 dependencies"), "{out}");
    let (code, _, err) =
        tandem(&["import", jira, "--format", "trello-json", "--project", "CLI", "--db", db.url()], "").await;
    assert_ne!(code, 0);
    assert!(err.contains("is not JSON") && err.contains("Export as JSON"), "{err}");

    // Errors: one line, non-zero, nothing stored.
    for args in [
        vec!["import", file, "--project", "NOPE", "--db", db.url()],
        vec!["import", file, "--project", "CLI", "--db", db.url()],
        vec!["import", "/no/such/file.xml", "--project", "CLI", "--db", db.url()],
        vec!["export", "--project", "CLI", "--workspace", "NOPE", "--db", db.url()],
    ] {
        let (code, _, err) = tandem(&args, "").await;
        assert_ne!(code, 0, "{args:?}");
        assert_eq!(err.lines().filter(|l| !l.trim().is_empty()).count(), 1, "{args:?}: {err}");
    }
}

fn tempdir() -> String {
    let d = std::env::temp_dir().join(format!("tandem-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.to_string_lossy().into_owned()
}
