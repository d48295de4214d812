//! The value syntaxes of MSPDI: ISO durations, date-times, times of day,
//! booleans, integers. Each parser returns a message on failure.

use tandem_sched::{Minute, time};

/// The longest duration accepted: 100 years of minutes. Anything larger is
/// a corrupt or hostile file, and would overflow date arithmetic.
pub const MAX_DURATION_MINUTES: i64 = 100 * 366 * 24 * 60;

pub fn boolean(s: &str) -> Result<bool, String> {
    match s.trim() {
        "1" | "true" | "True" => Ok(true),
        "0" | "false" | "False" | "" => Ok(false),
        other => Err(format!("`{}` is not 0 or 1", clip(other))),
    }
}

pub fn integer(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    // Some writers emit integers as decimals (`480.0`).
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(format!("`{}` is not a whole number", clip(t))),
    }
}

pub fn small(s: &str) -> Result<u8, String> {
    let n = integer(s)?;
    u8::try_from(n).map_err(|_| format!("{n} is out of range"))
}

pub fn decimal(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(format!("`{}` is not a number", clip(s))),
    }
}

pub fn datetime(s: &str) -> Result<Minute, String> {
    time::parse(s).ok_or_else(|| format!("`{}` is not a date-time between 1900 and 2999", clip(s)))
}

/// `08:00:00` → 480; `24:00:00` (end of day) → 1440.
pub fn time_of_day(s: &str) -> Result<u16, String> {
    let bad = || format!("`{}` is not a time of day", clip(s));
    let mut parts = s.trim().split(':');
    let h: u16 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let m: u16 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let sec: u16 =
        parts.next().map_or(Some(0), |p| p.split('.').next().and_then(|x| x.parse().ok())).ok_or_else(bad)?;
    if h > 24 || m > 59 || sec > 59 || (h == 24 && (m > 0 || sec > 0)) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// An ISO 8601 duration as MS Project writes it (`PT8H0M0S`, `P2DT4H`),
/// in minutes. Negative, fractional-day and oversized values are refused.
pub fn duration(s: &str) -> Result<i64, String> {
    let raw = s.trim();
    let bad = |why: &str| format!("`{}` is not a duration ({why})", clip(raw));
    let rest = raw.strip_prefix('P').ok_or_else(|| bad("it must start with P"))?;
    if rest.is_empty() {
        return Err(bad("it is empty"));
    }
    let mut seconds: f64 = 0.0;
    let mut in_time = false;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            'T' if !in_time && number.is_empty() => in_time = true,
            '0'..='9' | '.' => number.push(c),
            'Y' | 'M' | 'W' | 'D' | 'H' | 'S' => {
                let n: f64 = number.parse().map_err(|_| bad("a number is missing"))?;
                number.clear();
                let unit = match (c, in_time) {
                    ('H', true) => 3600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    ('D', false) => 86_400.0,
                    ('W', false) => 7.0 * 86_400.0,
                    _ => return Err(bad("years and months have no fixed length")),
                };
                seconds += n * unit;
            }
            '-' => return Err(bad("it is negative")),
            _ => return Err(bad("unexpected character")),
        }
    }
    if !number.is_empty() {
        return Err(bad("a unit is missing"));
    }
    let minutes = (seconds / 60.0).round();
    if !minutes.is_finite() || minutes > MAX_DURATION_MINUTES as f64 {
        return Err(bad("it is longer than 100 years"));
    }
    Ok(minutes as i64)
}

/// `PT8H0M0S` for 480 minutes.
pub fn format_duration(minutes: i64) -> String {
    format!("PT{}H{}M0S", minutes / 60, minutes % 60)
}

/// Keeps error messages short whatever the input.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("PT8H0M0S"), Ok(480));
        assert_eq!(duration("PT0H30M0S"), Ok(30));
        assert_eq!(duration("P1DT2H"), Ok(1440 + 120));
        assert_eq!(duration("PT7H59M59.9S"), Ok(480));
        for bad in ["PT-8H0M0S", "P-1D", "PT99999999H0M0S", "1e5", "", "P", "PT8X", "PT8", "P1Y", "PT1.5e3H"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(510), "PT8H30M0S");
    }

    #[test]
    fn scalars() {
        assert_eq!(time_of_day("08:00:00"), Ok(480));
        assert_eq!(time_of_day("24:00:00"), Ok(1440));
        assert!(time_of_day("25:61:00").is_err());
        assert_eq!(integer("480.0"), Ok(480));
        assert!(integer("4e99").is_err());
        assert!(integer("-2147483649").is_ok());
        assert_eq!(boolean("1"), Ok(true));
        assert!(boolean("yes").is_err());
        assert!(datetime("0000-00-00T00:00:00").is_err());
    }
}
