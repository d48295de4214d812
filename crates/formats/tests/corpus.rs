//! Agreement with MS Project: every file of the reference corpus is
//! scheduled by Tandem and compared, task by task, with the start, finish,
//! total slack and critical flag MS Project saved in it. Prints the
//! agreement and every mismatch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;

use tandem_formats::mspdi;
use tandem_sched::time;

/// The share of tasks that must agree on all four values. Raise it as the
/// engine improves; never lower it.
const REQUIRED_AGREEMENT: f64 = 0.978;

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    v
}

#[test]
fn agrees_with_ms_project() {
    let (mut total, mut agree) = (0usize, 0usize);
    let mut report = Vec::new();
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let doc = mspdi::read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = match mspdi::schedule_report(&bytes, &mspdi::Options::default()) {
            Ok(r) => r,
            Err(e) => {
                let n = doc.tasks.len();
                total += n;
                report.push(format!("{name}: not scheduled ({e}); {n} tasks count as mismatches"));
                continue;
            }
        };
        let by_uid: HashMap<i64, &mspdi::TaskRow> = ours.tasks.iter().map(|t| (t.uid, t)).collect();
        let (mut file_total, mut file_agree) = (0, 0);
        for t in &doc.tasks {
            file_total += 1;
            let Some(o) = by_uid.get(&t.uid) else {
                report.push(format!("{name} UID {}: missing from Tandem's output", t.uid));
                continue;
            };
            let mut diffs = Vec::new();
            let fmt = |m: Option<i64>| m.map_or("-".to_owned(), time::format);
            if fmt(t.start) != o.start {
                diffs.push(format!("start {} vs {}", fmt(t.start), o.start));
            }
            if fmt(t.finish) != o.finish {
                diffs.push(format!("finish {} vs {}", fmt(t.finish), o.finish));
            }
            let ts = t.total_slack.map(|s| s / 10);
            if ts != Some(o.total_slack_minutes) {
                diffs.push(format!("slack {:?} vs {}", ts, o.total_slack_minutes));
            }
            if t.critical.unwrap_or(false) != o.critical {
                diffs.push(format!("critical {:?} vs {}", t.critical, o.critical));
            }
            if diffs.is_empty() {
                file_agree += 1;
            } else {
                report.push(format!(
                    "{name} UID {} `{}`: {}",
                    t.uid,
                    t.name.as_deref().unwrap_or(""),
                    diffs.join("; ")
                ));
            }
        }
        eprintln!("{name}: {file_agree}/{file_total}");
        total += file_total;
        agree += file_agree;
    }
    let share = agree as f64 / total.max(1) as f64;
    eprintln!("mismatches (MS Project vs Tandem):");
    for line in &report {
        eprintln!("  {line}");
    }
    eprintln!("agreement with MS Project: {agree}/{total} tasks = {:.2} %", share * 100.0);
    assert!(share >= REQUIRED_AGREEMENT, "agreement {share:.4} fell below {REQUIRED_AGREEMENT}");
}

#[test]
fn read_write_read_keeps_the_document_and_the_schedule() {
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let doc = mspdi::read(&bytes).unwrap();
        let xml = mspdi::write(&doc);
        let again =
            mspdi::read(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: the written file does not read back: {e}"));
        assert_eq!(doc, again, "{name}: the document changed in the round trip");
        let before = serde_json::to_value(mspdi::schedule_report(&bytes, &mspdi::Options::default()).unwrap()).unwrap();
        let after =
            serde_json::to_value(mspdi::schedule_report(xml.as_bytes(), &mspdi::Options::default()).unwrap()).unwrap();
        assert_eq!(before, after, "{name}: the schedule changed in the round trip");
    }
}
