//! The activity log: who changed what, when, with before and after values.
//! Rows are appended inside the transaction of the change they describe.

use serde_json::Value;
use sqlx::{Any, Row, Transaction};
use tandem_core::model::Activity;
use tandem_core::{Id, Millis};

use crate::rows::{id, millis};
use crate::{MAX_PAGE, Page, Result, Store, StoreError};

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    pub workspace_id: Id,
    pub actor_id: Option<Id>,
    /// What happened, `subject.verb`, e.g. `member.added`.
    pub action: &'static str,
    pub subject_type: &'static str,
    pub subject_id: Id,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    /// The same change with the values after it.
    pub fn after(self, v: Value) -> Change {
        Change { after: Some(v), ..self }
    }
    /// The same change with the values before it.
    pub fn before(self, v: Value) -> Change {
        Change { before: Some(v), ..self }
    }
}

/// The frame of an activity entry about an object in workspace `ws`.
pub(crate) fn change(ws: Id, actor: Id, action: &'static str, subject_type: &'static str, subject: Id) -> Change {
    Change {
        workspace_id: ws,
        actor_id: Some(actor),
        action,
        subject_type,
        subject_id: subject,
        before: None,
        after: None,
    }
}

fn json(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(Value::to_string)
}

pub(crate) async fn record(tx: &mut Transaction<'static, Any>, change: &Change, now: Millis) -> Result<()> {
    let version = change.after.as_ref().and_then(|a| a.get("version")).and_then(Value::as_i64);
    insert(tx, change, version, now).await
}

/// Appends the row, with the subject's version after the change (what a
/// live client compares with its copy), and queues its webhook deliveries.
async fn insert(tx: &mut Transaction<'static, Any>, change: &Change, version: Option<i64>, now: Millis) -> Result<()> {
    sqlx::query(
        "INSERT INTO activity (workspace_id, actor_id, action, subject_type, subject_id, before_json, after_json, at, \
            version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(change.workspace_id.0)
    .bind(change.actor_id.map(|a| a.0))
    .bind(change.action)
    .bind(change.subject_type)
    .bind(change.subject_id.0)
    .bind(json(&change.before))
    .bind(json(&change.after))
    .bind(now.0)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    crate::webhooks::enqueue(tx, change, now).await
}

/// Records an update as the fields that changed, before and after. Both
/// sides are serialised records of the same type.
pub(crate) async fn record_update<T: serde::Serialize>(
    tx: &mut Transaction<'static, Any>,
    base: Change,
    before: &T,
    after: &T,
    now: Millis,
) -> Result<()> {
    let json = |v: &T| serde_json::to_value(v).map_err(|e| StoreError::Corrupt(format!("activity json: {e}")));
    let full = json(after)?;
    let (b, a) = changed_fields(&json(before)?, &full);
    // A save that changed nothing a person can see is no activity.
    if a.as_object().is_some_and(serde_json::Map::is_empty) {
        return Ok(());
    }
    let version = full.get("version").and_then(Value::as_i64);
    insert(tx, &Change { before: Some(b), after: Some(a), ..base }, version, now).await
}

/// The top-level fields whose values differ, leaving out bookkeeping and
/// derived fields (`version`, `updated_at`, rendered `*_html`, value
/// histories, which have their own rows).
fn changed_fields(before: &Value, after: &Value) -> (Value, Value) {
    let (mut b, mut a) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Value::Object(bo), Value::Object(ao)) = (before, after) {
        for (k, av) in ao {
            let skip = matches!(k.as_str(), "version" | "updated_at" | "history" | "points") || k.ends_with("_html");
            let bv = bo.get(k).unwrap_or(&Value::Null);
            if !skip && bv != av {
                b.insert(k.clone(), bv.clone());
                a.insert(k.clone(), av.clone());
            }
        }
    }
    (Value::Object(b), Value::Object(a))
}

fn parse(raw: Option<String>) -> Result<Option<Value>> {
    raw.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("activity json: {e}")))).transpose()
}

