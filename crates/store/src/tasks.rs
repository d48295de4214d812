//! Tasks in their WBS and the dependencies between them.

use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::product::FeatureStatus;
use tandem_core::project::{
    BoardStatus, ConstraintType, Dependency, DependencyType, Estimate, LagKind, LocalTime, Task, TaskAssignment,
    TaskConstraint, TaskKind,
};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis, progress};

use crate::activity::{change, record, record_update};
use crate::product::Tx;
use crate::rows::{check_version, id, millis, opt_id, opt_local, opt_millis, word};
use crate::{Result, Store, StoreError};

/// How many tasks one project may hold.
pub const MAX_TASKS: i64 = 20_000;

/// The fields of a task a new one has and an update may change.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskEdit {
    pub name: String,
    pub parent_id: Option<Id>,
    pub milestone: bool,
    pub duration_minutes: i64,
    pub percent_complete: i64,
    pub constraint: TaskConstraint,
    pub deadline: Option<LocalTime>,
    pub story_points: Option<f64>,
    pub status: BoardStatus,
    pub feature_id: Option<Id>,
    pub fixed_cost_minor: i64,
    pub actual_start: Option<LocalTime>,
    pub actual_finish: Option<LocalTime>,
    pub remaining_minutes: Option<i64>,
    pub estimate: Option<Estimate>,
    pub sprint_id: Option<Id>,
    pub priority: i64,
    pub leveling_delay_minutes: i64,
    /// Replaces the task's assignments.
    pub assignments: Vec<TaskAssignment>,
    pub calendar_id: Option<Id>,
    pub slack_calendar_id: Option<Id>,
    pub manual_start: Option<LocalTime>,
    pub manual_finish: Option<LocalTime>,
    pub stop: Option<LocalTime>,
    pub resume: Option<LocalTime>,
    pub external_start: Option<LocalTime>,
    pub leveling_delay_elapsed: bool,
    /// Place among the siblings, from 1; on an update a changed position
    /// moves the task there (a new parent without one puts it last).
    pub position: Option<i64>,
}

impl TaskEdit {
    /// The editable fields of a stored task.
    pub fn of(t: &Task) -> TaskEdit {
        TaskEdit {
            name: t.name.clone(),
            parent_id: t.parent_id,
            milestone: t.kind == TaskKind::Milestone,
            duration_minutes: t.duration_minutes,
            percent_complete: t.percent_complete,
            constraint: t.constraint,
            deadline: t.deadline,
            story_points: t.story_points,
            status: t.status,
            feature_id: t.feature_id,
            fixed_cost_minor: t.fixed_cost_minor,
            actual_start: t.actual_start,
            actual_finish: t.actual_finish,
            remaining_minutes: t.remaining_minutes,
            estimate: t.estimate,
            sprint_id: t.sprint_id,
            priority: t.priority,
            leveling_delay_minutes: t.leveling_delay_minutes,
            assignments: t.assignments.clone(),
            calendar_id: t.calendar_id,
            slack_calendar_id: t.slack_calendar_id,
            manual_start: t.manual_start,
            manual_finish: t.manual_finish,
            stop: t.stop,
            resume: t.resume,
            external_start: t.external_start,
            leveling_delay_elapsed: t.leveling_delay_elapsed,
            position: Some(t.position),
        }
    }

    /// See [`tandem_core::progress::is_done`].
    fn done(&self) -> bool {
        tandem_core::progress::is_done(self.percent_complete, self.status, self.actual_finish)
    }
}

/// A new dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewDependency {
    pub predecessor_id: Id,
    pub successor_id: Id,
    pub kind: DependencyType,
    /// Minutes, or hundredths of a percent for percentage lags.
    pub lag: i64,
    pub lag_kind: LagKind,
}

macro_rules! dependency_cols {
    () => {
        "SELECT id, project_id, predecessor_id, successor_id, kind, lag_minutes, lag_kind, version, created_at, \
         updated_at FROM dependencies"
    };
}

macro_rules! task_cols {
    () => {
        "SELECT t.id, t.project_id, p.key AS project_key, t.number, t.parent_id, t.position, t.name, t.milestone, \
         t.duration_minutes, t.percent_complete, t.constraint_type, t.constraint_date, t.deadline, t.story_points, \
         t.status, t.feature_id, t.fixed_cost_minor, t.actual_start, t.actual_finish, t.remaining_minutes, \
         t.estimate_optimistic, t.estimate_likely, t.estimate_pessimistic, t.sprint_id, t.priority, \
         t.leveling_delay_minutes, t.done_at, t.calendar_id, t.slack_calendar_id, t.manual_start, t.manual_finish, t.stop_at, t.resume_at, \
         t.external_start, t.leveling_delay_elapsed, t.version, t.created_at, t.updated_at, p.workspace_id \
         FROM tasks t JOIN projects p ON p.id = t.project_id"
    };
}

