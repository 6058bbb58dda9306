//! The verdict: recorded once per round, told to both parties and every juror of the case (each
//! told whether they agreed), and, once the outcome is final, counted in the jurors' reputations.
//! Also what the case pages show of each round: progress, tally, ruling, anonymised reasons.

use super::reputation::record_known;
use super::{notify_juror, Jury, NoticeAbout};
use crate::db::models::case::{CaseChange, CaseRow};
use crate::db::models::job;
use crate::db::models::jury_round::{self, RoundRow};
use crate::db::models::summons::{self, SummonsRow, ACCEPTED, HOLDING};
use crate::db::models::vote::{self, VoteRow};
use crate::db::DbConnection;
use crate::domain::case::{Actor, CaseState, Command};
use crate::domain::dispute::Side;
use crate::domain::privacy::Masker;
use crate::domain::verdict::{excerpts, ruling, Excerpts, Ruling};
use crate::services::case::{claimant, notify_as, respondent, transition, Wording};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Records the panel's decision: the case moves on (to its appeal window, or closed after an
/// appeal), the round keeps its tally, everyone is told, and a final outcome updates reputations.
pub fn deliver_verdict(
    conn: &mut DbConnection,
    case: &CaseRow,
    round: &RoundRow,
    prevails: Side,
    votes: &[VoteRow],
    jury: &Jury,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let appeal_due = (case.round == 1).then(|| now + jury.rules.appeal_window);
    let change = CaseChange { outcome: Some(prevails.as_str()), appeal_due_at: appeal_due, ..Default::default() };
    let (case, t, seq) = transition(conn, case.id, Actor::System, None, Command::QuorumReached, now, change)?;
    let buyer = votes.iter().filter(|v| v.side == Side::Buyer.as_str()).count() as i32;
    let tally = (buyer, votes.len() as i32 - buyer);
    if !jury_round::record_verdict(conn, round.id, prevails.as_str(), tally, now)? {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "round {} of {} decided twice",
            round.round,
            case.public_id
        )));
    }
    summons::release_pending(conn, case.id, now)?;
    tell_parties(conn, &case, Told { event: t.event, prevails, detail: None }, seq, appeal_due, now)?;
    tell_jurors(conn, &case, (t.event, prevails), format!("{} : {}", tally.0, tally.1), now)?;
    match appeal_due {
        Some(due) => job::schedule(conn, job::APPEAL_DEADLINE, case.id, due, now)?,
        None => finalise(conn, &case, prevails, now)?,
    }
    Ok(())
}

/// Nobody appealed in time: the first verdict is final.
pub fn close_unappealed(conn: &mut DbConnection, case_id: i32, now: NaiveDateTime) -> ServiceResult<()> {
    let command = Command::AppealWindowPassed;
    let (case, t, seq) = match transition(conn, case_id, Actor::System, None, command, now, CaseChange::default()) {
        Ok(done) => done,
        Err(ServiceError::Refused(_)) => return Ok(()), // appealed (or overridden) meanwhile
        Err(other) => return Err(other),
    };
    let prevails = case.outcome.as_deref().and_then(Side::parse).ok_or(ServiceError::NotFound)?;
    finalise(conn, &case, prevails, now)?;
    tell_parties(conn, &case, Told { event: t.event, prevails, detail: None }, seq, None, now)
}

/// The outcome is final: every vote of every round becomes a judgement with this truth. Runs
/// inside the one transition that closes the case, so each vote counts exactly once.
pub fn finalise(conn: &mut DbConnection, case: &CaseRow, outcome: Side, now: NaiveDateTime) -> ServiceResult<()> {
    for v in vote::for_case(conn, case.id)? {
        let Some(side) = Side::parse(&v.side) else { continue };
        record_known(conn, (v.juror_id, &case.category), side, outcome, now)?;
    }
    Ok(())
}

/// What the parties and jurors are told of an outcome.
pub struct Told<'a> {
    pub event: &'a str,
    pub prevails: Side,
    /// A moderator's reason, for an override.
    pub detail: Option<&'a str>,
}

/// Each party learns whether the decision went their way.
pub fn tell_parties(
    conn: &mut DbConnection,
    case: &CaseRow,
    Told { event, prevails, detail }: Told,
    seq: i32,
    due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let claimant_side = Side::parse(&case.claimant_side).unwrap_or(Side::Buyer);
    for (to, side) in [(claimant(conn, case)?, claimant_side), (respondent(conn, case)?, claimant_side.other())] {
        let variant = if side == prevails { "won" } else { "lost" };
        notify_as(conn, case, &to, Wording { event, variant: Some(variant), detail }, seq, due, now)?;
    }
    Ok(())
}

/// Every juror who sat on the case, in any round, learns the outcome and whether they agreed;
/// `detail` is the tally, or a moderator's reason.
pub fn tell_jurors(
    conn: &mut DbConnection,
    case: &CaseRow,
    (event, prevails): (&str, Side),
    detail: String,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let votes = vote::for_case(conn, case.id)?;
    let seated: Vec<SummonsRow> =
        summons::for_case(conn, case.id)?.into_iter().filter(|s| s.status == ACCEPTED).collect();
    for seat in seated {
        let mine = votes.iter().find(|v| v.juror_id == seat.juror_id).and_then(|v| Side::parse(&v.side));
        let variant = match mine {
            Some(side) if side == prevails => "agreed",
            Some(_) => "disagreed",
            None => "not_needed",
        };
        let about = NoticeAbout {
            variant: Some(variant),
            case: Some(case),
            detail: detail.clone(),
            occurrence: case.round,
            ..Default::default()
        };
        notify_juror(conn, seat.juror_id, event, about, now)?;
    }
    Ok(())
}

