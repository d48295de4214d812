//! The import page: choose a file (MS Project XML, a Jira CSV export, a
//! Trello board export), see what it becomes before anything is stored,
//! then import it; a refused file lists every problem with where it is.
//!
//! Without scripts the chosen file travels between the steps inside the
//! form (base64, up to [`CARRY_BYTES`]), so the preview's "Import" and a
//! changed encoding need no second upload.

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use tandem_app::file_text::{At, Encoding};
use tandem_app::ops::interchange::{self, ImportFormat, ImportPreview, ImportReport, Upload};

use super::{Frame, PageResult, Shell, days, frame, on, page, render};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::upload;

/// The largest file carried inside the form between steps.
const CARRY_BYTES: usize = 8 * 1024 * 1024;

/// A problem of a refused file, as the page lists it.
struct ProblemRow {
    at: String,
    pointer: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "project_import.html")]
struct ImportPage {
    shell: Shell,
    f: Frame,
    /// Why nothing can be imported here (a project with tasks), if so.
    blocked: Option<String>,
    /// The file as the form carries it (base64), and its name.
    carried: String,
    file_name: String,
    format: String,
    /// Whether the reader picked the format (else it was read from the
    /// file, and a new file is read afresh).
    format_chosen: bool,
    encoding: String,
    preview: Option<ImportPreview>,
    report: Option<ImportReport>,
    problems: Vec<ProblemRow>,
    more: usize,
    /// A refusal that is not about the file's content.
    error: Option<String>,
}

impl ImportPage {
    fn formats(&self) -> [(&'static str, &'static str); 3] {
        [
            ("mspdi", "MS Project XML (.xml)"),
            ("jira-csv", "Jira CSV export (.csv)"),
            ("trello-json", "Trello board export (.json)"),
        ]
    }

    fn encodings(&self) -> Vec<(&'static str, &'static str)> {
        Encoding::ALL.iter().map(|e| (e.as_str(), e.label())).collect()
    }

    fn format_label(&self) -> &'static str {
        self.formats().iter().find(|f| f.0 == self.format).map_or("", |f| f.1)
    }

    fn days(&self, minutes: &i64) -> String {
        days(*minutes)
    }
}

async fn base(state: &AppState, p: &Principal, path: &IdPath) -> Result<ImportPage, crate::web::PageError> {
    let (at, id) = page(path, "/import");
    let (shell, f, _) = frame(state, p, id?, "tasks", &at).await?;
    let tasks = state.store.tasks(f.project.id).await.map_err(on(&at))?.len();
    let blocked = if !f.can_edit {
        Some("Only the project's manager or an admin imports plans.".to_owned())
    } else if tasks > 0 {
        Some(format!(
            "This project already has {tasks} tasks. A plan is imported into a project without tasks: create a new \
             project for it."
        ))
    } else {
        None
    };
    Ok(ImportPage {
        shell,
        f,
        blocked,
        carried: String::new(),
        file_name: String::new(),
        format: String::new(),
        format_chosen: false,
        encoding: Encoding::Utf8.as_str().to_owned(),
        preview: None,
        report: None,
        problems: Vec::new(),
        more: 0,
        error: None,
    })
}

pub async fn import_page(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let page = base(&state, &p, &path).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn import_submit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let mut page = base(&state, &p, &path).await?;
    let at = format!("/projects/{}/import", page.f.project.id);
    if page.blocked.is_some() {
        return Ok(render(StatusCode::OK, &page));
    }
    let limit = state.config.body_limit(&at);
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| on(&at)(ApiError::TooLarge { limit }))?;
    let parts = upload::parts(&headers, bytes).await.map_err(on(&at))?;
    let file = parts.iter().find(|p| p.name == "file" && !p.data.is_empty());
    let (data, name) = match file {
        Some(f) => (f.data.clone(), f.file_name.clone().unwrap_or_default()),
        None => {
            let carried = upload::field(&parts, "carried").unwrap_or_default();
            let data = base64::engine::general_purpose::STANDARD
                .decode(carried.trim())
                .map_err(|_| on(&at)(ApiError::invalid("file", "choose the file again")))?;
            (Bytes::from(data), upload::field(&parts, "file_name").unwrap_or_default().to_owned())
        }
    };
    if data.is_empty() {
        page.error = Some("Choose a file to import.".into());
        return Ok(render(StatusCode::OK, &page));
    }
    page.format_chosen = upload::field(&parts, "format").is_some_and(|f| !f.is_empty());
    let format = match upload::field(&parts, "format").filter(|f| !f.is_empty()) {
        Some(f) => ImportFormat::parse(f).ok_or_else(|| on(&at)(ApiError::invalid("format", "pick a format")))?,
        None => ImportFormat::of_upload(&name, &data),
    };
    let encoding = interchange::encoding(upload::field(&parts, "encoding")).map_err(on(&at))?;
    page.format = format.as_str().to_owned();
    page.encoding = encoding.as_str().to_owned();
    page.file_name = name;
    if data.len() <= CARRY_BYTES {
        page.carried = base64::engine::general_purpose::STANDARD.encode(&data);
    }
    let up = Upload { format, encoding, bytes: &data };
    let importing = upload::field(&parts, "action") == Some("import");
    let outcome = if importing {
        interchange::import(&state, p.id(), page.f.project.id, up).await.map(|r| page.report = Some(r))
    } else {
        interchange::preview(&state, page.f.project.id, up).await.map(|pr| page.preview = Some(pr))
    };
    // A refused file is this page again, listing its problems: the page
    // itself loads fine (the API answers 422 for the same file).
    match outcome {
        Ok(()) if importing => page.carried.clear(),
        Ok(()) => {}
        Err(tandem_app::AppError::File(refusal)) => {
            page.problems = refusal.problems.into_iter().map(listed).collect();
            page.more = refusal.more;
        }
        Err(tandem_app::AppError::Invalid(i)) => page.error = Some(i.message),
        Err(tandem_app::AppError::Conflict(m)) => page.error = Some(m),
        Err(e) => return Err(on(&at)(e)),
    }
    Ok(render(StatusCode::OK, &page))
}

fn listed(p: tandem_app::file_text::Problem) -> ProblemRow {
    let (at, pointer) = match p.at {
        At::File => ("The file".to_owned(), false),
        At::Line { line, column: None } => (format!("Line {line}"), false),
        At::Line { line, column: Some(c) } => (format!("Line {line}, column {c}"), false),
        At::Pointer(ptr) if ptr.is_empty() => ("The document".to_owned(), false),
        At::Pointer(ptr) => (ptr, true),
    };
    ProblemRow { at, pointer, message: p.message }
}
