//! The product manager's pages: products, dashboard, feedback inbox,
//! backlog, feature, roadmap, releases, OKRs, competitors, metrics. Each
//! page resolves its object through the same guard as the API and shows
//! edit controls only to those who may use them.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::decision::DecisionKind;
use tandem_core::model::Day;
use tandem_core::product::{
    Competitor, Feature, FeatureStatus, Feedback, FeedbackStatus, Importance, Lane, MetricSeries, Objective, Product,
    Release, Roadmap, roadmap, sort_backlog,
};
use tandem_core::scoring::{Framework, Ice, Kano, Moscow, Rice, ValueEffort, Wsjf};
use tandem_core::{Action, Id, ProductAction, allows};
use tandem_store::product::{FeedbackFilter, ProductObject};

use super::{PageAllowed, PageError, PageForm, PageResult, PageUser, Shell, on, render, safe_next};
use crate::access::{InProduct, ProductCreate, WorkspaceRead, product_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self, TimelineRow};
use tandem_app::ops::product::UpdateKeyResult;
use tandem_app::ops::product::{
    self as ops, CreateFeature, CreateFeedback, CreateProduct, UpdateFeature, UpdateFeedback,
};

const PRIORITY: ProductAction = ProductAction::Decide(DecisionKind::FeaturePriority);
const RELEASE_SCOPE: ProductAction = ProductAction::Decide(DecisionKind::ReleaseScope);

/// What every product page shows around its content.
pub struct Frame {
    pub product: Product,
    /// `dashboard`, `feedback`, `backlog`, `roadmap`, `releases`, `okrs`,
    /// `competitors` or `metrics`.
    pub tab: &'static str,
    pub can_edit: bool,
    pub can_prioritise: bool,
    pub can_scope: bool,
}

pub(super) async fn frame(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    id: Id,
    tab: &'static str,
    path: &str,
) -> Result<(Shell, Frame, InProduct), PageError> {
    let a = product_access(state, p.id(), kind, id, ProductAction::Read).await.map_err(on(path))?;
    let product = state.store.product(a.scope.product_id).await.map_err(on(path))?;
    let title = format!("{} · {}", product.name, tab_label(tab));
    let shell = Shell::new(state, p, Some(a.scope.workspace_id), "product", title).await.map_err(on(path))?;
    let f = Frame {
        product,
        tab,
        can_edit: a.may(ProductAction::Edit),
        can_prioritise: a.may(PRIORITY),
        can_scope: a.may(RELEASE_SCOPE),
    };
    Ok((shell, f, a))
}

fn tab_label(tab: &str) -> &'static str {
    match tab {
        "feedback" => "Feedback",
        "backlog" => "Backlog",
        "roadmap" => "Roadmap",
        "releases" => "Releases",
        "okrs" => "OKRs",
        "competitors" => "Competitors",
        "metrics" => "Metrics",
        "syncs" => "Weekly sync",
        "feature" => "Feature",
        _ => "Dashboard",
    }
}

/// The page a handler answers for, to come back to after an error; a
/// malformed id still names a page (the error explains the rest).
pub(super) fn page_at(path: &IdPath, prefix: &str, suffix: &str) -> String {
    format!("{prefix}{}{suffix}", path.id().map_or(0, |i| i.0))
}

pub(super) fn pid(path: &IdPath, page: &str) -> Result<Id, PageError> {
    path.id().map_err(on(page))
}

/// A back-link target from a form, kept on this site.
fn back(to: Option<&str>, fallback: String) -> String {
    match to {
        Some(t) if !t.is_empty() => safe_next(Some(t)),
        _ => fallback,
    }
}

// ---- the product list ----

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    shell: Shell,
    ws: Id,
    products: Vec<Product>,
    can_create: bool,
}

pub async fn products(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/product", a.ws);
    let products = state.store.products(a.ws, None, tandem_store::MAX_PAGE).await.map_err(on(&path))?.items;
    if let [only] = products.as_slice() {
        return Ok(Redirect::to(&format!("/products/{}", only.id)).into_response());
    }
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "product", "Products").await.map_err(on(&path))?;
    let can_create = allows(a.role, Action::ProductCreate);
    Ok(render(StatusCode::OK, &ProductsPage { shell, ws: a.ws, products, can_create }))
}

#[derive(Deserialize)]
pub struct NewProductForm {
    name: String,
    key: String,
    vision: Option<String>,
}

