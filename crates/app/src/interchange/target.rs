//! The project a Jira or Trello export goes into, and what every such
//! import shares: names made fit, people as resources, parents before
//! their children.

use std::collections::HashMap;

use tandem_core::Id;
use tandem_core::project::{LocalTime, Task, WorkCalendar};
use tandem_core::tracking::ResourceKind;
use tandem_core::validate::MAX_NAME_CHARS;
use tandem_store::resources::ResourceEdit;
use tandem_store::tasks::{ImportLink, ImportTask, PlanImport, TaskEdit};

/// The project a board or issue export goes into: it keeps its start and
/// calendar (those files carry neither); its workspace's task fields and
/// members take a file's own fields by name.
#[derive(Debug, Clone)]
pub struct Target {
    pub project: Id,
    pub start: LocalTime,
    pub calendar: WorkCalendar,
    pub fields: Vec<tandem_core::custom::CustomField>,
    pub members: Vec<tandem_core::model::Member>,
}

impl Target {
    pub(super) fn plan(
        self,
        resources: Vec<ResourceEdit>,
        tasks: Vec<ImportTask>,
        links: Vec<ImportLink>,
    ) -> PlanImport {
        PlanImport { start: self.start, calendar: self.calendar, calendars: Vec::new(), resources, tasks, links }
    }

    /// A new task of the target project: `name` cleaned (else `fallback`).
    pub(super) fn task(&self, name: &str, fallback: String, minutes: i64) -> TaskEdit {
        TaskEdit::of(&Task::blank(self.project, Id(0), &name_of(name, fallback), minutes))
    }

    #[cfg(test)]
    pub(super) fn for_tests() -> Target {
        let start = LocalTime(jiff::civil::datetime(2027, 1, 4, 8, 0, 0, 0));
        Target { project: Id(1), start, calendar: WorkCalendar::standard(), fields: Vec::new(), members: Vec::new() }
    }
}

/// A due date as a deadline: the end of the standard working day.
pub(super) fn deadline_on(d: jiff::civil::Date) -> LocalTime {
    LocalTime(d.to_datetime(jiff::civil::time(17, 0, 0, 0)))
}

/// People named in a file, as work resources (matched by name in the
/// workspace when stored), each once.
#[derive(Debug, Default)]
pub(super) struct People {
    pub(super) list: Vec<ResourceEdit>,
    index: HashMap<String, usize>,
}

impl People {
    pub(super) fn add(&mut self, name: &str) -> usize {
        let name = name_of(name, "Someone".into());
        if let Some(&i) = self.index.get(&name) {
            return i;
        }
        self.list.push(ResourceEdit {
            name: name.clone(),
            user_id: None,
            kind: ResourceKind::Work,
            max_units: 100,
            rate_minor: 0,
            calendar: None,
        });
        self.index.insert(name, self.list.len() - 1);
        self.list.len() - 1
    }
}

/// The order to store tasks in so each parent comes before its children:
/// depth first, roots and siblings in file order. `Err(i)` names a task
/// whose parents lead back to it.
pub(super) fn task_order(parents: &[Option<usize>]) -> Result<Vec<usize>, usize> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); parents.len()];
    let mut roots = Vec::new();
    for (i, p) in parents.iter().enumerate() {
        match p {
            Some(p) if *p < parents.len() => children[*p].push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(parents.len());
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    if order.len() < parents.len() {
        let mut placed = vec![false; parents.len()];
        for &i in &order {
            placed[i] = true;
        }
        return Err(placed.iter().position(|p| !p).unwrap_or(0));
    }
    Ok(order)
}

/// A name as Tandem keeps it: `raw` on one line without control
/// characters, cut to the longest name (else `fallback`).
pub(crate) fn name_of(raw: &str, fallback: String) -> String {
    let one = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let t: String = one.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    if t.is_empty() { fallback } else { t }
}
