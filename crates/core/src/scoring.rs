//! Prioritisation frameworks: the inputs a product manager enters per
//! feature, the scores computed from them, and the backlog order.
//!
//! Missing inputs give no score (`None`), never zero; a feature without a
//! score for the chosen framework sorts after every scored one.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::Invalid;

/// RICE inputs: reach (people per period), impact (0.25, 0.5, 1, 2, 3),
/// confidence (a percentage 0–100) and effort (person-months, > 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rice {
    pub reach: Option<f64>,
    pub impact: Option<f64>,
    pub confidence: Option<f64>,
    pub effort: Option<f64>,
}

/// ICE inputs, each 1–10.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ice {
    pub impact: Option<f64>,
    pub confidence: Option<f64>,
    pub ease: Option<f64>,
}

/// WSJF inputs, each on the scale 1, 2, 3, 5, 8, 13, 20.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Wsjf {
    pub business_value: Option<f64>,
    pub time_criticality: Option<f64>,
    pub risk_reduction: Option<f64>,
    pub job_size: Option<f64>,
}

/// Value and effort, each 1–10.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueEffort {
    pub value: Option<f64>,
    pub effort: Option<f64>,
}

crate::str_enum! {
    /// MoSCoW category, in priority order.
    pub enum Moscow { Must = "must", Should = "should", Could = "could", Wont = "wont" => "Won't" }
}

crate::str_enum! {
    /// Kano category.
    pub enum Kano {
        Basic = "basic",
        Performance = "performance",
        Delighter = "delighter",
        Indifferent = "indifferent",
        Reverse = "reverse",
    }
}

/// Every scoring input of a feature. Stored as one document: the inputs are
/// only ever read and written together, and scores are computed from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringInputs {
    #[serde(default)]
    pub rice: Rice,
    #[serde(default)]
    pub ice: Ice,
    #[serde(default)]
    pub wsjf: Wsjf,
    #[serde(default)]
    pub value_effort: ValueEffort,
    pub moscow: Option<Moscow>,
    pub kano: Option<Kano>,
}

/// Computed scores; `None` where inputs are missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Scores {
    pub rice: Option<f64>,
    pub ice: Option<f64>,
    pub wsjf: Option<f64>,
    pub value_effort: Option<f64>,
    /// Σ importance × customer weight over linked feedback; 0 without any.
    pub demand: f64,
}

crate::str_enum! {
    /// Where a feature falls on the value/effort chart.
    pub enum Quadrant {
        /// High value, low effort.
        QuickWin = "quick_win",
        /// High value, high effort.
        BigBet = "big_bet",
        /// Low value, low effort.
        FillIn = "fill_in" => "Fill-in",
        /// Low value, high effort.
        MoneyPit = "money_pit",
    }
}

crate::str_enum! {
    /// The framework a backlog is sorted by.
    pub enum Framework {
        Rice = "rice" => "RICE",
        Ice = "ice" => "ICE",
        Wsjf = "wsjf" => "WSJF",
        ValueEffort = "value_effort" => "Value/effort",
        Demand = "demand",
        Moscow = "moscow" => "MoSCoW",
        /// MoSCoW groups in the order people dragged them into.
        Manual = "manual" => "Manual order",
    }
}

impl Framework {
    /// The frameworks that compute or name a priority, one backlog column each.
    pub const SCORED: [Framework; 6] = [
        Framework::Rice,
        Framework::Ice,
        Framework::Wsjf,
        Framework::ValueEffort,
        Framework::Demand,
        Framework::Moscow,
    ];
}

pub const RICE_IMPACTS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 3.0];
pub const WSJF_SCALE: [f64; 7] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0];
/// Value and effort above this are "high" on the value/effort chart.
pub const QUADRANT_MIDPOINT: f64 = 5.0;

fn check(field: &'static str, v: Option<f64>, ok: impl Fn(f64) -> bool, rule: &str) -> Result<(), Invalid> {
    match v {
        Some(x) if !x.is_finite() || !ok(x) => Err(Invalid::new(field, format!("must be {rule}"))),
        _ => Ok(()),
    }
}

