//! The project manager's objects as clients see them, and their rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use crate::model::{Id, Millis};
use crate::str_enum;
use crate::validate::Invalid;

str_enum! {
    /// How the project is run.
    pub enum Methodology { Waterfall = "waterfall", Agile = "agile", Hybrid = "hybrid" }
}

str_enum! {
    pub enum ProjectStatus {
        Proposed = "proposed",
        Active = "active",
        OnHold = "on_hold",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

/// A local date-time in the project's calendar, like MS Project's: `2026-03-02T08:00:00`, no zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, example = "2026-03-02T08:00:00")]
pub struct LocalTime(pub jiff::civil::DateTime);

/// The text is not a local date-time Tandem accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a local date-time like 2026-03-02T08:00:00")]
pub struct BadLocalTime(pub String);

impl FromStr for LocalTime {
    type Err = BadLocalTime;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadLocalTime(s.chars().take(40).collect());
        // A bare date means the start of the standard working day.
        let full = if s.len() == 10 { format!("{s}T08:00:00") } else { s.to_owned() };
        if !(16..=19).contains(&full.len()) || full.as_bytes().get(10) != Some(&b'T') {
            return Err(bad());
        }
        let t: jiff::civil::DateTime = full.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&t.year()) || t.subsec_nanosecond() != 0 {
            return Err(bad());
        }
        Ok(LocalTime(t))
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%S"))
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Project {
    pub id: Id,
    pub workspace_id: Id,
    pub key: String,
    pub name: String,
    pub product_id: Option<Id>,
    /// The project manager (or admin) who owns its decisions.
    pub manager_id: Id,
    pub sponsor_id: Option<Id>,
    pub methodology: Methodology,
    pub status: ProjectStatus,
    pub start: LocalTime,
    pub status_date: Option<LocalTime>,
    pub target_finish: Option<LocalTime>,
    /// Budget at completion, in minor units of `currency`.
    pub budget_minor: i64,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

str_enum! {
    /// What a task is: work, a milestone (zero duration) or a summary of
    /// its children (derived: a task with children is a summary).
    pub enum TaskKind { Task = "task", Milestone = "milestone", Summary = "summary" }
}

str_enum! {
    /// A task's column on the board.
    pub enum BoardStatus {
        Todo = "todo" => "To do",
        InProgress = "in_progress",
        Review = "review",
        Done = "done",
        Blocked = "blocked",
    }
}

str_enum! {
    /// The eight MS Project constraint types.
    pub enum ConstraintType {
        Asap = "ASAP" => "As soon as possible",
        Alap = "ALAP" => "As late as possible",
        Snet = "SNET" => "Start no earlier than",
        Snlt = "SNLT" => "Start no later than",
        Fnet = "FNET" => "Finish no earlier than",
        Fnlt = "FNLT" => "Finish no later than",
        Mso = "MSO" => "Must start on",
        Mfo = "MFO" => "Must finish on",
    }
}

str_enum! {
    /// Dependency types: finish-to-start and the others.
    pub enum DependencyType { Fs = "FS" => "Finish to start", Ss = "SS" => "Start to start", Ff = "FF" => "Finish to finish", Sf = "SF" => "Start to finish" }
}

str_enum! {
    /// How a lag is counted: working time of the successor's calendar,
    /// elapsed calendar time, or a percentage of the predecessor's duration.
    pub enum LagKind { Working = "working", Elapsed = "elapsed", Percent = "percent" }
}

/// A constraint and its date (none for ASAP and ALAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskConstraint {
    #[serde(rename = "type")]
    pub kind: ConstraintType,
    pub date: Option<LocalTime>,
}

impl TaskConstraint {
    pub const ASAP: TaskConstraint = TaskConstraint { kind: ConstraintType::Asap, date: None };

    /// A dated type needs its date; ASAP and ALAP take none.
    pub fn check(&self) -> Result<(), Invalid> {
        let dated = !matches!(self.kind, ConstraintType::Asap | ConstraintType::Alap);
        match (dated, self.date) {
            (true, None) => Err(Invalid::new("constraint", format!("{} needs a date", self.kind))),
            (false, Some(_)) => Err(Invalid::new("constraint", format!("{} takes no date", self.kind))),
            _ => Ok(()),
        }
    }
}

/// A three-point estimate for Monte Carlo, in working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    pub optimistic_minutes: i64,
    pub likely_minutes: i64,
    pub pessimistic_minutes: i64,
}

impl Estimate {
    /// Each a duration, and optimistic ≤ likely ≤ pessimistic.
    pub fn check(&self) -> Result<(), Invalid> {
        for v in [self.optimistic_minutes, self.likely_minutes, self.pessimistic_minutes] {
            duration("estimate", v)?;
        }
        if self.optimistic_minutes <= self.likely_minutes && self.likely_minutes <= self.pessimistic_minutes {
            Ok(())
        } else {
            Err(Invalid::new("estimate", "needs optimistic ≤ likely ≤ pessimistic"))
        }
    }
}

/// A resource working on a task, at `units` percent (100 = full time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskAssignment {
    pub resource_id: Id,
    /// Percent of the resource's time, 1–1000 (default 100).
    #[serde(default = "full_time")]
    pub units: i64,
}

