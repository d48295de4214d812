//! Resources, time, baselines, earned value, utilisation and levelling:
//! the operations behind the project side's effort and cost, shared by the
//! API and the pages.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tandem_core::model::Day;
use tandem_core::project::{LocalTime, WorkCalendar};
use tandem_core::tracking::{
    BASELINES, Baseline, Resource, ResourceKind, TimeEntry, cost_of, logged_minutes, max_units, rate,
};
use tandem_core::validate::{self, Invalid};
use tandem_core::{Id, Role};
use tandem_store::resources::{NewTimeEntry, ResourceEdit, TimeFilter};
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::measure::{self, BaselineView, EvmView, UtilisationView};
use crate::plan;
use crate::schedules::{Computed, computed};

// ---- resources ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResource {
    pub name: String,
    pub user_id: Option<Id>,
    /// `work` (default), `material` or `cost`.
    #[serde(rename = "type")]
    pub kind: Option<ResourceKind>,
    /// Percent of full time (default 100).
    pub max_units: Option<i64>,
    /// Standard rate per hour in minor units (default 0).
    pub rate_minor: Option<i64>,
    /// Its own working time (default: the project's calendar).
    pub calendar: Option<WorkCalendar>,
}

fn checked_resource_calendar(c: Option<WorkCalendar>) -> Result<Option<WorkCalendar>, AppError> {
    if let Some(c) = &c {
        c.check()?;
        plan::calendar(c)?;
    }
    Ok(c)
}

pub async fn create_resource(state: &App, actor: Id, ws: Id, req: CreateResource) -> Result<Resource, AppError> {
    let e = ResourceEdit {
        name: validate::name("name", &req.name)?,
        user_id: req.user_id,
        kind: req.kind.unwrap_or(ResourceKind::Work),
        max_units: max_units(req.max_units.unwrap_or(100))?,
        rate_minor: rate(req.rate_minor.unwrap_or(0))?,
        calendar: checked_resource_calendar(req.calendar)?,
    };
    Ok(state.store.create_resource(actor, ws, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResource {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<String>)]
    pub user_id: Option<Option<Id>>,
    #[serde(rename = "type")]
    pub kind: Option<ResourceKind>,
    pub max_units: Option<i64>,
    pub rate_minor: Option<i64>,
    /// `null` puts the resource back on the project's calendar.
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<WorkCalendar>)]
    pub calendar: Option<Option<WorkCalendar>>,
    pub version: Option<i64>,
}

pub async fn update_resource(
    state: &App,
    actor: Id,
    r: Id,
    version: i64,
    req: UpdateResource,
) -> Result<Resource, AppError> {
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let units = req.max_units.map(max_units).transpose()?;
    let rate_minor = req.rate_minor.map(rate).transpose()?;
    let calendar = req.calendar.map(checked_resource_calendar).transpose()?;
    Ok(state
        .store
        .update_resource(
            actor,
            r,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.user_id {
                    e.user_id = v;
                }
                if let Some(v) = req.kind {
                    e.kind = v;
                }
                if let Some(v) = units {
                    e.max_units = v;
                }
                if let Some(v) = rate_minor {
                    e.rate_minor = v;
                }
                if let Some(v) = calendar {
                    e.calendar = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?)
}

pub fn rates(resources: &[Resource]) -> HashMap<Id, i64> {
    resources.iter().map(|r| (r.id, r.rate_minor)).collect()
}

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
    /// Minutes per day.
    pub totals: Vec<i64>,
    pub total_minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimesheetRow {
    pub task_id: Id,
    pub task_key: String,
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
            project_id: e.project_id,
            minutes: vec![0; 7],
            total_minutes: 0,
        });
        row.minutes[col] += e.minutes;
        row.total_minutes += e.minutes;
        totals[col] += e.minutes;
    }
    let total_minutes = totals.iter().sum();
    Ok(Timesheet { user_id: user, days, rows: rows.into_values().collect(), totals, total_minutes })
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

