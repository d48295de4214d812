//! Working time as people type it in a form: a day's hours as
//! `08:00-12:00, 13:00-17:00` (empty: not a working day), and calendar
//! exceptions one per line as `2026-12-24..2026-12-31 Shutdown` or
//! `2027-01-08 09:00-13:00 Half day` (MS Project's Exceptions tab, in text).

use crate::model::Day;
use crate::project::{CalendarException, Span};
use crate::validate::Invalid;

/// At most this many exception lines in one form (the calendar's own limit).
const MAX_LINES: usize = crate::project::MAX_EXCEPTIONS;

/// `08:00-12:00, 13:00-17:00`.
pub fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(Span::to_string).collect::<Vec<_>>().join(", ")
}

/// A day's hours from text; commas or spaces between spans.
pub fn parse_spans(field: &'static str, text: &str) -> Result<Vec<Span>, Invalid> {
    text.split([',', ' ', ';'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<Span>().map_err(|e| Invalid::new(field, e.message)))
        .collect()
}

/// One exception as a line of [`parse_exceptions`]'s format.
pub fn exception_line(e: &CalendarException) -> String {
    let mut line = e.from.to_string();
    if e.to != e.from {
        line.push_str("..");
        line.push_str(&e.to.to_string());
    }
    if !e.hours.is_empty() {
        line.push(' ');
        line.push_str(&spans_text(&e.hours).replace(", ", ","));
    }
    if !e.name.is_empty() {
        line.push(' ');
        line.push_str(&e.name);
    }
    line
}

/// Exceptions from text, one per line: a day or `from..to`, then the hours
/// worked on those days if any (none: not working), then a name. Blank
/// lines are skipped; a bad line is refused with its number.
pub fn parse_exceptions(field: &'static str, text: &str) -> Result<Vec<CalendarException>, Invalid> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if out.len() == MAX_LINES {
            return Err(Invalid::new(field, format!("at most {MAX_LINES} exceptions")));
        }
        let bad = |what: &str| Invalid::new(field, format!("line {}: {what}", n + 1));
        let (dates, mut rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let day = |s: &str| s.parse::<Day>().map_err(|_| bad(&format!("`{s}` is not a date like 2026-12-24")));
        let (from, to) = match dates.split_once("..") {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(dates)?, day(dates)?),
        };
        if to < from {
            return Err(bad("the last day comes before the first"));
        }
        let mut hours = Vec::new();
        loop {
            rest = rest.trim_start();
            let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let looks_like_hours = word.starts_with(|c: char| c.is_ascii_digit()) && word.contains(':');
            if word.is_empty() || !looks_like_hours {
                break;
            }
            hours.extend(parse_spans(field, word).map_err(|e| bad(&e.message))?);
            rest = after;
        }
        let name = rest.trim();
        if name.chars().count() > 200 {
            return Err(bad("names are at most 200 characters"));
        }
        out.push(CalendarException { name: name.to_owned(), from, to, hours });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_read_back_as_they_are_written() {
        let text = "2026-12-24..2026-12-31 Winter shutdown\n\n2027-01-08 09:00-13:00 Half day\n2027-05-01";
        let list = parse_exceptions("exceptions", text).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].name, "Winter shutdown");
        assert_eq!((list[0].from.to_string(), list[0].to.to_string()), ("2026-12-24".into(), "2026-12-31".into()));
        assert!(list[0].hours.is_empty());
        assert_eq!(spans_text(&list[1].hours), "09:00-13:00");
        assert_eq!(list[2].name, "");
        let lines: Vec<String> = list.iter().map(exception_line).collect();
        assert_eq!(lines, ["2026-12-24..2026-12-31 Winter shutdown", "2027-01-08 09:00-13:00 Half day", "2027-05-01"]);
        assert_eq!(parse_exceptions("exceptions", &lines.join("\n")).unwrap(), list);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse_exceptions("exceptions", "2027-01-01 New year\n2027-13-01 Oops").unwrap_err();
        assert_eq!(
            (e.field.as_ref(), e.message.as_str()),
            ("exceptions", "line 2: `2027-13-01` is not a date like 2026-12-24")
        );
        let e = parse_exceptions("exceptions", "2027-01-05..2027-01-01").unwrap_err();
        assert!(e.message.contains("line 1"), "{}", e.message);
        let e = parse_exceptions("exceptions", "2027-01-05 13:00-09:00 Late").unwrap_err();
        assert!(e.message.starts_with("line 1: "), "{}", e.message);
    }

    #[test]
    fn hours_take_commas_or_spaces() {
        let spans = parse_spans("monday", "08:00-12:00, 13:00-17:00").unwrap();
        assert_eq!(spans_text(&spans), "08:00-12:00, 13:00-17:00");
        assert_eq!(parse_spans("monday", "08:00-12:00 13:00-17:00").unwrap(), spans);
        assert!(parse_spans("monday", "").unwrap().is_empty());
        assert_eq!(parse_spans("monday", "8-12").unwrap_err().field, "monday");
    }
}
