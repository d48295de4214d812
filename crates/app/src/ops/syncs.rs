//! The weekly PdM–PM sync of a product and its projects: the agenda is
//! generated from the activity and decision log since the previous sync
//! (exactly the entries after its marks) and from what moved between its
//! snapshot and today's; the meeting keeps attendees, notes and action
//! items, which become tasks in a plan or follow-ups.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;
use tandem_core::change::CrStatus;
use tandem_core::model::{Activity, Day};
use tandem_core::product::{FeatureStatus, MetricKind};
use tandem_core::project::Project;
use tandem_core::sync::{
    ActionItem, AdoptionFigures, Agenda, AgendaItem, Awaiting, FeatureDemand, FeedbackSummary, KeyResultFigures,
    MilestoneFigures, ProjectFigures, ReleaseFigures, RiskChange, Shipped, Snapshot, Sync, adoption_moves, movements,
};
use tandem_core::{Id, Millis, ProjectAction, validate};
use tandem_store::syncs::{NewAction, NewSync};
use utoipa::ToSchema;

use super::product::product_projects;
use crate::App;
use crate::access::{InProduct, project_access};
use crate::error::AppError;

/// The first sync of a product looks back one week.
const FIRST_LOOKBACK_MS: i64 = 7 * 24 * 3600 * 1000;
/// At most this many log entries feed one agenda.
const MAX_ENTRIES: i64 = 20_000;
const MAX_ATTENDEES: usize = 100;

/// Who holds the sync and records it: admins, the product's owner, and the
/// managers of its projects.
pub fn may_hold(a: &InProduct, projects: &[Project]) -> bool {
    tandem_core::access::may_hold_sync(a.role, a.holds(projects))
}

/// Today's figures of the product and its projects.
pub async fn snapshot(state: &App, a: &InProduct, projects: &[Project]) -> Result<Snapshot, AppError> {
    let mut out = Snapshot::default();
    for p in projects {
        // A plan that cannot be scheduled still has a row, without dates.
        let figures = match crate::schedules::computed(state, p.id).await {
            Ok(c) => {
                let view = &c.view;
                let planned: i64 = c.costs.iter().sum();
                let cost = if state.store.baselines(p.id).await?.is_empty() {
                    planned
                } else {
                    super::delivery::evm_of(state, &c, None).await?.figures.eac.unwrap_or(planned)
                };
                let milestones = view
                    .tasks
                    .iter()
                    .filter(|t| t.milestone)
                    .map(|t| MilestoneFigures {
                        task_id: t.id,
                        key: t.key.clone(),
                        name: t.name.clone(),
                        finish: t.finish,
                    })
                    .collect();
                ProjectFigures {
                    project_id: p.id,
                    name: p.name.clone(),
                    finish: Some(view.project.finish),
                    budget_minor: (p.budget_minor > 0).then_some(p.budget_minor),
                    cost_minor: cost,
                    milestones,
                }
            }
            Err(_) => ProjectFigures {
                project_id: p.id,
                name: p.name.clone(),
                finish: None,
                budget_minor: (p.budget_minor > 0).then_some(p.budget_minor),
                cost_minor: 0,
                milestones: Vec::new(),
            },
        };
        out.projects.push(figures);
    }
    for r in crate::forecast::releases(state, a.scope.product_id).await? {
        out.releases.push(ReleaseFigures {
            release_id: r.id,
            name: r.name,
            target_date: r.target_date,
            forecast: r.forecast.map(|f| f.date),
        });
    }
    for o in state.store.objectives(a.scope.product_id).await? {
        for k in o.key_results {
            out.key_results.push(KeyResultFigures { key_result_id: k.id, metric: k.metric, progress: k.progress });
        }
    }
    for f in state.store.features(a.scope.product_id).await? {
        if !matches!(f.status, FeatureStatus::Shipped | FeatureStatus::Measured) {
            continue;
        }
        if let Some(ad) = super::analytics::feature_adoption(state, a.scope.workspace_id, &f).await? {
            out.adoption.push(AdoptionFigures {
                feature_id: f.id,
                key: f.key,
                title: f.title,
                event: ad.event,
                rate: ad.rate,
                adopters: ad.adopters,
            });
        }
    }
    Ok(out)
}

fn field<'a>(v: &'a Option<Value>, k: &str) -> Option<&'a Value> {
    v.as_ref().and_then(|o| o.get(k))
}

