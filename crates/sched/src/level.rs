//! Resource levelling, as an explicit operation: a serial schedule in
//! which each task, taken when its predecessors are placed, starts at the
//! first moment its resources have room for it for its whole duration.
//! Tasks with more slack, lower priority and higher ID give way first.
//! Nothing changes until the caller applies the delays it returns.

use crate::calendar::CalendarError;
use crate::cpm::{ScheduleError, schedule_with};
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
    pub finish_before: Minute,
    pub finish_after: Minute,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LevelError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("assignment {0} refers to a task or resource that does not exist")]
    BadAssignment(usize),
    #[error("task {0} needs more of a resource than it has at all")]
    NeverFits(TaskIx),
    #[error("levelling did not settle within {0} rounds")]
    Unsettled(usize),
}

impl From<CalendarError> for LevelError {
    fn from(e: CalendarError) -> Self {
        LevelError::Schedule(ScheduleError::Calendar(e))
    }
}

/// Booked intervals of one resource: (start, finish, units).
#[derive(Default)]
struct Bookings(Vec<(Minute, Minute, f64)>);

impl Bookings {
    /// The peak load in [from, to).
    fn peak(&self, from: Minute, to: Minute) -> f64 {
        // Load only changes where a booking starts, so check there.
        let mut points: Vec<Minute> = vec![from];
        points.extend(self.0.iter().filter(|b| b.0 > from && b.0 < to).map(|b| b.0));
        points
            .iter()
            .map(|&t| self.0.iter().filter(|b| b.0 <= t && t < b.1).map(|b| b.2).sum::<f64>())
            .fold(0.0, f64::max)
    }

    /// The first booking end after `t`: the next moment room may appear.
    fn next_release(&self, t: Minute) -> Option<Minute> {
        self.0.iter().map(|b| b.1).filter(|&e| e > t).min()
    }
}

/// Levels the network. `priority` is per task (higher keeps its place;
/// MS Project's default is 500).
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
    let graph = Graph::build(net).map_err(ScheduleError::from)?;
    let base = schedule_with(net, &graph, None)?;
    let mut uses: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for a in assignments {
        uses[a.task as usize].push((a.resource, a.units));
    }
    for (t, list) in uses.iter().enumerate() {
        if list.iter().any(|&(r, u)| u > resources[r as usize].max_units + 1e-9) {
            return Err(LevelError::NeverFits(t as TaskIx));
        }
    }

    // Tasks in the order they are placed: by early start, then the ones
    // that must not move (less slack, higher priority, lower ID) first.
    let mut order: Vec<usize> = (0..n).filter(|&i| !base.is_summary[i]).collect();
    order.sort_by_key(|&i| (base.early_start[i], base.total_slack[i], -priority.get(i).copied().unwrap_or(500), i));
    let mut delays = vec![0i64; n];
    let mut bookings: Vec<Bookings> = (0..resources.len()).map(|_| Bookings::default()).collect();
    // Placing one task may push others: iterate, rescheduling with the
    // delays found so far, until every task fits.
    let mut net_l = net.clone();
    let rounds = 10 * n + 10;
    for _ in 0..rounds {
        for b in &mut bookings {
            b.0.clear();
        }
        let s = schedule_with(&net_l, &graph, None)?;
        let mut changed = false;
        for &i in &order {
            let t = &net_l.tasks[i];
            let cal = &net_l.calendars[t.calendar as usize];
            let fixed = t.progress.started() || t.manual.is_some() || uses[i].is_empty();
            let mut start = s.start[i];
            let mut finish = s.finish[i];
            if !fixed {
                let d = t.duration;
                loop {
                    let blocked = uses[i].iter().find(|&&(r, u)| {
                        bookings[r as usize].peak(start, finish) + u > resources[r as usize].max_units + 1e-9
                    });
                    let Some(&(r, _)) = blocked else { break };
                    let next = bookings[r as usize].next_release(start).ok_or(LevelError::NeverFits(i as TaskIx))?;
                    start = cal.next_start(next)?;
                    finish = cal.add(start, d)?;
                }
            }
            for &(r, u) in &uses[i] {
                bookings[r as usize].0.push((start, finish, u));
            }
            if start > s.start[i] {
                delays[i] += cal.between(s.start[i], start);
                net_l.tasks[i].leveling_delay = Lag::Working(delays[i]);
                changed = true;
                break;
            }
        }
        if !changed {
            let after = schedule_with(&net_l, &graph, None)?;
            let moved = (0..n).filter(|&i| delays[i] > 0).map(|i| (i as TaskIx, delays[i])).collect();
            return Ok(Leveled {
                delays,
                moved,
                finish_before: base.project_finish,
                finish_after: after.project_finish,
            });
        }
    }
    Err(LevelError::Unsettled(rounds))
}

/// The network with the levelling delays applied.
pub fn apply(net: &Network, leveled: &Leveled) -> Network {
    let mut out = net.clone();
    for (t, &d) in out.tasks.iter_mut().zip(&leveled.delays) {
        if d > 0 {
            t.leveling_delay = Lag::Working(d);
        }
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
        let s = schedule(&apply(&net, &l)).unwrap();
        assert_eq!(format(s.start[b as usize]), "2026-03-04T08:00:00");
        // Within slack: the project finish does not move.
        assert_eq!(l.finish_before, l.finish_after);

        // With a higher priority B keeps its place and A waits.
        let l = level(&net, &people, &asg, &[500, 900, 500, 500]).unwrap();
        assert_eq!(l.moved.len(), 1);
        // Half-time assignments fit side by side: nothing moves.
        let half = [Assignment { task: a, resource: 0, units: 0.5 }, Assignment { task: b, resource: 0, units: 0.5 }];
        assert!(level(&net, &people, &half, &[500; 4]).unwrap().moved.is_empty());
        // More than the resource has at all is refused, not looped on.
        let big = [Assignment { task: a, resource: 0, units: 2.0 }];
        assert!(matches!(level(&net, &people, &big, &[500; 4]), Err(LevelError::NeverFits(0))));
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
