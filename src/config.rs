//! Settings from flags and environment variables, checked once at start-up.

use crate::db::DatabaseUrl;
use crate::domain::quorum::{QuorumPolicy, Quorums};
use crate::file_store::FileStore;
use anyhow::{bail, Context};
use ipnet::IpNet;
use lettre::message::Mailbox;
use rand::Rng;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use url::Url;

#[derive(clap::Args, Debug, Clone)]
pub struct StorageArgs {
    /// Folder for the SQLite file, the secret key, uploads and development mail.
    #[arg(long, env = "DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// sqlite://PATH, sqlite:PATH, a path ending in .db/.sqlite/.sqlite3, or postgres://USER@HOST/DB.
    /// Default: sqlite in DATA_DIR.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where evidence files go: unset, the folder DATA_DIR/evidence; or an S3-compatible store shared
    /// by every server, s3://BUCKET[/PREFIX]?endpoint=URL&region=R (credentials: AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "FILE_STORE")]
    pub file_store: Option<String>,
}

impl StorageArgs {
    pub fn database(&self) -> anyhow::Result<DatabaseUrl> {
        match &self.database_url {
            Some(url) => DatabaseUrl::parse(url).map_err(anyhow::Error::msg),
            None => Ok(DatabaseUrl::Sqlite(self.data_dir.join("xiaofating.db"))),
        }
    }

    pub fn files(&self) -> anyhow::Result<FileStore> {
        FileStore::open(&self.data_dir, self.file_store.as_deref())
    }
}

