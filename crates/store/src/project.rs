//! Projects: the project manager's plans.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use tandem_core::project::{LocalTime, Methodology, Project, ProjectCalendar, ProjectStatus, WorkCalendar};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::rows::{check_version, id, millis, opt_id, opt_local, word};
use crate::{Page, Result, Store, StoreError};

/// The fields of a project a new one has and an update may change.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectEdit {
    pub key: String,
    pub name: String,
    pub product_id: Option<Id>,
    pub manager_id: Id,
    pub sponsor_id: Option<Id>,
    pub methodology: Methodology,
    pub status: ProjectStatus,
    pub start: LocalTime,
    pub status_date: Option<LocalTime>,
    pub target_finish: Option<LocalTime>,
    pub budget_minor: i64,
    pub currency: String,
}

/// Which workspace a project is in and who manages it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectScope {
    pub workspace_id: Id,
    pub project_id: Id,
    pub manager_id: Id,
}

/// Counters kept by the database's triggers: `plan` moves with whatever a
/// schedule is computed from, `data` with the project's other figures
/// (risks, time entries, baselines, change requests, reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Revisions {
    pub plan: i64,
    pub data: i64,
}

macro_rules! project_cols {
    () => {
        "SELECT p.id, p.workspace_id, p.key, p.name, p.product_id, p.manager_id, p.sponsor_id, p.methodology, \
         p.status, p.start_at, p.status_date, p.target_finish, p.budget_minor, p.currency, p.version, p.created_at, \
         p.updated_at FROM projects p"
    };
}

