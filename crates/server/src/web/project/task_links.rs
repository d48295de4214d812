//! The task page's links and assignments: add, change and remove, each
//! refusal shown back on the page (see `task`).

use super::*;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::ProjectAction;
use tandem_core::project::{DependencyType, TaskAssignment};

use super::task::{answer, number};
use super::{PageForm, PageResult, on};
use crate::access::project_access;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use tandem_app::AppError;
use tandem_app::ops::project::{self as ops, CreateDependency, UpdateDependency, UpdateTask};

#[derive(Deserialize)]
pub struct LinkForm {
    /// `predecessor` (the other task comes first) or `successor`.
    side: String,
    /// The other task's id, chosen from the list.
    other: Option<String>,
    /// Or its number as typed: `7` or `KEY-7`.
    other_number: Option<String>,
    #[serde(rename = "type")]
    kind: Option<DependencyType>,
    /// Working days; negative is a lead.
    lag_days: Option<String>,
}

/// Adds a link; a cycle or a repeat comes back on the page, naming the tasks.
pub async fn link_add(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<LinkForm>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let at = format!("/tasks/{id}");
    let project = state.store.task_project(id).await.map_err(on(&at))?;
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await.map_err(on(&at))?;
    let made = async {
        let other = match form.other_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(typed) => task_by_number(&state, project, typed).await?,
            None => opt_id(form.other.as_deref()).ok_or_else(|| AppError::invalid("other", "choose a task"))?,
        };
        let (predecessor_id, successor_id) = if form.side == "successor" { (id, other) } else { (other, id) };
        let lag_minutes = form_days("lag_minutes", form.lag_days.as_deref())?;
        let req = CreateDependency {
            predecessor_id,
            successor_id,
            kind: form.kind,
            lag_minutes,
            lag_kind: None,
            lag_percent: None,
        };
        ops::create_dependency(&state, &a, req).await
    }
    .await;
    answer(&state, &p, id, "links", None, made, "#links").await
}

/// The project's task numbered as typed (`7` or `KEY-7`).
async fn task_by_number(state: &AppState, project: tandem_core::Id, typed: &str) -> Result<tandem_core::Id, AppError> {
    let number = typed.rsplit('-').next().unwrap_or(typed).trim();
    let bad = || AppError::invalid("other", format!("there is no task {typed} in this project"));
    let number: i64 = number.parse().map_err(|_| bad())?;
    let tasks = state.store.tasks(project).await?;
    tasks.iter().find(|t| tandem_app::ops::project::sheet::number_of(t) == number).map(|t| t.id).ok_or_else(bad)
}

#[derive(Deserialize)]
pub struct BackForm {
    back: Option<String>,
}

pub async fn link_remove(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<BackForm>,
) -> PageResult {
    let d = path.id().map_err(on("/"))?;
    let project = state.store.dependency_project(d).await.map_err(on("/"))?;
    let back = crate::web::safe_next(form.back.as_deref().or(Some(&format!("/projects/{project}/tasks"))));
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await.map_err(on(&back))?;
    ops::remove(&state, &a, ops::Removal::Dependency(d)).await.map_err(on(&back))?;
    Ok(Redirect::to(&format!("{back}#links")).into_response())
}

#[derive(Deserialize)]
pub struct LinkEditForm {
    version: i64,
    #[serde(rename = "type")]
    kind: DependencyType,
    lag_days: Option<String>,
    /// The task page it was sent from.
    task: String,
}

/// A new type or lag for a link, from the task page.
pub async fn link_edit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<LinkEditForm>,
) -> PageResult {
    let d = path.id().map_err(on("/"))?;
    let task = opt_id(Some(&form.task)).ok_or_else(|| on("/")(ApiError::from(AppError::NotFound)))?;
    let at = format!("/tasks/{task}");
    let project = state.store.dependency_project(d).await.map_err(on(&at))?;
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await.map_err(on(&at))?;
    let changed = async {
        let req = UpdateDependency {
            kind: Some(form.kind),
            lag_minutes: form_days("lag_minutes", form.lag_days.as_deref())?,
            lag_kind: None,
            lag_percent: None,
            version: Some(form.version),
        };
        ops::update_dependency(&state, &a, d, form.version, req).await
    }
    .await;
    answer(&state, &p, task, "links", None, changed, "#links").await
}

#[derive(Deserialize)]
pub struct AssignForm {
    version: i64,
    resource_id: String,
    /// Percent of the resource's time; empty means 100.
    units: Option<String>,
    /// `add` (or change the units of) or `remove`.
    action: String,
}

/// Adds, changes or removes one assignment; the others stay.
pub async fn assign(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<AssignForm>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let at = format!("/tasks/{id}");
    let task = state.store.task(id).await.map_err(on(&at))?;
    let done = async {
        let resource =
            opt_id(Some(&form.resource_id)).ok_or_else(|| AppError::invalid("resource_id", "choose a resource"))?;
        let mut list: Vec<TaskAssignment> =
            task.assignments.iter().filter(|x| x.resource_id != resource).cloned().collect();
        if form.action == "add" {
            let units = number("units", form.units.as_deref(), "must be a percentage such as 50")?
                .map_or(100, |u| u.round() as i64);
            list.push(TaskAssignment { resource_id: resource, units });
        }
        let req = UpdateTask { assignments: Some(list), version: Some(form.version), ..UpdateTask::default() };
        let a = ops::task_edit_access(&state, p.id(), id, &req).await?;
        ops::update_task(&state, &a, id, form.version, req).await
    }
    .await;
    answer(&state, &p, id, "assignments", None, done, "#assignments").await
}
