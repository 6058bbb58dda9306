//! A marketplace's API keys: the key kept as its SHA-256 only, the webhook endpoint and secret.
use crate::db::schema::api_keys;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: i32,
    pub name: String,
    pub key_hash: String,
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub key_hash: &'a str,
    pub webhook_url: Option<&'a str>,
    pub webhook_secret: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewApiKey) -> QueryResult<()> {
    diesel::insert_into(api_keys::table).values(new).execute(conn).map(drop)
}

/// The key with this digest, unless it was revoked.
pub fn find_active(conn: &mut DbConnection, key_hash: &str) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Several keys at once, by id.
pub fn find_all(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<ApiKeyRow>> {
    api_keys::table.filter(api_keys::id.eq_any(ids)).select(ApiKeyRow::as_select()).load(conn)
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<ApiKeyRow>> {
    api_keys::table.order(api_keys::id).select(ApiKeyRow::as_select()).load(conn)
}

/// Revokes the named key; false when there is no such active key.
pub fn revoke(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(api_keys::table.filter(api_keys::name.eq(name)).filter(api_keys::revoked_at.is_null()))
        .set(api_keys::revoked_at.eq(now))
        .execute(conn)
        .map(|n| n == 1)
}

/// The active keys with a webhook endpoint: (id, url).
pub fn endpoints(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String)>> {
    api_keys::table
        .filter(api_keys::revoked_at.is_null())
        .filter(api_keys::webhook_url.is_not_null())
        .order(api_keys::id)
        .select((api_keys::id, api_keys::webhook_url.assume_not_null()))
        .load(conn)
}

/// Whether any marketplace holds an active key: the court then takes registered orders.
pub fn any_active(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(api_keys::table.filter(api_keys::revoked_at.is_null()))).get_result(conn)
}
