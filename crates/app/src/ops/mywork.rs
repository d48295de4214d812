//! One person's work in a workspace: the tasks they are assigned to (by a
//! resource that is them), by when they are due on the computed schedule;
//! the change requests waiting for their call; their unread notifications;
//! their timesheet for the week.

use serde::Serialize;
use tandem_core::change::CrStatus;
use tandem_core::model::{Day, Notification};
use tandem_core::project::BoardStatus;
use tandem_core::project::LocalTime;
use tandem_core::{Id, Role};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::ops::delivery::{Timesheet, monday_of, timesheet};
use crate::{App, schedules, zone};

/// A task of theirs, as the schedule has it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyTask {
    pub id: Id,
    pub key: String,
    pub name: String,
    pub project_id: Id,
    pub project_name: String,
    /// Planned start and finish on the computed schedule.
    pub start: LocalTime,
    pub finish: LocalTime,
    pub status: BoardStatus,
    pub percent_complete: i64,
    pub critical: bool,
}

/// A change request that waits for the person's call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwaitingCall {
    pub change_request_id: Id,
    pub project_id: Id,
    pub key: String,
    pub title: String,
    pub status: CrStatus,
    /// Working days the request moves the finish by, once its impact is known.
    pub finish_delta_working_days: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyWork {
    /// Today in the workspace's time zone; the week runs Monday to Sunday.
    pub today: Day,
    /// Not done, and planned to finish before today.
    pub overdue: Vec<MyTask>,
    /// Not done, planned to finish from today to Sunday.
    pub due_this_week: Vec<MyTask>,
    /// Started, due later.
    pub in_progress: Vec<MyTask>,
    /// Not started, due later.
    pub next: Vec<MyTask>,
    pub decisions: Vec<AwaitingCall>,
    /// Open follow-ups they own (from stand-ups and retrospectives), by due
    /// date.
    pub follow_ups: Vec<tandem_core::rituals::FollowUp>,
    /// The newest unread notifications (20 at most) and how many there are.
    pub unread: Vec<Notification>,
    pub unread_count: i64,
    pub timesheet: Timesheet,
}

/// How many of the newest unread notifications are listed.
const UNREAD_SHOWN: i64 = 20;

/// `user`'s work in workspace `ws`, where they are a member with `role`.
pub async fn my_work(state: &App, ws: Id, role: Role, user: Id) -> Result<MyWork, AppError> {
    let workspace = state.store.workspace(ws).await?;
    let today = zone::day_of(state.clock.now(), &zone::of(&workspace.time_zone));
    let sunday = Day(monday_of(today).0.checked_add(jiff::Span::new().days(6)).unwrap_or(today.0));
    let me: Vec<Id> =
        state.store.resources(ws).await?.into_iter().filter(|r| r.user_id == Some(user)).map(|r| r.id).collect();
    let matrix = state.store.decision_matrix(ws).await?.matrix;
    let (mut overdue, mut due_this_week, mut in_progress, mut next) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut decisions = Vec::new();
    for project in state.store.projects(ws, None, tandem_store::MAX_PAGE).await?.items {
        if !me.is_empty() {
            let c = schedules::computed(state, project.id).await?;
            for (t, row) in c.plan.tasks.iter().zip(&c.view.tasks) {
                if row.summary || row.done || !t.assignments.iter().any(|a| me.contains(&a.resource_id)) {
                    continue;
                }
                let task = MyTask {
                    id: t.id,
                    key: row.key.clone(),
                    name: row.name.clone(),
                    project_id: project.id,
                    project_name: project.name.clone(),
                    start: row.start,
                    finish: row.finish,
                    status: t.status,
                    percent_complete: row.percent_complete,
                    critical: row.critical,
                };
                let due = Day(row.finish.0.date());
                let started = tandem_core::progress::is_started(t.percent_complete, t.status, t.actual_start, None);
                if due < today {
                    overdue.push(task);
                } else if due <= sunday {
                    due_this_week.push(task);
                } else if started {
                    in_progress.push(task);
                } else {
                    next.push(task);
                }
            }
        }
        for cr in crate::ops::changes::awaiting_call(state, user, project.id, &matrix).await? {
            decisions.push(AwaitingCall {
                change_request_id: cr.id,
                project_id: project.id,
                key: cr.key.clone(),
                title: cr.title.clone(),
                status: cr.status,
                finish_delta_working_days: cr.impact.as_ref().map(|i| i.finish_delta_working_days),
            });
        }
    }
    for list in [&mut overdue, &mut due_this_week, &mut in_progress, &mut next] {
        list.sort_by(|a, b| (a.finish, &a.key).cmp(&(b.finish, &b.key)));
    }
    let unread = state.store.notifications(user, true, None, UNREAD_SHOWN).await?.items;
    let unread_count = state.store.unread_notifications(user).await?;
    let timesheet = timesheet(state, ws, role, user, None, today).await?;
    let follow_ups = state.store.follow_ups_owned(ws, user).await?;
    Ok(MyWork {
        today,
        overdue,
        due_this_week,
        in_progress,
        next,
        decisions,
        follow_ups,
        unread,
        unread_count,
        timesheet,
    })
}
