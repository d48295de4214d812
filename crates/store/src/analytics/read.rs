//! Figures out: each day's people per event, the raw events a funnel
//! orders, the names received; and forgetting one person.

use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use tandem_core::{Id, Millis};

use tandem_core::analytics::People;

use super::{DaySet, add_to_week, people_of, week_of};
use crate::activity::{Change, record};
use crate::{Result, Store, StoreError};

impl Store {
    /// Drops a product's raw events and trails of the days before `day`
    /// (the day sets stay); how many went.
    pub async fn analytics_drop_raw_before(&self, product: Id, day: i32) -> Result<u64> {
        let mut tx = self.write().await?;
        let gone = super::drop_raw(&mut tx, product, day).await?;
        tx.commit().await?;
        Ok(gone)
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

    /// The weeks (by their Monday) from `from` to `to` of one event's
    /// people (any event's without a name), in order; weeks without events
    /// are left out. A product with day sets from before weeks were kept
    /// gets its weeks first.
    pub async fn analytics_weeks(&self, product: Id, event: Option<&str>, from: i32, to: i32) -> Result<Vec<DaySet>> {
        self.ensure_weeks(product).await?;
        let sql = "SELECT week AS day, '' AS people, bits, CAST(0 AS BIGINT) AS events FROM analytics_weeks \
                   WHERE product_id = $1 AND name_id = $2 AND week >= $3 AND week <= $4 ORDER BY week";
        self.sets(sql, product, event, (from, to)).await
    }

    /// The sets `sql` selects (`day, people, bits, events` of one name in a
    /// span) for an event, or none for a name never received.
    async fn sets(
        &self,
        sql: &'static str,
        product: Id,
        event: Option<&str>,
        (from, to): (i32, i32),
    ) -> Result<Vec<DaySet>> {
        let Some(name_id) = self.name_id(product, event).await? else { return Ok(Vec::new()) };
        let rows = sqlx::query(sql)
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

    /// The number of an event's name (0: any event); `None` for a name
    /// never received.
    pub(super) async fn name_id(&self, product: Id, event: Option<&str>) -> Result<Option<i64>> {
        let Some(n) = event else { return Ok(Some(0)) };
        Ok(sqlx::query_scalar("SELECT id FROM analytics_names WHERE product_id = $1 AND name = $2")
            .bind(product.0)
            .bind(n)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Whether `table` holds any row of the product.
    pub(super) async fn has_rows(&self, table: &'static str, product: Id) -> Result<bool> {
        let sql = format!("SELECT product_id FROM {table} WHERE product_id = $1 LIMIT 1");
        let found: Option<i64> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(product.0).fetch_optional(&self.pool).await?;
        Ok(found.is_some())
    }

    /// Builds the week sets of a product from its day sets when it has
    /// day sets and no weeks (data from before weeks were kept).
    async fn ensure_weeks(&self, product: Id) -> Result<()> {
        if self.has_rows("analytics_weeks", product).await? || !self.has_rows("analytics_days", product).await? {
            return Ok(());
        }
        let mut tx = self.write().await?;
        let done: Option<i64> =
            sqlx::query_scalar("SELECT product_id FROM analytics_weeks WHERE product_id = $1 LIMIT 1")
                .bind(product.0)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_none() {
            let rows = sqlx::query("SELECT name_id, day, people, bits FROM analytics_days WHERE product_id = $1")
                .bind(product.0)
                .fetch_all(&mut *tx)
                .await?;
            let mut weeks: HashMap<(i64, i32), People> = HashMap::new();
            for r in &rows {
                let day = i32::try_from(r.try_get::<i64, _>("day")?).unwrap_or(0);
                weeks.entry((r.try_get("name_id")?, week_of(day))).or_default().0 |= people_of(r)?.0;
            }
            for ((name, week), set) in weeks {
                add_to_week(&mut tx, product, name, week, &set).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The days `from..=to` of one event's people (any event's without a
    /// name), in order; days without events are left out. An event never
    /// seen has none.
    pub async fn analytics_days(&self, product: Id, event: Option<&str>, from: i32, to: i32) -> Result<Vec<DaySet>> {
        let sql = "SELECT day, people, bits, events FROM analytics_days \
                   WHERE product_id = $1 AND name_id = $2 AND day >= $3 AND day <= $4 ORDER BY day";
        self.sets(sql, product, event, (from, to)).await
    }

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
        let weeks = sqlx::query("SELECT name_id, week, bits FROM analytics_weeks WHERE product_id = $1")
            .bind(product.0)
            .fetch_all(&mut *tx)
            .await?;
        for r in &weeks {
            let mut set = People::from_bytes(&r.try_get::<Vec<u8>, _>("bits")?);
            if !set.0.remove(member) {
                continue;
            }
            let (name, week): (i64, i64) = (r.try_get("name_id")?, r.try_get("week")?);
            if set.is_empty() {
                sqlx::query("DELETE FROM analytics_weeks WHERE product_id = $1 AND name_id = $2 AND week = $3")
                    .bind(product.0)
                    .bind(name)
                    .bind(week)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "UPDATE analytics_weeks SET bits = $1 WHERE product_id = $2 AND name_id = $3 AND week = $4",
                )
                .bind(set.to_bytes())
                .bind(product.0)
                .bind(name)
                .bind(week)
                .execute(&mut *tx)
                .await?;
            }
        }
        super::trails::forget(&mut tx, product, member).await?;
        sqlx::query("UPDATE products SET people_forgotten = people_forgotten + 1 WHERE id = $1")
            .bind(product.0)
            .execute(&mut *tx)
            .await?;
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
}

#[cfg(test)]
mod tests {
    use tandem_core::Millis;
    use tandem_core::analytics::Event;

    use crate::analytics::{DayEvent, IngestLimits};

    /// Day sets written before weeks were kept get their weeks when first
    /// asked, the same as ingest writes them.
    #[tokio::test]
    async fn weeks_are_built_from_older_day_sets() {
        let (store, key, dir) = crate::analytics::scratch("weeks").await;
        let product = key.product_id;
        let now = Millis(1_800_000_000_000);
        let ev = |who: &str, day: i32| DayEvent {
            event: Event {
                name: "opened".into(),
                distinct_id: who.into(),
                at: Millis(i64::from(day) * tandem_core::analytics::DAY_MS + 43_200_000),
                properties: "{}".into(),
                uuid: None,
            },
            day,
        };
        // Monday 20 598 and the Sunday after; then the next Monday.
        let batch = [ev("ana", 20_598), ev("ben", 20_604), ev("cy", 20_605)];
        let limits = IngestLimits { per_minute: 100, keep_from: 0 };
        store.ingest(&key, &batch, limits, now).await.unwrap();
        let written = store.analytics_weeks(product, Some("opened"), 0, 30_000).await.unwrap();
        let counts: Vec<(i32, u64)> = written.iter().map(|w| (w.day, w.people.len())).collect();
        assert_eq!(counts, [(20_598, 2), (20_605, 1)]);
        sqlx::query("DELETE FROM analytics_weeks").execute(&store.pool).await.unwrap();
        let rebuilt = store.analytics_weeks(product, Some("opened"), 0, 30_000).await.unwrap();
        assert_eq!(rebuilt.iter().map(|w| (w.day, w.people.len())).collect::<Vec<_>>(), counts);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
