//! Jurors: who may serve, how probation is scored, what experience earns, when no-shows suspend.

use crate::domain::dispute::Category;
use crate::domain::matching::{is_specific_interest, MatchPolicy, TradingSide};
use crate::domain::quorum::Quorums;
use crate::domain::validation::FieldErrors;
use chrono::{NaiveDateTime, TimeDelta};

/// Stored as text (the mapping: `db/text_enum.rs`, through `as_str` and `parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum JurorStatus {
    /// 见习评审员: opted in, still doing mock reviews.
    Probation,
    Active,
    /// Stepped out of the pool by their own choice; can step back in.
    Paused,
    /// Taken out of the pool (no-shows or a moderator).
    Suspended,
}

impl JurorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JurorStatus::Probation => "probation",
            JurorStatus::Active => "active",
            JurorStatus::Paused => "paused",
            JurorStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<JurorStatus> {
        [JurorStatus::Probation, JurorStatus::Active, JurorStatus::Paused, JurorStatus::Suspended]
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

/// Where a juror's summons to a case stands.
/// Stored as text (the mapping: `db/text_enum.rs`, through `as_str` and `parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum SeatStatus {
    /// Awaiting the juror's answer.
    Pending,
    Accepted,
    Declined,
    /// Stood aside: the juror is too close to a party.
    Recused,
    /// Not answered in time: replaced, and counted as a no-show.
    Expired,
    /// The case ended (settled, withdrawn) before this juror was needed.
    Released,
}

impl SeatStatus {
    const ALL: [SeatStatus; 6] = [
        SeatStatus::Pending,
        SeatStatus::Accepted,
        SeatStatus::Declined,
        SeatStatus::Recused,
        SeatStatus::Expired,
        SeatStatus::Released,
    ];

    /// Summonses that hold a seat (or may still take one).
    pub const HOLDING: [SeatStatus; 2] = [SeatStatus::Pending, SeatStatus::Accepted];

    pub fn as_str(self) -> &'static str {
        match self {
            SeatStatus::Pending => "pending",
            SeatStatus::Accepted => "accepted",
            SeatStatus::Declined => "declined",
            SeatStatus::Recused => "recused",
            SeatStatus::Expired => "expired",
            SeatStatus::Released => "released",
        }
    }

    pub fn parse(s: &str) -> Option<SeatStatus> {
        SeatStatus::ALL.into_iter().find(|status| status.as_str() == s)
    }

    pub fn holds_seat(self) -> bool {
        SeatStatus::HOLDING.contains(&self)
    }
}

/// The operator's rules for the jury pool.
#[derive(Debug, Clone, PartialEq)]
pub struct JuryRules {
    pub min_account_age: TimeDelta,
    /// Mock reviews in one probation attempt, and how many must be right to pass.
    pub probation_reviews: u32,
    pub probation_pass: u32,
    /// Wait before a failed probation can be tried again.
    pub probation_retry: TimeDelta,
    /// Time a summoned juror has to accept, decline or recuse.
    pub summons_window: TimeDelta,
    /// How each category's panels are sized and when they have decided.
    pub quorums: Quorums,
    /// Time a seated panel has to vote, once voting opens.
    pub voting_window: TimeDelta,
    /// Time the losing side has to appeal the first verdict.
    pub appeal_window: TimeDelta,
    /// Time both sides have to add new evidence after an appeal, before the appeal panel is drawn.
    pub appeal_evidence_window: TimeDelta,
    /// Summonses ignored in a row that suspend a juror.
    pub no_show_limit: u32,
    /// Capacity is counted in cases per this window.
    pub capacity_window: TimeDelta,
    pub matching: MatchPolicy,
    /// Chance that accepting a summons also slips a calibration case into the juror's queue.
    pub audit_rate: f64,
    /// When a panel's voting opens.
    pub voting_opens: VotingOpens,
    /// How often every juror's record is re-estimated from all judgements (Dawid–Skene); zero
    /// never (the records then only grow vote by vote).
    pub reestimate_every: TimeDelta,
}

