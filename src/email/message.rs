//! Every kind of message the court sends, rendered as text and HTML in the recipient's language.

use crate::domain::locale::Locale;
use crate::i18n::{t, tf};
use askama::Template;
use serde::{Deserialize, Serialize};

/// A message waiting in the outbox: its kind and the facts it needs, stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mail {
    AccountVerify {
        name: String,
        token: String,
    },
    PasswordReset {
        name: String,
        token: String,
    },
    /// Someone tried to register with an address that has an account: its owner is told.
    AccountExists {
        name: String,
    },
    /// A stage notice about a case; `event` names the stage (`case_filed`, `answer_received`, …).
    Case(CaseNotice),
    /// A notice about one's duty as a juror (summons, probation, suspension); links to the juror pages.
    Juror(JurorNotice),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JurorNotice {
    pub event: String,
    /// Chooses the wording within the event (`passed` / `failed` for a probation result).
    #[serde(default)]
    pub variant: Option<String>,
    pub name: String,
    /// The case a summons is about: its public id and item, never the parties.
    pub case_id: Option<String>,
    pub item: Option<String>,
    pub due: Option<chrono::NaiveDateTime>,
    pub time_zone: String,
    /// A number or short text the wording shows, e.g. the probation score "4/5".
    #[serde(default)]
    pub detail: String,
}

