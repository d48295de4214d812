//! End-to-end in a real browser: Debian's Chromium driven through
//! chromedriver. Runs when chromedriver is installed; with
//! `TANDEM_REQUIRE_BROWSER=1` (CI) its absence is a failure.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tandem_core::Role;
use tokio::process::{Child, Command};

use crate::support::{TestApp, TestDb};

const DRIVER: &str = "chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

fn find_on_path(exe: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(exe)).find(|f| f.is_file()))
}

/// chromedriver's path, or `None` after saying the test is skipped.
fn driver(test: &str) -> Option<PathBuf> {
    let found = find_on_path(DRIVER).filter(|_| std::path::Path::new(CHROMIUM).exists());
    let required = std::env::var("TANDEM_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    match found {
        Some(p) => Some(p),
        None if required => {
            panic!("{test}: TANDEM_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed")
        }
        None => {
            eprintln!("{test}: skipped: no Chromium (apt-get install chromium chromium-driver)");
            None
        }
    }
}

/// Where screenshots go: `target/screenshots/`, for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A browser session and the chromedriver behind it.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: PathBuf,
}

impl Browser {
    pub async fn start(test: &str) -> Option<Browser> {
        let exe = driver(test)?;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let profile_of = |attempt: u32| std::env::temp_dir().join(format!("tandem-chromium-{port}-{attempt}"));
        let caps_of = |profile: &std::path::Path| {
            let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--no-first-run", "--window-size=1280,900", format!("--user-data-dir={}", profile.display())]
                },
                "goog:loggingPrefs": {"browser": "ALL"}
            });
            let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
            caps
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        // Chromium can exit at start on a busy machine; each try after that
        // takes a fresh profile, since the failed one may hold its lock.
        let mut attempt = 0;
        for _ in 0..100 {
            let profile = profile_of(attempt);
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps_of(&profile))
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Browser { client, _driver: driver, _profile: profile });
                }
                Err(e) => {
                    if matches!(e, fantoccini::error::NewSessionError::SessionNotCreated(_)) {
                        let _ = std::fs::remove_dir_all(&profile);
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(400)).await;
                    }
                    last = Some(e);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start: {last:?}");
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The browser console's entries at level SEVERE since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let logs = self.client.issue_cmd(BrowserLog).await.unwrap();
        logs.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The text of the first element matching `css`, waiting for it to
    /// appear (pages load after clicks and posts).
    /// A page that redraws between finding and reading (live updates) is
    /// read again.
    pub async fn text(&self, css: &str) -> String {
        let mut last = None;
        for _ in 0..200 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                match e.text().await {
                    Ok(t) => return t,
                    Err(err) => last = Some(err.to_string()),
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("`{css}` could not be read: {last:?}");
    }

    /// Waits (10 s at most) until the element's text contains `needle`:
    /// after a click the old page may still be showing.
    pub async fn expect_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..200 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("`{css}` never showed `{needle}`; last text: {last}");
    }

    /// Replaces the field's value with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks the element, waiting (10 s at most) for a script to draw it.
    pub async fn click(&self, css: &str) {
        // A script may redraw the element between finding and clicking it
        // (a live update); find it again then.
        for _ in 0..3 {
            let e = self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap();
            // To the middle of the window, clear of the sticky header that
            // WebDriver's own scrolling would leave over it.
            let arg = serde_json::to_value(&e).unwrap();
            let _ = self.client.execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg]).await;
            match e.click().await {
                Err(fantoccini::error::CmdError::Standard(w))
                    if w.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
                r => return r.unwrap(),
            }
        }
        panic!("`{css}` kept being redrawn");
    }

    pub async fn sign_in(&self, base: &str, email: &str, password: &str) {
        self.client.goto(&format!("{base}/login")).await.unwrap();
        self.fill("input[name=email]", email).await;
        self.fill("input[name=password]", password).await;
        self.click("button[type=submit]").await;
        self.client.wait().for_element(Locator::Css("header nav.sections")).await.unwrap();
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self._profile);
    }
}

/// chromedriver's log endpoint (not part of W3C WebDriver).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({"type": "browser"}).to_string()))
    }
}

