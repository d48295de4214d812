//! The daily stand-up, drafted from the work itself: for each person, what
//! moved since the start of the previous working day (board moves,
//! progress, time logged, tasks finished), what is in progress and next,
//! and what blocks them; the lines people add; blockers turned into risks,
//! tasks or follow-ups. Today's draft is kept as it is read, so a past day
//! shows what the team saw.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_core::model::Day;
use tandem_core::progress::{is_done, is_started};
use tandem_core::project::{BoardStatus, DependencyType, LocalTime};
use tandem_core::rituals::{
    ActionKind, Blocker, BlockerKind, FollowUp, Moved, NEXT_SHOWN, StandupAction, StandupNote, TaskMove, TaskState,
    moved, task_blockers,
};
use tandem_core::{Id, Millis, validate};
use tandem_store::rituals::standup::{BlockerRef, TaskActivity};
use utoipa::{IntoParams, ToSchema};

use super::made;
use crate::access::InProject;
use crate::error::AppError;
use crate::ops::delivery::{UtilisationQuery, monday_of, utilisation_of};
use crate::schedules::{Computed, computed};
use crate::{App, measure, plan, zone};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StandupQuery {
    /// The day (default: today in the workspace's time zone).
    #[param(value_type = Option<String>)]
    pub date: Option<Day>,
    /// Only this sprint's tasks.
    #[param(value_type = Option<String>)]
    pub sprint_id: Option<Id>,
}

/// A task as the stand-up lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StandupTask {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    pub status: BoardStatus,
    pub percent_complete: i64,
    /// Planned start and finish on the computed schedule.
    pub start: LocalTime,
    pub finish: LocalTime,
    pub critical: bool,
}

/// One person's part of the stand-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PersonStandup {
    /// `null` for a resource without an account.
    pub user_id: Option<Id>,
    pub resource_id: Option<Id>,
    pub name: String,
    pub moved: Vec<Moved>,
    pub in_progress: Vec<StandupTask>,
    pub next: Vec<StandupTask>,
    pub blockers: Vec<Blocker>,
    /// Lines they added.
    #[serde(default)]
    pub notes: Vec<StandupNote>,
}

/// The sprint a stand-up belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandupSprint {
    pub id: Id,
    pub name: String,
    pub start: Day,
    pub finish: Day,
    /// Whether the stand-up lists only this sprint's tasks.
    pub only: bool,
}

/// `GET /projects/{id}/standup`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Standup {
    pub date: Day,
    /// What changed from this moment on counts as moved: the start of the
    /// previous working day on the project's calendar.
    pub since: Millis,
    /// The active sprint (or the one asked for).
    pub sprint: Option<StandupSprint>,
    /// `false` for a past day whose draft was never read that day: only
    /// what moved and the lines people added are known.
    pub kept: bool,
    pub people: Vec<PersonStandup>,
    /// Blockers of the day turned into risks, tasks or follow-ups.
    pub actions: Vec<StandupAction>,
    /// The project's open follow-ups.
    pub follow_ups: Vec<FollowUp>,
}

/// How far ahead "next" looks, in calendar days.
const NEXT_DAYS: i64 = 14;

/// The plan's tasks by id, built once per stand-up.
type Index<'a> = HashMap<Id, &'a tandem_core::project::Task>;

/// A person: a user, or a resource without an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    User(Id),
    Resource(Id),
}

/// The working day before `d` on the project's calendar (the day before
/// when the calendar has none).
fn previous_working_day(c: &Computed, d: Day) -> Day {
    let fallback = Day(d.0.yesterday().unwrap_or(d.0));
    let Ok(cal) = plan::calendar(&c.plan.calendar) else { return fallback };
    cal.prev_finish(measure::day_start(d))
        .ok()
        .and_then(|m| tandem_sched::time::to_datetime(m - 1))
        .map_or(fallback, |t| Day(t.date()))
}

