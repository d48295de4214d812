//! Projects. (Tasks, dependencies and the schedule follow.)

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use tandem_core::ProjectAction;
use tandem_core::project::Project;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, ProjectCreate, WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::ops::project::{self as ops, CreateProject, UpdateProject};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_projects, create_project)).routes(routes!(get_project, update_project))
}

/// The workspace's projects.
#[utoipa::path(get, path = "/workspaces/{ws}/projects", tag = "projects", params(("ws" = String, Path), PageQuery),
    responses((status = 200, body = List<Project>), (status = 404, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<List<Project>>> {
    Ok(Json(state.store.projects(a.ws, q.cursor()?, q.limit()?).await?.into()))
}

/// Creates a project (admins and project managers); its manager must be a
/// project manager or admin; its product, if any, in the same workspace.
#[utoipa::path(post, path = "/workspaces/{ws}/projects", tag = "projects", params(("ws" = String, Path)),
    request_body = CreateProject,
    responses((status = 201, body = Project), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    a: Allowed<ProjectCreate>,
    ApiJson(req): ApiJson<CreateProject>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((StatusCode::CREATED, Json(ops::create_project(&state, a.user_id(), a.ws, req).await?)))
}

#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Project), (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Project>> {
    let a = project_access(&state, &p, path.id()?, ProjectAction::Read).await?;
    Ok(Json(state.store.project(a.scope.project_id).await?))
}

/// Edits a project (its manager or an admin).
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", params(("id" = String, Path)),
    request_body = UpdateProject,
    responses((status = 200, body = Project), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_project(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateProject>,
) -> ApiResult<Json<Project>> {
    let a = project_access(&state, &p, path.id()?, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_project(&state, &a, version, req).await?))
}
