use anyhow::Context;
use clap::{Parser, Subcommand};
use xiaofating::clock::Clock;
use xiaofating::config::{DrainArgs, ServeArgs, Settings, StorageArgs};
use xiaofating::court_lock::CourtLock;
use xiaofating::db::models::outbox;
use xiaofating::domain::account::Role;
use xiaofating::jobs::outbox_worker::OutboxWorker;
use xiaofating::services::account::moderator::{create_or_promote, StaffOutcome};
use xiaofating::startup::Application;
use xiaofating::{db, demo, services, telemetry};

/// 小法庭 xiaofating — a community dispute jury for a second-hand marketplace.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (runs pending migrations first).
    Serve(ServeArgs),
    /// Run pending database migrations and exit.
    Migrate(StorageArgs),
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Fill the database with a believable demo court. Safe to run again.
    Demo(DemoArgs),
    /// The email outbox.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Triage a case read from stdin as JSON: {"claim": "…", "answer": "…", "category": "…"}.
    Triage(TriageArgs),
    /// Hear synthetic cases under each quorum policy and measure verdict quality (in memory).
    Simulate(SimulateArgs),
    /// Juror reputations.
    Reputation {
        #[command(subcommand)]
        command: ReputationCommand,
    },
}

#[derive(clap::Args)]
struct DemoArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Instead, play one case through every stage (filing to moderator override), leaving its
    /// messages in the outbox.
    #[arg(long, conflicts_with = "scale")]
    full_case: bool,
    /// Also add a court at scale for benchmarks: this many cases (at least 100), as many jurors,
    /// about ten votes per case. Open seats for a vote load test go to DATA_DIR/bench-seats.tsv.
    #[arg(long, value_name = "CASES", value_parser = clap::value_parser!(u32).range(100..))]
    scale: Option<u32>,
}

#[derive(clap::Args)]
struct TriageArgs {
    /// Read JSON Lines, print one JSON line per input line, in the same order.
    #[arg(long)]
    batch: bool,
    /// Print accuracy and per-type F1 on the held-out set (never used in training).
    #[arg(long, conflicts_with = "batch")]
    evaluate: bool,
    /// Language of the printed lines: en or zh-CN.
    #[arg(long, default_value = "en")]
    lang: String,
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// Scenario file (JSON; every field optional): see datasets/scenarios/.
    #[arg(long)]
    scenario: std::path::PathBuf,
    /// xianyu, taobao, matched, confident, oracle, or all (one JSON line each, same cases).
    #[arg(long, default_value = "all")]
    policy: String,
    /// Cases to hear, the scenario's warm-up included.
    #[arg(long, default_value_t = 20_000)]
    cases: usize,
    /// Seed of the market, the cases and every draw.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object per policy instead of a table.
    #[arg(long)]
    json: bool,
    /// Rule of the `confident` and `oracle` policies: the court's QUORUM setting.
    #[arg(long, env = "QUORUM", default_value = xiaofating::config::default::QUORUM)]
    quorum: String,
    /// Rule of the `matched` policy.
    #[arg(long, default_value = "first_to:17:9")]
    first_to: String,
    /// Percent of seats that also bring a calibration case: the court's AUDIT_PERCENT setting.
    #[arg(long, env = "AUDIT_PERCENT", default_value_t = xiaofating::config::default::AUDIT_PERCENT, value_parser = clap::value_parser!(u32).range(0..=100))]
    audit_percent: u32,
    /// When the court's own panels vote: `first_seat` (each juror on accepting) or `full_panel`
    /// (once every seat is accepted). The Xianyu and Taobao baselines always vote on arrival.
    #[arg(long, env = "VOTING_OPENS", default_value = "first_seat", value_parser = ["first_seat", "full_panel"])]
    voting_opens: String,
    /// Hours between re-estimations of the jurors' records: the court's REESTIMATE_HOURS (0: never).
    /// With the scenario's `cases_per_day`, it sets how many cases pass between two.
    #[arg(long, env = "REESTIMATE_HOURS", default_value_t = xiaofating::config::default::REESTIMATE_HOURS)]
    reestimate_hours: u32,
}

