//! Objectives and key results, and the features they bet on.

use super::*;

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::product::{Direction, KeyResult, Objective};
use tandem_core::validate::{self, Invalid};
use tandem_store::product::{KeyResultEdit, NewKeyResult, ObjectiveEdit};
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;

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
    /// A metric series of the product to follow: the current value is
    /// then that series' latest, and moves with it.
    pub metric_id: Option<Id>,
}

/// A typed value for a key result that follows a metric series.
fn following(field: &'static str) -> Invalid {
    Invalid::new(field, "this key result follows a metric series: its current value comes from there")
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
        metric_id: req.metric_id,
    };
    if req.metric_id.is_some() && req.current.is_some() {
        return Err(following("current").into());
    }
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
    /// Follow this metric series (`null`: stop following and take typed
    /// values again).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub metric_id: Option<Option<Id>>,
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
                if let Some(v) = req.metric_id {
                    e.metric_id = v;
                }
                if current.is_some() && e.metric_id.is_some() {
                    return Err(following("current"));
                }
                Ok(())
            },
            now,
        )
        .await?;
    Ok(k)
}
