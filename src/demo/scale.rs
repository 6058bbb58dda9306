//! `xiaofating demo --scale N`: a court with a long history, for benchmarks and query plans. N
//! cases (55% closed by a panel of 17, 40% voting, 4% gathering evidence, 1% escalated), N jurors
//! whose records are what those votes earned, about ten votes per case. At this size the services
//! would take hours, so the rows are written straight into the tables, in batches, with explicit
//! ids. The first case is the heaviest a juror reads: 20 pieces of evidence and 17 votes.
//! The open seats of the first `VOTERS` jurors are listed in `DATA_DIR/bench-seats.tsv` (juror
//! email, case id), each a fresh vote for a load test.

use super::DEMO_PASSWORD;
use crate::db::models::evidence::STATEMENT;
use crate::db::models::user;
use crate::db::schema::{
    case_events, cases, evidence, juror_category_tallies, jurors, jury_rounds, summons, users, votes,
};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::DEFAULT_TIME_ZONE;
use crate::domain::case::CaseState;
use crate::domain::dispute::{Category, Side};
use crate::domain::juror::JurorStatus;
use crate::domain::juror::SeatStatus;
use crate::domain::matching::Categories;
use crate::domain::public_id::new_public_id;
use crate::domain::quorum::QuorumPolicy;
use crate::domain::reputation::Tally;
use crate::services::account::password::hash_password;
use crate::services::jury::voting::NO_QUORUM;
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::seq::index::sample;
use rand::Rng;
use std::collections::HashMap;
use std::path::Path;

/// Jurors whose open seats are listed for the vote load test (few enough to sign in within the
/// per-address sign-in burst).
pub const VOTERS: usize = 16;
/// Cases written per transaction: bounded write-ahead log, and progress survives an interruption.
const BATCH: usize = 2_000;
const DOMAIN: &str = "scale.xiaofating.test";

fn email_of(juror: usize) -> String {
    format!("scale-juror-{juror:06}@{DOMAIN}")
}

#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Closed,
    Voting,
    Evidence,
    Escalated,
}

impl Stage {
    /// The share of each stage, by case number.
    fn of(case: usize) -> Stage {
        match case % 100 {
            0..55 => Stage::Closed,
            55..95 => Stage::Voting,
            95..99 => Stage::Evidence,
            _ => Stage::Escalated,
        }
    }
}

/// A juror of the generated pool: skill, leaning (+ to the buyer) and what they know.
struct Person {
    skill: f64,
    bias: f64,
    side: &'static str,
    expertise: Vec<Category>,
    joined: NaiveDateTime,
}

/// One generated case, decided before anything is written.
struct Planned {
    stage: Stage,
    category: Category,
    claimant: usize,
    respondent: usize,
    claimant_side: Side,
    /// Seats in the order they voted; the first `votes.len()` have voted.
    panel: Vec<usize>,
    votes: Vec<Side>,
    outcome: Option<Side>,
    filed_at: NaiveDateTime,
    statements_per_side: usize,
}

/// The timeline every generated case follows, from its filing.
struct Times {
    filed: NaiveDateTime,
    answered: NaiveDateTime,
    evidence_due: NaiveDateTime,
    panel: NaiveDateTime,
    voting_due: NaiveDateTime,
    decided: NaiveDateTime,
    final_at: NaiveDateTime,
}

impl Times {
    fn from(filed: NaiveDateTime) -> Times {
        let answered = filed + TimeDelta::hours(14);
        let evidence_due = answered + TimeDelta::hours(72);
        let panel = evidence_due + TimeDelta::hours(6);
        let decided = panel + TimeDelta::hours(30);
        Times {
            filed,
            answered,
            evidence_due,
            panel,
            voting_due: panel + TimeDelta::hours(72),
            decided,
            final_at: decided + TimeDelta::hours(48),
        }
    }
}

/// What was written.
pub struct ScaleReport {
    pub cases: usize,
    pub jurors: usize,
    pub votes: usize,
    pub open_seats: usize,
    pub showcase: String,
    pub showcase_juror: String,
}

