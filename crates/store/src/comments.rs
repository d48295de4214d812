//! Comments on any object, in Markdown.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Comment;
use tandem_core::{Id, Millis, markdown};

use crate::activity::{Change, record, record_update};
use crate::rows::{check_version, id, millis};
use crate::{MAX_PAGE, Page, Result, Store, StoreError};

/// What a comment is about: its workspace and the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub workspace_id: Id,
    /// A fixed word chosen by the server, e.g. `feature`.
    pub kind: &'static str,
    pub id: Id,
}

macro_rules! comment_cols {
    () => {
        "SELECT c.id, c.workspace_id, c.subject_type, c.subject_id, c.author_id, u.name AS author_name, c.body, \
         c.version, c.created_at, c.updated_at FROM comments c LEFT JOIN users u ON u.id = c.author_id"
    };
}

fn comment(row: &AnyRow) -> Result<Comment> {
    let body: String = row.try_get("body")?;
    Ok(Comment {
        id: id(row, "id")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: id(row, "subject_id")?,
        author_id: row.try_get::<Option<i64>, _>("author_id")?.map(Id),
        author_name: row.try_get("author_name")?,
        body_html: markdown::render(&body),
        body,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, c: Id) -> Result<(Comment, Id)> {
    let row = sqlx::query(concat!(comment_cols!(), " WHERE c.id = $1"))
        .bind(c.0)
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((comment(&row)?, id(&row, "workspace_id")?))
}

impl Store {
    /// Adds a comment and, in the same transaction, the notifications of
    /// the people it mentions.
    pub async fn add_comment(
        &self,
        actor: Id,
        subject: Subject,
        body: &str,
        mentioned: &[crate::notifications::Notice],
        now: Millis,
    ) -> Result<Comment> {
        let mut tx = self.write().await?;
        let cid: i64 = sqlx::query_scalar(
            "INSERT INTO comments (workspace_id, subject_type, subject_id, author_id, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(subject.workspace_id.0)
        .bind(subject.kind)
        .bind(subject.id.0)
        .bind(actor.0)
        .bind(body)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let (c, _) = fetch(&mut *tx, Id(cid)).await?;
        record(
            &mut tx,
            &Change {
                workspace_id: subject.workspace_id,
                actor_id: Some(actor),
                action: "comment.added",
                subject_type: "comment",
                subject_id: c.id,
                before: None,
                after: Some(json!({"on": subject.kind, "on_id": subject.id, "body": c.body})),
            },
            now,
        )
        .await?;
        crate::notifications::insert(&mut tx, subject.workspace_id, mentioned, now).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Comments on one object, oldest first.
    pub async fn comments(
        &self,
        kind: &'static str,
        subject: Id,
        after: Option<Id>,
        limit: i64,
    ) -> Result<Page<Comment>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(concat!(
            comment_cols!(),
            " WHERE c.subject_type = $1 AND c.subject_id = $2 AND c.id > $3 ORDER BY c.id LIMIT $4"
        ))
        .bind(kind)
        .bind(subject.0)
        .bind(after.map_or(0, |a| a.0))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(comment).collect::<Result<Vec<_>>>()?;
        Ok(crate::page(items, limit, |c| c.id))
    }

    /// A comment and its workspace.
    pub async fn comment(&self, c: Id) -> Result<(Comment, Id)> {
        fetch(&self.pool, c).await
    }

    pub async fn edit_comment(&self, actor: Id, c: Id, version: i64, body: &str, now: Millis) -> Result<Comment> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch(&mut *tx, c).await?;
        check_version(before.version, version)?;
        sqlx::query("UPDATE comments SET body = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(body)
            .bind(now.0)
            .bind(c.0)
            .execute(&mut *tx)
            .await?;
        let (after, _) = fetch(&mut *tx, c).await?;
        let base = Change {
            workspace_id: ws,
            actor_id: Some(actor),
            action: "comment.edited",
            subject_type: "comment",
            subject_id: c,
            before: None,
            after: None,
        };
        record_update(&mut tx, base, &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_comment(&self, actor: Id, c: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let (before, ws) = fetch(&mut *tx, c).await?;
        sqlx::query("DELETE FROM comments WHERE id = $1").bind(c.0).execute(&mut *tx).await?;
        record(
            &mut tx,
            &Change {
                workspace_id: ws,
                actor_id: Some(actor),
                action: "comment.deleted",
                subject_type: "comment",
                subject_id: c,
                before: Some(json!({"on": before.subject_type, "on_id": before.subject_id, "body": before.body})),
                after: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
