//! Counts the SQL statements run on each thread, so a request can tell how many it ran: a page's
//! count must not grow with the rows it shows (no N+1 queries; `tests/api/statements.rs`). Also
//! counts the statements run outside any transaction: two of those in one database hop read two
//! different instants, and a page built from them can contradict itself.

use diesel::connection::{Instrumentation, InstrumentationEvent};
use std::cell::Cell;

thread_local! {
    static STATEMENTS: Cell<u64> = const { Cell::new(0) };
    static LOOSE: Cell<u64> = const { Cell::new(0) };
    /// The open transaction's depth on this thread's connection (0: none).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// A commit or rollback was announced: the next statement is its COMMIT or ROLLBACK.
    static ENDING: Cell<bool> = const { Cell::new(false) };
    /// Statements that read no data (the pool's liveness check) are not loose reads.
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// Installed on every pooled connection.
pub struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                STATEMENTS.set(STATEMENTS.get() + 1);
                if ENDING.replace(false) {
                    DEPTH.set(DEPTH.get().saturating_sub(1));
                } else if DEPTH.get() == 0 && !PROBING.get() {
                    LOOSE.set(LOOSE.get() + 1);
                }
            }
            InstrumentationEvent::BeginTransaction { depth, .. } => DEPTH.set(depth.get()),
            InstrumentationEvent::CommitTransaction { .. } | InstrumentationEvent::RollbackTransaction { .. } => {
                ENDING.set(true)
            }
            _ => {}
        }
    }
}

/// Runs a statement that reads no data, such as the pool's liveness check, without counting it as
/// a loose read.
pub fn probing<T>(f: impl FnOnce() -> T) -> T {
    struct Probing;
    impl Drop for Probing {
        fn drop(&mut self) {
            PROBING.set(false);
        }
    }
    PROBING.set(true);
    let _probing = Probing;
    f()
}

/// What one database hop ran.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Count {
    pub statements: u64,
    /// Run outside any transaction: more than one means the hop read several instants.
    pub loose: u64,
}

/// Runs `f` and returns what it returned with the statements it ran (on this thread).
pub fn counted<T>(f: impl FnOnce() -> T) -> (T, Count) {
    let (statements, loose) = (STATEMENTS.get(), LOOSE.get());
    DEPTH.set(0);
    ENDING.set(false);
    let value = f();
    (value, Count { statements: STATEMENTS.get() - statements, loose: LOOSE.get() - loose })
}