// ---- calendar ----

/// `PUT /projects/{id}/calendar`. (The calendar refuses unknown fields;
/// serde cannot do that on the flattening struct itself.)
#[derive(Debug, Deserialize, ToSchema)]
pub struct PutCalendar {
    #[serde(flatten)]
    pub calendar: WorkCalendar,
    /// The project's version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn set_calendar(
    state: &App,
    a: &InProject,
    version: i64,
    cal: WorkCalendar,
) -> Result<WorkCalendar, AppError> {
    cal.check()?;
    plan::calendar(&cal)?;
    state.store.set_project_calendar(a.user_id, a.scope.project_id, version, &cal, state.clock.now()).await?;
    Ok(cal)
}

/// `POST /projects/{id}/calendars`, `PUT /calendars/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NamedCalendar {
    pub name: String,
    #[serde(flatten)]
    pub calendar: WorkCalendar,
    /// On updates: the calendar's version; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// A calendar's name and working time, checked as the engine will use them.
pub fn checked_calendar(req: &NamedCalendar) -> Result<String, AppError> {
    req.calendar.check()?;
    plan::calendar(&req.calendar)?;
    Ok(validate::name("name", &req.name)?)
}

// ---- baselines ----

/// `POST /projects/{id}/baselines`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBaseline {
    /// 0 (the baseline) to 10; defaults to the lowest not yet set.
    pub number: Option<i64>,
    pub name: Option<String>,
}

/// A baseline without its task rows, for lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineSummary {
    pub number: i64,
    pub name: String,
    pub created_by: Id,
    pub created_at: tandem_core::Millis,
    pub tasks: usize,
}

impl From<&Baseline> for BaselineSummary {
    fn from(b: &Baseline) -> Self {
        BaselineSummary {
            number: b.number,
            name: b.name.clone(),
            created_by: b.created_by,
            created_at: b.created_at,
            tasks: b.tasks.len(),
        }
    }
}

/// Snapshots the current schedule into a baseline (replacing that number).
pub async fn set_baseline(state: &App, a: &InProject, req: SetBaseline) -> Result<BaselineSummary, AppError> {
    let existing = state.store.baselines(a.scope.project_id).await?;
    let number = match req.number {
        Some(n) if (0..BASELINES).contains(&n) => n,
        Some(_) => return Err(AppError::invalid("number", "must be from 0 to 10")),
        None => (0..BASELINES)
            .find(|n| !existing.iter().any(|b| b.number == *n))
            .ok_or_else(|| AppError::Conflict("all 11 baselines are set: name a number to replace one".into()))?,
    };
    let name = match req.name {
        Some(n) => validate::name("name", &n)?,
        None if number == 0 => "Baseline".to_owned(),
        None => format!("Baseline {number}"),
    };
    let c = computed(state, a.scope.project_id).await?;
    let rows = measure::baseline_rows(&c.plan.tasks, &c.schedule, &c.costs)?;
    let b = state.store.set_baseline(a.user_id, a.scope.project_id, number, &name, &rows, state.clock.now()).await?;
    Ok(BaselineSummary::from(&b))
}

/// A baseline with every task's variance.
pub async fn baseline_variance(state: &App, project: Id, number: i64) -> Result<BaselineView, AppError> {
    let b = state.store.baselines(project).await?.into_iter().find(|b| b.number == number).ok_or(AppError::NotFound)?;
    let c = computed(state, project).await?;
    let cal = plan::calendar(&c.plan.calendar)?;
    measure::variance(&c.plan.tasks, &c.schedule, &c.costs, &b, &cal)
}

// ---- earned value ----

/// EVM at `status` (else the project's status date, else today) against
/// baseline 0 (else the lowest set).
pub async fn evm(state: &App, project: Id, status: Option<LocalTime>) -> Result<EvmView, AppError> {
    evm_of(state, &*computed(state, project).await?, status).await
}

