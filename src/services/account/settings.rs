use super::password::{hash_password, verify_password};
use super::password_reset;
use super::Account;
use crate::db::models::{auth_session, email_token, user};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{check_password, parse_time_zone, DisplayName};
use crate::domain::locale::Locale;
use crate::domain::validation::FieldErrors;
use crate::services::{token_hash, ServiceError, ServiceResult};
use chrono::NaiveDateTime;

#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub display_name: String,
    pub locale: String,
    pub time_zone: String,
    pub reminders: bool,
}

pub fn update_settings(
    conn: &mut DbConnection,
    account: &Account,
    form: &SettingsForm,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let mut errors = FieldErrors::new();
    let name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let locale = errors.check("locale", Locale::parse(&form.locale).ok_or("error.locale_invalid"));
    let tz = errors.check("time_zone", parse_time_zone(&form.time_zone));
    let (Some(name), Some(locale), Some(tz)) = (name, locale, tz) else {
        return Err(errors.into());
    };
    let change = user::SettingsChange {
        display_name: name.as_str(),
        locale: locale.code(),
        time_zone: tz.name(),
        reminders_enabled: form.reminders,
        updated_at: now,
    };
    write_tx(conn, |conn| user::update_settings(conn, account.id, &change))?;
    Ok(())
}

/// Remembers the language a signed-in member picked in the header.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn set_language(conn: &mut DbConnection, account: &Account, locale: Locale) -> ServiceResult<()> {
    write_tx(conn, |conn| user::set_locale(conn, account.id, locale.code()))?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// The account's password hash, for `CheckedChange::of` to check the current password against.
pub fn password_hash_of(conn: &mut DbConnection, account: &Account) -> ServiceResult<String> {
    Ok(user::find(conn, account.id)?.ok_or(ServiceError::Refused("error.not_found"))?.password_hash)
}

/// The argon2 half of a password change, done off the pool: the hash the current password was
/// checked against, and the new one's hash when the current password was right.
pub struct CheckedChange {
    checked_against: String,
    new_hash: Option<String>,
}

impl CheckedChange {
    pub fn of(stored_hash: String, form: &PasswordChange) -> CheckedChange {
        let new_hash = verify_password(&stored_hash, &form.current).then(|| hash_password(&form.new));
        CheckedChange { checked_against: stored_hash, new_hash }
    }
}

/// Changes the password after checking the current one, ends every other session and retires
/// any reset link still in the mailbox (it was asked for under the old password).
pub fn change_password(
    conn: &mut DbConnection,
    account: &Account,
    (form, checked): (&PasswordChange, &CheckedChange),
    session_token: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let row = user::find(conn, account.id)?.ok_or(ServiceError::Refused("error.not_found"))?;
    // A password changed or reset since it was checked is not the one the visitor proved.
    let Some(new_hash) = checked.new_hash.as_deref().filter(|_| row.password_hash == checked.checked_against) else {
        return Err(FieldErrors::single("current", "error.password_wrong").into());
    };
    check_password(&form.new, &[&row.email, &row.display_name]).map_err(|key| FieldErrors::single("new", key))?;
    if form.new != form.confirm {
        return Err(FieldErrors::single("confirm", "error.password_mismatch").into());
    }
    write_tx(conn, |conn| {
        user::set_password_hash(conn, account.id, new_hash, now)?;
        email_token::retire_unused(conn, account.id, password_reset::PURPOSE, now)?;
        auth_session::delete_others(conn, account.id, &token_hash(session_token))
    })?;
    Ok(())
}
