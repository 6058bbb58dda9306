//! Cases: filing, answering, settling, withdrawing, evidence, deadlines, and what each person sees.

use crate::domain::ids::CaseId;
pub mod api_view;
pub mod appeal;
pub mod evidence;
pub mod file;
pub mod list;
pub mod respond;
pub mod settle;
pub mod view;
pub mod webhooks;
pub mod withdraw;

use crate::db::models::case::{self, CaseChange, CaseRow};
use crate::db::models::settlement_offer::{self, SettlementOfferRow};
use crate::db::models::{case_event, job, jury_round, user};
use crate::db::DbConnection;
use crate::domain::case::{decide, Actor, CaseFacts, Command, Transition};
use crate::domain::locale::Locale;
use crate::domain::privacy::Masker;
use crate::email::message::{CaseNotice, Mail, REMINDER_EVENTS};
use crate::services::account::Account;
use crate::services::recusal::Recusal;
use crate::services::{outbox, ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};

/// How the viewer relates to a case, or `None` when they may not see it at all.
pub fn actor_for(case: &CaseRow, account: &Account) -> Option<Actor> {
    if case.claimant_id == account.id {
        return Some(Actor::Claimant);
    }
    let invited = case.respondent_id == Some(account.id) || case.respondent_email == account.email;
    if invited && account.verified {
        return Some(Actor::Respondent);
    }
    account.role.can_moderate().then_some(Actor::Moderator)
}

/// The case behind a public id, if this account may see it; otherwise `NotFound`, never a hint.
pub fn load_visible(conn: &mut DbConnection, public_id: &str, account: &Account) -> ServiceResult<(CaseRow, Actor)> {
    let case = case::find_by_public_id(conn, public_id)?.ok_or(ServiceError::NotFound)?;
    let actor = visible_as(conn, &case, account)?.ok_or(ServiceError::NotFound)?;
    Ok((case, actor))
}

/// `actor_for`, with a moderator who must recuse themselves from the case seeing nothing of it.
pub fn visible_as(conn: &mut DbConnection, case: &CaseRow, account: &Account) -> ServiceResult<Option<Actor>> {
    match actor_for(case, account) {
        Some(Actor::Moderator) if Recusal::of(conn, account)?.covers(case.id) => Ok(None),
        actor => Ok(actor),
    }
}

/// Whether this account may give `command` on the case now: `NotFound` when they may not see it,
/// the state machine's refusal when it says no. Asked before a confirm step.
pub fn may(
    conn: &mut DbConnection,
    account: &Account,
    public_id: &str,
    command: Command,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, public_id, account)?;
    decide(&facts(conn, &case)?, actor, command, now).map(drop).map_err(|r| ServiceError::Refused(r.0))
}

/// The facts the state machine decides on.
pub fn facts(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<CaseFacts> {
    let offer = settlement_offer::open_for_case(conn, case.id)?;
    Ok(facts_with(case, offer.as_ref()))
}

/// The facts, given the case's open settlement offer (when the caller has it already).
pub fn facts_with(case: &CaseRow, open_offer: Option<&SettlementOfferRow>) -> CaseFacts {
    CaseFacts {
        state: case.state,
        response_due_at: case.response_due_at,
        evidence_due_at: case.evidence_due_at,
        answered: case.answered_at.is_some(),
        open_offer_by: open_offer.map(|o| {
            if o.proposer_id == case.claimant_id {
                Actor::Claimant
            } else {
                Actor::Respondent
            }
        }),
        evidence_window: TimeDelta::hours(i64::from(case.evidence_hours)),
        round: case.round,
        loser: case.outcome.map(|won| if won == case.claimant_side { Actor::Respondent } else { Actor::Claimant }),
        appeal_due_at: case.appeal_due_at,
    }
}

/// Locks the case, decides the command, and on success writes the new state and its event.
/// Returns the locked case (as it was), the transition and the event's sequence number.
pub fn transition(
    conn: &mut DbConnection,
    case_id: CaseId,
    actor: Actor,
    actor_id: Option<i32>,
    command: Command,
    now: NaiveDateTime,
    extra: CaseChange,
) -> ServiceResult<(CaseRow, Transition, i32)> {
    let case = case::find_for_update(conn, case_id)?;
    let decided = decide(&facts(conn, &case)?, actor, command, now).map_err(|r| ServiceError::Refused(r.0))?;
    let change = CaseChange {
        state: Some(decided.to.as_str()),
        evidence_due_at: decided.evidence_due_at.or(extra.evidence_due_at),
        closed_at: decided.to.is_final().then_some(now),
        updated_at: Some(now),
        ..extra
    };
    case::update(conn, case.id, &change)?;
    let seq = case_event::append(
        conn,
        case.id,
        decided.event,
        Some(decided.from.as_str()),
        decided.to.as_str(),
        actor_id,
        now,
    )?;
    crate::services::case::webhooks::announce(conn, &case, decided.event, seq, now)?;
    if let Some(due) = decided.evidence_due_at {
        schedule_evidence_jobs(conn, case.id, due, now)?;
    }
    if decided.stops_voting() {
        jury_round::stop_voting(conn, case.id, case.round)?;
    }
    if decided.to.is_final() {
        // Jurors still deciding whether to serve are no longer needed.
        crate::db::models::summons::release_pending(conn, case.id, now)?;
    }
    Ok((case, decided, seq))
}

/// How long before the evidence closes both parties are reminded.
pub const EVIDENCE_REMINDER_BEFORE: TimeDelta = TimeDelta::hours(24);

/// The evidence window's reminder (a day before) and its close.
pub fn schedule_evidence_jobs(
    conn: &mut DbConnection,
    case_id: CaseId,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    job::schedule(conn, job::JobKind::EvidenceReminder, case_id, due - EVIDENCE_REMINDER_BEFORE, now)?;
    job::schedule(conn, job::JobKind::EvidenceDeadline, case_id, due, now)
}

/// Someone a case notice goes to.
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
    pub locale: Locale,
    pub time_zone: String,
    /// The account's public id; `None` for an invited address without an account.
    pub public_id: Option<String>,
    pub reminders: bool,
}

