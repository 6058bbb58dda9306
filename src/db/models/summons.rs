use crate::db::schema::{cases, jurors, summons, votes};
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::ids::CaseId;
use crate::domain::juror::SeatStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = summons)]
pub struct SummonsRow {
    pub id: i32,
    pub case_id: CaseId,
    pub juror_id: i32,
    pub round: i32,
    pub status: SeatStatus,
    pub summoned_at: NaiveDateTime,
    pub respond_by: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    case_id: CaseId,
    juror_ids: &[i32],
    round: i32,
    respond_by: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    // One statement per juror: batch inserts are not available through the multi-backend connection.
    for juror in juror_ids {
        diesel::insert_into(summons::table)
            .values((
                summons::case_id.eq(case_id),
                summons::juror_id.eq(*juror),
                summons::round.eq(round),
                summons::status.eq(SeatStatus::Pending),
                summons::summoned_at.eq(now),
                summons::respond_by.eq(respond_by),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<SummonsRow>> {
    summons::table.find(id).select(SummonsRow::as_select()).first(conn).optional()
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<SummonsRow>> {
    summons::table.filter(summons::case_id.eq(case_id)).order(summons::id).select(SummonsRow::as_select()).load(conn)
}

/// Moves a summons on from `from`; false when it was no longer in that status.
pub fn answer(
    conn: &mut DbConnection,
    id: i32,
    (from, to): (SeatStatus, SeatStatus),
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(summons::table.find(id).filter(summons::status.eq(from)))
        .set((summons::status.eq(to), summons::answered_at.eq(now)))
        .execute(conn)
        .map(|n| n == 1)
}

/// Pending summonses of a case whose time ran out.
pub fn overdue(conn: &mut DbConnection, case_id: CaseId, now: NaiveDateTime) -> QueryResult<Vec<SummonsRow>> {
    summons::table
        .filter(summons::case_id.eq(case_id))
        .filter(summons::status.eq(SeatStatus::Pending))
        .filter(summons::respond_by.le(now))
        .select(SummonsRow::as_select())
        .load(conn)
}

/// Releases every pending summons of a case that no longer needs a panel.
pub fn release_pending(conn: &mut DbConnection, case_id: CaseId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(summons::table.filter(summons::case_id.eq(case_id)).filter(summons::status.eq(SeatStatus::Pending)))
        .set((summons::status.eq(SeatStatus::Released), summons::answered_at.eq(now)))
        .execute(conn)
}

/// Per juror of `among`, the summonses since `since` that take up capacity.
pub fn holding_since(conn: &mut DbConnection, among: &[i32], since: NaiveDateTime) -> QueryResult<Vec<(i32, i64)>> {
    summons::table
        .filter(summons::juror_id.eq_any(among))
        .filter(summons::summoned_at.gt(since))
        .filter(summons::status.eq_any(SeatStatus::HOLDING))
        .group_by(summons::juror_id)
        .select((summons::juror_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Those of `among` whose summonses since `since` have reached their capacity. Asked of the jurors a
/// draw picked, not of the whole court: a week's summonses are far more rows than one panel's.
pub fn at_capacity(conn: &mut DbConnection, among: &[i32], since: NaiveDateTime) -> QueryResult<Vec<i32>> {
    summons::table
        .inner_join(jurors::table.on(jurors::user_id.eq(summons::juror_id)))
        .filter(summons::juror_id.eq_any(among))
        .filter(summons::summoned_at.gt(since))
        .filter(summons::status.eq_any(SeatStatus::HOLDING))
        .group_by(summons::juror_id)
        .having(diesel::dsl::sql::<diesel::sql_types::Bool>("count(*) >= max(jurors.capacity)"))
        .select(summons::juror_id)
        .load(conn)
}

/// A juror's summonses with their cases, newest first.
pub fn for_juror(
    conn: &mut DbConnection,
    juror_id: i32,
    limit: i64,
) -> QueryResult<Vec<(SummonsRow, crate::db::models::case::CaseRow)>> {
    summons::table
        .inner_join(cases::table)
        .filter(summons::juror_id.eq(juror_id))
        .order(summons::id.desc())
        .limit(limit)
        .select((SummonsRow::as_select(), crate::db::models::case::CaseRow::as_select()))
        .load(conn)
}

/// What still waits for the juror: summonses to answer in time, and seats in the current round of
/// cases being voted on that have no vote of theirs yet.
#[diesel::dsl::auto_type(no_type_alias)]
fn waiting_duties(juror_id: i32, now: NaiveDateTime) -> _ {
    let (pending, accepted, voting): (SeatStatus, SeatStatus, CaseState) =
        (SeatStatus::Pending, SeatStatus::Accepted, CaseState::Voting);
    let to_answer = summons::status.eq(pending).and(summons::respond_by.ge(now));
    let voted = votes::table
        .filter(votes::case_id.eq(summons::case_id))
        .filter(votes::round.eq(summons::round))
        .filter(votes::juror_id.eq(summons::juror_id));
    let to_vote = summons::status
        .eq(accepted)
        .and(cases::state.eq(voting))
        .and(summons::round.eq(cases::round))
        .and(diesel::dsl::not(diesel::dsl::exists(voted)));
    summons::table.inner_join(cases::table).filter(summons::juror_id.eq(juror_id)).filter(to_answer.or(to_vote))
}

/// The juror's waiting duties (`waiting_duties`) with their cases, oldest summons first.
pub fn open_duties(
    conn: &mut DbConnection,
    juror_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<(SummonsRow, crate::db::models::case::CaseRow)>> {
    waiting_duties(juror_id, now)
        .order(summons::id)
        .select((SummonsRow::as_select(), crate::db::models::case::CaseRow::as_select()))
        .load(conn)
}

/// How many duties wait for the juror: the header's count, without reading them.
pub fn count_open_duties(conn: &mut DbConnection, juror_id: i32, now: NaiveDateTime) -> QueryResult<i64> {
    waiting_duties(juror_id, now).count().get_result(conn)
}

/// Whether this account holds (or held) a seat on the case: an accepted juror may read it.
pub fn has_seat(conn: &mut DbConnection, case_id: CaseId, juror_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        summons::table
            .filter(summons::case_id.eq(case_id))
            .filter(summons::juror_id.eq(juror_id))
            .filter(summons::status.eq(SeatStatus::Accepted)),
    ))
    .get_result(conn)
}

pub fn pending_for_juror(conn: &mut DbConnection, juror_id: i32) -> QueryResult<Vec<SummonsRow>> {
    summons::table
        .filter(summons::juror_id.eq(juror_id))
        .filter(summons::status.eq(SeatStatus::Pending))
        .select(SummonsRow::as_select())
        .load(conn)
}

/// Emails of jurors with a pending summons, oldest summons first.
pub fn pending_emails(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<String>> {
    use crate::db::schema::users;
    summons::table
        .inner_join(users::table.on(users::id.eq(summons::juror_id)))
        .filter(summons::status.eq(SeatStatus::Pending))
        .order(summons::id)
        .limit(limit)
        .select(users::email)
        .load(conn)
}
