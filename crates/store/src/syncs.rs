//! Weekly syncs: the agenda and snapshot taken when a sync is held, its
//! attendees and notes, and its action items (tasks in a plan, or
//! follow-ups).

use serde::de::DeserializeOwned;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::sync::{ActionItem, Agenda, Snapshot, Sync};
use tandem_core::{Id, Millis, markdown};

use crate::activity::{change, record};
use crate::product::Tx;
use crate::rows::{check_version, day, id, millis, opt_day, opt_id};
use crate::tasks::TaskEdit;
use crate::{Result, Store, StoreError};

/// At most this many action items per sync.
pub const MAX_ACTIONS: i64 = 200;

/// A sync to store: what its agenda covers and says.
#[derive(Debug, Clone)]
pub struct NewSync {
    pub product_id: Id,
    pub title: String,
    pub held_on: Day,
    /// The sync this one follows; creation fails with a conflict when
    /// another sync of the product was held meanwhile.
    pub previous: Option<Id>,
    pub activity: (Id, Id),
    pub decisions: (Id, Id),
    pub agenda: Agenda,
    pub snapshot: Snapshot,
    pub attendees: Vec<Id>,
    pub notes: String,
}

/// An action item to add; with `task`, the task is added to the plan of
/// `project_id` in the same transaction.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub title: String,
    pub owner_id: Option<Id>,
    pub due: Option<Day>,
    pub project_id: Option<Id>,
    pub task: Option<TaskEdit>,
}

/// The previous sync's marks and snapshot.
#[derive(Debug, Clone)]
pub struct LastSync {
    pub id: Id,
    pub activity_upto: Id,
    pub decisions_upto: Id,
    pub snapshot: Snapshot,
}

