//! The project side's operations, shared by the API and the pages.

mod bulk;
pub mod sheet;
mod tasks;

pub use bulk::*;
pub use tasks::*;

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::project::{LocalTime, Methodology, Project, ProjectStatus, Task, budget, currency};
use tandem_core::validate::{self};
use tandem_store::project::ProjectEdit;
use utoipa::ToSchema;

use super::product::nullable;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::plan::Plan;

/// A project's manager must be a project manager or an admin of its workspace.
async fn check_manager(state: &App, ws: Id, manager: Id) -> Result<(), AppError> {
    match state.store.role_in(ws, manager).await? {
        Some(r) if tandem_core::access::may_manage_project(r) => Ok(()),
        _ => Err(AppError::invalid("manager_id", "must be a project manager or admin of this workspace")),
    }
}

async fn check_sponsor(state: &App, ws: Id, sponsor: Option<Id>) -> Result<(), AppError> {
    match sponsor {
        Some(s) if state.store.role_in(ws, s).await?.is_none() => {
            Err(AppError::invalid("sponsor_id", "must be a member of this workspace"))
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    pub name: String,
    /// 2–10 letters or digits; tasks are numbered `KEY-n`.
    pub key: String,
    pub product_id: Option<Id>,
    /// Defaults to the caller.
    pub manager_id: Option<Id>,
    pub sponsor_id: Option<Id>,
    /// Defaults to `hybrid`.
    pub methodology: Option<Methodology>,
    /// Defaults to `active`.
    pub status: Option<ProjectStatus>,
    /// Local date-time (`2026-03-02T08:00:00`; a bare date starts at 08:00).
    pub start: LocalTime,
    pub status_date: Option<LocalTime>,
    pub target_finish: Option<LocalTime>,
    /// Budget at completion in minor units (default 0).
    pub budget_minor: Option<i64>,
    /// ISO 4217 (default `EUR`).
    pub currency: Option<String>,
}

pub async fn create_project(state: &App, actor: Id, ws: Id, req: CreateProject) -> Result<Project, AppError> {
    let manager = req.manager_id.unwrap_or(actor);
    check_manager(state, ws, manager).await?;
    check_sponsor(state, ws, req.sponsor_id).await?;
    let e = ProjectEdit {
        key: validate::key("key", &req.key)?,
        name: validate::name("name", &req.name)?,
        product_id: req.product_id,
        manager_id: manager,
        sponsor_id: req.sponsor_id,
        methodology: req.methodology.unwrap_or(Methodology::Hybrid),
        status: req.status.unwrap_or(ProjectStatus::Active),
        start: req.start,
        status_date: req.status_date,
        target_finish: req.target_finish,
        budget_minor: budget(req.budget_minor.unwrap_or(0))?,
        currency: currency(req.currency.as_deref().unwrap_or("EUR"))?,
    };
    Ok(state.store.create_project(actor, ws, &e, state.clock.now()).await?)
}

/// `PATCH /projects/{id}`; `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub product_id: Option<Option<Id>>,
    pub manager_id: Option<Id>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub sponsor_id: Option<Option<Id>>,
    pub methodology: Option<Methodology>,
    pub status: Option<ProjectStatus>,
    pub start: Option<LocalTime>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub status_date: Option<Option<LocalTime>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_finish: Option<Option<LocalTime>>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_project(state: &App, a: &InProject, version: i64, req: UpdateProject) -> Result<Project, AppError> {
    let ws = a.scope.workspace_id;
    if let Some(m) = req.manager_id {
        check_manager(state, ws, m).await?;
    }
    if let Some(s) = req.sponsor_id {
        check_sponsor(state, ws, s).await?;
    }
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let budget_minor = req.budget_minor.map(budget).transpose()?;
    let cur = req.currency.map(|c| currency(&c)).transpose()?;
    let p = state
        .store
        .update_project(
            a.user_id,
            a.scope.project_id,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.product_id {
                    e.product_id = v;
                }
                if let Some(v) = req.manager_id {
                    e.manager_id = v;
                }
                if let Some(v) = req.sponsor_id {
                    e.sponsor_id = v;
                }
                if let Some(v) = req.methodology {
                    e.methodology = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = req.start {
                    e.start = v;
                }
                if let Some(v) = req.status_date {
                    e.status_date = v;
                }
                if let Some(v) = req.target_finish {
                    e.target_finish = v;
                }
                if let Some(v) = budget_minor {
                    e.budget_minor = v;
                }
                if let Some(v) = cur {
                    e.currency = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(p)
}

/// What a project's Gantt chart shows: the plan, its schedule, the
/// baseline to draw under the bars, and today.
#[derive(Debug)]
pub struct GanttData {
    pub computed: std::sync::Arc<crate::schedules::Computed>,
    pub baseline: Option<tandem_core::tracking::Baseline>,
    pub today: tandem_core::model::Day,
}

/// The chart's inputs; `baseline` names one by number (default: the first
/// set; negative: none).
pub async fn gantt_data(state: &App, project: Id, baseline: Option<i64>) -> Result<GanttData, AppError> {
    let computed = crate::schedules::computed(state, project).await?;
    let baselines = state.store.baselines(project).await?;
    let baseline = match baseline {
        Some(n) if n < 0 => None,
        Some(n) => Some(baselines.into_iter().find(|b| b.number == n).ok_or(AppError::NotFound)?),
        None => baselines.into_iter().next(),
    };
    Ok(GanttData { computed, baseline, today: tandem_core::model::Day::of(state.clock.now()) })
}

/// Loads a project's plan: the project, its tasks in WBS order and its
/// dependencies.
pub async fn load_plan(state: &App, project: Id) -> Result<Plan, AppError> {
    Ok(Plan {
        project: state.store.project(project).await?,
        calendar: state.store.project_calendar(project).await?,
        calendars: state.store.project_calendars(project).await?,
        resources: {
            let ws = state.store.project_scope(project).await?.workspace_id;
            state.store.resources(ws).await?
        },
        tasks: state.store.tasks(project).await?,
        deps: state.store.dependencies(project).await?,
    })
}

/// Something under a project that the plan's owner may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// A task with its subtasks and their dependencies.
    Task(Id),
    Dependency(Id),
    /// A sprint; its tasks return to the backlog.
    Sprint(Id),
    Risk(Id),
    /// A calendar; its tasks go back to the project's calendar.
    Calendar(Id),
    /// A baseline, by number.
    Baseline(i64),
}

/// Deletes `what` from the project `a` proves the caller may edit.
pub async fn remove(state: &App, a: &InProject, what: Removal) -> Result<(), AppError> {
    let (s, actor, now) = (&state.store, a.user_id, state.clock.now());
    match what {
        Removal::Task(id) => s.delete_task(actor, id, now).await?,
        Removal::Dependency(id) => s.delete_dependency(actor, id, now).await?,
        Removal::Sprint(id) => s.delete_sprint(actor, id, now).await?,
        Removal::Risk(id) => s.delete_risk(actor, id, now).await?,
        Removal::Calendar(id) => s.delete_project_calendar(actor, id, now).await?,
        Removal::Baseline(n) => s.clear_baseline(actor, a.scope.project_id, n, now).await?,
    }
    Ok(())
}

/// The project's tasks in WBS order: the shared plan's when its revision
/// is computed (or computable), else read afresh.
pub async fn tasks(state: &App, project: Id) -> Result<Vec<Task>, AppError> {
    match crate::schedules::computed(state, project).await {
        Ok(c) => Ok(c.plan.tasks.clone()),
        // A plan the engine cannot schedule still lists its tasks.
        Err(_) => Ok(state.store.tasks(project).await?),
    }
}

/// A task made for someone: the due day at 17:00 as its deadline, and
/// assigned to the owner's resource when the owner is one (a weekly sync's
/// or a retrospective's action item).
pub async fn task_for_owner(
    state: &App,
    ws: tandem_core::Id,
    title: &str,
    owner: Option<tandem_core::Id>,
    due: Option<tandem_core::model::Day>,
) -> Result<tandem_store::tasks::TaskEdit, AppError> {
    let resource = match owner {
        Some(o) => state.store.resources(ws).await?.into_iter().find(|r| r.user_id == Some(o)),
        None => None,
    };
    new_task_edit(CreateTask {
        name: title.to_owned(),
        deadline: due.map(|d| LocalTime(d.0.at(17, 0, 0, 0))),
        assignments: resource.map(|r| vec![tandem_core::project::TaskAssignment { resource_id: r.id, units: 100 }]),
        ..CreateTask::default()
    })
}
