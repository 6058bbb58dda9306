//! Drawing jurors for a case: the eligible pool from the database, the conflicts, the weighted
//! balanced draw (pure, in `domain::matching`), the summonses and their emails. When no panel can
//! be formed the case goes to the moderators with the reason.

use super::pool_cache::Meta;
use super::{notify_juror, Jury, NoticeAbout};
use crate::db::models::case::{self, CaseChange, CaseRow};
use crate::db::models::{job, jury_round, sign_in, summons, user};
use crate::db::DbConnection;
use crate::domain::case::{Actor, CaseState, Command};
use crate::domain::dispute::Category;
use crate::domain::ids::CaseId;
use crate::domain::juror::{JuryRules, SeatStatus};
use crate::domain::linked_accounts::{linked_accounts, Link, LOOKBACK_DAYS};
use crate::domain::matching::{Candidate, CaseProfile, DrawError};
use crate::domain::quorum::QuorumPolicy;
use crate::services::case::{notify, notify_both, transition, Recipient};
use crate::services::triage::{matching_tags, CaseTriage};
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;
use std::collections::HashMap;

/// Why a case went to the moderators instead of to a jury.
pub const TOO_FEW_JURORS: &str = "escalation.too_few_jurors";
pub const CANNOT_BALANCE: &str = "escalation.cannot_balance";

/// Opens a jury round: after the evidence closed, the category's policy and panel; after an
/// appeal, a fresh panel of 2n+1 under the same rule scaled up (nobody from the first round).
#[tracing::instrument(skip_all, fields(case = %case_id))]
pub fn open_panel(
    conn: &mut DbConnection,
    case_id: CaseId,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let case = case::find_for_update(conn, case_id)?;
    let policy = match case.state {
        CaseState::JurySelection if case.round == 1 => {
            jury.rules.quorums.for_category(Category::parse(&case.category).unwrap_or(Category::Other))
        }
        // A moderator extended the appeal's evidence window: the job at the new deadline draws.
        CaseState::Appealed if case.evidence_due_at.is_some_and(|due| now < due) => return Ok(()),
        CaseState::Appealed => {
            let first = jury_round::find(conn, case.id, 1)?.ok_or(ServiceError::NotFound)?;
            QuorumPolicy::parse(&first.policy).map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?.for_appeal()
        }
        _ => return Ok(()), // settled or withdrawn meanwhile
    };
    if jury_round::find(conn, case.id, case.round)?.is_some() {
        return Ok(()); // already drawn
    }
    jury_round::open(conn, case.id, case.round, &policy.to_string(), now)?;
    let seats = Seats { wanted: policy.initial_panel() as usize, needed: policy.minimum_panel() as usize };
    summon_or_escalate(conn, &case, (seats, case.round), jury, now, rng)
}

/// Seats to fill: as many as `wanted`, at least `needed`; fewer and the case goes to the moderators
/// (none needed: seats kept ahead of the votes, which the panel can do without).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    pub wanted: usize,
    pub needed: usize,
}

impl Seats {
    pub fn exactly(n: usize) -> Seats {
        Seats { wanted: n, needed: n }
    }
}

/// How many of the pool a draw weighs: a uniform sample this large stands for a pool of any size
/// (`JurorPool::sampled_weights`), so a draw costs the same in a court of 100,000 jurors.
const DRAW_SAMPLE: usize = 1024;

