//! Single sign-on with an OpenID Connect provider: the authorisation code
//! flow with PKCE, the provider found by discovery, the ID token's
//! signature, issuer, audience, expiry and nonce checked (openidconnect);
//! people matched by a verified e-mail, made on first sign-in when the
//! server allows it, and joined to the workspaces that take people from
//! the provider, with the role of their groups.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tandem_core::{Id, Millis, Role, validate};
use tandem_store::sso::{OidcLogin, SsoRoles};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::ops::accounts::{NewSession, open_session};
use crate::{App, secrets};

/// How long a started sign-in waits for the provider's answer.
const LOGIN_TTL_MS: i64 = 600_000;

/// The provider and what its sign-ins may do.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// What the sign-in button says: `Sign in with {label}`.
    pub label: String,
    /// Make an account for someone the provider vouches for who has none.
    pub create_users: bool,
    /// The ID token claim that lists the person's groups (`groups`).
    pub groups_claim: Option<String>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("label", &self.label)
            .field("create_users", &self.create_users)
            .field("groups_claim", &self.groups_claim)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The client for the provider: an address the server's admin chose, so
/// private ranges are allowed; redirects are not followed (the OpenID
/// specification's advice), times are bounded.
fn http() -> Result<reqwest::Client, AppError> {
    crate::outbound::tls();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| AppError::Internal(format!("oidc client: {e}")))
}

/// A request of openidconnect's, sent with reqwest.
async fn send(
    client: reqwest::Client,
    req: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let (parts, body) = req.into_parts();
    let res = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpError(format!("the identity provider does not answer: {e}")))?;
    let mut out = openidconnect::http::Response::builder().status(res.status());
    for (k, v) in res.headers() {
        out = out.header(k, v);
    }
    let bytes = res.bytes().await.map_err(|e| HttpError(e.to_string()))?;
    out.body(bytes.to_vec()).map_err(|e| HttpError(e.to_string()))
}

fn settings(state: &App) -> Result<&OidcSettings, AppError> {
    state.settings.oidc.as_ref().ok_or(AppError::NotFound)
}

