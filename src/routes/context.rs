//! What every page knows about its request: language, the signed-in account, the CSRF token.

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::DbPool;
use crate::domain::locale::Locale;
use crate::domain::next_step::{time_left, NextStep};
use crate::i18n;
use crate::routes::client_ip::client_ip;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Limiters;
use crate::services::account::{session, Account};
use crate::services::overview::{self, Badges};
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use std::borrow::Cow;
use std::sync::Arc;
use tokio::sync::Notify;

pub const SESSION_AUTH: &str = "auth";
pub const SESSION_CSRF: &str = "csrf";
pub const SESSION_FLASH: &str = "flash";
pub const LANG_COOKIE: &str = "lang";

/// Shared by every request.
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// Woken after a database hop that queued mail (`db::models::outbox::take_queued`).
    pub mail_wake: Arc<Notify>,
    pub limiters: Limiters,
    /// The jury's rules and pool, shared with the deadline worker.
    pub jury: Arc<crate::services::jury::Jury>,
    /// Threads for password hashing (`off_pool`).
    pub hashers: Hashers,
}

/// Threads of their own for argon2, apart from the blocking threads database hops run on: a burst
/// of sign-ins queues here and takes neither a connection nor a thread from the pages.
pub struct Hashers {
    jobs: std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>,
}

impl Hashers {
    pub fn start(threads: usize) -> Hashers {
        let (jobs, queue) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let serve = move || loop {
                let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                let Ok(job) = next else { return };
                // A panicking job answers nobody (its caller sees an internal error); the thread lives on.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            };
            std::thread::Builder::new().name(format!("argon2-{n}")).spawn(serve).expect("a hashing thread starts");
        }
        Hashers { jobs }
    }
}

impl AppState {
    /// Runs blocking database work off the async executor.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let hop = move || {
            crate::db::models::outbox::take_queued();
            let (result, count) = crate::db::statements::counted(|| crate::db::with_connection(&pool, f));
            (result, count, crate::db::models::outbox::take_queued())
        };
        let (result, count, mail_queued) =
            web::block(hop).await.map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?;
        crate::routes::statements::add(count);
        if mail_queued {
            self.mail_wake.notify_one();
        }
        result
    }

    /// Runs a page's reads off the async executor, in one read transaction: one instant.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.db(|conn| crate::db::read_tx(conn, f)).await
    }

    /// Runs password hashing on the hashing threads: off the async executor, holding no
    /// connection and no thread the database hops need.
    pub async fn off_pool<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job = Box::new(move || {
            let _ = answer.send(f());
        });
        let lost = || AppError::Internal(anyhow::anyhow!("the hashing task failed"));
        self.hashers.jobs.send(job).map_err(|_| lost())?;
        answered.await.map_err(|_| lost())
    }
}

/// The page context: extracted once per request, handed to every template as `ctx`.
pub struct Ctx {
    pub locale: Locale,
    pub account: Option<Account>,
    /// The header's counts for the signed-in member: things waiting for them, unread notices
    /// (counted for pages only: GET and HEAD).
    pub badges: Badges,
    /// A HEAD request: the page is answered but marks nothing read.
    pub looking_only: bool,
    pub csrf: String,
    pub path: String,
    pub flash: Option<String>,
    pub session: Session,
    /// The peer's address, the key of per-IP rate limits.
    pub ip: String,
}

