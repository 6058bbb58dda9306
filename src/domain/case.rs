//! The case lifecycle as a pure state machine: `(case, actor, command, now) -> Transition | Refusal`.
//! A refusal is an i18n key the person sees; nothing here touches the database or the clock.

use chrono::{NaiveDateTime, TimeDelta};

/// Stored as text (the mapping: `db/text_enum.rs`, through `as_str` and `parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum CaseState {
    Filed,
    AwaitingResponse,
    Evidence,
    JurySelection,
    Voting,
    /// The jury has decided; after the first round the losing side may appeal until `appeal_due_at`.
    Decided,
    /// Appealed: open to new evidence, then a fresh, larger panel is drawn.
    Appealed,
    Closed,
    Withdrawn,
    Settled,
    Escalated,
    Overridden,
}

impl CaseState {
    pub const ALL: [CaseState; 12] = [
        CaseState::Filed,
        CaseState::AwaitingResponse,
        CaseState::Evidence,
        CaseState::JurySelection,
        CaseState::Voting,
        CaseState::Decided,
        CaseState::Appealed,
        CaseState::Closed,
        CaseState::Withdrawn,
        CaseState::Settled,
        CaseState::Escalated,
        CaseState::Overridden,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Filed => "filed",
            CaseState::AwaitingResponse => "awaiting_response",
            CaseState::Evidence => "evidence",
            CaseState::JurySelection => "jury_selection",
            CaseState::Voting => "voting",
            CaseState::Decided => "decided",
            CaseState::Appealed => "appealed",
            CaseState::Closed => "closed",
            CaseState::Withdrawn => "withdrawn",
            CaseState::Settled => "settled",
            CaseState::Escalated => "escalated",
            CaseState::Overridden => "overridden",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// No command changes a finished case.
    pub fn is_final(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Withdrawn | CaseState::Settled | CaseState::Overridden)
    }

    /// Before a verdict the claimant may withdraw and the parties may settle.
    pub fn before_verdict(self) -> bool {
        matches!(
            self,
            CaseState::Filed
                | CaseState::AwaitingResponse
                | CaseState::Evidence
                | CaseState::JurySelection
                | CaseState::Voting
                | CaseState::Escalated
        )
    }

    /// Parties may add evidence until the evidence deadline (also the one an appeal opens);
    /// then the record is frozen.
    pub fn accepts_evidence(self) -> bool {
        matches!(self, CaseState::AwaitingResponse | CaseState::Evidence | CaseState::Appealed)
    }

    /// The stage shown on the progress bar (0-based) for the main path.
    pub fn stage_index(self) -> usize {
        match self {
            CaseState::Filed | CaseState::AwaitingResponse => 0,
            CaseState::Evidence => 1,
            CaseState::JurySelection | CaseState::Appealed => 2,
            CaseState::Voting | CaseState::Escalated => 3,
            CaseState::Decided => 4,
            CaseState::Closed | CaseState::Withdrawn | CaseState::Settled | CaseState::Overridden => 5,
        }
    }
}

/// Who is acting on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Claimant,
    Respondent,
    Moderator,
    /// Deadlines and other automatic steps.
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// The respondent tells their side.
    Answer,
    /// The respondent accepts the claim as filed.
    AcceptClaim,
    ProposeSettlement,
    /// The other party accepts the open settlement offer.
    AcceptSettlement,
    Withdraw,
    AddEvidence,
    /// A party takes back an item of their own evidence (while evidence may still be added).
    WithdrawEvidence,
    ResponseDeadlinePassed,
    EvidenceDeadlinePassed,
    /// The panel's first seat is taken (or every seat, as the court is set): voting opens. Recorded
    /// as `panel_complete`, the word its events have always had.
    OpenVoting,
    /// No panel can be formed, or none reached a quorum in time: the moderators take over.
    Escalate,
    /// The panel's votes met the quorum rule.
    QuorumReached,
    /// The losing side appeals the first verdict.
    Appeal,
    /// Nobody appealed in time: the first verdict is final.
    AppealWindowPassed,
    /// A moderator sets the final outcome in place of the jury's.
    Override,
    /// A moderator sends an escalated case back to the jury stage for fresh jurors.
    Reopen,
}

/// How long each side has; set by the operator, fixed on a case when it is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub response: TimeDelta,
    pub evidence: TimeDelta,
}

