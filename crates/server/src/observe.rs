//! What admins watch a running server by: one access-log line per request
//! (time, level, request id, route, status, duration, user id), the
//! request metrics, and `GET /metrics` for Prometheus.
//!
//! Routes are logged and counted by their template (`/api/v1/tasks/{id}`),
//! never by the path itself: paths carry secrets (calendar feeds, reset
//! and unsubscribe links) and would make a label per object.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The route a request matched, passed out on its response.
#[derive(Clone, Debug)]
pub struct Route(pub MatchedPath);

/// Who made the request, passed out on its response by `authenticate`.
#[derive(Clone, Copy, Debug)]
pub struct Caller(pub tandem_core::Id);

/// The label of requests no route matched.
const UNMATCHED: &str = "unmatched";

/// Runs inside the router, after matching: names the route in the
/// request's span and hands it out on the response.
pub async fn route(path: Option<MatchedPath>, req: Request, next: Next) -> Response {
    if let Some(p) = &path {
        tracing::Span::current().record("route", p.as_str());
    }
    let mut resp = next.run(req).await;
    if let Some(p) = path {
        resp.extensions_mut().insert(Route(p));
    }
    resp
}

/// Runs outside everything but the request id: times the request, counts
/// it and writes its access-log line.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let request_id =
        req.headers().get(crate::middleware::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let resp = next.run(req).await;
    let took = started.elapsed();
    let route = resp.extensions().get::<Route>().map_or(UNMATCHED, |r| r.0.as_str());
    let status = resp.status().as_u16();
    state.metrics.request(method_label(&method), route, status, took);
    let user_id = resp.extensions().get::<Caller>().map(|c| c.0.0);
    tracing::info!(
        target: "tandem::access",
        request_id = %request_id,
        method = %method,
        route,
        status,
        duration_ms = (took.as_secs_f64() * 1e6).round() / 1e3,
        user_id,
        "request"
    );
    resp
}

/// The standard methods by name, any other as `other`: a label per
/// invented method would let a client grow the metrics without bound.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics`: off unless the admin turned it on; with a token set,
/// only for `Authorization: Bearer <token>`.
pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    let Some(m) = &state.config.metrics else {
        return ApiError::NotFound.into_response();
    };
    if let Some(token) = &m.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if !given.is_some_and(|g| tandem_app::secrets::equal(g, token)) {
            let mut resp = ApiError::Unauthenticated.into_response();
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"metrics\""));
            return resp;
        }
    }
    match state.metrics.render(&state.store, state.live.open_streams()).await {
        Some(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"))],
            text,
        )
            .into_response(),
        None => ApiError::Unavailable.into_response(),
    }
}
