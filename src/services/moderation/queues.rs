//! The moderators' dashboard: every queue that needs a human, with counts and how long each item
//! has waited, filtered by category and minimum wait. Also: retrying undeliverable email and
//! deadline jobs that were set aside.

use super::{audit, require_moderator, Audited, Recusal};
use crate::db::models::case::{self, CaseDue, CaseRow, QueueFilter};
use crate::db::models::flag::{self, FlagRow};
use crate::db::models::job::{self, JobRow};
use crate::db::models::outbox::{self, OutboxRow};
use crate::db::{write_tx, DbConnection, Window};
use crate::domain::case::CaseState;
use crate::domain::dispute::Category;
use crate::domain::moderation::{Deadline, SPLIT_MARGIN};
use crate::domain::paging::Page;
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::{NaiveDateTime, TimeDelta};

/// Rows each queue shows on the dashboard; "see all" opens the queue alone.
const PREVIEW_ROWS: i64 = 20;
/// Rows per page when one queue is open on its own.
const PAGE_ROWS: i64 = 50;
/// A deadline this far in the past with the case still at its stage means the worker is stuck
/// or a step failed: a moderator should look.
const STALLED_AFTER: TimeDelta = TimeDelta::hours(1);
/// A panel still forming after this long is stalled too.
const FORMING_TOO_LONG: TimeDelta = TimeDelta::hours(72);

/// The queues, in the order the dashboard shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Escalated,
    Appealed,
    Split,
    Stalled,
    Flags,
    DeadMail,
    DeadJobs,
}

impl Queue {
    pub const ALL: [Queue; 7] = [
        Queue::Escalated,
        Queue::Appealed,
        Queue::Split,
        Queue::Stalled,
        Queue::Flags,
        Queue::DeadMail,
        Queue::DeadJobs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Escalated => "escalated",
            Queue::Appealed => "appealed",
            Queue::Split => "split",
            Queue::Stalled => "stalled",
            Queue::Flags => "flags",
            Queue::DeadMail => "dead_mail",
            Queue::DeadJobs => "dead_jobs",
        }
    }

    pub fn parse(raw: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == raw)
    }
}

/// The dashboard's filters, as typed in the query string (unknown values are ignored).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub category: String,
    /// Only items waiting at least this many hours.
    #[serde(default)]
    pub min_hours: String,
    /// One queue, opened on its own and paged.
    #[serde(default)]
    pub queue: String,
    #[serde(default)]
    pub page: String,
}

impl Filters {
    pub fn category(&self) -> Option<Category> {
        Category::parse(self.category.trim())
    }

    pub fn min_hours(&self) -> Option<i64> {
        self.min_hours.trim().parse::<i64>().ok().filter(|h| (1..=24 * 365).contains(h))
    }

    pub fn focus(&self) -> Option<Queue> {
        Queue::parse(self.queue.trim())
    }

    /// The query string of page `page` of `queue` opened alone, keeping the filters.
    pub fn queue_page(&self, queue: &Queue, page: Option<i64>) -> String {
        self.link(queue.as_str(), page)
    }

    /// The query string of every queue at once, keeping the filters.
    pub fn all_queues(&self) -> String {
        self.link("", None)
    }

    fn link(&self, queue: &str, page: Option<i64>) -> String {
        Page::query(&[("category", &self.category), ("min_hours", &self.min_hours), ("queue", queue)], page)
    }
}

/// A case in a queue, with the moment its wait began.
pub struct Waiting {
    pub case: CaseRow,
    pub since: NaiveDateTime,
    /// What the row adds: a tally for split verdicts, the missed deadline for stalled cases.
    pub note: String,
}

/// What the dashboard shows of one queue: some of its rows and its real size.
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub page: Page,
}

impl<T> Listed<T> {
    pub fn more_than_shown(&self) -> bool {
        self.page.total > self.rows.len() as i64
    }
}

