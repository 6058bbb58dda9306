//! The jury rounds of a case as its pages show them (parties, jurors, moderators): seats and
//! votes counted, never who or how before the verdict; the verdict with excerpts of reasons; the
//! appeal.

use crate::db::models::case::CaseRow;
use crate::db::models::jury_round;
use crate::db::models::summons::SummonsRow;
use crate::db::models::vote::{self, VoteRow};
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::dispute::Side;
use crate::domain::juror::SeatStatus;
use crate::domain::privacy::Masker;
use crate::domain::quorum::QuorumPolicy;
use crate::domain::verdict::{excerpts, ruling, Excerpts, Ruling};
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

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
    /// The seats the round's rule draws first; more than these are a top-up.
    pub panel: usize,
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
    let claimant_side = case.claimant_side;
    Ok(jury_round::for_case(conn, case.id)?
        .into_iter()
        .map(|r| {
            let cast: Vec<&VoteRow> = votes.iter().filter(|v| v.round == r.round).collect();
            let verdict = r.outcome.zip(r.decided_at).map(|(prevails, decided_at)| {
                let reasons: Vec<(i32, Side, &str)> = cast
                    .iter()
                    .filter(|v| !hidden.contains(&v.id))
                    .map(|v| (v.id, v.side, v.reason.as_str()))
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
                seated: seats.iter().filter(|s| s.round == r.round && s.status == SeatStatus::Accepted).count(),
                voted: cast.len(),
                summoned: seats.iter().filter(|s| s.round == r.round && s.status.holds_seat()).count(),
                panel: QuorumPolicy::parse(&r.policy).map_or(0, |p| p.initial_panel() as usize),
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

    /// Every seated juror has voted, the rule is not yet sure, and more jurors than the first
    /// panel are being drawn (seats of the first panel still open are not a top-up: their jurors
    /// vote as they accept).
    pub fn drawing_more(&self) -> bool {
        self.verdict.is_none() && self.voted >= self.seated && self.summoned > self.seated.max(self.panel)
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
