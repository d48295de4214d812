//! Team rituals: the daily stand-up with its notes and escalated blockers,
//! follow-ups, the sprint review and the retrospective.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tandem_app::ops::rituals::retro::{AddCard, CardAction, RetroBoard};
use tandem_app::ops::rituals::review::{PutAcceptance, PutDemoNotes, SprintReview};
use tandem_app::ops::rituals::standup::{AddNote, Escalate, Standup, StandupQuery};
use tandem_app::ops::rituals::{self, CreateFollowUp, UpdateFollowUp, retro, review, standup};
use tandem_core::agile::Sprint;
use tandem_core::rituals::{FollowUp, RetroItem, StandupAction, StandupNote};
use tandem_core::{Id, ProjectAction};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{InProject, project_access};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, expected_version};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_standup))
        .routes(routes!(add_note))
        .routes(routes!(escalate))
        .routes(routes!(list_follow_ups, create_follow_up))
        .routes(routes!(update_follow_up))
        .routes(routes!(get_review, put_review))
        .routes(routes!(put_acceptance))
        .routes(routes!(list_retro, add_retro))
        .routes(routes!(vote, unvote))
        .routes(routes!(card_action))
        .routes(routes!(delete_card))
}

async fn in_project(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<InProject, ApiError> {
    Ok(project_access(state, p.id(), path.id()?, action).await?)
}

async fn on_sprint(
    state: &AppState,
    p: &Principal,
    s: Id,
    action: ProjectAction,
) -> Result<(InProject, Sprint), ApiError> {
    let s = state.store.sprint(s).await?;
    Ok((project_access(state, p.id(), s.project_id, action).await?, s))
}

async fn on_card(
    state: &AppState,
    p: &Principal,
    path: &IdPath,
    action: ProjectAction,
) -> Result<(InProject, RetroItem), ApiError> {
    let item = state.store.retro_item(path.id()?, p.id()).await?;
    let (a, _) = on_sprint(state, p, item.sprint_id, action).await?;
    Ok((a, item))
}

// ---- the stand-up ----

/// The day's stand-up, drafted from the work: for each person what moved
/// since the start of the previous working day, what is in progress and
/// next, and what blocks them, with the lines people added.
#[utoipa::path(get, path = "/projects/{id}/standup", tag = "rituals", params(("id" = String, Path), StandupQuery),
    responses((status = 200, body = Standup), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_standup(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<StandupQuery>,
) -> ApiResult<Json<Standup>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(standup::standup(&state, &a, &q).await?))
}

/// Adds a line to the caller's part of a day's stand-up; with
/// `blocker_task_id`, marks that task as blocking them.
#[utoipa::path(post, path = "/projects/{id}/standup/notes", tag = "rituals", params(("id" = String, Path)),
    request_body = AddNote,
    responses((status = 201, body = StandupNote), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_note(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<AddNote>,
) -> ApiResult<(StatusCode, Json<StandupNote>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Contribute).await?;
    Ok((StatusCode::CREATED, Json(standup::add_note(&state, &a, req).await?)))
}

/// Turns one of the day's blockers into a risk, a task or a follow-up.
#[utoipa::path(post, path = "/projects/{id}/standup/actions", tag = "rituals", params(("id" = String, Path)),
    request_body = Escalate,
    responses((status = 201, body = StandupAction), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn escalate(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<Escalate>,
) -> ApiResult<(StatusCode, Json<StandupAction>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(standup::escalate(&state, &a, req).await?)))
}

// ---- follow-ups ----

#[derive(Debug, Serialize, ToSchema)]
struct FollowUps {
    items: Vec<FollowUp>,
}

/// The project's follow-ups, open ones first by due date.
#[utoipa::path(get, path = "/projects/{id}/follow-ups", tag = "rituals", params(("id" = String, Path)),
    responses((status = 200, body = FollowUps), (status = 404, body = ErrorBody)))]
async fn list_follow_ups(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<FollowUps>> {
    let a = in_project(&state, &p, &path, ProjectAction::Read).await?;
    Ok(Json(FollowUps { items: state.store.follow_ups(a.scope.project_id).await? }))
}

#[utoipa::path(post, path = "/projects/{id}/follow-ups", tag = "rituals", params(("id" = String, Path)),
    request_body = CreateFollowUp,
    responses((status = 201, body = FollowUp), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_follow_up(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateFollowUp>,
) -> ApiResult<(StatusCode, Json<FollowUp>)> {
    let a = in_project(&state, &p, &path, ProjectAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(rituals::create_follow_up(&state, &a, req).await?)))
}

/// Edits a follow-up (the project's manager), or ticks it done (also its
/// owner).
#[utoipa::path(patch, path = "/follow-ups/{id}", tag = "rituals", params(("id" = String, Path)),
    request_body = UpdateFollowUp,
    responses((status = 200, body = FollowUp), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_follow_up(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateFollowUp>,
) -> ApiResult<Json<FollowUp>> {
    let f = state.store.follow_up(path.id()?).await?;
    let a = project_access(&state, p.id(), f.project_id, ProjectAction::Read).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(rituals::update_follow_up(&state, &a, &f, version, req).await?))
}

// ---- the sprint review ----

/// The sprint review: committed, added, completed, carried over and
/// removed (points and tasks), velocity against the last sprints, features
/// shipped, demo notes and each item's acceptance.
#[utoipa::path(get, path = "/sprints/{id}/review", tag = "rituals", params(("id" = String, Path)),
    responses((status = 200, body = SprintReview), (status = 404, body = ErrorBody)))]
