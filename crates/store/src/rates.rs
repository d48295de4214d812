//! Rate-limit counters: a fixed window per bucket. On PostgreSQL in the
//! database, so every server sharing it counts together; on SQLite, which
//! one server uses, in memory, so a write does not cost a second write.

use std::collections::HashMap;
use std::sync::Mutex;

use tandem_core::Millis;

use crate::{Backend, Result, Store};

/// The most buckets kept in memory: past it, after a sweep of the windows
/// that are over, every count starts again (a flood of addresses cannot
/// make the map, or each hit's work, grow without bound).
const MAX_BUCKETS: usize = 100_000;

/// The in-memory counters of a SQLite store.
#[derive(Debug, Default)]
pub(crate) struct MemoryRates {
    inner: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    /// Per bucket: when its window began, and its hits.
    windows: HashMap<String, (i64, i64)>,
    /// When windows that are over were last dropped: once a window at most.
    swept: i64,
}

/// A bucket's window after one more hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the window began.
    pub start: Millis,
    /// Hits in it, this one included.
    pub hits: i64,
}

impl Store {
    /// Counts a hit on `bucket` in the window of `window_ms` that holds
    /// `now` (a new one begins when the last is over).
    pub async fn rate_hit(&self, bucket: &str, now: Millis, window_ms: i64) -> Result<Window> {
        let expired = now.0 - window_ms;
        match self.backend() {
            Backend::Sqlite => {
                let mut b = self.rates.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if b.swept <= expired {
                    b.windows.retain(|_, (start, _)| *start > expired);
                    b.swept = now.0;
                }
                if b.windows.len() >= MAX_BUCKETS {
                    b.windows.clear();
                }
                let entry = b.windows.entry(bucket.to_owned()).or_insert((now.0, 0));
                if entry.0 <= expired {
                    *entry = (now.0, 0);
                }
                entry.1 += 1;
                Ok(Window { start: Millis(entry.0), hits: entry.1 })
            }
            Backend::Postgres => {
                // One statement: the row lock makes concurrent hits from
                // every server count one after another.
                let (start, hits): (i64, i64) = sqlx::query_as(
                    "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
                     ON CONFLICT (bucket) DO UPDATE SET \
                     hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
                     window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
                     RETURNING window_start, hits",
                )
                .bind(bucket)
                .bind(now.0)
                .bind(expired)
                .fetch_one(&self.pool)
                .await?;
                Ok(Window { start: Millis(start), hits })
            }
        }
    }

    /// Forgets windows that ended before `before` (PostgreSQL; memory
    /// sweeps itself).
    pub async fn prune_rates(&self, before: Millis) -> Result<u64> {
        if self.backend() == Backend::Sqlite {
            return Ok(0);
        }
        Ok(sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before.0)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
