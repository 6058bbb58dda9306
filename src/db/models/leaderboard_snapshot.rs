//! The public leaderboard as last published (see `domain::public_record`).

use crate::db::schema::leaderboard_snapshots;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = leaderboard_snapshots)]
pub struct SnapshotRow {
    pub published_at: NaiveDateTime,
    pub closed_cases: i64,
    /// JSON: `Vec<PublicRecord>`, ranked.
    pub entries: String,
}

pub fn latest(conn: &mut DbConnection) -> QueryResult<Option<SnapshotRow>> {
    leaderboard_snapshots::table
        .order(leaderboard_snapshots::id.desc())
        .select(SnapshotRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &SnapshotRow) -> QueryResult<()> {
    diesel::insert_into(leaderboard_snapshots::table)
        .values((
            leaderboard_snapshots::published_at.eq(row.published_at),
            leaderboard_snapshots::closed_cases.eq(row.closed_cases),
            leaderboard_snapshots::entries.eq(&row.entries),
        ))
        .execute(conn)
        .map(drop)
}