/// When a panel's voting opens. `FirstSeat` (the default, as Xianyu's jurors do): a juror who
/// accepts reads the case and votes at once, the quorum is checked after every vote, and seats
/// still open are filled while others vote, so no slow juror holds the case. `FullPanel`: voting
/// opens once every seat is accepted, for a court that wants the whole panel in place first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VotingOpens {
    #[default]
    FirstSeat,
    FullPanel,
}

impl VotingOpens {
    pub fn parse(s: &str) -> Option<VotingOpens> {
        match s {
            "first_seat" => Some(VotingOpens::FirstSeat),
            "full_panel" => Some(VotingOpens::FullPanel),
            _ => None,
        }
    }
}

impl Default for JuryRules {
    fn default() -> Self {
        JuryRules {
            min_account_age: TimeDelta::days(7),
            probation_reviews: 5,
            probation_pass: 4,
            probation_retry: TimeDelta::days(7),
            summons_window: TimeDelta::hours(24),
            quorums: Quorums::default(),
            voting_window: TimeDelta::hours(72),
            appeal_window: TimeDelta::hours(48),
            appeal_evidence_window: TimeDelta::hours(24),
            no_show_limit: 3,
            capacity_window: TimeDelta::days(7),
            matching: MatchPolicy::default(),
            audit_rate: 0.1,
            voting_opens: VotingOpens::default(),
            reestimate_every: TimeDelta::zero(),
        }
    }
}

pub const MAX_CAPACITY: u16 = 20;
const MAX_INTERESTS: usize = 12;
const MAX_INTEREST_CHARS: usize = 24;

/// What a juror tells the court about themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JurorProfile {
    pub expertise: Vec<Category>,
    /// Lower-cased, distinct, in the order given.
    pub interests: Vec<String>,
    pub side: TradingSide,
    /// Cases per week.
    pub capacity: u16,
}

/// Checks the opt-in form. Interests are free tags separated by commas, spaces or 、.
pub fn parse_profile(
    categories: &[String],
    interests: &str,
    side: &str,
    capacity: &str,
) -> Result<JurorProfile, FieldErrors> {
    let mut errors = FieldErrors::new();
    let expertise: Option<Vec<Category>> = categories.iter().map(|c| Category::parse(c)).collect();
    let expertise = match expertise {
        None => {
            errors.add("expertise", "error.unknown_category");
            vec![]
        }
        Some(list) if list.is_empty() => {
            errors.add("expertise", "error.expertise_required");
            vec![]
        }
        Some(mut list) => {
            list.dedup();
            list
        }
    };
    let interests = errors.check("interests", parse_interests(interests)).unwrap_or_default();
    let side = errors.check("side", TradingSide::parse(side).ok_or("error.choose_side"));
    let capacity = errors.check(
        "capacity",
        capacity.trim().parse::<u16>().ok().filter(|n| (1..=MAX_CAPACITY).contains(n)).ok_or("error.capacity_range"),
    );
    match (side, capacity) {
        (Some(side), Some(capacity)) if errors.is_empty() => Ok(JurorProfile { expertise, interests, side, capacity }),
        _ => Err(errors),
    }
}

fn parse_interests(raw: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace()) {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > MAX_INTEREST_CHARS || tag.chars().any(char::is_control) {
            return Err("error.interest_long");
        }
        if !is_specific_interest(&tag) {
            return Err("error.interest_short");
        }
        tags.push(tag);
    }
    if tags.len() > MAX_INTERESTS {
        return Err("error.interests_many");
    }
    Ok(tags)
}

/// Why a juror is not drawn now, as an i18n key (shown on their dashboard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    OnProbation,
    TooNew { until: NaiveDateTime },
    Paused,
    Suspended,
}

impl Ineligible {
    pub fn key(self) -> &'static str {
        match self {
            Ineligible::OnProbation => "juror.ineligible.probation",
            Ineligible::TooNew { .. } => "juror.ineligible.too_new",
            Ineligible::Paused => "juror.ineligible.paused",
            Ineligible::Suspended => "juror.ineligible.suspended",
        }
    }
}

