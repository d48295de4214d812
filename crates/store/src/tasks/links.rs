//! Dependencies, the tasks that deliver features, and levelling delays.

use super::*;

use serde_json::json;
use tandem_core::project::{Dependency, Task};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record};
use crate::product::Tx;
use crate::rows::id;
use crate::{Result, Store, StoreError};

impl Store {
    /// The project's dependencies in creation order.
    pub async fn dependencies(&self, project: Id) -> Result<Vec<Dependency>> {
        let rows = sqlx::query(concat!(dependency_cols!(), " WHERE project_id = $1 ORDER BY id"))
            .bind(project.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(dependency).collect()
    }

    /// Which project a dependency is in.
    pub async fn dependency_project(&self, d: Id) -> Result<Id> {
        let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM dependencies WHERE id = $1")
            .bind(d.0)
            .fetch_optional(&self.pool)
            .await?;
        p.map(Id).ok_or(StoreError::NotFound)
    }

    /// Adds a dependency between two tasks of `project`. The caller has
    /// checked that it closes no cycle.
    pub async fn create_dependency(
        &self,
        actor: Id,
        project: Id,
        d: &NewDependency,
        now: Millis,
    ) -> Result<Dependency> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let dep = insert_dependency(&mut tx, ws, actor, project, d, now).await?;
        tx.commit().await?;
        Ok(dep)
    }

