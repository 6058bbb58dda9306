//! Juror reputation: a two-class Dawid–Skene model with Beta priors.
//!
//! For each juror we count, over cases whose outcome is final, how they voted when the buyer was
//! right and when the seller was right. `sensitivity` = P(votes buyer | buyer right) and
//! `specificity` = P(votes seller | seller right) are Beta posteriors; accuracy, its lower bound
//! and the leaning (pro-buyer > 0 > pro-seller) follow from them.

use crate::domain::dispute::{Category, Side};
use crate::domain::matching::Categories;

/// Votes on cases with a known outcome, split by which side was right. Counts are real numbers
/// because the batch estimate (EM) credits a vote to each side by that side's probability.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub buyer_right: f64,
    pub buyer_right_voted_buyer: f64,
    pub seller_right: f64,
    pub seller_right_voted_seller: f64,
}

impl Tally {
    pub fn record(&mut self, vote: Side, truth: Side) {
        self.credit(vote, if truth == Side::Buyer { 1.0 } else { 0.0 });
    }

    /// A vote on a case whose buyer was right with probability `p_buyer` (1 or 0 when known).
    pub fn credit(&mut self, vote: Side, p_buyer: f64) {
        self.buyer_right += p_buyer;
        self.seller_right += 1.0 - p_buyer;
        match vote {
            Side::Buyer => self.buyer_right_voted_buyer += p_buyer,
            Side::Seller => self.seller_right_voted_seller += 1.0 - p_buyer,
        }
    }

    /// The difference of two tallies (a correction to add).
    pub fn minus(&self, other: &Tally) -> Tally {
        self.plus(&other.scaled(-1.0))
    }

    pub fn plus(&self, other: &Tally) -> Tally {
        Tally {
            buyer_right: self.buyer_right + other.buyer_right,
            buyer_right_voted_buyer: self.buyer_right_voted_buyer + other.buyer_right_voted_buyer,
            seller_right: self.seller_right + other.seller_right,
            seller_right_voted_seller: self.seller_right_voted_seller + other.seller_right_voted_seller,
        }
    }

    fn scaled(&self, by: f64) -> Tally {
        Tally {
            buyer_right: self.buyer_right * by,
            buyer_right_voted_buyer: self.buyer_right_voted_buyer * by,
            seller_right: self.seller_right * by,
            seller_right_voted_seller: self.seller_right_voted_seller * by,
        }
    }

    pub fn votes(&self) -> f64 {
        self.buyer_right + self.seller_right
    }

    pub fn agreed(&self) -> f64 {
        self.buyer_right_voted_buyer + self.seller_right_voted_seller
    }

    /// Kleros' coherence score, 100·agreed/(votes+10): a short record cannot score high.
    pub fn coherence(&self) -> f64 {
        100.0 * self.agreed() / (self.votes() + 10.0)
    }
}

/// A Beta(alpha, beta) prior on a probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    pub alpha: f64,
    pub beta: f64,
}

impl Beta {
    /// New jurors are assumed a little better than chance, held with the weight of 10 votes.
    pub const NEWCOMER: Beta = Beta { alpha: 7.0, beta: 3.0 };

    fn updated(self, successes: f64, trials: f64) -> Beta {
        Beta { alpha: self.alpha + successes, beta: self.beta + (trials - successes).max(0.0) }
    }

    pub fn mean(self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    pub fn variance(self) -> f64 {
        let n = self.alpha + self.beta;
        self.alpha * self.beta / (n * n * (n + 1.0))
    }

    /// A prior centred on `mean` with the weight of `strength` observations.
    pub fn centred(mean: f64, strength: f64) -> Beta {
        let mean = mean.clamp(0.01, 0.99);
        Beta { alpha: mean * strength, beta: (1.0 - mean) * strength }
    }
}

/// What the court believes about a juror.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub sensitivity: f64,
    pub specificity: f64,
    /// Probability of voting with the final outcome, at the given share of buyer-right cases.
    pub accuracy: f64,
    /// One-sided 95% lower bound of `accuracy`: what matching trusts, so luck with few votes counts little.
    pub accuracy_lower: f64,
    /// sensitivity − specificity: above 0 leans to buyers, below 0 to sellers.
    pub leaning: f64,
    /// Standard deviation of `leaning`: how sure the court is of it.
    pub leaning_sd: f64,
    pub votes: f64,
}

