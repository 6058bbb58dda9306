use crate::db::models::notification::{self, NewNotification};
use crate::db::models::outbox::{self, NewOutboxMessage};
use crate::db::models::user;
use crate::db::DbConnection;
use crate::domain::locale::Locale;
use crate::email::message::Mail;
use chrono::NaiveDateTime;

/// Queues a message in the caller's transaction; `key` is stable per (event, recipient), so
/// queueing the same message twice keeps one. A case or juror notice to a member also becomes an
/// in-app notice (`/notifications`): members who never open their mailbox still see it.
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
            status: outbox::MailStatus::Pending,
            attempts: 0,
            available_at: now,
            created_at: now,
            api_key_id: None,
        },
    )?;
    let Some(case_public_id) = mail.in_app_case() else {
        return Ok(());
    };
    // Only to an account that proved it owns the address: anyone can register an address unverified.
    if let Some(user_id) = user::verified_id_by_email(conn, recipient_email)? {
        notification::insert(
            conn,
            &NewNotification { user_id, message_key: key, case_public_id, payload: &payload, created_at: now },
        )?;
    }
    Ok(())
}
