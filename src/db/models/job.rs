use crate::db::models::case::QueueFilter;
use crate::db::schema::{cases, jobs};
use crate::db::{total_of, Counted, DbConnection, Window};
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What a deadline job does when it comes due. Stored as text (the mapping: `db/text_enum.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum JobKind {
    ResponseDeadline,
    EvidenceReminder,
    EvidenceDeadline,
    /// The evidence closed: draw the first panel.
    DrawPanel,
    /// Summonses of the case that are still unanswered now are replaced.
    SummonsDeadline,
    /// A day before the voting deadline: remind jurors who have not voted.
    VotingReminder,
    /// The round's voting deadline: replace missing jurors once, then escalate.
    VotingDeadline,
    /// The appeal window closed: the first verdict becomes final.
    AppealDeadline,
}

impl JobKind {
    const ALL: [JobKind; 8] = [
        JobKind::ResponseDeadline,
        JobKind::EvidenceReminder,
        JobKind::EvidenceDeadline,
        JobKind::DrawPanel,
        JobKind::SummonsDeadline,
        JobKind::VotingReminder,
        JobKind::VotingDeadline,
        JobKind::AppealDeadline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ResponseDeadline => "response_deadline",
            JobKind::EvidenceReminder => "evidence_reminder",
            JobKind::EvidenceDeadline => "evidence_deadline",
            JobKind::DrawPanel => "draw_panel",
            JobKind::SummonsDeadline => "summons_deadline",
            JobKind::VotingReminder => "voting_reminder",
            JobKind::VotingDeadline => "voting_deadline",
            JobKind::AppealDeadline => "appeal_deadline",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: i32,
    /// Text, read kind by kind (`JobKind::parse`): a kind this build does not know (a newer
    /// server's) fails that job alone, never the read of every due job.
    pub kind: String,
    pub case_id: CaseId,
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
    kind: JobKind,
    case_id: CaseId,
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

/// Takes the job for the caller's transaction and marks it done (undone if the transaction rolls
/// back): false when it is done, set aside, or being run by another worker at this moment — on
/// PostgreSQL its row is locked and skipped, so workers on several servers never run it twice nor
/// wait for each other; SQLite has one writer at a time.
pub fn claim(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let open = jobs::table.find(id).filter(jobs::done_at.is_null()).filter(jobs::dead_at.is_null()).select(jobs::id);
    let taken: Option<i32> = match conn {
        DbConnection::Pg(c) => open.for_update().skip_locked().first(c).optional()?,
        DbConnection::Sqlite(c) => open.first(c).optional()?,
    };
    Ok(taken.is_some() && finish(conn, id, now)?)
}

fn finish(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(jobs::table.find(id).filter(jobs::done_at.is_null()))
        .set(jobs::done_at.eq(now))
        .execute(conn)
        .map(|n| n == 1)
}

/// One page of the jobs set aside after too many failures, with their case's public id, longest
/// waiting first, and how many there are.
pub fn dead(
    conn: &mut DbConnection,
    filter: QueueFilter,
    (offset, limit): Window,
) -> QueryResult<Counted<(JobRow, String)>> {
    let matching = || {
        let query = jobs::table.inner_join(cases::table).filter(jobs::dead_at.is_not_null()).filter(filter.on_cases());
        match filter.waiting_since {
            Some(since) => query.filter(jobs::dead_at.le(since)).into_boxed(),
            None => query.into_boxed(),
        }
    };
    let rows = matching()
        .order((jobs::dead_at, jobs::id))
        .offset(offset)
        .limit(limit)
        .select((JobRow::as_select(), cases::public_id))
        .load(conn)?;
    let total = total_of(&rows, (offset, limit), || matching().count().get_result(conn))?;
    Ok((rows, total))
}

/// The case a job belongs to, if the job exists.
pub fn case_of(conn: &mut DbConnection, id: i32) -> QueryResult<Option<CaseId>> {
    jobs::table.find(id).select(jobs::case_id).first(conn).optional()
}

/// Puts jobs that were set aside back in the queue, due now with a fresh count of attempts: one
/// job, or every one not on a hidden case. Returns how many.
pub fn retry_dead(
    conn: &mut DbConnection,
    one: Option<i32>,
    hidden: &[CaseId],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let dead = jobs::table.filter(jobs::dead_at.is_not_null()).filter(jobs::case_id.ne_all(hidden.to_vec()));
    let again = (jobs::dead_at.eq(None::<NaiveDateTime>), jobs::attempts.eq(0), jobs::run_at.eq(now));
    match one {
        Some(id) => diesel::update(dead.filter(jobs::id.eq(id))).set(again).execute(conn),
        None => diesel::update(dead).set(again).execute(conn),
    }
}
