//! Evidence files: the type is judged by content (magic bytes), never by name, and images lose
//! their metadata (EXIF with GPS and camera, XMP, comments) before they are stored.

use img_parts::jpeg::Jpeg;
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanFile {
    pub content_type: &'static str,
    pub extension: &'static str,
    pub bytes: Vec<u8>,
}

impl CleanFile {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// Accepts JPEG, PNG, WebP, GIF and PDF by their content; strips image metadata.
pub fn sniff_and_clean(bytes: Vec<u8>) -> Result<CleanFile, &'static str> {
    if bytes.is_empty() {
        return Err("error.file_empty");
    }
    let kind = infer::get(&bytes).map(|k| k.mime_type()).ok_or("error.file_type")?;
    let (content_type, extension) = match kind {
        "image/jpeg" => ("image/jpeg", "jpg"),
        "image/png" => ("image/png", "png"),
        "image/webp" => ("image/webp", "webp"),
        "image/gif" => ("image/gif", "gif"),
        "application/pdf" => ("application/pdf", "pdf"),
        _ => return Err("error.file_type"),
    };
    let bytes = match extension {
        "jpg" => strip_jpeg(bytes)?,
        "png" => strip_png(bytes)?,
        "webp" => strip_webp(bytes)?,
        _ => bytes,
    };
    Ok(CleanFile { content_type, extension, bytes })
}

/// APP1 (EXIF, XMP), APP12/APP13 (IPTC, Photoshop) and comments can carry place and camera.
const JPEG_METADATA_MARKERS: [u8; 4] = [0xE1, 0xEC, 0xED, 0xFE];

fn strip_jpeg(bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).map_err(|_| "error.file_damaged")?;
    jpeg.segments_mut().retain(|s| !JPEG_METADATA_MARKERS.contains(&s.marker()));
    Ok(jpeg.encoder().bytes().to_vec())
}

const PNG_METADATA_CHUNKS: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"];

fn strip_png(bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let mut png = Png::from_bytes(Bytes::from(bytes)).map_err(|_| "error.file_damaged")?;
    png.chunks_mut().retain(|c| !PNG_METADATA_CHUNKS.contains(&&c.kind()));
    Ok(png.encoder().bytes().to_vec())
}

fn strip_webp(bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let mut webp = WebP::from_bytes(Bytes::from(bytes)).map_err(|_| "error.file_damaged")?;
    webp.set_exif(None);
    webp.remove_chunks_by_id(*b"XMP ");
    Ok(webp.encoder().bytes().to_vec())
}

/// A file name safe to show and to offer for download: no path, no control characters, ≤ 100 chars.
pub fn clean_file_name(raw: &str, extension: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let stem: String = stem.chars().filter(|c| !c.is_control() && !"<>:\"|?*".contains(*c)).take(100).collect();
    let stem = stem.trim();
    format!("{}.{extension}", if stem.is_empty() { "evidence" } else { stem })
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A minimal JPEG with an EXIF segment that names a GPS position.
    pub fn jpeg_with_gps() -> Vec<u8> {
        let mut exif = b"Exif\0\0MM\0*GPSLatitude 31.2304 N GPSLongitude 121.4737 E".to_vec();
        let len = (exif.len() + 2) as u16;
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.append(&mut exif);
        out.extend_from_slice(MINIMAL_JPEG_BODY);
        out
    }

    /// A 1×1 JPEG after its SOI marker (the fixture the black-box tests use too).
    pub const MINIMAL_JPEG_BODY: &[u8] = include_bytes!("../../tests/fixtures/tiny.jpg").split_at(2).1;

    #[test]
    fn gps_exif_is_removed_from_jpeg() {
        let dirty = jpeg_with_gps();
        assert!(dirty.windows(3).any(|w| w == b"GPS"));
        let clean = sniff_and_clean(dirty).unwrap();
        assert_eq!(clean.content_type, "image/jpeg");
        assert!(!clean.bytes.windows(3).any(|w| w == b"GPS"), "GPS survived");
        assert!(!clean.bytes.windows(4).any(|w| w == b"Exif"));
        assert_eq!(&clean.bytes[..2], &[0xFF, 0xD8]);
    }

    #[test]
    fn the_name_does_not_decide_the_type() {
        assert_eq!(sniff_and_clean(b"<!DOCTYPE html><script>alert(1)</script>".to_vec()), Err("error.file_type"));
        assert_eq!(sniff_and_clean(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec()), Err("error.file_type"));
        assert_eq!(sniff_and_clean(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec()), Err("error.file_type"));
        assert_eq!(sniff_and_clean(vec![]), Err("error.file_empty"));
        let pdf = sniff_and_clean(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF".to_vec())
            .unwrap();
        assert_eq!(pdf.content_type, "application/pdf");
        assert!(!pdf.is_image());
    }

    /// PNG's CRC-32 (bitwise; test fixtures only).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn png_text_chunks_are_removed() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            let crc = crc32(&c[4..]);
            c.extend_from_slice(&crc.to_be_bytes());
            c
        };
        png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
        png.extend(chunk(b"tEXt", b"Comment\0taken at home, 12 Nanjing Road"));
        png.extend(chunk(b"IEND", &[]));
        let clean = sniff_and_clean(png).unwrap();
        assert_eq!(clean.content_type, "image/png");
        assert!(!clean.bytes.windows(7).any(|w| w == b"Nanjing"));
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(clean_file_name("../../etc/passwd.jpg", "jpg"), "passwd.jpg");
        assert_eq!(clean_file_name("C:\\photos\\开箱 视频.JPG", "jpg"), "开箱 视频.jpg");
        assert_eq!(clean_file_name("evil\u{0}<x>.html", "png"), "evilx.png");
        assert_eq!(clean_file_name("", "pdf"), "evidence.pdf");
    }
}
