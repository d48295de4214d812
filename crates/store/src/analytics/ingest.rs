//! Events in: each batch checked against the key's rate, each event once,
//! people and names numbered, raw rows and day sets in one transaction.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use tandem_core::analytics::trail::Mark;
use tandem_core::analytics::{IngestKey, People};
use tandem_core::{Id, Millis};

use super::{
    CHUNK, DayEvent, IngestLimits, IngestOutcome, Ingested, Marks, Tx, WINDOW_MS, add_to_week, drop_raw, people_of,
    trails, week_of,
};
use crate::{Backend, Result, Store, StoreError};

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
        drop_raw(&mut tx, product, keep_from).await?;
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
        let mut marks: HashMap<(i64, i32), Vec<Mark>> = HashMap::new();
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
                marks.entry((name, e.day)).or_default().push(Mark { person: member, at: e.event.at.0 });
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
        let mut weeks: HashMap<(i64, i32), People> = HashMap::new();
        for ((name, day), (add, _)) in &days {
            weeks.entry((*name, week_of(*day))).or_default().0 |= &add.0;
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
        for ((name, week), add) in weeks {
            add_to_week(&mut tx, product, name, week, &add).await?;
        }
        trails::append(&mut tx, product, marks).await?;
        tx.commit().await?;
        Ok(IngestOutcome::Stored(out))
    }
}
