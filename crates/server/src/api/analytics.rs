//! Product analytics: ingest keys (the product's owner or an admin),
//! events in with an ingest key (Tandem's batch shape and Segment's HTTP
//! tracking API), and the figures out (every member reads aggregates).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use tandem_app::ops::analytics::{self as ops, IngestAnswer, MadeKey, NewKey, Shape};
use tandem_core::ProductAction;
use tandem_core::analytics::{ActiveDay, IngestKey};
use tandem_core::model::Day;
use tandem_store::product::ProductObject;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::product_access;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
        .routes(routes!(ingest_events))
        .routes(routes!(segment_batch))
        .routes(routes!(segment_track))
        .routes(routes!(active))
        .routes(routes!(retention))
        .routes(routes!(funnel))
        .routes(routes!(adoption))
        .routes(routes!(forget_person))
}

/// The product's ingest keys (never the keys themselves), with their last
/// use. The product's owner or an admin.
#[utoipa::path(get, path = "/products/{id}/ingest-keys", tag = "analytics", params(("id" = String, Path)),
    responses((status = 200, body = List<IngestKey>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_keys(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<IngestKey>>> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    Ok(Json(List { items: ops::keys(&state, &a).await?, next_cursor: None }))
}

/// Makes a key that sends the product's events: `{name}`; the answer
/// holds the key, once.
#[utoipa::path(post, path = "/products/{id}/ingest-keys", tag = "analytics", params(("id" = String, Path)),
    request_body = NewKey,
    responses((status = 201, body = MadeKey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_key(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<NewKey>,
) -> ApiResult<(StatusCode, Json<MadeKey>)> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    Ok((StatusCode::CREATED, Json(ops::create_key(&state, &a, req).await?)))
}

/// Revokes a key: what it sends afterwards gets 401.
#[utoipa::path(delete, path = "/ingest-keys/{id}", tag = "analytics", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_key(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    ops::revoke_key(&state, p.id(), path.id()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The ingest key a request's header carries: `Authorization: Bearer
/// <key>`, or Segment's Basic authentication with the key as the user name.
fn header_secret(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
    if let Some(k) = auth.strip_prefix("Bearer ") {
        return Ok(Some(k.trim().to_owned()));
    }
    if let Some(b) = auth.strip_prefix("Basic ") {
        let pair = base64::engine::general_purpose::STANDARD.decode(b.trim()).map_err(|_| ApiError::Unauthenticated)?;
        let pair = String::from_utf8(pair).map_err(|_| ApiError::Unauthenticated)?;
        return Ok(Some(pair.split(':').next().unwrap_or_default().to_owned()));
    }
    Ok(None)
}

/// Reads a batch: a key in the header is checked before the body is read
/// (a key only in the body, Segment's `writeKey`, after); the body is
/// bounded by the ingest limit.
async fn take(state: &AppState, headers: HeaderMap, body: Body, shape: Shape) -> ApiResult<Json<IngestAnswer>> {
    let known = match header_secret(&headers)? {
        Some(secret) => Some(ops::key(state, &secret).await?),
        None => None,
    };
    let limit = state.config.body_limit("/api/v1/ingest/");
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::TooLarge { limit })?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::Malformed(format!("not JSON: {e}")))?;
    let key = match known {
        Some(k) => k,
        None => {
            let secret = value.get("writeKey").and_then(Value::as_str).ok_or(ApiError::Unauthenticated)?;
            ops::key(state, secret).await?
        }
    };
    Ok(Json(ops::ingest(state, &key, shape, &value).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)] // The schema of the body, read as JSON by hand.
struct EventBatch {
    /// Up to 10,000 events: `{event, distinct_id, timestamp?, properties?, uuid?}`.
    #[schema(value_type = Vec<Object>)]
    batch: Vec<Value>,
}

/// Sends events with an ingest key (`Authorization: Bearer <key>`): each
/// bad event is rejected alone with its index and a code, the rest are
/// kept; a repeated `uuid` counts once.
#[utoipa::path(post, path = "/ingest/events", tag = "analytics", request_body = EventBatch,
    responses((status = 200, body = IngestAnswer), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn ingest_events(State(state): State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<Json<IngestAnswer>> {
    take(&state, headers, body, Shape::Batch).await
}

/// Segment's HTTP tracking API, batch form: `{batch: [{type, event,
/// userId | anonymousId, timestamp, properties, messageId}]}`; track, page
/// and screen calls count.
#[utoipa::path(post, path = "/ingest/v1/batch", tag = "analytics", request_body = Object,
    responses((status = 200, body = IngestAnswer), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn segment_batch(State(state): State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<Json<IngestAnswer>> {
    take(&state, headers, body, Shape::SegmentBatch).await
}

/// Segment's HTTP tracking API, one track call.
#[utoipa::path(post, path = "/ingest/v1/track", tag = "analytics", request_body = Object,
    responses((status = 200, body = IngestAnswer), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn segment_track(State(state): State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<Json<IngestAnswer>> {
    take(&state, headers, body, Shape::SegmentTrack).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActiveQuery {
    /// First day (default: 29 days before `to`).
    #[param(value_type = Option<String>)]
    pub from: Option<Day>,
    /// Last day (default: today in the workspace's time zone).
    #[param(value_type = Option<String>)]
    pub to: Option<Day>,
    /// One event's people (default: any event's).
    pub event: Option<String>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ActiveDays {
    pub days: Vec<ActiveDay>,
}

/// Active people per day: DAU, WAU and MAU (the 7 and 30 days ending
/// that day) and stickiness (DAU / MAU), in the workspace's time zone.
#[utoipa::path(get, path = "/products/{id}/analytics/active", tag = "analytics", params(("id" = String, Path), ActiveQuery),
    responses((status = 200, body = ActiveDays), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn active(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<ActiveQuery>,
) -> ApiResult<Json<ActiveDays>> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    Ok(Json(ActiveDays { days: ops::active(&state, &a, q.from, q.to, q.event.as_deref()).await? }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RetentionQuery {
    /// The event that puts a person in a cohort (default: any event).
    pub start_event: Option<String>,
    /// The event that counts as coming back (default: any event).
    pub return_event: Option<String>,
    /// `day` or `week` (default; weeks start on Monday).
    pub period: Option<String>,
    /// Periods followed per cohort (default 8 weeks or 14 days; at most 90).
    pub periods: Option<usize>,
    /// Cohorts from the period holding this day (default: as many periods
    /// back from `to`).
    #[param(value_type = Option<String>)]
    pub from: Option<Day>,
    /// Cohorts up to the period holding this day (default: today).
    #[param(value_type = Option<String>)]
    pub to: Option<Day>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Cohorts {
    pub cohorts: Vec<tandem_core::analytics::Cohort>,
}

/// Retention by cohort: people by the period of their first start event,
/// and how many came back (the return event) in each period from it on.
#[utoipa::path(get, path = "/products/{id}/analytics/retention", tag = "analytics",
    params(("id" = String, Path), RetentionQuery),
    responses((status = 200, body = Cohorts), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn retention(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<RetentionQuery>,
) -> ApiResult<Json<Cohorts>> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    let ask = ops::RetentionAsk {
        start_event: q.start_event,
        return_event: q.return_event,
        period: q.period,
        periods: q.periods,
        from: q.from,
        to: q.to,
    };
    Ok(Json(Cohorts { cohorts: ops::retention(&state, &a, ask).await? }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// 2 to 10 different events, in order, separated by commas.
    pub steps: String,
    /// Days from entering to the last step (default 14; at most 90).
    pub window_days: Option<i64>,
    /// First day people may enter (default: 29 days before `to`).
    #[param(value_type = Option<String>)]
    pub from: Option<Day>,
    /// Last day people may enter (default: today).
    #[param(value_type = Option<String>)]
    pub to: Option<Day>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Funnel {
    pub steps: Vec<ops::FunnelStep>,
}

/// A funnel: the people entering with the first step in the range, and
/// those among them doing each later step in order within the window.
#[utoipa::path(get, path = "/products/{id}/analytics/funnel", tag = "analytics",
    params(("id" = String, Path), FunnelQuery),
    responses((status = 200, body = Funnel), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn funnel(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<FunnelQuery>,
) -> ApiResult<Json<Funnel>> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    Ok(Json(Funnel { steps: ops::funnel(&state, &a, &q.steps, q.window_days, (q.from, q.to)).await? }))
}

/// A shipped feature's adoption: the people doing its adoption event since
/// it shipped against everyone active since, and week by week (422 when
/// the feature names no adoption event; zeros and no `since` before it
/// ships).
#[utoipa::path(get, path = "/features/{id}/adoption", tag = "analytics", params(("id" = String, Path)),
    responses((status = 200, body = tandem_core::analytics::Adoption), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn adoption(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<tandem_core::analytics::Adoption>> {
    Ok(Json(ops::adoption(&state, p.id(), path.id()?).await?))
}

/// Forgets one person: their events and their place in every figure
/// (the product's owner or an admin); 404 when no event named them.
#[utoipa::path(delete, path = "/products/{id}/analytics/persons/{distinct_id}", tag = "analytics",
    params(("id" = String, Path), ("distinct_id" = String, Path)),
    responses((status = 200, body = ops::Forgotten), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn forget_person(
    State(state): State<AppState>,
    p: Principal,
    Path((product, distinct_id)): Path<(String, String)>,
) -> ApiResult<Json<ops::Forgotten>> {
    let id: tandem_core::Id = product.parse().map_err(|_| ApiError::NotFound)?;
    let a = product_access(&state, p.id(), ProductObject::Product, id, ProductAction::Read).await?;
    Ok(Json(ops::forget_person(&state, &a, &distinct_id).await?))
}
