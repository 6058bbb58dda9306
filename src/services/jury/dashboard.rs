//! The juror's own page: standing, reputation with its uncertainty, summonses and history.

use super::probation::{progress, Progress};
use super::require_juror;
use crate::db::models::calibration_audit;
use crate::db::models::juror::{self, JurorRow};
use crate::db::models::summons::{self, SummonsRow};
use crate::db::models::user;
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::dispute::Category;
use crate::domain::juror::SeatStatus;
use crate::domain::juror::{eligibility, level, Ineligible, JurorStatus, JuryRules, Level};
use crate::domain::matching::{Categories, TradingSide};
use crate::domain::reputation::{category_estimate, estimate, reliability, Estimate, Priors};
use crate::services::account::Account;
use crate::services::jury::view::{for_jurors, JurorCase};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

#[derive(Debug)]
pub struct SummonsItem {
    pub summons: SummonsRow,
    pub case: JurorCase,
}

/// A case on the juror's desk: a seat they accepted, or an audit, which reads just like one.
#[derive(Debug)]
pub struct DeskItem {
    pub case: JurorCase,
    /// The state shown: an audit shows as being voted on, so it cannot be told apart.
    pub state: CaseState,
    pub since: NaiveDateTime,
}

#[derive(Debug)]
pub struct Dashboard {
    pub juror: JurorRow,
    pub status: JurorStatus,
    pub eligibility: Result<(), Ineligible>,
    pub level: Level,
    pub overall: Estimate,
    /// Per category with at least one judgement, shrunk toward the overall figure.
    pub categories: Vec<(Category, Estimate)>,
    pub reliability: f64,
    pub probation: Option<Progress>,
    pub expertise: Vec<Category>,
    pub side: TradingSide,
    /// Awaiting this juror's answer, soonest deadline first.
    pub pending: Vec<SummonsItem>,
    /// Accepted seats on cases still open, and unanswered audits, oldest first.
    pub active: Vec<DeskItem>,
    pub history: Vec<SummonsItem>,
}

pub fn dashboard(
    conn: &mut DbConnection,
    account: &Account,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<Dashboard> {
    let row = require_juror(conn, account)?;
    let status = row.status;
    let joined = user::find(conn, account.id)?.ok_or(ServiceError::NotFound)?.created_at;
    let overall = estimate(&row.tally(), Priors::default(), 0.5);
    let categories = juror::category_tallies(conn, account.id)?
        .into_iter()
        .filter_map(|(c, t)| Some((Category::parse(&c)?, category_estimate(&t, &overall, 0.5))))
        .collect();
    let (mut pending, mut active, mut history) = (vec![], vec![], vec![]);
    for (summons, case) in summons::for_juror(conn, account.id, 100)? {
        let item = SummonsItem { summons, case: for_jurors(conn, &case)? };
        match item.summons.status {
            SeatStatus::Pending if now <= item.summons.respond_by => pending.push(item),
            SeatStatus::Accepted if !item.case.state.is_final() => active.push(DeskItem {
                state: item.case.state,
                since: item.summons.answered_at.unwrap_or(item.summons.summoned_at),
                case: item.case,
            }),
            _ => history.push(item),
        }
    }
    for (audit, case) in calibration_audit::open_for(conn, account.id, now - rules.voting_window)? {
        active.push(DeskItem { case: for_jurors(conn, &case)?, state: CaseState::Voting, since: audit.assigned_at });
    }
    pending.sort_by_key(|i| i.summons.respond_by);
    active.sort_by_key(|i| i.since);
    Ok(Dashboard {
        eligibility: eligibility(status, joined, now, rules),
        level: level(status, row.passed_probation_at.is_some(), overall.votes, overall.accuracy_lower),
        categories,
        reliability: reliability(row.summons_answered as u32, row.summons_ignored as u32),
        probation: if status == JurorStatus::Probation { Some(progress(conn, &row, rules)?) } else { None },
        expertise: Category::ALL.into_iter().filter(|c| Categories(row.expertise as u16).contains(*c)).collect(),
        side: TradingSide::parse(&row.trading_side).unwrap_or(TradingSide::Both),
        overall,
        status,
        pending,
        active,
        history,
        juror: row,
    })
}
