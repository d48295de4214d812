//! Sprints of a project.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::agile::{Sprint, SprintStatus};
use tandem_core::model::Day;
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::product::Tx;
use crate::rows::{check_version, day, id, millis, word};
use crate::tasks::project_workspace;
use crate::{Result, Store, StoreError};

/// How many sprints one project may hold.
pub const MAX_SPRINTS: i64 = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct SprintEdit {
    pub name: String,
    pub start: Day,
    pub finish: Day,
    pub goal: String,
    pub capacity_points: Option<f64>,
    pub status: SprintStatus,
}

macro_rules! sprint_cols {
    () => {
        "SELECT id, project_id, name, start_on, finish_on, goal, capacity_points, status, version, created_at, \
         updated_at FROM sprints"
    };
}

fn sprint(row: &AnyRow) -> Result<Sprint> {
    Ok(Sprint {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        name: row.try_get("name")?,
        start: day(row, "start_on")?,
        finish: day(row, "finish_on")?,
        goal: row.try_get("goal")?,
        capacity_points: row.try_get("capacity_points")?,
        status: word(row, "status", SprintStatus::parse)?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch(tx: &mut Tx, s: Id) -> Result<Sprint> {
    let row = sqlx::query(concat!(sprint_cols!(), " WHERE id = $1"))
        .bind(s.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    sprint(&row)
}

impl Store {
    pub async fn create_sprint(&self, actor: Id, project: Id, e: &SprintEdit, now: Millis) -> Result<Sprint> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sprints WHERE project_id = $1")
            .bind(project.0)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_SPRINTS {
            return Err(StoreError::Conflict(format!("a project holds at most {MAX_SPRINTS} sprints")));
        }
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO sprints (workspace_id, project_id, name, start_on, finish_on, goal, capacity_points, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        // Optional floats: see `tasks::write_fields`.
        .persistent(false)
        .bind(ws.0)
        .bind(project.0)
        .bind(&e.name)
        .bind(e.start.to_string())
        .bind(e.finish.to_string())
        .bind(&e.goal)
        .bind(e.capacity_points)
        .bind(e.status.as_str())
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let s = fetch(&mut tx, Id(sid)).await?;
        record(&mut tx, &change(ws, actor, "sprint.created", "sprint", s.id).after(json!({"name": s.name})), now)
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The project's sprints by start date.
    pub async fn sprints(&self, project: Id) -> Result<Vec<Sprint>> {
        let rows = sqlx::query(concat!(sprint_cols!(), " WHERE project_id = $1 ORDER BY start_on, id"))
            .bind(project.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(sprint).collect()
    }

    pub async fn sprint(&self, s: Id) -> Result<Sprint> {
        let mut tx = self.pool.begin().await?;
        let out = fetch(&mut tx, s).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_sprint(
        &self,
        actor: Id,
        s: Id,
        version: i64,
        edit: impl FnOnce(&mut SprintEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Sprint> {
        let mut tx = self.write().await?;
        let before = fetch(&mut tx, s).await?;
        check_version(before.version, version)?;
        let mut e = SprintEdit {
            name: before.name.clone(),
            start: before.start,
            finish: before.finish,
            goal: before.goal.clone(),
            capacity_points: before.capacity_points,
            status: before.status,
        };
        edit(&mut e)?;
        sqlx::query(
            "UPDATE sprints SET name = $1, start_on = $2, finish_on = $3, goal = $4, capacity_points = $5, \
             status = $6, version = version + 1, updated_at = $7 WHERE id = $8",
        )
        .persistent(false)
        .bind(&e.name)
        .bind(e.start.to_string())
        .bind(e.finish.to_string())
        .bind(&e.goal)
        .bind(e.capacity_points)
        .bind(e.status.as_str())
        .bind(now.0)
        .bind(s.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, s).await?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        record_update(&mut tx, change(ws, actor, "sprint.updated", "sprint", s), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a sprint; its tasks go back to the backlog.
    pub async fn delete_sprint(&self, actor: Id, s: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch(&mut tx, s).await?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        sqlx::query("UPDATE tasks SET sprint_id = NULL WHERE sprint_id = $1").bind(s.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sprints WHERE id = $1").bind(s.0).execute(&mut *tx).await?;
        record(&mut tx, &change(ws, actor, "sprint.deleted", "sprint", s).before(json!({"name": before.name})), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
