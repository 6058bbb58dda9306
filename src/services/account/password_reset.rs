use crate::db::models::email_token::EmailTokenRow;
use crate::db::models::user::UserRow;
use crate::db::models::{auth_session, email_token, user};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{check_password, Email};
use crate::domain::locale::Locale;
use crate::domain::public_id::new_secret_token;
use crate::domain::validation::FieldErrors;
use crate::email::message::Mail;
use crate::services::{outbox, token_hash, ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

pub const PURPOSE: &str = "reset_password";
const VALID_FOR: TimeDelta = TimeDelta::hours(1);

/// Emails a reset link when the address belongs to an account. The answer is the same either
/// way, so the form does not reveal who has an account.
#[tracing::instrument(skip_all)]
pub fn request_password_reset(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let email = Email::parse(email).map_err(|key| FieldErrors::single("email", key))?;
    write_tx(conn, |conn| {
        let Some(user) = user::find_by_email(conn, email.as_str())? else {
            return Ok(());
        };
        let token = new_secret_token(rng);
        email_token::retire_unused(conn, user.id, PURPOSE, now)?;
        let token_id = email_token::insert(conn, &token_hash(&token), user.id, PURPOSE, now, now + VALID_FOR)?;
        outbox::enqueue(
            conn,
            &format!("password_reset:{}:{token_id}", user.public_id),
            &user.email,
            Locale::parse(&user.locale).unwrap_or_default(),
            &Mail::PasswordReset { name: user.display_name, token },
            now,
        )?;
        Ok(())
    })
}

/// Whether a reset link can still be used (to show the form or explain why not).
pub fn check_reset_token(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> ServiceResult<()> {
    match email_token::find(conn, &token_hash(token), PURPOSE)? {
        Some(row) if row.used_at.is_none() && row.expires_at >= now => Ok(()),
        _ => Err(ServiceError::Refused("reset.invalid")),
    }
}

/// Everything a reset checks before the new password is hashed (so a forged or spent link costs
/// no hash): a live link, a password its owner may use, the confirmation. Gives the link and its
/// owner.
pub fn check_reset(
    conn: &mut DbConnection,
    token: &str,
    (password, password_confirm): (&str, &str),
    now: NaiveDateTime,
) -> ServiceResult<(EmailTokenRow, UserRow)> {
    check_reset_token(conn, token, now)?;
    let row = email_token::find(conn, &token_hash(token), PURPOSE)?.ok_or(ServiceError::Refused("reset.invalid"))?;
    let owner = user::find(conn, row.user_id)?.ok_or(ServiceError::Refused("reset.invalid"))?;
    check_password(password, &[&owner.email, &owner.display_name])
        .map_err(|key| FieldErrors::single("password", key))?;
    if password != password_confirm {
        return Err(FieldErrors::single("password_confirm", "error.password_mismatch").into());
    }
    Ok((row, owner))
}

/// Sets the new password (checked by `check_reset`, then hashed off the pool as `new_hash`) and
/// ends every session of the account; refused if the link was used in the meantime.
#[tracing::instrument(skip_all)]
pub fn reset_password(
    conn: &mut DbConnection,
    (row, owner): &(EmailTokenRow, UserRow),
    new_hash: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    write_tx(conn, |conn| {
        if !email_token::consume(conn, row.id, now)? {
            return Err(ServiceError::Refused("reset.invalid"));
        }
        user::set_password_hash(conn, owner.id, new_hash, now)?;
        // Whoever followed the link controls the mailbox, so the address is verified too.
        if owner.email_verified_at.is_none() {
            user::mark_verified(conn, owner.id, now)?;
        }
        auth_session::delete_for_user(conn, owner.id)?;
        Ok(())
    })
}
