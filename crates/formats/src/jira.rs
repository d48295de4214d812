//! Jira's CSV export (Issues → Export → CSV): a header row with Jira's
//! column names, then one issue a row. Columns Jira repeats (one per issue
//! link, sprint or label) are read as lists. Only `Issue key` and `Summary`
//! are required; every other column is read when present.

use std::collections::HashMap;

/// Bounds on what one file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_issues: usize,
    pub max_columns: usize,
    pub max_field_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_issues: 20_000, max_columns: 2_000, max_field_bytes: 1024 * 1024 }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("the file has no `{0}` column: is it a Jira CSV export?")]
    MissingColumn(&'static str),
    #[error("more than {limit} {what}")]
    TooMany { what: &'static str, limit: usize },
    #[error("line {line}, column `{column}`: {message}")]
    Value { line: u64, column: &'static str, message: String },
}

/// Where an issue's work stands, from its status category (or, without
/// one, its status name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    ToDo,
    InProgress,
    Done,
}

/// One issue as the export gives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Issue {
    pub key: String,
    /// Jira's numeric id, which `Parent id` columns refer to.
    pub id: Option<String>,
    pub summary: String,
    pub issue_type: String,
    pub status: String,
    pub progress: Option<Progress>,
    pub priority: Option<String>,
    /// The parent's id or key (sub-tasks, and issues under an epic).
    pub parent: Option<String>,
    pub assignee: Option<String>,
    pub original_estimate_seconds: Option<i64>,
    pub remaining_estimate_seconds: Option<i64>,
    pub time_spent_seconds: Option<i64>,
    pub story_points: Option<f64>,
    pub due: Option<jiff::civil::Date>,
    /// Keys of the issues this one blocks ("Outward issue link (Blocks)").
    pub blocks: Vec<String>,
    /// Keys of the issues that block this one ("Inward issue link (Blocks)").
    pub blocked_by: Vec<String>,
    /// Jira's custom fields ("Custom field (Team)") other than story
    /// points, by name, with their non-empty values (a repeated column
    /// gives several), in the file's column order.
    pub custom: Vec<(String, Vec<String>)>,
}

