//! A moderator marks a finished case as a calibration (gold) case: its right outcome, with a
//! reason, in the audit log. Probation and audits (`services::jury::calibration`) then use it.

use super::{audit, moderated_case, Audited};
use crate::db::models::case;
use crate::db::{write_tx, DbConnection};
use crate::domain::case::CaseState;
use crate::domain::dispute::Side;
use crate::domain::moderation::parse_reason;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// A moderator marks a finished case as a calibration case with its right outcome.
#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn mark_calibration(
    conn: &mut DbConnection,
    moderator: &Account,
    case_public_id: &str,
    (outcome, reason): (&str, &str),
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let row = moderated_case(conn, moderator, case_public_id)?;
    let state = row.state;
    if !(state.is_final() || matches!(state, CaseState::Decided)) {
        return Err(ServiceError::Refused("calibration.refused.open_case"));
    }
    if row.calibration_outcome.is_some() {
        return Err(ServiceError::Refused("calibration.refused.already"));
    }
    let mut errors = FieldErrors::new();
    let outcome = errors.check("outcome", Side::parse(outcome).ok_or("error.choose_vote"));
    let reason = errors.check("reason", parse_reason(reason));
    let (Some(outcome), Some(reason)) = (outcome, reason) else { return Err(errors.into()) };
    write_tx(conn, |conn| {
        case::set_calibration(conn, row.id, outcome)?;
        let entry = Audited {
            action: "mark_calibration",
            case_id: Some(row.id),
            subject_id: None,
            before: "calibration=-".to_string(),
            after: format!("calibration={}", outcome.as_str()),
            reason: &reason,
        };
        audit(conn, moderator, entry, now)
    })
}
