//! Change requests (filing and deciding) and the workspace's decision log.

use super::*;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_core::{Id, ProjectAction};

use super::{PageAllowed, PageForm, PageResult, Shell, on, render};
use crate::access::{WorkspaceRead, project_access};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::IdPath;
use crate::state::AppState;

// ---- change requests ----

struct CrView {
    cr: tandem_core::change::ChangeRequest,
    dims: String,
    required: String,
    can_decide: bool,
    /// The edits as a readable diff.
    edits: Vec<String>,
    /// Each owner who must decide: their role, and their call when made
    /// (`Approve`/`Reject` and the rationale), or none while awaited.
    calls: Vec<(String, Option<(String, String)>)>,
    /// The viewer's own call in this round, when they have made it.
    mine: Option<String>,
}

#[derive(Template)]
#[template(path = "project_changes.html")]
struct ChangesPage {
    shell: Shell,
    f: Frame,
    items: Vec<CrView>,
    /// For the filing form: the plan's work tasks, the product's features
    /// and releases.
    tasks: Vec<(Id, String)>,
    features: Vec<(Id, String)>,
    releases: Vec<(Id, String)>,
}

impl ChangesPage {
    fn money(&self, minor: &i64) -> String {
        money(*minor, &self.f.project.currency)
    }
}

pub async fn changes(State(state): State<AppState>, p: Principal, Path(path): Path<IdPath>) -> PageResult {
    use tandem_core::change::CrStatus;
    let (at, id) = page(&path, "/changes");
    let (shell, f, a) = frame(&state, &p, id?, "changes", &at).await?;
    let matrix = state.store.decision_matrix(f.project.workspace_id).await.map_err(on(&at))?.matrix;
    let holds = a.holds(&state).await.map_err(on(&at))?;
    let plan = state.store.tasks(f.project.id).await.map_err(on(&at))?;
    let features = super::feature_choices(&state, f.project.product_id).await.map_err(on(&at))?;
    let mut releases = Vec::new();
    if let Some(product) = f.project.product_id {
        releases = state.store.releases(product).await.map_err(on(&at))?.into_iter().map(|r| (r.id, r.name)).collect();
    }
    let names = tandem_core::change_text::Names {
        tasks: plan.iter().map(|t| (t.id, (t.key.clone(), t.name.clone(), Some(t.duration_minutes)))).collect(),
        features: features.iter().cloned().collect(),
        releases: releases.iter().cloned().collect(),
        budget_minor: Some(f.project.budget_minor),
        currency: f.project.currency.clone(),
    };
    // An applied request's "before" is no longer the plan's: show its new values only.
    let applied_names = tandem_core::change_text::Names {
        tasks: names.tasks.iter().map(|(id, (k, n, _))| (*id, (k.clone(), n.clone(), None))).collect(),
        budget_minor: None,
        features: names.features.clone(),
        releases: names.releases.clone(),
        currency: names.currency.clone(),
    };
    let me = a.user_id;
    let items = state
        .store
        .change_requests(f.project.id)
        .await
        .map_err(on(&at))?
        .into_iter()
        .map(|cr| {
            let open = matches!(cr.status, CrStatus::Submitted | CrStatus::Escalated);
            let decided = |d: &str| matches!(d, "approve" | "reject");
            let mine =
                cr.approvals.iter().find(|x| x.user_id == me && decided(&x.decision)).map(|x| x.decision.clone());
            // One call per person and round: a decided owner's buttons go.
            let can_decide = open && mine.is_none() && tandem_app::ops::changes::say(&a, holds, &cr, &matrix).any();
            // After owners disagree, an admin settles it.
            let admin = tandem_core::Role::Admin;
            let settles = (cr.status == CrStatus::Escalated || cr.approvals.iter().any(|x| x.role == admin))
                && !cr.required.contains(&admin);
            let calls = cr
                .required
                .iter()
                .chain(settles.then_some(&admin))
                .map(|r| {
                    let call = cr.approvals.iter().find(|x| x.role == *r && decided(&x.decision));
                    (
                        r.label().to_owned(),
                        call.map(|c| (tandem_core::enums::humanize(&c.decision), c.rationale.clone())),
                    )
                })
                .collect();
            CrView {
                dims: cr.dimensions.iter().map(|d| d.label().to_lowercase()).collect::<Vec<_>>().join(", "),
                required: cr.required.iter().map(|r| r.label()).collect::<Vec<_>>().join(" and "),
                can_decide,
                edits: tandem_core::change_text::describe(
                    &cr.edits,
                    if cr.status == CrStatus::Applied { &applied_names } else { &names },
                ),
                calls,
                mine,
                cr,
            }
        })
        .collect();
    let tasks = plan
        .into_iter()
        .filter(|t| t.kind != tandem_core::project::TaskKind::Summary)
        .map(|t| (t.id, format!("{} {}", t.key, t.name)))
        .collect();
    Ok(render(StatusCode::OK, &ChangesPage { shell, f, items, tasks, features, releases }))
}

/// The request form: a title, and any of: a task to add (with its
/// duration in working days, the task it follows and the one it leads to,
/// the feature it delivers), a task's new duration, a feature to bring
/// into a release, a new budget.
#[derive(Deserialize)]
pub struct FileForm {
    title: String,
    description: Option<String>,
    add_name: Option<String>,
    add_days: Option<String>,
    add_after: Option<String>,
    add_before: Option<String>,
    add_feature: Option<String>,
    change_task: Option<String>,
    change_days: Option<String>,
    feature_id: Option<String>,
    release_id: Option<String>,
    budget: Option<String>,
    submit: Option<String>,
}

