//! Outbound webhooks: endpoints, their subscriptions, and the deliveries
//! that are at once the outbox (written in the transaction of the change
//! they tell of, so a rolled-back change sends nothing and a crash loses
//! nothing) and the delivery log.

use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::webhook::{
    self, DISABLE_AFTER_MS, Delivery, DeliveryStatus, MAX_WEBHOOKS, Webhook, WebhookFormat, retry_delay,
};
use tandem_core::{Id, Millis, Role};

use crate::activity::{Change, record, record_update};
use crate::notifications::{self, Notice};
use crate::outbox::Outbox;
use crate::product::Tx;
use crate::rows::{check_version, id, millis, opt_millis, word};
use crate::{MAX_PAGE, Page, Result, Store, StoreError};

const COLS: &str = "SELECT id, workspace_id, url, format, enabled, disabled_reason, failing_since, version, \
                    created_at, updated_at FROM webhooks";

const DELIVERY_COLS: &str = "SELECT id, webhook_id, event, status, attempts, next_at, payload, response_status, \
                             response_body, error, created_at, last_attempt_at FROM webhook_deliveries";

/// The most of a receiver's answer kept in the log.
pub const MAX_RESPONSE_CHARS: usize = 4096;

async fn fetch(tx: &mut Tx, w: Id) -> Result<Webhook> {
    let sql = format!("{COLS} WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(w.0).fetch_optional(&mut **tx).await?;
    let row = row.ok_or(StoreError::NotFound)?;
    let events = events_of(&mut **tx, w).await?;
    webhook_row(&row, events)
}

async fn events_of<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, w: Id) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT event FROM webhook_events WHERE webhook_id = $1 ORDER BY event")
        .bind(w.0)
        .fetch_all(ex)
        .await?)
}

fn webhook_row(row: &AnyRow, events: Vec<String>) -> Result<Webhook> {
    Ok(Webhook {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        url: row.try_get("url")?,
        events,
        format: word(row, "format", WebhookFormat::parse)?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        disabled_reason: row.try_get("disabled_reason")?,
        failing_since: opt_millis(row, "failing_since")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

fn delivery_row(row: &AnyRow) -> Result<Delivery> {
    let payload: String = row.try_get("payload")?;
    Ok(Delivery {
        id: id(row, "id")?,
        webhook_id: id(row, "webhook_id")?,
        event: row.try_get("event")?,
        status: word(row, "status", DeliveryStatus::parse)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: opt_millis(row, "next_at")?,
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("payload: {e}")))?,
        response_status: row.try_get("response_status")?,
        response_body: row.try_get("response_body")?,
        error: row.try_get("error")?,
        created_at: millis(row, "created_at")?,
        last_attempt_at: opt_millis(row, "last_attempt_at")?,
    })
}

async fn set_events(tx: &mut Tx, w: Id, events: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM webhook_events WHERE webhook_id = $1").bind(w.0).execute(&mut **tx).await?;
    for e in events {
        sqlx::query("INSERT INTO webhook_events (webhook_id, event) VALUES ($1, $2)")
            .bind(w.0)
            .bind(e)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn change(w: &Webhook, actor: Option<Id>, action: &'static str) -> Change {
    Change {
        workspace_id: w.workspace_id,
        actor_id: actor,
        action,
        subject_type: "webhook",
        subject_id: w.id,
        before: None,
        after: None,
    }
}

/// An endpoint as the activity log keeps it: its address cut to scheme
/// and host, since chat services' addresses are secrets every member
/// could otherwise read there.
fn logged(w: &Webhook) -> Webhook {
    Webhook { url: host_of(&w.url), ..w.clone() }
}

fn host_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}/…", rest.split(['/', '?', '#']).next().unwrap_or("")),
        None => "…".to_owned(),
    }
}

fn json_of<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Queues a delivery of an activity entry to each enabled endpoint of its
/// workspace subscribed to it, in the entry's transaction.
pub(crate) async fn enqueue(tx: &mut Tx, change: &Change, now: Millis) -> Result<()> {
    let Some(kind) = webhook::event_type(change.action) else { return Ok(()) };
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT w.id FROM webhooks w WHERE w.workspace_id = $1 AND w.enabled = 1 AND EXISTS \
         (SELECT 1 FROM webhook_events e WHERE e.webhook_id = w.id AND e.event IN ($2, $3, '*'))",
    )
    .bind(change.workspace_id.0)
    .bind(kind)
    .bind(change.action)
    .fetch_all(&mut **tx)
    .await?;
    if ids.is_empty() {
        return Ok(());
    }
    let body = webhook::payload(
        change.action,
        now,
        change.workspace_id,
        change.subject_type,
        change.subject_id,
        change.actor_id,
        change.before.as_ref(),
        change.after.as_ref(),
    )
    .to_string();
    for w in ids {
        insert_delivery(tx, Id(w), change.action, &body, now).await?;
    }
    Ok(())
}

