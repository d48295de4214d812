//! Calendar feeds: a secret address per person that a calendar app reads
//! without signing in, holding milestones, release target dates and the
//! person's own open tasks; RFC 5545 text; rotating it makes the old
//! address answer 404.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{json_ok, on_each_database};

/// The calendar's logical lines (folded lines joined).
fn lines(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "lines end in CRLF");
    for l in text.split("\r\n") {
        assert!(l.len() <= 75, "a line of {} octets: {l}", l.len());
        assert!(!l.contains('\n') && !l.contains('\r'), "a bare line break: {l:?}");
    }
    text.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

async fn fetch(url: &str) -> (u16, String, String) {
    let r = crate::support::get(url).await;
    let status = r.status().as_u16();
    let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_feed_holds_milestones_releases_and_ones_own_tasks() {
    on_each_database("a_calendar_feed_holds_milestones_releases_and_ones_own_tasks", |app| async move {
        let ws = app.seed_demo().await;
        let dev = app.login_as(Role::Contributor).await;
        let pm = app.login_as(Role::ProjectManager).await;
        assert_eq!(app.anonymous().get("/api/v1/me/calendar-feed").await.status(), 401);

        let feed = json_ok(dev.get("/api/v1/me/calendar-feed").await, 200).await;
        let url = feed["url"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&format!("{}/calendar/cal_", app.base)) && url.ends_with(".ics"), "{url}");
        let again = json_ok(dev.get("/api/v1/me/calendar-feed").await, 200).await;
        assert_eq!(again["url"], feed["url"], "the same address until rotated");

        // A milestone renamed with characters iCalendar escapes.
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"][0]["id"].as_str().unwrap().to_owned();
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks?limit=200")).await, 200).await;
        let m = tasks["items"].as_array().unwrap().iter().find(|t| t["kind"] == "milestone").unwrap().clone();
        let body = json!({"name": "Sign-off, phase 1; \\ all", "version": m["version"]});
        json_ok(pm.patch(&format!("/api/v1/tasks/{}", m["id"].as_str().unwrap()), body).await, 200).await;

        // Read without a session, as a calendar app does.
        let (status, kind, text) = fetch(&url).await;
        assert_eq!((status, kind.as_str()), (200, "text/calendar; charset=utf-8"));
        let lines = lines(&text);
        assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
        assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
        assert!(lines.contains(&"VERSION:2.0".to_owned()));
        let summaries: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("SUMMARY:")).collect();
        assert!(
            summaries.iter().any(|s| s.starts_with("◆ ") && s.contains("Sign-off\\, phase 1\\; \\\\ all")),
            "{summaries:?}"
        );
        assert!(summaries.iter().any(|s| s.starts_with("Release ")), "{summaries:?}");
        let begins = lines.iter().filter(|l| *l == "BEGIN:VEVENT").count();
        assert_eq!(begins, lines.iter().filter(|l| l.starts_with("DTSTART;VALUE=DATE:")).count());
        assert_eq!(begins, lines.iter().filter(|l| l.starts_with("UID:")).collect::<BTreeSet<_>>().len());

        // The person's own open tasks are exactly those of their work list.
        let work = json_ok(dev.get(&format!("/api/v1/workspaces/{ws}/my-work")).await, 200).await;
        let mine: BTreeSet<String> = ["overdue", "due_this_week", "in_progress", "next"]
            .iter()
            .flat_map(|k| work[*k].as_array().unwrap().iter().map(|t: &Value| t["key"].as_str().unwrap().to_owned()))
            .collect();
        assert!(!mine.is_empty());
        let due: BTreeSet<String> = summaries
            .iter()
            .filter_map(|s| s.strip_prefix("Due: "))
            .map(|s| s.split(' ').next().unwrap().to_owned())
            .collect();
        let milestones: BTreeSet<String> = summaries
            .iter()
            .filter_map(|s| s.strip_prefix("◆ "))
            .map(|s| s.split(' ').next().unwrap().to_owned())
            .collect();
        assert_eq!(due, mine.difference(&milestones).cloned().collect(), "{summaries:?}");

        // Rotating: the old address is gone, the new one works.
        let rotated = json_ok(dev.post("/api/v1/me/calendar-feed/rotate", json!({})).await, 200).await;
        let new_url = rotated["url"].as_str().unwrap();
        assert_ne!(new_url, url);
        assert_eq!(fetch(&url).await.0, 404);
        assert_eq!(fetch(new_url).await.0, 200);
        assert_eq!(fetch(&format!("{}/calendar/cal_nothing.ics", app.base)).await.0, 404);
        assert_eq!(
            fetch(&format!("{}/calendar/{}", app.base, new_url.rsplit('/').next().unwrap().trim_end_matches(".ics")))
                .await
                .0,
            404
        );
    })
    .await;
}
