//! Jurors: joining the pool, probation, being drawn and summoned, the dashboard, reputation.

pub mod calibration;
pub mod dashboard;
pub mod draw;
pub mod enrol;
pub mod leaderboard;
pub mod no_show;
pub mod pool_cache;
pub mod probation;
pub mod reputation;
pub mod summons;
pub mod verdict;
pub mod view;
pub mod voting;

use crate::db::models::case::CaseRow;
use crate::db::models::juror::{self, JurorRow};
use crate::db::models::user::{self, UserRow};
use crate::db::DbConnection;
use crate::domain::locale::Locale;
use crate::email::message::{JurorNotice, Mail};
use crate::services::account::Account;
use crate::services::case::party_masker;
use crate::services::{outbox, ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// The jury's rules and its pool, shared by every draw in this process.
#[derive(Default)]
pub struct Jury {
    pub rules: crate::domain::juror::JuryRules,
    pub pool: pool_cache::PoolCache,
    /// Where draws and replacements take their chance from.
    pub chance: crate::chance::Chance,
}

impl Jury {
    pub fn new(rules: crate::domain::juror::JuryRules) -> Jury {
        Jury { rules, pool: Default::default(), chance: Default::default() }
    }
}

/// The signed-in member's juror record; refused when they have not joined the pool.
pub fn require_juror(conn: &mut DbConnection, account: &Account) -> ServiceResult<JurorRow> {
    juror::find(conn, account.id)?.ok_or(ServiceError::Refused("juror.refused.not_a_juror"))
}

/// What a juror notice is about, beyond its event.
#[derive(Default)]
pub struct NoticeAbout<'a> {
    pub variant: Option<&'a str>,
    pub case: Option<&'a CaseRow>,
    pub due: Option<NaiveDateTime>,
    pub detail: String,
    /// Makes the message key unique per occurrence (a summons id, a probation attempt).
    pub occurrence: i32,
}

/// Queues a notice to a juror in the caller's transaction.
pub fn notify_juror(
    conn: &mut DbConnection,
    juror_id: i32,
    event: &str,
    about: NoticeAbout,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let to: UserRow = user::find(conn, juror_id)?.ok_or(ServiceError::NotFound)?;
    let item = match about.case {
        Some(case) => Some(party_masker(conn, case)?.mask(&case.item_title)),
        None => None,
    };
    let mail = Mail::Juror(JurorNotice {
        event: event.to_string(),
        variant: about.variant.map(str::to_string),
        name: to.display_name.clone(),
        case_id: about.case.map(|c| c.public_id.clone()),
        item,
        due: about.due,
        time_zone: to.time_zone.clone(),
        detail: about.detail,
    });
    let case = about.case.map_or("-", |c| c.public_id.as_str());
    let key = format!("{event}:{case}:{}:{}", about.occurrence, to.email);
    outbox::enqueue(conn, &key, &to.email, Locale::parse(&to.locale).unwrap_or_default(), &mail, now)?;
    Ok(())
}
