//! Tasks and dependencies: create, edit (with the progress rules) and link, refusing cycles.

use std::collections::HashMap;

use serde::Deserialize;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::project::{
    BoardStatus, Dependency, DependencyType, Estimate, LagKind, LocalTime, Task, TaskAssignment, TaskConstraint,
    TaskKind, duration, lag, units,
};
use tandem_core::validate::{self, Invalid};
use tandem_core::{Id, ProjectAction};
use tandem_store::tasks::{DependencyChange, NewDependency, TaskEdit};
use utoipa::ToSchema;

use crate::App;
use crate::access::{InProject, project_access};
use crate::error::AppError;
use crate::ops::custom;
use crate::ops::product::nullable;

// ---- tasks and dependencies ----

/// `POST /projects/{id}/tasks`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    pub name: String,
    pub parent_id: Option<Id>,
    /// `task` (default) or `milestone`; summaries follow from children.
    pub kind: Option<TaskKind>,
    /// Working minutes; default one day (480), 0 for a milestone.
    pub duration_minutes: Option<i64>,
    pub percent_complete: Option<i64>,
    pub constraint: Option<TaskConstraint>,
    pub deadline: Option<LocalTime>,
    pub story_points: Option<f64>,
    pub status: Option<BoardStatus>,
    pub feature_id: Option<Id>,
    pub fixed_cost_minor: Option<i64>,
    /// Markdown, at most 20,000 characters.
    pub notes: Option<String>,
    pub actual_start: Option<LocalTime>,
    pub actual_finish: Option<LocalTime>,
    pub remaining_minutes: Option<i64>,
    pub estimate: Option<Estimate>,
    pub sprint_id: Option<Id>,
    /// 0–1000, default 500.
    pub priority: Option<i64>,
    pub assignments: Option<Vec<TaskAssignment>>,
    /// One of the project's other calendars.
    pub calendar_id: Option<Id>,
    /// Both or neither: a manually scheduled task keeps these dates.
    pub manual_start: Option<LocalTime>,
    pub manual_finish: Option<LocalTime>,
    /// The earliest start imposed from outside the plan.
    pub external_start: Option<LocalTime>,
    /// Its place among its siblings, from 1 (default: last).
    pub position: Option<i64>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
}

fn percent(v: i64) -> Result<i64, Invalid> {
    if (0..=100).contains(&v) { Ok(v) } else { Err(Invalid::new("percent_complete", "must be from 0 to 100")) }
}

fn points(v: Option<f64>) -> Result<Option<f64>, Invalid> {
    match v {
        Some(p) if !(p.is_finite() && (0.0..=1000.0).contains(&p)) => {
            Err(Invalid::new("story_points", "must be from 0 to 1000"))
        }
        other => Ok(other),
    }
}

fn cost(v: i64) -> Result<i64, Invalid> {
    if v >= 0 { Ok(v) } else { Err(Invalid::new("fixed_cost_minor", "must be 0 or more")) }
}

fn priority(v: i64) -> Result<i64, Invalid> {
    if (0..=1000).contains(&v) { Ok(v) } else { Err(Invalid::new("priority", "must be from 0 to 1000")) }
}

fn assignments(list: Vec<TaskAssignment>) -> Result<Vec<TaskAssignment>, Invalid> {
    if list.len() > 50 {
        return Err(Invalid::new("assignments", "at most 50 per task"));
    }
    for a in &list {
        units(a.units)?;
    }
    Ok(list)
}

/// Progress reads forwards (no finish before or without a start); manual dates come in pairs, forwards.
pub(super) fn check_progress(e: &TaskEdit) -> Result<(), Invalid> {
    match (e.manual_start, e.manual_finish) {
        (Some(s), Some(f)) if f < s => return Err(Invalid::new("manual_finish", "is before the manual start")),
        (Some(_), None) | (None, Some(_)) => {
            return Err(Invalid::new("manual_start", "manual_start and manual_finish go together"));
        }
        _ => {}
    }
    match (e.actual_start, e.actual_finish) {
        (None, Some(_)) => Err(Invalid::new("actual_finish", "needs an actual start")),
        (Some(s), Some(f)) if f < s => Err(Invalid::new("actual_finish", "is before the actual start")),
        _ => Ok(()),
    }
}

