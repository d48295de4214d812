//! E-mail: the outbox (rows written in the transaction of what they tell,
//! rendered and sent by a worker, retried, kept a while as a log), each
//! person's choice of how to hear of each reason, one-click unsubscribe
//! links, daily digests, and password reset links.

use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::mail::{self, MailDelivery, REASONS};
use tandem_core::{Id, Millis};

use crate::outbox::Outbox;
use crate::product::Tx;
use crate::rows::{id, opt_id};
use crate::{Result, Store, StoreError};

/// What a mail is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    Notification(Id),
    /// A daily digest of these notifications.
    Digest(Vec<Id>),
    Invitation(Id),
    PasswordReset,
}

/// A mail a worker holds, with what it needs to render and send it.
#[derive(Debug, Clone)]
pub struct OutMail {
    pub id: Id,
    pub kind: MailKind,
    pub user_id: Option<Id>,
    /// The recipient: the user's address, or the invitee's.
    pub to: String,
    pub to_name: Option<String>,
    pub secret: Option<String>,
    pub link_base: Option<String>,
    pub attempts: i64,
}

/// How one send went.
#[derive(Debug, Clone)]
pub enum Sent {
    Delivered {
        subject: String,
        message_id: String,
    },
    /// Try again later (or fail after the last try).
    Failed(String),
    /// Never sendable (no mail server, no address): fail now.
    Unsendable(String),
}

