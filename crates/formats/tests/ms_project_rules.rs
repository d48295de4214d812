//! MS Project's documented rules on small files built by hand, each
//! expected value worked out from the rule rather than read from a saved
//! answer: projects scheduled from their finish, manually scheduled tasks
//! and the Critical field, a hard constraint its predecessors break.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tandem_formats::mspdi::{self, Options, Report, TaskRow};

/// A file on the Standard calendar (Monday to Friday, 8:00–12:00 and
/// 13:00–17:00) with the given project fields and tasks.
fn file(project: &str, tasks: &str) -> Report {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="http://schemas.microsoft.com/project">{project}<Tasks>{tasks}</Tasks></Project>"#
    );
    mspdi::schedule_report(xml.as_bytes(), &Options::default()).unwrap()
}

fn task(uid: i64, name: &str, days: i64, more: &str) -> String {
    format!(
        "<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>1</OutlineLevel><Duration>PT{}H0M0S</Duration>{more}</Task>",
        days * 8
    )
}

fn after(uid: i64) -> String {
    format!("<PredecessorLink><PredecessorUID>{uid}</PredecessorUID><Type>1</Type></PredecessorLink>")
}

fn row(r: &Report, uid: i64) -> &TaskRow {
    r.tasks.iter().find(|t| t.uid == uid).unwrap()
}

const ALAP: &str = "<ConstraintType>1</ConstraintType>";
const DAY: i64 = 480;

#[test]
fn a_project_scheduled_from_its_finish_derives_its_start() {
    // Finish Friday 13 March. The start the file stored (5 January) is
    // stale: MS Project places every task as late as possible from the
    // finish and starts the project where the earliest must start.
    let project = "<StartDate>2026-01-05T08:00:00</StartDate><FinishDate>2026-03-13T17:00:00</FinishDate>\
                   <ScheduleFromStart>0</ScheduleFromStart>";
    let tasks = [
        task(1, "Design", 2, ALAP),
        task(2, "Build", 5, &format!("{ALAP}{}", after(1))),
        task(3, "Docs", 2, &format!("{ALAP}{}", after(1))),
        task(4, "Ship", 1, &format!("{ALAP}{}{}", after(2), after(3))),
        task(5, "Order kit", 1, ""),
    ]
    .concat();
    let r = file(project, &tasks);
    // Ship on the last day, Build the five working days before it,
    // Design the two before that: the project starts Wednesday 4 March.
    assert_eq!(r.project.finish, "2026-03-13T17:00:00");
    assert_eq!(r.project.start, "2026-03-04T08:00:00");
    assert_eq!(row(&r, 4).start, "2026-03-13T08:00:00");
    assert_eq!(row(&r, 4).finish, "2026-03-13T17:00:00");
    assert_eq!(row(&r, 2).start, "2026-03-06T08:00:00");
    assert_eq!(row(&r, 1).start, "2026-03-04T08:00:00");
    // Docs sits late (just before Ship) and could start right after
    // Design, on the 6th: three working days of slack.
    assert_eq!(row(&r, 3).start, "2026-03-11T08:00:00");
    assert_eq!(row(&r, 3).early_start, "2026-03-06T08:00:00");
    assert_eq!(row(&r, 3).total_slack_minutes, 3 * DAY);
    assert!(!row(&r, 3).critical);
    for uid in [1, 2, 4] {
        assert_eq!(row(&r, uid).total_slack_minutes, 0, "UID {uid}");
        assert!(row(&r, uid).critical, "UID {uid}");
    }
    // As soon as possible in a project scheduled from its finish: at the
    // project start, and critical by MS Project's rule.
    assert_eq!(row(&r, 5).start, "2026-03-04T08:00:00");
    assert!(row(&r, 5).critical);
}

#[test]
fn manual_tasks_are_critical_by_their_slack_unless_their_duration_is_blank() {
    // Build takes the whole week. Beside it, three manually scheduled
    // tasks with no links, all ending Friday with the project: one typed
    // with a duration and work, one whose duration the user left blank
    // (MS Project writes an empty DurationText and draws no bar), one typed
    // "TBD"; and a dated manual task ending Wednesday.
    let project = "<StartDate>2026-03-02T08:00:00</StartDate>";
    let manual = |uid: i64, name: &str, start: &str, extra: &str| {
        format!(
            "<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><Manual>1</Manual><OutlineLevel>1</OutlineLevel>{extra}\
             <Start>{start}</Start><Finish>2026-03-06T17:00:00</Finish><Duration>PT8H0M0S</Duration>\
             <ManualStart>{start}</ManualStart><ManualFinish>2026-03-06T17:00:00</ManualFinish><Work>PT8H0M0S</Work></Task>"
        )
    };
    let tasks = [
        task(1, "Build", 5, ""),
        manual(2, "Review", "2026-03-06T08:00:00", ""),
        manual(
            3,
            "Blank",
            "2026-03-06T08:00:00",
            "<StartText></StartText><FinishText></FinishText><DurationText></DurationText>",
        ),
        manual(4, "Later", "2026-03-06T08:00:00", "<DurationText>TBD</DurationText>"),
        "<Task><UID>5</UID><ID>5</ID><Name>Early</Name><Manual>1</Manual><OutlineLevel>1</OutlineLevel>\
         <Start>2026-03-04T08:00:00</Start><Finish>2026-03-04T17:00:00</Finish><Duration>PT8H0M0S</Duration></Task>"
            .to_owned(),
    ]
    .concat();
    let r = file(project, &tasks);
    // The typed task keeps its dates and, with no slack, is critical.
    assert_eq!(row(&r, 2).start, "2026-03-06T08:00:00");
    assert_eq!(row(&r, 2).total_slack_minutes, 0);
    assert!(row(&r, 2).critical);
    // Blank or words for a duration: a placeholder, never critical.
    for uid in [3, 4] {
        assert_eq!(row(&r, uid).total_slack_minutes, 0, "UID {uid}");
        assert!(!row(&r, uid).critical, "UID {uid}");
    }
    // Two days before the finish: two days of slack, not critical.
    assert_eq!(row(&r, 5).total_slack_minutes, 2 * DAY);
    assert!(!row(&r, 5).critical);
}

#[test]
fn a_must_finish_on_its_predecessors_break_keeps_its_date_and_their_slack() {
    // Build takes Monday and Tuesday; the milestone after it must finish
    // on Monday 17:00, a day earlier; Launch follows the milestone.
    let project = "<StartDate>2026-03-02T08:00:00</StartDate>";
    let tasks = [
        task(1, "Build", 2, ""),
        task(
            2,
            "Sign-off",
            0,
            &format!("<Milestone>1</Milestone><ConstraintType>3</ConstraintType><ConstraintDate>2026-03-02T17:00:00</ConstraintDate>{}", after(1)),
        ),
        task(3, "Launch", 1, &after(2)),
    ]
    .concat();
    let r = file(project, &tasks);
    // Constraints honoured (the default): the milestone stays on its date
    // and Launch follows it on Tuesday.
    assert_eq!(row(&r, 2).start, "2026-03-02T17:00:00");
    assert_eq!(row(&r, 3).start, "2026-03-03T08:00:00");
    // The chain is a day over, the pinned milestone included.
    assert_eq!(row(&r, 1).total_slack_minutes, -DAY);
    assert_eq!(row(&r, 2).total_slack_minutes, -DAY);
    assert!(row(&r, 1).critical && row(&r, 2).critical);
}
