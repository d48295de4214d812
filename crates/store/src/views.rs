//! Saved views of list pages.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::views::{MAX_VIEWS_PER_OWNER, SavedView, ViewPage};
use tandem_core::{Id, Millis};

use crate::activity::{Change, record, record_update};
use crate::rows::{check_version, id, millis, word};
use crate::{Result, Store, StoreError};

const COLS: &str = "SELECT id, workspace_id, owner_id, page, name, query, shared, version, created_at, updated_at \
                    FROM saved_views";

fn view(row: &AnyRow) -> Result<SavedView> {
    Ok(SavedView {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        owner_id: id(row, "owner_id")?,
        page: word(row, "page", ViewPage::parse)?,
        name: row.try_get("name")?,
        query: row.try_get("query")?,
        shared: row.try_get::<i64, _>("shared")? != 0,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, v: Id) -> Result<SavedView> {
    let sql = format!("{COLS} WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(v.0).fetch_optional(ex).await?.ok_or(StoreError::NotFound)?;
    view(&row)
}

/// A view to save, checked.
#[derive(Debug, Clone)]
pub struct ViewDraft {
    pub page: ViewPage,
    pub name: String,
    pub query: String,
    pub shared: bool,
}

/// What a view's edit may change.
#[derive(Debug, Clone, Default)]
pub struct ViewEdit {
    pub name: Option<String>,
    pub query: Option<String>,
    pub shared: Option<bool>,
}

fn change(v: &SavedView, actor: Id, action: &'static str) -> Change {
    Change {
        workspace_id: v.workspace_id,
        actor_id: Some(actor),
        action,
        subject_type: "view",
        subject_id: v.id,
        before: None,
        after: None,
    }
}

impl Store {
    /// Saves a view; refused past [`MAX_VIEWS_PER_OWNER`] of one owner in
    /// the workspace.
    pub async fn create_view(&self, ws: Id, owner: Id, draft: &ViewDraft, now: Millis) -> Result<SavedView> {
        let mut tx = self.write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM saved_views WHERE workspace_id = $1 AND owner_id = $2")
            .bind(ws.0)
            .bind(owner.0)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_VIEWS_PER_OWNER {
            return Err(StoreError::Conflict(format!(
                "you keep {MAX_VIEWS_PER_OWNER} views here already; delete one first"
            )));
        }
        let vid: i64 = sqlx::query_scalar(
            "INSERT INTO saved_views (workspace_id, owner_id, page, name, query, shared, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(ws.0)
        .bind(owner.0)
        .bind(draft.page.as_str())
        .bind(&draft.name)
        .bind(&draft.query)
        .bind(i64::from(draft.shared))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let v = fetch(&mut *tx, Id(vid)).await?;
        let after = serde_json::to_value(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        record(&mut tx, &change(&v, owner, "view.created").after(after), now).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// The views of `page` (every page when none) in `ws` that `user`
    /// sees: their own and the shared ones, by page and name.
    pub async fn views(&self, ws: Id, user: Id, page: Option<ViewPage>) -> Result<Vec<SavedView>> {
        let sql = format!(
            "{COLS} WHERE workspace_id = $1 AND (owner_id = $2 OR shared = 1) AND ($3 = '' OR page = $3) \
             ORDER BY page, name, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ws.0)
            .bind(user.0)
            .bind(page.map_or("", ViewPage::as_str))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(view).collect()
    }

    pub async fn view(&self, v: Id) -> Result<SavedView> {
        fetch(&self.pool, v).await
    }

    /// Changes a view read at `version`.
    pub async fn edit_view(&self, actor: Id, v: Id, version: i64, edit: &ViewEdit, now: Millis) -> Result<SavedView> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, v).await?;
        check_version(before.version, version)?;
        sqlx::query(
            "UPDATE saved_views SET name = $1, query = $2, shared = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(edit.name.as_deref().unwrap_or(&before.name))
        .bind(edit.query.as_deref().unwrap_or(&before.query))
        .bind(i64::from(edit.shared.unwrap_or(before.shared)))
        .bind(now.0)
        .bind(v.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, v).await?;
        record_update(&mut tx, change(&before, actor, "view.updated"), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_view(&self, actor: Id, v: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch(&mut *tx, v).await?;
        sqlx::query("DELETE FROM saved_views WHERE id = $1").bind(v.0).execute(&mut *tx).await?;
        let was = json!({"page": before.page, "name": before.name, "query": before.query});
        record(&mut tx, &change(&before, actor, "view.deleted").before(was), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