/// The agenda from the log entries in the marks' ranges, the state of
/// change requests now, and the snapshots.
async fn agenda(
    state: &App,
    a: &InProduct,
    projects: &[Project],
    entries: &[Activity],
    decisions: Vec<tandem_core::change::DecisionEntry>,
    before: Option<&Snapshot>,
    now: &Snapshot,
) -> Result<Agenda, AppError> {
    let product = a.scope.product_id;
    let features = state.store.features(product).await?;
    let feature_by_id: HashMap<Id, &tandem_core::product::Feature> = features.iter().map(|f| (f.id, f)).collect();
    let releases: HashMap<Id, String> = now.releases.iter().map(|r| (r.release_id, r.name.clone())).collect();
    let project_ids: HashSet<Id> = projects.iter().map(|p| p.id).collect();
    let mut crs = HashMap::new();
    let mut risks = HashMap::new();
    let mut tasks: HashSet<Id> = HashSet::new();
    let mut awaiting = Vec::new();
    for p in projects {
        for c in state.store.change_requests(p.id).await? {
            if matches!(c.status, CrStatus::Submitted | CrStatus::Escalated) {
                awaiting.push(Awaiting {
                    change_request_id: c.id,
                    project_id: p.id,
                    key: c.key.clone(),
                    title: c.title.clone(),
                    status: c.status.as_str().to_owned(),
                    finish_delta_working_days: c.impact.as_ref().map(|i| i.finish_delta_working_days),
                });
            }
            crs.insert(c.id, c);
        }
        for r in state.store.risks(p.id).await? {
            risks.insert(r.id, r);
        }
        tasks.extend(state.store.tasks(p.id).await?.iter().map(|t| t.id));
    }
    let objectives = state.store.objectives(product).await?;
    let kr_ids: HashSet<Id> = objectives.iter().flat_map(|o| o.key_results.iter().map(|k| k.id)).collect();
    let objective_ids: HashSet<Id> = objectives.iter().map(|o| o.id).collect();

    let mut scope_changes = Vec::new();
    let mut new_feedback: Vec<Id> = Vec::new();
    // Risk id → (new since the last sync, the score before the first change).
    let mut risk_touch: BTreeMap<Id, (bool, Option<i64>)> = BTreeMap::new();
    let mut shipped_ids: Vec<Id> = Vec::new();
    for e in entries {
        let item = |text: String| AgendaItem {
            subject_type: e.subject_type.clone(),
            subject_id: e.subject_id,
            text,
            at: e.at,
        };
        match (e.action.as_str(), e.subject_type.as_str()) {
            ("feature.created", "feature") => {
                if let Some(f) = feature_by_id.get(&e.subject_id) {
                    scope_changes.push(item(format!("New feature {} {}", f.key, f.title)));
                }
            }
            ("feature.updated", "feature") => {
                let Some(f) = feature_by_id.get(&e.subject_id) else { continue };
                if let Some(after) = field(&e.after, "release_id") {
                    let name = |v: Option<&Value>| {
                        v.and_then(Value::as_str)
                            .and_then(|s| s.parse::<Id>().ok())
                            .or_else(|| v.and_then(Value::as_i64).map(Id))
                            .map(|i| releases.get(&i).cloned().unwrap_or_else(|| "another release".into()))
                    };
                    let text = match (name(field(&e.before, "release_id")), name(Some(after))) {
                        (_, Some(to)) => format!("{} {} moved into {to}", f.key, f.title),
                        (Some(from), None) => format!("{} {} taken out of {from}", f.key, f.title),
                        (None, None) => continue,
                    };
                    scope_changes.push(item(text));
                }
                if field(&e.after, "status").and_then(Value::as_str) == Some(FeatureStatus::Shipped.as_str())
                    && !shipped_ids.contains(&f.id)
                {
                    shipped_ids.push(f.id);
                }
            }
            ("change_request.applied", "change_request") => {
                if let Some(c) = crs.get(&e.subject_id) {
                    scope_changes.push(item(format!("{} applied: {}", c.key, c.title)));
                }
            }
            ("task.created", "task") if tasks.contains(&e.subject_id) => {
                let name = field(&e.after, "name").and_then(Value::as_str).unwrap_or("a task");
                let key = field(&e.after, "key").and_then(Value::as_str).unwrap_or("");
                scope_changes.push(item(format!("Task {key} {name} added to the plan")));
            }
            ("feedback.created", "feedback") => new_feedback.push(e.subject_id),
            ("risk.created", "risk") if risks.contains_key(&e.subject_id) => {
                risk_touch.insert(e.subject_id, (true, None));
            }
            ("risk.updated", "risk") if risks.contains_key(&e.subject_id) => {
                let b = field(&e.before, "score").and_then(Value::as_i64);
                let slot = risk_touch.entry(e.subject_id).or_insert((false, None));
                if !slot.0 && slot.1.is_none() {
                    slot.1 = b;
                }
            }
            _ => {}
        }
    }
    let risks_out = risk_touch
        .into_iter()
        .filter_map(|(rid, (new, before))| {
            let r = risks.get(&rid)?;
            let keep = new || before.is_some_and(|b| r.score > b);
            keep.then(|| RiskChange {
                risk_id: r.id,
                project_id: r.project_id,
                key: r.key.clone(),
                title: r.title.clone(),
                score: r.score,
                previous_score: if new { None } else { before },
            })
        })
        .collect();

    let mut feedback = FeedbackSummary::default();
    let mut demand: BTreeMap<Id, i64> = BTreeMap::new();
    for fb in new_feedback {
        let Ok(f) = state.store.feedback(fb).await else { continue };
        if f.product_id != product {
            continue;
        }
        feedback.count += 1;
        for l in &f.links {
            *demand.entry(l.feature_id).or_default() += 1;
        }
    }
    let mut top: Vec<FeatureDemand> = demand
        .into_iter()
        .filter_map(|(fid, count)| {
            feature_by_id.get(&fid).map(|f| FeatureDemand {
                feature_id: fid,
                key: f.key.clone(),
                title: f.title.clone(),
                count,
            })
        })
        .collect();
    top.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    top.truncate(5);
    feedback.top_features = top;

    let metrics = state.store.metrics(product).await?;
    let shipped = shipped_ids
        .into_iter()
        .filter_map(|fid| feature_by_id.get(&fid))
        .filter(|f| matches!(f.status, FeatureStatus::Shipped | FeatureStatus::Measured))
        .map(|f| Shipped {
            feature_id: f.id,
            key: f.key.clone(),
            title: f.title.clone(),
            shipped_on: f.shipped_on,
            adoption: f.adoption_event.as_ref().and_then(|ev| {
                metrics
                    .iter()
                    .find(|m| m.kind == MetricKind::Adoption && &m.name == ev)
                    .and_then(|m| m.points.last())
                    .map(|p| p.value)
            }),
        })
        .collect();

    // Decisions about the product, its objects, its projects and their requests.
    let in_scope = |d: &tandem_core::change::DecisionEntry| match d.subject_type.as_str() {
        "change_request" => crs.contains_key(&d.subject_id),
        "release" => releases.contains_key(&d.subject_id),
        "feature" => feature_by_id.contains_key(&d.subject_id),
        "product" => d.subject_id == product,
        "project" => project_ids.contains(&d.subject_id),
        "objective" => objective_ids.contains(&d.subject_id),
        "key_result" => kr_ids.contains(&d.subject_id),
        _ => false,
    };
    let decisions = decisions.into_iter().filter(in_scope).collect();
    let (forecast_moves, slipped_milestones, budget, okrs) = movements(before, now);
    Ok(Agenda {
        awaiting_decision: awaiting,
        decisions,
        scope_changes,
        forecast_moves,
        slipped_milestones,
        risks: risks_out,
        budget,
        feedback,
        shipped,
        okrs,
        adoption: adoption_moves(before, now),
    })
}

