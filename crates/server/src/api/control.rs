//! Sprints and the board, risks and defects, Monte Carlo runs and status
//! reports: the project manager's controls.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_app::ops::project::Removal;
use tandem_core::agile::Sprint;
use tandem_core::metrics::{RagThresholds, StatusReport};
use tandem_core::risk::{Defect, Risk};
use tandem_core::{Id, ProjectAction};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{InProject, project_access};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, expected_version};
use crate::state::AppState;
use tandem_app::ops::agile::{self, Board, Burndown, CreateSprint, SprintList, UpdateSprint};
use tandem_app::ops::outlook::{self, DraftReport, MonteCarloRun, RunRequest, UpdateReport};
use tandem_app::ops::risks::{self, CreateDefect, CreateRisk, Heatmap, Quality, UpdateDefect, UpdateRisk};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sprints, create_sprint))
        .routes(routes!(get_sprint, update_sprint, delete_sprint))
        .routes(routes!(get_burndown))
        .routes(routes!(get_board))
        .routes(routes!(list_risks, create_risk))
        .routes(routes!(get_risk, update_risk, delete_risk))
        .routes(routes!(get_heatmap))
        .routes(routes!(list_defects, create_defect))
        .routes(routes!(get_defect, update_defect))
        .routes(routes!(get_quality))
        .routes(routes!(list_runs, run_monte_carlo))
        .routes(routes!(get_run))
        .routes(routes!(list_reports, draft_report))
        .routes(routes!(get_report, update_report))
        .routes(routes!(publish_report))
        .routes(routes!(get_thresholds, put_thresholds))
        .routes(routes!(project_dashboard))
}

async fn in_project(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<InProject, ApiError> {
    Ok(project_access(state, p.id(), path.id()?, action).await?)
}

// ---- sprints and board ----

/// The project's sprints with committed and done points, and the velocity.
#[utoipa::path(get, path = "/projects/{id}/sprints", tag = "sprints", params(("id" = String, Path)),
    responses((status = 200, body = SprintList), (status = 404, body = ErrorBody)))]
async fn list_sprints(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<SprintList>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(agile::sprints(&state, a.scope.project_id).await?))
}

#[utoipa::path(post, path = "/projects/{id}/sprints", tag = "sprints", params(("id" = String, Path)),
    request_body = CreateSprint,
    responses((status = 201, body = Sprint), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_sprint(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateSprint>,
) -> ApiResult<(StatusCode, Json<Sprint>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(agile::create_sprint(&state, &a, req).await?)))
}

async fn on_sprint(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(InProject, Sprint), ApiError> {
    let s = state.store.sprint(path.id()?).await?;
    Ok((project_access(state, p.id(), s.project_id, action).await?, s))
}

#[utoipa::path(get, path = "/sprints/{id}", tag = "sprints", params(("id" = String, Path)),
    responses((status = 200, body = Sprint), (status = 404, body = ErrorBody)))]
async fn get_sprint(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<Sprint>> {
    Ok(Json(on_sprint(&state, &p, &path, ProjectAction::Read).await?.1))
}

#[utoipa::path(patch, path = "/sprints/{id}", tag = "sprints", params(("id" = String, Path)), request_body = UpdateSprint,
    responses((status = 200, body = Sprint), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_sprint(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateSprint>,
) -> ApiResult<Json<Sprint>> {
    let (a, s) = on_sprint(&state, &p, &path, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(agile::update_sprint(&state, &a, s.id, version, req).await?))
}

/// Deletes a sprint; its tasks return to the backlog.
#[utoipa::path(delete, path = "/sprints/{id}", tag = "sprints", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_sprint(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    let (a, s) = on_sprint(&state, &p, &path, ProjectAction::Edit).await?;
    tandem_app::ops::project::remove(&state, &a, Removal::Sprint(s.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Points left at the end of each sprint day (up to today) and the ideal line.
#[utoipa::path(get, path = "/sprints/{id}/burndown", tag = "sprints", params(("id" = String, Path)),
    responses((status = 200, body = Burndown), (status = 404, body = ErrorBody)))]
async fn get_burndown(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Burndown>> {
    let (_, s) = on_sprint(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(agile::sprint_burndown(&state, &s).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// Only this sprint's cards.
    #[param(value_type = Option<String>)]
    pub sprint_id: Option<Id>,
}

/// The Kanban board: a column per status. Cards move by `PATCH
/// /tasks/{id}` with `status` (contributors: only tasks assigned to them).
#[utoipa::path(get, path = "/projects/{id}/board", tag = "sprints", params(("id" = String, Path), BoardQuery),
    responses((status = 200, body = Board), (status = 404, body = ErrorBody)))]
async fn get_board(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<Board>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(agile::board(&state, a.scope.project_id, q.sprint_id).await?))
}

// ---- risks ----

/// The risk register, highest score first.
#[utoipa::path(get, path = "/projects/{id}/risks", tag = "risks", params(("id" = String, Path)),
    responses((status = 200, body = List<Risk>), (status = 404, body = ErrorBody)))]