fn full_time() -> i64 {
    100
}

/// Assignment units: 1 % to 1000 % (ten people's worth of a pooled resource).
pub fn units(v: i64) -> Result<i64, Invalid> {
    if (1..=1000).contains(&v) { Ok(v) } else { Err(Invalid::new("units", "must be from 1 to 1000 (percent)")) }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Task {
    pub id: Id,
    pub project_id: Id,
    /// `CHK-12`.
    pub key: String,
    pub name: String,
    pub parent_id: Option<Id>,
    /// Position among its siblings, from 1.
    pub position: i64,
    /// Depth in the WBS, from 1.
    pub outline_level: u32,
    /// `1.2.3`.
    pub wbs: String,
    pub kind: TaskKind,
    /// Working minutes (480 = one 8-hour day).
    pub duration_minutes: i64,
    pub percent_complete: i64,
    pub constraint: TaskConstraint,
    pub deadline: Option<LocalTime>,
    pub story_points: Option<f64>,
    pub status: BoardStatus,
    pub feature_id: Option<Id>,
    pub fixed_cost_minor: i64,
    /// Notes in Markdown (MS Project's Notes), shown rendered on the task page.
    pub notes: String,
    /// When the work really started (progress).
    pub actual_start: Option<LocalTime>,
    pub actual_finish: Option<LocalTime>,
    /// Working minutes still to do; by default duration × (1 − % complete).
    pub remaining_minutes: Option<i64>,
    pub estimate: Option<Estimate>,
    pub sprint_id: Option<Id>,
    /// Levelling keeps higher priorities in place (0–1000, default 500).
    pub priority: i64,
    /// Working minutes of delay levelling put before the start.
    pub leveling_delay_minutes: i64,
    pub assignments: Vec<TaskAssignment>,
    /// Working minutes of effort: duration × the assignments' units.
    pub work_minutes: i64,
    /// When the task was last marked done (100 % or the done column).
    pub done_at: Option<Millis>,
    /// One of the project's other calendars; `null` is the project's own.
    pub calendar_id: Option<Id>,
    /// The calendar total slack is counted on when it is not the one the
    /// dates follow (MS Project counts slack on a task's own calendar when
    /// its resources' calendars set its dates); `null`: the same.
    pub slack_calendar_id: Option<Id>,
    /// A manually scheduled task keeps these dates, like MS Project's.
    pub manual_start: Option<LocalTime>,
    pub manual_finish: Option<LocalTime>,
    /// Imported with a blank or "TBD" duration (or inactive): kept in place, never critical.
    pub manual_placeholder: bool,
    /// Where split progress stopped and the remaining work resumes.
    pub stop: Option<LocalTime>,
    pub resume: Option<LocalTime>,
    /// The earliest start imposed from outside the plan (a predecessor in another project).
    pub external_start: Option<LocalTime>,
    /// Whether the levelling delay counts calendar time, not working time.
    pub leveling_delay_elapsed: bool,
    /// The workspace's custom fields by key (see `/workspaces/{ws}/custom-fields`).
    #[schema(value_type = Object)]
    pub custom_fields: crate::custom::CustomValues,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Task {
    /// A new task as it is before anything is set: to do, as soon as
    /// possible, no progress, no links to anything; a milestone at 0 minutes.
    pub fn blank(project_id: Id, id: Id, name: &str, duration_minutes: i64) -> Task {
        Task {
            id,
            project_id,
            key: String::new(),
            name: name.to_owned(),
            parent_id: None,
            position: 0,
            outline_level: 1,
            wbs: String::new(),
            kind: if duration_minutes == 0 { TaskKind::Milestone } else { TaskKind::Task },
            duration_minutes,
            percent_complete: 0,
            constraint: TaskConstraint::ASAP,
            deadline: None,
            story_points: None,
            status: BoardStatus::Todo,
            feature_id: None,
            fixed_cost_minor: 0,
            notes: String::new(),
            actual_start: None,
            actual_finish: None,
            remaining_minutes: None,
            estimate: None,
            sprint_id: None,
            priority: 500,
            leveling_delay_minutes: 0,
            assignments: Vec::new(),
            work_minutes: 0,
            done_at: None,
            calendar_id: None,
            slack_calendar_id: None,
            manual_start: None,
            manual_finish: None,
            manual_placeholder: false,
            stop: None,
            resume: None,
            external_start: None,
            leveling_delay_elapsed: false,
            custom_fields: Default::default(),
            version: 0,
            created_at: Millis(0),
            updated_at: Millis(0),
        }
    }

    /// Effort: duration times the sum of the assignments' units.
    pub fn work(duration_minutes: i64, assignments: &[TaskAssignment]) -> i64 {
        let units: i64 = assignments.iter().map(|a| a.units).sum();
        duration_minutes * units / 100
    }
    /// See [`crate::progress::is_done`].
    pub fn is_done(&self) -> bool {
        crate::progress::is_done(self.percent_complete, self.status, self.actual_finish)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Dependency {
    pub id: Id,
    pub project_id: Id,
    pub predecessor_id: Id,
    pub successor_id: Id,
    #[serde(rename = "type")]
    pub kind: DependencyType,
    /// Working (elapsed lags: calendar) minutes; negative is a lead; 0 for percentage lags.
    pub lag_minutes: i64,
    pub lag_kind: LagKind,
    /// For percentage lags: the percent of the predecessor's duration.
    pub lag_percent: Option<f64>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The longest task Tandem accepts: 100 years of 8-hour days.
pub const MAX_DURATION_MINUTES: i64 = 100 * 260 * 480;

/// A duration in working minutes, 0 to 100 years.
pub fn duration(field: &'static str, v: i64) -> Result<i64, Invalid> {
    if (0..=MAX_DURATION_MINUTES).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid::new(field, format!("must be between 0 and {MAX_DURATION_MINUTES} working minutes")))
    }
}

/// A lag: at most 100 years either way.
pub fn lag(v: i64) -> Result<i64, Invalid> {
    if v.abs() <= MAX_DURATION_MINUTES { Ok(v) } else { Err(Invalid::new("lag_minutes", "is too large")) }
}

/// An ISO 4217 currency code: three letters, upper-cased.
pub fn currency(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_uppercase();
    if s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(s)
    } else {
        Err(Invalid::new("currency", "must be a three-letter ISO 4217 code such as EUR"))
    }
}

/// A budget: whole minor units, 0 or more.
pub fn budget(v: i64) -> Result<i64, Invalid> {
    if v >= 0 { Ok(v) } else { Err(Invalid::new("budget_minor", "must be 0 or more")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times() {
        let t: LocalTime = "2026-03-02T08:00:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-03-02T08:00:00");
        assert_eq!("2026-03-02T08:00".parse::<LocalTime>().unwrap(), t);
        assert_eq!("2026-03-02".parse::<LocalTime>().unwrap(), t);
        for bad in ["2026-03-02 08:00", "2026-02-30T08:00:00", "0100-01-01T00:00:00", "2026-03-02T08:00:00Z", "x"] {
            assert!(bad.parse::<LocalTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn currencies_and_budgets() {
        assert_eq!(currency(" eur ").unwrap(), "EUR");
        assert!(currency("EURO").is_err());
        assert!(currency("E1R").is_err());
        assert!(budget(-1).is_err());
        assert_eq!(budget(0).unwrap(), 0);
    }
}

/// A span of working time within a day, `08:00-12:00` (minutes from
/// midnight; `24:00` ends the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: u16,
    pub to: u16,
}

impl utoipa::PartialSchema for Span {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["08:00-12:00"])
            .into()
    }
}

impl ToSchema for Span {}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.from / 60, self.from % 60, self.to / 60, self.to % 60)
    }
}