fn file_edits(form: &FileForm) -> Result<Vec<tandem_core::change::Edit>, ApiError> {
    use tandem_core::change::{Edit, TaskFields};
    // Durations as the task sheet reads them (3d, 4h, 2w); never negative.
    let days = |field: &'static str, v: &Option<String>| -> Result<Option<i64>, ApiError> {
        let d = v.as_deref().map(str::trim).filter(|s| !s.is_empty());
        Ok(d.map(|s| tandem_core::plan_text::parse_duration(field, s)).transpose()?)
    };
    let mut edits = Vec::new();
    if let Some(name) = form.add_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        edits.push(Edit::AddTask {
            reference: Some("new".into()),
            name: name.to_owned(),
            duration_minutes: days("add_days", &form.add_days)?.unwrap_or(480),
            parent_id: None,
            feature_id: form_id("add_feature", &form.add_feature)?,
            story_points: None,
        });
        let link = |predecessor: String, successor: String| Edit::AddDependency {
            predecessor,
            successor,
            kind: None,
            lag_minutes: None,
        };
        if let Some(after) = form_id("add_after", &form.add_after)? {
            edits.push(link(after.to_string(), "new".into()));
        }
        if let Some(before) = form_id("add_before", &form.add_before)? {
            edits.push(link("new".into(), before.to_string()));
        }
    }
    if let Some(task_id) = form_id("change_task", &form.change_task)? {
        let d = days("change_days", &form.change_days)?
            .ok_or_else(|| ApiError::invalid("change_days", "give the task's new duration"))?;
        edits.push(Edit::UpdateTask {
            task_id,
            fields: TaskFields { duration_minutes: Some(d), ..TaskFields::default() },
        });
    }
    match (form_id("feature_id", &form.feature_id)?, form_id("release_id", &form.release_id)?) {
        (Some(feature_id), Some(release_id)) => edits.push(Edit::AddFeatureToRelease { feature_id, release_id }),
        (None, None) => {}
        _ => return Err(ApiError::invalid("release_id", "choose both the feature and the release")),
    }
    if let Some(budget_minor) = super::form_money("budget", form.budget.as_deref())? {
        edits.push(Edit::SetBudget { budget_minor });
    }
    Ok(edits)
}

/// Files a change request from the page; "File and submit" also computes
/// its impact and routes it.
pub async fn change_file(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<FileForm>,
) -> PageResult {
    let (at, id) = page(&path, "/changes");
    let a = project_access(&state, p.id(), id?, ProjectAction::Contribute).await.map_err(on(&at))?;
    let edits = file_edits(&form).map_err(on(&at))?;
    let req = tandem_app::ops::changes::CreateChangeRequest { title: form.title, description: form.description, edits };
    let cr = tandem_app::ops::changes::create(&state, &a, req).await.map_err(on(&at))?;
    if form.submit.is_some() {
        tandem_app::ops::changes::submit(&state, &a, cr.id, cr.version).await.map_err(on(&at))?;
    }
    Ok(Redirect::to(&format!("{at}#cr-{}", cr.id)).into_response())
}

#[derive(Deserialize)]
pub struct DecideForm {
    outcome: String,
    rationale: String,
}

pub async fn change_decide(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<DecideForm>,
) -> PageResult {
    let cid = path.id().map_err(on("/"))?;
    let cr = state.store.change_request(cid).await.map_err(on("/"))?;
    let at = format!("/projects/{}/changes", cr.cr.project_id);
    let a = project_access(&state, p.id(), cr.cr.project_id, ProjectAction::Read).await.map_err(on(&at))?;
    let req = tandem_app::ops::changes::DecideRequest { outcome: form.outcome, rationale: form.rationale };
    tandem_app::ops::changes::decide(&state, &a, cid, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Template)]
#[template(path = "decision_log.html")]
struct DecisionLogPage {
    shell: Shell,
    ws: Id,
    entries: Vec<tandem_core::change::DecisionEntry>,
    q: LogQuery,
    kinds: Vec<&'static str>,
}

impl DecisionLogPage {
    fn val(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    /// The subject by key and title, or by its kind where it has none.
    fn subject(&self, d: &tandem_core::change::DecisionEntry) -> String {
        match &d.subject_label {
            Some(l) => l.clone(),
            None => tandem_core::enums::humanize(&d.subject_type),
        }
    }

    /// The page about a decision's subject, where there is one.
    fn link(&self, d: &tandem_core::change::DecisionEntry) -> Option<String> {
        match d.subject_type.as_str() {
            "feature" => Some(format!("/features/{}", d.subject_id)),
            "product" => Some(format!("/products/{}", d.subject_id)),
            "project" => Some(format!("/projects/{}", d.subject_id)),
            _ => None,
        }
    }
}

/// The decision log page's filters (blank fields filter nothing).
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    kind: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<String>,
    q: Option<String>,
}

pub async fn decision_log(
    State(state): State<AppState>,
    PageAllowed(a): PageAllowed<WorkspaceRead>,
    Query(q): Query<LogQuery>,
) -> PageResult {
    let path = format!("/w/{}/decisions", a.ws);
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let filter = tandem_store::decisions::DecisionFilter {
        kind: blank(&q.kind),
        subject_type: blank(&q.subject_type),
        subject_id: blank(&q.subject_id).and_then(|s| s.parse().ok()),
        q: blank(&q.q).map(|s| s.chars().take(200).collect()),
    };
    let entries = state.store.decisions(a.ws, &filter, 500).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "together", "Decision log").await.map_err(on(&path))?;
    let kinds = tandem_core::decision::DecisionKind::ALL.iter().map(|k| k.as_str()).collect();
    Ok(render(StatusCode::OK, &DecisionLogPage { shell, ws: a.ws, entries, q, kinds }))
}
