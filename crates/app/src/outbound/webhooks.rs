//! The webhook worker: takes the deliveries that are due from the outbox,
//! signs each per Standard Webhooks and posts it through the guarded
//! client, and records how it went (delivered, due again, failed; an
//! endpoint failing for a day is disabled by the store).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tandem_core::Id;
use tandem_core::webhook::{self, WebhookFormat};
use tandem_store::webhooks::{Attempt, Outgoing};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{Outbound, Outcome};
use crate::App;
use crate::error::AppError;
use crate::metrics::{self, Queue};

/// The deliveries one pass takes at most.
const BATCH: i64 = 20;

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new endpoint secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` of a delivery: `v1,` and the base64 HMAC-SHA256,
/// keyed by the secret's bytes, of `id.timestamp.body`.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Result<String, AppError> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|e| AppError::Internal(format!("webhook secret: {e}")))?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&key).map_err(|e| AppError::Internal(format!("webhook secret: {e}")))?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// Runs the worker until `stop` turns true: a pass over due deliveries
/// every `poll`, each pass's sends side by side.
pub fn spawn(app: App, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match Outbound::new(app.settings.webhooks_allow_private, app.settings.webhook_timeout) {
            Ok(c) => Arc::new(c),
            Err(e) => {
                tracing::error!("webhooks stay unsent: {e}");
                return;
            }
        };
        // A claim outlives the longest attempt, so no other server takes
        // a delivery being sent.
        let hold = i64::try_from(app.settings.webhook_timeout.as_millis()).unwrap_or(60_000) * 2 + 5_000;
        loop {
            if *stop.borrow() {
                return;
            }
            match pass(&app, &client, hold).await {
                // A full batch: more may be waiting.
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("webhook pass: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(app.settings.outbox_poll) => {}
                _ = stop.changed() => {}
            }
        }
    })
}

/// One pass: claims what is due and sends it. How many were sent.
async fn pass(app: &App, client: &Arc<Outbound>, hold: i64) -> Result<usize, AppError> {
    let due = app.store.claim_deliveries(app.clock.now(), BATCH, hold).await?;
    let n = due.len();
    let mut sends = JoinSet::new();
    for out in due {
        let (app, client) = (app.clone(), client.clone());
        sends.spawn(async move {
            let attempt = send(&app, &client, &out).await;
            app.metrics.outbox_attempt(Queue::Webhooks, metrics::Attempt::of(attempt.delivered));
            if let Err(e) = app.store.finish_delivery(&out, &attempt, app.clock.now()).await {
                tracing::warn!("webhook delivery {}: {e}", out.id);
            }
        });
    }
    while sends.join_next().await.is_some() {}
    Ok(n)
}

/// One attempt at a delivery.
async fn send(app: &App, client: &Outbound, out: &Outgoing) -> Attempt {
    let body = match out.format {
        WebhookFormat::Standard => out.payload.clone(),
        WebhookFormat::Chat => chat_body(app, out).await,
    };
    let msg_id = format!("msg_{}", out.id);
    let timestamp = app.clock.now().0.div_euclid(1000);
    let signature = match sign(&out.secret, &msg_id, timestamp, &body) {
        Ok(s) => s,
        Err(e) => {
            return Attempt {
                delivered: false,
                response_status: None,
                response_body: None,
                error: Some(e.to_string()),
            };
        }
    };
    let headers =
        [("webhook-id", msg_id), ("webhook-timestamp", timestamp.to_string()), ("webhook-signature", signature)];
    match client.post_json(&out.url, &headers, body).await {
        Outcome::Answered { status, body } => {
            let delivered = (200..300).contains(&status);
            let error = (300..400).contains(&status).then(|| format!("answered {status}: redirects are not followed"));
            Attempt { delivered, response_status: Some(i64::from(status)), response_body: Some(body), error }
        }
        Outcome::Refused(why) => Attempt {
            delivered: false,
            response_status: None,
            response_body: None,
            error: Some(format!("refused: {why}")),
        },
        Outcome::Failed(why) => {
            Attempt { delivered: false, response_status: None, response_body: None, error: Some(why) }
        }
    }
}

/// A chat message for the delivery's entry, linked to the object's page
/// when the server knows its public address.
async fn chat_body(app: &App, out: &Outgoing) -> String {
    let payload: Value = serde_json::from_str(&out.payload).unwrap_or(Value::Null);
    let data = &payload["data"];
    let id_of = |k: &str| data[k].as_str().and_then(|s| s.parse::<i64>().ok()).or_else(|| data[k].as_i64()).map(Id);
    let actor = match id_of("actor_id") {
        Some(a) => app.store.user(a).await.ok().map(|u| u.name),
        None => None,
    };
    let kind = data["subject_type"].as_str().unwrap_or("");
    let (label, link) = match id_of("subject_id") {
        Some(s) => {
            let label = app.store.subject_label(kind, s).await.ok().flatten();
            let page = match kind {
                "task" | "feature" | "project" | "product" => crate::links::page_of(kind, s, s),
                _ => format!("/w/{}/activity", out.workspace_id),
            };
            (label, app.settings.public_url.as_ref().map(|base| format!("{}{page}", base.trim_end_matches('/'))))
        }
        None => (None, None),
    };
    json!({"text": webhook::chat_text(actor.as_deref(), &out.event, label.as_deref(), link.as_deref())}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig.ok().as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn secrets_are_prefixed_base64_of_32_bytes() {
        let s = new_secret().unwrap_or_default();
        let bytes = STANDARD.decode(s.strip_prefix(SECRET_PREFIX).unwrap_or("")).unwrap_or_default();
        assert_eq!(bytes.len(), 32);
    }
}
