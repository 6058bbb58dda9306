//! When a panel has decided: quorum policies as data, checked by one pure function.
//!
//! `FirstTo` is Xianyu's rule (the first side to `wins` votes of a `panel`). `Confident` weighs each
//! vote by what the court knows of the juror (their two per-class accuracies) and closes once the
//! posterior for one side reaches `threshold` with at least `min_votes`; below it, more jurors are
//! drawn, up to `cap`. Jurors answer at their own pace and vote on arrival, so `confident` keeps
//! `ahead` seats beyond the votes cast while undecided: the next votes are already on their way
//! when the panel needs them, and the seats not needed are released when it decides.

use crate::domain::dispute::{Category, Side};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuorumPolicy {
    FirstTo { panel: u32, wins: u32 },
    Confident { min_votes: u32, threshold: f64, cap: u32, ahead: u32 },
}

/// The most seats any round may have.
const MAX_SEATS: u32 = 101;

impl QuorumPolicy {
    /// Xianyu's 小法庭: 17 jurors, first to 9.
    pub const XIANYU: QuorumPolicy = QuorumPolicy::FirstTo { panel: 17, wins: 9 };

    /// Jurors seated when the panel is first drawn.
    pub fn initial_panel(&self) -> u32 {
        match *self {
            QuorumPolicy::FirstTo { panel, .. } => panel,
            QuorumPolicy::Confident { min_votes, cap, ahead, .. } => (min_votes + ahead).min(cap),
        }
    }

    /// Fewest jurors a panel can start with: a smaller court seats these when it cannot find the
    /// seats `confident` would keep ahead.
    pub fn minimum_panel(&self) -> u32 {
        match *self {
            QuorumPolicy::FirstTo { panel, .. } => panel,
            QuorumPolicy::Confident { min_votes, .. } => min_votes,
        }
    }

    /// The appeal round's policy: a fresh panel of 2n+1 (Kleros), the same rule scaled to it.
    pub fn for_appeal(&self) -> QuorumPolicy {
        match *self {
            // Never past the 101 seats a policy may have, so the appeal's rule reads back.
            QuorumPolicy::FirstTo { panel, .. } => {
                let panel = (2 * panel + 1).min(MAX_SEATS);
                QuorumPolicy::FirstTo { panel, wins: panel / 2 + 1 }
            }
            QuorumPolicy::Confident { min_votes, threshold, cap, ahead } => {
                let cap = (2 * cap + 1).min(MAX_SEATS);
                QuorumPolicy::Confident {
                    min_votes: (2 * min_votes + 1).min(cap),
                    threshold,
                    cap,
                    ahead: ahead.min(cap),
                }
            }
        }
    }

    /// Reads `first_to:17:9`, `confident:5:0.95:17` or `confident:5:0.95:17:6` (the form `Display`
    /// writes; without the fifth figure no seats are kept ahead).
    pub fn parse(text: &str) -> Result<QuorumPolicy, String> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        let int = |s: &str| s.parse::<u32>().map_err(|_| format!("'{s}' is not a whole number in '{text}'"));
        let policy = match parts.as_slice() {
            ["first_to", panel, wins] => QuorumPolicy::FirstTo { panel: int(panel)?, wins: int(wins)? },
            ["confident", min_votes, threshold, cap, ahead @ ..] if ahead.len() <= 1 => QuorumPolicy::Confident {
                min_votes: int(min_votes)?,
                threshold: threshold.parse().map_err(|_| format!("'{threshold}' is not a probability in '{text}'"))?,
                cap: int(cap)?,
                ahead: ahead.first().map_or(Ok(0), |a| int(a))?,
            },
            _ => {
                return Err(format!("'{text}' is neither first_to:PANEL:WINS nor confident:MIN:THRESHOLD:CAP[:AHEAD]"))
            }
        };
        policy.check()?;
        Ok(policy)
    }

    /// Refuses policies that could never decide or would draw absurd panels (over `MAX_SEATS`).
    fn check(&self) -> Result<(), String> {
        match *self {
            QuorumPolicy::FirstTo { panel, wins } if !(1..=101).contains(&panel) || wins == 0 || wins > panel => {
                Err(format!("first_to needs 1 ≤ wins ≤ panel ≤ 101, got panel {panel}, wins {wins}"))
            }
            QuorumPolicy::Confident { min_votes, threshold, cap, ahead }
                if min_votes == 0
                    || cap < min_votes
                    || cap > 101
                    || !(0.5..1.0).contains(&threshold)
                    || ahead > cap =>
            {
                Err(format!(
                    "confident needs 1 ≤ min ≤ cap ≤ 101, 0.5 ≤ threshold < 1 and ahead ≤ cap, \
                     got {min_votes}, {threshold}, {cap}, {ahead}"
                ))
            }
            _ => Ok(()),
        }
    }
}