/// A task row, before its place in the WBS is known.
fn task(row: &AnyRow) -> Result<Task> {
    let key: String = row.try_get("project_key")?;
    let number: i64 = row.try_get("number")?;
    let milestone: i64 = row.try_get("milestone")?;
    Ok(Task {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        key: format!("{key}-{number}"),
        name: row.try_get("name")?,
        parent_id: opt_id(row, "parent_id")?,
        position: row.try_get("position")?,
        outline_level: 1,
        wbs: String::new(),
        kind: if milestone != 0 { TaskKind::Milestone } else { TaskKind::Task },
        duration_minutes: row.try_get("duration_minutes")?,
        percent_complete: row.try_get("percent_complete")?,
        constraint: TaskConstraint {
            kind: word(row, "constraint_type", ConstraintType::parse)?,
            date: opt_local(row, "constraint_date")?,
        },
        deadline: opt_local(row, "deadline")?,
        story_points: row.try_get("story_points")?,
        status: word(row, "status", BoardStatus::parse)?,
        feature_id: opt_id(row, "feature_id")?,
        fixed_cost_minor: row.try_get("fixed_cost_minor")?,
        actual_start: opt_local(row, "actual_start")?,
        actual_finish: opt_local(row, "actual_finish")?,
        remaining_minutes: row.try_get("remaining_minutes")?,
        estimate: match (
            row.try_get::<Option<i64>, _>("estimate_optimistic")?,
            row.try_get::<Option<i64>, _>("estimate_likely")?,
            row.try_get::<Option<i64>, _>("estimate_pessimistic")?,
        ) {
            (Some(o), Some(m), Some(p)) => {
                Some(Estimate { optimistic_minutes: o, likely_minutes: m, pessimistic_minutes: p })
            }
            _ => None,
        },
        sprint_id: opt_id(row, "sprint_id")?,
        priority: row.try_get("priority")?,
        leveling_delay_minutes: row.try_get("leveling_delay_minutes")?,
        assignments: Vec::new(),
        work_minutes: 0,
        done_at: opt_millis(row, "done_at")?,
        calendar_id: opt_id(row, "calendar_id")?,
        slack_calendar_id: opt_id(row, "slack_calendar_id")?,
        manual_start: opt_local(row, "manual_start")?,
        manual_finish: opt_local(row, "manual_finish")?,
        stop: opt_local(row, "stop_at")?,
        resume: opt_local(row, "resume_at")?,
        external_start: opt_local(row, "external_start")?,
        leveling_delay_elapsed: row.try_get::<i64, _>("leveling_delay_elapsed")? != 0,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

/// Orders tasks as the WBS reads (each parent before its children, siblings
/// by position) and fills in outline level, WBS code and summary kind.
fn in_wbs_order(tasks: Vec<Task>) -> Vec<Task> {
    let mut children: HashMap<Option<Id>, Vec<Task>> = HashMap::new();
    for t in tasks {
        children.entry(t.parent_id).or_default().push(t);
    }
    for list in children.values_mut() {
        list.sort_by_key(|t| (t.position, t.id));
    }
    let mut out = Vec::new();
    // (parent, level, wbs prefix)
    let mut stack: Vec<(Task, u32, String)> = Vec::new();
    let roots = children.remove(&None).unwrap_or_default();
    for (i, t) in roots.into_iter().enumerate().rev() {
        stack.push((t, 1, (i + 1).to_string()));
    }
    while let Some((mut t, level, wbs)) = stack.pop() {
        let kids = children.remove(&Some(t.id)).unwrap_or_default();
        t.outline_level = level;
        t.wbs = wbs.clone();
        if !kids.is_empty() {
            t.kind = TaskKind::Summary;
        }
        out.push(t);
        for (i, k) in kids.into_iter().enumerate().rev() {
            stack.push((k, level + 1, format!("{wbs}.{}", i + 1)));
        }
    }
    out
}

fn dependency(row: &AnyRow) -> Result<Dependency> {
    let lag_kind = word(row, "lag_kind", LagKind::parse)?;
    let raw_lag: i64 = row.try_get("lag_minutes")?;
    Ok(Dependency {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        predecessor_id: id(row, "predecessor_id")?,
        successor_id: id(row, "successor_id")?,
        kind: word(row, "kind", DependencyType::parse)?,
        lag_minutes: if lag_kind == LagKind::Percent { 0 } else { raw_lag },
        lag_kind,
        lag_percent: (lag_kind == LagKind::Percent).then(|| raw_lag as f64 / 100.0),
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn project_tasks(tx: &mut Tx, project: Id) -> Result<Vec<Task>> {
    let rows =
        sqlx::query(concat!(task_cols!(), " WHERE t.project_id = $1")).bind(project.0).fetch_all(&mut **tx).await?;
    let mut tasks = rows.iter().map(task).collect::<Result<Vec<_>>>()?;
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
async fn write_assignments(tx: &mut Tx, ws: Id, task: Id, list: &[TaskAssignment]) -> Result<()> {
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
async fn check_calendar(tx: &mut Tx, project: Id, cal: Option<Id>) -> Result<()> {
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
async fn check_sprint(tx: &mut Tx, project: Id, sprint: Option<Id>) -> Result<()> {
    let Some(s) = sprint else { return Ok(()) };
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT project_id FROM sprints WHERE id = $1").bind(s.0).fetch_optional(&mut **tx).await?;
    if owner == Some(project.0) {
        Ok(())
    } else {
        Err(StoreError::Invalid(Invalid::new("sprint_id", "is not a sprint of this project")))
    }
}

async fn fetch_task(tx: &mut Tx, t: Id) -> Result<(Task, Id)> {
    let (mut found, ws) = fetch_unplaced(tx, t).await?;
    place_in_wbs(tx, &mut found).await?;
    Ok((found, ws))
}

/// A task with its assignments and its workspace, without its place in
/// the WBS (code, level, summary kind).
async fn fetch_unplaced(tx: &mut Tx, t: Id) -> Result<(Task, Id)> {
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
    Ok((found, id(&row, "workspace_id")?))
}

/// A task's WBS code, outline level and summary kind, as `in_wbs_order`
/// gives them, from its ancestors and their siblings alone: reading one
/// task of a large plan must not read the plan.
async fn place_in_wbs(tx: &mut Tx, t: &mut Task) -> Result<()> {
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
async fn check_parent(tx: &mut Tx, project: Id, task: Option<Id>, parent: Option<Id>) -> Result<()> {
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
async fn sync_delivery(tx: &mut Tx, ws: Id, actor: Id, feature: Option<Id>, now: Millis) -> Result<()> {
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
async fn next_position(tx: &mut Tx, project: Id, parent: Option<Id>) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM tasks WHERE project_id = $1 AND COALESCE(parent_id, 0) = COALESCE($2, 0)",
    )
    .bind(project.0)
    .bind(parent.map(|p| p.0))
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

async fn check_feature(tx: &mut Tx, ws: Id, feature: Option<Id>) -> Result<()> {
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
async fn place_among_siblings(tx: &mut Tx, project: Id, task: Id, parent: Option<Id>, wanted: i64) -> Result<i64> {
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
async fn write_fields(
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
         resume_at = $31, external_start = $32, leveling_delay_elapsed = $33, slack_calendar_id = $34 WHERE id = $26",
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The project's tasks in WBS order.
    pub async fn tasks(&self, project: Id) -> Result<Vec<Task>> {
        let mut tx = self.pool.begin().await?;
        let t = project_tasks(&mut tx, project).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn task(&self, t: Id) -> Result<Task> {
        let mut tx = self.pool.begin().await?;
        let (t, _) = fetch_task(&mut tx, t).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Which project a task is in.
    pub async fn task_project(&self, t: Id) -> Result<Id> {
        let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
            .bind(t.0)
            .fetch_optional(&self.pool)
            .await?;
        p.map(Id).ok_or(StoreError::NotFound)
    }

    /// Adds a task as the last child of its parent (or of the project).
    pub async fn create_task(&self, actor: Id, project: Id, e: &TaskEdit, now: Millis) -> Result<Task> {
        let mut tx = self.write().await?;
        let t = insert_task(&mut tx, actor, project, e, now).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Applies `edit` to the stored task if `version` is current. A new
    /// parent puts the task last among that parent's children.
    pub async fn update_task(
        &self,
        actor: Id,
        t: Id,
        version: i64,
        edit: impl FnOnce(&mut TaskEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Task> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_task(&mut tx, t).await?;
        check_version(before.version, version)?;
        let mut e = TaskEdit::of(&before);
        edit(&mut e)?;
        let mut position = before.position;
        let moved_parent = e.parent_id != before.parent_id;
        if moved_parent {
            check_parent(&mut tx, before.project_id, Some(t), e.parent_id).await?;
            position = next_position(&mut tx, before.project_id, e.parent_id).await?;
        }
        match e.position {
            Some(p) if p != before.position => {
                position = place_among_siblings(&mut tx, before.project_id, t, e.parent_id, p).await?;
            }
            _ => {}
        }
        if e.feature_id != before.feature_id {
            check_feature(&mut tx, ws, e.feature_id).await?;
        }
        if e.sprint_id != before.sprint_id {
            check_sprint(&mut tx, before.project_id, e.sprint_id).await?;
        }
        if e.calendar_id != before.calendar_id {
            check_calendar(&mut tx, before.project_id, e.calendar_id).await?;
        }
        if e.slack_calendar_id != before.slack_calendar_id {
            check_calendar(&mut tx, before.project_id, e.slack_calendar_id).await?;
        }
        write_fields(&mut tx, t, &e, position, Some(&before), now).await?;
        if e.assignments != before.assignments {
            write_assignments(&mut tx, ws, t, &e.assignments).await?;
        }
        // The task's place in the WBS moved only if its parent or position
        // did; its children are not this edit's.
        let (mut after, _) = fetch_unplaced(&mut tx, t).await?;
        if after.parent_id == before.parent_id && after.position == before.position {
            after.wbs.clone_from(&before.wbs);
            after.outline_level = before.outline_level;
            if before.kind == TaskKind::Summary {
                after.kind = TaskKind::Summary;
            }
        } else {
            place_in_wbs(&mut tx, &mut after).await?;
        }
        sync_delivery(&mut tx, ws, actor, before.feature_id, now).await?;
        if after.feature_id != before.feature_id {
            sync_delivery(&mut tx, ws, actor, after.feature_id, now).await?;
        }
        record_update(&mut tx, change(ws, actor, "task.updated", "task", t), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a task with its subtasks and their dependencies.
    pub async fn delete_task(&self, actor: Id, t: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch_task(&mut tx, t).await?;
        sqlx::query("DELETE FROM tasks WHERE id = $1").bind(t.0).execute(&mut *tx).await?;
        record(
            &mut tx,
            &change(ws, actor, "task.deleted", "task", t).before(json!({"key": before.key, "name": before.name})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

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
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM projects WHERE id = $1")
            .bind(project.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        for (field, task) in [("predecessor_id", d.predecessor_id), ("successor_id", d.successor_id)] {
            let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
                .bind(task.0)
                .fetch_optional(&mut *tx)
                .await?;
            if p != Some(project.0) {
                return Err(StoreError::Invalid(Invalid::new(field, "is not a task of this project")));
            }
        }
        let did: i64 = sqlx::query_scalar(
            "INSERT INTO dependencies (workspace_id, project_id, predecessor_id, successor_id, kind, lag_minutes, \
             lag_kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7) RETURNING id",
        )
        .bind(ws)
        .bind(project.0)
        .bind(d.predecessor_id.0)
        .bind(d.successor_id.0)
        .bind(d.kind.as_str())
        .bind(d.lag)
        .bind(now.0)
        .bind(d.lag_kind.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("these tasks are already linked".into()),
            other => other,
        })?;
        let row = sqlx::query(concat!(dependency_cols!(), " WHERE id = $1")).bind(did).fetch_one(&mut *tx).await?;
        let dep = dependency(&row)?;
        let after = json!({"project_id": dep.project_id, "predecessor_id": dep.predecessor_id,
            "successor_id": dep.successor_id, "type": dep.kind});
        record(&mut tx, &change(Id(ws), actor, "dependency.created", "dependency", dep.id).after(after), now).await?;
        tx.commit().await?;
        Ok(dep)
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
        let ws: i64 = sqlx::query_scalar("SELECT workspace_id FROM projects WHERE id = $1")
            .bind(project.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
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
        record(
            &mut tx,
            &change(Id(ws), actor, "project.leveled", "project", project).after(json!({"moved": moved})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

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

/// Adds a task as the last child of its parent (or of the project) inside
/// the caller's transaction.
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
    write_fields(tx, Id(tid), e, position, None, now).await?;
    write_assignments(tx, Id(ws), Id(tid), &e.assignments).await?;
    let (t, _) = fetch_task(tx, Id(tid)).await?;
    sync_delivery(tx, Id(ws), actor, t.feature_id, now).await?;
    record(tx, &change(Id(ws), actor, "task.created", "task", t.id).after(json!({"key": t.key, "name": t.name})), now)
        .await?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: i64, parent: Option<i64>, position: i64) -> Task {
        let mut t = Task::blank(Id(1), Id(id), &format!("t{id}"), 480);
        t.key = format!("P-{id}");
        t.parent_id = parent.map(Id);
        t.position = position;
        t
    }

    #[test]
    fn wbs_order_levels_and_codes() {
        let out =
            in_wbs_order(vec![t(5, Some(1), 2), t(1, None, 1), t(4, Some(1), 1), t(2, None, 2), t(6, Some(4), 1)]);
        let seen: Vec<(i64, &str, u32, TaskKind)> =
            out.iter().map(|x| (x.id.0, x.wbs.as_str(), x.outline_level, x.kind)).collect();
        assert_eq!(
            seen,
            [
                (1, "1", 1, TaskKind::Summary),
                (4, "1.1", 2, TaskKind::Summary),
                (6, "1.1.1", 3, TaskKind::Task),
                (5, "1.2", 2, TaskKind::Task),
                (2, "2", 1, TaskKind::Task),
            ]
        );
    }
}
