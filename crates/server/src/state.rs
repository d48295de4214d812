use std::sync::Arc;

use tandem_store::Store;

use crate::clock::Clock;
use crate::config::Config;

/// What every handler can reach. Holds nothing two server processes could
/// disagree on: sessions and login counters live in the database.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
}
