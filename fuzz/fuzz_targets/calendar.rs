//! Working-time arithmetic on arbitrary calendars: never a panic, and
//! adding working minutes then counting them back gives the same number;
//! subtracting undoes adding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_sched::calendar::{Calendar, Override, Shifts, Week};

fn shifts(b: &[u8]) -> Shifts {
    // Up to two shifts a day, in 15-minute steps.
    let mut spans = Vec::new();
    for pair in b.chunks(2).take(2) {
        if let [a, c] = pair {
            let (s, e) = (u16::from(*a % 97) * 15, u16::from(*c % 97) * 15);
            if s < e && e <= 1440 {
                spans.push((s, e));
            }
        }
    }
    Shifts::normalized(&spans).unwrap_or_else(|_| Shifts::new(&[]).unwrap())
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 40 {
        return;
    }
    let days: [Shifts; 7] = std::array::from_fn(|d| shifts(&data[d * 4..d * 4 + 4]));
    let week = Week::new(days);
    let mut overrides = Vec::new();
    for o in data[28..].chunks(6).take(4) {
        if let [a, b, c, d, e, f] = o {
            let from = i64::from(*a) * 3;
            overrides.push(Override {
                from_day: from,
                to_day: from + i64::from(*b % 30),
                week: Week::uniform(shifts(&[*c, *d, *e, *f])),
                rank: 1 + (*f % 2),
            });
        }
    }
    let Ok(cal) = Calendar::new("fuzz", week, &overrides) else { return };
    let t = i64::from(data[28]) * 1440 + i64::from(data[29]) * 7;
    let m = i64::from(u16::from_le_bytes([data[30], data[31]]));
    if let Ok(end) = cal.add(t, m) {
        assert!(end >= t);
        assert_eq!(cal.between(t, end), m, "add {m} from {t}");
        if let Ok(back) = cal.sub(end, m) {
            assert_eq!(cal.between(back, end), m);
        }
    }
});
