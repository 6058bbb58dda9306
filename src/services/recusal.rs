//! Who a moderator must stand aside for. Shared by the moderators' pages and by the case pages
//! (a recused moderator meets the case as if it did not exist).

use crate::db::models::{case, sign_in};
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::domain::linked_accounts::{linked_accounts, LOOKBACK_DAYS};
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::TimeDelta;

/// A moderator never handles a case they are a party to, one whose party they have ever dealt
/// with, or one whose party shares a device or address with them (their second account): for them
/// it does not exist (404 on its case and moderation pages and files, left out of their queues and
/// audit log), and it goes to the others.
pub struct Recusal {
    cases: Vec<CaseId>,
}

impl Recusal {
    pub fn of(conn: &mut DbConnection, moderator: &Account) -> ServiceResult<Recusal> {
        let now = chrono::Utc::now().naive_utc();
        // The moderator, their linked accounts, and everyone any of them was on the other side of a
        // case with.
        let since = now - TimeDelta::days(LOOKBACK_DAYS);
        let mut selves = vec![moderator.id];
        selves.extend(
            linked_accounts(&[moderator.id], &sign_in::sharing_with(conn, &[moderator.id], since)?)
                .into_iter()
                .map(|(id, _)| id),
        );
        let people = case::counterparts(conn, &selves)?;
        Ok(Recusal { cases: case::involving(conn, &people, &moderator.email)? })
    }

    /// The cases this moderator may not see.
    pub fn cases(&self) -> &[CaseId] {
        &self.cases
    }

    pub fn covers(&self, case_id: CaseId) -> bool {
        self.cases.contains(&case_id)
    }
}