pub async fn standup(state: &App, a: &InProject, q: &StandupQuery) -> Result<Standup, AppError> {
    let project = a.scope.project_id;
    let ws = state.store.workspace(a.scope.workspace_id).await?;
    let tz = zone::of(&ws.time_zone);
    let now = state.clock.now();
    let today = zone::day_of(now, &tz);
    let date = q.date.unwrap_or(today);
    if date > today {
        return Err(AppError::BadOption("date: a stand-up is for today or a day gone by".into()));
    }
    let sprints = state.store.sprints(project).await?;
    let sprint = match q.sprint_id {
        Some(s) => Some(
            sprints
                .iter()
                .find(|x| x.id == s)
                .ok_or_else(|| AppError::BadOption("sprint_id: not a sprint of this project".into()))?,
        ),
        None => sprints.iter().find(|s| s.status == tandem_core::agile::SprintStatus::Active),
    };
    let only = q.sprint_id.and_then(|_| sprint.map(|s| s.id));
    let c = computed(state, project).await?;
    let since = zone::midnight(previous_working_day(&c, date), &tz);
    let until = zone::midnight(Day(date.0.tomorrow().unwrap_or(date.0)), &tz);
    let changes = state.store.task_changes(a.scope.workspace_id, project, since, until).await?;
    let logged = state.store.time_logged(project, previous_working_day(&c, date), date).await?;
    let names = names(state, a.scope.workspace_id).await?;
    let index: Index = c.plan.tasks.iter().map(|t| (t.id, t)).collect();
    let (mut people, kept) = if date == today {
        // The whole team's draft is kept; a sprint's view narrows it.
        let people = draft(state, &c, &index, (&changes, &logged), &names, date).await?;
        let v = serde_json::to_value(&people).map_err(|e| AppError::Internal(e.to_string()))?;
        state.store.keep_standup_draft(project, date, &v, now).await?;
        (people, true)
    } else if let Some(v) = state.store.standup_draft(project, date).await? {
        let people: Vec<PersonStandup> =
            serde_json::from_value(v).map_err(|e| AppError::Internal(format!("kept stand-up: {e}")))?;
        (people, true)
    } else {
        let mut people = BTreeMap::new();
        add_moved(&index, (&changes, &logged), &names, &mut people);
        (people.into_values().collect(), false)
    };
    if let Some(sp) = only {
        narrow(&mut people, &c.plan.tasks.iter().filter(|t| t.sprint_id == Some(sp)).map(|t| t.id).collect());
    }
    // The lines people added, and the blockers they raised.
    for n in state.store.standup_notes(project, date).await? {
        let Some(u) = n.user_id else { continue };
        let i = match people.iter().position(|p| p.user_id == Some(u)) {
            Some(i) => i,
            None => {
                people.push(person(Who::User(u), &names));
                people.len() - 1
            }
        };
        if let Some(t) = n.blocker_task_id.and_then(|t| index.get(&t)) {
            let b = Blocker::of_task(BlockerKind::Raised, (t.id, &t.key, &t.name), None, Some(n.text.clone()));
            people[i].blockers.push(b);
        }
        people[i].notes.push(n);
    }
    people.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.user_id.cmp(&b.user_id)));
    let follow_ups = state.store.follow_ups(project).await?.into_iter().filter(|f| !f.done).collect();
    Ok(Standup {
        date,
        since,
        sprint: sprint.map(|s| StandupSprint {
            id: s.id,
            name: s.name.clone(),
            start: s.start,
            finish: s.finish,
            only: only.is_some(),
        }),
        kept,
        people,
        actions: state.store.standup_actions(project, date).await?,
        follow_ups,
    })
}

/// People's names: members by user, resources by their own.
struct Names {
    users: HashMap<Id, String>,
    resources: HashMap<Id, (String, Option<Id>)>,
}

async fn names(state: &App, ws: Id) -> Result<Names, AppError> {
    let users = state.store.members(ws, None, tandem_store::MAX_PAGE).await?.items;
    let resources = state.store.resources(ws).await?;
    Ok(Names {
        users: users.into_iter().map(|m| (m.user_id, m.name)).collect(),
        resources: resources.into_iter().map(|r| (r.id, (r.name, r.user_id))).collect(),
    })
}

fn person(who: Who, names: &Names) -> PersonStandup {
    let (user_id, resource_id, name) = match who {
        Who::User(u) => (Some(u), None, names.users.get(&u).cloned().unwrap_or_else(|| "Former member".into())),
        Who::Resource(r) => (None, Some(r), names.resources.get(&r).map(|x| x.0.clone()).unwrap_or_default()),
    };
    PersonStandup {
        user_id,
        resource_id,
        name,
        moved: vec![],
        in_progress: vec![],
        next: vec![],
        blockers: vec![],
        notes: vec![],
    }
}

