//! The activity log of a workspace.

use axum::Json;
use axum::extract::State;
use tandem_core::model::Activity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{ActivityRead, Allowed};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, PageQuery};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_activity))
}

/// Every change in the workspace, newest first, with before and after values.
#[utoipa::path(get, path = "/workspaces/{ws}/activity", tag = "activity", params(("ws" = String, Path), PageQuery),
    responses((status = 200, body = List<Activity>), (status = 404, body = ErrorBody)))]
async fn list_activity(
    State(state): State<AppState>,
    a: Allowed<ActivityRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<List<Activity>>> {
    Ok(Json(state.store.activity(a.ws, q.cursor()?, q.limit()?).await?.into()))
}
