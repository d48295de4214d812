//! Resources of a workspace, the time logged against tasks, and the
//! baselines of a project.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::tracking::{BASELINES, Baseline, BaselineTask, Resource, ResourceKind, TimeEntry};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::product::Tx;
use crate::rows::{check_version, day, id, millis, opt_id, opt_local, word};
use crate::{Result, Store, StoreError};

/// How many resources one workspace may hold.
pub const MAX_RESOURCES: i64 = 5_000;

/// The fields of a resource a new one has and an update may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEdit {
    pub name: String,
    pub user_id: Option<Id>,
    pub kind: ResourceKind,
    pub max_units: i64,
    pub rate_minor: i64,
    pub calendar: Option<tandem_core::project::WorkCalendar>,
}

fn calendar_json(c: &Option<tandem_core::project::WorkCalendar>) -> Result<Option<String>> {
    c.as_ref().map(|c| serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
}

macro_rules! resource_cols {
    () => {
        "SELECT id, workspace_id, name, user_id, kind, max_units, rate_minor, calendar_json, version, created_at, \
         updated_at FROM resources"
    };
}

fn resource(row: &AnyRow) -> Result<Resource> {
    Ok(Resource {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        name: row.try_get("name")?,
        user_id: opt_id(row, "user_id")?,
        kind: word(row, "kind", ResourceKind::parse)?,
        max_units: row.try_get("max_units")?,
        rate_minor: row.try_get("rate_minor")?,
        calendar: row
            .try_get::<Option<String>, _>("calendar_json")?
            .map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("calendar_json: {e}"))))
            .transpose()?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_resource(tx: &mut Tx, r: Id) -> Result<Resource> {
    let row = sqlx::query(concat!(resource_cols!(), " WHERE id = $1"))
        .bind(r.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    resource(&row)
}

/// A resource's user must be a member of its workspace.
async fn check_member(tx: &mut Tx, ws: Id, user: Option<Id>) -> Result<()> {
    crate::workspaces::check_member(tx, ws, user, "user_id").await
}

fn named_conflict(name: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("a resource named {name} already exists")),
        other => other,
    }
}

/// A new time entry. `cost_minor` is already worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimeEntry {
    pub task_id: Id,
    pub resource_id: Option<Id>,
    pub user_id: Id,
    pub date: Day,
    pub minutes: i64,
    pub cost_minor: i64,
    pub note: String,
}

/// Which time entries to list: every filter optional, days inclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeFilter {
    pub project: Option<Id>,
    pub user: Option<Id>,
    pub from: Option<Day>,
    pub to: Option<Day>,
}

/// How many time entries one listing returns at most.
pub const MAX_TIME_ROWS: i64 = 50_000;

macro_rules! time_cols {
    () => {
        "SELECT e.id, e.project_id, e.task_id, p.key AS project_key, t.number, t.name AS task_name, e.resource_id, e.user_id, e.day, \
         e.minutes, e.cost_minor, e.note, e.version, e.created_at, e.updated_at \
         FROM time_entries e JOIN tasks t ON t.id = e.task_id JOIN projects p ON p.id = e.project_id"
    };
}

