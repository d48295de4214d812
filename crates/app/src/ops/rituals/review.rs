//! The sprint review: what was committed when the sprint started, what was
//! added after, completed, carried over or taken out (from who was in the
//! sprint when, as the activity log records it), velocity against the last
//! sprints, the features that shipped with their release, demo notes, and
//! the product side's verdict per item.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tandem_core::agile::{Sprint, SprintStatus, velocity};
use tandem_core::decision::DecisionKind;
use tandem_core::model::Day;
use tandem_core::product::FeatureStatus;
use tandem_core::project::BoardStatus;
use tandem_core::rituals::{Acceptance, Outcome, ReviewFigures, Verdict, part};
use tandem_core::{Id, Millis, ProductAction, validate};
use utoipa::ToSchema;

use crate::access::{InProject, product_access};
use crate::error::AppError;
use crate::ops::agile::sprints;
use crate::{App, zone};
use tandem_store::product::ProductObject;

/// One task of the sprint as the review shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub points: f64,
    pub status: BoardStatus,
    /// In the sprint when it started.
    pub committed: bool,
    /// Put into the sprint after it started.
    pub added: bool,
    pub outcome: Outcome,
    pub acceptance: Option<Acceptance>,
}

/// A sprint's completed points.
#[derive(Debug, Serialize, ToSchema)]
pub struct SprintPoints {
    pub sprint_id: Id,
    pub name: String,
    pub points: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewVelocity {
    /// Points of this sprint's tasks done by its last day, as the sprints
    /// page counts them.
    pub this_sprint: f64,
    /// The last three closed sprints before it, oldest first.
    pub last: Vec<SprintPoints>,
    /// Their mean (the team's velocity as the sprints page counts it).
    pub mean: Option<f64>,
}

/// A feature of the sprint's work that shipped while it ran.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShippedFeature {
    pub feature_id: Id,
    pub key: String,
    pub title: String,
    pub shipped_on: Day,
    pub release_id: Option<Id>,
    pub release_name: Option<String>,
}

/// `GET /sprints/{id}/review`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SprintReview {
    pub sprint: Sprint,
    /// When the sprint started (it was made active), or its first day.
    pub started_at: Millis,
    /// When it was closed; `null` while it runs (figures are as of now).
    pub ended_at: Option<Millis>,
    /// `false` for a sprint made active or closed from the start: the log
    /// does not know its start, so everything in it counts as committed.
    pub scope_recorded: bool,
    pub figures: ReviewFigures,
    pub items: Vec<ReviewItem>,
    pub velocity: ReviewVelocity,
    /// Only features of products the reader may see.
    pub shipped: Vec<ShippedFeature>,
    pub demo_notes: String,
    pub demo_notes_version: i64,
    /// Whether the reader records acceptance (the matrix's accountable
    /// role for quality acceptance, or an admin).
    pub may_accept: bool,
}

/// The reader's say on acceptance, through the decision-rights matrix.
pub async fn may_accept(state: &App, a: &InProject) -> Result<bool, AppError> {
    let m = state.store.decision_matrix(a.scope.workspace_id).await?.matrix;
    let holds = a.holds(state).await?;
    Ok(tandem_core::access::records_acceptance(a.role, holds, &m.accountable(DecisionKind::QualityAcceptance)))
}

/// When a sprint ran, and when its membership is read.
struct Span {
    /// Shown: when it started (first made active), or its first day.
    started_at: Millis,
    /// Shown, and the last moment work counts as done within it: when it
    /// was first closed (the end of its last day if it was made closed).
    ended_at: Option<Millis>,
    /// Who was in it at `commit` was committed; who was in it at `end`
    /// stayed to the end.
    commit: Millis,
    end: Millis,
    /// Whether the log knows its start, so scope added and removed can be
    /// told from the commitment.
    recorded: bool,
}

/// The sprint's span. A sprint made active or closed from the start (filled
/// in after the fact) has no recorded start: everyone in it at its end (or
/// now) counts as committed.
async fn span(state: &App, s: &Sprint, tz: &jiff::tz::TimeZone, now: Millis) -> Result<Span, AppError> {
    let changes = state.store.sprint_status_changes(s.id).await?;
    let created_as = changes.first().map_or(s.status.as_str(), |c| c.1.as_str()).to_owned();
    let first_to = |w: &str| changes.iter().find(|c| c.2 == w).map(|c| c.0);
    let midnight = |d: Day| zone::midnight(d, tz);
    let first_day = midnight(s.start);
    Ok(match created_as.as_str() {
        "closed" => {
            let last = midnight(Day(s.finish.0.tomorrow().unwrap_or(s.finish.0)));
            Span { started_at: first_day, ended_at: Some(last), commit: now, end: now, recorded: false }
        }
        "active" => {
            let closed = first_to("closed");
            let end = closed.unwrap_or(now);
            Span { started_at: first_day, ended_at: closed, commit: end, end, recorded: false }
        }
        _ => {
            let closed = first_to("closed");
            let started = first_to("active").or(closed).unwrap_or(first_day);
            Span { started_at: started, ended_at: closed, commit: started, end: closed.unwrap_or(now), recorded: true }
        }
    })
}