/// One jury round as the case pages show it.
#[derive(Debug)]
pub struct RoundView {
    pub round: i32,
    /// Jurors seated (accepted), and how many of them voted: never who, never how, before the verdict.
    pub seated: usize,
    pub voted: usize,
    /// Seats being filled: the seated jurors plus those summoned and not yet answered (more are
    /// drawn while a close vote leaves the rule unsure).
    pub summoned: usize,
    pub voting_due_at: Option<NaiveDateTime>,
    pub verdict: Option<VerdictView>,
    pub appeal: Option<AppealView>,
}

#[derive(Debug)]
pub struct VerdictView {
    pub ruling: Ruling,
    pub buyer: i32,
    pub seller: i32,
    pub decided_at: NaiveDateTime,
    pub excerpts: Excerpts,
}

#[derive(Debug, Clone)]
pub struct AppealView {
    pub by_side: Side,
    pub reason: String,
    pub at: NaiveDateTime,
}

/// How many reasons of each side the parties read, and how much of each.
const EXCERPTS_PER_SIDE: usize = 3;
const EXCERPT_CHARS: usize = 280;

/// The case's rounds, oldest first. Reasons appear only once their round is decided, masked,
/// without names, never once a moderator hid them (`hidden` votes, from `flag::hidden_on_case`);
/// `mask_appeal` also masks the appeal's reason (for jurors).
pub fn rounds_of(
    conn: &mut DbConnection,
    case: &CaseRow,
    (seats, hidden): (&[SummonsRow], &[i32]),
    mask_appeal: Option<&Masker>,
) -> ServiceResult<Vec<RoundView>> {
    let votes = vote::for_case(conn, case.id)?;
    let claimant_side = Side::parse(&case.claimant_side).unwrap_or(Side::Buyer);
    Ok(jury_round::for_case(conn, case.id)?
        .into_iter()
        .map(|r| {
            let cast: Vec<&VoteRow> = votes.iter().filter(|v| v.round == r.round).collect();
            let verdict = r.outcome.as_deref().and_then(Side::parse).zip(r.decided_at).map(|(prevails, decided_at)| {
                let reasons: Vec<(i32, Side, &str)> = cast
                    .iter()
                    .filter(|v| !hidden.contains(&v.id))
                    .filter_map(|v| Some((v.id, Side::parse(&v.side)?, v.reason.as_str())))
                    .collect();
                let answer = case.answer_remedy.as_deref().map(|p| (p, case.answer_remedy_fen));
                VerdictView {
                    ruling: ruling(prevails, claimant_side, (&case.remedy, case.remedy_fen), answer),
                    buyer: r.buyer_votes,
                    seller: r.seller_votes,
                    decided_at,
                    excerpts: excerpts(&reasons, prevails, EXCERPTS_PER_SIDE, EXCERPT_CHARS),
                }
            });
            let appeal = r.appeal_reason.as_deref().zip(r.appealed_at).map(|(reason, at)| AppealView {
                by_side: if r.appealed_by == Some(case.claimant_id) { claimant_side } else { claimant_side.other() },
                reason: mask_appeal.map_or_else(|| reason.to_string(), |m| m.mask(reason)),
                at,
            });
            RoundView {
                round: r.round,
                seated: seats.iter().filter(|s| s.round == r.round && s.status == ACCEPTED).count(),
                voted: cast.len(),
                summoned: seats.iter().filter(|s| s.round == r.round && HOLDING.contains(&s.status.as_str())).count(),
                voting_due_at: r.voting_due_at,
                verdict,
                appeal,
            }
        })
        .collect())
}

impl RoundView {
    pub fn is_appeal(&self) -> bool {
        self.round > 1
    }

    /// The current round while it votes: "6 of 17 jurors have voted".
    pub fn voting_now(&self, state: &CaseState) -> bool {
        *state == CaseState::Voting && self.verdict.is_none()
    }

    /// Every seated juror has voted, the rule is not yet sure, and more jurors are being drawn.
    pub fn drawing_more(&self) -> bool {
        self.verdict.is_none() && self.voted >= self.seated && self.summoned > self.seated
    }

    /// The seats the progress bar counts: never fewer than the votes cast.
    pub fn seats(&self) -> usize {
        self.summoned.max(self.seated).max(self.voted)
    }
}

const TALLY_WIDTH: i32 = 320;

impl VerdictView {
    pub fn total(&self) -> i32 {
        self.buyer + self.seller
    }

    /// Width of the buyer's part of the 320-wide tally bar.
    pub fn buyer_width(&self) -> i32 {
        if self.total() == 0 {
            return 0;
        }
        TALLY_WIDTH * self.buyer / self.total()
    }

    pub fn seller_width(&self) -> i32 {
        if self.total() == 0 {
            return 0;
        }
        TALLY_WIDTH - self.buyer_width()
    }

    pub fn prevails_key(&self) -> String {
        format!("verdict.prevails.{}", self.ruling.prevails.as_str())
    }

    pub fn remedy_key(&self) -> String {
        format!("remedy.{}", self.ruling.remedy)
    }
}
