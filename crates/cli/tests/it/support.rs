//! Test fixtures: a database per test, an in-process server on a free
//! port, signed-in HTTP clients.

use std::future::Future;
use std::path::PathBuf;

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};
use tandem_server::{AppState, Config};
use tandem_store::Store;

pub const PG_ENV: &str = "TANDEM_TEST_DATABASE_URL";

fn random_suffix() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A database that exists for one test.
pub enum TestDb {
    Sqlite { dir: PathBuf, url: String },
    Postgres { admin: String, name: String, url: String },
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("tandem-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("tandem.db").display());
        TestDb::Sqlite { dir, url }
    }

    pub async fn postgres(admin: &str) -> TestDb {
        let name = format!("tandem_t_{}", random_suffix());
        let url = tandem_store::scratch::create_postgres_database(admin, &name).await.unwrap();
        TestDb::Postgres { admin: admin.to_owned(), name, url }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            TestDb::Sqlite { .. } => "sqlite",
            TestDb::Postgres { .. } => "postgres",
        }
    }

    pub async fn destroy(self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin, name, .. } => {
                let _ = tandem_store::scratch::drop_postgres_database(&admin, &name).await;
            }
        }
    }
}

/// An HTTP client for tests. Tandem's TLS crypto provider is installed
/// first: reqwest in this binary has none of its own and panics without
/// one. Build every test client through here (or `client_builder`).
pub fn client() -> Client {
    client_builder().build().unwrap()
}

pub fn client_builder() -> reqwest::ClientBuilder {
    tandem_app::outbound::tls();
    Client::builder()
}

/// `reqwest::get` through [`client`].
pub async fn get(url: impl reqwest::IntoUrl) -> Response {
    client().get(url).send().await.unwrap()
}

/// The PostgreSQL server for tests, or `None` (said once per test).
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!("{test}: skipped: no PostgreSQL (set {PG_ENV} to run it there too)");
            None
        }
    }
}

/// The databases a story runs on: SQLite always, PostgreSQL when configured.
pub async fn databases(test: &str) -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite()];
    if let Some(url) = postgres_url(test) {
        v.push(TestDb::postgres(&url).await);
    }
    v
}

/// Runs `story` once per database, each on a fresh server.
pub async fn on_each_database<F, Fut>(test: &str, story: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_database_with(test, Config::default, story).await;
}

/// As [`on_each_database`], each server with the settings `config` makes.
pub async fn on_each_database_with<F, Fut>(test: &str, config: fn() -> Config, story: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for db in databases(test).await {
        let label = db.label();
        eprintln!("{test}: running on {label}");
        let app = TestApp::start(&db, config()).await;
        story(app).await;
        db.destroy().await;
    }
}

