//! What a case asks of the person reading it: whose move it is, by when, and the sentence that
//! says so. Every list row, banner and overview entry is worded from here, so a respondent is never
//! told to wait for themselves.

use crate::domain::case::{Actor, CaseFacts, CaseState, Command};
use chrono::NaiveDateTime;

/// Whose move it is, seen from the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// The reader must (or may, before a deadline) act.
    Yours,
    /// Both sides may act (add evidence) until a deadline; nobody must.
    Both,
    /// The other party may act; the reader waits.
    Theirs,
    /// Jurors are being drawn or are voting.
    Jury,
    /// The moderators have the case.
    Moderators,
    /// Nothing is left to do.
    Done,
}

impl Turn {
    pub fn as_str(self) -> &'static str {
        match self {
            Turn::Yours => "yours",
            Turn::Both => "both",
            Turn::Theirs => "theirs",
            Turn::Jury => "jury",
            Turn::Moderators => "moderators",
            Turn::Done => "done",
        }
    }
}

/// The next step of a case for one reader: `key` names the sentence (`next.<key>` and
/// `next.<key>.then`, what happens if nobody acts), `due` the deadline it runs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextStep {
    pub turn: Turn,
    pub key: &'static str,
    pub due: Option<NaiveDateTime>,
}

impl NextStep {
    pub fn is_yours(&self) -> bool {
        self.turn == Turn::Yours
    }
}

/// The next step of the case for `reader`; `voting_due` is the open round's voting deadline.
/// `can` says whether the state machine lets the reader give a command now.
pub fn next_step(
    facts: &CaseFacts,
    reader: Actor,
    voting_due: Option<NaiveDateTime>,
    can: impl Fn(Command) -> bool,
) -> NextStep {
    let step = |turn, key, due| NextStep { turn, key, due };
    let party = matches!(reader, Actor::Claimant | Actor::Respondent);
    match facts.state {
        CaseState::Filed | CaseState::AwaitingResponse => {
            if reader == Actor::Respondent {
                step(Turn::Yours, "answer_yours", facts.response_due_at)
            } else if party {
                step(Turn::Theirs, "answer_theirs", facts.response_due_at)
            } else {
                step(Turn::Theirs, "answer_neutral", facts.response_due_at)
            }
        }
        _ if party && can(Command::AcceptSettlement) => step(Turn::Yours, "offer_yours", None),
        CaseState::Evidence if reader == Actor::Respondent && can(Command::Answer) => {
            step(Turn::Yours, "answer_late", facts.evidence_due_at)
        }
        CaseState::Evidence | CaseState::Appealed if party && can(Command::AddEvidence) => {
            step(Turn::Both, "evidence_yours", facts.evidence_due_at)
        }
        CaseState::Evidence | CaseState::Appealed => step(Turn::Theirs, "evidence_neutral", facts.evidence_due_at),
        CaseState::JurySelection => step(Turn::Jury, "jury_forming", None),
        CaseState::Voting => step(Turn::Jury, "jury_voting", voting_due),
        CaseState::Decided if party && can(Command::Appeal) => step(Turn::Yours, "appeal_yours", facts.appeal_due_at),
        CaseState::Decided if party => step(Turn::Theirs, "appeal_theirs", facts.appeal_due_at),
        CaseState::Decided => step(Turn::Theirs, "appeal_neutral", facts.appeal_due_at),
        CaseState::Escalated => step(Turn::Moderators, "moderators", None),
        CaseState::Closed => step(Turn::Done, "final_closed", None),
        CaseState::Withdrawn => step(Turn::Done, "final_withdrawn", None),
        CaseState::Settled => step(Turn::Done, "final_settled", None),
        CaseState::Overridden => step(Turn::Done, "final_overridden", None),
    }
}

/// Every sentence key `next_step` can give (for the locale test).
pub const KEYS: [&str; 17] = [
    "answer_yours",
    "answer_theirs",
    "answer_neutral",
    "answer_late",
    "evidence_yours",
    "evidence_neutral",
    "jury_forming",
    "jury_voting",
    "appeal_yours",
    "appeal_theirs",
    "appeal_neutral",
    "moderators",
    "final_closed",
    "final_withdrawn",
    "final_settled",
    "final_overridden",
    "offer_yours",
];

