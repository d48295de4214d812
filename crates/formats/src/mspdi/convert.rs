//! From an MSPDI document to the engine's network: calendars with their
//! base calendars and exceptions, the outline as parents, links with their
//! lag formats, constraints, progress.

use std::collections::HashMap;

use tandem_sched::calendar::{Override, Week};
use tandem_sched::time::{DAY, day_of, weekday};
use tandem_sched::{Calendar, Constraint, Lag, LinkType, Manual, ManualKind, Minute, Network, Progress, Shifts, Task};

use super::model::*;
use uids::Uids;

mod uids;
use super::read::{FieldError, Limits, MspdiError};

/// What the engine needs to report on each task, by network index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    pub uid: i64,
    pub id: i64,
    pub name: String,
    pub outline_level: i64,
    pub wbs: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Converted {
    pub network: Network,
    pub tasks: Vec<TaskInfo>,
    /// Three-point estimates, by network index, for Monte Carlo.
    pub estimates: Vec<Option<tandem_sched::montecarlo::Estimate>>,
    /// Work resources and assignments, for levelling.
    pub resources: Vec<tandem_sched::level::Resource>,
    pub assignments: Vec<tandem_sched::level::Assignment>,
    /// MS Project priorities (0–1000, default 500), by network index.
    pub priorities: Vec<i64>,
    /// The index of the project's calendar in the network's calendars.
    pub project_calendar: u32,
    /// By network index: the resource of each work resource in
    /// `resources`, as its index in the document's resources.
    pub resource_defs: Vec<usize>,
}

fn invalid(task_uid: Option<i64>, field: &str, message: impl Into<String>) -> FieldError {
    FieldError { line: 0, task_uid, field: field.into(), message: message.into() }
}

/// How to read a plan into a network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Schedule remaining work after this date.
    pub status_date: Option<Minute>,
    /// The start of a project whose file names none (MS Project would use
    /// the day the file is opened; the caller passes it in).
    pub default_start: Option<Minute>,
    /// Level resources before reporting.
    pub level: bool,
}

