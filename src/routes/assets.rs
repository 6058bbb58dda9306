//! The stylesheet and the one script, compiled in, served with a long cache life and an ETag.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use std::sync::LazyLock;

const APP_CSS: &str = include_str!("../../static/app.css");
const APP_JS: &str = include_str!("../../static/app.js");

static VERSION: LazyLock<String> = LazyLock::new(|| {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest([APP_CSS, APP_JS].concat().as_bytes())[..6])
});

/// Short content hash, appended to the asset URLs so a new build busts caches.
pub fn version() -> &'static str {
    &VERSION
}

pub async fn get_app_css(req: HttpRequest) -> HttpResponse {
    asset(&req, "text/css; charset=utf-8", APP_CSS)
}

pub async fn get_app_js(req: HttpRequest) -> HttpResponse {
    asset(&req, "text/javascript; charset=utf-8", APP_JS)
}

fn asset(req: &HttpRequest, content_type: &str, body: &'static str) -> HttpResponse {
    let etag = format!("\"{}\"", version());
    let cached = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v == etag);
    let mut res = if cached { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"));
    if cached {
        res.finish()
    } else {
        res.content_type(content_type.to_string()).body(body)
    }
}