/// Priors for the two per-class accuracies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Priors {
    pub sensitivity: Beta,
    pub specificity: Beta,
}

impl Default for Priors {
    fn default() -> Self {
        Priors { sensitivity: Beta::NEWCOMER, specificity: Beta::NEWCOMER }
    }
}

/// The posterior estimate from a tally; `buyer_share` is the share of cases the buyer is right in.
pub fn estimate(tally: &Tally, priors: Priors, buyer_share: f64) -> Estimate {
    let sens = priors.sensitivity.updated(tally.buyer_right_voted_buyer, tally.buyer_right);
    let spec = priors.specificity.updated(tally.seller_right_voted_seller, tally.seller_right);
    let pi = buyer_share.clamp(0.0, 1.0);
    let accuracy = pi * sens.mean() + (1.0 - pi) * spec.mean();
    let sd = (pi * pi * sens.variance() + (1.0 - pi) * (1.0 - pi) * spec.variance()).sqrt();
    Estimate {
        sensitivity: sens.mean(),
        specificity: spec.mean(),
        accuracy,
        accuracy_lower: (accuracy - 1.645 * sd).clamp(0.0, 1.0),
        leaning: sens.mean() - spec.mean(),
        leaning_sd: (sens.variance() + spec.variance()).sqrt(),
        votes: tally.votes(),
    }
}

/// How much a category estimate leans on the overall one: worth this many votes.
pub const CATEGORY_SHRINK: f64 = 10.0;

/// A category's estimate, shrunk toward the juror's overall estimate: few votes in a category
/// mostly repeat the overall figure, many votes speak for themselves.
pub fn category_estimate(category: &Tally, overall: &Estimate, buyer_share: f64) -> Estimate {
    let priors = Priors {
        sensitivity: Beta::centred(overall.sensitivity, CATEGORY_SHRINK),
        specificity: Beta::centred(overall.specificity, CATEGORY_SHRINK),
    };
    estimate(category, priors, buyer_share)
}

/// The court cannot see the true share of cases the buyer is right in, so it assumes even odds.
pub const ASSUMED_BUYER_SHARE: f64 = 0.5;

/// A juror's standing in one category: their record there (`in_category`), shrunk toward their
/// overall record moved by `shift` (what declaring, or not declaring, the category has been worth:
/// `DeclaredWorth::shift`). What matching trusts and what the `confident` quorum weighs a vote by.
pub fn standing(overall: &Tally, in_category: &Tally, shift: f64) -> Estimate {
    let mut overall = estimate(overall, Priors::default(), ASSUMED_BUYER_SHARE);
    overall.sensitivity = (overall.sensitivity + shift).clamp(0.01, 0.99);
    overall.specificity = (overall.specificity + shift).clamp(0.01, 0.99);
    category_estimate(in_category, &overall, ASSUMED_BUYER_SHARE)
}

/// What declaring expertise has been worth, learned from the court's own judgements: every
/// juror's category tallies pooled by whether the juror declared that category. A juror's record is
/// mostly too short to tell their categories apart, so the court moves their estimate in each
/// category by how much more (or less) often declared experts agree with outcomes than everyone
/// does. Were declarations worthless (everyone claims everything), both pools would agree as often
/// and nothing would move.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeclaredWorth {
    pub declared: Tally,
    pub undeclared: Tally,
}

impl DeclaredWorth {
    /// One juror's share: their tally in each category, under whether they declared it.
    pub fn of(record: &Record, expertise: Categories) -> DeclaredWorth {
        Category::ALL.iter().fold(DeclaredWorth::default(), |mut worth, c| {
            worth.add(expertise.contains(*c), &record.by_category[c.index()]);
            worth
        })
    }

    pub fn add(&mut self, declared: bool, tally: &Tally) {
        let pool = if declared { &mut self.declared } else { &mut self.undeclared };
        *pool = pool.plus(tally);
    }

    pub fn plus(&self, other: &DeclaredWorth) -> DeclaredWorth {
        DeclaredWorth {
            declared: self.declared.plus(&other.declared),
            undeclared: self.undeclared.plus(&other.undeclared),
        }
    }

    pub fn minus(&self, other: &DeclaredWorth) -> DeclaredWorth {
        DeclaredWorth {
            declared: self.declared.minus(&other.declared),
            undeclared: self.undeclared.minus(&other.undeclared),
        }
    }

