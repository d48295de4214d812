//! Working-time calendars and the arithmetic on them.
//!
//! A calendar is a default working week plus dated segments (exceptions,
//! alternative work weeks) that replace it. Each segment is itself a weekly
//! pattern (an exception is a week whose seven days are alike), so every
//! stretch of time has a weekly total and whole weeks are skipped in O(1):
//! the cost of an operation grows with the number of segments it crosses,
//! not with the length of the span.

use crate::time::{DAY, Minute, day_of, minute_of_day, weekday};

/// How many working periods one day may have (MSPDI allows five).
pub const MAX_SHIFTS: usize = 8;

/// A day's working periods, in minutes after midnight, sorted and disjoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shifts {
    spans: [(u16, u16); MAX_SHIFTS],
    len: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar `{0}` has no working time")]
    NoWorkingTime(String),
    #[error("a working period must lie within one day and end after it starts ({0}–{1} minutes after midnight)")]
    BadShift(u16, u16),
    #[error("working periods overlap or are out of order")]
    Overlap,
    #[error("a day may have at most {MAX_SHIFTS} working periods")]
    TooManyShifts,
    #[error("an exception ends before it starts")]
    BadRange,
    #[error("a date is outside the supported range")]
    OutOfRange,
}

impl Shifts {
    pub const NONE: Shifts = Shifts { spans: [(0, 0); MAX_SHIFTS], len: 0 };

    /// Working periods `[from, to)` in minutes after midnight; `to` may be
    /// 1440 (midnight at the end of the day).
    pub fn new(spans: &[(u16, u16)]) -> Result<Shifts, CalendarError> {
        if spans.len() > MAX_SHIFTS {
            return Err(CalendarError::TooManyShifts);
        }
        let mut s = Shifts::NONE;
        let mut last_end = 0u16;
        for (i, &(from, to)) in spans.iter().enumerate() {
            if from >= to || to > 1440 {
                return Err(CalendarError::BadShift(from, to));
            }
            if i > 0 && from < last_end {
                return Err(CalendarError::Overlap);
            }
            last_end = to;
            s.spans[i] = (from, to);
        }
        s.len = spans.len() as u8;
        Ok(s)
    }

    /// Like [`Shifts::new`], but sorts and merges touching periods first.
    pub fn normalized(spans: &[(u16, u16)]) -> Result<Shifts, CalendarError> {
        Shifts::new(&merged(spans)?)
    }

    /// Like [`Shifts::normalized`], but a day of more than [`MAX_SHIFTS`]
    /// periods (several resources' calendars together) closes its
    /// shortest breaks instead of being refused.
    pub fn fitted(spans: &[(u16, u16)]) -> Result<Shifts, CalendarError> {
        let mut merged = merged(spans)?;
        while merged.len() > MAX_SHIFTS {
            let (i, _) =
                merged.windows(2).enumerate().min_by_key(|(_, w)| w[1].0 - w[0].1).unwrap_or((0, &merged[..2]));
            merged[i].1 = merged[i + 1].1;
            merged.remove(i + 1);
        }
        Shifts::new(&merged)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, i64)> + '_ {
        self.spans[..usize::from(self.len)].iter().map(|&(f, t)| (i64::from(f), i64::from(t)))
    }

    pub fn total(&self) -> i64 {
        self.iter().map(|(f, t)| t - f).sum()
    }

    pub fn is_working(&self) -> bool {
        self.len > 0
    }

    /// Working whenever either is.
    pub fn union(&self, other: &Shifts) -> Result<Shifts, CalendarError> {
        let all: Vec<(u16, u16)> = self.raw().iter().chain(other.raw()).copied().collect();
        if all.is_empty() { Ok(Shifts::NONE) } else { Shifts::fitted(&all) }
    }

    /// Working only when both are.
    pub fn intersection(&self, other: &Shifts) -> Result<Shifts, CalendarError> {
        let mut out = Vec::new();
        for &(a, b) in self.raw() {
            for &(c, d) in other.raw() {
                let (f, t) = (a.max(c), b.min(d));
                if f < t {
                    out.push((f, t));
                }
            }
        }
        if out.is_empty() { Ok(Shifts::NONE) } else { Shifts::normalized(&out) }
    }

    fn raw(&self) -> &[(u16, u16)] {
        &self.spans[..usize::from(self.len)]
    }
}

