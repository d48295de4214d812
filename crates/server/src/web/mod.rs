//! Server-rendered pages. Every page reads without JavaScript; every form
//! posts with the session's CSRF token. Pages call the same operations as
//! the API, through the same authorisation guard.

mod account;
mod activity;
pub(crate) mod custom;
mod feeds;
pub(crate) mod human;
mod lists;
mod mail;
mod mywork;
mod nav;
mod product;
mod project;
mod refusal;
mod search;
mod shell;
mod sso;
mod sync;
mod webhooks;
mod workspace;

use askama::Template;
use axum::Router;
use axum::extract::{FromRef, FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use crate::access::{Allowed, Permission};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

pub use shell::Shell;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(account::root))
        .route("/login", get(account::login_page).post(account::login_submit))
        .route("/logout", post(account::logout))
        .route("/settings/profile", get(account::profile_page).post(account::profile_submit))
        .route("/settings/tokens", get(account::tokens_page).post(account::tokens_create))
        .route("/settings/tokens/{id}/revoke", post(account::tokens_revoke))
        .route("/calendar/{file}", get(feeds::calendar))
        .route("/auth/oidc/login", get(sso::login))
        .route("/auth/oidc/callback", get(sso::callback))
        .route("/api/v1/auth/oidc/login", get(sso::login))
        .route("/api/v1/auth/oidc/callback", get(sso::callback))
        .route("/settings/calendar", get(feeds::feed_page))
        .route("/settings/email", get(mail::settings_page).post(mail::settings_submit))
        .route("/unsubscribe/{token}", get(mail::unsubscribe_page).post(mail::unsubscribe_submit))
        .route("/forgot-password", get(mail::forgot_page).post(mail::forgot_submit))
        .route("/reset-password/{token}", get(mail::reset_page).post(mail::reset_submit))
        .route("/settings/calendar/rotate", post(feeds::feed_rotate))
        .route("/search", get(search::search_page))
        .route("/search.json", get(search::search_json))
        .route("/notifications", get(account::notifications_page))
        .route("/notifications/unread.json", get(account::notifications_unread))
        .route("/notifications/read-all", post(account::notifications_read_all))
        .route("/notifications/{id}/open", post(account::notification_open))
        .route("/workspaces/new", get(account::new_workspace_page).post(account::new_workspace_submit))
        .route("/invitations/{token}", get(account::invitation_page).post(account::invitation_submit))
        .route("/w/{ws}", get(workspace::home))
        .route("/w/{ws}/product", get(product::products))
        .route("/w/{ws}/products", post(product::products_create))
        .route("/products/{id}", get(product::dashboard::dashboard))
        .route("/products/{id}/feedback", get(product::feedback::feedback).post(product::feedback::feedback_create))
        .route("/products/{id}/backlog", get(product::features::backlog))
        .route("/products/{id}/features", post(product::features::feature_create))
        .route("/products/{id}/roadmap", get(product::roadmap::roadmap_page))
        .route("/products/{id}/releases", get(product::outcomes::releases))
        .route("/products/{id}/okrs", get(product::outcomes::okrs))
        .route("/products/{id}/competitors", get(product::outcomes::competitors))
        .route("/products/{id}/metrics", get(product::outcomes::metrics))
        .route("/products/{id}/analytics", get(product::analytics::analytics))
        .route("/products/{id}/settings", get(product::analytics::settings))
        .route("/products/{id}/ingest-keys/new", post(product::analytics::key_create))
        .route("/ingest-keys/{id}/revoke", post(product::analytics::key_revoke))
        .route("/products/{id}/syncs", get(sync::syncs).post(sync::hold))
        .route("/syncs/{id}", get(sync::sync))
        .route("/syncs/{id}/edit", post(sync::edit))
        .route("/syncs/{id}/actions", post(sync::add_action))
        .route("/features/{id}", get(product::features::feature))
        .route("/features/{id}/edit", post(product::features::feature_update))
        .route("/features/{id}/comment", post(product::features::feature_comment))
        .route("/feedback/{id}/triage", post(product::feedback::feedback_triage))
        .route("/feedback/{id}/link", post(product::feedback::feedback_link))
        .route("/feedback/{id}/fields", post(product::feedback::feedback_fields))
        .route("/feedback/{id}/feature", post(product::feedback::feedback_feature))
        .route("/products/{id}/feedback/bulk", post(product::feedback::feedback_bulk))
        .route("/key-results/{id}/record", post(product::outcomes::key_result_record))
        .route("/products/{id}/edit", post(product::forms::product_update))
        .route("/products/{id}/releases/new", post(product::forms::release_create))
        .route("/releases/{id}/edit", post(product::forms::release_update))
        .route("/releases/{id}/go-no-go", post(product::outcomes::release_go_no_go))
        .route("/releases/{id}/notes", get(product::outcomes::release_notes))
        .route("/releases/{id}/notes.md", get(product::outcomes::release_notes_md))
        .route("/products/{id}/objectives/new", post(product::forms::objective_create))
        .route("/objectives/{id}/key-results/new", post(product::forms::key_result_create))
        .route("/products/{id}/competitors/new", post(product::forms::competitor_create))
        .route("/competitors/{id}/cell", post(product::forms::competitor_cell))
        .route("/products/{id}/metrics/new", post(product::forms::metric_create))
        .route("/metrics/{id}/record", post(product::forms::metric_record))
        .route("/w/{ws}/project", get(project::projects))
        .route("/w/{ws}/projects", post(project::projects_create))
        .route("/w/{ws}/my-work", get(mywork::my_work))
        .route("/w/{ws}/timesheet", get(project::timesheet::timesheet).post(project::timesheet::timesheet_log))
        .route("/time-entries/{id}", post(project::timesheet::entry_edit))
        .route("/time-entries/{id}/delete", post(project::timesheet::entry_delete))
        .route("/projects/{id}", get(project::outlook::dashboard))
        .route("/projects/{id}/tasks", get(project::tasks::tasks).post(project::tasks::task_create))
        .route("/tasks/{id}/edit", post(project::tasks::task_edit))
        .route("/tasks/{id}", get(project::task::task).post(project::task::task_save))
        .route("/tasks/{id}/links", post(project::task_links::link_add))
        .route("/tasks/{id}/assignments", post(project::task_links::assign))
        .route("/tasks/{id}/comment", post(project::task::comment))
        .route("/dependencies/{id}/delete", post(project::task_links::link_remove))
        .route("/dependencies/{id}/edit", post(project::task_links::link_edit))
        .route("/projects/{id}/gantt", get(project::tasks::gantt))
        .route("/projects/{id}/import", get(project::import::import_page).post(project::import::import_submit))
        .route("/projects/{id}/sheet.json", get(project::sheet::data))
        .route("/projects/{id}/sheet", post(project::sheet::edit))
        .route("/projects/{id}/board", get(project::agile::board))
        .route("/projects/{id}/tasks/bulk", post(project::agile::tasks_bulk))
        .route("/projects/{id}/sprints", get(project::agile::sprints).post(project::agile::sprint_create))
        .route("/projects/{id}/standup", get(project::standup::standup_page))
        .route("/projects/{id}/standup/notes", post(project::standup::note_add))
        .route("/projects/{id}/standup/actions", post(project::standup::escalate))
        .route("/follow-ups/{id}/done", post(project::standup::follow_up_done))
        .route("/sprints/{id}/review", get(project::review::review_page).post(project::review::demo_save))
        .route("/sprints/{id}/review/items", post(project::review::verdict_save))
        .route("/sprints/{id}/retro", get(project::retro::retro_page))
        .route("/sprints/{id}/retro/items", post(project::retro::card_add))
        .route("/retro-items/{id}/vote", post(project::retro::card_vote))
        .route("/retro-items/{id}/action", post(project::retro::card_action))
        .route("/retro-items/{id}/delete", post(project::retro::card_delete))
        .route("/projects/{id}/resources", get(project::resources::resources).post(project::resources::resource_create))
        .route("/projects/{id}/resources/{resource}", post(project::resources::resource_save))
        .route("/projects/{id}/level", post(project::resources::level))
        .route("/projects/{id}/budget", get(project::delivery::budget))
        .route("/projects/{id}/baseline", post(project::delivery::baseline_set))
        .route("/projects/{id}/baselines/{number}", get(project::delivery::baseline_page))
        .route("/projects/{id}/baselines/{number}/variance.csv", get(project::delivery::baseline_csv))
        .route("/projects/{id}/risks", get(project::risks::risks_page).post(project::risks::risk_create))
        .route("/projects/{id}/monte-carlo", get(project::outlook::monte_carlo).post(project::outlook::monte_carlo_run))
        .route("/projects/{id}/defects", get(project::risks::defects).post(project::risks::defect_create))
        .route("/defects/{id}/status", post(project::risks::defect_status))
        .route("/defects/{id}/fields", post(project::risks::defect_fields))
        .route("/risks/{id}/fields", post(project::risks::risk_fields))
        .route("/projects/{id}/reports", get(project::outlook::reports).post(project::outlook::report_draft))
        .route("/status-reports/{id}", get(project::outlook::report).post(project::outlook::report_edit))
        .route("/projects/{id}/changes", get(project::changes::changes).post(project::changes::change_file))
        .route("/change-requests/{id}/decide", post(project::changes::change_decide))
        .route("/w/{ws}/decisions", get(project::changes::decision_log))
        .route("/w/{ws}/together", get(workspace::together))
        .route("/w/{ws}/portfolio", get(workspace::portfolio))
        .route("/w/{ws}/settings", get(workspace::settings_page).post(workspace::settings_submit))
        .route("/w/{ws}/settings/members", get(workspace::members_page).post(workspace::members_add))
        .route("/w/{ws}/settings/decision-rights", get(workspace::decisions_page).post(workspace::decisions_submit))
        .route("/w/{ws}/settings/fields", get(custom::settings).post(custom::settings_add))
        .route("/w/{ws}/settings/sso", get(sso::settings).post(sso::settings_submit))
        .route("/w/{ws}/settings/webhooks", get(webhooks::hooks).post(webhooks::hook_create))
        .route("/webhooks/{id}", get(webhooks::hook))
        .route("/webhooks/{id}/edit", post(webhooks::hook_edit))
        .route("/webhooks/{id}/delete", post(webhooks::hook_delete))
        .route("/webhook-deliveries/{id}/redeliver", post(webhooks::redeliver))
        .route("/w/{ws}/views", post(lists::save_view))
        .route("/views/{id}/delete", post(lists::delete_view))
        .route("/custom-fields/{id}/edit", post(custom::settings_edit))
        .route("/custom-fields/{id}/delete", post(custom::settings_delete))
        .route("/w/{ws}/settings/members/{id}", post(workspace::members_update))
        .route("/w/{ws}/settings/members/{id}/remove", post(workspace::members_remove))
        .route("/static/app.css", served(CSS, include_str!("../../static/app.css")))
        .route("/static/app.js", served(JS, include_str!("../../static/app.js")))
        .route("/static/palette.js", served(JS, include_str!("../../static/palette.js")))
        .route("/static/shortcuts.js", served(JS, include_str!("../../static/shortcuts.js")))
        .route("/static/live.js", served(JS, include_str!("../../static/live.js")))
        .route("/static/sheet.js", served(JS, include_str!("../../static/sheet.js")))
        .route("/static/favicon.svg", served("image/svg+xml", include_str!("../../static/favicon.svg")))
        .route("/favicon.ico", get(|| async { Redirect::permanent("/static/favicon.svg") }))
        .layer(axum::middleware::from_fn(refusal::form_outcome))
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The route of a file built into the binary.
fn served(content_type: &'static str, body: &'static str) -> axum::routing::MethodRouter<AppState> {
    get(move |h: HeaderMap| async move { asset(content_type, body, &h) })
}

