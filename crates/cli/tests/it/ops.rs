//! Running Tandem as a service: `/metrics` scraped by a real Prometheus
//! (and checked by its `promtool`), JSON access logs, graceful shutdown.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tandem_core::Role;
use tandem_server::Config;
use tandem_server::config::MetricsAccess;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

use crate::support::{
    Api, TestApp, TestDb, client, databases, expect_error, free_port, json_ok, new_project, scratch_dir,
};

/// Debian's `prometheus` package: the server and `promtool`.
fn prometheus_tool(test: &str, exe: &str) -> Option<PathBuf> {
    crate::support::installed_tool(test, exe, "prometheus", "TANDEM_REQUIRE_PROMETHEUS")
}

/// The value of the sample `name{labels}` in a scrape, 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp, token: &str) -> String {
    let r = client().get(app.url("/metrics")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_by_default_and_behind_their_token() {
    let db = TestDb::sqlite();
    let off = TestApp::start(&db, Config::default()).await;
    expect_error(client().get(off.url("/metrics")).send().await.unwrap(), 404, "not_found").await;
    drop(off);

    for db in databases("metrics_are_off_by_default_and_behind_their_token").await {
        let config = Config { metrics: Some(MetricsAccess { token: Some("scrape-me".into()) }), ..Config::default() };
        let app = TestApp::start(&db, config).await;
        let r = client().get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"metrics\"");
        expect_error(r, 401, "unauthenticated").await;
        let r = client().get(app.url("/metrics")).bearer_auth("scrape-me-not").send().await.unwrap();
        expect_error(r, 401, "unauthenticated").await;

        app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let projects = json_ok(pm.get("/api/v1/me").await, 200).await;
        let ws = projects["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();
        let p = new_project(&pm, &ws, "Metered", "MET").await;
        json_ok(
            pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "One", "duration_minutes": 480})).await,
            201,
        )
        .await;

        let before = scrape(&app, "scrape-me").await;
        let route = r#"tandem_http_requests_total{method="GET",route="/api/v1/projects/{id}/schedule",status="200"}"#;
        for _ in 0..3 {
            json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        }
        json_ok(
            pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "Two", "duration_minutes": 240})).await,
            201,
        )
        .await;
        json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
        // An invented method is counted as `other`, so no client can add labels.
        let odd = reqwest::Method::from_bytes(b"BREW").unwrap();
        client().request(odd, app.url("/api/v1/me")).send().await.unwrap();
        let after = scrape(&app, "scrape-me").await;
        assert!(after.contains(r#"method="other""#) && !after.contains("BREW"), "{after}");

        // Requests are counted by route template, never by path.
        assert_eq!(sample(&after, route) - sample(&before, route), 4.0, "{after}");
        assert!(!after.contains(&format!("/projects/{p}")), "a path leaked into a label: {after}");
        let computed = "tandem_schedule_computations_total";
        let hits = "tandem_schedule_cache_hits_total";
        assert_eq!(sample(&after, computed) - sample(&before, computed), 2.0, "one per plan revision: {after}");
        assert!(sample(&after, hits) - sample(&before, hits) >= 2.0, "{after}");
        let latency =
            r#"tandem_http_request_duration_seconds_count{method="GET",route="/api/v1/projects/{id}/schedule"}"#;
        assert_eq!(sample(&after, latency) - sample(&before, latency), 4.0);
        assert!(after.contains("tandem_build_info{version=\""), "{after}");
        assert!(after.contains("tandem_db_pool_max_connections{pool="), "{after}");
        assert_eq!(sample(&after, r#"tandem_outbox_waiting{queue="webhooks"}"#), 0.0);
        assert_eq!(sample(&after, "tandem_live_streams"), 0.0);

        if let Some(promtool) = prometheus_tool("metrics_are_off_by_default_and_behind_their_token", "promtool") {
            promtool_accepts(&promtool, &after).await;
        }
        db.destroy().await;
    }
}

/// `promtool check metrics` finds nothing wrong with `text`.
async fn promtool_accepts(promtool: &Path, text: &str) {
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(text.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A `tandem serve` process whose log lines go to a file.
struct Logged {
    child: Child,
    base: String,
    log: PathBuf,
}

async fn serve_logged(db: &str, extra: &[&str], env: &[(&str, &str)], dir: &Path) -> Logged {
    let log = dir.join("stderr.log");
    let out = dir.join("stdout.log");
    let child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["serve", "--db", db, "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("TANDEM_DATABASE_URL")
        .env_remove("RUST_LOG")
        .env("TANDEM_ADMIN_EMAIL", "admin@ops.example")
        .env("TANDEM_ADMIN_PASSWORD", "a long admin pass phrase")
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if let Some(rest) = text.lines().find_map(|l| l.strip_prefix("Tandem listening on ")) {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("server did not start: {}", std::fs::read_to_string(&log).unwrap_or_default()));
    Logged { child, base, log }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_the_server_and_logs_are_json_without_secrets() {
    let test = "a_real_prometheus_scrapes_the_server_and_logs_are_json_without_secrets";
    let dir = scratch_dir("prometheus");
    let db = TestDb::sqlite();
    let token_file = dir.join("metrics-token");
    std::fs::write(&token_file, "file-held-token\n").unwrap();
    let server = serve_logged(
        db.url(),
        &["--metrics", "--log-format", "json"],
        &[("TANDEM_METRICS_TOKEN_FILE", token_file.to_str().unwrap())],
        &dir,
    )
    .await;
    let base = server.base.clone();

    // Traffic: a sign-in (its password must not reach the log), a
    // signed-in request, and a calendar feed address (its secret neither).
    let admin = Api::login_at(&base, "admin@ops.example", "a long admin pass phrase").await;
    json_ok(admin.get("/api/v1/me").await, 200).await;
    let feed = client().get(format!("{base}/calendar/cal_topsecretfeedaddress.ics")).send().await.unwrap();
    assert_eq!(feed.status(), 404);
    let r = client().get(format!("{base}/metrics")).bearer_auth("file-held-token").send().await.unwrap();
    let text = r.text().await.unwrap();
    // The database driver's statement times reach the metrics.
    assert!(sample(&text, "tandem_db_query_duration_seconds_count") > 0.0, "{text}");

    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains("a long admin pass phrase") && !log.contains("topsecretfeedaddress"), "{log}");
    assert!(!log.contains("file-held-token"), "{log}");
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let me = lines
        .iter()
        .find(|l| l["route"] == "/api/v1/me" && l["target"] == "tandem::access")
        .unwrap_or_else(|| panic!("no access line for /api/v1/me: {log}"));
    for field in ["timestamp", "level", "request_id", "route", "status", "duration_ms", "user_id"] {
        assert!(!me[field].is_null(), "{field} missing: {me}");
    }
    assert_eq!(me["status"], 200);
    assert_eq!(me["level"], "INFO");
    let calendar = lines.iter().find(|l| l["route"] == "/calendar/{file}").unwrap();
    assert_eq!(calendar["status"], 404);
    assert!(calendar["user_id"].is_null());

    let Some(prometheus) = prometheus_tool(test, "prometheus") else {
        return;
    };
    let port = free_port();
    let target = base.trim_start_matches("http://");
    std::fs::write(&token_file, "file-held-token").unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: tandem\n    \
         authorization:\n      credentials_file: {}\n    static_configs:\n      - targets: ['{target}']\n",
        token_file.display()
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let _prom = Command::new(prometheus)
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("tsdb").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let query = |q: &str| format!("http://127.0.0.1:{port}/api/v1/query?query={q}");
    let found = tokio::time::timeout(Duration::from_secs(90), async {
        loop {
            if let Ok(r) = client().get(query("tandem_http_requests_total")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["data"]["result"].as_array().is_some_and(|a| !a.is_empty())
            {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!("Prometheus never scraped: {}", std::fs::read_to_string(dir.join("prometheus.log")).unwrap())
    });
    let series = found["data"]["result"].as_array().unwrap();
    assert!(series.iter().any(|s| s["metric"]["route"] == "/api/v1/me"), "{found}");
    let up: Value = client().get(query("up")).send().await.unwrap().json().await.unwrap();
    assert_eq!(up["data"]["result"][0]["value"][1], "1", "{up}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends SIGTERM, as a service manager stops a service.
async fn terminate(child: &Child) {
    let pid = child.id().unwrap().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_writes_in_flight_and_loses_none() {
    let test = "sigterm_finishes_the_writes_in_flight_and_loses_none";
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        let dir = scratch_dir(&format!("shutdown-{}", db.label()));
        // No write limit: the writers write as fast as the server takes them.
        let args = ["--shutdown-timeout-secs", "20", "--writes-per-minute", "0"];
        let mut server = serve_logged(db.url(), &args, &[], &dir).await;
        let base = server.base.clone();
        let admin = Api::login_at(&base, "admin@ops.example", "a long admin pass phrase").await;
        let me = json_ok(admin.get("/api/v1/me").await, 200).await;
        let ws = me["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();
        let p = new_project(&admin, &ws, "Shutdown", "SHUT").await;
        let token = json_ok(admin.post("/api/v1/tokens", json!({"name": "writer"})).await, 201).await["token"]
            .as_str()
            .unwrap()
            .to_owned();

        // A live-update stream, open as the server stops.
        let mut stream = admin.get(&format!("/api/v1/workspaces/{ws}/events")).await;
        assert_eq!(stream.status(), 200);

        // Four writers, each on fresh connections, write until the server
        // is gone. What one was told was stored (201) must be there.
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..4 {
            let (base, token, p) = (base.clone(), token.clone(), p.clone());
            writers.spawn(async move {
                let http = crate::support::client_builder().pool_max_idle_per_host(0).build().unwrap();
                let mut acknowledged = Vec::new();
                for i in 0.. {
                    let r = http
                        .post(format!("{base}/api/v1/projects/{p}/tasks"))
                        .bearer_auth(&token)
                        .json(&json!({"name": format!("w{w} task {i}")}))
                        .send()
                        .await;
                    match r {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            // A response that began must arrive whole.
                            let body = r.text().await.unwrap_or_else(|e| panic!("response cut mid-way: {e}"));
                            if status == 201 {
                                let v: Value = serde_json::from_str(&body).unwrap();
                                acknowledged.push(v["id"].as_str().unwrap().to_owned());
                            } else {
                                assert_eq!(status, 503, "{body}");
                            }
                        }
                        // Refused or closed before an answer began: the
                        // server had stopped taking work.
                        Err(e) if e.is_connect() || e.is_request() => return acknowledged,
                        Err(e) => panic!("writer {w}: {e:?}"),
                    }
                }
                acknowledged
            });
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        terminate(&server.child).await;
        let status = tokio::time::timeout(Duration::from_secs(40), server.child.wait())
            .await
            .expect("the server did not stop")
            .unwrap();
        assert!(status.success(), "exit status {status}: {}", std::fs::read_to_string(&server.log).unwrap());
        // The stream ended cleanly: its body finished without an error.
        let mut events = 0;
        while let Some(chunk) = stream.chunk().await.expect("the live stream was cut instead of ended") {
            events += chunk.len();
        }
        let _ = events;
        let mut acknowledged = Vec::new();
        while let Some(w) = writers.join_next().await {
            acknowledged.extend(w.unwrap());
        }
        assert!(acknowledged.len() >= 4, "too few writes to mean anything: {}", acknowledged.len());
        eprintln!("{test}: {} writes acknowledged before the server stopped", acknowledged.len());

        // Every acknowledged write is in the database.
        let app = TestApp::start(&db, Config::default()).await;
        let admin = app.login("admin@ops.example", "a long admin pass phrase").await;
        let mut stored = std::collections::HashSet::new();
        let mut cursor = String::new();
        loop {
            let page = json_ok(admin.get(&format!("/api/v1/projects/{p}/tasks?limit=200{cursor}")).await, 200).await;
            stored.extend(page["items"].as_array().unwrap().iter().filter_map(|t| t["id"].as_str().map(str::to_owned)));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(id.as_str())).collect();
        assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
        let log = std::fs::read_to_string(&server.log).unwrap();
        assert!(log.contains("stopping: finishing the requests in flight") && log.contains("stopped"), "{log}");
        drop(app);
        db.destroy().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_finishes_does_not_hold_the_server_past_its_timeout() {
    use tokio::io::AsyncWriteExt as _;
    let dir = scratch_dir("stalled");
    let db = TestDb::sqlite();
    let mut server = serve_logged(db.url(), &["--shutdown-timeout-secs", "2"], &[], &dir).await;
    // An upload that announces a body and sends a few bytes of it, then stalls.
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"email\""
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = std::time::Instant::now();
    terminate(&server.child).await;
    let status = tokio::time::timeout(Duration::from_secs(20), server.child.wait())
        .await
        .expect("the stalled request held the server past its timeout")
        .unwrap();
    let took = asked.elapsed();
    assert!(status.success(), "{status}");
    assert!(took >= Duration::from_millis(1500), "stopped before the grace period was up: {took:?}");
    assert!(took < Duration::from_secs(10), "took {took:?} for a 2 s timeout");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("requests still in flight after 2s"), "{log}");
    drop(stalled);
    db.destroy().await;
    let _ = std::fs::remove_dir_all(&dir);
}
