//! Drains a 10,000-message backlog to a local SMTP server (aiosmtpd, tests/smtp/server.py) and
//! prints messages per second. Run with `cargo bench --bench outbox_drain`; not a test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;
use xiaofating::clock::Clock;
use xiaofating::config::{MailArgs, ServeArgs, Settings, StorageArgs};
use xiaofating::db::{self, DatabaseUrl};
use xiaofating::domain::locale::Locale;
use xiaofating::email::message::Mail;
use xiaofating::jobs::outbox_worker::OutboxWorker;

const BACKLOG: usize = 10_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut smtp = Command::new("python3")
        .args([
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/server.py"),
            &dir.path().join("smtp").display().to_string(),
            &port.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut ready = String::new();
    BufReader::new(smtp.stdout.take().expect("stdout")).read_line(&mut ready)?;

    let args = ServeArgs {
        mail: MailArgs { smtp_url: Some(format!("smtp://127.0.0.1:{port}")), ..MailArgs::default() },
        ..ServeArgs::defaults(StorageArgs { data_dir: dir.path().to_path_buf(), database_url: None, file_store: None })
    };
    let settings = Arc::new(Settings::from_args(&args)?);
    let pool = db::connect(&DatabaseUrl::Sqlite(dir.path().join("bench.db")), 4)?;
    {
        let conn = &mut *pool.get()?;
        let now = Clock::default().now();
        db::write_tx(conn, |conn| {
            for i in 0..BACKLOG {
                let mail = Mail::AccountVerify { name: format!("用户 {i}"), token: format!("{i:064}") };
                xiaofating::services::outbox::enqueue(
                    conn,
                    &format!("bench:{i}"),
                    &format!("user{i}@example.com"),
                    Locale::ZhCn,
                    &mail,
                    now,
                )?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
    }
    let worker = OutboxWorker {
        pool: pool.clone(),
        mailer: Arc::new(settings.mailer()?),
        settings,
        clock: Clock::default(),
        wake: Default::default(),
        held: Default::default(),
    };
    let started = Instant::now();
    worker.drain().await?;
    let seconds = started.elapsed().as_secs_f64();
    let received = std::fs::read_dir(dir.path().join("smtp"))?
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml")))
        .count();
    let _ = smtp.kill();
    println!(
        "drained {BACKLOG} messages in {seconds:.2} s: {:.0} messages/s ({received} received by the SMTP server)",
        BACKLOG as f64 / seconds
    );
    Ok(())
}