pub async fn products_create(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<ProductCreate>,
    PageForm(f): PageForm<NewProductForm>,
) -> PageResult {
    let path = format!("/w/{}/product", a.ws);
    let req = CreateProduct {
        name: f.name,
        key: f.key,
        vision: f.vision,
        strategy: None,
        owner_id: None,
        default_framework: None,
    };
    let p = ops::create_product(&state, a.user_id(), a.ws, req).await.map_err(on(&path))?;
    Ok(Redirect::to(&format!("/products/{}", p.id)).into_response())
}

// ---- dashboard ----

pub struct KrView {
    pub metric: String,
    pub current: String,
    pub target: String,
    pub percent: i64,
}

pub struct ObjectiveView {
    pub objective: Objective,
    pub percent: Option<i64>,
    pub krs: Vec<KrView>,
    pub sparklines: Vec<String>,
}

fn percent(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

fn objective_view(o: Objective) -> ObjectiveView {
    let krs = o
        .key_results
        .iter()
        .map(|k| KrView {
            metric: k.metric.clone(),
            current: charts::fmt_num(k.current),
            target: charts::fmt_num(k.target),
            percent: percent(k.progress),
        })
        .collect();
    let sparklines = o
        .key_results
        .iter()
        .map(|k| {
            let pts: Vec<(String, f64)> = k.history.iter().map(|h| (h.date.to_string(), h.value)).collect();
            charts::line_chart(&k.metric, &pts, &k.unit)
        })
        .collect();
    ObjectiveView { percent: o.progress.map(percent), objective: o, krs, sparklines }
}

pub struct ReleaseView {
    pub release: Release,
    pub features: Vec<Feature>,
    pub go: tandem_app::ops::gonogo::GoNoGo,
}

#[derive(Template)]
#[template(path = "product_dashboard.html")]
struct DashboardPage {
    shell: Shell,
    f: Frame,
    objectives: Vec<ObjectiveView>,
    top: Vec<Feature>,
    framework: Framework,
    releases: Vec<Release>,
    shipped: Vec<Feature>,
    feedback_chart: String,
    new_feedback: usize,
    frameworks: &'static [Framework],
    /// Projects of this product whose manager is the product's owner.
    both_hats: Vec<String>,
    open_change_requests: Vec<tandem_core::change::ChangeRequest>,
}

pub async fn dashboard(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "dashboard", &page).await?;
    let d = tandem_app::ops::dashboards::product(&state, &a).await.map_err(on(&page))?;
    let bars: Vec<(String, f64)> = d
        .feedback_weekly
        .iter()
        .map(|w| (format!("{:02}-{:02}", w.start.0.month(), w.start.0.day()), w.count as f64))
        .collect();
    let framework = f.product.default_framework;
    Ok(render(
        StatusCode::OK,
        &DashboardPage {
            both_hats: d.both_hats,
            shell,
            f,
            objectives: d.objectives.into_iter().map(objective_view).collect(),
            top: d.top_features,
            framework,
            releases: d.releases,
            shipped: d.shipped,
            feedback_chart: charts::bar_chart("Feedback per week", &bars),
            new_feedback: d.new_feedback as usize,
            frameworks: Framework::ALL,
            open_change_requests: d.open_change_requests,
        },
    ))
}

// ---- feedback inbox ----

#[derive(Deserialize)]
pub struct InboxQuery {
    status: Option<String>,
}

#[derive(Template)]
#[template(path = "product_feedback.html")]
struct FeedbackPage {
    shell: Shell,
    f: Frame,
    items: Vec<Feedback>,
    status: String,
    statuses: &'static [FeedbackStatus],
    features: Vec<Feature>,
}

pub async fn feedback(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/feedback");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "feedback", &page).await?;
    let status = q.status.as_deref().and_then(FeedbackStatus::parse);
    let filter = FeedbackFilter { status, ..FeedbackFilter::default() };
    let items = state.store.feedback_list(a.scope.product_id, &filter, None, 200).await.map_err(on(&page))?.items;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    features.retain(|x| x.status != FeatureStatus::Rejected);
    let status = status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    Ok(render(StatusCode::OK, &FeedbackPage { shell, f, items, status, statuses: FeedbackStatus::ALL, features }))
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
    PageForm(form): PageForm<FeedbackForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/feedback");
    let a = product_access(&state, p.id(), ProductObject::Product, pid(&path, &page)?, ProductAction::SubmitFeedback)
        .await
        .map_err(on(&page))?;
    let req = CreateFeedback {
        text: form.text,
        source: None,
        customer: form.customer,
        segment: form.segment,
        customer_value_minor: None,
    };
    ops::create_feedback(&state, &a, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&page).into_response())
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
    let req = UpdateFeedback { status: Some(status), ..UpdateFeedback::default() };
    ops::update_feedback(&state, &a, id, form.version, req).await.map_err(on(page))?;
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

