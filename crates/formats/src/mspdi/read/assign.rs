//! Assigning an element's text to the record being read: the project's,
//! a task's, a link's, a calendar's, a resource's or an assignment's
//! fields, each value checked and every bad one reported with its line.

use super::*;
use crate::mspdi::values as v;

impl<'a> Parser<'a> {
    pub(super) fn assign(&mut self, ctx: Ctx, name: &str, text: &str) {
        use Ctx::*;
        match ctx {
            Project => self.assign_project(name, text),
            Calendar => {
                let uid = if name == "UID" { self.val(name, text, v::integer) } else { None };
                let is_base = if name == "IsBaseCalendar" { self.val(name, text, v::boolean) } else { None };
                let base = if name == "BaseCalendarUID" { self.val(name, text, v::integer) } else { None };
                if let Some(c) = self.calendar.as_mut() {
                    match name {
                        "UID" => c.uid = uid.unwrap_or(c.uid),
                        "Name" => c.name = Some(text.to_owned()),
                        "IsBaseCalendar" => c.is_base = is_base.unwrap_or(false),
                        "BaseCalendarUID" => c.base_uid = base,
                        _ => {}
                    }
                }
            }
            WeekDay => {
                let n = match name {
                    "DayType" => self.val(name, text, v::small),
                    _ => None,
                };
                let working = if name == "DayWorking" { self.val(name, text, v::boolean) } else { None };
                if let Some(d) = self.week_day.as_mut() {
                    match name {
                        "DayType" => d.day_type = n.unwrap_or(0),
                        "DayWorking" => d.working = working.unwrap_or(false),
                        _ => {}
                    }
                }
            }
            WorkingTime => {
                let t = if matches!(name, "FromTime" | "ToTime") { self.val(name, text, v::time_of_day) } else { None };
                match name {
                    "FromTime" => self.working_time.0 = t,
                    "ToTime" => self.working_time.1 = t,
                    _ => {}
                }
            }
            TimePeriod => {
                let d = if matches!(name, "FromDate" | "ToDate") { self.val(name, text, v::datetime) } else { None };
                match name {
                    "FromDate" => self.period.0 = d,
                    "ToDate" => self.period.1 = d,
                    _ => {}
                }
            }
            Exception => {
                let int =
                    if matches!(name, "Occurrences" | "Period") { self.val(name, text, v::integer) } else { None };
                let small =
                    if matches!(name, "Type" | "DaysOfWeek" | "Month" | "MonthDay" | "MonthPosition" | "MonthItem") {
                        self.val(name, text, v::small)
                    } else {
                        None
                    };
                let b = if name == "DayWorking" { self.val(name, text, v::boolean) } else { None };
                if let Some(e) = self.exception.as_mut() {
                    match name {
                        "Name" => e.name = Some(text.to_owned()),
                        "DayWorking" => e.working = b.unwrap_or(false),
                        "Type" => e.kind = small,
                        "Occurrences" => e.occurrences = int,
                        "Period" => e.period = int,
                        "DaysOfWeek" => e.days_of_week = small,
                        "Month" => e.month = small,
                        "MonthDay" => e.month_day = small,
                        "MonthPosition" => e.month_position = small,
                        _ => {}
                    }
                }
            }
            WorkWeek => {
                if name == "Name"
                    && let Some(w) = self.work_week.as_mut()
                {
                    w.name = Some(text.to_owned());
                }
            }
            Task => self.assign_task(name, text),
            PredecessorLink => {
                let int =
                    if matches!(name, "PredecessorUID" | "LinkLag") { self.val(name, text, v::integer) } else { None };
                let small = if matches!(name, "Type" | "LagFormat") { self.val(name, text, v::small) } else { None };
                let b = if name == "CrossProject" { self.val(name, text, v::boolean) } else { None };
                if name == "Type" && small.is_some_and(|k| k > 3) {
                    self.error("PredecessorLink/Type", format!("unknown link type {}", small.unwrap_or(0)));
                }
                if name == "LinkLag" && int.is_some_and(|l| l.abs() > v::MAX_DURATION_MINUTES * 10) {
                    self.error("PredecessorLink/LinkLag", "the lag is longer than 100 years".into());
                }
                if let Some(l) = self.link.as_mut() {
                    match name {
                        "PredecessorUID" => l.predecessor_uid = int.unwrap_or(i64::MIN),
                        "Type" => l.kind = small.filter(|k| *k <= 3).unwrap_or(1),
                        "CrossProject" => l.cross_project = b.unwrap_or(false),
                        "LinkLag" => l.lag = int.filter(|l| l.abs() <= v::MAX_DURATION_MINUTES * 10).unwrap_or(0),
                        "LagFormat" => l.lag_format = small.unwrap_or(7),
                        _ => {}
                    }
                }
            }
            Baseline => {
                let int = if name == "Number" { self.val(name, text, v::integer) } else { None };
                let d = if matches!(name, "Start" | "Finish") { self.val(name, text, v::datetime) } else { None };
                let dur = if matches!(name, "Duration" | "Work") { self.val(name, text, v::duration) } else { None };
                if let Some(b) = self.baseline.as_mut() {
                    match name {
                        "Number" => b.number = int.unwrap_or(0),
                        "Start" => b.start = d,
                        "Finish" => b.finish = d,
                        "Duration" => b.duration = dur,
                        "Work" => b.work = dur,
                        "Cost" => b.cost = Some(text.trim().to_owned()),
                        _ => {}
                    }
                }
            }
            Resource => {
                let int =
                    if matches!(name, "UID" | "ID" | "CalendarUID") { self.val(name, text, v::integer) } else { None };
                let small = if name == "Type" { self.val(name, text, v::small) } else { None };
                let dec = if name == "MaxUnits" { self.val(name, text, v::decimal) } else { None };
                let b = if name == "IsNull" { self.val(name, text, v::boolean) } else { None };
                if let Some(r) = self.resource.as_mut() {
                    match name {
                        "UID" => r.uid = int.unwrap_or(0),
                        "ID" => r.id = int,
                        "Name" => r.name = Some(text.to_owned()),
                        "Type" => r.kind = small,
                        "MaxUnits" => r.max_units = dec,
                        "StandardRate" => r.standard_rate = Some(text.trim().to_owned()),
                        "CalendarUID" => r.calendar_uid = int,
                        "IsNull" => r.is_null = b.unwrap_or(false),
                        _ => {}
                    }
                }
            }
            Assignment => {
                let int = if matches!(name, "UID" | "TaskUID" | "ResourceUID" | "Delay" | "LevelingDelay") {
                    self.val(name, text, v::integer)
                } else {
                    None
                };
                let fmt = if name == "LevelingDelayFormat" { self.val(name, text, v::small) } else { None };
                if matches!(name, "Delay" | "LevelingDelay")
                    && int.is_some_and(|d| !(0..=v::MAX_DURATION_MINUTES * 10).contains(&d))
                {
                    self.error(name, "the delay is negative or longer than 100 years".into());
                }
                let dec = if name == "Units" { self.val(name, text, v::decimal) } else { None };
                let dur = if name == "Work" { self.val(name, text, v::duration) } else { None };
                let d = if matches!(name, "Start" | "Finish") { self.val(name, text, v::datetime) } else { None };
                if let Some(a) = self.assignment.as_mut() {
                    match name {
                        "UID" => a.uid = int.unwrap_or(0),
                        "TaskUID" => a.task_uid = int.unwrap_or(i64::MIN),
                        "ResourceUID" => a.resource_uid = int.unwrap_or(i64::MIN),
                        "Units" => a.units = dec,
                        "Delay" => a.delay = int.filter(|d| (0..=v::MAX_DURATION_MINUTES * 10).contains(d)),
                        "LevelingDelay" => {
                            a.leveling_delay = int.filter(|d| (0..=v::MAX_DURATION_MINUTES * 10).contains(d))
                        }
                        "LevelingDelayFormat" => a.leveling_delay_format = fmt,
                        "Work" => a.work = dur,
                        "Start" => a.start = d,
                        "Finish" => a.finish = d,
                        _ => {}
                    }
                }
            }
            TaskAttribute => match name {
                "FieldID" => self.attribute.0 = v::integer(text).ok(),
                "Value" => self.attribute.1 = Some(text.to_owned()),
                _ => {}
            },
            // Timephased data only refines splits; a record Tandem cannot
            // read (some writers emit times like `17:-0:00`) is skipped, not
            // an error in the plan.
            Timephased => match name {
                "Start" => self.record.0 = v::datetime(text).ok(),
                "Finish" => self.record.1 = v::datetime(text).ok(),
                "Value" => self.record.2 = v::duration(text).ok(),
                "Type" => self.record.3 = v::small(text).unwrap_or(1),
                _ => {}
            },
            _ => {}
        }
    }

