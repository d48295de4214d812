//! The risk register with its heat map, and defects.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::risk::{Defect, Risk, RiskResponse, Severity};
use tandem_core::{Id, ProjectAction};

use super::{PageForm, PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::PageFormCustom;
use crate::web::custom::{Fields, FieldsForm, Input, RowCustom};
use crate::web::lists::{self, Bar, Ctx};
use axum::extract::RawQuery;
use tandem_app::ops::risks::{self, CreateDefect, CreateRisk, UpdateDefect, UpdateRisk};
use tandem_core::custom::{CustomField, FieldObject};
use tandem_core::risk::{DefectStatus, RiskStatus};
use tandem_core::views::ViewPage;

// ---- risks ----

#[derive(Template)]
#[template(path = "project_risks.html")]
struct RisksPage {
    shell: Shell,
    f: Frame,
    risks: Vec<Risk>,
    heat: Vec<HeatRow5>,
    responses: [RiskResponse; 4],
    /// Custom fields: the columns, each risk's cells and edit form, and
    /// the create form's inputs.
    columns: Vec<CustomField>,
    extras: Vec<RowCustom>,
    new_inputs: Vec<Input>,
    /// The filter bar, and the heading each row starts when grouped.
    bar: Bar,
    heads: Vec<Option<String>>,
    /// Risks before the filter.
    total: usize,
}

/// A row of the 5×5 risk grid: its impact and, per probability, the count
/// of open risks and the zone's colour.
type HeatRow5 = (i64, Vec<(i64, i64, &'static str)>);

fn heat_cells(cells: &[Vec<i64>]) -> Vec<HeatRow5> {
    cells
        .iter()
        .enumerate()
        .map(|(row, counts)| {
            let impact = 5 - row as i64;
            let cols = counts
                .iter()
                .enumerate()
                .map(|(c, n)| {
                    let prob = c as i64 + 1;
                    let score = prob * impact;
                    let zone = if score >= 20 {
                        "red"
                    } else if score >= 15 {
                        "amber"
                    } else if score >= 8 {
                        "yellow"
                    } else {
                        "green"
                    };
                    (prob, *n, zone)
                })
                .collect();
            (impact, cols)
        })
        .collect()
}

pub async fn risks_page(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (at, id) = page(&path, "/risks");
    let (shell, f, a) = frame(&state, &p, id?, "risks", &at).await?;
    let all = state.store.risks(f.project.id).await.map_err(on(&at))?;
    // The heat map is the register's; the table is the filter's.
    let heat = heat_cells(&risks::risk_heatmap(&all).cells);
    let total = all.len();
    let ctx = Ctx::load(&state, a.scope.workspace_id, FieldObject::Risk, Default::default()).await.map_err(on(&at))?;
    let q = lists::parse(&lists::pairs(raw.as_deref()), ViewPage::Risks, &ctx, &[])
        .map_err(on(&at))?
        .with_me(&["owner"], &a.user_id.to_string());
    let (list, heads) = lists::grouped(all, &ctx, &q);
    let picks = vec![
        ("status", "Status", lists::words(RiskStatus::ALL)),
        ("owner", "Owner", lists::people_choices(&ctx)),
        ("response", "Response", lists::words(RiskResponse::ALL)),
    ];
    let bar = lists::bar(
        &state,
        lists::Place { ws: a.scope.workspace_id, user: a.user_id, page: ViewPage::Risks, action: at.clone() },
        &q,
        &ctx,
        picks,
    )
    .await
    .map_err(on(&at))?;
    let responses = [RiskResponse::Avoid, RiskResponse::Mitigate, RiskResponse::Transfer, RiskResponse::Accept];
    let cf = ctx.fields_view();
    let extras = list
        .iter()
        .map(|r| cf.row(&shell.human, &r.custom_fields, f.can_edit, format!("/risks/{}/fields", r.id), r.version))
        .collect();
    let new_inputs = cf.inputs("new-risk", &Default::default(), false);
    let page =
        RisksPage { shell, f, risks: list, heat, responses, columns: cf.fields, extras, new_inputs, bar, heads, total };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct NewRiskForm {
    title: String,
    probability: i64,
    impact: i64,
    cost_impact: Option<String>,
    response: RiskResponse,
    mitigation: Option<String>,
}

pub async fn risk_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<NewRiskForm>,
) -> PageResult {
    let (at, id) = page(&path, "/risks");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let cost = super::form_money("cost_impact", form.cost_impact.as_deref()).map_err(on(&at))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Risk).await.map_err(on(&at))?;
    let req = CreateRisk {
        custom_fields: Some(cf.sent(&custom)),
        title: form.title,
        description: None,
        probability: form.probability,
        impact: form.impact,
        cost_impact_minor: cost,
        owner_id: Some(a.user_id),
        response: Some(form.response),
        mitigation: form.mitigation,
        trigger: None,
        status: None,
        task_ids: None,
    };
    risks::create_risk(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

/// Saves a risk's custom values from its row on the register.
pub async fn risk_fields(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<FieldsForm>,
) -> PageResult {
    let rid = path.id().map_err(on("/"))?;
    let r = state.store.risk(rid).await.map_err(on("/"))?;
    let at = format!("/projects/{}/risks", r.project_id);
    let a = project_access(&state, p.id(), r.project_id, ProjectAction::Edit).await.map_err(on(&at))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Risk).await.map_err(on(&at))?;
    let req = UpdateRisk { custom_fields: Some(cf.sent(&custom)), ..UpdateRisk::default() };
    risks::update_risk(&state, &a, rid, form.version, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("{at}#risk-{rid}")).into_response())
}

// ---- defects ----

#[derive(Template)]
#[template(path = "project_defects.html")]
struct DefectsPage {
    shell: Shell,
    f: Frame,
    defects: Vec<Defect>,
    quality: risks::Quality,
    severities: [Severity; 4],
    user_id: Id,
    columns: Vec<CustomField>,
    extras: Vec<RowCustom>,
    new_inputs: Vec<Input>,
    bar: Bar,
    heads: Vec<Option<String>>,
    total: usize,
}

pub async fn defects(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (at, id) = page(&path, "/defects");
    let (shell, f, a) = frame(&state, &p, id?, "defects", &at).await?;
    let all = state.store.defects(f.project.id).await.map_err(on(&at))?;
    let total = all.len();
    let ctx =
        Ctx::load(&state, a.scope.workspace_id, FieldObject::Defect, Default::default()).await.map_err(on(&at))?;
    let q = lists::parse(&lists::pairs(raw.as_deref()), ViewPage::Defects, &ctx, &[])
        .map_err(on(&at))?
        .with_me(&["reporter"], &a.user_id.to_string());
    let (defects, heads) = lists::grouped(all, &ctx, &q);
    let picks = vec![
        ("status", "Status", lists::words(DefectStatus::ALL)),
        ("severity", "Severity", lists::words(Severity::ALL)),
        ("reporter", "Reporter", lists::people_choices(&ctx)),
    ];
    let bar = lists::bar(
        &state,
        lists::Place { ws: a.scope.workspace_id, user: a.user_id, page: ViewPage::Defects, action: at.clone() },
        &q,
        &ctx,
        picks,
    )
    .await
    .map_err(on(&at))?;
    let quality = risks::quality(&state, f.project.id).await.map_err(on(&at))?;
    let severities = [Severity::Critical, Severity::Major, Severity::Minor, Severity::Trivial];
    let cf = ctx.fields_view();
    let extras = defects
        .iter()
        .map(|d| {
            // The manager and the reporter edit a defect.
            let editable = f.can_edit || d.reporter_id == a.user_id;
            cf.row(&shell.human, &d.custom_fields, editable, format!("/defects/{}/fields", d.id), d.version)
        })
        .collect();
    let new_inputs = cf.inputs("new-defect", &Default::default(), false);
    let page = DefectsPage {
        shell,
        f,
        defects,
        quality,
        severities,
        user_id: a.user_id,
        columns: cf.fields,
        extras,
        new_inputs,
        bar,
        heads,
        total,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct NewDefectForm {
    title: String,
    severity: Severity,
    after_release: Option<String>,
}

pub async fn defect_create(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<NewDefectForm>,
) -> PageResult {
    let (at, id) = page(&path, "/defects");
    let a = project_access(&state, p.id(), id?, ProjectAction::Contribute).await.map_err(on(&at))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Defect).await.map_err(on(&at))?;
    let req = CreateDefect {
        custom_fields: Some(cf.sent(&custom)),
        title: form.title,
        description: None,
        severity: Some(form.severity),
        feature_id: None,
        task_id: None,
        found_in_release_id: None,
        found_after_release: form.after_release.is_some(),
    };
    risks::create_defect(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Deserialize)]
pub struct DefectStatusForm {
    version: i64,
    status: tandem_core::risk::DefectStatus,
}

pub async fn defect_status(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<DefectStatusForm>,
) -> PageResult {
    let did = path.id().map_err(on("/"))?;
    let d = state.store.defect(did).await.map_err(on("/"))?;
    let at = format!("/projects/{}/defects", d.project_id);
    let a = project_access(&state, p.id(), d.project_id, ProjectAction::Contribute).await.map_err(on(&at))?;
    let req = UpdateDefect { status: Some(form.status), ..UpdateDefect::default() };
    risks::update_defect(&state, &a, &d, form.version, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

/// Saves a defect's custom values from its row (its reporter or the
/// project's manager).
pub async fn defect_fields(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<FieldsForm>,
) -> PageResult {
    let did = path.id().map_err(on("/"))?;
    let d = state.store.defect(did).await.map_err(on("/"))?;
    let at = format!("/projects/{}/defects", d.project_id);
    let a = project_access(&state, p.id(), d.project_id, ProjectAction::Contribute).await.map_err(on(&at))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Defect).await.map_err(on(&at))?;
    let req = UpdateDefect { custom_fields: Some(cf.sent(&custom)), ..UpdateDefect::default() };
    risks::update_defect(&state, &a, &d, form.version, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("{at}#defect-{did}")).into_response())
}