#[derive(Subcommand)]
enum ReputationCommand {
    /// Re-estimate every juror's record from all judgements with Dawid–Skene EM.
    Recompute(StorageArgs),
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Count messages by state (pending, sent, dead).
    Status(StorageArgs),
    /// Deliver every pending message, then exit (dead ones stay dead).
    Drain(DrainArgs),
    /// Put dead messages back in the queue.
    RetryDead(StorageArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account (moderates, and manages moderators), or promote an existing account.
    CreateAdmin {
        /// Email address of the admin.
        #[arg(long)]
        email: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Create a moderator account, or promote an existing account to moderator.
    CreateModerator {
        /// Email address of the moderator.
        #[arg(long)]
        email: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Create a marketplace's API key (and its webhook secret); both are shown once.
    CreateApiKey {
        /// A name for the key (unique), e.g. the marketplace's.
        #[arg(long)]
        name: String,
        /// Where the court posts stage events for this key.
        #[arg(long)]
        webhook_url: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Revoke an API key: its requests are refused and its webhooks stop.
    RevokeApiKey {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// List the API keys (names, endpoints, state; never the keys).
    ListApiKeys(StorageArgs),
}

/// `admin create-moderator` / `create-admin`: promotes the account, or creates it with a password.
fn create_staff(email: &str, storage: &StorageArgs, role: Role) -> anyhow::Result<()> {
    let title = if role == Role::Admin { "admin" } else { "moderator" };
    let email = email.trim().to_lowercase();
    let (pool, _court) = open_court(storage, "admin")?;
    let now = Clock::default().now();
    let outcome = create_or_promote(&mut *pool.get()?, &email, role, now, &mut rand::rng())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match outcome {
        StaffOutcome::Promoted => println!("{email} is now {}", article(title)),
        StaffOutcome::Already => println!("{email} was already {}", article(title)),
        StaffOutcome::Created { password } => {
            println!("created {title} {email} with password: {password}\nchange it after signing in")
        }
    }
    Ok(())
}

fn create_api_key(name: &str, webhook_url: Option<&str>, storage: &StorageArgs) -> anyhow::Result<()> {
    let (pool, _court) = open_court(storage, "admin")?;
    let now = Clock::default().now();
    let issued = services::marketplace::keys::create(&mut *pool.get()?, name, webhook_url, now, &mut rand::rng())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("api key: {}\nwebhook secret: {}", issued.key, issued.webhook_secret);
    Ok(())
}

fn revoke_api_key(name: &str, storage: &StorageArgs) -> anyhow::Result<()> {
    let (pool, _court) = open_court(storage, "admin")?;
    let now = Clock::default().now();
    match services::marketplace::keys::revoke(&mut *pool.get()?, name, now).map_err(|e| anyhow::anyhow!("{e}"))? {
        true => println!("revoked {name}"),
        false => anyhow::bail!("no active API key is named {name}"),
    }
    Ok(())
}

fn list_api_keys(storage: &StorageArgs) -> anyhow::Result<()> {
    let pool = open_pool(storage)?;
    for key in services::marketplace::keys::list(&mut *pool.get()?).map_err(|e| anyhow::anyhow!("{e}"))? {
        let state = key.revoked_at.map_or("active".to_string(), |at| format!("revoked {at}"));
        println!("{}\t{}\t{}", key.name, key.webhook_url.as_deref().unwrap_or("-"), state);
    }
    Ok(())
}

/// "a moderator", "an admin".
fn article(title: &str) -> String {
    let a = if title.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{a} {title}")
}

fn open_pool(storage: &StorageArgs) -> anyhow::Result<db::DbPool> {
    std::fs::create_dir_all(&storage.data_dir)
        .with_context(|| format!("cannot create DATA_DIR {}", storage.data_dir.display()))?;
    db::connect(&storage.database()?, 2)
}

/// The database for a command that writes: on SQLite only while no other command holds it.
fn open_court(storage: &StorageArgs, what: &str) -> anyhow::Result<(db::DbPool, Option<CourtLock>)> {
    let lock = hold_court(storage, what)?;
    Ok((open_pool(storage)?, lock))
}

/// On SQLite, the lock that keeps a second server or a writing command off this court's file.
fn hold_court(storage: &StorageArgs, what: &str) -> anyhow::Result<Option<CourtLock>> {
    std::fs::create_dir_all(&storage.data_dir)
        .with_context(|| format!("cannot create DATA_DIR {}", storage.data_dir.display()))?;
    match storage.database()? {
        db::DatabaseUrl::Sqlite(path) => {
            db::DatabaseUrl::Sqlite(path.clone()).check_folder().map_err(anyhow::Error::msg)?;
            Ok(Some(CourtLock::take(&path, what)?))
        }
        db::DatabaseUrl::Postgres(_) => Ok(None),
    }
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    return_large_blocks();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            telemetry::init(&args.log_format);
            let settings = Settings::from_args(&args)?;
            let _court = hold_court(&args.storage, "serve")?;
            let base_url = settings.base_url.clone();
            let app = Application::build(settings, Clock::default()).await?;
            tracing::info!(port = app.port(), %base_url, "xiaofating is serving");
            app.run_until_stopped().await?;
        }
        Command::Migrate(storage) => {
            telemetry::init("pretty");
            open_court(&storage, "migrate")?;
            println!("migrations are up to date");
        }
        Command::Admin { command } => match command {
            AdminCommand::CreateModerator { email, storage } => create_staff(&email, &storage, Role::Moderator)?,
            AdminCommand::CreateAdmin { email, storage } => create_staff(&email, &storage, Role::Admin)?,
            AdminCommand::CreateApiKey { name, webhook_url, storage } => {
                create_api_key(&name, webhook_url.as_deref(), &storage)?
            }
            AdminCommand::RevokeApiKey { name, storage } => revoke_api_key(&name, &storage)?,
            AdminCommand::ListApiKeys(storage) => list_api_keys(&storage)?,
        },
        Command::Outbox { command } => run_outbox(command).await?,
        Command::Reputation { command: ReputationCommand::Recompute(storage) } => {
            let (pool, _court) = open_court(&storage, "reputation recompute")?;
            let done = services::jury::reputation::recompute(&mut *pool.get()?, Clock::default().now())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "recomputed {} jurors from {} judgements in {} EM iterations",
                done.jurors, done.judgements, done.iterations
            );
        }
        Command::Triage(args) => run_triage(args)?,
        Command::Simulate(args) => run_simulation(args)?,
        // Off the async runtime: an object store's calls block (src/file_store.rs).
        Command::Demo(args) => tokio::task::spawn_blocking(move || run_demo(args)).await??,
    }
    Ok(())
}

fn run_demo(DemoArgs { storage, full_case, scale }: DemoArgs) -> anyhow::Result<()> {
    let (pool, _court) = open_court(&storage, "demo")?;
    let play = if full_case { demo::seed_full_case } else { demo::seed };
    let (now, conn) = (Clock::default().now(), &mut *pool.get()?);
    let report = play(conn, &storage.files()?, now, &mut rand::rng()).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{report}");
    if let Some(cases) = scale {
        seed_scale(conn, &storage.data_dir, cases as usize, now)?;
    }
    Ok(())
}

/// glibc raises its mmap threshold each time a large block is freed, after which blocks that size
/// stay in the allocating thread's arena: every thread that once hashed a password (argon2id,
/// 19 MiB) would keep 19 MiB. A fixed threshold hands blocks of 1 MiB and more back at once.
fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn seed_scale(
    conn: &mut db::DbConnection,
    data_dir: &std::path::Path,
    cases: usize,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    use xiaofating::demo::scale;
    let started = std::time::Instant::now();
    match scale::seed_scale(conn, data_dir, cases, now, &mut rand::rng()).map_err(|e| anyhow::anyhow!("{e}"))? {
        None => println!("the court at scale was added before; nothing new"),
        Some(r) => println!(
            "court at scale added in {:.0} s: {} cases, {} jurors, {} votes; {} open seats of the first {} jurors in \
             bench-seats.tsv; the heaviest juror page: /juror/cases/{} for {}",
            started.elapsed().as_secs_f64(),
            r.cases,
            r.jurors,
            r.votes,
            r.open_seats,
            scale::VOTERS,
            r.showcase,
            r.showcase_juror
        ),
    }
    Ok(())
}

fn run_simulation(args: SimulateArgs) -> anyhow::Result<()> {
    use xiaofating::domain::juror::JuryRules;
    use xiaofating::domain::juror::VotingOpens;
    use xiaofating::domain::quorum::{QuorumPolicy, Quorums};
    use xiaofating::simulation::{court::Policy, scenario::Scenario, simulate, table, Settings};
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("cannot read the scenario {}", args.scenario.display()))?;
    let scenario = Scenario::from_json(&text).map_err(anyhow::Error::msg)?;
    let policies = match args.policy.as_str() {
        "all" => Policy::ALL.to_vec(),
        name => vec![Policy::parse(name).ok_or_else(|| {
            anyhow::anyhow!("--policy must be xianyu, taobao, matched, confident, oracle or all, not {name:?}")
        })?],
    };
    let quorum = QuorumPolicy::parse(&args.quorum).map_err(|e| anyhow::anyhow!("--quorum: {e}"))?;
    let first_to = QuorumPolicy::parse(&args.first_to).map_err(|e| anyhow::anyhow!("--first-to: {e}"))?;
    let rules = JuryRules {
        quorums: Quorums::all(quorum),
        audit_rate: f64::from(args.audit_percent) / 100.0,
        voting_opens: VotingOpens::parse(&args.voting_opens).unwrap_or_default(),
        reestimate_every: chrono::TimeDelta::hours(i64::from(args.reestimate_hours)),
        ..Default::default()
    };
    let settings = Settings::new(&rules, first_to).map_err(anyhow::Error::msg)?;
    let outcomes = simulate(&scenario, &policies, &settings, args.cases, args.seed).map_err(anyhow::Error::msg)?;
    if args.json {
        for outcome in &outcomes {
            println!("{}", serde_json::to_string(outcome)?);
        }
    } else {
        print!("{}", table(&outcomes));
    }
    Ok(())
}

fn run_triage(args: TriageArgs) -> anyhow::Result<()> {
    use std::io::{BufRead, Read};
    use xiaofating::services::triage;
    let locale = xiaofating::domain::locale::Locale::parse(&args.lang)
        .ok_or_else(|| anyhow::anyhow!("--lang must be en or zh-CN, not {:?}", args.lang))?;
    if args.evaluate {
        print!("{}", triage_evaluation());
        return Ok(());
    }
    let one = |line: &str| match serde_json::from_str::<xiaofating::domain::triage::CaseText>(line) {
        Ok(case) => serde_json::to_string(&triage::report(&case, locale)),
        Err(e) => serde_json::to_string(&serde_json::json!({ "error": format!("not a case: {e}") })),
    };
    if args.batch {
        for line in std::io::stdin().lock().lines() {
            println!("{}", one(&line?)?);
        }
        return Ok(());
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let case: xiaofating::domain::triage::CaseText = serde_json::from_str(&input).map_err(|e| {
        anyhow::anyhow!(
            "stdin must be one JSON object like {{\"claim\": \"…\", \"answer\": \"…\", \"category\": \"…\"}}: {e}"
        )
    })?;
    println!("{}", serde_json::to_string(&triage::report(&case, locale))?);
    Ok(())
}

/// The evaluations with timings, as `triage --evaluate` prints them: whole writing styles held
/// out (each judged by a model that never saw it), then the generated held-out wordings.
fn triage_evaluation() -> String {
    use xiaofating::services::triage;
    let started = std::time::Instant::now();
    let model_size = triage::MODEL.vocabulary_size();
    let built = started.elapsed();
    let held_out = triage::parse_examples(triage::HELD_OUT_SET);
    let timed = std::time::Instant::now();
    let generated = triage::evaluate(&held_out);
    let per_case = timed.elapsed() / held_out.len().max(1) as u32;
    let mut out = format!(
        "model: {model_size} features, built in {:.1} ms; {:.1} µs per case\n",
        built.as_secs_f64() * 1000.0,
        per_case.as_secs_f64() * 1e6
    );
    out += &evaluation_table(
        "styles held out (each style judged by a model trained without it)",
        &triage::evaluate_by_style(),
    );
    out += &evaluation_table("generated wordings held out", &generated);
    out
}

fn evaluation_table(title: &str, e: &xiaofating::services::triage::Evaluation) -> String {
    let mut out = format!(
        "{title}: {} examples, accuracy {:.1}%, calibration error {:.3}\n",
        e.examples,
        e.accuracy * 100.0,
        e.calibration_error
    );
    for (group, n, accuracy) in e.by_language.iter().chain(&e.by_style) {
        out += &format!("  {group:<14} {n:>4} examples  accuracy {:.1}%\n", accuracy * 100.0);
    }
    out += "  type                 precision  recall    F1  examples\n";
    for (kind, precision, recall, f1, n) in &e.by_type {
        out += &format!("  {kind:<20} {precision:>9.2} {recall:>7.2} {f1:>5.2} {n:>9}\n");
    }
    out
}

async fn run_outbox(command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Status(storage) => {
            let counts = outbox::counts(&mut *open_pool(&storage)?.get()?)?;
            for state in outbox::MailStatus::ALL {
                let n = counts.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n);
                println!("{state:>8} {n}");
            }
        }
        OutboxCommand::Drain(mail) => {
            let args = mail.serve_args();
            telemetry::init(&args.log_format);
            let settings = std::sync::Arc::new(Settings::from_args(&args)?);
            let (pool, _court) = open_court(&args.storage, "outbox drain")?;
            let worker = OutboxWorker {
                pool,
                mailer: std::sync::Arc::new(settings.mailer()?),
                settings,
                clock: Clock::default(),
                wake: Default::default(),
                held: Default::default(),
            };
            let attempted = worker.drain().await?;
            let counts = outbox::counts(&mut *worker.pool.get()?)?;
            println!("{attempted} delivery attempts; {counts:?}");
        }
        OutboxCommand::RetryDead(storage) => {
            let (pool, _court) = open_court(&storage, "outbox retry-dead")?;
            let n = outbox::retry_dead(&mut *pool.get()?, Clock::default().now())?;
            println!("{n} dead messages queued again");
        }
    }
    Ok(())
}
