//! Webhooks of a workspace: its admins make, change and remove endpoints,
//! read their delivery logs and send a delivery again.

use serde::{Deserialize, Serialize};
use tandem_core::webhook::{self, Delivery, Webhook, WebhookFormat};
use tandem_core::{Id, access};
use tandem_store::Page;
use tandem_store::webhooks::{WebhookDraft, WebhookEdit};
use utoipa::ToSchema;

use crate::App;
use crate::error::AppError;
use crate::outbound::check_address;
use crate::outbound::webhooks::new_secret;

/// `POST /workspaces/{ws}/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are posted: `https://` (or `http://`).
    pub url: String,
    /// Object types (`task`, `feature`, `change_request`…), single actions
    /// (`task.updated`) or `*` for every event.
    pub events: Vec<String>,
    /// `standard` (default) or `chat`.
    pub format: Option<WebhookFormat>,
    /// Default true.
    pub enabled: Option<bool>,
}

/// `PATCH /webhooks/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub format: Option<WebhookFormat>,
    /// Enabling an endpoint Tandem disabled starts its failure clock afresh.
    pub enabled: Option<bool>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// A new endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…`: the key of each delivery's `webhook-signature`.
    pub secret: String,
}

/// The endpoint `id` if `user` is an admin of its workspace (not found
/// for non-members, forbidden for other members).
async fn administered(state: &App, user: Id, id: Id) -> Result<Webhook, AppError> {
    let w = state.store.webhook(id).await?;
    let role = state.store.role_in(w.workspace_id, user).await?.ok_or(AppError::NotFound)?;
    if access::is_admin(role) { Ok(w) } else { Err(AppError::Forbidden) }
}

/// A checked address that may be called from this server.
async fn callable(state: &App, raw: &str) -> Result<String, AppError> {
    let url = webhook::url(raw)?;
    check_address(&url, state.settings.webhooks_allow_private).await.map_err(|m| AppError::invalid("url", m))?;
    Ok(url)
}

/// The endpoints of `ws` (its admins, checked by the caller).
pub async fn list(state: &App, ws: Id) -> Result<Vec<Webhook>, AppError> {
    Ok(state.store.webhooks(ws).await?)
}

/// Makes an endpoint in `ws` for its admin `user`.
pub async fn create(state: &App, ws: Id, user: Id, req: NewWebhook) -> Result<CreatedWebhook, AppError> {
    let draft = WebhookDraft {
        url: callable(state, &req.url).await?,
        events: webhook::events(&req.events)?,
        format: req.format.unwrap_or(WebhookFormat::Standard),
        enabled: req.enabled.unwrap_or(true),
        secret: new_secret()?,
    };
    let w = state.store.create_webhook(ws, user, &draft, state.clock.now()).await?;
    Ok(CreatedWebhook { webhook: w, secret: draft.secret })
}

pub async fn get(state: &App, user: Id, id: Id) -> Result<Webhook, AppError> {
    administered(state, user, id).await
}

pub async fn edit(state: &App, user: Id, id: Id, version: i64, req: EditWebhook) -> Result<Webhook, AppError> {
    let w = administered(state, user, id).await?;
    let edit = WebhookEdit {
        url: match req.url.as_deref() {
            Some(u) => Some(callable(state, u).await?),
            None => None,
        },
        events: req.events.as_deref().map(webhook::events).transpose()?,
        format: req.format,
        enabled: req.enabled,
    };
    Ok(state.store.edit_webhook(user, w.id, version, &edit, state.clock.now()).await?)
}

pub async fn delete(state: &App, user: Id, id: Id) -> Result<(), AppError> {
    let w = administered(state, user, id).await?;
    Ok(state.store.delete_webhook(user, w.id, state.clock.now()).await?)
}

/// The endpoint's deliveries, newest first.
pub async fn deliveries(
    state: &App,
    user: Id,
    id: Id,
    before: Option<Id>,
    limit: i64,
) -> Result<Page<Delivery>, AppError> {
    let w = administered(state, user, id).await?;
    Ok(state.store.webhook_deliveries(w.id, before, limit).await?)
}

/// Sends a delivery's body again, as a new delivery due now.
pub async fn redeliver(state: &App, user: Id, delivery: Id) -> Result<Delivery, AppError> {
    let d = state.store.webhook_delivery(delivery).await?;
    let w = administered(state, user, d.webhook_id).await?;
    if !w.enabled {
        return Err(AppError::Conflict("this webhook is disabled; enable it to send deliveries again".to_owned()));
    }
    Ok(state.store.redeliver(user, d.id, state.clock.now()).await?)
}