/// The defaults of `serve`: clap shows them in `--help`, `ServeArgs::defaults` uses the same values.
pub mod default {
    pub const BIND: &str = "127.0.0.1:8080";
    pub const MAIL_FROM: &str = "小法庭 xiaofating <court@xiaofating.localhost>";
    pub const RESPONSE_WINDOW_HOURS: u16 = 48;
    pub const EVIDENCE_WINDOW_HOURS: u16 = 72;
    pub const JUROR_MIN_ACCOUNT_DAYS: u16 = 7;
    pub const REESTIMATE_HOURS: u32 = 0;
    pub const QUORUM: &str = "confident:5:0.96:17:6";
    pub const VOTING_HOURS: u16 = 72;
    pub const APPEAL_HOURS: u16 = 48;
    pub const APPEAL_EVIDENCE_HOURS: u16 = 24;
    pub const SUMMONS_HOURS: u16 = 24;
    pub const PROBATION_REVIEWS: u32 = 5;
    pub const PROBATION_PASS: u32 = 4;
    pub const NO_SHOW_LIMIT: u32 = 3;
    pub const AUDIT_PERCENT: u32 = 10;
    pub const VIDEO_MAX_MB: u32 = 100;
    pub const MAIL_LEASE_SECONDS: u32 = 120;
}

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Address and port to listen on.
    #[arg(long, env = "BIND", default_value = default::BIND)]
    pub bind: String,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Hours the other side has to answer a new case.
    #[arg(long, env = "RESPONSE_WINDOW_HOURS", default_value_t = default::RESPONSE_WINDOW_HOURS, value_parser = clap::value_parser!(u16).range(1..=720))]
    pub response_window_hours: u16,
    /// Hours both sides have to add evidence once the case is answered (or the answer is missed).
    #[arg(long, env = "EVIDENCE_WINDOW_HOURS", default_value_t = default::EVIDENCE_WINDOW_HOURS, value_parser = clap::value_parser!(u16).range(1..=720))]
    pub evidence_window_hours: u16,
    /// Days an account must exist before its juror can be drawn.
    #[arg(long, env = "JUROR_MIN_ACCOUNT_DAYS", default_value_t = default::JUROR_MIN_ACCOUNT_DAYS, value_parser = clap::value_parser!(u16).range(0..=365))]
    pub juror_min_account_days: u16,
    /// Quorum policy of every category: confident:MIN_VOTES:THRESHOLD:CAP (accuracy-weighted, more
    /// jurors drawn up to CAP; the default was chosen with `simulate`, docs/verdict-quality.md) or
    /// first_to:PANEL:WINS (Xianyu: first_to:17:9).
    #[arg(long, env = "QUORUM", default_value = default::QUORUM)]
    pub quorum: String,
    /// Exceptions by category, e.g. phones=confident:5:0.95:17,books_media=first_to:9:5.
    #[arg(long, env = "QUORUM_BY_CATEGORY", default_value = "")]
    pub quorum_by_category: String,
    /// Hours a seated panel has to vote (a reminder goes out a day before).
    #[arg(long, env = "VOTING_HOURS", default_value_t = default::VOTING_HOURS, value_parser = clap::value_parser!(u16).range(1..=720))]
    pub voting_hours: u16,
    /// Hours the losing side has to appeal the first verdict.
    #[arg(long, env = "APPEAL_HOURS", default_value_t = default::APPEAL_HOURS, value_parser = clap::value_parser!(u16).range(1..=720))]
    pub appeal_hours: u16,
    /// Hours both sides may add new evidence after an appeal, before its panel is drawn.
    #[arg(long, env = "APPEAL_EVIDENCE_HOURS", default_value_t = default::APPEAL_EVIDENCE_HOURS, value_parser = clap::value_parser!(u16).range(1..=720))]
    pub appeal_evidence_hours: u16,
    /// Hours a summoned juror has to accept, decline or recuse.
    #[arg(long, env = "SUMMONS_HOURS", default_value_t = default::SUMMONS_HOURS, value_parser = clap::value_parser!(u16).range(1..=168))]
    pub summons_hours: u16,
    /// Mock reviews in a probation attempt.
    #[arg(long, env = "PROBATION_REVIEWS", default_value_t = default::PROBATION_REVIEWS, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub probation_reviews: u32,
    /// Mock reviews that must be right to pass probation (at most PROBATION_REVIEWS).
    #[arg(long, env = "PROBATION_PASS", default_value_t = default::PROBATION_PASS, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub probation_pass: u32,
    /// Summonses ignored in a row that suspend a juror.
    #[arg(long, env = "NO_SHOW_LIMIT", default_value_t = default::NO_SHOW_LIMIT, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub no_show_limit: u32,
    /// Percent of accepted summonses that also slip a calibration case into the juror's queue
    /// as an audit (0 turns audits off).
    #[arg(long, env = "AUDIT_PERCENT", default_value_t = default::AUDIT_PERCENT, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub audit_percent: u32,
    /// When a panel votes: `first_seat` (each juror votes on accepting; seats still open fill while
    /// others vote) or `full_panel` (voting opens once every seat is accepted).
    #[arg(long, env = "VOTING_OPENS", default_value = "first_seat", value_parser = ["first_seat", "full_panel"])]
    pub voting_opens: String,
    /// Hours between re-estimations of every juror's record from all judgements (0: never).
    #[arg(long, env = "REESTIMATE_HOURS", default_value_t = default::REESTIMATE_HOURS, value_parser = clap::value_parser!(u32).range(0..=8760))]
    pub reestimate_hours: u32,
    /// Largest evidence video, in MB (photos and PDFs stay at 10 MB).
    #[arg(long, env = "VIDEO_MAX_MB", default_value_t = default::VIDEO_MAX_MB, value_parser = clap::value_parser!(u32).range(1..=2048))]
    pub video_max_mb: u32,
    /// Multiplies every rate limit's burst (sign-in, registration, reset, filing, uploads, votes);
    /// for load tests that drive many requests from one address. 1 in production.
    #[arg(long, env = "RATE_LIMIT_SCALE", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_scale: u32,
    /// Log format.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", value_parser = ["json", "pretty"])]
    pub log_format: String,
    /// Reverse proxies whose X-Forwarded-For / Forwarded headers name the visitor (addresses or
    /// networks, comma-separated). Unset: every connection's own address counts.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// `optional`: a case may be filed on a typed order or on one a marketplace registered (a
    /// standalone court); `required`: only on registered orders, between their buyer and seller.
    #[arg(long, env = "ORDERS", default_value = "optional", value_parser = ["optional", "required"])]
    pub orders: String,
}

/// How the court's email is addressed and sent: shared by `serve` and `outbox drain`.
#[derive(clap::Args, Debug, Clone)]
pub struct MailArgs {
    /// Public address used in links and emails. Default: http://BIND.
    #[arg(long, env = "BASE_URL")]
    pub base_url: Option<String>,
    /// smtp://, smtps:// or smtp://…?tls=required, with optional user:password@. Unset: .eml files.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of every email.
    #[arg(long, env = "MAIL_FROM", default_value = default::MAIL_FROM)]
    pub mail_from: String,
    /// Signs cookies and the emails' unsubscribe links; at least 32 characters. Unset: generated
    /// once and kept in DATA_DIR/secret_key. Servers sharing a PostgreSQL court need the same one.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Seconds a message being sent is held from other workers; a server killed mid-send leaves it
    /// to be sent again after this. The SMTP exchange times out at half of it.
    #[arg(long, env = "MAIL_LEASE_SECONDS", default_value_t = default::MAIL_LEASE_SECONDS, value_parser = clap::value_parser!(u32).range(10..=3600))]
    pub mail_lease_seconds: u32,
}

