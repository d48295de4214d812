//! Ordered funnels, read in one pass over the events in time order.
//!
//! A person enters with the first step's event inside the range, and
//! reaches step k when the events of steps 1..k follow in order, each
//! within the window of that entry. Of all the entries a person makes,
//! the latest to have reached a step is the best one to go on from (the
//! most window left), so a person's state is that entry's time per step:
//! one pass, no person's events gathered together.

use rustc_hash::FxHashMap;

/// The furthest a funnel goes (step numbers fit in the sort key's low bits).
pub const MAX_FUNNEL_STEPS: usize = 15;

const NONE: i64 = i64::MIN;

/// A funnel being counted: fed a day's events at a time, days in order.
#[derive(Debug)]
pub struct Funnel {
    steps: usize,
    from: i64,
    until: i64,
    window: i64,
    /// Each entrant's place in `entered`.
    slots: FxHashMap<u32, usize>,
    /// Per entrant, per step: the latest entry that reached the step.
    entered: Vec<i64>,
    /// The day being fed: (time from `from` and step, person).
    day: Vec<(u64, u32)>,
}

impl Funnel {
    /// A funnel of `steps` steps (2 to [`MAX_FUNNEL_STEPS`]) entered from
    /// `from` to before `until`, each later step within `window_ms`
    /// (inclusive) of entering; instants in milliseconds.
    pub fn new(steps: usize, (from, until): (i64, i64), window_ms: i64) -> Funnel {
        Funnel {
            steps: steps.clamp(1, MAX_FUNNEL_STEPS),
            from,
            until,
            window: window_ms.max(0),
            slots: FxHashMap::default(),
            entered: Vec::new(),
            day: Vec::new(),
        }
    }

    /// One event of the day being fed: the index of its step, who, when.
    /// Events that cannot count (before the range, past its last window,
    /// not a step) are dropped here.
    pub fn push(&mut self, step: usize, person: u32, at: i64) {
        if step >= self.steps || at < self.from || at > self.until.saturating_add(self.window) {
            return;
        }
        let since = u64::try_from(at - self.from).unwrap_or(0);
        // Time first; at one instant an earlier step counts first.
        self.day.push((since << 4 | step as u64, person));
    }

    /// Counts the day's events (in time order, whatever order they came
    /// in). Days come in order: a day's events are the product's zone's,
    /// so only a change of zone overlaps two days, by its difference.
    pub fn end_day(&mut self) {
        let mut day = std::mem::take(&mut self.day);
        day.sort_unstable_by_key(|e| e.0);
        for &(key, person) in &day {
            let (step, at) = ((key & 0xF) as usize, self.from + (key >> 4) as i64);
            if step == 0 {
                if at >= self.until {
                    continue;
                }
                let slot = *self.slots.entry(person).or_insert_with(|| {
                    self.entered.extend(std::iter::repeat_n(NONE, self.steps));
                    self.entered.len() / self.steps - 1
                });
                self.entered[slot * self.steps] = at;
            } else if let Some(&slot) = self.slots.get(&person) {
                let s = &mut self.entered[slot * self.steps..(slot + 1) * self.steps];
                let entry = s[step - 1];
                if entry != NONE && at - entry <= self.window && entry > s[step] {
                    s[step] = entry;
                }
            }
        }
        day.clear();
        self.day = day;
    }