pub async fn review(state: &App, a: &InProject, s: &Sprint) -> Result<SprintReview, AppError> {
    let ws = state.store.workspace(a.scope.workspace_id).await?;
    let tz = zone::of(&ws.time_zone);
    let now = state.clock.now();
    let span = span(state, s, &tz, now).await?;
    let (started_at, ended_at) = (span.started_at, span.ended_at);
    let done_by = ended_at.unwrap_or(now);
    let members = state.store.sprint_memberships(s.project_id).await?;
    let tasks = state.store.tasks(s.project_id).await?;
    let verdicts = state.store.acceptances(s.id).await?;
    let mut figures = ReviewFigures::default();
    let mut items = Vec::new();
    for t in &tasks {
        if t.kind == tandem_core::project::TaskKind::Summary {
            continue;
        }
        let Some(m) = members.get(&t.id) else { continue };
        let done_at = t.is_done().then_some(t.done_at).flatten();
        let Some(p) = part(m, s.id, (span.commit, span.end), done_by, done_at) else { continue };
        let points = t.story_points.unwrap_or(0.0);
        figures.count(p, points);
        items.push(ReviewItem {
            task_id: t.id,
            key: t.key.clone(),
            name: t.name.clone(),
            points,
            status: t.status,
            committed: p.committed,
            added: p.added,
            outcome: p.outcome,
            acceptance: verdicts.iter().find(|v| v.task_id == t.id).cloned(),
        });
    }
    // Velocity: the last three closed sprints before this one.
    let list = sprints(state, s.project_id).await?;
    let last: Vec<SprintPoints> = list
        .items
        .iter()
        .filter(|v| v.sprint.status == SprintStatus::Closed && v.sprint.id != s.id && v.sprint.start < s.start)
        .map(|v| SprintPoints { sprint_id: v.sprint.id, name: v.sprint.name.clone(), points: v.done_points })
        .collect();
    let last: Vec<SprintPoints> = last.into_iter().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
    let mean = velocity(&last.iter().map(|p| p.points).collect::<Vec<_>>());
    // Counted as the sprints page counts every sprint, so the bars agree.
    let this_sprint = list.items.iter().find(|v| v.sprint.id == s.id).map_or(0.0, |v| v.done_points);
    // Features of the sprint's work that shipped while it ran.
    let (from, to) = (zone::day_of(started_at, &tz), zone::day_of(done_by, &tz));
    let mut shipped = Vec::new();
    let features: BTreeSet<Id> =
        items.iter().filter_map(|i| tasks.iter().find(|t| t.id == i.task_id).and_then(|t| t.feature_id)).collect();
    for fid in features {
        let Ok(f) = state.store.feature(fid).await else { continue };
        if !matches!(f.status, FeatureStatus::Shipped | FeatureStatus::Measured) {
            continue;
        }
        let Some(on) = f.shipped_on.filter(|d| *d >= from && *d <= to) else { continue };
        if product_access(state, a.user_id, ProductObject::Feature, f.id, ProductAction::Read).await.is_err() {
            continue;
        }
        let release = match f.release_id {
            Some(r) => state.store.release(r).await.ok(),
            None => None,
        };
        shipped.push(ShippedFeature {
            feature_id: f.id,
            key: f.key,
            title: f.title,
            shipped_on: on,
            release_id: release.as_ref().map(|r| r.id),
            release_name: release.map(|r| r.name),
        });
    }
    let notes = state.store.demo_notes(s.id).await?;
    Ok(SprintReview {
        sprint: s.clone(),
        started_at,
        ended_at,
        scope_recorded: span.recorded,
        velocity: ReviewVelocity { this_sprint, last, mean },
        figures,
        items,
        shipped,
        demo_notes: notes.text,
        demo_notes_version: notes.version,
        may_accept: may_accept(state, a).await?,
    })
}

/// `PUT /sprints/{id}/review`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutDemoNotes {
    /// Markdown.
    pub demo_notes: String,
    /// The version read (0 before any notes).
    pub version: i64,
}

/// The project's manager or whoever records acceptance writes the notes.
pub async fn put_demo_notes(state: &App, a: &InProject, s: &Sprint, req: PutDemoNotes) -> Result<i64, AppError> {
    if !a.manages() && !may_accept(state, a).await? {
        return Err(AppError::Forbidden);
    }
    let text = validate::long_text("demo_notes", &req.demo_notes)?;
    Ok(state.store.save_demo_notes(a.user_id, s.id, req.version, &text, state.clock.now()).await?.version)
}

/// `PUT /sprints/{id}/review/items/{task_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutAcceptance {
    /// `accepted`, `rejected`, or `null` to withdraw the verdict.
    pub verdict: Option<Verdict>,
    pub note: Option<String>,
}

pub async fn put_acceptance(
    state: &App,
    a: &InProject,
    s: &Sprint,
    task: Id,
    req: PutAcceptance,
) -> Result<SprintReview, AppError> {
    if !may_accept(state, a).await? {
        return Err(AppError::Forbidden);
    }
    let note = validate::long_text("note", req.note.as_deref().unwrap_or(""))?;
    let before = review(state, a, s).await?;
    if !before.items.iter().any(|i| i.task_id == task) {
        return Err(validate::Invalid::new("task_id", "is not an item of this sprint").into());
    }
    let verdict = req.verdict.map(|v| (v, note.as_str()));
    state.store.set_acceptance(a.user_id, s.id, task, verdict, state.clock.now()).await?;
    review(state, a, s).await
}
