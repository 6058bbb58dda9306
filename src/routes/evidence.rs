//! Evidence uploads (multipart, size checked while streaming) and file downloads for the people
//! who may see the case.

use crate::domain::upload::is_video;
use crate::domain::validation::FieldErrors;
use crate::routes::cases::{case_page, CaseForms};
use crate::routes::context::{AppState, SignedIn, Visit};
use crate::routes::csrf::check_csrf;
use crate::routes::csrf::{CsrfForm, FormFields};
use crate::routes::errors::AppError;
use crate::routes::input::has_nul;
use crate::routes::rate_limit::Action;
use crate::routes::{answer_form, see_other};
use crate::services::case::evidence::{
    check_evidence, open_evidence_file, record_evidence, store_file, withdraw_evidence, Upload,
};
use actix_multipart::Multipart;
use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::http::StatusCode;
use actix_web::mime;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

/// How much of one text field is kept: far past any length a form allows, so an over-long
/// statement comes back with its words and a message naming the limit, not a bare 413.
const TEXT_FIELD_CAP: usize = 1024 * 1024;

/// Past the file limit, the rest of a too-large upload is read and dropped up to this many
/// times the limit, so the browser receives the form again (a server that stops reading shows
/// the person a reset connection); beyond it the request is refused outright.
const DRAIN_FACTOR: u64 = 4;

/// What reading one field gave: its first bytes, up to the cap, and whether there were more.
struct Read {
    bytes: Vec<u8>,
    overflowed: bool,
}

/// Reads one multipart field, keeping at most `keep` bytes and reading on (dropping the rest) until
/// the field ends or the body has given `drain_budget` bytes in all.
async fn read_field(field: &mut actix_multipart::Field, keep: usize, drain_budget: &mut u64) -> Result<Read, AppError> {
    let mut read = Read { bytes: Vec::new(), overflowed: false };
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest)?;
        *drain_budget = drain_budget.checked_sub(chunk.len() as u64).ok_or(AppError::PayloadTooLarge)?;
        let room = keep.saturating_sub(read.bytes.len());
        read.overflowed |= chunk.len() > room;
        read.bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(read)
}

/// The evidence form as sent: its statement (kept however long), and its file unless too large.
struct EvidenceForm {
    statement: String,
    /// What the party says the item is (`checklist::Declared`).
    proof: String,
    upload: Option<Upload>,
    file_too_big: bool,
}

/// Reads the multipart evidence form; the CSRF token must come first (nothing else is read
/// before it is checked), and text fields come before the file in the form, so they are kept
/// even when the file is too large.
async fn read_evidence_form(req: &HttpRequest, payload: &mut Multipart, limit: u64) -> Result<EvidenceForm, AppError> {
    let mut budget = limit * DRAIN_FACTOR + TEXT_FIELD_CAP as u64;
    let mut form = EvidenceForm { statement: String::new(), proof: String::new(), upload: None, file_too_big: false };
    let mut csrf_checked = false;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::BadRequest)?;
        let name = field.name().unwrap_or_default().to_string();
        if !csrf_checked {
            let token =
                if name == "csrf_token" { read_field(&mut field, 256, &mut budget).await?.bytes } else { Vec::new() };
            check_csrf(req, &String::from_utf8_lossy(&token))?;
            csrf_checked = true;
            continue;
        }
        match name.as_str() {
            "evidence_statement" => {
                let read = read_field(&mut field, TEXT_FIELD_CAP, &mut budget).await?;
                form.statement = String::from_utf8_lossy(&read.bytes).into_owned();
                if has_nul(&form.statement) {
                    return Err(AppError::BadRequest);
                }
            }
            "proof" => {
                let read = read_field(&mut field, 64, &mut budget).await?;
                form.proof = String::from_utf8_lossy(&read.bytes).into_owned();
            }
            "file" => {
                let file_name =
                    field.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default().to_string();
                let read = read_field(&mut field, limit as usize, &mut budget).await?;
                form.file_too_big = read.overflowed;
                if !read.overflowed && !read.bytes.is_empty() {
                    form.upload = Some(Upload { file_name, bytes: read.bytes });
                }
            }
            _ => {
                read_field(&mut field, 0, &mut budget).await?;
            }
        }
    }
    if !csrf_checked {
        return Err(AppError::Csrf);
    }
    Ok(form)
}

