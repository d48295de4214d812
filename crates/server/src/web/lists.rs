//! Filters, grouping and order on list pages (the backlog, the feedback
//! inbox, risks, defects), read from the address with `core::filter`; the
//! filter bar that writes that address; the page's saved views.

use std::collections::HashMap;

use tandem_core::custom::{CustomField, FieldType};
use tandem_core::filter::{Cell, Field, Fields, ListQuery, Row};
use tandem_core::model::{Day, Member};
use tandem_core::product::{Feature, Feedback};
use tandem_core::risk::{Defect, Risk};
use tandem_core::views::{SavedView, ViewPage};
use tandem_core::{Id, Millis};

use crate::error::ApiError;
use crate::state::AppState;

/// What rows need beyond themselves: the custom fields, people's names,
/// release names.
pub struct Ctx {
    pub fields: Vec<CustomField>,
    members: Vec<Member>,
    people: HashMap<String, String>,
    /// Releases' or sprints' names by id.
    names: HashMap<Id, String>,
    /// Resources: name and member.
    resources: HashMap<Id, (String, Option<Id>)>,
}

impl Ctx {
    pub async fn load(
        state: &AppState,
        ws: Id,
        object: tandem_core::custom::FieldObject,
        names: HashMap<Id, String>,
    ) -> Result<Ctx, ApiError> {
        let fields = state.store.custom_fields(ws, Some(object)).await?;
        let members: Vec<Member> = state.store.members(ws, None, tandem_store::MAX_PAGE).await?.items;
        let people = members.iter().map(|m| (m.user_id.to_string(), m.name.clone())).collect();
        Ok(Ctx { fields, members, people, names, resources: HashMap::new() })
    }

    /// The same fields for showing and editing values (no second read).
    pub fn fields_view(&self) -> super::custom::Fields {
        super::custom::Fields::new(self.fields.clone(), self.members.clone())
    }

    /// With the workspace's resources, whom tasks are assigned to.
    pub fn with_resources(mut self, list: &[tandem_core::tracking::Resource]) -> Ctx {
        self.resources = list.iter().map(|r| (r.id, (r.name.clone(), r.user_id))).collect();
        self
    }

    /// Resources as choices of an assignee filter (people by their user
    /// id, so `me` finds one's own), "me" first.
    pub fn assignee_choices(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> =
            self.resources.iter().map(|(id, (name, user))| (resource_key(*id, *user), name.clone())).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v.dedup();
        v.insert(0, ("me".into(), "Me".into()));
        v
    }

    fn person(&self, id: &str) -> String {
        self.people.get(id).cloned().unwrap_or_else(|| "a former member".into())
    }

    fn person_cell(&self, id: Option<Id>) -> Vec<Cell> {
        id.map(|u| Cell::word(u.to_string(), self.person(&u.to_string()))).into_iter().collect()
    }

    fn custom(&self, field: &str, values: &tandem_core::custom::CustomValues) -> Vec<Cell> {
        let Some(key) = field.strip_prefix("cf.") else { return Vec::new() };
        let Some(f) = self.fields.iter().find(|f| f.key == key) else { return Vec::new() };
        tandem_core::filter::custom_cells(f, values.get(key), |id| self.person(id))
    }

    fn keys(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.key.clone()).collect()
    }
}

/// An object with what its cells need.
pub struct Listed<'a, T> {
    item: &'a T,
    ctx: &'a Ctx,
    /// Its place in the list it came in.
    at: usize,
}

fn created(at: Millis) -> Cell {
    let d = Day::of(at);
    Cell::day(d, d.to_string())
}

fn ranked<T: Copy + PartialEq>(all: &[T], v: T, key: &str, label: String) -> Cell {
    Cell::ranked(key, label, all.iter().position(|x| *x == v).unwrap_or(0))
}

impl Row for Listed<'_, Feature> {
    fn cells(&self, field: &str) -> Vec<Cell> {
        use tandem_core::product::{FeatureStatus, Lane};
        let f = self.item;
        let score = |v: Option<f64>| v.map(|x| Cell::num(x, crate::svg::charts::fmt_num(x))).into_iter().collect();
        match field {
            "status" => vec![ranked(FeatureStatus::ALL, f.status, f.status.as_str(), f.status.label().into())],
            "lane" => f.lane.map(|l| ranked(Lane::ALL, l, l.as_str(), l.label().into())).into_iter().collect(),
            "release" => f
                .release_id
                .map(|r| Cell::word(r.to_string(), self.ctx.names.get(&r).cloned().unwrap_or_default()))
                .into_iter()
                .collect(),
            "moscow" => f.inputs.moscow.map(|m| Cell::ranked(m.as_str(), m.label(), m as usize)).into_iter().collect(),
            "rice" => score(f.scores.rice),
            "ice" => score(f.scores.ice),
            "wsjf" => score(f.scores.wsjf),
            "value_effort" => score(f.scores.value_effort),
            "demand" => score(Some(f.scores.demand)),
            "created" => vec![created(f.created_at)],
            other => self.ctx.custom(other, &f.custom_fields),
        }
    }
    fn words(&self) -> String {
        format!("{} {} {}", self.item.key, self.item.title, self.item.description)
    }
}

