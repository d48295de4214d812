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
    // The one place that reads the wall clock; everything else asks a `Clock`.
    #[allow(clippy::disallowed_methods)]
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

/// The wall clock moved by an offset that can be changed while running:
/// tests put "now" on a chosen day and time keeps moving from there.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl ShiftedClock {
    /// From now on, the clock reads `at` (and runs on from it).
    pub fn set(&self, at: Millis) {
        let real = SystemClock.now().0;
        self.offset_ms.store(at.0 - real, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Millis {
        Millis(SystemClock.now().0 + self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}
