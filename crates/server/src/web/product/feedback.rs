//! The feedback inbox: capture, triage and links to features.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::product::{Feature, FeatureStatus, Feedback, FeedbackStatus, Importance};
use tandem_core::{Id, ProductAction};
use tandem_store::product::{FeedbackFilter, ProductObject};

use super::{PageForm, PageResult, PageUser, Shell, on, render};
use crate::access::product_access;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::custom::{Fields, FieldsForm, Input, RowCustom, Shown};
use crate::web::lists::{self, Bar, Ctx};
use crate::web::{PageFormCustom, PagePairs};
use axum::extract::RawQuery;
use tandem_app::ops::product::{self as ops, CreateFeedback, UpdateFeedback};
use tandem_core::custom::FieldObject;
use tandem_core::views::ViewPage;

// ---- feedback inbox ----

#[derive(Template)]
#[template(path = "product_feedback.html")]
struct FeedbackPage {
    shell: Shell,
    f: Frame,
    items: Vec<Feedback>,
    status: String,
    statuses: &'static [FeedbackStatus],
    features: Vec<Feature>,
    /// Each item's custom values and their edit form; the send form's inputs.
    shown: Vec<Vec<Shown>>,
    extras: Vec<RowCustom>,
    new_inputs: Vec<Input>,
    bar: Bar,
    heads: Vec<Option<String>>,
}

pub async fn feedback(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let page = page_at(&path, "/products/", "/feedback");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "feedback", &page).await?;
    let ctx =
        Ctx::load(&state, a.scope.workspace_id, FieldObject::Feedback, Default::default()).await.map_err(on(&page))?;
    let q = lists::parse(&lists::pairs(raw.as_deref()), ViewPage::Feedback, &ctx, &[]).map_err(on(&page))?;
    // One status is asked of the store, so the newest 200 are of it.
    let status = q.value_of("status").and_then(FeedbackStatus::parse);
    let filter = FeedbackFilter { status, ..FeedbackFilter::default() };
    let items = state.store.feedback_list(a.scope.product_id, &filter, None, 200).await.map_err(on(&page))?.items;
    let (items, heads) = lists::grouped(items, &ctx, &q);
    let picks = vec![("source", "Source", lists::words(tandem_core::product::FeedbackSource::ALL))];
    let bar = lists::bar(
        &state,
        lists::Place { ws: a.scope.workspace_id, user: p.id(), page: ViewPage::Feedback, action: page.clone() },
        &q,
        &ctx,
        picks,
    )
    .await
    .map_err(on(&page))?;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    features.retain(|x| x.status != FeatureStatus::Rejected);
    let status = status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let cf = ctx.fields_view();
    let shown = items.iter().map(|x| cf.shown(&shell.human, &x.custom_fields)).collect();
    let extras = items
        .iter()
        .map(|x| cf.row(&shell.human, &x.custom_fields, f.can_edit, format!("/feedback/{}/fields", x.id), x.version))
        .collect();
    let new_inputs = cf.inputs("new-feedback", &Default::default(), false);
    let page = FeedbackPage {
        shell,
        f,
        items,
        status,
        statuses: FeedbackStatus::ALL,
        features,
        shown,
        extras,
        new_inputs,
        bar,
        heads,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct FeedbackForm {
    text: String,
    customer: Option<String>,
    segment: Option<String>,
}

pub async fn feedback_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<FeedbackForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/feedback");
    let a = product_access(&state, p.id(), ProductObject::Product, pid(&path, &page)?, ProductAction::SubmitFeedback)
        .await
        .map_err(on(&page))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Feedback).await.map_err(on(&page))?;
    let req = CreateFeedback {
        custom_fields: Some(cf.sent(&custom)),
        text: form.text,
        source: None,
        customer: form.customer,
        segment: form.segment,
        customer_value_minor: None,
    };
    ops::create_feedback(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
}

