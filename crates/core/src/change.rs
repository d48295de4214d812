//! Change requests: typed edits to a plan, the impact computed from them,
//! the dimensions they touch and the decisions taken on them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::decision::DecisionKind;
use crate::model::{Id, Millis};
use crate::project::{DependencyType, LocalTime};
use crate::{Role, str_enum};

/// The fields an `update_task` edit may change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskFields {
    pub name: Option<String>,
    pub duration_minutes: Option<i64>,
    pub story_points: Option<f64>,
    pub feature_id: Option<Id>,
}

/// One edit of a change request, applied in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// `ref` names the new task for later edits of the same request.
    AddTask {
        #[serde(rename = "ref")]
        reference: Option<String>,
        name: String,
        duration_minutes: i64,
        parent_id: Option<Id>,
        feature_id: Option<Id>,
        story_points: Option<f64>,
    },
    UpdateTask {
        task_id: Id,
        fields: TaskFields,
    },
    RemoveTask {
        task_id: Id,
    },
    /// `predecessor` and `successor`: a task id or the `ref` of an added task.
    AddDependency {
        predecessor: String,
        successor: String,
        #[serde(rename = "type")]
        kind: Option<DependencyType>,
        lag_minutes: Option<i64>,
    },
    RemoveDependency {
        dependency_id: Id,
    },
    SetBudget {
        budget_minor: i64,
    },
    AddFeatureToRelease {
        feature_id: Id,
        release_id: Id,
    },
    RemoveFeatureFromRelease {
        feature_id: Id,
        release_id: Id,
    },
}

/// The most edits one request carries.
pub const MAX_EDITS: usize = 200;

str_enum! {
    pub enum CrStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Rejected = "rejected",
        Escalated = "escalated",
        Applied = "applied",
    }
}

str_enum! {
    /// What a change touches; each maps through the matrix to an owner.
    pub enum Dimension { Scope = "scope", Schedule = "schedule", Budget = "budget", Resources = "resources", Quality = "quality" }
}

impl Dimension {
    /// The decision kind that settles a change in this dimension; a budget
    /// above the approved one is a budget increase.
    pub fn kind(self, budget_increase: bool) -> DecisionKind {
        match self {
            Dimension::Scope => DecisionKind::ReleaseScope,
            Dimension::Schedule => DecisionKind::Schedule,
            Dimension::Budget if budget_increase => DecisionKind::BudgetIncrease,
            Dimension::Budget => DecisionKind::Budget,
            Dimension::Resources => DecisionKind::Resources,
            Dimension::Quality => DecisionKind::QualityAcceptance,
        }
    }
}

/// A milestone whose date the change moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MovedMilestone {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub from: LocalTime,
    pub to: LocalTime,
}

/// What the change does to the plan, computed on submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Impact {
    pub finish_before: LocalTime,
    pub finish_after: LocalTime,
    /// Working days the project's finish moves (later is positive).
    pub finish_delta_working_days: f64,
    /// Change in the cost at completion: the planned cost of the work plus
    /// the budget's change where it is set.
    pub eac_delta_minor: i64,
    pub budget_delta_minor: i64,
    pub scope_delta_points: f64,
    pub moved_milestones: Vec<MovedMilestone>,
    pub features_in: Vec<Id>,
    pub features_out: Vec<Id>,
}

impl Impact {
    /// Whether the owners would be deciding the same thing: the finish
    /// moves by as much, the cost and scope change alike, the same
    /// features come and go. The dates themselves may have moved with the
    /// plan (progress, time logged); what was approved is the change.
    pub fn same_decision(&self, other: &Impact) -> bool {
        (self.finish_delta_working_days - other.finish_delta_working_days).abs() < 0.01
            && self.eac_delta_minor == other.eac_delta_minor
            && self.budget_delta_minor == other.budget_delta_minor
            && (self.scope_delta_points - other.scope_delta_points).abs() < 0.01
            && self.features_in == other.features_in
            && self.features_out == other.features_out
    }
}

/// One required owner's or consulted role's call on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Approval {
    pub role: Role,
    pub user_id: Id,
    /// `approve`, `reject`, or for consulted roles `opinion`.
    pub decision: String,
    pub rationale: String,
    pub at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChangeRequest {
    pub id: Id,
    pub project_id: Id,
    /// `CKT-61`.
    pub key: String,
    pub title: String,
    pub description: String,
    pub edits: Vec<Edit>,
    pub status: CrStatus,
    pub dimensions: Vec<Dimension>,
    pub impact: Option<Impact>,
    /// The roles whose owners must decide.
    pub required: Vec<Role>,
    /// Calls of the current round (reset when the impact is recomputed).
    pub approvals: Vec<Approval>,
    pub created_by: Id,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Where a request stands once the required owners' calls are in.
pub fn outcome(required: &[Role], approvals: &[Approval]) -> Option<CrStatus> {
    let call = |r: &Role| {
        approvals.iter().rev().find(|a| a.role == *r && a.decision != "opinion").map(|a| a.decision.as_str())
    };
    let calls: Vec<Option<&str>> = required.iter().map(call).collect();
    if calls.iter().any(Option::is_none) {
        return None;
    }
    let approvals_n = calls.iter().filter(|c| **c == Some("approve")).count();
    Some(if approvals_n == calls.len() {
        CrStatus::Approved
    } else if approvals_n == 0 {
        CrStatus::Rejected
    } else {
        CrStatus::Escalated
    })
}

/// One entry of the decision log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionEntry {
    pub id: Id,
    pub workspace_id: Id,
    /// The decision kind, or `change_request` for a request's life.
    pub kind: String,
    pub subject_type: String,
    pub subject_id: Id,
    /// The subject as people name it: `CKT-69 Loyalty points`, a release's name.
    pub subject_label: Option<String>,
    pub user_id: Option<Id>,
    pub role: Option<Role>,
    /// `submitted`, `approve`, `reject`, `opinion`, `escalated`,
    /// `approved`, `rejected`, `applied`, `recomputed`.
    pub outcome: String,
    pub rationale: String,
    pub at: Millis,
}

