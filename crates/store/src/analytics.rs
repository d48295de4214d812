//! Product analytics: ingest keys, events, and each day's people per
//! event (kept as bitmaps by `core::analytics`).

use std::collections::{HashMap, HashSet};

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::analytics::{Event, IngestKey, People};
use tandem_core::{Id, Millis};

use crate::activity::{Change, record};
use crate::rows::{id, millis, opt_millis};
use crate::{Backend, Result, Store, StoreError};

const KEY_COLS: &str = "SELECT id, product_id, name, prefix, created_at, last_used_at FROM ingest_keys";

/// Rows one multi-row statement carries.
const CHUNK: usize = 400;

fn key(row: &AnyRow) -> Result<IngestKey> {
    Ok(IngestKey {
        id: id(row, "id")?,
        product_id: id(row, "product_id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        created_at: millis(row, "created_at")?,
        last_used_at: opt_millis(row, "last_used_at")?,
    })
}

/// An event to store, with the product's day of it.
#[derive(Debug, Clone)]
pub struct DayEvent {
    pub event: Event,
    pub day: i32,
}

/// A batch stored, or refused for the key's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    Stored(Ingested),
    /// Over the key's requests a minute: try again after these seconds.
    Limited {
        retry_after: u64,
    },
}

/// What bounds a batch: the key's requests a minute, and the first day
/// whose raw events are kept.
#[derive(Debug, Clone, Copy)]
pub struct IngestLimits {
    pub per_minute: i64,
    pub keep_from: i32,
}

/// The window of the per-key rate.
const WINDOW_MS: i64 = 60_000;

/// What a batch stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ingested {
    pub accepted: usize,
    /// Events whose `uuid` was seen before (in this batch or earlier).
    pub duplicates: usize,
}

/// One day of an event's people and count.
#[derive(Debug, Clone)]
pub struct DaySet {
    pub day: i32,
    pub people: People,
    pub events: i64,
}

/// A day set as stored: the bitmap's bytes, or base64 text in rows written
/// before the bytes were kept.
fn people_of(row: &sqlx::any::AnyRow) -> Result<People> {
    match row.try_get::<Option<Vec<u8>>, _>("bits")? {
        Some(bytes) => Ok(People::from_bytes(&bytes)),
        None => Ok(People::from_text(&row.try_get::<String, _>("people")?)),
    }
}

/// One statement's placeholders, written in the order their values are
/// bound: SQLite's anonymous `?` (for each numbered one SQLite walks its
/// list of names, which makes a statement of many rows quadratic),
/// PostgreSQL's `$1, $2, …`.
pub(crate) struct Marks {
    backend: Backend,
    next: usize,
}

impl Marks {
    pub(crate) fn new(backend: Backend) -> Marks {
        Marks { backend, next: 1 }
    }

    pub(crate) fn one(&mut self) -> String {
        match self.backend {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => {
                self.next += 1;
                format!("${}", self.next - 1)
            }
        }
    }

    /// `n` marks separated by commas.
    pub(crate) fn list(&mut self, n: usize) -> String {
        (0..n).map(|_| self.one()).collect::<Vec<_>>().join(", ")
    }

    /// `rows` parenthesised rows of `width` marks.
    pub(crate) fn rows(&mut self, rows: usize, width: usize) -> String {
        (0..rows).map(|_| format!("({})", self.list(width))).collect::<Vec<_>>().join(", ")
    }
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// Adds to `out` the numbers `words` already have.
async fn known(
    tx: &mut Tx<'_>,
    backend: Backend,
    (table, col): (&str, &str),
    product: Id,
    words: &[&str],
    out: &mut HashMap<String, i64>,
) -> Result<()> {
    let mut m = Marks::new(backend);
    let select =
        format!("SELECT id, {col} FROM {table} WHERE product_id = {} AND {col} IN ({})", m.one(), m.list(words.len()));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(select)).bind(product.0);
    for w in words {
        q = q.bind(*w);
    }
    for row in q.fetch_all(&mut **tx).await? {
        out.insert(row.try_get::<String, _>(col)?, row.try_get::<i64, _>("id")?);
    }
    Ok(())
}

