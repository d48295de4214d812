//! What the outboxes (webhook deliveries, mail) share: a worker holds a
//! due row for a while before it sends, so the servers sharing a database
//! never send the same row twice at once, and a held row whose worker
//! died is taken again once its hold ends.

use tandem_core::{Id, Millis};

use crate::{Result, Store};

/// An outbox table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outbox {
    Webhooks,
    Mail,
}

impl Outbox {
    fn claim_sql(self) -> &'static str {
        match self {
            Outbox::Webhooks => {
                "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id = $2 AND status = 'pending' \
                 AND (claimed_until IS NULL OR claimed_until < $3)"
            }
            Outbox::Mail => {
                "UPDATE mail_outbox SET claimed_until = $1 WHERE id = $2 AND status = 'pending' \
                 AND (claimed_until IS NULL OR claimed_until < $3)"
            }
        }
    }
}

/// How many rows of an outbox wait and how many failed for good.
#[derive(Debug, Clone, Copy)]
pub struct OutboxCount {
    pub queue: &'static str,
    pub waiting: i64,
    pub failed: i64,
}

impl Store {
    /// Both outboxes' waiting and failed rows, for metrics.
    pub async fn outbox_counts(&self) -> Result<Vec<OutboxCount>> {
        let mut out = Vec::with_capacity(2);
        for (queue, table) in [("webhooks", "webhook_deliveries"), ("mail", "mail_outbox")] {
            // Each count reads the (status, next_at) index, not the table.
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE status = $1");
            let count = async |status: &str| -> Result<i64> {
                Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(status).fetch_one(&self.pool).await?)
            };
            let waiting = count("pending").await?;
            let failed = count("failed").await?;
            out.push(OutboxCount { queue, waiting, failed });
        }
        Ok(out)
    }

    /// Holds row `id` of `outbox` until `now + hold_ms`; whether this caller
    /// got it (another may have first).
    pub(crate) async fn claim(&self, outbox: Outbox, id: Id, now: Millis, hold_ms: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let got = sqlx::query(outbox.claim_sql())
            .bind(now.0 + hold_ms)
            .bind(id.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(got == 1)
    }
}
