//! Live updates: one pump per server reads the changes every write leaves
//! in the activity log (announced by PostgreSQL to every server, polled
//! on SQLite) and fans them out to the open event streams, each of which
//! keeps what its viewer may read. A stream that falls behind, or a client
//! that reconnects, reads what it missed from the log itself, so nothing
//! is lost.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tandem_core::{Id, Role, access};
use tandem_store::Store;
use tandem_store::live::Change;
use tokio::sync::{broadcast, watch};

use crate::error::AppError;

/// Changes kept for streams that are slow to read; one that falls further
/// behind reads the log instead.
const BUFFER: usize = 1024;
/// How often SQLite's log is polled while streams are open.
const POLL: Duration = Duration::from_millis(200);
/// The most changes read from the log at once.
const BATCH: i64 = 500;

/// The server's fan-out of changes to its open streams.
#[derive(Debug)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Change>>,
    pump: OnceLock<()>,
    open: AtomicUsize,
    /// Set when the server shuts down: every stream ends, so the server
    /// does not wait for clients that never hang up.
    closing: watch::Sender<bool>,
    /// Set once the pump listens: a stream opened before would miss what
    /// commits in between.
    ready: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(BUFFER).0,
            pump: OnceLock::new(),
            open: AtomicUsize::new(0),
            closing: watch::channel(false).0,
            ready: watch::channel(false).0,
        }
    }
}

/// What one viewer's stream may carry.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub workspace_id: Id,
    pub user_id: Id,
    pub role: Role,
}

impl Viewer {
    /// Whether the change is the viewer's to see: in their workspace, and
    /// not someone else's time when their role may not see others'
    /// timesheets. Every member reads everything else in a workspace.
    pub fn sees(&self, c: &Change) -> bool {
        c.workspace_id == self.workspace_id
            && (c.subject_type != "time_entry"
                || access::may_see_timesheet(self.role, c.actor_id == Some(self.user_id)))
    }
}

