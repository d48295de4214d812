//! One task's page: every field, its links and assignments, its computed
//! schedule, comments and history. Forms post to the same operations as
//! the API; a refused value comes back on the page beside its field, with
//! what was typed kept.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_core::model::Comment;
use tandem_core::project::{
    BoardStatus, ConstraintType, DependencyType, Estimate, LocalTime, Task, TaskConstraint, TaskKind,
};
use tandem_core::validate::Invalid;
use tandem_core::{Id, ProjectAction};

use super::{PageForm, PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::PageFormCustom;
use crate::web::activity::{Line, line};
use crate::web::custom::{Fields, Input, Shown};
use tandem_app::AppError;
use tandem_app::ops::comments::ProjectObject;
use tandem_app::ops::project::{self as ops, UpdateTask};
use tandem_app::plan::ScheduledTask;
use tandem_core::custom::FieldObject;

/// A link to or from this task, as the page lists it.
struct LinkRow {
    id: Id,
    version: i64,
    other: Id,
    other_key: String,
    other_name: String,
    kind: DependencyType,
    lag: String,
    /// The lag as the edit field shows it: working days.
    lag_days: String,
}

struct AssignmentRow {
    resource_id: Id,
    name: String,
    units: i64,
}

/// The details form's values: the task's, or what was typed when a save
/// was refused.
#[derive(Debug, Default, Deserialize)]
pub struct DetailsForm {
    version: i64,
    name: Option<String>,
    milestone: Option<String>,
    days: Option<String>,
    optimistic: Option<String>,
    likely: Option<String>,
    pessimistic: Option<String>,
    constraint: Option<ConstraintType>,
    constraint_date: Option<String>,
    deadline: Option<String>,
    calendar_id: Option<String>,
    priority: Option<String>,
    sprint_id: Option<String>,
    story_points: Option<String>,
    feature_id: Option<String>,
    fixed_cost: Option<String>,
    notes: Option<String>,
    percent_complete: Option<String>,
    status: Option<BoardStatus>,
    actual_start: Option<String>,
    actual_finish: Option<String>,
    remaining_days: Option<String>,
}

/// A refusal shown on the page: which form, which field, why.
pub(super) struct Problem {
    pub(super) form: &'static str,
    pub(super) field: String,
    pub(super) message: String,
}

#[derive(Template)]
#[template(path = "project_task.html")]
struct TaskPage {
    shell: Shell,
    f: Frame,
    t: Task,
    s: Option<ScheduledTask>,
    v: DetailsForm,
    /// Every refusal of the form sent (a save checks all its fields).
    problems: Vec<Problem>,
    /// Arrived from a successful save of the details.
    saved: bool,
    /// May change progress (the manager, or an assigned contributor).
    can_progress: bool,
    parent: Option<(Id, String, String)>,
    /// Predecessors, then successors.
    link_groups: Vec<(&'static str, Vec<LinkRow>)>,
    assignments: Vec<AssignmentRow>,
    /// Tasks this one may be linked with: `(id, key, name)`.
    others: Vec<(Id, String, String)>,
    resources: Vec<(Id, String)>,
    calendars: Vec<(Id, String)>,
    sprints: Vec<(Id, String)>,
    features: Vec<(Id, String)>,
    constraints: &'static [ConstraintType],
    link_types: &'static [DependencyType],
    statuses: [BoardStatus; 5],
    money: String,
    /// The notes rendered from Markdown (sanitised).
    notes_html: String,
    cost: String,
    work: String,
    total_slack: String,
    free_slack: String,
    baseline: Option<(String, String, String)>,
    comments: Vec<Comment>,
    history: Vec<Line>,
    /// Its custom values, and their inputs on the details form.
    shown: Vec<Shown>,
    inputs: Vec<Input>,
}

impl TaskPage {
    /// The refusal's message when it is about `field` of `form`.
    fn err(&self, form: &str, field: &str) -> &str {
        self.problems.iter().find(|p| p.form == form && p.field == field).map_or("", |p| p.message.as_str())
    }

    /// The refusal's message when it is about `form` but not about a field
    /// with a place of its own beside it.
    fn form_err(&self, form: &str) -> &str {
        self.problems
            .iter()
            .find(|p| p.form == form && !(form == "details" && DETAIL_FIELDS.contains(&p.field.as_str())))
            .map_or("", |p| p.message.as_str())
    }

    /// The summary at the top: every refusal, for screen readers and for
    /// fields below the fold.
    fn summary(&self) -> String {
        let all: Vec<&str> = self.problems.iter().map(|p| p.message.as_str()).collect();
        all.join("; ")
    }

    fn when(&self, t: &LocalTime) -> String {
        when(*t)
    }

    /// A summary shows its subtasks' status, never its own stored one.
    fn shown_status(&self) -> BoardStatus {
        match &self.s {
            Some(s) if self.t.kind == TaskKind::Summary => {
                tandem_core::progress::summary_status(s.percent_complete, s.done)
            }
            _ => self.t.status,
        }
    }
}

/// The details form's fields that show their refusal beside them.
/// Plans up to this many tasks offer the others in a list on the link form.
const LINK_CHOICES: usize = 200;

const DETAIL_FIELDS: &[&str] = &[
    "name",
    "duration_minutes",
    "kind",
    "estimate",
    "constraint",
    "deadline",
    "calendar_id",
    "priority",
    "sprint_id",
    "story_points",
    "feature_id",
    "fixed_cost_minor",
    "notes",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "remaining_minutes",
];

/// A date-time for people: `Mon 4 Jan 2027 08:00`.
fn when(t: LocalTime) -> String {
    t.0.strftime("%a %-d %b %Y %H:%M").to_string()
}

/// What a `datetime-local` field shows.
fn field_time(t: Option<LocalTime>) -> String {
    t.map(|t| t.0.strftime("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
}

/// Working minutes as MS Project shows them: `3 d`, `4 h`, `0 d`.
fn span(minutes: i64) -> String {
    if minutes != 0 && minutes % 480 != 0 && minutes.abs() < 480 {
        format!("{} h", charts::fmt_num((minutes as f64 / 60.0 * 10.0).round() / 10.0))
    } else {
        format!("{} d", days(minutes))
    }
}

fn values_of(t: &Task) -> DetailsForm {
    let est = |f: fn(&Estimate) -> i64| t.estimate.as_ref().map(|e| days(f(e))).unwrap_or_default();
    DetailsForm {
        version: t.version,
        name: Some(t.name.clone()),
        milestone: (t.kind == TaskKind::Milestone).then(|| "1".to_owned()),
        days: Some(days(t.duration_minutes)),
        optimistic: Some(est(|e| e.optimistic_minutes)),
        likely: Some(est(|e| e.likely_minutes)),
        pessimistic: Some(est(|e| e.pessimistic_minutes)),
        constraint: Some(t.constraint.kind),
        constraint_date: Some(field_time(t.constraint.date)),
        deadline: Some(field_time(t.deadline)),
        calendar_id: t.calendar_id.map(|c| c.to_string()),
        priority: Some(t.priority.to_string()),
        sprint_id: t.sprint_id.map(|s| s.to_string()),
        story_points: t.story_points.map(charts::fmt_num),
        feature_id: t.feature_id.map(|f| f.to_string()),
        fixed_cost: Some(charts::fmt_num(t.fixed_cost_minor as f64 / 100.0)),
        notes: Some(t.notes.clone()),
        percent_complete: Some(t.percent_complete.to_string()),
        status: Some(t.status),
        actual_start: Some(field_time(t.actual_start)),
        actual_finish: Some(field_time(t.actual_finish)),
        remaining_days: t.remaining_minutes.map(days),
    }
}

pub(super) fn problem_of(form: &'static str, e: &AppError) -> Option<Problem> {
    match e {
        AppError::Invalid(i) => Some(Problem { form, field: i.field.to_string(), message: i.message.clone() }),
        AppError::Conflict(m) | AppError::BadOption(m) => {
            Some(Problem { form, field: String::new(), message: m.clone() })
        }
        AppError::Stale { .. } => Some(Problem {
            form,
            field: String::new(),
            message: "someone changed this task since you opened it; your values are below, the task's current \
                      version is saved on reload"
                .to_owned(),
        }),
        _ => None,
    }
}

/// Draws the page; `typed` and `problems` when a form was refused.
pub(super) async fn show(
    state: &AppState,
    p: &Principal,
    id: Id,
    typed: Option<DetailsForm>,
    problems: Vec<Problem>,
    saved: bool,
) -> Result<Response, PageError> {
    let at = format!("/tasks/{id}");
    let project = state.store.task_project(id).await.map_err(on(&at))?;
    let (shell, f, a) = frame(state, p, project, "tasks", &at).await?;
    let c = tandem_app::schedules::computed(state, project).await.map_err(on(&at))?;
    let plan = &c.plan;
    let Some(i) = plan.tasks.iter().position(|t| t.id == id) else {
        return Err(on(&at)(ApiError::from(AppError::NotFound)));
    };
    let t = plan.tasks[i].clone();
    let s = c.view.tasks.get(i).cloned();
    let named = |x: Id| plan.tasks.iter().find(|o| o.id == x).map(|o| (o.key.clone(), o.name.clone()));
    let row = |d: &tandem_core::project::Dependency, other: Id| {
        let (other_key, other_name) = named(other).unwrap_or_default();
        let lag = match d.lag_percent {
            Some(pc) => format!("{}%", charts::fmt_num(pc)),
            None if d.lag_minutes == 0 => "none".to_owned(),
            None => format!("{}{}", if d.lag_minutes > 0 { "+" } else { "" }, span(d.lag_minutes)),
        };
        let lag_days = if d.lag_percent.is_some() || d.lag_minutes == 0 { String::new() } else { days(d.lag_minutes) };
        LinkRow { id: d.id, version: d.version, other, other_key, other_name, kind: d.kind, lag, lag_days }
    };
    let predecessors: Vec<LinkRow> =
        plan.deps.iter().filter(|d| d.successor_id == id).map(|d| row(d, d.predecessor_id)).collect();
    let successors: Vec<LinkRow> =
        plan.deps.iter().filter(|d| d.predecessor_id == id).map(|d| row(d, d.successor_id)).collect();
    let resource_name =
        |r: Id| plan.resources.iter().find(|x| x.id == r).map_or_else(|| format!("resource {r}"), |x| x.name.clone());
    let assignments = t
        .assignments
        .iter()
        .map(|x| AssignmentRow { resource_id: x.resource_id, name: resource_name(x.resource_id), units: x.units })
        .collect();
    let can_progress = f.can_edit
        || (f.can_contribute
            && ops::task_edit_access(
                state,
                p.id(),
                id,
                &UpdateTask { percent_complete: Some(0), ..UpdateTask::default() },
            )
            .await
            .is_ok());
    let sprints = state.store.sprints(project).await.map_err(on(&at))?.into_iter().map(|s| (s.id, s.name)).collect();
    let features = super::feature_choices(state, f.project.product_id).await.map_err(on(&at))?;
    let baseline = state.store.baselines(project).await.map_err(on(&at))?.into_iter().next().and_then(|b| {
        let r = b.tasks.iter().find(|r| r.task_id == id)?;
        let s = s.as_ref()?;
        let late = (s.finish.0.date() - r.finish.0.date()).get_days();
        let variance = match late {
            0 => "on its baseline finish".to_owned(),
            d if d > 0 => format!("{d} calendar days after its baseline finish"),
            d => format!("{} calendar days before its baseline finish", -d),
        };
        Some((when(r.start), when(r.finish), variance))
    });
    let comments = state.store.comments("task", id, None, tandem_store::MAX_PAGE).await.map_err(on(&at))?.items;
    let history = state
        .store
        .subject_activity(a.scope.workspace_id, "task", id, 50)
        .await
        .map_err(on(&at))?
        .iter()
        .map(|e| line(&shell.human, e))
        .collect();
    let currency = f.project.currency.clone();
    let cf = Fields::load(state, a.scope.workspace_id, FieldObject::Task).await.map_err(on(&at))?;
    let shown = cf.shown(&shell.human, &t.custom_fields);
    let inputs = if f.can_edit { cf.inputs("task", &t.custom_fields, false) } else { Vec::new() };
    let page = TaskPage {
        shown,
        inputs,
        v: typed.unwrap_or_else(|| values_of(&t)),
        problems,
        saved,
        can_progress,
        parent: t.parent_id.and_then(|x| named(x).map(|(k, n)| (x, k, n))),
        link_groups: vec![("Predecessors", predecessors), ("Successors", successors)],
        assignments,
        // A list to choose from in a small plan; a large one takes the number.
        others: if plan.tasks.len() <= LINK_CHOICES {
            plan.tasks.iter().filter(|o| o.id != id).map(|o| (o.id, o.key.clone(), o.name.clone())).collect()
        } else {
            Vec::new()
        },
        resources: plan.resources.iter().map(|r| (r.id, r.name.clone())).collect(),
        calendars: plan.calendars.iter().map(|c| (c.id, c.name.clone())).collect(),
        sprints,
        features,
        constraints: ConstraintType::ALL,
        link_types: DependencyType::ALL,
        statuses: tandem_app::ops::agile::COLUMNS,
        money: money(t.fixed_cost_minor, &currency),
        notes_html: if t.notes.is_empty() { String::new() } else { tandem_core::markdown::render(&t.notes) },
        cost: s.as_ref().map(|s| money(s.cost_minor, &currency)).unwrap_or_default(),
        work: s.as_ref().map(|s| span(s.work_minutes)).unwrap_or_default(),
        total_slack: s.as_ref().map(|s| span(s.total_slack_minutes)).unwrap_or_default(),
        free_slack: s.as_ref().map(|s| span(s.free_slack_minutes)).unwrap_or_default(),
        baseline,
        comments,
        history,
        s,
        t,
        f,
        shell,
    };
    let status = if !page.problems.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render(status, &page))
}

/// The answer to a task page's form: on success back to the page at
/// `then` (a query or an anchor); a refusal the page can explain shown on
/// it (with `typed` kept in the details form); anything else the error page.
pub(super) async fn answer<T>(
    state: &AppState,
    p: &Principal,
    task: Id,
    form: &'static str,
    typed: Option<DetailsForm>,
    result: Result<T, AppError>,
    then: &str,
) -> PageResult {
    let at = format!("/tasks/{task}");
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{at}{then}")).into_response()),
        Err(e) => match problem_of(form, &e) {
            Some(problem) => show(state, p, task, typed, vec![problem], false).await,
            None => Err(on(&at)(ApiError::from(e))),
        },
    }
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn task(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    show(&state, &p, id, None, Vec::new(), q.saved.is_some()).await
}

fn text(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

fn time(field: &'static str, v: Option<&str>) -> Result<Option<LocalTime>, AppError> {
    text(v)
        .map(|s| s.parse().map_err(|e: tandem_core::project::BadLocalTime| AppError::invalid(field, e.to_string())))
        .transpose()
}

pub(super) fn number(field: &'static str, v: Option<&str>, what: &str) -> Result<Option<f64>, AppError> {
    text(v)
        .map(|s| tandem_core::numbers::parse_decimal(field, s).map_err(|_| AppError::invalid(field, what.to_owned())))
        .transpose()
}

/// The changes the form makes to `t`: only what differs, so a save of an
/// unchanged form changes nothing, and a contributor's save of progress
/// touches only progress.
fn edits(t: &Task, v: &DetailsForm, all: bool) -> Result<UpdateTask, Vec<Invalid>> {
    let mut u = UpdateTask { version: Some(v.version), ..UpdateTask::default() };
    // Every field is read before any refusal is shown, so one save names them all.
    let mut refused = crate::web::Refusals::default();
    let r = &mut refused;
    let pct = r.read(number("percent_complete", v.percent_complete.as_deref(), "must be a percentage"));
    u.percent_complete = pct.map(|x| x.round() as i64).filter(|x| *x != t.percent_complete);
    u.status = v.status.filter(|s| *s != t.status);
    let actual_start = r.read(time("actual_start", v.actual_start.as_deref()));
    u.actual_start = (actual_start != t.actual_start).then_some(actual_start);
    let actual_finish = r.read(time("actual_finish", v.actual_finish.as_deref()));
    u.actual_finish = (actual_finish != t.actual_finish).then_some(actual_finish);
    let remaining = r.read(form_days("remaining_minutes", v.remaining_days.as_deref()));
    u.remaining_minutes = (remaining != t.remaining_minutes).then_some(remaining);
    if all {
        details(t, v, &mut u, r);
    }
    let refused = refused.into_inner();
    if refused.is_empty() { Ok(u) } else { Err(refused) }
}

/// The plan fields of the form, for those who may change the plan.
fn details(t: &Task, v: &DetailsForm, u: &mut UpdateTask, r: &mut crate::web::Refusals) {
    u.name = text(v.name.as_deref()).filter(|n| *n != t.name).map(str::to_owned);
    let kind = if v.milestone.is_some() { TaskKind::Milestone } else { TaskKind::Task };
    if t.kind != TaskKind::Summary && kind != t.kind {
        u.kind = Some(kind);
    }
    u.duration_minutes = r.read(form_days("duration_minutes", v.days.as_deref())).filter(|d| *d != t.duration_minutes);
    let three = (
        r.read(form_days("estimate", v.optimistic.as_deref())),
        r.read(form_days("estimate", v.likely.as_deref())),
        r.read(form_days("estimate", v.pessimistic.as_deref())),
    );
    let estimate = match three {
        (None, None, None) => None,
        (Some(o), Some(l), Some(p)) => {
            Some(Estimate { optimistic_minutes: o, likely_minutes: l, pessimistic_minutes: p })
        }
        _ => {
            if !r.names("estimate") {
                r.refuse(Invalid::new("estimate", "give all three durations, or none"));
            }
            t.estimate
        }
    };
    u.estimate = (estimate != t.estimate).then_some(estimate);
    let constraint = TaskConstraint {
        kind: v.constraint.unwrap_or(t.constraint.kind),
        date: r.read(time("constraint", v.constraint_date.as_deref())),
    };
    u.constraint = (constraint != t.constraint).then_some(constraint);
    let deadline = r.read(time("deadline", v.deadline.as_deref()));
    u.deadline = (deadline != t.deadline).then_some(deadline);
    let calendar = opt_id(v.calendar_id.as_deref());
    u.calendar_id = (calendar != t.calendar_id).then_some(calendar);
    let priority = r.read(number("priority", v.priority.as_deref(), "must be a whole number from 0 to 1000"));
    u.priority = priority.map(|x| x.round() as i64).filter(|x| *x != t.priority);
    let sprint = opt_id(v.sprint_id.as_deref());
    u.sprint_id = (sprint != t.sprint_id).then_some(sprint);
    let points = r.read(number("story_points", v.story_points.as_deref(), "must be a number"));
    u.story_points = (points != t.story_points).then_some(points);
    let feature = opt_id(v.feature_id.as_deref());
    u.feature_id = (feature != t.feature_id).then_some(feature);
    let fixed = r.read(super::form_money("fixed_cost_minor", v.fixed_cost.as_deref())).unwrap_or(0);
    u.fixed_cost_minor = (fixed != t.fixed_cost_minor).then_some(fixed);
    // Browsers send textarea line breaks as CRLF.
    let notes = v.notes.as_deref().map(|n| n.replace("\r\n", "\n"));
    u.notes = notes.filter(|n| n.trim_end() != t.notes);
}

/// Saves the details form; contributors' saves carry progress only.
pub async fn task_save(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<DetailsForm>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let at = format!("/tasks/{id}");
    let project = state.store.task_project(id).await.map_err(on(&at))?;
    let editor = project_access(&state, p.id(), project, ProjectAction::Edit).await.ok();
    let manager = editor.is_some();
    let task = state.store.task(id).await.map_err(on(&at))?;
    let req = match edits(&task, &form, manager) {
        Ok(mut req) => {
            // Only the plan's editors have the custom fields on their form.
            if let Some(a) = editor.as_ref().filter(|_| !custom.is_empty()) {
                let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Task).await.map_err(on(&at))?;
                req.custom_fields = Some(cf.sent(&custom)).filter(|v| !v.is_empty());
            }
            req
        }
        Err(refused) => {
            let problems = refused
                .into_iter()
                .map(|i| Problem { form: "details", field: i.field.to_string(), message: i.message })
                .collect();
            return show(&state, &p, id, Some(form), problems, false).await;
        }
    };
    let saved = async {
        let a = ops::task_edit_access(&state, p.id(), id, &req).await?;
        ops::update_task(&state, &a, id, form.version, req).await
    }
    .await;
    answer(&state, &p, id, "details", Some(form), saved, "?saved=1").await
}

#[derive(Deserialize)]
pub struct CommentForm {
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<CommentForm>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let added = tandem_app::ops::comments::add_on_project(&state, &p.user, ProjectObject::Task, id, &form.body).await;
    answer(&state, &p, id, "comments", None, added, "#comments").await
}
