//! Evidence files: the type is judged by content (magic bytes), never by name, and what a file
//! carries besides its picture or pages is dropped before it is stored. Images keep only what
//! rendering needs (an allowlist, so a new kind of metadata is dropped too) and are refused when
//! their declared size is absurd; PDFs lose their document info and XMP, and are refused when they
//! hold scripts, automatic actions, attachments or forms.

use img_parts::jpeg::{Jpeg, JpegSegment};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::Bytes;
use lopdf::{Document, Object};

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

/// No photo is larger: a bigger declared size is a decompression bomb.
const MAX_SIDE: u64 = 30_000;
const MAX_PIXELS: u64 = 100_000_000;

/// Accepts JPEG, PNG, WebP, GIF and PDF by their content; keeps only what shows.
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
        "jpg" => clean_jpeg(bytes)?,
        "png" => clean_png(bytes)?,
        "webp" => clean_webp(bytes)?,
        "gif" => clean_gif(&bytes)?,
        _ => clean_pdf(&bytes)?,
    };
    Ok(CleanFile { content_type, extension, bytes })
}

fn check_size(width: u64, height: u64) -> Result<(), &'static str> {
    match width <= MAX_SIDE && height <= MAX_SIDE && width * height <= MAX_PIXELS {
        true => Ok(()),
        false => Err("error.image_too_large"),
    }
}

const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const SOS: u8 = 0xDA;

/// Segments a JPEG needs to be drawn: quantisation and Huffman tables, restart interval, the
/// frame header (any SOF), the scan, and JFIF's APP0. EXIF (APP1) is rebuilt with only the
/// orientation, so a phone photo still stands the right way up.
fn renders(marker: u8) -> bool {
    matches!(marker, 0xDB | 0xC4 | 0xDD | APP0 | SOS) || is_sof(marker)
}

fn is_sof(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

fn clean_jpeg(bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).map_err(|_| "error.file_damaged")?;
    let orientation =
        jpeg.segments().iter().filter(|s| s.marker() == APP1).find_map(|s| exif_orientation(s.contents()));
    for frame in jpeg.segments().iter().filter(|s| is_sof(s.marker())) {
        let c = frame.contents();
        let (height, width) = c
            .get(1..5)
            .map(|d| (u16::from_be_bytes([d[0], d[1]]), u16::from_be_bytes([d[2], d[3]])))
            .ok_or("error.file_damaged")?;
        check_size(width.into(), height.into())?;
    }
    let segments = jpeg.segments_mut();
    segments.retain(|s| renders(s.marker()));
    if let Some(o) = orientation.filter(|o| *o != 1) {
        let at = usize::from(segments.first().is_some_and(|s| s.marker() == APP0));
        segments.insert(at, JpegSegment::new_with_contents(APP1, Bytes::from(orientation_exif(o))));
    }
    let scan_data = 2
        + segments.iter().take_while(|s| s.marker() != SOS).map(JpegSegment::len).sum::<usize>()
        + segments.iter().find(|s| s.marker() == SOS).map_or(0, JpegSegment::len);
    Ok(clean_after_first_scan(jpeg.encoder().bytes().to_vec(), scan_data))
}

/// The parser stops at the first scan; what follows (more scans and tables in a progressive JPEG)
/// is walked marker by marker: application and comment segments there are cut out, and the file
/// ends at the end-of-image marker (anything appended after it goes). Scan data cannot hold a
/// marker: a 0xFF there is followed by 0x00 or a restart marker.
fn clean_after_first_scan(mut out: Vec<u8>, mut at: usize) -> Vec<u8> {
    while at + 1 < out.len() {
        if out[at] != 0xFF {
            at += 1;
            continue;
        }
        let marker = out[at + 1];
        let length = out.get(at + 2..at + 4).map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        match marker {
            0x00 | 0xFF | 0xD0..=0xD7 => at += 1,
            0xD9 => {
                out.truncate(at + 2);
                return out;
            }
            0xE0..=0xEF | 0xFE => {
                let end = (at + 2 + length).min(out.len());
                out.drain(at..end);
            }
            _ => at += 2 + length,
        }
    }
    out
}

