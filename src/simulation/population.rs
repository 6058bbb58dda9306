//! The simulated market: jurors whose true skill, side and bias we know, and cases whose truth we
//! know. The court never sees these; only the oracle policy does.

use super::scenario::Scenario;
use crate::domain::dispute::{Category, Side};
use crate::domain::matching::{Categories, TradingSide};
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// One juror as they really are.
#[derive(Debug, Clone)]
pub struct Juror {
    pub side: TradingSide,
    pub expertise: Categories,
    /// Latent accuracy in each category (`Category::ALL` order), expertise included.
    pub accuracy: [f64; Category::ALL.len()],
    /// Accuracy in each category averaged over the market's case difficulties: what a juror
    /// achieves over many cases, so what a perfect record of them would show.
    pub typical_accuracy: [f64; Category::ALL.len()],
    pub spammer: bool,
    /// The collusion ring the juror belongs to, if any.
    pub ring: Option<Ring>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ring {
    pub id: usize,
    /// The side every member votes for.
    pub favours: Side,
}

/// One case as it really is.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub category: Category,
    pub truth: Side,
    /// Subtracted from every juror's accuracy on this case.
    pub difficulty: f64,
    /// The buyer and the seller: members of the pool like everyone (members trade and judge alike),
    /// so they are excluded from their own case's panel.
    pub parties: [usize; 2],
}

pub struct Population {
    pub jurors: Vec<Juror>,
    in_group_bias: f64,
    bias_decay_cases: f64,
}

impl Population {
    pub fn generate(scenario: &Scenario, rng: &mut impl Rng) -> Population {
        let categories = scenario.categories();
        let skill = Normal::new(scenario.accuracy_mean, scenario.accuracy_sd).expect("checked spread");
        let spread = Self::difficulty(scenario);
        let difficulties: Vec<f64> = (0..256).map(|_| spread.sample(rng).abs()).collect();
        let typical = |accuracy: f64| {
            difficulties.iter().map(|d| (accuracy - d).max(0.5)).sum::<f64>() / difficulties.len() as f64
        };
        let mut jurors: Vec<Juror> = (0..scenario.jurors)
            .map(|_| {
                let known: Vec<Category> =
                    categories.choose_multiple(rng, scenario.expertise_per_juror).copied().collect();
                let base: f64 = skill.sample(rng).clamp(0.5, 0.99);
                let accuracy = Category::ALL.map(|c| {
                    let boost = if known.contains(&c) { scenario.expertise_boost } else { 0.0 };
                    (base + boost).min(0.99)
                });
                Juror {
                    side: match rng.random::<f64>() {
                        x if x < scenario.seller_share => TradingSide::MostlySell,
                        x if x < scenario.seller_share + scenario.both_share => TradingSide::Both,
                        _ => TradingSide::MostlyBuy,
                    },
                    expertise: Categories::of(&known),
                    typical_accuracy: accuracy.map(typical),
                    accuracy,
                    spammer: rng.random_bool(scenario.spammer_share),
                    ring: None,
                }
            })
            .collect();
        let members = (scenario.jurors as f64 * scenario.ring_share).round() as usize;
        let seller_rings =
            (members.div_ceil(scenario.ring_size) as f64 * scenario.ring_favours_seller).round() as usize;
        for (n, juror) in rand::seq::index::sample(rng, scenario.jurors, members).into_iter().enumerate() {
            let id = n / scenario.ring_size;
            let favours = if id < seller_rings { Side::Seller } else { Side::Buyer };
            jurors[juror].ring = Some(Ring { id, favours });
        }
        Population { jurors, in_group_bias: scenario.in_group_bias, bias_decay_cases: scenario.bias_decay_cases }
    }

    /// The cases of a run, the same for every policy.
    pub fn cases(&self, scenario: &Scenario, count: usize, rng: &mut impl Rng) -> Vec<Case> {
        let categories = scenario.categories();
        let difficulty = Self::difficulty(scenario);
        (0..count)
            .map(|_| {
                let mut parties = [0; 2];
                parties.iter_mut().for_each(|p| *p = rng.random_range(0..self.jurors.len()));
                Case {
                    category: *categories.choose(rng).expect("checked non-empty"),
                    truth: if rng.random_bool(scenario.buyer_right_rate) { Side::Buyer } else { Side::Seller },
                    difficulty: difficulty.sample(rng).abs(),
                    parties,
                }
            })
            .collect()
    }

    /// How much harder than usual a case is: the size of a normal deviate.
    fn difficulty(scenario: &Scenario) -> Normal<f64> {
        Normal::new(0.0, scenario.difficulty_sd).expect("checked spread")
    }

    /// A juror's true (sensitivity, specificity) in a category after serving `served` cases, on a
    /// case of the given difficulty: with the probability of their (decaying) bias they vote for
    /// their own side, otherwise they are right with their accuracy.
    pub fn confusion(&self, juror: usize, category: Category, served: u32, difficulty: f64) -> (f64, f64) {
        let accuracy = (self.jurors[juror].accuracy[category.index()] - difficulty).max(0.5);
        self.biased(juror, accuracy, served)
    }

