//! Opening and closing elements: where in the document the reader is, and
//! the records each element starts and completes.

use super::*;
use crate::mspdi::values as v;
use quick_xml::events::BytesStart;

impl<'a> Parser<'a> {
    pub(super) fn start(&mut self, e: &BytesStart<'_>) -> Result<(), MspdiError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.limit(format!("elements nest deeper than {}", self.limits.max_depth)));
        }
        let local = e.local_name();
        let name = std::str::from_utf8(local.as_ref()).map_err(|_| self.syntax("invalid element name"))?;
        let top = self.top();
        use Ctx::*;
        let next = match (top, name) {
            (Doc, "Project") => {
                if self.saw_project {
                    return Err(self.syntax("more than one Project element"));
                }
                self.saw_project = true;
                self.namespace_ok = e
                    .attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == b"xmlns" && &*a.value == b"http://schemas.microsoft.com/project");
                Project
            }
            (Doc, other) => {
                return Err(MspdiError::NotMspdi(format!(
                    "the root element is <{}>, not <Project>",
                    other.chars().take(40).collect::<String>()
                )));
            }
            (Project, "Calendars") => Calendars,
            (Calendars, "Calendar") => {
                if self.doc.calendars.len() >= self.limits.max_calendars {
                    return Err(self.limit(format!("more than {} calendars", self.limits.max_calendars)));
                }
                self.calendar = Some(CalendarDef::default());
                Calendar
            }
            (Calendar | WorkWeek, "WeekDays") => WeekDays,
            (WeekDays, "WeekDay") => {
                self.week_day = Some(WeekDayDef::default());
                WeekDay
            }
            (WeekDay | Exception, "WorkingTimes") => WorkingTimes,
            (WorkingTimes, "WorkingTime") => {
                self.working_time = (None, None);
                WorkingTime
            }
            (WeekDay | Exception | WorkWeek, "TimePeriod") => {
                self.period = (None, None);
                TimePeriod
            }
            (Calendar, "Exceptions") => Exceptions,
            (Exceptions, "Exception") => {
                self.exceptions += 1;
                if self.exceptions > self.limits.max_exceptions {
                    return Err(self.limit(format!("more than {} calendar exceptions", self.limits.max_exceptions)));
                }
                self.exception = Some(ExceptionDef::default());
                Exception
            }
            (Calendar, "WorkWeeks") => WorkWeeks,
            (WorkWeeks, "WorkWeek") => {
                self.work_week = Some(WorkWeekDef::default());
                WorkWeek
            }
            (Project, "Tasks") => Tasks,
            (Tasks, "Task") => {
                if self.doc.tasks.len() >= self.limits.max_tasks {
                    return Err(self.limit(format!("more than {} tasks", self.limits.max_tasks)));
                }
                self.task = Some(Box::default());
                Task
            }
            (Task, "PredecessorLink") => {
                self.links += 1;
                if self.links > self.limits.max_links {
                    return Err(self.limit(format!("more than {} links", self.limits.max_links)));
                }
                self.link = Some(LinkDef { kind: 1, lag_format: 7, ..LinkDef::default() });
                PredecessorLink
            }
            (Task, "ExtendedAttribute") => {
                self.attribute = (None, None);
                TaskAttribute
            }
            (Task, "Baseline") => {
                self.baseline = Some(BaselineDef::default());
                Baseline
            }
            (Project, "Resources") => Resources,
            (Resources, "Resource") => {
                if self.doc.resources.len() >= self.limits.max_resources {
                    return Err(self.limit(format!("more than {} resources", self.limits.max_resources)));
                }
                self.resource = Some(ResourceDef::default());
                Resource
            }
            (Project, "Assignments") => Assignments,
            (Assignments, "Assignment") => {
                if self.doc.assignments.len() >= self.limits.max_assignments {
                    return Err(self.limit(format!("more than {} assignments", self.limits.max_assignments)));
                }
                self.assignment = Some(AssignmentDef::default());
                self.pending_splits.clear();
                self.records.clear();
                self.seen_work = false;
                Assignment
            }
            (Assignment, "TimephasedData") => {
                self.record = (None, None, None, 1);
                Timephased
            }
            (t, "ExtendedAttribute" | "TimephasedData" | "OutlineCode") if t.is_record() => Skip,
            (t, field) if t.is_record() => {
                self.field.clear();
                self.field.push_str(field);
                self.text.clear();
                Field
            }
            (Field, _) => {
                // A "field" with children is a structure Tandem does not read.
                if let Some(last) = self.stack.last_mut() {
                    *last = Skip;
                }
                Skip
            }
            _ => Skip,
        };
        self.stack.push(next);
        Ok(())
    }

    pub(super) fn end(&mut self) -> Result<(), MspdiError> {
        let Some(ctx) = self.stack.pop() else { return Err(self.syntax("unbalanced end tag")) };
        use Ctx::*;
        match ctx {
            Field => {
                let parent = self.top();
                if parent == Project {
                    self.project_fields += 1;
                }
                let name = std::mem::take(&mut self.field);
                let text = std::mem::take(&mut self.text);
                self.assign(parent, &name, &text);
                self.field = name;
            }
            Calendar => {
                if let Some(c) = self.calendar.take() {
                    self.doc.calendars.push(c);
                }
            }
            WeekDay => {
                if let Some(d) = self.week_day.take() {
                    let in_work_week = self.parent_of_weekdays();
                    match (&mut self.work_week, in_work_week) {
                        (Some(w), true) => w.week_days.push(d),
                        _ => {
                            if let Some(c) = self.calendar.as_mut() {
                                c.week_days.push(d);
                            }
                        }
                    }
                }
            }
            WorkingTime => {
                // 00:00–00:00 is the whole day (MS Project's 24 Hours
                // calendar); any other empty period is no working time.
                if let (Some(f), Some(t)) = self.working_time
                    && (f != t || f == 0)
                {
                    // An empty period (08:00–08:00) is no working time.
                    if f < t || t == 0 {
                        let t = if t == 0 { 1440 } else { t };
                        let target = if self.top() == WorkingTimes && self.parent() == Exception {
                            self.exception.as_mut().map(|e| &mut e.times)
                        } else {
                            self.week_day.as_mut().map(|d| &mut d.times)
                        };
                        if let Some(times) = target {
                            times.push((f, t));
                        }
                    } else {
                        self.error("WorkingTime", format!("ends ({t}) before it starts ({f})"));
                    }
                }
            }
            TimePeriod => {
                let (from, to) = self.period;
                match self.top() {
                    WeekDay => {
                        if let (Some(d), Some(f), Some(t)) = (self.week_day.as_mut(), from, to) {
                            d.period = Some((f, t));
                        }
                    }
                    Exception => {
                        if let Some(e) = self.exception.as_mut() {
                            e.from = from;
                            e.to = to;
                        }
                    }
                    WorkWeek => {
                        if let Some(w) = self.work_week.as_mut() {
                            w.from = from;
                            w.to = to;
                        }
                    }
                    _ => {}
                }
            }
            Exception => {
                if let (Some(e), Some(c)) = (self.exception.take(), self.calendar.as_mut()) {
                    c.exceptions.push(e);
                }
            }
            WorkWeek => {
                if let (Some(w), Some(c)) = (self.work_week.take(), self.calendar.as_mut()) {
                    c.work_weeks.push(w);
                }
            }
            Task => {
                if let Some(t) = self.task.take() {
                    self.doc.tasks.push(t);
                }
            }
            PredecessorLink => {
                if let (Some(l), Some(t)) = (self.link.take(), self.task.as_mut()) {
                    t.predecessors.push(l);
                }
            }
            Baseline => {
                if let (Some(b), Some(t)) = (self.baseline.take(), self.task.as_mut()) {
                    t.baselines.push(b);
                }
            }
            Resource => {
                if let Some(r) = self.resource.take() {
                    self.doc.resources.push(r);
                }
            }
            Assignment => {
                if let Some(mut a) = self.assignment.take() {
                    if !a.splits.is_empty() {
                        a.timephased = std::mem::take(&mut self.records);
                    }
                    self.doc.assignments.push(a);
                }
            }
            TaskAttribute => {
                // Duration1–3 hold MS Project's PERT estimates.
                let slot = self.attribute.0.and_then(|id| PERT_FIELDS.iter().position(|&f| f == id));
                if let (Some(slot), Some(text)) = (slot, self.attribute.1.take())
                    && let Some(minutes) = self.val("ExtendedAttribute/Value", &text, v::duration)
                    && let Some(t) = self.task.as_mut()
                {
                    t.estimate[slot] = Some(minutes);
                }
            }
            Timephased => {
                if let (Some(start), Some(finish)) = (self.record.0, self.record.1)
                    && self.records.len() < 100_000
                {
                    self.records.push((self.record.3, start, finish, self.record.2));
                }
                // A record without work between records with work is a
                // split; records without a value are non-working time.
                if let (Some(start), Some(finish), Some(work), _) = self.record {
                    if work > 0 {
                        if self.seen_work
                            && let Some(a) = self.assignment.as_mut()
                        {
                            a.splits.append(&mut self.pending_splits);
                        }
                        self.pending_splits.clear();
                        self.seen_work = true;
                    } else if self.seen_work && self.pending_splits.len() < 100_000 {
                        self.pending_splits.push((start, finish));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