fn in_range(lo: f64, hi: f64) -> impl Fn(f64) -> bool {
    move |x| (lo..=hi).contains(&x)
}

fn one_of(set: &'static [f64]) -> impl Fn(f64) -> bool {
    move |x| set.contains(&x)
}

impl ScoringInputs {
    /// Checks every given input against its framework's scale.
    pub fn validate(&self) -> Result<(), Invalid> {
        check("rice.reach", self.rice.reach, |x| x >= 0.0, "0 or more")?;
        check("rice.impact", self.rice.impact, one_of(&RICE_IMPACTS), "one of 0.25, 0.5, 1, 2, 3")?;
        check("rice.confidence", self.rice.confidence, in_range(0.0, 100.0), "a percentage from 0 to 100")?;
        check("rice.effort", self.rice.effort, |x| x > 0.0, "more than 0 person-months")?;
        check("ice.impact", self.ice.impact, in_range(1.0, 10.0), "from 1 to 10")?;
        check("ice.confidence", self.ice.confidence, in_range(1.0, 10.0), "from 1 to 10")?;
        check("ice.ease", self.ice.ease, in_range(1.0, 10.0), "from 1 to 10")?;
        let fib = "one of 1, 2, 3, 5, 8, 13, 20";
        check("wsjf.business_value", self.wsjf.business_value, one_of(&WSJF_SCALE), fib)?;
        check("wsjf.time_criticality", self.wsjf.time_criticality, one_of(&WSJF_SCALE), fib)?;
        check("wsjf.risk_reduction", self.wsjf.risk_reduction, one_of(&WSJF_SCALE), fib)?;
        check("wsjf.job_size", self.wsjf.job_size, one_of(&WSJF_SCALE), fib)?;
        check("value_effort.value", self.value_effort.value, in_range(1.0, 10.0), "from 1 to 10")?;
        check("value_effort.effort", self.value_effort.effort, in_range(1.0, 10.0), "from 1 to 10")?;
        Ok(())
    }

    /// The scores these inputs give, with `demand` computed elsewhere.
    pub fn scores(&self, demand: f64) -> Scores {
        let r = self.rice;
        let rice = match (r.reach, r.impact, r.confidence, r.effort) {
            // Confidence is divided last so 80 % of a round number stays round.
            (Some(reach), Some(impact), Some(conf), Some(effort)) if effort > 0.0 => {
                Some(reach * impact * conf / 100.0 / effort)
            }
            _ => None,
        };
        let i = self.ice;
        let ice = (|| Some(i.impact? * i.confidence? * i.ease?))();
        let w = self.wsjf;
        let wsjf = (|| Some((w.business_value? + w.time_criticality? + w.risk_reduction?) / w.job_size?))();
        let ve = self.value_effort;
        let value_effort = (|| Some(ve.value? / ve.effort?))();
        Scores {
            rice: rice.map(round),
            ice: ice.map(round),
            wsjf: wsjf.map(round),
            value_effort: value_effort.map(round),
            demand: round(demand),
        }
    }

    pub fn quadrant(&self) -> Option<Quadrant> {
        let (v, e) = (self.value_effort.value?, self.value_effort.effort?);
        Some(match (v > QUADRANT_MIDPOINT, e > QUADRANT_MIDPOINT) {
            (true, false) => Quadrant::QuickWin,
            (true, true) => Quadrant::BigBet,
            (false, false) => Quadrant::FillIn,
            (false, true) => Quadrant::MoneyPit,
        })
    }
}

/// Scores are shown and compared to three decimals, so that floating-point
/// noise never decides an order.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One feedback link's contribution to demand: importance (1–3) × customer
/// weight, the weight being 1 without a customer value and otherwise
/// 1 + log10(1 + value in major units).
pub fn demand_weight(importance: u8, customer_value_minor: Option<i64>) -> f64 {
    let weight = match customer_value_minor {
        Some(v) if v > 0 => 1.0 + (1.0 + v as f64 / 100.0).log10(),
        _ => 1.0,
    };
    f64::from(importance) * weight
}

