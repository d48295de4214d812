//! Settings › Webhooks (admins): the workspace's endpoints, adding one (its
//! secret shown once), and one endpoint's page with its delivery log,
//! sending a delivery again, turning it off and on, and removing it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use tandem_app::ops::webhooks::{self as ops, EditWebhook, NewWebhook};
use tandem_core::model::Workspace;
use tandem_core::webhook::{Delivery, EVENT_TYPES, Webhook, WebhookFormat, event_label};

use super::{PageAllowed, PageForm, PageResult, PageUser, Shell, on, render};
use crate::access::WorkspaceUpdate;
use crate::extract::IdPath;
use crate::state::AppState;

/// The deliveries an endpoint's page lists.
const SHOWN_DELIVERIES: i64 = 50;

#[derive(Template)]
#[template(path = "settings_webhooks.html")]
struct HooksPage {
    shell: Shell,
    ws: Workspace,
    tab: &'static str,
    hooks: Vec<Webhook>,
    types: &'static [&'static str],
    /// An endpoint just made: its address and secret, shown this once.
    created: Option<(String, String)>,
}

/// An event type as a page names it: `Change requests`.
pub fn label(t: &str) -> &'static str {
    event_label(t)
}

/// A delivery's change as a person reads it: `Change request submitted`.
pub fn change_text(event: &str) -> String {
    let words = event.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The endpoint's events as a person reads them: `Change requests,
/// tasks updated`.
pub fn events_text(h: &Webhook) -> String {
    if h.events.iter().any(|e| e == "*") {
        return "Everything".to_owned();
    }
    let named: Vec<String> = h
        .events
        .iter()
        .map(|e| match e.split_once('.') {
            Some((t, verb)) => format!("{} {}", event_label(t), verb.replace('_', " ")),
            None => event_label(e).to_owned(),
        })
        .collect();
    let text = named.join(", ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => text,
    }
}

async fn hooks_view(
    state: &AppState,
    a: &crate::access::Allowed<WorkspaceUpdate>,
    created: Option<(String, String)>,
) -> PageResult {
    let path = format!("/w/{}/settings/webhooks", a.ws);
    let ws = state.store.workspace(a.ws).await.map_err(on(&path))?;
    let shell = Shell::new(state, &a.principal, Some(a.ws), "settings", "Webhooks").await.map_err(on(&path))?;
    let hooks = ops::list(state, a.ws).await.map_err(on(&path))?;
    let status = if created.is_some() { StatusCode::CREATED } else { StatusCode::OK };
    Ok(render(status, &HooksPage { shell, ws, tab: "webhooks", hooks, types: EVENT_TYPES, created }))
}

pub async fn hooks(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceUpdate>) -> PageResult {
    hooks_view(&state, &a, None).await
}

/// The events ticked on a form: `*` when "everything" is.
fn ticked(form: &[(String, String)]) -> Vec<String> {
    let all = form.iter().any(|(k, v)| k == "events" && v == "*");
    if all {
        return vec!["*".to_owned()];
    }
    form.iter().filter(|(k, _)| k == "event").map(|(_, v)| v.clone()).collect()
}

fn value<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn format_of(form: &[(String, String)]) -> Option<WebhookFormat> {
    value(form, "format").and_then(WebhookFormat::parse)
}

pub async fn hook_create(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceUpdate>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let path = format!("/w/{}/settings/webhooks", a.ws);
    let req = NewWebhook {
        url: value(&form, "url").unwrap_or("").to_owned(),
        events: ticked(&form),
        format: format_of(&form),
        enabled: Some(true),
    };
    let made = ops::create(&state, a.ws, a.user_id(), req).await.map_err(on(&path))?;
    hooks_view(&state, &a, Some((made.webhook.url, made.secret))).await
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct HookPage {
    shell: Shell,
    hook: Webhook,
    deliveries: Vec<Delivery>,
    types: &'static [&'static str],
}

impl HookPage {
    fn subscribed(&self, t: &str) -> bool {
        self.hook.events.iter().any(|e| e == t)
    }
    fn everything(&self) -> bool {
        self.subscribed("*")
    }
    /// The body sent, laid out to read.
    fn pretty(&self, d: &Delivery) -> String {
        serde_json::to_string_pretty(&d.payload).unwrap_or_default()
    }
}

pub async fn hook(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let page = format!("/webhooks/{id}");
    let hook = ops::get(&state, p.id(), id).await.map_err(on(&page))?;
    let deliveries = ops::deliveries(&state, p.id(), id, None, SHOWN_DELIVERIES).await.map_err(on(&page))?.items;
    let shell = Shell::new(&state, &p, Some(hook.workspace_id), "settings", "Webhook").await.map_err(on(&page))?;
    Ok(render(StatusCode::OK, &HookPage { shell, hook, deliveries, types: EVENT_TYPES }))
}

pub async fn hook_edit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let page = format!("/webhooks/{id}");
    let version = value(&form, "version").and_then(|v| v.parse().ok()).unwrap_or(0);
    // The on/off switch sends only `enabled`; the settings form the rest.
    let settings = value(&form, "url").is_some();
    let req = EditWebhook {
        url: value(&form, "url").map(str::to_owned),
        events: settings.then(|| ticked(&form)),
        format: format_of(&form),
        enabled: value(&form, "enabled").map(|v| v == "1"),
        version: None,
    };
    ops::edit(&state, p.id(), id, version, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

pub async fn hook_delete(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(_): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let hook = ops::get(&state, p.id(), id).await.map_err(on(&format!("/webhooks/{id}")))?;
    ops::delete(&state, p.id(), id).await.map_err(on(&format!("/webhooks/{id}")))?;
    Ok(Redirect::to(&format!("/w/{}/settings/webhooks", hook.workspace_id)).into_response())
}

pub async fn redeliver(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(_): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let id = path.id().map_err(on("/"))?;
    let d = ops::redeliver(&state, p.id(), id).await.map_err(on("/"))?;
    Ok(Redirect::to(&format!("/webhooks/{}#delivery-{}", d.webhook_id, d.id)).into_response())
}
