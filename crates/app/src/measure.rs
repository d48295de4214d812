//! Measures of a scheduled plan: task costs, baseline snapshots and
//! variances, earned value at a status date with its S-curve, and weekly
//! resource utilisation. Pure functions over loaded records and the
//! engine's schedule; working time is counted on the project's calendar.

use std::collections::HashMap;

use serde::Serialize;
use tandem_core::Id;
use tandem_core::metrics::{Evm, TaskValue, evm_of_tasks};
use tandem_core::model::Day;
use tandem_core::project::{LocalTime, Task};
use tandem_core::tracking::{Baseline, BaselineTask, Resource, ResourceKind, TimeEntry};
use tandem_sched::time::{DAY, day_of, from_datetime, weekday};
use tandem_sched::{Calendar, Minute, Schedule};
use utoipa::ToSchema;

use crate::error::AppError;

use crate::plan::{local, minute};

/// The first minute of a day.
pub fn day_start(d: Day) -> Minute {
    from_datetime(d.0.to_datetime(jiff::civil::Time::midnight()))
}

fn day_of_minute(m: Minute) -> Result<Day, AppError> {
    Ok(Day(local(day_of(m) * DAY)?.0.date()))
}

/// Each task's cost: its fixed cost plus its assignments' work at their
/// resources' rates. A summary's cost is the sum of its subtasks'.
/// `tasks` in WBS order (parents before children).
pub fn task_costs(tasks: &[Task], rates: &HashMap<Id, i64>) -> Vec<i64> {
    let mut cost: Vec<i64> = tasks
        .iter()
        .map(|t| {
            let work: i64 = t
                .assignments
                .iter()
                .map(|a| {
                    tandem_core::tracking::cost_of(
                        t.duration_minutes * a.units / 100,
                        rates.get(&a.resource_id).copied().unwrap_or(0),
                    )
                })
                .sum();
            t.fixed_cost_minor + work
        })
        .collect();
    let index: HashMap<Id, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    // Children come after parents: add each task into its parent, deepest first.
    for i in (0..tasks.len()).rev() {
        if let Some(p) = tasks[i].parent_id.and_then(|p| index.get(&p).copied()) {
            cost[p] += cost[i];
        }
    }
    cost
}

/// Whether task `i` has subtasks.
fn summaries(tasks: &[Task]) -> Vec<bool> {
    let index: HashMap<Id, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut out = vec![false; tasks.len()];
    for t in tasks {
        if let Some(&p) = t.parent_id.as_ref().and_then(|p| index.get(p)) {
            out[p] = true;
        }
    }
    out
}

/// The rows a new baseline stores: every task's scheduled dates, duration,
/// work, cost and points now.
pub fn baseline_rows(tasks: &[Task], s: &Schedule, costs: &[i64]) -> Result<Vec<BaselineTask>, AppError> {
    tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Ok(BaselineTask {
                task_id: t.id,
                start: local(s.start[i])?,
                finish: local(s.finish[i])?,
                duration_minutes: t.duration_minutes,
                work_minutes: t.work_minutes,
                cost_minor: costs[i],
                story_points: t.story_points,
            })
        })
        .collect()
}

/// A task's current values against a baseline: current minus baseline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskVariance {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub baseline_start: Option<LocalTime>,
    pub baseline_finish: Option<LocalTime>,
    pub start: LocalTime,
    pub finish: LocalTime,
    /// Working minutes; positive is later than the baseline.
    pub start_variance_minutes: Option<i64>,
    pub finish_variance_minutes: Option<i64>,
    pub duration_variance_minutes: Option<i64>,
    pub cost_variance_minor: Option<i64>,
}

/// `GET /projects/{id}/baselines/{number}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineView {
    pub number: i64,
    pub name: String,
    pub created_at: tandem_core::Millis,
    /// Tasks added since the baseline have no baseline values.
    pub tasks: Vec<TaskVariance>,
}

