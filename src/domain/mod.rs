//! Pure decisions: no diesel, no actix, no clock, no global RNG.

pub mod account;
pub mod locale;
pub mod public_id;
pub mod validation;
