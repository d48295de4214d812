//! The caller's calendar feed address.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use tandem_app::ops::feeds::{self, CalendarFeed};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::origin;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(calendar_feed)).routes(routes!(rotate_calendar_feed))
}

/// The caller's secret iCalendar address: milestones, release target
/// dates and their own task due dates, for any calendar app to subscribe
/// to (made on first asking).
#[utoipa::path(get, path = "/me/calendar-feed", tag = "account",
    responses((status = 200, body = CalendarFeed), (status = 401, body = ErrorBody)))]
async fn calendar_feed(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
) -> ApiResult<Json<CalendarFeed>> {
    let base = feeds::base(&state, &origin(&headers));
    Ok(Json(feeds::feed(&state, p.id(), &base).await?))
}

/// A new feed address; the old one answers 404 from now on.
#[utoipa::path(post, path = "/me/calendar-feed/rotate", tag = "account",
    responses((status = 200, body = CalendarFeed), (status = 401, body = ErrorBody)))]
async fn rotate_calendar_feed(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
) -> ApiResult<Json<CalendarFeed>> {
    let base = feeds::base(&state, &origin(&headers));
    Ok(Json(feeds::rotate(&state, p.id(), &base).await?))
}
