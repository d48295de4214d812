//! Writes a [`Document`] as MSPDI, elements in the order of the published
//! schema so that MS Project opens the file.

use std::fmt::Display;

use tandem_sched::{Minute, time};

use super::model::*;
use super::values::format_duration;

/// An indented XML writer for MSPDI's element-only content.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push('\t');
        }
    }
    fn open(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(">\n");
        self.depth += 1;
    }
    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }
    fn leaf(&mut self, name: &str, value: impl Display) {
        self.indent();
        let text = value.to_string();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&quick_xml::escape::escape(text.as_str()));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }
    fn opt(&mut self, name: &str, value: Option<impl Display>) {
        if let Some(v) = value {
            self.leaf(name, v);
        }
    }
    fn date(&mut self, name: &str, value: Option<Minute>) {
        self.opt(name, value.map(time::format));
    }
    fn dur(&mut self, name: &str, value: Option<i64>) {
        self.opt(name, value.map(format_duration));
    }
    fn flag(&mut self, name: &str, value: bool) {
        self.leaf(name, u8::from(value));
    }
    fn clock(&mut self, name: &str, minutes: u16) {
        let m = if minutes >= 1440 { 0 } else { minutes };
        self.leaf(name, format!("{:02}:{:02}:00", m / 60, m % 60));
    }
}

/// The document as MSPDI XML.
pub fn write(doc: &Document) -> String {
    let mut x = Xml { out: String::with_capacity(1024 + doc.tasks.len() * 1024), depth: 0 };
    x.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    x.out.push_str("<Project xmlns=\"http://schemas.microsoft.com/project\">\n");
    x.depth = 1;
    let p = &doc.project;
    x.leaf("SaveVersion", 14);
    x.opt("Name", p.name.as_deref());
    x.opt("Title", p.title.as_deref());
    x.flag("ScheduleFromStart", p.schedule_from_start);
    x.date("StartDate", p.start);
    x.date("FinishDate", p.finish);
    x.leaf("CriticalSlackLimit", p.critical_slack_limit_days);
    x.opt("CurrencyCode", p.currency_code.as_deref());
    x.opt("CalendarUID", p.calendar_uid);
    if let Some(t) = p.default_start_time {
        x.clock("DefaultStartTime", t as u16);
    }
    if let Some(t) = p.default_finish_time {
        x.clock("DefaultFinishTime", t as u16);
    }
    x.leaf("MinutesPerDay", p.minutes_per_day);
    x.leaf("MinutesPerWeek", p.minutes_per_week);
    x.leaf("DaysPerMonth", p.days_per_month);
    if let Some(h) = p.honor_constraints {
        x.flag("HonorConstraints", h);
    }
    if let Some(m) = p.multiple_critical_paths {
        x.flag("MultipleCriticalPaths", m);
    }
    x.date("StatusDate", p.status_date);
    x.date("CurrentDate", p.current_date);

    x.open("Calendars");
    for c in &doc.calendars {
        write_calendar(&mut x, c);
    }
    x.close("Calendars");

    x.open("Tasks");
    for t in &doc.tasks {
        write_task(&mut x, t);
    }
    x.close("Tasks");

    x.open("Resources");
    for r in &doc.resources {
        x.open("Resource");
        x.leaf("UID", r.uid);
        x.opt("ID", r.id);
        x.opt("Name", r.name.as_deref());
        x.opt("Type", r.kind);
        x.flag("IsNull", r.is_null);
        x.opt("MaxUnits", r.max_units);
        x.opt("StandardRate", r.standard_rate.as_deref());
        x.opt("CalendarUID", r.calendar_uid);
        x.close("Resource");
    }
    x.close("Resources");

    x.open("Assignments");
    for a in &doc.assignments {
        x.open("Assignment");
        x.leaf("UID", a.uid);
        x.leaf("TaskUID", a.task_uid);
        x.leaf("ResourceUID", a.resource_uid);
        x.opt("Delay", a.delay);
        x.date("Finish", a.finish);
        x.opt("LevelingDelay", a.leveling_delay);
        x.opt("LevelingDelayFormat", a.leveling_delay_format);
        x.date("Start", a.start);
        x.opt("Units", a.units);
        x.dur("Work", a.work);
        for &(kind, start, finish, value) in &a.timephased {
            x.open("TimephasedData");
            x.leaf("Type", kind);
            x.leaf("UID", a.uid);
            x.date("Start", Some(start));
            x.date("Finish", Some(finish));
            x.leaf("Unit", 2);
            x.dur("Value", value);
            x.close("TimephasedData");
        }
        x.close("Assignment");
    }
    x.close("Assignments");
    x.out.push_str("</Project>\n");
    x.out
}

fn write_periods(x: &mut Xml, times: &Periods) {
    if times.is_empty() {
        return;
    }
    x.open("WorkingTimes");
    for &(f, t) in times {
        x.open("WorkingTime");
        x.clock("FromTime", f);
        x.clock("ToTime", t);
        x.close("WorkingTime");
    }
    x.close("WorkingTimes");
}

fn write_period(x: &mut Xml, from: Option<Minute>, to: Option<Minute>) {
    if from.is_some() || to.is_some() {
        x.open("TimePeriod");
        x.date("FromDate", from);
        x.date("ToDate", to);
        x.close("TimePeriod");
    }
}

