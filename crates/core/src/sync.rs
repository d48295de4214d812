//! The weekly product–project sync: its agenda, generated from what
//! changed since the previous sync, and the record of the meeting.
//!
//! Movements (forecast finishes, milestones, cost, OKR progress) compare two
//! [`Snapshot`]s, the one taken at the previous sync and today's; the rest
//! comes from the activity and decision log entries in between.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::change::DecisionEntry;
use crate::model::{Day, Id, Millis};
use crate::project::LocalTime;

/// The figures a sync remembers so that the next one can say what moved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    pub projects: Vec<ProjectFigures>,
    pub releases: Vec<ReleaseFigures>,
    pub key_results: Vec<KeyResultFigures>,
    /// Shipped features' adoption (absent from syncs held before it was kept).
    #[serde(default)]
    pub adoption: Vec<AdoptionFigures>,
}

/// A shipped feature's adoption rate (0–1) from its adoption event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdoptionFigures {
    pub feature_id: Id,
    pub key: String,
    pub title: String,
    pub event: String,
    pub rate: f64,
    pub adopters: u64,
}

/// A shipped feature whose adoption rate moved since the previous sync (by
/// at least a tenth of a percentage point), or every one on the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdoptionMove {
    pub feature_id: Id,
    pub key: String,
    pub title: String,
    pub event: String,
    /// The rate at the previous sync; absent when not kept then.
    pub before: Option<f64>,
    pub rate: f64,
    pub adopters: u64,
}

/// Adoption rates that moved between two snapshots.
pub fn adoption_moves(before: Option<&Snapshot>, now: &Snapshot) -> Vec<AdoptionMove> {
    let was: HashMap<Id, f64> =
        before.map(|s| s.adoption.iter().map(|a| (a.feature_id, a.rate)).collect()).unwrap_or_default();
    now.adoption
        .iter()
        .filter_map(|a| {
            let b = was.get(&a.feature_id).copied();
            b.is_none_or(|b| (b - a.rate).abs() >= 0.001).then(|| AdoptionMove {
                feature_id: a.feature_id,
                key: a.key.clone(),
                title: a.title.clone(),
                event: a.event.clone(),
                before: b,
                rate: a.rate,
                adopters: a.adopters,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProjectFigures {
    pub project_id: Id,
    pub name: String,
    pub finish: Option<LocalTime>,
    pub budget_minor: Option<i64>,
    /// Estimate at completion with a baseline, else the planned cost.
    pub cost_minor: i64,
    pub milestones: Vec<MilestoneFigures>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MilestoneFigures {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub finish: LocalTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReleaseFigures {
    pub release_id: Id,
    pub name: String,
    pub target_date: Option<Day>,
    pub forecast: Option<Day>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KeyResultFigures {
    pub key_result_id: Id,
    pub metric: String,
    pub progress: f64,
}

/// A change request waiting for its owners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Awaiting {
    pub change_request_id: Id,
    pub project_id: Id,
    pub key: String,
    pub title: String,
    pub status: String,
    pub finish_delta_working_days: Option<f64>,
}

/// A line of the agenda about one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgendaItem {
    pub subject_type: String,
    pub subject_id: Id,
    pub text: String,
    pub at: Millis,
}

/// A forecast finish that moved (a project's or a release's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FinishMove {
    pub subject_type: String,
    pub subject_id: Id,
    pub name: String,
    /// `null` on the first sync or for something new.
    pub before: Option<Day>,
    pub after: Option<Day>,
    /// Calendar days later (negative: earlier).
    pub days: Option<i64>,
}

/// A milestone now forecast later than at the previous sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MilestoneSlip {
    pub project_id: Id,
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub before: Day,
    pub after: Day,
    pub days: i64,
}

/// A risk raised, or scored higher, since the previous sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RiskChange {
    pub risk_id: Id,
    pub project_id: Id,
    pub key: String,
    pub title: String,
    pub score: i64,
    /// `null`: the risk is new.
    pub previous_score: Option<i64>,
}

/// A project whose forecast cost against its budget changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BudgetChange {
    pub project_id: Id,
    pub name: String,
    pub budget_minor: Option<i64>,
    pub previous_cost_minor: Option<i64>,
    pub cost_minor: i64,
    /// Budget − forecast cost now, minus the same at the previous sync;
    /// negative: the variance worsened.
    pub variance_change_minor: i64,
}

/// New feedback and the features it asks for most.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackSummary {
    pub count: i64,
    pub top_features: Vec<FeatureDemand>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeatureDemand {
    pub feature_id: Id,
    pub key: String,
    pub title: String,
    pub count: i64,
}

/// A feature shipped since the previous sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Shipped {
    pub feature_id: Id,
    pub key: String,
    pub title: String,
    pub shipped_on: Option<Day>,
    /// The latest value of an adoption metric named as its adoption event
    /// (the measured rates are in the agenda's `adoption`).
    pub adoption: Option<f64>,
}

/// A key result whose progress moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OkrProgress {
    pub key_result_id: Id,
    pub metric: String,
    pub before: Option<f64>,
    pub progress: f64,
}

