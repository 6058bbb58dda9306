//! Use cases: one function each, one transaction each; state and outbox rows change together.

pub mod account;
pub mod case;
pub mod jury;
pub mod marketplace;
pub mod moderation;
pub mod notices;
pub mod outbox;
pub mod overview;
pub mod recusal;
pub mod rounds;
pub mod triage;
pub mod visibility;

use crate::domain::validation::FieldErrors;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The form had problems; each names its field and an i18n message key.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// The action is not possible now; the i18n key explains why.
    #[error("refused: {0}")]
    Refused(&'static str),
    /// Unknown, or not visible to this person: both look the same from outside.
    #[error("not found")]
    NotFound,
    /// Signed in, allowed to see the page, but not to do this (an admin-only action).
    #[error("forbidden")]
    Forbidden,
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("{0}")]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for ServiceError {
    fn from(errors: FieldErrors) -> Self {
        ServiceError::Invalid(errors)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// What the database keeps of a secret token: its SHA-256, so a leaked table opens nothing.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
