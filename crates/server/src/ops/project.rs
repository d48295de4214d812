//! The project side's operations, shared by the API and the pages.

use serde::Deserialize;
use tandem_core::project::{LocalTime, Methodology, Project, ProjectStatus, budget, currency};
use tandem_core::validate;
use tandem_core::{Id, Role};
use tandem_store::project::ProjectEdit;
use utoipa::ToSchema;

use super::product::nullable;
use crate::access::InProject;
use crate::error::ApiError;
use crate::state::AppState;

/// A project's manager must be a project manager or an admin of its workspace.
async fn check_manager(state: &AppState, ws: Id, manager: Id) -> Result<(), ApiError> {
    match state.store.role_in(ws, manager).await? {
        Some(Role::ProjectManager | Role::Admin) => Ok(()),
        _ => Err(ApiError::invalid("manager_id", "must be a project manager or admin of this workspace")),
    }
}

async fn check_sponsor(state: &AppState, ws: Id, sponsor: Option<Id>) -> Result<(), ApiError> {
    match sponsor {
        Some(s) if state.store.role_in(ws, s).await?.is_none() => {
            Err(ApiError::invalid("sponsor_id", "must be a member of this workspace"))
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

pub async fn create_project(state: &AppState, actor: Id, ws: Id, req: CreateProject) -> Result<Project, ApiError> {
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

pub async fn update_project(
    state: &AppState,
    a: &InProject,
    version: i64,
    req: UpdateProject,
) -> Result<Project, ApiError> {
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
