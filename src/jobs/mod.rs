//! Background work inside the server process.

pub mod deadline_worker;
pub mod outbox_worker;
