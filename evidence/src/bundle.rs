//! The evidence bundle: stripped photos, an optional note and an optional rounded location,
//! with its JSON form (photos in base64) and its canonical bytes (the sealed plaintext).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use contracts::codec::{Decode, DecodeError, Reader, put_bytes, put_len};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::EvidenceError;
use crate::photo::{Format, Stripped, strip_photo};

/// At most this many photos per bundle.
pub const MAX_PHOTOS: usize = 8;
/// The stripped photos of one bundle together hold at most this many bytes (8 MiB).
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;
/// A note holds at most this many characters (Unicode scalar values).
pub const MAX_NOTE_CHARS: usize = 1_000;
/// A note of [`MAX_NOTE_CHARS`] characters is at most this many UTF-8 bytes.
const MAX_NOTE_BYTES: usize = 4 * MAX_NOTE_CHARS;
/// The version byte that opens the canonical bundle bytes.
const BUNDLE_VERSION: u8 = 1;
/// Largest latitude and longitude magnitudes, in micro-degrees.
const MAX_LAT: i32 = 90_000_000;
const MAX_LON: i32 = 180_000_000;
/// Grid the wallet rounds to: 100 micro-degrees is 11 m north-south and 7 m east-west in Heerlen.
const GRID_MICRODEG: i32 = 100;

/// One metadata-free photo. Only [`strip_photo`] output becomes a `Photo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Photo {
    format: Format,
    #[serde(serialize_with = "to_base64")]
    bytes: Vec<u8>,
}

impl Photo {
    /// The photo's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The stripped photo bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Where the work was done, in micro-degrees (WGS 84).
///
/// The wallet rounds the position to a grid of 100 micro-degrees (about 10 m) before it builds a
/// bundle, with [`Location::rounded`], so a record never pins a front door. The bundle checks
/// only the ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude, -90,000,000 to 90,000,000.
    pub lat_microdeg: i32,
    /// Longitude, -180,000,000 to 180,000,000.
    pub lon_microdeg: i32,
}

impl Location {
    /// A location, checked against the coordinate ranges.
    pub fn new(lat_microdeg: i32, lon_microdeg: i32) -> Result<Self, EvidenceError> {
        let location = Self { lat_microdeg, lon_microdeg };
        location.check()?;
        Ok(location)
    }

    /// A location rounded to the nearest 100 micro-degrees (about 10 m), as the wallet stores it.
    pub fn rounded(lat_microdeg: i32, lon_microdeg: i32) -> Result<Self, EvidenceError> {
        Self::new(lat_microdeg, lon_microdeg)?;
        Ok(Self { lat_microdeg: round_to_grid(lat_microdeg), lon_microdeg: round_to_grid(lon_microdeg) })
    }

    fn check(self) -> Result<(), EvidenceError> {
        if (-MAX_LAT..=MAX_LAT).contains(&self.lat_microdeg) && (-MAX_LON..=MAX_LON).contains(&self.lon_microdeg) {
            Ok(())
        } else {
            Err(EvidenceError::LocationOutOfRange { lat_microdeg: self.lat_microdeg, lon_microdeg: self.lon_microdeg })
        }
    }
}

/// Rounds half away from zero to the grid. Callers pass checked coordinates (|v| <= 180e6), so
/// nothing overflows and the result stays in range (180e6 is on the grid).
#[cfg_attr(not(test), expect(clippy::arithmetic_side_effects, reason = "|value| <= 180e6, far from i32 limits"))]
fn round_to_grid(value: i32) -> i32 {
    let half = GRID_MICRODEG / 2;
    if value >= 0 {
        (value + half) / GRID_MICRODEG * GRID_MICRODEG
    } else {
        (value - half) / GRID_MICRODEG * GRID_MICRODEG
    }
}

/// The evidence for one claim: up to [`MAX_PHOTOS`] stripped photos (together at most
/// [`MAX_PHOTO_BYTES`]), an optional note of at most [`MAX_NOTE_CHARS`] characters without
/// control characters other than `\n`, and an optional [`Location`]. At least one of the three is
/// present.
///
/// Every `Bundle` satisfies these rules: the constructors, JSON deserialisation and [`crate::open`]
/// all check them and strip every photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawBundle")]
pub struct Bundle {
    photos: Vec<Photo>,
    note: Option<String>,
    location: Option<Location>,
}

