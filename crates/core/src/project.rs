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

/// A local date-time in the project's calendar, like MS Project's:
/// `2026-03-02T08:00:00`, no zone.
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
        Todo = "todo",
        InProgress = "in_progress",
        Review = "review",
        Done = "done",
        Blocked = "blocked",
    }
}

str_enum! {
    /// The eight MS Project constraint types.
    pub enum ConstraintType {
        Asap = "ASAP",
        Alap = "ALAP",
        Snet = "SNET",
        Snlt = "SNLT",
        Fnet = "FNET",
        Fnlt = "FNLT",
        Mso = "MSO",
        Mfo = "MFO",
    }
}

str_enum! {
    /// Dependency types: finish-to-start and the others.
    pub enum DependencyType { Fs = "FS", Ss = "SS", Ff = "FF", Sf = "SF" }
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
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Dependency {
    pub id: Id,
    pub project_id: Id,
    pub predecessor_id: Id,
    pub successor_id: Id,
    #[serde(rename = "type")]
    pub kind: DependencyType,
    /// Working minutes; negative is a lead.
    pub lag_minutes: i64,
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
