//! `tandem schedule FILE`: read an MSPDI file, schedule it, print the
//! result as a table or as the JSON of the CLI contract.

use std::io::Read;

use tandem_formats::mspdi::Report;

/// The largest file `tandem schedule` reads.
const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Reads a file with a size limit; errors are one line.
pub fn read_file(path: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{path}: larger than {MAX_FILE_BYTES} bytes"));
    }
    Ok(bytes)
}

pub fn print(report: &Report, format: Format) -> Result<(), String> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| format!("cannot write: {e}");
    match format {
        Format::Json => {
            serde_json::to_writer(&mut out, report).map_err(|e| e.to_string())?;
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
                    &t.start[..16.min(t.start.len())],
                    &t.finish[..16.min(t.finish.len())],
                    t.total_slack_minutes as f64 / 480.0,
                    t.free_slack_minutes as f64 / 480.0,
                    if t.critical { "yes" } else { "" }
                )
                .map_err(io)?;
            }
        }
    }
    out.flush().map_err(io)
}

/// Today at 08:00 local time: where MS Project starts a plan that names no
/// start date.
pub fn today_at_eight() -> tandem_sched::Minute {
    let today = jiff::Zoned::now().date();
    tandem_sched::time::from_datetime(today.at(8, 0, 0, 0))
}
