//! Rate limits counted in PostgreSQL, so that every server of a court shares them: one GCRA
//! "theoretical arrival time" per key, moved forward in one statement under the row's lock.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::PgConnection;

#[derive(QueryableByName)]
struct Tat {
    #[diesel(sql_type = BigInt)]
    tat_ms: i64,
}

/// Counts one request for `key` at `now_ms`, allowing `burst` at once and one more every
/// `every_ms`: `None` when allowed, else how many milliseconds until the next one would be.
pub fn take(conn: &mut PgConnection, key: &str, now_ms: i64, every_ms: i64, burst: i64) -> QueryResult<Option<i64>> {
    let counted: Option<Tat> = diesel::sql_query(
        "INSERT INTO rate_limits AS r (key, tat_ms) VALUES ($1, $2 + $3) \
         ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(r.tat_ms, $2) + $3 \
         WHERE GREATEST(r.tat_ms, $2) - $2 <= $3 * ($4 - 1) \
         RETURNING tat_ms",
    )
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(now_ms)
    .bind::<BigInt, _>(every_ms)
    .bind::<BigInt, _>(burst)
    .get_result(conn)
    .optional()?;
    if counted.is_some() {
        return Ok(None);
    }
    // Swept by another server in between (its clock ahead of ours): full again, try once more soon.
    let tat: Option<Tat> = diesel::sql_query("SELECT tat_ms FROM rate_limits WHERE key = $1")
        .bind::<Text, _>(key)
        .get_result(conn)
        .optional()?;
    Ok(Some(tat.map_or(1, |tat| (tat.tat_ms - every_ms * (burst - 1) - now_ms).max(1))))
}

/// Forgets keys whose allowance is full again (their arrival time has passed).
pub fn forget_full(conn: &mut PgConnection, now_ms: i64) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_limits WHERE tat_ms < $1").bind::<BigInt, _>(now_ms).execute(conn)
}
