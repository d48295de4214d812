//! A project's plan as the engine sees it: tasks in WBS order become the
//! network's tasks, dependencies its links; the engine's dates come back as
//! the schedule clients read. Pure functions over loaded records.

use std::collections::HashMap;

use serde::Serialize;
use tandem_core::Id;
use tandem_core::project::{
    ConstraintType, Dependency, DependencyType, LagKind, LocalTime, Project, ProjectCalendar, Span, Task, TaskKind,
    WorkCalendar, WorkWeek, WorkWeekPeriod,
};
use tandem_core::tracking::{Resource, ResourceKind};
use tandem_sched::calendar::Override;
use tandem_sched::time::{from_datetime, to_datetime};
use tandem_sched::{
    Calendar, Constraint, GraphError, Lag, LinkType, Manual, ManualKind, Minute, Network, Progress, Schedule,
    ScheduleError, Shifts, Week,
};
use utoipa::ToSchema;

use crate::error::AppError;

/// A local date-time as the engine's minute.
pub(crate) fn minute(t: LocalTime) -> Minute {
    from_datetime(t.0)
}

/// The engine's minute as a local date-time.
pub(crate) fn local(m: Minute) -> Result<LocalTime, AppError> {
    to_datetime(m).map(LocalTime).ok_or_else(|| AppError::Internal(format!("minute {m} is out of range")))
}

fn constraint(t: &Task) -> Constraint {
    let at = t.constraint.date.map(minute).unwrap_or_default();
    match t.constraint.kind {
        ConstraintType::Asap => Constraint::AsSoonAsPossible,
        ConstraintType::Alap => Constraint::AsLateAsPossible,
        ConstraintType::Snet => Constraint::StartNoEarlierThan(at),
        ConstraintType::Snlt => Constraint::StartNoLaterThan(at),
        ConstraintType::Fnet => Constraint::FinishNoEarlierThan(at),
        ConstraintType::Fnlt => Constraint::FinishNoLaterThan(at),
        ConstraintType::Mso => Constraint::MustStartOn(at),
        ConstraintType::Mfo => Constraint::MustFinishOn(at),
    }
}

fn shifts(spans: &[Span]) -> Result<Shifts, AppError> {
    let pairs: Vec<(u16, u16)> = spans.iter().map(|s| (s.from, s.to)).collect();
    Shifts::new(&pairs).map_err(|e| AppError::invalid("calendar", e.to_string()))
}

fn day_number(d: tandem_core::model::Day) -> i64 {
    tandem_sched::time::day_of(from_datetime(d.0.to_datetime(jiff::civil::Time::midnight())))
}

