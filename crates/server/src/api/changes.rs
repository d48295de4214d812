//! Change requests and the decision log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tandem_core::ProjectAction;
use tandem_core::change::{ChangeRequest, DecisionEntry};
use tandem_store::decisions::DecisionFilter;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, expected_version};
use crate::state::AppState;
use tandem_app::ops::changes::{self as ops, CreateChangeRequest, DecideRequest};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_change_requests, create_change_request))
        .routes(routes!(get_change_request))
        .routes(routes!(submit_change_request))
        .routes(routes!(decide_change_request))
        .routes(routes!(list_decisions))
        .routes(routes!(decisions_csv))
}

#[utoipa::path(get, path = "/projects/{id}/change-requests", tag = "change_requests", params(("id" = String, Path)),
    responses((status = 200, body = List<ChangeRequest>), (status = 404, body = ErrorBody)))]
async fn list_change_requests(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<ChangeRequest>>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(List { items: state.store.change_requests(a.scope.project_id).await?, next_cursor: None }))
}

/// Files a change request (every member but stakeholders) with typed edits;
/// it is a draft until submitted.
#[utoipa::path(post, path = "/projects/{id}/change-requests", tag = "change_requests", params(("id" = String, Path)),
    request_body = CreateChangeRequest,
    responses((status = 201, body = ChangeRequest), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_change_request(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateChangeRequest>,
) -> ApiResult<(StatusCode, Json<ChangeRequest>)> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Contribute).await?;
    Ok((StatusCode::CREATED, Json(ops::create(&state, &a, req).await?)))
}

async fn on_cr(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(crate::access::InProject, tandem_core::Id), ApiError> {
    let id = path.id()?;
    let cr = state.store.change_request(id).await?;
    Ok((project_access(state, p.id(), cr.cr.project_id, action).await?, id))
}

#[utoipa::path(get, path = "/change-requests/{id}", tag = "change_requests", params(("id" = String, Path)),
    responses((status = 200, body = ChangeRequest), (status = 404, body = ErrorBody)))]
async fn get_change_request(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<ChangeRequest>> {
    let (_, id) = on_cr(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(state.store.change_request(id).await?.cr))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    pub version: Option<i64>,
}

/// Submits a draft (its author or the project's manager): the impact is
/// computed on a copy of the plan, and the request goes to every distinct
/// owner the matrix makes accountable for what it touches.
#[utoipa::path(post, path = "/change-requests/{id}/submit", tag = "change_requests", params(("id" = String, Path)),
    request_body = SubmitRequest,
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_change_request(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> ApiResult<Json<ChangeRequest>> {
    let (a, id) = on_cr(&state, &p, &path, ProjectAction::Contribute).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::submit(&state, &a, id, version).await?))
}

/// Records the caller's decision (`approve` or `reject`, with a rationale):
/// a required owner's, a consulted role's opinion, or an admin's on an
/// escalated request. Approval by every owner applies the edits at once.
#[utoipa::path(post, path = "/change-requests/{id}/decisions", tag = "change_requests", params(("id" = String, Path)),
    request_body = DecideRequest,
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn decide_change_request(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<DecideRequest>,
) -> ApiResult<Json<ChangeRequest>> {
    let (a, id) = on_cr(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(ops::decide(&state, &a, id, req).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DecisionQuery {
    pub kind: Option<String>,
    pub subject_type: Option<String>,
    #[param(value_type = Option<String>)]
    pub subject_id: Option<tandem_core::Id>,
    /// Words in the outcome or rationale.
    pub q: Option<String>,
    pub limit: Option<i64>,
}

impl DecisionQuery {
    fn filter(&self) -> Result<DecisionFilter, ApiError> {
        if self.q.as_ref().is_some_and(|q| q.len() > 200) {
            return Err(ApiError::BadQuery("q is at most 200 characters".into()));
        }
        Ok(DecisionFilter {
            kind: self.kind.clone(),
            subject_type: self.subject_type.clone(),
            subject_id: self.subject_id,
            q: self.q.clone(),
        })
    }
}

/// The decision log: every submission, opinion, decision, escalation and
/// application, newest first.
#[utoipa::path(get, path = "/workspaces/{ws}/decisions", tag = "decisions", params(("ws" = String, Path), DecisionQuery),
    responses((status = 200, body = List<DecisionEntry>), (status = 404, body = ErrorBody)))]
async fn list_decisions(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> ApiResult<Json<List<DecisionEntry>>> {
    let items = state.store.decisions(a.ws, &q.filter()?, q.limit.unwrap_or(200)).await?;
    Ok(Json(List { items, next_cursor: None }))
}

#[utoipa::path(get, path = "/workspaces/{ws}/decisions.csv", tag = "decisions", params(("ws" = String, Path), DecisionQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
async fn decisions_csv(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> ApiResult<Response> {
    let items = state.store.decisions(a.ws, &q.filter()?, 10_000).await?;
    crate::respond::download(tandem_app::export::decisions_csv(&items)?)
}