/// EVM of a plan already loaded and costed.
pub async fn evm_of(state: &App, c: &Computed, status: Option<LocalTime>) -> Result<EvmView, AppError> {
    let b = state
        .store
        .baselines(c.plan.project.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Conflict("earned value needs a baseline: set one first".into()))?;
    evm_against(state, c, &b, status).await
}

/// EVM against the baseline `b` (already read).
pub async fn evm_against(
    state: &App,
    c: &Computed,
    b: &tandem_core::tracking::Baseline,
    status: Option<LocalTime>,
) -> Result<EvmView, AppError> {
    let project = c.plan.project.id;
    let status = match status.or(c.plan.project.status_date) {
        Some(s) => s,
        None => {
            let today = Day::of(state.clock.now());
            LocalTime(today.0.at(17, 0, 0, 0))
        }
    };
    let f = TimeFilter { project: Some(project), ..TimeFilter::default() };
    let entries = state.store.time_entries(c.plan.project.workspace_id, &f).await?;
    let cal = plan::calendar(&c.plan.calendar)?;
    let (figures, curve) = measure::evm(&c.plan.tasks, b, &entries, status, c.plan.project.budget_minor, &cal)?;
    Ok(EvmView { status_date: status, currency: c.plan.project.currency.clone(), baseline: b.number, figures, curve })
}

// ---- utilisation and levelling ----

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UtilisationQuery {
    /// Any day of the first week (default: the project's start).
    #[param(value_type = Option<String>)]
    pub from: Option<Day>,
    /// How many weeks (default: to the project's finish, at most 156).
    pub weeks: Option<i64>,
}

pub async fn utilisation(state: &App, project: Id, q: &UtilisationQuery) -> Result<UtilisationView, AppError> {
    utilisation_of(&*computed(state, project).await?, q)
}

/// Utilisation of a plan already loaded and costed.
pub fn utilisation_of(c: &Computed, q: &UtilisationQuery) -> Result<UtilisationView, AppError> {
    let cal = plan::calendar(&c.plan.calendar)?;
    let from = match q.from {
        Some(d) => measure::day_start(d),
        None => c.schedule.project_start,
    };
    let weeks = match q.weeks {
        Some(w) if (1..=measure::MAX_WEEKS).contains(&w) => w,
        Some(_) => return Err(AppError::BadOption(format!("weeks must be from 1 to {}", measure::MAX_WEEKS))),
        None => (c.schedule.project_finish - from).max(0) / (7 * tandem_sched::DAY) + 1,
    };
    let mut own = HashMap::new();
    for r in c.resources() {
        if let Some(rc) = &r.calendar {
            own.insert(r.id, plan::calendar(rc)?);
        }
    }
    measure::utilisation(&c.plan.tasks, &c.schedule, c.resources(), &cal, &own, from, weeks)
}

/// A task levelling moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovedTask {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    /// Working minutes of delay before its start.
    pub delay_minutes: i64,
    pub start_before: LocalTime,
    pub start_after: LocalTime,
}

/// A task named in a result.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskRef {
    pub task_id: Id,
    pub key: String,
    pub name: String,
}

/// `POST /projects/{id}/level`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Levelled {
    pub moved: Vec<MovedTask>,
    /// Tasks that need more of a resource than it has at all: left where
    /// their links put them (as MS Project's "Skip All").
    pub unresolved: Vec<TaskRef>,
    pub finish_before: LocalTime,
    pub finish_after: LocalTime,
}

fn local(m: tandem_sched::Minute) -> Result<LocalTime, AppError> {
    tandem_sched::time::to_datetime(m)
        .map(LocalTime)
        .ok_or_else(|| AppError::Internal(format!("minute {m} out of range")))
}

