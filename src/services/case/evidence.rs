use super::{load_visible, transition};
use crate::db::models::case::{CaseChange, CaseRow};
use crate::db::models::evidence::{self, EvidenceRow, NewEvidence};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::{Actor, Command};
use crate::domain::filing::STATEMENT_MAX;
use crate::domain::public_id::new_public_id;
use crate::domain::triage::checklist::Declared;
use crate::domain::upload::{clean_file_name, sniff_and_clean, CleanFile};
use crate::domain::validation::FieldErrors;
use crate::file_store::FileStore;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;
use sha2::{Digest, Sha256};

pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Where evidence files go (by generated name only) and how many one party may add to a case.
pub struct EvidenceStore<'a> {
    pub files: &'a FileStore,
    pub files_per_party: i64,
}

/// An item a party sends, checked and named, not yet stored or recorded: what `add_evidence` does
/// in one go, split so that a server stores the file without holding a database connection.
pub struct CheckedEvidence {
    case: CaseRow,
    actor: Actor,
    statement: Option<String>,
    /// The file's name as the party had it, the cleaned file, its name in the store, its SHA-256.
    file: Option<(String, CleanFile, String, String)>,
    declared: Option<Declared>,
}

/// Adds one item to the record while the evidence window is open: a written statement, a file,
/// or a file with its caption (one item, added and withdrawn together).
/// The file is checked by content, cleaned of metadata and stored before the row that names it,
/// so a crash can leave an unused file but never a row without its file.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn add_evidence(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    item: (&str, Option<Upload>, &str),
    store: &EvidenceStore,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let checked = check_evidence(conn, account, case_public_id, item, store.files_per_party, rng)?;
    let stored = checked.stored_name();
    if let Some((name, bytes)) = checked.file_to_store() {
        store.files.put(name, bytes).map_err(not_stored)?;
    }
    let recorded = record_evidence(conn, account, checked, store.files_per_party, now, rng);
    if let (Err(_), Some(name)) = (&recorded, stored) {
        store.files.delete(&name);
    }
    recorded
}

/// Checks what the party sends (text, file by content, the kind of proof, their cap of files) and
/// names the file in the store; nothing is written.
pub fn check_evidence(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    (statement, upload, proof): (&str, Option<Upload>, &str),
    files_per_party: i64,
    rng: &mut impl Rng,
) -> ServiceResult<CheckedEvidence> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    let mut errors = FieldErrors::new();
    let statement =
        if statement.trim().is_empty() { None } else { errors.check_text("statement", statement, 2, STATEMENT_MAX) };
    let file = upload.and_then(|u| {
        let clean = errors.check("file", sniff_and_clean(u.bytes))?;
        Some((clean_file_name(&u.file_name, clean.extension), clean))
    });
    if statement.is_none() && file.is_none() && errors.is_empty() {
        errors.add("statement", "error.evidence_empty");
    }
    // The party says what it is; only that ticks their checklist.
    let declared = errors.check("proof", Declared::parse(proof.trim()).ok_or("error.proof_required"));
    errors.into_result()?;
    if file.is_some() && at_cap(conn, &case, account, files_per_party)? {
        return Err(FieldErrors::single("file", "error.file_cap").into());
    }
    let file = file.map(|(name, clean)| {
        let storage_name = format!("{}.{}", new_public_id(rng), clean.extension);
        let sha = hex::encode(Sha256::digest(&clean.bytes));
        (name, clean, storage_name, sha)
    });
    Ok(CheckedEvidence { case, actor, statement, file, declared })
}

/// Stores the item's file, if it has one (before its row: see `add_evidence`), without holding a
/// thread while the store answers.
pub async fn store_file(checked: &CheckedEvidence, files: &FileStore) -> ServiceResult<()> {
    match checked.file_to_store() {
        Some((name, bytes)) => files.put_async(name, bytes).await.map_err(not_stored),
        None => Ok(()),
    }
}

impl CheckedEvidence {
    /// The file's name in the store, if the item has a file.
    pub fn stored_name(&self) -> Option<String> {
        self.file.as_ref().map(|(_, _, storage_name, _)| storage_name.clone())
    }

    /// The item's file, if it has one: its name in the store and its cleaned bytes.
    fn file_to_store(&self) -> Option<(&str, &[u8])> {
        self.file.as_ref().map(|(_, clean, storage_name, _)| (storage_name.as_str(), clean.bytes.as_slice()))
    }
}

