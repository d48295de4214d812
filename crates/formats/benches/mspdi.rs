//! MSPDI parsing and whole-file scheduling on synthetic programmes.
//! Run: `cargo bench -p tandem-formats --bench mspdi`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write;

use divan::Bencher;
use tandem_formats::mspdi;
use tandem_sched::synthetic;

fn main() {
    divan::main();
}

/// An MSPDI file of `n` tasks laid out like the peers' benchmark files.
fn xml(n: usize) -> String {
    let (dur, preds) = synthetic::leaves(n, 1);
    let mut s = String::with_capacity(n * 900);
    s.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="http://schemas.microsoft.com/project"><StartDate>2025-01-06T08:00:00</StartDate><CalendarUID>1</CalendarUID><Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars><Tasks><Task><UID>0</UID><ID>0</ID><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>"#);
    for (k, lo) in (0..n).step_by(50).enumerate() {
        let _ = write!(s, "<Task><UID>{}</UID><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>", n + 1 + k);
        for i in lo..(lo + 50).min(n) {
            let _ = write!(
                s,
                "<Task><UID>{}</UID><ID>{}</ID><Name>Task {}</Name><OutlineLevel>2</OutlineLevel><Duration>PT{}H0M0S</Duration><Milestone>{}</Milestone>",
                i + 1,
                i + 1,
                i + 1,
                dur[i] * 8,
                u8::from(dur[i] == 0)
            );
            for &(p, t, lag) in &preds[i] {
                let _ = write!(
                    s,
                    "<PredecessorLink><PredecessorUID>{}</PredecessorUID><Type>{t}</Type><LinkLag>{}</LinkLag><LagFormat>7</LagFormat></PredecessorLink>",
                    p + 1,
                    lag * 4800
                );
            }
            s.push_str("</Task>");
        }
    }
    s.push_str("</Tasks></Project>");
    s
}

#[divan::bench(args = [10_000, 100_000], sample_count = 10, sample_size = 1)]
fn read(bencher: Bencher, n: usize) {
    let x = xml(n);
    bencher
        .counter(divan::counter::BytesCount::new(x.len()))
        .bench_local(|| mspdi::read(x.as_bytes()).unwrap().tasks.len());
}

/// Read, convert, schedule and build the report: `tandem schedule` less
/// the file read and the printing.
#[divan::bench(args = [10_000, 100_000], sample_count = 10, sample_size = 1)]
fn schedule_file(bencher: Bencher, n: usize) {
    let x = xml(n);
    bencher.bench_local(|| mspdi::schedule_report(x.as_bytes(), &mspdi::Options::default()).unwrap().tasks.len());
}
