//! Product analytics: ingest keys, events in (Tandem's shape and
//! Segment's), and the figures out (active people per day).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_core::analytics::{self, ActiveDay, IngestKey, Rejected};
use tandem_core::model::Day;
use tandem_core::product::Feature;
use tandem_core::{Id, ProductAction, validate};
use tandem_store::analytics::{DayEvent, IngestLimits, IngestOutcome};
use tandem_store::product::ProductObject;
use utoipa::ToSchema;

pub mod feed;

use crate::access::{InProduct, product_access};
use crate::error::AppError;
use crate::{App, secrets};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    pub name: String,
}

/// A key just made: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct MadeKey {
    #[serde(flatten)]
    pub record: IngestKey,
    /// Send it as `Authorization: Bearer <key>` (or as Segment's write
    /// key); it is not shown again.
    pub key: String,
}

/// Makes a key for the product (its owner or an admin).
pub async fn create_key(state: &App, a: &InProduct, req: NewKey) -> Result<MadeKey, AppError> {
    a.require(ProductAction::Edit)?;
    let name = validate::name("name", &req.name)?;
    let key = secrets::generate("tdi_")?;
    let prefix: String = key.chars().take(10).collect();
    let record = state
        .store
        .create_ingest_key(a.user_id, a.scope.product_id, &name, (&secrets::hash(&key), &prefix), state.clock.now())
        .await?;
    Ok(MadeKey { record, key })
}

pub async fn keys(state: &App, a: &InProduct) -> Result<Vec<IngestKey>, AppError> {
    a.require(ProductAction::Edit)?;
    Ok(state.store.ingest_keys(a.scope.product_id).await?)
}

/// Revokes a key: what it sends afterwards is refused (401).
pub async fn revoke_key(state: &App, user: Id, key: Id) -> Result<(), AppError> {
    product_access(state, user, ProductObject::IngestKey, key, ProductAction::Edit).await?;
    Ok(state.store.delete_ingest_key(user, key, state.clock.now()).await?)
}

/// How a request carries its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"batch": [{event, distinct_id, timestamp, properties, uuid}]}`.
    Batch,
    /// Segment's `/v1/batch`: `{"batch": [{type, event, userId, …}]}`.
    SegmentBatch,
    /// Segment's `/v1/track`: one call.
    SegmentTrack,
}

/// What a batch came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestAnswer {
    pub accepted: usize,
    /// Events whose `uuid` (Segment's `messageId`) was seen before.
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
}

/// The live key with this secret: an unknown or revoked one is refused
/// (401).
pub async fn key(state: &App, secret: &str) -> Result<IngestKey, AppError> {
    state.store.ingest_key_by_hash(&secrets::hash(secret)).await?.ok_or(AppError::BadCredentials)
}

/// Stores what `body` carries for the key's product: each bad event is
/// rejected alone, the rest kept in one transaction.
pub async fn ingest(state: &App, key: &IngestKey, shape: Shape, body: &Value) -> Result<IngestAnswer, AppError> {
    let items: &[Value] = match shape {
        Shape::SegmentTrack => std::slice::from_ref(body),
        Shape::Batch | Shape::SegmentBatch => body
            .get("batch")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| AppError::invalid("batch", "send {\"batch\": [events]}"))?,
    };
    if items.len() > analytics::MAX_BATCH {
        return Err(AppError::invalid("batch", format!("at most {} events a request", analytics::MAX_BATCH)));
    }
    let product = state.store.product(key.product_id).await?;
    let (zone, today) = calendar(state, product.workspace_id).await?;
    let now = state.clock.now();
    let mut rejected = Vec::new();
    let mut good = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let checked = match shape {
            Shape::Batch => analytics::event(v, i, now),
            Shape::SegmentBatch | Shape::SegmentTrack => analytics::segment(v, i, now),
        };
        match checked {
            Ok(event) => good.push(DayEvent { day: analytics::day_of(event.at, &zone), event }),
            Err(r) => rejected.push(r),
        }
    }
    let keep_from = today - state.settings.analytics_raw_days;
    let limits = IngestLimits { per_minute: state.settings.ingest_per_minute, keep_from };
    let since = good.iter().map(|e| e.day).min();
    match state.store.ingest(key, &good, limits, now).await? {
        IngestOutcome::Stored(s) => {
            if s.accepted > 0 {
                // The events are kept whatever happens here: a failure
                // leaves the series as they were until the next batch.
                if let Err(e) = feed::refresh(state, key.product_id, since).await {
                    tracing::warn!(error = %e, product = %key.product_id, "analytics: fed metrics not refreshed");
                }
            }
            Ok(IngestAnswer { accepted: s.accepted, duplicates: s.duplicates, rejected })
        }
        IngestOutcome::Limited { retry_after } => Err(AppError::RateLimited { retry_after }),
    }
}