impl FromStr for Span {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            Invalid::new(
                "calendar",
                format!("`{}` is not a span like 08:00-12:00", s.chars().take(20).collect::<String>()),
            )
        };
        let clock = |t: &str| -> Option<u16> {
            let (h, m) = t.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
        };
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let (from, to) = (clock(a.trim()).ok_or_else(bad)?, clock(b.trim()).ok_or_else(bad)?);
        if from < to { Ok(Span { from, to }) } else { Err(bad()) }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(|e: Invalid| serde::de::Error::custom(e.message))
    }
}

/// Working hours per weekday; an empty list is a day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkWeek {
    pub monday: Vec<Span>,
    pub tuesday: Vec<Span>,
    pub wednesday: Vec<Span>,
    pub thursday: Vec<Span>,
    pub friday: Vec<Span>,
    pub saturday: Vec<Span>,
    pub sunday: Vec<Span>,
}

impl WorkWeek {
    /// Monday first.
    pub fn days(&self) -> [&[Span]; 7] {
        [&self.monday, &self.tuesday, &self.wednesday, &self.thursday, &self.friday, &self.saturday, &self.sunday]
    }
}

/// Days that differ from the week: holidays (no hours) or other hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarException {
    #[serde(default)]
    pub name: String,
    pub from: crate::model::Day,
    pub to: crate::model::Day,
    /// Empty: not working. Otherwise the hours worked on each of these days.
    #[serde(default)]
    pub hours: Vec<Span>,
}

