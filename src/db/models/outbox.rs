use crate::db::schema::outbox;
use crate::db::{total_of, Counted, DbConnection, Window};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Where a message stands: waiting (or being sent), delivered, or given up on. Stored as text (the mapping: `db/text_enum.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum MailStatus {
    Pending,
    Sent,
    Dead,
}

impl MailStatus {
    pub const ALL: [MailStatus; 3] = [MailStatus::Pending, MailStatus::Sent, MailStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<MailStatus> {
        MailStatus::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

thread_local! {
    /// Whether this thread made mail ready to send since it was last asked: whoever ran the work
    /// (a request's database hop, a worker) reads it afterwards and wakes the mail worker, so no
    /// use case or handler has to remember to.
    static QUEUED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether mail became ready to send on this thread since the last call (clearing the mark).
/// Waking the mail worker for a transaction that then rolled back costs one look at the queue.
pub fn take_queued() -> bool {
    QUEUED.with(|queued| queued.replace(false))
}

fn mark_queued() {
    QUEUED.with(|queued| queued.set(true));
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i32,
    pub message_key: String,
    pub kind: String,
    pub recipient_email: String,
    pub locale: String,
    pub payload: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub available_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// A webhook delivery's API key (its endpoint is `recipient_email`); None for mail.
    pub api_key_id: Option<i32>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxMessage<'a> {
    pub message_key: &'a str,
    pub kind: &'a str,
    pub recipient_email: &'a str,
    pub locale: &'a str,
    pub payload: &'a str,
    pub status: MailStatus,
    pub attempts: i32,
    pub available_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub api_key_id: Option<i32>,
}

/// Inserts a message unless one with the same key exists (the key makes enqueueing idempotent).
pub fn insert(conn: &mut DbConnection, new: &NewOutboxMessage) -> QueryResult<()> {
    let exists: bool =
        diesel::select(diesel::dsl::exists(outbox::table.filter(outbox::message_key.eq(new.message_key))))
            .get_result(conn)?;
    if !exists {
        diesel::insert_into(outbox::table).values(new).execute(conn)?;
        mark_queued();
    }
    Ok(())
}

/// Claims up to `limit` due messages by pushing their `available_at` to `lease_until`, so that no
/// other worker (or process) takes them while they are being sent. Run inside a write transaction.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let due = outbox::table
        .filter(outbox::status.eq(MailStatus::Pending))
        .filter(outbox::available_at.le(now))
        .order(outbox::available_at)
        .limit(limit)
        .select(outbox::id);
    let ids: Vec<i32> = match conn {
        DbConnection::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due.load(c)?,
    };
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((outbox::available_at.eq(lease_until), outbox::attempts.eq(outbox::attempts + 1)))
        .execute(conn)?;
    let rows = outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order(outbox::available_at)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok(rows)
}

/// Lets the transaction commit without waiting for PostgreSQL to flush it to disk. Only for records
/// whose loss in a database crash repeats work and loses nothing: a message recorded as sent,
/// forgotten, is sent again under the same Message-ID.
pub fn commit_without_flush(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Pg(c) => diesel::sql_query("SET LOCAL synchronous_commit = off").execute(c).map(drop),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

pub fn mark_sent(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((outbox::status.eq(MailStatus::Sent), outbox::sent_at.eq(now), outbox::last_error.eq(None::<String>)))
        .execute(conn)
        .map(drop)
}

/// Gives back messages claimed by a process that stopped before sending them: due now, and the
/// claim's attempt not counted. Each claim is named by its lease's end, so a row another worker
/// claimed since is left alone.
pub fn release(conn: &mut DbConnection, claims: &[(i32, NaiveDateTime)], now: NaiveDateTime) -> QueryResult<usize> {
    let mut released = 0;
    for (id, lease_until) in claims {
        released += diesel::update(
            outbox::table
                .find(id)
                .filter(outbox::status.eq(MailStatus::Pending))
                .filter(outbox::available_at.eq(lease_until)),
        )
        .set((outbox::available_at.eq(now), outbox::attempts.eq(outbox::attempts - 1)))
        .execute(conn)?;
    }
    Ok(released)
}

pub fn retry_later(conn: &mut DbConnection, id: i32, at: NaiveDateTime, error: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((outbox::available_at.eq(at), outbox::last_error.eq(error)))
        .execute(conn)
        .map(drop)
}

pub fn mark_dead(conn: &mut DbConnection, id: i32, error: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((outbox::status.eq(MailStatus::Dead), outbox::last_error.eq(error)))
        .execute(conn)
        .map(drop)
}

/// The newest messages, for the development mail page.
/// Newest first: one page of messages, and how many there are.
pub fn recent(conn: &mut DbConnection, (offset, limit): Window) -> QueryResult<Counted<OutboxRow>> {
    // Every message, counted for paging: the outbox read through (a development page).
    let total = crate::db::statements::reading_every_row(|| outbox::table.count().get_result(conn))?;
    let rows =
        outbox::table.order(outbox::id.desc()).offset(offset).limit(limit).select(OutboxRow::as_select()).load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<OutboxRow>> {
    outbox::table.find(id).select(OutboxRow::as_select()).first(conn).optional()
}

/// How many messages are in each state.
pub fn counts(conn: &mut DbConnection) -> QueryResult<Vec<(MailStatus, i64)>> {
    outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .order(outbox::status)
        .load(conn)
}

/// When the next pending message becomes due, if any is pending.
pub fn next_pending_at(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    outbox::table
        .filter(outbox::status.eq(MailStatus::Pending))
        .select(diesel::dsl::min(outbox::available_at))
        .first(conn)
}

/// Puts dead messages back in the queue, due now; returns how many.
pub fn retry_dead(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    mark_queued();
    diesel::update(outbox::table.filter(outbox::status.eq(MailStatus::Dead)))
        .set((outbox::status.eq(MailStatus::Pending), outbox::available_at.eq(now), outbox::attempts.eq(0)))
        .execute(conn)
}

/// One page of the messages that could not be delivered, newest first, that were written at or
/// before `written_by` when it is given, and how many there are.
pub fn dead(
    conn: &mut DbConnection,
    written_by: Option<NaiveDateTime>,
    (offset, limit): Window,
) -> QueryResult<Counted<OutboxRow>> {
    // Written out, not bound, so that it matches the partial index `outbox_dead`.
    let dead = format!("outbox.status = '{}'", MailStatus::Dead.as_str());
    let matching = || {
        let query = outbox::table.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&dead)).into_boxed();
        match written_by {
            Some(since) => query.filter(outbox::created_at.le(since)),
            None => query,
        }
    };
    let rows =
        matching().order(outbox::id.desc()).offset(offset).limit(limit).select(OutboxRow::as_select()).load(conn)?;
    let total = total_of(&rows, (offset, limit), || matching().count().get_result(conn))?;
    Ok((rows, total))
}

/// Puts one dead message back in the queue; false when it was not dead.
pub fn retry_one(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    mark_queued();
    diesel::update(outbox::table.find(id).filter(outbox::status.eq(MailStatus::Dead)))
        .set((outbox::status.eq(MailStatus::Pending), outbox::available_at.eq(now), outbox::attempts.eq(0)))
        .execute(conn)
        .map(|n| n == 1)
}
