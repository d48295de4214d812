//! A product's analytics: active people (DAU, WAU, MAU, stickiness), weekly
//! retention as a cohort heat-table and a funnel, all from the product's
//! events; and under the product's settings, the ingest keys that send
//! them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_app::ops::analytics::{self as ops, RetentionAsk};
use tandem_core::analytics::{ActiveDay, IngestKey};
use tandem_core::model::Day;
use tandem_store::product::ProductObject;

use super::{Frame, PageForm, PageResult, PageUser, Shell, frame, on, page_at, pid, render};
use crate::access::product_access;
use crate::extract::{IdPath, origin};
use crate::state::AppState;
use crate::svg::charts::{self, Series};

/// What the page is asked: a span, one event or any, a funnel.
#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsQuery {
    days: Option<i32>,
    event: Option<String>,
    step1: Option<String>,
    step2: Option<String>,
    step3: Option<String>,
    step4: Option<String>,
    window_days: Option<i64>,
}

/// The most steps the page's funnel form offers.
const FORM_STEPS: usize = 4;

/// The spans offered, in days.
const SPANS: [i32; 3] = [30, 90, 365];

/// One cohort's row of the heat-table.
pub struct CohortRow {
    pub start: String,
    pub size: u64,
    /// Each period's people and share in percent; `None` not yet begun.
    pub cells: Vec<Option<(u64, i64)>>,
}

/// One step of the funnel, with conversion from the first and the last.
pub struct StepRow {
    pub event: String,
    pub users: u64,
    pub of_first: i64,
    pub of_previous: i64,
}

#[derive(Template)]
#[template(path = "product_analytics.html")]
struct AnalyticsPage {
    shell: Shell,
    f: Frame,
    spans: [i32; 3],
    days: i32,
    event: String,
    events: Vec<String>,
    active_chart: String,
    stickiness_chart: String,
    latest: Option<ActiveDay>,
    periods: Vec<usize>,
    cohorts: Vec<CohortRow>,
    steps: Vec<String>,
    /// The form's step fields: 1 to [`FORM_STEPS`].
    slots: Vec<usize>,
    window_days: i64,
    funnel: Vec<StepRow>,
    funnel_chart: String,
}

impl AnalyticsPage {
    fn stickiness(&self, d: &ActiveDay) -> i64 {
        super::percent(d.stickiness)
    }

    /// The event chosen for funnel step `slot` (1-based), or "".
    fn step(&self, slot: &usize) -> &str {
        self.steps.get(slot - 1).map_or("", String::as_str)
    }
}

fn share(part: u64, whole: u64) -> i64 {
    if whole == 0 { 0 } else { ((part as f64 / whole as f64) * 100.0).round() as i64 }
}

/// The heat class of a share: ten steps.
pub fn heat(percent: &i64) -> String {
    format!("heat-{}", (percent / 10).clamp(0, 10))
}

pub async fn analytics(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    Query(q): Query<AnalyticsQuery>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/analytics");
    let (shell, f, a) = frame(&state, &p, ProductObject::Product, pid(&path, &page)?, "analytics", &page).await?;
    let days = q.days.filter(|d| SPANS.contains(d)).unwrap_or(SPANS[0]);
    let events = ops::event_names(&state, &a).await.map_err(on(&page))?;
    let event = q.event.map(|e| e.trim().to_owned()).unwrap_or_default();
    let today = ops::today(&state, &a).await.map_err(on(&page))?;
    let from = Day(today.0.checked_sub(jiff::Span::new().days(i64::from(days - 1))).unwrap_or(today.0));
    let active = ops::active(&state, &a, Some(from), Some(today), Some(&event)).await.map_err(on(&page))?;
    let labels: Vec<String> = active.iter().map(|d| shell.human.short(d.date)).collect();
    let line = |name: &'static str, colour: &'static str, v: fn(&ActiveDay) -> f64| Series {
        name,
        colour,
        values: active.iter().map(|d| Some(v(d))).collect(),
        dashed: false,
    };
    let active_chart = charts::multi_line(
        "Active people",
        &labels,
        &[
            line("DAU", "#3b6fb6", |d| d.dau as f64),
            line("WAU", "#2e7d32", |d| d.wau as f64),
            line("MAU", "#8e44ad", |d| d.mau as f64),
        ],
        "people",
    );
    let sticky: Vec<(String, f64)> =
        active.iter().map(|d| (shell.human.short(d.date), (d.stickiness * 1000.0).round() / 10.0)).collect();
    let stickiness_chart = charts::line_chart("Stickiness (DAU / MAU)", &sticky, "%");
    let latest = active.last().cloned();

    // Weekly retention of the last eight weeks' newcomers, by any event.
    let periods = 8;
    let ask = RetentionAsk { periods: Some(periods), to: Some(today), ..RetentionAsk::default() };
    let cohorts = ops::retention(&state, &a, ask)
        .await
        .map_err(on(&page))?
        .into_iter()
        // A week without newcomers has nothing to follow.
        .filter(|c| c.size > 0)
        .map(|c| CohortRow {
            start: shell.human.short(c.start),
            size: c.size,
            cells: (0..periods).map(|k| c.retained.get(k).map(|n| (*n, share(*n, c.size)))).collect(),
        })
        .collect();

    let steps: Vec<String> = [q.step1, q.step2, q.step3, q.step4]
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let window_days = q.window_days.unwrap_or(14);
    let (mut funnel, mut funnel_chart) = (Vec::new(), String::new());
    if steps.len() >= 2 {
        let reached = ops::funnel(&state, &a, &steps.join(","), Some(window_days), (Some(from), Some(today)))
            .await
            .map_err(on(&page))?;
        let first = reached.first().map_or(0, |s| s.users);
        let mut previous = first;
        for s in &reached {
            funnel.push(StepRow {
                event: s.event.clone(),
                users: s.users,
                of_first: share(s.users, first),
                of_previous: share(s.users, previous),
            });
            previous = s.users;
        }
        let bars: Vec<(String, f64)> = reached.iter().map(|s| (s.event.clone(), s.users as f64)).collect();
        funnel_chart = charts::bar_chart("People reaching each step", &bars);
    }
    Ok(render(
        StatusCode::OK,
        &AnalyticsPage {
            shell,
            f,
            spans: SPANS,
            days,
            event,
            events,
            active_chart,
            stickiness_chart,
            latest,
            periods: (0..periods).collect(),
            cohorts,
            steps,
            slots: (1..=FORM_STEPS).collect(),
            window_days,
            funnel,
            funnel_chart,
        },
    ))
}

