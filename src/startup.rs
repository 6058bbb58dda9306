//! Wires settings, database, mailer, worker and routes into a running server.

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, DatabaseUrl};
use crate::jobs::deadline_worker::DeadlineWorker;
use crate::jobs::outbox_worker::OutboxWorker;
use crate::routes::{
    self,
    context::{AppState, Hashers},
    error_page::render_error_page,
    errors::AppError,
    health::PoolGauges,
    rate_limit::Limiters,
    statements,
};
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::error::{QueryPayloadError, UrlencodedError};
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use actix_web_prom::PrometheusMetricsBuilder;
use prometheus::Registry;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tracing_actix_web::TracingLogger;

/// Largest urlencoded form body; anything bigger is refused with 413 before it is read. It is
/// well above every field's own limit, so an over-long statement gets a message beside the field.
const FORM_LIMIT: usize = 4 * 1024 * 1024;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// On SIGTERM, requests already in flight get this long to finish (new connections are refused
/// at once); then the mail worker gets `Limits::mail_stop_grace` for the batch it is sending.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

pub struct Application {
    server: Server,
    port: u16,
    pub pool: db::DbPool,
    workers: Workers,
}

/// The background workers, stopped after the server: see `Workers::stop`.
struct Workers {
    outbox: OutboxWorker,
    outbox_task: tokio::task::JoinHandle<()>,
    stop_outbox: tokio::sync::watch::Sender<bool>,
    deadlines_task: tokio::task::JoinHandle<()>,
}

impl Workers {
    /// The deadline worker stops at once: each job is one transaction, so one cut off is rolled
    /// back and run by another server or the next start. The mail worker finishes its batch, for
    /// up to `Limits::mail_stop_grace`; messages it still holds then are handed back to the queue at once
    /// rather than left to their lease (they may go out twice, with one Message-ID).
    async fn stop(self) {
        self.deadlines_task.abort();
        let _ = self.stop_outbox.send(true);
        let mut outbox_task = self.outbox_task;
        let grace = self.outbox.settings.limits.mail_stop_grace;
        if tokio::time::timeout(grace, &mut outbox_task).await.is_err() {
            outbox_task.abort();
        }
        match self.outbox.give_back_leases().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "stopping: messages handed back to the queue"),
            Err(e) => tracing::warn!(error = %e, "stopping: messages left to their lease"),
        }
    }
}

