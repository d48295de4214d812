//! Resource levelling, as an explicit operation: a serial schedule in
//! which each task, taken when its predecessors are placed, starts at the
//! first moment its resources have room for it for its whole duration.
//! Tasks with more slack, lower priority and higher ID give way first.
//! Nothing changes until the caller applies the delays it returns.

use std::collections::BTreeMap;

use crate::calendar::CalendarError;
use crate::cpm::{Placer, ScheduleError, level_forward, schedule_with};
use crate::graph::Graph;
use crate::network::{Lag, Network, TaskIx};
use crate::time::Minute;

/// A resource that can be over-allocated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resource {
    /// 1.0 = one full-time person.
    pub max_units: f64,
}

/// A task's use of a resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assignment {
    pub task: TaskIx,
    pub resource: u32,
    pub units: f64,
}

/// What levelling did: the delay of every task that moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leveled {
    /// Per task: working minutes of delay added before its start.
    pub delays: Vec<i64>,
    /// The tasks that moved, with their delay, in task order.
    pub moved: Vec<(TaskIx, i64)>,
    /// Tasks that need more of a resource than it has at all: levelling
    /// leaves them where their links put them (MS Project's "Skip All").
    pub unresolved: Vec<TaskIx>,
    pub finish_before: Minute,
    pub finish_after: Minute,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LevelError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("assignment {0} refers to a task or resource that does not exist")]
    BadAssignment(usize),
}

impl From<CalendarError> for LevelError {
    fn from(e: CalendarError) -> Self {
        LevelError::Schedule(ScheduleError::Calendar(e))
    }
}

/// The load on one resource over time, as a step function: each key
/// starts a stretch of constant load that lasts until the next key (no
/// key: no load). Neighbouring stretches of equal load are merged, so a
/// person booked back to back is one stretch however many tasks it holds.
#[derive(Default)]
struct Load(BTreeMap<Minute, f64>);

const EPS: f64 = 1e-9;

impl Load {
    fn at(&self, t: Minute) -> f64 {
        self.0.range(..=t).next_back().map_or(0.0, |(_, &l)| l)
    }

    /// A key at `t`, so that a stretch starts there.
    fn split(&mut self, t: Minute) {
        let l = self.at(t);
        self.0.entry(t).or_insert(l);
    }

    /// Books `units` over [from, to).
    fn add(&mut self, from: Minute, to: Minute, units: f64) {
        if from >= to {
            return;
        }
        self.split(from);
        self.split(to);
        for (_, l) in self.0.range_mut(from..to) {
            *l += units;
        }
        // Merge where the load no longer changes.
        let keys: Vec<Minute> = self.0.range(from..=to).map(|(&k, _)| k).collect();
        for k in keys {
            let before = self.0.range(..k).next_back().map_or(0.0, |(_, &l)| l);
            if self.0.get(&k).is_some_and(|&l| (l - before).abs() < EPS) {
                self.0.remove(&k);
            }
        }
    }

    /// Whether `units` more fit in [from, to) within `max`; if not, the
    /// first moment room may appear: the end of the first stretch in the
    /// way. No start before it can fit, since any window that starts
    /// earlier still covers part of that stretch.
    fn blocked(&self, from: Minute, to: Minute, units: f64, max: f64) -> Option<Minute> {
        use std::ops::Bound::Excluded;
        if from >= to {
            return None;
        }
        let first = self.0.range(..=from).next_back().map(|(&k, &l)| (k, l));
        let inside = self.0.range((Excluded(from), Excluded(to))).map(|(&k, &l)| (k, l));
        let mut stretches = first.into_iter().chain(inside).peekable();
        while let Some((_, load)) = stretches.next() {
            if load + units > max + EPS {
                let end = match stretches.peek() {
                    Some(&(k, _)) => k,
                    None => self.0.range(to..).next().map_or(Minute::MAX, |(&k, _)| k),
                };
                return Some(end);
            }
        }
        None
    }
}

/// Finds room for each task in its resources' bookings.
struct Booker<'a> {
    net: &'a Network,
    resources: &'a [Resource],
    uses: Vec<Vec<(u32, f64)>>,
    /// Tasks levelling does not move, booked before any other.
    fixed: Vec<bool>,
    /// Tasks no room would ever fit: they stay, and hold what they use.
    too_big: Vec<bool>,
    loads: Vec<Load>,
}

impl Booker<'_> {
    fn book_at(&mut self, i: usize, start: Minute, finish: Minute) {
        for &(r, u) in &self.uses[i] {
            self.loads[r as usize].add(start, finish, u);
        }
    }
}

