//! Pure decisions: no diesel, no actix, no clock, no global RNG.

pub mod account;
pub mod case;
pub mod dispute;
pub mod filing;
pub mod ids;
pub mod juror;
pub mod linked_accounts;
pub mod locale;
pub mod marketplace;
pub mod matching;
pub mod moderation;
pub mod next_step;
pub mod paging;
pub mod privacy;
pub mod public_id;
pub mod public_record;
pub mod quorum;
pub mod reputation;
pub mod retry;
pub mod rings;
pub mod triage;
pub mod upload;
pub mod validation;
pub mod verdict;