    /// The same over a typical run of cases (what the oracle knows).
    pub fn typical_confusion(&self, juror: usize, category: Category, served: u32) -> (f64, f64) {
        self.biased(juror, self.jurors[juror].typical_accuracy[category.index()], served)
    }

    fn biased(&self, juror: usize, accuracy: f64, served: u32) -> (f64, f64) {
        let j = &self.jurors[juror];
        match j.ring {
            Some(Ring { favours: Side::Buyer, .. }) => return (1.0, 0.0),
            Some(Ring { favours: Side::Seller, .. }) => return (0.0, 1.0),
            None if j.spammer => return (0.5, 0.5),
            None => {}
        }
        let bias = self.in_group_bias * 0.5f64.powf(f64::from(served) / self.bias_decay_cases);
        let own = |side| if j.side == side { bias } else { 0.0 };
        (own(TradingSide::MostlyBuy) + (1.0 - bias) * accuracy, own(TradingSide::MostlySell) + (1.0 - bias) * accuracy)
    }

    /// How a juror votes on a case.
    pub fn vote(&self, juror: usize, case: &Case, served: u32, rng: &mut impl Rng) -> Side {
        let (sensitivity, specificity) = self.confusion(juror, case.category, served, case.difficulty);
        let p_buyer = match case.truth {
            Side::Buyer => sensitivity,
            Side::Seller => 1.0 - specificity,
        };
        if rng.random_bool(p_buyer.clamp(0.0, 1.0)) {
            Side::Buyer
        } else {
            Side::Seller
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn scenario(json: &str) -> Scenario {
        Scenario::from_json(json).unwrap()
    }

    #[test]
    fn jurors_follow_the_scenario() {
        let s = scenario(
            r#"{"jurors": 5000, "seller_share": 0.3, "both_share": 0.5, "spammer_share": 0.2, "accuracy_sd": 0}"#,
        );
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let population = Population::generate(&s, &mut rng);
        let share = |f: &dyn Fn(&Juror) -> bool| {
            population.jurors.iter().filter(|j| f(j)).count() as f64 / population.jurors.len() as f64
        };
        assert!((share(&|j| j.side == TradingSide::MostlySell) - 0.3).abs() < 0.03);
        assert!((share(&|j| j.side == TradingSide::Both) - 0.5).abs() < 0.03);
        assert!((share(&|j| j.spammer) - 0.2).abs() < 0.03);
        let first = &population.jurors[0];
        for c in Category::ALL {
            let expected = if first.expertise.contains(c) { 0.85 } else { 0.7 };
            assert!((first.accuracy[c.index()] - expected).abs() < 1e-9);
        }
    }

    #[test]
    fn ring_members_vote_for_their_rings_side_whatever_the_case() {
        let s = scenario(r#"{"jurors": 1000, "ring_share": 0.1, "ring_size": 25}"#);
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let population = Population::generate(&s, &mut rng);
        let members: Vec<usize> = (0..1000).filter(|j| population.jurors[*j].ring.is_some()).collect();
        assert_eq!(members.len(), 100);
        let rings: std::collections::HashSet<usize> =
            members.iter().map(|j| population.jurors[*j].ring.unwrap().id).collect();
        assert_eq!(rings.len(), 4, "100 members in rings of 25");
        for j in members {
            let favours = population.jurors[j].ring.unwrap().favours;
            assert_eq!(favours, if population.jurors[j].ring.unwrap().id < 2 { Side::Seller } else { Side::Buyer });
            for truth in [Side::Buyer, Side::Seller] {
                let case = Case { category: Category::Phones, truth, difficulty: 0.0, parties: [0, 1] };
                assert_eq!(population.vote(j, &case, 0, &mut rng), favours);
            }
        }
    }

    #[test]
    fn bias_favours_the_own_side_and_halves_with_service() {
        let s = scenario(r#"{"in_group_bias": 0.4, "bias_decay_cases": 10, "accuracy_sd": 0, "spammer_share": 0}"#);
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let population = Population::generate(&s, &mut rng);
        let seller = population.jurors.iter().position(|j| j.side == TradingSide::MostlySell).unwrap();
        let c = Category::ALL.into_iter().find(|c| !population.jurors[seller].expertise.contains(*c)).unwrap();
        let (sens, spec) = population.confusion(seller, c, 0, 0.0);
        assert!((sens - 0.6 * 0.7).abs() < 1e-9 && (spec - (0.4 + 0.6 * 0.7)).abs() < 1e-9);
        let (sens, spec) = population.confusion(seller, c, 10, 0.0);
        assert!((sens - 0.8 * 0.7).abs() < 1e-9 && (spec - (0.2 + 0.8 * 0.7)).abs() < 1e-9);
        let (sens, _) = population.confusion(seller, c, 10_000, 0.3);
        assert!((sens - 0.5).abs() < 1e-6, "a hard case brings skill down to chance, never below");
    }
}