/// The subject of a row of `$t` (with `subject_type` and `subject_id`
/// columns) as people name it: key and title, or name. Read when listed,
/// so a renamed task reads by its current name everywhere.
macro_rules! subject_label {
    ($t:literal) => {
        concat!(
            "CASE ", $t, ".subject_type \
               WHEN 'task' THEN (SELECT p.key || '-' || t.number || ' ' || t.name FROM tasks t \
                    JOIN projects p ON p.id = t.project_id WHERE t.id = ", $t, ".subject_id) \
               WHEN 'change_request' THEN (SELECT p.key || '-' || c.number || ' ' || c.title FROM change_requests c \
                    JOIN projects p ON p.id = c.project_id WHERE c.id = ", $t, ".subject_id) \
               WHEN 'feature' THEN (SELECT pr.key || '-' || f.number || ' ' || f.title FROM features f \
                    JOIN products pr ON pr.id = f.product_id WHERE f.id = ", $t, ".subject_id) \
               WHEN 'risk' THEN (SELECT p.key || '-' || r.number || ' ' || r.title FROM risks r \
                    JOIN projects p ON p.id = r.project_id WHERE r.id = ", $t, ".subject_id) \
               WHEN 'feedback' THEN (SELECT substr(f.text, 1, 60) FROM feedback f WHERE f.id = ", $t, ".subject_id) \
               WHEN 'key_result' THEN (SELECT k.metric FROM key_results k WHERE k.id = ", $t, ".subject_id) \
               WHEN 'competitor' THEN (SELECT c.name FROM competitors c WHERE c.id = ", $t, ".subject_id) \
               WHEN 'metric' THEN (SELECT m.name FROM metric_series m WHERE m.id = ", $t, ".subject_id) \
               WHEN 'release' THEN (SELECT r.name FROM releases r WHERE r.id = ", $t, ".subject_id) \
               WHEN 'objective' THEN (SELECT o.title FROM objectives o WHERE o.id = ", $t, ".subject_id) \
               WHEN 'project' THEN (SELECT p.key || ' ' || p.name FROM projects p WHERE p.id = ", $t, ".subject_id) \
               WHEN 'product' THEN (SELECT p.key || ' ' || p.name FROM products p WHERE p.id = ", $t, ".subject_id) \
               WHEN 'custom_field' THEN (SELECT 'custom field ' || c.name FROM custom_fields c \
                    WHERE c.id = ", $t, ".subject_id) \
               WHEN 'sprint' THEN (SELECT s.name FROM sprints s WHERE s.id = ", $t, ".subject_id) \
               WHEN 'standup' THEN (SELECT 'the stand-up of ' || p.key || ' ' || p.name FROM projects p \
                    WHERE p.id = ", $t, ".subject_id) \
               WHEN 'follow_up' THEN (SELECT 'follow-up ' || f.title FROM follow_ups f WHERE f.id = ", $t, ".subject_id) \
               WHEN 'retro_item' THEN (SELECT 'retrospective card ' || substr(r.text, 1, 60) FROM retro_items r \
                    WHERE r.id = ", $t, ".subject_id) \
             END AS subject_label"
        )
    };
}
pub(crate) use subject_label;

macro_rules! activity_cols {
    () => {
        concat!(
            "SELECT a.id, a.workspace_id, a.actor_id, u.email AS actor_email, u.name AS actor_name, a.action, \
                a.subject_type, a.subject_id, a.before_json, a.after_json, a.at, ",
            subject_label!("a"),
            " FROM activity a LEFT JOIN users u ON u.id = a.actor_id "
        )
    };
}

fn activity_row(row: &sqlx::any::AnyRow) -> Result<Activity> {
    Ok(Activity {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        actor_id: row.try_get::<Option<i64>, _>("actor_id")?.map(Id),
        actor_email: row.try_get("actor_email")?,
        actor_name: row.try_get("actor_name")?,
        action: row.try_get("action")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: id(row, "subject_id")?,
        subject_label: row.try_get("subject_label")?,
        before: parse(row.try_get("before_json")?)?,
        after: parse(row.try_get("after_json")?)?,
        at: millis(row, "at")?,
    })
}

