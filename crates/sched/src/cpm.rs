//! The critical-path method with MS Project's semantics: a forward pass for
//! early dates, a backward pass for late dates, then slack and the critical
//! flag. Both passes walk the graph's topological order over flat arrays;
//! nothing is allocated per task inside them.

use std::collections::HashMap;

use crate::calendar::{Calendar, CalendarError};
use crate::graph::{Graph, GraphError};
use crate::network::{Constraint, Lag, Network, Task, TaskIx};
use crate::time::Minute;

mod backward;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("task {0} uses a calendar that does not exist")]
    BadCalendar(TaskIx),
    #[error("task {0} cannot be placed where its resources have room")]
    Unplaceable(TaskIx),
}

/// Computed dates and slack, indexed like [`Network::tasks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub early_start: Vec<Minute>,
    pub early_finish: Vec<Minute>,
    pub late_start: Vec<Minute>,
    pub late_finish: Vec<Minute>,
    /// When the task is planned: early dates, late ones for ALAP tasks,
    /// actual ones where work happened, the typed ones for manual tasks.
    pub start: Vec<Minute>,
    pub finish: Vec<Minute>,
    /// Working minutes (the smaller of start and finish slack).
    pub total_slack: Vec<i64>,
    pub free_slack: Vec<i64>,
    pub critical: Vec<bool>,
    pub is_summary: Vec<bool>,
    pub project_start: Minute,
    pub project_finish: Minute,
}

impl Schedule {
    /// The critical tasks that are not summaries, by early start.
    pub fn critical_path(&self) -> Vec<TaskIx> {
        let mut v: Vec<TaskIx> = (0..self.critical.len())
            .filter(|&i| self.critical[i] && !self.is_summary[i])
            .map(|i| i as TaskIx)
            .collect();
        v.sort_by_key(|&i| (self.early_start[i as usize], self.early_finish[i as usize], i));
        v
    }
}

const NONE_LATE: Minute = Minute::MAX / 4;
const NONE_EARLY: Minute = Minute::MIN / 4;

/// Schedules the network. Builds the graph; use [`schedule_with`] to
/// reuse one across runs (Monte Carlo).
pub fn schedule(net: &Network) -> Result<Schedule, ScheduleError> {
    let graph = Graph::build(net)?;
    schedule_with(net, &graph, None)
}

/// Schedules with a prepared graph and, optionally, durations that replace
/// the tasks' own (one Monte Carlo draw).
pub fn schedule_with(net: &Network, g: &Graph, durations: Option<&[i64]>) -> Result<Schedule, ScheduleError> {
    match crate::plain::schedule(net, g, durations) {
        Some(s) => Ok(s),
        None => schedule_general(net, g, durations),
    }
}

/// The general passes, which every network can take. [`schedule_with`]
/// uses an equivalent integer version for plain networks.
pub fn schedule_general(net: &Network, g: &Graph, durations: Option<&[i64]>) -> Result<Schedule, ScheduleError> {
    let (p, start, finish) = run(net, g, durations)?;
    p.finish(start, finish)
}

/// Only the project finish and which tasks are critical: what a Monte
/// Carlo iteration needs, without the rest of the schedule.
pub fn finish_and_critical(
    net: &Network,
    g: &Graph,
    durations: Option<&[i64]>,
) -> Result<(Minute, Vec<bool>), ScheduleError> {
    if let Some(r) = crate::plain::finish_and_critical(net, g, durations) {
        return Ok(r);
    }
    let (p, _, finish) = run(net, g, durations)?;
    let critical = (0..net.tasks.len()).map(|i| p.is_critical(i, p.total_slack(i).0)).collect();
    Ok((finish, critical))
}

/// Both passes; returns them with the project start and finish.
fn run<'a>(
    net: &'a Network,
    g: &'a Graph,
    durations: Option<&'a [i64]>,
) -> Result<(Passes<'a>, Minute, Minute), ScheduleError> {
    let n = net.tasks.len();
    let mut p = Passes::new(net, g, durations)?;
    p.start = derived_start(net, g, durations)?;
    p.forward()?;
    let finish = match net.finish {
        Some(finish) => finish,
        None => (0..n).filter(|&i| !g.is_summary[i]).map(|i| p.ef[i]).max().unwrap_or(net.start),
    };
    let start = (0..n).filter(|&i| !g.is_summary[i]).map(|i| p.es[i]).min().unwrap_or(p.start);
    p.backward(finish)?;
    Ok((p, start, finish))
}

