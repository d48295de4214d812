//! Single sign-on: sign-ins started with the OpenID provider (kept until
//! their callback, once), the roles workspaces give people who sign in
//! that way, and joining people to them.

use serde_json::json;
use tandem_core::{Id, Millis, Role};

use crate::activity::{Change, record};
use crate::{Result, Store};

/// A sign-in waiting for the provider's answer.
#[derive(Debug, Clone)]
pub struct OidcLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    pub next_path: String,
    pub created_at: Millis,
}

/// The roles a workspace gives people who sign in with the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoRoles {
    /// Everyone who signs in joins with it; none: only the groups below.
    pub default_role: Option<Role>,
    /// Members of a provider group join with (and keep) its role.
    pub group_roles: Vec<(String, Role)>,
}

/// One workspace's roles, for a sign-in to apply.
#[derive(Debug, Clone)]
pub struct WorkspaceSso {
    pub workspace_id: Id,
    pub roles: SsoRoles,
}

impl Store {
    pub async fn begin_oidc_login(&self, login: &OidcLogin) -> Result<()> {
        let mut tx = self.write().await?;
        // Sign-ins never finished are dropped after an hour.
        sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
            .bind(login.created_at.0 - 3_600_000)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO oidc_logins (state, nonce, pkce_verifier, redirect_uri, next_path, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&login.state)
        .bind(&login.nonce)
        .bind(&login.pkce_verifier)
        .bind(&login.redirect_uri)
        .bind(&login.next_path)
        .bind(login.created_at.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the sign-in `state` names, once: a second callback with the
    /// same state finds nothing.
    pub async fn take_oidc_login(&self, state: &str) -> Result<Option<OidcLogin>> {
        let mut tx = self.write().await?;
        let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT nonce, pkce_verifier, redirect_uri, next_path, created_at FROM oidc_logins WHERE state = $1",
        )
        .bind(state)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM oidc_logins WHERE state = $1").bind(state).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(row.map(|(nonce, pkce_verifier, redirect_uri, next_path, at)| OidcLogin {
            state: state.to_owned(),
            nonce,
            pkce_verifier,
            redirect_uri,
            next_path,
            created_at: Millis(at),
        }))
    }

    pub async fn sso_roles(&self, ws: Id) -> Result<SsoRoles> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT group_name, role FROM sso_roles WHERE workspace_id = $1 ORDER BY group_name")
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(roles_of(rows))
    }

    /// Every workspace's roles for people signing in with the provider.
    pub async fn all_sso_roles(&self) -> Result<Vec<WorkspaceSso>> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT workspace_id, group_name, role FROM sso_roles ORDER BY workspace_id, group_name")
                .fetch_all(&self.pool)
                .await?;
        let mut out: Vec<(i64, Vec<(String, String)>)> = Vec::new();
        for (ws, g, r) in rows {
            match out.last_mut() {
                Some((last, v)) if *last == ws => v.push((g, r)),
                _ => out.push((ws, vec![(g, r)])),
            }
        }
        Ok(out.into_iter().map(|(ws, v)| WorkspaceSso { workspace_id: Id(ws), roles: roles_of(v) }).collect())
    }

    /// Replaces a workspace's roles for people signing in with the provider.
    pub async fn set_sso_roles(&self, actor: Id, ws: Id, roles: &SsoRoles, now: Millis) -> Result<SsoRoles> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sso_roles WHERE workspace_id = $1").bind(ws.0).execute(&mut *tx).await?;
        let all = roles.default_role.iter().map(|r| (String::new(), *r)).chain(roles.group_roles.iter().cloned());
        for (g, r) in all {
            sqlx::query("INSERT INTO sso_roles (workspace_id, group_name, role) VALUES ($1, $2, $3)")
                .bind(ws.0)
                .bind(&g)
                .bind(r.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let after = json!({
            "default_role": roles.default_role,
            "group_roles": roles.group_roles.iter().map(|(g, r)| (g.clone(), r.as_str())).collect::<std::collections::BTreeMap<_, _>>(),
        });
        let change = Change {
            workspace_id: ws,
            actor_id: Some(actor),
            action: "workspace.sso",
            subject_type: "workspace",
            subject_id: ws,
            before: None,
            after: Some(after),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        self.sso_roles(ws).await
    }

    /// Applies a sign-in's roles: joins `user` to each workspace of
    /// `joins` they are not in, and where `sync` says so sets the role of
    /// one they are in (a group's role follows the group), in one
    /// transaction. The last admin of a workspace keeps the role.
    pub async fn sso_join(&self, user: Id, joins: &[(Id, Role, bool)], now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        for (ws, role, sync) in joins {
            let current: Option<(i64, String)> =
                sqlx::query_as("SELECT id, role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                    .bind(ws.0)
                    .bind(user.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            match current {
                None => {
                    crate::workspaces::insert_member(&mut tx, *ws, user, *role, None, now).await?;
                }
                Some((member, was)) if *sync && was != role.as_str() => {
                    if was == "admin" && crate::workspaces::admin_count(&mut tx, *ws).await? <= 1 {
                        continue;
                    }
                    sqlx::query(
                        "UPDATE memberships SET role = $1, version = version + 1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(role.as_str())
                    .bind(now.0)
                    .bind(member)
                    .execute(&mut *tx)
                    .await?;
                    let change = Change {
                        workspace_id: *ws,
                        actor_id: None,
                        action: "member.role_changed",
                        subject_type: "member",
                        subject_id: Id(member),
                        before: Some(json!({"role": was})),
                        after: Some(json!({"role": role, "by": "single sign-on group"})),
                    };
                    record(&mut tx, &change, now).await?;
                }
                Some(_) => {}
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

fn roles_of(rows: Vec<(String, String)>) -> SsoRoles {
    let mut out = SsoRoles::default();
    for (g, r) in rows {
        let Ok(role) = r.parse::<Role>() else { continue };
        if g.is_empty() {
            out.default_role = Some(role);
        } else {
            out.group_roles.push((g, role));
        }
    }
    out
}
