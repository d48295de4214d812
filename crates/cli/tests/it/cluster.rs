//! Two `tandem serve` processes on one PostgreSQL: sessions and writes made
//! through one are seen by the other.

use std::process::Stdio;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{TestDb, expect_error, json_ok, postgres_url};

/// A server process and the address it announced.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub output: Vec<String>,
}

/// Starts `tandem serve` on a free port and waits for it to listen.
pub async fn spawn_server(db_url: &str, extra: &[&str]) -> Server {
    spawn_server_with_env(db_url, extra, &[]).await
}

/// As [`spawn_server`], with extra environment variables.
pub async fn spawn_server_with_env(db_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["serve", "--db", db_url, "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("TANDEM_DATABASE_URL")
        .env_remove("TANDEM_CONFIG")
        .env_remove("TANDEM_BIND")
        .env_remove("TANDEM_ADMIN_EMAIL")
        .env_remove("TANDEM_ADMIN_PASSWORD")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = Vec::new();
    let base = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            output.push(line.clone());
            if let Some(rest) = line.strip_prefix("Tandem listening on ") {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("server exited before listening: {output:?}");
    })
    .await
    .expect("server did not start within a minute");
    Server { child, base, output }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_sessions_and_writes_on_postgres() {
    let Some(admin_url) = postgres_url("two_servers_share_sessions_and_writes_on_postgres") else {
        return;
    };
    let db = TestDb::postgres(&admin_url).await;
    let a = spawn_server(db.url(), &["--demo"]).await;
    let b = spawn_server(db.url(), &["--demo"]).await;
    assert!(a.output.iter().any(|l| l.contains("pdm@demo.example") && l.contains("demo-pdm-2026")), "{:?}", a.output);
    assert!(b.output.iter().any(|l| l.contains("existing demo workspace")), "{:?}", b.output);

    let client = crate::support::client();
    let login = client
        .post(format!("{}/api/v1/auth/login", a.base))
        .json(&json!({"email": "admin@demo.example", "password": "demo-admin-2026"}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = json_ok(login, 200).await["csrf_token"].as_str().unwrap().to_owned();

    // The session made on A works on B.
    let me = client.get(format!("{}/api/v1/me", b.base)).header("cookie", &cookie).send().await.unwrap();
    let me = json_ok(me, 200).await;
    assert_eq!(me["user"]["email"], "admin@demo.example");
    let ws = me["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();

    // A write through A is read through B, and B's stale write is refused.
    let r = client
        .patch(format!("{}/api/v1/workspaces/{ws}", a.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Written on A", "version": 1}))
        .send()
        .await
        .unwrap();
    json_ok(r, 200).await;
    let r = client.get(format!("{}/api/v1/workspaces/{ws}", b.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(json_ok(r, 200).await["name"], "Written on A");
    let r = client
        .patch(format!("{}/api/v1/workspaces/{ws}", b.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Stale on B", "version": 1}))
        .send()
        .await
        .unwrap();
    expect_error(r, 412, "version_mismatch").await;

    // Signing out on B ends the session on A.
    let r = client
        .post(format!("{}/api/v1/auth/logout", b.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = client.get(format!("{}/api/v1/me", a.base)).header("cookie", &cookie).send().await.unwrap();
    expect_error(r, 401, "unauthenticated").await;

    drop(a);
    drop(b);
    db.destroy().await;
}
