//! Competitors with their capabilities, and metric series with their points.

use super::*;
use std::collections::BTreeMap;

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::product::{CapabilityLevel, Competitor, DatedValue, MetricKind, MetricSeries, MetricSource};
use tandem_core::validate::{self, Invalid};
use tandem_store::product::{CompetitorEdit, MetricPointInput, NewMetricSeries};
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;
use crate::ops::analytics::feed;

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
    /// Feed it from product analytics instead of typed values (`dau`,
    /// `wau`, `mau`, `retention`, `adoption`); it is filled from the
    /// last year's events at once.
    pub source: Option<MetricSource>,
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
    let kind = req.kind.unwrap_or(MetricKind::Custom);
    let source = match req.source {
        Some(s) => Some(feed::check_source(state, a.scope.product_id, kind, s).await?),
        None => None,
    };
    if !req.points.is_empty() {
        feed::check_typed(source.as_ref())?;
    }
    let new = NewMetricSeries { name, kind, unit, source, points: points(&req.points)? };
    let made = state.store.create_metric_series(a.user_id, a.scope.product_id, &new, state.clock.now()).await?;
    if made.source.is_none() {
        return Ok(made);
    }
    feed::refresh(state, a.scope.product_id, None).await?;
    Ok(state.store.metric_series(made.id).await?)
}

pub async fn record_points(state: &App, a: &InProduct, s: Id, req: RecordPoints) -> Result<MetricSeries, AppError> {
    let pts = points(&req.points)?;
    feed::check_typed(state.store.metric_series(s).await?.source.as_ref())?;
    if pts.is_empty() {
        return Err(AppError::invalid("points", "send at least one value"));
    }
    Ok(state.store.record_metric_points(a.user_id, s, &pts, state.clock.now()).await?)
}