/// Periods sorted, checked and with touching or overlapping ones merged.
fn merged(spans: &[(u16, u16)]) -> Result<Vec<(u16, u16)>, CalendarError> {
    let mut v: Vec<(u16, u16)> = spans.to_vec();
    v.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::with_capacity(v.len());
    for (f, t) in v {
        if f >= t || t > 1440 {
            return Err(CalendarError::BadShift(f, t));
        }
        match merged.last_mut() {
            Some(last) if f <= last.1 => last.1 = last.1.max(t),
            _ => merged.push((f, t)),
        }
    }
    Ok(merged)
}

/// A weekly pattern, Monday first, with its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    days: [Shifts; 7],
    total: i64,
}

impl Week {
    pub fn new(days: [Shifts; 7]) -> Week {
        let total = days.iter().map(Shifts::total).sum();
        Week { days, total }
    }

    /// Every day alike (an exception).
    pub fn uniform(day: Shifts) -> Week {
        Week::new([day; 7])
    }

    /// Monday to Friday 08:00–12:00 and 13:00–17:00: MS Project's Standard.
    pub fn standard() -> Week {
        let work = Shifts { spans: [(480, 720), (780, 1020), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)], len: 2 };
        Week::new([work, work, work, work, work, Shifts::NONE, Shifts::NONE])
    }

    /// Combines two weeks day by day.
    fn combine(
        &self,
        other: &Week,
        f: fn(&Shifts, &Shifts) -> Result<Shifts, CalendarError>,
    ) -> Result<Week, CalendarError> {
        let mut days = [Shifts::NONE; 7];
        for (i, d) in days.iter_mut().enumerate() {
            *d = f(&self.days[i], &other.days[i])?;
        }
        Ok(Week::new(days))
    }

    pub fn day(&self, weekday: usize) -> &Shifts {
        &self.days[weekday % 7]
    }

    pub fn total(&self) -> i64 {
        self.total
    }
}

/// Days `[from, to]` (inclusive) that follow `week` instead of the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    from: i64,
    to: i64,
    week: Week,
}

/// A dated override, before overlaps are resolved: higher `rank` wins.
#[derive(Debug, Clone, Copy)]
pub struct Override {
    pub from_day: i64,
    pub to_day: i64,
    pub week: Week,
    /// Exceptions (rank 2) beat alternative work weeks (rank 1).
    pub rank: u8,
}

/// A working-time calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    name: String,
    default: Week,
    /// Sorted, disjoint.
    segments: Vec<Segment>,
    /// For a calendar without dated segments: the week's running totals,
    /// which make every operation a few arithmetic steps.
    fast: Option<Cumulative>,
}

/// One weekly pattern with its running totals: `cum[k]` is the work in
/// the first `k` days of a fortnight starting on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WeekTable {
    week: Week,
    cum: [i64; 15],
}

impl WeekTable {
    fn new(week: Week) -> WeekTable {
        let mut cum = [0i64; 15];
        for k in 0..14 {
            cum[k + 1] = cum[k] + week.days[k % 7].total();
        }
        WeekTable { week, cum }
    }

    /// Working minutes in the days `[d0, d1)`.
    fn span(&self, d0: i64, d1: i64) -> i64 {
        let n = d1 - d0;
        let wd = weekday(d0);
        (n / 7) * self.week.total + self.cum[wd + (n % 7) as usize] - self.cum[wd]
    }

    /// Working minutes of day `day` before minute `m`.
    fn within(&self, day: i64, m: i64) -> i64 {
        self.week.days[weekday(day)].iter().map(|(f, to)| (to.min(m) - f).max(0)).sum()
    }

