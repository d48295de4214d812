//! Working-time calendars and the arithmetic on them.
//!
//! A calendar is a default working week plus dated segments (exceptions,
//! alternative work weeks) that replace it. Each segment is itself a weekly
//! pattern (an exception is a week whose seven days are alike), so every
//! stretch of time has a weekly total and whole weeks are skipped in O(1):
//! the cost of an operation grows with the number of segments it crosses,
//! not with the length of the span.

use crate::time::{DAY, Minute, day_of, minute_of_day, weekday};

mod arithmetic;

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
mod tests;
