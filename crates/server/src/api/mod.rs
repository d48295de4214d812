//! The JSON API under `/api/v1`, with its OpenAPI document generated from
//! the handlers' annotations.

pub(crate) mod account;
mod activity;
mod analytics;
mod bulk;
mod changes;
pub(crate) mod comments;
mod control;
mod custom;
mod dashboards;
mod decisions;
mod delivery;
mod events;
mod feeds;
mod mail;
mod market;
pub(crate) mod members;
mod notifications;
mod okrs;
pub(crate) mod product;
mod project;
mod rituals;
mod search;
mod sso;
mod syncs;
mod views;
mod webhooks;

mod workspaces;

use serde::Serialize;
use tandem_core::Id;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// A page of a list and the cursor of the next one (`null` at the end).
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> From<tandem_store::Page<T>> for List<T> {
    fn from(p: tandem_store::Page<T>) -> Self {
        List { items: p.items, next_cursor: p.next_after.map(|i: Id| i.to_string()) }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Tandem API", description = "Product and project management in one system. \
        Errors use `{\"error\": {\"code\", \"message\", \"details\"}}`. Authenticate with a session cookie \
        (unsafe requests then need `X-CSRF-Token`) or `Authorization: Bearer <token>`."),
    modifiers(&Security),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// The document's header: title, description, security schemes.
pub fn doc() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Every API route, with its OpenAPI description, relative to `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(account::routes())
        .merge(workspaces::routes())
        .merge(members::routes())
        .merge(activity::routes())
        .merge(product::routes())
        .merge(okrs::routes())
        .merge(market::routes())
        .merge(comments::routes())
        .merge(project::routes())
        .merge(delivery::routes())
        .merge(control::routes())
        .merge(decisions::routes())
        .merge(changes::routes())
        .merge(syncs::routes())
        .merge(notifications::routes())
        .merge(dashboards::routes())
        .merge(search::routes())
        .merge(events::routes())
        .merge(views::routes())
        .merge(custom::routes())
        .merge(bulk::routes())
        .merge(analytics::routes())
        .merge(webhooks::routes())
        .merge(feeds::routes())
        .merge(mail::routes())
        .merge(sso::routes())
        .merge(rituals::routes())
}
