//! Sprints, their burndown and the team's velocity, and the board.

use serde::{Deserialize, Serialize};
use tandem_core::Id;
use tandem_core::agile::{
    BurndownDay, Sprint, SprintItem, SprintStatus, burndown, points_done, sprint_dates, velocity,
};
use tandem_core::model::Day;
use tandem_core::project::{BoardStatus, Task};
use tandem_core::validate;
use tandem_store::agile::SprintEdit;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProject;
use crate::error::AppError;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSprint {
    pub name: String,
    pub start: Day,
    pub finish: Day,
    pub goal: Option<String>,
    pub capacity_points: Option<f64>,
    /// Defaults to `planned`.
    pub status: Option<SprintStatus>,
}

fn capacity(v: Option<f64>) -> Result<Option<f64>, validate::Invalid> {
    match v {
        Some(p) if !(p.is_finite() && (0.0..=100_000.0).contains(&p)) => {
            Err(validate::Invalid::new("capacity_points", "must be from 0 to 100000"))
        }
        other => Ok(other),
    }
}

pub async fn create_sprint(state: &App, a: &InProject, req: CreateSprint) -> Result<Sprint, AppError> {
    sprint_dates(req.start, req.finish)?;
    let e = SprintEdit {
        name: validate::name("name", &req.name)?,
        start: req.start,
        finish: req.finish,
        goal: validate::long_text("goal", req.goal.as_deref().unwrap_or(""))?,
        capacity_points: capacity(req.capacity_points)?,
        status: req.status.unwrap_or(SprintStatus::Planned),
    };
    Ok(state.store.create_sprint(a.user_id, a.scope.project_id, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSprint {
    pub name: Option<String>,
    pub start: Option<Day>,
    pub finish: Option<Day>,
    pub goal: Option<String>,
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<f64>)]
    pub capacity_points: Option<Option<f64>>,
    pub status: Option<SprintStatus>,
    pub version: Option<i64>,
}

pub async fn update_sprint(
    state: &App,
    a: &InProject,
    sprint: Id,
    version: i64,
    req: UpdateSprint,
) -> Result<Sprint, AppError> {
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let goal = req.goal.map(|g| validate::long_text("goal", &g)).transpose()?;
    let cap = req.capacity_points.map(capacity).transpose()?;
    Ok(state
        .store
        .update_sprint(
            a.user_id,
            sprint,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.start {
                    e.start = v;
                }
                if let Some(v) = req.finish {
                    e.finish = v;
                }
                if let Some(v) = goal {
                    e.goal = v;
                }
                if let Some(v) = cap {
                    e.capacity_points = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                sprint_dates(e.start, e.finish)
            },
            state.clock.now(),
        )
        .await?)
}

fn items(tasks: &[Task], sprint: Id) -> Vec<SprintItem> {
    tasks
        .iter()
        .filter(|t| t.sprint_id == Some(sprint))
        .map(|t| SprintItem {
            points: t.story_points.unwrap_or(0.0),
            done_on: t.is_done().then(|| t.done_at.map(Day::of)).flatten(),
        })
        .collect()
}

/// A sprint with its committed and completed points.
#[derive(Debug, Serialize, ToSchema)]
pub struct SprintView {
    #[serde(flatten)]
    pub sprint: Sprint,
    pub committed_points: f64,
    pub done_points: f64,
    pub tasks: usize,
    /// Set when an open sprint commits more than its capacity or the velocity.
    pub over_commitment: Option<tandem_core::agile::OverCommitment>,
}

/// `GET /projects/{id}/sprints`: the sprints and the velocity (mean
/// points done over the last three closed sprints).
#[derive(Debug, Serialize, ToSchema)]
pub struct SprintList {
    pub items: Vec<SprintView>,
    pub velocity: Option<f64>,
}

pub async fn sprints(state: &App, project: Id) -> Result<SprintList, AppError> {
    let tasks = state.store.tasks(project).await?;
    let mut closed = Vec::new();
    let items = state
        .store
        .sprints(project)
        .await?
        .into_iter()
        .map(|s| {
            let it = items(&tasks, s.id);
            let done = points_done(s.finish, &it);
            if s.status == SprintStatus::Closed {
                closed.push(done);
            }
            let committed = (it.iter().map(|i| i.points).sum::<f64>() * 100.0).round() / 100.0 + 0.0;
            SprintView {
                tasks: it.len(),
                committed_points: committed,
                done_points: done,
                over_commitment: None,
                sprint: s,
            }
        })
        .collect::<Vec<_>>();
    let velocity = velocity(&closed);
    let items = items
        .into_iter()
        .map(|mut v| {
            let capacity = v.sprint.capacity_points;
            v.over_commitment =
                tandem_core::agile::over_commitment(v.sprint.status, v.committed_points, capacity, velocity);
            v
        })
        .collect();
    Ok(SprintList { items, velocity })
}

/// `GET /sprints/{id}/burndown`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Burndown {
    pub sprint_id: Id,
    pub committed_points: f64,
    pub days: Vec<BurndownDay>,
}

