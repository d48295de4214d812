//! Operations shared by the JSON API and the pages: validation, hashing
//! and the store call, so both paths behave the same.

pub mod agile;
pub mod changes;
pub mod comments;
pub mod dashboards;
pub mod delivery;
pub mod gonogo;
pub mod interchange;
pub mod outlook;
pub mod product;
pub mod project;
pub mod risks;
pub mod syncs;

use serde::{Deserialize, Serialize};
use tandem_core::model::{Member, Workspace};
use tandem_core::{Id, Millis, Role, validate};
use utoipa::ToSchema;

use crate::App;
use crate::error::AppError;
use crate::secrets;

/// `POST /workspaces/{ws}/members`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddMember {
    pub email: String,
    pub role: Role,
    /// Creates the account with this password when no user has the e-mail.
    pub password: Option<String>,
    /// The new account's display name (defaults to the e-mail's local part).
    pub name: Option<String>,
}

/// The member added, or the invitation to send when the account does not
/// exist and no password was given.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedMember {
    pub member: Option<Member>,
    /// A link the invitee opens to choose a password and join.
    pub invitation_url: Option<String>,
}

pub async fn add_member(state: &App, actor: Id, ws: Id, input: AddMember) -> Result<AddedMember, AppError> {
    let email = validate::email(&input.email)?;
    let now = state.clock.now();
    if let Some(user) = state.store.user_by_email(&email).await? {
        let member = state.store.add_member(actor, ws, user.id, input.role, now).await?;
        return Ok(AddedMember { member: Some(member), invitation_url: None });
    }
    let name = match input.name.as_deref() {
        Some(n) => validate::name("name", n)?,
        None => email.split('@').next().unwrap_or("member").to_owned(),
    };
    match input.password {
        Some(password) => {
            validate::password(&password)?;
            let hash = secrets::hash_password(password).await?;
            let member = state
                .store
                .add_new_member(
                    actor,
                    ws,
                    &tandem_store::NewAccount { email: &email, name: &name, password_hash: &hash },
                    input.role,
                    now,
                )
                .await?;
            Ok(AddedMember { member: Some(member), invitation_url: None })
        }
        None => {
            let token = secrets::generate("inv_")?;
            let ttl = i64::try_from(state.settings.invitation_ttl.as_millis()).unwrap_or(i64::MAX / 2);
            state
                .store
                .create_invitation(
                    &tandem_store::NewInvitation {
                        workspace_id: ws,
                        email,
                        role: input.role,
                        token_hash: secrets::hash(&token),
                        invited_by: Some(actor),
                        expires_at: Millis(now.0 + ttl),
                    },
                    now,
                )
                .await?;
            Ok(AddedMember { member: None, invitation_url: Some(format!("/invitations/{token}")) })
        }
    }
}

pub async fn create_workspace(state: &App, creator: Id, name: &str, key: &str) -> Result<Workspace, AppError> {
    let name = validate::name("name", name)?;
    let key = validate::key("key", key)?;
    Ok(state.store.create_workspace(&name, &key, Some(creator), state.clock.now()).await?)
}

pub async fn rename_workspace(state: &App, actor: Id, ws: Id, version: i64, name: &str) -> Result<Workspace, AppError> {
    let name = validate::name("name", name)?;
    Ok(state.store.update_workspace(actor, ws, version, &name, state.clock.now()).await?)
}

/// A new API token: its public record and the secret, shown once.
pub async fn create_token(
    state: &App,
    user: Id,
    name: &str,
) -> Result<(tandem_core::model::ApiToken, String), AppError> {
    let name = validate::name("name", name)?;
    let token = secrets::generate("tdm_")?;
    let rec = state.store.create_api_token(user, &name, &secrets::hash(&token), state.clock.now()).await?;
    Ok((rec, token))
}

pub async fn accept_invitation(state: &App, token: &str, name: &str, password: String) -> Result<Id, AppError> {
    let name = validate::name("name", name)?;
    validate::password(&password)?;
    let hash = secrets::hash_password(password).await?;
    let (_, ws) = state.store.accept_invitation(&secrets::hash(token), &name, &hash, state.clock.now()).await?;
    Ok(ws)
}

/// Replaces the password after checking the current one; signs the user
/// out everywhere.
pub async fn change_password(state: &App, user: Id, current: String, new: String) -> Result<(), AppError> {
    let u = state.store.user(user).await?;
    let creds = state.store.credentials(&u.email).await?.map(|c| c.password_hash);
    if !secrets::verify_password(current, creds).await? {
        return Err(AppError::BadCredentials);
    }
    validate::password(&new)?;
    let hash = secrets::hash_password(new).await?;
    Ok(state.store.set_password(user, &hash, state.clock.now()).await?)
}
