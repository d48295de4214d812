//! Team rituals as rules over facts the callers load: what a day's
//! stand-up says of each person's work (what moved, what blocks them), the
//! sprint review's figures from who was in the sprint when, and the
//! retrospective's columns and dots.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Day, Id, Millis};
use crate::prefs::{DateOrder, date_text};
use crate::project::BoardStatus;
use crate::str_enum;

str_enum! {
    /// Why a stand-up lists something as blocking a person.
    pub enum BlockerKind {
        /// The task sits in the Blocked column.
        Blocked = "blocked",
        /// Past its planned finish and not done.
        Late = "late",
        /// On the critical path, due to have started, not started.
        CriticalNotStarted = "critical_not_started",
        /// Started or due to start while a predecessor is unfinished.
        Waiting = "waiting",
        /// The person has more work booked this week than time.
        OverAllocated = "over_allocated" => "Over-allocated",
        /// A change request waits for the person's decision.
        Question = "question",
        /// The person said so at the stand-up.
        Raised = "raised",
    }
}

str_enum! {
    /// What a blocker or a retrospective card is turned into.
    pub enum ActionKind { Risk = "risk", Task = "task", FollowUp = "follow_up" => "Follow-up" }
}

str_enum! {
    /// A retrospective's columns.
    pub enum RetroColumn { WentWell = "went_well", ToImprove = "to_improve", Ideas = "ideas" }
}

str_enum! {
    /// The product side's verdict on a sprint item at the review.
    pub enum Verdict { Accepted = "accepted", Rejected = "rejected" }
}

/// Dots each person may place in one retrospective (more than one on a
/// card is allowed, as in dot voting on a whiteboard).
pub const DOTS_PER_PERSON: i64 = 5;

/// Cards one retrospective holds.
pub const MAX_RETRO_ITEMS: i64 = 500;

/// Lines one person may add to one day's stand-up.
pub const MAX_NOTES_PER_DAY: i64 = 50;

/// Tasks listed as next for a person: the few they start soonest.
pub const NEXT_SHOWN: usize = 3;

// ---- the stand-up ----

/// One recorded change to a task within the stand-up's window, oldest
/// first: the values before and after of the fields that moved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskMove {
    pub status: Option<(BoardStatus, BoardStatus)>,
    pub percent: Option<(i64, i64)>,
}

/// What moved on one task since the last stand-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Moved {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    /// The board column before and after, when it changed.
    pub status_from: Option<BoardStatus>,
    pub status_to: Option<BoardStatus>,
    /// % complete before and after, when it changed.
    pub percent_from: Option<i64>,
    pub percent_to: Option<i64>,
    /// Minutes of time the person logged on it.
    pub logged_minutes: i64,
    /// Done within the window.
    pub finished: bool,
    /// The line as the stand-up reads it: `CKT-3 Build API: To do → In
    /// progress, 0 % → 40 %, 3 h logged`.
    pub text: String,
}

/// What a task's moves within the window add up to (the first value
/// before, the last after; a move and its undo cancel out), with the time
/// the person logged on it; `None` when nothing is left to say.
/// `done_before` and `done_after` are the task's done state at the two
/// ends of the window.
pub fn moved(
    task: (Id, &str, &str),
    moves: &[TaskMove],
    logged_minutes: i64,
    done_before: bool,
    done_after: bool,
) -> Option<Moved> {
    let status = net(moves.iter().filter_map(|m| m.status));
    let percent = net(moves.iter().filter_map(|m| m.percent));
    let finished = done_after && !done_before && !moves.is_empty();
    if status.is_none() && percent.is_none() && logged_minutes <= 0 && !finished {
        return None;
    }
    let (key, name) = (task.1, task.2);
    let mut parts = Vec::new();
    if let Some((a, b)) = status {
        parts.push(format!("{} → {}", a.label(), b.label()));
    }
    if let Some((a, b)) = percent {
        parts.push(format!("{a} % → {b} %"));
    }
    if logged_minutes > 0 {
        parts.push(format!("{} logged", hours_text(logged_minutes)));
    }
    if finished && status.is_none_or(|(_, b)| b != BoardStatus::Done) {
        parts.push("finished".to_owned());
    }
    Some(Moved {
        task_id: task.0,
        key: key.to_owned(),
        name: name.to_owned(),
        status_from: status.map(|s| s.0),
        status_to: status.map(|s| s.1),
        percent_from: percent.map(|p| p.0),
        percent_to: percent.map(|p| p.1),
        logged_minutes: logged_minutes.max(0),
        finished,
        text: format!("{key} {name}: {}", parts.join(", ")),
    })
}