    fn assign_project(&mut self, name: &str, text: &str) {
        let p = &mut self.doc.project;
        match name {
            "Name" => p.name = Some(text.to_owned()),
            "Title" => p.title = Some(text.to_owned()),
            "CurrencyCode" => p.currency_code = Some(text.trim().to_owned()),
            _ => {}
        }
        match name {
            "ScheduleFromStart" => {
                if let Some(b) = self.val(name, text, v::boolean) {
                    self.doc.project.schedule_from_start = b;
                }
            }
            "StartDate" => self.doc.project.start = self.val(name, text, v::datetime),
            "FinishDate" => self.doc.project.finish = self.val(name, text, v::datetime),
            "StatusDate" => self.doc.project.status_date = self.val(name, text, v::datetime),
            "CurrentDate" => self.doc.project.current_date = self.val(name, text, v::datetime),
            "CalendarUID" => self.doc.project.calendar_uid = self.val(name, text, v::integer),
            "MinutesPerDay" => {
                if let Some(n) = self.val(name, text, v::integer).filter(|n| (1..=1440).contains(n)) {
                    self.doc.project.minutes_per_day = n;
                }
            }
            "MinutesPerWeek" => {
                if let Some(n) = self.val(name, text, v::integer).filter(|n| (1..=10080).contains(n)) {
                    self.doc.project.minutes_per_week = n;
                }
            }
            "DaysPerMonth" => {
                if let Some(n) = self.val(name, text, v::integer).filter(|n| (1..=31).contains(n)) {
                    self.doc.project.days_per_month = n;
                }
            }
            "DefaultStartTime" => {
                self.doc.project.default_start_time = self.val(name, text, v::time_of_day).map(i64::from)
            }
            "DefaultFinishTime" => {
                self.doc.project.default_finish_time = self.val(name, text, v::time_of_day).map(i64::from)
            }
            "CriticalSlackLimit" => {
                if let Some(n) = self.val(name, text, v::integer) {
                    self.doc.project.critical_slack_limit_days = n.clamp(-1000, 1000);
                }
            }
            "HonorConstraints" => self.doc.project.honor_constraints = self.val(name, text, v::boolean),
            "MultipleCriticalPaths" => {
                self.doc.project.multiple_critical_paths = self.val(name, text, v::boolean);
            }
            _ => {}
        }
    }

