//! Weekly sync pages: the next agenda and past syncs of a product; one
//! sync with its agenda, attendees, notes and action items.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use tandem_core::model::{Day, Member};
use tandem_core::project::Project;
use tandem_core::sync::{Agenda, Sync};
use tandem_core::{Id, ProductAction};
use tandem_store::product::ProductObject;

use super::product::{Frame, date_field, frame, page_at, pid};
use super::{PageForm, PageResult, PageUser, Shell, on, render};
use crate::access::product_access;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use tandem_app::ops::syncs::{self as ops, EditSync, HoldSync, NewActionItem};

/// Names of the workspace's members, by user id.
async fn names(state: &AppState, ws: Id) -> Result<(Vec<Member>, HashMap<Id, String>), ApiError> {
    let members = state.store.members(ws, None, tandem_store::MAX_PAGE).await?.items;
    let by_id = members.iter().map(|m| (m.user_id, m.name.clone())).collect();
    Ok((members, by_id))
}

#[derive(Template)]
#[template(path = "product_syncs.html")]
struct SyncsPage {
    shell: Shell,
    f: Frame,
    agenda: Agenda,
    can_hold: bool,
    members: Vec<Member>,
    history: Vec<Sync>,
    today: Day,
}

pub async fn syncs(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/syncs");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "syncs", &page).await?;
    let projects = tandem_app::ops::product::product_projects(&state, &a).await.map_err(on(&page))?;
    let agenda = ops::next(&state, &a, &projects).await.map_err(on(&page))?.agenda;
    let (members, _) = names(&state, a.scope.workspace_id).await.map_err(on(&page))?;
    let history = state.store.syncs(a.scope.product_id, 50).await.map_err(on(&page))?;
    let view = SyncsPage {
        shell,
        f,
        agenda,
        can_hold: ops::may_hold(&a, &projects),
        members,
        history,
        today: Day::of(state.clock.now()),
    };
    Ok(render(StatusCode::OK, &view))
}

/// The fields of a form with repeated `attendee` checkboxes.
fn fields(form: &[(String, String)]) -> (HashMap<&str, &str>, Vec<Id>) {
    let mut one = HashMap::new();
    let mut attendees = Vec::new();
    for (k, v) in form {
        if k == "attendee" {
            if let Ok(i) = v.parse() {
                attendees.push(i);
            }
        } else {
            one.insert(k.as_str(), v.as_str());
        }
    }
    (one, attendees)
}

fn text(v: Option<&&str>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub async fn hold(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/syncs");
    let id = pid(&path, &page)?;
    let a = product_access(&state, p.id(), ProductObject::Product, id, ProductAction::Read).await.map_err(on(&page))?;
    let (one, attendees) = fields(&form);
    let req = HoldSync {
        product_id: id,
        title: text(one.get("title")),
        held_on: date_field("held_on", text(one.get("held_on"))).map_err(on(&page))?,
        attendees: Some(attendees),
        notes: text(one.get("notes")),
    };
    let s = ops::hold(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("/syncs/{}", s.id)).into_response())
}

#[derive(Template)]
#[template(path = "sync.html")]
struct SyncPage {
    shell: Shell,
    f: Frame,
    sync: Sync,
    agenda: Agenda,
    can_edit: bool,
    members: Vec<Member>,
    names: HashMap<Id, String>,
    projects: Vec<Project>,
}

impl SyncPage {
    fn name(&self, id: Option<&Id>) -> String {
        id.and_then(|i| self.names.get(i).cloned()).unwrap_or_else(|| "—".to_owned())
    }
    fn attended(&self, id: &Id) -> bool {
        self.sync.attendees.contains(id)
    }
}

pub async fn sync(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/syncs/", "");
    let s = state.store.sync(pid(&path, &page)?).await.map_err(on(&page))?;
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, s.product_id, "syncs", &page).await?;
    let projects = tandem_app::ops::product::product_projects(&state, &a).await.map_err(on(&page))?;
    let (members, names) = names(&state, a.scope.workspace_id).await.map_err(on(&page))?;
    let view = SyncPage {
        shell,
        f,
        agenda: s.agenda.clone(),
        sync: s,
        can_edit: ops::may_hold(&a, &projects),
        members,
        names,
        projects,
    };
    Ok(render(StatusCode::OK, &view))
}

/// The sync of a form's path, its page, and the caller's access to its
/// product (each operation checks who may hold syncs).
async fn on_sync(
    state: &AppState,
    p: &crate::auth::Principal,
    path: &IdPath,
) -> Result<(String, Sync, crate::access::InProduct), super::PageError> {
    let page = page_at(path, "/syncs/", "");
    let s = state.store.sync(pid(path, &page)?).await.map_err(on(&page))?;
    let a = product_access(state, p.id(), ProductObject::Product, s.product_id, ProductAction::Read)
        .await
        .map_err(on(&page))?;
    Ok((page, s, a))
}

pub async fn edit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (page, s, a) = on_sync(&state, &p, &path).await?;
    let (one, attendees) = fields(&form);
    let version = one
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| on(&page)(ApiError::invalid("version", "is missing")))?;
    let req = EditSync {
        notes: Some(one.get("notes").map(|s| s.to_string()).unwrap_or_default()),
        attendees: Some(attendees),
        version: None,
    };
    ops::edit(&state, &a, s.id, version, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

pub async fn add_action(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let (page, s, a) = on_sync(&state, &p, &path).await?;
    let (one, _) = fields(&form);
    let id_field = |k: &'static str| super::project::form_id(k, &text(one.get(k)));
    let req = NewActionItem {
        title: one.get("title").map(|s| s.to_string()).unwrap_or_default(),
        owner_id: id_field("owner_id").map_err(on(&page))?,
        due: date_field("due", text(one.get("due"))).map_err(on(&page))?,
        project_id: id_field("project_id").map_err(on(&page))?,
    };
    ops::add_action(&state, &a, s.id, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}