/// Task fields whose change alters the plan (its scope, dates or cost);
/// progress, board status and sprint moves do not.
const PLAN_FIELDS: &[&str] = &[
    "duration_minutes",
    "kind",
    "constraint",
    "deadline",
    "parent_id",
    "story_points",
    "feature_id",
    "manual_start",
    "manual_finish",
    "calendar_id",
    "assignments",
    "fixed_cost_minor",
    "estimate",
    "external_start",
];

/// Whether an activity entry is a direct edit of the plan: a task or
/// dependency added or removed, or a task's plan field changed. After the
/// first baseline, such edits made outside a change request are
/// "unmanaged change". `after` holds the changed fields of an update.
pub fn is_plan_edit(action: &str, after: Option<&serde_json::Value>) -> bool {
    match action {
        "task.updated" => after
            .and_then(serde_json::Value::as_object)
            .is_some_and(|o| o.keys().any(|k| PLAN_FIELDS.contains(&k.as_str()))),
        a => PLAN_EDIT_ACTIONS.contains(&a),
    }
}

/// The actions that can be plan edits (`task.updated` only when it changes
/// a plan field); the store filters the activity log by them.
pub const PLAN_EDIT_ACTIONS: &[&str] =
    &["task.created", "task.updated", "task.deleted", "dependency.created", "dependency.updated", "dependency.deleted"];

/// Scope change since the first baseline, managed and not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ScopeMetrics {
    /// When the first baseline was set; `null`: no baseline, nothing to
    /// measure against.
    pub baseline_at: Option<Millis>,
    /// Scope added since the first baseline ÷ baseline scope (points, else
    /// work).
    pub scope_creep: Option<f64>,
    /// Change requests filed since the first baseline, by outcome.
    pub requests_filed: i64,
    pub requests_applied: i64,
    pub requests_rejected: i64,
    pub requests_open: i64,
    /// Points and working days the applied requests added.
    pub approved_points: f64,
    pub approved_finish_working_days: f64,
    /// Plan edits made after the first baseline without a request.
    pub unmanaged_changes: i64,
    /// The latest of them, newest first (ten at most).
    pub unmanaged: Vec<UnmanagedChange>,
}

/// One plan edit made without a change request.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnmanagedChange {
    pub action: String,
    pub subject_type: String,
    pub subject_id: Id,
    /// The task as people name it, `CKT-12 Wallets`, where it has one.
    pub subject_label: Option<String>,
    pub actor_email: Option<String>,
    pub actor_name: Option<String>,
    pub at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(role: Role, decision: &str) -> Approval {
        Approval { role, user_id: Id(1), decision: decision.into(), rationale: String::new(), at: Millis(0) }
    }

    #[test]
    fn plan_edits_leave_out_progress() {
        use serde_json::json;
        assert!(is_plan_edit("task.created", None));
        assert!(is_plan_edit("task.updated", Some(&json!({"duration_minutes": 960}))));
        assert!(!is_plan_edit("task.updated", Some(&json!({"percent_complete": 50, "status": "doing"}))));
        assert!(!is_plan_edit("risk.updated", Some(&json!({"duration_minutes": 1}))));
    }

    #[test]
    fn outcomes_of_owners_calls() {
        let req = [Role::ProductManager, Role::ProjectManager];
        assert_eq!(outcome(&req, &[call(Role::ProductManager, "approve")]), None);
        assert_eq!(
            outcome(&req, &[call(Role::ProductManager, "approve"), call(Role::ProjectManager, "approve")]),
            Some(CrStatus::Approved)
        );
        assert_eq!(
            outcome(&req, &[call(Role::ProductManager, "approve"), call(Role::ProjectManager, "reject")]),
            Some(CrStatus::Escalated)
        );
        assert_eq!(
            outcome(&req, &[call(Role::ProductManager, "reject"), call(Role::ProjectManager, "reject")]),
            Some(CrStatus::Rejected)
        );
        assert_eq!(outcome(&req, &[call(Role::Admin, "opinion")]), None);
        let edit: Edit =
            serde_json::from_str(r#"{"op": "add_task", "ref": "n1", "name": "X", "duration_minutes": 480}"#).unwrap();
        assert!(matches!(edit, Edit::AddTask { reference: Some(_), .. }));
    }
}