/// Adds `count` cases and as many jurors, once (a second run finds the first juror and stops).
pub fn seed_scale(
    conn: &mut DbConnection,
    data_dir: &Path,
    count: usize,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<Option<ScaleReport>> {
    if user::email_taken(conn, &email_of(0))? {
        return Ok(None);
    }
    let people: Vec<Person> = (0..count.max(VOTERS * 2)).map(|_| person(now, rng)).collect();
    let plan: Vec<Planned> = (0..count).map(|i| plan_case(i, &people, now, rng)).collect();
    let first = FirstIds::read(conn)?;
    insert_jurors(conn, &people, &plan, first.user, now)?;
    let mut seats = String::new();
    let mut ids = first;
    let mut showcase = String::new();
    for (batch, planned) in plan.chunks(BATCH).enumerate() {
        write_tx(conn, |conn| {
            for (offset, case) in planned.iter().enumerate() {
                let public_id = new_public_id(rng);
                insert_case(conn, (batch * BATCH + offset, &public_id), case, &mut ids, now, rng)?;
                if case.stage == Stage::Voting {
                    seats.push_str(&format!("{}\t{public_id}\n", email_of(case.panel[case.votes.len()])));
                }
                if showcase.is_empty() {
                    showcase = public_id;
                }
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        refresh_postgres_statistics(conn)?;
    }
    restart_sequences(conn)?;
    // Fresh statistics for the planner after a bulk load; on PostgreSQL also the visibility map
    // that index-only scans (the queues' counts) need, which autovacuum would set only later.
    let settle = if let DbConnection::Pg(_) = conn { "VACUUM ANALYZE" } else { "ANALYZE" };
    diesel::sql_query(settle).execute(conn)?;
    std::fs::write(data_dir.join("bench-seats.tsv"), &seats).map_err(|e| ServiceError::Internal(e.into()))?;
    Ok(Some(ScaleReport {
        cases: count,
        jurors: people.len(),
        votes: plan.iter().map(|c| c.votes.len()).sum(),
        open_seats: seats.lines().count(),
        showcase,
        showcase_juror: email_of(VOTERS),
    }))
}

fn person(now: NaiveDateTime, rng: &mut impl Rng) -> Person {
    let side = ["buy", "buy", "sell", "both"][rng.random_range(0..4)];
    let lean = match side {
        "sell" => -0.08,
        "buy" => 0.04,
        _ => 0.0,
    };
    let known = rng.random_range(1..=3);
    Person {
        skill: rng.random_range(0.6..0.95),
        bias: lean + rng.random_range(-0.04..0.04),
        side,
        expertise: sample(rng, Category::ALL.len(), known).into_iter().map(|i| Category::ALL[i]).collect(),
        joined: now - TimeDelta::days(rng.random_range(800..1200)),
    }
}

/// Decides a case's story: who, when, which panel, and how each juror voted. The first voters
/// (`VOTERS`) hold one open seat on every voting case and sit nowhere else; the next juror sits
/// on the showcase case (the first) only.
fn plan_case(i: usize, people: &[Person], now: NaiveDateTime, rng: &mut impl Rng) -> Planned {
    let showcase = i == 0;
    let stage = if showcase { Stage::Closed } else { Stage::of(i) };
    let others = VOTERS + 1..people.len();
    let mut drawn = sample(rng, others.len(), 19).into_iter().map(|k| others.start + k);
    let (claimant, respondent) = (drawn.next().unwrap_or(others.start), drawn.next().unwrap_or(others.start + 1));
    let mut panel: Vec<usize> = drawn.collect();
    let category = Category::ALL[rng.random_range(0..Category::ALL.len())];
    let truth = if rng.random_bool(0.5) { Side::Buyer } else { Side::Seller };
    // Filed so that each stage is where it should be now: voting cases opened within two days,
    // evidence still open, escalated ones past their voting deadline.
    let (voted, filed_at) = match stage {
        Stage::Closed => (17, now - TimeDelta::days(10) - TimeDelta::hours(rng.random_range(0..17_000))),
        Stage::Voting => {
            panel.truncate(4);
            panel.insert(2, i % VOTERS);
            (2, now - TimeDelta::hours(92 + rng.random_range(1..48)))
        }
        Stage::Evidence => (0, now - TimeDelta::hours(14 + rng.random_range(1..60))),
        Stage::Escalated => (2, now - TimeDelta::hours(164 + rng.random_range(8..120))),
    };
    panel.truncate(match stage {
        Stage::Closed => 17,
        Stage::Voting | Stage::Escalated => 5,
        Stage::Evidence => 0,
    });
    if showcase {
        panel[16] = VOTERS;
    }
    let votes: Vec<Side> = panel[..voted]
        .iter()
        .map(|&j| {
            let p = &people[j];
            let right = if truth == Side::Buyer { p.skill + p.bias } else { p.skill - p.bias };
            if rng.random_bool(right.clamp(0.5, 0.99)) {
                truth
            } else {
                truth.other()
            }
        })
        .collect();
    let buyers = votes.iter().filter(|v| **v == Side::Buyer).count();
    let outcome = (stage == Stage::Closed).then(|| if buyers * 2 > votes.len() { Side::Buyer } else { Side::Seller });
    Planned {
        stage,
        category,
        claimant,
        respondent,
        claimant_side: if rng.random_bool(0.8) { Side::Buyer } else { Side::Seller },
        panel,
        votes,
        outcome,
        filed_at,
        statements_per_side: if showcase { 10 } else { 1 },
    }
}

/// The first free id of each table the generator fills (ids are given, not returned). `user` stays
/// the first generated juror's id: jurors are numbered from it.
#[derive(Clone, Copy)]
struct FirstIds {
    user: i32,
    case: i32,
    event: i32,
    evidence: i32,
    round: i32,
    summons: i32,
    vote: i32,
}

impl FirstIds {
    fn read(conn: &mut DbConnection) -> QueryResult<FirstIds> {
        use diesel::dsl::max;
        let next = |last: Option<i32>| last.unwrap_or(0) + 1;
        Ok(FirstIds {
            user: next(users::table.select(max(users::id)).first(conn)?),
            case: next(cases::table.select(max(cases::id)).first(conn)?),
            event: next(case_events::table.select(max(case_events::id)).first(conn)?),
            evidence: next(evidence::table.select(max(evidence::id)).first(conn)?),
            round: next(jury_rounds::table.select(max(jury_rounds::id)).first(conn)?),
            summons: next(summons::table.select(max(summons::id)).first(conn)?),
            vote: next(votes::table.select(max(votes::id)).first(conn)?),
        })
    }

    fn take(counter: &mut i32) -> i32 {
        *counter += 1;
        *counter - 1
    }
}

fn user_id(first_user: i32, juror: usize) -> i32 {
    first_user + juror as i32
}

/// The pool: accounts, juror profiles, and the records the closed cases' votes earned (overall
/// and by category, judged against the final outcome, as the court counts them).
fn insert_jurors(
    conn: &mut DbConnection,
    people: &[Person],
    plan: &[Planned],
    first_user: i32,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let mut overall = vec![Tally::default(); people.len()];
    let mut by_category: HashMap<(usize, Category), Tally> = HashMap::new();
    let mut seats = vec![0; people.len()];
    for case in plan {
        case.panel.iter().for_each(|&j| seats[j] += 1);
        let Some(outcome) = case.outcome else { continue };
        for (&j, &vote) in case.panel.iter().zip(&case.votes) {
            overall[j].record(vote, outcome);
            by_category.entry((j, case.category)).or_default().record(vote, outcome);
        }
    }
    let hash = hash_password(DEMO_PASSWORD);
    for (batch, chunk) in people.chunks(BATCH * 5).enumerate() {
        write_tx(conn, |conn| {
            for (offset, p) in chunk.iter().enumerate() {
                let j = batch * BATCH * 5 + offset;
                insert_juror(conn, (user_id(first_user, j), j, p), (&overall[j], seats[j]), &hash, now)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        refresh_postgres_statistics(conn)?;
    }
    let mut tallies: Vec<_> = by_category.into_iter().collect();
    tallies.sort_by_key(|((j, c), _)| (*j, c.as_str()));
    for chunk in tallies.chunks(BATCH * 5) {
        write_tx(conn, |conn| {
            for ((j, category), t) in chunk {
                diesel::insert_into(juror_category_tallies::table)
                    .values((
                        juror_category_tallies::juror_id.eq(user_id(first_user, *j)),
                        juror_category_tallies::category.eq(category.as_str()),
                        juror_category_tallies::buyer_right.eq(t.buyer_right),
                        juror_category_tallies::buyer_right_voted_buyer.eq(t.buyer_right_voted_buyer),
                        juror_category_tallies::seller_right.eq(t.seller_right),
                        juror_category_tallies::seller_right_voted_seller.eq(t.seller_right_voted_seller),
                    ))
                    .execute(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
    }
    Ok(())
}

fn insert_juror(
    conn: &mut DbConnection,
    (id, index, p): (i32, usize, &Person),
    (record, seats): (&Tally, i32),
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::public_id.eq(format!("scale{index:011}")),
            users::email.eq(email_of(index)),
            users::display_name.eq(format!("陪审员 {index:06}")),
            users::password_hash.eq(hash),
            users::locale.eq(if index % 4 == 0 { "en" } else { "zh-CN" }),
            users::time_zone.eq(DEFAULT_TIME_ZONE),
            users::role.eq("member"),
            users::email_verified_at.eq(Some(p.joined)),
            users::created_at.eq(p.joined),
            users::updated_at.eq(p.joined),
            users::reminders_enabled.eq(true),
        ))
        .execute(conn)?;
    diesel::insert_into(jurors::table)
        .values((
            jurors::user_id.eq(id),
            jurors::status.eq(JurorStatus::Active),
            jurors::expertise.eq(i32::from(Categories::of(&p.expertise).0)),
            jurors::interests.eq(""),
            jurors::trading_side.eq(p.side),
            jurors::capacity.eq(3),
            jurors::probation_attempt.eq(1),
            jurors::passed_probation_at.eq(Some(p.joined + TimeDelta::days(2))),
            jurors::no_show_streak.eq(0),
            jurors::summons_answered.eq(seats),
            jurors::summons_ignored.eq(0),
            jurors::buyer_right.eq(record.buyer_right),
            jurors::buyer_right_voted_buyer.eq(record.buyer_right_voted_buyer),
            jurors::seller_right.eq(record.seller_right),
            jurors::seller_right_voted_seller.eq(record.seller_right_voted_seller),
            jurors::account_created_at.eq(p.joined),
            jurors::joined_at.eq(p.joined),
            // Last changed a day ago, when the generated history last credited them: a court's
            // pool is not all touched in the minute before it starts.
            jurors::updated_at.eq(now - TimeDelta::days(1)),
        ))
        .execute(conn)
        .map(drop)
}

const ITEMS: [&str; 8] = [
    "iPhone 14 Pro 256G",
    "Switch OLED 日版",
    "Canon EOS R6 机身",
    "LV Neverfull 中号",
    "MacBook Air M2",
    "AJ1 芝加哥 42.5",
    "戴森 V12 吸尘器",
    "乐高 75192 千年隼",
];
const CLAIMS: [&str; 4] = [
    "卖家描述九五新无划痕，收到后边框有明显磕碰，屏幕有一道细划痕，和描述不符，要求退货退款。",
    "收到的商品和照片不是同一件，序列号对不上，卖家不承认调包，我有开箱视频。",
    "The listing said fully working, but it stops charging after ten minutes; the seller stopped replying.",
    "买家收货后称有瑕疵要求退款，但发货前我录了完整视频，商品完好，怀疑是买家使用后损坏。",
];
const ANSWERS: [&str; 3] = [
    "发货前拍了多角度照片，没有磕碰；划痕是贴膜下的反光，不是屏幕本身的问题。",
    "The item shipped exactly as shown in the photos; the buyer used it for a week before complaining.",
    "序列号截图在聊天记录里，买家退回的不是我寄出的那一件。",
];
const REASONS: [&str; 4] = [
    "开箱视频清楚显示边框磕碰，卖家的发货照片角度避开了这个位置。",
    "卖家的发货视频完整连续，买家的照片看不出是否同一件商品。",
    "The chat log shows the seller promised no scratches; the photos show two.",
    "Serial numbers in both sets of photos match, so the item was not swapped.",
];

/// One case with its events, evidence, round, seats and votes, as the services would have left it.
fn insert_case(
    conn: &mut DbConnection,
    (number, public_id): (usize, &str),
    plan: &Planned,
    ids: &mut FirstIds,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> QueryResult<()> {
    let t = Times::from(plan.filed_at);
    let case_id = FirstIds::take(&mut ids.case);
    let first_user = ids.user;
    let (claimant, respondent) = (user_id(first_user, plan.claimant), user_id(first_user, plan.respondent));
    let price = rng.random_range(50..20_000) * 100;
    let answered = plan.stage != Stage::Evidence || rng.random_bool(0.7);
    let state = match plan.stage {
        Stage::Closed => CaseState::Closed,
        Stage::Voting => CaseState::Voting,
        Stage::Evidence => CaseState::Evidence,
        Stage::Escalated => CaseState::Escalated,
    };
    let updated = match plan.stage {
        Stage::Closed => t.final_at,
        Stage::Voting => t.panel,
        Stage::Evidence => t.answered,
        Stage::Escalated => t.voting_due,
    };
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(case_id),
            cases::public_id.eq(public_id),
            cases::submission_key.eq(format!("scale-{number}")),
            cases::claimant_id.eq(claimant),
            cases::claimant_side.eq(plan.claimant_side.as_str()),
            cases::respondent_id.eq(Some(respondent)),
            cases::respondent_email.eq(email_of(plan.respondent)),
            cases::order_ref.eq(format!("XY-S{number:07}")),
            cases::item_title.eq(ITEMS[number % ITEMS.len()]),
            cases::category.eq(plan.category.as_str()),
            cases::price_fen.eq(price),
            cases::disputed_fen.eq(price),
            cases::currency.eq("CNY"),
            cases::claim_statement.eq(CLAIMS[number % CLAIMS.len()]),
            cases::remedy.eq("return_refund"),
            cases::answer_statement.eq(answered.then_some(ANSWERS[number % ANSWERS.len()])),
            cases::answer_remedy.eq(answered.then_some("reject")),
            cases::answered_at.eq(answered.then_some(t.answered)),
            cases::state.eq(state),
            cases::response_due_at.eq(Some(t.filed + TimeDelta::hours(48))),
            cases::evidence_due_at.eq(Some(t.evidence_due)),
            cases::evidence_hours.eq(72),
            cases::created_at.eq(t.filed),
            cases::updated_at.eq(updated),
            cases::closed_at.eq((plan.stage == Stage::Closed).then_some(t.final_at)),
            cases::escalation_reason.eq((plan.stage == Stage::Escalated).then_some(NO_QUORUM)),
            cases::round.eq(1),
            cases::outcome.eq(plan.outcome.map(Side::as_str)),
            cases::appeal_due_at.eq(plan.outcome.map(|_| t.decided + TimeDelta::hours(48))),
        ))
        .execute(conn)?;
    insert_events(conn, case_id, plan, &t, (claimant, respondent), &mut ids.event)?;
    if answered {
        insert_statements(conn, case_id, plan, &t, (claimant, respondent), &mut ids.evidence, rng)?;
    }
    if !plan.panel.is_empty() {
        insert_round(conn, case_id, plan, &t, ids, now)?;
    }
    Ok(())
}

fn insert_events(
    conn: &mut DbConnection,
    case_id: i32,
    plan: &Planned,
    t: &Times,
    (claimant, respondent): (i32, i32),
    next_id: &mut i32,
) -> QueryResult<()> {
    let mut story = vec![
        ("filed", None, CaseState::Filed, Some(claimant), t.filed),
        ("respondent_notified", Some(CaseState::Filed), CaseState::AwaitingResponse, None, t.filed),
        ("answered", Some(CaseState::AwaitingResponse), CaseState::Evidence, Some(respondent), t.answered),
    ];
    if plan.stage != Stage::Evidence {
        story.push(("evidence_closed", Some(CaseState::Evidence), CaseState::JurySelection, None, t.evidence_due));
        story.push(("panel_complete", Some(CaseState::JurySelection), CaseState::Voting, None, t.panel));
    }
    match plan.stage {
        Stage::Closed => {
            story.push(("verdict", Some(CaseState::Voting), CaseState::Decided, None, t.decided));
            story.push(("verdict_final", Some(CaseState::Decided), CaseState::Closed, None, t.final_at));
        }
        Stage::Escalated => {
            story.push(("escalated", Some(CaseState::Voting), CaseState::Escalated, None, t.voting_due))
        }
        Stage::Voting | Stage::Evidence => {}
    }
    for (seq, (kind, from, to, actor, at)) in story.into_iter().enumerate() {
        diesel::insert_into(case_events::table)
            .values((
                case_events::id.eq(FirstIds::take(next_id)),
                case_events::case_id.eq(case_id),
                case_events::seq.eq(seq as i32 + 1),
                case_events::kind.eq(kind),
                case_events::from_state.eq(from),
                case_events::to_state.eq(to),
                case_events::actor_id.eq(actor),
                case_events::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn insert_statements(
    conn: &mut DbConnection,
    case_id: i32,
    plan: &Planned,
    t: &Times,
    (claimant, respondent): (i32, i32),
    next_id: &mut i32,
    rng: &mut impl Rng,
) -> QueryResult<()> {
    for n in 0..plan.statements_per_side * 2 {
        let (by, side) =
            if n % 2 == 0 { (claimant, plan.claimant_side) } else { (respondent, plan.claimant_side.other()) };
        diesel::insert_into(evidence::table)
            .values((
                evidence::id.eq(FirstIds::take(next_id)),
                evidence::public_id.eq(new_public_id(rng)),
                evidence::case_id.eq(case_id),
                evidence::submitted_by.eq(by),
                evidence::party_side.eq(side.as_str()),
                evidence::kind.eq(STATEMENT),
                evidence::body.eq(Some(CLAIMS[(n + case_id as usize) % CLAIMS.len()])),
                evidence::created_at.eq(t.answered + TimeDelta::minutes(10 * n as i64 + 5)),
                evidence::round.eq(1),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The first jury round: accepted seats, the votes cast so far, and the tally once decided.
fn insert_round(
    conn: &mut DbConnection,
    case_id: i32,
    plan: &Planned,
    t: &Times,
    ids: &mut FirstIds,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let count = |side: Side| plan.votes.iter().filter(|v| **v == side).count() as i32;
    let policy = match plan.stage {
        Stage::Closed => QuorumPolicy::XIANYU.to_string(),
        _ => crate::config::default::QUORUM.to_string(),
    };
    diesel::insert_into(jury_rounds::table)
        .values((
            jury_rounds::id.eq(FirstIds::take(&mut ids.round)),
            jury_rounds::case_id.eq(case_id),
            jury_rounds::round.eq(1),
            jury_rounds::policy.eq(policy),
            jury_rounds::opened_at.eq(t.evidence_due),
            // An escalated round's voting stopped: it has no deadline left (`jury_round::stop_voting`).
            jury_rounds::voting_due_at.eq((plan.stage != Stage::Escalated).then_some(t.voting_due)),
            jury_rounds::replaced_missing.eq(false),
            jury_rounds::outcome.eq(plan.outcome.map(Side::as_str)),
            jury_rounds::buyer_votes.eq(if plan.outcome.is_some() { count(Side::Buyer) } else { 0 }),
            jury_rounds::seller_votes.eq(if plan.outcome.is_some() { count(Side::Seller) } else { 0 }),
            jury_rounds::decided_at.eq(plan.outcome.map(|_| t.decided)),
        ))
        .execute(conn)?;
    for (seat, &juror) in plan.panel.iter().enumerate() {
        let juror_id = user_id(ids.user, juror);
        diesel::insert_into(summons::table)
            .values((
                summons::id.eq(FirstIds::take(&mut ids.summons)),
                summons::case_id.eq(case_id),
                summons::juror_id.eq(juror_id),
                summons::round.eq(1),
                summons::status.eq(SeatStatus::Accepted),
                summons::summoned_at.eq(t.evidence_due),
                summons::respond_by.eq(t.evidence_due + TimeDelta::hours(24)),
                summons::answered_at.eq(Some(t.evidence_due + TimeDelta::hours(2))),
            ))
            .execute(conn)?;
        let Some(side) = plan.votes.get(seat) else { continue };
        let cast_at = (t.panel + TimeDelta::minutes(40 * seat as i64 + 30)).min(now);
        diesel::insert_into(votes::table)
            .values((
                votes::id.eq(FirstIds::take(&mut ids.vote)),
                votes::case_id.eq(case_id),
                votes::round.eq(1),
                votes::juror_id.eq(juror_id),
                votes::side.eq(side.as_str()),
                votes::reason.eq(REASONS[(seat + case_id as usize) % REASONS.len()]),
                votes::cast_at.eq(cast_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// PostgreSQL plans each session's foreign-key checks from the table sizes it knows; unless the
/// statistics follow the load, a check planned on a small table scans it whole ever after.
fn refresh_postgres_statistics(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Pg(_) = conn {
        diesel::sql_query("ANALYZE").execute(conn)?;
    }
    Ok(())
}

/// PostgreSQL hands out ids from sequences, which explicit ids do not advance.
fn restart_sequences(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Pg(_) = conn {
        for table in ["users", "cases", "case_events", "evidence", "jury_rounds", "summons", "votes"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}
