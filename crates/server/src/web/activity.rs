//! Activity entries as people read them: "role: contributor → project
//! manager" rather than raw JSON.

use serde_json::Value;
use tandem_core::model::Activity;

/// One line of the activity feed.
pub struct Line {
    pub at_iso: String,
    pub at: String,
    pub who: String,
    pub what: String,
    /// `field: before → after`, one per changed field.
    pub changes: Vec<String>,
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.replace('_', " "),
        Some(other) => other.to_string(),
    }
}

pub fn line(a: &Activity) -> Line {
    let empty = serde_json::Map::new();
    let before = a.before.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let after = a.after.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes = keys
        .into_iter()
        .map(|k| match (before.get(k), after.get(k)) {
            (Some(b), Some(f)) if b == f => format!("{k}: {}", show(Some(f))),
            (None, f) => format!("{k}: {}", show(f)),
            (b, f) => format!("{k}: {} → {}", show(b), show(f)),
        })
        .collect();
    Line {
        at_iso: a.at.rfc3339(),
        at: a.at.display(),
        who: a.actor_email.clone().unwrap_or_else(|| "Tandem".to_owned()),
        what: a.action.replace(['.', '_'], " "),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tandem_core::{Id, Millis};

    #[test]
    fn role_changes_read_as_sentences() {
        let a = Activity {
            id: Id(1),
            workspace_id: Id(1),
            actor_id: Some(Id(1)),
            actor_email: Some("admin@demo.example".into()),
            action: "member.role_changed".into(),
            subject_type: "member".into(),
            subject_id: Id(4),
            before: Some(json!({"email": "dev@demo.example", "role": "contributor"})),
            after: Some(json!({"email": "dev@demo.example", "role": "project_manager"})),
            at: Millis(0),
        };
        let l = line(&a);
        assert_eq!(l.what, "member role changed");
        assert_eq!(l.changes, vec!["email: dev@demo.example", "role: contributor → project manager"]);
    }
}
