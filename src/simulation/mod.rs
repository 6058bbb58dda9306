//! The court simulator: synthetic markets whose truth we know, heard by each quorum policy through
//! the real matching, quorum and reputation code, in memory. It measures how often each policy
//! reaches the right verdict, how evenly it errs between buyers and sellers, and what it costs in
//! jurors' votes (docs/verdict-quality.md).

pub mod court;
pub mod population;
pub mod scenario;

use crate::domain::dispute::Side;
use crate::domain::juror::{JuryRules, VotingOpens};
use crate::domain::matching::MatchPolicy;
use crate::domain::quorum::QuorumPolicy;
use court::{Court, Hearing, Policy};
use population::{Case, Population};
use rand::rngs::StdRng;
use rand::SeedableRng;
use scenario::Scenario;
use serde::Serialize;

/// The court's parameters under test, as the running court reads them from its configuration.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub matching: MatchPolicy,
    /// The rule of the `matched` policy.
    pub first_to: QuorumPolicy,
    /// The rule of the `confident` and `oracle` policies.
    pub confident: QuorumPolicy,
    /// Share of seats that also bring a calibration case with a known answer.
    pub audit_rate: f64,
    /// Hours a summoned juror has to answer before the seat is given to another.
    pub summons_hours: f64,
    /// When the court's own panels vote (the baselines always vote on arrival).
    pub voting_opens: VotingOpens,
    /// Hours between re-estimations of the jurors' records (0: never).
    pub reestimate_hours: f64,
}

impl Settings {
    /// The court's own rules; `first_to` for the `matched` policy.
    pub fn new(rules: &JuryRules, first_to: QuorumPolicy) -> Result<Settings, String> {
        let confident = rules.quorums.default;
        if !matches!(confident, QuorumPolicy::Confident { .. }) {
            return Err(format!("--quorum must be confident:MIN:THRESHOLD:CAP, got {confident}"));
        }
        if !matches!(first_to, QuorumPolicy::FirstTo { .. }) {
            return Err(format!("--first-to must be first_to:PANEL:WINS, got {first_to}"));
        }
        let summons_hours = rules.summons_window.num_minutes() as f64 / 60.0;
        Ok(Settings {
            matching: rules.matching,
            first_to,
            confident,
            audit_rate: rules.audit_rate,
            summons_hours,
            voting_opens: rules.voting_opens,
            reestimate_hours: rules.reestimate_every.num_minutes() as f64 / 60.0,
        })
    }
}

/// One policy's results over the counted cases (after the warm-up).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub policy: &'static str,
    pub quorum: String,
    pub cases: usize,
    /// Cases counted: `cases` less the scenario's warm-up.
    pub counted: usize,
    /// Share of counted cases the jury decided rightly in the end, appeals heard (a case sent to
    /// moderators is not), and by the first panel alone.
    pub accuracy: f64,
    pub first_round_accuracy: f64,
    /// Share of counted cases whose losing side appealed, and the appeal panels' votes per case
    /// (counted in `mean_votes` too).
    pub appeal_rate: f64,
    pub appeal_votes: f64,
    /// Share of the cases the buyer should have won that the buyer lost.
    pub buyer_error: f64,
    /// Share of the cases the seller should have won that the seller lost.
    pub seller_error: f64,
    /// Votes cast per case, all panel draws included.
    pub mean_votes: f64,
    /// Share of counted cases sent to the moderators (no panel could be drawn, or deadlock).
    pub escalated: f64,
    /// Panel draws per case: the first and each top-up.
    pub mean_rounds: f64,
    /// Hours from the close of the evidence to the verdict, over the cases the jury decided: the
    /// median and the 90th percentile.
    pub median_hours: f64,
    pub p90_hours: f64,
    /// Collusion rings, at the end of the run: the share of ring members the court's records mark
    /// as one-sided, the share of honest jurors they mark, and the share of counted cases where
    /// two members of one ring voted on one panel.
    pub ring_recall: f64,
    pub honest_suspected: f64,
    pub ring_sat_together: f64,
}

