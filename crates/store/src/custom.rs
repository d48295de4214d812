//! Custom fields and their values. A value hangs off its field's id, so a
//! renamed key keeps it; objects read theirs by key. Writes of values run
//! inside the object's own write, after the object's row.

use std::collections::HashMap;

use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row, Transaction};
use tandem_core::custom::{self, CustomField, CustomValues, FieldObject, FieldType, MAX_FIELDS_PER_OBJECT};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{Change, record, record_update};
use crate::rows::{check_version, id, millis, word};
use crate::{Result, Store, StoreError};

type Tx = Transaction<'static, Any>;

const COLS: &str = "SELECT id, workspace_id, object, key, name, type, options, required, position, version, \
                    created_at, updated_at FROM custom_fields";

fn field(row: &AnyRow) -> Result<CustomField> {
    let options: String = row.try_get("options")?;
    Ok(CustomField {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        object: word(row, "object", FieldObject::parse)?,
        key: row.try_get("key")?,
        name: row.try_get("name")?,
        kind: word(row, "type", FieldType::parse)?,
        options: serde_json::from_str(&options).map_err(|e| StoreError::Corrupt(format!("field options: {e}")))?,
        required: row.try_get::<i64, _>("required")? != 0,
        position: row.try_get("position")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch<'e, E: Executor<'e, Database = Any>>(ex: E, f: Id) -> Result<CustomField> {
    let sql = format!("{COLS} WHERE id = $1");
    let row = sqlx::query(AssertSqlSafe(sql)).bind(f.0).fetch_optional(ex).await?.ok_or(StoreError::NotFound)?;
    field(&row)
}

/// The fields of `object` in workspace `ws`, in page order.
pub(crate) async fn fields_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ws: Id,
    object: FieldObject,
) -> Result<Vec<CustomField>> {
    let sql = format!("{COLS} WHERE workspace_id = $1 AND object = $2 ORDER BY position, id");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(ws.0).bind(object.as_str()).fetch_all(ex).await?;
    rows.iter().map(field).collect()
}

/// The table of each kind of object and the column naming its product or
/// project.
fn table(object: FieldObject) -> (&'static str, &'static str) {
    match object {
        FieldObject::Feature => ("features", "product_id"),
        FieldObject::Feedback => ("feedback", "product_id"),
        FieldObject::Task => ("tasks", "project_id"),
        FieldObject::Risk => ("risks", "project_id"),
        FieldObject::Defect => ("defects", "project_id"),
    }
}

fn fold(rows: &[AnyRow]) -> Result<HashMap<i64, CustomValues>> {
    let mut out: HashMap<i64, CustomValues> = HashMap::new();
    for r in rows {
        let raw: String = r.try_get("value")?;
        let v: Value = serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("custom value: {e}")))?;
        out.entry(r.try_get("object_id")?).or_default().insert(r.try_get("key")?, v);
    }
    Ok(out)
}

/// The custom values of one object.
pub(crate) async fn values_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    object: FieldObject,
    object_id: Id,
) -> Result<CustomValues> {
    let rows = sqlx::query(
        "SELECT v.object_id, f.key, v.value FROM custom_values v JOIN custom_fields f ON f.id = v.field_id \
         WHERE v.object_id = $1 AND f.object = $2",
    )
    .bind(object_id.0)
    .bind(object.as_str())
    .fetch_all(ex)
    .await?;
    Ok(fold(&rows)?.remove(&object_id.0).unwrap_or_default())
}

/// The custom values of every `object` in product or project `scope`, by
/// object id.
pub(crate) async fn values_in<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    object: FieldObject,
    scope: Id,
) -> Result<HashMap<i64, CustomValues>> {
    values_between(ex, object, scope, i64::MIN, i64::MAX).await
}

/// The custom values of the `object`s in `scope` with ids from `lo` to
/// `hi` (a page of a list), by object id.
pub(crate) async fn values_between<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    object: FieldObject,
    scope: Id,
    lo: i64,
    hi: i64,
) -> Result<HashMap<i64, CustomValues>> {
    let (table, column) = table(object);
    // Built from constants only; every value is bound.
    let sql = format!(
        "SELECT v.object_id, f.key, v.value FROM custom_values v JOIN custom_fields f ON f.id = v.field_id \
         JOIN {table} o ON o.id = v.object_id WHERE f.object = $1 AND o.{column} = $2 \
         AND v.object_id BETWEEN $3 AND $4"
    );
    let rows =
        sqlx::query(AssertSqlSafe(sql)).bind(object.as_str()).bind(scope.0).bind(lo).bind(hi).fetch_all(ex).await?;
    fold(&rows)
}

