//! Computed schedules, serialised, per plan revision: a second read of a
//! large project's schedule costs one database row instead of the whole
//! plan. The revision is the database's (kept by triggers with every plan
//! write), so a cached schedule is never stale and two server processes
//! on one database never disagree.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::Mutex;

use bytes::Bytes;
use tandem_core::Id;
use tandem_core::project::LocalTime;

/// What a cached schedule was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub project: Id,
    pub revision: i64,
    /// A status date asked for in the request, not the project's own.
    pub status_date: Option<LocalTime>,
}

/// Bounded in entries and bytes; the oldest entry goes first.
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
    entries: HashMap<Key, Body>,
    order: VecDeque<Key>,
    bytes: usize,
}

impl Default for ScheduleCache {
    fn default() -> Self {
        ScheduleCache::new(64, 64 * 1024 * 1024)
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

    pub fn get(&self, key: &Key) -> Option<Body> {
        self.lock().entries.get(key).cloned()
    }

    /// Keeps `body` under `key`, dropping the oldest entries to stay within
    /// bounds; older revisions of the same project go at once.
    pub fn put(&self, key: Key, body: Body) {
        if body.len() > self.max_bytes {
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
        while !inner.order.is_empty()
            && (inner.order.len() >= self.max_entries || inner.bytes + body.len() > self.max_bytes)
        {
            if let Some(oldest) = inner.order.front().copied() {
                inner.remove(&oldest);
            }
        }
        inner.bytes += body.len();
        inner.order.push_back(key);
        inner.entries.insert(key, body);
    }
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

    fn len(&self) -> usize {
        self.json.len() + self.gzip.len()
    }
}

impl Inner {
    fn remove(&mut self, key: &Key) {
        if let Some(b) = self.entries.remove(key) {
            self.bytes -= b.len();
        }
        self.order.retain(|k| k != key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(s: &'static [u8]) -> Body {
        Body { json: Bytes::from_static(s), gzip: Bytes::new(), etag: None }
    }

    fn key(project: i64, revision: i64) -> Key {
        Key { project: Id(project), revision, status_date: None }
    }

    #[test]
    fn a_newer_revision_replaces_the_older_and_bounds_hold() {
        let c = ScheduleCache::new(2, 10);
        c.put(key(1, 1), body(b"aaaa"));
        assert_eq!(c.get(&key(1, 1)), Some(body(b"aaaa")));
        c.put(key(1, 2), body(b"bbbb"));
        assert_eq!(c.get(&key(1, 1)), None, "the older revision is gone");
        c.put(key(2, 1), body(b"cccc"));
        c.put(key(3, 1), body(b"dddd"));
        assert_eq!(c.get(&key(1, 2)), None, "two entries at most: the oldest went");
        assert!(c.get(&key(2, 1)).is_some() && c.get(&key(3, 1)).is_some());
        c.put(key(4, 1), body(b"eeeeeeeee"));
        assert!(c.get(&key(4, 1)).is_some());
        assert_eq!((c.get(&key(2, 1)), c.get(&key(3, 1))), (None, None), "ten bytes at most");
        c.put(key(5, 1), body(b"far more than ten bytes"));
        assert_eq!(c.get(&key(5, 1)), None, "an entry larger than the cache is not kept");
    }
}
