//! Sign-in and sign-out, API tokens, new workspaces, invitations.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use tandem_core::Id;
use tandem_core::model::ApiToken;

use super::{PageError, PageForm, PageResult, PageUser, Shell, on, render, safe_next};
use crate::auth::{self, MaybePrincipal, Via};
use crate::error::ApiError;
use crate::state::AppState;
use tandem_app::ops::{accounts, workspaces};

/// `/`: the first workspace (a contributor's own work there), or the
/// form to make one.
pub async fn root(State(state): State<AppState>, PageUser(p): PageUser) -> PageResult {
    let ms = state.store.memberships(p.id()).await.map_err(on("/"))?;
    Ok(match ms.first() {
        Some(m) if tandem_core::access::starts_on_my_work(m.role) => {
            Redirect::to(&format!("/w/{}/my-work", m.workspace.id)).into_response()
        }
        Some(m) => Redirect::to(&format!("/w/{}", m.workspace.id)).into_response(),
        None => Redirect::to("/workspaces/new").into_response(),
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    email: String,
    error: Option<String>,
    /// Just set a new password with a reset link.
    reset: bool,
    /// The single sign-on button's label, when it is set up.
    sso: Option<String>,
    /// Whether the password form shows.
    password: bool,
}

/// How people sign in here: the single sign-on button's label, and
/// whether passwords are taken.
fn sign_in_ways(state: &AppState) -> (Option<String>, bool) {
    (state.settings.oidc.as_ref().map(|o| o.label.clone()), state.settings.password_login)
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    reset: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybePrincipal(p): MaybePrincipal,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if p.is_some() {
        return Redirect::to(&next).into_response();
    }
    let (sso, password) = sign_in_ways(&state);
    render(
        StatusCode::OK,
        &LoginPage { next, email: String::new(), error: None, reset: q.reset.is_some(), sso, password },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    addr: Option<Extension<crate::limits::ClientIp>>,
    jar: CookieJar,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    match accounts::sign_in(&state, &f.email, &f.password, &auth::client_of(addr.as_ref()))
        .await
        .map_err(ApiError::from)
    {
        Ok(s) => (jar.add(auth::session_cookie(s.token, &state)), Redirect::to(&next)).into_response(),
        Err(e) => {
            let status = e.status_and_code().0;
            let error = Some(match e {
                ApiError::BadCredentials => "Wrong e-mail or password.".to_owned(),
                other => other.to_string(),
            });
            let (sso, password) = sign_in_ways(&state);
            render(status, &LoginPage { next, email: f.email, error, reset: false, sso, password })
        }
    }
}

pub async fn logout(State(state): State<AppState>, MaybePrincipal(p): MaybePrincipal, jar: CookieJar) -> Response {
    if let Some(Via::Session { token_hash, .. }) = p.map(|p| p.via)
        && let Err(e) = accounts::sign_out(&state, &token_hash).await
    {
        return on("/logout")(e).into_response();
    }
    (jar.add(auth::clear_cookie(&state)), Redirect::to("/login")).into_response()
}

/// What the preferences form holds: as stored, or as typed when refused.
#[derive(Deserialize)]
pub struct ProfileForm {
    name: String,
    date_order: String,
    theme: String,
    version: i64,
}

/// A refused form value: the field, and why, shown beside the field.
pub struct Refusal {
    pub field: String,
    pub message: String,
}

impl Refusal {
    /// The refusal of a value, or the error itself when it is not one.
    pub fn of(e: tandem_app::AppError) -> Result<Refusal, tandem_app::AppError> {
        match e {
            tandem_app::AppError::Invalid(i) => Ok(Refusal { field: i.field.to_string(), message: i.message }),
            other => Err(other),
        }
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    shell: Shell,
    typed: ProfileForm,
    version: i64,
    orders: &'static [tandem_core::prefs::DateOrder],
    themes: &'static [tandem_core::prefs::Theme],
    refusal: Option<Refusal>,
    saved: bool,
}

impl ProfilePage {
    fn bad(&self, field: &str) -> bool {
        self.refusal.as_ref().is_some_and(|r| r.field == field)
    }
    fn message(&self) -> &str {
        self.refusal.as_ref().map_or("", |r| r.message.as_str())
    }
}

async fn profile_view(
    state: &AppState,
    p: &crate::auth::Principal,
    typed: Option<ProfileForm>,
    refusal: Option<Refusal>,
    saved: bool,
) -> PageResult {
    let path = "/settings/profile";
    let shell = Shell::new(state, p, None, "account", "Your preferences").await.map_err(on(path))?;
    let u = &p.user;
    let typed = typed.unwrap_or_else(|| ProfileForm {
        name: u.name.clone(),
        date_order: u.date_order.as_str().to_owned(),
        theme: u.theme.as_str().to_owned(),
        version: u.version,
    });
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ProfilePage {
        shell,
        typed,
        version: u.version,
        orders: tandem_core::prefs::DateOrder::ALL,
        themes: tandem_core::prefs::Theme::ALL,
        refusal,
        saved,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn profile_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    profile_view(&state, &p, None, None, q.saved.is_some()).await
}

/// Saves and comes back with "Saved."; a refused value is shown beside its
/// field with everything typed kept.
pub async fn profile_submit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    PageForm(f): PageForm<ProfileForm>,
) -> PageResult {
    let path = "/settings/profile";
    let edit = accounts::ProfileEdit {
        name: Some(f.name.clone()),
        date_order: Some(f.date_order.clone()),
        theme: Some(f.theme.clone()),
    };
    match accounts::update_profile(&state, &p.user, f.version, edit).await {
        Ok(_) => Ok(Redirect::to("/settings/profile?saved=1").into_response()),
        Err(e) => {
            let refusal = Refusal::of(e).map_err(on(path))?;
            profile_view(&state, &p, Some(f), Some(refusal), false).await
        }
    }
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    shell: Shell,
    tokens: Vec<ApiToken>,
    created: Option<(String, String)>,
}

async fn tokens_view(state: &AppState, p: &crate::auth::Principal, created: Option<(String, String)>) -> PageResult {
    let path = "/settings/tokens";
    let shell = Shell::new(state, p, None, "account", "API tokens").await.map_err(on(path))?;
    let tokens = state.store.api_tokens(p.id()).await.map_err(on(path))?;
    Ok(render(StatusCode::OK, &TokensPage { shell, tokens, created }))
}

pub async fn tokens_page(State(state): State<AppState>, PageUser(p): PageUser) -> PageResult {
    tokens_view(&state, &p, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// Shows the new secret in the response itself (not after a redirect), so
/// it is never stored anywhere to be shown again.
pub async fn tokens_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    PageForm(f): PageForm<TokenForm>,
) -> PageResult {
    let (rec, token) = accounts::create_token(&state, p.id(), &f.name).await.map_err(on("/settings/tokens"))?;
    tokens_view(&state, &p, Some((rec.name, token))).await
}

pub async fn tokens_revoke(State(state): State<AppState>, PageUser(p): PageUser, Path(id): Path<String>) -> PageResult {
    let path = "/settings/tokens";
    let id: Id = id.parse().map_err(|_| on(path)(ApiError::NotFound))?;
    accounts::revoke_token(&state, p.id(), id).await.map_err(on(path))?;
    Ok(Redirect::to(path).into_response())
}

#[derive(Template)]
#[template(path = "new_workspace.html")]
struct NewWorkspacePage {
    shell: Shell,
}

pub async fn new_workspace_page(State(state): State<AppState>, PageUser(p): PageUser) -> PageResult {
    let shell = Shell::new(&state, &p, None, "account", "New workspace").await.map_err(on("/workspaces/new"))?;
    Ok(render(StatusCode::OK, &NewWorkspacePage { shell }))
}

#[derive(Deserialize)]
pub struct WorkspaceForm {
    name: String,
    key: String,
}

pub async fn new_workspace_submit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    PageForm(f): PageForm<WorkspaceForm>,
) -> PageResult {
    let ws = workspaces::create_workspace(&state, p.id(), &f.name, &f.key).await.map_err(on("/workspaces/new"))?;
    Ok(Redirect::to(&format!("/w/{}", ws.id)).into_response())
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    token: String,
    error: Option<String>,
}

pub async fn invitation_page(Path(token): Path<String>) -> Response {
    render(StatusCode::OK, &InvitationPage { token, error: None })
}

#[derive(Deserialize)]
pub struct InvitationForm {
    name: String,
    password: String,
}

pub async fn invitation_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    PageForm(f): PageForm<InvitationForm>,
) -> Response {
    match accounts::accept_invitation(&state, &token, &f.name, f.password).await.map_err(ApiError::from) {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(ApiError::NotFound) => PageError {
            error: ApiError::Conflict(
                "This invitation has been used or has expired. Ask an admin for a new one.".into(),
            ),
            path: String::new(),
        }
        .into_response(),
        Err(e) => render(e.status_and_code().0, &InvitationPage { token, error: Some(e.to_string()) }),
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    shell: Shell,
    items: Vec<tandem_core::model::Notification>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

pub async fn notifications_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<CursorQuery>,
) -> PageResult {
    let path = "/notifications";
    let cursor = q.cursor.as_deref().and_then(|c| c.parse::<Id>().ok());
    let page = state.store.notifications(p.id(), false, cursor, 50).await.map_err(on(path))?;
    let shell = Shell::new(&state, &p, None, "account", "Notifications").await.map_err(on(path))?;
    let next_cursor = page.next_after.map(|i| i.to_string());
    Ok(render(StatusCode::OK, &NotificationsPage { shell, items: page.items, next_cursor }))
}

/// The unread count, for the bell when a change arrives live.
pub async fn notifications_unread(
    State(state): State<AppState>,
    PageUser(p): PageUser,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let unread = state.store.unread_notifications(p.id()).await?;
    Ok(axum::Json(serde_json::json!({ "unread": unread })))
}

#[derive(Deserialize)]
pub struct CsrfOnly {}

/// Marks a notification read and goes to what it is about.
pub async fn notification_open(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<String>,
    PageForm(_): PageForm<CsrfOnly>,
) -> PageResult {
    let path = "/notifications";
    let id: Id = id.parse().map_err(|_| on(path)(ApiError::NotFound))?;
    accounts::mark_read(&state, p.id(), id).await.map_err(on(path))?;
    let n = state.store.notification(p.id(), id).await.map_err(on(path))?;
    Ok(Redirect::to(&safe_next(Some(&n.link))).into_response())
}

pub async fn notifications_read_all(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    PageForm(_): PageForm<CsrfOnly>,
) -> PageResult {
    accounts::mark_all_read(&state, p.id()).await.map_err(on("/notifications"))?;
    Ok(Redirect::to("/notifications").into_response())
}
