//! Dates and times as people read them: in the workspace's time zone, in
//! the reader's date order, recent moments as "3 h ago" with the exact
//! value on hover. Every page formats through one [`Human`], made with the
//! page's [`super::Shell`].

use std::fmt;

use askama::filters::HtmlSafe;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use tandem_core::Millis;
use tandem_core::model::Day;
use tandem_core::prefs::{DateOrder, date_text, date_time_text, short_date_text};
use tandem_core::project::LocalTime;

/// Something with a calendar date (and perhaps a time of day) in the
/// plan's own clock: no zone is applied.
pub trait Dated {
    fn civil(&self) -> DateTime;
}

impl Dated for Day {
    fn civil(&self) -> DateTime {
        self.0.to_datetime(jiff::civil::Time::midnight())
    }
}
impl Dated for Date {
    fn civil(&self) -> DateTime {
        self.to_datetime(jiff::civil::Time::midnight())
    }
}
impl Dated for LocalTime {
    fn civil(&self) -> DateTime {
        self.0
    }
}
impl Dated for DateTime {
    fn civil(&self) -> DateTime {
        *self
    }
}
impl<T: Dated> Dated for &T {
    fn civil(&self) -> DateTime {
        (**self).civil()
    }
}

/// An instant, however deeply a template borrows it.
pub trait Instant {
    fn millis(&self) -> Millis;
}
impl Instant for Millis {
    fn millis(&self) -> Millis {
        *self
    }
}
impl<T: Instant> Instant for &T {
    fn millis(&self) -> Millis {
        (**self).millis()
    }
}

/// A number, however deeply a template borrows it.
pub trait Figure {
    fn value(&self) -> f64;
}
impl Figure for f64 {
    fn value(&self) -> f64 {
        *self
    }
}
impl Figure for i64 {
    fn value(&self) -> f64 {
        *self as f64
    }
}
impl Figure for u64 {
    fn value(&self) -> f64 {
        *self as f64
    }
}
impl<T: Figure> Figure for &T {
    fn value(&self) -> f64 {
        (**self).value()
    }
}

/// How one reader sees times: their date order, the workspace's zone, now.
#[derive(Debug, Clone)]
pub struct Human {
    pub order: DateOrder,
    pub zone: TimeZone,
    pub now: Timestamp,
}

impl Human {
    pub fn new(order: DateOrder, zone: TimeZone, now: Millis) -> Human {
        Human { order, zone, now: Timestamp::from_millisecond(now.0).unwrap_or(Timestamp::UNIX_EPOCH) }
    }

    fn this_year(&self) -> i16 {
        self.now.to_zoned(self.zone.clone()).year()
    }

    /// `Wed 13 Jan 2027`.
    pub fn date(&self, d: impl Dated) -> String {
        date_text(d.civil().date(), self.order)
    }

    /// `13 Jan`, with the year only when it is not this year.
    pub fn short(&self, d: impl Dated) -> String {
        short_date_text(d.civil().date(), self.order, self.this_year())
    }

    /// `Wed 13 Jan 2027 09:36`: a plan date with its working hour.
    pub fn date_time(&self, d: impl Dated) -> String {
        date_time_text(d.civil(), self.order)
    }

    /// A computed figure such as a score: whole numbers plainly, others to
    /// one decimal (`116.7`, never `116.667`).
    pub fn num(&self, v: impl Figure) -> String {
        crate::svg::charts::fmt_num(v.value())
    }

    /// A reporting period: an ISO week (`2026-W49`) as "week of 30 Nov";
    /// anything else (`2026-Q4`) as it is.
    pub fn period(&self, p: &str) -> String {
        let week = p.split_once("-W").and_then(|(y, w)| Some((y.parse::<i16>().ok()?, w.parse::<i8>().ok()?)));
        match week.and_then(|(y, w)| jiff::civil::ISOWeekDate::new(y, w, jiff::civil::Weekday::Monday).ok()) {
            Some(d) => format!("week of {}", self.short(d.date())),
            None => p.to_owned(),
        }
    }

    /// Money with its currency: `12 500.00 EUR`.
    pub fn money(&self, minor: impl Figure, currency: &str) -> String {
        tandem_core::money::money_text(minor.value().round() as i64, currency)
    }

    /// An amount whose currency the page states elsewhere: `12 500.00`.
    pub fn amount(&self, minor: impl Figure) -> String {
        tandem_core::money::money_text(minor.value().round() as i64, "").trim_end().to_owned()
    }

    fn zoned(&self, at: Millis) -> Zoned {
        Timestamp::from_millisecond(at.0).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(self.zone.clone())
    }

    /// The calendar day an instant falls on in the workspace's zone.
    pub fn day_of(&self, at: Millis) -> Day {
        Day(self.zoned(at).date())
    }

