//! The role dashboards besides the project manager's (in `outlook`): the
//! product manager's, and the portfolio of every project of a workspace
//! for admins and stakeholders.

use serde::Serialize;
use tandem_core::change::{ChangeRequest, CrStatus};
use tandem_core::metrics::{Rag, StatusRag, status_rag};
use tandem_core::model::Day;
use tandem_core::product::{Feature, FeatureStatus, FeedbackStatus, Objective, Release, sort_backlog};
use tandem_core::progress::is_late;
use tandem_core::project::LocalTime;
use tandem_core::{Id, Millis};
use tandem_store::product::FeedbackFilter;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;

/// Feedback received in one week.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WeekCount {
    /// The week's first day.
    pub start: Day,
    pub count: i64,
}

/// `GET /dashboards/product/{id}`: the product manager's dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDashboard {
    pub product_id: Id,
    /// Objectives with each key result's progress and delivery forecast.
    pub objectives: Vec<Objective>,
    /// The five highest-ranked open features by the product's framework.
    pub top_features: Vec<Feature>,
    /// Releases with forecast against target.
    pub releases: Vec<Release>,
    /// The five most recently shipped features.
    pub shipped: Vec<Feature>,
    /// Of those, the ones naming an adoption event: their adoption since
    /// shipping and week by week (the trend).
    pub shipped_adoption: Vec<ShippedAdoption>,
    /// Untriaged feedback, and feedback per week over eight weeks.
    pub new_feedback: i64,
    pub feedback_weekly: Vec<WeekCount>,
    /// Projects of this product whose manager is also the product's owner
    /// ("one person, both hats").
    pub both_hats: Vec<String>,
    /// Change requests of its projects waiting for a decision.
    pub open_change_requests: Vec<ChangeRequest>,
}

/// A shipped feature's adoption, as `GET /features/{id}/adoption` gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShippedAdoption {
    pub feature_id: Id,
    #[serde(flatten)]
    pub adoption: tandem_core::analytics::Adoption,
}

fn weekly(items: &[tandem_core::product::Feedback], today: Day) -> Vec<WeekCount> {
    (0..8i64)
        .rev()
        .map(|w| {
            let end = today.0.checked_sub(jiff::Span::new().days(w * 7)).unwrap_or(today.0);
            let start = end.checked_sub(jiff::Span::new().days(6)).unwrap_or(end);
            let count = items.iter().filter(|f| (start..=end).contains(&Day::of(f.created_at).0)).count() as i64;
            WeekCount { start: Day(start), count }
        })
        .collect()
}

pub async fn product(state: &App, a: &InProduct) -> Result<ProductDashboard, AppError> {
    let product = state.store.product(a.scope.product_id).await?;
    let mut features = state.store.features(product.id).await?;
    sort_backlog(&mut features, product.default_framework);
    let open =
        |f: &&Feature| !matches!(f.status, FeatureStatus::Rejected | FeatureStatus::Shipped | FeatureStatus::Measured);
    let top_features = features.iter().filter(open).take(5).cloned().collect();
    let mut shipped: Vec<Feature> = features
        .iter()
        .filter(|x| matches!(x.status, FeatureStatus::Shipped | FeatureStatus::Measured))
        .cloned()
        .collect();
    shipped.sort_by_key(|x| std::cmp::Reverse(x.shipped_on));
    shipped.truncate(5);
    let mut shipped_adoption = Vec::new();
    for f in &shipped {
        if let Some(adoption) = super::analytics::feature_adoption(state, a.scope.workspace_id, f).await? {
            shipped_adoption.push(ShippedAdoption { feature_id: f.id, adoption });
        }
    }
    let recent =
        state.store.feedback_list(product.id, &FeedbackFilter::default(), None, tandem_store::MAX_PAGE).await?;
    let projects = super::product::product_projects(state, a).await?;
    let (releases, objectives) = crate::forecast::releases_and_objectives(state, product.id).await?;
    let mut open_change_requests = Vec::new();
    for p in &projects {
        open_change_requests.extend(
            state
                .store
                .change_requests(p.id)
                .await?
                .into_iter()
                .filter(|c| matches!(c.status, CrStatus::Submitted | CrStatus::Escalated)),
        );
    }
    Ok(ProductDashboard {
        product_id: product.id,
        objectives,
        top_features,
        releases,
        shipped,
        shipped_adoption,
        new_feedback: recent.items.iter().filter(|x| x.status == FeedbackStatus::New).count() as i64,
        feedback_weekly: weekly(&recent.items, Day::of(state.clock.now())),
        both_hats: projects.iter().filter(|p| p.manager_id == product.owner_id).map(|p| p.name.clone()).collect(),
        open_change_requests,
    })
}

