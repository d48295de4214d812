//! Release forecasts: the latest scheduled finish of the tasks that deliver
//! a release's features, late when after the release's target date. The
//! product side reads what the project side's schedule says.

use std::collections::{BTreeSet, HashMap};
use tandem_core::progress::is_late;

use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::product::{Forecast, Release};
use tandem_sched::Minute;

use crate::App;
use crate::error::AppError;

/// Scheduled finishes by task id, each project scheduled once however
/// many forecasts of one request ask for it.
#[derive(Debug, Default)]
pub struct Finishes {
    scheduled: BTreeSet<Id>,
    by_task: HashMap<Id, Minute>,
}

impl Finishes {
    /// The finishes, with every project of `projects` scheduled.
    async fn of(&mut self, state: &App, projects: BTreeSet<Id>) -> Result<&HashMap<Id, Minute>, AppError> {
        for p in projects {
            if !self.scheduled.insert(p) {
                continue;
            }
            // A plan the engine cannot schedule gives no forecast rather than an error page.
            match crate::schedules::computed(state, p).await {
                Ok(c) => self.by_task.extend(c.plan.tasks.iter().zip(&c.schedule.finish).map(|(t, f)| (t.id, *f))),
                Err(AppError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(&self.by_task)
    }
}

/// Fills `forecast` on the product's releases from the schedules of the
/// projects whose tasks deliver their features.
pub async fn fill(state: &App, product: Id, releases: &mut [Release]) -> Result<(), AppError> {
    fill_with(state, &mut Finishes::default(), product, releases).await
}

async fn fill_with(
    state: &App,
    schedules: &mut Finishes,
    product: Id,
    releases: &mut [Release],
) -> Result<(), AppError> {
    let delivering = state.store.delivering_tasks(product).await?;
    if delivering.is_empty() {
        return Ok(());
    }
    let finish = schedules.of(state, delivering.iter().map(|d| d.project_id).collect()).await?;
    for r in releases.iter_mut() {
        let latest = delivering.iter().filter(|d| d.release_id == r.id).filter_map(|d| finish.get(&d.task_id)).max();
        if let Some(date) = latest.and_then(|m| tandem_sched::time::to_datetime(*m)).map(|t| Day(t.date())) {
            r.forecast = Some(Forecast { date, late: is_late(date, r.target_date) });
            r.forecast_reason = None;
        }
    }
    Ok(())
}

/// The product's releases with their forecasts.
pub async fn releases(state: &App, product: Id) -> Result<Vec<Release>, AppError> {
    let mut list = state.store.releases(product).await?;
    fill(state, product, &mut list).await?;
    Ok(list)
}

/// One release with its forecast.
pub async fn release(state: &App, id: Id) -> Result<Release, AppError> {
    let mut r = state.store.release(id).await?;
    fill(state, r.product_id, std::slice::from_mut(&mut r)).await?;
    Ok(r)
}

/// Fills `delivery` on every key result of `objectives` from the
/// schedules of the projects whose tasks deliver their features.
pub async fn fill_key_results(state: &App, objectives: &mut [tandem_core::product::Objective]) -> Result<(), AppError> {
    fill_key_results_with(state, &mut Finishes::default(), objectives).await
}

async fn fill_key_results_with(
    state: &App,
    schedules: &mut Finishes,
    objectives: &mut [tandem_core::product::Objective],
) -> Result<(), AppError> {
    let mut features: Vec<Id> = Vec::new();
    for o in objectives.iter() {
        for k in &o.key_results {
            features.extend(k.feature_ids.iter().copied());
        }
    }
    features.sort();
    features.dedup();
    let mut by_feature: HashMap<Id, Vec<tandem_core::project::Task>> = HashMap::new();
    for f in features {
        by_feature.insert(f, state.store.tasks_delivering(f).await?);
    }
    let projects: BTreeSet<Id> = by_feature.values().flatten().map(|t| t.project_id).collect();
    let finish = schedules.of(state, projects).await?;
    for o in objectives.iter_mut() {
        let due = tandem_core::product::period_end(&o.period);
        for k in o.key_results.iter_mut() {
            let tasks: Vec<&tandem_core::project::Task> = k
                .feature_ids
                .iter()
                .flat_map(|f| by_feature.get(f).into_iter().flatten())
                .filter(|t| t.kind != tandem_core::project::TaskKind::Summary)
                .collect();
            let total: i64 = tasks.iter().map(|t| t.duration_minutes).sum();
            let percent_complete = match (tasks.len(), total) {
                (0, _) => None,
                (n, 0) => Some(tasks.iter().map(|t| t.percent_complete as f64).sum::<f64>() / n as f64 / 100.0),
                (_, total) => Some(
                    tasks.iter().map(|t| t.duration_minutes as f64 * t.percent_complete as f64).sum::<f64>()
                        / total as f64
                        / 100.0,
                ),
            };
            let forecast = tasks
                .iter()
                .filter_map(|t| finish.get(&t.id))
                .max()
                .and_then(|m| tandem_sched::time::to_datetime(*m))
                .map(|t| Day(t.date()));
            k.delivery = Some(tandem_core::product::KrDelivery {
                features: k.feature_ids.len(),
                tasks: tasks.len(),
                percent_complete,
                forecast,
                due,
                late: forecast.is_some_and(|f| is_late(f, due)),
            });
        }
    }
    Ok(())
}

/// The product's objectives with the delivery forecast of each key result.
pub async fn objectives(state: &App, product: Id) -> Result<Vec<tandem_core::product::Objective>, AppError> {
    let mut list = state.store.objectives(product).await?;
    fill_key_results(state, &mut list).await?;
    Ok(list)
}

/// The product's releases and objectives with their forecasts, each
/// delivering project scheduled once for both.
pub async fn releases_and_objectives(
    state: &App,
    product: Id,
) -> Result<(Vec<Release>, Vec<tandem_core::product::Objective>), AppError> {
    let mut schedules = Finishes::default();
    let mut releases = state.store.releases(product).await?;
    fill_with(state, &mut schedules, product, &mut releases).await?;
    let mut objectives = state.store.objectives(product).await?;
    fill_key_results_with(state, &mut schedules, &mut objectives).await?;
    Ok((releases, objectives))
}
