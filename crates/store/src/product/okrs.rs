//! Objectives and key results, with each key result's value history and
//! the features that are its bets.

use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::product::{
    DatedValue, Direction, KeyResult, Objective, check_key_result, key_result_progress, objective_progress,
};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use super::{Table, Tx, check_same_product, product_in};
use crate::activity::{Change, change, record, record_update};
use crate::rows::{check_version, day, id, millis, opt_id, word};
use crate::{Result, Store, StoreError};

/// The fields of an objective an update may change.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveEdit {
    pub title: String,
    pub period: String,
    pub owner_id: Option<Id>,
}

/// A new key result has the fields an update may change.
pub type NewKeyResult = KeyResultEdit;

/// The fields of a key result an update may change. A new `current`
/// appends to the history, dated `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResultEdit {
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub current: f64,
    pub direction: Direction,
    pub feature_ids: Vec<Id>,
    /// The series it follows; its current value then comes from there.
    pub metric_id: Option<Id>,
}

macro_rules! objective_cols {
    () => {
        "SELECT o.id, o.workspace_id, o.product_id, o.title, o.period, o.owner_id, o.version, \
    o.created_at, o.updated_at FROM objectives o"
    };
}
macro_rules! kr_cols {
    () => {
        "SELECT k.id, k.objective_id, k.metric, k.unit, k.baseline, k.target, k.current_value, \
    k.direction, k.metric_id, k.version, k.created_at, k.updated_at FROM key_results k JOIN objectives o ON o.id = k.objective_id"
    };
}

/// Histories and bets of a set of key results, keyed by key result id.
#[derive(Default)]
struct Extras {
    history: HashMap<i64, Vec<DatedValue>>,
    features: HashMap<i64, Vec<Id>>,
}

async fn extras(tx: &mut Tx, filter: &'static str, by: i64) -> Result<Extras> {
    let mut out = Extras::default();
    let vals = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.key_result_id, v.date, v.value FROM key_result_values v JOIN key_results k ON k.id = v.key_result_id \
         JOIN objectives o ON o.id = k.objective_id WHERE {filter} = $1 ORDER BY v.key_result_id, v.date, v.id"
    )))
    .bind(by)
    .fetch_all(&mut **tx)
    .await?;
    for v in &vals {
        let kr: i64 = v.try_get("key_result_id")?;
        out.history.entry(kr).or_default().push(DatedValue { date: day(v, "date")?, value: v.try_get("value")? });
    }
    let bets = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT b.key_result_id, b.feature_id FROM key_result_features b JOIN key_results k ON k.id = b.key_result_id \
         JOIN objectives o ON o.id = k.objective_id WHERE {filter} = $1 ORDER BY b.key_result_id, b.feature_id"
    )))
    .bind(by)
    .fetch_all(&mut **tx)
    .await?;
    for b in &bets {
        let kr: i64 = b.try_get("key_result_id")?;
        out.features.entry(kr).or_default().push(id(b, "feature_id")?);
    }
    Ok(out)
}

