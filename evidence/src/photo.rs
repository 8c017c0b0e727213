//! Photo intake: format detection by magic bytes and metadata stripping for JPEG and PNG.

use serde::{Deserialize, Serialize};

use crate::error::EvidenceError;
use crate::removal::{EXIF, Removal};
use crate::{jpeg, png};

/// A photo format the evidence store accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JPEG (JFIF or Adobe), baseline or progressive.
    Jpeg,
    /// PNG.
    Png,
}

impl Format {
    /// The format's usual name, as shown to residents.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    /// The MIME type, for serving the photo.
    pub const fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The tag byte in the canonical bundle encoding.
    pub(crate) const fn tag(self) -> u8 {
        match self {
            Self::Jpeg => 1,
            Self::Png => 2,
        }
    }

    /// The format of a tag byte, if known.
    pub(crate) const fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(Self::Jpeg),
            2 => Some(Self::Png),
            _ => None,
        }
    }

    /// Detects the format from magic bytes; names the format of a refused file if it can.
    fn detect(bytes: &[u8]) -> Result<Self, EvidenceError> {
        if bytes.is_empty() {
            return Err(EvidenceError::EmptyPhoto);
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Ok(Self::Jpeg);
        }
        if bytes.starts_with(&png::SIGNATURE) {
            return Ok(Self::Png);
        }
        Err(EvidenceError::UnsupportedFormat { detected: recognise_other(bytes) })
    }
}

/// Names common formats that are refused, so the message can say what the file is.
fn recognise_other(bytes: &[u8]) -> Option<&'static str> {
    let at = |range: std::ops::Range<usize>| bytes.get(range).unwrap_or_default();
    if at(4..8) == b"ftyp" {
        return Some(match at(8..12) {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => "HEIC",
            _ => "a video (MP4/MOV)",
        });
    }
    if at(0..4) == b"RIFF" && at(8..12) == b"WEBP" {
        return Some("WebP");
    }
    if at(0..4) == b"GIF8" {
        return Some("GIF");
    }
    if at(0..4) == b"II*\0" || at(0..4) == b"MM\0*" {
        return Some("TIFF or a camera RAW file");
    }
    if at(0..2) == b"BM" {
        return Some("BMP");
    }
    if at(0..5) == b"%PDF-" {
        return Some("PDF");
    }
    None
}

/// A photo with its metadata removed, and a report of what was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    pub(crate) bytes: Vec<u8>,
    pub(crate) format: Format,
    pub(crate) removed: Vec<Removal>,
}

impl Stripped {
    /// The cleaned photo.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The cleaned photo, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The photo's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Everything removed, in file order.
    pub fn removed(&self) -> &[Removal] {
        &self.removed
    }

    /// Whether EXIF metadata was present (and removed).
    pub fn had_exif(&self) -> bool {
        self.removed.iter().any(|removal| removal.label == EXIF)
    }

    /// Whether a GPS position was present (and removed).
    pub fn had_gps(&self) -> bool {
        self.removed.iter().any(|removal| removal.gps)
    }

    /// What was removed, in words for the resident, each kind once:
    /// `"EXIF (incl. GPS position), XMP"`, or `"nothing"`.
    pub fn describe(&self) -> String {
        let mut labels: Vec<&'static str> = Vec::new();
        for removal in &self.removed {
            if !labels.contains(&removal.label) {
                labels.push(removal.label);
            }
        }
        if labels.is_empty() {
            return "nothing".to_owned();
        }
        let words: Vec<String> = labels
            .iter()
            .map(|label| {
                let gps = self.removed.iter().any(|removal| removal.label == *label && removal.gps);
                if gps { format!("{label} (incl. GPS position)") } else { (*label).to_owned() }
            })
            .collect();
        words.join(", ")
    }
}

/// Removes metadata from a JPEG or PNG photo.
///
/// The format is detected from the magic bytes; anything other than JPEG or PNG is refused with
/// [`EvidenceError::UnsupportedFormat`]. The container is walked segment by segment (JPEG) or
/// chunk by chunk with CRC checks (PNG); image data is copied byte for byte and never decoded or
/// re-encoded, so quality is unchanged.
///
/// - JPEG keeps SOI, APP0 (JFIF), APP14 (Adobe colour transform), the tables, frame and scan
///   segments and the entropy-coded data, and EOI. It drops APP1..APP13 and APP15 (EXIF with GPS,
///   XMP, ICC profile, MPF, IPTC/Photoshop and maker data), COM and all bytes after EOI (such as
///   a second image appended by the camera).
/// - PNG keeps IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM, sRGB, iCCP, sBIT and pHYs. It drops
///   every other ancillary chunk (tEXt, zTXt, iTXt, eXIf, tIME, ...) and bytes after IEND, and
///   refuses unknown critical chunks.
///
/// Truncated or malformed input returns an error naming the problem and its byte offset.
pub fn strip_photo(bytes: &[u8]) -> Result<Stripped, EvidenceError> {
    let format = Format::detect(bytes)?;
    let (bytes, removed) = match format {
        Format::Jpeg => jpeg::strip(bytes)?,
        Format::Png => png::strip(bytes)?,
    };
    Ok(Stripped { bytes, format, removed })
}
