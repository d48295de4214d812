//! Jira's CSV export (Issues → Export → CSV): a header row with Jira's
//! column names, then one issue a row. Columns Jira repeats (one per issue
//! link, sprint or label) are read as lists. Only `Issue key` and `Summary`
//! are required; every other column is read when present.

use std::collections::HashMap;

use crate::text::{Gathered, MAX_COLUMNS, MAX_TEXT_CHARS, Problem, Refusal, name_problem, text_problem};

/// Bounds on what one file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_issues: usize,
    pub max_columns: usize,
    pub max_field_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Any field, in bytes: a long text of 64 Ki characters fits.
        Limits { max_issues: 20_000, max_columns: MAX_COLUMNS, max_field_bytes: 4 * MAX_TEXT_CHARS }
    }
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
    /// The line the issue's row starts on.
    pub line: u64,
    pub key: String,
    /// Jira's numeric id, which `Parent id` columns refer to.
    pub id: Option<String>,
    pub summary: String,
    /// The issue's description, as Jira keeps it (wiki or Markdown text).
    pub description: Option<String>,
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
    /// Story points the file gives that are no number of points (negative,
    /// over 10,000, words), as written: left out and told.
    pub unread_points: Option<String>,
    pub due: Option<jiff::civil::Date>,
    /// A due date in a form not read (another language's month names), as
    /// written: left out and told.
    pub unread_due: Option<String>,
    /// Keys of the issues this one blocks ("Outward issue link (Blocks)").
    pub blocks: Vec<String>,
    /// Keys of the issues that block this one ("Inward issue link (Blocks)").
    pub blocked_by: Vec<String>,
    /// Jira's custom fields ("Custom field (Team)") other than story
    /// points, by name, with their non-empty values (a repeated column
    /// gives several), in the file's column order.
    pub custom: Vec<(String, Vec<String>)>,
}

/// The columns read, by their place in the header.
struct Columns<'h> {
    names: Vec<&'h str>,
    key: usize,
    summary: usize,
    description: Option<usize>,
    id: Option<usize>,
    issue_type: Option<usize>,
    status: Option<usize>,
    category: Option<usize>,
    priority: Option<usize>,
    parent: Option<usize>,
    assignee: Option<usize>,
    original: Option<usize>,
    remaining: Option<usize>,
    spent: Option<usize>,
    points: Option<usize>,
    due: Option<usize>,
    custom: Vec<(&'h str, Vec<usize>)>,
    outward: Vec<usize>,
    inward: Vec<usize>,
}