/// Juror notices: each has `mail.<event>[.<variant>].subject` and `.body`
/// (with %{item}, %{case}, %{due}, %{detail}).
pub const JUROR_EVENTS: [(&str, Option<&str>); 18] = [
    ("jury_summons", None),
    ("summons_replaced", None),
    ("summons_released", None),
    ("juror_probation_result", Some("passed")),
    ("juror_probation_result", Some("failed")),
    ("juror_suspended", None),
    ("voting_reminder", None),
    ("verdict", Some("agreed")),
    ("verdict", Some("disagreed")),
    ("verdict", Some("not_needed")),
    ("appeal_verdict", Some("agreed")),
    ("appeal_verdict", Some("disagreed")),
    ("appeal_verdict", Some("not_needed")),
    ("moderator_override", Some("agreed")),
    ("moderator_override", Some("disagreed")),
    ("moderator_override", Some("not_needed")),
    ("juror_suspended", Some("by_moderator")),
    ("juror_reinstated", None),
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CaseNotice {
    pub event: String,
    /// The recipient's display name; `None` for someone invited who has no account yet.
    pub name: Option<String>,
    pub case_id: String,
    pub item: String,
    /// Chooses the wording within the event (`won` / `lost` for a verdict).
    #[serde(default)]
    pub variant: Option<String>,
    /// The next deadline that matters to the recipient (UTC), shown in `time_zone`.
    pub due: Option<chrono::NaiveDateTime>,
    pub time_zone: String,
    /// The recipient's public id, on reminders: it signs their one-click unsubscribe link.
    #[serde(default)]
    pub unsubscribe_for: Option<String>,
    /// Words the event carries, such as a moderator's reason (`%{detail}`).
    #[serde(default)]
    pub detail: Option<String>,
}

/// Reminders can be switched off; stage notices about one's own case or duty cannot.
pub const REMINDER_EVENTS: [&str; 1] = ["evidence_deadline_soon"];

/// Makes the absolute links a message needs.
pub trait Linker {
    fn link(&self, path: &str) -> String;
    fn unsubscribe(&self, public_id: &str) -> String;
}

/// Case notices: each has `mail.<event>[.<variant>].subject` and `.body` (with %{item}, %{case}, %{due}).
pub const CASE_EVENTS: [(&str, Option<&str>); 25] = [
    ("case_filed", None),
    ("case_against_you", None),
    ("case_invitation", None),
    ("answer_received", None),
    ("settlement_proposed", None),
    ("case_settled", None),
    ("case_withdrawn", None),
    ("evidence_deadline_soon", None),
    ("response_missed", None),
    ("evidence_closed", None),
    ("case_escalated", None),
    ("voting_started", None),
    ("verdict", Some("won")),
    ("verdict", Some("lost")),
    ("appeal_filed", Some("appellant")),
    ("appeal_filed", Some("other_side")),
    ("verdict_final", Some("won")),
    ("verdict_final", Some("lost")),
    ("appeal_verdict", Some("won")),
    ("appeal_verdict", Some("lost")),
    ("moderator_override", Some("won")),
    ("moderator_override", Some("lost")),
    ("case_reopened", None),
    ("deadline_extended", None),
    ("statement_hidden", None),
];

impl Mail {
    /// The `X-Xiaofating-Event` value.
    pub fn kind(&self) -> &str {
        match self {
            Mail::AccountVerify { .. } => "account_verify",
            Mail::PasswordReset { .. } => "password_reset",
            Mail::AccountExists { .. } => "account_exists",
            Mail::Case(notice) => &notice.event,
            Mail::Juror(notice) => &notice.event,
        }
    }

    /// Whether the message is also an in-app notice, and the case it is about: `Some(None)` for a
    /// notice about no case (a probation result), `None` for account mail (verification, reset).
    pub fn in_app_case(&self) -> Option<Option<&str>> {
        match self {
            Mail::AccountVerify { .. } | Mail::PasswordReset { .. } | Mail::AccountExists { .. } => None,
            Mail::Case(notice) => Some(Some(&notice.case_id)),
            Mail::Juror(notice) => Some(notice.case_id.as_deref()),
        }
    }

    /// Builds the content; `links` turns court paths into absolute URLs.
    pub fn content(&self, locale: Locale, links: &impl Linker) -> Content {
        let link = |path: &str| links.link(path);
        match self {
            Mail::AccountVerify { name, token } => Content {
                subject: t(locale, "mail.verify.subject").into_owned(),
                greeting: tf(locale, "mail.greeting", &[("name", name)]),
                paragraphs: vec![t(locale, "mail.verify.body").into_owned()],
                action: Some(Action {
                    label: t(locale, "mail.verify.action").into_owned(),
                    url: link(&format!("/verify?token={token}")),
                }),
                note: Some(t(locale, "mail.verify.note").into_owned()),
                unsubscribe: None,
            },
            Mail::PasswordReset { name, token } => Content {
                subject: t(locale, "mail.reset.subject").into_owned(),
                greeting: tf(locale, "mail.greeting", &[("name", name)]),
                paragraphs: vec![t(locale, "mail.reset.body").into_owned()],
                action: Some(Action {
                    label: t(locale, "mail.reset.action").into_owned(),
                    url: link(&format!("/password/reset?token={token}")),
                }),
                note: Some(t(locale, "mail.reset.note").into_owned()),
                unsubscribe: None,
            },
            Mail::AccountExists { name } => Content {
                subject: t(locale, "mail.exists.subject").into_owned(),
                greeting: tf(locale, "mail.greeting", &[("name", name)]),
                paragraphs: vec![t(locale, "mail.exists.body").into_owned()],
                action: Some(Action { label: t(locale, "mail.exists.action").into_owned(), url: link("/signin") }),
                note: Some(t(locale, "mail.exists.note").into_owned()),
                unsubscribe: None,
            },
            Mail::Case(n) => {
                let due = n.due.map(|due| format_due(due, &n.time_zone)).unwrap_or_default();
                let detail = n.detail.as_deref().unwrap_or("");
                let args = [
                    ("item", n.item.as_str()),
                    ("case", n.case_id.as_str()),
                    ("due", due.as_str()),
                    ("detail", detail),
                ];
                let greeting = match &n.name {
                    Some(name) => tf(locale, "mail.greeting", &[("name", name)]),
                    None => t(locale, "mail.greeting_anonymous").into_owned(),
                };
                let (label, path) = if n.event == "case_invitation" {
                    (t(locale, "mail.case.join"), format!("/register?case={}", n.case_id))
                } else {
                    (t(locale, "mail.case.action"), format!("/cases/{}", n.case_id))
                };
                let key = event_key(&n.event, n.variant.as_deref());
                Content {
                    subject: tf(locale, &format!("{key}.subject"), &args),
                    greeting,
                    paragraphs: vec![tf(locale, &format!("{key}.body"), &args)],
                    action: Some(Action { label: label.into_owned(), url: link(&path) }),
                    note: Some(tf(locale, "mail.case.note", &args)),
                    unsubscribe: n.unsubscribe_for.as_deref().map(|id| Action {
                        label: t(locale, "mail.unsubscribe").into_owned(),
                        url: links.unsubscribe(id),
                    }),
                }
            }
            Mail::Juror(n) => {
                let due = n.due.map(|due| format_due(due, &n.time_zone)).unwrap_or_default();
                let (case, item) = (n.case_id.as_deref().unwrap_or(""), n.item.as_deref().unwrap_or(""));
                let args = [("item", item), ("case", case), ("due", due.as_str()), ("detail", n.detail.as_str())];
                let key = event_key(&n.event, n.variant.as_deref());
                Content {
                    subject: tf(locale, &format!("{key}.subject"), &args),
                    greeting: tf(locale, "mail.greeting", &[("name", &n.name)]),
                    paragraphs: vec![tf(locale, &format!("{key}.body"), &args)],
                    action: Some(Action {
                        label: t(locale, "mail.juror.action").into_owned(),
                        url: link(&n.case_id.as_ref().map_or("/juror".to_string(), |c| format!("/juror/cases/{c}"))),
                    }),
                    note: Some(t(locale, "mail.juror.note").into_owned()),
                    unsubscribe: None,
                }
            }
        }
    }
}

/// The i18n prefix of a message: `mail.<event>` or `mail.<event>.<variant>`.
fn event_key(event: &str, variant: Option<&str>) -> String {
    match variant {
        Some(variant) => format!("mail.{event}.{variant}"),
        None => format!("mail.{event}"),
    }
}

/// "2026-11-26 14:00 (Asia/Shanghai)": a UTC time as the recipient reads it.
pub fn format_due(due: chrono::NaiveDateTime, time_zone: &str) -> String {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    format!("{} ({})", due.and_utc().with_timezone(&tz).format("%Y-%m-%d %H:%M"), tz.name())
}

/// The parts every message has; one text and one HTML layout render them all.
#[derive(Debug, Clone)]
pub struct Content {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub note: Option<String>,
    /// On reminders: how to stop them (also sent as the List-Unsubscribe header).
    pub unsubscribe: Option<Action>,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub label: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextBody<'a> {
    c: &'a Content,
    signature: &'a str,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlBody<'a> {
    c: &'a Content,
    signature: &'a str,
    lang: &'a str,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe_url: Option<String>,
}

impl Content {
    pub fn render(&self, locale: Locale) -> Result<Rendered, askama::Error> {
        let signature = t(locale, "mail.signature");
        Ok(Rendered {
            subject: self.subject.clone(),
            text: TextBody { c: self, signature: &signature }.render()?,
            html: HtmlBody { c: self, signature: &signature, lang: locale.code() }.render()?,
            unsubscribe_url: self.unsubscribe.as_ref().map(|u| u.url.clone()),
        })
    }
}
