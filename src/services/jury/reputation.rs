//! Keeping jurors' reputations: each judgement with a known outcome is added to the juror's
//! tallies as it happens; `recompute` re-estimates everything at once with Dawid–Skene EM.

use crate::db::models::{calibration_audit, juror, mock_review, vote};
use crate::db::{write_tx, DbConnection};
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use crate::domain::reputation::{dawid_skene, Tally, Vote};
use crate::services::ServiceResult;
use chrono::NaiveDateTime;
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
}

/// What a recompute did.
#[derive(Debug)]
pub struct Recomputed {
    pub jurors: usize,
    pub judgements: usize,
    pub iterations: usize,
}

/// Every judgement the court has: mock reviews and audits of calibration cases, and votes on
/// finished cases, each with its final outcome (appeals and overrides included) as the known truth.
fn judgements(conn: &mut DbConnection) -> ServiceResult<Vec<Judgement>> {
    Ok(mock_review::all_with_truth(conn)?
        .into_iter()
        .chain(calibration_audit::all_with_truth(conn)?)
        .chain(vote::all_final(conn)?)
        .map(|(juror_id, case_id, vote, category, known)| Judgement { juror_id, case_id, category, vote, known })
        .collect())
}

/// Re-estimates every juror's tallies from all judgements with EM: known outcomes stay fixed,
/// the others are weighed by how likely each side was right. Replaces the running tallies.
pub fn recompute(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Recomputed> {
    write_tx(conn, |conn| {
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
                Some(Vote { juror: *juror_index.get(&j.juror_id)?, case: case_index[&j.case_id], vote: j.vote })
            })
            .collect();
        let mut known: Vec<(usize, Side)> =
            all.iter().filter_map(|j| Some((case_index[&j.case_id], j.known?))).collect();
        known.dedup();
        let fit = dawid_skene(jurors.len(), case_index.len(), &votes, &known, 200);

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
    })
}
