//! Baselines, their variance, and earned value against them.

use serde::{Deserialize, Serialize};
use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::project::LocalTime;
use tandem_core::tracking::{BASELINES, Baseline};
use tandem_core::validate::{self};
use tandem_store::resources::TimeFilter;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::measure::{self, BaselineView, EvmView};
use crate::plan;
use crate::schedules::{Computed, computed};

// ---- baselines ----

/// `POST /projects/{id}/baselines`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBaseline {
    /// 0 (the baseline) to 10; defaults to the lowest not yet set.
    pub number: Option<i64>,
    pub name: Option<String>,
}

/// A baseline without its task rows, for lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineSummary {
    pub number: i64,
    pub name: String,
    pub created_by: Id,
    pub created_at: tandem_core::Millis,
    pub tasks: usize,
}

impl From<&Baseline> for BaselineSummary {
    fn from(b: &Baseline) -> Self {
        BaselineSummary {
            number: b.number,
            name: b.name.clone(),
            created_by: b.created_by,
            created_at: b.created_at,
            tasks: b.tasks.len(),
        }
    }
}

/// Snapshots the current schedule into a baseline (replacing that number).
pub async fn set_baseline(state: &App, a: &InProject, req: SetBaseline) -> Result<BaselineSummary, AppError> {
    let existing = state.store.baselines(a.scope.project_id).await?;
    let number = match req.number {
        Some(n) if (0..BASELINES).contains(&n) => n,
        Some(_) => return Err(AppError::invalid("number", "must be from 0 to 10")),
        None => (0..BASELINES)
            .find(|n| !existing.iter().any(|b| b.number == *n))
            .ok_or_else(|| AppError::Conflict("all 11 baselines are set: name a number to replace one".into()))?,
    };
    let name = match req.name {
        Some(n) => validate::name("name", &n)?,
        None if number == 0 => "Baseline".to_owned(),
        None => format!("Baseline {number}"),
    };
    let c = computed(state, a.scope.project_id).await?;
    let rows = measure::baseline_rows(&c.plan.tasks, &c.schedule, &c.costs)?;
    let b = state.store.set_baseline(a.user_id, a.scope.project_id, number, &name, &rows, state.clock.now()).await?;
    Ok(BaselineSummary::from(&b))
}

/// A baseline with every task's variance.
pub async fn baseline_variance(state: &App, project: Id, number: i64) -> Result<BaselineView, AppError> {
    let b = state.store.baselines(project).await?.into_iter().find(|b| b.number == number).ok_or(AppError::NotFound)?;
    let c = computed(state, project).await?;
    let cal = plan::calendar(&c.plan.calendar)?;
    measure::variance(&c.plan.tasks, &c.schedule, &c.costs, &b, &cal)
}

// ---- earned value ----

/// EVM at `status` (else the project's status date, else today) against
/// baseline 0 (else the lowest set).
pub async fn evm(state: &App, project: Id, status: Option<LocalTime>) -> Result<EvmView, AppError> {
    evm_of(state, &*computed(state, project).await?, status).await
}

/// EVM of a plan already loaded and costed.
pub async fn evm_of(state: &App, c: &Computed, status: Option<LocalTime>) -> Result<EvmView, AppError> {
    let b = state
        .store
        .baselines(c.plan.project.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Conflict("earned value needs a baseline: set one first".into()))?;
    evm_against(state, c, &b, status).await
}

/// EVM against the baseline `b` (already read).
pub async fn evm_against(
    state: &App,
    c: &Computed,
    b: &tandem_core::tracking::Baseline,
    status: Option<LocalTime>,
) -> Result<EvmView, AppError> {
    let project = c.plan.project.id;
    let status = match status.or(c.plan.project.status_date) {
        Some(s) => s,
        None => {
            let today = Day::of(state.clock.now());
            LocalTime(today.0.at(17, 0, 0, 0))
        }
    };
    let f = TimeFilter { project: Some(project), ..TimeFilter::default() };
    let entries = state.store.time_entries(c.plan.project.workspace_id, &f).await?;
    let cal = plan::calendar(&c.plan.calendar)?;
    let project = &c.plan.project;
    measure::evm(&c.plan.tasks, b, &entries, status, (project.budget_minor, &project.currency), &cal)
}
