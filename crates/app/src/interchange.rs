//! Plans in and out as MS Project XML (MSPDI). Import reads the file
//! through the same conversion `tandem schedule` uses and stores what the
//! engine computed from it (effective durations and calendars, progress,
//! manual dates, lag kinds), so the imported project schedules as the file
//! does. Export writes the plan with its scheduled dates, calendars,
//! resources, assignments and baselines. Pure: no I/O.

use std::collections::HashMap;

use tandem_core::Id;
use tandem_core::project::{
    BoardStatus, ConstraintType, DependencyType, Estimate, LagKind, LocalTime, Span, Task, TaskConstraint,
    WorkCalendar, WorkWeek,
};
use tandem_core::tracking::{Baseline, Resource, ResourceKind};
use tandem_formats::mspdi::{
    self, AssignmentDef, BaselineDef, CalendarDef, Document, ExceptionDef, LinkDef, ResourceDef, TaskDef, WeekDayDef,
    WorkWeekDef,
};
use tandem_sched::{Constraint, Lag, LinkType, Minute, Schedule};
use tandem_store::resources::ResourceEdit;
use tandem_store::tasks::{ImportLink, ImportTask, PlanImport, TaskEdit};

use crate::error::AppError;
use crate::plan::{Plan, from_engine, minute};

fn local(m: Minute) -> Result<LocalTime, AppError> {
    tandem_sched::time::to_datetime(m)
        .map(LocalTime)
        .ok_or_else(|| AppError::invalid("file", format!("a date ({m}) is out of range")))
}

pub mod jira;
mod target;
pub mod trello;

pub use target::Target;
use target::name_of;

pub type Notes = Vec<String>; // what the import could not carry over, in words

fn money_minor(s: Option<&str>) -> i64 {
    s.and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map_or(0, |v| (v * 100.0).round() as i64)
}

fn constraint(c: Constraint) -> Result<TaskConstraint, AppError> {
    let dated = |kind, m| Ok(TaskConstraint { kind, date: Some(local(m)?) });
    match c {
        Constraint::AsSoonAsPossible => Ok(TaskConstraint::ASAP),
        Constraint::AsLateAsPossible => Ok(TaskConstraint { kind: ConstraintType::Alap, date: None }),
        Constraint::MustStartOn(m) => dated(ConstraintType::Mso, m),
        Constraint::MustFinishOn(m) => dated(ConstraintType::Mfo, m),
        Constraint::StartNoEarlierThan(m) => dated(ConstraintType::Snet, m),
        Constraint::StartNoLaterThan(m) => dated(ConstraintType::Snlt, m),
        Constraint::FinishNoEarlierThan(m) => dated(ConstraintType::Fnet, m),
        Constraint::FinishNoLaterThan(m) => dated(ConstraintType::Fnlt, m),
    }
}

fn dependency_type(k: LinkType) -> DependencyType {
    match k {
        LinkType::FinishToStart => DependencyType::Fs,
        LinkType::StartToStart => DependencyType::Ss,
        LinkType::FinishToFinish => DependencyType::Ff,
        LinkType::StartToFinish => DependencyType::Sf,
    }
}

