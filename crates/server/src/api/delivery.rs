//! Resources, calendars, time entries and reports, baselines, earned
//! value, utilisation and levelling.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tandem_app::ops::project::Removal;
use tandem_core::model::Day;
use tandem_core::project::{ProjectCalendar, WorkCalendar};
use tandem_core::tracking::{Resource, TimeEntry};
use tandem_core::{Action, Id, ProjectAction};
use tandem_store::resources::TimeFilter;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use super::project::StatusDateQuery;
use crate::access::{Allowed, ResourcesManage, WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, expected_version};
use crate::state::AppState;
use tandem_app::access::authorize;
use tandem_app::measure::{BaselineView, EvmView, UtilisationView};
use tandem_app::ops::delivery::{
    self as ops, BaselineSummary, CreateResource, CreateTimeEntry, Levelled, NamedCalendar, PutCalendar, SetBaseline,
    TimeQuery, TimeReport, Timesheet, UpdateResource, UpdateTimeEntry, UtilisationQuery,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource))
        .routes(routes!(get_calendar, put_calendar))
        .routes(routes!(list_calendars, create_calendar))
        .routes(routes!(get_task_calendar, update_calendar, delete_calendar))
        .routes(routes!(list_time_entries, create_time_entry))
        .routes(routes!(update_time_entry, delete_time_entry))
        .routes(routes!(time_entries_csv))
        .routes(routes!(project_time_report))
        .routes(routes!(project_time_report_csv))
        .routes(routes!(workspace_time_report))
        .routes(routes!(workspace_time_report_csv))
        .routes(routes!(timesheet))
        .routes(routes!(list_baselines, set_baseline))
        .routes(routes!(get_baseline, clear_baseline))
        .routes(routes!(get_evm))
        .routes(routes!(get_utilization))
        .routes(routes!(level))
}

/// The workspace's resources: people, material and cost, with rates.
#[utoipa::path(get, path = "/workspaces/{ws}/resources", tag = "resources", params(("ws" = String, Path)),
    responses((status = 200, body = List<Resource>), (status = 404, body = ErrorBody)))]
async fn list_resources(State(state): State<AppState>, a: Allowed<WorkspaceRead>) -> ApiResult<Json<List<Resource>>> {
    Ok(Json(List { items: state.store.resources(a.ws).await?, next_cursor: None }))
}

/// Adds a resource (admins and project managers).
#[utoipa::path(post, path = "/workspaces/{ws}/resources", tag = "resources", params(("ws" = String, Path)),
    request_body = CreateResource,
    responses((status = 201, body = Resource), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_resource(
    State(state): State<AppState>,
    a: Allowed<ResourcesManage>,
    ApiJson(req): ApiJson<CreateResource>,
) -> ApiResult<(StatusCode, Json<Resource>)> {
    Ok((StatusCode::CREATED, Json(ops::create_resource(&state, a.user_id(), a.ws, req).await?)))
}

#[utoipa::path(get, path = "/resources/{id}", tag = "resources", params(("id" = String, Path)),
    responses((status = 200, body = Resource), (status = 404, body = ErrorBody)))]
async fn get_resource(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Resource>> {
    let r = state.store.resource(path.id()?).await?;
    authorize(&state, p.id(), r.workspace_id, Action::WorkspaceRead).await?;
    Ok(Json(r))
}

#[utoipa::path(patch, path = "/resources/{id}", tag = "resources", params(("id" = String, Path)),
    request_body = UpdateResource,
    responses((status = 200, body = Resource), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_resource(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateResource>,
) -> ApiResult<Json<Resource>> {
    let r = state.store.resource(path.id()?).await?;
    authorize(&state, p.id(), r.workspace_id, Action::ResourcesManage).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_resource(&state, p.id(), r.id, version, req).await?))
}

/// The project's working week and exceptions (holidays, other hours).
#[utoipa::path(get, path = "/projects/{id}/calendar", tag = "schedule", params(("id" = String, Path)),
    responses((status = 200, body = WorkCalendar), (status = 404, body = ErrorBody)))]
