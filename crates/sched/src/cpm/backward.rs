//! The backward pass for late dates, then slack, the critical flag and the
//! schedule the passes give.

use super::*;
use crate::calendar::CalendarError;
use crate::network::{Constraint, TaskIx};
use crate::time::Minute;

impl<'a> Passes<'a> {
    pub(super) fn backward(&mut self, project_finish: Minute) -> Result<(), ScheduleError> {
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

    pub(super) fn finish(self, project_start: Minute, project_finish: Minute) -> Result<Schedule, ScheduleError> {
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

    /// Where a task starts when the project is placed late (scheduled
    /// from its finish): typed and actual starts stay, the rest start at
    /// their late start; inactive tasks do not count.
    pub(super) fn planned_late_start(&self, i: usize) -> Option<Minute> {
        let t = self.task(i);
        match t.manual {
            Some(m) if m.kind == crate::network::ManualKind::Inactive => None,
            Some(m) => Some(m.start),
            None if t.progress.started() => Some(self.es[i]),
            None => Some(self.ls[i]),
        }
    }

    /// Total slack, and whether the task sits at its late dates (ALAP).
    pub(super) fn total_slack(&self, i: usize) -> (i64, bool) {
        let t = self.task(i);
        let cal = self.cal(i);
        let slack_cal = t.slack_calendar.map_or(cal, |c| &self.net.calendars[c as usize]);
        // A task a hard constraint holds before its links' dates counts
        // its slack from where the links put it.
        let linked = if self.unmet.is_empty() { None } else { self.unmet.get(&i).copied() };
        let (es, ef) = linked.unwrap_or((self.es[i], self.ef[i]));
        let finish_slack = slack_cal.between(ef, self.lf[i]);
        let placed = !self.g.is_summary[i] && !t.progress.started() && t.manual.is_none();
        let alap = t.constraint == Constraint::AsLateAsPossible && placed;
        // The constraint that goes against the way the project is
        // scheduled (ALAP from the start, ASAP from the finish) leaves the
        // task no room: MS Project counts it critical.
        let against = if self.net.finish.is_some() { t.constraint == Constraint::AsSoonAsPossible } else { alap };
        let ts = if t.progress.started() {
            // Once work has started, only the finish can still slip.
            finish_slack
        } else if against && placed {
            // No room left, but an overrun still shows.
            slack_cal.between(es, self.ls[i]).min(finish_slack).min(0)
        } else {
            slack_cal.between(es, self.ls[i]).min(finish_slack)
        };
        (ts, alap)
    }

    /// MS Project's Critical field: total slack within the limit, except
    /// for finished work and tasks kept out of scheduling (placeholders
    /// and inactive tasks; manually scheduled tasks with dates count).
    pub(super) fn is_critical(&self, i: usize, total_slack: i64) -> bool {
        let t = self.task(i);
        total_slack <= self.net.critical_slack_limit
            && !t.progress.done()
            && t.manual.is_none_or(|m| m.can_be_critical())
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