/// A Tandem server running in this process on a free port.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// The server's clock; `clock.set` moves "now".
    pub clock: std::sync::Arc<tandem_app::clock::ShiftedClock>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub async fn start(db: &TestDb, config: Config) -> TestApp {
        let store = Store::open(db.url()).await.unwrap();
        let mut state = AppState::new(store, config);
        let clock = std::sync::Arc::new(tandem_app::clock::ShiftedClock::default());
        state.app.clock = clock.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let s = state.clone();
        tokio::spawn(async move {
            tandem_server::serve(listener, s, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp { base, state, clock, _shutdown: tx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with no session.
    pub fn anonymous(&self) -> Api {
        Api::anonymous_at(&self.base)
    }

    /// Seeds the demo workspace and returns its id.
    pub async fn seed_demo(&self) -> String {
        tandem_app::seed::demo(&self.state).await.unwrap();
        self.state.store.workspace_by_key(tandem_app::seed::DEMO_KEY).await.unwrap().unwrap().id.to_string()
    }

    /// Signs in through the API; the client keeps the cookie and CSRF token.
    pub async fn login(&self, email: &str, password: &str) -> Api {
        Api::login_at(&self.base, email, password).await
    }

    /// Signs in as the demo user with `role`.
    pub async fn login_as(&self, role: tandem_core::Role) -> Api {
        let u = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == role).unwrap();
        self.login(u.email, u.password).await
    }
}

/// The outsider who owns [`other_workspace`].
pub const OUTSIDER: (&str, &str) = ("outsider@other.example", "outsider pass 1");

/// A second workspace, owned by someone outside the demo; its id.
pub async fn other_workspace(app: &TestApp) -> String {
    let hash = tandem_app::secrets::hash_password(OUTSIDER.1.into()).await.unwrap();
    let now = app.state.clock.now();
    let u = app.state.store.create_user(OUTSIDER.0, "Outsider", &hash, now).await.unwrap();
    app.state.store.create_workspace("Other Co", "OTHER", Some(u.id), now).await.unwrap().id.to_string()
}

/// An HTTP client bound to a test server, optionally signed in.
#[derive(Clone)]
pub struct Api {
    app_base: String,
    pub client: Client,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Api {
    /// A client with no session, for the server at `base`.
    pub fn anonymous_at(base: &str) -> Api {
        Api {
            app_base: base.to_owned(),
            client: client_builder().cookie_store(true).build().unwrap(),
            csrf: None,
            bearer: None,
        }
    }

    /// Signs in to the server at `base`; the client keeps the cookie and CSRF token.
    pub async fn login_at(base: &str, email: &str, password: &str) -> Api {
        let mut api = Api::anonymous_at(base);
        let r = api.post("/api/v1/auth/login", json!({"email": email, "password": password})).await;
        assert_eq!(r.status(), 200, "login as {email}");
        let body: Value = r.json().await.unwrap();
        api.csrf = Some(body["csrf_token"].as_str().unwrap().to_owned());
        api
    }

    pub fn with_bearer(&self, token: &str) -> Api {
        Api { app_base: self.app_base.clone(), client: client(), csrf: None, bearer: Some(token.to_owned()) }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut rb = self.client.request(method.clone(), format!("{}{}", self.app_base, path));
        if let Some(t) = &self.bearer {
            rb = rb.bearer_auth(t);
        }
        if method != Method::GET
            && let Some(c) = &self.csrf
        {
            rb = rb.header("x-csrf-token", c);
        }
        rb
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path).json(&body).send().await.unwrap()
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.request(Method::PATCH, path).json(&body).send().await.unwrap()
    }
    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.request(Method::PUT, path).json(&body).send().await.unwrap()
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path).send().await.unwrap()
    }
}

/// Asserts the status and the error body's code; returns the body.
pub async fn expect_error(r: Response, status: u16, code: &str) -> Value {
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "body: {body}");
    body
}

/// A new empty project starting on Monday 4 January 2027; its id.
pub async fn new_project(api: &Api, ws: &str, name: &str, key: &str) -> String {
    let body = serde_json::json!({"name": name, "key": key, "start": "2027-01-04"});
    let p = json_ok(api.post(&format!("/api/v1/workspaces/{ws}/projects"), body).await, 201).await;
    p["id"].as_str().unwrap_or_default().to_owned()
}

pub async fn json_ok(r: Response, status: u16) -> Value {
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

/// Asserts a task list's outline: each task's WBS code, name and kind, in
/// order.
pub fn assert_outline(tasks: &[Value], expect: &[(&str, &str, &str)]) {
    let seen: Vec<(&str, &str, &str)> = tasks
        .iter()
        .map(|t| (t["wbs"].as_str().unwrap(), t["name"].as_str().unwrap(), t["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, expect);
}

/// A fresh, empty directory for one test's files, named after it.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A TCP port free at the moment of asking, for a peer the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A program from Debian's packages that a test runs (`apt-get install
/// {package}`), found on PATH or in the sbin folders; `None` after saying
/// the test is skipped. With `{require}=1` (CI) its absence is a failure.
pub fn installed_tool(test: &str, exe: &str, package: &str, require: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")];
    let found = std::env::split_paths(&path).chain(sbin).map(|d| d.join(exe)).find(|f| f.is_file());
    if found.is_none() {
        assert!(
            std::env::var(require).as_deref() != Ok("1"),
            "{test}: {require}=1 but {exe} is not installed (apt-get install {package})"
        );
        eprintln!("{test}: skipped: no {exe} (apt-get install {package})");
    }
    found
}
