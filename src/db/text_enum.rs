//! Enums stored in text columns. Each maps to its text through its own `as_str` and `parse` (the
//! one place its words are spelt); this lets diesel read and write the enum itself, so a row holds
//! a `CaseState`, never a string to compare with a literal. A stored word this build does not know
//! fails the read, loudly, instead of passing as some default. Each also prints as its word
//! (templates build i18n keys from it).

use super::MultiBackend;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

/// Queries go through the MultiConnection's backend and, inside it, through each real one.
macro_rules! text_enum {
    ($($t:ty),* $(,)?) => {$(
        text_enum!(@backend $t, Sqlite);
        text_enum!(@backend $t, Pg);

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ToSql<Text, MultiBackend> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self.as_str()));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, MultiBackend> for $t {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let word = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
                <$t>::parse(&word).ok_or_else(|| format!("unknown {}: {word:?}", stringify!($t)).into())
            }
        }
    )*};
    (@backend $t:ty, $db:ty) => {
        impl ToSql<Text, $db> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $db>) -> serialize::Result {
                <str as ToSql<Text, $db>>::to_sql(self.as_str(), out)
            }
        }

        impl FromSql<Text, $db> for $t {
            fn from_sql(bytes: <$db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let word = <String as FromSql<Text, $db>>::from_sql(bytes)?;
                <$t>::parse(&word).ok_or_else(|| format!("unknown {}: {word:?}", stringify!($t)).into())
            }
        }
    };
}

text_enum!(
    crate::domain::case::CaseState,
    crate::domain::dispute::Side,
    crate::domain::juror::JurorStatus,
    crate::domain::juror::SeatStatus,
    crate::db::models::outbox::MailStatus,
    crate::db::models::settlement_offer::OfferStatus,
    crate::db::models::job::JobKind,
);