/// A dated stretch with its own working week (MS Project's work weeks):
/// a summer schedule, a shutdown with reduced hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkWeekPeriod {
    #[serde(default)]
    pub name: String,
    pub from: crate::model::Day,
    pub to: crate::model::Day,
    pub week: WorkWeek,
}

/// A project's working time: Monday–Friday 08:00–12:00 and 13:00–17:00
/// unless changed, with work weeks for dated stretches and exceptions
/// (which win over work weeks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkCalendar {
    pub week: WorkWeek,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work_weeks: Vec<WorkWeekPeriod>,
    #[serde(default)]
    pub exceptions: Vec<CalendarException>,
}

/// At most this many exceptions in one calendar.
pub const MAX_EXCEPTIONS: usize = 2_000;
/// At most this many work weeks in one calendar (imported calendars carry
/// every dated stretch as one).
pub const MAX_WORK_WEEKS: usize = 20_000;

impl WorkCalendar {
    pub fn standard() -> WorkCalendar {
        let day = vec![Span { from: 8 * 60, to: 12 * 60 }, Span { from: 13 * 60, to: 17 * 60 }];
        WorkCalendar {
            week: WorkWeek {
                monday: day.clone(),
                tuesday: day.clone(),
                wednesday: day.clone(),
                thursday: day.clone(),
                friday: day,
                saturday: Vec::new(),
                sunday: Vec::new(),
            },
            work_weeks: Vec::new(),
            exceptions: Vec::new(),
        }
    }

    /// Spans in order without overlaps, at most 8 a day; exceptions dated
    /// forwards, at most ten years each; some working time in the week.
    pub fn check(&self) -> Result<(), Invalid> {
        let spans_ok = |spans: &[Span]| spans.len() <= 8 && spans.windows(2).all(|w| w[0].to <= w[1].from);
        if !self.week.days().iter().all(|d| spans_ok(d)) {
            return Err(Invalid::new("week", "each day takes at most 8 spans, in order, without overlaps"));
        }
        if self.week.days().iter().all(|d| d.is_empty()) {
            return Err(Invalid::new("week", "needs some working time"));
        }
        if self.exceptions.len() > MAX_EXCEPTIONS {
            return Err(Invalid::new("exceptions", format!("at most {MAX_EXCEPTIONS}")));
        }
        if self.work_weeks.len() > MAX_WORK_WEEKS {
            return Err(Invalid::new("work_weeks", format!("at most {MAX_WORK_WEEKS}")));
        }
        for w in &self.work_weeks {
            if w.to < w.from || !w.week.days().iter().all(|d| spans_ok(d)) {
                return Err(Invalid::new("work_weeks", format!("`{}` must run forwards with spans in order", w.name)));
            }
        }
        for e in &self.exceptions {
            let days = e.to.0.since(e.from.0).map(|s| s.get_days()).unwrap_or(-1);
            if !(0..=3660).contains(&days) {
                return Err(Invalid::new(
                    "exceptions",
                    format!("`{}` must end on or after its start, within ten years", e.name),
                ));
            }
            if !spans_ok(&e.hours) {
                return Err(Invalid::new("exceptions", format!("`{}`: at most 8 spans, in order", e.name)));
            }
            if e.name.chars().count() > 200 {
                return Err(Invalid::new("exceptions", "names are at most 200 characters"));
            }
        }
        Ok(())
    }
}

/// One of a project's other calendars (task calendars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectCalendar {
    pub id: Id,
    pub project_id: Id,
    pub name: String,
    #[serde(flatten)]
    pub calendar: WorkCalendar,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}
