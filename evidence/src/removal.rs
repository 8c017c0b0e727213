//! What photo stripping removes: one [`Removal`] per dropped segment or chunk, the labels shared
//! by the JPEG and PNG walkers, and the GPS check on XMP text. Below `photo`, `jpeg` and `png`,
//! so that the walkers and the intake do not import each other.

use serde::Serialize;

/// One piece of metadata that [`crate::strip_photo`] removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// The container's name for it: a JPEG segment (`APP1`, `COM`), a PNG chunk (`tEXt`,
    /// `eXIf`), or `after end of image` for bytes behind the image.
    pub segment: String,
    /// What it held, in words for residents: `EXIF`, `XMP`, `IPTC/Photoshop`, `comment`, ...
    pub label: &'static str,
    /// Its size in bytes, headers included.
    pub bytes: usize,
    /// Whether it held a GPS position (EXIF GPS IFD, or GPS fields in XMP).
    pub gps: bool,
}

pub(crate) const EXIF: &str = "EXIF";
pub(crate) const XMP: &str = "XMP";

/// Whether XMP text carries a position (`exif:GPSLatitude`, `exif:GPSLongitude`).
pub(crate) fn xmp_has_gps(xmp: &[u8]) -> bool {
    contains(xmp, b"GPSLatitude") || contains(xmp, b"GPSLongitude")
}

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|window| window == needle)
}
