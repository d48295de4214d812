//! The project manager's pages: projects, dashboard, task list (WBS),
//! Gantt, board, sprints, resources, budget and EVM, risks, Monte Carlo,
//! defects, status reports and the timesheet. Each page resolves its
//! project through the same guard as the API and shows edit controls only
//! to those who may use them; forms call the same operations as the API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::agile::Sprint;
use tandem_core::metrics::{Rag, StatusReport};
use tandem_core::model::Day;
use tandem_core::project::{BoardStatus, Project, Task, TaskKind};
use tandem_core::risk::{Defect, Risk, RiskResponse, Severity};
use tandem_core::{Action, Id, ProjectAction, allows};

use super::{PageAllowed, PageError, PageForm, PageResult, Shell, on, render};
use crate::access::{InProject, ProjectCreate, WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self, Series};
use tandem_app::measure::{EvmView, UtilisationView};
use tandem_app::ops::agile::{self, COLUMNS};
use tandem_app::ops::delivery::{self, CreateTimeEntry, SetBaseline, UtilisationQuery};
use tandem_app::ops::outlook::{self, DraftReport, MonteCarloRun, RunRequest, UpdateReport};
use tandem_app::ops::project::{self as ops, CreateProject, CreateTask, UpdateTask};
use tandem_app::ops::risks::{self, CreateDefect, CreateRisk, UpdateDefect};
use tandem_app::plan::{ScheduleView, ScheduledTask};

/// Money for people: `1 234.56 EUR`.
pub fn money(minor: i64, currency: &str) -> String {
    let neg = minor < 0;
    let m = minor.unsigned_abs();
    let units = (m / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{:02} {currency}", if neg { "−" } else { "" }, m % 100)
}

fn days(minutes: i64) -> String {
    charts::fmt_num((minutes as f64 / 480.0 * 10.0).round() / 10.0)
}

/// An index such as SPI to two places, or a dash.
pub(super) fn ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |x| format!("{x:.2}"))
}

/// What every project page shows around its content.
pub struct Frame {
    pub project: Project,
    /// `dashboard`, `tasks`, `gantt`, `board`, `sprints`, `resources`,
    /// `budget`, `risks`, `monte-carlo`, `defects` or `reports`.
    pub tab: &'static str,
    pub can_edit: bool,
    pub can_contribute: bool,
}

async fn frame(
    state: &AppState,
    p: &Principal,
    project: Id,
    tab: &'static str,
    path: &str,
) -> Result<(Shell, Frame, InProject), PageError> {
    let a = project_access(state, p.id(), project, ProjectAction::Read).await.map_err(on(path))?;
    let project = state.store.project(a.scope.project_id).await.map_err(on(path))?;
    let shell =
        Shell::new(state, p, Some(a.scope.workspace_id), "project", format!("{} · {}", project.name, label(tab)))
            .await
            .map_err(on(path))?;
    let f = Frame { project, tab, can_edit: a.manages(), can_contribute: a.contributes() };
    Ok((shell, f, a))
}

fn label(tab: &str) -> &'static str {
    match tab {
        "tasks" => "Tasks",
        "gantt" => "Gantt",
        "board" => "Board",
        "sprints" => "Sprints",
        "resources" => "Resources",
        "budget" => "Budget and EVM",
        "risks" => "Risks",
        "monte-carlo" => "Monte Carlo",
        "defects" => "Defects",
        "reports" => "Status reports",
        "changes" => "Change requests",
        _ => "Dashboard",
    }
}

fn page(path: &IdPath, suffix: &str) -> (String, Result<Id, PageError>) {
    let at = format!("/projects/{}{suffix}", path.id().map_or(0, |i| i.0));
    let id = path.id().map_err(on(&at));
    (at, id)
}

// ---- the project list ----

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    shell: Shell,
    ws: Id,
    projects: Vec<Project>,
    can_create: bool,
    decisions: Vec<(&'static str, String)>,
}

pub async fn projects(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/project", a.ws);
    let projects = state.store.projects(a.ws, None, tandem_store::MAX_PAGE).await.map_err(on(&path))?.items;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "project", "Projects").await.map_err(on(&path))?;
    let can_create = allows(a.role, Action::ProjectCreate);
    let matrix = state.store.decision_matrix(a.ws).await.map_err(on(&path))?.matrix;
    let decisions = super::workspace::decisions(&matrix, false);
    Ok(render(StatusCode::OK, &ProjectsPage { shell, ws: a.ws, projects, can_create, decisions }))
}

#[derive(Deserialize)]
pub struct NewProjectForm {
    name: String,
    key: String,
    start: String,
}

pub async fn projects_create(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<ProjectCreate>,
    PageForm(f): PageForm<NewProjectForm>,
) -> PageResult {
    let path = format!("/w/{}/project", a.ws);
    let start = f.start.parse().map_err(|e: tandem_core::project::BadLocalTime| {
        on::<crate::error::ApiError>(&path)(crate::error::ApiError::invalid("start", e.to_string()))
    })?;
    let req = CreateProject {
        name: f.name,
        key: f.key,
        product_id: None,
        manager_id: None,
        sponsor_id: None,
        methodology: None,
        status: None,
        start,
        status_date: None,
        target_finish: None,
        budget_minor: None,
        currency: None,
    };
    let p = ops::create_project(&state, a.user_id(), a.ws, req).await.map_err(on(&path))?;
    Ok(Redirect::to(&format!("/projects/{}", p.id)).into_response())
}

// ---- dashboard ----

