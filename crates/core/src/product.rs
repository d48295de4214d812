//! The product manager's objects as clients see them, and their rules:
//! the feature workflow, key-result progress, release forecasts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Day, Id, Millis};
use crate::scoring::{Framework, Quadrant, Rankable, Scores, ScoringInputs, backlog_order};
use crate::str_enum;
use crate::validate::Invalid;

pub use crate::outcomes::{MetricKind, MetricSeries, MetricSource};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Product {
    pub id: Id,
    pub workspace_id: Id,
    pub key: String,
    pub name: String,
    /// Markdown.
    pub vision: String,
    pub vision_html: String,
    /// Markdown.
    pub strategy: String,
    pub strategy_html: String,
    /// The product manager (or admin) who owns its decisions.
    pub owner_id: Id,
    /// The framework the backlog sorts by when no `sort` is given.
    pub default_framework: Framework,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

str_enum! {
    /// Where a piece of feedback came from.
    pub enum FeedbackSource {
        Customer = "customer",
        Sales = "sales",
        Support = "support",
        Interview = "interview",
        Survey = "survey",
        Analytics = "analytics",
        Internal = "internal",
    }
}

str_enum! {
    /// Triage state of feedback. `linked` follows from having links.
    pub enum FeedbackStatus { New = "new", Triaged = "triaged", Linked = "linked", Archived = "archived" }
}

/// How much a piece of feedback matters to the feature it is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u8", into = "u8")]
#[schema(value_type = u8, minimum = 1, maximum = 3)]
pub struct Importance(u8);

impl Importance {
    pub const NICE_TO_HAVE: Importance = Importance(1);
    pub const IMPORTANT: Importance = Importance(2);
    pub const CRITICAL: Importance = Importance(3);

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "nice to have",
            2 => "important",
            _ => "critical",
        }
    }
}

impl TryFrom<u8> for Importance {
    type Error = Invalid;
    fn try_from(v: u8) -> Result<Self, Invalid> {
        if (1..=3).contains(&v) {
            Ok(Importance(v))
        } else {
            Err(Invalid::new("importance", "must be 1 (nice to have), 2 (important) or 3 (critical)"))
        }
    }
}

impl From<Importance> for u8 {
    fn from(i: Importance) -> u8 {
        i.0
    }
}

