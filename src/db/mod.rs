//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations.

pub mod models;
pub mod schema;
pub mod statements;
mod text_enum;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult};
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
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/// Refreshes the planner's statistics where tables grew or shrank tenfold since their last
/// analysis, when a connection opens. A connection reads the statistics once, so ANALYZE on one
/// does not reach the others' planners: the pool renews its connections (`connect`) to follow a
/// growing court. The 0x10 bit bounds the rows this ANALYZE reads, so that it never holds the
/// write lock long on a large court. The bound is the optimizer's own, not the connection's: an
/// explicit `ANALYZE` (after the demo's bulk fill, after a migration) reads every row, as sampled
/// statistics misjudge skewed columns (with a connection-wide limit, 100,000 cases read as 200
/// states of 500 cases each, and the stalled-votes queue walked 40,000 voting cases per load).
const SQLITE_REFRESH_STATISTICS: &str = "PRAGMA optimize = 0x10012;";

/// Which backend a `DATABASE_URL` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `postgres://…` / `postgresql://…` select PostgreSQL; `sqlite://path` or a bare path select SQLite.
    /// Accepts `postgres://…` or `postgresql://…`, `sqlite://PATH`, `sqlite:PATH`, or a bare path
    /// ending in `.db`, `.sqlite` or `.sqlite3`; anything else is refused rather than guessed (a
    /// typo must not become a new, empty SQLite file).
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        let refused = || {
            format!(
                "DATABASE_URL '{url}' is not a database address. Use sqlite://PATH, sqlite:PATH, a file \
                 path ending in .db, .sqlite or .sqlite3, or postgres://USER@HOST/DB"
            )
        };
        let path = match url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Some(path) => path,
            None if [".db", ".sqlite", ".sqlite3"].iter().any(|ext| url.ends_with(ext)) => url,
            None => return Err(refused()),
        };
        if path.is_empty() || path.contains("://") || path.chars().any(char::is_control) {
            return Err(refused());
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// A SQLite file's folder must exist already: the court never creates folders it was not
    /// asked for (a mistyped path would otherwise put a database somewhere unexpected).
    pub fn check_folder(&self) -> Result<(), String> {
        match self {
            Self::Sqlite(path) => match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(dir) if !dir.is_dir() => Err(format!(
                    "the folder {} for the SQLite file {} does not exist; create it, or fix DATABASE_URL",
                    dir.display(),
                    path.display()
                )),
                _ => Ok(()),
            },
            Self::Postgres(_) => Ok(()),
        }
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
                conn.batch_execute(SQLITE_REFRESH_STATISTICS).map_err(r2d2::Error::QueryError)?;
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
        statements::probing(|| conn.batch_execute("SELECT 1")).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// Opens the pool (creating the SQLite file and its folder when needed) and runs migrations.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<DbPool> {
    url.check_folder().map_err(anyhow::Error::msg)?;
    let manager = Manager { url: url.clone() };
    // A new SQLite file turns to WAL once, on one connection, before the pool opens its others
    // at the same time: switching the journal needs the write lock, which racing first
    // connections would refuse each other ("database is locked" on a first start).
    if let DatabaseUrl::Sqlite(_) = url {
        manager.connect().map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    }
    // r2d2 replaces connections idle for ten minutes, and all after thirty: on SQLite each new one
    // loads the statistics as they are now (`SQLITE_REFRESH_STATISTICS`, bounded so that a
    // grown table's ANALYZE is brief: unbounded, it held the write lock past the busy timeout and
    // failed a million-case fill ten minutes in).
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    run_migrations(&mut *pool.get()?)?;
    Ok(pool)
}

/// The PostgreSQL advisory lock several servers starting at once take around the migrations: one
/// migrates, the others wait for it and then find nothing to do. (SQLite: one server per file.)
const MIGRATION_LOCK: i64 = 0x0078_6674_5f6d_6967; // "xft_mig"

pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let names = |versions: Vec<diesel::migration::MigrationVersion>| versions.iter().map(|v| v.to_string()).collect();
    let applied: Result<Vec<String>, _> = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(names),
        DbConnection::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let applied = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(names);
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            applied
        }
    };
    let applied = applied.map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
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

