//! Monte Carlo schedule risk: each task's duration is drawn from its
//! three-point estimate, the network is rescheduled, and the finishes and
//! critical tasks are counted.
//!
//! Iteration `k` draws from its own ChaCha stream (seed, stream `k`), so a
//! result depends only on the seed and the iteration count: never on the
//! number of threads or the order they run in.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution as _};
use rayon::prelude::*;

use crate::cpm::{ScheduleError, finish_and_critical};
use crate::graph::Graph;
use crate::network::Network;
use crate::time::Minute;

/// Optimistic, most likely and pessimistic durations, in working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub optimistic: i64,
    pub likely: i64,
    pub pessimistic: i64,
}

impl Estimate {
    /// Valid when `0 ≤ optimistic ≤ likely ≤ pessimistic`.
    pub fn new(optimistic: i64, likely: i64, pessimistic: i64) -> Option<Estimate> {
        (0 <= optimistic && optimistic <= likely && likely <= pessimistic).then_some(Estimate {
            optimistic,
            likely,
            pessimistic,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distribution {
    #[default]
    Triangular,
    /// PERT-beta: the beta distribution with the PERT shape (λ = 4).
    Pert,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub iterations: u32,
    pub seed: u64,
    pub distribution: Distribution,
    /// A date to report the chance of finishing by.
    pub target: Option<Minute>,
    /// How many bins the histogram has.
    pub bins: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { iterations: 1000, seed: 1, distribution: Distribution::Triangular, target: None, bins: 20 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub from: Minute,
    pub to: Minute,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub iterations: u32,
    pub p10: Minute,
    pub p50: Minute,
    pub p80: Minute,
    pub p90: Minute,
    pub mean: Minute,
    pub min: Minute,
    pub max: Minute,
    pub histogram: Vec<Bin>,
    /// Per task: the share of iterations in which it was critical.
    pub criticality: Vec<f64>,
    /// The share of iterations finishing on or before the target.
    pub on_time: Option<f64>,
    /// Sorted project finishes, for S-curves.
    pub finishes: Vec<Minute>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonteCarloError {
    #[error("the number of iterations must be between 1 and 1,000,000")]
    Iterations,
    #[error("there must be one estimate slot per task")]
    Estimates,
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// What a batch of iterations found: finishes, and per task how often it
/// was critical.
type Tally = (Vec<Minute>, Vec<u32>);

/// One draw from an estimate.
fn draw(e: &Estimate, dist: Distribution, rng: &mut ChaCha8Rng) -> i64 {
    let (a, m, b) = (e.optimistic as f64, e.likely as f64, e.pessimistic as f64);
    if b <= a {
        return e.likely;
    }
    let x = match dist {
        Distribution::Triangular => {
            let u: f64 = rng.random();
            let cut = (m - a) / (b - a);
            if u < cut { a + (u * (b - a) * (m - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - m)).sqrt() }
        }
        Distribution::Pert => {
            let alpha = 1.0 + 4.0 * (m - a) / (b - a);
            let beta = 1.0 + 4.0 * (b - m) / (b - a);
            match Beta::new(alpha, beta) {
                Ok(d) => a + d.sample(rng) * (b - a),
                Err(_) => m,
            }
        }
    };
    x.round() as i64
}

/// Runs the simulation. `estimates` has one entry per task; tasks without
/// one keep their duration. `progress` is called with the number of
/// iterations done, now and then.
pub fn simulate(
    net: &Network,
    estimates: &[Option<Estimate>],
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Outcome, MonteCarloError> {
    if !(1..=1_000_000).contains(&options.iterations) {
        return Err(MonteCarloError::Iterations);
    }
    if estimates.len() != net.tasks.len() {
        return Err(MonteCarloError::Estimates);
    }
    let graph = Graph::build(net).map_err(ScheduleError::from)?;
    let n = net.tasks.len();
    let base: Vec<i64> = net.tasks.iter().map(|t| t.duration).collect();
    let done = std::sync::atomic::AtomicU64::new(0);
    const CHUNK: u32 = 64;
    let chunks: Vec<u32> = (0..options.iterations.div_ceil(CHUNK)).collect();
    let parts: Vec<Result<Tally, ScheduleError>> = chunks
        .par_iter()
        .map(|&c| {
            let mut finishes = Vec::with_capacity(CHUNK as usize);
            let mut critical = vec![0u32; n];
            let mut durations = base.clone();
            let from = c * CHUNK;
            let to = (from + CHUNK).min(options.iterations);
            for k in from..to {
                let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
                rng.set_stream(u64::from(k));
                for (i, e) in estimates.iter().enumerate() {
                    if let Some(e) = e {
                        durations[i] = draw(e, options.distribution, &mut rng);
                    }
                }
                let (finish, crit) = finish_and_critical(net, &graph, Some(&durations))?;
                finishes.push(finish);
                for (count, &is) in critical.iter_mut().zip(&crit) {
                    *count += u32::from(is);
                }
            }
            let total = done.fetch_add(u64::from(to - from), std::sync::atomic::Ordering::Relaxed);
            progress(total + u64::from(to - from));
            Ok((finishes, critical))
        })
        .collect();
    let mut finishes = Vec::with_capacity(options.iterations as usize);
    let mut critical = vec![0u32; n];
    for part in parts {
        let (f, c) = part?;
        finishes.extend(f);
        for (a, b) in critical.iter_mut().zip(c) {
            *a += b;
        }
    }
    finishes.sort_unstable();
    let count = finishes.len();
    let pct = |p: usize| finishes[((count * p).div_ceil(100)).clamp(1, count) - 1];
    let sum: i128 = finishes.iter().map(|&f| i128::from(f)).sum();
    let mean = (sum / count as i128) as Minute;
    let (min, max) = (finishes[0], finishes[count - 1]);
    // All iterations alike (no estimates): one bin says it all.
    let bins = if max == min { 1 } else { options.bins.clamp(1, 200) };
    let width = ((max - min) / bins as i64).max(1);
    let mut histogram: Vec<Bin> =
        (0..bins as i64).map(|b| Bin { from: min + b * width, to: min + (b + 1) * width, count: 0 }).collect();
    if let Some(last) = histogram.last_mut() {
        last.to = last.to.max(max);
    }
    for &f in &finishes {
        let b = (((f - min) / width) as usize).min(bins - 1);
        histogram[b].count += 1;
    }
    let on_time = options.target.map(|t| finishes.partition_point(|&f| f <= t) as f64 / count as f64);
    Ok(Outcome {
        iterations: options.iterations,
        p10: pct(10),
        p50: pct(50),
        p80: pct(80),
        p90: pct(90),
        mean,
        min,
        max,
        histogram,
        criticality: critical.iter().map(|&c| f64::from(c) / count as f64).collect(),
        on_time,
        finishes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Lag, LinkType, Task};
    use crate::time::parse;

    fn two_paths() -> (Network, Vec<Option<Estimate>>) {
        let mut net = Network::new(parse("2026-03-02T08:00:00").unwrap());
        let a = net.add(Task::new(2400));
        let b = net.add(Task::new(2400));
        let end = net.add(Task::new(0));
        net.link(a, end, LinkType::FinishToStart, Lag::Working(0));
        net.link(b, end, LinkType::FinishToStart, Lag::Working(0));
        let est = vec![Estimate::new(1920, 2400, 4800), Estimate::new(1920, 2400, 2880), None];
        (net, est)
    }

    #[test]
    fn same_seed_same_answer_on_any_thread_count() {
        let (net, est) = two_paths();
        let opts = Options { iterations: 500, seed: 42, ..Options::default() };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| simulate(&net, &est, &opts, &|_| {}).unwrap());
        let b = four.install(|| simulate(&net, &est, &opts, &|_| {}).unwrap());
        assert_eq!(a, b);
        let c = simulate(&net, &est, &Options { seed: 43, ..opts.clone() }, &|_| {}).unwrap();
        assert_ne!(a.finishes, c.finishes);
    }

    #[test]
    fn percentiles_criticality_and_target() {
        let (net, est) = two_paths();
        for dist in [Distribution::Triangular, Distribution::Pert] {
            let opts = Options {
                iterations: 2000,
                seed: 7,
                distribution: dist,
                target: Some(parse("2026-03-09T17:00:00").unwrap()),
                bins: 10,
            };
            let o = simulate(&net, &est, &opts, &|_| {}).unwrap();
            assert!(o.min <= o.p10 && o.p10 <= o.p50 && o.p50 <= o.p80 && o.p80 <= o.p90 && o.p90 <= o.max);
            // The wide task is critical far more often than the narrow one.
            assert!(o.criticality[0] > 0.6 && o.criticality[1] < 0.5, "{:?}", o.criticality);
            assert_eq!(o.criticality[2], 1.0);
            assert_eq!(o.histogram.iter().map(|b| b.count).sum::<u32>(), 2000);
            let p = o.on_time.unwrap();
            assert!(p > 0.0 && p < 1.0, "{p}");
        }
        assert!(Estimate::new(5, 3, 9).is_none());
    }

    #[test]
    fn triangular_draws_have_the_right_mean() {
        let e = Estimate::new(0, 300, 1200).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 20_000;
        let mean = (0..n).map(|_| draw(&e, Distribution::Triangular, &mut rng)).sum::<i64>() as f64 / n as f64;
        assert!((mean - 500.0).abs() < 10.0, "{mean}");
        let pert = (0..n).map(|_| draw(&e, Distribution::Pert, &mut rng)).sum::<i64>() as f64 / n as f64;
        assert!((pert - 400.0).abs() < 10.0, "{pert}");
    }
}
