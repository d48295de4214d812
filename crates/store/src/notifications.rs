//! In-app notifications: written in the transaction of what they tell
//! about, read and marked read by their user.

use std::collections::BTreeSet;

use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::access::{self, Holder};
use tandem_core::change::Dimension;
use tandem_core::decision::{DecisionKind, Matrix};
use tandem_core::model::Notification;
use tandem_core::{Id, Millis, Role};

use crate::product::Tx;
use crate::rows::{id, millis, opt_millis};
use crate::{MAX_PAGE, Page, Result, Store, StoreError};

/// One notification to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub user_id: Id,
    pub reason: &'static str,
    pub subject_type: String,
    pub subject_id: Id,
    pub text: String,
    pub link: String,
}

/// Writes the notices, and queues the mail of those whose people hear of
/// their reason as it happens.
pub(crate) async fn insert(tx: &mut Tx, ws: Id, notices: &[Notice], now: Millis) -> Result<()> {
    for n in notices {
        let nid: i64 = sqlx::query_scalar(
            "INSERT INTO notifications (workspace_id, user_id, reason, subject_type, subject_id, text, link, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(ws.0)
        .bind(n.user_id.0)
        .bind(n.reason)
        .bind(&n.subject_type)
        .bind(n.subject_id.0)
        .bind(&n.text)
        .bind(&n.link)
        .bind(now.0)
        .fetch_one(&mut **tx)
        .await?;
        crate::mail::after_notice(tx, Id(nid), n.user_id, n.reason, now).await?;
    }
    Ok(())
}

async fn members_with(tx: &mut Tx, ws: Id, roles: &[Role]) -> Result<Vec<Id>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT user_id, role FROM memberships WHERE workspace_id = $1")
        .bind(ws.0)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, r)| r.parse::<Role>().is_ok_and(|r| roles.contains(&r)))
        .map(|(u, _)| Id(u))
        .collect())
}

async fn matrix(tx: &mut Tx, ws: Id) -> Result<Matrix> {
    let j: Option<String> = sqlx::query_scalar("SELECT rows_json FROM decision_matrices WHERE workspace_id = $1")
        .bind(ws.0)
        .fetch_optional(&mut **tx)
        .await?;
    match j {
        Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("rows_json: {e}"))),
        None => Ok(Matrix::default()),
    }
}

/// What a decision-log entry is about, for the people told of it.
struct About {
    kinds: Vec<DecisionKind>,
    /// For `decision_needed`: who owns the decision, by role.
    owners: Vec<(Role, Option<Id>)>,
    text: String,
    link: String,
}

async fn about(tx: &mut Tx, ws: Id, subject: (&str, Id), kind: &str) -> Result<About> {
    let fallback = || About {
        kinds: DecisionKind::parse(kind).into_iter().collect(),
        owners: Vec::new(),
        text: format!("{} on {} {}", kind.replace('_', " "), subject.0.replace('_', " "), subject.1),
        link: format!("/w/{ws}/decisions"),
    };
    match subject.0 {
        "change_request" => {
            let row = sqlx::query(
                "SELECT c.project_id, c.number, c.title, c.dimensions_json, c.required_json, p.key, p.manager_id, \
                 pr.owner_id FROM change_requests c JOIN projects p ON p.id = c.project_id \
                 LEFT JOIN products pr ON pr.id = p.product_id WHERE c.id = $1",
            )
            .bind(subject.1.0)
            .fetch_optional(&mut **tx)
            .await?;
            let Some(row) = row else { return Ok(fallback()) };
            let dims: Vec<Dimension> = serde_json::from_str(&row.try_get::<String, _>("dimensions_json")?)
                .map_err(|e| StoreError::Corrupt(format!("dimensions_json: {e}")))?;
            let required: Vec<Role> = serde_json::from_str(&row.try_get::<String, _>("required_json")?)
                .map_err(|e| StoreError::Corrupt(format!("required_json: {e}")))?;
            let increase = required.iter().any(|r| access::is_admin(*r));
            let manager = Id(row.try_get::<i64, _>("manager_id")?);
            let owner = row.try_get::<Option<i64>, _>("owner_id")?.map(Id);
            let owners = required
                .iter()
                .map(|r| match access::holder(*r) {
                    Holder::ProjectManager => (*r, Some(manager)),
                    Holder::ProductOwner => (*r, owner),
                    Holder::AnyMember => (*r, None),
                })
                .collect();
            let key = format!("{}-{}", row.try_get::<String, _>("key")?, row.try_get::<i64, _>("number")?);
            Ok(About {
                kinds: dims.iter().map(|d| d.kind(increase)).collect(),
                owners,
                text: format!("{key} {}", row.try_get::<String, _>("title")?),
                link: format!("/projects/{}/changes#cr-{}", row.try_get::<i64, _>("project_id")?, subject.1),
            })
        }
        "release" => {
            let row: Option<(i64, String)> = sqlx::query_as("SELECT product_id, name FROM releases WHERE id = $1")
                .bind(subject.1.0)
                .fetch_optional(&mut **tx)
                .await?;
            let Some((product, name)) = row else { return Ok(fallback()) };
            Ok(About {
                kinds: DecisionKind::parse(kind).into_iter().collect(),
                owners: Vec::new(),
                text: format!("Release {name}"),
                link: format!("/products/{product}/releases"),
            })
        }
        _ => Ok(fallback()),
    }
}

