//! Metric series fed from events: their values recomputed from the day
//! sets whenever events arrive or a person is forgotten, which moves the
//! key results following them.

use tandem_core::analytics::{self, People, Period};
use tandem_core::model::Day;
use tandem_core::product::{MetricKind, MetricSource};
use tandem_core::{Id, validate};
use tandem_store::analytics::DaySet;
use tandem_store::product::{FedSeries, MetricPointInput};

use super::{MAX_DAYS, calendar};
use crate::App;
use crate::error::AppError;

/// How far back a series is filled when it starts being fed.
pub const BACKFILL_DAYS: i32 = 365;

/// Checks what a new series of `kind` would be fed from (an adoption
/// series names a feature of `product` that has an adoption event).
pub async fn check_source(
    state: &App,
    product: Id,
    kind: MetricKind,
    source: MetricSource,
) -> Result<MetricSource, AppError> {
    let s = source.checked(kind)?;
    if let Some(f) = s.feature_id {
        let feature = state.store.feature(f).await.ok().filter(|x| x.product_id == product);
        let feature = feature.ok_or_else(|| {
            AppError::invalid("source.feature_id", format!("{f} is not one of this product's features"))
        })?;
        if feature.adoption_event.as_deref().is_none_or(|e| e.trim().is_empty()) {
            return Err(AppError::invalid(
                "source.feature_id",
                "that feature names no adoption event: set one on the feature first",
            ));
        }
    }
    Ok(s)
}

/// Recomputes the product's fed series from day `since` (the last
/// [`BACKFILL_DAYS`] without one) to today.
pub async fn refresh(state: &App, product: Id, since: Option<i32>) -> Result<(), AppError> {
    let fed = state.store.fed_series(product).await?;
    if fed.is_empty() {
        return Ok(());
    }
    let ws = state.store.product(product).await?.workspace_id;
    let (_, today) = calendar(state, ws).await?;
    let from = since.unwrap_or(i32::MIN).clamp(today - BACKFILL_DAYS, today);
    for s in &fed {
        let values = values(state, product, s, from, today).await?;
        let points: Vec<MetricPointInput> =
            values.into_iter().map(|(d, value)| MetricPointInput { date: Day(analytics::date_of(d)), value }).collect();
        state.store.feed_metric(s.id, &points, state.clock.now()).await?;
    }
    Ok(())
}

/// A share as a percentage with two decimals.
fn percent(share: f64) -> f64 {
    (share * 10_000.0).round() / 100.0
}

fn pairs(sets: &[DaySet]) -> Vec<(i32, &People)> {
    sets.iter().map(|x| (x.day, &x.people)).collect()
}

/// The series' value on each day from `from` to `today` that has one.
async fn values(state: &App, product: Id, s: &FedSeries, from: i32, today: i32) -> Result<Vec<(i32, f64)>, AppError> {
    let event = s.source.event.as_deref();
    match s.kind {
        MetricKind::Dau | MetricKind::Wau | MetricKind::Mau => {
            let sets = state.store.analytics_days(product, event, from - 29, today).await?;
            // Nothing before the first data: a series starts with its events.
            let Some(first) = sets.first().map(|x| x.day) else { return Ok(Vec::new()) };
            let days = analytics::active(&pairs(&sets), from.max(first), today);
            Ok(days
                .into_iter()
                .map(|d| {
                    let n = match s.kind {
                        MetricKind::Dau => d.dau,
                        MetricKind::Wau => d.wau,
                        _ => d.mau,
                    };
                    (analytics::day_number(d.date.0), n as f64)
                })
                .collect())
        }
        MetricKind::Retention => {
            // The cohort whose following week holds `from` changes too.
            let first = Period::Week.start_of(from) - 7;
            let seen = super::seen_before(state, product, event, first).await?;
            let starts = state.store.analytics_days(product, event, first, today).await?;
            let returns = state.store.analytics_days(product, s.source.return_event.as_deref(), first, today).await?;
            let mut s_days = vec![(first - 1, &seen)];
            s_days.extend(pairs(&starts));
            let cohorts = analytics::retention(&s_days, &pairs(&returns), Period::Week, (first, today, today), 2);
            Ok(cohorts
                .into_iter()
                .map(|c| (analytics::day_number(c.start.0), c))
                // Dated once the week after the cohort's is over.
                .filter(|(start, c)| c.size > 0 && start + 14 <= today && c.retained.len() == 2)
                .map(|(start, c)| (start, percent(c.retained[1] as f64 / c.size as f64)))
                .collect())
        }
        MetricKind::Adoption => {
            let Some(f) = s.source.feature_id else { return Ok(Vec::new()) };
            // A feature deleted since, or no longer naming an event, feeds nothing.
            let Ok(feature) = state.store.feature(f).await else { return Ok(Vec::new()) };
            let (Some(event), Some(shipped)) = (
                feature.adoption_event.as_deref().map(str::trim).filter(|e| !e.is_empty()),
                feature.shipped_on.map(|d| analytics::day_number(d.0)),
            ) else {
                return Ok(Vec::new());
            };
            let since = shipped.max(today - MAX_DAYS);
            if since > today {
                return Ok(Vec::new());
            }
            let used = state.store.analytics_days(product, Some(event), since, today).await?;
            let any = state.store.analytics_days(product, None, since, today).await?;
            // Cumulative: every day since it shipped, whatever arrived.
            let rates = analytics::adoption_by_day(&pairs(&used), &pairs(&any), since, (since, today));
            Ok(rates.into_iter().map(|(d, r)| (d, percent(r))).collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// Rejects typed values for a fed series.
pub fn check_typed(source: Option<&MetricSource>) -> Result<(), validate::Invalid> {
    match source {
        Some(_) => Err(validate::Invalid::new("points", "this series is fed from events; its values cannot be typed")),
        None => Ok(()),
    }
}
