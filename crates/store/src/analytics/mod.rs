//! Product analytics: ingest keys, events, and each day's people per
//! event (kept as bitmaps by `core::analytics`).

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::analytics::{Event, IngestKey, People};
use tandem_core::{Id, Millis};

use crate::activity::{Change, record};
use crate::rows::{id, millis, opt_millis};
use crate::{Backend, Result, Store, StoreError};

const KEY_COLS: &str = "SELECT id, product_id, name, prefix, created_at, last_used_at FROM ingest_keys";

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

/// The Monday of the week holding `day` (weeks run Monday to Sunday).
pub(crate) fn week_of(day: i32) -> i32 {
    tandem_core::analytics::Period::Week.start_of(day)
}

/// Adds people to one week's set of an event.
pub(crate) async fn add_to_week(tx: &mut Tx<'_>, product: Id, name: i64, week: i32, add: &People) -> Result<()> {
    let bits: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT bits FROM analytics_weeks WHERE product_id = $1 AND name_id = $2 AND week = $3")
            .bind(product.0)
            .bind(name)
            .bind(i64::from(week))
            .fetch_optional(&mut **tx)
            .await?;
    let mut set = bits.map(|b| People::from_bytes(&b)).unwrap_or_default();
    set.0 |= &add.0;
    sqlx::query(
        "INSERT INTO analytics_weeks (product_id, name_id, week, bits) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (product_id, name_id, week) DO UPDATE SET bits = excluded.bits",
    )
    .bind(product.0)
    .bind(name)
    .bind(i64::from(week))
    .bind(set.to_bytes())
    .execute(&mut **tx)
    .await?;
    Ok(())
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

mod ingest;
mod people;
mod read;
mod trails;

pub(crate) use people::PeopleCache;
pub use trails::TrailPiece;

/// Drops the raw events and trails of a product's days before `day` (the
/// day and week sets stay); how many events went.
pub(crate) async fn drop_raw(tx: &mut Tx<'_>, product: Id, day: i32) -> Result<u64> {
    sqlx::query("DELETE FROM analytics_trails WHERE product_id = $1 AND day < $2")
        .bind(product.0)
        .bind(i64::from(day))
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query("DELETE FROM analytics_events WHERE product_id = $1 AND day < $2")
        .bind(product.0)
        .bind(i64::from(day))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
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
}

/// A product with an ingest key in a fresh SQLite file, for the tests
/// here; the directory to remove after.
#[cfg(test)]
pub(crate) async fn scratch(tag: &str) -> (Store, IngestKey, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("tandem-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("a.db").display())).await.unwrap();
    let now = Millis(1_800_000_000_000);
    let user = store.create_user(&format!("{tag}@example.com"), "W", "x", now).await.unwrap();
    let ws = store.create_workspace("W", "WEE", Some(user.id), now).await.unwrap();
    let new = crate::product::NewProduct {
        key: "APP".into(),
        name: "App".into(),
        vision: String::new(),
        strategy: String::new(),
        owner_id: user.id,
        default_framework: tandem_core::scoring::Framework::Rice,
    };
    let product = store.create_product(user.id, ws.id, &new, now).await.unwrap();
    let key = store.create_ingest_key(user.id, product.id, "k", ("h", "p"), now).await.unwrap();
    (store, key, dir)
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
