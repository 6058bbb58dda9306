//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations.

pub mod models;
pub mod schema;
pub mod statements;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type DbPool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Durability and concurrency settings every SQLite connection gets (DESIGN.md, "Database").
/// `busy_timeout` comes first: the pool opens its connections at once, and on a new file they all
/// switch it to WAL, which must wait for the lock rather than fail.
/// `optimize=0x10002` refreshes the planner's statistics where tables have grown (r2d2 renews each
/// connection within 30 minutes, so it runs that often); without them SQLite may walk the
/// wrong index for the moderators' queues.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA optimize = 0x10002;";

/// Which backend a `DATABASE_URL` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `postgres://…` / `postgresql://…` select PostgreSQL; `sqlite://path` or a bare path select SQLite.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(format!("DATABASE_URL '{url}' is neither sqlite://PATH, a file path, nor postgres://…"));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// r2d2 manager that opens exactly the backend the URL names (never guessing by trial).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(&path.to_string_lossy()).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(r2d2::Error::QueryError)?;
                conn.set_instrumentation(statements::CountStatements);
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                conn.set_instrumentation(statements::CountStatements);
                Ok(DbConnection::Pg(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// Opens the pool (creating the SQLite file and its folder when needed) and runs migrations.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<DbPool> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { url: url.clone() })
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    run_migrations(&mut *pool.get()?)?;
    Ok(pool)
}

pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    for version in applied {
        tracing::info!(%version, "applied migration");
    }
    Ok(())
}

/// SQLite has one write lock per file. Writers that miss it sleep in the busy handler (1, 2, 5,
/// 10… ms at a time), so within this process they queue here instead, woken as soon as it is free.
static SQLITE_WRITER: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread holds `SQLITE_WRITER` (a write transaction inside another one must not
    /// wait for itself).
    static WRITING: Cell<bool> = const { Cell::new(false) };
}

/// Holds the process's SQLite write turn until dropped.
struct WriterTurn {
    _guard: MutexGuard<'static, ()>,
}

impl WriterTurn {
    fn take() -> Option<WriterTurn> {
        if WRITING.get() {
            return None;
        }
        let guard = SQLITE_WRITER.lock().unwrap_or_else(PoisonError::into_inner);
        WRITING.set(true);
        Some(WriterTurn { _guard: guard })
    }
}

impl Drop for WriterTurn {
    fn drop(&mut self) {
        WRITING.set(false);
    }
}

/// A write transaction. On SQLite it waits for the process's write turn, then starts with
/// `BEGIN IMMEDIATE`, so writers from other processes wait for the lock (busy_timeout) instead of
/// failing when a read lock cannot be upgraded.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _turn = match conn {
        DbConnection::Sqlite(c) => {
            let turn = WriterTurn::take();
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            turn
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    type Manager = <DbConnection as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            Manager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

/// Cheap liveness probe for `/healthz`.
pub fn ping(pool: &DbPool) -> bool {
    pool.get_timeout(Duration::from_secs(2)).map(|mut c| c.batch_execute("SELECT 1").is_ok()).unwrap_or(false)
}

pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(err, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}
