//! The SQLite and PostgreSQL migration folders must produce the same tables, columns and indexes.

use diesel::sql_types::{Bool, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use std::collections::BTreeSet;
use xiaofating::db::{self, DatabaseUrl};

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

type Shape = BTreeSet<(String, String, bool)>;

fn shape(columns: Vec<Column>) -> Shape {
    columns
        .into_iter()
        .filter(|c| !c.table_name.starts_with("__diesel"))
        .map(|c| (c.table_name, c.column_name, c.nullable))
        .collect()
}

#[derive(QueryableByName, Debug)]
struct Index {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The indexes a migration names (keys' own indexes are named by each database its own way).
fn index_names(indexes: Vec<Index>) -> BTreeSet<String> {
    indexes.into_iter().map(|i| i.name).collect()
}

/// The page tests check query plans on SQLite alone (`common::plans`): they hold for PostgreSQL
/// because its tables have the same indexes.
#[test]
fn both_backends_have_the_same_tables_columns_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite_path = dir.path().join("shape.db");
    db::connect(&DatabaseUrl::Sqlite(sqlite_path.clone()), 1).unwrap();
    let mut sqlite = SqliteConnection::establish(&sqlite_path.to_string_lossy()).unwrap();
    let sqlite_shape = shape(
        diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .load(&mut sqlite)
        .unwrap(),
    );

    let sqlite_indexes = index_names(
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            .load(&mut sqlite)
            .unwrap(),
    );

    // Both backends are needed here, whichever one the rest of the suite runs on.
    let server = crate::common::postgres_server_url()
        .or_else(|| std::env::var("TEST_PG_SERVER").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let pg_url = crate::common::fresh_postgres_database(&server);
    db::connect(&DatabaseUrl::Postgres(pg_url.clone()), 1).unwrap();
    let mut pg = PgConnection::establish(&pg_url).unwrap();
    let pg_shape = shape(
        diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'YES') AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .load(&mut pg)
        .unwrap(),
    );
    let pg_indexes = index_names(
        diesel::sql_query(
            "SELECT i.indexname::text AS name FROM pg_indexes i WHERE i.schemaname = 'public' \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        )
        .load(&mut pg)
        .unwrap(),
    );
    drop(pg);
    let mut admin = PgConnection::establish(&server).unwrap();
    let name = pg_url.rsplit('/').next().unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).unwrap();

    assert_same("columns", &sqlite_shape, &pg_shape);
    assert_same("indexes", &sqlite_indexes, &pg_indexes);
}

/// Both backends hold the same `what`, and there are some to compare.
fn assert_same<T: Ord + std::fmt::Debug>(what: &str, sqlite: &BTreeSet<T>, pg: &BTreeSet<T>) {
    assert!(sqlite.len() > 20, "the {what} were read: {sqlite:?}");
    let only_sqlite: Vec<_> = sqlite.difference(pg).collect();
    let only_pg: Vec<_> = pg.difference(sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "{what} only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
}

/// Servers started at once on one fresh PostgreSQL database: one migrates, the others wait for its
/// advisory lock and find nothing left to do; every start succeeds.
#[test]
fn concurrent_starts_on_postgresql_migrate_once() {
    let server = crate::common::postgres_server_url()
        .or_else(|| std::env::var("TEST_PG_SERVER").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let url = crate::common::fresh_postgres_database(&server);
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = DatabaseUrl::Postgres(url.clone());
            std::thread::spawn(move || db::connect(&url, 1).map(drop).map_err(|e| e.to_string()))
        })
        .collect();
    let results: Vec<_> = starts.into_iter().map(|s| s.join().unwrap()).collect();
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut pg = PgConnection::establish(&url).unwrap();
    let applied =
        diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations").get_result::<Count>(&mut pg);
    drop(pg);
    let mut admin = PgConnection::establish(&server).unwrap();
    let name = url.rsplit('/').next().unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).unwrap();
    assert!(results.iter().all(Result::is_ok), "every start succeeds: {results:?}");
    let folders = std::fs::read_dir("migrations/postgres").unwrap().count() as i64;
    assert_eq!(applied.unwrap().n, folders, "each migration applied once");
}
