use crate::db::schema::settlement_offers;
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Where a settlement offer stands: open, accepted, or replaced by a later offer. Stored as text (the mapping: `db/text_enum.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum OfferStatus {
    Open,
    Accepted,
    Superseded,
}

impl OfferStatus {
    pub const ALL: [OfferStatus; 3] = [OfferStatus::Open, OfferStatus::Accepted, OfferStatus::Superseded];

    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Accepted => "accepted",
            OfferStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<OfferStatus> {
        OfferStatus::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settlement_offers)]
pub struct SettlementOfferRow {
    pub id: i32,
    pub case_id: CaseId,
    pub proposer_id: i32,
    pub remedy: String,
    pub remedy_fen: Option<i64>,
    pub note: String,
    pub status: OfferStatus,
    pub created_at: NaiveDateTime,
}

/// Records a new offer; any earlier open offer on the case is superseded by it.
pub fn insert(
    conn: &mut DbConnection,
    case_id: CaseId,
    proposer_id: i32,
    remedy: &str,
    remedy_fen: Option<i64>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        settlement_offers::table
            .filter(settlement_offers::case_id.eq(case_id))
            .filter(settlement_offers::status.eq(OfferStatus::Open)),
    )
    .set(settlement_offers::status.eq(OfferStatus::Superseded))
    .execute(conn)?;
    diesel::insert_into(settlement_offers::table)
        .values((
            settlement_offers::case_id.eq(case_id),
            settlement_offers::proposer_id.eq(proposer_id),
            settlement_offers::remedy.eq(remedy),
            settlement_offers::remedy_fen.eq(remedy_fen),
            settlement_offers::note.eq(note),
            settlement_offers::status.eq(OfferStatus::Open),
            settlement_offers::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn open_for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Option<SettlementOfferRow>> {
    in_state(conn, case_id, OfferStatus::Open)
}

/// The accepted offers of several cases at once (at most one per case).
pub fn accepted_in(conn: &mut DbConnection, case_ids: &[CaseId]) -> QueryResult<Vec<SettlementOfferRow>> {
    settlement_offers::table
        .filter(settlement_offers::case_id.eq_any(case_ids))
        .filter(settlement_offers::status.eq(OfferStatus::Accepted))
        .select(SettlementOfferRow::as_select())
        .load(conn)
}

/// The case's offer in `status` (at most one is open, at most one accepted).
pub fn in_state(
    conn: &mut DbConnection,
    case_id: CaseId,
    status: OfferStatus,
) -> QueryResult<Option<SettlementOfferRow>> {
    settlement_offers::table
        .filter(settlement_offers::case_id.eq(case_id))
        .filter(settlement_offers::status.eq(status))
        .select(SettlementOfferRow::as_select())
        .first(conn)
        .optional()
}

pub fn mark_accepted(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(settlement_offers::table.find(id))
        .set(settlement_offers::status.eq(OfferStatus::Accepted))
        .execute(conn)
        .map(drop)
}