/// Levels the plan's work resources (serial: within slack first, by
/// priority then order) from a clean slate, stores each task's delay and
/// reports what moved. `clear` only removes earlier delays.
pub async fn level(state: &App, a: &InProject, clear: bool) -> Result<Levelled, AppError> {
    let c = computed(state, a.scope.project_id).await?;
    let mut clean = c.plan.clone();
    for t in &mut clean.tasks {
        t.leveling_delay_minutes = 0;
    }
    let net = clean.network()?;
    let before = tandem_sched::schedule(&net).map_err(|e| plan::explain(e, &clean.tasks))?;
    let mut delays = vec![0i64; clean.tasks.len()];
    let mut unresolved = Vec::new();
    if !clear {
        let work: Vec<&Resource> = c.resources().iter().filter(|r| r.kind == ResourceKind::Work).collect();
        let rix: HashMap<Id, u32> = work.iter().enumerate().map(|(i, r)| (r.id, i as u32)).collect();
        let res: Vec<tandem_sched::level::Resource> =
            work.iter().map(|r| tandem_sched::level::Resource { max_units: r.max_units as f64 / 100.0 }).collect();
        let mut asg = Vec::new();
        for (i, t) in clean.tasks.iter().enumerate() {
            for x in &t.assignments {
                if let Some(&r) = rix.get(&x.resource_id) {
                    asg.push(tandem_sched::level::Assignment {
                        task: i as u32,
                        resource: r,
                        units: x.units as f64 / 100.0,
                    });
                }
            }
        }
        let prio: Vec<i64> = clean.tasks.iter().map(|t| t.priority).collect();
        let out = tandem_sched::level::level(&net, &res, &asg, &prio)
            .map_err(|e| AppError::invalid("plan", e.to_string()))?;
        for &t in &out.unresolved {
            if let Some(t) = clean.tasks.get(t as usize) {
                unresolved.push(TaskRef { task_id: t.id, key: t.key.clone(), name: t.name.clone() });
            }
        }
        delays = out.delays;
    }
    let changes: Vec<(Id, i64)> = clean
        .tasks
        .iter()
        .zip(&c.plan.tasks)
        .zip(&delays)
        .filter(|((_, old), d)| old.leveling_delay_minutes != **d)
        .map(|((t, _), d)| (t.id, *d))
        .collect();
    state.store.set_leveling_delays(a.user_id, a.scope.project_id, &changes, state.clock.now()).await?;
    for (t, d) in clean.tasks.iter_mut().zip(&delays) {
        t.leveling_delay_minutes = *d;
    }
    let after = clean.schedule()?;
    let mut moved = Vec::new();
    for (i, t) in clean.tasks.iter().enumerate() {
        if delays[i] > 0 {
            moved.push(MovedTask {
                task_id: t.id,
                key: t.key.clone(),
                name: t.name.clone(),
                delay_minutes: delays[i],
                start_before: local(before.start[i])?,
                start_after: local(after.start[i])?,
            });
        }
    }
    Ok(Levelled {
        moved,
        unresolved,
        finish_before: local(before.project_finish)?,
        finish_after: local(after.project_finish)?,
    })
}

/// Adds a calendar to the project, for tasks that name it.
pub async fn create_calendar(
    state: &App,
    a: &InProject,
    req: &NamedCalendar,
) -> Result<tandem_core::project::ProjectCalendar, AppError> {
    let name = checked_calendar(req)?;
    Ok(state
        .store
        .create_project_calendar(a.user_id, a.scope.project_id, &name, &req.calendar, state.clock.now())
        .await?)
}

/// Renames a calendar or changes its working time.
pub async fn update_calendar(
    state: &App,
    a: &InProject,
    calendar: Id,
    version: i64,
    req: &NamedCalendar,
) -> Result<tandem_core::project::ProjectCalendar, AppError> {
    let name = checked_calendar(req)?;
    Ok(state
        .store
        .update_project_calendar(a.user_id, calendar, version, &name, &req.calendar, state.clock.now())
        .await?)
}