/// The numbers of `words` (names or people) in `table`'s `col` for the
/// product, made when new.
async fn numbered(
    tx: &mut Tx<'_>,
    backend: Backend,
    (table, col): (&str, &str),
    product: Id,
    words: &[&str],
) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::with_capacity(words.len());
    for chunk in words.chunks(CHUNK) {
        // Most are known: look them up, then number only the new ones.
        known(tx, backend, (table, col), product, chunk, &mut out).await?;
        let new: Vec<&str> = chunk.iter().copied().filter(|w| !out.contains_key(*w)).collect();
        if new.is_empty() {
            continue;
        }
        let insert = format!(
            "INSERT INTO {table} (product_id, {col}) VALUES {} ON CONFLICT (product_id, {col}) DO NOTHING \
             RETURNING id, {col}",
            Marks::new(backend).rows(new.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(insert));
        for w in &new {
            q = q.bind(product.0).bind(*w);
        }
        for row in q.fetch_all(&mut **tx).await? {
            out.insert(row.try_get::<String, _>(col)?, row.try_get::<i64, _>("id")?);
        }
        // Numbered meanwhile by another server's batch: read theirs.
        let raced: Vec<&str> = new.into_iter().filter(|w| !out.contains_key(*w)).collect();
        if !raced.is_empty() {
            known(tx, backend, (table, col), product, &raced, &mut out).await?;
        }
    }
    Ok(out)
}

