//! `xiaofating demo`: a believable court for newcomers, built through the real services.
//! Idempotent: people are found by email and demo cases by their submission key.

mod full_case;
mod jury;
pub mod scale;
mod verdicts;

use crate::db::models::case as case_rows;
use crate::db::models::user::{self, NewUser};
use crate::db::{write_tx, DbConnection};
use crate::domain::account::{Role, DEFAULT_TIME_ZONE};
use crate::domain::case::Windows;
use crate::domain::filing::FilingForm;
use crate::domain::filing::Orders;
use crate::domain::public_id::new_public_id;
use crate::file_store::FileStore;
use crate::jobs::deadlines::run_due_jobs;
use crate::services::account::password::hash_password;
use crate::services::account::Account;
use crate::services::case::evidence::{add_evidence, EvidenceStore};
use crate::services::case::file::file_case;
use crate::services::case::respond::{answer_case, AnswerForm};
use crate::services::case::settle::{accept_settlement, propose_settlement, OfferForm};
use crate::services::case::withdraw::withdraw_case;
use crate::services::ServiceResult;
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

/// Every demo account signs in with this password (shown in the README).
pub const DEMO_PASSWORD: &str = "xiaofating-demo";

/// (email, display name, language, role)
const PEOPLE: &[(&str, &str, &str, Role)] = &[
    ("buyer@demo.xiaofating.test", "李雷 (buyer)", "zh-CN", Role::Member),
    ("seller@demo.xiaofating.test", "韩梅梅 (seller)", "zh-CN", Role::Member),
    ("alice@demo.xiaofating.test", "Alice Chen", "en", Role::Member),
    ("moderator@demo.xiaofating.test", "王老师 (moderator)", "zh-CN", Role::Moderator),
    ("admin@demo.xiaofating.test", "Admin", "en", Role::Admin),
    ("archive-buyer@demo.xiaofating.test", "档案买家 (past cases)", "zh-CN", Role::Member),
    ("archive-seller@demo.xiaofating.test", "档案卖家 (past cases)", "zh-CN", Role::Member),
];

/// Demo accounts are three months old, so their owners could serve as jurors at once.
const ACCOUNT_AGE: TimeDelta = TimeDelta::days(90);

/// What happens to a demo case after filing.
#[derive(Clone, Copy)]
enum Story {
    Unanswered,
    Answered,
    EvidenceClosed,
    Settled,
    Withdrawn,
    /// Heard by a jury that leans to the buyer with this probability; still open to appeal.
    Decided(f64),
    /// Heard, and the appeal window passed: final.
    Closed(f64),
    /// Heard, appealed by the loser, heard again by a larger panel leaning the other way.
    Appealed(f64, f64),
}

struct DemoCase {
    key: &'static str,
    claimant: &'static str,
    respondent: &'static str,
    side: &'static str,
    title: &'static str,
    category: &'static str,
    dispute_type: &'static str,
    price: &'static str,
    statement: &'static str,
    remedy: &'static str,
    answer: &'static str,
    story: Story,
}