    /// Changes a dependency's type and lag if `version` is current (its
    /// tasks stay: a new pair is a new link).
    pub async fn update_dependency(
        &self,
        actor: Id,
        d: Id,
        version: i64,
        edit: &DependencyChange,
        now: Millis,
    ) -> Result<Dependency> {
        let mut tx = self.write().await?;
        let row = sqlx::query(concat!(dependency_cols!(), " WHERE id = $1"))
            .bind(d.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = dependency(&row)?;
        if before.version != version {
            return Err(StoreError::Stale { current: before.version });
        }
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM dependencies WHERE id = $1")
            .bind(d.0)
            .fetch_one(&mut *tx)
            .await?;
        let after = change_dependency(&mut tx, Id(ws), actor, &before, edit, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Makes `links` the predecessors of `successor`, in one transaction:
    /// links to tasks no longer named go, changed ones change in place, new
    /// ones are added, each with its activity row. The caller has checked
    /// that the result closes no cycle.
    pub async fn replace_predecessors(
        &self,
        actor: Id,
        project: Id,
        successor: Id,
        links: &[NewDependency],
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let rows = sqlx::query(concat!(dependency_cols!(), " WHERE successor_id = $1 AND project_id = $2"))
            .bind(successor.0)
            .bind(project.0)
            .fetch_all(&mut *tx)
            .await?;
        let existing = rows.iter().map(dependency).collect::<Result<Vec<_>>>()?;
        for e in &existing {
            match links.iter().find(|l| l.predecessor_id == e.predecessor_id) {
                None => {
                    sqlx::query("DELETE FROM dependencies WHERE id = $1").bind(e.id.0).execute(&mut *tx).await?;
                    let before = json!({"project_id": project, "predecessor_id": e.predecessor_id,
                        "successor_id": e.successor_id, "type": e.kind});
                    let logged = change(ws, actor, "dependency.deleted", "dependency", e.id).before(before);
                    record(&mut tx, &logged, now).await?;
                }
                Some(l) => {
                    let stored_lag = e.lag_percent.map_or(e.lag_minutes, |p| (p * 100.0).round() as i64);
                    if (l.kind, l.lag, l.lag_kind) != (e.kind, stored_lag, e.lag_kind) {
                        let edit = DependencyChange { kind: l.kind, lag: l.lag, lag_kind: l.lag_kind };
                        change_dependency(&mut tx, ws, actor, e, &edit, now).await?;
                    }
                }
            }
        }
        for l in links.iter().filter(|l| !existing.iter().any(|e| e.predecessor_id == l.predecessor_id)) {
            insert_dependency(&mut tx, ws, actor, project, l, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_dependency(&self, actor: Id, d: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let row: Option<(i64, i64)> = sqlx::query_as("SELECT workspace_id, project_id FROM dependencies WHERE id = $1")
            .bind(d.0)
            .fetch_optional(&mut *tx)
            .await?;
        let (ws, project) = row.ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM dependencies WHERE id = $1").bind(d.0).execute(&mut *tx).await?;
        let before = json!({"project_id": Id(project)});
        record(&mut tx, &change(Id(ws), actor, "dependency.deleted", "dependency", d).before(before), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Adds a link inside the caller's transaction, with its activity row.
async fn insert_dependency(
    tx: &mut Tx,
    ws: Id,
    actor: Id,
    project: Id,
    d: &NewDependency,
    now: Millis,
) -> Result<Dependency> {
    for (field, task) in [("predecessor_id", d.predecessor_id), ("successor_id", d.successor_id)] {
        let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
            .bind(task.0)
            .fetch_optional(&mut **tx)
            .await?;
        if p != Some(project.0) {
            return Err(StoreError::Invalid(Invalid::new(field, "is not a task of this project")));
        }
    }
    let did: i64 = sqlx::query_scalar(
        "INSERT INTO dependencies (workspace_id, project_id, predecessor_id, successor_id, kind, lag_minutes, \
         lag_kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7) RETURNING id",
    )
    .bind(ws.0)
    .bind(project.0)
    .bind(d.predecessor_id.0)
    .bind(d.successor_id.0)
    .bind(d.kind.as_str())
    .bind(d.lag)
    .bind(now.0)
    .bind(d.lag_kind.as_str())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict("these tasks are already linked".into()),
        other => other,
    })?;
    let row = sqlx::query(concat!(dependency_cols!(), " WHERE id = $1")).bind(did).fetch_one(&mut **tx).await?;
    let dep = dependency(&row)?;
    let after = json!({"project_id": dep.project_id, "predecessor_id": dep.predecessor_id,
        "successor_id": dep.successor_id, "type": dep.kind});
    record(tx, &change(ws, actor, "dependency.created", "dependency", dep.id).after(after), now).await?;
    Ok(dep)
}

/// A link's new type and lag inside the caller's transaction, with its
/// activity row.
async fn change_dependency(
    tx: &mut Tx,
    ws: Id,
    actor: Id,
    before: &Dependency,
    edit: &DependencyChange,
    now: Millis,
) -> Result<Dependency> {
    sqlx::query(
        "UPDATE dependencies SET kind = $1, lag_minutes = $2, lag_kind = $3, version = version + 1, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(edit.kind.as_str())
    .bind(edit.lag)
    .bind(edit.lag_kind.as_str())
    .bind(now.0)
    .bind(before.id.0)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(concat!(dependency_cols!(), " WHERE id = $1")).bind(before.id.0).fetch_one(&mut **tx).await?;
    let after = dependency(&row)?;
    let show = |x: &Dependency| {
        json!({"project_id": x.project_id, "type": x.kind, "lag_minutes": x.lag_minutes, "lag_kind": x.lag_kind,
            "lag_percent": x.lag_percent})
    };
    let logged =
        change(ws, actor, "dependency.updated", "dependency", before.id).before(show(before)).after(show(&after));
    record(tx, &logged, now).await?;
    Ok(after)
}

/// A task that delivers a feature planned into a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveringTask {
    pub release_id: Id,
    pub project_id: Id,
    pub task_id: Id,
}

impl Store {
    /// The tasks that deliver a feature, in any project, oldest first.
    pub async fn tasks_delivering(&self, feature: Id) -> Result<Vec<Task>> {
        let rows = sqlx::query(concat!(task_cols!(), " WHERE t.feature_id = $1 ORDER BY t.id"))
            .bind(feature.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(task).collect()
    }

    /// The tasks, in any project, that deliver features of the product's releases.
    pub async fn delivering_tasks(&self, product: Id) -> Result<Vec<DeliveringTask>> {
        let rows = sqlx::query(
            "SELECT f.release_id, t.project_id, t.id FROM tasks t JOIN features f ON f.id = t.feature_id \
             WHERE f.product_id = $1 AND f.release_id IS NOT NULL ORDER BY t.id",
        )
        .bind(product.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeliveringTask {
                    release_id: id(r, "release_id")?,
                    project_id: id(r, "project_id")?,
                    task_id: id(r, "id")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Stores levelling's delays (working minutes per task) in one
    /// transaction; each changed task's version moves on.
    pub async fn set_leveling_delays(&self, actor: Id, project: Id, delays: &[(Id, i64)], now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        for (t, d) in delays {
            sqlx::query(
                "UPDATE tasks SET leveling_delay_minutes = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND project_id = $4",
            )
            .bind(*d)
            .bind(now.0)
            .bind(t.0)
            .bind(project.0)
            .execute(&mut *tx)
            .await?;
        }
        let moved = delays.iter().filter(|(_, d)| *d > 0).count();
        record(&mut tx, &change(ws, actor, "project.leveled", "project", project).after(json!({"moved": moved})), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