/// The first value before and the last after, unless they are the same.
fn net<T: PartialEq + Copy>(mut it: impl Iterator<Item = (T, T)>) -> Option<(T, T)> {
    let first = it.next()?;
    let last = it.last().unwrap_or(first);
    (first.0 != last.1).then_some((first.0, last.1))
}

/// `3 h`, `1 h 30 min`, `45 min`: time as a timesheet shows it.
pub fn hours_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A task's state on the stand-up's day, as the schedule has it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskState {
    pub status: BoardStatus,
    pub done: bool,
    pub started: bool,
    /// Planned start and finish days on the computed schedule.
    pub start: Day,
    pub finish: Day,
    pub critical: bool,
    /// Finish-to-start predecessors not done: key and name.
    pub waiting_on: Vec<(String, String)>,
}

/// Something in a person's way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Blocker {
    pub kind: BlockerKind,
    /// The task it is about; `null` for an over-allocation or a question.
    pub task_id: Option<Id>,
    /// The task's key, or the change request's for a question.
    pub key: Option<String>,
    pub name: Option<String>,
    /// The change request awaiting a decision (questions only).
    pub change_request_id: Option<Id>,
    /// The day that makes it a blocker: the planned start or finish, or the
    /// over-allocated week's Monday.
    pub date: Option<Day>,
    /// The unfinished predecessor (waiting), or what the person said (raised).
    pub detail: Option<String>,
    /// Why, in words.
    pub reason: String,
}

impl Blocker {
    /// A blocker of a task, its reason written from the rest.
    pub fn of_task(kind: BlockerKind, task: (Id, &str, &str), date: Option<Day>, detail: Option<String>) -> Blocker {
        let mut b = Blocker {
            kind,
            task_id: Some(task.0),
            key: Some(task.1.to_owned()),
            name: Some(task.2.to_owned()),
            change_request_id: None,
            date,
            detail,
            reason: String::new(),
        };
        b.reason = b.reason_text(DateOrder::DayMonth);
        b
    }

    /// Why, in words, with dates in the reader's order.
    pub fn reason_text(&self, order: DateOrder) -> String {
        let day = |d: Option<Day>| d.map(|d| date_text(d.0, order)).unwrap_or_default();
        let detail = self.detail.as_deref().unwrap_or("");
        match self.kind {
            BlockerKind::Blocked => "in the Blocked column".to_owned(),
            BlockerKind::Late => format!("planned to finish {}, not done", day(self.date)),
            BlockerKind::CriticalNotStarted => {
                format!("critical, planned to start {}, not started", day(self.date))
            }
            BlockerKind::Waiting => format!("waiting on {detail}, not finished"),
            BlockerKind::OverAllocated => format!("over-allocated in the week of {}: {detail}", day(self.date)),
            BlockerKind::Question => {
                format!("change request {} waits for their decision", self.name.as_deref().unwrap_or(""))
            }
            BlockerKind::Raised => format!("raised at the stand-up: {detail}"),
        }
    }
}