/// The orientation tag (0x0112) of an EXIF block, if it has one.
fn exif_orientation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let big = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |i: usize| {
        tiff.get(i..i + 2)
            .map(|b| if big { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) })
    };
    let u32_at = |i: usize| {
        tiff.get(i..i + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(ifd)?;
    (0..usize::from(entries))
        .map(|n| ifd + 2 + n * 12)
        .find(|at| u16_at(*at) == Some(0x0112))
        .and_then(|at| u16_at(at + 8))
        .filter(|o| (1..=8).contains(o))
}

/// An EXIF block holding the orientation and nothing else.
fn orientation_exif(orientation: u16) -> Vec<u8> {
    let mut out = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    out.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    out.extend_from_slice(&orientation.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    out
}

/// Chunks a PNG needs: the critical ones, transparency and colour space (not the ICC profile,
/// whose name is free text).
const PNG_RENDERS: [&[u8; 4]; 9] = [b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT"];

fn clean_png(bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let mut png = Png::from_bytes(Bytes::from(bytes)).map_err(|_| "error.file_damaged")?;
    let header = png.chunk_by_type(*b"IHDR").ok_or("error.file_damaged")?.contents().clone();
    let dim = |at: usize| header.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    check_size(dim(0).ok_or("error.file_damaged")?.into(), dim(4).ok_or("error.file_damaged")?.into())?;
    png.chunks_mut().retain(|c| PNG_RENDERS.contains(&&c.kind()));
    Ok(png.encoder().bytes().to_vec())
}

fn clean_webp(bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let mut webp = WebP::from_bytes(Bytes::from(bytes)).map_err(|_| "error.file_damaged")?;
    for chunk in webp.chunks() {
        let Some(c) = chunk.content().data() else { continue };
        let (width, height) = match &chunk.id() {
            // The extended header's canvas: 24-bit sizes minus one.
            b"VP8X" => {
                let side =
                    |at: usize| c.get(at..at + 3).map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], 0])) + 1);
                (side(4), side(7))
            }
            // A lossy key frame: 14-bit sizes after the frame tag and start code.
            b"VP8 " => {
                let side = |at: usize| c.get(at..at + 2).map(|b| u64::from(u16::from_le_bytes([b[0], b[1]]) & 0x3FFF));
                (side(6), side(8))
            }
            // Lossless: after the signature byte, 14 bits of width and of height, each minus one.
            b"VP8L" => {
                let bits = c.get(1..5).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                (bits.map(|b| u64::from(b & 0x3FFF) + 1), bits.map(|b| u64::from((b >> 14) & 0x3FFF) + 1))
            }
            _ => continue,
        };
        check_size(width.ok_or("error.file_damaged")?, height.ok_or("error.file_damaged")?)?;
    }
    webp.chunks_mut().retain(|c| matches!(&c.id(), b"VP8 " | b"VP8L" | b"VP8X" | b"ALPH" | b"ANIM" | b"ANMF"));
    Ok(webp.encoder().bytes().to_vec())
}

/// A GIF with its frames, palettes and the extensions that draw them (timing and transparency,
/// plain text); comment, application and any other extensions go.
fn clean_gif(bytes: &[u8]) -> Result<Vec<u8>, &'static str> {
    let damaged = "error.file_damaged";
    let header = bytes.get(..13).ok_or(damaged)?;
    let le = |b: &[u8]| u64::from(u16::from_le_bytes([b[0], b[1]]));
    check_size(le(&header[6..8]), le(&header[8..10]))?;
    let table = |flags: u8| if flags & 0x80 != 0 { 3 << ((flags & 0x07) + 1) } else { 0 };
    let mut at = 13 + table(header[10]);
    let mut out = bytes.get(..at).ok_or(damaged)?.to_vec();
    // Data sub-blocks: a length byte, that many bytes, until a zero length.
    let blocks_end = |mut i: usize| -> Result<usize, &'static str> {
        loop {
            let len = usize::from(*bytes.get(i).ok_or(damaged)?);
            i += 1 + len;
            if len == 0 {
                return Ok(i);
            }
        }
    };
    loop {
        match *bytes.get(at).ok_or(damaged)? {
            0x3B => {
                out.push(0x3B);
                return Ok(out);
            }
            0x21 => {
                let label = *bytes.get(at + 1).ok_or(damaged)?;
                let end = blocks_end(at + 2)?;
                if matches!(label, 0xF9 | 0x01) {
                    out.extend_from_slice(bytes.get(at..end).ok_or(damaged)?);
                }
                at = end;
            }
            0x2C => {
                let descriptor = bytes.get(at..at + 10).ok_or(damaged)?;
                check_size(le(&descriptor[5..7]), le(&descriptor[7..9]))?;
                let data = at + 10 + table(descriptor[9]) + 1; // after the LZW minimum code size
                let end = blocks_end(data)?;
                out.extend_from_slice(bytes.get(at..end).ok_or(damaged)?);
                at = end;
            }
            _ => return Err(damaged),
        }
    }
}

/// Names that make a PDF do something when opened, or carry other files or forms.
const PDF_ACTIVE: [&[u8]; 11] = [
    b"JavaScript",
    b"JS",
    b"OpenAction",
    b"AA",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"SubmitForm",
    b"ImportData",
];

