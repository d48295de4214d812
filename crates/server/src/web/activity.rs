//! Activity entries as people read them: "Priya Product changed CHK-9 Gift
//! cards" with "Status: Idea → Planned" below, never raw JSON, ids or
//! stored words.

use serde_json::Value;
use tandem_core::enums::humanize;
use tandem_core::model::Activity;
use tandem_core::plan_text::duration_text;
use tandem_core::project::LocalTime;

use super::human::{Human, When};

/// One line of the activity feed.
pub struct Line {
    pub at: When,
    pub who: String,
    /// What was done, after the name: "changed", "created".
    pub did: String,
    /// What it was done to: `CHK-9 Gift cards`, or "the project".
    pub subject: String,
    /// The subject's page, when it has one.
    pub href: Option<String>,
    /// `Status: Idea → Planned`, one per changed field.
    pub changes: Vec<String>,
}

/// Fields that are bookkeeping or ids, which a person cannot read.
fn hidden(field: &str) -> bool {
    field.ends_with("_id") || field.ends_with("_ids") || matches!(field, "key" | "title" | "name" | "id" | "links")
}

/// A stored value as a person reads it.
fn show(h: &Human, field: &str, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "none".to_owned(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        // Logged time reads in hours; a duration in working days as MS Project shows it.
        Some(Value::Number(n)) if field == "minutes" => {
            n.as_f64().map_or_else(|| n.to_string(), |m| format!("{} h", crate::svg::charts::fmt_num(m / 60.0)))
        }
        Some(Value::Number(n)) if field.ends_with("_minutes") => {
            n.as_i64().map_or_else(|| n.to_string(), duration_text)
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => show_text(h, s),
        Some(Value::Array(items)) => {
            let parts: Vec<String> = items.iter().map(|i| show(h, field, Some(i))).collect();
            if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
        }
        Some(Value::Object(o)) => {
            // A linked object names itself by key and title.
            let key = o.iter().find(|(k, _)| k.ends_with("key")).and_then(|(_, v)| v.as_str());
            let title =
                o.iter().find(|(k, _)| k.ends_with("title") || k.ends_with("name")).and_then(|(_, v)| v.as_str());
            match (key, title) {
                (Some(k), Some(t)) => format!("{k} {t}"),
                (Some(x), None) | (None, Some(x)) => x.to_owned(),
                (None, None) => "details".to_owned(),
            }
        }
    }
}

/// Text values: instants and dates in the reader's form, stored words as
/// labels, Markdown as its plain words.
fn show_text(h: &Human, s: &str) -> String {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return h.exact(tandem_core::Millis(t.as_millisecond()));
    }
    if s.len() == 8 && s.as_bytes().get(4..6) == Some(b"-W") {
        return h.period(s);
    }
    // A bare date (`2026-11-27`) is a day; with a time it is a plan instant.
    if s.len() == 10
        && let Ok(d) = s.parse::<jiff::civil::Date>()
    {
        return h.date(d);
    }
    if let Ok(t) = s.parse::<LocalTime>() {
        return h.date_time(t);
    }
    let is_word = !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if is_word {
        return humanize(s);
    }
    let plain = tandem_core::markdown::plain(s);
    if plain.chars().count() > 120 { format!("{}…", plain.chars().take(119).collect::<String>()) } else { plain }
}

/// What the verb of an action reads as.
fn verb(action: &str) -> &str {
    match action.rsplit('.').next().unwrap_or(action) {
        "created" => "created",
        "updated" | "edited" => "changed",
        "deleted" => "deleted",
        "added" => "added",
        "removed" => "removed",
        "role_changed" => "changed the role of",
        "submitted" => "submitted",
        "decided" => "decided on",
        "approved" => "approved",
        "rejected" => "rejected",
        "applied" => "applied",
        "linked" => "linked",
        "delivery" => "moved into delivery",
        "run" => "ran a Monte Carlo simulation for",
        "set" => "set",
        "drafted" => "drafted",
        "published" => "published",
        "logged" => "logged time on",
        "noted" => "added a line to",
        "escalated" => "turned a blocker into an action in",
        "voted" => "moved the dots on",
        "actioned" => "made an action of",
        "accepted" => "recorded acceptance in",
        other => other,
    }
}

/// The subject named by its key and title, or by its kind.
fn subject(a: &Activity) -> String {
    let side = a.after.as_ref().or(a.before.as_ref()).and_then(Value::as_object);
    let get = |k: &str| side.and_then(|o| o.get(k)).and_then(Value::as_str);
    let kind = humanize(&a.subject_type).to_lowercase();
    match (get("key"), get("title").or(get("name")).or(get("email")), a.action.as_str()) {
        (_, _, "time.logged") => get("task").unwrap_or("a task").to_owned(),
        (_, _, "baseline.set") => format!("baseline {}", get("name").unwrap_or("")).trim_end().to_owned(),
        // An edit records only what changed: the subject's name comes from the store.
        _ if a.subject_label.is_some() => a.subject_label.clone().unwrap_or_default(),
        (Some(k), Some(t), _) => format!("{k} {t}"),
        (None, Some(t), _) if a.subject_type == "member" => t.to_owned(),
        (None, Some(t), _) => format!("{kind} {t}"),
        (Some(k), None, _) => k.to_owned(),
        (None, None, _) => format!("the {kind}"),
    }
}

