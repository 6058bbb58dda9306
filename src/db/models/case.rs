use crate::db::schema::cases;
use crate::db::{total_of, Counted, DbConnection, Window};
use crate::domain::case::CaseState;
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Timestamp};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: CaseId,
    pub public_id: String,
    pub submission_key: String,
    pub claimant_id: i32,
    pub claimant_side: Side,
    pub respondent_id: Option<i32>,
    pub respondent_email: String,
    pub order_ref: String,
    pub item_title: String,
    pub category: String,
    pub price_fen: i64,
    pub disputed_fen: i64,
    pub currency: String,
    pub claim_statement: String,
    pub remedy: String,
    pub remedy_fen: Option<i64>,
    pub answer_statement: Option<String>,
    pub answer_remedy: Option<String>,
    pub answer_remedy_fen: Option<i64>,
    pub answered_at: Option<NaiveDateTime>,
    pub state: CaseState,
    pub response_due_at: Option<NaiveDateTime>,
    pub evidence_due_at: Option<NaiveDateTime>,
    pub evidence_hours: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// Why the case went to the moderators (an i18n key), while it is escalated.
    pub escalation_reason: Option<String>,
    /// The known right outcome ("buyer" or "seller") of a calibration case.
    pub calibration_outcome: Option<Side>,
    /// 1 for the first jury, 2 once appealed.
    pub round: i32,
    /// The side the standing verdict favours ("buyer" / "seller"); final once the case is closed.
    pub outcome: Option<Side>,
    /// Until when the losing side may appeal the first verdict.
    pub appeal_due_at: Option<NaiveDateTime>,
    /// The type of dispute the claimant confirmed when filing (None: filed before they were asked).
    pub dispute_type: Option<String>,
    /// The classifier's type for the claim as filed, and its calibrated confidence.
    pub triage_type: Option<String>,
    pub triage_confidence: Option<f64>,
    /// The type as the respondent sees it, when they said it differs.
    pub respondent_type: Option<String>,
    /// The marketplace order the case is about, when a marketplace registered it.
    pub order_id: Option<i32>,
    /// Filed with a typed order number while the court takes registered orders: nobody vouched for it.
    pub order_unverified: bool,
    /// What the marketplace reported doing about the final verdict (`RemedyOutcome`), its id for
    /// it, the money moved and when.
    pub remedy_report: Option<String>,
    pub remedy_reference: Option<String>,
    pub remedy_done_fen: Option<i64>,
    pub remedy_reported_at: Option<NaiveDateTime>,
}

