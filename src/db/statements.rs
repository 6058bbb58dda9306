//! Counts the SQL statements run on each thread, so a request can tell how many it ran: a page's
//! count must not grow with the rows it shows (no N+1 queries; `tests/api/statements.rs`). Also
//! counts the statements run outside any transaction: two of those in one database hop read two
//! different instants, and a page built from them can contradict itself. When asked, it also keeps
//! the text of each statement, so tests can check the query plans of everything a page ran.

use diesel::connection::{Instrumentation, InstrumentationEvent};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::thread::LocalKey;

thread_local! {
    static STATEMENTS: Cell<u64> = const { Cell::new(0) };
    static LOOSE: Cell<u64> = const { Cell::new(0) };
    /// The open transaction's depth on this thread's connection (0: none).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// A commit or rollback was announced: the next statement is its COMMIT or ROLLBACK.
    static ENDING: Cell<bool> = const { Cell::new(false) };
    /// Statements that read no data (the pool's liveness check) are not loose reads.
    static PROBING: Cell<bool> = const { Cell::new(false) };
    /// Where this hop's statement texts go, if anywhere.
    static LOG: RefCell<Option<StatementLog>> = const { RefCell::new(None) };
    /// The statements now running read whole tables on purpose (`reading_every_row`).
    static EVERY_ROW: Cell<bool> = const { Cell::new(false) };
}

/// The distinct SQL texts (without their bound values) of the statements run while it was set.
#[derive(Debug, Clone, Default)]
pub struct StatementLog(Arc<Mutex<BTreeSet<String>>>);

impl StatementLog {
    pub fn texts(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).iter().cloned().collect()
    }

    fn keep(&self, query: &dyn std::fmt::Display) {
        let query = query.to_string();
        // diesel shows a prepared statement as `<sql> -- binds: [...]`.
        let sql = query.split_once(" -- binds: ").map_or(query.as_str(), |(sql, _)| sql);
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(sql.to_string());
    }
}

/// Installed on every pooled connection.
pub struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                STATEMENTS.set(STATEMENTS.get() + 1);
                if !EVERY_ROW.get() {
                    LOG.with_borrow(|log| log.as_ref().map(|log| log.keep(query)));
                }
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
    flagged(&PROBING, f)
}

/// Runs `f`, whose statements read whole tables on purpose (figures over the whole court, the
/// juror pool's first load, a search by any part of a name): the statement log leaves them out,
/// so the check that pages use indexes (`tests/api/common/plans.rs`) is about everything else.
pub fn reading_every_row<T>(f: impl FnOnce() -> T) -> T {
    flagged(&EVERY_ROW, f)
}

/// Runs `f` with `flag` raised, and puts it back as it was afterwards, even if `f` panics (the
/// blocking thread serves other work next).
fn flagged<T>(flag: &'static LocalKey<Cell<bool>>, f: impl FnOnce() -> T) -> T {
    struct Restore(&'static LocalKey<Cell<bool>>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            self.0.set(self.1);
        }
    }
    let _restore = Restore(flag, flag.replace(true));
    f()
}

/// What one database hop ran.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Count {
    pub statements: u64,
    /// Run outside any transaction: more than one means the hop read several instants.
    pub loose: u64,
}

/// Runs `f` and returns what it returned with the statements it ran (on this thread), whose texts
/// go to `log` when one is given.
pub fn counted<T>(log: Option<StatementLog>, f: impl FnOnce() -> T) -> (T, Count) {
    let (statements, loose) = (STATEMENTS.get(), LOOSE.get());
    DEPTH.set(0);
    ENDING.set(false);
    // Cleared even if `f` panics: the blocking thread serves other work next.
    struct Unlog;
    impl Drop for Unlog {
        fn drop(&mut self) {
            LOG.set(None);
        }
    }
    LOG.set(log);
    let unlog = Unlog;
    let value = f();
    drop(unlog);
    (value, Count { statements: STATEMENTS.get() - statements, loose: LOOSE.get() - loose })
}