/// The people a task is assigned to.
fn assignees(t: &tandem_core::project::Task, names: &Names) -> Vec<Who> {
    let mut out: Vec<Who> = t
        .assignments
        .iter()
        .map(|x| match names.resources.get(&x.resource_id).and_then(|r| r.1) {
            Some(u) => Who::User(u),
            None => Who::Resource(x.resource_id),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn field<T>(v: &Value, key: &str, parse: impl Fn(&Value) -> Option<T>) -> Option<T> {
    v.get(key).and_then(parse)
}

/// Keeps only what concerns `tasks` (a sprint's): moves, work and the
/// blockers of those tasks, and the blockers that name no task; people
/// left with nothing are dropped.
fn narrow(people: &mut Vec<PersonStandup>, tasks: &std::collections::HashSet<Id>) {
    for p in people.iter_mut() {
        p.moved.retain(|m| tasks.contains(&m.task_id));
        p.in_progress.retain(|t| tasks.contains(&t.task_id));
        p.next.retain(|t| tasks.contains(&t.task_id));
        p.blockers.retain(|b| b.task_id.is_none_or(|t| tasks.contains(&t)));
    }
    people.retain(|p| !(p.moved.is_empty() && p.in_progress.is_empty() && p.next.is_empty() && p.blockers.is_empty()));
}

/// What moved: each task's changes, given to its assignees (or, on an
/// unassigned task, to whoever made them), and time logged, to whoever
/// logged it.
fn add_moved(
    index: &Index,
    (changes, logged): (&[TaskActivity], &[(Id, Id, i64)]),
    names: &Names,
    people: &mut BTreeMap<Who, PersonStandup>,
) {
    let mut by_task: BTreeMap<Id, Vec<&TaskActivity>> = BTreeMap::new();
    for ch in changes {
        by_task.entry(ch.task_id).or_default().push(ch);
    }
    let status = |v: &Value| v.as_str().and_then(BoardStatus::parse);
    let mut lines: BTreeMap<(Who, Id), (Vec<TaskMove>, i64)> = BTreeMap::new();
    for (tid, chs) in &by_task {
        let Some(t) = index.get(tid) else { continue };
        let moves: Vec<TaskMove> = chs
            .iter()
            .map(|ch| TaskMove {
                status: field(&ch.before, "status", status).zip(field(&ch.after, "status", status)),
                percent: field(&ch.before, "percent_complete", Value::as_i64).zip(field(
                    &ch.after,
                    "percent_complete",
                    Value::as_i64,
                )),
            })
            .filter(|m| m.status.is_some() || m.percent.is_some())
            .collect();
        if moves.is_empty() {
            continue;
        }
        let mut who = assignees(t, names);
        if who.is_empty() {
            who = chs.iter().filter_map(|ch| ch.actor_id.map(Who::User)).collect();
            who.sort();
            who.dedup();
        }
        for w in who {
            lines.entry((w, *tid)).or_default().0.extend(moves.iter().copied());
        }
    }
    for (t, u, m) in logged {
        lines.entry((Who::User(*u), *t)).or_default().1 += m;
    }
    for ((who, tid), (moves, minutes)) in lines {
        let Some(t) = index.get(&tid) else { continue };
        let s0 = moves.iter().find_map(|m| m.status.map(|s| s.0)).unwrap_or(t.status);
        let s1 = moves.iter().rev().find_map(|m| m.status.map(|s| s.1)).unwrap_or(t.status);
        let p0 = moves.iter().find_map(|m| m.percent.map(|p| p.0)).unwrap_or(t.percent_complete);
        let p1 = moves.iter().rev().find_map(|m| m.percent.map(|p| p.1)).unwrap_or(t.percent_complete);
        let line = moved((t.id, &t.key, &t.name), &moves, minutes, is_done(p0, s0, None), is_done(p1, s1, None));
        if let Some(line) = line {
            people.entry(who).or_insert_with(|| person(who, names)).moved.push(line);
        }
    }
}

/// Today's draft: what moved, each person's tasks in progress and next,
/// and their blockers.
async fn draft(
    state: &App,
    c: &Computed,
    index: &Index<'_>,
    window: (&[TaskActivity], &[(Id, Id, i64)]),
    names: &Names,
    date: Day,
) -> Result<Vec<PersonStandup>, AppError> {
    let mut people = BTreeMap::new();
    add_moved(index, window, names, &mut people);
    let done: HashMap<Id, bool> = c.plan.tasks.iter().zip(&c.view.tasks).map(|(t, r)| (t.id, r.done)).collect();
    // Each task's unfinished finish-to-start predecessors, in one pass over
    // the links rather than one per task.
    let mut waiting: HashMap<Id, Vec<(String, String)>> = HashMap::new();
    for d in c.plan.deps.iter().filter(|d| d.kind == DependencyType::Fs) {
        if done.get(&d.predecessor_id).copied().unwrap_or(true) {
            continue;
        }
        if let Some(p) = index.get(&d.predecessor_id) {
            waiting.entry(d.successor_id).or_default().push((p.key.clone(), p.name.clone()));
        }
    }
    let mut open: BTreeMap<Who, Vec<(LocalTime, StandupTask, bool)>> = BTreeMap::new();
    for (t, row) in c.plan.tasks.iter().zip(&c.view.tasks) {
        if row.summary || row.done {
            continue;
        }
        let who = assignees(t, names);
        if who.is_empty() {
            continue;
        }
        let started = is_started(t.percent_complete, t.status, t.actual_start, None);
        let waiting_on = waiting.remove(&t.id).unwrap_or_default();
        let st = TaskState {
            status: t.status,
            done: false,
            started,
            start: Day(row.start.0.date()),
            finish: Day(row.finish.0.date()),
            critical: row.critical,
            waiting_on,
        };
        let blockers = task_blockers((t.id, &t.key, &t.name), &st, date);
        let item = StandupTask {
            task_id: t.id,
            key: t.key.clone(),
            name: t.name.clone(),
            status: t.status,
            percent_complete: row.percent_complete,
            start: row.start,
            finish: row.finish,
            critical: row.critical,
        };
        for w in who {
            let p = people.entry(w).or_insert_with(|| person(w, names));
            p.blockers.extend(blockers.iter().cloned());
            open.entry(w).or_default().push((row.start, item.clone(), started));
        }
    }
    // Next: what starts within the next two weeks, soonest first.
    let horizon = Day(date.0.checked_add(jiff::Span::new().days(NEXT_DAYS)).unwrap_or(date.0));
    for (w, mut tasks) in open {
        tasks.sort_by(|a, b| (a.0, &a.1.key).cmp(&(b.0, &b.1.key)));
        let p = people.entry(w).or_insert_with(|| person(w, names));
        for (_, t, started) in tasks {
            if started {
                p.in_progress.push(t);
            } else if p.next.len() < NEXT_SHOWN && Day(t.start.0.date()) <= horizon {
                p.next.push(t);
            }
        }
    }
    // Over-allocated this week.
    let week = monday_of(date);
    let use_ = utilisation_of(c, &UtilisationQuery { from: Some(week), weeks: Some(1) })?;
    for r in use_.resources {
        let Some(cell) = r.weeks.first().filter(|w| w.over_allocated) else { continue };
        let who = match names.resources.get(&r.resource_id).and_then(|x| x.1) {
            Some(u) => Who::User(u),
            None => Who::Resource(r.resource_id),
        };
        let detail = format!(
            "{} booked, {} available",
            tandem_core::rituals::hours_text(cell.assigned_minutes),
            tandem_core::rituals::hours_text(cell.available_minutes)
        );
        let mut b = Blocker {
            kind: BlockerKind::OverAllocated,
            task_id: None,
            key: None,
            name: None,
            change_request_id: None,
            date: Some(week),
            detail: Some(detail),
            reason: String::new(),
        };
        b.reason = b.reason_text(tandem_core::prefs::DateOrder::DayMonth);
        people.entry(who).or_insert_with(|| person(who, names)).blockers.push(b);
    }
    // Change requests waiting for someone's decision.
    let matrix = state.store.decision_matrix(c.plan.project.workspace_id).await?.matrix;
    // Only members have a say; a former member's tasks ask nothing of them.
    let users: Vec<Id> = people
        .keys()
        .filter_map(|w| if let Who::User(u) = w { Some(*u) } else { None })
        .filter(|u| names.users.contains_key(u))
        .collect();
    for u in users {
        for cr in crate::ops::changes::awaiting_call(state, u, c.plan.project.id, &matrix).await? {
            let mut b = Blocker {
                kind: BlockerKind::Question,
                task_id: None,
                key: Some(cr.key.clone()),
                name: Some(cr.title.clone()),
                change_request_id: Some(cr.id),
                date: None,
                detail: None,
                reason: String::new(),
            };
            b.reason = b.reason_text(tandem_core::prefs::DateOrder::DayMonth);
            if let Some(p) = people.get_mut(&Who::User(u)) {
                p.blockers.push(b);
            }
        }
    }
    Ok(people.into_values().collect())
}

/// `POST /projects/{id}/standup/notes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNote {
    /// Default: today.
    pub date: Option<Day>,
    pub text: String,
    /// A task of the project that blocks the writer.
    pub blocker_task_id: Option<Id>,
}

/// The longest line.
const MAX_LINE_CHARS: usize = 2_000;

pub async fn add_note(state: &App, a: &InProject, req: AddNote) -> Result<StandupNote, AppError> {
    let ws = state.store.workspace(a.scope.workspace_id).await?;
    let today = zone::day_of(state.clock.now(), &zone::of(&ws.time_zone));
    let date = req.date.unwrap_or(today);
    if date > today {
        return Err(validate::Invalid::new("date", "must be today or a day gone by").into());
    }
    let text = validate::required_text("text", &req.text)?;
    if text.chars().count() > MAX_LINE_CHARS {
        return Err(validate::Invalid::new("text", format!("must be at most {MAX_LINE_CHARS} characters")).into());
    }
    Ok(state
        .store
        .add_standup_note(a.user_id, a.scope.project_id, date, &text, req.blocker_task_id, state.clock.now())
        .await?)
}

/// `POST /projects/{id}/standup/actions`: one of the day's blockers
/// turned into a risk, a task or a follow-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalate {
    /// Default: today.
    pub date: Option<Day>,
    /// The blocker: its kind, its task and whose it is.
    pub kind: BlockerKind,
    pub task_id: Option<Id>,
    pub person_id: Option<Id>,
    /// `risk`, `task` or `follow_up`.
    pub make: ActionKind,
    /// Default: `Blocked: CKT-3 Build API`.
    pub title: Option<String>,
    /// The follow-up's or risk's owner (default: the blocked person).
    pub owner_id: Option<Id>,
    #[schema(value_type = Option<String>)]
    pub due: Option<Day>,
}

pub async fn escalate(state: &App, a: &InProject, req: Escalate) -> Result<StandupAction, AppError> {
    let ws = state.store.workspace(a.scope.workspace_id).await?;
    let today = zone::day_of(state.clock.now(), &zone::of(&ws.time_zone));
    let date = req.date.unwrap_or(today);
    if date > today {
        return Err(validate::Invalid::new("date", "must be today or a day gone by").into());
    }
    let task = match req.task_id {
        Some(t) => {
            let task = state.store.task(t).await.map_err(|_| validate::Invalid::new("task_id", "no such task"))?;
            if task.project_id != a.scope.project_id {
                return Err(validate::Invalid::new("task_id", "is not a task of this project").into());
            }
            Some(task)
        }
        None => None,
    };
    let title = match req.title.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => validate::name("title", t)?,
        None => {
            let what = task.as_ref().map_or_else(|| req.kind.label().into_owned(), |t| format!("{} {}", t.key, t.name));
            let mut s: String = format!("Blocked: {what}").chars().take(200).collect();
            s = s.trim().to_owned();
            s
        }
    };
    let owner = req.owner_id.or(req.person_id);
    let m = made(state, a.scope.workspace_id, req.make, &title, owner, req.due, task.as_ref().map(|t| t.id)).await?;
    let blocker = BlockerRef { kind: req.kind, task_id: req.task_id, person_id: req.person_id };
    Ok(state.store.escalate_blocker(a.user_id, a.scope.project_id, date, &blocker, &m, state.clock.now()).await?)
}
