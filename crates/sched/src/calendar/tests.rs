use super::*;

#[test]
fn periods_rebuild_the_calendar() {
    let half = Shifts::new(&[(480, 720)]).unwrap();
    let base = Calendar::new(
        "c",
        Week::standard(),
        &[
            Override { from_day: 20_000, to_day: 20_030, week: Week::uniform(half), rank: 1 },
            Override { from_day: 20_010, to_day: 20_012, week: Week::uniform(Shifts::NONE), rank: 2 },
        ],
    )
    .unwrap();
    let (week, periods) = base.periods();
    let overrides: Vec<Override> =
        periods.iter().map(|&(f, t, w)| Override { from_day: f, to_day: t, week: w, rank: 1 }).collect();
    let again = Calendar::new("c", week, &overrides).unwrap();
    for d in (19_990..20_040).step_by(3) {
        assert_eq!(base.between(d * DAY, (d + 9) * DAY), again.between(d * DAY, (d + 9) * DAY));
    }
}
use crate::time::{format, parse};

fn t(s: &str) -> Minute {
    parse(s).unwrap()
}

fn holiday(date: &str) -> Override {
    let d = day_of(t(date));
    Override { from_day: d, to_day: d, week: Week::uniform(Shifts::NONE), rank: 2 }
}

#[test]
fn adds_through_lunch_nights_and_weekends() {
    let c = Calendar::standard();
    // Friday 2026-03-06.
    assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 480).unwrap()), "2026-03-02T17:00:00");
    assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 240).unwrap()), "2026-03-02T12:00:00");
    assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 300).unwrap()), "2026-03-02T14:00:00");
    assert_eq!(format(c.add(t("2026-03-06T13:00:00"), 480).unwrap()), "2026-03-09T12:00:00");
    assert_eq!(format(c.add(t("2026-03-06T17:00:00"), 60).unwrap()), "2026-03-09T09:00:00");
    // Ten weeks at once.
    assert_eq!(format(c.add(t("2026-03-02T08:00:00"), 480 * 50).unwrap()), "2026-05-08T17:00:00");
    assert_eq!(c.add(t("2026-03-02T08:00:00"), 0).unwrap(), t("2026-03-02T08:00:00"));
}

#[test]
fn subtracts_mirror_adds() {
    let c = Calendar::standard();
    assert_eq!(format(c.sub(t("2026-03-02T17:00:00"), 480).unwrap()), "2026-03-02T08:00:00");
    assert_eq!(format(c.sub(t("2026-03-09T12:00:00"), 480).unwrap()), "2026-03-06T13:00:00");
    assert_eq!(format(c.sub(t("2026-05-08T17:00:00"), 480 * 50).unwrap()), "2026-03-02T08:00:00");
    assert_eq!(format(c.sub(t("2026-03-09T00:00:00"), 60).unwrap()), "2026-03-06T16:00:00");
    for minutes in [1, 59, 240, 479, 480, 481, 2400, 2401, 99_999] {
        let start = t("2026-03-04T10:17:00");
        let end = c.add(start, minutes).unwrap();
        assert_eq!(c.sub(end, minutes).unwrap(), start, "{minutes}");
        assert_eq!(c.between(start, end), minutes, "{minutes}");
    }
}

#[test]
fn starts_and_finishes_snap_to_working_time() {
    let c = Calendar::standard();
    assert_eq!(format(c.next_start(t("2026-03-02T17:00:00")).unwrap()), "2026-03-03T08:00:00");
    assert_eq!(format(c.next_start(t("2026-03-02T12:00:00")).unwrap()), "2026-03-02T13:00:00");
    assert_eq!(format(c.next_start(t("2026-03-07T10:00:00")).unwrap()), "2026-03-09T08:00:00");
    assert_eq!(format(c.next_start(t("2026-03-02T09:30:00")).unwrap()), "2026-03-02T09:30:00");
    assert_eq!(format(c.prev_finish(t("2026-03-03T08:00:00")).unwrap()), "2026-03-02T17:00:00");
    assert_eq!(format(c.prev_finish(t("2026-03-02T13:00:00")).unwrap()), "2026-03-02T12:00:00");
    assert_eq!(format(c.prev_finish(t("2026-03-09T00:00:00")).unwrap()), "2026-03-06T17:00:00");
    assert_eq!(format(c.prev_finish(t("2026-03-02T17:00:00")).unwrap()), "2026-03-02T17:00:00");
}

