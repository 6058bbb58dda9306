//! Keyed rate limits (GCRA), per account and per IP address, for every action a script could
//! repeat: sign-in, registration, password reset and change, filing, uploads, votes, API calls.
//! A SQLite court is one server and counts in memory (governor); the servers of a PostgreSQL
//! court count together in the database, so a guesser gains nothing by spreading over them.

use crate::config::{ActionRates, Rate, RateLimits};
use crate::db::models::rate_limit;
use crate::db::DbConnection;
use crate::routes::errors::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::num::NonZeroU32;
use std::time::Duration;

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    Register,
    PasswordReset,
    PasswordChange,
    FileCase,
    Upload,
    Vote,
    /// A marketplace's API request (keyed by its API key).
    Api,
}

/// Keys are forgotten once they are full again; past this many a sweep runs first.
const SWEEP_ABOVE: usize = 100_000;
/// In the database, full keys are forgotten once every this many checks.
const SHARED_SWEEP_EVERY: u64 = 10_000;

struct Pair {
    per_account: Keyed,
    per_ip: Keyed,
}

pub struct Limiters {
    sign_in: Pair,
    register: Pair,
    password_reset: Pair,
    password_change: Pair,
    file_case: Pair,
    upload: Pair,
    vote: Pair,
    api: Pair,
    /// Counted in the database (PostgreSQL) rather than in this process.
    shared: Option<Shared>,
}

struct Shared {
    rates: RateLimits,
    checks: std::sync::atomic::AtomicU64,
    /// Keys the row names (the court's secret key: the same on every server).
    key: Vec<u8>,
}

fn keyed(rate: Rate) -> Keyed {
    let burst = NonZeroU32::new(rate.burst.max(1)).expect("at least one");
    let quota =
        Quota::with_period(rate.every.max(Duration::from_millis(1))).expect("non-zero period").allow_burst(burst);
    RateLimiter::keyed(quota)
}

fn pair(rates: ActionRates) -> Pair {
    Pair { per_account: keyed(rates.per_account), per_ip: keyed(rates.per_ip) }
}

impl Limiters {
    /// `shared_with_key`: the court's servers share a PostgreSQL database and count there, naming
    /// each row by an HMAC under this key.
    pub fn new(rates: &RateLimits, shared_with_key: Option<&[u8]>) -> Self {
        Limiters {
            sign_in: pair(rates.sign_in),
            register: pair(rates.register),
            password_reset: pair(rates.password_reset),
            password_change: pair(rates.password_change),
            file_case: pair(rates.file_case),
            upload: pair(rates.upload),
            vote: pair(rates.vote),
            api: pair(rates.api),
            shared: shared_with_key.map(|key| Shared {
                rates: rates.clone(),
                checks: Default::default(),
                key: key.to_vec(),
            }),
        }
    }

    /// Whether `check` needs the database (else `check_here` answers without a connection).
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Counts one attempt at `action` by `account` (an account id, or the email a form names)
    /// from `ip`; refuses with 429 and how long to wait when either is over its quota.
    pub fn check(&self, conn: &mut DbConnection, action: Action, account: &str, ip: &str) -> Result<(), AppError> {
        match (&self.shared, conn) {
            (Some(shared), DbConnection::Pg(pg)) => shared.check(pg, action, account, ip),
            _ => self.check_here(action, account, ip),
        }
    }

    /// `check`, counted in this process.
    pub fn check_here(&self, action: Action, account: &str, ip: &str) -> Result<(), AppError> {
        let pair = match action {
            Action::SignIn => &self.sign_in,
            Action::Register => &self.register,
            Action::PasswordReset => &self.password_reset,
            Action::PasswordChange => &self.password_change,
            Action::FileCase => &self.file_case,
            Action::Upload => &self.upload,
            Action::Vote => &self.vote,
            Action::Api => &self.api,
        };
        for (limiter, key) in [(&pair.per_ip, ip), (&pair.per_account, account)] {
            if limiter.len() > SWEEP_ABOVE {
                limiter.retain_recent();
            }
            if let Err(not_until) = limiter.check_key(&key.to_string()) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                return Err(AppError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) });
            }
        }
        Ok(())
    }
}

impl Shared {
    fn check(&self, conn: &mut diesel::PgConnection, action: Action, account: &str, ip: &str) -> Result<(), AppError> {
        let rates = match action {
            Action::SignIn => self.rates.sign_in,
            Action::Register => self.rates.register,
            Action::PasswordReset => self.rates.password_reset,
            Action::PasswordChange => self.rates.password_change,
            Action::FileCase => self.rates.file_case,
            Action::Upload => self.rates.upload,
            Action::Vote => self.rates.vote,
            Action::Api => self.rates.api,
        };
        let now_ms = chrono::Utc::now().timestamp_millis();
        if self.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % SHARED_SWEEP_EVERY == SHARED_SWEEP_EVERY - 1
        {
            rate_limit::forget_full(conn, now_ms)?;
        }
        for (rate, who, key) in [(rates.per_ip, "ip", ip), (rates.per_account, "account", account)] {
            let every_ms = i64::try_from(rate.every.as_millis()).unwrap_or(i64::MAX).max(1);
            // Keyed hash: the table holds no email or address (nor one found by hashing every IPv4
            // address), and any text a form sends (a NUL byte, which PostgreSQL's text refuses)
            // makes a valid key.
            let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
            mac.update(format!("{action:?}/{who}/{key}").as_bytes());
            let key = hex::encode(&mac.finalize().into_bytes()[..16]);
            if let Some(wait_ms) = rate_limit::take(conn, &key, now_ms, every_ms, i64::from(rate.burst.max(1)))? {
                return Err(AppError::TooManyRequests { retry_after_secs: (wait_ms as u64).div_ceil(1000).max(1) });
            }
        }
        Ok(())
    }
}
