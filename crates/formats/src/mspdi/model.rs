//! The parts of an MSPDI document that Tandem reads and writes. Times are
//! engine minutes; durations are minutes; absent elements are `None` (or
//! their MSPDI default).

use tandem_sched::Minute;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub project: ProjectInfo,
    pub calendars: Vec<CalendarDef>,
    /// Boxed: a large file's tasks are read in pieces on several threads
    /// and joined, which then moves pointers rather than the records.
    #[allow(clippy::vec_box)]
    pub tasks: Vec<Box<TaskDef>>,
    pub resources: Vec<ResourceDef>,
    pub assignments: Vec<AssignmentDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectInfo {
    pub name: Option<String>,
    pub title: Option<String>,
    pub schedule_from_start: bool,
    pub start: Option<Minute>,
    pub finish: Option<Minute>,
    pub status_date: Option<Minute>,
    pub current_date: Option<Minute>,
    pub calendar_uid: Option<i64>,
    pub minutes_per_day: i64,
    pub minutes_per_week: i64,
    pub days_per_month: i64,
    pub default_start_time: Option<i64>,
    pub default_finish_time: Option<i64>,
    /// Critical slack limit in days (MSPDI `CriticalSlackLimit`).
    pub critical_slack_limit_days: i64,
    pub honor_constraints: Option<bool>,
    /// Calculate multiple critical paths: a task without successors is
    /// critical at its own finish rather than the project's.
    pub multiple_critical_paths: Option<bool>,
    pub currency_code: Option<String>,
}

impl Default for ProjectInfo {
    fn default() -> Self {
        ProjectInfo {
            name: None,
            title: None,
            schedule_from_start: true,
            start: None,
            finish: None,
            status_date: None,
            current_date: None,
            calendar_uid: None,
            minutes_per_day: 480,
            minutes_per_week: 2400,
            days_per_month: 20,
            default_start_time: None,
            default_finish_time: None,
            critical_slack_limit_days: 0,
            honor_constraints: None,
            multiple_critical_paths: None,
            currency_code: None,
        }
    }
}

/// The ExtendedAttribute field ids of MS Project's PERT estimates:
/// Duration1 (optimistic), Duration2 (expected), Duration3 (pessimistic).
pub const PERT_FIELDS: [i64; 3] = [188_743_783, 188_743_784, 188_743_785];

