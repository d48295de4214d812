//! Workspaces and their members.

use serde_json::json;
use sqlx::{Any, Executor, Transaction};
use tandem_core::access::is_admin;
use tandem_core::model::{Member, Membership, Workspace};
use tandem_core::{Id, Millis, Role};

use crate::accounts::NewAccount;
use crate::activity::{Change, record};
use crate::rows::{self, id, member_cols, workspace_cols};
use crate::{MAX_PAGE, Page, Result, Store, StoreError};

type Tx = Transaction<'static, Any>;

/// Whether `user` is a member of workspace `ws`.
pub(crate) async fn is_member(tx: &mut Tx, ws: Id, user: Id) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND user_id = $2")
        .bind(ws.0)
        .bind(user.0)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// `user` (the value of `field`), if any, must be a member of `ws`.
pub(crate) async fn check_member(tx: &mut Tx, ws: Id, user: Option<Id>, field: &'static str) -> Result<()> {
    match user {
        Some(u) if !is_member(tx, ws, u).await? => {
            Err(StoreError::Invalid(tandem_core::validate::Invalid::new(field, "is not a member of this workspace")))
        }
        _ => Ok(()),
    }
}

impl Store {
    /// Creates a workspace; its creator, when given, becomes its admin.
    pub async fn create_workspace(&self, name: &str, key: &str, creator: Option<Id>, now: Millis) -> Result<Workspace> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO workspaces (name, key, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             RETURNING id, name, key, time_zone, version, created_at, updated_at",
        )
        .bind(name)
        .bind(key)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a workspace with key {key} already exists")),
            other => other,
        })?;
        let ws = rows::workspace(&row)?;
        record(
            &mut tx,
            &Change {
                workspace_id: ws.id,
                actor_id: creator,
                action: "workspace.created",
                subject_type: "workspace",
                subject_id: ws.id,
                before: None,
                after: Some(json!({"name": ws.name, "key": ws.key})),
            },
            now,
        )
        .await?;
        if let Some(user) = creator {
            insert_member(&mut tx, ws.id, user, Role::Admin, creator, now).await?;
        }
        tx.commit().await?;
        Ok(ws)
    }

    pub async fn workspace(&self, ws: Id) -> Result<Workspace> {
        fetch_workspace(&self.pool, ws).await
    }

    pub async fn workspace_by_key(&self, key: &str) -> Result<Option<Workspace>> {
        let row = sqlx::query(concat!("SELECT ", workspace_cols!(), " FROM workspaces w WHERE w.key = $1"))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::workspace).transpose()
    }

    /// The workspaces a user belongs to, with their role in each.
    pub async fn memberships(&self, user: Id) -> Result<Vec<Membership>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            workspace_cols!(),
            ", m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
             WHERE m.user_id = $1 ORDER BY w.name, w.id"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(Membership { workspace: rows::workspace(r)?, role: rows::role(r, "role")? })).collect()
    }

    /// The user's role in the workspace, or `None` when not a member.
    pub async fn role_in(&self, ws: Id, user: Id) -> Result<Option<Role>> {
        let row = sqlx::query("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(ws.0)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| rows::role(r, "role")).transpose()
    }

    /// Renames a workspace and sets its time zone if `version` is current.
    pub async fn update_workspace(
        &self,
        actor: Id,
        ws: Id,
        version: i64,
        name: &str,
        time_zone: &str,
        now: Millis,
    ) -> Result<Workspace> {
        let mut tx = self.write().await?;
        let before = fetch_workspace(&mut *tx, ws).await?;
        if before.version != version {
            return Err(StoreError::Stale { current: before.version });
        }
        let row = sqlx::query(
            "UPDATE workspaces SET name = $1, time_zone = $5, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4 RETURNING id, name, key, time_zone, version, created_at, updated_at",
        )
        .bind(name)
        .bind(now.0)
        .bind(ws.0)
        .bind(version)
        .bind(time_zone)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Stale { current: before.version })?;
        let after = rows::workspace(&row)?;
        let diff = changed(&[("name", &before.name, &after.name), ("time_zone", &before.time_zone, &after.time_zone)]);
        record(
            &mut tx,
            &Change {
                workspace_id: ws,
                actor_id: Some(actor),
                action: "workspace.updated",
                subject_type: "workspace",
                subject_id: ws,
                before: Some(diff.0),
                after: Some(diff.1),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Members in id order, `limit` at most, after the member `after`.
    pub async fn members(&self, ws: Id, after: Option<Id>, limit: i64) -> Result<Page<Member>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(concat!(
            "SELECT ",
            member_cols!(),
            " FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3"
        ))
        .bind(ws.0)
        .bind(after.map_or(0, |a| a.0))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(rows::member).collect::<Result<Vec<_>>>()?;
        Ok(crate::page(items, limit, |m| m.id))
    }

    pub async fn member(&self, ws: Id, member: Id) -> Result<Member> {
        fetch_member(&self.pool, ws, member).await
    }

    /// Adds an existing user to the workspace.
    pub async fn add_member(&self, actor: Id, ws: Id, user: Id, role: Role, now: Millis) -> Result<Member> {
        let mut tx = self.write().await?;
        let m = insert_member(&mut tx, ws, user, role, Some(actor), now).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Adds a user with no acting user (the command line, seeding).
    pub async fn add_member_as_system(&self, ws: Id, user: Id, role: Role, now: Millis) -> Result<Member> {
        let mut tx = self.write().await?;
        let m = insert_member(&mut tx, ws, user, role, None, now).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Creates an account and adds it to the workspace, in one transaction.
    pub async fn add_new_member(
        &self,
        actor: Id,
        ws: Id,
        account: &NewAccount<'_>,
        role: Role,
        now: Millis,
    ) -> Result<Member> {
        let mut tx = self.write().await?;
        let user =
            crate::accounts::insert_user(&mut tx, account.email, account.name, account.password_hash, now).await?;
        let m = insert_member(&mut tx, ws, user.id, role, Some(actor), now).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Changes a member's role if `version` is current. The last admin
    /// cannot be demoted: a workspace always has someone who can manage it.
    pub async fn update_member_role(
        &self,
        actor: Id,
        ws: Id,
        member: Id,
        version: i64,
        role: Role,
        now: Millis,
    ) -> Result<Member> {
        let mut tx = self.write().await?;
        let before = fetch_member(&mut *tx, ws, member).await?;
        if before.version != version {
            return Err(StoreError::Stale { current: before.version });
        }
        if is_admin(before.role) && !is_admin(role) && admin_count(&mut tx, ws).await? <= 1 {
            return Err(StoreError::Conflict("the workspace's last admin cannot be demoted".into()));
        }
        sqlx::query(
            "UPDATE memberships SET role = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(role.as_str())
        .bind(now.0)
        .bind(member.0)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        let after = fetch_member(&mut *tx, ws, member).await?;
        record(
            &mut tx,
            &Change {
                workspace_id: ws,
                actor_id: Some(actor),
                action: "member.role_changed",
                subject_type: "member",
                subject_id: member,
                before: Some(json!({"email": before.email, "role": before.role})),
                after: Some(json!({"email": after.email, "role": after.role})),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes a member; the last admin stays.
    pub async fn remove_member(&self, actor: Id, ws: Id, member: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch_member(&mut *tx, ws, member).await?;
        if is_admin(before.role) && admin_count(&mut tx, ws).await? <= 1 {
            return Err(StoreError::Conflict("the workspace's last admin cannot be removed".into()));
        }
        sqlx::query("DELETE FROM memberships WHERE id = $1").bind(member.0).execute(&mut *tx).await?;
        record(
            &mut tx,
            &Change {
                workspace_id: ws,
                actor_id: Some(actor),
                action: "member.removed",
                subject_type: "member",
                subject_id: member,
                before: Some(json!({"email": before.email, "role": before.role})),
                after: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn fetch_workspace<'e, E: Executor<'e, Database = Any>>(ex: E, ws: Id) -> Result<Workspace> {
    let row = sqlx::query(concat!("SELECT ", workspace_cols!(), " FROM workspaces w WHERE w.id = $1"))
        .bind(ws.0)
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound)?;
    rows::workspace(&row)
}

async fn fetch_member<'e, E: Executor<'e, Database = Any>>(ex: E, ws: Id, member: Id) -> Result<Member> {
    let row = sqlx::query(concat!(
        "SELECT ",
        member_cols!(),
        " FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND m.id = $2"
    ))
    .bind(ws.0)
    .bind(member.0)
    .fetch_optional(ex)
    .await?
    .ok_or(StoreError::NotFound)?;
    rows::member(&row)
}

pub(crate) async fn admin_count(tx: &mut Tx, ws: Id) -> Result<i64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'admin'")
        .bind(ws.0)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

pub(crate) async fn insert_member(
    tx: &mut Tx,
    ws: Id,
    user: Id,
    role: Role,
    actor: Option<Id>,
    now: Millis,
) -> Result<Member> {
    let row = sqlx::query(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         RETURNING id",
    )
    .bind(ws.0)
    .bind(user.0)
    .bind(role.as_str())
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict("that user is already a member of this workspace".into()),
        other => other,
    })?;
    let member = fetch_member(&mut **tx, ws, id(&row, "id")?).await?;
    record(
        tx,
        &Change {
            workspace_id: ws,
            actor_id: actor,
            action: "member.added",
            subject_type: "member",
            subject_id: member.id,
            before: None,
            after: Some(json!({"email": member.email, "role": member.role})),
        },
        now,
    )
    .await?;
    Ok(member)
}

/// The fields that differ, as before and after objects for the activity log.
fn changed(fields: &[(&str, &str, &str)]) -> (serde_json::Value, serde_json::Value) {
    let (mut b, mut a) = (serde_json::Map::new(), serde_json::Map::new());
    for (k, before, after) in fields {
        if before != after {
            b.insert((*k).to_owned(), json!(before));
            a.insert((*k).to_owned(), json!(after));
        }
    }
    (serde_json::Value::Object(b), serde_json::Value::Object(a))
}
