use crate::db::schema::settlement_offers;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const OPEN: &str = "open";
pub const ACCEPTED: &str = "accepted";
pub const SUPERSEDED: &str = "superseded";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settlement_offers)]
pub struct SettlementOfferRow {
    pub id: i32,
    pub case_id: i32,
    pub proposer_id: i32,
    pub remedy: String,
    pub remedy_fen: Option<i64>,
    pub note: String,
    pub status: String,
    pub created_at: NaiveDateTime,
}

/// Records a new offer; any earlier open offer on the case is superseded by it.
pub fn insert(
    conn: &mut DbConnection,
    case_id: i32,
    proposer_id: i32,
    remedy: &str,
    remedy_fen: Option<i64>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        settlement_offers::table
            .filter(settlement_offers::case_id.eq(case_id))
            .filter(settlement_offers::status.eq(OPEN)),
    )
    .set(settlement_offers::status.eq(SUPERSEDED))
    .execute(conn)?;
    diesel::insert_into(settlement_offers::table)
        .values((
            settlement_offers::case_id.eq(case_id),
            settlement_offers::proposer_id.eq(proposer_id),
            settlement_offers::remedy.eq(remedy),
            settlement_offers::remedy_fen.eq(remedy_fen),
            settlement_offers::note.eq(note),
            settlement_offers::status.eq(OPEN),
            settlement_offers::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn open_for_case(conn: &mut DbConnection, case_id: i32) -> QueryResult<Option<SettlementOfferRow>> {
    settlement_offers::table
        .filter(settlement_offers::case_id.eq(case_id))
        .filter(settlement_offers::status.eq(OPEN))
        .select(SettlementOfferRow::as_select())
        .first(conn)
        .optional()
}

pub fn mark_accepted(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(settlement_offers::table.find(id))
        .set(settlement_offers::status.eq(ACCEPTED))
        .execute(conn)
        .map(drop)
}
