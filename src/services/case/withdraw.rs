use super::{load_visible, transition};
use crate::db::models::case::CaseChange;
use crate::db::{write_tx, DbConnection};
use crate::domain::case::Command;
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// The claimant takes the case back before a verdict.
pub fn withdraw_case(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    write_tx(conn, |conn| {
        let (case, _, seq) =
            transition(conn, case.id, actor, Some(account.id), Command::Withdraw, now, CaseChange::default())?;
        super::notify_both(conn, &case, "case_withdrawn", seq, None, now)
    })
}
