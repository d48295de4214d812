//! The arithmetic on a calendar: adding and counting working time, the
//! next working minute, and building one from its week and exceptions.

use super::*;
use crate::time::{DAY, Minute, day_of, minute_of_day, weekday};

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
