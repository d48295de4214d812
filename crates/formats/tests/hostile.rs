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
