//! Local wall-clock time as whole minutes since 1970-01-01T00:00, with no
//! time zone, as MS Project keeps project dates.

use jiff::civil::{Date, DateTime};

/// Minutes since 1970-01-01T00:00 local time.
pub type Minute = i64;

/// Minutes in a day.
pub const DAY: i64 = 1440;

/// The day number (days since 1970-01-01) of an instant.
pub fn day_of(t: Minute) -> i64 {
    t.div_euclid(DAY)
}

/// Minutes since midnight.
pub fn minute_of_day(t: Minute) -> i64 {
    t.rem_euclid(DAY)
}

/// 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday.
pub fn weekday(day: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (day + 3).rem_euclid(7) as usize
}

/// The instant of a civil date-time.
pub fn from_datetime(dt: DateTime) -> Minute {
    let days = i64::from(dt.date().since(Date::constant(1970, 1, 1)).map(|s| s.get_days()).unwrap_or(0));
    days * DAY + i64::from(dt.hour()) * 60 + i64::from(dt.minute())
}

/// The civil date-time of an instant, or `None` outside jiff's range.
pub fn to_datetime(t: Minute) -> Option<DateTime> {
    let day = day_of(t);
    let m = minute_of_day(t);
    let date = Date::constant(1970, 1, 1).checked_add(jiff::Span::new().try_days(day).ok()?).ok()?;
    date.at(i8::try_from(m / 60).ok()?, i8::try_from(m % 60).ok()?, 0, 0).into()
}

/// `2026-03-02T08:00:00`, as MSPDI and the API write dates.
pub fn format(t: Minute) -> String {
    match stamp(t) {
        Some(b) => b.iter().map(|&c| char::from(c)).collect(),
        None => match to_datetime(t) {
            Some(dt) => dt.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            None => String::from("invalid"),
        },
    }
}

/// [`format`]'s text as ASCII bytes, for years 0–9999 (`None` outside),
/// without allocating: reports of a million tasks write millions of them.
pub fn stamp(t: Minute) -> Option<[u8; 19]> {
    let (y, mo, d) = civil(day_of(t));
    if !(0..=9999).contains(&y) {
        return None;
    }
    let m = minute_of_day(t);
    let mut b = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, v: i64, width: usize| {
        let mut v = v;
        for k in (0..width).rev() {
            // v % 10 is a digit: the cast cannot truncate.
            b[at + k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, y, 4);
    put(5, mo, 2);
    put(8, d, 2);
    put(11, m / 60, 2);
    put(14, m % 60, 2);
    Some(b)
}

/// Year, month and day of a day number, by the proleptic Gregorian
/// calendar's 400-year cycle (146,097 days), counting years from March so
/// that the leap day falls last.
fn civil(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468; // days from 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Parses `2026-03-02T08:00:00` (seconds optional, ignored) or a bare date
/// (midnight). Years outside 1900–2999 are refused: no real plan needs
/// them, and arithmetic near the limits would overflow.
pub fn parse(s: &str) -> Option<Minute> {
    let s = s.trim();
    let dt: DateTime = if s.len() == 10 { s.parse::<Date>().ok()?.at(0, 0, 0, 0) } else { s.parse().ok()? };
    if !(1900..=2999).contains(&dt.year()) {
        return None;
    }
    Some(from_datetime(dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse("2026-03-02T08:00:00").unwrap();
        assert_eq!(format(t), "2026-03-02T08:00:00");
        assert_eq!(weekday(day_of(t)), 0, "2026-03-02 is a Monday");
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(weekday(0), 3);
        assert_eq!(format(parse("1969-12-31T23:59:00").unwrap()), "1969-12-31T23:59:00");
        // The arithmetic agrees with jiff's calendar over four centuries
        // and more, every day, at assorted minutes.
        for day in (-30_000..=120_000).step_by(1) {
            let t = day * DAY + (day * 37).rem_euclid(DAY);
            let want = to_datetime(t).unwrap().strftime("%Y-%m-%dT%H:%M:%S").to_string();
            assert_eq!(format(t), want);
        }
        for bad in [
            "",
            "garbage",
            "0000-00-00T00:00:00",
            "2026-02-30T08:00:00",
            "2026-01-01T25:61:00",
            "275760-01-01T00:00:00",
            "-0001-01-01T00:00:00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
