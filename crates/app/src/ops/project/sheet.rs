//! The task sheet (MS Project's Gantt Chart view, in the browser): its rows
//! with every column as text, and the cells typed as text: predecessors
//! (`4FS+2d, 7SS`) and resources (`Ana[50%], Bob`). A task's number (the
//! `n` of `KEY-n`, the sheet's ID column) names it in the predecessors
//! cell; unlike MS Project's row IDs it does not change when rows move.

use std::collections::HashMap;

use serde::Serialize;
use tandem_core::plan_text::{self, LinkText};
use tandem_core::project::{Dependency, LagKind, LocalTime, Task, TaskAssignment, TaskKind};
use tandem_core::tracking::{Baseline, ResourceKind};
use tandem_core::{Id, Millis};
use tandem_store::tasks::NewDependency;

use super::{UpdateTask, lag_of, load_plan, update_task};
use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::plan::{Plan, ScheduleView};

/// One row of the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub id: Id,
    /// The ID column: the `n` of `KEY-n`.
    pub number: i64,
    pub key: String,
    pub wbs: String,
    /// Depth in the WBS, from 1.
    pub level: u32,
    pub kind: TaskKind,
    pub name: String,
    pub duration: String,
    pub start: LocalTime,
    pub finish: LocalTime,
    /// A start-no-earlier-than date set by hand or by moving the bar.
    pub constraint: tandem_core::project::ConstraintType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_date: Option<LocalTime>,
    pub predecessors: String,
    pub resources: String,
    /// The people (resources with a member) on the task.
    pub assignee: String,
    pub percent_complete: i64,
    pub total_slack_minutes: i64,
    pub critical: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_start: Option<LocalTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_finish: Option<LocalTime>,
    pub version: i64,
    /// Custom values as text, keyed `cf.<key>` like their columns (a
    /// person as their user id, options joined with commas).
    #[serde(flatten)]
    pub custom: std::collections::BTreeMap<String, String>,
}

/// A link for the chart's arrows.
#[derive(Debug, Clone, Serialize)]
pub struct SheetLink {
    pub id: Id,
    pub from: Id,
    pub to: Id,
    #[serde(rename = "type")]
    pub kind: tandem_core::project::DependencyType,
    pub critical: bool,
}

/// The task's number in its key `KEY-n`.
pub fn number_of(t: &Task) -> i64 {
    t.key.rsplit_once('-').and_then(|(_, n)| n.parse().ok()).unwrap_or(0)
}

fn link_text(d: &Dependency, number: i64) -> LinkText {
    let lag = match d.lag_kind {
        LagKind::Percent => d.lag_percent.map_or(0, |p| (p * 100.0).round() as i64),
        _ => d.lag_minutes,
    };
    LinkText { number, kind: d.kind, lag, lag_kind: d.lag_kind }
}

/// Every task's predecessors cell, by task.
fn predecessor_cells(plan: &Plan) -> HashMap<Id, String> {
    let numbers: HashMap<Id, i64> = plan.tasks.iter().map(|t| (t.id, number_of(t))).collect();
    let mut links: HashMap<Id, Vec<LinkText>> = HashMap::new();
    for d in &plan.deps {
        let n = numbers.get(&d.predecessor_id).copied().unwrap_or(0);
        links.entry(d.successor_id).or_default().push(link_text(d, n));
    }
    links.into_iter().map(|(t, l)| (t, plan_text::predecessors_text(&l))).collect()
}

