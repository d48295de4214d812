//! Reading a large file on several threads. The tasks section is cut at
//! `<Task>` tags into pieces; each piece is read by its own parser,
//! started in the state the piece before it must end in (inside
//! `<Project><Tasks>`, no record open), and the pieces' records are
//! joined in order. A cut anywhere but between two tasks (inside a
//! comment, a CDATA section, a name) leaves a piece failing or ending in
//! another state; then, or when any piece reports a problem, the whole file
//! goes to the one-thread reader, which gives the same document, or the
//! same error with its line.

use rayon::prelude::*;

use super::*;

/// The names of the open elements, for checking end tags in a piece.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Names {
    bytes: Vec<u8>,
    starts: Vec<usize>,
}

impl Names {
    pub(super) fn open(&mut self, name: &[u8]) {
        self.starts.push(self.bytes.len());
        self.bytes.extend_from_slice(name);
    }

    /// Closes the innermost element: false when `name` is not its name
    /// or nothing is open.
    pub(super) fn close(&mut self, name: &[u8]) -> bool {
        let Some(at) = self.starts.pop() else { return false };
        let same = self.bytes.get(at..) == Some(name);
        self.bytes.truncate(at);
        same
    }

    fn inside_tasks() -> Names {
        let mut n = Names::default();
        n.open(b"Project");
        n.open(b"Tasks");
        n
    }
}

/// The document, or `None` when the file is small or its pieces do not
/// join up (the caller then reads it on one thread).
pub(super) fn read(bytes: &[u8], limits: &Limits) -> Option<Result<Document, MspdiError>> {
    use memchr::memmem;
    let threads = rayon::current_num_threads();
    if bytes.len() < limits.parallel_from_bytes || threads < 2 {
        return None;
    }
    let open = memmem::find(bytes, b"<Tasks>")? + "<Tasks>".len();
    let close = memmem::rfind(bytes, b"</Tasks>")?;
    let body = close.checked_sub(open).filter(|&n| n > 0)?;
    // Cut before a `<`: in valid UTF-8 it starts a character, so each
    // piece is checked on its own.
    let mut cuts = vec![0];
    for k in 1..threads {
        let at = open + body * k / threads;
        let cut = at + memmem::find(bytes.get(at..close)?, b"<Task>")?;
        if cut > *cuts.last()? {
            cuts.push(cut);
        }
    }
    if cuts.len() < 2 {
        return None;
    }
    cuts.push(bytes.len());
    let last = cuts.len() - 2;
    let spans: Vec<(usize, usize, usize)> = cuts.windows(2).enumerate().map(|(k, w)| (k, w[0], w[1])).collect();
    let parsed: Vec<Option<Parser<'_>>> = spans
        .into_par_iter()
        .map(|(k, from, to)| piece(std::str::from_utf8(bytes.get(from..to)?).ok()?, k, last, limits))
        .collect();
    let mut parsed = parsed.into_iter();
    let mut head = parsed.next()??;
    for p in parsed {
        let p = p?;
        // Project fields after the tasks would override earlier ones:
        // rare enough to leave to the one-thread reader.
        if p.project_fields > 0 {
            return None;
        }
        let doc = &mut head.doc;
        doc.calendars.extend(p.doc.calendars);
        doc.tasks.extend(p.doc.tasks);
        doc.resources.extend(p.doc.resources);
        doc.assignments.extend(p.doc.assignments);
        head.links += p.links;
        head.exceptions += p.exceptions;
    }
    let d = &head.doc;
    let within = d.tasks.len() <= limits.max_tasks
        && head.links <= limits.max_links
        && d.calendars.len() <= limits.max_calendars
        && head.exceptions <= limits.max_exceptions
        && d.resources.len() <= limits.max_resources
        && d.assignments.len() <= limits.max_assignments;
    within.then(|| head.finish())
}

/// Reads piece `k` of `last + 1`, or `None` when it fails or does not end
/// where the next piece starts.
fn piece<'a>(src: &'a str, k: usize, last: usize, limits: &Limits) -> Option<Parser<'a>> {
    let mut p = Parser::new(src, *limits);
    let cfg = p.reader.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    p.piece = k != last;
    if k == 0 {
        p.names = Some(Names::default());
    } else {
        p.names = Some(Names::inside_tasks());
        p.stack = vec![Ctx::Doc, Ctx::Project, Ctx::Tasks];
        p.saw_project = true;
    }
    p.run().ok()?;
    if !p.errors.is_empty() {
        return None;
    }
    let inside_tasks = p.stack == [Ctx::Doc, Ctx::Project, Ctx::Tasks]
        && p.task.is_none()
        && p.names.as_ref() == Some(&Names::inside_tasks());
    (k == last || inside_tasks).then_some(p)
}
