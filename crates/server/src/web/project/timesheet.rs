//! The timesheet: a person's week across every project, time logged from
//! the page, and each entry corrected or removed where it is listed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::model::Day;
use tandem_core::tracking::TimeEntry;
use tandem_core::{Id, ProjectAction};

use super::{PageAllowed, PageForm, PageResult, Shell, on, render};
use crate::access::{WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts;
use tandem_app::ops::delivery::{self, CreateTimeEntry, UpdateTimeEntry};

struct SheetRow {
    task_id: Id,
    label: String,
    minutes: Vec<String>,
    total: String,
}

/// One entry as the list below the grid shows it.
struct EntryRow {
    e: TimeEntry,
    day: String,
    hours: String,
}

#[derive(Template)]
#[template(path = "timesheet.html")]
struct TimesheetPage {
    shell: Shell,
    ws: Id,
    days: Vec<String>,
    rows: Vec<SheetRow>,
    entries: Vec<EntryRow>,
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

/// Minutes as hours to two places; blank for none.
pub(crate) fn hours(m: i64) -> String {
    if m == 0 { String::new() } else { charts::fmt_num((m as f64 / 60.0 * 100.0).round() / 100.0) }
}

/// Hours as typed (`1.5`, `1,5`), checked in hours: the minutes an entry
/// stores are not what the person wrote.
fn typed_hours(typed: &str) -> Result<i64, ApiError> {
    let in_hours = || ApiError::invalid("hours", "must be a number of hours above 0 and at most 24");
    let h = tandem_core::numbers::parse_decimal("hours", typed).map_err(|_| in_hours())?;
    if !(h > 0.0 && h <= 24.0) {
        return Err(in_hours());
    }
    Ok((h * 60.0).round() as i64)
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
    let weekday = |d: &Day| format!("{} {}", d.0.strftime("%a"), shell.human.short(d));
    Ok(render(
        StatusCode::OK,
        &TimesheetPage {
            ws: a.ws,
            days: sheet.days.iter().map(weekday).collect(),
            rows: sheet
                .rows
                .iter()
                .map(|r| SheetRow {
                    task_id: r.task_id,
                    label: format!("{} {}", r.task_key, r.task_name),
                    minutes: r.minutes.iter().map(|m| hours(*m)).collect(),
                    total: hours(r.total_minutes),
                })
                .collect(),
            entries: sheet
                .entries
                .into_iter()
                .map(|e| EntryRow { day: weekday(&e.date), hours: hours(e.minutes), e })
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
    let bad = || on::<ApiError>(&path)(ApiError::invalid("task", "choose a task"));
    let (project, task) = form.task.split_once(':').ok_or_else(bad)?;
    let (project, task): (Id, Id) = (project.parse().map_err(|_| bad())?, task.parse().map_err(|_| bad())?);
    let minutes = typed_hours(&form.hours).map_err(on(&path))?;
    let ip = project_access(&state, a.principal.id(), project, ProjectAction::Contribute).await.map_err(on(&path))?;
    let req = CreateTimeEntry {
        task_id: task,
        resource_id: None,
        date: form.date,
        minutes,
        cost_minor: None,
        note: form.note,
    };
    delivery::create_time_entry(&state, &ip, req).await.map_err(on(&path))?;
    Ok(Redirect::to(&path).into_response())
}

#[derive(Deserialize)]
pub struct EntryForm {
    version: i64,
    hours: String,
    note: Option<String>,
}

/// An entry, the caller's rights on its project, and the timesheet week it
/// belongs to (to return to).
async fn entry_in_week(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
) -> Result<(TimeEntry, crate::access::InProject, String), super::PageError> {
    let e = state.store.time_entry(path.id().map_err(on("/"))?).await.map_err(on("/"))?;
    let a = project_access(state, p.id(), e.project_id, ProjectAction::Contribute).await.map_err(on("/"))?;
    let back = format!("/w/{}/timesheet?week={}", a.scope.workspace_id, e.date);
    Ok((e, a, back))
}

/// Corrects an entry's hours or note (its author or the project's manager).
pub async fn entry_edit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<EntryForm>,
) -> PageResult {
    let (e, a, back) = entry_in_week(&state, &p, &path).await?;
    let minutes = typed_hours(&form.hours).map_err(on(&back))?;
    let req = UpdateTimeEntry {
        minutes: Some(minutes).filter(|m| *m != e.minutes),
        note: form.note.filter(|n| *n != e.note),
        ..UpdateTimeEntry::default()
    };
    delivery::update_time_entry(&state, &a, &e, form.version, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}

/// Removes an entry (its author or the project's manager).
pub async fn entry_delete(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (e, a, back) = entry_in_week(&state, &p, &path).await?;
    delivery::delete_time_entry(&state, &a, &e).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}
