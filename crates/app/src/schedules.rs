//! One computed schedule per plan revision, shared by every reader: the
//! schedule API, the Gantt chart, task pages, EVM, dashboards, forecasts,
//! exports, a change request's impact base and the portfolio. A reader
//! after a plan write computes it once (one computation per project at a
//! time); every other reader of that revision takes the same [`Computed`].
//! The revision is the database's (kept by triggers with every plan
//! write), so a computed schedule is never stale and two server processes
//! on one database never disagree.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use tandem_core::Id;
use tandem_core::project::LocalTime;
use tandem_core::tracking::Resource;
use tandem_sched::Schedule;

use crate::App;
use crate::error::AppError;
use crate::plan::{Plan, ScheduleView};

/// What a cached schedule was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub project: Id,
    pub revision: i64,
    /// A status date asked for in the request, not the project's own.
    pub status_date: Option<LocalTime>,
}

/// Bounded in entries and (estimated) bytes; the oldest entry goes first.
#[derive(Debug)]
pub struct ScheduleCache {
    inner: Mutex<Inner>,
    max_entries: usize,
    max_bytes: usize,
    /// One computation at a time per stripe of projects, so fifty readers
    /// arriving after a plan write compute the new schedule once, not
    /// fifty times.
    computing: [tokio::sync::Mutex<()>; STRIPES],
}

const STRIPES: usize = 16;

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Key, Arc<Computed>>,
    order: VecDeque<Key>,
    bytes: usize,
}

impl Default for ScheduleCache {
    fn default() -> Self {
        ScheduleCache::new(64, 256 * 1024 * 1024)
    }
}

impl ScheduleCache {
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        ScheduleCache {
            inner: Mutex::new(Inner::default()),
            max_entries,
            max_bytes,
            computing: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
        }
    }

    /// Held while computing a project's schedule; whoever waited for it
    /// looks in the cache again first.
    pub async fn computing(&self, project: Id) -> tokio::sync::MutexGuard<'_, ()> {
        self.computing[project.0.rem_euclid(STRIPES as i64) as usize].lock().await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map stays consistent even if a holder panicked: every change
        // to it is a single insert or remove.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Computed>> {
        self.lock().entries.get(key).cloned()
    }

    /// Keeps `c` under `key`, dropping the oldest entries to stay within
    /// bounds; older revisions of the same project go at once.
    pub fn put(&self, key: Key, c: Arc<Computed>) {
        let size = c.weight();
        if size > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        let stale: Vec<Key> =
            inner.order.iter().filter(|k| k.project == key.project && k.revision < key.revision).copied().collect();
        for k in stale {
            inner.remove(&k);
        }
        if inner.entries.contains_key(&key) {
            return;
        }
        while !inner.order.is_empty() && (inner.order.len() >= self.max_entries || inner.bytes + size > self.max_bytes)
        {
            if let Some(oldest) = inner.order.front().copied() {
                inner.remove(&oldest);
            }
        }
        inner.bytes += size;
        inner.order.push_back(key);
        inner.entries.insert(key, c);
    }
}

/// A plan with everything computed from it at one revision: the engine's
/// schedule, each task's cost, and the schedule as clients read it (dates,
/// slack, critical path, work, cost, progress rolled up).
#[derive(Debug)]
pub struct Computed {
    /// What it was computed from; `None` when the revision was unknown.
    pub key: Option<Key>,
    pub plan: Plan,
    pub schedule: Schedule,
    /// Per task, rolled up the WBS (`measure::task_costs`).
    pub costs: Vec<i64>,
    pub view: ScheduleView,
    /// The view as `GET /projects/{id}/schedule` sends it, made on first use.
    body: OnceLock<Body>,
}

impl Computed {
    /// Schedules and costs `plan`.
    pub fn new(plan: Plan, key: Option<Key>) -> Result<Computed, AppError> {
        let schedule = plan.schedule()?;
        let costs = crate::measure::task_costs(&plan.tasks, &crate::ops::delivery::rates(&plan.resources));
        let view = crate::plan::view_with_costs(&plan.tasks, &schedule, Some(&costs))?;
        Ok(Computed { key, plan, schedule, costs, view, body: OnceLock::new() })
    }

    pub fn resources(&self) -> &[Resource] {
        &self.plan.resources
    }

    /// The schedule's JSON and its gzip, made once per revision.
    pub fn body(&self) -> Result<&Body, AppError> {
        if let Some(b) = self.body.get() {
            return Ok(b);
        }
        let json = serde_json::to_vec(&self.view).map_err(|e| AppError::Internal(format!("schedule: {e}")))?;
        let body = Body::new(json, self.key.as_ref()).map_err(|e| AppError::Internal(format!("gzip: {e}")))?;
        Ok(self.body.get_or_init(|| body))
    }

    /// What keeping it costs, roughly: the records, the schedule's arrays,
    /// the view and the serialised body.
    fn weight(&self) -> usize {
        4096 * self.plan.tasks.len() + 256 * self.plan.deps.len() + 64 * 1024
    }
}

/// The project's plan computed at its current revision, shared with every
/// other reader of that revision; at most one computation per project at
/// a time.
pub async fn computed(state: &App, project: Id) -> Result<Arc<Computed>, AppError> {
    computed_at(state, project, None).await
}

