//! Figures computed from a project's plan and its other data (the project
//! dashboard), kept per (plan revision, data revision, day) and shared by
//! every reader until a write moves either counter. The counters are the
//! database's (migration 0013), so a kept dashboard is never stale and two
//! server processes on one database agree. The day is part of the key
//! because "today" decides the milestones ahead and the earned-value
//! status date.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tandem_core::Id;
use tandem_core::model::Day;
use tandem_store::project::Revisions;

/// What a dashboard was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FigureKey {
    pub project: Id,
    pub revisions: Revisions,
    pub day: Day,
}

/// Bounded in entries; the oldest goes first, and a project's older
/// figures go as soon as newer ones are kept.
#[derive(Debug)]
pub struct FigureCache<V> {
    inner: Mutex<Entries<V>>,
    max_entries: usize,
}

#[derive(Debug)]
struct Entries<V> {
    map: HashMap<FigureKey, Arc<V>>,
    order: VecDeque<FigureKey>,
}

impl<V> Default for FigureCache<V> {
    fn default() -> Self {
        FigureCache::new(256)
    }
}

impl<V> FigureCache<V> {
    pub fn new(max_entries: usize) -> Self {
        FigureCache { inner: Mutex::new(Entries { map: HashMap::new(), order: VecDeque::new() }), max_entries }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        // Every change to the map is a single insert or remove, so it stays
        // consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn get(&self, key: &FigureKey) -> Option<Arc<V>> {
        self.lock().map.get(key).cloned()
    }

    pub fn put(&self, key: FigureKey, value: Arc<V>) {
        if self.max_entries == 0 {
            return;
        }
        let mut e = self.lock();
        let stale: Vec<FigureKey> =
            e.order.iter().filter(|k| k.project == key.project && **k != key).copied().collect();
        for k in &stale {
            e.map.remove(k);
        }
        e.order.retain(|k| !stale.contains(k));
        if e.map.contains_key(&key) {
            return;
        }
        while e.order.len() >= self.max_entries {
            match e.order.pop_front() {
                Some(oldest) => e.map.remove(&oldest),
                None => break,
            };
        }
        e.order.push_back(key);
        e.map.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(project: i64, plan: i64, data: i64) -> FigureKey {
        FigureKey { project: Id(project), revisions: Revisions { plan, data }, day: Day("2027-01-04".parse().unwrap()) }
    }

    #[test]
    fn newer_figures_replace_a_projects_older_ones_and_the_bound_holds() {
        let c = FigureCache::new(2);
        c.put(key(1, 1, 1), Arc::new("a"));
        assert_eq!(c.get(&key(1, 1, 1)).as_deref(), Some(&"a"));
        c.put(key(1, 1, 2), Arc::new("b"));
        assert!(c.get(&key(1, 1, 1)).is_none(), "a data write retires the older figures");
        assert_eq!(c.get(&key(1, 1, 2)).as_deref(), Some(&"b"));
        c.put(key(2, 1, 1), Arc::new("c"));
        c.put(key(3, 1, 1), Arc::new("d"));
        assert!(c.get(&key(1, 1, 2)).is_none(), "two entries at most: the oldest went");
        assert!(c.get(&key(2, 1, 1)).is_some() && c.get(&key(3, 1, 1)).is_some());
    }
}
