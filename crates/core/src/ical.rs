//! iCalendar (RFC 5545) text for the calendar feeds: all-day events,
//! values escaped and lines folded as the RFC says, so a name with a comma,
//! a semicolon or a line break reads back as typed and cannot start a
//! property of its own.

use std::fmt::Write;

use crate::Millis;
use crate::model::Day;

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across feed reads, so calendar apps update the event in place.
    pub uid: String,
    pub day: Day,
    pub summary: String,
    pub description: String,
    /// The object's page, absolute.
    pub url: Option<String>,
    pub category: &'static str,
}

/// Longest line in octets, without its CRLF (RFC 5545 3.1).
const LINE_OCTETS: usize = 75;

/// A whole calendar named `name` holding `events`, stamped `now`.
pub fn calendar(name: &str, now: Millis, events: &[Event]) -> String {
    let mut out = String::with_capacity(256 + events.len() * 256);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Tandem//Tandem//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    let stamp = stamp(now);
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(e.day)));
        let next = e.day.0.tomorrow().unwrap_or(e.day.0);
        line(&mut out, &format!("DTEND;VALUE=DATE:{}", date(Day(next))));
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        if !e.description.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        }
        if let Some(u) = &e.url {
            line(&mut out, &format!("URL:{}", uri(u)));
        }
        line(&mut out, &format!("CATEGORIES:{}", text(e.category)));
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped,
/// line breaks as `\n`, other control characters dropped.
pub fn text(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value: no escaping applies, so anything that could end the line
/// or is not printable is dropped.
fn uri(v: &str) -> String {
    v.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect()
}

fn date(d: Day) -> String {
    format!("{:04}{:02}{:02}", d.0.year(), d.0.month(), d.0.day())
}

fn stamp(at: Millis) -> String {
    match jiff::Timestamp::from_millisecond(at.0) {
        Ok(t) => t.strftime("%Y%m%dT%H%M%SZ").to_string(),
        Err(_) => "19700101T000000Z".to_owned(),
    }
}

/// Appends `content` as one logical line: folded so no physical line is
/// over 75 octets, never inside a character, each continuation starting
/// with one space; ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > LINE_OCTETS {
            out.push_str("\r\n ");
            // The space counts against the continuation line.
            width = 1;
        }
        out.push(c);
        width += n;
    }
    let _ = out.write_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day(s.parse().unwrap_or(jiff::civil::Date::ZERO))
    }

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    #[test]
    fn text_values_escape_what_would_end_or_split_them() {
        assert_eq!(text("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(text("one\r\ntwo\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
        assert_eq!(text("bell\u{7}"), "bell");
    }

    #[test]
    fn an_injected_property_stays_inside_the_summary() {
        let e = Event {
            uid: "task-1@tandem".into(),
            day: day("2027-03-31"),
            summary: "Launch\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:evil".into(),
            description: String::new(),
            url: Some("https://t.example/tasks/1\r\nX-EVIL:1".into()),
            category: "Milestone",
        };
        let cal = calendar("Ada's work", Millis(0), &[e]);
        let lines: Vec<&str> = cal.split("\r\n").collect();
        assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 1);
        assert!(lines.contains(&"SUMMARY:Launch\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:evil"), "{cal}");
        assert!(lines.contains(&"URL:https://t.example/tasks/1X-EVIL:1"), "{cal}");
        assert!(lines.contains(&"X-WR-CALNAME:Ada's work"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let summary = "Überprüfung der Meilensteine – ".repeat(8);
        let e = Event {
            uid: "m-7@tandem".into(),
            day: day("2027-12-31"),
            summary: summary.clone(),
            description: "x".repeat(200),
            url: None,
            category: "Milestone",
        };
        let cal = calendar("c", Millis(0), &[e]);
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        for l in cal.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let whole = unfold(&cal);
        assert!(whole.contains(&format!("SUMMARY:{summary}\r\n")));
        assert!(whole.contains("DTSTART;VALUE=DATE:20271231\r\nDTEND;VALUE=DATE:20280101\r\n"));
    }

    #[test]
    fn the_stamp_is_utc() {
        let cal = calendar("c", Millis(1_800_000_000_000), &[]);
        assert!(cal.contains("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        let e = Event {
            uid: "u".into(),
            day: day("2027-01-01"),
            summary: "s".into(),
            description: String::new(),
            url: None,
            category: "Release",
        };
        let cal = calendar("c", Millis(1_800_000_000_000), &[e]);
        assert!(cal.contains("DTSTAMP:20270115T080000Z\r\n"), "{cal}");
    }
}
