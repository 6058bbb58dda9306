//! Who moderates: any moderator sees the list; only an admin grants or revokes the role.

use super::{audit, require_admin, require_moderator, Audited};
use crate::db::models::user::{self, UserRow};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{Email, Role};
use crate::domain::moderation::parse_reason;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

pub fn list_moderators(conn: &mut DbConnection, account: &Account) -> ServiceResult<Vec<UserRow>> {
    require_moderator(account)?;
    Ok(user::moderators(conn)?)
}

/// An admin makes a verified member a moderator (`grant`), or a moderator a member again.
#[tracing::instrument(skip_all)]
pub fn set_moderator(
    conn: &mut DbConnection,
    admin: &Account,
    email: &str,
    grant: bool,
    reason: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    require_admin(admin)?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    let reason = errors.check("reason", parse_reason(reason));
    let (Some(email), Some(reason)) = (email, reason) else { return Err(errors.into()) };
    write_tx(conn, |conn| {
        let person = user::find_by_email(conn, email.as_str())?
            .filter(|u| u.email_verified_at.is_some())
            .ok_or(ServiceError::Refused("moderation.refused.no_such_member"))?;
        let current = Role::parse(&person.role);
        let next = match (grant, current) {
            (_, Role::Admin) => return Err(ServiceError::Refused("moderation.refused.admin_role")),
            (true, Role::Moderator) => return Err(ServiceError::Refused("moderation.refused.already_moderator")),
            (false, Role::Member) => return Err(ServiceError::Refused("moderation.refused.not_moderator")),
            (true, _) => Role::Moderator,
            (false, _) => Role::Member,
        };
        user::set_role(conn, person.id, next.as_str(), now)?;
        let entry = Audited {
            action: if grant { "grant_moderator" } else { "revoke_moderator" },
            case_id: None,
            subject_id: Some(person.id),
            before: format!("role={}", current.as_str()),
            after: format!("role={}", next.as_str()),
            reason: &reason,
        };
        audit(conn, admin, entry, now)
    })
}
