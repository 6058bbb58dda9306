use super::{actor_for, facts_with, state_of};
use crate::db::models::case::{self, CaseRow};
use crate::db::DbConnection;
use crate::domain::case::{decide, Actor, CaseState};
use crate::domain::next_step::{next_step, NextStep};
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// One row of "My cases".
pub struct CaseSummary {
    pub case: CaseRow,
    pub actor: Actor,
    pub state: CaseState,
    /// What the case asks of this member now, and by when.
    pub next: NextStep,
}

pub fn my_cases(conn: &mut DbConnection, account: &Account, now: NaiveDateTime) -> ServiceResult<Vec<CaseSummary>> {
    let rows = case::list_for_party(conn, account.id, &account.email)?;
    Ok(rows
        .into_iter()
        .filter_map(|case| {
            let actor = actor_for(&case, account).filter(|a| *a != Actor::Moderator)?;
            let state = state_of(&case);
            // The list reads no offers or rounds: a pending offer and the voting deadline show on the case page.
            let facts = facts_with(&case, None);
            let next = next_step(&facts, actor, None, |c| decide(&facts, actor, c, now).is_ok());
            Some(CaseSummary { case, actor, state, next })
        })
        .collect())
}