/// Like MS Project: progress without actual dates takes them from the
/// schedule (work started as planned; 100 % finished as planned), and a
/// task moved to the done column is 100 % complete.
pub(super) async fn fill_progress(
    state: &App,
    project: Id,
    task: Option<Id>,
    e: &mut TaskEdit,
) -> Result<(), AppError> {
    if e.status == BoardStatus::Done && e.percent_complete < 100 && e.actual_finish.is_none() {
        e.percent_complete = 100;
    }
    let needs_start = e.percent_complete > 0 && e.actual_start.is_none();
    let needs_finish = e.percent_complete >= 100 && e.actual_finish.is_none();
    if !(needs_start || needs_finish) {
        return Ok(());
    }
    // The plan's shared schedule: computed already if this revision was read.
    let c = crate::schedules::computed(state, project).await?;
    let row = task.and_then(|t| c.view.tasks.iter().find(|s| s.id == t));
    let (start, finish) = match row {
        Some(r) => (r.start, r.finish),
        None => (c.view.project.start, c.view.project.start),
    };
    if needs_start {
        e.actual_start = Some(start);
    }
    if needs_finish {
        e.actual_finish = Some(finish.max(e.actual_start.unwrap_or(finish)));
    }
    Ok(())
}

fn kind_is_milestone(kind: Option<TaskKind>) -> Result<Option<bool>, Invalid> {
    match kind {
        Some(TaskKind::Summary) => {
            Err(Invalid::new("kind", "a task becomes a summary by having subtasks; send task or milestone"))
        }
        Some(k) => Ok(Some(k == TaskKind::Milestone)),
        None => Ok(None),
    }
}

pub async fn create_task(state: &App, a: &InProject, req: CreateTask) -> Result<Task, AppError> {
    let mut e = new_task_edit(req)?;
    custom::check_new(state, a.scope.workspace_id, FieldObject::Task, &e.custom_fields).await?;
    fill_progress(state, a.scope.project_id, None, &mut e).await?;
    check_progress(&e)?;
    Ok(state.store.create_task(a.user_id, a.scope.project_id, &e, state.clock.now()).await?)
}

/// The checked fields of a new task, defaults filled in.
pub fn new_task_edit(req: CreateTask) -> Result<TaskEdit, AppError> {
    let milestone = kind_is_milestone(req.kind)?.unwrap_or(false);
    let c = req.constraint.unwrap_or(TaskConstraint::ASAP);
    c.check()?;
    let default = if milestone { 0 } else { 480 };
    let e = TaskEdit {
        custom_fields: custom::sent(req.custom_fields)?,
        name: validate::name("name", &req.name)?,
        parent_id: req.parent_id,
        milestone,
        duration_minutes: duration("duration_minutes", req.duration_minutes.unwrap_or(default))?,
        percent_complete: percent(req.percent_complete.unwrap_or(0))?,
        constraint: c,
        deadline: req.deadline,
        story_points: points(req.story_points)?,
        status: req.status.unwrap_or(BoardStatus::Todo),
        feature_id: req.feature_id,
        fixed_cost_minor: cost(req.fixed_cost_minor.unwrap_or(0))?,
        notes: validate::long_text("notes", req.notes.as_deref().unwrap_or(""))?,
        actual_start: req.actual_start,
        actual_finish: req.actual_finish,
        remaining_minutes: req.remaining_minutes.map(|d| duration("remaining_minutes", d)).transpose()?,
        estimate: req.estimate.map(|x| x.check().map(|()| x)).transpose()?,
        sprint_id: req.sprint_id,
        priority: priority(req.priority.unwrap_or(500))?,
        leveling_delay_minutes: 0,
        assignments: assignments(req.assignments.unwrap_or_default())?,
        calendar_id: req.calendar_id,
        slack_calendar_id: None,
        manual_start: req.manual_start,
        manual_finish: req.manual_finish,
        manual_placeholder: false,
        stop: None,
        resume: None,
        external_start: req.external_start,
        leveling_delay_elapsed: false,
        position: match req.position {
            Some(p) if p < 1 => return Err(AppError::invalid("position", "counts from 1")),
            p => p,
        },
    };
    Ok(e)
}