/// The sheet: one row per task in WBS order, and the links.
pub fn rows(plan: &Plan, view: &ScheduleView, baseline: Option<&Baseline>) -> (Vec<SheetRow>, Vec<SheetLink>) {
    let preds = predecessor_cells(plan);
    // A summary's duration is its span in working time, as MS Project shows it.
    let calendar = crate::plan::calendar(&plan.calendar).ok();
    let span = |s: &crate::plan::ScheduledTask| {
        calendar.as_ref().map(|c| c.between(crate::plan::minute(s.start), crate::plan::minute(s.finish)))
    };
    let by_resource: HashMap<Id, &tandem_core::tracking::Resource> = plan.resources.iter().map(|r| (r.id, r)).collect();
    let base: HashMap<Id, (LocalTime, LocalTime)> =
        baseline.map(|b| b.tasks.iter().map(|r| (r.task_id, (r.start, r.finish))).collect()).unwrap_or_default();
    let rows = plan
        .tasks
        .iter()
        .zip(&view.tasks)
        .map(|(t, s)| {
            let named: Vec<(&str, i64, bool)> = t
                .assignments
                .iter()
                .filter_map(|a| {
                    by_resource
                        .get(&a.resource_id)
                        .map(|r| (r.name.as_str(), a.units, r.user_id.is_some() && r.kind == ResourceKind::Work))
                })
                .collect();
            SheetRow {
                id: t.id,
                number: number_of(t),
                key: t.key.clone(),
                wbs: t.wbs.clone(),
                level: t.outline_level,
                kind: t.kind,
                name: t.name.clone(),
                duration: plan_text::duration_text(if s.summary { span(s).unwrap_or(0) } else { t.duration_minutes }),
                start: s.start,
                finish: s.finish,
                constraint: t.constraint.kind,
                constraint_date: t.constraint.date,
                predecessors: preds.get(&t.id).cloned().unwrap_or_default(),
                resources: plan_text::assignments_text(named.iter().map(|(n, u, _)| (*n, *u))),
                assignee: named.iter().filter(|x| x.2).map(|x| x.0).collect::<Vec<_>>().join(", "),
                percent_complete: s.percent_complete,
                total_slack_minutes: s.total_slack_minutes,
                critical: s.critical,
                baseline_start: base.get(&t.id).map(|b| b.0),
                baseline_finish: base.get(&t.id).map(|b| b.1),
                version: t.version,
                custom: t
                    .custom_fields
                    .iter()
                    .map(|(k, v)| (format!("cf.{k}"), tandem_core::custom::display(v)))
                    .collect(),
            }
        })
        .collect();
    let critical: HashMap<Id, bool> = view.tasks.iter().map(|s| (s.id, s.critical && !s.summary)).collect();
    let on = |t: &Id| critical.get(t).copied().unwrap_or(false);
    let links = plan
        .deps
        .iter()
        .map(|d| SheetLink {
            id: d.id,
            from: d.predecessor_id,
            to: d.successor_id,
            kind: d.kind,
            critical: on(&d.predecessor_id) && on(&d.successor_id),
        })
        .collect();
    (rows, links)
}

/// The link as the plan holds it, for checking a change before it is stored.
pub(super) fn planned(d: &NewDependency, project: Id, now: Millis) -> Dependency {
    let percent = d.lag_kind == LagKind::Percent;
    Dependency {
        id: Id(i64::MAX),
        project_id: project,
        predecessor_id: d.predecessor_id,
        successor_id: d.successor_id,
        kind: d.kind,
        lag_minutes: if percent { 0 } else { d.lag },
        lag_kind: d.lag_kind,
        lag_percent: percent.then(|| d.lag as f64 / 100.0),
        version: 0,
        created_at: now,
        updated_at: now,
    }
}

/// The plan to check an edit on: the shared one, or loaded afresh when the
/// engine cannot schedule it (so the edit's own error shows).
pub(super) async fn plan_to_check(state: &App, project: Id) -> Result<Plan, AppError> {
    match crate::schedules::computed(state, project).await {
        Ok(c) => Ok(c.plan.clone()),
        Err(AppError::Invalid(_)) => load_plan(state, project).await,
        Err(e) => Err(e),
    }
}