/// Reads MSPDI bytes into a plan to store, with notes on what does not
/// carry over.
pub fn import(bytes: &[u8]) -> Result<(PlanImport, Notes), AppError> {
    let doc = mspdi::read(bytes).map_err(|e| AppError::invalid("file", e.to_string()))?;
    let conv =
        mspdi::to_network(&doc, &mspdi::Options::default()).map_err(|e| AppError::invalid("file", e.to_string()))?;
    let net = &conv.network;
    if let Err(e) = tandem_sched::Graph::build(net) {
        let uid = |i: u32| conv.tasks.get(i as usize).map_or(-1, |t| t.uid);
        let msg = match e {
            tandem_sched::GraphError::Cycle(ixs) => {
                let path: Vec<String> = ixs.iter().map(|&i| format!("UID {}", uid(i))).collect();
                format!("the dependencies form a cycle: {}", path.join(" → "))
            }
            other => other.to_string(),
        };
        return Err(AppError::invalid("file", msg));
    }
    let mut notes = Notes::new();
    if net.finish.is_some() {
        notes.push("the file is scheduled from its finish; Tandem schedules from the start".into());
    }
    if net.critical_slack_limit != 0 {
        notes.push("the file's critical slack limit is not kept: critical means no slack".into());
    }
    if let Some(s) = doc.project.status_date {
        notes.push(format!("the file's status date {} is not set as the project's", tandem_sched::time::format(s)));
    }
    if !net.honor_constraints && net.tasks.iter().any(|t| t.constraint.is_hard()) {
        notes.push("the file lets links override constraint dates; Tandem always honours them".into());
    }
    if net.multiple_critical_paths {
        notes.push("the file calculates multiple critical paths; Tandem counts slack to the project finish".into());
    }
    // Calendars: the project's own, and any other a task is worked on.
    let mut cal_index: HashMap<u32, usize> = HashMap::new();
    let mut calendars = Vec::new();
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, t) in net.tasks.iter().enumerate() {
        // A slack calendar that is the project's own still needs an id of
        // its own: the task's dates follow another calendar.
        for (ix, is_slack) in std::iter::once((t.calendar, false)).chain(t.slack_calendar.map(|c| (c, true))) {
            if (ix == conv.project_calendar && !is_slack) || cal_index.contains_key(&ix) {
                continue;
            }
            let c = net
                .calendars
                .get(ix as usize)
                .ok_or_else(|| AppError::invalid("file", "a task names a missing calendar"))?;
            let mut name = name_of(c.name(), format!("Calendar {}", calendars.len() + 1));
            while !names.insert(name.clone()) {
                name = format!("{name} ({})", i + 1);
            }
            cal_index.insert(ix, calendars.len());
            calendars.push((name, checked(from_engine(c)?)?));
        }
    }
    let project_cal = net
        .calendars
        .get(conv.project_calendar as usize)
        .ok_or_else(|| AppError::invalid("file", "no project calendar"))?;
    let calendar = checked(from_engine(project_cal)?)?;

    let resources: Vec<ResourceEdit> = conv
        .resource_defs
        .iter()
        .map(|&d| {
            let r = &doc.resources[d];
            ResourceEdit {
                name: name_of(r.name.as_deref().unwrap_or(""), format!("Resource {}", r.uid)),
                user_id: None,
                kind: ResourceKind::Work,
                max_units: (r.max_units.unwrap_or(1.0) * 100.0).round().clamp(0.0, 10_000.0) as i64,
                rate_minor: money_minor(r.standard_rate.as_deref()).min(10_000_000),
                // The tasks' own calendars already carry the resources'.
                calendar: None,
            }
        })
        .collect();
    let mut by_task: HashMap<u32, Vec<(usize, i64)>> = HashMap::new();
    for a in &conv.assignments {
        let units = (a.units * 100.0).round().clamp(1.0, 1000.0) as i64;
        let list = by_task.entry(a.task).or_default();
        if !list.iter().any(|(r, _)| *r == a.resource as usize) {
            list.push((a.resource as usize, units));
        }
    }

    let mut tasks = Vec::with_capacity(net.tasks.len());
    for (i, (t, info)) in net.tasks.iter().zip(&conv.tasks).enumerate() {
        let def = &doc.tasks[i];
        let pct = def.percent_complete.unwrap_or(0).clamp(0, 100);
        let p = &t.progress;
        let (delay, elapsed) = match t.leveling_delay {
            Lag::Working(d) => (d, false),
            Lag::Elapsed(d) => (d, true),
            Lag::Percent(_) => (0, false),
        };
        let estimate = conv.estimates[i].map(|e| Estimate {
            optimistic_minutes: e.optimistic,
            likely_minutes: e.likely,
            pessimistic_minutes: e.pessimistic,
        });
        let edit = TaskEdit {
            custom_fields: Default::default(),
            name: name_of(&info.name, format!("Task {}", info.uid)),
            parent_id: None,
            milestone: t.milestone,
            duration_minutes: t.duration.clamp(0, tandem_core::project::MAX_DURATION_MINUTES),
            percent_complete: pct,
            constraint: constraint(t.constraint)?,
            deadline: t.deadline.map(local).transpose()?,
            story_points: None,
            status: if pct >= 100 || p.actual_finish.is_some() {
                BoardStatus::Done
            } else if pct > 0 || p.actual_start.is_some() {
                BoardStatus::InProgress
            } else {
                BoardStatus::Todo
            },
            feature_id: None,
            fixed_cost_minor: money_minor(def.fixed_cost.as_deref()),
            notes: def.notes.as_deref().map(import_notes).unwrap_or_default(),
            actual_start: p.actual_start.map(local).transpose()?,
            actual_finish: p.actual_finish.map(local).transpose()?,
            // What the engine leaves to do after a resume, so that the
            // project schedules as the file does.
            remaining_minutes: net
                .calendars
                .get(t.calendar as usize)
                .and_then(|cal| p.left_after_resume(cal, t.duration))
                .map(|(_, left)| left)
                .or(p.remaining)
                .map(|r| r.clamp(0, tandem_core::project::MAX_DURATION_MINUTES)),
            estimate,
            sprint_id: None,
            priority: conv.priorities[i].clamp(0, 1000),
            leveling_delay_minutes: delay,
            assignments: Vec::new(),
            calendar_id: None,
            slack_calendar_id: None,
            manual_start: t.manual.map(|m| local(m.start)).transpose()?,
            manual_finish: t.manual.map(|m| local(m.finish)).transpose()?,
            // Inactive tasks too: Tandem has no state for them, and like
            // placeholders they keep their place and are never critical.
            manual_placeholder: t.manual.is_some_and(|m| m.kind != tandem_sched::ManualKind::Dated),
            stop: p.stop.map(local).transpose()?,
            resume: p.resume.map(local).transpose()?,
            external_start: t.external_start.map(local).transpose()?,
            leveling_delay_elapsed: elapsed,
            position: None,
        };
        tasks.push(ImportTask {
            parent: t.parent.map(|x| x as usize),
            edit,
            calendar: cal_index.get(&t.calendar).copied(),
            slack_calendar: t.slack_calendar.and_then(|c| cal_index.get(&c).copied()),
            assignments: by_task.remove(&(i as u32)).unwrap_or_default(),
        });
    }
    let links = net
        .links
        .iter()
        .map(|l| {
            let (lag, lag_kind) = match l.lag {
                Lag::Working(m) => (m, LagKind::Working),
                Lag::Elapsed(m) => (m, LagKind::Elapsed),
                Lag::Percent(h) => (h, LagKind::Percent),
            };
            ImportLink {
                predecessor: l.pred as usize,
                successor: l.succ as usize,
                kind: dependency_type(l.kind),
                lag,
                lag_kind,
            }
        })
        .collect();
    Ok((PlanImport { start: local(net.start)?, calendar, calendars, resources, tasks, links }, notes))
}