/// The project's start: the network's, or for a project scheduled from
/// its finish the one MS Project derives. The backward pass from the
/// finish date places every task late, and the project starts where the
/// earliest of them must start; the early dates then run forward from
/// there. (The forward pass before it, from the stored start, gives the
/// backward pass what it reads of the early side: actual dates and resume
/// points, which do not depend on the start; and, with multiple critical
/// paths, the early finishes that end paths leading nowhere.)
fn derived_start(net: &Network, g: &Graph, durations: Option<&[i64]>) -> Result<Minute, ScheduleError> {
    let Some(finish) = net.finish else { return Ok(net.start) };
    let mut p = Passes::new(net, g, durations)?;
    p.forward()?;
    p.backward(finish)?;
    let starts = (0..net.tasks.len()).filter(|&i| !g.is_summary[i]).filter_map(|i| p.planned_late_start(i));
    Ok(starts.min().unwrap_or(net.start))
}

/// Where levelling lets each task start, asked as the forward pass places
/// the tasks in levelling order.
pub(crate) trait Placer {
    type Error: From<ScheduleError>;
    /// The first start at or after `es` that the task's resources allow,
    /// for a task whose early dates are `es`–`ef`.
    fn start(&mut self, i: usize, es: Minute, ef: Minute) -> Result<Minute, Self::Error>;
    /// The task is placed at these dates.
    fn book(&mut self, i: usize, start: Minute, finish: Minute);
}

/// The forward pass in `order` (a topological order of the graph's nodes,
/// the tasks in levelling order), delaying each task until `placer` lets
/// it start. Returns each task's delay in working minutes. `net` carries
/// no levelling delays of its own.
pub(crate) fn level_forward<P: Placer>(
    net: &Network,
    g: &Graph,
    order: &[u32],
    placer: &mut P,
) -> Result<Vec<i64>, P::Error> {
    let n = net.tasks.len();
    let mut p = Passes::new(net, g, None)?;
    p.start = derived_start(net, g, None)?;
    p.delay = vec![Lag::Working(0); n];
    let mut delays = vec![0i64; n];
    p.forward_in(order, |p, i| -> Result<(), P::Error> {
        // Each round moves the start to a time the resources allow. The
        // delay counts from the start bound (where the engine adds it); a
        // finish bound or a constraint can still hold the task elsewhere,
        // so check again where it lands.
        for _ in 0..64 {
            let (es, ef) = (p.es[i], p.ef[i]);
            let start = placer.start(i, es, ef)?;
            if start <= es {
                placer.book(i, es, ef);
                return Ok(());
            }
            p.delay[i] = Lag::Working(0);
            let (bound, _) = p.forward_bounds(i)?;
            let cal = p.cal(i);
            let from = if bound < start { cal.next_start(bound).map_err(ScheduleError::from)? } else { start };
            delays[i] = cal.between(from, start).max(delays[i] + 1);
            p.delay[i] = Lag::Working(delays[i]);
            p.place_early(i)?;
        }
        Err(ScheduleError::Unplaceable(i as TaskIx).into())
    })?;
    Ok(delays)
}

struct Passes<'a> {
    net: &'a Network,
    g: &'a Graph,
    dur: &'a [i64],
    /// The project start, which bounds every task: the network's, or the
    /// one derived from the finish of a project scheduled from it.
    start: Minute,
    /// Tasks held at a hard constraint's date earlier than their links
    /// allow: where the links would put them (start, finish). Their slack
    /// counts from there, so the task itself shows its chain's overrun
    /// (MS Project gives the pinned task the negative slack too).
    unmet: HashMap<usize, (Minute, Minute)>,
    es: Vec<Minute>,
    ef: Vec<Minute>,
    ls: Vec<Minute>,
    lf: Vec<Minute>,
    /// For summaries: bounds their links and constraints impose on every
    /// child (forward: lower bounds; backward: upper bounds).
    start_bound: Vec<Minute>,
    finish_bound: Vec<Minute>,
    /// For tasks in progress: where the remaining work resumes.
    resume: Vec<Minute>,
    /// What the backward pass asks of each successor, packed so that it
    /// does not have to read the whole task.
    flags: Vec<Flags>,
    elapsed: Calendar,
    /// Levelling delays that replace the tasks' own, while levelling
    /// (empty otherwise).
    delay: Vec<Lag>,
}

/// Per-task facts the passes test often, one byte each.
#[derive(Debug, Clone, Copy, Default)]
struct Flags(u8);

impl Flags {
    const MANUAL: u8 = 1;
    const DONE: u8 = 2;
    const DELAYED: u8 = 4;