/// An assignee's key: the member's user id, or `r<id>` for a resource
/// that is no member (a contractor, a room).
fn resource_key(id: Id, user: Option<Id>) -> String {
    user.map_or_else(|| format!("r{id}"), |u| u.to_string())
}

impl Row for Listed<'_, tandem_core::project::Task> {
    fn cells(&self, field: &str) -> Vec<Cell> {
        use tandem_core::project::BoardStatus;
        let t = self.item;
        match field {
            "status" => vec![ranked(BoardStatus::ALL, t.status, t.status.as_str(), t.status.label().into())],
            "assignee" => t
                .assignments
                .iter()
                .filter_map(|a| self.ctx.resources.get(&a.resource_id).map(|r| (a.resource_id, r)))
                .map(|(id, (name, user))| Cell::word(resource_key(id, *user), name.clone()))
                .collect(),
            "sprint" => t
                .sprint_id
                .map(|s| Cell::word(s.to_string(), self.ctx.names.get(&s).cloned().unwrap_or_default()))
                .into_iter()
                .collect(),
            "points" => t.story_points.map(|p| Cell::num(p, crate::svg::charts::fmt_num(p))).into_iter().collect(),
            "done" => vec![Cell::num(t.percent_complete as f64, format!("{} %", t.percent_complete))],
            "created" => vec![created(t.created_at)],
            other => self.ctx.custom(other, &t.custom_fields),
        }
    }
    fn words(&self) -> String {
        format!("{} {} {}", self.item.key, self.item.name, self.item.notes)
    }
}

impl Row for Listed<'_, Feedback> {
    fn cells(&self, field: &str) -> Vec<Cell> {
        use tandem_core::product::FeedbackStatus;
        let f = self.item;
        match field {
            "status" => vec![ranked(FeedbackStatus::ALL, f.status, f.status.as_str(), f.status.label().into())],
            "source" => vec![Cell::word(f.source.as_str(), f.source.label())],
            "customer" => f.customer.iter().map(|c| Cell::word(c.clone(), c.clone())).collect(),
            "segment" => f.segment.iter().map(|c| Cell::word(c.clone(), c.clone())).collect(),
            "value" => {
                f.customer_value_minor.map(|v| Cell::num(v as f64 / 100.0, (v / 100).to_string())).into_iter().collect()
            }
            "feature" => f.links.iter().map(|l| Cell::word(l.feature_key.clone(), l.feature_key.clone())).collect(),
            "created" => vec![created(f.created_at)],
            other => self.ctx.custom(other, &f.custom_fields),
        }
    }
    fn words(&self) -> String {
        format!(
            "{} {} {}",
            self.item.text,
            self.item.customer.as_deref().unwrap_or(""),
            self.item.segment.as_deref().unwrap_or("")
        )
    }
}

impl Row for Listed<'_, Risk> {
    fn cells(&self, field: &str) -> Vec<Cell> {
        use tandem_core::risk::RiskStatus;
        let r = self.item;
        match field {
            "status" => vec![ranked(RiskStatus::ALL, r.status, r.status.as_str(), r.status.label().into())],
            "owner" => self.ctx.person_cell(r.owner_id),
            "response" => vec![Cell::word(r.response.as_str(), r.response.label())],
            "score" => vec![Cell::num(r.score as f64, r.score.to_string())],
            "probability" => vec![Cell::num(r.probability as f64, r.probability.to_string())],
            "impact" => vec![Cell::num(r.impact as f64, r.impact.to_string())],
            "exposure" => vec![Cell::num(r.exposure_minor as f64 / 100.0, (r.exposure_minor / 100).to_string())],
            "created" => vec![created(r.created_at)],
            other => self.ctx.custom(other, &r.custom_fields),
        }
    }
    fn words(&self) -> String {
        format!("{} {} {} {}", self.item.key, self.item.title, self.item.description, self.item.mitigation)
    }
}

