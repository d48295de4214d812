//! The project dashboard, Monte Carlo runs and status reports.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::ProjectAction;
use tandem_core::metrics::{Rag, RagThresholds, StatusReport, rag_reasons};

use super::{PageForm, PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self};
use tandem_app::ops::outlook::{self, DraftReport, MonteCarloRun, RunRequest, UpdateReport};

// ---- dashboard ----

#[derive(Template)]
#[template(path = "project_dashboard.html")]
struct DashboardPage {
    shell: Shell,
    f: Frame,
    d: std::sync::Arc<outlook::ProjectDashboard>,
    spi: String,
    cpi: String,
    evm_chart: String,
    critical_days: String,
    rag_dims: Vec<RagDim>,
}

impl DashboardPage {
    /// What a plan edit made outside change control did, as a verb.
    fn verb(&self, action: &str) -> &'static str {
        match action {
            "task.created" => "added",
            "task.deleted" => "deleted",
            "dependency.created" => "added",
            "dependency.deleted" => "removed",
            _ => "changed",
        }
    }
}

/// One RAG dimension of a report as a page shows it: the form field, the
/// colour word, and (for all but overall) the rule that gave the colour.
struct RagDim {
    key: &'static str,
    word: &'static str,
    reason: String,
}

fn dims(r: &StatusReport, t: &RagThresholds) -> Vec<RagDim> {
    let [schedule, budget, scope, quality, risk] = rag_reasons(&r.facts, t);
    let d = |key, rag: Rag, reason| RagDim { key, word: rag.as_str(), reason };
    vec![
        d("schedule", r.rag.schedule, schedule),
        d("budget", r.rag.budget, budget),
        d("scope", r.rag.scope, scope),
        d("quality", r.rag.quality, quality),
        d("risk", r.rag.risk, risk),
        d("overall", r.rag.overall, String::new()),
    ]
}

