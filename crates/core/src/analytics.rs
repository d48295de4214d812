//! Product analytics: events as they arrive (checked one by one, so a bad
//! event is rejected alone), and the daily sets of people who did each
//! event, kept as compressed bitmaps over per-product person numbers.
//!
//! Pure: the caller passes the time (`now`) and the product's time zone.

use jiff::tz::TimeZone;
use roaring::RoaringBitmap;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::model::Millis;

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

/// The product's calendar day of an instant, as days since 1970-01-01.
pub fn day_of(at: Millis, zone: &TimeZone) -> i32 {
    let date = jiff::Timestamp::from_millisecond(at.0)
        .map(|t| t.to_zoned(zone.clone()).date())
        .unwrap_or(jiff::civil::date(1970, 1, 1));
    day_number(date)
}

/// Days since 1970-01-01.
pub fn day_number(d: jiff::civil::Date) -> i32 {
    let epoch = jiff::civil::date(1970, 1, 1);
    d.since(epoch).map_or(0, |span| span.get_days())
}

/// The date of a day number.
pub fn date_of(day: i32) -> jiff::civil::Date {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .unwrap_or(jiff::civil::date(1970, 1, 1))
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

/// A set of people (their numbers), as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct People(pub RoaringBitmap);

impl People {
    /// The stored form read back; unreadable bytes are no one (they are
    /// only ever written by [`People::to_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> People {
        People(RoaringBitmap::deserialize_from(bytes).unwrap_or_default())
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.serialized_size());
        // Writing to a Vec cannot fail.
        let _ = self.0.serialize_into(&mut out);
        out
    }

    /// As text (base64), the way the database keeps it.
    pub fn to_text(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.to_bytes())
    }

    pub fn from_text(text: &str) -> People {
        use base64::Engine;
        People::from_bytes(&base64::engine::general_purpose::STANDARD_NO_PAD.decode(text).unwrap_or_default())
    }

    pub fn len(&self) -> u64 {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One day of active people: that day's, the 7 and the 30 days ending
/// that day's, and stickiness (DAU / MAU; 0 without anyone).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ActiveDay {
    pub date: crate::model::Day,
    pub dau: u64,
    pub wau: u64,
    pub mau: u64,
    pub stickiness: f64,
}

/// Active people for each day `from..=to`, from the day sets of
/// `from - 29..=to` (days without a set had no one), in day order.
pub fn active(days: &[(i32, &People)], from: i32, to: i32) -> Vec<ActiveDay> {
    let at: std::collections::HashMap<i32, &People> = days.iter().map(|(d, p)| (*d, *p)).collect();
    let union = |first: i32, last: i32| {
        let mut u = RoaringBitmap::new();
        for d in first..=last {
            if let Some(p) = at.get(&d) {
                u |= &p.0;
            }
        }
        u.len()
    };
    (from..=to)
        .map(|d| {
            let dau = at.get(&d).map_or(0, |p| p.len());
            let (wau, mau) = (union(d - 6, d), union(d - 29, d));
            let stickiness = if mau == 0 { 0.0 } else { dau as f64 / mau as f64 };
            ActiveDay { date: crate::model::Day(date_of(d)), dau, wau, mau, stickiness }
        })
        .collect()
}

/// One week of a feature's adoption.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AdoptionWeek {
    /// The week's Monday.
    pub week: crate::model::Day,
    /// People who did the adoption event that week.
    pub adopters: u64,
    /// Of the people active that week, the share who adopted.
    pub rate: f64,
}

/// How far a shipped feature is taken up: the people doing its adoption
/// event since it shipped, against everyone active in the same span.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Adoption {
    pub event: String,
    /// The day it shipped; absent while it has not.
    pub since: Option<crate::model::Day>,
    pub adopters: u64,
    pub active_users: u64,
    /// adopters / active_users (0 when no one was active).
    pub rate: f64,
    pub weekly: Vec<AdoptionWeek>,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Adoption from `since` to `today` from the event's and any event's day
/// sets over that span.
pub fn adoption(
    event: &str,
    used: &[(i32, &People)],
    active: &[(i32, &People)],
    since: Option<i32>,
    today: i32,
) -> Adoption {
    let union = |sets: &[(i32, &People)], lo: i32, hi: i32| {
        let mut u = RoaringBitmap::new();
        for (_, p) in sets.iter().filter(|(d, _)| (lo..=hi).contains(d)) {
            u |= &p.0;
        }
        u.len()
    };
    let Some(since) = since.filter(|s| *s <= today) else {
        let since = since.map(|d| crate::model::Day(date_of(d)));
        return Adoption {
            event: event.to_owned(),
            since,
            adopters: 0,
            active_users: 0,
            rate: 0.0,
            weekly: Vec::new(),
        };
    };
    let (adopters, active_users) = (union(used, since, today), union(active, since, today));
    let mut weekly = Vec::new();
    let mut w = Period::Week.start_of(since);
    while w <= today {
        let (lo, hi) = (w.max(since), (w + 6).min(today));
        let (a, all) = (union(used, lo, hi), union(active, lo, hi));
        weekly.push(AdoptionWeek { week: crate::model::Day(date_of(w)), adopters: a, rate: share(a, all) });
        w += 7;
    }
    Adoption {
        event: event.to_owned(),
        since: Some(crate::model::Day(date_of(since))),
        adopters,
        active_users,
        rate: share(adopters, active_users),
        weekly,
    }
}

