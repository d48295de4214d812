//! Import and export of whole plans: MSPDI in and out, tasks as CSV,
//! milestones as iCalendar. Shared by the API and the CLI.

use serde::Serialize;
use tandem_core::Id;
use tandem_core::project::TaskKind;
use utoipa::ToSchema;

use tandem_formats::text::{Encoding, decode};
use tandem_store::tasks::PlanImport;

use crate::App;
use crate::error::AppError;
use crate::interchange::{self, Notes};
use crate::schedules::computed;

/// What an import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub tasks: usize,
    pub dependencies: usize,
    pub calendars: usize,
    pub resources_created: usize,
    pub resources_matched: usize,
    /// Links given twice between the same two tasks (the first is kept).
    pub duplicate_links: usize,
    /// What the file holds that Tandem does not carry over.
    pub notes: Notes,
}

tandem_core::str_enum! {
    /// What `POST /projects/{id}/import` and `tandem import` read.
    pub enum ImportFormat { Mspdi = "mspdi", JiraCsv = "jira-csv", TrelloJson = "trello-json" }
}

impl ImportFormat {
    /// The format a body of this media type is in: CSV is Jira's export,
    /// JSON Trello's, anything else MS Project XML.
    pub fn of_media_type(content_type: Option<&str>) -> ImportFormat {
        let essence = content_type.and_then(|c| c.split(';').next()).map(|c| c.trim().to_ascii_lowercase());
        match essence.as_deref() {
            Some("text/csv") => ImportFormat::JiraCsv,
            Some("application/json") => ImportFormat::TrelloJson,
            _ => ImportFormat::Mspdi,
        }
    }

    /// The format of an uploaded file: by its extension when it has a
    /// known one, else by its first character (`<` XML, `{` or `[` JSON,
    /// anything else CSV).
    pub fn of_upload(name: &str, bytes: &[u8]) -> ImportFormat {
        let lower = name.to_ascii_lowercase();
        if [".csv", ".json", ".xml"].iter().any(|x| lower.ends_with(x)) {
            return ImportFormat::of_file_name(name);
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => ImportFormat::Mspdi,
            Some(b'{' | b'[') => ImportFormat::TrelloJson,
            _ => ImportFormat::JiraCsv,
        }
    }

    /// The format of a file by its extension, as `tandem import` guesses it.
    pub fn of_file_name(name: &str) -> ImportFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            ImportFormat::JiraCsv
        } else if lower.ends_with(".json") {
            ImportFormat::TrelloJson
        } else {
            ImportFormat::Mspdi
        }
    }
}

/// A file to import: its bytes, their format, and the encoding the user
/// says a CSV or JSON file is in (UTF-8 unless named; a byte-order mark
/// decides by itself).
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub format: ImportFormat,
    pub encoding: Encoding,
    pub bytes: &'a [u8],
}

/// The encoding a request names (`?encoding=`), UTF-8 when none.
pub fn encoding(raw: Option<&str>) -> Result<Encoding, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(Encoding::Utf8),
        Some(r) => Encoding::parse(r).ok_or_else(|| {
            AppError::BadOption(format!("encoding must be one of utf-8, windows-1252, utf-16le, utf-16be, not `{r}`"))
        }),
    }
}

/// The file read into a plan for `project`, with what does not carry over.
async fn plan_of(state: &App, project: Id, upload: Upload<'_>) -> Result<(PlanImport, Notes), AppError> {
    let target = || async {
        let p = state.store.project(project).await?;
        let fields = state.store.custom_fields(p.workspace_id, Some(tandem_core::custom::FieldObject::Task)).await?;
        let members = state.store.members(p.workspace_id, None, tandem_store::MAX_PAGE).await?.items;
        Ok::<_, AppError>(interchange::Target {
            project,
            start: p.start,
            calendar: state.store.project_calendar(project).await?,
            fields,
            members,
        })
    };
    Ok(match upload.format {
        // XML names its own encoding.
        ImportFormat::Mspdi => interchange::import(upload.bytes)?,
        ImportFormat::JiraCsv => interchange::jira::import(&decode(upload.bytes, upload.encoding)?, target().await?)?,
        ImportFormat::TrelloJson => {
            interchange::trello::import(&decode(upload.bytes, upload.encoding)?, target().await?)?
        }
    })
}

/// Reads a file into an empty project, in one transaction. A Jira or
/// Trello export keeps the project's start and calendar.
pub async fn import(state: &App, actor: Id, project: Id, upload: Upload<'_>) -> Result<ImportReport, AppError> {
    let (plan, notes) = plan_of(state, project, upload).await?;
    let out = state.store.import_plan(actor, project, &plan, state.clock.now()).await?;
    Ok(ImportReport {
        tasks: out.tasks.len(),
        dependencies: out.dependencies,
        calendars: out.calendars,
        resources_created: out.resources_created,
        resources_matched: out.resources_matched,
        duplicate_links: out.duplicate_links,
        notes,
    })
}

/// What each column of a CSV file becomes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnUse {
    pub column: String,
    /// What it becomes in the plan; absent when it is not read.
    pub becomes: Option<String>,
}

/// A task as the import would store it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewRow {
    /// 1 for the top level.
    pub outline_level: usize,
    pub name: String,
    pub duration_minutes: i64,
    pub status: tandem_core::project::BoardStatus,
    pub percent_complete: i64,
    pub assignees: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub deadline: Option<tandem_core::project::LocalTime>,
}

