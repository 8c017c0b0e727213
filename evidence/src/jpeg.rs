//! JPEG metadata stripping: a marker-segment walk that copies image segments verbatim.
//!
//! Layout (ITU T.81 B.1): SOI, then segments `FF code length(2, big-endian, includes itself)
//! payload`, with standalone markers (RSTn, TEM) carrying no length. Each SOS segment is followed
//! by entropy-coded data, in which `FF 00` is a stuffed data byte and `FF D0..D7` are restart
//! markers; the data ends at the next other marker. Progressive JPEGs have several scans with
//! tables between them. EOI ends the image.

use crate::error::EvidenceError;
use crate::exif::tiff_has_gps;
use crate::removal::{EXIF, Removal, XMP, contains, xmp_has_gps};

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const COM: u8 = 0xFE;
const TEM: u8 = 0x01;
const APP0: u8 = 0xE0;
const APP15: u8 = 0xEF;

fn malformed(offset: usize, reason: impl Into<String>) -> EvidenceError {
    EvidenceError::MalformedJpeg { offset, reason: reason.into() }
}

fn truncated(offset: usize, what: &str) -> EvidenceError {
    malformed(offset, format!("the file ends inside {what} (truncated)"))
}

/// A marker's name for messages and removal reports.
fn marker_name(code: u8) -> String {
    match code {
        0xC4 => "DHT".to_owned(),
        0xC8 => "JPG".to_owned(),
        0xCC => "DAC".to_owned(),
        0xC0..=0xCF => format!("SOF{}", code.wrapping_sub(0xC0)),
        0xDB => "DQT".to_owned(),
        0xDD => "DRI".to_owned(),
        0xDC => "DNL".to_owned(),
        SOS => "SOS".to_owned(),
        APP0..=APP15 => format!("APP{}", code.wrapping_sub(APP0)),
        COM => "COM".to_owned(),
        _ => format!("marker 0x{code:02X}"),
    }
}

/// Whether a segment is metadata to drop: APP1..APP13, APP15 and COM.
fn is_metadata(code: u8) -> bool {
    matches!(code, 0xE1..=0xED | APP15 | COM)
}

/// What a dropped segment held, for the resident.
fn classify(code: u8, payload: &[u8], bytes: usize) -> Removal {
    let (label, gps) = match code {
        0xE1 if payload.starts_with(b"Exif\0") => (EXIF, tiff_has_gps(payload.get(6..).unwrap_or_default())),
        0xE1 if payload.starts_with(b"http://ns.adobe.com/") => (XMP, xmp_has_gps(payload)),
        0xE2 if payload.starts_with(b"ICC_PROFILE\0") => ("ICC colour profile", false),
        0xE2 if payload.starts_with(b"MPF\0") => ("multi-picture index", false),
        0xED => ("IPTC/Photoshop", contains(payload, b"GPSLatitude")),
        COM => ("comment", false),
        _ => ("other metadata", false),
    };
    Removal { segment: marker_name(code), label, bytes, gps }
}

/// Returns the offset of the marker that ends the entropy-coded data starting at `start`.
fn scan_end(input: &[u8], start: usize) -> Result<usize, EvidenceError> {
    let mut at = start;
    loop {
        let rest = input.get(at..).unwrap_or_default();
        let Some(found) = rest.iter().position(|&byte| byte == 0xFF) else {
            return Err(truncated(input.len(), "the image data, before EOI"));
        };
        let marker = at.saturating_add(found);
        match input.get(marker.saturating_add(1)) {
            None => return Err(truncated(input.len(), "the image data, before EOI")),
            // A stuffed 0xFF data byte, or a restart marker: both belong to the scan.
            Some(0x00 | 0xD0..=0xD7) => at = marker.saturating_add(2),
            Some(_) => return Ok(marker),
        }
    }
}

/// Strips a JPEG whose first two bytes are SOI. Returns the clean bytes and what was removed.
pub(crate) fn strip(input: &[u8]) -> Result<(Vec<u8>, Vec<Removal>), EvidenceError> {
    if input.get(0..2) != Some(&[0xFF, SOI]) {
        return Err(malformed(0, "it does not start with the JPEG start-of-image marker"));
    }
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut removed = Vec::new();
    let mut seen_frame = false;
    let mut seen_scan = false;
    let mut pos = 2usize;
    loop {
        match input.get(pos) {
            Some(0xFF) => {}
            Some(byte) => return Err(malformed(pos, format!("expected a marker (0xFF), found 0x{byte:02X}"))),
            None => return Err(truncated(pos, "the headers, before EOI")),
        }
        let marker_at = pos;
        // One or more 0xFF fill bytes may precede the marker code (T.81 B.1.1.2).
        let mut code_at = pos.saturating_add(1);
        let code = loop {
            match input.get(code_at) {
                Some(0xFF) => code_at = code_at.saturating_add(1),
                Some(&code) => break code,
                None => return Err(truncated(code_at, "a marker")),
            }
        };
        pos = code_at.saturating_add(1);
        match code {
            0x00 => return Err(malformed(marker_at, "a stuffed 0xFF00 outside image data")),
            SOI => return Err(malformed(marker_at, "a second start-of-image marker")),
            EOI => {
                if !seen_scan {
                    return Err(malformed(marker_at, "end of image before any image data (no SOS)"));
                }
                out.extend_from_slice(&[0xFF, EOI]);
                let trailing = input.len().saturating_sub(pos);
                if trailing > 0 {
                    // Phones append depth maps or a second full image (MPF), each with its own EXIF.
                    removed.push(Removal {
                        segment: "after end of image".to_owned(),
                        label: "data after the image",
                        bytes: trailing,
                        gps: false,
                    });
                }
                return Ok((out, removed));
            }
            0xD0..=0xD7 | TEM => out.extend_from_slice(&[0xFF, code]),
            _ => {
                let name = marker_name(code);
                let length = match input.get(pos..pos.saturating_add(2)) {
                    Some(&[high, low]) => usize::from(u16::from_be_bytes([high, low])),
                    _ => return Err(truncated(pos, &format!("the {name} segment length"))),
                };
                if length < 2 {
                    return Err(malformed(pos, format!("the {name} segment length {length} is below 2")));
                }
                let end = pos.saturating_add(length);
                let Some(segment) = input.get(pos..end) else {
                    return Err(truncated(marker_at, &format!("the {name} segment")));
                };
                if is_metadata(code) {
                    let payload = segment.get(2..).unwrap_or_default();
                    removed.push(classify(code, payload, length.saturating_add(2)));
                } else {
                    out.extend_from_slice(&[0xFF, code]);
                    out.extend_from_slice(segment);
                }
                pos = end;
                match code {
                    0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => seen_frame = true,
                    SOS => {
                        if !seen_frame {
                            return Err(malformed(marker_at, "image data (SOS) before the frame header (SOF)"));
                        }
                        seen_scan = true;
                        let data_end = scan_end(input, pos)?;
                        out.extend_from_slice(input.get(pos..data_end).unwrap_or_default());
                        pos = data_end;
                    }
                    _ => {}
                }
            }
        }
    }
}
