//! The board and the sprints with their burndowns and velocity.

use super::*;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::agile::Sprint;
use tandem_core::model::Day;
use tandem_core::project::BoardStatus;
use tandem_core::{Id, ProjectAction};

use super::{PageForm, PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self, Series};
use crate::web::lists::{self, Bar, Ctx};
use axum::extract::RawQuery;
use tandem_app::ops::agile::{self, COLUMNS};
use tandem_core::custom::FieldObject;
use tandem_core::views::ViewPage;

// ---- board ----

struct CardView {
    id: Id,
    key: String,
    name: String,
    points: String,
    version: i64,
    mine: bool,
    assignees: String,
}

struct ColumnView {
    status: BoardStatus,
    cards: Vec<CardView>,
    points: String,
}

/// A swimlane: one group's cards in every column (one unnamed lane when
/// the board is not grouped).
struct Lane {
    name: String,
    cards: usize,
    columns: Vec<ColumnView>,
}

#[derive(Template)]
#[template(path = "project_board.html")]
struct BoardPage {
    shell: Shell,
    f: Frame,
    lanes: Vec<Lane>,
    statuses: [BoardStatus; 5],
    bar: Bar,
    sprints: Vec<Sprint>,
    /// Cards hidden by the filter.
    hidden: usize,
}

pub async fn board(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (at, id) = page(&path, "/board");
    let (shell, f, a) = frame(&state, &p, id?, "board", &at).await?;
    let b = agile::board(&state, f.project.id, None).await.map_err(on(&at))?;
    let all_resources = state.store.resources(f.project.workspace_id).await.map_err(on(&at))?;
    let sprints = state.store.sprints(f.project.id).await.map_err(on(&at))?;
    let names = sprints.iter().map(|s| (s.id, s.name.clone())).collect();
    let ctx = Ctx::load(&state, a.scope.workspace_id, FieldObject::Task, names)
        .await
        .map_err(on(&at))?
        .with_resources(&all_resources);
    let q = lists::parse(&lists::pairs(raw.as_deref()), ViewPage::Board, &ctx, &[])
        .map_err(on(&at))?
        .with_me(&["assignee"], &a.user_id.to_string());
    let tasks = state.store.tasks(f.project.id).await.map_err(on(&at))?;
    let rank: HashMap<Id, usize> =
        lists::kept_tasks(&tasks, &ctx, &q).into_iter().enumerate().map(|(i, t)| (t, i)).collect();
    let picks = vec![
        ("assignee", "Assignee", ctx.assignee_choices()),
        ("sprint", "Sprint", sprints.iter().map(|s| (s.id.to_string(), s.name.clone())).collect()),
        ("status", "Status", lists::words(&COLUMNS)),
    ];
    let place = lists::Place { ws: a.scope.workspace_id, user: a.user_id, page: ViewPage::Board, action: at.clone() };
    let bar = lists::bar(&state, place, &q, &ctx, picks).await.map_err(on(&at))?;
    let resources: HashMap<Id, tandem_core::tracking::Resource> =
        all_resources.into_iter().map(|r| (r.id, r)).collect();
    let card_view = |card: &agile::Card| CardView {
        assignees: card
            .assignee_ids
            .iter()
            .filter_map(|r| resources.get(r).map(|r| r.name.clone()))
            .collect::<Vec<_>>()
            .join(", "),
        mine: card.assignee_ids.iter().any(|r| resources.get(r).and_then(|r| r.user_id) == Some(a.user_id)),
        id: card.id,
        key: card.key.clone(),
        name: card.name.clone(),
        points: card.story_points.map(charts::fmt_num).unwrap_or_default(),
        version: card.version,
    };
    let hidden = b.columns.iter().flat_map(|c| &c.cards).filter(|card| !rank.contains_key(&card.id)).count();
    // Grouped, the board is a lane per group (a swimlane), each with
    // every column.
    let (names, lane_of) = match q.group {
        Some(_) => lists::lanes(&tasks, &ctx, &q),
        None => (vec![String::new()], HashMap::new()),
    };
    let lanes = names
        .into_iter()
        .enumerate()
        .map(|(lane, name)| {
            let columns: Vec<ColumnView> = b
                .columns
                .iter()
                .map(|c| {
                    let mut cards: Vec<&agile::Card> = c
                        .cards
                        .iter()
                        .filter(|card| rank.contains_key(&card.id))
                        .filter(|card| lane_of.get(&card.id).copied().unwrap_or(0) == lane)
                        .collect();
                    if q.sort.is_some() {
                        cards.sort_by_key(|card| rank.get(&card.id).copied().unwrap_or(usize::MAX));
                    }
                    ColumnView {
                        status: c.status,
                        points: charts::fmt_num(cards.iter().filter_map(|x| x.story_points).sum()),
                        cards: cards.into_iter().map(card_view).collect(),
                    }
                })
                .collect();
            Lane { name, cards: columns.iter().map(|c| c.cards.len()).sum(), columns }
        })
        .collect();
    Ok(render(StatusCode::OK, &BoardPage { shell, f, lanes, statuses: COLUMNS, bar, sprints, hidden }))
}

