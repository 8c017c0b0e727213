//! Why evidence could not be accepted, sealed or opened. Every message says what to do next.

use contracts::codec::DecodeError;
use thiserror::Error;

/// Why a photo, bundle or sealed record was refused. Messages are meant for the resident or the
/// operator as they stand; they never contain evidence content.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvidenceError {
    /// The photo is empty.
    #[error("the photo is empty (0 bytes); choose the photo again")]
    EmptyPhoto,
    /// The photo is neither JPEG nor PNG.
    #[error("only JPEG and PNG photos are accepted; convert the photo to JPEG or PNG first{}", hint(*detected))]
    UnsupportedFormat {
        /// The format recognised from its magic bytes, if any.
        detected: Option<&'static str>,
    },
    /// A JPEG is truncated or malformed.
    #[error("the JPEG photo is damaged at byte {offset}: {reason}; export or take the photo again")]
    MalformedJpeg {
        /// Byte offset where the problem was found.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// A PNG is truncated or malformed.
    #[error("the PNG photo is damaged at byte {offset}: {reason}; export or take the photo again")]
    MalformedPng {
        /// Byte offset where the problem was found.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// A photo in a bundle was refused; `source` says why.
    #[error("photo {number}: {source}")]
    InPhoto {
        /// The photo's position, counting from 1.
        number: usize,
        /// Why it was refused.
        source: Box<Self>,
    },
    /// The bundle has more photos than allowed.
    #[error("{count} photos is more than the {max} allowed; leave some out")]
    TooManyPhotos {
        /// Photos given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The photos together are larger than allowed.
    #[error("the photos are {total} bytes together, above the limit of {max}; send fewer or smaller photos")]
    TooLarge {
        /// Total bytes of the stripped photos.
        total: usize,
        /// The limit.
        max: usize,
    },
    /// The note is longer than allowed.
    #[error("the note is {chars} characters, above the limit of {max}; shorten it")]
    NoteTooLong {
        /// Characters in the note.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// The note contains a control character other than a line break.
    #[error(
        "the note contains a control character (U+{code:04X}) at character {position}; only line breaks are allowed"
    )]
    NoteControlCharacter {
        /// Zero-based character index.
        position: usize,
        /// The character's code point.
        code: u32,
    },
    /// A coordinate is outside the valid range.
    #[error(
        "location {lat_microdeg},{lon_microdeg} (micro-degrees) is out of range; latitude must be within ±90000000 and longitude within ±180000000"
    )]
    LocationOutOfRange {
        /// Latitude in micro-degrees.
        lat_microdeg: i32,
        /// Longitude in micro-degrees.
        lon_microdeg: i32,
    },
    /// The bundle has no photo, no note and no location.
    #[error("the evidence is empty; add a photo or a note")]
    EmptyBundle,
    /// A photo in the bundle does not carry the format its bytes have.
    #[error("photo {index} is declared as {declared} but its bytes are {actual}")]
    FormatMismatch {
        /// Zero-based photo index.
        index: usize,
        /// The declared format.
        declared: &'static str,
        /// The format of the bytes.
        actual: &'static str,
    },
    /// The retention deadline is not after the sealing time.
    #[error("retain_until ({retain_until_ms} ms) must be after the sealing time ({sealed_at_ms} ms)")]
    RetentionInPast {
        /// The requested deadline.
        retain_until_ms: u64,
        /// The sealing time.
        sealed_at_ms: u64,
    },
    /// The bytes are not of the expected kind (wrong magic).
    #[error("these bytes are not {expected}; check that the right file or database value was passed")]
    WrongMagic {
        /// What was expected.
        expected: &'static str,
    },
    /// The bytes were written by an unknown format version.
    #[error("{what} version {version} is not supported (this build reads version {supported}); upgrade the software")]
    UnsupportedVersion {
        /// What was read.
        what: &'static str,
        /// The version found.
        version: u8,
        /// The version this build reads.
        supported: u8,
    },
    /// Stored bytes could not be decoded.
    #[error("stored {what} is malformed: {source}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The codec's reason.
        source: DecodeError,
    },
    /// Encryption failed (the plaintext exceeds what the cipher can take).
    #[error("the evidence could not be encrypted: the record is too large for the cipher")]
    Encrypt,
    /// Decryption failed: the key is wrong or the record or its header was altered.
    #[error("the evidence record could not be decrypted: wrong key, or the record or its header was altered")]
    Decrypt,
    /// The opened content does not match the header's commitment.
    #[error("the evidence record does not match its commitment; the record or key belongs to another submission")]
    CommitmentMismatch,
}

/// The part of the unsupported-format message that names the file's actual format.
fn hint(detected: Option<&'static str>) -> String {
    match detected {
        Some("HEIC") => {
            " (this is HEIC; on an iPhone, Settings > Camera > Formats > Most Compatible takes JPEG)".to_owned()
        }
        Some(name) => format!(" (this is {name})"),
        None => String::new(),
    }
}
