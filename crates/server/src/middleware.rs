//! Cross-cutting layers: security headers, request ids, body limits.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// No inline scripts or styles, no framing, no plugins; everything from here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers every response carries.
pub fn security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

#[derive(Clone, Default)]
pub struct RandomId;

impl MakeRequestId for RandomId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).ok()?;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        HeaderValue::from_str(&hex).ok().map(RequestId::new)
    }
}

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives each request an `x-request-id` (or keeps the caller's), logs it
/// with the request's span, and echoes it in the response.
pub fn request_ids(router: Router) -> Router {
    // Layers run outside-in in reverse order of addition: set the id first,
    // then open the span, then copy the id to the response.
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(request_span as fn(&Request) -> tracing::Span))
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomId))
}

fn request_span(req: &Request) -> tracing::Span {
    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    // No path: paths carry secrets (feeds, reset links). `observe::route`
    // names the route template once the router has matched it.
    tracing::info_span!("request", request_id = %id, method = %req.method(), route = tracing::field::Empty)
}

/// Events are sent from any site (analytics SDKs run in the pages of the
/// product being measured): the ingest paths answer cross-origin requests,
/// their preflight included. Ingest keys are sent as a header, never as a
/// cookie, so no credentials are allowed.
pub async fn ingest_cors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/v1/ingest/") {
        return next.run(req).await;
    }
    let any = HeaderValue::from_static("*");
    if req.method() == axum::http::Method::OPTIONS {
        let headers = [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, any),
            (header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS")),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type")),
            (header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400")),
        ];
        return (axum::http::StatusCode::NO_CONTENT, headers).into_response();
    }
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, any);
    resp.headers_mut().insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("retry-after"));
    resp
}

/// Refuses a body whose declared length exceeds the limit before reading it.
pub async fn limit_declared_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config.body_limit(req.uri().path());
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        // The body is left unread, so the connection cannot carry another
        // request: say so, lest the client reuse it.
        let mut resp = ApiError::TooLarge { limit }.into_response();
        resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return resp;
    }
    next.run(req).await
}
