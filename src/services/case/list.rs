use super::{actor_for, state_of};
use crate::db::models::case::{self, CaseRow};
use crate::db::DbConnection;
use crate::domain::case::{Actor, CaseState};
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// One row of "My cases".
pub struct CaseSummary {
    pub case: CaseRow,
    pub actor: Actor,
    pub state: CaseState,
    /// The next deadline that matters in the case's stage, if any.
    pub next_deadline: Option<NaiveDateTime>,
}

pub fn my_cases(conn: &mut DbConnection, account: &Account) -> ServiceResult<Vec<CaseSummary>> {
    let rows = case::list_for_party(conn, account.id, &account.email)?;
    Ok(rows
        .into_iter()
        .filter_map(|case| {
            let actor = actor_for(&case, account).filter(|a| *a != Actor::Moderator)?;
            let state = state_of(&case);
            let next_deadline = match state {
                CaseState::AwaitingResponse => case.response_due_at,
                CaseState::Evidence => case.evidence_due_at,
                _ => None,
            };
            Some(CaseSummary { case, actor, state, next_deadline })
        })
        .collect())
}
