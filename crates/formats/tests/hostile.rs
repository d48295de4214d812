//! Hostile MSPDI files: each is refused with an error that says what is
//! wrong, without panicking, hanging or blowing up memory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use tandem_formats::mspdi::{self, Options};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redteam").join(name)).unwrap()
}

fn refused(bytes: &[u8]) -> String {
    match mspdi::schedule_report(bytes, &Options::default()) {
        Ok(_) => panic!("accepted a hostile file"),
        Err(e) => e,
    }
}

#[test]
fn each_hostile_file_is_refused_with_a_reason() {
    let cases = [
        ("xxe_file_passwd.xml", "DOCTYPE is not allowed"),
        ("billion_laughs.xml", "DOCTYPE is not allowed"),
        ("truncated_claims_200mb.xml", "ends before the XML is complete"),
        ("dependency_cycle.xml", "dependency cycle between task UIDs"),
        ("self_loop.xml", "task UID 1 is its own predecessor"),
        ("missing_predecessor_uid.xml", "predecessor UID 999 does not exist"),
        ("duplicate_uid.xml", "duplicate task UID 5"),
        ("bad_durations.xml", "is not a duration"),
        ("bad_dates.xml", "is not a date-time"),
        ("calendar_no_working_time.xml", "has no working time"),
        ("non_utf8_bytes.xml", "invalid UTF-8 at byte offset"),
        ("empty_project.xml", "not an MS Project XML file"),
        ("empty_project_ns.xml", "nothing to schedule"),
    ];
    for (file, expected) in cases {
        let e = refused(&fixture(file));
        assert!(e.contains(expected), "{file}: {e}");
        assert!(!e.contains("root:"), "{file} leaked file content: {e}");
        assert_eq!(e.lines().count(), 1, "{file}: {e}");
    }
}

#[test]
fn every_bad_value_is_listed_with_its_task() {
    let e = mspdi::read(&fixture("bad_durations.xml")).unwrap_err();
    let all = e.all();
    assert!(all.len() >= 5, "{all:?}");
    assert!(all.iter().all(|l| l.contains("task UID")), "{all:?}");
    let e = mspdi::read(&fixture("missing_predecessor_uid.xml")).unwrap();
    let e = mspdi::to_network(&e, &Options::default()).unwrap_err().all();
    assert!(e.iter().any(|l| l.contains("999")) && e.iter().any(|l| l.contains("-1")), "{e:?}");
}

#[test]
fn the_positive_control_is_scheduled_with_its_lead() {
    let r = mspdi::schedule_report(&fixture("valid_minimal.xml"), &Options::default()).unwrap();
    let by = |uid: i64| r.tasks.iter().find(|t| t.uid == uid).unwrap();
    assert_eq!(by(2).finish, "2025-03-12T17:00:00");
    // A one-day lead: task 3 starts one working day before task 2 ends.
    assert_eq!(by(3).start, "2025-03-12T08:00:00");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let mut xml = String::from(
        r#"<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1</UID><ExtendedAttribute>"#,
    );
    for _ in 0..10_000 {
        xml.push_str("<a>");
    }
    for _ in 0..10_000 {
        xml.push_str("</a>");
    }
    xml.push_str("</ExtendedAttribute></Task></Tasks></Project>");
    assert!(refused(xml.as_bytes()).contains("nest deeper than"));

    let mut outline = String::from(
        r#"<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2025-03-03T08:00:00</StartDate><Tasks>"#,
    );
    for i in 1..=10_000 {
        outline.push_str(&format!(
            "<Task><UID>{i}</UID><OutlineLevel>{i}</OutlineLevel><Duration>PT8H0M0S</Duration></Task>"
        ));
    }
    outline.push_str("</Tasks></Project>");
    assert!(refused(outline.as_bytes()).contains("outline depth"));
}

#[test]
fn a_chain_of_fifty_thousand_tasks_is_scheduled() {
    let mut xml = String::from(
        r#"<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2025-03-03T08:00:00</StartDate><Tasks>"#,
    );
    for i in 1..=50_000 {
        xml.push_str(&format!(
            "<Task><UID>{i}</UID><ID>{i}</ID><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
        ));
        if i > 1 {
            xml.push_str(&format!(
                "<PredecessorLink><PredecessorUID>{}</PredecessorUID><Type>1</Type></PredecessorLink>",
                i - 1
            ));
        }
        xml.push_str("</Task>");
    }
    xml.push_str("</Tasks></Project>");
    let r = mspdi::schedule_report(xml.as_bytes(), &Options::default()).unwrap();
    assert_eq!(r.tasks.last().unwrap().finish, "2216-10-25T17:00:00");
    assert_eq!(r.project.finish, "2216-10-25T17:00:00");
}