impl Row for Listed<'_, Defect> {
    fn cells(&self, field: &str) -> Vec<Cell> {
        use tandem_core::risk::{DefectStatus, Severity};
        let d = self.item;
        match field {
            "status" => vec![ranked(DefectStatus::ALL, d.status, d.status.as_str(), d.status.label().into())],
            "severity" => vec![ranked(Severity::ALL, d.severity, d.severity.as_str(), d.severity.label().into())],
            "reporter" => self.ctx.person_cell(Some(d.reporter_id)),
            "escaped" => {
                vec![if d.found_after_release { Cell::word("yes", "Escaped") } else { Cell::word("no", "Not escaped") }]
            }
            "created" => vec![created(d.created_at)],
            other => self.ctx.custom(other, &d.custom_fields),
        }
    }
    fn words(&self) -> String {
        format!("{} {} {}", self.item.key, self.item.title, self.item.description)
    }
}

const fn f(name: &'static str, label: &'static str) -> Field {
    Field { name, label }
}

const BACKLOG: &[Field] = &[
    f("status", "Status"),
    f("lane", "Lane"),
    f("release", "Release"),
    f("moscow", "MoSCoW"),
    f("rice", "RICE"),
    f("ice", "ICE"),
    f("wsjf", "WSJF"),
    f("value_effort", "Value/effort"),
    f("demand", "Demand"),
    f("created", "Created"),
];
const FEEDBACK: &[Field] = &[
    f("status", "Status"),
    f("source", "Source"),
    f("customer", "Customer"),
    f("segment", "Segment"),
    f("value", "Customer value"),
    f("feature", "Linked feature"),
    f("created", "Received"),
];
const RISKS: &[Field] = &[
    f("status", "Status"),
    f("owner", "Owner"),
    f("response", "Response"),
    f("score", "Score"),
    f("probability", "Probability"),
    f("impact", "Impact"),
    f("exposure", "Exposure"),
    f("created", "Raised"),
];
const DEFECTS: &[Field] = &[
    f("status", "Status"),
    f("severity", "Severity"),
    f("reporter", "Reporter"),
    f("escaped", "Found after release"),
    f("created", "Filed"),
];
const TASKS: &[Field] = &[
    f("status", "Status"),
    f("assignee", "Assignee"),
    f("sprint", "Sprint"),
    f("points", "Story points"),
    f("done", "% complete"),
    f("created", "Created"),
];

/// The fields each page filters by, beside its custom fields.
pub fn fields_of(page: ViewPage) -> &'static [Field] {
    match page {
        ViewPage::Backlog => BACKLOG,
        ViewPage::Feedback => FEEDBACK,
        ViewPage::Risks => RISKS,
        ViewPage::Defects => DEFECTS,
        ViewPage::Tasks | ViewPage::Board => TASKS,
    }
}

/// One choice of a select in the filter bar.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub on: bool,
}

/// A select of the filter bar: one field, its values.
pub struct Pick {
    pub name: String,
    pub label: String,
    pub choices: Vec<Choice>,
}

/// The filter bar of a list page, its saved views, and the query in force.
pub struct Bar {
    pub action: String,
    pub page: ViewPage,
    pub ws: Id,
    pub picks: Vec<Pick>,
    pub sorts: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub q: String,
    /// Conditions no select shows (several values, ranges), kept as they are.
    pub hidden: Vec<(String, String)>,
    /// The query in force, canonical (empty when none).
    pub query: String,
    pub views: Vec<SavedView>,
    /// The saved view the address is, if any.
    pub current_view: Option<Id>,
    /// Whether the reader made that view (and may delete it here).
    pub own_view: bool,
}

/// Reads a list page's query, refusing one it cannot hold.
pub fn parse(pairs: &[(String, String)], page: ViewPage, ctx: &Ctx, ignore: &[&str]) -> Result<ListQuery, ApiError> {
    let custom = ctx.keys();
    ListQuery::parse(pairs, &Fields { fixed: fields_of(page), custom: &custom }, ignore).map_err(ApiError::Invalid)
}

/// A select of the filter bar to draw: its field, label and `(value,
/// label)` choices.
pub type PickSpec<'a> = (&'a str, &'a str, Vec<(String, String)>);

/// Where a filter bar is: the reader, the list page and its address.
pub struct Place {
    pub ws: Id,
    pub user: Id,
    pub page: ViewPage,
    pub action: String,
}

