//! What needs a moderator: escalated cases and email that could not be delivered.

use crate::db::models::case::{self, CaseRow};
use crate::db::models::outbox::{self, OutboxRow};
use crate::db::DbConnection;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

pub struct Queue {
    /// Oldest first: the longest wait on top.
    pub escalated: Vec<CaseRow>,
    /// Newest first.
    pub dead_mail: Vec<OutboxRow>,
}

/// The moderators' queue; anyone else is told it does not exist.
pub fn queue(conn: &mut DbConnection, account: &Account) -> ServiceResult<Queue> {
    require_moderator(account)?;
    Ok(Queue { escalated: case::escalated(conn, 200)?, dead_mail: outbox::dead(conn, 200)? })
}

/// Queues dead email again: one message, or all of them. Returns how many.
pub fn retry_dead_mail(
    conn: &mut DbConnection,
    account: &Account,
    id: Option<i32>,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    require_moderator(account)?;
    Ok(match id {
        Some(id) => usize::from(outbox::retry_one(conn, id, now)?),
        None => outbox::retry_dead(conn, now)?,
    })
}

fn require_moderator(account: &Account) -> ServiceResult<()> {
    account.role.can_moderate().then_some(()).ok_or(ServiceError::NotFound)
}