    /// The instant `offset` (> 0) working minutes after the start of day
    /// `from`, at the end of the work (earliest), or where the next work
    /// starts (latest, `offset` ≥ 0).
    fn locate(&self, from: i64, offset: i64, earliest: bool) -> Minute {
        let monday = from - weekday(from) as i64;
        let off = offset + self.cum[weekday(from)];
        let total = self.week.total;
        let q = if earliest { (off - 1).div_euclid(total) } else { off.div_euclid(total) };
        let mut rem = off - q * total;
        let mut k = 0;
        while k < 6 && (if earliest { self.cum[k + 1] < rem } else { self.cum[k + 1] <= rem }) {
            k += 1;
        }
        rem -= self.cum[k];
        let mut minute = 0;
        for (f, to) in self.week.days[k].iter() {
            if (earliest && rem <= to - f) || (!earliest && rem < to - f) {
                minute = f + rem;
                break;
            }
            rem -= to - f;
        }
        (monday + q * 7 + k as i64) * DAY + minute
    }
}

/// A stretch of days following one pattern, from `from` to the next
/// piece; `w_from` is the work done before it since the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    from: i64,
    w_from: i64,
    table: WeekTable,
}

/// The closed form of a calendar's working time: `at(t)`, the working
/// minutes since an origin day, and its inverses. Every operation is a
/// binary search over the calendar's dated segments plus a few steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cumulative {
    pieces: Vec<Piece>,
}

/// The origin day (year 875): dates before it take the general path.
const ORIGIN_DAY: i64 = -400_000;

impl Cumulative {
    fn new(default: Week, segments: &[Segment]) -> Option<Cumulative> {
        let mut bounds: Vec<(i64, Week)> = vec![(ORIGIN_DAY, default)];
        for s in segments {
            if s.from <= ORIGIN_DAY {
                return None;
            }
            bounds.push((s.from, s.week));
            bounds.push((s.to + 1, default));
        }
        let mut pieces: Vec<Piece> = Vec::with_capacity(bounds.len());
        for (from, week) in bounds {
            let table = WeekTable::new(week);
            match pieces.last_mut() {
                Some(last) if last.from == from => last.table = table,
                Some(last) => {
                    let w_from = last.w_from + last.table.span(last.from, from);
                    pieces.push(Piece { from, w_from, table });
                }
                None => pieces.push(Piece { from, w_from: 0, table }),
            }
        }
        pieces.iter().any(|p| p.table.week.total > 0).then_some(Cumulative { pieces })
    }

    /// Working minutes from the origin to `t`; `None` before the origin.
    pub(crate) fn at(&self, t: Minute) -> Option<i64> {
        let day = day_of(t);
        let i = self.pieces.partition_point(|p| p.from <= day).checked_sub(1)?;
        let p = &self.pieces[i];
        Some(p.w_from + p.table.span(p.from, day) + p.table.within(day, minute_of_day(t)))
    }

    /// The earliest instant at which `target` minutes have been worked.
    pub(crate) fn earliest(&self, target: i64) -> Option<Minute> {
        let i = self.pieces.partition_point(|p| p.w_from < target).checked_sub(1)?;
        let p = &self.pieces[i];
        (p.table.week.total > 0).then(|| p.table.locate(p.from, target - p.w_from, true))
    }

    /// The latest instant at which exactly `target` minutes have been
    /// worked: where the next work starts.
    pub(crate) fn latest(&self, target: i64) -> Option<Minute> {
        let i = self.pieces.partition_point(|p| p.w_from <= target).checked_sub(1)?;
        let p = &self.pieces[i];
        (p.table.week.total > 0).then(|| p.table.locate(p.from, target - p.w_from, false))
    }
}

/// How far a search may look for working time before giving up: beyond
/// this, the calendar is treated as having none.
const HORIZON_DAYS: i64 = 366 * 400;

impl Calendar {
    /// A calendar with a default week and overrides. Overlapping overrides
    /// are resolved by rank, then by which was given last.
    pub fn new(name: impl Into<String>, default: Week, overrides: &[Override]) -> Result<Calendar, CalendarError> {
        let name = name.into();
        for o in overrides {
            if o.to_day < o.from_day {
                return Err(CalendarError::BadRange);
            }
        }
        let segments = resolve(overrides);
        let fast = Cumulative::new(default, &segments);
        let cal = Calendar { name, default, segments, fast };
        if cal.default.total == 0 && cal.segments.iter().all(|s| s.week.total == 0) {
            return Err(CalendarError::NoWorkingTime(cal.name));
        }
        Ok(cal)
    }