/// The filter bar at `at`, with selects for `picks` and the custom select
/// fields.
pub async fn bar(
    state: &AppState,
    at: Place,
    q: &ListQuery,
    ctx: &Ctx,
    picks: Vec<PickSpec<'_>>,
) -> Result<Bar, ApiError> {
    let Place { ws, user, page, action } = at;
    let pick = |name: &str, label: &str, values: Vec<(String, String)>| Pick {
        choices: values
            .into_iter()
            .map(|(value, l)| Choice { on: q.value_of(name) == Some(value.as_str()), value, label: l })
            .collect(),
        name: name.to_owned(),
        label: label.to_owned(),
    };
    let mut all: Vec<Pick> = picks.into_iter().map(|(n, l, v)| pick(n, l, v)).collect();
    for f in ctx.fields.iter().filter(|f| f.kind == FieldType::Select || f.kind == FieldType::MultiSelect) {
        all.push(pick(&format!("cf.{}", f.key), &f.name, f.options.iter().map(|o| (o.clone(), o.clone())).collect()));
    }
    let fields = fields_of(page);
    let orderable: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name.to_owned(), f.label.to_owned()))
        .chain(ctx.fields.iter().map(|f| (format!("cf.{}", f.key), f.name.clone())))
        .collect();
    let sort_now = q.sort.as_ref().map(|(s, desc)| format!("{}{s}", if *desc { "-" } else { "" }));
    let sorts = orderable
        .iter()
        .flat_map(|(n, l)| {
            [(n.clone(), format!("{l}, lowest first")), (format!("-{n}"), format!("{l}, highest first"))]
        })
        .map(|(value, label)| Choice { on: sort_now.as_deref() == Some(value.as_str()), value, label })
        .collect();
    let groups = orderable
        .iter()
        .map(|(n, l)| Choice { on: q.group.as_deref() == Some(n.as_str()), value: n.clone(), label: l.clone() })
        .collect();
    let hidden = q
        .conditions
        .iter()
        .filter(|c| !(all.iter().any(|p| p.name == c.field) && q.value_of(&c.field).is_some()))
        .map(|c| (c.field.clone(), c.form_value()))
        .collect();
    let query = q.to_query();
    let views = state.store.views(ws, user, Some(page)).await?;
    let current_view = views.iter().find(|v| !query.is_empty() && v.query == query).map(|v| v.id);
    let own_view = views.iter().any(|v| Some(v.id) == current_view && v.owner_id == user);
    let words = q.q.clone().unwrap_or_default();
    Ok(Bar { action, page, ws, picks: all, sorts, groups, q: words, hidden, query, views, current_view, own_view })
}

/// A closed word set as a select's choices: each word with its label.
pub fn words<T: std::fmt::Display + tandem_core::enums::Labelled>(all: &[T]) -> Vec<(String, String)> {
    all.iter().map(|w| (w.to_string(), w.label_text().into_owned())).collect()
}

