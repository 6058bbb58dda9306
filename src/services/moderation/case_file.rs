//! The full case file a moderator works from: parties by name and email, every statement
//! (hidden ones marked), every juror by name with their vote and reason, flags, the override,
//! the audit entries, and which actions the case allows now.

use super::moderated_case;
use crate::db::models::audit_log::{self, AuditFilter, AuditLine};
use crate::db::models::case::CaseRow;
use crate::db::models::case_event::{self, CaseEventRow};
use crate::db::models::case_override::{self, OverrideRow};
use crate::db::models::evidence::{self, EvidenceRow};
use crate::db::models::flag::{self, FlagRow, Target};
use crate::db::models::summons::{self, SummonsRow};
use crate::db::models::user::{self, UserRow};
use crate::db::models::vote::{self, VoteRow};
use crate::db::DbConnection;
use crate::domain::account::Role;
use crate::domain::case::{decide, Actor, CaseState, Command};
use crate::domain::linked_accounts::Link;
use crate::domain::moderation::Deadline;
use crate::services::account::Account;
use crate::services::case::{facts, respondent};
use crate::services::jury::draw::linked_to_parties;
use crate::services::rounds::{rounds_of, RoundView};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// The newest audit entries the case file shows (the log page has them all).
const CASE_AUDIT_ROWS: i64 = 100;

pub struct FileEvidence {
    pub row: EvidenceRow,
    pub hidden: bool,
    pub open_flags: usize,
}

pub struct CaseFile {
    pub case: CaseRow,
    pub state: CaseState,
    pub claimant: UserRow,
    /// The respondent's name when they have an account, and the address the case was sent to.
    pub respondent_name: Option<String>,
    pub respondent_email: String,
    pub evidence: Vec<FileEvidence>,
    pub rounds: Vec<RoundView>,
    /// Every vote with its juror's name.
    pub votes: Vec<(VoteRow, String)>,
    /// Every summons with its juror's name.
    pub seats: Vec<(SummonsRow, String)>,
    pub flags: Vec<FlagRow>,
    /// Votes whose reason a moderator hid.
    pub hidden_votes: Vec<i32>,
    pub override_row: Option<OverrideRow>,
    pub audit: Vec<AuditLine>,
    pub events: Vec<CaseEventRow>,
    pub can_override: bool,
    /// The verdict is final and this moderator is no admin: the page says who can override it.
    pub final_needs_admin: bool,
    pub can_reopen: bool,
    pub deadline: Option<Deadline>,
    /// A finished case may become a calibration case (when it is not one yet).
    pub can_calibrate: bool,
    /// Accounts kept off the jury as a party's likely second account: name and why.
    pub linked: Vec<(String, Link)>,
}

pub fn case_file(
    conn: &mut DbConnection,
    moderator: &Account,
    public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<CaseFile> {
    let case = moderated_case(conn, moderator, public_id)?;
    let state = case.state;
    let facts = facts(conn, &case)?;
    let claimant = user::find(conn, case.claimant_id)?.ok_or(ServiceError::NotFound)?;
    let other = respondent(conn, &case)?;
    let flags = flag::for_case(conn, case.id)?;
    let (hidden, hidden_votes) = flag::hidden_on_case(conn, case.id)?;
    let evidence = evidence::list_for_case(conn, case.id)?
        .into_iter()
        .map(|row| FileEvidence {
            hidden: hidden.contains(&row.id),
            open_flags: flags
                .iter()
                .filter(|f| f.target() == Target::Evidence(row.id) && f.resolved_at.is_none())
                .count(),
            row,
        })
        .collect();
    let seats = summons::for_case(conn, case.id)?;
    let votes = vote::for_case(conn, case.id)?;
    let ids: Vec<i32> = seats.iter().map(|s| s.juror_id).collect();
    let names: HashMap<i32, String> = user::names(conn, &ids)?.into_iter().collect();
    let name = |id: i32| names.get(&id).cloned().unwrap_or_default();
    let overridable = decide(&facts, Actor::Moderator, Command::Override, now).is_ok();
    let linked = linked_to_parties(conn, &case, now)?;
    let linked_ids: Vec<i32> = linked.iter().map(|(id, _)| *id).collect();
    let linked_names: HashMap<i32, String> = user::names(conn, &linked_ids)?.into_iter().collect();
    Ok(CaseFile {
        rounds: rounds_of(conn, &case, (&seats, &hidden_votes), None)?,
        votes: votes.into_iter().map(|v| (name(v.juror_id), v)).map(|(n, v)| (v, n)).collect(),
        seats: seats.into_iter().map(|s| (name(s.juror_id), s)).map(|(n, s)| (s, n)).collect(),
        // The case's own entries (recusal was checked when the case was opened).
        audit: audit_log::list(
            conn,
            &AuditFilter { case_id: Some(case.id), ..Default::default() },
            (0, CASE_AUDIT_ROWS),
        )?
        .0,
        events: case_event::list_for_case(conn, case.id)?,
        override_row: case_override::for_case(conn, case.id)?,
        can_override: overridable && (state != CaseState::Closed || moderator.role == Role::Admin),
        final_needs_admin: overridable && state == CaseState::Closed && moderator.role != Role::Admin,
        can_reopen: decide(&facts, Actor::Moderator, Command::Reopen, now).is_ok(),
        deadline: Deadline::of(state),
        can_calibrate: case.calibration_outcome.is_none() && (state.is_final() || state == CaseState::Decided),
        linked: linked
            .into_iter()
            .map(|(id, link)| (linked_names.get(&id).cloned().unwrap_or_default(), link))
            .collect(),
        respondent_name: other.name,
        respondent_email: other.email,
        claimant,
        evidence,
        flags,
        hidden_votes,
        state,
        case,
    })
}
