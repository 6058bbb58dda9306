//! What moderators do: the queues that need them, the full case file, overrides, reopening,
//! extending deadlines, hiding abusive statements, managing jurors, statistics. Every action
//! writes one row to the append-only audit log in the same transaction as the change itself.

use crate::domain::ids::CaseId;
pub mod audit;
pub mod calibration;
pub mod case_file;
pub mod evidence_kind;
pub mod extend;
pub mod flags;
pub mod jurors;
pub mod moderators;
pub mod override_case;
pub mod queues;
pub mod reopen;
pub mod rings;
pub mod stats;

use crate::db::models::audit_log::{self, NewAuditEntry};
use crate::db::models::case::{self, CaseRow};
use crate::db::DbConnection;
use crate::domain::account::Role;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Moderation pages do not exist for anyone else.
pub fn require_moderator(account: &Account) -> ServiceResult<()> {
    account.role.can_moderate().then_some(()).ok_or(ServiceError::NotFound)
}

/// Admin-only actions: moderators see the page but are told they may not (403).
pub fn require_admin(account: &Account) -> ServiceResult<()> {
    require_moderator(account)?;
    (account.role == Role::Admin).then_some(()).ok_or(ServiceError::Forbidden)
}

pub use crate::services::recusal::Recusal;

/// The case a moderator asked for, unless they are not a moderator or must recuse themselves.
pub fn moderated_case(conn: &mut DbConnection, moderator: &Account, public_id: &str) -> ServiceResult<CaseRow> {
    require_moderator(moderator)?;
    let case = case::find_by_public_id(conn, public_id)?.ok_or(ServiceError::NotFound)?;
    ensure_not_recused(conn, moderator, &case)?;
    Ok(case)
}

pub fn ensure_not_recused(conn: &mut DbConnection, moderator: &Account, case: &CaseRow) -> ServiceResult<()> {
    match Recusal::of(conn, moderator)?.covers(case.id) {
        true => Err(ServiceError::NotFound),
        false => Ok(()),
    }
}

/// One audited action: what it touched, the state before and after, and the reason given.
pub struct Audited<'a> {
    pub action: &'a str,
    pub case_id: Option<CaseId>,
    pub subject_id: Option<i32>,
    pub before: String,
    pub after: String,
    pub reason: &'a str,
}

/// Appends the action to the audit log (inside the caller's transaction).
pub fn audit(conn: &mut DbConnection, actor: &Account, entry: Audited, now: NaiveDateTime) -> ServiceResult<()> {
    audit_log::append(
        conn,
        &NewAuditEntry {
            actor_id: actor.id,
            action: entry.action,
            case_id: entry.case_id,
            subject_id: entry.subject_id,
            before_value: &entry.before,
            after_value: &entry.after,
            reason: entry.reason,
            created_at: now,
        },
    )?;
    Ok(())
}

/// Every action the audit log records (the log page's filter and labels).
pub const ACTIONS: [&str; 13] = [
    "override",
    "reopen",
    "extend_deadline",
    "hide_statement",
    "keep_statement",
    "correct_evidence_kind",
    "suspend_juror",
    "reinstate_juror",
    "mark_calibration",
    "grant_moderator",
    "revoke_moderator",
    "retry_mail",
    "retry_job",
];
