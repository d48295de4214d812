//! Features: create, edit, the workflow, the manual order and the backlog's sort.

use super::*;

use serde::Deserialize;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::model::Day;
use tandem_core::product::{Feature, FeatureStatus, Lane};
use tandem_core::scoring::{Framework, Ice, Kano, Moscow, Rice, ScoringInputs, ValueEffort, Wsjf};
use tandem_core::validate::{self, Invalid};
use tandem_core::{Id, ProductAction};
use tandem_store::product::NewFeature;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;
use crate::ops::custom;

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
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
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
    let custom_fields = custom::sent(req.custom_fields)?;
    custom::check_new(state, a.scope.workspace_id, FieldObject::Feature, &custom_fields).await?;
    let new = NewFeature {
        title: validate::name("title", &req.title)?,
        description: opt_text("description", req.description)?.unwrap_or_default(),
        lane: req.lane,
        release_id: req.release_id,
        inputs,
        adoption_event: validate::optional_name("adoption_event", req.adoption_event.as_deref())?,
        custom_fields,
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
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

impl UpdateFeature {
    /// The rights this edit needs beyond reading.
    fn needs(&self) -> Vec<ProductAction> {
        let mut v = Vec::new();
        if self.title.is_some()
            || self.description.is_some()
            || self.adoption_event.is_some()
            || self.custom_fields.is_some()
        {
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
    let sent_custom = req.custom_fields.map(|v| custom::sent(Some(v))).transpose()?;
    let adoption = req.adoption_event.map(|e| validate::optional_name("adoption_event", e.as_deref())).transpose()?;
    let today = Day::of(state.clock.now());
    // What an adoption series reads: when it shipped, and which event.
    let moves_adoption = req.shipped_on.is_some() || req.status.is_some() || adoption.is_some();
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
                if let Some(v) = sent_custom {
                    custom::lay_over(&mut e.custom_fields, v);
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
    if moves_adoption {
        crate::ops::analytics::feed::refresh(state, f.product_id, None).await?;
    }
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

/// The framework a `sort` parameter names, or the product's default.
pub fn framework(sort: Option<&str>, default: Framework) -> Result<Framework, AppError> {
    match sort {
        None | Some("") => Ok(default),
        Some(s) => Framework::parse(s)
            .ok_or_else(|| AppError::BadOption(format!("sort must be one of {}", Framework::words()))),
    }
}

/// Moves a feature in the manual order (after `after`, or first).
pub async fn move_feature(state: &App, a: &InProduct, feature: Id, after: Option<Id>) -> Result<Feature, AppError> {
    Ok(state.store.move_feature(a.user_id, feature, after, state.clock.now()).await?)
}
