//! Applying an approved change request's edits to the plan it was computed on.

use super::*;
use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use tandem_core::project::{DependencyType, Task};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record};
use crate::product::Tx;
use crate::rows::id;
use crate::{Result, Store, StoreError};

/// A fingerprint of a project's plan: it changes with any change to the
/// project, its tasks or its dependencies. Change requests are applied only
/// to the plan their impact was computed on.
pub(crate) async fn fingerprint(tx: &mut Tx, project: Id) -> Result<String> {
    let p: Option<i64> = sqlx::query_scalar("SELECT version FROM projects WHERE id = $1")
        .bind(project.0)
        .fetch_optional(&mut **tx)
        .await?;
    let p = p.ok_or(StoreError::NotFound)?;
    let t: (i64, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), CAST(SUM(version) AS BIGINT), MAX(id) FROM tasks WHERE project_id = $1")
            .bind(project.0)
            .fetch_one(&mut **tx)
            .await?;
    let d: (i64, Option<i64>) = sqlx::query_as("SELECT COUNT(*), MAX(id) FROM dependencies WHERE project_id = $1")
        .bind(project.0)
        .fetch_one(&mut **tx)
        .await?;
    Ok(format!("p{p}-t{}:{}:{}-d{}:{}", t.0, t.1.unwrap_or(0), t.2.unwrap_or(0), d.0, d.1.unwrap_or(0)))
}