/// Queues the instant mail of a new notification when its person hears of
/// its reason as it happens; in the notification's transaction.
pub(crate) async fn after_notice(tx: &mut Tx, notification: Id, user: Id, reason: &str, now: Millis) -> Result<()> {
    let queued = sqlx::query(
        "INSERT INTO mail_outbox (kind, user_id, notification_id, status, attempts, next_at, created_at) \
         SELECT 'notification', $1, $2, 'pending', 0, $3, $3 WHERE COALESCE((SELECT delivery FROM \
         notification_settings WHERE user_id = $1 AND reason = $4), $5) = 'instant'",
    )
    .bind(user.0)
    .bind(notification.0)
    .bind(now.0)
    .bind(reason)
    .bind(mail::default_delivery(reason).as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    // Mailed now, or never (off): only daily ones wait for a digest.
    let daily = queued == 0
        && sqlx::query_scalar::<_, String>(
            "SELECT COALESCE((SELECT delivery FROM notification_settings WHERE user_id = $1 AND reason = $2), $3)",
        )
        .bind(user.0)
        .bind(reason)
        .bind(mail::default_delivery(reason).as_str())
        .fetch_one(&mut **tx)
        .await?
            == "daily";
    if !daily {
        sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2")
            .bind(now.0)
            .bind(notification.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Queues an invitation's mail in its transaction.
pub(crate) async fn invitation(
    tx: &mut Tx,
    invitation: Id,
    to: &str,
    secret: &str,
    base: Option<&str>,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_outbox (kind, to_address, invitation_id, secret, link_base, status, attempts, next_at, \
         created_at) VALUES ('invitation', $1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(to)
    .bind(invitation.0)
    .bind(secret)
    .bind(base)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The SQL value of a reason's delivery for the person of notification
/// `n`: their choice, else the reason's default.
fn delivery_sql() -> String {
    let mut cases = String::from("CASE n.reason");
    for r in REASONS {
        cases.push_str(&format!(" WHEN '{}' THEN '{}'", r.word, r.default.as_str()));
    }
    cases.push_str(" ELSE 'off' END");
    format!(
        "COALESCE((SELECT s.delivery FROM notification_settings s WHERE s.user_id = n.user_id \
         AND s.reason = n.reason), {cases})"
    )
}

fn out_mail(r: &AnyRow) -> Result<OutMail> {
    let kind: String = r.try_get("kind")?;
    let kind = match kind.as_str() {
        "notification" => MailKind::Notification(opt_id(r, "notification_id")?.ok_or(StoreError::NotFound)?),
        "digest" => {
            let items: Option<String> = r.try_get("items")?;
            let ids: Vec<i64> = serde_json::from_str(items.as_deref().unwrap_or("[]"))
                .map_err(|e| StoreError::Corrupt(format!("digest items: {e}")))?;
            MailKind::Digest(ids.into_iter().map(Id).collect())
        }
        "invitation" => MailKind::Invitation(opt_id(r, "invitation_id")?.ok_or(StoreError::NotFound)?),
        "password_reset" => MailKind::PasswordReset,
        other => return Err(StoreError::Corrupt(format!("mail kind {other}"))),
    };
    let to: Option<String> = r.try_get("email")?;
    let to = match to {
        Some(e) => e,
        None => r.try_get::<Option<String>, _>("to_address")?.unwrap_or_default(),
    };
    Ok(OutMail {
        id: id(r, "id")?,
        kind,
        user_id: opt_id(r, "user_id")?,
        to,
        to_name: r.try_get("name")?,
        secret: r.try_get("secret")?,
        link_base: r.try_get("link_base")?,
        attempts: r.try_get("attempts")?,
    })
}

impl Store {
    /// The reasons `user` chose a delivery for (the others keep their
    /// default).
    pub async fn notification_settings(&self, user: Id) -> Result<Vec<(String, MailDelivery)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT reason, delivery FROM notification_settings WHERE user_id = $1 ORDER BY reason")
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().filter_map(|(r, d)| MailDelivery::parse(&d).map(|d| (r, d))).collect())
    }

    /// Sets how `user` hears of each of `choices`' reasons.
    pub async fn set_notification_settings(&self, user: Id, choices: &[(&str, MailDelivery)]) -> Result<()> {
        let mut tx = self.write().await?;
        for (reason, delivery) in choices {
            set_delivery(&mut tx, user, reason, *delivery).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The one-click unsubscribe token of `user` for `reason`, `candidate`
    /// when there was none yet.
    pub async fn unsubscribe_token(&self, user: Id, reason: &str, candidate: &str) -> Result<String> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO unsubscribe_tokens (token, user_id, reason) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, reason) DO NOTHING",
        )
        .bind(candidate)
        .bind(user.0)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        let t: String = sqlx::query_scalar("SELECT token FROM unsubscribe_tokens WHERE user_id = $1 AND reason = $2")
            .bind(user.0)
            .bind(reason)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Whose reason an unsubscribe token names.
    pub async fn unsubscribe_target(&self, token: &str) -> Result<Option<(Id, String)>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT user_id, reason FROM unsubscribe_tokens WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(u, r)| (Id(u), r)))
    }

    /// Starts a password reset: the link's hash kept until `expires`, its
    /// mail queued with the secret, in one transaction. Refused (conflict)
    /// when one was asked for in the last minute.
    pub async fn create_password_reset(
        &self,
        user: Id,
        token_hash: &str,
        secret: &str,
        link_base: Option<&str>,
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let recent: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2")
                .bind(user.0)
                .bind(now.0 - 60_000)
                .fetch_one(&mut *tx)
                .await?;
        if recent > 0 {
            return Err(StoreError::Conflict("a reset link was sent a moment ago".to_owned()));
        }
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now.0)
        .bind(now.0 + mail::RESET_TTL_MS)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO mail_outbox (kind, user_id, secret, link_base, status, attempts, next_at, created_at) \
             VALUES ('password_reset', $1, $2, $3, 'pending', 0, $4, $4)",
        )
        .bind(user.0)
        .bind(secret)
        .bind(link_base)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a reset link: sets the password and ends every session, once;
    /// not found for an unknown, used or expired link.
    pub async fn reset_password(&self, token_hash: &str, password_hash: &str, now: Millis) -> Result<Id> {
        let mut tx = self.write().await?;
        let user: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await?;
        let user = user.ok_or(StoreError::NotFound)?;
        // Every other open link of the person goes too.
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now.0)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now.0)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Id(user))
    }

    /// Queues the digest due at `due_since` (the last digest hour) for
    /// everyone whose daily notifications from before it wait unread and
    /// unmailed and who has had none since; each
    /// person's digest, its notifications marked mailed and their digest
    /// time in one transaction. How many were queued.
    pub async fn queue_digests(&self, now: Millis, due_since: Millis) -> Result<usize> {
        let sql = format!(
            "SELECT n.user_id, n.id FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE n.mailed_at IS NULL AND n.read_at IS NULL AND n.created_at <= $1 \
             AND (u.digest_sent_at IS NULL OR u.digest_sent_at < $1) AND {} = 'daily' ORDER BY n.user_id, n.id",
            delivery_sql()
        );
        let rows: Vec<(i64, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(due_since.0).fetch_all(&self.pool).await?;
        let mut people: Vec<(i64, Vec<i64>)> = Vec::new();
        for (u, n) in rows {
            match people.last_mut() {
                Some((last, items)) if *last == u => items.push(n),
                _ => people.push((u, vec![n])),
            }
        }
        for (user, items) in &people {
            let mut tx = self.write().await?;
            let items_json = serde_json::to_string(items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO mail_outbox (kind, user_id, items, status, attempts, next_at, created_at) \
                 VALUES ('digest', $1, $2, 'pending', 0, $3, $3)",
            )
            .bind(user)
            .bind(items_json)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            for n in items {
                sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2 AND mailed_at IS NULL")
                    .bind(now.0)
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE users SET digest_sent_at = $1 WHERE id = $2")
                .bind(now.0)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(people.len())
    }

    /// Claims up to `limit` mails due at `now` for `hold_ms`.
    pub async fn claim_mail(&self, now: Millis, limit: i64, hold_ms: i64) -> Result<Vec<OutMail>> {
        let rows = sqlx::query(
            "SELECT m.id, m.kind, m.user_id, m.to_address, m.notification_id, m.invitation_id, m.items, m.secret, \
             m.link_base, m.attempts, u.email, u.name FROM mail_outbox m LEFT JOIN users u ON u.id = m.user_id \
             WHERE m.status = 'pending' AND m.next_at <= $1 AND (m.claimed_until IS NULL OR m.claimed_until < $1) \
             ORDER BY m.next_at, m.id LIMIT $2",
        )
        .bind(now.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let m = out_mail(r)?;
            let got = self.claim(Outbox::Mail, m.id, now, hold_ms).await?;
            if got {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Records a send: sent (its secret dropped), due again after the
    /// retry delay, or failed.
    pub async fn finish_mail(&self, m: &OutMail, sent: &Sent, now: Millis) -> Result<()> {
        let attempts = m.attempts + 1;
        let mut tx = self.write().await?;
        match sent {
            Sent::Delivered { subject, message_id } => {
                sqlx::query(
                    "UPDATE mail_outbox SET status = 'sent', attempts = $1, next_at = NULL, claimed_until = NULL, \
                     secret = NULL, subject = $2, message_id = $3, error = NULL, sent_at = $4 WHERE id = $5",
                )
                .bind(attempts)
                .bind(subject)
                .bind(message_id)
                .bind(now.0)
                .bind(m.id.0)
                .execute(&mut *tx)
                .await?;
            }
            Sent::Failed(why) | Sent::Unsendable(why) => {
                let next = match sent {
                    Sent::Failed(_) => mail::retry_delay(attempts).map(|w| now.0 + w),
                    _ => None,
                };
                let (status, secret_kept) = if next.is_some() { ("pending", true) } else { ("failed", false) };
                sqlx::query(
                    "UPDATE mail_outbox SET status = $1, attempts = $2, next_at = $3, claimed_until = NULL, \
                     error = $4, secret = CASE WHEN $5 = 1 THEN secret ELSE NULL END WHERE id = $6",
                )
                .bind(status)
                .bind(attempts)
                .bind(next)
                .bind(why)
                .bind(i64::from(secret_kept))
                .bind(m.id.0)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops sent and failed mail older than `before` from the log.
    pub async fn prune_mail(&self, before: Millis) -> Result<u64> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM mail_outbox WHERE status <> 'pending' AND created_at < $1")
            .bind(before.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// The outbox as a log, newest first: `(kind, to, status, attempts,
    /// subject, error)`, for admins and tests.
    pub async fn mail_log(&self, limit: i64) -> Result<Vec<MailLogEntry>> {
        let rows = sqlx::query(
            "SELECT m.id, m.kind, COALESCE(u.email, m.to_address) AS recipient, m.status, m.attempts, m.subject, \
             m.message_id, m.error FROM mail_outbox m LEFT JOIN users u ON u.id = m.user_id ORDER BY m.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MailLogEntry {
                    id: id(r, "id")?,
                    kind: r.try_get("kind")?,
                    to: r.try_get::<Option<String>, _>("recipient")?.unwrap_or_default(),
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    subject: r.try_get("subject")?,
                    message_id: r.try_get("message_id")?,
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }

    /// The notifications of a digest, in order, that still exist.
    pub async fn notifications_by_id(&self, user: Id, ids: &[Id]) -> Result<Vec<tandem_core::model::Notification>> {
        let mut out = Vec::with_capacity(ids.len());
        for n in ids {
            match self.notification(user, *n).await {
                Ok(x) => out.push(x),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// What an invitation's mail says: the workspace's name, who invited,
    /// the role.
    pub async fn invitation_for_mail(&self, invitation: Id) -> Result<(String, Option<String>, String)> {
        let row: Option<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT w.name, u.name, i.role FROM invitations i JOIN workspaces w ON w.id = i.workspace_id \
             LEFT JOIN users u ON u.id = i.invited_by WHERE i.id = $1",
        )
        .bind(invitation.0)
        .fetch_optional(&self.pool)
        .await?;
        row.ok_or(StoreError::NotFound)
    }
}

/// One line of the mail log.
#[derive(Debug, Clone)]
pub struct MailLogEntry {
    pub id: Id,
    pub kind: String,
    pub to: String,
    pub status: String,
    pub attempts: i64,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub error: Option<String>,
}

async fn set_delivery(tx: &mut Tx, user: Id, reason: &str, delivery: MailDelivery) -> Result<()> {
    sqlx::query(
        "INSERT INTO notification_settings (user_id, reason, delivery) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, reason) DO UPDATE SET delivery = excluded.delivery",
    )
    .bind(user.0)
    .bind(reason)
    .bind(delivery.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::{Notice, insert};

    async fn queued(store: &Store) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox").fetch_one(&store.pool).await.unwrap()
    }

    #[tokio::test]
    async fn mail_is_queued_with_its_notification_or_not_at_all() {
        let (store, key, dir) = crate::analytics::scratch("mailbox").await;
        let now = Millis(1_800_000_000_000);
        let product = store.product(key.product_id).await.unwrap();
        let notice = |reason: &'static str| Notice {
            user_id: product.owner_id,
            reason,
            subject_type: "product".into(),
            subject_id: product.id,
            text: "x".into(),
            link: "/".into(),
        };

        // Rolled back: neither the notification nor its mail.
        let mut tx = store.write().await.unwrap();
        insert(&mut tx, product.workspace_id, &[notice("mention")], now).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(queued(&store).await, 0);

        // Committed: a mention is mailed as it happens; `informed` waits
        // for the digest; an unknown reason is never mailed.
        let mut tx = store.write().await.unwrap();
        insert(&mut tx, product.workspace_id, &[notice("mention"), notice("informed"), notice("other")], now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(queued(&store).await, 1);
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE mailed_at IS NULL")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(waiting, 1, "only the daily one waits for a digest");

        // The digest takes it once, at its hour.
        let due = Millis(now.0 + 1);
        assert_eq!(store.queue_digests(due, due).await.unwrap(), 1);
        assert_eq!(store.queue_digests(due, due).await.unwrap(), 0);
        assert_eq!(queued(&store).await, 2);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
