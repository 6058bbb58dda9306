//! Rows and queries, one file per table.

pub mod auth_session;
pub mod case;
pub mod case_event;
pub mod email_token;
pub mod evidence;
pub mod job;
pub mod outbox;
pub mod settlement_offer;
pub mod user;
