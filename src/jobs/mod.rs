//! Background work inside the server process.

pub mod outbox_worker;