/// Whether a juror may be drawn: opted in with a verified email (checked at opt-in), past
/// probation, not paused or suspended, and with an account old enough.
pub fn eligibility(
    status: JurorStatus,
    account_created: NaiveDateTime,
    now: NaiveDateTime,
    rules: &JuryRules,
) -> Result<(), Ineligible> {
    match status {
        JurorStatus::Suspended => Err(Ineligible::Suspended),
        JurorStatus::Paused => Err(Ineligible::Paused),
        JurorStatus::Probation => Err(Ineligible::OnProbation),
        JurorStatus::Active if now < account_created + rules.min_account_age => {
            Err(Ineligible::TooNew { until: account_created + rules.min_account_age })
        }
        JurorStatus::Active => Ok(()),
    }
}

/// Where a probation attempt stands after its latest mock review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbationStep {
    Continue { answered: u32, needed: u32 },
    Passed,
    Failed { retry_at: NaiveDateTime },
}

/// An attempt is decided as soon as its outcome is certain: passed when enough are right, failed
/// when too many are wrong to still pass.
pub fn probation_step(correct: u32, answered: u32, rules: &JuryRules, now: NaiveDateTime) -> ProbationStep {
    let wrong = answered.saturating_sub(correct);
    if correct >= rules.probation_pass {
        ProbationStep::Passed
    } else if wrong > rules.probation_reviews.saturating_sub(rules.probation_pass) {
        ProbationStep::Failed { retry_at: now + rules.probation_retry }
    } else {
        ProbationStep::Continue { answered, needed: rules.probation_reviews }
    }
}

/// Standing earned by experience and accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 见习评审员
    Probationary,
    /// 评审员
    Juror,
    /// 资深评审员
    Senior,
    /// 首席评审员
    Chief,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Probationary => "juror.level.probationary",
            Level::Juror => "juror.level.juror",
            Level::Senior => "juror.level.senior",
            Level::Chief => "juror.level.chief",
        }
    }

    /// What the next level asks for: (cases judged, accuracy lower bound).
    pub fn next_requirement(self) -> Option<(Level, u32, f64)> {
        match self {
            Level::Probationary => None,
            Level::Juror => Some((Level::Senior, SENIOR.0, SENIOR.1)),
            Level::Senior => Some((Level::Chief, CHIEF.0, CHIEF.1)),
            Level::Chief => None,
        }
    }
}

const SENIOR: (u32, f64) = (20, 0.7);
const CHIEF: (u32, f64) = (100, 0.8);

/// The level of a juror who judged `judged` cases with final outcomes; the accuracy bound (not
/// the mean) decides, so a lucky streak does not promote.
pub fn level(status: JurorStatus, ever_passed_probation: bool, judged: f64, accuracy_lower: f64) -> Level {
    if status == JurorStatus::Probation || !ever_passed_probation {
        Level::Probationary
    } else if judged >= f64::from(CHIEF.0) && accuracy_lower >= CHIEF.1 {
        Level::Chief
    } else if judged >= f64::from(SENIOR.0) && accuracy_lower >= SENIOR.1 {
        Level::Senior
    } else {
        Level::Juror
    }
}

/// Whether a summons ignored after `streak` earlier ones in a row suspends the juror.
pub fn suspends_after_no_show(streak_before: u32, rules: &JuryRules) -> bool {
    streak_before + 1 >= rules.no_show_limit
}