/// Builds the network.
pub fn to_network(doc: &Document, options: &Options) -> Result<Converted, MspdiError> {
    let status_date = options.status_date;
    let limits = Limits::default();
    let mut errors: Vec<FieldError> = Vec::new();
    let defs: HashMap<i64, &CalendarDef> = doc.calendars.iter().map(|c| (c.uid, c)).collect();

    let mut calendars = Calendars { defs: &defs, built: Vec::new(), index: HashMap::new() };
    let project_cal_uid = doc.project.calendar_uid.filter(|u| defs.contains_key(u));
    let project_cal = match project_cal_uid {
        Some(uid) => calendars.get(uid).map_err(|e| MspdiError::Invalid(vec![e]))?,
        None => calendars.push(Calendar::standard()),
    };

    let start = doc.project.start.or_else(|| doc.tasks.iter().filter_map(|t| t.start).min()).or(options.default_start);

    // Work resources' calendars, per task: a task is worked when its
    // resources work.
    let res_cal: HashMap<i64, i64> = doc
        .resources
        .iter()
        .filter(|r| !r.is_null && r.kind.is_none_or(|k| k == 1))
        .filter_map(|r| r.calendar_uid.filter(|u| defs.contains_key(u)).map(|c| (r.uid, c)))
        .collect();
    let mut task_res_cals: HashMap<i64, Vec<i64>> = HashMap::new();
    for a in &doc.assignments {
        if let Some(&c) = res_cal.get(&a.resource_uid) {
            let v = task_res_cals.entry(a.task_uid).or_default();
            if !v.contains(&c) {
                v.push(c);
            }
        }
    }
    let mut combined: HashMap<(Option<i64>, Vec<i64>), u32> = HashMap::new();
    // A delayed assignment finishes after the others: the task lasts until
    // its last assignment is done.
    let mut assignment_span: HashMap<i64, i64> = HashMap::new();
    for a in &doc.assignments {
        let delay = a.delay.unwrap_or(0) / 10
            + a.leveling_delay.filter(|_| a.leveling_delay_format.is_none_or(|f| !is_elapsed_format(f))).unwrap_or(0)
                / 10;
        if delay == 0 {
            continue;
        }
        if let (Some(work), Some(units)) = (a.work, a.units.filter(|u| *u > 0.0)) {
            let span = delay + (work as f64 / units).round() as i64;
            let e = assignment_span.entry(a.task_uid).or_insert(0);
            *e = (*e).max(span);
        }
    }

    let mut splits: HashMap<i64, Vec<&[(Minute, Minute)]>> = HashMap::new();
    for a in doc.assignments.iter().filter(|a| !a.splits.is_empty()) {
        splits.entry(a.task_uid).or_default().push(&a.splits);
    }

    let mut net = Network::new(start.unwrap_or(0));
    net.calendars.clear();
    net.status_date = status_date;
    if !doc.project.schedule_from_start {
        net.finish = doc.project.finish;
    }
    net.critical_slack_limit = doc.project.critical_slack_limit_days * doc.project.minutes_per_day;
    net.honor_constraints = doc.project.honor_constraints.unwrap_or(true);
    net.multiple_critical_paths = doc.project.multiple_critical_paths.unwrap_or(false);
    net.tasks.reserve(doc.tasks.len());
    let mut infos = Vec::with_capacity(doc.tasks.len());
    let mut estimates = Vec::with_capacity(doc.tasks.len());
    let by_uid = Uids::new(doc.tasks.iter().map(|t| t.uid));
    let mut elapsed_cal: Option<u32> = None;
    // Parents from outline levels: the stack holds (level, index).
    let mut outline: Vec<(i64, u32)> = Vec::new();

    for t in &doc.tasks {
        let level = t.outline_level.unwrap_or(if t.uid == 0 { 0 } else { 1 });
        if level > limits.max_outline_level || level < 0 {
            return Err(MspdiError::Invalid(vec![invalid(
                Some(t.uid),
                "OutlineLevel",
                format!("outline depth {level} exceeds {}", limits.max_outline_level),
            )]));
        }
        while outline.last().is_some_and(|&(l, _)| l >= level) {
            outline.pop();
        }
        let parent = outline.last().map(|&(_, i)| i);
        let ix = infos.len() as u32;
        outline.push((level, ix));

        let duration = t.duration.unwrap_or(0);
        let duration = match assignment_span.get(&t.uid) {
            Some(&span) if !t.summary && t.actual_start.is_none() => duration.max(span),
            _ => duration,
        };
        let mut task = Task::new(duration);
        task.milestone = t.milestone || (t.duration == Some(0) && !t.summary);
        task.parent = parent;
        task.calendar = match t.calendar_uid.filter(|&u| u >= 0 && defs.contains_key(&u)) {
            Some(uid) => match calendars.get(uid) {
                Ok(c) => c,
                Err(e) => {
                    errors.push(FieldError { task_uid: Some(t.uid), ..e });
                    project_cal
                }
            },
            None => project_cal,
        };
        if let Some(res) = task_res_cals.get_mut(&t.uid).filter(|_| !t.ignore_resource_calendar && !t.summary) {
            res.sort_unstable();
            let own = t.calendar_uid.filter(|&u| u >= 0 && defs.contains_key(&u));
            let key = (own, res.clone());
            let ix = match combined.get(&key) {
                Some(&ix) => Some(ix),
                None => match combine_calendars(&mut calendars, own, res) {
                    Ok(ix) => {
                        combined.insert(key, ix);
                        Some(ix)
                    }
                    // Resources with no common working time (or a broken
                    // resource calendar): the task keeps its own calendar,
                    // as it would with no resources.
                    Err(_) => None,
                },
            };
            if let Some(ix) = ix {
                task.slack_calendar = Some(task.calendar);
                task.calendar = ix;
            }
        }
        // Split tasks: the gaps in their assignments' work lengthen the span.
        if !t.summary && t.actual_start.is_none() {
            let cal = &calendars.built[task.calendar as usize];
            let gap = splits
                .get(&t.uid)
                .map(|list| {
                    list.iter().map(|ss| ss.iter().map(|&(a, b)| cal.between(a, b)).sum::<i64>()).max().unwrap_or(0)
                })
                .unwrap_or(0);
            // Zero-work records can also come from rounding in a work
            // contour; only a gap that the stored dates confirm is a split.
            let span = match (t.start, t.finish) {
                (Some(a), Some(b)) => cal.between(a, b),
                _ => i64::MAX,
            };
            if gap > 0 && span >= task.duration + gap {
                task.duration += gap;
            }
        }
        if t.duration_format.is_some_and(is_elapsed_format) {
            task.calendar = *elapsed_cal.get_or_insert_with(|| calendars.push(Calendar::elapsed()));
        }
        // Some writers leave out Duration: the dates then say how long.
        if t.duration.is_none()
            && !t.summary
            && let (Some(a), Some(b)) = (t.start, t.finish)
        {
            task.duration = calendars.built[task.calendar as usize].between(a, b).max(0);
            task.milestone = t.milestone || task.duration == 0;
        }
        task.constraint = constraint(t);
        task.deadline = t.deadline;
        task.progress = Progress {
            actual_start: t.actual_start,
            actual_finish: t.actual_finish.filter(|_| t.actual_start.is_some()),
            remaining: t.remaining_duration,
            resume: t.resume,
            stop: t.stop,
            done: t.actual_duration,
        };
        if (t.manual || !t.active)
            && let (Some(start), Some(finish)) = (t.manual_start.or(t.start), t.manual_finish.or(t.finish))
        {
            let kind = if !t.active {
                ManualKind::Inactive
            } else if t.duration_text.is_some() {
                // No duration given (blank or words): MS Project draws no
                // bar and the task never counts as critical.
                ManualKind::Placeholder
            } else {
                ManualKind::Dated
            };
            task.manual = Some(Manual { start, finish, kind });
        }
        // A predecessor in another project is not in this file; the start
        // MS Project computed from it stands in as a lower bound.
        if t.predecessors.iter().any(|l| l.cross_project) {
            task.external_start = t.start;
        }
        if let Some(d) = t.leveling_delay.filter(|&d| d > 0) {
            task.leveling_delay = if t.leveling_delay_format.is_none_or(is_elapsed_format) {
                Lag::Elapsed(d / 10)
            } else {
                Lag::Working(d / 10)
            };
        }
        estimates.push(match t.estimate {
            [Some(o), Some(m), Some(p)] if !t.summary => tandem_sched::montecarlo::Estimate::new(o, m, p),
            _ => None,
        });
        net.tasks.push(task);
        infos.push(TaskInfo {
            uid: t.uid,
            id: t.id.unwrap_or(t.uid),
            name: t.name.clone().unwrap_or_default(),
            outline_level: level,
            wbs: t.wbs.clone(),
        });
    }

    net.links.reserve(doc.tasks.iter().map(|t| t.predecessors.len()).sum());
    let active: Vec<bool> = doc.tasks.iter().map(|t| t.active).collect();
    for (succ, t) in doc.tasks.iter().enumerate() {
        let succ = succ as u32;
        let mut long_seen = std::collections::HashSet::new();
        for (k, l) in t.predecessors.iter().enumerate() {
            if l.cross_project {
                continue;
            }
            let Some(pred) = by_uid.get(l.predecessor_uid) else {
                errors.push(invalid(
                    Some(t.uid),
                    "PredecessorLink",
                    format!("predecessor UID {} does not exist", l.predecessor_uid),
                ));
                continue;
            };
            if pred == succ {
                errors.push(invalid(
                    Some(t.uid),
                    "PredecessorLink",
                    format!("task UID {} is its own predecessor", t.uid),
                ));
                continue;
            }
            if !active[pred as usize] || !t.active {
                continue;
            }
            let kind = match l.kind {
                0 => LinkType::FinishToFinish,
                2 => LinkType::StartToFinish,
                3 => LinkType::StartToStart,
                _ => LinkType::FinishToStart,
            };
            let lag = match l.lag_format {
                // Percentage lags hold the plain percentage, not tenths.
                19 | 20 | 51 | 52 => Lag::Percent(l.lag * 100),
                f if is_elapsed_format(f) => Lag::Elapsed(l.lag / 10),
                _ => Lag::Working(l.lag / 10),
            };
            // An identical link given twice (under the same successor) is
            // the same link. Most tasks have a few predecessors: a look
            // back over them; a long list gets a set.
            let key = (l.predecessor_uid, l.kind, l.lag, l.lag_format);
            let twice = if t.predecessors.len() <= 16 {
                t.predecessors[..k]
                    .iter()
                    .any(|e| !e.cross_project && (e.predecessor_uid, e.kind, e.lag, e.lag_format) == key)
            } else {
                !long_seen.insert(key)
            };
            if !twice {
                net.link(pred, succ, kind, lag);
            }
        }
    }
    if !errors.is_empty() {
        return Err(MspdiError::Invalid(errors));
    }
    if start.is_none() {
        return Err(MspdiError::NotMspdi("the project has no start date and no task has one".into()));
    }
    net.calendars = calendars.built;
    let mut res_ix: HashMap<i64, u32> = HashMap::new();
    let mut resources = Vec::new();
    let mut resource_defs = Vec::new();
    for (d, r) in doc.resources.iter().enumerate().filter(|(_, r)| !r.is_null && r.kind.is_none_or(|k| k == 1)) {
        resource_defs.push(d);
        res_ix.insert(r.uid, resources.len() as u32);
        resources.push(tandem_sched::level::Resource { max_units: r.max_units.filter(|u| *u > 0.0).unwrap_or(1.0) });
    }
    let assignments = doc
        .assignments
        .iter()
        .filter_map(|a| {
            let task = by_uid.get(a.task_uid)?;
            let resource = *res_ix.get(&a.resource_uid)?;
            let units = a.units.unwrap_or(1.0);
            (units > 0.0 && !doc.tasks[task as usize].summary).then_some(tandem_sched::level::Assignment {
                task,
                resource,
                units,
            })
        })
        .collect();
    let priorities = doc.tasks.iter().map(|t| t.priority.unwrap_or(500)).collect();
    Ok(Converted {
        network: net,
        tasks: infos,
        estimates,
        resources,
        assignments,
        priorities,
        project_calendar: project_cal,
        resource_defs,
    })
}