/// An open stream: the changes after the one the client saw last.
pub struct Stream {
    viewer: Viewer,
    rx: broadcast::Receiver<Arc<Change>>,
    closing: watch::Receiver<bool>,
    /// Read from the log, not yet sent.
    backlog: std::collections::VecDeque<Change>,
    /// Ids sent above the floor, so a change read from the log and also
    /// announced is sent once.
    sent: BTreeSet<i64>,
    /// Where the client's stream began: older changes are not replayed.
    floor: i64,
    store: Store,
    hub: Arc<Hub>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.hub.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Hub {
    /// Ends every open stream and refuses new ones: the server is stopping.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// How many streams are open on this server.
    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Opens a stream for `viewer` that first replays the changes after
    /// `after` (the client's Last-Event-ID; none: only new ones).
    pub async fn open(self: &Arc<Self>, store: &Store, viewer: Viewer, after: Option<i64>) -> Result<Stream, AppError> {
        self.start(store);
        let mut ready = self.ready.subscribe();
        if tokio::time::timeout(Duration::from_secs(10), ready.wait_for(|r| *r)).await.is_err() {
            return Err(AppError::Unavailable);
        }
        // Subscribe before reading the log, so nothing falls between.
        let rx = self.tx.subscribe();
        self.open.fetch_add(1, Ordering::Relaxed);
        let mut s = Stream {
            viewer,
            rx,
            closing: self.closing.subscribe(),
            backlog: Default::default(),
            sent: BTreeSet::new(),
            floor: 0,
            store: store.clone(),
            hub: self.clone(),
        };
        match after {
            Some(a) => {
                s.floor = a;
                s.refill().await?;
            }
            None => s.floor = store.last_change_id().await?,
        }
        Ok(s)
    }

    /// Starts this server's pump on first use.
    fn start(self: &Arc<Self>, store: &Store) {
        self.pump.get_or_init(|| {
            let (store, tx, ready) = (store.clone(), self.tx.clone(), self.ready.clone());
            tokio::spawn(async move { pump(store, tx, ready).await });
        });
    }
}

impl Stream {
    /// The next change this viewer may see, waiting for one; none once the
    /// server is stopping.
    pub async fn next(&mut self) -> Option<Result<Change, AppError>> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(c) = self.backlog.pop_front() {
                if self.mark(&c) {
                    return Some(Ok(c));
                }
                continue;
            }
            let got = tokio::select! {
                got = self.rx.recv() => got,
                _ = self.closing.changed() => continue,
            };
            match got {
                Ok(c) => {
                    if self.viewer.sees(&c) && self.mark(&c) {
                        return Some(Ok((*c).clone()));
                    }
                }
                // Fell behind the buffer: read the log from the last sent.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if let Err(e) = self.refill().await {
                        return Some(Err(e));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Records `c` as sent; false when it was already, or when it is at or
    /// below the floor (where the client's stream began: the pump may
    /// announce a change a moment after a stream opened past it). On
    /// PostgreSQL a transaction that took a lower id and committed after
    /// the stream opened is not replayed; the client still hears every
    /// later change.
    fn mark(&mut self, c: &Change) -> bool {
        if c.id.0 <= self.floor || !self.sent.insert(c.id.0) {
            return false;
        }
        // Keep the set small: the oldest ids are settled.
        while self.sent.len() > 4096 {
            if let Some(f) = self.sent.pop_first() {
                self.floor = self.floor.max(f);
            }
        }
        true
    }

    /// Reads the viewer's changes after the newest sent from the log.
    async fn refill(&mut self) -> Result<(), AppError> {
        let after = self.sent.last().copied().unwrap_or(self.floor);
        let rows = self.store.changes_in(self.viewer.workspace_id, after, BATCH).await?;
        self.backlog.extend(rows.into_iter().filter(|c| self.viewer.sees(c)));
        Ok(())
    }
}

/// Reads new changes from the database and broadcasts them, for as long as
/// the server runs. PostgreSQL announces ids at commit; SQLite is polled
/// while anyone listens. After (re)connecting, what committed while no one
/// listened is read from the log.
async fn pump(store: Store, tx: broadcast::Sender<Arc<Change>>, ready: watch::Sender<bool>) {
    let mut last = store.last_change_id().await.unwrap_or(0);
    loop {
        match store.listen_changes().await {
            Ok(Some(mut listener)) => {
                catch_up(&store, &tx, &mut last).await;
                ready.send_replace(true);
                loop {
                    let ids = match listener.next_ids().await {
                        Ok(ids) => ids,
                        Err(e) => {
                            tracing::warn!(error = %e, "live updates: the database listener failed; reconnecting");
                            break;
                        }
                    };
                    match store.changes_with_ids(&ids).await {
                        Ok(changes) => send(&tx, changes, &mut last),
                        Err(e) => tracing::warn!(error = %e, "live updates: reading changes failed"),
                    }
                }
            }
            Ok(None) => {
                ready.send_replace(true);
                return poll(store, tx, last).await;
            }
            Err(e) => tracing::warn!(error = %e, "live updates: cannot listen to the database"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn send(tx: &broadcast::Sender<Arc<Change>>, changes: Vec<Change>, last: &mut i64) {
    for c in changes {
        *last = (*last).max(c.id.0);
        let _ = tx.send(Arc::new(c));
    }
}

async fn catch_up(store: &Store, tx: &broadcast::Sender<Arc<Change>>, last: &mut i64) {
    loop {
        match store.changes_after(*last, BATCH).await {
            Ok(changes) if changes.is_empty() => return,
            Ok(changes) => send(tx, changes, last),
            Err(e) => {
                tracing::warn!(error = %e, "live updates: reading changes failed");
                return;
            }
        }
    }
}

async fn poll(store: Store, tx: broadcast::Sender<Arc<Change>>, mut last: i64) {
    loop {
        tokio::time::sleep(POLL).await;
        if tx.receiver_count() == 0 {
            // Nobody listens: a stream that opens reads the log itself.
            if let Ok(l) = store.last_change_id().await {
                last = l;
            }
            continue;
        }
        catch_up(&store, &tx, &mut last).await;
    }
}
