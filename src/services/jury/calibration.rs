//! Calibration (gold) cases: finished cases whose right outcome a moderator states. Probationary
//! jurors review them; active jurors now and then find one among their cases as an audit, shown
//! like any case they sit on. Every answer counts as a judgement with known truth in reputation.

use super::reputation::record_known;
use crate::db::models::calibration_audit::{self, AuditAssignment};
use crate::db::models::case;
use crate::db::{write_tx, DbConnection};
use crate::domain::dispute::Side;
use crate::domain::juror::JuryRules;
use crate::domain::juror::{REASON_MAX, REASON_MIN};
use crate::domain::validation::FieldErrors;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

/// Now and then (`rules.audit_rate`), a calibration case the juror has not seen joins their
/// queue. Called when an active juror accepts a summons, inside that transaction.
pub fn maybe_slip_audit(
    conn: &mut DbConnection,
    juror_id: i32,
    rules: &JuryRules,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    if rules.audit_rate <= 0.0 || !rng.random_bool(rules.audit_rate.min(1.0)) {
        return Ok(());
    }
    if let Some(case) = case::next_calibration_for(conn, juror_id, &Side::BOTH)? {
        calibration_audit::assign(conn, juror_id, case.id, now)?;
    }
    Ok(())
}

/// The juror answers an audit like any vote: a side and a reason. It is scored against the known
/// outcome and counts in their reputation; they are not told it was an audit.
pub fn answer_audit(
    conn: &mut DbConnection,
    assignment: &AuditAssignment,
    (side, reason): (&str, &str),
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    // Like a seat, an audit has a voting deadline; past it the answer is refused the same way.
    if now > assignment.assigned_at + rules.voting_window && assignment.answered_at.is_none() {
        return Err(ServiceError::Refused("vote.refused.past_deadline"));
    }
    let mut errors = FieldErrors::new();
    let side = errors.check("side", Side::parse(side).ok_or("error.choose_vote"));
    let reason = errors.check_text("reason", reason, REASON_MIN, REASON_MAX);
    let (Some(side), Some(reason)) = (side, reason) else { return Err(errors.into()) };
    let case = case::find_by_id(conn, assignment.case_id)?;
    let truth = case.calibration_outcome.ok_or(ServiceError::NotFound)?;
    write_tx(conn, |conn| {
        if !calibration_audit::answer(conn, assignment.id, (side, &reason, side == truth), now)? {
            return Err(ServiceError::Refused("vote.refused.already_voted"));
        }
        record_known(conn, (assignment.juror_id, &case.category), side, truth, now)
    })
}
