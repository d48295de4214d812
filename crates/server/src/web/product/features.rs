//! The backlog and one feature's page with its scores, delivering tasks and comments.

use super::*;
use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::product::{Feature, FeatureStatus, Feedback, Lane, Release, sort_backlog};
use tandem_core::scoring::{Framework, Ice, Kano, Moscow, Rice, ValueEffort, Wsjf};
use tandem_core::{Id, ProductAction};
use tandem_store::product::{FeedbackFilter, ProductObject};

use super::{PageForm, PageResult, PageUser, Shell, on, render};
use crate::access::product_access;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::PageFormCustom;
use crate::web::custom::{Fields, Input, Shown};
use crate::web::lists::{self, Bar, Ctx};
use axum::extract::RawQuery;
use tandem_app::ops::product::{self as ops, CreateFeature, UpdateFeature};
use tandem_core::custom::FieldObject;
use tandem_core::views::ViewPage;

// ---- backlog ----

#[derive(Template)]
#[template(path = "product_backlog.html")]
struct BacklogPage {
    shell: Shell,
    f: Frame,
    features: Vec<Feature>,
    sort: Framework,
    frameworks: &'static [Framework],
    /// The custom fields as columns, each feature's cells in that order,
    /// and the required ones' inputs on the create form.
    columns: Vec<tandem_core::custom::CustomField>,
    cells: Vec<Vec<String>>,
    new_inputs: Vec<Input>,
    bar: Bar,
    heads: Vec<Option<String>>,
    total: usize,
}

pub async fn backlog(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let page = page_at(&path, "/products/", "/backlog");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "backlog", &page).await?;
    let pairs = lists::pairs(raw.as_deref());
    // `sort` names a framework (the backlog's own orders) or, failing
    // that, any field as on every list.
    let asked = pairs.iter().rev().find(|(k, _)| k == "sort").map(|(_, v)| v.as_str());
    let framework_sort = asked.is_none_or(|s| s.is_empty() || Framework::parse(s).is_some());
    let sort = tandem_app::ops::product::framework(asked.filter(|_| framework_sort), f.product.default_framework)
        .map_err(on(&page))?;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    sort_backlog(&mut features, sort);
    let total = features.len();
    let releases = state.store.releases(a.scope.product_id).await.map_err(on(&page))?;
    let names = releases.iter().map(|r| (r.id, r.name.clone())).collect();
    let ctx = Ctx::load(&state, a.scope.workspace_id, FieldObject::Feature, names).await.map_err(on(&page))?;
    let ignore: &[&str] = if framework_sort { &["sort"] } else { &[] };
    let q = lists::parse(&pairs, ViewPage::Backlog, &ctx, ignore).map_err(on(&page))?;
    let (features, heads) = lists::grouped(features, &ctx, &q);
    let picks = vec![
        ("status", "Status", lists::words(FeatureStatus::ALL)),
        ("lane", "Lane", lists::words(Lane::ALL)),
        ("release", "Release", releases.iter().map(|r| (r.id.to_string(), r.name.clone())).collect()),
    ];
    let action = format!("/products/{}/backlog", a.scope.product_id);
    let bar = lists::bar(
        &state,
        lists::Place { ws: a.scope.workspace_id, user: p.id(), page: ViewPage::Backlog, action },
        &q,
        &ctx,
        picks,
    )
    .await
    .map_err(on(&page))?;
    let cf = ctx.fields_view();
    let cells = features
        .iter()
        .map(|x| cf.fields.iter().map(|c| cf.cell(&shell.human, c, &x.custom_fields)).collect())
        .collect();
    let new_inputs = cf.inputs("new", &Default::default(), true);
    let page = BacklogPage {
        shell,
        f,
        features,
        sort,
        frameworks: &Framework::SCORED,
        columns: cf.fields,
        cells,
        new_inputs,
        bar,
        heads,
        total,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct NewFeatureForm {
    title: String,
}

pub async fn feature_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<NewFeatureForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/backlog");
    let a = product_access(&state, p.id(), ProductObject::Product, pid(&path, &page)?, ProductAction::Edit)
        .await
        .map_err(on(&page))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Feature).await.map_err(on(&page))?;
    let req = CreateFeature {
        custom_fields: Some(cf.sent(&custom)),
        title: form.title,
        description: None,
        lane: None,
        release_id: None,
        rice: None,
        ice: None,
        wsjf: None,
        value_effort: None,
        moscow: None,
        kano: None,
        adoption_event: None,
    };
    let feature = ops::create_feature(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("/features/{}", feature.id)).into_response())
}

// ---- one feature ----

/// A task delivering the feature, with its scheduled dates.
struct Delivering {
    t: tandem_core::project::Task,
    start: Option<tandem_core::project::LocalTime>,
    finish: Option<tandem_core::project::LocalTime>,
    critical: bool,
}

