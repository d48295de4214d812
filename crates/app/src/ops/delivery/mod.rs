//! Resources, time, baselines, earned value, utilisation and levelling:
//! the operations behind the project side's effort and cost, shared by the
//! API and the pages.

mod baselines;
mod calendars;
mod time;
mod utilisation;

pub use baselines::*;
pub use calendars::*;
pub use time::*;
pub use utilisation::*;

use std::collections::HashMap;

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::project::WorkCalendar;
use tandem_core::tracking::{Resource, ResourceKind, max_units, rate};
use tandem_core::validate::{self};
use tandem_store::resources::ResourceEdit;
use utoipa::ToSchema;

use crate::App;
use crate::error::AppError;
use crate::plan;

// ---- resources ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResource {
    pub name: String,
    pub user_id: Option<Id>,
    /// `work` (default), `material` or `cost`.
    #[serde(rename = "type")]
    pub kind: Option<ResourceKind>,
    /// Percent of full time (default 100).
    pub max_units: Option<i64>,
    /// Standard rate per hour in minor units (default 0).
    pub rate_minor: Option<i64>,
    /// Its own working time (default: the project's calendar).
    pub calendar: Option<WorkCalendar>,
}

fn checked_resource_calendar(c: Option<WorkCalendar>) -> Result<Option<WorkCalendar>, AppError> {
    if let Some(c) = &c {
        c.check()?;
        plan::calendar(c)?;
    }
    Ok(c)
}

pub async fn create_resource(state: &App, actor: Id, ws: Id, req: CreateResource) -> Result<Resource, AppError> {
    let e = ResourceEdit {
        name: validate::name("name", &req.name)?,
        user_id: req.user_id,
        kind: req.kind.unwrap_or(ResourceKind::Work),
        max_units: max_units(req.max_units.unwrap_or(100))?,
        rate_minor: rate(req.rate_minor.unwrap_or(0))?,
        calendar: checked_resource_calendar(req.calendar)?,
    };
    Ok(state.store.create_resource(actor, ws, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResource {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<String>)]
    pub user_id: Option<Option<Id>>,
    #[serde(rename = "type")]
    pub kind: Option<ResourceKind>,
    pub max_units: Option<i64>,
    pub rate_minor: Option<i64>,
    /// `null` puts the resource back on the project's calendar.
    #[serde(default, deserialize_with = "super::product::nullable")]
    #[schema(value_type = Option<WorkCalendar>)]
    pub calendar: Option<Option<WorkCalendar>>,
    pub version: Option<i64>,
}

pub async fn update_resource(
    state: &App,
    actor: Id,
    r: Id,
    version: i64,
    req: UpdateResource,
) -> Result<Resource, AppError> {
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let units = req.max_units.map(max_units).transpose()?;
    let rate_minor = req.rate_minor.map(rate).transpose()?;
    let calendar = req.calendar.map(checked_resource_calendar).transpose()?;
    Ok(state
        .store
        .update_resource(
            actor,
            r,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.user_id {
                    e.user_id = v;
                }
                if let Some(v) = req.kind {
                    e.kind = v;
                }
                if let Some(v) = units {
                    e.max_units = v;
                }
                if let Some(v) = rate_minor {
                    e.rate_minor = v;
                }
                if let Some(v) = calendar {
                    e.calendar = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?)
}

pub fn rates(resources: &[Resource]) -> HashMap<Id, i64> {
    resources.iter().map(|r| (r.id, r.rate_minor)).collect()
}
