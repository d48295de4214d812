//! Events in: each batch checked against the key's rate, each event once,
//! people and names numbered, raw rows and day sets in one transaction.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use tandem_core::analytics::trail::Mark;
use tandem_core::analytics::{IngestKey, People};
use tandem_core::{Id, Millis};

use super::people::Kind;
use super::{
    DayEvent, IngestLimits, IngestOutcome, Ingested, Marks, Tx, WINDOW_MS, add_to_week, drop_raw, people_of, trails,
    week_of,
};
use crate::{Backend, Result, Store, StoreError};

/// The elements of one JSON array bound as text, as a table `j` of
/// `(i, v)`: each element's place from 0 and its value (strings as text).
/// One bound string carries a whole batch: no statement of thousands of
/// parameters, no value converted one by one on the way in.
fn elements(m: &mut Marks, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => format!("(SELECT key AS i, value AS v FROM json_each({})) AS j", m.one()),
        Backend::Postgres => format!(
            "(SELECT o - 1 AS i, v FROM json_array_elements_text(CAST({} AS JSON)) WITH ORDINALITY AS t(v, o)) AS j",
            m.one()
        ),
    }
}

/// A raw event as its batch's JSON carries it: name, person, at, day,
/// uuid, properties.
type RawRow<'a> = (i64, i64, i64, i32, Option<&'a str>, &'a str);