async fn get_review(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<SprintReview>> {
    let (a, s) = on_sprint(&state, &p, path.id()?, ProjectAction::Read).await?;
    Ok(Json(review::review(&state, &a, &s).await?))
}

/// Writes the demo notes (the project's manager, or whoever records
/// acceptance).
#[utoipa::path(put, path = "/sprints/{id}/review", tag = "rituals", params(("id" = String, Path)),
    request_body = PutDemoNotes,
    responses((status = 200, body = SprintReview), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_review(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<PutDemoNotes>,
) -> ApiResult<Json<SprintReview>> {
    let (a, s) = on_sprint(&state, &p, path.id()?, ProjectAction::Read).await?;
    review::put_demo_notes(&state, &a, &s, req).await?;
    Ok(Json(review::review(&state, &a, &s).await?))
}

#[derive(Debug, Deserialize)]
struct ItemPath {
    id: String,
    task_id: String,
}

/// Records the product side's verdict on one sprint item (the role the
/// decision-rights matrix makes accountable for quality acceptance).
#[utoipa::path(put, path = "/sprints/{id}/review/items/{task_id}", tag = "rituals",
    params(("id" = String, Path), ("task_id" = String, Path)), request_body = PutAcceptance,
    responses((status = 200, body = SprintReview), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_acceptance(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<ItemPath>,
    ApiJson(req): ApiJson<PutAcceptance>,
) -> ApiResult<Json<SprintReview>> {
    let sprint: Id = path.id.parse().map_err(|_| ApiError::NotFound)?;
    let task: Id = path.task_id.parse().map_err(|_| ApiError::NotFound)?;
    let (a, s) = on_sprint(&state, &p, sprint, ProjectAction::Read).await?;
    Ok(Json(review::put_acceptance(&state, &a, &s, task, req).await?))
}

// ---- the retrospective ----

/// The retrospective's cards with the caller's dots left, and the previous
/// retrospective's actions with how they stand.
#[utoipa::path(get, path = "/sprints/{id}/retro/items", tag = "rituals", params(("id" = String, Path)),
    responses((status = 200, body = RetroBoard), (status = 404, body = ErrorBody)))]
async fn list_retro(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<RetroBoard>> {
    let (a, s) = on_sprint(&state, &p, path.id()?, ProjectAction::Read).await?;
    Ok(Json(retro::board(&state, &a, &s).await?))
}

#[utoipa::path(post, path = "/sprints/{id}/retro/items", tag = "rituals", params(("id" = String, Path)),
    request_body = AddCard,
    responses((status = 201, body = RetroItem), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_retro(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<AddCard>,
) -> ApiResult<(StatusCode, Json<RetroItem>)> {
    let (a, s) = on_sprint(&state, &p, path.id()?, ProjectAction::Contribute).await?;
    Ok((StatusCode::CREATED, Json(retro::add(&state, &a, &s, req).await?)))
}

/// Puts one of the caller's dots on the card (409 once all are placed).
#[utoipa::path(post, path = "/retro-items/{id}/votes", tag = "rituals", params(("id" = String, Path)),
    responses((status = 200, body = RetroItem), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn vote(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<RetroItem>> {
    let (a, item) = on_card(&state, &p, &path, ProjectAction::Contribute).await?;
    Ok(Json(retro::vote(&state, &a, item.id, true).await?))
}

/// Takes one of the caller's dots off the card.
#[utoipa::path(delete, path = "/retro-items/{id}/votes", tag = "rituals", params(("id" = String, Path)),
    responses((status = 200, body = RetroItem), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn unvote(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<Json<RetroItem>> {
    let (a, item) = on_card(&state, &p, &path, ProjectAction::Contribute).await?;
    Ok(Json(retro::vote(&state, &a, item.id, false).await?))
}

/// Turns the card into a task or a follow-up with an owner (once).
#[utoipa::path(post, path = "/retro-items/{id}/action", tag = "rituals", params(("id" = String, Path)),
    request_body = CardAction,
    responses((status = 200, body = RetroItem), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn card_action(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CardAction>,
) -> ApiResult<Json<RetroItem>> {
    let (a, item) = on_card(&state, &p, &path, ProjectAction::Edit).await?;
    Ok(Json(retro::action(&state, &a, &item, req).await?))
}

/// Removes a card: its writer, or the project's manager.
#[utoipa::path(delete, path = "/retro-items/{id}", tag = "rituals", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_card(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> ApiResult<StatusCode> {
    let (a, item) = on_card(&state, &p, &path, ProjectAction::Read).await?;
    retro::delete(&state, &a, &item).await?;
    Ok(StatusCode::NO_CONTENT)
}