/// A file built into the binary, revalidated on every use by its content's
/// tag, so a browser never keeps an older release's script or styles
/// (an unchanged file costs a 304).
fn asset(content_type: &'static str, body: &'static str, request: &HeaderMap) -> Response {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    let tag = format!("\"{:016x}\"", h.finish());
    let Ok(tag) = axum::http::HeaderValue::from_str(&tag) else {
        return ([(header::CONTENT_TYPE, content_type)], body).into_response();
    };
    let cache = (header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-cache"));
    if crate::respond::matches(request, &tag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag), cache]).into_response();
    }
    let kind = axum::http::HeaderValue::from_static(content_type);
    ([(header::CONTENT_TYPE, kind), (header::ETAG, tag), cache], body).into_response()
}

/// Unknown paths: the API's error body under `/api`, a page elsewhere.
pub async fn not_found(OriginalUri(uri): OriginalUri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound.into_response()
    } else {
        PageError { error: ApiError::NotFound, path: uri.path().to_owned() }.into_response()
    }
}

/// An error shown as a page: sign-in for 401, an explanation otherwise.
#[derive(Debug)]
pub struct PageError {
    pub error: ApiError,
    /// Where to come back to after signing in.
    pub path: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // A page refused for going too fast says when to try again, as the API does.
        if let ApiError::RateLimited { retry_after } = &self.error {
            let retry = axum::http::HeaderValue::from_str(&retry_after.to_string()).ok();
            let mut resp = self.page();
            if let Some(v) = retry {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            return resp;
        }
        self.page()
    }
}

