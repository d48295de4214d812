//! The input of a schedule: tasks, links, calendars, as compact arrays.

use crate::calendar::Calendar;
use crate::time::Minute;

/// A task's index in [`Network::tasks`].
pub type TaskIx = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkType {
    FinishToStart,
    StartToStart,
    FinishToFinish,
    StartToFinish,
}

impl LinkType {
    pub fn code(self) -> &'static str {
        match self {
            LinkType::FinishToStart => "FS",
            LinkType::StartToStart => "SS",
            LinkType::FinishToFinish => "FF",
            LinkType::StartToFinish => "SF",
        }
    }
    /// Whether the link reads the predecessor's finish (else its start).
    pub fn from_finish(self) -> bool {
        matches!(self, LinkType::FinishToStart | LinkType::FinishToFinish)
    }
    /// Whether the link bounds the successor's finish (else its start).
    pub fn to_finish(self) -> bool {
        matches!(self, LinkType::FinishToFinish | LinkType::StartToFinish)
    }
}

/// A link's lag (negative: a lead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lag {
    /// Working minutes on the successor's calendar.
    Working(i64),
    /// Calendar minutes, nights and weekends included.
    Elapsed(i64),
    /// Hundredths of a percent of the predecessor's duration (5000 = 50 %).
    Percent(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub pred: TaskIx,
    pub succ: TaskIx,
    pub kind: LinkType,
    pub lag: Lag,
}

/// MS Project's eight constraint types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Constraint {
    #[default]
    AsSoonAsPossible,
    AsLateAsPossible,
    MustStartOn(Minute),
    MustFinishOn(Minute),
    StartNoEarlierThan(Minute),
    StartNoLaterThan(Minute),
    FinishNoEarlierThan(Minute),
    FinishNoLaterThan(Minute),
}

impl Constraint {
    /// Must start/finish on and start/finish no later than: the
    /// constraints links can conflict with.
    pub fn is_hard(&self) -> bool {
        matches!(
            self,
            Constraint::MustStartOn(_)
                | Constraint::MustFinishOn(_)
                | Constraint::StartNoLaterThan(_)
                | Constraint::FinishNoLaterThan(_)
        )
    }
}

/// What has happened on a task so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub actual_start: Option<Minute>,
    pub actual_finish: Option<Minute>,
    /// Working minutes still to do, when known.
    pub remaining: Option<i64>,
    /// Where the remaining work resumes after a stop.
    pub resume: Option<Minute>,
    /// Where the work done so far stopped (before `resume` when the task
    /// is split there).
    pub stop: Option<Minute>,
    /// Working minutes done so far (MS Project's actual duration), when
    /// known. Without it, the work done is the working time from the
    /// actual start to the stop; with it, a split inside the work done
    /// does not count as work.
    pub done: Option<i64>,
}

impl Progress {
    /// For a task stopped and resumed later: where its remaining work
    /// resumes and how much is left (working minutes of `cal`). In MS
    /// Project the duration is always the work done plus the work left, so
    /// the work left follows from the work done rather than from a stated
    /// remaining duration (files keep stale ones, or seconds rounded
    /// away). The work done is the actual duration when it is less than
    /// the working time from the actual start to the stop (a split inside
    /// the work done is not work), else that working time.
    pub fn left_after_resume(&self, cal: &crate::Calendar, duration: i64) -> Option<(Minute, i64)> {
        let (a, r) = (self.actual_start?, self.resume?);
        if r <= a {
            return None;
        }
        let stop = self.stop.filter(|&s| s >= a && s <= r).unwrap_or(r);
        let span = cal.between(a, stop);
        let done = self.done.filter(|&w| (0..span).contains(&w)).unwrap_or(span);
        Some((r, (duration - done).max(0)))
    }

    pub fn started(&self) -> bool {
        self.actual_start.is_some()
    }
    pub fn done(&self) -> bool {
        self.actual_finish.is_some()
    }
}

/// A task kept at the dates it has instead of scheduled: manually
/// scheduled, or inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Manual {
    pub start: Minute,
    pub finish: Minute,
    pub kind: ManualKind,
}

