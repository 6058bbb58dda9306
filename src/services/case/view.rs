use super::{claimant, facts_with, load_visible};
use crate::db::models::case::CaseRow;
use crate::db::models::case_event::{self, CaseEventRow};
use crate::db::models::case_override::{self, OverrideRow};
use crate::db::models::evidence::{self, EvidenceRow};
use crate::db::models::flag;
use crate::db::models::settlement_offer::{self, SettlementOfferRow};
use crate::db::models::summons::{self, SummonsRow};
use crate::db::{read_tx, DbConnection};
use crate::domain::case::{decide, Actor, CaseState, Command};
use crate::domain::juror::SeatStatus;
use crate::domain::next_step::{next_step, NextStep};
use crate::domain::triage::checklist::Suggestions;
use crate::services::account::Account;
use crate::services::notices::mark_case_read;
use crate::services::rounds::{rounds_of, RoundView};
use crate::services::triage::{checklist_of, CaseTriage};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Everything the case page shows, for one viewer.
pub struct CaseDetail {
    pub case: CaseRow,
    pub actor: Actor,
    pub state: CaseState,
    pub events: Vec<CaseEventRow>,
    pub evidence: Vec<EvidenceRow>,
    pub open_offer: Option<SettlementOfferRow>,
    /// The commands this viewer may give now (decided by the same state machine that enforces them).
    pub allowed: Vec<Command>,
    /// How many summoned jurors accepted, of the seats being filled; never who they are.
    pub panel: PanelProgress,
    /// Each jury round: progress while it votes, then its verdict.
    pub rounds: Vec<RoundView>,
    /// A moderator's ruling in place of the jury's, with the reason the parties may read.
    pub override_row: Option<OverrideRow>,
    /// How many statements a moderator hid from this case.
    pub hidden_statements: usize,
    /// The dispute's type and the points in dispute.
    pub triage: CaseTriage,
    /// The viewer's own evidence checklist for this type of dispute.
    pub checklist: Suggestions,
    /// What the case asks of this viewer now, and by when.
    pub next: NextStep,
    /// The parties' display names (the respondent's once they have an account), for each other.
    pub claimant_name: String,
    pub respondent_name: Option<String>,
    /// When the page was read, for "time left" without JavaScript.
    pub now: NaiveDateTime,
    /// The timeline: each event with who acted and, for evidence, what it was.
    pub timeline: Vec<TimelineEntry>,
}

/// Who acted on a case, as the viewer reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    You,
    Claimant,
    Respondent,
    Moderator,
    /// Deadlines and the jury's rules.
    Court,
}

impl Who {
    pub fn key(self) -> &'static str {
        match self {
            Who::You => "case.who.you",
            Who::Claimant => "case.who.claimant",
            Who::Respondent => "case.who.respondent",
            Who::Moderator => "case.who.moderator",
            Who::Court => "case.who.court",
        }
    }
}

