//! The product side's operations, shared by the API and the pages: each
//! takes the caller's proven access, validates the input, checks the extra
//! rights the input needs (a decision, not just an edit) and calls the
//! store, where the read-modify-write happens in one transaction.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use tandem_core::decision::DecisionKind;
use tandem_core::model::Day;
use tandem_core::product::{
    CapabilityLevel, Competitor, DatedValue, Direction, Feature, FeatureStatus, Feedback, FeedbackSource,
    FeedbackStatus, Importance, KeyResult, Lane, MetricKind, MetricSeries, Objective, Product, Release, ReleaseStatus,
};
use tandem_core::scoring::{Framework, Ice, Kano, Moscow, Rice, ScoringInputs, ValueEffort, Wsjf};
use tandem_core::validate::{self, Invalid};
use tandem_core::{Id, ProductAction};
use tandem_store::product::{
    CompetitorEdit, KeyResultEdit, MetricPointInput, NewFeature, NewFeedback, NewKeyResult, NewMetricSeries,
    NewProduct, ObjectiveEdit, ReleaseEdit,
};
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

// ---- features ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFeature {
    pub title: String,
    /// Markdown.
    pub description: Option<String>,
    pub lane: Option<Lane>,
    pub release_id: Option<Id>,
    pub rice: Option<Rice>,
    pub ice: Option<Ice>,
    pub wsjf: Option<Wsjf>,
    pub value_effort: Option<ValueEffort>,
    pub moscow: Option<Moscow>,
    pub kano: Option<Kano>,
    pub adoption_event: Option<String>,
}

pub async fn create_feature(state: &App, a: &InProduct, req: CreateFeature) -> Result<Feature, AppError> {
    let scored = req.rice.is_some()
        || req.ice.is_some()
        || req.wsjf.is_some()
        || req.value_effort.is_some()
        || req.moscow.is_some()
        || req.kano.is_some()
        || req.lane.is_some();
    if scored {
        a.require(PRIORITY)?;
    }
    if req.release_id.is_some() {
        a.require(RELEASE_SCOPE)?;
    }
    let inputs = ScoringInputs {
        rice: req.rice.unwrap_or_default(),
        ice: req.ice.unwrap_or_default(),
        wsjf: req.wsjf.unwrap_or_default(),
        value_effort: req.value_effort.unwrap_or_default(),
        moscow: req.moscow,
        kano: req.kano,
    };
    inputs.validate()?;
    let new = NewFeature {
        title: validate::name("title", &req.title)?,
        description: opt_text("description", req.description)?.unwrap_or_default(),
        lane: req.lane,
        release_id: req.release_id,
        inputs,
        adoption_event: validate::optional_name("adoption_event", req.adoption_event.as_deref())?,
    };
    Ok(state.store.create_feature(a.user_id, a.scope.product_id, &new, state.clock.now()).await?)
}

/// `PATCH /features/{id}`. A framework's object replaces the stored one
/// whole (send every input of it; a missing input leaves it unscored);
/// `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFeature {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<FeatureStatus>,
    /// Required when `status` becomes `rejected`.
    pub rejection_reason: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Lane>)]
    pub lane: Option<Option<Lane>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub release_id: Option<Option<Id>>,
    pub rice: Option<Rice>,
    pub ice: Option<Ice>,
    pub wsjf: Option<Wsjf>,
    pub value_effort: Option<ValueEffort>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Moscow>)]
    pub moscow: Option<Option<Moscow>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Kano>)]
    pub kano: Option<Option<Kano>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub adoption_event: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub shipped_on: Option<Option<Day>>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

impl UpdateFeature {
    /// The rights this edit needs beyond reading.
    fn needs(&self) -> Vec<ProductAction> {
        let mut v = Vec::new();
        if self.title.is_some() || self.description.is_some() || self.adoption_event.is_some() {
            v.push(ProductAction::Edit);
        }
        let priority = self.status.is_some()
            || self.rejection_reason.is_some()
            || self.shipped_on.is_some()
            || self.lane.is_some()
            || self.rice.is_some()
            || self.ice.is_some()
            || self.wsjf.is_some()
            || self.value_effort.is_some()
            || self.moscow.is_some()
            || self.kano.is_some();
        if priority {
            v.push(PRIORITY);
        }
        if self.release_id.is_some() {
            v.push(RELEASE_SCOPE);
        }
        if v.is_empty() {
            v.push(ProductAction::Edit);
        }
        v
    }
}

