//! The app's notion of now. Tests move a manual clock to make jobs and reminders due
//! without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

#[derive(Clone)]
pub enum Clock {
    System,
    /// The system time plus an offset that tests can advance.
    Offset(Arc<AtomicI64>),
}

impl Clock {
    pub fn offset() -> Clock {
        Clock::Offset(Arc::new(AtomicI64::new(0)))
    }

    pub fn now(&self) -> i64 {
        let system = chrono::Utc::now().timestamp_micros();
        match self {
            Clock::System => system,
            Clock::Offset(offset) => system + offset.load(Ordering::SeqCst),
        }
    }

    /// Moves an offset clock forward; does nothing to the system clock.
    pub fn advance(&self, micros: i64) {
        if let Clock::Offset(offset) = self {
            offset.fetch_add(micros, Ordering::SeqCst);
        }
    }
}
