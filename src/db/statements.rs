//! Counts the SQL statements run on each thread, so a request can tell how many it ran: a page's
//! count must not grow with the rows it shows (no N+1 queries; `tests/statements.rs`).

use diesel::connection::{Instrumentation, InstrumentationEvent};
use std::cell::Cell;

thread_local! {
    static STATEMENTS: Cell<u64> = const { Cell::new(0) };
}

/// Installed on every pooled connection.
pub struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            STATEMENTS.with(|n| n.set(n.get() + 1));
        }
    }
}

/// Runs `f` and returns what it returned with the statements it ran (on this thread).
pub fn counted<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = STATEMENTS.with(Cell::get);
    let value = f();
    (value, STATEMENTS.with(Cell::get) - before)
}
