use super::password::hash_password;
use crate::db::models::user::{self, NewUser};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{Email, Role, DEFAULT_TIME_ZONE};
use crate::domain::locale::Locale;
use crate::domain::public_id::{new_public_id, new_secret_token};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

pub enum StaffOutcome {
    Promoted,
    /// The account had the role already (an admin counts as a moderator).
    Already,
    /// A new account; the one-time password must be shown to the operator.
    Created {
        password: String,
    },
}

/// Gives the account with this email a staff role (moderator or admin), creating a verified
/// account when none exists. The operator's way to make the first admin, who then manages
/// moderators in the court.
pub fn create_or_promote(
    conn: &mut DbConnection,
    email: &str,
    role: Role,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<StaffOutcome> {
    let email = Email::parse(email).map_err(ServiceError::Refused)?;
    let has_role = |current: Role| match role {
        Role::Admin => current == Role::Admin,
        _ => current.can_moderate(),
    };
    write_tx(conn, |conn| match user::find_by_email(conn, email.as_str())? {
        Some(existing) if has_role(Role::parse(&existing.role)) => Ok(StaffOutcome::Already),
        Some(existing) => {
            user::set_role(conn, existing.id, role.as_str(), now)?;
            Ok(StaffOutcome::Promoted)
        }
        None => {
            let password = new_secret_token(rng)[..20].to_string();
            let display_name = email.as_str().split('@').next().unwrap_or("staff");
            user::insert(
                conn,
                &NewUser {
                    public_id: &new_public_id(rng),
                    email: email.as_str(),
                    display_name,
                    password_hash: &hash_password(&password),
                    locale: Locale::default().code(),
                    time_zone: DEFAULT_TIME_ZONE,
                    role: role.as_str(),
                    email_verified_at: Some(now),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            Ok(StaffOutcome::Created { password })
        }
    })
}