crate::str_enum! {
    /// The length of a retention period.
    pub enum Period { Day = "day", Week = "week" }
}

impl Period {
    /// The first day of the period holding `day` (weeks start on Monday).
    pub fn start_of(self, day: i32) -> i32 {
        match self {
            Period::Day => day,
            // 1970-01-01 was a Thursday: day 4 was a Monday.
            Period::Week => day - (day - 4).rem_euclid(7),
        }
    }

    pub fn days(self) -> i32 {
        match self {
            Period::Day => 1,
            Period::Week => 7,
        }
    }
}

/// The people who first did the start event in one period, and how many
/// of them did the return event in each period from it on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Cohort {
    /// The period's first day.
    pub start: crate::model::Day,
    pub size: u64,
    /// `retained[k]`: of the cohort, those with a return event in the
    /// `k`-th period from its own (period 0); periods not yet begun are
    /// left out.
    pub retained: Vec<u64>,
}

/// Retention by cohort: `start_days` are the start event's day sets from
/// the first data on (so "first" is first ever), `return_days` the return
/// event's; cohorts for the periods starting in `from..=to`, each followed
/// for `periods` periods up to `today`.
pub fn retention(
    start_days: &[(i32, &People)],
    return_days: &[(i32, &People)],
    period: Period,
    (from, to, today): (i32, i32, i32),
    periods: usize,
) -> Vec<Cohort> {
    let first = period.start_of(from);
    let union = |sets: &[(i32, &People)], lo: i32, hi: i32| {
        let mut u = RoaringBitmap::new();
        for (_, p) in sets.iter().filter(|(d, _)| (lo..=hi).contains(d)) {
            u |= &p.0;
        }
        u
    };
    // Everyone who did the start event before the first cohort.
    let mut seen = union(start_days, i32::MIN, first - 1);
    let mut out = Vec::new();
    let mut p = first;
    while p <= to {
        let len = period.days();
        let cohort = union(start_days, p, p + len - 1) - &seen;
        seen |= &cohort;
        let mut retained = Vec::new();
        for k in 0..periods {
            let lo = p + len * k as i32;
            if lo > today {
                break;
            }
            retained.push((union(return_days, lo, lo + len - 1) & &cohort).len());
        }
        out.push(Cohort { start: crate::model::Day(date_of(p)), size: cohort.len(), retained });
        p += len;
    }
    out
}

/// One event as a funnel reads it: who, which step's event, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub person: i64,
    /// The index of the step's event among the funnel's events.
    pub event: usize,
    pub at: i64,
}