fn from_json<T: DeserializeOwned>(s: &str, col: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

macro_rules! sync_cols {
    () => {
        "SELECT id, workspace_id, product_id, title, held_on, activity_after, activity_upto, agenda_json, \
         attendees_json, notes, created_by, version, created_at, updated_at FROM syncs "
    };
}

fn sync_row(r: &AnyRow) -> Result<Sync> {
    let notes: String = r.try_get("notes")?;
    Ok(Sync {
        id: id(r, "id")?,
        workspace_id: id(r, "workspace_id")?,
        product_id: id(r, "product_id")?,
        title: r.try_get("title")?,
        held_on: day(r, "held_on")?,
        activity_after: id(r, "activity_after")?,
        activity_upto: id(r, "activity_upto")?,
        agenda: from_json(&r.try_get::<String, _>("agenda_json")?, "agenda_json")?,
        attendees: from_json(&r.try_get::<String, _>("attendees_json")?, "attendees_json")?,
        notes_html: markdown::render(&notes),
        notes,
        action_items: Vec::new(),
        created_by: id(r, "created_by")?,
        version: r.try_get("version")?,
        created_at: millis(r, "created_at")?,
        updated_at: millis(r, "updated_at")?,
    })
}

fn action_row(r: &AnyRow) -> Result<ActionItem> {
    Ok(ActionItem {
        id: id(r, "id")?,
        sync_id: id(r, "sync_id")?,
        title: r.try_get("title")?,
        owner_id: opt_id(r, "owner_id")?,
        due: opt_day(r, "due")?,
        project_id: opt_id(r, "project_id")?,
        task_id: opt_id(r, "task_id")?,
        created_at: millis(r, "created_at")?,
    })
}

async fn fetch(ex: &mut sqlx::AnyConnection, s: Id) -> Result<Sync> {
    let row = sqlx::query(concat!(sync_cols!(), "WHERE id = $1"))
        .bind(s.0)
        .fetch_optional(&mut *ex)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut sync = sync_row(&row)?;
    let actions = sqlx::query(
        "SELECT id, sync_id, title, owner_id, due, project_id, task_id, created_at FROM sync_actions \
         WHERE sync_id = $1 ORDER BY id",
    )
    .bind(s.0)
    .fetch_all(&mut *ex)
    .await?;
    sync.action_items = actions.iter().map(action_row).collect::<Result<_>>()?;
    Ok(sync)
}

async fn latest_id(tx: &mut Tx, product: Id) -> Result<Option<Id>> {
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM syncs WHERE product_id = $1")
        .bind(product.0)
        .fetch_one(&mut **tx)
        .await?;
    Ok(v.map(Id))
}

impl Store {
    /// The product's latest sync: where the next agenda starts.
    pub async fn last_sync(&self, product: Id) -> Result<Option<LastSync>> {
        let row = sqlx::query(
            "SELECT id, activity_upto, decisions_upto, snapshot_json FROM syncs WHERE product_id = $1 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(product.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(LastSync {
                id: id(&r, "id")?,
                activity_upto: id(&r, "activity_upto")?,
                decisions_upto: id(&r, "decisions_upto")?,
                snapshot: from_json(&r.try_get::<String, _>("snapshot_json")?, "snapshot_json")?,
            })
        })
        .transpose()
    }

    /// Stores a held sync, if no other sync of the product was held since
    /// the one it follows.
    pub async fn create_sync(&self, actor: Id, s: &NewSync, now: Millis) -> Result<Sync> {
        let mut tx = self.write().await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM products WHERE id = $1")
            .bind(s.product_id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if latest_id(&mut tx, s.product_id).await? != s.previous {
            return Err(StoreError::Conflict("another sync of this product was held meanwhile; try again".into()));
        }
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO syncs (workspace_id, product_id, title, held_on, activity_after, activity_upto, \
             decisions_after, decisions_upto, agenda_json, snapshot_json, attendees_json, notes, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
             RETURNING id",
        )
        .bind(ws)
        .bind(s.product_id.0)
        .bind(&s.title)
        .bind(s.held_on.to_string())
        .bind(s.activity.0.0)
        .bind(s.activity.1.0)
        .bind(s.decisions.0.0)
        .bind(s.decisions.1.0)
        .bind(to_json(&s.agenda)?)
        .bind(to_json(&s.snapshot)?)
        .bind(to_json(&s.attendees)?)
        .bind(&s.notes)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({"title": s.title, "held_on": s.held_on.to_string(), "product_id": s.product_id});
        record(&mut tx, &change(Id(ws), actor, "sync.held", "sync", Id(sid)).after(after), now).await?;
        let sync = fetch(&mut tx, Id(sid)).await?;
        tx.commit().await?;
        Ok(sync)
    }

    /// One sync with its action items.
    pub async fn sync(&self, s: Id) -> Result<Sync> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, s).await
    }

    /// The product's syncs, newest first (without their action items).
    pub async fn syncs(&self, product: Id, limit: i64) -> Result<Vec<Sync>> {
        let rows = sqlx::query(concat!(sync_cols!(), "WHERE product_id = $1 ORDER BY id DESC LIMIT $2"))
            .bind(product.0)
            .bind(limit.clamp(1, crate::MAX_PAGE))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(sync_row).collect()
    }

    /// Edits the notes and attendees if `version` is current.
    pub async fn update_sync(
        &self,
        actor: Id,
        s: Id,
        version: i64,
        notes: Option<&str>,
        attendees: Option<&[Id]>,
        now: Millis,
    ) -> Result<Sync> {
        let mut tx = self.write().await?;
        let before = fetch(&mut tx, s).await?;
        check_version(before.version, version)?;
        let notes = notes.unwrap_or(&before.notes);
        let attendees = attendees.unwrap_or(&before.attendees);
        sqlx::query(
            "UPDATE syncs SET notes = $1, attendees_json = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(notes)
        .bind(to_json(&attendees)?)
        .bind(now.0)
        .bind(s.0)
        .execute(&mut *tx)
        .await?;
        let entry = change(before.workspace_id, actor, "sync.updated", "sync", s)
            .before(json!({"notes": before.notes, "attendees": before.attendees}))
            .after(json!({"notes": notes, "attendees": attendees}));
        record(&mut tx, &entry, now).await?;
        let after = fetch(&mut tx, s).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds an action item (and its task, when it has one) in one
    /// transaction.
    pub async fn add_action_item(&self, actor: Id, s: Id, a: &NewAction, now: Millis) -> Result<ActionItem> {
        let mut tx = self.write().await?;
        let sync = fetch(&mut tx, s).await?;
        if sync.action_items.len() as i64 >= MAX_ACTIONS {
            return Err(StoreError::Conflict(format!("a sync holds at most {MAX_ACTIONS} action items")));
        }
        let task = match (&a.task, a.project_id) {
            (Some(e), Some(p)) => Some(crate::tasks::insert_task(&mut tx, actor, p, e, now).await?.id),
            _ => None,
        };
        let aid: i64 = sqlx::query_scalar(
            "INSERT INTO sync_actions (sync_id, title, owner_id, due, project_id, task_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(s.0)
        .bind(&a.title)
        .bind(a.owner_id.map(|i| i.0))
        .bind(a.due.map(|d| d.to_string()))
        .bind(a.project_id.map(|i| i.0))
        .bind(task.map(|i| i.0))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({"title": a.title, "owner_id": a.owner_id, "due": a.due.map(|d| d.to_string()),
            "task_id": task});
        record(&mut tx, &change(sync.workspace_id, actor, "sync.action_added", "sync", s).after(after), now).await?;
        let row = sqlx::query(
            "SELECT id, sync_id, title, owner_id, due, project_id, task_id, created_at FROM sync_actions WHERE id = $1",
        )
        .bind(aid)
        .fetch_one(&mut *tx)
        .await?;
        let item = action_row(&row)?;
        tx.commit().await?;
        Ok(item)
    }
}