impl Store {
    /// The workspace's activity, newest first; `before` is the id of the
    /// last entry of the previous page.
    pub async fn activity(&self, workspace: Id, before: Option<Id>, limit: i64) -> Result<Page<Activity>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(concat!(
            activity_cols!(),
            "WHERE a.workspace_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3"
        ))
        .bind(workspace.0)
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(activity_row).collect::<Result<Vec<_>>>()?;
        Ok(crate::page(items, limit, |a| a.id))
    }

    /// One object's history in its workspace, newest first, at most
    /// `limit` entries.
    pub async fn subject_activity(&self, workspace: Id, kind: &str, subject: Id, limit: i64) -> Result<Vec<Activity>> {
        let rows = sqlx::query(concat!(
            activity_cols!(),
            "WHERE a.subject_type = $1 AND a.subject_id = $2 AND a.workspace_id = $3 ORDER BY a.id DESC LIMIT $4"
        ))
        .bind(kind)
        .bind(subject.0)
        .bind(workspace.0)
        .bind(limit.clamp(1, MAX_PAGE))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(activity_row).collect()
    }

    /// The workspace's activity with ids in `(after, upto]`, oldest first,
    /// at most `limit` entries.
    pub async fn activity_between(&self, workspace: Id, after: Id, upto: Id, limit: i64) -> Result<Vec<Activity>> {
        self.entries_between(Entries::All, workspace, after, upto, limit).await
    }

    /// Like [`Store::activity_between`], only the actions that can be plan
    /// edits (tasks and dependencies created, updated or deleted), filtered
    /// by the database: a busy workspace's other entries are neither read
    /// nor counted against `limit`.
    pub async fn plan_activity_between(&self, workspace: Id, after: Id, upto: Id, limit: i64) -> Result<Vec<Activity>> {
        self.entries_between(Entries::PlanEdits, workspace, after, upto, limit).await
    }

    async fn entries_between(
        &self,
        which: Entries,
        workspace: Id,
        after: Id,
        upto: Id,
        limit: i64,
    ) -> Result<Vec<Activity>> {
        let sql = which.sql();
        let rows = sqlx::query(sql)
            .bind(workspace.0)
            .bind(after.0)
            .bind(upto.0)
            .bind(limit.max(1))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(activity_row).collect()
    }

    /// The mark before the workspace's first activity entry after `at`:
    /// everything after it is newer than `at`, and nothing newer is left
    /// out even where entries were recorded with earlier times than their
    /// order (imports, back-dated progress).
    pub async fn activity_mark_before(&self, workspace: Id, at: Millis) -> Result<Id> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM activity WHERE workspace_id = $1 AND at > $2")
            .bind(workspace.0)
            .bind(at.0)
            .fetch_one(&self.pool)
            .await?;
        match v {
            Some(first) => Ok(Id(first - 1)),
            None => self.activity_mark(workspace, at).await,
        }
    }

    /// The id of the workspace's last activity entry at or before `at` (0
    /// when there is none).
    pub async fn activity_mark(&self, workspace: Id, at: Millis) -> Result<Id> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM activity WHERE workspace_id = $1 AND at <= $2")
            .bind(workspace.0)
            .bind(at.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(Id(v.unwrap_or(0)))
    }
}

#[derive(Debug, Clone, Copy)]
enum Entries {
    All,
    PlanEdits,
}

impl Entries {
    fn sql(self) -> &'static str {
        match self {
            Entries::All => concat!(
                activity_cols!(),
                "WHERE a.workspace_id = $1 AND a.id > $2 AND a.id <= $3 ORDER BY a.id LIMIT $4"
            ),
            Entries::PlanEdits => concat!(
                activity_cols!(),
                "WHERE a.workspace_id = $1 AND a.id > $2 AND a.id <= $3 AND a.action IN \
                     ('task.created', 'task.updated', 'task.deleted', 'dependency.created', 'dependency.updated', \
                     'dependency.deleted') \
                     ORDER BY a.id LIMIT $4"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_plan_edit_filter_names_every_plan_edit_action() {
        let sql = super::Entries::PlanEdits.sql();
        for a in tandem_core::change::PLAN_EDIT_ACTIONS {
            assert!(sql.contains(&format!("'{a}'")), "{a}");
        }
    }
}