/// What an import would store, read before anything is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreview {
    pub format: ImportFormat,
    /// The encoding the file was read in.
    pub encoding: String,
    pub tasks: usize,
    pub dependencies: usize,
    /// The people tasks are assigned to, matched by name in the workspace
    /// or created as resources.
    pub resources: Vec<String>,
    /// A CSV file's columns and what each becomes (empty for other
    /// formats).
    pub columns: Vec<ColumnUse>,
    /// The first tasks, in outline order (at most [`PREVIEW_ROWS`]).
    pub rows: Vec<PreviewRow>,
    pub notes: Notes,
}

/// Tasks shown in a preview.
pub const PREVIEW_ROWS: usize = 20;

/// Reads a file as [`import`] would and says what it would store, storing
/// nothing.
pub async fn preview(state: &App, project: Id, upload: Upload<'_>) -> Result<ImportPreview, AppError> {
    // The file's problems first, as an import would find them.
    let (plan, notes) = plan_of(state, project, upload).await?;
    if !state.store.tasks(project).await?.is_empty() {
        return Err(AppError::Conflict("the project already has tasks: import into an empty project".into()));
    }
    let mut levels: Vec<usize> = Vec::with_capacity(plan.tasks.len());
    for t in &plan.tasks {
        let level = t.parent.and_then(|p| levels.get(p).copied()).map_or(1, |l| l + 1);
        levels.push(level);
    }
    let resources: Vec<String> = plan.resources.iter().map(|r| r.name.clone()).collect();
    let rows = plan
        .tasks
        .iter()
        .zip(&levels)
        .take(PREVIEW_ROWS)
        .map(|(t, &outline_level)| PreviewRow {
            outline_level,
            name: t.edit.name.clone(),
            duration_minutes: t.edit.duration_minutes,
            status: t.edit.status,
            percent_complete: t.edit.percent_complete,
            assignees: t.assignments.iter().filter_map(|(r, _)| resources.get(*r).cloned()).collect(),
            deadline: t.edit.deadline,
        })
        .collect();
    let columns = match upload.format {
        ImportFormat::JiraCsv => {
            let text = decode(upload.bytes, upload.encoding)?;
            tandem_formats::jira::column_uses(&text)?
                .into_iter()
                .map(|(column, becomes)| ColumnUse { column, becomes: becomes.map(str::to_owned) })
                .collect()
        }
        _ => Vec::new(),
    };
    let encoding = match upload.format {
        ImportFormat::Mspdi => "as the XML declares".to_owned(),
        _ => tandem_formats::text::decode_as(upload.bytes, upload.encoding)?.1.as_str().to_owned(),
    };
    Ok(ImportPreview {
        format: upload.format,
        encoding,
        tasks: plan.tasks.len(),
        dependencies: plan.links.len(),
        resources,
        columns,
        rows,
        notes,
    })
}

tandem_core::str_enum! {
    /// What `GET /projects/{id}/export` writes.
    pub enum ExportFormat { Mspdi = "mspdi", Csv = "csv", Ics = "ics" }
}

use crate::export::Download;

pub async fn export(state: &App, project: Id, format: ExportFormat) -> Result<Download, AppError> {
    let c = computed(state, project).await?;
    let key = c.plan.project.key.clone();
    match format {
        ExportFormat::Mspdi => {
            let baselines = state.store.baselines(project).await?;
            let cal = crate::plan::calendar(&c.plan.calendar)?;
            let doc = interchange::export(&c.plan, &c.schedule, c.resources(), &baselines, &c.costs, &cal);
            Ok(Download {
                filename: format!("{key}.xml"),
                content_type: "application/xml",
                body: tandem_formats::mspdi::write(&doc).into_bytes(),
            })
        }
        ExportFormat::Csv => {
            let view = &c.view;
            let ws = c.plan.project.workspace_id;
            let custom = crate::ops::custom::columns(state, ws, tandem_core::custom::FieldObject::Task).await?;
            Ok(Download {
                filename: format!("{key}-tasks.csv"),
                content_type: "text/csv; charset=utf-8",
                body: crate::export::tasks_csv(&c.plan.tasks, view, &c.costs, &custom)?,
            })
        }
        ExportFormat::Ics => {
            let view = &c.view;
            let milestones: Vec<_> =
                c.plan.tasks.iter().zip(&view.tasks).filter(|(t, _)| t.kind == TaskKind::Milestone).collect();
            let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tandem//Milestones//EN\r\n");
            let stamp = jiff::Timestamp::from_millisecond(state.clock.now().0)
                .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
                .unwrap_or_default();
            for (t, s) in milestones {
                ics.push_str("BEGIN:VEVENT\r\n");
                ics.push_str(&format!("UID:task-{}@tandem\r\n", t.id));
                ics.push_str(&format!("DTSTAMP:{stamp}\r\n"));
                ics.push_str(&format!("DTSTART;VALUE=DATE:{}\r\n", s.finish.0.strftime("%Y%m%d")));
                ics.push_str(&format!("SUMMARY:{}\r\n", ics_text(&format!("{} {}", t.key, t.name))));
                ics.push_str("END:VEVENT\r\n");
            }
            ics.push_str("END:VCALENDAR\r\n");
            Ok(Download {
                filename: format!("{key}-milestones.ics"),
                content_type: "text/calendar; charset=utf-8",
                body: ics.into_bytes(),
            })
        }
    }
}

/// iCalendar TEXT: backslash, semicolon, comma and newlines escaped.
fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
