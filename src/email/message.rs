//! Every kind of message the court sends, rendered as text and HTML in the recipient's language.

use crate::domain::locale::Locale;
use crate::i18n::{t, tf};
use askama::Template;
use serde::{Deserialize, Serialize};

/// A message waiting in the outbox: its kind and the facts it needs, stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mail {
    AccountVerify { name: String, token: String },
    PasswordReset { name: String, token: String },
}

impl Mail {
    /// The `X-Xiaofating-Event` value.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::AccountVerify { .. } => "account_verify",
            Mail::PasswordReset { .. } => "password_reset",
        }
    }

    /// Builds the content; `link` turns a court path into an absolute URL.
    pub fn content(&self, locale: Locale, link: impl Fn(&str) -> String) -> Content {
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
            },
        }
    }
}

/// The parts every message has; one text and one HTML layout render them all.
#[derive(Debug, Clone)]
pub struct Content {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub note: Option<String>,
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
}

impl Content {
    pub fn render(&self, locale: Locale) -> Result<Rendered, askama::Error> {
        let signature = t(locale, "mail.signature");
        Ok(Rendered {
            subject: self.subject.clone(),
            text: TextBody {
                c: self,
                signature: &signature,
            }
            .render()?,
            html: HtmlBody {
                c: self,
                signature: &signature,
                lang: locale.code(),
            }
            .render()?,
        })
    }
}
