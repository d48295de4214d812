//! The pages of one workspace: home, the three sections, settings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::model::{Member, Workspace};
use tandem_core::{Action, Id, Role, allows};

use super::{PageAllowed, PageForm, PageResult, Shell, on, render};
use crate::access::{ActivityRead, MembersManage, MembersRead, WorkspaceRead, WorkspaceUpdate};
use crate::extract::IdPath;
use crate::extract::PageQuery;
use crate::state::AppState;
use tandem_app::ops::workspaces::{self, AddMember};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    ws: Workspace,
    role: Role,
    role_summary: &'static str,
    activity: Vec<super::activity::Line>,
}

pub async fn home(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}", a.ws);
    let ws = state.store.workspace(a.ws).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "home", ws.name.clone()).await.map_err(on(&path))?;
    let activity = if allows(a.role, Action::ActivityRead) {
        let page = state.store.activity(a.ws, None, 10).await.map_err(on(&path))?;
        page.items.iter().map(|e| super::activity::line(&shell.human, e)).collect()
    } else {
        Vec::new()
    };
    Ok(render(StatusCode::OK, &HomePage { shell, ws, role: a.role, role_summary: a.role.summary(), activity }))
}

/// Who has the final say on each decision kind of one side, from the matrix.
pub(super) fn decisions(m: &tandem_core::decision::Matrix, product_side: bool) -> Vec<(&'static str, String)> {
    m.rows
        .iter()
        .filter(|r| r.kind.is_product_side() == product_side)
        .map(|r| (r.kind.label(), r.accountable.iter().map(|x| x.label()).collect::<Vec<_>>().join(" and ")))
        .collect()
}

#[derive(Template)]
#[template(path = "together.html")]
struct TogetherPage {
    shell: Shell,
    ws_id: Id,
    activity: Vec<super::activity::Line>,
    next_cursor: Option<String>,
}

pub async fn together(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<ActivityRead>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let path = format!("/w/{}/together", a.ws);
    let cursor = q.cursor().map_err(on(&path))?;
    let page = state.store.activity(a.ws, cursor, 50).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "together", "Together").await.map_err(on(&path))?;
    Ok(render(
        StatusCode::OK,
        &TogetherPage {
            ws_id: a.ws,
            activity: page.items.iter().map(|e| super::activity::line(&shell.human, e)).collect(),
            next_cursor: page.next_after.map(|i| i.to_string()),
            shell,
        },
    ))
}

#[derive(Template)]
#[template(path = "settings_workspace.html")]
struct SettingsPage {
    shell: Shell,
    ws: Workspace,
    tab: &'static str,
    can_edit: bool,
    zones: Vec<String>,
}

pub async fn settings_page(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/settings", a.ws);
    let ws = state.store.workspace(a.ws).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "settings", "Settings").await.map_err(on(&path))?;
    let can_edit = allows(a.role, Action::WorkspaceUpdate);
    let zones = if can_edit { jiff::tz::db().available().map(|z| z.as_str().to_owned()).collect() } else { Vec::new() };
    Ok(render(StatusCode::OK, &SettingsPage { shell, ws, tab: "workspace", can_edit, zones }))
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
    time_zone: Option<String>,
    version: i64,
}

pub async fn settings_submit(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceUpdate>,
    PageForm(f): PageForm<RenameForm>,
) -> PageResult {
    let path = format!("/w/{}/settings", a.ws);
    workspaces::update_workspace(&state, a.user_id(), a.ws, f.version, &f.name, f.time_zone.as_deref())
        .await
        .map_err(on(&path))?;
    Ok(Redirect::to(&path).into_response())
}

#[derive(Template)]
#[template(path = "settings_members.html")]
struct MembersPage {
    shell: Shell,
    ws: Workspace,
    tab: &'static str,
    members: Vec<Member>,
    next_cursor: Option<String>,
    roles: [Role; 5],
    can_manage: bool,
    invitation: Option<String>,
}

async fn members_view(
    state: &AppState,
    principal: &crate::auth::Principal,
    ws: Id,
    role: Role,
    cursor: Option<Id>,
    invitation: Option<String>,
) -> PageResult {
    let path = format!("/w/{ws}/settings/members");
    let workspace = state.store.workspace(ws).await.map_err(on(&path))?;
    let page = state.store.members(ws, cursor, 100).await.map_err(on(&path))?;
    let shell = Shell::new(state, principal, Some(ws), "settings", "Members").await.map_err(on(&path))?;
    Ok(render(
        StatusCode::OK,
        &MembersPage {
            shell,
            ws: workspace,
            tab: "members",
            members: page.items,
            next_cursor: page.next_after.map(|i| i.to_string()),
            roles: Role::ALL,
            can_manage: allows(role, Action::MembersManage),
            invitation,
        },
    ))
}

pub async fn members_page(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<MembersRead>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let cursor = q.cursor().map_err(on("/"))?;
    members_view(&state, &a.principal, a.ws, a.role, cursor, None).await
}

#[derive(Deserialize)]
pub struct AddMemberForm {
    email: String,
    role: Role,
    password: Option<String>,
}