impl PageError {
    fn page(self) -> Response {
        let (status, _) = self.error.status_and_code();
        if status == StatusCode::UNAUTHORIZED {
            let next = form_urlencoded_component(&self.path);
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        if let ApiError::Internal(cause) = &self.error {
            tracing::error!(%cause, "internal error on a page");
        }
        let title = match status {
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::CONFLICT => "That conflicts",
            StatusCode::PRECONDITION_FAILED => "Changed meanwhile",
            s if s.is_client_error() => "That did not work",
            _ => "Something went wrong",
        };
        let message = match &self.error {
            ApiError::NotFound => "There is nothing here, or it belongs to a workspace you are not in.".to_owned(),
            ApiError::Stale { .. } => {
                "Someone changed this while you were editing. Go back, reload and try again.".to_owned()
            }
            ApiError::Internal(_) => "Tandem hit an internal error. It has been logged.".to_owned(),
            other => other.to_string(),
        };
        let refused = match &self.error {
            ApiError::Invalid(i) => {
                Some(refusal::Refused { field: Some(i.field.to_string()), message: message.clone(), more: Vec::new() })
            }
            ApiError::FormField { field, .. } => Some(refusal::Refused {
                field: Some(field.clone()).filter(|f| !f.is_empty()),
                message: message.clone(),
                more: Vec::new(),
            }),
            ApiError::Fields(all) => Some(refusal::Refused {
                field: all.first().map(|i| i.field.to_string()),
                message: message.clone(),
                more: all.iter().map(|i| (i.field.to_string(), i.message.clone())).collect(),
            }),
            ApiError::Malformed(_)
            | ApiError::Unprocessable(_)
            | ApiError::Conflict(_)
            | ApiError::Stale { .. }
            | ApiError::TooLarge { .. } => {
                Some(refusal::Refused { field: None, message: message.clone(), more: Vec::new() })
            }
            _ => None,
        };
        // Without the script the reader sees this page, not the field: name it.
        let label = |f: &str| {
            tandem_core::enums::humanize(&f.trim_end_matches("_minor").trim_end_matches("_id").replace('.', " "))
        };
        let message = match (&refused, &self.error) {
            (_, ApiError::Fields(all)) => {
                all.iter().map(|i| format!("{}: {}", label(&i.field), i.message)).collect::<Vec<_>>().join("; ")
            }
            (Some(refusal::Refused { field: Some(f), message, .. }), _) => format!("{}: {message}", label(f)),
            _ => message,
        };
        let mut resp = render(status, &ErrorPage { title, message });
        if let Some(r) = refused {
            resp.extensions_mut().insert(r);
        }
        resp
    }
}

fn form_urlencoded_component(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|q| q.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// Renders a template; a template error is an internal error page.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub type PageResult = Result<Response, PageError>;

fn path_of(parts: &Parts) -> String {
    parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.path().to_owned(), |u| u.0.path().to_owned())
}

/// The signed-in user of a page; otherwise a redirect to sign in.
pub struct PageUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Principal::from_request_parts(parts, state)
            .await
            .map(PageUser)
            .map_err(|error| PageError { error, path: path_of(parts) })
    }
}