/// MSPDI duration and lag formats counted in elapsed time.
fn is_elapsed_format(f: u8) -> bool {
    matches!(f, 4 | 6 | 8 | 10 | 12 | 20 | 36 | 38 | 40 | 42 | 44 | 52)
}

fn constraint(t: &TaskDef) -> Constraint {
    let Some(d) = t.constraint_date else {
        return if t.constraint_type == 1 { Constraint::AsLateAsPossible } else { Constraint::AsSoonAsPossible };
    };
    match t.constraint_type {
        1 => Constraint::AsLateAsPossible,
        2 => Constraint::MustStartOn(d),
        3 => Constraint::MustFinishOn(d),
        4 => Constraint::StartNoEarlierThan(d),
        5 => Constraint::StartNoLaterThan(d),
        6 => Constraint::FinishNoEarlierThan(d),
        7 => Constraint::FinishNoLaterThan(d),
        _ => Constraint::AsSoonAsPossible,
    }
}

/// Builds engine calendars on demand, each once.
struct Calendars<'a> {
    defs: &'a HashMap<i64, &'a CalendarDef>,
    built: Vec<Calendar>,
    index: HashMap<i64, u32>,
}

impl Calendars<'_> {
    fn push(&mut self, c: Calendar) -> u32 {
        self.built.push(c);
        (self.built.len() - 1) as u32
    }

    fn get(&mut self, uid: i64) -> Result<u32, FieldError> {
        if let Some(&i) = self.index.get(&uid) {
            return Ok(i);
        }
        let cal = build_calendar(self.defs, uid)?;
        let i = self.push(cal);
        self.index.insert(uid, i);
        Ok(i)
    }
}

