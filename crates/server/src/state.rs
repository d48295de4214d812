use std::sync::Arc;

use tandem_store::Store;

use crate::clock::Clock;
use crate::config::Config;
use crate::schedule_cache::ScheduleCache;

/// What every handler can reach. Holds nothing two server processes could
/// disagree on: sessions and login counters live in the database, and the
/// schedule cache is keyed by the database's plan revisions.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub schedules: Arc<ScheduleCache>,
}
