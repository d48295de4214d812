//! Agreement with MS Project: every file of the reference corpus is
//! scheduled by Tandem and compared, task by task, with the start, finish,
//! total slack and critical flag MS Project saved in it. Prints the
//! agreement and every mismatch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tandem_formats::mspdi;
use tandem_formats::mspdi::{Document, TaskDef};
use tandem_sched::time;

/// The share of tasks that must agree on all four values. Raise it as the
/// engine improves; never lower it.
const REQUIRED_AGREEMENT: f64 = 0.981;

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

/// How Tandem's row for a task differs from what MS Project stored.
fn differences(t: &TaskDef, o: &mspdi::TaskRow) -> Vec<String> {
    let mut diffs = Vec::new();
    let fmt = |m: Option<i64>| m.map_or("-".to_owned(), time::format);
    if o.start != fmt(t.start) {
        diffs.push(format!("start {} vs {}", fmt(t.start), o.start));
    }
    if o.finish != fmt(t.finish) {
        diffs.push(format!("finish {} vs {}", fmt(t.finish), o.finish));
    }
    // MS Project keeps slack in tenths of a minute (durations with seconds
    // give 6666.7 minutes); Tandem counts whole minutes.
    let same_slack = t.total_slack.is_some_and(|s| (s - o.total_slack_minutes * 10).abs() < 10);
    if !same_slack {
        diffs.push(format!("slack {:?} vs {}", t.total_slack.map(|s| s as f64 / 10.0), o.total_slack_minutes));
    }
    if t.critical.unwrap_or(false) != o.critical {
        diffs.push(format!("critical {:?} vs {}", t.critical, o.critical));
    }
    diffs
}

/// MS Project recalculates incrementally: once tasks are added to a plan,
/// tasks off the critical path can keep the late dates of the last full
/// calculation. A mismatch is explained that way when the plan as it stood
/// before some later tasks were created (those tasks left out) schedules the
/// task exactly as MS Project stored it. Returns the creation date of the
/// first task left out.
fn earlier_plan_agrees(doc: &Document, t: &TaskDef) -> Option<i64> {
    let created = t.created?;
    let mut cutoffs: Vec<i64> = doc.tasks.iter().filter_map(|x| x.created).filter(|&c| c > created).collect();
    cutoffs.sort_unstable();
    cutoffs.dedup();
    // The latest such state: the one closest to the plan as saved.
    cutoffs.into_iter().rev().find(|&cut| {
        let mut earlier = doc.clone();
        earlier.tasks.retain(|x| x.created.is_none_or(|c| c < cut));
        let kept: HashSet<i64> = earlier.tasks.iter().map(|x| x.uid).collect();
        for x in &mut earlier.tasks {
            x.predecessors.retain(|l| kept.contains(&l.predecessor_uid));
        }
        earlier.assignments.retain(|a| kept.contains(&a.task_uid));
        let Ok(report) = mspdi::schedule_report(mspdi::write(&earlier).as_bytes(), &mspdi::Options::default()) else {
            return false;
        };
        report.tasks.iter().find(|r| r.uid == t.uid).is_some_and(|r| differences(t, r).is_empty())
    })
}

#[test]
fn agrees_with_ms_project() {
    let (mut total, mut agree) = (0usize, 0usize);
    let (mut report, mut stale, mut unexplained) = (Vec::new(), Vec::new(), Vec::new());
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let doc = mspdi::read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = match mspdi::schedule_report(&bytes, &mspdi::Options::default()) {
            Ok(r) => r,
            Err(e) => {
                let n = doc.tasks.len();
                total += n;
                unexplained.push(format!("{name}: not scheduled ({e}); {n} tasks count as mismatches"));
                continue;
            }
        };
        let by_uid: HashMap<i64, &mspdi::TaskRow> = ours.tasks.iter().map(|t| (t.uid, t)).collect();
        let (mut file_total, mut file_agree) = (0, 0);
        for t in &doc.tasks {
            file_total += 1;
            let Some(o) = by_uid.get(&t.uid) else {
                unexplained.push(format!("{name} UID {}: missing from Tandem's output", t.uid));
                continue;
            };
            let diffs = differences(t, o);
            if diffs.is_empty() {
                file_agree += 1;
                continue;
            }
            let line = format!("{name} UID {} `{}`: {}", t.uid, t.name.as_deref().unwrap_or(""), diffs.join("; "));
            match earlier_plan_agrees(&doc, t) {
                Some(cut) => {
                    stale.push(format!(
                        "{line}\n      (MS Project's value for the plan before the tasks created from {})",
                        time::format(cut)
                    ));
                }
                None => unexplained.push(line),
            }
        }
        report.push(format!("{name}: {file_agree}/{file_total}"));
        total += file_total;
        agree += file_agree;
    }
    let share = agree as f64 / total.max(1) as f64;
    for line in &report {
        eprintln!("{line}");
    }
    eprintln!("mismatches MS Project's own earlier calculation explains (MS Project vs Tandem):");
    for line in &stale {
        eprintln!("  {line}");
    }
    eprintln!("other mismatches (MS Project vs Tandem):");
    for line in &unexplained {
        eprintln!("  {line}");
    }
    eprintln!("agreement with MS Project: {agree}/{total} tasks = {:.2} %", share * 100.0);
    let current = total - stale.len();
    eprintln!(
        "agreement with the values MS Project computed for the plan as saved: {agree}/{current} tasks = {:.2} %",
        agree as f64 / current.max(1) as f64 * 100.0
    );
    assert!(share >= REQUIRED_AGREEMENT, "agreement {share:.4} fell below {REQUIRED_AGREEMENT}");
    assert!(unexplained.is_empty(), "{} mismatches no earlier state of the plan explains", unexplained.len());
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
