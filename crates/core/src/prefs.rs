//! How a person reads dates and which colours they see: their own
//! preferences, and the date texts every page shows.

use jiff::civil::{Date, DateTime};

use crate::str_enum;

str_enum! {
    /// The order of day, month and year in dates a person reads.
    pub enum DateOrder {
        DayMonth = "day_month" => "Wed 13 Jan 2027",
        MonthDay = "month_day" => "Wed, Jan 13, 2027",
        Iso = "iso" => "2027-01-13",
    }
}

str_enum! {
    /// Light or dark pages, or whatever the system prefers.
    pub enum Theme { System = "system" => "Same as the system", Light = "light", Dark = "dark" }
}

/// What a person may change about themselves: how they are named and how
/// pages read to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub date_order: DateOrder,
    pub theme: Theme,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn month(d: Date) -> &'static str {
    MONTHS[usize::try_from(d.month() - 1).unwrap_or(0) % 12]
}

fn weekday(d: Date) -> &'static str {
    WEEKDAYS[usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0) % 7]
}

/// A whole date: `Wed 13 Jan 2027`, `Wed, Jan 13, 2027` or `2027-01-13`.
pub fn date_text(d: Date, order: DateOrder) -> String {
    match order {
        DateOrder::DayMonth => format!("{} {} {} {}", weekday(d), d.day(), month(d), d.year()),
        DateOrder::MonthDay => format!("{}, {} {}, {}", weekday(d), month(d), d.day(), d.year()),
        DateOrder::Iso => d.to_string(),
    }
}

/// A date without its weekday, and without its year when it is `this_year`:
/// `13 Jan`, `Jan 13`, `13 Jan 2026`. For lists, axes and recent times.
pub fn short_date_text(d: Date, order: DateOrder, this_year: i16) -> String {
    let year = if d.year() == this_year { String::new() } else { format!(" {}", d.year()) };
    match order {
        DateOrder::DayMonth => format!("{} {}{year}", d.day(), month(d)),
        DateOrder::MonthDay if year.is_empty() => format!("{} {}", month(d), d.day()),
        DateOrder::MonthDay => format!("{} {},{year}", month(d), d.day()),
        DateOrder::Iso => d.to_string(),
    }
}

/// A date and a time of day: `Wed 13 Jan 2027 09:36`.
pub fn date_time_text(t: DateTime, order: DateOrder) -> String {
    format!("{} {:02}:{:02}", date_text(t.date(), order), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_read_in_each_order() {
        let d = date(2027, 1, 13);
        assert_eq!(date_text(d, DateOrder::DayMonth), "Wed 13 Jan 2027");
        assert_eq!(date_text(d, DateOrder::MonthDay), "Wed, Jan 13, 2027");
        assert_eq!(date_text(d, DateOrder::Iso), "2027-01-13");
        assert_eq!(short_date_text(d, DateOrder::DayMonth, 2027), "13 Jan");
        assert_eq!(short_date_text(d, DateOrder::DayMonth, 2026), "13 Jan 2027");
        assert_eq!(short_date_text(d, DateOrder::MonthDay, 2027), "Jan 13");
        assert_eq!(short_date_text(d, DateOrder::MonthDay, 2026), "Jan 13, 2027");
        assert_eq!(date_time_text(d.at(9, 36, 0, 0), DateOrder::DayMonth), "Wed 13 Jan 2027 09:36");
    }

    #[test]
    fn every_date_text_parses_back() {
        // What a page shows, a person may type into a date cell.
        let d = date(2026, 12, 31);
        for order in DateOrder::ALL {
            let text = date_text(d, *order);
            assert_eq!(crate::plan_text::parse_date("date", &text).map(|x| x.0), Ok(d), "{text}");
        }
    }
}
