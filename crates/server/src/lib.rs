//! Tandem's HTTP server: the JSON API, authentication and CSRF protection,
//! the OpenAPI document and the server-rendered pages.

pub mod access;
pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod limits;
mod middleware;
mod observe;
mod respond;
pub mod state;
pub mod svg;
mod upload;
mod web;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio::net::TcpListener;
use utoipa::openapi::OpenApi;

pub use config::Config;
pub use state::AppState;

use crate::error::ApiError;

/// The OpenAPI 3.1 document of every API endpoint.
pub fn openapi() -> OpenApi {
    let (_, doc) = api_parts();
    doc
}

fn api_parts() -> (Router<AppState>, OpenApi) {
    let (router, mut doc) =
        utoipa_axum::router::OpenApiRouter::with_openapi(api::doc()).nest("/api/v1", api::router()).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    (router, doc)
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api_router, doc) = api_parts();
    let doc = Arc::new(doc);
    let api_router = api_router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = Arc::clone(&doc);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });
    let limit = state.config.max_body_bytes;
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(observe::metrics))
        .merge(web::router())
        .merge(api_router)
        // Inside the routes, so a refused request still carries its route
        // to the access line and the metrics.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit))
        .route_layer(axum::middleware::from_fn(observe::route))
        .fallback(web::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::client_ip))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::limit_declared_body))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(middleware::ingest_cors))
        .with_state(state.clone());
    let observed =
        middleware::security_headers(router).layer(axum::middleware::from_fn_with_state(state, observe::observe));
    middleware::request_ids(observed)
}

/// Counts the request against its rate limit (`limits`); past
/// it, a program gets the JSON error and a page's form a page, both with
/// `Retry-After`. Here because only this module speaks for both.
async fn rate_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some((scope, who)) = limits::counted(&req) else {
        return next.run(req).await;
    };
    let Some(error) = limits::refusal(&state, scope, &who).await else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    if limits::answers_json(path) {
        return error.into_response();
    }
    web::PageError { error, path: path.to_owned() }.into_response()
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await.map_err(|_| ApiError::Unavailable)?;
    Ok("ready")
}

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// gracefully: no new connections, live streams end cleanly, requests in
/// flight finish, and the background workers finish what they are
/// sending, all within `shutdown_timeout` of the signal; then the
/// database's connections close. Queued mail and webhooks wait in the
/// database for the next server to start.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use tokio::time::{Instant, timeout_at};
    // Open event streams end as shutdown begins, or it would wait for them.
    let live = state.live.clone();
    let store = state.store.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (signalled, signal) = tokio::sync::watch::channel(None::<Instant>);
    let worker = tandem_app::outbound::webhooks::spawn(state.app.clone(), stopped.clone());
    let mailer = tandem_app::outbound::mail::spawn(state.app.clone(), stopped);
    let shutdown = async move {
        shutdown.await;
        signalled.send_replace(Some(Instant::now()));
        tracing::info!("stopping: finishing the requests in flight");
        live.close();
        let _ = stop.send(true);
    };
    let grace = state.config.shutdown_timeout;
    let served = axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .into_future();
    // Everything after the signal shares one deadline: the signal's time
    // plus the grace period.
    let mut waiting = signal.clone();
    let deadline = async move {
        // The guard is gone before anything else is awaited.
        let signalled_at = waiting.wait_for(Option::is_some).await.ok().and_then(|at| *at);
        let Some(t) = signalled_at else {
            return std::future::pending().await;
        };
        let at = t + grace;
        tokio::time::sleep_until(at).await;
        at
    };
    let (served, deadline) = tokio::select! {
        r = served => {
            let at = (*signal.borrow()).map_or_else(Instant::now, |t| t + grace);
            (r, at)
        }
        at = deadline => {
            tracing::warn!("requests still in flight after {grace:?}: stopping without them");
            (Ok(()), at)
        }
    };
    // Deliveries being sent finish within the deadline; those not taken
    // wait in the database.
    let _ = timeout_at(deadline, async {
        let _ = worker.await;
        let _ = mailer.await;
    })
    .await;
    // Connections still lent to abandoned requests are not waited for.
    if timeout_at(deadline.max(Instant::now() + std::time::Duration::from_secs(1)), store.close()).await.is_err() {
        tracing::warn!("database connections still in use at the deadline: leaving them");
    }
    served
}
