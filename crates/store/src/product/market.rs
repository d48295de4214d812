//! The market view: competitors with their capability matrix, and product
//! metric series (DAU, MAU, retention, NPS…) with dated values.

use std::collections::BTreeMap;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::product::{CapabilityLevel, Competitor, DatedValue, MetricKind, MetricSeries, MetricSource};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use super::{Tx, product_in};
use crate::activity::{Change, change, record, record_update};
use crate::rows::{check_version, day, id, millis, word};
use crate::{Result, Store, StoreError};

/// The fields of a competitor an edit may change (and a new one has).
#[derive(Debug, Clone, PartialEq)]
pub struct CompetitorEdit {
    pub name: String,
    pub notes: String,
    pub capabilities: BTreeMap<String, CapabilityLevel>,
}

/// A new metric series and its first values.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMetricSeries {
    pub name: String,
    pub kind: MetricKind,
    pub unit: String,
    /// What events feed it (checked against its kind); `None` for typed values.
    pub source: Option<MetricSource>,
    pub points: Vec<MetricPointInput>,
}

/// One value to record in a series; a value for a date already recorded
/// replaces it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricPointInput {
    pub date: Day,
    pub value: f64,
}

macro_rules! competitor_cols {
    () => {
        "SELECT c.id, c.workspace_id, c.product_id, c.name, c.notes, c.capabilities, c.version, \
    c.created_at, c.updated_at FROM competitors c"
    };
}
macro_rules! series_cols {
    () => {
        "SELECT s.id, s.workspace_id, s.product_id, s.name, s.kind, s.unit, s.source, s.version, \
    s.created_at, s.updated_at FROM metric_series s"
    };
}

fn competitor(row: &AnyRow) -> Result<Competitor> {
    let caps: String = row.try_get("capabilities")?;
    Ok(Competitor {
        id: id(row, "id")?,
        product_id: id(row, "product_id")?,
        name: row.try_get("name")?,
        notes: row.try_get("notes")?,
        capabilities: serde_json::from_str(&caps).map_err(|e| StoreError::Corrupt(format!("capabilities: {e}")))?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_competitor(tx: &mut Tx, c: Id) -> Result<(Competitor, Id)> {
    let row = sqlx::query(concat!(competitor_cols!(), " WHERE c.id = $1"))
        .bind(c.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((competitor(&row)?, id(&row, "workspace_id")?))
}

fn caps_json(c: &BTreeMap<String, CapabilityLevel>) -> Result<String> {
    serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))
}

async fn fetch_series(tx: &mut Tx, filter: &'static str, by: i64) -> Result<Vec<(MetricSeries, Id)>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        concat!(series_cols!(), " WHERE {} = $1 ORDER BY s.name, s.id"),
        filter
    )))
    .bind(by)
    .fetch_all(&mut **tx)
    .await?;
    let points = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.series_id, m.date, m.value FROM metric_points m JOIN metric_series s ON s.id = m.series_id \
         WHERE {filter} = $1 ORDER BY m.series_id, m.date"
    )))
    .bind(by)
    .fetch_all(&mut **tx)
    .await?;
    let mut by_series: BTreeMap<i64, Vec<DatedValue>> = BTreeMap::new();
    for p in &points {
        let sid: i64 = p.try_get("series_id")?;
        by_series.entry(sid).or_default().push(DatedValue { date: day(p, "date")?, value: p.try_get("value")? });
    }
    rows.iter()
        .map(|row| {
            let sid: i64 = row.try_get("id")?;
            Ok((
                MetricSeries {
                    id: Id(sid),
                    product_id: id(row, "product_id")?,
                    name: row.try_get("name")?,
                    kind: word(row, "kind", MetricKind::parse)?,
                    unit: row.try_get("unit")?,
                    source: source(row)?,
                    points: by_series.remove(&sid).unwrap_or_default(),
                    version: row.try_get("version")?,
                    created_at: millis(row, "created_at")?,
                    updated_at: millis(row, "updated_at")?,
                },
                id(row, "workspace_id")?,
            ))
        })
        .collect()
}

fn source(row: &AnyRow) -> Result<Option<MetricSource>> {
    let text: Option<String> = row.try_get("source")?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("metric source: {e}")))).transpose()
}

async fn fetch_one_series(tx: &mut Tx, s: Id) -> Result<(MetricSeries, Id)> {
    fetch_series(tx, "s.id", s.0).await?.into_iter().next().ok_or(StoreError::NotFound)
}

