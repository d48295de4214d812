//! The product dashboard: OKRs, releases, feedback per week.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tandem_core::product::{Feature, Release};
use tandem_core::scoring::Framework;
use tandem_store::product::ProductObject;

use super::{PageResult, PageUser, Shell, on, render};
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self};

// ---- dashboard ----

#[derive(Template)]
#[template(path = "product_dashboard.html")]
struct DashboardPage {
    shell: Shell,
    f: Frame,
    objectives: Vec<ObjectiveView>,
    top: Vec<Feature>,
    framework: Framework,
    releases: Vec<Release>,
    shipped: Vec<Feature>,
    /// Shipped features' adoption, by feature id.
    adoption: std::collections::HashMap<tandem_core::Id, super::analytics::AdoptionView>,
    feedback_chart: String,
    new_feedback: usize,
    frameworks: &'static [Framework],
    /// Projects of this product whose manager is the product's owner.
    both_hats: Vec<String>,
    open_change_requests: Vec<tandem_core::change::ChangeRequest>,
}

pub async fn dashboard(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "dashboard", &page).await?;
    let d = tandem_app::ops::dashboards::product(&state, &a).await.map_err(on(&page))?;
    let bars: Vec<(String, f64)> =
        d.feedback_weekly.iter().map(|w| (shell.human.short(w.start), w.count as f64)).collect();
    let framework = f.product.default_framework;
    let objectives = d.objectives.into_iter().map(|o| objective_view(&shell.human, o)).collect();
    let adoption = d
        .shipped_adoption
        .into_iter()
        .filter_map(|x| super::analytics::adoption_view(&shell.human, x.adoption).map(|v| (x.feature_id, v)))
        .collect();
    Ok(render(
        StatusCode::OK,
        &DashboardPage {
            both_hats: d.both_hats,
            shell,
            f,
            objectives,
            top: d.top_features,
            framework,
            releases: d.releases,
            shipped: d.shipped,
            adoption,
            feedback_chart: charts::bar_chart("Feedback per week", &bars),
            new_feedback: d.new_feedback as usize,
            frameworks: Framework::ALL,
            open_change_requests: d.open_change_requests,
        },
    ))
}