fn key_result(row: &AnyRow, ex: &mut Extras) -> Result<KeyResult> {
    let kid: i64 = row.try_get("id")?;
    let (baseline, target, current): (f64, f64, f64) =
        (row.try_get("baseline")?, row.try_get("target")?, row.try_get("current_value")?);
    Ok(KeyResult {
        id: Id(kid),
        objective_id: id(row, "objective_id")?,
        metric: row.try_get("metric")?,
        unit: row.try_get("unit")?,
        baseline,
        target,
        current,
        direction: word(row, "direction", Direction::parse)?,
        progress: key_result_progress(baseline, target, current),
        history: ex.history.remove(&kid).unwrap_or_default(),
        feature_ids: ex.features.remove(&kid).unwrap_or_default(),
        metric_id: opt_id(row, "metric_id")?,
        delivery: None,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

fn objective(row: &AnyRow, key_results: Vec<KeyResult>) -> Result<Objective> {
    Ok(Objective {
        id: id(row, "id")?,
        product_id: id(row, "product_id")?,
        title: row.try_get("title")?,
        period: row.try_get("period")?,
        owner_id: opt_id(row, "owner_id")?,
        progress: objective_progress(&key_results),
        key_results,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

/// Objectives matching `filter` (`o.id` or `o.product_id`) with their key results.
async fn fetch_objectives(tx: &mut Tx, filter: &'static str, by: i64) -> Result<Vec<(Objective, Id)>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        concat!(objective_cols!(), " WHERE {} = $1 ORDER BY o.period, o.id"),
        filter
    )))
    .bind(by)
    .fetch_all(&mut **tx)
    .await?;
    let krs = sqlx::query(sqlx::AssertSqlSafe(format!(
        concat!(kr_cols!(), " WHERE {} = $1 ORDER BY k.objective_id, k.id"),
        filter
    )))
    .bind(by)
    .fetch_all(&mut **tx)
    .await?;
    let mut ex = extras(tx, filter, by).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let oid: i64 = row.try_get("id")?;
        let mut mine = Vec::new();
        for k in &krs {
            if k.try_get::<i64, _>("objective_id")? == oid {
                mine.push(key_result(k, &mut ex)?);
            }
        }
        out.push((objective(row, mine)?, id(row, "workspace_id")?));
    }
    Ok(out)
}

async fn fetch_objective(tx: &mut Tx, obj: Id) -> Result<(Objective, Id)> {
    fetch_objectives(tx, "o.id", obj.0).await?.into_iter().next().ok_or(StoreError::NotFound)
}

async fn fetch_key_result(tx: &mut Tx, kr: Id) -> Result<(KeyResult, Id, Id)> {
    let row = sqlx::query(concat!(kr_cols!(), " WHERE k.id = $1"))
        .bind(kr.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let obj = id(&row, "objective_id")?;
    let (o, ws) = fetch_objective(tx, obj).await?;
    let k = o.key_results.into_iter().find(|k| k.id == kr).ok_or(StoreError::NotFound)?;
    Ok((k, ws, o.product_id))
}

async fn set_bets(tx: &mut Tx, kr: Id, product: Id, features: &[Id]) -> Result<()> {
    for f in features {
        check_same_product(tx, Table::Features, *f, product).await?;
    }
    sqlx::query("DELETE FROM key_result_features WHERE key_result_id = $1").bind(kr.0).execute(&mut **tx).await?;
    let mut seen = std::collections::BTreeSet::new();
    for f in features.iter().filter(|f| seen.insert(f.0)) {
        sqlx::query("INSERT INTO key_result_features (key_result_id, feature_id) VALUES ($1, $2)")
            .bind(kr.0)
            .bind(f.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn push_value(tx: &mut Tx, kr: Id, date: Day, value: f64, now: Millis) -> Result<()> {
    sqlx::query("INSERT INTO key_result_values (key_result_id, date, value, at) VALUES ($1, $2, $3, $4)")
        .bind(kr.0)
        .bind(date.to_string())
        .bind(value)
        .bind(now.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    pub async fn create_objective(&self, actor: Id, product: Id, e: &ObjectiveEdit, now: Millis) -> Result<Objective> {
        let mut tx = self.write().await?;
        let p = product_in(&mut tx, product).await?;
        let oid: i64 = sqlx::query_scalar(
            "INSERT INTO objectives (workspace_id, product_id, title, period, owner_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(p.workspace_id.0)
        .bind(product.0)
        .bind(&e.title)
        .bind(&e.period)
        .bind(e.owner_id.map(|o| o.0))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let (o, ws) = fetch_objective(&mut tx, Id(oid)).await?;
        let after = json!({"title": o.title, "period": o.period});
        record(&mut tx, &change(ws, actor, "objective.created", "objective", o.id).after(after), now).await?;
        tx.commit().await?;
        Ok(o)
    }

    pub async fn objective(&self, obj: Id) -> Result<Objective> {
        let mut tx = self.pool.begin().await?;
        let (o, _) = fetch_objective(&mut tx, obj).await?;
        tx.commit().await?;
        Ok(o)
    }

    /// The product's objectives by period, each with its key results.
    pub async fn objectives(&self, product: Id) -> Result<Vec<Objective>> {
        let mut tx = self.pool.begin().await?;
        let list = fetch_objectives(&mut tx, "o.product_id", product.0).await?;
        tx.commit().await?;
        Ok(list.into_iter().map(|(o, _)| o).collect())
    }

    pub async fn update_objective(
        &self,
        actor: Id,
        obj: Id,
        version: i64,
        edit: impl FnOnce(&mut ObjectiveEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Objective> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_objective(&mut tx, obj).await?;
        check_version(before.version, version)?;
        let mut e =
            ObjectiveEdit { title: before.title.clone(), period: before.period.clone(), owner_id: before.owner_id };
        edit(&mut e)?;
        sqlx::query(
            "UPDATE objectives SET title = $1, period = $2, owner_id = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(&e.title)
        .bind(&e.period)
        .bind(e.owner_id.map(|o| o.0))
        .bind(now.0)
        .bind(obj.0)
        .execute(&mut *tx)
        .await?;
        let (after, _) = fetch_objective(&mut tx, obj).await?;
        record_update(&mut tx, change(ws, actor, "objective.updated", "objective", obj), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_objective(&self, actor: Id, obj: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_objective(&mut tx, obj).await?;
        sqlx::query("DELETE FROM objectives WHERE id = $1").bind(obj.0).execute(&mut *tx).await?;
        let gone = json!({"title": before.title, "period": before.period});
        record(&mut tx, &change(ws, actor, "objective.deleted", "objective", obj).before(gone), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a key result; its current value is the first point of history.
    pub async fn create_key_result(
        &self,
        actor: Id,
        obj: Id,
        new: &NewKeyResult,
        today: Day,
        now: Millis,
    ) -> Result<KeyResult> {
        check_key_result(new.baseline, new.target, new.direction)?;
        let mut tx = self.write().await?;
        let (o, ws) = fetch_objective(&mut tx, obj).await?;
        let kid: i64 = sqlx::query_scalar(
            "INSERT INTO key_results (workspace_id, objective_id, metric, unit, baseline, target, current_value, \
             direction, metric_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             RETURNING id",
        )
        .bind(ws.0)
        .bind(obj.0)
        .bind(&new.metric)
        .bind(&new.unit)
        .bind(new.baseline)
        .bind(new.target)
        .bind(new.current)
        .bind(new.direction.as_str())
        .bind(new.metric_id.map(|m| m.0))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(m) = new.metric_id {
            check_same_product(&mut tx, Table::MetricSeries, m, o.product_id).await?;
        }
        set_bets(&mut tx, Id(kid), o.product_id, &new.feature_ids).await?;
        push_value(&mut tx, Id(kid), today, new.current, now).await?;
        if let Some(m) = new.metric_id {
            set_current(&mut tx, Id(kid), m, now).await?;
        }
        let (k, _, _) = fetch_key_result(&mut tx, Id(kid)).await?;
        let after = json!({"metric": k.metric, "target": k.target});
        record(&mut tx, &change(ws, actor, "key_result.created", "key_result", k.id).after(after), now).await?;
        tx.commit().await?;
        Ok(k)
    }

    pub async fn key_result(&self, kr: Id) -> Result<KeyResult> {
        let mut tx = self.pool.begin().await?;
        let (k, _, _) = fetch_key_result(&mut tx, kr).await?;
        tx.commit().await?;
        Ok(k)
    }

    /// Applies `edit`; a changed current value is appended to the history
    /// dated `as_of` (one value per date: a second one that day replaces it).
    pub async fn update_key_result(
        &self,
        actor: Id,
        kr: Id,
        version: i64,
        as_of: Day,
        edit: impl FnOnce(&mut KeyResultEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<KeyResult> {
        let mut tx = self.write().await?;
        let (before, ws, product) = fetch_key_result(&mut tx, kr).await?;
        check_version(before.version, version)?;
        let mut e = KeyResultEdit {
            metric: before.metric.clone(),
            unit: before.unit.clone(),
            baseline: before.baseline,
            target: before.target,
            current: before.current,
            direction: before.direction,
            feature_ids: before.feature_ids.clone(),
            metric_id: before.metric_id,
        };
        edit(&mut e)?;
        if let Some(m) = e.metric_id.filter(|m| Some(*m) != before.metric_id) {
            check_same_product(&mut tx, Table::MetricSeries, m, product).await?;
        }
        check_key_result(e.baseline, e.target, e.direction)?;
        sqlx::query(
            "UPDATE key_results SET metric = $1, unit = $2, baseline = $3, target = $4, current_value = $5, \
             direction = $6, metric_id = $7, version = version + 1, updated_at = $8 WHERE id = $9",
        )
        .bind(&e.metric)
        .bind(&e.unit)
        .bind(e.baseline)
        .bind(e.target)
        .bind(e.current)
        .bind(e.direction.as_str())
        .bind(e.metric_id.map(|m| m.0))
        .bind(now.0)
        .bind(kr.0)
        .execute(&mut *tx)
        .await?;
        if e.feature_ids != before.feature_ids {
            set_bets(&mut tx, kr, product, &e.feature_ids).await?;
        }
        if e.current != before.current {
            sqlx::query("DELETE FROM key_result_values WHERE key_result_id = $1 AND date = $2")
                .bind(kr.0)
                .bind(as_of.to_string())
                .execute(&mut *tx)
                .await?;
            push_value(&mut tx, kr, as_of, e.current, now).await?;
        }
        if let Some(m) = e.metric_id.filter(|m| Some(*m) != before.metric_id) {
            set_current(&mut tx, kr, m, now).await?;
        }
        let (after, _, _) = fetch_key_result(&mut tx, kr).await?;
        record_update(&mut tx, change(ws, actor, "key_result.updated", "key_result", kr), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_key_result(&self, actor: Id, kr: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws, _) = fetch_key_result(&mut tx, kr).await?;
        sqlx::query("DELETE FROM key_results WHERE id = $1").bind(kr.0).execute(&mut *tx).await?;
        let gone = json!({"metric": before.metric});
        record(&mut tx, &change(ws, actor, "key_result.deleted", "key_result", kr).before(gone), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The latest value of series `s`, with its date.
async fn latest(tx: &mut Tx, s: Id) -> Result<Option<DatedValue>> {
    let row = sqlx::query("SELECT date, value FROM metric_points WHERE series_id = $1 ORDER BY date DESC LIMIT 1")
        .bind(s.0)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| Ok(DatedValue { date: day(&r, "date")?, value: r.try_get("value")? })).transpose()
}

/// Gives key result `kr` the latest value of series `s` (inside an update
/// that records itself), kept in its history under that value's date.
async fn set_current(tx: &mut Tx, kr: Id, s: Id, now: Millis) -> Result<bool> {
    let Some(v) = latest(tx, s).await? else { return Ok(false) };
    let current: f64 = sqlx::query_scalar("SELECT current_value FROM key_results WHERE id = $1")
        .bind(kr.0)
        .fetch_one(&mut **tx)
        .await?;
    if current == v.value {
        return Ok(false);
    }
    sqlx::query("UPDATE key_results SET current_value = $1 WHERE id = $2")
        .bind(v.value)
        .bind(kr.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM key_result_values WHERE key_result_id = $1 AND date = $2")
        .bind(kr.0)
        .bind(v.date.to_string())
        .execute(&mut **tx)
        .await?;
    push_value(tx, kr, v.date, v.value, now).await?;
    Ok(true)
}

/// Moves the key results following series `s` to
/// its latest value: each change is a new version, kept in the history
/// and the activity log (by no one: the events moved it).
pub(crate) async fn follow_series(tx: &mut Tx, s: Id, now: Millis) -> Result<()> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM key_results WHERE metric_id = $1 ORDER BY id")
        .bind(s.0)
        .fetch_all(&mut **tx)
        .await?;
    for kr in ids.into_iter().map(Id) {
        let (before, ws, _) = fetch_key_result(tx, kr).await?;
        if !set_current(tx, kr, s, now).await? {
            continue;
        }
        sqlx::query("UPDATE key_results SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now.0)
            .bind(kr.0)
            .execute(&mut **tx)
            .await?;
        let (after, _, _) = fetch_key_result(tx, kr).await?;
        let frame = Change { actor_id: None, ..change(ws, Id(0), "key_result.updated", "key_result", kr) };
        record_update(tx, frame, &before, &after, now).await?;
    }
    Ok(())
}