/// Makes the typed text the task's predecessors, in one transaction. `seen`
/// is the cell as the caller read it: if the links changed since, nothing is
/// stored and the answer is `Stale`. A cycle is refused, naming the tasks.
pub async fn set_predecessors(
    state: &App,
    a: &InProject,
    task: Id,
    text: &str,
    seen: Option<&str>,
) -> Result<(), AppError> {
    let typed = plan_text::parse_predecessors("predecessors", text)?;
    let mut plan = plan_to_check(state, a.scope.project_id).await?;
    if !plan.tasks.iter().any(|t| t.id == task) {
        return Err(AppError::NotFound);
    }
    let current = predecessor_cells(&plan).remove(&task).unwrap_or_default();
    if seen.is_some_and(|s| s.trim() != current) {
        return Err(AppError::Stale { current: 0 });
    }
    let by_number: HashMap<i64, Id> = plan.tasks.iter().map(|t| (number_of(t), t.id)).collect();
    let mut links: Vec<NewDependency> = Vec::with_capacity(typed.len());
    for l in &typed {
        let pred = *by_number
            .get(&l.number)
            .ok_or_else(|| AppError::invalid("predecessors", format!("there is no task {}", l.number)))?;
        if pred == task {
            return Err(AppError::invalid("predecessors", "a task cannot depend on itself"));
        }
        if links.iter().any(|x| x.predecessor_id == pred) {
            return Err(AppError::invalid("predecessors", format!("task {} is named twice", l.number)));
        }
        let (lag, lag_kind) = match l.lag_kind {
            LagKind::Percent => lag_of(None, Some(LagKind::Percent), Some(l.lag as f64 / 100.0))?,
            kind => lag_of(Some(l.lag), Some(kind), None)?,
        };
        links.push(NewDependency { predecessor_id: pred, successor_id: task, kind: l.kind, lag, lag_kind });
    }
    let now = state.clock.now();
    plan.deps.retain(|d| d.successor_id != task);
    plan.deps.extend(links.iter().map(|d| planned(d, plan.project.id, now)));
    tandem_sched::Graph::build(&plan.network()?).map_err(|e| crate::plan::explain(e.into(), &plan.tasks))?;
    Ok(state.store.replace_predecessors(a.user_id, a.scope.project_id, task, &links, now).await?)
}

/// Makes the typed resource names, each with its units, the task's
/// assignments. Names match the workspace's resources ignoring case, whole
/// or by the start of exactly one; an unknown name is refused (resources
/// are added on the resources page).
pub async fn set_resources(state: &App, a: &InProject, task: Id, version: i64, text: &str) -> Result<Task, AppError> {
    let typed = plan_text::parse_assignments("resources", text)?;
    let resources = state.store.resources(a.scope.workspace_id).await?;
    let mut list = Vec::with_capacity(typed.len());
    for (name, units) in typed {
        // The whole name, or the start of exactly one (`Carlos` for Carlos Contributor).
        let lower = name.to_lowercase();
        let exact = resources.iter().find(|r| r.name.to_lowercase() == lower);
        let starting: Vec<_> = resources.iter().filter(|r| r.name.to_lowercase().starts_with(&lower)).collect();
        let r = match (exact, starting.as_slice()) {
            (Some(r), _) => r,
            (None, [r]) => *r,
            (None, []) => {
                return Err(AppError::invalid(
                    "resources",
                    format!("no resource is named {name}; add it on the resources page first"),
                ));
            }
            (None, many) => {
                let names: Vec<&str> = many.iter().take(5).map(|r| r.name.as_str()).collect();
                return Err(AppError::invalid("resources", format!("{name} could be {}", names.join(" or "))));
            }
        };
        list.push(TaskAssignment { resource_id: r.id, units });
    }
    let req = UpdateTask { assignments: Some(list), version: Some(version), ..UpdateTask::default() };
    update_task(state, a, task, version, req).await
}

/// One cell typed in the sheet.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CellEdit {
    pub task: Id,
    /// `name`, `duration`, `start`, `finish`, `predecessors`, `resources`
    /// or `percent_complete`.
    pub field: String,
    pub value: String,
    /// The task's version as read.
    pub version: i64,
    /// The predecessors cell as read (checked instead of a version).
    pub seen: Option<String>,
}

