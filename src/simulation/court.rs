//! One policy hearing a run of cases: the panel is drawn (at random, or by the real matching code
//! over what the court knows), each summoned juror answers after a delay of their own and votes at
//! once (or never, and is replaced at the summons deadline), votes are counted as they arrive and
//! the real quorum check closes the case — the deciding vote's time is the verdict's. The final
//! outcome then updates the jurors' records exactly as the court does (`Record::add`), with
//! calibration audits at the configured rate.

use super::population::{Case, Population};
use super::scenario::Scenario;
use super::Settings;
use crate::domain::dispute::{Category, Side};
use crate::domain::juror::VotingOpens;
use crate::domain::matching::{Candidate, CaseProfile, DrawError, JurorPool, Weights};
use crate::domain::quorum::{check, Quorum, QuorumPolicy, WeighedVote};
use crate::domain::reputation::{
    dawid_skene, reliability, DeclaredWorth, Record, Tally, Vote, ASSUMED_BUYER_SHARE, EM_ITERATIONS,
};
use crate::domain::rings::{one_sided, worth_testing};
use rand::rngs::StdRng;
use rand::seq::{index, IndexedRandom};
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Xianyu's 小法庭: 17 random jurors, first to 9.
    Xianyu,
    /// Taobao's 大众评审: 31 random jurors, majority.
    Taobao,
    /// Our matching, with the `first_to` rule from the settings.
    Matched,
    /// Our matching and the accuracy-weighted `confident` rule, both over what the court knows.
    Confident,
    /// The same, over the jurors' true accuracies and biases: the limit.
    Oracle,
}

impl Policy {
    pub const ALL: [Policy; 5] = [Policy::Xianyu, Policy::Taobao, Policy::Matched, Policy::Confident, Policy::Oracle];

    pub fn name(self) -> &'static str {
        match self {
            Policy::Xianyu => "xianyu",
            Policy::Taobao => "taobao",
            Policy::Matched => "matched",
            Policy::Confident => "confident",
            Policy::Oracle => "oracle",
        }
    }

    pub fn parse(name: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn quorum(self, settings: &Settings) -> QuorumPolicy {
        match self {
            Policy::Xianyu => QuorumPolicy::XIANYU,
            Policy::Taobao => QuorumPolicy::FirstTo { panel: 31, wins: 16 },
            Policy::Matched => settings.first_to,
            Policy::Confident | Policy::Oracle => settings.confident,
        }
    }

    fn uses_matching(self) -> bool {
        !matches!(self, Policy::Xianyu | Policy::Taobao)
    }
}

/// How one case went.
pub struct Hearing {
    /// The first panel's verdict; `None`: the case went to the moderators.
    pub first: Option<Side>,
    /// The verdict the case ends with: the appeal's when the loser appealed.
    pub verdict: Option<Side>,
    pub appealed: bool,
    /// Votes cast, the appeal's included, and the appeal's alone.
    pub votes: usize,
    pub appeal_votes: usize,
    /// Panel draws: the first, and each top-up the quorum asked for (an appeal's too).
    pub rounds: u32,
    /// Hours from the close of the evidence to the first panel's last vote counted (the deciding
    /// one, when it decided).
    pub hours: f64,
    /// Whether two members of one ring voted on one panel.
    pub ring_sat_together: bool,
}

/// What a re-estimation counts: the first panel's votes (cast before any outcome was known; an
/// appeal's jurors know which side lost, so their votes are left out, as Community Notes leaves
/// out ratings made after a note's status showed) and calibration answers, each as a case whose
/// truth is known only where moderators decided it or a calibration case fixed it.
#[derive(Default)]
struct Ledger {
    votes: Vec<Vote>,
    categories: Vec<Category>,
    known: Vec<(usize, Side)>,
}

impl Ledger {
    /// A case with its first panel's (blind) votes and any appeal's.
    fn add(&mut self, category: Category, (blind, appeal): (&[Ballot], &[Ballot]), known: Option<Side>) {
        let case = self.categories.len();
        self.categories.push(category);
        let vote = |blind| move |(juror, vote): &Ballot| Vote { juror: *juror, case, vote: *vote, blind };
        self.votes.extend(blind.iter().map(vote(true)).chain(appeal.iter().map(vote(false))));
        self.known.extend(known.map(|truth| (case, truth)));
    }
}

