//! Mail on pages: how one hears of each reason (account settings), the
//! page an unsubscribe link opens (and the one-click POST mail programs
//! send, RFC 8058), and asking for and using a password reset link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::ops::mail::{self, NotificationSettings, PutNotificationSettings};
use tandem_core::mail::{MailDelivery, reason};

use super::{PageForm, PageResult, PageUser, Shell, on, render};
use crate::auth::MaybePrincipal;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "email_settings.html")]
struct SettingsPage {
    shell: Shell,
    s: NotificationSettings,
    deliveries: &'static [MailDelivery],
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn settings_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let path = "/settings/email";
    let shell = Shell::new(&state, &p, None, "account", "E-mail").await.map_err(on(path))?;
    let s = mail::settings(&state, p.id()).await.map_err(on(path))?;
    Ok(render(StatusCode::OK, &SettingsPage { shell, s, deliveries: MailDelivery::ALL, saved: q.saved.is_some() }))
}

pub async fn settings_submit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let path = "/settings/email";
    let mut settings = std::collections::BTreeMap::new();
    for (k, v) in form.iter().filter(|(k, _)| reason(k).is_some()) {
        let d = MailDelivery::parse(v)
            .ok_or_else(|| ApiError::invalid("settings", format!("one of {}", MailDelivery::words())))
            .map_err(on(path))?;
        settings.insert(k.clone(), d);
    }
    mail::set_settings(&state, p.id(), PutNotificationSettings { settings }).await.map_err(on(path))?;
    Ok(Redirect::to("/settings/email?saved=1").into_response())
}

/// The form a small signed-out page holds.
pub enum AuthForm {
    None,
    Forgot,
    Reset(String),
    /// The link's token, and the session's CSRF token when signed in.
    Unsubscribe(String, Option<String>),
}

/// A small signed-out page: a title, a reason or a note, maybe a form.
#[derive(Template)]
#[template(path = "auth_page.html")]
pub struct AuthPage {
    pub title: &'static str,
    pub error: Option<String>,
    pub note: Option<String>,
    pub form: AuthForm,
    /// Where the link under the card goes, and its words.
    pub back: (&'static str, &'static str),
    /// The session's CSRF token when someone signed in opens the page (its
    /// form is then checked like any other).
    pub csrf: Option<String>,
}

pub const TO_SIGN_IN: (&str, &str) = ("/login", "Back to sign in");

pub fn page(status: StatusCode, p: AuthPage) -> Response {
    render(status, &p)
}

/// The session's CSRF token, when someone signed in opens the page.
fn csrf_of(p: Option<crate::auth::Principal>) -> Option<String> {
    p.and_then(|p| p.csrf_token().map(str::to_owned))
}

pub async fn forgot_page(MaybePrincipal(p): MaybePrincipal) -> Response {
    let form = AuthForm::Forgot;
    let csrf = csrf_of(p);
    page(
        StatusCode::OK,
        AuthPage { title: "Forgot your password?", error: None, note: None, form, back: TO_SIGN_IN, csrf },
    )
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

pub async fn forgot_submit(State(state): State<AppState>, PageForm(f): PageForm<ForgotForm>) -> Response {
    let (status, error, note, form) = match mail::request_reset(&state, &f.email).await {
        Ok(()) => (
            StatusCode::OK,
            None,
            Some(format!(
                "If {} is the address of a Tandem account, a link to choose a new password is on its way. \
                 Look in your inbox (and spam) in a minute.",
                f.email.trim()
            )),
            AuthForm::None,
        ),
        Err(e) => {
            let e = ApiError::from(e);
            (e.status_and_code().0, Some(e.to_string()), None, AuthForm::Forgot)
        }
    };
    page(status, AuthPage { title: "Forgot your password?", error, note, form, back: TO_SIGN_IN, csrf: None })
}

pub async fn reset_page(MaybePrincipal(p): MaybePrincipal, Path(token): Path<String>) -> Response {
    let form = AuthForm::Reset(token);
    let csrf = csrf_of(p);
    page(
        StatusCode::OK,
        AuthPage { title: "Choose a new password", error: None, note: None, form, back: TO_SIGN_IN, csrf },
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    PageForm(f): PageForm<ResetForm>,
) -> Response {
    match mail::reset(&state, &token, f.password).await.map_err(ApiError::from) {
        Ok(()) => Redirect::to("/login?reset=1").into_response(),
        Err(ApiError::NotFound) => page(
            StatusCode::NOT_FOUND,
            AuthPage {
                title: "This link no longer works",
                error: Some("The link has been used or is over an hour old. Ask for a new one.".into()),
                note: None,
                form: AuthForm::None,
                back: ("/forgot-password", "Send me a new link"),
                csrf: None,
            },
        ),
        Err(e) => page(
            e.status_and_code().0,
            AuthPage {
                title: "Choose a new password",
                error: Some(e.to_string()),
                note: None,
                form: AuthForm::Reset(token),
                back: TO_SIGN_IN,
                csrf: None,
            },
        ),
    }
}

fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        AuthPage {
            title: "This link does not work",
            error: Some(
                "It may have been cut short by your mail program. Choose what you hear of in your settings.".into(),
            ),
            note: None,
            form: AuthForm::None,
            back: ("/settings/email", "Open your e-mail settings"),
            csrf: None,
        },
    )
}

/// Asks before stopping (a link scanner's GET changes nothing).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    MaybePrincipal(p): MaybePrincipal,
    Path(token): Path<String>,
) -> Response {
    match mail::unsubscribe_subject(&state, &token).await {
        Ok(subject) => page(
            StatusCode::OK,
            AuthPage {
                title: "Stop these e-mails?",
                error: None,
                note: Some(format!(
                    "You will no longer get e-mails about {subject}. You still see them under Notifications."
                )),
                form: AuthForm::Unsubscribe(token, p.and_then(|p| p.csrf_token().map(str::to_owned))),
                back: ("/settings/email", "Choose how you hear of each instead"),
                csrf: None,
            },
        ),
        Err(_) => unknown_link(),
    }
}

/// Stops them: from the page's button, or in one click from a mail
/// program (`List-Unsubscribe=One-Click`, no session).
pub async fn unsubscribe_submit(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match mail::unsubscribe(&state, &token).await {
        Ok(subject) => page(
            StatusCode::OK,
            AuthPage {
                title: "Done",
                error: None,
                note: Some(format!("You no longer get e-mails about {subject}.")),
                form: AuthForm::None,
                back: ("/settings/email", "Change it in your e-mail settings"),
                csrf: None,
            },
        ),
        Err(_) => unknown_link(),
    }
}
