//! The product manager's dashboard and the workspace portfolio (the
//! project manager's is with the project's control figures).

use axum::Json;
use axum::extract::{Path, State};
use tandem_core::ProductAction;
use tandem_store::product::ProductObject;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Allowed, WorkspaceRead, product_access};
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::IdPath;
use crate::state::AppState;
use tandem_app::ops::dashboards::{self as ops, Portfolio, ProductDashboard};
use tandem_app::ops::mywork::{self, MyWork};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(product_dashboard)).routes(routes!(portfolio)).routes(routes!(my_work))
}

/// The product manager's dashboard: OKR progress with delivery forecasts,
/// top features, releases with forecast against target, recently shipped
/// features, the feedback trend, open change requests, and the "one
/// person, both hats" warning.
#[utoipa::path(get, path = "/dashboards/product/{id}", tag = "dashboards", params(("id" = String, Path)),
    responses((status = 200, body = ProductDashboard), (status = 404, body = ErrorBody)))]
async fn product_dashboard(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<ProductDashboard>> {
    let a = product_access(&state, p.id(), ProductObject::Product, path.id()?, ProductAction::Read).await?;
    Ok(Json(ops::product(&state, &a).await?))
}

/// Every project of the workspace with its RAG, forecast finish against
/// target, SPI and CPI: the portfolio for admins and stakeholders (every
/// member reads it).
#[utoipa::path(get, path = "/dashboards/portfolio/{ws}", tag = "dashboards", params(("ws" = String, Path)),
    responses((status = 200, body = Portfolio), (status = 404, body = ErrorBody)))]
async fn portfolio(State(state): State<AppState>, a: Allowed<WorkspaceRead>) -> ApiResult<Json<Portfolio>> {
    Ok(Json(ops::portfolio(&state, a.ws).await?))
}

/// The caller's work in the workspace: the tasks assigned to them (by a
/// resource that is them) overdue, due this week, in progress and next on
/// the computed schedule; the change requests waiting for their call;
/// their unread notifications; their timesheet for this week.
#[utoipa::path(get, path = "/workspaces/{ws}/my-work", tag = "dashboards", params(("ws" = String, Path)),
    responses((status = 200, body = MyWork), (status = 404, body = ErrorBody)))]
async fn my_work(State(state): State<AppState>, a: Allowed<WorkspaceRead>) -> ApiResult<Json<MyWork>> {
    Ok(Json(mywork::my_work(&state, a.ws, a.role, a.user_id()).await?))
}
