//! Projects, their tasks (the WBS) and dependencies, and the schedule the
//! engine computes from them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use tandem_core::Id;
use tandem_core::ProjectAction;
use tandem_core::project::{Dependency, Project, Task};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, InProject, ProjectCreate, WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::state::AppState;
use tandem_app::ops::interchange::{self, ExportFormat, ImportFormat, ImportPreview, ImportReport};
use tandem_app::ops::project::{self as ops, CreateDependency, CreateProject, CreateTask, UpdateProject, UpdateTask};
use tandem_app::plan::ScheduleView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(list_dependencies, create_dependency))
        .routes(routes!(update_dependency, delete_dependency))
        .routes(routes!(get_schedule))
        .routes(routes!(import_plan))
        .routes(routes!(export_plan))
        .routes(routes!(tasks_csv))
        .routes(routes!(milestones_ics))
        .routes(routes!(gantt_svg))
}

/// The workspace's projects.
#[utoipa::path(get, path = "/workspaces/{ws}/projects", tag = "projects", params(("ws" = String, Path), PageQuery),
    responses((status = 200, body = List<Project>), (status = 404, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<List<Project>>> {
    Ok(Json(state.store.projects(a.ws, q.cursor()?, q.limit()?).await?.into()))
}

/// Creates a project (admins and project managers); its manager must be a
/// project manager or admin; its product, if any, in the same workspace.
#[utoipa::path(post, path = "/workspaces/{ws}/projects", tag = "projects", params(("ws" = String, Path)),
    request_body = CreateProject,
    responses((status = 201, body = Project), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    a: Allowed<ProjectCreate>,
    ApiJson(req): ApiJson<CreateProject>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((StatusCode::CREATED, Json(ops::create_project(&state, a.user_id(), a.ws, req).await?)))
}

#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Project), (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Project>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(state.store.project(a.scope.project_id).await?))
}

/// Edits a project (its manager or an admin).
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", params(("id" = String, Path)),
    request_body = UpdateProject,
    responses((status = 200, body = Project), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_project(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateProject>,
) -> ApiResult<Json<Project>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_project(&state, &a, version, req).await?))
}

/// The project a task belongs to, with the caller's right to `action` there.
async fn on_task(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(InProject, Id), ApiError> {
    let id = path.id()?;
    let project = state.store.task_project(id).await?;
    Ok((project_access(state, p.id(), project, action).await?, id))
}

/// The project's tasks in WBS order, with outline level and WBS code.
#[utoipa::path(get, path = "/projects/{id}/tasks", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = List<Task>), (status = 404, body = ErrorBody)))]
async fn list_tasks(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Task>>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(List { items: ops::tasks(&state, a.scope.project_id).await?, next_cursor: None }))
}

/// Adds a task (the manager or an admin), last among its parent's children.
#[utoipa::path(post, path = "/projects/{id}/tasks", tag = "tasks", params(("id" = String, Path)), request_body = CreateTask,
    responses((status = 201, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_task(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateTask>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_task(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = Task), (status = 404, body = ErrorBody)))]
async fn get_task(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<Task>> {
    let (_, id) = on_task(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(state.store.task(id).await?))
}

/// Edits a task; a new `parent_id` indents or outdents it in the WBS, a
/// `position` reorders it among its siblings. Contributors assigned to the
/// task may change only its `status`, `percent_complete`,
/// `remaining_minutes` and actual dates.
#[utoipa::path(patch, path = "/tasks/{id}", tag = "tasks", params(("id" = String, Path)), request_body = UpdateTask,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_task(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateTask>,
) -> ApiResult<Json<Task>> {
    let id = path.id()?;
    let a = ops::task_edit_access(&state, p.id(), id, &req).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_task(&state, &a, id, version, req).await?))
}

/// Deletes a task with its subtasks and their dependencies.
#[utoipa::path(delete, path = "/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_task(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    let (a, id) = on_task(&state, &p, &path, ProjectAction::Edit).await?;
    ops::remove(&state, &a, ops::Removal::Task(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/projects/{id}/dependencies", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = List<Dependency>), (status = 404, body = ErrorBody)))]
async fn list_dependencies(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Dependency>>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(List { items: state.store.dependencies(a.scope.project_id).await?, next_cursor: None }))
}

/// Links two tasks; a link that would close a cycle is refused with 422
/// naming the tasks of the cycle.
#[utoipa::path(post, path = "/projects/{id}/dependencies", tag = "tasks", params(("id" = String, Path)),
    request_body = CreateDependency,
    responses((status = 201, body = Dependency), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_dependency(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateDependency>,
) -> ApiResult<(StatusCode, Json<Dependency>)> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_dependency(&state, &a, req).await?)))
}

/// Changes a link's type or lag; the same tasks stay linked.
#[utoipa::path(patch, path = "/dependencies/{id}", tag = "tasks", params(("id" = String, Path)),
    request_body = ops::UpdateDependency,
    responses((status = 200, body = Dependency), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_dependency(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ops::UpdateDependency>,
) -> ApiResult<Json<Dependency>> {
    let id = path.id()?;
    let project = state.store.dependency_project(id).await?;
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_dependency(&state, &a, id, version, req).await?))
}

