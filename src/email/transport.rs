//! Delivery: SMTP in production, `.eml` files in the data dir for development.

use crate::email::message::Rendered;
use anyhow::Context;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Connections kept open to the SMTP server; the outbox worker sends this many messages at once
/// (and claims no more at a time, so every message it claims is being sent from the start).
pub const SMTP_CONNECTIONS: u32 = 16;

pub enum Mailer {
    Files(AsyncFileTransport<Tokio1Executor>),
    /// The transport, and how long one message may take from start to end.
    Smtp(AsyncSmtpTransport<Tokio1Executor>, std::time::Duration),
}

/// Why a message was not sent; transient failures are retried, permanent ones are not.
#[derive(Debug)]
pub struct SendFailure {
    pub permanent: bool,
    pub reason: String,
}

/// Fails with a readable message when `SMTP_URL` cannot be used.
pub fn check_smtp_url(url: &str) -> anyhow::Result<()> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(drop)
        .with_context(|| "SMTP_URL is not a usable smtp:// or smtps:// URL".to_string())
}

impl Mailer {
    /// SMTP when `smtp_url` is given, else `.eml` files in `mail_dir`. A send that takes longer
    /// than `send_timeout` gives up (a temporary failure, tried again later).
    pub fn new(
        smtp_url: Option<&str>,
        mail_dir: std::path::PathBuf,
        send_timeout: std::time::Duration,
    ) -> anyhow::Result<Mailer> {
        match smtp_url {
            Some(url) => {
                check_smtp_url(url)?;
                let pool = PoolConfig::new().max_size(SMTP_CONNECTIONS);
                let timeout = send_timeout;
                let transport =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.pool_config(pool).timeout(Some(timeout));
                Ok(Mailer::Smtp(transport.build(), timeout))
            }
            None => {
                std::fs::create_dir_all(&mail_dir).with_context(|| format!("cannot create {}", mail_dir.display()))?;
                Ok(Mailer::Files(AsyncFileTransport::new(mail_dir)))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendFailure> {
        match self {
            Mailer::Files(files) => {
                files.send(message).await.map(drop).map_err(|e| SendFailure { permanent: false, reason: e.to_string() })
            }
            // lettre's own timeout covers connecting only: the whole exchange is bounded here.
            Mailer::Smtp(smtp, timeout) => match tokio::time::timeout(*timeout, smtp.send(message)).await {
                Ok(sent) => {
                    sent.map(drop).map_err(|e| SendFailure { permanent: e.is_permanent(), reason: e.to_string() })
                }
                Err(_) => Err(SendFailure {
                    permanent: false,
                    reason: format!("the mail server did not finish within {} s", timeout.as_secs()),
                }),
            },
        }
    }
}

/// A header with a fixed name and a free value.
macro_rules! text_header {
    ($(#[$doc:meta])* $type:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $type(pub String);

        impl Header for $type {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($type(s.to_string()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(
    /// Names the kind of every message, so people and tests can filter them.
    XXiaofatingEvent,
    "X-Xiaofating-Event"
);
text_header!(ListUnsubscribe, "List-Unsubscribe");
text_header!(ListUnsubscribePost, "List-Unsubscribe-Post");

pub struct Envelope<'a> {
    pub from: &'a Mailbox,
    pub to: &'a str,
    pub message_id: String,
    pub event: &'a str,
}

/// A multipart/alternative message with a stable Message-ID.
pub fn build_message(envelope: Envelope, body: Rendered) -> Result<Message, SendFailure> {
    let permanent = |reason: String| SendFailure { permanent: true, reason };
    let to: Mailbox = envelope.to.parse().map_err(|e| permanent(format!("bad recipient {}: {e}", envelope.to)))?;
    let mut builder = Message::builder()
        .from(envelope.from.clone())
        .to(to)
        .subject(body.subject)
        .message_id(Some(envelope.message_id))
        .header(XXiaofatingEvent(envelope.event.to_string()));
    if let Some(url) = body.unsubscribe_url {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
    }
    builder.multipart(MultiPart::alternative_plain_html(body.text, body.html)).map_err(|e| permanent(e.to_string()))
}