/// `PATCH /tasks/{id}`; `null` clears a nullable field. A new `parent_id`
/// moves the task (with its subtasks) to the end of that parent's children.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<Id>>,
    pub kind: Option<TaskKind>,
    pub duration_minutes: Option<i64>,
    pub percent_complete: Option<i64>,
    pub constraint: Option<TaskConstraint>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Option<LocalTime>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub story_points: Option<Option<f64>>,
    pub status: Option<BoardStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub feature_id: Option<Option<Id>>,
    pub fixed_cost_minor: Option<i64>,
    /// Markdown; an empty text clears the notes.
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub actual_start: Option<Option<LocalTime>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub actual_finish: Option<Option<LocalTime>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub remaining_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Estimate>)]
    pub estimate: Option<Option<Estimate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub sprint_id: Option<Option<Id>>,
    pub priority: Option<i64>,
    /// Replaces the task's assignments.
    pub assignments: Option<Vec<TaskAssignment>>,
    /// Moves the task to this place among its (new) siblings, from 1.
    pub position: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub calendar_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub manual_start: Option<Option<LocalTime>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub manual_finish: Option<Option<LocalTime>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_start: Option<Option<LocalTime>>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

impl UpdateTask {
    /// Whether the request touches only progress and the board column.
    pub fn only_progress(&self) -> bool {
        let UpdateTask {
            name,
            parent_id,
            kind,
            duration_minutes,
            percent_complete: _,
            constraint,
            deadline,
            story_points,
            status: _,
            feature_id,
            fixed_cost_minor,
            notes,
            actual_start: _,
            actual_finish: _,
            remaining_minutes: _,
            estimate,
            sprint_id,
            priority,
            assignments,
            position,
            calendar_id,
            manual_start,
            manual_finish,
            external_start,
            custom_fields,
            version: _,
        } = self;
        name.is_none()
            && parent_id.is_none()
            && kind.is_none()
            && duration_minutes.is_none()
            && constraint.is_none()
            && deadline.is_none()
            && story_points.is_none()
            && feature_id.is_none()
            && fixed_cost_minor.is_none()
            && notes.is_none()
            && estimate.is_none()
            && sprint_id.is_none()
            && priority.is_none()
            && assignments.is_none()
            && position.is_none()
            && calendar_id.is_none()
            && manual_start.is_none()
            && manual_finish.is_none()
            && external_start.is_none()
            && custom_fields.is_none()
    }
}

/// The caller's right to make this edit of `task`: whoever edits the plan
/// may change anything; a contributor assigned to the task only its
/// progress and board column ([`UpdateTask::only_progress`]).
pub async fn task_edit_access(state: &App, user: Id, task: Id, req: &UpdateTask) -> Result<InProject, AppError> {
    let project = state.store.task_project(task).await?;
    match project_access(state, user, project, ProjectAction::Edit).await {
        Err(AppError::Forbidden) if req.only_progress() => {
            let a = project_access(state, user, project, ProjectAction::Contribute).await?;
            let current = state.store.task(task).await?;
            if crate::ops::agile::may_update_progress(state, &a, &current).await? {
                Ok(a)
            } else {
                Err(AppError::Forbidden)
            }
        }
        other => other,
    }
}