impl<'h> Columns<'h> {
    fn of(names: Vec<&'h str>) -> Result<Columns<'h>, Refusal> {
        let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            at.entry(n).or_default().push(i);
        }
        let first =
            |alternatives: &[&str]| alternatives.iter().find_map(|a| at.get(a).and_then(|v| v.first().copied()));
        let all = |name: &str| at.get(name).cloned().unwrap_or_default();
        let semicolons = names.len() == 1 && names.first().is_some_and(|n| n.contains(';'));
        let missing = |name: &str| {
            let what = if semicolons {
                "the header is one column holding semicolons: the file was saved with `;` between fields; save it \
                 as CSV with commas (or export it from Jira again)"
                    .to_owned()
            } else {
                format!(
                    "the header has no `{name}` column: export the issues from Jira with Export → CSV (all fields), \
                     or name the column `{name}`"
                )
            };
            Refusal::one(Problem::line(1, None, what))
        };
        let points = first(&[
            "Custom field (Story Points)",
            "Custom field (Story point estimate)",
            "Story Points",
            "Story points",
        ]);
        // Custom columns by name, each with its columns (a multi-value
        // field repeats its column); story points have a place of their own.
        let mut custom: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let Some(name) = n.strip_prefix("Custom field (").and_then(|r| r.strip_suffix(')')) else { continue };
            if Some(i) == points || name.trim().is_empty() {
                continue;
            }
            match custom.iter_mut().find(|(x, _)| *x == name) {
                Some((_, cols)) => cols.push(i),
                None => custom.push((name, vec![i])),
            }
        }
        Ok(Columns {
            key: first(&["Issue key"]).ok_or_else(|| missing("Issue key"))?,
            summary: first(&["Summary"]).ok_or_else(|| missing("Summary"))?,
            description: first(&["Description"]),
            id: first(&["Issue id"]),
            issue_type: first(&["Issue Type"]),
            status: first(&["Status"]),
            category: first(&["Status Category"]),
            priority: first(&["Priority"]),
            parent: first(&["Parent id", "Parent", "Parent key"]),
            assignee: first(&["Assignee"]),
            original: first(&["Original Estimate", "Original estimate"]),
            remaining: first(&["Remaining Estimate", "Remaining estimate"]),
            spent: first(&["Time Spent", "Time spent"]),
            points,
            due: first(&["Due Date", "Due date"]),
            custom,
            outward: all("Outward issue link (Blocks)"),
            inward: all("Inward issue link (Blocks)"),
            names,
        })
    }

    /// What column `c` becomes in a plan, if it is read.
    fn role(&self, c: usize) -> Option<&'static str> {
        let roles = [
            (Some(self.key), "Task key (used by parents and links)"),
            (Some(self.summary), "Task name"),
            (self.description, "Task notes"),
            (self.id, "Issue id (used by parents)"),
            (self.parent, "Parent task"),
            (self.status, "Status and progress"),
            (self.category, "Status and progress"),
            (self.priority, "Levelling priority"),
            (self.assignee, "Resource assigned"),
            (self.original, "Duration"),
            (self.remaining, "Percent complete"),
            (self.spent, "Percent complete"),
            (self.points, "Story points"),
            (self.due, "Deadline"),
        ];
        if let Some((_, role)) = roles.iter().find(|(at, _)| *at == Some(c)) {
            return Some(role);
        }
        if self.outward.contains(&c) || self.inward.contains(&c) {
            return Some("Dependency (finish-to-start)");
        }
        self.custom.iter().any(|(_, cs)| cs.contains(&c)).then_some("Custom field")
    }

    /// Whether column `c` holds a name-like value (at most 255
    /// characters) rather than long text.
    fn is_short(&self, c: usize) -> bool {
        c == self.key
            || c == self.summary
            || [self.id, self.issue_type, self.status, self.category, self.priority, self.parent, self.assignee]
                .contains(&Some(c))
            || [self.original, self.remaining, self.spent, self.points, self.due].contains(&Some(c))
            || self.outward.contains(&c)
            || self.inward.contains(&c)
    }
}

/// The header's columns and what each becomes (`None`: not read), for a
/// preview; a file without the required columns is refused as by [`read`].
pub fn column_uses(text: &str) -> Result<Vec<(String, Option<&'static str>)>, Refusal> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let header = match r.records().next() {
        Some(Ok(h)) => h,
        _ => return Err(Refusal::file("the file has no header row")),
    };
    let names: Vec<&str> = header.iter().map(str::trim).take(MAX_COLUMNS).collect();
    let cols = Columns::of(names.clone())?;
    Ok(names.iter().enumerate().map(|(c, n)| ((*n).to_owned(), cols.role(c))).collect())
}

/// The line a quoted field opened on, when it never closes (it would
/// swallow the rest of the file into one field).
fn unclosed_quote(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let (mut line, mut opened, mut quoted, mut field_start) = (1u64, 0u64, false, true);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && field_start {
            quoted = true;
            opened = line;
        }
        field_start = matches!(b, b',' | b'\n' | b'\r');
        if b == b'\n' {
            line += 1;
        }
        i += 1;
    }
    quoted.then_some(opened)
}

/// The line a record starts on, from its byte offset. (The csv crate's
/// own line count runs one short after a CRLF line end.) Offsets only
/// grow, so the text is counted once.
struct Lines<'t> {
    text: &'t [u8],
    at: usize,
    line: u64,
}

impl Lines<'_> {
    fn of(&mut self, pos: Option<&csv::Position>) -> u64 {
        let Some(byte) = pos.and_then(|p| usize::try_from(p.byte()).ok()) else { return self.line };
        // A record's offset may sit on the line end before it.
        let mut start = byte;
        while matches!(self.text.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        if start > self.at {
            let ends = self.text.get(self.at..start).unwrap_or_default().iter().filter(|&&b| b == b'\n').count();
            self.line += ends as u64;
            self.at = start;
        }
        self.line
    }
}

