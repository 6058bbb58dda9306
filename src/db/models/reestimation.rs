//! The log of re-estimations of the jurors' records (see `services::jury::reputation`).

use crate::db::schema::reestimations;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reestimations)]
pub struct ReestimationRow {
    pub ran_at: NaiveDateTime,
    pub jurors: i32,
    pub judgements: i32,
    pub iterations: i32,
}

pub fn latest(conn: &mut DbConnection) -> QueryResult<Option<ReestimationRow>> {
    reestimations::table.order(reestimations::id.desc()).select(ReestimationRow::as_select()).first(conn).optional()
}

pub fn insert(conn: &mut DbConnection, row: &ReestimationRow) -> QueryResult<()> {
    diesel::insert_into(reestimations::table).values(row).execute(conn).map(drop)
}
