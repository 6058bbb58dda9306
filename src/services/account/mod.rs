//! Accounts: registration, email verification, sessions, password reset, settings.

pub mod moderator;
pub mod password;
pub mod password_reset;
pub mod register;
pub mod session;
pub mod settings;
pub mod verify_email;

use crate::db::models::user::UserRow;
use crate::domain::account::Role;
use crate::domain::locale::Locale;

/// The signed-in person, as pages and services need them.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i32,
    pub public_id: String,
    pub email: String,
    pub display_name: String,
    pub locale: Locale,
    pub time_zone: chrono_tz::Tz,
    pub role: Role,
    pub verified: bool,
    /// Whether reminder emails (not stage notices) are wanted.
    pub reminders: bool,
}

impl Account {
    /// The i18n key naming the account's role.
    pub fn role_key(&self) -> &'static str {
        match self.role {
            Role::Member => "role.member",
            Role::Moderator => "role.moderator",
            Role::Admin => "role.admin",
        }
    }
}

impl From<UserRow> for Account {
    fn from(row: UserRow) -> Self {
        Account {
            id: row.id,
            public_id: row.public_id,
            email: row.email,
            display_name: row.display_name,
            locale: Locale::parse(&row.locale).unwrap_or_default(),
            time_zone: row.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
            role: Role::parse(&row.role),
            verified: row.email_verified_at.is_some(),
            reminders: row.reminders_enabled,
        }
    }
}
