//! The risk register and defects, with the heatmap and quality figures.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tandem_core::Id;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::metrics::{defects_per_100_points, escape_rate};
use tandem_core::risk::{Defect, DefectStatus, Risk, RiskResponse, RiskStatus, Severity, heatmap, rating};
use tandem_core::validate::{self, Invalid};
use tandem_store::risks::{DefectEdit, RiskEdit};
use utoipa::ToSchema;

use super::product::nullable;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::ops::custom;

fn money(field: &'static str, v: i64) -> Result<i64, Invalid> {
    if (0..=1_000_000_000_000).contains(&v) { Ok(v) } else { Err(Invalid::new(field, "must be from 0 to 10^12")) }
}

fn task_list(v: Vec<Id>) -> Result<Vec<Id>, Invalid> {
    if v.len() <= 100 { Ok(v) } else { Err(Invalid::new("task_ids", "at most 100")) }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRisk {
    pub title: String,
    pub description: Option<String>,
    /// 1–5.
    pub probability: i64,
    /// 1–5.
    pub impact: i64,
    pub cost_impact_minor: Option<i64>,
    pub owner_id: Option<Id>,
    /// Defaults to `mitigate`.
    pub response: Option<RiskResponse>,
    pub mitigation: Option<String>,
    pub trigger: Option<String>,
    pub status: Option<RiskStatus>,
    pub task_ids: Option<Vec<Id>>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
}

fn opt_long(field: &'static str, v: Option<&str>) -> Result<String, Invalid> {
    validate::long_text(field, v.unwrap_or(""))
}

pub async fn create_risk(state: &App, a: &InProject, req: CreateRisk) -> Result<Risk, AppError> {
    let custom_fields = custom::sent(req.custom_fields)?;
    custom::check_new(state, a.scope.workspace_id, FieldObject::Risk, &custom_fields).await?;
    let e = RiskEdit {
        title: validate::name("title", &req.title)?,
        description: opt_long("description", req.description.as_deref())?,
        probability: rating("probability", req.probability)?,
        impact: rating("impact", req.impact)?,
        cost_impact_minor: money("cost_impact_minor", req.cost_impact_minor.unwrap_or(0))?,
        owner_id: req.owner_id,
        response: req.response.unwrap_or(RiskResponse::Mitigate),
        mitigation: opt_long("mitigation", req.mitigation.as_deref())?,
        trigger: opt_long("trigger", req.trigger.as_deref())?,
        status: req.status.unwrap_or(RiskStatus::Open),
        task_ids: task_list(req.task_ids.unwrap_or_default())?,
        custom_fields,
    };
    Ok(state.store.create_risk(a.user_id, a.scope.project_id, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRisk {
    pub title: Option<String>,
    pub description: Option<String>,
    pub probability: Option<i64>,
    pub impact: Option<i64>,
    pub cost_impact_minor: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<Id>>,
    pub response: Option<RiskResponse>,
    pub mitigation: Option<String>,
    pub trigger: Option<String>,
    pub status: Option<RiskStatus>,
    pub task_ids: Option<Vec<Id>>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
    pub version: Option<i64>,
}

pub async fn update_risk(
    state: &App,
    a: &InProject,
    risk: Id,
    version: i64,
    req: UpdateRisk,
) -> Result<Risk, AppError> {
    let title = req.title.map(|t| validate::name("title", &t)).transpose()?;
    let description = req.description.map(|t| validate::long_text("description", &t)).transpose()?;
    let probability = req.probability.map(|v| rating("probability", v)).transpose()?;
    let impact = req.impact.map(|v| rating("impact", v)).transpose()?;
    let cost = req.cost_impact_minor.map(|v| money("cost_impact_minor", v)).transpose()?;
    let mitigation = req.mitigation.map(|t| validate::long_text("mitigation", &t)).transpose()?;
    let trigger = req.trigger.map(|t| validate::long_text("trigger", &t)).transpose()?;
    let tasks = req.task_ids.map(task_list).transpose()?;
    let sent_custom = req.custom_fields.map(|v| custom::sent(Some(v))).transpose()?;
    Ok(state
        .store
        .update_risk(
            a.user_id,
            risk,
            version,
            |e| {
                if let Some(v) = title {
                    e.title = v;
                }
                if let Some(v) = description {
                    e.description = v;
                }
                if let Some(v) = probability {
                    e.probability = v;
                }
                if let Some(v) = impact {
                    e.impact = v;
                }
                if let Some(v) = cost {
                    e.cost_impact_minor = v;
                }
                if let Some(v) = req.owner_id {
                    e.owner_id = v;
                }
                if let Some(v) = req.response {
                    e.response = v;
                }
                if let Some(v) = mitigation {
                    e.mitigation = v;
                }
                if let Some(v) = trigger {
                    e.trigger = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = tasks {
                    e.task_ids = v;
                }
                if let Some(v) = sent_custom {
                    custom::lay_over(&mut e.custom_fields, v);
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?)
}

/// `GET /projects/{id}/risks/heatmap`: open risks by impact (rows, 5
/// first) and probability (columns, 1 first), with totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct Heatmap {
    pub cells: Vec<Vec<i64>>,
    pub open: usize,
    pub total_exposure_minor: i64,
    /// The highest score among open risks.
    pub worst_score: Option<i64>,
}

pub fn risk_heatmap(risks: &[Risk]) -> Heatmap {
    let open: Vec<&Risk> = risks.iter().filter(|r| r.status == RiskStatus::Open).collect();
    Heatmap {
        cells: heatmap(risks).iter().map(|r| r.to_vec()).collect(),
        open: open.len(),
        total_exposure_minor: open.iter().map(|r| r.exposure_minor).sum(),
        worst_score: open.iter().map(|r| r.score).max(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDefect {
    pub title: String,
    pub description: Option<String>,
    /// Defaults to `major`.
    pub severity: Option<Severity>,
    pub feature_id: Option<Id>,
    pub task_id: Option<Id>,
    pub found_in_release_id: Option<Id>,
    #[serde(default)]
    pub found_after_release: bool,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
}

pub async fn create_defect(state: &App, a: &InProject, req: CreateDefect) -> Result<Defect, AppError> {
    let custom_fields = custom::sent(req.custom_fields)?;
    custom::check_new(state, a.scope.workspace_id, FieldObject::Defect, &custom_fields).await?;
    let e = DefectEdit {
        title: validate::name("title", &req.title)?,
        description: opt_long("description", req.description.as_deref())?,
        severity: req.severity.unwrap_or(Severity::Major),
        status: DefectStatus::Open,
        feature_id: req.feature_id,
        task_id: req.task_id,
        found_in_release_id: req.found_in_release_id,
        fixed_in_release_id: None,
        found_after_release: req.found_after_release,
        custom_fields,
    };
    Ok(state.store.create_defect(a.user_id, a.scope.project_id, &e, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDefect {
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<DefectStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub feature_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub task_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub found_in_release_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub fixed_in_release_id: Option<Option<Id>>,
    pub found_after_release: Option<bool>,
    /// Custom field values by key (`null` clears one on an edit).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<CustomValues>,
    pub version: Option<i64>,
}

/// Edits a defect: the project's manager, or its reporter.
pub async fn update_defect(
    state: &App,
    a: &InProject,
    d: &Defect,
    version: i64,
    req: UpdateDefect,
) -> Result<Defect, AppError> {
    if !a.manages() && d.reporter_id != a.user_id {
        return Err(AppError::Forbidden);
    }
    let title = req.title.map(|t| validate::name("title", &t)).transpose()?;
    let description = req.description.map(|t| validate::long_text("description", &t)).transpose()?;
    let sent_custom = req.custom_fields.map(|v| custom::sent(Some(v))).transpose()?;
    Ok(state
        .store
        .update_defect(
            a.user_id,
            d.id,
            version,
            |e| {
                if let Some(v) = title {
                    e.title = v;
                }
                if let Some(v) = description {
                    e.description = v;
                }
                if let Some(v) = req.severity {
                    e.severity = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = req.feature_id {
                    e.feature_id = v;
                }
                if let Some(v) = req.task_id {
                    e.task_id = v;
                }
                if let Some(v) = req.found_in_release_id {
                    e.found_in_release_id = v;
                }
                if let Some(v) = req.fixed_in_release_id {
                    e.fixed_in_release_id = v;
                }
                if let Some(v) = req.found_after_release {
                    e.found_after_release = v;
                }
                if let Some(v) = sent_custom {
                    custom::lay_over(&mut e.custom_fields, v);
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?)
}

/// `GET /projects/{id}/quality`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Quality {
    pub total: usize,
    pub open: usize,
    pub open_critical: usize,
    /// Defects by severity (all statuses).
    pub by_severity: BTreeMap<String, usize>,
    /// Defects by the release they were found in (`none` for no release).
    pub by_release: BTreeMap<String, usize>,
    /// Found after release ÷ all.
    pub escape_rate: Option<f64>,
    /// Points of tasks done in the project.
    pub points_delivered: f64,
    /// Defects per 100 points delivered.
    pub defects_per_100_points: Option<f64>,
}

pub async fn quality(state: &App, project: Id) -> Result<Quality, AppError> {
    let defects = state.store.defects(project).await?;
    let tasks = state.store.tasks(project).await?;
    let points: f64 = tasks.iter().filter(|t| t.is_done()).filter_map(|t| t.story_points).sum();
    let mut by_severity = BTreeMap::new();
    let mut by_release = BTreeMap::new();
    for d in &defects {
        *by_severity.entry(d.severity.to_string()).or_insert(0) += 1;
        let rel = d.found_in_release_id.map_or_else(|| "none".to_owned(), |r| r.to_string());
        *by_release.entry(rel).or_insert(0) += 1;
    }
    let escaped = defects.iter().filter(|d| d.found_after_release).count() as i64;
    Ok(Quality {
        total: defects.len(),
        open: defects.iter().filter(|d| d.status.is_open()).count(),
        open_critical: defects.iter().filter(|d| d.status.is_open() && d.severity == Severity::Critical).count(),
        by_severity,
        by_release,
        escape_rate: escape_rate(escaped, defects.len() as i64),
        points_delivered: points,
        defects_per_100_points: defects_per_100_points(defects.len() as i64, points.round() as i64),
    })
}
