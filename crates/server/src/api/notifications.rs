//! The caller's in-app notifications: decisions they must take, decisions
//! the matrix informs their role of, and @-mentions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tandem_core::model::Notification;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, IdPath, PageQuery};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(read_all_notifications))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's notifications in every workspace, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = List<Notification>), (status = 401, body = ErrorBody)))]
async fn list_notifications(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<List<Notification>>> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let list = state.store.notifications(p.id(), q.unread.unwrap_or(false), page.cursor()?, page.limit()?).await?;
    Ok(Json(list.into()))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn read_notification(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    tandem_app::ops::accounts::mark_read(&state, p.id(), path.id()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    /// How many were unread.
    pub marked: u64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody)))]
async fn read_all_notifications(State(state): State<AppState>, p: Principal) -> ApiResult<Json<Marked>> {
    Ok(Json(Marked { marked: tandem_app::ops::accounts::mark_all_read(&state, p.id()).await? }))
}
