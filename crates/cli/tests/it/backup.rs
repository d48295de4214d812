//! `tandem backup` and `tandem restore`: one portable format, a round trip
//! on each database and across them (SQLite to PostgreSQL and back), and
//! refusals that write nothing.

use tandem_core::Role;

use crate::cli::tandem;
use crate::support::{TestApp, TestDb, json_ok, postgres_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_lists_every_table_after_what_it_references() {
    let db = TestDb::sqlite();
    let app = TestApp::start(&db, tandem_server::Config::default()).await;
    assert_eq!(app.state.store.backup_order_problems().await.unwrap(), Vec::<String>::new());
    db.destroy().await;
}

/// What users see of a project: its schedule, and the decision log.
async fn what_users_see(app: &TestApp) -> (serde_json::Value, serde_json::Value) {
    let pm = app.login_as(Role::ProjectManager).await;
    let me: serde_json::Value = json_ok(pm.get("/api/v1/me").await, 200).await;
    let ws = me["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();
    let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
    let p = projects["items"][0]["id"].as_str().unwrap().to_owned();
    let schedule = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
    let log = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/decisions")).await, 200).await;
    (schedule, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_round_trip_on_each_database_and_across() {
    let test = "backup_and_restore_round_trip_on_each_database_and_across";
    let pg = postgres_url(test);
    let mut targets = vec![TestDb::sqlite()];
    if let Some(admin) = &pg {
        targets.push(TestDb::postgres(admin).await);
    }
    for source in [
        Some(TestDb::sqlite()),
        match &pg {
            Some(a) => Some(TestDb::postgres(a).await),
            None => None,
        },
    ]
    .into_iter()
    .flatten()
    {
        let app = TestApp::start(&source, tandem_server::Config::default()).await;
        app.seed_demo().await;
        let seen = what_users_see(&app).await;
        let dir = std::env::temp_dir().join(format!("tandem-backup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.tandem", source.label()));
        let file = file.to_str().unwrap();
        let (code, out, err) = tandem(&["backup", file, "--db", source.url()], "").await;
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("backed up") && out.contains("70 tables"), "{out}");
        let original = std::fs::read_to_string(file).unwrap();

        for target in &targets {
            let label = format!("{} → {}", source.label(), target.label());
            let (code, out, err) = tandem(&["restore", file, "--db", target.url()], "").await;
            assert_eq!(code, 0, "{label}: {err}");
            assert!(out.contains("restored"), "{label}: {out}");
            // The same data: the restored database backs up to the same file.
            let again = dir.join("again.tandem");
            let (code, _, err) = tandem(&["backup", again.to_str().unwrap(), "--db", target.url()], "").await;
            assert_eq!(code, 0, "{label}: {err}");
            assert!(std::fs::read_to_string(&again).unwrap() == original, "{label}: the restored data differs");
            // And it serves: same schedule, same log; new rows get new ids.
            let restored = TestApp::start(target, tandem_server::Config::default()).await;
            assert_eq!(what_users_see(&restored).await, seen, "{label}");
            let pm = restored.login_as(Role::ProjectManager).await;
            let me: serde_json::Value = json_ok(pm.get("/api/v1/me").await, 200).await;
            let ws = me["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();
            let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
            let p = projects["items"][0]["id"].as_str().unwrap().to_owned();
            json_ok(
                pm.post(&format!("/api/v1/projects/{p}/tasks"), serde_json::json!({"name": "After the move"})).await,
                201,
            )
            .await;

            // A second restore into the now non-empty database is refused and changes nothing.
            let (code, _, err) = tandem(&["restore", file, "--db", target.url()], "").await;
            assert_ne!(code, 0);
            assert_eq!(err.trim().lines().count(), 1, "{err}");
            assert!(err.contains("empty database"), "{err}");
        }
        // Start the targets afresh for the next source.
        for t in targets.drain(..) {
            t.destroy().await;
        }
        targets.push(TestDb::sqlite());
        if let Some(admin) = &pg {
            targets.push(TestDb::postgres(admin).await);
        }
        source.destroy().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
    for t in targets {
        t.destroy().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_backup_is_refused_and_writes_nothing() {
    let source = TestDb::sqlite();
    let app = TestApp::start(&source, tandem_server::Config::default()).await;
    app.seed_demo().await;
    let dir = std::env::temp_dir().join(format!("tandem-badbackup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.tandem");
    let (code, _, err) = tandem(&["backup", good.to_str().unwrap(), "--db", source.url()], "").await;
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&good).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cases: Vec<(&str, String)> = vec![
        ("truncated", lines[..lines.len() / 2].join("\n")),
        ("not a backup", "{\"hello\": 1}\n".to_owned()),
        ("not JSON", "\u{0}\u{1}garbage".to_owned()),
        ("a column that is not in the schema", text.replacen("\"email\"", "\"email; DROP TABLE users\"", 1)),
        ("a wrong type", text.replacen("[1,\"admin@demo.example\"", "[\"one\",\"admin@demo.example\"", 1)),
        ("a row that breaks a foreign key", {
            let at = lines.iter().position(|l| l.contains("\"table\":\"memberships\"")).unwrap();
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            // The membership's user becomes one that does not exist.
            let row: Vec<&str> = l[at + 1].split(',').collect();
            let mut row: Vec<String> = row.iter().map(|x| x.to_string()).collect();
            let user_col = lines[at]
                .split("\"columns\":[")
                .nth(1)
                .unwrap()
                .split(']')
                .next()
                .unwrap()
                .split(',')
                .position(|c| c == "\"user_id\"")
                .unwrap();
            row[user_col] = if user_col == 0 { "[999999".into() } else { "999999".into() };
            l[at + 1] = row.join(",");
            l.join("\n")
        }),
        (
            "one line without end",
            "{\"format\":\"tandem-backup\",\"version\":1,\"schema\":10}".to_owned() + &"x".repeat(100),
        ),
    ];
    for (what, body) in cases {
        let target = TestDb::sqlite();
        let f = dir.join("bad.tandem");
        std::fs::write(&f, body).unwrap();
        let (code, _, err) = tandem(&["restore", f.to_str().unwrap(), "--db", target.url()], "").await;
        assert_ne!(code, 0, "{what}: accepted");
        assert_eq!(err.trim().lines().count(), 1, "{what}: {err}");
        // Nothing was written: a good restore still works.
        let (code, _, err) = tandem(&["restore", good.to_str().unwrap(), "--db", target.url()], "").await;
        assert_eq!(code, 0, "{what}: the database was left unusable: {err}");
        target.destroy().await;
    }
    let (code, _, err) = tandem(&["restore", dir.join("missing").to_str().unwrap(), "--db", source.url()], "").await;
    assert_ne!(code, 0);
    assert!(err.contains("cannot read"), "{err}");
    source.destroy().await;
    let _ = std::fs::remove_dir_all(&dir);
}
