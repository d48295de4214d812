//! The decision-rights matrix: who has the final say on each kind of
//! decision, per workspace.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use tandem_core::decision::{Matrix, MatrixRow};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Allowed, WorkspaceRead, WorkspaceUpdate};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, expected_version};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_matrix, put_matrix)).routes(routes!(get_go_no_go, post_go_no_go))
}

/// The matrix with its version (0 until an admin first edits it).
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixView {
    pub rows: Vec<MatrixRow>,
    pub version: i64,
}

/// `PUT /workspaces/{ws}/decision-rights`: every row, and the version read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutMatrix {
    pub rows: Vec<MatrixRow>,
    pub version: Option<i64>,
}

/// Who is accountable (the final say), consulted and informed for each
/// decision kind; the defaults of the design until an admin edits them.
#[utoipa::path(get, path = "/workspaces/{ws}/decision-rights", tag = "decisions", params(("ws" = String, Path)),
    responses((status = 200, body = MatrixView), (status = 404, body = ErrorBody)))]
async fn get_matrix(State(state): State<AppState>, a: Allowed<WorkspaceRead>) -> ApiResult<Json<MatrixView>> {
    let m = state.store.decision_matrix(a.ws).await?;
    Ok(Json(MatrixView { rows: m.matrix.rows, version: m.version }))
}

/// Replaces the matrix (admins): every decision kind once, exactly one
/// accountable role per row (two, who both decide, for release go/no-go),
/// no role both accountable and consulted. Rights follow at once.
#[utoipa::path(put, path = "/workspaces/{ws}/decision-rights", tag = "decisions", params(("ws" = String, Path)),
    request_body = PutMatrix,
    responses((status = 200, body = MatrixView), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_matrix(
    State(state): State<AppState>,
    a: Allowed<WorkspaceUpdate>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PutMatrix>,
) -> ApiResult<Json<MatrixView>> {
    let version = expected_version(req.version, &headers)?;
    let saved =
        tandem_app::ops::workspaces::set_matrix(&state, a.user_id(), a.ws, version, Matrix { rows: req.rows }).await?;
    Ok(Json(MatrixView { rows: saved.matrix.rows, version: saved.version }))
}

/// Where a release's go/no-go stands: the accountable roles' calls.
#[utoipa::path(get, path = "/releases/{id}/go-no-go", tag = "decisions", params(("id" = String, Path)),
    responses((status = 200, body = tandem_app::ops::gonogo::GoNoGo), (status = 404, body = ErrorBody)))]
async fn get_go_no_go(
    State(state): State<AppState>,
    p: crate::auth::Principal,
    axum::extract::Path(path): axum::extract::Path<crate::extract::IdPath>,
) -> ApiResult<Json<tandem_app::ops::gonogo::GoNoGo>> {
    let id = path.id()?;
    let a = crate::access::product_access(
        &state,
        p.id(),
        tandem_store::product::ProductObject::Release,
        id,
        tandem_core::ProductAction::Read,
    )
    .await?;
    Ok(Json(tandem_app::ops::gonogo::status(&state, &a, id).await?))
}

/// Records a go or no-go for the release: it is go only when every role
/// the matrix makes accountable (the product's owner and a manager of its
/// project, by default) says go. Consulted roles' calls are opinions.
#[utoipa::path(post, path = "/releases/{id}/go-no-go", tag = "decisions", params(("id" = String, Path)),
    request_body = tandem_app::ops::gonogo::GoNoGoRequest,
    responses((status = 200, body = tandem_app::ops::gonogo::GoNoGo), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_go_no_go(
    State(state): State<AppState>,
    p: crate::auth::Principal,
    axum::extract::Path(path): axum::extract::Path<crate::extract::IdPath>,
    ApiJson(req): ApiJson<tandem_app::ops::gonogo::GoNoGoRequest>,
) -> ApiResult<Json<tandem_app::ops::gonogo::GoNoGo>> {
    let id = path.id()?;
    let a = crate::access::product_access(
        &state,
        p.id(),
        tandem_store::product::ProductObject::Release,
        id,
        tandem_core::ProductAction::Read,
    )
    .await?;
    Ok(Json(tandem_app::ops::gonogo::decide(&state, &a, id, req).await?))
}