/// What the backlog order needs to know of a feature.
#[derive(Debug, Clone, Copy)]
pub struct Rankable {
    pub scores: Scores,
    pub moscow: Option<Moscow>,
    /// Manual position, from drag and drop.
    pub rank: i64,
    /// Creation instant (older first on ties).
    pub created_at: i64,
    pub id: i64,
}

impl Rankable {
    /// The score for `by`; `None` when unscored (MoSCoW has no score).
    pub fn score(&self, by: Framework) -> Option<f64> {
        match by {
            Framework::Rice => self.scores.rice,
            Framework::Ice => self.scores.ice,
            Framework::Wsjf => self.scores.wsjf,
            Framework::ValueEffort => self.scores.value_effort,
            Framework::Demand => Some(self.scores.demand),
            Framework::Moscow | Framework::Manual => None,
        }
    }
}

/// The backlog order for `by`: scored before unscored; higher score first
/// (MoSCoW: must, should, could, won't); ties broken by demand (higher
/// first), then age (older first). `Manual` keeps the MoSCoW groups and
/// orders within each by the rank people gave by dragging.
pub fn backlog_order(by: Framework, a: &Rankable, b: &Rankable) -> Ordering {
    let category = || match (a.moscow, b.moscow) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let primary = match by {
        Framework::Moscow => category(),
        Framework::Manual => category().then(a.rank.cmp(&b.rank)),
        _ => match (a.score(by), b.score(by)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
    };
    primary
        .then(b.scores.demand.total_cmp(&a.scores.demand))
        .then(a.created_at.cmp(&b.created_at))
        .then(a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rice(reach: f64, impact: f64, confidence: f64, effort: f64) -> ScoringInputs {
        ScoringInputs {
            rice: Rice { reach: Some(reach), impact: Some(impact), confidence: Some(confidence), effort: Some(effort) },
            ..Default::default()
        }
    }

    #[test]
    fn rice_worked_example() {
        // 2,000 users a quarter × high impact 2 × 80 % ÷ 4 person-months = 800.
        assert_eq!(rice(2000.0, 2.0, 80.0, 4.0).scores(0.0).rice, Some(800.0));
        // Minimal impact, 50 % confidence, half a person-month.
        assert_eq!(rice(300.0, 0.25, 50.0, 0.5).scores(0.0).rice, Some(75.0));
        assert_eq!(rice(10.0, 3.0, 100.0, 3.0).scores(0.0).rice, Some(10.0));
    }

    #[test]
    fn rice_rejects_effort_zero_and_bad_scales() {
        assert_eq!(rice(1.0, 1.0, 50.0, 0.0).validate().unwrap_err().field, "rice.effort");
        assert_eq!(rice(1.0, 1.5, 50.0, 1.0).validate().unwrap_err().field, "rice.impact");
        assert_eq!(rice(1.0, 1.0, 101.0, 1.0).validate().unwrap_err().field, "rice.confidence");
        assert_eq!(rice(-1.0, 1.0, 50.0, 1.0).validate().unwrap_err().field, "rice.reach");
        assert_eq!(rice(f64::NAN, 1.0, 50.0, 1.0).validate().unwrap_err().field, "rice.reach");
        assert!(rice(1.0, 0.25, 0.0, 0.1).validate().is_ok());
    }

    #[test]
    fn missing_inputs_give_no_score_not_zero() {
        let mut s = rice(100.0, 1.0, 50.0, 1.0);
        s.rice.effort = None;
        let scores = s.scores(0.0);
        assert_eq!(scores.rice, None);
        assert_eq!(scores.ice, None);
        assert_eq!(scores.wsjf, None);
        assert_eq!(scores.value_effort, None);
        s.ice = Ice { impact: Some(8.0), confidence: Some(7.0), ease: None };
        assert_eq!(s.scores(0.0).ice, None);
    }

    #[test]
    fn ice_wsjf_value_effort_examples() {
        let s = ScoringInputs {
            ice: Ice { impact: Some(8.0), confidence: Some(7.0), ease: Some(5.0) },
            wsjf: Wsjf {
                business_value: Some(8.0),
                time_criticality: Some(5.0),
                risk_reduction: Some(3.0),
                job_size: Some(5.0),
            },
            value_effort: ValueEffort { value: Some(9.0), effort: Some(3.0) },
            ..Default::default()
        };
        assert!(s.validate().is_ok());
        let scores = s.scores(0.0);
        assert_eq!(scores.ice, Some(280.0));
        assert_eq!(scores.wsjf, Some(3.2));
        assert_eq!(scores.value_effort, Some(3.0));
        assert_eq!(s.quadrant(), Some(Quadrant::QuickWin));
        let mut bad = s;
        bad.wsjf.job_size = Some(4.0);
        assert_eq!(bad.validate().unwrap_err().field, "wsjf.job_size");
        bad = s;
        bad.ice.ease = Some(0.0);
        assert_eq!(bad.validate().unwrap_err().field, "ice.ease");
    }

    #[test]
    fn quadrants() {
        let q = |v, e| {
            ScoringInputs { value_effort: ValueEffort { value: Some(v), effort: Some(e) }, ..Default::default() }
                .quadrant()
        };
        assert_eq!(q(8.0, 2.0), Some(Quadrant::QuickWin));
        assert_eq!(q(8.0, 9.0), Some(Quadrant::BigBet));
        assert_eq!(q(3.0, 2.0), Some(Quadrant::FillIn));
        assert_eq!(q(5.0, 6.0), Some(Quadrant::MoneyPit));
    }

    #[test]
    fn demand_weights() {
        assert_eq!(demand_weight(2, None), 2.0);
        assert_eq!(demand_weight(3, Some(0)), 3.0);
        // 99,999.00 in major units → 1 + log10(100,000) = 6; critical (3) → 18.
        assert!((demand_weight(3, Some(9_999_900)) - 18.0).abs() < 1e-9);
        // 9.00 → 1 + log10(10) = 2.
        assert!((demand_weight(1, Some(900)) - 2.0).abs() < 1e-9);
    }

    fn item(id: i64, rice: Option<f64>, demand: f64, moscow: Option<Moscow>, rank: i64) -> Rankable {
        Rankable { scores: Scores { rice, demand, ..Default::default() }, moscow, rank, created_at: id * 10, id }
    }

    fn order(by: Framework, mut v: Vec<Rankable>) -> Vec<i64> {
        v.sort_by(|a, b| backlog_order(by, a, b));
        v.iter().map(|r| r.id).collect()
    }

    #[test]
    fn sorting_and_tie_breaks() {
        let v = vec![
            item(1, None, 9.0, None, 0),
            item(2, Some(10.0), 1.0, Some(Moscow::Could), 3),
            item(3, Some(50.0), 0.0, Some(Moscow::Must), 2),
            item(4, Some(10.0), 5.0, Some(Moscow::Must), 1),
            item(5, Some(10.0), 1.0, None, 0),
        ];
        // Score first; 10-point ties by demand (4 before 2 and 5), then age (2 before 5); unscored last.
        assert_eq!(order(Framework::Rice, v.clone()), [3, 4, 2, 5, 1]);
        // Demand is always scored.
        assert_eq!(order(Framework::Demand, v.clone()), [1, 4, 2, 5, 3]);
        // MoSCoW: category, then demand, then age; uncategorised last.
        assert_eq!(order(Framework::Moscow, v.clone()), [4, 3, 2, 1, 5]);
        // Manual: the same groups, each in dragged order.
        let mut dragged = v.clone();
        dragged[2].rank = 0;
        dragged[0].rank = 9;
        assert_eq!(order(Framework::Moscow, dragged.clone()), [4, 3, 2, 1, 5]);
        assert_eq!(order(Framework::Manual, dragged), [3, 4, 2, 5, 1]);
        // Nobody has ICE: everything ties, demand then age.
        assert_eq!(order(Framework::Ice, v), [1, 4, 2, 5, 3]);
    }
}
