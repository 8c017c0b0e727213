//! PNG metadata stripping: a chunk walk with CRC checks that keeps only image chunks.
//!
//! Layout (PNG spec §5): an 8-byte signature, then chunks `length(4, big-endian) type(4)
//! data(length) crc(4)`, the CRC-32 covering type and data. IHDR comes first and IEND last.

use crate::error::EvidenceError;
use crate::exif::tiff_has_gps;
use crate::removal::{EXIF, Removal, XMP, contains, xmp_has_gps};

/// The PNG file signature.
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Chunks that make up the image and its colour interpretation; everything else is dropped.
const KEEP: [&[u8; 4]; 11] =
    [b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs"];

/// The largest chunk length the spec allows (2^31 - 1).
const MAX_CHUNK: usize = 0x7FFF_FFFF;

fn malformed(offset: usize, reason: impl Into<String>) -> EvidenceError {
    EvidenceError::MalformedPng { offset, reason: reason.into() }
}

fn truncated(offset: usize, what: &str) -> EvidenceError {
    malformed(offset, format!("the file ends inside {what} (truncated)"))
}

/// What a dropped chunk held, for the resident.
fn classify(kind: &[u8; 4], data: &[u8], bytes: usize) -> Removal {
    let keyword = data.split(|&byte| byte == 0).next().unwrap_or_default();
    let (label, gps) = match kind {
        b"eXIf" => (EXIF, tiff_has_gps(data)),
        b"iTXt" | b"tEXt" | b"zTXt" if keyword == b"XML:com.adobe.xmp" => (XMP, xmp_has_gps(data)),
        // ImageMagick and exiftool keep EXIF as hex text under this keyword.
        b"tEXt" | b"zTXt" | b"iTXt" if keyword.starts_with(b"Raw profile type") => {
            (if contains(keyword, b"exif") || contains(keyword, b"APP1") { EXIF } else { "text" }, false)
        }
        b"tEXt" | b"zTXt" | b"iTXt" => ("text", false),
        b"tIME" => ("timestamp", false),
        _ => ("other metadata", false),
    };
    Removal { segment: String::from_utf8_lossy(kind).into_owned(), label, bytes, gps }
}

/// Strips a PNG whose first eight bytes are the signature. Returns the clean bytes and what was
/// removed.
pub(crate) fn strip(input: &[u8]) -> Result<(Vec<u8>, Vec<Removal>), EvidenceError> {
    if input.get(0..8) != Some(&SIGNATURE[..]) {
        return Err(malformed(0, "it does not start with the PNG signature"));
    }
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&SIGNATURE);
    let mut removed = Vec::new();
    let mut seen_header = false;
    let mut seen_data = false;
    let mut pos = SIGNATURE.len();
    loop {
        let start = pos;
        let length = match input.get(pos..pos.saturating_add(4)) {
            Some(&[a, b, c, d]) => usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX),
            _ if pos == input.len() => return Err(malformed(pos, "the file ends without an IEND chunk (truncated)")),
            _ => return Err(truncated(pos, "a chunk length")),
        };
        if length > MAX_CHUNK {
            return Err(malformed(pos, format!("a chunk length of {length} is above the PNG limit of 2^31-1")));
        }
        pos = pos.saturating_add(4);
        let kind: [u8; 4] = match input.get(pos..pos.saturating_add(4)) {
            Some(&[a, b, c, d]) => [a, b, c, d],
            _ => return Err(truncated(pos, "a chunk type")),
        };
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(malformed(pos, format!("the chunk type {:02X?} is not four letters", kind)));
        }
        let name = String::from_utf8_lossy(&kind).into_owned();
        let data_start = pos.saturating_add(4);
        let data_end = data_start.saturating_add(length);
        let Some(data) = input.get(data_start..data_end) else {
            return Err(truncated(start, &format!("the {name} chunk")));
        };
        let stored = match input.get(data_end..data_end.saturating_add(4)) {
            Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
            _ => return Err(truncated(data_end, &format!("the {name} chunk checksum"))),
        };
        let mut crc = crc32fast::Hasher::new();
        crc.update(&kind);
        crc.update(data);
        if crc.finalize() != stored {
            return Err(malformed(start, format!("the {name} chunk checksum (CRC) does not match its content")));
        }
        pos = data_end.saturating_add(4);
        let chunk = input.get(start..pos).unwrap_or_default();

        if !seen_header {
            if &kind != b"IHDR" {
                return Err(malformed(start, format!("the first chunk is {name}, not IHDR")));
            }
            if length != 13 {
                return Err(malformed(start, format!("the IHDR chunk is {length} bytes, not 13")));
            }
            seen_header = true;
        } else if &kind == b"IHDR" {
            return Err(malformed(start, "a second IHDR chunk"));
        }
        if &kind == b"IDAT" {
            seen_data = true;
        }
        if KEEP.contains(&&kind) {
            out.extend_from_slice(chunk);
        } else if kind.first().is_some_and(u8::is_ascii_uppercase) {
            // The spec makes an unknown critical chunk fatal: the image cannot be shown without it.
            return Err(malformed(start, format!("unknown critical chunk {name}; save the image as a plain PNG")));
        } else {
            removed.push(classify(&kind, data, chunk.len()));
        }
        if &kind == b"IEND" {
            if !seen_data {
                return Err(malformed(start, "no image data (IDAT) before IEND"));
            }
            let trailing = input.len().saturating_sub(pos);
            if trailing > 0 {
                removed.push(Removal {
                    segment: "after end of image".to_owned(),
                    label: "data after the image",
                    bytes: trailing,
                    gps: false,
                });
            }
            return Ok((out, removed));
        }
    }
}