/// Members as choices (a person filter), with "me" first.
pub fn people_choices(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = ctx.people.iter().map(|(id, n)| (id.clone(), n.clone())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v.insert(0, ("me".into(), "Me".into()));
    v
}

#[derive(serde::Deserialize)]
pub struct SaveViewForm {
    page: String,
    name: String,
    query: String,
    shared: Option<String>,
    return_to: String,
}

/// Saves the list's address under a name, then shows it.
pub async fn save_view(
    axum::extract::State(state): axum::extract::State<AppState>,
    super::PageAllowed(a): super::PageAllowed<crate::access::WorkspaceRead>,
    super::PageForm(form): super::PageForm<SaveViewForm>,
) -> super::PageResult {
    use axum::response::IntoResponse;
    let back = super::safe_next(Some(&form.return_to));
    let page = tandem_app::ops::views::page(Some(&form.page)).map_err(super::on(&back))?.unwrap_or(ViewPage::Backlog);
    let req = tandem_app::ops::views::NewView {
        page,
        name: form.name,
        query: Some(form.query),
        shared: Some(form.shared.is_some()),
    };
    let v = tandem_app::ops::views::create(&state, a.ws, a.user_id(), req).await.map_err(super::on(&back))?;
    Ok(axum::response::Redirect::to(&format!("{back}?{}", v.query)).into_response())
}

#[derive(serde::Deserialize)]
pub struct DeleteViewForm {
    return_to: String,
}

/// Deletes a view its maker (or an admin) no longer wants, back to the
/// list without it.
pub async fn delete_view(
    axum::extract::State(state): axum::extract::State<AppState>,
    super::PageUser(p): super::PageUser,
    axum::extract::Path(path): axum::extract::Path<crate::extract::IdPath>,
    super::PageForm(form): super::PageForm<DeleteViewForm>,
) -> super::PageResult {
    use axum::response::IntoResponse;
    let back = super::safe_next(Some(&form.return_to));
    let id = path.id().map_err(super::on(&back))?;
    tandem_app::ops::views::delete(&state, p.id(), id).await.map_err(super::on(&back))?;
    Ok(axum::response::Redirect::to(&back).into_response())
}

/// The pairs of a page's address, at most 100 (the rest are dropped).
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .take(100)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The rows `q` keeps, in its order, and the group heading each row
/// starts (see [`ListQuery::arrange`]).
pub fn grouped<T>(items: Vec<T>, ctx: &Ctx, q: &ListQuery) -> (Vec<T>, Vec<Option<String>>)
where
    for<'a> Listed<'a, T>: Row,
{
    if q.is_empty() {
        let n = items.len();
        return (items, vec![None; n]);
    }
    let (order, heads): (Vec<usize>, _) = {
        let rows: Vec<Listed<'_, T>> = items.iter().enumerate().map(|(at, item)| Listed { item, ctx, at }).collect();
        let (rows, heads) = q.arrange(rows, "None");
        (rows.into_iter().map(|l| l.at).collect(), heads)
    };
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    (order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect(), heads)
}

/// The task list's and the sheet's filter: the context of a project's
/// tasks (custom fields, resources, sprints) and the address's query
/// (`from`, the page of the table without scripts, is the page's own).
pub async fn task_query(
    state: &AppState,
    ws: Id,
    project: Id,
    user: Id,
    raw: Option<&str>,
) -> Result<(Ctx, ListQuery), ApiError> {
    let sprints = state.store.sprints(project).await?;
    let names = sprints.iter().map(|s| (s.id, s.name.clone())).collect();
    let resources = state.store.resources(ws).await?;
    let ctx = Ctx::load(state, ws, tandem_core::custom::FieldObject::Task, names).await?.with_resources(&resources);
    let q = parse(&pairs(raw), ViewPage::Tasks, &ctx, &["from", "group"])?.with_me(&["assignee"], &user.to_string());
    Ok((ctx, q))
}

/// The ids of the tasks `q` keeps, in its order (WBS order unless sorted).
pub fn kept_tasks(tasks: &[tandem_core::project::Task], ctx: &Ctx, q: &ListQuery) -> Vec<Id> {
    let rows: Vec<Listed<'_, tandem_core::project::Task>> =
        tasks.iter().enumerate().map(|(at, item)| Listed { item, ctx, at }).collect();
    q.apply(rows).into_iter().map(|l| l.item.id).collect()
}

/// The lanes of a grouped board: their headings in order, and the lane of
/// each task `q` keeps.
pub fn lanes(
    tasks: &[tandem_core::project::Task],
    ctx: &Ctx,
    q: &ListQuery,
) -> (Vec<String>, std::collections::HashMap<Id, usize>) {
    let rows: Vec<Listed<'_, tandem_core::project::Task>> =
        tasks.iter().enumerate().map(|(at, item)| Listed { item, ctx, at }).collect();
    let (rows, heads) = q.arrange(rows, "None");
    let (mut names, mut of) = (Vec::new(), std::collections::HashMap::new());
    for (row, head) in rows.iter().zip(heads) {
        names.extend(head);
        of.insert(row.item.id, names.len().saturating_sub(1));
    }
    (names, of)
}

/// A bulk action's form: the ticked items (`ids`, repeated), the page to
/// go back to (`return_to`), and its other fields.
pub struct Ticked {
    pub ids: Vec<Id>,
    pub back: String,
    pairs: Vec<(String, String)>,
}

impl Ticked {
    /// Reads the form; none ticked is refused on `fallback`'s page (or the
    /// one to go back to), naming what to tick.
    pub fn read(pairs: Vec<(String, String)>, fallback: &str, what: &str) -> Result<Ticked, super::PageError> {
        let mut t = Ticked { ids: Vec::new(), back: fallback.to_owned(), pairs };
        if let Some(r) = t.one("return_to") {
            t.back = super::safe_next(Some(r));
        }
        t.ids = t.pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.parse().ok()).collect();
        if t.ids.is_empty() {
            return Err(super::on(&t.back)(ApiError::invalid("ids", format!("tick the {what} to act on first"))));
        }
        Ok(t)
    }

    /// A field's value, unless empty.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// The action picked, one of a word set.
    pub fn action<T>(&self, parse: fn(&str) -> Option<T>) -> Result<T, super::PageError> {
        self.one("action")
            .and_then(parse)
            .ok_or_else(|| super::on(&self.back)(ApiError::invalid("action", "pick what to do")))
    }
}
