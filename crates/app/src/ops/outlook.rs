//! Looking ahead: Monte Carlo schedule risk runs, stored with their
//! inputs, and status reports drafted from the project's figures with the
//! RAG thresholds of the design (editable per project).

use std::collections::HashSet;
use tandem_core::progress::is_late;

use serde::{Deserialize, Serialize};
use tandem_core::change::{CrStatus, ScopeMetrics, UnmanagedChange, is_plan_edit};
use tandem_core::metrics::{
    Rag, RagThresholds, ReportStatus, StatusFacts, StatusRag, StatusReport, scope_creep, status_rag,
};
use tandem_core::project::LocalTime;
use tandem_core::risk::{RiskStatus, Severity};
use tandem_core::{Id, validate};
use tandem_sched::montecarlo::{Distribution, Estimate, Options, simulate};
use tandem_store::runs::{ReportEdit, RunRow};
use utoipa::ToSchema;

use super::delivery;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;

tandem_core::str_enum! {
    /// How task durations are drawn from their three-point estimates.
    pub enum Spread { Triangular = "triangular", Pert = "pert" }
}

/// `POST /projects/{id}/monte-carlo`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// 1 to 100 000 (default 1000).
    pub iterations: Option<u32>,
    /// Any non-negative integer (default 1): the same seed gives the same answer.
    pub seed: Option<u64>,
    /// Defaults to `triangular`.
    pub distribution: Option<Spread>,
    /// Report the chance of finishing by this date (default: the project's target finish).
    pub target: Option<LocalTime>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistogramBin {
    pub from: LocalTime,
    pub to: LocalTime,
    pub count: u32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CurvePoint {
    pub date: LocalTime,
    /// Share of iterations finished by `date`.
    pub probability: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Criticality {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    /// Share of iterations in which the task was critical, 0–1.
    pub index: f64,
}

/// What a run found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunResult {
    pub p10: LocalTime,
    pub p50: LocalTime,
    pub p80: LocalTime,
    pub p90: LocalTime,
    pub mean: LocalTime,
    pub min: LocalTime,
    pub max: LocalTime,
    /// The deterministic finish of the plan, for comparison.
    pub planned_finish: LocalTime,
    pub target: Option<LocalTime>,
    /// Probability of finishing by the target.
    pub on_time: Option<f64>,
    pub histogram: Vec<HistogramBin>,
    pub s_curve: Vec<CurvePoint>,
    /// Tasks by criticality index, highest first (summaries left out).
    pub criticality: Vec<Criticality>,
}

/// One task as the run saw it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunTask {
    pub task_id: Id,
    pub duration_minutes: i64,
    pub estimate: Option<tandem_core::project::Estimate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunInputs {
    pub start: LocalTime,
    pub status_date: Option<LocalTime>,
    pub tasks: Vec<RunTask>,
}

/// A stored run: what it was asked, from which plan, and what it found.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonteCarloRun {
    pub id: Id,
    pub project_id: Id,
    pub iterations: i64,
    pub seed: i64,
    pub distribution: String,
    pub created_by: Id,
    pub created_at: tandem_core::Millis,
    pub inputs: RunInputs,
    pub results: RunResult,
}

fn corrupt(e: serde_json::Error) -> AppError {
    AppError::Internal(format!("stored run: {e}"))
}

pub fn run_view(r: RunRow) -> Result<MonteCarloRun, AppError> {
    Ok(MonteCarloRun {
        id: r.id,
        project_id: r.project_id,
        iterations: r.iterations,
        seed: r.seed,
        distribution: r.distribution,
        created_by: r.created_by,
        created_at: r.created_at,
        inputs: serde_json::from_str(&r.inputs_json).map_err(corrupt)?,
        results: serde_json::from_str(&r.results_json).map_err(corrupt)?,
    })
}

fn local(m: tandem_sched::Minute) -> Result<LocalTime, AppError> {
    tandem_sched::time::to_datetime(m)
        .map(LocalTime)
        .ok_or_else(|| AppError::Internal(format!("minute {m} out of range")))
}

/// The most iteration × task steps one run may take.
const MAX_WORK: u64 = 50_000_000;

