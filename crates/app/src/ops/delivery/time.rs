//! Time entries, timesheets and time reports.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tandem_core::model::Day;
use tandem_core::tracking::{TimeEntry, cost_of, logged_minutes};
use tandem_core::validate::{self, Invalid};
use tandem_core::{Id, Role};
use tandem_store::resources::{NewTimeEntry, TimeFilter};
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::access::InProject;
use crate::error::AppError;

// ---- time entries ----

/// `POST /projects/{id}/time-entries`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTimeEntry {
    pub task_id: Id,
    /// Defaults to the caller's own resource, when they have one.
    pub resource_id: Option<Id>,
    pub date: Day,
    pub minutes: i64,
    /// Computed from the resource's rate when omitted.
    pub cost_minor: Option<i64>,
    pub note: Option<String>,
}

fn cost(v: i64) -> Result<i64, Invalid> {
    if (0..=1_000_000_000).contains(&v) { Ok(v) } else { Err(Invalid::new("cost_minor", "must be from 0 to 10^9")) }
}

/// Logs time. Contributors log for themselves only: the resource, when
/// named, must be their own; managers log for anyone.
pub async fn create_time_entry(state: &App, a: &InProject, req: CreateTimeEntry) -> Result<TimeEntry, AppError> {
    let minutes = logged_minutes(req.minutes)?;
    let ws = a.scope.workspace_id;
    let own = state.store.resource_of_user(ws, a.user_id).await?;
    let resource = match req.resource_id {
        Some(r) => {
            let res = state
                .store
                .resource(r)
                .await
                .map_err(|_| AppError::invalid("resource_id", "is not a resource of this workspace"))?;
            if res.workspace_id != ws {
                return Err(AppError::invalid("resource_id", "is not a resource of this workspace"));
            }
            if !a.manages() && res.user_id != Some(a.user_id) {
                return Err(AppError::Forbidden);
            }
            Some(res)
        }
        None => own,
    };
    let cost_minor = match req.cost_minor {
        Some(c) => cost(c)?,
        None => cost_of(minutes, resource.as_ref().map_or(0, |r| r.rate_minor)),
    };
    let e = NewTimeEntry {
        task_id: req.task_id,
        resource_id: resource.map(|r| r.id),
        user_id: a.user_id,
        date: req.date,
        minutes,
        cost_minor,
        note: validate::long_text("note", req.note.as_deref().unwrap_or(""))?,
    };
    Ok(state.store.create_time_entry(a.scope.project_id, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTimeEntry {
    pub date: Option<Day>,
    pub minutes: Option<i64>,
    pub cost_minor: Option<i64>,
    pub note: Option<String>,
    pub version: Option<i64>,
}

/// Edits an entry: its author or the project's manager. New minutes
/// reprice the entry at its resource's rate unless a cost is given.
pub async fn update_time_entry(
    state: &App,
    a: &InProject,
    entry: &TimeEntry,
    version: i64,
    req: UpdateTimeEntry,
) -> Result<TimeEntry, AppError> {
    if entry.user_id != a.user_id && !a.manages() {
        return Err(AppError::Forbidden);
    }
    let minutes = req.minutes.map(logged_minutes).transpose()?;
    let given = req.cost_minor.map(cost).transpose()?;
    let rate_minor = match entry.resource_id {
        Some(r) => state.store.resource(r).await?.rate_minor,
        None => 0,
    };
    let note = req.note.map(|n| validate::long_text("note", &n)).transpose()?;
    Ok(state
        .store
        .update_time_entry(
            a.user_id,
            entry.id,
            version,
            |e| {
                if let Some(d) = req.date {
                    e.date = d;
                }
                if let Some(m) = minutes {
                    e.minutes = m;
                    e.cost_minor = cost_of(m, rate_minor);
                }
                if let Some(c) = given {
                    e.cost_minor = c;
                }
                if let Some(n) = note {
                    e.note = n;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?)
}

pub async fn delete_time_entry(state: &App, a: &InProject, entry: &TimeEntry) -> Result<(), AppError> {
    if entry.user_id != a.user_id && !a.manages() {
        return Err(AppError::Forbidden);
    }
    Ok(state.store.delete_time_entry(a.user_id, entry.id, state.clock.now()).await?)
}

/// `?from=&to=&user_id=` on time listings and reports (days inclusive).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimeQuery {
    #[param(value_type = Option<String>)]
    pub from: Option<Day>,
    #[param(value_type = Option<String>)]
    pub to: Option<Day>,
    #[param(value_type = Option<String>)]
    pub user_id: Option<Id>,
    /// Reports: `person` (default), `task` or `project`.
    pub group: Option<String>,
}

/// A week of one person's time: a row per task, a column per day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Timesheet {
    pub user_id: Id,
    /// Monday to Sunday.
    pub days: Vec<Day>,
    pub rows: Vec<TimesheetRow>,
    /// The week's entries one by one (by day), to correct or remove.
    pub entries: Vec<TimeEntry>,
    /// Minutes per day.
    pub totals: Vec<i64>,
    pub total_minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimesheetRow {
    pub task_id: Id,
    pub task_key: String,
    pub task_name: String,
    pub project_id: Id,
    pub minutes: Vec<i64>,
    pub total_minutes: i64,
}

/// The Monday of the week `d` falls in.
pub fn monday_of(d: Day) -> Day {
    let back = i64::from(d.0.weekday().to_monday_zero_offset());
    Day(d.0.checked_sub(jiff::Span::new().days(back)).unwrap_or(d.0))
}

fn add_days(d: Day, n: i64) -> Day {
    Day(d.0.checked_add(jiff::Span::new().days(n)).unwrap_or(d.0))
}

/// One person's week across the workspace's projects. Members see their
/// own; admins and project managers anyone's.
pub async fn timesheet(
    state: &App,
    ws: Id,
    role: Role,
    caller: Id,
    user: Option<Id>,
    week: Day,
) -> Result<Timesheet, AppError> {
    let user = user.unwrap_or(caller);
    if !tandem_core::access::may_see_timesheet(role, user == caller) {
        return Err(AppError::Forbidden);
    }
    let monday = monday_of(week);
    let days: Vec<Day> = (0..7).map(|i| add_days(monday, i)).collect();
    let f = TimeFilter { project: None, user: Some(user), from: Some(monday), to: Some(days[6]) };
    let entries = state.store.time_entries(ws, &f).await?;
    let mut rows: BTreeMap<(String, Id), TimesheetRow> = BTreeMap::new();
    let mut totals = vec![0i64; 7];
    for e in &entries {
        let col = days.iter().position(|d| *d == e.date).unwrap_or(0);
        let row = rows.entry((e.task_key.clone(), e.task_id)).or_insert_with(|| TimesheetRow {
            task_id: e.task_id,
            task_key: e.task_key.clone(),
            task_name: e.task_name.clone(),
            project_id: e.project_id,
            minutes: vec![0; 7],
            total_minutes: 0,
        });
        row.minutes[col] += e.minutes;
        row.total_minutes += e.minutes;
        totals[col] += e.minutes;
    }
    let total_minutes = totals.iter().sum();
    Ok(Timesheet { user_id: user, days, rows: rows.into_values().collect(), entries, totals, total_minutes })
}

/// One line of a time report.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeReportRow {
    /// The person's user id, the task's id or the project's id.
    pub id: Id,
    /// E-mail, task key or project key.
    pub label: String,
    pub minutes: i64,
    pub cost_minor: i64,
    pub entries: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeReport {
    pub group: String,
    pub rows: Vec<TimeReportRow>,
    pub total_minutes: i64,
    pub total_cost_minor: i64,
}

/// Time summed by person, task or project.
pub async fn time_report(state: &App, ws: Id, project: Option<Id>, q: &TimeQuery) -> Result<TimeReport, AppError> {
    let group = q.group.as_deref().unwrap_or("person");
    if !matches!(group, "person" | "task" | "project") {
        return Err(AppError::BadOption("group must be person, task or project".into()));
    }
    let f = TimeFilter { project, user: q.user_id, from: q.from, to: q.to };
    let entries = state.store.time_entries(ws, &f).await?;
    let mut members: HashMap<Id, String> = HashMap::new();
    for e in &entries {
        if let std::collections::hash_map::Entry::Vacant(v) = members.entry(e.user_id) {
            v.insert(state.store.user(e.user_id).await?.email);
        }
    }
    let mut keys: HashMap<Id, String> = HashMap::new();
    let mut rows: BTreeMap<String, TimeReportRow> = BTreeMap::new();
    for e in &entries {
        let (id, label) = match group {
            "person" => (e.user_id, members.get(&e.user_id).cloned().unwrap_or_else(|| e.user_id.to_string())),
            "task" => (e.task_id, e.task_key.clone()),
            _ => {
                let key = match keys.get(&e.project_id) {
                    Some(k) => k.clone(),
                    None => {
                        let k = state.store.project(e.project_id).await?.key;
                        keys.insert(e.project_id, k.clone());
                        k
                    }
                };
                (e.project_id, key)
            }
        };
        let row =
            rows.entry(label.clone()).or_insert(TimeReportRow { id, label, minutes: 0, cost_minor: 0, entries: 0 });
        row.minutes += e.minutes;
        row.cost_minor += e.cost_minor;
        row.entries += 1;
    }
    let rows: Vec<TimeReportRow> = rows.into_values().collect();
    Ok(TimeReport {
        group: group.to_owned(),
        total_minutes: rows.iter().map(|r| r.minutes).sum(),
        total_cost_minor: rows.iter().map(|r| r.cost_minor).sum(),
        rows,
    })
}
