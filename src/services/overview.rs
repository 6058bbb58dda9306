//! "What needs you now": the member's own overview after sign-in, and the counts in the header.

use crate::db::models::notification;
use crate::db::models::{calibration_audit, jury_round, summons};
use crate::db::DbConnection;
use crate::domain::juror::JuryRules;
use crate::domain::juror::SeatStatus;
use crate::services::account::Account;
use crate::services::case::list::{open_cases, CaseSummary};
use crate::services::case::party_masker;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// One thing waiting for the member, with its deadline. Jury duties name their case by its title
/// masked as jurors read it.
pub struct Todo {
    /// `summons` (answer a summons) or `vote` (cast a vote); a party's case is in `cases`.
    pub kind: &'static str,
    pub item: String,
    pub link: String,
    pub due: Option<NaiveDateTime>,
}

pub struct Overview {
    /// Their own cases where the next move is theirs, soonest deadline first.
    pub cases_yours: Vec<CaseSummary>,
    /// Their own open cases waiting on someone else.
    pub cases_waiting: Vec<CaseSummary>,
    /// Jury duty: summonses to answer and votes to cast.
    pub duties: Vec<Todo>,
}

impl Overview {
    pub fn count(&self) -> usize {
        self.cases_yours.len() + self.duties.len()
    }
}

pub fn overview(
    conn: &mut DbConnection,
    account: &Account,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<Overview> {
    let (mut cases_yours, cases_waiting): (Vec<_>, Vec<_>) =
        open_cases(conn, account, now)?.into_iter().partition(|c| c.next.is_yours());
    cases_yours.sort_by_key(|c| c.next.due);
    let mut duties = Vec::new();
    for (seat, case) in summons::open_duties(conn, account.id, now)? {
        if seat.status == SeatStatus::Pending {
            duties.push(Todo {
                kind: "summons",
                item: party_masker(conn, &case)?.mask(&case.item_title),
                link: "/juror".into(),
                due: Some(seat.respond_by),
            });
        } else {
            let due = jury_round::find(conn, case.id, case.round)?.and_then(|r| r.voting_due_at);
            duties.push(Todo {
                kind: "vote",
                link: format!("/juror/cases/{}", case.public_id),
                item: party_masker(conn, &case)?.mask(&case.item_title),
                due,
            });
        }
    }
    // An audit reads just like a seat on a case being voted on.
    for (audit, case) in calibration_audit::open_for(conn, account.id, now - rules.voting_window)? {
        duties.push(Todo {
            kind: "vote",
            link: format!("/juror/cases/{}", case.public_id),
            item: party_masker(conn, &case)?.mask(&case.item_title),
            due: Some(audit.assigned_at + rules.voting_window),
        });
    }
    duties.sort_by_key(|d| d.due);
    Ok(Overview { cases_yours, cases_waiting, duties })
}

/// The header's two counts: things waiting for the member, and unread notices.
#[derive(Debug, Clone, Copy, Default)]
pub struct Badges {
    pub todo: usize,
    pub unread: i64,
}

pub fn badges(
    conn: &mut DbConnection,
    account: &Account,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<Badges> {
    let cases_yours = open_cases(conn, account, now)?.iter().filter(|c| c.next.is_yours()).count();
    let duties = summons::count_open_duties(conn, account.id, now)?
        + calibration_audit::count_open(conn, account.id, now - rules.voting_window)?;
    Ok(Badges { todo: cases_yours + duties as usize, unread: notification::count_unread(conn, account.id)? })
}
