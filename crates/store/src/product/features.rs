//! Features: the backlog, with scoring inputs, workflow and manual order.

use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::model::Day;
use tandem_core::product::{Feature, FeatureStatus, Lane};
use tandem_core::scoring::{ScoringInputs, demand_weight};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis, markdown};

use super::{Table, Tx, check_same_product, product_in};
use crate::activity::{change, record, record_update};
use crate::custom;
use crate::rows::{check_version, id, millis, opt_day, opt_id, opt_word, word};
use crate::{Result, Store, StoreError};

/// How many features one product may hold; the backlog is sorted in memory.
pub const MAX_FEATURES: i64 = 10_000;

#[derive(Debug, Clone)]
pub struct NewFeature {
    pub title: String,
    pub description: String,
    pub lane: Option<Lane>,
    pub release_id: Option<Id>,
    pub inputs: ScoringInputs,
    pub adoption_event: Option<String>,
    /// Custom values as sent, by key.
    pub custom_fields: CustomValues,
}

/// The fields of a feature an update may change.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureEdit {
    pub title: String,
    pub description: String,
    pub status: FeatureStatus,
    pub rejection_reason: Option<String>,
    pub lane: Option<Lane>,
    pub release_id: Option<Id>,
    pub inputs: ScoringInputs,
    pub adoption_event: Option<String>,
    pub shipped_on: Option<Day>,
    /// The stored custom values with what the edit sends laid over them
    /// (`null` clears one).
    pub custom_fields: CustomValues,
}

macro_rules! feature_cols {
    () => {
        "f.id, f.workspace_id, f.product_id, p.key AS product_key, f.number, f.title, f.description, f.status, \
         f.rejection_reason, f.lane, f.release_id, f.rank, f.inputs, f.adoption_event, f.shipped_on, f.version, \
         f.created_at, f.updated_at FROM features f JOIN products p ON p.id = f.product_id"
    };
}

/// Demand and feedback count per feature, from the links of `rows`.
#[derive(Debug, Default, Clone, Copy)]
struct Demand {
    total: f64,
    count: i64,
}

