//! Reading the audit log, filtered by action, case or actor. (There is no way to change it.)

use super::{require_moderator, Recusal, ACTIONS};
use crate::db::models::audit_log::{self, AuditFilter, AuditLine};
use crate::db::models::{case, user};
use crate::db::DbConnection;
use crate::domain::paging::Page;
use crate::services::account::Account;
use crate::services::ServiceResult;

/// Entries per page of the log.
const PAGE_ROWS: i64 = 100;

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
    /// The page asked for (from 1).
    #[serde(default)]
    pub page: String,
}

impl LogQuery {
    /// The query string of this search on another page.
    pub fn on_page(&self, page: Option<i64>) -> String {
        Page::query(&[("action", &self.action), ("case", &self.case), ("actor", &self.actor)], page)
    }
}

/// One page of the log as this moderator may read it (never a case they recused from), and the total.
pub fn audit_log(
    conn: &mut DbConnection,
    account: &Account,
    query: &LogQuery,
) -> ServiceResult<(Vec<AuditLine>, Page)> {
    require_moderator(account)?;
    let number = Page::requested(&query.page);
    let nothing = Ok((vec![], Page { number, size: PAGE_ROWS, total: 0 }));
    let mut filter = AuditFilter::default();
    let action = query.action.trim();
    if !action.is_empty() {
        if !ACTIONS.contains(&action) {
            return nothing;
        }
        filter.action = Some(action.to_string());
    }
    if !query.case.trim().is_empty() {
        let Some(c) = case::find_by_public_id(conn, query.case.trim())? else { return nothing };
        filter.case_id = Some(c.id);
    }
    if !query.actor.trim().is_empty() {
        let Some(u) = user::find_by_email(conn, &query.actor.trim().to_lowercase())? else { return nothing };
        filter.actor_id = Some(u.id);
    }
    filter.hidden_cases = Recusal::of(conn, account)?.cases().to_vec();
    let (lines, total) = audit_log::list(conn, &filter, (Page::offset(number, PAGE_ROWS), PAGE_ROWS))?;
    Ok((lines, Page { number, size: PAGE_ROWS, total }))
}