const CASES: &[DemoCase] = &[
    DemoCase {
        key: "demo-case-1",
        claimant: "buyer@demo.xiaofating.test",
        respondent: "seller@demo.xiaofating.test",
        side: "buyer",
        title: "iPhone 13 128G 午夜色",
        category: "phones",
        dispute_type: "not_as_described",
        price: "2999",
        statement: "卖家描述“全新未拆封”，收到后发现包装已拆过，屏幕有两道划痕，电池健康 86%。",
        remedy: "full_refund",
        answer: "",
        story: Story::Unanswered,
    },
    DemoCase {
        key: "demo-case-2",
        claimant: "buyer@demo.xiaofating.test",
        respondent: "seller@demo.xiaofating.test",
        side: "buyer",
        title: "Sony WH-1000XM4 降噪耳机",
        category: "electronics",
        dispute_type: "defective",
        price: "1150",
        statement: "收到后左耳没有声音，联系卖家说发货前是好的，拒绝退货。我有开箱视频。",
        remedy: "return_refund",
        answer: "发货前我录了测试视频，两边都有声音。耳机是买家收货三天后才说坏的，可能是使用不当。",
        story: Story::Answered,
    },
    DemoCase {
        key: "demo-case-3",
        claimant: "seller@demo.xiaofating.test",
        respondent: "alice@demo.xiaofating.test",
        side: "seller",
        title: "Coach 托特包 (vintage)",
        category: "bags_luxury",
        dispute_type: "return_dispute",
        price: "860",
        statement: "买家收货后说是假货申请退款，但包是我在专柜买的，有购物小票。买家退回来的包和我寄出的不是同一个。",
        remedy: "release_payment",
        answer: "The bag arrived with a crooked logo and a paper tag that looks printed at home. I returned exactly what I received.",
        story: Story::EvidenceClosed,
    },
    DemoCase {
        key: "demo-case-4",
        claimant: "alice@demo.xiaofating.test",
        respondent: "seller@demo.xiaofating.test",
        side: "buyer",
        title: "Kindle Paperwhite 5",
        category: "books_media",
        dispute_type: "not_as_described",
        price: "520",
        statement: "The listing said no scratches, but the screen has a long scratch across the middle. I would accept a partial refund.",
        remedy: "partial_refund",
        answer: "",
        story: Story::Settled,
    },
    DemoCase {
        key: "demo-case-5",
        claimant: "buyer@demo.xiaofating.test",
        respondent: "nobody-yet@demo.xiaofating.test",
        side: "buyer",
        title: "宜家书架 (自提)",
        category: "home_appliances",
        dispute_type: "payment_dispute",
        price: "150",
        statement: "约好自提时间后卖家一直不回消息，已经付了定金 50 元，要求退回定金。",
        remedy: "full_refund",
        answer: "",
        story: Story::Withdrawn,
    },
    DemoCase {
        key: "demo-case-6",
        claimant: "buyer@demo.xiaofating.test",
        respondent: "seller@demo.xiaofating.test",
        side: "buyer",
        title: "Nikon Z50 微单相机",
        category: "electronics",
        dispute_type: "not_as_described",
        price: "3800",
        statement: "卖家说快门次数不到 3000，收到后查到 4.1 万次，取景器里还有灰。",
        remedy: "partial_refund",
        answer: "快门次数是我按机身菜单截图写的，买家查询的工具不准。取景器的灰擦一下就好。",
        story: Story::Decided(0.25),
    },
    DemoCase {
        key: "demo-case-7",
        claimant: "alice@demo.xiaofating.test",
        respondent: "seller@demo.xiaofating.test",
        side: "buyer",
        title: "LEGO 10294 泰坦尼克号",
        category: "collectibles_toys",
        dispute_type: "missing_parts",
        price: "2600",
        statement: "The listing said sealed and complete, but two bags were opened and 40 pieces are missing.",
        remedy: "return_refund",
        answer: "I sold it sealed. The buyer opened it and is now claiming pieces are missing.",
        story: Story::Closed(0.8),
    },
    DemoCase {
        key: "demo-case-8",
        claimant: "buyer@demo.xiaofating.test",
        respondent: "seller@demo.xiaofating.test",
        side: "buyer",
        title: "Apple Watch S8 不锈钢",
        category: "phones",
        dispute_type: "defective",
        price: "2100",
        statement: "收到的手表背面传感器有裂纹，心率测不出来。卖家说发货前是好的。",
        remedy: "full_refund",
        answer: "发货前录了视频，传感器完好、心率正常。裂纹是运输或收货后造成的，应找快递理赔。",
        story: Story::Appealed(0.75, 0.2),
    },
];

fn account(conn: &mut DbConnection, email: &str) -> ServiceResult<Account> {
    let row = user::find_by_email(conn, email)?.ok_or(crate::services::ServiceError::NotFound)?;
    Ok(Account::from(row))
}

/// Files one demo case at `filed_at` and plays its story through the services.
fn play(
    conn: &mut DbConnection,
    demo: &DemoCase,
    files: &FileStore,
    filed_at: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let claimant = account(conn, demo.claimant)?;
    let form = FilingForm {
        my_side: demo.side.into(),
        other_email: demo.respondent.into(),
        order_ref: format!("XY-{}", &demo.key[5..]),
        item_title: demo.title.into(),
        category: demo.category.into(),
        dispute_type: demo.dispute_type.into(),
        price: demo.price.into(),
        disputed: demo.price.into(),
        statement: demo.statement.into(),
        remedy: demo.remedy.into(),
        remedy_amount: "100".into(),
        order: String::new(),
    };
    let case = file_case(conn, &claimant, &form, Orders::Optional, demo.key, Windows::default(), filed_at, rng)?;
    let id = case.public_id.as_str();
    let later = filed_at + TimeDelta::hours(3);
    match demo.story {
        Story::Unanswered => {}
        Story::Answered | Story::EvidenceClosed | Story::Decided(_) | Story::Closed(_) | Story::Appealed(..) => {
            let respondent = account(conn, demo.respondent)?;
            let answer = AnswerForm { statement: demo.answer.into(), position: "reject".into(), ..Default::default() };
            answer_case(conn, &respondent, id, &answer, later)?;
            let store = EvidenceStore { files, files_per_party: 20 };
            add_evidence(
                conn,
                &claimant,
                id,
                ("补充：快递签收时外包装完好，问题在开箱后才发现。", None, "packaging_photos"),
                &store,
                later,
                rng,
            )?;
            add_evidence(
                conn,
                &respondent,
                id,
                ("Supplement: tracking number SF1234567890 shows delivery on day 2.", None, "tracking"),
                &store,
                later,
                rng,
            )?;
        }
        Story::Settled => {
            let respondent = account(conn, demo.respondent)?;
            let offer = OfferForm {
                remedy: "partial_refund".into(),
                amount: "80".into(),
                note: "Sorry about the scratch — I can refund ¥80.".into(),
            };
            propose_settlement(conn, &respondent, id, &offer, later)?;
            accept_settlement(conn, &claimant, id, later + TimeDelta::hours(1))?;
        }
        Story::Withdrawn => withdraw_case(conn, &claimant, id, later)?,
    }
    // The evidence window closes three days after the answer: the jury hears the case.
    let heard = later + Windows::default().evidence + TimeDelta::minutes(1);
    let jury = crate::services::jury::Jury::default();
    match demo.story {
        Story::Decided(lean) => {
            verdicts::hold_round(conn, id, (heard, lean), &jury, rng)?;
        }
        Story::Closed(lean) => {
            let decided = verdicts::hold_round(conn, id, (heard, lean), &jury, rng)?;
            verdicts::run_jobs(conn, &jury, decided + jury.rules.appeal_window)?;
        }
        Story::Appealed(first, second) => {
            let decided = verdicts::hold_round(conn, id, (heard, first), &jury, rng)?;
            verdicts::appeal(conn, id, demo.respondent, decided + TimeDelta::hours(1), &jury)?;
            let redrawn = decided + TimeDelta::hours(1) + jury.rules.appeal_evidence_window;
            verdicts::hold_round(conn, id, (redrawn, second), &jury, rng)?;
        }
        _ => {}
    }
    Ok(())
}

