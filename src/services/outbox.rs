use crate::db::models::outbox::{self, NewOutboxMessage};
use crate::db::DbConnection;
use crate::domain::locale::Locale;
use crate::email::message::Mail;
use chrono::NaiveDateTime;

/// Queues a message in the caller's transaction; `key` is stable per (event, recipient), so
/// queueing the same message twice keeps one.
pub fn enqueue(
    conn: &mut DbConnection,
    key: &str,
    recipient_email: &str,
    locale: Locale,
    mail: &Mail,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let payload = serde_json::to_string(mail).expect("mail payloads always serialise");
    outbox::insert(
        conn,
        &NewOutboxMessage {
            message_key: key,
            kind: mail.kind(),
            recipient_email,
            locale: locale.code(),
            payload: &payload,
            status: outbox::PENDING,
            attempts: 0,
            available_at: now,
            created_at: now,
        },
    )
}
