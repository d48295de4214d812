//! Feedback (insights) and their links to features.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::product::{Feedback, FeedbackLink, FeedbackSource, FeedbackStatus, Importance};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use super::{Table, Tx, check_same_product, product_in};
use crate::activity::{change, record, record_update};
use crate::custom;
use crate::rows::{check_version, id, millis, opt_id, word};
use crate::{MAX_PAGE, Page, Result, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub text: String,
    pub source: FeedbackSource,
    pub customer: Option<String>,
    pub segment: Option<String>,
    pub customer_value_minor: Option<i64>,
    /// Custom values as sent, by key.
    pub custom_fields: CustomValues,
}

/// The fields of feedback an update may change.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackEdit {
    pub text: String,
    pub source: FeedbackSource,
    pub customer: Option<String>,
    pub segment: Option<String>,
    pub customer_value_minor: Option<i64>,
    pub status: FeedbackStatus,
    /// The stored custom values with what the edit sends laid over them
    /// (`null` clears one).
    pub custom_fields: CustomValues,
}

/// Which feedback a list shows.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    pub status: Option<FeedbackStatus>,
    pub source: Option<FeedbackSource>,
    pub feature_id: Option<Id>,
}

macro_rules! feedback_cols {
    () => {
        "SELECT b.id, b.workspace_id, b.product_id, b.text, b.source, b.customer, b.segment, \
    b.customer_value_minor, b.submitted_by, b.status, b.version, b.created_at, b.updated_at FROM feedback b"
    };
}

macro_rules! link_cols {
    () => {
        "SELECT l.feedback_id, l.feature_id, l.importance, p.key, f.number, f.title \
    FROM feedback_links l JOIN features f ON f.id = l.feature_id JOIN products p ON p.id = f.product_id"
    };
}

fn link(row: &AnyRow) -> Result<FeedbackLink> {
    let importance: i64 = row.try_get("importance")?;
    let key: String = row.try_get("key")?;
    let number: i64 = row.try_get("number")?;
    Ok(FeedbackLink {
        feedback_id: id(row, "feedback_id")?,
        feature_id: id(row, "feature_id")?,
        feature_key: format!("{key}-{number}"),
        feature_title: row.try_get("title")?,
        importance: u8::try_from(importance)
            .ok()
            .and_then(|i| Importance::try_from(i).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("importance {importance}")))?,
    })
}

