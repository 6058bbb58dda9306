use super::password::hash_password;
use super::verify_email::issue_verification;
use crate::db::models::user::{self, NewUser, UserRow};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::account::{check_password, DisplayName, Email, Role, DEFAULT_TIME_ZONE};
use crate::domain::locale::Locale;
use crate::domain::public_id::new_public_id;
use crate::domain::validation::FieldErrors;
use crate::services::{ServiceError, ServiceResult};
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

/// Creates an unverified member and queues the verification email, in one transaction.
pub fn register(
    conn: &mut DbConnection,
    form: &Registration,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<UserRow> {
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
        return Err(FieldErrors::single("email", "error.email_taken").into());
    }

    let password_hash = hash_password(&form.password);
    let public_id = new_public_id(rng);
    let result = write_tx(conn, |conn| {
        let row = user::insert(
            conn,
            &NewUser {
                public_id: &public_id,
                email: email.as_str(),
                display_name: name.as_str(),
                password_hash: &password_hash,
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
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => {
            Err(FieldErrors::single("email", "error.email_taken").into())
        }
        other => other,
    }
}
