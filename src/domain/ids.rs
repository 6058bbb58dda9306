//! Row ids as types of their own. A case's id is a `CaseId`, so it cannot be passed where a
//! member's, a round's or any other integer is expected (`(case_id, round, juror_id)` cannot be
//! swapped at its first place). Stored as plain integers.

use diesel_derive_newtype::DieselNewType;

/// A case's row id (the public id is what people see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, DieselNewType)]
pub struct CaseId(pub i32);

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
