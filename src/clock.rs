use chrono::{NaiveDateTime, TimeDelta, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The court's time source. Production reads the system clock; tests move it forward to pass
/// deadlines without waiting. Cloning shares the same offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Current UTC time (stored times are UTC `NaiveDateTime`).
    pub fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc() + TimeDelta::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    pub fn advance(&self, by: TimeDelta) {
        self.offset_seconds.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
