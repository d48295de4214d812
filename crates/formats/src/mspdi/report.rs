//! Scheduling a whole MSPDI file: the report `tandem schedule` prints and
//! the API returns for an imported file.

use serde::Serialize;
use tandem_sched::{GraphError, ScheduleError, time};

use super::{Converted, Options, read, to_network};

#[derive(Debug, Serialize)]
pub struct Report {
    pub project: ProjectDates,
    pub tasks: Vec<TaskRow>,
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
    pub start: String,
    pub finish: String,
    pub early_start: String,
    pub early_finish: String,
    pub late_start: String,
    pub late_finish: String,
    pub total_slack_minutes: i64,
    pub free_slack_minutes: i64,
    pub critical: bool,
}

/// Schedules MSPDI bytes.
pub fn schedule_report(bytes: &[u8], options: &Options) -> Result<Report, String> {
    let doc = read(bytes).map_err(|e| e.to_string())?;
    let conv = to_network(&doc, options).map_err(|e| e.to_string())?;
    let s = tandem_sched::schedule(&conv.network).map_err(|e| describe(&e, &conv))?;
    let tasks = conv
        .tasks
        .iter()
        .enumerate()
        .map(|(i, info)| TaskRow {
            uid: info.uid,
            id: info.id,
            name: info.name.clone(),
            summary: s.is_summary[i],
            milestone: conv.network.tasks[i].milestone && !s.is_summary[i],
            start: time::format(s.start[i]),
            finish: time::format(s.finish[i]),
            early_start: time::format(s.early_start[i]),
            early_finish: time::format(s.early_finish[i]),
            late_start: time::format(s.late_start[i]),
            late_finish: time::format(s.late_finish[i]),
            total_slack_minutes: s.total_slack[i],
            free_slack_minutes: s.free_slack[i],
            critical: s.critical[i],
        })
        .collect();
    Ok(Report {
        project: ProjectDates { start: time::format(s.project_start), finish: time::format(s.project_finish) },
        tasks,
    })
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
