use crate::db::schema::{juror_category_tallies, jurors, users};
use crate::db::{statements, DbConnection};
use crate::domain::dispute::Category;
use crate::domain::juror::JurorStatus;
use crate::domain::reputation::{Record, Tally};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jurors)]
pub struct JurorRow {
    pub user_id: i32,
    pub status: JurorStatus,
    pub expertise: i32,
    pub interests: String,
    pub trading_side: String,
    pub capacity: i32,
    pub probation_attempt: i32,
    pub probation_retry_at: Option<NaiveDateTime>,
    pub passed_probation_at: Option<NaiveDateTime>,
    pub status_reason: Option<String>,
    pub no_show_streak: i32,
    pub summons_answered: i32,
    pub summons_ignored: i32,
    pub buyer_right: f64,
    pub buyer_right_voted_buyer: f64,
    pub seller_right: f64,
    pub seller_right_voted_seller: f64,
    pub account_created_at: NaiveDateTime,
    pub joined_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl JurorRow {
    pub fn tally(&self) -> Tally {
        Tally {
            buyer_right: self.buyer_right,
            buyer_right_voted_buyer: self.buyer_right_voted_buyer,
            seller_right: self.seller_right,
            seller_right_voted_seller: self.seller_right_voted_seller,
        }
    }
}

/// What a juror chose on the opt-in form, as stored.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = jurors)]
pub struct ProfileChange<'a> {
    pub expertise: i32,
    pub interests: &'a str,
    pub trading_side: &'a str,
    pub capacity: i32,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, user_id: i32) -> QueryResult<Option<JurorRow>> {
    jurors::table.find(user_id).select(JurorRow::as_select()).first(conn).optional()
}

/// Enrols a member as a probationary juror with an empty record.
pub fn insert(
    conn: &mut DbConnection,
    (user_id, account_created_at): (i32, NaiveDateTime),
    profile: &ProfileChange,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(jurors::table)
        .values((
            jurors::user_id.eq(user_id),
            jurors::status.eq(JurorStatus::Probation),
            jurors::expertise.eq(profile.expertise),
            jurors::interests.eq(profile.interests),
            jurors::trading_side.eq(profile.trading_side),
            jurors::capacity.eq(profile.capacity),
            jurors::probation_attempt.eq(1),
            jurors::no_show_streak.eq(0),
            jurors::summons_answered.eq(0),
            jurors::summons_ignored.eq(0),
            jurors::buyer_right.eq(0.0),
            jurors::buyer_right_voted_buyer.eq(0.0),
            jurors::seller_right.eq(0.0),
            jurors::seller_right_voted_seller.eq(0.0),
            jurors::account_created_at.eq(account_created_at),
            jurors::joined_at.eq(now),
            jurors::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn update_profile(conn: &mut DbConnection, user_id: i32, profile: &ProfileChange) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id)).set(profile).execute(conn).map(drop)
}