async fn list_risks(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Risk>>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(List { items: state.store.risks(a.scope.project_id).await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/projects/{id}/risks", tag = "risks", params(("id" = String, Path)), request_body = CreateRisk,
    responses((status = 201, body = Risk), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_risk(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateRisk>,
) -> ApiResult<(StatusCode, Json<Risk>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(risks::create_risk(&state, &a, req).await?)))
}

async fn on_risk(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(InProject, Risk), ApiError> {
    let r = state.store.risk(path.id()?).await?;
    Ok((project_access(state, p.id(), r.project_id, action).await?, r))
}

#[utoipa::path(get, path = "/risks/{id}", tag = "risks", params(("id" = String, Path)),
    responses((status = 200, body = Risk), (status = 404, body = ErrorBody)))]
async fn get_risk(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<Risk>> {
    Ok(Json(on_risk(&state, &p, &path, ProjectAction::Read).await?.1))
}

#[utoipa::path(patch, path = "/risks/{id}", tag = "risks", params(("id" = String, Path)), request_body = UpdateRisk,
    responses((status = 200, body = Risk), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_risk(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateRisk>,
) -> ApiResult<Json<Risk>> {
    let (a, r) = on_risk(&state, &p, &path, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(risks::update_risk(&state, &a, r.id, version, req).await?))
}

#[utoipa::path(delete, path = "/risks/{id}", tag = "risks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_risk(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    let (a, r) = on_risk(&state, &p, &path, ProjectAction::Edit).await?;
    tandem_app::ops::project::remove(&state, &a, Removal::Risk(r.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Open risks on the 5×5 grid of impact (rows, 5 first) by probability.
#[utoipa::path(get, path = "/projects/{id}/risks/heatmap", tag = "risks", params(("id" = String, Path)),
    responses((status = 200, body = Heatmap), (status = 404, body = ErrorBody)))]
async fn get_heatmap(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Heatmap>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(risks::risk_heatmap(&state.store.risks(a.scope.project_id).await?)))
}

// ---- defects ----

#[utoipa::path(get, path = "/projects/{id}/defects", tag = "defects", params(("id" = String, Path)),
    responses((status = 200, body = List<Defect>), (status = 404, body = ErrorBody)))]
async fn list_defects(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Defect>>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(List { items: state.store.defects(a.scope.project_id).await?, next_cursor: None }))
}

/// Files a defect (every member but stakeholders).
#[utoipa::path(post, path = "/projects/{id}/defects", tag = "defects", params(("id" = String, Path)),
    request_body = CreateDefect,
    responses((status = 201, body = Defect), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_defect(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateDefect>,
) -> ApiResult<(StatusCode, Json<Defect>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Contribute).await?;
    Ok((StatusCode::CREATED, Json(risks::create_defect(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/defects/{id}", tag = "defects", params(("id" = String, Path)),
    responses((status = 200, body = Defect), (status = 404, body = ErrorBody)))]
async fn get_defect(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<Defect>> {
    let d = state.store.defect(path.id()?).await?;
    project_access(&state, p.id(), d.project_id, ProjectAction::Read).await?;
    Ok(Json(d))
}

/// Edits a defect (the project's manager, or whoever filed it).
#[utoipa::path(patch, path = "/defects/{id}", tag = "defects", params(("id" = String, Path)), request_body = UpdateDefect,
    responses((status = 200, body = Defect), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_defect(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateDefect>,
) -> ApiResult<Json<Defect>> {
    let d = state.store.defect(path.id()?).await?;
    let a = project_access(&state, p.id(), d.project_id, ProjectAction::Contribute).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(risks::update_defect(&state, &a, &d, version, req).await?))
}

/// Quality figures: open and critical defects, by severity and release,
/// escape rate and defects per 100 points delivered.
#[utoipa::path(get, path = "/projects/{id}/quality", tag = "defects", params(("id" = String, Path)),
    responses((status = 200, body = Quality), (status = 404, body = ErrorBody)))]
async fn get_quality(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Quality>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(risks::quality(&state, a.scope.project_id).await?))
}

// ---- Monte Carlo ----

/// Stored runs, newest first (the last 50 are kept).
#[utoipa::path(get, path = "/projects/{id}/monte-carlo", tag = "monte_carlo", params(("id" = String, Path)),
    responses((status = 200, body = List<MonteCarloRun>), (status = 404, body = ErrorBody)))]
async fn list_runs(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<MonteCarloRun>>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    let items =
        state.store.runs(a.scope.project_id).await?.into_iter().map(outlook::run_view).collect::<Result<_, _>>()?;
    Ok(Json(List { items, next_cursor: None }))
}

