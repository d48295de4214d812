//! The retrospective page: three columns of cards, dots, cards turned into
//! tasks or follow-ups, and the previous retrospective's actions with how
//! they stand.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_app::ops::rituals::retro::{self, AddCard, CardAction, RetroBoard};
use tandem_core::agile::Sprint;
use tandem_core::model::Member;
use tandem_core::rituals::{ActionKind, RetroColumn, RetroItem};
use tandem_core::{Id, ProjectAction};

use super::{Frame, frame, opt_id};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::{PageError, PageForm, PageResult, Shell, on, render};

struct ColumnView {
    column: RetroColumn,
    hint: &'static str,
    items: Vec<RetroItem>,
}

#[derive(Template)]
#[template(path = "sprint_retro.html")]
struct RetroPage {
    shell: Shell,
    f: Frame,
    sprint: Sprint,
    board: RetroBoard,
    columns: Vec<ColumnView>,
    members: Vec<Member>,
}

async fn sprint_of(state: &AppState, path: &IdPath) -> Result<(Sprint, String), PageError> {
    let at = format!("/sprints/{}/retro", path.id().map_or(0, |i| i.0));
    let s = state.store.sprint(path.id().map_err(on(&at))?).await.map_err(on(&at))?;
    Ok((s, at))
}

pub async fn retro_page(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (sprint, at) = sprint_of(&state, &path).await?;
    let (shell, f, a) = frame(&state, &p, sprint.project_id, "sprints", &at).await?;
    let board = retro::board(&state, &a, &sprint).await.map_err(on(&at))?;
    let hint = |c: RetroColumn| match c {
        RetroColumn::WentWell => "What helped us this sprint?",
        RetroColumn::ToImprove => "What got in our way?",
        RetroColumn::Ideas => "What should we try next?",
    };
    let columns = RetroColumn::ALL
        .iter()
        .map(|&c| ColumnView {
            column: c,
            hint: hint(c),
            items: board.items.iter().filter(|i| i.column == c).cloned().collect(),
        })
        .collect();
    let members = if f.can_edit {
        state.store.members(f.project.workspace_id, None, tandem_store::MAX_PAGE).await.map_err(on(&at))?.items
    } else {
        Vec::new()
    };
    Ok(render(StatusCode::OK, &RetroPage { shell, f, sprint, board, columns, members }))
}

#[derive(Deserialize)]
pub struct CardForm {
    column: RetroColumn,
    text: String,
    anonymous: Option<String>,
}

pub async fn card_add(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<CardForm>,
) -> PageResult {
    let (sprint, at) = sprint_of(&state, &path).await?;
    let a = project_access(&state, p.id(), sprint.project_id, ProjectAction::Contribute).await.map_err(on(&at))?;
    let req = AddCard { column: form.column, text: form.text, anonymous: form.anonymous.is_some() };
    retro::add(&state, &a, &sprint, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

/// A card and its retrospective's page.
async fn card_of(state: &AppState, p: &Principal, path: &IdPath) -> Result<(RetroItem, String), PageError> {
    let at = "/".to_owned();
    let item = state.store.retro_item(path.id().map_err(on(&at))?, p.id()).await.map_err(on(&at))?;
    let at = format!("/sprints/{}/retro", item.sprint_id);
    Ok((item, at))
}

async fn project_of(state: &AppState, item: &RetroItem, at: &str) -> Result<Id, PageError> {
    Ok(state.store.sprint(item.sprint_id).await.map_err(on(at))?.project_id)
}

#[derive(Deserialize)]
pub struct VoteForm {
    /// `add` or `remove`.
    dot: String,
}

pub async fn card_vote(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<VoteForm>,
) -> PageResult {
    let (item, at) = card_of(&state, &p, &path).await?;
    let project = project_of(&state, &item, &at).await?;
    let a = project_access(&state, p.id(), project, ProjectAction::Contribute).await.map_err(on(&at))?;
    retro::vote(&state, &a, item.id, form.dot == "add").await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("{at}#card-{}", item.id)).into_response())
}

#[derive(Deserialize)]
pub struct ActionForm {
    kind: ActionKind,
    owner_id: Option<String>,
}

pub async fn card_action(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ActionForm>,
) -> PageResult {
    let (item, at) = card_of(&state, &p, &path).await?;
    let project = project_of(&state, &item, &at).await?;
    let a = project_access(&state, p.id(), project, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = CardAction { kind: form.kind, title: None, owner_id: opt_id(form.owner_id.as_deref()), due: None };
    retro::action(&state, &a, &item, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("{at}#card-{}", item.id)).into_response())
}

pub async fn card_delete(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (item, at) = card_of(&state, &p, &path).await?;
    let project = project_of(&state, &item, &at).await?;
    let a = project_access(&state, p.id(), project, ProjectAction::Read).await.map_err(on(&at))?;
    retro::delete(&state, &a, &item).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}
