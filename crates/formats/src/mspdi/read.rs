//! A streaming MSPDI reader: one pass over the events of quick-xml, no DOM,
//! no DTD, no entity expansion beyond XML's five and character references.
//! Sizes, nesting and counts are bounded; every error says where.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::model::*;
use super::values as v;

/// Bounds on what a file may contain.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_tasks: usize,
    pub max_links: usize,
    pub max_calendars: usize,
    pub max_exceptions: usize,
    pub max_resources: usize,
    pub max_assignments: usize,
    pub max_text_bytes: usize,
    pub max_outline_level: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1024 * 1024 * 1024,
            max_depth: 64,
            max_tasks: 2_000_000,
            max_links: 10_000_000,
            max_calendars: 10_000,
            max_exceptions: 100_000,
            max_resources: 1_000_000,
            max_assignments: 10_000_000,
            max_text_bytes: 1024 * 1024,
            max_outline_level: 100,
        }
    }
}

/// One unacceptable value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub line: usize,
    pub task_uid: Option<i64>,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, ", self.line)?;
        }
        if let Some(uid) = self.task_uid {
            write!(f, "task UID {uid}, ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MspdiError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error("invalid UTF-8 at byte offset {0}")]
    NotUtf8(usize),
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("not an MS Project XML file: {0}")]
    NotMspdi(String),
    #[error("{}{}", .0.first().map(ToString::to_string).unwrap_or_default(), more(.0.len()))]
    Invalid(Vec<FieldError>),
    #[error("line {line}: {what}")]
    Limit { line: usize, what: String },
}

fn more(n: usize) -> String {
    match n {
        0 | 1 => String::new(),
        2 => " (and 1 more error)".to_owned(),
        _ => format!(" (and {} more errors)", n - 1),
    }
}

impl MspdiError {
    /// Every problem, one per line, for reports that show them all.
    pub fn all(&self) -> Vec<String> {
        match self {
            MspdiError::Invalid(list) => list.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        }
    }
}

/// Reads an MSPDI document with the default limits.
pub fn read(bytes: &[u8]) -> Result<Document, MspdiError> {
    read_with(bytes, &Limits::default())
}

pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<Document, MspdiError> {
    if bytes.len() > limits.max_bytes {
        return Err(MspdiError::TooLarge(limits.max_bytes));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| MspdiError::NotUtf8(e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser::new(text, *limits);
    p.run()?;
    p.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Doc,
    Project,
    Calendars,
    Calendar,
    WeekDays,
    WeekDay,
    WorkingTimes,
    WorkingTime,
    TimePeriod,
    Exceptions,
    Exception,
    WorkWeeks,
    WorkWeek,
    Tasks,
    Task,
    PredecessorLink,
    Baseline,
    Resources,
    Resource,
    Assignments,
    Assignment,
    Timephased,
    TaskAttribute,
    Field,
    Skip,
}

impl Ctx {
    fn is_record(self) -> bool {
        use Ctx::*;
        matches!(
            self,
            Project
                | Calendar
                | WeekDay
                | WorkingTime
                | TimePeriod
                | Exception
                | WorkWeek
                | Task
                | PredecessorLink
                | Baseline
                | Resource
                | Assignment
                | Timephased
                | TaskAttribute
        )
    }
}

const MAX_ERRORS: usize = 100;

struct Parser<'a> {
    src: &'a str,
    reader: Reader<&'a [u8]>,
    limits: Limits,
    stack: Vec<Ctx>,
    field: String,
    text: String,
    doc: Document,
    saw_project: bool,
    namespace_ok: bool,
    calendar: Option<CalendarDef>,
    week_day: Option<WeekDayDef>,
    working_time: (Option<u16>, Option<u16>),
    exception: Option<ExceptionDef>,
    work_week: Option<WorkWeekDef>,
    period: (Option<i64>, Option<i64>),
    task: Option<TaskDef>,
    link: Option<LinkDef>,
    baseline: Option<BaselineDef>,
    resource: Option<ResourceDef>,
    assignment: Option<AssignmentDef>,
    /// The timephased record being read: start, finish, work, type.
    record: (Option<i64>, Option<i64>, Option<i64>, u8),
    /// The current assignment's records, kept if it turns out to be split.
    records: Vec<(u8, i64, i64, Option<i64>)>,
    /// The task extended attribute being read: field id, value.
    attribute: (Option<i64>, Option<String>),
    /// Zero-work records since the last record with work.
    pending_splits: Vec<(i64, i64)>,
    seen_work: bool,
    errors: Vec<FieldError>,
    links: usize,
    exceptions: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, limits: Limits) -> Parser<'a> {
        let mut reader = Reader::from_str(src);
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.check_end_names = true;
        Parser {
            src,
            reader,
            limits,
            stack: vec![Ctx::Doc],
            field: String::new(),
            text: String::new(),
            doc: Document::default(),
            saw_project: false,
            namespace_ok: false,
            calendar: None,
            week_day: None,
            working_time: (None, None),
            exception: None,
            work_week: None,
            period: (None, None),
            task: None,
            link: None,
            baseline: None,
            resource: None,
            assignment: None,
            record: (None, None, None, 1),
            records: Vec::new(),
            attribute: (None, None),
            pending_splits: Vec::new(),
            seen_work: false,
            errors: Vec::new(),
            links: 0,
            exceptions: 0,
        }
    }

    fn line(&self) -> usize {
        let pos = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX).min(self.src.len());
        self.src.as_bytes()[..pos].iter().filter(|&&b| b == b'\n').count() + 1
    }

    fn syntax(&self, message: impl Into<String>) -> MspdiError {
        MspdiError::Syntax { line: self.line(), message: message.into() }
    }

    fn limit(&self, what: impl Into<String>) -> MspdiError {
        MspdiError::Limit { line: self.line(), what: what.into() }
    }

    fn top(&self) -> Ctx {
        self.stack.last().copied().unwrap_or(Ctx::Doc)
    }

    fn parent(&self) -> Ctx {
        self.stack.len().checked_sub(2).and_then(|i| self.stack.get(i)).copied().unwrap_or(Ctx::Doc)
    }

    fn run(&mut self) -> Result<(), MspdiError> {
        loop {
            let event = self.reader.read_event().map_err(|e| self.syntax(e.to_string()))?;
            match event {
                Event::Start(e) => self.start(&e)?,
                Event::Empty(e) => {
                    self.start(&e)?;
                    self.end()?;
                }
                Event::End(_) => self.end()?,
                Event::Text(t) => {
                    if self.top() == Ctx::Field {
                        let s = std::str::from_utf8(&t).map_err(|_| self.syntax("invalid UTF-8 in text"))?;
                        self.push_text(s)?;
                    } else if self.top() != Ctx::Skip
                        && !t.iter().all(u8::is_ascii_whitespace)
                        && self.top() != Ctx::Doc
                    {
                        // Mixed content outside a field is ignored, like unknown elements.
                    }
                }
                Event::CData(t) => {
                    if self.top() == Ctx::Field {
                        let s = std::str::from_utf8(&t).map_err(|_| self.syntax("invalid UTF-8 in CDATA"))?;
                        self.push_text(s)?;
                    }
                }
                Event::GeneralRef(r) => {
                    let c = if r.is_char_ref() {
                        r.resolve_char_ref().map_err(|e| self.syntax(e.to_string()))?
                    } else {
                        match &*r {
                            b"amp" => Some('&'),
                            b"lt" => Some('<'),
                            b"gt" => Some('>'),
                            b"quot" => Some('"'),
                            b"apos" => Some('\''),
                            other => {
                                let name = String::from_utf8_lossy(other).chars().take(40).collect::<String>();
                                return Err(self.syntax(format!("unknown entity &{name}; (entities are not expanded)")));
                            }
                        }
                    };
                    if let (Some(c), Ctx::Field) = (c, self.top()) {
                        let mut b = [0u8; 4];
                        let s: &str = c.encode_utf8(&mut b);
                        self.push_text(s)?;
                    }
                }
                Event::DocType(_) => {
                    return Err(self.syntax("a DOCTYPE is not allowed (no DTDs or external entities)"));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => {
                    if self.stack.len() > 1 {
                        return Err(self.syntax("the file ends before the XML is complete (truncated?)"));
                    }
                    return Ok(());
                }
            }
        }
    }

    fn push_text(&mut self, s: &str) -> Result<(), MspdiError> {
        if self.text.len() + s.len() > self.limits.max_text_bytes {
            return Err(
                self.limit(format!("element {} holds more than {} bytes", self.field, self.limits.max_text_bytes))
            );
        }
        self.text.push_str(s);
        Ok(())
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), MspdiError> {
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
                self.task = Some(TaskDef::default());
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

    fn end(&mut self) -> Result<(), MspdiError> {
        let Some(ctx) = self.stack.pop() else { return Err(self.syntax("unbalanced end tag")) };
        use Ctx::*;
        match ctx {
            Field => {
                let parent = self.top();
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

    /// Whether the WeekDays being closed belongs to a WorkWeek.
    fn parent_of_weekdays(&self) -> bool {
        self.top() == Ctx::WeekDays && self.parent() == Ctx::WorkWeek
    }

    fn error(&mut self, field: &str, message: String) {
        if self.errors.len() < MAX_ERRORS {
            let line = self.line();
            let task_uid = self.task.as_ref().map(|t| t.uid);
            self.errors.push(FieldError { line, task_uid, field: field.to_owned(), message });
        }
    }

    /// Parses `text` with `f`, recording an error against `field` on failure.
    fn val<T>(&mut self, field: &str, text: &str, f: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        if text.trim().is_empty() {
            return None;
        }
        match f(text) {
            Ok(x) => Some(x),
            Err(m) => {
                self.error(field, m);
                None
            }
        }
    }

    fn assign(&mut self, ctx: Ctx, name: &str, text: &str) {
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
            "Name" | "OutlineNumber" | "WBS" | "Notes" | "FixedCost" | "Cost" => V::Text,
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
            ("FixedCost", V::Text) => t.fixed_cost = Some(text.trim().to_owned()),
            ("Cost", V::Text) => t.cost = Some(text.trim().to_owned()),
            _ => {}
        }
    }

    fn finish(self) -> Result<Document, MspdiError> {
        if !self.saw_project {
            return Err(MspdiError::NotMspdi("there is no <Project> element".into()));
        }
        if !self.errors.is_empty() {
            return Err(MspdiError::Invalid(self.errors));
        }
        let mut doc = self.doc;
        doc.tasks.retain(|t| !t.is_null);
        if doc.tasks.is_empty() {
            let why = if self.namespace_ok {
                "it has no tasks: nothing to schedule"
            } else {
                "it has no tasks and not the MSPDI namespace http://schemas.microsoft.com/project"
            };
            return Err(MspdiError::NotMspdi(why.into()));
        }
        let mut seen = std::collections::HashSet::with_capacity(doc.tasks.len());
        for t in &doc.tasks {
            if !seen.insert(t.uid) {
                return Err(MspdiError::Invalid(vec![FieldError {
                    line: 0,
                    task_uid: Some(t.uid),
                    field: "UID".into(),
                    message: format!("duplicate task UID {}", t.uid),
                }]));
            }
        }
        Ok(doc)
    }
}
