//! Custom fields on pages: the values an object page shows, the inputs its
//! forms carry (`cf.<key>`; a multi select's options as `cf.<key>.<n>`
//! beside an empty `cf.<key>` that says the field was on the form), and
//! reading those inputs back as the values a use case takes.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use serde_json::Value;
use tandem_app::ops::custom as ops;
use tandem_core::custom::{self, CustomField, CustomValues, FieldObject, FieldType};
use tandem_core::model::{Day, Member};
use tandem_core::{Id, access};

use super::human::Human;
use super::{PageAllowed, PageForm, PageResult, PageUser, Shell, on, render};
use crate::access::WorkspaceRead;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;

/// One value as a page shows it.
pub struct Shown {
    pub name: String,
    pub text: String,
    /// A link's address (URL fields).
    pub link: Option<String>,
}

/// One option of a select input.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub on: bool,
}

/// One field's input on a form.
pub struct Input {
    /// The input's name (`cf.<key>`).
    pub name: String,
    /// The element id, unique on the page with `form`'s prefix.
    pub id: String,
    pub label: String,
    /// `text`, `number`, `date`, `select`, `multi_select`, `person` or `url`.
    pub kind: &'static str,
    pub required: bool,
    /// What the input holds now (text kinds).
    pub text: String,
    /// Options of a select, multi select or person field.
    pub choices: Vec<Choice>,
}

/// The fields of one kind of object, with what a page needs to show and
/// edit them.
pub struct Fields {
    pub fields: Vec<CustomField>,
    members: Vec<Member>,
}

impl Fields {
    pub fn new(fields: Vec<CustomField>, members: Vec<Member>) -> Fields {
        Fields { fields, members }
    }

    pub async fn load(state: &AppState, ws: Id, object: FieldObject) -> Result<Fields, ApiError> {
        let fields = state.store.custom_fields(ws, Some(object)).await?;
        let members = if fields.iter().any(|f| f.kind == FieldType::Person) {
            state.store.members(ws, None, tandem_store::MAX_PAGE).await?.items
        } else {
            Vec::new()
        };
        Ok(Fields { fields, members })
    }

    /// The values an object holds, in field order, for reading.
    pub fn shown(&self, h: &Human, values: &CustomValues) -> Vec<Shown> {
        self.fields
            .iter()
            .filter_map(|f| values.get(&f.key).map(|v| (f, v)))
            .map(|(f, v)| Shown { name: f.name.clone(), text: self.text(h, f, v), link: link(f, v) })
            .collect()
    }

    /// One value as a cell reads it (empty when the object has none).
    pub fn cell(&self, h: &Human, f: &CustomField, values: &CustomValues) -> String {
        values.get(&f.key).map(|v| self.text(h, f, v)).unwrap_or_default()
    }

    fn text(&self, h: &Human, f: &CustomField, v: &Value) -> String {
        match f.kind {
            FieldType::Person => custom::person(v)
                .and_then(|u| self.members.iter().find(|m| m.user_id == u))
                .map_or_else(|| "a former member".to_owned(), |m| m.name.clone()),
            FieldType::Date => {
                v.as_str().and_then(|d| d.parse::<Day>().ok()).map_or_else(|| custom::display(v), |d| h.date(d.0))
            }
            _ => custom::display(v),
        }
    }