/// Saves one cell. Whoever edits the plan may change any; a contributor
/// assigned to the task only its `percent_complete`. A start typed (or a
/// bar moved) becomes a start-no-earlier-than constraint, as in MS Project;
/// a finish typed (or a bar's end dragged) sets the duration that ends the
/// task on that day on the project's calendar; an empty start clears the
/// constraint.
pub async fn edit_cell(state: &App, user: Id, cell: CellEdit) -> Result<(), AppError> {
    use tandem_core::project::{ConstraintType, TaskConstraint};
    let value = cell.value.trim();
    let mut req = UpdateTask { version: Some(cell.version), ..UpdateTask::default() };
    match cell.field.as_str() {
        "name" => req.name = Some(value.to_owned()),
        "duration" => {
            let minutes = plan_text::parse_duration("duration", value)?;
            req.kind = Some(if minutes == 0 { TaskKind::Milestone } else { TaskKind::Task });
            req.duration_minutes = Some(minutes);
        }
        "start" => {
            req.constraint = Some(if value.is_empty() {
                TaskConstraint::ASAP
            } else {
                // A time typed with the date is kept; a date alone starts the working day.
                let date = match value.replace(' ', "T").parse::<LocalTime>() {
                    Ok(t) => t,
                    Err(_) => plan_text::parse_date("start", value)?
                        .to_string()
                        .parse::<LocalTime>()
                        .map_err(|e| AppError::invalid("start", e.to_string()))?,
                };
                TaskConstraint { kind: ConstraintType::Snet, date: Some(date) }
            })
        }
        "finish" => req.duration_minutes = Some(duration_to(state, cell.task, value).await?),
        "percent_complete" => {
            let pct = value.trim_end_matches('%').trim().parse::<f64>().ok().filter(|p| p.is_finite());
            let pct = pct.ok_or_else(|| AppError::invalid("percent_complete", "must be a percentage"))?;
            req.percent_complete = Some(pct.round() as i64);
        }
        "predecessors" | "resources" => {}
        other if other.starts_with("cf.") => {
            let key = other.trim_start_matches("cf.").to_owned();
            req.custom_fields = Some([(key, serde_json::Value::String(value.to_owned()))].into());
        }
        other => return Err(AppError::invalid("field", format!("`{other}` is not a column that can be typed in"))),
    }
    let a = if matches!(cell.field.as_str(), "predecessors" | "resources") {
        // Links and assignments are the plan's: never a contributor's.
        let project = state.store.task_project(cell.task).await?;
        crate::access::project_access(state, user, project, tandem_core::ProjectAction::Edit).await?
    } else {
        super::task_edit_access(state, user, cell.task, &req).await?
    };
    if let Some(sent) = req.custom_fields.as_mut() {
        people_by_name(state, a.scope.workspace_id, sent).await?;
    }
    match cell.field.as_str() {
        "predecessors" => set_predecessors(state, &a, cell.task, value, cell.seen.as_deref()).await,
        "resources" => set_resources(state, &a, cell.task, cell.version, value).await.map(drop),
        _ => update_task(state, &a, cell.task, cell.version, req).await.map(drop),
    }
}

/// A person typed by name or e-mail into a person field's cell, as their
/// user id (the value the field keeps).
async fn people_by_name(state: &App, ws: Id, sent: &mut tandem_core::custom::CustomValues) -> Result<(), AppError> {
    use tandem_core::custom::FieldType;
    let fields = state.store.custom_fields(ws, Some(tandem_core::custom::FieldObject::Task)).await?;
    for (k, v) in sent.iter_mut() {
        let Some(f) = fields.iter().find(|f| &f.key == k && f.kind == FieldType::Person) else { continue };
        let Some(typed) = v.as_str().map(str::trim).filter(|t| !t.is_empty() && t.parse::<i64>().is_err()) else {
            continue;
        };
        let members = state.store.members(ws, None, tandem_store::MAX_PAGE).await?.items;
        let m = members
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(typed) || m.email.eq_ignore_ascii_case(typed))
            .ok_or_else(|| {
                AppError::Invalid(tandem_core::validate::Invalid::named(
                    tandem_core::custom::path(&f.key),
                    format!("{}: no member is called “{typed}”", f.name),
                ))
            })?;
        *v = serde_json::Value::String(m.user_id.to_string());
    }
    Ok(())
}