/// The workspace's time zone and today's day number in it.
pub(crate) async fn calendar(state: &App, ws: Id) -> Result<(jiff::tz::TimeZone, i32), AppError> {
    let zone = crate::zone::of(&state.store.workspace(ws).await?.time_zone);
    let today = analytics::day_of(state.clock.now(), &zone);
    Ok((zone, today))
}

/// The most event names a product lists.
pub const MAX_NAMES: i64 = 500;

/// The names of the events the product has received (every member: names
/// are no one's data).
pub async fn event_names(state: &App, a: &InProduct) -> Result<Vec<String>, AppError> {
    Ok(state.store.analytics_event_names(a.scope.product_id, MAX_NAMES).await?)
}

/// Today in the workspace's time zone: the last day the figures hold.
pub async fn today(state: &App, a: &InProduct) -> Result<Day, AppError> {
    let (_, today) = calendar(state, a.scope.workspace_id).await?;
    Ok(Day(analytics::date_of(today)))
}

/// Days an analytics query may span.
pub const MAX_DAYS: i32 = 731;

/// Active people per day `from..=to` (by default the 30 days ending
/// today in the workspace's time zone) for one event, or any.
pub async fn active(
    state: &App,
    a: &InProduct,
    from: Option<Day>,
    to: Option<Day>,
    event: Option<&str>,
) -> Result<Vec<ActiveDay>, AppError> {
    let (_, today) = calendar(state, a.scope.workspace_id).await?;
    let to = to.map_or(today, |d| analytics::day_number(d.0));
    let from = from.map_or(to - 29, |d| analytics::day_number(d.0));
    if from > to {
        return Err(AppError::invalid("from", "`from` must not be after `to`"));
    }
    if to - from >= MAX_DAYS {
        return Err(AppError::invalid("from", format!("at most {MAX_DAYS} days at once")));
    }
    let event = event.map(str::trim).filter(|e| !e.is_empty());
    let sets = state.store.analytics_days(a.scope.product_id, event, from - 29, to).await?;
    let days: Vec<(i32, &analytics::People)> = sets.iter().map(|s| (s.day, &s.people)).collect();
    Ok(analytics::active(&days, from, to))
}

/// What a retention table asks.
#[derive(Debug, Clone, Default)]
pub struct RetentionAsk {
    pub start_event: Option<String>,
    pub return_event: Option<String>,
    pub period: Option<String>,
    pub periods: Option<usize>,
    pub from: Option<Day>,
    pub to: Option<Day>,
}

/// The most periods a retention table follows.
pub const MAX_PERIODS: usize = 90;

