//! The passes for plain networks, in working-minute coordinates.
//!
//! Most large plans are plain: one calendar without dated exceptions, no
//! constraints, progress, manual tasks, deadlines or elapsed lags. Their
//! schedule can be computed on integers: a moment is the number of working
//! minutes since an origin (`W`), plus which end of a non-working gap it
//! sits at (the finish before the gap, or the start after it). The passes
//! below are those of `cpm`, restated on such keys, and give the same
//! schedule (`tests/properties.rs` checks it); dates are converted once,
//! at the end.

use crate::calendar::Cumulative;
use crate::cpm::Schedule;
use crate::graph::{Graph, PassLink};
use crate::network::{Constraint, Lag, Network};
use crate::time::Minute;

/// `W * 2 + side`: side 0 is the earliest instant with that much work done
/// (a finish), side 1 the latest (a start). Keys order like instants.
type Key = i64;

const NONE_LATE: Key = i64::MAX / 4;
const NONE_EARLY: Key = i64::MIN / 4;

fn w(k: Key) -> i64 {
    k >> 1
}
fn finish_side(w: i64) -> Key {
    w << 1
}
fn start_side(w: i64) -> Key {
    (w << 1) | 1
}
/// `k` plus `m` working minutes, as `Calendar::add`/`sub` land.
fn add(k: Key, m: i64) -> Key {
    match m.signum() {
        1 => finish_side(w(k) + m),
        -1 => start_side(w(k) + m),
        _ => k,
    }
}

/// Whether the network can take the plain path, and its calendar. The
/// tasks are checked as their durations are read, in one sweep.
fn plain_calendar<'a>(net: &'a Network, g: &Graph) -> Option<&'a Cumulative> {
    let first = net.tasks.first()?.calendar;
    let cal = net.calendars.get(first as usize)?;
    let c = cal.cumulative()?;
    let plain = net.status_date.is_none()
        && net.finish.is_none()
        && !net.multiple_critical_paths
        && cal.next_start(net.start).ok() == Some(net.start)
        && !g.elapsed_lags;
    plain.then_some(c)
}

fn plain_task(t: &crate::network::Task, calendar: u32) -> bool {
    t.calendar == calendar
        && t.slack_calendar.is_none()
        && t.constraint == Constraint::AsSoonAsPossible
        && t.deadline.is_none()
        // Stated remaining or actual durations without an actual start
        // change nothing (files write them for every task).
        && !t.progress.started()
        && !t.progress.done()
        && t.manual.is_none()
        && matches!(t.leveling_delay, Lag::Elapsed(0) | Lag::Working(0) | Lag::Percent(0))
        && t.external_start.is_none()
}

/// The schedule of a plain network, or `None` when it is not plain.
pub(crate) fn schedule(net: &Network, g: &Graph, durations: Option<&[i64]>) -> Option<Schedule> {
    let cal = plain_calendar(net, g)?;
    let mut p = Plain::new(net, g, cal, durations)?;
    p.forward();
    p.backward();
    p.finish()
}

/// The project finish and critical flags of a plain network.
pub(crate) fn finish_and_critical(net: &Network, g: &Graph, durations: Option<&[i64]>) -> Option<(Minute, Vec<bool>)> {
    let cal = plain_calendar(net, g)?;
    let mut p = Plain::new(net, g, cal, durations)?;
    p.forward();
    p.backward();
    let critical = (0..net.tasks.len()).map(|i| p.total_slack(i) <= net.critical_slack_limit).collect();
    Some((p.instant(p.finish_key)?, critical))
}

struct Plain<'a> {
    net: &'a Network,
    g: &'a Graph,
    cal: &'a Cumulative,
    dur: Vec<i64>,
    es: Vec<Key>,
    ef: Vec<Key>,
    ls: Vec<Key>,
    lf: Vec<Key>,
    start_bound: Vec<Key>,
    finish_bound: Vec<Key>,
    start_key: Key,
    finish_key: Key,
}

