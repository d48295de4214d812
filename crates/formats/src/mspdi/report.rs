//! Scheduling a whole MSPDI file: the report `tandem schedule` prints and
//! the API returns for an imported file.

use serde::Serialize;
use tandem_sched::{GraphError, Minute, ScheduleError, time};

use super::{Converted, Document, Options, read, to_network};

#[derive(Debug, Serialize)]
pub struct Report {
    pub project: ProjectDates,
    pub tasks: Vec<TaskRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarloReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leveling: Option<LevelingReport>,
}

/// What resource levelling moved.
#[derive(Debug, Serialize)]
pub struct LevelingReport {
    pub finish_before: String,
    pub finish_after: String,
    pub moved: Vec<MovedTask>,
    /// UIDs of tasks that need more of a resource than it has at all:
    /// left where their links put them.
    pub unresolved: Vec<i64>,
}

#[derive(Debug, Serialize)]
pub struct MovedTask {
    pub uid: i64,
    /// Working minutes of delay added before the task's start.
    pub delay_minutes: i64,
}

/// The finish-date distribution of a Monte Carlo run.
#[derive(Debug, Serialize)]
pub struct MonteCarloReport {
    pub iterations: u32,
    pub seed: u64,
    pub distribution: &'static str,
    /// Tasks that had a three-point estimate (the others kept their duration).
    pub estimated_tasks: usize,
    pub p10: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub mean: String,
    pub histogram: Vec<HistogramBin>,
    pub criticality: Vec<TaskCriticality>,
}

#[derive(Debug, Serialize)]
pub struct HistogramBin {
    pub from: String,
    pub to: String,
    pub count: u32,
}

#[derive(Debug, Serialize)]
pub struct TaskCriticality {
    pub uid: i64,
    /// Share of iterations in which the task was critical (0–1).
    pub criticality: f64,
}

/// A Monte Carlo run to add to the report.
pub struct MonteCarloRequest<'a> {
    pub options: tandem_sched::montecarlo::Options,
    pub progress: &'a (dyn Fn(u64) + Sync),
}

#[derive(Debug, Serialize)]
pub struct ProjectDates {
    pub start: String,
    pub finish: String,
}

#[derive(Debug, Serialize)]
pub struct TaskRow {
    pub uid: i64,
    pub id: i64,
    pub name: String,
    pub summary: bool,
    pub milestone: bool,
    pub start: Stamp,
    pub finish: Stamp,
    pub early_start: Stamp,
    pub early_finish: Stamp,
    pub late_start: Stamp,
    pub late_finish: Stamp,
    pub total_slack_minutes: i64,
    pub free_slack_minutes: i64,
    pub critical: bool,
}

/// An instant that reads and serializes as `2026-03-02T08:00:00`: kept as
/// a number, so a million-task report holds no date strings and writes
/// each straight into its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub Minute);

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match time::stamp(self.0) {
            Some(b) => f.write_str(std::str::from_utf8(&b).map_err(|_| std::fmt::Error)?),
            None => f.write_str(&time::format(self.0)),
        }
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match time::stamp(self.0) {
            Some(b) => s.serialize_str(std::str::from_utf8(&b).map_err(serde::ser::Error::custom)?),
            None => s.serialize_str(&time::format(self.0)),
        }
    }
}

impl PartialEq<str> for Stamp {
    fn eq(&self, other: &str) -> bool {
        match time::stamp(self.0) {
            Some(b) => b == other.as_bytes(),
            None => time::format(self.0) == other,
        }
    }
}