#[test]
fn absent_elements_take_their_defaults() {
    // No calendars, no durations (dates instead), no link types or lags,
    // no outline levels: MSPDI's defaults fill them in.
    let xml = r#"<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2026-03-02T08:00:00</StartDate><Tasks>
        <Task><UID>1</UID><Name>Dated</Name><Start>2026-03-02T08:00:00</Start><Finish>2026-03-04T17:00:00</Finish></Task>
        <Task><UID>2</UID><Name>Next</Name><Duration>PT8H0M0S</Duration><PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink></Task>
        </Tasks></Project>"#;
    let r = mspdi::schedule_report(xml.as_bytes(), &Options::default()).unwrap();
    let by = |uid: i64| r.tasks.iter().find(|t| t.uid == uid).unwrap();
    assert_eq!(by(1).finish, "2026-03-04T17:00:00");
    assert!(!by(1).milestone);
    assert_eq!(by(2).start, "2026-03-05T08:00:00");
    assert_eq!(r.project.finish, "2026-03-05T17:00:00");
}

/// A file of `tasks` tasks in a chain, with `middle` placed halfway
/// through the tasks section and `extra` inside the task there.
fn large_file(tasks: usize, middle: &str, extra: &str) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project"><StartDate>2025-03-03T08:00:00</StartDate><Tasks>"#,
    );
    for i in 1..=tasks {
        if i == tasks / 2 {
            xml.push_str(middle);
        }
        xml.push_str(&format!(
            "\n<Task><UID>{i}</UID><ID>{i}</ID><Name>Task {i} with a name long enough to make the file large</Name>\
             <OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
        ));
        if i == tasks / 2 {
            xml.push_str(extra);
        }
        if i > 1 {
            xml.push_str(&format!(
                "<PredecessorLink><PredecessorUID>{}</PredecessorUID><Type>1</Type></PredecessorLink>",
                i - 1
            ));
        }
        xml.push_str("</Task>");
    }
    xml.push_str("\n</Tasks><Resources><Resource><UID>1</UID><Name>Ann</Name></Resource></Resources></Project>");
    xml
}

fn one_thread() -> mspdi::Limits {
    mspdi::Limits { parallel_from_bytes: usize::MAX, ..mspdi::Limits::default() }
}

#[test]
fn a_large_file_read_in_pieces_is_the_file_read_in_one() {
    let xml = large_file(3_000, "", "");
    assert!(xml.len() > mspdi::Limits::default().parallel_from_bytes, "large enough to be read in pieces");
    let pieces = mspdi::read(xml.as_bytes()).unwrap();
    let whole = mspdi::read_with(xml.as_bytes(), &one_thread()).unwrap();
    assert_eq!(pieces.tasks.len(), 3_000);
    assert_eq!(pieces.resources.len(), 1);
    assert!(pieces == whole);
    // Where the cut would fall inside a comment, CDATA or a task, the
    // document is still the one a single reader gives.
    // (Smaller files, read in pieces from 1 MB, so that a note within the
    // text limit spans the middle.)
    let in_pieces = mspdi::Limits { parallel_from_bytes: 1 << 20, ..mspdi::Limits::default() };
    for (middle, extra) in [
        (format!("<!-- {} -->", "<Task> ".repeat(2_000_000)), String::new()),
        (String::new(), format!("<Notes><![CDATA[{}]]></Notes>", "<Task> ".repeat(140_000))),
        (String::new(), format!("<Notes>{}</Notes>", "&lt;Task&gt; ".repeat(70_000))),
    ] {
        let xml = large_file(2_000, &middle, &extra);
        let pieces = mspdi::read_with(xml.as_bytes(), &in_pieces).unwrap();
        assert_eq!(pieces.tasks.len(), 2_000);
        assert!(pieces == mspdi::read_with(xml.as_bytes(), &one_thread()).unwrap());
    }
    // Project fields after the tasks override earlier ones, as they do in
    // one reader.
    let xml = large_file(3_000, "", "")
        .replacen("<StartDate>", "<ScheduleFromStart>0</ScheduleFromStart><StartDate>", 1)
        .replacen("</Tasks>", "</Tasks><ScheduleFromStart>1</ScheduleFromStart>", 1);
    let pieces = mspdi::read(xml.as_bytes()).unwrap();
    assert!(pieces.project.schedule_from_start);
    assert!(pieces == mspdi::read_with(xml.as_bytes(), &one_thread()).unwrap());
    // A problem in any piece is reported as the single reader reports it,
    // with its line.
    for (middle, extra) in [
        (String::new(), "<Bad></Task>".to_owned()),
        (String::new(), "<Duration>soon</Duration>".to_owned()),
        ("<Task><UID>1</UID></Task>".to_owned(), String::new()),
    ] {
        let xml = large_file(3_000, &middle, &extra);
        let a = mspdi::read(xml.as_bytes()).unwrap_err().to_string();
        let b = mspdi::read_with(xml.as_bytes(), &one_thread()).unwrap_err().to_string();
        assert_eq!(a, b);
        assert!(a.contains("line ") || a.contains("duplicate task UID 1"), "{a}");
    }
}
