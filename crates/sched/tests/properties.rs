//! Properties that hold for every network without constraints, progress
//! or deadlines: links hold in working time, late dates are not before
//! early ones, slack is not negative, the critical path is unbroken, and
//! the same input gives the same output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use tandem_sched::{Lag, LinkType, Minute, Network, Schedule, Task, schedule, time};

#[derive(Debug, Clone)]
struct Spec {
    durations: Vec<i64>,
    links: Vec<(usize, usize, u8, i64, bool)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..40).prop_flat_map(|n| {
        let durations = prop::collection::vec(prop_oneof![Just(0i64), (1i64..=40).prop_map(|h| h * 60)], n);
        let links = prop::collection::vec((0..n, 0..n, 0u8..4, -8i64..=16, any::<bool>()), 0..(2 * n));
        (durations, links).prop_map(|(durations, links)| Spec { durations, links })
    })
}

fn build(s: &Spec) -> Network {
    let mut net = Network::new(time::parse("2026-03-02T08:00:00").unwrap());
    for &d in &s.durations {
        net.add(Task::new(d));
    }
    for &(a, b, kind, lag, elapsed) in &s.links {
        // Only forward links: the network stays acyclic.
        let (p, q) = if a < b {
            (a, b)
        } else if b < a {
            (b, a)
        } else {
            continue;
        };
        let kind = [LinkType::FinishToStart, LinkType::StartToStart, LinkType::FinishToFinish, LinkType::StartToFinish]
            [kind as usize];
        let lag = if elapsed { Lag::Elapsed(lag * 60) } else { Lag::Working(lag * 60) };
        net.link(p as u32, q as u32, kind, lag);
    }
    net
}

/// The bound a link puts on its successor, and the successor's date it bounds.
fn bound(net: &Network, s: &Schedule, l: usize) -> (Minute, Minute) {
    let link = net.links[l];
    let (p, q) = (link.pred as usize, link.succ as usize);
    let base = if link.kind.from_finish() { s.early_finish[p] } else { s.early_start[p] };
    let cal = &net.calendars[0];
    let b = match link.lag {
        Lag::Working(m) => cal.add(base, m).unwrap(),
        Lag::Elapsed(m) => base + m,
        Lag::Percent(_) => unreachable!(),
    };
    let own = if link.kind.to_finish() { s.early_finish[q] } else { s.early_start[q] };
    (b, own)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn links_hold_and_dates_are_ordered(sp in spec()) {
        let net = build(&sp);
        let s = schedule(&net).unwrap();
        let cal = &net.calendars[0];
        for l in 0..net.links.len() {
            let (b, own) = bound(&net, &s, l);
            // No working time between the successor's date and the bound
            // it must respect: it is not earlier in working time.
            prop_assert!(own >= b || cal.between(own, b) == 0, "link {l}: {} < {}", time::format(own), time::format(b));
        }
        for i in 0..net.tasks.len() {
            prop_assert!(s.late_start[i] >= s.early_start[i] || cal.between(s.late_start[i], s.early_start[i]) == 0);
            prop_assert!(s.late_finish[i] >= s.early_finish[i] || cal.between(s.late_finish[i], s.early_finish[i]) == 0);
            prop_assert!(s.total_slack[i] >= 0, "task {i} slack {}", s.total_slack[i]);
            prop_assert!(s.free_slack[i] >= 0 && s.free_slack[i] <= s.total_slack[i]);
            prop_assert!(s.early_finish[i] <= s.project_finish);
            prop_assert_eq!(s.critical[i], s.total_slack[i] <= 0);
        }
    }

    #[test]
    fn the_critical_path_is_unbroken(sp in spec()) {
        // Elapsed lags can end in non-working time, where a successor
        // waits for the next working moment whatever its predecessor
        // does: such a link drives nothing. Check working lags only.
        let sp = Spec { links: sp.links.into_iter().map(|(a, b, k, l, _)| (a, b, k, l, false)).collect(), ..sp };
        let net = build(&sp);
        let s = schedule(&net).unwrap();
        let cal = &net.calendars[0];
        // Some critical task ends the project...
        let ends: Vec<usize> = (0..net.tasks.len()).filter(|&i| s.critical[i] && s.early_finish[i] == s.project_finish).collect();
        prop_assert!(!ends.is_empty());
        // ...and every critical task is either driven by a critical
        // predecessor or starts with the project.
        for i in (0..net.tasks.len()).filter(|&i| s.critical[i]) {
            let at_start = cal.between(net.start, s.early_start[i]) == 0;
            let driven = (0..net.links.len()).any(|l| {
                let link = net.links[l];
                let (b, own) = bound(&net, &s, l);
                link.succ as usize == i && s.critical[link.pred as usize] && cal.between(b, own) == 0
            });
            prop_assert!(at_start || driven, "critical task {i} has no critical driver");
        }
    }

    #[test]
    fn same_input_same_output(sp in spec()) {
        let net = build(&sp);
        prop_assert_eq!(schedule(&net).unwrap(), schedule(&net.clone()).unwrap());
    }
}

