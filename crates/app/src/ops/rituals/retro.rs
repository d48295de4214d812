//! The retrospective: cards in three columns (anonymous if the writer
//! wants), dot voting, cards turned into tasks or follow-ups with owners,
//! and the previous retrospective's actions with how they stand.

use serde::{Deserialize, Serialize};
use tandem_core::agile::Sprint;
use tandem_core::model::Day;
use tandem_core::project::BoardStatus;
use tandem_core::rituals::{ActionKind, DOTS_PER_PERSON, RetroColumn, RetroItem};
use tandem_core::{Id, validate};
use utoipa::ToSchema;

use super::made;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;

/// An action of an earlier retrospective and how it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionStatus {
    pub item_id: Id,
    pub text: String,
    pub action: ActionKind,
    pub action_id: Id,
    /// The task's key or the follow-up's title; `null` once deleted.
    pub label: Option<String>,
    pub owner_name: Option<String>,
    pub done: bool,
    /// `To do`, `In progress`, … for a task; `Open` or `Done` for a
    /// follow-up; `Deleted`.
    pub status: String,
}

/// The retrospective before this one and its actions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviousRetro {
    pub sprint_id: Id,
    pub name: String,
    pub actions: Vec<ActionStatus>,
}

/// `GET /sprints/{id}/retro/items`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetroBoard {
    pub sprint_id: Id,
    /// The cards, most dots first.
    pub items: Vec<RetroItem>,
    pub dots_per_person: i64,
    /// The reader's dots not yet placed.
    pub dots_left: i64,
    pub previous: Option<PreviousRetro>,
}

pub async fn board(state: &App, a: &InProject, s: &Sprint) -> Result<RetroBoard, AppError> {
    let items = state.store.retro_items(s.id, a.user_id).await?;
    let used = state.store.dots_used(s.id, a.user_id).await?;
    // The latest earlier sprint whose retrospective made actions.
    let mut previous = None;
    let earlier: Vec<Sprint> =
        state.store.sprints(s.project_id).await?.into_iter().filter(|x| x.start < s.start && x.id != s.id).collect();
    for p in earlier.iter().rev() {
        let acted: Vec<RetroItem> =
            state.store.retro_items(p.id, a.user_id).await?.into_iter().filter(|i| i.action.is_some()).collect();
        if acted.is_empty() {
            continue;
        }
        let mut actions = Vec::new();
        for i in acted {
            let (Some(kind), Some(id)) = (i.action, i.action_id) else { continue };
            actions.push(action_status(state, &i, kind, id).await?);
        }
        previous = Some(PreviousRetro { sprint_id: p.id, name: p.name.clone(), actions });
        break;
    }
    Ok(RetroBoard {
        sprint_id: s.id,
        items,
        dots_per_person: DOTS_PER_PERSON,
        dots_left: (DOTS_PER_PERSON - used).max(0),
        previous,
    })
}

async fn action_status(state: &App, i: &RetroItem, kind: ActionKind, id: Id) -> Result<ActionStatus, AppError> {
    let mut out = ActionStatus {
        item_id: i.id,
        text: i.text.clone(),
        action: kind,
        action_id: id,
        label: None,
        owner_name: None,
        done: false,
        status: "Deleted".into(),
    };
    match kind {
        ActionKind::Task => {
            if let Ok(t) = state.store.task(id).await {
                out.done = t.is_done();
                out.status = if out.done { BoardStatus::Done.label().into() } else { t.status.label().into() };
                out.label = Some(format!("{} {}", t.key, t.name));
            }
        }
        ActionKind::FollowUp => {
            if let Ok(f) = state.store.follow_up(id).await {
                out.done = f.done;
                out.status = if f.done { "Done" } else { "Open" }.into();
                out.label = Some(f.title);
                out.owner_name = f.owner_name;
            }
        }
        ActionKind::Risk => {}
    }
    Ok(out)
}

/// `POST /sprints/{id}/retro/items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCard {
    /// `went_well`, `to_improve` or `ideas`.
    pub column: RetroColumn,
    pub text: String,
    /// Keep no author: no one, admins included, can tell who wrote it.
    #[serde(default)]
    pub anonymous: bool,
}

/// The longest card.
const MAX_CARD_CHARS: usize = 2_000;

pub async fn add(state: &App, a: &InProject, s: &Sprint, req: AddCard) -> Result<RetroItem, AppError> {
    let text = validate::required_text("text", &req.text)?;
    if text.chars().count() > MAX_CARD_CHARS {
        return Err(validate::Invalid::new("text", format!("must be at most {MAX_CARD_CHARS} characters")).into());
    }
    Ok(state.store.add_retro_item(a.user_id, s.id, req.column, &text, req.anonymous, state.clock.now()).await?)
}

pub async fn vote(state: &App, a: &InProject, item: Id, add: bool) -> Result<RetroItem, AppError> {
    Ok(state.store.vote_retro_item(a.user_id, item, add, state.clock.now()).await?)
}

/// `POST /retro-items/{id}/action`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardAction {
    /// `task` or `follow_up`.
    pub kind: ActionKind,
    /// Default: the card's text (its first line, cut to 200 characters).
    pub title: Option<String>,
    pub owner_id: Option<Id>,
    #[schema(value_type = Option<String>)]
    pub due: Option<Day>,
}

pub async fn action(state: &App, a: &InProject, item: &RetroItem, req: CardAction) -> Result<RetroItem, AppError> {
    if req.kind == ActionKind::Risk {
        return Err(validate::Invalid::new("kind", "must be task or follow_up").into());
    }
    let title = match req.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_owned(),
        None => item.text.lines().next().unwrap_or("").chars().take(200).collect::<String>().trim().to_owned(),
    };
    let m = made(state, a.scope.workspace_id, req.kind, &title, req.owner_id, req.due, None).await?;
    Ok(state.store.retro_action(a.user_id, item.id, &m, state.clock.now()).await?)
}

/// The card's writer removes it; the project's manager removes any card
/// (anonymous ones have no writer to do it).
pub async fn delete(state: &App, a: &InProject, item: &RetroItem) -> Result<(), AppError> {
    if !a.manages() && item.author_id != Some(a.user_id) {
        return Err(AppError::Forbidden);
    }
    Ok(state.store.delete_retro_item(a.user_id, item.id, state.clock.now()).await?)
}
