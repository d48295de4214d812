//! Importing a whole plan (MS Project, Jira, Trello) in WBS order, in one transaction.

use super::*;
use std::collections::HashMap;

use serde_json::json;
use tandem_core::project::{DependencyType, LagKind, LocalTime};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record};
use crate::{Result, Store, StoreError};

/// A plan read from a file, ready to store: calendars, resources, tasks in
/// outline order (parents first) and links, by index.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanImport {
    pub start: LocalTime,
    pub calendar: tandem_core::project::WorkCalendar,
    pub calendars: Vec<(String, tandem_core::project::WorkCalendar)>,
    pub resources: Vec<crate::resources::ResourceEdit>,
    pub tasks: Vec<ImportTask>,
    pub links: Vec<ImportLink>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportTask {
    pub parent: Option<usize>,
    /// Its `calendar_id` and `assignments` are ignored: see `calendar` and
    /// `assignments` here.
    pub edit: TaskEdit,
    pub calendar: Option<usize>,
    pub slack_calendar: Option<usize>,
    /// (index into `resources`, units in percent).
    pub assignments: Vec<(usize, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLink {
    pub predecessor: usize,
    pub successor: usize,
    pub kind: DependencyType,
    pub lag: i64,
    pub lag_kind: LagKind,
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub tasks: Vec<Id>,
    pub dependencies: usize,
    pub calendars: usize,
    pub resources_created: usize,
    pub resources_matched: usize,
    /// Links given twice between the same tasks (only the first is kept).
    pub duplicate_links: usize,
}

impl Store {
    /// Stores an imported plan into an empty project in one transaction:
    /// the project's start and calendar, its other calendars, resources
    /// (matched by name in the workspace, else created), tasks with their
    /// assignments, and links.
    pub async fn import_plan(&self, actor: Id, project: Id, plan: &PlanImport, now: Millis) -> Result<Imported> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE project_id = $1")
            .bind(project.0)
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(StoreError::Conflict("the project already has tasks: import into an empty project".into()));
        }
        if plan.tasks.len() as i64 > MAX_TASKS {
            return Err(StoreError::Invalid(Invalid::new("file", format!("holds more than {MAX_TASKS} tasks"))));
        }
        let cal = serde_json::to_string(&plan.calendar).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE projects SET start_at = $1, calendar_json = $2, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(plan.start.to_string())
            .bind(cal)
            .bind(now.0)
            .bind(project.0)
            .execute(&mut *tx)
            .await?;
        let mut cal_ids = Vec::with_capacity(plan.calendars.len());
        for (name, c) in &plan.calendars {
            cal_ids.push(crate::project::insert_calendar(&mut tx, ws, project, name, c, now).await?);
        }
        let (mut created, mut matched) = (0, 0);
        let mut res_ids = Vec::with_capacity(plan.resources.len());
        for r in &plan.resources {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM resources WHERE workspace_id = $1 AND name = $2")
                    .bind(ws.0)
                    .bind(&r.name)
                    .fetch_optional(&mut *tx)
                    .await?;
            let rid = match found {
                Some(id) => {
                    matched += 1;
                    id
                }
                None => {
                    created += 1;
                    sqlx::query_scalar(
                        "INSERT INTO resources (workspace_id, name, kind, max_units, rate_minor, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                    )
                    .bind(ws.0)
                    .bind(&r.name)
                    .bind(r.kind.as_str())
                    .bind(r.max_units)
                    .bind(r.rate_minor)
                    .bind(now.0)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            res_ids.push(Id(rid));
        }
        let mut ids: Vec<Id> = Vec::with_capacity(plan.tasks.len());
        let mut positions: HashMap<Option<usize>, i64> = HashMap::new();
        for (i, t) in plan.tasks.iter().enumerate() {
            let parent = match t.parent {
                Some(p) if p < i => Some(ids[p]),
                Some(_) => return Err(StoreError::Invalid(Invalid::new("file", "a task comes before its parent"))),
                None => None,
            };
            let pos = positions.entry(t.parent).or_insert(0);
            *pos += 1;
            let number = next_number(&mut tx, project).await?;
            let tid: i64 = sqlx::query_scalar(
                "INSERT INTO tasks (workspace_id, project_id, number, parent_id, position, name, created_at, updated_at, \
                 milestone, duration_minutes, percent_complete, status, constraint_type) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0, 0, 0, 'todo', 'ASAP') RETURNING id",
            )
            .bind(ws.0)
            .bind(project.0)
            .bind(number)
            .bind(parent.map(|p| p.0))
            .bind(*pos)
            .bind(&t.edit.name)
            .bind(now.0)
            .fetch_one(&mut *tx)
            .await?;
            let mut e = t.edit.clone();
            e.parent_id = parent;
            e.calendar_id = t.calendar.and_then(|c| cal_ids.get(c).copied());
            e.slack_calendar_id = t.slack_calendar.and_then(|c| cal_ids.get(c).copied());
            write_fields(&mut tx, Id(tid), &e, *pos, None, now).await?;
            if !e.custom_fields.is_empty() {
                let none = tandem_core::custom::CustomValues::new();
                crate::custom::save(
                    &mut tx,
                    ws,
                    tandem_core::custom::FieldObject::Task,
                    Id(tid),
                    &none,
                    &e.custom_fields,
                )
                .await?;
            }
            for &(r, units) in &t.assignments {
                if let Some(rid) = res_ids.get(r) {
                    sqlx::query("INSERT INTO assignments (task_id, resource_id, units) VALUES ($1, $2, $3)")
                        .bind(tid)
                        .bind(rid.0)
                        .bind(units)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            ids.push(Id(tid));
        }
        let mut seen = std::collections::HashSet::new();
        let mut duplicates = 0;
        for l in &plan.links {
            let (Some(&p), Some(&s)) = (ids.get(l.predecessor), ids.get(l.successor)) else { continue };
            if !seen.insert((p, s)) {
                duplicates += 1;
                continue;
            }
            sqlx::query(
                "INSERT INTO dependencies (workspace_id, project_id, predecessor_id, successor_id, kind, lag_minutes, \
                 lag_kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(ws.0)
            .bind(project.0)
            .bind(p.0)
            .bind(s.0)
            .bind(l.kind.as_str())
            .bind(l.lag)
            .bind(l.lag_kind.as_str())
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        let out = Imported {
            dependencies: seen.len(),
            calendars: cal_ids.len(),
            resources_created: created,
            resources_matched: matched,
            duplicate_links: duplicates,
            tasks: ids,
        };
        let after = json!({"tasks": out.tasks.len(), "dependencies": out.dependencies, "calendars": out.calendars});
        record(&mut tx, &change(ws, actor, "project.imported", "project", project).after(after), now).await?;
        tx.commit().await?;
        Ok(out)
    }
}