/// Retention by cohort: people by the period of their first start event
/// (any event without one), and how many of them came back with the
/// return event (any) in each period after.
pub async fn retention(state: &App, a: &InProduct, ask: RetentionAsk) -> Result<Vec<analytics::Cohort>, AppError> {
    let period = match ask.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => analytics::Period::Week,
        Some(p) => analytics::Period::parse(p).ok_or_else(|| AppError::invalid("period", "day or week"))?,
    };
    let periods = ask.periods.unwrap_or(if period == analytics::Period::Week { 8 } else { 14 });
    if !(1..=MAX_PERIODS).contains(&periods) {
        return Err(AppError::invalid("periods", format!("from 1 to {MAX_PERIODS}")));
    }
    let (_, today) = calendar(state, a.scope.workspace_id).await?;
    let to = ask.to.map_or(today, |d| analytics::day_number(d.0));
    let from = ask
        .from
        .map_or_else(|| period.start_of(to) - period.days() * (periods as i32 - 1), |d| analytics::day_number(d.0));
    if from > to {
        return Err(AppError::invalid("from", "`from` must not be after `to`"));
    }
    if to - from >= MAX_DAYS {
        return Err(AppError::invalid("from", format!("at most {MAX_DAYS} days at once")));
    }
    let name = |e: &Option<String>| e.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned);
    let (start_event, return_event) = (name(&ask.start_event), name(&ask.return_event));
    let last = today.min(period.start_of(to) + period.days() * periods as i32);
    let last_start = period.start_of(to) + period.days() - 1;
    let first = period.start_of(from);
    let seen = seen_before(state, a.scope.product_id, start_event.as_deref(), first).await?;
    let starts = state.store.analytics_days(a.scope.product_id, start_event.as_deref(), first, last_start).await?;
    let returns = state.store.analytics_days(a.scope.product_id, return_event.as_deref(), from, last).await?;
    let mut s: Vec<(i32, &analytics::People)> = vec![(first - 1, &seen)];
    s.extend(starts.iter().map(|x| (x.day, &x.people)));
    let r: Vec<(i32, &analytics::People)> = returns.iter().map(|x| (x.day, &x.people)).collect();
    Ok(analytics::retention(&s, &r, period, (from, to, today), periods))
}

/// The people who did `event` (any event without one) before `day`: the
/// whole weeks from their roll-ups, the rest of `day`'s week from its days
/// (who is new in a cohort is who was never seen before it).
pub(crate) async fn seen_before(
    state: &App,
    product: Id,
    event: Option<&str>,
    day: i32,
) -> Result<analytics::People, AppError> {
    let monday = analytics::Period::Week.start_of(day);
    let mut seen = analytics::People::default();
    for w in state.store.analytics_weeks(product, event, i32::MIN, monday - 7).await? {
        seen.0 |= w.people.0;
    }
    for d in state.store.analytics_days(product, event, monday, day - 1).await? {
        seen.0 |= d.people.0;
    }
    Ok(seen)
}

/// The most steps of a funnel, and the longest window.
pub const MAX_STEPS: usize = 10;
const _: () = assert!(MAX_STEPS <= analytics::MAX_FUNNEL_STEPS);
pub const MAX_WINDOW_DAYS: i64 = 90;

/// A funnel's steps and the people reaching each.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStep {
    pub event: String,
    pub users: u64,
}

/// People entering with the first step between `from` and the end of
/// `to` (the last 30 days by default), then doing each step in order
/// within `window_days` (14 by default) of entering.
pub async fn funnel(
    state: &App,
    a: &InProduct,
    steps: &str,
    window_days: Option<i64>,
    (from, to): (Option<Day>, Option<Day>),
) -> Result<Vec<FunnelStep>, AppError> {
    let names: Vec<&str> = steps.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if !(2..=MAX_STEPS).contains(&names.len()) {
        return Err(AppError::invalid("steps", format!("2 to {MAX_STEPS} events, separated by commas")));
    }
    if names.iter().enumerate().any(|(i, n)| names[..i].contains(n)) {
        return Err(AppError::invalid("steps", "each step is a different event"));
    }
    let window = window_days.unwrap_or(14);
    if !(1..=MAX_WINDOW_DAYS).contains(&window) {
        return Err(AppError::invalid("window_days", format!("from 1 to {MAX_WINDOW_DAYS}")));
    }
    let (zone, today) = calendar(state, a.scope.workspace_id).await?;
    let to = to.map_or(today, |d| analytics::day_number(d.0));
    let from = from.map_or(to - 29, |d| analytics::day_number(d.0));
    if from > to || to - from >= MAX_DAYS {
        return Err(AppError::invalid("from", format!("`from` before `to`, at most {MAX_DAYS} days")));
    }
    let midnight =
        |day: i32| analytics::date_of(day).to_zoned(zone.clone()).map_or(0, |z| z.timestamp().as_millisecond());
    let (start, until) = (midnight(from), midnight(to + 1));
    let window_ms = window * 24 * 3600 * 1000;
    // A day either side: an event's day is the zone's when it arrived.
    let days = (from - 1, to + window as i32 + 1);
    let pieces = state.store.analytics_trails(a.scope.product_id, &names, days).await?;
    let mut counted = analytics::Funnel::new(names.len(), (start, until), window_ms);
    let mut day = None;
    for piece in &pieces {
        if day.is_some_and(|d| d != piece.day) {
            counted.end_day();
        }
        day = Some(piece.day);
        for m in analytics::trail::marks(piece.day, &piece.marks) {
            counted.push(piece.name, m.person, m.at);
        }
    }
    let reached = counted.reached();
    Ok(names.iter().zip(reached).map(|(n, users)| FunnelStep { event: (*n).to_owned(), users }).collect())
}

