//! The critical-path method with MS Project's semantics: a forward pass for
//! early dates, a backward pass for late dates, then slack and the critical
//! flag. Both passes walk the graph's topological order over flat arrays;
//! nothing is allocated per task inside them.

use crate::calendar::{Calendar, CalendarError};
use crate::graph::{Graph, GraphError};
use crate::network::{Constraint, Lag, Network, Task, TaskIx};
use crate::time::Minute;

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
    p.forward()?;
    let finish =
        net.finish.unwrap_or_else(|| (0..n).filter(|&i| !g.is_summary[i]).map(|i| p.ef[i]).max().unwrap_or(net.start));
    let start = (0..n).filter(|&i| !g.is_summary[i]).map(|i| p.es[i]).min().unwrap_or(net.start);
    p.backward(finish)?;
    Ok((p, start, finish))
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
            _ => self.net.start,
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
        if let Some((ms, mf)) = t.manual {
            (self.es[i], self.ef[i]) = (ms, mf);
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
        (self.es[i], self.ef[i]) = (es, ef);
        Ok(())
    }

    fn backward(&mut self, project_finish: Minute) -> Result<(), ScheduleError> {
        let g = self.g;
        for &v in g.order.iter().rev() {
            let i = (v / 2) as usize;
            let is_finish = v % 2 == 1;
            match (is_finish, g.is_summary[i]) {
                (true, true) => {
                    let (s, f) = self.backward_bounds(i, project_finish)?;
                    self.start_bound[i] = s;
                    self.finish_bound[i] = f;
                }
                (true, false) => self.place_late(i, project_finish)?,
                (false, _) => {
                    if let Some(p) = self.task(i).parent {
                        let p = p as usize;
                        self.ls[p] = self.ls[p].min(self.ls[i]);
                        self.lf[p] = self.lf[p].max(self.lf[i]);
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether a task or one of its summaries has a successor.
    fn leads_anywhere(&self, i: usize) -> bool {
        let mut at = Some(i as TaskIx);
        while let Some(x) = at {
            if !self.g.succs.of(x as usize).is_empty() {
                return true;
            }
            at = self.task(x as usize).parent;
        }
        false
    }

    /// Upper bounds on a task's start and finish.
    fn backward_bounds(&self, i: usize, project_finish: Minute) -> Result<(Minute, Minute), ScheduleError> {
        let t = self.task(i);
        let mut s = NONE_LATE;
        let mut f =
            if self.net.multiple_critical_paths && !self.leads_anywhere(i) { self.ef[i] } else { project_finish };
        if let Some(p) = t.parent {
            s = s.min(self.start_bound[p as usize]);
            f = f.min(self.finish_bound[p as usize]);
        }
        for &l in self.g.succs.of(i) {
            let link = &self.net.links[l as usize];
            let succ = link.succ as usize;
            // A manually scheduled successor does not move, and MS Project
            // lets it bound only its predecessors' finishes.
            let flags = self.flags[succ];
            if !link.kind.from_finish() && flags.has(Flags::MANUAL) {
                continue;
            }
            // Finished work has nothing left to protect.
            if flags.has(Flags::DONE) {
                continue;
            }
            let base = if link.kind.to_finish() {
                self.lf[succ]
            } else if self.resume[succ] < NONE_LATE && self.duration(succ) > 0 {
                // A successor in progress holds its predecessors to the
                // point where its remaining work resumes (as MS Project).
                self.resume[succ]
            } else if flags.has(Flags::DELAYED) {
                // The successor's levelling delay comes after its links.
                self.undelay(succ, self.ls[succ])?
            } else {
                self.ls[succ]
            };
            let c = self.shift(base, link.lag, i, succ, -1)?;
            if link.kind.from_finish() {
                f = f.min(c);
            } else {
                s = s.min(c);
            }
        }
        match t.constraint {
            Constraint::StartNoLaterThan(d) => s = s.min(d),
            Constraint::FinishNoLaterThan(d) => f = f.min(d),
            _ => {}
        }
        if let Some(d) = t.deadline {
            f = f.min(d);
        }
        Ok((s, f))
    }

    fn place_late(&mut self, i: usize, project_finish: Minute) -> Result<(), ScheduleError> {
        let t = self.task(i);
        if t.progress.done() {
            // Finished work cannot move: its late dates are its actual ones.
            (self.ls[i], self.lf[i]) = (self.es[i], self.ef[i]);
            return Ok(());
        }
        let cal = self.cal(i);
        let d = self.duration(i);
        let zero = d == 0;
        let (s, f) = self.backward_bounds(i, project_finish)?;
        let mut lf = if zero { f } else { cal.prev_finish(f)? };
        if s < NONE_LATE {
            let from_start = if zero { s } else { cal.add(s, d)? };
            lf = lf.min(from_start);
        }
        match t.constraint {
            Constraint::MustFinishOn(c) => lf = if zero { c } else { cal.prev_finish(c)? },
            Constraint::MustStartOn(c) => lf = cal.add(if zero { c } else { cal.next_start(c)? }, d)?,
            _ => {}
        }
        // A finish bound kept outside working time in the forward pass
        // (see `place_early`) is the same working moment as the snapped
        // late finish: keep the late finish from falling before it.
        if lf < self.ef[i] && cal.between(lf, self.ef[i]) == 0 {
            lf = self.ef[i];
        }
        let ls = cal.sub(lf, d)?;
        (self.ls[i], self.lf[i]) = (ls, lf);
        Ok(())
    }

    fn finish(self, project_start: Minute, project_finish: Minute) -> Result<Schedule, ScheduleError> {
        let n = self.net.tasks.len();
        let mut total_slack = vec![0i64; n];
        let mut free_slack = vec![0i64; n];
        let mut critical = vec![false; n];
        let mut start = self.es.clone();
        let mut finish = self.ef.clone();
        let mut late_start = self.ls.clone();
        for i in 0..n {
            let t = self.task(i);
            let (ts, alap) = self.total_slack(i);
            total_slack[i] = ts;
            critical[i] = self.is_critical(i, ts);
            if alap {
                start[i] = self.ls[i];
                finish[i] = self.lf[i];
            }
            free_slack[i] = self.free_slack(i, project_finish)?.min(ts).max(0);
            if t.progress.started() && !self.g.is_summary[i] {
                // A started task can no longer start later than it did.
                late_start[i] = self.es[i];
            }
        }
        Ok(Schedule {
            early_start: self.es,
            early_finish: self.ef,
            late_start,
            late_finish: self.lf,
            start,
            finish,
            total_slack,
            free_slack,
            critical,
            is_summary: self.g.is_summary.clone(),
            project_start,
            project_finish,
        })
    }

    /// Total slack, and whether the task sits at its late dates (ALAP).
    fn total_slack(&self, i: usize) -> (i64, bool) {
        let t = self.task(i);
        let cal = self.cal(i);
        let slack_cal = t.slack_calendar.map_or(cal, |c| &self.net.calendars[c as usize]);
        let finish_slack = slack_cal.between(self.ef[i], self.lf[i]);
        let alap = t.constraint == Constraint::AsLateAsPossible && !self.g.is_summary[i] && !t.progress.started();
        let ts = if t.progress.started() {
            // Once work has started, only the finish can still slip.
            finish_slack
        } else if alap {
            // Scheduled at its late dates, it has no slack left.
            0
        } else {
            slack_cal.between(self.es[i], self.ls[i]).min(finish_slack)
        };
        (ts, alap)
    }

    /// Finished work is never critical; nor is a manually scheduled task
    /// that no link ties to the rest of the plan.
    fn is_critical(&self, i: usize, total_slack: i64) -> bool {
        let t = self.task(i);
        let loose_manual = t.manual.is_some() && self.g.preds.of(i).is_empty() && self.g.succs.of(i).is_empty();
        total_slack <= self.net.critical_slack_limit && !t.progress.done() && !loose_manual
    }

    /// How far the task can slip without delaying any successor's early
    /// dates (or the project finish, when it has none).
    fn free_slack(&self, i: usize, project_finish: Minute) -> Result<i64, CalendarError> {
        let cal = self.cal(i);
        let succs = self.g.succs.of(i);
        if succs.is_empty() {
            return Ok(cal.between(self.ef[i], project_finish));
        }
        let mut slack = i64::MAX;
        for &l in succs {
            let link = &self.net.links[l as usize];
            let succ = link.succ as usize;
            let target = if link.kind.to_finish() { self.ef[succ] } else { self.es[succ] };
            let limit = self.shift(target, link.lag, i, succ, -1)?;
            let own = if link.kind.from_finish() { self.ef[i] } else { self.es[i] };
            slack = slack.min(cal.between(own, limit));
        }
        Ok(slack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Lag, LinkType, Task};
    use crate::time::{format, parse};

    fn at(s: &str) -> Minute {
        parse(s).unwrap()
    }

    fn days(n: i64) -> i64 {
        n * 480
    }

    /// A → B → D and A → C → D, B longer than C.
    fn diamond() -> Network {
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        let a = net.add(Task::new(days(2)));
        let b = net.add(Task::new(days(5)));
        let c = net.add(Task::new(days(2)));
        let d = net.add(Task::new(days(1)));
        for (p, s) in [(a, b), (a, c), (b, d), (c, d)] {
            net.link(p, s, LinkType::FinishToStart, Lag::Working(0));
        }
        net
    }

    #[test]
    fn forward_and_backward_on_a_diamond() {
        let s = schedule(&diamond()).unwrap();
        let f = |v: &Vec<Minute>, i: usize| format(v[i]);
        assert_eq!(f(&s.early_start, 1), "2026-03-04T08:00:00");
        assert_eq!(f(&s.early_finish, 1), "2026-03-10T17:00:00");
        assert_eq!(f(&s.early_start, 3), "2026-03-11T08:00:00");
        assert_eq!(format(s.project_finish), "2026-03-11T17:00:00");
        assert_eq!(f(&s.late_start, 2), "2026-03-09T08:00:00");
        assert_eq!(s.total_slack, vec![0, 0, days(3), 0]);
        assert_eq!(s.free_slack, vec![0, 0, days(3), 0]);
        assert_eq!(s.critical, vec![true, true, false, true]);
        assert_eq!(s.critical_path(), vec![0, 1, 3]);
    }

    #[test]
    fn link_types_and_lags() {
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        let a = net.add(Task::new(days(3)));
        let ss = net.add(Task::new(days(2)));
        let ff = net.add(Task::new(days(1)));
        let sf = net.add(Task::new(days(1)));
        let lag = net.add(Task::new(days(1)));
        let lead = net.add(Task::new(days(1)));
        let elapsed = net.add(Task::new(days(1)));
        let pct = net.add(Task::new(days(1)));
        let ms = net.add(Task::new(0));
        net.link(a, ss, LinkType::StartToStart, Lag::Working(days(1)));
        net.link(a, ff, LinkType::FinishToFinish, Lag::Working(0));
        net.link(a, sf, LinkType::StartToFinish, Lag::Working(days(2)));
        net.link(a, lag, LinkType::FinishToStart, Lag::Working(days(2)));
        net.link(a, lead, LinkType::FinishToStart, Lag::Working(-days(1)));
        net.link(a, elapsed, LinkType::FinishToStart, Lag::Elapsed(3 * 1440));
        net.link(a, pct, LinkType::FinishToStart, Lag::Percent(5000));
        net.link(a, ms, LinkType::FinishToStart, Lag::Working(0));
        let s = schedule(&net).unwrap();
        let es = |i: TaskIx| format(s.early_start[i as usize]);
        let ef = |i: TaskIx| format(s.early_finish[i as usize]);
        assert_eq!(es(ss), "2026-03-03T08:00:00");
        assert_eq!(ef(ff), "2026-03-04T17:00:00");
        assert_eq!(es(ff), "2026-03-04T08:00:00");
        assert_eq!(ef(sf), "2026-03-03T17:00:00");
        assert_eq!(es(lag), "2026-03-09T08:00:00");
        assert_eq!(es(lead), "2026-03-04T08:00:00");
        // Wednesday 17:00 + 72 h = Saturday 17:00 → Monday 08:00.
        assert_eq!(es(elapsed), "2026-03-09T08:00:00");
        // Half of three days after Wednesday 17:00: Friday 12:00 → 13:00.
        assert_eq!(es(pct), "2026-03-06T13:00:00");
        // A milestone sits at its predecessor's finish.
        assert_eq!(es(ms), "2026-03-04T17:00:00");
        assert_eq!(ef(ms), "2026-03-04T17:00:00");
    }

    #[test]
    fn summaries_span_their_children_and_pass_links_down() {
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        let first = net.add(Task::new(days(2)));
        let summary = net.add(Task::new(0));
        let mut c1 = Task::new(days(1));
        c1.parent = Some(summary);
        let c1 = net.add(c1);
        let mut c2 = Task::new(days(3));
        c2.parent = Some(summary);
        let c2 = net.add(c2);
        let after = net.add(Task::new(days(1)));
        net.link(first, summary, LinkType::FinishToStart, Lag::Working(0));
        net.link(summary, after, LinkType::FinishToStart, Lag::Working(0));
        let s = schedule(&net).unwrap();
        assert!(s.is_summary[summary as usize]);
        assert_eq!(format(s.early_start[c1 as usize]), "2026-03-04T08:00:00");
        assert_eq!(format(s.early_start[summary as usize]), "2026-03-04T08:00:00");
        assert_eq!(format(s.early_finish[summary as usize]), "2026-03-06T17:00:00");
        assert_eq!(format(s.early_start[after as usize]), "2026-03-09T08:00:00");
        assert_eq!(s.total_slack[c1 as usize], days(2));
        assert_eq!(s.total_slack[c2 as usize], 0);
        assert_eq!(format(s.late_finish[c1 as usize]), "2026-03-06T17:00:00");
    }

    #[test]
    fn constraints() {
        let base = at("2026-03-02T08:00:00");
        let with = |c: Constraint| {
            let mut net = Network::new(base);
            let a = net.add(Task::new(days(2)));
            let mut t = Task::new(days(1));
            t.constraint = c;
            let b = net.add(t);
            let end = net.add(Task::new(days(5)));
            net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
            let _ = end;
            schedule(&net).unwrap()
        };
        let s = with(Constraint::StartNoEarlierThan(at("2026-03-05T08:00:00")));
        assert_eq!(format(s.early_start[1]), "2026-03-05T08:00:00");
        let s = with(Constraint::MustStartOn(at("2026-03-02T08:00:00")));
        assert_eq!(format(s.early_start[1]), "2026-03-02T08:00:00", "honoured over the link");
        let s = with(Constraint::FinishNoLaterThan(at("2026-03-03T17:00:00")));
        assert_eq!(format(s.early_finish[1]), "2026-03-03T17:00:00");
        let s = with(Constraint::FinishNoEarlierThan(at("2026-03-06T17:00:00")));
        assert_eq!(format(s.early_start[1]), "2026-03-06T08:00:00");
        let s = with(Constraint::AsLateAsPossible);
        assert_eq!(format(s.start[1]), "2026-03-06T08:00:00");
        assert_eq!(format(s.early_start[1]), "2026-03-04T08:00:00");
        // A start-no-later-than before the links allow holds the task at
        // its date and leaves negative slack on the predecessor.
        let s = with(Constraint::StartNoLaterThan(at("2026-03-03T08:00:00")));
        assert_eq!(format(s.early_start[1]), "2026-03-03T08:00:00");
        assert_eq!(s.total_slack[0], -days(1));
        assert!(s.critical[0]);
    }

    #[test]
    fn multiple_critical_paths_end_each_path_critical() {
        // A (two days) then B (one day); C (five days) sets the finish.
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        let a = net.add(Task::new(days(2)));
        let b = net.add(Task::new(days(1)));
        let c = net.add(Task::new(days(5)));
        net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
        let s = schedule(&net).unwrap();
        assert_eq!((s.total_slack[a as usize], s.total_slack[b as usize]), (days(2), days(2)));
        net.multiple_critical_paths = true;
        let s = schedule(&net).unwrap();
        // B has no successor: it is late at its own finish, and so is A.
        assert_eq!((s.total_slack[a as usize], s.total_slack[b as usize]), (0, 0));
        assert!(s.critical[a as usize] && s.critical[b as usize] && s.critical[c as usize]);
        assert_eq!(format(s.project_finish), "2026-03-06T17:00:00");
    }

    #[test]
    fn without_honouring_constraint_dates_links_win() {
        // A (two days) then B, whose hard constraint says Tuesday: the link
        // allows Wednesday at the earliest.
        let with = |c: Constraint| {
            let mut net = Network::new(at("2026-03-02T08:00:00"));
            net.honor_constraints = false;
            let a = net.add(Task::new(days(2)));
            let mut t = Task::new(days(1));
            t.constraint = c;
            let b = net.add(t);
            net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
            schedule(&net).unwrap()
        };
        for c in [
            Constraint::MustStartOn(at("2026-03-03T08:00:00")),
            Constraint::MustFinishOn(at("2026-03-03T17:00:00")),
            Constraint::StartNoLaterThan(at("2026-03-03T08:00:00")),
            Constraint::FinishNoLaterThan(at("2026-03-03T17:00:00")),
        ] {
            let s = with(c);
            assert_eq!(format(s.start[1]), "2026-03-04T08:00:00", "{c:?}");
            // The constraint still bounds the late dates: a day behind.
            assert_eq!(s.total_slack[1], -days(1), "{c:?}");
            assert_eq!(s.total_slack[0], -days(1), "{c:?}");
        }
        // A must-start-on later than the links allow still holds the task.
        let s = with(Constraint::MustStartOn(at("2026-03-06T08:00:00")));
        assert_eq!(format(s.start[1]), "2026-03-06T08:00:00");
    }

    #[test]
    fn a_task_split_while_in_progress_resumes_after_the_gap() {
        let mut net = diamond();
        // A: two days, one day done Monday, stopped, resumed Wednesday.
        net.tasks[0].progress.actual_start = Some(at("2026-03-02T08:00:00"));
        net.tasks[0].progress.stop = Some(at("2026-03-02T17:00:00"));
        net.tasks[0].progress.resume = Some(at("2026-03-04T08:00:00"));
        let s = schedule(&net).unwrap();
        assert_eq!(format(s.early_finish[0]), "2026-03-04T17:00:00");
    }

    #[test]
    fn a_split_inside_the_work_done_is_not_work() {
        let mut net = diamond();
        // A: two days. Half a day Monday, nothing Tuesday, half a day
        // Wednesday: one day done by Wednesday 13:00 (actual duration),
        // though the working time since the start is two and a half days.
        let p = &mut net.tasks[0].progress;
        p.actual_start = Some(at("2026-03-02T08:00:00"));
        p.stop = Some(at("2026-03-04T13:00:00"));
        p.resume = Some(at("2026-03-04T13:00:00"));
        p.done = Some(8 * 60);
        let s = schedule(&net).unwrap();
        assert_eq!(format(s.early_finish[0]), "2026-03-05T12:00:00");
        // Without the actual duration, all the working time since the start
        // counts as work done: the task is done when it stopped.
        net.tasks[0].progress.done = None;
        let s = schedule(&net).unwrap();
        assert_eq!(format(s.early_finish[0]), "2026-03-04T13:00:00");
    }

    #[test]
    fn scheduled_from_the_finish() {
        let mut net = diamond();
        for t in &mut net.tasks {
            t.constraint = Constraint::AsLateAsPossible;
        }
        net.finish = Some(at("2026-03-13T17:00:00"));
        let s = schedule(&net).unwrap();
        // Everything slides to end at the fixed finish.
        assert_eq!(format(s.project_finish), "2026-03-13T17:00:00");
        assert_eq!(format(s.finish[3]), "2026-03-13T17:00:00");
        assert_eq!(format(s.start[0]), "2026-03-04T08:00:00");
        assert_eq!(format(s.start[2]), "2026-03-11T08:00:00");
    }

    #[test]
    fn deadlines_and_progress() {
        let mut net = diamond();
        net.tasks[3].deadline = Some(at("2026-03-10T17:00:00"));
        let s = schedule(&net).unwrap();
        assert_eq!(s.total_slack[3], -days(1));

        let mut net = diamond();
        net.tasks[0].progress.actual_start = Some(at("2026-03-02T08:00:00"));
        net.tasks[0].progress.actual_finish = Some(at("2026-03-05T17:00:00"));
        let s = schedule(&net).unwrap();
        assert_eq!(format(s.early_start[1]), "2026-03-06T08:00:00");
        assert!(!s.critical[0], "finished tasks are not critical");

        // Remaining work after a status date.
        let mut net = diamond();
        net.tasks[0].progress.actual_start = Some(at("2026-03-02T08:00:00"));
        net.tasks[0].progress.remaining = Some(days(1));
        net.status_date = Some(at("2026-03-05T08:00:00"));
        let s = schedule(&net).unwrap();
        assert_eq!(format(s.early_finish[0]), "2026-03-05T17:00:00");
        assert_eq!(format(s.early_start[2]), "2026-03-06T08:00:00");
    }
}