pub fn variance(
    tasks: &[Task],
    s: &Schedule,
    costs: &[i64],
    b: &Baseline,
    cal: &Calendar,
) -> Result<BaselineView, AppError> {
    let by_task: HashMap<Id, &BaselineTask> = b.tasks.iter().map(|r| (r.task_id, r)).collect();
    let rows = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let base = by_task.get(&t.id);
            Ok(TaskVariance {
                task_id: t.id,
                key: t.key.clone(),
                name: t.name.clone(),
                baseline_start: base.map(|r| r.start),
                baseline_finish: base.map(|r| r.finish),
                start: local(s.start[i])?,
                finish: local(s.finish[i])?,
                start_variance_minutes: base.map(|r| cal.between(minute(r.start), s.start[i])),
                finish_variance_minutes: base.map(|r| cal.between(minute(r.finish), s.finish[i])),
                duration_variance_minutes: base.map(|r| t.duration_minutes - r.duration_minutes),
                cost_variance_minor: base.map(|r| costs[i] - r.cost_minor),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(BaselineView { number: b.number, name: b.name.clone(), created_at: b.created_at, tasks: rows })
}

/// One point of the EVM S-curve: cumulative values at the end of `date`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvmPoint {
    pub date: Day,
    pub pv: i64,
    /// Up to the status date only: time-entry cost so far (fixed costs
    /// are added at the status date).
    pub ac: Option<i64>,
    /// At the status date only: earned value is measured, not recorded.
    pub ev: Option<i64>,
}

/// `GET /projects/{id}/evm`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvmView {
    pub status_date: LocalTime,
    pub currency: String,
    /// The baseline the plan is measured against.
    pub baseline: i64,
    /// What the baseline's tasks cost in all (the top of the PV curve).
    /// BAC is the project's budget when one is set, so the difference is
    /// budget not yet given to any task.
    pub baseline_cost: i64,
    #[serde(flatten)]
    #[schema(inline)]
    pub figures: EvmFigures,
    /// Weekly points from the baseline's start to its finish (or the
    /// status date when later).
    pub curve: Vec<EvmPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvmFigures {
    pub bac: i64,
    pub pv: i64,
    pub ev: i64,
    pub ac: i64,
    pub cv: i64,
    pub sv: i64,
    pub cpi: Option<f64>,
    pub spi: Option<f64>,
    pub eac: Option<i64>,
    pub etc: Option<i64>,
    pub vac: Option<i64>,
    pub tcpi: Option<f64>,
}

impl From<Evm> for EvmFigures {
    fn from(e: Evm) -> Self {
        EvmFigures {
            bac: e.bac,
            pv: e.pv,
            ev: e.ev,
            ac: e.ac,
            cv: e.cv,
            sv: e.sv,
            cpi: e.cpi,
            spi: e.spi,
            eac: e.eac,
            etc: e.etc,
            vac: e.vac,
            tcpi: e.tcpi,
        }
    }
}

/// The share of a baseline span worked by `at`, in working time.
fn planned_fraction(r: &BaselineTask, at: Minute, cal: &Calendar) -> f64 {
    let (s, f) = (minute(r.start), minute(r.finish));
    if at >= f {
        return 1.0;
    }
    if at <= s {
        return 0.0;
    }
    let whole = cal.between(s, f);
    if whole <= 0 { 1.0 } else { cal.between(s, at) as f64 / whole as f64 }
}

/// Earned value at `status` against baseline `b`: PV from the baseline's
/// costs spread over its dates in working time, EV from each task's
/// baseline cost × % complete, AC from time entries up to the status date
/// plus fixed costs in proportion to progress. Only tasks without subtasks
/// count (summaries would count their children twice). BAC is the project's
/// budget when set, else the baseline's total cost.
pub fn evm(
    tasks: &[Task],
    b: &Baseline,
    entries: &[TimeEntry],
    status: LocalTime,
    (budget_minor, currency): (i64, &str),
    cal: &Calendar,
) -> Result<EvmView, AppError> {
    let is_summary = summaries(tasks);
    let at = minute(status);
    let status_day = Day(status.0.date());
    let by_task: HashMap<Id, &BaselineTask> = b.tasks.iter().map(|r| (r.task_id, r)).collect();
    let mut entry_cost: HashMap<Id, i64> = HashMap::new();
    for e in entries.iter().filter(|e| e.date <= status_day) {
        *entry_cost.entry(e.task_id).or_default() += e.cost_minor;
    }
    let mut values = Vec::new();
    let mut leaves: Vec<&BaselineTask> = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        if is_summary[i] {
            continue;
        }
        let fixed_incurred = t.fixed_cost_minor * t.percent_complete.clamp(0, 100) / 100;
        let actual_cost = entry_cost.get(&t.id).copied().unwrap_or(0) + fixed_incurred;
        match by_task.get(&t.id) {
            Some(r) => {
                leaves.push(r);
                values.push(TaskValue {
                    budget: r.cost_minor,
                    percent_complete: t.percent_complete as f64,
                    planned_fraction: planned_fraction(r, at, cal),
                    actual_cost,
                });
            }
            // Work added after the baseline has no budget, but its cost is real.
            None => values.push(TaskValue { budget: 0, percent_complete: 0.0, planned_fraction: 0.0, actual_cost }),
        }
    }
    let figures = evm_of_tasks(&values, (budget_minor > 0).then_some(budget_minor));
    // The curve: weekly, ending each week on Sunday, from the baseline's start.
    let first = leaves.iter().map(|r| minute(r.start)).min().unwrap_or(at);
    let last = leaves.iter().map(|r| minute(r.finish)).max().unwrap_or(at).max(at);
    let mut curve = Vec::new();
    let mut d = day_of(first) + (6 - weekday(day_of(first)) as i64);
    let mut entry_days: Vec<(Day, i64)> = entries.iter().map(|e| (e.date, e.cost_minor)).collect();
    entry_days.sort_by_key(|e| e.0);
    let cost_until = |day: Day| -> i64 { entry_days.iter().take_while(|e| e.0 <= day).map(|e| e.1).sum() };
    let mut guard = 0;
    while guard < 1100 {
        guard += 1;
        let end = (d + 1) * DAY;
        let pv: f64 = leaves.iter().map(|r| r.cost_minor as f64 * planned_fraction(r, end, cal)).sum();
        let date = day_of_minute(d * DAY)?;
        let past = end <= at;
        curve.push(EvmPoint { date, pv: pv.round() as i64, ac: past.then(|| cost_until(date)), ev: None });
        if end > last {
            break;
        }
        d += 7;
    }
    let pv_now: f64 = leaves.iter().map(|r| r.cost_minor as f64 * planned_fraction(r, at, cal)).sum();
    curve.push(EvmPoint { date: status_day, pv: pv_now.round() as i64, ac: Some(figures.ac), ev: Some(figures.ev) });
    curve.sort_by_key(|p| p.date);
    Ok(EvmView {
        status_date: status,
        currency: currency.to_owned(),
        baseline: b.number,
        baseline_cost: leaves.iter().map(|r| r.cost_minor).sum(),
        figures: figures.into(),
        curve,
    })
}