/// [`Allowed`] for pages: the same guard, errors shown as pages.
pub struct PageAllowed<P>(pub Allowed<P>);

impl<P, S> FromRequestParts<S> for PageAllowed<P>
where
    P: Permission,
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Allowed::<P>::from_request_parts(parts, state)
            .await
            .map(PageAllowed)
            .map_err(|error| PageError { error, path: path_of(parts) })
    }
}

/// A URL-encoded form; a malformed one is an error page.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let path = req.uri().path().to_owned();
        crate::extract::ApiForm::<T>::from_request(req, state)
            .await
            .map(|f| PageForm(f.0))
            .map_err(|error| PageError { error, path })
    }
}

/// [`PageForm`] with the form's custom-field inputs apart
/// (see [`crate::extract::ApiFormCustom`]).
pub struct PageFormCustom<T>(pub T, pub Vec<(String, String)>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageFormCustom<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let path = req.uri().path().to_owned();
        crate::extract::ApiFormCustom::<T>::from_request(req, state)
            .await
            .map(|f| PageFormCustom(f.0, f.1))
            .map_err(|error| PageError { error, path })
    }
}

/// A form's pairs for a page, repeated names kept (see
/// [`crate::extract::ApiPairs`]).
pub struct PagePairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for PagePairs {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let path = req.uri().path().to_owned();
        crate::extract::ApiPairs::from_request(req, state)
            .await
            .map(|f| PagePairs(f.0))
            .map_err(|error| PageError { error, path })
    }
}

