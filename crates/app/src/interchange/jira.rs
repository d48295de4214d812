//! A Jira CSV export as a plan to store: issues become tasks under their
//! parents (epics, parent issues), "Blocks" links become finish-to-start
//! dependencies, original estimates durations, assignees resources.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use tandem_core::custom::{self, CustomValues, FieldType};
use tandem_core::project::{BoardStatus, DependencyType, LagKind};
use tandem_formats::jira::{self, Issue, Progress};
use tandem_formats::text::{Problem, Refusal};
use tandem_store::tasks::{ImportLink, ImportTask, PlanImport};

use super::Notes;
use super::target::{People, Target, deadline_on, task_order};
use crate::error::AppError;

/// What a task without an estimate takes: one working day, as MS Project
/// gives a new task.
const DEFAULT_MINUTES: i64 = 480;

/// Reads the file (text already) and turns it into a plan for the target
/// project.
pub fn import(text: &str, target: Target) -> Result<(PlanImport, Notes), AppError> {
    let issues = jira::read(text, &jira::Limits::default())?;
    plan(&issues, target)
}

fn refuse(issue: &Issue, message: String) -> AppError {
    AppError::File(Refusal::one(Problem::line(issue.line, None, message)))
}

fn plan(issues: &[Issue], target: Target) -> Result<(PlanImport, Notes), AppError> {
    let mut notes = Notes::new();
    if issues.is_empty() {
        notes.push("the file has no issues, only its header: nothing to import".into());
    }
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (i, issue) in issues.iter().enumerate() {
        if by_ref.insert(issue.key.as_str(), i).is_some() {
            return Err(refuse(
                issue,
                format!("issue {} is in the file twice: keep one row of it and import the file again", issue.key),
            ));
        }
        if let Some(id) = &issue.id {
            by_ref.insert(id.as_str(), i);
        }
    }
    let mut unknown_parents = 0;
    let parents: Vec<Option<usize>> = issues
        .iter()
        .enumerate()
        .map(|(i, issue)| {
            let p = issue.parent.as_deref().and_then(|r| by_ref.get(r).copied()).filter(|&p| p != i);
            if issue.parent.is_some() && p.is_none() {
                unknown_parents += 1;
            }
            p
        })
        .collect();
    if unknown_parents > 0 {
        notes.push(format!("{unknown_parents} issues name a parent not in the file: they are kept at the top level"));
    }
    let order = task_order(&parents).map_err(|i| {
        refuse(
            &issues[i],
            format!("issue {}'s parents lead back to it: give one of them another parent", issues[i].key),
        )
    })?;
    let mut people = People::default();
    let mut custom = CustomColumns { target: &target, unmatched: Vec::new(), refused: 0, example: None };
    let mut unestimated = 0;
    let mut is_parent = vec![false; issues.len()];
    for p in parents.iter().flatten() {
        is_parent[*p] = true;
    }
    let mut tasks = Vec::with_capacity(issues.len());
    let mut place = vec![0; issues.len()];
    for (n, &i) in order.iter().enumerate() {
        place[i] = n;
        let issue = &issues[i];
        let minutes = match issue.original_estimate_seconds {
            Some(s) => (s / 60).clamp(0, tandem_core::project::MAX_DURATION_MINUTES),
            // A parent's dates are its children's: no estimate needed.
            None => {
                unestimated += usize::from(!is_parent[i]);
                DEFAULT_MINUTES
            }
        };
        let mut edit = target.task(&issue.summary, issue.key.clone(), minutes);
        edit.status = match issue.progress {
            Some(Progress::Done) => BoardStatus::Done,
            Some(Progress::InProgress) => BoardStatus::InProgress,
            _ => BoardStatus::Todo,
        };
        edit.percent_complete = match (issue.progress, issue.time_spent_seconds, issue.remaining_estimate_seconds) {
            (Some(Progress::Done), ..) => 100,
            (_, Some(spent), Some(left)) if spent + left > 0 => (spent * 100 / (spent + left)).clamp(0, 99),
            _ => 0,
        };
        edit.story_points = issue.story_points;
        edit.notes = issue.description.as_deref().map(super::import_notes).unwrap_or_default();
        edit.custom_fields = custom.values(issue);
        edit.deadline = issue.due.map(deadline_on);
        edit.priority = match issue.priority.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("highest" | "blocker") => 900,
            Some("high" | "critical" | "major") => 700,
            Some("low" | "minor") => 300,
            Some("lowest" | "trivial") => 100,
            _ => 500,
        };
        tasks.push(ImportTask {
            parent: None,
            edit,
            calendar: None,
            slack_calendar: None,
            assignments: issue.assignee.as_deref().map(|a| vec![(people.add(a), 100)]).unwrap_or_default(),
        });
    }
    for (i, p) in parents.iter().enumerate() {
        tasks[place[i]].parent = p.map(|p| place[p]);
    }
    let unread: Vec<String> =
        issues.iter().filter_map(|i| i.unread_points.as_ref().map(|p| format!("{} ({p})", i.key))).collect();
    if !unread.is_empty() {
        notes.push(format!(
            "{} issues have story points that are no number from 0 to 10,000 and are left without points: {}",
            unread.len(),
            unread.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if unestimated > 0 {
        notes.push(format!("{unestimated} issues have no original estimate: they take one working day"));
    }
    custom.note(&mut notes);
    let mut seen = HashSet::new();
    let mut dangling = 0;
    let mut links = Vec::new();
    for (i, issue) in issues.iter().enumerate() {
        let pairs = issue
            .blocks
            .iter()
            .map(|k| (Some(i), by_ref.get(k.as_str()).copied()))
            .chain(issue.blocked_by.iter().map(|k| (by_ref.get(k.as_str()).copied(), Some(i))));
        for pair in pairs {
            match pair {
                (Some(a), Some(b)) if a != b => {
                    if seen.insert((a, b)) {
                        links.push(ImportLink {
                            predecessor: place[a],
                            successor: place[b],
                            kind: DependencyType::Fs,
                            lag: 0,
                            lag_kind: LagKind::Working,
                        });
                    }
                }
                (Some(_), Some(_)) => {}
                _ => dangling += 1,
            }
        }
    }
    if dangling > 0 {
        notes.push(format!("{dangling} \"Blocks\" links name issues not in the file: they are left out"));
    }
    Ok((target.plan(people.list, tasks, links), notes))
}

/// Jira's custom fields into the workspace's task fields of the same name
/// (or the key made from it); what has no field, or does not fit it, is
/// left out and told.
struct CustomColumns<'a> {
    target: &'a Target,
    unmatched: Vec<String>,
    refused: usize,
    example: Option<String>,
}

impl CustomColumns<'_> {
    fn values(&mut self, issue: &Issue) -> CustomValues {
        let mut out = CustomValues::new();
        for (name, values) in &issue.custom {
            let key = custom::key_from_name(name);
            let Some(f) = self.target.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name) || f.key == key) else {
                if !self.unmatched.contains(name) {
                    self.unmatched.push(name.clone());
                }
                continue;
            };
            let raw = match f.kind {
                FieldType::MultiSelect => Value::Array(values.iter().map(|v| Value::String(v.clone())).collect()),
                FieldType::Person => {
                    let who = values.join(", ");
                    let m = self
                        .target
                        .members
                        .iter()
                        .find(|m| m.name.eq_ignore_ascii_case(&who) || m.email.eq_ignore_ascii_case(&who));
                    Value::String(m.map_or(who, |m| m.user_id.to_string()))
                }
                _ => Value::String(values.join(", ")),
            };
            match custom::read(f, &raw) {
                Ok(Some(v)) => {
                    out.insert(f.key.clone(), v);
                }
                Ok(None) => {}
                Err(e) => {
                    self.refused += 1;
                    self.example.get_or_insert_with(|| format!("{}: {}", issue.key, e.message));
                }
            }
        }
        out
    }

    fn note(self, notes: &mut Notes) {
        if !self.unmatched.is_empty() {
            notes.push(format!(
                "{} Jira fields have no task field of that name here and are left out ({}); add them under \
                 Settings, Custom fields to keep them",
                self.unmatched.len(),
                self.unmatched.join(", ")
            ));
        }
        if self.refused > 0 {
            notes.push(format!(
                "{} values did not fit their field and are left out, e.g. {}",
                self.refused,
                self.example.unwrap_or_default()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first_and_links_join_blocker_to_blocked() {
        let csv = "Summary,Issue key,Issue id,Parent id,Status,Original Estimate,Assignee,Outward issue link (Blocks)\n\
            Pay,S-2,2,1,Done,57600,Ada,S-3\n\
            Checkout,S-1,1,,In Progress,,,\n\
            Receipts,S-3,3,1,To Do,28800,Ada,S-9\n";
        let (p, notes) = import(csv, Target::for_tests()).unwrap();
        let names: Vec<&str> = p.tasks.iter().map(|t| t.edit.name.as_str()).collect();
        assert_eq!(names, ["Checkout", "Pay", "Receipts"]);
        assert_eq!(p.tasks[1].parent, Some(0));
        assert_eq!((p.tasks[1].edit.duration_minutes, p.tasks[1].edit.percent_complete), (960, 100));
        assert_eq!(p.links.len(), 1);
        assert_eq!((p.links[0].predecessor, p.links[0].successor), (1, 2));
        assert_eq!(p.resources.len(), 1);
        assert_eq!(p.tasks[2].assignments, [(0, 100)]);
        assert_eq!(notes.len(), 1, "the link to S-9: {notes:?}");
        let looped = "Summary,Issue key,Issue id,Parent id\nA,S-1,1,2\nB,S-2,2,1\n";
        assert!(import(looped, Target::for_tests()).is_err());
    }
}