/// Runs the simulation on the plan as it is now and stores it.
pub async fn run_monte_carlo(state: &App, a: &InProject, req: RunRequest) -> Result<MonteCarloRun, AppError> {
    let iterations = req.iterations.unwrap_or(1000);
    if !(1..=100_000).contains(&iterations) {
        return Err(AppError::invalid("iterations", "must be from 1 to 100000"));
    }
    let seed = req.seed.unwrap_or(1);
    let seed_i64 = i64::try_from(seed).map_err(|_| AppError::invalid("seed", "must be below 2^63"))?;
    let spread = req.distribution.unwrap_or(Spread::Triangular);
    let c = crate::schedules::computed(state, a.scope.project_id).await?;
    let (plan, base) = (&c.plan, &c.schedule);
    if u64::from(iterations) * (plan.tasks.len() as u64).max(1) > MAX_WORK {
        return Err(AppError::invalid("iterations", format!("iterations × tasks may be at most {MAX_WORK}")));
    }
    let net = plan.network()?;
    let estimates: Vec<Option<Estimate>> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if base.is_summary[i] {
                return None;
            }
            t.estimate.and_then(|e| Estimate::new(e.optimistic_minutes, e.likely_minutes, e.pessimistic_minutes))
        })
        .collect();
    let target = req.target.or(plan.project.target_finish);
    let options = Options {
        iterations,
        seed,
        distribution: match spread {
            Spread::Triangular => Distribution::Triangular,
            Spread::Pert => Distribution::Pert,
        },
        target: target.map(|t| tandem_sched::time::from_datetime(t.0)),
        bins: 20,
    };
    let out = tokio::task::spawn_blocking(move || simulate(&net, &estimates, &options, &|_| {}))
        .await
        .map_err(|e| AppError::Internal(format!("monte carlo task: {e}")))?
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
    let n = out.finishes.len().max(1);
    let step = (n / 50).max(1);
    let mut s_curve = Vec::new();
    for (k, f) in out.finishes.iter().enumerate() {
        if (k + 1) % step == 0 || k + 1 == n {
            s_curve.push(CurvePoint { date: local(*f)?, probability: (k + 1) as f64 / n as f64 });
        }
    }
    let mut criticality: Vec<Criticality> = plan
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, _)| !base.is_summary[*i])
        .map(|(i, t)| Criticality {
            task_id: t.id,
            key: t.key.clone(),
            name: t.name.clone(),
            index: (out.criticality[i] * 1000.0).round() / 1000.0,
        })
        .collect();
    criticality.sort_by(|x, y| y.index.total_cmp(&x.index).then(x.key.cmp(&y.key)));
    let results = RunResult {
        p10: local(out.p10)?,
        p50: local(out.p50)?,
        p80: local(out.p80)?,
        p90: local(out.p90)?,
        mean: local(out.mean)?,
        min: local(out.min)?,
        max: local(out.max)?,
        planned_finish: local(base.project_finish)?,
        target,
        on_time: out.on_time,
        histogram: out
            .histogram
            .iter()
            .map(|b| Ok(HistogramBin { from: local(b.from)?, to: local(b.to)?, count: b.count }))
            .collect::<Result<_, AppError>>()?,
        s_curve,
        criticality,
    };
    let inputs = RunInputs {
        start: plan.project.start,
        status_date: plan.project.status_date,
        tasks: plan
            .tasks
            .iter()
            .map(|t| RunTask { task_id: t.id, duration_minutes: t.duration_minutes, estimate: t.estimate })
            .collect(),
    };
    let row = RunRow {
        id: Id(0),
        project_id: a.scope.project_id,
        iterations: i64::from(iterations),
        seed: seed_i64,
        distribution: spread.to_string(),
        inputs_json: to_json(&inputs)?,
        results_json: to_json(&results)?,
        created_by: a.user_id,
        created_at: state.clock.now(),
    };
    run_view(state.store.create_run(&row, state.clock.now()).await?)
}

fn to_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("json: {e}")))
}

// ---- status reports ----

/// The project's thresholds, or the design's defaults.
pub async fn thresholds(state: &App, project: Id) -> Result<RagThresholds, AppError> {
    match state.store.project_rag(project).await? {
        Some(j) => serde_json::from_str(&j).map_err(|e| AppError::Internal(format!("rag_json: {e}"))),
        None => Ok(RagThresholds::default()),
    }
}

pub async fn set_thresholds(
    state: &App,
    a: &InProject,
    version: i64,
    t: RagThresholds,
) -> Result<RagThresholds, AppError> {
    t.check()?;
    let j = serde_json::to_string(&t).map_err(|e| AppError::Internal(e.to_string()))?;
    state.store.set_project_rag(a.user_id, a.scope.project_id, version, &j, state.clock.now()).await?;
    Ok(t)
}

/// The facts of the project today: EVM indices (with a baseline), scope
/// creep against the first baseline (points, else work), the worst open
/// risk, open critical defects, and the forecast against the target.
pub async fn facts(state: &App, project: Id) -> Result<StatusFacts, AppError> {
    facts_of(state, &*crate::schedules::computed(state, project).await?).await
}

