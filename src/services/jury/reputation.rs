//! Keeping jurors' reputations: each judgement with a known outcome is added to the juror's
//! tallies as it happens; `recompute` re-estimates everything at once with Dawid–Skene EM.

use crate::db::models::reestimation::{self, ReestimationRow};
use crate::db::models::{calibration_audit, case, juror, mock_review, vote};
use crate::db::{write_tx, DbConnection};
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use crate::domain::juror::JurorStatus;
use crate::domain::reputation::{dawid_skene, Tally, Vote, EM_ITERATIONS};
use crate::domain::rings::worth_testing;
use crate::services::ServiceResult;
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::HashMap;

/// Adds one vote whose right answer is known to the juror's overall and category tallies.
pub fn record_known(
    conn: &mut DbConnection,
    (juror_id, category): (i32, &str),
    vote: Side,
    truth: Side,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let mut add = Tally::default();
    add.record(vote, truth);
    juror::add_to_tallies(conn, juror_id, category, &add, now)?;
    test_if_one_sided(conn, juror_id, now)
}

/// A test waits this long for its answer (the default voting window) before another may take its place.
const TEST_WAITS: TimeDelta = TimeDelta::hours(72);

/// A record that hints its juror never votes for one side (`rings::worth_testing`) gets a
/// calibration case that side was right in, unless a test is already waiting: a ring member the
/// draw passes over still builds the record that shows them, and an honest juror who was merely
/// unlucky answers it and is left alone.
fn test_if_one_sided(conn: &mut DbConnection, juror_id: i32, now: NaiveDateTime) -> ServiceResult<()> {
    let Some(row) = juror::find(conn, juror_id)?.filter(|row| row.status == JurorStatus::Active) else {
        return Ok(());
    };
    let Some(side) = worth_testing(&row.tally()) else { return Ok(()) };
    if !calibration_audit::open_for(conn, juror_id, now - TEST_WAITS)?.is_empty() {
        return Ok(());
    }
    if let Some(test) = case::next_calibration_for(conn, juror_id, &[side])? {
        calibration_audit::assign(conn, juror_id, test.id, now)?;
    }
    Ok(())
}

/// A final outcome changed (a moderator overrode a closed case): the vote is taken out of the
/// tallies under the old truth and counted again under the new one.
pub fn revise_known(
    conn: &mut DbConnection,
    (juror_id, category): (i32, &str),
    vote: Side,
    (was, now_truth): (Side, Side),
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (mut old, mut new) = (Tally::default(), Tally::default());
    old.record(vote, was);
    new.record(vote, now_truth);
    juror::add_to_tallies(conn, juror_id, category, &new.minus(&old), now)?;
    Ok(())
}

/// One juror's answer on one case, and the case's truth when it is known for certain.
pub struct Judgement {
    pub juror_id: i32,
    pub case_id: CaseId,
    pub category: String,
    pub vote: Side,
    pub known: Option<Side>,
    /// Cast before any outcome of the case was known (see `Vote::blind`).
    pub blind: bool,
}

/// What a recompute did.
#[derive(Debug)]
pub struct Recomputed {
    pub jurors: usize,
    pub judgements: usize,
    pub iterations: usize,
}

/// Every judgement the court has: mock reviews and audits of calibration cases (their truth is
/// known), and votes on finished cases. A jury's verdict is itself an estimate, so a case's truth
/// counts as known only where a moderator ruled; the others are left to the estimate. An appeal's
/// votes (its jurors know which side lost) are evidence of the truth but not blind.
fn judgements(conn: &mut DbConnection) -> ServiceResult<Vec<Judgement>> {
    let calibration = mock_review::all_with_truth(conn)?.into_iter().chain(calibration_audit::all_with_truth(conn)?);
    let calibration = calibration.map(|(juror_id, case_id, vote, category, known)| Judgement {
        juror_id,
        case_id,
        category,
        vote,
        known,
        blind: true,
    });
    let votes = vote::all_final(conn)?.into_iter().map(|(juror_id, case_id, vote, category, outcome, ruled, round)| {
        Judgement { juror_id, case_id, category, vote, known: outcome.filter(|_| ruled), blind: round == 1 }
    });
    Ok(calibration.chain(votes).collect())
}

/// Re-estimates every juror's tallies from all judgements with EM: known outcomes stay fixed, the
/// others are weighed by how likely each side was right. Only blind votes shape the estimate of
/// their juror; every vote is then credited, as the running tallies do. Replaces the running tallies.
pub fn recompute(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Recomputed> {
    write_tx(conn, |conn| recompute_in(conn, now))
}

/// Re-estimates when `every` has passed since the last time (the deadline worker asks on every
/// poll; zero never). Returns what it did, when it ran.
pub fn reestimate_if_due(
    conn: &mut DbConnection,
    every: TimeDelta,
    now: NaiveDateTime,
) -> ServiceResult<Option<Recomputed>> {
    let due = |conn: &mut DbConnection| -> ServiceResult<bool> {
        Ok(every > TimeDelta::zero() && reestimation::latest(conn)?.is_none_or(|last| last.ran_at + every <= now))
    };
    // A plain read first: the writer is taken only when a re-estimation is due.
    if !due(conn)? {
        return Ok(None);
    }
    write_tx(conn, |conn| {
        if !due(conn)? {
            return Ok(None); // another server ran it meanwhile
        }
        let done = recompute_in(conn, now)?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        reestimation::insert(
            conn,
            &ReestimationRow {
                ran_at: now,
                jurors: count(done.jurors),
                judgements: count(done.judgements),
                iterations: count(done.iterations),
            },
        )?;
        tracing::info!(
            jurors = done.jurors,
            judgements = done.judgements,
            iterations = done.iterations,
            "records re-estimated"
        );
        Ok(Some(done))
    })
}

fn recompute_in(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Recomputed> {
    let all = judgements(conn)?;
    let jurors = juror::all_ids(conn)?;
    let juror_index: HashMap<i32, usize> = jurors.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut case_index: HashMap<CaseId, usize> = HashMap::new();
    for j in &all {
        let next = case_index.len();
        case_index.entry(j.case_id).or_insert(next);
    }
    let votes: Vec<Vote> = all
        .iter()
        .filter_map(|j| {
            let juror = *juror_index.get(&j.juror_id)?;
            Some(Vote { juror, case: case_index[&j.case_id], vote: j.vote, blind: j.blind })
        })
        .collect();
    let mut known: Vec<(usize, Side)> = all.iter().filter_map(|j| Some((case_index[&j.case_id], j.known?))).collect();
    known.dedup();
    let fit = dawid_skene(jurors.len(), case_index.len(), &votes, &known, EM_ITERATIONS);

    let mut overall = vec![Tally::default(); jurors.len()];
    let mut by_category: HashMap<(i32, &str), Tally> = HashMap::new();
    for j in &all {
        let Some(&i) = juror_index.get(&j.juror_id) else { continue };
        let p_buyer = fit.cases[case_index[&j.case_id]];
        overall[i].credit(j.vote, p_buyer);
        by_category.entry((j.juror_id, j.category.as_str())).or_default().credit(j.vote, p_buyer);
    }
    for (id, tally) in jurors.iter().zip(&overall) {
        juror::set_tally(conn, *id, tally, now)?;
    }
    juror::clear_category_tallies(conn)?;
    for ((id, category), tally) in &by_category {
        juror::set_category_tally(conn, *id, category, tally)?;
    }
    Ok(Recomputed { jurors: jurors.len(), judgements: all.len(), iterations: fit.iterations })
}
