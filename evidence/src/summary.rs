//! A content-free description of a record, for a resident's data export (AVG/GDPR art. 15).

use contracts::primitives::{ClaimId, Hash, Timestamp};
use serde::Serialize;

use crate::bundle::Bundle;
use crate::error::EvidenceError;
use crate::photo::Format;
use crate::seal::{Header, RecordKey, Sealed, open};

/// One photo as the export lists it: no pixels, no metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhotoSummary {
    /// The photo's format.
    pub format: Format,
    /// Its size in bytes after stripping.
    pub bytes: usize,
}

/// What a record holds and how long it is kept, without any of its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The on-chain commitment that names the record.
    pub commitment: Hash,
    /// The claim the evidence is for.
    pub claim: ClaimId,
    /// When it was sealed (ms since the Unix epoch).
    pub sealed_at: Timestamp,
    /// When it will be erased (ms since the Unix epoch).
    pub retain_until: Timestamp,
    /// Each photo's format and size.
    pub photos: Vec<PhotoSummary>,
    /// Whether a note is present (its text is not included).
    pub has_note: bool,
    /// Whether a location is present (the coordinates are not included).
    pub has_location: bool,
}

impl Summary {
    /// Describes an opened bundle with its record header.
    pub fn new(header: &Header, bundle: &Bundle) -> Self {
        Self {
            commitment: header.commitment,
            claim: header.claim,
            sealed_at: header.sealed_at,
            retain_until: header.retain_until,
            photos: bundle
                .photos()
                .iter()
                .map(|photo| PhotoSummary { format: photo.format(), bytes: photo.bytes().len() })
                .collect(),
            has_note: bundle.note().is_some(),
            has_location: bundle.location().is_some(),
        }
    }
}

/// Opens a record (see [`open`]) and describes it without content.
pub fn summarize(sealed: &Sealed, key: &RecordKey) -> Result<Summary, EvidenceError> {
    Ok(Summary::new(&sealed.header, &open(sealed, key)?))
}
