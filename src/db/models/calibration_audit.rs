//! Audits: calibration cases placed in active jurors' queues among their real cases.
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;

use super::case::CaseRow;
use crate::db::schema::{calibration_audits, cases};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calibration_audits)]
pub struct AuditAssignment {
    pub id: i32,
    pub juror_id: i32,
    pub case_id: CaseId,
    pub assigned_at: NaiveDateTime,
    pub vote: Option<Side>,
    pub reason: Option<String>,
    pub correct: Option<bool>,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn assign(conn: &mut DbConnection, juror_id: i32, case_id: CaseId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(calibration_audits::table)
        .values((
            calibration_audits::juror_id.eq(juror_id),
            calibration_audits::case_id.eq(case_id),
            calibration_audits::assigned_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, juror_id: i32, case_id: CaseId) -> QueryResult<Option<AuditAssignment>> {
    calibration_audits::table
        .filter(calibration_audits::juror_id.eq(juror_id))
        .filter(calibration_audits::case_id.eq(case_id))
        .select(AuditAssignment::as_select())
        .first(conn)
        .optional()
}

/// Records the answer once; false if it was answered already.
pub fn answer(
    conn: &mut DbConnection,
    id: i32,
    (vote, reason, correct): (Side, &str, bool),
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(calibration_audits::table.find(id))
        .filter(calibration_audits::answered_at.is_null())
        .set((
            calibration_audits::vote.eq(vote),
            calibration_audits::reason.eq(reason),
            calibration_audits::correct.eq(correct),
            calibration_audits::answered_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Audits the juror has not answered, assigned since `since` (older ones have lapsed), with their cases.
pub fn open_for(
    conn: &mut DbConnection,
    juror_id: i32,
    since: NaiveDateTime,
) -> QueryResult<Vec<(AuditAssignment, CaseRow)>> {
    calibration_audits::table
        .inner_join(cases::table)
        .filter(calibration_audits::juror_id.eq(juror_id))
        .filter(calibration_audits::answered_at.is_null())
        .filter(calibration_audits::assigned_at.ge(since))
        .order(calibration_audits::id)
        .select((AuditAssignment::as_select(), CaseRow::as_select()))
        .load(conn)
}

/// How many audits `open_for` would list.
pub fn count_open(conn: &mut DbConnection, juror_id: i32, since: NaiveDateTime) -> QueryResult<i64> {
    calibration_audits::table
        .filter(calibration_audits::juror_id.eq(juror_id))
        .filter(calibration_audits::answered_at.is_null())
        .filter(calibration_audits::assigned_at.ge(since))
        .count()
        .get_result(conn)
}

/// (right, answered) audits of each of these jurors who answered any.
pub fn scores(conn: &mut DbConnection, juror_ids: &[i32]) -> QueryResult<HashMap<i32, (u32, u32)>> {
    let marks: Vec<(i32, Option<bool>)> = calibration_audits::table
        .filter(calibration_audits::juror_id.eq_any(juror_ids))
        .filter(calibration_audits::answered_at.is_not_null())
        .select((calibration_audits::juror_id, calibration_audits::correct))
        .load(conn)?;
    let mut scores: HashMap<i32, (u32, u32)> = HashMap::new();
    for (juror, correct) in marks {
        let score = scores.entry(juror).or_default();
        score.0 += u32::from(correct == Some(true));
        score.1 += 1;
    }
    Ok(scores)
}

/// Answered audits as judgements with known truth, for the reputation recompute.
pub fn all_with_truth(conn: &mut DbConnection) -> QueryResult<Vec<super::JudgementRow>> {
    calibration_audits::table
        .inner_join(cases::table)
        .filter(calibration_audits::vote.is_not_null())
        .select((
            calibration_audits::juror_id,
            calibration_audits::case_id,
            calibration_audits::vote.assume_not_null(),
            cases::category,
            cases::calibration_outcome,
        ))
        .load(conn)
}