/// As [`computed`], with `status_date` in place of the project's own.
pub async fn computed_at(state: &App, project: Id, status_date: Option<LocalTime>) -> Result<Arc<Computed>, AppError> {
    let key = |revision| Key { project, revision, status_date };
    let cache = &state.schedules;
    if let Some(c) = state.store.plan_revision(project).await?.and_then(|r| cache.get(&key(r))) {
        state.metrics.schedule_hit();
        return Ok(c);
    }
    let _computing = cache.computing(project).await;
    let before = state.store.plan_revision(project).await?;
    if let Some(c) = before.and_then(|r| cache.get(&key(r))) {
        state.metrics.schedule_hit();
        return Ok(c);
    }
    // How long the plan takes to read and to compute, for whoever profiles
    // a server (`RUST_LOG=tandem_app=debug`); timing is not behaviour.
    let started = std::time::Instant::now();
    let mut plan = crate::ops::project::load_plan(state, project).await?;
    if status_date.is_some() {
        plan.project.status_date = status_date;
    }
    let loaded = started.elapsed();
    let c = Arc::new(Computed::new(plan, before.map(key))?);
    state.metrics.schedule_computed(started.elapsed());
    tracing::debug!(
        project = project.0,
        tasks = c.plan.tasks.len(),
        load_ms = loaded.as_secs_f64() * 1e3,
        compute_ms = (started.elapsed() - loaded).as_secs_f64() * 1e3,
        "plan computed"
    );
    // Kept only when no plan write committed while the plan was read: then
    // what was read is exactly that revision's plan.
    if let Some(r) = before
        && state.store.plan_revision(project).await? == Some(r)
    {
        cache.put(key(r), Arc::clone(&c));
    }
    Ok(c)
}

/// A schedule as sent: its JSON, and the same gzipped once for every
/// client that accepts it (a tenth of the bytes on the wire), with the
/// entity tag of the plan revision it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub json: Bytes,
    pub gzip: Bytes,
    /// `W/"r{revision}"` (and the status date asked for); `None` when the
    /// revision was unknown.
    pub etag: Option<String>,
}

impl Body {
    pub fn new(json: Vec<u8>, key: Option<&Key>) -> std::io::Result<Body> {
        let mut z = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 8), flate2::Compression::default());
        z.write_all(&json)?;
        let etag = key.map(|k| {
            let date = k.status_date.map(|d| format!("-{}", d.0.strftime("%Y%m%dT%H%M"))).unwrap_or_default();
            format!("W/\"r{}{date}\"", k.revision)
        });
        Ok(Body { gzip: Bytes::from(z.finish()?), json: Bytes::from(json), etag })
    }
}

impl Inner {
    fn remove(&mut self, key: &Key) {
        if let Some(c) = self.entries.remove(key) {
            self.bytes -= c.weight();
        }
        self.order.retain(|k| k != key);
    }
}

#[cfg(test)]
mod tests {
    use tandem_core::Millis;
    use tandem_core::project::{Methodology, Project, ProjectStatus, Task, WorkCalendar};

    use super::*;

    /// A computed plan of `n` one-day tasks.
    fn computed(n: i64) -> Arc<Computed> {
        let project = Project {
            id: Id(1),
            workspace_id: Id(1),
            key: "T".into(),
            name: "T".into(),
            product_id: None,
            manager_id: Id(1),
            sponsor_id: None,
            methodology: Methodology::Hybrid,
            status: ProjectStatus::Active,
            start: "2027-01-04T08:00:00".parse().unwrap(),
            status_date: None,
            target_finish: None,
            budget_minor: 0,
            currency: "EUR".into(),
            version: 1,
            created_at: Millis(0),
            updated_at: Millis(0),
        };
        let tasks = (1..=n).map(|i| Task::blank(Id(1), Id(i), "t", 480)).collect();
        let plan = Plan {
            project,
            calendar: WorkCalendar::standard(),
            calendars: Vec::new(),
            resources: Vec::new(),
            tasks,
            deps: Vec::new(),
        };
        Arc::new(Computed::new(plan, None).unwrap())
    }

    fn key(project: i64, revision: i64) -> Key {
        Key { project: Id(project), revision, status_date: None }
    }

    #[test]
    fn a_newer_revision_replaces_the_older_and_bounds_hold() {
        let empty = computed(0).weight();
        let c = ScheduleCache::new(2, 2 * empty + 4096);
        c.put(key(1, 1), computed(0));
        assert!(c.get(&key(1, 1)).is_some());
        c.put(key(1, 2), computed(0));
        assert!(c.get(&key(1, 1)).is_none(), "the older revision is gone");
        c.put(key(2, 1), computed(0));
        c.put(key(3, 1), computed(0));
        assert!(c.get(&key(1, 2)).is_none(), "two entries at most: the oldest went");
        assert!(c.get(&key(2, 1)).is_some() && c.get(&key(3, 1)).is_some());
        c.put(key(4, 1), computed(1));
        assert!(c.get(&key(4, 1)).is_some());
        assert!(c.get(&key(2, 1)).is_none() && c.get(&key(3, 1)).is_some(), "bytes bound: the oldest went");
        c.put(key(5, 1), computed(40));
        assert!(c.get(&key(5, 1)).is_none(), "an entry larger than the cache is not kept");
    }

    #[test]
    fn the_view_and_body_come_from_one_computation() {
        let c = computed(3);
        assert_eq!(c.view.tasks.len(), 3);
        assert_eq!(c.costs, [0, 0, 0]);
        let b = c.body().unwrap();
        let back: serde_json::Value = serde_json::from_slice(&b.json).unwrap();
        assert_eq!(back["tasks"].as_array().unwrap().len(), 3);
        assert!(std::ptr::eq(b, c.body().unwrap()), "serialised once");
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&b.gzip[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, b.json);
    }
}
