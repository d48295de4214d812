//! Live updates as server-sent events: every change in a workspace the
//! caller may read, as it commits, on any server of the database.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::json;
use tandem_app::live::Viewer;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Allowed, WorkspaceRead};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Resume after this event id, as the `Last-Event-ID` header does (a
    /// browser sends the header itself when it reconnects).
    pub last_event_id: Option<String>,
}

/// The workspace's changes as server-sent events, from the moment of the
/// request (or after `Last-Event-ID`): one `event:` per object type
/// (`task`, `feature`, `change_request`, …), `id:` the change's id, and
/// `data:` `{type, id, action, version, actor_id}`. Every member may
/// listen; someone else's time entries reach only those who may see others'
/// timesheets. A comment line every 15 seconds keeps the connection open.
#[utoipa::path(get, path = "/workspaces/{ws}/events", tag = "live",
    params(("ws" = String, Path), ("Last-Event-ID" = Option<String>, Header), EventsQuery),
    responses((status = 200, content_type = "text/event-stream", body = String),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let header = headers.get("last-event-id").map(|v| v.to_str().unwrap_or("x").to_owned());
    let after = match header.or(q.last_event_id).filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(
            s.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::BadQuery(format!("Last-Event-ID must be an event id, not `{s}`")))?,
        ),
        None => None,
    };
    let viewer = Viewer { workspace_id: a.ws, user_id: a.user_id(), role: a.role };
    let stream = state.live.open(&state.store, viewer, after).await?;
    let events = futures_util::stream::unfold(stream, |mut s| async move {
        match s.next().await {
            Some(Ok(c)) => {
                let data = json!({
                    "type": c.subject_type,
                    "id": c.subject_id,
                    "action": c.action,
                    "version": c.version,
                    "actor_id": c.actor_id,
                });
                let event = Event::default().id(c.id.to_string()).event(c.subject_type.clone()).data(data.to_string());
                Some((Ok(event), s))
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "live updates: a stream ended");
                None
            }
            None => None,
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