/// The refusals of one form, gathered field by field so that one save
/// names every field it could not read (not only the first).
#[derive(Default)]
pub(crate) struct Refusals(Vec<tandem_core::validate::Invalid>);

impl Refusals {
    /// A field's value; a refusal is noted and the value left out.
    pub(crate) fn read<T, E: Into<ApiError>>(&mut self, r: Result<Option<T>, E>) -> Option<T> {
        match r.map_err(Into::into) {
            Ok(x) => x,
            Err(ApiError::Invalid(i)) => {
                self.0.push(i);
                None
            }
            Err(other) => {
                self.0.push(tandem_core::validate::Invalid::new("", other.to_string()));
                None
            }
        }
    }

    /// `v` when every field was read, else the refusals.
    pub(crate) fn finish<T>(self, v: T) -> Result<T, ApiError> {
        let mut all = self.0;
        match all.len() {
            0 => Ok(v),
            1 => Err(ApiError::Invalid(all.remove(0))),
            _ => Err(ApiError::Fields(all)),
        }
    }

    /// Notes a refusal of the form's own (fields that only fail together).
    pub(crate) fn refuse(&mut self, i: tandem_core::validate::Invalid) {
        self.0.push(i);
    }

    /// Whether `field` is refused already.
    pub(crate) fn names(&self, field: &str) -> bool {
        self.0.iter().any(|i| i.field == field)
    }

    pub(crate) fn into_inner(self) -> Vec<tandem_core::validate::Invalid> {
        self.0
    }
}

/// Turns an operation's error into a page error for `path`.
pub fn on<E: Into<ApiError>>(path: &str) -> impl FnOnce(E) -> PageError + '_ {
    move |error| PageError { error: error.into(), path: path.to_owned() }
}

/// A local path to return to after sign-in; anything else goes home, so
/// the sign-in form cannot be used to redirect people off-site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/w/1/product")), "/w/1/product");
        for evil in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "/\nx"] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
