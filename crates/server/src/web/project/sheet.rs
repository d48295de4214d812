//! The task sheet and interactive Gantt's data and edits, for the page's
//! script: `GET /projects/{id}/sheet.json` (every row's columns as text, the
//! links, what the caller may change) and `POST /projects/{id}/sheet` (one
//! edit: a cell, a new row, an indent, a removal, a link). Errors answer as
//! the API does (status and error body), so the script can show them in
//! place.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tandem_core::model::Day;
use tandem_core::project::{DependencyType, LocalTime};
use tandem_core::{Id, ProjectAction};

use crate::access::project_access;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{ApiJson, IdPath};
use crate::state::AppState;
use tandem_app::ops::project::sheet::{self, CellEdit, RowPlace, SheetLink, SheetRow, WbsMove};
use tandem_app::ops::project::{self as ops, CreateDependency, Removal};

#[derive(Serialize)]
struct ProjectFacts {
    id: Id,
    key: String,
    start: LocalTime,
    finish: LocalTime,
    status_date: Option<LocalTime>,
    today: Day,
    /// The reader's date order (`day_month`, `month_day`, `iso`), so the
    /// sheet writes dates as every other page does.
    date_order: tandem_core::prefs::DateOrder,
}

#[derive(Serialize)]
pub struct SheetData {
    project: ProjectFacts,
    /// May change everything.
    can_edit: bool,
    /// Tasks whose progress the caller may report (a contributor's own).
    progress: Vec<Id>,
    /// The baseline the grey bars show, by number.
    baseline: Option<i64>,
    rows: Vec<SheetRow>,
    links: Vec<SheetLink>,
    /// The workspace's task fields, as the sheet's last columns.
    fields: Vec<SheetField>,
}

/// A custom field as a column of the sheet.
#[derive(Serialize)]
struct SheetField {
    key: String,
    name: String,
    #[serde(rename = "type")]
    kind: tandem_core::custom::FieldType,
    options: Vec<String>,
    /// A person field's members: user id → name.
    people: std::collections::BTreeMap<String, String>,
}

pub async fn data(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let a = project_access(&state, p.id(), path.id()?, ProjectAction::Read).await?;
    let g = ops::gantt_data(&state, a.scope.project_id, None).await?;
    let c = &g.computed;
    let (mut rows, mut links) = sheet::rows(&c.plan, &c.view, g.baseline.as_ref());
    // The task list's filter, as its address carries it.
    if raw.as_deref().is_some_and(|r| !r.is_empty()) {
        let (ctx, q) =
            crate::web::lists::task_query(&state, a.scope.workspace_id, a.scope.project_id, p.id(), raw.as_deref())
                .await?;
        if !q.is_empty() {
            let kept = crate::web::lists::kept_tasks(&c.plan.tasks, &ctx, &q);
            let at: HashMap<Id, usize> = kept.iter().enumerate().map(|(i, id)| (*id, i)).collect();
            rows.retain(|r| at.contains_key(&r.id));
            rows.sort_by_key(|r| at.get(&r.id).copied().unwrap_or(usize::MAX));
            links.retain(|l| at.contains_key(&l.from) && at.contains_key(&l.to));
        }
    }
    let can_edit = a.manages();
    let progress = if can_edit || !tandem_core::access::may_update_progress(a.role, false, true) {
        Vec::new()
    } else {
        let mine: HashSet<Id> = c.plan.resources.iter().filter(|r| r.user_id == Some(p.id())).map(|r| r.id).collect();
        c.plan
            .tasks
            .iter()
            .filter(|t| t.assignments.iter().any(|x| mine.contains(&x.resource_id)))
            .filter(|t| t.kind != tandem_core::project::TaskKind::Summary)
            .map(|t| t.id)
            .collect()
    };
    let project = ProjectFacts {
        id: c.plan.project.id,
        key: c.plan.project.key.clone(),
        start: c.view.project.start,
        finish: c.view.project.finish,
        status_date: c.plan.project.status_date,
        today: g.today,
        date_order: p.user.date_order,
    };
    let defs = state.store.custom_fields(a.scope.workspace_id, Some(tandem_core::custom::FieldObject::Task)).await?;
    let people: std::collections::BTreeMap<String, String> =
        if defs.iter().any(|f| f.kind == tandem_core::custom::FieldType::Person) {
            let members = state.store.members(a.scope.workspace_id, None, tandem_store::MAX_PAGE).await?.items;
            members.into_iter().map(|m| (m.user_id.to_string(), m.name)).collect()
        } else {
            Default::default()
        };
    let fields = defs
        .into_iter()
        .map(|f| SheetField {
            people: if f.kind == tandem_core::custom::FieldType::Person { people.clone() } else { Default::default() },
            key: f.key,
            name: f.name,
            kind: f.kind,
            options: f.options,
        })
        .collect();
    let baseline = g.baseline.as_ref().map(|b| b.number);
    let data = SheetData { project, can_edit, progress, baseline, rows, links, fields };
    crate::respond::json_compressed(&data, &headers)
}