#[derive(Template)]
#[template(path = "project_dashboard.html")]
struct DashboardPage {
    shell: Shell,
    f: Frame,
    d: outlook::ProjectDashboard,
    spi: String,
    cpi: String,
    evm_chart: String,
    critical_days: String,
    rag_dims: Vec<(&'static str, &'static str)>,
}

fn dims(r: &StatusReport) -> Vec<(&'static str, &'static str)> {
    vec![
        ("schedule", r.rag.schedule.as_str()),
        ("budget", r.rag.budget.as_str()),
        ("scope", r.rag.scope.as_str()),
        ("quality", r.rag.quality.as_str()),
        ("risk", r.rag.risk.as_str()),
        ("overall", r.rag.overall.as_str()),
    ]
}

fn evm_chart(e: &EvmView) -> String {
    let labels: Vec<String> = e.curve.iter().map(|p| p.date.to_string()).collect();
    let series = [
        Series {
            name: "PV (planned)",
            colour: "#3b6fb6",
            values: e.curve.iter().map(|p| Some(p.pv as f64 / 100.0)).collect(),
            dashed: true,
        },
        Series {
            name: "EV (earned)",
            colour: "#2e7d32",
            values: e.curve.iter().map(|p| p.ev.map(|v| v as f64 / 100.0)).collect(),
            dashed: false,
        },
        Series {
            name: "AC (actual)",
            colour: "#c0392b",
            values: e.curve.iter().map(|p| p.ac.map(|v| v as f64 / 100.0)).collect(),
            dashed: false,
        },
    ];
    charts::multi_line("EVM S-curve", &labels, &series, &e.currency)
}

pub async fn dashboard(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "");
    let (shell, f, _) = frame(&state, &p, id?, "dashboard", &at).await?;
    let d = outlook::dashboard(&state, f.project.id).await.map_err(on(&at))?;
    let page = DashboardPage {
        spi: ratio(d.evm.as_ref().and_then(|e| e.figures.spi)),
        cpi: ratio(d.evm.as_ref().and_then(|e| e.figures.cpi)),
        evm_chart: d.evm.as_ref().map(evm_chart).unwrap_or_default(),
        critical_days: charts::fmt_num(d.critical_working_days),
        rag_dims: d.latest_report.as_ref().map(dims).unwrap_or_default(),
        d,
        shell,
        f,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- task list ----

struct TaskRow {
    t: Task,
    s: ScheduledTask,
    days: String,
    indent: u32,
}

#[derive(Template)]
#[template(path = "project_tasks.html")]
struct TasksPage {
    shell: Shell,
    f: Frame,
    rows: Vec<TaskRow>,
    statuses: [BoardStatus; 5],
    sprints: Vec<Sprint>,
}

fn rows_of(tasks: &[Task], view: &ScheduleView) -> Vec<TaskRow> {
    tasks
        .iter()
        .zip(&view.tasks)
        .map(|(t, s)| TaskRow {
            days: days(t.duration_minutes),
            indent: t.outline_level.saturating_sub(1).min(10),
            t: t.clone(),
            s: s.clone(),
        })
        .collect()
}

pub async fn tasks(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/tasks");
    let (shell, f, _) = frame(&state, &p, id?, "tasks", &at).await?;
    let c = tandem_app::schedules::computed(&state, f.project.id).await.map_err(on(&at))?;
    let sprints = state.store.sprints(f.project.id).await.map_err(on(&at))?;
    Ok(render(
        StatusCode::OK,
        &TasksPage { shell, f, rows: rows_of(&c.plan.tasks, &c.view), statuses: COLUMNS, sprints },
    ))
}

#[derive(Deserialize)]
pub struct NewTaskForm {
    name: String,
    days: Option<String>,
    parent_id: Option<String>,
    milestone: Option<String>,
}

fn parse_days(field: &'static str, s: Option<&str>) -> Result<Option<i64>, crate::error::ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite() && *d >= 0.0 && *d <= 26_000.0)
            .map(|d| Some((d * 480.0).round() as i64))
            .ok_or_else(|| crate::error::ApiError::invalid(field, "must be a number of days")),
    }
}