impl<'a> Plain<'a> {
    fn new(net: &'a Network, g: &'a Graph, cal: &'a Cumulative, durations: Option<&[i64]>) -> Option<Plain<'a>> {
        let n = net.tasks.len();
        let calendar = net.tasks.first()?.calendar;
        let mut dur = Vec::with_capacity(n);
        for (i, t) in net.tasks.iter().enumerate() {
            if !plain_task(t, calendar) {
                return None;
            }
            dur.push(durations.and_then(|d| d.get(i).copied()).unwrap_or(t.duration));
        }
        let start_key = start_side(cal.at(net.start)?);
        Some(Plain {
            net,
            g,
            cal,
            dur,
            es: vec![NONE_LATE; n],
            ef: vec![NONE_EARLY; n],
            ls: vec![NONE_LATE; n],
            lf: vec![NONE_EARLY; n],
            start_bound: vec![NONE_EARLY; n],
            finish_bound: vec![NONE_EARLY; n],
            start_key,
            finish_key: NONE_EARLY,
        })
    }

    /// The instant of a key; `None` outside the calendar's working time
    /// (the general passes then report it).
    fn instant(&self, k: Key) -> Option<Minute> {
        if k & 1 == 0 { self.cal.earliest(w(k)) } else { self.cal.latest(w(k)) }
    }

    fn span(&self, i: usize) -> i64 {
        if self.g.is_summary[i] { w(self.ef[i]) - w(self.es[i]) } else { self.dur[i] }
    }

    fn lag(&self, link: &PassLink, pred: usize) -> i64 {
        if link.percent { self.span(pred) * link.lag / 10_000 } else { link.lag }
    }

    fn forward_bounds(&self, i: usize) -> (Key, Key) {
        let mut s = if self.g.is_summary[i] { NONE_EARLY } else { self.start_key };
        let mut f = NONE_EARLY;
        if let Some(&p) = self.g.parent.get(i).filter(|&&p| p != u32::MAX) {
            s = s.max(self.start_bound[p as usize]);
            f = f.max(self.finish_bound[p as usize]);
        }
        for link in &self.g.pred_links[self.g.preds.range(i)] {
            let pred = link.task as usize;
            let base = if link.kind.from_finish() { self.ef[pred] } else { self.es[pred] };
            let c = add(base, self.lag(link, pred));
            if link.kind.to_finish() {
                f = f.max(c);
            } else {
                s = s.max(c);
            }
        }
        (s, f)
    }

    fn forward(&mut self) {
        let g = self.g;
        for &v in &g.order {
            let i = (v / 2) as usize;
            match (v % 2 == 0, g.is_summary[i]) {
                (true, true) => (self.start_bound[i], self.finish_bound[i]) = self.forward_bounds(i),
                (true, false) => {
                    let d = self.dur[i];
                    let (s, f) = self.forward_bounds(i);
                    let mut es = if d == 0 { s } else { start_side(w(s)) };
                    if f > NONE_EARLY {
                        es = es.max(add(f, -d));
                    }
                    let mut ef = add(es, d);
                    if f > ef && f < NONE_LATE {
                        ef = f;
                    }
                    (self.es[i], self.ef[i]) = (es, ef);
                }
                (false, _) => {
                    if let Some(&p) = self.g.parent.get(i).filter(|&&p| p != u32::MAX) {
                        let p = p as usize;
                        self.es[p] = self.es[p].min(self.es[i]);
                        self.ef[p] = self.ef[p].max(self.ef[i]);
                    }
                }
            }
        }
        let leaves = (0..self.net.tasks.len()).filter(|&i| !g.is_summary[i]);
        self.finish_key = leaves.map(|i| self.ef[i]).max().unwrap_or(self.start_key);
    }

    fn backward_bounds(&self, i: usize) -> (Key, Key) {
        let mut s = NONE_LATE;
        let mut f = self.finish_key;
        if let Some(&p) = self.g.parent.get(i).filter(|&&p| p != u32::MAX) {
            s = s.min(self.start_bound[p as usize]);
            f = f.min(self.finish_bound[p as usize]);
        }
        for link in &self.g.succ_links[self.g.succs.range(i)] {
            let succ = link.task as usize;
            let base = if link.kind.to_finish() { self.lf[succ] } else { self.ls[succ] };
            let c = add(base, -self.lag(link, i));
            if link.kind.from_finish() {
                f = f.min(c);
            } else {
                s = s.min(c);
            }
        }
        (s, f)
    }

    fn backward(&mut self) {
        let g = self.g;
        for &v in g.order.iter().rev() {
            let i = (v / 2) as usize;
            match (v % 2 == 1, g.is_summary[i]) {
                (true, true) => (self.start_bound[i], self.finish_bound[i]) = self.backward_bounds(i),
                (true, false) => {
                    let d = self.dur[i];
                    let (s, f) = self.backward_bounds(i);
                    let mut lf = if d == 0 { f } else { finish_side(w(f)) };
                    if s < NONE_LATE {
                        lf = lf.min(if d == 0 { s } else { add(s, d) });
                    }
                    if lf < self.ef[i] && w(lf) == w(self.ef[i]) {
                        lf = self.ef[i];
                    }
                    (self.ls[i], self.lf[i]) = (add(lf, -d), lf);
                }
                (false, _) => {
                    if let Some(&p) = self.g.parent.get(i).filter(|&&p| p != u32::MAX) {
                        let p = p as usize;
                        self.ls[p] = self.ls[p].min(self.ls[i]);
                        self.lf[p] = self.lf[p].max(self.lf[i]);
                    }
                }
            }
        }
    }

    fn total_slack(&self, i: usize) -> i64 {
        (w(self.ls[i]) - w(self.es[i])).min(w(self.lf[i]) - w(self.ef[i]))
    }

    fn free_slack(&self, i: usize) -> i64 {
        let succs = &self.g.succ_links[self.g.succs.range(i)];
        if succs.is_empty() {
            return w(self.finish_key) - w(self.ef[i]);
        }
        let mut slack = i64::MAX;
        for link in succs {
            let succ = link.task as usize;
            let target = if link.kind.to_finish() { self.ef[succ] } else { self.es[succ] };
            let limit = add(target, -self.lag(link, i));
            let own = if link.kind.from_finish() { self.ef[i] } else { self.es[i] };
            slack = slack.min(w(limit) - w(own));
        }
        slack
    }

    fn finish(self) -> Option<Schedule> {
        let n = self.net.tasks.len();
        // Every task's figures stand alone: on a large plan they are
        // worked out on all cores.
        let total_slack = tasks(n, |i| self.total_slack(i));
        let free_slack = tasks(n, |i| self.free_slack(i).min(total_slack[i]).max(0));
        let limit = self.net.critical_slack_limit;
        let critical = tasks(n, |i| total_slack[i] <= limit);
        let dates = |v: &[Key]| -> Option<Vec<Minute>> { tasks(n, |i| self.instant(v[i])).into_iter().collect() };
        let early_start = dates(&self.es)?;
        let early_finish = dates(&self.ef)?;
        let leaves = || (0..n).filter(|&i| !self.g.is_summary[i]);
        let project_start = leaves().map(|i| early_start[i]).min().unwrap_or(self.net.start);
        Some(Schedule {
            start: early_start.clone(),
            finish: early_finish.clone(),
            late_start: dates(&self.ls)?,
            late_finish: dates(&self.lf)?,
            early_start,
            early_finish,
            total_slack,
            free_slack,
            critical,
            is_summary: self.g.is_summary.clone(),
            project_start,
            project_finish: self.instant(self.finish_key)?,
        })
    }
}

/// From this many tasks, per-task figures are computed on all cores.
const PARALLEL_FROM: usize = 50_000;

/// `f` of every task index, in order.
fn tasks<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    if n < PARALLEL_FROM { (0..n).map(f).collect() } else { (0..n).into_par_iter().with_min_len(8192).map(f).collect() }
}
