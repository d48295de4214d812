//! Tandem's persistence: one [`Store`] over SQLite or PostgreSQL.
//!
//! Both backends run the same query texts (sqlx runtime queries with `$n`
//! placeholders through sqlx's `Any` driver); only the migrations differ,
//! one folder per backend. Every write is one transaction that also appends
//! its activity-log rows. The current time is always a parameter.

mod accounts;
mod activity;
pub mod agile;
pub mod analytics;
pub mod backup;
pub mod comments;
pub mod custom;
mod db;
pub mod decisions;
mod error;
mod feeds;
pub mod live;
pub mod mail;
pub mod migrations;
pub mod notifications;
mod outbox;
pub mod product;
pub mod project;
pub mod rates;
pub mod resources;
pub mod risks;
pub mod rituals;
mod rows;
pub mod runs;
pub mod scratch;
pub mod search;
pub mod sso;
pub mod syncs;
pub mod tasks;
pub mod views;
pub mod webhooks;
mod workspaces;

pub use accounts::{NewAccount, NewInvitation, SessionRecord, StoredCredentials};
pub use activity::Change;
pub use db::{Backend, PoolUse, Store, redact};
pub use error::StoreError;
pub use outbox::OutboxCount;
/// The driver error inside [`StoreError::Db`], for callers that classify it.
pub use sqlx::Error as SqlxError;

/// Results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How many rows a list returns at most, whatever the caller asks.
pub const MAX_PAGE: i64 = 200;

/// One page of a list ordered by id, and where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id after which the next page starts, when there is one.
    pub next_after: Option<tandem_core::Id>,
}

/// Cuts a list fetched with `limit + 1` rows into a page and its cursor.
pub(crate) fn page<T>(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> tandem_core::Id) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next_after = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&id)
    } else {
        None
    };
    Page { items, next_after }
}

/// One page of a workspace's rows in id order. `sql` selects with `$1` the
/// workspace, `$2` the id after which the page starts and `$3` the row limit.
pub(crate) async fn workspace_page<T>(
    pool: &sqlx::AnyPool,
    sql: &'static str,
    ws: tandem_core::Id,
    after: Option<tandem_core::Id>,
    limit: i64,
    map: fn(&sqlx::any::AnyRow) -> Result<T>,
    id: fn(&T) -> tandem_core::Id,
) -> Result<Page<T>> {
    let limit = limit.clamp(1, MAX_PAGE);
    let rows = sqlx::query(sql).bind(ws.0).bind(after.map_or(0, |a| a.0)).bind(limit + 1).fetch_all(pool).await?;
    let items = rows.iter().map(map).collect::<Result<Vec<_>>>()?;
    Ok(page(items, limit, id))
}
