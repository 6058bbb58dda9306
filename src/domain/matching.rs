//! Drawing a jury: weight the eligible jurors by how well they fit the case and how far they can be
//! trusted, draw by weighted sampling without replacement (Efraimidis–Spirakis, `rand`'s
//! `sample_weighted`), then make the panel balanced in leaning and trading side. Deterministic
//! under a seeded RNG; nobody can choose or predict their jury.

use crate::domain::dispute::{Category, Side};
use crate::domain::triage::classifier::{is_han, words};
use rand::seq::index::{sample, sample_weighted};
use rand::Rng;
use std::collections::HashMap;

/// Which side of deals a juror is usually on (bias research: seller-jurors favour sellers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradingSide {
    MostlyBuy,
    MostlySell,
    Both,
}

impl TradingSide {
    pub fn as_str(self) -> &'static str {
        match self {
            TradingSide::MostlyBuy => "buy",
            TradingSide::MostlySell => "sell",
            TradingSide::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<TradingSide> {
        match s {
            "buy" => Some(TradingSide::MostlyBuy),
            "sell" => Some(TradingSide::MostlySell),
            "both" => Some(TradingSide::Both),
            _ => None,
        }
    }
}

/// A set of categories as bits, in `Category::ALL` order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Categories(pub u16);

impl Categories {
    pub fn of(categories: &[Category]) -> Categories {
        Categories(categories.iter().fold(0, |bits, c| bits | Self::bit(*c)))
    }

    fn bit(c: Category) -> u16 {
        1 << c.index()
    }

    pub fn contains(self, c: Category) -> bool {
        self.0 & Self::bit(c) != 0
    }
}

/// An active juror, as matching sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub juror_id: i32,
    pub expertise: Categories,
    /// Lower-cased interest tags.
    pub interests: Vec<String>,
    pub side: TradingSide,
    /// Lower bound of accuracy in each category (`Category::ALL` order).
    pub accuracy_lower: [f64; CATEGORIES],
    /// Judgements with a known outcome in each category: expertise is earned by these.
    pub judged: [f64; CATEGORIES],
    pub reliability: f64,
    pub leaning: f64,
    /// The side the juror's record shows they vote for whatever the case (`rings::one_sided`):
    /// a panel holds at most one such juror per side, so a ring can never sit together.
    pub one_sided: Option<Side>,
}

const CATEGORIES: usize = Category::ALL.len();

/// What about the case matters for matching.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseProfile {
    pub category: Category,
    /// Lower-cased whole words about the case (the item title's words, the kind of dispute); an
    /// interest matches only a whole word, never a piece of one.
    pub tags: Vec<String>,
}

impl CaseProfile {
    pub fn new(category: Category, title: &str, kind_labels: Vec<String>) -> CaseProfile {
        let mut tags = words(title);
        for label in kind_labels {
            tags.extend(words(&label));
            tags.push(label.to_lowercase());
        }
        CaseProfile { category, tags }
    }
}

/// Whether an interest tag is specific enough to match anything: two Chinese characters, or
/// three letters or digits ("a" or "的" would match half the titles in the court).
pub fn is_specific_interest(tag: &str) -> bool {
    let han = tag.chars().filter(|c| is_han(*c)).count();
    han >= 2 || tag.chars().count() >= 3
}

/// Matching parameters: data, so the simulator can tune them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchPolicy {
    /// Weight multiplier for proven expertise in the case's category (reached at `expert_after`).
    pub expertise_boost: f64,
    /// Judgements with a known outcome in a category that make a juror its expert.
    pub expert_after: f64,
    /// Weight multiplier for expertise the juror only declared.
    pub declared_prior: f64,
    /// Added to the weight multiplier per matching interest (at most three count).
    pub interest_boost: f64,
    /// What a juror's own profile (declared expertise and interests) can multiply their weight
    /// by at most, however it is filled in.
    pub profile_bound: f64,
    /// The panel's mean leaning must stay within ± this.
    pub max_mean_leaning: f64,
    /// Neither mostly-buying nor mostly-selling jurors may exceed this share of the panel.
    pub max_side_share: f64,
    /// Extra candidates drawn as a reserve for balancing, as a multiple of the panel size.
    pub reserve_factor: usize,
}

impl Default for MatchPolicy {
    fn default() -> Self {
        MatchPolicy {
            expertise_boost: 3.0,
            expert_after: 10.0,
            declared_prior: 1.15,
            interest_boost: 0.1,
            profile_bound: 1.4,
            max_mean_leaning: 0.15,
            max_side_share: 0.6,
            reserve_factor: 3,
        }
    }
}