/// People reaching each step of a funnel: `events` sorted by person then
/// time; a person enters with step 0 at or after `from` and before
/// `until`, and each later step must follow the one before within
/// `window_ms` of entering. Each person counts at the furthest step any
/// of their entries reaches.
pub fn funnel(events: &[Step], steps: usize, from: i64, until: i64, window_ms: i64) -> Vec<u64> {
    let mut reached = vec![0u64; steps];
    let mut i = 0;
    while i < events.len() {
        let person = events[i].person;
        let mut j = i;
        while j < events.len() && events[j].person == person {
            j += 1;
        }
        let mine = &events[i..j];
        let mut best = 0usize;
        for (n, e) in mine.iter().enumerate() {
            if e.event != 0 || e.at < from || e.at >= until {
                continue;
            }
            let mut step = 1;
            for later in &mine[n + 1..] {
                if step == steps || later.at > e.at + window_ms {
                    break;
                }
                if later.event == step {
                    step += 1;
                }
            }
            best = best.max(step);
            if best == steps {
                break;
            }
        }
        for r in reached.iter_mut().take(best) {
            *r += 1;
        }
        i = j;
    }
    reached
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

    #[test]
    fn active_people_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        // Day 100: 1, 2. Day 103: 2, 3. Day 110: 4. Day 130: 1.
        let (a, b, c, d) = (set(&[1, 2]), set(&[2, 3]), set(&[4]), set(&[1]));
        let days = [(100, &a), (103, &b), (110, &c), (130, &d)];
        let out = active(&days, 103, 130);
        let on = |day: i32| out.iter().find(|x| x.date.0 == date_of(day)).unwrap().clone();
        assert_eq!((on(103).dau, on(103).wau, on(103).mau), (2, 3, 3));
        assert_eq!((on(106).dau, on(106).wau, on(106).mau), (0, 3, 3), "day 100 is 6 days back");
        assert_eq!((on(107).wau, on(110).wau, on(110).mau), (2, 1, 4));
        // Day 130: the 30 days 101..=130 hold 2, 3, 4 and 1.
        assert_eq!((on(130).dau, on(130).wau, on(130).mau), (1, 1, 4));
        assert_eq!(on(130).stickiness, 0.25);
        assert_eq!(on(129).stickiness, 0.0);
        assert_eq!(out.len(), 28);
    }

    #[test]
    fn retention_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        // Weeks from Monday 4 Jan 2027 (day 17 900).
        let w = day_number(jiff::civil::date(2027, 1, 4));
        assert_eq!(Period::Week.start_of(w + 3), w);
        assert_eq!(Period::Week.start_of(w), w);
        // Person 9 started long before: never in a cohort.
        let (old, s0, s1) = (set(&[9]), set(&[1, 2, 9]), set(&[2, 3]));
        let start = [(w - 30, &old), (w + 1, &s0), (w + 8, &s1)];
        let (r0, r1, r2) = (set(&[1, 2, 9]), set(&[1, 3]), set(&[3]));
        let ret = [(w + 2, &r0), (w + 9, &r1), (w + 15, &r2)];
        let c = retention(&start, &ret, Period::Week, (w, w + 13, w + 20), 4);
        assert_eq!(c.len(), 2);
        // Week 0: 1 and 2 (9 came before); back in week 0 both, week 1
        // person 1, week 2 no one; week 3 has not begun.
        assert_eq!((c[0].size, c[0].retained.clone()), (2, vec![2, 1, 0]));
        // Week 1: only 3 is new (2 started in week 0).
        assert_eq!((c[1].size, c[1].retained.clone()), (1, vec![1, 1]));
        assert_eq!(c[1].start.0, jiff::civil::date(2027, 1, 11));
    }

    #[test]
    fn adoption_by_hand() {
        let set = |ids: &[u32]| People(ids.iter().copied().collect());
        let w = day_number(jiff::civil::date(2027, 1, 4));
        // Shipped Wednesday 6 Jan; 1 and 2 active that week, 1 adopts;
        // the next week 2 and 3 active, 3 adopts. 4 adopted before shipping.
        let (u_before, u0, u1) = (set(&[4]), set(&[1]), set(&[3]));
        let (a_before, a0, a1) = (set(&[4]), set(&[1, 2]), set(&[2, 3]));
        let used = [(w, &u_before), (w + 3, &u0), (w + 8, &u1)];
        let active = [(w, &a_before), (w + 3, &a0), (w + 8, &a1)];
        let a = adoption("exported", &used, &active, Some(w + 2), w + 10);
        assert_eq!((a.adopters, a.active_users, a.rate), (2, 3, 2.0 / 3.0));
        assert_eq!(a.weekly.len(), 2);
        assert_eq!((a.weekly[0].week.0, a.weekly[0].adopters, a.weekly[0].rate), (date_of(w), 1, 0.5));
        assert_eq!((a.weekly[1].adopters, a.weekly[1].rate), (1, 0.5));
        let not_yet = adoption("exported", &used, &active, None, w + 10);
        assert_eq!((not_yet.since, not_yet.adopters, not_yet.weekly.len()), (None, 0, 0));
    }

    #[test]
    fn funnels_by_hand() {
        let h = 3_600_000;
        let e = |person, event, hours| Step { person, event, at: hours * h };
        let events = [
            // 1: a, b, c within the window.
            e(1, 0, 0),
            e(1, 1, 1),
            e(1, 2, 2),
            // 2: b before a does not count; a then b.
            e(2, 1, 0),
            e(2, 0, 1),
            e(2, 1, 2),
            // 3: a, then c too late after b is missing.
            e(3, 0, 0),
            e(3, 2, 1),
            // 4: a at 0 leads nowhere in time; a again at 100 reaches c.
            e(4, 0, 0),
            e(4, 1, 30),
            e(4, 0, 100),
            e(4, 1, 101),
            e(4, 2, 102),
            // 5: enters before the range.
            e(5, 0, -5),
            e(5, 1, 1),
        ];
        assert_eq!(funnel(&events, 3, 0, 1000 * h, 24 * h), vec![4, 3, 2]);
        assert_eq!(funnel(&events, 3, 0, 50 * h, 24 * h), vec![4, 2, 1], "4's second entry is past the range");
    }

    #[test]
    fn days_are_the_products_calendar_days() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        // 23:30 UTC on 12 Jan is 00:30 on 13 Jan in Berlin.
        let at = Millis(
            jiff::civil::datetime(2027, 1, 12, 23, 30, 0, 0)
                .to_zoned(TimeZone::UTC)
                .unwrap()
                .timestamp()
                .as_millisecond(),
        );
        assert_eq!(date_of(day_of(at, &TimeZone::UTC)), jiff::civil::date(2027, 1, 12));
        assert_eq!(date_of(day_of(at, &berlin)), jiff::civil::date(2027, 1, 13));
        let mut p = People::default();
        p.0.extend([1u32, 5, 1_000_000]);
        assert_eq!(People::from_bytes(&p.to_bytes()), p);
        assert_eq!(People::from_text(&p.to_text()), p);
        assert_eq!(People::from_bytes(b"junk").len(), 0);
    }
}