pub struct Dashboard {
    pub filters: Filters,
    /// The queue open on its own, if one is.
    pub focus: Option<Queue>,
    pub escalated: Listed<Waiting>,
    pub appealed: Listed<Waiting>,
    pub split: Listed<Waiting>,
    pub stalled: Listed<Waiting>,
    /// Open flags, with the case's public id and category.
    pub flags: Listed<(FlagRow, String, String)>,
    pub dead_mail: Listed<OutboxRow>,
    /// Deadline jobs that failed too often to be tried again by themselves, with the case's
    /// public id: until one runs, its case waits.
    pub dead_jobs: Listed<(JobRow, String)>,
}

impl Dashboard {
    /// Everything waiting, over all queues (not only what is shown).
    pub fn total(&self) -> i64 {
        Queue::ALL.iter().map(|q| self.count(q)).sum()
    }

    pub fn count(&self, queue: &Queue) -> i64 {
        match *queue {
            Queue::Escalated => self.escalated.page.total,
            Queue::Appealed => self.appealed.page.total,
            Queue::Split => self.split.page.total,
            Queue::Stalled => self.stalled.page.total,
            Queue::Flags => self.flags.page.total,
            Queue::DeadMail => self.dead_mail.page.total,
            Queue::DeadJobs => self.dead_jobs.page.total,
        }
    }

    /// Whether the page shows this queue's rows: all are shown, or it is the one opened.
    pub fn shows(&self, queue: &Queue) -> bool {
        self.focus.is_none_or(|focus| focus == *queue)
    }

    pub fn is_open(&self, queue: &Queue) -> bool {
        self.focus == Some(*queue)
    }
}

/// Everything waiting for a moderator; anyone else is told it does not exist. Each queue shows its
/// first rows and its real count, or, when one queue is opened, a page of it and only the others'
/// counts. Cases the moderator is recused from are left out in the queries, so counts are right.
pub fn dashboard(
    conn: &mut DbConnection,
    account: &Account,
    filters: Filters,
    now: NaiveDateTime,
) -> ServiceResult<Dashboard> {
    require_moderator(account)?;
    let recusal = Recusal::of(conn, account)?;
    let category = filters.category();
    let waiting_since = filters.min_hours().map(|h| now - TimeDelta::hours(h));
    let filter = QueueFilter { category: category.map(Category::as_str), waiting_since, hidden: recusal.cases() };
    let focus = filters.focus();
    let requested = Page::requested(&filters.page);
    // The opened queue is paged; the others show a preview, or nothing but their count.
    let window = |queue: Queue| match focus {
        None => (1, PREVIEW_ROWS),
        Some(open) if open == queue => (requested, PAGE_ROWS),
        Some(_) => (1, 0),
    };
    let rows = |queue: Queue| {
        let (number, size) = window(queue);
        (Page::offset(number, size), size)
    };
    let plain = |(cases, total): (Vec<CaseRow>, i64)| {
        let waiting = cases.into_iter().map(|case| Waiting { since: case.updated_at, note: String::new(), case });
        (waiting.collect(), total)
    };
    let escalated = listed(
        window(Queue::Escalated),
        plain(case::in_states(conn, &[CaseState::Escalated], filter, rows(Queue::Escalated))?),
    );
    let appealed = listed(
        window(Queue::Appealed),
        plain(case::in_states(conn, &[CaseState::Appealed], filter, rows(Queue::Appealed))?),
    );
    let (split, total) = case::split_verdicts(conn, SPLIT_MARGIN, filter, rows(Queue::Split))?;
    let split = split
        .into_iter()
        .map(|(case, buyer, seller, decided_at)| Waiting {
            case,
            since: decided_at,
            note: format!("{buyer} : {seller}"),
        })
        .collect();
    let split = listed(window(Queue::Split), (split, total));
    let stalled = listed(window(Queue::Stalled), stalled(conn, filter, now, rows(Queue::Stalled))?);
    let flags = listed(window(Queue::Flags), flag::open(conn, filter, rows(Queue::Flags))?);
    let dead_mail = listed(window(Queue::DeadMail), outbox::dead(conn, waiting_since, rows(Queue::DeadMail))?);
    let dead_jobs = listed(window(Queue::DeadJobs), job::dead(conn, filter, rows(Queue::DeadJobs))?);
    Ok(Dashboard { filters, focus, escalated, appealed, split, stalled, flags, dead_mail, dead_jobs })
}

