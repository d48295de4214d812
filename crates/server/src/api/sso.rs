//! Who joins a workspace by signing in with the identity provider, and
//! with which role (admins).

use axum::Json;
use axum::extract::State;
use tandem_app::ops::sso::{self, SsoSettings};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Allowed, WorkspaceUpdate};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_sso, put_sso))
}

/// The role people who sign in with the identity provider join with, by
/// default and by provider group.
#[utoipa::path(get, path = "/workspaces/{ws}/sso", tag = "workspaces", params(("ws" = String, Path)),
    responses((status = 200, body = SsoSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_sso(State(state): State<AppState>, a: Allowed<WorkspaceUpdate>) -> ApiResult<Json<SsoSettings>> {
    Ok(Json(sso::workspace_settings(&state, a.ws).await?))
}

/// Replaces them: `{default_role, group_roles: {group: role}}`.
#[utoipa::path(put, path = "/workspaces/{ws}/sso", tag = "workspaces", params(("ws" = String, Path)),
    request_body = SsoSettings,
    responses((status = 200, body = SsoSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_sso(
    State(state): State<AppState>,
    a: Allowed<WorkspaceUpdate>,
    ApiJson(req): ApiJson<SsoSettings>,
) -> ApiResult<Json<SsoSettings>> {
    Ok(Json(sso::set_workspace_settings(&state, a.user_id(), a.ws, req).await?))
}