fn clean_pdf(bytes: &[u8]) -> Result<Vec<u8>, &'static str> {
    let mut doc = Document::load_mem(bytes).map_err(|_| "error.file_damaged")?;
    if doc.is_encrypted() {
        return Err("error.pdf_encrypted");
    }
    if doc.objects.values().chain(std::iter::once(&Object::Dictionary(doc.trailer.clone()))).any(is_active) {
        return Err("error.pdf_active");
    }
    let mut metadata = vec![];
    if let Ok(Object::Reference(id)) = doc.trailer.get(b"Info") {
        metadata.push(*id);
    }
    doc.trailer.remove(b"Info");
    for (id, object) in &doc.objects {
        let dict = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if dict.get(b"Type").and_then(Object::as_name).is_ok_and(|t| t == b"Metadata") {
            metadata.push(*id);
        }
    }
    for id in metadata {
        doc.objects.remove(&id);
    }
    for object in doc.objects.values_mut() {
        if let Object::Dictionary(d) | Object::Stream(lopdf::Stream { dict: d, .. }) = object {
            d.remove(b"Metadata");
            d.remove(b"PieceInfo");
        }
    }
    let mut out = vec![];
    doc.save_to(&mut out).map_err(|_| "error.file_damaged")?;
    Ok(out)
}

/// Whether an object, or anything inside it, names an active feature.
fn is_active(object: &Object) -> bool {
    match object {
        Object::Name(name) => PDF_ACTIVE.contains(&name.as_slice()),
        Object::Array(items) => items.iter().any(is_active),
        Object::Dictionary(d) => d.iter().any(|(k, v)| PDF_ACTIVE.contains(&k.as_slice()) || is_active(v)),
        Object::Stream(s) => is_active(&Object::Dictionary(s.dict.clone())),
        _ => false,
    }
}

