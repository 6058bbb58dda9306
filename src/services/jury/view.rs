//! What a juror sees of a case: the two sides as 买家 and 卖家 only, statements with contact
//! details masked, evidence without file names. Never a party's name, email or account.

use crate::db::models::case::{self, CaseRow};
use crate::db::models::evidence::{self, EvidenceRow};
use crate::db::models::flag;
use crate::db::models::summons;
use crate::db::models::vote::{self, VoteRow};
use crate::db::{read_tx, DbConnection};
use crate::domain::case::CaseState;
use crate::domain::dispute::Side;
use crate::domain::juror::SeatStatus;
use crate::domain::privacy::Masker;
use crate::services::account::Account;
use crate::services::case::party_masker;
use crate::services::rounds::{rounds_of, AppealView, RoundView};
use crate::services::triage::CaseTriage;
pub use crate::services::visibility::{juror_access, Access};
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};

#[derive(Debug)]
pub struct JurorEvidence {
    /// Named in links and flags; carries nothing about who added it.
    pub public_id: String,
    pub side: Side,
    /// Added for the appeal.
    pub new_in_appeal: bool,
    /// Masked text of a written statement.
    pub body: Option<String>,
    /// For a file: its public id (served only to those who may read the case) and type.
    pub file: Option<(String, String)>,
    /// What its party declared it to be (an i18n key).
    pub proof_key: Option<String>,
    /// The marketplace's own record, not a party's.
    pub from_marketplace: bool,
}

/// The case as a juror may know it: what was bought, for how much, what each side asks and where
/// the case stands. It has no field for a party's name, email, account, order number or unmasked
/// words, so no template and no log line can show them to a juror.
#[derive(Debug, Clone)]
pub struct JurorCase {
    pub public_id: String,
    /// Masked: a title is typed by a party.
    pub item_title: String,
    pub category: String,
    pub price_fen: i64,
    pub disputed_fen: i64,
    pub remedy: String,
    pub remedy_fen: Option<i64>,
    pub answer_remedy: Option<String>,
    pub answer_remedy_fen: Option<i64>,
    pub state: CaseState,
    /// 1 for the first jury, 2 once appealed.
    pub round: i32,
    /// The order's standing: "verified" (a marketplace registered it), "unverified" (typed while
    /// the court takes registered orders), or None in a standalone court.
    pub order_check: Option<&'static str>,
}

impl JurorCase {
    pub fn of(case: &CaseRow, masker: &Masker) -> JurorCase {
        JurorCase {
            public_id: case.public_id.clone(),
            item_title: masker.mask(&case.item_title),
            category: case.category.clone(),
            price_fen: case.price_fen,
            disputed_fen: case.disputed_fen,
            remedy: case.remedy.clone(),
            remedy_fen: case.remedy_fen,
            answer_remedy: case.answer_remedy.clone(),
            answer_remedy_fen: case.answer_remedy_fen,
            state: case.state,
            round: case.round,
            order_check: case.order_check(),
        }
    }

    pub fn state_key(&self) -> String {
        format!("state.{}", self.state.as_str())
    }
}

#[derive(Debug)]
pub struct JurorCaseView {
    pub case: JurorCase,
    pub state: CaseState,
    pub claimant_side: Side,
    pub claim: String,
    pub answer: Option<String>,
    pub evidence: Vec<JurorEvidence>,
    pub access: Access,
    /// This juror's vote in their round, once cast.
    pub my_vote: Option<VoteRow>,
    /// Whether the vote form is open to this juror now.
    pub can_vote: bool,
    pub voting_due_at: Option<chrono::NaiveDateTime>,
    /// The rounds, with verdicts, once this juror's own round is decided (never a tally before).
    pub rounds: Vec<RoundView>,
    /// Why the losing side appealed (masked): the appeal panel weighs it with the record.
    pub appeal: Option<AppealView>,
    /// The dispute's type and the points in dispute (worded by the court, never by a party).
    pub triage: CaseTriage,
}

/// Opens the juror's page of a case, marking their notices about it read unless `mark_read` is
/// false (a HEAD request); gives how many were unread.
pub fn open_juror_case(
    conn: &mut DbConnection,
    account: &Account,
    public_id: &str,
    (window, now): (chrono::TimeDelta, NaiveDateTime),
    mark_read: bool,
) -> ServiceResult<(JurorCaseView, usize)> {
    let view = read_tx(conn, |conn| juror_case(conn, account, public_id, (window, now)))?;
    let read = if mark_read { crate::services::notices::mark_case_read(conn, account, public_id, now)? } else { 0 };
    Ok((view, read))
}