/// A shipped feature's adoption: the people doing its adoption event since
/// it shipped, against everyone active since (and week by week).
pub async fn adoption(state: &App, user: Id, feature: Id) -> Result<analytics::Adoption, AppError> {
    let a = product_access(state, user, ProductObject::Feature, feature, ProductAction::Read).await?;
    let f = state.store.feature(feature).await?;
    feature_adoption(state, a.scope.workspace_id, &f).await?.ok_or_else(|| {
        AppError::invalid("adoption_event", "the feature names no adoption event: set one on the feature first")
    })
}

/// A feature's adoption (for a reader already allowed to see it); `None`
/// when it names no adoption event.
pub async fn feature_adoption(state: &App, ws: Id, f: &Feature) -> Result<Option<analytics::Adoption>, AppError> {
    let Some(event) = f.adoption_event.as_deref().map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let (_, today) = calendar(state, ws).await?;
    let since = f.shipped_on.map(|d| analytics::day_number(d.0));
    let from = since.unwrap_or(today).max(today - MAX_DAYS);
    let used = by_week(state, f.product_id, Some(event), from, today).await?;
    let any = by_week(state, f.product_id, None, from, today).await?;
    let u: Vec<(i32, &analytics::People)> = used.iter().map(|(d, p)| (*d, p)).collect();
    let all: Vec<(i32, &analytics::People)> = any.iter().map(|(d, p)| (*d, p)).collect();
    Ok(Some(analytics::adoption(event, &u, &all, since, today)))
}

/// An event's people `from..=to` a set per week (weeks wholly inside from
/// their roll-ups, the two ends from their days), each dated at its first
/// day in the span: what adoption's unions need, at a seventh of the reads
/// of day sets (dashboards, release and feature pages ask for it).
async fn by_week(
    state: &App,
    product: Id,
    event: Option<&str>,
    from: i32,
    to: i32,
) -> Result<Vec<(i32, analytics::People)>, AppError> {
    let week = |d: i32| analytics::Period::Week.start_of(d);
    let (first_whole, last_whole) = (if week(from) == from { from } else { week(from) + 7 }, week(to + 1) - 7);
    let mut out: std::collections::BTreeMap<i32, analytics::People> = std::collections::BTreeMap::new();
    if first_whole <= last_whole {
        for w in state.store.analytics_weeks(product, event, first_whole, last_whole).await? {
            out.insert(w.day, w.people);
        }
    }
    let ends =
        if first_whole <= last_whole { [(from, first_whole - 1), (last_whole + 7, to)] } else { [(from, to), (1, 0)] };
    for (lo, hi) in ends.into_iter().filter(|(lo, hi)| lo <= hi) {
        for d in state.store.analytics_days(product, event, lo, hi).await? {
            out.entry(week(d.day).max(from)).or_default().0 |= d.people.0;
        }
    }
    Ok(out.into_iter().collect())
}

/// What forgetting a person removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Forgotten {
    pub events_deleted: u64,
}

/// Forgets one person (by the id their events carried): their events and
/// their place in every figure. The product's owner or an admin.
pub async fn forget_person(state: &App, a: &InProduct, distinct_id: &str) -> Result<Forgotten, AppError> {
    a.require(ProductAction::Edit)?;
    let n = state.store.forget_person(a.user_id, a.scope.product_id, distinct_id, state.clock.now()).await?;
    feed::refresh(state, a.scope.product_id, None).await?;
    Ok(Forgotten { events_deleted: n })
}
