//! Workspaces, their members and the decision-rights matrix.

use serde::{Deserialize, Serialize};
use tandem_core::decision::Matrix;
use tandem_core::model::{Member, Workspace};
use tandem_core::{Id, Millis, Role, validate};
use tandem_store::decisions::StoredMatrix;
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
                        mail: Some((token.clone(), None)),
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

/// Renames the workspace and, when given, sets its time zone.
pub async fn update_workspace(
    state: &App,
    actor: Id,
    ws: Id,
    version: i64,
    name: &str,
    time_zone: Option<&str>,
) -> Result<Workspace, AppError> {
    let name = validate::name("name", name)?;
    let zone = match time_zone {
        Some(z) => crate::zone::checked("time_zone", z)?,
        None => state.store.workspace(ws).await?.time_zone,
    };
    Ok(state.store.update_workspace(actor, ws, version, &name, &zone, state.clock.now()).await?)
}

/// Changes a member's role (admins); the last admin stays one.
pub async fn change_role(
    state: &App,
    actor: Id,
    ws: Id,
    member: Id,
    version: i64,
    role: Role,
) -> Result<Member, AppError> {
    Ok(state.store.update_member_role(actor, ws, member, version, role, state.clock.now()).await?)
}

/// Removes a member (admins); the last admin stays.
pub async fn remove_member(state: &App, actor: Id, ws: Id, member: Id) -> Result<(), AppError> {
    Ok(state.store.remove_member(actor, ws, member, state.clock.now()).await?)
}

/// Replaces the workspace's decision-rights matrix after checking it.
pub async fn set_matrix(
    state: &App,
    actor: Id,
    ws: Id,
    version: i64,
    matrix: Matrix,
) -> Result<StoredMatrix, AppError> {
    let m = matrix.checked()?;
    Ok(state.store.set_decision_matrix(actor, ws, version, &m, state.clock.now()).await?)
}
