//! Custom fields: who sees, adds, changes and deletes them, and the values
//! the object use cases take with them.

use serde::Deserialize;
use tandem_core::custom::{self, CustomField, CustomValues, FieldObject, FieldType};
use tandem_core::{Id, access};
use tandem_store::custom::{FieldDraft, FieldEdit};
use utoipa::ToSchema;

use crate::App;
use crate::error::AppError;

/// `POST /workspaces/{ws}/custom-fields`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    pub object: FieldObject,
    /// Made from the name when left out (`Customer tier` → `customer_tier`).
    pub key: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The choices of a select or multi select.
    pub options: Option<Vec<String>>,
    pub required: Option<bool>,
}

/// `PATCH /custom-fields/{id}`. The kind of object and the type stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditCustomField {
    /// A new key; the values stay with the field.
    pub key: Option<String>,
    pub name: Option<String>,
    /// The whole new list; an option still held by a value cannot go.
    pub options: Option<Vec<String>>,
    pub required: Option<bool>,
    pub position: Option<i64>,
    /// Refused unless it is the field's own type.
    #[serde(rename = "type")]
    pub kind: Option<FieldType>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// The kind named in a listing's `object` (none: every kind).
pub fn object(raw: Option<&str>) -> Result<Option<FieldObject>, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(o) => FieldObject::parse(o)
            .map(Some)
            .ok_or_else(|| AppError::invalid("object", format!("one of {}", FieldObject::words()))),
    }
}

/// The workspace's fields (every member reads them).
pub async fn list(state: &App, ws: Id, object: Option<FieldObject>) -> Result<Vec<CustomField>, AppError> {
    Ok(state.store.custom_fields(ws, object).await?)
}

/// Field `id` if its workspace is the caller's.
pub async fn readable(state: &App, user: Id, id: Id) -> Result<CustomField, AppError> {
    let f = state.store.custom_field(id).await?;
    state.store.role_in(f.workspace_id, user).await?.ok_or(AppError::NotFound)?;
    Ok(f)
}

async fn check_manager(state: &App, ws: Id, user: Id, object: FieldObject) -> Result<(), AppError> {
    let role = state.store.role_in(ws, user).await?.ok_or(AppError::NotFound)?;
    if access::may_manage_custom_fields(role, object) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Field `id` if the caller may change it.
async fn managed(state: &App, user: Id, id: Id) -> Result<CustomField, AppError> {
    let f = readable(state, user, id).await?;
    check_manager(state, f.workspace_id, user, f.object).await?;
    Ok(f)
}

pub async fn create(state: &App, ws: Id, user: Id, req: NewCustomField) -> Result<CustomField, AppError> {
    check_manager(state, ws, user, req.object).await?;
    let name = custom::name(&req.name)?;
    let key = match req.key.as_deref() {
        Some(k) => custom::key(k)?,
        None => custom::key(&custom::key_from_name(&name))?,
    };
    let draft = FieldDraft {
        object: req.object,
        key,
        name,
        kind: req.kind,
        options: custom::options(req.kind, req.options.as_deref().unwrap_or_default())?,
        required: req.required.unwrap_or(false),
    };
    Ok(state.store.create_custom_field(user, ws, &draft, state.clock.now()).await?)
}

pub async fn edit(state: &App, user: Id, id: Id, version: i64, req: EditCustomField) -> Result<CustomField, AppError> {
    let f = managed(state, user, id).await?;
    if req.kind.is_some_and(|k| k != f.kind) {
        return Err(AppError::invalid("type", "a field's type cannot change; add a new field and delete this one"));
    }
    let edit = FieldEdit {
        key: req.key.as_deref().map(custom::key).transpose()?,
        name: req.name.as_deref().map(custom::name).transpose()?,
        options: req.options.as_deref().map(|o| custom::options(f.kind, o)).transpose()?,
        required: req.required,
        position: req.position.map(|p| p.clamp(0, 1_000_000)),
    };
    Ok(state.store.edit_custom_field(user, f.id, version, &edit, state.clock.now()).await?)
}

/// How many objects hold a value of the field, for the question a page
/// asks before deleting it.
pub async fn uses(state: &App, user: Id, id: Id) -> Result<(CustomField, i64), AppError> {
    let f = managed(state, user, id).await?;
    let n = state.store.custom_field_uses(f.id).await?;
    Ok((f, n))
}

pub async fn delete(state: &App, user: Id, id: Id) -> Result<(), AppError> {
    let f = managed(state, user, id).await?;
    Ok(state.store.delete_custom_field(user, f.id, state.clock.now()).await?)
}

/// The fields of `object` in `ws` as the last columns of an export.
pub async fn columns(state: &App, ws: Id, object: FieldObject) -> Result<crate::export::CustomColumns, AppError> {
    let fields = state.store.custom_fields(ws, Some(object)).await?;
    let members = if fields.iter().any(|f| f.kind == FieldType::Person) {
        state.store.members(ws, None, tandem_store::MAX_PAGE).await?.items
    } else {
        Vec::new()
    };
    Ok(crate::export::CustomColumns::new(fields, &members))
}

/// The most custom values one write may send.
const MAX_SENT: usize = 100;

/// Custom values a create or an edit sends, bounded.
pub fn sent(raw: Option<CustomValues>) -> Result<CustomValues, AppError> {
    let v = raw.unwrap_or_default();
    if v.len() > MAX_SENT {
        return Err(AppError::invalid("custom_fields", format!("at most {MAX_SENT} values in one write")));
    }
    Ok(v)
}

/// Refuses a new object of `object` in `ws` whose values leave a required
/// field empty or hold a value of the wrong type, naming the field.
pub async fn check_new(state: &App, ws: Id, object: FieldObject, values: &CustomValues) -> Result<(), AppError> {
    let fields = state.store.custom_fields(ws, Some(object)).await?;
    if fields.is_empty() && values.is_empty() {
        return Ok(());
    }
    custom::settle(&fields, object, &CustomValues::new(), values, true)?;
    Ok(())
}

/// Lays the values an edit sends over the stored ones (`null` clears).
pub fn lay_over(stored: &mut CustomValues, sent: CustomValues) {
    stored.extend(sent);
}
