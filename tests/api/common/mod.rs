//! Black-box harness: the real app on a random port, with a fresh database — a temporary SQLite
//! file, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

pub mod browser;
pub mod jury;
pub mod nu;
pub mod plans;
pub mod routes;
pub mod s3;
pub mod smtp;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::redirect::Policy;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xiaofating::clock::Clock;
use xiaofating::config::{MailArgs, ServeArgs, Settings, StorageArgs};
use xiaofating::db::DbPool;
use xiaofating::startup::Application;

/// One visitor (a cookie jar) of a running court; `new_visitor` adds another person.
pub struct TestApp {
    shared: std::sync::Arc<Court>,
    pub client: reqwest::Client,
}

/// The running court every visitor shares.
pub struct Court {
    pub address: String,
    pub clock: Clock,
    pub pool: DbPool,
    pub data_dir: std::path::PathBuf,
    pub database_url: String,
    settings: Settings,
    server: actix_web::dev::ServerHandle,
    running: std::sync::Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>,
    /// The temporary folder and database outlive restarts; dropped with the last court using them.
    _storage: std::sync::Arc<(tempfile::TempDir, DropDatabase)>,
    /// What the servers of one court share (`servers_of_one_court`): the database, the S3 server.
    _shared_with_others: Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

impl std::ops::Deref for TestApp {
    type Target = Court;
    fn deref(&self) -> &Court {
        &self.shared
    }
}

/// Drops the test's PostgreSQL database when the test ends (SQLite files go with the temp dir).
pub struct DropDatabase(Option<(String, String)>);

/// A fresh database for one test: PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite in `dir`.
pub fn test_database(dir: &std::path::Path) -> (String, DropDatabase) {
    match postgres_server_url() {
        Some(server) => {
            let url = fresh_postgres_database(&server);
            let name = url.rsplit('/').next().unwrap().to_string();
            (url, DropDatabase(Some((server, name))))
        }
        None => (format!("sqlite://{}", dir.join("court.db").display()), DropDatabase(None)),
    }
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.0.take() {
            if let Ok(mut conn) = PgConnection::establish(&server) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

pub const PASSWORD: &str = "quiet river lantern 42";

pub fn postgres_server_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// Creates an empty PostgreSQL database next to the one `server_url` names and returns its URL.
pub fn fresh_postgres_database(server_url: &str) -> String {
    let mut conn = PgConnection::establish(server_url)
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL {server_url} is not reachable: {e}"));
    let name = format!("xft_test_{}", xiaofating::domain::public_id::new_public_id(&mut rand::rng()));
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("create test database");
    let mut url = url::Url::parse(server_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub const JUROR_PASSWORD: &str = "jury-duty-2026-correct-horse";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    // `TEST_LOG=1 cargo test …` prints the courts' logs (RUST_LOG picks the level); quiet otherwise.
    if std::env::var_os("TEST_LOG").is_some() {
        xiaofating::telemetry::init("pretty");
    }
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database_url, database) = test_database(data_dir.path());
    let mut settings = Settings::from_args(&test_args(data_dir.path(), &database_url)).expect("settings");
    // scripts/test runs the PostgreSQL pass with evidence in its S3 server: each court a prefix.
    if let Some(s3) = s3::S3::from_env() {
        settings.files = s3.files(&xiaofating::domain::public_id::new_public_id(&mut rand::rng()));
    }
    customise(&mut settings);
    start(settings, Clock::default(), std::sync::Arc::new((data_dir, database)), database_url, vec![]).await
}

/// The settings every test court starts from.
fn test_args(data_dir: &std::path::Path, database_url: &str) -> ServeArgs {
    ServeArgs {
        bind: "127.0.0.1:0".into(),
        mail: MailArgs { mail_from: "小法庭 <court@xiaofating.test>".into(), ..MailArgs::default() },
        // Every test user signs in from 127.0.0.1; tests of the limits lower them again.
        rate_limit_scale: 1000,
        ..ServeArgs::defaults(StorageArgs {
            data_dir: data_dir.to_path_buf(),
            database_url: Some(database_url.to_string()),
            file_store: None,
        })
    }
}

/// `n` servers of one court, as a scale-out deployment runs them: one fresh PostgreSQL database,
/// evidence in one S3 bucket, one `SECRET_KEY`, one clock. They share one data folder only for
/// the development mail a test reads (whichever server sends it); no file goes there.
pub async fn servers_of_one_court(n: usize, customise: impl Fn(&mut Settings)) -> Vec<TestApp> {
    let server = postgres_server_url()
        .or_else(|| std::env::var("TEST_PG_SERVER").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let database_url = fresh_postgres_database(&server);
    let name = database_url.rsplit('/').next().unwrap().to_string();
    let storage = std::sync::Arc::new((tempfile::tempdir().expect("temp dir"), DropDatabase(Some((server, name)))));
    let s3 = s3::S3::start().await;
    let files = s3.files(&xiaofating::domain::public_id::new_public_id(&mut rand::rng()));
    let shared: Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>> = vec![std::sync::Arc::new(s3)];
    let clock = Clock::default();
    let mut servers = vec![];
    for _ in 0..n {
        let mut args = test_args(storage.0.path(), &database_url);
        args.mail.secret_key = Some("one key for every server of this court, 2026".into());
        let mut settings = Settings::from_args(&args).expect("settings");
        settings.files = files.clone();
        customise(&mut settings);
        servers.push(start(settings, clock.clone(), storage.clone(), database_url.clone(), shared.clone()).await);
    }
    servers
}

async fn start(
    settings: Settings,
    clock: Clock,
    storage: std::sync::Arc<(tempfile::TempDir, DropDatabase)>,
    database_url: String,
    shared_with_others: Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
) -> TestApp {
    let app = Application::build(settings.clone(), clock.clone()).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    // The court fills in the port it was given; the harness's copy (used by `deliver_all_mail`
    // to write the same links) must say the same.
    let mut settings = settings;
    if settings.base_url.port() == Some(0) {
        let _ = settings.base_url.set_port(Some(app.port()));
    }
    let (pool, server) = (app.pool.clone(), app.handle());
    let running = tokio::spawn(app.run_until_stopped());
    let court = Court {
        address,
        clock,
        pool,
        data_dir: storage.0.path().to_path_buf(),
        database_url,
        settings,
        server,
        running: std::sync::Mutex::new(Some(running)),
        _storage: storage,
        _shared_with_others: shared_with_others,
    };
    TestApp { shared: std::sync::Arc::new(court), client: new_client() }
}

/// Where a redirect points.
pub fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn new_client() -> reqwest::Client {
    // reqwest shares the court's build, which brings rustls without a provider of its own.
    xiaofating::tls::install_crypto();
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
}

/// The number in the header's badge on the link to `href` ("/overview": things to do,
/// "/notifications": unread notices), 0 when there is none.
pub fn badge(html: &str, href: &str) -> u32 {
    let link = html.split(&format!("<a href=\"{href}\">")).nth(1).unwrap().split("</a>").next().unwrap();
    link.split("</span>").nth(1).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

impl TestApp {
    /// Stops the server and its workers, moves the clock, and starts the court again on the same
    /// database and data folder (as after a crash or a deploy).
    pub async fn restart_after(&self, downtime: chrono::TimeDelta) -> TestApp {
        self.stop().await;
        self.clock.advance(downtime);
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".into();
        settings.base_url = url::Url::parse("http://127.0.0.1:0").unwrap();
        let shared = self._shared_with_others.clone();
        start(settings, self.clock.clone(), self._storage.clone(), self.database_url.clone(), shared).await
    }

    /// Stops the server as SIGTERM does (in-flight requests finish, workers stop) and waits for it.
    pub async fn stop(&self) {
        self.server.stop(true).await;
        let running = self.running.lock().unwrap().take();
        if let Some(running) = running {
            let _ = running.await;
        }
    }

    /// The settings this server started with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Where this court keeps evidence files.
    pub fn files(&self) -> xiaofating::file_store::FileStore {
        self.settings.files.clone()
    }

    /// How many evidence files the court's store holds.
    pub async fn stored_files(&self) -> usize {
        let files = self.files();
        tokio::task::spawn_blocking(move || files.names().unwrap().len()).await.unwrap()
    }

    /// This server, visited by `person` (their cookie jar): the same person on another server.
    pub fn visited_by(&self, person: &TestApp) -> TestApp {
        TestApp { shared: self.shared.clone(), client: person.client.clone() }
    }

    /// The same court seen by another person (an empty cookie jar).
    pub fn new_visitor(&self) -> TestApp {
        TestApp { shared: self.shared.clone(), client: new_client() }
    }

    /// Registers and verifies a member through the emailed link; returns them signed in.
    pub async fn verified_member(&self, email: &str, name: &str) -> TestApp {
        let member = self.new_visitor();
        assert_eq!(member.register(email, name).await.status(), reqwest::StatusCode::SEE_OTHER);
        let mail = member.wait_for_mail("account_verify", email).await;
        let path = mail.link().replace(&member.address, "");
        let token = path.split("token=").nth(1).unwrap().to_string();
        let res = member.submit(&path, "/verify", &[("token", &token)]).await;
        assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
        member
    }

    /// Active jurors written straight into the database: a month-old verified account each, every
    /// category, the given trading side; so tests of the draw need not register a crowd. Each
    /// signs in with `JUROR_PASSWORD`. Returns their user ids.
    pub async fn seed_jurors(&self, jurors: &[(&str, &str)]) -> Vec<i32> {
        use xiaofating::db::models::{juror, user};
        let (pool, now) = (self.pool.clone(), self.clock.now());
        let jurors: Vec<(String, String)> = jurors.iter().map(|(e, s)| (e.to_string(), s.to_string())).collect();
        tokio::task::spawn_blocking(move || {
            let conn = &mut *pool.get().unwrap();
            let hash = xiaofating::services::account::password::hash_password(JUROR_PASSWORD);
            let joined = now - chrono::TimeDelta::days(30);
            jurors
                .iter()
                .map(|(email, side)| {
                    let public_id = xiaofating::domain::public_id::new_public_id(&mut rand::rng());
                    let row = user::insert(
                        conn,
                        &user::NewUser {
                            public_id: &public_id,
                            email,
                            display_name: email.split('@').next().unwrap(),
                            password_hash: &hash,
                            locale: "zh-CN",
                            time_zone: "Asia/Shanghai",
                            role: "member",
                            email_verified_at: Some(joined),
                            created_at: joined,
                            updated_at: joined,
                        },
                    )
                    .unwrap();
                    let profile = juror::ProfileChange {
                        expertise: 0x7ff,
                        interests: "",
                        trading_side: side,
                        capacity: 5,
                        updated_at: joined,
                    };
                    juror::insert(conn, (row.id, joined), &profile, joined).unwrap();
                    juror::pass_probation(conn, row.id, joined).unwrap();
                    row.id
                })
                .collect()
        })
        .await
        .unwrap()
    }

    /// A seeded juror, signed in.
    pub async fn juror(&self, email: &str) -> TestApp {
        let juror = self.new_visitor();
        assert_eq!(juror.sign_in(email, JUROR_PASSWORD).await.status(), reqwest::StatusCode::SEE_OTHER);
        juror
    }

    /// Adds evidence to a case through its page's multipart form: a statement and maybe a file.
    /// Adds evidence declared as "something else": what the party wrote and, maybe, a file.
    pub async fn upload_evidence(
        &self,
        case: &str,
        statement: &str,
        file: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        self.upload_declared(case, "other", statement, file).await
    }

    /// Adds evidence the party declares to be `proof` (a checklist key, or "other").
    pub async fn upload_declared(
        &self,
        case: &str,
        proof: &str,
        statement: &str,
        file: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        use reqwest::multipart::{Form, Part};
        let token = csrf_of(&self.get_html(&format!("/cases/{case}")).await);
        let mut form = Form::new()
            .text("csrf_token", token)
            .text("proof", proof.to_string())
            .text("evidence_statement", statement.to_string());
        if let Some((name, bytes)) = file {
            form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
        }
        self.client.post(self.url(&format!("/cases/{case}/evidence"))).multipart(form).send().await.unwrap()
    }

    /// A case's state, read from the database.
    pub async fn case_state(&self, case: &str) -> String {
        use diesel::prelude::*;
        use xiaofating::db::schema::cases;
        let (pool, case) = (self.pool.clone(), case.to_string());
        tokio::task::spawn_blocking(move || {
            cases::table
                .filter(cases::public_id.eq(case))
                .select(cases::state)
                .first::<String>(&mut *pool.get().unwrap())
                .unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs every deadline job due now, here and to the end, as the deadline worker would: after it,
    /// whatever the court's clock makes due has happened, so a test can check what did not.
    pub async fn run_due_jobs(&self) {
        let (pool, rules, now) = (self.pool.clone(), self.settings.jury.clone(), self.clock.now());
        tokio::task::spawn_blocking(move || {
            let jury = xiaofating::services::jury::Jury::new(rules);
            xiaofating::jobs::deadlines::run_due_jobs(&mut pool.get().unwrap(), &jury, now).unwrap()
        })
        .await
        .unwrap();
    }

    /// Sends every message that is due now, as the mail worker does, and returns when none is
    /// left (zero2prod's `dispatch_all_pending_emails`): for tests about what was sent, not about
    /// the worker's loop. Messages the court's own worker holds are left to it.
    pub async fn deliver_all_mail(&self) {
        let settings = std::sync::Arc::new(self.settings.clone());
        let base = settings.base_url.as_str().trim_end_matches('/');
        assert_eq!(base, self.address, "mail sent here links to the court the test talks to");
        let mailer = settings.mailer();
        let worker = xiaofating::jobs::outbox_worker::OutboxWorker {
            pool: self.pool.clone(),
            mailer: std::sync::Arc::new(mailer.expect("the test mailer starts")),
            settings,
            clock: self.clock.clone(),
            wake: Default::default(),
            held: Default::default(),
        };
        while worker.deliver_due().await.expect("delivery runs") > 0 {}
    }

    /// Waits (up to 15 s) until the deadline worker has moved the case to `expected`.
    pub async fn wait_for_state(&self, case: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.case_state(case).await != expected {
            assert!(Instant::now() < deadline, "case never reached {expected} (is {})", self.case_state(case).await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Opens `page`, takes its CSRF token and posts `fields` to `action`, like a person would.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = csrf_of(&self.get_html(page).await);
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.client.post(self.url(action)).form(&form).send().await.expect("POST")
    }

    /// Registers (the court answers "check your email", whoever holds the address) and signs in
    /// with the new password, as a member who has not followed the emailed link yet. Returns the
    /// registration's answer.
    pub async fn register(&self, email: &str, name: &str) -> reqwest::Response {
        let res = self.register_only(email, name).await;
        if res.status() == reqwest::StatusCode::SEE_OTHER {
            self.sign_in(email, PASSWORD).await;
        }
        res
    }

    /// Sends the registration form and nothing more.
    pub async fn register_only(&self, email: &str, name: &str) -> reqwest::Response {
        self.submit(
            "/register",
            "/register",
            &[("email", email), ("display_name", name), ("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.submit("/signin", "/signin", &[("email", email), ("password", password)]).await
    }

    pub async fn sign_out(&self) -> reqwest::Response {
        self.submit("/", "/signout", &[]).await
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Waits for the outbox worker to deliver a message of `kind` to `to`; returns its text part.
    pub async fn wait_for_mail(&self, kind: &str, to: &str) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            self.deliver_all_mail().await;
            if let Some(mail) = self.mails().into_iter().find(|m| m.kind == kind && m.to.contains(to)) {
                return mail;
            }
            assert!(Instant::now() < deadline, "no {kind} mail to {to} arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn mails(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return vec![];
        };
        entries.filter_map(|e| std::fs::read(e.ok()?.path()).ok()).map(|raw| Mail::parse(&raw)).collect()
    }

    /// Row counts that any state change a request can make would move: every table, and the
    /// columns a request could flip (role, verification, statuses).
    pub async fn fingerprint(&self) -> Vec<i64> {
        let mut counts = vec![];
        for table in [
            "users",
            "users WHERE role <> 'member'",
            "users WHERE email_verified_at IS NULL",
            "users WHERE reminders_enabled",
            "users WHERE locale = 'en'",
            "auth_sessions",
            "email_tokens",
            "cases",
            "cases WHERE state = 'decided'",
            "case_events",
            "settlement_offers",
            "evidence",
            "evidence WHERE withdrawn_at IS NOT NULL",
            "notifications",
            "jobs",
            "jurors",
            "jurors WHERE status = 'active'",
            "juror_category_tallies",
            "summons",
            "summons WHERE status = 'accepted'",
            "jury_rounds",
            "jury_rounds WHERE appealed_at IS NOT NULL",
            "votes",
            "overrides",
            "flags",
            "flags WHERE resolved_at IS NOT NULL",
            "mock_reviews",
            "calibration_audits",
            "audit_log",
            "outbox",
            "outbox WHERE status = 'dead'",
        ] {
            counts.push(self.count(table).await);
        }
        counts
    }

    /// Every case and juror message queued for a member (since they had an account) is also one
    /// in-app notice of theirs, and there is no notice without its message.
    pub async fn assert_notices_match_outbox(&self) {
        let member_mail = "outbox o JOIN users u ON u.email = o.recipient_email \
             WHERE o.kind NOT IN ('account_verify', 'password_reset') AND o.created_at >= u.created_at";
        let missing = format!(
            "{member_mail} AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.message_key = o.message_key AND n.user_id = u.id)"
        );
        assert_eq!(self.count(&missing).await, 0, "a message to a member without its notice");
        let stray =
            "notifications n WHERE NOT EXISTS (SELECT 1 FROM outbox o JOIN users u ON u.email = o.recipient_email \
             WHERE o.message_key = n.message_key AND u.id = n.user_id)";
        assert_eq!(self.count(stray).await, 0, "a notice without its message");
        assert_eq!(self.count(member_mail).await, self.count("notifications").await, "exactly one notice each");
        assert!(self.count("notifications").await > 0);
    }

    /// Runs one SQL statement as an operator (or a broken worker) would, behind the court's back.
    pub async fn execute(&self, statement: impl Into<String>) -> Result<usize, String> {
        use diesel::RunQueryDsl;
        let (pool, statement) = (self.pool.clone(), statement.into());
        tokio::task::spawn_blocking(move || {
            diesel::sql_query(&statement).execute(&mut *pool.get().unwrap()).map_err(|e| e.to_string())
        })
        .await
        .unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        use diesel::sql_types::BigInt;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let pool = self.pool.clone();
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        tokio::task::spawn_blocking(move || {
            diesel::sql_query(sql).get_result::<Count>(&mut *pool.get().unwrap()).unwrap().n
        })
        .await
        .unwrap()
    }
}

pub struct Mail {
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
    /// The List-Unsubscribe header ("" when absent).
    pub unsubscribe: String,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Mail {
        let parsed = mailparse::parse_mail(raw).expect("valid MIME");
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case(name))
                .map(|h| h.get_value())
                .unwrap_or_default()
        };
        let part = |mime: &str| {
            parsed
                .subparts
                .iter()
                .find(|p| p.ctype.mimetype == mime)
                .map(|p| p.get_body().expect("decodable body"))
                .unwrap_or_default()
        };
        Mail {
            kind: header("X-Xiaofating-Event"),
            to: header("To"),
            subject: header("Subject"),
            message_id: header("Message-ID"),
            unsubscribe: header("List-Unsubscribe"),
            text: part("text/plain"),
            html: part("text/html"),
        }
    }

    /// The first link in the text part.
    pub fn link(&self) -> String {
        let start = self.text.find("http").expect("mail has a link");
        self.text[start..].split_whitespace().next().unwrap().to_string()
    }
}
