//! What the court says by email, and how it is sent.

pub mod message;
pub mod transport;
pub mod unsubscribe;
