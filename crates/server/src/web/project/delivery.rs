//! Budget and earned value, and baselines.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::{Id, ProjectAction};

use super::{PageResult, Shell, on, render};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use tandem_app::measure::EvmView;
use tandem_app::ops::delivery::{self, SetBaseline};

// ---- budget and EVM ----

#[derive(Template)]
#[template(path = "project_budget.html")]
struct BudgetPage {
    shell: Shell,
    f: Frame,
    evm: Option<EvmView>,
    chart: String,
    rows: Vec<(&'static str, String, &'static str)>,
    baselines: Vec<delivery::BaselineSummary>,
    budget: String,
    /// How the budget relates to what the baseline's tasks cost, when
    /// they differ.
    budget_note: Option<String>,
}

pub async fn budget(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/budget");
    let (shell, f, _) = frame(&state, &p, id?, "budget", &at).await?;
    let baselines = state.store.baselines(f.project.id).await.map_err(on(&at))?;
    let evm = if baselines.is_empty() {
        None
    } else {
        Some(delivery::evm(&state, f.project.id, None).await.map_err(on(&at))?)
    };
    let cur = f.project.currency.clone();
    let m = |v: i64| money(v, &cur);
    let om = |v: Option<i64>| v.map_or_else(|| "–".to_owned(), |x| money(x, &cur));
    let rows = match &evm {
        Some(e) => {
            let x = &e.figures;
            vec![
                ("BAC", m(x.bac), "budget at completion"),
                ("PV", m(x.pv), "planned value: the baseline's cost scheduled by the status date"),
                ("EV", m(x.ev), "earned value: budget × % complete"),
                ("AC", m(x.ac), "actual cost: time logged and fixed costs incurred"),
                ("CV", m(x.cv), "cost variance, EV − AC"),
                ("SV", m(x.sv), "schedule variance, EV − PV"),
                ("CPI", ratio(x.cpi), "EV ÷ AC"),
                ("SPI", ratio(x.spi), "EV ÷ PV"),
                ("EAC", om(x.eac), "estimate at completion, BAC ÷ CPI"),
                ("ETC", om(x.etc), "estimate to complete, EAC − AC"),
                ("VAC", om(x.vac), "variance at completion, BAC − EAC"),
                ("TCPI", ratio(x.tcpi), "(BAC − EV) ÷ (BAC − AC)"),
            ]
        }
        None => Vec::new(),
    };
    let chart = evm.as_ref().map(|e| evm_chart(&shell.human, e)).unwrap_or_default();
    let budget = m(f.project.budget_minor);
    let budget_note = evm.as_ref().and_then(|e| {
        let rest = e.figures.bac - e.baseline_cost;
        let cost = m(e.baseline_cost);
        match rest.signum() {
            1 => Some(format!(
                "The tasks of baseline {} cost {cost}; {} of the budget is not yet given to any task.",
                e.baseline,
                m(rest)
            )),
            -1 => Some(format!("The tasks of baseline {} cost {cost}, {} more than the budget.", e.baseline, m(-rest))),
            _ => None,
        }
    });
    Ok(render(
        StatusCode::OK,
        &BudgetPage {
            shell,
            f,
            chart,
            rows,
            evm,
            baselines: baselines.iter().map(delivery::BaselineSummary::from).collect(),
            budget,
            budget_note,
        },
    ))
}

pub async fn baseline_set(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (at, id) = page(&path, "/budget");
    let a = project_access(&state, p.id(), id?, ProjectAction::Edit).await.map_err(on(&at))?;
    delivery::set_baseline(&state, &a, SetBaseline::default()).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

// ---- a baseline's variance ----

#[derive(Deserialize)]
pub struct BaselinePath {
    id: String,
    number: String,
}

#[derive(Template)]
#[template(path = "project_baseline.html")]
struct BaselinePage {
    shell: Shell,
    f: Frame,
    v: tandem_app::measure::BaselineView,
}

impl BaselinePage {
    fn days(&self, minutes: &Option<i64>) -> String {
        minutes.map_or_else(|| "—".to_owned(), |m| format!("{}{}", if m > 0 { "+" } else { "" }, days(m)))
    }
    fn late(&self, minutes: &Option<i64>) -> bool {
        minutes.is_some_and(|m| m > 0)
    }
    fn money(&self, minor: &Option<i64>) -> String {
        minor.map_or_else(|| "—".to_owned(), |m| money(m, &self.f.project.currency))
    }
}

async fn baseline_view(
    state: &AppState,
    p: &Principal,
    path: &BaselinePath,
) -> Result<(String, Shell, Frame, tandem_app::measure::BaselineView), PageError> {
    let at = format!("/projects/{}/baselines/{}", path.id, path.number);
    let id: Id = path.id.parse().map_err(|_| on(&at)(crate::error::ApiError::NotFound))?;
    let number: i64 = path.number.parse().map_err(|_| on(&at)(crate::error::ApiError::NotFound))?;
    let (shell, f, _) = frame(state, p, id, "budget", &at).await?;
    let v = delivery::baseline_variance(state, f.project.id, number).await.map_err(on(&at))?;
    Ok((at, shell, f, v))
}

/// Every task against a baseline: dates, duration and cost variance.
pub async fn baseline_page(State(state): State<AppState>, p: Principal, Path(path): Path<BaselinePath>) -> PageResult {
    let (_, shell, f, v) = baseline_view(&state, &p, &path).await?;
    Ok(render(StatusCode::OK, &BaselinePage { shell, f, v }))
}

/// The same variance as a CSV file.
pub async fn baseline_csv(State(state): State<AppState>, p: Principal, Path(path): Path<BaselinePath>) -> PageResult {
    let (at, _, f, v) = baseline_view(&state, &p, &path).await?;
    let file = tandem_app::export::variance_csv(&f.project.key, &v).map_err(on(&at))?;
    crate::respond::download(file).map_err(on(&at))
}
