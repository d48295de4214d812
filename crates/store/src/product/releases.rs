//! Releases and their scope (the features whose `release_id` names them).

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::product::{NO_DELIVERING_WORK, Release, ReleaseStatus};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis, markdown};

use super::{Tx, product_in};
use crate::activity::{change, record, record_update};
use crate::rows::{check_version, id, millis, opt_day, word};
use crate::{Result, Store, StoreError};

/// The fields of a release an update may change.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseEdit {
    pub name: String,
    pub target_date: Option<Day>,
    pub status: ReleaseStatus,
    pub notes: String,
}

macro_rules! release_cols {
    () => {
        "SELECT r.id, r.workspace_id, r.product_id, r.name, r.target_date, r.status, r.notes, \
    r.version, r.created_at, r.updated_at FROM releases r"
    };
}

fn release(row: &AnyRow, feature_ids: Vec<Id>) -> Result<Release> {
    let notes: String = row.try_get("notes")?;
    Ok(Release {
        id: id(row, "id")?,
        product_id: id(row, "product_id")?,
        name: row.try_get("name")?,
        target_date: opt_day(row, "target_date")?,
        status: word(row, "status", ReleaseStatus::parse)?,
        notes_html: markdown::render(&notes),
        notes,
        // Filled from the schedule once projects deliver features.
        forecast: None,
        forecast_reason: Some(NO_DELIVERING_WORK.to_owned()),
        feature_ids,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch(tx: &mut Tx, rel: Id) -> Result<(Release, Id)> {
    let row = sqlx::query(concat!(release_cols!(), " WHERE r.id = $1"))
        .bind(rel.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM features WHERE release_id = $1 ORDER BY rank, id")
        .bind(rel.0)
        .fetch_all(&mut **tx)
        .await?;
    Ok((release(&row, ids.into_iter().map(Id).collect())?, id(&row, "workspace_id")?))
}

impl Store {
    pub async fn create_release(&self, actor: Id, product: Id, edit: &ReleaseEdit, now: Millis) -> Result<Release> {
        let mut tx = self.write().await?;
        let p = product_in(&mut tx, product).await?;
        let rid: i64 = sqlx::query_scalar(
            "INSERT INTO releases (workspace_id, product_id, name, target_date, status, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(p.workspace_id.0)
        .bind(product.0)
        .bind(&edit.name)
        .bind(edit.target_date.map(|d| d.to_string()))
        .bind(edit.status.as_str())
        .bind(&edit.notes)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let (r, ws) = fetch(&mut tx, Id(rid)).await?;
        let after = json!({"name": r.name, "target_date": r.target_date});
        record(&mut tx, &change(ws, actor, "release.created", "release", r.id).after(after), now).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn release(&self, rel: Id) -> Result<Release> {
        let mut tx = self.pool.begin().await?;
        let (r, _) = fetch(&mut tx, rel).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The product's releases, by target date (undated last), then id.
    pub async fn releases(&self, product: Id) -> Result<Vec<Release>> {
        let rows = sqlx::query(concat!(
            release_cols!(),
            " WHERE r.product_id = $1 ORDER BY CASE WHEN r.target_date IS NULL THEN 1 ELSE 0 END, \
             r.target_date, r.id"
        ))
        .bind(product.0)
        .fetch_all(&self.pool)
        .await?;
        let scope = sqlx::query(
            "SELECT id, release_id FROM features WHERE product_id = $1 AND release_id IS NOT NULL ORDER BY rank, id",
        )
        .bind(product.0)
        .fetch_all(&self.pool)
        .await?;
        let mut pairs = Vec::with_capacity(scope.len());
        for s in &scope {
            pairs.push((id(s, "release_id")?, id(s, "id")?));
        }
        rows.iter()
            .map(|r| {
                let rid = id(r, "id")?;
                release(r, pairs.iter().filter(|(rel, _)| *rel == rid).map(|(_, f)| *f).collect())
            })
            .collect()
    }

    pub async fn update_release(
        &self,
        actor: Id,
        rel: Id,
        version: i64,
        edit: impl FnOnce(&mut ReleaseEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Release> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch(&mut tx, rel).await?;
        check_version(before.version, version)?;
        let mut e = ReleaseEdit {
            name: before.name.clone(),
            target_date: before.target_date,
            status: before.status,
            notes: before.notes.clone(),
        };
        edit(&mut e)?;
        sqlx::query(
            "UPDATE releases SET name = $1, target_date = $2, status = $3, notes = $4, version = version + 1, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&e.name)
        .bind(e.target_date.map(|d| d.to_string()))
        .bind(e.status.as_str())
        .bind(&e.notes)
        .bind(now.0)
        .bind(rel.0)
        .execute(&mut *tx)
        .await?;
        let (after, _) = fetch(&mut tx, rel).await?;
        record_update(&mut tx, change(ws, actor, "release.updated", "release", rel), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a release; its features return to no release.
    pub async fn delete_release(&self, actor: Id, rel: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch(&mut tx, rel).await?;
        sqlx::query(
            "UPDATE features SET release_id = NULL, version = version + 1, updated_at = $1 WHERE release_id = $2",
        )
        .bind(now.0)
        .bind(rel.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM releases WHERE id = $1").bind(rel.0).execute(&mut *tx).await?;
        let gone = json!({"name": before.name, "feature_ids": before.feature_ids});
        record(&mut tx, &change(ws, actor, "release.deleted", "release", rel).before(gone), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
