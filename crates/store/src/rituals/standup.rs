//! The daily stand-up's stored parts: each day's draft as last seen, the
//! lines people add, blockers turned into something; and the changes and
//! time a day's draft is made from.

use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::rituals::{ActionKind, BlockerKind, MAX_NOTES_PER_DAY, Origin, StandupAction, StandupNote};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use super::{Made, make};
use crate::activity::{change, record};
use crate::product::Tx;
use crate::rows::{day, id, millis, opt_id, word};
use crate::tasks::project_workspace;
use crate::{Result, Store, StoreError};

/// One recorded change to a task of the project: who, when, the changed
/// fields before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskActivity {
    pub task_id: Id,
    pub actor_id: Option<Id>,
    pub at: Millis,
    pub before: Value,
    pub after: Value,
}

fn json_col(row: &AnyRow, col: &str) -> Result<Value> {
    let raw: Option<String> = row.try_get(col)?;
    raw.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))))
        .transpose()
        .map(|v| v.unwrap_or(Value::Null))
}

fn note(row: &AnyRow) -> Result<StandupNote> {
    Ok(StandupNote {
        id: id(row, "id")?,
        date: day(row, "day")?,
        user_id: opt_id(row, "user_id")?,
        user_name: row.try_get("user_name")?,
        text: row.try_get("text")?,
        blocker_task_id: opt_id(row, "blocker_task_id")?,
        created_at: millis(row, "created_at")?,
    })
}

/// A blocker as the stand-up named it, to record what it became.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockerRef {
    pub kind: BlockerKind,
    pub task_id: Option<Id>,
    pub person_id: Option<Id>,
}

/// The task must be one of the project's.
async fn check_task(tx: &mut Tx, project: Id, task: Option<Id>, field: &'static str) -> Result<()> {
    if let Some(t) = task {
        let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
            .bind(t.0)
            .fetch_optional(&mut **tx)
            .await?;
        if p != Some(project.0) {
            return Err(StoreError::Invalid(Invalid::new(field, "is not a task of this project")));
        }
    }
    Ok(())
}

