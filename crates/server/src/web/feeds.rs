//! Calendar feeds for calendar apps: `/calendar/{token}.ics`, opened by
//! its secret address alone (calendar apps send no cookie).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tandem_app::AppError;
use tandem_app::ops::feeds;

use crate::extract::origin;
use crate::state::AppState;

pub async fn calendar(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return gone();
    };
    let base = feeds::base(&state, &origin(&headers));
    match feeds::calendar(&state, token, &base).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
                (header::CONTENT_DISPOSITION, "inline; filename=\"tandem.ics\""),
            ],
            text,
        )
            .into_response(),
        Err(AppError::NotFound) => gone(),
        Err(e) => {
            tracing::warn!("calendar feed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "the calendar cannot be read just now; try again\n").into_response()
        }
    }
}

/// An address that is no (longer a) feed.
fn gone() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "no such calendar feed\n")
        .into_response()
}