/// The working minutes from the task's scheduled start to the end of `day`.
async fn duration_to(state: &App, task: Id, day: &str) -> Result<i64, AppError> {
    let day = plan_text::parse_date("finish", day)?;
    let project = state.store.task_project(task).await?;
    let c = crate::schedules::computed(state, project).await?;
    let i = c.plan.tasks.iter().position(|t| t.id == task).ok_or(AppError::NotFound)?;
    let cal = crate::plan::calendar(&c.plan.calendar)?;
    let start = crate::plan::minute(c.view.tasks[i].start);
    let end = crate::measure::day_start(day) + tandem_sched::time::DAY;
    let minutes = cal.between(start, end);
    if minutes <= 0 {
        return Err(AppError::invalid("finish", "must come after the start"));
    }
    Ok(minutes.min(tandem_core::project::MAX_DURATION_MINUTES))
}

/// A move of a task in the WBS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WbsMove {
    /// Under the sibling above, as its last subtask.
    Indent,
    /// Out of its parent, just after it.
    Outdent,
    Up,
    Down,
}

/// Moves a task in the WBS as MS Project's indent, outdent and move
/// buttons do; a move that has nowhere to go changes nothing.
pub async fn move_in_wbs(state: &App, a: &InProject, task: Id, version: i64, how: WbsMove) -> Result<(), AppError> {
    let tasks = state.store.tasks(a.scope.project_id).await?;
    let t = tasks.iter().find(|t| t.id == task).ok_or(AppError::NotFound)?;
    let siblings: Vec<&Task> = tasks.iter().filter(|s| s.parent_id == t.parent_id).collect();
    let at = siblings.iter().position(|s| s.id == task).unwrap_or(0);
    let mut req = UpdateTask { version: Some(version), ..UpdateTask::default() };
    // Positions name places among the siblings, from 1 (stored positions
    // may have gaps, so they are counted, not read).
    match how {
        WbsMove::Indent => match at.checked_sub(1).and_then(|i| siblings.get(i)) {
            Some(prev) => req.parent_id = Some(Some(prev.id)),
            None => return Ok(()),
        },
        WbsMove::Outdent => match t.parent_id.and_then(|pid| tasks.iter().find(|p| p.id == pid)) {
            Some(parent) => {
                req.parent_id = Some(parent.parent_id);
                req.position = Some(place_of(&tasks, parent) + 1);
            }
            None => return Ok(()),
        },
        WbsMove::Up if at == 0 => return Ok(()),
        WbsMove::Up => req.position = Some(at as i64),
        WbsMove::Down if at + 1 == siblings.len() => return Ok(()),
        WbsMove::Down => req.position = Some(at as i64 + 2),
    }
    update_task(state, a, task, version, req).await.map(drop)
}

/// A task's place among its siblings in WBS order, from 1.
fn place_of(tasks: &[Task], t: &Task) -> i64 {
    tasks.iter().filter(|s| s.parent_id == t.parent_id).position(|s| s.id == t.id).map_or(1, |i| i as i64 + 1)
}

/// Where a new row goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPlace {
    /// At this task's level, as the last of its siblings (the sheet's new
    /// row below the last).
    After(Id),
    /// Just above this task, at its level (MS Project's Insert key).
    Before(Id),
    /// At the end of the plan.
    End,
}

/// Adds a task where `place` says; `duration` as typed (default one day).
pub async fn add_row(
    state: &App,
    a: &InProject,
    place: RowPlace,
    name: &str,
    duration: Option<&str>,
) -> Result<Task, AppError> {
    let (parent_id, position) = match place {
        RowPlace::After(id) => (state.store.task(id).await?.parent_id, None),
        RowPlace::Before(id) => {
            let tasks = state.store.tasks(a.scope.project_id).await?;
            let t = tasks.iter().find(|t| t.id == id).ok_or(AppError::NotFound)?;
            (t.parent_id, Some(place_of(&tasks, t)))
        }
        RowPlace::End => (None, None),
    };
    let duration_minutes = duration.map(|d| plan_text::parse_duration("duration", d)).transpose()?;
    let req = super::CreateTask {
        name: name.to_owned(),
        parent_id,
        kind: (duration_minutes == Some(0)).then_some(TaskKind::Milestone),
        duration_minutes,
        position,
        ..super::CreateTask::default()
    };
    super::create_task(state, a, req).await
}
