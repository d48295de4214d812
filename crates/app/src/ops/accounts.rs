//! Accounts: signing in and out, sessions, API tokens, invitations,
//! passwords and one's notifications.

use tandem_core::model::User;
use tandem_core::{Id, Millis, validate};

use crate::App;
use crate::error::AppError;
use crate::secrets;

/// A signed-in session: the secret for the cookie and its CSRF token.
pub struct NewSession {
    pub user: User,
    pub token: String,
    pub csrf_token: String,
}

/// Checks a password sign-in, throttled per account and client, and opens
/// a session. The one path both the API and the sign-in page take.
pub async fn sign_in(state: &App, email: &str, password: &str, client: &str) -> Result<NewSession, AppError> {
    let s = &state.settings;
    if !s.password_login {
        return Err(AppError::PasswordLoginOff);
    }
    let email = email.trim().to_lowercase();
    let now = state.clock.now();
    let window = i64::try_from(s.login_window.as_millis()).unwrap_or(60_000);
    let since = Millis(now.0 - window);
    let (here, total) = state.store.login_failures(&email, client, since).await?;
    if here >= s.login_attempts_per_client || total >= s.login_attempts_per_account {
        let oldest = state.store.oldest_login_failure(&email, client, since).await?.unwrap_or(now);
        let wait_ms = (oldest.0 + window - now.0).max(1_000);
        return Err(AppError::RateLimited { retry_after: u64::try_from((wait_ms + 999) / 1_000).unwrap_or(60) });
    }
    let creds = state.store.credentials(&email).await?;
    let ok = secrets::verify_password(password.to_owned(), creds.as_ref().map(|c| c.password_hash.clone())).await?;
    let user = match creds {
        Some(c) if ok => c.user,
        _ => {
            state.store.record_login_failure(&email, client, now, Millis(now.0 - 10 * window)).await?;
            return Err(AppError::BadCredentials);
        }
    };
    open_session(state, user).await
}

/// A new session for `user`, signed in by a password or the provider.
pub async fn open_session(state: &App, user: User) -> Result<NewSession, AppError> {
    let now = state.clock.now();
    let token = secrets::generate("tss_")?;
    let csrf_token = secrets::generate("")?;
    let ttl = i64::try_from(state.settings.session_ttl.as_millis()).unwrap_or(i64::MAX / 2);
    state.store.create_session(user.id, &secrets::hash(&token), &csrf_token, now, Millis(now.0 + ttl)).await?;
    Ok(NewSession { user, token, csrf_token })
}

/// Ends the session whose secret hashes to `token_hash`.
pub async fn sign_out(state: &App, token_hash: &str) -> Result<(), AppError> {
    Ok(state.store.delete_session(token_hash).await?)
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

/// Revokes one of the caller's API tokens.
pub async fn revoke_token(state: &App, user: Id, token: Id) -> Result<tandem_core::model::ApiToken, AppError> {
    Ok(state.store.revoke_api_token(user, token, state.clock.now()).await?)
}

/// Marks one of the caller's notifications read.
pub async fn mark_read(state: &App, user: Id, notification: Id) -> Result<(), AppError> {
    Ok(state.store.mark_notification_read(user, notification, state.clock.now()).await?)
}

/// Marks all the caller's notifications read; how many were unread.
pub async fn mark_all_read(state: &App, user: Id) -> Result<u64, AppError> {
    Ok(state.store.mark_all_notifications_read(user, state.clock.now()).await?)
}

/// Changes of a person's own profile; what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdit {
    pub name: Option<String>,
    pub date_order: Option<String>,
    pub theme: Option<String>,
}

/// Sets the caller's name, date order and theme (checked, one write).
pub async fn update_profile(state: &App, user: &User, version: i64, edit: ProfileEdit) -> Result<User, AppError> {
    use tandem_core::prefs::{DateOrder, Profile, Theme};
    let name = match edit.name {
        Some(n) => validate::name("name", &n)?,
        None => user.name.clone(),
    };
    let date_order = match edit.date_order {
        Some(w) => DateOrder::parse(&w)
            .ok_or_else(|| AppError::invalid("date_order", format!("must be one of {}", DateOrder::words())))?,
        None => user.date_order,
    };
    let theme = match edit.theme {
        Some(w) => {
            Theme::parse(&w).ok_or_else(|| AppError::invalid("theme", format!("must be one of {}", Theme::words())))?
        }
        None => user.theme,
    };
    let profile = Profile { name, date_order, theme };
    Ok(state.store.update_profile(user.id, version, &profile, state.clock.now()).await?)
}
