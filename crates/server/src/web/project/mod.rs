//! The project manager's pages: projects, dashboard, task list (WBS),
//! Gantt, board, sprints, resources, budget and EVM, risks, Monte Carlo,
//! defects, status reports and the timesheet. Each page resolves its
//! project through the same guard as the API and shows edit controls only
//! to those who may use them; forms call the same operations as the API.

pub mod agile;
pub mod changes;
pub mod delivery;
pub mod import;
pub mod outlook;
pub mod resources;
pub mod retro;
pub mod review;
pub mod risks;
pub mod sheet;
pub mod standup;
pub mod task;
pub mod task_links;
pub mod tasks;
pub mod timesheet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::project::Project;
use tandem_core::{Action, Id, ProjectAction, allows};

use super::{PageAllowed, PageError, PageForm, PageResult, Shell, on, render};
use crate::access::{InProject, ProjectCreate, WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self, Series};
use tandem_app::measure::EvmView;
use tandem_app::ops::project::{self as ops, CreateProject};

/// Money for people: `1 234.56 EUR`.
pub fn money(minor: i64, currency: &str) -> String {
    tandem_core::money::money_text(minor, currency)
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

impl Frame {
    pub fn tabs(&self) -> &'static [super::nav::Tab] {
        super::nav::PROJECT_TABS
    }
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
        "budget" => "Budget and EVM",
        "reports" => "Status reports",
        "changes" => "Change requests",
        _ => super::nav::label(super::nav::PROJECT_TABS, tab),
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

pub(crate) fn opt_id(s: Option<&str>) -> Option<Id> {
    s.filter(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

pub(crate) fn evm_chart(h: &crate::web::human::Human, e: &EvmView) -> String {
    let labels: Vec<String> = e.curve.iter().map(|p| h.short(p.date)).collect();
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
        // The budget as a level line: PV tops out below it when part of the
        // budget is not yet given to any task.
        Series {
            name: "BAC (budget)",
            colour: "#6b7280",
            values: e.curve.iter().map(|_| Some(e.figures.bac as f64 / 100.0)).collect(),
            dashed: true,
        },
    ];
    charts::multi_line("EVM S-curve", &labels, &series, &e.currency)
}

/// A duration or lag typed in a form (`3`, `3d`, `4h`, `2w`, `-1d` for a
/// lead), as working minutes; empty is none. Read by the same parser as the
/// task sheet; the operations check the range each field allows.
pub(super) fn form_days(field: &'static str, v: Option<&str>) -> Result<Option<i64>, tandem_app::AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(tandem_core::plan_text::parse_lag(field, s)?)),
    }
}

/// An amount typed in a form (`310,000`, `1 250.50`, `€85`) in minor
/// units; empty is none. One reader for every money field.
pub(super) fn form_money(field: &'static str, v: Option<&str>) -> Result<Option<i64>, tandem_app::AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(tandem_core::money::parse_money(field, s)?)),
    }
}

/// The project's product's features as a form offers them: id and
/// "KEY-n Title". None without a product.
pub(super) async fn feature_choices(state: &AppState, product: Option<Id>) -> Result<Vec<(Id, String)>, ApiError> {
    let Some(product) = product else { return Ok(Vec::new()) };
    let all = state.store.features(product).await?;
    Ok(all.into_iter().map(|x| (x.id, format!("{} {}", x.key, x.title))).collect())
}

pub(crate) fn form_id(field: &'static str, v: &Option<String>) -> Result<Option<Id>, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| ApiError::invalid(field, "is not one of the choices")),
    }
}