/// The engine's calendar for a project's working time.
pub fn calendar(c: &WorkCalendar) -> Result<Calendar, AppError> {
    let days = c.week.days();
    let mut week = [Shifts::NONE; 7];
    for (i, d) in days.iter().enumerate() {
        week[i] = shifts(d)?;
    }
    let engine_week = |w: &WorkWeek| -> Result<Week, AppError> {
        let mut days = [Shifts::NONE; 7];
        for (i, d) in w.days().iter().enumerate() {
            days[i] = shifts(d)?;
        }
        Ok(Week::new(days))
    };
    let mut overrides = c
        .work_weeks
        .iter()
        .map(|w| {
            Ok(Override {
                from_day: day_number(w.from),
                to_day: day_number(w.to),
                week: engine_week(&w.week)?,
                rank: 1,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    for e in &c.exceptions {
        overrides.push(Override {
            from_day: day_number(e.from),
            to_day: day_number(e.to),
            week: Week::uniform(shifts(&e.hours)?),
            rank: 2,
        });
    }
    Calendar::new("Project", Week::new(week), &overrides).map_err(|e| AppError::invalid("calendar", e.to_string()))
}

fn spans(s: &Shifts) -> Vec<Span> {
    s.iter().filter_map(|(f, t)| Some(Span { from: u16::try_from(f).ok()?, to: u16::try_from(t).ok()? })).collect()
}

fn work_week(w: &Week) -> WorkWeek {
    let d = |i: usize| spans(w.day(i));
    WorkWeek {
        monday: d(0),
        tuesday: d(1),
        wednesday: d(2),
        thursday: d(3),
        friday: d(4),
        saturday: d(5),
        sunday: d(6),
    }
}

fn day_at(n: i64) -> Result<tandem_core::model::Day, AppError> {
    Ok(tandem_core::model::Day(local(n * tandem_sched::DAY)?.0.date()))
}

/// An engine calendar as Tandem stores it: its week, and every dated
/// stretch that differs as a work week (exact: the engine rebuilds it).
pub fn from_engine(c: &Calendar) -> Result<WorkCalendar, AppError> {
    let (week, periods) = c.periods();
    let work_weeks = periods
        .iter()
        .map(|&(from, to, w)| {
            Ok(WorkWeekPeriod { name: String::new(), from: day_at(from)?, to: day_at(to)?, week: work_week(&w) })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(WorkCalendar { week: work_week(&week), work_weeks, exceptions: Vec::new() })
}

/// What the engine needs of a task's progress: actual dates and the work
/// left (stated, or the duration not yet complete).
fn progress(t: &Task) -> Progress {
    let left = t.duration_minutes * (100 - t.percent_complete.clamp(0, 100)) / 100;
    Progress {
        actual_start: t.actual_start.map(minute),
        actual_finish: t.actual_finish.map(minute),
        remaining: t.actual_start.map(|_| t.remaining_minutes.unwrap_or(left)),
        resume: t.resume.map(minute),
        stop: t.stop.map(minute),
        // The stated work left says how much is done; the engine reads it
        // when the task was stopped and resumed.
        done: t.remaining_minutes.map(|r| (t.duration_minutes - r).max(0)),
    }
}

fn link_type(k: DependencyType) -> LinkType {
    match k {
        DependencyType::Fs => LinkType::FinishToStart,
        DependencyType::Ss => LinkType::StartToStart,
        DependencyType::Ff => LinkType::FinishToFinish,
        DependencyType::Sf => LinkType::StartToFinish,
    }
}

/// A project with its tasks (in WBS order) and dependencies, as loaded.
#[derive(Debug, Clone)]
pub struct Plan {
    pub project: Project,
    pub calendar: WorkCalendar,
    /// The project's other calendars, for tasks that name one.
    pub calendars: Vec<ProjectCalendar>,
    /// The workspace's resources: their calendars decide when the tasks
    /// they work on are worked.
    pub resources: Vec<Resource>,
    pub tasks: Vec<Task>,
    pub deps: Vec<Dependency>,
}

impl Plan {
    pub fn network(&self) -> Result<Network, AppError> {
        let mut net = network(&self.project, &self.tasks, &self.deps);
        net.calendars[0] = calendar(&self.calendar)?;
        let index: HashMap<Id, u32> = self.calendars.iter().enumerate().map(|(i, c)| (c.id, i as u32 + 1)).collect();
        for c in &self.calendars {
            net.calendars.push(calendar(&c.calendar)?);
        }
        for (task, t) in net.tasks.iter_mut().zip(&self.tasks) {
            task.calendar = t.calendar_id.and_then(|c| index.get(&c).copied()).unwrap_or(0);
            task.slack_calendar = t.slack_calendar_id.map(|c| index.get(&c).copied().unwrap_or(0));
        }
        self.resource_calendars(&mut net)?;
        Ok(net)
    }

    /// Like MS Project: a task worked by resources with calendars of their
    /// own is worked when any of them works (within the task's own
    /// calendar, when it has one); its slack stays counted on its own.
    /// Tasks whose calendars came combined from a file are left alone.
    fn resource_calendars(&self, net: &mut Network) -> Result<(), AppError> {
        let own: HashMap<Id, &WorkCalendar> =
            self.resources.iter().filter_map(|r| r.calendar.as_ref().map(|c| (r.id, c))).collect();
        if own.is_empty() {
            return Ok(());
        }
        let parents: std::collections::HashSet<Id> = self.tasks.iter().filter_map(|t| t.parent_id).collect();
        let work: std::collections::HashSet<Id> =
            self.resources.iter().filter(|r| r.kind == ResourceKind::Work).map(|r| r.id).collect();
        let mut built: HashMap<Id, u32> = HashMap::new();
        let mut combined: HashMap<(u32, Vec<Id>), u32> = HashMap::new();
        for (i, t) in self.tasks.iter().enumerate() {
            let mut people: Vec<Id> =
                t.assignments.iter().map(|a| a.resource_id).filter(|r| work.contains(r)).collect();
            if people.is_empty() || parents.contains(&t.id) || t.slack_calendar_id.is_some() {
                continue;
            }
            if !people.iter().any(|r| own.contains_key(r)) {
                continue;
            }
            people.sort();
            let task_cal = net.tasks[i].calendar;
            let key = (task_cal, people.clone());
            let ix = match combined.get(&key) {
                Some(&ix) => ix,
                None => {
                    let mut parts: Vec<u32> = Vec::with_capacity(people.len());
                    for r in &people {
                        parts.push(match own.get(r) {
                            Some(c) => match built.get(r) {
                                Some(&ix) => ix,
                                None => {
                                    net.calendars.push(calendar(c)?);
                                    let ix = (net.calendars.len() - 1) as u32;
                                    built.insert(*r, ix);
                                    ix
                                }
                            },
                            None => 0,
                        });
                    }
                    let refs: Vec<&Calendar> = parts.iter().map(|&p| &net.calendars[p as usize]).collect();
                    let union = Calendar::union_of("resources", &refs)
                        .map_err(|e| AppError::invalid("calendar", e.to_string()))?;
                    let cal = if task_cal == 0 {
                        union
                    } else {
                        Calendar::intersection_of("task and resources", &[&net.calendars[task_cal as usize], &union])
                            .map_err(|e| AppError::invalid("calendar", e.to_string()))?
                    };
                    net.calendars.push(cal);
                    let ix = (net.calendars.len() - 1) as u32;
                    combined.insert(key, ix);
                    ix
                }
            };
            net.tasks[i].slack_calendar = Some(task_cal);
            net.tasks[i].calendar = ix;
        }
        Ok(())
    }

    /// The engine's schedule, indexed like `tasks`; a cycle names its tasks.
    pub fn schedule(&self) -> Result<Schedule, AppError> {
        tandem_sched::schedule(&self.network()?).map_err(|e| explain(e, &self.tasks))
    }
}

/// The engine's network for a plan; `tasks` in WBS order (parents first).
pub fn network(project: &Project, tasks: &[Task], deps: &[Dependency]) -> Network {
    let mut net = Network::new(minute(project.start));
    net.status_date = project.status_date.map(minute);
    let index: HashMap<Id, u32> = tasks.iter().enumerate().map(|(i, t)| (t.id, i as u32)).collect();
    for t in tasks {
        let mut task = tandem_sched::Task::new(t.duration_minutes);
        task.milestone = t.kind == TaskKind::Milestone || (t.duration_minutes == 0 && t.kind != TaskKind::Summary);
        task.parent = t.parent_id.and_then(|p| index.get(&p).copied());
        task.constraint = constraint(t);
        task.deadline = t.deadline.map(minute);
        task.progress = progress(t);
        task.leveling_delay = if t.leveling_delay_elapsed {
            Lag::Elapsed(t.leveling_delay_minutes)
        } else {
            Lag::Working(t.leveling_delay_minutes)
        };
        task.manual = t.manual_start.zip(t.manual_finish).map(|(s, f)| Manual {
            start: minute(s),
            finish: minute(f),
            kind: if t.manual_placeholder { ManualKind::Placeholder } else { ManualKind::Dated },
        });
        task.external_start = t.external_start.map(minute);
        net.add(task);
    }
    for d in deps {
        if let (Some(&p), Some(&s)) = (index.get(&d.predecessor_id), index.get(&d.successor_id)) {
            let lag = match d.lag_kind {
                LagKind::Working => Lag::Working(d.lag_minutes),
                LagKind::Elapsed => Lag::Elapsed(d.lag_minutes),
                LagKind::Percent => Lag::Percent(d.lag_percent.map_or(0, |p| (p * 100.0).round() as i64)),
            };
            net.link(p, s, link_type(d.kind), lag);
        }
    }
    net
}

/// Turns an engine error into what the client sees: a cycle names its tasks.
pub fn explain(e: ScheduleError, tasks: &[Task]) -> AppError {
    let key = |i: u32| tasks.get(i as usize).map_or_else(|| format!("#{i}"), |t| format!("{} {}", t.key, t.name));
    match e {
        ScheduleError::Graph(GraphError::Cycle(ixs)) => {
            let mut names: Vec<String> = ixs.iter().map(|&i| key(i)).collect();
            // A task's start and finish are two nodes: name it once.
            names.dedup();
            if names.len() > 1 && names.first() == names.last() {
                names.pop();
            }
            if let Some(first) = names.first().cloned() {
                names.push(first);
            }
            AppError::invalid("dependencies", format!("the dependencies form a cycle: {}", names.join(" → ")))
        }
        ScheduleError::Graph(GraphError::SelfLink(i)) => {
            AppError::invalid("successor_id", format!("{} cannot depend on itself", key(i)))
        }
        other => AppError::invalid("plan", other.to_string()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDates {
    pub start: LocalTime,
    pub finish: LocalTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduledTask {
    pub id: Id,
    pub key: String,
    pub name: String,
    pub wbs: String,
    pub summary: bool,
    pub milestone: bool,
    pub start: LocalTime,
    pub finish: LocalTime,
    pub early_start: LocalTime,
    pub early_finish: LocalTime,
    pub late_start: LocalTime,
    pub late_finish: LocalTime,
    pub total_slack_minutes: i64,
    pub free_slack_minutes: i64,
    pub critical: bool,
    /// Work in minutes; a summary's is its subtasks'.
    pub work_minutes: i64,
    /// A summary's progress is its subtasks' weighted by duration (100 once
    /// every subtask is done).
    pub percent_complete: i64,
    /// Fixed cost plus assigned work at the resources' rates; a summary's
    /// is its subtasks'.
    pub cost_minor: i64,
    /// Finished (`tandem_core::progress::is_done`); a summary once every
    /// subtask is.
    pub done: bool,
}

/// `GET /projects/{id}/schedule`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    pub project: ProjectDates,
    pub tasks: Vec<ScheduledTask>,
    /// Critical tasks that are not summaries, in schedule order.
    pub critical_path: Vec<Id>,
}

/// The schedule clients read, from the engine's result for `tasks`.
pub fn view(tasks: &[Task], s: &Schedule) -> Result<ScheduleView, AppError> {
    view_with_costs(tasks, s, None)
}

/// The schedule with each task's cost (already rolled up, as
/// `measure::task_costs` gives them).
pub fn view_with_costs(tasks: &[Task], s: &Schedule, costs: Option<&[i64]>) -> Result<ScheduleView, AppError> {
    let r = tandem_core::progress::roll_up(tasks, costs);
    let mut out = Vec::with_capacity(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        out.push(ScheduledTask {
            id: t.id,
            key: t.key.clone(),
            name: t.name.clone(),
            wbs: t.wbs.clone(),
            summary: s.is_summary[i],
            milestone: t.kind == TaskKind::Milestone || (t.duration_minutes == 0 && !s.is_summary[i]),
            start: local(s.start[i])?,
            finish: local(s.finish[i])?,
            early_start: local(s.early_start[i])?,
            early_finish: local(s.early_finish[i])?,
            late_start: local(s.late_start[i])?,
            late_finish: local(s.late_finish[i])?,
            total_slack_minutes: s.total_slack[i],
            free_slack_minutes: s.free_slack[i],
            critical: s.critical[i],
            work_minutes: r.work[i],
            percent_complete: r.percent[i],
            cost_minor: r.cost[i],
            done: r.done[i],
        });
    }
    let critical_path = s.critical_path().into_iter().filter_map(|i| tasks.get(i as usize).map(|t| t.id)).collect();
    Ok(ScheduleView {
        project: ProjectDates { start: local(s.project_start)?, finish: local(s.project_finish)? },
        tasks: out,
        critical_path,
    })
}