impl Store {
    /// The plan's current fingerprint.
    pub async fn plan_fingerprint(&self, project: Id) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let f = fingerprint(&mut tx, project).await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Applies an approved request's edits in one transaction, if the plan
    /// is still the one its impact was computed on (else `Stale`, changing
    /// nothing). Marks the request applied and logs it.
    pub async fn apply_change_request(
        &self,
        actor: (Id, tandem_core::Role),
        c: Id,
        expected: &str,
        now: Millis,
    ) -> Result<()> {
        use tandem_core::change::Edit;
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT workspace_id, project_id, edits_json, round, status FROM change_requests WHERE id = $1",
        )
        .bind(c.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let (ws, project) = (id(&row, "workspace_id")?, id(&row, "project_id")?);
        let round: i64 = row.try_get("round")?;
        let edits: Vec<Edit> = serde_json::from_str(&row.try_get::<String, _>("edits_json")?)
            .map_err(|e| StoreError::Corrupt(format!("edits_json: {e}")))?;
        if fingerprint(&mut tx, project).await? != expected {
            return Err(StoreError::Stale { current: 0 });
        }
        let invalid = |f: &'static str, m: &str| StoreError::Invalid(Invalid::new(f, m));
        let mut refs: HashMap<String, Id> = HashMap::new();
        let resolve = |refs: &HashMap<String, Id>, s: &str| -> Result<Id> {
            refs.get(s).copied().or_else(|| s.parse().ok()).ok_or_else(|| invalid("edits", "names an unknown task"))
        };
        for e in &edits {
            match e {
                Edit::AddTask { reference, name, duration_minutes, parent_id, feature_id, story_points } => {
                    check_parent(&mut tx, project, None, *parent_id).await?;
                    check_feature(&mut tx, ws, *feature_id).await?;
                    let number = next_number(&mut tx, project).await?;
                    let position = next_position(&mut tx, project, *parent_id).await?;
                    let tid: i64 = sqlx::query_scalar(
                        "INSERT INTO tasks (workspace_id, project_id, number, parent_id, position, name, created_at, \
                         updated_at, milestone, duration_minutes, percent_complete, status, constraint_type) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0, 0, 0, 'todo', 'ASAP') RETURNING id",
                    )
                    .bind(ws.0)
                    .bind(project.0)
                    .bind(number)
                    .bind(parent_id.map(|p| p.0))
                    .bind(position)
                    .bind(name)
                    .bind(now.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    let mut blank = Task::blank(project, Id(tid), name, *duration_minutes);
                    blank.parent_id = *parent_id;
                    blank.feature_id = *feature_id;
                    blank.story_points = *story_points;
                    let edit = TaskEdit { position: None, ..TaskEdit::of(&blank) };
                    write_fields(&mut tx, Id(tid), &edit, position, None, now).await?;
                    if let Some(r) = reference {
                        refs.insert(r.clone(), Id(tid));
                    }
                }
                Edit::UpdateTask { task_id, fields } => {
                    let (before, _) = fetch_task(&mut tx, *task_id).await?;
                    if before.project_id != project {
                        return Err(invalid("edits", "updates a task of another project"));
                    }
                    let mut edit = TaskEdit::of(&before);
                    if let Some(n) = &fields.name {
                        edit.name = n.clone();
                    }
                    if let Some(d) = fields.duration_minutes {
                        edit.duration_minutes = d;
                        edit.manual_placeholder = false;
                    }
                    if let Some(p) = fields.story_points {
                        edit.story_points = Some(p);
                    }
                    if let Some(f) = fields.feature_id {
                        check_feature(&mut tx, ws, Some(f)).await?;
                        edit.feature_id = Some(f);
                    }
                    write_fields(&mut tx, *task_id, &edit, before.position, Some(&before), now).await?;
                }
                Edit::RemoveTask { task_id } => {
                    let gone = sqlx::query("DELETE FROM tasks WHERE id = $1 AND project_id = $2")
                        .bind(task_id.0)
                        .bind(project.0)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if gone == 0 {
                        return Err(invalid("edits", "removes a task not in the project"));
                    }
                }
                Edit::AddDependency { predecessor, successor, kind, lag_minutes } => {
                    let (p, s) = (resolve(&refs, predecessor)?, resolve(&refs, successor)?);
                    for t in [p, s] {
                        let owner: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
                            .bind(t.0)
                            .fetch_optional(&mut *tx)
                            .await?;
                        if owner != Some(project.0) {
                            return Err(invalid("edits", "links a task not in the project"));
                        }
                    }
                    sqlx::query(
                        "INSERT INTO dependencies (workspace_id, project_id, predecessor_id, successor_id, kind, \
                         lag_minutes, lag_kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'working', $7, $7)",
                    )
                    .bind(ws.0)
                    .bind(project.0)
                    .bind(p.0)
                    .bind(s.0)
                    .bind(kind.unwrap_or(DependencyType::Fs).as_str())
                    .bind(lag_minutes.unwrap_or(0))
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                }
                Edit::RemoveDependency { dependency_id } => {
                    sqlx::query("DELETE FROM dependencies WHERE id = $1 AND project_id = $2")
                        .bind(dependency_id.0)
                        .bind(project.0)
                        .execute(&mut *tx)
                        .await?;
                }
                Edit::SetBudget { budget_minor } => {
                    sqlx::query(
                        "UPDATE projects SET budget_minor = $1, version = version + 1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(budget_minor)
                    .bind(now.0)
                    .bind(project.0)
                    .execute(&mut *tx)
                    .await?;
                }
                Edit::AddFeatureToRelease { feature_id, release_id }
                | Edit::RemoveFeatureFromRelease { feature_id, release_id } => {
                    let adding = matches!(e, Edit::AddFeatureToRelease { .. });
                    let same: Option<i64> = sqlx::query_scalar(
                        "SELECT f.id FROM features f JOIN releases r ON r.product_id = f.product_id \
                         WHERE f.id = $1 AND r.id = $2 AND f.workspace_id = $3",
                    )
                    .bind(feature_id.0)
                    .bind(release_id.0)
                    .bind(ws.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if same.is_none() {
                        return Err(invalid("edits", "names a feature and release of different products"));
                    }
                    let sql = if adding {
                        "UPDATE features SET release_id = $1, version = version + 1, updated_at = $2 WHERE id = $3"
                    } else {
                        "UPDATE features SET release_id = NULL, version = version + 1, updated_at = $2 \
                         WHERE id = $3 AND release_id = $1"
                    };
                    sqlx::query(sql).bind(release_id.0).bind(now.0).bind(feature_id.0).execute(&mut *tx).await?;
                }
            }
        }
        sqlx::query(
            "UPDATE change_requests SET status = 'applied', version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now.0)
        .bind(c.0)
        .execute(&mut *tx)
        .await?;
        let call = crate::decisions::Call { kind: "change_request", outcome: "applied", rationale: "" };
        crate::decisions::log_decision(
            &mut tx,
            ws,
            ("change_request", c, round),
            Some(actor),
            call,
            Some(actor.0),
            now,
        )
        .await?;
        let after = json!({"edits": edits.len()});
        record(&mut tx, &change(ws, actor.0, "change_request.applied", "change_request", c).after(after), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
