use super::verify_email::issue_verification;
use crate::db::models::user::{self, NewUser};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::account::{check_password, DisplayName, Email, Role, DEFAULT_TIME_ZONE};
use crate::domain::locale::Locale;
use crate::domain::public_id::new_public_id;
use crate::domain::public_id::new_secret_token;
use crate::domain::validation::FieldErrors;
use crate::email::message::Mail;
use crate::services::{outbox, ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub password_confirm: String,
    pub locale: String,
}

/// What a registration did. The visitor is told the same either way ("check your email"), so the
/// form never says which addresses have accounts; the mailbox's owner learns which it was.
#[derive(Debug)]
pub enum Registered {
    /// A new, unverified member (their id); the verification email is queued.
    Created(i32),
    /// The address already has an account: its owner is emailed instead.
    AddressHeld,
}

/// Creates an unverified member and queues the verification email, in one transaction; or, when
/// the address has an account already, emails its owner.
#[tracing::instrument(skip_all)]
pub fn register(
    conn: &mut DbConnection,
    (form, password_hash): (&Registration, &str),
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<Registered> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let user_inputs = [form.email.as_str(), form.display_name.as_str()];
    if errors.check("password", check_password(&form.password, &user_inputs)).is_some()
        && form.password != form.password_confirm
    {
        errors.add("password_confirm", "error.password_mismatch");
    }
    let locale = Locale::parse(&form.locale).unwrap_or_default();
    let (Some(email), Some(name)) = (email, name) else {
        return Err(errors.into());
    };
    errors.into_result()?;
    if user::email_taken(conn, email.as_str())? {
        return tell_owner(conn, email.as_str(), now, rng);
    }
    let public_id = new_public_id(rng);
    let result = write_tx(conn, |conn| {
        let row = user::insert(
            conn,
            &NewUser {
                public_id: &public_id,
                email: email.as_str(),
                display_name: name.as_str(),
                password_hash,
                locale: locale.code(),
                time_zone: DEFAULT_TIME_ZONE,
                role: Role::Member.as_str(),
                email_verified_at: None,
                created_at: now,
                updated_at: now,
            },
        )?;
        issue_verification(conn, &row, now, rng)?;
        Ok::<_, ServiceError>(row)
    });
    match result {
        // Two registrations raced for the address: the loser is answered as for a held one.
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => tell_owner(conn, email.as_str(), now, rng),
        other => other.map(|row| Registered::Created(row.id)),
    }
}

/// Emails the owner of an address someone tried to register with: sign in, or reset.
fn tell_owner(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<Registered> {
    let owner = user::find_by_email(conn, email)?.ok_or(ServiceError::NotFound)?;
    write_tx(conn, |conn| {
        outbox::enqueue(
            conn,
            &format!("account_exists:{}:{}", owner.public_id, new_secret_token(rng)),
            &owner.email,
            Locale::parse(&owner.locale).unwrap_or_default(),
            &Mail::AccountExists { name: owner.display_name.clone() },
            now,
        )
    })?;
    Ok(Registered::AddressHeld)
}
