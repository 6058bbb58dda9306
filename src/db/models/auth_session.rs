use crate::db::models::user::UserRow;
use crate::db::schema::{auth_sessions, users};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = auth_sessions)]
pub struct AuthSessionRow {
    pub id: i32,
    pub token_hash: String,
    pub user_id: i32,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, token_hash: &str, user_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(auth_sessions::table)
        .values((
            auth_sessions::token_hash.eq(token_hash),
            auth_sessions::user_id.eq(user_id),
            auth_sessions::created_at.eq(now),
            auth_sessions::last_seen_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The session and its user in one query.
pub fn find_with_user(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<(AuthSessionRow, UserRow)>> {
    auth_sessions::table
        .inner_join(users::table)
        .filter(auth_sessions::token_hash.eq(token_hash))
        .select((AuthSessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(auth_sessions::table.find(id)).set(auth_sessions::last_seen_at.eq(now)).execute(conn).map(drop)
}

pub fn delete_by_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<()> {
    diesel::delete(auth_sessions::table.filter(auth_sessions::token_hash.eq(token_hash))).execute(conn).map(drop)
}

pub fn delete_for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<()> {
    diesel::delete(auth_sessions::table.filter(auth_sessions::user_id.eq(user_id))).execute(conn).map(drop)
}

/// Ends a user's other sessions (after a password change), keeping the current one.
pub fn delete_others(conn: &mut DbConnection, user_id: i32, keep_hash: &str) -> QueryResult<()> {
    diesel::delete(
        auth_sessions::table.filter(auth_sessions::user_id.eq(user_id)).filter(auth_sessions::token_hash.ne(keep_hash)),
    )
    .execute(conn)
    .map(drop)
}
