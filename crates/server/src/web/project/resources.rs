//! The resources page: utilisation per week, levelling, and the
//! workspace's resources with their forms (name, member, type, max units,
//! rate, and their own calendar with its exceptions).

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::calendar_text::{exception_line, parse_exceptions, parse_spans, spans_text};
use tandem_core::project::{WorkCalendar, WorkWeek};
use tandem_core::tracking::{Resource, ResourceKind};
use tandem_core::{Action, Id, ProjectAction};

use super::task::{Problem, number, problem_of};
use super::{PageForm, PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts;
use tandem_app::AppError;
use tandem_app::measure::UtilisationView;
use tandem_app::ops::delivery::{self, CreateResource, UpdateResource, UtilisationQuery};

struct HeatRow {
    name: String,
    cells: Vec<(String, &'static str, String)>,
    over: bool,
}

const DAYS: [(&str, &str); 7] = [
    ("monday", "Monday"),
    ("tuesday", "Tuesday"),
    ("wednesday", "Wednesday"),
    ("thursday", "Thursday"),
    ("friday", "Friday"),
    ("saturday", "Saturday"),
    ("sunday", "Sunday"),
];

/// What one resource form shows: a resource's values, or what was typed
/// when a save was refused.
#[derive(Debug, Default, Deserialize)]
pub struct ResourceForm {
    version: Option<i64>,
    name: String,
    user_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<ResourceKind>,
    max_units: Option<String>,
    rate: Option<String>,
    /// Set: the resource works to its own calendar below.
    own_calendar: Option<String>,
    monday: Option<String>,
    tuesday: Option<String>,
    wednesday: Option<String>,
    thursday: Option<String>,
    friday: Option<String>,
    saturday: Option<String>,
    sunday: Option<String>,
    exceptions: Option<String>,
}

impl ResourceForm {
    fn of(r: &Resource) -> ResourceForm {
        let cal = r.calendar.clone().unwrap_or_else(WorkCalendar::standard);
        let [mo, tu, we, th, fr, sa, su] = cal.week.days().map(|d| Some(spans_text(d)));
        ResourceForm {
            version: Some(r.version),
            name: r.name.clone(),
            user_id: r.user_id.map(|u| u.to_string()),
            kind: Some(r.kind),
            max_units: Some(r.max_units.to_string()),
            // A form value: plain digits, so that it reads back as typed.
            rate: Some((r.rate_minor as f64 / 100.0).to_string()),
            own_calendar: r.calendar.is_some().then(|| "1".to_owned()),
            monday: mo,
            tuesday: tu,
            wednesday: we,
            thursday: th,
            friday: fr,
            saturday: sa,
            sunday: su,
            exceptions: Some(cal.exceptions.iter().map(exception_line).collect::<Vec<_>>().join("\n")),
        }
    }

    fn blank() -> ResourceForm {
        let standard = ResourceForm::of(&Resource {
            id: Id(0),
            workspace_id: Id(0),
            name: String::new(),
            user_id: None,
            kind: ResourceKind::Work,
            max_units: 100,
            rate_minor: 0,
            calendar: None,
            version: 0,
            created_at: tandem_core::Millis(0),
            updated_at: tandem_core::Millis(0),
        });
        ResourceForm { version: None, rate: Some(String::new()), ..standard }
    }

    fn day(&self, field: &str) -> &str {
        let v = match field {
            "monday" => &self.monday,
            "tuesday" => &self.tuesday,
            "wednesday" => &self.wednesday,
            "thursday" => &self.thursday,
            "friday" => &self.friday,
            "saturday" => &self.saturday,
            _ => &self.sunday,
        };
        v.as_deref().unwrap_or("")
    }

    /// The calendar the form describes; `keep` carries what the form does
    /// not show (an imported calendar's dated work weeks).
    fn calendar(&self, keep: Option<&WorkCalendar>) -> Result<Option<WorkCalendar>, AppError> {
        if self.own_calendar.is_none() {
            return Ok(None);
        }
        let day = |field: &'static str| parse_spans(field, self.day(field));
        let week = WorkWeek {
            monday: day("monday")?,
            tuesday: day("tuesday")?,
            wednesday: day("wednesday")?,
            thursday: day("thursday")?,
            friday: day("friday")?,
            saturday: day("saturday")?,
            sunday: day("sunday")?,
        };
        let exceptions = parse_exceptions("exceptions", self.exceptions.as_deref().unwrap_or(""))?;
        let work_weeks = keep.map(|c| c.work_weeks.clone()).unwrap_or_default();
        Ok(Some(WorkCalendar { week, work_weeks, exceptions }))
    }

    fn units(&self) -> Result<Option<i64>, AppError> {
        number("max_units", self.max_units.as_deref(), "must be a percentage such as 50").map(|x| x.map(|v| v as i64))
    }

    fn rate_minor(&self) -> Result<Option<i64>, AppError> {
        super::form_money("rate_minor", self.rate.as_deref())
    }
}

/// One form on the page: a resource's (`id`) or the new one's.
struct FormView {
    id: Option<Id>,
    v: ResourceForm,
    problem: Option<Problem>,
    open: bool,
}

impl FormView {
    fn err(&self, field: &str) -> &str {
        self.problem.as_ref().filter(|p| p.field == field).map_or("", |p| p.message.as_str())
    }

    /// A refusal not about one of the fields shown.
    fn form_err(&self) -> &str {
        const SHOWN: &[&str] = &["name", "max_units", "rate_minor", "calendar", "week", "exceptions", "user_id"];
        match &self.problem {
            Some(p) if !SHOWN.contains(&p.field.as_str()) && !DAYS.iter().any(|(f, _)| *f == p.field) => &p.message,
            _ => "",
        }
    }

    fn calendar_err(&self) -> String {
        ["calendar", "week"].iter().chain(DAYS.iter().map(|(f, _)| f)).map(|f| self.err(f)).collect()
    }
}

#[derive(Template)]
#[template(path = "project_resources.html")]
struct ResourcesPage {
    shell: Shell,
    f: Frame,
    weeks: Vec<String>,
    rows: Vec<HeatRow>,
    resources: Vec<(Resource, String)>,
    /// May add and change resources (admins and project managers).
    can_manage: bool,
    forms: Vec<FormView>,
    members: Vec<(Id, String)>,
    kinds: &'static [ResourceKind],
    days: [(&'static str, &'static str); 7],
    moved: Option<delivery::Levelled>,
}

fn heat_rows(u: &UtilisationView) -> Vec<HeatRow> {
    u.resources
        .iter()
        .map(|r| HeatRow {
            name: r.name.clone(),
            over: r.over_allocated,
            cells: r
                .weeks
                .iter()
                .map(|c| {
                    let pct = c.utilisation.map_or(0.0, |x| x * 100.0);
                    let level = match pct {
                        x if x > 100.0 => "over",
                        x if x >= 80.0 => "high",
                        x if x >= 40.0 => "mid",
                        x if x > 0.0 => "low",
                        _ => "none",
                    };
                    let tip = format!("{}: {} of {} h", c.week, c.assigned_minutes / 60, c.available_minutes / 60);
                    (format!("{pct:.0} %"), level, tip)
                })
                .collect(),
        })
        .collect()
}

/// How a resource's working time reads in the list.
fn calendar_summary(r: &Resource) -> String {
    let Some(c) = &r.calendar else { return "the project's".to_owned() };
    let days: Vec<&str> =
        c.week.days().iter().zip(DAYS).filter(|(d, _)| !d.is_empty()).map(|(_, (_, label))| &label[..3]).collect();
    let hours: i64 = c.week.days().iter().flat_map(|d| d.iter()).map(|s| i64::from(s.to - s.from)).sum();
    let mut text = format!("own: {} ({} h a week)", days.join(" "), charts::fmt_num(hours as f64 / 60.0));
    if !c.exceptions.is_empty() {
        text.push_str(&format!(", {} exception{}", c.exceptions.len(), if c.exceptions.len() == 1 { "" } else { "s" }));
    }
    text
}

/// A refused form: which one, what was typed and why.
struct Refused {
    id: Option<Id>,
    typed: ResourceForm,
    problem: Problem,
}

async fn resources_page(
    state: &AppState,
    p: &Principal,
    id: Id,
    moved: Option<delivery::Levelled>,
    refused: Option<Refused>,
) -> PageResult {
    let at = format!("/projects/{id}/resources");
    let (shell, f, a) = frame(state, p, id, "resources", &at).await?;
    let u = delivery::utilisation(state, f.project.id, &UtilisationQuery::default()).await.map_err(on(&at))?;
    let list = state.store.resources(f.project.workspace_id).await.map_err(on(&at))?;
    let can_manage = tandem_core::allows(a.role, Action::ResourcesManage);
    let members = if can_manage {
        let page = state.store.members(a.scope.workspace_id, None, tandem_store::MAX_PAGE).await.map_err(on(&at))?;
        page.items.into_iter().map(|m| (m.user_id, m.name)).collect()
    } else {
        Vec::new()
    };
    let mut forms = Vec::new();
    let mut refused = refused;
    if can_manage {
        let mut form = |id: Option<Id>, v: ResourceForm| match refused.take_if(|r| r.id == id) {
            Some(r) => FormView { id, v: r.typed, problem: Some(r.problem), open: true },
            None => FormView { id, v, problem: None, open: false },
        };
        let mut new = form(None, ResourceForm::blank());
        new.open |= list.is_empty();
        forms.push(new);
        forms.extend(list.iter().map(|r| form(Some(r.id), ResourceForm::of(r))));
    }
    let status =
        if forms.iter().any(|x| x.problem.is_some()) { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let weeks = u.weeks.iter().map(|w| shell.human.short(w)).collect();
    let resources = list.into_iter().map(|r| (calendar_summary(&r), r)).map(|(s, r)| (r, s)).collect();
    let page = ResourcesPage {
        shell,
        f,
        weeks,
        rows: heat_rows(&u),
        resources,
        can_manage,
        forms,
        members,
        kinds: ResourceKind::ALL,
        days: DAYS,
        moved,
    };
    Ok(render(status, &page))
}

pub async fn resources(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (_, id) = page(&path, "/resources");
    resources_page(&state, &p, id?, None, None).await
}

#[derive(Deserialize)]
pub struct LevelForm {
    clear: Option<String>,
}

pub async fn level(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<LevelForm>,
) -> PageResult {
    let (at, id) = page(&path, "/resources");
    let id = id?;
    let a = project_access(&state, p.id(), id, ProjectAction::Edit).await.map_err(on(&at))?;
    let out = delivery::level(&state, &a, form.clear.is_some()).await.map_err(on(&at))?;
    resources_page(&state, &p, id, Some(out), None).await
}

/// Back to the list on success; the refusal beside its field otherwise.
async fn answer(
    state: &AppState,
    p: &Principal,
    project: Id,
    id: Option<Id>,
    typed: ResourceForm,
    result: Result<Resource, AppError>,
) -> PageResult {
    let at = format!("/projects/{project}/resources");
    match result {
        Ok(r) => Ok(Redirect::to(&format!("{at}#resource-{}", r.id)).into_response()),
        Err(e) => match problem_of("resource", &e) {
            Some(problem) => resources_page(state, p, project, None, Some(Refused { id, typed, problem })).await,
            None => Err(on(&at)(crate::error::ApiError::from(e))),
        },
    }
}

/// Adds a resource to the project's workspace.
pub async fn resource_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ResourceForm>,
) -> PageResult {
    let (at, id) = page(&path, "/resources");
    let project = id?;
    let a = project_access(&state, p.id(), project, ProjectAction::Read).await.map_err(on(&at))?;
    let ws = a.scope.workspace_id;
    let made = async {
        tandem_app::access::authorize(&state, p.id(), ws, Action::ResourcesManage).await?;
        let req = CreateResource {
            name: form.name.clone(),
            user_id: opt_id(form.user_id.as_deref()),
            kind: form.kind,
            max_units: form.units()?,
            rate_minor: form.rate_minor()?,
            calendar: form.calendar(None)?,
        };
        delivery::create_resource(&state, p.id(), ws, req).await
    }
    .await;
    answer(&state, &p, project, None, form, made).await
}

#[derive(Deserialize)]
pub struct ResourcePath {
    id: String,
    resource: String,
}

/// Saves one resource's form.
pub async fn resource_save(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<ResourcePath>,
    PageForm(form): PageForm<ResourceForm>,
) -> PageResult {
    let project = opt_id(Some(&path.id)).ok_or_else(|| on("/")(crate::error::ApiError::NotFound))?;
    let at = format!("/projects/{project}/resources");
    let rid = opt_id(Some(&path.resource)).ok_or_else(|| on(&at)(crate::error::ApiError::NotFound))?;
    let a = project_access(&state, p.id(), project, ProjectAction::Read).await.map_err(on(&at))?;
    let r = state.store.resource(rid).await.map_err(on(&at))?;
    if r.workspace_id != a.scope.workspace_id {
        return Err(on(&at)(crate::error::ApiError::NotFound));
    }
    let saved = async {
        tandem_app::access::authorize(&state, p.id(), r.workspace_id, Action::ResourcesManage).await?;
        let version = form.version.ok_or_else(|| AppError::invalid("version", "is missing: reload the page"))?;
        let req = UpdateResource {
            name: Some(form.name.clone()),
            user_id: Some(opt_id(form.user_id.as_deref())),
            kind: form.kind,
            max_units: form.units()?,
            rate_minor: Some(form.rate_minor()?.unwrap_or(0)),
            calendar: Some(form.calendar(r.calendar.as_ref())?),
            version: Some(version),
        };
        delivery::update_resource(&state, p.id(), r.id, version, req).await
    }
    .await;
    answer(&state, &p, project, Some(rid), form, saved).await
}