impl Default for Windows {
    fn default() -> Self {
        Windows { response: TimeDelta::hours(48), evidence: TimeDelta::hours(72) }
    }
}

/// What the state machine needs to know about a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub state: CaseState,
    pub response_due_at: Option<NaiveDateTime>,
    pub evidence_due_at: Option<NaiveDateTime>,
    pub answered: bool,
    /// Who made the open settlement offer, if one is open.
    pub open_offer_by: Option<Actor>,
    /// How long the evidence window stays open once it opens.
    pub evidence_window: TimeDelta,
    /// 1 for the first jury, 2 for the appeal jury.
    pub round: i32,
    /// The party the standing verdict went against.
    pub loser: Option<Actor>,
    pub appeal_due_at: Option<NaiveDateTime>,
}

/// An accepted command: the state after it, the event for `case_events`, and deadlines to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: CaseState,
    pub to: CaseState,
    pub event: &'static str,
    pub evidence_due_at: Option<NaiveDateTime>,
}

impl Transition {
    /// Voting ends here without the jury's verdict: escalated, withdrawn or settled (an offer
    /// made while the jury votes leaves the case voting).
    pub fn stops_voting(&self) -> bool {
        self.from == CaseState::Voting
            && matches!(self.to, CaseState::Escalated | CaseState::Withdrawn | CaseState::Settled)
    }
}

/// Every event `decide` can produce, plus the two filing writes (for the timeline's labels).
pub const EVENT_KINDS: [&str; 24] = [
    "filed",
    "respondent_notified",
    "answered",
    "answered_late",
    "claim_accepted",
    "settlement_proposed",
    "settlement_accepted",
    "withdrawn",
    "evidence_added",
    "evidence_withdrawn",
    "response_deadline_passed",
    "evidence_closed",
    "panel_complete",
    "escalated",
    "verdict",
    "appealed",
    "verdict_final",
    "appeal_verdict",
    "overridden",
    "reopened",
    "deadline_extended",
    "statement_hidden",
    // What the marketplace reported doing about the final verdict.
    "remedy_carried_out",
    "remedy_failed",
];

/// Why a command was refused, as an i18n key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

pub const WRONG_PERSON: Refusal = Refusal("case.refused.wrong_person");
pub const WRONG_STAGE: Refusal = Refusal("case.refused.wrong_stage");
pub const PAST_DEADLINE: Refusal = Refusal("case.refused.past_deadline");
pub const NOT_YET_DUE: Refusal = Refusal("case.refused.not_yet_due");
pub const NO_OFFER: Refusal = Refusal("case.refused.no_offer");
pub const OWN_OFFER: Refusal = Refusal("case.refused.own_offer");
pub const ALREADY_ANSWERED: Refusal = Refusal("case.refused.already_answered");
pub const NOT_THE_LOSER: Refusal = Refusal("case.refused.not_the_loser");
pub const ALREADY_APPEALED: Refusal = Refusal("case.refused.already_appealed");
pub const ALREADY_OVERRIDDEN: Refusal = Refusal("case.refused.already_overridden");
pub const NOT_OVERRIDABLE: Refusal = Refusal("case.refused.not_overridable");
pub const NOT_ESCALATED: Refusal = Refusal("case.refused.not_escalated");

fn is_party(actor: Actor) -> bool {
    matches!(actor, Actor::Claimant | Actor::Respondent)
}

