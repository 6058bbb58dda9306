//! Facts every server of one PostgreSQL court must agree on, kept in the database they share.
use crate::db::schema::court_settings;
use diesel::prelude::*;
use diesel::PgConnection;

/// The fingerprint of the key that signs cookies and links (never the key itself).
pub const SECRET_KEY_FINGERPRINT: &str = "secret_key_fingerprint";

pub fn find(conn: &mut PgConnection, name: &str) -> QueryResult<Option<String>> {
    court_settings::table.find(name).select(court_settings::value).first(conn).optional()
}

/// Records `value` unless a value is there already; returns the one that stands.
pub fn keep_first(conn: &mut PgConnection, name: &str, value: &str) -> QueryResult<String> {
    diesel::insert_into(court_settings::table)
        .values((court_settings::name.eq(name), court_settings::value.eq(value)))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(find(conn, name)?.unwrap_or_else(|| value.to_string()))
}

pub fn replace(conn: &mut PgConnection, name: &str, value: &str) -> QueryResult<()> {
    diesel::insert_into(court_settings::table)
        .values((court_settings::name.eq(name), court_settings::value.eq(value)))
        .on_conflict(court_settings::name)
        .do_update()
        .set(court_settings::value.eq(value))
        .execute(conn)
        .map(drop)
}
