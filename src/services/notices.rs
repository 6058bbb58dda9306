//! In-app notices: the same stage messages as the emails, worded in the reader's language when read.

use crate::db::models::notification::{self, NotificationRow};
use crate::db::{read_tx, write_tx, DbConnection};
use crate::email::message::{Linker, Mail};
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Notices shown on one page of `/notifications`.
pub const PAGE_SIZE: i64 = 20;

pub struct Notice {
    pub subject: String,
    pub body: String,
    /// The page to act on.
    pub link: String,
    pub at: NaiveDateTime,
    pub unread: bool,
}

pub struct NoticePage {
    pub notices: Vec<Notice>,
    /// The `before` of the next (older) page, if there is one.
    pub older: Option<i32>,
}

/// In-app links are paths on this court.
struct Paths;

impl Linker for Paths {
    fn link(&self, path: &str) -> String {
        path.to_string()
    }
    fn unsubscribe(&self, _: &str) -> String {
        String::new()
    }
}

/// One page of the member's notices, newest first; the ones shown are then marked read, unless
/// the page is only looked at (`mark_read` false: a HEAD request, say).
pub fn notices_page(
    conn: &mut DbConnection,
    account: &Account,
    before: Option<i32>,
    (now, mark_read): (NaiveDateTime, bool),
) -> ServiceResult<NoticePage> {
    let mut rows = read_tx(conn, |conn| notification::page_for_user(conn, account.id, before, PAGE_SIZE + 1))?;
    let older = (rows.len() as i64 > PAGE_SIZE).then(|| rows[PAGE_SIZE as usize - 1].id);
    rows.truncate(PAGE_SIZE as usize);
    let notices = rows.iter().map(|row| worded(row, account)).collect::<ServiceResult<Vec<_>>>()?;
    let unread: Vec<i32> = rows.iter().filter(|r| r.read_at.is_none()).map(|r| r.id).collect();
    if mark_read && !unread.is_empty() {
        write_tx(conn, |conn| notification::mark_read(conn, account.id, &unread, now))?;
    }
    Ok(NoticePage { notices, older })
}

fn worded(row: &NotificationRow, account: &Account) -> ServiceResult<Notice> {
    let mail: Mail = serde_json::from_str(&row.payload).map_err(|e| ServiceError::Internal(e.into()))?;
    let content = mail.content(account.locale, &Paths);
    Ok(Notice {
        subject: content.subject,
        body: content.paragraphs.join(" "),
        link: content.action.map_or_else(|| "/".to_string(), |a| a.url),
        at: row.created_at,
        unread: row.read_at.is_none(),
    })
}

/// Reading a case marks the reader's notices about it read; gives how many were unread.
pub fn mark_case_read(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    Ok(write_tx(conn, |conn| notification::mark_case_read(conn, account.id, case_public_id, now))?)
}
