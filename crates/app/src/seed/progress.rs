//! The demo project's progress up to the status date, as the plan said,
//! with the time logged for it day by day.

use tandem_core::agile::Sprint;
use tandem_core::model::Day;
use tandem_core::project::BoardStatus;
use tandem_core::tracking::Resource;
use tandem_core::{Id, Role};

use super::project::{days_from, state_at};
use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::ops::delivery::{self, CreateTimeEntry};
use crate::ops::project::{self as ops, UpdateTask};

/// Progress and time on the demo plan `a`, worked by `people` (the project
/// manager `pm` logs for those without an account) from `start` to the
/// `status` date; stories go into sprints `s1` (finished) and `s2` (active).
pub(super) async fn progress(
    state: &App,
    a: &InProject,
    (people, pm): (&[Resource], Id),
    (start, status): (Day, Day),
    (s1, s2): (&Sprint, &Sprint),
) -> Result<(), AppError> {
    // Progress up to the status date, as the plan said, with one slip:
    // the tokenisation vault took three days longer than planned.
    let plan = ops::load_plan(state, a.scope.project_id).await?;
    let sched = plan.schedule()?;
    let cal = crate::plan::calendar(&plan.calendar)?;
    let status_at = tandem_sched::time::from_datetime(status.0.at(17, 0, 0, 0));
    let day_of = |m: tandem_sched::Minute| -> Option<Day> { tandem_sched::time::to_datetime(m).map(|d| Day(d.date())) };
    let slipped = |t: &tandem_core::project::Task| t.name == "Card tokenisation vault";
    // The weekdays each task was worked on by the status date, and by whom.
    let worked = |i: usize, t: &tandem_core::project::Task| -> Option<(Id, Vec<Day>)> {
        let asg = t.assignments.first()?;
        let (s, f) = (sched.start[i], sched.finish[i]);
        if sched.is_summary[i] || s >= status_at {
            return None;
        }
        let worked_to = if slipped(t) { cal.add(f, 3 * 480).unwrap_or(f) } else { f };
        let mut d = day_of(s).unwrap_or(start);
        let last = day_of(worked_to.min(status_at)).unwrap_or(status);
        let mut days = Vec::new();
        while d <= last {
            if d.0.weekday().to_monday_zero_offset() < 5 {
                days.push(d);
            }
            d = days_from(d, 1);
        }
        Some((asg.resource_id, days))
    };
    // A person's day adds up to a working day however many tasks share it.
    let mut sharing: std::collections::HashMap<(Id, Day), i64> = std::collections::HashMap::new();
    for (i, t) in plan.tasks.iter().enumerate() {
        if let Some((r, days)) = worked(i, t) {
            for d in days {
                *sharing.entry((r, d)).or_default() += 1;
            }
        }
    }
    for (i, t) in plan.tasks.iter().enumerate() {
        if sched.is_summary[i] {
            continue;
        }
        let (s, f) = (sched.start[i], sched.finish[i]);
        // Stories not done by the status date are this sprint's; those
        // finished in the last fortnight were the previous sprint's.
        let s1_from = tandem_sched::time::from_datetime(s1.start.0.at(0, 0, 0, 0));
        let sprint = if t.story_points.is_none() {
            None
        } else if f > status_at {
            Some(s2.id)
        } else if f >= s1_from {
            Some(s1.id)
        } else {
            None
        };
        // Planned into its sprint the Friday before the sprint starts.
        if let Some(sp) = sprint {
            let start = if sp == s1.id { s1.start } else { s2.start };
            let cur = state.store.task(t.id).await?;
            let req = UpdateTask { sprint_id: Some(sprint), ..UpdateTask::default() };
            ops::update_task(&state_at(state, days_from(start, -3), 10), a, t.id, cur.version, req).await?;
        }
        if s >= status_at {
            continue;
        }
        let whole = cal.between(s, f).max(1);
        let done = cal.between(s, f.min(status_at));
        let pct = if f <= status_at { 100 } else { ((done * 10 / whole) * 10).clamp(10, 90) };
        let when = if f <= status_at { day_of(f).unwrap_or(status) } else { status };
        let at = state_at(state, when, 17);
        let cur = state.store.task(t.id).await?;
        let slip = slipped(t);
        let req = UpdateTask {
            percent_complete: Some(if slip { 100 } else { pct }),
            duration_minutes: slip.then_some(t.duration_minutes + 3 * 480),
            status: Some(if pct >= 100 || slip { BoardStatus::Done } else { BoardStatus::InProgress }),
            ..UpdateTask::default()
        };
        ops::update_task(&at, a, t.id, cur.version, req).await?;
        // Time logged day by day by whoever did the work.
        if let Some((resource, days)) = worked(i, t) {
            let r = people.iter().find(|p| p.id == resource);
            let logger = r.and_then(|r| r.user_id).unwrap_or(pm);
            let worker = InProject {
                user_id: logger,
                role: if logger == pm { Role::ProjectManager } else { Role::Contributor },
                ..*a
            };
            for d in days {
                let day = if d.0.day() % 7 == 0 { 420 } else { 480 };
                let shared = sharing.get(&(resource, d)).copied().unwrap_or(1).max(1);
                let e = CreateTimeEntry {
                    task_id: t.id,
                    resource_id: Some(resource),
                    date: d,
                    // In quarter hours, as people log.
                    minutes: (day / shared / 15).max(1) * 15,
                    cost_minor: None,
                    note: None,
                };
                delivery::create_time_entry(&state_at(state, d, 18), &worker, e).await?;
            }
        }
    }
    Ok(())
}
