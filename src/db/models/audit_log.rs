//! The audit log of moderator and admin actions. Append-only: this module offers no update or
//! delete, and the database refuses both (triggers), so a row once written stays as written.

use crate::db::schema::{audit_log, cases, users};
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    pub actor_id: i32,
    pub action: String,
    pub case_id: Option<CaseId>,
    pub subject_id: Option<i32>,
    pub before_value: String,
    pub after_value: String,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry<'a> {
    pub actor_id: i32,
    pub action: &'a str,
    pub case_id: Option<CaseId>,
    pub subject_id: Option<i32>,
    pub before_value: &'a str,
    pub after_value: &'a str,
    pub reason: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn append(conn: &mut DbConnection, entry: &NewAuditEntry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table).values(entry).execute(conn).map(drop)
}

/// Which entries to list; every part is optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub case_id: Option<CaseId>,
    pub actor_id: Option<i32>,
    /// Cases whose entries this reader may not see (a moderator's recusals).
    pub hidden_cases: Vec<CaseId>,
}

/// An entry with the names the log page shows: actor's name, case public id, subject's name.
pub type AuditLine = (AuditRow, String, Option<String>, Option<String>);

/// Newest first.
/// Newest first: one page of entries, and how many match in all.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    (offset, limit): (i64, i64),
) -> QueryResult<(Vec<AuditLine>, i64)> {
    let matching = || {
        let mut query = audit_log::table.into_boxed();
        if let Some(action) = &filter.action {
            query = query.filter(audit_log::action.eq(action.clone()));
        }
        if let Some(case_id) = filter.case_id {
            query = query.filter(audit_log::case_id.eq(case_id));
        }
        if let Some(actor_id) = filter.actor_id {
            query = query.filter(audit_log::actor_id.eq(actor_id));
        }
        if !filter.hidden_cases.is_empty() {
            query =
                query.filter(audit_log::case_id.is_null().or(audit_log::case_id.ne_all(filter.hidden_cases.clone())));
        }
        query
    };
    let total = if filter.action.is_none() && filter.case_id.is_none() && filter.actor_id.is_none() {
        // The whole log, counted for paging: read through.
        crate::db::statements::reading_every_row(|| matching().count().get_result(conn))?
    } else {
        matching().count().get_result(conn)?
    };
    let ids: Vec<i32> =
        matching().select(audit_log::id).order(audit_log::id.desc()).offset(offset).limit(limit).load(conn)?;
    let (actors, subjects) = diesel::alias!(users as actors, users as subjects);
    let lines = audit_log::table
        .inner_join(actors.on(actors.field(users::id).eq(audit_log::actor_id)))
        .left_join(cases::table.on(cases::id.nullable().eq(audit_log::case_id)))
        .left_join(subjects.on(subjects.field(users::id).nullable().eq(audit_log::subject_id)))
        .select((
            AuditRow::as_select(),
            actors.field(users::display_name),
            cases::public_id.nullable(),
            subjects.field(users::display_name).nullable(),
        ))
        .filter(audit_log::id.eq_any(ids))
        .order(audit_log::id.desc())
        .load(conn)?;
    Ok((lines, total))
}

pub fn count_for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<i64> {
    audit_log::table.filter(audit_log::case_id.eq(case_id)).count().get_result(conn)
}

pub fn count_for_subject(conn: &mut DbConnection, user_id: i32) -> QueryResult<i64> {
    audit_log::table.filter(audit_log::subject_id.eq(user_id)).count().get_result(conn)
}

/// The reason a moderator gave for the latest `action` on a case (e.g. why a calibration case's
/// outcome is the right one).
pub fn latest_reason(conn: &mut DbConnection, case_id: CaseId, action: &str) -> QueryResult<Option<String>> {
    audit_log::table
        .filter(audit_log::case_id.eq(case_id))
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.desc())
        .select(audit_log::reason)
        .first(conn)
        .optional()
}
