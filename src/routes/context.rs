//! What every page knows about its request: language, the signed-in account, the CSRF token.

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::DbPool;
use crate::domain::locale::Locale;
use crate::domain::next_step::{time_left, NextStep};
use crate::i18n;
use crate::routes::client_ip::client_ip;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::{Action, Limiters};
use crate::services::account::{session, Account};
use crate::services::overview::{self, Badges};
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::format::{Item, StrftimeItems};
use futures_util::future::LocalBoxFuture;
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use tokio::sync::Notify;

/// Time patterns parsed once: chrono would parse a pattern again on every call, and a page shows
/// dozens of times.
static MINUTE: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| parsed("%Y-%m-%d %H:%M"));
static ISO: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| parsed("%Y-%m-%dT%H:%M:%SZ"));

fn parsed(pattern: &'static str) -> Vec<Item<'static>> {
    StrftimeItems::new(pattern).parse().expect("a valid time pattern")
}

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
    pub limiters: Arc<Limiters>,
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
    /// Counts one attempt at `action` (`Limiters::check`): at once in memory, or in the database
    /// when the court's servers share it.
    pub async fn limit(&self, action: Action, account: String, ip: String) -> Result<(), AppError> {
        if !self.limiters.is_shared() {
            return self.limiters.check_here(action, &account, &ip);
        }
        let limiters = self.limiters.clone();
        self.db(move |conn| limiters.check(conn, action, &account, &ip)).await
    }

    /// Runs blocking database work off the async executor.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let log = self.settings.statement_log.clone();
        let hop = move || {
            crate::db::models::outbox::take_queued();
            let (result, count) = crate::db::statements::counted(log, || crate::db::with_connection(&pool, f));
            (result, count, crate::db::models::outbox::take_queued())
        };
        let (result, count, mail_queued) = web::block(hop).await?;
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

    /// A member's page in one trip to the database: signs the visitor in, counts their header's
    /// badges and runs `f` with their account, all in one read transaction (one instant). Anyone
    /// not signed in is sent to sign in; a moderators' page is not found by anyone else.
    pub async fn read_as<T, F>(&self, who: impl Into<Visitor>, f: F) -> Result<(SignedIn, T), AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection, &Account) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (signed_in, done) = self.hop_as(who.into(), Reads::Only, f).await?;
        Ok((signed_in, done?))
    }

    /// As `read_as`, for work that writes (a page that marks notices read): `f` runs outside the
    /// read transaction and opens its own.
    pub async fn db_as<T, F>(&self, who: impl Into<Visitor>, f: F) -> Result<(SignedIn, T), AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection, &Account) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (signed_in, done) = self.hop_as(who.into(), Reads::AndWrites, f).await?;
        Ok((signed_in, done?))
    }

    /// A form's use case in the same one trip: the member and the use case's own answer, so a
    /// refusal or bad input is answered with the member's page context.
    pub async fn act_as<T, F>(&self, who: impl Into<Visitor>, f: F) -> Result<(SignedIn, Result<T, AppError>), AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection, &Account) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.hop_as(who.into(), Reads::AndWrites, f).await
    }

    async fn hop_as<T, F>(&self, who: Visitor, reads: Reads, f: F) -> Result<(SignedIn, Result<T, AppError>), AppError>
    where
        F: FnOnce(&mut crate::db::DbConnection, &Account) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let visit = match who {
            Visitor::Known(ctx) => {
                let account = ctx.require_account()?.clone();
                let viewer = account.clone();
                let work = move |conn: &mut crate::db::DbConnection| Ok(f(conn, &viewer));
                let done = match reads {
                    Reads::Only => self.read(work).await?,
                    Reads::AndWrites => self.db(work).await?,
                };
                return Ok((SignedIn { ctx, account }, done));
            }
            Visitor::Arriving(visit) => visit,
        };
        let Some(token) = visit.token.clone() else {
            return Err(AppError::SignInRequired(visit.into_ctx(None).path));
        };
        let (page, moderators_only) = (visit.is_page(), visit.moderators_only);
        let (now, jury) = (self.clock.now(), self.jury.clone());
        let hop = move |conn: &mut crate::db::DbConnection| {
            let Some(account) = session::authenticate(conn, &token, now)? else {
                return Ok(None);
            };
            let badges = |conn: &mut crate::db::DbConnection| match page {
                true => overview::badges(conn, &account, &jury.rules, now).map_err(AppError::from),
                false => Ok(Badges::default()),
            };
            let allowed = !moderators_only || account.role.can_moderate();
            let (badges, done) = match reads {
                Reads::Only => crate::db::read_tx(conn, |conn| {
                    Ok::<_, AppError>((badges(conn)?, allowed.then(|| f(conn, &account))))
                })?,
                // A form post counts no badges: no empty transaction for them.
                Reads::AndWrites if !page => (Badges::default(), allowed.then(|| f(conn, &account))),
                Reads::AndWrites => (crate::db::read_tx(conn, badges)?, allowed.then(|| f(conn, &account))),
            };
            Ok(Some((account, badges, done)))
        };
        let Some((account, badges, done)) = self.db(hop).await? else {
            return Err(AppError::SignInRequired(visit.into_ctx(None).path));
        };
        let ctx = visit.into_ctx(Some((account.clone(), badges)));
        let done = done.ok_or(AppError::NotFound)?;
        Ok((SignedIn { ctx, account }, done))
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

