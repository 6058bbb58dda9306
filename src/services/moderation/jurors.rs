//! Juror management: the list moderators search (accuracy, leaning, reliability, level, recent
//! load), and suspending or reinstating a juror with a reason the juror is emailed.

use super::{audit, require_moderator, Audited};
use crate::db::models::{calibration_audit, juror, summons, user};
use crate::db::{write_tx, DbConnection};
use crate::domain::juror::{level, JurorStatus, Level};
use crate::domain::moderation::parse_reason;
use crate::domain::paging::Page;
use crate::domain::reputation::{estimate, reliability, Estimate, Priors};
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::jury::{notify_juror, NoticeAbout};
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::HashMap;

/// How far back "recent cases" looks.
const RECENT: TimeDelta = TimeDelta::days(30);
/// Jurors per page of the list.
pub const PAGE_ROWS: i64 = 100;

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct JurorQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    /// The page asked for (from 1).
    #[serde(default)]
    pub page: String,
}

impl JurorQuery {
    /// The query string of this search on another page.
    pub fn on_page(&self, page: Option<i64>) -> String {
        Page::query(&[("q", &self.q), ("status", &self.status)], page)
    }
}

pub struct JurorLine {
    pub public_id: String,
    pub name: String,
    pub email: String,
    pub status: JurorStatus,
    pub status_reason: Option<String>,
    pub level: Level,
    pub estimate: Estimate,
    pub reliability: f64,
    /// Summonses in the last 30 days.
    pub recent_cases: i64,
    /// Calibration audits answered (right, answered).
    pub audits: (u32, u32),
}

pub fn list_jurors(
    conn: &mut DbConnection,
    moderator: &Account,
    query: &JurorQuery,
    now: NaiveDateTime,
) -> ServiceResult<(Vec<JurorLine>, Page)> {
    require_moderator(moderator)?;
    let status = JurorStatus::parse(query.status.trim()).map(JurorStatus::as_str);
    let search: String = query.q.trim().chars().take(100).collect();
    let number = Page::requested(&query.page);
    let (rows, total) = juror::search(conn, &search, status, (Page::offset(number, PAGE_ROWS), PAGE_ROWS))?;
    let page = Page { number, size: PAGE_ROWS, total };
    let ids: Vec<i32> = rows.iter().map(|r| r.user_id).collect();
    let recent: HashMap<i32, i64> = summons::holding_since(conn, &ids, now - RECENT)?.into_iter().collect();
    let public_ids: HashMap<i32, String> = user::public_ids(conn, &ids)?.into_iter().collect();
    let audits = calibration_audit::scores(conn, &ids)?;
    let lines = rows
        .into_iter()
        .map(|row| {
            let estimate = estimate(&row.tally(), Priors::default(), 0.5);
            let status = row.status;
            JurorLine {
                public_id: public_ids.get(&row.user_id).cloned().unwrap_or_default(),
                level: level(status, row.passed_probation_at.is_some(), estimate.votes, estimate.accuracy_lower),
                reliability: reliability(row.summons_answered as u32, row.summons_ignored as u32),
                recent_cases: recent.get(&row.user_id).copied().unwrap_or(0),
                audits: audits.get(&row.user_id).copied().unwrap_or_default(),
                name: row.display_name,
                email: row.email,
                status,
                status_reason: row.status_reason,
                estimate,
            }
        })
        .collect();
    Ok((lines, page))
}

/// Suspends (`suspend == true`) or reinstates a juror, with a reason the juror reads by email.
/// Unknown people are `NotFound`; a juror already in that standing is refused.
#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn set_juror_standing(
    conn: &mut DbConnection,
    moderator: &Account,
    user_public_id: &str,
    suspend: bool,
    reason: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    require_moderator(moderator)?;
    let person = user::find_by_public_id(conn, user_public_id)?.ok_or(ServiceError::NotFound)?;
    let row = juror::find(conn, person.id)?.ok_or(ServiceError::NotFound)?;
    let reason = parse_reason(reason).map_err(|key| FieldErrors::single("reason", key))?;
    write_tx(conn, |conn| {
        let row = juror::find(conn, row.user_id)?.ok_or(ServiceError::NotFound)?;
        let current = row.status;
        let next = match (suspend, current) {
            (true, JurorStatus::Suspended) => {
                return Err(ServiceError::Refused("moderation.refused.already_suspended"))
            }
            (true, _) => JurorStatus::Suspended,
            (false, JurorStatus::Suspended) if row.passed_probation_at.is_some() => JurorStatus::Active,
            (false, JurorStatus::Suspended) => JurorStatus::Probation,
            (false, _) => return Err(ServiceError::Refused("moderation.refused.not_suspended")),
        };
        juror::set_status(conn, row.user_id, next, suspend.then_some(reason.as_str()), now)?;
        if !suspend {
            juror::clear_no_show_streak(conn, row.user_id)?;
        }
        let entry = Audited {
            action: if suspend { "suspend_juror" } else { "reinstate_juror" },
            case_id: None,
            subject_id: Some(row.user_id),
            before: format!("status={}", current.as_str()),
            after: format!("status={}", next.as_str()),
            reason: &reason,
        };
        audit(conn, moderator, entry, now)?;
        let (event, variant) =
            if suspend { ("juror_suspended", Some("by_moderator")) } else { ("juror_reinstated", None) };
        let occurrence = audit_count_for(conn, row.user_id)?;
        notify_juror(
            conn,
            row.user_id,
            event,
            NoticeAbout { variant, detail: reason.clone(), occurrence, ..Default::default() },
            now,
        )
    })
}

/// A number that differs for each standing change of the juror (keeps each email's key unique).
fn audit_count_for(conn: &mut DbConnection, user_id: i32) -> ServiceResult<i32> {
    Ok(crate::db::models::audit_log::count_for_subject(conn, user_id)? as i32)
}
