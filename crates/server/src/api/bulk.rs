//! Bulk actions on a list's selection: each one transaction, all or none.

use axum::Json;
use axum::extract::{Path, State};
use tandem_app::ops::product::{self as ops, BulkFeedback, BulkResult};
use tandem_core::ProductAction;
use tandem_store::product::ProductObject;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::product::on;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, IdPath};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk_feedback))
}

/// Triages, archives, reopens (`reopen`: back to new) or links (`link`,
/// with `feature_id` and `importance`) up to 500 feedback items of the
/// product at once; one item that cannot be changed changes none.
#[utoipa::path(post, path = "/products/{id}/feedback/bulk", tag = "feedback", params(("id" = String, Path)),
    request_body = BulkFeedback,
    responses((status = 200, body = BulkResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn bulk_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<BulkFeedback>,
) -> ApiResult<Json<BulkResult>> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    Ok(Json(ops::bulk_feedback(&state, &a, req).await?))
}
