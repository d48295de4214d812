//! The figures computed from each day's sets of people: active people,
//! adoption and retention by cohort.

use roaring::RoaringBitmap;
use serde::Serialize;
use utoipa::ToSchema;

use super::days::{People, date_of};

/// One day of active people: that day's, the 7 and the 30 days ending
/// that day's, and stickiness (DAU / MAU; 0 without anyone).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ActiveDay {
    pub date: crate::model::Day,
    pub dau: u64,
    pub wau: u64,
    pub mau: u64,
    pub stickiness: f64,
}

/// The people of the day sets whose days fall in `lo..=hi`.
fn union(sets: &[(i32, &People)], lo: i32, hi: i32) -> RoaringBitmap {
    let mut u = RoaringBitmap::new();
    for (_, p) in sets.iter().filter(|(d, _)| (lo..=hi).contains(d)) {
        u |= &p.0;
    }
    u
}

/// Active people for each day `from..=to`, from the day sets of
/// `from - 29..=to` (days without a set had no one), in day order.
pub fn active(days: &[(i32, &People)], from: i32, to: i32) -> Vec<ActiveDay> {
    if from > to {
        return Vec::new();
    }
    let lo = from - 29;
    let mut by_day: Vec<Option<&RoaringBitmap>> = vec![None; (to - lo + 1) as usize];
    for (d, p) in days.iter().filter(|(d, _)| (lo..=to).contains(d)) {
        by_day[(d - lo) as usize] = Some(&p.0);
    }
    let (wau, mau) = (window_lens(&by_day, 7), window_lens(&by_day, 30));
    (from..=to)
        .map(|d| {
            let i = (d - lo) as usize;
            let dau = by_day[i].map_or(0, RoaringBitmap::len);
            let (wau, mau) = (wau[i], mau[i]);
            let stickiness = if mau == 0 { 0.0 } else { dau as f64 / mau as f64 };
            ActiveDay { date: crate::model::Day(date_of(d)), dau, wau, mau, stickiness }
        })
        .collect()
}

/// For each day `i`, how many people the sets of the `w` days ending at
/// `i` hold together (fewer days at the start). Unions of sliding windows
/// in about three set operations a day whatever `w` (van Herk and
/// Gil-Werman): in blocks of `w` days, a window is the union of the part
/// from its first day to its block's end (kept for the block, computed
/// from the end) and the part from the next block's start to its last day
/// (a running union); only the size of that last union is needed.
fn window_lens(sets: &[Option<&RoaringBitmap>], w: usize) -> Vec<u64> {
    let n = sets.len();
    let empty = RoaringBitmap::new();
    let get = |i: usize| sets[i].unwrap_or(&empty);
    let mut out = vec![0u64; n];
    let mut run = RoaringBitmap::new();
    for (i, slot) in out.iter_mut().enumerate().take(w.saturating_sub(1).min(n)) {
        run |= get(i);
        *slot = run.len();
    }
    let mut s = 0;
    while s + w - 1 < n {
        let end = (s + w).min(n);
        let mut suffix: Vec<RoaringBitmap> = Vec::with_capacity(w);
        for j in (s..end).rev() {
            let u = match suffix.last() {
                Some(after) => after | get(j),
                None => get(j).clone(),
            };
            suffix.push(u);
        }
        suffix.reverse();
        let mut run = RoaringBitmap::new();
        let last = (s + 2 * w - 1).min(n);
        for (i, slot) in out.iter_mut().enumerate().take(last).skip(s + w - 1) {
            let start = i + 1 - w;
            if i >= s + w {
                run |= get(i);
            }
            *slot = if start == s { suffix[0].len() } else { suffix[start - s].union_len(&run) };
        }
        s += w;
    }
    out
}

/// One week of a feature's adoption.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AdoptionWeek {
    /// The week's Monday.
    pub week: crate::model::Day,
    /// People who did the adoption event that week.
    pub adopters: u64,
    /// Of the people active that week, the share who adopted.
    pub rate: f64,
}

/// How far a shipped feature is taken up: the people doing its adoption
/// event since it shipped, against everyone active in the same span.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Adoption {
    pub event: String,
    /// The day it shipped; absent while it has not.
    pub since: Option<crate::model::Day>,
    pub adopters: u64,
    pub active_users: u64,
    /// adopters / active_users (0 when no one was active).
    pub rate: f64,
    pub weekly: Vec<AdoptionWeek>,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Adoption from `since` to `today` from the event's and any event's day
