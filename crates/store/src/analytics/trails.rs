//! Trails: each day's events of one name packed as who and when, what a
//! funnel reads (millions of events as a few hundred rows).

use std::collections::HashMap;

use sqlx::Row;
use tandem_core::Id;
use tandem_core::analytics::trail::{self, Mark};

use super::{Marks, Tx};
use crate::{Result, Store, StoreError};

/// A batch's events of one name this few are merged into the last piece
/// of their day while it holds fewer than `PIECE` events: a stream of
/// single events does not make a row each, and a merge rewrites at most a
/// few kilobytes.
const SMALL: usize = 64;
const PIECE: usize = 512;

/// One stored piece of a trail, with the index of its name among those
/// asked for.
#[derive(Debug, Clone)]
pub struct TrailPiece {
    pub day: i32,
    pub name: usize,
    pub marks: Vec<u8>,
}

/// Appends a batch's events to their days' trails, per (name, day).
pub(crate) async fn append(tx: &mut Tx<'_>, product: Id, groups: HashMap<(i64, i32), Vec<Mark>>) -> Result<()> {
    for ((name, day), mut add) in groups {
        // Merged pieces stay in time order; arrival breaks ties.
        add.sort_by_key(|m| m.at);
        let last = sqlx::query(
            "SELECT seq, length(marks) AS len FROM analytics_trails \
             WHERE product_id = $1 AND name_id = $2 AND day = $3 ORDER BY seq DESC LIMIT 1",
        )
        .bind(product.0)
        .bind(name)
        .bind(i64::from(day))
        .fetch_optional(&mut **tx)
        .await?;
        let last = match last {
            Some(r) => Some((r.try_get::<i64, _>("seq")?, usize::try_from(r.try_get::<i64, _>("len")?).unwrap_or(0))),
            None => None,
        };
        let merge = last.filter(|&(_, len)| add.len() < SMALL && len / 8 + add.len() <= PIECE);
        if let Some((seq, _)) = merge {
            let old: Vec<u8> = sqlx::query_scalar(
                "SELECT marks FROM analytics_trails WHERE product_id = $1 AND name_id = $2 AND day = $3 AND seq = $4",
            )
            .bind(product.0)
            .bind(name)
            .bind(i64::from(day))
            .bind(seq)
            .fetch_one(&mut **tx)
            .await?;
            let mut all: Vec<Mark> = trail::marks(day, &old).collect();
            all.extend(add);
            all.sort_by_key(|m| m.at);
            write(tx, product, (name, day, seq), &all, true).await?;
        } else {
            let seq = last.map_or(0, |(s, _)| s + 1);
            write(tx, product, (name, day, seq), &add, false).await?;
        }
    }
    Ok(())
}

/// Writes one piece, new or in place of the stored one.
async fn write(tx: &mut Tx<'_>, product: Id, (name, day, seq): (i64, i32, i64), m: &[Mark], over: bool) -> Result<()> {
    let bytes =
        trail::to_bytes(day, m).ok_or_else(|| StoreError::Corrupt(format!("an event far from its day {day}")))?;
    let sql = if over {
        "UPDATE analytics_trails SET marks = $1 WHERE product_id = $2 AND name_id = $3 AND day = $4 AND seq = $5"
    } else {
        "INSERT INTO analytics_trails (marks, product_id, name_id, day, seq) VALUES ($1, $2, $3, $4, $5)"
    };
    sqlx::query(sql).bind(bytes).bind(product.0).bind(name).bind(i64::from(day)).bind(seq).execute(&mut **tx).await?;
    Ok(())
}

/// Takes one person out of every trail of the product.
pub(crate) async fn forget(tx: &mut Tx<'_>, product: Id, member: u32) -> Result<()> {
    let rows = sqlx::query("SELECT name_id, day, seq, marks FROM analytics_trails WHERE product_id = $1")
        .bind(product.0)
        .fetch_all(&mut **tx)
        .await?;
    for r in &rows {
        let (name, day, seq): (i64, i64, i64) = (r.try_get("name_id")?, r.try_get("day")?, r.try_get("seq")?);
        let day = i32::try_from(day).map_err(|_| StoreError::Corrupt("trail day".into()))?;
        let old: Vec<u8> = r.try_get("marks")?;
        let kept: Vec<Mark> = trail::marks(day, &old).filter(|m| m.person != member).collect();
        if kept.len() == trail::len(&old) {
            continue;
        }
        // An emptied piece stays (empty) so that the numbering of pieces
        // goes on from the last.
        write(tx, product, (name, day, seq), &kept, true).await?;
    }
    Ok(())
}

