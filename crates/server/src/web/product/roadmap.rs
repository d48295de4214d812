//! The roadmap: releases on a timeline with their forecasts.

use super::*;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::product::{Lane, Roadmap, roadmap};
use tandem_store::product::ProductObject;

use super::{PageResult, PageUser, Shell, on, render};
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts::{self, TimelineRow};

// ---- roadmap ----

#[derive(Template)]
#[template(path = "product_roadmap.html")]
struct RoadmapPage {
    shell: Shell,
    f: Frame,
    map: Roadmap,
    versions: Vec<(Id, i64)>,
    lanes: &'static [Lane],
    timeline: String,
}

impl RoadmapPage {
    fn lane_cards(&self, lane: &Lane) -> &[tandem_core::product::RoadmapCard] {
        match lane {
            Lane::Now => &self.map.lanes.now,
            Lane::Next => &self.map.lanes.next,
            Lane::Later => &self.map.lanes.later,
        }
    }

    /// The version of a feature, for the forms that move it.
    fn version_of(&self, id: &Id) -> i64 {
        self.versions.iter().find(|(i, _)| i == id).map_or(0, |(_, v)| *v)
    }
}

pub async fn roadmap_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/roadmap");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "roadmap", &page).await?;
    let features = state.store.features(a.scope.product_id).await.map_err(on(&page))?;
    let versions = features.iter().map(|x| (x.id, x.version)).collect();
    let releases = tandem_app::forecast::releases(&state, a.scope.product_id).await.map_err(on(&page))?;
    let map = roadmap(features, releases, f.product.default_framework);
    let rows: Vec<TimelineRow> = map
        .timeline
        .iter()
        .map(|t| TimelineRow {
            label: t.release.name.clone(),
            target: t.release.target_date.map(|d| d.0),
            forecast: t.release.forecast.as_ref().map(|x| x.date.0),
            note: format!("{} features", t.features.len()),
        })
        .collect();
    let timeline = charts::timeline(&rows, Day::of(state.clock.now()).0, |d| shell.human.short(d));
    Ok(render(StatusCode::OK, &RoadmapPage { shell, f, map, versions, lanes: Lane::ALL, timeline }))
}
