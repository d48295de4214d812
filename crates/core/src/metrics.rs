//! Delivery metrics of the project side: earned value, schedule and scope
//! measures, velocity, defect rates and the RAG status they add up to.
//! Money is integer minor units; ratios are `None` when undefined (a
//! division by zero is not a number to show).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Earned value at a status date. `bac`, `pv`, `ev`, `ac` are the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evm {
    pub bac: i64,
    pub pv: i64,
    pub ev: i64,
    pub ac: i64,
    pub cv: i64,
    pub sv: i64,
    pub cpi: Option<f64>,
    pub spi: Option<f64>,
    pub eac: Option<i64>,
    pub etc: Option<i64>,
    pub vac: Option<i64>,
    pub tcpi: Option<f64>,
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b != 0).then(|| a as f64 / b as f64)
}

/// The EVM figures from budget at completion, planned value, earned value
/// and actual cost.
pub fn evm(bac: i64, pv: i64, ev: i64, ac: i64) -> Evm {
    let cpi = ratio(ev, ac);
    let spi = ratio(ev, pv);
    // EAC = BAC ÷ CPI, rounded to the minor unit.
    let eac = cpi.filter(|c| *c > 0.0).map(|c| (bac as f64 / c).round() as i64);
    Evm {
        bac,
        pv,
        ev,
        ac,
        cv: ev - ac,
        sv: ev - pv,
        cpi,
        spi,
        eac,
        etc: eac.map(|e| e - ac),
        vac: eac.map(|e| bac - e),
        tcpi: ratio(bac - ev, bac - ac),
    }
}

/// One task's contribution to earned value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskValue {
    /// The task's budget (baseline cost), minor units.
    pub budget: i64,
    /// Physical progress, 0–100.
    pub percent_complete: f64,
    /// The share of the task's baseline scheduled by the status date (0–1),
    /// measured in working time by the caller.
    pub planned_fraction: f64,
    /// Time-entry cost plus fixed cost incurred.
    pub actual_cost: i64,
}

/// EVM over tasks: PV = Σ budget × planned fraction, EV = Σ budget × %
/// complete, AC = Σ actual cost, BAC = Σ budget (or the project's budget
/// when given).
pub fn evm_of_tasks(tasks: &[TaskValue], project_budget: Option<i64>) -> Evm {
    let mut pv = 0.0;
    let mut ev = 0.0;
    let mut ac = 0i64;
    let mut bac = 0i64;
    for t in tasks {
        bac += t.budget;
        pv += t.budget as f64 * t.planned_fraction.clamp(0.0, 1.0);
        ev += t.budget as f64 * (t.percent_complete.clamp(0.0, 100.0) / 100.0);
        ac += t.actual_cost;
    }
    evm(project_budget.unwrap_or(bac), pv.round() as i64, ev.round() as i64, ac)
}

/// Milestones finished on or before their baseline finish ÷ milestones
/// finished. `(finished_at, baseline_finish)` in any comparable time unit.
pub fn on_time_rate(milestones: &[(i64, i64)]) -> Option<f64> {
    let on_time = milestones.iter().filter(|(done, base)| done <= base).count();
    ratio(on_time as i64, milestones.len() as i64)
}

/// Forecast minus baseline finish, in working days (working minutes
/// between them ÷ minutes per day).
pub fn schedule_variance_days(working_minutes_late: i64, minutes_per_day: i64) -> Option<f64> {
    ratio(working_minutes_late, minutes_per_day)
}

/// Assigned work ÷ available working time.
pub fn utilisation(assigned_minutes: i64, available_minutes: i64) -> Option<f64> {
    ratio(assigned_minutes, available_minutes)
}

/// Scope added after the first baseline ÷ baseline scope.
pub fn scope_creep(added: i64, baseline: i64) -> Option<f64> {
    ratio(added, baseline)
}

