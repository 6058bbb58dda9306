//! Several servers of one court, as `scripts/scale-out` runs them: one PostgreSQL database, one
//! S3 bucket, one secret key. A person, a file, a limit or a job must not care which server
//! answers. These run on PostgreSQL and a real S3-API server (moto) whatever the suite runs on.

use crate::common::jury::{answer, file};
use crate::common::{servers_of_one_court, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;
use std::time::Duration;
use xiaofating::config::Rate;

async fn signed_in_name(server: &TestApp) -> String {
    let res = server.get("/account").await;
    assert_eq!(res.status(), StatusCode::OK, "signed in on {}", server.address);
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_session_made_on_one_server_is_valid_on_the_others() {
    let servers = servers_of_one_court(3, |_| {}).await;
    let buyer = servers[0].verified_member("buyer@example.com", "跨服买家").await;
    for server in &servers[1..] {
        let same_person = server.visited_by(&buyer);
        assert!(signed_in_name(&same_person).await.contains("跨服买家"));
    }
    // Signing out on one ends the session on all of them.
    assert_eq!(servers[2].visited_by(&buyer).sign_out().await.status(), StatusCode::SEE_OTHER);
    let res = servers[0].visited_by(&buyer).get("/account").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed out everywhere");
}

#[tokio::test]
async fn a_file_uploaded_through_one_server_is_served_by_another_from_the_object_store() {
    let servers = servers_of_one_court(2, |_| {}).await;
    let (one, other) = (&servers[0], &servers[1]);
    let buyer = one.verified_member("buyer@example.com", "买家").await;
    let seller = one.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com", "镜头").await;
    answer(&seller, &case).await;
    let photo = crate::common::browser::small_jpeg();
    let res = buyer.upload_evidence(&case, "开箱时镜头有划痕", Some(("lens.jpg", photo.clone()))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(one.stored_files().await, 1, "the file is in the bucket");
    assert!(!one.data_dir.join("evidence").exists(), "and not on the server's own disk");

    let seller_elsewhere = other.visited_by(&seller);
    let page = seller_elsewhere.get_html(&format!("/cases/{case}")).await;
    let src = page.split("<img src=\"").nth(1).expect("a thumbnail").split('"').next().unwrap().to_string();
    let res = seller_elsewhere.get(&src).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("lens.jpg"));
    let whole = res.bytes().await.unwrap();
    assert_eq!(&whole[..2], &[0xFF, 0xD8], "a JPEG, cleaned as it was stored");

    // A byte range, as a video player asks for one.
    let part = seller_elsewhere.client.get(other.url(&src)).header("Range", "bytes=2-9").send().await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 2-9/{}", whole.len()).as_str());
    assert_eq!(part.bytes().await.unwrap(), whole.slice(2..10));
    let past = seller_elsewhere.client.get(other.url(&src)).header("Range", "bytes=99999999-").send().await.unwrap();
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    // Nobody else gets it from any server.
    let stranger = other.new_visitor();
    assert_eq!(stranger.get(&src).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_wrong_password_limit_counts_across_servers() {
    let three_an_hour = Rate { burst: 3, every: Duration::from_secs(1200) };
    let servers = servers_of_one_court(2, |s| s.limits.rates.sign_in.per_account = three_an_hour).await;
    servers[0].register_only("owner@example.com", "Owner").await;
    // A guesser alternating between the servers gets three tries in all, not three on each.
    let mut answers = vec![];
    for attempt in 0..5 {
        let guesser = servers[attempt % 2].new_visitor();
        answers.push(guesser.sign_in("owner@example.com", "not the password at all").await.status());
    }
    let refused = answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(refused, 2, "{answers:?}");
    assert!(answers[..3].iter().all(|s| *s != StatusCode::TOO_MANY_REQUESTS), "{answers:?}");
}

#[tokio::test]
async fn two_servers_own_workers_run_each_due_deadline_once() {
    let servers = servers_of_one_court(2, |s| s.limits.deadline_poll = Duration::from_millis(100)).await;
    let buyer = servers[0].verified_member("buyer@example.com", "买家").await;
    let _seller = servers[1].verified_member("seller@example.com", "卖家").await;
    let mut cases = vec![];
    for n in 0..4 {
        cases.push(file(&buyer, "seller@example.com", &format!("物品 {n}")).await);
    }
    // The servers share one clock; both workers find the same due deadlines.
    servers[0].clock.advance(TimeDelta::hours(49));
    for case in &cases {
        servers[1].wait_for_state(case, "evidence").await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // a few more polls by both
    let app = &servers[0];
    assert_eq!(app.count("case_events WHERE kind = 'response_deadline_passed'").await, 4);
    assert_eq!(app.count("jobs WHERE kind = 'response_deadline' AND done_at IS NOT NULL").await, 4);
    let told = app.count("outbox WHERE kind = 'response_missed'").await;
    assert_eq!(told % 4, 0, "the same notices for every case: {told}");
    assert!(told > 0 && told <= 8, "each party told once per case: {told}");
}

#[tokio::test]
async fn a_server_with_a_key_of_its_own_making_is_refused_by_a_court_with_another() {
    let servers = servers_of_one_court(1, |_| {}).await;
    let mut settings = servers[0].settings().clone();
    let own = tempfile::tempdir().unwrap();
    settings.secret_key = vec![7; 64];
    settings.secret_key_given = false;
    settings.data_dir = own.path().to_path_buf();
    settings.bind = "127.0.0.1:0".into();
    let refused = xiaofating::startup::Application::build(settings.clone(), servers[0].clock.clone()).await;
    let why = refused.err().expect("refused").to_string();
    assert!(why.contains("give every server the same SECRET_KEY"), "{why}");
    // The operator's own SECRET_KEY is a rotation on purpose: taken, and it becomes the court's.
    settings.secret_key_given = true;
    assert!(xiaofating::startup::Application::build(settings, servers[0].clock.clone()).await.is_ok());
}

/// A server stopped while its mail worker is stuck on a send (here: an SMTP server that accepts
/// and never speaks) hands the message back to the queue, due at once, rather than leaving it
/// under lease for minutes: another server sends it now.
#[tokio::test]
async fn a_stopping_server_hands_back_the_messages_it_holds() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let smtp = format!("smtp://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let app = crate::common::spawn_app_with(move |s| {
        s.smtp_url = Some(smtp);
        s.limits.mail_stop_grace = Duration::from_millis(300);
    })
    .await;
    assert_eq!(app.register_only("new@example.com", "New").await.status(), StatusCode::SEE_OTHER);
    let started = std::time::Instant::now();
    while app.count("outbox WHERE attempts = 1").await == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the worker claims the message");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let now = app.clock.now().format("%Y-%m-%d %H:%M:%S%.f").to_string();
    assert_eq!(app.count(&format!("outbox WHERE available_at > '{now}'")).await, 1, "held under lease");
    app.stop().await;
    let now = app.clock.now().format("%Y-%m-%d %H:%M:%S%.f").to_string();
    let due = format!("outbox WHERE status = 'pending' AND attempts = 0 AND available_at <= '{now}'");
    assert_eq!(app.count(&due).await, 1, "handed back, due now, the cut-off attempt not counted");
    drop(silent);
}

/// A bucket that does not answer: the server is not ready (a balancer sends people elsewhere), and
/// an upload that reaches it anyway is refused beside the form, in the person's language, with
/// what they wrote kept and nothing recorded.
#[tokio::test]
async fn a_bucket_that_does_not_answer_is_said_plainly_and_loses_nothing_typed() {
    let app = crate::common::spawn_app_with(|s| s.files = crate::common::s3::unreachable_store()).await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["files"], "unreachable");

    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com", "耳机").await;
    answer(&seller, &case).await;
    let photo = Some(("ear.jpg", crate::common::browser::small_jpeg()));
    let res = buyer.upload_evidence(&case, "左耳没有声音的照片说明", photo).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("文件暂时无法保存，本次没有添加任何内容"), "{page}");
    assert!(page.contains("左耳没有声音的照片说明"), "what they wrote is still in the form");
    assert_eq!(app.count("evidence").await, 0);
}

/// A bucket that takes the connection and never answers: the uploads waiting on it hold no
/// database connection and no thread, so everyone else's pages are still served.
#[tokio::test]
async fn uploads_waiting_on_a_stalled_bucket_do_not_stop_the_court() {
    const UPLOADS: usize = 12; // more than the pool's connections and blocking threads
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("s3://xiaofating-test/x?endpoint=http://{}&region=us-east-1", silent.local_addr().unwrap());
    let (accepted_tx, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket); // read nothing, answer nothing
            let _ = accepted_tx.send(());
        }
    });
    let stalled =
        xiaofating::file_store::FileStore::open_with_keys(std::path::Path::new("."), Some(&url), Some(("a", "b")))
            .unwrap();
    let app = crate::common::spawn_app_with(move |s| s.files = stalled).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com", "耳机").await;
    answer(&seller, &case).await;
    let mut uploads = tokio::task::JoinSet::new();
    for i in 0..UPLOADS {
        let party = if i % 2 == 0 { buyer.visited_by(&buyer) } else { seller.visited_by(&seller) };
        let case = case.clone();
        uploads.spawn(async move {
            let photo = Some(("ear.jpg", crate::common::browser::small_jpeg()));
            party.upload_evidence(&case, "收货照片", photo).await
        });
    }
    for _ in 0..UPLOADS {
        tokio::time::timeout(Duration::from_secs(60), accepted.recv()).await.expect("every upload reached the bucket");
    }
    let page = buyer.client.get(app.url(&format!("/cases/{case}"))).timeout(Duration::from_secs(30)).send().await;
    assert_eq!(page.expect("the case page is served while the uploads wait").status(), StatusCode::OK);
    assert_eq!(app.count("evidence").await, 0, "nothing recorded before its file is stored");
    uploads.abort_all();
}
