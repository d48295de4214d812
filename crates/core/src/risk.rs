//! Risks and defects: the register, its score and exposure, the heatmap,
//! and the quality figures drawn from defects.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{Id, Millis};
use crate::str_enum;
use crate::validate::Invalid;

str_enum! {
    pub enum RiskResponse { Avoid = "avoid", Mitigate = "mitigate", Transfer = "transfer", Accept = "accept" }
}

str_enum! {
    pub enum RiskStatus { Open = "open", Mitigated = "mitigated", Occurred = "occurred", Closed = "closed" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Risk {
    pub id: Id,
    pub project_id: Id,
    /// `CHK-31`.
    pub key: String,
    pub title: String,
    pub description: String,
    /// 1 (rare) to 5 (almost certain).
    pub probability: i64,
    /// 1 (negligible) to 5 (severe).
    pub impact: i64,
    /// probability × impact, 1–25.
    pub score: i64,
    /// What the risk would cost if it occurred, minor units.
    pub cost_impact_minor: i64,
    /// probability % × cost impact, minor units.
    pub exposure_minor: i64,
    pub owner_id: Option<Id>,
    pub response: RiskResponse,
    pub mitigation: String,
    pub trigger: String,
    pub status: RiskStatus,
    pub task_ids: Vec<Id>,
    /// The workspace's custom fields by key (see `/workspaces/{ws}/custom-fields`).
    #[schema(value_type = Object)]
    pub custom_fields: crate::custom::CustomValues,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A 1–5 rating.
pub fn rating(field: &'static str, v: i64) -> Result<i64, Invalid> {
    if (1..=5).contains(&v) { Ok(v) } else { Err(Invalid::new(field, "must be from 1 to 5")) }
}

/// The probability a 1–5 rating stands for: 10, 30, 50, 70, 90 %.
pub fn probability_percent(p: i64) -> i64 {
    (p.clamp(1, 5) * 20) - 10
}

/// Expected cost: probability % × cost impact, rounded.
pub fn exposure(probability: i64, cost_impact_minor: i64) -> i64 {
    (cost_impact_minor * probability_percent(probability) + 50) / 100
}

/// Open risks counted by impact (rows, 5 first) and probability (columns, 1 first).
pub fn heatmap(risks: &[Risk]) -> [[i64; 5]; 5] {
    let mut grid = [[0i64; 5]; 5];
    for r in risks.iter().filter(|r| r.status == RiskStatus::Open) {
        let (i, p) = (r.impact.clamp(1, 5) as usize, r.probability.clamp(1, 5) as usize);
        grid[5 - i][p - 1] += 1;
    }
    grid
}

str_enum! {
    pub enum Severity { Critical = "critical", Major = "major", Minor = "minor", Trivial = "trivial" }
}

str_enum! {
    pub enum DefectStatus {
        Open = "open",
        InProgress = "in_progress",
        Resolved = "resolved",
        Closed = "closed",
        WontFix = "wont_fix" => "Won't fix",
    }
}

impl DefectStatus {
    /// Still to deal with.
    pub fn is_open(self) -> bool {
        matches!(self, DefectStatus::Open | DefectStatus::InProgress)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Defect {
    pub id: Id,
    pub project_id: Id,
    pub key: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub status: DefectStatus,
    pub feature_id: Option<Id>,
    pub task_id: Option<Id>,
    pub found_in_release_id: Option<Id>,
    pub fixed_in_release_id: Option<Id>,
    /// Found by users after the release shipped (an escape).
    pub found_after_release: bool,
    pub reporter_id: Id,
    /// The workspace's custom fields by key (see `/workspaces/{ws}/custom-fields`).
    #[schema(value_type = Object)]
    pub custom_fields: crate::custom::CustomValues,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure_uses_the_probability_scale() {
        assert_eq!(probability_percent(1), 10);
        assert_eq!(probability_percent(5), 90);
        assert_eq!(exposure(3, 1_000_000), 500_000);
        assert_eq!(exposure(4, 333), 233);
        assert!(rating("impact", 0).is_err());
        assert!(rating("impact", 6).is_err());
    }
}
