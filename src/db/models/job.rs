use crate::db::schema::jobs;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const RESPONSE_DEADLINE: &str = "response_deadline";
pub const EVIDENCE_REMINDER: &str = "evidence_reminder";
pub const EVIDENCE_DEADLINE: &str = "evidence_deadline";
/// The evidence closed: draw the first panel.
pub const DRAW_PANEL: &str = "draw_panel";
/// Summonses of the case that are still unanswered now are replaced.
pub const SUMMONS_DEADLINE: &str = "summons_deadline";
/// A day before the voting deadline: remind jurors who have not voted.
pub const VOTING_REMINDER: &str = "voting_reminder";
/// The round's voting deadline: replace missing jurors once, then escalate.
pub const VOTING_DEADLINE: &str = "voting_deadline";
/// The appeal window closed: the first verdict becomes final.
pub const APPEAL_DEADLINE: &str = "appeal_deadline";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: i32,
    pub kind: String,
    pub case_id: i32,
    pub run_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Failed runs so far, the last one's error, and when it was set aside after too many.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub dead_at: Option<NaiveDateTime>,
}

pub fn schedule(
    conn: &mut DbConnection,
    kind: &str,
    case_id: i32,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(jobs::table)
        .values((jobs::kind.eq(kind), jobs::case_id.eq(case_id), jobs::run_at.eq(run_at), jobs::created_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// Due jobs, oldest first.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<JobRow>> {
    jobs::table
        .filter(jobs::done_at.is_null())
        .filter(jobs::dead_at.is_null())
        .filter(jobs::run_at.le(now))
        .order(jobs::run_at)
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)
}

/// Records a failed run: the job waits `retry_at` to be tried again, or, at `give_up`, is set aside.
pub fn failed(
    conn: &mut DbConnection,
    id: i32,
    error: &str,
    retry_at: NaiveDateTime,
    give_up: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let error: String = error.chars().take(500).collect();
    diesel::update(jobs::table.find(id))
        .set((
            jobs::attempts.eq(jobs::attempts + 1),
            jobs::last_error.eq(error),
            jobs::run_at.eq(retry_at),
            jobs::dead_at.eq(give_up.then_some(now)),
        ))
        .execute(conn)
        .map(drop)
}

/// Marks a job done; false when another worker already did it.
pub fn finish(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(jobs::table.find(id).filter(jobs::done_at.is_null()))
        .set(jobs::done_at.eq(now))
        .execute(conn)
        .map(|n| n == 1)
}