fn calendar_with(night: bool, holidays: &[(i64, i64, u8)]) -> tandem_sched::Calendar {
    use tandem_sched::{Shifts, Week};
    let week = if night {
        let n = Shifts::new(&[(0, 180), (240, 480), (1380, 1440)]).unwrap();
        Week::new([n, n, n, n, n, n, Shifts::NONE])
    } else {
        Week::standard()
    };
    let base = tandem_sched::time::day_of(time::parse("2025-01-01").unwrap());
    let overrides: Vec<tandem_sched::calendar::Override> = holidays
        .iter()
        .map(|&(start, len, kind)| {
            let week = match kind {
                0 => Week::uniform(Shifts::NONE),
                1 => Week::uniform(Shifts::new(&[(480, 720)]).unwrap()),
                _ => {
                    let long = Shifts::new(&[(420, 1020)]).unwrap();
                    Week::new([long, long, long, long, Shifts::NONE, Shifts::NONE, Shifts::NONE])
                }
            };
            tandem_sched::calendar::Override { from_day: base + start, to_day: base + start + len, week, rank: 2 }
        })
        .collect();
    tandem_sched::Calendar::new("random", week, &overrides).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_closed_form_calendar_agrees_with_walking_day_by_day(
        offset in 0i64..(3 * 365 * 1440),
        minutes in 0i64..200_000,
        night in any::<bool>(),
        holidays in prop::collection::vec((0i64..1000, 0i64..40, 0u8..3), 0..12),
    ) {
        let fast = calendar_with(night, &holidays);
        let slow = fast.without_shortcuts();
        let t = time::parse("2025-01-01T00:00:00").unwrap() + offset;
        prop_assert_eq!(fast.add(t, minutes), slow.add(t, minutes));
        prop_assert_eq!(fast.sub(t, minutes), slow.sub(t, minutes));
        prop_assert_eq!(fast.next_start(t), slow.next_start(t));
        prop_assert_eq!(fast.prev_finish(t), slow.prev_finish(t));
        let u = t + minutes;
        prop_assert_eq!(fast.between(t, u), slow.between(t, u));
        prop_assert_eq!(fast.between(u, t), slow.between(u, t));
    }
}

/// A plain network with some summaries and percentage lags.
fn plain_spec() -> impl Strategy<Value = (Spec, Vec<Option<usize>>, Vec<(usize, i64)>)> {
    spec().prop_flat_map(|sp| {
        let n = sp.durations.len();
        let parents = prop::collection::vec(prop::option::weighted(0.3, 0..n), n);
        let percents = prop::collection::vec((0..n, 0i64..=150), 0..4);
        (Just(sp), parents, percents)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn the_integer_path_agrees_with_the_general_one((sp, parents, percents) in plain_spec()) {
        // Working lags only: elapsed ones take the general path anyway.
        let sp = Spec { links: sp.links.into_iter().map(|(a, b, k, l, _)| (a, b, k, l, false)).collect(), ..sp };
        let mut net = build(&sp);
        for (i, p) in parents.iter().enumerate() {
            // Parents come before their children, like an outline.
            if let Some(p) = p.filter(|&p| p < i) {
                net.tasks[i].parent = Some(p as u32);
            }
        }
        for &(l, pct) in &percents {
            if let Some(link) = net.links.get_mut(l) {
                link.lag = Lag::Percent(pct * 100);
            }
        }
        if percents.len() % 2 == 1 {
            // A calendar with holidays and changed weeks, on both paths.
            net.calendars[0] = calendar_with(false, &[(60, 3, 0), (70, 20, 2), (100, 1, 1), (400, 30, 0)]);
        }
        let Ok(graph) = tandem_sched::Graph::build(&net) else { return Ok(()) };
        let fast = tandem_sched::schedule_with(&net, &graph, None).unwrap();
        let general = tandem_sched::schedule_general(&net, &graph, None).unwrap();
        prop_assert_eq!(&fast, &general);
        let (finish, critical) = tandem_sched::finish_and_critical(&net, &graph, None).unwrap();
        prop_assert_eq!(finish, general.project_finish);
        prop_assert_eq!(critical, general.critical);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Levelling: the links still hold, no resource is ever booked beyond
    /// its units, nothing moves earlier, and the same input gives the same
    /// delays.
    #[test]
    fn levelling_fits_every_resource_and_keeps_the_links(
        sp in spec(),
        uses in prop::collection::vec((0u32..3, prop_oneof![Just(0.5f64), Just(1.0)]), 40),
        max in prop::collection::vec(prop_oneof![Just(1.0f64), Just(1.5)], 3),
    ) {
        use tandem_sched::level::{apply, level, Assignment, Resource};
        let net = build(&sp);
        let resources: Vec<Resource> = max.iter().map(|&m| Resource { max_units: m }).collect();
        let assignments: Vec<Assignment> = (0..net.tasks.len())
            .map(|i| Assignment { task: i as u32, resource: uses[i].0, units: uses[i].1 })
            .collect();
        let priority = vec![500; net.tasks.len()];
        let l = level(&net, &resources, &assignments, &priority).unwrap();
        prop_assert_eq!(&l, &level(&net, &resources, &assignments, &priority).unwrap());
        let before = schedule(&net).unwrap();
        let levelled = apply(&net, &l.delays);
        let s = schedule(&levelled).unwrap();
        let cal = &net.calendars[0];
        for link in 0..net.links.len() {
            let (b, own) = bound(&levelled, &s, link);
            prop_assert!(own >= b || cal.between(own, b) == 0, "link {link} broken by levelling");
        }
        for i in 0..net.tasks.len() {
            prop_assert!(s.start[i] >= before.start[i], "task {i} moved earlier");
        }
        // The load of each resource where any of its tasks starts.
        for (r, res) in resources.iter().enumerate() {
            let on: Vec<&Assignment> = assignments.iter().filter(|a| a.resource as usize == r).collect();
            for a in &on {
                let t = s.start[a.task as usize];
                let load: f64 = on
                    .iter()
                    .filter(|b| s.start[b.task as usize] <= t && t < s.finish[b.task as usize])
                    .map(|b| b.units)
                    .sum();
                prop_assert!(load <= res.max_units + 1e-9, "resource {r} at {}: {load}", time::format(t));
            }
        }
        prop_assert_eq!(l.finish_before, before.project_finish);
        prop_assert_eq!(l.finish_after, s.project_finish);
    }
}
