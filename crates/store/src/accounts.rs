//! Users, sessions, API tokens, login throttling and invitations.
//! Secrets never reach this crate: only their hashes are stored.

use sqlx::Row;
use tandem_core::model::{ApiToken, User};
use tandem_core::prefs::Profile;
use tandem_core::{Id, Millis, Role};

use crate::activity::{Change, record};
use crate::rows::{self, id, millis, role, user_cols};
use crate::{Result, Store, StoreError};

/// A user with the password hash to check a login against.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    pub user: User,
    pub password_hash: String,
}

/// A live session: its user and the CSRF token bound to it.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: Id,
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Millis,
}

/// A new account: e-mail, display name and password hash.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
}

/// An invitation to create an account and join a workspace.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub workspace_id: Id,
    pub email: String,
    pub role: Role,
    pub token_hash: String,
    pub invited_by: Option<Id>,
    pub expires_at: Millis,
    /// Mail the link: its secret, and where links point when the server
    /// has no public address.
    pub mail: Option<(String, Option<String>)>,
}

/// How often a token's last use is written down.
const USE_MARK_MS: i64 = 60_000;

impl Store {
    /// Creates an account. A taken e-mail is a conflict.
    pub async fn create_user(&self, email: &str, name: &str, password_hash: &str, now: Millis) -> Result<User> {
        let mut tx = self.write().await?;
        let user = insert_user(&mut tx, email, name, password_hash, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user(&self, user: Id) -> Result<User> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users u WHERE u.id = $1"))
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        rows::user(&row)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users u WHERE u.email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    pub async fn credentials(&self, email: &str) -> Result<Option<StoredCredentials>> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), ", u.password_hash FROM users u WHERE u.email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                Ok(Some(StoredCredentials { user: rows::user(&r)?, password_hash: r.try_get("password_hash")? }))
            }
        }
    }

    /// Sets a person's name and reading preferences if `version` is current.
    pub async fn update_profile(&self, user: Id, version: i64, profile: &Profile, now: Millis) -> Result<User> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE users SET name = $1, date_order = $2, theme = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6 RETURNING id, email, name, date_order, theme, version, created_at, updated_at",
        )
        .bind(&profile.name)
        .bind(profile.date_order.as_str())
        .bind(profile.theme.as_str())
        .bind(now.0)
        .bind(user.0)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let current: Option<i64> = sqlx::query_scalar("SELECT version FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(current.map_or(StoreError::NotFound, |current| StoreError::Stale { current }));
        };
        let after = rows::user(&row)?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces a user's password hash and ends their other sessions.
    pub async fn set_password(&self, user: Id, password_hash: &str, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let n =
            sqlx::query("UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(now.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions ----

    pub async fn create_session(
        &self,
        user: Id,
        token_hash: &str,
        csrf_token: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<Id> {
        let mut tx = self.write().await?;
        // Expired sessions are dead weight; sweep them while holding the lock.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now.0).execute(&mut *tx).await?;
        let row = sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf_token)
        .bind(now.0)
        .bind(expires_at.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        id(&row, "id")
    }

    /// The live session with this token hash, if any.
    pub async fn session(&self, token_hash: &str, now: Millis) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            ", s.id AS session_id, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(SessionRecord {
                id: id(&r, "session_id")?,
                user: rows::user(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: millis(&r, "expires_at")?,
            })),
        }
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.writer).await?;
        Ok(())
    }

    // ---- API tokens ----

    pub async fn create_api_token(&self, user: Id, name: &str, token_hash: &str, now: Millis) -> Result<ApiToken> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, name, created_at, last_used_at, revoked_at",
        )
        .bind(user.0)
        .bind(name)
        .bind(token_hash)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        rows::api_token(&row)
    }

    pub async fn api_tokens(&self, user: Id) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::api_token).collect()
    }

    /// Revokes one of the user's tokens; another user's token is not found.
    pub async fn revoke_api_token(&self, user: Id, token: Id, now: Millis) -> Result<ApiToken> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3 \
             RETURNING id, name, created_at, last_used_at, revoked_at",
        )
        .bind(now.0)
        .bind(token.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        rows::api_token(&row)
    }

    /// The user a live (unrevoked) token belongs to, marking it used.
    pub async fn user_by_api_token(&self, token_hash: &str, now: Millis) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            ", t.id AS token_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        // Record use at most once a minute: a busy script must not turn
        // every read into a write. Only when the writer is free at once: a
        // read never queues behind writes for this mark (the next request
        // marks it instead), and of the readers that saw the same stale
        // mark, the first to write it wins.
        let last: Option<i64> = row.try_get("last_used_at")?;
        if last.is_none_or(|l| now.0 - l > USE_MARK_MS)
            && let Some(mut writer) = self.writer.try_acquire()
        {
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $1 - $3)",
            )
            .bind(now.0)
            .bind(row.try_get::<i64, _>("token_id")?)
            .bind(USE_MARK_MS)
            .execute(&mut *writer)
            .await?;
        }
        Ok(Some(rows::user(&row)?))
    }

    // ---- login throttling ----

    /// Failed logins for this account since `since`: from this client, and
    /// from anywhere.
    pub async fn login_failures(&self, email: &str, client: &str, since: Millis) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN client = $2 THEN 1 ELSE 0 END), 0) AS here \
             FROM login_failures WHERE email = $1 AND at > $3",
        )
        .bind(email)
        .bind(client)
        .bind(since.0)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("here")?, row.try_get("total")?))
    }

    /// The oldest failure since `since` from this client, to say when the
    /// next attempt is allowed.
    pub async fn oldest_login_failure(&self, email: &str, client: &str, since: Millis) -> Result<Option<Millis>> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT MIN(at) FROM login_failures WHERE email = $1 AND client = $2 AND at > $3")
                .bind(email)
                .bind(client)
                .bind(since.0)
                .fetch_one(&self.pool)
                .await?;
        Ok(at.map(Millis))
    }

    pub async fn record_login_failure(
        &self,
        email: &str,
        client: &str,
        now: Millis,
        forget_before: Millis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(forget_before.0).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO login_failures (email, client, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(client)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- invitations ----

    pub async fn create_invitation(&self, inv: &NewInvitation, now: Millis) -> Result<Id> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(inv.workspace_id.0)
        .bind(&inv.email)
        .bind(inv.role.as_str())
        .bind(&inv.token_hash)
        .bind(inv.invited_by.map(|i| i.0))
        .bind(now.0)
        .bind(inv.expires_at.0)
        .fetch_one(&mut *tx)
        .await?;
        let inv_id = id(&row, "id")?;
        if let Some((secret, base)) = &inv.mail {
            crate::mail::invitation(&mut tx, inv_id, &inv.email, secret, base.as_deref(), now).await?;
        }
        record(
            &mut tx,
            &Change {
                workspace_id: inv.workspace_id,
                actor_id: inv.invited_by,
                action: "invitation.created",
                subject_type: "invitation",
                subject_id: inv_id,
                before: None,
                after: Some(serde_json::json!({"email": inv.email, "role": inv.role})),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(inv_id)
    }

    /// Accepts an open invitation: creates the account (or uses the
    /// existing one with that e-mail) and the membership, in one step.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        name: &str,
        password_hash: &str,
        now: Millis,
    ) -> Result<(User, Id)> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT id, workspace_id, email, role FROM invitations \
             WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let inv_id = id(&row, "id")?;
        let ws = id(&row, "workspace_id")?;
        let email: String = row.try_get("email")?;
        let role = role(&row, "role")?;
        let existing = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users u WHERE u.email = $1"))
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        let user = match existing {
            Some(r) => rows::user(&r)?,
            None => insert_user(&mut tx, &email, name, password_hash, now).await?,
        };
        crate::workspaces::insert_member(&mut tx, ws, user.id, role, None, now).await?;
        sqlx::query("UPDATE invitations SET accepted_at = $1 WHERE id = $2")
            .bind(now.0)
            .bind(inv_id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((user, ws))
    }
}

pub(crate) async fn insert_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    email: &str,
    name: &str,
    password_hash: &str,
    now: Millis,
) -> Result<User> {
    let row = sqlx::query(
        "INSERT INTO users (email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         RETURNING id, email, name, date_order, theme, version, created_at, updated_at",
    )
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("a user with e-mail {email} already exists")),
        other => other,
    })?;
    rows::user(&row)
}