/// A browser, and a server with the demo workspace on a fresh database:
/// PostgreSQL when `TANDEM_TEST_DATABASE_URL` names a server (CI's second
/// run), a SQLite file otherwise, so the suite runs on both.
pub async fn demo_in_browser(test: &str) -> Option<(Browser, TestDb, TestApp, String)> {
    let b = Browser::start(test).await?;
    let db = match std::env::var(crate::support::PG_ENV) {
        Ok(admin) if !admin.is_empty() => TestDb::postgres(&admin).await,
        _ => TestDb::sqlite(),
    };
    eprintln!("{test}: in the browser on {}", db.label());
    let app = TestApp::start(&db, tandem_server::Config::default()).await;
    let ws = app.seed_demo().await;
    Some((b, db, app, ws))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_manager_signs_in_and_finds_the_shell() {
    let test = "product_manager_signs_in_and_finds_the_shell";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let pdm = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::ProductManager).unwrap();

    // A signed-out visit to a workspace page goes to sign-in and comes back.
    b.client.goto(&app.url(&format!("/w/{ws}/together"))).await.unwrap();
    assert_eq!(b.client.current_url().await.unwrap().path(), "/login");
    b.screenshot("01-sign-in").await;
    b.fill("input[name=email]", pdm.email).await;
    b.fill("input[name=password]", "wrong password").await;
    b.click("button[type=submit]").await;
    b.expect_text(".alert", "Wrong e-mail or password").await;
    // The refused attempt is a 401, which the console reports; drain it so
    // that every later error counts.
    let refused = b.console_errors().await;
    assert!(refused.iter().all(|e| e.contains("401")), "{refused:?}");
    b.fill("input[name=password]", pdm.password).await;
    b.click("button[type=submit]").await;
    b.client.wait().for_element(Locator::Css("header nav.sections")).await.unwrap();
    assert_eq!(b.client.current_url().await.unwrap().path(), format!("/w/{ws}/together"));
    b.expect_text("main", "ran a Monte Carlo simulation").await;

    // The shell: who is signed in, the role, the three sections.
    let header = b.text("header").await;
    assert!(header.contains("Priya Product") && header.contains("Product manager"), "{header}");
    for section in ["Product", "Project", "Together", "Settings"] {
        b.client.find(Locator::LinkText(section)).await.unwrap();
    }
    b.client.find(Locator::LinkText("Home")).await.unwrap().click().await.unwrap();
    b.expect_text("main h1", "Demo: Acme Checkout").await;
    b.expect_text("main .lead", "Product manager").await;
    b.screenshot("02-home-product-manager").await;

    // One product: the Product section opens its dashboard.
    b.client.find(Locator::LinkText("Product")).await.unwrap().click().await.unwrap();
    b.expect_text("main h1", "Acme Checkout").await;
    b.expect_text("main", "OKR progress").await;
    b.screenshot("03-product-dashboard").await;
    b.client.find(Locator::LinkText("Project")).await.unwrap().click().await.unwrap();
    b.expect_text("main h1", "Project").await;

    // The workspace switcher opens and lists the workspace.
    b.click("details.switcher summary").await;
    let menu = b.text("details.switcher .menu").await;
    assert!(menu.contains("DEMO") && menu.contains("New workspace"), "{menu}");

    // Members: a product manager reads them but has no controls.
    b.client.goto(&app.url(&format!("/w/{ws}/settings/members"))).await.unwrap();
    let members = b.expect_text("#members", "pm@demo.example").await;
    assert!(members.contains("pm@demo.example") && members.contains("Project manager"), "{members}");
    assert!(b.client.find_all(Locator::Css("#members select, #members button")).await.unwrap().is_empty());
    assert!(b.client.find_all(Locator::Css("input[name=email]")).await.unwrap().is_empty());
    b.screenshot("04-members-read-only").await;

    // API tokens: create one; the secret is shown once.
    b.client.goto(&app.url("/settings/tokens")).await.unwrap();
    b.fill("input[name=name]", "browser test").await;
    b.click("main form.stack button[type=submit]").await;
    let secret = b.text("#new-token").await;
    assert!(secret.starts_with("tdm_"));
    b.screenshot("05-api-token-created").await;
    let me = app.anonymous().with_bearer(&secret).get("/api/v1/me").await;
    assert_eq!(me.status(), 200);

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");

    // Sign out.
    b.click("details.user-menu summary").await;
    b.click("details.user-menu button").await;
    b.client.wait().for_element(Locator::Css("input[name=password]")).await.unwrap();
    b.client.goto(&app.url(&format!("/w/{ws}"))).await.unwrap();
    assert_eq!(b.client.current_url().await.unwrap().path(), "/login");

    eprintln!("{test}: screenshots in {}", screenshot_dir().display());
    b.close().await;
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_changes_a_role_in_the_members_page() {
    let test = "admin_changes_a_role_in_the_members_page";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let admin = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::Admin).unwrap();
    b.sign_in(&app.base, admin.email, admin.password).await;
    b.client.goto(&app.url(&format!("/w/{ws}/settings/members"))).await.unwrap();

    let dev_id = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id;
    let page = app.state.store.members(ws.parse().unwrap(), None, 50).await.unwrap();
    let member = page.items.iter().find(|m| m.user_id == dev_id).unwrap();
    let select = b.client.find(Locator::Css(&format!("#role-{}", member.id))).await.unwrap();
    select.select_by_value("project_manager").await.unwrap();
    let form = b.client.form(Locator::Css(&format!("form[action$='/members/{}']", member.id))).await.unwrap();
    form.submit().await.unwrap();
    // The old page is still there while the post is under way: wait for
    // the change itself (bounded), then for the page that shows it.
    let mut role = None;
    for _ in 0..100 {
        role = app.state.store.role_in(ws.parse().unwrap(), dev_id).await.unwrap();
        if role == Some(Role::ProjectManager) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(role, Some(Role::ProjectManager));
    let selected = format!("#role-{} option[value=project_manager][selected]", member.id);
    b.client.wait().for_element(Locator::Css(&selected)).await.unwrap();
    b.screenshot("06-members-admin").await;

    // Adding a member without a password gives an invitation link.
    b.client
        .find(Locator::Css("main form.stack input[name=email]"))
        .await
        .unwrap()
        .send_keys("guest@demo.example")
        .await
        .unwrap();
    b.click("main form.stack button[type=submit]").await;
    let flash = b.expect_text(".flash", "/invitations/inv_").await;
    assert!(flash.contains("/invitations/inv_"), "{flash}");

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}

/// The id of the demo feature titled `title`.
async fn feature_id(app: &TestApp, title: &str) -> String {
    let ws: tandem_core::Id = app.state.store.workspace_by_key(tandem_app::seed::DEMO_KEY).await.unwrap().unwrap().id;
    let product = app.state.store.products(ws, None, 10).await.unwrap().items.remove(0);
    let f = app.state.store.features(product.id).await.unwrap().into_iter().find(|f| f.title == title).unwrap();
    f.id.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_manager_triages_scores_and_plans_a_feature() {
    let test = "product_manager_triages_scores_and_plans_a_feature";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let pdm = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::ProductManager).unwrap();
    let wsid: tandem_core::Id = ws.parse().unwrap();
    let product = app.state.store.products(wsid, None, 10).await.unwrap().items.remove(0).id;
    b.sign_in(&app.base, pdm.email, pdm.password).await;

    // Triage: the new feedback in the inbox.
    b.client.goto(&app.url(&format!("/products/{product}/feedback?status=new"))).await.unwrap();
    let item = b.expect_text("#inbox li", "remember my last order").await;
    assert!(item.contains("New"), "{item}");
    b.screenshot("10-feedback-inbox").await;
    let fb = b.client.find(Locator::Css("#inbox li")).await.unwrap();
    let fb_id = fb.attr("id").await.unwrap().unwrap().trim_start_matches("feedback-").to_owned();
    b.client.find(Locator::Css(&format!("#st-{fb_id}"))).await.unwrap().select_by_value("triaged").await.unwrap();
    b.click(&format!("#feedback-{fb_id} button[name=triage]")).await;
    b.expect_text(&format!("#feedback-{fb_id} .status"), "Triaged").await;

    // Link it to the unscored idea, as critical.
    let voice = feature_id(&app, "Voice ordering").await;
    b.client.find(Locator::Css(&format!("#lf-{fb_id}"))).await.unwrap().select_by_value(&voice).await.unwrap();
    b.client.find(Locator::Css(&format!("#li-{fb_id}"))).await.unwrap().select_by_value("3").await.unwrap();
    b.click(&format!("#feedback-{fb_id} button[name=link]")).await;
    b.expect_text(&format!("#feedback-{fb_id}"), "CHK-22").await;
    b.expect_text(&format!("#feedback-{fb_id} .status"), "Linked").await;

    // Score it on its page: 2,000 × 2 × 50 % ÷ 2 = 1,000; and put it in "now".
    b.client.goto(&app.url(&format!("/features/{voice}"))).await.unwrap();
    b.expect_text("#scores", "unscored").await;
    b.expect_text("main", "remember my last order").await;
    for (field, value) in
        [("rice_reach", "2000"), ("rice_impact", "2"), ("rice_confidence", "50"), ("rice_effort", "2")]
    {
        b.fill(&format!("#{field}"), value).await;
    }
    b.client.find(Locator::Css("#lane")).await.unwrap().select_by_value("now").await.unwrap();
    b.click("#feature-form button[type=submit]").await;
    let scores = b.expect_text("#scores", "1000").await;
    assert!(scores.contains("Demand"), "{scores}");
    b.screenshot("11-feature-scored").await;

    // The backlog sorted by RICE shows its new score.
    b.client.goto(&app.url(&format!("/products/{product}/backlog?sort=rice"))).await.unwrap();
    let row = b.expect_text(&format!("#backlog tr[data-id='{voice}']"), "1000").await;
    assert!(row.contains("Voice ordering"), "{row}");
    b.screenshot("12-backlog").await;

    // Drag the second "must" above the first in the manual view: the manual order changes.
    b.client.goto(&app.url(&format!("/products/{product}/backlog?sort=manual"))).await.unwrap();
    let rows = b.client.find_all(Locator::Css("#backlog tbody tr")).await.unwrap();
    let second = rows[1].attr("data-id").await.unwrap().unwrap();
    let handle = b.client.find(Locator::Css(&format!("#backlog tr[data-id='{second}'] .handle"))).await.unwrap();
    let first_cell = rows[0].find(Locator::Css("td:nth-child(3)")).await.unwrap();
    {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        let reorder = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: handle, duration: None, x: 0.0, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::MoveToElement {
                element: first_cell,
                duration: Some(Duration::from_millis(200)),
                x: 0.0,
                y: -8.0,
            })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        b.client.perform_actions(reorder).await.unwrap();
    }
    let mut rank = 0;
    for _ in 0..100 {
        rank = app.state.store.feature(second.parse().unwrap()).await.unwrap().rank;
        if rank == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rank, 1, "the dragged feature is first in the manual order");
    b.client
        .wait()
        .for_element(Locator::Css(&format!("#backlog tbody tr:first-child[data-id='{second}']")))
        .await
        .unwrap();

    // On the roadmap it is in "now"; drag another card from "next" to "now".
    b.client.goto(&app.url(&format!("/products/{product}/roadmap"))).await.unwrap();
    b.expect_text(".lane[data-lane=now]", "Voice ordering").await;
    let gift = feature_id(&app, "Gift cards").await;
    b.expect_text(".lane[data-lane=next]", "Gift cards").await;
    let card = b.client.find(Locator::Css(&format!(".roadmap-card[data-id='{gift}'] small"))).await.unwrap();
    let target = b.client.find(Locator::Css(".lane[data-lane=now] h2")).await.unwrap();
    use fantoccini::actions::InputSource;
    let drag = fantoccini::actions::MouseActions::new("mouse".into())
        .then(fantoccini::actions::PointerAction::MoveToElement { element: card, duration: None, x: 0.0, y: 0.0 })
        .then(fantoccini::actions::PointerAction::Down { button: fantoccini::actions::MOUSE_BUTTON_LEFT })
        .then(fantoccini::actions::PointerAction::MoveToElement {
            element: target.clone(),
            duration: Some(Duration::from_millis(200)),
            x: 0.0,
            y: 0.0,
        })
        .then(fantoccini::actions::PointerAction::MoveToElement {
            element: target,
            duration: Some(Duration::from_millis(100)),
            x: 5.0,
            y: 5.0,
        })
        .then(fantoccini::actions::PointerAction::Up { button: fantoccini::actions::MOUSE_BUTTON_LEFT });
    b.client.perform_actions(drag).await.unwrap();
    let mut lane = None;
    for _ in 0..100 {
        lane = app.state.store.feature(gift.parse().unwrap()).await.unwrap().lane;
        if lane == Some(tandem_core::product::Lane::Now) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(lane, Some(tandem_core::product::Lane::Now), "the drag moved the card");
    b.expect_text(".lane[data-lane=now]", "Gift cards").await;
    b.screenshot("13-roadmap").await;
    for page in ["okrs", "competitors", "metrics", "releases"] {
        b.client.goto(&app.url(&format!("/products/{product}/{page}"))).await.unwrap();
        b.client.wait().for_element(Locator::Css("main h1")).await.unwrap();
        b.screenshot(&format!("14-{page}")).await;
    }
    b.expect_text("main", "2027.1 Faster checkout").await;
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;

    // A stakeholder reads the same pages without a single edit control, but may send feedback.
    let b = Browser::start(test).await.unwrap();
    let sh = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::Stakeholder).unwrap();
    b.sign_in(&app.base, sh.email, sh.password).await;
    for page in [
        format!("/products/{product}"),
        format!("/products/{product}/backlog"),
        format!("/products/{product}/roadmap"),
        format!("/products/{product}/feedback"),
        format!("/products/{product}/okrs"),
        format!("/products/{product}/releases"),
        format!("/products/{product}/competitors"),
        format!("/products/{product}/metrics"),
        format!("/features/{voice}"),
    ] {
        b.client.goto(&app.url(&page)).await.unwrap();
        b.client.wait().for_element(Locator::Css("main h1")).await.unwrap();
        let controls = b
            .client
            .find_all(Locator::Css(
                "form[action$='/edit'], form[action$='/triage'], form[action$='/link'], form[action$='/record'], .handle, \
                 .draggable, form[action$='/features'], form[action$='/new'], form[action$='/cell']",
            ))
            .await
            .unwrap();
        assert!(controls.is_empty(), "{page}: {} edit controls for a stakeholder", controls.len());
    }
    // Stakeholders comment.
    b.fill("#comments textarea[name=body]", "Sales asked for this in **three** deals").await;
    b.click("#comments button[type=submit]").await;
    let thread = b.expect_text("#comments .comments", "three deals").await;
    assert!(thread.contains("Sam Stakeholder"), "{thread}");
    b.screenshot("15-feature-stakeholder").await;
    b.client.goto(&app.url(&format!("/products/{product}/feedback"))).await.unwrap();
    b.fill("textarea[name=text]", "Stakeholders want a quarterly summary").await;
    b.click("form[data-create][action$='/feedback'] button[type=submit]").await;
    b.expect_text("#inbox", "quarterly summary").await;
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}