/// What blocks a task on `day`: the Blocked column; past its planned
/// finish; critical, due to have started and not started; started or due
/// to start while a finish-to-start predecessor is unfinished. A done task
/// blocks nothing; a late task is not also listed as not started.
pub fn task_blockers(task: (Id, &str, &str), t: &TaskState, day: Day) -> Vec<Blocker> {
    let mut out = Vec::new();
    if t.done {
        return out;
    }
    if t.status == BoardStatus::Blocked {
        out.push(Blocker::of_task(BlockerKind::Blocked, task, None, None));
    }
    if t.finish < day {
        out.push(Blocker::of_task(BlockerKind::Late, task, Some(t.finish), None));
    } else if t.critical && !t.started && t.start <= day {
        out.push(Blocker::of_task(BlockerKind::CriticalNotStarted, task, Some(t.start), None));
    }
    if t.started || t.start <= day {
        for (k, n) in &t.waiting_on {
            out.push(Blocker::of_task(BlockerKind::Waiting, task, None, Some(format!("{k} {n}"))));
        }
    }
    out
}

// ---- the sprint review ----

/// A task's sprint over time: the sprint it was created in and each later
/// change of sprint, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub created_at: Millis,
    /// The sprint the task was in before its first recorded change.
    pub first: Option<Id>,
    /// When the sprint changed, and to which.
    pub moves: Vec<(Millis, Option<Id>)>,
}

impl Membership {
    /// The sprint the task was in at `t`: the last change by then, else
    /// the one it was created in (none before it existed; a change
    /// recorded earlier, as for history filled in after the fact, shows it
    /// did).
    pub fn sprint_at(&self, t: Millis) -> Option<Id> {
        match self.moves.iter().take_while(|(at, _)| *at <= t).last() {
            Some((_, s)) => *s,
            None if self.created_at > t => None,
            None => self.first,
        }
    }

    /// Whether the task entered `sprint` after `from`, up to `to`.
    pub fn entered(&self, sprint: Id, from: Millis, to: Millis) -> bool {
        let created_in = self.created_at > from && self.created_at <= to && self.first == Some(sprint);
        created_in || self.moves.iter().any(|(at, s)| *at > from && *at <= to && *s == Some(sprint))
    }
}

/// Where a sprint item ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// In the sprint at its end, and done by then.
    Completed,
    /// In the sprint at its end, not done.
    CarriedOver,
    /// Taken out of the sprint before its end.
    Removed,
}

/// A task's part in a sprint between its commitment and its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// In the sprint when it started.
    pub committed: bool,
    /// Put into the sprint after it started.
    pub added: bool,
    pub outcome: Outcome,
}

/// The task's part in `sprint`, committed at `commit` and ended at `end`
/// (who was in it when), `None` if it never was in it then. `done_at`:
/// when the task was last done, if it is; done after `done_by` is not done
/// within the sprint.
pub fn part(
    m: &Membership,
    sprint: Id,
    (commit, end): (Millis, Millis),
    done_by: Millis,
    done_at: Option<Millis>,
) -> Option<Part> {
    let committed = m.sprint_at(commit) == Some(sprint);
    let added = !committed && m.entered(sprint, commit, end);
    if !committed && !added {
        return None;
    }
    let outcome = if m.sprint_at(end) != Some(sprint) {
        Outcome::Removed
    } else if done_at.is_some_and(|d| d <= done_by) {
        Outcome::Completed
    } else {
        Outcome::CarriedOver
    };
    Some(Part { committed, added, outcome })
}

/// A count of tasks and their points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Tally {
    pub tasks: usize,
    pub points: f64,
}

impl Tally {
    pub fn add(&mut self, points: f64) {
        self.tasks += 1;
        self.points = ((self.points + points) * 100.0).round() / 100.0 + 0.0;
    }
}

/// The review's figures: what was committed, added after the start,
/// completed, carried over and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct ReviewFigures {
    pub committed: Tally,
    pub added: Tally,
    pub completed: Tally,
    pub carried_over: Tally,
    pub removed: Tally,
}

impl ReviewFigures {
    pub fn count(&mut self, p: Part, points: f64) {
        if p.committed {
            self.committed.add(points);
        }
        if p.added {
            self.added.add(points);
        }
        match p.outcome {
            Outcome::Completed => self.completed.add(points),
            Outcome::CarriedOver => self.carried_over.add(points),
            Outcome::Removed => self.removed.add(points),
        }
    }
}