// ---- a shipped feature's adoption, wherever features are shown ----

/// A feature's adoption as pages show it.
pub struct AdoptionView {
    pub event: String,
    pub percent: i64,
    pub adopters: u64,
    pub active: u64,
    /// This week's rate against last week's, in percentage points.
    pub trend: Option<i64>,
    /// Week by week, as a chart.
    pub chart: String,
}

impl AdoptionView {
    /// `▲ 3 pts`, `▼ 2 pts`, `= 0 pts` for the trend.
    pub fn trend_text(&self) -> String {
        match self.trend {
            Some(t) if t > 0 => format!("▲ {t} pts this week"),
            Some(t) if t < 0 => format!("▼ {} pts this week", -t),
            Some(_) => "level this week".into(),
            None => String::new(),
        }
    }
}

/// The view of an adoption; `None` before the feature ships.
pub fn adoption_view(human: &crate::web::human::Human, a: tandem_core::analytics::Adoption) -> Option<AdoptionView> {
    a.since?;
    let weeks: Vec<(String, f64)> =
        a.weekly.iter().map(|w| (human.short(w.week), (w.rate * 1000.0).round() / 10.0)).collect();
    let trend = match a.weekly.as_slice() {
        [.., before, last] => Some(super::percent(last.rate) - super::percent(before.rate)),
        _ => None,
    };
    Some(AdoptionView {
        chart: charts::line_chart(&format!("Weekly adoption of {}", a.event), &weeks, "%"),
        percent: super::percent(a.rate),
        adopters: a.adopters,
        active: a.active_users,
        trend,
        event: a.event,
    })
}

// ---- the product's settings: ingest keys ----

#[derive(Template)]
#[template(path = "product_settings.html")]
struct SettingsPage {
    shell: Shell,
    f: Frame,
    keys: Vec<IngestKey>,
    /// A key just made: its name and secret, shown this once.
    created: Option<(String, String)>,
    /// Where this server answers, for the example.
    origin: String,
}

async fn settings_view(
    state: &AppState,
    p: &crate::auth::Principal,
    path: &IdPath,
    headers: &HeaderMap,
    created: Option<(String, String)>,
) -> PageResult {
    let page = page_at(path, "/products/", "/settings");
    let (shell, f, a) = frame(state, p, ProductObject::Product, pid(path, &page)?, "settings", &page).await?;
    let keys = if f.can_edit { ops::keys(state, &a).await.map_err(on(&page))? } else { Vec::new() };
    Ok(render(StatusCode::OK, &SettingsPage { shell, f, keys, created, origin: origin(headers) }))
}

pub async fn settings(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
) -> PageResult {
    settings_view(&state, &p, &path, &headers, None).await
}

#[derive(Deserialize)]
pub struct KeyForm {
    name: String,
}

/// Makes a key and shows it this once on the settings page.
pub async fn key_create(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    PageForm(form): PageForm<KeyForm>,
) -> PageResult {
    let page = page_at(&path, "/products/", "/settings");
    let id = pid(&path, &page)?;
    let a = product_access(&state, p.id(), ProductObject::Product, id, tandem_core::ProductAction::Read)
        .await
        .map_err(on(&page))?;
    let made = ops::create_key(&state, &a, ops::NewKey { name: form.name }).await.map_err(on(&page))?;
    settings_view(&state, &p, &path, &headers, Some((made.record.name, made.key))).await
}

/// Revokes a key from the settings page.
pub async fn key_revoke(State(state): State<AppState>, PageUser(p): PageUser, Path(path): Path<IdPath>) -> PageResult {
    let page = "/";
    let id = pid(&path, page)?;
    let a = product_access(&state, p.id(), ProductObject::IngestKey, id, tandem_core::ProductAction::Edit)
        .await
        .map_err(on(page))?;
    let back = format!("/products/{}/settings", a.scope.product_id);
    ops::revoke_key(&state, p.id(), id).await.map_err(on(&back))?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&back)))
}
