//! `tandem backup` and `tandem restore`, with a progress bar per table on
//! a terminal.

use std::io::{BufReader, BufWriter, IsTerminal};

use tandem_store::Store;
use tandem_store::backup::{Counts, TABLES};

fn bar(verb: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(TABLES.len() as u64);
    let template = format!("{verb} {{bar:30}} {{pos}}/{{len}} tables {{msg}}");
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template).unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Writes the backup next to FILE and moves it into place when complete,
/// so a failed backup never leaves a truncated file under FILE's name.
pub async fn backup(store: &Store, file: &str) -> Result<Counts, String> {
    let partial = format!("{file}.partial");
    let out = std::fs::File::create(&partial).map_err(|e| format!("cannot write {partial}: {e}"))?;
    let mut out = BufWriter::new(out);
    let bar = bar("backing up");
    let done = store
        .backup(&mut out, |table, rows| {
            bar.set_message(format!("{table}: {rows} rows"));
            bar.inc(1);
        })
        .await;
    bar.finish_and_clear();
    drop(out);
    match done {
        Ok(c) => {
            std::fs::rename(&partial, file).map_err(|e| format!("cannot write {file}: {e}"))?;
            Ok(c)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(format!("backup failed: {e}"))
        }
    }
}

pub async fn restore(store: &Store, file: &str) -> Result<Counts, String> {
    let input = std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let bar = bar("restoring");
    let done = store
        .restore(BufReader::new(input), |table, rows| {
            bar.set_message(format!("{table}: {rows} rows"));
            bar.inc(1);
        })
        .await;
    bar.finish_and_clear();
    done.map_err(|e| format!("restore failed, nothing was written: {e}"))
}
