//! The product side's operations, shared by the API and the pages: each
//! takes the caller's proven access, validates the input, checks the extra
//! rights the input needs (a decision, not just an edit) and calls the
//! store, where the read-modify-write happens in one transaction.

mod features;
mod feedback;
mod market;
mod okrs;
mod releases;

pub use features::*;
pub use feedback::*;
pub use market::*;
pub use okrs::*;
pub use releases::*;

use serde::{Deserialize, Deserializer};
use tandem_core::decision::DecisionKind;
use tandem_core::product::Product;
use tandem_core::scoring::Framework;
use tandem_core::validate::{self, Invalid};
use tandem_core::{Id, ProductAction};
use tandem_store::product::NewProduct;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;

const PRIORITY: ProductAction = ProductAction::Decide(DecisionKind::FeaturePriority);
const RELEASE_SCOPE: ProductAction = ProductAction::Decide(DecisionKind::ReleaseScope);
const VISION: ProductAction = ProductAction::Decide(DecisionKind::ProductVision);

/// Most capabilities one competitor row may list.
pub const MAX_CAPABILITIES: usize = 100;
/// Most values one request may record in a metric series.
pub const MAX_POINTS_PER_REQUEST: usize = 1_000;
/// Most features one key result may bet on.
pub const MAX_BETS: usize = 100;

/// Deserialises a field that may be absent (no change), `null` (clear) or
/// a value (set).
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn opt_text(field: &'static str, v: Option<String>) -> Result<Option<String>, Invalid> {
    v.map(|s| validate::long_text(field, &s)).transpose()
}

/// The owner of a product must be a product manager or an admin of its
/// workspace.
async fn check_owner(state: &App, ws: Id, owner: Id) -> Result<(), AppError> {
    match state.store.role_in(ws, owner).await? {
        Some(r) if tandem_core::access::may_own_product(r) => Ok(()),
        _ => Err(AppError::invalid("owner_id", "must be a product manager or admin of this workspace")),
    }
}

async fn check_member(state: &App, ws: Id, user: Id, field: &'static str) -> Result<(), AppError> {
    match state.store.role_in(ws, user).await? {
        Some(_) => Ok(()),
        None => Err(AppError::invalid(field, "must be a member of this workspace")),
    }
}

// ---- products ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    pub name: String,
    /// 2–10 letters or digits; features are numbered `KEY-n`.
    pub key: String,
    pub vision: Option<String>,
    pub strategy: Option<String>,
    /// Defaults to the caller.
    pub owner_id: Option<Id>,
    /// Defaults to `rice`.
    pub default_framework: Option<Framework>,
}

pub async fn create_product(state: &App, actor: Id, ws: Id, req: CreateProduct) -> Result<Product, AppError> {
    let owner = req.owner_id.unwrap_or(actor);
    check_owner(state, ws, owner).await?;
    let new = NewProduct {
        key: validate::key("key", &req.key)?,
        name: validate::name("name", &req.name)?,
        vision: opt_text("vision", req.vision)?.unwrap_or_default(),
        strategy: opt_text("strategy", req.strategy)?.unwrap_or_default(),
        owner_id: owner,
        default_framework: req.default_framework.unwrap_or(Framework::Rice),
    };
    Ok(state.store.create_product(actor, ws, &new, state.clock.now()).await?)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    pub name: Option<String>,
    pub vision: Option<String>,
    pub strategy: Option<String>,
    pub owner_id: Option<Id>,
    pub default_framework: Option<Framework>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_product(state: &App, a: &InProduct, version: i64, req: UpdateProduct) -> Result<Product, AppError> {
    if req.vision.is_some() || req.strategy.is_some() {
        a.require(VISION)?;
    }
    if req.default_framework.is_some() {
        a.require(PRIORITY)?;
    }
    if let Some(owner) = req.owner_id {
        check_owner(state, a.scope.workspace_id, owner).await?;
    }
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let vision = opt_text("vision", req.vision)?;
    let strategy = opt_text("strategy", req.strategy)?;
    let p = state
        .store
        .update_product(
            a.user_id,
            a.scope.product_id,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = vision {
                    e.vision = v;
                }
                if let Some(v) = strategy {
                    e.strategy = v;
                }
                if let Some(v) = req.owner_id {
                    e.owner_id = v;
                }
                if let Some(v) = req.default_framework {
                    e.default_framework = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(p)
}

/// The projects that deliver the product.
pub async fn product_projects(state: &App, a: &InProduct) -> Result<Vec<tandem_core::project::Project>, AppError> {
    Ok(state
        .store
        .projects(a.scope.workspace_id, None, tandem_store::MAX_PAGE)
        .await?
        .items
        .into_iter()
        .filter(|p| p.product_id == Some(a.scope.product_id))
        .collect())
}

/// Deletes an object of the product `a` proves the caller may edit (or,
/// for a release, decide the scope of): a feature, release, objective,
/// key result, competitor or metric series.
pub async fn remove(
    state: &App,
    a: &InProduct,
    kind: tandem_store::product::ProductObject,
    id: Id,
) -> Result<(), AppError> {
    use tandem_store::product::ProductObject as O;
    let (s, actor, now) = (&state.store, a.user_id, state.clock.now());
    match kind {
        O::Feature => s.delete_feature(actor, id, now).await?,
        O::Release => s.delete_release(actor, id, now).await?,
        O::Objective => s.delete_objective(actor, id, now).await?,
        O::KeyResult => s.delete_key_result(actor, id, now).await?,
        O::Competitor => s.delete_competitor(actor, id, now).await?,
        O::MetricSeries => s.delete_metric_series(actor, id, now).await?,
        O::IngestKey => s.delete_ingest_key(actor, id, now).await?,
        O::Product | O::Feedback => return Err(AppError::NotFound),
    }
    Ok(())
}