/// Runs `cases` cases of the scenario through each policy. The market and the cases come from the
/// seed, so every policy hears the same cases; the same inputs always give the same outcomes.
pub fn simulate(
    scenario: &Scenario,
    policies: &[Policy],
    settings: &Settings,
    cases: usize,
    seed: u64,
) -> Result<Vec<Outcome>, String> {
    if cases == 0 {
        return Err("--cases must be at least 1".into());
    }
    if cases <= scenario.warmup_cases {
        return Err(format!(
            "--cases ({cases}) must be more than the scenario's warmup_cases ({}), which are not counted",
            scenario.warmup_cases
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let population = Population::generate(scenario, &mut rng);
    let docket = population.cases(scenario, cases, &mut rng);
    let hear_all = |policy: Policy| {
        let mut court = Court::new((&population, scenario), settings, policy, StdRng::seed_from_u64(rng_for(seed)));
        let mut counts = Counts::default();
        for (i, case) in docket.iter().enumerate() {
            let hearing = court.hear(case);
            if i >= scenario.warmup_cases {
                counts.add(case, &hearing);
            }
        }
        counts.outcome(policy, settings, cases, court.suspected())
    };
    Ok(policies.iter().map(|p| hear_all(*p)).collect())
}

/// The courts' own randomness (draws, votes), apart from the market's.
fn rng_for(seed: u64) -> u64 {
    seed ^ 0x9e37_79b9_7f4a_7c15
}

#[derive(Default)]
struct Counts {
    counted: usize,
    right: usize,
    first_right: usize,
    appealed: usize,
    appeal_votes: usize,
    buyer_right: usize,
    buyer_lost: usize,
    seller_right: usize,
    seller_lost: usize,
    escalated: usize,
    votes: usize,
    rounds: u64,
    ring_sat_together: usize,
    /// Hours to each verdict the jury reached.
    hours: Vec<f64>,
}

impl Counts {
    fn add(&mut self, case: &Case, hearing: &Hearing) {
        self.counted += 1;
        self.votes += hearing.votes;
        self.appeal_votes += hearing.appeal_votes;
        self.appealed += usize::from(hearing.appealed);
        self.first_right += usize::from(hearing.first == Some(case.truth));
        self.rounds += u64::from(hearing.rounds);
        self.ring_sat_together += usize::from(hearing.ring_sat_together);
        if hearing.first.is_some() {
            self.hours.push(hearing.hours);
        }
        match case.truth {
            Side::Buyer => self.buyer_right += 1,
            Side::Seller => self.seller_right += 1,
        }
        match (hearing.verdict, case.truth) {
            (None, _) => self.escalated += 1,
            (Some(verdict), truth) if verdict == truth => self.right += 1,
            (Some(_), Side::Buyer) => self.buyer_lost += 1,
            (Some(_), Side::Seller) => self.seller_lost += 1,
        }
    }

    fn outcome(&self, policy: Policy, settings: &Settings, cases: usize, (recall, honest): (f64, f64)) -> Outcome {
        let share = |part: usize, whole: usize| round(part as f64 / whole.max(1) as f64);
        Outcome {
            policy: policy.name(),
            quorum: policy.quorum(settings).to_string(),
            cases,
            counted: self.counted,
            accuracy: share(self.right, self.counted),
            first_round_accuracy: share(self.first_right, self.counted),
            appeal_rate: share(self.appealed, self.counted),
            appeal_votes: share(self.appeal_votes, self.counted),
            buyer_error: share(self.buyer_lost, self.buyer_right),
            seller_error: share(self.seller_lost, self.seller_right),
            mean_votes: share(self.votes, self.counted),
            escalated: share(self.escalated, self.counted),
            mean_rounds: round(self.rounds as f64 / self.counted.max(1) as f64),
            median_hours: percentile(&self.hours, 0.5),
            p90_hours: percentile(&self.hours, 0.9),
            ring_recall: round(recall),
            honest_suspected: round(honest),
            ring_sat_together: share(self.ring_sat_together, self.counted),
        }
    }
}

/// The `q` quantile of `values` (nearest rank), to a tenth of an hour; 0 when there are none.
fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Some(last) = sorted.len().checked_sub(1) else { return 0.0 };
    let at = ((q * sorted.len() as f64).ceil() as usize).saturating_sub(1).min(last);
    (sorted[at] * 10.0).round() / 10.0
}

/// Four decimals: enough to compare policies, short enough to read.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The outcomes as a plain-text table.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut text = format!(
        "{:<10} {:<22} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>6} {:>9} {:>9} {:>6} {:>8} {:>6} {:>7} {:>7} {:>8}\n",
        "policy",
        "quorum",
        "counted",
        "accuracy",
        "first",
        "appealed",
        "buyer_err",
        "seller_err",
        "votes",
        "appeal_v",
        "escalated",
        "draws",
        "median_h",
        "p90_h",
        "rings",
        "honest",
        "ring_sat"
    );
    for o in outcomes {
        text += &format!(
            "{:<10} {:<22} {:>8} {:>8.4} {:>8.4} {:>8.4} {:>9.4} {:>9.4} {:>6.2} {:>9.2} {:>9.4} {:>6.2} {:>8.1} {:>6.1} {:>7.4} {:>7.4} {:>8.4}\n",
            o.policy,
            o.quorum,
            o.counted,
            o.accuracy,
            o.first_round_accuracy,
            o.appeal_rate,
            o.buyer_error,
            o.seller_error,
            o.mean_votes,
            o.appeal_votes,
            o.escalated,
            o.mean_rounds,
            o.median_hours,
            o.p90_hours,
            o.ring_recall,
            o.honest_suspected,
            o.ring_sat_together
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(confident: &str) -> Settings {
        let rules = JuryRules {
            quorums: crate::domain::quorum::Quorums::all(QuorumPolicy::parse(confident).unwrap()),
            ..Default::default()
        };
        Settings::new(&rules, QuorumPolicy::XIANYU).unwrap()
    }

    fn scenario(json: &str) -> Scenario {
        Scenario::from_json(json).unwrap()
    }

    #[test]
    fn the_same_inputs_give_the_same_outcomes() {
        let s = scenario(r#"{"jurors": 300, "warmup_cases": 50}"#);
        let run = |seed| simulate(&s, &Policy::ALL, &settings("confident:3:0.98:17"), 400, seed).unwrap();
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn case_counts_are_checked() {
        let s = scenario(r#"{"warmup_cases": 10}"#);
        let error = |cases| simulate(&s, &[Policy::Xianyu], &settings("confident:3:0.98:17"), cases, 1).unwrap_err();
        assert_eq!(error(0), "--cases must be at least 1");
        assert!(error(10).contains("more than the scenario's warmup_cases (10)"));
    }

    #[test]
    fn the_confident_policy_needs_a_confident_rule() {
        let rules = JuryRules::default();
        assert!(Settings::new(&rules, QuorumPolicy::XIANYU).unwrap_err().starts_with("--quorum"));
    }

    #[test]
    fn skilled_honest_jurors_are_always_right_and_random_ones_are_a_coin() {
        let skilled = scenario(
            r#"{"jurors": 400, "accuracy_mean": 0.99, "accuracy_sd": 0, "difficulty_sd": 0, "spammer_share": 0,
                "in_group_bias": 0, "warmup_cases": 100}"#,
        );
        for o in simulate(&skilled, &Policy::ALL, &settings("confident:3:0.98:17"), 600, 1).unwrap() {
            assert!(o.accuracy >= 0.99, "{o:?}");
        }
        let random = scenario(
            r#"{"jurors": 400, "spammer_share": 1, "warmup_cases": 100, "appeal_rate_wronged": 0,
                "appeal_rate_rightly_lost": 0}"#,
        );
        let xianyu = simulate(&random, &[Policy::Xianyu], &settings("confident:3:0.98:17"), 2100, 1).unwrap().remove(0);
        assert!((xianyu.accuracy - 0.5).abs() < 0.05, "{xianyu:?}");
        assert_eq!(xianyu.mean_rounds, 1.0);
        assert!(xianyu.mean_votes >= 9.0 && xianyu.mean_votes <= 17.0);
    }

    /// What the court is built for, on a small market: weighing jurors by their record reaches
    /// better verdicts than Xianyu's random panel with fewer votes, evenly for both sides.
    #[test]
    fn confident_beats_a_random_panel_with_fewer_votes() {
        let s = scenario(r#"{"jurors": 1000, "warmup_cases": 1000}"#);
        let outcomes = simulate(&s, &[Policy::Xianyu, Policy::Confident], &settings("confident:3:0.98:17"), 4000, 3);
        let [xianyu, confident] = &outcomes.unwrap()[..] else { unreachable!() };
        assert!(confident.accuracy > xianyu.accuracy, "{confident:?} vs {xianyu:?}");
        assert!(confident.mean_votes < 0.8 * xianyu.mean_votes, "{confident:?} vs {xianyu:?}");
        assert!((confident.buyer_error - confident.seller_error).abs() < 0.03, "{confident:?}");
    }

    /// A loser who was wronged always appeals and one rightly beaten never does: every appeal is a
    /// first verdict that was wrong, heard again by a fresh panel of 2n+1, whose votes are counted.
    #[test]
    fn appeals_hear_again_the_cases_the_first_panel_got_wrong() {
        let s = scenario(
            r#"{"jurors": 1000, "warmup_cases": 200, "appeal_rate_wronged": 1, "appeal_rate_rightly_lost": 0}"#,
        );
        let o = simulate(&s, &[Policy::Xianyu], &settings("confident:3:0.98:17"), 1200, 4).unwrap().remove(0);
        assert!((o.appeal_rate - (1.0 - o.first_round_accuracy - o.escalated)).abs() < 1e-3, "{o:?}");
        assert!(o.accuracy > o.first_round_accuracy + 0.5 * o.appeal_rate, "most appeals put it right: {o:?}");
        assert!(o.appeal_votes >= o.appeal_rate * 18.0, "an appeal panel of 35 decides at 18 votes at least: {o:?}");
        let none = Scenario { appeal_rate_wronged: 0.0, ..s };
        let o = simulate(&none, &[Policy::Xianyu], &settings("confident:3:0.98:17"), 1200, 4).unwrap().remove(0);
        assert_eq!((o.appeal_rate, o.appeal_votes, o.accuracy), (0.0, 0.0, o.first_round_accuracy));
    }

    /// Re-estimating the records rebuilds them from the ledger: the run is still the same under a
    /// seed, and differs from one that never re-estimates.
    #[test]
    fn re_estimation_on_a_schedule_is_deterministic() {
        let s = scenario(r#"{"jurors": 300, "warmup_cases": 50, "cases_per_day": 50}"#);
        let run = |hours| {
            let settings = Settings { reestimate_hours: hours, ..settings("confident:3:0.98:17:2") };
            simulate(&s, &[Policy::Confident], &settings, 400, 7).unwrap()
        };
        assert_eq!(run(24.0), run(24.0));
        assert_ne!(run(24.0), run(0.0));
    }

    /// A verdict comes when its deciding vote does: jurors who all answer in three hours decide
    /// every case in three hours; when half of them never answer, replacements drawn at the summons
    /// deadline (24 hours) hold up some cases by a day or more.
    #[test]
    fn verdicts_take_as_long_as_the_votes_that_decide_them() {
        let prompt = scenario(
            r#"{"jurors": 500, "warmup_cases": 50, "no_show_rate": 0, "response_hours_median": 3,
                "response_hours_spread": 0}"#,
        );
        let run = |s: &Scenario| simulate(s, &[Policy::Xianyu], &settings("confident:3:0.98:17"), 300, 5).unwrap();
        let on_time = run(&prompt).remove(0);
        assert_eq!((on_time.median_hours, on_time.p90_hours), (3.0, 3.0), "{on_time:?}");
        let absent = Scenario { no_show_rate: 0.5, ..prompt };
        let late = run(&absent).remove(0);
        assert!(late.p90_hours >= 27.0 && late.median_hours >= 3.0, "{late:?}");
    }

    /// Waiting for the whole panel before anyone votes costs the court's panels time, and changes
    /// nothing for the baselines, which vote on arrival either way.
    #[test]
    fn a_full_panel_first_is_slower_than_voting_on_arrival() {
        let s = scenario(r#"{"jurors": 500, "warmup_cases": 100}"#);
        let run = |opens: VotingOpens| {
            let settings = Settings { voting_opens: opens, ..settings("confident:3:0.98:17") };
            simulate(&s, &[Policy::Xianyu, Policy::Matched], &settings, 600, 9).unwrap()
        };
        let (arriving, waiting) = (run(VotingOpens::FirstSeat), run(VotingOpens::FullPanel));
        assert_eq!(arriving[0], waiting[0], "the baseline is the same");
        assert!(waiting[1].median_hours > arriving[1].median_hours * 1.5, "{:?} vs {:?}", waiting[1], arriving[1]);
    }

    #[test]
    fn the_shipped_scenarios_are_valid() {
        for text in [
            include_str!("../../datasets/scenarios/xianyu-baseline.json"),
            include_str!("../../datasets/scenarios/high-bias.json"),
            include_str!("../../datasets/scenarios/small-pool.json"),
            include_str!("../../datasets/scenarios/spam-attack.json"),
            include_str!("../../datasets/scenarios/xianyu-mature.json"),
        ] {
            Scenario::from_json(text).unwrap();
        }
        assert_eq!(
            Scenario::from_json(include_str!("../../datasets/scenarios/xianyu-baseline.json")).unwrap(),
            Scenario::default(),
            "the baseline file spells out the defaults"
        );
    }
}
