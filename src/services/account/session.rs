use super::password::{verify_password, DUMMY_HASH};
use super::Account;
use crate::db::models::{auth_session, sign_in, user};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::Email;
use crate::domain::linked_accounts::LOOKBACK_DAYS;
use crate::domain::public_id::new_secret_token;
use crate::services::{token_hash, ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use std::net::IpAddr;

/// A session unused this long ends (OWASP ASVS 7.3.1 idle timeout).
pub const IDLE_TIMEOUT: TimeDelta = TimeDelta::days(7);
/// A session ends this long after sign-in, however active (ASVS 7.3.2).
pub const ABSOLUTE_TIMEOUT: TimeDelta = TimeDelta::days(30);
/// `last_seen_at` is written at most this often, so reads stay reads.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(5);

/// Where a sign-in comes from: the secret in the browser's device cookie and the peer address.
/// Both are stored as HMACs under the court's secret key (an unkeyed hash of an IPv4 address is
/// reversed in minutes); a loopback address is not stored (behind a proxy on the same machine
/// every visitor has it).
pub struct Origin {
    /// The cookie's secret, to set again with the answer.
    pub device: String,
    device_hash: String,
    address_hash: Option<String>,
}

impl Origin {
    pub fn new(device: String, address: Option<IpAddr>, secret: &[u8]) -> Origin {
        let keyed = |value: &str| {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
            mac.update(value.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        };
        Origin {
            device_hash: keyed(&format!("device:{device}")),
            address_hash: address.filter(|a| !a.is_loopback()).map(|a| keyed(&format!("address:{a}"))),
            device,
        }
    }
}

/// What a sign-in needs from the database before the password is checked, which happens off the
/// pool (`Credentials::check`): argon2 must not hold a connection.
pub struct Credentials {
    user: Option<user::UserRow>,
    /// The account has signed in on this device lately: such a sign-in is limited per device, not
    /// with everyone typing that email (so nobody can lock the owner out).
    pub known_device: bool,
}

pub fn credentials(
    conn: &mut DbConnection,
    email: &str,
    origin: &Origin,
    now: NaiveDateTime,
) -> ServiceResult<Credentials> {
    let user = match Email::parse(email) {
        Ok(email) => user::find_by_email(conn, email.as_str())?,
        Err(_) => None,
    };
    let known_device = match &user {
        Some(u) => sign_in::known_device(conn, u.id, &origin.device_hash, now - TimeDelta::days(LOOKBACK_DAYS))?,
        None => false,
    };
    Ok(Credentials { user, known_device })
}

impl Credentials {
    /// The account, if the password is its own. An unknown email is checked against a dummy hash,
    /// so both answers take equally long.
    pub fn check(self, password: &str) -> ServiceResult<user::UserRow> {
        let stored_hash = self.user.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str());
        let password_ok = verify_password(stored_hash, password);
        self.user.filter(|_| password_ok).ok_or(ServiceError::Refused("signin.failed"))
    }
}

/// Opens a session for an account whose password was checked; returns it and the session's secret.
#[tracing::instrument(skip_all)]
pub fn sign_in(
    conn: &mut DbConnection,
    user: user::UserRow,
    origin: &Origin,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<(Account, String)> {
    let token = open_session(conn, user.id, origin, now, rng)?;
    Ok((Account::from(user), token))
}

/// Opens a session for the account and returns its secret (kept only in the visitor's cookie);
/// remembers the device and address it came from.
pub fn open_session(
    conn: &mut DbConnection,
    user_id: i32,
    origin: &Origin,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<String> {
    let token = new_secret_token(rng);
    write_tx(conn, |conn| {
        auth_session::insert(conn, &token_hash(&token), user_id, now)?;
        sign_in::forget_before(conn, user_id, now - TimeDelta::days(LOOKBACK_DAYS))?;
        sign_in::record(conn, user_id, (&origin.device_hash, origin.address_hash.as_deref()), now)
    })?;
    Ok(token)
}

/// The account behind a session secret, if the session is still alive.
pub fn authenticate(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> ServiceResult<Option<Account>> {
    let hash = token_hash(token);
    let Some((session, user)) = auth_session::find_with_user(conn, &hash)? else {
        return Ok(None);
    };
    if now - session.last_seen_at > IDLE_TIMEOUT || now - session.created_at > ABSOLUTE_TIMEOUT {
        auth_session::delete_by_hash(conn, &hash)?;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_EVERY {
        auth_session::touch(conn, session.id, now)?;
    }
    Ok(Some(Account::from(user)))
}

pub fn sign_out(conn: &mut DbConnection, token: &str) -> ServiceResult<()> {
    auth_session::delete_by_hash(conn, &token_hash(token))?;
    Ok(())
}
