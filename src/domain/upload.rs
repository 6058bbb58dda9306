//! Evidence files: the type is judged by content (magic bytes), never by name, and what a file
//! carries besides its picture or pages is dropped before it is stored. Images keep only what
//! rendering needs (an allowlist, so a new kind of metadata is dropped too) and are refused when
//! their declared size is absurd; PDFs lose their document info and XMP, and are refused when they
//! hold scripts, automatic actions, attachments or forms. Videos (MP4, MOV, WebM) keep their
//! pictures and sound; where they were filmed is blanked in place (the atom or element becomes
//! padding of the same size, so every offset in the file stays right).

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

    pub fn is_video(&self) -> bool {
        self.content_type.starts_with("video/")
    }
}

/// Whether the bytes are a video the court accepts (videos have a size limit of their own).
pub fn is_video(bytes: &[u8]) -> bool {
    infer::get(bytes).is_some_and(|k| VIDEO_TYPES.contains(&k.mime_type()))
}

const VIDEO_TYPES: [&str; 3] = ["video/mp4", "video/quicktime", "video/webm"];

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
        "video/mp4" => ("video/mp4", "mp4"),
        "video/quicktime" => ("video/quicktime", "mov"),
        "video/webm" => ("video/webm", "webm"),
        _ => return Err("error.file_type"),
    };
    let bytes = match extension {
        "jpg" => clean_jpeg(bytes)?,
        "png" => clean_png(bytes)?,
        "webp" => clean_webp(bytes)?,
        "gif" => clean_gif(&bytes)?,
        "mp4" | "mov" => blank_iso_locations(bytes)?,
        "webm" => blank_webm_tags(bytes)?,
        _ => clean_pdf(&bytes)?,
    };
    Ok(CleanFile { content_type, extension, bytes })
}

/// ISO base media (MP4, MOV) boxes that hold others; `meta` has four bytes of version and flags
/// before its children.
const CONTAINERS: [&[u8; 4]; 10] =
    [b"moov", b"trak", b"udta", b"mdia", b"minf", b"stbl", b"edts", b"meta", b"ilst", b"moof"];

/// Boxes that say where a video was filmed: QuickTime's `©xyz`, 3GPP's `loci`, and Apple's
/// metadata (`keys` names "com.apple.quicktime.location.ISO6709"; its value sits in `ilst`).
fn is_location_box(kind: &[u8], body: &[u8]) -> bool {
    kind == b"\xa9xyz" || kind == b"loci" || (kind == b"meta" && contains(body, b"location"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Walks the boxes of an MP4 or MOV and turns every location box into `free` padding of the same
/// size, zeroed. Refuses a file whose boxes do not add up.
fn blank_iso_locations(mut bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let end = bytes.len();
    blank_boxes(&mut bytes, (0, end), 0)?;
    Ok(bytes)
}

/// Real files nest boxes five or six deep; a file nesting deeper is built to exhaust the stack.
const MAX_BOX_DEPTH: usize = 12;

fn blank_boxes(bytes: &mut [u8], (start, end): (usize, usize), depth: usize) -> Result<(), &'static str> {
    if depth > MAX_BOX_DEPTH {
        return Err("error.file_type");
    }
    let mut at = start;
    while at + 8 <= end {
        let size32 = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap_or_default()) as usize;
        let (size, header) = match size32 {
            0 => (end - at, 8),
            1 if at + 16 <= end => {
                let size64 = u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap_or_default());
                (usize::try_from(size64).map_err(|_| "error.file_type")?, 16)
            }
            size => (size, 8),
        };
        if size < header || size > end - at {
            return Err("error.file_type");
        }
        let kind: [u8; 4] = bytes[at + 4..at + 8].try_into().unwrap_or_default();
        let body = at + header..at + size;
        if is_location_box(&kind, &bytes[body.clone()]) {
            bytes[at + 4..at + 8].copy_from_slice(b"free");
            bytes[body].fill(0);
        } else if CONTAINERS.contains(&&kind) {
            let children =
                if &kind == b"meta" && !starts_with_box(&bytes[body.clone()]) { body.start + 4 } else { body.start };
            blank_boxes(bytes, (children, body.end), depth + 1)?;
        }
        at += size;
    }
    Ok(())
}

/// Apple's `meta` holds children at once; ISO's `meta` starts with version and flags.
fn starts_with_box(body: &[u8]) -> bool {
    body.len() >= 8 && body[4..8].iter().all(u8::is_ascii_alphanumeric) && body[..4] != [0, 0, 0, 0]
}

/// A Matroska/WebM element's variable-length number at `at`: (value, its length in bytes).
fn ebml_vint(bytes: &[u8], at: usize, keep_marker: bool) -> Option<(u64, usize)> {
    let first = *bytes.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 || at + len > bytes.len() {
        return None;
    }
    let mut value = if keep_marker { u64::from(first) } else { u64::from(first) & (0xFF >> len) };
    for b in &bytes[at + 1..at + len] {
        value = (value << 8) | u64::from(*b);
    }
    Some((value, len))
}

const EBML_SEGMENT: u64 = 0x1853_8067;
const EBML_TAGS: u64 = 0x1254_C367;
const EBML_VOID: u8 = 0xEC;