/// [`facts`] of a plan already scheduled and costed.
pub async fn facts_of(state: &App, c: &crate::schedules::Computed) -> Result<StatusFacts, AppError> {
    let project = c.plan.project.id;
    let baselines = state.store.baselines(project).await?;
    let (spi, cpi, creep) = match baselines.first() {
        Some(b) => {
            let e = delivery::evm_against(state, c, b, None).await?;
            (e.figures.spi, e.figures.cpi, creep_of(&c.plan.tasks, b))
        }
        None => (None, None, None),
    };
    let risks = state.store.risks(project).await?;
    let defects = state.store.defects(project).await?;
    let finish = tandem_sched::time::to_datetime(c.schedule.project_finish);
    Ok(StatusFacts {
        spi,
        cpi,
        scope_creep: creep,
        worst_open_risk: risks.iter().filter(|r| r.status == RiskStatus::Open).map(|r| r.score).max(),
        open_critical_defects: defects.iter().filter(|d| d.status.is_open() && d.severity == Severity::Critical).count()
            as i64,
        forecast_after_target: finish.is_some_and(|f| is_late(f, c.plan.project.target_finish.map(|t| t.0))),
    })
}

/// Scope added since baseline `b` ÷ its scope: story points when the
/// baseline has them, else work.
fn creep_of(tasks: &[tandem_core::project::Task], b: &tandem_core::tracking::Baseline) -> Option<f64> {
    let in_base: HashSet<Id> = b.tasks.iter().map(|r| r.task_id).collect();
    let base_points: f64 = b.tasks.iter().filter_map(|r| r.story_points).sum();
    if base_points > 0.0 {
        let added: f64 = tasks.iter().filter(|t| !in_base.contains(&t.id)).filter_map(|t| t.story_points).sum();
        scope_creep((added * 100.0).round() as i64, (base_points * 100.0).round() as i64)
    } else {
        let base_work: i64 = b.tasks.iter().map(|r| r.work_minutes.max(r.duration_minutes)).sum();
        let added: i64 = tasks
            .iter()
            .filter(|t| !in_base.contains(&t.id) && t.kind != tandem_core::project::TaskKind::Summary)
            .map(|t| t.work_minutes.max(t.duration_minutes))
            .sum();
        scope_creep(added, base_work)
    }
}

/// At most this many activity entries are read for unmanaged change.
const MAX_SCOPE_ENTRIES: i64 = 20_000;

/// Scope change since the first baseline: creep, the change requests filed
/// since and what the applied ones added, and plan edits made without one.
pub async fn scope_metrics(
    state: &App,
    plan: &crate::plan::Plan,
    baselines: &[tandem_core::tracking::Baseline],
    requests: &[tandem_core::change::ChangeRequest],
) -> Result<ScopeMetrics, AppError> {
    let Some(first) = baselines.iter().min_by_key(|b| b.created_at) else {
        return Ok(ScopeMetrics::default());
    };
    let project = &plan.project;
    let mut m = ScopeMetrics {
        baseline_at: Some(first.created_at),
        scope_creep: baselines.first().and_then(|b| creep_of(&plan.tasks, b)),
        ..ScopeMetrics::default()
    };
    for cr in requests {
        if cr.created_at < first.created_at {
            continue;
        }
        m.requests_filed += 1;
        match cr.status {
            CrStatus::Applied => {
                m.requests_applied += 1;
                if let Some(i) = &cr.impact {
                    m.approved_points += i.scope_delta_points;
                    m.approved_finish_working_days += i.finish_delta_working_days;
                }
            }
            CrStatus::Rejected => m.requests_rejected += 1,
            CrStatus::Draft => {}
            _ => m.requests_open += 1,
        }
    }
    let ws = project.workspace_id;
    let from = state.store.activity_mark(ws, first.created_at).await?;
    let upto = state.store.activity_mark(ws, state.clock.now()).await?;
    let tasks: HashSet<Id> = plan.tasks.iter().map(|t| t.id).collect();
    let prefix = format!("{}-", project.key);
    let key_here = |v: &Option<serde_json::Value>| {
        v.as_ref().and_then(|o| o.get("key")).and_then(|k| k.as_str()).is_some_and(|k| k.starts_with(&prefix))
    };
    let project_here = |v: &Option<serde_json::Value>| {
        v.as_ref().and_then(|o| o.get("project_id")).and_then(|k| k.as_str()) == Some(project.id.to_string().as_str())
    };
    let mut unmanaged = Vec::new();
    for e in state.store.plan_activity_between(ws, from, upto, MAX_SCOPE_ENTRIES).await? {
        if !is_plan_edit(&e.action, e.after.as_ref()) {
            continue;
        }
        let here = match e.action.as_str() {
            "task.created" => key_here(&e.after),
            "task.deleted" => key_here(&e.before),
            "task.updated" => tasks.contains(&e.subject_id),
            "dependency.created" => project_here(&e.after),
            _ => project_here(&e.before),
        };
        if here {
            unmanaged.push(UnmanagedChange {
                action: e.action,
                subject_type: e.subject_type,
                subject_id: e.subject_id,
                actor_email: e.actor_email,
                at: e.at,
            });
        }
    }
    m.unmanaged_changes = unmanaged.len() as i64;
    unmanaged.reverse();
    unmanaged.truncate(10);
    m.unmanaged = unmanaged;
    Ok(m)
}

