//! Suspected rings for the moderators: the active jurors whose records show they vote for one
//! side whatever the case (`domain::rings`), grouped by that side, with the evidence — how they
//! voted when the other side was right, and how often suspects who sat together voted alike.
//! The draw already keeps them apart; suspending them is the moderators' call.

use super::require_moderator;
use crate::db::models::{juror, user, vote};
use crate::db::DbConnection;
use crate::domain::dispute::Side;
use crate::domain::reputation::Tally;
use crate::services::account::Account;
use crate::services::jury::Jury;
use crate::services::ServiceResult;
use std::collections::HashMap;

/// Suspects listed at most (the most judged first): past this many the court has a bigger problem
/// than a list can show.
const MOST_LISTED: usize = 200;

pub struct Suspect {
    pub name: String,
    pub email: String,
    pub record: Tally,
}

impl Suspect {
    /// (votes for `favours` when the other side was right, such cases), then the same when
    /// `favours` was right.
    pub fn evidence(&self, favours: Side) -> ((f64, f64), (f64, f64)) {
        let t = &self.record;
        match favours {
            Side::Seller => (
                (t.buyer_right - t.buyer_right_voted_buyer, t.buyer_right),
                (t.seller_right_voted_seller, t.seller_right),
            ),
            Side::Buyer => (
                (t.seller_right - t.seller_right_voted_seller, t.seller_right),
                (t.buyer_right_voted_buyer, t.buyer_right),
            ),
        }
    }
}

/// The suspects who favour one side, and the panels any two of them shared.
pub struct SuspectedRing {
    pub favours: Side,
    pub members: Vec<Suspect>,
    /// Pairs of them who voted on one panel, and how many of those pairs voted alike.
    pub panels_shared: usize,
    pub voted_alike: usize,
}

pub fn suspected_rings(conn: &mut DbConnection, moderator: &Account, jury: &Jury) -> ServiceResult<Vec<SuspectedRing>> {
    require_moderator(moderator)?;
    let mut suspects: Vec<(i32, Side, f64)> = jury.pool.with_current(conn, |pool, _, _| {
        pool.candidates
            .iter()
            .filter_map(|c| c.one_sided.map(|side| (c.juror_id, side, c.judged.iter().sum::<f64>())))
            .collect()
    })?;
    suspects.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    suspects.truncate(MOST_LISTED);
    let ids: Vec<i32> = suspects.iter().map(|s| s.0).collect();
    let people: HashMap<i32, (String, String)> =
        user::names_and_emails(conn, &ids)?.into_iter().map(|(id, name, email)| (id, (name, email))).collect();
    let records: HashMap<i32, Tally> = juror::tallies_of(conn, &ids)?.into_iter().collect();
    let side_of: HashMap<i32, Side> = suspects.iter().map(|s| (s.0, s.1)).collect();
    let shared = vote::sat_together(conn, &ids)?;
    let mut rings = vec![];
    for favours in [Side::Seller, Side::Buyer] {
        let mut members = vec![];
        for (id, _, _) in suspects.iter().filter(|s| s.1 == favours) {
            let record = records.get(id).copied().unwrap_or_default();
            let (name, email) = people.get(id).cloned().unwrap_or_default();
            members.push(Suspect { name, email, record });
        }
        let together: Vec<&(i32, i32, Side, Side)> =
            shared.iter().filter(|(a, b, _, _)| side_of[a] == favours && side_of[b] == favours).collect();
        if !members.is_empty() {
            rings.push(SuspectedRing {
                favours,
                members,
                panels_shared: together.len(),
                voted_alike: together.iter().filter(|(_, _, x, y)| x == y).count(),
            });
        }
    }
    Ok(rings)
}