fn listed<T>((number, size): (i64, i64), (rows, total): (Vec<T>, i64)) -> Listed<T> {
    Listed { rows, page: Page { number, size: size.max(1), total } }
}

/// Open cases whose stage deadline passed a while ago without the automatic step happening, and
/// panels that have been forming for days: one bounded query per kind of deadline, merged into one
/// page, with the sum of their counts (a case is at one stage, so in one of them).
fn stalled(
    conn: &mut DbConnection,
    filter: QueueFilter,
    now: NaiveDateTime,
    (offset, limit): Window,
) -> ServiceResult<(Vec<Waiting>, i64)> {
    // A case counts from its deadline; a forming panel from when it became too slow.
    let cutoff = (now - STALLED_AFTER).min(filter.waiting_since.unwrap_or(NaiveDateTime::MAX));
    let forming_since = FORMING_TOO_LONG - STALLED_AFTER;
    let on_case: [(&[CaseState], CaseDue, TimeDelta, &str); 4] = [
        (&[CaseState::AwaitingResponse], CaseDue::Response, TimeDelta::zero(), Deadline::Response.as_str()),
        (
            &[CaseState::Evidence, CaseState::Appealed],
            CaseDue::Evidence,
            TimeDelta::zero(),
            Deadline::Evidence.as_str(),
        ),
        (&[CaseState::Decided], CaseDue::Appeal, TimeDelta::zero(), Deadline::Appeal.as_str()),
        (&[CaseState::JurySelection], CaseDue::LastChange, forming_since, "panel"),
    ];
    // Any row of the page may come from any kind: read each kind up to the page's end.
    let upto = offset + limit;
    let (mut found, mut total) = (vec![], 0);
    for (states, due, shift, note) in on_case {
        let (cases, count) = case::overdue(conn, (states, due), cutoff - shift, filter, upto)?;
        total += count;
        found.extend(cases.into_iter().map(|case| Waiting { since: due.of(&case) + shift, case, note: note.into() }));
    }
    let (cases, count) = case::overdue_votes(conn, cutoff, filter, upto)?;
    total += count;
    let voting = Deadline::Voting.as_str();
    found.extend(cases.into_iter().map(|(case, due)| Waiting { case, since: due, note: voting.into() }));
    found.sort_by_key(|w| (w.since, w.case.id));
    let page = found.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok((page, total))
}

/// What a moderator sends back to be tried again: undeliverable email or deadline jobs that were
/// set aside, one (by id) or all of them.
#[derive(Debug, Clone, Copy)]
pub enum Retry {
    Mail(Option<i32>),
    Jobs(Option<i32>),
}

/// Queues dead email or set-aside jobs again, audited. Returns how many. Jobs on cases the
/// moderator is recused from are left alone.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn retry(conn: &mut DbConnection, account: &Account, what: Retry, now: NaiveDateTime) -> ServiceResult<usize> {
    require_moderator(account)?;
    let recusal = Recusal::of(conn, account)?;
    write_tx(conn, |conn| {
        let (count, action, one, thing) = match what {
            Retry::Mail(Some(id)) => {
                (usize::from(outbox::retry_one(conn, id, now)?), "retry_mail", Some(id), "message")
            }
            Retry::Mail(None) => (outbox::retry_dead(conn, now)?, "retry_mail", None, "message"),
            Retry::Jobs(one) => (job::retry_dead(conn, one, recusal.cases(), now)?, "retry_job", one, "job"),
        };
        if count > 0 {
            let target = one.map_or_else(|| "all".to_string(), |id| format!("{thing} {id}"));
            // One job is filed under its case, so the case's history shows it was run again.
            let case_id = match what {
                Retry::Jobs(Some(id)) => job::case_of(conn, id)?,
                _ => None,
            };
            let entry = Audited {
                action,
                case_id,
                subject_id: None,
                before: format!("{target}: dead"),
                after: format!("{count} queued again"),
                reason: "",
            };
            audit(conn, account, entry, now)?;
        }
        Ok(count)
    })
}