    /// Inputs for every field (`required_only`: only the required ones, for
    /// a short create form), holding `values`; ids prefixed with `form`.
    pub fn inputs(&self, form: &str, values: &CustomValues, required_only: bool) -> Vec<Input> {
        self.fields
            .iter()
            .filter(|f| f.required || !required_only)
            .map(|f| {
                let v = values.get(&f.key);
                let picked = |o: &str| match v {
                    Some(Value::String(s)) => s == o,
                    Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(o)),
                    _ => false,
                };
                let choices = match f.kind {
                    FieldType::Select | FieldType::MultiSelect => {
                        f.options.iter().map(|o| Choice { value: o.clone(), label: o.clone(), on: picked(o) }).collect()
                    }
                    FieldType::Person => self
                        .members
                        .iter()
                        .map(|m| {
                            let id = m.user_id.to_string();
                            Choice { on: picked(&id), value: id, label: m.name.clone() }
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Input {
                    name: format!("cf.{}", f.key),
                    id: format!("{form}-cf-{}", f.key),
                    label: f.name.clone(),
                    kind: f.kind.as_str(),
                    required: f.required,
                    text: v.map(custom::form_text).unwrap_or_default(),
                    choices,
                }
            })
            .collect()
    }

    /// The values a form sent, for the fields it carried; a field not on
    /// the form is left as it is.
    pub fn sent(&self, pairs: &[(String, String)]) -> CustomValues {
        let mut out = CustomValues::new();
        for f in &self.fields {
            let name = format!("cf.{}", f.key);
            let prefix = format!("{name}.");
            let on_form = pairs.iter().any(|(k, _)| *k == name || k.starts_with(&prefix));
            if !on_form {
                continue;
            }
            let v = if f.kind == FieldType::MultiSelect {
                Value::Array(
                    pairs
                        .iter()
                        .filter(|(k, v)| k.starts_with(&prefix) && !v.is_empty())
                        .map(|(_, v)| Value::String(v.clone()))
                        .collect(),
                )
            } else {
                Value::String(pairs.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default())
            };
            out.insert(f.key.clone(), v);
        }
        out
    }
}

fn link(f: &CustomField, v: &Value) -> Option<String> {
    (f.kind == FieldType::Url).then(|| v.as_str().map(str::to_owned)).flatten()
}

// ---- the settings page ----

/// One field as the settings page lists it.
pub struct FieldRow {
    pub f: CustomField,
    /// How many objects hold a value.
    pub uses: i64,
    /// The caller may change and delete it.
    pub can_manage: bool,
    /// Its options one a line, for the edit form.
    pub options_text: String,
}

#[derive(Template)]
#[template(path = "settings_fields.html")]
struct FieldsPage {
    shell: Shell,
    ws: tandem_core::model::Workspace,
    tab: &'static str,
    /// Each kind of object with its fields.
    groups: Vec<(FieldObject, Vec<FieldRow>)>,
    /// The kinds the caller may add fields to.
    may_add: Vec<FieldObject>,
    types: &'static [FieldType],
}

pub async fn settings(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/settings/fields", a.ws);
    let ws = state.store.workspace(a.ws).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "settings", "Custom fields").await.map_err(on(&path))?;
    let fields = state.store.custom_fields(a.ws, None).await.map_err(on(&path))?;
    let counts = state.store.custom_field_counts(a.ws).await.map_err(on(&path))?;
    let may = |o: FieldObject| access::may_manage_custom_fields(a.role, o);
    let groups = FieldObject::ALL
        .iter()
        .map(|&o| {
            let rows = fields
                .iter()
                .filter(|f| f.object == o)
                .map(|f| FieldRow {
                    uses: counts.get(&f.id).copied().unwrap_or(0),
                    can_manage: may(o),
                    options_text: f.options.join("\n"),
                    f: f.clone(),
                })
                .collect();
            (o, rows)
        })
        .collect();
    let may_add = FieldObject::ALL.iter().copied().filter(|&o| may(o)).collect();
    let page = FieldsPage { shell, ws, tab: "fields", groups, may_add, types: FieldType::ALL };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct NewFieldForm {
    object: String,
    name: String,
    key: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    options: Option<String>,
    required: Option<String>,
}

fn word<T>(field: &'static str, raw: &str, parse: fn(&str) -> Option<T>, words: String) -> Result<T, ApiError> {
    parse(raw.trim()).ok_or_else(|| ApiError::invalid(field, format!("one of {words}")))
}

pub async fn settings_add(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceRead>,
    PageForm(form): PageForm<NewFieldForm>,
) -> PageResult {
    let path = format!("/w/{}/settings/fields", a.ws);
    let object = word("object", &form.object, FieldObject::parse, FieldObject::words()).map_err(on(&path))?;
    let kind = word("type", &form.kind, FieldType::parse, FieldType::words()).map_err(on(&path))?;
    let req = ops::NewCustomField {
        object,
        key: form.key.filter(|k| !k.trim().is_empty()),
        name: form.name,
        kind,
        options: form.options.as_deref().map(custom::options_text),
        required: Some(form.required.is_some()),
    };
    ops::create(&state, a.ws, a.user_id(), req).await.map_err(on(&path))?;
    Ok(Redirect::to(&format!("{path}#{object}")).into_response())
}

#[derive(Deserialize)]
pub struct EditFieldForm {
    version: i64,
    name: String,
    key: String,
    options: Option<String>,
    required: Option<String>,
}

async fn field_page(state: &AppState, user: Id, id: Id) -> Result<(CustomField, String), ApiError> {
    let f = ops::readable(state, user, id).await?;
    let path = format!("/w/{}/settings/fields", f.workspace_id);
    Ok((f, path))
}

pub async fn settings_edit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<EditFieldForm>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let (f, page) = field_page(&state, p.id(), id).await.map_err(on("/"))?;
    let req = ops::EditCustomField {
        key: Some(form.key),
        name: Some(form.name),
        options: f.kind.has_options().then(|| custom::options_text(form.options.as_deref().unwrap_or(""))),
        required: Some(form.required.is_some()),
        position: None,
        kind: None,
        version: None,
    };
    ops::edit(&state, p.id(), id, form.version, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("{page}#{}", f.object)).into_response())
}

pub async fn settings_delete(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let (f, page) = field_page(&state, p.id(), id).await.map_err(on("/"))?;
    ops::delete(&state, p.id(), id).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("{page}#{}", f.object)).into_response())
}

/// A list row's custom cells, and the small form that edits them.
pub struct RowCustom {
    pub cells: Vec<String>,
    pub edit: Option<CustomEdit>,
}

/// A form of an object's custom values alone, posted to `action`.
pub struct CustomEdit {
    pub action: String,
    pub version: i64,
    pub inputs: Vec<Input>,
}

impl Fields {
    /// The custom cells of a list's row, and its edit form when `editable`
    /// (posted to `action` with the object's `version`).
    pub fn row(&self, h: &Human, values: &CustomValues, editable: bool, action: String, version: i64) -> RowCustom {
        let cells = self.fields.iter().map(|f| self.cell(h, f, values)).collect();
        let edit = (editable && !self.fields.is_empty()).then(|| CustomEdit {
            inputs: self.inputs(&action.replace('/', "-"), values, false),
            action,
            version,
        });
        RowCustom { cells, edit }
    }
}

/// The version and custom inputs of a fields-only edit.
#[derive(Deserialize)]
pub struct FieldsForm {
    pub version: i64,
}