/// Summons more jurors in `round`; escalates the case when fewer than needed can be found.
pub fn summon_or_escalate(
    conn: &mut DbConnection,
    case: &CaseRow,
    (seats, round): (Seats, i32),
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let drawn = match draw(conn, case, seats.wanted, jury, now, rng)? {
        // Fewer than wanted, but enough: seat whom the pool has.
        Err(DrawError::TooFewEligible { eligible, .. }) if eligible >= seats.needed.max(1) => {
            draw(conn, case, eligible.min(seats.wanted), jury, now, rng)?
        }
        Err(DrawError::CannotBalance) if seats.needed > 0 && seats.needed < seats.wanted => {
            draw(conn, case, seats.needed, jury, now, rng)?
        }
        drawn => drawn,
    };
    match drawn {
        Ok(jurors) => summon(conn, case, &jurors, round, &jury.rules, now),
        Err(_) if seats.needed == 0 => Ok(()),
        Err(DrawError::TooFewEligible { eligible, needed }) => {
            tracing::warn!(case = %case.public_id, eligible, needed, "too few eligible jurors");
            escalate(conn, case, TOO_FEW_JURORS, now)
        }
        Err(DrawError::CannotBalance) => escalate(conn, case, CANNOT_BALANCE, now),
    }
}

/// The draw itself: who may sit on this case, weighted and balanced over the whole panel.
/// Changes nothing. Left out: the parties and their past counterparts, accounts that share a
/// device or address with a party (likely their second account), anyone already summoned to the
/// case, accounts younger than the rules allow, and jurors at their weekly capacity.
pub fn draw(
    conn: &mut DbConnection,
    case: &CaseRow,
    seats: usize,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<Result<Vec<i32>, DrawError>> {
    if seats == 0 {
        return Ok(Err(DrawError::TooFewEligible { eligible: 0, needed: 0 }));
    }
    let rules = &jury.rules;
    let summoned = summons::for_case(conn, case.id)?;
    let seated_ids: Vec<i32> = summoned.iter().filter(|s| s.status.holds_seat()).map(|s| s.juror_id).collect();
    let mut excluded = conflicts(conn, case)?;
    excluded.extend(linked_to_parties(conn, case, now)?.into_iter().map(|(id, _)| id));
    excluded.extend(summoned.iter().map(|s| s.juror_id));
    // Interests match the item's words and the kind of dispute ("鉴定", "counterfeit", …).
    let category = Category::parse(&case.category).unwrap_or(Category::Other);
    let profile = CaseProfile::new(category, &case.item_title, matching_tags(CaseTriage::of(case).kind()));
    let left_out = LeftOut { too_new: now - rules.min_account_age, full_since: now - rules.capacity_window };
    jury.pool.with_current(conn, |pool, meta, conn| {
        let mut weights = pool.sampled_weights(&profile, &rules.matching, DRAW_SAMPLE, rng);
        // Drawn jurors found too young or at capacity are left out and only their seats drawn
        // again; the rest stay, and the new ones are balanced with them. A refusal from the whole
        // pool is given only once every juror in it has been checked, so it counts the eligible.
        let (mut kept, mut checked_all) = (Vec::<i32>::new(), false);
        loop {
            let on_panel: Vec<Candidate> =
                seated_ids.iter().chain(&kept).filter_map(|id| pool.get(*id).cloned()).collect();
            let drawn = match pool.draw(&weights, &excluded, &on_panel, seats - kept.len(), &rules.matching, rng) {
                Ok(drawn) => drawn,
                Err(_) if weights.is_sample() => {
                    weights = pool.weights(&profile, &rules.matching);
                    excluded.retain(|id| !kept.contains(id));
                    kept.clear();
                    continue;
                }
                Err(refused) if checked_all => return Ok(Err(refused)),
                Err(_) => {
                    excluded.extend(left_out.among(pool.weighed(&weights), meta, conn)?);
                    excluded.retain(|id| !kept.contains(id));
                    (kept, checked_all) = (vec![], true);
                    continue;
                }
            };
            let out = left_out.among(drawn.clone(), meta, conn)?;
            kept.extend(drawn.iter().filter(|id| !out.contains(id)));
            excluded.extend(drawn);
            if kept.len() == seats {
                return Ok(Ok(kept));
            }
        }
    })?
}

/// Who may not be drawn though the pool holds them: accounts too young, and jurors whose summonses
/// this week reached their capacity. Asked only of the jurors a draw weighs, not of the whole court.
struct LeftOut {
    too_new: NaiveDateTime,
    full_since: NaiveDateTime,
}

impl LeftOut {
    fn among(&self, weighed: Vec<i32>, meta: &HashMap<i32, Meta>, conn: &mut DbConnection) -> ServiceResult<Vec<i32>> {
        let mut out: Vec<i32> = weighed
            .iter()
            .filter(|id| meta.get(id).is_some_and(|m| m.account_created_at > self.too_new))
            .copied()
            .collect();
        for chunk in weighed.chunks(CAPACITY_CHUNK) {
            out.extend(summons::at_capacity(conn, chunk, self.full_since)?);
        }
        Ok(out)
    }
}

/// Jurors asked about at once: as many as a sample, well under any database's parameter limit.
const CAPACITY_CHUNK: usize = DRAW_SAMPLE;

/// Nobody may judge a case they are, or were ever, on the other side of a deal with.
fn conflicts(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<Vec<i32>> {
    let parties = parties(conn, case)?;
    Ok(case::counterparts(conn, &parties)?)
}

fn parties(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<Vec<i32>> {
    let respondent = match case.respondent_id {
        Some(id) => Some(id),
        None => user::find_by_email(conn, &case.respondent_email)?.map(|u| u.id),
    };
    Ok([Some(case.claimant_id), respondent].into_iter().flatten().collect())
}

/// Accounts that signed in on a party's device or from a party's address lately: likely the
/// party's second account, so never on their jury (the moderators' case file lists them).
pub fn linked_to_parties(
    conn: &mut DbConnection,
    case: &CaseRow,
    now: NaiveDateTime,
) -> ServiceResult<Vec<(i32, Link)>> {
    let parties = parties(conn, case)?;
    let traces = sign_in::sharing_with(conn, &parties, now - TimeDelta::days(LOOKBACK_DAYS))?;
    Ok(linked_accounts(&parties, &traces))
}

/// Writes the summonses, emails each juror and schedules the answer deadline.
fn summon(
    conn: &mut DbConnection,
    case: &CaseRow,
    jurors: &[i32],
    round: i32,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let respond_by = now + rules.summons_window;
    summons::insert(conn, case.id, jurors, round, respond_by, now)?;
    for s in summons::for_case(conn, case.id)?.iter().filter(|s| jurors.contains(&s.juror_id)) {
        let about = NoticeAbout { case: Some(case), due: Some(respond_by), occurrence: s.id, ..Default::default() };
        notify_juror(conn, s.juror_id, "jury_summons", about, now)?;
    }
    job::schedule(conn, job::JobKind::SummonsDeadline, case.id, respond_by, now)?;
    Ok(())
}

/// Hands the case to the moderators: the state, the reason, no jurors left waiting, and emails
/// to both parties and every moderator.
pub fn escalate(
    conn: &mut DbConnection,
    case: &CaseRow,
    reason: &'static str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let change = CaseChange { escalation_reason: Some(reason), ..Default::default() };
    // Jurors still deciding whether to serve are told the summons is withdrawn.
    let waiting: Vec<i32> = summons::for_case(conn, case.id)?
        .into_iter()
        .filter(|s| s.status == SeatStatus::Pending)
        .map(|s| s.juror_id)
        .collect();
    let (case, _, seq) = transition(conn, case.id, Actor::System, None, Command::Escalate, now, change)?;
    summons::release_pending(conn, case.id, now)?;
    for juror in waiting {
        let about = NoticeAbout { case: Some(&case), occurrence: case.round, ..Default::default() };
        notify_juror(conn, juror, "summons_released", about, now)?;
    }
    notify_both(conn, &case, "case_escalated", seq, None, now)?;
    let conflicted = conflicts(conn, &case)?;
    for moderator in user::moderators(conn)?.into_iter().filter(|m| !conflicted.contains(&m.id)) {
        notify(conn, &case, &Recipient::of_user(moderator), "case_escalated", seq, None, now)?;
    }
    Ok(())
}
