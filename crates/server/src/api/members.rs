//! Members of a workspace and their roles.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_core::Role;
use tandem_core::model::Member;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, MembersManage, MembersRead};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::state::AppState;
use tandem_app::ops::workspaces::{self, AddMember, AddedMember};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_members, add_member)).routes(routes!(
        get_member,
        update_member,
        remove_member
    ))
}

/// Members and their roles, in the order they joined.
#[utoipa::path(get, path = "/workspaces/{ws}/members", tag = "members", params(("ws" = String, Path), PageQuery),
    responses((status = 200, body = List<Member>), (status = 404, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    a: Allowed<MembersRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<List<Member>>> {
    Ok(Json(state.store.members(a.ws, q.cursor()?, q.limit()?).await?.into()))
}

/// Adds a member (admins): an existing account, a new account with the
/// given password, or an invitation link when no password is given.
#[utoipa::path(post, path = "/workspaces/{ws}/members", tag = "members", params(("ws" = String, Path)),
    request_body = AddMember,
    responses((status = 201, body = AddedMember), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    a: Allowed<MembersManage>,
    ApiJson(req): ApiJson<AddMember>,
) -> ApiResult<(StatusCode, Json<AddedMember>)> {
    Ok((StatusCode::CREATED, Json(workspaces::add_member(&state, a.user_id(), a.ws, req).await?)))
}

#[utoipa::path(get, path = "/workspaces/{ws}/members/{id}", tag = "members",
    params(("ws" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Member), (status = 404, body = ErrorBody)))]
async fn get_member(
    State(state): State<AppState>,
    a: Allowed<MembersRead>,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Member>> {
    Ok(Json(state.store.member(a.ws, path.id()?).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMember {
    pub role: Role,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// Changes a member's role (admins). The last admin cannot be demoted.
#[utoipa::path(patch, path = "/workspaces/{ws}/members/{id}", tag = "members",
    params(("ws" = String, Path), ("id" = String, Path)), request_body = UpdateMember,
    responses((status = 200, body = Member), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody)))]
async fn update_member(
    State(state): State<AppState>,
    a: Allowed<MembersManage>,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateMember>,
) -> ApiResult<Json<Member>> {
    let version = expected_version(req.version, &headers)?;
    Ok(Json(workspaces::change_role(&state, a.user_id(), a.ws, path.id()?, version, req.role).await?))
}

/// Removes a member (admins). The last admin stays.
#[utoipa::path(delete, path = "/workspaces/{ws}/members/{id}", tag = "members",
    params(("ws" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    a: Allowed<MembersManage>,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    workspaces::remove_member(&state, a.user_id(), a.ws, path.id()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
