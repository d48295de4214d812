//! Calendar feeds for calendar apps: `/calendar/{token}.ics`, opened by
//! its secret address alone (calendar apps send no cookie).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::AppError;
use tandem_app::ops::feeds;

use super::{PageForm, PageResult, PageUser, Shell, on, render};
use crate::extract::origin;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "calendar_feed.html")]
struct FeedPage {
    shell: Shell,
    url: String,
    rotated: bool,
}

#[derive(Deserialize)]
pub struct RotatedQuery {
    rotated: Option<String>,
}

/// The reader's feed address, to copy into a calendar app.
pub async fn feed_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    headers: HeaderMap,
    Query(q): Query<RotatedQuery>,
) -> PageResult {
    let path = "/settings/calendar";
    let shell = Shell::new(&state, &p, None, "account", "Calendar feed").await.map_err(on(path))?;
    let base = feeds::base(&state, &origin(&headers));
    let feed = feeds::feed(&state, p.id(), &base).await.map_err(on(path))?;
    Ok(render(StatusCode::OK, &FeedPage { shell, url: feed.url, rotated: q.rotated.is_some() }))
}

#[derive(Deserialize)]
pub struct RotateForm {}

/// A new address; the old one stops working.
pub async fn feed_rotate(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    headers: HeaderMap,
    PageForm(_): PageForm<RotateForm>,
) -> PageResult {
    let base = feeds::base(&state, &origin(&headers));
    feeds::rotate(&state, p.id(), &base).await.map_err(on("/settings/calendar"))?;
    Ok(Redirect::to("/settings/calendar?rotated=1").into_response())
}

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
