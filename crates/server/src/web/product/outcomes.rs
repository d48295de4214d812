//! Releases with go/no-go, OKRs, competitors and metrics.

use super::*;
use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::ProductAction;
use tandem_core::model::Day;
use tandem_core::product::{Competitor, MetricSeries, sort_backlog};
use tandem_store::product::ProductObject;

use super::{PageForm, PageResult, PageUser, Shell, on, render};
use crate::access::product_access;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self};
use tandem_app::ops::product::UpdateKeyResult;
use tandem_app::ops::product::{self as ops};

// ---- releases, OKRs, competitors, metrics ----

#[derive(Template)]
#[template(path = "product_releases.html")]
struct ReleasesPage {
    shell: Shell,
    f: Frame,
    releases: Vec<ReleaseView>,
    statuses: &'static [tandem_core::product::ReleaseStatus],
    /// The caller may make a go/no-go call or give an opinion.
    can_call: bool,
    /// Shipped features' adoption, by feature id.
    adoption: std::collections::HashMap<tandem_core::Id, super::analytics::AdoptionView>,
}

#[derive(Deserialize)]
pub struct GoForm {
    outcome: String,
    rationale: String,
}

/// A go/no-go call from the releases page.
pub async fn release_go_no_go(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<GoForm>,
) -> PageResult {
    let id = pid(&path, "/")?;
    let a = product_access(&state, p.id(), ProductObject::Release, id, ProductAction::Read).await.map_err(on("/"))?;
    let page = format!("/products/{}/releases", a.scope.product_id);
    let req = tandem_app::ops::gonogo::GoNoGoRequest { outcome: form.outcome, rationale: form.rationale };
    tandem_app::ops::gonogo::decide(&state, &a, id, req).await.map_err(on(&page))?;
    Ok(Redirect::to(&format!("{page}#release-{id}")).into_response())
}

pub async fn releases(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/releases");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "releases", &page).await?;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    sort_backlog(&mut features, f.product.default_framework);
    let releases = tandem_app::forecast::releases(&state, a.scope.product_id)
        .await
        .map_err(on(&page))?
        .into_iter()
        .map(|r| {
            let mine = features.iter().filter(|x| x.release_id == Some(r.id)).cloned().collect();
            (r, mine)
        })
        .collect::<Vec<_>>();
    let mut views = Vec::with_capacity(releases.len());
    for (release, features) in releases {
        let go = tandem_app::ops::gonogo::status(&state, &a, release.id).await.map_err(on(&page))?;
        views.push(ReleaseView { release, features, go });
    }
    let can_call = tandem_app::ops::gonogo::may_call(&state, &a).await.map_err(on(&page))?;
    let statuses = tandem_core::product::ReleaseStatus::ALL;
    let mut adoption = std::collections::HashMap::new();
    let shipped = |x: &&tandem_core::product::Feature| {
        x.release_id.is_some()
            && matches!(
                x.status,
                tandem_core::product::FeatureStatus::Shipped | tandem_core::product::FeatureStatus::Measured
            )
    };
    for x in features.iter().filter(shipped) {
        let measured =
            tandem_app::ops::analytics::feature_adoption(&state, a.scope.workspace_id, x).await.map_err(on(&page))?;
        if let Some(v) = measured.and_then(|m| super::analytics::adoption_view(&shell.human, m)) {
            adoption.insert(x.id, v);
        }
    }
    Ok(render(StatusCode::OK, &ReleasesPage { shell, f, releases: views, statuses, can_call, adoption }))
}

#[derive(Template)]
#[template(path = "product_okrs.html")]
struct OkrsPage {
    shell: Shell,
    f: Frame,
    objectives: Vec<ObjectiveView>,
    today: Day,
    /// The product's metric series, which a key result may follow.
    series: Vec<MetricSeries>,
}

impl OkrsPage {
    fn series_name(&self, id: &tandem_core::Id) -> &str {
        self.series.iter().find(|s| s.id == *id).map_or("(removed)", |s| s.name.as_str())
    }
}

pub async fn okrs(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/okrs");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "okrs", &page).await?;
    let objectives = tandem_app::forecast::objectives(&state, a.scope.product_id).await.map_err(on(&page))?;
    let objectives = objectives.into_iter().map(|o| objective_view(&shell.human, o)).collect();
    let series = state.store.metrics(a.scope.product_id).await.map_err(on(&page))?;
    Ok(render(StatusCode::OK, &OkrsPage { shell, f, objectives, today: Day::of(state.clock.now()), series }))
}

#[derive(Deserialize)]
pub struct RecordForm {
    current: String,
    as_of: Option<String>,
    version: i64,
}

pub async fn key_result_record(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<RecordForm>,
) -> PageResult {
    let page = "/";
    let id = pid(&path, page)?;
    let a =
        product_access(&state, p.id(), ProductObject::KeyResult, id, ProductAction::Edit).await.map_err(on(page))?;
    let current = number("current", &Some(form.current)).map_err(on(page))?;
    let as_of = match form.as_of.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<Day>().map_err(|e| on(page)(ApiError::invalid("as_of", e.to_string())))?),
    };
    let req = UpdateKeyResult { current, as_of, ..UpdateKeyResult::default() };
    ops::update_key_result(&state, &a, id, form.version, req).await.map_err(on(page))?;
    Ok(Redirect::to(&format!("/products/{}/okrs", a.scope.product_id)).into_response())
}