    fn of(t: &Task) -> Flags {
        let delayed = !matches!(t.leveling_delay, Lag::Elapsed(0) | Lag::Working(0) | Lag::Percent(0));
        let bit = |on: bool, b: u8| if on { b } else { 0 };
        Flags(
            bit(t.manual.is_some(), Flags::MANUAL) | bit(t.progress.done(), Flags::DONE) | bit(delayed, Flags::DELAYED),
        )
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

impl<'a> Passes<'a> {
    fn new(net: &'a Network, g: &'a Graph, durations: Option<&'a [i64]>) -> Result<Passes<'a>, ScheduleError> {
        let n = net.tasks.len();
        for (i, t) in net.tasks.iter().enumerate() {
            if t.calendar as usize >= net.calendars.len()
                || t.slack_calendar.is_some_and(|c| c as usize >= net.calendars.len())
            {
                return Err(ScheduleError::BadCalendar(i as TaskIx));
            }
        }
        Ok(Passes {
            net,
            g,
            dur: durations.unwrap_or(&[]),
            start: net.start,
            unmet: HashMap::new(),
            es: vec![NONE_LATE; n],
            ef: vec![NONE_EARLY; n],
            ls: vec![NONE_LATE; n],
            lf: vec![NONE_EARLY; n],
            start_bound: vec![NONE_EARLY; n],
            finish_bound: vec![NONE_EARLY; n],
            resume: vec![NONE_LATE; n],
            flags: net.tasks.iter().map(Flags::of).collect(),
            elapsed: Calendar::elapsed(),
            delay: Vec::new(),
        })
    }

    fn task(&self, i: usize) -> &'a Task {
        let net: &'a Network = self.net;
        &net.tasks[i]
    }

    fn cal(&self, i: usize) -> &'a Calendar {
        let net: &'a Network = self.net;
        &net.calendars[net.tasks[i].calendar as usize]
    }

    fn duration(&self, i: usize) -> i64 {
        self.dur.get(i).copied().unwrap_or(self.net.tasks[i].duration)
    }

    /// A summary's duration is the working time its children span.
    fn span(&self, i: usize) -> i64 {
        if self.g.is_summary[i] { self.cal(i).between(self.es[i], self.ef[i]) } else { self.duration(i) }
    }

    fn lag_minutes(&self, lag: Lag, pred: usize) -> (i64, bool) {
        match lag {
            Lag::Working(m) => (m, false),
            Lag::Elapsed(m) => (m, true),
            Lag::Percent(hundredths) => (self.span(pred) * hundredths / 10_000, false),
        }
    }

    /// `t` moved by a lag, on the successor's calendar (or elapsed time).
    fn shift(&self, t: Minute, lag: Lag, pred: usize, succ: usize, sign: i64) -> Result<Minute, CalendarError> {
        let (m, elapsed) = self.lag_minutes(lag, pred);
        let cal = if elapsed { &self.elapsed } else { self.cal(succ) };
        cal.add(t, sign * m)
    }

    /// `t` moved back by the task's levelling delay.
    fn undelay(&self, i: usize, t: Minute) -> Result<Minute, CalendarError> {
        match self.task(i).leveling_delay {
            Lag::Elapsed(0) | Lag::Working(0) | Lag::Percent(0) => Ok(t),
            Lag::Elapsed(m) => self.elapsed.sub(t, m),
            Lag::Working(m) => self.cal(i).sub(t, m),
            Lag::Percent(p) => self.cal(i).sub(t, self.duration(i) * p / 10_000),
        }
    }

    fn forward(&mut self) -> Result<(), ScheduleError> {
        let g = self.g;
        self.forward_in(&g.order, |_, _| Ok(()))
    }

    /// The forward pass over `order`; `placed` sees each task that is not a
    /// summary once its early dates are set, and may move it.
    fn forward_in<E: From<ScheduleError>>(
        &mut self,
        order: &[u32],
        mut placed: impl FnMut(&mut Self, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        let g = self.g;
        for &v in order {
            let i = (v / 2) as usize;
            let is_start = v % 2 == 0;
            match (is_start, g.is_summary[i]) {
                (true, true) => {
                    let (s, f) = self.forward_bounds(i)?;
                    self.start_bound[i] = s;
                    self.finish_bound[i] = f;
                }
                (true, false) => {
                    self.place_early(i)?;
                    placed(self, i)?;
                }
                (false, _) => {
                    if let Some(p) = self.task(i).parent {
                        let p = p as usize;
                        self.es[p] = self.es[p].min(self.es[i]);
                        self.ef[p] = self.ef[p].max(self.ef[i]);
                    }
                }
            }
        }
        Ok(())
    }

    /// Lower bounds on a task's start and finish from its parent, links,
    /// the project start, the status date and its constraint.
    fn forward_bounds(&self, i: usize) -> Result<(Minute, Minute), ScheduleError> {
        let t = self.task(i);
        // The project start bounds every task, except that a
        // start-no-earlier-than date replaces it, even when earlier (as in
        // MS Project). Summaries pass only their own bounds down.
        let mut s = match t.constraint {
            Constraint::StartNoEarlierThan(d) => d,
            _ if self.g.is_summary[i] => NONE_EARLY,
            _ => self.start,
        };
        let mut f = NONE_EARLY;
        if let Some(p) = t.parent {
            s = s.max(self.start_bound[p as usize]);
            f = f.max(self.finish_bound[p as usize]);
        }
        for &l in self.g.preds.of(i) {
            let link = &self.net.links[l as usize];
            let pred = link.pred as usize;
            let base = if link.kind.from_finish() { self.ef[pred] } else { self.es[pred] };
            let c = self.shift(base, link.lag, pred, i, 1)?;
            if link.kind.to_finish() {
                f = f.max(c);
            } else {
                s = s.max(c);
            }
        }
        if let Some(e) = t.external_start {
            s = s.max(e);
        }
        if let Some(sd) = self.net.status_date
            && !t.progress.started()
        {
            s = s.max(sd);
        }
        match t.constraint {
            Constraint::StartNoEarlierThan(d) => s = s.max(d),
            Constraint::FinishNoEarlierThan(d) => f = f.max(d),
            _ => {}
        }
        s = match self.delay.get(i).copied().unwrap_or(t.leveling_delay) {
            Lag::Elapsed(0) | Lag::Working(0) | Lag::Percent(0) => s,
            Lag::Elapsed(m) => self.elapsed.add(s, m)?,
            Lag::Working(m) => self.cal(i).add(s, m)?,
            Lag::Percent(p) => self.cal(i).add(s, self.duration(i) * p / 10_000)?,
        };
        Ok((s, f))
    }

    fn place_early(&mut self, i: usize) -> Result<(), ScheduleError> {
        let t = self.task(i);
        let cal = self.cal(i);
        let d = self.duration(i);
        let zero = d == 0;
        if let Some(m) = t.manual {
            (self.es[i], self.ef[i]) = (m.start, m.finish);
            return Ok(());
        }
        if let (Some(a), Some(b)) = (t.progress.actual_start, t.progress.actual_finish) {
            (self.es[i], self.ef[i]) = (a, b);
            return Ok(());
        }
        if let Some(a) = t.progress.actual_start {
            // The remaining work resumes where progress stopped (or after
            // the status date, when one is given).
            let (stop, rem) = match t.progress.left_after_resume(cal, d) {
                Some(resumed) => resumed,
                None => {
                    let rem = t.progress.remaining.unwrap_or(d).clamp(0, d.max(0));
                    (cal.add(a, d - rem)?, rem)
                }
            };
            let from = self.net.status_date.map_or(stop, |sd| stop.max(sd));
            let resume = if rem > 0 { cal.next_start(from)? } else { from };
            self.resume[i] = resume;
            (self.es[i], self.ef[i]) = (a, cal.add(resume, rem)?);
            return Ok(());
        }
        let (s, f) = self.forward_bounds(i)?;
        let mut es = if zero { s } else { cal.next_start(s)? };
        if f > NONE_EARLY {
            let from_finish = cal.sub(f, d)?;
            es = es.max(from_finish);
        }
        // Where the links (and soft bounds) put the task.
        let linked = es;
        // Where links push a task past a hard constraint's date, the
        // constraint wins when the project honours constraint dates, and
        // the links otherwise (the task only moves later, never earlier).
        let honor = self.net.honor_constraints;
        match t.constraint {
            Constraint::MustStartOn(c) => {
                let on = if zero { c } else { cal.next_start(c)? };
                es = if honor { on } else { es.max(on) };
            }
            Constraint::MustFinishOn(c) => {
                let on = cal.sub(c, d)?;
                es = if honor { on } else { es.max(on) };
            }
            Constraint::StartNoLaterThan(c) if es > c && honor => es = if zero { c } else { cal.next_start(c)? },
            _ => {}
        }
        let mut ef = cal.add(es, d)?;
        if f > ef && f < NONE_LATE {
            // A finish bound that falls outside working time is kept as it
            // is, as MS Project keeps it (an SF link to a morning start).
            ef = f;
        }
        if let Constraint::FinishNoLaterThan(c) = t.constraint
            && ef > c
            && honor
        {
            es = cal.sub(c, d)?;
            ef = cal.add(es, d)?;
        }
        if es < linked && t.constraint.is_hard() {
            let linked_finish = cal.add(linked, d)?.max(f);
            self.unmet.insert(i, (linked, linked_finish));
        } else if !self.unmet.is_empty() {
            self.unmet.remove(&i);
        }
        (self.es[i], self.ef[i]) = (es, ef);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