pub async fn update_task(
    state: &App,
    a: &InProject,
    task: Id,
    version: i64,
    req: UpdateTask,
) -> Result<Task, AppError> {
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let milestone = kind_is_milestone(req.kind)?;
    let dur = req.duration_minutes.map(|d| duration("duration_minutes", d)).transpose()?;
    let pct = req.percent_complete.map(percent).transpose()?;
    if let Some(c) = req.constraint {
        c.check()?;
    }
    let sp = req.story_points.map(points).transpose()?;
    let fixed = req.fixed_cost_minor.map(cost).transpose()?;
    let notes = req.notes.map(|n| validate::long_text("notes", &n)).transpose()?;
    let remaining =
        req.remaining_minutes.map(|r| r.map(|d| duration("remaining_minutes", d)).transpose()).transpose()?;
    if let Some(Some(x)) = req.estimate {
        x.check()?;
    }
    let prio = req.priority.map(priority).transpose()?;
    let assigned = req.assignments.map(assignments).transpose()?;
    let sent_custom = req.custom_fields.map(|v| custom::sent(Some(v))).transpose()?;
    if let Some(p) = req.position
        && p < 1
    {
        return Err(AppError::invalid("position", "counts from 1"));
    }
    // Progress dates default from the schedule, which is read before the
    // write transaction: the closure only fills what is still missing.
    let current = state.store.task(task).await?;
    let mut probe = TaskEdit::of(&current);
    probe.percent_complete = pct.unwrap_or(probe.percent_complete);
    probe.status = req.status.unwrap_or(probe.status);
    if let Some(v) = req.actual_start {
        probe.actual_start = v;
    }
    if let Some(v) = req.actual_finish {
        probe.actual_finish = v;
    }
    fill_progress(state, a.scope.project_id, Some(task), &mut probe).await?;
    if let Some(parent) = req.parent_id {
        check_new_parent(state, a, task, parent).await?;
    }
    let t = state
        .store
        .update_task(
            a.user_id,
            task,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.parent_id {
                    e.parent_id = v;
                }
                if let Some(v) = milestone {
                    e.milestone = v;
                }
                if let Some(v) = dur {
                    e.duration_minutes = v;
                }
                if let Some(v) = pct {
                    e.percent_complete = v;
                }
                if let Some(v) = req.constraint {
                    e.constraint = v;
                }
                if let Some(v) = req.deadline {
                    e.deadline = v;
                }
                if let Some(v) = sp {
                    e.story_points = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = req.feature_id {
                    e.feature_id = v;
                }
                if let Some(v) = fixed {
                    e.fixed_cost_minor = v;
                }
                if let Some(v) = notes {
                    e.notes = v;
                }
                if let Some(v) = sent_custom {
                    custom::lay_over(&mut e.custom_fields, v);
                }
                if let Some(v) = remaining {
                    e.remaining_minutes = v;
                }
                if let Some(v) = req.estimate {
                    e.estimate = v;
                }
                if let Some(v) = req.sprint_id {
                    e.sprint_id = v;
                }
                if let Some(v) = prio {
                    e.priority = v;
                }
                if let Some(v) = assigned {
                    e.assignments = v;
                }
                if let Some(v) = req.position {
                    e.position = Some(v);
                }
                if let Some(v) = req.calendar_id {
                    e.calendar_id = v;
                }
                if let Some(v) = req.manual_start {
                    e.manual_start = v;
                }
                if let Some(v) = req.manual_finish {
                    e.manual_finish = v;
                }
                // A duration or dates given: no longer a placeholder.
                e.manual_placeholder &=
                    [req.manual_start, req.manual_finish].iter().all(Option::is_none) && req.duration_minutes.is_none();
                if let Some(v) = req.external_start {
                    e.external_start = v;
                }
                e.percent_complete = probe.percent_complete;
                e.actual_start = probe.actual_start;
                e.actual_finish = probe.actual_finish;
                check_progress(e)
            },
            state.clock.now(),
        )
        .await?;
    Ok(t)
}

/// Refuses a move under a new parent that the engine could not schedule:
/// a summary linked to one of its own subtasks is a cycle (MS Project
/// refuses it too). A parent inside the task itself is left to the store,
/// which names that refusal.
async fn check_new_parent(state: &App, a: &InProject, task: Id, parent: Option<Id>) -> Result<(), AppError> {
    let mut plan = super::sheet::plan_to_check(state, a.scope.project_id).await?;
    let parent_of: HashMap<Id, Option<Id>> = plan.tasks.iter().map(|t| (t.id, t.parent_id)).collect();
    let mut up = parent;
    for _ in 0..=plan.tasks.len() {
        match up {
            Some(p) if p == task => return Ok(()),
            Some(p) => up = parent_of.get(&p).copied().flatten(),
            None => break,
        }
    }
    if let Some(t) = plan.tasks.iter_mut().find(|t| t.id == task) {
        t.parent_id = parent;
    }
    tandem_sched::Graph::build(&plan.network()?).map_err(|e| crate::plan::explain(e.into(), &plan.tasks))?;
    Ok(())
}