impl BoardPage {
    /// The columns' heading level: under a lane's heading when grouped.
    fn level(&self) -> u8 {
        if self.lanes.iter().any(|l| !l.name.is_empty()) { 3 } else { 2 }
    }
}

// ---- sprints ----

#[derive(Template)]
#[template(path = "project_sprints.html")]
struct SprintsPage {
    shell: Shell,
    f: Frame,
    sprints: Vec<agile::SprintView>,
    velocity: String,
    shown: Option<Sprint>,
    burndown: String,
    velocity_chart: String,
}

#[derive(Deserialize)]
pub struct SprintQuery {
    sprint: Option<String>,
}

pub async fn sprints(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    Query(q): Query<SprintQuery>,
) -> PageResult {
    let (at, id) = page(&path, "/sprints");
    let (shell, f, _) = frame(&state, &p, id?, "sprints", &at).await?;
    let list = agile::sprints(&state, f.project.id).await.map_err(on(&at))?;
    let wanted = opt_id(q.sprint.as_deref());
    let shown = list
        .items
        .iter()
        .find(|s| Some(s.sprint.id) == wanted)
        .or_else(|| list.items.iter().find(|s| s.sprint.status == tandem_core::agile::SprintStatus::Active))
        .or(list.items.last())
        .map(|s| s.sprint.clone());
    let burndown = match &shown {
        Some(s) => {
            let b = agile::sprint_burndown(&state, s).await.map_err(on(&at))?;
            let labels: Vec<String> = b.days.iter().map(|d| shell.human.short(d.date)).collect();
            let series = [
                Series {
                    name: "Ideal",
                    colour: "#9aa5b1",
                    values: b.days.iter().map(|d| Some(d.ideal)).collect(),
                    dashed: true,
                },
                Series {
                    name: "Remaining",
                    colour: "#3b6fb6",
                    values: b.days.iter().map(|d| d.remaining).collect(),
                    dashed: false,
                },
            ];
            charts::multi_line(&format!("{} burndown", s.name), &labels, &series, "points")
        }
        None => String::new(),
    };
    let bars: Vec<(String, f64)> = list
        .items
        .iter()
        .filter(|s| s.sprint.status == tandem_core::agile::SprintStatus::Closed)
        .map(|s| (s.sprint.name.clone(), s.done_points))
        .collect();
    let velocity_chart = charts::bar_chart("Points done per closed sprint", &bars);
    Ok(render(
        StatusCode::OK,
        &SprintsPage {
            shell,
            f,
            velocity: list.velocity.map(charts::fmt_num).unwrap_or_else(|| "–".into()),
            sprints: list.items,
            shown,
            burndown,
            velocity_chart,
        },
    ))
}

#[derive(Deserialize)]
pub struct NewSprintForm {
    name: String,
    start: Day,
    finish: Day,
    goal: Option<String>,
    capacity_points: Option<String>,
}

pub async fn sprint_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NewSprintForm>,
) -> PageResult {
    let (at, id) = page(&path, "/sprints");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = agile::CreateSprint {
        name: form.name,
        start: form.start,
        finish: form.finish,
        goal: form.goal,
        capacity_points: form.capacity_points.and_then(|c| c.trim().parse().ok()),
        status: None,
    };
    agile::create_sprint(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

/// Acts on the ticked cards of the board at once.
pub async fn tasks_bulk(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    crate::web::PagePairs(pairs): crate::web::PagePairs,
) -> PageResult {
    use tandem_app::ops::project::{BulkTaskAction, BulkTasks, bulk_tasks};
    let (at, id) = page(&path, "/board");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let t = lists::Ticked::read(pairs, &at, "cards")?;
    let req = BulkTasks {
        action: t.action(BulkTaskAction::parse)?,
        sprint_id: t.one("sprint_id").and_then(|v| v.parse().ok()),
        status: t.one("status").and_then(BoardStatus::parse),
        ids: t.ids,
    };
    let back = t.back;
    bulk_tasks(&state, &a, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}