// ---- backlog ----

#[derive(Deserialize)]
pub struct SortQuery {
    sort: Option<String>,
}

#[derive(Template)]
#[template(path = "product_backlog.html")]
struct BacklogPage {
    shell: Shell,
    f: Frame,
    features: Vec<Feature>,
    sort: Framework,
    frameworks: &'static [Framework],
}

pub async fn backlog(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    Query(q): Query<SortQuery>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/backlog");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "backlog", &page).await?;
    let sort =
        tandem_app::ops::product::framework(q.sort.as_deref(), f.product.default_framework).map_err(on(&page))?;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    sort_backlog(&mut features, sort);
    Ok(render(StatusCode::OK, &BacklogPage { shell, f, features, sort, frameworks: &Framework::SCORED }))
}

#[derive(Deserialize)]
pub struct NewFeatureForm {
    title: String,
}

pub async fn feature_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NewFeatureForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/backlog");
    let a = product_access(&state, p.id(), ProductObject::Product, pid(&path, &page)?, ProductAction::Edit)
        .await
        .map_err(on(&page))?;
    let req = CreateFeature {
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
    start: String,
    finish: String,
    critical: bool,
}

/// The delivering tasks with the dates their projects' schedules give them.
async fn delivering_rows(state: &AppState, feature: Id) -> Result<Vec<Delivering>, ApiError> {
    let tasks = state.store.tasks_delivering(feature).await?;
    let mut dates: std::collections::HashMap<Id, (String, String, bool)> = std::collections::HashMap::new();
    let projects: BTreeSet<Id> = tasks.iter().map(|t| t.project_id).collect();
    for p in projects {
        let c = tandem_app::schedules::computed(state, p).await?;
        for r in &c.view.tasks {
            dates.insert(r.id, (r.start.to_string(), r.finish.to_string(), r.critical));
        }
    }
    Ok(tasks
        .into_iter()
        .map(|t| {
            let (start, finish, critical) = dates.remove(&t.id).unwrap_or_default();
            Delivering { t, start, finish, critical }
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

/// A number field: empty is "no input"; anything else must parse.
pub(super) fn number(field: &'static str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<f64>().map(Some).map_err(|_| ApiError::invalid(field, "must be a number")),
    }
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
    fn update(&self) -> Result<UpdateFeature, ApiError> {
        let any = |fs: &[&Option<String>]| fs.iter().any(|f| f.is_some());
        let rice = any(&[&self.rice_reach, &self.rice_impact, &self.rice_confidence, &self.rice_effort]).then(|| {
            Ok::<_, ApiError>(Rice {
                reach: number("rice.reach", &self.rice_reach)?,
                impact: number("rice.impact", &self.rice_impact)?,
                confidence: number("rice.confidence", &self.rice_confidence)?,
                effort: number("rice.effort", &self.rice_effort)?,
            })
        });
        let ice = any(&[&self.ice_impact, &self.ice_confidence, &self.ice_ease]).then(|| {
            Ok::<_, ApiError>(Ice {
                impact: number("ice.impact", &self.ice_impact)?,
                confidence: number("ice.confidence", &self.ice_confidence)?,
                ease: number("ice.ease", &self.ice_ease)?,
            })
        });
        let wsjf = any(&[
            &self.wsjf_business_value,
            &self.wsjf_time_criticality,
            &self.wsjf_risk_reduction,
            &self.wsjf_job_size,
        ])
        .then(|| {
            Ok::<_, ApiError>(Wsjf {
                business_value: number("wsjf.business_value", &self.wsjf_business_value)?,
                time_criticality: number("wsjf.time_criticality", &self.wsjf_time_criticality)?,
                risk_reduction: number("wsjf.risk_reduction", &self.wsjf_risk_reduction)?,
                job_size: number("wsjf.job_size", &self.wsjf_job_size)?,
            })
        });
        let value_effort = any(&[&self.ve_value, &self.ve_effort]).then(|| {
            Ok::<_, ApiError>(ValueEffort {
                value: number("value_effort.value", &self.ve_value)?,
                effort: number("value_effort.effort", &self.ve_effort)?,
            })
        });
        let release_id = match self.release_id.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(s) => Some(Some(s.parse().map_err(|_| ApiError::invalid("release_id", "pick a release"))?)),
        };
        Ok(UpdateFeature {
            title: self.title.clone(),
            description: self.description.clone(),
            status: choice("status", &self.status, FeatureStatus::parse)?.flatten(),
            rejection_reason: self.rejection_reason.clone().filter(|r| !r.trim().is_empty()),
            lane: choice("lane", &self.lane, Lane::parse)?,
            release_id,
            rice: rice.transpose()?,
            ice: ice.transpose()?,
            wsjf: wsjf.transpose()?,
            value_effort: value_effort.transpose()?,
            moscow: choice("moscow", &self.moscow, Moscow::parse)?,
            kano: choice("kano", &self.kano, Kano::parse)?,
            ..UpdateFeature::default()
        })
    }
}

pub async fn feature_update(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<FeatureForm>,
) -> PageResult {
    let page = page_at(&path, "/features/", "");
    let id = pid(&path, &page)?;
    let a = product_access(&state, p.id(), ProductObject::Feature, id, ProductAction::Read).await.map_err(on(&page))?;
    let req = form.update().map_err(on(&page))?;
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

// ---- roadmap ----

#[derive(Template)]
#[template(path = "product_roadmap.html")]
struct RoadmapPage {
    shell: Shell,
    f: Frame,
    map: Roadmap,
    versions: Vec<(Id, i64)>,
    lanes: &'static [Lane],
    timeline: String,
}

impl RoadmapPage {
    fn lane_cards(&self, lane: &Lane) -> &[tandem_core::product::RoadmapCard] {
        match lane {
            Lane::Now => &self.map.lanes.now,
            Lane::Next => &self.map.lanes.next,
            Lane::Later => &self.map.lanes.later,
        }
    }

    /// The version of a feature, for the forms that move it.
    fn version_of(&self, id: &Id) -> i64 {
        self.versions.iter().find(|(i, _)| i == id).map_or(0, |(_, v)| *v)
    }
}

pub async fn roadmap_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/roadmap");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "roadmap", &page).await?;
    let features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    let versions = features.iter().map(|x| (x.id, x.version)).collect();
    let releases = tandem_app::forecast::releases(&state, a.scope.product_id).await.map_err(on(&page))?;
    let map = roadmap(features, releases, f.product.default_framework);
    let rows: Vec<TimelineRow> = map
        .timeline
        .iter()
        .map(|t| TimelineRow {
            label: t.release.name.clone(),
            target: t.release.target_date.map(|d| d.0),
            forecast: t.release.forecast.as_ref().map(|x| x.date.0),
            note: format!("{} features", t.features.len()),
        })
        .collect();
    let timeline = charts::timeline(&rows, Day::of(state.clock.now()).0);
    Ok(render(StatusCode::OK, &RoadmapPage { shell, f, map, versions, lanes: Lane::ALL, timeline }))
}

// ---- releases, OKRs, competitors, metrics ----

#[derive(Template)]
#[template(path = "product_releases.html")]
struct ReleasesPage {
    shell: Shell,
    f: Frame,
    releases: Vec<ReleaseView>,
    statuses: &'static [tandem_core::product::ReleaseStatus],
    /// The caller may make a go/no-go call or give an opinion.
    can_call: bool,
}

#[derive(Deserialize)]
pub struct GoForm {
    outcome: String,
    rationale: String,
}

/// A go/no-go call from the releases page.
pub async fn release_go_no_go(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<GoForm>,
) -> PageResult {
    let id = pid(&path, "/")?;
    let a = product_access(&state, p.id(), ProductObject::Release, id, ProductAction::Read).await.map_err(on("/"))?;
    let page = format!("/products/{}/releases", a.scope.product_id);
    let req = tandem_app::ops::gonogo::GoNoGoRequest { outcome: form.outcome, rationale: form.rationale };
    tandem_app::ops::gonogo::decide(&state, &a, id, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("{page}#release-{id}")).into_response())
}

pub async fn releases(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/releases");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "releases", &page).await?;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    sort_backlog(&mut features, f.product.default_framework);
    let releases = tandem_app::forecast::releases(&state, a.scope.product_id)
        .await
        .map_err(on(&page))?
        .into_iter()
        .map(|r| {
            let mine = features.iter().filter(|x| x.release_id == Some(r.id)).cloned().collect();
            (r, mine)
        })
        .collect::<Vec<_>>();
    let mut views = Vec::with_capacity(releases.len());
    for (release, features) in releases {
        let go = tandem_app::ops::gonogo::status(&state, &a, release.id).await.map_err(on(&page))?;
        views.push(ReleaseView { release, features, go });
    }
    let can_call = tandem_app::ops::gonogo::may_call(&state, &a).await.map_err(on(&page))?;
    let statuses = tandem_core::product::ReleaseStatus::ALL;
    Ok(render(StatusCode::OK, &ReleasesPage { shell, f, releases: views, statuses, can_call }))
}

#[derive(Template)]
#[template(path = "product_okrs.html")]
struct OkrsPage {
    shell: Shell,
    f: Frame,
    objectives: Vec<ObjectiveView>,
    today: Day,
}

pub async fn okrs(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/okrs");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "okrs", &page).await?;
    let objectives = tandem_app::forecast::objectives(&state, a.scope.product_id).await.map_err(on(&page))?;
    let objectives = objectives.into_iter().map(objective_view).collect();
    Ok(render(StatusCode::OK, &OkrsPage { shell, f, objectives, today: Day::of(state.clock.now()) }))
}

#[derive(Deserialize)]
pub struct RecordForm {
    current: String,
    as_of: Option<String>,
    version: i64,
}

pub async fn key_result_record(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<RecordForm>,
) -> PageResult {
    let page = "/";
    let id = pid(&path, page)?;
    let a =
        product_access(&state, p.id(), ProductObject::KeyResult, id, ProductAction::Edit).await.map_err(on(page))?;
    let current = number("current", &Some(form.current)).map_err(on(page))?;
    let as_of = match form.as_of.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<Day>().map_err(|e| on(page)(ApiError::invalid("as_of", e.to_string())))?),
    };
    let req = UpdateKeyResult { current, as_of, ..UpdateKeyResult::default() };
    ops::update_key_result(&state, &a, id, form.version, req).await.map_err(on(page))?;
    Ok(Redirect::to(&format!("/products/{}/okrs", a.scope.product_id)).into_response())
}