#[utoipa::path(delete, path = "/dependencies/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_dependency(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let id = path.id()?;
    let project = state.store.dependency_project(id).await?;
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await?;
    ops::remove(&state, &a, ops::Removal::Dependency(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?status_date=`: schedules remaining work after this date instead of
/// the project's status date.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusDateQuery {
    #[param(value_type = Option<String>)]
    pub status_date: Option<tandem_core::project::LocalTime>,
}

/// The schedule the engine computes from the plan: early and late dates,
/// slack in working minutes, the critical flag and the critical path.
#[utoipa::path(get, path = "/projects/{id}/schedule", tag = "schedule", params(("id" = String, Path), StatusDateQuery),
    responses((status = 200, body = ScheduleView), (status = 304, description = "the plan's revision is the one named in If-None-Match"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_schedule(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<StatusDateQuery>,
    headers: HeaderMap,
) -> ApiResult<axum::response::Response> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let c = tandem_app::schedules::computed_at(&state, a.scope.project_id, q.status_date).await?;
    Ok(crate::respond::schedule(c.body()?, &headers))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
    /// `mspdi`, `jira-csv` or `trello-json`; without it, from the body's
    /// media type (`text/csv` Jira, `application/json` Trello, else MSPDI).
    #[param(value_type = Option<String>)]
    pub format: Option<ImportFormat>,
    /// A CSV or JSON file's encoding: `utf-8` (default), `windows-1252`,
    /// `utf-16le` or `utf-16be`; a byte-order mark decides by itself.
    pub encoding: Option<String>,
    /// `true`: read the file and answer 200 with what would be stored,
    /// storing nothing.
    pub preview: Option<bool>,
}

/// Reads a file, sent as the body, into an empty project, in one
/// transaction. MS Project XML (MSPDI): tasks, outline, links with their
/// lag kinds, calendars, progress, resources (matched by name) and
/// assignments; the project then schedules as `tandem schedule` does on
/// the file. A Jira CSV export: issues under their parents, "Blocks" links
/// as finish-to-start, estimates, status, points, assignees, due dates. A
/// Trello board export: lists as summary tasks, cards under them, checklist
/// progress, members, due dates.
#[utoipa::path(post, path = "/projects/{id}/import", tag = "projects", params(("id" = String, Path), ImportQuery),
    request_body(content = String, content_type = "application/xml"),
    responses((status = 201, body = ImportReport), (status = 200, description = "with `preview=true`", body = ImportPreview),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_plan(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    let limit = state.config.max_import_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::TooLarge { limit })?;
    let media = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let format = q.format.unwrap_or_else(|| ImportFormat::of_media_type(media));
    let encoding = interchange::encoding(q.encoding.as_deref())?;
    let upload = interchange::Upload { format, encoding, bytes: &bytes };
    if q.preview == Some(true) {
        let preview = interchange::preview(&state, a.scope.project_id, upload).await?;
        return Ok(Json(preview).into_response());
    }
    let report = interchange::import(&state, a.user_id, a.scope.project_id, upload).await?;
    Ok((StatusCode::CREATED, Json(report)).into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    /// `mspdi` (MS Project XML), `csv` (tasks) or `ics` (milestones).
    #[param(value_type = String)]
    pub format: ExportFormat,
}

async fn download(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    format: ExportFormat,
) -> ApiResult<axum::response::Response> {
    let a = project_access(state, p.id(), path.id()?, ProjectAction::Read).await?;
    let d = tandem_app::ops::interchange::export(state, a.scope.project_id, format).await?;
    crate::respond::download(d)
}

/// The plan as MS Project XML, tasks CSV or milestones iCalendar.
#[utoipa::path(get, path = "/projects/{id}/export", tag = "projects", params(("id" = String, Path), ExportQuery),
    responses((status = 200, content_type = "application/xml", body = String), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn export_plan(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    download(&state, &p, &path, q.format).await
}

/// The tasks in WBS order with their schedule and cost, as CSV.
#[utoipa::path(get, path = "/projects/{id}/tasks.csv", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
async fn tasks_csv(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<axum::response::Response> {
    download(&state, &p, &path, ExportFormat::Csv).await
}

/// The milestones as iCalendar events on their scheduled dates.
#[utoipa::path(get, path = "/projects/{id}/milestones.ics", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
async fn milestones_ics(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<axum::response::Response> {
    download(&state, &p, &path, ExportFormat::Ics).await
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct GanttQuery {
    /// `day`, `week` (default) or `month`.
    #[param(value_type = Option<String>)]
    pub zoom: Option<crate::svg::gantt::Zoom>,
    /// The baseline to draw under the bars (default: the first set; `-1`: none).
    pub baseline: Option<i64>,
}

/// The Gantt chart as SVG: bars, summaries, milestones, dependency arrows,
/// the critical path in red, baseline bars, today and status-date lines.
#[utoipa::path(get, path = "/projects/{id}/gantt.svg", tag = "schedule", params(("id" = String, Path), GanttQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = ErrorBody)))]
async fn gantt_svg(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<GanttQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let data = ops::gantt_data(&state, a.scope.project_id, q.baseline).await?;
    let svg = crate::svg::gantt::project(&data, q.zoom.unwrap_or(crate::svg::gantt::Zoom::Week));
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}
