//! The court's source of chance for what it decides at random: which jurors a draw summons, who
//! replaces a juror, which accepted summons brings a calibration case. Like the `Clock`, it is
//! shared by requests and workers and a test can fix it (`Settings::draw_seed`), so a draw made
//! over HTTP can be replayed. Secrets (session, link and form tokens) never come from here: they
//! take the thread's OS-seeded generator, which nothing can fix.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone)]
pub struct Chance {
    seeds: Arc<Mutex<StdRng>>,
}

impl Chance {
    /// Seeded from the operating system: no two courts draw alike.
    pub fn from_os() -> Chance {
        Chance::from(StdRng::from_os_rng())
    }

    /// The same seed gives the same sequence of draws, given the same requests in the same order.
    pub fn seeded(seed: u64) -> Chance {
        Chance::from(StdRng::seed_from_u64(seed))
    }

    fn from(rng: StdRng) -> Chance {
        Chance { seeds: Arc::new(Mutex::new(rng)) }
    }

    /// A generator for one use case: its own stream, taken in turn from the court's.
    pub fn rng(&self) -> StdRng {
        let seed = self.seeds.lock().unwrap_or_else(PoisonError::into_inner).next_u64();
        StdRng::seed_from_u64(seed)
    }
}

impl Default for Chance {
    fn default() -> Chance {
        Chance::from_os()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn the_same_seed_draws_the_same_and_each_use_gets_its_own_stream() {
        let draws = |chance: &Chance| (0..3).map(|_| chance.rng().random::<u64>()).collect::<Vec<_>>();
        let first = draws(&Chance::seeded(7));
        assert_eq!(first, draws(&Chance::seeded(7)));
        assert_ne!(first, draws(&Chance::seeded(8)));
        assert_ne!(first[0], first[1], "two use cases do not share a stream");
    }
}