pub async fn post_evidence(
    req: HttpRequest,
    SignedIn { ctx, account }: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    state.limit(Action::Upload, account.id.to_string(), ctx.ip.clone()).await?;
    // Read up to the larger (video) limit; what the file turns out to be decides which applies.
    let (file_limit, video_limit) = (state.settings.limits.upload_max_bytes, state.settings.limits.video_max_bytes);
    let limit = file_limit.max(video_limit);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit * DRAIN_FACTOR + TEXT_FIELD_CAP as u64) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut form = read_evidence_form(&req, &mut payload, limit).await?;
    let over = |u: &Upload| u.bytes.len() as u64 > if is_video(&u.bytes) { video_limit } else { file_limit };
    if form.upload.as_ref().is_some_and(over) {
        form.upload = None;
        form.file_too_big = true;
    }
    let public_id = path.into_inner();
    if form.file_too_big {
        let errors = FieldErrors::single("file", "error.file_too_big");
        let forms = CaseForms {
            evidence_statement: form.statement,
            evidence_proof: form.proof,
            errors,
            form: "evidence",
            ..Default::default()
        };
        return case_page(ctx, &state, public_id, forms, StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    let (id, kept_statement, kept_proof) = (public_id.clone(), form.statement.clone(), form.proof.clone());
    let files_per_party = state.settings.limits.files_per_party;
    // Checked, stored, recorded: the file goes to the store (a bucket may take a while) with no
    // database connection or thread held while it answers.
    let added = async {
        let sender = account.clone();
        let checked = state
            .db(move |conn| {
                let item = (form.statement.as_str(), form.upload, form.proof.as_str());
                check_evidence(conn, &sender, &id, item, files_per_party, &mut rand::rng()).map_err(AppError::from)
            })
            .await?;
        store_file(&checked, &state.settings.files).await?;
        let (stored, now) = (checked.stored_name(), state.clock.now());
        let recorded = state
            .db(move |conn| {
                record_evidence(conn, &account, checked, files_per_party, now, &mut rand::rng()).map_err(AppError::from)
            })
            .await;
        if let (Err(_), Some(name)) = (&recorded, stored) {
            let court = state.clone();
            let _ = web::block(move || court.settings.files.delete(&name)).await;
            // failures are logged
        }
        recorded
    }
    .await;
    let (back, refused_back) = (format!("/cases/{public_id}#evidence"), format!("/cases/{public_id}"));
    let again = |ctx, errors| {
        let forms = CaseForms {
            evidence_statement: kept_statement,
            evidence_proof: kept_proof,
            errors,
            form: "evidence",
            ..Default::default()
        };
        case_page(ctx, &state, public_id, forms, StatusCode::UNPROCESSABLE_ENTITY)
    };
    answer_form(ctx, added.map(|()| back), ("case.evidence_notice", refused_back), again).await
}

/// A party withdraws an item of their own evidence before the record freezes.
pub async fn post_withdraw_evidence(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    _f: CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let (case, item) = path.into_inner();
    let (id, now) = (case.clone(), state.clock.now());
    let (SignedIn { ctx, .. }, withdrawn) = state
        .act_as(visit, move |conn, account| withdraw_evidence(conn, account, &id, &item, now).map_err(AppError::from))
        .await?;
    match withdrawn {
        Ok(()) => ctx.flash("case.evidence_withdrawn_notice"),
        Err(AppError::Refused(key)) => ctx.flash(key),
        Err(other) => return Err(other),
    }
    Ok(see_other(&format!("/cases/{case}#evidence")))
}

/// Serves an evidence file to the parties, moderators and jurors of its case; everyone else gets 404.
/// Byte ranges are answered (206), so a browser can seek in a video without fetching all of it.
pub async fn get_evidence_file(
    req: HttpRequest,
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let public_id = path.into_inner();
    let (_, row) = state
        .read_as(visit, move |conn, account| open_evidence_file(conn, account, &public_id).map_err(AppError::from))
        .await
        .map_err(|e| match e {
            // A file is not a page to sign in for: to a visitor it does not exist.
            AppError::SignInRequired(_) => AppError::NotFound,
            other => other,
        })?;
    let storage_name = row.storage_name.ok_or(AppError::NotFound)?;
    let content_type: mime::Mime =
        row.content_type.as_deref().and_then(|t| t.parse().ok()).unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let shown = content_type.type_() == mime::IMAGE || content_type.type_() == mime::VIDEO;
    let file_name = row.file_name.unwrap_or_else(|| storage_name.clone());
    // Non-ASCII names (开箱.jpg) travel as RFC 5987 UTF-8, with the stored name as plain fallback.
    let mut parameters =
        vec![DispositionParam::Filename(if file_name.is_ascii() { file_name.clone() } else { storage_name.clone() })];
    if !file_name.is_ascii() {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: file_name.into_bytes(),
        }));
    }
    let disposition = ContentDisposition {
        disposition: if shown { DispositionType::Inline } else { DispositionType::Attachment },
        parameters,
    };
    let files = &state.settings.files;
    let mut response = match files.folder() {
        Some(folder) => actix_files::NamedFile::open_async(folder.join(&storage_name))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .set_content_type(content_type)
            .set_content_disposition(disposition)
            .use_last_modified(false)
            .into_response(&req),
        None => {
            let size = u64::try_from(row.size_bytes.unwrap_or(0)).unwrap_or(0);
            from_object_store(&req, files, (&storage_name, size), (content_type, disposition)).await?
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, max-age=3600"));
    // Stricter than the pages' policy (a file runs nothing), and like theirs never framed.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; media-src 'self'; sandbox; frame-ancestors 'none'",
        ),
    );
    Ok(response)
}

/// A file from an object store, streamed: all of it, or the first range a `Range` header asks for
/// (206), as `actix_files` answers for the folder.
async fn from_object_store(
    req: &HttpRequest,
    files: &crate::file_store::FileStore,
    (name, size): (&str, u64),
    (content_type, disposition): (mime::Mime, ContentDisposition),
) -> Result<HttpResponse, AppError> {
    let asked = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match asked.map(|r| actix_files::HttpRange::parse(r, size)) {
        None => None,
        Some(Ok(ranges)) => ranges.first().filter(|r| r.length > 0).map(|r| r.start..r.start + r.length),
        Some(Err(_)) => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .finish())
        }
    };
    let stored = files.read(name, range.clone()).await.map_err(|e| AppError::Internal(e.into()))?;
    let mut response = match range {
        Some(_) => {
            let (start, end) = (stored.range.start, stored.range.end.max(stored.range.start + 1));
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{}/{}", end - 1, stored.total)));
            partial
        }
        None => HttpResponse::Ok(),
    };
    Ok(response
        .insert_header(header::ContentType(content_type))
        .insert_header(disposition)
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .no_chunking(stored.range.end - stored.range.start)
        .streaming(stored.body))
}