impl Store {
    /// Changes to the project's tasks' fields recorded in `[from, to)`,
    /// oldest first.
    pub async fn task_changes(&self, ws: Id, project: Id, from: Millis, to: Millis) -> Result<Vec<TaskActivity>> {
        let rows = sqlx::query(
            "SELECT a.subject_id, a.actor_id, a.at, a.before_json, a.after_json FROM activity a \
             JOIN tasks t ON t.id = a.subject_id \
             WHERE a.workspace_id = $1 AND a.at >= $2 AND a.at < $3 AND a.subject_type = 'task' \
               AND a.action = 'task.updated' AND t.project_id = $4 ORDER BY a.id",
        )
        .bind(ws.0)
        .bind(from.0)
        .bind(to.0)
        .bind(project.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskActivity {
                    task_id: id(r, "subject_id")?,
                    actor_id: opt_id(r, "actor_id")?,
                    at: millis(r, "at")?,
                    before: json_col(r, "before_json")?,
                    after: json_col(r, "after_json")?,
                })
            })
            .collect()
    }

    /// Minutes logged on the project's tasks by each person for the days
    /// `from` to `to`: (task, person, minutes).
    pub async fn time_logged(&self, project: Id, from: Day, to: Day) -> Result<Vec<(Id, Id, i64)>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT task_id, user_id, CAST(SUM(minutes) AS BIGINT) FROM time_entries \
             WHERE project_id = $1 AND day >= $2 AND day <= $3 GROUP BY task_id, user_id \
             ORDER BY task_id, user_id",
        )
        .bind(project.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(t, u, m)| (Id(t), Id(u), m)).collect())
    }

    /// The day's kept draft, as the team last saw it that day.
    pub async fn standup_draft(&self, project: Id, d: Day) -> Result<Option<Value>> {
        let raw: Option<String> =
            sqlx::query_scalar("SELECT draft_json FROM standups WHERE project_id = $1 AND day = $2")
                .bind(project.0)
                .bind(d.to_string())
                .fetch_optional(&self.pool)
                .await?;
        raw.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("standup draft: {e}"))))
            .transpose()
    }

    /// Keeps the day's draft when it differs from the one kept: the one
    /// write a read makes, so a past day shows what the team saw (a draft
    /// is derived from the plan, like a cache, and has no activity entry).
    pub async fn keep_standup_draft(&self, project: Id, d: Day, draft: &Value, now: Millis) -> Result<()> {
        let text = draft.to_string();
        let kept: Option<String> =
            sqlx::query_scalar("SELECT draft_json FROM standups WHERE project_id = $1 AND day = $2")
                .bind(project.0)
                .bind(d.to_string())
                .fetch_optional(&self.pool)
                .await?;
        if kept.as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        sqlx::query(
            "INSERT INTO standups (workspace_id, project_id, day, draft_json, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (project_id, day) DO UPDATE SET draft_json = excluded.draft_json, \
             updated_at = excluded.updated_at",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(d.to_string())
        .bind(text)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The lines people added to the day's stand-up, oldest first.
    pub async fn standup_notes(&self, project: Id, d: Day) -> Result<Vec<StandupNote>> {
        let rows = sqlx::query(
            "SELECT n.id, n.day, n.user_id, u.name AS user_name, n.text, n.blocker_task_id, n.created_at \
             FROM standup_notes n LEFT JOIN users u ON u.id = n.user_id \
             WHERE n.project_id = $1 AND n.day = $2 ORDER BY n.id",
        )
        .bind(project.0)
        .bind(d.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(note).collect()
    }

    /// Adds a line to the writer's part of the day's stand-up; with a task,
    /// the line marks it as blocking them.
    pub async fn add_standup_note(
        &self,
        actor: Id,
        project: Id,
        d: Day,
        text: &str,
        blocker_task: Option<Id>,
        now: Millis,
    ) -> Result<StandupNote> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        check_task(&mut tx, project, blocker_task, "blocker_task_id").await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM standup_notes WHERE project_id = $1 AND day = $2 AND user_id = $3",
        )
        .bind(project.0)
        .bind(d.to_string())
        .bind(actor.0)
        .fetch_one(&mut *tx)
        .await?;
        if n >= MAX_NOTES_PER_DAY {
            return Err(StoreError::Conflict(format!("at most {MAX_NOTES_PER_DAY} lines a day each")));
        }
        let nid: i64 = sqlx::query_scalar(
            "INSERT INTO standup_notes (workspace_id, project_id, day, user_id, text, blocker_task_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(d.to_string())
        .bind(actor.0)
        .bind(text)
        .bind(blocker_task.map(|t| t.0))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT n.id, n.day, n.user_id, u.name AS user_name, n.text, n.blocker_task_id, n.created_at \
             FROM standup_notes n LEFT JOIN users u ON u.id = n.user_id WHERE n.id = $1",
        )
        .bind(nid)
        .fetch_one(&mut *tx)
        .await?;
        let out = note(&row)?;
        let after = json!({"project_id": project, "date": d, "text": text, "blocker_task_id": blocker_task});
        record(&mut tx, &change(ws, actor, "standup.noted", "standup", project).after(after), now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// What the day's blockers became.
    pub async fn standup_actions(&self, project: Id, d: Day) -> Result<Vec<StandupAction>> {
        let rows = sqlx::query(
            "SELECT s.id, s.day, s.blocker_kind, s.task_id, s.person_id, s.made_type, s.made_id, s.created_at, \
             CASE s.made_type \
               WHEN 'risk' THEN (SELECT p.key || '-' || r.number FROM risks r JOIN projects p ON p.id = r.project_id \
                   WHERE r.id = s.made_id) \
               WHEN 'task' THEN (SELECT p.key || '-' || t.number FROM tasks t JOIN projects p ON p.id = t.project_id \
                   WHERE t.id = s.made_id) \
               ELSE (SELECT f.title FROM follow_ups f WHERE f.id = s.made_id) END AS made_label \
             FROM standup_actions s WHERE s.project_id = $1 AND s.day = $2 ORDER BY s.id",
        )
        .bind(project.0)
        .bind(d.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StandupAction {
                    id: id(r, "id")?,
                    date: day(r, "day")?,
                    blocker_kind: word(r, "blocker_kind", BlockerKind::parse)?,
                    task_id: opt_id(r, "task_id")?,
                    person_id: opt_id(r, "person_id")?,
                    made: word(r, "made_type", ActionKind::parse)?,
                    made_id: id(r, "made_id")?,
                    made_label: r.try_get::<Option<String>, _>("made_label")?.unwrap_or_else(|| "(deleted)".into()),
                    created_at: millis(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Turns one of the day's blockers into a risk, a task or a follow-up:
    /// the object and the record of where it came from in one transaction.
    pub async fn escalate_blocker(
        &self,
        actor: Id,
        project: Id,
        d: Day,
        blocker: &BlockerRef,
        made: &Made,
        now: Millis,
    ) -> Result<StandupAction> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        check_task(&mut tx, project, blocker.task_id, "task_id").await?;
        crate::workspaces::check_member(&mut tx, ws, blocker.person_id, "person_id").await?;
        // The same blocker is turned into something once a day.
        let done: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM standup_actions WHERE project_id = $1 AND day = $2 AND blocker_kind = $3 \
             AND COALESCE(task_id, 0) = $4 AND COALESCE(person_id, 0) = $5",
        )
        .bind(project.0)
        .bind(d.to_string())
        .bind(blocker.kind.as_str())
        .bind(blocker.task_id.map_or(0, |t| t.0))
        .bind(blocker.person_id.map_or(0, |p| p.0))
        .fetch_one(&mut *tx)
        .await?;
        if done > 0 {
            return Err(StoreError::Conflict("this blocker was already turned into an action today".into()));
        }
        let (made_id, label) = make(&mut tx, actor, project, made, Origin::Standup, now).await?;
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO standup_actions (workspace_id, project_id, day, blocker_kind, task_id, person_id, made_type, \
             made_id, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(d.to_string())
        .bind(blocker.kind.as_str())
        .bind(blocker.task_id.map(|t| t.0))
        .bind(blocker.person_id.map(|p| p.0))
        .bind(made.kind().as_str())
        .bind(made_id.0)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({"project_id": project, "date": d, "blocker": blocker.kind, "task_id": blocker.task_id,
            "made": made.kind(), "made_id": made_id});
        record(&mut tx, &change(ws, actor, "standup.escalated", "standup", project).after(after), now).await?;
        tx.commit().await?;
        Ok(StandupAction {
            id: Id(sid),
            date: d,
            blocker_kind: blocker.kind,
            task_id: blocker.task_id,
            person_id: blocker.person_id,
            made: made.kind(),
            made_id,
            made_label: label,
            created_at: now,
        })
    }
}
