//! The sprint review page: committed, added, completed, carried over and
//! removed; velocity against the last sprints; features shipped; demo
//! notes; the product side's verdict on each item.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_app::ops::rituals::review::{self, PutAcceptance, PutDemoNotes, SprintReview};
use tandem_core::rituals::{Tally, Verdict};
use tandem_core::{Id, ProjectAction};

use super::{Frame, frame};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::svg::charts;
use crate::web::{PageError, PageForm, PageResult, Shell, on, render};

#[derive(Template)]
#[template(path = "sprint_review.html")]
struct ReviewPage {
    shell: Shell,
    f: Frame,
    r: SprintReview,
    figures: Vec<(&'static str, Tally, &'static str)>,
    velocity_chart: String,
    demo_html: String,
    may_write: bool,
    /// Completed points as a whole percentage of the committed.
    completion: i64,
}

/// The sprint, its project's access for the reader and where its page is.
async fn on_sprint(
    state: &AppState,
    path: &IdPath,
    suffix: &str,
) -> Result<(tandem_core::agile::Sprint, String), PageError> {
    let at = format!("/sprints/{}{suffix}", path.id().map_or(0, |i| i.0));
    let s = state.store.sprint(path.id().map_err(on(&at))?).await.map_err(on(&at))?;
    Ok((s, at))
}

pub async fn review_page(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    let (s, at) = on_sprint(&state, &path, "/review").await?;
    let (shell, f, a) = frame(&state, &p, s.project_id, "sprints", &at).await?;
    let r = review::review(&state, &a, &s).await.map_err(on(&at))?;
    let mut bars: Vec<(String, f64)> = r.velocity.last.iter().map(|v| (v.name.clone(), v.points)).collect();
    bars.push((r.sprint.name.clone(), r.velocity.this_sprint));
    let figures = vec![
        ("Committed", r.figures.committed, "in the sprint when it started"),
        ("Added", r.figures.added, "put in after it started"),
        ("Completed", r.figures.completed, "done by its end"),
        ("Carried over", r.figures.carried_over, "in it at the end, not done"),
        ("Removed", r.figures.removed, "taken out before the end"),
    ];
    let may_write = f.can_edit || r.may_accept;
    Ok(render(
        StatusCode::OK,
        &ReviewPage {
            velocity_chart: charts::bar_chart("Points completed per sprint", &bars),
            demo_html: tandem_core::markdown::render(&r.demo_notes),
            completion: if r.figures.committed.points > 0.0 {
                (r.figures.completed.points / r.figures.committed.points * 100.0).round() as i64
            } else {
                0
            },
            figures,
            may_write,
            shell,
            f,
            r,
        },
    ))
}

#[derive(Deserialize)]
pub struct DemoForm {
    demo_notes: String,
    version: i64,
}

pub async fn demo_save(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<DemoForm>,
) -> PageResult {
    let (s, at) = on_sprint(&state, &path, "/review").await?;
    let a = project_access(&state, p.id(), s.project_id, ProjectAction::Read).await.map_err(on(&at))?;
    let req = PutDemoNotes { demo_notes: form.demo_notes, version: form.version };
    review::put_demo_notes(&state, &a, &s, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("{at}#demo")).into_response())
}

#[derive(Deserialize)]
pub struct VerdictForm {
    task_id: Id,
    /// `accepted`, `rejected` or empty to withdraw.
    verdict: String,
    note: Option<String>,
}

pub async fn verdict_save(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<VerdictForm>,
) -> PageResult {
    let (s, at) = on_sprint(&state, &path, "/review").await?;
    let a = project_access(&state, p.id(), s.project_id, ProjectAction::Read).await.map_err(on(&at))?;
    let req = PutAcceptance { verdict: Verdict::parse(&form.verdict), note: form.note };
    review::put_acceptance(&state, &a, &s, form.task_id, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&format!("{at}#item-{}", form.task_id)).into_response())
}
