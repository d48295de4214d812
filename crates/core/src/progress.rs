//! The facts about progress that every reader must agree on: when a task
//! is done, when it has started, when a date is late, and how a summary
//! rolls up its subtasks. The store (feature delivery), the application
//! (burndowns, schedules, dashboards) and the pages all ask these.

use std::collections::HashMap;

use crate::Id;
use crate::project::{BoardStatus, LocalTime, Task};

/// Whether a task's work is finished: 100 % complete, given an actual
/// finish, or moved to the done column.
pub fn is_done(percent_complete: i64, status: BoardStatus, actual_finish: Option<LocalTime>) -> bool {
    percent_complete >= 100 || status == BoardStatus::Done || actual_finish.is_some()
}

/// Whether a task's work has begun: done, some progress, an actual start,
/// or a card in progress or in review.
pub fn is_started(
    percent_complete: i64,
    status: BoardStatus,
    actual_start: Option<LocalTime>,
    actual_finish: Option<LocalTime>,
) -> bool {
    is_done(percent_complete, status, actual_finish)
        || percent_complete > 0
        || actual_start.is_some()
        || matches!(status, BoardStatus::InProgress | BoardStatus::Review)
}

/// The status a summary shows, from its subtasks' roll-up: done when they
/// all are, in progress once any work is recorded, to do before that. A
/// summary's own stored status is never shown.
pub fn summary_status(rolled_percent: i64, all_done: bool) -> BoardStatus {
    if all_done {
        BoardStatus::Done
    } else if rolled_percent > 0 {
        BoardStatus::InProgress
    } else {
        BoardStatus::Todo
    }
}

/// Whether a forecast (or scheduled) date misses the date it is due: late
/// only when strictly after it; nothing is late without a due date.
pub fn is_late<T: Ord>(forecast: T, due: Option<T>) -> bool {
    due.is_some_and(|d| forecast > d)
}

/// Work, progress, cost and completion rolled up the WBS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollUp {
    /// Work in minutes; a summary's is its subtasks'.
    pub work: Vec<i64>,
    /// Percent complete; a summary's is its subtasks' weighted by duration.
    pub percent: Vec<i64>,
    /// Cost in minor units as given (rolled up already); zero without.
    pub cost: Vec<i64>,
    /// Done; a summary is done when every subtask is.
    pub done: Vec<bool>,
    /// Whether the task has subtasks.
    pub summary: Vec<bool>,
}

/// Rolls `tasks` (in WBS order, parents first) up their outline. `costs`
/// are per task and already rolled up (as the cost measure gives them).
pub fn roll_up(tasks: &[Task], costs: Option<&[i64]>) -> RollUp {
    let index: HashMap<Id, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let parent: Vec<Option<usize>> = tasks.iter().map(|t| t.parent_id.and_then(|p| index.get(&p).copied())).collect();
    let mut summary = vec![false; tasks.len()];
    for p in parent.iter().flatten() {
        summary[*p] = true;
    }
    let leaf = |i: usize, v: i64| if summary[i] { 0 } else { v };
    let mut work: Vec<i64> = tasks.iter().enumerate().map(|(i, t)| leaf(i, t.work_minutes)).collect();
    let cost: Vec<i64> = costs.map_or_else(|| vec![0; tasks.len()], <[i64]>::to_vec);
    // Done and total duration, for the weighted progress.
    let mut done_minutes: Vec<i64> =
        tasks.iter().enumerate().map(|(i, t)| leaf(i, t.duration_minutes * t.percent_complete.clamp(0, 100))).collect();
    let mut duration: Vec<i64> = tasks.iter().enumerate().map(|(i, t)| leaf(i, t.duration_minutes)).collect();
    let mut done: Vec<bool> = tasks.iter().map(Task::is_done).collect();
    for (i, s) in summary.iter().enumerate() {
        if *s {
            done[i] = true;
        }
    }
    for i in (0..tasks.len()).rev() {
        if let Some(p) = parent[i] {
            work[p] += work[i];
            done_minutes[p] += done_minutes[i];
            duration[p] += duration[i];
            done[p] &= done[i];
        }
    }
    let percent = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if !summary[i] {
                t.percent_complete
            } else if done[i] {
                100
            } else if duration[i] > 0 {
                done_minutes[i] / duration[i]
            } else {
                0
            }
        })
        .collect();
    RollUp { work, percent, cost, done, summary }
}

#[cfg(test)]
mod tests {
    #[test]
    fn summaries_show_their_subtasks_status() {
        use super::summary_status;
        use crate::project::BoardStatus;
        assert_eq!(summary_status(100, true), BoardStatus::Done);
        assert_eq!(summary_status(40, false), BoardStatus::InProgress);
        assert_eq!(summary_status(0, false), BoardStatus::Todo);
    }

    use super::*;

    fn at(s: &str) -> LocalTime {
        s.parse().unwrap()
    }

    #[test]
    fn an_actual_finish_is_done_and_started() {
        assert!(is_done(0, BoardStatus::Todo, Some(at("2027-01-04T17:00:00"))));
        assert!(is_done(100, BoardStatus::Todo, None) && is_done(10, BoardStatus::Done, None));
        assert!(!is_done(99, BoardStatus::Review, None));
        assert!(is_started(0, BoardStatus::Todo, None, Some(at("2027-01-04T17:00:00"))));
        assert!(is_started(0, BoardStatus::Todo, Some(at("2027-01-04T08:00:00")), None));
        assert!(is_started(0, BoardStatus::Review, None, None) && is_started(5, BoardStatus::Todo, None, None));
        assert!(!is_started(0, BoardStatus::Todo, None, None));
    }

    #[test]
    fn late_only_after_a_due_date() {
        assert!(is_late(5, Some(4)) && !is_late(4, Some(4)) && !is_late(9, None::<i32>));
    }

    #[test]
    fn summaries_roll_up_and_are_done_when_every_subtask_is() {
        let phase = Task::blank(Id(1), Id(1), "Phase", 0);
        let mut a = Task::blank(Id(1), Id(2), "A", 480);
        a.parent_id = Some(Id(1));
        a.work_minutes = 480;
        a.percent_complete = 0;
        a.actual_start = Some(at("2027-01-04T08:00:00"));
        a.actual_finish = Some(at("2027-01-04T17:00:00"));
        let mut b = a.clone();
        b.id = Id(3);
        b.duration_minutes = 1440;
        b.work_minutes = 960;
        b.percent_complete = 50;
        b.actual_finish = None;
        let r = roll_up(&[phase.clone(), a.clone(), b.clone()], None);
        assert_eq!(r.summary, [true, false, false]);
        assert_eq!(r.work[0], 1440);
        assert_eq!(r.done, [false, true, false]);
        assert_eq!(r.percent[0], (1440 * 50) / 1920, "weighted by duration");
        b.status = BoardStatus::Done;
        let r = roll_up(&[phase, a, b], None);
        assert_eq!((r.done[0], r.percent[0]), (true, 100), "every subtask done: the summary is done");
    }
}
