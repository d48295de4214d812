//! Custom fields of a workspace: what every member reads, what admins and
//! each side's managers add, change and delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_app::ops::custom::{self, EditCustomField, NewCustomField};
use tandem_core::custom::CustomField;
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
    OpenApiRouter::new().routes(routes!(list_fields, create_field)).routes(routes!(get_field, edit_field, delete_field))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FieldQuery {
    /// Only the fields of this kind of object: feature, task, feedback,
    /// risk or defect.
    pub object: Option<String>,
}

/// The workspace's custom fields, by kind of object and position.
#[utoipa::path(get, path = "/workspaces/{ws}/custom-fields", tag = "custom fields",
    params(("ws" = String, Path), FieldQuery),
    responses((status = 200, body = List<CustomField>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_fields(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<FieldQuery>,
) -> ApiResult<Json<List<CustomField>>> {
    let object = custom::object(q.object.as_deref())?;
    let items = custom::list(&state, a.ws, object).await?;
    Ok(Json(List { items, next_cursor: None }))
}

/// Adds a field: `{object, key, name, type, options, required}`. Admins
/// on any object; product managers on features and feedback; project
/// managers on tasks, risks and defects.
#[utoipa::path(post, path = "/workspaces/{ws}/custom-fields", tag = "custom fields",
    params(("ws" = String, Path)), request_body = NewCustomField,
    responses((status = 201, body = CustomField), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_field(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiJson(req): ApiJson<NewCustomField>,
) -> ApiResult<(StatusCode, Json<CustomField>)> {
    Ok((StatusCode::CREATED, Json(custom::create(&state, a.ws, a.user_id(), req).await?)))
}

/// One field of a workspace the caller is in.
#[utoipa::path(get, path = "/custom-fields/{id}", tag = "custom fields", params(("id" = String, Path)),
    responses((status = 200, body = CustomField), (status = 404, body = ErrorBody)))]
async fn get_field(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<CustomField>> {
    Ok(Json(custom::readable(&state, p.id(), path.id()?).await?))
}

/// Renames, re-keys (values stay), re-orders, changes options or whether
/// the field is required. The type cannot change.
#[utoipa::path(patch, path = "/custom-fields/{id}", tag = "custom fields", params(("id" = String, Path)),
    request_body = EditCustomField,
    responses((status = 200, body = CustomField), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_field(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EditCustomField>,
) -> ApiResult<Json<CustomField>> {
    let version = expected_version(req.version, &headers)?;
    Ok(Json(custom::edit(&state, p.id(), path.id()?, version, req).await?))
}

/// Deletes a field and every value of it; the activity log keeps what it
/// was and how many values went.
#[utoipa::path(delete, path = "/custom-fields/{id}", tag = "custom fields", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_field(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    custom::delete(&state, p.id(), path.id()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