async fn insert_delivery(tx: &mut Tx, w: Id, event: &str, body: &str, now: Millis) -> Result<Id> {
    let d: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, next_at, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $4) RETURNING id",
    )
    .bind(w.0)
    .bind(event)
    .bind(body)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Id(d))
}

/// An endpoint to make, checked.
#[derive(Debug, Clone)]
pub struct WebhookDraft {
    pub url: String,
    pub events: Vec<String>,
    pub format: WebhookFormat,
    pub enabled: bool,
    pub secret: String,
}

/// What an endpoint's edit may change.
#[derive(Debug, Clone, Default)]
pub struct WebhookEdit {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub format: Option<WebhookFormat>,
    pub enabled: Option<bool>,
}

/// A delivery a worker holds, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Id,
    pub webhook_id: Id,
    pub workspace_id: Id,
    pub url: String,
    pub secret: String,
    pub format: WebhookFormat,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver answered 2xx.
    pub delivered: bool,
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

impl Store {
    /// Makes an endpoint; refused past [`MAX_WEBHOOKS`] in a workspace.
    pub async fn create_webhook(&self, ws: Id, actor: Id, draft: &WebhookDraft, now: Millis) -> Result<Webhook> {
        let mut tx = self.write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks WHERE workspace_id = $1")
            .bind(ws.0)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_WEBHOOKS {
            return Err(StoreError::Conflict(format!("this workspace has {MAX_WEBHOOKS} webhooks; delete one first")));
        }
        let w: i64 = sqlx::query_scalar(
            "INSERT INTO webhooks (workspace_id, url, format, enabled, secret, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(ws.0)
        .bind(&draft.url)
        .bind(draft.format.as_str())
        .bind(i64::from(draft.enabled))
        .bind(&draft.secret)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        set_events(&mut tx, Id(w), &draft.events).await?;
        let hook = fetch(&mut tx, Id(w)).await?;
        record(&mut tx, &change(&hook, Some(actor), "webhook.created").after(json_of(&logged(&hook))?), now).await?;
        tx.commit().await?;
        Ok(hook)
    }

    pub async fn webhooks(&self, ws: Id) -> Result<Vec<Webhook>> {
        let sql = format!("{COLS} WHERE workspace_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ws.0).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let events = events_of(&self.pool, id(r, "id")?).await?;
            out.push(webhook_row(r, events)?);
        }
        Ok(out)
    }

    pub async fn webhook(&self, w: Id) -> Result<Webhook> {
        let sql = format!("{COLS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(w.0).fetch_optional(&self.pool).await?;
        let row = row.ok_or(StoreError::NotFound)?;
        webhook_row(&row, events_of(&self.pool, w).await?)
    }

    /// Changes an endpoint read at `version`. Enabling it again starts its
    /// failure clock afresh.
    pub async fn edit_webhook(
        &self,
        actor: Id,
        w: Id,
        version: i64,
        edit: &WebhookEdit,
        now: Millis,
    ) -> Result<Webhook> {
        let mut tx = self.write().await?;
        let before = fetch(&mut tx, w).await?;
        check_version(before.version, version)?;
        let enabled = edit.enabled.unwrap_or(before.enabled);
        // Turned on again, or pointed elsewhere: the failures were another's.
        let revived = (enabled && !before.enabled) || edit.url.as_ref().is_some_and(|u| *u != before.url);
        sqlx::query(
            "UPDATE webhooks SET url = $1, format = $2, enabled = $3, \
             failing_since = CASE WHEN $4 = 1 THEN NULL ELSE failing_since END, \
             disabled_reason = CASE WHEN $3 = 1 THEN NULL ELSE disabled_reason END, \
             version = version + 1, updated_at = $5 WHERE id = $6",
        )
        .bind(edit.url.as_deref().unwrap_or(&before.url))
        .bind(edit.format.unwrap_or(before.format).as_str())
        .bind(i64::from(enabled))
        .bind(i64::from(revived))
        .bind(now.0)
        .bind(w.0)
        .execute(&mut *tx)
        .await?;
        if let Some(events) = &edit.events {
            set_events(&mut tx, w, events).await?;
        }
        let after = fetch(&mut tx, w).await?;
        record_update(&mut tx, change(&before, Some(actor), "webhook.updated"), &logged(&before), &logged(&after), now)
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an endpoint with its delivery log.
    pub async fn delete_webhook(&self, actor: Id, w: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch(&mut tx, w).await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(w.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM webhook_events WHERE webhook_id = $1").bind(w.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(w.0).execute(&mut *tx).await?;
        let was = json!({"url": host_of(&before.url), "events": before.events});
        record(&mut tx, &change(&before, Some(actor), "webhook.deleted").before(was), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An endpoint's deliveries, newest first; `before` is the id of the
    /// last one of the previous page.
    pub async fn webhook_deliveries(&self, w: Id, before: Option<Id>, limit: i64) -> Result<Page<Delivery>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let sql = format!("{DELIVERY_COLS} WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(w.0)
            .bind(before.map_or(i64::MAX, |b| b.0))
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let items = rows.iter().map(delivery_row).collect::<Result<Vec<_>>>()?;
        Ok(crate::page(items, limit, |d| d.id))
    }

    pub async fn webhook_delivery(&self, d: Id) -> Result<Delivery> {
        let sql = format!("{DELIVERY_COLS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(d.0).fetch_optional(&self.pool).await?;
        delivery_row(&row.ok_or(StoreError::NotFound)?)
    }

    /// Sends a delivery's body again, as a new delivery due now.
    pub async fn redeliver(&self, actor: Id, d: Id, now: Millis) -> Result<Delivery> {
        let mut tx = self.write().await?;
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT webhook_id, event, payload FROM webhook_deliveries WHERE id = $1")
                .bind(d.0)
                .fetch_optional(&mut *tx)
                .await?;
        let (w, event, payload) = row.ok_or(StoreError::NotFound)?;
        let hook = fetch(&mut tx, Id(w)).await?;
        let new = insert_delivery(&mut tx, hook.id, &event, &payload, now).await?;
        let after = json!({"delivery_id": new, "of": d, "event": event});
        record(&mut tx, &change(&hook, Some(actor), "webhook.redelivered").after(after), now).await?;
        tx.commit().await?;
        self.webhook_delivery(new).await
    }

    /// Claims up to `limit` deliveries due at `now` for `hold_ms` (another
    /// server skips them meanwhile), oldest due first, on enabled
    /// endpoints.
    pub async fn claim_deliveries(&self, now: Millis, limit: i64, hold_ms: i64) -> Result<Vec<Outgoing>> {
        let rows = sqlx::query(
            "SELECT d.id, d.webhook_id, w.workspace_id, w.url, w.secret, w.format, d.event, d.payload, d.attempts \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.status = 'pending' AND d.next_at <= $1 AND w.enabled = 1 \
             AND (d.claimed_until IS NULL OR d.claimed_until < $1) ORDER BY d.next_at, d.id LIMIT $2",
        )
        .bind(now.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let did = id(r, "id")?;
            if self.claim(Outbox::Webhooks, did, now, hold_ms).await? {
                out.push(Outgoing {
                    id: did,
                    webhook_id: id(r, "webhook_id")?,
                    workspace_id: id(r, "workspace_id")?,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                    format: word(r, "format", WebhookFormat::parse)?,
                    event: r.try_get("event")?,
                    payload: r.try_get("payload")?,
                    attempts: r.try_get("attempts")?,
                });
            }
        }
        Ok(out)
    }

    /// Records an attempt: delivered, due again after the retry delay, or
    /// failed after the last. An endpoint failing for a day with no
    /// success is disabled, its waiting deliveries failed, and its
    /// workspace's admins told. Answers whether it was disabled.
    pub async fn finish_delivery(&self, out: &Outgoing, attempt: &Attempt, now: Millis) -> Result<bool> {
        let mut tx = self.write().await?;
        let attempts = out.attempts + 1;
        let (status, next) = if attempt.delivered {
            (DeliveryStatus::Delivered, None)
        } else {
            match retry_delay(attempts) {
                Some(wait) => (DeliveryStatus::Pending, Some(now.0 + wait)),
                None => (DeliveryStatus::Failed, None),
            }
        };
        let body: Option<String> = attempt.response_body.as_ref().map(|b| b.chars().take(MAX_RESPONSE_CHARS).collect());
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_at = $3, claimed_until = NULL, \
             response_status = $4, response_body = $5, error = $6, last_attempt_at = $7 WHERE id = $8",
        )
        .bind(status.as_str())
        .bind(attempts)
        .bind(next)
        .bind(attempt.response_status)
        .bind(body)
        .bind(attempt.error.as_deref())
        .bind(now.0)
        .bind(out.id.0)
        .execute(&mut *tx)
        .await?;
        let hook = fetch(&mut tx, out.webhook_id).await?;
        let disabled = if attempt.delivered {
            sqlx::query("UPDATE webhooks SET failing_since = NULL WHERE id = $1")
                .bind(hook.id.0)
                .execute(&mut *tx)
                .await?;
            false
        } else {
            let since = hook.failing_since.unwrap_or(now);
            if hook.enabled && now.0 - since.0 >= DISABLE_AFTER_MS {
                disable(&mut tx, &hook, now).await?;
                true
            } else {
                sqlx::query("UPDATE webhooks SET failing_since = $1 WHERE id = $2")
                    .bind(since.0)
                    .bind(hook.id.0)
                    .execute(&mut *tx)
                    .await?;
                false
            }
        };
        tx.commit().await?;
        Ok(disabled)
    }

    /// The name people read for an object of an activity entry
    /// (`ACME-12 Design API`), if it still exists.
    pub async fn subject_label(&self, subject_type: &str, subject: Id) -> Result<Option<String>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            crate::activity::subject_label!("x"),
            " FROM (SELECT CAST($1 AS TEXT) AS subject_type, CAST($2 AS BIGINT) AS subject_id) x"
        ))
        .bind(subject_type)
        .bind(subject.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => r.try_get("subject_label")?,
            None => None,
        })
    }
}

/// Disables an endpoint after a day of failures and tells its admins.
async fn disable(tx: &mut Tx, hook: &Webhook, now: Millis) -> Result<()> {
    let reason = "deliveries failed for a day";
    sqlx::query(
        "UPDATE webhooks SET enabled = 0, disabled_reason = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(reason)
    .bind(now.0)
    .bind(hook.id.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', next_at = NULL, claimed_until = NULL, \
         error = COALESCE(error, $1) WHERE webhook_id = $2 AND status = 'pending'",
    )
    .bind("endpoint disabled")
    .bind(hook.id.0)
    .execute(&mut **tx)
    .await?;
    let admins: Vec<(i64, String)> = sqlx::query_as("SELECT user_id, role FROM memberships WHERE workspace_id = $1")
        .bind(hook.workspace_id.0)
        .fetch_all(&mut **tx)
        .await?;
    let notices: Vec<Notice> = admins
        .into_iter()
        .filter(|(_, r)| r.parse::<Role>().is_ok_and(tandem_core::access::is_admin))
        .map(|(u, _)| Notice {
            user_id: Id(u),
            reason: "webhook_disabled",
            subject_type: "webhook".to_owned(),
            subject_id: hook.id,
            text: format!("The webhook to {} was disabled: {reason}", hook.url),
            link: format!("/w/{}/settings/webhooks", hook.workspace_id),
        })
        .collect();
    notifications::insert(tx, hook.workspace_id, &notices, now).await?;
    let after = json!({"enabled": false, "disabled_reason": reason});
    record(tx, &change(hook, None, "webhook.disabled").after(after), now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::change as entry;

    async fn deliveries(store: &Store) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries").fetch_one(&store.pool).await.unwrap()
    }

    #[tokio::test]
    async fn deliveries_are_written_with_their_change_or_not_at_all() {
        let (store, key, dir) = crate::analytics::scratch("outbox").await;
        let now = Millis(1_800_000_000_000);
        let product = store.product(key.product_id).await.unwrap();
        let ws = product.workspace_id;
        let owner = product.owner_id;
        let draft = WebhookDraft {
            url: "https://hooks.example.com/t".into(),
            events: vec!["feature".into()],
            format: WebhookFormat::Standard,
            enabled: true,
            secret: "whsec_AAAA".into(),
        };
        let hook = store.create_webhook(ws, owner, &draft, now).await.unwrap();
        assert_eq!(deliveries(&store).await, 0, "the webhook's own activity is no event");

        // A change that rolls back leaves no delivery behind.
        let mut tx = store.write().await.unwrap();
        record(&mut tx, &entry(ws, owner, "feature.created", "feature", Id(7)).after(json!({"title": "x"})), now)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(deliveries(&store).await, 0);

        // One that commits leaves one, with the entry as its body; an
        // event the endpoint is not subscribed to leaves none.
        let mut tx = store.write().await.unwrap();
        record(&mut tx, &entry(ws, owner, "feature.created", "feature", Id(7)).after(json!({"title": "x"})), now)
            .await
            .unwrap();
        record(&mut tx, &entry(ws, owner, "task.created", "task", Id(8)), now).await.unwrap();
        tx.commit().await.unwrap();
        let page = store.webhook_deliveries(hook.id, None, 10).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let d = &page.items[0];
        assert_eq!((d.event.as_str(), d.status), ("feature.created", DeliveryStatus::Pending));
        assert_eq!(d.payload["type"], "feature.created");
        assert_eq!(d.payload["data"]["after"]["title"], "x");
        assert_eq!(d.payload["data"]["subject_id"], json!(Id(7)));

        // Claimed once: a second claim finds nothing until the hold ends.
        assert_eq!(store.claim_deliveries(now, 10, 60_000).await.unwrap().len(), 1);
        assert!(store.claim_deliveries(now, 10, 60_000).await.unwrap().is_empty());
        assert_eq!(store.claim_deliveries(Millis(now.0 + 60_001), 10, 60_000).await.unwrap().len(), 1);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