/// A request on its way to its one database hop: what the page context knows without the database,
/// and the session token to check there. Pages take this rather than `Ctx`, so signing the visitor
/// in, counting the header's badges and the page's own work share one trip to the blocking pool
/// (`AppState::read_as`, `AppState::db_as`) instead of two.
pub struct Visit {
    req: HttpRequest,
    token: Option<String>,
    moderators_only: bool,
}

/// A visit to a moderators' page: to anyone else the page does not exist (404).
pub struct ModeratorVisit(Visit);

/// Who a page is for: a visitor still to be signed in, or one already known (a form sent back with
/// its messages is shown from the context its post was given).
pub enum Visitor {
    Arriving(Visit),
    Known(Ctx),
}

impl Visitor {
    /// A HEAD request: the page is answered but marks nothing read.
    pub fn looking_only(&self) -> bool {
        match self {
            Visitor::Arriving(visit) => visit.req.extensions().contains::<crate::routes::LookingOnly>(),
            Visitor::Known(ctx) => ctx.looking_only,
        }
    }
}

impl From<Visit> for Visitor {
    fn from(visit: Visit) -> Visitor {
        Visitor::Arriving(visit)
    }
}

impl From<ModeratorVisit> for Visitor {
    fn from(ModeratorVisit(visit): ModeratorVisit) -> Visitor {
        Visitor::Arriving(visit)
    }
}

impl From<Ctx> for Visitor {
    fn from(ctx: Ctx) -> Visitor {
        Visitor::Known(ctx)
    }
}

impl Visit {
    fn of(req: &HttpRequest) -> Visit {
        let token = req.get_session().get::<String>(SESSION_AUTH).ok().flatten();
        Visit { req: req.clone(), token, moderators_only: false }
    }

    /// The visitor's address, the key of per-IP rate limits.
    pub fn ip(&self) -> String {
        let state = self.req.app_data::<web::Data<AppState>>().expect("AppState is registered");
        visitor_ip(&self.req, &state.settings.trusted_proxies)
    }

    /// A page (GET, or HEAD answered as GET) shows the header's counts; a form post does not.
    fn is_page(&self) -> bool {
        self.req.method() == actix_web::http::Method::GET
    }

    /// The page context, once the database has said who is visiting.
    fn into_ctx(self, signed_in: Option<(Account, Badges)>) -> Ctx {
        let req = self.req;
        let state = req.app_data::<web::Data<AppState>>().expect("AppState is registered");
        let session = req.get_session();
        // Error pages rendered later for this request show the same signed-in header.
        if let Some(signed_in) = &signed_in {
            req.extensions_mut().insert(signed_in.clone());
        }
        let (account, badges) = match signed_in {
            Some((account, badges)) => (Some(account), badges),
            None => {
                session.remove(SESSION_AUTH);
                (None, Badges::default())
            }
        };
        let csrf = match session.get::<String>(SESSION_CSRF).ok().flatten() {
            Some(token) => token,
            None => {
                let token = new_csrf_token();
                let _ = session.insert(SESSION_CSRF, &token);
                token
            }
        };
        let locale = account.as_ref().map(|a| a.locale).unwrap_or_else(|| request_locale(&req));
        let looking_only = req.extensions().contains::<crate::routes::LookingOnly>();
        Ctx {
            looking_only,
            locale,
            account,
            badges,
            csrf,
            path: req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string(),
            flash: session.remove_as::<String>(SESSION_FLASH).and_then(Result::ok),
            ip: visitor_ip(&req, &state.settings.trusted_proxies),
            session,
        }
    }
}

/// Whether a page's work only reads (and so shares the header's read transaction).
#[derive(Clone, Copy)]
enum Reads {
    Only,
    AndWrites,
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
        at.and_utc().with_timezone(&tz).format_with_items(MINUTE.iter()).to_string()
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
        at.format_with_items(ISO.iter()).to_string()
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

from_ctx!(SignedIn);

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

/// The account behind a session token, with its header's counts when `page` is shown (a form post
/// shows none).
pub fn signed_in(
    conn: &mut crate::db::DbConnection,
    token: &str,
    page: bool,
    rules: &crate::domain::juror::JuryRules,
    now: chrono::NaiveDateTime,
) -> crate::services::ServiceResult<Option<(Account, Badges)>> {
    let Some(account) = session::authenticate(conn, token, now)? else {
        return Ok(None);
    };
    let badges = match page {
        true => crate::db::read_tx(conn, |conn| overview::badges(conn, &account, rules, now))?,
        false => Badges::default(),
    };
    Ok(Some((account, badges)))
}

/// The visitor's address as a string ("" when the connection has none, as in some tests).
pub fn visitor_ip(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> String {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    req.peer_addr()
        .map(|peer| client_ip(peer.ip(), header("forwarded"), header("x-forwarded-for"), trusted).to_string())
        .unwrap_or_default()
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let visit = Visit::of(req);
        Box::pin(async move {
            let Some(token) = visit.token.clone() else { return Ok(visit.into_ctx(None)) };
            let state = visit.req.app_data::<web::Data<AppState>>().expect("AppState is registered").clone();
            let (now, jury, page) = (state.clock.now(), state.jury.clone(), visit.is_page());
            let signed_in =
                state.db(move |conn| signed_in(conn, &token, page, &jury.rules, now).map_err(AppError::from)).await?;
            Ok(visit.into_ctx(signed_in))
        })
    }
}

impl FromRequest for Visit {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Visit::of(req)))
    }
}

impl FromRequest for ModeratorVisit {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ModeratorVisit(Visit { moderators_only: true, ..Visit::of(req) })))
    }
}
