//! One search over everything the caller may read.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tandem_app::ops::search::{self, SearchResults};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_all))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words or a key (`CKT-12`); each word matches the start of a word.
    pub q: Option<String>,
    /// Kinds to search, comma-separated: feature, feedback, task, risk,
    /// defect, change_request, release, objective, comment, decision.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// At most this many (20 by default, 50 at most).
    pub limit: Option<i64>,
}

/// Features, feedback, tasks, risks, defects, change requests, releases,
/// objectives, comments and decisions of the caller's workspaces that
/// match every word, best first: an exact key, then matches in keys,
/// titles and text.
#[utoipa::path(get, path = "/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn search_all(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let text = q.q.unwrap_or_default();
    Ok(Json(search::search(&state, p.id(), &text, q.kind.as_deref(), q.limit).await?))
}
