//! Operations and the frame every page shares: health, metrics, headers, errors, assets, CLI.

use crate::common::spawn_app;
use reqwest::StatusCode;
use std::process::Command;

#[tokio::test]
async fn readyz_reports_the_database_and_healthz_only_that_the_server_lives() {
    let app = spawn_app().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["database"], "ok");

    // With every connection taken the database cannot answer: not ready (503, not a hang or a
    // 500), yet alive: a load balancer stops sending it work, a supervisor does not restart it.
    let pool = app.pool.clone();
    let held =
        tokio::task::spawn_blocking(move || (0..pool.max_size()).map(|_| pool.get().unwrap()).collect::<Vec<_>>())
            .await
            .unwrap();
    assert_eq!(app.get("/readyz").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    drop(held);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = spawn_app().await;
    app.get("/").await;
    app.get("/no/such/page").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains(r#"xiaofating_http_requests_total{endpoint="/",method="GET",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"endpoint="UNMATCHED""#), "unknown paths do not explode the label set");
    assert!(text.contains("xiaofating_http_requests_duration_seconds_bucket"));
    assert!(text.contains("xiaofating_db_pool_connections"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/signin", "/no/such/page", "/static/app.css", "/healthz"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap()).unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
    }
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404_in_the_visitors_language() {
    let app = spawn_app().await;
    let res = app.get("/no/such/page/here").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("页面不存在") && html.contains("href=\"/\""));
    let res = app.client.get(app.url("/nope")).header("Accept-Language", "en").send().await.unwrap();
    assert!(res.text().await.unwrap().contains("Page not found"));
    let res = app.client.delete(app.url("/")).send().await.unwrap();
    assert!(res.status().is_client_error());
    assert!(res.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn the_stylesheet_is_cached_with_an_etag() {
    let app = spawn_app().await;
    let home = app.get_html("/").await;
    let href = home.split("href=\"/static/app.css?v=").nth(1).unwrap().split('"').next().unwrap();
    let res = app.get(&format!("/static/app.css?v={href}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
    let etag = res.headers().get("etag").unwrap().clone();
    let again = app.client.get(app.url("/static/app.css")).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xiaofating"))
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["demo", "--help"],
        &["admin", "create-moderator", "--help"],
        &["admin", "create-admin", "--help"],
        &["outbox", "status", "--help"],
        &["outbox", "drain", "--help"],
        &["outbox", "retry-dead", "--help"],
    ] {
        let out = cli().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{args:?}");
    }
    // Each lists its own options only: delivering mail has no quorum or deadlines to set.
    let drain = cli().args(["outbox", "drain", "--help"]).output().unwrap();
    let drain = String::from_utf8_lossy(&drain.stdout);
    assert!(drain.contains("--smtp-url") && !drain.contains("--quorum") && !drain.contains("--bind"), "{drain}");
}

#[test]
fn bad_configuration_fails_at_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATA_DIR", dir.path())
        .env("SMTP_URL", "not a url")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SMTP_URL"), "{}", String::from_utf8_lossy(&out.stderr));
    // A typo in DATABASE_URL is refused before anything is created, naming the forms it accepts.
    let missing = dir.path().join("no/such/dir/x.db");
    let missing = format!("sqlite://{}", missing.display());
    for (url, says) in [
        ("mysql://nope", "sqlite://PATH"),
        ("not a url at all", "sqlite://PATH"),
        ("court", "sqlite://PATH"),
        (missing.as_str(), "does not exist"),
    ] {
        let out = cli().args(["migrate"]).env("DATA_DIR", dir.path()).env("DATABASE_URL", url).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url}");
        assert!(stderr.contains("DATABASE_URL") && stderr.contains(says), "{url}: {stderr}");
    }
    let created: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(
        created.iter().all(|name| name == "secret_key" || name == "mail"),
        "no database file, no folder: {created:?}"
    );
    // `sqlite:relative.db`, a common spelling, is a file named relative.db.
    let out = cli()
        .args(["migrate"])
        .current_dir(dir.path())
        .env("DATA_DIR", dir.path())
        .env("DATABASE_URL", "sqlite:relative.db")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("relative.db").is_file());
}

/// Every setting `serve` reads is checked before it listens: a bad value ends it at once, with a
/// message naming the variable to fix.
#[test]
fn every_bad_setting_is_refused_at_start_naming_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "").unwrap();
    let a_file = a_file.display().to_string();
    let bad = [
        ("DATA_DIR", a_file.as_str()),
        ("BIND", "port 8080"),
        ("BASE_URL", "ftp://court.example.com"),
        ("SMTP_URL", "http://mail.example.com"),
        ("MAIL_FROM", "court at example dot com"),
        ("SECRET_KEY", "too short"),
        ("RESPONSE_WINDOW_HOURS", "0"),
        ("EVIDENCE_WINDOW_HOURS", "two days"),
        ("JUROR_MIN_ACCOUNT_DAYS", "-1"),
        ("QUORUM", "sometimes"),
        ("QUORUM_BY_CATEGORY", "electronics=first_to:0:0"),
        ("VOTING_HOURS", "9999"),
        ("APPEAL_HOURS", "0"),
        ("APPEAL_EVIDENCE_HOURS", "x"),
        ("SUMMONS_HOURS", "1000"),
        ("PROBATION_REVIEWS", "0"),
        ("PROBATION_PASS", "9"),
        ("NO_SHOW_LIMIT", "0"),
        ("AUDIT_PERCENT", "150"),
        ("VIDEO_MAX_MB", "0"),
        ("RATE_LIMIT_SCALE", "0"),
        ("LOG_FORMAT", "xml"),
        ("TRUSTED_PROXIES", "10.0.0.0/99"),
    ];
    for (variable, value) in bad {
        let data_dir = tempfile::tempdir().unwrap();
        let child = cli()
            .args(["serve"])
            .env("DATA_DIR", data_dir.path())
            .env("BIND", "127.0.0.1:0")
            .env(variable, value)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = ends_within(child, &format!("serve with {variable}={value}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{variable}={value} was accepted");
        assert!(stderr.contains(variable), "{variable}={value}: the message does not name it: {stderr}");
    }
}

#[tokio::test]
async fn the_first_admin_comes_from_the_command_line_and_manages_moderators() {
    let app = crate::common::spawn_app().await;
    let out = cli()
        .args(["admin", "create-admin", "--email", "Chief@Example.com"])
        .env("DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let password = stdout.split("with password: ").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    assert!(stdout.starts_with("created admin chief@example.com with password: "), "{stdout}");
    let admin = app.new_visitor();
    assert_eq!(admin.sign_in("chief@example.com", &password).await.status(), StatusCode::SEE_OTHER);
    let member = app.verified_member("helper@example.com", "Helper").await;
    let grant = [("email", "helper@example.com"), ("reason", "Covers the weekend queue."), ("action", "grant")];
    let res = admin.submit("/moderation/moderators", "/moderation/moderators", &grant).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(member.get("/moderation").await.status(), StatusCode::OK, "the admin made a moderator");
    // Run again: nothing new, and it says so.
    let again = cli()
        .args(["admin", "create-admin", "--email", "chief@example.com"])
        .env("DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("was already an admin"));
}

/// `migrate`, `demo` and `demo --full-case` (each twice: idempotent) and `admin create-moderator`
/// against the backend under test.
#[test]
fn operator_commands_work_and_demo_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _database) = crate::common::test_database(dir.path());
    let run = |args: &[&str]| {
        let out = cli().args(args).env("DATA_DIR", dir.path()).env("DATABASE_URL", &url).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(run(&["migrate"]).contains("up to date"));
    let first = run(&["demo"]);
    assert!(
        first.contains("7 new of 7 accounts, 8 new of 8 cases, 300 new jurors, 5 new calibration cases"),
        "{first}"
    );
    assert!(first.contains("has a jury summons"), "the demo case with closed evidence drew a panel: {first}");
    assert!(run(&["demo"]).contains("0 new of 7 accounts, 0 new of 8 cases, 0 new jurors, 0 new calibration cases"));
    // Notices of the eight demo cases (three heard by juries: summonses, verdicts to the parties
    // and every juror — after the appeal, its panel and the first jurors who voted), of the five
    // calibration cases, and the open panel's summonses.
    // No "evidence closes soon": the demo replays past weeks, and a reminder due after its deadline
    // has passed is not sent.
    let status = run(&["outbox", "status"]);
    assert!(status.contains("pending 279") && status.contains("sent 0"), "{status}");
    assert!(run(&["outbox", "drain"]).contains("279 delivery attempts"));
    assert!(run(&["outbox", "status"]).contains("sent 279"));
    assert!(run(&["outbox", "retry-dead"]).contains("0 dead messages"));
    let recomputed = run(&["reputation", "recompute"]);
    assert!(recomputed.contains("recomputed 300 jurors from 46 judgements"), "{recomputed}");
    let full = run(&["demo", "--full-case"]);
    assert!(full.contains("appeal verdict and moderator override") && full.contains("messages wait"), "{full}");
    assert!(run(&["demo", "--full-case"]).contains("played before; nothing new"));
    assert!(run(&["admin", "create-moderator", "--email", "buyer@demo.xiaofating.test"]).contains("is now a moderator"));
    assert!(run(&["admin", "create-moderator", "--email", "buyer@demo.xiaofating.test"]).contains("already"));
    assert!(run(&["admin", "create-moderator", "--email", "New.Mod@Example.com"])
        .contains("created moderator new.mod@example.com"));
}

#[tokio::test]
async fn without_smtp_a_local_court_shows_its_mail_in_a_mailbox() {
    let app = spawn_app().await;
    app.register("reader@example.com", "Reader").await;
    app.wait_for_mail("account_verify", "reader@example.com").await;
    let mailbox = app.get_html("/dev/mail").await;
    assert!(mailbox.contains("reader@example.com") && mailbox.contains("验证你在小法庭的邮箱"));
    assert!(mailbox.contains("共 1 封"), "the real count");
    let href = mailbox.split("href=\"/dev/mail/").nth(1).unwrap().split('"').next().unwrap();
    let letter = app.get_html(&format!("/dev/mail/{href}")).await;
    assert!(letter.contains(&format!("{}/verify?token=", app.address)), "the link can be followed from here");

    // A public court hides it from members.
    let public =
        crate::common::spawn_app_with(|s| s.base_url = url::Url::parse("https://court.example").unwrap()).await;
    public.register("member@example.com", "Member").await;
    assert_eq!(public.get("/dev/mail").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_server_fault_shows_a_friendly_500_page() {
    let app = spawn_app().await;
    app.register("fault@example.com", "Fault").await;
    // Break the database under a signed-in visitor: their session can no longer be read.
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        diesel::sql_query("DROP TABLE auth_sessions").execute(&mut *pool.get().unwrap()).unwrap();
    })
    .await
    .unwrap();
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.headers().get("content-security-policy").is_some(), "error pages carry the headers too");
    let html = res.text().await.unwrap();
    assert!(html.contains("我们这边出了点问题") && html.contains("<html lang=\"zh-CN\">"));
    assert!(!html.contains("auth_sessions"), "no internals leak to the page");
}

/// `demo --scale`: the court at scale is one the pages accept — a listed open seat can be voted on
/// through the juror's page, the showcase case holds 20 pieces of evidence and 17 votes, the jurors'
/// records add up to the closed cases' votes — and a second run adds nothing.
#[tokio::test]
async fn the_court_at_scale_is_consistent_and_its_open_seats_take_votes() {
    use xiaofating::demo::{scale, DEMO_PASSWORD};
    let app = spawn_app().await;
    let (pool, dir, now) = (app.pool.clone(), app.data_dir.clone(), app.clock.now());
    let (report, again) = tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let report = scale::seed_scale(conn, &dir, 300, now, &mut rand::rng()).unwrap().unwrap();
        (report, scale::seed_scale(conn, &dir, 300, now, &mut rand::rng()).unwrap())
    })
    .await
    .unwrap();
    assert!(again.is_none(), "the second run adds nothing");
    assert_eq!((report.cases, report.jurors), (300, 300));
    assert_eq!(app.count("cases").await, 300);
    assert_eq!(app.count("votes").await, report.votes as i64);
    assert_eq!(app.count("cases WHERE state = 'voting'").await, report.open_seats as i64);
    let closed_votes = app.count("votes WHERE case_id IN (SELECT id FROM cases WHERE state = 'closed')").await;
    let judged = app.count("jurors WHERE buyer_right + seller_right > 0").await;
    assert!(closed_votes > 0 && judged > 0, "closed cases' votes are in the jurors' records");

    let showcase = format!("cases WHERE public_id = '{}'", report.showcase);
    let evidence = app.count(&format!("evidence WHERE case_id = (SELECT id FROM {showcase})")).await;
    let votes = app.count(&format!("votes WHERE case_id = (SELECT id FROM {showcase})")).await;
    assert_eq!((evidence, votes), (20, 17));
    let viewer = app.new_visitor();
    viewer.sign_in(&report.showcase_juror, DEMO_PASSWORD).await;
    assert_eq!(viewer.get(&format!("/juror/cases/{}", report.showcase)).await.status(), StatusCode::OK);

    let seats = std::fs::read_to_string(app.data_dir.join("bench-seats.tsv")).unwrap();
    assert_eq!(seats.lines().count(), report.open_seats);
    let (email, case) = seats.lines().next().unwrap().split_once('\t').unwrap();
    let juror = app.new_visitor();
    assert_eq!(juror.sign_in(email, DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let page = format!("/juror/cases/{case}");
    let reason = "卖家的发货视频完整连续，买家的照片看不出是否同一件商品。";
    let res = juror
        .submit(&page, &format!("{page}/vote"), &[("side", "seller"), ("reason", reason), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("votes").await, report.votes as i64 + 1, "the open seat took the vote");
}

/// Waits up to 20 s for a command to end by itself; kills it and fails the test otherwise.
fn ends_within(mut child: std::process::Child, what: &str) -> std::process::Output {
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("{what} kept running");
}

/// A server started by a test, killed when the test ends however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn one_court_per_sqlite_file_and_a_killed_one_leaves_no_lock() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let serve = || {
        cli()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATA_DIR", dir.path())
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let lock = dir.path().join("xiaofating.db.lock");
    let wait_for_holder = || {
        for _ in 0..300 {
            if std::fs::read_to_string(&lock).is_ok_and(|s| s.starts_with("serve")) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the first court did not start");
    };
    let mut first = Running(serve());
    wait_for_holder();
    let second = ends_within(serve(), "a second serve on the same data folder");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success());
    assert!(stderr.contains("another xiaofating command") && stderr.contains("serve, process"), "{stderr}");
    let demo = cli().args(["demo"]).env("DATA_DIR", dir.path()).env_remove("DATABASE_URL").output().unwrap();
    assert!(!demo.status.success(), "demo refuses beside a running court");
    assert!(String::from_utf8_lossy(&demo.stderr).contains("stop it first"));

    // Killed outright, the court leaves no stale lock: the next one starts.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    std::fs::write(&lock, "").unwrap();
    let _next = Running(serve());
    wait_for_holder();
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    // The development mailbox opens only to visitors on this machine: it shows whose address counts.
    let mailbox = |app: &crate::common::TestApp, forwarded: Option<&'static str>| {
        let mut req = app.client.get(app.url("/dev/mail"));
        if let Some(address) = forwarded {
            req = req.header("X-Forwarded-For", address);
        }
        async move { req.send().await.unwrap().status() }
    };
    // No trusted proxy: a visitor's own X-Forwarded-For is ignored (anyone can write it).
    let direct = spawn_app().await;
    assert_eq!(mailbox(&direct, Some("203.0.113.7")).await, StatusCode::OK);
    // Behind a trusted proxy on this machine: the address it forwards is the visitor's.
    let trusted = xiaofating::config::parse_trusted("127.0.0.1").unwrap();
    let proxied = crate::common::spawn_app_with(|s| s.trusted_proxies = trusted).await;
    assert_eq!(mailbox(&proxied, Some("203.0.113.7")).await, StatusCode::NOT_FOUND, "a visitor from elsewhere");
    assert_eq!(mailbox(&proxied, None).await, StatusCode::OK, "the proxy's own request");
}
