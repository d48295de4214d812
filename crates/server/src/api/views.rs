//! Saved views of list pages: private to their owner or shared with the
//! workspace.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_app::ops::views::{self, EditView, NewView};
use tandem_core::views::SavedView;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, WorkspaceRead};
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, expected_version};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_views, create_view)).routes(routes!(get_view, edit_view, delete_view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// Only the views of this page: backlog, feedback, tasks, board, risks
    /// or defects.
    pub page: Option<String>,
}

/// The caller's views and the workspace's shared ones, by page and name.
#[utoipa::path(get, path = "/workspaces/{ws}/views", tag = "views", params(("ws" = String, Path), ViewQuery),
    responses((status = 200, body = List<SavedView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_views(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> ApiResult<Json<List<SavedView>>> {
    let page = views::page(q.page.as_deref())?;
    let items = views::list(&state, a.ws, a.user_id(), page).await?;
    Ok(Json(List { items, next_cursor: None }))
}

/// Saves a view (every member may): `{page, name, query, shared}`.
#[utoipa::path(post, path = "/workspaces/{ws}/views", tag = "views", params(("ws" = String, Path)), request_body = NewView,
    responses((status = 201, body = SavedView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_view(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiJson(req): ApiJson<NewView>,
) -> ApiResult<(StatusCode, Json<SavedView>)> {
    Ok((StatusCode::CREATED, Json(views::create(&state, a.ws, a.user_id(), req).await?)))
}

/// A view the caller sees (their own, or a shared one).
#[utoipa::path(get, path = "/views/{id}", tag = "views", params(("id" = String, Path)),
    responses((status = 200, body = SavedView), (status = 404, body = ErrorBody)))]
async fn get_view(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<SavedView>> {
    Ok(Json(views::readable(&state, p.id(), path.id()?).await?))
}

/// Renames, re-queries or shares a view (its owner, or an admin).
#[utoipa::path(patch, path = "/views/{id}", tag = "views", params(("id" = String, Path)), request_body = EditView,
    responses((status = 200, body = SavedView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_view(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EditView>,
) -> ApiResult<Json<SavedView>> {
    let version = expected_version(req.version, &headers)?;
    Ok(Json(views::edit(&state, p.id(), path.id()?, version, req).await?))
}

/// Deletes a view (its owner, or an admin).
#[utoipa::path(delete, path = "/views/{id}", tag = "views", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_view(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    views::delete(&state, p.id(), path.id()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