async fn get_calendar(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<WorkCalendar>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(state.store.project_calendar(a.scope.project_id).await?))
}

/// Replaces the project's calendar; the project's `version` guards it.
#[utoipa::path(put, path = "/projects/{id}/calendar", tag = "schedule", params(("id" = String, Path)),
    request_body = PutCalendar,
    responses((status = 200, body = WorkCalendar), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_calendar(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PutCalendar>,
) -> ApiResult<Json<WorkCalendar>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::set_calendar(&state, &a, version, req.calendar).await?))
}

/// The project's other calendars, for tasks worked on different hours.
#[utoipa::path(get, path = "/projects/{id}/calendars", tag = "schedule", params(("id" = String, Path)),
    responses((status = 200, body = List<ProjectCalendar>), (status = 404, body = ErrorBody)))]
async fn list_calendars(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<ProjectCalendar>>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(List { items: state.store.project_calendars(a.scope.project_id).await?, next_cursor: None }))
}

/// Adds a calendar tasks can be put on (`calendar_id`).
#[utoipa::path(post, path = "/projects/{id}/calendars", tag = "schedule", params(("id" = String, Path)),
    request_body = NamedCalendar,
    responses((status = 201, body = ProjectCalendar), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_calendar(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<NamedCalendar>,
) -> ApiResult<(StatusCode, Json<ProjectCalendar>)> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_calendar(&state, &a, &req).await?)))
}

async fn on_calendar(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(crate::access::InProject, ProjectCalendar), ApiError> {
    let c = state.store.project_calendar_by_id(path.id()?).await?;
    Ok((project_access(state, p.id(), c.project_id, action).await?, c))
}

#[utoipa::path(get, path = "/calendars/{id}", tag = "schedule", params(("id" = String, Path)),
    responses((status = 200, body = ProjectCalendar), (status = 404, body = ErrorBody)))]
async fn get_task_calendar(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<ProjectCalendar>> {
    Ok(Json(on_calendar(&state, &p, &path, ProjectAction::Read).await?.1))
}

#[utoipa::path(put, path = "/calendars/{id}", tag = "schedule", params(("id" = String, Path)), request_body = NamedCalendar,
    responses((status = 200, body = ProjectCalendar), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_calendar(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NamedCalendar>,
) -> ApiResult<Json<ProjectCalendar>> {
    let (a, c) = on_calendar(&state, &p, &path, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_calendar(&state, &a, c.id, version, &req).await?))
}

/// Deletes a calendar; its tasks go back to the project's calendar.
#[utoipa::path(delete, path = "/calendars/{id}", tag = "schedule", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_calendar(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let (a, c) = on_calendar(&state, &p, &path, ProjectAction::Edit).await?;
    tandem_app::ops::project::remove(&state, &a, Removal::Calendar(c.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn filter(project: Id, q: &TimeQuery) -> TimeFilter {
    TimeFilter { project: Some(project), user: q.user_id, from: q.from, to: q.to }
}

/// Time logged on the project, by day (`?from=&to=&user_id=`).
#[utoipa::path(get, path = "/projects/{id}/time-entries", tag = "time", params(("id" = String, Path), TimeQuery),
    responses((status = 200, body = List<TimeEntry>), (status = 404, body = ErrorBody)))]
async fn list_time_entries(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> ApiResult<Json<List<TimeEntry>>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let items = state.store.time_entries(a.scope.workspace_id, &filter(a.scope.project_id, &q)).await?;
    Ok(Json(List { items, next_cursor: None }))
}

/// Logs time on a task (every member but stakeholders, for themselves;
/// the manager for anyone). The cost comes from the resource's rate unless given.
#[utoipa::path(post, path = "/projects/{id}/time-entries", tag = "time", params(("id" = String, Path)),
    request_body = CreateTimeEntry,
    responses((status = 201, body = TimeEntry), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_time_entry(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateTimeEntry>,
) -> ApiResult<(StatusCode, Json<TimeEntry>)> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Contribute).await?;
    Ok((StatusCode::CREATED, Json(ops::create_time_entry(&state, &a, req).await?)))
}