/// The JSON array of `words`.
fn json_list(words: &[&str]) -> Result<String> {
    serde_json::to_string(words).map_err(|e| StoreError::Corrupt(e.to_string()))
}

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
    // A lookup per word (a join would let the planner scan the product's
    // people for each word).
    let one = format!("(SELECT t.id FROM {table} t WHERE t.product_id = {} AND t.{col} = j.v)", m.one());
    let select = format!("SELECT j.i, {one} AS id FROM {}", elements(&mut m, backend));
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(select)).bind(product.0).bind(json_list(words)?).fetch_all(&mut **tx).await?;
    for row in rows {
        let Some(id) = row.try_get::<Option<i64>, _>(1)? else { continue };
        let i = usize::try_from(row.try_get::<i64, _>(0)?).map_err(|_| StoreError::Corrupt("place".into()))?;
        let w = words.get(i).ok_or_else(|| StoreError::Corrupt("place".into()))?;
        out.insert((*w).to_owned(), id);
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
    if words.is_empty() {
        return Ok(out);
    }
    // Most are known: look them up, then number only the new ones.
    known(tx, backend, (table, col), product, words, &mut out).await?;
    let new: Vec<&str> = words.iter().copied().filter(|w| !out.contains_key(*w)).collect();
    if new.is_empty() {
        return Ok(out);
    }
    let mut m = Marks::new(backend);
    let product_mark = m.one();
    let from = elements(&mut m, backend);
    // (`WHERE true` tells SQLite's parser the upsert clause is not a join's.)
    let insert = format!(
        "INSERT INTO {table} (product_id, {col}) SELECT CAST({product_mark} AS BIGINT), j.v FROM {from} WHERE true \
         ON CONFLICT (product_id, {col}) DO NOTHING RETURNING id, {col}"
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(insert)).bind(product.0).bind(json_list(&new)?).fetch_all(&mut **tx).await?;
    for row in rows {
        out.insert(row.try_get::<String, _>(col)?, row.try_get::<i64, _>("id")?);
    }
    // Numbered meanwhile by another server's batch: read theirs.
    let raced: Vec<&str> = new.into_iter().filter(|w| !out.contains_key(*w)).collect();
    if !raced.is_empty() {
        known(tx, backend, (table, col), product, &raced, &mut out).await?;
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
        match self.ingest_once(k, batch, limits, now, true).await {
            // A number kept here was forgotten by another server: ask the
            // database for every person this time.
            Err(StoreError::Conflict(_)) => {
                self.people.forget_product(k.product_id);
                self.ingest_once(k, batch, limits, now, false).await
            }
            done => done,
        }
    }

    async fn ingest_once(
        &self,
        k: &IngestKey,
        batch: &[DayEvent],
        limits: IngestLimits,
        now: Millis,
        cached: bool,
    ) -> Result<IngestOutcome> {
        let IngestLimits { per_minute, keep_from } = limits;
        let product = k.product_id;
        let backend = self.backend();
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT k.window_start, k.window_requests, p.people_forgotten FROM ingest_keys k \
             JOIN products p ON p.id = k.product_id WHERE k.id = $1",
        )
        .bind(k.id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let (start, requests): (i64, i64) = (row.try_get("window_start")?, row.try_get("window_requests")?);
        let forgotten: i64 = row.try_get("people_forgotten")?;
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
        if !uuids.is_empty() {
            let mut m = Marks::new(backend);
            let from = elements(&mut m, backend);
            let sql = format!(
                "SELECT j.v FROM {from} WHERE EXISTS (SELECT 1 FROM analytics_events e \
                 WHERE e.product_id = {} AND e.uuid = j.v)",
                m.one()
            );
            let q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(json_list(&uuids)?).bind(product.0);
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
        let (mut name_ids, new_names) =
            if cached { self.people.split((Kind::Name, product), forgotten, &names) } else { (HashMap::new(), names) };
        let found_names = numbered(&mut tx, backend, ("analytics_names", "name"), product, &new_names).await?;
        name_ids.extend(found_names.iter().map(|(d, n)| (d.clone(), *n)));
        let (mut person_ids, unknown) = if cached {
            self.people.split((Kind::Person, product), forgotten, &people)
        } else {
            (HashMap::new(), people)
        };
        let found = numbered(&mut tx, backend, ("analytics_people", "distinct_id"), product, &unknown).await?;
        person_ids.extend(found.iter().map(|(d, n)| (d.clone(), *n)));
        let number = |map: &HashMap<String, i64>, w: &str| {
            map.get(w).copied().ok_or_else(|| StoreError::Corrupt(format!("no number for {w}")))
        };
        let mut days: HashMap<(i64, i32), (People, i64)> = HashMap::new();
        let mut marks: HashMap<(i64, i32), Vec<Mark>> = HashMap::new();
        // Each event as [name, person, at, day, uuid, properties].
        let mut rows: Vec<RawRow<'_>> = Vec::with_capacity(fresh.len());
        for e in &fresh {
            let name = number(&name_ids, &e.event.name)?;
            let person = number(&person_ids, &e.event.distinct_id)?;
            let member = u32::try_from(person).map_err(|_| StoreError::Corrupt("too many people".into()))?;
            for n in [name, 0] {
                let slot = days.entry((n, e.day)).or_default();
                slot.0.0.insert(member);
                slot.1 += 1;
            }
            marks.entry((name, e.day)).or_default().push(Mark { person: member, at: e.event.at.0 });
            rows.push((name, person, e.event.at.0, e.day, e.event.uuid.as_deref(), e.event.properties.as_str()));
        }
        let insert = match backend {
            Backend::Sqlite => {
                "INSERT INTO analytics_events (product_id, name_id, person_id, at, day, uuid, properties) \
                 SELECT ?, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(?)"
            }
            Backend::Postgres => {
                "INSERT INTO analytics_events (product_id, name_id, person_id, at, day, uuid, properties) \
                 SELECT $1, CAST(r->>0 AS BIGINT), CAST(r->>1 AS BIGINT), CAST(r->>2 AS BIGINT), \
                 CAST(r->>3 AS BIGINT), r->>4, r->>5 FROM json_array_elements(CAST($2 AS JSON)) AS t(r)"
            }
        };
        let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(insert).bind(product.0).bind(rows).execute(&mut *tx).await?;
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
        self.people.learn((Kind::Name, product), forgotten, found_names.iter().map(|(d, n)| (d.as_str(), *n)));
        self.people.learn((Kind::Person, product), forgotten, found.iter().map(|(d, n)| (d.as_str(), *n)));
        Ok(IngestOutcome::Stored(out))
    }
}
