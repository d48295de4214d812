//! Change requests: filed with typed edits, their impact computed on a copy
//! of the plan, routed through the workspace's matrix to every distinct
//! accountable owner, decided (with escalation to an admin when owners
//! disagree) and applied in one transaction to the plan they were
//! computed on.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use tandem_core::access::{self, Holds, Say};
use tandem_core::change::{ChangeRequest, CrStatus, Dimension, Edit, Impact, MovedMilestone, outcome};
use tandem_core::decision::Matrix;
use tandem_core::project::{Dependency, LagKind, Task, TaskKind, duration};
use tandem_core::{Id, ProjectAction, Role, validate};
use tandem_store::decisions::{Call, Routing};
use utoipa::ToSchema;

use super::delivery::rates;
use crate::App;
use crate::access::{InProject, project_access};
use crate::error::AppError;
use crate::plan::{self, Plan};

/// `POST /projects/{id}/change-requests`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChangeRequest {
    pub title: String,
    pub description: Option<String>,
    pub edits: Vec<Edit>,
}

fn check_edits(edits: &[Edit]) -> Result<(), AppError> {
    tandem_store::decisions::edits_count(edits)?;
    for e in edits {
        match e {
            Edit::AddTask { name, duration_minutes, .. } => {
                validate::name("name", name)?;
                duration("duration_minutes", *duration_minutes)?;
            }
            Edit::UpdateTask { fields, .. } => {
                if let Some(d) = fields.duration_minutes {
                    duration("duration_minutes", d)?;
                }
                if let Some(n) = &fields.name {
                    validate::name("name", n)?;
                }
            }
            Edit::SetBudget { budget_minor } => {
                tandem_core::project::budget(*budget_minor)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Files a request (every member but stakeholders): a draft until submitted.
pub async fn create(state: &App, a: &InProject, req: CreateChangeRequest) -> Result<ChangeRequest, AppError> {
    check_edits(&req.edits)?;
    let title = validate::name("title", &req.title)?;
    let description = validate::long_text("description", req.description.as_deref().unwrap_or(""))?;
    Ok(state
        .store
        .create_change_request(a.user_id, a.scope.project_id, &title, &description, &req.edits, state.clock.now())
        .await?)
}

/// The plan with the edits applied, in memory, and the features moved in
/// and out of releases.
fn edited(plan: &Plan, edits: &[Edit]) -> Result<(Plan, Vec<Id>, Vec<Id>), AppError> {
    let mut p = plan.clone();
    let (mut fin, mut fout) = (Vec::new(), Vec::new());
    let mut refs: HashMap<String, Id> = HashMap::new();
    let mut next_temp = -1i64;
    let bad = |m: &str| AppError::invalid("edits", m.to_owned());
    for e in edits {
        match e {
            Edit::AddTask { reference, name, duration_minutes, parent_id, feature_id, story_points } => {
                if let Some(pid) = parent_id
                    && !p.tasks.iter().any(|t| t.id == *pid)
                {
                    return Err(bad("adds a task under a parent not in the project"));
                }
                let id = Id(next_temp);
                next_temp -= 1;
                let level =
                    parent_id.and_then(|pid| p.tasks.iter().find(|t| t.id == pid)).map_or(1, |t| t.outline_level + 1);
                let mut t = Task::blank(plan.project.id, id, name, *duration_minutes);
                t.parent_id = *parent_id;
                t.outline_level = level;
                t.feature_id = *feature_id;
                t.story_points = *story_points;
                // Keep parents before children: after its parent's subtree.
                let at = match parent_id {
                    Some(pid) => {
                        let start = p.tasks.iter().position(|x| x.id == *pid).unwrap_or(0);
                        let lvl = p.tasks[start].outline_level;
                        start + 1 + p.tasks[start + 1..].iter().take_while(|x| x.outline_level > lvl).count()
                    }
                    None => p.tasks.len(),
                };
                p.tasks.insert(at, t);
                if let Some(r) = reference {
                    refs.insert(r.clone(), id);
                }
            }
            Edit::UpdateTask { task_id, fields } => {
                let t = p
                    .tasks
                    .iter_mut()
                    .find(|t| t.id == *task_id)
                    .ok_or_else(|| bad("updates a task not in the project"))?;
                if let Some(d) = fields.duration_minutes {
                    t.duration_minutes = d;
                    t.manual_placeholder = false;
                }
                if let Some(n) = &fields.name {
                    t.name = n.clone();
                }
                if let Some(pts) = fields.story_points {
                    t.story_points = Some(pts);
                }
                if let Some(f) = fields.feature_id {
                    t.feature_id = Some(f);
                }
            }
            Edit::RemoveTask { task_id } => {
                if !p.tasks.iter().any(|t| t.id == *task_id) {
                    return Err(bad("removes a task not in the project"));
                }
                let mut gone: BTreeSet<Id> = BTreeSet::from([*task_id]);
                loop {
                    let more: Vec<Id> = p
                        .tasks
                        .iter()
                        .filter(|t| t.parent_id.is_some_and(|x| gone.contains(&x)) && !gone.contains(&t.id))
                        .map(|t| t.id)
                        .collect();
                    if more.is_empty() {
                        break;
                    }
                    gone.extend(more);
                }
                p.tasks.retain(|t| !gone.contains(&t.id));
                p.deps.retain(|d| !gone.contains(&d.predecessor_id) && !gone.contains(&d.successor_id));
            }
            Edit::AddDependency { predecessor, successor, kind, lag_minutes } => {
                let find = |s: &str| {
                    refs.get(s).copied().or_else(|| s.parse().ok()).filter(|i| p.tasks.iter().any(|t| t.id == *i))
                };
                let (Some(pr), Some(su)) = (find(predecessor), find(successor)) else {
                    return Err(bad("links a task not in the project"));
                };
                p.deps.push(Dependency {
                    id: Id(next_temp),
                    project_id: plan.project.id,
                    predecessor_id: pr,
                    successor_id: su,
                    kind: kind.unwrap_or(tandem_core::project::DependencyType::Fs),
                    lag_minutes: lag_minutes.unwrap_or(0),
                    lag_kind: LagKind::Working,
                    lag_percent: None,
                    version: 0,
                    created_at: plan.project.created_at,
                    updated_at: plan.project.created_at,
                });
                next_temp -= 1;
            }
            Edit::RemoveDependency { dependency_id } => p.deps.retain(|d| d.id != *dependency_id),
            Edit::SetBudget { budget_minor } => p.project.budget_minor = *budget_minor,
            Edit::AddFeatureToRelease { feature_id, .. } => fin.push(*feature_id),
            Edit::RemoveFeatureFromRelease { feature_id, .. } => fout.push(*feature_id),
        }
    }
    // Summaries follow from children again.
    let parents: BTreeSet<Id> = p.tasks.iter().filter_map(|t| t.parent_id).collect();
    for t in &mut p.tasks {
        if parents.contains(&t.id) {
            t.kind = TaskKind::Summary;
        }
    }
    Ok((p, fin, fout))
}

fn planned_cost(p: &Plan) -> i64 {
    let parents: BTreeSet<Id> = p.tasks.iter().filter_map(|t| t.parent_id).collect();
    let costs = crate::measure::task_costs(&p.tasks, &rates(&p.resources));
    p.tasks.iter().zip(costs).filter(|(t, _)| !parents.contains(&t.id)).map(|(_, c)| c).sum()
}

fn points(p: &Plan) -> f64 {
    p.tasks.iter().filter_map(|t| t.story_points).sum()
}

/// Computes the impact of `edits` on the project's plan as it is now, the
/// dimensions it touches and the roles that must decide.
pub async fn route(state: &App, project: Id, edits: &[Edit]) -> Result<Routing, AppError> {
    let fingerprint = state.store.plan_fingerprint(project).await?;
    let c = crate::schedules::computed(state, project).await?;
    let (plan, before) = (&c.plan, &c.schedule);
    let (after_plan, features_in, features_out) = edited(plan, edits)?;
    let after = after_plan.schedule()?;
    let cal = plan::calendar(&plan.calendar)?;
    let local = |m| {
        tandem_sched::time::to_datetime(m)
            .map(tandem_core::project::LocalTime)
            .ok_or_else(|| AppError::Internal("date out of range".into()))
    };
    let delta_minutes = cal.between(before.project_finish, after.project_finish);
    let before_at: HashMap<Id, usize> = plan.tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut moved_milestones = Vec::new();
    for (j, t) in after_plan.tasks.iter().enumerate() {
        if let Some(&i) = before_at.get(&t.id)
            && t.kind == TaskKind::Milestone
            && before.finish[i] != after.finish[j]
        {
            moved_milestones.push(MovedMilestone {
                task_id: t.id,
                key: t.key.clone(),
                name: t.name.clone(),
                from: local(before.finish[i])?,
                to: local(after.finish[j])?,
            });
        }
    }
    let budget_delta = after_plan.project.budget_minor - plan.project.budget_minor;
    let eac_delta = planned_cost(&after_plan) - planned_cost(plan);
    let impact = Impact {
        finish_before: local(before.project_finish)?,
        finish_after: local(after.project_finish)?,
        finish_delta_working_days: (delta_minutes as f64 / 480.0 * 100.0).round() / 100.0,
        eac_delta_minor: eac_delta,
        budget_delta_minor: budget_delta,
        scope_delta_points: ((points(&after_plan) - points(plan)) * 100.0).round() / 100.0,
        moved_milestones,
        features_in,
        features_out,
    };
    let mut dims = BTreeSet::new();
    for e in edits {
        match e {
            Edit::AddTask { .. }
            | Edit::RemoveTask { .. }
            | Edit::AddFeatureToRelease { .. }
            | Edit::RemoveFeatureFromRelease { .. } => {
                dims.insert(Dimension::Scope);
            }
            Edit::UpdateTask { fields, .. } if fields.story_points.is_some() || fields.feature_id.is_some() => {
                dims.insert(Dimension::Scope);
            }
            Edit::SetBudget { .. } => {
                dims.insert(Dimension::Budget);
            }
            _ => {}
        }
    }
    if delta_minutes != 0 || !impact.moved_milestones.is_empty() {
        dims.insert(Dimension::Schedule);
    }
    if dims.is_empty() {
        // Sequencing and durations that move nothing are still the schedule's call.
        dims.insert(Dimension::Schedule);
    }
    if eac_delta != 0 {
        dims.insert(Dimension::Budget);
    }
    let approved = plan.project.budget_minor;
    let increase = after_plan.project.budget_minor > approved || (approved > 0 && planned_cost(&after_plan) > approved);
    let matrix = state.store.decision_matrix(plan.project.workspace_id).await?.matrix;
    let mut required: Vec<Role> = Vec::new();
    for d in &dims {
        for r in matrix.accountable(d.kind(increase)) {
            if !required.contains(&r) {
                required.push(r);
            }
        }
    }
    Ok(Routing { dimensions: dims.into_iter().collect(), impact, required, fingerprint })
}

/// Submits a draft: computes its impact and asks its owners.
pub async fn submit(state: &App, a: &InProject, cr: Id, version: i64) -> Result<ChangeRequest, AppError> {
    let stored = state.store.change_request(cr).await?;
    if stored.cr.created_by != a.user_id && !a.manages() {
        return Err(AppError::Forbidden);
    }
    if stored.cr.status != CrStatus::Draft {
        return Err(AppError::Conflict(format!("the request is {}, not a draft", stored.cr.status)));
    }
    let routing = route(state, a.scope.project_id, &stored.cr.edits).await?;
    Ok(state
        .store
        .route_change_request((a.user_id, a.role), cr, version, &routing, "submitted", state.clock.now())
        .await?)
}

/// The caller's say on a change request: an owner it is routed to, a
/// role the matrix consults on what it touches, or an admin.
/// `holds` is [`InProject::holds`].
pub fn say(a: &InProject, holds: Holds, cr: &ChangeRequest, matrix: &Matrix) -> Say {
    let consulted: Vec<Role> = cr
        .dimensions
        .iter()
        .filter_map(|d| matrix.row(d.kind(false)))
        .flat_map(|r| r.consulted.iter().copied())
        .collect();
    access::say(a.role, holds, &cr.required, &consulted)
}

/// `POST /change-requests/{id}/decisions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    /// `approve` or `reject`.
    pub outcome: String,
    pub rationale: String,
}

/// Records the caller's call: a required owner's decision, a consulted
/// role's opinion, or an admin's final word on an escalated request. When
/// the calls approve, the edits are applied; if the plan moved since the
/// impact was computed, the impact is recomputed and the owners asked again.
pub async fn decide(state: &App, a: &InProject, cr: Id, req: DecideRequest) -> Result<ChangeRequest, AppError> {
    if !matches!(req.outcome.as_str(), "approve" | "reject") {
        return Err(AppError::invalid("outcome", "must be approve or reject"));
    }
    let rationale = validate::long_text("rationale", &req.rationale)?;
    if rationale.trim().is_empty() {
        return Err(AppError::invalid("rationale", "say why"));
    }
    let stored = state.store.change_request(cr).await?;
    let now = state.clock.now();
    let who = (a.user_id, a.role);
    let c = &stored.cr;
    // Who may speak at all: admins, the owners it is routed to, and the
    // roles the matrix consults on what it touches.
    let matrix = state.store.decision_matrix(a.scope.workspace_id).await?.matrix;
    let say = say(a, a.holds(state).await?, c, &matrix);
    if !say.any() {
        return Err(AppError::Forbidden);
    }
    let kind = c.dimensions.first().map_or("schedule", |d| d.kind(false).as_str());
    let decided = match c.status {
        CrStatus::Escalated if say.admin => {
            let final_call = if req.outcome == "approve" { CrStatus::Approved } else { CrStatus::Rejected };
            let call = Call { kind, outcome: &req.outcome, rationale: &rationale };
            state.store.decide_change_request(who, cr, call, |_| Some(final_call), now).await?
        }
        CrStatus::Submitted if say.owner => {
            let required = c.required.clone();
            let call = Call { kind, outcome: &req.outcome, rationale: &rationale };
            state.store.decide_change_request(who, cr, call, |x| outcome(&required, &x.approvals), now).await?
        }
        CrStatus::Submitted | CrStatus::Escalated if say.consulted => {
            let opinion = format!("{}: {rationale}", req.outcome);
            let call = Call { kind, outcome: "opinion", rationale: &opinion };
            state.store.decide_change_request(who, cr, call, |_| None, now).await?
        }
        other => return Err(AppError::Conflict(format!("the request is {other}: there is nothing to decide"))),
    };
    if decided.status != CrStatus::Approved {
        return Ok(decided);
    }
    let expected = state.store.change_request(cr).await?.fingerprint.unwrap_or_default();
    match state.store.apply_change_request(who, cr, &expected, now).await {
        Ok(()) => {}
        Err(tandem_store::StoreError::Stale { .. }) => {
            // The plan moved (an edit, progress, time logged). If the request
            // still changes the plan as the owners approved, apply it on
            // today's plan; otherwise a new impact, and they are asked again.
            let routing = route(state, a.scope.project_id, &decided.edits).await?;
            let unchanged = routing.required == decided.required
                && decided.impact.as_ref().is_some_and(|was| was.same_decision(&routing.impact));
            if unchanged {
                match state.store.apply_change_request(who, cr, &routing.fingerprint, now).await {
                    Ok(()) => return Ok(state.store.change_request(cr).await?.cr),
                    Err(tandem_store::StoreError::Stale { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            return Ok(state.store.route_change_request(who, cr, decided.version, &routing, "recomputed", now).await?);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(state.store.change_request(cr).await?.cr)
}

/// The project's open change requests that wait for `user`'s call: an
/// owner who has not decided yet, or an admin once one is escalated.
pub async fn awaiting_call(
    state: &App,
    user: Id,
    project: Id,
    matrix: &Matrix,
) -> Result<Vec<ChangeRequest>, AppError> {
    let open: Vec<_> = state
        .store
        .change_requests(project)
        .await?
        .into_iter()
        .filter(|c| matches!(c.status, CrStatus::Submitted | CrStatus::Escalated))
        .filter(|c| {
            !c.approvals.iter().any(|x| x.user_id == user && matches!(x.decision.as_str(), "approve" | "reject"))
        })
        .collect();
    if open.is_empty() {
        return Ok(open);
    }
    let a = project_access(state, user, project, ProjectAction::Read).await?;
    let holds = a.holds(state).await?;
    Ok(open
        .into_iter()
        .filter(|cr| {
            let Say { owner, admin, .. } = say(&a, holds, cr, matrix);
            owner || (admin && cr.status == CrStatus::Escalated)
        })
        .collect())
}
