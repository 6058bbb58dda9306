use crate::db::schema::evidence;
use crate::db::DbConnection;
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use crate::domain::triage::checklist::Declared;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const STATEMENT: &str = "statement";
pub const FILE: &str = "file";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: i32,
    pub public_id: String,
    pub case_id: CaseId,
    pub submitted_by: i32,
    pub party_side: Side,
    pub kind: String,
    pub body: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub storage_name: Option<String>,
    pub created_at: NaiveDateTime,
    /// 1, or 2 for evidence added for an appeal.
    pub round: i32,
    /// When its party withdrew it (kept for the audit trail, shown to nobody but moderators).
    pub withdrawn_at: Option<NaiveDateTime>,
    /// What its party declared it to be (`checklist::Declared`); None for older evidence.
    pub proof: Option<String>,
    /// Added by the marketplace from its own records: no party can withdraw it.
    pub from_marketplace: bool,
}

impl EvidenceRow {
    pub fn is_image(&self) -> bool {
        self.content_type.as_deref().is_some_and(|t| t.starts_with("image/"))
    }

    pub fn is_video(&self) -> bool {
        self.content_type.as_deref().is_some_and(|t| t.starts_with("video/"))
    }

    /// What its party declared it to be, if they did.
    pub fn declared(&self) -> Option<Declared> {
        self.proof.as_deref().and_then(Declared::parse)
    }

    /// The i18n key of its declared kind.
    pub fn proof_key(&self) -> Option<String> {
        self.declared().map(|d| format!("triage.evidence.{}", d.key()))
    }
}

/// A moderator's correction of what an item of evidence is.
pub fn set_proof(conn: &mut DbConnection, id: i32, proof: Declared) -> QueryResult<()> {
    diesel::update(evidence::table.find(id)).set(evidence::proof.eq(proof.key())).execute(conn).map(drop)
}

#[derive(Debug, Insertable)]
#[diesel(table_name = evidence)]
pub struct NewEvidence<'a> {
    pub public_id: &'a str,
    pub case_id: CaseId,
    pub submitted_by: i32,
    pub party_side: Side,
    pub kind: &'a str,
    pub body: Option<&'a str>,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<&'a str>,
    pub storage_name: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub round: i32,
    pub proof: Option<&'a str>,
    pub from_marketplace: bool,
}

pub fn insert(conn: &mut DbConnection, new: &NewEvidence) -> QueryResult<()> {
    diesel::insert_into(evidence::table).values(new).execute(conn).map(drop)
}

pub fn list_for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<EvidenceRow>> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .order(evidence::id)
        .select(EvidenceRow::as_select())
        .load(conn)
}

/// The case's evidence without what a moderator hid or its party withdrew (hidden items are kept for the audit).
pub fn visible_for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<EvidenceRow>> {
    use crate::db::schema::flags;
    let hidden = flags::table
        .filter(flags::case_id.eq(case_id))
        .filter(flags::resolution.eq(super::flag::HIDDEN))
        .select(flags::evidence_id.assume_not_null())
        .filter(flags::evidence_id.is_not_null());
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .filter(evidence::id.ne_all(hidden))
        .filter(evidence::withdrawn_at.is_null())
        .order(evidence::id)
        .select(EvidenceRow::as_select())
        .load(conn)
}

pub fn find_by_public_id(conn: &mut DbConnection, public_id: &str) -> QueryResult<Option<EvidenceRow>> {
    evidence::table.filter(evidence::public_id.eq(public_id)).select(EvidenceRow::as_select()).first(conn).optional()
}

pub fn count_files_by(conn: &mut DbConnection, case_id: CaseId, user_id: i32) -> QueryResult<i64> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .filter(evidence::submitted_by.eq(user_id))
        .filter(evidence::kind.eq(FILE))
        .count()
        .get_result(conn)
}

/// Marks an item withdrawn by its party.
pub fn withdraw(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(evidence::table.find(id)).set(evidence::withdrawn_at.eq(now)).execute(conn).map(drop)
}
