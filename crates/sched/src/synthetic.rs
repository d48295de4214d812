//! Synthetic project networks shaped like real programmes, for benchmarks
//! and tests: parallel work streams of 200 tasks, 1–20 day durations, 5 %
//! milestones, about 2.4 predecessors per task (FS 85 %, SS 8 %, FF 5 %,
//! SF 2 %), small lags and leads, a summary per 50 tasks. The draws follow
//! the benchmark generator the peers are measured on, so the same `n` and
//! `seed` give the same network.

use crate::network::{Lag, LinkType, Network, Task};
use crate::time::{Minute, from_datetime};

const LANE: u64 = 200;
const NEAR: u64 = 20;
const PACKAGE: usize = 50;

/// SplitMix64, as in the generator: small, seeded, the same numbers on
/// every run (benchmarks' synthetic data).
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number below `n`.
    pub fn rand(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A predecessor: its index, MSPDI link type (0 FF, 1 FS, 2 SF, 3 SS) and
/// lag in working days.
pub type Pred = (usize, u8, i64);

/// Durations in working days and predecessors of `n` leaf tasks, in
/// topological order.
pub fn leaves(n: usize, seed: u64) -> (Vec<i64>, Vec<Vec<Pred>>) {
    let mut rng = SplitMix64(seed);
    let mut dur = vec![0i64; n];
    let mut preds = vec![Vec::new(); n];
    for i in 0..n {
        let (lane, pos) = (i as u64 / LANE, i as u64 % LANE);
        dur[i] = if rng.rand(100) < 5 { 0 } else { 1 + rng.rand(20) as i64 };
        let k = if i == 0 {
            0
        } else {
            match rng.rand(100) {
                0 => 0,
                1..=15 => 1,
                16..=50 => 2,
                51..=85 => 3,
                _ => 4,
            }
        };
        let mut list: Vec<Pred> = Vec::new();
        for _ in 0..k {
            let p = if rng.rand(100) < 85 && pos > 0 {
                i as u64 - (1 + rng.rand(pos.min(NEAR)))
            } else if lane > 0 && (pos == 0 || rng.rand(2) == 0) {
                rng.rand(lane) * LANE + rng.rand(pos + 1)
            } else {
                lane * LANE + rng.rand(pos)
            } as usize;
            if list.iter().any(|&(q, _, _)| q == p) {
                continue;
            }
            let x = rng.rand(100);
            let t = if x < 85 {
                1
            } else if x < 93 {
                3
            } else if x < 98 {
                0
            } else {
                2
            };
            let x = rng.rand(100);
            let lag = if x < 80 {
                0
            } else if x < 95 {
                1 + rng.rand(5) as i64
            } else {
                -(1 + rng.rand(3) as i64)
            };
            list.push((p, t, lag));
        }
        if !list.is_empty() && !list.iter().any(|&(_, t, lag)| (t == 1 || t == 3) && lag >= 0) {
            list[0] = (list[0].0, 1, 0);
        }
        preds[i] = list;
    }
    (dur, preds)
}

/// The project start of the generated networks: Monday 2025-01-06 08:00.
pub fn start() -> Minute {
    from_datetime(jiff::civil::date(2025, 1, 6).at(8, 0, 0, 0))
}

/// The network with its summaries (the project, then one per 50 tasks) on
/// the Standard calendar, and the network index of each leaf.
pub fn network(n: usize, seed: u64) -> (Network, Vec<u32>) {
    let (dur, preds) = leaves(n, seed);
    let mut net = Network::new(start());
    net.tasks.reserve(n + n / PACKAGE + 2);
    net.links.reserve(n * 5 / 2);
    let root = net.add(Task::new(0));
    let mut leaf_ix = vec![0u32; n];
    for chunk in (0..n).collect::<Vec<_>>().chunks(PACKAGE) {
        let mut wp = Task::new(0);
        wp.parent = Some(root);
        let wp = net.add(wp);
        for &i in chunk {
            let mut t = Task::new(dur[i] * 480);
            t.parent = Some(wp);
            leaf_ix[i] = net.add(t);
        }
    }
    for (i, list) in preds.iter().enumerate() {
        for &(p, t, lag) in list {
            let kind = match t {
                0 => LinkType::FinishToFinish,
                2 => LinkType::StartToFinish,
                3 => LinkType::StartToStart,
                _ => LinkType::FinishToStart,
            };
            net.link(leaf_ix[p], leaf_ix[i], kind, Lag::Working(lag * 480));
        }
    }
    (net, leaf_ix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpm::schedule;

    /// What `tandem schedule` computes for the generator's MSPDI file.
    const FINISH_1K_SEED_1: &str = "2027-01-26T17:00:00";

    #[test]
    fn deterministic_and_shaped_like_a_programme() {
        let (a, _) = network(1000, 1);
        let (b, _) = network(1000, 1);
        assert_eq!(a, b);
        assert_eq!(a.tasks.len(), 1000 + 20 + 1);
        let per_task = a.links.len() as f64 / 1000.0;
        assert!((2.2..2.6).contains(&per_task), "{per_task}");
        // The benchmark generator makes 2,367 links for 1,000 tasks, seed 1.
        assert_eq!(a.links.len(), 2367);
        assert_eq!(crate::time::format(schedule(&a).unwrap().project_finish), FINISH_1K_SEED_1);
        let s = schedule(&a).unwrap();
        assert!(s.project_finish > start());
        assert!(s.critical.iter().filter(|&&c| c).count() > 1);
    }
}
