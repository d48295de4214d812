//! Competitors with their capability matrix, and product metric series.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use tandem_core::ProductAction;
use tandem_core::product::{Competitor, MetricSeries};
use tandem_store::product::ProductObject;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use super::product::on;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, IdPath, expected_version};
use crate::state::AppState;
use tandem_app::ops::product::{self as ops, CreateCompetitor, CreateMetric, RecordPoints, UpdateCompetitor};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_competitors, create_competitor))
        .routes(routes!(get_competitor, update_competitor, delete_competitor))
        .routes(routes!(list_metrics, create_metric))
        .routes(routes!(get_metric, delete_metric))
        .routes(routes!(record_values))
}

/// The product's competitors, each with its capabilities (`has`,
/// `partial`, `none`): the rows of the capability matrix.
#[utoipa::path(get, path = "/products/{id}/competitors", tag = "competitors", params(("id" = String, Path)),
    responses((status = 200, body = List<Competitor>), (status = 404, body = ErrorBody)))]
async fn list_competitors(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Competitor>>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    Ok(Json(List { items: state.store.competitors(id).await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/products/{id}/competitors", tag = "competitors", params(("id" = String, Path)),
    request_body = CreateCompetitor,
    responses((status = 201, body = Competitor), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_competitor(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateCompetitor>,
) -> ApiResult<(StatusCode, Json<Competitor>)> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_competitor(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/competitors/{id}", tag = "competitors", params(("id" = String, Path)),
    responses((status = 200, body = Competitor), (status = 404, body = ErrorBody)))]
async fn get_competitor(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Competitor>> {
    let (_, id) = on(&state, &p, ProductObject::Competitor, &path, ProductAction::Read).await?;
    Ok(Json(state.store.competitor(id).await?))
}

/// Edits a competitor; `capabilities` sets the named cells (`null` removes one).
#[utoipa::path(patch, path = "/competitors/{id}", tag = "competitors", params(("id" = String, Path)),
    request_body = UpdateCompetitor,
    responses((status = 200, body = Competitor), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_competitor(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateCompetitor>,
) -> ApiResult<Json<Competitor>> {
    let (a, id) = on(&state, &p, ProductObject::Competitor, &path, ProductAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_competitor(&state, &a, id, version, req).await?))
}

#[utoipa::path(delete, path = "/competitors/{id}", tag = "competitors", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_competitor(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let (a, id) = on(&state, &p, ProductObject::Competitor, &path, ProductAction::Edit).await?;
    tandem_app::ops::product::remove(&state, &a, ProductObject::Competitor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The product's metric series (DAU, MAU, retention, NPS…) with their values.
#[utoipa::path(get, path = "/products/{id}/metrics", tag = "metrics", params(("id" = String, Path)),
    responses((status = 200, body = List<MetricSeries>), (status = 404, body = ErrorBody)))]
async fn list_metrics(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<MetricSeries>>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    Ok(Json(List { items: state.store.metrics(id).await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/products/{id}/metrics", tag = "metrics", params(("id" = String, Path)),
    request_body = CreateMetric,
    responses((status = 201, body = MetricSeries), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_metric(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateMetric>,
) -> ApiResult<(StatusCode, Json<MetricSeries>)> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_metric(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/metrics/{id}", tag = "metrics", params(("id" = String, Path)),
    responses((status = 200, body = MetricSeries), (status = 404, body = ErrorBody)))]
async fn get_metric(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<MetricSeries>> {
    let (_, id) = on(&state, &p, ProductObject::MetricSeries, &path, ProductAction::Read).await?;
    Ok(Json(state.store.metric_series(id).await?))
}

#[utoipa::path(delete, path = "/metrics/{id}", tag = "metrics", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_metric(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    let (a, id) = on(&state, &p, ProductObject::MetricSeries, &path, ProductAction::Edit).await?;
    tandem_app::ops::product::remove(&state, &a, ProductObject::MetricSeries, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records dated values (up to 1,000 a request; a recorded date is replaced).
#[utoipa::path(post, path = "/metrics/{id}/values", tag = "metrics", params(("id" = String, Path)),
    request_body = RecordPoints,
    responses((status = 200, body = MetricSeries), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_values(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<RecordPoints>,
) -> ApiResult<Json<MetricSeries>> {
    let (a, id) = on(&state, &p, ProductObject::MetricSeries, &path, ProductAction::Edit).await?;
    Ok(Json(ops::record_points(&state, &a, id, req).await?))
}
