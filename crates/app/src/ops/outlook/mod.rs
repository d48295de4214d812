//! Looking ahead: Monte Carlo schedule risk runs, stored with their
//! inputs, and status reports drafted from the project's figures with the
//! RAG thresholds of the design (editable per project).

mod dashboard;
mod reports;

pub use dashboard::*;
pub use reports::*;

use serde::{Deserialize, Serialize};
use tandem_core::Id;
use tandem_core::project::LocalTime;
use tandem_sched::montecarlo::{Distribution, Estimate, Options, simulate};
use tandem_store::runs::RunRow;
use utoipa::ToSchema;

use super::delivery;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;

tandem_core::str_enum! {
    /// How task durations are drawn from their three-point estimates.
    pub enum Spread { Triangular = "triangular", Pert = "pert" }
}

/// `POST /projects/{id}/monte-carlo`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// 1 to 100 000 (default 1000).
    pub iterations: Option<u32>,
    /// Any non-negative integer (default 1): the same seed gives the same answer.
    pub seed: Option<u64>,
    /// Defaults to `triangular`.
    pub distribution: Option<Spread>,
    /// Report the chance of finishing by this date (default: the project's target finish).
    pub target: Option<LocalTime>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistogramBin {
    pub from: LocalTime,
    pub to: LocalTime,
    pub count: u32,
}

/// Iterations finishing on each calendar day, from a run's bins: the
/// engine's bins are in working minutes and can be narrower than a day,
/// and people read a finish by its day. Days without finishes between the
/// first and the last are kept, at zero, so gaps show.
pub fn finishes_per_day(bins: &[HistogramBin]) -> Vec<(jiff::civil::Date, u32)> {
    let mut days: Vec<(jiff::civil::Date, u32)> = Vec::new();
    for b in bins {
        let day = b.from.0.date();
        match days.last_mut() {
            Some((d, n)) if *d == day => *n += b.count,
            _ => {
                // Fill the days between with zeros.
                while let Some(next) = days.last().and_then(|(d, _)| d.tomorrow().ok()).filter(|n| *n < day) {
                    days.push((next, 0));
                }
                days.push((day, b.count));
            }
        }
    }
    days
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CurvePoint {
    pub date: LocalTime,
    /// Share of iterations finished by `date`.
    pub probability: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Criticality {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    /// Share of iterations in which the task was critical, 0–1.
    pub index: f64,
}

/// What a run found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunResult {
    pub p10: LocalTime,
    pub p50: LocalTime,
    pub p80: LocalTime,
    pub p90: LocalTime,
    pub mean: LocalTime,
    pub min: LocalTime,
    pub max: LocalTime,
    /// The deterministic finish of the plan, for comparison.
    pub planned_finish: LocalTime,
    pub target: Option<LocalTime>,
    /// Probability of finishing by the target.
    pub on_time: Option<f64>,
    pub histogram: Vec<HistogramBin>,
    pub s_curve: Vec<CurvePoint>,
    /// Tasks by criticality index, highest first (summaries left out).
    pub criticality: Vec<Criticality>,
}

/// One task as the run saw it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunTask {
    pub task_id: Id,
    pub duration_minutes: i64,
    pub estimate: Option<tandem_core::project::Estimate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunInputs {
    pub start: LocalTime,
    pub status_date: Option<LocalTime>,
    pub tasks: Vec<RunTask>,
}

/// A stored run: what it was asked, from which plan, and what it found.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonteCarloRun {
    pub id: Id,
    pub project_id: Id,
    pub iterations: i64,
    pub seed: i64,
    pub distribution: String,
    pub created_by: Id,
    pub created_at: tandem_core::Millis,
    pub inputs: RunInputs,
    pub results: RunResult,
}

fn corrupt(e: serde_json::Error) -> AppError {
    AppError::Internal(format!("stored run: {e}"))
}

pub fn run_view(r: RunRow) -> Result<MonteCarloRun, AppError> {
    Ok(MonteCarloRun {
        id: r.id,
        project_id: r.project_id,
        iterations: r.iterations,
        seed: r.seed,
        distribution: r.distribution,
        created_by: r.created_by,
        created_at: r.created_at,
        inputs: serde_json::from_str(&r.inputs_json).map_err(corrupt)?,
        results: serde_json::from_str(&r.results_json).map_err(corrupt)?,
    })
}

fn local(m: tandem_sched::Minute) -> Result<LocalTime, AppError> {
    tandem_sched::time::to_datetime(m)
        .map(LocalTime)
        .ok_or_else(|| AppError::Internal(format!("minute {m} out of range")))
}

/// The most iteration × task steps one run may take.
const MAX_WORK: u64 = 50_000_000;