pub struct TimelineEntry {
    pub at: NaiveDateTime,
    pub kind: String,
    pub who: Who,
    /// For evidence added or withdrawn: "photo", "document" or "statement", and a file's name.
    pub what: Option<(&'static str, Option<String>)>,
}

/// The timeline as `viewer` reads it. Evidence events are matched to their item by author and time
/// (one use case writes both); an item a moderator hid is named only by its kind.
fn timeline(
    case: &CaseRow,
    events: &[CaseEventRow],
    (items, hidden): (&[EvidenceRow], &[i32]),
    viewer: i32,
) -> Vec<TimelineEntry> {
    events
        .iter()
        .map(|e| {
            let who = match e.actor_id {
                None => Who::Court,
                Some(id) if id == viewer => Who::You,
                Some(id) if id == case.claimant_id => Who::Claimant,
                Some(id) if Some(id) == case.respondent_id => Who::Respondent,
                Some(_) => Who::Moderator,
            };
            let what = matches!(e.kind.as_str(), "evidence_added" | "evidence_withdrawn")
                .then(|| {
                    let at = if e.kind == "evidence_added" {
                        |i: &EvidenceRow| Some(i.created_at)
                    } else {
                        |i: &EvidenceRow| i.withdrawn_at
                    };
                    items.iter().find(|i| Some(i.submitted_by) == e.actor_id && at(i) == Some(e.created_at))
                })
                .flatten()
                .map(|i| {
                    let kind = match (i.kind.as_str(), i.is_image()) {
                        (evidence::FILE, true) => "photo",
                        (evidence::FILE, false) => "document",
                        _ => "statement",
                    };
                    let shown = !hidden.contains(&i.id);
                    (kind, i.file_name.clone().filter(|_| shown))
                });
            TimelineEntry { at: e.created_at, kind: e.kind.clone(), who, what }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PanelProgress {
    pub accepted: usize,
    pub seats: usize,
}

impl CaseDetail {
    pub fn can(&self, command: Command) -> bool {
        self.allowed.contains(&command)
    }
}

const PERSONAL_COMMANDS: [Command; 7] = [
    Command::Answer,
    Command::AcceptClaim,
    Command::ProposeSettlement,
    Command::AcceptSettlement,
    Command::Withdraw,
    Command::AddEvidence,
    Command::Appeal,
];

pub fn case_detail(
    conn: &mut DbConnection,
    account: &Account,
    public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<CaseDetail> {
    let (case, actor) = load_visible(conn, public_id, account)?;
    let open_offer = settlement_offer::open_for_case(conn, case.id)?;
    let facts = facts_with(&case, open_offer.as_ref());
    let allowed = PERSONAL_COMMANDS.into_iter().filter(|c| decide(&facts, actor, *c, now).is_ok()).collect();
    let summonses = summons::for_case(conn, case.id)?;
    let round: Vec<&SummonsRow> = summonses.iter().filter(|s| s.round == case.round).collect();
    let panel = PanelProgress {
        accepted: round.iter().filter(|s| s.status == SeatStatus::Accepted).count(),
        seats: round.iter().filter(|s| s.status.holds_seat()).count(),
    };
    let evidence = evidence::visible_for_case(conn, case.id)?;
    let (hidden_evidence, hidden_votes) = flag::hidden_on_case(conn, case.id)?;
    let triage = CaseTriage::of(&case);
    let checklist = checklist_of(triage.kind(), &evidence, account.id);
    let rounds = rounds_of(conn, &case, (&summonses, &hidden_votes), None)?;
    let voting_due = rounds.last().and_then(|r| r.voting_due_at);
    let next = next_step(&facts, actor, voting_due, |c| decide(&facts, actor, c, now).is_ok());
    let claimant_name = claimant(conn, &case)?.name.unwrap_or_default();
    let respondent_name = verified_respondent_name(conn, &case)?;
    let events = case_event::list_for_case(conn, case.id)?;
    let timeline = timeline(&case, &events, (&evidence::list_for_case(conn, case.id)?, &hidden_evidence), account.id);
    Ok(CaseDetail {
        timeline,
        triage,
        checklist,
        panel,
        rounds,
        next,
        claimant_name,
        respondent_name,
        now,
        state: case.state,
        events,
        evidence,
        override_row: case_override::for_case(conn, case.id)?,
        hidden_statements: hidden_evidence.len(),
        open_offer,
        case,
        actor,
        allowed,
    })
}

/// What a member gets when they open a case page.
pub enum OpenedCase {
    /// The case as they may see it, and how many of their unread notices about it were marked read.
    Detail(Box<CaseDetail>, usize),
    /// An invited respondent whose email is not verified yet: the answer deadline they must know.
    VerifyFirst(Option<NaiveDateTime>),
}

/// Opens a case page for a member: its detail, marking their notices about it read (unless
/// `mark_read` is false, as for a HEAD request); for an invited respondent not yet verified, their
/// deadline; for anyone else `NotFound`.
pub fn open_case(
    conn: &mut DbConnection,
    account: &Account,
    public_id: &str,
    (now, mark_read): (NaiveDateTime, bool),
) -> ServiceResult<OpenedCase> {
    match read_tx(conn, |conn| case_detail(conn, account, public_id, now)) {
        Ok(d) => {
            let read = if mark_read { mark_case_read(conn, account, public_id, now)? } else { 0 };
            Ok(OpenedCase::Detail(Box::new(d), read))
        }
        Err(ServiceError::NotFound) => invitation_awaiting_verification(conn, account, public_id)?
            .map(OpenedCase::VerifyFirst)
            .ok_or(ServiceError::NotFound),
        Err(other) => Err(other),
    }
}

/// The respondent's display name, once an account that proved it owns the address answers to it
/// (an unverified account with that address may be anyone's).
fn verified_respondent_name(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<Option<String>> {
    let account = match case.respondent_id {
        Some(id) => crate::db::models::user::find(conn, id)?,
        None => crate::db::models::user::find_by_email(conn, &case.respondent_email)?,
    };
    Ok(account.filter(|a| a.email_verified_at.is_some()).map(|a| a.display_name))
}

/// For a signed-in member whose email is not verified yet and who was invited to answer this case:
/// the answer deadline they must know about (the case itself opens once the email is verified).
/// `None` for everyone else, who learn nothing, not even that the case exists.
fn invitation_awaiting_verification(
    conn: &mut DbConnection,
    account: &Account,
    public_id: &str,
) -> ServiceResult<Option<Option<NaiveDateTime>>> {
    if account.verified {
        return Ok(None);
    }
    let Some(case) = crate::db::models::case::find_by_public_id(conn, public_id)? else {
        return Ok(None);
    };
    Ok((case.respondent_email == account.email).then_some(case.response_due_at))
}
