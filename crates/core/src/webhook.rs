//! Outbound webhooks: what an endpoint may subscribe to, the body each
//! delivery carries (Standard Webhooks' `{type, timestamp, data}`, or a
//! chat message), when a failed delivery is tried again, and which
//! addresses a delivery may reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::str_enum;
use crate::validate::Invalid;
use crate::{Id, Millis};

str_enum! {
    /// The body an endpoint receives.
    pub enum WebhookFormat {
        /// Standard Webhooks JSON, signed.
        Standard = "standard",
        /// A chat message (`{"text": ...}`) for Slack's or Mattermost's
        /// incoming webhooks, signed the same way.
        Chat = "chat",
    }
}

str_enum! {
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

/// An endpoint as its admins read it (the secret is shown once, when made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Id,
    pub workspace_id: Id,
    pub url: String,
    /// Object types (`task`), single actions (`task.updated`) or `*`.
    pub events: Vec<String>,
    pub format: WebhookFormat,
    pub enabled: bool,
    /// Set when Tandem disabled the endpoint (a day of failed deliveries).
    pub disabled_reason: Option<String>,
    /// Since when deliveries have failed with no success since.
    pub failing_since: Option<Millis>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One delivery of one event to one endpoint, with its last attempt.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Delivery {
    pub id: Id,
    pub webhook_id: Id,
    /// The action, `task.updated`.
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<Millis>,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// The receiver's answer to the last attempt: status and the start of
    /// its body.
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
    /// Why the last attempt failed before an answer (refused address,
    /// timeout, connection).
    pub error: Option<String>,
    pub created_at: Millis,
    pub last_attempt_at: Option<Millis>,
}

/// The object types an endpoint may subscribe to. Saved views, ingest
/// keys, invitations and analytics are left out: they are private to a
/// person or carry secrets.
pub const EVENT_TYPES: &[&str] = &[
    "workspace",
    "member",
    "decision",
    "decision_rights",
    "product",
    "feature",
    "feedback",
    "release",
    "objective",
    "key_result",
    "metric",
    "competitor",
    "project",
    "task",
    "dependency",
    "calendar",
    "baseline",
    "resource",
    "time",
    "sprint",
    "change_request",
    "risk",
    "defect",
    "comment",
    "sync",
    "status_report",
    "monte_carlo",
    "custom_field",
    "standup",
    "follow_up",
    "sprint_review",
    "retro_item",
];

/// How a page names an event type's changes: `Change requests`.
pub fn event_label(t: &str) -> &'static str {
    match t {
        "workspace" => "Workspace settings",
        "member" => "Members",
        "decision" => "Decisions",
        "decision_rights" => "Decision rights",
        "product" => "Products",
        "feature" => "Features",
        "feedback" => "Feedback",
        "release" => "Releases",
        "objective" => "Objectives",
        "key_result" => "Key results",
        "metric" => "Metrics",
        "competitor" => "Competitors",
        "project" => "Projects",
        "task" => "Tasks",
        "dependency" => "Dependencies",
        "calendar" => "Working calendars",
        "baseline" => "Baselines",
        "resource" => "Resources",
        "time" => "Time entries",
        "sprint" => "Sprints",
        "change_request" => "Change requests",
        "risk" => "Risks",
        "defect" => "Defects",
        "comment" => "Comments",
        "sync" => "Weekly syncs",
        "status_report" => "Status reports",
        "monte_carlo" => "Monte Carlo runs",
        "custom_field" => "Custom fields",
        "standup" => "Stand-ups",
        "follow_up" => "Follow-ups",
        "sprint_review" => "Sprint reviews",
        "retro_item" => "Retrospective cards",
        _ => "Other changes",
    }
}

/// The most event names one endpoint lists.
pub const MAX_EVENTS: usize = 64;
/// The longest endpoint address.
pub const MAX_URL_CHARS: usize = 2000;
/// The most endpoints of a workspace.
pub const MAX_WEBHOOKS: i64 = 50;

/// The object type of an action (`change_request` of
/// `change_request.submitted`), if endpoints may subscribe to it.
pub fn event_type(action: &str) -> Option<&'static str> {
    let family = action.split('.').next().unwrap_or(action);
    EVENT_TYPES.iter().find(|t| **t == family).copied()
}