impl Bundle {
    /// Strips every photo and checks the limits. A photo error names the photo (1-based).
    pub fn new(photos: &[&[u8]], note: Option<String>, location: Option<Location>) -> Result<Self, EvidenceError> {
        if photos.len() > MAX_PHOTOS {
            return Err(EvidenceError::TooManyPhotos { count: photos.len(), max: MAX_PHOTOS });
        }
        let stripped = photos
            .iter()
            .enumerate()
            .map(|(index, bytes)| strip_photo(bytes).map_err(|source| in_photo(index, source)))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_stripped(stripped, note, location)
    }

    /// Builds a bundle from photos the caller already stripped (to show the resident what
    /// [`strip_photo`] removed), and checks the limits.
    pub fn from_stripped(
        photos: Vec<Stripped>,
        note: Option<String>,
        location: Option<Location>,
    ) -> Result<Self, EvidenceError> {
        let photos: Vec<Photo> =
            photos.into_iter().map(|stripped| Photo { format: stripped.format, bytes: stripped.bytes }).collect();
        let bundle = Self { photos, note, location };
        bundle.check()?;
        Ok(bundle)
    }

    /// Checks declared photos again: each is stripped (idempotent on clean photos) and must have
    /// the declared format.
    fn from_declared(
        photos: Vec<(Format, Vec<u8>)>,
        note: Option<String>,
        location: Option<Location>,
    ) -> Result<Self, EvidenceError> {
        if photos.len() > MAX_PHOTOS {
            return Err(EvidenceError::TooManyPhotos { count: photos.len(), max: MAX_PHOTOS });
        }
        let mut stripped = Vec::with_capacity(photos.len());
        for (index, (declared, bytes)) in photos.into_iter().enumerate() {
            let photo = strip_photo(&bytes).map_err(|source| in_photo(index, source))?;
            if photo.format != declared {
                return Err(EvidenceError::FormatMismatch {
                    index,
                    declared: declared.name(),
                    actual: photo.format.name(),
                });
            }
            stripped.push(photo);
        }
        Self::from_stripped(stripped, note, location)
    }

    fn check(&self) -> Result<(), EvidenceError> {
        if self.photos.len() > MAX_PHOTOS {
            return Err(EvidenceError::TooManyPhotos { count: self.photos.len(), max: MAX_PHOTOS });
        }
        let total = self.photo_bytes();
        if total > MAX_PHOTO_BYTES {
            return Err(EvidenceError::TooLarge { total, max: MAX_PHOTO_BYTES });
        }
        if let Some(note) = &self.note {
            check_note(note)?;
        }
        if let Some(location) = self.location {
            location.check()?;
        }
        if self.photos.is_empty() && self.note.is_none() && self.location.is_none() {
            return Err(EvidenceError::EmptyBundle);
        }
        Ok(())
    }

    /// The photos, in the order given.
    pub fn photos(&self) -> &[Photo] {
        &self.photos
    }

    /// The note, if any.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The location, if any.
    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// Total bytes of the photos.
    pub fn photo_bytes(&self) -> usize {
        self.photos.iter().fold(0usize, |total, photo| total.saturating_add(photo.bytes.len()))
    }

