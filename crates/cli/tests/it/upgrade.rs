//! Upgrades: a database the first release made (the demo workspace, on
//! SQLite and on PostgreSQL, kept as fixtures) is migrated by today's
//! binary and its data served; `tandem migrate --dry-run` lists what would
//! run and changes nothing; a database a newer Tandem migrated is refused.

use std::io::Read;
use std::time::Duration;

use sqlx::Connection;

use crate::cli::tandem;
use crate::cluster::spawn_server;
use crate::support::{Api, TestDb, json_ok, postgres_url};

const FIRST_SCHEMA: i64 = 11;
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade");

fn gunzip(name: &str) -> Vec<u8> {
    let file = std::fs::File::open(format!("{FIXTURES}/{name}")).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(file).read_to_end(&mut out).unwrap();
    out
}

/// The first release's SQLite database, in a fresh test database's place.
fn first_release_sqlite() -> TestDb {
    let db = TestDb::sqlite();
    let path = db.url().strip_prefix("sqlite://").unwrap().to_owned();
    std::fs::write(path, gunzip("first-release.sqlite.gz")).unwrap();
    db
}

/// The first release's PostgreSQL dump, loaded into a fresh database.
async fn first_release_postgres(admin: &str) -> TestDb {
    let db = TestDb::postgres(admin).await;
    let dump = String::from_utf8(gunzip("first-release.postgres.sql.gz")).unwrap();
    // psql's own commands (`\restrict`) are not SQL.
    let sql: String = dump.lines().filter(|l| !l.starts_with('\\')).map(|l| format!("{l}\n")).collect();
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(db.url()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    db
}

async fn schema_version(url: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let v: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    v
}

/// The story on one database holding the first release's data.
async fn upgrade_story(db: TestDb) {
    let url = db.url().to_owned();
    assert_eq!(schema_version(&url).await, FIRST_SCHEMA);

    // The dry run lists every later migration, by version and name, and
    // changes nothing.
    let (code, out, err) = tandem(&["migrate", "--dry-run", "--db", &url], "").await;
    assert_eq!(code, 0, "{err}");
    let listed: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    let latest = tandem_store::migrations::latest();
    assert!(out.starts_with(&format!("would apply {} migrations:", latest - FIRST_SCHEMA)), "{out}");
    assert_eq!(listed.len() as i64, latest - FIRST_SCHEMA, "{out}");
    assert_eq!(listed[0], "  0012 shared_plan_revisions");
    assert_eq!(schema_version(&url).await, FIRST_SCHEMA, "a dry run migrated");

    // Today's server migrates on start and serves the old data.
    let server = spawn_server(&url, &[]).await;
    assert_eq!(schema_version(&url).await, latest);
    let pm = Api::login_at(&server.base, "pm@demo.example", "demo-pm-2026").await;
    let me = json_ok(pm.get("/api/v1/me").await, 200).await;
    let ws = me["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();
    let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
    let ckt = projects["items"].as_array().unwrap().iter().find(|p| p["key"] == "CKT").expect("the demo project");
    let p = ckt["id"].as_str().unwrap();
    let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks?limit=200")).await, 200).await;
    assert_eq!(tasks["items"].as_array().unwrap().len(), 57);
    let schedule = json_ok(pm.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
    assert!(schedule["project"]["finish"].is_string(), "{schedule}");
    assert_eq!(schedule["tasks"].as_array().unwrap().len(), 57);
    let pdm = Api::login_at(&server.base, "pdm@demo.example", "demo-pdm-2026").await;
    let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
    let product = products["items"][0]["id"].as_str().unwrap();
    let features = json_ok(pdm.get(&format!("/api/v1/products/{product}/features?limit=200")).await, 200).await;
    assert_eq!(features["items"].as_array().unwrap().len(), 22);
    // New features work on old data: a page that came later.
    let page = pm.get(&format!("/w/{ws}/my-work")).await;
    assert_eq!(page.status(), 200);
    drop(server);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (code, out, _) = tandem(&["migrate", "--dry-run", "--db", &url], "").await;
    assert_eq!((code, out.trim()), (0, "database is up to date"));

    // A database a newer Tandem migrated is left alone, with a clear word.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let checksum = if url.starts_with("sqlite:") { "X'00'" } else { "decode('00', 'hex')" };
    let sql = format!(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (999, 'from the future', CURRENT_TIMESTAMP, TRUE, {checksum}, 0)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let serve = ["serve", "--db", url.as_str(), "--bind", "127.0.0.1:0"];
    for args in [&["migrate", "--db", url.as_str()][..], &["migrate", "--dry-run", "--db", url.as_str()], &serve] {
        let (code, _, err) = tandem(args, "").await;
        assert_eq!(code, 1, "{args:?}");
        assert!(err.contains("the database has migrations this Tandem does not know (999)"), "{args:?}: {err}");
    }
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_releases_sqlite_database_upgrades() {
    upgrade_story(first_release_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_releases_postgres_database_upgrades() {
    let Some(admin) = postgres_url("the_first_releases_postgres_database_upgrades") else {
        return;
    };
    upgrade_story(first_release_postgres(&admin).await).await;
}