/// The delivering tasks with the dates their projects' schedules give them.
async fn delivering_rows(state: &AppState, feature: Id) -> Result<Vec<Delivering>, ApiError> {
    let tasks = state.store.tasks_delivering(feature).await?;
    let mut dates: std::collections::HashMap<
        Id,
        (tandem_core::project::LocalTime, tandem_core::project::LocalTime, bool),
    > = std::collections::HashMap::new();
    let projects: BTreeSet<Id> = tasks.iter().map(|t| t.project_id).collect();
    for p in projects {
        let c = tandem_app::schedules::computed(state, p).await?;
        for r in &c.view.tasks {
            dates.insert(r.id, (r.start, r.finish, r.critical));
        }
    }
    Ok(tasks
        .into_iter()
        .map(|t| {
            let found = dates.remove(&t.id);
            Delivering {
                t,
                start: found.map(|f| f.0),
                finish: found.map(|f| f.1),
                critical: found.is_some_and(|f| f.2),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "feature.html")]
struct FeaturePage {
    shell: Shell,
    f: Frame,
    feature: Feature,
    feedback: Vec<Feedback>,
    delivering: Vec<Delivering>,
    comments: Vec<tandem_core::model::Comment>,
    /// Change requests that bring the feature into a release or take it
    /// out, with their decisions in the log.
    decided_by: Vec<tandem_core::change::ChangeRequest>,
    releases: Vec<Release>,
    statuses: &'static [FeatureStatus],
    lanes: &'static [Lane],
    moscows: &'static [Moscow],
    kanos: &'static [Kano],
    /// Its custom values, and their inputs on the edit form.
    shown: Vec<Shown>,
    inputs: Vec<Input>,
    /// Its adoption since it shipped, when it names an adoption event.
    adoption: Option<super::analytics::AdoptionView>,
}

pub async fn feature(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/features/", "");
    let id = pid(&path, &page)?;
    let (shell, f, a) = frame(&state, &p, ProductObject::Feature, id, "feature", &page).await?;
    let feature = state.store.feature(id).await.map_err(on(&page))?;
    let filter = FeedbackFilter { feature_id: Some(id), ..FeedbackFilter::default() };
    let feedback = state.store.feedback_list(a.scope.product_id, &filter, None, 200).await.map_err(on(&page))?.items;
    let releases = state.store.releases(a.scope.product_id).await.map_err(on(&page))?;
    let comments = state.store.comments("feature", id, None, tandem_store::MAX_PAGE).await.map_err(on(&page))?.items;
    let delivering = delivering_rows(&state, id).await.map_err(on(&page))?;
    let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Feature).await.map_err(on(&page))?;
    let shown = cf.shown(&shell.human, &feature.custom_fields);
    let inputs = if f.can_edit { cf.inputs("feature", &feature.custom_fields, false) } else { Vec::new() };
    let adoption = tandem_app::ops::analytics::feature_adoption(&state, a.scope.workspace_id, &feature)
        .await
        .map_err(on(&page))?
        .and_then(|x| super::analytics::adoption_view(&shell.human, x));
    let mut decided_by = Vec::new();
    for project in ops::product_projects(&state, &a).await.map_err(on(&page))? {
        decided_by.extend(state.store.change_requests(project.id).await.map_err(on(&page))?.into_iter().filter(|c| {
            c.edits.iter().any(|e| {
                matches!(e, tandem_core::change::Edit::AddFeatureToRelease { feature_id, .. }
                    | tandem_core::change::Edit::RemoveFeatureFromRelease { feature_id, .. } if *feature_id == id)
            })
        }));
    }
    Ok(render(
        StatusCode::OK,
        &FeaturePage {
            shell,
            f,
            feature,
            feedback,
            delivering,
            comments,
            decided_by,
            releases,
            statuses: FeatureStatus::ALL,
            lanes: Lane::ALL,
            moscows: Moscow::ALL,
            kanos: Kano::ALL,
            shown,
            inputs,
            adoption,
        },
    ))
}

/// A feature form: only the fields present are changed; an empty value
/// clears an optional field. Score inputs come per framework.
#[derive(Debug, Default, Deserialize)]
pub struct FeatureForm {
    version: i64,
    return_to: Option<String>,
    title: Option<String>,
    description: Option<String>,
    status: Option<String>,
    rejection_reason: Option<String>,
    lane: Option<String>,
    release_id: Option<String>,
    moscow: Option<String>,
    kano: Option<String>,
    rice_reach: Option<String>,
    rice_impact: Option<String>,
    rice_confidence: Option<String>,
    rice_effort: Option<String>,
    ice_impact: Option<String>,
    ice_confidence: Option<String>,
    ice_ease: Option<String>,
    wsjf_business_value: Option<String>,
    wsjf_time_criticality: Option<String>,
    wsjf_risk_reduction: Option<String>,
    wsjf_job_size: Option<String>,
    ve_value: Option<String>,
    ve_effort: Option<String>,
}

/// A choice field: empty clears it; anything else must be one of the words.
fn choice<T>(
    field: &'static str,
    v: &Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<Option<T>>, ApiError> {
    match v.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) => parse(s).map(|x| Some(Some(x))).ok_or_else(|| ApiError::invalid(field, "is not one of the choices")),
    }
}

impl FeatureForm {
    /// The feature's changes; every field is read, so a refusal names all
    /// the fields that could not be.
    fn update(&self) -> Result<UpdateFeature, ApiError> {
        let mut r = crate::web::Refusals::default();
        let any = |fs: &[&Option<String>]| fs.iter().any(|f| f.is_some());
        let rice =
            any(&[&self.rice_reach, &self.rice_impact, &self.rice_confidence, &self.rice_effort]).then(|| Rice {
                reach: r.read(number("rice.reach", &self.rice_reach)),
                impact: r.read(number("rice.impact", &self.rice_impact)),
                confidence: r.read(number("rice.confidence", &self.rice_confidence)),
                effort: r.read(number("rice.effort", &self.rice_effort)),
            });
        let ice = any(&[&self.ice_impact, &self.ice_confidence, &self.ice_ease]).then(|| Ice {
            impact: r.read(number("ice.impact", &self.ice_impact)),
            confidence: r.read(number("ice.confidence", &self.ice_confidence)),
            ease: r.read(number("ice.ease", &self.ice_ease)),
        });
        let wsjf = any(&[
            &self.wsjf_business_value,
            &self.wsjf_time_criticality,
            &self.wsjf_risk_reduction,
            &self.wsjf_job_size,
        ])
        .then(|| Wsjf {
            business_value: r.read(number("wsjf.business_value", &self.wsjf_business_value)),
            time_criticality: r.read(number("wsjf.time_criticality", &self.wsjf_time_criticality)),
            risk_reduction: r.read(number("wsjf.risk_reduction", &self.wsjf_risk_reduction)),
            job_size: r.read(number("wsjf.job_size", &self.wsjf_job_size)),
        });
        let value_effort = any(&[&self.ve_value, &self.ve_effort]).then(|| ValueEffort {
            value: r.read(number("value_effort.value", &self.ve_value)),
            effort: r.read(number("value_effort.effort", &self.ve_effort)),
        });
        let release_id = r.read(match self.release_id.as_deref().map(str::trim) {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(s) => {
                s.parse().map(|id| Some(Some(id))).map_err(|_| ApiError::invalid("release_id", "pick a release"))
            }
        });
        let update = UpdateFeature {
            title: self.title.clone(),
            // Browsers send a textarea's line breaks as CRLF; stored text has LF.
            description: self.description.as_ref().map(|d| d.replace("\r\n", "\n")),
            status: r.read(choice("status", &self.status, FeatureStatus::parse)).flatten(),
            rejection_reason: self.rejection_reason.clone().filter(|r| !r.trim().is_empty()),
            lane: r.read(choice("lane", &self.lane, Lane::parse)),
            release_id,
            rice,
            ice,
            wsjf,
            value_effort,
            moscow: r.read(choice("moscow", &self.moscow, Moscow::parse)),
            kano: r.read(choice("kano", &self.kano, Kano::parse)),
            ..UpdateFeature::default()
        };
        r.finish(update)
    }
}

pub async fn feature_update(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageFormCustom(form, custom): PageFormCustom<FeatureForm>,
) -> PageResult {
    let page = page_at(&path, "/features/", "");
    let id = pid(&path, &page)?;
    let a = product_access(&state, p.id(), ProductObject::Feature, id, ProductAction::Read).await.map_err(on(&page))?;
    let mut req = form.update().map_err(on(&page))?;
    if !custom.is_empty() {
        let cf = Fields::load(&state, a.scope.workspace_id, FieldObject::Feature).await.map_err(on(&page))?;
        req.custom_fields = Some(cf.sent(&custom));
    }
    ops::update_feature(&state, &a, id, form.version, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&back(form.return_to.as_deref(), page)).into_response())
}

#[derive(Deserialize)]
pub struct CommentForm {
    body: String,
}

pub async fn feature_comment(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<CommentForm>,
) -> PageResult {
    let page = page_at(&path, "/features/", "");
    let id = pid(&path, &page)?;
    tandem_app::ops::comments::add(&state, &p.user, ProductObject::Feature, id, &form.body).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("{page}#comments")).into_response())
}
