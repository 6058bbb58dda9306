//! Keyed rate limits (governor's GCRA) for sign-in, per account and per IP address.

use crate::config::Limits;
use crate::routes::errors::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

pub struct Limiters {
    sign_in_account: Keyed,
    sign_in_ip: Keyed,
}

fn keyed(burst: u32, refill: Duration) -> Keyed {
    let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
    let quota = Quota::with_period(refill.max(Duration::from_millis(1))).expect("non-zero period").allow_burst(burst);
    RateLimiter::keyed(quota)
}

impl Limiters {
    pub fn new(limits: &Limits) -> Self {
        let refill = Duration::from_secs(limits.sign_in_refill_secs);
        Limiters {
            sign_in_account: keyed(limits.sign_in_per_account, refill),
            sign_in_ip: keyed(limits.sign_in_per_ip, refill / 4),
        }
    }

    /// Counts one sign-in attempt; refuses with 429 when the account or the address is over quota.
    pub fn check_sign_in(&self, email: &str, ip: &str) -> Result<(), AppError> {
        for (limiter, key) in [(&self.sign_in_ip, ip), (&self.sign_in_account, email)] {
            if limiter.len() > 100_000 {
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