/// What the weekly sync talks about, in the order of the meeting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agenda {
    /// Change requests waiting for a decision now.
    pub awaiting_decision: Vec<Awaiting>,
    /// Decision-log entries since the previous sync, oldest first.
    pub decisions: Vec<DecisionEntry>,
    /// Features entering or leaving releases, new features, applied change
    /// requests, tasks added to the plan.
    pub scope_changes: Vec<AgendaItem>,
    pub forecast_moves: Vec<FinishMove>,
    pub slipped_milestones: Vec<MilestoneSlip>,
    pub risks: Vec<RiskChange>,
    pub budget: Vec<BudgetChange>,
    pub feedback: FeedbackSummary,
    pub shipped: Vec<Shipped>,
    pub okrs: Vec<OkrProgress>,
    /// Shipped features whose adoption moved.
    #[serde(default)]
    pub adoption: Vec<AdoptionMove>,
}

impl Agenda {
    /// Nothing changed and nothing waits.
    pub fn is_empty(&self) -> bool {
        self.awaiting_decision.is_empty()
            && self.decisions.is_empty()
            && self.scope_changes.is_empty()
            && self.forecast_moves.is_empty()
            && self.slipped_milestones.is_empty()
            && self.risks.is_empty()
            && self.budget.is_empty()
            && self.feedback.count == 0
            && self.shipped.is_empty()
            && self.okrs.is_empty()
            && self.adoption.is_empty()
    }
}

/// An action item agreed at a sync: a task in a project's plan when it
/// names a project, otherwise a follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionItem {
    pub id: Id,
    pub sync_id: Id,
    pub title: String,
    pub owner_id: Option<Id>,
    pub due: Option<Day>,
    pub project_id: Option<Id>,
    pub task_id: Option<Id>,
    pub created_at: Millis,
}

/// One held sync.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Sync {
    pub id: Id,
    pub workspace_id: Id,
    pub product_id: Id,
    pub title: String,
    pub held_on: Day,
    /// The activity and decision-log ids the agenda covers: `(after, upto]`.
    pub activity_after: Id,
    pub activity_upto: Id,
    pub agenda: Agenda,
    pub attendees: Vec<Id>,
    pub notes: String,
    pub notes_html: String,
    pub action_items: Vec<ActionItem>,
    pub created_by: Id,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

fn days_between(a: Day, b: Day) -> i64 {
    a.0.until(b.0).map_or(0, |s| i64::from(s.get_days()))
}

fn day_of(t: LocalTime) -> Day {
    Day(t.0.date())
}