/// One resource in one week.
#[derive(Debug, Serialize, ToSchema)]
pub struct UtilisationCell {
    /// The Monday the week starts on.
    pub week: Day,
    /// Working minutes of assigned work in the week.
    pub assigned_minutes: i64,
    /// Working minutes the resource has in the week (calendar × max units).
    pub available_minutes: i64,
    /// assigned ÷ available; `null` when nothing is available.
    pub utilisation: Option<f64>,
    pub over_allocated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceUtilisation {
    pub resource_id: Id,
    pub name: String,
    pub max_units: i64,
    pub weeks: Vec<UtilisationCell>,
    /// Whether any week is over-allocated.
    pub over_allocated: bool,
}

/// `GET /projects/{id}/utilization`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UtilisationView {
    pub weeks: Vec<Day>,
    pub resources: Vec<ResourceUtilisation>,
}

/// The most weeks one utilisation view spans.
pub const MAX_WEEKS: i64 = 156;

/// Weekly utilisation of the work resources assigned in the plan, over
/// `weeks` weeks from the Monday on or before `from`: each task's
/// assignment spreads its work evenly over the task's working time, counted
/// on the resource's calendar (`own`, else the project's `cal`).
pub fn utilisation(
    tasks: &[Task],
    s: &Schedule,
    resources: &[Resource],
    cal: &Calendar,
    own: &HashMap<Id, Calendar>,
    from: Minute,
    weeks: i64,
) -> Result<UtilisationView, AppError> {
    let monday = day_of(from) - weekday(day_of(from)) as i64;
    let weeks = weeks.clamp(1, MAX_WEEKS);
    let week_days: Vec<Day> = (0..weeks).map(|w| day_of_minute((monday + 7 * w) * DAY)).collect::<Result<_, _>>()?;
    let is_summary = summaries(tasks);
    let used: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Work)
        .filter(|r| tasks.iter().any(|t| t.assignments.iter().any(|a| a.resource_id == r.id)))
        .collect();
    let mut out = Vec::with_capacity(used.len());
    for r in used {
        let cal = own.get(&r.id).unwrap_or(cal);
        let mut cells = Vec::with_capacity(weeks as usize);
        for (w, day) in week_days.iter().enumerate() {
            let (ws, we) = ((monday + 7 * w as i64) * DAY, (monday + 7 * (w as i64 + 1)) * DAY);
            let available = cal.between(ws, we) * r.max_units / 100;
            let mut assigned = 0i64;
            for (i, t) in tasks.iter().enumerate() {
                if is_summary[i] {
                    continue;
                }
                for a in t.assignments.iter().filter(|a| a.resource_id == r.id) {
                    let (a0, a1) = (s.start[i].max(ws), s.finish[i].min(we));
                    if a1 > a0 {
                        assigned += cal.between(a0, a1) * a.units / 100;
                    }
                }
            }
            let u = (available > 0).then(|| assigned as f64 / available as f64);
            cells.push(UtilisationCell {
                week: *day,
                assigned_minutes: assigned,
                available_minutes: available,
                utilisation: u.map(|x| (x * 1000.0).round() / 1000.0),
                over_allocated: assigned > available,
            });
        }
        let over = cells.iter().any(|c| c.over_allocated);
        out.push(ResourceUtilisation {
            resource_id: r.id,
            name: r.name.clone(),
            max_units: r.max_units,
            weeks: cells,
            over_allocated: over,
        });
    }
    Ok(UtilisationView { weeks: week_days, resources: out })
}
