//! Status reports: the facts, the drafted RAG and edits.

use std::collections::HashSet;
use tandem_core::progress::is_late;

use serde::Deserialize;
use tandem_core::change::{CrStatus, ScopeMetrics, UnmanagedChange, is_plan_edit};
use tandem_core::metrics::{
    Rag, RagThresholds, ReportStatus, StatusFacts, StatusRag, StatusReport, scope_creep, status_rag,
};
use tandem_core::risk::{RiskStatus, Severity};
use tandem_core::{Id, validate};
use tandem_store::runs::ReportEdit;
use utoipa::ToSchema;

use super::delivery;
use crate::App;
use crate::access::InProject;
use crate::error::AppError;

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
            // The task as people name it: its key and name at the time, or now.
            let named = |v: &Option<serde_json::Value>| {
                let o = v.as_ref()?;
                Some(format!("{} {}", o.get("key")?.as_str()?, o.get("name")?.as_str()?))
            };
            let subject_label = named(&e.after)
                .or_else(|| named(&e.before))
                .or_else(|| plan.tasks.iter().find(|t| t.id == e.subject_id).map(|t| format!("{} {}", t.key, t.name)));
            unmanaged.push(UnmanagedChange {
                subject_label,
                actor_name: e.actor_name,
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
