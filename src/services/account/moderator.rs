use super::password::hash_password;
use crate::db::models::user::{self, NewUser};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{Email, Role, DEFAULT_TIME_ZONE};
use crate::domain::locale::Locale;
use crate::domain::public_id::{new_public_id, new_secret_token};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

pub enum ModeratorOutcome {
    Promoted,
    AlreadyModerator,
    /// A new account; the one-time password must be shown to the operator.
    Created {
        password: String,
    },
}

/// Makes the account with this email a moderator, creating a verified account when none exists.
pub fn create_or_promote_moderator(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<ModeratorOutcome> {
    let email = Email::parse(email).map_err(ServiceError::Refused)?;
    write_tx(conn, |conn| match user::find_by_email(conn, email.as_str())? {
        Some(existing) if Role::parse(&existing.role).can_moderate() => Ok(ModeratorOutcome::AlreadyModerator),
        Some(existing) => {
            user::set_role(conn, existing.id, Role::Moderator.as_str(), now)?;
            Ok(ModeratorOutcome::Promoted)
        }
        None => {
            let password = new_secret_token(rng)[..20].to_string();
            let display_name = email.as_str().split('@').next().unwrap_or("moderator");
            user::insert(
                conn,
                &NewUser {
                    public_id: &new_public_id(rng),
                    email: email.as_str(),
                    display_name,
                    password_hash: &hash_password(&password),
                    locale: Locale::default().code(),
                    time_zone: DEFAULT_TIME_ZONE,
                    role: Role::Moderator.as_str(),
                    email_verified_at: Some(now),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            Ok(ModeratorOutcome::Created { password })
        }
    })
}