/// Working periods in minutes after midnight.
pub type Periods = Vec<(u16, u16)>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekDayDef {
    /// 1 = Sunday … 7 = Saturday; 0 = an exception (older files).
    pub day_type: u8,
    pub working: bool,
    pub times: Periods,
    /// For day type 0: the dates it covers.
    pub period: Option<(Minute, Minute)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExceptionDef {
    pub name: Option<String>,
    pub from: Option<Minute>,
    pub to: Option<Minute>,
    pub working: bool,
    pub times: Periods,
    /// 1 daily, 2 yearly by day, 3 yearly by position, 4 monthly by day,
    /// 5 monthly by position, 6 weekly, 7 by count, 8 by weekday count.
    pub kind: Option<u8>,
    pub occurrences: Option<i64>,
    pub period: Option<i64>,
    /// Bit 0 Sunday … bit 6 Saturday.
    pub days_of_week: Option<u8>,
    pub month: Option<u8>,
    pub month_day: Option<u8>,
    pub month_position: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkWeekDef {
    pub name: Option<String>,
    pub from: Option<Minute>,
    pub to: Option<Minute>,
    pub week_days: Vec<WeekDayDef>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarDef {
    pub uid: i64,
    pub name: Option<String>,
    pub is_base: bool,
    pub base_uid: Option<i64>,
    pub week_days: Vec<WeekDayDef>,
    pub exceptions: Vec<ExceptionDef>,
    pub work_weeks: Vec<WorkWeekDef>,
}

/// MSPDI link types: 0 FF, 1 FS, 2 SF, 3 SS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkDef {
    pub predecessor_uid: i64,
    pub kind: u8,
    pub cross_project: bool,
    /// Tenths of a minute (or tenths of a percent for percentage lags).
    pub lag: i64,
    pub lag_format: u8,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselineDef {
    pub number: i64,
    pub start: Option<Minute>,
    pub finish: Option<Minute>,
    pub duration: Option<i64>,
    pub work: Option<i64>,
    /// Cost in the file's currency units, as written.
    pub cost: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDef {
    pub uid: i64,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub is_null: bool,
    pub active: bool,
    pub manual: bool,
    pub kind: Option<u8>,
    /// When the task was created (CreateDate).
    pub created: Option<Minute>,
    pub outline_level: Option<i64>,
    pub outline_number: Option<String>,
    pub wbs: Option<String>,
    pub priority: Option<i64>,
    pub start: Option<Minute>,
    pub finish: Option<Minute>,
    pub duration: Option<i64>,
    pub duration_format: Option<u8>,
    pub work: Option<i64>,
    pub milestone: bool,
    pub summary: bool,
    pub critical: Option<bool>,
    pub early_start: Option<Minute>,
    pub early_finish: Option<Minute>,
    pub late_start: Option<Minute>,
    pub late_finish: Option<Minute>,
    /// Tenths of a minute, as written.
    pub total_slack: Option<i64>,
    pub free_slack: Option<i64>,
    pub constraint_type: u8,
    pub constraint_date: Option<Minute>,
    pub deadline: Option<Minute>,
    pub calendar_uid: Option<i64>,
    /// Tenths of a minute.
    pub leveling_delay: Option<i64>,
    pub leveling_delay_format: Option<u8>,
    pub actual_start: Option<Minute>,
    pub actual_finish: Option<Minute>,
    pub actual_duration: Option<i64>,
    pub remaining_duration: Option<i64>,
    pub percent_complete: Option<i64>,
    pub stop: Option<Minute>,
    pub resume: Option<Minute>,
    pub manual_start: Option<Minute>,
    pub manual_finish: Option<Minute>,
    pub manual_duration: Option<i64>,
    /// What a manually scheduled task shows instead of a start, finish or
    /// duration the user left blank or typed as words ("TBD"). MS Project
    /// writes these only for such fields.
    pub start_text: Option<String>,
    pub finish_text: Option<String>,
    pub duration_text: Option<String>,
    pub ignore_resource_calendar: bool,
    pub recurring: bool,
    pub estimated: bool,
    pub effort_driven: bool,
    pub external: bool,
    pub fixed_cost: Option<String>,
    pub cost: Option<String>,
    pub notes: Option<String>,
    pub predecessors: Vec<LinkDef>,
    pub baselines: Vec<BaselineDef>,
    /// Three-point estimate from the PERT fields Duration1–3 (optimistic,
    /// expected, pessimistic), in minutes.
    pub estimate: [Option<i64>; 3],
}

impl Default for TaskDef {
    fn default() -> Self {
        TaskDef {
            uid: 0,
            id: None,
            name: None,
            is_null: false,
            active: true,
            manual: false,
            kind: None,
            created: None,
            outline_level: None,
            outline_number: None,
            wbs: None,
            priority: None,
            start: None,
            finish: None,
            duration: None,
            duration_format: None,
            work: None,
            milestone: false,
            summary: false,
            critical: None,
            early_start: None,
            early_finish: None,
            late_start: None,
            late_finish: None,
            total_slack: None,
            free_slack: None,
            constraint_type: 0,
            constraint_date: None,
            deadline: None,
            calendar_uid: None,
            leveling_delay: None,
            leveling_delay_format: None,
            actual_start: None,
            actual_finish: None,
            actual_duration: None,
            remaining_duration: None,
            percent_complete: None,
            stop: None,
            resume: None,
            manual_start: None,
            manual_finish: None,
            manual_duration: None,
            start_text: None,
            finish_text: None,
            duration_text: None,
            ignore_resource_calendar: false,
            recurring: false,
            estimated: false,
            effort_driven: false,
            external: false,
            fixed_cost: None,
            cost: None,
            notes: None,
            predecessors: Vec::new(),
            baselines: Vec::new(),
            estimate: [None; 3],
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceDef {
    pub uid: i64,
    pub id: Option<i64>,
    pub name: Option<String>,
    /// 0 material, 1 work, 2 cost.
    pub kind: Option<u8>,
    pub max_units: Option<f64>,
    pub standard_rate: Option<String>,
    pub calendar_uid: Option<i64>,
    pub is_null: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentDef {
    pub uid: i64,
    pub task_uid: i64,
    pub resource_uid: i64,
    pub units: Option<f64>,
    pub work: Option<i64>,
    pub start: Option<Minute>,
    pub finish: Option<Minute>,
    /// Tenths of a minute of working time before the assignment starts.
    pub delay: Option<i64>,
    /// Tenths of a minute, in `leveling_delay_format`.
    pub leveling_delay: Option<i64>,
    pub leveling_delay_format: Option<u8>,
    /// Periods inside the assignment with no work: the task is split there.
    pub splits: Vec<(Minute, Minute)>,
    /// The timephased work records of a split assignment, kept so that
    /// writing the file keeps the split: (type, start, finish, minutes).
    pub timephased: Vec<(u8, Minute, Minute, Option<i64>)>,
}
