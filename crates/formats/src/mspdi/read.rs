//! A streaming MSPDI reader: one pass over the events of quick-xml, no DOM,
//! no DTD, no entity expansion beyond XML's five and character references.
//! Sizes, nesting and counts are bounded; every error says where.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::model::*;

mod assign;
mod elements;
mod pieces;

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
    /// Files at least this large are read on several threads.
    pub parallel_from_bytes: usize,
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
            parallel_from_bytes: 256 << 10,
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
    // A large file's pieces check their own UTF-8 on their threads.
    if let Some(doc) = pieces::read(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes), limits) {
        return doc;
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
    task: Option<Box<TaskDef>>,
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
    /// Reading one piece of a file (see `pieces`): the end may come
    /// inside elements, and end tags are checked against `names` rather
    /// than by quick-xml, since a piece may close what an earlier one
    /// opened.
    piece: bool,
    names: Option<pieces::Names>,
    /// Fields read directly under `<Project>`.
    project_fields: usize,
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
            piece: false,
            names: None,
            project_fields: 0,
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
                Event::Start(e) => {
                    if let Some(names) = self.names.as_mut() {
                        names.open(e.name().as_ref());
                    }
                    self.start(&e)?;
                }
                Event::Empty(e) => {
                    self.start(&e)?;
                    self.end()?;
                }
                Event::End(e) => {
                    if let Some(names) = self.names.as_mut()
                        && !names.close(e.name().as_ref())
                    {
                        return Err(self.syntax("an end tag does not match its start tag"));
                    }
                    self.end()?;
                }
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
                    if self.stack.len() > 1 && !self.piece {
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