str_enum! {
    /// Where a follow-up came from.
    pub enum Origin { Standup = "standup" => "Stand-up", Retro = "retro" => "Retrospective" }
}

/// A small job with an owner that is not part of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FollowUp {
    pub id: Id,
    pub project_id: Id,
    pub title: String,
    pub owner_id: Option<Id>,
    pub owner_name: Option<String>,
    pub due: Option<Day>,
    pub done: bool,
    pub done_at: Option<Millis>,
    pub origin: Origin,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A line someone added to their part of a day's stand-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StandupNote {
    pub id: Id,
    pub date: Day,
    pub user_id: Option<Id>,
    pub user_name: Option<String>,
    pub text: String,
    /// The task the line marks as blocking its writer.
    pub blocker_task_id: Option<Id>,
    pub created_at: Millis,
}

/// A blocker of a day turned into a risk, a task or a follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StandupAction {
    pub id: Id,
    pub date: Day,
    pub blocker_kind: BlockerKind,
    pub task_id: Option<Id>,
    /// Whose blocker it was.
    pub person_id: Option<Id>,
    pub made: ActionKind,
    pub made_id: Id,
    /// The risk's or task's key, or the follow-up's title.
    pub made_label: String,
    pub created_at: Millis,
}

/// A card of a retrospective.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RetroItem {
    pub id: Id,
    pub sprint_id: Id,
    pub column: RetroColumn,
    pub text: String,
    /// `null` on an anonymous card: no one is told who wrote it.
    pub author_id: Option<Id>,
    pub author_name: Option<String>,
    pub anonymous: bool,
    /// Dots on the card.
    pub votes: i64,
    /// The reader's own dots on it.
    pub my_votes: i64,
    /// What the card became: a task or a follow-up.
    pub action: Option<ActionKind>,
    pub action_id: Option<Id>,
    /// The task's key and name, or the follow-up's title (`null` once it
    /// is deleted).
    pub action_label: Option<String>,
    pub version: i64,
    pub created_at: Millis,
}

