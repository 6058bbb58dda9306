//! Reading the audit log, filtered by action, case or actor. (There is no way to change it.)

use super::{require_moderator, Recusal, ACTIONS};
use crate::db::models::audit_log::{self, AuditFilter, AuditLine};
use crate::db::models::{case, user};
use crate::db::DbConnection;
use crate::services::account::Account;
use crate::services::ServiceResult;

const LOG_ROWS: i64 = 300;

/// The log page's filters, as typed; unknown values match nothing rather than everything.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    pub action: String,
    /// A case's public id.
    #[serde(default)]
    pub case: String,
    /// An actor's email.
    #[serde(default)]
    pub actor: String,
}

pub fn audit_log(conn: &mut DbConnection, account: &Account, query: &LogQuery) -> ServiceResult<Vec<AuditLine>> {
    require_moderator(account)?;
    let mut filter = AuditFilter::default();
    let action = query.action.trim();
    if !action.is_empty() {
        if !ACTIONS.contains(&action) {
            return Ok(vec![]);
        }
        filter.action = Some(action.to_string());
    }
    if !query.case.trim().is_empty() {
        let Some(c) = case::find_by_public_id(conn, query.case.trim())? else { return Ok(vec![]) };
        filter.case_id = Some(c.id);
    }
    if !query.actor.trim().is_empty() {
        let Some(u) = user::find_by_email(conn, &query.actor.trim().to_lowercase())? else { return Ok(vec![]) };
        filter.actor_id = Some(u.id);
    }
    let recusal = Recusal::of(conn, account)?;
    let mut lines = audit_log::list(conn, &filter, LOG_ROWS)?;
    lines.retain(|(row, ..)| row.case_id.is_none_or(|id| !recusal.covers(id)));
    Ok(lines)
}