/// A store that does not answer is the court's trouble, not the party's: they are told so beside
/// the form, which keeps what they wrote.
fn not_stored(e: std::io::Error) -> ServiceError {
    tracing::error!(error = %e, "an evidence file could not be stored");
    FieldErrors::single("file", "error.file_not_stored").into()
}

/// Records the stored item, if the window is still open and the cap not reached meanwhile. When
/// it fails, the caller removes the stored file again (`CheckedEvidence::stored_name`).
pub fn record_evidence(
    conn: &mut DbConnection,
    account: &Account,
    checked: CheckedEvidence,
    files_per_party: i64,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let CheckedEvidence { case, actor, statement, file, declared } = checked;
    let side = if actor == Actor::Claimant { case.claimant_side } else { case.claimant_side.other() };
    let public_id = new_public_id(rng);
    write_tx(conn, |conn| {
        let (case, _, _) =
            transition(conn, case.id, actor, Some(account.id), Command::AddEvidence, now, CaseChange::default())?;
        // Counted again under the case's lock: concurrent uploads cannot pass the cap together.
        if file.is_some() && at_cap(conn, &case, account, files_per_party)? {
            return Err(FieldErrors::single("file", "error.file_cap").into());
        }
        let file = file.as_ref();
        evidence::insert(
            conn,
            &NewEvidence {
                public_id: &public_id,
                case_id: case.id,
                submitted_by: account.id,
                party_side: side,
                kind: if file.is_some() { evidence::FILE } else { evidence::STATEMENT },
                body: statement.as_deref(),
                file_name: file.map(|(name, ..)| name.as_str()),
                content_type: file.map(|(_, clean, ..)| clean.content_type),
                size_bytes: file.map(|(_, clean, ..)| clean.bytes.len() as i64),
                sha256: file.map(|(.., sha)| sha.as_str()),
                storage_name: file.map(|(_, _, storage_name, _)| storage_name.as_str()),
                created_at: now,
                round: case.round,
                proof: declared.map(Declared::key),
                from_marketplace: false,
            },
        )?;
        Ok::<_, ServiceError>(())
    })
}

/// Whether the party has added as many files to the case as one party may.
fn at_cap(conn: &mut DbConnection, case: &CaseRow, account: &Account, files_per_party: i64) -> ServiceResult<bool> {
    Ok(evidence::count_files_by(conn, case.id, account.id)? >= files_per_party)
}

/// A party withdraws an item of their own before the record freezes. It is kept for the audit
/// trail (moderators still see it) and leaves the parties' and jurors' view; the timeline says so.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn withdraw_evidence(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    evidence_public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    let item = evidence::find_by_public_id(conn, evidence_public_id)?
        // Only this round's items: what an earlier jury already judged stays on the record.
        .filter(|e| e.case_id == case.id && e.submitted_by == account.id && e.round == case.round)
        .filter(|e| !e.from_marketplace)
        .filter(|e| e.withdrawn_at.is_none())
        .ok_or(ServiceError::NotFound)?;
    write_tx(conn, |conn| {
        transition(conn, case.id, actor, Some(account.id), Command::WithdrawEvidence, now, CaseChange::default())?;
        evidence::withdraw(conn, item.id, now)?;
        Ok(())
    })
}

/// An evidence file, if this account may see its case (as a party, a moderator or a juror).
pub fn open_evidence_file(
    conn: &mut DbConnection,
    account: &Account,
    evidence_public_id: &str,
) -> ServiceResult<EvidenceRow> {
    let mut row = evidence::find_by_public_id(conn, evidence_public_id)?.ok_or(ServiceError::NotFound)?;
    if row.kind != evidence::FILE {
        return Err(ServiceError::NotFound);
    }
    let case = crate::db::models::case::find_by_id(conn, row.case_id)?;
    let actor = super::visible_as(conn, &case, account)?;
    // Withdrawn by its party or hidden by a moderator: only the audit trail keeps it.
    let hidden = crate::db::models::flag::hidden_on_case(conn, case.id)?.0.contains(&row.id);
    if (row.withdrawn_at.is_some() || hidden) && actor != Some(Actor::Moderator) {
        return Err(ServiceError::NotFound);
    }
    let party_or_moderator = actor.is_some();
    if !party_or_moderator {
        if crate::services::visibility::juror_access(conn, &case, account)?.is_none() {
            return Err(ServiceError::NotFound);
        }
        row.file_name = None; // a party's own file name may carry their name: jurors get the stored one
    }
    Ok(row)
}