/// Runs a seeded Monte Carlo simulation of the plan (durations drawn from
/// each task's three-point estimate) and stores it with its inputs.
#[utoipa::path(post, path = "/projects/{id}/monte-carlo", tag = "monte_carlo", params(("id" = String, Path)),
    request_body = RunRequest,
    responses((status = 201, body = MonteCarloRun), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_monte_carlo(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<RunRequest>,
) -> ApiResult<(StatusCode, Json<MonteCarloRun>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(outlook::run_monte_carlo(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/monte-carlo/{id}", tag = "monte_carlo", params(("id" = String, Path)),
    responses((status = 200, body = MonteCarloRun), (status = 404, body = ErrorBody)))]
async fn get_run(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<MonteCarloRun>> {
    let r = state.store.run(path.id()?).await?;
    project_access(&state, p.id(), r.project_id, ProjectAction::Read).await?;
    Ok(Json(outlook::run_view(r)?))
}

// ---- status reports ----

#[utoipa::path(get, path = "/projects/{id}/status-reports", tag = "status_reports", params(("id" = String, Path)),
    responses((status = 200, body = List<StatusReport>), (status = 404, body = ErrorBody)))]
async fn list_reports(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<StatusReport>>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(List { items: state.store.reports(a.scope.project_id).await?, next_cursor: None }))
}

/// Drafts a status report: RAG per dimension from the project's figures
/// and thresholds, and a summary to edit.
#[utoipa::path(post, path = "/projects/{id}/status-reports", tag = "status_reports", params(("id" = String, Path)),
    request_body = DraftReport,
    responses((status = 201, body = StatusReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft_report(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<DraftReport>,
) -> ApiResult<(StatusCode, Json<StatusReport>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(outlook::draft_report(&state, &a, req).await?)))
}

async fn on_report(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(InProject, StatusReport), ApiError> {
    let r = state.store.report(path.id()?).await?;
    Ok((project_access(state, p.id(), r.project_id, action).await?, r))
}

#[utoipa::path(get, path = "/status-reports/{id}", tag = "status_reports", params(("id" = String, Path)),
    responses((status = 200, body = StatusReport), (status = 404, body = ErrorBody)))]
async fn get_report(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<StatusReport>> {
    Ok(Json(on_report(&state, &p, &path, ProjectAction::Read).await?.1))
}

/// Edits a draft: period, summary (Markdown) and RAG per dimension.
#[utoipa::path(patch, path = "/status-reports/{id}", tag = "status_reports", params(("id" = String, Path)),
    request_body = UpdateReport,
    responses((status = 200, body = StatusReport), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody)))]
async fn update_report(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateReport>,
) -> ApiResult<Json<StatusReport>> {
    let (a, r) = on_report(&state, &p, &path, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(outlook::update_report(&state, &a, r.id, version, req, false).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    pub version: Option<i64>,
}

/// Publishes a draft; it no longer changes.
#[utoipa::path(post, path = "/status-reports/{id}/publish", tag = "status_reports", params(("id" = String, Path)),
    request_body = Publish,
    responses((status = 200, body = StatusReport), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody)))]
async fn publish_report(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<Publish>,
) -> ApiResult<Json<StatusReport>> {
    let (a, r) = on_report(&state, &p, &path, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(outlook::update_report(&state, &a, r.id, version, UpdateReport::default(), true).await?))
}

/// The thresholds status reports are judged by (the design's defaults until set).
#[utoipa::path(get, path = "/projects/{id}/rag-thresholds", tag = "status_reports", params(("id" = String, Path)),
    responses((status = 200, body = RagThresholds), (status = 404, body = ErrorBody)))]
async fn get_thresholds(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<RagThresholds>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(outlook::thresholds(&state, a.scope.project_id).await?))
}

/// `PUT /projects/{id}/rag-thresholds`: the thresholds and the project's version.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PutThresholds {
    #[serde(flatten)]
    pub thresholds: RagThresholds,
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/projects/{id}/rag-thresholds", tag = "status_reports", params(("id" = String, Path)),
    request_body = PutThresholds,
    responses((status = 200, body = RagThresholds), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_thresholds(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PutThresholds>,
) -> ApiResult<Json<RagThresholds>> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(outlook::set_thresholds(&state, &a, version, req.thresholds).await?))
}

/// The project manager's dashboard: forecast finish against baseline and
/// target, earned value, the critical path, next milestones, top risks,
/// over-allocation and the latest status report.
#[utoipa::path(get, path = "/dashboards/project/{id}", tag = "dashboards", params(("id" = String, Path)),
    responses((status = 200, body = outlook::ProjectDashboard), (status = 404, body = ErrorBody)))]
async fn project_dashboard(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<std::sync::Arc<outlook::ProjectDashboard>>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(outlook::dashboard(&state, a.scope.project_id).await?))
}
