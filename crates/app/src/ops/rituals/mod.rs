//! Team rituals: the daily stand-up (`standup`), the sprint review
//! (`review`), the retrospective (`retro`), and the follow-ups a blocker or
//! a retrospective card becomes (here).

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::risk::{RiskResponse, RiskStatus};
use tandem_core::rituals::{ActionKind, FollowUp, Origin};
use tandem_core::validate::{self, Invalid};
use tandem_store::risks::RiskEdit;
use tandem_store::rituals::{FollowUpEdit, Made};
use utoipa::ToSchema;

use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::ops::project::task_for_owner;

pub mod retro;
pub mod review;
pub mod standup;

/// What a blocker or a card becomes: a risk on the task (probability and
/// impact 3 of 5, to be rated in the register), a task in the plan, or a
/// follow-up with an owner (a task is assigned to the owner's resource, due
/// by its deadline).
pub(crate) async fn made(
    state: &App,
    ws: Id,
    kind: ActionKind,
    title: &str,
    owner: Option<Id>,
    due: Option<Day>,
    task: Option<Id>,
) -> Result<Made, AppError> {
    Ok(match kind {
        ActionKind::Risk => Made::Risk(Box::new(RiskEdit {
            title: validate::name("title", title)?,
            description: String::new(),
            probability: 3,
            impact: 3,
            cost_impact_minor: 0,
            owner_id: owner,
            response: RiskResponse::Mitigate,
            mitigation: String::new(),
            trigger: String::new(),
            status: RiskStatus::Open,
            task_ids: task.into_iter().collect(),
            custom_fields: Default::default(),
        })),
        ActionKind::Task => Made::Task(Box::new(task_for_owner(state, ws, title, owner, due).await?)),
        ActionKind::FollowUp => {
            Made::FollowUp(FollowUpEdit { title: validate::name("title", title)?, owner_id: owner, due, done: false })
        }
    })
}

/// `POST /projects/{id}/follow-ups`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFollowUp {
    pub title: String,
    pub owner_id: Option<Id>,
    #[schema(value_type = Option<String>)]
    pub due: Option<Day>,
}

pub async fn create_follow_up(state: &App, a: &InProject, req: CreateFollowUp) -> Result<FollowUp, AppError> {
    let e =
        FollowUpEdit { title: validate::name("title", &req.title)?, owner_id: req.owner_id, due: req.due, done: false };
    Ok(state.store.create_follow_up(a.user_id, a.scope.project_id, &e, Origin::Standup, state.clock.now()).await?)
}

/// `PATCH /follow-ups/{id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUp {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<String>)]
    pub due: Option<Option<Day>>,
    pub done: Option<bool>,
    pub version: Option<i64>,
}

/// The project's manager edits a follow-up; its owner may also tick it
/// done (or open it again), and nothing else.
pub async fn update_follow_up(
    state: &App,
    a: &InProject,
    f: &FollowUp,
    version: i64,
    req: UpdateFollowUp,
) -> Result<FollowUp, AppError> {
    let only_done = req.title.is_none() && req.owner_id.is_none() && req.due.is_none();
    if !(a.manages() || (only_done && f.owner_id == Some(a.user_id))) {
        return Err(AppError::Forbidden);
    }
    let title = req.title.map(|t| validate::name("title", &t)).transpose()?;
    Ok(state
        .store
        .update_follow_up(
            a.user_id,
            f.id,
            version,
            |e| -> Result<(), Invalid> {
                if let Some(t) = title {
                    e.title = t;
                }
                if let Some(o) = req.owner_id {
                    e.owner_id = o;
                }
                if let Some(d) = req.due {
                    e.due = d;
                }
                if let Some(d) = req.done {
                    e.done = d;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?)
}
