//! The answers given to a marketplace's POSTs, by its idempotency key.
use crate::db::schema::idempotency_keys;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub api_key_id: i32,
    pub idem_key: String,
    pub fingerprint: String,
    pub status: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, api_key_id: i32, idem_key: &str) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table.find((api_key_id, idem_key)).select(IdempotencyRow::as_select()).first(conn).optional()
}

/// Keeps an answer; a second writer of the same key (a concurrent retry) keeps the first.
pub fn insert(
    conn: &mut DbConnection,
    (api_key_id, idem_key): (i32, &str),
    fingerprint: &str,
    (status, body): (i32, &str),
    now: NaiveDateTime,
) -> QueryResult<()> {
    let row = (
        idempotency_keys::api_key_id.eq(api_key_id),
        idempotency_keys::idem_key.eq(idem_key),
        idempotency_keys::fingerprint.eq(fingerprint),
        idempotency_keys::status.eq(status),
        idempotency_keys::body.eq(body),
        idempotency_keys::created_at.eq(now),
    );
    match conn {
        DbConnection::Pg(c) => {
            diesel::insert_into(idempotency_keys::table).values(row).on_conflict_do_nothing().execute(c)
        }
        DbConnection::Sqlite(c) => diesel::insert_or_ignore_into(idempotency_keys::table).values(row).execute(c),
    }
    .map(drop)
}