/// A coarse "time left" for readers without JavaScript: whole days from three days on (so "2 days"
/// never hides 71 hours), else whole hours, else minutes; `None` once the deadline has passed.
pub fn time_left(due: NaiveDateTime, now: NaiveDateTime) -> Option<(i64, &'static str)> {
    let minutes = (due - now).num_minutes();
    if minutes <= 0 {
        None
    } else if minutes >= 72 * 60 {
        Some((minutes / (24 * 60), "days"))
    } else if minutes >= 60 {
        Some((minutes / 60, "hours"))
    } else {
        Some((minutes, "minutes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::decide;
    use chrono::{NaiveDate, TimeDelta};

    fn at(hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    fn facts(state: CaseState) -> CaseFacts {
        CaseFacts {
            state,
            response_due_at: Some(at(20)),
            evidence_due_at: Some(at(22)),
            answered: false,
            open_offer_by: None,
            evidence_window: TimeDelta::hours(72),
            round: 1,
            loser: Some(Actor::Claimant),
            appeal_due_at: Some(at(23)),
        }
    }

    fn of(state: CaseState, reader: Actor) -> NextStep {
        let f = facts(state);
        next_step(&f, reader, None, |c| decide(&f, reader, c, at(1)).is_ok())
    }

    #[test]
    fn the_respondent_is_told_the_answer_is_theirs_and_the_claimant_that_they_wait() {
        let respondent = of(CaseState::AwaitingResponse, Actor::Respondent);
        assert_eq!((respondent.turn, respondent.key, respondent.due), (Turn::Yours, "answer_yours", Some(at(20))));
        let claimant = of(CaseState::AwaitingResponse, Actor::Claimant);
        assert_eq!((claimant.turn, claimant.key), (Turn::Theirs, "answer_theirs"));
        assert_eq!(of(CaseState::AwaitingResponse, Actor::Moderator).key, "answer_neutral");
    }

    #[test]
    fn a_respondent_past_the_answer_deadline_may_still_answer_during_evidence() {
        assert_eq!(of(CaseState::Evidence, Actor::Respondent).key, "answer_late");
        let claimant = of(CaseState::Evidence, Actor::Claimant);
        assert_eq!((claimant.turn, claimant.key), (Turn::Both, "evidence_yours"), "open to both, owed by neither");
    }

    #[test]
    fn an_offer_from_the_other_side_is_the_readers_move() {
        let mut f = facts(CaseState::Evidence);
        f.open_offer_by = Some(Actor::Respondent);
        let claimant = next_step(&f, Actor::Claimant, None, |c| decide(&f, Actor::Claimant, c, at(1)).is_ok());
        assert_eq!(claimant.key, "offer_yours");
        let respondent = next_step(&f, Actor::Respondent, None, |c| decide(&f, Actor::Respondent, c, at(1)).is_ok());
        assert_eq!(respondent.key, "answer_late");
    }

    #[test]
    fn only_the_losing_side_is_told_it_may_appeal() {
        assert_eq!(of(CaseState::Decided, Actor::Claimant).key, "appeal_yours");
        assert_eq!(of(CaseState::Decided, Actor::Respondent).key, "appeal_theirs");
    }

    #[test]
    fn every_state_and_reader_gets_a_known_sentence() {
        for state in CaseState::ALL {
            for reader in [Actor::Claimant, Actor::Respondent, Actor::Moderator] {
                assert!(KEYS.contains(&of(state, reader).key), "{state:?} {reader:?}");
            }
        }
    }

    #[test]
    fn time_left_is_coarse_and_ends_at_the_deadline() {
        let now = at(0);
        assert_eq!(time_left(now + TimeDelta::hours(72), now), Some((3, "days")));
        assert_eq!(time_left(now + TimeDelta::minutes(71 * 60 + 30), now), Some((71, "hours")), "not \"2 days\"");
        assert_eq!(time_left(now + TimeDelta::minutes(23 * 60 + 59), now), Some((23, "hours")));
        assert_eq!(time_left(now + TimeDelta::minutes(5), now), Some((5, "minutes")));
        assert_eq!(time_left(now, now), None);
    }
}