/// How many values one series may hold (ten years of daily values and more).
pub const MAX_POINTS: i64 = 20_000;

impl Store {
    pub async fn create_competitor(
        &self,
        actor: Id,
        product: Id,
        e: &CompetitorEdit,
        now: Millis,
    ) -> Result<Competitor> {
        let mut tx = self.write().await?;
        let p = product_in(&mut tx, product).await?;
        let cid: i64 = sqlx::query_scalar(
            "INSERT INTO competitors (workspace_id, product_id, name, notes, capabilities, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(p.workspace_id.0)
        .bind(product.0)
        .bind(&e.name)
        .bind(&e.notes)
        .bind(caps_json(&e.capabilities)?)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let (c, ws) = fetch_competitor(&mut tx, Id(cid)).await?;
        let after = json!({"name": c.name});
        record(&mut tx, &change(ws, actor, "competitor.created", "competitor", c.id).after(after), now).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn competitor(&self, c: Id) -> Result<Competitor> {
        let mut tx = self.pool.begin().await?;
        let (c, _) = fetch_competitor(&mut tx, c).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn competitors(&self, product: Id) -> Result<Vec<Competitor>> {
        let rows = sqlx::query(concat!(competitor_cols!(), " WHERE c.product_id = $1 ORDER BY c.name, c.id"))
            .bind(product.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(competitor).collect()
    }

    pub async fn update_competitor(
        &self,
        actor: Id,
        c: Id,
        version: i64,
        edit: impl FnOnce(&mut CompetitorEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Competitor> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_competitor(&mut tx, c).await?;
        check_version(before.version, version)?;
        let mut e = CompetitorEdit {
            name: before.name.clone(),
            notes: before.notes.clone(),
            capabilities: before.capabilities.clone(),
        };
        edit(&mut e)?;
        sqlx::query(
            "UPDATE competitors SET name = $1, notes = $2, capabilities = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(&e.name)
        .bind(&e.notes)
        .bind(caps_json(&e.capabilities)?)
        .bind(now.0)
        .bind(c.0)
        .execute(&mut *tx)
        .await?;
        let (after, _) = fetch_competitor(&mut tx, c).await?;
        record_update(&mut tx, change(ws, actor, "competitor.updated", "competitor", c), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_competitor(&self, actor: Id, c: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_competitor(&mut tx, c).await?;
        sqlx::query("DELETE FROM competitors WHERE id = $1").bind(c.0).execute(&mut *tx).await?;
        let gone = json!({"name": before.name});
        record(&mut tx, &change(ws, actor, "competitor.deleted", "competitor", c).before(gone), now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_metric_series(
        &self,
        actor: Id,
        product: Id,
        new: &NewMetricSeries,
        now: Millis,
    ) -> Result<MetricSeries> {
        let NewMetricSeries { name, kind, unit, source, points } = new;
        let source =
            source.as_ref().map(serde_json::to_string).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().await?;
        let p = product_in(&mut tx, product).await?;
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO metric_series (workspace_id, product_id, name, kind, unit, source, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(p.workspace_id.0)
        .bind(product.0)
        .bind(name)
        .bind(kind.as_str())
        .bind(unit)
        .bind(source)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("this product already has a metric named {name}")),
            other => other,
        })?;
        upsert_points(&mut tx, Id(sid), points).await?;
        let (s, ws) = fetch_one_series(&mut tx, Id(sid)).await?;
        let after = json!({"name": s.name, "kind": s.kind});
        record(&mut tx, &change(ws, actor, "metric.created", "metric", s.id).after(after), now).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn metric_series(&self, s: Id) -> Result<MetricSeries> {
        let mut tx = self.pool.begin().await?;
        let (s, _) = fetch_one_series(&mut tx, s).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn metrics(&self, product: Id) -> Result<Vec<MetricSeries>> {
        let mut tx = self.pool.begin().await?;
        let list = fetch_series(&mut tx, "s.product_id", product.0).await?;
        tx.commit().await?;
        Ok(list.into_iter().map(|(s, _)| s).collect())
    }

    /// Records values in a series (replacing those of the same dates).
    pub async fn record_metric_points(
        &self,
        actor: Id,
        s: Id,
        points: &[MetricPointInput],
        now: Millis,
    ) -> Result<MetricSeries> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_one_series(&mut tx, s).await?;
        upsert_points(&mut tx, s, points).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM metric_points WHERE series_id = $1")
            .bind(s.0)
            .fetch_one(&mut *tx)
            .await?;
        if count > MAX_POINTS {
            return Err(StoreError::Invalid(Invalid::new(
                "points",
                format!("a series holds at most {MAX_POINTS} values"),
            )));
        }
        changed(&mut tx, s, now).await?;
        let (after, _) = fetch_one_series(&mut tx, s).await?;
        let recorded: Vec<_> = points.iter().map(|p| json!({"date": p.date, "value": p.value})).collect();
        record(
            &mut tx,
            &Change {
                before: Some(json!({"count": before.points.len()})),
                after: Some(json!({"count": after.points.len(), "recorded": recorded})),
                ..change(ws, actor, "metric.recorded", "metric", s)
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_metric_series(&self, actor: Id, s: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_one_series(&mut tx, s).await?;
        sqlx::query("DELETE FROM metric_series WHERE id = $1").bind(s.0).execute(&mut *tx).await?;
        let gone = json!({"name": before.name});
        record(&mut tx, &change(ws, actor, "metric.deleted", "metric", s).before(gone), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A series fed from events: what it counts and from which events.
#[derive(Debug, Clone, PartialEq)]
pub struct FedSeries {
    pub id: Id,
    pub kind: MetricKind,
    pub source: MetricSource,
}

impl Store {
    /// The product's series fed from events.
    pub async fn fed_series(&self, product: Id) -> Result<Vec<FedSeries>> {
        let rows = sqlx::query(
            "SELECT id, kind, source FROM metric_series WHERE product_id = $1 AND source IS NOT NULL ORDER BY id",
        )
        .bind(product.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FedSeries {
                    id: id(row, "id")?,
                    kind: word(row, "kind", MetricKind::parse)?,
                    source: source(row)?.ok_or_else(|| StoreError::Corrupt("metric source".into()))?,
                })
            })
            .collect()
    }

    /// Replaces a fed series' values from the first to the last date of
    /// `points` with `points` (computed, so no activity entry of its own),
    /// and moves the key results that follow it; one transaction.
    pub async fn feed_metric(&self, s: Id, points: &[MetricPointInput], now: Millis) -> Result<()> {
        let (Some(first), Some(last)) = (points.first(), points.last()) else { return Ok(()) };
        let mut tx = self.write().await?;
        let old = sqlx::query(
            "SELECT date, value FROM metric_points WHERE series_id = $1 AND date >= $2 AND date <= $3 ORDER BY date",
        )
        .bind(s.0)
        .bind(first.date.to_string())
        .bind(last.date.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let same = old.len() == points.len()
            && old.iter().zip(points).all(|(row, p)| {
                row.try_get::<String, _>("date").is_ok_and(|d| d == p.date.to_string())
                    && row.try_get::<f64, _>("value").is_ok_and(|v| v == p.value)
            });
        if same {
            return Ok(());
        }
        sqlx::query("DELETE FROM metric_points WHERE series_id = $1 AND date >= $2 AND date <= $3")
            .bind(s.0)
            .bind(first.date.to_string())
            .bind(last.date.to_string())
            .execute(&mut *tx)
            .await?;
        for chunk in points.chunks(300) {
            let rows = crate::analytics::Marks::new(self.backend()).rows(chunk.len(), 3);
            let sql = format!("INSERT INTO metric_points (series_id, date, value) VALUES {rows}");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(s.0).bind(p.date.to_string()).bind(p.value);
            }
            q.execute(&mut *tx).await?;
        }
        changed(&mut tx, s, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A series' values changed: a new version, and the key results that
/// follow it moved.
async fn changed(tx: &mut Tx, s: Id, now: Millis) -> Result<()> {
    sqlx::query("UPDATE metric_series SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(s.0)
        .execute(&mut **tx)
        .await?;
    super::okrs::follow_series(tx, s, now).await
}

async fn upsert_points(tx: &mut Tx, s: Id, points: &[MetricPointInput]) -> Result<()> {
    for p in points {
        sqlx::query("DELETE FROM metric_points WHERE series_id = $1 AND date = $2")
            .bind(s.0)
            .bind(p.date.to_string())
            .execute(&mut **tx)
            .await?;
        sqlx::query("INSERT INTO metric_points (series_id, date, value) VALUES ($1, $2, $3)")
            .bind(s.0)
            .bind(p.date.to_string())
            .bind(p.value)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