#[test]
fn exceptions_and_work_weeks() {
    let sat = day_of(t("2026-03-07T00:00:00"));
    let half = Shifts::new(&[(480, 720)]).unwrap();
    let c = Calendar::new(
        "Holidays",
        Week::standard(),
        &[holiday("2026-03-04"), Override { from_day: sat, to_day: sat, week: Week::uniform(half), rank: 2 }],
    )
    .unwrap();
    // Two days from Tuesday: Tuesday and Thursday (Wednesday is off).
    assert_eq!(format(c.add(t("2026-03-03T08:00:00"), 960).unwrap()), "2026-03-05T17:00:00");
    // Saturday morning works.
    assert_eq!(format(c.add(t("2026-03-06T08:00:00"), 720).unwrap()), "2026-03-07T12:00:00");
    assert_eq!(c.between(t("2026-03-02T08:00:00"), t("2026-03-09T08:00:00")), 4 * 480 + 240);

    // A summer work week of 4 long days overrides the default for June.
    let long = Shifts::new(&[(420, 1020)]).unwrap();
    let summer = Week::new([long, long, long, long, Shifts::NONE, Shifts::NONE, Shifts::NONE]);
    let c = Calendar::new(
        "Summer",
        Week::standard(),
        &[
            Override { from_day: day_of(t("2026-06-01")), to_day: day_of(t("2026-06-30")), week: summer, rank: 1 },
            holiday("2026-06-03"),
        ],
    )
    .unwrap();
    assert_eq!(format(c.add(t("2026-06-01T07:00:00"), 600 * 3).unwrap()), "2026-06-04T17:00:00");
    // Crossing into and out of the work week over many weeks agrees both ways.
    let start = t("2026-04-01T08:00:00");
    let end = c.add(start, 480 * 100).unwrap();
    assert_eq!(c.sub(end, 480 * 100).unwrap(), start);
    assert_eq!(c.between(start, end), 480 * 100);
}

#[test]
fn a_calendar_without_working_time_is_refused_or_bounded() {
    let none = Week::uniform(Shifts::NONE);
    assert!(matches!(Calendar::new("Never", none, &[]), Err(CalendarError::NoWorkingTime(_))));
    // Work on one day only: searches past it fail instead of looping.
    let d = day_of(t("2026-03-02"));
    let c = Calendar::new(
        "Once",
        none,
        &[Override { from_day: d, to_day: d, week: Week::uniform(Shifts::new(&[(480, 540)]).unwrap()), rank: 2 }],
    )
    .unwrap();
    assert_eq!(format(c.add(t("2026-01-01T00:00:00"), 60).unwrap()), "2026-03-02T09:00:00");
    assert!(c.add(t("2026-01-01T00:00:00"), 61).is_err());
    assert!(c.next_start(t("2026-03-03T00:00:00")).is_err());
    assert!(c.prev_finish(t("2026-03-01T00:00:00")).is_err());
    assert!(Shifts::new(&[(600, 500)]).is_err());
    assert!(Shifts::new(&[(480, 720), (700, 800)]).is_err());
}

#[test]
fn unions_and_intersections() {
    let night = Shifts::new(&[(0, 180), (1380, 1440)]).unwrap();
    let nights = Calendar::new(
        "Nights",
        Week::new([night, night, night, night, night, Shifts::NONE, Shifts::NONE]),
        &[holiday("2026-03-04")],
    )
    .unwrap();
    let std = Calendar::standard();
    let both = Calendar::union_of("both", &[&std, &nights]).unwrap();
    assert_eq!(both.day_minutes(day_of(t("2026-03-03"))), 480 + 240);
    // The holiday is off for the night shift only.
    assert_eq!(both.day_minutes(day_of(t("2026-03-04"))), 480);
    let common = Calendar::intersection_of("common", &[&std, &nights]).unwrap_err();
    assert!(matches!(common, CalendarError::NoWorkingTime(_)));
    // Many calendars together close their shortest breaks, not fail.
    let hourly: Vec<Calendar> = (0..12u16)
        .map(|h| {
            let day = Shifts::new(&[(h * 60 + 360, h * 60 + 390)]).unwrap();
            Calendar::new(format!("h{h}"), Week::uniform(day), &[]).unwrap()
        })
        .collect();
    let refs: Vec<&Calendar> = hourly.iter().collect();
    let all = Calendar::union_of("all", &refs).unwrap();
    assert!(all.day_minutes(day_of(t("2026-03-03"))) >= 12 * 30);
    let mornings = Calendar::new("Mornings", Week::uniform(Shifts::new(&[(420, 600)]).unwrap()), &[]).unwrap();
    let common = Calendar::intersection_of("common", &[&std, &mornings]).unwrap();
    assert_eq!(common.day_minutes(day_of(t("2026-03-03"))), 120);
    assert_eq!(common.day_minutes(day_of(t("2026-03-07"))), 0);
}

#[test]
fn elapsed_time_counts_every_minute() {
    let c = Calendar::elapsed();
    assert_eq!(format(c.add(t("2026-03-06T17:00:00"), 2 * DAY).unwrap()), "2026-03-08T17:00:00");
    assert_eq!(c.between(t("2026-03-06T17:00:00"), t("2026-03-08T17:00:00")), 2 * DAY);
}
