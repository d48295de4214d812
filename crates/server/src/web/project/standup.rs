//! The daily stand-up page: the whole team on one screen, each person's
//! moves, work in progress, next tasks and blockers; a line or a blocker
//! added from the page; a blocker turned into a risk, a task or a
//! follow-up with one action; the day's history by date.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tandem_app::ops::rituals::standup::{self, AddNote, Escalate, PersonStandup, Standup, StandupQuery};
use tandem_app::ops::rituals::{self, UpdateFollowUp};
use tandem_core::model::Day;
use tandem_core::rituals::{ActionKind, Blocker, BlockerKind, FollowUp};
use tandem_core::{Id, ProjectAction};

use super::{Frame, frame, opt_id, page};
use crate::access::project_access;
use crate::auth::Principal;
use crate::extract::IdPath;
use crate::state::AppState;
use crate::web::{PageForm, PageResult, Shell, on, render};

/// A blocker with what it became today, if anything.
struct BlockerView {
    b: Blocker,
    made: Option<(ActionKind, String, String)>,
}

struct PersonView {
    p: PersonStandup,
    /// Each moved line: its task, key, and the line after the key.
    moved: Vec<(Id, String, String)>,
    blockers: Vec<BlockerView>,
    /// The reader's own part: they may add a line.
    mine: bool,
}

#[derive(Template)]
#[template(path = "project_standup.html")]
struct StandupPage {
    shell: Shell,
    f: Frame,
    s: Standup,
    people: Vec<PersonView>,
    /// The day before and after (none after today).
    prev: Day,
    next: Option<Day>,
    today: bool,
    /// The project's open tasks, for "blocks me".
    tasks: Vec<(Id, String)>,
    blockers: usize,
    moved: usize,
    follow_ups: Vec<FollowUp>,
    since: String,
    /// `&sprint=…` when the page shows one sprint's tasks.
    sprint_arg: String,
    makes: &'static [ActionKind],
}

#[derive(Deserialize)]
pub struct StandupPageQuery {
    date: Option<String>,
    sprint: Option<String>,
}

fn shift(d: Day, days: i64) -> Day {
    Day(d.0.checked_add(jiff::Span::new().days(days)).unwrap_or(d.0))
}

/// Where a made object is shown.
fn made_href(kind: ActionKind, id: Id, project: Id) -> String {
    match kind {
        ActionKind::Risk => format!("/projects/{project}/risks#risk-{id}"),
        ActionKind::Task => format!("/tasks/{id}"),
        ActionKind::FollowUp => format!("/projects/{project}/standup#follow-ups"),
    }
}

pub async fn standup_page(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    Query(q): Query<StandupPageQuery>,
) -> PageResult {
    let (at, id) = page(&path, "/standup");
    let (shell, f, a) = frame(&state, &p, id?, "standup", &at).await?;
    let query = StandupQuery {
        date: q.date.as_deref().filter(|d| !d.is_empty()).and_then(|d| d.parse().ok()),
        sprint_id: opt_id(q.sprint.as_deref()),
    };
    let s = standup::standup(&state, &a, &query).await.map_err(on(&at))?;
    let today_day = shell.human.day_of(state.clock.now());
    let project = f.project.id;
    let mut people: Vec<PersonView> = s
        .people
        .iter()
        .map(|p| PersonView {
            blockers: p
                .blockers
                .iter()
                .map(|b| BlockerView {
                    made: s
                        .actions
                        .iter()
                        .find(|x| x.blocker_kind == b.kind && x.task_id == b.task_id && x.person_id == p.user_id)
                        .map(|x| (x.made, x.made_label.clone(), made_href(x.made, x.made_id, project))),
                    b: b.clone(),
                })
                .collect(),
            moved: p
                .moved
                .iter()
                .map(|m| {
                    let rest = m.text.strip_prefix(&format!("{} ", m.key)).unwrap_or(&m.text).to_owned();
                    (m.task_id, m.key.clone(), rest)
                })
                .collect(),
            mine: p.user_id == Some(shell.user_id) && f.can_contribute,
            p: p.clone(),
        })
        .collect();
    // The reader's own part first.
    people.sort_by_key(|p| !p.mine);
    let tasks = state
        .store
        .tasks(project)
        .await
        .map_err(on(&at))?
        .into_iter()
        .filter(|t| t.kind != tandem_core::project::TaskKind::Summary && !t.is_done())
        .map(|t| (t.id, format!("{} {}", t.key, t.name)))
        .collect();
    Ok(render(
        StatusCode::OK,
        &StandupPage {
            blockers: people.iter().map(|p| p.blockers.len()).sum(),
            moved: people.iter().map(|p| p.p.moved.len()).sum(),
            follow_ups: s.follow_ups.clone(),
            since: shell.human.date(shell.human.day_of(s.since)),
            sprint_arg: s.sprint.as_ref().filter(|x| x.only).map(|x| format!("&sprint={}", x.id)).unwrap_or_default(),
            // The previous stand-up: the working day the moves count from.
            prev: shell.human.day_of(s.since),
            next: (s.date < today_day).then(|| shift(s.date, 1)),
            today: s.date == today_day,
            shell,
            f,
            people,
            tasks,
            makes: ActionKind::ALL,
            s,
        },
    ))
}

