//! Sign-in, sign-out, the caller, API tokens and invitations.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};
use tandem_core::Id;
use tandem_core::model::{ApiToken, Membership, User};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, Principal, Via};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, expected_version};
use crate::state::AppState;
use tandem_app::ops::accounts;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(accept_invitation))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: User,
    /// Send this in `X-CSRF-Token` with every unsafe cookie-authenticated request.
    pub csrf_token: String,
}

/// Signs in with e-mail and password; sets the session cookie.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    addr: Option<Extension<crate::limits::ClientIp>>,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let s = accounts::sign_in(&state, &req.email, &req.password, &auth::client_of(addr.as_ref())).await?;
    let jar = jar.add(auth::session_cookie(s.token, &state));
    Ok((jar, Json(LoginResponse { user: s.user, csrf_token: s.csrf_token })))
}

/// Ends the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(State(state): State<AppState>, p: Principal, jar: CookieJar) -> ApiResult<impl IntoResponse> {
    if let Via::Session { token_hash, .. } = &p.via {
        accounts::sign_out(&state, token_hash).await?;
    }
    Ok((jar.add(auth::clear_cookie(&state)), StatusCode::NO_CONTENT))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: User,
    pub memberships: Vec<Membership>,
    /// The session's CSRF token; `null` when authenticated by API token.
    pub csrf_token: Option<String>,
}

/// The caller, their workspaces and roles.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, p: Principal) -> ApiResult<Json<MeResponse>> {
    let memberships = state.store.memberships(p.id()).await?;
    Ok(Json(MeResponse { csrf_token: p.csrf_token().map(str::to_owned), user: p.user, memberships }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMe {
    pub name: Option<String>,
    /// `day_month` (Wed 13 Jan 2027), `month_day` (Wed, Jan 13, 2027) or `iso`.
    pub date_order: Option<String>,
    /// `system`, `light` or `dark`.
    pub theme: Option<String>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// Changes the caller's name and how pages read to them.
#[utoipa::path(patch, path = "/me", tag = "auth", request_body = UpdateMe,
    responses((status = 200, body = User), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateMe>,
) -> ApiResult<Json<User>> {
    let version = expected_version(req.version, &headers)?;
    let edit = accounts::ProfileEdit { name: req.name, date_order: req.date_order, theme: req.theme };
    Ok(Json(accounts::update_profile(&state, &p.user, version, edit).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password and ends all their sessions (API tokens
/// stay valid; revoke them separately).
#[utoipa::path(post, path = "/me/password", tag = "auth", request_body = ChangePassword,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    p: Principal,
    jar: CookieJar,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<impl IntoResponse> {
    accounts::change_password(&state, p.id(), req.current_password, req.new_password).await?;
    Ok((jar.add(auth::clear_cookie(&state)), StatusCode::NO_CONTENT))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateToken {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: Id,
    pub name: String,
    /// The secret. Shown this once; Tandem keeps only its hash.
    pub token: String,
}

/// The caller's API tokens (never their secrets).
#[utoipa::path(get, path = "/tokens", tag = "auth", responses((status = 200, body = Vec<ApiToken>)))]
async fn list_tokens(State(state): State<AppState>, p: Principal) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(state.store.api_tokens(p.id()).await?))
}

/// Creates an API token for `Authorization: Bearer`.
#[utoipa::path(post, path = "/tokens", tag = "auth", request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let (rec, token) = accounts::create_token(&state, p.id(), &req.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id: rec.id, name: rec.name, token })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(State(state): State<AppState>, p: Principal, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    accounts::revoke_token(&state, p.id(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    pub name: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedInvitation {
    pub workspace_id: Id,
}

/// Accepts an invitation: creates the account and joins the workspace.
#[utoipa::path(post, path = "/invitations/{token}", tag = "auth", params(("token" = String, Path)),
    request_body = AcceptInvitation,
    responses((status = 201, body = AcceptedInvitation), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<AcceptInvitation>,
) -> ApiResult<(StatusCode, Json<AcceptedInvitation>)> {
    let ws = accounts::accept_invitation(&state, &token, &req.name, req.password).await?;
    Ok((StatusCode::CREATED, Json(AcceptedInvitation { workspace_id: ws })))
}
