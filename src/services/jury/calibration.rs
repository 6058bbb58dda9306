//! Calibration (gold) cases: finished cases whose right outcome a moderator states. Probationary
//! jurors review them, and their answers count as known truth in reputation.

use crate::db::models::case;
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::dispute::Side;
use crate::services::account::Account;
use crate::services::case::state_of;
use crate::services::{ServiceError, ServiceResult};

/// A moderator marks a finished case as a calibration case with its right outcome.
pub fn mark_calibration(
    conn: &mut DbConnection,
    moderator: &Account,
    case_public_id: &str,
    outcome: &str,
) -> ServiceResult<()> {
    if !moderator.role.can_moderate() {
        return Err(ServiceError::NotFound);
    }
    let outcome = Side::parse(outcome).ok_or(ServiceError::Refused("calibration.refused.outcome"))?;
    let row = case::find_by_public_id(conn, case_public_id)?.ok_or(ServiceError::NotFound)?;
    let state = state_of(&row);
    if !(state.is_final() || matches!(state, CaseState::Decided)) {
        return Err(ServiceError::Refused("calibration.refused.open_case"));
    }
    case::set_calibration(conn, row.id, outcome.as_str())?;
    Ok(())
}
