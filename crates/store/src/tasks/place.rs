//! Placing a task in its WBS and writing its fields, inside the caller's transaction: parents, positions, numbers, assignments, and the delivery state of its feature.

use super::*;
use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use tandem_core::product::FeatureStatus;
use tandem_core::project::{BoardStatus, Task, TaskAssignment, TaskKind};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis, progress};

use crate::activity::{change, record};
use crate::product::Tx;
use crate::rows::{id, opt_id, opt_local, word};
use crate::{Result, StoreError};

pub(super) async fn project_tasks(tx: &mut Tx, project: Id) -> Result<Vec<Task>> {
    let rows =
        sqlx::query(concat!(task_cols!(), " WHERE t.project_id = $1")).bind(project.0).fetch_all(&mut **tx).await?;
    let mut tasks = rows.iter().map(task).collect::<Result<Vec<_>>>()?;
    let mut values = crate::custom::values_in(&mut **tx, FieldObject::Task, project).await?;
    for t in &mut tasks {
        t.custom_fields = values.remove(&t.id.0).unwrap_or_default();
    }
    let rows = sqlx::query(
        "SELECT a.task_id, a.resource_id, a.units FROM assignments a JOIN tasks t ON t.id = a.task_id \
         WHERE t.project_id = $1 ORDER BY a.id",
    )
    .bind(project.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut by_task: HashMap<Id, Vec<TaskAssignment>> = HashMap::new();
    for r in &rows {
        by_task
            .entry(id(r, "task_id")?)
            .or_default()
            .push(TaskAssignment { resource_id: id(r, "resource_id")?, units: r.try_get("units")? });
    }
    for t in &mut tasks {
        t.assignments = by_task.remove(&t.id).unwrap_or_default();
        t.work_minutes = Task::work(t.duration_minutes, &t.assignments);
    }
    Ok(in_wbs_order(tasks))
}

/// Replaces a task's assignments; every resource must be in the workspace.
pub(super) async fn write_assignments(tx: &mut Tx, ws: Id, task: Id, list: &[TaskAssignment]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for a in list {
        if !seen.insert(a.resource_id) {
            return Err(StoreError::Invalid(Invalid::new("assignments", "names a resource twice")));
        }
        let owner: Option<i64> = sqlx::query_scalar("SELECT workspace_id FROM resources WHERE id = $1")
            .bind(a.resource_id.0)
            .fetch_optional(&mut **tx)
            .await?;
        if owner != Some(ws.0) {
            return Err(StoreError::Invalid(Invalid::new("assignments", "names a resource not in this workspace")));
        }
    }
    sqlx::query("DELETE FROM assignments WHERE task_id = $1").bind(task.0).execute(&mut **tx).await?;
    for a in list {
        sqlx::query("INSERT INTO assignments (task_id, resource_id, units) VALUES ($1, $2, $3)")
            .bind(task.0)
            .bind(a.resource_id.0)
            .bind(a.units)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Fails unless the calendar is one of the project's.
pub(super) async fn check_calendar(tx: &mut Tx, project: Id, cal: Option<Id>) -> Result<()> {
    let Some(c) = cal else { return Ok(()) };
    let owner: Option<i64> = sqlx::query_scalar("SELECT project_id FROM project_calendars WHERE id = $1")
        .bind(c.0)
        .fetch_optional(&mut **tx)
        .await?;
    if owner == Some(project.0) {
        Ok(())
    } else {
        Err(StoreError::Invalid(Invalid::new("calendar_id", "is not a calendar of this project")))
    }
}

/// Fails unless the sprint is one of the project's.
pub(super) async fn check_sprint(tx: &mut Tx, project: Id, sprint: Option<Id>) -> Result<()> {
    let Some(s) = sprint else { return Ok(()) };
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT project_id FROM sprints WHERE id = $1").bind(s.0).fetch_optional(&mut **tx).await?;
    if owner == Some(project.0) {
        Ok(())
    } else {
        Err(StoreError::Invalid(Invalid::new("sprint_id", "is not a sprint of this project")))
    }
}

pub(super) async fn fetch_task(tx: &mut Tx, t: Id) -> Result<(Task, Id)> {
    let (mut found, ws) = fetch_unplaced(tx, t).await?;
    place_in_wbs(tx, &mut found).await?;
    Ok((found, ws))
}

/// A task with its assignments and its workspace, without its place in
/// the WBS (code, level, summary kind).
pub(super) async fn fetch_unplaced(tx: &mut Tx, t: Id) -> Result<(Task, Id)> {
    let row = sqlx::query(concat!(task_cols!(), " WHERE t.id = $1"))
        .bind(t.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut found = task(&row)?;
    let rows = sqlx::query("SELECT resource_id, units FROM assignments WHERE task_id = $1 ORDER BY id")
        .bind(t.0)
        .fetch_all(&mut **tx)
        .await?;
    found.assignments = rows
        .iter()
        .map(|r| Ok(TaskAssignment { resource_id: id(r, "resource_id")?, units: r.try_get("units")? }))
        .collect::<Result<_>>()?;
    found.work_minutes = Task::work(found.duration_minutes, &found.assignments);
    found.custom_fields = crate::custom::values_of(&mut **tx, FieldObject::Task, t).await?;
    Ok((found, id(&row, "workspace_id")?))
}

/// A task's WBS code, outline level and summary kind, as `in_wbs_order`
/// gives them, from its ancestors and their siblings alone: reading one
/// task of a large plan must not read the plan.
pub(super) async fn place_in_wbs(tx: &mut Tx, t: &mut Task) -> Result<()> {
    // One query: the chain of ancestors (bounded, in case of a corrupt
    // loop) and, at each, how many siblings sort before it by (position,
    // id) as in `in_wbs_order`; and whether the task has children.
    let rows = sqlx::query(
        "WITH RECURSIVE up(id, parent_id, position, depth) AS ( \
             SELECT id, parent_id, position, 0 FROM tasks WHERE id = $1 \
             UNION ALL SELECT t.id, t.parent_id, t.position, up.depth + 1 FROM tasks t \
             JOIN up ON t.id = up.parent_id WHERE up.depth < 10000) \
         SELECT up.depth, \
             (SELECT COUNT(*) FROM tasks s WHERE s.project_id = $2 AND s.parent_id = up.parent_id \
                 AND (s.position < up.position OR (s.position = up.position AND s.id < up.id))) \
             + CASE WHEN up.parent_id IS NULL THEN \
                 (SELECT COUNT(*) FROM tasks s WHERE s.project_id = $2 AND s.parent_id IS NULL \
                     AND (s.position < up.position OR (s.position = up.position AND s.id < up.id))) \
               ELSE 0 END AS before, \
             CASE WHEN up.depth = 0 AND EXISTS (SELECT 1 FROM tasks c WHERE c.project_id = $2 AND c.parent_id = up.id) \
               THEN 1 ELSE 0 END AS parent_of \
         FROM up ORDER BY up.depth DESC",
    )
    .bind(t.id.0)
    .bind(t.project_id.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut codes = Vec::with_capacity(rows.len());
    for r in &rows {
        let before: i64 = r.try_get("before")?;
        codes.push((before + 1).to_string());
        if r.try_get::<i64, _>("parent_of")? == 1 {
            t.kind = TaskKind::Summary;
        }
    }
    if rows.len() > 10_000 || codes.is_empty() {
        return Err(StoreError::Corrupt(format!("task {} has no root in the WBS", t.id.0)));
    }
    t.outline_level = codes.len() as u32;
    t.wbs = codes.join(".");
    Ok(())
}

/// Fails unless `parent` is a task of `project` and not `task` itself or
/// one of its descendants (the WBS stays a tree).
pub(super) async fn check_parent(tx: &mut Tx, project: Id, task: Option<Id>, parent: Option<Id>) -> Result<()> {
    let Some(parent) = parent else { return Ok(()) };
    let bad = |m: &str| StoreError::Invalid(Invalid::new("parent_id", m));
    let mut cur = Some(parent);
    let mut steps = 0;
    while let Some(c) = cur {
        if Some(c) == task {
            return Err(bad("would put the task under itself"));
        }
        let row = sqlx::query("SELECT project_id, parent_id FROM tasks WHERE id = $1")
            .bind(c.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| bad("is not a task of this project"))?;
        if id(&row, "project_id")? != project {
            return Err(bad("is not a task of this project"));
        }
        cur = opt_id(&row, "parent_id")?;
        steps += 1;
        if steps > 100 {
            return Err(bad("nests more than 100 levels deep"));
        }
    }
    Ok(())
}

/// Moves a feature along with the work that delivers it: to `in_delivery`
/// when a delivering task has started (progress or a board status past
/// "to do"), to `shipped` (dated today) when every delivering task is done.
/// Rejected, shipped and measured features are left alone, as are
/// features no task delivers.
pub(super) async fn sync_delivery(tx: &mut Tx, ws: Id, actor: Id, feature: Option<Id>, now: Millis) -> Result<()> {
    let Some(feature) = feature else { return Ok(()) };
    let rows =
        sqlx::query("SELECT percent_complete, status, actual_start, actual_finish FROM tasks WHERE feature_id = $1")
            .bind(feature.0)
            .fetch_all(&mut **tx)
            .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut started = false;
    let mut all_done = true;
    for r in &rows {
        let pct: i64 = r.try_get("percent_complete")?;
        let status = word(r, "status", BoardStatus::parse)?;
        let (start, finish) = (opt_local(r, "actual_start")?, opt_local(r, "actual_finish")?);
        started |= progress::is_started(pct, status, start, finish);
        all_done &= progress::is_done(pct, status, finish);
    }
    let current: Option<String> = sqlx::query_scalar("SELECT status FROM features WHERE id = $1")
        .bind(feature.0)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(current) = current.as_deref().and_then(FeatureStatus::parse) else { return Ok(()) };
    let target = match current {
        FeatureStatus::Rejected | FeatureStatus::Shipped | FeatureStatus::Measured => return Ok(()),
        _ if all_done => FeatureStatus::Shipped,
        FeatureStatus::InDelivery => return Ok(()),
        _ if started => FeatureStatus::InDelivery,
        _ => return Ok(()),
    };
    let shipped_on = (target == FeatureStatus::Shipped).then(|| tandem_core::model::Day::of(now).to_string());
    sqlx::query(
        "UPDATE features SET status = $1, shipped_on = $2, version = version + 1, updated_at = $3 WHERE id = $4",
    )
    .bind(target.as_str())
    .bind(shipped_on)
    .bind(now.0)
    .bind(feature.0)
    .execute(&mut **tx)
    .await?;
    let (b, a) = (json!({"status": current}), json!({"status": target}));
    record(tx, &change(ws, actor, "feature.delivery", "feature", feature).before(b).after(a), now).await
}

/// The project's next `KEY-n` number, shared by its tasks, risks and
/// defects like one Jira project's issues.
pub(crate) async fn next_number(tx: &mut Tx, project: Id) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "UPDATE projects SET next_task_number = next_task_number + 1 WHERE id = $1 RETURNING next_task_number - 1",
    )
    .bind(project.0)
    .fetch_one(&mut **tx)
    .await?)
}

/// The workspace of a project, or not found.
pub(crate) async fn project_workspace(tx: &mut Tx, project: Id) -> Result<Id> {
    let ws: Option<i64> = sqlx::query_scalar("SELECT workspace_id FROM projects WHERE id = $1")
        .bind(project.0)
        .fetch_optional(&mut **tx)
        .await?;
    ws.map(Id).ok_or(StoreError::NotFound)
}

/// The position after the last child of `parent` (or of the project's top level).
pub(super) async fn next_position(tx: &mut Tx, project: Id, parent: Option<Id>) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM tasks WHERE project_id = $1 AND COALESCE(parent_id, 0) = COALESCE($2, 0)",
    )
    .bind(project.0)
    .bind(parent.map(|p| p.0))
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

pub(super) async fn check_feature(tx: &mut Tx, ws: Id, feature: Option<Id>) -> Result<()> {
    let Some(f) = feature else { return Ok(()) };
    let owner: Option<i64> = sqlx::query_scalar("SELECT workspace_id FROM features WHERE id = $1")
        .bind(f.0)
        .fetch_optional(&mut **tx)
        .await?;
    if owner == Some(ws.0) {
        Ok(())
    } else {
        Err(StoreError::Invalid(Invalid::new("feature_id", "is not a feature of this workspace")))
    }
}

/// Renumbers the children of `parent` so that `task` sits at `wanted`
/// (from 1, clamped to the list) and returns the position it got.
pub(super) async fn place_among_siblings(
    tx: &mut Tx,
    project: Id,
    task: Id,
    parent: Option<Id>,
    wanted: i64,
) -> Result<i64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM tasks WHERE project_id = $1 AND COALESCE(parent_id, 0) = COALESCE($2, 0) AND id <> $3 \
         ORDER BY position, id",
    )
    .bind(project.0)
    .bind(parent.map(|p| p.0))
    .bind(task.0)
    .fetch_all(&mut **tx)
    .await?;
    let at = (wanted.max(1) as usize - 1).min(ids.len());
    let mut order = ids;
    order.insert(at, task.0);
    for (i, tid) in order.iter().enumerate() {
        if *tid != task.0 {
            sqlx::query("UPDATE tasks SET position = $1 WHERE id = $2 AND position <> $1")
                .bind(i as i64 + 1)
                .bind(*tid)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(at as i64 + 1)
}

/// Writes every editable column of a task. `done_at` is set when the task
/// becomes done and cleared when it is reopened (sprint burndowns read it).
pub(super) async fn write_fields(
    tx: &mut Tx,
    t: Id,
    e: &TaskEdit,
    position: i64,
    before: Option<&Task>,
    now: Millis,
) -> Result<()> {
    let done_at = match before {
        Some(b) if b.is_done() && e.done() => b.done_at.map(|d| d.0),
        _ if e.done() => Some(now.0),
        _ => None,
    };
    sqlx::query(
        "UPDATE tasks SET name = $1, parent_id = $2, position = $3, milestone = $4, duration_minutes = $5, \
         percent_complete = $6, constraint_type = $7, constraint_date = $8, deadline = $9, story_points = $10, \
         status = $11, feature_id = $12, fixed_cost_minor = $13, actual_start = $14, actual_finish = $15, \
         remaining_minutes = $16, estimate_optimistic = $17, estimate_likely = $18, estimate_pessimistic = $19, \
         sprint_id = $20, priority = $21, leveling_delay_minutes = $22, done_at = $23, updated_at = $24, \
         version = version + $25, calendar_id = $27, manual_start = $28, manual_finish = $29, stop_at = $30, \
         resume_at = $31, external_start = $32, leveling_delay_elapsed = $33, slack_calendar_id = $34, notes = $35, \
         manual_placeholder = $36 WHERE id = $26",
    )
    // On PostgreSQL a cached statement keeps the parameter types of its
    // first use; an optional float first bound as NULL then breaks later
    // values, so this statement is prepared afresh each time.
    .persistent(false)
    .bind(&e.name)
    .bind(e.parent_id.map(|p| p.0))
    .bind(position)
    .bind(i64::from(e.milestone))
    .bind(e.duration_minutes)
    .bind(e.percent_complete)
    .bind(e.constraint.kind.as_str())
    .bind(e.constraint.date.map(|d| d.to_string()))
    .bind(e.deadline.map(|d| d.to_string()))
    .bind(e.story_points)
    .bind(e.status.as_str())
    .bind(e.feature_id.map(|f| f.0))
    .bind(e.fixed_cost_minor)
    .bind(e.actual_start.map(|d| d.to_string()))
    .bind(e.actual_finish.map(|d| d.to_string()))
    .bind(e.remaining_minutes)
    .bind(e.estimate.map(|x| x.optimistic_minutes))
    .bind(e.estimate.map(|x| x.likely_minutes))
    .bind(e.estimate.map(|x| x.pessimistic_minutes))
    .bind(e.sprint_id.map(|x| x.0))
    .bind(e.priority)
    .bind(e.leveling_delay_minutes)
    .bind(done_at)
    .bind(now.0)
    .bind(i64::from(before.is_some()))
    .bind(t.0)
    .bind(e.calendar_id.map(|c| c.0))
    .bind(e.manual_start.map(|d| d.to_string()))
    .bind(e.manual_finish.map(|d| d.to_string()))
    .bind(e.stop.map(|d| d.to_string()))
    .bind(e.resume.map(|d| d.to_string()))
    .bind(e.external_start.map(|d| d.to_string()))
    .bind(i64::from(e.leveling_delay_elapsed))
    .bind(e.slack_calendar_id.map(|c| c.0))
    .bind(&e.notes)
    .bind(i64::from(e.manual_placeholder && e.manual_start.is_some()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds a task as the last child of its parent (or of the project), or at
/// the place among them its edit names, inside the caller's transaction.
pub(crate) async fn insert_task(tx: &mut Tx, actor: Id, project: Id, e: &TaskEdit, now: Millis) -> Result<Task> {
    let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM projects WHERE id = $1")
        .bind(project.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE project_id = $1")
        .bind(project.0)
        .fetch_one(&mut **tx)
        .await?;
    if count >= MAX_TASKS {
        return Err(StoreError::Conflict(format!("a project holds at most {MAX_TASKS} tasks")));
    }
    check_parent(tx, project, None, e.parent_id).await?;
    check_feature(tx, Id(ws), e.feature_id).await?;
    let number = next_number(tx, project).await?;
    check_sprint(tx, project, e.sprint_id).await?;
    check_calendar(tx, project, e.calendar_id).await?;
    let position = next_position(tx, project, e.parent_id).await?;
    let tid: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (workspace_id, project_id, number, parent_id, position, name, created_at, updated_at, \
         milestone, duration_minutes, percent_complete, status, constraint_type) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0, 0, 0, 'todo', 'ASAP') RETURNING id",
    )
    .bind(ws)
    .bind(project.0)
    .bind(number)
    .bind(e.parent_id.map(|p| p.0))
    .bind(position)
    .bind(&e.name)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    // A place asked for among the siblings: the others make room.
    let position = match e.position {
        Some(wanted) => place_among_siblings(tx, project, Id(tid), e.parent_id, wanted).await?,
        None => position,
    };
    write_fields(tx, Id(tid), e, position, None, now).await?;
    write_assignments(tx, Id(ws), Id(tid), &e.assignments).await?;
    let none = tandem_core::custom::CustomValues::new();
    crate::custom::save(tx, Id(ws), FieldObject::Task, Id(tid), &none, &e.custom_fields).await?;
    let (t, _) = fetch_task(tx, Id(tid)).await?;
    sync_delivery(tx, Id(ws), actor, t.feature_id, now).await?;
    record(tx, &change(Id(ws), actor, "task.created", "task", t.id).after(json!({"key": t.key, "name": t.name})), now)
        .await?;
    Ok(t)
}
