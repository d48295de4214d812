//! A sprint's retrospective: cards in three columns, dots on them, and
//! what a card became. An anonymous card keeps no author, and neither do
//! its activity entries nor anyone's dots.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::rituals::{ActionKind, DOTS_PER_PERSON, MAX_RETRO_ITEMS, Origin, RetroColumn, RetroItem};
use tandem_core::{Id, Millis};

use super::{Made, make};
use crate::activity::{Change, change, record};
use crate::product::Tx;
use crate::rows::{id, millis, opt_id, opt_word, word};
use crate::{Result, Store, StoreError};

/// The cards' columns with the reader's own dots (`$1`).
macro_rules! item_cols {
    () => {
        "SELECT i.id, i.sprint_id, i.column_name, i.text, i.author_id, u.name AS author_name, i.anonymous, i.votes, \
         COALESCE((SELECT v.dots FROM retro_votes v WHERE v.item_id = i.id AND v.user_id = $1), 0) AS my_votes, \
         i.action_type, i.action_id, \
         CASE i.action_type \
           WHEN 'task' THEN (SELECT p.key || '-' || t.number || ' ' || t.name FROM tasks t \
               JOIN projects p ON p.id = t.project_id WHERE t.id = i.action_id) \
           WHEN 'follow_up' THEN (SELECT f.title FROM follow_ups f WHERE f.id = i.action_id) END AS action_label, \
         i.version, i.created_at FROM retro_items i \
         LEFT JOIN users u ON u.id = i.author_id"
    };
}

fn item(row: &AnyRow) -> Result<RetroItem> {
    Ok(RetroItem {
        id: id(row, "id")?,
        sprint_id: id(row, "sprint_id")?,
        column: word(row, "column_name", RetroColumn::parse)?,
        text: row.try_get("text")?,
        author_id: opt_id(row, "author_id")?,
        author_name: row.try_get("author_name")?,
        anonymous: row.try_get::<i64, _>("anonymous")? != 0,
        votes: row.try_get("votes")?,
        my_votes: row.try_get("my_votes")?,
        action: opt_word(row, "action_type", ActionKind::parse)?,
        action_id: opt_id(row, "action_id")?,
        action_label: row.try_get("action_label")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
    })
}

async fn fetch_item(tx: &mut Tx, reader: Id, item_id: Id) -> Result<RetroItem> {
    let row = sqlx::query(concat!(item_cols!(), " WHERE i.id = $2"))
        .bind(reader.0)
        .bind(item_id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    item(&row)
}

/// The sprint's project and workspace.
async fn sprint_place(tx: &mut Tx, sprint: Id) -> Result<(Id, Id)> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT project_id, workspace_id FROM sprints WHERE id = $1")
        .bind(sprint.0)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(p, w)| (Id(p), Id(w))).ok_or(StoreError::NotFound)
}

/// An entry about a card, naming its writer only when the card does.
fn entry(ws: Id, actor: Option<Id>, action: &'static str, item: Id) -> Change {
    Change { actor_id: actor, ..change(ws, Id(0), action, "retro_item", item) }
}

impl Store {
    /// The sprint's cards by column, most dots first, each with the
    /// reader's own dots.
    pub async fn retro_items(&self, sprint: Id, reader: Id) -> Result<Vec<RetroItem>> {
        let rows = sqlx::query(concat!(item_cols!(), " WHERE i.sprint_id = $2 ORDER BY i.votes DESC, i.id"))
            .bind(reader.0)
            .bind(sprint.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }

    pub async fn retro_item(&self, item_id: Id, reader: Id) -> Result<RetroItem> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_item(&mut tx, reader, item_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Dots the reader has placed in the sprint's retrospective.
    pub async fn dots_used(&self, sprint: Id, reader: Id) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(dots) AS BIGINT) FROM retro_votes WHERE sprint_id = $1 AND user_id = $2",
        )
        .bind(sprint.0)
        .bind(reader.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(n.unwrap_or(0))
    }