impl CaseRow {
    /// How far the court can vouch for the order: "verified" (a marketplace registered it),
    /// "unverified" (typed while the court takes registered orders), None in a standalone court.
    pub fn order_check(&self) -> Option<&'static str> {
        match (self.order_id, self.order_unverified) {
            (Some(_), _) => Some("verified"),
            (None, true) => Some("unverified"),
            (None, false) => None,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase<'a> {
    pub public_id: &'a str,
    pub submission_key: &'a str,
    pub claimant_id: i32,
    pub claimant_side: Side,
    pub respondent_id: Option<i32>,
    pub respondent_email: &'a str,
    pub order_ref: &'a str,
    pub item_title: &'a str,
    pub category: &'a str,
    pub price_fen: i64,
    pub disputed_fen: i64,
    pub currency: &'a str,
    pub claim_statement: &'a str,
    pub remedy: &'a str,
    pub remedy_fen: Option<i64>,
    pub state: &'a str,
    pub response_due_at: Option<NaiveDateTime>,
    pub evidence_hours: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub dispute_type: Option<&'a str>,
    pub triage_type: Option<&'a str>,
    pub triage_confidence: Option<f64>,
    pub order_id: Option<i32>,
    pub order_unverified: bool,
}

pub fn insert(conn: &mut DbConnection, new: &NewCase) -> QueryResult<CaseRow> {
    diesel::insert_into(cases::table).values(new).execute(conn)?;
    find_by_public_id(conn, new.public_id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn find_by_public_id(conn: &mut DbConnection, public_id: &str) -> QueryResult<Option<CaseRow>> {
    cases::table.filter(cases::public_id.eq(public_id)).select(CaseRow::as_select()).first(conn).optional()
}

pub fn find_by_submission_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<CaseRow>> {
    cases::table.filter(cases::submission_key.eq(key)).select(CaseRow::as_select()).first(conn).optional()
}

/// Reads a case for a change inside a write transaction; on PostgreSQL the row is locked so
/// concurrent changes to one case queue (SQLite's `BEGIN IMMEDIATE` already serialises writers).
pub fn find_for_update(conn: &mut DbConnection, id: CaseId) -> QueryResult<CaseRow> {
    let query = cases::table.find(id).select(cases::id);
    match conn {
        DbConnection::Pg(c) => query.for_update().first::<i32>(c)?,
        DbConnection::Sqlite(c) => query.first::<i32>(c)?,
    };
    cases::table.find(id).select(CaseRow::as_select()).first(conn)
}

/// Cases where the user is a party (as claimant, or as respondent by account or invited email).
/// What a party's case list shows: cases whose item, order number or case id contains `search`,
/// in the given states (all when empty).
pub struct PartyFilter<'a> {
    pub search: &'a str,
    pub states: &'a [&'a str],
}

/// One page of a party's cases (as claimant, or as respondent by account or invited email), the
/// most recently changed first, and how many match in all.
pub fn for_party(
    conn: &mut DbConnection,
    (user_id, email): (i32, &str),
    filter: &PartyFilter,
    (offset, limit): (i64, i64),
) -> QueryResult<Counted<CaseRow>> {
    let pattern = format!("%{}%", filter.search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let matching = || {
        let mut query = cases::table
            .filter(
                cases::claimant_id
                    .eq(user_id)
                    .or(cases::respondent_id.eq(user_id))
                    .or(cases::respondent_email.eq(email)),
            )
            .into_boxed();
        if !filter.search.is_empty() {
            query = query.filter(
                cases::item_title
                    .like(pattern.clone())
                    .escape('\\')
                    .or(cases::order_ref.like(pattern.clone()).escape('\\'))
                    .or(cases::public_id.like(pattern.clone()).escape('\\')),
            );
        }
        if !filter.states.is_empty() {
            query = query.filter(cases::state.eq_any(filter.states.to_vec()));
        }
        query
    };
    let total = matching().count().get_result(conn)?;
    let rows = matching()
        .order((cases::updated_at.desc(), cases::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Links invitations sent to this email to the account that now owns it.
pub fn claim_invitations(conn: &mut DbConnection, user_id: i32, email: &str) -> QueryResult<usize> {
    diesel::update(cases::table.filter(cases::respondent_email.eq(email)).filter(cases::respondent_id.is_null()))
        .set(cases::respondent_id.eq(user_id))
        .execute(conn)
}

pub fn count_open_for_claimant(conn: &mut DbConnection, user_id: i32, open_states: &[CaseState]) -> QueryResult<i64> {
    cases::table
        .filter(cases::claimant_id.eq(user_id))
        .filter(cases::state.eq_any(open_states))
        .count()
        .get_result(conn)
}

#[derive(Debug, AsChangeset, Default)]
#[diesel(table_name = cases)]
pub struct CaseChange<'a> {
    pub state: Option<&'a str>,
    pub response_due_at: Option<NaiveDateTime>,
    pub evidence_due_at: Option<NaiveDateTime>,
    pub answer_statement: Option<&'a str>,
    pub answer_remedy: Option<&'a str>,
    pub answer_remedy_fen: Option<Option<i64>>,
    pub answered_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
    pub escalation_reason: Option<&'a str>,
    pub round: Option<i32>,
    pub outcome: Option<Side>,
    pub appeal_due_at: Option<NaiveDateTime>,
    pub respondent_type: Option<Option<&'a str>>,
}

pub fn update(conn: &mut DbConnection, id: CaseId, change: &CaseChange) -> QueryResult<()> {
    diesel::update(cases::table.find(id)).set(change).execute(conn).map(drop)
}

pub fn find_by_id(conn: &mut DbConnection, id: CaseId) -> QueryResult<CaseRow> {
    cases::table.find(id).select(CaseRow::as_select()).first(conn)
}

/// Everyone who was ever on the other side of a case with one of `people`, and they themselves.
pub fn counterparts(conn: &mut DbConnection, people: &[i32]) -> QueryResult<Vec<i32>> {
    let pairs: Vec<(i32, Option<i32>)> = cases::table
        .filter(cases::claimant_id.eq_any(people).or(cases::respondent_id.eq_any(people)))
        .select((cases::claimant_id, cases::respondent_id))
        .load(conn)?;
    let mut ids: Vec<i32> =
        pairs.into_iter().flat_map(|(c, r)| [Some(c), r]).flatten().chain(people.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The cases any of these people is a party to (by account, or by the address a case was sent to).
pub fn involving(conn: &mut DbConnection, people: &[i32], email: &str) -> QueryResult<Vec<CaseId>> {
    cases::table
        .filter(
            cases::claimant_id
                .eq_any(people)
                .or(cases::respondent_id.eq_any(people))
                .or(cases::respondent_email.eq(email)),
        )
        .select(cases::id)
        .load(conn)
}

/// Cases whose votes count in jurors' records: closed by the jury, or overridden.
pub fn count_judged(conn: &mut DbConnection) -> QueryResult<i64> {
    cases::table.filter(cases::state.eq_any([CaseState::Closed, CaseState::Overridden])).count().get_result(conn)
}

/// Which cases a moderators' queue lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueFilter<'a> {
    pub category: Option<&'a str>,
    /// Only cases that have waited since before this time.
    pub waiting_since: Option<NaiveDateTime>,
    /// Cases this moderator may not see (recusal).
    pub hidden: &'a [CaseId],
}

/// A condition on the cases of a query, whatever else it joins.
pub type CaseCondition<'a, QS> = Box<dyn BoxableExpression<QS, Backend, SqlType = Bool> + 'a>;

impl QueueFilter<'_> {
    /// Whether the filter leaves some cases out (by category or recusal), so that a count must
    /// read the cases.
    pub fn narrows_cases(&self) -> bool {
        self.category.is_some() || !self.hidden.is_empty()
    }

    /// The category and recusal parts of the filter (each queue measures the wait its own way),
    /// for any query that reads `cases`.
    pub fn on_cases<'a, QS: 'a>(&self) -> CaseCondition<'a, QS>
    where
        cases::category: SelectableExpression<QS>,
        cases::id: SelectableExpression<QS>,
    {
        let mut condition: CaseCondition<'a, QS> = Box::new(true.into_sql::<Bool>());
        if let Some(category) = self.category {
            condition = Box::new(condition.and(cases::category.eq(category.to_string())));
        }
        if !self.hidden.is_empty() {
            condition = Box::new(condition.and(cases::id.ne_all(self.hidden.to_vec())));
        }
        condition
    }
}

/// One page of the cases in these states, longest waiting first, and how many there are.
pub fn in_states(
    conn: &mut DbConnection,
    states: &[CaseState],
    filter: QueueFilter,
    (offset, limit): Window,
) -> QueryResult<Counted<CaseRow>> {
    let matching = || {
        let mut query = cases::table.filter(cases::state.eq_any(states)).filter(filter.on_cases()).into_boxed();
        if let Some(since) = filter.waiting_since {
            query = query.filter(cases::updated_at.le(since));
        }
        query
    };
    let rows = matching()
        .order((cases::updated_at, cases::id))
        .offset(offset)
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)?;
    let total = total_of(&rows, (offset, limit), || matching().count().get_result(conn))?;
    Ok((rows, total))
}

/// A stage's deadline as the case row holds it (the voting deadline is its round's: `overdue_votes`).
#[derive(Debug, Clone, Copy)]
pub enum CaseDue {
    Response,
    Evidence,
    Appeal,
    /// A forming panel has no deadline: its last change stands in.
    LastChange,
}

type Backend = <DbConnection as Connection>::Backend;
type DueAt = Box<dyn BoxableExpression<cases::table, Backend, SqlType = Nullable<Timestamp>>>;

impl CaseDue {
    fn column(self) -> DueAt {
        match self {
            CaseDue::Response => Box::new(cases::response_due_at),
            CaseDue::Evidence => Box::new(cases::evidence_due_at),
            CaseDue::Appeal => Box::new(cases::appeal_due_at),
            CaseDue::LastChange => Box::new(cases::updated_at.nullable()),
        }
    }

    /// The same, read from a loaded row.
    pub fn of(self, case: &CaseRow) -> NaiveDateTime {
        match self {
            CaseDue::Response => case.response_due_at,
            CaseDue::Evidence => case.evidence_due_at,
            CaseDue::Appeal => case.appeal_due_at,
            CaseDue::LastChange => None,
        }
        .unwrap_or(case.updated_at)
    }
}

/// The first `limit` cases in `states` whose `due` passed at or before `cutoff`, the longest
/// overdue first, and how many there are. An index on (state, due) keeps it to the rows returned.
pub fn overdue(
    conn: &mut DbConnection,
    (states, due): (&[CaseState], CaseDue),
    cutoff: NaiveDateTime,
    filter: QueueFilter,
    limit: i64,
) -> QueryResult<Counted<CaseRow>> {
    let matching = || {
        cases::table
            .into_boxed()
            .filter(cases::state.eq_any(states))
            .filter(due.column().le(cutoff))
            .filter(filter.on_cases())
    };
    let rows = matching().order((due.column(), cases::id)).limit(limit).select(CaseRow::as_select()).load(conn)?;
    let total = total_of(&rows, (0, limit), || matching().count().get_result(conn))?;
    Ok((rows, total))
}

/// The first `limit` voting cases whose current round's deadline passed at or before `cutoff`,
/// with that deadline, the longest overdue first, and how many there are. Read from the partial
/// index of undecided rounds' deadlines alone: of the undecided rounds, only one being voted on
/// keeps its deadline (`Transition::stops_voting`), so no condition on the case's state is
/// needed, nor one the planner could prefer (40% of the bench court's cases are voting).
pub fn overdue_votes(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
    filter: QueueFilter,
    limit: i64,
) -> QueryResult<Counted<(CaseRow, NaiveDateTime)>> {
    use crate::db::schema::jury_rounds;
    let matching = || {
        let round = jury_rounds::table.on(jury_rounds::case_id.eq(cases::id).and(jury_rounds::round.eq(cases::round)));
        cases::table
            .inner_join(round)
            .filter(jury_rounds::outcome.is_null())
            .filter(jury_rounds::voting_due_at.le(cutoff))
            .filter(filter.on_cases())
            .into_boxed()
    };
    let rows = matching()
        .select((CaseRow::as_select(), jury_rounds::voting_due_at.assume_not_null()))
        .order((jury_rounds::voting_due_at, cases::id))
        .limit(limit)
        .load(conn)?;
    let total = total_of(&rows, (0, limit), || matching().count().get_result(conn))?;
    Ok((rows, total))
}

/// One page of the verdicts won by at most `margin` votes that still stand (neither appealed nor
/// overruled, so their cases are decided or closed), newest first, with the tally, and how many
/// there are: counted from the partial index alone unless the filter needs the cases.
pub fn split_verdicts(
    conn: &mut DbConnection,
    margin: i32,
    filter: QueueFilter,
    (offset, limit): Window,
) -> QueryResult<Counted<(CaseRow, i32, i32, NaiveDateTime)>> {
    use crate::db::schema::jury_rounds;
    // Written out, not bound, so that it matches the partial index `jury_rounds_split`.
    let standing_split = format!(
        "jury_rounds.decided_at IS NOT NULL AND jury_rounds.appealed_at IS NULL AND jury_rounds.overruled_at IS NULL \
         AND jury_rounds.buyer_votes - jury_rounds.seller_votes BETWEEN {} AND {margin}",
        -margin
    );
    let since = filter.waiting_since.map(|since| jury_rounds::decided_at.le(since));
    let rounds = || {
        let query = jury_rounds::table.filter(diesel::dsl::sql::<Bool>(&standing_split)).into_boxed();
        if let Some(since) = since {
            query.filter(since)
        } else {
            query
        }
    };
    let matching = || {
        let query = cases::table
            .inner_join(jury_rounds::table)
            .filter(diesel::dsl::sql::<Bool>(&standing_split))
            .filter(filter.on_cases())
            .into_boxed();
        if let Some(since) = since {
            query.filter(since)
        } else {
            query
        }
    };
    let rows = matching()
        .select((
            CaseRow::as_select(),
            jury_rounds::buyer_votes,
            jury_rounds::seller_votes,
            jury_rounds::decided_at.assume_not_null(),
        ))
        .order((jury_rounds::decided_at.desc(), jury_rounds::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    let total = total_of(&rows, (offset, limit), || {
        if filter.narrows_cases() {
            matching().count().get_result(conn)
        } else {
            rounds().count().get_result(conn)
        }
    })?;
    Ok((rows, total))
}

/// How many real cases are in each state (calibration cases, kept for training, are not disputes).
pub fn count_by_state(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    cases::table
        .filter(cases::calibration_outcome.is_null())
        .group_by(cases::state)
        .select((cases::state, diesel::dsl::count_star()))
        .load(conn)
}

pub fn count_calibration(conn: &mut DbConnection) -> QueryResult<i64> {
    cases::table.filter(cases::calibration_outcome.is_not_null()).count().get_result(conn)
}

/// A calibration case whose right side is one of `right` that this juror has neither reviewed in
/// probation nor met as an audit, if any is left.
pub fn next_calibration_for(conn: &mut DbConnection, juror_id: i32, right: &[Side]) -> QueryResult<Option<CaseRow>> {
    use crate::db::schema::{calibration_audits, mock_reviews};
    let reviewed = mock_reviews::table.filter(mock_reviews::juror_id.eq(juror_id)).select(mock_reviews::case_id);
    let audited =
        calibration_audits::table.filter(calibration_audits::juror_id.eq(juror_id)).select(calibration_audits::case_id);
    cases::table
        .filter(cases::calibration_outcome.eq_any(right))
        .filter(cases::id.ne_all(reviewed))
        .filter(cases::id.ne_all(audited))
        .filter(cases::claimant_id.ne(juror_id))
        .filter(cases::respondent_id.ne(juror_id).or(cases::respondent_id.is_null()))
        .order(cases::id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn set_calibration(conn: &mut DbConnection, id: CaseId, outcome: Side) -> QueryResult<()> {
    diesel::update(cases::table.find(id)).set(cases::calibration_outcome.eq(outcome)).execute(conn).map(drop)
}

/// First-round verdicts: (filed at, decided at).
pub fn verdict_times(conn: &mut DbConnection) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    use crate::db::schema::jury_rounds;
    cases::table
        .inner_join(jury_rounds::table)
        .filter(jury_rounds::round.eq(1))
        .filter(jury_rounds::decided_at.is_not_null())
        .select((cases::created_at, jury_rounds::decided_at.assume_not_null()))
        .load(conn)
}

/// Finished cases with a final outcome: (category, claimant side, outcome, count).
pub fn outcomes(conn: &mut DbConnection) -> QueryResult<Vec<(String, Side, Side, i64)>> {
    cases::table
        .filter(cases::state.eq_any([CaseState::Closed, CaseState::Overridden]))
        .filter(cases::outcome.is_not_null())
        .group_by((cases::category, cases::claimant_side, cases::outcome))
        .select((cases::category, cases::claimant_side, cases::outcome.assume_not_null(), diesel::dsl::count_star()))
        .load(conn)
}

/// How many cases are on a registered order.
pub fn count_on_order(conn: &mut DbConnection, order_id: i32) -> QueryResult<i64> {
    cases::table.filter(cases::order_id.eq(order_id)).count().get_result(conn)
}

/// One page of the cases a marketplace sees (on its orders, or typed), oldest first, after the
/// case `after`, narrowed to one order and one state when they are given.
pub fn for_marketplace(
    conn: &mut DbConnection,
    api_key_id: i32,
    (order_id, state): (Option<i32>, Option<CaseState>),
    after: Option<CaseId>,
    limit: i64,
) -> QueryResult<Vec<CaseRow>> {
    use crate::db::schema::orders;
    let own_orders = orders::table.filter(orders::api_key_id.eq(api_key_id)).select(orders::id);
    let mut query = cases::table
        .filter(cases::order_id.is_null().or(cases::order_id.eq_any(own_orders.nullable())))
        .filter(cases::calibration_outcome.is_null())
        .into_boxed();
    if let Some(order_id) = order_id {
        query = query.filter(cases::order_id.eq(order_id));
    }
    if let Some(state) = state {
        query = query.filter(cases::state.eq(state));
    }
    if let Some(after) = after {
        query = query.filter(cases::id.gt(after));
    }
    query.order(cases::id).limit(limit).select(CaseRow::as_select()).load(conn)
}

/// Keeps the marketplace's report on the remedy.
pub fn record_remedy(
    conn: &mut DbConnection,
    id: CaseId,
    report: &crate::domain::marketplace::RemedyReport,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((
            cases::remedy_report.eq(report.outcome.as_str()),
            cases::remedy_reference.eq(&report.reference),
            cases::remedy_done_fen.eq(report.amount_fen),
            cases::remedy_reported_at.eq(now),
            cases::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}
