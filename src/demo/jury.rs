//! The demo's jury: a pool of jurors with varied expertise, trading sides and a simulated record,
//! and past cases a moderator marked as calibration cases for probation. The records are seed
//! data: each juror gets a skill and a bias, and the tallies those would have produced.

use super::{account, insert_person};
use crate::db::models::case as case_rows;
use crate::db::models::juror::{self, ProfileChange};
use crate::db::models::summons;
use crate::db::{write_tx, DbConnection};
use crate::domain::case::Windows;
use crate::domain::dispute::{Category, Side};
use crate::domain::filing::FilingForm;
use crate::domain::filing::Orders;
use crate::domain::juror::JurorStatus;
use crate::domain::matching::Categories;
use crate::domain::reputation::Tally;
use crate::services::account::Account;
use crate::services::case::file::file_case;
use crate::services::case::respond::{answer_case, AnswerForm};
use crate::services::case::withdraw::withdraw_case;
use crate::services::moderation::calibration::mark_calibration;
use crate::services::ServiceResult;
use chrono::{NaiveDateTime, TimeDelta};
use rand::seq::IndexedRandom;
use rand::Rng;

const POOL_SIZE: usize = 300;
const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"];
const GIVEN: [&str; 10] = ["小明", "晓雨", "建国", "静", "磊", "婷婷", "浩然", "思琪", "子涵", "一诺"];
const INTERESTS: [&str; 16] = [
    "iphone", "相机", "lego", "switch", "球鞋", "coach", "kindle", "耳机", "显卡", "手表", "汉服", "黑胶", "露营",
    "macbook", "口红", "盲盒",
];

fn email_of(i: usize) -> String {
    format!("juror{i:03}@demo.xiaofating.test")
}