/// Mean points done over the last three sprints (fewer when there are
/// fewer). Sprints oldest first.
pub fn velocity(points_done: &[i64]) -> Option<f64> {
    let last: Vec<i64> = points_done.iter().rev().take(3).copied().collect();
    ratio(last.iter().sum(), last.len() as i64)
}

/// Defects per 100 points delivered.
pub fn defects_per_100_points(defects: i64, points: i64) -> Option<f64> {
    ratio(defects * 100, points)
}

/// Defects found after release ÷ all defects.
pub fn escape_rate(found_after_release: i64, all: i64) -> Option<f64> {
    ratio(found_after_release, all)
}

/// Red, amber, green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    /// `green`, `amber` or `red`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }
}

/// The thresholds a project's status is judged by (defaults of the
/// design; editable per project).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RagThresholds {
    pub index_amber: f64,
    pub index_red: f64,
    pub creep_amber: f64,
    pub creep_red: f64,
    pub risk_amber: i64,
    pub risk_red: i64,
}

impl Default for RagThresholds {
    fn default() -> Self {
        RagThresholds {
            index_amber: 0.95,
            index_red: 0.90,
            creep_amber: 0.10,
            creep_red: 0.20,
            risk_amber: 15,
            risk_red: 20,
        }
    }
}

impl RagThresholds {
    /// Indices are ratios (red below amber), creep a share (red above
    /// amber), risk scores 1–25 (red above amber).
    pub fn check(&self) -> Result<(), crate::validate::Invalid> {
        let bad = |m: &str| Err(crate::validate::Invalid::new("rag_thresholds", m));
        let ratio = |x: f64| x.is_finite() && (0.0..=10.0).contains(&x);
        if !(ratio(self.index_amber) && ratio(self.index_red) && self.index_red <= self.index_amber) {
            return bad("index_red must be at most index_amber, both from 0 to 10");
        }
        if !(ratio(self.creep_amber) && ratio(self.creep_red) && self.creep_amber <= self.creep_red) {
            return bad("creep_amber must be at most creep_red, both from 0 to 10");
        }
        if !((1..=25).contains(&self.risk_amber)
            && (1..=25).contains(&self.risk_red)
            && self.risk_amber <= self.risk_red)
        {
            return bad("risk_amber must be at most risk_red, both from 1 to 25");
        }
        Ok(())
    }
}

/// The facts a status report is drafted from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatusFacts {
    pub spi: Option<f64>,
    pub cpi: Option<f64>,
    pub scope_creep: Option<f64>,
    /// The highest score among open risks.
    pub worst_open_risk: Option<i64>,
    pub open_critical_defects: i64,
    pub forecast_after_target: bool,
}

/// RAG per dimension of a status report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusRag {
    pub schedule: Rag,
    pub budget: Rag,
    pub scope: Rag,
    pub quality: Rag,
    pub risk: Rag,
    pub overall: Rag,
}

fn index_rag(v: Option<f64>, t: &RagThresholds) -> Rag {
    match v {
        Some(x) if x < t.index_red => Rag::Red,
        Some(x) if x < t.index_amber => Rag::Amber,
        _ => Rag::Green,
    }
}

pub fn status_rag(f: &StatusFacts, t: &RagThresholds) -> StatusRag {
    let schedule = if f.forecast_after_target { Rag::Red } else { index_rag(f.spi, t) };
    let budget = index_rag(f.cpi, t);
    let scope = match f.scope_creep {
        Some(c) if c > t.creep_red => Rag::Red,
        Some(c) if c > t.creep_amber => Rag::Amber,
        _ => Rag::Green,
    };
    let quality = if f.open_critical_defects > 0 { Rag::Red } else { Rag::Green };
    let risk = match f.worst_open_risk {
        Some(s) if s >= t.risk_red => Rag::Red,
        Some(s) if s >= t.risk_amber => Rag::Amber,
        _ => Rag::Green,
    };
    let overall = schedule.max(budget).max(scope).max(quality).max(risk);
    StatusRag { schedule, budget, scope, quality, risk, overall }
}

