//! Background work inside the server process.

pub mod deadline_worker;
pub mod deadlines;
pub mod outbox_worker;
pub mod webhook;
