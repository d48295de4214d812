//! Feedback: capture, triage and links to features.

use super::*;

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::product::{Feedback, FeedbackSource, FeedbackStatus, Importance};
use tandem_core::validate::{self, Invalid};
use tandem_store::product::NewFeedback;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;
use crate::ops::custom;

// ---- feedback ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFeedback {
    pub text: String,
    /// Defaults to `customer` when a customer is named, else `internal`.
    pub source: Option<FeedbackSource>,
    pub customer: Option<String>,
    pub segment: Option<String>,
    /// Customer value (e.g. ARR) in minor units, 0 or more.
    pub customer_value_minor: Option<i64>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
}

fn check_value(v: Option<i64>) -> Result<Option<i64>, Invalid> {
    match v {
        Some(n) if n < 0 => Err(Invalid::new("customer_value_minor", "must be 0 or more")),
        other => Ok(other),
    }
}

pub async fn create_feedback(state: &App, a: &InProduct, req: CreateFeedback) -> Result<Feedback, AppError> {
    let customer = validate::optional_name("customer", req.customer.as_deref())?;
    let source =
        req.source.unwrap_or(if customer.is_some() { FeedbackSource::Customer } else { FeedbackSource::Internal });
    let custom_fields = custom::sent(req.custom_fields)?;
    custom::check_new(state, a.scope.workspace_id, FieldObject::Feedback, &custom_fields).await?;
    let new = NewFeedback {
        text: validate::required_text("text", &req.text)?,
        source,
        customer,
        segment: validate::optional_name("segment", req.segment.as_deref())?,
        customer_value_minor: check_value(req.customer_value_minor)?,
        custom_fields,
    };
    Ok(state.store.create_feedback(a.user_id, a.scope.product_id, &new, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFeedback {
    pub text: Option<String>,
    pub source: Option<FeedbackSource>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub customer: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub segment: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub customer_value_minor: Option<Option<i64>>,
    /// `new`, `triaged` or `archived`; `linked` follows from links.
    pub status: Option<FeedbackStatus>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_feedback(
    state: &App,
    a: &InProduct,
    fb: Id,
    version: i64,
    req: UpdateFeedback,
) -> Result<Feedback, AppError> {
    if req.status == Some(FeedbackStatus::Linked) {
        return Err(AppError::invalid("status", "feedback becomes `linked` by linking it to a feature"));
    }
    let text = req.text.map(|t| validate::required_text("text", &t)).transpose()?;
    let customer = req.customer.map(|c| validate::optional_name("customer", c.as_deref())).transpose()?;
    let segment = req.segment.map(|c| validate::optional_name("segment", c.as_deref())).transpose()?;
    let value = req.customer_value_minor.map(check_value).transpose()?;
    let sent_custom = req.custom_fields.map(|v| custom::sent(Some(v))).transpose()?;
    let f = state
        .store
        .update_feedback(
            a.user_id,
            fb,
            version,
            |e| {
                if let Some(v) = text {
                    e.text = v;
                }
                if let Some(v) = req.source {
                    e.source = v;
                }
                if let Some(v) = customer {
                    e.customer = v;
                }
                if let Some(v) = segment {
                    e.segment = v;
                }
                if let Some(v) = value {
                    e.customer_value_minor = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = sent_custom {
                    custom::lay_over(&mut e.custom_fields, v);
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(f)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkFeedback {
    pub feature_id: Id,
    /// 1 nice to have, 2 important (default), 3 critical.
    pub importance: Option<Importance>,
}

/// Links feedback to a feature with an importance; the feedback becomes linked.
pub async fn link_feedback(
    state: &App,
    a: &InProduct,
    feedback: Id,
    feature: Id,
    importance: tandem_core::product::Importance,
) -> Result<Feedback, AppError> {
    Ok(state.store.link_feedback(a.user_id, feedback, feature, importance, state.clock.now()).await?)
}

pub async fn unlink_feedback(state: &App, a: &InProduct, feedback: Id, feature: Id) -> Result<Feedback, AppError> {
    Ok(state.store.unlink_feedback(a.user_id, feedback, feature, state.clock.now()).await?)
}

/// `POST /feedback/{id}/feature`: a feature made of feedback in one step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureFromFeedback {
    /// The feature's title; by default the feedback's first line, cut at
    /// a word near 80 characters.
    pub title: Option<String>,
    /// The link's importance: 1 nice to have, 2 important (default), 3 critical.
    pub importance: Option<Importance>,
}

/// The feature and the feedback now linked to it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MadeFromFeedback {
    pub feature: tandem_core::product::Feature,
    pub feedback: Feedback,
}

/// A title from feedback: its first line, cut at a word near 80 characters.
fn title_of(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("Feature from feedback");
    if line.chars().count() <= 80 {
        return line.to_owned();
    }
    let cut: String = line.chars().take(80).collect();
    let at = cut.rfind(' ').filter(|&i| i > 40).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

/// Makes a feature of feedback `fb` (whoever may edit the product) and
/// links them, in one transaction; the feature's description quotes the
/// feedback and names its customer.
pub async fn feature_from_feedback(
    state: &App,
    a: &InProduct,
    fb: Id,
    req: FeatureFromFeedback,
) -> Result<MadeFromFeedback, AppError> {
    a.require(tandem_core::ProductAction::Edit)?;
    let source = state.store.feedback(fb).await?;
    let title = match req.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => validate::name("title", t)?,
        None => title_of(&source.text),
    };
    let quoted: String = source.text.lines().map(|l| format!("> {l}\n")).collect();
    let from = source.customer.as_deref().map(|c| format!("\n— {c}")).unwrap_or_default();
    let new = tandem_store::product::NewFeature {
        title,
        description: validate::long_text("description", &format!("## Heard from customers\n\n{quoted}{from}"))?,
        lane: None,
        release_id: None,
        inputs: tandem_core::scoring::ScoringInputs::default(),
        adoption_event: None,
        custom_fields: Default::default(),
    };
    let importance = req.importance.unwrap_or(Importance::IMPORTANT);
    let (feature, feedback) =
        state.store.feature_from_feedback(a.user_id, fb, &new, importance, state.clock.now()).await?;
    Ok(MadeFromFeedback { feature, feedback })
}

tandem_core::str_enum! {
    /// What a bulk action on feedback does.
    pub enum BulkFeedbackAction { Triage = "triage", Archive = "archive", Reopen = "reopen" => "Back to new", Link = "link" }
}

/// `POST /products/{id}/feedback/bulk`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkFeedback {
    /// The feedback to act on (1–500, all of this product).
    pub ids: Vec<Id>,
    pub action: BulkFeedbackAction,
    /// For `link`: the feature, and the importance (default 2).
    pub feature_id: Option<Id>,
    pub importance: Option<Importance>,
}

pub use crate::ops::BulkResult;

/// Triages, archives, reopens or links many feedback items at once: all or
/// none (whoever may edit the product).
pub async fn bulk_feedback(state: &App, a: &InProduct, req: BulkFeedback) -> Result<BulkResult, AppError> {
    use tandem_store::product::FeedbackBulk;
    a.require(tandem_core::ProductAction::Edit)?;
    let op = match req.action {
        BulkFeedbackAction::Triage => FeedbackBulk::Status(FeedbackStatus::Triaged),
        BulkFeedbackAction::Archive => FeedbackBulk::Status(FeedbackStatus::Archived),
        BulkFeedbackAction::Reopen => FeedbackBulk::Status(FeedbackStatus::New),
        BulkFeedbackAction::Link => FeedbackBulk::Link {
            feature: req.feature_id.ok_or_else(|| AppError::invalid("feature_id", "pick the feature to link to"))?,
            importance: req.importance.unwrap_or(Importance::IMPORTANT),
        },
    };
    let mut ids = req.ids;
    ids.dedup();
    let changed = state.store.bulk_feedback(a.user_id, a.scope.product_id, &ids, op, state.clock.now()).await?;
    Ok(BulkResult { changed })
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_come_from_the_first_line() {
        assert_eq!(super::title_of("\n  Dark mode please\nIt hurts at night"), "Dark mode please");
        let long = "word ".repeat(30);
        let t = super::title_of(&long);
        assert!(t.ends_with('…') && t.chars().count() <= 81, "{t}");
    }
}
