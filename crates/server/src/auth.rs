//! Who is calling: a bearer token or a session cookie, resolved once per
//! request by [`authenticate`], which also enforces CSRF protection for
//! cookie-authenticated unsafe requests.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use tandem_core::Id;
use tandem_core::model::User;

use crate::error::ApiError;
use crate::state::AppState;
use tandem_app::secrets;

pub const SESSION_COOKIE: &str = "tandem_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session {
        token_hash: String,
        csrf_token: String,
    },
    /// An API token, by its hash (never the token itself).
    Token {
        hash: String,
    },
}

/// The signed-in caller. Handlers take it as an extractor; absent, 401.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

impl Principal {
    pub fn id(&self) -> Id {
        self.user.id
    }
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf_token, .. } => Some(csrf_token),
            Via::Token { .. } => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or(ApiError::Unauthenticated)
    }
}

/// The caller when signed in, `None` otherwise; never rejects.
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybePrincipal {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybePrincipal(parts.extensions.get::<Principal>().cloned()))
    }
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Resolves the caller and guards cookie-authenticated writes.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match resolve(&state, req).await {
        Ok(req) => {
            let caller = req.extensions().get::<Principal>().map(|p| crate::observe::Caller(p.user.id));
            let mut resp = next.run(req).await;
            if let Some(c) = caller {
                resp.extensions_mut().insert(c);
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}

async fn resolve(state: &AppState, mut req: Request) -> Result<Request, ApiError> {
    // Events arrive with an ingest key, from any site (analytics SDKs run
    // in browsers): the handler checks the key; no one is signed in.
    // So does `/metrics`, with its own token.
    if req.uri().path().starts_with("/api/v1/ingest/") || req.uri().path() == "/metrics" {
        return Ok(req);
    }
    let now = state.clock.now();
    let principal = if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        let hash = secrets::hash(token);
        let user = state.store.user_by_api_token(&hash, now).await?.ok_or(ApiError::Unauthenticated)?;
        Some(Principal { user, via: Via::Token { hash } })
    } else {
        let jar = CookieJar::from_headers(req.headers());
        match jar.get(SESSION_COOKIE) {
            Some(c) => {
                let token_hash = secrets::hash(c.value());
                // An unknown or expired cookie is the same as none: the
                // caller is anonymous, and pages offer the sign-in form.
                state
                    .store
                    .session(&token_hash, now)
                    .await?
                    .map(|s| Principal { user: s.user, via: Via::Session { token_hash, csrf_token: s.csrf_token } })
            }
            None => None,
        }
    };

    let bearer = matches!(principal, Some(Principal { via: Via::Token { .. }, .. }));
    if is_unsafe(req.method()) && !bearer {
        if !same_origin(req.headers()) {
            return Err(ApiError::Csrf);
        }
        if let Some(Principal { via: Via::Session { csrf_token, .. }, .. }) = &principal
            && !opens_a_session(req.uri().path())
        {
            let limit = state.config.body_limit(req.uri().path());
            req = check_csrf_token(req, csrf_token, limit).await?;
        }
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(p);
    }
    Ok(req)
}

/// Signing in (again) needs no token of the current session: it is proof
/// of identity in itself, and the origin check above still applies. A
/// client that signs in as someone else while holding a cookie must not
/// be refused.
fn opens_a_session(path: &str) -> bool {
    path == "/api/v1/auth/login"
        || path == "/login"
        || path.starts_with("/api/v1/invitations/")
        || path.starts_with("/invitations/")
}

/// A browser's unsafe request must come from this site. Requests without
/// `Origin` and `Sec-Fetch-Site` (scripts, old browsers) pass here; the
/// token check still applies to them.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match headers.get(header::ORIGIN).map(|v| v.to_str()) {
        None => true,
        Some(Err(_)) => false,
        Some(Ok(origin)) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
            let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
    }
}

/// Accepts the token from the `X-CSRF-Token` header, or from the
/// `csrf_token` field of a URL-encoded form or a form with files (pages
/// without JavaScript).
async fn check_csrf_token(req: Request, expected: &str, limit: usize) -> Result<Request, ApiError> {
    if let Some(h) = req.headers().get(CSRF_HEADER) {
        return match h.to_str() {
            Ok(v) if secrets::equal(v, expected) => Ok(req),
            _ => Err(ApiError::Csrf),
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    // Forms with files are the pages' import form alone.
    let with_files = crate::upload::is_multipart(req.headers()) && is_import_page(req.uri().path());
    if !is_form && !with_files {
        return Err(ApiError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|_| ApiError::TooLarge { limit })?;
    let found = if with_files {
        crate::upload::one_field(&parts.headers, bytes.clone(), CSRF_FIELD).await?
    } else {
        form_urlencoded_field(&bytes, CSRF_FIELD)
    };
    if !found.is_some_and(|v| secrets::equal(&v, expected)) {
        return Err(ApiError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// `/projects/{id}/import`, the page that takes a file.
fn is_import_page(path: &str) -> bool {
    path.strip_prefix("/projects/")
        .and_then(|rest| rest.strip_suffix("/import"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The session cookie for a new sign-in.
pub fn session_cookie(token: String, state: &AppState) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, token);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    c.set_max_age(cookie::time::Duration::seconds(
        i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX),
    ));
    c
}

/// A cookie that deletes the session cookie.
pub fn clear_cookie(state: &AppState) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), state);
    c.set_max_age(cookie::time::Duration::ZERO);
    c
}

/// The client address for login throttling (see `limits::client_ip`).
pub fn client_of(addr: Option<&axum::Extension<crate::limits::ClientIp>>) -> String {
    crate::limits::ClientIp::label_of(addr.map(|c| &c.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!same_origin(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn form_fields() {
        assert_eq!(form_urlencoded_field(b"a=1&csrf_token=x%2By", "csrf_token").as_deref(), Some("x+y"));
        assert_eq!(form_urlencoded_field(b"a=1", "csrf_token"), None);
        assert!(super::is_import_page("/projects/12/import"));
        assert!(!super::is_import_page("/api/v1/projects/12/import") && !super::is_import_page("/projects//import"));
    }
}