pub fn seed(
    conn: &mut DbConnection,
    files: &FileStore,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<String> {
    let (created, jurors) = seed_people(conn, now, rng)?;
    let moderator = account(conn, "moderator@demo.xiaofating.test")?;
    let calibration = jury::seed_calibration_cases(conn, &moderator, now, rng)?;
    let mut cases = 0;
    for demo in CASES {
        if case_rows::find_by_submission_key(conn, demo.key)?.is_some() {
            continue;
        }
        // Cases further along were filed longer ago; the verdict still open to appeal came
        // yesterday, so its appeal window is open now.
        let filed_at = match demo.story {
            Story::EvidenceClosed => now - TimeDelta::days(7),
            Story::Decided(_) => now - TimeDelta::days(4),
            Story::Closed(_) => now - TimeDelta::days(12),
            Story::Appealed(..) => now - TimeDelta::days(16),
            _ => now - TimeDelta::hours(4),
        };
        play(conn, demo, files, filed_at, rng)?;
        cases += 1;
    }
    // Closing the evidence schedules the draw, which runs on the next pass.
    let jury = crate::services::jury::Jury::default();
    while run_due_jobs(conn, &jury, now)? > 0 {}
    let summoned =
        jury::a_summoned_juror(conn)?.map(|email| format!("; {email} has a jury summons")).unwrap_or_default();
    Ok(format!(
        "demo court ready: {created} new of {} accounts, {cases} new of {} cases, {jurors} new jurors, \
         {calibration} new calibration cases{summoned}; every demo account's password is '{DEMO_PASSWORD}'",
        PEOPLE.len(),
        CASES.len()
    ))
}

/// The demo accounts and the jury pool, where missing: (new accounts, new jurors).
fn seed_people(conn: &mut DbConnection, now: NaiveDateTime, rng: &mut impl Rng) -> ServiceResult<(usize, usize)> {
    let hash = hash_password(DEMO_PASSWORD);
    let created = write_tx(conn, |conn| {
        let mut created = 0;
        for (email, name, locale, role) in PEOPLE {
            if insert_person(conn, (email, name, locale, role.as_str()), &hash, now - ACCOUNT_AGE, rng)?.is_some() {
                created += 1;
            }
        }
        Ok::<_, diesel::result::Error>(created)
    })?;
    Ok((created, jury::seed_pool(conn, &hash, now, rng)?))
}

/// `demo --full-case`: the demo accounts and jury pool, and one case through every stage.
pub fn seed_full_case(
    conn: &mut DbConnection,
    files: &FileStore,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<String> {
    seed_people(conn, now, rng)?;
    let full = full_case::play_full_case(conn, files, now, rng)?;
    Ok(if full.played {
        format!(
            "full case {} played through filing, answer, evidence, summons, votes, verdict, appeal, appeal verdict \
             and moderator override; {} messages wait in the outbox; every demo account's password is '{DEMO_PASSWORD}'",
            full.public_id, full.messages
        )
    } else {
        format!("full case {} was played before; nothing new", full.public_id)
    })
}

/// Adds a verified demo person unless their email is taken; returns the new row's id.
fn insert_person(
    conn: &mut DbConnection,
    (email, name, locale, role): (&str, &str, &str, &str),
    hash: &str,
    created_at: NaiveDateTime,
    rng: &mut impl Rng,
) -> diesel::QueryResult<Option<i32>> {
    if user::email_taken(conn, email)? {
        return Ok(None);
    }
    let row = user::insert(
        conn,
        &NewUser {
            public_id: &new_public_id(rng),
            email,
            display_name: name,
            password_hash: hash,
            locale,
            time_zone: DEFAULT_TIME_ZONE,
            role,
            email_verified_at: Some(created_at),
            created_at,
            updated_at: created_at,
        },
    )?;
    Ok(Some(row.id))
}