impl Placer for Booker<'_> {
    type Error = LevelError;

    fn start(&mut self, i: usize, es: Minute, ef: Minute) -> Result<Minute, LevelError> {
        if self.fixed[i] || self.too_big[i] || self.uses[i].is_empty() {
            return Ok(es);
        }
        let t = &self.net.tasks[i];
        let cal = &self.net.calendars[t.calendar as usize];
        let d = cal.between(es, ef);
        let (mut start, mut finish) = (es, ef);
        // Each step passes the end of a stretch of load, so this ends.
        while let Some(next) = self.uses[i]
            .iter()
            .find_map(|&(r, u)| self.loads[r as usize].blocked(start, finish, u, self.resources[r as usize].max_units))
        {
            start = cal.next_start(next)?;
            finish = cal.add(start, d)?;
        }
        Ok(start)
    }

    fn book(&mut self, i: usize, start: Minute, finish: Minute) {
        if !self.fixed[i] {
            self.book_at(i, start, finish);
        }
    }
}

/// Levels the network. `priority` is per task (higher keeps its place;
/// MS Project's default is 500). Earlier levelling delays are cleared
/// first, as MS Project does by default.
///
/// A serial schedule in one forward pass: tasks are placed in a
/// topological order that takes, of the tasks whose predecessors are
/// placed, the one with the earliest unlevelled start, then the least
/// slack, the highest priority and the lowest index; each starts at the
/// first moment its resources have room for it for its whole span, on its
/// calendar.
pub fn level(
    net: &Network,
    resources: &[Resource],
    assignments: &[Assignment],
    priority: &[i64],
) -> Result<Leveled, LevelError> {
    let n = net.tasks.len();
    for (i, a) in assignments.iter().enumerate() {
        if a.task as usize >= n || a.resource as usize >= resources.len() {
            return Err(LevelError::BadAssignment(i));
        }
    }
    let clean = apply(net, &vec![0; n]);
    let graph = Graph::build(&clean).map_err(ScheduleError::from)?;
    let base = schedule_with(&clean, &graph, None)?;
    let mut uses: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for a in assignments {
        uses[a.task as usize].push((a.resource, a.units));
    }
    let unresolved: Vec<TaskIx> = (0..n)
        .filter(|&t| uses[t].iter().any(|&(r, u)| u > resources[r as usize].max_units + 1e-9))
        .map(|t| t as TaskIx)
        .collect();
    // Finish nodes and summaries book nothing: they go as soon as they
    // are ready, so that they release their successors.
    let order = graph.order_by(&clean, |v| {
        let i = (v / 2) as usize;
        if v % 2 == 1 || base.is_summary[i] {
            (false, 0, 0, 0)
        } else {
            (true, base.early_start[i], base.total_slack[i], -priority.get(i).copied().unwrap_or(500))
        }
    });
    // Work already done or typed in by hand stays where it is, and holds
    // its resources from the start, whenever its turn comes.
    let fixed = clean.tasks.iter().map(|t| t.progress.started() || t.manual.is_some()).collect();
    let mut too_big = vec![false; n];
    for &t in &unresolved {
        too_big[t as usize] = true;
    }
    let loads = (0..resources.len()).map(|_| Load::default()).collect();
    let mut booker = Booker { net: &clean, resources, uses, fixed, too_big, loads };
    for i in 0..n {
        if booker.fixed[i] && !base.is_summary[i] {
            booker.book_at(i, base.early_start[i], base.early_finish[i]);
        }
    }
    let delays = level_forward(&clean, &graph, &order, &mut booker)?;
    let after = schedule_with(&apply(&clean, &delays), &graph, None)?;
    let moved = (0..n).filter(|&i| delays[i] > 0).map(|i| (i as TaskIx, delays[i])).collect();
    Ok(Leveled { delays, moved, unresolved, finish_before: base.project_finish, finish_after: after.project_finish })
}