#[derive(Deserialize)]
pub struct NoteForm {
    date: Option<Day>,
    text: String,
    blocker_task_id: Option<String>,
}

fn back(project: Id, date: Option<Day>) -> String {
    match date {
        Some(d) => format!("/projects/{project}/standup?date={d}"),
        None => format!("/projects/{project}/standup"),
    }
}

pub async fn note_add(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<NoteForm>,
) -> PageResult {
    let (_, id) = page(&path, "/standup");
    let id = id?;
    let at = back(id, form.date);
    let a = project_access(&state, p.id(), id, ProjectAction::Contribute).await.map_err(on(&at))?;
    let req = AddNote { date: form.date, text: form.text, blocker_task_id: opt_id(form.blocker_task_id.as_deref()) };
    standup::add_note(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Deserialize)]
pub struct EscalateForm {
    date: Option<Day>,
    kind: BlockerKind,
    task_id: Option<String>,
    person_id: Option<String>,
    make: ActionKind,
}

pub async fn escalate(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<EscalateForm>,
) -> PageResult {
    let (_, id) = page(&path, "/standup");
    let id = id?;
    let at = back(id, form.date);
    let a = project_access(&state, p.id(), id, ProjectAction::Edit).await.map_err(on(&at))?;
    let req = Escalate {
        date: form.date,
        kind: form.kind,
        task_id: opt_id(form.task_id.as_deref()),
        person_id: opt_id(form.person_id.as_deref()),
        make: form.make,
        title: None,
        owner_id: None,
        due: None,
    };
    standup::escalate(&state, &a, req).await.map_err(on(&at))?;
    Ok(Redirect::to(&at).into_response())
}

#[derive(Deserialize)]
pub struct DoneForm {
    version: i64,
    done: String,
    /// `my-work` to go back to My work.
    back: Option<String>,
}

/// Ticks a follow-up done (its owner or the manager), back to the stand-up.
pub async fn follow_up_done(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    PageForm(form): PageForm<DoneForm>,
) -> PageResult {
    let at = "/".to_owned();
    let fid = path.id().map_err(on(&at))?;
    let f = state.store.follow_up(fid).await.map_err(on(&at))?;
    let at = format!("/projects/{}/standup", f.project_id);
    let a = project_access(&state, p.id(), f.project_id, ProjectAction::Read).await.map_err(on(&at))?;
    let req = UpdateFollowUp { done: Some(form.done == "true"), ..Default::default() };
    rituals::update_follow_up(&state, &a, &f, form.version, req).await.map_err(on(&at))?;
    if form.back.as_deref() == Some("my-work") {
        return Ok(Redirect::to(&format!("/w/{}/my-work", a.scope.workspace_id)).into_response());
    }
    Ok(Redirect::to(&format!("{at}#follow-ups")).into_response())
}