pub async fn sprint_burndown(state: &App, sprint: &Sprint) -> Result<Burndown, AppError> {
    let tasks = state.store.tasks(sprint.project_id).await?;
    let it = items(&tasks, sprint.id);
    let today = Day::of(state.clock.now());
    let days = burndown(sprint.start, sprint.finish, &it, today);
    Ok(Burndown { sprint_id: sprint.id, committed_points: days.first().map_or(0.0, |d| d.ideal), days })
}

/// One card on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct Card {
    pub id: Id,
    pub key: String,
    pub name: String,
    pub status: BoardStatus,
    pub story_points: Option<f64>,
    pub sprint_id: Option<Id>,
    pub assignee_ids: Vec<Id>,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Column {
    pub status: BoardStatus,
    pub cards: Vec<Card>,
    pub points: f64,
}

/// `GET /projects/{id}/board`: a column per board status; summaries are
/// not cards.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub columns: Vec<Column>,
}

pub const COLUMNS: [BoardStatus; 5] =
    [BoardStatus::Todo, BoardStatus::InProgress, BoardStatus::Review, BoardStatus::Done, BoardStatus::Blocked];

pub async fn board(state: &App, project: Id, sprint: Option<Id>) -> Result<Board, AppError> {
    let tasks = state.store.tasks(project).await?;
    let columns = COLUMNS
        .iter()
        .map(|&status| {
            let cards: Vec<Card> = tasks
                .iter()
                .filter(|t| t.kind != tandem_core::project::TaskKind::Summary && t.status == status)
                .filter(|t| sprint.is_none() || t.sprint_id == sprint)
                .map(|t| Card {
                    id: t.id,
                    key: t.key.clone(),
                    name: t.name.clone(),
                    status: t.status,
                    story_points: t.story_points,
                    sprint_id: t.sprint_id,
                    assignee_ids: t.assignments.iter().map(|a| a.resource_id).collect(),
                    version: t.version,
                })
                .collect();
            let points = cards.iter().filter_map(|c| c.story_points).sum();
            Column { status, cards, points }
        })
        .collect();
    Ok(Board { columns })
}

/// Whether one of the task's resources is the caller.
pub async fn assigned_to(state: &App, task: &Task, user: Id) -> Result<bool, AppError> {
    for a in &task.assignments {
        if state.store.resource(a.resource_id).await?.user_id == Some(user) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the caller may change the task's progress and board column:
/// whoever edits the plan, or a contributor assigned to it.
pub async fn may_update_progress(state: &App, a: &InProject, task: &Task) -> Result<bool, AppError> {
    // The rule is core's; the assignment is read only when it can matter.
    let manages = a.manages();
    let assigned = !manages && a.contributes() && assigned_to(state, task, a.user_id).await?;
    Ok(tandem_core::access::may_update_progress(a.role, manages, assigned))
}