/// Reads a Jira CSV export.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Issue>, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = r.byte_records();
    let csv_err = |e: csv::Error| Error::Csv {
        line: e.position().map_or(0, csv::Position::line),
        message: match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
            _ => e.to_string(),
        },
    };
    let header = match records.next() {
        Some(h) => h.map_err(csv_err)?,
        None => return Err(Error::MissingColumn("Issue key")),
    };
    if header.len() > limits.max_columns {
        return Err(Error::TooMany { what: "columns", limit: limits.max_columns });
    }
    let names: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).trim().to_owned()).collect();
    let mut columns: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        columns.entry(n.as_str()).or_default().push(i);
    }
    let first =
        |alternatives: &[&str]| alternatives.iter().find_map(|a| columns.get(a).and_then(|v| v.first().copied()));
    let all = |name: &str| columns.get(name).cloned().unwrap_or_default();
    let key_col = first(&["Issue key"]).ok_or(Error::MissingColumn("Issue key"))?;
    let summary_col = first(&["Summary"]).ok_or(Error::MissingColumn("Summary"))?;
    let id_col = first(&["Issue id"]);
    let type_col = first(&["Issue Type"]);
    let status_col = first(&["Status"]);
    let category_col = first(&["Status Category"]);
    let priority_col = first(&["Priority"]);
    let parent_col = first(&["Parent id", "Parent", "Parent key"]);
    let assignee_col = first(&["Assignee"]);
    let original_col = first(&["Original Estimate", "Original estimate"]);
    let remaining_col = first(&["Remaining Estimate", "Remaining estimate"]);
    let spent_col = first(&["Time Spent", "Time spent"]);
    let points_col =
        first(&["Custom field (Story Points)", "Custom field (Story point estimate)", "Story Points", "Story points"]);
    let due_col = first(&["Due Date", "Due date"]);
    // Custom columns by name, each with its columns (a multi-value field
    // repeats its column); story points have a place of their own.
    let mut custom_cols: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let Some(name) = n.strip_prefix("Custom field (").and_then(|r| r.strip_suffix(')')) else { continue };
        if Some(i) == points_col || name.trim().is_empty() {
            continue;
        }
        match custom_cols.iter_mut().find(|(x, _)| *x == name) {
            Some((_, cols)) => cols.push(i),
            None => custom_cols.push((name, vec![i])),
        }
    }
    let outward = all("Outward issue link (Blocks)");
    let inward = all("Inward issue link (Blocks)");

    let mut issues = Vec::new();
    for rec in records {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if issues.len() == limits.max_issues {
            return Err(Error::TooMany { what: "issues", limit: limits.max_issues });
        }
        let text = |col: Option<usize>, name: &'static str| -> Result<Option<String>, Error> {
            let Some(raw) = col.and_then(|c| rec.get(c)) else { return Ok(None) };
            if raw.len() > limits.max_field_bytes {
                return Err(Error::Value {
                    line,
                    column: name,
                    message: format!("longer than {} bytes", limits.max_field_bytes),
                });
            }
            let s = std::str::from_utf8(raw)
                .map_err(|_| Error::Value { line, column: name, message: "not UTF-8".into() })?
                .trim();
            Ok((!s.is_empty()).then(|| s.to_owned()))
        };
        let key = text(Some(key_col), "Issue key")?.ok_or_else(|| Error::Value {
            line,
            column: "Issue key",
            message: "is empty".into(),
        })?;
        let summary = text(Some(summary_col), "Summary")?.unwrap_or_else(|| key.clone());
        let seconds = |v: Option<String>, column: &'static str| -> Result<Option<i64>, Error> {
            v.map(|s| {
                s.parse::<i64>().ok().filter(|n| (0..=100 * 365 * 24 * 3600).contains(n)).ok_or(Error::Value {
                    line,
                    column,
                    message: format!("`{s}` is not a number of seconds"),
                })
            })
            .transpose()
        };
        let status = text(status_col, "Status")?.unwrap_or_default();
        let category = text(category_col, "Status Category")?;
        let links = |cols: &[usize]| -> Vec<String> {
            cols.iter()
                .filter_map(|&c| rec.get(c))
                .filter_map(|f| std::str::from_utf8(f).ok())
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.len() <= 255)
                .map(str::to_owned)
                .collect()
        };
        let points = text(points_col, "Story Points")?
            .map(|s| {
                s.parse::<f64>().ok().filter(|p| p.is_finite() && (0.0..=10_000.0).contains(p)).ok_or(Error::Value {
                    line,
                    column: "Story Points",
                    message: format!("`{s}` is not a number of points"),
                })
            })
            .transpose()?;
        let mut custom = Vec::new();
        for (name, cols) in &custom_cols {
            let mut values = Vec::new();
            for &c in cols {
                if let Some(v) = text(Some(c), "Custom field")? {
                    values.push(v);
                }
            }
            if !values.is_empty() {
                custom.push(((*name).to_owned(), values));
            }
        }
        issues.push(Issue {
            custom,
            id: text(id_col, "Issue id")?,
            issue_type: text(type_col, "Issue Type")?.unwrap_or_default(),
            progress: progress(category.as_deref(), &status),
            status,
            priority: text(priority_col, "Priority")?,
            parent: text(parent_col, "Parent id")?,
            assignee: text(assignee_col, "Assignee")?,
            original_estimate_seconds: seconds(text(original_col, "Original Estimate")?, "Original Estimate")?,
            remaining_estimate_seconds: seconds(text(remaining_col, "Remaining Estimate")?, "Remaining Estimate")?,
            time_spent_seconds: seconds(text(spent_col, "Time Spent")?, "Time Spent")?,
            story_points: points,
            due: text(due_col, "Due Date")?.and_then(|s| date(&s)),
            blocks: links(&outward),
            blocked_by: links(&inward),
            key,
            summary,
        });
    }
    Ok(issues)
}