impl Ctx {
    pub fn t(&self, key: impl AsRef<str>) -> Cow<'static, str> {
        i18n::t(self.locale, key.as_ref())
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::tf(self.locale, key, args)
    }

    /// The translated error of a form field, or "" when it has none.
    /// A text that missed its length names the rule and its own length ("最多 2000 字，你写了 2300 字").
    pub fn err(&self, errors: &crate::domain::validation::FieldErrors, field: &str) -> Cow<'static, str> {
        match (errors.get(field), errors.bounds(field)) {
            (Some(key), Some(b)) => Cow::Owned(self.tf(
                &format!("{key}_bounded"),
                &[("min", &b.min.to_string()), ("max", &b.max.to_string()), ("count", &b.count.to_string())],
            )),
            (Some(key), None) => self.t(key),
            (None, _) => Cow::Borrowed(""),
        }
    }

    /// A stored UTC time as the viewer reads it, in their time zone.
    pub fn time(&self, at: &chrono::NaiveDateTime) -> String {
        let tz = self.account.as_ref().map_or(chrono_tz::Asia::Shanghai, |a| a.time_zone);
        at.and_utc().with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    }

    /// A value from the audit log (`state=decided; jury_outcome=buyer`) in the reader's words
    /// ("阶段：已裁决；评审团结果：买家"); a part it does not know stays as written.
    pub fn audit_words(&self, raw: &str) -> String {
        let (colon, between) = if self.locale == Locale::ZhCn { ("：", "；") } else { (": ", "; ") };
        let known = |key: String| {
            let text = self.t(&key);
            (text != key).then(|| text.into_owned())
        };
        raw.split("; ")
            .map(|part| {
                let Some((field, value)) = part.split_once('=') else {
                    return known(format!("audit.value.{part}")).unwrap_or_else(|| part.to_string());
                };
                let value_key = match field {
                    "state" => Some(format!("state.{value}")),
                    "jury_outcome" | "outcome" | "calibration" if value == "-" => Some("audit.value.none".into()),
                    "jury_outcome" | "outcome" | "calibration" => Some(format!("side.{value}")),
                    "remedy" => Some(format!("remedy.{value}")),
                    "role" => Some(format!("role.{value}")),
                    "status" => Some(format!("juror.status.{value}")),
                    "proof" => Some(format!("triage.evidence.{value}")),
                    "reason" => Some(value.to_string()),
                    _ => None,
                };
                let value = match field {
                    "amount_fen" => value.parse().map_or_else(|_| value.to_string(), |fen| self.money(&fen)),
                    _ => value_key.and_then(known).unwrap_or_else(|| value.to_string()),
                };
                match known(format!("audit.field.{field}")) {
                    Some(label) => format!("{label}{colon}{value}"),
                    None => format!("{field}={value}"),
                }
            })
            .collect::<Vec<_>>()
            .join(between)
    }

    /// A stored UTC time for `<time datetime>`, as HTML wants it.
    pub fn iso(&self, at: &chrono::NaiveDateTime) -> String {
        at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// The viewer's time zone, shown beside times: "北京时间" / "China time" for the default,
    /// else its IANA name.
    pub fn time_zone(&self) -> Cow<'static, str> {
        let tz = self.account.as_ref().map_or(chrono_tz::Asia::Shanghai, |a| a.time_zone);
        if tz == chrono_tz::Asia::Shanghai {
            self.t("time.china")
        } else {
            Cow::Borrowed(tz.name())
        }
    }

    /// The sentence naming a case's next step for this reader, with its deadline in their time zone.
    pub fn next_step(&self, step: &NextStep) -> String {
        let due = step.due.map(|due| format!("{} ({})", self.time(&due), self.time_zone())).unwrap_or_default();
        self.tf(&format!("next.{}", step.key), &[("due", &due)])
    }

    /// What happens if nobody acts on the next step.
    pub fn next_step_then(&self, step: &NextStep) -> Cow<'static, str> {
        self.t(format!("next.then.{}", step.key))
    }

    /// "还剩 23 小时" / "23 hours left", or that the deadline has passed: readable without JavaScript,
    /// kept current by the page's script.
    pub fn time_left(&self, due: &chrono::NaiveDateTime, now: &chrono::NaiveDateTime) -> String {
        match time_left(*due, *now) {
            Some((n, unit)) => self.tf(&format!("next.left.{unit}"), &[("n", &n.to_string())]),
            None => self.t("next.left.passed").into_owned(),
        }
    }

    /// Fen as "¥1,299.00".
    pub fn money(&self, fen: &i64) -> String {
        format!("¥{}", crate::domain::dispute::format_yuan(*fen))
    }

    pub fn session_token(&self) -> Option<String> {
        self.session.get::<String>(SESSION_AUTH).ok().flatten()
    }

    pub fn require_account(&self) -> Result<&Account, AppError> {
        self.account.as_ref().ok_or_else(|| AppError::SignInRequired(self.path.clone()))
    }

    /// Shows a one-line notice (an i18n key) on the next page.
    pub fn flash(&self, key: &str) {
        let _ = self.session.insert(SESSION_FLASH, key);
    }

    pub fn languages(&self) -> [Locale; 2] {
        Locale::ALL
    }

    pub fn asset_version(&self) -> &'static str {
        crate::routes::assets::version()
    }
}

/// A request from a signed-in member: the page context and their account. Anyone else is sent to
/// sign in, and back to this page after.
pub struct SignedIn {
    pub ctx: Ctx,
    pub account: Account,
}

