//! Resources, the time they log and the baselines plans are measured
//! against: the project side's records of effort and cost.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{Day, Id, Millis};
use crate::project::LocalTime;
use crate::str_enum;
use crate::validate::Invalid;

str_enum! {
    /// Work resources are people (their time is booked and levelled);
    /// material and cost resources only add cost.
    pub enum ResourceKind { Work = "work", Material = "material", Cost = "cost" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Resource {
    pub id: Id,
    pub workspace_id: Id,
    pub name: String,
    /// The member this resource is, when it is a person with an account.
    pub user_id: Option<Id>,
    #[serde(rename = "type")]
    pub kind: ResourceKind,
    /// Percent of one full-time person available (100 = full time).
    pub max_units: i64,
    /// Standard rate per hour, minor units.
    pub rate_minor: i64,
    /// The resource's own working time; `null`: the project's calendar.
    /// A task is worked when its resources work (MS Project's rule).
    pub calendar: Option<crate::project::WorkCalendar>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Max units: 0 % (unavailable) up to 10 000 % (a pool of 100 people).
pub fn max_units(v: i64) -> Result<i64, Invalid> {
    if (0..=10_000).contains(&v) { Ok(v) } else { Err(Invalid::new("max_units", "must be from 0 to 10000 (percent)")) }
}

/// An hourly rate: 0 up to 10 million minor units.
pub fn rate(v: i64) -> Result<i64, Invalid> {
    if (0..=10_000_000).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid::new("rate_minor", "must be from 0 to 10000000 minor units per hour"))
    }
}

/// Hours logged against a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TimeEntry {
    pub id: Id,
    pub project_id: Id,
    pub task_id: Id,
    /// `CHK-12`.
    pub task_key: String,
    /// The task's name, for people reading the entry.
    pub task_name: String,
    pub resource_id: Option<Id>,
    /// Who logged it.
    pub user_id: Id,
    pub date: Day,
    pub minutes: i64,
    /// The cost of these hours, minor units (from the resource's rate
    /// unless given).
    pub cost_minor: i64,
    pub note: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The most one person can log on one day, over all their entries.
pub const MAX_MINUTES_PER_DAY: i64 = 24 * 60;

/// Minutes in one entry: 1 minute to 24 hours.
pub fn logged_minutes(v: i64) -> Result<i64, Invalid> {
    if (1..=MAX_MINUTES_PER_DAY).contains(&v) { Ok(v) } else { Err(Invalid::new("minutes", "must be from 1 to 1440")) }
}

/// A person's day with `adding` more minutes on top of `already` logged:
/// refused past 24 hours, saying how much is left.
pub fn day_total(already: i64, adding: i64) -> Result<(), Invalid> {
    if already + adding <= MAX_MINUTES_PER_DAY {
        return Ok(());
    }
    let hours = |m: i64| {
        let h = m as f64 / 60.0;
        if h.fract() == 0.0 { format!("{h:.0} h") } else { format!("{h:.2} h").replace(".50 h", ".5 h") }
    };
    let left = (MAX_MINUTES_PER_DAY - already).max(0);
    Err(Invalid::new(
        "minutes",
        format!("{} already logged that day; a day holds 24 h, so at most {} more", hours(already), hours(left)),
    ))
}

/// The cost of `minutes` at `rate_minor` per hour, rounded half up.
pub fn cost_of(minutes: i64, rate_minor: i64) -> i64 {
    (minutes * rate_minor + 30) / 60
}

/// MS Project keeps eleven baselines: Baseline and Baseline 1 to 10.
pub const BASELINES: i64 = 11;

/// A stored snapshot of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Baseline {
    /// 0 (the baseline) to 10.
    pub number: i64,
    pub name: String,
    pub created_by: Id,
    pub created_at: Millis,
    pub tasks: Vec<BaselineTask>,
}

/// One task as it stood when the baseline was set.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BaselineTask {
    pub task_id: Id,
    pub start: LocalTime,
    pub finish: LocalTime,
    pub duration_minutes: i64,
    pub work_minutes: i64,
    pub cost_minor: i64,
    pub story_points: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_round_half_up() {
        assert_eq!(cost_of(90, 10_000), 15_000);
        assert_eq!(cost_of(1, 50), 1);
        assert_eq!(cost_of(1, 29), 0);
        assert!(logged_minutes(0).is_err());
        assert!(logged_minutes(1441).is_err());
        assert!(max_units(10_001).is_err());
    }

    #[test]
    fn a_day_holds_twenty_four_hours() {
        assert!(day_total(20 * 60, 4 * 60).is_ok());
        let e = day_total(20 * 60, 15 * 60).unwrap_err();
        assert_eq!(e.message, "20 h already logged that day; a day holds 24 h, so at most 4 h more");
        assert_eq!(
            day_total(90, 1400).unwrap_err().message,
            "1.5 h already logged that day; a day holds 24 h, so at most 22.5 h more"
        );
    }
}