impl Recipient {
    pub fn of_user(row: user::UserRow) -> Recipient {
        Recipient {
            locale: Locale::parse(&row.locale).unwrap_or_default(),
            email: row.email,
            name: Some(row.display_name),
            time_zone: row.time_zone,
            public_id: Some(row.public_id),
            reminders: row.reminders_enabled,
        }
    }
}

pub fn claimant(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<Recipient> {
    let row = user::find(conn, case.claimant_id)?.ok_or(ServiceError::NotFound)?;
    Ok(Recipient::of_user(row))
}

/// What jurors' masking hides beyond contact details: both parties' names and addresses and the
/// order number, wherever a party typed them.
pub fn party_masker(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<Masker> {
    let claimant = user::find(conn, case.claimant_id)?.ok_or(ServiceError::NotFound)?;
    let respondent = respondent(conn, case)?;
    let mut known = vec![claimant.display_name.as_str(), claimant.email.as_str(), respondent.email.as_str()];
    known.extend(respondent.name.as_deref());
    known.push(case.order_ref.as_str());
    Ok(Masker::new(known))
}

/// The respondent's account, or their invited address when they have none yet.
pub fn respondent(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<Recipient> {
    let account = match case.respondent_id {
        Some(id) => user::find(conn, id)?,
        None => user::find_by_email(conn, &case.respondent_email)?,
    };
    Ok(match account {
        Some(row) => Recipient::of_user(row),
        None => Recipient {
            email: case.respondent_email.clone(),
            name: None,
            locale: Locale::default(),
            time_zone: crate::domain::account::DEFAULT_TIME_ZONE.to_string(),
            public_id: None,
            reminders: true,
        },
    })
}

/// Queues a case notice; the key makes it one message per (event occurrence, recipient).
/// Reminders skip people who switched them off and carry a one-click unsubscribe link.
pub fn notify(
    conn: &mut DbConnection,
    case: &CaseRow,
    to: &Recipient,
    event: &str,
    seq: i32,
    due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    notify_as(conn, case, to, Wording { event, variant: None, detail: None }, seq, due, now)
}

/// Which message a notice is: its event, the variant chosen for the recipient (a verdict `won` or
/// `lost`), and words it carries (a moderator's reason).
#[derive(Debug, Clone, Copy)]
pub struct Wording<'a> {
    pub event: &'a str,
    pub variant: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// `notify`, with the wording chosen for this recipient.
pub fn notify_as(
    conn: &mut DbConnection,
    case: &CaseRow,
    to: &Recipient,
    Wording { event, variant, detail }: Wording,
    seq: i32,
    due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let reminder = REMINDER_EVENTS.contains(&event);
    if reminder && !to.reminders {
        return Ok(());
    }
    let mail = Mail::Case(CaseNotice {
        event: event.to_string(),
        name: to.name.clone(),
        case_id: case.public_id.clone(),
        item: case.item_title.clone(),
        variant: variant.map(str::to_string),
        due,
        time_zone: to.time_zone.clone(),
        unsubscribe_for: if reminder { to.public_id.clone() } else { None },
        detail: detail.map(str::to_string),
    });
    let key = format!("{event}:{}:{seq}:{}", case.public_id, to.email);
    outbox::enqueue(conn, &key, &to.email, to.locale, &mail, now)
}

/// A party's command that ends the case: the state change, `also` (inside the same transaction)
/// and one notice of `event` to both parties.
pub fn end_case(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    (command, event): (Command, &str),
    now: NaiveDateTime,
    also: impl FnOnce(&mut DbConnection, &CaseRow) -> ServiceResult<()>,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    crate::db::write_tx(conn, |conn| {
        let (case, _, seq) = transition(conn, case.id, actor, Some(account.id), command, now, CaseChange::default())?;
        also(conn, &case)?;
        notify_both(conn, &case, event, seq, None, now)
    })
}

/// Notifies both parties of the same event.
pub fn notify_both(
    conn: &mut DbConnection,
    case: &CaseRow,
    event: &str,
    seq: i32,
    due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    for to in [claimant(conn, case)?, respondent(conn, case)?] {
        notify(conn, case, &to, event, seq, due, now)?;
    }
    Ok(())
}
