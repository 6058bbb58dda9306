//! `xiaofating demo`: a believable court for newcomers. Idempotent: people are found by email.

use crate::db::models::user::{self, NewUser};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{Role, DEFAULT_TIME_ZONE};
use crate::domain::public_id::new_public_id;
use crate::services::account::password::hash_password;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;
use rand::Rng;

/// Every demo account signs in with this password (shown in the README).
pub const DEMO_PASSWORD: &str = "xiaofating-demo";

/// (email, display name, language, role)
const PEOPLE: &[(&str, &str, &str, Role)] = &[
    (
        "buyer@demo.xiaofating.test",
        "李雷 (buyer)",
        "zh-CN",
        Role::Member,
    ),
    (
        "seller@demo.xiaofating.test",
        "韩梅梅 (seller)",
        "zh-CN",
        Role::Member,
    ),
    (
        "alice@demo.xiaofating.test",
        "Alice Chen",
        "en",
        Role::Member,
    ),
    (
        "moderator@demo.xiaofating.test",
        "王老师 (moderator)",
        "zh-CN",
        Role::Moderator,
    ),
    ("admin@demo.xiaofating.test", "Admin", "en", Role::Admin),
];

pub fn seed(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<String> {
    let hash = hash_password(DEMO_PASSWORD);
    let created = write_tx(conn, |conn| {
        let mut created = 0;
        for (email, name, locale, role) in PEOPLE {
            if user::email_taken(conn, email)? {
                continue;
            }
            user::insert(
                conn,
                &NewUser {
                    public_id: &new_public_id(rng),
                    email,
                    display_name: name,
                    password_hash: &hash,
                    locale,
                    time_zone: DEFAULT_TIME_ZONE,
                    role: role.as_str(),
                    email_verified_at: Some(now),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            created += 1;
        }
        Ok::<_, diesel::result::Error>(created)
    })?;
    Ok(format!(
        "demo court ready: {created} new of {} accounts; every demo account's password is '{DEMO_PASSWORD}'",
        PEOPLE.len()
    ))
}
