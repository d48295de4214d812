//! Product analytics: ingest keys, events in (Tandem's shape and
//! Segment's), and the figures out (active people per day).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_core::analytics::{self, ActiveDay, IngestKey, Rejected};
use tandem_core::model::Day;
use tandem_core::{Id, ProductAction, validate};
use tandem_store::analytics::{DayEvent, IngestOutcome};
use tandem_store::product::ProductObject;
use utoipa::ToSchema;

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

/// Stores what `body` carries for the key's product: each bad event is
/// rejected alone, the rest kept in one transaction. An unknown or revoked
/// key is refused (401) before the body is read.
pub async fn ingest(state: &App, secret: &str, shape: Shape, body: &Value) -> Result<IngestAnswer, AppError> {
    let key = state.store.ingest_key_by_hash(&secrets::hash(secret)).await?.ok_or(AppError::BadCredentials)?;
    let one = [body.clone()];
    let items: &[Value] = match shape {
        Shape::SegmentTrack => &one,
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
    let zone = crate::zone::of(&state.store.workspace(product.workspace_id).await?.time_zone);
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
    match state.store.ingest(&key, &good, state.settings.ingest_per_minute, now).await? {
        IngestOutcome::Stored(s) => Ok(IngestAnswer { accepted: s.accepted, duplicates: s.duplicates, rejected }),
        IngestOutcome::Limited { retry_after } => Err(AppError::RateLimited { retry_after }),
    }
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
    let zone = crate::zone::of(&state.store.workspace(a.scope.workspace_id).await?.time_zone);
    let today = analytics::day_of(state.clock.now(), &zone);
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