fn write_week_days(x: &mut Xml, days: &[WeekDayDef]) {
    if days.is_empty() {
        return;
    }
    x.open("WeekDays");
    for d in days {
        x.open("WeekDay");
        x.leaf("DayType", d.day_type);
        x.flag("DayWorking", d.working);
        if let Some((f, t)) = d.period {
            write_period(x, Some(f), Some(t));
        }
        write_periods(x, &d.times);
        x.close("WeekDay");
    }
    x.close("WeekDays");
}

fn write_calendar(x: &mut Xml, c: &CalendarDef) {
    x.open("Calendar");
    x.leaf("UID", c.uid);
    x.opt("Name", c.name.as_deref());
    x.flag("IsBaseCalendar", c.is_base);
    x.leaf("BaseCalendarUID", c.base_uid.unwrap_or(-1));
    write_week_days(x, &c.week_days);
    if !c.exceptions.is_empty() {
        x.open("Exceptions");
        for e in &c.exceptions {
            x.open("Exception");
            write_period(x, e.from, e.to);
            x.opt("Occurrences", e.occurrences);
            x.opt("Name", e.name.as_deref());
            x.opt("Type", e.kind);
            x.opt("Period", e.period);
            x.opt("DaysOfWeek", e.days_of_week);
            x.opt("MonthPosition", e.month_position);
            x.opt("Month", e.month);
            x.opt("MonthDay", e.month_day);
            x.flag("DayWorking", e.working);
            write_periods(x, &e.times);
            x.close("Exception");
        }
        x.close("Exceptions");
    }
    if !c.work_weeks.is_empty() {
        x.open("WorkWeeks");
        for w in &c.work_weeks {
            x.open("WorkWeek");
            write_period(x, w.from, w.to);
            x.opt("Name", w.name.as_deref());
            write_week_days(x, &w.week_days);
            x.close("WorkWeek");
        }
        x.close("WorkWeeks");
    }
    x.close("Calendar");
}

fn write_task(x: &mut Xml, t: &TaskDef) {
    x.open("Task");
    x.leaf("UID", t.uid);
    x.opt("ID", t.id);
    x.opt("Name", t.name.as_deref());
    x.flag("Active", t.active);
    x.flag("Manual", t.manual);
    x.opt("Type", t.kind);
    x.flag("IsNull", t.is_null);
    x.date("CreateDate", t.created);
    x.opt("WBS", t.wbs.as_deref());
    x.opt("OutlineNumber", t.outline_number.as_deref());
    x.opt("OutlineLevel", t.outline_level);
    x.opt("Priority", t.priority);
    x.opt("StartText", t.start_text.as_deref());
    x.opt("FinishText", t.finish_text.as_deref());
    x.opt("DurationText", t.duration_text.as_deref());
    x.date("Start", t.start);
    x.date("Finish", t.finish);
    x.dur("Duration", t.duration);
    x.date("ManualStart", t.manual_start);
    x.date("ManualFinish", t.manual_finish);
    x.dur("ManualDuration", t.manual_duration);
    x.opt("DurationFormat", t.duration_format);
    x.dur("Work", t.work);
    x.date("Stop", t.stop);
    x.date("Resume", t.resume);
    x.flag("EffortDriven", t.effort_driven);
    x.flag("Recurring", t.recurring);
    x.flag("Estimated", t.estimated);
    x.flag("Milestone", t.milestone);
    x.flag("Summary", t.summary);
    x.opt("Critical", t.critical.map(u8::from));
    x.flag("ExternalTask", t.external);
    x.date("EarlyStart", t.early_start);
    x.date("EarlyFinish", t.early_finish);
    x.date("LateStart", t.late_start);
    x.date("LateFinish", t.late_finish);
    x.opt("FreeSlack", t.free_slack);
    x.opt("TotalSlack", t.total_slack);
    x.opt("FixedCost", t.fixed_cost.as_deref());
    x.opt("PercentComplete", t.percent_complete);
    x.opt("Cost", t.cost.as_deref());
    x.date("ActualStart", t.actual_start);
    x.date("ActualFinish", t.actual_finish);
    x.dur("ActualDuration", t.actual_duration);
    x.dur("RemainingDuration", t.remaining_duration);
    x.leaf("ConstraintType", t.constraint_type);
    x.leaf("CalendarUID", t.calendar_uid.unwrap_or(-1));
    x.date("ConstraintDate", t.constraint_date);
    x.date("Deadline", t.deadline);
    x.opt("LevelingDelay", t.leveling_delay);
    x.opt("LevelingDelayFormat", t.leveling_delay_format);
    x.flag("IgnoreResourceCalendar", t.ignore_resource_calendar);
    x.opt("Notes", t.notes.as_deref());
    for l in &t.predecessors {
        x.open("PredecessorLink");
        x.leaf("PredecessorUID", l.predecessor_uid);
        x.leaf("Type", l.kind);
        x.flag("CrossProject", l.cross_project);
        x.leaf("LinkLag", l.lag);
        x.leaf("LagFormat", l.lag_format);
        x.close("PredecessorLink");
    }
    for (field, value) in PERT_FIELDS.into_iter().zip(t.estimate) {
        if let Some(v) = value {
            x.open("ExtendedAttribute");
            x.leaf("FieldID", field);
            x.leaf("Value", format_duration(v));
            x.close("ExtendedAttribute");
        }
    }
    for b in &t.baselines {
        x.open("Baseline");
        x.leaf("Number", b.number);
        x.date("Start", b.start);
        x.date("Finish", b.finish);
        x.dur("Duration", b.duration);
        x.dur("Work", b.work);
        x.opt("Cost", b.cost.as_deref());
        x.close("Baseline");
    }
    x.close("Task");
}