/// Writes the values an object's write leaves (see
/// [`custom::settle`]): `sent` over `stored`, checked against the
/// workspace's fields; a person must be a member. Answers the values now
/// stored. A required field is asked for by the use cases that create on a
/// person's request (the API, the create forms), not here, so imports,
/// change requests and the sheet's quick rows may leave it empty.
pub(crate) async fn save(
    tx: &mut Tx,
    ws: Id,
    object: FieldObject,
    object_id: Id,
    stored: &CustomValues,
    sent: &CustomValues,
) -> Result<CustomValues> {
    if sent.iter().all(|(k, v)| stored.get(k) == Some(v)) {
        return Ok(stored.clone());
    }
    let fields = fields_of(&mut **tx, ws, object).await?;
    let after = custom::settle(&fields, object, stored, sent, false)?;
    for f in &fields {
        let (old, new) = (stored.get(&f.key), after.get(&f.key));
        if old == new {
            continue;
        }
        match new {
            None => {
                sqlx::query("DELETE FROM custom_values WHERE field_id = $1 AND object_id = $2")
                    .bind(f.id.0)
                    .bind(object_id.0)
                    .execute(&mut **tx)
                    .await?;
            }
            Some(v) => {
                if f.kind == FieldType::Person {
                    check_member(tx, ws, f, v).await?;
                }
                let text = v.to_string();
                let updated = sqlx::query("UPDATE custom_values SET value = $1 WHERE field_id = $2 AND object_id = $3")
                    .bind(&text)
                    .bind(f.id.0)
                    .bind(object_id.0)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    sqlx::query("INSERT INTO custom_values (field_id, object_id, value) VALUES ($1, $2, $3)")
                        .bind(f.id.0)
                        .bind(object_id.0)
                        .bind(&text)
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
    }
    Ok(after)
}

async fn check_member(tx: &mut Tx, ws: Id, f: &CustomField, v: &Value) -> Result<()> {
    let user = custom::person(v).unwrap_or(Id(0));
    if !crate::workspaces::is_member(tx, ws, user).await? {
        return Err(StoreError::Invalid(Invalid::named(
            custom::path(&f.key),
            format!("{}: no member of this workspace has the id {}", f.name, custom::display(v)),
        )));
    }
    Ok(())
}

/// A field to add, checked.
#[derive(Debug, Clone)]
pub struct FieldDraft {
    pub object: FieldObject,
    pub key: String,
    pub name: String,
    pub kind: FieldType,
    pub options: Vec<String>,
    pub required: bool,
}

/// What an edit of a field may change (its kind and type stay).
#[derive(Debug, Clone, Default)]
pub struct FieldEdit {
    pub key: Option<String>,
    pub name: Option<String>,
    pub options: Option<Vec<String>>,
    pub required: Option<bool>,
    pub position: Option<i64>,
}

fn change(f: &CustomField, actor: Id, action: &'static str) -> Change {
    Change {
        workspace_id: f.workspace_id,
        actor_id: Some(actor),
        action,
        subject_type: "custom_field",
        subject_id: f.id,
        before: None,
        after: None,
    }
}

async fn check_key_free(tx: &mut Tx, ws: Id, object: FieldObject, key: &str) -> Result<()> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM custom_fields WHERE workspace_id = $1 AND object = $2 AND key = $3")
            .bind(ws.0)
            .bind(object.as_str())
            .bind(key)
            .fetch_one(&mut **tx)
            .await?;
    if n > 0 {
        return Err(StoreError::Conflict(format!("{} already have a field with the key “{key}”", object.plural())));
    }
    Ok(())
}

/// How many stored values of `f` hold `option`.
async fn option_uses(tx: &mut Tx, f: &CustomField, option: &str) -> Result<usize> {
    let values: Vec<String> = sqlx::query_scalar("SELECT value FROM custom_values WHERE field_id = $1")
        .bind(f.id.0)
        .fetch_all(&mut **tx)
        .await?;
    let holds = |raw: &String| match serde_json::from_str::<Value>(raw) {
        Ok(Value::String(s)) => s == option,
        Ok(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(option)),
        _ => false,
    };
    Ok(values.iter().filter(|v| holds(v)).count())
}

impl Store {
    /// The workspace's fields, of one kind of object or all, in page order.
    pub async fn custom_fields(&self, ws: Id, object: Option<FieldObject>) -> Result<Vec<CustomField>> {
        match object {
            Some(o) => fields_of(&self.pool, ws, o).await,
            None => {
                let sql = format!("{COLS} WHERE workspace_id = $1 ORDER BY object, position, id");
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(ws.0).fetch_all(&self.pool).await?;
                rows.iter().map(field).collect()
            }
        }
    }

    pub async fn custom_field(&self, f: Id) -> Result<CustomField> {
        fetch(&self.pool, f).await
    }

    /// How many objects hold a value of each field of the workspace.
    pub async fn custom_field_counts(&self, ws: Id) -> Result<HashMap<Id, i64>> {
        let rows = sqlx::query(
            "SELECT v.field_id, COUNT(*) AS n FROM custom_values v JOIN custom_fields f ON f.id = v.field_id \
             WHERE f.workspace_id = $1 GROUP BY v.field_id",
        )
        .bind(ws.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((id(r, "field_id")?, r.try_get::<i64, _>("n")?))).collect()
    }

    /// How many objects hold a value of field `f`.
    pub async fn custom_field_uses(&self, f: Id) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM custom_values WHERE field_id = $1")
            .bind(f.0)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Adds a field, last on its pages; refused past
    /// [`MAX_FIELDS_PER_OBJECT`] or with a key its kind already has.
    pub async fn create_custom_field(&self, actor: Id, ws: Id, d: &FieldDraft, now: Millis) -> Result<CustomField> {
        let mut tx = self.write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM custom_fields WHERE workspace_id = $1 AND object = $2")
            .bind(ws.0)
            .bind(d.object.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_FIELDS_PER_OBJECT {
            return Err(StoreError::Conflict(format!(
                "{} carry {MAX_FIELDS_PER_OBJECT} custom fields already; delete one first",
                d.object.plural()
            )));
        }
        check_key_free(&mut tx, ws, d.object, &d.key).await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM custom_fields WHERE workspace_id = $1 AND object = $2",
        )
        .bind(ws.0)
        .bind(d.object.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let options = serde_json::to_string(&d.options).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let fid: i64 = sqlx::query_scalar(
            "INSERT INTO custom_fields (workspace_id, object, key, name, type, options, required, position, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(ws.0)
        .bind(d.object.as_str())
        .bind(&d.key)
        .bind(&d.name)
        .bind(d.kind.as_str())
        .bind(options)
        .bind(i64::from(d.required))
        .bind(position)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let f = fetch(&mut *tx, Id(fid)).await?;
        let after = json!({
            "name": f.name, "object": f.object, "type": f.kind, "options": f.options, "required": f.required,
        });
        record(&mut tx, &change(&f, actor, "custom_field.created").after(after), now).await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Renames, re-keys, re-orders or changes the options of a field read
    /// at `version`. Its values stay with it; an option still held by a
    /// value cannot be removed.
    pub async fn edit_custom_field(
        &self,
        actor: Id,
        f: Id,
        version: i64,
        edit: &FieldEdit,
        now: Millis,
    ) -> Result<CustomField> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, f).await?;
        check_version(before.version, version)?;
        if let Some(k) = edit.key.as_deref().filter(|k| *k != before.key) {
            check_key_free(&mut tx, before.workspace_id, before.object, k).await?;
        }
        let options = edit.options.clone().unwrap_or_else(|| before.options.clone());
        for gone in before.options.iter().filter(|o| !options.contains(o)) {
            let n = option_uses(&mut tx, &before, gone).await?;
            if n > 0 {
                return Err(StoreError::Conflict(format!(
                    "{n} of the {} still hold “{gone}”; change them before removing the option",
                    before.object.plural()
                )));
            }
        }
        sqlx::query(
            "UPDATE custom_fields SET key = $1, name = $2, options = $3, required = $4, position = $5, \
             version = version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(edit.key.as_deref().unwrap_or(&before.key))
        .bind(edit.name.as_deref().unwrap_or(&before.name))
        .bind(serde_json::to_string(&options).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(i64::from(edit.required.unwrap_or(before.required)))
        .bind(edit.position.unwrap_or(before.position))
        .bind(now.0)
        .bind(f.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, f).await?;
        record_update(&mut tx, change(&before, actor, "custom_field.updated"), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a field with every value of it; the log keeps what it was
    /// and how many values went.
    pub async fn delete_custom_field(&self, actor: Id, f: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, f).await?;
        let values: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM custom_values WHERE field_id = $1")
            .bind(f.0)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM custom_fields WHERE id = $1").bind(f.0).execute(&mut *tx).await?;
        let was = json!({"name": before.name, "object": before.object, "type": before.kind, "values": values});
        record(&mut tx, &change(&before, actor, "custom_field.deleted").before(was), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