/// A juror's vote on the case being heard.
type Ballot = (usize, Side);

/// One panel's hearing.
struct Round {
    verdict: Option<Side>,
    votes: Vec<(usize, Side)>,
    draws: u32,
    hours: f64,
}

pub struct Court<'a> {
    population: &'a Population,
    settings: &'a Settings,
    policy: Policy,
    quorum: QuorumPolicy,
    records: Vec<Record>,
    /// What declaring expertise has been worth in this court's judgements so far.
    worth: DeclaredWorth,
    /// What a re-estimation counts, and every how many cases it runs (`None`: never).
    ledger: Ledger,
    reestimate_every: Option<usize>,
    heard: usize,
    /// Cases heard since the day's tests of suspicious records.
    heard_today: usize,
    answered: Vec<u32>,
    ignored: Vec<u32>,
    served: Vec<u32>,
    /// The jurors as matching sees them: from their records, or (oracle) as they truly are.
    pool: JurorPool,
    scenario: &'a Scenario,
    /// Hours from a summons to the juror's answer.
    response: LogNormal<f64>,
    rng: StdRng,
}

impl<'a> Court<'a> {
    pub fn new(
        (population, scenario): (&'a Population, &'a Scenario),
        settings: &'a Settings,
        policy: Policy,
        rng: StdRng,
    ) -> Court<'a> {
        let n = population.jurors.len();
        let mut court = Court {
            population,
            settings,
            policy,
            quorum: policy.quorum(settings),
            records: vec![Record::default(); n],
            worth: DeclaredWorth::default(),
            ledger: Ledger::default(),
            // Only the policies that read the records re-estimate them.
            reestimate_every: (settings.reestimate_hours > 0.0
                && matches!(policy, Policy::Matched | Policy::Confident))
            .then(|| ((scenario.cases_per_day * settings.reestimate_hours / 24.0).round() as usize).max(1)),
            heard: 0,
            heard_today: 0,
            answered: vec![0; n],
            ignored: vec![0; n],
            served: vec![0; n],
            pool: JurorPool::new(vec![]),
            scenario,
            response: LogNormal::new(scenario.response_hours_median.ln(), scenario.response_hours_spread)
                .expect("a checked scenario has a finite median and spread"),
            rng,
        };
        if policy.uses_matching() {
            court.pool = JurorPool::new((0..n).map(|j| court.candidate(j)).collect());
        }
        court
    }

    /// Hears one case to its end (an appeal included) and brings the jurors' records up to date
    /// with its outcome.
    pub fn hear(&mut self, case: &Case) -> Hearing {
        let profile = CaseProfile { category: case.category, tags: vec![] };
        let weights = self.policy.uses_matching().then(|| self.pool.weights(&profile, &self.settings.matching));
        let mut excluded: Vec<usize> = case.parties.to_vec();
        let first = self.round(case, self.quorum, weights.as_ref(), &mut excluded);
        let appeal = match first.verdict {
            Some(verdict) if self.loser_appeals(case, verdict) => {
                Some(self.round(case, self.quorum.for_appeal(), weights.as_ref(), &mut excluded))
            }
            _ => None,
        };
        let verdict = appeal.as_ref().map_or(first.verdict, |a| a.verdict);
        // Moderators decide what the jury could not; the simulation assumes they get it right.
        let outcome = verdict.unwrap_or(case.truth);
        let votes: Vec<(usize, Side)> =
            first.votes.iter().chain(appeal.iter().flat_map(|a| &a.votes)).copied().collect();
        self.learn(case, &votes, outcome, &excluded);
        let appeal_votes = appeal.as_ref().map_or(&[][..], |a| &a.votes[..]);
        self.heard_today += 1;
        if self.heard_today as f64 >= self.scenario.cases_per_day {
            self.heard_today = 0;
            self.test_suspicious();
        }
        if let Some(every) = self.reestimate_every {
            self.ledger.add(case.category, (&first.votes, appeal_votes), verdict.is_none().then_some(case.truth));
            self.heard += 1;
            if self.heard.is_multiple_of(every) {
                self.reestimate();
            }
        }
        let ring_sat_together =
            self.ring_sat_together(&first) || appeal.as_ref().is_some_and(|a| self.ring_sat_together(a));
        Hearing {
            first: first.verdict,
            verdict,
            appealed: appeal.is_some(),
            votes: votes.len(),
            appeal_votes: appeal.as_ref().map_or(0, |a| a.votes.len()),
            rounds: first.draws + appeal.as_ref().map_or(0, |a| a.draws),
            hours: first.hours,
            ring_sat_together,
        }
    }

    fn ring_sat_together(&self, round: &Round) -> bool {
        let mut rings: Vec<usize> =
            round.votes.iter().filter_map(|(juror, _)| self.population.jurors[*juror].ring.map(|r| r.id)).collect();
        rings.sort_unstable();
        rings.windows(2).any(|pair| pair[0] == pair[1])
    }

    /// Whom the court's records now mark as one-sided (`rings::one_sided`): the share of ring
    /// members it suspects, and of honest jurors.
    pub fn suspected(&self) -> (f64, f64) {
        let (mut members, mut caught, mut honest, mut wrongly) = (0, 0, 0, 0);
        for (juror, record) in self.population.jurors.iter().zip(&self.records) {
            let suspect = usize::from(one_sided(&record.overall).is_some());
            match juror.ring {
                Some(_) => (members, caught) = (members + 1, caught + suspect),
                None => (honest, wrongly) = (honest + 1, wrongly + suspect),
            }
        }
        (caught as f64 / members.max(1) as f64, wrongly as f64 / honest.max(1) as f64)
    }

    /// One panel (the first, or an appeal's) hearing the case: drawn, topped up as its quorum
    /// asks, each vote counted as it arrives.
    fn round(
        &mut self,
        case: &Case,
        quorum: QuorumPolicy,
        weights: Option<&Weights>,
        excluded: &mut Vec<usize>,
    ) -> Round {
        // Votes still to come, latest first: (hours, juror).
        let (mut seated, mut coming, mut votes, mut weighed) = (vec![], Vec::<(f64, usize)>::new(), vec![], vec![]);
        let (mut draws, mut need, mut now) = (0, quorum.initial_panel() as usize, 0.0);
        let verdict = loop {
            if need > 0 {
                draws += 1;
                let mut drawn = self.summon(weights, (excluded, &mut seated), need, now);
                if drawn.is_err() && draws == 1 && need > quorum.minimum_panel() as usize {
                    // A pool too small for the seats kept ahead starts with the minimum, as the court does.
                    drawn = self.summon(weights, (excluded, &mut seated), quorum.minimum_panel() as usize, now);
                }
                match drawn {
                    Ok(answers) if draws == 1 && self.waits_for_full_panel() => {
                        // Voting opens when the last seat is taken; each juror then comes back to vote.
                        let open = answers.iter().map(|(at, _)| *at).fold(now, f64::max);
                        let votes: Vec<(f64, usize)> = answers
                            .into_iter()
                            .map(|(_, juror)| (open + self.response.sample(&mut self.rng), juror))
                            .collect();
                        coming.extend(votes);
                    }
                    Ok(answers) => coming.extend(answers),
                    // Seats kept ahead that nobody can fill: the votes on their way carry on.
                    Err(_) if !coming.is_empty() => {}
                    Err(_) => break None,
                }
                coming.sort_by(|a, b| b.0.total_cmp(&a.0));
                need = 0;
            }
            let Some((at, juror)) = coming.pop() else { break None };
            now = at;
            let side = self.population.vote(juror, case, self.served[juror], &mut self.rng);
            votes.push((juror, side));
            weighed.push(self.weigh(juror, case, side, &quorum));
            match check(&quorum, &weighed, seated.len() as u32, ASSUMED_BUYER_SHARE) {
                Quorum::Decided(side) => break Some(side),
                Quorum::Waiting => {}
                Quorum::DrawMore(more) => need = more as usize,
                Quorum::Deadlocked => break None,
            }
        };
        Round { verdict, votes, draws, hours: now }
    }

    /// Whether the side that lost appeals: more often when it was in the right.
    fn loser_appeals(&mut self, case: &Case, verdict: Side) -> bool {
        let wronged = verdict != case.truth;
        let rate = if wronged { self.scenario.appeal_rate_wronged } else { self.scenario.appeal_rate_rightly_lost };
        self.rng.random_bool(rate)
    }

    /// The court's own panels under `VOTING_OPENS=full_panel`: the first panel votes only once all
    /// of it is seated (a juror who joins later votes at once, as in the court).
    fn waits_for_full_panel(&self) -> bool {
        self.policy.uses_matching() && self.settings.voting_opens == VotingOpens::FullPanel
    }

    /// Seats `need` more jurors summoned at hour `at`; returns when each will vote. A juror who does
    /// not answer within the summons window (never, or too slowly) is replaced when it closes.
    fn summon(
        &mut self,
        weights: Option<&Weights>,
        (excluded, seated): (&mut Vec<usize>, &mut Vec<usize>),
        mut need: usize,
        mut at: f64,
    ) -> Result<Vec<(f64, usize)>, DrawError> {
        let (mut answers, before) = (vec![], seated.len());
        while need > 0 {
            let drawn = self.draw(weights, excluded, seated, need).inspect_err(|_| {
                // Nobody seated by a draw that could not be completed: their votes never come.
                seated.truncate(before);
            })?;
            for juror in drawn {
                excluded.push(juror);
                let delay = self.response.sample(&mut self.rng);
                if self.rng.random_bool(self.scenario.no_show_rate) || delay > self.settings.summons_hours {
                    self.ignored[juror] += 1;
                } else {
                    self.answered[juror] += 1;
                    seated.push(juror);
                    answers.push((at + delay, juror));
                    need -= 1;
                }
            }
            at += self.settings.summons_hours;
        }
        Ok(answers)
    }

    fn draw(
        &mut self,
        weights: Option<&Weights>,
        excluded: &[usize],
        seated: &[usize],
        seats: usize,
    ) -> Result<Vec<usize>, DrawError> {
        let jurors = self.population.jurors.len();
        let Some(weights) = weights else {
            // Anyone not excluded, uniformly: draw enough to drop the excluded and keep `seats`.
            let amount = (seats + excluded.len()).min(jurors);
            let drawn: Vec<usize> = index::sample(&mut self.rng, jurors, amount)
                .into_iter()
                .filter(|j| !excluded.contains(j))
                .take(seats)
                .collect();
            if drawn.len() < seats {
                return Err(DrawError::TooFewEligible { eligible: drawn.len(), needed: seats });
            }
            return Ok(drawn);
        };
        let excluded: Vec<i32> = excluded.iter().map(|j| *j as i32).collect();
        let seated: Vec<Candidate> =
            seated.iter().map(|j| self.pool.get(*j as i32).expect("in the pool").clone()).collect();
        let drawn = self.pool.draw(weights, &excluded, &seated, seats, &self.settings.matching, &mut self.rng)?;
        Ok(drawn.into_iter().map(|id| id as usize).collect())
    }

    /// A vote with what the policy knows of its juror.
    fn weigh(&self, juror: usize, case: &Case, side: Side, quorum: &QuorumPolicy) -> WeighedVote {
        let (sensitivity, specificity) = match (self.policy, quorum) {
            // `first_to` counts heads only.
            (_, QuorumPolicy::FirstTo { .. }) => (0.5, 0.5),
            (Policy::Oracle, _) => self.population.typical_confusion(juror, case.category, self.served[juror]),
            _ => {
                let declared = self.population.jurors[juror].expertise.contains(case.category);
                let standing = self.records[juror].in_category(case.category, self.worth.shift(declared));
                (standing.sensitivity, standing.specificity)
            }
        };
        WeighedVote { side, sensitivity, specificity }
    }

    /// After the final outcome: every vote is judged against it, some voters answer a calibration
    /// case too, and matching sees everyone touched by the case as they now stand.
    fn learn(&mut self, case: &Case, votes: &[(usize, Side)], outcome: Side, summoned: &[usize]) {
        for (juror, side) in votes {
            self.judged(*juror, case.category, *side, outcome);
            self.served[*juror] += 1;
            if self.rng.random_bool(self.settings.audit_rate) {
                let truth =
                    if self.rng.random_bool(self.scenario.buyer_right_rate) { Side::Buyer } else { Side::Seller };
                let audit = Case { truth, difficulty: 0.0, ..*case };
                let answer = self.population.vote(*juror, &audit, self.served[*juror], &mut self.rng);
                self.judged(*juror, case.category, answer, truth);
                if self.reestimate_every.is_some() {
                    self.ledger.add(case.category, (&[(*juror, answer)], &[]), Some(truth));
                }
            }
        }
        if self.policy.uses_matching() {
            for juror in summoned.iter().filter(|j| !case.parties.contains(j)) {
                self.pool.upsert(self.candidate(*juror));
            }
        }
    }

    /// Once a day, as the court's job does: every juror whose record hints they never vote for one
    /// side answers a calibration case that side was right in (`rings::worth_testing`).
    fn test_suspicious(&mut self) {
        if !self.policy.uses_matching() {
            return;
        }
        for juror in 0..self.records.len() {
            let Some(truth) = worth_testing(&self.records[juror].overall) else { continue };
            let category = *self.scenario.categories().choose(&mut self.rng).expect("checked non-empty");
            let test = Case { category, truth, difficulty: 0.0, parties: [juror, juror] };
            let answer = self.population.vote(juror, &test, self.served[juror], &mut self.rng);
            self.judged(juror, category, answer, truth);
            if self.reestimate_every.is_some() {
                self.ledger.add(category, (&[(juror, answer)], &[]), Some(truth));
            }
            self.pool.upsert(self.candidate(juror));
        }
    }

    /// Every juror's record again from all the judgements in the ledger, by Dawid–Skene EM, as
    /// the court's re-estimation job does; matching then sees everyone as they now stand.
    fn reestimate(&mut self) {
        let jurors = self.records.len();
        let fit =
            dawid_skene(jurors, self.ledger.categories.len(), &self.ledger.votes, &self.ledger.known, EM_ITERATIONS);
        self.records = vec![Record::default(); jurors];
        self.worth = DeclaredWorth::default();
        for v in &self.ledger.votes {
            let category = self.ledger.categories[v.case];
            let mut credit = Tally::default();
            credit.credit(v.vote, fit.cases[v.case]);
            let record = &mut self.records[v.juror];
            record.overall = record.overall.plus(&credit);
            record.by_category[category.index()] = record.by_category[category.index()].plus(&credit);
            self.worth.add(self.population.jurors[v.juror].expertise.contains(category), &credit);
        }
        if self.policy.uses_matching() {
            for juror in 0..jurors {
                self.pool.upsert(self.candidate(juror));
            }
        }
    }

    /// A judgement with a known answer, added to the juror's record and to what declaring the
    /// category has been worth, as the court's tallies and pool do.
    fn judged(&mut self, juror: usize, category: Category, vote: Side, truth: Side) {
        self.records[juror].add(category, vote, truth);
        let mut one = Tally::default();
        one.record(vote, truth);
        self.worth.add(self.population.jurors[juror].expertise.contains(category), &one);
    }

    /// What matching knows of a juror under this policy.
    fn candidate(&self, juror: usize) -> Candidate {
        let truth = &self.population.jurors[juror];
        let one_sided = match self.policy {
            Policy::Oracle => truth.ring.map(|ring| ring.favours),
            _ => one_sided(&self.records[juror].overall),
        };
        let (accuracy_lower, leaning) = match self.policy {
            Policy::Oracle => {
                let confusion = Category::ALL.map(|c| self.population.typical_confusion(juror, c, self.served[juror]));
                // Bias alone makes sensitivity and specificity differ, by the same in every category.
                let leaning = confusion[0].0 - confusion[0].1;
                (confusion.map(|(sensitivity, specificity)| (sensitivity + specificity) / 2.0), leaning)
            }
            _ => {
                let shifts = self.worth.shifts(truth.expertise);
                (self.records[juror].accuracy_lower(&shifts), self.records[juror].overall().leaning)
            }
        };
        let reliability = match self.policy {
            Policy::Oracle => 1.0 - self.scenario.no_show_rate,
            _ => reliability(self.answered[juror], self.ignored[juror]),
        };
        Candidate {
            juror_id: juror as i32,
            expertise: truth.expertise,
            interests: vec![],
            side: truth.side,
            accuracy_lower,
            judged: self.records[juror].by_category.map(|tally| tally.votes()),
            reliability,
            leaning,
            one_sided,
        }
    }
}
