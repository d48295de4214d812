//! The forms that create and edit the product's objects from the pages.

use super::*;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::model::Day;
use tandem_core::scoring::Framework;
use tandem_core::{Id, ProductAction};
use tandem_store::product::ProductObject;

use super::{PageError, PageForm, PageResult, PageUser, on};
use crate::access::{InProduct, product_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use tandem_app::ops::product::{self as ops};

// ---- forms that create and edit from the pages ----

/// Resolves the product of `path` for a form that needs `action`.
async fn form_access(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    path: &IdPath,
    action: ProductAction,
    page: &str,
) -> Result<(InProduct, Id), PageError> {
    let id = pid(path, page)?;
    let a = product_access(state, p.id(), kind, id, action).await.map_err(on(page))?;
    Ok((a, id))
}

#[derive(Deserialize)]
pub struct ProductForm {
    version: i64,
    name: String,
    vision: String,
    strategy: String,
    default_framework: String,
}

pub async fn product_update(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ProductForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "");
    let (a, _) = form_access(&state, &p, ProductObject::Product, &path, ProductAction::Edit, &page).await?;
    let framework = Framework::parse(&form.default_framework)
        .ok_or_else(|| on(&page)(ApiError::invalid("default_framework", "pick a framework")))?;
    let current = state.store.product(a.scope.product_id).await.map_err(on(&page))?;
    // Send only what changed, so an owner without the vision right can still rename.
    let changed = |new: &str, old: &str| (new.trim_end() != old).then(|| new.to_owned());
    let req = ops::UpdateProduct {
        name: changed(&form.name, &current.name),
        vision: changed(&form.vision, &current.vision),
        strategy: changed(&form.strategy, &current.strategy),
        owner_id: None,
        default_framework: (framework != current.default_framework).then_some(framework),
        version: None,
    };
    ops::update_product(&state, &a, form.version, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

#[derive(Deserialize)]
pub struct ReleaseForm {
    name: String,
    target_date: Option<String>,
}

pub async fn release_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ReleaseForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/releases");
    let (a, _) = form_access(&state, &p, ProductObject::Product, &path, RELEASE_SCOPE, &page).await?;
    let target_date = date_field("target_date", form.target_date).map_err(on(&page))?;
    let req = ops::CreateRelease { name: form.name, target_date, status: None, notes: None };
    ops::create_release(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

#[derive(Deserialize)]
pub struct ReleaseEditForm {
    version: i64,
    status: String,
    target_date: Option<String>,
}

pub async fn release_update(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ReleaseEditForm>,
) -> PageResult {
    let page = "/";
    let (a, id) = form_access(&state, &p, ProductObject::Release, &path, ProductAction::Edit, page).await?;
    let back = format!("/products/{}/releases", a.scope.product_id);
    let status = tandem_core::product::ReleaseStatus::parse(&form.status)
        .ok_or_else(|| on(&back)(ApiError::invalid("status", "pick a status")))?;
    let current = state.store.release(id).await.map_err(on(&back))?;
    let target = date_field("target_date", form.target_date).map_err(on(&back))?;
    let req = ops::UpdateRelease {
        status: Some(status),
        target_date: (target != current.target_date).then_some(target),
        ..ops::UpdateRelease::default()
    };
    ops::update_release(&state, &a, id, form.version, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct ObjectiveForm {
    title: String,
    period: String,
}

pub async fn objective_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ObjectiveForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/okrs");
    let (a, _) = form_access(&state, &p, ProductObject::Product, &path, ProductAction::Edit, &page).await?;
    let req = ops::CreateObjective { title: form.title, period: form.period, owner_id: Some(a.user_id) };
    ops::create_objective(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

#[derive(Deserialize)]
pub struct KeyResultForm {
    metric: String,
    unit: Option<String>,
    baseline: String,
    target: String,
    /// A metric series to follow; empty for typed values.
    metric_id: Option<String>,
}

pub async fn key_result_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<KeyResultForm>,
) -> PageResult {
    let page = "/";
    let (a, id) = form_access(&state, &p, ProductObject::Objective, &path, ProductAction::Edit, page).await?;
    let back = format!("/products/{}/okrs", a.scope.product_id);
    let baseline = number("baseline", &Some(form.baseline)).map_err(on(&back))?;
    let target = number("target", &Some(form.target)).map_err(on(&back))?;
    let (Some(baseline), Some(target)) = (baseline, target) else {
        return Err(on(&back)(ApiError::invalid("target", "give a baseline and a target")));
    };
    let req = ops::CreateKeyResult {
        metric: form.metric,
        unit: given(form.unit),
        baseline,
        target,
        current: None,
        direction: None,
        feature_ids: Vec::new(),
        metric_id: given(form.metric_id)
            .map(|m| m.trim().parse::<Id>())
            .transpose()
            .map_err(|_| on(&back)(ApiError::invalid("metric_id", "pick one of the product's metrics")))?,
    };
    ops::create_key_result(&state, &a, id, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct CompetitorForm {
    name: String,
    notes: Option<String>,
}

pub async fn competitor_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<CompetitorForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/competitors");
    let (a, _) = form_access(&state, &p, ProductObject::Product, &path, ProductAction::Edit, &page).await?;
    let req = ops::CreateCompetitor { name: form.name, notes: given(form.notes), capabilities: Default::default() };
    ops::create_competitor(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

#[derive(Deserialize)]
pub struct CellForm {
    version: i64,
    capability: String,
    level: String,
}

pub async fn competitor_cell(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<CellForm>,
) -> PageResult {
    let page = "/";
    let (a, id) = form_access(&state, &p, ProductObject::Competitor, &path, ProductAction::Edit, page).await?;
    let back = format!("/products/{}/competitors", a.scope.product_id);
    let level = tandem_core::product::CapabilityLevel::parse(&form.level)
        .ok_or_else(|| on(&back)(ApiError::invalid("level", "pick has, partial or none")))?;
    let req = ops::UpdateCompetitor {
        capabilities: Some([(form.capability, Some(level))].into_iter().collect()),
        ..ops::UpdateCompetitor::default()
    };
    ops::update_competitor(&state, &a, id, form.version, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct MetricForm {
    name: String,
    kind: String,
    unit: Option<String>,
    /// `events` to feed it from product analytics; else typed values.
    values: Option<String>,
    event: Option<String>,
    return_event: Option<String>,
    feature_id: Option<String>,
}

pub async fn metric_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<MetricForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/metrics");
    let (a, _) = form_access(&state, &p, ProductObject::Product, &path, ProductAction::Edit, &page).await?;
    let kind = tandem_core::product::MetricKind::parse(&form.kind)
        .ok_or_else(|| on(&page)(ApiError::invalid("kind", "pick a kind")))?;
    let source = match form.values.as_deref() {
        Some("events") => Some(tandem_core::product::MetricSource {
            event: given(form.event),
            return_event: given(form.return_event),
            feature_id: given(form.feature_id)
                .map(|f| f.trim().parse::<Id>())
                .transpose()
                .map_err(|_| on(&page)(ApiError::invalid("source.feature_id", "pick a feature")))?,
        }),
        _ => None,
    };
    let req =
        ops::CreateMetric { name: form.name, kind: Some(kind), unit: given(form.unit), points: Vec::new(), source };
    ops::create_metric(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

#[derive(Deserialize)]
pub struct PointForm {
    date: String,
    value: String,
}

pub async fn metric_record(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<PointForm>,
) -> PageResult {
    let page = "/";
    let (a, id) = form_access(&state, &p, ProductObject::MetricSeries, &path, ProductAction::Edit, page).await?;
    let back = format!("/products/{}/metrics", a.scope.product_id);
    let date = form.date.trim().parse::<Day>().map_err(|e| on(&back)(ApiError::invalid("date", e.to_string())))?;
    let value = number("value", &Some(form.value))
        .map_err(on(&back))?
        .ok_or_else(|| on(&back)(ApiError::invalid("value", "give a value")))?;
    let req = ops::RecordPoints { points: vec![tandem_core::product::DatedValue { date, value }] };
    ops::record_points(&state, &a, id, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}
