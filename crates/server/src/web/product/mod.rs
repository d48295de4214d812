//! The product manager's pages: products, dashboard, feedback inbox,
//! backlog, feature, roadmap, releases, OKRs, competitors, metrics. Each
//! page resolves its object through the same guard as the API and shows
//! edit controls only to those who may use them.

pub mod analytics;
pub mod dashboard;
pub mod features;
pub mod feedback;
pub mod forms;
pub mod outcomes;
pub mod roadmap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::decision::DecisionKind;
use tandem_core::model::Day;
use tandem_core::product::{Feature, Objective, Product, Release};
use tandem_core::{Action, Id, ProductAction, allows};
use tandem_store::product::ProductObject;

use super::{PageAllowed, PageError, PageForm, PageResult, PageUser, Shell, on, render, safe_next};
use crate::access::{InProduct, ProductCreate, WorkspaceRead, product_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self};
use tandem_app::ops::product::{self as ops, CreateProduct};

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

impl Frame {
    pub fn tabs(&self) -> &'static [super::nav::Tab] {
        super::nav::PRODUCT_TABS
    }

    /// Whether tab `key` is the one shown (a feature's page is the
    /// backlog's).
    pub fn is_tab(&self, key: &str) -> bool {
        self.tab == key || (key == "backlog" && self.tab == "feature")
    }
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
    if tab == "feature" { "Feature" } else { super::nav::label(super::nav::PRODUCT_TABS, tab) }
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

pub(crate) struct KrView {
    pub metric: String,
    pub current: String,
    pub target: String,
    pub percent: i64,
}

pub(crate) struct ObjectiveView {
    pub objective: Objective,
    pub percent: Option<i64>,
    pub krs: Vec<KrView>,
    pub sparklines: Vec<String>,
}

pub(crate) fn percent(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

pub(crate) fn objective_view(human: &crate::web::human::Human, o: Objective) -> ObjectiveView {
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
            let pts: Vec<(String, f64)> = k.history.iter().map(|x| (human.short(x.date), x.value)).collect();
            charts::line_chart(&k.metric, &pts, &k.unit)
        })
        .collect();
    ObjectiveView { percent: o.progress.map(percent), objective: o, krs, sparklines }
}

pub(crate) struct ReleaseView {
    pub release: Release,
    pub features: Vec<Feature>,
    pub go: tandem_app::ops::gonogo::GoNoGo,
}

/// A number field: empty is "no input"; anything else must parse.
pub(crate) fn number(field: &'static str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(tandem_core::numbers::parse_decimal(field, s)?)),
    }
}

/// An optional date field.
pub(crate) fn date_field(field: &'static str, v: Option<String>) -> Result<Option<Day>, ApiError> {
    given(v).map(|s| s.trim().parse::<Day>().map_err(|e| ApiError::invalid(field, e.to_string()))).transpose()
}

/// An optional text field: blank means absent.
pub(crate) fn given(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}
