//! Release forecasts: the latest scheduled finish of the tasks that deliver
//! a release's features, late when after the release's target date. The
//! product side reads what the project side's schedule says.

use std::collections::{BTreeSet, HashMap};

use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::product::{Forecast, Release};
use tandem_sched::Minute;

use crate::error::ApiError;
use crate::ops::project::load_plan;
use crate::state::AppState;

/// The scheduled finish of every task of `projects`, by task id.
async fn finishes(state: &AppState, projects: BTreeSet<Id>) -> Result<HashMap<Id, Minute>, ApiError> {
    let mut out = HashMap::new();
    for p in projects {
        let plan = load_plan(state, p).await?;
        // A plan the engine cannot schedule gives no forecast rather than an error page.
        if let Ok(s) = plan.schedule() {
            out.extend(plan.tasks.iter().zip(&s.finish).map(|(t, f)| (t.id, *f)));
        }
    }
    Ok(out)
}

/// Fills `forecast` on the product's releases from the schedules of the
/// projects whose tasks deliver their features.
pub async fn fill(state: &AppState, product: Id, releases: &mut [Release]) -> Result<(), ApiError> {
    let delivering = state.store.delivering_tasks(product).await?;
    if delivering.is_empty() {
        return Ok(());
    }
    let finish = finishes(state, delivering.iter().map(|d| d.project_id).collect()).await?;
    for r in releases.iter_mut() {
        let latest = delivering.iter().filter(|d| d.release_id == r.id).filter_map(|d| finish.get(&d.task_id)).max();
        if let Some(date) = latest.and_then(|m| tandem_sched::time::to_datetime(*m)).map(|t| Day(t.date())) {
            r.forecast = Some(Forecast { date, late: r.target_date.is_some_and(|t| date > t) });
            r.forecast_reason = None;
        }
    }
    Ok(())
}

/// The product's releases with their forecasts.
pub async fn releases(state: &AppState, product: Id) -> Result<Vec<Release>, ApiError> {
    let mut list = state.store.releases(product).await?;
    fill(state, product, &mut list).await?;
    Ok(list)
}

/// One release with its forecast.
pub async fn release(state: &AppState, id: Id) -> Result<Release, ApiError> {
    let mut r = state.store.release(id).await?;
    fill(state, r.product_id, std::slice::from_mut(&mut r)).await?;
    Ok(r)
}