/// Saves feedback's custom values from its card in the inbox.
pub async fn feedback_fields(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<FieldsForm>,
) -> PageResult {
    let id = pid(&path, "/")?;
    let a = product_access(&state, p.id(), ProductObject::Feedback, id, ProductAction::Edit).await.map_err(on("/"))?;
    let back = format!("/products/{}/feedback", a.scope.product_id);
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Feedback).await.map_err(on(&back))?;
    let req = UpdateFeedback { custom_fields: Some(cf.sent(&custom)), ..UpdateFeedback::default() };
    ops::update_feedback(&state, &a, id, form.version, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&format!("{back}#feedback-{id}")).into_response())
}

#[derive(Deserialize)]
pub struct FeatureForm {
    title: Option<String>,
}

/// Makes a feature of the feedback and opens it.
pub async fn feedback_feature(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<FeatureForm>,
) -> PageResult {
    let id = pid(&path, "/")?;
    let a = product_access(&state, p.id(), ProductObject::Feedback, id, ProductAction::Edit).await.map_err(on("/"))?;
    let back = format!("/products/{}/feedback", a.scope.product_id);
    let req = tandem_app::ops::product::FeatureFromFeedback { title: form.title, importance: None };
    let made = tandem_app::ops::product::feature_from_feedback(&state, &a, id, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&format!("/features/{}", made.feature.id)).into_response())
}

/// Acts on the checked feedback of the inbox at once.
pub async fn feedback_bulk(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PagePairs(pairs): PagePairs,
) -> PageResult {
    use tandem_app::ops::product::{BulkFeedback, BulkFeedbackAction, bulk_feedback};
    let page = page_at(&path, "/products/", "/feedback");
    let a = product_access(&state, p.id(), ProductObject::Product, pid(&path, &page)?, ProductAction::Edit)
        .await
        .map_err(on(&page))?;
    let t = lists::Ticked::read(pairs, &page, "feedback")?;
    let action = t.action(BulkFeedbackAction::parse)?;
    let feature_id = t.one("feature_id").and_then(|v| v.parse().ok());
    let back = t.back.clone();
    let req = BulkFeedback { ids: t.ids, action, feature_id, importance: None };
    bulk_feedback(&state, &a, req).await.map_err(on(&back))?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct TriageForm {
    status: String,
    version: i64,
    return_to: Option<String>,
}

pub async fn feedback_triage(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<TriageForm>,
) -> PageResult {
    let page = "/";
    let id = pid(&path, page)?;
    let a = product_access(&state, p.id(), ProductObject::Feedback, id, ProductAction::Edit).await.map_err(on(page))?;
    let status = FeedbackStatus::parse(&form.status)
        .ok_or_else(|| on(page)(ApiError::invalid("status", format!("must be one of {}", FeedbackStatus::words()))))?;
    // "Linked" is shown for linked feedback and kept as it is; it is
    // reached by linking, never set here.
    if status != FeedbackStatus::Linked {
        let req = UpdateFeedback { status: Some(status), ..UpdateFeedback::default() };
        ops::update_feedback(&state, &a, id, form.version, req).await.map_err(on(page))?;
    }
    let fallback = format!("/products/{}/feedback", a.scope.product_id);
    Ok(Redirect::to(&back(form.return_to.as_deref(), fallback)).into_response())
}

#[derive(Deserialize)]
pub struct LinkForm {
    feature_id: String,
    importance: u8,
    return_to: Option<String>,
}

pub async fn feedback_link(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<LinkForm>,
) -> PageResult {
    let page = "/";
    let id = pid(&path, page)?;
    let a = product_access(&state, p.id(), ProductObject::Feedback, id, ProductAction::Edit).await.map_err(on(page))?;
    let feature: Id =
        form.feature_id.parse().map_err(|_| on(page)(ApiError::invalid("feature_id", "pick a feature")))?;
    let importance = Importance::try_from(form.importance).map_err(|e| on(page)(ApiError::Invalid(e)))?;
    tandem_app::ops::product::link_feedback(&state, &a, id, feature, importance).await.map_err(on(page))?;
    let fallback = format!("/products/{}/feedback", a.scope.product_id);
    Ok(Redirect::to(&back(form.return_to.as_deref(), fallback)).into_response())
}