/// WebM keeps free-form tags (where a recording was made among them) in a `Tags` element: each
/// becomes a `Void` element of the same length, zeroed. Refuses a file whose header elements are
/// not EBML. Inside the segment the walk stops at the first element it cannot measure (a live
/// recording's cluster of unknown size): `Tags` are written before the clusters, or at the end of a
/// finished file, where a measured walk reaches them.
fn blank_webm_tags(mut bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let element = |bytes: &[u8], at: usize| -> Option<(u64, usize, u64, usize)> {
        let (id, id_len) = ebml_vint(bytes, at, true)?;
        let (size, size_len) = ebml_vint(bytes, at + id_len, false)?;
        Some((id, id_len, size, size_len))
    };
    let mut at = 0;
    while at < bytes.len() {
        let (id, id_len, size, size_len) = element(&bytes, at).ok_or("error.file_type")?;
        let body = at + id_len + size_len;
        if id != EBML_SEGMENT {
            at = body.checked_add(usize::try_from(size).map_err(|_| "error.file_type")?).ok_or("error.file_type")?;
            continue;
        }
        // The segment's children; an unknown (streamed) size runs to the end.
        let end = usize::try_from(size).ok().and_then(|s| body.checked_add(s)).filter(|e| *e <= bytes.len());
        let end = end.unwrap_or(bytes.len());
        let mut child = body;
        while child < end {
            let Some((id, id_len, size, size_len)) = element(&bytes, child) else { break };
            let total = id_len + size_len + usize::try_from(size).map_err(|_| "error.file_type")?;
            if child + total > end {
                break; // a cluster still being written: nothing after it to blank
            }
            if id == EBML_TAGS && total >= 9 {
                // One byte of ID, an eight-byte size, and zeros to the same length.
                bytes[child] = EBML_VOID;
                let void = (total - 9) as u64 | (1u64 << 56);
                bytes[child + 1..child + 9].copy_from_slice(&void.to_be_bytes());
                bytes[child + 9..child + total].fill(0);
            }
            child += total;
        }
        return Ok(bytes);
    }
    Err("error.file_type")
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

    fn iso_box(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// An MP4 (or, with brand `qt  `, a MOV) filmed at a known place: QuickTime's `©xyz` in
    /// `udta`, Apple's location key in `meta`, and some media.
    fn video_filmed_somewhere(brand: &[u8; 4]) -> Vec<u8> {
        let xyz = iso_box(b"\xa9xyz", b"\x00\x12\x15\xc7+31.2304+121.4737/");
        let keys = iso_box(b"keys", b"\0\0\0\0\0\0\0\x01\0\0\0\x2bmdtacom.apple.quicktime.location.ISO6709");
        let apple = iso_box(b"meta", &[iso_box(b"hdlr", &[0; 24]), keys].concat());
        let moov = iso_box(b"moov", &[iso_box(b"mvhd", &[0; 100]), iso_box(b"udta", &xyz), apple].concat());
        [iso_box(b"ftyp", &[brand.as_slice(), b"\0\0\x02\0isommp41"].concat()), moov, iso_box(b"mdat", b"frames")]
            .concat()
    }

    #[test]
    fn where_an_mp4_or_mov_was_filmed_is_blanked_and_its_offsets_kept() {
        for (brand, extension) in [(b"isom", "mp4"), (b"qt  ", "mov")] {
            let original = video_filmed_somewhere(brand);
            let clean = sniff_and_clean(original.clone()).unwrap();
            assert_eq!((clean.extension, clean.is_video()), (extension, true));
            assert_eq!(clean.bytes.len(), original.len(), "same size: chunk offsets stay right");
            assert!(!contains(&clean.bytes, b"+31.2304") && !contains(&clean.bytes, b"location"), "{extension}");
            assert!(contains(&clean.bytes, b"free") && clean.bytes.ends_with(b"mdatframes"), "media kept");
        }
    }

    #[test]
    fn where_a_webm_was_recorded_is_blanked() {
        let doc_type = [&[0x42, 0x82, 0x84][..], b"webm"].concat();
        let mut header = vec![0x1A, 0x45, 0xDF, 0xA3, 0x80 | doc_type.len() as u8];
        header.extend_from_slice(&doc_type);
        let tag = b"RECORDING_LOCATION +31.2304+121.4737";
        let mut tags = vec![0x12, 0x54, 0xC3, 0x67, 0x80 | tag.len() as u8];
        tags.extend_from_slice(tag);
        let cluster = [&[0x1F, 0x43, 0xB6, 0x75, 0x80 | 200][..], &[7u8; 200]].concat();
        let mut segment = vec![0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        segment.extend_from_slice(&tags);
        segment.extend_from_slice(&cluster);
        let original = [header, segment].concat();
        let clean = sniff_and_clean(original.clone()).unwrap();
        assert_eq!(clean.content_type, "video/webm");
        assert_eq!(clean.bytes.len(), original.len());
        assert!(!contains(&clean.bytes, b"RECORDING_LOCATION") && clean.bytes.ends_with(&[7u8; 200]));
    }

    #[test]
    fn a_video_built_to_exhaust_the_stack_or_overflow_a_size_is_refused() {
        let mut deep = iso_box(b"ftyp", b"isom\0\0\x02\0isommp41");
        for _ in 0..30_000 {
            deep.extend_from_slice(b"\0\0\0\0moov");
        }
        assert_eq!(sniff_and_clean(deep), Err("error.file_type"));
        let mut huge = iso_box(b"ftyp", b"isom\0\0\x02\0isommp41");
        huge.extend_from_slice(&[0, 0, 0, 1]);
        huge.extend_from_slice(b"moov");
        huge.extend_from_slice(&(u64::MAX - 15).to_be_bytes());
        huge.extend_from_slice(&[0; 32]);
        assert_eq!(sniff_and_clean(huge), Err("error.file_type"));
    }

    #[test]
    fn a_video_whose_boxes_do_not_add_up_is_refused() {
        let mut broken = video_filmed_somewhere(b"isom");
        let moov = 8 + 8 + 16; // after ftyp
        broken[moov..moov + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(sniff_and_clean(broken), Err("error.file_type"));
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