/// `POST /projects/{id}/dependencies`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDependency {
    pub predecessor_id: Id,
    pub successor_id: Id,
    /// `FS` (default), `SS`, `FF` or `SF`.
    #[serde(rename = "type")]
    pub kind: Option<DependencyType>,
    /// Working minutes (calendar minutes for `elapsed`); negative is a lead.
    pub lag_minutes: Option<i64>,
    /// `working` (default), `elapsed`, or `percent` with `lag_percent`.
    pub lag_kind: Option<LagKind>,
    /// For `percent` lags: percent of the predecessor's duration (−1000 to 1000).
    pub lag_percent: Option<f64>,
}

/// A link's lag as stored (minutes, or hundredths of a percent) and its
/// kind, from what a request gives.
pub(crate) fn lag_of(
    minutes: Option<i64>,
    kind: Option<LagKind>,
    percent: Option<f64>,
) -> Result<(i64, LagKind), AppError> {
    let lag_kind = match (kind, percent) {
        (None, Some(_)) => LagKind::Percent,
        (k, _) => k.unwrap_or(LagKind::Working),
    };
    let raw = match lag_kind {
        LagKind::Percent => {
            if minutes.is_some_and(|m| m != 0) {
                return Err(AppError::invalid("lag_minutes", "a percentage lag takes lag_percent, not minutes"));
            }
            match percent {
                Some(p) if p.is_finite() && (-1000.0..=1000.0).contains(&p) => (p * 100.0).round() as i64,
                _ => return Err(AppError::invalid("lag_percent", "must be from -1000 to 1000")),
            }
        }
        _ => {
            if percent.is_some() {
                return Err(AppError::invalid("lag_percent", "only percentage lags take a percent"));
            }
            lag(minutes.unwrap_or(0))?
        }
    };
    Ok((raw, lag_kind))
}

/// `PATCH /dependencies/{id}`: a new type or lag for a link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDependency {
    /// `FS`, `SS`, `FF` or `SF` (default: unchanged).
    #[serde(rename = "type")]
    pub kind: Option<DependencyType>,
    /// As for a new link; the lag given replaces the old one (default 0).
    pub lag_minutes: Option<i64>,
    pub lag_kind: Option<LagKind>,
    pub lag_percent: Option<f64>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// Changes a link's type and lag; the same two tasks stay linked, so no cycle can appear.
pub async fn update_dependency(
    state: &App,
    a: &InProject,
    d: Id,
    version: i64,
    req: UpdateDependency,
) -> Result<Dependency, AppError> {
    let current = state.store.dependencies(a.scope.project_id).await?.into_iter().find(|x| x.id == d);
    let current = current.ok_or(AppError::NotFound)?;
    let (raw, lag_kind) = lag_of(req.lag_minutes, req.lag_kind, req.lag_percent)?;
    let change = DependencyChange { kind: req.kind.unwrap_or(current.kind), lag: raw, lag_kind };
    Ok(state.store.update_dependency(a.user_id, d, version, &change, state.clock.now()).await?)
}

/// Adds a dependency unless it would close a cycle (422 naming the tasks).
pub async fn create_dependency(state: &App, a: &InProject, req: CreateDependency) -> Result<Dependency, AppError> {
    let (raw, lag_kind) = lag_of(req.lag_minutes, req.lag_kind, req.lag_percent)?;
    let d = NewDependency {
        predecessor_id: req.predecessor_id,
        successor_id: req.successor_id,
        kind: req.kind.unwrap_or(DependencyType::Fs),
        lag: raw,
        lag_kind,
    };
    if d.predecessor_id == d.successor_id {
        return Err(AppError::invalid("successor_id", "a task cannot depend on itself"));
    }
    // The cycle check runs on a copy of the shared plan.
    let mut plan = super::sheet::plan_to_check(state, a.scope.project_id).await?;
    plan.deps.push(super::sheet::planned(&d, plan.project.id, state.clock.now()));
    tandem_sched::Graph::build(&plan.network()?).map_err(|e| crate::plan::explain(e.into(), &plan.tasks))?;
    Ok(state.store.create_dependency(a.user_id, plan.project.id, &d, state.clock.now()).await?)
}
