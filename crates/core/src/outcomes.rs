//! Product outcome metrics: series of dated values of a product's KPIs,
//! typed by hand or fed from product analytics.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Id, Millis};
use crate::product::DatedValue;
use crate::str_enum;
use crate::validate::Invalid;

str_enum! {
    /// Well-known product KPIs; `custom` for anything else.
    pub enum MetricKind {
        Dau = "dau" => "Daily active users",
        Wau = "wau" => "Weekly active users",
        Mau = "mau" => "Monthly active users",
        Retention = "retention",
        Conversion = "conversion",
        Clv = "clv" => "Customer lifetime value",
        Nps = "nps" => "Net promoter score",
        Csat = "csat" => "Customer satisfaction",
        MarketShare = "market_share",
        Adoption = "adoption",
        Custom = "custom",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MetricSeries {
    pub id: Id,
    pub product_id: Id,
    pub name: String,
    pub kind: MetricKind,
    pub unit: String,
    /// What events feed the series; `null` for typed values.
    pub source: Option<MetricSource>,
    /// Values by date, oldest first; one per date.
    pub points: Vec<DatedValue>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The events a metric series is fed from, by its kind: `dau`, `wau`,
/// `mau` count the people doing `event` (any event without one) each day;
/// `retention` is the share (%) of each week's new people (first
/// `event`) back with `return_event` the week after, dated at the
/// cohort's Monday once that week is over; `adoption` is the share (%) of
/// the people active since `feature_id` shipped who did its adoption event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<Id>,
}

impl MetricSource {
    /// The source with its names trimmed (empty ones dropped), checked
    /// against what `kind` reads.
    pub fn checked(self, kind: MetricKind) -> Result<MetricSource, Invalid> {
        let name = |field: &'static str, v: Option<String>| -> Result<Option<String>, Invalid> {
            let v = v.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
            match v {
                Some(n) if n.chars().count() > crate::analytics::MAX_ID_CHARS => Err(Invalid::new(
                    field,
                    format!("event names are at most {} characters", crate::analytics::MAX_ID_CHARS),
                )),
                v => Ok(v),
            }
        };
        let s = MetricSource {
            event: name("source.event", self.event)?,
            return_event: name("source.return_event", self.return_event)?,
            feature_id: self.feature_id,
        };
        let unread = |field: &'static str, what: &str| Invalid::new(field, format!("a `{kind}` series reads {what}"));
        match kind {
            MetricKind::Dau | MetricKind::Wau | MetricKind::Mau => {
                if s.return_event.is_some() {
                    return Err(unread("source.return_event", "only `event`"));
                }
                if s.feature_id.is_some() {
                    return Err(unread("source.feature_id", "only `event`"));
                }
            }
            MetricKind::Retention => {
                if s.feature_id.is_some() {
                    return Err(unread("source.feature_id", "`event` and `return_event`"));
                }
            }
            MetricKind::Adoption => {
                if s.event.is_some() || s.return_event.is_some() {
                    return Err(unread("source.event", "the adoption event of `feature_id`"));
                }
                if s.feature_id.is_none() {
                    return Err(Invalid::new("source.feature_id", "an `adoption` series names its feature"));
                }
            }
            _ => {
                return Err(Invalid::new(
                    "source",
                    "only `dau`, `wau`, `mau`, `retention` and `adoption` series can be fed from events",
                ));
            }
        }
        Ok(s)
    }
}