/// The product side's verdict on a sprint item.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Acceptance {
    pub task_id: Id,
    pub verdict: Verdict,
    pub note: String,
    pub user_id: Option<Id>,
    pub user_name: Option<String>,
    pub at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    const T: (Id, &str, &str) = (Id(7), "CKT-3", "Build API");

    #[test]
    fn a_task_moves_as_its_first_before_and_last_after() {
        let moves = [
            TaskMove { status: Some((BoardStatus::Todo, BoardStatus::InProgress)), percent: None },
            TaskMove { status: None, percent: Some((0, 20)) },
            TaskMove { status: None, percent: Some((20, 40)) },
        ];
        let m = moved(T, &moves, 180, false, false).unwrap();
        assert_eq!(m.text, "CKT-3 Build API: To do → In progress, 0 % → 40 %, 3 h logged");
        assert_eq!((m.status_from, m.status_to), (Some(BoardStatus::Todo), Some(BoardStatus::InProgress)));
        assert!(!m.finished);
        // A move and its undo say nothing; time alone is still said.
        let undo = [
            TaskMove { status: Some((BoardStatus::Todo, BoardStatus::InProgress)), percent: None },
            TaskMove { status: Some((BoardStatus::InProgress, BoardStatus::Todo)), percent: None },
        ];
        assert_eq!(moved(T, &undo, 0, false, false), None);
        assert_eq!(moved(T, &undo, 90, false, false).unwrap().text, "CKT-3 Build API: 1 h 30 min logged");
        // Finished by progress alone.
        let done = [TaskMove { status: None, percent: Some((60, 100)) }];
        let m = moved(T, &done, 0, false, true).unwrap();
        assert_eq!(m.text, "CKT-3 Build API: 60 % → 100 %, finished");
        assert!(m.finished);
        let col = [TaskMove { status: Some((BoardStatus::Review, BoardStatus::Done)), percent: None }];
        assert_eq!(moved(T, &col, 0, false, true).unwrap().text, "CKT-3 Build API: Review → Done");
    }

    fn state() -> TaskState {
        TaskState {
            status: BoardStatus::Todo,
            done: false,
            started: false,
            start: day("2027-01-06"),
            finish: day("2027-01-08"),
            critical: true,
            waiting_on: vec![("CKT-2".into(), "Design".into())],
        }
    }

    #[test]
    fn blockers_follow_the_plan_on_the_day() {
        let kinds = |t: &TaskState, d: &str| -> Vec<BlockerKind> {
            task_blockers(T, t, day(d)).into_iter().map(|b| b.kind).collect()
        };
        // Before its start nothing blocks it.
        assert_eq!(kinds(&state(), "2027-01-05"), []);
        assert_eq!(kinds(&state(), "2027-01-06"), [BlockerKind::CriticalNotStarted, BlockerKind::Waiting]);
        // Late, not also listed as not started.
        assert_eq!(kinds(&state(), "2027-01-11"), [BlockerKind::Late, BlockerKind::Waiting]);
        let blocked = TaskState { status: BoardStatus::Blocked, waiting_on: vec![], critical: false, ..state() };
        assert_eq!(kinds(&blocked, "2027-01-05"), [BlockerKind::Blocked]);
        let done = TaskState { done: true, ..state() };
        assert_eq!(kinds(&done, "2027-01-11"), []);
        let b = &task_blockers(T, &state(), day("2027-01-11"))[0];
        assert_eq!(b.reason, "planned to finish Fri 8 Jan 2027, not done");
        assert_eq!(task_blockers(T, &state(), day("2027-01-06"))[1].reason, "waiting on CKT-2 Design, not finished");
    }

    #[test]
    fn review_parts_follow_who_was_in_the_sprint_when() {
        let (s, other) = (Id(1), Id(2));
        let (commit, end) = (Millis(100), Millis(1_000));
        // In from the start, done: committed and completed.
        let m = Membership { created_at: Millis(10), first: Some(s), moves: vec![] };
        let p = part(&m, s, (commit, end), end, Some(Millis(500))).unwrap();
        assert_eq!((p.committed, p.added, p.outcome), (true, false, Outcome::Completed));
        // Done after the end: carried over.
        assert_eq!(part(&m, s, (commit, end), end, Some(Millis(1_001))).unwrap().outcome, Outcome::CarriedOver);
        // Moved in mid-sprint from the backlog.
        let m = Membership { created_at: Millis(10), first: None, moves: vec![(Millis(300), Some(s))] };
        let p = part(&m, s, (commit, end), end, None).unwrap();
        assert_eq!((p.committed, p.added, p.outcome), (false, true, Outcome::CarriedOver));
        // Created in the sprint mid-way.
        let m = Membership { created_at: Millis(400), first: Some(s), moves: vec![] };
        assert!(part(&m, s, (commit, end), end, None).unwrap().added);
        // Committed, then moved to another sprint: removed.
        let m = Membership { created_at: Millis(10), first: Some(s), moves: vec![(Millis(600), Some(other))] };
        assert_eq!(part(&m, s, (commit, end), end, None).unwrap().outcome, Outcome::Removed);
        // Never in it during the sprint.
        let m = Membership { created_at: Millis(10), first: Some(s), moves: vec![(Millis(50), None)] };
        assert_eq!(part(&m, s, (commit, end), end, None), None);
        let mut f = ReviewFigures::default();
        f.count(Part { committed: true, added: false, outcome: Outcome::Completed }, 3.0);
        f.count(Part { committed: false, added: true, outcome: Outcome::CarriedOver }, 2.5);
        assert_eq!((f.committed.points, f.added.points, f.completed.tasks), (3.0, 2.5, 1));
        assert_eq!(hours_text(45), "45 min");
    }
}
