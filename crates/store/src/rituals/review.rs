//! The sprint review's stored parts: demo notes, the product side's
//! verdict per item; and the history the figures are computed from (when
//! tasks changed sprint, when the sprint started and closed).

use std::collections::HashMap;

use serde_json::{Value, json};
use sqlx::Row;
use tandem_core::rituals::{Acceptance, Membership, Verdict};
use tandem_core::{Id, Millis};

use crate::activity::{change, record};
use crate::rows::{id, millis, opt_id, word};
use crate::tasks::project_workspace;
use crate::{Result, Store, StoreError};

/// The sprint id a recorded value names.
fn sprint_of(v: &Value) -> Option<Id> {
    // Ids are written as strings; older entries may hold numbers.
    match v.get("sprint_id")? {
        Value::String(s) => s.parse().ok().map(Id),
        n => n.as_i64().map(Id),
    }
}

/// A sprint's demo notes and their version (0 until first written).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoNotes {
    pub text: String,
    pub version: i64,
}

impl Store {
    /// Each task's sprint over time, for the project's tasks that ever
    /// had one: the sprint it had at creation and each recorded change.
    pub async fn sprint_memberships(&self, project: Id) -> Result<HashMap<Id, Membership>> {
        let tasks: Vec<(i64, Option<i64>, i64)> =
            sqlx::query_as("SELECT id, sprint_id, created_at FROM tasks WHERE project_id = $1")
                .bind(project.0)
                .fetch_all(&self.pool)
                .await?;
        let rows = sqlx::query(
            "SELECT a.subject_id, a.at, a.before_json, a.after_json FROM activity a \
             JOIN tasks t ON t.id = a.subject_id \
             WHERE a.subject_type = 'task' AND a.action = 'task.updated' AND t.project_id = $1 \
               AND a.after_json LIKE '%\"sprint_id\"%' ORDER BY a.at, a.id",
        )
        .bind(project.0)
        .fetch_all(&self.pool)
        .await?;
        // Per task: when, the sprint before, the sprint after.
        type Move = (Millis, Option<Id>, Option<Id>);
        let mut moves: HashMap<Id, Vec<Move>> = HashMap::new();
        for r in &rows {
            let parse = |c: &str| -> Result<Value> {
                let s: Option<String> = r.try_get(c)?;
                Ok(s.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null))
            };
            let (before, after) = (parse("before_json")?, parse("after_json")?);
            if after.get("sprint_id").is_none() {
                continue;
            }
            moves.entry(id(r, "subject_id")?).or_default().push((
                millis(r, "at")?,
                sprint_of(&before),
                sprint_of(&after),
            ));
        }
        let mut out = HashMap::new();
        for (t, now_in, created) in tasks {
            let m = moves.remove(&Id(t)).unwrap_or_default();
            if now_in.is_none() && m.is_empty() {
                continue;
            }
            let first = m.first().map_or(now_in.map(Id), |x| x.1);
            out.insert(
                Id(t),
                Membership {
                    created_at: Millis(created),
                    first,
                    moves: m.into_iter().map(|(at, _, s)| (at, s)).collect(),
                },
            );
        }
        Ok(out)
    }

    /// When the sprint's status changed, oldest first: (when, from, to).
    pub async fn sprint_status_changes(&self, sprint: Id) -> Result<Vec<(Millis, String, String)>> {
        let rows = sqlx::query(
            "SELECT at, before_json, after_json FROM activity WHERE subject_type = 'sprint' AND subject_id = $1 \
             AND action = 'sprint.updated' AND after_json LIKE '%\"status\"%' ORDER BY id",
        )
        .bind(sprint.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let get = |c: &str| -> Result<Option<String>> {
                let s: Option<String> = r.try_get(c)?;
                Ok(s.and_then(|s| serde_json::from_str::<Value>(&s).ok())
                    .and_then(|v| v.get("status").and_then(Value::as_str).map(str::to_owned)))
            };
            if let (Some(b), Some(a)) = (get("before_json")?, get("after_json")?) {
                out.push((millis(r, "at")?, b, a));
            }
        }
        Ok(out)
    }

    pub async fn demo_notes(&self, sprint: Id) -> Result<DemoNotes> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT demo_notes, version FROM sprint_reviews WHERE sprint_id = $1")
                .bind(sprint.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map_or(DemoNotes { text: String::new(), version: 0 }, |(text, version)| DemoNotes { text, version }))
    }

    /// Writes the demo notes if `version` is the one read (0 before any).
    pub async fn save_demo_notes(
        &self,
        actor: Id,
        sprint: Id,
        version: i64,
        text: &str,
        now: Millis,
    ) -> Result<DemoNotes> {
        let mut tx = self.write().await?;
        let project: i64 = sqlx::query_scalar("SELECT project_id FROM sprints WHERE id = $1")
            .bind(sprint.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let ws = project_workspace(&mut tx, Id(project)).await?;
        let stored: Option<(String, i64)> =
            sqlx::query_as("SELECT demo_notes, version FROM sprint_reviews WHERE sprint_id = $1")
                .bind(sprint.0)
                .fetch_optional(&mut *tx)
                .await?;
        let (before, current) = stored.unwrap_or_default();
        crate::rows::check_version(current, version)?;
        // Written only over the version read: of two saves at once, the
        // second is stale.
        let written = if current == 0 {
            sqlx::query(
                "INSERT INTO sprint_reviews (sprint_id, workspace_id, demo_notes, version, updated_at) \
                 VALUES ($1, $2, $3, 1, $4) ON CONFLICT (sprint_id) DO NOTHING",
            )
            .bind(sprint.0)
            .bind(ws.0)
            .bind(text)
            .bind(now.0)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE sprint_reviews SET demo_notes = $1, version = version + 1, updated_at = $2 \
                 WHERE sprint_id = $3 AND version = $4",
            )
            .bind(text)
            .bind(now.0)
            .bind(sprint.0)
            .bind(current)
            .execute(&mut *tx)
            .await?
        };
        if written.rows_affected() != 1 {
            return Err(StoreError::Stale { current: current + 1 });
        }
        let c = change(ws, actor, "sprint_review.updated", "sprint", sprint)
            .before(json!({"demo_notes": before}))
            .after(json!({"demo_notes": text}));
        record(&mut tx, &c, now).await?;
        tx.commit().await?;
        Ok(DemoNotes { text: text.to_owned(), version: current + 1 })
    }

    pub async fn acceptances(&self, sprint: Id) -> Result<Vec<Acceptance>> {
        let rows = sqlx::query(
            "SELECT a.task_id, a.verdict, a.note, a.user_id, u.name AS user_name, a.at FROM sprint_acceptances a \
             LEFT JOIN users u ON u.id = a.user_id WHERE a.sprint_id = $1 ORDER BY a.task_id",
        )
        .bind(sprint.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Acceptance {
                    task_id: id(r, "task_id")?,
                    verdict: word(r, "verdict", Verdict::parse)?,
                    note: r.try_get("note")?,
                    user_id: opt_id(r, "user_id")?,
                    user_name: r.try_get("user_name")?,
                    at: millis(r, "at")?,
                })
            })
            .collect()
    }

    /// Records (or with `None`, withdraws) the verdict on a task of the
    /// sprint's project.
    pub async fn set_acceptance(
        &self,
        actor: Id,
        sprint: Id,
        task: Id,
        verdict: Option<(Verdict, &str)>,
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let project: i64 = sqlx::query_scalar("SELECT project_id FROM sprints WHERE id = $1")
            .bind(sprint.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let tp: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
            .bind(task.0)
            .fetch_optional(&mut *tx)
            .await?;
        if tp != Some(project) {
            return Err(StoreError::NotFound);
        }
        let ws = project_workspace(&mut tx, Id(project)).await?;
        sqlx::query("DELETE FROM sprint_acceptances WHERE sprint_id = $1 AND task_id = $2")
            .bind(sprint.0)
            .bind(task.0)
            .execute(&mut *tx)
            .await?;
        if let Some((v, note)) = verdict {
            sqlx::query(
                "INSERT INTO sprint_acceptances (sprint_id, task_id, workspace_id, verdict, note, user_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(sprint.0)
            .bind(task.0)
            .bind(ws.0)
            .bind(v.as_str())
            .bind(note)
            .bind(actor.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        let after = json!({"sprint_id": sprint, "task_id": task, "verdict": verdict.map(|v| v.0),
            "note": verdict.map(|v| v.1)});
        record(&mut tx, &change(ws, actor, "sprint_review.accepted", "sprint", sprint).after(after), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
