//! The task sheet's cells as MS Project users type them: durations
//! (`3d`, `2w`, `4h`, `1.5 days`), predecessors (`4FS+2d, 7SS, 9`) and
//! resource names with units (`Ana[50%], Bob`). Each parser is bounded and
//! names what it cannot read; each printer writes what its parser reads.

use crate::project::{DependencyType, LagKind};
use crate::validate::Invalid;

/// Working minutes in a day, a week (MS Project's defaults: 8 h, 5 days).
const DAY: f64 = 480.0;
const WEEK: f64 = 2400.0;
/// At most this many entries in one cell, and characters in it.
pub const MAX_ENTRIES: usize = 200;
const MAX_CELL_CHARS: usize = 4_000;

fn bounded(field: &'static str, text: &str) -> Result<(), Invalid> {
    if text.chars().count() > MAX_CELL_CHARS {
        return Err(Invalid::new(field, format!("must be at most {MAX_CELL_CHARS} characters")));
    }
    Ok(())
}

/// Splits `1.5d` into the number and its unit.
fn number_and_unit(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+')).unwrap_or(s.len());
    let n: f64 = s[..end].parse().ok()?;
    n.is_finite().then_some((n, s[end..].trim()))
}

/// Minutes of a unit word: days by default, as in MS Project.
fn unit_minutes(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().trim_end_matches('s') {
        "" | "d" | "day" | "dy" => DAY,
        "w" | "wk" | "week" => WEEK,
        "h" | "hr" | "hour" => 60.0,
        "m" | "min" | "minute" => 1.0,
        _ => return None,
    })
}

/// A duration typed in a cell, in working minutes: `3` and `3d` are days,
/// `2w` weeks (5 days), `4h` hours, `30m` minutes.
pub fn parse_duration(field: &'static str, text: &str) -> Result<i64, Invalid> {
    let minutes = parse_lag(field, text)?;
    if minutes < 0 {
        return Err(Invalid::new(field, "must not be negative"));
    }
    Ok(minutes)
}

/// A lag as typed: a duration as [`parse_duration`] reads it, negative for
/// a lead (`-2d`).
pub fn parse_lag(field: &'static str, text: &str) -> Result<i64, Invalid> {
    bounded(field, text)?;
    let bad = || Invalid::new(field, format!("“{}” is not a duration; type it like 3d, 2w or 4h", text.trim()));
    // A decimal comma reads as a point: 1,5d is a day and a half.
    let pointed = text.replace(',', ".");
    let (n, unit) = number_and_unit(&pointed).ok_or_else(bad)?;
    let minutes = n * unit_minutes(unit).ok_or_else(bad)?;
    if minutes.abs() > crate::project::MAX_DURATION_MINUTES as f64 {
        return Err(Invalid::new(field, "is too long"));
    }
    Ok(minutes.round() as i64)
}

