//! Joining the jury pool, changing one's juror profile, stepping out and back in.

use super::{require_juror, Jury};
use crate::db::models::juror::{self, ProfileChange};
use crate::db::models::{summons, user};
use crate::db::{write_tx, DbConnection};
use crate::domain::juror::SeatStatus;
use crate::domain::juror::{parse_profile, JurorStatus};
use crate::domain::matching::Categories;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

/// The opt-in form as submitted.
pub struct ProfileForm {
    pub expertise: Vec<String>,
    pub interests: String,
    pub side: String,
    pub capacity: String,
}

/// Joins the pool as a probationary juror, or updates the profile of a juror who already joined.
/// Only verified members may join: summonses go to their email.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn save_profile(
    conn: &mut DbConnection,
    account: &Account,
    form: &ProfileForm,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    if !account.verified {
        return Err(ServiceError::Refused("juror.refused.verify_first"));
    }
    let profile = parse_profile(&form.expertise, &form.interests, &form.side, &form.capacity)?;
    let interests = profile.interests.join(" ");
    let change = ProfileChange {
        expertise: i32::from(Categories::of(&profile.expertise).0),
        interests: &interests,
        trading_side: profile.side.as_str(),
        capacity: i32::from(profile.capacity),
        updated_at: now,
    };
    write_tx(conn, |conn| {
        match juror::find(conn, account.id)? {
            Some(_) => juror::update_profile(conn, account.id, &change)?,
            None => {
                let created = user::find(conn, account.id)?.ok_or(ServiceError::NotFound)?.created_at;
                juror::insert(conn, (account.id, created), &change, now)?
            }
        }
        Ok(())
    })
}

/// Steps out of the pool: no new summonses; pending ones are declined so replacements go out.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn pause(
    conn: &mut DbConnection,
    account: &Account,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    write_tx(conn, |conn| {
        let row = require_juror(conn, account)?;
        match row.status {
            JurorStatus::Active | JurorStatus::Probation => {}
            JurorStatus::Paused => return Ok(()),
            JurorStatus::Suspended => return Err(ServiceError::Refused("juror.refused.suspended")),
        }
        juror::set_status(conn, account.id, JurorStatus::Paused, None, now)?;
        for pending in summons::pending_for_juror(conn, account.id)? {
            super::summons::answer_and_replace(conn, &pending, SeatStatus::Declined, jury, now, rng)?;
        }
        Ok(())
    })
}

/// Steps back in: active again if probation was passed, else back to probation.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn resume(conn: &mut DbConnection, account: &Account, now: NaiveDateTime) -> ServiceResult<()> {
    write_tx(conn, |conn| {
        let row = require_juror(conn, account)?;
        if row.status != JurorStatus::Paused {
            return Err(ServiceError::Refused("juror.refused.not_paused"));
        }
        let status = if row.passed_probation_at.is_some() { JurorStatus::Active } else { JurorStatus::Probation };
        juror::set_status(conn, account.id, status, None, now)?;
        Ok(())
    })
}