fn href(a: &Activity) -> Option<String> {
    let id = a.subject_id;
    match a.subject_type.as_str() {
        "task" => Some(format!("/tasks/{id}")),
        "feature" => Some(format!("/features/{id}")),
        "status_report" => Some(format!("/status-reports/{id}")),
        "project" => Some(format!("/projects/{id}")),
        "product" => Some(format!("/products/{id}")),
        "standup" => Some(format!("/projects/{id}/standup")),
        "sprint" if a.action.starts_with("sprint_review.") => Some(format!("/sprints/{id}/review")),
        _ => None,
    }
}

pub fn line(h: &Human, a: &Activity) -> Line {
    let empty = serde_json::Map::new();
    let before = a.before.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let after = a.after.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).filter(|k| !hidden(k)).collect();
    keys.sort();
    keys.dedup();
    let changes = keys
        .into_iter()
        .filter(|k| !(a.action == "time.logged" && k.as_str() == "task"))
        .filter_map(|k| {
            let label = if k == "minutes" { "Time".to_owned() } else { humanize(k) };
            match (before.get(k), after.get(k)) {
                (Some(b), Some(f)) if b == f => None,
                (None, f) => Some(format!("{label}: {}", show(h, k, f))),
                (b, f) => {
                    let (b, f) = (show(h, k, b), show(h, k, f));
                    // Values stored differently but read the same are no change to a reader.
                    (b != f).then(|| format!("{label}: {b} → {f}"))
                }
            }
        })
        .collect();
    let linked = after.get("links").and_then(Value::as_array).filter(|l| !l.is_empty());
    let subject = match linked {
        Some(links) => format!("{} to {}", subject(a), show(h, "links", Some(&Value::Array(links.clone())))),
        None => subject(a),
    };
    Line {
        at: h.at(a.at),
        who: a.actor_name.clone().or_else(|| a.actor_email.clone()).unwrap_or_else(|| "Tandem".to_owned()),
        did: verb(&a.action).to_owned(),
        subject,
        href: href(a),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tandem_core::prefs::DateOrder;
    use tandem_core::{Id, Millis};

    fn entry(action: &str, subject_type: &str, before: Value, after: Value) -> Activity {
        Activity {
            id: Id(1),
            workspace_id: Id(1),
            actor_id: Some(Id(1)),
            actor_email: Some("admin@demo.example".into()),
            actor_name: Some("Ada Admin".into()),
            action: action.into(),
            subject_type: subject_type.into(),
            subject_id: Id(4),
            subject_label: None,
            before: Some(before),
            after: Some(after),
            at: Millis(0),
        }
    }

    fn reader() -> Human {
        Human::new(DateOrder::DayMonth, jiff::tz::TimeZone::UTC, Millis(86_400_000 * 400))
    }

    #[test]
    fn role_changes_read_as_sentences() {
        let a = entry(
            "member.role_changed",
            "member",
            json!({"email": "dev@demo.example", "role": "contributor"}),
            json!({"email": "dev@demo.example", "role": "project_manager"}),
        );
        let l = line(&reader(), &a);
        assert_eq!(
            (l.who.as_str(), l.did.as_str(), l.subject.as_str()),
            ("Ada Admin", "changed the role of", "dev@demo.example")
        );
        assert_eq!(l.changes, vec!["Role: Contributor → Project manager"]);
    }

    #[test]
    fn json_markdown_and_times_become_words() {
        let a = entry(
            "change_request.submitted",
            "change_request",
            json!({}),
            json!({"key": "CKT-69", "title": "Loyalty", "required": ["product_manager", "project_manager"]}),
        );
        let l = line(&reader(), &a);
        assert_eq!(l.subject, "CKT-69 Loyalty");
        assert_eq!(l.changes, vec!["Required: Product manager, Project manager"]);
        let a = entry(
            "status_report.updated",
            "status_report",
            json!({"summary": "Overall **amber**.", "published_at": null}),
            json!({"summary": "Overall **amber**. SPI 1.00", "published_at": "2026-12-04T20:57:03.233Z"}),
        );
        let l = line(&reader(), &a);
        assert_eq!(l.changes[0], "Published at: none → Fri 4 Dec 2026 20:57 UTC");
        assert_eq!(l.changes[1], "Summary: Overall amber. → Overall amber. SPI 1.00");
        let a = entry(
            "time.logged",
            "time_entry",
            json!(null),
            json!({"date": "2026-11-27", "minutes": 480, "task": "CKT-42"}),
        );
        let l = line(&reader(), &a);
        assert_eq!((l.did.as_str(), l.subject.as_str()), ("logged time on", "CKT-42"));
        assert_eq!(l.changes, vec!["Date: Fri 27 Nov 2026", "Time: 8 h"]);
    }

    #[test]
    fn an_edit_names_its_subject_by_the_stored_label() {
        let mut a = entry("task.updated", "task", json!({"percent_complete": 10}), json!({"percent_complete": 50}));
        assert_eq!(line(&reader(), &a).subject, "the task");
        a.subject_label = Some("CKT-7 Card vault".into());
        let l = line(&reader(), &a);
        assert_eq!(l.subject, "CKT-7 Card vault");
        assert_eq!(l.changes, vec!["Percent complete: 10 → 50"]);
    }
}