impl Default for MailArgs {
    fn default() -> Self {
        MailArgs {
            base_url: None,
            smtp_url: None,
            mail_from: default::MAIL_FROM.into(),
            secret_key: None,
            mail_lease_seconds: default::MAIL_LEASE_SECONDS,
        }
    }
}

/// What delivering the outbox needs, and nothing else (`outbox drain`); the rest at `serve`'s defaults.
#[derive(clap::Args, Debug, Clone)]
pub struct DrainArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Log format.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", value_parser = ["json", "pretty"])]
    pub log_format: String,
}

impl DrainArgs {
    pub fn serve_args(&self) -> ServeArgs {
        ServeArgs {
            mail: self.mail.clone(),
            log_format: self.log_format.clone(),
            ..ServeArgs::defaults(self.storage.clone())
        }
    }
}

impl ServeArgs {
    /// Every setting at its default, without reading the environment (tests and benchmarks).
    pub fn defaults(storage: StorageArgs) -> ServeArgs {
        ServeArgs {
            storage,
            bind: default::BIND.into(),
            mail: MailArgs::default(),
            response_window_hours: default::RESPONSE_WINDOW_HOURS,
            evidence_window_hours: default::EVIDENCE_WINDOW_HOURS,
            juror_min_account_days: default::JUROR_MIN_ACCOUNT_DAYS,
            quorum: default::QUORUM.into(),
            quorum_by_category: String::new(),
            voting_hours: default::VOTING_HOURS,
            appeal_hours: default::APPEAL_HOURS,
            appeal_evidence_hours: default::APPEAL_EVIDENCE_HOURS,
            summons_hours: default::SUMMONS_HOURS,
            probation_reviews: default::PROBATION_REVIEWS,
            probation_pass: default::PROBATION_PASS,
            no_show_limit: default::NO_SHOW_LIMIT,
            audit_percent: default::AUDIT_PERCENT,
            voting_opens: "first_seat".into(),
            reestimate_hours: default::REESTIMATE_HOURS,
            video_max_mb: default::VIDEO_MAX_MB,
            rate_limit_scale: 1,
            log_format: "pretty".into(),
            trusted_proxies: String::new(),
            orders: "optional".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    /// Where evidence files are kept.
    pub files: FileStore,
    pub bind: String,
    pub base_url: Url,
    pub smtp_url: Option<String>,
    pub mail_from: Mailbox,
    /// 64 bytes of key material for cookies.
    pub secret_key: Vec<u8>,
    /// Whether the key came from `SECRET_KEY` (the operator's choice) or was made in the data dir.
    pub secret_key_given: bool,
    pub limits: Limits,
    pub windows: crate::domain::case::Windows,
    pub jury: crate::domain::juror::JuryRules,
    /// Send each response's count of SQL statements in an `X-Statements` header (tests).
    pub expose_statements: bool,
    /// Keep the text of every statement requests run (tests check their query plans).
    pub statement_log: Option<crate::db::statements::StatementLog>,
    /// Fixes the jury's chance (`chance::Chance`) so tests can replay a draw; never set in
    /// production, where draws are seeded from the operating system.
    pub draw_seed: Option<u64>,
    /// Proxies whose forwarding headers are believed (`routes::client_ip`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Whether a case may be filed on a typed order or only on one a marketplace registered.
    pub orders: crate::domain::filing::Orders,
}

/// Abuse limits; the defaults suit production, tests may lower them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How often each rate-limited action may be done, per account and per IP address.
    pub rates: RateLimits,
    /// Largest evidence photo or PDF, checked while it streams in.
    pub upload_max_bytes: u64,
    /// Largest evidence video (a phone's unboxing film is far larger than a photo).
    pub video_max_bytes: u64,
    /// Evidence files one party may add to one case.
    pub files_per_party: i64,
    /// How often due deadlines are looked for (they also run at every start).
    pub deadline_poll: std::time::Duration,
    /// How often the mail worker looks for mail when nobody woke it (work that queues mail wakes it).
    pub mail_poll: std::time::Duration,
    /// How long a message being sent is held from other workers (`MAIL_LEASE_SECONDS`).
    pub mail_lease: std::time::Duration,
    /// On SIGTERM, how long the mail worker may finish the batch it is sending; what it still
    /// holds then goes back to the queue (src/startup.rs, `Workers::stop`).
    pub mail_stop_grace: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rates: RateLimits::default(),
            upload_max_bytes: 10 * 1024 * 1024,
            video_max_bytes: u64::from(default::VIDEO_MAX_MB) * 1024 * 1024,
            files_per_party: 20,
            deadline_poll: std::time::Duration::from_secs(1),
            mail_poll: std::time::Duration::from_secs(2),
            mail_lease: std::time::Duration::from_secs(default::MAIL_LEASE_SECONDS as u64),
            mail_stop_grace: std::time::Duration::from_secs(10),
        }
    }
}