fn feature(row: &AnyRow, demand: Demand) -> Result<Feature> {
    let description: String = row.try_get("description")?;
    let inputs_json: String = row.try_get("inputs")?;
    let inputs: ScoringInputs =
        serde_json::from_str(&inputs_json).map_err(|e| StoreError::Corrupt(format!("feature inputs: {e}")))?;
    let key: String = row.try_get("product_key")?;
    let number: i64 = row.try_get("number")?;
    Ok(Feature {
        id: id(row, "id")?,
        product_id: id(row, "product_id")?,
        key: format!("{key}-{number}"),
        title: row.try_get("title")?,
        description_html: markdown::render(&description),
        description,
        status: word(row, "status", FeatureStatus::parse)?,
        rejection_reason: row.try_get("rejection_reason")?,
        lane: opt_word(row, "lane", Lane::parse)?,
        release_id: opt_id(row, "release_id")?,
        rank: row.try_get("rank")?,
        scores: inputs.scores(demand.total),
        quadrant: inputs.quadrant(),
        inputs,
        adoption_event: row.try_get("adoption_event")?,
        shipped_on: opt_day(row, "shipped_on")?,
        feedback_count: demand.count,
        custom_fields: CustomValues::new(),
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

fn fold_demand(rows: &[AnyRow]) -> Result<HashMap<i64, Demand>> {
    let mut out: HashMap<i64, Demand> = HashMap::new();
    for r in rows {
        let importance: i64 = r.try_get("importance")?;
        let value: Option<i64> = r.try_get("customer_value_minor")?;
        let d = out.entry(r.try_get("feature_id")?).or_default();
        d.total += demand_weight(u8::try_from(importance).unwrap_or(1), value);
        d.count += 1;
    }
    Ok(out)
}

macro_rules! demand_sql {
    () => {
        "SELECT l.feature_id, l.importance, b.customer_value_minor FROM feedback_links l \
                          JOIN feedback b ON b.id = l.feedback_id"
    };
}

pub(crate) async fn fetch_feature(tx: &mut Tx, feature: Id) -> Result<Feature> {
    let row = sqlx::query(concat!("SELECT ", feature_cols!(), " WHERE f.id = $1"))
        .bind(feature.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let links =
        sqlx::query(concat!(demand_sql!(), " WHERE l.feature_id = $1")).bind(feature.0).fetch_all(&mut **tx).await?;
    let mut f = self::feature(&row, fold_demand(&links)?.remove(&feature.0).unwrap_or_default())?;
    f.custom_fields = custom::values_of(&mut **tx, FieldObject::Feature, feature).await?;
    Ok(f)
}

fn workspace_of(row: &AnyRow) -> Result<Id> {
    id(row, "workspace_id")
}

impl Store {
    pub async fn create_feature(&self, actor: Id, product: Id, new: &NewFeature, now: Millis) -> Result<Feature> {
        let mut tx = self.write().await?;
        let f = insert_feature(&mut tx, actor, product, new, now).await?;
        tx.commit().await?;
        Ok(f)
    }

    pub async fn feature(&self, feature: Id) -> Result<Feature> {
        let mut tx = self.pool.begin().await?;
        let f = fetch_feature(&mut tx, feature).await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Every feature of the product, in manual order; the caller sorts.
    pub async fn features(&self, product: Id) -> Result<Vec<Feature>> {
        let rows = sqlx::query(concat!("SELECT ", feature_cols!(), " WHERE f.product_id = $1 ORDER BY f.rank, f.id"))
            .bind(product.0)
            .fetch_all(&self.pool)
            .await?;
        let links =
            sqlx::query(concat!(demand_sql!(), " JOIN features f ON f.id = l.feature_id WHERE f.product_id = $1"))
                .bind(product.0)
                .fetch_all(&self.pool)
                .await?;
        let demand = fold_demand(&links)?;
        let mut values = custom::values_in(&self.pool, FieldObject::Feature, product).await?;
        rows.iter()
            .map(|r| {
                let fid: i64 = r.try_get("id")?;
                let mut f = feature(r, demand.get(&fid).copied().unwrap_or_default())?;
                f.custom_fields = values.remove(&fid).unwrap_or_default();
                Ok(f)
            })
            .collect()
    }

    /// Applies `edit` to the stored feature if `version` is current.
    pub async fn update_feature(
        &self,
        actor: Id,
        feature: Id,
        version: i64,
        edit: impl FnOnce(&mut FeatureEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Feature> {
        let mut tx = self.write().await?;
        let before = fetch_feature(&mut tx, feature).await?;
        check_version(before.version, version)?;
        let mut e = FeatureEdit {
            title: before.title.clone(),
            description: before.description.clone(),
            status: before.status,
            rejection_reason: before.rejection_reason.clone(),
            lane: before.lane,
            release_id: before.release_id,
            inputs: before.inputs,
            adoption_event: before.adoption_event.clone(),
            shipped_on: before.shipped_on,
            custom_fields: before.custom_fields.clone(),
        };
        edit(&mut e)?;
        if let Some(r) = e.release_id
            && e.release_id != before.release_id
        {
            check_same_product(&mut tx, Table::Releases, r, before.product_id).await?;
        }
        let ws = self::ws_of_feature(&mut tx, feature).await?;
        write_feature(&mut tx, feature, &e, now).await?;
        custom::save(&mut tx, ws, FieldObject::Feature, feature, &before.custom_fields, &e.custom_fields).await?;
        let after = fetch_feature(&mut tx, feature).await?;
        record_update(&mut tx, change(ws, actor, "feature.updated", "feature", feature), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a feature in the manual order to just after `after` (or to the
    /// top), renumbering the product's ranks in the same transaction.
    pub async fn move_feature(&self, actor: Id, feature: Id, after: Option<Id>, now: Millis) -> Result<Feature> {
        let mut tx = self.write().await?;
        let before = fetch_feature(&mut tx, feature).await?;
        if let Some(a) = after {
            if a == feature {
                return Err(StoreError::Invalid(Invalid::new("after_id", "a feature cannot follow itself")));
            }
            check_same_product(&mut tx, Table::Features, a, before.product_id).await?;
        }
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM features WHERE product_id = $1 ORDER BY rank, id")
            .bind(before.product_id.0)
            .fetch_all(&mut *tx)
            .await?;
        let mut order: Vec<i64> = ids.into_iter().filter(|&i| i != feature.0).collect();
        let at = match after {
            None => 0,
            Some(a) => order.iter().position(|&i| i == a.0).map_or(order.len(), |p| p + 1),
        };
        order.insert(at, feature.0);
        for (rank, fid) in order.iter().enumerate() {
            sqlx::query("UPDATE features SET rank = $1 WHERE id = $2 AND rank <> $1")
                .bind(i64::try_from(rank).unwrap_or(i64::MAX) + 1)
                .bind(fid)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE features SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now.0)
            .bind(feature.0)
            .execute(&mut *tx)
            .await?;
        let moved = fetch_feature(&mut tx, feature).await?;
        let ws = ws_of_feature(&mut tx, feature).await?;
        record_update(&mut tx, change(ws, actor, "feature.moved", "feature", feature), &before, &moved, now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    pub async fn delete_feature(&self, actor: Id, feature: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch_feature(&mut tx, feature).await?;
        let ws = ws_of_feature(&mut tx, feature).await?;
        sqlx::query("DELETE FROM features WHERE id = $1").bind(feature.0).execute(&mut *tx).await?;
        let gone = json!({"key": before.key, "title": before.title});
        record(&mut tx, &change(ws, actor, "feature.deleted", "feature", feature).before(gone), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn ws_of_feature(tx: &mut Tx, feature: Id) -> Result<Id> {
    let row =
        sqlx::query("SELECT workspace_id FROM features WHERE id = $1").bind(feature.0).fetch_one(&mut **tx).await?;
    workspace_of(&row)
}

async fn write_feature(tx: &mut Tx, feature: Id, e: &FeatureEdit, now: Millis) -> Result<()> {
    let inputs = serde_json::to_string(&e.inputs).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    sqlx::query(
        "UPDATE features SET title = $1, description = $2, status = $3, rejection_reason = $4, lane = $5, \
         release_id = $6, inputs = $7, adoption_event = $8, shipped_on = $9, version = version + 1, updated_at = $10 \
         WHERE id = $11",
    )
    .bind(&e.title)
    .bind(&e.description)
    .bind(e.status.as_str())
    .bind(e.rejection_reason.as_deref())
    .bind(e.lane.map(Lane::as_str))
    .bind(e.release_id.map(|r| r.0))
    .bind(inputs)
    .bind(e.adoption_event.as_deref())
    .bind(e.shipped_on.map(|d| d.to_string()))
    .bind(now.0)
    .bind(feature.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds a feature last in its product's manual order, inside the caller's
/// transaction.
pub(crate) async fn insert_feature(
    tx: &mut Tx,
    actor: Id,
    product: Id,
    new: &NewFeature,
    now: Millis,
) -> Result<Feature> {
    let p = product_in(tx, product).await?;

    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM features WHERE product_id = $1")
        .bind(product.0)
        .fetch_one(&mut **tx)
        .await?;
    if count >= MAX_FEATURES {
        return Err(StoreError::Conflict(format!("a product holds at most {MAX_FEATURES} features")));
    }
    if let Some(r) = new.release_id {
        check_same_product(tx, Table::Releases, r, product).await?;
    }
    let number: i64 = sqlx::query_scalar(
        "UPDATE products SET next_feature_number = next_feature_number + 1 WHERE id = $1 \
         RETURNING next_feature_number - 1",
    )
    .bind(product.0)
    .fetch_one(&mut **tx)
    .await?;
    let rank: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(rank), 0) + 1 FROM features WHERE product_id = $1")
        .bind(product.0)
        .fetch_one(&mut **tx)
        .await?;
    let inputs = serde_json::to_string(&new.inputs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let fid: i64 = sqlx::query_scalar(
        "INSERT INTO features (workspace_id, product_id, number, title, description, status, lane, release_id, \
         rank, inputs, adoption_event, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(p.workspace_id.0)
    .bind(product.0)
    .bind(number)
    .bind(&new.title)
    .bind(&new.description)
    .bind(FeatureStatus::Idea.as_str())
    .bind(new.lane.map(Lane::as_str))
    .bind(new.release_id.map(|r| r.0))
    .bind(rank)
    .bind(inputs)
    .bind(new.adoption_event.as_deref())
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    let none = CustomValues::new();
    custom::save(tx, p.workspace_id, FieldObject::Feature, Id(fid), &none, &new.custom_fields).await?;
    let f = fetch_feature(tx, Id(fid)).await?;
    let after = json!({"key": f.key, "title": f.title});
    record(tx, &change(p.workspace_id, actor, "feature.created", "feature", f.id).after(after), now).await?;
    Ok(f)
}