/// The agenda the next sync would have if held now, and the marks and
/// snapshot it would store.
pub struct Next {
    pub previous: Option<Id>,
    pub activity: (Id, Id),
    pub decisions: (Id, Id),
    pub agenda: Agenda,
    pub snapshot: Snapshot,
}

pub async fn next(state: &App, a: &InProduct, projects: &[Project]) -> Result<Next, AppError> {
    let ws = a.scope.workspace_id;
    let now = state.clock.now();
    let last = state.store.last_sync(a.scope.product_id).await?;
    let (after_a, after_d) = match &last {
        Some(l) => (l.activity_upto, l.decisions_upto),
        None => {
            let since = Millis(now.0 - FIRST_LOOKBACK_MS);
            (state.store.activity_mark_before(ws, since).await?, state.store.decision_mark_before(ws, since).await?)
        }
    };
    let (upto_a, upto_d) = (state.store.activity_mark(ws, now).await?, state.store.decision_mark(ws, now).await?);
    let entries = state.store.activity_between(ws, after_a, upto_a, MAX_ENTRIES).await?;
    let decisions = state.store.decisions_between(ws, after_d, upto_d, MAX_ENTRIES).await?;
    let snap = snapshot(state, a, projects).await?;
    let agenda = agenda(state, a, projects, &entries, decisions, last.as_ref().map(|l| &l.snapshot), &snap).await?;
    Ok(Next {
        previous: last.map(|l| l.id),
        activity: (after_a, upto_a),
        decisions: (after_d, upto_d),
        agenda,
        snapshot: snap,
    })
}