fn time_entry(row: &AnyRow) -> Result<TimeEntry> {
    let key: String = row.try_get("project_key")?;
    let number: i64 = row.try_get("number")?;
    Ok(TimeEntry {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        task_id: id(row, "task_id")?,
        task_key: format!("{key}-{number}"),
        task_name: row.try_get("task_name")?,
        resource_id: opt_id(row, "resource_id")?,
        user_id: id(row, "user_id")?,
        date: day(row, "day")?,
        minutes: row.try_get("minutes")?,
        cost_minor: row.try_get("cost_minor")?,
        note: row.try_get("note")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_time(tx: &mut Tx, e: Id) -> Result<TimeEntry> {
    let row = sqlx::query(concat!(time_cols!(), " WHERE e.id = $1"))
        .bind(e.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    time_entry(&row)
}

/// The editable fields of a time entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEdit {
    pub date: Day,
    pub minutes: i64,
    pub cost_minor: i64,
    pub note: String,
}

impl Store {
    pub async fn create_resource(&self, actor: Id, ws: Id, e: &ResourceEdit, now: Millis) -> Result<Resource> {
        let mut tx = self.write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resources WHERE workspace_id = $1")
            .bind(ws.0)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_RESOURCES {
            return Err(StoreError::Conflict(format!("a workspace holds at most {MAX_RESOURCES} resources")));
        }
        check_member(&mut tx, ws, e.user_id).await?;
        let rid: i64 = sqlx::query_scalar(
            "INSERT INTO resources (workspace_id, name, user_id, kind, max_units, rate_minor, calendar_json, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7) RETURNING id",
        )
        .bind(ws.0)
        .bind(&e.name)
        .bind(e.user_id.map(|u| u.0))
        .bind(e.kind.as_str())
        .bind(e.max_units)
        .bind(e.rate_minor)
        .bind(now.0)
        .bind(calendar_json(&e.calendar)?)
        .fetch_one(&mut *tx)
        .await
        .map_err(named_conflict(&e.name))?;
        let r = fetch_resource(&mut tx, Id(rid)).await?;
        record(&mut tx, &change(ws, actor, "resource.created", "resource", r.id).after(json!({"name": r.name})), now)
            .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The workspace's resources by name.
    pub async fn resources(&self, ws: Id) -> Result<Vec<Resource>> {
        let rows = sqlx::query(concat!(resource_cols!(), " WHERE workspace_id = $1 ORDER BY name, id"))
            .bind(ws.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(resource).collect()
    }

    pub async fn resource(&self, r: Id) -> Result<Resource> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_resource(&mut tx, r).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_resource(
        &self,
        actor: Id,
        r: Id,
        version: i64,
        edit: impl FnOnce(&mut ResourceEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Resource> {
        let mut tx = self.write().await?;
        let before = fetch_resource(&mut tx, r).await?;
        check_version(before.version, version)?;
        let mut e = ResourceEdit {
            name: before.name.clone(),
            user_id: before.user_id,
            kind: before.kind,
            max_units: before.max_units,
            rate_minor: before.rate_minor,
            calendar: before.calendar.clone(),
        };
        edit(&mut e)?;
        if e.user_id != before.user_id {
            check_member(&mut tx, before.workspace_id, e.user_id).await?;
        }
        sqlx::query(
            "UPDATE resources SET name = $1, user_id = $2, kind = $3, max_units = $4, rate_minor = $5, \
             calendar_json = $8, version = version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(&e.name)
        .bind(e.user_id.map(|u| u.0))
        .bind(e.kind.as_str())
        .bind(e.max_units)
        .bind(e.rate_minor)
        .bind(now.0)
        .bind(r.0)
        .bind(calendar_json(&e.calendar)?)
        .execute(&mut *tx)
        .await
        .map_err(named_conflict(&e.name))?;
        let after = fetch_resource(&mut tx, r).await?;
        record_update(
            &mut tx,
            change(before.workspace_id, actor, "resource.updated", "resource", r),
            &before,
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The resource a user is in a workspace, if any (the first by id).
    pub async fn resource_of_user(&self, ws: Id, user: Id) -> Result<Option<Resource>> {
        let row =
            sqlx::query(concat!(resource_cols!(), " WHERE workspace_id = $1 AND user_id = $2 ORDER BY id LIMIT 1"))
                .bind(ws.0)
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(resource).transpose()
    }

    /// Logs time against a task of `project`.
    pub async fn create_time_entry(&self, project: Id, e: &NewTimeEntry, now: Millis) -> Result<TimeEntry> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT t.project_id, p.workspace_id FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = $1",
        )
        .bind(e.task_id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let ws = match row {
            Some(r) if id(&r, "project_id")? == project => id(&r, "workspace_id")?,
            _ => return Err(StoreError::Invalid(Invalid::new("task_id", "is not a task of this project"))),
        };
        if let Some(r) = e.resource_id {
            let owner: Option<i64> = sqlx::query_scalar("SELECT workspace_id FROM resources WHERE id = $1")
                .bind(r.0)
                .fetch_optional(&mut *tx)
                .await?;
            if owner != Some(ws.0) {
                return Err(StoreError::Invalid(Invalid::new("resource_id", "is not a resource of this workspace")));
            }
        }
        self.check_day(&mut tx, (e.resource_id, e.user_id), e.date, e.minutes, None).await?;
        let eid: i64 = sqlx::query_scalar(
            "INSERT INTO time_entries (workspace_id, project_id, task_id, resource_id, user_id, day, minutes, \
             cost_minor, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             RETURNING id",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(e.task_id.0)
        .bind(e.resource_id.map(|r| r.0))
        .bind(e.user_id.0)
        .bind(e.date.to_string())
        .bind(e.minutes)
        .bind(e.cost_minor)
        .bind(&e.note)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let out = fetch_time(&mut tx, Id(eid)).await?;
        let after = json!({"task": out.task_key, "date": out.date, "minutes": out.minutes});
        record(&mut tx, &change(ws, e.user_id, "time.logged", "time_entry", out.id).after(after), now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Time entries by day, then id.
    pub async fn time_entries(&self, ws: Id, f: &TimeFilter) -> Result<Vec<TimeEntry>> {
        let sql = concat!(
            time_cols!(),
            " WHERE e.workspace_id = $1 AND ($2 = 0 OR e.project_id = $2) AND ($3 = 0 OR e.user_id = $3) \
             AND e.day >= $4 AND e.day <= $5 ORDER BY e.day, e.id LIMIT $6"
        );
        let rows = sqlx::query(sql)
            .bind(ws.0)
            .bind(f.project.map_or(0, |p| p.0))
            .bind(f.user.map_or(0, |u| u.0))
            .bind(f.from.map_or_else(|| "0000-00-00".to_owned(), |d| d.to_string()))
            .bind(f.to.map_or_else(|| "9999-99-99".to_owned(), |d| d.to_string()))
            .bind(MAX_TIME_ROWS)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(time_entry).collect()
    }

    pub async fn time_entry(&self, e: Id) -> Result<TimeEntry> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_time(&mut tx, e).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_time_entry(
        &self,
        actor: Id,
        e: Id,
        version: i64,
        edit: impl FnOnce(&mut TimeEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<TimeEntry> {
        let mut tx = self.write().await?;
        let before = fetch_time(&mut tx, e).await?;
        check_version(before.version, version)?;
        let mut t = TimeEdit {
            date: before.date,
            minutes: before.minutes,
            cost_minor: before.cost_minor,
            note: before.note.clone(),
        };
        edit(&mut t)?;
        let person = sqlx::query("SELECT resource_id, user_id FROM time_entries WHERE id = $1")
            .bind(e.0)
            .fetch_one(&mut *tx)
            .await?;
        let person = (opt_id(&person, "resource_id")?, id(&person, "user_id")?);
        self.check_day(&mut tx, person, t.date, t.minutes, Some(e)).await?;
        sqlx::query(
            "UPDATE time_entries SET day = $1, minutes = $2, cost_minor = $3, note = $4, version = version + 1, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(t.date.to_string())
        .bind(t.minutes)
        .bind(t.cost_minor)
        .bind(&t.note)
        .bind(now.0)
        .bind(e.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch_time(&mut tx, e).await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM time_entries WHERE id = $1")
            .bind(e.0)
            .fetch_one(&mut *tx)
            .await?;
        record_update(&mut tx, change(Id(ws), actor, "time.updated", "time_entry", e), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Refuses an entry that would take its person's day past 24 hours.
    /// The person is the entry's resource, or its author when it has none.
    /// On PostgreSQL a lock per person holds concurrent writers apart until
    /// commit (SQLite's writer is already one at a time).
    async fn check_day(
        &self,
        tx: &mut Tx,
        (resource, user): (Option<Id>, Id),
        day: Day,
        minutes: i64,
        except: Option<Id>,
    ) -> Result<()> {
        let key = resource.map_or(user.0, |r| -r.0);
        if self.backend() == crate::Backend::Postgres {
            // One lock name per person, apart from any other use of locks.
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind((1_i64 << 40) + key).execute(&mut **tx).await?;
        }
        let already: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM time_entries WHERE day = $1 AND id <> $2 AND \
             (CASE WHEN resource_id IS NULL THEN user_id ELSE -resource_id END) = $3",
        )
        .bind(day.to_string())
        .bind(except.map_or(0, |e| e.0))
        .bind(key)
        .fetch_one(&mut **tx)
        .await?;
        Ok(tandem_core::tracking::day_total(already, minutes)?)
    }

    pub async fn delete_time_entry(&self, actor: Id, e: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch_time(&mut tx, e).await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM time_entries WHERE id = $1")
            .bind(e.0)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM time_entries WHERE id = $1").bind(e.0).execute(&mut *tx).await?;
        let b = json!({"task": before.task_key, "date": before.date, "minutes": before.minutes});
        record(&mut tx, &change(Id(ws), actor, "time.deleted", "time_entry", e).before(b), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores baseline `number` (replacing one already there) with a row
    /// per task.
    pub async fn set_baseline(
        &self,
        actor: Id,
        project: Id,
        number: i64,
        name: &str,
        tasks: &[BaselineTask],
        now: Millis,
    ) -> Result<Baseline> {
        if !(0..BASELINES).contains(&number) {
            return Err(StoreError::Invalid(Invalid::new("number", "must be from 0 to 10")));
        }
        let mut tx = self.write().await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM projects WHERE id = $1")
            .bind(project.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM baselines WHERE project_id = $1 AND number = $2")
            .bind(project.0)
            .bind(number)
            .execute(&mut *tx)
            .await?;
        let bid: i64 = sqlx::query_scalar(
            "INSERT INTO baselines (project_id, number, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(project.0)
        .bind(number)
        .bind(name)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        for t in tasks {
            sqlx::query(
                "INSERT INTO baseline_tasks (baseline_id, task_id, start_at, finish_at, duration_minutes, \
                 work_minutes, cost_minor, story_points) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            // Optional floats: see `tasks::write_fields`.
            .persistent(false)
            .bind(bid)
            .bind(t.task_id.0)
            .bind(t.start.to_string())
            .bind(t.finish.to_string())
            .bind(t.duration_minutes)
            .bind(t.work_minutes)
            .bind(t.cost_minor)
            .bind(t.story_points)
            .execute(&mut *tx)
            .await?;
        }
        let after = json!({"number": number, "name": name, "tasks": tasks.len()});
        record(&mut tx, &change(Id(ws), actor, "baseline.set", "project", project).after(after), now).await?;
        tx.commit().await?;
        Ok(Baseline { number, name: name.to_owned(), created_by: actor, created_at: now, tasks: tasks.to_vec() })
    }

    /// The project's baselines by number, each with its task rows.
    pub async fn baselines(&self, project: Id) -> Result<Vec<Baseline>> {
        let heads = sqlx::query(
            "SELECT id, number, name, created_by, created_at FROM baselines WHERE project_id = $1 ORDER BY number",
        )
        .bind(project.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(heads.len());
        for h in &heads {
            let rows = sqlx::query(
                "SELECT task_id, start_at, finish_at, duration_minutes, work_minutes, cost_minor, story_points \
                 FROM baseline_tasks WHERE baseline_id = $1 ORDER BY task_id",
            )
            .bind(h.try_get::<i64, _>("id")?)
            .fetch_all(&self.pool)
            .await?;
            let tasks = rows
                .iter()
                .map(|r| {
                    let corrupt = |c: &str| StoreError::Corrupt(format!("baseline_tasks.{c} is empty"));
                    Ok(BaselineTask {
                        task_id: id(r, "task_id")?,
                        start: opt_local(r, "start_at")?.ok_or_else(|| corrupt("start_at"))?,
                        finish: opt_local(r, "finish_at")?.ok_or_else(|| corrupt("finish_at"))?,
                        duration_minutes: r.try_get("duration_minutes")?,
                        work_minutes: r.try_get("work_minutes")?,
                        cost_minor: r.try_get("cost_minor")?,
                        story_points: r.try_get("story_points")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            out.push(Baseline {
                number: h.try_get("number")?,
                name: h.try_get("name")?,
                created_by: id(h, "created_by")?,
                created_at: millis(h, "created_at")?,
                tasks,
            });
        }
        Ok(out)
    }

    /// Clears baseline `number`; not found when it was not set.
    pub async fn clear_baseline(&self, actor: Id, project: Id, number: i64, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM projects WHERE id = $1")
            .bind(project.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let gone = sqlx::query("DELETE FROM baselines WHERE project_id = $1 AND number = $2")
            .bind(project.0)
            .bind(number)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        record(
            &mut tx,
            &change(Id(ws), actor, "baseline.cleared", "project", project).before(json!({"number": number})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