async fn on_entry(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
) -> Result<(crate::access::InProject, TimeEntry), ApiError> {
    let e = state.store.time_entry(path.id()?).await?;
    let a = project_access(state, p.id(), e.project_id, ProjectAction::Contribute).await?;
    Ok((a, e))
}

/// Edits a time entry (its author or the project's manager).
#[utoipa::path(patch, path = "/time-entries/{id}", tag = "time", params(("id" = String, Path)),
    request_body = UpdateTimeEntry,
    responses((status = 200, body = TimeEntry), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody)))]
async fn update_time_entry(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateTimeEntry>,
) -> ApiResult<Json<TimeEntry>> {
    let (a, e) = on_entry(&state, &p, &path).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_time_entry(&state, &a, &e, version, req).await?))
}

#[utoipa::path(delete, path = "/time-entries/{id}", tag = "time", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_time_entry(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let (a, e) = on_entry(&state, &p, &path).await?;
    ops::delete_time_entry(&state, &a, &e).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The project's time entries as CSV.
#[utoipa::path(get, path = "/projects/{id}/time-entries.csv", tag = "time", params(("id" = String, Path), TimeQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
async fn time_entries_csv(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> ApiResult<Response> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let project = state.store.project(a.scope.project_id).await?;
    let entries = state.store.time_entries(a.scope.workspace_id, &filter(project.id, &q)).await?;
    let mut emails = std::collections::HashMap::new();
    for e in &entries {
        if let std::collections::hash_map::Entry::Vacant(v) = emails.entry(e.user_id) {
            v.insert(state.store.user(e.user_id).await?.email);
        }
    }
    crate::respond::download(tandem_app::export::time_entries_csv(&project, &entries, &emails)?)
}

/// Time on the project summed by `group` = `person` (default) or `task`.
#[utoipa::path(get, path = "/projects/{id}/time-report", tag = "time", params(("id" = String, Path), TimeQuery),
    responses((status = 200, body = TimeReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn project_time_report(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> ApiResult<Json<TimeReport>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(ops::time_report(&state, a.scope.workspace_id, Some(a.scope.project_id), &q).await?))
}

/// The project's time report as CSV (`?group=person|task`).
#[utoipa::path(get, path = "/projects/{id}/time-report.csv", tag = "time", params(("id" = String, Path), TimeQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn project_time_report_csv(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> ApiResult<Response> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let project = state.store.project(a.scope.project_id).await?;
    let report = ops::time_report(&state, a.scope.workspace_id, Some(project.id), &q).await?;
    crate::respond::download(tandem_app::export::time_report_csv(&project.key, &report)?)
}