/// Runs the simulation on the plan as it is now and stores it.
pub async fn run_monte_carlo(state: &App, a: &InProject, req: RunRequest) -> Result<MonteCarloRun, AppError> {
    let iterations = req.iterations.unwrap_or(1000);
    if !(1..=100_000).contains(&iterations) {
        return Err(AppError::invalid("iterations", "must be from 1 to 100000"));
    }
    let seed = req.seed.unwrap_or(1);
    let seed_i64 = i64::try_from(seed).map_err(|_| AppError::invalid("seed", "must be below 2^63"))?;
    let spread = req.distribution.unwrap_or(Spread::Triangular);
    let c = crate::schedules::computed(state, a.scope.project_id).await?;
    let (plan, base) = (&c.plan, &c.schedule);
    if u64::from(iterations) * (plan.tasks.len() as u64).max(1) > MAX_WORK {
        return Err(AppError::invalid("iterations", format!("iterations × tasks may be at most {MAX_WORK}")));
    }
    let net = plan.network()?;
    let estimates: Vec<Option<Estimate>> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if base.is_summary[i] {
                return None;
            }
            t.estimate.and_then(|e| Estimate::new(e.optimistic_minutes, e.likely_minutes, e.pessimistic_minutes))
        })
        .collect();
    let target = req.target.or(plan.project.target_finish);
    let options = Options {
        iterations,
        seed,
        distribution: match spread {
            Spread::Triangular => Distribution::Triangular,
            Spread::Pert => Distribution::Pert,
        },
        target: target.map(|t| tandem_sched::time::from_datetime(t.0)),
        bins: 20,
    };
    let out = tokio::task::spawn_blocking(move || simulate(&net, &estimates, &options, &|_| {}))
        .await
        .map_err(|e| AppError::Internal(format!("monte carlo task: {e}")))?
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
    let n = out.finishes.len().max(1);
    let step = (n / 50).max(1);
    let mut s_curve = Vec::new();
    for (k, f) in out.finishes.iter().enumerate() {
        if (k + 1) % step == 0 || k + 1 == n {
            s_curve.push(CurvePoint { date: local(*f)?, probability: (k + 1) as f64 / n as f64 });
        }
    }
    let mut criticality: Vec<Criticality> = plan
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, _)| !base.is_summary[*i])
        .map(|(i, t)| Criticality {
            task_id: t.id,
            key: t.key.clone(),
            name: t.name.clone(),
            index: (out.criticality[i] * 1000.0).round() / 1000.0,
        })
        .collect();
    criticality.sort_by(|x, y| y.index.total_cmp(&x.index).then(x.key.cmp(&y.key)));
    let results = RunResult {
        p10: local(out.p10)?,
        p50: local(out.p50)?,
        p80: local(out.p80)?,
        p90: local(out.p90)?,
        mean: local(out.mean)?,
        min: local(out.min)?,
        max: local(out.max)?,
        planned_finish: local(base.project_finish)?,
        target,
        on_time: out.on_time,
        histogram: out
            .histogram
            .iter()
            .map(|b| Ok(HistogramBin { from: local(b.from)?, to: local(b.to)?, count: b.count }))
            .collect::<Result<_, AppError>>()?,
        s_curve,
        criticality,
    };
    let inputs = RunInputs {
        start: plan.project.start,
        status_date: plan.project.status_date,
        tasks: plan
            .tasks
            .iter()
            .map(|t| RunTask { task_id: t.id, duration_minutes: t.duration_minutes, estimate: t.estimate })
            .collect(),
    };
    let row = RunRow {
        id: Id(0),
        project_id: a.scope.project_id,
        iterations: i64::from(iterations),
        seed: seed_i64,
        distribution: spread.to_string(),
        inputs_json: to_json(&inputs)?,
        results_json: to_json(&results)?,
        created_by: a.user_id,
        created_at: state.clock.now(),
    };
    run_view(state.store.create_run(&row, state.clock.now()).await?)
}

fn to_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("json: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_narrower_than_a_day_add_up_per_day() {
        let at = |s: &str| LocalTime(s.parse().unwrap());
        let bin = |from: &str, to: &str, count| HistogramBin { from: at(from), to: at(to), count };
        let days = finishes_per_day(&[
            bin("2027-01-20T08:00:00", "2027-01-20T12:00:00", 3),
            bin("2027-01-20T12:00:00", "2027-01-20T16:00:00", 4),
            bin("2027-01-22T09:00:00", "2027-01-22T13:00:00", 1),
        ]);
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(days, vec![(d("2027-01-20"), 7), (d("2027-01-21"), 0), (d("2027-01-22"), 1)]);
    }
}
