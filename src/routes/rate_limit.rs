//! Keyed rate limits (governor's GCRA), per account and per IP address, for every action a
//! script could repeat: sign-in, registration, password reset and change, filing, uploads and votes.

use crate::config::{ActionRates, Rate, RateLimits};
use crate::routes::errors::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
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
    pub fn new(rates: &RateLimits) -> Self {
        Limiters {
            sign_in: pair(rates.sign_in),
            register: pair(rates.register),
            password_reset: pair(rates.password_reset),
            password_change: pair(rates.password_change),
            file_case: pair(rates.file_case),
            upload: pair(rates.upload),
            vote: pair(rates.vote),
            api: pair(rates.api),
        }
    }

    /// Counts one attempt at `action` by `account` (an account id, or the email a form names)
    /// from `ip`; refuses with 429 and how long to wait when either is over its quota.
    pub fn check(&self, action: Action, account: &str, ip: &str) -> Result<(), AppError> {
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
