//! Product analytics: events as they arrive (checked one by one, so a bad
//! event is rejected alone), and the daily sets of people who did each
//! event, kept as compressed bitmaps over per-product person numbers.
//!
//! Pure: the caller passes the time (`now`) and the product's time zone.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::model::Millis;

mod days;
mod figures;
mod funnel;
pub mod trail;

pub use days::{DAY_MS, People, date_of, day_number, day_of};
pub use figures::{ActiveDay, Adoption, AdoptionWeek, Cohort, Period, active, adoption, adoption_by_day, retention};
pub use funnel::{Funnel, MAX_FUNNEL_STEPS};

/// Events one request may carry.
pub const MAX_BATCH: usize = 10_000;
/// A person's id (`distinct_id`) and an event's name, in characters.
pub const MAX_ID_CHARS: usize = 200;
/// An event's properties, as JSON text.
pub const MAX_PROPERTIES_BYTES: usize = 32 * 1024;
/// Arrays and objects inside an event's properties.
pub const MAX_PROPERTIES_DEPTH: usize = 16;
/// The furthest ahead an event's time may be.
pub const MAX_AHEAD_MS: i64 = 24 * 3600 * 1000;
/// The furthest back an event's time may be (two years).
pub const MAX_BACK_MS: i64 = 2 * 366 * 24 * 3600 * 1000;
/// An event's own id (`uuid`), in characters.
pub const MAX_UUID_CHARS: usize = 100;

/// An event, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    pub distinct_id: String,
    pub at: Millis,
    /// Properties as compact JSON text (`{}` when none).
    pub properties: String,
    /// The sender's id of the event, counted once.
    pub uuid: Option<String>,
}

/// Why one event of a batch was not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rejected {
    /// Its place in the batch, from 0.
    pub index: usize,
    /// A stable word: `not_an_object`, `missing_event`, `missing_distinct_id`,
    /// `too_long`, `bad_timestamp`, `timestamp_in_future`, `timestamp_too_old`,
    /// `properties_too_large`, `properties_too_deep`, `bad_uuid`,
    /// `unsupported_type`.
    pub code: &'static str,
    pub message: String,
}

fn reject(index: usize, code: &'static str, message: impl Into<String>) -> Rejected {
    Rejected { index, code, message: message.into() }
}

/// A text field of an event: present, a non-empty string, not too long.
fn text(v: &Value, index: usize, field: &str, missing: &'static str, limit: usize) -> Result<String, Rejected> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        // Numbers are ids too (many SDKs send numeric user ids).
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        _ => return Err(reject(index, missing, format!("`{field}` must be a string"))),
    };
    if s.is_empty() {
        return Err(reject(index, missing, format!("`{field}` is missing or empty")));
    }
    if s.chars().count() > limit {
        return Err(reject(index, "too_long", format!("`{field}` is longer than {limit} characters")));
    }
    if s.contains('\0') {
        return Err(reject(index, missing, format!("`{field}` holds a NUL character")));
    }
    Ok(s)
}

fn depth(v: &Value) -> usize {
    // Iterative, so a hostile document cannot exhaust the stack.
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                deepest = deepest.max(d + 1);
                stack.extend(items.iter().map(|x| (x, d + 1)));
            }
            Value::Object(map) => {
                deepest = deepest.max(d + 1);
                stack.extend(map.values().map(|x| (x, d + 1)));
            }
            _ => {}
        }
    }
    deepest
}

/// The time of an event: an RFC 3339 instant, or milliseconds since
/// 1970; none means now.
fn instant(v: Option<&Value>, index: usize, now: Millis) -> Result<Millis, Rejected> {
    let at = match v {
        None | Some(Value::Null) => return Ok(now),
        Some(Value::String(s)) => s.parse::<jiff::Timestamp>().map(|t| t.as_millisecond()).map_err(|_| {
            reject(index, "bad_timestamp", format!("`{s}` is not an instant like 2027-01-12T09:30:00Z"))
        })?,
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| reject(index, "bad_timestamp", "a numeric timestamp is whole milliseconds since 1970"))?,
        Some(_) => return Err(reject(index, "bad_timestamp", "`timestamp` must be a string or a number")),
    };
    if at > now.0.saturating_add(MAX_AHEAD_MS) {
        return Err(reject(index, "timestamp_in_future", "the event is more than a day ahead of the server's clock"));
    }
    if at < now.0.saturating_sub(MAX_BACK_MS) {
        return Err(reject(index, "timestamp_too_old", "the event is more than two years old"));
    }
    Ok(Millis(at))
}

/// The fields of one event in Tandem's shape (`event`, `distinct_id`,
/// `timestamp`, `properties`, `uuid`), whatever names the sender uses.
struct Fields<'a> {
    event: Option<&'a Value>,
    distinct_id: Option<&'a Value>,
    timestamp: Option<&'a Value>,
    properties: Option<&'a Value>,
    uuid: Option<&'a Value>,
}