pub async fn update_feature(
    state: &App,
    a: &InProduct,
    feature: Id,
    version: i64,
    req: UpdateFeature,
) -> Result<Feature, AppError> {
    for need in req.needs() {
        a.require(need)?;
    }
    let title = req.title.map(|t| validate::name("title", &t)).transpose()?;
    let description = opt_text("description", req.description)?;
    let reason = opt_text("rejection_reason", req.rejection_reason)?;
    let adoption = req.adoption_event.map(|e| validate::optional_name("adoption_event", e.as_deref())).transpose()?;
    let today = Day::of(state.clock.now());
    let f = state
        .store
        .update_feature(
            a.user_id,
            feature,
            version,
            |e| {
                if let Some(v) = title {
                    e.title = v;
                }
                if let Some(v) = description {
                    e.description = v;
                }
                if let Some(v) = adoption {
                    e.adoption_event = v;
                }
                if let Some(v) = req.lane {
                    e.lane = v;
                }
                if let Some(v) = req.release_id {
                    e.release_id = v;
                }
                if let Some(v) = req.rice {
                    e.inputs.rice = v;
                }
                if let Some(v) = req.ice {
                    e.inputs.ice = v;
                }
                if let Some(v) = req.wsjf {
                    e.inputs.wsjf = v;
                }
                if let Some(v) = req.value_effort {
                    e.inputs.value_effort = v;
                }
                if let Some(v) = req.moscow {
                    e.inputs.moscow = v;
                }
                if let Some(v) = req.kano {
                    e.inputs.kano = v;
                }
                e.inputs.validate()?;
                if let Some(v) = req.shipped_on {
                    e.shipped_on = v;
                }
                if let Some(to) = req.status {
                    move_status(e, to, reason, today)?;
                } else if reason.is_some() {
                    if e.status != FeatureStatus::Rejected {
                        return Err(Invalid::new("rejection_reason", "only a rejected feature has a rejection reason"));
                    }
                    e.rejection_reason = reason;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(f)
}

/// Applies a workflow move: allowed moves only, a reason to reject, the
/// reason dropped on reopening, the ship date set when it ships.
fn move_status(
    e: &mut tandem_store::product::FeatureEdit,
    to: FeatureStatus,
    reason: Option<String>,
    today: Day,
) -> Result<(), Invalid> {
    if !e.status.may_become(to) {
        return Err(Invalid::new("status", format!("a feature cannot move from {} to {}", e.status, to)));
    }
    if to == FeatureStatus::Rejected {
        let r = reason.filter(|r| !r.trim().is_empty()).or_else(|| e.rejection_reason.clone());
        if r.is_none() {
            return Err(Invalid::new("rejection_reason", "say why the feature is rejected"));
        }
        e.rejection_reason = r;
    } else {
        if reason.is_some() {
            return Err(Invalid::new("rejection_reason", "only a rejected feature has a rejection reason"));
        }
        e.rejection_reason = None;
    }
    if matches!(to, FeatureStatus::Shipped | FeatureStatus::Measured) {
        e.shipped_on = e.shipped_on.or(Some(today));
    } else {
        e.shipped_on = None;
    }
    e.status = to;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveFeature {
    /// The feature to follow in the manual order; `null` moves it to the top.
    pub after_id: Option<Id>,
}

// ---- feedback ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFeedback {
    pub text: String,
    /// Defaults to `customer` when a customer is named, else `internal`.
    pub source: Option<FeedbackSource>,
    pub customer: Option<String>,
    pub segment: Option<String>,
    /// Customer value (e.g. ARR) in minor units, 0 or more.
    pub customer_value_minor: Option<i64>,
}

fn check_value(v: Option<i64>) -> Result<Option<i64>, Invalid> {
    match v {
        Some(n) if n < 0 => Err(Invalid::new("customer_value_minor", "must be 0 or more")),
        other => Ok(other),
    }
}

pub async fn create_feedback(state: &App, a: &InProduct, req: CreateFeedback) -> Result<Feedback, AppError> {
    let customer = validate::optional_name("customer", req.customer.as_deref())?;
    let source =
        req.source.unwrap_or(if customer.is_some() { FeedbackSource::Customer } else { FeedbackSource::Internal });
    let new = NewFeedback {
        text: validate::required_text("text", &req.text)?,
        source,
        customer,
        segment: validate::optional_name("segment", req.segment.as_deref())?,
        customer_value_minor: check_value(req.customer_value_minor)?,
    };
    Ok(state.store.create_feedback(a.user_id, a.scope.product_id, &new, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFeedback {
    pub text: Option<String>,
    pub source: Option<FeedbackSource>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub customer: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub segment: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub customer_value_minor: Option<Option<i64>>,
    /// `new`, `triaged` or `archived`; `linked` follows from links.
    pub status: Option<FeedbackStatus>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_feedback(
    state: &App,
    a: &InProduct,
    fb: Id,
    version: i64,
    req: UpdateFeedback,
) -> Result<Feedback, AppError> {
    if req.status == Some(FeedbackStatus::Linked) {
        return Err(AppError::invalid("status", "feedback becomes `linked` by linking it to a feature"));
    }
    let text = req.text.map(|t| validate::required_text("text", &t)).transpose()?;
    let customer = req.customer.map(|c| validate::optional_name("customer", c.as_deref())).transpose()?;
    let segment = req.segment.map(|c| validate::optional_name("segment", c.as_deref())).transpose()?;
    let value = req.customer_value_minor.map(check_value).transpose()?;
    let f = state
        .store
        .update_feedback(
            a.user_id,
            fb,
            version,
            |e| {
                if let Some(v) = text {
                    e.text = v;
                }
                if let Some(v) = req.source {
                    e.source = v;
                }
                if let Some(v) = customer {
                    e.customer = v;
                }
                if let Some(v) = segment {
                    e.segment = v;
                }
                if let Some(v) = value {
                    e.customer_value_minor = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(f)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkFeedback {
    pub feature_id: Id,
    /// 1 nice to have, 2 important (default), 3 critical.
    pub importance: Option<Importance>,
}

// ---- releases ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRelease {
    pub name: String,
    pub target_date: Option<Day>,
    pub status: Option<ReleaseStatus>,
    pub notes: Option<String>,
}

pub async fn create_release(state: &App, a: &InProduct, req: CreateRelease) -> Result<Release, AppError> {
    let edit = ReleaseEdit {
        name: validate::name("name", &req.name)?,
        target_date: req.target_date,
        status: req.status.unwrap_or(ReleaseStatus::Planned),
        notes: opt_text("notes", req.notes)?.unwrap_or_default(),
    };
    Ok(state.store.create_release(a.user_id, a.scope.product_id, &edit, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRelease {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_date: Option<Option<Day>>,
    pub status: Option<ReleaseStatus>,
    pub notes: Option<String>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_release(
    state: &App,
    a: &InProduct,
    rel: Id,
    version: i64,
    req: UpdateRelease,
) -> Result<Release, AppError> {
    if req.target_date.is_some() {
        a.require(RELEASE_SCOPE)?;
    }
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let notes = opt_text("notes", req.notes)?;
    let r = state
        .store
        .update_release(
            a.user_id,
            rel,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.target_date {
                    e.target_date = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = notes {
                    e.notes = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(r)
}

// ---- objectives and key results ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateObjective {
    pub title: String,
    /// `2026`, `2026-H1`, `2026-Q3` or `2026-07`.
    pub period: String,
    pub owner_id: Option<Id>,
}

pub async fn create_objective(state: &App, a: &InProduct, req: CreateObjective) -> Result<Objective, AppError> {
    if let Some(o) = req.owner_id {
        check_member(state, a.scope.workspace_id, o, "owner_id").await?;
    }
    let e = ObjectiveEdit {
        title: validate::name("title", &req.title)?,
        period: validate::period(&req.period)?,
        owner_id: req.owner_id,
    };
    Ok(state.store.create_objective(a.user_id, a.scope.product_id, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateObjective {
    pub title: Option<String>,
    pub period: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<Id>>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_objective(
    state: &App,
    a: &InProduct,
    obj: Id,
    version: i64,
    req: UpdateObjective,
) -> Result<Objective, AppError> {
    if let Some(Some(o)) = req.owner_id {
        check_member(state, a.scope.workspace_id, o, "owner_id").await?;
    }
    let title = req.title.map(|t| validate::name("title", &t)).transpose()?;
    let period = req.period.map(|p| validate::period(&p)).transpose()?;
    let o = state
        .store
        .update_objective(
            a.user_id,
            obj,
            version,
            |e| {
                if let Some(v) = title {
                    e.title = v;
                }
                if let Some(v) = period {
                    e.period = v;
                }
                if let Some(v) = req.owner_id {
                    e.owner_id = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(o)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyResult {
    pub metric: String,
    pub unit: Option<String>,
    pub baseline: f64,
    pub target: f64,
    /// Defaults to the baseline.
    pub current: Option<f64>,
    /// Defaults from the target: above the baseline is `increase`.
    pub direction: Option<Direction>,
    #[serde(default)]
    pub feature_ids: Vec<Id>,
}

fn check_bets(ids: &[Id]) -> Result<(), Invalid> {
    if ids.len() > MAX_BETS {
        return Err(Invalid::new("feature_ids", format!("at most {MAX_BETS} features")));
    }
    Ok(())
}

pub async fn create_key_result(
    state: &App,
    a: &InProduct,
    obj: Id,
    req: CreateKeyResult,
) -> Result<KeyResult, AppError> {
    let baseline = validate::finite("baseline", req.baseline)?;
    let target = validate::finite("target", req.target)?;
    let current = validate::finite("current", req.current.unwrap_or(baseline))?;
    check_bets(&req.feature_ids)?;
    let direction = req.direction.unwrap_or(if target >= baseline { Direction::Increase } else { Direction::Decrease });
    let new = NewKeyResult {
        metric: validate::name("metric", &req.metric)?,
        unit: validate::optional_name("unit", req.unit.as_deref())?.unwrap_or_default(),
        baseline,
        target,
        current,
        direction,
        feature_ids: req.feature_ids,
    };
    let now = state.clock.now();
    Ok(state.store.create_key_result(a.user_id, obj, &new, Day::of(now), now).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyResult {
    pub metric: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// A new current value, recorded in the history.
    pub current: Option<f64>,
    /// The date the new current value was measured (default today).
    pub as_of: Option<Day>,
    pub direction: Option<Direction>,
    /// Replaces the features this key result bets on.
    pub feature_ids: Option<Vec<Id>>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_key_result(
    state: &App,
    a: &InProduct,
    kr: Id,
    version: i64,
    req: UpdateKeyResult,
) -> Result<KeyResult, AppError> {
    let metric = req.metric.map(|m| validate::name("metric", &m)).transpose()?;
    let unit = req.unit.map(|u| validate::optional_name("unit", Some(&u))).transpose()?;
    let baseline = req.baseline.map(|v| validate::finite("baseline", v)).transpose()?;
    let target = req.target.map(|v| validate::finite("target", v)).transpose()?;
    let current = req.current.map(|v| validate::finite("current", v)).transpose()?;
    if let Some(ids) = &req.feature_ids {
        check_bets(ids)?;
    }
    let now = state.clock.now();
    let as_of = req.as_of.unwrap_or(Day::of(now));
    let k = state
        .store
        .update_key_result(
            a.user_id,
            kr,
            version,
            as_of,
            |e: &mut KeyResultEdit| {
                if let Some(v) = metric {
                    e.metric = v;
                }
                if let Some(v) = unit {
                    e.unit = v.unwrap_or_default();
                }
                if let Some(v) = baseline {
                    e.baseline = v;
                }
                if let Some(v) = target {
                    e.target = v;
                }
                if let Some(v) = current {
                    e.current = v;
                }
                if let Some(v) = req.direction {
                    e.direction = v;
                }
                if let Some(v) = req.feature_ids {
                    e.feature_ids = v;
                }
                Ok(())
            },
            now,
        )
        .await?;
    Ok(k)
}

// ---- competitors ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCompetitor {
    pub name: String,
    pub notes: Option<String>,
    /// Capability name → `has`, `partial` or `none`.
    #[serde(default)]
    pub capabilities: BTreeMap<String, CapabilityLevel>,
}

fn clean_capabilities(
    raw: BTreeMap<String, Option<CapabilityLevel>>,
    into: &mut BTreeMap<String, CapabilityLevel>,
) -> Result<(), Invalid> {
    for (name, level) in raw {
        let name = validate::name("capabilities", &name)?;
        match level {
            Some(l) => into.insert(name, l),
            None => into.remove(&name),
        };
    }
    if into.len() > MAX_CAPABILITIES {
        return Err(Invalid::new("capabilities", format!("at most {MAX_CAPABILITIES} per competitor")));
    }
    Ok(())
}

pub async fn create_competitor(state: &App, a: &InProduct, req: CreateCompetitor) -> Result<Competitor, AppError> {
    let mut capabilities = BTreeMap::new();
    clean_capabilities(req.capabilities.into_iter().map(|(k, v)| (k, Some(v))).collect(), &mut capabilities)?;
    let e = CompetitorEdit {
        name: validate::name("name", &req.name)?,
        notes: opt_text("notes", req.notes)?.unwrap_or_default(),
        capabilities,
    };
    Ok(state.store.create_competitor(a.user_id, a.scope.product_id, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCompetitor {
    pub name: Option<String>,
    pub notes: Option<String>,
    /// Capabilities to set; `null` removes one. Others stay.
    #[schema(value_type = Option<Object>)]
    pub capabilities: Option<BTreeMap<String, Option<CapabilityLevel>>>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_competitor(
    state: &App,
    a: &InProduct,
    c: Id,
    version: i64,
    req: UpdateCompetitor,
) -> Result<Competitor, AppError> {
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let notes = opt_text("notes", req.notes)?;
    let c = state
        .store
        .update_competitor(
            a.user_id,
            c,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = notes {
                    e.notes = v;
                }
                if let Some(caps) = req.capabilities {
                    clean_capabilities(caps, &mut e.capabilities)?;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(c)
}

// ---- metrics ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMetric {
    pub name: String,
    /// Defaults to `custom`.
    pub kind: Option<MetricKind>,
    pub unit: Option<String>,
    #[serde(default)]
    pub points: Vec<DatedValue>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPoints {
    /// Values by date; a date already recorded is replaced.
    pub points: Vec<DatedValue>,
}

fn points(raw: &[DatedValue]) -> Result<Vec<MetricPointInput>, Invalid> {
    if raw.len() > MAX_POINTS_PER_REQUEST {
        return Err(Invalid::new("points", format!("at most {MAX_POINTS_PER_REQUEST} values per request")));
    }
    raw.iter().map(|p| Ok(MetricPointInput { date: p.date, value: validate::finite("points", p.value)? })).collect()
}

pub async fn create_metric(state: &App, a: &InProduct, req: CreateMetric) -> Result<MetricSeries, AppError> {
    let name = validate::name("name", &req.name)?;
    let unit = validate::optional_name("unit", req.unit.as_deref())?.unwrap_or_default();
    let new =
        NewMetricSeries { name, kind: req.kind.unwrap_or(MetricKind::Custom), unit, points: points(&req.points)? };
    Ok(state.store.create_metric_series(a.user_id, a.scope.product_id, &new, state.clock.now()).await?)
}

pub async fn record_points(state: &App, a: &InProduct, s: Id, req: RecordPoints) -> Result<MetricSeries, AppError> {
    let pts = points(&req.points)?;
    if pts.is_empty() {
        return Err(AppError::invalid("points", "send at least one value"));
    }
    Ok(state.store.record_metric_points(a.user_id, s, &pts, state.clock.now()).await?)
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

/// The framework a `sort` parameter names, or the product's default.
pub fn framework(sort: Option<&str>, default: Framework) -> Result<Framework, AppError> {
    match sort {
        None | Some("") => Ok(default),
        Some(s) => Framework::parse(s)
            .ok_or_else(|| AppError::BadOption(format!("sort must be one of {}", Framework::words()))),
    }
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
        O::Product | O::Feedback => return Err(AppError::NotFound),
    }
    Ok(())
}

/// Moves a feature in the manual order (after `after`, or first).
pub async fn move_feature(state: &App, a: &InProduct, feature: Id, after: Option<Id>) -> Result<Feature, AppError> {
    Ok(state.store.move_feature(a.user_id, feature, after, state.clock.now()).await?)
}

/// Links feedback to a feature with an importance; the feedback becomes linked.
pub async fn link_feedback(
    state: &App,
    a: &InProduct,
    feedback: Id,
    feature: Id,
    importance: tandem_core::product::Importance,
) -> Result<Feedback, AppError> {
    Ok(state.store.link_feedback(a.user_id, feedback, feature, importance, state.clock.now()).await?)
}

pub async fn unlink_feedback(state: &App, a: &InProduct, feedback: Id, feature: Id) -> Result<Feedback, AppError> {
    Ok(state.store.unlink_feedback(a.user_id, feedback, feature, state.clock.now()).await?)
}