/// Reads a Jira CSV export, already text (see [`crate::text::decode`]).
/// Every row must have the header's fields; what a row cannot hold (a
/// NUL, an over-long value, a bad number) is gathered row by row, so one
/// refusal names every row to fix.
pub fn read(text: &str, limits: &Limits) -> Result<Vec<Issue>, Refusal> {
    if let Some(line) = unclosed_quote(text) {
        return Err(Refusal::one(Problem::line(
            line,
            None,
            "a quoted field opens here and never closes, so it would swallow the rest of the file: close the quote \
             (a quote inside a field is written twice, \"\")",
        )));
    }
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = r.records();
    let mut lines = Lines { text: text.as_bytes(), at: 0, line: 1 };
    let csv_problem = |e: csv::Error, line: u64| {
        Refusal::one(Problem::line(line, None, format!("cannot be read as CSV ({e}): export the file again")))
    };
    let header = match records.next() {
        Some(h) => h.map_err(|e| csv_problem(e, 1))?,
        None => return Err(Refusal::file("the file is empty: export the issues from Jira with Export → CSV")),
    };
    if header.len() > limits.max_columns {
        return Err(Refusal::one(Problem::line(
            1,
            None,
            format!(
                "the header has {} columns where an export has at most {}: is this a Jira export? Export only the \
                 fields you need",
                header.len(),
                limits.max_columns
            ),
        )));
    }
    let mut problems = Gathered::default();
    for (i, name) in header.iter().enumerate() {
        if let Some(p) = name_problem(name) {
            problems.push(Problem::line(1, None, format!("the name of column {}: {p}", i + 1)));
        }
    }
    if !problems.is_empty() {
        return problems.or(Vec::new());
    }
    let cols = Columns::of(header.iter().map(str::trim).collect())?;
    let width = header.len();
    // Which columns hold names (at most 255 characters), decided once.
    let short: Vec<bool> = (0..width).map(|c| cols.is_short(c)).collect();

    let mut issues = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = lines.of(e.position());
            csv_problem(e, line)
        })?;
        let line = lines.of(rec.position());
        // A line with nothing on it is no row.
        if rec.len() == 1 && rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if issues.len() == limits.max_issues {
            return Err(Refusal::one(Problem::line(
                line,
                None,
                format!("the file has more than {} issues: split it and import each part", limits.max_issues),
            )));
        }
        if rec.len() != width {
            problems.push(Problem::line(
                line,
                None,
                format!(
                    "the row has {} fields where the header has {width}: check its quotes and commas (a comma \
                     inside a value needs the value in quotes) and export it again",
                    rec.len()
                ),
            ));
            continue;
        }
        let mut bad = false;
        for (c, field) in rec.iter().enumerate() {
            let p =
                if short.get(c).copied().unwrap_or(false) { name_problem(field.trim()) } else { text_problem(field) };
            let p = p.or_else(|| {
                (field.len() > limits.max_field_bytes).then(|| format!("longer than {} bytes", limits.max_field_bytes))
            });
            if let Some(p) = p {
                problems.push(Problem::line(line, cols.names.get(c).copied(), p));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        if let Some(i) = issue(&rec, line, &cols, &mut problems) {
            issues.push(i);
        }
    }
    problems.or(issues)
}

