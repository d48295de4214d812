//! Tasks in their WBS and the dependencies between them.

use std::collections::HashMap;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::project::{
    BoardStatus, ConstraintType, Dependency, DependencyType, Estimate, LagKind, LocalTime, Task, TaskAssignment,
    TaskConstraint, TaskKind,
};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::custom;
use crate::rows::{check_version, id, millis, opt_id, opt_local, opt_millis, word};
use crate::{Result, Store, StoreError};

pub use import::{ImportLink, ImportTask, Imported, PlanImport};
pub use links::DeliveringTask;
use place::*;
pub(crate) use place::{insert_task, next_number, project_workspace};

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
    pub notes: String,
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
    /// With manual dates: the duration is not decided yet.
    pub manual_placeholder: bool,
    pub stop: Option<LocalTime>,
    pub resume: Option<LocalTime>,
    pub external_start: Option<LocalTime>,
    pub leveling_delay_elapsed: bool,
    /// Place among the siblings, from 1; on an update a changed position
    /// moves the task there (a new parent without one puts it last).
    pub position: Option<i64>,
    /// Custom values: on an update the stored ones with what the edit
    /// sends laid over them (`null` clears one).
    pub custom_fields: CustomValues,
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
            notes: t.notes.clone(),
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
            manual_placeholder: t.manual_placeholder,
            stop: t.stop,
            resume: t.resume,
            external_start: t.external_start,
            leveling_delay_elapsed: t.leveling_delay_elapsed,
            position: Some(t.position),
            custom_fields: t.custom_fields.clone(),
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

/// A link's new type and lag (see [`NewDependency`] for the lag's units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DependencyChange {
    pub kind: DependencyType,
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
         t.status, t.feature_id, t.fixed_cost_minor, t.notes, t.actual_start, t.actual_finish, t.remaining_minutes, \
         t.estimate_optimistic, t.estimate_likely, t.estimate_pessimistic, t.sprint_id, t.priority, \
         t.leveling_delay_minutes, t.done_at, t.calendar_id, t.slack_calendar_id, t.manual_start, t.manual_finish, t.manual_placeholder, t.stop_at, t.resume_at, \
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
        notes: row.try_get("notes")?,
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
        manual_placeholder: row.try_get::<i64, _>("manual_placeholder")? != 0,
        stop: opt_local(row, "stop_at")?,
        resume: opt_local(row, "resume_at")?,
        external_start: opt_local(row, "external_start")?,
        leveling_delay_elapsed: row.try_get::<i64, _>("leveling_delay_elapsed")? != 0,
        custom_fields: CustomValues::new(),
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

// The row macros above are in scope in these (textual macro scoping).
mod changes;
mod import;
mod links;
mod place;

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
        let after = update_in(&mut tx, actor, t, version, edit, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Applies each edit to its task (read at its version) in one
    /// transaction: all or none (a bulk action).
    pub async fn update_tasks(&self, actor: Id, edits: Vec<(Id, i64, TaskEdit)>, now: Millis) -> Result<Vec<Task>> {
        let mut tx = self.write().await?;
        let mut out = Vec::with_capacity(edits.len());
        for (t, version, e) in edits {
            out.push(
                update_in(
                    &mut tx,
                    actor,
                    t,
                    version,
                    |x| {
                        *x = e;
                        Ok(())
                    },
                    now,
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok(out)
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
}

/// [`Store::update_task`] inside the caller's transaction.
async fn update_in(
    tx: &mut crate::product::Tx,
    actor: Id,
    t: Id,
    version: i64,
    edit: impl FnOnce(&mut TaskEdit) -> Result<(), Invalid>,
    now: Millis,
) -> Result<Task> {
    let (before, ws) = fetch_task(tx, t).await?;
    check_version(before.version, version)?;
    let mut e = TaskEdit::of(&before);
    edit(&mut e)?;
    let mut position = before.position;
    let moved_parent = e.parent_id != before.parent_id;
    if moved_parent {
        check_parent(tx, before.project_id, Some(t), e.parent_id).await?;
        position = next_position(tx, before.project_id, e.parent_id).await?;
    }
    match e.position {
        Some(p) if p != before.position => {
            position = place_among_siblings(tx, before.project_id, t, e.parent_id, p).await?;
        }
        _ => {}
    }
    if e.feature_id != before.feature_id {
        check_feature(tx, ws, e.feature_id).await?;
    }
    if e.sprint_id != before.sprint_id {
        check_sprint(tx, before.project_id, e.sprint_id).await?;
    }
    if e.calendar_id != before.calendar_id {
        check_calendar(tx, before.project_id, e.calendar_id).await?;
    }
    if e.slack_calendar_id != before.slack_calendar_id {
        check_calendar(tx, before.project_id, e.slack_calendar_id).await?;
    }
    write_fields(tx, t, &e, position, Some(&before), now).await?;
    custom::save(tx, ws, FieldObject::Task, t, &before.custom_fields, &e.custom_fields).await?;
    if e.assignments != before.assignments {
        write_assignments(tx, ws, t, &e.assignments).await?;
    }
    // The task's place in the WBS moved only if its parent or position
    // did; its children are not this edit's.
    let (mut after, _) = fetch_unplaced(tx, t).await?;
    if after.parent_id == before.parent_id && after.position == before.position {
        after.wbs.clone_from(&before.wbs);
        after.outline_level = before.outline_level;
        if before.kind == TaskKind::Summary {
            after.kind = TaskKind::Summary;
        }
    } else {
        place_in_wbs(tx, &mut after).await?;
    }
    sync_delivery(tx, ws, actor, before.feature_id, now).await?;
    if after.feature_id != before.feature_id {
        sync_delivery(tx, ws, actor, after.feature_id, now).await?;
    }
    record_update(tx, change(ws, actor, "task.updated", "task", t), &before, &after, now).await?;
    Ok(after)
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