#[derive(Template)]
#[template(path = "product_competitors.html")]
struct CompetitorsPage {
    shell: Shell,
    f: Frame,
    competitors: Vec<Competitor>,
    capabilities: Vec<String>,
}

impl CompetitorsPage {
    fn cell(&self, c: &Competitor, capability: &str) -> &'static str {
        c.capabilities.get(capability).map_or("none", |l| l.as_str())
    }
}

pub async fn competitors(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/competitors");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "competitors", &page).await?;
    let competitors = state.store.competitors(a.scope.product_id).await.map_err(on(&page))?;
    let capabilities: BTreeSet<String> = competitors.iter().flat_map(|c| c.capabilities.keys().cloned()).collect();
    Ok(render(
        StatusCode::OK,
        &CompetitorsPage { shell, f, competitors, capabilities: capabilities.into_iter().collect() },
    ))
}

pub struct SeriesView {
    pub series: MetricSeries,
    pub chart: String,
    pub latest: Option<String>,
}

#[derive(Template)]
#[template(path = "product_metrics.html")]
struct MetricsPage {
    shell: Shell,
    f: Frame,
    series: Vec<SeriesView>,
    kinds: &'static [tandem_core::product::MetricKind],
    today: Day,
}

pub async fn metrics(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/metrics");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "metrics", &page).await?;
    let series = state
        .store
        .metrics(a.scope.product_id)
        .await
        .map_err(on(&page))?
        .into_iter()
        .map(|s| {
            let pts: Vec<(String, f64)> = s.points.iter().map(|p| (p.date.to_string(), p.value)).collect();
            let chart = charts::line_chart(&s.name, &pts, &s.unit);
            let latest = s.points.last().map(|p| format!("{} {} on {}", charts::fmt_num(p.value), s.unit, p.date));
            SeriesView { series: s, chart, latest }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &MetricsPage {
            shell,
            f,
            series,
            kinds: tandem_core::product::MetricKind::ALL,
            today: Day::of(state.clock.now()),
        },
    ))
}

// ---- forms that create and edit from the pages ----

/// An optional text field: blank means absent.
fn given(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// An optional date field.
pub(super) fn date_field(field: &'static str, v: Option<String>) -> Result<Option<Day>, ApiError> {
    given(v).map(|s| s.trim().parse::<Day>().map_err(|e| ApiError::invalid(field, e.to_string()))).transpose()
}

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
    let req = ops::CreateMetric { name: form.name, kind: Some(kind), unit: given(form.unit), points: Vec::new() };
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
