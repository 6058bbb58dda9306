use crate::db::schema::jury_rounds;
use crate::db::DbConnection;
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One jury round of a case: its policy, deadline and verdict.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jury_rounds)]
pub struct RoundRow {
    pub id: i32,
    pub case_id: CaseId,
    pub round: i32,
    /// The quorum policy, as `QuorumPolicy` writes it; fixed when the round opens.
    pub policy: String,
    pub opened_at: NaiveDateTime,
    pub voting_due_at: Option<NaiveDateTime>,
    pub replaced_missing: bool,
    pub outcome: Option<Side>,
    pub buyer_votes: i32,
    pub seller_votes: i32,
    pub decided_at: Option<NaiveDateTime>,
    pub appealed_by: Option<i32>,
    pub appeal_reason: Option<String>,
    pub appealed_at: Option<NaiveDateTime>,
    /// When a moderator's override replaced this round's verdict.
    pub overruled_at: Option<NaiveDateTime>,
}

pub fn open(conn: &mut DbConnection, case_id: CaseId, round: i32, policy: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(jury_rounds::table)
        .values((
            jury_rounds::case_id.eq(case_id),
            jury_rounds::round.eq(round),
            jury_rounds::policy.eq(policy),
            jury_rounds::opened_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, case_id: CaseId, round: i32) -> QueryResult<Option<RoundRow>> {
    jury_rounds::table
        .filter(jury_rounds::case_id.eq(case_id))
        .filter(jury_rounds::round.eq(round))
        .select(RoundRow::as_select())
        .first(conn)
        .optional()
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<RoundRow>> {
    jury_rounds::table
        .filter(jury_rounds::case_id.eq(case_id))
        .order(jury_rounds::round)
        .select(RoundRow::as_select())
        .load(conn)
}

/// Sets the voting deadline; `replacing` marks that the missing jurors were replaced for it.
pub fn set_voting_due(conn: &mut DbConnection, id: i32, due: NaiveDateTime, replacing: bool) -> QueryResult<()> {
    let round = jury_rounds::table.find(id);
    if replacing {
        diesel::update(round)
            .set((jury_rounds::voting_due_at.eq(due), jury_rounds::replaced_missing.eq(true)))
            .execute(conn)
    } else {
        diesel::update(round).set(jury_rounds::voting_due_at.eq(due)).execute(conn)
    }
    .map(drop)
}

/// A moderator reopened the round: it starts over with no deadline until voting opens again,
/// and its missing jurors may be replaced once more.
pub fn restart(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(jury_rounds::table.find(id))
        .set((jury_rounds::voting_due_at.eq(None::<NaiveDateTime>), jury_rounds::replaced_missing.eq(false)))
        .execute(conn)
        .map(drop)
}

/// Voting stopped without a verdict (escalated, withdrawn, settled): the round has no deadline any
/// more, so the moderators' stalled-votes queue, which reads open deadlines by index, skips it.
pub fn stop_voting(conn: &mut DbConnection, case_id: CaseId, round: i32) -> QueryResult<()> {
    let stopped = jury_rounds::table
        .filter(jury_rounds::case_id.eq(case_id))
        .filter(jury_rounds::round.eq(round))
        .filter(jury_rounds::outcome.is_null());
    diesel::update(stopped).set(jury_rounds::voting_due_at.eq(None::<NaiveDateTime>)).execute(conn).map(drop)
}

/// Records the verdict; false when the round already had one (it never gets a second).
pub fn record_verdict(
    conn: &mut DbConnection,
    id: i32,
    outcome: Side,
    (buyer, seller): (i32, i32),
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(jury_rounds::table.find(id).filter(jury_rounds::outcome.is_null()))
        .set((
            jury_rounds::outcome.eq(outcome),
            jury_rounds::buyer_votes.eq(buyer),
            jury_rounds::seller_votes.eq(seller),
            jury_rounds::decided_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// A moderator's override replaced the standing verdict (the case's last decided round).
pub fn record_overruled(conn: &mut DbConnection, case_id: CaseId, now: NaiveDateTime) -> QueryResult<()> {
    let standing = jury_rounds::table
        .filter(jury_rounds::case_id.eq(case_id))
        .filter(jury_rounds::decided_at.is_not_null())
        .filter(jury_rounds::appealed_at.is_null());
    diesel::update(standing).set(jury_rounds::overruled_at.eq(now)).execute(conn).map(drop)
}

pub fn record_appeal(conn: &mut DbConnection, id: i32, by: i32, reason: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(jury_rounds::table.find(id))
        .set((jury_rounds::appealed_by.eq(by), jury_rounds::appeal_reason.eq(reason), jury_rounds::appealed_at.eq(now)))
        .execute(conn)
        .map(drop)
}