    /// The canonical bytes (the sealed plaintext), in the contracts codec style: version byte;
    /// photo count (u32), then per photo a format tag byte and length-prefixed bytes; the note as
    /// a presence byte and length-prefixed UTF-8; the location as a presence byte and two
    /// big-endian `i32`.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.photo_bytes().saturating_add(64).saturating_add(MAX_NOTE_BYTES));
        out.push(BUNDLE_VERSION);
        put_len(&mut out, self.photos.len());
        for photo in &self.photos {
            out.push(photo.format.tag());
            put_bytes(&mut out, &photo.bytes);
        }
        match &self.note {
            None => out.push(0),
            Some(note) => {
                out.push(1);
                put_bytes(&mut out, note.as_bytes());
            }
        }
        match self.location {
            None => out.push(0),
            Some(location) => {
                out.push(1);
                out.extend_from_slice(&location.lat_microdeg.to_be_bytes());
                out.extend_from_slice(&location.lon_microdeg.to_be_bytes());
            }
        }
        out
    }

    /// The blake3 hash of [`Bundle::to_canonical_bytes`], the content part of the commitment.
    pub fn content_hash(&self) -> [u8; 32] {
        *blake3::hash(&self.to_canonical_bytes()).as_bytes()
    }

    /// Reads canonical bytes back, refusing leftovers, and checks the bundle like [`Bundle::new`].
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, EvidenceError> {
        let what = "evidence bundle";
        let decode = |source: DecodeError| EvidenceError::Decode { what, source };
        let mut reader = Reader::new(bytes);
        let version = reader.u8("bundle version").map_err(decode)?;
        if version != BUNDLE_VERSION {
            return Err(EvidenceError::UnsupportedVersion { what, version, supported: BUNDLE_VERSION });
        }
        let count = reader.len("photos", MAX_PHOTOS).map_err(decode)?;
        let mut photos = Vec::with_capacity(count);
        for _ in 0..count {
            let tag = reader.u8("photo format").map_err(decode)?;
            let format =
                Format::from_tag(tag).ok_or_else(|| decode(DecodeError::UnknownTag { tag, what: "photo format" }))?;
            let bytes = reader.bytes("photo", MAX_PHOTO_BYTES).map_err(decode)?;
            photos.push((format, bytes.to_vec()));
        }
        let note = if bool::decode(&mut reader).map_err(decode)? {
            let bytes = reader.bytes("note", MAX_NOTE_BYTES).map_err(decode)?;
            let text = std::str::from_utf8(bytes)
                .map_err(|_| decode(DecodeError::Invalid { what: "note", reason: "not UTF-8" }))?;
            Some(text.to_owned())
        } else {
            None
        };
        let location = if bool::decode(&mut reader).map_err(decode)? {
            let lat_microdeg = i32::from_be_bytes(reader.array("latitude").map_err(decode)?);
            let lon_microdeg = i32::from_be_bytes(reader.array("longitude").map_err(decode)?);
            Some(Location { lat_microdeg, lon_microdeg })
        } else {
            None
        };
        reader.finish().map_err(decode)?;
        Self::from_declared(photos, note, location)
    }
}

fn in_photo(index: usize, source: EvidenceError) -> EvidenceError {
    EvidenceError::InPhoto { number: index.saturating_add(1), source: Box::new(source) }
}

fn check_note(note: &str) -> Result<(), EvidenceError> {
    let mut chars = 0usize;
    for (position, character) in note.chars().enumerate() {
        if character.is_control() && character != '\n' {
            return Err(EvidenceError::NoteControlCharacter { position, code: u32::from(character) });
        }
        chars = position.saturating_add(1);
    }
    if chars > MAX_NOTE_CHARS {
        return Err(EvidenceError::NoteTooLong { chars, max: MAX_NOTE_CHARS });
    }
    Ok(())
}

fn to_base64<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&BASE64.encode(bytes))
}

fn from_base64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(deserializer)?;
    BASE64
        .decode(text.as_bytes())
        .map_err(|error| serde::de::Error::custom(format!("photo bytes are not base64: {error}")))
}

/// The JSON shape before checking.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBundle {
    #[serde(default)]
    photos: Vec<RawPhoto>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhoto {
    format: Format,
    #[serde(deserialize_with = "from_base64")]
    bytes: Vec<u8>,
}

impl TryFrom<RawBundle> for Bundle {
    type Error = EvidenceError;

    fn try_from(raw: RawBundle) -> Result<Self, Self::Error> {
        let photos = raw.photos.into_iter().map(|photo| (photo.format, photo.bytes)).collect();
        Self::from_declared(photos, raw.note, raw.location)
    }
}
