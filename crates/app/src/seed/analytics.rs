//! The demo product's analytics: six weeks of a checkout's events from a
//! few hundred shoppers, sent through the ingest path with a demo key, and
//! a metric series fed from them.

use serde_json::{Value, json};
use tandem_core::model::Day;
use tandem_core::product::{MetricKind, MetricSource};

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;
use crate::ops::analytics::{self as ops, NewKey, Shape};
use crate::ops::product::{self as product_ops, CreateMetric};

/// Shoppers, and the days back the demo's events start.
const PEOPLE: u64 = 400;
const DAYS: i64 = 42;

/// A repeatable number in 0..100 for a shopper, a day and a purpose: the
/// demo is the same on every start.
fn roll(person: u64, day: i64, salt: u64) -> u64 {
    let mut x = person.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (day as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ salt;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    x % 100
}

/// Sends the demo's events; `adoption` is the shipped feature's event and
/// the day it shipped.
pub async fn demo_events(state: &App, a: &InProduct, adoption: Option<(&str, Day)>) -> Result<(), AppError> {
    let key = ops::create_key(state, a, NewKey { name: "Demo data".into() }).await?;
    let today = Day::of(state.clock.now());
    let mut batch: Vec<Value> = Vec::new();
    for p in 0..PEOPLE {
        // Shoppers join over the six weeks, more of them early on.
        let joined = (roll(p, 0, 1) * roll(p, 0, 2) * DAYS as u64 / 10_000) as i64;
        let who = format!("shopper-{p:03}");
        for back in (0..=DAYS - joined).rev() {
            let since_joined = DAYS - joined - back;
            // Most come back a few times; fewer as weeks go by.
            let chance = if since_joined == 0 { 100 } else { 16u64.saturating_sub(since_joined as u64 / 3) };
            if roll(p, back, 3) >= chance.max(4) {
                continue;
            }
            let Some(day) = today.0.checked_sub(jiff::Span::new().days(back)).ok() else { continue };
            let at = |hour: i64, minute: i64| format!("{day}T{:02}:{:02}:00Z", 8 + hour % 11, minute % 60);
            let hour = roll(p, back, 4) as i64;
            let mut events = vec![("checkout.opened", 0)];
            if since_joined == 0 {
                events.insert(0, ("signed_up", 0));
            }
            if roll(p, back, 5) < 60 {
                events.push(("checkout.started", 4));
                if roll(p, back, 6) < 55 {
                    events.push(("checkout.paid", 9));
                }
            }
            if let Some((event, shipped)) = adoption
                && Day(day) >= shipped
                && roll(p, back, 7) < 35
            {
                events.push((event, 6));
            }
            for (name, minute) in events {
                batch.push(json!({"event": name, "distinct_id": who, "timestamp": at(hour, minute + hour)}));
            }
        }
    }
    for chunk in batch.chunks(tandem_core::analytics::MAX_BATCH) {
        ops::ingest(state, &key.record, Shape::Batch, &json!({"batch": chunk})).await?;
    }
    let source = MetricSource::default();
    let req = CreateMetric {
        name: "Weekly active shoppers".into(),
        kind: Some(MetricKind::Wau),
        unit: Some("people".into()),
        points: Vec::new(),
        source: Some(source),
    };
    product_ops::create_metric(state, a, req).await?;
    Ok(())
}
