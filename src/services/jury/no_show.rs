//! A juror who lets a seat go unanswered or unvoted: counted against their reliability, told they
//! were replaced, suspended after a run of these. Shared by the summons deadline and the vote
//! deadline.

use super::{notify_juror, Jury, NoticeAbout};
use crate::db::models::case::CaseRow;
use crate::db::models::juror;
use crate::db::models::summons::SummonsRow;
use crate::db::DbConnection;
use crate::domain::juror::{suspends_after_no_show, JurorStatus};
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// A juror let their seat go unanswered (or unvoted): it counts against their reliability, they
/// are told they were replaced, and a run of these suspends them.
pub fn count_no_show(
    conn: &mut DbConnection,
    seat: &SummonsRow,
    case: &CaseRow,
    jury: &Jury,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let Some(record) = juror::find(conn, seat.juror_id)? else { return Ok(()) };
    juror::record_no_show(conn, seat.juror_id, now)?;
    let about = NoticeAbout { case: Some(case), occurrence: seat.id, ..Default::default() };
    if suspends_after_no_show(record.no_show_streak as u32, &jury.rules) && record.status == JurorStatus::Active {
        juror::set_status(conn, seat.juror_id, JurorStatus::Suspended, Some(NO_SHOWS), now)?;
        let detail = (record.no_show_streak + 1).to_string();
        notify_juror(conn, seat.juror_id, "juror_suspended", NoticeAbout { detail, ..about }, now)
    } else {
        notify_juror(conn, seat.juror_id, "summons_replaced", about, now)
    }
}

/// The recorded reason of a suspension for missed summonses (an i18n key).
pub const NO_SHOWS: &str = "juror.suspension.no_shows";