    /// Accuracy points to move a juror's prior by in a category they did (or did not) declare. Each
    /// pool's rate carries the newcomer prior, so a young court with few votes moves nothing much.
    pub fn shift(&self, declared: bool) -> f64 {
        let rate = |t: &Tally| {
            let prior = Beta::NEWCOMER;
            (prior.alpha + t.agreed().max(0.0)) / (prior.alpha + prior.beta + t.votes().max(0.0))
        };
        let pool = if declared { &self.declared } else { &self.undeclared };
        rate(pool) - rate(&self.declared.plus(&self.undeclared))
    }

    /// The shift in every category (`Category::ALL` order) for a juror with this expertise.
    pub fn shifts(&self, expertise: Categories) -> [f64; Category::ALL.len()] {
        Category::ALL.map(|c| self.shift(expertise.contains(c)))
    }
}

/// Everything the court has judged of one juror: the overall tally and one per category.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Record {
    pub overall: Tally,
    pub by_category: [Tally; Category::ALL.len()],
}

impl Record {
    /// Adds a judgement whose right answer is known (a final outcome or a calibration case).
    pub fn add(&mut self, category: Category, vote: Side, truth: Side) {
        self.overall.record(vote, truth);
        self.by_category[category.index()].record(vote, truth);
    }

    pub fn overall(&self) -> Estimate {
        estimate(&self.overall, Priors::default(), ASSUMED_BUYER_SHARE)
    }

    /// The standing in a category, the prior moved by `shift` (`DeclaredWorth::shift`).
    pub fn in_category(&self, category: Category, shift: f64) -> Estimate {
        standing(&self.overall, &self.by_category[category.index()], shift)
    }

    /// The accuracy lower bound in every category (`Category::ALL` order), as matching uses it;
    /// `shifts` from `DeclaredWorth::shifts`.
    pub fn accuracy_lower(&self, shifts: &[f64; Category::ALL.len()]) -> [f64; Category::ALL.len()] {
        Category::ALL.map(|c| self.in_category(c, shifts[c.index()]).accuracy_lower)
    }
}

/// Share of summonses answered, with a Beta(4, 1) prior: a newcomer starts trusted.
pub fn reliability(answered: u32, ignored: u32) -> f64 {
    (f64::from(answered) + 4.0) / (f64::from(answered) + f64::from(ignored) + 5.0)
}

/// One vote for the batch estimate.
#[derive(Debug, Clone, Copy)]
pub struct Vote {
    pub juror: usize,
    pub case: usize,
    pub vote: Side,
    /// Cast before any outcome of the case was known. Only blind votes teach the estimate about
    /// their juror; the others (an appeal's, whose jurors know which side lost) are evidence of
    /// the case's truth, as Community Notes leaves out ratings made once a note's status showed.
    pub blind: bool,
}

/// Result of the batch estimate.
#[derive(Debug, Clone)]
pub struct EmFit {
    /// (sensitivity, specificity) per juror.
    pub jurors: Vec<(f64, f64)>,
    /// P(buyer right) per case.
    pub cases: Vec<f64>,
    pub buyer_share: f64,
    pub iterations: usize,
}

/// EM iterations a re-estimation runs at most (it stops sooner once the cases settle).
pub const EM_ITERATIONS: usize = 50;