/// The calendar of a task worked by resources: the union of the resources'
/// calendars, within the task's own calendar when it has one.
fn combine_calendars(cals: &mut Calendars<'_>, own: Option<i64>, resources: &[i64]) -> Result<u32, FieldError> {
    let ixs: Vec<u32> = resources.iter().map(|&u| cals.get(u)).collect::<Result<_, _>>()?;
    let own_ix = own.map(|u| cals.get(u)).transpose()?;
    if ixs.len() == 1 && own_ix.is_none() {
        return Ok(ixs[0]);
    }
    let err = |e: tandem_sched::CalendarError| invalid(None, "Calendar", e.to_string());
    let parts: Vec<&Calendar> = ixs.iter().map(|&i| &cals.built[i as usize]).collect();
    let union = Calendar::union_of("resources", &parts).map_err(err)?;
    let cal = match own_ix {
        Some(o) => Calendar::intersection_of("task and resources", &[&cals.built[o as usize], &union]).map_err(err)?,
        None => union,
    };
    Ok(cals.push(cal))
}

/// MSPDI day types (1 = Sunday) to the engine's weekday (0 = Monday).
fn weekday_index(day_type: u8) -> Option<usize> {
    (1..=7).contains(&day_type).then(|| (usize::from(day_type) + 5) % 7)
}

fn shifts(times: &Periods, working: bool) -> Result<Shifts, String> {
    if !working {
        return Ok(Shifts::NONE);
    }
    if times.is_empty() {
        // A working day without times works the standard hours.
        return Shifts::new(&[(480, 720), (780, 1020)]).map_err(|e| e.to_string());
    }
    Shifts::normalized(times).map_err(|e| e.to_string())
}