/// One edit from the sheet or the chart.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SheetOp {
    Cell(CellEdit),
    /// A new row below the last (`after`) or above a task (`before`),
    /// named as typed.
    Add {
        after: Option<Id>,
        before: Option<Id>,
        name: String,
        duration: Option<String>,
    },
    Move {
        task: Id,
        version: i64,
        how: WbsMove,
    },
    Delete {
        task: Id,
    },
    /// A finish-to-start link drawn from one bar to another.
    Link {
        from: Id,
        to: Id,
    },
    /// Removes a link (the undo of `link`).
    Unlink {
        dependency: Id,
    },
}

pub async fn edit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(op): ApiJson<SheetOp>,
) -> Result<Json<Value>, ApiError> {
    let project = path.id()?;
    // Every task named must be this project's: a stray id is not found.
    let named = match &op {
        SheetOp::Cell(c) => vec![c.task],
        SheetOp::Add { after, before, .. } => after.iter().chain(before.iter()).copied().collect(),
        SheetOp::Move { task, .. } | SheetOp::Delete { task } => vec![*task],
        SheetOp::Link { from, to } => vec![*from, *to],
        SheetOp::Unlink { .. } => Vec::new(),
    };
    for t in named {
        if state.store.task_project(t).await? != project {
            return Err(ApiError::NotFound);
        }
    }
    let edit = || project_access(&state, p.id(), project, ProjectAction::Edit);
    let id = match op {
        SheetOp::Cell(c) => {
            let task = c.task;
            sheet::edit_cell(&state, p.id(), c).await?;
            task
        }
        SheetOp::Add { after, before, name, duration } => {
            let place = match (before, after) {
                (Some(b), _) => RowPlace::Before(b),
                (None, Some(a)) => RowPlace::After(a),
                (None, None) => RowPlace::End,
            };
            sheet::add_row(&state, &edit().await?, place, &name, duration.as_deref()).await?.id
        }
        SheetOp::Move { task, version, how } => {
            sheet::move_in_wbs(&state, &edit().await?, task, version, how).await?;
            task
        }
        SheetOp::Delete { task } => {
            ops::remove(&state, &edit().await?, Removal::Task(task)).await?;
            task
        }
        SheetOp::Link { from, to } => {
            let req = CreateDependency {
                predecessor_id: from,
                successor_id: to,
                kind: Some(DependencyType::Fs),
                lag_minutes: None,
                lag_kind: None,
                lag_percent: None,
            };
            ops::create_dependency(&state, &edit().await?, req).await?.id
        }
        SheetOp::Unlink { dependency } => {
            if state.store.dependency_project(dependency).await? != project {
                return Err(ApiError::NotFound);
            }
            ops::remove(&state, &edit().await?, Removal::Dependency(dependency)).await?;
            dependency
        }
    };
    Ok(Json(json!({"ok": true, "id": id})))
}
