//! The task list (WBS) with its editor, and the Gantt chart.

use super::*;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::ProjectAction;
use tandem_core::agile::Sprint;
use tandem_core::project::{BoardStatus, Task, TaskKind};

use super::{PageForm, PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::PageFormCustom;
use crate::web::custom::Fields;
use crate::web::lists;
use axum::extract::RawQuery;
use tandem_app::ops::agile::COLUMNS;
use tandem_app::ops::project::sheet::{self, WbsMove};
use tandem_app::ops::project::{self as ops, CreateTask, UpdateTask};
use tandem_app::plan::ScheduledTask;
use tandem_core::custom::FieldObject;
use tandem_core::views::ViewPage;

// ---- task list ----

/// At most this many rows in the task table shown without JavaScript.
const NO_SCRIPT_ROWS: usize = 200;

struct TaskRow {
    t: Task,
    s: ScheduledTask,
    days: String,
    indent: u32,
}

/// A page of the table shown without JavaScript: rows `from..to` of `all`.
struct Pages {
    from: usize,
    to: usize,
    all: usize,
    size: usize,
}

#[derive(Template)]
#[template(path = "project_tasks.html")]
struct TasksPage {
    shell: Shell,
    f: Frame,
    rows: Vec<TaskRow>,
    /// Which rows the table without JavaScript shows.
    pages: Pages,
    statuses: [BoardStatus; 5],
    sprints: Vec<Sprint>,
    /// The required custom fields' inputs on the create form.
    new_inputs: Vec<crate::web::custom::Input>,
    bar: crate::web::lists::Bar,
    /// The project has no tasks yet (a plan may be imported).
    empty: bool,
}

impl TasksPage {
    /// This list, filtered as it is, from row `from` of the table without
    /// scripts.
    fn at(&self, from: impl std::borrow::Borrow<usize>) -> String {
        let from = *from.borrow();
        let mut q = self.bar.query.clone();
        if from > 0 {
            q = if q.is_empty() { format!("from={from}") } else { format!("{q}&from={from}") };
        }
        if q.is_empty() { self.bar.action.clone() } else { format!("{}?{q}", self.bar.action) }
    }
}

fn rows_of(tasks: &[Task], scheduled: &[ScheduledTask]) -> Vec<TaskRow> {
    tasks
        .iter()
        .zip(scheduled)
        .map(|(t, s)| TaskRow {
            days: days(t.duration_minutes),
            indent: t.outline_level.saturating_sub(1).min(10),
            t: t.clone(),
            s: s.clone(),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct RowsQuery {
    /// The first row of the table shown without JavaScript, from 0.
    from: Option<usize>,
}

pub async fn tasks(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    Query(q): Query<RowsQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (at, id) = page(&path, "/tasks");
    let (shell, f, a) = frame(&state, &p, id?, "tasks", &at).await?;
    let c = tandem_app::schedules::computed(&state, f.project.id).await.map_err(on(&at))?;
    let sprints = state.store.sprints(f.project.id).await.map_err(on(&at))?;
    let (ctx, filter) = lists::task_query(&state, a.scope.workspace_id, f.project.id, a.user_id, raw.as_deref())
        .await
        .map_err(on(&at))?;
    // The rows the filter keeps (every row, in WBS order, without one).
    let kept: Vec<usize> = if filter.is_empty() {
        (0..c.plan.tasks.len()).collect()
    } else {
        let at_of: std::collections::HashMap<tandem_core::Id, usize> =
            c.plan.tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        lists::kept_tasks(&c.plan.tasks, &ctx, &filter).iter().filter_map(|id| at_of.get(id).copied()).collect()
    };
    let picks = vec![
        ("assignee", "Assignee", ctx.assignee_choices()),
        ("sprint", "Sprint", sprints.iter().map(|s| (s.id.to_string(), s.name.clone())).collect()),
        ("status", "Status", lists::words(&COLUMNS)),
    ];
    let place = lists::Place { ws: a.scope.workspace_id, user: a.user_id, page: ViewPage::Tasks, action: at.clone() };
    let bar = lists::bar(&state, place, &filter, &ctx, picks).await.map_err(on(&at))?;
    // The script's sheet shows every row; the table for pages without
    // JavaScript stops where a page would get too long to load.
    // JavaScript is paged.
    let all = kept.len();
    let from = q.from.unwrap_or(0).min(all.saturating_sub(1) / NO_SCRIPT_ROWS * NO_SCRIPT_ROWS);
    let to = all.min(from + NO_SCRIPT_ROWS);
    let (tasks, scheduled): (Vec<Task>, Vec<ScheduledTask>) =
        kept[from..to].iter().map(|&i| (c.plan.tasks[i].clone(), c.view.tasks[i].clone())).unzip();
    let rows = rows_of(&tasks, &scheduled);
    let pages = Pages { from, to, all, size: NO_SCRIPT_ROWS };
    let cf = ctx.fields_view();
    let new_inputs = cf.inputs("new-task", &Default::default(), true);
    let empty = c.plan.tasks.is_empty();
    let page = TasksPage { shell, f, rows, pages, statuses: COLUMNS, sprints, new_inputs, bar, empty };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct NewTaskForm {
    name: String,
    days: Option<String>,
    parent_id: Option<String>,
    milestone: Option<String>,
}

pub async fn task_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<NewTaskForm>,
) -> PageResult {
    let (at, id) = page(&path, "/tasks");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let milestone = form.milestone.is_some();
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Task).await.map_err(on(&at))?;
    let req = CreateTask {
        custom_fields: Some(cf.sent(&custom)),
        name: form.name,
        parent_id: opt_id(form.parent_id.as_deref()),
        kind: milestone.then_some(TaskKind::Milestone),
        duration_minutes: if milestone { Some(0) } else { form_days("days", form.days.as_deref()).map_err(on(&at))? },
        percent_complete: None,
        constraint: None,
        deadline: None,
        story_points: None,
        status: None,
        feature_id: None,
        fixed_cost_minor: None,
        notes: None,
        actual_start: None,
        actual_finish: None,
        remaining_minutes: None,
        estimate: None,
        sprint_id: None,
        priority: None,
        assignments: None,
        calendar_id: None,
        manual_start: None,
        manual_finish: None,
        external_start: None,
        position: None,
    };
    ops::create_task(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Deserialize)]
pub struct EditTaskForm {
    version: i64,
    /// `save`, `indent`, `outdent`, `up` or `down`.
    action: String,
    name: Option<String>,
    days: Option<String>,
    percent_complete: Option<i64>,
    status: Option<BoardStatus>,
    /// Sprint planning: a sprint's id, or empty for the backlog.
    sprint_id: Option<String>,
    back: Option<String>,
}

/// Saves a row of the task list, or moves it in the WBS: indent puts it
/// under the sibling above, outdent after its parent, up/down swap it with
/// a neighbour. Contributors may only change progress and status of their
/// own tasks.
pub async fn task_edit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<EditTaskForm>,
) -> PageResult {
    let tid = path.id().map_err(on("/"))?;
    let project = state.store.task_project(tid).await.map_err(on("/"))?;
    let back = crate::web::safe_next(form.back.as_deref().or(Some(&format!("/projects/{project}/tasks"))));
    project_access(&state, p.id(), project, ProjectAction::Read).await.map_err(on(&back))?;
    let how = match form.action.as_str() {
        "indent" => Some(WbsMove::Indent),
        "outdent" => Some(WbsMove::Outdent),
        "up" => Some(WbsMove::Up),
        "down" => Some(WbsMove::Down),
        _ => None,
    };
    if let Some(how) = how {
        let a = project_access(&state, p.id(), project, ProjectAction::Edit).await.map_err(on(&back))?;
        sheet::move_in_wbs(&state, &a, tid, form.version, how).await.map_err(on(&back))?;
        return Ok(Redirect::to(&back).into_response());
    }
    let task = state.store.task(tid).await.map_err(on(&back))?;
    let mut req = UpdateTask { version: Some(form.version), ..UpdateTask::default() };
    req.name = form.name.filter(|n| !n.trim().is_empty() && *n != task.name);
    req.duration_minutes =
        form_days("days", form.days.as_deref()).map_err(on(&back))?.filter(|d| *d != task.duration_minutes);
    req.percent_complete = form.percent_complete.filter(|p| *p != task.percent_complete);
    req.status = form.status.filter(|s| *s != task.status);
    if let Some(raw) = form.sprint_id.as_deref() {
        let sprint = opt_id(Some(raw));
        if sprint != task.sprint_id {
            req.sprint_id = Some(sprint);
        }
    }
    let a = ops::task_edit_access(&state, p.id(), tid, &req).await.map_err(on(&back))?;
    ops::update_task(&state, &a, tid, form.version, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}

// ---- Gantt ----

#[derive(Template)]
#[template(path = "project_gantt.html")]
struct GanttPage {
    shell: Shell,
    f: Frame,
    zoom: &'static str,
}

#[derive(Deserialize)]
pub struct ZoomQuery {
    zoom: Option<String>,
}

pub async fn gantt(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    Query(q): Query<ZoomQuery>,
) -> PageResult {
    let (at, id) = page(&path, "/gantt");
    let (shell, f, _) = frame(&state, &p, id?, "gantt", &at).await?;
    let zoom = q.zoom.as_deref().and_then(crate::svg::gantt::Zoom::parse).unwrap_or(crate::svg::gantt::Zoom::Week);
    Ok(render(StatusCode::OK, &GanttPage { shell, f, zoom: zoom.as_str() }))
}