impl PartialEq<&str> for Stamp {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl PartialEq<String> for Stamp {
    fn eq(&self, other: &String) -> bool {
        self == other.as_str()
    }
}

/// Schedules MSPDI bytes.
pub fn schedule_report(bytes: &[u8], options: &Options) -> Result<Report, String> {
    schedule_report_with(bytes, options, None)
}

/// Schedules MSPDI bytes and, when asked, runs Monte Carlo on them.
pub fn schedule_report_with(
    bytes: &[u8],
    options: &Options,
    monte_carlo: Option<&MonteCarloRequest<'_>>,
) -> Result<Report, String> {
    let doc = read(bytes).map_err(|e| e.to_string())?;
    schedule_document(doc, options, monte_carlo)
}

/// Schedules a document read already; it is dropped once converted, so
/// that a large file's records do not stay in memory beside the report.
pub fn schedule_document(
    doc: Document,
    options: &Options,
    monte_carlo: Option<&MonteCarloRequest<'_>>,
) -> Result<Report, String> {
    let mut conv = to_network(&doc, options).map_err(|e| e.to_string())?;
    // Freeing a large file's records takes a while: another thread does
    // it while this one schedules.
    rayon::spawn(move || drop(doc));
    let leveling = if options.level {
        let l = tandem_sched::level::level(&conv.network, &conv.resources, &conv.assignments, &conv.priorities)
            .map_err(|e| match e {
                tandem_sched::level::LevelError::Schedule(s) => describe(&s, &conv),
                other => other.to_string(),
            })?;
        let uid = |t: u32| conv.tasks[t as usize].uid;
        conv.network = tandem_sched::level::apply(&conv.network, &l.delays);
        Some(LevelingReport {
            finish_before: time::format(l.finish_before),
            finish_after: time::format(l.finish_after),
            moved: l.moved.iter().map(|&(t, d)| MovedTask { uid: uid(t), delay_minutes: d }).collect(),
            unresolved: l.unresolved.iter().map(|&t| uid(t)).collect(),
        })
    } else {
        None
    };
    let s = tandem_sched::schedule(&conv.network).map_err(|e| describe(&e, &conv))?;
    let tasks = conv
        .tasks
        .iter_mut()
        .enumerate()
        .map(|(i, info)| TaskRow {
            uid: info.uid,
            id: info.id,
            // Moved: nothing below reads the names.
            name: std::mem::take(&mut info.name),
            summary: s.is_summary[i],
            milestone: conv.network.tasks[i].milestone && !s.is_summary[i],
            start: Stamp(s.start[i]),
            finish: Stamp(s.finish[i]),
            early_start: Stamp(s.early_start[i]),
            early_finish: Stamp(s.early_finish[i]),
            late_start: Stamp(s.late_start[i]),
            late_finish: Stamp(s.late_finish[i]),
            total_slack_minutes: s.total_slack[i],
            free_slack_minutes: s.free_slack[i],
            critical: s.critical[i],
        })
        .collect();
    let monte_carlo = match monte_carlo {
        None => None,
        Some(req) => {
            let o = tandem_sched::montecarlo::simulate(&conv.network, &conv.estimates, &req.options, req.progress)
                .map_err(|e| e.to_string())?;
            Some(MonteCarloReport {
                iterations: o.iterations,
                seed: req.options.seed,
                distribution: match req.options.distribution {
                    tandem_sched::montecarlo::Distribution::Triangular => "triangular",
                    tandem_sched::montecarlo::Distribution::Pert => "pert",
                },
                estimated_tasks: conv.estimates.iter().filter(|e| e.is_some()).count(),
                p10: time::format(o.p10),
                p50: time::format(o.p50),
                p80: time::format(o.p80),
                p90: time::format(o.p90),
                mean: time::format(o.mean),
                histogram: o
                    .histogram
                    .iter()
                    .map(|b| HistogramBin { from: time::format(b.from), to: time::format(b.to), count: b.count })
                    .collect(),
                criticality: conv
                    .tasks
                    .iter()
                    .zip(&o.criticality)
                    .map(|(t, &c)| TaskCriticality { uid: t.uid, criticality: c })
                    .collect(),
            })
        }
    };
    let project = ProjectDates { start: time::format(s.project_start), finish: time::format(s.project_finish) };
    rayon::spawn(move || drop((conv, s)));
    Ok(Report { project, tasks, monte_carlo, leveling })
}

/// An engine error in the file's terms (UIDs, not indices).
fn describe(e: &ScheduleError, conv: &Converted) -> String {
    let uid = |i: u32| conv.tasks.get(i as usize).map_or(-1, |t| t.uid);
    match e {
        ScheduleError::Graph(GraphError::Cycle(tasks)) => {
            let path: Vec<String> = tasks.iter().map(|&i| uid(i).to_string()).collect();
            format!("dependency cycle between task UIDs {}", path.join(" -> "))
        }
        ScheduleError::Graph(GraphError::SelfLink(t)) => format!("task UID {} is its own predecessor", uid(*t)),
        ScheduleError::BadCalendar(t) => format!("task UID {} has no usable calendar", uid(*t)),
        other => other.to_string(),
    }
}
