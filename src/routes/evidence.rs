//! Evidence uploads (multipart, size checked while streaming) and file downloads for the people
//! who may see the case.

use crate::routes::cases::{case_page, CaseForms};
use crate::routes::context::{AppState, Ctx};
use crate::routes::csrf::check_csrf;
use crate::routes::errors::AppError;
use crate::routes::input::has_nul;
use crate::routes::rate_limit::Action;
use crate::routes::see_other;
use crate::services::case::evidence::{add_evidence, evidence_dir, open_evidence_file, EvidenceStore, Upload};
use actix_multipart::Multipart;
use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

/// Room for the form's text fields on top of the file.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// Reads one multipart field, refusing it as soon as it grows past `limit` bytes.
async fn read_field(field: &mut actix_multipart::Field, limit: u64) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest)?;
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(AppError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

pub async fn post_evidence(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let account = ctx.require_account()?.clone();
    state.limiters.check(Action::Upload, &account.id.to_string(), &ctx.ip)?;
    let limit = state.settings.limits.upload_max_bytes;
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit + FORM_OVERHEAD) {
        return Err(AppError::PayloadTooLarge);
    }
    let (mut csrf_checked, mut statement, mut upload) = (false, String::new(), None);
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::BadRequest)?;
        let name = field.name().unwrap_or_default().to_string();
        // The token is the form's first field: nothing else is read before it is checked.
        if !csrf_checked {
            let token = if name == "csrf_token" { read_field(&mut field, 256).await? } else { Vec::new() };
            check_csrf(&req, &String::from_utf8_lossy(&token))?;
            csrf_checked = true;
            continue;
        }
        match name.as_str() {
            "evidence_statement" => {
                statement = String::from_utf8_lossy(&read_field(&mut field, FORM_OVERHEAD).await?).into_owned();
                if has_nul(&statement) {
                    return Err(AppError::BadRequest);
                }
            }
            "file" => {
                let file_name =
                    field.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default().to_string();
                let bytes = read_field(&mut field, limit).await?;
                if !bytes.is_empty() {
                    upload = Some(Upload { file_name, bytes });
                }
            }
            _ => {
                read_field(&mut field, FORM_OVERHEAD).await?;
            }
        }
    }
    if !csrf_checked {
        return Err(AppError::Csrf);
    }
    let public_id = path.into_inner();
    let (id, kept_statement) = (public_id.clone(), statement.clone());
    let (data_dir, files_per_party, now) =
        (state.settings.data_dir.clone(), state.settings.limits.files_per_party, state.clock.now());
    let added = state
        .db(move |conn| {
            let store = EvidenceStore { data_dir: &data_dir, files_per_party };
            add_evidence(conn, &account, &id, (&statement, upload), &store, now, &mut rand::rng())
                .map_err(AppError::from)
        })
        .await;
    match added {
        Ok(()) => {
            ctx.flash("case.evidence_notice");
            Ok(see_other(&format!("/cases/{public_id}#evidence")))
        }
        Err(AppError::Invalid(errors)) => {
            let forms =
                CaseForms { evidence_statement: kept_statement, errors, form: "evidence", ..Default::default() };
            case_page(ctx, &state, public_id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Refused(key)) => {
            ctx.flash(key);
            Ok(see_other(&format!("/cases/{public_id}")))
        }
        Err(other) => Err(other),
    }
}

/// Serves an evidence file to the parties, moderators and jurors of its case; everyone else gets 404.
pub async fn get_evidence_file(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let account = ctx.account.clone().ok_or(AppError::NotFound)?;
    let public_id = path.into_inner();
    let row = state.db(move |conn| open_evidence_file(conn, &account, &public_id).map_err(AppError::from)).await?;
    let storage_name = row.storage_name.ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(evidence_dir(&state.settings.data_dir).join(&storage_name))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let content_type = row.content_type.unwrap_or_else(|| "application/octet-stream".into());
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
        disposition: if content_type.starts_with("image/") {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters,
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(disposition)
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        // Stricter than the pages' policy (a file runs nothing), and like theirs never framed.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'",
        ))
        .body(bytes))
}