/// Adds the juror pool (once). Every tenth juror is still on probation, a few have paused.
pub fn seed_pool(conn: &mut DbConnection, hash: &str, now: NaiveDateTime, rng: &mut impl Rng) -> ServiceResult<usize> {
    write_tx(conn, |conn| {
        let mut created = 0;
        for i in 0..POOL_SIZE {
            let name = format!("{}{} #{i:03}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / SURNAMES.len()) % GIVEN.len()]);
            let joined = now - TimeDelta::days(rng.random_range(30..400));
            let person = (email_of(i), name, if i % 4 == 0 { "en" } else { "zh-CN" });
            let Some(id) = insert_person(conn, (&person.0, &person.1, person.2, "member"), hash, joined, rng)? else {
                continue;
            };
            let (known, liked) = (rng.random_range(1..=3), rng.random_range(0..=3));
            let expertise: Vec<Category> = Category::ALL.choose_multiple(rng, known).copied().collect();
            let interests: Vec<&str> = INTERESTS.choose_multiple(rng, liked).copied().collect();
            let side = ["buy", "buy", "sell", "both"][rng.random_range(0..4)];
            let profile = ProfileChange {
                expertise: i32::from(Categories::of(&expertise).0),
                interests: &interests.join(" "),
                trading_side: side,
                capacity: rng.random_range(1..=5),
                updated_at: joined,
            };
            juror::insert(conn, (id, joined), &profile, joined)?;
            created += 1;
            if i % 10 == 0 {
                continue; // still on probation
            }
            juror::pass_probation(conn, id, joined + TimeDelta::days(2))?;
            if i % 37 == 5 {
                juror::set_status(conn, id, JurorStatus::Paused, None, now)?;
            }
            simulate_record(conn, (id, now), side, &expertise, rng)?;
        }
        Ok(created)
    })
}

/// A past record: votes on cases with known outcomes by a juror of some skill, with the leaning
/// research found (sellers a little pro-seller), spread over their categories.
fn simulate_record(
    conn: &mut DbConnection,
    (id, now): (i32, NaiveDateTime),
    side: &str,
    expertise: &[Category],
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let skill: f64 = rng.random_range(0.6..0.95);
    let bias = match side {
        "sell" => -0.08,
        "buy" => 0.04,
        _ => 0.0,
    } + rng.random_range(-0.04..0.04);
    let (sensitivity, specificity) = ((skill + bias).clamp(0.5, 0.99), (skill - bias).clamp(0.5, 0.99));
    let votes = rng.random_range(0..90);
    for _ in 0..votes {
        let truth = if rng.random_bool(0.5) { Side::Buyer } else { Side::Seller };
        let right = rng.random_bool(if truth == Side::Buyer { sensitivity } else { specificity });
        let mut one = Tally::default();
        one.record(if right { truth } else { truth.other() }, truth);
        let category = expertise.choose(rng).copied().unwrap_or(Category::Other);
        juror::add_to_tallies(conn, id, category.as_str(), &one, now)?;
    }
    let ignored = rng.random_range(0..3);
    juror::set_summons_counts(conn, id, votes + rng.random_range(0..5), ignored)?;
    Ok(())
}

/// (title, category, claimant side, claim, answer, who was right)
/// (item, category, dispute type, claimant side, claim, answer, right outcome)
const CALIBRATION: [(&str, &str, &str, &str, &str, &str, &str); 5] = [
    (
        "Nintendo Switch OLED",
        "electronics",
        "not_as_described",
        "buyer",
        "卖家写“国行全新未激活”，收到后开机显示已绑定他人账号，系统里有 300 小时游戏记录。",
        "我卖的时候确实是新的，账号记录可能是买家自己玩过再来退的，我不同意退款。",
        "buyer",
    ),
    (
        "AJ1 芝加哥 42 码",
        "clothing_shoes",
        "counterfeit",
        "buyer",
        "鉴定平台出具了“疑似非正品”的报告，鞋标车线歪斜，和卖家图片里的不一样。",
        "我图里就是这双鞋，买家可能调包了。但我没有发货前的鉴定或视频。",
        "buyer",
    ),
    (
        "佳能 EF 50mm f/1.8 镜头",
        "electronics",
        "not_as_described",
        "buyer",
        "收到的镜头对着光能看到明显霉斑，但卖家描述写的是“无霉无雾”。",
        "发货前拍了透光视频，没有霉斑；买家签收 40 天后才提出，期间放在潮湿的地方也会长霉。",
        "seller",
    ),
    (
        "Kindle Oasis 3",
        "books_media",
        "defective",
        "seller",
        "买家收货确认后又申请退款，说屏幕有坏点。我发货前拍了全白屏照片，没有坏点。",
        "屏幕右下角有一个亮的坏点，开机就能看到，我收货当天就拍了照片。",
        "seller",
    ),
    (
        "戴森吹风机 HD08",
        "home_appliances",
        "defective",
        "buyer",
        "收到后吹风机开机几秒就自动断电，卖家说是正常保护，拒绝退货。",
        "出厂的过热保护就是这样，可能是买家用的插座电压不稳，我发货前测试正常。",
        "buyer",
    ),
];

/// Past cases between the two archive accounts, closed, then marked by the moderator with their
/// right outcome: what probationary jurors review.
pub fn seed_calibration_cases(
    conn: &mut DbConnection,
    moderator: &Account,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<usize> {
    let (buyer, seller) =
        (account(conn, "archive-buyer@demo.xiaofating.test")?, account(conn, "archive-seller@demo.xiaofating.test")?);
    let mut created = 0;
    for (i, (title, category, kind, side, claim, answer, right)) in CALIBRATION.iter().enumerate() {
        let key = format!("demo-calibration-{i}");
        if case_rows::find_by_submission_key(conn, &key)?.is_some() {
            continue;
        }
        let (claimant, respondent) = if *side == "buyer" { (&buyer, &seller) } else { (&seller, &buyer) };
        let filed_at = now - TimeDelta::days(40 - i as i64);
        let form = FilingForm {
            my_side: side.to_string(),
            other_email: respondent.email.clone(),
            order_ref: format!("XY-ARCHIVE-{i}"),
            item_title: title.to_string(),
            category: category.to_string(),
            dispute_type: kind.to_string(),
            price: "800".into(),
            disputed: "800".into(),
            statement: claim.to_string(),
            remedy: if *side == "buyer" { "return_refund" } else { "release_payment" }.into(),
            remedy_amount: String::new(),
            order: String::new(),
        };
        let case = file_case(conn, claimant, &form, Orders::Optional, &key, Windows::default(), filed_at, rng)?;
        let reply = AnswerForm { statement: answer.to_string(), position: "reject".into(), ..Default::default() };
        answer_case(conn, respondent, &case.public_id, &reply, filed_at + TimeDelta::hours(5))?;
        withdraw_case(conn, claimant, &case.public_id, filed_at + TimeDelta::days(1))?;
        let reason = "Demo calibration case: the record leaves no doubt about the right outcome.";
        mark_calibration(conn, moderator, &case.public_id, (right, reason), filed_at + TimeDelta::days(2))?;
        created += 1;
    }
    Ok(created)
}

/// One demo juror with a pending summons, for the newcomer to sign in as.
pub fn a_summoned_juror(conn: &mut DbConnection) -> ServiceResult<Option<String>> {
    let demo_jurors: Vec<String> = (0..POOL_SIZE).map(email_of).collect();
    Ok(summons::pending_emails(conn, 50)?.into_iter().find(|e| demo_jurors.contains(e)))
}