/// The movements between the previous snapshot (none on the first sync)
/// and today's: forecast finishes of projects and releases that changed,
/// milestones now later, cost against budget that changed, key results
/// whose progress moved. On the first sync every current figure is listed
/// with no "before".
pub fn movements(
    before: Option<&Snapshot>,
    now: &Snapshot,
) -> (Vec<FinishMove>, Vec<MilestoneSlip>, Vec<BudgetChange>, Vec<OkrProgress>) {
    let mut moves = Vec::new();
    let mut slips = Vec::new();
    let mut budget = Vec::new();
    let mut okrs = Vec::new();
    let prev_projects: HashMap<Id, &ProjectFigures> =
        before.map(|s| s.projects.iter().map(|p| (p.project_id, p)).collect()).unwrap_or_default();
    for p in &now.projects {
        let old = prev_projects.get(&p.project_id);
        let (b, a) = (old.and_then(|o| o.finish).map(day_of), p.finish.map(day_of));
        if old.is_none() || b != a {
            let days = match (b, a) {
                (Some(b), Some(a)) => Some(days_between(b, a)),
                _ => None,
            };
            moves.push(FinishMove {
                subject_type: "project".into(),
                subject_id: p.project_id,
                name: p.name.clone(),
                before: b,
                after: a,
                days,
            });
        }
        if let Some(o) = old {
            let was: HashMap<Id, &MilestoneFigures> = o.milestones.iter().map(|m| (m.task_id, m)).collect();
            for m in &p.milestones {
                if let Some(w) = was.get(&m.task_id) {
                    let (b, a) = (day_of(w.finish), day_of(m.finish));
                    if a > b {
                        slips.push(MilestoneSlip {
                            project_id: p.project_id,
                            task_id: m.task_id,
                            key: m.key.clone(),
                            name: m.name.clone(),
                            before: b,
                            after: a,
                            days: days_between(b, a),
                        });
                    }
                }
            }
        }
        let variance = |budget: Option<i64>, cost: i64| budget.map_or(0, |b| b - cost);
        let prev_cost = old.map(|o| o.cost_minor);
        if prev_cost != Some(p.cost_minor) || old.map(|o| o.budget_minor) != Some(p.budget_minor) {
            let change = match old {
                Some(o) => variance(p.budget_minor, p.cost_minor) - variance(o.budget_minor, o.cost_minor),
                None => 0,
            };
            budget.push(BudgetChange {
                project_id: p.project_id,
                name: p.name.clone(),
                budget_minor: p.budget_minor,
                previous_cost_minor: prev_cost,
                cost_minor: p.cost_minor,
                variance_change_minor: change,
            });
        }
    }
    let prev_releases: HashMap<Id, &ReleaseFigures> =
        before.map(|s| s.releases.iter().map(|r| (r.release_id, r)).collect()).unwrap_or_default();
    for r in &now.releases {
        let old = prev_releases.get(&r.release_id);
        let b = old.and_then(|o| o.forecast);
        if old.is_none() || b != r.forecast {
            let days = match (b, r.forecast) {
                (Some(b), Some(a)) => Some(days_between(b, a)),
                _ => None,
            };
            moves.push(FinishMove {
                subject_type: "release".into(),
                subject_id: r.release_id,
                name: r.name.clone(),
                before: b,
                after: r.forecast,
                days,
            });
        }
    }
    let prev_krs: HashMap<Id, f64> =
        before.map(|s| s.key_results.iter().map(|k| (k.key_result_id, k.progress)).collect()).unwrap_or_default();
    for k in &now.key_results {
        let b = prev_krs.get(&k.key_result_id).copied();
        if b.is_none_or(|b| (b - k.progress).abs() > 1e-9) {
            okrs.push(OkrProgress {
                key_result_id: k.key_result_id,
                metric: k.metric.clone(),
                before: b,
                progress: k.progress,
            });
        }
    }
    (moves, slips, budget, okrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> LocalTime {
        LocalTime(s.parse().unwrap())
    }

    fn project(finish: &str, cost: i64, milestone: &str) -> ProjectFigures {
        ProjectFigures {
            project_id: Id(1),
            name: "P".into(),
            finish: Some(t(finish)),
            budget_minor: Some(1000),
            cost_minor: cost,
            milestones: vec![MilestoneFigures {
                task_id: Id(9),
                key: "P-9".into(),
                name: "M".into(),
                finish: t(milestone),
            }],
        }
    }

    #[test]
    fn only_what_moved_is_listed() {
        let a = Snapshot {
            projects: vec![project("2027-03-01T17:00", 800, "2027-02-01T17:00")],
            releases: vec![],
            key_results: vec![KeyResultFigures { key_result_id: Id(3), metric: "NPS".into(), progress: 0.5 }],
            adoption: vec![],
        };
        let (m, s, b, o) = movements(Some(&a), &a);
        assert!(m.is_empty() && s.is_empty() && b.is_empty() && o.is_empty());

        let mut later = a.clone();
        later.projects[0] = project("2027-03-08T17:00", 900, "2027-02-03T17:00");
        later.key_results[0].progress = 0.6;
        let (m, s, b, o) = movements(Some(&a), &later);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].days, Some(7));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].days, 2);
        assert_eq!(b[0].variance_change_minor, -100);
        assert_eq!(o[0].before, Some(0.5));
    }

    #[test]
    fn the_first_sync_lists_every_figure_without_a_before() {
        let a =
            Snapshot { projects: vec![project("2027-03-01T17:00", 800, "2027-02-01T17:00")], ..Snapshot::default() };
        let (m, s, b, _) = movements(None, &a);
        assert_eq!(m[0].before, None);
        assert!(s.is_empty());
        assert_eq!(b[0].previous_cost_minor, None);
    }

    #[test]
    fn adoption_moves_are_listed_from_a_tenth_of_a_point() {
        let rate = |r: f64| AdoptionFigures {
            feature_id: Id(5),
            key: "F-5".into(),
            title: "Wallets".into(),
            event: "paid.wallet".into(),
            rate: r,
            adopters: 10,
        };
        let a = Snapshot { adoption: vec![rate(0.2)], ..Snapshot::default() };
        assert_eq!(adoption_moves(None, &a)[0].before, None, "first sync: every one");
        let same = Snapshot { adoption: vec![rate(0.2004)], ..Snapshot::default() };
        assert!(adoption_moves(Some(&a), &same).is_empty(), "less than a tenth of a point");
        let up = Snapshot { adoption: vec![rate(0.25)], ..Snapshot::default() };
        let m = adoption_moves(Some(&a), &up);
        assert_eq!((m[0].before, m[0].rate), (Some(0.2), 0.25));
    }
}