fn project(row: &AnyRow) -> Result<Project> {
    Ok(Project {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        key: row.try_get("key")?,
        name: row.try_get("name")?,
        product_id: opt_id(row, "product_id")?,
        manager_id: id(row, "manager_id")?,
        sponsor_id: opt_id(row, "sponsor_id")?,
        methodology: word(row, "methodology", Methodology::parse)?,
        status: word(row, "status", ProjectStatus::parse)?,
        start: opt_local(row, "start_at")?.ok_or_else(|| StoreError::Corrupt("start_at is empty".into()))?,
        status_date: opt_local(row, "status_date")?,
        target_finish: opt_local(row, "target_finish")?,
        budget_minor: row.try_get("budget_minor")?,
        currency: row.try_get("currency")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch<'e, E: Executor<'e, Database = Any>>(ex: E, p: Id) -> Result<Project> {
    let row = sqlx::query(concat!(project_cols!(), " WHERE p.id = $1"))
        .bind(p.0)
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound)?;
    project(&row)
}

/// Fails unless the product is in workspace `ws`: links never cross workspaces.
async fn check_product(tx: &mut crate::product::Tx, ws: Id, product: Option<Id>) -> Result<()> {
    let Some(product) = product else { return Ok(()) };
    let owner: Option<i64> = sqlx::query_scalar("SELECT workspace_id FROM products WHERE id = $1")
        .bind(product.0)
        .fetch_optional(&mut **tx)
        .await?;
    if owner == Some(ws.0) {
        Ok(())
    } else {
        Err(StoreError::Invalid(Invalid::new("product_id", "is not a product of this workspace")))
    }
}

impl Store {
    /// The project's working calendar (the standard one until set).
    pub async fn project_calendar(&self, p: Id) -> Result<WorkCalendar> {
        let raw: Option<Option<String>> = sqlx::query_scalar("SELECT calendar_json FROM projects WHERE id = $1")
            .bind(p.0)
            .fetch_optional(&self.pool)
            .await?;
        match raw.ok_or(StoreError::NotFound)? {
            None => Ok(WorkCalendar::standard()),
            Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("calendar_json: {e}"))),
        }
    }

    /// Replaces the project's calendar if `version` is the project's current
    /// one; the project's version moves on.
    pub async fn set_project_calendar(
        &self,
        actor: Id,
        p: Id,
        version: i64,
        cal: &WorkCalendar,
        now: Millis,
    ) -> Result<Project> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, p).await?;
        check_version(before.version, version)?;
        let j = serde_json::to_string(cal).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE projects SET calendar_json = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(j)
            .bind(now.0)
            .bind(p.0)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut *tx, p).await?;
        let summary = json!({"exceptions": cal.exceptions.len()});
        record(&mut tx, &change(before.workspace_id, actor, "project.calendar", "project", p).after(summary), now)
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn create_project(&self, actor: Id, ws: Id, e: &ProjectEdit, now: Millis) -> Result<Project> {
        let mut tx = self.write().await?;
        check_product(&mut tx, ws, e.product_id).await?;
        let pid: i64 = sqlx::query_scalar(
            "INSERT INTO projects (workspace_id, key, name, product_id, manager_id, sponsor_id, methodology, status, \
             start_at, status_date, target_finish, budget_minor, currency, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(ws.0)
        .bind(&e.key)
        .bind(&e.name)
        .bind(e.product_id.map(|i| i.0))
        .bind(e.manager_id.0)
        .bind(e.sponsor_id.map(|i| i.0))
        .bind(e.methodology.as_str())
        .bind(e.status.as_str())
        .bind(e.start.to_string())
        .bind(e.status_date.map(|t| t.to_string()))
        .bind(e.target_finish.map(|t| t.to_string()))
        .bind(e.budget_minor)
        .bind(&e.currency)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| match StoreError::from(err) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a project with key {} already exists", e.key)),
            other => other,
        })?;
        let p = fetch(&mut *tx, Id(pid)).await?;
        record(
            &mut tx,
            &change(ws, actor, "project.created", "project", p.id).after(json!({"key": p.key, "name": p.name})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Projects with this key, in `ws` or in any workspace.
    pub async fn projects_by_key(&self, ws: Option<Id>, key: &str) -> Result<Vec<Project>> {
        let rows = sqlx::query(concat!(
            project_cols!(),
            " WHERE p.key = $1 AND ($2 = 0 OR p.workspace_id = $2) ORDER BY p.id"
        ))
        .bind(key.trim().to_uppercase())
        .bind(ws.map_or(0, |w| w.0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(project).collect()
    }

    pub async fn project(&self, p: Id) -> Result<Project> {
        fetch(&self.pool, p).await
    }

    /// The project's plan revision: moves, in the same transaction, with
    /// every change to what its schedule is computed from (kept by the
    /// database's triggers). `None` for an unknown project.
    pub async fn plan_revision(&self, p: Id) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT revision FROM plan_revisions WHERE project_id = $1")
            .bind(p.0)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The project's plan and data revisions (see migration 0013), in one
    /// read so the pair is consistent.
    pub async fn revisions(&self, p: Id) -> Result<Option<Revisions>> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT revision, data_revision FROM plan_revisions WHERE project_id = $1")
                .bind(p.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(plan, data)| Revisions { plan, data }))
    }

    /// The project's scope and `user`'s role in its workspace (`None`
    /// when not a member), in one read: every project request asks both.
    pub async fn project_scope_for(&self, p: Id, user: Id) -> Result<(ProjectScope, Option<tandem_core::Role>)> {
        let row = sqlx::query(
            "SELECT p.workspace_id, p.manager_id, m.role FROM projects p \
             LEFT JOIN memberships m ON m.workspace_id = p.workspace_id AND m.user_id = $2 WHERE p.id = $1",
        )
        .bind(p.0)
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let role: Option<String> = row.try_get("role")?;
        let role = match role {
            Some(_) => Some(crate::rows::role(&row, "role")?),
            None => None,
        };
        Ok((
            ProjectScope {
                workspace_id: id(&row, "workspace_id")?,
                project_id: p,
                manager_id: id(&row, "manager_id")?,
            },
            role,
        ))
    }

    /// Which workspace the project is in and who manages it.
    pub async fn project_scope(&self, p: Id) -> Result<ProjectScope> {
        let row = sqlx::query("SELECT workspace_id, manager_id FROM projects WHERE id = $1")
            .bind(p.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(ProjectScope { workspace_id: id(&row, "workspace_id")?, project_id: p, manager_id: id(&row, "manager_id")? })
    }

    /// The workspace's projects in creation order.
    pub async fn projects(&self, ws: Id, after: Option<Id>, limit: i64) -> Result<Page<Project>> {
        let sql = concat!(project_cols!(), " WHERE p.workspace_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3");
        crate::workspace_page(&self.pool, sql, ws, after, limit, project, |p| p.id).await
    }

    /// Applies `edit` to the stored project if `version` is current.
    pub async fn update_project(
        &self,
        actor: Id,
        p: Id,
        version: i64,
        edit: impl FnOnce(&mut ProjectEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Project> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, p).await?;
        check_version(before.version, version)?;
        let mut e = ProjectEdit {
            key: before.key.clone(),
            name: before.name.clone(),
            product_id: before.product_id,
            manager_id: before.manager_id,
            sponsor_id: before.sponsor_id,
            methodology: before.methodology,
            status: before.status,
            start: before.start,
            status_date: before.status_date,
            target_finish: before.target_finish,
            budget_minor: before.budget_minor,
            currency: before.currency.clone(),
        };
        edit(&mut e)?;
        if e.product_id != before.product_id {
            check_product(&mut tx, before.workspace_id, e.product_id).await?;
        }
        sqlx::query(
            "UPDATE projects SET name = $1, product_id = $2, manager_id = $3, sponsor_id = $4, methodology = $5, \
             status = $6, start_at = $7, status_date = $8, target_finish = $9, budget_minor = $10, currency = $11, \
             version = version + 1, updated_at = $12 WHERE id = $13",
        )
        .bind(&e.name)
        .bind(e.product_id.map(|i| i.0))
        .bind(e.manager_id.0)
        .bind(e.sponsor_id.map(|i| i.0))
        .bind(e.methodology.as_str())
        .bind(e.status.as_str())
        .bind(e.start.to_string())
        .bind(e.status_date.map(|t| t.to_string()))
        .bind(e.target_finish.map(|t| t.to_string()))
        .bind(e.budget_minor)
        .bind(&e.currency)
        .bind(now.0)
        .bind(p.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, p).await?;
        record_update(
            &mut tx,
            change(before.workspace_id, actor, "project.updated", "project", p),
            &before,
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// How many calendars one project may hold besides its own.
pub const MAX_CALENDARS: i64 = 200;

fn project_calendar(row: &AnyRow) -> Result<ProjectCalendar> {
    let j: String = row.try_get("calendar_json")?;
    Ok(ProjectCalendar {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        name: row.try_get("name")?,
        calendar: serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("calendar_json: {e}")))?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

macro_rules! calendar_cols {
    () => {
        "SELECT id, project_id, name, calendar_json, version, created_at, updated_at FROM project_calendars"
    };
}

fn cal_json(c: &WorkCalendar) -> Result<String> {
    serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn named(name: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("a calendar named {name} already exists")),
        other => other,
    }
}

/// Inserts a calendar inside a caller's transaction.
pub(crate) async fn insert_calendar(
    tx: &mut crate::product::Tx,
    ws: Id,
    project: Id,
    name: &str,
    cal: &WorkCalendar,
    now: Millis,
) -> Result<Id> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM project_calendars WHERE project_id = $1")
        .bind(project.0)
        .fetch_one(&mut **tx)
        .await?;
    if n >= MAX_CALENDARS {
        return Err(StoreError::Conflict(format!("a project holds at most {MAX_CALENDARS} calendars")));
    }
    let cid: i64 = sqlx::query_scalar(
        "INSERT INTO project_calendars (workspace_id, project_id, name, calendar_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(ws.0)
    .bind(project.0)
    .bind(name)
    .bind(cal_json(cal)?)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(named(name))?;
    Ok(Id(cid))
}

impl Store {
    /// The project's other calendars by name.
    pub async fn project_calendars(&self, p: Id) -> Result<Vec<ProjectCalendar>> {
        let rows = sqlx::query(concat!(calendar_cols!(), " WHERE project_id = $1 ORDER BY name, id"))
            .bind(p.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(project_calendar).collect()
    }

    pub async fn project_calendar_by_id(&self, c: Id) -> Result<ProjectCalendar> {
        let row = sqlx::query(concat!(calendar_cols!(), " WHERE id = $1"))
            .bind(c.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        project_calendar(&row)
    }

    pub async fn create_project_calendar(
        &self,
        actor: Id,
        p: Id,
        name: &str,
        cal: &WorkCalendar,
        now: Millis,
    ) -> Result<ProjectCalendar> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, p).await?;
        let cid = insert_calendar(&mut tx, before.workspace_id, p, name, cal, now).await?;
        record(
            &mut tx,
            &change(before.workspace_id, actor, "calendar.created", "calendar", cid).after(json!({"name": name})),
            now,
        )
        .await?;
        let row = sqlx::query(concat!(calendar_cols!(), " WHERE id = $1")).bind(cid.0).fetch_one(&mut *tx).await?;
        let out = project_calendar(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_project_calendar(
        &self,
        actor: Id,
        c: Id,
        version: i64,
        name: &str,
        cal: &WorkCalendar,
        now: Millis,
    ) -> Result<ProjectCalendar> {
        let mut tx = self.write().await?;
        let row = sqlx::query(concat!(calendar_cols!(), " WHERE id = $1"))
            .bind(c.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = project_calendar(&row)?;
        check_version(before.version, version)?;
        sqlx::query(
            "UPDATE project_calendars SET name = $1, calendar_json = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(name)
        .bind(cal_json(cal)?)
        .bind(now.0)
        .bind(c.0)
        .execute(&mut *tx)
        .await
        .map_err(named(name))?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM project_calendars WHERE id = $1")
            .bind(c.0)
            .fetch_one(&mut *tx)
            .await?;
        record(&mut tx, &change(Id(ws), actor, "calendar.updated", "calendar", c).after(json!({"name": name})), now)
            .await?;
        let row = sqlx::query(concat!(calendar_cols!(), " WHERE id = $1")).bind(c.0).fetch_one(&mut *tx).await?;
        let out = project_calendar(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    /// Deletes a calendar; its tasks go back to the project's calendar.
    pub async fn delete_project_calendar(&self, actor: Id, c: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let ws: Option<i64> = sqlx::query_scalar("SELECT workspace_id FROM project_calendars WHERE id = $1")
            .bind(c.0)
            .fetch_optional(&mut *tx)
            .await?;
        let ws = ws.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE tasks SET calendar_id = NULL WHERE calendar_id = $1").bind(c.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM project_calendars WHERE id = $1").bind(c.0).execute(&mut *tx).await?;
        record(&mut tx, &change(Id(ws), actor, "calendar.deleted", "calendar", c), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
