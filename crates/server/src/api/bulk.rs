//! Bulk actions on a list's selection: each one transaction, all or none.

use axum::Json;
use axum::extract::{Path, State};
use tandem_app::ops::product::{self as ops, BulkFeedback, BulkResult};
use tandem_app::ops::project::{self as tasks, BulkTasks};
use tandem_core::{ProductAction, ProjectAction};
use tandem_store::product::ProductObject;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::product::on;
use crate::access::project_access;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, IdPath};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk_feedback)).routes(routes!(bulk_tasks))
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

/// Moves up to 500 tasks of the project to a sprint (`sprint`, with
/// `sprint_id`, `null` for none) or sets their board status (`status`, with
/// `status`; done means 100 % as on a single edit; summaries are left to
/// their subtasks); one task that cannot change changes none.
#[utoipa::path(post, path = "/projects/{id}/tasks/bulk", tag = "tasks", params(("id" = String, Path)),
    request_body = BulkTasks,
    responses((status = 200, body = BulkResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn bulk_tasks(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<BulkTasks>,
) -> ApiResult<Json<BulkResult>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    Ok(Json(tasks::bulk_tasks(&state, &a, req).await?))
}
