//! The jury pool, kept in memory between draws. Reading 100,000 jurors takes SQLite alone about
//! 60 ms (and ~190 ms through diesel), far too slow to repeat per draw; so each draw reads only
//! the jurors whose rows changed since the last one (every change to a juror touches
//! `updated_at`, which is indexed).

use crate::db::models::juror::{self, PoolRow};
use crate::db::DbConnection;
use crate::domain::juror::JurorStatus;
use crate::domain::matching::{Candidate, Categories, JurorPool, TradingSide};
use crate::domain::reputation::{reliability, DeclaredWorth, Record};
use crate::domain::rings::one_sided;
use crate::services::ServiceResult;
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::HashMap;
use std::sync::Mutex;

/// Rows are read again from this long before the newest change seen: a transaction that took its
/// time stamp earlier but committed later (a slow request) is still picked up.
const OVERLAP: TimeDelta = TimeDelta::minutes(1);

/// What the draw filters on besides the candidate itself.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    pub account_created_at: NaiveDateTime,
}

#[derive(Default)]
pub struct PoolCache {
    snapshot: Mutex<Option<Snapshot>>,
}

struct Snapshot {
    pool: JurorPool,
    meta: HashMap<i32, Meta>,
    /// The newest `updated_at` read so far; `None` until a juror was seen.
    newest_change: Option<NaiveDateTime>,
    /// Each row's fingerprint as last read: the overlap reads rows again, and only the ones that
    /// changed are worth their category records and a new candidate.
    seen: HashMap<i32, u64>,
    /// What declaring expertise has been worth, over the active jurors, and each one's share of it
    /// (taken out again when their record changes).
    worth: DeclaredWorth,
    shares: HashMap<i32, DeclaredWorth>,
}

impl PoolCache {
    /// What declaring expertise has been worth, as of the pool's last refresh (it moves slowly, so
    /// a vote does not pay for a refresh); the first call loads the pool.
    pub fn declared_worth(&self, conn: &mut DbConnection) -> ServiceResult<DeclaredWorth> {
        let loaded = self.snapshot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref().map(|s| s.worth);
        match loaded {
            Some(worth) => Ok(worth),
            None => self.refreshed(conn, |snapshot, _| snapshot.worth),
        }
    }

    /// Forgets the pool, so the next draw reads every juror again (after a re-estimation rewrote
    /// every record under one time stamp the overlap may not reach).
    pub fn invalidate(&self) {
        *self.snapshot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    /// Brings the pool up to date with the database, then runs `f` on the active jurors; `f` may
    /// ask the database more (the pool stays locked meanwhile, so it should ask little).
    pub fn with_current<T>(
        &self,
        conn: &mut DbConnection,
        f: impl FnOnce(&JurorPool, &HashMap<i32, Meta>, &mut DbConnection) -> T,
    ) -> ServiceResult<T> {
        self.refreshed(conn, |snapshot, conn| f(&snapshot.pool, &snapshot.meta, conn))
    }

    fn refreshed<T>(
        &self,
        conn: &mut DbConnection,
        f: impl FnOnce(&Snapshot, &mut DbConnection) -> T,
    ) -> ServiceResult<T> {
        let mut guard = self.snapshot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let since = guard.as_ref().and_then(|s| s.newest_change).map(|newest| newest - OVERLAP);
        let held = guard.as_ref().map(|s| &s.seen);
        let (changed, mut by_juror) = match since {
            None => crate::db::statements::reading_every_row(|| {
                Ok::<_, diesel::result::Error>((
                    juror::changed_since(conn, None)?,
                    juror::category_records(conn, None)?,
                ))
            })?,
            Some(_) => {
                let changed: Vec<PoolRow> = juror::changed_since(conn, since)?
                    .into_iter()
                    .filter(|row| held.and_then(|seen| seen.get(&row.user_id)) != Some(&row.fingerprint()))
                    .collect();
                let ids: Vec<i32> = changed.iter().map(|r| r.user_id).collect();
                let records = ids.chunks(500).try_fold(HashMap::new(), |mut records, chunk| {
                    records.extend(juror::category_records(conn, Some(chunk))?);
                    Ok::<_, diesel::result::Error>(records)
                })?;
                (changed, records)
            }
        };
        let snapshot = guard.get_or_insert_with(|| Snapshot {
            pool: JurorPool::new(vec![]),
            meta: HashMap::new(),
            newest_change: None,
            seen: HashMap::new(),
            worth: DeclaredWorth::default(),
            shares: HashMap::new(),
        });
        // The worth first, so every changed juror is placed with what it is now.
        for row in &changed {
            let old = snapshot.shares.remove(&row.user_id).unwrap_or_default();
            snapshot.worth = snapshot.worth.minus(&old);
            if row.status == JurorStatus::Active {
                let record = by_juror.entry(row.user_id).or_default();
                record.overall = row.overall_tally();
                let share = DeclaredWorth::of(record, Categories(row.expertise as u16));
                snapshot.worth = snapshot.worth.plus(&share);
                snapshot.shares.insert(row.user_id, share);
            }
        }
        for row in changed {
            snapshot.newest_change = snapshot.newest_change.max(Some(row.updated_at));
            snapshot.seen.insert(row.user_id, row.fingerprint());
            if row.status != JurorStatus::Active {
                snapshot.pool.remove(row.user_id);
                snapshot.meta.remove(&row.user_id);
                continue;
            }
            let meta = Meta { account_created_at: row.account_created_at };
            snapshot.meta.insert(row.user_id, meta);
            let record = by_juror.remove(&row.user_id).unwrap_or_default();
            snapshot.pool.upsert(candidate(row, &record, &snapshot.worth));
        }
        if since.is_none() && !snapshot.pool.candidates.is_empty() {
            crate::memory::release_freed();
        }
        Ok(f(snapshot, conn))
    }
}

/// What matching knows of a juror, from their stored record.
fn candidate(row: PoolRow, record: &Record, worth: &DeclaredWorth) -> Candidate {
    let expertise = Categories(row.expertise as u16);
    Candidate {
        juror_id: row.user_id,
        expertise,
        interests: row.interests.split_whitespace().map(str::to_string).collect(),
        side: TradingSide::parse(&row.trading_side).unwrap_or(TradingSide::Both),
        accuracy_lower: record.accuracy_lower(&worth.shifts(expertise)),
        judged: record.by_category.map(|tally| tally.votes()),
        reliability: reliability(row.summons_answered as u32, row.summons_ignored as u32),
        leaning: record.overall().leaning,
        one_sided: one_sided(&record.overall),
    }
}