pub async fn members_add(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<MembersManage>,
    PageForm(f): PageForm<AddMemberForm>,
) -> PageResult {
    let path = format!("/w/{}/settings/members", a.ws);
    let input = AddMember { email: f.email, role: f.role, password: f.password.filter(|p| !p.is_empty()), name: None };
    let added = workspaces::add_member(&state, a.user_id(), a.ws, input).await.map_err(on(&path))?;
    match added.invitation_url {
        Some(link) => members_view(&state, &a.principal, a.ws, a.role, None, Some(link)).await,
        None => Ok(Redirect::to(&path).into_response()),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: Role,
    version: i64,
}

pub async fn members_update(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<MembersManage>,
    Path(p): Path<IdPath>,
    PageForm(f): PageForm<RoleForm>,
) -> PageResult {
    let path = format!("/w/{}/settings/members", a.ws);
    let id = p.id().map_err(on(&path))?;
    workspaces::change_role(&state, a.user_id(), a.ws, id, f.version, f.role).await.map_err(on(&path))?;
    Ok(Redirect::to(&path).into_response())
}

pub async fn members_remove(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<MembersManage>,
    Path(p): Path<IdPath>,
) -> PageResult {
    let path = format!("/w/{}/settings/members", a.ws);
    let id = p.id().map_err(on(&path))?;
    workspaces::remove_member(&state, a.user_id(), a.ws, id).await.map_err(on(&path))?;
    Ok(Redirect::to(&path).into_response())
}

// ---- decision rights ----

struct RaciRowView {
    kind: &'static str,
    label: &'static str,
    /// Per role: `a`, `c`, `i` or empty.
    cells: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "settings_decisions.html")]
struct DecisionsPage {
    shell: Shell,
    ws: tandem_core::model::Workspace,
    tab: &'static str,
    can_edit: bool,
    version: i64,
    roles: [Role; 5],
    rows: Vec<RaciRowView>,
    choices: [(&'static str, &'static str); 4],
}

fn letter(row: &tandem_core::decision::MatrixRow, role: Role) -> &'static str {
    if row.accountable.contains(&role) {
        "a"
    } else if row.consulted.contains(&role) {
        "c"
    } else if row.informed.contains(&role) {
        "i"
    } else {
        ""
    }
}

pub async fn decisions_page(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/settings/decision-rights", a.ws);
    let ws = state.store.workspace(a.ws).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "settings", "Decision rights").await.map_err(on(&path))?;
    let m = state.store.decision_matrix(a.ws).await.map_err(on(&path))?;
    let rows = m
        .matrix
        .rows
        .iter()
        .map(|r| RaciRowView {
            kind: r.kind.as_str(),
            label: r.kind.label(),
            cells: Role::ALL.iter().map(|&role| (role.as_str(), letter(r, role))).collect(),
        })
        .collect();
    let page = DecisionsPage {
        shell,
        ws,
        tab: "decisions",
        can_edit: allows(a.role, Action::WorkspaceUpdate),
        version: m.version,
        roles: Role::ALL,
        rows,
        choices: [("", "—"), ("a", "A"), ("c", "C"), ("i", "I")],
    };
    Ok(render(StatusCode::OK, &page))
}

/// The grid's form: `version` and a field `kind.role` per cell.
pub async fn decisions_submit(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceUpdate>,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> PageResult {
    use tandem_core::decision::{DecisionKind, Matrix, MatrixRow};
    let path = format!("/w/{}/settings/decision-rights", a.ws);
    let version: i64 = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let mut rows = Vec::new();
    for kind in DecisionKind::ALL {
        let mut row = MatrixRow { kind, accountable: Vec::new(), consulted: Vec::new(), informed: Vec::new() };
        for role in Role::ALL {
            match f.get(&format!("{}.{}", kind.as_str(), role.as_str())).map(String::as_str) {
                Some("a") => row.accountable.push(role),
                Some("c") => row.consulted.push(role),
                Some("i") => row.informed.push(role),
                _ => {}
            }
        }
        rows.push(row);
    }
    workspaces::set_matrix(&state, a.user_id(), a.ws, version, Matrix { rows }).await.map_err(on(&path))?;
    Ok(Redirect::to(&path).into_response())
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    shell: Shell,
    p: tandem_app::ops::dashboards::Portfolio,
    timeline: String,
}

impl PortfolioPage {
    fn index(v: &Option<f64>) -> String {
        super::project::ratio(*v)
    }
}

/// Every project of the workspace: RAG and forecast against target.
pub async fn portfolio(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/portfolio", a.ws);
    let p = tandem_app::ops::dashboards::portfolio(&state, a.ws).await.map_err(on(&path))?;
    let rows: Vec<crate::svg::charts::TimelineRow> = p
        .projects
        .iter()
        .map(|x| crate::svg::charts::TimelineRow {
            label: format!("{} {}", x.key, x.name),
            target: x.target_finish.map(|t| t.0.date()),
            forecast: x.forecast_finish.map(|t| t.0.date()),
            note: format!("SPI {}", PortfolioPage::index(&x.spi)),
        })
        .collect();
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "together", "Portfolio").await.map_err(on(&path))?;
    let today = tandem_core::model::Day::of(state.clock.now()).0;
    let timeline = crate::svg::charts::timeline(&rows, today, |d| shell.human.short(d));
    Ok(render(StatusCode::OK, &PortfolioPage { shell, p, timeline }))
}