    fn assign_task(&mut self, name: &str, text: &str) {
        enum V {
            Int(Option<i64>),
            Small(Option<u8>),
            Bool(Option<bool>),
            Date(Option<i64>),
            Dur(Option<i64>),
            Text,
            Ignore,
        }
        let val = match name {
            "UID" | "ID" | "OutlineLevel" | "Priority" | "TotalSlack" | "FreeSlack" | "CalendarUID"
            | "PercentComplete" => V::Int(self.val(name, text, v::integer)),
            "LevelingDelay" => V::Int(self.val(name, text, v::integer)),
            "Type" | "DurationFormat" | "ConstraintType" | "LevelingDelayFormat" => {
                V::Small(self.val(name, text, v::small))
            }
            "IsNull"
            | "Active"
            | "Manual"
            | "Milestone"
            | "Summary"
            | "Critical"
            | "IgnoreResourceCalendar"
            | "Recurring"
            | "Estimated"
            | "EffortDriven"
            | "ExternalTask" => V::Bool(self.val(name, text, v::boolean)),
            "Start" | "Finish" | "CreateDate" | "EarlyStart" | "EarlyFinish" | "LateStart" | "LateFinish"
            | "ConstraintDate" | "Deadline" | "ActualStart" | "ActualFinish" | "Stop" | "Resume" | "ManualStart"
            | "ManualFinish" => V::Date(self.val(name, text, v::datetime)),
            "Duration" | "Work" | "ActualDuration" | "RemainingDuration" | "ManualDuration" => {
                V::Dur(self.val(name, text, v::duration))
            }
            "Name" | "OutlineNumber" | "WBS" | "Notes" | "FixedCost" | "Cost" | "StartText" | "FinishText"
            | "DurationText" => V::Text,
            _ => V::Ignore,
        };
        if name == "LevelingDelay"
            && let V::Int(Some(d)) = val
            && !(0..=v::MAX_DURATION_MINUTES * 10).contains(&d)
        {
            self.error(name, format!("{d} is not a delay between 0 and 100 years"));
            return;
        }
        if name == "PercentComplete"
            && let V::Int(Some(pc)) = val
            && !(0..=100).contains(&pc)
        {
            self.error(name, format!("{pc} is not a percentage"));
            return;
        }
        let Some(t) = self.task.as_mut() else { return };
        let s = || Some(text.to_owned());
        match (name, val) {
            ("UID", V::Int(Some(n))) => t.uid = n,
            ("ID", V::Int(n)) => t.id = n,
            ("OutlineLevel", V::Int(n)) => t.outline_level = n,
            ("Priority", V::Int(n)) => t.priority = n,
            ("TotalSlack", V::Int(n)) => t.total_slack = n,
            ("FreeSlack", V::Int(n)) => t.free_slack = n,
            ("CalendarUID", V::Int(n)) => t.calendar_uid = n,
            ("PercentComplete", V::Int(n)) => t.percent_complete = n,
            ("LevelingDelay", V::Int(n)) => t.leveling_delay = n,
            ("Type", V::Small(n)) => t.kind = n,
            ("DurationFormat", V::Small(n)) => t.duration_format = n,
            ("ConstraintType", V::Small(n)) => t.constraint_type = n.unwrap_or(0),
            ("LevelingDelayFormat", V::Small(n)) => t.leveling_delay_format = n,
            ("IsNull", V::Bool(b)) => t.is_null = b.unwrap_or(false),
            ("Active", V::Bool(b)) => t.active = b.unwrap_or(true),
            ("Manual", V::Bool(b)) => t.manual = b.unwrap_or(false),
            ("Milestone", V::Bool(b)) => t.milestone = b.unwrap_or(false),
            ("Summary", V::Bool(b)) => t.summary = b.unwrap_or(false),
            ("Critical", V::Bool(b)) => t.critical = b,
            ("IgnoreResourceCalendar", V::Bool(b)) => t.ignore_resource_calendar = b.unwrap_or(false),
            ("Recurring", V::Bool(b)) => t.recurring = b.unwrap_or(false),
            ("Estimated", V::Bool(b)) => t.estimated = b.unwrap_or(false),
            ("EffortDriven", V::Bool(b)) => t.effort_driven = b.unwrap_or(false),
            ("ExternalTask", V::Bool(b)) => t.external = b.unwrap_or(false),
            ("Start", V::Date(d)) => t.start = d,
            ("CreateDate", V::Date(d)) => t.created = d,
            ("Finish", V::Date(d)) => t.finish = d,
            ("EarlyStart", V::Date(d)) => t.early_start = d,
            ("EarlyFinish", V::Date(d)) => t.early_finish = d,
            ("LateStart", V::Date(d)) => t.late_start = d,
            ("LateFinish", V::Date(d)) => t.late_finish = d,
            ("ConstraintDate", V::Date(d)) => t.constraint_date = d,
            ("Deadline", V::Date(d)) => t.deadline = d,
            ("ActualStart", V::Date(d)) => t.actual_start = d,
            ("ActualFinish", V::Date(d)) => t.actual_finish = d,
            ("Stop", V::Date(d)) => t.stop = d,
            ("Resume", V::Date(d)) => t.resume = d,
            ("ManualStart", V::Date(d)) => t.manual_start = d,
            ("ManualFinish", V::Date(d)) => t.manual_finish = d,
            ("Duration", V::Dur(d)) => t.duration = d,
            ("Work", V::Dur(d)) => t.work = d,
            ("ActualDuration", V::Dur(d)) => t.actual_duration = d,
            ("RemainingDuration", V::Dur(d)) => t.remaining_duration = d,
            ("ManualDuration", V::Dur(d)) => t.manual_duration = d,
            ("Name", V::Text) => t.name = s(),
            ("OutlineNumber", V::Text) => t.outline_number = s(),
            ("WBS", V::Text) => t.wbs = s(),
            ("Notes", V::Text) => t.notes = s(),
            ("StartText", V::Text) => t.start_text = s(),
            ("FinishText", V::Text) => t.finish_text = s(),
            ("DurationText", V::Text) => t.duration_text = s(),
            ("FixedCost", V::Text) => t.fixed_cost = Some(text.trim().to_owned()),
            ("Cost", V::Text) => t.cost = Some(text.trim().to_owned()),
            _ => {}
        }
    }
}
