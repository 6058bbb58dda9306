use super::end_case;
use crate::db::DbConnection;
use crate::domain::case::Command;
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// The claimant takes the case back before a verdict.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn withdraw_case(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    end_case(conn, account, case_public_id, (Command::Withdraw, "case_withdrawn"), now, |_, _| Ok(()))
}