/// An endpoint's subscription: each name an object type, an action of
/// one (`task.updated`) or `*`; at least one; sorted, without repeats.
pub fn events(raw: &[String]) -> Result<Vec<String>, Invalid> {
    if raw.is_empty() {
        return Err(Invalid::new("events", "name at least one event type, e.g. [\"task\"], or [\"*\"] for all"));
    }
    if raw.len() > MAX_EVENTS {
        return Err(Invalid::new("events", format!("at most {MAX_EVENTS} event names")));
    }
    let mut out = Vec::with_capacity(raw.len());
    for e in raw {
        let e = e.trim();
        let ok = e == "*"
            || match e.split_once('.') {
                None => EVENT_TYPES.contains(&e),
                Some((t, verb)) => {
                    EVENT_TYPES.contains(&t)
                        && !verb.is_empty()
                        && verb.len() <= 40
                        && verb.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                }
            };
        if !ok {
            let shown: String = e.chars().take(60).collect();
            return Err(Invalid::new(
                "events",
                format!(
                    "unknown event \"{shown}\": one of {}, an action such as task.updated, or *",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        out.push(e.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// An endpoint's address: absolute `http` or `https`, with a host, no
/// user name or password, at most [`MAX_URL_CHARS`]. Where it points is
/// checked when it is called (names can change what they resolve to).
pub fn url(raw: &str) -> Result<String, Invalid> {
    let u = raw.trim();
    if u.chars().count() > MAX_URL_CHARS {
        return Err(Invalid::new("url", format!("must be at most {MAX_URL_CHARS} characters")));
    }
    if u.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Invalid::new("url", "must not contain spaces or control characters"));
    }
    let rest = if let Some(r) = u.strip_prefix("https://") {
        r
    } else if let Some(r) = u.strip_prefix("http://") {
        r
    } else {
        return Err(Invalid::new("url", "must start with https:// or http://"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(Invalid::new("url", "must name a host"));
    }
    if authority.contains('@') {
        return Err(Invalid::new("url", "must not carry a user name or password"));
    }
    Ok(u.to_owned())
}

/// The body of a Standard Webhooks delivery of one activity entry.
#[allow(clippy::too_many_arguments)]
pub fn payload(
    action: &str,
    at: Millis,
    workspace: Id,
    subject_type: &str,
    subject: Id,
    actor: Option<Id>,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Value {
    let timestamp = jiff::Timestamp::from_millisecond(at.0).map(|t| t.to_string()).unwrap_or_default();
    json!({
        "type": action,
        "timestamp": timestamp,
        "data": {
            "workspace_id": workspace,
            "subject_type": subject_type,
            "subject_id": subject,
            "actor_id": actor,
            "before": before,
            "after": after,
        }
    })
}

/// A chat message for an entry: `Ada updated task ACME-12 Design API`,
/// linked to the object's page. Slack's and Mattermost's markup
/// characters in names are escaped, so a name cannot forge a link.
pub fn chat_text(actor: Option<&str>, action: &str, label: Option<&str>, link: Option<&str>) -> String {
    let (family, verb) = action.split_once('.').unwrap_or((action, "changed"));
    let who = actor.map_or_else(|| "Tandem".to_owned(), chat_escape);
    let what = match label {
        Some(l) => format!("{} {}", family.replace('_', " "), chat_escape(l)),
        None => family.replace('_', " "),
    };
    let verb = verb.replace('_', " ");
    match link {
        Some(url) => format!("{who} {verb} <{}|{what}>", url.replace(['<', '>', '|'], "")),
        None => format!("{who} {verb} {what}"),
    }
}

fn chat_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Waits before each retry of a failed delivery (Standard Webhooks'
/// schedule): after the first attempt 5 seconds, then 5 minutes, 30
/// minutes, 2, 5, 10 and 10 hours; about a day in all, then it fails.
const RETRY_DELAYS_MS: &[i64] = &[5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/// When to try again after `attempts` failed attempts; none when the
/// delivery has had its last.
pub fn retry_delay(attempts: i64) -> Option<i64> {
    usize::try_from(attempts).ok().and_then(|a| a.checked_sub(1)).and_then(|i| RETRY_DELAYS_MS.get(i)).copied()
}

/// An endpoint whose deliveries have failed this long, with no success
/// between, is disabled.
pub const DISABLE_AFTER_MS: i64 = 24 * 3600 * 1000;

/// Whether a delivery may connect to `ip`. Loopback, private, shared
/// (carrier NAT), link-local (where cloud metadata lives), unique-local
/// and reserved ranges are refused unless `allow_private`; unspecified,
/// multicast and broadcast addresses always are. IPv6 forms that carry an
/// IPv4 address are judged by it.
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4, allow_private),
        IpAddr::V6(v6) => v6_allowed(v6, allow_private),
    }
}

fn v4_allowed(ip: Ipv4Addr, allow_private: bool) -> bool {
    let o = ip.octets();
    if ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() || o[0] == 0 {
        return false;
    }
    let private = ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, shared address space
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24, protocol assignments
        || (o[0] == 192 && o[1] == 0 && o[2] == 2) // documentation
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15, benchmarking
        || o[0] >= 240; // reserved
    allow_private || !private
}

fn v6_allowed(ip: Ipv6Addr, allow_private: bool) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_allowed(v4, allow_private);
    }
    let s = ip.segments();
    if ip.is_unspecified() || ip.is_multicast() {
        return false;
    }
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address
    // they carry.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return v4_allowed(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8), allow_private);
    }
    if s[0] == 0x2002 {
        return v4_allowed(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8), allow_private);
    }
    let private = ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || s[0..6] == [0, 0, 0, 0, 0, 0]; // IPv4-compatible (deprecated)
    allow_private || !private
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn private_and_metadata_addresses_are_refused_unless_allowed() {
        for a in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "::127.0.0.1",
        ] {
            assert!(!address_allowed(ip(a), false), "{a} refused");
            assert!(address_allowed(ip(a), true), "{a} allowed with private ranges");
        }
        for a in ["0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "ff02::1", "0.1.2.3"] {
            assert!(!address_allowed(ip(a), true), "{a} never");
        }
        for a in ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "172.32.0.1"] {
            assert!(address_allowed(ip(a), false), "{a} public");
        }
    }

    #[test]
    fn subscriptions_name_known_types_or_actions() {
        let ok = events(&["task".into(), "feature.moved".into(), "task".into()]).unwrap_or_default();
        assert_eq!(ok, ["feature.moved", "task"]);
        assert_eq!(events(&["*".into()]).unwrap_or_default(), ["*"]);
        for bad in ["tasks", "view", "ingest_key.created", "task.", "task.Up", "", "task.updated;drop"] {
            assert!(events(&[bad.into()]).is_err(), "{bad}");
        }
        assert!(events(&[]).is_err());
        assert_eq!(event_type("change_request.submitted"), Some("change_request"));
        assert_eq!(event_type("view.created"), None);
        assert!(EVENT_TYPES.iter().all(|t| event_label(t) != "Other changes"));
    }

    #[test]
    fn addresses_must_be_http_with_a_host_and_no_credentials() {
        assert!(url("https://hooks.example.com/x?y=1").is_ok());
        assert!(url("http://[::1]:8080/").is_ok());
        for bad in ["ftp://x", "https://", "https://user:pw@x/", "https://x/ y", "javascript:alert(1)"] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn retries_last_about_a_day() {
        let total: i64 = (1..=7).filter_map(retry_delay).sum();
        assert!(total > DISABLE_AFTER_MS && total < 2 * DISABLE_AFTER_MS, "{total}");
        assert_eq!(retry_delay(1), Some(5_000));
        assert_eq!(retry_delay(8), None);
        assert_eq!(retry_delay(0), None);
    }

    #[test]
    fn chat_text_escapes_markup_in_names() {
        let t = chat_text(Some("Ada <b>"), "task.updated", Some("ACME-1 <https://evil|x>"), Some("https://t/p/1"));
        assert_eq!(t, "Ada &lt;b&gt; updated <https://t/p/1|task ACME-1 &lt;https://evil|x&gt;>");
        assert_eq!(chat_text(None, "change_request.submitted", None, None), "Tandem submitted change request");
    }
}
