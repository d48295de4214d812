//! A change request's edits as people read them: "Add task Gift card
//! payments (10 days), delivers CHK-9 Gift cards", "CKT-12 Wallets:
//! duration 3 days → 5 days", "Budget 120 000.00 EUR → 132 000.00 EUR
//! (+12 000.00 EUR)". Pure: the caller passes the names it knows.

use std::collections::HashMap;

use crate::change::Edit;
use crate::model::Id;
use crate::money::money_text;
use crate::plan_text::duration_text;

/// What the edits refer to, as the plan and product stand.
#[derive(Debug, Default)]
pub struct Names {
    /// Task id → (key, name, duration in working minutes now). Without a
    /// duration (a request already applied), edits show only the new value.
    pub tasks: HashMap<Id, (String, String, Option<i64>)>,
    /// Feature id → `CHK-9 Gift cards`.
    pub features: HashMap<Id, String>,
    /// Release id → its name.
    pub releases: HashMap<Id, String>,
    /// The project's budget now, in minor units (none once applied), and its currency.
    pub budget_minor: Option<i64>,
    pub currency: String,
}

impl Names {
    fn task(&self, id: Id) -> String {
        self.tasks.get(&id).map_or_else(|| "a task no longer in the plan".to_owned(), |(k, n, _)| format!("{k} {n}"))
    }
    fn feature(&self, id: Id) -> String {
        self.features.get(&id).cloned().unwrap_or_else(|| "a feature".to_owned())
    }
    fn release(&self, id: Id) -> String {
        self.releases.get(&id).cloned().unwrap_or_else(|| "a release".to_owned())
    }
}

/// One line per edit, in order.
pub fn describe(edits: &[Edit], names: &Names) -> Vec<String> {
    // Tasks the request adds, by their `ref`, for the links that name them.
    let added: HashMap<&str, &str> = edits
        .iter()
        .filter_map(|e| match e {
            Edit::AddTask { reference: Some(r), name, .. } => Some((r.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    let end = |s: &str| match s.parse::<Id>() {
        Ok(id) => names.task(id),
        Err(_) => added.get(s).map_or_else(|| s.to_owned(), |n| format!("new task {n}")),
    };
    edits
        .iter()
        .map(|e| match e {
            Edit::AddTask { name, duration_minutes, feature_id, story_points, .. } => {
                let mut line = format!("Add task {name} ({})", duration_text(*duration_minutes));
                if let Some(p) = story_points {
                    line.push_str(&format!(", {p} points"));
                }
                if let Some(f) = feature_id {
                    line.push_str(&format!(", delivers {}", names.feature(*f)));
                }
                line
            }
            Edit::UpdateTask { task_id, fields } => {
                let mut parts = Vec::new();
                if let Some(n) = &fields.name {
                    parts.push(format!("renamed to {n}"));
                }
                if let Some(d) = fields.duration_minutes {
                    match names.tasks.get(task_id) {
                        Some((_, _, Some(now))) => {
                            parts.push(format!("duration {} → {}", duration_text(*now), duration_text(d)))
                        }
                        _ => parts.push(format!("duration → {}", duration_text(d))),
                    }
                }
                if let Some(p) = fields.story_points {
                    parts.push(format!("{p} points"));
                }
                if let Some(f) = fields.feature_id {
                    parts.push(format!("delivers {}", names.feature(f)));
                }
                format!("{}: {}", names.task(*task_id), parts.join(", "))
            }
            Edit::RemoveTask { task_id } => format!("Remove {}", names.task(*task_id)),
            Edit::AddDependency { predecessor, successor, kind, lag_minutes } => {
                let mut line = format!("Link {} → {}", end(predecessor), end(successor));
                if let Some(k) = kind {
                    line.push_str(&format!(" ({})", k.label().to_lowercase()));
                }
                if let Some(l) = lag_minutes.filter(|l| *l != 0) {
                    line.push_str(&format!(", lag {}", duration_text(l)));
                }
                line
            }
            Edit::RemoveDependency { .. } => "Remove a link between two tasks".to_owned(),
            Edit::SetBudget { budget_minor } => match names.budget_minor {
                Some(now) => {
                    let delta = budget_minor - now;
                    let sign = if delta >= 0 { "+" } else { "" };
                    format!(
                        "Budget {} → {} ({sign}{})",
                        money_text(now, &names.currency),
                        money_text(*budget_minor, &names.currency),
                        money_text(delta, &names.currency)
                    )
                }
                None => format!("Budget → {}", money_text(*budget_minor, &names.currency)),
            },
            Edit::AddFeatureToRelease { feature_id, release_id } => {
                format!("Bring {} into {}", names.feature(*feature_id), names.release(*release_id))
            }
            Edit::RemoveFeatureFromRelease { feature_id, release_id } => {
                format!("Take {} out of {}", names.feature(*feature_id), names.release(*release_id))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::TaskFields;
    use crate::project::DependencyType;

    #[test]
    fn edits_read_as_a_diff() {
        let mut names = Names { budget_minor: Some(12_000_000), currency: "EUR".into(), ..Names::default() };
        names.tasks.insert(Id(12), ("CKT-12".into(), "Wallets".into(), Some(3 * 480)));
        names.tasks.insert(Id(42), ("CKT-42".into(), "Payments API".into(), Some(480)));
        names.features.insert(Id(9), "CHK-9 Gift cards".into());
        names.releases.insert(Id(1), "2027.1".into());
        let edits = [
            Edit::AddTask {
                reference: Some("gift".into()),
                name: "Gift card payments".into(),
                duration_minutes: 10 * 480,
                parent_id: None,
                feature_id: Some(Id(9)),
                story_points: None,
            },
            Edit::AddDependency {
                predecessor: "42".into(),
                successor: "gift".into(),
                kind: Some(DependencyType::Fs),
                lag_minutes: None,
            },
            Edit::UpdateTask {
                task_id: Id(12),
                fields: TaskFields { duration_minutes: Some(5 * 480), ..TaskFields::default() },
            },
            Edit::SetBudget { budget_minor: 13_200_000 },
            Edit::AddFeatureToRelease { feature_id: Id(9), release_id: Id(1) },
        ];
        assert_eq!(
            describe(&edits, &names),
            [
                "Add task Gift card payments (10 days), delivers CHK-9 Gift cards",
                "Link CKT-42 Payments API → new task Gift card payments (finish to start)",
                "CKT-12 Wallets: duration 3 days → 5 days",
                "Budget 120\u{202f}000.00 EUR → 132\u{202f}000.00 EUR (+12\u{202f}000.00 EUR)",
                "Bring CHK-9 Gift cards into 2027.1",
            ]
        );
        // Once applied, the plan holds the new values: only those are shown.
        names.budget_minor = None;
        for t in names.tasks.values_mut() {
            t.2 = None;
        }
        let after = describe(&edits, &names);
        assert_eq!(after[2], "CKT-12 Wallets: duration → 5 days");
        assert_eq!(after[3], "Budget → 132\u{202f}000.00 EUR");
    }
}