fn build_calendar(defs: &HashMap<i64, &CalendarDef>, uid: i64) -> Result<Calendar, FieldError> {
    // The chain from this calendar up through its base calendars.
    let mut chain: Vec<&CalendarDef> = Vec::new();
    let mut cur = Some(uid);
    while let Some(u) = cur {
        let Some(def) = defs.get(&u) else { break };
        if chain.iter().any(|c| c.uid == u) || chain.len() > 16 {
            break;
        }
        chain.push(def);
        cur = def.base_uid.filter(|&b| b >= 0 && b != u);
    }
    let err = |m: String| invalid(None, "Calendar", format!("calendar UID {uid}: {m}"));
    let standard = Week::standard();
    let mut days: [Shifts; 7] = std::array::from_fn(|i| *standard.day(i));
    let mut overrides: Vec<Override> = Vec::new();
    // Base first, so that derived calendars override.
    for def in chain.iter().rev() {
        for wd in &def.week_days {
            if let Some(i) = weekday_index(wd.day_type) {
                days[i] = shifts(&wd.times, wd.working).map_err(err)?;
            }
        }
        let has_exceptions = !def.exceptions.is_empty();
        for wd in def.week_days.iter().filter(|w| w.day_type == 0 && !has_exceptions) {
            if let Some((from, to)) = wd.period {
                let s = shifts(&wd.times, wd.working).map_err(err)?;
                overrides.push(Override {
                    from_day: day_of(from),
                    to_day: day_of(to),
                    week: Week::uniform(s),
                    rank: 2,
                });
            }
        }
        for ww in &def.work_weeks {
            let (Some(from), Some(to)) = (ww.from, ww.to) else { continue };
            let mut wdays = days;
            for wd in &ww.week_days {
                if let Some(i) = weekday_index(wd.day_type) {
                    wdays[i] = shifts(&wd.times, wd.working).map_err(err)?;
                }
            }
            overrides.push(Override { from_day: day_of(from), to_day: day_of(to), week: Week::new(wdays), rank: 1 });
        }
        for ex in &def.exceptions {
            let s = shifts(&ex.times, ex.working).map_err(err)?;
            exception_days(ex, s, &mut overrides).map_err(err)?;
        }
    }
    let name = chain.first().and_then(|c| c.name.clone()).unwrap_or_else(|| format!("calendar {uid}"));
    Calendar::new(name, Week::new(days), &overrides).map_err(|e| err(e.to_string()))
}

/// The days an exception covers, as overrides.
fn exception_days(ex: &ExceptionDef, s: Shifts, out: &mut Vec<Override>) -> Result<(), String> {
    let (Some(from), Some(to)) = (ex.from, ex.to) else { return Ok(()) };
    let (first, last) = (day_of(from), day_of(to));
    if last < first {
        return Err("an exception ends before it starts".into());
    }
    if last - first > 366 * 200 {
        return Err("an exception spans more than 200 years".into());
    }
    let week = Week::uniform(s);
    let whole = |out: &mut Vec<Override>| out.push(Override { from_day: first, to_day: last, week, rank: 2 });
    let period = ex.period.unwrap_or(1).max(1);
    let matches: Box<dyn Fn(i64) -> bool> = match ex.kind.unwrap_or(1) {
        1 if period == 1 => {
            whole(out);
            return Ok(());
        }
        1 => Box::new(move |d| (d - first) % period == 0),
        6 => {
            let mask = ex.days_of_week.unwrap_or(0x7f);
            // Bit 0 is Sunday; the engine's weekday 0 is Monday.
            Box::new(move |d| mask & (1 << ((weekday(d) + 1) % 7)) != 0)
        }
        2 | 4 => {
            let (month, mday) = (ex.month, ex.month_day.unwrap_or(1));
            Box::new(move |d| {
                let Some(date) = civil(d) else { return false };
                date.day() as u8 == mday && month.is_none_or(|m| date.month() as u8 == m + 1)
            })
        }
        3 | 5 => {
            let (month, pos, mask) = (ex.month, ex.month_position.unwrap_or(0), ex.days_of_week.unwrap_or(0));
            Box::new(move |d| {
                let Some(date) = civil(d) else { return false };
                let wd_bit = 1u8 << ((weekday(d) + 1) % 7);
                if mask & wd_bit == 0 || month.is_some_and(|m| date.month() as u8 != m + 1) {
                    return false;
                }
                let nth = (date.day() as u8 - 1) / 7;
                let last_of_month = civil(d + 7).is_none_or(|n| n.month() != date.month());
                if pos >= 4 { last_of_month } else { nth == pos }
            })
        }
        _ => {
            whole(out);
            return Ok(());
        }
    };
    let mut n = 0;
    for d in first..=last {
        if matches(d) {
            out.push(Override { from_day: d, to_day: d, week, rank: 2 });
            n += 1;
            if n > 100_000 {
                return Err("an exception repeats more than 100,000 times".into());
            }
        }
    }
    Ok(())
}

fn civil(day: i64) -> Option<jiff::civil::Date> {
    tandem_sched::time::to_datetime(day * DAY).map(|dt| dt.date())
}