    /// The people reaching each step (each counted at the furthest step
    /// any of their entries reached).
    pub fn reached(mut self) -> Vec<u64> {
        self.end_day();
        let mut out = vec![0u64; self.steps];
        for person in self.entered.chunks_exact(self.steps) {
            let furthest = person.iter().rposition(|&e| e != NONE).map_or(0, |i| i + 1);
            for r in out.iter_mut().take(furthest) {
                *r += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn count(events: &[(u32, usize, i64)], steps: usize, range: (i64, i64), window: i64) -> Vec<u64> {
        let mut f = Funnel::new(steps, range, window);
        for &(person, step, hours) in events {
            f.push(step, person, hours * H);
        }
        f.reached()
    }

    #[test]
    fn funnels_by_hand() {
        let events = [
            // 1: a, b, c within the window.
            (1, 0, 0),
            (1, 1, 1),
            (1, 2, 2),
            // 2: b before a does not count; a then b.
            (2, 1, 0),
            (2, 0, 1),
            (2, 1, 2),
            // 3: a, then c while b is missing.
            (3, 0, 0),
            (3, 2, 1),
            // 4: a at 0 leads nowhere in time; a again at 100 reaches c.
            (4, 0, 0),
            (4, 1, 30),
            (4, 0, 100),
            (4, 1, 101),
            (4, 2, 102),
            // 5: enters before the range.
            (5, 0, -5),
            (5, 1, 1),
            // 6: a and b at one instant: b counts after a.
            (6, 1, 3),
            (6, 0, 3),
            // 7: b exactly at the window's end counts; c an hour past it not.
            (7, 0, 10),
            (7, 1, 34),
            (7, 2, 35),
        ];
        assert_eq!(count(&events, 3, (0, 1000 * H), 24 * H), vec![6, 5, 2]);
        assert_eq!(count(&events, 3, (0, 50 * H), 24 * H), vec![6, 4, 1], "4's second entry is past the range");
    }

    #[test]
    fn a_later_entry_carries_on_where_an_earlier_could_not() {
        // a at 0, b at 20 (within 24 h); a again at 22; c at 30 is past the
        // first entry's window, but b at 40 and c at 41 follow the second.
        let events = [(1, 0, 0), (1, 1, 20), (1, 0, 22), (1, 2, 30), (1, 1, 40), (1, 2, 41)];
        assert_eq!(count(&events, 3, (0, 100 * H), 24 * H), vec![1, 1, 1]);
        // Without the second b, c at 41 follows no entry's b in time.
        let events = [(1, 0, 0), (1, 1, 20), (1, 0, 22), (1, 2, 41)];
        assert_eq!(count(&events, 3, (0, 100 * H), 24 * H), vec![1, 1, 0]);
    }

    /// The funnel's definition, person by person: from each entry, the
    /// steps taken in order within the window.
    fn by_definition(events: &[(u32, usize, i64)], steps: usize, (from, until): (i64, i64), window: i64) -> Vec<u64> {
        let mut sorted = events.to_vec();
        sorted.sort_by_key(|&(p, s, at)| (p, at, s));
        let mut out = vec![0u64; steps];
        for person in sorted.chunk_by(|a, b| a.0 == b.0) {
            let mut best = 0;
            for (n, &(_, s, at)) in person.iter().enumerate() {
                if s != 0 || at < from || at >= until {
                    continue;
                }
                let mut step = 1;
                for &(_, later, t) in &person[n + 1..] {
                    if step == steps || t > at + window {
                        break;
                    }
                    if later == step {
                        step += 1;
                    }
                }
                best = best.max(step);
            }
            for r in out.iter_mut().take(best) {
                *r += 1;
            }
        }
        out
    }

    #[test]
    fn one_pass_agrees_with_the_definition() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut draw = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..200 {
            let steps = 2 + (round % 4) as usize;
            let events: Vec<(u32, usize, i64)> =
                (0..300).map(|_| (draw(25) as u32, draw(steps as u64 + 1) as usize, draw(120) as i64 - 10)).collect();
            let window = (1 + draw(30) as i64) * H;
            let range = (0, 80 * H);
            // Fed a day (24 hours) at a time, each day in any order.
            let mut f = Funnel::new(steps, range, window);
            let mut days = events.clone();
            days.sort_by_key(|e| e.2.div_euclid(24));
            for day in days.chunk_by(|a, b| a.2.div_euclid(24) == b.2.div_euclid(24)) {
                for &(p, s, hours) in day.iter().rev() {
                    f.push(s, p, hours * H);
                }
                f.end_day();
            }
            let hours: Vec<_> = events.iter().map(|&(p, s, h)| (p, s, h * H)).collect();
            assert_eq!(f.reached(), by_definition(&hours, steps, range, window), "round {round}");
        }
    }
}
