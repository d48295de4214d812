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
    match to_datetime(t) {
        Some(dt) => dt.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        None => String::from("invalid"),
    }
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