fn checked(c: WorkCalendar) -> Result<WorkCalendar, AppError> {
    c.check().map_err(|e| AppError::invalid("file", format!("a calendar cannot be kept: {}", e.message)))?;
    Ok(c)
}

// ---- export ----

fn periods(spans: &[Span]) -> Vec<(u16, u16)> {
    spans.iter().map(|s| (s.from, s.to)).collect()
}

/// MSPDI day types: 1 = Sunday … 7 = Saturday.
fn week_days(w: &WorkWeek) -> Vec<WeekDayDef> {
    let days = w.days();
    (1..=7u8)
        .map(|day_type| {
            let spans = days[(usize::from(day_type) + 5) % 7];
            WeekDayDef { day_type, working: !spans.is_empty(), times: periods(spans), period: None }
        })
        .collect()
}

fn day_minute(d: tandem_core::model::Day) -> Minute {
    crate::measure::day_start(d)
}

fn calendar_def(uid: i64, name: &str, c: &WorkCalendar) -> CalendarDef {
    CalendarDef {
        uid,
        name: Some(name.to_owned()),
        is_base: true,
        base_uid: None,
        week_days: week_days(&c.week),
        exceptions: c
            .exceptions
            .iter()
            .map(|e| ExceptionDef {
                name: Some(e.name.clone()),
                from: Some(day_minute(e.from)),
                to: Some(day_minute(e.to) + 1439),
                working: !e.hours.is_empty(),
                times: periods(&e.hours),
                kind: Some(1),
                occurrences: Some(1),
                period: Some(1),
                ..ExceptionDef::default()
            })
            .collect(),
        work_weeks: c
            .work_weeks
            .iter()
            .map(|w| WorkWeekDef {
                name: Some(w.name.clone()),
                from: Some(day_minute(w.from)),
                to: Some(day_minute(w.to) + 1439),
                week_days: week_days(&w.week),
            })
            .collect(),
    }
}

