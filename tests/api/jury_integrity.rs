//! A motivated party against the jury's independence (#29): each test performs one attack over
//! HTTP the way the security review did, and checks it no longer works.

use crate::common::{spawn_app, spawn_app_with, TestApp, PASSWORD};
use reqwest::StatusCode;
use xiaofating::config::RateLimits;

const NEW_PASSWORD: &str = "another long phrase 7";

async fn reset_link(app: &TestApp, email: &str) -> String {
    let res = app.submit("/password/forgot", "/password/forgot", &[("email", email)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.wait_for_mail("password_reset", email).await.link().replace(&app.address, "")
}

#[tokio::test]
async fn a_reset_link_asked_for_before_a_password_change_no_longer_works() {
    let app = spawn_app().await;
    let owner = app.verified_member("owner@example.com", "Owner").await;
    // Someone with a moment at the owner's mailbox asks for a reset link and keeps it.
    let stolen = reset_link(&app.new_visitor(), "owner@example.com").await;
    let change = [("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
    assert_eq!(owner.submit("/account", "/account/password", &change).await.status(), StatusCode::SEE_OTHER);
    let thief = app.new_visitor();
    let token = stolen.split("token=").nth(1).unwrap().to_string();
    let taken = "the thief's own phrase 3";
    let fields = [("token", token.as_str()), ("password", taken), ("password_confirm", taken)];
    assert_eq!(thief.submit(&stolen, "/password/reset", &fields).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(thief.sign_in("owner@example.com", taken).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_password_change_form_is_no_guessing_oracle() {
    let app = spawn_app_with(|s| s.limits.rates = RateLimits::default()).await;
    // A session left open on a shared computer: the current password is guessed on the account page.
    let borrowed = app.verified_member("borrowed@example.com", "Borrowed").await;
    let mut refused = 0;
    for n in 0..12 {
        let guess = format!("guess number {n}");
        let fields = [("current", guess.as_str()), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
        let res = borrowed.submit("/account", "/account/password", &fields).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        } else {
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    assert!(refused >= 6, "guesses past the limit wait ({refused} of 12 refused)");
}

#[tokio::test]
async fn guessing_a_respondents_password_cannot_lock_them_out_of_their_own_device() {
    let app = spawn_app_with(|s| s.limits.rates = RateLimits::default()).await;
    // The respondent registered (and so signed in) on their phone, then signed out.
    let owner = app.verified_member("respondent@example.com", "被投诉的卖家").await;
    owner.sign_out().await;
    // The claimant types wrong passwords for the respondent's email until the account limit trips.
    let claimant = app.new_visitor();
    let mut locked = false;
    for n in 0..12 {
        let res = claimant.sign_in("respondent@example.com", &format!("wrong guess {n}")).await;
        locked |= res.status() == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(locked, "the guesser is stopped");
    // The owner, on the device they signed in on before, still gets in with the right password.
    assert_eq!(owner.sign_in("respondent@example.com", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    // A device never used for this account shares the guessers' limit (the reset link remains).
    let fresh = app.new_visitor();
    assert_eq!(fresh.sign_in("respondent@example.com", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_partys_second_account_on_the_same_device_never_sits_on_their_jury() {
    use crate::common::jury::{case_ready_for_jury, jury_court, moderator};
    // Three seats; besides the parties, two jurors and the buyer's second account.
    let app = jury_court(3, 2).await;
    app.seed_jurors(&[("sock-puppet@example.com", "both")]).await;
    let buyer = app.juror("party-buyer@example.com").await;
    buyer.sign_out().await;
    assert_eq!(
        buyer.sign_in("sock-puppet@example.com", crate::common::JUROR_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let case = case_ready_for_jury(&app).await;
    // With the second account left out, two jurors cannot fill three seats: the moderators decide.
    app.wait_for_state(&case, "escalated").await;
    let summoned =
        app.count("summons s JOIN users u ON u.id = s.juror_id WHERE u.email = 'sock-puppet@example.com'").await;
    assert_eq!(summoned, 0, "the second account is never summoned");
    let staff = app.verified_member("staff@example.com", "值班管理员").await;
    moderator(&app, "staff@example.com").await;
    let file = staff.get_html(&format!("/moderation/cases/{case}")).await;
    assert!(file.contains("与当事人使用同一设备登录") && file.contains("sock-puppet"), "shown to the moderators");
}

#[tokio::test]
async fn the_leaderboard_does_not_change_when_one_case_closes() {
    use crate::common::jury::{case_ready_for_jury, jury_court, seat_panel, vote};
    let app = jury_court(3, 3).await;
    // Every juror has a record long enough for the board: ten judgements, eight right.
    let ten = "UPDATE jurors SET buyer_right = 5, buyer_right_voted_buyer = 4, seller_right = 5, seller_right_voted_seller = 4";
    app.execute(ten).await.unwrap();
    // Five earlier cases closed long ago, so the board has been published once.
    let earlier = app.verified_member("earlier@example.com", "以前的买家").await;
    for n in 0..5 {
        crate::common::jury::file(&earlier, &format!("old{n}@example.com"), "旧案").await;
    }
    app.execute("UPDATE cases SET state = 'closed'").await.unwrap();
    let case = case_ready_for_jury(&app).await;
    let board = |html: String| html.split("<main").nth(1).unwrap_or_default().to_string();
    let mut before = String::new();
    for _ in 0..100 {
        before = board(app.juror("party-seller@example.com").await.get_html("/jurors").await);
        if before.contains("juror0") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(before.contains("juror0"), "published: {before}");
    let seated = seat_panel(&app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", "买家照片里的磕碰清楚，卖家描述不实，支持退款。").await;
    vote(&seated[1].1, &case, "seller", "开箱视频证明发货时完好，磕碰发生在收货之后。").await;
    vote(&seated[2].1, &case, "buyer", "照片里的磕碰是新的，卖家描述不实。").await;
    app.wait_for_state(&case, "decided").await;
    app.clock.advance(chrono::TimeDelta::days(8));
    app.wait_for_state(&case, "closed").await;
    // The losing party diffs the board to learn who sat on their panel and who dissented.
    let after = board(app.juror("party-seller@example.com").await.get_html("/jurors").await);
    assert_eq!(before, after, "no figure moved because of one case");
}

#[tokio::test]
async fn a_juror_cannot_inflate_their_draw_weight_by_filling_in_their_profile() {
    use crate::common::jury::{answer, file, jury_court};
    let app = jury_court(1, 0).await;
    app.seed_jurors(&[("modest@example.com", "both"), ("inflater@example.com", "both")]).await;
    app.execute("UPDATE jurors SET expertise = 0, interests = ''").await.unwrap();
    let buyer = app.juror("party-buyer@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "徕卡 Q2 相机").await;
    answer(&app.juror("party-seller@example.com").await, &case).await;

    // Every category declared, and one-letter interests that are part of any title.
    let inflater = app.juror("inflater@example.com").await;
    let mut profile: Vec<(&str, &str)> =
        xiaofating::domain::dispute::Category::ALL.iter().map(|c| ("expertise", c.as_str())).collect();
    profile.extend([("side", "both"), ("capacity", "5")]);
    let letters = [profile.clone(), vec![("interests", "a, e, i, o, 相")]].concat();
    assert_eq!(inflater.submit("/juror", "/juror", &letters).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let words = [profile, vec![("interests", "徕卡, 相机, leica, 二手, 摄影")]].concat();
    assert_eq!(inflater.submit("/juror", "/juror", &words).await.status(), StatusCode::SEE_OTHER);

    // One seat, two candidates with the same (empty) record: how often is each drawn?
    let (pool, now) = (app.pool.clone(), app.clock.now());
    let (modest, inflated) = tokio::task::spawn_blocking(move || {
        use rand::SeedableRng;
        use xiaofating::db::models::{case, user};
        use xiaofating::services::jury::{draw::draw, Jury};
        let conn = &mut *pool.get().unwrap();
        let row = case::find_by_public_id(conn, &case).unwrap().unwrap();
        let inflater = user::find_by_email(conn, "inflater@example.com").unwrap().unwrap().id;
        let jury = Jury::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(29);
        let drawn: Vec<i32> =
            (0..4000).map(|_| draw(conn, &row, 1, &jury, now, &mut rng).unwrap().expect("drawn")[0]).collect();
        let inflated = drawn.iter().filter(|id| **id == inflater).count() as f64;
        (drawn.len() as f64 - inflated, inflated)
    })
    .await
    .unwrap();
    let ratio = inflated / modest;
    let bound = xiaofating::domain::matching::MatchPolicy::default().profile_bound;
    assert!(ratio < bound * 1.15, "the profile raised the weight ×{ratio:.2}; the bound is ×{bound}");
}

#[tokio::test]
async fn contact_details_in_dodging_spellings_and_the_parties_own_names_never_reach_a_juror() {
    use crate::common::jury::{answer, file, jury_court, seat_panel};
    let app = jury_court(3, 3).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "索尼 A7M3 相机 V❤ lily2020").await;
    answer(&app.juror("party-seller@example.com").await, &case).await;
    let spelled = "我是 party-buyer，加 V❤ lily2020 或 微 信 lily_2021，手机 138.1234.5678，\
                   邮箱 lilei at example dot com，QQ：一二三四五六七八，我的闲鱼账号 lucky_cat88";
    assert_eq!(buyer.upload_evidence(&case, spelled, None).await.status(), StatusCode::SEE_OTHER);
    app.clock.advance(chrono::TimeDelta::hours(73));
    let seated = seat_panel(&app, &case, 3).await;
    let page = seated[0].1.get_html(&format!("/juror/cases/{case}")).await;
    assert!(page.contains("[***]"), "the statement is there, masked");
    for secret in ["party-buyer", "lily2020", "lily_2021", "1234", "lilei", "一二三四五六七八", "lucky_cat88"] {
        assert!(!page.contains(secret), "{secret} reached the juror");
    }
    for mail in app.mails().iter().filter(|m| m.to == seated[0].0) {
        assert!(!mail.subject.contains("lily2020") && !mail.text.contains("lily2020"), "{}", mail.subject);
    }
}

fn jpeg_segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((contents.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(contents);
    out
}

#[tokio::test]
async fn metadata_in_evidence_never_reaches_the_other_side_or_the_jury() {
    use crate::common::jury::{answer, file, jury_court};
    let app = jury_court(3, 3).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "索尼耳机").await;
    answer(&seller, &case).await;

    let tiny = include_bytes!("../fixtures/tiny.jpg");
    let mut photo = tiny[..2].to_vec();
    photo.extend(jpeg_segment(0xE2, b"ICC_PROFILE\0\x01\x01desc: Li Lei's phone"));
    photo.extend(jpeg_segment(0xEB, b"JPXT private: 13812345678"));
    photo.extend(jpeg_segment(0xFE, b"comment: Nanjing Road"));
    photo.extend_from_slice(&tiny[2..]);
    let mut gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
    gif.extend_from_slice(b"\x21\xfe\x0fcomment: Li Lei\0");
    gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
    let pdf = include_bytes!("../fixtures/receipt-with-metadata.pdf").to_vec();
    for (name, bytes) in [("photo.jpg", photo), ("anim.gif", gif), ("invoice\u{202E}gpj.exe.pdf", pdf)] {
        assert_eq!(buyer.upload_evidence(&case, "", Some((name, bytes))).await.status(), StatusCode::SEE_OTHER);
    }
    let script = include_bytes!("../fixtures/opens-a-script.pdf").to_vec();
    let refused = buyer.upload_evidence(&case, "发票", Some(("invoice.pdf", script))).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("打开时会运行脚本"));

    let page = seller.get_html(&format!("/cases/{case}")).await;
    assert!(!page.contains('\u{202E}'), "no direction override in a shown file name");
    let items: Vec<String> =
        page.split("href=\"/evidence/").skip(1).map(|s| s.split(['"', '/', '?']).next().unwrap().to_string()).collect();
    assert!(items.len() >= 3, "{items:?}");
    for item in items {
        let bytes = seller.get(&format!("/evidence/{item}")).await.bytes().await.unwrap();
        for secret in [&b"Li Lei"[..], b"13812345678", b"Nanjing"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret), "{} in {item}", String::from_utf8_lossy(secret));
        }
    }
}

#[tokio::test]
async fn the_development_mailbox_is_closed_when_the_court_listens_beyond_this_machine() {
    // BASE_URL says localhost, but the court listens on every interface.
    let open = spawn_app_with(|s| s.bind = "0.0.0.0:0".into()).await;
    let stranger = open.new_visitor();
    open.verified_member("reset-me@example.com", "Owner").await;
    assert_eq!(stranger.get("/dev/mail").await.status(), StatusCode::NOT_FOUND, "reset links stay private");
    // Listening on this machine only (a newcomer's first run), the mailbox is there.
    let local = spawn_app().await;
    assert_eq!(local.new_visitor().get("/dev/mail").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_active_juror_cannot_tell_a_calibration_case_from_a_real_one_by_opening_it() {
    use crate::common::jury::{answer, calibration_cases, file, jury_court};
    let app = jury_court(3, 3).await;
    let calibration = calibration_cases(&app, &["buyer"]).await.remove(0);
    let real = file(&app.juror("party-buyer@example.com").await, "party-seller@example.com", "相机").await;
    answer(&app.juror("party-seller@example.com").await, &real).await;
    let juror = app.juror("juror0@example.com").await;
    // Neither is theirs: both answer alike, so an audit slipped into their queue later is not
    // recognisable as one.
    let answers = [
        juror.get(&format!("/juror/cases/{calibration}")).await.status(),
        juror.get(&format!("/juror/cases/{real}")).await.status(),
    ];
    assert_eq!(answers, [StatusCode::NOT_FOUND, StatusCode::NOT_FOUND]);
}

#[tokio::test]
async fn a_verification_link_someone_sends_you_does_not_sign_you_into_their_account() {
    let app = spawn_app().await;
    let attacker = app.new_visitor();
    attacker.register_only("planted@example.com", "Planted").await;
    let link = app.wait_for_mail("account_verify", "planted@example.com").await.link().replace(&app.address, "");
    let token = link.split("token=").nth(1).unwrap().to_string();
    // The victim confirms the link in their own browser: the address is verified, nobody signed in.
    let victim = app.new_visitor();
    let res = victim.submit(&link, "/verify", &[("token", &token)]).await;
    assert_eq!(crate::common::location(&res), "/signin");
    assert_eq!(crate::common::location(&victim.get("/account").await), "/signin?next=%2Faccount");
}