/// Decides a command. Pure: the same facts, actor, command and time give the same answer.
pub fn decide(case: &CaseFacts, actor: Actor, command: Command, now: NaiveDateTime) -> Result<Transition, Refusal> {
    let from = case.state;
    if command == Command::Override {
        return override_verdict(from, actor);
    }
    if from.is_final() {
        return Err(WRONG_STAGE);
    }
    let stay = |event| Ok(Transition { from, to: from, event, evidence_due_at: None });
    let open_evidence = |event| {
        Ok(Transition { from, to: CaseState::Evidence, event, evidence_due_at: Some(now + case.evidence_window) })
    };
    match command {
        Command::Answer | Command::AcceptClaim => {
            if actor != Actor::Respondent {
                return Err(WRONG_PERSON);
            }
            if case.answered {
                return Err(ALREADY_ANSWERED);
            }
            if !matches!(from, CaseState::AwaitingResponse | CaseState::Evidence) {
                return Err(WRONG_STAGE);
            }
            if command == Command::AcceptClaim {
                return Ok(Transition { from, to: CaseState::Settled, event: "claim_accepted", evidence_due_at: None });
            }
            if from == CaseState::Evidence {
                // A late answer still counts, within the evidence window the deadline opened.
                if case.evidence_due_at.is_some_and(|due| now > due) {
                    return Err(PAST_DEADLINE);
                }
                return stay("answered_late");
            }
            open_evidence("answered")
        }
        Command::ProposeSettlement => {
            if !is_party(actor) {
                return Err(WRONG_PERSON);
            }
            if !from.before_verdict() {
                return Err(WRONG_STAGE);
            }
            stay("settlement_proposed")
        }
        Command::AcceptSettlement => {
            if !is_party(actor) {
                return Err(WRONG_PERSON);
            }
            if !from.before_verdict() {
                return Err(WRONG_STAGE);
            }
            match case.open_offer_by {
                None => Err(NO_OFFER),
                Some(by) if by == actor => Err(OWN_OFFER),
                Some(_) => {
                    Ok(Transition { from, to: CaseState::Settled, event: "settlement_accepted", evidence_due_at: None })
                }
            }
        }
        Command::Withdraw => {
            if actor != Actor::Claimant {
                return Err(WRONG_PERSON);
            }
            if !from.before_verdict() {
                return Err(WRONG_STAGE);
            }
            Ok(Transition { from, to: CaseState::Withdrawn, event: "withdrawn", evidence_due_at: None })
        }
        Command::AddEvidence | Command::WithdrawEvidence => {
            // The system adds the marketplace's own records (the order, the chat, the delivery scan).
            let marketplace_record = actor == Actor::System && command == Command::AddEvidence;
            if !is_party(actor) && !marketplace_record {
                return Err(WRONG_PERSON);
            }
            if !from.accepts_evidence() {
                return Err(WRONG_STAGE);
            }
            if from != CaseState::AwaitingResponse && case.evidence_due_at.is_some_and(|due| now > due) {
                return Err(PAST_DEADLINE);
            }
            stay(if command == Command::AddEvidence { "evidence_added" } else { "evidence_withdrawn" })
        }
        Command::ResponseDeadlinePassed => {
            if actor != Actor::System {
                return Err(WRONG_PERSON);
            }
            if from != CaseState::AwaitingResponse {
                return Err(WRONG_STAGE);
            }
            if case.response_due_at.is_some_and(|due| now < due) {
                return Err(NOT_YET_DUE);
            }
            open_evidence("response_deadline_passed")
        }
        Command::EvidenceDeadlinePassed => {
            if actor != Actor::System {
                return Err(WRONG_PERSON);
            }
            if from != CaseState::Evidence {
                return Err(WRONG_STAGE);
            }
            if case.evidence_due_at.is_some_and(|due| now < due) {
                return Err(NOT_YET_DUE);
            }
            Ok(Transition { from, to: CaseState::JurySelection, event: "evidence_closed", evidence_due_at: None })
        }
        Command::OpenVoting => {
            system_step(actor, matches!(from, CaseState::JurySelection | CaseState::Appealed))?;
            Ok(Transition { from, to: CaseState::Voting, event: "panel_complete", evidence_due_at: None })
        }
        Command::Escalate => {
            let jury_stage = matches!(from, CaseState::JurySelection | CaseState::Appealed | CaseState::Voting);
            system_step(actor, jury_stage)?;
            Ok(Transition { from, to: CaseState::Escalated, event: "escalated", evidence_due_at: None })
        }
        Command::QuorumReached => {
            system_step(actor, from == CaseState::Voting)?;
            // The appeal jury's verdict is final; the first one waits out the appeal window.
            let (to, event) =
                if case.round > 1 { (CaseState::Closed, "appeal_verdict") } else { (CaseState::Decided, "verdict") };
            Ok(Transition { from, to, event, evidence_due_at: None })
        }
        Command::Appeal => {
            if !is_party(actor) {
                return Err(WRONG_PERSON);
            }
            if case.round > 1 {
                return Err(ALREADY_APPEALED);
            }
            if from != CaseState::Decided {
                return Err(WRONG_STAGE);
            }
            if case.loser != Some(actor) {
                return Err(NOT_THE_LOSER);
            }
            if case.appeal_due_at.is_none_or(|due| now > due) {
                return Err(PAST_DEADLINE);
            }
            Ok(Transition { from, to: CaseState::Appealed, event: "appealed", evidence_due_at: None })
        }
        Command::AppealWindowPassed => {
            system_step(actor, from == CaseState::Decided)?;
            if case.appeal_due_at.is_some_and(|due| now < due) {
                return Err(NOT_YET_DUE);
            }
            Ok(Transition { from, to: CaseState::Closed, event: "verdict_final", evidence_due_at: None })
        }
        Command::Override => override_verdict(from, actor),
        Command::Reopen => {
            if actor != Actor::Moderator {
                return Err(WRONG_PERSON);
            }
            if from != CaseState::Escalated {
                return Err(NOT_ESCALATED);
            }
            Ok(Transition { from, to: CaseState::JurySelection, event: "reopened", evidence_due_at: None })
        }
    }
}