type Client = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The provider's client, from its discovery document.
async fn client(s: &OidcSettings, http: &reqwest::Client, redirect: &str) -> Result<Client, AppError> {
    let refuse = |what: &str, e: &dyn std::fmt::Display| AppError::SignInRefused(format!("{what}: {e}"));
    let issuer = IssuerUrl::new(s.issuer.clone()).map_err(|e| refuse("the issuer address", &e))?;
    let h = http.clone();
    let call = move |r| send(h.clone(), r);
    let meta = CoreProviderMetadata::discover_async(issuer, &call)
        .await
        .map_err(|e| refuse("cannot read the identity provider's configuration", &e))?;
    let redirect = RedirectUrl::new(redirect.to_owned()).map_err(|e| refuse("the callback address", &e))?;
    Ok(CoreClient::from_provider_metadata(
        meta,
        ClientId::new(s.client_id.clone()),
        s.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

/// Where the provider sends people back.
pub fn callback_url(base: &str) -> String {
    format!("{}/auth/oidc/callback", base.trim_end_matches('/'))
}

/// Starts a sign-in: the provider's address to send the browser to, with
/// a fresh state, nonce and PKCE challenge kept for the callback.
pub async fn login_url(state: &App, next: &str, base: &str) -> Result<String, AppError> {
    let s = settings(state)?;
    let redirect = callback_url(&state.settings.public_url.clone().unwrap_or_else(|| base.to_owned()));
    let client = client(s, &http()?, &redirect).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if s.groups_claim.is_some() {
        req = req.add_scope(Scope::new("groups".into()));
    }
    let (url, csrf, nonce) = req.url();
    state
        .store
        .begin_oidc_login(&OidcLogin {
            state: csrf.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            redirect_uri: redirect,
            next_path: next.to_owned(),
            created_at: state.clock.now(),
        })
        .await?;
    Ok(url.to_string())
}

/// A finished sign-in: the session, and the page to open.
pub struct SignedIn {
    pub session: NewSession,
    pub next: String,
}

/// Finishes a sign-in with the provider's answer; refused with the reason
/// for a state that is unknown, used or stale, a code the provider does
/// not take, an ID token whose signature, audience, expiry or nonce is
/// wrong, an e-mail that is missing or unverified, or a person the server
/// does not know and may not make.
pub async fn finish(state: &App, code: &str, returned_state: &str) -> Result<SignedIn, AppError> {
    let s = settings(state)?;
    let now = state.clock.now();
    let login = state.store.take_oidc_login(returned_state).await?.ok_or_else(|| {
        AppError::SignInRefused("This sign-in was not started here, or was used already. Start again.".into())
    })?;
    if now.0 - login.created_at.0 > LOGIN_TTL_MS {
        return Err(AppError::SignInRefused("This sign-in took over ten minutes. Start again.".into()));
    }
    let http = http()?;
    let client = client(s, &http, &login.redirect_uri).await?;
    let h = http.clone();
    let call = move |r| send(h.clone(), r);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| AppError::SignInRefused(format!("the identity provider has no token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
        .request_async(&call)
        .await
        .map_err(|e| AppError::SignInRefused(format!("the identity provider refused the sign-in: {e}")))?;
    let id_token =
        token.id_token().ok_or_else(|| AppError::SignInRefused("the identity provider sent no ID token".into()))?;
    let at = chrono::DateTime::from_timestamp_millis(now.0).unwrap_or_default();
    let verifier = client.id_token_verifier().set_time_fn(move || at);
    let claims = id_token
        .claims(&verifier, &Nonce::new(login.nonce.clone()))
        .map_err(|e| AppError::SignInRefused(format!("the identity provider's ID token does not hold: {e}")))?;
    let email = claims
        .email()
        .map(|e| e.as_str().to_owned())
        .ok_or_else(|| AppError::SignInRefused("the identity provider sent no e-mail address".into()))?;
    let email = validate::email(&email)
        .map_err(|_| AppError::SignInRefused(format!("the identity provider's e-mail address {email} is not one")))?;
    if claims.email_verified() != Some(true) {
        return Err(AppError::SignInRefused(format!(
            "The identity provider has not verified {email}. Verify it there, then sign in again."
        )));
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("member").to_owned());
    let groups = s.groups_claim.as_deref().map(|c| groups(&id_token.to_string(), c)).unwrap_or_default();
    let user = match state.store.user_by_email(&email).await? {
        Some(u) => u,
        None if s.create_users => {
            let name = validate::name("name", &name).unwrap_or_else(|_| email.clone());
            state.store.create_user(&email, &name, &unusable_hash()?, now).await?
        }
        None => {
            return Err(AppError::SignInRefused(format!(
                "No Tandem account has the address {email}. Ask an admin to invite you."
            )));
        }
    };
    join(state, user.id, &groups, now).await?;
    let session = open_session(state, user).await?;
    Ok(SignedIn { session, next: login.next_path })
}

/// A password hash nothing verifies against: accounts made by the
/// provider have no password until their person sets one by a reset link.
fn unusable_hash() -> Result<String, AppError> {
    Ok(format!("!sso-{}", secrets::generate("")?))
}

/// The groups the (verified) ID token lists under `claim`: a list of
/// names, or one name.
fn groups(jwt: &str, claim: &str) -> Vec<String> {
    let payload = jwt.split('.').nth(1).unwrap_or("");
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')) else { return Vec::new() };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return Vec::new() };
    match &v[claim] {
        serde_json::Value::Array(items) => items.iter().filter_map(|g| g.as_str().map(str::to_owned)).collect(),
        serde_json::Value::String(g) => vec![g.clone()],
        _ => Vec::new(),
    }
}

/// Joins a signed-in person to each workspace that takes people from the
/// provider: with the highest role of their groups there (kept in step
/// at each sign-in), else the workspace's default role (for newcomers).
async fn join(state: &App, user: Id, groups: &[String], now: Millis) -> Result<(), AppError> {
    let mut joins = Vec::new();
    for w in state.store.all_sso_roles().await? {
        let by_group = w
            .roles
            .group_roles
            .iter()
            .filter(|(g, _)| groups.contains(g))
            .map(|(_, r)| *r)
            .min_by_key(|r| Role::ALL.iter().position(|x| x == r).unwrap_or(usize::MAX));
        match (by_group, w.roles.default_role) {
            (Some(r), _) => joins.push((w.workspace_id, r, true)),
            (None, Some(r)) => joins.push((w.workspace_id, r, false)),
            (None, None) => {}
        }
    }
    Ok(state.store.sso_join(user, &joins, now).await?)
}

/// `GET|PUT /workspaces/{ws}/sso`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSettings {
    /// The role everyone who signs in with the provider joins with; none:
    /// only the groups below join.
    pub default_role: Option<Role>,
    /// Provider groups and the role their members join with (and keep:
    /// it is set again at each sign-in).
    #[serde(default)]
    pub group_roles: std::collections::BTreeMap<String, Role>,
}

pub async fn workspace_settings(state: &App, ws: Id) -> Result<SsoSettings, AppError> {
    let r = state.store.sso_roles(ws).await?;
    Ok(SsoSettings { default_role: r.default_role, group_roles: r.group_roles.into_iter().collect() })
}

/// The most groups a workspace maps.
const MAX_GROUPS: usize = 100;

pub async fn set_workspace_settings(state: &App, actor: Id, ws: Id, req: SsoSettings) -> Result<SsoSettings, AppError> {
    if req.group_roles.len() > MAX_GROUPS {
        return Err(AppError::invalid("group_roles", format!("at most {MAX_GROUPS} groups")));
    }
    let mut group_roles = Vec::with_capacity(req.group_roles.len());
    for (g, r) in req.group_roles {
        let g = validate::name("group_roles", &g)?;
        group_roles.push((g, r));
    }
    let roles = SsoRoles { default_role: req.default_role, group_roles };
    let r = state.store.set_sso_roles(actor, ws, &roles, state.clock.now()).await?;
    Ok(SsoSettings { default_role: r.default_role, group_roles: r.group_roles.into_iter().collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_from_the_token_as_a_list_or_one() {
        let jwt = |claims: &str| format!("h.{}.s", URL_SAFE_NO_PAD.encode(claims));
        assert_eq!(groups(&jwt(r#"{"groups":["a","b",3]}"#), "groups"), ["a", "b"]);
        assert_eq!(groups(&jwt(r#"{"roles":"pm"}"#), "roles"), ["pm"]);
        assert!(groups(&jwt(r#"{}"#), "groups").is_empty());
        assert!(groups("garbage", "groups").is_empty());
    }
}
