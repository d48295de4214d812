//! Sprints and the numbers derived from them: burndown and velocity.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{Day, Id, Millis};
use crate::str_enum;
use crate::validate::Invalid;

str_enum! {
    pub enum SprintStatus { Planned = "planned", Active = "active", Closed = "closed" }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Sprint {
    pub id: Id,
    pub project_id: Id,
    pub name: String,
    pub start: Day,
    pub finish: Day,
    pub goal: String,
    /// Points the team expects to finish.
    pub capacity_points: Option<f64>,
    pub status: SprintStatus,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A sprint runs forwards and at most a quarter.
pub fn sprint_dates(start: Day, finish: Day) -> Result<(), Invalid> {
    let days = finish.0.since(start.0).map(|s| s.get_days()).unwrap_or(-1);
    if (0..=92).contains(&days) {
        Ok(())
    } else {
        Err(Invalid::new("finish", "must be on or after the start, within 92 days"))
    }
}

/// One sprint task as burndown sees it: its points and the day it was
/// done, if it was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SprintItem {
    pub points: f64,
    pub done_on: Option<Day>,
}

/// A day of a burndown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BurndownDay {
    pub date: Day,
    /// Points not done at the end of the day; `null` for days to come.
    pub remaining: Option<f64>,
    /// The straight line from the committed points to zero.
    pub ideal: f64,
}

/// Remaining points at the end of each sprint day up to `today`, and the
/// ideal line. Work done before the sprint started counts as done on its
/// first day.
pub fn burndown(start: Day, finish: Day, items: &[SprintItem], today: Day) -> Vec<BurndownDay> {
    let committed: f64 = items.iter().map(|i| i.points).sum();
    let span = finish.0.since(start.0).map(|s| s.get_days()).unwrap_or(0).max(0);
    let mut out = Vec::with_capacity(span as usize + 1);
    for k in 0..=span {
        let Ok(d) = start.0.checked_add(jiff::Span::new().days(k)) else { break };
        let day = Day(d);
        let done: f64 = items.iter().filter(|i| i.done_on.is_some_and(|x| x <= day)).map(|i| i.points).sum();
        let ideal = if span == 0 { 0.0 } else { committed * (1.0 - k as f64 / span as f64) };
        out.push(BurndownDay {
            date: day,
            remaining: (day <= today).then(|| round2(committed - done)),
            ideal: round2(ideal),
        });
    }
    out
}

/// Two decimals, and never `-0`.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Points done within a sprint: items done on or before its last day.
pub fn points_done(finish: Day, items: &[SprintItem]) -> f64 {
    round2(items.iter().filter(|i| i.done_on.is_some_and(|d| d <= finish)).map(|i| i.points).sum())
}

/// Velocity: the mean points done over the last three closed sprints
/// (oldest first in `done`).
pub fn velocity(done: &[f64]) -> Option<f64> {
    let last: Vec<f64> = done.iter().rev().take(3).copied().collect();
    (!last.is_empty()).then(|| round2(last.iter().sum::<f64>() / last.len() as f64))
}

/// What a sprint's commitment goes beyond: its capacity when one is set,
/// else the team's velocity.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OverCommitment {
    /// `capacity` or `velocity`.
    pub basis: &'static str,
    pub limit_points: f64,
}

/// Flags a sprint that commits more points than the team can take: more
/// than its capacity, or, without one, more than the velocity. A sprint
/// already closed is history and is not flagged.
pub fn over_commitment(
    status: SprintStatus,
    committed: f64,
    capacity: Option<f64>,
    velocity: Option<f64>,
) -> Option<OverCommitment> {
    if status == SprintStatus::Closed {
        return None;
    }
    let (basis, limit) = match (capacity, velocity) {
        (Some(c), _) => ("capacity", c),
        (None, Some(v)) => ("velocity", v),
        (None, None) => return None,
    };
    (committed > limit + 1e-9).then_some(OverCommitment { basis, limit_points: limit })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sprint_beyond_its_capacity_or_velocity_is_flagged() {
        use super::{SprintStatus, over_commitment};
        let o = over_commitment(SprintStatus::Planned, 42.0, None, Some(30.0)).unwrap();
        assert_eq!((o.basis, o.limit_points), ("velocity", 30.0));
        assert_eq!(over_commitment(SprintStatus::Active, 42.0, Some(45.0), Some(30.0)), None);
        assert_eq!(over_commitment(SprintStatus::Active, 46.0, Some(45.0), None).map(|o| o.basis), Some("capacity"));
        assert_eq!(over_commitment(SprintStatus::Closed, 42.0, None, Some(30.0)), None);
        assert_eq!(over_commitment(SprintStatus::Planned, 30.0, None, Some(30.0)), None);
    }

    use super::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn burndown_counts_points_left_each_day() {
        let items = [
            SprintItem { points: 5.0, done_on: Some(day("2027-01-05")) },
            SprintItem { points: 3.0, done_on: Some(day("2027-01-07")) },
            SprintItem { points: 2.0, done_on: None },
        ];
        let b = burndown(day("2027-01-04"), day("2027-01-08"), &items, day("2027-01-07"));
        let rem: Vec<Option<f64>> = b.iter().map(|d| d.remaining).collect();
        assert_eq!(rem, [Some(10.0), Some(5.0), Some(5.0), Some(2.0), None]);
        let ideal: Vec<f64> = b.iter().map(|d| d.ideal).collect();
        assert_eq!(ideal, [10.0, 7.5, 5.0, 2.5, 0.0]);
        assert_eq!(points_done(day("2027-01-08"), &items), 8.0);
        assert_eq!(velocity(&[20.0, 8.0, 10.0, 12.0]), Some(10.0));
        assert_eq!(velocity(&[]), None);
    }
}