fn feedback(row: &AnyRow, links: Vec<FeedbackLink>) -> Result<Feedback> {
    Ok(Feedback {
        id: id(row, "id")?,
        product_id: id(row, "product_id")?,
        text: row.try_get("text")?,
        source: word(row, "source", FeedbackSource::parse)?,
        customer: row.try_get("customer")?,
        segment: row.try_get("segment")?,
        customer_value_minor: row.try_get("customer_value_minor")?,
        submitted_by: opt_id(row, "submitted_by")?,
        status: word(row, "status", FeedbackStatus::parse)?,
        links,
        custom_fields: CustomValues::new(),
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

/// One feedback row with its links, and its workspace.
async fn fetch(tx: &mut Tx, fb: Id) -> Result<(Feedback, Id)> {
    let row = sqlx::query(concat!(feedback_cols!(), " WHERE b.id = $1"))
        .bind(fb.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let links = sqlx::query(concat!(link_cols!(), " WHERE l.feedback_id = $1 ORDER BY l.feature_id"))
        .bind(fb.0)
        .fetch_all(&mut **tx)
        .await?;
    let links = links.iter().map(link).collect::<Result<Vec<_>>>()?;
    let mut f = feedback(&row, links)?;
    f.custom_fields = custom::values_of(&mut **tx, FieldObject::Feedback, fb).await?;
    Ok((f, id(&row, "workspace_id")?))
}

/// Keeps `linked` true to the links: feedback with links is `linked` unless
/// archived; feedback that lost its last link falls back to `triaged`.
async fn settle_status(tx: &mut Tx, fb: Id) -> Result<()> {
    sqlx::query(
        "UPDATE feedback SET status = CASE \
           WHEN status = 'archived' THEN status \
           WHEN EXISTS (SELECT 1 FROM feedback_links l WHERE l.feedback_id = feedback.id) THEN 'linked' \
           WHEN status = 'linked' THEN 'triaged' ELSE status END \
         WHERE id = $1",
    )
    .bind(fb.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After a link was added or removed: bumps the feedback's version,
/// settles its status and logs what changed.
async fn links_changed(
    tx: &mut Tx,
    before: &Feedback,
    ws: Id,
    actor: Id,
    action: &'static str,
    now: Millis,
) -> Result<Feedback> {
    let fb = before.id;
    sqlx::query("UPDATE feedback SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(fb.0)
        .execute(&mut **tx)
        .await?;
    settle_status(tx, fb).await?;
    let (after, _) = fetch(tx, fb).await?;
    record_update(tx, change(ws, actor, action, "feedback", fb), before, &after, now).await?;
    Ok(after)
}

impl Store {
    pub async fn create_feedback(&self, actor: Id, product: Id, new: &NewFeedback, now: Millis) -> Result<Feedback> {
        let mut tx = self.write().await?;
        let p = product_in(&mut tx, product).await?;
        let fid: i64 = sqlx::query_scalar(
            "INSERT INTO feedback (workspace_id, product_id, text, source, customer, segment, customer_value_minor, \
             submitted_by, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', $9, $9) \
             RETURNING id",
        )
        .bind(p.workspace_id.0)
        .bind(product.0)
        .bind(&new.text)
        .bind(new.source.as_str())
        .bind(new.customer.as_deref())
        .bind(new.segment.as_deref())
        .bind(new.customer_value_minor)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let none = CustomValues::new();
        custom::save(&mut tx, p.workspace_id, FieldObject::Feedback, Id(fid), &none, &new.custom_fields).await?;
        let (fb, ws) = fetch(&mut tx, Id(fid)).await?;
        let after = json!({"source": fb.source, "customer": fb.customer});
        record(&mut tx, &change(ws, actor, "feedback.created", "feedback", fb.id).after(after), now).await?;
        tx.commit().await?;
        Ok(fb)
    }

    pub async fn feedback(&self, fb: Id) -> Result<Feedback> {
        let mut tx = self.pool.begin().await?;
        let (f, _) = fetch(&mut tx, fb).await?;
        tx.commit().await?;
        Ok(f)
    }

    /// The product's feedback, newest first, filtered.
    pub async fn feedback_list(
        &self,
        product: Id,
        filter: &FeedbackFilter,
        before: Option<Id>,
        limit: i64,
    ) -> Result<Page<Feedback>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(concat!(feedback_cols!(), " WHERE b.product_id = $1 AND b.id < $2 AND ($3 IS NULL OR b.status = $3) \
             AND ($4 IS NULL OR b.source = $4) \
             AND ($5 IS NULL OR EXISTS (SELECT 1 FROM feedback_links x WHERE x.feedback_id = b.id AND x.feature_id = $5)) \
             ORDER BY b.id DESC LIMIT $6"))
        .bind(product.0)
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.source.map(|s| s.as_str()))
        .bind(filter.feature_id.map(|f| f.0))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<_, _>>()?;
        let (lo, hi) = (ids.iter().min().copied().unwrap_or(0), ids.iter().max().copied().unwrap_or(-1));
        let mut values = custom::values_between(&self.pool, FieldObject::Feedback, product, lo, hi).await?;
        let links = if !ids.is_empty() {
            let rows = sqlx::query(concat!(
                link_cols!(),
                " WHERE l.feedback_id IN (SELECT id FROM feedback WHERE product_id = $1 AND id BETWEEN $2 AND $3) \
                 ORDER BY l.feature_id"
            ))
            .bind(product.0)
            .bind(lo)
            .bind(hi)
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(link).collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let fid = id(row, "id")?;
            let mine: Vec<FeedbackLink> = links.iter().filter(|l| l.feedback_id == fid).cloned().collect();
            let mut f = feedback(row, mine)?;
            f.custom_fields = values.remove(&fid.0).unwrap_or_default();
            items.push(f);
        }
        Ok(crate::page(items, limit, |f| f.id))
    }

    /// Applies `edit` to stored feedback if `version` is current.
    pub async fn update_feedback(
        &self,
        actor: Id,
        fb: Id,
        version: i64,
        edit: impl FnOnce(&mut FeedbackEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Feedback> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch(&mut tx, fb).await?;
        check_version(before.version, version)?;
        let mut e = FeedbackEdit {
            text: before.text.clone(),
            source: before.source,
            customer: before.customer.clone(),
            segment: before.segment.clone(),
            customer_value_minor: before.customer_value_minor,
            status: before.status,
            custom_fields: before.custom_fields.clone(),
        };
        edit(&mut e)?;
        sqlx::query(
            "UPDATE feedback SET text = $1, source = $2, customer = $3, segment = $4, customer_value_minor = $5, \
             status = $6, version = version + 1, updated_at = $7 WHERE id = $8",
        )
        .bind(&e.text)
        .bind(e.source.as_str())
        .bind(e.customer.as_deref())
        .bind(e.segment.as_deref())
        .bind(e.customer_value_minor)
        .bind(e.status.as_str())
        .bind(now.0)
        .bind(fb.0)
        .execute(&mut *tx)
        .await?;
        custom::save(&mut tx, ws, FieldObject::Feedback, fb, &before.custom_fields, &e.custom_fields).await?;
        settle_status(&mut tx, fb).await?;
        let (after, _) = fetch(&mut tx, fb).await?;
        record_update(&mut tx, change(ws, actor, "feedback.updated", "feedback", fb), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Links feedback to a feature of the same product (or changes the
    /// link's importance); the feedback becomes `linked`.
    pub async fn link_feedback(
        &self,
        actor: Id,
        fb: Id,
        feature: Id,
        importance: Importance,
        now: Millis,
    ) -> Result<Feedback> {
        let mut tx = self.write().await?;
        let after = link_in(&mut tx, actor, fb, feature, importance, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Makes a feature of feedback in one step: the feature (titled as
    /// given, the feedback quoted as its description) in the feedback's
    /// product, and the link between them, in one transaction.
    pub async fn feature_from_feedback(
        &self,
        actor: Id,
        fb: Id,
        new: &super::NewFeature,
        importance: Importance,
        now: Millis,
    ) -> Result<(tandem_core::product::Feature, Feedback)> {
        let mut tx = self.write().await?;
        let (source, _) = fetch(&mut tx, fb).await?;
        let feature = super::features::insert_feature(&mut tx, actor, source.product_id, new, now).await?;
        let linked = link_in(&mut tx, actor, fb, feature.id, importance, now).await?;
        let feature = super::features::fetch_feature(&mut tx, feature.id).await?;
        tx.commit().await?;
        Ok((feature, linked))
    }
}

/// What a bulk action does to each feedback item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackBulk {
    /// Triage or archive (never `linked`, which follows from links).
    Status(FeedbackStatus),
    Link {
        feature: Id,
        importance: Importance,
    },
}

/// The most items one bulk action takes.
pub const MAX_BULK: usize = 500;

impl Store {
    /// Does `op` to every item of `ids` (feedback of `product`), in one
    /// transaction: all or none. Answers how many changed.
    pub async fn bulk_feedback(
        &self,
        actor: Id,
        product: Id,
        ids: &[Id],
        op: FeedbackBulk,
        now: Millis,
    ) -> Result<usize> {
        if ids.is_empty() || ids.len() > MAX_BULK {
            return Err(StoreError::Invalid(Invalid::new("ids", format!("pick from 1 to {MAX_BULK} items"))));
        }
        let mut tx = self.write().await?;
        let mut changed = 0;
        for &fb in ids {
            let (before, ws) = fetch(&mut tx, fb).await?;
            if before.product_id != product {
                return Err(StoreError::NotFound);
            }
            match op {
                FeedbackBulk::Status(status) => {
                    if before.status == status
                        || before.status == FeedbackStatus::Linked && status != FeedbackStatus::Archived
                    {
                        continue;
                    }
                    sqlx::query(
                        "UPDATE feedback SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(status.as_str())
                    .bind(now.0)
                    .bind(fb.0)
                    .execute(&mut *tx)
                    .await?;
                    settle_status(&mut tx, fb).await?;
                    let (after, _) = fetch(&mut tx, fb).await?;
                    record_update(&mut tx, change(ws, actor, "feedback.updated", "feedback", fb), &before, &after, now)
                        .await?;
                }
                FeedbackBulk::Link { feature, importance } => {
                    link_in(&mut tx, actor, fb, feature, importance, now).await?;
                }
            }
            changed += 1;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// Links feedback to a feature of its product (or changes the link's
/// importance) inside the caller's transaction.
async fn link_in(tx: &mut Tx, actor: Id, fb: Id, feature: Id, importance: Importance, now: Millis) -> Result<Feedback> {
    {
        let (before, ws) = fetch(tx, fb).await?;
        check_same_product(tx, Table::Features, feature, before.product_id).await?;
        let updated =
            sqlx::query("UPDATE feedback_links SET importance = $1 WHERE feedback_id = $2 AND feature_id = $3")
                .bind(i64::from(importance.get()))
                .bind(fb.0)
                .bind(feature.0)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO feedback_links (feedback_id, feature_id, importance, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(fb.0)
            .bind(feature.0)
            .bind(i64::from(importance.get()))
            .bind(now.0)
            .execute(&mut **tx)
            .await?;
        }
        links_changed(tx, &before, ws, actor, "feedback.linked", now).await
    }
}

impl Store {
    /// Removes a feedback → feature link.
    pub async fn unlink_feedback(&self, actor: Id, fb: Id, feature: Id, now: Millis) -> Result<Feedback> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch(&mut tx, fb).await?;
        let gone = sqlx::query("DELETE FROM feedback_links WHERE feedback_id = $1 AND feature_id = $2")
            .bind(fb.0)
            .bind(feature.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        let after = links_changed(&mut tx, &before, ws, actor, "feedback.unlinked", now).await?;
        tx.commit().await?;
        Ok(after)
    }
}
