//! Heitje off-chain evidence records: the photos, note and location a resident submits for task
//! work, with photo metadata stripped, sealed per record under a salted on-chain commitment.
//!
//! Privacy (AVG/GDPR) shapes the format:
//! - [`strip_photo`] accepts only JPEG and PNG and removes EXIF (including GPS), XMP, IPTC,
//!   comments, text chunks and anything after the image, and reports what it removed;
//! - a [`Bundle`] holds at most [`MAX_PHOTOS`] stripped photos of together at most
//!   [`MAX_PHOTO_BYTES`], a short note and a location the wallet has rounded to about 10 m;
//! - [`seal`] encrypts a bundle with a fresh key per record (XChaCha20-Poly1305) and computes the
//!   commitment that goes on chain from a random salt kept only in the [`RecordKey`]. Destroying
//!   the key erases the record (crypto-shredding) and unlinks the on-chain commitment for good;
//! - [`policy`] decides, from the claim on chain alone, who may upload and read a record, when
//!   its owner may have it erased and when its retention runs out.
//!
//! This crate does no I/O: callers store the bytes of [`Sealed`] and [`RecordKey`] where they
//! like (the key apart from the record) and pass in randomness and the time.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod bundle;
mod error;
mod exif;
mod jpeg;
mod photo;
mod png;
pub mod policy;
mod removal;
mod seal;
mod summary;

pub use bundle::{Bundle, Location, MAX_NOTE_CHARS, MAX_PHOTO_BYTES, MAX_PHOTOS, Photo};
pub use error::EvidenceError;
pub use photo::{Format, Stripped, strip_photo};
pub use removal::Removal;
pub use seal::{Header, KEY_BYTES_LEN, RECORD_VERSION, RecordKey, Sealed, commitment, open, seal, verify_commitment};
pub use summary::{PhotoSummary, Summary, summarize};