    /// Every minute of every day: for elapsed durations and lags.
    pub fn elapsed() -> Calendar {
        let all = Shifts { spans: [(0, 1440), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)], len: 1 };
        let week = Week::uniform(all);
        Calendar { name: "24 hours".into(), default: week, segments: Vec::new(), fast: Cumulative::new(week, &[]) }
    }

    pub fn standard() -> Calendar {
        let week = Week::standard();
        Calendar { name: "Standard".into(), default: week, segments: Vec::new(), fast: Cumulative::new(week, &[]) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The default week and the dated stretches that differ from it
    /// (inclusive day ranges, sorted and disjoint). As overrides of one
    /// rank they rebuild the same calendar, so a calendar of any origin
    /// can be stored and edited as a week plus dated weeks.
    pub fn periods(&self) -> (Week, Vec<(i64, i64, Week)>) {
        (self.default, self.segments.iter().map(|s| (s.from, s.to, s.week)).collect())
    }

    /// The closed-form arithmetic of the calendar.
    pub(crate) fn cumulative(&self) -> Option<&Cumulative> {
        self.fast.as_ref()
    }

    /// The same calendar without its closed form: every operation walks
    /// day by day. For tests that hold the two to the same answers.
    #[doc(hidden)]
    pub fn without_shortcuts(&self) -> Calendar {
        Calendar { fast: None, ..self.clone() }
    }

    /// Working whenever any of the calendars works: a task worked by
    /// several resources, each on their own calendar.
    pub fn union_of(name: impl Into<String>, cals: &[&Calendar]) -> Result<Calendar, CalendarError> {
        Calendar::combine_all(name.into(), cals, Shifts::union)
    }

    /// Working only when all of the calendars work: a task calendar and
    /// its resources' calendars.
    pub fn intersection_of(name: impl Into<String>, cals: &[&Calendar]) -> Result<Calendar, CalendarError> {
        Calendar::combine_all(name.into(), cals, Shifts::intersection)
    }

    fn combine_all(
        name: String,
        cals: &[&Calendar],
        f: fn(&Shifts, &Shifts) -> Result<Shifts, CalendarError>,
    ) -> Result<Calendar, CalendarError> {
        let Some((first, rest)) = cals.split_first() else { return Ok(Calendar::standard()) };
        let week_at = |day: i64| -> Result<Week, CalendarError> {
            let mut w = *first.region(day).0;
            for c in rest {
                w = w.combine(c.region(day).0, f)?;
            }
            Ok(w)
        };
        let mut default = first.default;
        for c in rest {
            default = default.combine(&c.default, f)?;
        }
        // Every day where any calendar changes pattern starts a new stretch.
        let mut bounds: Vec<i64> =
            cals.iter().flat_map(|c| c.segments.iter().flat_map(|s| [s.from, s.to + 1])).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut overrides = Vec::new();
        for w in bounds.windows(2) {
            let week = week_at(w[0])?;
            if week != default {
                overrides.push(Override { from_day: w[0], to_day: w[1] - 1, week, rank: 2 });
            }
        }
        Calendar::new(name, default, &overrides)
    }

    fn no_time(&self) -> CalendarError {
        CalendarError::NoWorkingTime(self.name.clone())
    }

    /// The segment index containing `day`, or where it would be inserted.
    fn locate(&self, day: i64) -> Result<usize, usize> {
        self.segments.binary_search_by(|s| {
            if s.to < day {
                std::cmp::Ordering::Less
            } else if s.from > day {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
    }

    /// The week pattern in force on `day` and the last day it stays in
    /// force (inclusive), or the first day before it when going back.
    fn region(&self, day: i64) -> (&Week, i64, i64) {
        match self.locate(day) {
            Ok(i) => {
                let s = &self.segments[i];
                (&s.week, s.from, s.to)
            }
            Err(i) => {
                let from = if i == 0 { i64::MIN / 4 } else { self.segments[i - 1].to + 1 };
                let to = self.segments.get(i).map_or(i64::MAX / 4, |s| s.from - 1);
                (&self.default, from, to)
            }
        }
    }

    /// The working periods of a day.
    pub fn shifts(&self, day: i64) -> &Shifts {
        let (week, _, _) = self.region(day);
        week.day(weekday(day))
    }

    /// Working minutes in a day.
    pub fn day_minutes(&self, day: i64) -> i64 {
        self.shifts(day).total()
    }

    /// The first instant at or after `t` at which work can start.
    pub fn next_start(&self, t: Minute) -> Result<Minute, CalendarError> {
        if let Some(r) = self.fast.as_ref().and_then(|c| c.latest(c.at(t)?)) {
            return Ok(r);
        }
        let mut day = day_of(t);
        let mut m = minute_of_day(t);
        let limit = day + HORIZON_DAYS;
        while day <= limit {
            for (f, to) in self.shifts(day).iter() {
                if m < to {
                    return Ok(day * DAY + f.max(m));
                }
            }
            day = self.skip_idle_forward(day + 1)?;
            m = 0;
        }
        Err(self.no_time())
    }

    /// The last instant at or before `t` at which work can finish.
    pub fn prev_finish(&self, t: Minute) -> Result<Minute, CalendarError> {
        if let Some(r) = self.fast.as_ref().and_then(|c| c.earliest(c.at(t)?)) {
            return Ok(r);
        }
        let (mut day, mut m) = back_position(t);
        let limit = day - HORIZON_DAYS;
        while day >= limit {
            for (f, to) in self.shifts(day).iter().rev() {
                if f < m {
                    return Ok(day * DAY + to.min(m));
                }
            }
            day = self.skip_idle_backward(day - 1)?;
            m = DAY;
        }
        Err(self.no_time())
    }

    /// The instant at which `minutes` of work starting at `t` is done. Zero
    /// minutes leave `t` where it is (a milestone sits where it is put).
    pub fn add(&self, t: Minute, minutes: i64) -> Result<Minute, CalendarError> {
        if minutes < 0 {
            return self.sub(t, -minutes);
        }
        if minutes == 0 {
            return Ok(t);
        }
        if let Some(r) = self.fast.as_ref().and_then(|c| c.earliest(c.at(t)? + minutes)) {
            return Ok(r);
        }
        let mut remaining = minutes;
        let mut day = day_of(t);
        let mut m = minute_of_day(t);
        let limit = day + HORIZON_DAYS;
        while day <= limit {
            for (f, to) in self.shifts(day).iter() {
                if to <= m {
                    continue;
                }
                let from = f.max(m);
                let avail = to - from;
                if remaining <= avail {
                    return Ok(day * DAY + from + remaining);
                }
                remaining -= avail;
            }
            day = self.skip_idle_forward(day + 1)?;
            m = 0;
            // Whole weeks at once while the pattern holds.
            let (week, _, region_to) = self.region(day);
            if week.total > 0 && remaining > week.total {
                let weeks = ((remaining - 1) / week.total).min((region_to - day + 1) / 7);
                if weeks > 0 {
                    day += weeks * 7;
                    remaining -= weeks * week.total;
                }
            }
        }
        Err(self.no_time())
    }

    /// The instant from which `minutes` of work end at `t`.
    pub fn sub(&self, t: Minute, minutes: i64) -> Result<Minute, CalendarError> {
        if minutes < 0 {
            return self.add(t, -minutes);
        }
        if minutes == 0 {
            return Ok(t);
        }
        if let Some(r) = self.fast.as_ref().and_then(|c| c.latest(c.at(t)? - minutes)) {
            return Ok(r);
        }
        let mut remaining = minutes;
        let (mut day, mut m) = back_position(t);
        let limit = day - HORIZON_DAYS;
        while day >= limit {
            for (f, to) in self.shifts(day).iter().rev() {
                if f >= m {
                    continue;
                }
                let upto = to.min(m);
                let avail = upto - f;
                if remaining <= avail {
                    return Ok(day * DAY + upto - remaining);
                }
                remaining -= avail;
            }
            day = self.skip_idle_backward(day - 1)?;
            m = DAY;
            let (week, region_from, _) = self.region(day);
            if week.total > 0 && remaining > week.total {
                let weeks = ((remaining - 1) / week.total).min((day - region_from + 1) / 7);
                if weeks > 0 {
                    day -= weeks * 7;
                    remaining -= weeks * week.total;
                }
            }
        }
        Err(self.no_time())
    }

    /// Working minutes from `a` to `b`; negative when `b` is before `a`.
    pub fn between(&self, a: Minute, b: Minute) -> i64 {
        if let Some((wa, wb)) = self.fast.as_ref().and_then(|c| Some((c.at(a)?, c.at(b)?))) {
            return wb - wa;
        }
        if b < a {
            return -self.between(b, a);
        }
        let (da, db) = (day_of(a), day_of(b));
        let in_day = |day: i64, from: i64, to: i64| -> i64 {
            self.shifts(day).iter().map(|(f, t)| (t.min(to) - f.max(from)).max(0)).sum()
        };
        if da == db {
            return in_day(da, minute_of_day(a), minute_of_day(b));
        }
        let mut total = in_day(da, minute_of_day(a), DAY) + in_day(db, 0, minute_of_day(b));
        let mut day = da + 1;
        while day < db {
            let (week, _, region_to) = self.region(day);
            let end = region_to.min(db - 1);
            let span = end - day + 1;
            let weeks = span / 7;
            total += weeks * week.total;
            day += weeks * 7;
            while day <= end {
                total += week.day(weekday(day)).total();
                day += 1;
            }
        }
        total
    }

    /// From `day`, skips regions without any working time, forwards.
    fn skip_idle_forward(&self, mut day: i64) -> Result<i64, CalendarError> {
        loop {
            let (week, _, to) = self.region(day);
            if week.total > 0 {
                return Ok(day);
            }
            if to >= i64::MAX / 8 {
                return Err(self.no_time());
            }
            day = to + 1;
        }
    }

    fn skip_idle_backward(&self, mut day: i64) -> Result<i64, CalendarError> {
        loop {
            let (week, from, _) = self.region(day);
            if week.total > 0 {
                return Ok(day);
            }
            if from <= i64::MIN / 8 {
                return Err(self.no_time());
            }
            day = from - 1;
        }
    }
}

/// Going backwards, midnight belongs to the day before.
fn back_position(t: Minute) -> (i64, i64) {
    let m = minute_of_day(t);
    if m == 0 { (day_of(t) - 1, DAY) } else { (day_of(t), m) }
}

/// Turns possibly overlapping overrides into sorted disjoint segments.
fn resolve(overrides: &[Override]) -> Vec<Segment> {
    let mut bounds: Vec<i64> = overrides.iter().flat_map(|o| [o.from_day, o.to_day + 1]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut out: Vec<Segment> = Vec::new();
    for w in bounds.windows(2) {
        let (from, to) = (w[0], w[1] - 1);
        // The winner: highest rank, then the latest given.
        let winner = overrides
            .iter()
            .enumerate()
            .filter(|(_, o)| o.from_day <= from && o.to_day >= to)
            .max_by_key(|(i, o)| (o.rank, *i))
            .map(|(_, o)| o.week);
        if let Some(week) = winner {
            match out.last_mut() {
                Some(last) if last.to + 1 == from && last.week == week => last.to = to,
                _ => out.push(Segment { from, to, week }),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_rebuild_the_calendar() {
        let half = Shifts::new(&[(480, 720)]).unwrap();
        let base = Calendar::new(
            "c",
            Week::standard(),
            &[
                Override { from_day: 20_000, to_day: 20_030, week: Week::uniform(half), rank: 1 },
                Override { from_day: 20_010, to_day: 20_012, week: Week::uniform(Shifts::NONE), rank: 2 },
            ],
        )
        .unwrap();
        let (week, periods) = base.periods();
        let overrides: Vec<Override> =
            periods.iter().map(|&(f, t, w)| Override { from_day: f, to_day: t, week: w, rank: 1 }).collect();
        let again = Calendar::new("c", week, &overrides).unwrap();
        for d in (19_990..20_040).step_by(3) {
            assert_eq!(base.between(d * DAY, (d + 9) * DAY), again.between(d * DAY, (d + 9) * DAY));
        }
    }
    use crate::time::{format, parse};

    fn t(s: &str) -> Minute {
        parse(s).unwrap()
    }

    fn holiday(date: &str) -> Override {
        let d = day_of(t(date));
        Override { from_day: d, to_day: d, week: Week::uniform(Shifts::NONE), rank: 2 }
    }

    #[test]
    fn adds_through_lunch_nights_and_weekends() {
        let c = Calendar::standard();
        // Friday 2026-03-06.
        assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 480).unwrap()), "2026-03-02T17:00:00");
        assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 240).unwrap()), "2026-03-02T12:00:00");
        assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 300).unwrap()), "2026-03-02T14:00:00");
        assert_eq!(format(c.add(t("2026-03-06T13:00:00"), 480).unwrap()), "2026-03-09T12:00:00");
        assert_eq!(format(c.add(t("2026-03-06T17:00:00"), 60).unwrap()), "2026-03-09T09:00:00");
        // Ten weeks at once.
        assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 480 * 50).unwrap()), "2026-05-08T17:00:00");
        assert_eq!(c.add(t("2026-03-02T08:00:00"), 0).unwrap(), t("2026-03-02T08:00:00"));
    }

    #[test]
    fn subtracts_mirror_adds() {
        let c = Calendar::standard();
        assert_eq!(format(c.sub(t("2026-03-02T17:00:00"), 480).unwrap()), "2026-03-02T08:00:00");
        assert_eq!(format(c.sub(t("2026-03-09T12:00:00"), 480).unwrap()), "2026-03-06T13:00:00");
        assert_eq!(format(c.sub(t("2026-05-08T17:00:00"), 480 * 50).unwrap()), "2026-03-02T08:00:00");
        assert_eq!(format(c.sub(t("2026-03-09T00:00:00"), 60).unwrap()), "2026-03-06T16:00:00");
        for minutes in [1, 59, 240, 479, 480, 481, 2400, 2401, 99_999] {
            let start = t("2026-03-04T10:17:00");
            let end = c.add(start, minutes).unwrap();
            assert_eq!(c.sub(end, minutes).unwrap(), start, "{minutes}");
            assert_eq!(c.between(start, end), minutes, "{minutes}");
        }
    }

    #[test]
    fn starts_and_finishes_snap_to_working_time() {
        let c = Calendar::standard();
        assert_eq!(format(c.next_start(t("2026-03-02T17:00:00")).unwrap()), "2026-03-03T08:00:00");
        assert_eq!(format(c.next_start(t("2026-03-02T12:00:00")).unwrap()), "2026-03-02T13:00:00");
        assert_eq!(format(c.next_start(t("2026-03-07T10:00:00")).unwrap()), "2026-03-09T08:00:00");
        assert_eq!(format(c.next_start(t("2026-03-02T09:30:00")).unwrap()), "2026-03-02T09:30:00");
        assert_eq!(format(c.prev_finish(t("2026-03-03T08:00:00")).unwrap()), "2026-03-02T17:00:00");
        assert_eq!(format(c.prev_finish(t("2026-03-02T13:00:00")).unwrap()), "2026-03-02T12:00:00");
        assert_eq!(format(c.prev_finish(t("2026-03-09T00:00:00")).unwrap()), "2026-03-06T17:00:00");
        assert_eq!(format(c.prev_finish(t("2026-03-02T17:00:00")).unwrap()), "2026-03-02T17:00:00");
    }

    #[test]
    fn exceptions_and_work_weeks() {
        let sat = day_of(t("2026-03-07T00:00:00"));
        let half = Shifts::new(&[(480, 720)]).unwrap();
        let c = Calendar::new(
            "Holidays",
            Week::standard(),
            &[holiday("2026-03-04"), Override { from_day: sat, to_day: sat, week: Week::uniform(half), rank: 2 }],
        )
        .unwrap();
        // Two days from Tuesday: Tuesday and Thursday (Wednesday is off).
        assert_eq!(format(c.add(t("2026-03-03T08:00:00"), 960).unwrap()), "2026-03-05T17:00:00");
        // Saturday morning works.
        assert_eq!(format(c.add(t("2026-03-06T08:00:00"), 720).unwrap()), "2026-03-07T12:00:00");
        assert_eq!(c.between(t("2026-03-02T08:00:00"), t("2026-03-09T08:00:00")), 4 * 480 + 240);

        // A summer work week of 4 long days overrides the default for June.
        let long = Shifts::new(&[(420, 1020)]).unwrap();
        let summer = Week::new([long, long, long, long, Shifts::NONE, Shifts::NONE, Shifts::NONE]);
        let c = Calendar::new(
            "Summer",
            Week::standard(),
            &[
                Override { from_day: day_of(t("2026-06-01")), to_day: day_of(t("2026-06-30")), week: summer, rank: 1 },
                holiday("2026-06-03"),
            ],
        )
        .unwrap();
        assert_eq!(format(c.add(t("2026-06-01T07:00:00"), 600 * 3).unwrap()), "2026-06-04T17:00:00");
        // Crossing into and out of the work week over many weeks agrees both ways.
        let start = t("2026-04-01T08:00:00");
        let end = c.add(start, 480 * 100).unwrap();
        assert_eq!(c.sub(end, 480 * 100).unwrap(), start);
        assert_eq!(c.between(start, end), 480 * 100);
    }

    #[test]
    fn a_calendar_without_working_time_is_refused_or_bounded() {
        let none = Week::uniform(Shifts::NONE);
        assert!(matches!(Calendar::new("Never", none, &[]), Err(CalendarError::NoWorkingTime(_))));
        // Work on one day only: searches past it fail instead of looping.
        let d = day_of(t("2026-03-02"));
        let c = Calendar::new(
            "Once",
            none,
            &[Override { from_day: d, to_day: d, week: Week::uniform(Shifts::new(&[(480, 540)]).unwrap()), rank: 2 }],
        )
        .unwrap();
        assert_eq!(format(c.add(t("2026-01-01T00:00:00"), 60).unwrap()), "2026-03-02T09:00:00");
        assert!(c.add(t("2026-01-01T00:00:00"), 61).is_err());
        assert!(c.next_start(t("2026-03-03T00:00:00")).is_err());
        assert!(c.prev_finish(t("2026-03-01T00:00:00")).is_err());
        assert!(Shifts::new(&[(600, 500)]).is_err());
        assert!(Shifts::new(&[(480, 720), (700, 800)]).is_err());
    }

    #[test]
    fn unions_and_intersections() {
        let night = Shifts::new(&[(0, 180), (1380, 1440)]).unwrap();
        let nights = Calendar::new(
            "Nights",
            Week::new([night, night, night, night, night, Shifts::NONE, Shifts::NONE]),
            &[holiday("2026-03-04")],
        )
        .unwrap();
        let std = Calendar::standard();
        let both = Calendar::union_of("both", &[&std, &nights]).unwrap();
        assert_eq!(both.day_minutes(day_of(t("2026-03-03"))), 480 + 240);
        // The holiday is off for the night shift only.
        assert_eq!(both.day_minutes(day_of(t("2026-03-04"))), 480);
        let common = Calendar::intersection_of("common", &[&std, &nights]).unwrap_err();
        assert!(matches!(common, CalendarError::NoWorkingTime(_)));
        // Many calendars together close their shortest breaks, not fail.
        let hourly: Vec<Calendar> = (0..12u16)
            .map(|h| {
                let day = Shifts::new(&[(h * 60 + 360, h * 60 + 390)]).unwrap();
                Calendar::new(format!("h{h}"), Week::uniform(day), &[]).unwrap()
            })
            .collect();
        let refs: Vec<&Calendar> = hourly.iter().collect();
        let all = Calendar::union_of("all", &refs).unwrap();
        assert!(all.day_minutes(day_of(t("2026-03-03"))) >= 12 * 30);
        let mornings = Calendar::new("Mornings", Week::uniform(Shifts::new(&[(420, 600)]).unwrap()), &[]).unwrap();
        let common = Calendar::intersection_of("common", &[&std, &mornings]).unwrap();
        assert_eq!(common.day_minutes(day_of(t("2026-03-03"))), 120);
        assert_eq!(common.day_minutes(day_of(t("2026-03-07"))), 0);
    }

    #[test]
    fn elapsed_time_counts_every_minute() {
        let c = Calendar::elapsed();
        assert_eq!(format(c.add(t("2026-03-06T17:00:00"), 2 * DAY).unwrap()), "2026-03-08T17:00:00");
        assert_eq!(c.between(t("2026-03-06T17:00:00"), t("2026-03-08T17:00:00")), 2 * DAY);
    }
}
