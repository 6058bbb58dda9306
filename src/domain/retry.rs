//! When to try again after a failure: exponential backoff shared by the outbox and the deadline
//! jobs, so neither hammers a broken dependency nor waits for ever.

use chrono::TimeDelta;

/// The wait after the `attempts`-th failure: 30 s, 1 min, 2 min … capped at one hour.
pub fn backoff(attempts: i32) -> TimeDelta {
    let exp = attempts.clamp(1, 8) - 1;
    TimeDelta::seconds((30i64 << exp).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_caps() {
        assert_eq!(backoff(1), TimeDelta::seconds(30));
        assert_eq!(backoff(2), TimeDelta::seconds(60));
        assert_eq!(backoff(5), TimeDelta::seconds(480));
        assert_eq!(backoff(12), TimeDelta::seconds(3600));
    }
}