fn trim_number(v: f64) -> String {
    let s = format!("{:.2}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `3 days`, `1 day`, `0.5 days`, `4 hrs` (under a day and not whole days).
pub fn duration_text(minutes: i64) -> String {
    if minutes != 0 && minutes.abs() < 480 && minutes % 480 != 0 {
        return format!("{} hrs", trim_number(minutes as f64 / 60.0));
    }
    let d = minutes as f64 / DAY;
    format!("{} day{}", trim_number(d), if d == 1.0 { "" } else { "s" })
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A date as typed in a date cell: `2027-01-25`, or as the sheet shows it,
/// `Mon 25 Jan 2027`, `25 January 2027`, `Jan 25, 2027` (the weekday is
/// optional and not checked). Numeric day/month orders other than ISO are
/// refused: `01/02/2027` means different days to different people.
pub fn parse_date(field: &'static str, text: &str) -> Result<crate::model::Day, Invalid> {
    bounded(field, text)?;
    let t = text.trim();
    let bad = || Invalid::new(field, format!("“{t}” is not a date; type it like 25 Jan 2027 or 2027-01-25"));
    if let Some(iso) = t.get(..10).filter(|s| s.as_bytes().get(4) == Some(&b'-'))
        && let Ok(d) = iso.parse::<crate::model::Day>()
    {
        return Ok(d);
    }
    let (mut day, mut month, mut year) = (None, None, None);
    for word in t.split([' ', ',', '.']).filter(|w| !w.is_empty()) {
        let lower = word.to_ascii_lowercase();
        if let Ok(n) = word.parse::<i16>() {
            match (n, day) {
                (1000.., _) => year = Some(n),
                (1..=31, None) => day = Some(n as i8),
                _ => return Err(bad()),
            }
        } else if let Some(m) = MONTHS.iter().position(|m| lower.len() >= 3 && m.starts_with(&lower[..3])) {
            month = Some(m as i8 + 1);
        } else if !WEEKDAYS.iter().any(|w| lower.len() >= 3 && lower.starts_with(w)) {
            return Err(bad());
        }
    }
    let (Some(d), Some(m), Some(y)) = (day, month, year) else { return Err(bad()) };
    jiff::civil::Date::new(y, m, d).map(crate::model::Day).map_err(|_| bad())
}

/// One predecessor as typed: the other task's number (the `n` of
/// `KEY-n`), the link type, and the lag in the store's units (working or
/// elapsed minutes, or hundredths of a percent of the predecessor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkText {
    pub number: i64,
    pub kind: DependencyType,
    pub lag: i64,
    pub lag_kind: LagKind,
}

/// `4FS+2d, 7SS, 9FF-1d, 3SF+50%, 5FS+3ed`: numbers with an optional
/// type (FS by default) and lag (days by default; `e` before the unit:
/// elapsed time). Commas or semicolons between entries.
pub fn parse_predecessors(field: &'static str, text: &str) -> Result<Vec<LinkText>, Invalid> {
    bounded(field, text)?;
    let mut out = Vec::new();
    for raw in text.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        if out.len() == MAX_ENTRIES {
            return Err(Invalid::new(field, format!("at most {MAX_ENTRIES} predecessors")));
        }
        let bad =
            || Invalid::new(field, format!("“{raw}” is not a predecessor; type task numbers like 4, 4SS or 4FS+2d"));
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = compact.find(|c: char| !c.is_ascii_digit()).unwrap_or(compact.len());
        let number: i64 = compact[..digits].parse().map_err(|_| bad())?;
        let rest = &compact[digits..];
        let (kind, rest) = match rest.get(..2).and_then(|t| DependencyType::parse(&t.to_ascii_uppercase())) {
            Some(k) => (k, &rest[2..]),
            None => (DependencyType::Fs, rest),
        };
        let (lag, lag_kind) = if rest.is_empty() {
            (0, LagKind::Working)
        } else {
            if !rest.starts_with(['+', '-']) {
                return Err(bad());
            }
            let (n, unit) = number_and_unit(rest).ok_or_else(bad)?;
            if unit == "%" {
                ((n * 100.0).round() as i64, LagKind::Percent)
            } else {
                let (elapsed, unit) = match unit.strip_prefix(['e', 'E']) {
                    Some(u) => (true, u),
                    None => (false, unit),
                };
                let per = unit_minutes(unit).ok_or_else(bad)?;
                let kind = if elapsed { LagKind::Elapsed } else { LagKind::Working };
                // Elapsed days and weeks are whole calendar days.
                let per = if !elapsed {
                    per
                } else if per == DAY {
                    1440.0
                } else if per == WEEK {
                    7.0 * 1440.0
                } else {
                    per
                };
                let minutes = n * per;
                if minutes.abs() > crate::project::MAX_DURATION_MINUTES as f64 {
                    return Err(Invalid::new(field, format!("“{raw}”: the lag is too large")));
                }
                (minutes.round() as i64, kind)
            }
        };
        out.push(LinkText { number, kind, lag, lag_kind });
    }
    Ok(out)
}

/// The cell's text for a task's predecessors (MS Project's form: the type
/// and lag only where they are not FS and none).
pub fn predecessors_text(links: &[LinkText]) -> String {
    links
        .iter()
        .map(|l| {
            let mut s = l.number.to_string();
            if l.kind != DependencyType::Fs || l.lag != 0 {
                s.push_str(l.kind.as_str());
            }
            if l.lag != 0 {
                let sign = if l.lag < 0 { "-" } else { "+" };
                let a = l.lag.unsigned_abs() as f64;
                let lag = match l.lag_kind {
                    LagKind::Percent => format!("{}%", trim_number(a / 100.0)),
                    LagKind::Elapsed => format!("{}ed", trim_number(a / 1440.0)),
                    LagKind::Working if a < DAY && a % DAY != 0.0 => format!("{}h", trim_number(a / 60.0)),
                    LagKind::Working => format!("{}d", trim_number(a / DAY)),
                };
                s.push_str(sign);
                s.push_str(&lag);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Ana Ortiz[50%], Bob`: resource names, each with its units in percent
/// (100 when not given).
pub fn parse_assignments(field: &'static str, text: &str) -> Result<Vec<(String, i64)>, Invalid> {
    bounded(field, text)?;
    let mut out: Vec<(String, i64)> = Vec::new();
    for raw in text.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        if out.len() == MAX_ENTRIES {
            return Err(Invalid::new(field, format!("at most {MAX_ENTRIES} resources")));
        }
        let (name, units) = match raw.split_once('[') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix(']').map(|s| s.trim().trim_end_matches('%').trim());
                let units = inner.and_then(|s| s.parse::<f64>().ok()).filter(|u| u.is_finite() && *u > 0.0);
                let units = units
                    .ok_or_else(|| Invalid::new(field, format!("“{raw}”: units go in brackets, like Ana[50%]")))?;
                (name.trim(), units.round() as i64)
            }
            None => (raw, 100),
        };
        if name.is_empty() {
            return Err(Invalid::new(field, format!("“{raw}” names no resource")));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(Invalid::new(field, format!("{name} is named twice")));
        }
        out.push((name.to_owned(), units));
    }
    Ok(out)
}

/// The cell's text for assignments: `Ana[50%], Bob`.
pub fn assignments_text<'a>(list: impl IntoIterator<Item = (&'a str, i64)>) -> String {
    list.into_iter()
        .map(|(name, units)| if units == 100 { name.to_owned() } else { format!("{name}[{units}%]") })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_ms_project_reads_them() {
        for (text, minutes) in
            [("3", 1440), ("3d", 1440), ("3 days", 1440), ("1.5d", 720), ("2w", 4800), ("4h", 240), ("30m", 30)]
        {
            assert_eq!(parse_duration("d", text), Ok(minutes), "{text}");
        }
        assert_eq!(parse_duration("d", "0"), Ok(0));
        for bad in ["", "d", "3x", "-1d", "1e9w"] {
            assert!(parse_duration("duration", bad).is_err(), "{bad}");
        }
        assert_eq!(parse_duration("d", "1,5d"), Ok(720));
        assert_eq!(parse_lag("lag", "-2d"), Ok(-960));
        assert_eq!(parse_lag("lag", "+4h"), Ok(240));
        assert_eq!(duration_text(1440), "3 days");
        assert_eq!(duration_text(480), "1 day");
        assert_eq!(duration_text(240), "4 hrs");
        assert_eq!(duration_text(720), "1.5 days");
        assert_eq!(duration_text(0), "0 days");
    }

    #[test]
    fn dates_read_as_typed_or_as_shown() {
        for text in [
            "2027-01-25",
            "2027-01-25 08:00",
            "Mon 25 Jan 2027",
            "25 Jan 2027",
            "25 January 2027",
            "Jan 25, 2027",
            "Mon, Jan 25, 2027",
        ] {
            assert_eq!(parse_date("start", text).map(|d| d.to_string()), Ok("2027-01-25".to_owned()), "{text}");
        }
        for bad in ["", "soon", "25/01/2027", "31 Feb 2027", "Jan 2027", "99 Jan 2027"] {
            let e = parse_date("start", bad).unwrap_err();
            assert!(e.message.contains("25 Jan 2027"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn predecessors_round_trip() {
        let links = parse_predecessors("p", "4FS+2d, 7ss; 9FF-1d, 3SF+50%, 5FS+3ed, 2, 8fs+4h").unwrap();
        let l = |number, kind, lag, lag_kind| LinkText { number, kind, lag, lag_kind };
        use DependencyType::*;
        assert_eq!(
            links,
            [
                l(4, Fs, 960, LagKind::Working),
                l(7, Ss, 0, LagKind::Working),
                l(9, Ff, -480, LagKind::Working),
                l(3, Sf, 5000, LagKind::Percent),
                l(5, Fs, 4320, LagKind::Elapsed),
                l(2, Fs, 0, LagKind::Working),
                l(8, Fs, 240, LagKind::Working),
            ]
        );
        let text = predecessors_text(&links);
        assert_eq!(text, "4FS+2d, 7SS, 9FF-1d, 3SF+50%, 5FS+3ed, 2, 8FS+4h");
        assert_eq!(parse_predecessors("p", &text).unwrap(), links);
        assert!(parse_predecessors("p", "").unwrap().is_empty());
        for bad in ["FS", "4XX", "4FS2d", "4FS+2q", "x4"] {
            let e = parse_predecessors("predecessors", bad).unwrap_err();
            assert!(e.message.contains(bad), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn assignments_round_trip() {
        let list = parse_assignments("r", "Ana Ortiz[50%], Bob ; Cy [150 %]").unwrap();
        assert_eq!(list, [("Ana Ortiz".to_owned(), 50), ("Bob".to_owned(), 100), ("Cy".to_owned(), 150)]);
        assert_eq!(assignments_text(list.iter().map(|(n, u)| (n.as_str(), *u))), "Ana Ortiz[50%], Bob, Cy[150%]");
        assert!(parse_assignments("r", "Ana[half]").is_err());
        assert!(parse_assignments("r", "Ana, ana").is_err());
        assert!(parse_assignments("r", "[50%]").is_err());
    }
}