/// The network with these levelling delays (working minutes, per task) in
/// place of its own.
pub fn apply(net: &Network, delays: &[i64]) -> Network {
    let mut out = net.clone();
    for (t, &d) in out.tasks.iter_mut().zip(delays) {
        t.leveling_delay = Lag::Working(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpm::schedule;
    use crate::network::{LinkType, Task};
    use crate::time::{format, parse};

    #[test]
    fn load_is_a_step_function_that_merges_back_to_back_bookings() {
        let mut l = Load::default();
        l.add(0, 10, 1.0);
        l.add(10, 20, 1.0);
        // One stretch of full load: a task wanting [5, 15) waits until 20.
        assert_eq!(l.0.len(), 2);
        assert_eq!(l.blocked(5, 15, 1.0, 1.0), Some(20));
        assert_eq!(l.blocked(20, 30, 1.0, 1.0), None);
        assert_eq!(l.blocked(7, 7, 1.0, 1.0), None);
        l.add(25, 30, 0.5);
        assert_eq!(l.blocked(20, 30, 0.5, 1.0), None);
        assert_eq!(l.blocked(20, 30, 0.6, 1.0), Some(30));
        assert_eq!((l.at(24), l.at(25), l.at(30)), (0.0, 0.5, 0.0));
    }

    #[test]
    fn one_person_two_parallel_tasks() {
        let mut net = Network::new(parse("2026-03-02T08:00:00").unwrap());
        let a = net.add(Task::new(960));
        let b = net.add(Task::new(480));
        let c = net.add(Task::new(2400));
        let end = net.add(Task::new(0));
        for t in [a, b, c] {
            net.link(t, end, LinkType::FinishToStart, Lag::Working(0));
        }
        let people = [Resource { max_units: 1.0 }];
        let asg = [Assignment { task: a, resource: 0, units: 1.0 }, Assignment { task: b, resource: 0, units: 1.0 }];
        let l = level(&net, &people, &asg, &[500; 4]).unwrap();
        // B has more slack than A, so B gives way: it starts after A.
        assert_eq!(l.moved, vec![(b, 960)]);
        let s = schedule(&apply(&net, &l.delays)).unwrap();
        assert_eq!(format(s.start[b as usize]), "2026-03-04T08:00:00");
        // Within slack: the project finish does not move.
        assert_eq!(l.finish_before, l.finish_after);

        // With a higher priority B keeps its place and A waits.
        let l = level(&net, &people, &asg, &[500, 900, 500, 500]).unwrap();
        assert_eq!(l.moved.len(), 1);
        // Half-time assignments fit side by side: nothing moves.
        let half = [Assignment { task: a, resource: 0, units: 0.5 }, Assignment { task: b, resource: 0, units: 0.5 }];
        assert!(level(&net, &people, &half, &[500; 4]).unwrap().moved.is_empty());
        // More than the resource has at all: A stays where it is, holds
        // the person, and is reported; B waits for it.
        let big = [Assignment { task: a, resource: 0, units: 2.0 }, Assignment { task: b, resource: 0, units: 1.0 }];
        let l = level(&net, &people, &big, &[500; 4]).unwrap();
        assert_eq!(l.unresolved, vec![a]);
        assert_eq!(l.moved, vec![(b, 960)]);
    }

    #[test]
    fn work_typed_in_by_hand_holds_its_resource_from_the_start() {
        let mut net = Network::new(parse("2026-03-02T08:00:00").unwrap());
        // A: three days from Monday; M: typed in for Wednesday and Thursday.
        let a = net.add(Task::new(3 * 480));
        let mut m = Task::new(2 * 480);
        m.manual =
            Some(crate::Manual::dated(parse("2026-03-04T08:00:00").unwrap(), parse("2026-03-05T17:00:00").unwrap()));
        let m = net.add(m);
        let people = [Resource { max_units: 1.0 }];
        let asg = [Assignment { task: a, resource: 0, units: 1.0 }, Assignment { task: m, resource: 0, units: 1.0 }];
        let l = level(&net, &people, &asg, &[500; 2]).unwrap();
        // Monday and Tuesday are too short for A: it waits until Friday.
        let s = schedule(&apply(&net, &l.delays)).unwrap();
        assert_eq!(format(s.start[a as usize]), "2026-03-06T08:00:00");
        assert_eq!(format(s.start[m as usize]), "2026-03-04T08:00:00");
        assert_eq!(l.moved, vec![(a, 4 * 480)]);
    }

    #[test]
    fn levelling_beyond_slack_extends_the_project() {
        let mut net = Network::new(parse("2026-03-02T08:00:00").unwrap());
        let a = net.add(Task::new(2400));
        let b = net.add(Task::new(2400));
        let people = [Resource { max_units: 1.0 }];
        let asg = [Assignment { task: a, resource: 0, units: 1.0 }, Assignment { task: b, resource: 0, units: 1.0 }];
        let l = level(&net, &people, &asg, &[500; 2]).unwrap();
        assert_eq!(l.moved, vec![(b, 2400)]);
        assert_eq!(format(l.finish_after), "2026-03-13T17:00:00");
        assert!(l.finish_after > l.finish_before);
    }
}