thread_local! {
    /// Whether this thread is inside a request's database hop, holding a pooled connection.
    static HOLDING_CONNECTION: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` on a connection from the pool, marking this thread as holding one meanwhile: work
/// that must not keep a connection from every other request (argon2) checks `holds_connection`.
pub fn with_connection<T, E>(pool: &DbPool, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<r2d2::PoolError>,
{
    let mut conn = pool.get()?;
    let _held = Holding(HOLDING_CONNECTION.replace(true));
    f(&mut conn)
}

/// Puts the flag back when the hop ends, also when it panics (the thread serves later hops).
struct Holding(bool);

impl Drop for Holding {
    fn drop(&mut self) {
        HOLDING_CONNECTION.set(self.0);
    }
}

pub fn holds_connection() -> bool {
    HOLDING_CONNECTION.get()
}

/// Rows to skip and rows to take: one page of a list.
pub type Window = (i64, i64);

/// One page of a list's rows, and how many rows the whole list has.
pub type Counted<T> = (Vec<T>, i64);

/// How many rows a list has, given the page just read: known from the page itself when it was not
/// full, so most short lists cost no second statement; otherwise counted.
pub fn total_of<T>(rows: &[T], (offset, limit): Window, count: impl FnOnce() -> QueryResult<i64>) -> QueryResult<i64> {
    let shown = rows.len() as i64;
    if shown < limit && (offset == 0 || shown > 0) {
        Ok(offset + shown)
    } else {
        count()
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
    finish(conn, f)
}

/// A read transaction: every statement in it sees one instant, so a page built from several reads
/// cannot contradict itself. SQLite: a deferred transaction, whose snapshot is taken at its first
/// read (WAL). PostgreSQL: REPEATABLE READ, READ ONLY (a write slipped into a page is refused).
/// Inside a transaction already, `f` simply runs in it.
pub fn read_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let begin = match conn {
        DbConnection::Sqlite(_) => "BEGIN DEFERRED",
        DbConnection::Pg(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    };
    let began = match conn {
        DbConnection::Sqlite(c) => begin_unless_open(c, begin)?,
        DbConnection::Pg(c) => begin_unless_open(c, begin)?,
    };
    if !began {
        return f(conn);
    }
    finish(conn, f)
}

fn begin_unless_open<C>(c: &mut C, sql: &str) -> QueryResult<bool>
where
    C: Connection<TransactionManager = AnsiTransactionManager>,
{
    if AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?.is_some() {
        return Ok(false);
    }
    AnsiTransactionManager::begin_transaction_sql(c, sql)?;
    Ok(true)
}

/// Runs `f` in the transaction just begun: commits what it did, or rolls it back on an error.
fn finish<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
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

/// Whether the court can serve: the database answers and has every migration this build knows
/// (a server started beside an older one waits for its migrations to land).
pub fn ready(pool: &DbPool) -> bool {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(2)) else { return false };
    let pending = match &mut *conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    matches!(pending, Ok(false))
}

pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(err, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

#[cfg(test)]
mod tests {
    use super::{DatabaseUrl, DbConnection};
    use diesel::connection::SimpleConnection;
    use std::path::PathBuf;

    #[test]
    fn database_urls_are_read_strictly() {
        let sqlite = |p: &str| Ok(DatabaseUrl::Sqlite(PathBuf::from(p)));
        assert_eq!(DatabaseUrl::parse("sqlite://data/court.db"), sqlite("data/court.db"));
        assert_eq!(DatabaseUrl::parse("sqlite:relative.db"), sqlite("relative.db"));
        assert_eq!(DatabaseUrl::parse("sqlite:///var/lib/court.sqlite"), sqlite("/var/lib/court.sqlite"));
        assert_eq!(DatabaseUrl::parse("./court.sqlite3"), sqlite("./court.sqlite3"));
        assert_eq!(DatabaseUrl::parse("postgresql://u@h/db"), Ok(DatabaseUrl::Postgres("postgresql://u@h/db".into())));
        for bad in ["not a url at all", "mysql://u@h/db", "sqlite:", "court", "http://x/y.db", "postgres:/x"] {
            let refused = DatabaseUrl::parse(bad).unwrap_err();
            assert!(refused.contains("sqlite://PATH") && refused.contains(bad), "{bad}: {refused}");
        }
    }

    /// A connection as the pool opens it (with every pragma the court sets) to the court in `dir`.
    fn open_sqlite(dir: &tempfile::TempDir) -> DbConnection {
        use diesel::r2d2::ManageConnection;
        (super::Manager { url: DatabaseUrl::Sqlite(dir.path().join("court.db")) }).connect().unwrap()
    }

    /// A pooled SQLite connection to a new court.
    fn pooled_sqlite() -> (tempfile::TempDir, DbConnection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_sqlite(&dir);
        (dir, conn)
    }

    /// The planner's statistics of the index `t_state`: rows, then rows per distinct state.
    fn state_index_stat(conn: &mut DbConnection) -> String {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Stat {
            #[diesel(sql_type = diesel::sql_types::Text)]
            stat: String,
        }
        let DbConnection::Sqlite(conn) = conn else { unreachable!() };
        diesel::sql_query("SELECT stat FROM sqlite_stat1 WHERE idx = 't_state'").get_result::<Stat>(conn).unwrap().stat
    }

    /// Sampled statistics misjudge skewed columns, and the planner then walks the wrong index: an
    /// explicit ANALYZE on a pooled connection (the demo's bulk fill) must read every row.
    #[test]
    fn an_explicit_analyze_on_a_pooled_connection_reads_every_row() {
        let (_dir, mut conn) = pooled_sqlite();
        conn.batch_execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, state TEXT NOT NULL); CREATE INDEX t_state ON t(state);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
             INSERT INTO t (state) SELECT char(97 + i % 4) FROM n; ANALYZE;",
        )
        .unwrap();
        assert_eq!(state_index_stat(&mut conn), "5000 1250", "5,000 rows, 1,250 for each of four states");
    }

    /// A connection the pool opens after a table grew tenfold analyses it again (and plans with
    /// the new figures: statistics are read when a connection opens).
    #[test]
    fn a_new_connection_catches_up_with_a_table_that_grew() {
        let (dir, mut first) = pooled_sqlite();
        first
            .batch_execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, state TEXT NOT NULL); CREATE INDEX t_state ON t(state);
                 INSERT INTO t (state) VALUES ('a'), ('b'); ANALYZE;
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 998)
                 INSERT INTO t (state) SELECT char(97 + i % 2) FROM n;",
            )
            .unwrap();
        assert_eq!(state_index_stat(&mut first), "2 1");
        let mut next = open_sqlite(&dir);
        assert_eq!(state_index_stat(&mut next), "1000 500");
    }

    #[test]
    fn a_sqlite_file_in_a_missing_folder_is_refused() {
        let url = DatabaseUrl::parse("sqlite:///nonexistent/dir/x.db").unwrap();
        assert!(url.check_folder().unwrap_err().contains("/nonexistent/dir"));
        assert!(DatabaseUrl::parse("here.db").unwrap().check_folder().is_ok());
    }
}
