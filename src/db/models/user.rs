use crate::db::schema::users;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub public_id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub locale: String,
    pub time_zone: String,
    pub role: String,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub reminders_enabled: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub public_id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub locale: &'a str,
    pub time_zone: &'a str,
    pub role: &'a str,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewUser) -> QueryResult<UserRow> {
    diesel::insert_into(users::table).values(new).execute(conn)?;
    users::table.filter(users::public_id.eq(new.public_id)).select(UserRow::as_select()).first(conn)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()
}

/// The account that has proven it owns this address (verified), if any.
pub fn verified_id_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<i32>> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::email_verified_at.is_not_null())
        .select(users::id)
        .first(conn)
        .optional()
}

pub fn email_taken(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::email.eq(email)))).get_result(conn)
}

pub fn mark_verified(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::email_verified_at.eq(now), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn set_password_hash(conn: &mut DbConnection, id: i32, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn set_role(conn: &mut DbConnection, id: i32, role: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set((users::role.eq(role), users::updated_at.eq(now))).execute(conn).map(drop)
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = users)]
pub struct SettingsChange<'a> {
    pub display_name: &'a str,
    pub locale: &'a str,
    pub time_zone: &'a str,
    pub reminders_enabled: bool,
    pub updated_at: NaiveDateTime,
}

pub fn update_settings(conn: &mut DbConnection, id: i32, change: &SettingsChange) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(change).execute(conn).map(drop)
}

pub fn set_locale(conn: &mut DbConnection, id: i32, locale: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::locale.eq(locale)).execute(conn).map(drop)
}

pub fn find_by_public_id(conn: &mut DbConnection, public_id: &str) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::public_id.eq(public_id)).select(UserRow::as_select()).first(conn).optional()
}

pub fn set_reminders(conn: &mut DbConnection, id: i32, enabled: bool) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::reminders_enabled.eq(enabled)).execute(conn).map(drop)
}

/// Moderators and admins: who hears about escalated cases.
pub fn moderators(conn: &mut DbConnection) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::role.eq_any(["moderator", "admin"]))
        .order(users::id)
        .select(UserRow::as_select())
        .load(conn)
}

/// Holds the account's row until the transaction ends (PostgreSQL; on SQLite the writer's
/// transaction already runs alone), so checks of a per-account cap cannot interleave.
pub fn lock(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    let query = users::table.find(id).select(users::id);
    match conn {
        DbConnection::Pg(c) => query.for_update().first::<i32>(c)?,
        DbConnection::Sqlite(c) => query.first::<i32>(c)?,
    };
    Ok(())
}

/// (id, public id) of these accounts.
pub fn public_ids(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    users::table.filter(users::id.eq_any(ids)).select((users::id, users::public_id)).load(conn)
}

/// (id, display name, email) of these accounts.
pub fn names_and_emails(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String, String)>> {
    users::table.filter(users::id.eq_any(ids)).select((users::id, users::display_name, users::email)).load(conn)
}

/// (id, display name) of these accounts.
pub fn names(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    users::table.filter(users::id.eq_any(ids)).select((users::id, users::display_name)).load(conn)
}

/// The marketplace vouches for an address an unverified account holds: whoever registered it
/// without proving it loses it (no password, the order's name), and the address is verified.
pub fn claim_for_owner(conn: &mut DbConnection, id: i32, name: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(NO_PASSWORD),
            users::display_name.eq(name),
            users::email_verified_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The password hash of an account that has none yet (made for a marketplace's user): no password
/// verifies against it.
pub const NO_PASSWORD: &str = "!";