    /// The exact instant in the workspace's zone: `Wed 13 Jan 2027 09:36 CET`.
    pub fn exact(&self, at: Millis) -> String {
        let z = self.zoned(at);
        let abbr = self.zone.to_offset_info(z.timestamp()).abbreviation().to_owned();
        format!("{} {abbr}", date_time_text(z.datetime(), self.order))
    }

    /// An instant as a `<time>`: "5 min ago" for the last week, else
    /// `13 Jan 09:36`; the exact value on hover.
    pub fn at(&self, at: impl Instant) -> When {
        let at = at.millis();
        When { iso: at.rfc3339(), exact: self.exact(at), text: self.ago(at) }
    }

    /// Like [`Human::at`], but an optional instant; `never` for none.
    pub fn opt_at<T: Instant>(&self, at: &Option<T>) -> When {
        match at {
            Some(m) => self.at(m),
            None => When { iso: String::new(), exact: String::new(), text: "never".into() },
        }
    }

    fn ago(&self, at: Millis) -> String {
        let secs = (self.now.as_millisecond() - at.0) / 1000;
        match secs {
            s if (0..60).contains(&s) => "just now".into(),
            s if (60..3_600).contains(&s) => format!("{} min ago", s / 60),
            s if (3_600..86_400).contains(&s) => format!("{} h ago", s / 3_600),
            s if (86_400..172_800).contains(&s) => "yesterday".into(),
            s if (172_800..7 * 86_400).contains(&s) => format!("{} days ago", s / 86_400),
            _ => {
                let z = self.zoned(at);
                format!("{} {:02}:{:02}", short_date_text(z.date(), self.order, self.this_year()), z.hour(), z.minute())
            }
        }
    }
}

/// An instant on a page: `<time datetime="…" title="exact">3 h ago</time>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub iso: String,
    pub exact: String,
    pub text: String,
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.iso.is_empty() {
            return f.write_str(&esc(&self.text));
        }
        write!(f, r#"<time datetime="{}" title="{}">{}</time>"#, esc(&self.iso), esc(&self.exact), esc(&self.text))
    }
}

/// Every part is escaped in `Display`.
impl HtmlSafe for When {}

fn esc(s: &str) -> String {
    crate::svg::esc(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(order: DateOrder) -> Human {
        // Fri 4 Dec 2026 12:00 UTC.
        let now: Timestamp = "2026-12-04T12:00:00Z".parse().unwrap();
        Human::new(order, TimeZone::get("Europe/Berlin").unwrap(), Millis(now.as_millisecond()))
    }

    fn ms(s: &str) -> Millis {
        Millis(s.parse::<Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn recent_moments_read_as_ago_and_hover_exact() {
        let h = reader(DateOrder::DayMonth);
        assert_eq!(h.at(ms("2026-12-04T11:59:30Z")).text, "just now");
        assert_eq!(h.at(ms("2026-12-04T11:55:00Z")).text, "5 min ago");
        assert_eq!(h.at(ms("2026-12-04T09:00:00Z")).text, "3 h ago");
        assert_eq!(h.at(ms("2026-12-03T09:00:00Z")).text, "yesterday");
        assert_eq!(h.at(ms("2026-12-01T09:00:00Z")).text, "3 days ago");
        // Older: a short date in Berlin's clock, one hour ahead of UTC.
        let old = h.at(ms("2026-11-02T08:00:00Z"));
        assert_eq!(old.text, "2 Nov 09:00");
        assert_eq!(old.exact, "Mon 2 Nov 2026 09:00 CET");
        assert_eq!(h.at(ms("2025-06-30T22:30:00Z")).text, "1 Jul 2025 00:30");
        let html = old.to_string();
        assert!(
            html.starts_with(r#"<time datetime="2026-11-02T08:00:00Z" title="Mon 2 Nov 2026 09:00 CET">"#),
            "{html}"
        );
    }

    #[test]
    fn plan_dates_read_in_the_readers_order() {
        let d = LocalTime("2027-01-13T09:36:00".parse().unwrap());
        assert_eq!(reader(DateOrder::DayMonth).date(d), "Wed 13 Jan 2027");
        assert_eq!(reader(DateOrder::MonthDay).date(d), "Wed, Jan 13, 2027");
        assert_eq!(reader(DateOrder::DayMonth).date_time(d), "Wed 13 Jan 2027 09:36");
        assert_eq!(reader(DateOrder::DayMonth).short(d), "13 Jan 2027");
        assert_eq!(reader(DateOrder::DayMonth).period("2026-W49"), "week of 30 Nov");
        assert_eq!(reader(DateOrder::DayMonth).period("2026-Q4"), "2026-Q4");
    }
}