fn progress(category: Option<&str>, status: &str) -> Option<Progress> {
    let word = category.unwrap_or(status).to_ascii_lowercase();
    match word.as_str() {
        "done" | "closed" | "resolved" | "complete" | "completed" => Some(Progress::Done),
        "in progress" | "in review" | "review" => Some(Progress::InProgress),
        "to do" | "todo" | "open" | "backlog" | "new" | "selected for development" => Some(Progress::ToDo),
        _ => None,
    }
}

/// A due date in one of the forms Jira writes: `2027-01-12`, `2027-01-12
/// 17:00`, `12/Jan/27`, `12/Jan/27 5:00 PM`. Other forms are left out.
fn date(s: &str) -> Option<jiff::civil::Date> {
    let day = s.split_whitespace().next()?;
    if let Ok(d) = day.parse::<jiff::civil::Date>() {
        return Some(d);
    }
    let mut parts = day.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let month = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m))? as i8 + 1;
    let year: i16 = match y.len() {
        2 => 2000 + y.parse::<i16>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    jiff::civil::Date::new(year, month, d.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "\u{feff}Summary,Issue key,Issue id,Issue Type,Status,Status Category,Priority,Parent id,Assignee,Original Estimate,Remaining Estimate,Time Spent,Custom field (Story Points),Due Date,Outward issue link (Blocks),Outward issue link (Blocks),Inward issue link (Blocks)\n\
        Checkout,SHOP-1,10001,Epic,In Progress,In Progress,High,,,,,,,,,,\n\
        \"Pay, with \"\"cards\"\"\",SHOP-2,10002,Story,Done,Done,Medium,10001,Ada Lovelace,57600,0,57600,5,12/Jan/27 5:00 PM,SHOP-3,SHOP-4,\n\
        Receipts,SHOP-3,10003,Story,To Do,To Do,Low,10001,,28800,28800,,3,2027-01-20,,,SHOP-2\n\
        Refunds,SHOP-4,10004,Task,Backlog,,,,,,,,,,,,\n";

    #[test]
    fn an_export_reads_with_its_links_estimates_and_parents() {
        let issues = read(EXPORT.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(issues.len(), 4);
        let pay = &issues[1];
        assert_eq!(pay.summary, "Pay, with \"cards\"");
        assert_eq!(pay.parent.as_deref(), Some("10001"));
        assert_eq!(pay.progress, Some(Progress::Done));
        assert_eq!((pay.original_estimate_seconds, pay.story_points), (Some(57600), Some(5.0)));
        assert_eq!(pay.due, Some(jiff::civil::date(2027, 1, 12)));
        assert_eq!(pay.blocks, ["SHOP-3", "SHOP-4"]);
        assert_eq!(issues[2].blocked_by, ["SHOP-2"]);
        assert_eq!(issues[2].due, Some(jiff::civil::date(2027, 1, 20)));
        assert_eq!(issues[3].progress, Some(Progress::ToDo));
    }

    #[test]
    fn bad_files_say_what_and_where() {
        let l = Limits::default();
        assert_eq!(read(b"", &l), Err(Error::MissingColumn("Issue key")));
        assert_eq!(read(b"Name,Owner\nx,y\n", &l), Err(Error::MissingColumn("Issue key")));
        let e = read(b"Summary,Issue key,Original Estimate\nA,K-1,soon\n", &l).unwrap_err();
        assert_eq!(e.to_string(), "line 2, column `Original Estimate`: `soon` is not a number of seconds");
        let e = read(b"Summary,Issue key\nA,\n", &l).unwrap_err();
        assert!(e.to_string().contains("Issue key"), "{e}");
        let e = read(b"Summary,Issue key\n\xff\xfe,K-1\n", &l).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let small = Limits { max_issues: 1, ..l };
        assert_eq!(
            read(b"Summary,Issue key\nA,K-1\nB,K-2\n", &small),
            Err(Error::TooMany { what: "issues", limit: 1 })
        );
        let narrow = Limits { max_columns: 1, ..l };
        assert_eq!(read(b"Summary,Issue key\n", &narrow), Err(Error::TooMany { what: "columns", limit: 1 }));
    }
}