/// The draw weight of a candidate for a case: earned expertise × the profile's fit (bounded) ×
/// trust × reliability.
pub fn weight(c: &Candidate, case: &CaseProfile, policy: &MatchPolicy) -> f64 {
    let at = case.category.index();
    let expertise = 1.0 + (policy.expertise_boost - 1.0) * (c.judged[at] / policy.expert_after).clamp(0.0, 1.0);
    let declared = if c.expertise.contains(case.category) { policy.declared_prior } else { 1.0 };
    let shared =
        c.interests.iter().filter(|i| case.tags.iter().any(|t| t == *i) && is_specific_interest(i)).count().min(3)
            as f64;
    let profile = (declared * (1.0 + policy.interest_boost * shared)).min(policy.profile_bound);
    // Only skill above chance earns weight; a little weight stays so newcomers can be drawn.
    let trust = 0.05 + 2.0 * (c.accuracy_lower[at] - 0.5).max(0.0);
    expertise * profile * trust * c.reliability.clamp(0.0, 1.0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrawError {
    /// Fewer eligible jurors than seats: the case goes to the moderators.
    TooFewEligible { eligible: usize, needed: usize },
    /// No balanced panel could be formed from the pool.
    CannotBalance,
}

/// How far a panel is from the balance rules (0 when it keeps them).
fn violation(members: &[&Candidate], policy: &MatchPolicy) -> f64 {
    if members.is_empty() {
        return 0.0;
    }
    let n = members.len() as f64;
    let mean_leaning = members.iter().map(|c| c.leaning).sum::<f64>() / n;
    let share = |side| members.iter().filter(|c| c.side == side).count() as f64 / n;
    // Each suspect past the first for one side counts a whole imbalance: the draw swaps them out.
    let suspects = |side| members.iter().filter(|c| c.one_sided == Some(side)).count().saturating_sub(1) as f64;
    (mean_leaning.abs() - policy.max_mean_leaning).max(0.0)
        + (share(TradingSide::MostlyBuy) - policy.max_side_share).max(0.0)
        + (share(TradingSide::MostlySell) - policy.max_side_share).max(0.0)
        + suspects(Side::Buyer)
        + suspects(Side::Seller)
}

/// Whether a panel (indices into the pool) meets the balance rules.
pub fn is_balanced(panel: &[usize], pool: &[Candidate], policy: &MatchPolicy) -> bool {
    let members: Vec<&Candidate> = panel.iter().map(|i| &pool[*i]).collect();
    !members.is_empty() && violation(&members, policy) <= 1e-12
}

/// A set of pool positions as bits: one cheap test per juror while sampling a large pool.
struct Marks(Vec<u64>);

impl Marks {
    fn new(len: usize) -> Marks {
        Marks(vec![0; len.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// The jurors matching draws from, with their positions by id.
pub struct JurorPool {
    pub candidates: Vec<Candidate>,
    position: HashMap<i32, usize>,
}

impl JurorPool {
    pub fn new(candidates: Vec<Candidate>) -> JurorPool {
        let position = candidates.iter().enumerate().map(|(i, c)| (c.juror_id, i)).collect();
        JurorPool { candidates, position }
    }

    pub fn get(&self, juror_id: i32) -> Option<&Candidate> {
        self.position.get(&juror_id).map(|i| &self.candidates[*i])
    }

    /// Adds a juror, or replaces what the pool knew of them.
    pub fn upsert(&mut self, candidate: Candidate) {
        match self.position.get(&candidate.juror_id) {
            Some(i) => self.candidates[*i] = candidate,
            None => {
                self.position.insert(candidate.juror_id, self.candidates.len());
                self.candidates.push(candidate);
            }
        }
    }

    /// Takes a juror out of the pool (suspended, paused, gone).
    pub fn remove(&mut self, juror_id: i32) {
        if let Some(i) = self.position.remove(&juror_id) {
            self.candidates.swap_remove(i);
            if let Some(moved) = self.candidates.get(i) {
                self.position.insert(moved.juror_id, i);
            }
        }
    }

    /// Every candidate's weight for one case (the simulator computes it once per case).
    pub fn weights(&self, case: &CaseProfile, policy: &MatchPolicy) -> Weights {
        let values = self.candidates.iter().map(|c| weight(c, case, policy)).collect();
        Weights { positions: (0..self.candidates.len()).collect(), values, sampled: false }
    }

    /// The weights of `size` candidates picked uniformly at random (the whole pool's when it is no
    /// larger). A weighted draw of a few seats from a large uniform sample picks each juror with
    /// nearly the chance a draw from the whole pool gives them, at a cost that does not grow with
    /// the court.
    pub fn sampled_weights(
        &self,
        case: &CaseProfile,
        policy: &MatchPolicy,
        size: usize,
        rng: &mut impl Rng,
    ) -> Weights {
        if self.candidates.len() <= size {
            return self.weights(case, policy);
        }
        let positions = sample(rng, self.candidates.len(), size).into_vec();
        let values = positions.iter().map(|i| weight(&self.candidates[*i], case, policy)).collect();
        Weights { positions, values, sampled: true }
    }

    /// The ids of the jurors `weights` weighs.
    pub fn weighed(&self, weights: &Weights) -> Vec<i32> {
        weights.positions.iter().map(|i| self.candidates[*i].juror_id).collect()
    }

    /// Draws `seats` jurors by weight, never anyone in `excluded`, and balances the whole panel
    /// (`seated`, the jurors already on it, plus the new ones) by swapping in jurors from a second
    /// weighted draw when needed. A new panel that cannot be balanced is refused; replacements
    /// joining a seated panel come as close to balance as the pool allows, since refusing them
    /// would stop a case that already has most of its jury. Returns juror ids.
    pub fn draw(
        &self,
        weights: &Weights,
        excluded: &[i32],
        seated: &[Candidate],
        seats: usize,
        policy: &MatchPolicy,
        rng: &mut impl Rng,
    ) -> Result<Vec<i32>, DrawError> {
        let pool = &self.candidates;
        let mut marks = Marks::new(pool.len());
        for i in excluded.iter().filter_map(|id| self.position.get(id)) {
            marks.set(*i);
        }
        let Weights { positions, values, .. } = weights;
        let open = |marks: &Marks, j: usize| if marks.has(positions[j]) { 0.0 } else { values[j].max(0.0) };
        let mut sample = |marks: &Marks, amount: usize| {
            let drawn = sample_weighted(rng, positions.len(), |j| open(marks, j), amount)?;
            Ok::<_, rand::distr::weighted::Error>(drawn.into_iter().map(|j| positions[j]).collect::<Vec<_>>())
        };
        // Counting the eligible costs a pass over the weighed, so it is done only to explain a refusal.
        let eligible = |marks: &Marks| (0..positions.len()).filter(|j| open(marks, *j) > 0.0).count();
        let mut panel = match sample(&marks, seats) {
            Ok(panel) if seats > 0 && panel.len() == seats => panel,
            _ => return Err(DrawError::TooFewEligible { eligible: eligible(&marks), needed: seats }),
        };
        let whole = Whole { seated, pool, policy };
        if whole.violation(&panel) > 1e-12 {
            panel.iter().for_each(|i| marks.set(*i));
            // Small pools are searched whole, so a balance that exists is found.
            let amount = (seats * policy.reserve_factor).max(MIN_RESERVE).min(eligible(&marks));
            let reserve = sample(&marks, amount).map_err(|_| DrawError::CannotBalance)?;
            panel = whole.balance(panel, reserve)?;
        }
        Ok(panel.into_iter().map(|i| pool[i].juror_id).collect())
    }
}

/// Candidates' weights for one case, by pool position: the whole pool's or a uniform sample's.
pub struct Weights {
    positions: Vec<usize>,
    values: Vec<f64>,
    sampled: bool,
}

impl Weights {
    /// Whether only a sample of the pool was weighed (a refusal then speaks for the sample only).
    pub fn is_sample(&self) -> bool {
        self.sampled
    }
}

/// Jurors drawn as a reserve for balancing, at least.
const MIN_RESERVE: usize = 64;

/// A panel being drawn: the jurors already seated and the pool the new ones come from.
struct Whole<'a> {
    seated: &'a [Candidate],
    pool: &'a [Candidate],
    policy: &'a MatchPolicy,
}

impl Whole<'_> {
    fn violation(&self, new: &[usize]) -> f64 {
        let members: Vec<&Candidate> = self.seated.iter().chain(new.iter().map(|i| &self.pool[*i])).collect();
        violation(&members, self.policy)
    }

    /// Swaps reserve jurors in while that reduces the imbalance, until the panel is balanced, or
    /// (for replacements) as balanced as the reserve allows.
    fn balance(&self, mut panel: Vec<usize>, mut reserve: Vec<usize>) -> Result<Vec<usize>, DrawError> {
        loop {
            let current = self.violation(&panel);
            if current <= 1e-12 {
                return Ok(panel);
            }
            let best = (0..panel.len())
                .flat_map(|p| (0..reserve.len()).map(move |r| (p, r)))
                .map(|(p, r)| {
                    let mut trial = panel.clone();
                    trial[p] = reserve[r];
                    (self.violation(&trial), p, r)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((v, p, r)) if v < current => std::mem::swap(&mut panel[p], &mut reserve[r]),
                _ if !self.seated.is_empty() => return Ok(panel),
                _ => return Err(DrawError::CannotBalance),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    fn candidate(id: i32, side: TradingSide, leaning: f64) -> Candidate {
        Candidate {
            juror_id: id,
            expertise: Categories::of(&[Category::Phones]),
            interests: vec!["iphone".into()],
            side,
            accuracy_lower: [0.7; CATEGORIES],
            judged: [0.0; CATEGORIES],
            reliability: 0.9,
            leaning,
            one_sided: None,
        }
    }

    /// Weights set by hand, one per pool position.
    fn given(values: Vec<f64>) -> Weights {
        Weights { positions: (0..values.len()).collect(), values, sampled: false }
    }

    /// A draw from a uniform sample of a large pool picks jurors as often as a draw from the whole
    /// pool would: here a tenth of the pool, ten times as trusted, should fill 100 / 190 of seats.
    #[test]
    fn a_draw_from_a_sample_follows_the_whole_pools_weights() {
        let policy = MatchPolicy::default();
        let jurors = (0..2000).map(|i| Candidate {
            reliability: if i < 200 { 1.0 } else { 0.1 },
            ..candidate(i, TradingSide::Both, 0.0)
        });
        let pool = JurorPool::new(jurors.collect());
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let draws = 20_000;
        let trusted = (0..draws)
            .filter(|_| {
                let weights = pool.sampled_weights(&phones(), &policy, 300, &mut rng);
                assert!(weights.is_sample() && weights.positions.len() == 300);
                pool.draw(&weights, &[], &[], 1, &policy, &mut rng).unwrap()[0] < 200
            })
            .count();
        let share = trusted as f64 / f64::from(draws);
        assert!((share - 200.0 / 380.0).abs() < 0.02, "the trusted tenth filled {share:.3} of the seats");
        let small = JurorPool::new((0..50).map(|i| candidate(i, TradingSide::Both, 0.0)).collect());
        assert!(!small.sampled_weights(&phones(), &policy, 300, &mut rng).is_sample(), "a small pool is weighed whole");
    }

    fn phones() -> CaseProfile {
        CaseProfile { category: Category::Phones, tags: vec!["iphone".into(), "screen".into()] }
    }

    #[test]
    fn weights_reward_fit_and_trust() {
        let policy = MatchPolicy::default();
        let mut judged = [0.0; CATEGORIES];
        judged[Category::Phones.index()] = 12.0;
        let base = Candidate { judged, ..candidate(1, TradingSide::Both, 0.0) };
        let expert = weight(&base, &phones(), &policy);
        let outsider = weight(&Candidate { judged: [0.0; CATEGORIES], ..base.clone() }, &phones(), &policy);
        assert!((expert / outsider - 3.0).abs() < 1e-9, "expertise is earned by judging the category");
        let chance = weight(&Candidate { accuracy_lower: [0.4; CATEGORIES], ..base.clone() }, &phones(), &policy);
        assert!(chance > 0.0 && chance < expert / 5.0, "newcomers keep a little weight");
        let flaky = weight(&Candidate { reliability: 0.3, ..base.clone() }, &phones(), &policy);
        assert!(flaky < expert / 2.0);
    }

    #[test]
    fn no_profile_raises_a_weight_past_the_bound() {
        let policy = MatchPolicy::default();
        let modest =
            Candidate { expertise: Categories::default(), interests: vec![], ..candidate(1, TradingSide::Both, 0.0) };
        let case = CaseProfile::new(Category::Phones, "iPhone 13 手机 屏幕划痕", vec!["描述不符".into()]);
        let inflated = Candidate {
            expertise: Categories(0x7ff),
            interests: ["a", "i", "iphone", "手机", "屏幕", "划痕", "13", "描述不符"].map(String::from).to_vec(),
            ..modest.clone()
        };
        let ratio = weight(&inflated, &case, &policy) / weight(&modest, &case, &policy);
        assert!(ratio > 1.0 && ratio <= policy.profile_bound + 1e-9, "{ratio}");
    }

    #[test]
    fn interests_match_whole_words_only() {
        let policy = MatchPolicy::default();
        let case = CaseProfile::new(Category::Phones, "二手iPhone13手机", vec![]);
        let with = |tag: &str| Candidate { interests: vec![tag.into()], ..candidate(1, TradingSide::Both, 0.0) };
        let none = weight(&with("lego"), &case, &policy);
        assert!(weight(&with("手机"), &case, &policy) > none, "a whole word matches");
        assert_eq!(weight(&with("pho"), &case, &policy), none, "a piece of a word does not");
        assert_eq!(weight(&with("i"), &case, &policy), none, "nor a letter");
    }

    #[test]
    fn the_pool_can_be_updated_in_place() {
        let mut pool = JurorPool::new((0..5).map(|i| candidate(i, TradingSide::Both, 0.0)).collect());
        pool.remove(1);
        pool.upsert(candidate(9, TradingSide::MostlySell, 0.1));
        pool.upsert(candidate(4, TradingSide::MostlyBuy, 0.0));
        let mut ids: Vec<i32> = pool.candidates.iter().map(|c| c.juror_id).collect();
        ids.sort();
        assert_eq!(ids, [0, 2, 3, 4, 9]);
        assert_eq!(pool.get(4).map(|c| c.side), Some(TradingSide::MostlyBuy));
        assert!(pool.get(1).is_none());
        assert!(pool.candidates.iter().all(|c| pool.get(c.juror_id) == Some(c)), "positions stay right");
    }

    #[test]
    fn the_same_seed_draws_the_same_panel() {
        let pool = JurorPool::new((0..500).map(|i| candidate(i, TradingSide::Both, 0.0)).collect());
        let weights = pool.weights(&phones(), &MatchPolicy::default());
        let draw = |seed| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            pool.draw(&weights, &[], &[], 17, &MatchPolicy::default(), &mut rng).unwrap()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn too_few_eligible_is_an_error_not_a_small_panel() {
        let pool = JurorPool::new((0..10).map(|i| candidate(i, TradingSide::Both, 0.0)).collect());
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(
            pool.draw(&given(vec![1.0; 10]), &[0, 1], &[], 9, &MatchPolicy::default(), &mut rng),
            Err(DrawError::TooFewEligible { eligible: 8, needed: 9 })
        );
    }

    #[test]
    fn a_panel_never_seats_two_jurors_who_always_vote_for_one_side() {
        let policy = MatchPolicy::default();
        let mut jurors: Vec<Candidate> = (0..60).map(|i| candidate(i, TradingSide::Both, 0.0)).collect();
        for c in jurors.iter_mut().take(30) {
            c.one_sided = Some(Side::Seller);
        }
        let pool = JurorPool::new(jurors);
        let weights = pool.weights(&phones(), &policy);
        for seed in 0..20 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let panel = pool.draw(&weights, &[], &[], 11, &policy, &mut rng).unwrap();
            let suspects = panel.iter().filter(|id| **id < 30).count();
            assert!(suspects <= 1, "half the pool is one ring, yet one panel seats {suspects} of it");
        }
        // A suspect already seated keeps every other one off the top-up.
        let seated = vec![pool.get(0).unwrap().clone()];
        let mut rng = rand::rngs::StdRng::seed_from_u64(99);
        let more = pool.draw(&weights, &[0], &seated, 6, &policy, &mut rng).unwrap();
        assert!(more.iter().all(|id| *id >= 30), "{more:?}");
    }

    #[test]
    fn a_pool_of_one_side_cannot_be_balanced() {
        let pool = JurorPool::new((0..100).map(|i| candidate(i, TradingSide::MostlySell, -0.3)).collect());
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(
            pool.draw(&given(vec![1.0; 100]), &[], &[], 9, &MatchPolicy::default(), &mut rng),
            Err(DrawError::CannotBalance)
        );
    }

    /// Over 100,000 single draws the frequencies follow the weights (chi-square, 9 degrees of
    /// freedom: the statistic stays under 21.67, the 1% critical value, i.e. p > 0.01).
    #[test]
    fn selection_frequencies_match_the_weights() {
        let pool = JurorPool::new((0..10).map(|i| candidate(i, TradingSide::Both, 0.0)).collect());
        let weights: Vec<f64> = (1..=10).map(f64::from).collect();
        let total: f64 = weights.iter().sum();
        let given_weights = given(weights.clone());
        let mut counts = [0u32; 10];
        let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
        let draws = 100_000;
        for _ in 0..draws {
            let panel = pool.draw(&given_weights, &[], &[], 1, &MatchPolicy::default(), &mut rng).unwrap();
            counts[panel[0] as usize] += 1;
        }
        let chi_square: f64 = counts
            .iter()
            .zip(&weights)
            .map(|(observed, w)| {
                let expected = f64::from(draws) * w / total;
                (f64::from(*observed) - expected).powi(2) / expected
            })
            .sum();
        assert!(chi_square < 21.67, "chi-square {chi_square:.2}; counts {counts:?}");
    }

    #[test]
    fn a_replacement_keeps_the_whole_panel_balanced() {
        let policy = MatchPolicy::default();
        // Seated: two sellers and two buyers. The pool: sellers, buyers and one "both".
        let seated: Vec<Candidate> =
            [TradingSide::MostlySell, TradingSide::MostlySell, TradingSide::MostlyBuy, TradingSide::MostlyBuy]
                .iter()
                .enumerate()
                .map(|(i, side)| candidate(100 + i as i32, *side, 0.0))
                .collect();
        let pool = JurorPool::new(
            (0..30)
                .map(|i| candidate(i, if i % 2 == 0 { TradingSide::MostlySell } else { TradingSide::MostlyBuy }, 0.0))
                .collect(),
        );
        let weights = pool.weights(&phones(), &policy);
        for seed in 0..50 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let one = pool.draw(&weights, &[], &seated, 1, &policy, &mut rng).unwrap();
            assert_eq!(one.len(), 1, "a single replacement is not refused for being one-sided");
        }
        // Seated all sellers (out of balance after declines): the draw brings buyers, never refuses.
        let lopsided: Vec<Candidate> = (0..5).map(|i| candidate(200 + i, TradingSide::MostlySell, 0.0)).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let two = pool.draw(&weights, &[], &lopsided, 2, &policy, &mut rng).unwrap();
        assert!(two.iter().all(|id| id % 2 == 1), "buyers are swapped in: {two:?}");
    }

    fn pools() -> impl Strategy<Value = Vec<Candidate>> {
        let row = (0u8..3, -1.0f64..1.0, 0.3f64..0.99, 0.2f64..1.0, 0u8..10);
        prop::collection::vec(row, 40..200).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (side, leaning, acc, rel, suspect))| Candidate {
                    juror_id: i as i32,
                    expertise: Categories(i as u16 & 0x7ff),
                    interests: vec![],
                    side: [TradingSide::MostlyBuy, TradingSide::MostlySell, TradingSide::Both][side as usize],
                    accuracy_lower: [acc; CATEGORIES],
                    judged: [0.0; CATEGORIES],
                    reliability: rel,
                    leaning,
                    one_sided: [Some(Side::Buyer), Some(Side::Seller)].get(suspect as usize).copied().flatten(),
                })
                .collect()
        })
    }

    proptest! {
        /// Parties and conflicted jurors are never drawn, panels have distinct jurors, and every
        /// panel that is returned keeps the balance bounds.
        #[test]
        fn panels_are_clean_and_balanced(pool in pools(), seed in any::<u64>(), seats in prop::sample::select(vec![3usize, 9, 17])) {
            let policy = MatchPolicy::default();
            let pool = JurorPool::new(pool);
            let weights = pool.weights(&phones(), &policy);
            let excluded: Vec<i32> = (0..pool.candidates.len() as i32).filter(|i| i % 7 == 0).collect();
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            match pool.draw(&weights, &excluded, &[], seats, &policy, &mut rng) {
                Ok(panel) => {
                    prop_assert_eq!(panel.len(), seats);
                    prop_assert!(panel.iter().all(|id| !excluded.contains(id)));
                    let distinct: HashSet<i32> = panel.iter().copied().collect();
                    prop_assert_eq!(distinct.len(), seats);
                    let positions: Vec<usize> = panel.iter().map(|id| *id as usize).collect();
                    prop_assert!(is_balanced(&positions, &pool.candidates, &policy));
                }
                Err(DrawError::TooFewEligible { eligible, needed }) => prop_assert!(eligible < needed),
                Err(DrawError::CannotBalance) => {}
            }
        }
    }
}
