//! `tandem schedule FILE`: read an MSPDI file, schedule it, print the
//! result as a table or as the JSON of the CLI contract.

use std::io::Read;

use std::io::IsTerminal;

use tandem_formats::mspdi::{self, MonteCarloRequest, Report};
use tandem_sched::montecarlo;

/// The largest file `tandem schedule` reads.
const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dist {
    Triangular,
    Pert,
}

/// A date option, or one line saying what is wrong with it.
pub fn parse_date(flag: &str, value: Option<&str>) -> Result<Option<tandem_sched::Minute>, String> {
    match value {
        None => Ok(None),
        Some(s) => tandem_sched::time::parse(s)
            .map(Some)
            .ok_or_else(|| format!("{flag} `{s}` is not a date like 2026-03-02 or 2026-03-02T08:00")),
    }
}

/// Schedules, and runs Monte Carlo when asked, with a progress bar on a
/// terminal.
pub fn run(
    doc: mspdi::Document,
    options: &mspdi::Options,
    iterations: Option<u32>,
    seed: u64,
    dist: Dist,
    target: Option<tandem_sched::Minute>,
) -> Result<Report, String> {
    let Some(iterations) = iterations else { return mspdi::schedule_document(doc, options, None) };
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(u64::from(iterations));
        bar.set_style(
            indicatif::ProgressStyle::with_template("Monte Carlo {bar:40} {pos}/{len} iterations ({eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |done: u64| bar.set_position(done);
    let request = MonteCarloRequest {
        options: montecarlo::Options {
            iterations,
            seed,
            distribution: match dist {
                Dist::Triangular => montecarlo::Distribution::Triangular,
                Dist::Pert => montecarlo::Distribution::Pert,
            },
            target,
            bins: 20,
        },
        progress: &progress,
    };
    let report = mspdi::schedule_document(doc, options, Some(&request));
    bar.finish_and_clear();
    report
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Reads a file with a size limit; errors are one line.
pub fn read_file(path: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let too_large = || format!("{path}: larger than {MAX_FILE_BYTES} bytes");
    let meta = file.metadata().map_err(|e| format!("cannot read {path}: {e}"))?;
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    #[cfg(unix)]
    if meta.is_file() && meta.len() >= HALVES_FROM {
        return read_in_halves(&file, meta.len()).map_err(|e| format!("cannot read {path}: {e}"));
    }
    // Sized from the file's length, so the buffer is not copied as it grows.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(MAX_FILE_BYTES)).unwrap_or(0).saturating_add(1));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Files from this size are read in two halves at once.
#[cfg(unix)]
const HALVES_FROM: u64 = 64 * 1024 * 1024;

/// Copying a large file out of the page cache into fresh memory is a
/// good part of scheduling it: two threads do it, each half its own.
#[cfg(unix)]
fn read_in_halves(file: &std::fs::File, len: u64) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let n = usize::try_from(len).map_err(std::io::Error::other)?;
    let mut bytes = vec![0u8; n];
    let (a, b) = bytes.split_at_mut(n / 2);
    let half = (n / 2) as u64;
    std::thread::scope(|s| {
        let first = s.spawn(|| file.read_exact_at(a, 0));
        let second = file.read_exact_at(b, half);
        first.join().map_err(|_| std::io::Error::other("a reading thread failed"))??;
        second
    })?;
    Ok(bytes)
}

pub fn print(report: &Report, format: Format) -> Result<(), String> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| format!("cannot write: {e}");
    match format {
        Format::Json => {
            write_json(&mut out, report).map_err(|e| e.to_string())?;
            writeln!(out).map_err(io)?;
        }
        Format::Table => {
            writeln!(out, "Project: {} → {}", report.project.start, report.project.finish).map_err(io)?;
            writeln!(
                out,
                "{:>6} {:>6}  {:<40} {:<16} {:<16} {:>8} {:>8}  crit",
                "uid", "id", "name", "start", "finish", "slack d", "free d"
            )
            .map_err(io)?;
            for t in &report.tasks {
                let name: String = t.name.chars().take(40).collect();
                let mark = if t.summary {
                    "▸"
                } else if t.milestone {
                    "◆"
                } else {
                    " "
                };
                writeln!(
                    out,
                    "{:>6} {:>6} {mark}{:<39} {:<16} {:<16} {:>8.2} {:>8.2}  {}",
                    t.uid,
                    t.id,
                    name,
                    short(&t.start.to_string()),
                    short(&t.finish.to_string()),
                    t.total_slack_minutes as f64 / 480.0,
                    t.free_slack_minutes as f64 / 480.0,
                    if t.critical { "yes" } else { "" }
                )
                .map_err(io)?;
            }
            if let Some(l) = &report.leveling {
                writeln!(
                    out,
                    "\nLevelling moved {} tasks; finish {} → {}",
                    l.moved.len(),
                    l.finish_before,
                    l.finish_after
                )
                .map_err(io)?;
                for m in &l.moved {
                    writeln!(out, "  UID {:>6} delayed {:.2} d", m.uid, m.delay_minutes as f64 / 480.0).map_err(io)?;
                }
                if !l.unresolved.is_empty() {
                    let uids: Vec<String> = l.unresolved.iter().map(i64::to_string).collect();
                    writeln!(
                        out,
                        "Not levelled (they need more of a resource than it has at all): UID {}",
                        uids.join(", ")
                    )
                    .map_err(io)?;
                }
            }
            if let Some(mc) = &report.monte_carlo {
                writeln!(
                    out,
                    "\nMonte Carlo: {} iterations ({}, seed {}), {} tasks with three-point estimates",
                    mc.iterations, mc.distribution, mc.seed, mc.estimated_tasks
                )
                .map_err(io)?;
                for (label, value) in
                    [("P10", &mc.p10), ("P50", &mc.p50), ("P80", &mc.p80), ("P90", &mc.p90), ("mean", &mc.mean)]
                {
                    writeln!(out, "  {label:<5} {value}").map_err(io)?;
                }
                let peak = mc.histogram.iter().map(|b| b.count).max().unwrap_or(1).max(1);
                for b in &mc.histogram {
                    let width = (b.count as usize * 40).div_ceil(peak as usize);
                    writeln!(out, "  {} {:<40} {}", &b.from[..16.min(b.from.len())], "█".repeat(width), b.count)
                        .map_err(io)?;
                }
            }
        }
    }
    out.flush().map_err(io)
}

/// A date to the minute (a date outside the calendar's range reads
/// "invalid" and stays whole).
fn short(date: &str) -> &str {
    date.get(..16).unwrap_or(date)
}

/// The report as JSON, exactly as `serde_json::to_writer` writes it, with
/// the task rows (nearly all of a large plan's output) serialized in
/// pieces on all cores.
fn write_json(out: &mut impl std::io::Write, report: &Report) -> Result<(), serde_json::Error> {
    use rayon::prelude::*;
    const ROWS: usize = 16_384;
    let pieces: Vec<Vec<u8>> = report.tasks.par_chunks(ROWS).map(serde_json::to_vec).collect::<Result<_, _>>()?;
    let io = serde_json::Error::io;
    out.write_all(b"{\"project\":").map_err(io)?;
    serde_json::to_writer(&mut *out, &report.project)?;
    out.write_all(b",\"tasks\":[").map_err(io)?;
    for (k, piece) in pieces.iter().enumerate() {
        // Each piece is a JSON array: its rows without the brackets.
        let rows = piece.get(1..piece.len().saturating_sub(1)).unwrap_or_default();
        if k > 0 && !rows.is_empty() {
            out.write_all(b",").map_err(io)?;
        }
        out.write_all(rows).map_err(io)?;
    }
    out.write_all(b"]").map_err(io)?;
    if let Some(mc) = &report.monte_carlo {
        out.write_all(b",\"monte_carlo\":").map_err(io)?;
        serde_json::to_writer(&mut *out, mc)?;
    }
    if let Some(l) = &report.leveling {
        out.write_all(b",\"leveling\":").map_err(io)?;
        serde_json::to_writer(&mut *out, l)?;
    }
    out.write_all(b"}").map_err(io)
}

/// Today at 08:00 local time: where MS Project starts a plan that names no
/// start date.
pub fn today_at_eight() -> tandem_sched::Minute {
    // The command line is the edge: a file with no start begins today.
    #[allow(clippy::disallowed_methods)]
    let today = jiff::Zoned::now().date();
    tandem_sched::time::from_datetime(today.at(8, 0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_formats::mspdi::{LevelingReport, MovedTask, ProjectDates, Stamp, TaskRow};

    #[test]
    #[allow(clippy::unwrap_used)]
    fn the_json_written_in_pieces_is_serde_jsons() {
        let row = |i: i64| TaskRow {
            uid: i,
            id: i,
            name: format!("Task \"{i}\" – é\n"),
            summary: i % 50 == 0,
            milestone: i % 7 == 0,
            start: Stamp(i * 60),
            finish: Stamp(i * 60 + 480),
            early_start: Stamp(i),
            early_finish: Stamp(i + 1),
            late_start: Stamp(i + 2),
            late_finish: Stamp(i + 3),
            total_slack_minutes: -i,
            free_slack_minutes: i,
            critical: i % 3 == 0,
        };
        for (n, levelled) in [(0, false), (1, true), (16_384, false), (40_000, true)] {
            let report = Report {
                project: ProjectDates { start: "2026-03-02T08:00:00".into(), finish: "2026-03-09T17:00:00".into() },
                tasks: (0..n).map(row).collect(),
                monte_carlo: None,
                leveling: levelled.then(|| LevelingReport {
                    finish_before: "a".into(),
                    finish_after: "b".into(),
                    moved: vec![MovedTask { uid: 1, delay_minutes: 480 }],
                    unresolved: vec![2],
                }),
            };
            let mut ours = Vec::new();
            write_json(&mut ours, &report).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&report).unwrap(), "{n} rows");
        }
    }
}