impl Store {
    /// The trails of the events `names` (by their index there) on the
    /// days `first..=last`, by day. A product with raw events from before
    /// trails were kept gets its trails first.
    pub async fn analytics_trails(
        &self,
        product: Id,
        names: &[&str],
        (first, last): (i32, i32),
    ) -> Result<Vec<TrailPiece>> {
        self.ensure_trails(product).await?;
        let mut ids: HashMap<i64, usize> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            let found = self.name_id(product, Some(n)).await?;
            // A name given twice is the same event at each step: the
            // first index stands for it.
            if let Some(id) = found {
                ids.entry(id).or_insert(i);
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut m = Marks::new(self.backend());
        let sql = format!(
            "SELECT name_id, day, marks FROM analytics_trails WHERE product_id = {} AND day >= {} AND day <= {} \
             AND name_id IN ({}) ORDER BY day",
            m.one(),
            m.one(),
            m.one(),
            m.list(ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(product.0).bind(i64::from(first)).bind(i64::from(last));
        for id in ids.keys() {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let name: i64 = r.try_get("name_id")?;
                Ok(TrailPiece {
                    day: i32::try_from(r.try_get::<i64, _>("day")?).map_err(|_| StoreError::Corrupt("day".into()))?,
                    name: ids.get(&name).copied().unwrap_or(usize::MAX),
                    marks: r.try_get("marks")?,
                })
            })
            .collect()
    }

    /// Builds the trails of a product from its raw events when it has raw
    /// events and no trails (data from before trails were kept).
    async fn ensure_trails(&self, product: Id) -> Result<()> {
        if self.has_rows("analytics_trails", product).await? || !self.has_rows("analytics_events", product).await? {
            return Ok(());
        }
        let mut tx = self.write().await?;
        let done: Option<i64> =
            sqlx::query_scalar("SELECT product_id FROM analytics_trails WHERE product_id = $1 LIMIT 1")
                .bind(product.0)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_none() {
            let rows = sqlx::query(
                "SELECT name_id, day, person_id, at FROM analytics_events WHERE product_id = $1 ORDER BY id",
            )
            .bind(product.0)
            .fetch_all(&mut *tx)
            .await?;
            let mut groups: HashMap<(i64, i32), Vec<Mark>> = HashMap::new();
            for r in &rows {
                let day = i32::try_from(r.try_get::<i64, _>("day")?).map_err(|_| StoreError::Corrupt("day".into()))?;
                let person = u32::try_from(r.try_get::<i64, _>("person_id")?)
                    .map_err(|_| StoreError::Corrupt("person number".into()))?;
                groups.entry((r.try_get("name_id")?, day)).or_default().push(Mark { person, at: r.try_get("at")? });
            }
            append(&mut tx, product, groups).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tandem_core::Millis;
    use tandem_core::analytics::{DAY_MS, Event};

    use crate::analytics::{DayEvent, IngestLimits};

    /// Batches of a few events share a piece; a large batch starts its
    /// own; raw events from before trails were kept get theirs when a
    /// funnel first asks; forgetting takes a person out of them.
    #[tokio::test]
    async fn trails_are_written_merged_rebuilt_and_forgotten() {
        let (store, key, dir) = crate::analytics::scratch("trails").await;
        let product = key.product_id;
        let day = 20_600;
        let ev = |name: &str, who: usize, minute: i64| DayEvent {
            event: Event {
                name: name.into(),
                distinct_id: format!("p{who}"),
                at: Millis(i64::from(day) * DAY_MS + minute * 60_000),
                properties: "{}".into(),
                uuid: None,
            },
            day,
        };
        let limits = IngestLimits { per_minute: 1000, keep_from: 0 };
        let now = Millis(i64::from(day + 1) * DAY_MS);
        for i in 0..3 {
            store.ingest(&key, &[ev("opened", i, 600 - i as i64), ev("paid", i, 700)], limits, now).await.unwrap();
        }
        let big: Vec<DayEvent> = (0..super::SMALL).map(|i| ev("opened", 10 + i, 800)).collect();
        store.ingest(&key, &big, limits, now).await.unwrap();
        let pieces = |store: &crate::Store| {
            let store = store.clone();
            async move {
                let got = store.analytics_trails(product, &["paid", "opened"], (day, day)).await.unwrap();
                let mut got: Vec<(usize, Vec<(u32, i64)>)> = got
                    .iter()
                    .map(|p| {
                        let marks = tandem_core::analytics::trail::marks(p.day, &p.marks);
                        (p.name, marks.map(|m| (m.person, (m.at - i64::from(day) * DAY_MS) / 60_000)).collect())
                    })
                    .collect();
                got.sort_by_key(|(name, marks)| (*name, marks.len()));
                got
            }
        };
        let got = pieces(&store).await;
        let shape: Vec<(usize, usize)> = got.iter().map(|(n, m)| (*n, m.len())).collect();
        assert_eq!(shape, [(0, 3), (1, 3), (1, super::SMALL)], "three small batches in one piece a name");
        let minutes: Vec<i64> = got[1].1.iter().map(|m| m.1).collect();
        assert_eq!(minutes, [598, 599, 600], "a merged piece in time order");

        sqlx::query("DELETE FROM analytics_trails").execute(&store.pool).await.unwrap();
        let rebuilt = pieces(&store).await;
        let total = |g: &[(usize, Vec<(u32, i64)>)]| -> Vec<(usize, usize)> {
            let mut t: Vec<(usize, usize)> = Vec::new();
            for (n, m) in g {
                match t.iter_mut().find(|(k, _)| k == n) {
                    Some(e) => e.1 += m.len(),
                    None => t.push((*n, m.len())),
                }
            }
            t
        };
        assert_eq!(total(&rebuilt), total(&got), "rebuilt from the raw events");

        let user = store.create_user("forgetter@example.com", "F", "x", now).await.unwrap();
        store.forget_person(user.id, product, "p1", now).await.unwrap();
        let after = pieces(&store).await;
        assert_eq!(total(&after), [(0, 2), (1, super::SMALL + 2)]);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