/// A moderator may override any case that reached the jury, also after its verdict became final;
/// what the parties ended themselves (withdrawn, settled) stays theirs, and an override is once.
fn override_verdict(from: CaseState, actor: Actor) -> Result<Transition, Refusal> {
    if actor != Actor::Moderator {
        return Err(WRONG_PERSON);
    }
    // A verdict exists (decided, under appeal, final), or no jury could be formed and a moderator
    // must decide in its place. While a jury is forming or voting it is theirs to decide.
    let has_verdict_or_needs_one =
        matches!(from, CaseState::Decided | CaseState::Appealed | CaseState::Escalated | CaseState::Closed);
    match from {
        CaseState::Overridden => Err(ALREADY_OVERRIDDEN),
        _ if !has_verdict_or_needs_one => Err(NOT_OVERRIDABLE),
        _ => Ok(Transition { from, to: CaseState::Overridden, event: "overridden", evidence_due_at: None }),
    }
}

/// An automatic step: only the system takes it, and only at the stage it belongs to.
fn system_step(actor: Actor, at_its_stage: bool) -> Result<(), Refusal> {
    if actor != Actor::System {
        return Err(WRONG_PERSON);
    }
    if !at_its_stage {
        return Err(WRONG_STAGE);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::locale::Locale;
    use proptest::prelude::*;

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap().naive_utc()
    }

    const RESPONSE_WINDOW: TimeDelta = TimeDelta::hours(48);
    const EVIDENCE_WINDOW: TimeDelta = TimeDelta::hours(72);

    fn awaiting() -> CaseFacts {
        CaseFacts {
            state: CaseState::AwaitingResponse,
            response_due_at: Some(t0() + RESPONSE_WINDOW),
            evidence_due_at: None,
            answered: false,
            open_offer_by: None,
            evidence_window: EVIDENCE_WINDOW,
            round: 1,
            loser: None,
            appeal_due_at: None,
        }
    }

    #[test]
    fn states_round_trip_through_text() {
        for state in CaseState::ALL {
            assert_eq!(CaseState::parse(state.as_str()), Some(state));
        }
        assert_eq!(CaseState::parse("nonsense"), None);
    }

    #[test]
    fn an_answer_opens_the_evidence_window() {
        let t = decide(&awaiting(), Actor::Respondent, Command::Answer, t0()).unwrap();
        assert_eq!(t.to, CaseState::Evidence);
        assert_eq!(t.evidence_due_at, Some(t0() + EVIDENCE_WINDOW));
        assert_eq!(decide(&awaiting(), Actor::Claimant, Command::Answer, t0()), Err(WRONG_PERSON));
    }

    #[test]
    fn accepting_the_claim_settles() {
        let t = decide(&awaiting(), Actor::Respondent, Command::AcceptClaim, t0()).unwrap();
        assert_eq!(t.to, CaseState::Settled);
    }

    #[test]
    fn silence_does_not_stall_the_case() {
        let early = decide(&awaiting(), Actor::System, Command::ResponseDeadlinePassed, t0());
        assert_eq!(early, Err(NOT_YET_DUE));
        let late = t0() + RESPONSE_WINDOW + TimeDelta::seconds(1);
        let t = decide(&awaiting(), Actor::System, Command::ResponseDeadlinePassed, late).unwrap();
        assert_eq!(t.to, CaseState::Evidence);
        assert_eq!(t.evidence_due_at, Some(late + EVIDENCE_WINDOW));
        assert_eq!(decide(&awaiting(), Actor::Claimant, Command::ResponseDeadlinePassed, late), Err(WRONG_PERSON));
    }

    #[test]
    fn evidence_is_frozen_after_its_deadline() {
        let evidence = CaseFacts { state: CaseState::Evidence, evidence_due_at: Some(t0()), ..awaiting() };
        assert!(decide(&evidence, Actor::Claimant, Command::AddEvidence, t0()).is_ok());
        let later = t0() + TimeDelta::seconds(1);
        assert_eq!(decide(&evidence, Actor::Claimant, Command::AddEvidence, later), Err(PAST_DEADLINE));
        let closed = decide(&evidence, Actor::System, Command::EvidenceDeadlinePassed, later).unwrap();
        assert_eq!(closed.to, CaseState::JurySelection);
        let jury = CaseFacts { state: CaseState::JurySelection, ..evidence };
        assert_eq!(decide(&jury, Actor::Respondent, Command::AddEvidence, later), Err(WRONG_STAGE));
        assert_eq!(decide(&jury, Actor::Moderator, Command::AddEvidence, later), Err(WRONG_PERSON));
    }

    #[test]
    fn the_marketplace_adds_records_while_evidence_is_open_and_withdraws_none() {
        let evidence = CaseFacts { state: CaseState::Evidence, evidence_due_at: Some(t0()), ..awaiting() };
        assert_eq!(decide(&evidence, Actor::System, Command::AddEvidence, t0()).unwrap().event, "evidence_added");
        assert_eq!(decide(&evidence, Actor::System, Command::WithdrawEvidence, t0()), Err(WRONG_PERSON));
        let later = t0() + TimeDelta::seconds(1);
        assert_eq!(decide(&evidence, Actor::System, Command::AddEvidence, later), Err(PAST_DEADLINE));
    }

    #[test]
    fn the_panel_opens_voting_or_hands_the_case_to_moderators() {
        let jury = CaseFacts { state: CaseState::JurySelection, ..awaiting() };
        assert_eq!(decide(&jury, Actor::System, Command::OpenVoting, t0()).unwrap().to, CaseState::Voting);
        assert_eq!(decide(&jury, Actor::System, Command::Escalate, t0()).unwrap().to, CaseState::Escalated);
        assert_eq!(decide(&jury, Actor::Claimant, Command::OpenVoting, t0()), Err(WRONG_PERSON));
        assert_eq!(decide(&awaiting(), Actor::System, Command::OpenVoting, t0()), Err(WRONG_STAGE));
    }

    #[test]
    fn voting_stops_without_a_verdict_when_escalated_withdrawn_or_settled() {
        let voting = CaseFacts { state: CaseState::Voting, open_offer_by: Some(Actor::Respondent), ..awaiting() };
        let stops = |actor, command| decide(&voting, actor, command, t0()).unwrap().stops_voting();
        assert!(stops(Actor::System, Command::Escalate));
        assert!(stops(Actor::Claimant, Command::Withdraw));
        assert!(stops(Actor::Claimant, Command::AcceptSettlement));
        assert!(!stops(Actor::System, Command::QuorumReached));
        let no_offer = CaseFacts { open_offer_by: None, ..voting };
        assert!(!decide(&no_offer, Actor::Claimant, Command::ProposeSettlement, t0()).unwrap().stops_voting());
        let appeal = CaseFacts { round: 2, ..voting };
        assert!(!decide(&appeal, Actor::System, Command::QuorumReached, t0()).unwrap().stops_voting());
        let forming = CaseFacts { state: CaseState::JurySelection, ..awaiting() };
        assert!(!decide(&forming, Actor::System, Command::OpenVoting, t0()).unwrap().stops_voting());
    }

    #[test]
    fn settlement_needs_the_other_partys_offer() {
        assert_eq!(decide(&awaiting(), Actor::Claimant, Command::AcceptSettlement, t0()), Err(NO_OFFER));
        let offered = CaseFacts { open_offer_by: Some(Actor::Respondent), ..awaiting() };
        assert_eq!(decide(&offered, Actor::Respondent, Command::AcceptSettlement, t0()), Err(OWN_OFFER));
        assert_eq!(decide(&offered, Actor::Claimant, Command::AcceptSettlement, t0()).unwrap().to, CaseState::Settled);
    }

    #[test]
    fn only_the_claimant_withdraws_and_only_before_a_verdict() {
        assert_eq!(decide(&awaiting(), Actor::Respondent, Command::Withdraw, t0()), Err(WRONG_PERSON));
        assert_eq!(decide(&awaiting(), Actor::Claimant, Command::Withdraw, t0()).unwrap().to, CaseState::Withdrawn);
        let decided = CaseFacts { state: CaseState::Decided, ..awaiting() };
        assert_eq!(decide(&decided, Actor::Claimant, Command::Withdraw, t0()), Err(WRONG_STAGE));
    }

    fn decided() -> CaseFacts {
        CaseFacts {
            state: CaseState::Decided,
            loser: Some(Actor::Respondent),
            appeal_due_at: Some(t0() + TimeDelta::hours(48)),
            ..awaiting()
        }
    }

    #[test]
    fn the_first_verdict_waits_for_appeals_and_the_second_is_final() {
        let voting = CaseFacts { state: CaseState::Voting, ..awaiting() };
        let first = decide(&voting, Actor::System, Command::QuorumReached, t0()).unwrap();
        assert_eq!((first.to, first.event), (CaseState::Decided, "verdict"));
        let appeal_round = CaseFacts { round: 2, ..voting };
        let second = decide(&appeal_round, Actor::System, Command::QuorumReached, t0()).unwrap();
        assert_eq!((second.to, second.event), (CaseState::Closed, "appeal_verdict"));
        assert_eq!(decide(&voting, Actor::Claimant, Command::QuorumReached, t0()), Err(WRONG_PERSON));
        assert_eq!(decide(&decided(), Actor::System, Command::QuorumReached, t0()), Err(WRONG_STAGE));
    }

    #[test]
    fn only_the_losing_side_appeals_once_within_the_window() {
        assert_eq!(decide(&decided(), Actor::Respondent, Command::Appeal, t0()).unwrap().to, CaseState::Appealed);
        assert_eq!(decide(&decided(), Actor::Claimant, Command::Appeal, t0()), Err(NOT_THE_LOSER));
        assert_eq!(decide(&decided(), Actor::Moderator, Command::Appeal, t0()), Err(WRONG_PERSON));
        let late = t0() + TimeDelta::hours(49);
        assert_eq!(decide(&decided(), Actor::Respondent, Command::Appeal, late), Err(PAST_DEADLINE));
        let again = CaseFacts { round: 2, ..decided() };
        assert_eq!(decide(&again, Actor::Respondent, Command::Appeal, t0()), Err(ALREADY_APPEALED));
        assert_eq!(decide(&decided(), Actor::System, Command::AppealWindowPassed, t0()), Err(NOT_YET_DUE));
        assert_eq!(decide(&decided(), Actor::System, Command::AppealWindowPassed, late).unwrap().to, CaseState::Closed);
    }

    #[test]
    fn an_appeal_takes_new_evidence_until_its_deadline_then_draws_a_panel() {
        let appealed = CaseFacts { state: CaseState::Appealed, round: 2, evidence_due_at: Some(t0()), ..decided() };
        assert!(decide(&appealed, Actor::Claimant, Command::AddEvidence, t0()).is_ok());
        let later = t0() + TimeDelta::seconds(1);
        assert_eq!(decide(&appealed, Actor::Claimant, Command::AddEvidence, later), Err(PAST_DEADLINE));
        assert_eq!(decide(&appealed, Actor::System, Command::OpenVoting, later).unwrap().to, CaseState::Voting);
        assert_eq!(decide(&appealed, Actor::System, Command::Escalate, later).unwrap().to, CaseState::Escalated);
    }

    #[test]
    fn a_moderator_overrides_a_verdict_or_decides_an_escalated_case() {
        for state in [CaseState::Decided, CaseState::Appealed, CaseState::Escalated, CaseState::Closed] {
            let case = CaseFacts { state, ..decided() };
            let t = decide(&case, Actor::Moderator, Command::Override, t0()).unwrap();
            assert_eq!((t.to, t.event), (CaseState::Overridden, "overridden"));
            assert_eq!(decide(&case, Actor::Claimant, Command::Override, t0()), Err(WRONG_PERSON));
        }
        for state in [
            CaseState::Withdrawn,
            CaseState::Settled,
            CaseState::Evidence,
            CaseState::AwaitingResponse,
            CaseState::JurySelection,
            CaseState::Voting,
        ] {
            let case = CaseFacts { state, ..decided() };
            assert_eq!(decide(&case, Actor::Moderator, Command::Override, t0()), Err(NOT_OVERRIDABLE));
        }
        let overridden = CaseFacts { state: CaseState::Overridden, ..decided() };
        assert_eq!(decide(&overridden, Actor::Moderator, Command::Override, t0()), Err(ALREADY_OVERRIDDEN));
    }

    #[test]
    fn only_an_escalated_case_is_reopened() {
        let escalated = CaseFacts { state: CaseState::Escalated, ..decided() };
        assert_eq!(decide(&escalated, Actor::Moderator, Command::Reopen, t0()).unwrap().to, CaseState::JurySelection);
        assert_eq!(decide(&escalated, Actor::System, Command::Reopen, t0()), Err(WRONG_PERSON));
        assert_eq!(decide(&decided(), Actor::Moderator, Command::Reopen, t0()), Err(NOT_ESCALATED));
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![Just(Actor::Claimant), Just(Actor::Respondent), Just(Actor::Moderator), Just(Actor::System)]
    }

    fn any_command() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::Answer),
            Just(Command::AcceptClaim),
            Just(Command::ProposeSettlement),
            Just(Command::AcceptSettlement),
            Just(Command::Withdraw),
            Just(Command::AddEvidence),
            Just(Command::WithdrawEvidence),
            Just(Command::ResponseDeadlinePassed),
            Just(Command::EvidenceDeadlinePassed),
            Just(Command::OpenVoting),
            Just(Command::Escalate),
            Just(Command::QuorumReached),
            Just(Command::Appeal),
            Just(Command::AppealWindowPassed),
            Just(Command::Override),
            Just(Command::Reopen),
        ]
    }

    /// Applies a transition to the facts, as the services do.
    fn apply(case: &mut CaseFacts, actor: Actor, command: Command, t: &Transition, now: NaiveDateTime) {
        case.state = t.to;
        if let Some(due) = t.evidence_due_at {
            case.evidence_due_at = Some(due);
        }
        match command {
            Command::Answer => case.answered = true,
            Command::ProposeSettlement => case.open_offer_by = Some(actor),
            Command::QuorumReached => {
                case.loser = Some(Actor::Respondent);
                case.appeal_due_at = Some(now + TimeDelta::hours(48));
            }
            Command::Appeal => {
                case.round = 2;
                case.evidence_due_at = Some(now + TimeDelta::hours(24));
            }
            _ => {}
        }
    }

    proptest! {
        /// Random event sequences never reach a state outside the lifecycle of this stage, never leave
        /// a final state, keep evidence out of frozen stages, name a listed event for every accepted
        /// step and explain every refusal in both languages. (That a refusal writes nothing is the
        /// services' property: tests/case_properties.rs.)
        #[test]
        fn random_sequences_stay_valid(steps in prop::collection::vec((any_actor(), any_command(), 0i64..200_000), 0..40)) {
            let mut case = awaiting();
            let mut now = t0();
            let reachable = [CaseState::AwaitingResponse, CaseState::Evidence, CaseState::JurySelection, CaseState::Voting, CaseState::Escalated, CaseState::Settled, CaseState::Withdrawn, CaseState::Decided, CaseState::Appealed, CaseState::Closed, CaseState::Overridden];
            for (actor, command, seconds) in steps {
                now += TimeDelta::seconds(seconds);
                let before = case.state;
                match decide(&case, actor, command, now) {
                    Ok(t) => {
                        let overriding_final = command == Command::Override && before == CaseState::Closed;
                        prop_assert!(!before.is_final() || overriding_final, "a final state changed");
                        if matches!(command, Command::Override | Command::Reopen) {
                            prop_assert_eq!(actor, Actor::Moderator, "only moderators override or reopen");
                        }
                        prop_assert_eq!(t.from, before);
                        if matches!(command, Command::AddEvidence | Command::WithdrawEvidence) {
                            prop_assert!(before.accepts_evidence());
                        }
                        if t.to == CaseState::Evidence && before != CaseState::Evidence {
                            prop_assert!(t.evidence_due_at.is_some(), "entering Evidence sets its deadline");
                        }
                        prop_assert!(EVENT_KINDS.contains(&t.event), "unlisted event {}", t.event);
                        apply(&mut case, actor, command, &t, now);
                    }
                    Err(refusal) => {
                        prop_assert!(refusal.0.starts_with("case.refused."));
                        for locale in Locale::ALL {
                            prop_assert!(crate::i18n::has_translation(locale, refusal.0), "{} has no words", refusal.0);
                        }
                    }
                }
                prop_assert!(reachable.contains(&case.state), "unexpected state {:?}", case.state);
            }
        }
    }
}