/// Dawid–Skene EM over all votes: estimates every juror's confusion matrix and every case's
/// truth together. `known` fixes the truth of calibration cases. Maximum a posteriori with the
/// newcomer prior, so a juror with few votes stays near it.
pub fn dawid_skene(
    jurors: usize,
    cases: usize,
    votes: &[Vote],
    known: &[(usize, Side)],
    max_iterations: usize,
) -> EmFit {
    let mut fixed = vec![None; cases];
    for (case, side) in known {
        fixed[*case] = Some(if *side == Side::Buyer { 1.0 } else { 0.0 });
    }
    // Start from each case's share of buyer votes.
    let (mut buyer_votes, mut all_votes) = (vec![0.0; cases], vec![0.0; cases]);
    for v in votes {
        all_votes[v.case] += 1.0;
        if v.vote == Side::Buyer {
            buyer_votes[v.case] += 1.0;
        }
    }
    let mut q: Vec<f64> = (0..cases)
        .map(|c| fixed[c].unwrap_or(if all_votes[c] > 0.0 { buyer_votes[c] / all_votes[c] } else { 0.5 }))
        .collect();
    let prior = Beta::NEWCOMER;
    let mut params = vec![(prior.mean(), prior.mean()); jurors];
    let mut pi = 0.5;
    let mut iterations = 0;
    for _ in 0..max_iterations {
        iterations += 1;
        // M-step: each juror's accuracies given the current case beliefs.
        let mut sums = vec![[0.0f64; 4]; jurors]; // [buyer-right votes for buyer, buyer-right mass, seller-right votes for seller, seller-right mass]
        for v in votes.iter().filter(|v| v.blind) {
            let s = &mut sums[v.juror];
            s[1] += q[v.case];
            s[3] += 1.0 - q[v.case];
            match v.vote {
                Side::Buyer => s[0] += q[v.case],
                Side::Seller => s[2] += 1.0 - q[v.case],
            }
        }
        for (p, s) in params.iter_mut().zip(&sums) {
            let map = |hits: f64, mass: f64| (prior.alpha - 1.0 + hits) / (prior.alpha + prior.beta - 2.0 + mass);
            *p = (map(s[0], s[1]).clamp(0.001, 0.999), map(s[2], s[3]).clamp(0.001, 0.999));
        }
        // The share of buyer-right cases, held at even odds with the weight of ten cases, so a
        // young court's few cases cannot talk it into certainty.
        pi = ((q.iter().sum::<f64>() + 5.0) / (cases as f64 + 10.0)).clamp(0.01, 0.99);
        // E-step: each case's truth given the jurors' accuracies.
        let mut log_odds = vec![(pi / (1.0 - pi)).ln(); cases];
        for v in votes {
            let (sens, spec) = params[v.juror];
            log_odds[v.case] += match v.vote {
                Side::Buyer => (sens / (1.0 - spec)).ln(),
                Side::Seller => ((1.0 - sens) / spec).ln(),
            };
        }
        let mut change: f64 = 0.0;
        for c in 0..cases {
            let next = fixed[c].unwrap_or_else(|| 1.0 / (1.0 + (-log_odds[c]).exp()));
            change = change.max((next - q[c]).abs());
            q[c] = next;
        }
        if change < 1e-6 {
            break;
        }
    }
    EmFit { jurors: params, cases: q, buyer_share: pi, iterations }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn tally(bb: f64, bt: f64, ss: f64, st: f64) -> Tally {
        Tally { buyer_right_voted_buyer: bb, buyer_right: bt, seller_right_voted_seller: ss, seller_right: st }
    }

    #[test]
    fn posteriors_match_hand_computed_betas() {
        // Beta(7,3) + 8 of 10 buyer-right votes for the buyer → Beta(15,5): mean 0.75.
        // Beta(7,3) + 2 of 4 seller-right votes for the seller → Beta(9,5): mean 9/14.
        let e = estimate(&tally(8.0, 10.0, 2.0, 4.0), Priors::default(), 0.5);
        assert!((e.sensitivity - 0.75).abs() < 1e-12);
        assert!((e.specificity - 9.0 / 14.0).abs() < 1e-12);
        assert!((e.accuracy - (0.75 + 9.0 / 14.0) / 2.0).abs() < 1e-12);
        assert!((e.leaning - (0.75 - 9.0 / 14.0)).abs() < 1e-12);
        // Var Beta(15,5) = 75/(400·21); Var Beta(9,5) = 45/(196·15).
        let sd = (0.25 * 75.0 / 8400.0 + 0.25 * 45.0 / 2940.0f64).sqrt();
        assert!((e.accuracy_lower - (e.accuracy - 1.645 * sd)).abs() < 1e-12);
        assert!((e.leaning_sd - (75.0 / 8400.0 + 45.0 / 2940.0f64).sqrt()).abs() < 1e-12);
        assert_eq!(e.votes, 14.0);
    }

    #[test]
    fn a_newcomer_sits_at_the_prior_and_the_bound_rises_with_evidence() {
        let new = estimate(&Tally::default(), Priors::default(), 0.5);
        assert!((new.accuracy - 0.7).abs() < 1e-12 && new.leaning.abs() < 1e-12);
        let mut t = Tally::default();
        for _ in 0..200 {
            t.record(Side::Buyer, Side::Buyer);
            t.record(Side::Seller, Side::Seller);
        }
        let veteran = estimate(&t, Priors::default(), 0.5);
        assert!(veteran.accuracy > 0.98 && veteran.accuracy_lower > 0.97);
        assert!(veteran.accuracy_lower > new.accuracy_lower);
    }

    #[test]
    fn always_voting_buyer_is_a_buyer_leaning() {
        let mut t = Tally::default();
        for _ in 0..50 {
            t.record(Side::Buyer, Side::Buyer);
            t.record(Side::Buyer, Side::Seller);
        }
        let e = estimate(&t, Priors::default(), 0.5);
        assert!(e.leaning > 0.7, "{e:?}");
        assert!((e.accuracy - 0.5).abs() < 0.1, "right half the time");
    }

    #[test]
    fn a_seller_leaning_jurors_seller_vote_counts_for_less_than_their_buyer_vote() {
        use crate::domain::quorum::{posterior_buyer, WeighedVote};
        // Right in 4 of 10 buyer-right cases and 9 of 10 seller-right ones; with the newcomer prior
        // Beta(7, 3): sensitivity (7 + 4) / 20 = 0.55, specificity (7 + 9) / 20 = 0.80.
        let e = standing(&tally(4.0, 10.0, 9.0, 10.0), &Tally::default(), 0.0);
        assert!((e.sensitivity - 0.55).abs() < 1e-12 && (e.specificity - 0.80).abs() < 1e-12, "{e:?}");
        let vote = |side| WeighedVote { side, sensitivity: e.sensitivity, specificity: e.specificity };
        // A buyer vote: odds 0.55 / (1 − 0.80) = 2.75, so P(buyer) = 2.75 / 3.75.
        assert!((posterior_buyer(&[vote(Side::Buyer)], 0.5) - 2.75 / 3.75).abs() < 1e-12);
        // A seller vote: odds (1 − 0.55) / 0.80 for the buyer, so P(buyer) = 0.45 / 1.25; it moves
        // the posterior 0.14 from even, the buyer vote 0.23.
        assert!((posterior_buyer(&[vote(Side::Seller)], 0.5) - 0.45 / 1.25).abs() < 1e-12);
    }

    #[test]
    fn declared_expertise_moves_the_prior_by_what_it_has_been_worth() {
        use crate::domain::dispute::Category;
        let worth =
            DeclaredWorth { declared: tally(40.0, 50.0, 40.0, 50.0), undeclared: tally(30.0, 50.0, 30.0, 50.0) };
        // Rates with the newcomer prior: declared (7 + 80) / 110, everyone (7 + 140) / 210.
        assert!((worth.shift(true) - (87.0 / 110.0 - 0.7)).abs() < 1e-12);
        assert!((worth.shift(false) - (67.0 / 110.0 - 0.7)).abs() < 1e-12);
        let expert = standing(&Tally::default(), &Tally::default(), worth.shift(true));
        assert!((expert.accuracy - (0.7 + worth.shift(true))).abs() < 1e-12, "{expert:?}");
        let worthless =
            DeclaredWorth { declared: tally(35.0, 50.0, 35.0, 50.0), undeclared: tally(70.0, 100.0, 70.0, 100.0) };
        assert!(worthless.shift(true).abs() < 1e-12 && worthless.shift(false).abs() < 1e-12);
        assert_eq!(DeclaredWorth::default().shift(true), 0.0, "a court without votes moves nothing");
        let mut record = Record::default();
        record.add(Category::Phones, Side::Buyer, Side::Buyer);
        record.add(Category::Beauty, Side::Buyer, Side::Seller);
        let of = DeclaredWorth::of(&record, Categories::of(&[Category::Phones]));
        assert_eq!(
            (of.declared.agreed(), of.declared.votes(), of.undeclared.agreed(), of.undeclared.votes()),
            (1.0, 1.0, 0.0, 1.0)
        );
        assert_eq!(worth.plus(&of).minus(&of), worth);
    }

    #[test]
    fn categories_shrink_toward_the_overall_figure() {
        let overall = estimate(&tally(90.0, 100.0, 90.0, 100.0), Priors::default(), 0.5);
        let one_bad_vote = category_estimate(&tally(0.0, 1.0, 0.0, 0.0), &overall, 0.5);
        assert!(one_bad_vote.accuracy > 0.8, "one vote moves little: {one_bad_vote:?}");
        let many_bad = category_estimate(&tally(10.0, 100.0, 10.0, 100.0), &overall, 0.5);
        assert!(many_bad.accuracy < 0.2, "many votes speak for themselves: {many_bad:?}");
    }

    #[test]
    fn a_record_counts_each_judgement_overall_and_in_its_category() {
        use crate::domain::dispute::Category;
        let mut record = Record::default();
        for truth in [Side::Buyer, Side::Seller].repeat(20) {
            record.add(Category::Phones, truth, truth);
            record.add(Category::Beauty, truth.other(), truth);
        }
        assert_eq!(record.overall.votes(), 80.0);
        assert_eq!(record.by_category[Category::Phones.index()].agreed(), 40.0);
        let phones = record.in_category(Category::Phones, 0.0);
        assert_eq!(phones, standing(&record.overall, &record.by_category[Category::Phones.index()], 0.0));
        assert!(phones.accuracy > 0.8 && record.in_category(Category::Beauty, 0.0).accuracy < 0.3);
        let bounds = record.accuracy_lower(&[0.0; Category::ALL.len()]);
        assert_eq!(bounds[Category::Phones.index()], phones.accuracy_lower);
        assert_eq!(bounds[Category::BooksMedia.index()], record.in_category(Category::BooksMedia, 0.0).accuracy_lower);
        assert!((record.overall().accuracy - 0.5).abs() < 0.05, "right in one category, wrong in the other");
    }

    #[test]
    fn coherence_needs_a_long_record() {
        assert_eq!(Tally::default().coherence(), 0.0);
        assert!((tally(5.0, 5.0, 5.0, 5.0).coherence() - 50.0).abs() < 1e-12, "10 of 10 right: 100·10/20");
        assert!(tally(90.0, 100.0, 90.0, 100.0).coherence() > 85.0);
    }

    #[test]
    fn reliability_falls_with_ignored_summons() {
        assert!((reliability(0, 0) - 0.8).abs() < 1e-12);
        assert!(reliability(20, 0) > 0.95);
        assert!(reliability(2, 8) < 0.5);
    }

    /// EM recovers planted accuracies: 150 jurors, 3,000 cases, 7 votes each; the mean absolute
    /// error of the recovered sensitivity and specificity stays under 0.05.
    #[test]
    fn em_recovers_planted_accuracies() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let (jurors, cases) = (150, 3000);
        let truth_params: Vec<(f64, f64)> = (0..jurors)
            .map(|_| {
                let skill: f64 = rng.random_range(0.6..0.95);
                let bias = rng.random_range(-0.1..0.1);
                ((skill + bias).clamp(0.5, 0.99), (skill - bias).clamp(0.5, 0.99))
            })
            .collect();
        let truths: Vec<Side> =
            (0..cases).map(|_| if rng.random_bool(0.55) { Side::Buyer } else { Side::Seller }).collect();
        let mut votes = Vec::new();
        for (case, truth) in truths.iter().enumerate() {
            for _ in 0..7 {
                let juror = rng.random_range(0..jurors);
                let (sens, spec) = truth_params[juror];
                let right = rng.random_bool(if *truth == Side::Buyer { sens } else { spec });
                let vote = if right { *truth } else { truth.other() };
                votes.push(Vote { juror, case, vote, blind: true });
            }
        }
        let known: Vec<(usize, Side)> = (0..100).map(|c| (c, truths[c])).collect();
        let fit = dawid_skene(jurors, cases, &votes, &known, 200);
        let error: f64 = fit
            .jurors
            .iter()
            .zip(&truth_params)
            .map(|(got, want)| (got.0 - want.0).abs() + (got.1 - want.1).abs())
            .sum::<f64>()
            / (2.0 * jurors as f64);
        assert!(error < 0.05, "mean absolute error {error:.3} after {} iterations", fit.iterations);
        let right = fit.cases.iter().zip(&truths).filter(|(q, t)| (**q > 0.5) == (**t == Side::Buyer)).count();
        assert!(right as f64 / cases as f64 > 0.95, "cases recovered: {right}");
        assert!((fit.buyer_share - 0.55).abs() < 0.03);
    }
}
