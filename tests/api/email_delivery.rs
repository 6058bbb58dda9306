//! Delivery through a real SMTP server: MIME, retries after 4xx, dead letters on 5xx, and a
//! server killed mid-delivery losing nothing.

use crate::common::smtp::SmtpServer;
use crate::common::{spawn_app_with, TestApp};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use xiaofating::domain::locale::Locale;
use xiaofating::email::message::Mail;

async fn court_with(smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    spawn_app_with(move |s| s.smtp_url = Some(url)).await
}

/// Waits until `n` messages are recorded as sent: the record follows the SMTP server's reply, so a
/// message can arrive a moment before its row says so.
async fn until_sent(app: &TestApp, n: i64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.count("outbox WHERE status = 'sent'").await < n {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_message_arrives_over_smtp_as_multipart_utf8_with_links_to_the_court() {
    let smtp = SmtpServer::start();
    let app = court_with(&smtp).await;
    app.register("li@example.com", "李雷").await;
    eventually("the verification mail", || !smtp.received().is_empty()).await;
    let mail = smtp.received().remove(0);
    assert_eq!(mail.kind, "account_verify");
    assert!(mail.to.contains("li@example.com"));
    assert_eq!(mail.subject, "验证你在小法庭的邮箱", "UTF-8 subject decodes");
    assert!(mail.message_id.ends_with("@127.0.0.1>"), "{}", mail.message_id);
    assert_eq!(mail.message_id.matches('@').count(), 1, "a valid Message-ID: {}", mail.message_id);
    assert!(!mail.message_id.contains("li@") && !mail.message_id.contains("example"), "names no one");
    assert!(mail.text.contains("李雷") && mail.html.contains("<html lang=\"zh-CN\">"), "text and HTML parts");
    assert!(mail.link().starts_with(&format!("{}/verify?token=", app.address)));
    until_sent(&app, 1, "the message recorded as sent").await;
    assert_eq!(app.count("outbox WHERE status = 'sent'").await, 1);
    assert!(app.mails().is_empty(), "no development files when SMTP is set");
}

#[tokio::test]
async fn a_temporary_refusal_waits_and_is_delivered_after_recovery() {
    let smtp = SmtpServer::start();
    smtp.set_tempfail(true);
    let app = court_with(&smtp).await;
    app.register("later@example.com", "Later").await;
    let failed_once = || app.count("outbox WHERE attempts >= 1 AND status = 'pending' AND last_error LIKE '%451%'");
    let deadline = Instant::now() + Duration::from_secs(20);
    while failed_once().await == 0 {
        assert!(Instant::now() < deadline, "the 451 was never recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(smtp.received().is_empty());
    assert_eq!(app.count("outbox WHERE attempts = 1").await, 1, "one send, one attempt");
    smtp.set_tempfail(false);
    // The first retry comes 30 s later, not a minute.
    app.clock.advance(chrono::TimeDelta::seconds(31));
    until_sent(&app, 1, "delivery after recovery").await;
    // Recorded as sent only after the server took it: nothing is left to send, so nothing more
    // can arrive.
    assert_eq!(app.count("outbox WHERE status <> 'sent'").await, 0);
    assert_eq!(smtp.received().len(), 1, "delivered exactly once");
}

#[tokio::test]
async fn a_permanent_refusal_kills_only_that_message() {
    let smtp = SmtpServer::start();
    smtp.reject(&["nobody@example.com"]);
    let app = court_with(&smtp).await;
    app.register("nobody@example.com", "Nobody").await;
    app.new_visitor().register("somebody@example.com", "Somebody").await;
    eventually("the good message", || smtp.received().iter().any(|m| m.to.contains("somebody@example.com"))).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.count("outbox WHERE status = 'dead' AND last_error LIKE '%550%'").await != 1 {
        assert!(Instant::now() < deadline, "the refused message was not marked dead");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!smtp.received().iter().any(|m| m.to.contains("nobody@example.com")));

    // A moderator sees it with the server's answer, fixes the cause and sends it again.
    let moderator = app.new_visitor();
    moderator.register("mod@example.com", "管理员").await;
    assert_eq!(moderator.get("/moderation").await.status(), reqwest::StatusCode::NOT_FOUND, "members have no queue");
    let (pool, email) = (app.pool.clone(), "mod@example.com");
    tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let row = xiaofating::db::models::user::find_by_email(conn, email).unwrap().unwrap();
        xiaofating::db::models::user::set_role(conn, row.id, "moderator", row.created_at).unwrap();
    })
    .await
    .unwrap();
    let queue = moderator.get_html("/moderation").await;
    assert!(queue.contains("nobody@example.com") && queue.contains("550"), "{queue}");
    smtp.reject(&[]);
    let id: i32 = queue
        .split("action=\"/moderation/mail/")
        .skip(1)
        .find_map(|rest| rest.split('/').next().unwrap().parse().ok())
        .expect("a retry button for the message");
    let res = moderator.submit("/moderation", &format!("/moderation/mail/{id}/retry"), &[]).await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    eventually("the message sent again", || smtp.received().iter().any(|m| m.to.contains("nobody@example.com"))).await;
    assert!(moderator.get_html("/moderation").await.contains("所有邮件都已送达或仍在重试"));
}

#[tokio::test]
async fn killing_the_smtp_server_mid_delivery_loses_nothing() {
    let mut smtp = SmtpServer::start();
    // The server takes 20 messages and then hangs: the kill always comes mid-delivery, however
    // fast the machine.
    smtp.stall_after(Some(20));
    let app = court_with(&smtp).await;
    // Queue a backlog straight into the outbox, as services do.
    let pool = app.pool.clone();
    let keys: Vec<String> = tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let now = chrono::Utc::now().naive_utc();
        (0..300)
            .map(|i| {
                let key = format!("account_verify:load{i}:1");
                let mail = Mail::AccountVerify { name: format!("User {i}"), token: format!("t{i}") };
                xiaofating::services::outbox::enqueue(
                    conn,
                    &key,
                    &format!("user{i}@example.com"),
                    Locale::En,
                    &mail,
                    now,
                )
                .unwrap();
                xiaofating::jobs::outbox_worker::message_id(&key, "127.0.0.1")
            })
            .collect()
    })
    .await
    .unwrap();
    eventually("20 deliveries before the crash", || smtp.received().len() == 20).await;
    let in_flight = || app.count("outbox WHERE status = 'pending' AND attempts > 0");
    let deadline = Instant::now() + Duration::from_secs(20);
    while in_flight().await == 0 {
        assert!(Instant::now() < deadline, "no send was under way when the server was killed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    smtp.kill();
    assert_eq!(smtp.received().len(), 20, "the crash came mid-delivery");
    smtp.stall_after(None);
    smtp.restart();
    // Failed sends wait out their backoff; move the clock instead of waiting.
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.count("outbox WHERE status = 'sent'").await < 300 {
        assert!(Instant::now() < deadline, "not everything was delivered after the restart");
        assert_eq!(app.count("outbox WHERE status = 'dead'").await, 0, "nothing is given up on");
        app.clock.advance(chrono::TimeDelta::minutes(5));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let received = smtp.received();
    let ids: HashSet<String> = received.iter().map(|m| m.message_id.clone()).collect();
    let expected: HashSet<String> = keys.into_iter().collect();
    assert_eq!(ids, expected, "every queued message arrived, and nothing else");
    assert!(received.len() >= 300, "duplicates are allowed only as resends of the same Message-ID");
}

#[tokio::test]
async fn a_full_case_sends_each_recipient_each_stage_exactly_once() {
    let smtp = SmtpServer::start();
    let app = court_with(&smtp).await;
    // The case is played three weeks up to a month from now, so the court's own workers, which
    // follow the court's clock, leave its deadlines and mail alone until the clock gets there.
    let later = chrono::TimeDelta::days(30);
    let (pool, then) = (app.pool.clone(), app.clock.now() + later);
    let folder = tempfile::tempdir().unwrap();
    let files = xiaofating::file_store::FileStore::Folder(folder.path().to_path_buf());
    let report = tokio::task::spawn_blocking(move || {
        xiaofating::demo::seed_full_case(&mut pool.get().unwrap(), &files, then, &mut rand::rng())
    })
    .await
    .unwrap()
    .unwrap();
    app.clock.advance(later + chrono::TimeDelta::minutes(1));
    assert!(report.contains("moderator override"), "{report}");
    assert_eq!(app.case_state(report.split_whitespace().nth(2).unwrap()).await, "overridden");
    let queued = app.count("outbox").await;
    until_sent(&app, queued, "every message of the case delivered").await;
    let received = smtp.received();
    assert_eq!(received.len() as i64, queued, "each message arrived once");
    let mut per_recipient: std::collections::HashMap<(String, String), usize> = Default::default();
    for mail in &received {
        assert!(!mail.subject.is_empty() && !mail.text.is_empty() && mail.html.contains("<html"), "{}", mail.kind);
        assert!(mail.link().starts_with(&app.address), "{} links to {}", mail.kind, mail.link());
        *per_recipient.entry((mail.to.clone(), mail.kind.clone())).or_default() += 1;
        // RFC 5322: one `@`, a dot-atom before it; and the recipient's address is not in a header
        // every relay logs.
        let (left, _) = mail.message_id.trim_matches(['<', '>']).split_once('@').unwrap();
        assert!(!left.contains('@') && !mail.message_id.contains(".xiaofating.test"), "{}", mail.message_id);
    }
    let ids: HashSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), received.len(), "one Message-ID per message");
    let count = |to: &str, kind: &str| per_recipient.get(&(to.to_string(), kind.to_string())).copied().unwrap_or(0);
    let (buyer, seller) = ("buyer@demo.xiaofating.test", "seller@demo.xiaofating.test");
    for kind in ["case_filed", "answer_received"] {
        assert_eq!(count(buyer, kind), 1, "{kind}");
    }
    assert_eq!(count(seller, "case_against_you"), 1);
    for party in [buyer, seller] {
        for kind in [
            "evidence_deadline_soon",
            "evidence_closed",
            "verdict",
            "appeal_filed",
            "appeal_verdict",
            "moderator_override",
        ] {
            assert_eq!(count(party, kind), 1, "{party} {kind}");
        }
        assert_eq!(count(party, "voting_started"), 2, "once for each panel");
    }
    // Jurors: no stage repeats for anyone; each kind reached as many jurors as the case had.
    for ((to, kind), n) in &per_recipient {
        if to.contains("juror") {
            assert_eq!(*n, 1, "{to} got {kind} {n} times");
        }
    }
    let jurors_with = |kind: &str| per_recipient.keys().filter(|(to, k)| k == kind && to.contains("juror")).count();
    let summoned = app.count("summons").await as usize;
    let seated = app.count("summons WHERE status = 'accepted'").await as usize;
    let first_panel = app.count("summons WHERE status = 'accepted' AND round = 1").await as usize;
    assert_eq!(jurors_with("jury_summons"), summoned);
    assert_eq!(jurors_with("summons_replaced"), 1, "the juror who let the summons lapse");
    assert_eq!(jurors_with("verdict"), first_panel);
    // After the appeal: the appeal panel, and the first panel's jurors who voted (one who never
    // voted has nothing to hear about an appeal).
    let told = "summons s WHERE s.status = 'accepted' AND (s.round = 2 OR EXISTS \
                (SELECT 1 FROM votes v WHERE v.juror_id = s.juror_id AND v.case_id = s.case_id))";
    let told = app.count(told).await as usize;
    assert!(told < seated, "some first-round jurors never voted: {told} of {seated}");
    assert_eq!(jurors_with("appeal_verdict"), told);
    assert_eq!(jurors_with("moderator_override"), told);
    assert!(jurors_with("voting_reminder") > 0, "jurors who had not voted a day before the deadline");
}

#[tokio::test]
async fn a_mail_server_that_never_answers_holds_up_no_web_request() {
    // Accepts connections (the kernel's backlog) and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let app = spawn_app_with(move |s| s.smtp_url = Some(url)).await;
    for i in 0..4 {
        let visitor = app.new_visitor();
        // A guard against hanging for ever, not a speed check.
        let res = tokio::time::timeout(Duration::from_secs(60), visitor.register(&format!("u{i}@example.com"), "用户"))
            .await
            .expect("the registration is answered while the mail server hangs");
        assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
        assert_eq!(visitor.get("/cases").await.status(), reqwest::StatusCode::OK, "the next page too");
    }
    assert_eq!(app.count("outbox").await, 4, "every message is kept");
    assert_eq!(app.count("outbox WHERE status = 'sent'").await, 0);
    drop(silent);
}

/// Work that queues mail wakes the mail worker itself: with the worker's own look-round an hour
/// apart, messages still leave at once — queued by a request (a registration, a filing) and by the
/// deadline worker (a missed response). The checks only look; nothing here delivers for the court.
#[tokio::test]
async fn work_that_queues_mail_wakes_the_mail_worker() {
    let app = spawn_app_with(|s| s.limits.mail_poll = Duration::from_secs(3600)).await;
    let sent = |kind: &'static str, to: &'static str| {
        let app = &app;
        move || app.mails().iter().any(|m| m.kind == kind && m.to.contains(to))
    };
    app.register("li@example.com", "李雷").await;
    eventually("the verification mail", sent("account_verify", "li@example.com")).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let case = crate::common::jury::file(&buyer, "seller@example.com", "相机").await;
    eventually("the filing's notice", sent("case_invitation", "seller@example.com")).await;
    app.clock.advance(chrono::TimeDelta::hours(49));
    app.wait_for_state(&case, "evidence").await;
    eventually("the missed response's notice", sent("response_missed", "buyer@example.com")).await;
}