/// sets over that span.
pub fn adoption(
    event: &str,
    used: &[(i32, &People)],
    active: &[(i32, &People)],
    since: Option<i32>,
    today: i32,
) -> Adoption {
    let union = |sets: &[(i32, &People)], lo: i32, hi: i32| union(sets, lo, hi).len();
    let Some(since) = since.filter(|s| *s <= today) else {
        let since = since.map(|d| crate::model::Day(date_of(d)));
        return Adoption {
            event: event.to_owned(),
            since,
            adopters: 0,
            active_users: 0,
            rate: 0.0,
            weekly: Vec::new(),
        };
    };
    let (adopters, active_users) = (union(used, since, today), union(active, since, today));
    let mut weekly = Vec::new();
    let mut w = Period::Week.start_of(since);
    while w <= today {
        let (lo, hi) = (w.max(since), (w + 6).min(today));
        let (a, all) = (union(used, lo, hi), union(active, lo, hi));
        weekly.push(AdoptionWeek { week: crate::model::Day(date_of(w)), adopters: a, rate: share(a, all) });
        w += 7;
    }
    Adoption {
        event: event.to_owned(),
        since: Some(crate::model::Day(date_of(since))),
        adopters,
        active_users,
        rate: share(adopters, active_users),
        weekly,
    }
}

/// A feature's adoption rate (0–1) on each day `from..=to`: the people
/// who did its event from `since` to that day, against everyone active
/// in the same span (`used` and `active` hold the day sets from `since`).
pub fn adoption_by_day(
    used: &[(i32, &People)],
    active: &[(i32, &People)],
    since: i32,
    (from, to): (i32, i32),
) -> Vec<(i32, f64)> {
    let (mut adopters, mut everyone) = (union(used, since, from - 1), union(active, since, from - 1));
    let mut out = Vec::new();
    for d in from.max(since)..=to {
        adopters |= union(used, d, d);
        everyone |= union(active, d, d);
        out.push((d, share(adopters.len(), everyone.len())));
    }
    out
}

crate::str_enum! {
    /// The length of a retention period.
    pub enum Period { Day = "day", Week = "week" }
}

impl Period {
    /// The first day of the period holding `day` (weeks start on Monday).
    pub fn start_of(self, day: i32) -> i32 {
        match self {
            Period::Day => day,
            // 1970-01-01 was a Thursday: day 4 was a Monday.
            Period::Week => day - (day - 4).rem_euclid(7),
        }
    }

    pub fn days(self) -> i32 {
        match self {
            Period::Day => 1,
            Period::Week => 7,
        }
    }
}

/// The people who first did the start event in one period, and how many
/// of them did the return event in each period from it on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Cohort {
    /// The period's first day.
    pub start: crate::model::Day,
    pub size: u64,
    /// `retained[k]`: of the cohort, those with a return event in the
    /// `k`-th period from its own (period 0); periods not yet begun are
    /// left out.
    pub retained: Vec<u64>,
}

