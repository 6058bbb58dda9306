//! Who may read a case as a juror: a summoned juror, a probationer reviewing a calibration case,
//! an active juror auditing one. Shared by the juror's pages and by evidence files.

use crate::db::models::calibration_audit::{self, AuditAssignment};
use crate::db::models::case::CaseRow;
use crate::db::models::juror;
use crate::db::models::summons::{self, SummonsRow};
use crate::db::DbConnection;
use crate::domain::juror::JurorStatus;
use crate::domain::juror::SeatStatus;
use crate::services::account::Account;
use crate::services::ServiceResult;

/// Why this juror may read the case.
#[derive(Debug, Clone)]
pub enum Access {
    /// Summoned to it (pending or accepted).
    Summoned(SummonsRow),
    /// A calibration case, read for probation.
    Calibration,
    /// A calibration case slipped into an active juror's queue; it reads like any case.
    Audit(AuditAssignment),
}

/// How a juror may read this case, if at all.
pub fn juror_access(conn: &mut DbConnection, case: &CaseRow, account: &Account) -> ServiceResult<Option<Access>> {
    let seat = summons::for_case(conn, case.id)?
        .into_iter()
        .find(|s| s.juror_id == account.id && (s.status == SeatStatus::Pending || s.status == SeatStatus::Accepted));
    if let Some(seat) = seat {
        return Ok(Some(Access::Summoned(seat)));
    }
    if let Some(audit) = audit_of(conn, case, account)? {
        return Ok(Some(audit));
    }
    // Calibration cases are open to jurors on probation, whose reviews they are. To anyone else an
    // unassigned one is as absent as a real case they do not sit on: an audit must not be told
    // apart from a real seat by being openable.
    let on_probation = juror::find(conn, account.id)?.is_some_and(|j| j.status == JurorStatus::Probation);
    Ok((case.calibration_outcome.is_some() && on_probation).then_some(Access::Calibration))
}

/// The juror's audit of this case, if one was slipped into their queue.
pub fn audit_of(conn: &mut DbConnection, case: &CaseRow, account: &Account) -> ServiceResult<Option<Access>> {
    Ok(calibration_audit::find(conn, account.id, case.id)?.map(Access::Audit))
}