fn constraint_code(c: &TaskConstraint) -> u8 {
    match c.kind {
        ConstraintType::Asap => 0,
        ConstraintType::Alap => 1,
        ConstraintType::Mso => 2,
        ConstraintType::Mfo => 3,
        ConstraintType::Snet => 4,
        ConstraintType::Snlt => 5,
        ConstraintType::Fnet => 6,
        ConstraintType::Fnlt => 7,
    }
}

fn link_code(k: DependencyType) -> u8 {
    match k {
        DependencyType::Ff => 0,
        DependencyType::Fs => 1,
        DependencyType::Sf => 2,
        DependencyType::Ss => 3,
    }
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

/// The plan as an MSPDI document, with the schedule's dates and slack.
pub fn export(
    plan: &Plan,
    s: &Schedule,
    resources: &[Resource],
    baselines: &[Baseline],
    costs: &[i64],
    cal: &tandem_sched::Calendar,
) -> Document {
    let mut doc = Document::default();
    doc.project.name = Some(plan.project.name.clone());
    doc.project.title = Some(plan.project.name.clone());
    doc.project.start = Some(minute(plan.project.start));
    doc.project.finish = Some(s.project_finish);
    doc.project.status_date = plan.project.status_date.map(minute);
    doc.project.calendar_uid = Some(1);
    doc.project.currency_code = Some(plan.project.currency.clone());
    doc.calendars.push(calendar_def(1, "Project", &plan.calendar));
    let mut cal_uid: HashMap<Id, i64> = HashMap::new();
    for (k, c) in plan.calendars.iter().enumerate() {
        let uid = k as i64 + 2;
        cal_uid.insert(c.id, uid);
        doc.calendars.push(calendar_def(uid, &c.name, &c.calendar));
    }
    let uid_of: HashMap<Id, i64> = plan.tasks.iter().enumerate().map(|(i, t)| (t.id, i as i64 + 1)).collect();
    let mut preds: HashMap<Id, Vec<LinkDef>> = HashMap::new();
    for d in &plan.deps {
        let Some(&p) = uid_of.get(&d.predecessor_id) else { continue };
        let (lag, lag_format) = match d.lag_kind {
            LagKind::Working => (d.lag_minutes * 10, 7),
            LagKind::Elapsed => (d.lag_minutes * 10, 8),
            LagKind::Percent => (d.lag_percent.map_or(0, |x| x.round() as i64), 19),
        };
        preds.entry(d.successor_id).or_default().push(LinkDef {
            predecessor_uid: p,
            kind: link_code(d.kind),
            cross_project: false,
            lag,
            lag_format,
        });
    }
    let cx = ExportContext { s, cal_uid: &cal_uid, baselines, costs, cal };
    for (i, t) in plan.tasks.iter().enumerate() {
        doc.tasks.push(Box::new(task_def(i, t, &cx, preds.remove(&t.id).unwrap_or_default())));
    }
    let used: std::collections::HashSet<Id> =
        plan.tasks.iter().flat_map(|t| t.assignments.iter().map(|a| a.resource_id)).collect();
    let mut res_uid: HashMap<Id, i64> = HashMap::new();
    for r in resources.iter().filter(|r| used.contains(&r.id)) {
        let uid = res_uid.len() as i64 + 1;
        res_uid.insert(r.id, uid);
        doc.resources.push(ResourceDef {
            uid,
            id: Some(uid),
            name: Some(r.name.clone()),
            kind: Some(match r.kind {
                ResourceKind::Material => 0,
                ResourceKind::Work => 1,
                ResourceKind::Cost => 2,
            }),
            max_units: Some(r.max_units as f64 / 100.0),
            standard_rate: Some(money(r.rate_minor)),
            calendar_uid: None,
            is_null: false,
        });
    }
    for (i, t) in plan.tasks.iter().enumerate() {
        for a in &t.assignments {
            let Some(&r) = res_uid.get(&a.resource_id) else { continue };
            doc.assignments.push(AssignmentDef {
                uid: doc.assignments.len() as i64 + 1,
                task_uid: i as i64 + 1,
                resource_uid: r,
                units: Some(a.units as f64 / 100.0),
                work: Some(t.duration_minutes * a.units / 100),
                start: Some(s.start[i]),
                finish: Some(s.finish[i]),
                ..AssignmentDef::default()
            });
        }
    }
    doc
}

/// A file's notes as a task's: control characters other than line breaks
/// and tabs dropped, cut at the notes' limit, so a long note never refuses
/// the whole file.
/// A task's notes as imported: control characters out (line ends and tabs
/// stay), cut at the longest notes a task keeps.
pub(crate) fn import_notes(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .take(tandem_core::validate::MAX_TEXT_CHARS)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// What every task's export reads besides the task itself.
struct ExportContext<'a> {
    s: &'a Schedule,
    cal_uid: &'a HashMap<Id, i64>,
    baselines: &'a [Baseline],
    costs: &'a [i64],
    cal: &'a tandem_sched::Calendar,
}

fn task_def(i: usize, t: &Task, cx: &ExportContext<'_>, predecessors: Vec<LinkDef>) -> TaskDef {
    let ExportContext { s, cal_uid, baselines, costs, cal } = *cx;
    let summary = s.is_summary[i];
    TaskDef {
        uid: i as i64 + 1,
        id: Some(i as i64 + 1),
        name: Some(t.name.clone()),
        manual: t.manual_start.is_some(),
        outline_level: Some(i64::from(t.outline_level)),
        outline_number: Some(t.wbs.clone()),
        wbs: Some(t.wbs.clone()),
        priority: Some(t.priority),
        start: Some(s.start[i]),
        finish: Some(s.finish[i]),
        duration: Some(if summary { cal.between(s.start[i], s.finish[i]).max(0) } else { t.duration_minutes }),
        duration_format: Some(7),
        work: Some(t.work_minutes),
        milestone: !summary && t.kind == tandem_core::project::TaskKind::Milestone,
        summary,
        critical: Some(s.critical[i]),
        early_start: Some(s.early_start[i]),
        early_finish: Some(s.early_finish[i]),
        late_start: Some(s.late_start[i]),
        late_finish: Some(s.late_finish[i]),
        total_slack: Some(s.total_slack[i] * 10),
        free_slack: Some(s.free_slack[i] * 10),
        constraint_type: constraint_code(&t.constraint),
        constraint_date: t.constraint.date.map(minute),
        deadline: t.deadline.map(minute),
        calendar_uid: t.calendar_id.and_then(|c| cal_uid.get(&c).copied()),
        leveling_delay: (t.leveling_delay_minutes > 0).then_some(t.leveling_delay_minutes * 10),
        leveling_delay_format: (t.leveling_delay_minutes > 0).then_some(if t.leveling_delay_elapsed { 8 } else { 7 }),
        actual_start: t.actual_start.map(minute),
        actual_finish: t.actual_finish.map(minute),
        remaining_duration: t.remaining_minutes,
        // MS Project's actual duration: what the engine counts as done.
        actual_duration: t
            .actual_start
            .and(t.remaining_minutes)
            .map(|r| (t.duration_minutes - r).clamp(0, t.duration_minutes.max(0))),
        percent_complete: Some(t.percent_complete),
        stop: t.stop.map(minute),
        resume: t.resume.map(minute),
        manual_start: t.manual_start.map(minute),
        manual_finish: t.manual_finish.map(minute),
        // MS Project's mark of a duration not given yet.
        duration_text: (t.manual_placeholder && t.manual_start.is_some()).then(String::new),
        fixed_cost: Some(money(t.fixed_cost_minor)),
        notes: (!t.notes.is_empty()).then(|| t.notes.clone()),
        cost: costs.get(i).map(|c| money(*c)),
        predecessors,
        baselines: baselines
            .iter()
            .filter_map(|b| {
                let r = b.tasks.iter().find(|r| r.task_id == t.id)?;
                Some(BaselineDef {
                    number: b.number,
                    start: Some(minute(r.start)),
                    finish: Some(minute(r.finish)),
                    duration: Some(r.duration_minutes),
                    work: Some(r.work_minutes),
                    cost: Some(money(r.cost_minor)),
                })
            })
            .collect(),
        estimate: match t.estimate {
            Some(e) => [Some(e.optimistic_minutes), Some(e.likely_minutes), Some(e.pessimistic_minutes)],
            None => [None; 3],
        },
        ..TaskDef::default()
    }
}