/// Retention by cohort: `start_days` are the start event's day sets from
/// the first data on (so "first" is first ever), `return_days` the return
/// event's; cohorts for the periods starting in `from..=to`, each followed
/// for `periods` periods up to `today`.
pub fn retention(
    start_days: &[(i32, &People)],
    return_days: &[(i32, &People)],
    period: Period,
    (from, to, today): (i32, i32, i32),
    periods: usize,
) -> Vec<Cohort> {
    let first = period.start_of(from);
    // Everyone who did the start event before the first cohort.
    let mut seen = union(start_days, i32::MIN, first - 1);
    let mut out = Vec::new();
    let mut p = first;
    while p <= to {
        let len = period.days();
        let cohort = union(start_days, p, p + len - 1) - &seen;
        seen |= &cohort;
        let mut retained = Vec::new();
        for k in 0..periods {
            let lo = p + len * k as i32;
            if lo > today {
                break;
            }
            retained.push((union(return_days, lo, lo + len - 1) & &cohort).len());
        }
        out.push(Cohort { start: crate::model::Day(date_of(p)), size: cohort.len(), retained });
        p += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::day_number;

    #[test]
    fn sliding_windows_match_their_definition() {
        // Sets on scattered days, some empty, against the plain unions.
        let sets: Vec<People> =
            (0..75u32).map(|d| People((0..(d * 7 % 11)).map(|k| (d * 13 + k * 5) % 40).collect())).collect();
        let days: Vec<(i32, &People)> =
            sets.iter().enumerate().filter(|(d, _)| d % 4 != 2).map(|(d, p)| (100 + d as i32, p)).collect();
        let got = active(&days, 129, 174);
        for a in &got {
            let d = crate::analytics::day_number(a.date.0);
            let plain = |lo: i32| union(&days, lo, d).len();
            assert_eq!((a.dau, a.wau, a.mau), (plain(d), plain(d - 6), plain(d - 29)), "day {d}");
        }
        assert_eq!(got.len(), 46);
        assert!(active(&days, 130, 129).is_empty());
    }

    #[test]
    fn adoption_day_by_day_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        // Shipped day 10. Active: 10 {1,2}, 11 {3}, 12 {1,4}. Used: 11 {3}, 12 {1}.
        let (a10, a11, a12, u11, u12) = (set(&[1, 2]), set(&[3]), set(&[1, 4]), set(&[3]), set(&[1]));
        let active = [(10, &a10), (11, &a11), (12, &a12)];
        let used = [(11, &u11), (12, &u12)];
        assert_eq!(adoption_by_day(&used, &active, 10, (10, 12)), vec![(10, 0.0), (11, 1.0 / 3.0), (12, 0.5)]);
        // Starting later carries what came before.
        assert_eq!(adoption_by_day(&used, &active, 10, (12, 12)), vec![(12, 0.5)]);
    }

    #[test]
    fn active_people_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        // Day 100: 1, 2. Day 103: 2, 3. Day 110: 4. Day 130: 1.
        let (a, b, c, d) = (set(&[1, 2]), set(&[2, 3]), set(&[4]), set(&[1]));
        let days = [(100, &a), (103, &b), (110, &c), (130, &d)];
        let out = active(&days, 103, 130);
        let on = |day: i32| out.iter().find(|x| x.date.0 == date_of(day)).unwrap().clone();
        assert_eq!((on(103).dau, on(103).wau, on(103).mau), (2, 3, 3));
        assert_eq!((on(106).dau, on(106).wau, on(106).mau), (0, 3, 3), "day 100 is 6 days back");
        assert_eq!((on(107).wau, on(110).wau, on(110).mau), (2, 1, 4));
        // Day 130: the 30 days 101..=130 hold 2, 3, 4 and 1.
        assert_eq!((on(130).dau, on(130).wau, on(130).mau), (1, 1, 4));
        assert_eq!(on(130).stickiness, 0.25);
        assert_eq!(on(129).stickiness, 0.0);
        assert_eq!(out.len(), 28);
    }

    #[test]
    fn retention_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        // Weeks from Monday 4 Jan 2027 (day 17 900).
        let w = day_number(jiff::civil::date(2027, 1, 4));
        assert_eq!(Period::Week.start_of(w + 3), w);
        assert_eq!(Period::Week.start_of(w), w);
        // Person 9 started long before: never in a cohort.
        let (old, s0, s1) = (set(&[9]), set(&[1, 2, 9]), set(&[2, 3]));
        let start = [(w - 30, &old), (w + 1, &s0), (w + 8, &s1)];
        let (r0, r1, r2) = (set(&[1, 2, 9]), set(&[1, 3]), set(&[3]));
        let ret = [(w + 2, &r0), (w + 9, &r1), (w + 15, &r2)];
        let c = retention(&start, &ret, Period::Week, (w, w + 13, w + 20), 4);
        assert_eq!(c.len(), 2);
        // Week 0: 1 and 2 (9 came before); back in week 0 both, week 1
        // person 1, week 2 no one; week 3 has not begun.
        assert_eq!((c[0].size, c[0].retained.clone()), (2, vec![2, 1, 0]));
        // Week 1: only 3 is new (2 started in week 0).
        assert_eq!((c[1].size, c[1].retained.clone()), (1, vec![1, 1]));
        assert_eq!(c[1].start.0, jiff::civil::date(2027, 1, 11));
    }

    #[test]
    fn adoption_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        let w = day_number(jiff::civil::date(2027, 1, 4));
        // Shipped Wednesday 6 Jan; 1 and 2 active that week, 1 adopts;
        // the next week 2 and 3 active, 3 adopts. 4 adopted before shipping.
        let (u_before, u0, u1) = (set(&[4]), set(&[1]), set(&[3]));
        let (a_before, a0, a1) = (set(&[4]), set(&[1, 2]), set(&[2, 3]));
        let used = [(w, &u_before), (w + 3, &u0), (w + 8, &u1)];
        let active = [(w, &a_before), (w + 3, &a0), (w + 8, &a1)];
        let a = adoption("exported", &used, &active, Some(w + 2), w + 10);
        assert_eq!((a.adopters, a.active_users, a.rate), (2, 3, 2.0 / 3.0));
        assert_eq!(a.weekly.len(), 2);
        assert_eq!((a.weekly[0].week.0, a.weekly[0].adopters, a.weekly[0].rate), (date_of(w), 1, 0.5));
        assert_eq!((a.weekly[1].adopters, a.weekly[1].rate), (1, 0.5));
        let not_yet = adoption("exported", &used, &active, None, w + 10);
        assert_eq!((not_yet.since, not_yet.adopters, not_yet.weekly.len()), (None, 0, 0));
    }
}