/// One row as an issue; a value it cannot read is gathered (and the row
/// left out).
fn issue(rec: &csv::StringRecord, line: u64, cols: &Columns<'_>, problems: &mut Gathered) -> Option<Issue> {
    let text = |col: Option<usize>| -> Option<String> {
        col.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    };
    let name = |c: usize| cols.names.get(c).copied();
    let mut ok = true;
    let mut refuse = |col: Option<usize>, message: String| {
        problems.push(Problem::line(line, col.and_then(name), message));
        ok = false;
    };
    let Some(key) = text(Some(cols.key)) else {
        refuse(Some(cols.key), "is empty: every issue needs its key (SHOP-12)".into());
        return None;
    };
    let mut seconds = |col: Option<usize>| -> Option<i64> {
        let s = text(col)?;
        let n = s.parse::<i64>().ok().filter(|n| (0..=100 * 365 * 24 * 3600).contains(n));
        if n.is_none() {
            refuse(col, format!("`{s}` is not a number of seconds (Jira exports estimates in seconds)"));
        }
        n
    };
    let original_estimate_seconds = seconds(cols.original);
    let remaining_estimate_seconds = seconds(cols.remaining);
    let time_spent_seconds = seconds(cols.spent);
    let points_text = text(cols.points);
    let story_points = points_text
        .as_deref()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|p| p.is_finite() && (0.0..=10_000.0).contains(p));
    let unread_points = points_text.filter(|_| story_points.is_none());
    if !ok {
        return None;
    }
    let links = |cs: &[usize]| -> Vec<String> { cs.iter().filter_map(|&c| text(Some(c))).collect() };
    let custom = cols
        .custom
        .iter()
        .map(|(n, cs)| ((*n).to_owned(), links(cs)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    let status = text(cols.status).unwrap_or_default();
    let category = text(cols.category);
    let due_text = text(cols.due);
    Some(Issue {
        line,
        summary: text(Some(cols.summary)).unwrap_or_else(|| key.clone()),
        description: cols.description.and_then(|c| rec.get(c)).filter(|d| !d.trim().is_empty()).map(str::to_owned),
        id: text(cols.id),
        issue_type: text(cols.issue_type).unwrap_or_default(),
        progress: progress(category.as_deref(), &status),
        status,
        priority: text(cols.priority),
        parent: text(cols.parent),
        assignee: text(cols.assignee),
        original_estimate_seconds,
        remaining_estimate_seconds,
        time_spent_seconds,
        story_points,
        unread_points,
        due: due_text.as_deref().and_then(date),
        unread_due: due_text.clone().filter(|s| date(s).is_none()),
        blocks: links(&cols.outward),
        blocked_by: links(&cols.inward),
        custom,
        key,
    })
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
    use crate::text::At;

    const EXPORT: &str = "Summary,Issue key,Issue id,Issue Type,Status,Status Category,Priority,Parent id,Assignee,Original Estimate,Remaining Estimate,Time Spent,Custom field (Story Points),Due Date,Outward issue link (Blocks),Outward issue link (Blocks),Inward issue link (Blocks),Description\n\
        Checkout,SHOP-1,10001,Epic,In Progress,In Progress,High,,,,,,,,,,,\n\
        \"Pay, with \"\"cards\"\"\",SHOP-2,10002,Story,Done,Done,Medium,10001,Ada Lovelace,57600,0,57600,5,12/Jan/27 5:00 PM,SHOP-3,SHOP-4,,\"Two\r\nlines\"\n\
        Receipts,SHOP-3,10003,Story,To Do,To Do,Low,10001,,28800,28800,,3,2027-01-20,,,SHOP-2,\n\
        Refunds,SHOP-4,10004,Task,Backlog,,,,,,,,,,,,,\n";

    fn problems(text: &str) -> Vec<(u64, Option<String>, String)> {
        let e = read(text, &Limits::default()).unwrap_err();
        e.problems
            .into_iter()
            .map(|p| match p.at {
                At::Line { line, column } => (line, column, p.message),
                At::File => (0, None, p.message),
                At::Pointer(_) => unreachable!("CSV problems are on lines"),
            })
            .collect()
    }

    #[test]
    fn an_export_reads_with_its_links_estimates_and_parents() {
        let issues = read(EXPORT, &Limits::default()).unwrap();
        assert_eq!(issues.len(), 4);
        let pay = &issues[1];
        assert_eq!((pay.line, pay.summary.as_str()), (3, "Pay, with \"cards\""));
        assert_eq!(pay.description.as_deref(), Some("Two\r\nlines"), "kept byte for byte");
        assert_eq!(pay.parent.as_deref(), Some("10001"));
        assert_eq!(pay.progress, Some(Progress::Done));
        assert_eq!((pay.original_estimate_seconds, pay.story_points), (Some(57600), Some(5.0)));
        assert_eq!(pay.due, Some(jiff::civil::date(2027, 1, 12)));
        assert_eq!(pay.blocks, ["SHOP-3", "SHOP-4"]);
        assert_eq!((issues[2].line, issues[2].blocked_by.as_slice()), (5, ["SHOP-2".to_owned()].as_slice()));
        assert_eq!(issues[2].due, Some(jiff::civil::date(2027, 1, 20)));
        assert_eq!(issues[3].progress, Some(Progress::ToDo));
    }

    #[test]
    fn bad_files_say_what_where_and_what_to_do() {
        assert!(problems("")[0].2.contains("empty"));
        assert!(problems("Name,Owner\nx,y\n")[0].2.contains("no `Issue key` column"));
        let p = problems("Summary,Issue key,Original Estimate\nA,K-1,soon\nB,K-2,60\nC,,\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].0, p[0].1.as_deref()), (2, Some("Original Estimate")));
        assert!(p[0].2.contains("`soon` is not a number of seconds"));
        assert_eq!((p[1].0, p[1].1.as_deref()), (4, Some("Issue key")));
        // Rows narrower or wider than the header are named, all of them.
        let p = problems("Summary,Issue key,Status\nA,K-1\nB,K-2,Done\nC,K-3,Done,extra\n");
        assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), [2, 4]);
        assert!(p[0].2.contains("2 fields where the header has 3"), "{p:?}");
        // NUL anywhere, named by row and column.
        let p = problems("Summary,Issue key,Notes\nA\0,K-1,x\nB,K-2,y\0\n");
        assert_eq!((p[0].0, p[0].1.as_deref()), (2, Some("Summary")));
        assert_eq!((p[1].0, p[1].1.as_deref()), (3, Some("Notes")));
        assert!(p[0].2.contains("NUL"));
        // Too long: names past 255 characters, text past 64 KiB.
        let long = format!("Summary,Issue key,Description\n{},K-1,\nB,K-2,{}\n", "é".repeat(256), "d".repeat(70_000));
        let p = problems(&long);
        assert_eq!((p[0].0, p[0].1.as_deref()), (2, Some("Summary")));
        assert!(p[0].2.contains("256 characters"), "{p:?}");
        assert_eq!((p[1].0, p[1].1.as_deref()), (3, Some("Description")));
        // A quote that never closes.
        let p = problems("Summary,Issue key\nA,K-1\n\"B,K-2\nC,K-3\n");
        assert_eq!(p[0].0, 3);
        assert!(p[0].2.contains("never closes"));
        // Far too wide, at once.
        let wide = format!("Summary,Issue key{}\n", ",x".repeat(2000));
        assert!(problems(&wide)[0].2.contains("2002 columns"));
        let row = format!("Summary,Issue key\nA,K-1{}\n", ",x".repeat(10_000));
        assert!(problems(&row)[0].2.contains("10002 fields"));
        let small = Limits { max_issues: 1, ..Limits::default() };
        let e = read("Summary,Issue key\nA,K-1\nB,K-2\n", &small).unwrap_err();
        assert!(e.to_string().contains("more than 1 issues"), "{e}");
    }

    #[test]
    fn semicolons_and_unread_due_dates_are_told() {
        assert!(problems("Summary;Issue key\nA;K-1\n")[0].2.contains("saved with `;`"));
        let issues = read("Summary,Issue key,Due date\nA,K-1,12/janv./27\n", &Limits::default()).unwrap();
        assert_eq!((issues[0].due, issues[0].unread_due.as_deref()), (None, Some("12/janv./27")));
    }

    #[test]
    fn a_preview_names_what_each_column_becomes() {
        let uses = column_uses(EXPORT).unwrap();
        assert_eq!(uses[0], ("Summary".to_owned(), Some("Task name")));
        assert_eq!(uses[14].1, Some("Dependency (finish-to-start)"));
        let uses = column_uses("Issue key,Summary,Labels,Custom field (Team)\n").unwrap();
        assert_eq!(
            uses.iter().map(|u| u.1).collect::<Vec<_>>(),
            [Some("Task key (used by parents and links)"), Some("Task name"), None, Some("Custom field")]
        );
    }

    #[test]
    fn lines_are_counted_alike_after_lf_crlf_and_quoted_line_ends() {
        let p = problems("Summary,Issue key\r\nA,K-1,x\r\nB,K-2\r\n\r\n\"C\r\nc\",K-3,y\r\nD,K-4,z\n");
        assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), [2, 5, 7]);
    }

    #[test]
    fn blank_lines_and_quoted_fields_are_not_rows() {
        let issues =
            read("Summary,Issue key\n\nA,K-1\n   \n\"B\nwith \"\"quotes\"\"\",K-2", &Limits::default()).unwrap();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[1].summary, "B\nwith \"quotes\"");
    }
}
