//! CSV downloads. Every cell passes through the one neutralising rule, so
//! a value a user typed never runs as a spreadsheet formula.

use std::collections::HashMap;

use tandem_core::custom::{self, CustomField, CustomValues, FieldType};
use tandem_core::export::csv_cell;
use tandem_core::model::Member;
use tandem_core::product::{Feature, Feedback, Product, Release};

use crate::error::AppError;

/// The most rows one export holds.
pub const MAX_ROWS: usize = 100_000;

/// Writes `header` and `rows` as CSV, every cell neutralised.
fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record(header).map_err(fail)?;
    for row in rows.take(MAX_ROWS) {
        w.write_record(row.iter().map(|c| csv_cell(c).into_owned())).map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))
}

/// The custom fields of one kind of object as the last columns of its
/// export: their names as headers, each object's values as cells (a person
/// by name, options joined with commas).
#[derive(Debug, Clone, Default)]
pub struct CustomColumns {
    fields: Vec<CustomField>,
    people: HashMap<String, String>,
}

impl CustomColumns {
    pub fn new(fields: Vec<CustomField>, members: &[Member]) -> CustomColumns {
        let people = members.iter().map(|m| (m.user_id.to_string(), m.name.clone())).collect();
        CustomColumns { fields, people }
    }

    fn header<'a>(&'a self, fixed: &[&'a str]) -> Vec<&'a str> {
        fixed.iter().copied().chain(self.fields.iter().map(|f| f.name.as_str())).collect()
    }

    fn cells(&self, mut row: Vec<String>, values: &CustomValues) -> Vec<String> {
        row.extend(self.fields.iter().map(|f| match (values.get(&f.key), f.kind) {
            (None, _) => String::new(),
            (Some(v), FieldType::Person) => v.as_str().and_then(|id| self.people.get(id)).cloned().unwrap_or_default(),
            (Some(v), _) => custom::display(v),
        }));
        row
    }
}

/// A file to download: its name, media type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub filename: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

const CSV: &str = "text/csv; charset=utf-8";

fn download(filename: String, body: Vec<u8>) -> Download {
    Download { filename, content_type: CSV, body }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn word<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

pub fn features_csv(
    product: &Product,
    features: &[Feature],
    releases: &[Release],
    custom: &CustomColumns,
) -> Result<Download, AppError> {
    let header = [
        "key",
        "title",
        "status",
        "lane",
        "release",
        "moscow",
        "kano",
        "rice",
        "ice",
        "wsjf",
        "value_effort",
        "demand",
        "feedback_count",
        "rejection_reason",
        "created_at",
    ];
    let release_name = |f: &Feature| {
        f.release_id.and_then(|r| releases.iter().find(|x| x.id == r)).map(|r| r.name.clone()).unwrap_or_default()
    };
    let rows = features.iter().map(|f| {
        let row = vec![
            f.key.clone(),
            f.title.clone(),
            f.status.to_string(),
            word(f.lane),
            release_name(f),
            word(f.inputs.moscow),
            word(f.inputs.kano),
            num(f.scores.rice),
            num(f.scores.ice),
            num(f.scores.wsjf),
            num(f.scores.value_effort),
            f.scores.demand.to_string(),
            f.feedback_count.to_string(),
            f.rejection_reason.clone().unwrap_or_default(),
            f.created_at.rfc3339(),
        ];
        custom.cells(row, &f.custom_fields)
    });
    Ok(download(format!("{}-features.csv", product.key), csv_bytes(&custom.header(&header), rows)?))
}

pub fn feedback_csv(product: &Product, feedback: &[Feedback], custom: &CustomColumns) -> Result<Download, AppError> {
    let header =
        ["id", "created_at", "source", "customer", "segment", "customer_value_minor", "status", "features", "text"];
    let rows = feedback.iter().map(|f| {
        let features: Vec<String> =
            f.links.iter().map(|l| format!("{} ({})", l.feature_key, l.importance.get())).collect();
        let row = vec![
            f.id.to_string(),
            f.created_at.rfc3339(),
            f.source.to_string(),
            f.customer.clone().unwrap_or_default(),
            f.segment.clone().unwrap_or_default(),
            f.customer_value_minor.map(|v| v.to_string()).unwrap_or_default(),
            f.status.to_string(),
            features.join("; "),
            f.text.clone(),
        ];
        custom.cells(row, &f.custom_fields)
    });
    Ok(download(format!("{}-feedback.csv", product.key), csv_bytes(&custom.header(&header), rows)?))
}

/// A project's time entries: one row each, hours and cost.
pub fn time_entries_csv(
    project: &tandem_core::project::Project,
    entries: &[tandem_core::tracking::TimeEntry],
    emails: &std::collections::HashMap<tandem_core::Id, String>,
) -> Result<Download, AppError> {
    let header = ["date", "task", "person", "minutes", "hours", "cost_minor", "currency", "note"];
    let rows = entries.iter().map(|e| {
        vec![
            e.date.to_string(),
            e.task_key.clone(),
            emails.get(&e.user_id).cloned().unwrap_or_default(),
            e.minutes.to_string(),
            format!("{:.2}", e.minutes as f64 / 60.0),
            e.cost_minor.to_string(),
            project.currency.clone(),
            e.note.clone(),
        ]
    });
    Ok(download(format!("{}-time.csv", project.key), csv_bytes(&header, rows)?))
}

/// A project's tasks in WBS order with their schedule and cost.
pub fn tasks_csv(
    tasks: &[tandem_core::project::Task],
    view: &crate::plan::ScheduleView,
    costs: &[i64],
    custom: &CustomColumns,
) -> Result<Vec<u8>, AppError> {
    let header = [
        "key",
        "wbs",
        "name",
        "kind",
        "status",
        "duration_days",
        "percent_complete",
        "start",
        "finish",
        "total_slack_minutes",
        "critical",
        "story_points",
        "cost_minor",
    ];
    let rows = tasks.iter().zip(&view.tasks).zip(costs).map(|((t, s), c)| {
        let row = vec![
            t.key.clone(),
            t.wbs.clone(),
            t.name.clone(),
            t.kind.to_string(),
            t.status.to_string(),
            format!("{:.2}", t.duration_minutes as f64 / 480.0),
            t.percent_complete.to_string(),
            s.start.to_string(),
            s.finish.to_string(),
            s.total_slack_minutes.to_string(),
            s.critical.to_string(),
            num(t.story_points),
            c.to_string(),
        ];
        custom.cells(row, &t.custom_fields)
    });
    csv_bytes(&custom.header(&header), rows)
}

/// A time report: one row per person, task or project, with hours and cost.
/// Cost is in each project's currency; a workspace report may mix them.
pub fn time_report_csv(key: &str, r: &crate::ops::delivery::TimeReport) -> Result<Download, AppError> {
    let header = [r.group.as_str(), "minutes", "hours", "cost_minor", "entries"];
    let rows = r.rows.iter().map(|x| {
        vec![
            x.label.clone(),
            x.minutes.to_string(),
            format!("{:.2}", x.minutes as f64 / 60.0),
            x.cost_minor.to_string(),
            x.entries.to_string(),
        ]
    });
    Ok(download(format!("{key}-time-by-{}.csv", r.group), csv_bytes(&header, rows)?))
}

/// The decision log as CSV.
pub fn decisions_csv(items: &[tandem_core::change::DecisionEntry]) -> Result<Download, AppError> {
    let header = ["at", "kind", "subject_type", "subject_id", "user_id", "role", "outcome", "rationale"];
    let rows = items.iter().map(|d| {
        vec![
            d.at.rfc3339(),
            d.kind.clone(),
            d.subject_type.clone(),
            d.subject_id.to_string(),
            d.user_id.map(|u| u.to_string()).unwrap_or_default(),
            d.role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            d.outcome.clone(),
            d.rationale.clone(),
        ]
    });
    Ok(download("decisions.csv".to_owned(), csv_bytes(&header, rows)?))
}

/// A baseline's variance as CSV: one row per task, dates as stored
/// (ISO 8601), variances in working minutes and minor units.
pub fn variance_csv(key: &str, v: &crate::measure::BaselineView) -> Result<Download, AppError> {
    let header = [
        "key",
        "name",
        "baseline_start",
        "baseline_finish",
        "start",
        "finish",
        "start_variance_minutes",
        "finish_variance_minutes",
        "duration_variance_minutes",
        "cost_variance_minor",
    ];
    let opt = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    let rows = v.tasks.iter().map(|t| {
        vec![
            t.key.clone(),
            t.name.clone(),
            word(t.baseline_start),
            word(t.baseline_finish),
            t.start.to_string(),
            t.finish.to_string(),
            opt(t.start_variance_minutes),
            opt(t.finish_variance_minutes),
            opt(t.duration_variance_minutes),
            opt(t.cost_variance_minor),
        ]
    });
    Ok(download(format!("{key}-baseline-{}-variance.csv", v.number), csv_bytes(&header, rows)?))
}

/// Release notes as a Markdown file.
pub fn release_notes_md(release: &str, markdown: &str) -> Download {
    let safe: String =
        release.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' }).collect();
    Download {
        filename: format!("release-notes-{safe}.md"),
        content_type: "text/markdown; charset=utf-8",
        body: markdown.as_bytes().to_vec(),
    }
}
