//! The project dashboard and its scope metrics.

use super::*;
use tandem_core::progress::is_late;

use std::sync::Arc;

use serde::Serialize;
use tandem_core::Id;
use tandem_core::change::ScopeMetrics;
use tandem_core::metrics::StatusReport;
use tandem_core::project::LocalTime;
use tandem_core::risk::RiskStatus;
use utoipa::ToSchema;

use super::delivery;
use crate::App;
use crate::error::AppError;
use crate::figures::FigureKey;

// ---- the project dashboard ----

/// A milestone ahead.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneAhead {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub finish: LocalTime,
    pub critical: bool,
}

/// `GET /dashboards/project/{id}`: the figures of the project manager's
/// dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDashboard {
    pub project_id: Id,
    pub forecast_finish: LocalTime,
    /// The latest finish of the first baseline.
    pub baseline_finish: Option<LocalTime>,
    pub target_finish: Option<LocalTime>,
    /// The forecast is after the target.
    pub late: bool,
    /// Earned value, when a baseline is set.
    pub evm: Option<crate::measure::EvmView>,
    /// Tasks on the critical path and their working days.
    pub critical_tasks: usize,
    pub critical_working_days: f64,
    pub next_milestones: Vec<MilestoneAhead>,
    /// Open risks, highest score first (five at most).
    pub top_risks: Vec<tandem_core::risk::Risk>,
    pub risk_heatmap: Vec<Vec<i64>>,
    /// Work resources over-allocated in some week.
    pub over_allocated: Vec<String>,
    pub latest_report: Option<StatusReport>,
    /// One person is both the product's owner and the project's manager.
    pub both_hats: bool,
    /// Change requests waiting for a decision (submitted or escalated).
    pub open_change_requests: Vec<tandem_core::change::ChangeRequest>,
    /// Scope change since the first baseline, with unmanaged change.
    pub scope: ScopeMetrics,
}

/// The project's dashboard, computed once per (plan revision, data
/// revision, day) and shared by every reader of it.
pub async fn dashboard(state: &App, project: Id) -> Result<Arc<ProjectDashboard>, AppError> {
    let day = tandem_core::model::Day::of(state.clock.now());
    let key = |revisions| FigureKey { project, revisions, day };
    let before = state.store.revisions(project).await?;
    if let Some(d) = before.and_then(|r| state.dashboards.get(&key(r))) {
        return Ok(d);
    }
    let d = Arc::new(compute(state, project).await?);
    // Kept only when nothing moved while it was computed: then what was
    // read is exactly that pair of revisions' data.
    if let Some(r) = before
        && state.store.revisions(project).await? == Some(r)
    {
        state.dashboards.put(key(r), Arc::clone(&d));
    }
    Ok(d)
}

async fn compute(state: &App, project: Id) -> Result<ProjectDashboard, AppError> {
    let c = crate::schedules::computed(state, project).await?;
    let view = &c.view;
    let baselines = state.store.baselines(project).await?;
    let evm = match baselines.first() {
        Some(b) => Some(delivery::evm_against(state, &c, b, None).await?),
        None => None,
    };
    let util = delivery::utilisation_of(&c, &delivery::UtilisationQuery::default())?;
    let requests = state.store.change_requests(project).await?;
    let scope = scope_metrics(state, &c.plan, &baselines, &requests).await?;
    let plan = &c.plan;
    let critical_minutes: i64 =
        plan.tasks.iter().filter(|t| view.critical_path.contains(&t.id)).map(|t| t.duration_minutes).sum();
    let today = LocalTime(tandem_core::model::Day::of(state.clock.now()).0.at(0, 0, 0, 0));
    let next_milestones = view
        .tasks
        .iter()
        .filter(|t| t.milestone && t.finish >= today)
        .take(5)
        .map(|t| MilestoneAhead {
            task_id: t.id,
            key: t.key.clone(),
            name: t.name.clone(),
            finish: t.finish,
            critical: t.critical,
        })
        .collect();
    let risks = state.store.risks(project).await?;
    let risk_heatmap = crate::ops::risks::risk_heatmap(&risks).cells;
    let both_hats = match plan.project.product_id {
        Some(p) => state.store.product(p).await.map(|x| x.owner_id == plan.project.manager_id).unwrap_or(false),
        None => false,
    };
    Ok(ProjectDashboard {
        project_id: project,
        forecast_finish: view.project.finish,
        baseline_finish: baselines.first().and_then(|b| b.tasks.iter().map(|r| r.finish).max()),
        target_finish: plan.project.target_finish,
        late: is_late(view.project.finish, plan.project.target_finish),
        evm,
        critical_tasks: view.critical_path.len(),
        critical_working_days: (critical_minutes as f64 / 48.0).round() / 10.0,
        next_milestones,
        top_risks: risks.into_iter().filter(|r| r.status == RiskStatus::Open).take(5).collect(),
        risk_heatmap,
        over_allocated: util.resources.iter().filter(|r| r.over_allocated).map(|r| r.name.clone()).collect(),
        latest_report: state.store.reports(project).await?.into_iter().next(),
        both_hats,
        open_change_requests: requests
            .into_iter()
            .filter(|c| {
                matches!(c.status, tandem_core::change::CrStatus::Submitted | tandem_core::change::CrStatus::Escalated)
            })
            .collect(),
        scope,
    })
}
