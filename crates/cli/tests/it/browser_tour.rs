//! The tour: every page of the demo, as each role, at a laptop's width and
//! a phone's. A page fails the tour when it is wider than the window, shows
//! a machine format (an ISO timestamp, JSON, raw Markdown, an enum word),
//! logs a console error, or axe-core finds a serious or critical
//! accessibility violation. Screenshots of every page land in
//! `target/screenshots/tour/` for people to look at.

use std::collections::{BTreeMap, VecDeque};

use fantoccini::Locator;
use serde_json::Value;
use tandem_core::Role;

use crate::browser::{Browser, demo_in_browser, screenshot_dir, sign_in_as};

/// axe-core, vendored from the npm registry (see `tests/vendor/README.md`).
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// Widths a page must fit: a laptop and a phone.
pub(crate) const WIDE: u32 = 1440;
pub(crate) const NARROW: u32 = 390;

/// What the page shows that a person should not have to read, and whether
/// it is wider than the window. Returns a list of findings.
const INSPECT: &str = r#"
const out = [];
const w = document.documentElement.clientWidth;
const sw = document.documentElement.scrollWidth;
if (sw > w + 1) {
  const wide = [];
  // Inside a box that scrolls or clips, a wide child is that box's affair.
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    const p = el.parentElement;
    if (r.width > 0 && r.right > w + 1 && p && p.getBoundingClientRect().right <= w + 1 && !contained(el)) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
        ' to ' + Math.round(r.right) + ' px');
      if (wide.length >= 3) break;
    }
  }
  out.push('page is ' + sw + ' px wide in a ' + w + ' px window: ' + wide.join(', '));
}
// Code (an event name, a token, a list of event names) is shown as typed;
// everything else is read.
const code = Array.from(document.querySelectorAll('code, pre, kbd, samp, select.code'));
code.forEach(e => { e.dataset.tourDisplay = e.style.display; e.style.display = 'none'; });
const text = document.body.innerText;
code.forEach(e => { e.style.display = e.dataset.tourDisplay; delete e.dataset.tourDisplay; });
const found = (re, what) => {
  const m = text.match(re);
  if (m) out.push(what + ': ' + Array.from(new Set(m)).slice(0, 4).map(s => JSON.stringify(s)).join(', '));
};
found(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^\s]*/g, 'ISO timestamp');
found(/\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?/g, 'machine date and time');
found(/\b\d{4}-\d{2}-\d{2}\b/g, 'ISO date');
found(/[\[{]\s*"[^"\n]{1,40}"\s*[:,\]]/g, 'raw JSON');
found(/\*\*[^*\n]+\*\*/g, 'raw Markdown');
found(/\b[a-z]+(?:_[a-z]+)+\b/g, 'enum or field word');
// Chart labels must stay readable however the chart is scaled.
const small = [];
for (const t of document.querySelectorAll('svg text')) {
  const m = t.getScreenCTM();
  const r = t.getBoundingClientRect();
  if (!m || r.width === 0) continue;
  const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  if (px < 10.5) small.push(JSON.stringify(t.textContent.slice(0, 20)) + ' at ' + px.toFixed(1) + ' px');
}
if (small.length) out.push('chart labels under 11 px: ' + small.slice(0, 3).join(', '));
return out;
"#;

/// Runs axe-core on the page: serious and critical violations, one line each.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then(r => done(r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => 'axe ' + v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; '))))
  .catch(e => done(['axe did not run: ' + e]));
"#;

/// Same-origin pages the page links to, as paths.
const LINKS: &str = r#"
return Array.from(document.querySelectorAll('a[href]'))
  .map(a => a.getAttribute('href'))
  .filter(h => h.startsWith('/') && !h.startsWith('//'));
"#;

/// Pages not to follow: downloads, machine formats, the sign-out.
fn followed(path: &str) -> bool {
    let skip_prefix = ["/static/", "/api/", "/logout"];
    let skip_suffix = [".json", ".csv", ".xml", ".md", ".ics", ".svg", ".png"];
    !skip_prefix.iter().any(|p| path.starts_with(p)) && !skip_suffix.iter().any(|s| path.ends_with(s))
}

/// The page's pattern: ids replaced, so that one of forty task pages is
/// visited, not all forty.
fn pattern(path: &str) -> String {
    path.split('/')
        .map(|seg| if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) { "{id}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

fn slug(pattern: &str) -> String {
    let parts: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty() && *s != "{id}").collect();
    let s: String =
        parts.join("_").chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if s.is_empty() { "root".into() } else { s }
}

pub(crate) async fn set_width(b: &Browser, width: u32) {
    b.client.set_window_size(width, 900).await.unwrap();
}

/// Every page a role can reach from its workspace home, by following links.
pub(crate) async fn crawl(b: &Browser, base: &str, start: &str) -> Vec<String> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    let mut order = Vec::new();
    seen.insert(pattern(start), start.to_owned());
    while let Some(path) = queue.pop_front() {
        order.push(path.clone());
        b.client.goto(&format!("{base}{path}")).await.unwrap();
        let links = b.client.execute(LINKS, vec![]).await.unwrap();
        for href in links.as_array().into_iter().flatten().filter_map(Value::as_str) {
            let path = href.split(['?', '#']).next().unwrap_or_default().to_owned();
            if path.is_empty() || !followed(&path) {
                continue;
            }
            let key = pattern(&path);
            if seen.len() < 150 && !seen.contains_key(&key) {
                seen.insert(key, path.clone());
                queue.push_back(path);
            }
        }
    }
    order
}

async fn inspect(b: &Browser, with_axe: bool) -> Vec<String> {
    let mut found: Vec<String> = serde_json::from_value(b.client.execute(INSPECT, vec![]).await.unwrap()).unwrap();
    if with_axe {
        b.client.execute(AXE, vec![]).await.unwrap();
        let axe = b.client.execute_async(AXE_RUN, vec![]).await.unwrap();
        found.extend(serde_json::from_value::<Vec<String>>(axe).unwrap());
    }
    for e in b.console_errors().await {
        found.push(format!("console error: {e}"));
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_as_every_role_fits_reads_and_passes_axe() {
    let test = "every_page_as_every_role_fits_reads_and_passes_axe";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let dir = screenshot_dir().join("tour");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut findings: Vec<String> = Vec::new();
    let mut visited = 0;
    for role in Role::ALL {
        set_width(&b, WIDE).await;
        sign_in_as(&b, &app, role).await;
        let mut pages = crawl(&b, &app.base, &format!("/w/{ws}")).await;
        // Reached by a form, not a link.
        pages.push(format!("/search?q=vault&w={ws}"));
        // A board in swimlanes, as a saved view would show it.
        if let Some(board) = pages.iter().find(|p| p.ends_with("/board")).cloned() {
            pages.push(format!("{board}?group=assignee"));
        }
        let _ = b.console_errors().await;
        for (width, with_axe) in [(WIDE, true), (NARROW, false)] {
            set_width(&b, width).await;
            for path in &pages {
                b.client.goto(&app.url(path)).await.unwrap();
                b.client.wait().for_element(Locator::Css("main")).await.unwrap();
                let name = format!("{}-{}-{width}", role.as_str(), slug(&pattern(path)));
                let png = b.client.screenshot().await.unwrap();
                std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
                for f in inspect(&b, with_axe).await {
                    findings.push(format!("{} {path} at {width} px: {f}", role.as_str()));
                }
                visited += 1;
            }
        }
    }
    // Dark colours, chosen on the preferences page: the same checks, axe's
    // contrast rule included, on the busiest pages.
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::ProjectManager).await;
    b.client.goto(&app.url("/settings/profile")).await.unwrap();
    b.click("input[name=theme][value=dark]").await;
    b.click("#profile-form button[type=submit]").await;
    b.expect_text("main", "Saved.").await;
    let project = app.state.store.projects_by_key(Some(ws.parse().unwrap()), "CKT").await.unwrap().remove(0).id;
    let product = crate::browser::project_product(&app, project).await;
    for path in [
        format!("/w/{ws}"),
        format!("/projects/{project}"),
        format!("/projects/{project}/gantt"),
        format!("/projects/{project}/board"),
        format!("/projects/{project}/changes"),
        format!("/products/{product}"),
        format!("/products/{product}/backlog"),
        format!("/products/{product}/roadmap"),
    ] {
        b.client.goto(&app.url(&path)).await.unwrap();
        let theme = b.client.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
        assert_eq!(theme, "dark", "{path}");
        let png = b.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("dark-{}.png", slug(&pattern(&path)))), png).unwrap();
        for f in inspect(&b, true).await {
            findings.push(format!("dark {path}: {f}"));
        }
    }

    eprintln!("{test}: {visited} page views; screenshots in {}", dir.display());
    for f in &findings {
        eprintln!("  {f}");
    }
    assert!(findings.is_empty(), "{} findings on the tour (listed above)", findings.len());
    b.close().await;
    db.destroy().await;
}

#[test]
fn patterns_and_slugs_of_paths() {
    assert_eq!(pattern("/tasks/42"), "/tasks/{id}");
    assert_eq!(pattern("/w/7/settings/members"), "/w/{id}/settings/members");
    assert_eq!(slug("/w/{id}/settings/members"), "w_settings_members");
    assert_eq!(slug("/tasks/{id}"), "tasks");
    assert!(!followed("/projects/3/sheet.json"));
    assert!(!followed("/logout"));
    assert!(followed("/projects/3/gantt"));
}