/// A burst of `burst` at once, then one more every `every` (GCRA).
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub burst: u32,
    pub every: std::time::Duration,
}

impl Rate {
    const fn new(burst: u32, every_secs: u64) -> Rate {
        Rate { burst, every: std::time::Duration::from_secs(every_secs) }
    }
}

/// One action's quota for one key (the account, or for forms before sign-in the email typed)
/// and for one IP address.
#[derive(Debug, Clone, Copy)]
pub struct ActionRates {
    pub per_account: Rate,
    pub per_ip: Rate,
}

/// The rate-limited actions: what a script could repeat to guess, flood or spam.
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub sign_in: ActionRates,
    pub register: ActionRates,
    pub password_reset: ActionRates,
    /// Typing the current password on the account page: the same guessing as a sign-in.
    pub password_change: ActionRates,
    pub file_case: ActionRates,
    pub upload: ActionRates,
    pub vote: ActionRates,
    /// A marketplace's API calls, per key and per address.
    pub api: ActionRates,
}

impl Default for RateLimits {
    /// Generous for a person, tight for a script: a juror votes at most a handful of seats in a
    /// sitting, a party files a few cases and a couple of dozen photos.
    fn default() -> Self {
        let rates = |account: Rate, ip: Rate| ActionRates { per_account: account, per_ip: ip };
        RateLimits {
            sign_in: rates(Rate::new(10, 60), Rate::new(30, 15)),
            register: rates(Rate::new(3, 600), Rate::new(10, 360)),
            password_reset: rates(Rate::new(3, 900), Rate::new(10, 60)),
            password_change: rates(Rate::new(5, 60), Rate::new(30, 15)),
            file_case: rates(Rate::new(10, 300), Rate::new(30, 60)),
            upload: rates(Rate::new(30, 20), Rate::new(120, 5)),
            vote: rates(Rate::new(20, 10), Rate::new(120, 1)),
            api: ActionRates {
                per_account: Rate { burst: 600, every: std::time::Duration::from_millis(10) },
                per_ip: Rate { burst: 1200, every: std::time::Duration::from_millis(5) },
            },
        }
    }
}

impl RateLimits {
    /// Every burst multiplied by `factor`: for load tests, and for test suites where every user
    /// comes from 127.0.0.1.
    pub fn scaled(mut self, factor: u32) -> RateLimits {
        for action in [
            &mut self.sign_in,
            &mut self.register,
            &mut self.password_reset,
            &mut self.password_change,
            &mut self.file_case,
            &mut self.upload,
            &mut self.vote,
            &mut self.api,
        ] {
            action.per_account.burst = action.per_account.burst.saturating_mul(factor);
            action.per_ip.burst = action.per_ip.burst.saturating_mul(factor);
        }
        self
    }
}