/// Time across the workspace summed by `group` = `project`, `person` or `task`.
#[utoipa::path(get, path = "/workspaces/{ws}/time-report", tag = "time", params(("ws" = String, Path), TimeQuery),
    responses((status = 200, body = TimeReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn workspace_time_report(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> ApiResult<Json<TimeReport>> {
    Ok(Json(ops::time_report(&state, a.ws, None, &q).await?))
}

/// The workspace's time report as CSV (`?group=project|person|task`).
#[utoipa::path(get, path = "/workspaces/{ws}/time-report.csv", tag = "time", params(("ws" = String, Path), TimeQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn workspace_time_report_csv(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> ApiResult<Response> {
    let report = ops::time_report(&state, a.ws, None, &q).await?;
    let ws = state.store.workspace(a.ws).await?;
    crate::respond::download(tandem_app::export::time_report_csv(&ws.key, &report)?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimesheetQuery {
    /// Any day of the week (default: this week).
    #[param(value_type = Option<String>)]
    pub week: Option<Day>,
    /// Whose week (default: the caller; others need admin or project manager).
    #[param(value_type = Option<String>)]
    pub user_id: Option<Id>,
}

/// One person's week: a row per task, minutes per day.
#[utoipa::path(get, path = "/workspaces/{ws}/timesheet", tag = "time", params(("ws" = String, Path), TimesheetQuery),
    responses((status = 200, body = Timesheet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn timesheet(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<TimesheetQuery>,
) -> ApiResult<Json<Timesheet>> {
    let week = q.week.unwrap_or_else(|| Day::of(state.clock.now()));
    Ok(Json(ops::timesheet(&state, a.ws, a.role, a.user_id(), q.user_id, week).await?))
}

#[utoipa::path(get, path = "/projects/{id}/baselines", tag = "baselines", params(("id" = String, Path)),
    responses((status = 200, body = List<BaselineSummary>), (status = 404, body = ErrorBody)))]
async fn list_baselines(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<BaselineSummary>>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let items = state.store.baselines(a.scope.project_id).await?.iter().map(BaselineSummary::from).collect();
    Ok(Json(List { items, next_cursor: None }))
}

/// Saves the current schedule, work and cost of every task as baseline
/// `number` (0–10, like MS Project's eleven), replacing one already there.
#[utoipa::path(post, path = "/projects/{id}/baselines", tag = "baselines", params(("id" = String, Path)),
    request_body = SetBaseline,
    responses((status = 201, body = BaselineSummary), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_baseline(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<SetBaseline>,
) -> ApiResult<(StatusCode, Json<BaselineSummary>)> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::set_baseline(&state, &a, req).await?)))
}

#[derive(Debug, Deserialize)]
struct BaselinePath {
    id: String,
    number: i64,
}

/// A baseline with every task's variance (current minus baseline).
#[utoipa::path(get, path = "/projects/{id}/baselines/{number}", tag = "baselines",
    params(("id" = String, Path), ("number" = i64, Path)),
    responses((status = 200, body = BaselineView), (status = 404, body = ErrorBody)))]
async fn get_baseline(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<BaselinePath>,
) -> ApiResult<Json<BaselineView>> {
    let project = path.id.parse().map_err(|_| ApiError::NotFound)?;
    let a = project_access(&state, p.id(), project, ProjectAction::Read).await?;
    Ok(Json(ops::baseline_variance(&state, a.scope.project_id, path.number).await?))
}

#[utoipa::path(delete, path = "/projects/{id}/baselines/{number}", tag = "baselines",
    params(("id" = String, Path), ("number" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn clear_baseline(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<BaselinePath>,
) -> ApiResult<StatusCode> {
    let project = path.id.parse().map_err(|_| ApiError::NotFound)?;
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await?;
    tandem_app::ops::project::remove(&state, &a, Removal::Baseline(path.number)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Earned value at the status date (`?status_date=`, else the project's,
/// else today) against the first baseline, with the S-curve.
#[utoipa::path(get, path = "/projects/{id}/evm", tag = "evm", params(("id" = String, Path), StatusDateQuery),
    responses((status = 200, body = EvmView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn get_evm(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<StatusDateQuery>,
) -> ApiResult<Json<EvmView>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(ops::evm(&state, a.scope.project_id, q.status_date).await?))
}

/// Weekly utilisation of the work resources assigned in the project, with
/// over-allocated weeks flagged.
#[utoipa::path(get, path = "/projects/{id}/utilization", tag = "resources", params(("id" = String, Path), UtilisationQuery),
    responses((status = 200, body = UtilisationView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_utilization(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<UtilisationQuery>,
) -> ApiResult<Json<UtilisationView>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    Ok(Json(ops::utilisation(&state, a.scope.project_id, &q).await?))
}

/// `POST /projects/{id}/level`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelRequest {
    /// Only remove the delays of earlier levelling.
    #[serde(default)]
    pub clear: bool,
}

/// Levels resources as an explicit action: delays tasks (within slack
/// first, then by priority and order) until no work resource is
/// over-allocated, and reports every task that moved.
#[utoipa::path(post, path = "/projects/{id}/level", tag = "resources", params(("id" = String, Path)),
    request_body = LevelRequest,
    responses((status = 200, body = Levelled), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn level(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<LevelRequest>,
) -> ApiResult<Json<Levelled>> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Edit).await?;
    Ok(Json(ops::level(&state, &a, req.clear).await?))
}