/// Why a task keeps its dates, which decides whether it can be critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ManualKind {
    /// Manually scheduled with a duration or dates the user gave: it has
    /// slack like any task and is critical when that slack is within the
    /// limit, linked or not (MS Project's Critical field knows no
    /// exception for manual tasks).
    #[default]
    Dated,
    /// Manually scheduled with its duration still blank or words ("TBD"):
    /// MS Project draws no bar for it, and it holds its place without
    /// ever being critical.
    Placeholder,
    /// Inactive: kept out of the schedule, never critical.
    Inactive,
}

impl Manual {
    /// A manually scheduled task at the dates the user typed.
    pub fn dated(start: Minute, finish: Minute) -> Manual {
        Manual { start, finish, kind: ManualKind::Dated }
    }

    /// Whether the task can be on the critical path.
    pub fn can_be_critical(&self) -> bool {
        self.kind == ManualKind::Dated
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Working minutes.
    pub duration: i64,
    pub milestone: bool,
    /// The summary task this one belongs to.
    pub parent: Option<TaskIx>,
    /// Index into [`Network::calendars`]: the calendar the task is worked on.
    pub calendar: u32,
    /// The calendar total slack is counted in, when not `calendar`: MS
    /// Project counts it in the task's own calendar even when resources'
    /// calendars decide the dates.
    pub slack_calendar: Option<u32>,
    pub constraint: Constraint,
    pub deadline: Option<Minute>,
    pub progress: Progress,
    /// Kept where the user put it rather than scheduled.
    pub manual: Option<Manual>,
    /// Delay added before the start by levelling.
    pub leveling_delay: Lag,
    /// A lower bound on the start from outside the network, such as a
    /// predecessor in another project.
    pub external_start: Option<Minute>,
}

impl Task {
    pub fn new(duration: i64) -> Task {
        Task {
            duration,
            milestone: duration == 0,
            parent: None,
            calendar: 0,
            slack_calendar: None,
            constraint: Constraint::AsSoonAsPossible,
            deadline: None,
            progress: Progress::default(),
            manual: None,
            leveling_delay: Lag::Elapsed(0),
            external_start: None,
        }
    }
}

/// Everything a schedule is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub tasks: Vec<Task>,
    pub links: Vec<Link>,
    pub calendars: Vec<Calendar>,
    /// The project's start: no task starts before it.
    pub start: Minute,
    /// With a status date, work not yet done is scheduled after it.
    pub status_date: Option<Minute>,
    /// A project scheduled from its finish: the backward pass starts at
    /// this date instead of the latest early finish.
    pub finish: Option<Minute>,
    /// A task is critical when its total slack is at most this.
    pub critical_slack_limit: i64,
    /// Whether tasks always honour their constraint dates (MS Project's
    /// default). Without it, links win where they conflict with a
    /// must-start/finish-on or start/finish-no-later-than date: the task
    /// follows its predecessors and the constraint shows as negative slack.
    pub honor_constraints: bool,
    /// MS Project's "calculate multiple critical paths": a task whose
    /// chain has no successors finishes late at its own early finish, not
    /// the project's, so every such path ends critical.
    pub multiple_critical_paths: bool,
}

impl Network {
    /// An empty network on the Standard calendar.
    pub fn new(start: Minute) -> Network {
        Network {
            tasks: Vec::new(),
            links: Vec::new(),
            calendars: vec![Calendar::standard()],
            start,
            status_date: None,
            finish: None,
            critical_slack_limit: 0,
            honor_constraints: true,
            multiple_critical_paths: false,
        }
    }

    /// Adds a task and returns its index.
    pub fn add(&mut self, task: Task) -> TaskIx {
        self.tasks.push(task);
        (self.tasks.len() - 1) as TaskIx
    }

    pub fn link(&mut self, pred: TaskIx, succ: TaskIx, kind: LinkType, lag: Lag) {
        self.links.push(Link { pred, succ, kind, lag });
    }
}