/// The anonymised case for a juror; `NotFound` for anyone without access.
pub fn juror_case(
    conn: &mut DbConnection,
    account: &Account,
    public_id: &str,
    (voting_window, now): (TimeDelta, NaiveDateTime),
) -> ServiceResult<JurorCaseView> {
    let case = case::find_by_public_id(conn, public_id)?.ok_or(ServiceError::NotFound)?;
    let access = juror_access(conn, &case, account)?.ok_or(ServiceError::NotFound)?;
    let evidence = evidence::visible_for_case(conn, case.id)?;
    let masker = party_masker(conn, &case)?;
    let mut view = anonymise(&case, evidence, access, &masker);
    if let Access::Summoned(seat) = &view.access {
        let seat = seat.clone();
        let summonses = summons::for_case(conn, case.id)?;
        let (_, hidden_votes) = flag::hidden_on_case(conn, case.id)?;
        let all_rounds = rounds_of(conn, &case, (&summonses, &hidden_votes), Some(&masker))?;
        let mine = all_rounds.iter().find(|r| r.round == seat.round);
        view.voting_due_at = mine.and_then(|r| r.voting_due_at);
        view.my_vote = vote::find(conn, case.id, seat.round, account.id)?;
        view.can_vote = seat.status == SeatStatus::Accepted
            && seat.round == view.case.round
            && view.state == CaseState::Voting
            && view.my_vote.is_none();
        // The appeal's reason is part of the record the appeal panel weighs; verdicts wait until
        // this juror's own round has decided.
        let decided = mine.is_some_and(|r| r.verdict.is_some());
        view.appeal = all_rounds.iter().find_map(|r| r.appeal.clone());
        view.rounds = all_rounds.into_iter().filter(|r| decided || r.verdict.is_none()).collect();
    }
    if let Access::Audit(audit) = &view.access {
        // An audit looks like a case being voted on, deadline included; the juror's answer shows
        // as their vote.
        view.state = CaseState::Voting;
        let due = audit.assigned_at + voting_window;
        view.can_vote = audit.answered_at.is_none() && now <= due;
        view.voting_due_at = Some(due);
        view.my_vote = audit.vote.zip(audit.answered_at).map(|(side, cast_at)| VoteRow {
            id: 0,
            case_id: audit.case_id,
            round: 1,
            juror_id: audit.juror_id,
            side,
            reason: audit.reason.clone().unwrap_or_default(),
            cast_at,
        });
    }
    Ok(view)
}

/// The case as jurors must read it, its title masked: a title is typed by a party and can carry a
/// phone number, a WeChat id or a name as well as a statement can.
pub fn for_jurors(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<JurorCase> {
    Ok(JurorCase::of(case, &party_masker(conn, case)?))
}

/// The case as jurors see it: every text a party typed masked, the parties' own identifiers too.
pub fn anonymise(case: &CaseRow, evidence: Vec<EvidenceRow>, access: Access, masker: &Masker) -> JurorCaseView {
    let evidence = evidence
        .into_iter()
        .map(|e| JurorEvidence {
            public_id: e.public_id.clone(),
            side: e.party_side,
            new_in_appeal: e.round > 1,
            body: e.body.as_deref().map(|b| masker.mask(b)),
            file: (e.kind == evidence::FILE).then(|| (e.public_id.clone(), e.content_type.clone().unwrap_or_default())),
            proof_key: e.proof_key(),
            from_marketplace: e.from_marketplace,
        })
        .collect();
    JurorCaseView {
        triage: CaseTriage::masked(case, |s| masker.mask(s)),
        state: case.state,
        claimant_side: case.claimant_side,
        claim: masker.mask(&case.claim_statement),
        answer: case.answer_statement.as_deref().map(|a| masker.mask(a)),
        evidence,
        access,
        case: JurorCase::of(case, masker),
        my_vote: None,
        can_vote: false,
        voting_due_at: None,
        rounds: vec![],
        appeal: None,
    }
}

impl JurorCaseView {
    /// The juror's page of this case.
    pub fn page_path(&self) -> String {
        format!("/juror/cases/{}", self.case.public_id)
    }

    /// Where flagging this piece of evidence posts.
    pub fn flag_action(&self, evidence: &JurorEvidence) -> String {
        format!("/cases/{}/evidence/{}/flag", self.case.public_id, evidence.public_id)
    }

    /// Holds an accepted seat on the case, or an audit that reads like one (and so may flag
    /// what it reads).
    pub fn seated(&self) -> bool {
        matches!(&self.access, Access::Summoned(seat) if seat.status == SeatStatus::Accepted)
            || matches!(self.access, Access::Audit(_))
    }

    pub fn category_key(&self) -> String {
        format!("category.{}", self.case.category)
    }

    /// The evidence columns, the claimant's side first.
    pub fn sides(&self) -> [Side; 2] {
        [self.claimant_side, self.claimant_side.other()]
    }

    pub fn count_for(&self, side: &Side) -> usize {
        self.evidence.iter().filter(|e| e.side == *side).count()
    }

    pub fn side_key(&self, side: &Side) -> String {
        format!("side.{}", side.as_str())
    }

    pub fn remedy_key(&self) -> String {
        format!("remedy.{}", self.case.remedy)
    }

    pub fn state_key(&self) -> String {
        format!("state.{}", self.state.as_str())
    }
}