impl Application {
    /// Opens the database (running migrations), starts the mail worker and binds the listener.
    pub async fn build(mut settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        let pool_size = match settings.database {
            DatabaseUrl::Sqlite(_) => 8,
            DatabaseUrl::Postgres(_) => 16,
        };
        let database = settings.database.clone();
        let pool = tokio::task::spawn_blocking(move || db::connect(&database, pool_size)).await??;
        let (shared, key, given) = (pool.clone(), settings.secret_key.clone(), settings.secret_key_given);
        tokio::task::spawn_blocking(move || match &mut *shared.get()? {
            db::DbConnection::Pg(conn) => same_key_as_the_other_servers(conn, &key, given),
            db::DbConnection::Sqlite(_) => Ok(()), // one server per SQLite court (src/court_lock.rs)
        })
        .await??;
        #[cfg(feature = "bench-baseline")]
        {
            let pool = pool.clone();
            tokio::task::spawn_blocking(move || {
                routes::bench_baseline::prepare(&mut *pool.get()?).map_err(anyhow::Error::from)
            })
            .await??;
        }
        // Train the triage classifier now, so no request waits for it.
        tokio::task::spawn_blocking(|| {
            let started = std::time::Instant::now();
            let features = crate::services::triage::MODEL.vocabulary_size();
            tracing::info!(features, ms = started.elapsed().as_millis() as u64, "triage model built");
            crate::memory::release_freed();
        })
        .await?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr()?.port();
        if settings.base_url.port() == Some(0) {
            // BIND asked for any free port and BASE_URL was derived from it: name the real one.
            let _ = settings.base_url.set_port(Some(port));
        }
        let settings = Arc::new(settings);
        let mail_wake = Arc::new(Notify::new());
        let mailer = Arc::new(settings.mailer()?);
        let outbox = OutboxWorker {
            pool: pool.clone(),
            mailer,
            settings: settings.clone(),
            clock: clock.clone(),
            wake: mail_wake.clone(),
            held: Default::default(),
        };
        let (stop_outbox, stopping) = tokio::sync::watch::channel(false);
        let outbox_task = tokio::spawn(outbox.clone().run(stopping));
        let mut jury = crate::services::jury::Jury::new(settings.jury.clone());
        if let Some(seed) = settings.draw_seed {
            jury.chance = crate::chance::Chance::seeded(seed);
        }
        let jury = Arc::new(jury);
        let deadlines_task = tokio::spawn(
            DeadlineWorker {
                pool: pool.clone(),
                clock: clock.clone(),
                poll: settings.limits.deadline_poll,
                jury: jury.clone(),
                mail_wake: mail_wake.clone(),
            }
            .run(),
        );

        let registry = Registry::new();
        let prometheus = PrometheusMetricsBuilder::new("xiaofating")
            .registry(registry.clone())
            .mask_unmatched_patterns("UNMATCHED")
            .build()
            .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
        let gauges = web::Data::new(PoolGauges::register(&registry)?);
        let registry = web::Data::new(registry);
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            limiters: Arc::new(Limiters::new(
                &settings.limits.rates,
                matches!(settings.database, DatabaseUrl::Postgres(_)).then_some(settings.secret_key.as_slice()),
            )),
            settings: settings.clone(),
            clock,
            mail_wake,
            jury,
            // One per core: a hash is pure CPU.
            hashers: Hashers::start(workers),
        });
        let key = Key::derive_from(&settings.secret_key);
        let https = settings.is_https();
        let expose_statements = settings.expose_statements;

        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(routes::input::refuse_nul_in_uri))
                .wrap(from_fn(routes::head_as_get))
                .wrap(from_fn(move |req, next| statements::count(req, next, expose_statements)))
                .wrap(ErrorHandlers::new().default_handler(render_error_page))
                .wrap(session_middleware(key.clone(), https))
                .wrap(security_headers(https))
                .wrap(prometheus.clone())
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .app_data(registry.clone())
                .app_data(gauges.clone())
                .app_data(web::FormConfig::default().limit(FORM_LIMIT).error_handler(|err, _| {
                    match err {
                        UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge,
                        _ => AppError::BadRequest,
                    }
                    .into()
                }))
                .app_data(
                    web::QueryConfig::default().error_handler(|_: QueryPayloadError, _| AppError::BadRequest.into()),
                )
                .configure(routes::api::configure)
                .configure(routes::configure)
                // Takes the page context so that a signed-in member's 404 keeps their header.
                .default_service(web::to(|_: routes::context::Ctx| async {
                    Err::<actix_web::HttpResponse, _>(AppError::NotFound)
                }))
        })
        // As many blocking threads as pooled connections: more only queue on the pool's lock and
        // switch threads (a party's case page served 28% more requests/s with p99 42 → 28 ms;
        // docs/performance.md).
        .workers(workers)
        .worker_max_blocking_threads((pool_size as usize / workers).max(2))
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .listen(listener)?
        .run();
        let workers = Workers { outbox, outbox_task, stop_outbox, deadlines_task };
        Ok(Application { server, port, pool, workers })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (and with it the background workers).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped. SIGTERM (or `ServerHandle::stop(true)`) stops accepting, lets the
    /// requests in flight finish within `SHUTDOWN_GRACE`, then stops the workers.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.workers.stop().await;
        result
    }
}

/// Session state lives in an encrypted, signed cookie; the sign-in secret inside it is checked
/// against the `auth_sessions` table on every request, so signing out kills it for good.
fn session_middleware(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name("xft_session".to_string())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(BrowserSession::default())
        .build()
}

fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        // Turns off the legacy XSS auditors (their filtering could be abused); the CSP does the work.
        .add(("X-XSS-Protection", "0"));
    if https {
        headers.add(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    } else {
        headers
    }
}

/// The servers of one PostgreSQL court must sign cookies and links with one key, or a person
/// signed in on one is a stranger to the next. The first server records the key's fingerprint;
/// a server with a key of its own making (`DATA_DIR/secret_key`) and another fingerprint refuses
/// to start. A `SECRET_KEY` the operator gives replaces the record (rotating the key on purpose).
fn same_key_as_the_other_servers(conn: &mut diesel::PgConnection, key: &[u8], given: bool) -> anyhow::Result<()> {
    use crate::db::models::court_setting::{self, SECRET_KEY_FINGERPRINT};
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"xiaofating: which key signs this court's cookies");
    let fingerprint = hex::encode(mac.finalize().into_bytes());
    if given {
        let before = court_setting::find(conn, SECRET_KEY_FINGERPRINT)?;
        if before.is_some_and(|before| before != fingerprint) {
            tracing::warn!("SECRET_KEY differs from the one this court used before: earlier sessions and links end");
        }
        court_setting::replace(conn, SECRET_KEY_FINGERPRINT, &fingerprint)?;
        return Ok(());
    }
    if court_setting::keep_first(conn, SECRET_KEY_FINGERPRINT, &fingerprint)? != fingerprint {
        anyhow::bail!(
            "this server made its own secret key (DATA_DIR/secret_key), but the other servers of this \
             PostgreSQL court sign with another one: give every server the same SECRET_KEY"
        );
    }
    Ok(())
}