impl std::fmt::Display for QuorumPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            QuorumPolicy::FirstTo { panel, wins } => write!(f, "first_to:{panel}:{wins}"),
            QuorumPolicy::Confident { min_votes, threshold, cap, ahead: 0 } => {
                write!(f, "confident:{min_votes}:{threshold}:{cap}")
            }
            QuorumPolicy::Confident { min_votes, threshold, cap, ahead } => {
                write!(f, "confident:{min_votes}:{threshold}:{cap}:{ahead}")
            }
        }
    }
}

/// The policy for each category: one default and any per-category exceptions.
#[derive(Debug, Clone, PartialEq)]
pub struct Quorums {
    pub default: QuorumPolicy,
    pub by_category: Vec<(Category, QuorumPolicy)>,
}

impl Default for Quorums {
    fn default() -> Self {
        Quorums::all(QuorumPolicy::XIANYU)
    }
}

impl Quorums {
    pub fn all(policy: QuorumPolicy) -> Quorums {
        Quorums { default: policy, by_category: vec![] }
    }

    pub fn for_category(&self, category: Category) -> QuorumPolicy {
        self.by_category.iter().find(|(c, _)| *c == category).map_or(self.default, |(_, p)| *p)
    }

    /// Reads `phones=confident:5:0.95:17,books_media=first_to:9:5` (empty: no exceptions).
    pub fn parse_exceptions(text: &str) -> Result<Vec<(Category, QuorumPolicy)>, String> {
        text.split(',')
            .filter(|part| !part.trim().is_empty())
            .map(|part| {
                let (category, policy) = part.split_once('=').ok_or(format!("'{part}' is not CATEGORY=POLICY"))?;
                let category =
                    Category::parse(category.trim()).ok_or(format!("'{}' is not a category", category.trim()))?;
                Ok((category, QuorumPolicy::parse(policy)?))
            })
            .collect()
    }
}

/// A vote, with the court's estimate of the juror who cast it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeighedVote {
    pub side: Side,
    /// P(votes buyer | buyer right)
    pub sensitivity: f64,
    /// P(votes seller | seller right)
    pub specificity: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quorum {
    /// The panel has decided.
    Decided(Side),
    /// Keep waiting for the seated jurors' votes.
    Waiting,
    /// Draw this many more jurors (the `Confident` policy below its threshold).
    DrawMore(u32),
    /// Every juror the policy allows has voted and no side prevailed: the moderators decide.
    Deadlocked,
}

/// P(buyer right | votes), from a prior share of buyer-right cases and each juror's accuracies.
pub fn posterior_buyer(votes: &[WeighedVote], prior_buyer: f64) -> f64 {
    let clamp = |p: f64| p.clamp(0.01, 0.99);
    let prior = clamp(prior_buyer);
    let log_odds = votes.iter().fold((prior / (1.0 - prior)).ln(), |acc, v| {
        let (sens, spec) = (clamp(v.sensitivity), clamp(v.specificity));
        acc + match v.side {
            Side::Buyer => (sens / (1.0 - spec)).ln(),
            Side::Seller => ((1.0 - sens) / spec).ln(),
        }
    });
    1.0 / (1.0 + (-log_odds).exp())
}