impl SignedIn {
    fn of(ctx: Ctx) -> Result<SignedIn, AppError> {
        let account = ctx.require_account()?.clone();
        Ok(SignedIn { ctx, account })
    }
}

/// A request from a moderator or an administrator; to anyone else the page does not exist (404),
/// and a visitor who is not signed in is sent to sign in. The use cases check the role again.
pub struct Moderating {
    pub ctx: Ctx,
    pub account: Account,
}

impl Moderating {
    fn of(ctx: Ctx) -> Result<Moderating, AppError> {
        let SignedIn { ctx, account } = SignedIn::of(ctx)?;
        if !account.role.can_moderate() {
            return Err(AppError::NotFound);
        }
        Ok(Moderating { ctx, account })
    }
}

/// Extractors that are the page context plus a check: the context, then what `of` makes of it.
macro_rules! from_ctx {
    ($($t:ty),*) => {$(
        impl FromRequest for $t {
            type Error = AppError;
            type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let ctx = Ctx::from_request(req, payload);
                Box::pin(async move { <$t>::of(ctx.await?) })
            }
        }
    )*};
}

from_ctx!(SignedIn, Moderating);

/// The language of a request without touching the database (also used by error pages).
pub fn request_locale(req: &HttpRequest) -> Locale {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Locale::parse(c.value()))
        .or_else(|| {
            req.headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        })
        .unwrap_or_default()
}

pub fn new_csrf_token() -> String {
    crate::domain::public_id::new_secret_token(&mut rand::rng())
}

/// The account behind a session token, with its header counts.
pub fn signed_in(
    conn: &mut crate::db::DbConnection,
    token: &str,
    rules: &crate::domain::juror::JuryRules,
    now: chrono::NaiveDateTime,
) -> crate::services::ServiceResult<Option<(Account, Badges)>> {
    let Some(account) = session::authenticate(conn, token, now)? else {
        return Ok(None);
    };
    let badges = crate::db::read_tx(conn, |conn| overview::badges(conn, &account, rules, now))?;
    Ok(Some((account, badges)))
}

/// The visitor's address as a string ("" when the connection has none, as in some tests).
fn visitor_ip(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> String {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    req.peer_addr()
        .map(|peer| client_ip(peer.ip(), header("forwarded"), header("x-forwarded-for"), trusted).to_string())
        .unwrap_or_default()
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req.app_data::<web::Data<AppState>>().expect("AppState is registered").clone();
            let session = req.get_session();
            let signed_in = match session.get::<String>(SESSION_AUTH).ok().flatten() {
                Some(token) => {
                    let (now, jury) = (state.clock.now(), state.jury.clone());
                    let page = req.method() == actix_web::http::Method::GET;
                    state
                        .db(move |conn| {
                            {
                                let account = session::authenticate(conn, &token, now)?;
                                let badges = match &account {
                                    Some(account) if page => crate::db::read_tx(conn, |conn| {
                                        overview::badges(conn, account, &jury.rules, now)
                                    })?,
                                    _ => Badges::default(),
                                };
                                Ok::<_, crate::services::ServiceError>(account.map(|a| (a, badges)))
                            }
                            .map_err(AppError::from)
                        })
                        .await?
                }
                None => None,
            };
            // Error pages rendered later for this request show the same signed-in header.
            if let Some(signed_in) = &signed_in {
                req.extensions_mut().insert(signed_in.clone());
            }
            let (account, badges) = match signed_in {
                Some((account, badges)) => (Some(account), badges),
                None => (None, Badges::default()),
            };
            if account.is_none() {
                session.remove(SESSION_AUTH);
            }
            let csrf = match session.get::<String>(SESSION_CSRF).ok().flatten() {
                Some(token) => token,
                None => {
                    let token = new_csrf_token();
                    let _ = session.insert(SESSION_CSRF, &token);
                    token
                }
            };
            let locale = account.as_ref().map(|a| a.locale).unwrap_or_else(|| request_locale(&req));
            Ok(Ctx {
                looking_only: req.extensions().contains::<crate::routes::LookingOnly>(),
                locale,
                account,
                badges,
                csrf,
                path: req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string(),
                flash: session.remove_as::<String>(SESSION_FLASH).and_then(Result::ok),
                session,
                ip: visitor_ip(&req, &state.settings.trusted_proxies),
            })
        })
    }
}