fn opt_id(s: Option<&str>) -> Option<Id> {
    s.filter(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

pub async fn task_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NewTaskForm>,
) -> PageResult {
    let (at, id) = page(&path, "/tasks");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let milestone = form.milestone.is_some();
    let req = CreateTask {
        name: form.name,
        parent_id: opt_id(form.parent_id.as_deref()),
        kind: milestone.then_some(TaskKind::Milestone),
        duration_minutes: if milestone {
            Some(0)
        } else {
            parse_days("days", form.days.as_deref()).map_err(on(&at))?
        },
        percent_complete: None,
        constraint: None,
        deadline: None,
        story_points: None,
        status: None,
        feature_id: None,
        fixed_cost_minor: None,
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
    let back = super::safe_next(form.back.as_deref().or(Some(&format!("/projects/{project}/tasks"))));
    project_access(&state, p.id(), project, ProjectAction::Read).await.map_err(on(&back))?;
    let task = state.store.task(tid).await.map_err(on(&back))?;
    let mut req = UpdateTask { version: Some(form.version), ..UpdateTask::default() };
    match form.action.as_str() {
        "indent" | "outdent" | "up" | "down" => {
            let tasks = state.store.tasks(project).await.map_err(on(&back))?;
            let siblings: Vec<&Task> = tasks.iter().filter(|t| t.parent_id == task.parent_id).collect();
            let at = siblings.iter().position(|t| t.id == tid).unwrap_or(0);
            match form.action.as_str() {
                "indent" => match at.checked_sub(1).and_then(|i| siblings.get(i)) {
                    Some(prev) => req.parent_id = Some(Some(prev.id)),
                    None => return Ok(Redirect::to(&back).into_response()),
                },
                "outdent" => match task.parent_id.and_then(|pid| tasks.iter().find(|t| t.id == pid)) {
                    Some(parent) => {
                        req.parent_id = Some(parent.parent_id);
                        req.position = Some(parent.position + 1);
                    }
                    None => return Ok(Redirect::to(&back).into_response()),
                },
                "up" => req.position = Some((task.position - 1).max(1)),
                _ => req.position = Some(task.position + 1),
            }
        }
        _ => {
            req.name = form.name.filter(|n| !n.trim().is_empty() && *n != task.name);
            req.duration_minutes =
                parse_days("days", form.days.as_deref()).map_err(on(&back))?.filter(|d| *d != task.duration_minutes);
            req.percent_complete = form.percent_complete.filter(|p| *p != task.percent_complete);
            req.status = form.status.filter(|s| *s != task.status);
            if let Some(raw) = form.sprint_id.as_deref() {
                let sprint = opt_id(Some(raw));
                if sprint != task.sprint_id {
                    req.sprint_id = Some(sprint);
                }
            }
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
    svg: String,
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
    let data = ops::gantt_data(&state, f.project.id, None).await.map_err(on(&at))?;
    let svg = crate::svg::gantt::project(&data, zoom);
    Ok(render(StatusCode::OK, &GanttPage { shell, f, zoom: zoom.as_str(), svg }))
}

// ---- board ----

struct CardView {
    id: Id,
    key: String,
    name: String,
    points: String,
    version: i64,
    mine: bool,
    assignees: String,
}

struct ColumnView {
    status: BoardStatus,
    cards: Vec<CardView>,
    points: String,
}

#[derive(Template)]
#[template(path = "project_board.html")]
struct BoardPage {
    shell: Shell,
    f: Frame,
    columns: Vec<ColumnView>,
    statuses: [BoardStatus; 5],
}

pub async fn board(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/board");
    let (shell, f, a) = frame(&state, &p, id?, "board", &at).await?;
    let b = agile::board(&state, f.project.id, None).await.map_err(on(&at))?;
    let resources: HashMap<Id, tandem_core::tracking::Resource> =
        state.store.resources(f.project.workspace_id).await.map_err(on(&at))?.into_iter().map(|r| (r.id, r)).collect();
    let columns = b
        .columns
        .into_iter()
        .map(|c| ColumnView {
            status: c.status,
            points: charts::fmt_num(c.points),
            cards: c
                .cards
                .into_iter()
                .map(|card| {
                    let mine =
                        card.assignee_ids.iter().any(|r| resources.get(r).and_then(|r| r.user_id) == Some(a.user_id));
                    CardView {
                        assignees: card
                            .assignee_ids
                            .iter()
                            .filter_map(|r| resources.get(r).map(|r| r.name.clone()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        id: card.id,
                        key: card.key,
                        name: card.name,
                        points: card.story_points.map(charts::fmt_num).unwrap_or_default(),
                        version: card.version,
                        mine,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(render(StatusCode::OK, &BoardPage { shell, f, columns, statuses: COLUMNS }))
}

// ---- sprints ----

#[derive(Template)]
#[template(path = "project_sprints.html")]
struct SprintsPage {
    shell: Shell,
    f: Frame,
    sprints: Vec<agile::SprintView>,
    velocity: String,
    shown: Option<Sprint>,
    burndown: String,
    velocity_chart: String,
}

#[derive(Deserialize)]
pub struct SprintQuery {
    sprint: Option<String>,
}

pub async fn sprints(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    Query(q): Query<SprintQuery>,
) -> PageResult {
    let (at, id) = page(&path, "/sprints");
    let (shell, f, _) = frame(&state, &p, id?, "sprints", &at).await?;
    let list = agile::sprints(&state, f.project.id).await.map_err(on(&at))?;
    let wanted = opt_id(q.sprint.as_deref());
    let shown = list
        .items
        .iter()
        .find(|s| Some(s.sprint.id) == wanted)
        .or_else(|| list.items.iter().find(|s| s.sprint.status == tandem_core::agile::SprintStatus::Active))
        .or(list.items.last())
        .map(|s| s.sprint.clone());
    let burndown = match &shown {
        Some(s) => {
            let b = agile::sprint_burndown(&state, s).await.map_err(on(&at))?;
            let labels: Vec<String> = b.days.iter().map(|d| d.date.to_string()).collect();
            let series = [
                Series {
                    name: "Ideal",
                    colour: "#9aa5b1",
                    values: b.days.iter().map(|d| Some(d.ideal)).collect(),
                    dashed: true,
                },
                Series {
                    name: "Remaining",
                    colour: "#3b6fb6",
                    values: b.days.iter().map(|d| d.remaining).collect(),
                    dashed: false,
                },
            ];
            charts::multi_line(&format!("{} burndown", s.name), &labels, &series, "points")
        }
        None => String::new(),
    };
    let bars: Vec<(String, f64)> = list
        .items
        .iter()
        .filter(|s| s.sprint.status == tandem_core::agile::SprintStatus::Closed)
        .map(|s| (s.sprint.name.clone(), s.done_points))
        .collect();
    let velocity_chart = charts::bar_chart("Points done per closed sprint", &bars);
    Ok(render(
        StatusCode::OK,
        &SprintsPage {
            shell,
            f,
            velocity: list.velocity.map(charts::fmt_num).unwrap_or_else(|| "–".into()),
            sprints: list.items,
            shown,
            burndown,
            velocity_chart,
        },
    ))
}

#[derive(Deserialize)]
pub struct NewSprintForm {
    name: String,
    start: Day,
    finish: Day,
    goal: Option<String>,
    capacity_points: Option<String>,
}

pub async fn sprint_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NewSprintForm>,
) -> PageResult {
    let (at, id) = page(&path, "/sprints");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = agile::CreateSprint {
        name: form.name,
        start: form.start,
        finish: form.finish,
        goal: form.goal,
        capacity_points: form.capacity_points.and_then(|c| c.trim().parse().ok()),
        status: None,
    };
    agile::create_sprint(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- resources ----

struct HeatRow {
    name: String,
    cells: Vec<(String, &'static str, String)>,
    over: bool,
}

#[derive(Template)]
#[template(path = "project_resources.html")]
struct ResourcesPage {
    shell: Shell,
    f: Frame,
    weeks: Vec<String>,
    rows: Vec<HeatRow>,
    resources: Vec<tandem_core::tracking::Resource>,
    moved: Option<delivery::Levelled>,
}

fn heat_rows(u: &UtilisationView) -> Vec<HeatRow> {
    u.resources
        .iter()
        .map(|r| HeatRow {
            name: r.name.clone(),
            over: r.over_allocated,
            cells: r
                .weeks
                .iter()
                .map(|c| {
                    let pct = c.utilisation.map_or(0.0, |x| x * 100.0);
                    let level = match pct {
                        x if x > 100.0 => "over",
                        x if x >= 80.0 => "high",
                        x if x >= 40.0 => "mid",
                        x if x > 0.0 => "low",
                        _ => "none",
                    };
                    let tip = format!("{}: {} of {} h", c.week, c.assigned_minutes / 60, c.available_minutes / 60);
                    (format!("{pct:.0} %"), level, tip)
                })
                .collect(),
        })
        .collect()
}

async fn resources_page(state: &AppState, p: &Principal, id: Id, moved: Option<delivery::Levelled>) -> PageResult {
    let at = format!("/projects/{id}/resources");
    let (shell, f, _) = frame(state, p, id, "resources", &at).await?;
    let u = delivery::utilisation(state, f.project.id, &UtilisationQuery::default()).await.map_err(on(&at))?;
    let resources = state.store.resources(f.project.workspace_id).await.map_err(on(&at))?;
    let weeks = u.weeks.iter().map(|w| w.to_string()).collect();
    Ok(render(StatusCode::OK, &ResourcesPage { shell, f, weeks, rows: heat_rows(&u), resources, moved }))
}

pub async fn resources(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (_, id) = page(&path, "/resources");
    resources_page(&state, &p, id?, None).await
}

#[derive(Deserialize)]
pub struct LevelForm {
    clear: Option<String>,
}

pub async fn level(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<LevelForm>,
) -> PageResult {
    let (at, id) = page(&path, "/resources");
    let id = id?;
    let a = project_access(&state, p.id(), id, ProjectAction::Edit).await.map_err(on(&at))?;
    let out = delivery::level(&state, &a, form.clear.is_some()).await.map_err(on(&at))?;
    resources_page(&state, &p, id, Some(out)).await
}

// ---- budget and EVM ----

#[derive(Template)]
#[template(path = "project_budget.html")]
struct BudgetPage {
    shell: Shell,
    f: Frame,
    evm: Option<EvmView>,
    chart: String,
    rows: Vec<(&'static str, String, &'static str)>,
    baselines: Vec<delivery::BaselineSummary>,
    budget: String,
}

pub async fn budget(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/budget");
    let (shell, f, _) = frame(&state, &p, id?, "budget", &at).await?;
    let baselines = state.store.baselines(f.project.id).await.map_err(on(&at))?;
    let evm = if baselines.is_empty() {
        None
    } else {
        Some(delivery::evm(&state, f.project.id, None).await.map_err(on(&at))?)
    };
    let cur = f.project.currency.clone();
    let m = |v: i64| money(v, &cur);
    let om = |v: Option<i64>| v.map_or_else(|| "–".to_owned(), |x| money(x, &cur));
    let rows = match &evm {
        Some(e) => {
            let x = &e.figures;
            vec![
                ("BAC", m(x.bac), "budget at completion"),
                ("PV", m(x.pv), "planned value: the baseline's cost scheduled by the status date"),
                ("EV", m(x.ev), "earned value: budget × % complete"),
                ("AC", m(x.ac), "actual cost: time logged and fixed costs incurred"),
                ("CV", m(x.cv), "cost variance, EV − AC"),
                ("SV", m(x.sv), "schedule variance, EV − PV"),
                ("CPI", ratio(x.cpi), "EV ÷ AC"),
                ("SPI", ratio(x.spi), "EV ÷ PV"),
                ("EAC", om(x.eac), "estimate at completion, BAC ÷ CPI"),
                ("ETC", om(x.etc), "estimate to complete, EAC − AC"),
                ("VAC", om(x.vac), "variance at completion, BAC − EAC"),
                ("TCPI", ratio(x.tcpi), "(BAC − EV) ÷ (BAC − AC)"),
            ]
        }
        None => Vec::new(),
    };
    let chart = evm.as_ref().map(evm_chart).unwrap_or_default();
    let budget = m(f.project.budget_minor);
    Ok(render(
        StatusCode::OK,
        &BudgetPage {
            shell,
            f,
            chart,
            rows,
            evm,
            baselines: baselines.iter().map(delivery::BaselineSummary::from).collect(),
            budget,
        },
    ))
}

pub async fn baseline_set(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/budget");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    delivery::set_baseline(&state, &a, SetBaseline::default()).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- risks ----

#[derive(Template)]
#[template(path = "project_risks.html")]
struct RisksPage {
    shell: Shell,
    f: Frame,
    risks: Vec<Risk>,
    heat: Vec<HeatRow5>,
    responses: [RiskResponse; 4],
}

/// A row of the 5×5 risk grid: its impact and, per probability, the count
/// of open risks and the zone's colour.
type HeatRow5 = (i64, Vec<(i64, i64, &'static str)>);

fn heat_cells(cells: &[Vec<i64>]) -> Vec<HeatRow5> {
    cells
        .iter()
        .enumerate()
        .map(|(row, counts)| {
            let impact = 5 - row as i64;
            let cols = counts
                .iter()
                .enumerate()
                .map(|(c, n)| {
                    let prob = c as i64 + 1;
                    let score = prob * impact;
                    let zone = if score >= 20 {
                        "red"
                    } else if score >= 15 {
                        "amber"
                    } else if score >= 8 {
                        "yellow"
                    } else {
                        "green"
                    };
                    (prob, *n, zone)
                })
                .collect();
            (impact, cols)
        })
        .collect()
}

pub async fn risks_page(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/risks");
    let (shell, f, _) = frame(&state, &p, id?, "risks", &at).await?;
    let list = state.store.risks(f.project.id).await.map_err(on(&at))?;
    let heat = heat_cells(&risks::risk_heatmap(&list).cells);
    let responses = [RiskResponse::Avoid, RiskResponse::Mitigate, RiskResponse::Transfer, RiskResponse::Accept];
    Ok(render(StatusCode::OK, &RisksPage { shell, f, risks: list, heat, responses }))
}

#[derive(Deserialize)]
pub struct NewRiskForm {
    title: String,
    probability: i64,
    impact: i64,
    cost_impact: Option<String>,
    response: RiskResponse,
    mitigation: Option<String>,
}

pub async fn risk_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NewRiskForm>,
) -> PageResult {
    let (at, id) = page(&path, "/risks");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let cost = form.cost_impact.and_then(|c| c.trim().parse::<f64>().ok()).map(|c| (c * 100.0).round() as i64);
    let req = CreateRisk {
        title: form.title,
        description: None,
        probability: form.probability,
        impact: form.impact,
        cost_impact_minor: cost,
        owner_id: Some(a.user_id),
        response: Some(form.response),
        mitigation: form.mitigation,
        trigger: None,
        status: None,
        task_ids: None,
    };
    risks::create_risk(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- Monte Carlo ----

#[derive(Template)]
#[template(path = "project_montecarlo.html")]
struct MonteCarloPage {
    shell: Shell,
    f: Frame,
    run: Option<MonteCarloRun>,
    histogram: String,
    s_curve: String,
}

pub async fn monte_carlo(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/monte-carlo");
    let (shell, f, _) = frame(&state, &p, id?, "monte-carlo", &at).await?;
    let run = state
        .store
        .runs(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .next()
        .map(outlook::run_view)
        .transpose()
        .map_err(on(&at))?;
    let (histogram, s_curve) = match &run {
        Some(r) => {
            let bars: Vec<(String, f64)> = r
                .results
                .histogram
                .iter()
                .map(|b| (b.from.0.date().strftime("%d %b").to_string(), f64::from(b.count)))
                .collect();
            let pts: Vec<(String, f64)> = r
                .results
                .s_curve
                .iter()
                .map(|c| (c.date.0.date().to_string(), (c.probability * 100.0).round()))
                .collect();
            (
                charts::bar_chart("Finish dates: iterations per bin", &bars),
                charts::line_chart("Chance of finishing by", &pts, "%"),
            )
        }
        None => (String::new(), String::new()),
    };
    Ok(render(StatusCode::OK, &MonteCarloPage { shell, f, run, histogram, s_curve }))
}

#[derive(Deserialize)]
pub struct RunForm {
    iterations: Option<u32>,
    seed: Option<u64>,
    distribution: Option<String>,
}

pub async fn monte_carlo_run(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<RunForm>,
) -> PageResult {
    let (at, id) = page(&path, "/monte-carlo");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = RunRequest {
        iterations: form.iterations,
        seed: form.seed,
        distribution: form.distribution.as_deref().and_then(outlook::Spread::parse),
        target: None,
    };
    outlook::run_monte_carlo(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- defects ----

#[derive(Template)]
#[template(path = "project_defects.html")]
struct DefectsPage {
    shell: Shell,
    f: Frame,
    defects: Vec<Defect>,
    quality: risks::Quality,
    severities: [Severity; 4],
    user_id: Id,
}

pub async fn defects(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/defects");
    let (shell, f, a) = frame(&state, &p, id?, "defects", &at).await?;
    let defects = state.store.defects(f.project.id).await.map_err(on(&at))?;
    let quality = risks::quality(&state, f.project.id).await.map_err(on(&at))?;
    let severities = [Severity::Critical, Severity::Major, Severity::Minor, Severity::Trivial];
    Ok(render(StatusCode::OK, &DefectsPage { shell, f, defects, quality, severities, user_id: a.user_id }))
}

#[derive(Deserialize)]
pub struct NewDefectForm {
    title: String,
    severity: Severity,
    after_release: Option<String>,
}

pub async fn defect_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NewDefectForm>,
) -> PageResult {
    let (at, id) = page(&path, "/defects");
    let a = project_access(&state, p.id(), id?, ProjectAction::Contribute).await.map_err(on(&at))?;
    let req = CreateDefect {
        title: form.title,
        description: None,
        severity: Some(form.severity),
        feature_id: None,
        task_id: None,
        found_in_release_id: None,
        found_after_release: form.after_release.is_some(),
    };
    risks::create_defect(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Deserialize)]
pub struct DefectStatusForm {
    version: i64,
    status: tandem_core::risk::DefectStatus,
}

pub async fn defect_status(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<DefectStatusForm>,
) -> PageResult {
    let did = path.id().map_err(on("/"))?;
    let d = state.store.defect(did).await.map_err(on("/"))?;
    let at = format!("/projects/{}/defects", d.project_id);
    let a = project_access(&state, p.id(), d.project_id, ProjectAction::Contribute).await.map_err(on(&at))?;
    let req = UpdateDefect { status: Some(form.status), ..UpdateDefect::default() };
    risks::update_defect(&state, &a, &d, form.version, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- status reports ----

#[derive(Template)]
#[template(path = "project_reports.html")]
struct ReportsPage {
    shell: Shell,
    f: Frame,
    reports: Vec<(StatusReport, &'static str)>,
}

pub async fn reports(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/reports");
    let (shell, f, _) = frame(&state, &p, id?, "reports", &at).await?;
    let reports = state
        .store
        .reports(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .map(|r| {
            let w = r.rag.overall.as_str();
            (r, w)
        })
        .collect();
    Ok(render(StatusCode::OK, &ReportsPage { shell, f, reports }))
}

pub async fn report_draft(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/reports");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let r = outlook::draft_report(&state, &a, DraftReport::default()).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("/status-reports/{}", r.id)).into_response())
}

#[derive(Template)]
#[template(path = "status_report.html")]
struct ReportPage {
    shell: Shell,
    f: Frame,
    r: StatusReport,
    dims: Vec<(&'static str, &'static str)>,
    rags: [&'static str; 3],
    draft: bool,
}

pub async fn report(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let rid = path.id().map_err(on("/"))?;
    let at = format!("/status-reports/{rid}");
    let r = state.store.report(rid).await.map_err(on(&at))?;
    let (shell, f, _) = frame(&state, &p, r.project_id, "reports", &at).await?;
    let dims = dims(&r);
    let draft = outlook::is_draft(&r);
    Ok(render(StatusCode::OK, &ReportPage { shell, f, r, dims, rags: ["green", "amber", "red"], draft }))
}

#[derive(Deserialize)]
pub struct ReportForm {
    version: i64,
    summary: Option<String>,
    schedule: Option<Rag>,
    budget: Option<Rag>,
    scope: Option<Rag>,
    quality: Option<Rag>,
    risk: Option<Rag>,
    publish: Option<String>,
}

pub async fn report_edit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ReportForm>,
) -> PageResult {
    let rid = path.id().map_err(on("/"))?;
    let at = format!("/status-reports/{rid}");
    let r = state.store.report(rid).await.map_err(on(&at))?;
    let a = project_access(&state, p.id(), r.project_id, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = UpdateReport {
        period: None,
        summary: form.summary,
        rag: Some(outlook::RagEdit {
            schedule: form.schedule,
            budget: form.budget,
            scope: form.scope,
            quality: form.quality,
            risk: form.risk,
            overall: None,
        }),
        version: Some(form.version),
    };
    let saved = outlook::update_report(&state, &a, rid, form.version, req, false).await.map_err(on(&at))?;
    if form.publish.is_some() {
        outlook::update_report(&state, &a, rid, saved.version, UpdateReport::default(), true).await.map_err(on(&at))?;
    }
    Ok(Redirect::to(&at).into_response())
}

// ---- timesheet ----

struct SheetRow {
    key: String,
    minutes: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "timesheet.html")]
struct TimesheetPage {
    shell: Shell,
    ws: Id,
    days: Vec<String>,
    rows: Vec<SheetRow>,
    totals: Vec<String>,
    total: String,
    prev: String,
    next: String,
    week: String,
    tasks: Vec<(Id, Id, String)>,
    can_log: bool,
}

fn hours(m: i64) -> String {
    if m == 0 { String::new() } else { charts::fmt_num((m as f64 / 60.0 * 100.0).round() / 100.0) }
}

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<Day>,
}

pub async fn timesheet(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceRead>,
    Query(q): Query<WeekQuery>,
) -> PageResult {
    let path = format!("/w/{}/timesheet", a.ws);
    let week = q.week.unwrap_or_else(|| Day::of(state.clock.now()));
    let sheet = delivery::timesheet(&state, a.ws, a.role, a.user_id(), None, week).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "project", "Timesheet").await.map_err(on(&path))?;
    // The tasks the caller can log on: those assigned to them.
    let mine = state.store.resource_of_user(a.ws, a.user_id()).await.map_err(on(&path))?;
    let mut tasks = Vec::new();
    if let Some(r) = &mine {
        for p in state.store.projects(a.ws, None, tandem_store::MAX_PAGE).await.map_err(on(&path))?.items {
            for t in state.store.tasks(p.id).await.map_err(on(&path))? {
                if t.assignments.iter().any(|x| x.resource_id == r.id) && !t.is_done() {
                    tasks.push((p.id, t.id, format!("{} {}", t.key, t.name)));
                }
            }
        }
    }
    let monday = sheet.days[0];
    Ok(render(
        StatusCode::OK,
        &TimesheetPage {
            shell,
            ws: a.ws,
            days: sheet.days.iter().map(|d| d.0.strftime("%a %d %b").to_string()).collect(),
            rows: sheet
                .rows
                .iter()
                .map(|r| SheetRow {
                    key: r.task_key.clone(),
                    minutes: r.minutes.iter().map(|m| hours(*m)).collect(),
                    total: hours(r.total_minutes),
                })
                .collect(),
            totals: sheet.totals.iter().map(|m| hours(*m)).collect(),
            total: hours(sheet.total_minutes),
            prev: delivery::monday_of(Day(monday.0.checked_sub(jiff::Span::new().days(7)).unwrap_or(monday.0)))
                .to_string(),
            next: Day(monday.0.checked_add(jiff::Span::new().days(7)).unwrap_or(monday.0)).to_string(),
            week: monday.to_string(),
            can_log: tandem_core::access::may_contribute(a.role),
            tasks,
        },
    ))
}

#[derive(Deserialize)]
pub struct LogForm {
    /// `project:task`.
    task: String,
    date: Day,
    hours: String,
    note: Option<String>,
}

pub async fn timesheet_log(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceRead>,
    PageForm(form): PageForm<LogForm>,
) -> PageResult {
    let path = format!("/w/{}/timesheet?week={}", a.ws, form.date);
    let bad = |m: &str| on::<crate::error::ApiError>(&path)(crate::error::ApiError::invalid("task", m.to_owned()));
    let (project, task) = form.task.split_once(':').ok_or_else(|| bad("choose a task"))?;
    let (project, task): (Id, Id) =
        (project.parse().map_err(|_| bad("choose a task"))?, task.parse().map_err(|_| bad("choose a task"))?);
    let hours: f64 = form.hours.trim().replace(',', ".").parse().map_err(|_| {
        on::<crate::error::ApiError>(&path)(crate::error::ApiError::invalid("minutes", "hours must be a number"))
    })?;
    let ip = project_access(&state, a.principal.id(), project, ProjectAction::Contribute).await.map_err(on(&path))?;
    let req = CreateTimeEntry {
        task_id: task,
        resource_id: None,
        date: form.date,
        minutes: (hours * 60.0).round() as i64,
        cost_minor: None,
        note: form.note,
    };
    delivery::create_time_entry(&state, &ip, req).await.map_err(on(&path))?;
    Ok(Redirect::to(&path).into_response())
}

// ---- change requests ----

struct CrView {
    cr: tandem_core::change::ChangeRequest,
    dims: String,
    required: String,
    can_decide: bool,
}

#[derive(Template)]
#[template(path = "project_changes.html")]
struct ChangesPage {
    shell: Shell,
    f: Frame,
    items: Vec<CrView>,
    /// For the filing form: the plan's work tasks, the product's features
    /// and releases.
    tasks: Vec<(Id, String)>,
    features: Vec<(Id, String)>,
    releases: Vec<(Id, String)>,
}

pub async fn changes(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    use tandem_core::change::CrStatus;
    let (at, id) = page(&path, "/changes");
    let (shell, f, a) = frame(&state, &p, id?, "changes", &at).await?;
    let matrix = state.store.decision_matrix(f.project.workspace_id).await.map_err(on(&at))?.matrix;
    let holds = a.holds(&state).await.map_err(on(&at))?;
    let items = state
        .store
        .change_requests(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .map(|cr| {
            let open = matches!(cr.status, CrStatus::Submitted | CrStatus::Escalated);
            let can_decide = open && tandem_app::ops::changes::say(&a, holds, &cr, &matrix).any();
            CrView {
                dims: cr.dimensions.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", "),
                required: cr.required.iter().map(|r| r.label()).collect::<Vec<_>>().join(" and "),
                can_decide,
                cr,
            }
        })
        .collect();
    let tasks = state
        .store
        .tasks(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .filter(|t| t.kind != tandem_core::project::TaskKind::Summary)
        .map(|t| (t.id, format!("{} {}", t.key, t.name)))
        .collect();
    let (mut features, mut releases) = (Vec::new(), Vec::new());
    if let Some(product) = f.project.product_id {
        features = state
            .store
            .features(product)
            .await
            .map_err(on(&at))?
            .into_iter()
            .map(|x| (x.id, format!("{} {}", x.key, x.title)))
            .collect();
        releases = state.store.releases(product).await.map_err(on(&at))?.into_iter().map(|r| (r.id, r.name)).collect();
    }
    Ok(render(StatusCode::OK, &ChangesPage { shell, f, items, tasks, features, releases }))
}

/// The request form: a title, and any of: a task to add (with its
/// duration in working days, the task it follows and the one it leads to,
/// the feature it delivers), a task's new duration, a feature to bring
/// into a release, a new budget.
#[derive(Deserialize)]
pub struct FileForm {
    title: String,
    description: Option<String>,
    add_name: Option<String>,
    add_days: Option<String>,
    add_after: Option<String>,
    add_before: Option<String>,
    add_feature: Option<String>,
    change_task: Option<String>,
    change_days: Option<String>,
    feature_id: Option<String>,
    release_id: Option<String>,
    budget: Option<String>,
    submit: Option<String>,
}

/// An optional id from a form's select (empty: none).
pub(super) fn form_id(field: &'static str, v: &Option<String>) -> Result<Option<Id>, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| ApiError::invalid(field, "is not one of the choices")),
    }
}

fn form_number(field: &'static str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
    match super::product::number(field, v)? {
        Some(x) if !(x.is_finite() && x >= 0.0) => Err(ApiError::invalid(field, "must be a number, 0 or more")),
        other => Ok(other),
    }
}

fn file_edits(form: &FileForm) -> Result<Vec<tandem_core::change::Edit>, ApiError> {
    use tandem_core::change::{Edit, TaskFields};
    let days = |x: f64| (x * 480.0).round() as i64;
    let mut edits = Vec::new();
    if let Some(name) = form.add_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        edits.push(Edit::AddTask {
            reference: Some("new".into()),
            name: name.to_owned(),
            duration_minutes: days(form_number("add_days", &form.add_days)?.unwrap_or(1.0)),
            parent_id: None,
            feature_id: form_id("add_feature", &form.add_feature)?,
            story_points: None,
        });
        let link = |predecessor: String, successor: String| Edit::AddDependency {
            predecessor,
            successor,
            kind: None,
            lag_minutes: None,
        };
        if let Some(after) = form_id("add_after", &form.add_after)? {
            edits.push(link(after.to_string(), "new".into()));
        }
        if let Some(before) = form_id("add_before", &form.add_before)? {
            edits.push(link("new".into(), before.to_string()));
        }
    }
    if let Some(task_id) = form_id("change_task", &form.change_task)? {
        let d = form_number("change_days", &form.change_days)?
            .ok_or_else(|| ApiError::invalid("change_days", "give the task's new duration"))?;
        edits.push(Edit::UpdateTask {
            task_id,
            fields: TaskFields { duration_minutes: Some(days(d)), ..TaskFields::default() },
        });
    }
    match (form_id("feature_id", &form.feature_id)?, form_id("release_id", &form.release_id)?) {
        (Some(feature_id), Some(release_id)) => edits.push(Edit::AddFeatureToRelease { feature_id, release_id }),
        (None, None) => {}
        _ => return Err(ApiError::invalid("release_id", "choose both the feature and the release")),
    }
    if let Some(b) = form_number("budget", &form.budget)? {
        edits.push(Edit::SetBudget { budget_minor: (b * 100.0).round() as i64 });
    }
    Ok(edits)
}

/// Files a change request from the page; "File and submit" also computes
/// its impact and routes it.
pub async fn change_file(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<FileForm>,
) -> PageResult {
    let (at, id) = page(&path, "/changes");
    let a = project_access(&state, p.id(), id?, ProjectAction::Contribute).await.map_err(on(&at))?;
    let edits = file_edits(&form).map_err(on(&at))?;
    let req = tandem_app::ops::changes::CreateChangeRequest { title: form.title, description: form.description, edits };
    let cr = tandem_app::ops::changes::create(&state, &a, req).await.map_err(on(&at))?;
    if form.submit.is_some() {
        tandem_app::ops::changes::submit(&state, &a, cr.id, cr.version).await.map_err(on(&at))?;
    }
    Ok(Redirect::to(&format!("{at}#cr-{}", cr.id)).into_response())
}

#[derive(Deserialize)]
pub struct DecideForm {
    outcome: String,
    rationale: String,
}

pub async fn change_decide(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<DecideForm>,
) -> PageResult {
    let cid = path.id().map_err(on("/"))?;
    let cr = state.store.change_request(cid).await.map_err(on("/"))?;
    let at = format!("/projects/{}/changes", cr.cr.project_id);
    let a = project_access(&state, p.id(), cr.cr.project_id, ProjectAction::Read).await.map_err(on(&at))?;
    let req = tandem_app::ops::changes::DecideRequest { outcome: form.outcome, rationale: form.rationale };
    tandem_app::ops::changes::decide(&state, &a, cid, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Template)]
#[template(path = "decision_log.html")]
struct DecisionLogPage {
    shell: Shell,
    ws: Id,
    entries: Vec<tandem_core::change::DecisionEntry>,
    q: LogQuery,
    kinds: Vec<&'static str>,
}

impl DecisionLogPage {
    fn val(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    /// The page about a decision's subject, where there is one.
    fn link(&self, d: &tandem_core::change::DecisionEntry) -> Option<String> {
        match d.subject_type.as_str() {
            "feature" => Some(format!("/features/{}", d.subject_id)),
            "product" => Some(format!("/products/{}", d.subject_id)),
            "project" => Some(format!("/projects/{}", d.subject_id)),
            _ => None,
        }
    }
}

/// The decision log page's filters (blank fields filter nothing).
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    kind: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<String>,
    q: Option<String>,
}

pub async fn decision_log(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceRead>,
    Query(q): Query<LogQuery>,
) -> PageResult {
    let path = format!("/w/{}/decisions", a.ws);
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let filter = tandem_store::decisions::DecisionFilter {
        kind: blank(&q.kind),
        subject_type: blank(&q.subject_type),
        subject_id: blank(&q.subject_id).and_then(|s| s.parse().ok()),
        q: blank(&q.q).map(|s| s.chars().take(200).collect()),
    };
    let entries = state.store.decisions(a.ws, &filter, 500).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "together", "Decision log").await.map_err(on(&path))?;
    let kinds = tandem_core::decision::DecisionKind::ALL.iter().map(|k| k.as_str()).collect();
    Ok(render(StatusCode::OK, &DecisionLogPage { shell, ws: a.ws, entries, q, kinds }))
}