/// A feedback → feature link.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeedbackLink {
    pub feedback_id: Id,
    pub feature_id: Id,
    pub feature_key: String,
    pub feature_title: String,
    pub importance: Importance,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Feedback {
    pub id: Id,
    pub product_id: Id,
    pub text: String,
    pub source: FeedbackSource,
    pub customer: Option<String>,
    pub segment: Option<String>,
    /// Customer value such as ARR, in minor units of the workspace currency.
    pub customer_value_minor: Option<i64>,
    pub submitted_by: Option<Id>,
    pub status: FeedbackStatus,
    pub links: Vec<FeedbackLink>,
    /// The workspace's custom fields by key (see `/workspaces/{ws}/custom-fields`).
    #[schema(value_type = Object)]
    pub custom_fields: crate::custom::CustomValues,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

str_enum! {
    /// A feature's place in its life: idea → discovery → planned →
    /// in_delivery → shipped → measured, or rejected.
    pub enum FeatureStatus {
        Idea = "idea",
        Discovery = "discovery",
        Planned = "planned",
        InDelivery = "in_delivery",
        Shipped = "shipped",
        Measured = "measured",
        Rejected = "rejected",
    }
}

impl FeatureStatus {
    /// The moves the workflow allows: forward any number of steps (a small
    /// team may skip discovery), back one step (a plan undone), rejection
    /// from anything not yet shipped, and reopening a rejected idea.
    pub fn may_become(self, to: FeatureStatus) -> bool {
        use FeatureStatus::*;
        if self == to {
            return true;
        }
        match (self, to) {
            (Rejected, Idea | Discovery) => true,
            (Rejected, _) => false,
            (Shipped | Measured, Rejected) => false,
            (_, Rejected) => true,
            (from, to) => to > from || from as u8 == to as u8 + 1,
        }
    }
}

str_enum! {
    /// Roadmap lane.
    pub enum Lane { Now = "now", Next = "next", Later = "later" }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Feature {
    pub id: Id,
    pub product_id: Id,
    /// `WEB-12`.
    pub key: String,
    pub title: String,
    /// Markdown: problem, goals, user stories, acceptance criteria.
    pub description: String,
    pub description_html: String,
    pub status: FeatureStatus,
    /// Why it was rejected; set exactly when `status` is `rejected`.
    pub rejection_reason: Option<String>,
    pub lane: Option<Lane>,
    pub release_id: Option<Id>,
    /// Manual position in the backlog (drag and drop), smallest first.
    pub rank: i64,
    #[serde(flatten)]
    pub inputs: ScoringInputs,
    pub scores: Scores,
    pub quadrant: Option<Quadrant>,
    /// The product-analytics event that shows the feature is used.
    pub adoption_event: Option<String>,
    pub shipped_on: Option<Day>,
    pub feedback_count: i64,
    /// The workspace's custom fields by key (see `/workspaces/{ws}/custom-fields`).
    #[schema(value_type = Object)]
    pub custom_fields: crate::custom::CustomValues,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

str_enum! {
    pub enum ReleaseStatus { Planned = "planned", InProgress = "in_progress", Released = "released" }
}

/// A release's forecast: the latest scheduled finish of the work that
/// delivers its features, late when after the target date.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Forecast {
    pub date: Day,
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Release {
    pub id: Id,
    pub product_id: Id,
    pub name: String,
    pub target_date: Option<Day>,
    pub status: ReleaseStatus,
    /// Markdown.
    pub notes: String,
    pub notes_html: String,
    /// `null` (with `forecast_reason`) until work is scheduled to deliver it.
    pub forecast: Option<Forecast>,
    pub forecast_reason: Option<String>,
    pub feature_ids: Vec<Id>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The reason a release without scheduled delivery work has no forecast.
pub const NO_DELIVERING_WORK: &str = "no scheduled work delivers this release's features yet";

str_enum! {
    /// Whether a key result is met by going up or down.
    pub enum Direction { Increase = "increase", Decrease = "decrease" }
}

/// One recorded value of a key result or a metric series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DatedValue {
    pub date: Day,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KeyResult {
    pub id: Id,
    pub objective_id: Id,
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub current: f64,
    pub direction: Direction,
    /// (current − baseline) ÷ (target − baseline), clamped to 0–1.
    pub progress: f64,
    /// Every recorded value, oldest first.
    pub history: Vec<DatedValue>,
    /// The metric series it follows: its current value is that series'
    /// latest (fed from events or typed), each change kept in `history`.
    pub metric_id: Option<Id>,
    /// The features that are this key result's bets.
    pub feature_ids: Vec<Id>,
    /// The forecast of the delivery work behind those features (computed
    /// from the projects' schedules; `null` where not computed).
    pub delivery: Option<KrDelivery>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The delivery work behind a key result: the tasks of its linked
/// features, how far they are, and when the last is forecast to finish
/// against the end of the objective's period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KrDelivery {
    pub features: usize,
    pub tasks: usize,
    /// Duration-weighted completion of those tasks, 0–1.
    pub percent_complete: Option<f64>,
    pub forecast: Option<Day>,
    /// The last day of the objective's period, when it reads as one.
    pub due: Option<Day>,
    /// The forecast is after the due day.
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Objective {
    pub id: Id,
    pub product_id: Id,
    pub title: String,
    /// `2026-Q1`, `2026-H2`, `2026`.
    pub period: String,
    pub owner_id: Option<Id>,
    /// The mean of its key results' progress; `null` without any.
    pub progress: Option<f64>,
    pub key_results: Vec<KeyResult>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

str_enum! {
    /// How far a competitor offers a capability.
    pub enum CapabilityLevel { Has = "has", Partial = "partial", None = "none" }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Competitor {
    pub id: Id,
    pub product_id: Id,
    pub name: String,
    pub notes: String,
    /// Capability name → level.
    pub capabilities: BTreeMap<String, CapabilityLevel>,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Checks that a key result can make progress: the target differs from the
/// baseline, on the side its direction says.
pub fn check_key_result(baseline: f64, target: f64, direction: Direction) -> Result<(), Invalid> {
    if !baseline.is_finite() || !target.is_finite() {
        return Err(Invalid::new("target", "baseline and target must be numbers"));
    }
    match direction {
        Direction::Increase if target <= baseline => {
            Err(Invalid::new("target", "must be above the baseline for an `increase` key result"))
        }
        Direction::Decrease if target >= baseline => {
            Err(Invalid::new("target", "must be below the baseline for a `decrease` key result"))
        }
        _ => Ok(()),
    }
}

/// Key-result progress: (current − baseline) ÷ (target − baseline), clamped
/// to 0–1. The same formula serves `decrease` key results.
pub fn key_result_progress(baseline: f64, target: f64, current: f64) -> f64 {
    let span = target - baseline;
    if span == 0.0 || !span.is_finite() || !current.is_finite() {
        return 0.0;
    }
    let p = ((current - baseline) / span).clamp(0.0, 1.0);
    (p * 10_000.0).round() / 10_000.0
}

/// The mean progress of an objective's key results.
/// The last day of an objective's period: `2027-Q1`, `2027-H2`, `2027-03`
/// or `2027`; `None` for a period written otherwise.
pub fn period_end(period: &str) -> Option<Day> {
    let p = period.trim().to_ascii_uppercase();
    let (year, rest) = match p.split_once('-') {
        Some((y, r)) => (y.parse::<i16>().ok()?, Some(r.to_owned())),
        None => (p.parse::<i16>().ok()?, None),
    };
    let month: i8 = match rest.as_deref() {
        None => 12,
        Some(r) if r.starts_with('Q') => 3 * r[1..].parse::<i8>().ok().filter(|q| (1..=4).contains(q))?,
        Some(r) if r.starts_with('H') => 6 * r[1..].parse::<i8>().ok().filter(|h| (1..=2).contains(h))?,
        Some(r) => r.parse::<i8>().ok().filter(|m| (1..=12).contains(m))?,
    };
    let first = jiff::civil::Date::new(year, month, 1).ok()?;
    Some(Day(first.last_of_month()))
}

pub fn objective_progress(key_results: &[KeyResult]) -> Option<f64> {
    if key_results.is_empty() {
        return None;
    }
    let sum: f64 = key_results.iter().map(|k| k.progress).sum();
    Some((sum / key_results.len() as f64 * 10_000.0).round() / 10_000.0)
}

impl Feature {
    pub fn rankable(&self) -> Rankable {
        Rankable {
            scores: self.scores,
            moscow: self.inputs.moscow,
            rank: self.rank,
            created_at: self.created_at.0,
            id: self.id.0,
        }
    }

    /// The score for `by`, `None` when unscored (MoSCoW has none).
    pub fn score(&self, by: Framework) -> Option<f64> {
        self.rankable().score(by)
    }
}

/// Sorts a backlog by `by` with the tie-breaks of [`backlog_order`].
pub fn sort_backlog(features: &mut [Feature], by: Framework) {
    features.sort_by(|a, b| backlog_order(by, &a.rankable(), &b.rankable()));
}

/// A feature as the roadmap shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RoadmapCard {
    pub id: Id,
    pub key: String,
    pub title: String,
    pub status: FeatureStatus,
    pub lane: Option<Lane>,
    pub release_id: Option<Id>,
    /// The score by the product's default framework.
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct RoadmapLanes {
    pub now: Vec<RoadmapCard>,
    pub next: Vec<RoadmapCard>,
    pub later: Vec<RoadmapCard>,
}

/// One release on the timeline, with the features planned into it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimelineRelease {
    pub release: Release,
    pub features: Vec<RoadmapCard>,
}

/// The roadmap: now/next/later lanes, and a timeline by release.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Roadmap {
    pub framework: Framework,
    pub lanes: RoadmapLanes,
    /// Releases in target-date order (undated last).
    pub timeline: Vec<TimelineRelease>,
    /// Features in a lane but in no release.
    pub unreleased: Vec<RoadmapCard>,
}

/// Builds the roadmap from the backlog: rejected features stay off it;
/// each lane and release lists its features in backlog order.
pub fn roadmap(mut features: Vec<Feature>, releases: Vec<Release>, by: Framework) -> Roadmap {
    sort_backlog(&mut features, by);
    let card = |f: &Feature| RoadmapCard {
        id: f.id,
        key: f.key.clone(),
        title: f.title.clone(),
        status: f.status,
        lane: f.lane,
        release_id: f.release_id,
        score: f.score(by),
    };
    let live: Vec<&Feature> = features.iter().filter(|f| f.status != FeatureStatus::Rejected).collect();
    let in_lane = |lane: Lane| live.iter().filter(|f| f.lane == Some(lane)).map(|f| card(f)).collect();
    let lanes = RoadmapLanes { now: in_lane(Lane::Now), next: in_lane(Lane::Next), later: in_lane(Lane::Later) };
    let unreleased = live.iter().filter(|f| f.lane.is_some() && f.release_id.is_none()).map(|f| card(f)).collect();
    let timeline = releases
        .into_iter()
        .map(|r| {
            let features = live.iter().filter(|f| f.release_id == Some(r.id)).map(|f| card(f)).collect();
            TimelineRelease { release: r, features }
        })
        .collect();
    Roadmap { framework: by, lanes, timeline, unreleased }
}

/// Release notes in Markdown, generated from the release's shipped (or
/// measured) features in backlog order.
pub fn release_notes(release: &Release, features: &[Feature]) -> String {
    let mut out = format!("# {}\n", release.name);
    if let Some(d) = release.target_date {
        let day = crate::prefs::date_text(d.0, crate::prefs::DateOrder::DayMonth);
        out.push_str(&format!("\n_Target date: {day}_\n"));
    }
    let shipped: Vec<&Feature> = features
        .iter()
        .filter(|f| f.release_id == Some(release.id))
        .filter(|f| matches!(f.status, FeatureStatus::Shipped | FeatureStatus::Measured))
        .collect();
    if shipped.is_empty() {
        out.push_str("\nNo features of this release have shipped yet.\n");
        return out;
    }
    out.push_str("\n## What's new\n\n");
    for f in shipped {
        // Titles are user text: escape what Markdown would read as markup.
        out.push_str(&format!("- **{}** ({})\n", escape_markdown(&f.title), f.key));
    }
    out
}

fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]()#+-.!<>|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn periods_end_on_their_last_day() {
        let d = |s: &str| period_end(s).map(|d| d.to_string());
        assert_eq!(d("2027-Q1").as_deref(), Some("2027-03-31"));
        assert_eq!(d("2026-h2").as_deref(), Some("2026-12-31"));
        assert_eq!(d("2027-02").as_deref(), Some("2027-02-28"));
        assert_eq!(d("2027").as_deref(), Some("2027-12-31"));
        assert_eq!(d("Q5 2027"), None);
        assert_eq!(d("2027-Q5"), None);
    }

    use super::*;
    use FeatureStatus::*;

    #[test]
    fn feature_workflow() {
        assert!(Idea.may_become(Planned));
        assert!(Planned.may_become(Discovery));
        assert!(!Shipped.may_become(Idea));
        assert!(Discovery.may_become(Rejected));
        assert!(!Shipped.may_become(Rejected));
        assert!(Rejected.may_become(Idea));
        assert!(!Rejected.may_become(Shipped));
        assert!(Shipped.may_become(Measured));
        assert!(Measured.may_become(Shipped));
        assert!(!Measured.may_become(Planned));
    }

    #[test]
    fn key_result_progress_both_directions() {
        // Increase: activation 20 % → 40 %, now 35 %: three quarters there.
        assert_eq!(key_result_progress(20.0, 40.0, 35.0), 0.75);
        // Decrease: churn 5 % → 3 %, now 4.5 %: a quarter there.
        assert_eq!(key_result_progress(5.0, 3.0, 4.5), 0.25);
        // Clamped both ways.
        assert_eq!(key_result_progress(20.0, 40.0, 10.0), 0.0);
        assert_eq!(key_result_progress(5.0, 3.0, 2.0), 1.0);
        assert_eq!(key_result_progress(1.0, 1.0, 1.0), 0.0);
        assert!(check_key_result(5.0, 3.0, Direction::Increase).is_err());
        assert!(check_key_result(5.0, 5.0, Direction::Decrease).is_err());
        assert!(check_key_result(5.0, 3.0, Direction::Decrease).is_ok());
    }

    #[test]
    fn importance_is_one_to_three() {
        assert!(serde_json::from_str::<Importance>("0").is_err());
        assert!(serde_json::from_str::<Importance>("4").is_err());
        assert_eq!(serde_json::from_str::<Importance>("3").unwrap(), Importance::CRITICAL);
    }
}
