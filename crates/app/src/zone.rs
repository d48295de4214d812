//! Time zones by their IANA names, from the time zone database built into
//! the binary (and the system's, where it has one).

use jiff::tz::TimeZone;
use tandem_core::validate::Invalid;

/// The longest zone name accepted (the longest IANA name has 32).
const MAX_NAME: usize = 64;

/// `name` when it names a known time zone (`Europe/Berlin`, `UTC`).
pub fn checked(field: &'static str, name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(Invalid::new(field, "must name a time zone, such as Europe/Berlin or UTC"));
    }
    match TimeZone::get(name) {
        Ok(_) => Ok(name.to_owned()),
        Err(_) => {
            Err(Invalid::new(field, format!("`{name}` is not a time zone; use a name such as Europe/Berlin or UTC")))
        }
    }
}

/// The zone a workspace stored; UTC if the database no longer knows it.
pub fn of(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// The calendar day `at` falls on in `tz`.
pub fn day_of(at: tandem_core::Millis, tz: &TimeZone) -> tandem_core::model::Day {
    match jiff::Timestamp::from_millisecond(at.0) {
        Ok(t) => tandem_core::model::Day(t.to_zoned(tz.clone()).date()),
        Err(_) => tandem_core::model::Day::of(at),
    }
}

/// The first instant of day `d` in `tz`.
pub fn midnight(d: tandem_core::model::Day, tz: &TimeZone) -> tandem_core::Millis {
    d.0.to_zoned(tz.clone()).map_or(tandem_core::Millis(0), |z| tandem_core::Millis(z.timestamp().as_millisecond()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn zones_by_name() {
        assert_eq!(super::checked("time_zone", " Europe/Berlin ").unwrap(), "Europe/Berlin");
        assert!(super::checked("time_zone", "Mars/Olympus").is_err());
        assert!(super::checked("time_zone", "").is_err());
        assert_eq!(super::of("Nowhere/Special"), jiff::tz::TimeZone::UTC);
    }
}