/// A juror's written reason: long enough to say why, short enough to read.
pub const REASON_MIN: usize = 10;
pub const REASON_MAX: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap().naive_utc()
    }

    #[test]
    fn a_profile_is_checked_field_by_field() {
        let profile =
            parse_profile(&["phones".into(), "computers".into()], "iPhone, 相机、 iphone  lego", "sell", "3").unwrap();
        assert_eq!(profile.expertise, vec![Category::Phones, Category::Computers]);
        assert_eq!(profile.interests, vec!["iphone", "相机", "lego"]);
        assert_eq!(profile.side, TradingSide::MostlySell);
        assert_eq!(profile.capacity, 3);

        let errors = parse_profile(&["spaceships".into()], "", "neither", "0").unwrap_err();
        assert_eq!(errors.get("expertise"), Some("error.unknown_category"));
        assert_eq!(errors.get("side"), Some("error.choose_side"));
        assert_eq!(errors.get("capacity"), Some("error.capacity_range"));
        let errors = parse_profile(&[], &"x".repeat(25), "buy", "9999999999999").unwrap_err();
        assert_eq!(errors.get("expertise"), Some("error.expertise_required"));
        assert_eq!(errors.get("interests"), Some("error.interest_long"));
        assert_eq!(errors.get("capacity"), Some("error.capacity_range"));
        let many: Vec<String> = (0..13).map(|i| format!("tag{i}")).collect();
        let errors = parse_profile(&["other".into()], &many.join(","), "both", "-1").unwrap_err();
        assert_eq!(errors.get("interests"), Some("error.interests_many"));
        assert_eq!(errors.get("capacity"), Some("error.capacity_range"));
    }

    #[test]
    fn only_active_jurors_with_old_enough_accounts_are_eligible() {
        let rules = JuryRules::default();
        let joined = t0();
        let week_later = t0() + TimeDelta::days(7);
        assert_eq!(eligibility(JurorStatus::Active, joined, week_later, &rules), Ok(()));
        assert_eq!(
            eligibility(JurorStatus::Active, joined, week_later - TimeDelta::seconds(1), &rules),
            Err(Ineligible::TooNew { until: week_later })
        );
        for (status, why) in [
            (JurorStatus::Probation, Ineligible::OnProbation),
            (JurorStatus::Paused, Ineligible::Paused),
            (JurorStatus::Suspended, Ineligible::Suspended),
        ] {
            assert_eq!(eligibility(status, joined, week_later, &rules), Err(why));
        }
    }

    #[test]
    fn probation_ends_as_soon_as_its_outcome_is_certain() {
        let rules = JuryRules::default(); // 4 of 5
        let now = t0();
        assert_eq!(probation_step(1, 1, &rules, now), ProbationStep::Continue { answered: 1, needed: 5 });
        assert_eq!(probation_step(4, 4, &rules, now), ProbationStep::Passed);
        assert_eq!(probation_step(3, 4, &rules, now), ProbationStep::Continue { answered: 4, needed: 5 });
        assert_eq!(probation_step(4, 5, &rules, now), ProbationStep::Passed);
        assert_eq!(probation_step(1, 3, &rules, now), ProbationStep::Failed { retry_at: now + TimeDelta::days(7) });
        assert_eq!(probation_step(3, 5, &rules, now), ProbationStep::Failed { retry_at: now + TimeDelta::days(7) });
    }

    #[test]
    fn levels_follow_experience_and_the_accuracy_bound() {
        assert_eq!(level(JurorStatus::Probation, false, 0.0, 0.0), Level::Probationary);
        assert_eq!(level(JurorStatus::Active, true, 3.0, 0.6), Level::Juror);
        assert_eq!(level(JurorStatus::Active, true, 25.0, 0.72), Level::Senior);
        assert_eq!(level(JurorStatus::Active, true, 250.0, 0.69), Level::Juror, "many cases, weak bound");
        assert_eq!(level(JurorStatus::Suspended, true, 150.0, 0.85), Level::Chief, "standing is kept");
        assert_eq!(Level::Juror.next_requirement(), Some((Level::Senior, 20, 0.7)));
    }

    #[test]
    fn the_third_no_show_in_a_row_suspends() {
        let rules = JuryRules::default();
        assert!(!suspends_after_no_show(0, &rules));
        assert!(!suspends_after_no_show(1, &rules));
        assert!(suspends_after_no_show(2, &rules));
    }
}