fn summary_of(f: &StatusFacts, rag: &StatusRag) -> String {
    let idx = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |x| format!("{x:.2}"));
    let mut s = format!("Overall **{}**. SPI {}, CPI {}.", rag.overall.as_str(), idx(f.spi), idx(f.cpi));
    if let Some(c) = f.scope_creep {
        s.push_str(&format!(" Scope creep {:.0} %.", c * 100.0));
    }
    if let Some(r) = f.worst_open_risk {
        s.push_str(&format!(" Worst open risk scores {r}."));
    }
    if f.open_critical_defects > 0 {
        s.push_str(&format!(" {} open critical defect(s).", f.open_critical_defects));
    }
    if f.forecast_after_target {
        s.push_str(" The forecast finish is after the target.");
    }
    s
}

/// `POST /projects/{id}/status-reports`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftReport {
    /// Defaults to the ISO week of today, e.g. `2027-W02`.
    pub period: Option<String>,
}

pub async fn draft_report(state: &App, a: &InProject, req: DraftReport) -> Result<StatusReport, AppError> {
    let f = facts(state, a.scope.project_id).await?;
    let rag = status_rag(&f, &thresholds(state, a.scope.project_id).await?);
    let period = match req.period {
        Some(p) => validate::name("period", &p)?,
        None => {
            let d = tandem_core::model::Day::of(state.clock.now()).0;
            let w = d.iso_week_date();
            format!("{}-W{:02}", w.year(), w.week())
        }
    };
    let e = ReportEdit { period, rag, summary: summary_of(&f, &rag) };
    Ok(state.store.create_report(a.user_id, a.scope.project_id, &e, &f, state.clock.now()).await?)
}

/// RAG set by hand: any dimension left out keeps its value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RagEdit {
    pub schedule: Option<Rag>,
    pub budget: Option<Rag>,
    pub scope: Option<Rag>,
    pub quality: Option<Rag>,
    pub risk: Option<Rag>,
    pub overall: Option<Rag>,
}

/// `PATCH /status-reports/{id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReport {
    pub period: Option<String>,
    pub summary: Option<String>,
    pub rag: Option<RagEdit>,
    pub version: Option<i64>,
}

pub async fn update_report(
    state: &App,
    a: &InProject,
    report: Id,
    version: i64,
    req: UpdateReport,
    publish: bool,
) -> Result<StatusReport, AppError> {
    let period = req.period.map(|p| validate::name("period", &p)).transpose()?;
    let summary = req.summary.map(|s| validate::long_text("summary", &s)).transpose()?;
    Ok(state
        .store
        .update_report(
            a.user_id,
            report,
            version,
            |e| {
                if let Some(v) = period {
                    e.period = v;
                }
                if let Some(v) = summary {
                    e.summary = v;
                }
                if let Some(r) = req.rag {
                    let dims = [
                        (&mut e.rag.schedule, r.schedule),
                        (&mut e.rag.budget, r.budget),
                        (&mut e.rag.scope, r.scope),
                        (&mut e.rag.quality, r.quality),
                        (&mut e.rag.risk, r.risk),
                    ];
                    let mut touched = false;
                    for (slot, v) in dims {
                        if let Some(v) = v {
                            *slot = v;
                            touched = true;
                        }
                    }
                    if touched && r.overall.is_none() {
                        e.rag.overall =
                            e.rag.schedule.max(e.rag.budget).max(e.rag.scope).max(e.rag.quality).max(e.rag.risk);
                    }
                    if let Some(o) = r.overall {
                        e.rag.overall = o;
                    }
                }
                Ok(())
            },
            publish,
            state.clock.now(),
        )
        .await?)
}

/// Whether a report is still a draft (pages show the edit form only then).
pub fn is_draft(r: &StatusReport) -> bool {
    r.status == ReportStatus::Draft
}

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

pub async fn dashboard(state: &App, project: Id) -> Result<ProjectDashboard, AppError> {
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
    let risk_heatmap = super::risks::risk_heatmap(&risks).cells;
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