/// Tells the people a decision-log entry concerns, in its transaction:
/// owners who must now decide (`submitted`, `recomputed`), admins when it
/// is escalated, and every role the matrix makes accountable, consulted or
/// informed for its kinds when it is settled (`applied`, `rejected`, a
/// go/no-go call). The person who acted is told only when a decision now
/// awaits them too (a product manager filing a request she must decide);
/// their own notices about the subject are read once they act on it.
pub(crate) async fn after_decision(
    tx: &mut Tx,
    ws: Id,
    subject: (&str, Id),
    kind: &str,
    outcome: &str,
    actor: Option<Id>,
    now: Millis,
) -> Result<()> {
    if let Some(who) = actor {
        sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND subject_type = $3 AND subject_id = $4 \
             AND read_at IS NULL",
        )
        .bind(now.0)
        .bind(who.0)
        .bind(subject.0)
        .bind(subject.1.0)
        .execute(&mut **tx)
        .await?;
    }
    let a = match outcome {
        "submitted" | "recomputed" | "escalated" | "applied" | "rejected" | "go" | "no_go" => {
            about(tx, ws, subject, kind).await?
        }
        _ => return Ok(()),
    };
    let (reason, users, text) = match outcome {
        "submitted" | "recomputed" => {
            let mut users = Vec::new();
            for (role, who) in &a.owners {
                match who {
                    Some(u) => users.push(*u),
                    None => users.extend(members_with(tx, ws, &[*role]).await?),
                }
            }
            ("decision_needed", users, format!("{} awaits your decision", a.text))
        }
        "escalated" => {
            let admins = members_with(tx, ws, &[Role::Admin]).await?;
            ("decision_needed", admins, format!("{} was escalated: owners disagree", a.text))
        }
        _ => {
            let m = matrix(tx, ws).await?;
            let mut roles: Vec<Role> = Vec::new();
            for k in &a.kinds {
                if let Some(r) = m.row(*k) {
                    roles.extend(r.accountable.iter().chain(&r.consulted).chain(&r.informed).copied());
                }
            }
            let word = outcome.replace('_', "-");
            ("informed", members_with(tx, ws, &roles).await?, format!("{}: {word}", a.text))
        }
    };
    let mut seen = BTreeSet::new();
    let notices: Vec<Notice> = users
        .into_iter()
        .filter(|u| (reason == "decision_needed" || Some(*u) != actor) && seen.insert(*u))
        .map(|u| Notice {
            user_id: u,
            reason,
            subject_type: subject.0.to_owned(),
            subject_id: subject.1,
            text: text.clone(),
            link: a.link.clone(),
        })
        .collect();
    insert(tx, ws, &notices, now).await
}

fn notification(r: &AnyRow) -> Result<Notification> {
    Ok(Notification {
        id: id(r, "id")?,
        workspace_id: id(r, "workspace_id")?,
        reason: r.try_get("reason")?,
        subject_type: r.try_get("subject_type")?,
        subject_id: id(r, "subject_id")?,
        text: r.try_get("text")?,
        link: r.try_get("link")?,
        read: opt_millis(r, "read_at")?.is_some(),
        created_at: millis(r, "created_at")?,
    })
}

impl Store {
    /// The user's notifications, newest first; `before` is the id of the
    /// last one of the previous page.
    pub async fn notifications(
        &self,
        user: Id,
        unread_only: bool,
        before: Option<Id>,
        limit: i64,
    ) -> Result<Page<Notification>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(
            "SELECT id, workspace_id, reason, subject_type, subject_id, text, link, read_at, created_at \
             FROM notifications WHERE user_id = $1 AND id < $2 AND ($3 = 0 OR read_at IS NULL) \
             ORDER BY id DESC LIMIT $4",
        )
        .bind(user.0)
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(i64::from(unread_only))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(notification).collect::<Result<Vec<_>>>()?;
        Ok(crate::page(items, limit, |n| n.id))
    }

    /// One of the user's notifications (another's is not found).
    pub async fn notification(&self, user: Id, n: Id) -> Result<Notification> {
        let row = sqlx::query(
            "SELECT id, workspace_id, reason, subject_type, subject_id, text, link, read_at, created_at \
             FROM notifications WHERE id = $1 AND user_id = $2",
        )
        .bind(n.0)
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        notification(&row)
    }

    pub async fn unread_notifications(&self, user: Id) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Marks one of the user's notifications read (another's is not found).
    pub async fn mark_notification_read(&self, user: Id, n: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let done =
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
                .bind(now.0)
                .bind(n.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if done == 0 {
            let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE id = $1 AND user_id = $2")
                .bind(n.0)
                .bind(user.0)
                .fetch_one(&mut *tx)
                .await?;
            if exists == 0 {
                return Err(StoreError::NotFound);
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks all the user's notifications read; how many were unread.
    pub async fn mark_all_notifications_read(&self, user: Id, now: Millis) -> Result<u64> {
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
