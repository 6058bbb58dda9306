use crate::db::schema::{cases, votes};
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A juror's vote: never updated or deleted (the database refuses both).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = votes)]
pub struct VoteRow {
    pub id: i32,
    pub case_id: CaseId,
    pub round: i32,
    pub juror_id: i32,
    pub side: Side,
    pub reason: String,
    pub cast_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    (case_id, round, juror_id): (CaseId, i32, i32),
    side: Side,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(votes::table)
        .values((
            votes::case_id.eq(case_id),
            votes::round.eq(round),
            votes::juror_id.eq(juror_id),
            votes::side.eq(side),
            votes::reason.eq(reason),
            votes::cast_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, case_id: CaseId, round: i32, juror_id: i32) -> QueryResult<Option<VoteRow>> {
    votes::table
        .filter(votes::case_id.eq(case_id))
        .filter(votes::round.eq(round))
        .filter(votes::juror_id.eq(juror_id))
        .select(VoteRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<VoteRow>> {
    votes::table.find(id).select(VoteRow::as_select()).first(conn).optional()
}

/// Every vote of a case, all rounds, in the order cast.
pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<VoteRow>> {
    votes::table.filter(votes::case_id.eq(case_id)).order(votes::id).select(VoteRow::as_select()).load(conn)
}

/// A vote on a finished case: (juror, case, vote, category, the case's final outcome, whether a
/// moderator overrode it, round).
pub type FinalVoteRow = (i32, CaseId, Side, String, Option<Side>, bool, i32);

/// Votes on finished cases (closed, or overridden by a moderator).
pub fn all_final(conn: &mut DbConnection) -> QueryResult<Vec<FinalVoteRow>> {
    votes::table
        .inner_join(cases::table)
        .filter(cases::state.eq_any([CaseState::Closed, CaseState::Overridden]))
        .select((
            votes::juror_id,
            votes::case_id,
            votes::side,
            cases::category,
            cases::outcome,
            cases::state.eq(CaseState::Overridden),
            votes::round,
        ))
        .load(conn)
}

/// Every panel two of these jurors sat on together: (one, the other, their two votes).
pub fn sat_together(conn: &mut DbConnection, jurors: &[i32]) -> QueryResult<Vec<(i32, i32, Side, Side)>> {
    let other = diesel::alias!(votes as other);
    let same_panel = other
        .field(votes::case_id)
        .eq(votes::case_id)
        .and(other.field(votes::round).eq(votes::round))
        .and(other.field(votes::juror_id).gt(votes::juror_id));
    votes::table
        .inner_join(other.on(same_panel))
        .filter(votes::juror_id.eq_any(jurors))
        .filter(other.field(votes::juror_id).eq_any(jurors))
        .select((votes::juror_id, other.field(votes::juror_id), votes::side, other.field(votes::side)))
        .load(conn)
}
