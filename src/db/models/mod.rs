//! Rows and queries, one file per table.

pub mod auth_session;
pub mod email_token;
pub mod outbox;
pub mod user;