fn check(f: Fields<'_>, index: usize, now: Millis) -> Result<Event, Rejected> {
    let null = Value::Null;
    let name = text(f.event.unwrap_or(&null), index, "event", "missing_event", MAX_ID_CHARS)?;
    let distinct_id = text(f.distinct_id.unwrap_or(&null), index, "distinct_id", "missing_distinct_id", MAX_ID_CHARS)?;
    let at = instant(f.timestamp, index, now)?;
    let properties = match f.properties {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(p @ Value::Object(_)) => {
            if depth(p) > MAX_PROPERTIES_DEPTH {
                return Err(reject(
                    index,
                    "properties_too_deep",
                    format!("`properties` nest more than {MAX_PROPERTIES_DEPTH} deep"),
                ));
            }
            let s = p.to_string();
            if s.len() > MAX_PROPERTIES_BYTES || s.contains("\\u0000") {
                let why = if s.len() > MAX_PROPERTIES_BYTES {
                    format!("`properties` are over {} KiB", MAX_PROPERTIES_BYTES / 1024)
                } else {
                    "`properties` hold a NUL character".to_owned()
                };
                return Err(reject(index, "properties_too_large", why));
            }
            s
        }
        Some(_) => return Err(reject(index, "properties_too_large", "`properties` must be an object")),
    };
    let uuid = match f.uuid {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= MAX_UUID_CHARS => {
            Some(s.trim().to_owned())
        }
        Some(_) => {
            return Err(reject(index, "bad_uuid", format!("`uuid` is a string of 1 to {MAX_UUID_CHARS} characters")));
        }
    };
    Ok(Event { name, distinct_id, at, properties, uuid })
}

/// One event of `{"batch": [...]}` in Tandem's (PostHog's) shape.
pub fn event(v: &Value, index: usize, now: Millis) -> Result<Event, Rejected> {
    if !v.is_object() {
        return Err(reject(index, "not_an_object", "each event is an object"));
    }
    let f = Fields {
        event: v.get("event"),
        distinct_id: v.get("distinct_id"),
        timestamp: v.get("timestamp"),
        properties: v.get("properties"),
        uuid: v.get("uuid"),
    };
    check(f, index, now)
}

/// One call of Segment's HTTP tracking API: `track` (its `event`), `page`
/// and `screen` (as `$pageview` and `$screen`), from `userId` or else
/// `anonymousId`, `messageId` counted once. Other calls (`identify`,
/// `group`, `alias`) carry no event and are rejected as unsupported.
pub fn segment(v: &Value, index: usize, now: Millis) -> Result<Event, Rejected> {
    if !v.is_object() {
        return Err(reject(index, "not_an_object", "each call is an object"));
    }
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("track");
    let page = Value::String("$pageview".into());
    let screen = Value::String("$screen".into());
    let event = match kind {
        "track" => v.get("event"),
        "page" => Some(&page),
        "screen" => Some(&screen),
        other => {
            let shown: String = other.chars().take(40).collect();
            return Err(reject(
                index,
                "unsupported_type",
                format!("`{shown}` calls carry no event: send track, page or screen"),
            ));
        }
    };
    let user = v.get("userId").filter(|u| !u.is_null()).or_else(|| v.get("anonymousId"));
    let f = Fields {
        event,
        distinct_id: user,
        timestamp: v.get("timestamp").or_else(|| v.get("sentAt")),
        properties: v.get("properties"),
        uuid: v.get("messageId"),
    };
    check(f, index, now)
}

/// A product's key for sending events (the key itself is shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IngestKey {
    pub id: crate::Id,
    pub product_id: crate::Id,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: Millis = Millis(1_800_000_000_000);

    #[test]
    fn a_bad_event_is_rejected_alone_with_a_code() {
        let ok =
            event(&json!({"event": "signed_up", "distinct_id": "u1", "properties": {"plan": "pro"}}), 0, NOW).unwrap();
        assert_eq!((ok.name.as_str(), ok.at, ok.properties.as_str()), ("signed_up", NOW, r#"{"plan":"pro"}"#));
        let code = |v: Value| event(&v, 3, NOW).unwrap_err().code;
        assert_eq!(code(json!("x")), "not_an_object");
        assert_eq!(code(json!({"distinct_id": "u"})), "missing_event");
        assert_eq!(code(json!({"event": " ", "distinct_id": "u"})), "missing_event");
        assert_eq!(code(json!({"event": "e"})), "missing_distinct_id");
        assert_eq!(code(json!({"event": "e", "distinct_id": "x".repeat(201)})), "too_long");
        assert_eq!(code(json!({"event": "e", "distinct_id": "u", "timestamp": "soon"})), "bad_timestamp");
        let ahead = jiff::Timestamp::from_millisecond(NOW.0 + MAX_AHEAD_MS + 1000).unwrap().to_string();
        assert_eq!(code(json!({"event": "e", "distinct_id": "u", "timestamp": ahead})), "timestamp_in_future");
        assert_eq!(
            code(json!({"event": "e", "distinct_id": "u", "timestamp": NOW.0 - MAX_BACK_MS - 1})),
            "timestamp_too_old"
        );
        let big = json!({"event": "e", "distinct_id": "u", "properties": {"a": "x".repeat(33 * 1024)}});
        assert_eq!(code(big), "properties_too_large");
        let mut deep = json!(1);
        for _ in 0..17 {
            deep = json!([deep]);
        }
        assert_eq!(code(json!({"event": "e", "distinct_id": "u", "properties": {"a": deep}})), "properties_too_deep");
        assert_eq!(code(json!({"event": "e", "distinct_id": "u", "uuid": 7})), "bad_uuid");
        assert_eq!(event(&json!({"event": "e", "distinct_id": 42}), 0, NOW).unwrap().distinct_id, "42");
    }

    #[test]
    fn segment_calls_become_events() {
        let t =
            segment(&json!({"type": "track", "event": "Order Completed", "userId": "u1", "messageId": "m1"}), 0, NOW)
                .unwrap();
        assert_eq!((t.name.as_str(), t.distinct_id.as_str(), t.uuid.as_deref()), ("Order Completed", "u1", Some("m1")));
        let p = segment(&json!({"type": "page", "anonymousId": "a1", "userId": null}), 0, NOW).unwrap();
        assert_eq!((p.name.as_str(), p.distinct_id.as_str()), ("$pageview", "a1"));
        assert_eq!(segment(&json!({"type": "identify", "userId": "u1"}), 1, NOW).unwrap_err().code, "unsupported_type");
    }
}
