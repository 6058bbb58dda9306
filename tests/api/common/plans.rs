//! Query plans of what requests ran: every statement a page or an API call ran is explained on an
//! empty SQLite court without statistics, where the planner takes each table to be large and so
//! uses any index that can serve the statement. A table it still walks has no index for that
//! statement, and the page slows down as the court grows. (SQLite only: the schema's indexes are
//! the same on PostgreSQL, whose `EXPLAIN` cannot plan a statement without its bound values.)

use diesel::prelude::*;
use diesel::sql_types::Text;
use xiaofating::db::statements::StatementLog;

#[derive(QueryableByName)]
struct PlanStep {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// Tables that stay small however large the court grows, and why.
const SMALL_TABLES: [(&str, &str); 1] = [("api_keys", "one row per marketplace key")];

/// The statement's condition is false before any row is read: diesel writes an empty `IN` list as
/// `1=0`, and SQLite tests a constant condition once, before the loop.
fn never_reads(sql: &str) -> bool {
    let Some((_, condition)) = sql.split_once(" WHERE ") else { return false };
    let condition =
        [" ORDER BY ", " GROUP BY ", " LIMIT "].iter().fold(condition, |c, end| c.split(end).next().unwrap());
    condition.replace("1=0", "").replace(" AND ", "").chars().all(|c| c == '(' || c == ')')
}

/// A page read in key order: no condition, no sort, and the walk stops at the limit.
fn reads_one_page(sql: &str, steps: &[String]) -> bool {
    !sql.contains(" WHERE ") && sql.contains(" LIMIT ") && !steps.iter().any(|s| s.starts_with("USE TEMP B-TREE"))
}

/// The plan steps, one statement per entry, that walk a whole table the court grows.
pub fn table_walks(log: &StatementLog) -> Vec<(String, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.db");
    let url = xiaofating::db::DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
    drop(xiaofating::db::connect(&url, 1).unwrap());
    // A plain connection: the pool's refreshes statistics when it opens, and those of empty
    // tables would make every walk look cheap.
    let conn = &mut SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::sql_query("DROP TABLE IF EXISTS sqlite_stat1").execute(conn).unwrap();
    let conn = &mut SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    let mut walks = vec![];
    for sql in log.texts() {
        let verb = sql.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        if !["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains(&verb.as_str()) || never_reads(&sql) {
            continue;
        }
        let plan = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<PlanStep>(conn)
            .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
        let steps: Vec<String> = plan.into_iter().map(|s| s.detail).collect();
        if reads_one_page(&sql, &steps) {
            continue;
        }
        // Results of a CTE or a subquery are walked as built, not tables.
        let built: Vec<&str> = steps
            .iter()
            .filter_map(|s| s.strip_prefix("MATERIALIZE ").or_else(|| s.strip_prefix("CO-ROUTINE ")))
            .collect();
        let walked: Vec<String> = steps
            .iter()
            .filter(|step| {
                let Some(rest) = step.strip_prefix("SCAN ") else { return false };
                let name = rest.split(' ').next().unwrap_or_default();
                !(rest.starts_with("CONSTANT ROW")
                    || rest.contains("VIRTUAL TABLE")
                    || name.starts_with('(')
                    || built.contains(&name)
                    || SMALL_TABLES.iter().any(|(table, _)| *table == name))
            })
            .cloned()
            .collect();
        if !walked.is_empty() {
            walks.push((sql, walked));
        }
    }
    walks
}

/// Fails, naming each statement and its walk, if any statement in `log` walks a table the court
/// grows. On PostgreSQL courts the statements are PostgreSQL's, and this checks nothing.
pub fn assert_index_searches_only(log: &StatementLog) {
    if super::postgres_server_url().is_some() {
        return;
    }
    assert!(log.texts().len() > 10, "the requests' statements were kept: {:?}", log.texts());
    let walks = table_walks(log);
    assert!(walks.is_empty(), "statements that walk a whole table:\n{walks:#?}");
}
