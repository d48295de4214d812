//! Webhooks of a workspace (its admins): endpoints, their delivery logs,
//! and sending a delivery again.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_app::ops::webhooks::{self, CreatedWebhook, EditWebhook, NewWebhook};
use tandem_core::webhook::{Delivery, Webhook};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, WorkspaceUpdate};
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, edit_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
}

/// The workspace's webhook endpoints (admins).
#[utoipa::path(get, path = "/workspaces/{ws}/webhooks", tag = "webhooks", params(("ws" = String, Path)),
    responses((status = 200, body = List<Webhook>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_webhooks(State(state): State<AppState>, a: Allowed<WorkspaceUpdate>) -> ApiResult<Json<List<Webhook>>> {
    Ok(Json(List { items: webhooks::list(&state, a.ws).await?, next_cursor: None }))
}

/// Subscribes a URL to events (admins): `{url, events, format, enabled}`.
/// The answer carries the signing secret, this once.
#[utoipa::path(post, path = "/workspaces/{ws}/webhooks", tag = "webhooks", params(("ws" = String, Path)),
    request_body = NewWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_webhook(
    State(state): State<AppState>,
    a: Allowed<WorkspaceUpdate>,
    ApiJson(req): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    Ok((StatusCode::CREATED, Json(webhooks::create(&state, a.ws, a.user_id(), req).await?)))
}

/// One endpoint (admins of its workspace).
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Webhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_webhook(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Webhook>> {
    Ok(Json(webhooks::get(&state, p.id(), path.id()?).await?))
}

/// Changes an endpoint's address, events, format or whether it is enabled.
#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    request_body = EditWebhook,
    responses((status = 200, body = Webhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_webhook(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EditWebhook>,
) -> ApiResult<Json<Webhook>> {
    let version = expected_version(req.version, &headers)?;
    Ok(Json(webhooks::edit(&state, p.id(), path.id()?, version, req).await?))
}

/// Deletes an endpoint and its delivery log.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_webhook(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    webhooks::delete(&state, p.id(), path.id()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The endpoint's deliveries, newest first: event, status, attempts, the
/// body sent and the receiver's answer.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = String, Path), DeliveryQuery),
    responses((status = 200, body = List<Delivery>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_deliveries(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<List<Delivery>>> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    Ok(Json(webhooks::deliveries(&state, p.id(), path.id()?, page.cursor()?, page.limit()?).await?.into()))
}

/// Sends a delivery's body again, as a new delivery (202: queued).
#[utoipa::path(post, path = "/webhook-deliveries/{id}/redeliver", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 202, body = Delivery), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn redeliver(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<(StatusCode, Json<Delivery>)> {
    Ok((StatusCode::ACCEPTED, Json(webhooks::redeliver(&state, p.id(), path.id()?).await?)))
}