/// `POST /syncs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldSync {
    pub product_id: Id,
    /// Default: "Weekly sync <date>".
    pub title: Option<String>,
    /// Default: today.
    pub held_on: Option<Day>,
    /// Members of the workspace who attended.
    pub attendees: Option<Vec<Id>>,
    /// Markdown.
    pub notes: Option<String>,
}

async fn check_attendees(state: &App, ws: Id, list: &[Id]) -> Result<Vec<Id>, AppError> {
    if list.len() > MAX_ATTENDEES {
        return Err(AppError::invalid("attendees", format!("at most {MAX_ATTENDEES}")));
    }
    let mut out: Vec<Id> = Vec::new();
    for u in list {
        if state.store.role_in(ws, *u).await?.is_none() {
            return Err(AppError::invalid("attendees", format!("user {u} is not a member of this workspace")));
        }
        if !out.contains(u) {
            out.push(*u);
        }
    }
    Ok(out)
}

/// Holds the sync: stores the agenda generated now.
pub async fn hold(state: &App, a: &InProduct, req: HoldSync) -> Result<Sync, AppError> {
    let projects = product_projects(state, a).await?;
    if !may_hold(a, &projects) {
        return Err(AppError::Forbidden);
    }
    let held_on = req.held_on.unwrap_or_else(|| Day::of(state.clock.now()));
    let title = match req.title {
        Some(t) => validate::name("title", &t)?,
        None => format!("Weekly sync {held_on}"),
    };
    let notes = validate::long_text("notes", req.notes.as_deref().unwrap_or(""))?;
    let attendees = check_attendees(state, a.scope.workspace_id, &req.attendees.unwrap_or_default()).await?;
    let n = next(state, a, &projects).await?;
    let s = NewSync {
        product_id: a.scope.product_id,
        title,
        held_on,
        previous: n.previous,
        activity: n.activity,
        decisions: n.decisions,
        agenda: n.agenda,
        snapshot: n.snapshot,
        attendees,
        notes,
    };
    Ok(state.store.create_sync(a.user_id, &s, state.clock.now()).await?)
}

/// `PATCH /syncs/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditSync {
    pub notes: Option<String>,
    pub attendees: Option<Vec<Id>>,
    pub version: Option<i64>,
}

pub async fn edit(state: &App, a: &InProduct, sync: Id, version: i64, req: EditSync) -> Result<Sync, AppError> {
    if !may_hold(a, &product_projects(state, a).await?) {
        return Err(AppError::Forbidden);
    }
    let notes = req.notes.map(|n| validate::long_text("notes", &n)).transpose()?;
    let attendees = match req.attendees {
        Some(l) => Some(check_attendees(state, a.scope.workspace_id, &l).await?),
        None => None,
    };
    Ok(state
        .store
        .update_sync(a.user_id, sync, version, notes.as_deref(), attendees.as_deref(), state.clock.now())
        .await?)
}

/// `POST /syncs/{id}/action-items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionItem {
    pub title: String,
    /// A member of the workspace.
    pub owner_id: Option<Id>,
    pub due: Option<Day>,
    /// One of the product's projects: the item becomes a task in its plan
    /// (due date as its deadline, assigned to the owner's resource when
    /// the owner is one). Without it the item is a follow-up.
    pub project_id: Option<Id>,
}

pub async fn add_action(state: &App, a: &InProduct, sync: Id, req: NewActionItem) -> Result<ActionItem, AppError> {
    let projects = product_projects(state, a).await?;
    if !may_hold(a, &projects) {
        return Err(AppError::Forbidden);
    }
    let title = validate::name("title", &req.title)?;
    if let Some(o) = req.owner_id
        && state.store.role_in(a.scope.workspace_id, o).await?.is_none()
    {
        return Err(AppError::invalid("owner_id", "is not a member of this workspace"));
    }
    let task = match req.project_id {
        Some(pid) => {
            if !projects.iter().any(|x| x.id == pid) {
                return Err(AppError::invalid("project_id", "is not a project of this product"));
            }
            // Adding to a plan is the plan owner's right.
            project_access(state, a.user_id, pid, ProjectAction::Edit).await?;
            let edit =
                crate::ops::project::task_for_owner(state, a.scope.workspace_id, &title, req.owner_id, req.due).await?;
            Some(edit)
        }
        None => None,
    };
    let item = NewAction { title, owner_id: req.owner_id, due: req.due, project_id: req.project_id, task };
    Ok(state.store.add_action_item(a.user_id, sync, &item, state.clock.now()).await?)
}
