//! A moderator's ruling in place of the jury's: at most one per case (a unique key).
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;

use crate::db::schema::overrides;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = overrides)]
pub struct OverrideRow {
    pub id: i32,
    pub case_id: CaseId,
    pub moderator_id: i32,
    pub outcome: Side,
    pub remedy: String,
    pub amount_fen: Option<i64>,
    /// The outcome the jury had reached, if it had.
    pub jury_outcome: Option<Side>,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = overrides)]
pub struct NewOverride<'a> {
    pub case_id: CaseId,
    pub moderator_id: i32,
    pub outcome: Side,
    pub remedy: &'a str,
    pub amount_fen: Option<i64>,
    pub jury_outcome: Option<&'a str>,
    pub reason: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewOverride) -> QueryResult<()> {
    diesel::insert_into(overrides::table).values(new).execute(conn).map(drop)
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Option<OverrideRow>> {
    overrides::table.filter(overrides::case_id.eq(case_id)).select(OverrideRow::as_select()).first(conn).optional()
}

/// The overrides of several cases at once (a page of the marketplace's case list).
pub fn for_cases(conn: &mut DbConnection, case_ids: &[CaseId]) -> QueryResult<Vec<OverrideRow>> {
    overrides::table.filter(overrides::case_id.eq_any(case_ids)).select(OverrideRow::as_select()).load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    overrides::table.count().get_result(conn)
}