/// Where a panel stands after its votes so far; `seated` counts jurors on the panel (voted or not).
pub fn check(policy: &QuorumPolicy, votes: &[WeighedVote], seated: u32, prior_buyer: f64) -> Quorum {
    let cast = votes.len() as u32;
    match *policy {
        QuorumPolicy::FirstTo { panel, wins } => {
            let buyer = votes.iter().filter(|v| v.side == Side::Buyer).count() as u32;
            let seller = cast - buyer;
            if buyer >= wins {
                Quorum::Decided(Side::Buyer)
            } else if seller >= wins {
                Quorum::Decided(Side::Seller)
            } else if cast >= panel {
                Quorum::Deadlocked
            } else {
                Quorum::Waiting
            }
        }
        QuorumPolicy::Confident { min_votes, threshold, cap, ahead } => {
            let p = posterior_buyer(votes, prior_buyer);
            let awaited = seated.saturating_sub(cast);
            let confident_side = if p >= threshold {
                Some(Side::Buyer)
            } else if 1.0 - p >= threshold {
                Some(Side::Seller)
            } else {
                None
            };
            match confident_side {
                Some(side) if cast >= min_votes => Quorum::Decided(side),
                // Undecided with too few votes on their way: summon more now rather than after them.
                _ if seated < cap && awaited < ahead => Quorum::DrawMore((ahead - awaited).min(cap - seated)),
                _ if cast < seated.min(cap) => Quorum::Waiting,
                None if seated < cap => Quorum::DrawMore((cap - seated).min(2)),
                // At the cap, the more likely side prevails; an exact tie goes to the moderators.
                _ if cast >= cap && p > 0.5 => Quorum::Decided(Side::Buyer),
                _ if cast >= cap && p < 0.5 => Quorum::Decided(Side::Seller),
                _ if cast >= cap => Quorum::Deadlocked,
                _ => Quorum::Waiting,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vote(side: Side, accuracy: f64) -> WeighedVote {
        WeighedVote { side, sensitivity: accuracy, specificity: accuracy }
    }

    fn votes(buyer: u32, seller: u32) -> Vec<WeighedVote> {
        let mut all = vec![vote(Side::Buyer, 0.7); buyer as usize];
        all.extend(vec![vote(Side::Seller, 0.7); seller as usize]);
        all
    }

    #[test]
    fn first_to_nine_of_seventeen_closes_at_the_ninth_vote() {
        let xianyu = QuorumPolicy::XIANYU;
        assert_eq!(check(&xianyu, &votes(8, 8), 17, 0.5), Quorum::Waiting);
        assert_eq!(check(&xianyu, &votes(9, 0), 17, 0.5), Quorum::Decided(Side::Buyer));
        assert_eq!(check(&xianyu, &votes(8, 9), 17, 0.5), Quorum::Decided(Side::Seller));
        let even = QuorumPolicy::FirstTo { panel: 4, wins: 3 };
        assert_eq!(check(&even, &votes(2, 2), 4, 0.5), Quorum::Deadlocked, "a tie goes to the moderators");
    }

    #[test]
    fn the_posterior_weighs_skilled_jurors_more() {
        let expert = [vote(Side::Seller, 0.95)];
        let novices = [vote(Side::Buyer, 0.6), vote(Side::Buyer, 0.6)];
        let all: Vec<WeighedVote> = expert.iter().chain(&novices).copied().collect();
        assert!(posterior_buyer(&all, 0.5) < 0.5, "one expert outweighs two near-coin-flips");
        assert!((posterior_buyer(&[], 0.5) - 0.5).abs() < 1e-12);
        // A juror who always votes buyer (sensitivity 0.99, specificity 0.01) tells nothing.
        let stuck = WeighedVote { side: Side::Buyer, sensitivity: 0.99, specificity: 0.01 };
        assert!((posterior_buyer(&[stuck], 0.5) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn confident_draws_more_below_its_threshold_and_decides_at_the_cap() {
        let policy = QuorumPolicy::Confident { min_votes: 5, threshold: 0.95, cap: 9, ahead: 0 };
        assert_eq!(check(&policy, &votes(5, 0), 5, 0.5), Quorum::Decided(Side::Buyer));
        assert_eq!(check(&policy, &votes(3, 2), 5, 0.5), Quorum::DrawMore(2));
        assert_eq!(check(&policy, &votes(3, 2), 7, 0.5), Quorum::Waiting, "the new jurors vote first");
        assert_eq!(check(&policy, &votes(5, 4), 9, 0.5), Quorum::Decided(Side::Buyer), "the likelier side at the cap");
        assert_eq!(check(&policy, &votes(4, 4), 9, 0.5), Quorum::Waiting);
        let even = QuorumPolicy::Confident { min_votes: 2, threshold: 0.99, cap: 4, ahead: 0 };
        assert_eq!(check(&even, &votes(2, 2), 4, 0.5), Quorum::Deadlocked);
    }

    #[test]
    fn confident_keeps_seats_ahead_of_the_votes_while_undecided() {
        let policy = QuorumPolicy::Confident { min_votes: 5, threshold: 0.95, cap: 12, ahead: 4 };
        assert_eq!(policy.initial_panel(), 9, "min_votes seats and four ahead");
        assert_eq!(check(&policy, &votes(1, 0), 9, 0.5), Quorum::Waiting, "eight votes on their way");
        assert_eq!(check(&policy, &votes(3, 2), 9, 0.5), Quorum::Waiting, "four on their way");
        assert_eq!(check(&policy, &votes(3, 3), 9, 0.5), Quorum::DrawMore(1), "three on their way: one more");
        assert_eq!(check(&policy, &votes(4, 4), 11, 0.5), Quorum::DrawMore(1), "never past the cap");
        assert_eq!(check(&policy, &votes(6, 0), 9, 0.5), Quorum::Decided(Side::Buyer), "the rest are released");
        let small = QuorumPolicy::Confident { min_votes: 5, threshold: 0.95, cap: 6, ahead: 4 };
        assert_eq!(small.initial_panel(), 6);
    }

    #[test]
    fn policies_read_back_what_they_write_and_refuse_nonsense() {
        for text in ["first_to:17:9", "confident:5:0.95:17", "confident:5:0.95:17:6"] {
            assert_eq!(QuorumPolicy::parse(text).unwrap().to_string(), text);
        }
        for bad in [
            "first_to:17",
            "first_to:3:4",
            "first_to:0:0",
            "confident:5:1.5:17",
            "confident:9:0.9:5",
            "confident:5:0.9:9:10",
            "confident:5:0.9:9:1:1",
            "",
            "x:1:1",
        ] {
            assert!(QuorumPolicy::parse(bad).is_err(), "{bad} accepted");
        }
        let quorums = Quorums {
            default: QuorumPolicy::XIANYU,
            by_category: Quorums::parse_exceptions("phones=confident:5:0.95:17").unwrap(),
        };
        assert_eq!(quorums.for_category(Category::Phones).initial_panel(), 5);
        assert_eq!(quorums.for_category(Category::Beauty), QuorumPolicy::XIANYU);
        assert!(Quorums::parse_exceptions("toys=first_to:3:2").is_err());
        assert_eq!(Quorums::parse_exceptions("").unwrap(), vec![]);
    }

    #[test]
    fn the_appeal_panel_is_two_n_plus_one() {
        assert_eq!(QuorumPolicy::XIANYU.for_appeal(), QuorumPolicy::FirstTo { panel: 35, wins: 18 });
        for large in ["first_to:60:31", "confident:40:0.96:60:6"] {
            let appeal = QuorumPolicy::parse(large).unwrap().for_appeal();
            assert_eq!(QuorumPolicy::parse(&appeal.to_string()), Ok(appeal), "{large}: the appeal's rule reads back");
        }
        let confident = QuorumPolicy::Confident { min_votes: 5, threshold: 0.95, cap: 17, ahead: 6 };
        assert_eq!(
            confident.for_appeal(),
            QuorumPolicy::Confident { min_votes: 11, threshold: 0.95, cap: 35, ahead: 6 }
        );
    }

    fn any_votes() -> impl Strategy<Value = Vec<WeighedVote>> {
        prop::collection::vec((any::<bool>(), 0.5f64..0.99, 0.5f64..0.99), 0..40).prop_map(|v| {
            v.into_iter()
                .map(|(buyer, sensitivity, specificity)| WeighedVote {
                    side: if buyer { Side::Buyer } else { Side::Seller },
                    sensitivity,
                    specificity,
                })
                .collect()
        })
    }

    proptest! {
        /// `first_to` decides exactly when a side reaches `wins`, for the side that did.
        #[test]
        fn first_to_closes_at_wins_and_never_earlier(all in any_votes(), wins in 1u32..10) {
            let policy = QuorumPolicy::FirstTo { panel: 2 * wins - 1, wins };
            let mut decided = None;
            for n in 0..=all.len().min((2 * wins - 1) as usize) {
                let now = check(&policy, &all[..n], 2 * wins - 1, 0.5);
                let buyer = all[..n].iter().filter(|v| v.side == Side::Buyer).count() as u32;
                let seller = n as u32 - buyer;
                match now {
                    Quorum::Decided(side) => {
                        prop_assert!(buyer >= wins || seller >= wins);
                        prop_assert_eq!(side == Side::Buyer, buyer >= wins);
                        decided.get_or_insert(n);
                    }
                    other => {
                        prop_assert!(buyer < wins && seller < wins, "{:?} with {} / {}", other, buyer, seller);
                        prop_assert!(decided.is_none(), "a decided panel stays decided");
                    }
                }
            }
        }

        /// Seats kept ahead never take a panel past its cap, and never let it decide early.
        #[test]
        fn seats_ahead_stay_under_the_cap(all in any_votes(), min_votes in 1u32..8, extra in 0u32..10, ahead in 0u32..8, threshold in 0.6f64..0.999, waiting in 0u32..10) {
            let cap = min_votes + extra;
            let policy = QuorumPolicy::Confident { min_votes, threshold, cap, ahead: ahead.min(cap) };
            for n in 0..=all.len().min(cap as usize) {
                let seated = (n as u32 + waiting).min(cap);
                match check(&policy, &all[..n], seated, 0.5) {
                    Quorum::DrawMore(more) => prop_assert!(more >= 1 && seated + more <= cap, "{} more at {}/{}", more, seated, cap),
                    Quorum::Decided(_) => prop_assert!(n as u32 >= min_votes),
                    _ => {}
                }
            }
        }

        /// `confident` never closes below `min_votes` and always closes (or deadlocks) by `cap`.
        #[test]
        fn confident_respects_min_votes_and_cap(all in any_votes(), min_votes in 1u32..8, extra in 0u32..10, threshold in 0.6f64..0.999) {
            let cap = min_votes + extra;
            let policy = QuorumPolicy::Confident { min_votes, threshold, cap, ahead: extra / 2 };
            for n in 0..=all.len().min(cap as usize) {
                let result = check(&policy, &all[..n], cap, 0.5);
                if (n as u32) < min_votes {
                    prop_assert!(!matches!(result, Quorum::Decided(_)), "decided with {} < {} votes", n, min_votes);
                }
                if n as u32 == cap {
                    prop_assert!(matches!(result, Quorum::Decided(_) | Quorum::Deadlocked), "{:?} at the cap", result);
                }
            }
        }
    }
}
