//! Single sign-on in the browser: `/auth/oidc/login` sends the browser to
//! the identity provider, `/auth/oidc/callback` takes its answer, opens a
//! session and goes on to the page the person wanted, or shows why the
//! answer signs no one in. The same two answer under `/api/v1` (the API's
//! paths); they are browser steps either way.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use tandem_app::ops::sso;
use tandem_core::Role;

use super::mail::{AuthForm, AuthPage, TO_SIGN_IN, page};
use super::safe_next;
use super::{PageAllowed, PageForm, PageResult, Shell, on, render};
use crate::access::WorkspaceUpdate;
use crate::auth;
use crate::error::ApiError;
use crate::extract::origin;
use crate::state::AppState;

fn refused(status: StatusCode, why: String) -> Response {
    let p = AuthPage {
        title: "Not signed in",
        error: Some(why),
        note: None,
        form: AuthForm::None,
        back: TO_SIGN_IN,
        csrf: None,
    };
    page(status, p)
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// The cookie that ties a sign-in's answer to the browser that started it
/// (so nobody can send another person the answer to their own sign-in).
const STATE_COOKIE: &str = "tandem_oidc_state";

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    match sso::login_url(&state, &next, &origin(&headers)).await.map_err(ApiError::from) {
        Ok(url) => {
            let st = form_urlencoded::parse(url.split_once('?').map_or("", |(_, q)| q).as_bytes())
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let mut c = axum_extra::extract::cookie::Cookie::new(STATE_COOKIE, st);
            c.set_http_only(true);
            c.set_same_site(axum_extra::extract::cookie::SameSite::Lax);
            c.set_path("/");
            c.set_secure(state.config.secure_cookies);
            c.set_max_age(cookie::time::Duration::minutes(10));
            (jar.add(c), Redirect::to(&url)).into_response()
        }
        Err(ApiError::NotFound) => {
            refused(StatusCode::NOT_FOUND, "Single sign-on is not set up on this server.".into())
        }
        Err(e) => refused(e.status_and_code().0, e.to_string()),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(State(state): State<AppState>, jar: CookieJar, Query(q): Query<CallbackQuery>) -> Response {
    if let Some(e) = q.error {
        let why = q.error_description.unwrap_or(e);
        let why: String = why.chars().filter(|c| !c.is_control()).take(300).collect();
        return refused(StatusCode::FORBIDDEN, format!("The identity provider did not sign you in: {why}"));
    }
    let (Some(code), Some(st)) = (q.code, q.state) else {
        return refused(StatusCode::BAD_REQUEST, "The identity provider's answer is incomplete. Start again.".into());
    };
    if jar.get(STATE_COOKIE).map(|c| c.value()) != Some(st.as_str()) {
        return refused(
            StatusCode::FORBIDDEN,
            "This sign-in was not started in this browser, or was used already. Start again.".into(),
        );
    }
    let jar = jar.remove(axum_extra::extract::cookie::Cookie::build(STATE_COOKIE).path("/"));
    match sso::finish(&state, &code, &st).await.map_err(ApiError::from) {
        Ok(done) => {
            let next = safe_next(Some(&done.next));
            (jar.add(auth::session_cookie(done.session.token, &state)), Redirect::to(&next)).into_response()
        }
        Err(ApiError::NotFound) => {
            refused(StatusCode::NOT_FOUND, "Single sign-on is not set up on this server.".into())
        }
        Err(e) => {
            if let ApiError::Internal(cause) = &e {
                tracing::error!("single sign-on: {cause}");
            }
            refused(e.status_and_code().0, e.to_string())
        }
    }
}

#[derive(Template)]
#[template(path = "settings_sso.html")]
struct SsoPage {
    shell: Shell,
    ws: tandem_core::model::Workspace,
    tab: &'static str,
    /// The provider's label, when the server has one.
    provider: Option<String>,
    s: sso::SsoSettings,
    groups_text: String,
    roles: [Role; 5],
    role_words: String,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// Settings › Single sign-on (admins).
pub async fn settings(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceUpdate>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let path = format!("/w/{}/settings/sso", a.ws);
    let ws = state.store.workspace(a.ws).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "settings", "Single sign-on").await.map_err(on(&path))?;
    let s = sso::workspace_settings(&state, a.ws).await.map_err(on(&path))?;
    let groups_text =
        s.group_roles.iter().map(|(g, r)| format!("{g} = {}", r.label().to_lowercase())).collect::<Vec<_>>().join("\n");
    let role_words = Role::ALL.iter().map(|r| r.label().to_lowercase()).collect::<Vec<_>>().join(", ");
    let provider = state.settings.oidc.as_ref().map(|o| o.label.clone());
    let page = SsoPage {
        shell,
        ws,
        tab: "sso",
        provider,
        s,
        groups_text,
        roles: Role::ALL,
        role_words,
        saved: q.saved.is_some(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct SsoForm {
    default_role: String,
    group_roles: String,
}

/// A role as a person types it: its word or its label, any case.
fn role_named(raw: &str) -> Option<Role> {
    let t = raw.trim().to_lowercase();
    Role::ALL.iter().copied().find(|r| r.as_str() == t.replace(' ', "_") || r.label().to_lowercase() == t)
}

pub async fn settings_submit(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceUpdate>,
    PageForm(f): PageForm<SsoForm>,
) -> PageResult {
    let path = format!("/w/{}/settings/sso", a.ws);
    let default_role = match f.default_role.trim() {
        "" => None,
        r => Some(role_named(r).ok_or_else(|| ApiError::invalid("default_role", "choose a role")).map_err(on(&path))?),
    };
    let mut group_roles = std::collections::BTreeMap::new();
    for line in f.group_roles.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (g, r) = line
            .rsplit_once('=')
            .ok_or_else(|| ApiError::invalid("group_roles", format!("\"{line}\": write it as group = role")))
            .map_err(on(&path))?;
        let role = role_named(r)
            .ok_or_else(|| ApiError::invalid("group_roles", format!("\"{}\" is not a role", r.trim())))
            .map_err(on(&path))?;
        group_roles.insert(g.trim().to_owned(), role);
    }
    let req = sso::SsoSettings { default_role, group_roles };
    sso::set_workspace_settings(&state, a.user_id(), a.ws, req).await.map_err(on(&path))?;
    Ok(Redirect::to(&format!("{path}?saved=1")).into_response())
}
