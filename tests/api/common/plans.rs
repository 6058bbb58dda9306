//! Query plans of what requests ran. Every statement a page or an API call ran is explained on an
//! empty SQLite court without statistics, where the planner takes each table to be large and so
//! uses any index that can serve the statement: a table it still walks has no index for that
//! statement, and the page slows down as the court grows.
//!
//! SQLite only. PostgreSQL plans by cost, and on a test's few rows a walk is the cheapest plan
//! even with sequential scans priced out (it walks the primary key in order instead). Its
//! migrations create the same indexes by name
//! (`migrations::both_backends_have_the_same_tables_columns_and_indexes`), and its statements are
//! the same queries written in its dialect.

use diesel::prelude::*;
use diesel::sql_types::Text;
use xiaofating::db::statements::StatementLog;

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = detail)]
    text: String,
}

/// A court that counts each request's statements (`X-Statements`) and keeps their texts, for
/// `assert_index_searches_only`.
pub async fn court_keeping_statements(
    customise: impl FnOnce(&mut xiaofating::config::Settings),
) -> (super::TestApp, StatementLog) {
    let log = StatementLog::default();
    let kept = log.clone();
    let app = super::spawn_app_with(move |s| {
        s.expose_statements = true;
        s.statement_log = Some(kept);
        customise(s);
    })
    .await;
    (app, log)
}

/// Tables that stay small however large the court grows, and why.
const SMALL_TABLES: [(&str, &str); 1] = [("api_keys", "one row per marketplace key")];

/// Fails, naming each statement and its walk, if any statement in `log` walks a table the court
/// grows; `database_url` is the court's own (on PostgreSQL this checks nothing, see above).
pub fn assert_index_searches_only(log: &StatementLog, database_url: &str) {
    if !database_url.starts_with("sqlite") {
        return;
    }
    let texts = log.texts();
    assert!(texts.len() > 10, "the requests' statements were kept: {texts:?}");
    let plans = sqlite_plans(&texts);
    let walks: Vec<(String, Vec<String>)> = plans
        .into_iter()
        .map(|(sql, steps)| {
            let walked = steps.iter().filter(|step| walks_a_table(step)).cloned().collect::<Vec<_>>();
            (sql, steps, walked)
        })
        .filter(|(sql, steps, walked)| !walked.is_empty() && !reads_one_page(sql, steps))
        .map(|(sql, _, walked)| (sql, walked))
        .collect();
    assert!(walks.is_empty(), "statements that walk a whole table:\n{walks:#?}");
}

/// Statements that read rows: not transaction control, not pragmas, and not those whose condition
/// is false before any row is read (diesel writes an empty `IN` list as `1=0`, which the database
/// tests once, before the loop: alone, or first in a chain of ANDs). The first ` WHERE ` is taken as the statement's own: one inside a
/// joined subquery could hide the outer statement (diesel writes none such here).
fn reads(sql: &str) -> bool {
    let verb = sql.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    if !["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains(&verb.as_str()) {
        return false;
    }
    let Some((_, condition)) = sql.split_once(" WHERE ") else { return true };
    let condition =
        [" ORDER BY ", " GROUP BY ", " LIMIT "].iter().fold(condition, |c, end| c.split(end).next().unwrap());
    // `1=0` alone, or first in a chain of ANDs with no OR anywhere.
    let first = condition.trim_start_matches('(');
    let first_is_false = first == "1=0" || first.starts_with("1=0)");
    !first_is_false || condition.contains(" OR ")
}

/// A page read in key order: no condition, no sort, and only the outermost table walked, which
/// stops at the limit.
fn reads_one_page(sql: &str, steps: &[String]) -> bool {
    let walked: Vec<&String> = steps.iter().filter(|s| walks_a_table(s)).collect();
    !sql.contains(" WHERE ")
        && sql.contains(" LIMIT ")
        && !steps.iter().any(|s| s.starts_with("USE TEMP B-TREE"))
        && walked.len() == 1
        && steps.first() == walked.first().copied()
}

/// A plan step that reads a whole table the court grows: a scan, or an index SQLite builds for
/// want of one (a CTE's or subquery's rows are built, not walked).
fn walks_a_table(step: &str) -> bool {
    if step.contains("AUTOMATIC") {
        return true;
    }
    let Some(rest) = step.strip_prefix("SCAN ") else { return false };
    let name = rest.split(' ').next().unwrap_or_default();
    !(rest.starts_with("CONSTANT ROW")
        || rest.contains("VIRTUAL TABLE")
        || name.starts_with('(')
        || rest.contains("(built)")
        || SMALL_TABLES.iter().any(|(table, _)| *table == name))
}

/// SQLite's `EXPLAIN QUERY PLAN` lines of each statement, on an empty court without statistics.
fn sqlite_plans(texts: &[String]) -> Vec<(String, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.db");
    let url = xiaofating::db::DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
    drop(xiaofating::db::connect(&url, 1).unwrap());
    // A plain connection: the pool's refreshes statistics when it opens, and those of empty
    // tables would make every walk look cheap.
    let conn = &mut SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::sql_query("DROP TABLE IF EXISTS sqlite_stat1").execute(conn).unwrap();
    let conn = &mut SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    texts
        .iter()
        .filter(|sql| reads(sql))
        .map(|sql| {
            let lines = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                .load::<PlanLine>(conn)
                .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
            let lines: Vec<String> = lines.into_iter().map(|l| l.text).collect();
            // What a CTE or subquery built is scanned by its own name: marked as built.
            let built: Vec<String> = lines
                .iter()
                .filter_map(|l| l.strip_prefix("MATERIALIZE ").or_else(|| l.strip_prefix("CO-ROUTINE ")))
                .map(str::to_string)
                .collect();
            let steps = lines
                .into_iter()
                .map(|l| match l.strip_prefix("SCAN ").map(|r| r.split(' ').next().unwrap_or_default()) {
                    Some(name) if built.iter().any(|b| b == name) => format!("{l} (built)"),
                    _ => l,
                })
                .collect();
            (sql.clone(), steps)
        })
        .collect()
}