pub async fn dashboard(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "");
    let (shell, f, _) = frame(&state, &p, id?, "dashboard", &at).await?;
    let d = outlook::dashboard(&state, f.project.id).await.map_err(on(&at))?;
    let t = outlook::thresholds(&state, f.project.id).await.map_err(on(&at))?;
    let page = DashboardPage {
        spi: ratio(d.evm.as_ref().and_then(|e| e.figures.spi)),
        cpi: ratio(d.evm.as_ref().and_then(|e| e.figures.cpi)),
        evm_chart: d.evm.as_ref().map(|e| evm_chart(&shell.human, e)).unwrap_or_default(),
        critical_days: charts::fmt_num(d.critical_working_days),
        rag_dims: d.latest_report.as_ref().map(|r| dims(r, &t)).unwrap_or_default(),
        d,
        shell,
        f,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- Monte Carlo ----

#[derive(Template)]
#[template(path = "project_montecarlo.html")]
struct MonteCarloPage {
    shell: Shell,
    f: Frame,
    run: Option<MonteCarloRun>,
    histogram: String,
    s_curve: String,
}

pub async fn monte_carlo(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/monte-carlo");
    let (shell, f, _) = frame(&state, &p, id?, "monte-carlo", &at).await?;
    let run = state
        .store
        .runs(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .next()
        .map(outlook::run_view)
        .transpose()
        .map_err(on(&at))?;
    let (histogram, s_curve) = match &run {
        Some(r) => {
            let h = &shell.human;
            let bars: Vec<(String, f64)> = outlook::finishes_per_day(&r.results.histogram)
                .into_iter()
                .map(|(day, n)| (h.short(day), f64::from(n)))
                .collect();
            // Days from the first point: uneven gaps between dates stay uneven.
            let first = r.results.s_curve.first().map(|c| c.date.0);
            let days =
                |t: jiff::civil::DateTime| first.map_or(0.0, |f| (t - f).total(jiff::Unit::Hour).unwrap_or(0.0) / 24.0);
            let pts: Vec<charts::XyPoint> = r
                .results
                .s_curve
                .iter()
                .map(|c| charts::XyPoint {
                    x: days(c.date.0),
                    y: (c.probability * 100.0).round(),
                    tip: format!("{}: {} %", h.date_time(c.date), (c.probability * 100.0).round()),
                })
                .collect();
            let ticks: Vec<(f64, String)> = match (r.results.s_curve.first(), r.results.s_curve.last()) {
                (Some(a), Some(b)) if a.date != b.date => {
                    let half = days(b.date.0) / 2.0;
                    let mid = a.date.0.checked_add(jiff::Span::new().hours((half * 24.0).round() as i64));
                    let mut t = vec![(0.0, h.short(a.date))];
                    if let Ok(mid) = mid {
                        t.push((half, h.short(mid)));
                    }
                    t.push((days(b.date.0), h.short(b.date)));
                    t
                }
                (Some(a), _) => vec![(0.0, h.short(a.date))],
                _ => Vec::new(),
            };
            (
                charts::bar_chart("Finish dates: iterations per day", &bars),
                charts::xy_chart("Chance of finishing by", &pts, &ticks, (0.0, 100.0), "%"),
            )
        }
        None => (String::new(), String::new()),
    };
    Ok(render(StatusCode::OK, &MonteCarloPage { shell, f, run, histogram, s_curve }))
}

#[derive(Deserialize)]
pub struct RunForm {
    iterations: Option<u32>,
    seed: Option<u64>,
    distribution: Option<String>,
}

pub async fn monte_carlo_run(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<RunForm>,
) -> PageResult {
    let (at, id) = page(&path, "/monte-carlo");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = RunRequest {
        iterations: form.iterations,
        seed: form.seed,
        distribution: form.distribution.as_deref().and_then(outlook::Spread::parse),
        target: None,
    };
    outlook::run_monte_carlo(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- status reports ----

#[derive(Template)]
#[template(path = "project_reports.html")]
struct ReportsPage {
    shell: Shell,
    f: Frame,
    reports: Vec<(StatusReport, &'static str)>,
}

pub async fn reports(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/reports");
    let (shell, f, _) = frame(&state, &p, id?, "reports", &at).await?;
    let reports = state
        .store
        .reports(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .map(|r| {
            let w = r.rag.overall.as_str();
            (r, w)
        })
        .collect();
    Ok(render(StatusCode::OK, &ReportsPage { shell, f, reports }))
}

pub async fn report_draft(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/reports");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    let r = outlook::draft_report(&state, &a, DraftReport::default()).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("/status-reports/{}", r.id)).into_response())
}

#[derive(Template)]
#[template(path = "status_report.html")]
struct ReportPage {
    shell: Shell,
    f: Frame,
    r: StatusReport,
    dims: Vec<RagDim>,
    rags: [&'static str; 3],
    draft: bool,
}

pub async fn report(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let rid = path.id().map_err(on("/"))?;
    let at = format!("/status-reports/{rid}");
    let r = state.store.report(rid).await.map_err(on(&at))?;
    let (shell, f, _) = frame(&state, &p, r.project_id, "reports", &at).await?;
    let t = outlook::thresholds(&state, r.project_id).await.map_err(on(&at))?;
    let dims = dims(&r, &t);
    let draft = outlook::is_draft(&r);
    Ok(render(StatusCode::OK, &ReportPage { shell, f, r, dims, rags: ["green", "amber", "red"], draft }))
}

#[derive(Deserialize)]
pub struct ReportForm {
    version: i64,
    summary: Option<String>,
    schedule: Option<Rag>,
    budget: Option<Rag>,
    scope: Option<Rag>,
    quality: Option<Rag>,
    risk: Option<Rag>,
    publish: Option<String>,
}

pub async fn report_edit(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<ReportForm>,
) -> PageResult {
    let rid = path.id().map_err(on("/"))?;
    let at = format!("/status-reports/{rid}");
    let r = state.store.report(rid).await.map_err(on(&at))?;
    let a = project_access(&state, p.id(), r.project_id, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = UpdateReport {
        period: None,
        summary: form.summary,
        rag: Some(outlook::RagEdit {
            schedule: form.schedule,
            budget: form.budget,
            scope: form.scope,
            quality: form.quality,
            risk: form.risk,
            overall: None,
        }),
        version: Some(form.version),
    };
    let saved = outlook::update_report(&state, &a, rid, form.version, req, false).await.map_err(on(&at))?;
    if form.publish.is_some() {
        outlook::update_report(&state, &a, rid, saved.version, UpdateReport::default(), true).await.map_err(on(&at))?;
    }
    Ok(Redirect::to(&at).into_response())
}
