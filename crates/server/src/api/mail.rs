//! Mail: how the caller hears of each reason, and resetting a forgotten
//! password by mail.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tandem_app::ops::mail::{self, NotificationSettings, PutNotificationSettings};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(request_reset))
        .routes(routes!(reset_password))
}

/// How the caller hears of each reason by mail: `instant`, `daily` (one
/// digest a day) or `off`.
#[utoipa::path(get, path = "/me/notification-settings", tag = "account",
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)))]
async fn get_settings(State(state): State<AppState>, p: Principal) -> ApiResult<Json<NotificationSettings>> {
    Ok(Json(mail::settings(&state, p.id()).await?))
}

/// Changes how the caller hears of some reasons: `{settings: {mention:
/// "daily"}}`; the others stay.
#[utoipa::path(put, path = "/me/notification-settings", tag = "account", request_body = PutNotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<PutNotificationSettings>,
) -> ApiResult<Json<NotificationSettings>> {
    Ok(Json(mail::set_settings(&state, p.id(), req).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
}

/// Mails a password reset link (single use, for an hour) when the address
/// is a person's. Always 202, so the answer tells no one who has an
/// account.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202), (status = 422, body = ErrorBody)))]
async fn request_reset(State(state): State<AppState>, ApiJson(req): ApiJson<ResetRequest>) -> ApiResult<StatusCode> {
    mail::request_reset(&state, &req.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub password: String,
}

/// Sets a new password with a reset link's token, once; every session of
/// the person ends. 404 for an unknown, used or expired link.
#[utoipa::path(post, path = "/auth/password-reset/{token}", tag = "auth", params(("token" = String, Path)),
    request_body = NewPassword,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<NewPassword>,
) -> ApiResult<StatusCode> {
    mail::reset(&state, &token, req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