impl Store {
    /// A new key of `product`, stored by its hash.
    pub async fn create_ingest_key(
        &self,
        actor: Id,
        product: Id,
        name: &str,
        (hash, prefix): (&str, &str),
        now: Millis,
    ) -> Result<IngestKey> {
        let mut tx = self.write().await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM products WHERE id = $1")
            .bind(product.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let kid: i64 = sqlx::query_scalar(
            "INSERT INTO ingest_keys (product_id, name, key_hash, prefix, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(product.0)
        .bind(name)
        .bind(hash)
        .bind(prefix)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let change = Change {
            workspace_id: Id(ws),
            actor_id: Some(actor),
            action: "ingest_key.created",
            subject_type: "product",
            subject_id: product,
            before: None,
            after: Some(json!({"ingest_key": kid, "name": name, "prefix": prefix})),
        };
        record(&mut tx, &change, now).await?;
        let sql = format!("{KEY_COLS} WHERE id = $1");
        let k = key(&sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kid).fetch_one(&mut *tx).await?)?;
        tx.commit().await?;
        Ok(k)
    }

    pub async fn ingest_keys(&self, product: Id) -> Result<Vec<IngestKey>> {
        let sql = format!("{KEY_COLS} WHERE product_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(product.0).fetch_all(&self.pool).await?;
        rows.iter().map(key).collect()
    }

    pub async fn ingest_key(&self, k: Id) -> Result<IngestKey> {
        let sql = format!("{KEY_COLS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(k.0).fetch_optional(&self.pool).await?;
        key(&row.ok_or(StoreError::NotFound)?)
    }

    /// The key with this hash, if one is live.
    pub async fn ingest_key_by_hash(&self, hash: &str) -> Result<Option<IngestKey>> {
        let sql = format!("{KEY_COLS} WHERE key_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hash).fetch_optional(&self.pool).await?;
        row.as_ref().map(key).transpose()
    }

    /// Revokes a key: it sends nothing more.
    pub async fn delete_ingest_key(&self, actor: Id, k: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT k.product_id, k.name, k.prefix, p.workspace_id FROM ingest_keys k \
             JOIN products p ON p.id = k.product_id WHERE k.id = $1",
        )
        .bind(k.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM ingest_keys WHERE id = $1").bind(k.0).execute(&mut *tx).await?;
        let change = Change {
            workspace_id: id(&row, "workspace_id")?,
            actor_id: Some(actor),
            action: "ingest_key.revoked",
            subject_type: "product",
            subject_id: id(&row, "product_id")?,
            before: Some(json!({
                "ingest_key": k.0,
                "name": row.try_get::<String, _>("name")?,
                "prefix": row.try_get::<String, _>("prefix")?,
            })),
            after: None,
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a batch of checked events of the key's product in one
    /// transaction: each event once (by `uuid`), and each day's people per
    /// event and for any event; raw events before `keep_from` go. Past the
    /// key's requests a minute, nothing is stored.
    pub async fn ingest(
        &self,
        k: &IngestKey,
        batch: &[DayEvent],
        limits: IngestLimits,
        now: Millis,
    ) -> Result<IngestOutcome> {
        let IngestLimits { per_minute, keep_from } = limits;
        let product = k.product_id;
        let backend = self.backend();
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT window_start, window_requests FROM ingest_keys WHERE id = $1")
            .bind(k.id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (start, requests): (i64, i64) = (row.try_get("window_start")?, row.try_get("window_requests")?);
        let (start, requests) = if now.0 - start >= WINDOW_MS { (now.0, 1) } else { (start, requests + 1) };
        if requests > per_minute {
            let left = (start + WINDOW_MS - now.0).max(1000);
            return Ok(IngestOutcome::Limited { retry_after: u64::try_from((left + 999) / 1000).unwrap_or(60) });
        }
        sqlx::query("UPDATE ingest_keys SET last_used_at = $1, window_start = $2, window_requests = $3 WHERE id = $4")
            .bind(now.0)
            .bind(start)
            .bind(requests)
            .bind(k.id.0)
            .execute(&mut *tx)
            .await?;
        // Raw events past their keeping go (their days' figures stay).
        sqlx::query("DELETE FROM analytics_events WHERE product_id = $1 AND day < $2")
            .bind(product.0)
            .bind(i64::from(keep_from))
            .execute(&mut *tx)
            .await?;
        // Each uuid once: not seen before, and the first in the batch.
        let uuids: Vec<&str> = batch.iter().filter_map(|e| e.event.uuid.as_deref()).collect();
        let mut seen: HashSet<String> = HashSet::new();
        for chunk in uuids.chunks(CHUNK) {
            let mut m = Marks::new(backend);
            let sql = format!(
                "SELECT uuid FROM analytics_events WHERE product_id = {} AND uuid IN ({})",
                m.one(),
                m.list(chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(product.0);
            for u in chunk {
                q = q.bind(*u);
            }
            seen.extend(q.fetch_all(&mut *tx).await?);
        }
        let fresh: Vec<&DayEvent> = batch
            .iter()
            .filter(|e| match &e.event.uuid {
                Some(u) => seen.insert(u.clone()),
                None => true,
            })
            .collect();
        let out = Ingested { accepted: fresh.len(), duplicates: batch.len() - fresh.len() };
        if fresh.is_empty() {
            tx.commit().await?;
            return Ok(IngestOutcome::Stored(out));
        }
        let names: Vec<&str> =
            fresh.iter().map(|e| e.event.name.as_str()).collect::<HashSet<_>>().into_iter().collect();
        let people: Vec<&str> =
            fresh.iter().map(|e| e.event.distinct_id.as_str()).collect::<HashSet<_>>().into_iter().collect();
        let name_ids = numbered(&mut tx, backend, ("analytics_names", "name"), product, &names).await?;
        let person_ids = numbered(&mut tx, backend, ("analytics_people", "distinct_id"), product, &people).await?;
        let number = |map: &HashMap<String, i64>, w: &str| {
            map.get(w).copied().ok_or_else(|| StoreError::Corrupt(format!("no number for {w}")))
        };
        let mut days: HashMap<(i64, i32), (People, i64)> = HashMap::new();
        for chunk in fresh.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO analytics_events (product_id, name_id, person_id, at, day, uuid, properties) VALUES {}",
                Marks::new(backend).rows(chunk.len(), 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for e in chunk {
                let name = number(&name_ids, &e.event.name)?;
                let person = number(&person_ids, &e.event.distinct_id)?;
                let member = u32::try_from(person).map_err(|_| StoreError::Corrupt("too many people".into()))?;
                for n in [name, 0] {
                    let slot = days.entry((n, e.day)).or_default();
                    slot.0.0.insert(member);
                    slot.1 += 1;
                }
                q = q
                    .bind(product.0)
                    .bind(name)
                    .bind(person)
                    .bind(e.event.at.0)
                    .bind(i64::from(e.day))
                    .bind(e.event.uuid.as_deref())
                    .bind(e.event.properties.as_str());
            }
            q.execute(&mut *tx).await?;
        }
        for ((name, day), (add, count)) in days {
            let row = sqlx::query(
                "SELECT people, bits, events FROM analytics_days WHERE product_id = $1 AND name_id = $2 AND day = $3",
            )
            .bind(product.0)
            .bind(name)
            .bind(i64::from(day))
            .fetch_optional(&mut *tx)
            .await?;
            let (mut set, mut events) = match row {
                Some(r) => (people_of(&r)?, r.try_get::<i64, _>("events")?),
                None => (People::default(), 0),
            };
            set.0 |= add.0;
            events += count;
            sqlx::query(
                "INSERT INTO analytics_days (product_id, name_id, day, people, bits, events) \
                 VALUES ($1, $2, $3, '', $4, $5) ON CONFLICT (product_id, name_id, day) \
                 DO UPDATE SET people = '', bits = excluded.bits, events = excluded.events",
            )
            .bind(product.0)
            .bind(name)
            .bind(i64::from(day))
            .bind(set.to_bytes())
            .bind(events)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(IngestOutcome::Stored(out))
    }

    /// Drops a product's raw events of the days before `day` (the day sets
    /// stay); how many went.
    pub async fn analytics_drop_raw_before(&self, product: Id, day: i32) -> Result<u64> {
        let done = sqlx::query("DELETE FROM analytics_events WHERE product_id = $1 AND day < $2")
            .bind(product.0)
            .bind(i64::from(day))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The names of the events a product has received, by name (at most
    /// `limit`).
    pub async fn analytics_event_names(&self, product: Id, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM analytics_names WHERE product_id = $1 ORDER BY name LIMIT $2")
            .bind(product.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The days `from..=to` of one event's people (any event's without a
    /// name), in order; days without events are left out. An event never
    /// seen has none.
    pub async fn analytics_days(&self, product: Id, event: Option<&str>, from: i32, to: i32) -> Result<Vec<DaySet>> {
        let name_id = match event {
            None => 0,
            Some(n) => {
                let found: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM analytics_names WHERE product_id = $1 AND name = $2")
                        .bind(product.0)
                        .bind(n)
                        .fetch_optional(&self.pool)
                        .await?;
                match found {
                    Some(id) => id,
                    None => return Ok(Vec::new()),
                }
            }
        };
        let rows = sqlx::query(
            "SELECT day, people, bits, events FROM analytics_days WHERE product_id = $1 AND name_id = $2 \
             AND day >= $3 AND day <= $4 ORDER BY day",
        )
        .bind(product.0)
        .bind(name_id)
        .bind(i64::from(from))
        .bind(i64::from(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DaySet {
                    day: i32::try_from(r.try_get::<i64, _>("day")?).unwrap_or(0),
                    people: people_of(r)?,
                    events: r.try_get("events")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Forgets one person of a product: their events, their place in every
    /// day's sets (and their events in the counts, where the events are
    /// still kept), and their number. Not found when the product never
    /// heard of them.
    pub async fn forget_person(&self, actor: Id, product: Id, distinct_id: &str, now: Millis) -> Result<u64> {
        let mut tx = self.write().await?;
        let person: i64 =
            sqlx::query_scalar("SELECT id FROM analytics_people WHERE product_id = $1 AND distinct_id = $2")
                .bind(product.0)
                .bind(distinct_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let member = u32::try_from(person).map_err(|_| StoreError::Corrupt("person number".into()))?;
        let mut counts: HashMap<(i64, i64), i64> = HashMap::new();
        let rows = sqlx::query(
            "SELECT name_id, day, COUNT(*) AS n FROM analytics_events WHERE product_id = $1 AND person_id = $2 \
             GROUP BY name_id, day",
        )
        .bind(product.0)
        .bind(person)
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let (name, day, n): (i64, i64, i64) = (r.try_get("name_id")?, r.try_get("day")?, r.try_get("n")?);
            *counts.entry((name, day)).or_default() += n;
            *counts.entry((0, day)).or_default() += n;
        }
        let removed = sqlx::query("DELETE FROM analytics_events WHERE product_id = $1 AND person_id = $2")
            .bind(product.0)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        let days = sqlx::query("SELECT name_id, day, people, bits, events FROM analytics_days WHERE product_id = $1")
            .bind(product.0)
            .fetch_all(&mut *tx)
            .await?;
        for r in &days {
            let mut set = people_of(r)?;
            if !set.0.remove(member) {
                continue;
            }
            let (name, day): (i64, i64) = (r.try_get("name_id")?, r.try_get("day")?);
            let events = (r.try_get::<i64, _>("events")? - counts.get(&(name, day)).copied().unwrap_or(0)).max(0);
            if set.is_empty() {
                sqlx::query("DELETE FROM analytics_days WHERE product_id = $1 AND name_id = $2 AND day = $3")
                    .bind(product.0)
                    .bind(name)
                    .bind(day)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "UPDATE analytics_days SET people = '', bits = $1, events = $2 \
                     WHERE product_id = $3 AND name_id = $4 AND day = $5",
                )
                .bind(set.to_bytes())
                .bind(events)
                .bind(product.0)
                .bind(name)
                .bind(day)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("DELETE FROM analytics_people WHERE id = $1").bind(person).execute(&mut *tx).await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM products WHERE id = $1")
            .bind(product.0)
            .fetch_one(&mut *tx)
            .await?;
        let change = Change {
            workspace_id: Id(ws),
            actor_id: Some(actor),
            action: "analytics.person_forgotten",
            subject_type: "product",
            subject_id: product,
            before: None,
            // The person's id is what is being forgotten: not kept here.
            after: Some(json!({"events_deleted": removed.rows_affected()})),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(removed.rows_affected())
    }

    /// The events of the funnel's `names` (by their index there) from
    /// `from` to before `until` (milliseconds), by person then time.
    pub async fn funnel_events(
        &self,
        product: Id,
        names: &[&str],
        (from, until): (i64, i64),
        (first_day, last_day): (i32, i32),
    ) -> Result<Vec<tandem_core::analytics::Step>> {
        let mut ids: HashMap<i64, usize> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM analytics_names WHERE product_id = $1 AND name = $2")
                    .bind(product.0)
                    .bind(*n)
                    .fetch_optional(&self.pool)
                    .await?;
            // A name given twice is the same event at each step: the
            // first index stands for it.
            if let Some(id) = found {
                ids.entry(id).or_insert(i);
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // The days bound the rows read through the (product, day) index;
        // the instants decide.
        let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 6)).collect();
        let sql = format!(
            "SELECT person_id, name_id, at FROM analytics_events WHERE product_id = $1 AND day >= $2 AND day <= $3 \
             AND at >= $4 AND at < $5 AND name_id IN ({}) ORDER BY person_id, at, id",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(product.0)
            .bind(i64::from(first_day))
            .bind(i64::from(last_day))
            .bind(from)
            .bind(until);
        for id in ids.keys() {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let name: i64 = r.try_get("name_id")?;
                Ok(tandem_core::analytics::Step {
                    person: r.try_get("person_id")?,
                    event: ids.get(&name).copied().unwrap_or(usize::MAX),
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, Marks};

    #[test]
    fn marks_are_anonymous_on_sqlite_and_numbered_on_postgres() {
        let mut pg = Marks::new(Backend::Postgres);
        assert_eq!((pg.one(), pg.rows(2, 2)), ("$1".to_owned(), "($2, $3), ($4, $5)".to_owned()));
        assert_eq!(Marks::new(Backend::Sqlite).rows(2, 1), "(?), (?)");
    }
}
