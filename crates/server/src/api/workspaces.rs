//! Workspaces: list mine, create, read, rename.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_core::model::{Membership, Workspace};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Allowed, WorkspaceRead, WorkspaceUpdate};
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, expected_version};
use crate::state::AppState;
use tandem_app::ops::workspaces;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workspaces, create_workspace))
        .routes(routes!(get_workspace, update_workspace))
}

/// The workspaces the caller belongs to, with their role in each.
#[utoipa::path(get, path = "/workspaces", tag = "workspaces", responses((status = 200, body = Vec<Membership>)))]
async fn list_workspaces(State(state): State<AppState>, p: Principal) -> ApiResult<Json<Vec<Membership>>> {
    Ok(Json(state.store.memberships(p.id()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWorkspace {
    pub name: String,
    /// 2–10 letters or digits, e.g. `ACME`.
    pub key: String,
}

/// Creates a workspace; the caller becomes its admin.
#[utoipa::path(post, path = "/workspaces", tag = "workspaces", request_body = CreateWorkspace,
    responses((status = 201, body = Workspace), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_workspace(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateWorkspace>,
) -> ApiResult<(StatusCode, Json<Workspace>)> {
    let ws = workspaces::create_workspace(&state, p.id(), &req.name, &req.key).await?;
    Ok((StatusCode::CREATED, Json(ws)))
}

#[utoipa::path(get, path = "/workspaces/{ws}", tag = "workspaces", params(("ws" = String, Path)),
    responses((status = 200, body = Workspace), (status = 404, body = ErrorBody)))]
async fn get_workspace(State(state): State<AppState>, a: Allowed<WorkspaceRead>) -> ApiResult<Json<Workspace>> {
    Ok(Json(state.store.workspace(a.ws).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWorkspace {
    pub name: String,
    /// IANA time zone for the times pages show (`Europe/Berlin`); unchanged when absent.
    pub time_zone: Option<String>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// Renames the workspace and sets its time zone (admins).
#[utoipa::path(patch, path = "/workspaces/{ws}", tag = "workspaces", params(("ws" = String, Path)),
    request_body = UpdateWorkspace,
    responses((status = 200, body = Workspace), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody)))]
async fn update_workspace(
    State(state): State<AppState>,
    a: Allowed<WorkspaceUpdate>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateWorkspace>,
) -> ApiResult<Json<Workspace>> {
    let version = expected_version(req.version, &headers)?;
    let zone = req.time_zone.as_deref();
    Ok(Json(workspaces::update_workspace(&state, a.user_id(), a.ws, version, &req.name, zone).await?))
}
