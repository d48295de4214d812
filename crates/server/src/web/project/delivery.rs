//! Budget and earned value, baselines, and the timesheet.

use super::*;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::model::Day;
use tandem_core::{Id, ProjectAction};

use super::{PageAllowed, PageForm, PageResult, Shell, on, render};
use crate::access::{WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self};
use tandem_app::measure::EvmView;
use tandem_app::ops::delivery::{self, CreateTimeEntry, SetBaseline};

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
    let chart = evm.as_ref().map(|e| evm_chart(&shell.human, e)).unwrap_or_default();
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

// ---- timesheet ----

struct SheetRow {
    task_id: Id,
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
    week: Day,
    /// The day the log form starts on: today within this week, else its Monday.
    log_day: Day,
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
            ws: a.ws,
            days: sheet.days.iter().map(|d| format!("{} {}", d.0.strftime("%a"), shell.human.short(d))).collect(),
            rows: sheet
                .rows
                .iter()
                .map(|r| SheetRow {
                    task_id: r.task_id,
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
            week: monday,
            log_day: {
                let today = Day::of(state.clock.now());
                let sunday = monday.0.checked_add(jiff::Span::new().days(6)).unwrap_or(monday.0);
                if today.0 >= monday.0 && today.0 <= sunday { today } else { monday }
            },
            can_log: tandem_core::access::may_contribute(a.role),
            tasks,
            shell,
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
    // Checked in hours, as typed: the minutes the entry stores are not what the person wrote.
    let in_hours = || crate::error::ApiError::invalid("hours", "must be a number of hours above 0 and at most 24");
    let hours: f64 = form.hours.trim().replace(',', ".").parse().map_err(|_| on(&path)(in_hours()))?;
    if !(hours > 0.0 && hours <= 24.0) {
        return Err(on(&path)(in_hours()));
    }
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

// ---- a baseline's variance ----

#[derive(Deserialize)]
pub struct BaselinePath {
    id: String,
    number: String,
}

#[derive(Template)]
#[template(path = "project_baseline.html")]
struct BaselinePage {
    shell: Shell,
    f: Frame,
    v: tandem_app::measure::BaselineView,
}

impl BaselinePage {
    fn days(&self, minutes: &Option<i64>) -> String {
        minutes.map_or_else(|| "—".to_owned(), |m| format!("{}{}", if m > 0 { "+" } else { "" }, days(m)))
    }
    fn late(&self, minutes: &Option<i64>) -> bool {
        minutes.is_some_and(|m| m > 0)
    }
    fn money(&self, minor: &Option<i64>) -> String {
        minor.map_or_else(|| "—".to_owned(), |m| money(m, &self.f.project.currency))
    }
}

async fn baseline_view(
    state: &AppState,
    p: &Principal,
    path: &BaselinePath,
) -> Result<(String, Shell, Frame, tandem_app::measure::BaselineView), PageError> {
    let at = format!("/projects/{}/baselines/{}", path.id, path.number);
    let id: Id = path.id.parse().map_err(|_| on(&at)(crate::error::ApiError::NotFound))?;
    let number: i64 = path.number.parse().map_err(|_| on(&at)(crate::error::ApiError::NotFound))?;
    let (shell, f, _) = frame(state, p, id, "budget", &at).await?;
    let v = delivery::baseline_variance(state, f.project.id, number).await.map_err(on(&at))?;
    Ok((at, shell, f, v))
}

/// Every task against a baseline: dates, duration and cost variance.
pub async fn baseline_page(State(state): State<AppState>, p: Principal, Path(path): Path<BaselinePath>) -> PageResult {
    let (_, shell, f, v) = baseline_view(&state, &p, &path).await?;
    Ok(render(StatusCode::OK, &BaselinePage { shell, f, v }))
}

/// The same variance as a CSV file.
pub async fn baseline_csv(State(state): State<AppState>, p: Principal, Path(path): Path<BaselinePath>) -> PageResult {
    let (at, _, f, v) = baseline_view(&state, &p, &path).await?;
    let file = tandem_app::export::variance_csv(&f.project.key, &v).map_err(on(&at))?;
    crate::respond::download(file).map_err(on(&at))
}