/// Why each dimension has the colour `status_rag` gives it, in words, from
/// the same facts and thresholds: schedule, budget, scope, quality, risk.
/// A reader of a green budget beside a negative VAC sees the rule applied.
pub fn rag_reasons(f: &StatusFacts, t: &RagThresholds) -> [String; 5] {
    let two = |x: f64| format!("{x:.2}");
    let index = |name: &str, v: Option<f64>| match v {
        Some(x) => format!("{name} {} (amber below {}, red below {})", two(x), two(t.index_amber), two(t.index_red)),
        None => format!("no {name} yet"),
    };
    let pct = |x: f64| format!("{} %", (x * 100.0).round());
    let schedule = if f.forecast_after_target {
        "the forecast finish is after the target finish".to_owned()
    } else {
        index("SPI", f.spi)
    };
    let scope = match f.scope_creep {
        Some(c) => {
            format!("scope creep {} (amber above {}, red above {})", pct(c), pct(t.creep_amber), pct(t.creep_red))
        }
        None => "no baseline scope yet".to_owned(),
    };
    let quality = match f.open_critical_defects {
        0 => "no open critical defect".to_owned(),
        1 => "1 open critical defect".to_owned(),
        n => format!("{n} open critical defects"),
    };
    let risk = match f.worst_open_risk {
        Some(s) => format!("worst open risk scores {s} (amber from {}, red from {})", t.risk_amber, t.risk_red),
        None => "no open risk".to_owned(),
    };
    [schedule, index("CPI", f.cpi), scope, quality, risk]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-4)
    }

    #[test]
    fn evm_worked_example() {
        // BAC 100,000.00; by the status date 50,000.00 was planned,
        // 40,000.00 earned and 45,000.00 spent.
        let e = evm(10_000_000, 5_000_000, 4_000_000, 4_500_000);
        assert_eq!((e.cv, e.sv), (-500_000, -1_000_000));
        assert!(close(e.cpi, 0.888_888_9) && close(e.spi, 0.8));
        assert_eq!(e.eac, Some(11_250_000));
        assert_eq!(e.etc, Some(6_750_000));
        assert_eq!(e.vac, Some(-1_250_000));
        assert!(close(e.tcpi, 60.0 / 55.0));
        // Nothing spent or planned yet: ratios are undefined, not zero.
        let e = evm(10_000_000, 0, 0, 0);
        assert_eq!((e.cpi, e.spi, e.eac), (None, None, None));
    }

    #[test]
    fn evm_from_tasks() {
        let tasks = [
            TaskValue { budget: 600_000, percent_complete: 100.0, planned_fraction: 1.0, actual_cost: 700_000 },
            TaskValue { budget: 400_000, percent_complete: 25.0, planned_fraction: 0.5, actual_cost: 100_000 },
        ];
        let e = evm_of_tasks(&tasks, None);
        assert_eq!((e.bac, e.pv, e.ev, e.ac), (1_000_000, 800_000, 700_000, 800_000));
        assert!(close(e.spi, 0.875) && close(e.cpi, 0.875));
        assert_eq!(evm_of_tasks(&tasks, Some(2_000_000)).bac, 2_000_000);
    }

    #[test]
    fn delivery_metrics() {
        assert!(close(on_time_rate(&[(10, 10), (12, 11), (9, 10), (20, 30)]), 0.75));
        assert_eq!(on_time_rate(&[]), None);
        assert!(close(schedule_variance_days(960, 480), 2.0));
        assert!(close(utilisation(2880, 2400), 1.2));
        assert!(close(scope_creep(15, 100), 0.15));
        assert!(close(velocity(&[10, 20, 30, 40]), 30.0));
        assert!(close(velocity(&[12]), 12.0));
        assert_eq!(velocity(&[]), None);
        assert!(close(defects_per_100_points(3, 150), 2.0));
        assert!(close(escape_rate(1, 4), 0.25));
    }

    #[test]
    fn rag_thresholds() {
        let t = RagThresholds::default();
        let base = StatusFacts {
            spi: Some(1.0),
            cpi: Some(1.0),
            scope_creep: Some(0.0),
            worst_open_risk: None,
            open_critical_defects: 0,
            forecast_after_target: false,
        };
        assert_eq!(status_rag(&base, &t).overall, Rag::Green);
        let r = status_rag(&StatusFacts { spi: Some(0.94), ..base }, &t);
        assert_eq!((r.schedule, r.overall), (Rag::Amber, Rag::Amber));
        assert_eq!(status_rag(&StatusFacts { spi: Some(0.95), ..base }, &t).schedule, Rag::Green);
        assert_eq!(status_rag(&StatusFacts { cpi: Some(0.89), ..base }, &t).budget, Rag::Red);
        assert_eq!(status_rag(&StatusFacts { scope_creep: Some(0.11), ..base }, &t).scope, Rag::Amber);
        assert_eq!(status_rag(&StatusFacts { scope_creep: Some(0.10), ..base }, &t).scope, Rag::Green);
        assert_eq!(status_rag(&StatusFacts { scope_creep: Some(0.21), ..base }, &t).scope, Rag::Red);
        assert_eq!(status_rag(&StatusFacts { worst_open_risk: Some(15), ..base }, &t).risk, Rag::Amber);
        assert_eq!(status_rag(&StatusFacts { worst_open_risk: Some(20), ..base }, &t).risk, Rag::Red);
        assert_eq!(status_rag(&StatusFacts { open_critical_defects: 1, ..base }, &t).quality, Rag::Red);
        let r = status_rag(&StatusFacts { forecast_after_target: true, ..base }, &t);
        assert_eq!((r.schedule, r.overall), (Rag::Red, Rag::Red));
    }

    #[test]
    fn rag_reasons_name_the_rule() {
        let t = RagThresholds::default();
        let f = StatusFacts {
            spi: Some(0.996),
            cpi: Some(0.956),
            scope_creep: Some(0.0),
            worst_open_risk: Some(15),
            open_critical_defects: 2,
            forecast_after_target: false,
        };
        let [schedule, budget, scope, quality, risk] = rag_reasons(&f, &t);
        assert_eq!(schedule, "SPI 1.00 (amber below 0.95, red below 0.90)");
        assert_eq!(budget, "CPI 0.96 (amber below 0.95, red below 0.90)");
        assert_eq!(scope, "scope creep 0 % (amber above 10 %, red above 20 %)");
        assert_eq!(quality, "2 open critical defects");
        assert_eq!(risk, "worst open risk scores 15 (amber from 15, red from 20)");
        let late = rag_reasons(&StatusFacts { forecast_after_target: true, cpi: None, ..f }, &t);
        assert_eq!(late[0], "the forecast finish is after the target finish");
        assert_eq!(late[1], "no CPI yet");
    }
}

crate::str_enum! {
    pub enum ReportStatus { Draft = "draft", Published = "published" }
}

/// A project's status for a period: drafted from the facts, edited and
/// published by the project manager.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatusReport {
    pub id: crate::Id,
    pub project_id: crate::Id,
    /// Free text such as `2027-W02` or `January 2027`.
    pub period: String,
    pub status: ReportStatus,
    /// As drafted, or as the manager set it.
    pub rag: StatusRag,
    /// What the draft was computed from.
    pub facts: StatusFacts,
    /// Markdown.
    pub summary: String,
    pub summary_html: String,
    pub created_by: crate::Id,
    pub published_at: Option<crate::Millis>,
    pub version: i64,
    pub created_at: crate::Millis,
    pub updated_at: crate::Millis,
}