/// One project on the portfolio.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioProject {
    pub project_id: Id,
    pub key: String,
    pub name: String,
    pub product_id: Option<Id>,
    pub manager_id: Id,
    /// RAG from the project's figures and thresholds today (`null` when
    /// its plan cannot be scheduled).
    pub rag: Option<StatusRag>,
    pub forecast_finish: Option<LocalTime>,
    pub target_finish: Option<LocalTime>,
    /// Calendar days the forecast is after the target (negative: ahead).
    pub days_late: Option<i64>,
    pub late: bool,
    pub spi: Option<f64>,
    pub cpi: Option<f64>,
    pub open_change_requests: i64,
    /// The latest published or drafted status report's overall RAG.
    pub reported: Option<Rag>,
}

/// `GET /dashboards/portfolio/{ws}`: every project of the workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct Portfolio {
    pub workspace_id: Id,
    pub projects: Vec<PortfolioProject>,
    /// How many projects are red, amber, green overall.
    pub red: i64,
    pub amber: i64,
    pub green: i64,
    pub at: Millis,
}

pub async fn portfolio(state: &App, ws: Id) -> Result<Portfolio, AppError> {
    let projects = state.store.projects(ws, None, tandem_store::MAX_PAGE).await?.items;
    let mut out = Vec::with_capacity(projects.len());
    let (mut red, mut amber, mut green) = (0, 0, 0);
    for p in projects {
        // A plan that cannot be scheduled shows without figures.
        let (facts, finish) = match crate::schedules::computed(state, p.id).await {
            Ok(c) => (
                super::outlook::facts_of(state, &c).await.ok(),
                tandem_sched::time::to_datetime(c.schedule.project_finish).map(LocalTime),
            ),
            Err(_) => (None, None),
        };
        let rag = match &facts {
            Some(f) => Some(status_rag(f, &super::outlook::thresholds(state, p.id).await?)),
            None => None,
        };
        match rag.map(|r| r.overall) {
            Some(Rag::Red) => red += 1,
            Some(Rag::Amber) => amber += 1,
            Some(Rag::Green) => green += 1,
            None => {}
        }
        let days_late = match (finish, p.target_finish) {
            (Some(f), Some(t)) => t.0.date().until(f.0.date()).ok().map(|s| i64::from(s.get_days())),
            _ => None,
        };
        let open = state
            .store
            .change_requests(p.id)
            .await?
            .iter()
            .filter(|c| matches!(c.status, CrStatus::Submitted | CrStatus::Escalated))
            .count() as i64;
        out.push(PortfolioProject {
            project_id: p.id,
            key: p.key.clone(),
            name: p.name.clone(),
            product_id: p.product_id,
            manager_id: p.manager_id,
            rag,
            forecast_finish: finish,
            target_finish: p.target_finish,
            days_late,
            late: finish.is_some_and(|f| is_late(f, p.target_finish)),
            spi: facts.as_ref().and_then(|f| f.spi),
            cpi: facts.as_ref().and_then(|f| f.cpi),
            open_change_requests: open,
            reported: state.store.reports(p.id).await?.first().map(|r| r.rag.overall),
        });
    }
    Ok(Portfolio { workspace_id: ws, projects: out, red, amber, green, at: state.clock.now() })
}