/// A mouse drag from one element to another, through Pointer Events.
pub async fn drag(b: &Browser, from: fantoccini::elements::Element, to: fantoccini::elements::Element) {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let actions = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: from, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveToElement {
            element: to.clone(),
            duration: Some(Duration::from_millis(200)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::MoveToElement { element: to, duration: Some(Duration::from_millis(100)), x: 5.0, y: 5.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    b.client.perform_actions(actions).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_pages_gantt_critical_path_and_board_drag() {
    let test = "project_pages_gantt_critical_path_and_board_drag";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let pm = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::ProjectManager).unwrap();
    let ws_id: tandem_core::Id = ws.parse().unwrap();
    let project = app.state.store.projects_by_key(Some(ws_id), "CKT").await.unwrap().remove(0);
    let p = project.id;
    b.sign_in(&app.base, pm.email, pm.password).await;
    b.client.goto(&app.url(&format!("/w/{ws}/project"))).await.unwrap();
    b.click("main table a").await;
    b.expect_text("main h1", "Checkout 2027.1").await;
    b.expect_text("#forecast-finish", "20").await;
    b.screenshot("20-project-dashboard").await;

    // The Gantt page draws the critical path in red: each row drawn is red
    // exactly when the API calls its task critical.
    b.client.goto(&app.url(&format!("/projects/{p}/gantt"))).await.unwrap();
    b.client.wait().for_element(Locator::Css("#sheet[data-ready='true']")).await.unwrap();
    let api = app.login_as(Role::ProjectManager).await;
    let s: serde_json::Value = api.get(&format!("/api/v1/projects/{p}/schedule")).await.json().await.unwrap();
    let critical: std::collections::HashSet<String> = s["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["critical"] == true && t["summary"] == false)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!critical.is_empty());
    // Rows are drawn where the view is: scroll through them all.
    let mut seen = std::collections::HashSet::new();
    let mut red_rows = Vec::new();
    let mut drawn = std::collections::HashSet::new();
    for step in 0..40 {
        let js = format!("document.querySelector('#sheet .sheet-scroll').scrollTop = {}", step * 400);
        b.client.execute(&js, vec![]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(60)).await;
        for row in b.client.find_all(Locator::Css("#sheet .srow:not(.blank)")).await.unwrap() {
            let id = row.attr("data-task").await.unwrap().unwrap();
            let red = row.attr("class").await.unwrap().unwrap_or_default().split(' ').any(|c| c == "critical");
            assert_eq!(red, critical.contains(&id), "row {id}");
            if red && seen.insert(id.clone()) {
                red_rows.push(id.clone());
            }
            seen.insert(id);
        }
        for part in ["#sheet .bar.critical", "#sheet path.link.critical", "#sheet .baseline"] {
            if !b.client.find_all(Locator::Css(part)).await.unwrap().is_empty() {
                drawn.insert(part);
            }
        }
    }
    assert_eq!(drawn.len(), 3, "critical bars, critical links and baselines are drawn: {drawn:?}");
    let all = s["tasks"].as_array().unwrap().len();
    assert_eq!(seen.len(), all, "every task has a row");
    assert_eq!(red_rows.len(), critical.len(), "every critical task is red");
    b.client.execute("document.querySelector('#sheet .sheet-scroll').scrollTop = 0", vec![]).await.unwrap();
    // Each row opens its task's page.
    let first = b.client.find(Locator::Css("#sheet .srow:not(.blank)")).await.unwrap().attr("data-task").await.unwrap();
    let first = first.unwrap();
    assert!(b.client.find(Locator::Css(&format!("#sheet a[href='/tasks/{first}']"))).await.is_ok());
    assert!(!b.client.find_all(Locator::Css("#sheet .vline.status-date")).await.unwrap().is_empty());
    assert!(!b.client.find_all(Locator::Css("#sheet .vline.today")).await.unwrap().is_empty());
    // The timeline's header stays in view while the rows scroll.
    let header_top = || async {
        let h = b.client.find(Locator::Css("#sheet .sheet-head")).await.unwrap();
        h.rectangle().await.unwrap().1
    };
    let before = header_top().await;
    b.client.execute("document.querySelector('#sheet .sheet-scroll').scrollTop = 200", vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!((header_top().await - before).abs() < 1.0, "the header scrolled away");
    b.screenshot("21-gantt").await;
    b.click("#sheet [data-zoom='day']").await;
    b.client.wait().for_element(Locator::Css("#sheet [data-zoom='day'][aria-pressed='true']")).await.unwrap();
    b.screenshot("22-gantt-days").await;
    b.click("#sheet [data-zoom='week']").await;
    for (page, name) in [
        ("tasks", "23-tasks"),
        ("board", "24-board"),
        ("sprints", "25-sprints"),
        ("resources", "26-resources"),
        ("budget", "27-budget"),
        ("risks", "28-risks"),
        ("monte-carlo", "29-monte-carlo"),
        ("defects", "30-defects"),
        ("changes", "35-change-requests"),
        ("reports", "31-reports"),
    ] {
        b.client.goto(&app.url(&format!("/projects/{p}/{page}"))).await.unwrap();
        b.client.wait().for_element(Locator::Css("main h1")).await.unwrap();
        b.screenshot(name).await;
    }
    b.expect_text("main", "Status reports").await;
    b.click("main table a").await;
    let rag = b.expect_text("#rag", "Overall").await;
    assert!(rag.contains("CPI") && rag.contains("amber below"), "each colour says its rule: {rag}");
    b.screenshot("32-status-report").await;
    b.client
        .goto(&app.url(&format!("/w/{ws}/timesheet?week={}", project.status_date.unwrap().0.date())))
        .await
        .unwrap();
    b.expect_text("#timesheet", "Hours").await;
    b.screenshot("33-timesheet").await;
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;

    // The contributor drags her own card to review; the task's status follows.
    let dev = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::Contributor).unwrap();
    let dev_id = app.state.store.user_by_email(dev.email).await.unwrap().unwrap().id;
    let mine = app.state.store.resource_of_user(ws_id, dev_id).await.unwrap().unwrap();
    let tasks = app.state.store.tasks(p).await.unwrap();
    let card = tasks
        .iter()
        .find(|t| {
            t.status == tandem_core::project::BoardStatus::Todo
                && t.assignments.iter().any(|a| a.resource_id == mine.id)
        })
        .expect("an open task of hers");
    let b = Browser::start(test).await.unwrap();
    b.sign_in(&app.base, dev.email, dev.password).await;
    b.client.goto(&app.url(&format!("/projects/{p}/board"))).await.unwrap();
    let el = b
        .client
        .wait()
        .for_element(Locator::Css(&format!(".card-item.draggable[data-id='{}'] p", card.id)))
        .await
        .unwrap();
    let target = b.client.find(Locator::Css(".column[data-status=review] h2")).await.unwrap();
    drag(&b, el, target).await;
    let mut status = card.status;
    for _ in 0..100 {
        status = app.state.store.task(card.id).await.unwrap().status;
        if status == tandem_core::project::BoardStatus::Review {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, tandem_core::project::BoardStatus::Review, "the drag moved the card");
    b.expect_text(".column[data-status=review]", &card.name).await;
    b.screenshot("34-board-after-drag").await;
    // Cards of others cannot be dragged by her.
    let others = tasks.iter().filter(|t| {
        !t.assignments.iter().any(|a| a.resource_id == mine.id) && t.kind != tandem_core::project::TaskKind::Summary
    });
    for t in others.take(3) {
        let found =
            b.client.find_all(Locator::Css(&format!(".card-item.draggable[data-id='{}']", t.id))).await.unwrap();
        assert!(found.is_empty(), "{} is draggable for a contributor", t.key);
    }
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;

    // A stakeholder reads every project page without an edit control.
    let b = Browser::start(test).await.unwrap();
    let sh = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == Role::Stakeholder).unwrap();
    b.sign_in(&app.base, sh.email, sh.password).await;
    for page in [
        "",
        "/tasks",
        "/gantt",
        "/board",
        "/sprints",
        "/resources",
        "/budget",
        "/risks",
        "/monte-carlo",
        "/defects",
        "/reports",
    ] {
        b.client.goto(&app.url(&format!("/projects/{p}{page}"))).await.unwrap();
        b.client.wait().for_element(Locator::Css("main h1")).await.unwrap();
        // Filter bars (GET forms) are for reading.
        let controls = b.client.find_all(Locator::Css("main form:not([method=get]), .draggable")).await.unwrap();
        assert!(controls.is_empty(), "{page}: {} controls for a stakeholder", controls.len());
    }
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}

/// Picks the option `value` of the select `name` inside `scope`.
pub async fn choose(b: &Browser, scope: &str, name: &str, value: &str) {
    let sel = b.client.find(Locator::Css(&format!("{scope} select[name={name}]"))).await.unwrap();
    sel.select_by_value(value).await.unwrap();
}

pub async fn sign_in_as(b: &Browser, app: &TestApp, role: Role) {
    let u = tandem_app::seed::DEMO_USERS.iter().find(|u| u.role == role).unwrap();
    b.client.delete_all_cookies().await.unwrap();
    b.sign_in(&app.base, u.email, u.password).await;
}

/// The story that motivates Tandem, in the browser: the product manager
/// files "add gift cards to 2027.1" from the project's Changes page; the
/// impact shows ten working days; the project manager rejects, the product
/// manager approves, so it escalates; the admin approves; the plan has the
/// task and the decision log every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_request_is_filed_and_decided_in_the_browser() {
    let test = "a_change_request_is_filed_and_decided_in_the_browser";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let ws_id: tandem_core::Id = ws.parse().unwrap();
    let p = app.state.store.projects_by_key(Some(ws_id), "CKT").await.unwrap().remove(0).id;
    let api = app.login_as(Role::ProjectManager).await;
    let tasks: serde_json::Value = api.get(&format!("/api/v1/projects/{p}/tasks")).await.json().await.unwrap();
    let id_of = |name: &str| {
        tasks["items"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let product = project_product(&app, p).await;
    let gift = feature_id(&app, "Gift cards").await;
    let releases: serde_json::Value =
        api.get(&format!("/api/v1/products/{product}/releases")).await.json().await.unwrap();
    let r1 =
        releases["items"].as_array().unwrap().iter().find(|r| r["name"] == "2027.1 Faster checkout").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();

    sign_in_as(&b, &app, Role::ProductManager).await;
    b.client.goto(&app.url(&format!("/projects/{p}/changes"))).await.unwrap();
    let form = "#file-change form";
    b.fill(&format!("{form} input[name=title]"), "Add gift cards to 2027.1").await;
    b.fill(&format!("{form} textarea[name=description]"), "Three enterprise customers asked for it.").await;
    b.fill(&format!("{form} input[name=add_name]"), "Gift card payments").await;
    let days = b.client.find(Locator::Css(&format!("{form} input[name=add_days]"))).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("10").await.unwrap();
    choose(&b, form, "add_after", &id_of("Rollout to everyone")).await;
    choose(&b, form, "add_before", &id_of("Release 2027.1 live")).await;
    choose(&b, form, "add_feature", &gift).await;
    choose(&b, form, "feature_id", &gift).await;
    choose(&b, form, "release_id", &r1).await;
    b.screenshot("40-file-change-request").await;
    b.click(&format!("{form} button[name=submit]")).await;
    let list: serde_json::Value = loop {
        let l: serde_json::Value =
            api.get(&format!("/api/v1/projects/{p}/change-requests")).await.json().await.unwrap();
        if l["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["title"] == "Add gift cards to 2027.1" && c["status"] == "submitted")
        {
            break l;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let cr =
        list["items"].as_array().unwrap().iter().find(|c| c["title"] == "Add gift cards to 2027.1").unwrap().clone();
    let card = format!("#cr-{}", cr["id"].as_str().unwrap());
    b.expect_text(&card, "(10 working days)").await;
    b.expect_text(&card, "Product manager and Project manager").await;
    // The edits themselves, as a diff people read.
    let diff = b.text(&format!("{card} .diff")).await;
    assert!(diff.contains("Add task Gift card payments (10 days), delivers CHK-9 Gift cards"), "{diff}");
    assert!(diff.contains("Bring CHK-9 Gift cards into 2027.1"), "{diff}");
    b.screenshot("41-change-request-impact").await;

    // The project manager rejects, the product manager approves: escalated.
    let decide = |role: Role, outcome: &'static str, why: &'static str| {
        let (b, app, card) = (&b, &app, card.clone());
        async move {
            sign_in_as(b, app, role).await;
            b.client.goto(&app.url(&format!("/projects/{p}/changes"))).await.unwrap();
            b.fill(&format!("{card} input[name=rationale]"), why).await;
            b.click(&format!("{card} button[value={outcome}]")).await;
        }
    };
    decide(Role::ProjectManager, "reject", "Ten more days puts the release at risk").await;
    b.expect_text(&card, "Reject").await;
    // Who is still awaited, and the project manager's buttons are gone.
    let calls = b.expect_text(&format!("{card} .calls"), "awaited").await;
    assert!(calls.contains("Project manager: Reject") && calls.contains("Product manager: awaited"), "{calls}");
    assert!(b.client.find_all(Locator::Css(&format!("{card} button[value=approve]"))).await.unwrap().is_empty());
    decide(Role::ProductManager, "approve", "Enterprise deals depend on it").await;
    b.expect_text(&format!("{card} h2"), "Escalated").await;
    // A contributor sees the request but no decision buttons.
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url(&format!("/projects/{p}/changes"))).await.unwrap();
    b.expect_text(&card, "Escalated").await;
    assert!(b.client.find_all(Locator::Css(&format!("{card} form"))).await.unwrap().is_empty());
    decide(Role::Admin, "approve", "Revenue outweighs two weeks").await;
    b.expect_text(&format!("{card} h2"), "Applied").await;
    b.screenshot("42-change-request-applied").await;

    // The plan changed; the decision log has each step.
    let s: serde_json::Value = api.get(&format!("/api/v1/projects/{p}/schedule")).await.json().await.unwrap();
    assert!(s["tasks"].as_array().unwrap().iter().any(|t| t["name"] == "Gift card payments"));
    b.click(&format!("{card} h2 a")).await;
    b.expect_text("#decisions", "Applied").await;
    let rows = b.client.find_all(Locator::Css("#decisions tbody tr")).await.unwrap();
    let mut outcomes = Vec::new();
    for r in rows {
        outcomes.push(r.find(Locator::Css("strong")).await.unwrap().text().await.unwrap());
    }
    outcomes.reverse();
    assert_eq!(outcomes, ["Submitted", "Reject", "Approve", "Escalated", "Approve", "Approved", "Applied"]);
    b.screenshot("43-decision-log").await;
    // The pages that tie the two sides together.
    b.client.goto(&app.url(&format!("/w/{ws}/portfolio"))).await.unwrap();
    b.expect_text("main table", "Checkout 2027.1").await;
    b.screenshot("44-portfolio").await;
    b.client.goto(&app.url(&format!("/products/{product}/syncs"))).await.unwrap();
    b.expect_text("main h1", "Weekly sync").await;
    b.screenshot("45-weekly-sync-agenda").await;
    b.client.goto(&app.url("/notifications")).await.unwrap();
    b.expect_text("main h1", "Notifications").await;
    b.screenshot("46-notifications").await;
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}

pub async fn project_product(app: &TestApp, p: tandem_core::Id) -> String {
    let api = app.login_as(Role::ProjectManager).await;
    let project: serde_json::Value = api.get(&format!("/api/v1/projects/{p}")).await.json().await.unwrap();
    project["product_id"].as_str().unwrap().to_owned()
}

/// A project manager works one task from its page: opens it from the task
/// list, changes its duration, sees a bad value refused beside the field
/// with what was typed kept, links it, sees a cycle refused inline naming
/// the tasks, and assigns a person at 50 %; a contributor not assigned to
/// it sees no editing control.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_page_edits_links_and_assigns() {
    let test = "a_task_page_edits_links_and_assigns";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let api = app.login_as(Role::ProjectManager).await;
    let ok = |r: reqwest::Response, status: u16| async move {
        assert_eq!(r.status().as_u16(), status);
        r.json::<serde_json::Value>().await.unwrap()
    };
    let p = ok(
        api.post(
            &format!("/api/v1/workspaces/{ws}/projects"),
            json!({"name": "Pages", "key": "PG", "start": "2027-01-04"}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for (name, minutes) in [("Design", 960), ("Build", 1440)] {
        let t = ok(
            api.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": name, "duration_minutes": minutes})).await,
            201,
        )
        .await;
        ids.push(t["id"].as_str().unwrap().to_owned());
    }
    let (design, build) = (ids[0].clone(), ids[1].clone());
    ok(
        api.post(
            &format!("/api/v1/projects/{p}/dependencies"),
            json!({"predecessor_id": design, "successor_id": build}),
        )
        .await,
        201,
    )
    .await;
    let resources = ok(api.get(&format!("/api/v1/workspaces/{ws}/resources")).await, 200).await;
    // The contributor's own resource: she may then report progress here.
    let dev = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id.to_string();
    let person = resources["items"].as_array().unwrap().iter().find(|r| r["user_id"] == dev.as_str()).unwrap().clone();

    sign_in_as(&b, &app, Role::ProjectManager).await;
    b.client.goto(&app.url(&format!("/projects/{p}/tasks"))).await.unwrap();
    b.click(&format!("a[href='/tasks/{build}']")).await;
    b.expect_text("#task-title", "PG-2 Build").await;
    b.expect_text("#links", "PG-1 Design").await;

    // A new duration is saved; the schedule shows it.
    let days = b.client.find(Locator::Css("#task-form input[name=days]")).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("4").await.unwrap();
    b.click("#task-form button[type=submit]").await;
    b.expect_text("#schedule", "Mon 11 Jan 2027 17:00").await;
    b.expect_text("main .flash", "Saved.").await;
    let t = ok(api.get(&format!("/api/v1/tasks/{build}")).await, 200).await;
    assert_eq!(t["duration_minutes"], 1920);

    // A bad value is refused beside its field, and what was typed stays.
    let days = b.client.find(Locator::Css("#task-form input[name=days]")).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("four").await.unwrap();
    b.fill("#task-form input[name=fixed_cost]", "a lot").await;
    b.click("#task-form button[type=submit]").await;
    b.expect_text("#e-days", "is not a duration").await;
    // Every refused field at once, beside each; the top of the page lists
    // them all, with the way to the form.
    b.expect_text("#task-form", "“a lot” is not an amount").await;
    let top = b.expect_text("#not-saved", "is not a duration").await;
    assert!(top.contains("is not an amount"), "{top}");
    let kept = b.client.find(Locator::Css("#task-form input[name=days]")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("four"));
    let t = ok(api.get(&format!("/api/v1/tasks/{build}")).await, 200).await;
    assert_eq!(t["duration_minutes"], 1920, "nothing stored");

    // Build → Design would close a cycle: refused on the page, naming both.
    b.client.goto(&app.url(&format!("/tasks/{build}"))).await.unwrap();
    choose(&b, "#link-form", "side", "successor").await;
    choose(&b, "#link-form", "other", &design).await;
    b.click("#link-form button[type=submit]").await;
    let refusal = b.expect_text("#link-error", "PG-1").await;
    assert!(refusal.contains("PG-2"), "{refusal}");
    let deps = ok(api.get(&format!("/api/v1/projects/{p}/dependencies")).await, 200).await;
    assert_eq!(deps["items"].as_array().unwrap().len(), 1, "nothing stored");

    // The link becomes start-to-start with a day's lag, in place.
    let link = deps["items"][0]["id"].as_str().unwrap().to_owned();
    choose(&b, "#links form.link-edit", "type", "SS").await;
    let lag = b.client.find(Locator::Css("#links form.link-edit input[name=lag_days]")).await.unwrap();
    lag.clear().await.unwrap();
    lag.send_keys("1").await.unwrap();
    b.click("#links form.link-edit button[type=submit]").await;
    b.expect_text("#schedule", "Tue 5 Jan 2027 08:00").await;
    let deps = ok(api.get(&format!("/api/v1/projects/{p}/dependencies")).await, 200).await;
    assert_eq!((deps["items"][0]["id"].as_str(), &deps["items"][0]["type"]), (Some(link.as_str()), &json!("SS")));
    assert_eq!(deps["items"][0]["lag_minutes"], 480);

    // Assign a person at half time.
    choose(&b, "#assign-form", "resource_id", person["id"].as_str().unwrap()).await;
    let units = b.client.find(Locator::Css("#assign-form input[name=units]")).await.unwrap();
    units.clear().await.unwrap();
    units.send_keys("50").await.unwrap();
    b.click("#assign-form button[type=submit]").await;
    b.expect_text("#assignments", "at 50 %").await;
    let t = ok(api.get(&format!("/api/v1/tasks/{build}")).await, 200).await;
    assert_eq!(t["assignments"], json!([{"resource_id": person["id"], "units": 50}]));
    b.screenshot("50-task-page").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("50-task-page-390").await;
    b.client.set_window_size(1440, 900).await.unwrap();
    // A refused form comes back with status 422, which Chromium notes as a
    // failed load; nothing else may be logged.
    let errors: Vec<String> = b.console_errors().await.into_iter().filter(|e| !e.contains("status of 422")).collect();
    assert!(errors.is_empty(), "{errors:?}");

    // The contributor now on the task may report progress, and only that.
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url(&format!("/tasks/{build}"))).await.unwrap();
    b.expect_text("#task-title", "Build").await;
    for control in ["#link-form", "#assign-form", "#task-form input[name=name]", "#task-form input[name=days]"] {
        assert!(b.client.find(Locator::Css(control)).await.is_err(), "{control} shown to a contributor");
    }
    let pct = b.client.find(Locator::Css("#task-form input[name=percent_complete]")).await.unwrap();
    pct.clear().await.unwrap();
    pct.send_keys("25").await.unwrap();
    b.click("#task-form button[type=submit]").await;
    b.expect_text("#schedule", "25 %").await;
    let t = ok(api.get(&format!("/api/v1/tasks/{build}")).await, 200).await;
    assert_eq!((t["percent_complete"].clone(), t["duration_minutes"].clone()), (json!(25), json!(1920)));
    // On a task that is not hers, nothing to change.
    b.client.goto(&app.url(&format!("/tasks/{design}"))).await.unwrap();
    b.expect_text("#task-title", "Design").await;
    assert!(b.client.find(Locator::Css("#task-form")).await.is_err(), "progress offered on another's task");
    b.close().await;
    db.destroy().await;
}
