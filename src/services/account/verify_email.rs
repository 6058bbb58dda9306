use crate::db::models::{email_token, user, user::UserRow};
use crate::db::{write_tx, DbConnection};
use crate::domain::locale::Locale;
use crate::domain::public_id::new_secret_token;
use crate::email::message::Mail;
use crate::services::{outbox, token_hash, ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

pub const PURPOSE: &str = "verify_email";
const VALID_FOR: TimeDelta = TimeDelta::hours(48);

/// Makes a fresh verification link (retiring older ones) and queues its email. Runs inside the
/// caller's transaction.
pub fn issue_verification(
    conn: &mut DbConnection,
    user: &UserRow,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> diesel::QueryResult<()> {
    let token = new_secret_token(rng);
    email_token::retire_unused(conn, user.id, PURPOSE, now)?;
    let token_id = email_token::insert(conn, &token_hash(&token), user.id, PURPOSE, now, now + VALID_FOR)?;
    outbox::enqueue(
        conn,
        &format!("account_verify:{}:{token_id}", user.public_id),
        &user.email,
        Locale::parse(&user.locale).unwrap_or_default(),
        &Mail::AccountVerify { name: user.display_name.clone(), token },
        now,
    )
}

/// Sends a new link to a signed-in member who has not verified yet.
#[tracing::instrument(skip_all)]
pub fn resend_verification(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    write_tx(conn, |conn| {
        let user = user::find(conn, user_id)?.ok_or(ServiceError::Refused("error.not_found"))?;
        if user.email_verified_at.is_some() {
            return Err(ServiceError::Refused("verify.already"));
        }
        issue_verification(conn, &user, now, rng)?;
        Ok(())
    })
}

/// Marks the email of the link's owner as verified. A used, expired or unknown link is refused.
#[tracing::instrument(skip_all)]
pub fn verify_email(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> ServiceResult<Verified> {
    write_tx(conn, |conn| {
        let row =
            email_token::find(conn, &token_hash(token), PURPOSE)?.ok_or(ServiceError::Refused("verify.invalid"))?;
        let user = user::find(conn, row.user_id)?.ok_or(ServiceError::Refused("verify.invalid"))?;
        if user.email_verified_at.is_some() {
            return Ok(Verified::Already);
        }
        if row.used_at.is_some() || row.expires_at < now {
            return Err(ServiceError::Refused("verify.expired"));
        }
        // Two confirmations at once: only one uses the link.
        if !email_token::consume(conn, row.id, now)? {
            return Err(ServiceError::Refused("verify.expired"));
        }
        user::mark_verified(conn, user.id, now)?;
        // Cases filed against this address before the account existed are now theirs to answer.
        crate::db::models::case::claim_invitations(conn, user.id, &user.email)?;
        Ok(Verified::Now { user_id: user.id, email: user.email })
    })
}

pub enum Verified {
    /// Verified by this use of the link.
    Now { user_id: i32, email: String },
    /// The link was used before; nothing changed.
    Already,
}

/// Whether a verification link belongs to an address that is verified already (a link opened
/// again): the page then says so instead of offering to confirm. The link is the secret.
pub fn link_already_done(conn: &mut DbConnection, token: &str) -> ServiceResult<bool> {
    let Some(row) = email_token::find(conn, &token_hash(token), PURPOSE)? else {
        return Ok(false);
    };
    Ok(user::find(conn, row.user_id)?.is_some_and(|u| u.email_verified_at.is_some()))
}
