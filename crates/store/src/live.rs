//! What changed, for live updates: every write appends activity rows in its
//! transaction, so the activity log is the stream. On PostgreSQL each new
//! row is announced at commit with `NOTIFY tandem_activity '<id>'`
//! (migration 0017), so every server connected to the database hears every
//! other's writes, in commit order; on SQLite one process writes, in id
//! order, and readers poll for ids past the last they saw.

use sqlx::Row;
use sqlx::any::AnyRow;
use sqlx::postgres::PgListener;
use tandem_core::Id;

use crate::rows::id;
use crate::{Result, Store, StoreError};

/// The channel migration 0017's trigger notifies.
pub const CHANNEL: &str = "tandem_activity";

/// One change: an activity row without its before and after values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The activity row's id: the order of changes, and what a client
    /// resumes after.
    pub id: Id,
    pub workspace_id: Id,
    pub actor_id: Option<Id>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Id,
    /// The subject's version after the change, when it has one.
    pub version: Option<i64>,
}

const COLS: &str = "SELECT id, workspace_id, actor_id, action, subject_type, subject_id, version FROM activity";

fn change(row: &AnyRow) -> Result<Change> {
    Ok(Change {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        actor_id: row.try_get::<Option<i64>, _>("actor_id")?.map(Id),
        action: row.try_get("action")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: id(row, "subject_id")?,
        version: row.try_get("version")?,
    })
}

/// A PostgreSQL connection listening for new activity rows.
pub struct ChangeListener(PgListener);

impl ChangeListener {
    /// The ids announced since the last call, waiting for at least one.
    pub async fn next_ids(&mut self) -> Result<Vec<i64>> {
        let first = self.0.recv().await.map_err(StoreError::Db)?;
        let mut ids: Vec<i64> = first.payload().parse().ok().into_iter().collect();
        // Those already received come along without waiting.
        while let Some(n) = self.0.next_buffered() {
            ids.extend(n.payload().parse::<i64>().ok());
        }
        Ok(ids)
    }
}

impl Store {
    /// The newest activity row's id (0 when there is none).
    pub async fn last_change_id(&self) -> Result<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM activity").fetch_one(&self.pool).await?;
        Ok(v.unwrap_or(0))
    }

    /// Changes in every workspace after id `after`, oldest first.
    pub async fn changes_after(&self, after: i64, limit: i64) -> Result<Vec<Change>> {
        let sql = format!("{COLS} WHERE id > $1 ORDER BY id LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(change).collect()
    }

    /// Changes in workspace `ws` after id `after`, oldest first: what a
    /// reconnecting client missed.
    pub async fn changes_in(&self, ws: Id, after: i64, limit: i64) -> Result<Vec<Change>> {
        let sql = format!("{COLS} WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ws.0).bind(after).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(change).collect()
    }

    /// The changes with these ids, oldest first (ids announced by
    /// [`ChangeListener`]).
    pub async fn changes_with_ids(&self, ids: &[i64]) -> Result<Vec<Change>> {
        let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else { return Ok(Vec::new()) };
        let sql = format!("{COLS} WHERE id >= $1 AND id <= $2 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(*lo).bind(*hi).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(ids.len());
        for r in &rows {
            let c = change(r)?;
            if ids.contains(&c.id.0) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// A listener for new activity rows on PostgreSQL; none on SQLite,
    /// where [`Store::changes_after`] is polled.
    pub async fn listen_changes(&self) -> Result<Option<ChangeListener>> {
        let Some(url) = &self.listen_url else { return Ok(None) };
        let mut l = PgListener::connect(&url.0).await.map_err(StoreError::Db)?;
        l.listen(CHANNEL).await.map_err(StoreError::Db)?;
        Ok(Some(ChangeListener(l)))
    }
}
