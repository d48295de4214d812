//! Single sign-on in the browser: `/auth/oidc/login` sends the browser to
//! the identity provider, `/auth/oidc/callback` takes its answer, opens a
//! session and goes on to the page the person wanted, or shows why the
//! answer signs no one in. The same two answer under `/api/v1` (the API's
//! paths); they are browser steps either way.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use tandem_app::ops::sso;

use super::mail::{AuthForm, AuthPage, TO_SIGN_IN, page};
use super::safe_next;
use crate::auth;
use crate::error::ApiError;
use crate::extract::origin;
use crate::state::AppState;

fn refused(status: StatusCode, why: String) -> Response {
    let p = AuthPage { title: "Not signed in", error: Some(why), note: None, form: AuthForm::None, back: TO_SIGN_IN };
    page(status, p)
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    match sso::login_url(&state, &next, &origin(&headers)).await.map_err(ApiError::from) {
        Ok(url) => Redirect::to(&url).into_response(),
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
