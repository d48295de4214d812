//! Objectives and key results of a product.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use tandem_core::ProductAction;
use tandem_core::product::{KeyResult, Objective};
use tandem_store::product::ProductObject;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use super::product::on;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, IdPath, expected_version};
use crate::state::AppState;
use tandem_app::ops::product::{self as ops, CreateKeyResult, CreateObjective, UpdateKeyResult, UpdateObjective};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_objectives, create_objective))
        .routes(routes!(get_objective, update_objective, delete_objective))
        .routes(routes!(list_key_results, create_key_result))
        .routes(routes!(get_key_result, update_key_result, delete_key_result))
}

/// The product's objectives by period, each with its key results and progress.
#[utoipa::path(get, path = "/products/{id}/objectives", tag = "okrs", params(("id" = String, Path)),
    responses((status = 200, body = List<Objective>), (status = 404, body = ErrorBody)))]
async fn list_objectives(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Objective>>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    Ok(Json(List { items: tandem_app::forecast::objectives(&state, id).await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/products/{id}/objectives", tag = "okrs", params(("id" = String, Path)),
    request_body = CreateObjective,
    responses((status = 201, body = Objective), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_objective(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateObjective>,
) -> ApiResult<(StatusCode, Json<Objective>)> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_objective(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/objectives/{id}", tag = "okrs", params(("id" = String, Path)),
    responses((status = 200, body = Objective), (status = 404, body = ErrorBody)))]
async fn get_objective(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Objective>> {
    let (_, id) = on(&state, &p, ProductObject::Objective, &path, ProductAction::Read).await?;
    let mut o = state.store.objective(id).await?;
    tandem_app::forecast::fill_key_results(&state, std::slice::from_mut(&mut o)).await?;
    Ok(Json(o))
}

#[utoipa::path(patch, path = "/objectives/{id}", tag = "okrs", params(("id" = String, Path)),
    request_body = UpdateObjective,
    responses((status = 200, body = Objective), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_objective(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateObjective>,
) -> ApiResult<Json<Objective>> {
    let (a, id) = on(&state, &p, ProductObject::Objective, &path, ProductAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_objective(&state, &a, id, version, req).await?))
}

/// Deletes an objective with its key results.
#[utoipa::path(delete, path = "/objectives/{id}", tag = "okrs", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_objective(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let (a, id) = on(&state, &p, ProductObject::Objective, &path, ProductAction::Edit).await?;
    tandem_app::ops::product::remove(&state, &a, ProductObject::Objective, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/objectives/{id}/key-results", tag = "okrs", params(("id" = String, Path)),
    responses((status = 200, body = List<KeyResult>), (status = 404, body = ErrorBody)))]
async fn list_key_results(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<KeyResult>>> {
    let (_, id) = on(&state, &p, ProductObject::Objective, &path, ProductAction::Read).await?;
    let mut o = state.store.objective(id).await?;
    tandem_app::forecast::fill_key_results(&state, std::slice::from_mut(&mut o)).await?;
    Ok(Json(List { items: o.key_results, next_cursor: None }))
}

/// Adds a key result; its current value starts its history.
#[utoipa::path(post, path = "/objectives/{id}/key-results", tag = "okrs", params(("id" = String, Path)),
    request_body = CreateKeyResult,
    responses((status = 201, body = KeyResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_key_result(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateKeyResult>,
) -> ApiResult<(StatusCode, Json<KeyResult>)> {
    let (a, id) = on(&state, &p, ProductObject::Objective, &path, ProductAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_key_result(&state, &a, id, req).await?)))
}

#[utoipa::path(get, path = "/key-results/{id}", tag = "okrs", params(("id" = String, Path)),
    responses((status = 200, body = KeyResult), (status = 404, body = ErrorBody)))]
async fn get_key_result(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<KeyResult>> {
    let (_, id) = on(&state, &p, ProductObject::KeyResult, &path, ProductAction::Read).await?;
    Ok(Json(state.store.key_result(id).await?))
}

/// Edits a key result; a new `current` is recorded in its history.
#[utoipa::path(patch, path = "/key-results/{id}", tag = "okrs", params(("id" = String, Path)),
    request_body = UpdateKeyResult,
    responses((status = 200, body = KeyResult), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_key_result(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateKeyResult>,
) -> ApiResult<Json<KeyResult>> {
    let (a, id) = on(&state, &p, ProductObject::KeyResult, &path, ProductAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_key_result(&state, &a, id, version, req).await?))
}

#[utoipa::path(delete, path = "/key-results/{id}", tag = "okrs", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_key_result(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let (a, id) = on(&state, &p, ProductObject::KeyResult, &path, ProductAction::Edit).await?;
    tandem_app::ops::product::remove(&state, &a, ProductObject::KeyResult, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
