//! Engine benchmarks on synthetic programmes (see `tandem_sched::synthetic`).
//! Run: `cargo bench -p tandem-sched --bench engine`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use divan::Bencher;
use tandem_sched::montecarlo::{self, Estimate};
use tandem_sched::{Graph, schedule_with, synthetic};

fn main() {
    divan::main();
}

/// Both passes, slack and the critical flag, from the prepared arrays.
#[divan::bench(args = [1_000, 10_000, 100_000, 1_000_000], sample_count = 10, sample_size = 1)]
fn cpm_passes(bencher: Bencher, n: usize) {
    let (net, _) = synthetic::network(n, 1);
    let graph = Graph::build(&net).unwrap();
    bencher.bench_local(|| schedule_with(&net, &graph, None).unwrap().project_finish);
}

/// The topological order over start and finish nodes.
#[divan::bench(args = [10_000, 100_000, 1_000_000], sample_count = 10, sample_size = 1)]
fn graph_build(bencher: Bencher, n: usize) {
    let (net, _) = synthetic::network(n, 1);
    bencher.bench_local(|| Graph::build(&net).unwrap().order.len());
}

/// 10,000 iterations over 1,000 tasks, every task with an estimate.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn monte_carlo_10k_x_1k(bencher: Bencher) {
    let (net, _) = synthetic::network(1_000, 1);
    let est: Vec<Option<Estimate>> =
        net.tasks.iter().map(|t| Estimate::new(t.duration * 8 / 10, t.duration, t.duration * 3 / 2)).collect();
    let opts = montecarlo::Options { iterations: 10_000, seed: 1, ..montecarlo::Options::default() };
    bencher.bench_local(|| montecarlo::simulate(&net, &est, &opts, &|_| {}).unwrap().p80);
}

/// The passes alone, as Monte Carlo runs them: the project finish and the
/// critical flags, without building the full schedule.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 10, sample_size = 1)]
fn cpm_finish_and_critical(bencher: Bencher, n: usize) {
    let (net, _) = synthetic::network(n, 1);
    let graph = Graph::build(&net).unwrap();
    bencher.bench_local(|| tandem_sched::finish_and_critical(&net, &graph, None).unwrap().0);
}

/// Levelling: every leaf on one of `n / 100` full-time people, round
/// robin, so that most tasks wait for someone.
#[divan::bench(args = [1_000, 10_000], sample_count = 5, sample_size = 1)]
fn levelling(bencher: Bencher, n: usize) {
    level_on(bencher, n, n / 100);
}

/// Levelling 10,000 tasks that all need the same person: the longest
/// queue there is.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn levelling_10k_on_one_person(bencher: Bencher) {
    level_on(bencher, 10_000, 1);
}

fn level_on(bencher: Bencher, n: usize, people: usize) {
    use tandem_sched::level::{Assignment, Resource, level};
    let (net, leaves) = synthetic::network(n, 1);
    let resources = vec![Resource { max_units: 1.0 }; people];
    let assignments: Vec<Assignment> = leaves
        .iter()
        .enumerate()
        .map(|(k, &task)| Assignment { task, resource: (k % people) as u32, units: 1.0 })
        .collect();
    let priority = vec![500; net.tasks.len()];
    bencher.bench_local(|| level(&net, &resources, &assignments, &priority).unwrap().moved.len());
}
