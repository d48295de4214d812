//! The weekly sync of a product and its projects.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_core::sync::{ActionItem, Agenda, Sync};
use tandem_core::{Id, ProductAction};
use tandem_store::product::ProductObject;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{InProduct, product_access};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, expected_version};
use crate::state::AppState;
use tandem_app::ops::syncs::{self as ops, EditSync, HoldSync, NewActionItem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_syncs, hold_sync))
        .routes(routes!(get_sync, edit_sync))
        .routes(routes!(add_action_item))
        .routes(routes!(next_agenda))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    /// The product whose syncs to list.
    pub product: String,
}

async fn on_product(state: &AppState, p: &Principal, product: &str) -> Result<InProduct, ApiError> {
    let id: Id = product.parse().map_err(|_| ApiError::NotFound)?;
    Ok(product_access(state, p.id(), ProductObject::Product, id, ProductAction::Read).await?)
}

async fn on_sync(state: &AppState, p: &Principal, path: &IdPath) -> Result<(InProduct, Sync), ApiError> {
    let s = state.store.sync(path.id()?).await?;
    let a = product_access(state, p.id(), ProductObject::Product, s.product_id, ProductAction::Read).await?;
    Ok((a, s))
}

/// The product's past syncs, newest first (action items on each sync).
#[utoipa::path(get, path = "/syncs", tag = "syncs", params(SyncQuery),
    responses((status = 200, body = List<Sync>), (status = 404, body = ErrorBody)))]
async fn list_syncs(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SyncQuery>,
) -> ApiResult<Json<List<Sync>>> {
    let a = on_product(&state, &p, &q.product).await?;
    Ok(Json(List { items: state.store.syncs(a.scope.product_id, tandem_store::MAX_PAGE).await?, next_cursor: None }))
}

/// Holds a sync: its agenda is generated from everything logged since the
/// product's previous sync (the last week for the first one) and from what
/// moved since then. Admins, the product's owner and its projects'
/// managers hold syncs.
#[utoipa::path(post, path = "/syncs", tag = "syncs", request_body = HoldSync,
    responses((status = 201, body = Sync), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn hold_sync(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<HoldSync>,
) -> ApiResult<(StatusCode, Json<Sync>)> {
    let a = product_access(&state, p.id(), ProductObject::Product, req.product_id, ProductAction::Read).await?;
    Ok((StatusCode::CREATED, Json(ops::hold(&state, &a, req).await?)))
}

/// What the next sync's agenda holds if it were held now.
#[utoipa::path(get, path = "/products/{id}/sync-agenda", tag = "syncs", params(("id" = String, Path)),
    responses((status = 200, body = Agenda), (status = 404, body = ErrorBody)))]
async fn next_agenda(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<Agenda>> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    let projects = tandem_app::ops::product::product_projects(&state, &a).await?;
    Ok(Json(ops::next(&state, &a, &projects).await?.agenda))
}

#[utoipa::path(get, path = "/syncs/{id}", tag = "syncs", params(("id" = String, Path)),
    responses((status = 200, body = Sync), (status = 404, body = ErrorBody)))]
async fn get_sync(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<Sync>> {
    Ok(Json(on_sync(&state, &p, &path).await?.1))
}

/// Edits the notes and attendees.
#[utoipa::path(patch, path = "/syncs/{id}", tag = "syncs", params(("id" = String, Path)), request_body = EditSync,
    responses((status = 200, body = Sync), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn edit_sync(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EditSync>,
) -> ApiResult<Json<Sync>> {
    let (a, s) = on_sync(&state, &p, &path).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::edit(&state, &a, s.id, version, req).await?))
}

/// Adds an action item; with `project_id` it becomes a task in that plan
/// (for whoever may edit the plan), otherwise a follow-up.
#[utoipa::path(post, path = "/syncs/{id}/action-items", tag = "syncs", params(("id" = String, Path)),
    request_body = NewActionItem,
    responses((status = 201, body = ActionItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_action_item(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<NewActionItem>,
) -> ApiResult<(StatusCode, Json<ActionItem>)> {
    let (a, s) = on_sync(&state, &p, &path).await?;
    Ok((StatusCode::CREATED, Json(ops::add_action(&state, &a, s.id, req).await?)))
}
