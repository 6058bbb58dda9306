//! Jurors who vote for one side whatever the case: bribed or sock-puppet accounts working as a
//! ring. An honest juror, however partial, still votes for the other side when it is plainly in
//! the right (in-group bias moves a vote or two in ten); a ring member never does. So the court
//! suspects a juror whose record shows, beyond reasonable doubt, that they almost never vote for
//! one side when it was right, yet do vote for the other when it was. Two members of one ring
//! rarely sit together in a large pool, so pair agreement alone would find little; a juror's own
//! record is the signal, and the agreement of suspects who did sit together is the evidence shown.

use crate::domain::dispute::Side;
use crate::domain::reputation::Tally;

/// Judgements of the disfavoured side's right cases a record needs before it can suspect anyone.
pub const MIN_AGAINST: f64 = 20.0;

/// A suspect votes for the disfavoured side, when it was right, at most this often (the 99% upper
/// bound of their rate must be below it). The most partial honest juror the simulations model
/// still does in over 40% of such cases.
pub const AT_MOST: f64 = 0.2;

/// z for a one-sided 99% bound.
const Z: f64 = 2.326;

/// The side a juror votes for whatever the case, if their record shows one.
pub fn one_sided(record: &Tally) -> Option<Side> {
    let suspect = |right: f64, voted_right: f64, other_right: f64, other_voted_right: f64| {
        right >= MIN_AGAINST
            && wilson_upper(voted_right, right) < AT_MOST
            // They do vote for the other side when it is right: one-sided, not merely wrong.
            && other_right > 0.0
            && other_voted_right / other_right >= 0.5
    };
    let (b, bb, s, ss) =
        (record.buyer_right, record.buyer_right_voted_buyer, record.seller_right, record.seller_right_voted_seller);
    if suspect(b, bb, s, ss) {
        Some(Side::Seller)
    } else if suspect(s, ss, b, bb) {
        Some(Side::Buyer)
    } else {
        None
    }
}

/// Judgements of a side's right cases after which a record that never sides with it is tested.
pub const PROBE_AFTER: f64 = 3.0;

/// The side a calibration case should have been right in to test this juror, when their record
/// hints that they never vote for that side but is too short to say so (`one_sided`). A suspect
/// the draw passes over would otherwise never build the record that shows them; an honest juror
/// who was merely unlucky answers a test or two and is left alone.
pub fn worth_testing(record: &Tally) -> Option<Side> {
    // Once the side's record is long enough to decide, testing it further shows nothing new (the
    // juror may still not be one-sided for want of the other side's cases).
    let hint = |right: f64, voted_right: f64| {
        right >= PROBE_AFTER
            && voted_right / right <= AT_MOST
            && !(right >= MIN_AGAINST && wilson_upper(voted_right, right) < AT_MOST)
    };
    match one_sided(record) {
        Some(_) => None,
        None if hint(record.buyer_right, record.buyer_right_voted_buyer) => Some(Side::Buyer),
        None if hint(record.seller_right, record.seller_right_voted_seller) => Some(Side::Seller),
        None => None,
    }
}

/// Upper bound of a proportion from `k` of `n` (Wilson's score interval).
fn wilson_upper(k: f64, n: f64) -> f64 {
    let p = k / n;
    let z2 = Z * Z;
    (p + z2 / (2.0 * n) + Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt()) / (1.0 + z2 / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(buyer_right: f64, voted_buyer: f64, seller_right: f64, voted_seller: f64) -> Tally {
        Tally {
            buyer_right,
            buyer_right_voted_buyer: voted_buyer,
            seller_right,
            seller_right_voted_seller: voted_seller,
        }
    }

    #[test]
    fn a_juror_who_never_votes_buyer_is_suspected_once_the_record_is_long_enough() {
        assert_eq!(one_sided(&record(30.0, 0.0, 20.0, 20.0)), Some(Side::Seller));
        assert_eq!(one_sided(&record(10.0, 0.0, 8.0, 8.0)), None, "ten cases could be chance");
        assert_eq!(one_sided(&record(8.0, 8.0, 12.0, 0.0)), None, "nor twelve, for the buyer's side");
        assert_eq!(one_sided(&record(40.0, 40.0, 40.0, 1.0)), Some(Side::Buyer));
    }

    #[test]
    fn partial_random_and_contrary_jurors_are_not_one_sided() {
        // A seller-leaning juror at the floor of skill still votes buyer in 44% of buyer-right cases.
        assert_eq!(one_sided(&record(200.0, 88.0, 100.0, 56.0)), None);
        assert_eq!(one_sided(&record(200.0, 100.0, 100.0, 50.0)), None, "a coin-tosser");
        assert_eq!(one_sided(&record(60.0, 0.0, 40.0, 0.0)), None, "always wrong is not one side");
    }

    #[test]
    fn a_short_record_that_never_sides_with_the_buyer_is_tested_with_a_buyer_right_case() {
        assert_eq!(worth_testing(&record(3.0, 0.0, 2.0, 2.0)), Some(Side::Buyer));
        assert_eq!(worth_testing(&record(2.0, 0.0, 2.0, 2.0)), None, "two cases say nothing yet");
        assert_eq!(worth_testing(&record(5.0, 2.0, 4.0, 0.0)), Some(Side::Seller));
        assert_eq!(worth_testing(&record(5.0, 2.0, 4.0, 2.0)), None);
        assert_eq!(worth_testing(&record(30.0, 0.0, 20.0, 20.0)), None, "already shown: nothing left to test");
        assert_eq!(worth_testing(&record(30.0, 0.0, 1.0, 1.0)), None, "decided on that side: tests stop");
    }

    #[test]
    fn the_bound_is_wilsons() {
        // 0 of 40 at z = 2.326: (z²/80 + z·z/80) / (1 + z²/40) = 0.1192.
        assert!((wilson_upper(0.0, 40.0) - 0.1192).abs() < 1e-4, "{}", wilson_upper(0.0, 40.0));
        assert!(wilson_upper(20.0, 40.0) > 0.5);
    }
}
