//! Team rituals: the stand-up's days, notes and escalated blockers
//! (`standup`), the sprint review's demo notes and verdicts (`review`),
//! the retrospective's cards and dots (`retro`), and the follow-ups both
//! make (here).

use serde_json::json;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::rituals::{ActionKind, FollowUp, Origin};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::product::Tx;
use crate::risks::RiskEdit;
use crate::rows::{check_version, id, millis, opt_day, opt_id, opt_millis, word};
use crate::tasks::{TaskEdit, insert_task, project_workspace};
use crate::{Result, Store, StoreError};

pub mod retro;
pub mod review;
pub mod standup;

/// How many follow-ups one project may hold.
pub const MAX_FOLLOW_UPS: i64 = 10_000;

/// A follow-up's fields as written.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpEdit {
    pub title: String,
    pub owner_id: Option<Id>,
    pub due: Option<Day>,
    pub done: bool,
}

/// What a blocker or a retrospective card becomes, made in the
/// transaction that records where it came from.
#[derive(Debug, Clone)]
pub enum Made {
    Risk(Box<RiskEdit>),
    Task(Box<TaskEdit>),
    FollowUp(FollowUpEdit),
}

impl Made {
    pub fn kind(&self) -> ActionKind {
        match self {
            Made::Risk(_) => ActionKind::Risk,
            Made::Task(_) => ActionKind::Task,
            Made::FollowUp(_) => ActionKind::FollowUp,
        }
    }
}

/// Makes the object inside `tx`: its id and how a page names it (the
/// risk's or task's key, the follow-up's title).
pub(crate) async fn make(
    tx: &mut Tx,
    actor: Id,
    project: Id,
    made: &Made,
    origin: Origin,
    now: Millis,
) -> Result<(Id, String)> {
    Ok(match made {
        Made::Risk(e) => {
            let r = crate::risks::insert_risk(tx, actor, project, e, now).await?;
            (r.id, r.key)
        }
        Made::Task(e) => {
            let t = insert_task(tx, actor, project, e, now).await?;
            (t.id, t.key)
        }
        Made::FollowUp(e) => {
            let f = insert_follow_up(tx, actor, project, e, origin, now).await?;
            (f.id, f.title)
        }
    })
}

macro_rules! follow_up_cols {
    () => {
        "SELECT f.id, f.project_id, f.title, f.owner_id, u.name AS owner_name, f.due, f.done_at, f.origin, \
         f.version, f.created_at, f.updated_at FROM follow_ups f LEFT JOIN users u ON u.id = f.owner_id"
    };
}

fn follow_up(row: &AnyRow) -> Result<FollowUp> {
    use sqlx::Row;
    let done_at = opt_millis(row, "done_at")?;
    Ok(FollowUp {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        title: row.try_get("title")?,
        owner_id: opt_id(row, "owner_id")?,
        owner_name: row.try_get("owner_name")?,
        due: opt_day(row, "due")?,
        done: done_at.is_some(),
        done_at,
        origin: word(row, "origin", Origin::parse)?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_follow_up(tx: &mut Tx, f: Id) -> Result<FollowUp> {
    let row = sqlx::query(concat!(follow_up_cols!(), " WHERE f.id = $1"))
        .bind(f.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    follow_up(&row)
}

async fn insert_follow_up(
    tx: &mut Tx,
    actor: Id,
    project: Id,
    e: &FollowUpEdit,
    origin: Origin,
    now: Millis,
) -> Result<FollowUp> {
    let ws = project_workspace(tx, project).await?;
    crate::workspaces::check_member(tx, ws, e.owner_id, "owner_id").await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_ups WHERE project_id = $1")
        .bind(project.0)
        .fetch_one(&mut **tx)
        .await?;
    if n >= MAX_FOLLOW_UPS {
        return Err(StoreError::Conflict(format!("a project holds at most {MAX_FOLLOW_UPS} follow-ups")));
    }
    let fid: i64 = sqlx::query_scalar(
        "INSERT INTO follow_ups (workspace_id, project_id, title, owner_id, due, done_at, origin, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(ws.0)
    .bind(project.0)
    .bind(&e.title)
    .bind(e.owner_id.map(|o| o.0))
    .bind(e.due.map(|d| d.to_string()))
    .bind(e.done.then_some(now.0))
    .bind(origin.as_str())
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    let f = fetch_follow_up(tx, Id(fid)).await?;
    let after = json!({"title": f.title, "owner_id": f.owner_id, "due": f.due, "origin": f.origin});
    record(tx, &change(ws, actor, "follow_up.created", "follow_up", f.id).after(after), now).await?;
    Ok(f)
}

impl Store {
    /// The project's follow-ups: open ones first, by due date.
    pub async fn follow_ups(&self, project: Id) -> Result<Vec<FollowUp>> {
        let rows = sqlx::query(concat!(
            follow_up_cols!(),
            " WHERE f.project_id = $1 ORDER BY CASE WHEN f.done_at IS NULL THEN 0 ELSE 1 END, \
              CASE WHEN f.due IS NULL THEN 1 ELSE 0 END, f.due, f.id"
        ))
        .bind(project.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(follow_up).collect()
    }

    /// The open follow-ups `owner` owns in the workspace's projects, by due
    /// date.
    pub async fn follow_ups_owned(&self, ws: Id, owner: Id) -> Result<Vec<FollowUp>> {
        let rows = sqlx::query(concat!(
            follow_up_cols!(),
            " WHERE f.workspace_id = $1 AND f.owner_id = $2 AND f.done_at IS NULL \
              ORDER BY CASE WHEN f.due IS NULL THEN 1 ELSE 0 END, f.due, f.id LIMIT 100"
        ))
        .bind(ws.0)
        .bind(owner.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(follow_up).collect()
    }

    pub async fn follow_up(&self, f: Id) -> Result<FollowUp> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_follow_up(&mut tx, f).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn create_follow_up(
        &self,
        actor: Id,
        project: Id,
        e: &FollowUpEdit,
        origin: Origin,
        now: Millis,
    ) -> Result<FollowUp> {
        let mut tx = self.write().await?;
        let f = insert_follow_up(&mut tx, actor, project, e, origin, now).await?;
        tx.commit().await?;
        Ok(f)
    }

    pub async fn update_follow_up(
        &self,
        actor: Id,
        f: Id,
        version: i64,
        edit: impl FnOnce(&mut FollowUpEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<FollowUp> {
        let mut tx = self.write().await?;
        let before = fetch_follow_up(&mut tx, f).await?;
        check_version(before.version, version)?;
        let mut e =
            FollowUpEdit { title: before.title.clone(), owner_id: before.owner_id, due: before.due, done: before.done };
        edit(&mut e)?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        crate::workspaces::check_member(&mut tx, ws, e.owner_id, "owner_id").await?;
        // Done keeps the moment it was first done.
        let done_at = match (e.done, before.done_at) {
            (true, Some(at)) => Some(at.0),
            (true, None) => Some(now.0),
            (false, _) => None,
        };
        sqlx::query(
            "UPDATE follow_ups SET title = $1, owner_id = $2, due = $3, done_at = $4, version = version + 1, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&e.title)
        .bind(e.owner_id.map(|o| o.0))
        .bind(e.due.map(|d| d.to_string()))
        .bind(done_at)
        .bind(now.0)
        .bind(f.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch_follow_up(&mut tx, f).await?;
        record_update(&mut tx, change(ws, actor, "follow_up.updated", "follow_up", f), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }
}