#[derive(Template)]
#[template(path = "product_competitors.html")]
struct CompetitorsPage {
    shell: Shell,
    f: Frame,
    competitors: Vec<Competitor>,
    capabilities: Vec<String>,
}

impl CompetitorsPage {
    fn cell(&self, c: &Competitor, capability: &str) -> &'static str {
        c.capabilities.get(capability).map_or("none", |l| l.as_str())
    }
}

pub async fn competitors(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/competitors");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "competitors", &page).await?;
    let competitors = state.store.competitors(a.scope.product_id).await.map_err(on(&page))?;
    let capabilities: BTreeSet<String> = competitors.iter().flat_map(|c| c.capabilities.keys().cloned()).collect();
    Ok(render(
        StatusCode::OK,
        &CompetitorsPage { shell, f, competitors, capabilities: capabilities.into_iter().collect() },
    ))
}

pub struct SeriesView {
    pub series: MetricSeries,
    pub chart: String,
    pub latest: Option<String>,
}

#[derive(Template)]
#[template(path = "product_metrics.html")]
struct MetricsPage {
    shell: Shell,
    f: Frame,
    series: Vec<SeriesView>,
    kinds: &'static [tandem_core::product::MetricKind],
    today: Day,
    /// Event names received, offered when feeding a series from events.
    events: Vec<String>,
    /// Features naming an adoption event: (id, key and title).
    adoptable: Vec<(tandem_core::Id, String)>,
}

impl MetricsPage {
    /// What feeds a series, in words.
    fn fed_from(&self, series: &MetricSeries) -> String {
        use tandem_core::product::MetricKind;
        let Some(s) = &series.source else { return String::new() };
        let event = |e: &Option<String>| e.clone().map_or_else(|| "any event".to_owned(), |e| format!("“{e}”"));
        match series.kind {
            MetricKind::Adoption => {
                let name = s.feature_id.and_then(|f| self.adoptable.iter().find(|(id, _)| *id == f));
                format!("the share of active people using {}", name.map_or("a removed feature", |x| x.1.as_str()))
            }
            MetricKind::Retention => format!(
                "the share of each week's newcomers (first {}) back with {} the week after",
                event(&s.event),
                event(&s.return_event)
            ),
            _ => format!("people sending {}", event(&s.event)),
        }
    }
}

pub async fn metrics(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = page_at(&path, "/products/", "/metrics");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "metrics", &page).await?;
    let series = state
        .store
        .metrics(a.scope.product_id)
        .await
        .map_err(on(&page))?
        .into_iter()
        .map(|s| {
            let pts: Vec<(String, f64)> = s.points.iter().map(|p| (shell.human.short(p.date), p.value)).collect();
            let chart = charts::line_chart(&s.name, &pts, &s.unit);
            let latest = s
                .points
                .last()
                .map(|p| format!("{} {} on {}", charts::fmt_num(p.value), s.unit, shell.human.date(p.date)));
            SeriesView { series: s, chart, latest }
        })
        .collect();
    let events = tandem_app::ops::analytics::event_names(&state, &a).await.map_err(on(&page))?;
    let adoptable = state
        .store
        .features(a.scope.product_id)
        .await
        .map_err(on(&page))?
        .into_iter()
        .filter(|x| x.adoption_event.as_deref().is_some_and(|e| !e.trim().is_empty()))
        .map(|x| (x.id, format!("{} {}", x.key, x.title)))
        .collect();
    Ok(render(
        StatusCode::OK,
        &MetricsPage {
            shell,
            f,
            series,
            kinds: tandem_core::product::MetricKind::ALL,
            today: Day::of(state.clock.now()),
            events,
            adoptable,
        },
    ))
}

// ---- release notes ----

#[derive(Template)]
#[template(path = "release_notes.html")]
struct ReleaseNotesPage {
    shell: Shell,
    f: Frame,
    release: tandem_core::product::Release,
    html: String,
}

/// A release's notes, written from its features: the Markdown and its page.
async fn notes(state: &AppState, p: &crate::auth::Principal, path: &IdPath) -> Result<NotesView, super::PageError> {
    let page = page_at(path, "/releases/", "/notes");
    let (shell, f, a) = frame(state, p, ProductObject::Release, pid(path, &page)?, "releases", &page).await?;
    let release = state.store.release(pid(path, &page)?).await.map_err(on(&page))?;
    let mut features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    sort_backlog(&mut features, f.product.default_framework);
    let markdown = tandem_core::product::release_notes(&release, &features);
    Ok(NotesView { page, shell, f, release, markdown })
}

struct NotesView {
    page: String,
    shell: Shell,
    f: Frame,
    release: tandem_core::product::Release,
    markdown: String,
}

pub async fn release_notes(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
) -> PageResult {
    let n = notes(&state, &p, &path).await?;
    let html = tandem_core::markdown::render(&n.markdown);
    Ok(render(StatusCode::OK, &ReleaseNotesPage { shell: n.shell, f: n.f, release: n.release, html }))
}

pub async fn release_notes_md(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
) -> PageResult {
    let n = notes(&state, &p, &path).await?;
    crate::respond::download(tandem_app::export::release_notes_md(&n.release.name, &n.markdown)).map_err(on(&n.page))
}