impl Settings {
    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Settings> {
        let data_dir = args.storage.data_dir.clone();
        std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create DATA_DIR {}", data_dir.display()))?;
        std::net::ToSocketAddrs::to_socket_addrs(args.bind.as_str())
            .with_context(|| format!("BIND '{}' is not host:port, like 127.0.0.1:8080", args.bind))?;
        let base_url = match &args.mail.base_url {
            Some(url) => Url::parse(url).with_context(|| format!("BASE_URL '{url}' is not a URL"))?,
            None => Url::parse(&format!("http://{}", args.bind))
                .with_context(|| format!("BIND '{}' is not host:port", args.bind))?,
        };
        if !matches!(base_url.scheme(), "http" | "https") {
            bail!("BASE_URL must start with http:// or https://");
        }
        if args.probation_pass > args.probation_reviews {
            bail!(
                "PROBATION_PASS ({}) cannot exceed PROBATION_REVIEWS ({})",
                args.probation_pass,
                args.probation_reviews
            );
        }
        if let Some(smtp) = &args.mail.smtp_url {
            crate::email::transport::check_smtp_url(smtp)?;
        }
        let mail_from: Mailbox = args
            .mail
            .mail_from
            .parse()
            .with_context(|| format!("MAIL_FROM '{}' is not a mailbox", args.mail.mail_from))?;
        Ok(Settings {
            database: args.storage.database()?,
            files: args.storage.files()?,
            secret_key: secret_key(args.mail.secret_key.as_deref(), &data_dir)?,
            secret_key_given: args.mail.secret_key.is_some(),
            data_dir,
            bind: args.bind.clone(),
            base_url,
            smtp_url: args.mail.smtp_url.clone(),
            mail_from,
            limits: Limits {
                rates: RateLimits::default().scaled(args.rate_limit_scale),
                video_max_bytes: u64::from(args.video_max_mb) * 1024 * 1024,
                mail_lease: std::time::Duration::from_secs(u64::from(args.mail.mail_lease_seconds)),
                ..Limits::default()
            },
            windows: crate::domain::case::Windows {
                response: chrono::TimeDelta::hours(i64::from(args.response_window_hours)),
                evidence: chrono::TimeDelta::hours(i64::from(args.evidence_window_hours)),
            },
            jury: crate::domain::juror::JuryRules {
                min_account_age: chrono::TimeDelta::days(i64::from(args.juror_min_account_days)),
                quorums: Quorums {
                    default: QuorumPolicy::parse(&args.quorum).map_err(|e| anyhow::anyhow!("QUORUM: {e}"))?,
                    by_category: Quorums::parse_exceptions(&args.quorum_by_category)
                        .map_err(|e| anyhow::anyhow!("QUORUM_BY_CATEGORY: {e}"))?,
                },
                voting_window: hours(args.voting_hours),
                appeal_window: hours(args.appeal_hours),
                appeal_evidence_window: hours(args.appeal_evidence_hours),
                summons_window: chrono::TimeDelta::hours(i64::from(args.summons_hours)),
                probation_reviews: args.probation_reviews,
                probation_pass: args.probation_pass,
                no_show_limit: args.no_show_limit,
                audit_rate: f64::from(args.audit_percent) / 100.0,
                voting_opens: crate::domain::juror::VotingOpens::parse(&args.voting_opens).unwrap_or_default(),
                reestimate_every: chrono::TimeDelta::hours(i64::from(args.reestimate_hours)),
                ..Default::default()
            },
            expose_statements: false,
            statement_log: None,
            draw_seed: None,
            trusted_proxies: parse_trusted(&args.trusted_proxies).map_err(anyhow::Error::msg)?,
            orders: crate::domain::filing::Orders::parse(&args.orders).unwrap_or_default(),
        })
    }

    /// The court's mailer. A send gives up after half the outbox lease, so a message is always
    /// finished or failed before another worker may take it again.
    pub fn mailer(&self) -> anyhow::Result<crate::email::transport::Mailer> {
        crate::email::transport::Mailer::new(self.smtp_url.as_deref(), self.mail_dir(), self.limits.mail_lease / 2)
    }

    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// Absolute link to a path of the court, for emails.
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path_and_query)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

fn hours(n: u16) -> chrono::TimeDelta {
    chrono::TimeDelta::hours(i64::from(n))
}

/// The key from SECRET_KEY, else the one kept in the data dir, else a new one saved there.
fn secret_key(given: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    use sha2::{Digest, Sha512};
    if let Some(key) = given {
        if key.len() < 32 {
            bail!("SECRET_KEY must be at least 32 characters");
        }
        return Ok(Sha512::digest(key.as_bytes()).to_vec());
    }
    let path = data_dir.join("secret_key");
    if let Ok(hex_key) = std::fs::read_to_string(&path) {
        return hex::decode(hex_key.trim()).context("DATA_DIR/secret_key is damaged; delete it to make a new one");
    }
    let key: [u8; 64] = rand::rng().random();
    write_private(&path, &hex::encode(key))?;
    Ok(key.to_vec())
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

/// Parses `TRUSTED_PROXIES`: addresses or networks, comma-separated (`10.0.0.0/8, 127.0.0.1`).
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("TRUSTED_PROXIES: '{s}' is neither an address nor a network like 10.0.0.0/8"))
        })
        .collect()
}

impl crate::email::message::Linker for Settings {
    fn link(&self, path: &str) -> String {
        Settings::link(self, path)
    }
    fn unsubscribe(&self, public_id: &str) -> String {
        Settings::link(self, &crate::email::unsubscribe::path(&self.secret_key, public_id))
    }
}
