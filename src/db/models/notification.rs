use crate::db::schema::notifications;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i32,
    pub user_id: i32,
    pub message_key: String,
    pub case_public_id: Option<String>,
    /// The message as queued for email (`email::message::Mail`, JSON), worded when read.
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification<'a> {
    pub user_id: i32,
    pub message_key: &'a str,
    pub case_public_id: Option<&'a str>,
    pub payload: &'a str,
    pub created_at: NaiveDateTime,
}

/// Keeps one notice per message key, like the outbox.
pub fn insert(conn: &mut DbConnection, new: &NewNotification) -> QueryResult<()> {
    let exists = diesel::select(diesel::dsl::exists(
        notifications::table.filter(notifications::message_key.eq(new.message_key)),
    ))
    .get_result::<bool>(conn)?;
    if !exists {
        diesel::insert_into(notifications::table).values(new).execute(conn)?;
    }
    Ok(())
}

/// A member's notices, newest first, `limit` of them older than `before` (an id) when given.
pub fn page_for_user(
    conn: &mut DbConnection,
    user_id: i32,
    before: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<NotificationRow>> {
    let mut query = notifications::table.filter(notifications::user_id.eq(user_id)).into_boxed();
    if let Some(before) = before {
        query = query.filter(notifications::id.lt(before));
    }
    query.order(notifications::id.desc()).limit(limit).select(NotificationRow::as_select()).load(conn)
}

pub fn count_unread(conn: &mut DbConnection, user_id: i32) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks read the member's notices about one case.
pub fn mark_case_read(
    conn: &mut DbConnection,
    user_id: i32,
    case_public_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::case_public_id.eq(case_public_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
}

/// Marks read the member's notices that were shown (one page: at most a page's worth of ids).
pub fn mark_read(conn: &mut DbConnection, user_id: i32, ids: &[i32], now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::id.eq_any(ids))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
}