    pub async fn add_retro_item(
        &self,
        actor: Id,
        sprint: Id,
        column: RetroColumn,
        text: &str,
        anonymous: bool,
        now: Millis,
    ) -> Result<RetroItem> {
        let mut tx = self.write().await?;
        let (_, ws) = sprint_place(&mut tx, sprint).await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM retro_items WHERE sprint_id = $1")
            .bind(sprint.0)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_RETRO_ITEMS {
            return Err(StoreError::Conflict(format!("a retrospective holds at most {MAX_RETRO_ITEMS} cards")));
        }
        let author = (!anonymous).then_some(actor);
        let iid: i64 = sqlx::query_scalar(
            "INSERT INTO retro_items (workspace_id, sprint_id, column_name, text, author_id, anonymous, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(ws.0)
        .bind(sprint.0)
        .bind(column.as_str())
        .bind(text)
        .bind(author.map(|a| a.0))
        .bind(i64::from(anonymous))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let it = fetch_item(&mut tx, actor, Id(iid)).await?;
        let after = json!({"sprint_id": sprint, "column": column, "text": text, "anonymous": anonymous});
        record(&mut tx, &entry(ws, author, "retro_item.created", it.id).after(after), now).await?;
        tx.commit().await?;
        Ok(it)
    }

    /// Puts one of the reader's dots on the card (`add`), or takes one of
    /// theirs off. A person has [`DOTS_PER_PERSON`] per retrospective.
    pub async fn vote_retro_item(&self, actor: Id, item_id: Id, add: bool, now: Millis) -> Result<RetroItem> {
        let mut tx = self.write().await?;
        let before = fetch_item(&mut tx, actor, item_id).await?;
        let (_, ws) = sprint_place(&mut tx, before.sprint_id).await?;
        if add {
            if self.backend() == crate::Backend::Postgres {
                // One person's dots in one retrospective are counted and
                // placed one vote at a time.
                let key = (2_i64 << 40).wrapping_add(before.sprint_id.0.wrapping_mul(1 << 20)).wrapping_add(actor.0);
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut *tx).await?;
            }
            let used: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(dots) AS BIGINT) FROM retro_votes WHERE sprint_id = $1 AND user_id = $2",
            )
            .bind(before.sprint_id.0)
            .bind(actor.0)
            .fetch_one(&mut *tx)
            .await?;
            if used.unwrap_or(0) >= DOTS_PER_PERSON {
                return Err(StoreError::Conflict(format!(
                    "all {DOTS_PER_PERSON} of your dots are placed; take one off a card first"
                )));
            }
            sqlx::query(
                "INSERT INTO retro_votes (item_id, user_id, sprint_id, dots) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (item_id, user_id) DO UPDATE SET dots = retro_votes.dots + 1",
            )
            .bind(item_id.0)
            .bind(actor.0)
            .bind(before.sprint_id.0)
            .execute(&mut *tx)
            .await?;
        } else {
            if before.my_votes == 0 {
                return Err(StoreError::Conflict("you have no dot on this card".into()));
            }
            sqlx::query("UPDATE retro_votes SET dots = dots - 1 WHERE item_id = $1 AND user_id = $2")
                .bind(item_id.0)
                .bind(actor.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM retro_votes WHERE item_id = $1 AND user_id = $2 AND dots <= 0")
                .bind(item_id.0)
                .bind(actor.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE retro_items SET votes = (SELECT COALESCE(SUM(dots), 0) FROM retro_votes WHERE item_id = $1), \
             updated_at = $2 WHERE id = $1",
        )
        .bind(item_id.0)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch_item(&mut tx, actor, item_id).await?;
        // Dots are secret: the entry names no one.
        let c = entry(ws, None, "retro_item.voted", item_id)
            .before(json!({"votes": before.votes}))
            .after(json!({"votes": after.votes}));
        record(&mut tx, &c, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Turns the card into a task or a follow-up, once.
    pub async fn retro_action(&self, actor: Id, item_id: Id, made: &Made, now: Millis) -> Result<RetroItem> {
        let mut tx = self.write().await?;
        let before = fetch_item(&mut tx, actor, item_id).await?;
        if before.action.is_some() {
            return Err(StoreError::Conflict("this card already has an action".into()));
        }
        let (project, ws) = sprint_place(&mut tx, before.sprint_id).await?;
        let (made_id, _) = make(&mut tx, actor, project, made, Origin::Retro, now).await?;
        // Only a card without an action takes one: of two at once, the
        // second changes nothing and its object is rolled back.
        let set = sqlx::query(
            "UPDATE retro_items SET action_type = $1, action_id = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND action_type IS NULL",
        )
        .bind(made.kind().as_str())
        .bind(made_id.0)
        .bind(now.0)
        .bind(item_id.0)
        .execute(&mut *tx)
        .await?;
        if set.rows_affected() != 1 {
            return Err(StoreError::Conflict("this card already has an action".into()));
        }
        let after = fetch_item(&mut tx, actor, item_id).await?;
        let c = change(ws, actor, "retro_item.actioned", "retro_item", item_id)
            .after(json!({"action": made.kind(), "action_id": made_id}));
        record(&mut tx, &c, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes a card with its dots.
    pub async fn delete_retro_item(&self, actor: Id, item_id: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch_item(&mut tx, actor, item_id).await?;
        let (_, ws) = sprint_place(&mut tx, before.sprint_id).await?;
        sqlx::query("DELETE FROM retro_items WHERE id = $1").bind(item_id.0).execute(&mut *tx).await?;
        let c = change(ws, actor, "retro_item.deleted", "retro_item", item_id)
            .before(json!({"sprint_id": before.sprint_id, "column": before.column}));
        record(&mut tx, &c, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