pub fn set_status(
    conn: &mut DbConnection,
    user_id: i32,
    status: JurorStatus,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((jurors::status.eq(status), jurors::status_reason.eq(reason), jurors::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn pass_probation(conn: &mut DbConnection, user_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((
            jurors::status.eq(JurorStatus::Active),
            jurors::passed_probation_at.eq(now),
            jurors::probation_retry_at.eq(None::<NaiveDateTime>),
            jurors::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// A failed attempt: the next one may start at `retry_at`.
pub fn fail_probation(
    conn: &mut DbConnection,
    user_id: i32,
    retry_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((
            jurors::probation_attempt.eq(jurors::probation_attempt + 1),
            jurors::probation_retry_at.eq(retry_at),
            jurors::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Counts an answered summons (accepted, declined or recused) and ends a no-show streak.
pub fn record_answer(conn: &mut DbConnection, user_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((
            jurors::summons_answered.eq(jurors::summons_answered + 1),
            jurors::no_show_streak.eq(0),
            jurors::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn record_no_show(conn: &mut DbConnection, user_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((
            jurors::summons_ignored.eq(jurors::summons_ignored + 1),
            jurors::no_show_streak.eq(jurors::no_show_streak + 1),
            jurors::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Adds one judgement with known (or estimated) truth to the overall and category tallies.
pub fn add_to_tallies(
    conn: &mut DbConnection,
    user_id: i32,
    category: &str,
    add: &Tally,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((
            jurors::updated_at.eq(now),
            jurors::buyer_right.eq(jurors::buyer_right + add.buyer_right),
            jurors::buyer_right_voted_buyer.eq(jurors::buyer_right_voted_buyer + add.buyer_right_voted_buyer),
            jurors::seller_right.eq(jurors::seller_right + add.seller_right),
            jurors::seller_right_voted_seller.eq(jurors::seller_right_voted_seller + add.seller_right_voted_seller),
        ))
        .execute(conn)?;
    let current = category_tally(conn, user_id, category)?.unwrap_or_default();
    let sum = Tally {
        buyer_right: current.buyer_right + add.buyer_right,
        buyer_right_voted_buyer: current.buyer_right_voted_buyer + add.buyer_right_voted_buyer,
        seller_right: current.seller_right + add.seller_right,
        seller_right_voted_seller: current.seller_right_voted_seller + add.seller_right_voted_seller,
    };
    set_category_tally(conn, user_id, category, &sum)
}

/// The overall tallies of these jurors.
pub fn tallies_of(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, Tally)>> {
    let rows: Vec<(i32, (f64, f64, f64, f64))> =
        jurors::table.filter(jurors::user_id.eq_any(ids)).select((jurors::user_id, OVERALL_TALLY)).load(conn)?;
    Ok(rows.into_iter().map(|(id, t)| (id, tally_of(t))).collect())
}

/// What a voter's vote is weighed by (`voter_records`).
#[derive(Debug, Clone, Default)]
pub struct VoterRecord {
    /// Declared categories, as `Categories` bits.
    pub expertise: i32,
    pub overall: Tally,
    /// In the case's category; empty where the juror has none yet.
    pub in_category: Tally,
}

/// The records of these voters, overall and in `category`: two statements however many voted.
pub fn voter_records(conn: &mut DbConnection, ids: &[i32], category: &str) -> QueryResult<HashMap<i32, VoterRecord>> {
    let jurors: Vec<(i32, i32, TallyRow)> = jurors::table
        .filter(jurors::user_id.eq_any(ids))
        .select((jurors::user_id, jurors::expertise, OVERALL_TALLY))
        .load(conn)?;
    let in_category: HashMap<i32, TallyRow> = juror_category_tallies::table
        .filter(juror_category_tallies::category.eq(category))
        .filter(juror_category_tallies::juror_id.eq_any(ids))
        .select((juror_category_tallies::juror_id, TALLY_COLUMNS))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(jurors
        .into_iter()
        .map(|(id, expertise, overall)| {
            let in_category = in_category.get(&id).map(|t| tally_of(*t)).unwrap_or_default();
            (id, VoterRecord { expertise, overall: tally_of(overall), in_category })
        })
        .collect())
}

fn category_tally(conn: &mut DbConnection, user_id: i32, category: &str) -> QueryResult<Option<Tally>> {
    juror_category_tallies::table
        .find((category, user_id))
        .select(TALLY_COLUMNS)
        .first::<(f64, f64, f64, f64)>(conn)
        .optional()
        .map(|row| row.map(tally_of))
}

/// Every category tally of one juror.
pub fn category_tallies(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<(String, Tally)>> {
    juror_category_tallies::table
        .filter(juror_category_tallies::juror_id.eq(user_id))
        .order(juror_category_tallies::category)
        .select((juror_category_tallies::category, TALLY_COLUMNS))
        .load::<(String, (f64, f64, f64, f64))>(conn)
        .map(|rows| rows.into_iter().map(|(c, t)| (c, tally_of(t))).collect())
}

const TALLY_COLUMNS: (
    juror_category_tallies::buyer_right,
    juror_category_tallies::buyer_right_voted_buyer,
    juror_category_tallies::seller_right,
    juror_category_tallies::seller_right_voted_seller,
) = (
    juror_category_tallies::buyer_right,
    juror_category_tallies::buyer_right_voted_buyer,
    juror_category_tallies::seller_right,
    juror_category_tallies::seller_right_voted_seller,
);

/// The columns of a juror's overall record, in the order `tally_of` reads them.
const OVERALL_TALLY: (
    jurors::buyer_right,
    jurors::buyer_right_voted_buyer,
    jurors::seller_right,
    jurors::seller_right_voted_seller,
) = (jurors::buyer_right, jurors::buyer_right_voted_buyer, jurors::seller_right, jurors::seller_right_voted_seller);

/// A tally's four columns as read, in `TALLY_COLUMNS`' order.
type TallyRow = (f64, f64, f64, f64);

fn tally_of((a, b, c, d): TallyRow) -> Tally {
    Tally { buyer_right: a, buyer_right_voted_buyer: b, seller_right: c, seller_right_voted_seller: d }
}

/// Writes a category tally, creating the row on first use (delete + insert works the same on both
/// backends). Callers also touch the juror's row (`updated_at`), so the pool cache sees the change.
pub fn set_category_tally(conn: &mut DbConnection, user_id: i32, category: &str, t: &Tally) -> QueryResult<()> {
    diesel::delete(juror_category_tallies::table.find((category, user_id))).execute(conn)?;
    diesel::insert_into(juror_category_tallies::table)
        .values((
            juror_category_tallies::juror_id.eq(user_id),
            juror_category_tallies::category.eq(category),
            juror_category_tallies::buyer_right.eq(t.buyer_right),
            juror_category_tallies::buyer_right_voted_buyer.eq(t.buyer_right_voted_buyer),
            juror_category_tallies::seller_right.eq(t.seller_right),
            juror_category_tallies::seller_right_voted_seller.eq(t.seller_right_voted_seller),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces a juror's overall tally (batch recompute).
pub fn set_tally(conn: &mut DbConnection, user_id: i32, t: &Tally, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((
            jurors::updated_at.eq(now),
            jurors::buyer_right.eq(t.buyer_right),
            jurors::buyer_right_voted_buyer.eq(t.buyer_right_voted_buyer),
            jurors::seller_right.eq(t.seller_right),
            jurors::seller_right_voted_seller.eq(t.seller_right_voted_seller),
        ))
        .execute(conn)
        .map(drop)
}

pub fn clear_category_tallies(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::delete(juror_category_tallies::table).execute(conn).map(drop)
}

/// A juror as the draw needs them, read again whenever their row changes.
#[derive(Debug, Queryable)]
pub struct PoolRow {
    pub user_id: i32,
    pub status: JurorStatus,
    pub expertise: i32,
    pub interests: String,
    pub trading_side: String,
    pub summons_answered: i32,
    pub summons_ignored: i32,
    pub overall: (f64, f64, f64, f64),
    pub account_created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PoolRow {
    pub fn overall_tally(&self) -> Tally {
        tally_of(self.overall)
    }

    /// What the row says, as one number: a row read again whose fingerprint is the one already
    /// held has not changed. (A category tally never changes without the overall one.)
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.user_id, self.status.as_str(), self.expertise, &self.interests, &self.trading_side).hash(&mut h);
        (self.summons_answered, self.summons_ignored, self.account_created_at).hash(&mut h);
        let (a, b, c, d) = self.overall;
        [a, b, c, d].map(f64::to_bits).hash(&mut h);
        h.finish()
    }
}

/// Jurors whose rows changed at or after `since` (every juror when `None`).
pub fn changed_since(conn: &mut DbConnection, since: Option<NaiveDateTime>) -> QueryResult<Vec<PoolRow>> {
    let mut query = jurors::table
        .select((
            jurors::user_id,
            jurors::status,
            jurors::expertise,
            jurors::interests,
            jurors::trading_side,
            jurors::summons_answered,
            jurors::summons_ignored,
            OVERALL_TALLY,
            jurors::account_created_at,
            jurors::updated_at,
        ))
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(jurors::updated_at.ge(since));
    }
    query.load(conn)
}

/// The category records of the given jurors (of every juror when `None`), by juror; the overall
/// tallies are left for the caller, who has them from the jurors' rows.
pub fn category_records(conn: &mut DbConnection, of: Option<&[i32]>) -> QueryResult<HashMap<i32, Record>> {
    let mut query = juror_category_tallies::table
        .select((juror_category_tallies::juror_id, juror_category_tallies::category, TALLY_COLUMNS))
        .into_boxed();
    if let Some(ids) = of {
        query = query.filter(juror_category_tallies::juror_id.eq_any(ids.to_vec()));
    }
    // Row by row into the records: at 100,000 jurors the 630,000 rows held as a list first would
    // add tens of megabytes to the server's peak.
    let mut records: HashMap<i32, Record> = HashMap::new();
    for row in query.load_iter::<(i32, String, (f64, f64, f64, f64)), diesel::connection::DefaultLoadingMode>(conn)? {
        let (id, category, tally) = row?;
        if let Some(category) = Category::parse(&category) {
            records.entry(id).or_default().by_category[category.index()] = tally_of(tally);
        }
    }
    Ok(records)
}

/// One row of the leaderboard.
#[derive(Debug, Queryable)]
pub struct BoardRow {
    pub user_id: i32,
    pub display_name: String,
    pub status: JurorStatus,
    pub passed_probation_at: Option<NaiveDateTime>,
    pub overall: (f64, f64, f64, f64),
}

impl BoardRow {
    pub fn tally(&self) -> Tally {
        tally_of(self.overall)
    }
}

/// Jurors past probation with at least `min_judged` judgements, the most experienced first
/// (the service ranks them by their accuracy bound).
pub fn experienced(conn: &mut DbConnection, min_judged: f64, limit: i64) -> QueryResult<Vec<BoardRow>> {
    jurors::table
        .inner_join(users::table)
        .filter(jurors::passed_probation_at.is_not_null())
        .filter((jurors::buyer_right + jurors::seller_right).ge(min_judged))
        .order((jurors::buyer_right + jurors::seller_right).desc())
        .limit(limit)
        .select((jurors::user_id, users::display_name, jurors::status, jurors::passed_probation_at, OVERALL_TALLY))
        .load(conn)
}

/// Every juror id (for the batch recompute).
pub fn all_ids(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    jurors::table.select(jurors::user_id).order(jurors::user_id).load(conn)
}

/// Sets how many summonses a juror answered and ignored (demo records).
pub fn set_summons_counts(conn: &mut DbConnection, user_id: i32, answered: i32, ignored: i32) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id))
        .set((jurors::summons_answered.eq(answered), jurors::summons_ignored.eq(ignored)))
        .execute(conn)
        .map(drop)
}

/// A juror as the moderators' list shows them.
#[derive(Debug, Queryable)]
pub struct ListedJuror {
    pub user_id: i32,
    pub display_name: String,
    pub email: String,
    pub status: JurorStatus,
    pub status_reason: Option<String>,
    pub passed_probation_at: Option<NaiveDateTime>,
    pub summons_answered: i32,
    pub summons_ignored: i32,
    pub overall: (f64, f64, f64, f64),
}

impl ListedJuror {
    pub fn tally(&self) -> Tally {
        tally_of(self.overall)
    }
}

/// The jurors matching a moderator's search (name or email contains `search`; a status), most
/// experienced first: one page of them, and how many match in all.
pub fn search(
    conn: &mut DbConnection,
    search: &str,
    status: Option<&str>,
    (offset, limit): (i64, i64),
) -> QueryResult<(Vec<ListedJuror>, i64)> {
    let pattern = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let matching = || {
        let mut query = jurors::table.inner_join(users::table).into_boxed();
        if !search.is_empty() {
            query = query.filter(
                users::display_name
                    .like(pattern.clone())
                    .escape('\\')
                    .or(users::email.like(pattern.clone()).escape('\\')),
            );
        }
        match status {
            Some(status) => query.filter(jurors::status.eq(status.to_string())),
            None => query,
        }
    };
    // A search by any part of a name, and a count of every juror, read the jurors through.
    let total = match (search.is_empty(), status) {
        (true, Some(status)) => jurors::table.filter(jurors::status.eq(status)).count().get_result(conn)?,
        (true, None) => statements::reading_every_row(|| jurors::table.count().get_result(conn))?,
        (false, _) => statements::reading_every_row(|| matching().count().get_result(conn))?,
    };
    let mut page = || {
        matching()
            .order(((jurors::buyer_right + jurors::seller_right).desc(), jurors::user_id))
            .offset(offset)
            .limit(limit)
            .select((
                jurors::user_id,
                users::display_name,
                users::email,
                jurors::status,
                jurors::status_reason,
                jurors::passed_probation_at,
                jurors::summons_answered,
                jurors::summons_ignored,
                OVERALL_TALLY,
            ))
            .load(conn)
    };
    let rows = if search.is_empty() { page()? } else { statements::reading_every_row(page)? };
    Ok((rows, total))
}

/// A moderator reinstated the juror: past no-shows no longer count toward the next suspension.
pub fn clear_no_show_streak(conn: &mut DbConnection, user_id: i32) -> QueryResult<()> {
    diesel::update(jurors::table.find(user_id)).set(jurors::no_show_streak.eq(0)).execute(conn).map(drop)
}