/// A file name safe to show and to offer for download: no path, no control characters, no
/// direction overrides (U+202E makes "photo", U+202E, "gpj.exe" read as "photoexe.jpg"), ≤ 100 chars.
pub fn clean_file_name(raw: &str, extension: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let stem: String = stem
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c) && !"<>:\"|?*".contains(*c))
        .take(100)
        .collect();
    let stem = stem.trim();
    format!("{}.{extension}", if stem.is_empty() { "evidence" } else { stem })
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
        let pdf = sniff_and_clean(pdf_with(|_, _| {})).unwrap();
        assert_eq!(pdf.content_type, "application/pdf");
        assert!(!pdf.is_image());
    }

    /// A one-page PDF with document info and an XMP stream naming its author; `extra` may add to
    /// the document and its catalog.
    pub fn pdf_with(extra: impl FnOnce(&mut Document, &mut lopdf::Dictionary)) -> Vec<u8> {
        use lopdf::{dictionary, Stream};
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] });
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
        );
        let xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta>Li Lei, Nanjing Road</x:xmpmeta>".to_vec(),
        ));
        let info = doc.add_object(dictionary! { "Author" => Object::string_literal("Li Lei 13812345678") });
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages, "Metadata" => xmp };
        extra(&mut doc, &mut catalog);
        let root = doc.add_object(catalog);
        doc.trailer.set("Root", root);
        doc.trailer.set("Info", info);
        let mut out = vec![];
        doc.save_to(&mut out).unwrap();
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn pdf_document_info_and_xmp_are_removed() {
        let dirty = pdf_with(|_, _| {});
        assert!(contains(&dirty, b"Li Lei") && contains(&dirty, b"Nanjing"));
        let clean = sniff_and_clean(dirty).unwrap();
        assert!(!contains(&clean.bytes, b"Li Lei") && !contains(&clean.bytes, b"Nanjing"), "metadata survived");
        assert!(Document::load_mem(&clean.bytes).is_ok(), "still a PDF");
    }

    #[test]
    fn pdfs_that_act_on_opening_are_refused() {
        use lopdf::dictionary;
        let script = pdf_with(|doc, catalog| {
            let action =
                doc.add_object(dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") });
            catalog.set("OpenAction", action);
        });
        assert_eq!(sniff_and_clean(script), Err("error.pdf_active"));
        let attachment = pdf_with(|_, catalog| {
            catalog.set("Names", dictionary! { "EmbeddedFiles" => dictionary! {} });
        });
        assert_eq!(sniff_and_clean(attachment), Err("error.pdf_active"));
    }

    /// The 1×1 fixture with its frame header claiming `width`×`height`.
    fn jpeg_sized(width: u16, height: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend_from_slice(MINIMAL_JPEG_BODY);
        let sof = out.windows(2).position(|w| w == [0xFF, 0xC9]).unwrap();
        out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        out
    }

    fn jpeg_segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&((contents.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(contents);
        out
    }

    #[test]
    fn jpeg_keeps_only_what_renders_and_its_orientation() {
        let mut dirty = vec![0xFF, 0xD8];
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x02".to_vec();
        exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // orientation 6
        exif.extend_from_slice(&[0x01, 0x10, 0, 2, 0, 0, 0, 4, b'P', b'h', b'o', 0]); // a camera model
        exif.extend_from_slice(&[0, 0, 0, 0]);
        dirty.extend(jpeg_segment(0xE1, &exif));
        dirty.extend(jpeg_segment(0xE2, b"ICC_PROFILE\0\x01\x01desc: Li Lei's phone"));
        dirty.extend(jpeg_segment(0xEB, b"JPXT private: 13812345678"));
        dirty.extend(jpeg_segment(0xFE, b"comment: Nanjing Road"));
        // A second scan, with a comment planted between the scans, then an appended archive.
        let (body, end) = MINIMAL_JPEG_BODY.split_at(MINIMAL_JPEG_BODY.len() - 2);
        dirty.extend_from_slice(body);
        dirty.extend(jpeg_segment(0xFE, b"between scans: Li Lei"));
        dirty.extend(jpeg_segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
        dirty.extend_from_slice(&[0x12, 0x34]);
        dirty.extend_from_slice(end);
        dirty.extend_from_slice(b"PK\x03\x04 appended archive");
        let clean = sniff_and_clean(dirty).unwrap().bytes;
        for secret in [&b"Li Lei"[..], b"13812345678", b"Nanjing", b"appended", b"Pho"] {
            assert!(!contains(&clean, secret), "{}", String::from_utf8_lossy(secret));
        }
        assert_eq!(&clean[clean.len() - 2..], &[0xFF, 0xD9], "ends at the image's end");
        let app1 = clean.windows(2).position(|w| w == [0xFF, 0xE1]).expect("orientation kept");
        assert_eq!(exif_orientation(&clean[app1 + 4..]), Some(6));
    }

    #[test]
    fn images_declaring_an_absurd_size_are_refused() {
        assert!(sniff_and_clean(jpeg_sized(4032, 3024)).is_ok(), "a phone photo");
        assert_eq!(sniff_and_clean(jpeg_sized(50000, 50000)), Err("error.image_too_large"));
        assert_eq!(sniff_and_clean(gif(50000, 50000, &[])), Err("error.image_too_large"));
    }

    /// A GIF of `width`×`height` with one 1×1 frame and the given extension blocks before it.
    fn gif(width: u16, height: u16, extensions: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = b"GIF89a".to_vec();
        out.extend_from_slice(&width.to_le_bytes());
        out.extend_from_slice(&height.to_le_bytes());
        out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]); // a 2-colour table
        for (label, data) in extensions {
            out.extend_from_slice(&[0x21, *label, data.len() as u8]);
            out.extend_from_slice(data);
            out.push(0);
        }
        out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
        out
    }

    #[test]
    fn gif_comments_and_application_blocks_are_removed() {
        let dirty =
            gif(1, 1, &[(0xFE, b"comment: Li Lei"), (0xFF, b"XMP DataXMP<x>Nanjing</x>"), (0xF9, &[0, 0, 0, 0])]);
        let clean = sniff_and_clean(dirty).unwrap();
        assert_eq!(clean.content_type, "image/gif");
        assert!(!contains(&clean.bytes, b"Li Lei") && !contains(&clean.bytes, b"Nanjing"));
        assert!(contains(&clean.bytes, &[0x21, 0xF9]), "frame timing kept");
        assert_eq!(clean.bytes.last(), Some(&0x3B));
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
        png.extend(chunk(b"prVt", b"Li Lei 13812345678"));
        png.extend(chunk(b"iCCP", b"Li Lei's profile\0\0"));
        png.extend(chunk(b"IEND", &[]));
        let clean = sniff_and_clean(png.clone()).unwrap();
        assert_eq!(clean.content_type, "image/png");
        assert!(!contains(&clean.bytes, b"Nanjing") && !contains(&clean.bytes, b"Li Lei"));
        let at = png.windows(4).position(|w| w == b"IHDR").unwrap();
        png[at + 4..at + 12].copy_from_slice(&[0, 0, 0xC3, 0x50, 0, 0, 0xC3, 0x50]); // 50000 × 50000
        let crc = crc32(&png[at..at + 17]);
        png[at + 17..at + 21].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(sniff_and_clean(png), Err("error.image_too_large"));
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(clean_file_name("../../etc/passwd.jpg", "jpg"), "passwd.jpg");
        assert_eq!(clean_file_name("C:\\photos\\开箱 视频.JPG", "jpg"), "开箱 视频.jpg");
        assert_eq!(clean_file_name("evil\u{0}<x>.html", "png"), "evilx.png");
        assert_eq!(clean_file_name("", "pdf"), "evidence.pdf");
        assert_eq!(clean_file_name("invoice\u{202E}gpj.exe.jpg", "jpg"), "invoicegpj.exe.jpg");
    }
}
