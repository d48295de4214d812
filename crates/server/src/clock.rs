//! Time is a parameter: handlers ask the state's clock, tests may fix it.

use std::sync::Arc;
use tandem_core::Millis;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Millis;
}

/// The system's wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Millis(ms)
    }
}

pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
