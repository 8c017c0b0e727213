//! The evidence store's requests and answers (AVG/GDPR): the worker's signed upload, the signed
//! and audited read, the owner's erasure request and the owner's listing of their records with
//! who read them.
//!
//! Every evidence request is signed like a staff read ([`crate::staff::SignedRead`], the
//! `Authorization: Heitje <address>:<unix ms>:<signature hex>` header over method, path with
//! query, and time). An upload binds its body by putting [`content_hash`] of it in the signed
//! query (`content=`), so the signature covers method, path, query and body.
//!
//! | method | path | who signs | answer |
//! |---|---|---|---|
//! | POST | `/v1/evidence?claim=N&retain_until=MS&content=HEX` | the claim's worker | 201 [`Uploaded`] |
//! | GET | `/v1/evidence/{commitment}` | a drawn verifier, the posting officer or the owner | 200 [`EvidenceView`], 410 once erased |
//! | DELETE | `/v1/evidence/{commitment}` | the owner | 200 [`Erased`]; 409 while the work is reviewed |
//! | GET | `/v1/evidence?owner=ADDR` | that owner | 200 [`OwnerListing`] |

use std::fmt;

use contracts::primitives::ClaimId;
use contracts::{AccountId, Hash, Timestamp};
use serde::{Deserialize, Serialize};

/// blake3 `derive_key` context of [`content_hash`].
const CONTENT_CONTEXT: &str = "heitje 2026-11 evidence upload body";

/// The hash of an upload body that goes in the signed query as `content=`, so that the
/// signature covers the body too. The node keeps the signed request with the sealed record (it
/// proves to the other validators that the worker uploaded this content) and erases it with the
/// record.
pub fn content_hash(body: &[u8]) -> Hash {
    Hash(*blake3::Hasher::new_derive_key(CONTENT_CONTEXT).update(body).finalize().as_bytes())
}

/// The path and query of an upload of `body` for `claim`, to be signed and posted.
pub fn upload_path(claim: ClaimId, retain_until: Timestamp, body: &[u8]) -> String {
    signed_upload_path(claim, retain_until, &content_hash(body))
}

/// The path and query of an upload whose body has [`content_hash`] `content`: what the worker
/// signed, rebuilt by a validator that receives the sealed record as a replica and checks the
/// worker's signature over it.
pub fn signed_upload_path(claim: ClaimId, retain_until: Timestamp, content: &Hash) -> String {
    let (claim, retain_until, content) = (claim.to_string(), retain_until.to_string(), content.to_string());
    crate::routes::with_query(
        crate::routes::EVIDENCE,
        &[("claim", &claim), ("retain_until", &retain_until), ("content", &content)],
    )
}

/// The query of `POST /v1/evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The claim the evidence is for; the signer must be its worker.
    pub claim: u64,
    /// When the record is erased (ms since the epoch): after now, at most 730 days ahead. The
    /// same date goes in `SubmitWork`.
    pub retain_until: u64,
    /// [`content_hash`] of the body, in hex.
    pub content: String,
}

/// Answer to `POST /v1/evidence` (201 Created): the sealed record's public header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uploaded {
    /// The salted commitment to put in `SubmitWork`.
    pub commitment: Hash,
    /// The claim.
    pub claim: ClaimId,
    /// The owner (the claim's worker).
    pub owner: AccountId,
    /// When the node sealed it (node clock).
    pub sealed_at: Timestamp,
    /// When every node erases it (block time).
    pub retain_until: Timestamp,
    /// Bytes of the canonical bundle received.
    pub size: usize,
}

/// Answer to `GET /v1/evidence/{commitment}`: the record's header and its bundle. `B` is
/// `evidence::Bundle` (JSON: `photos` with `format` and base64 `bytes`, `note`, `location` in
/// micro-degrees); this crate stays free of the evidence crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView<B> {
    /// The commitment.
    pub commitment: Hash,
    /// The claim.
    pub claim: ClaimId,
    /// The owner.
    pub owner: AccountId,
    /// When it was sealed.
    pub sealed_at: Timestamp,
    /// When it will be erased.
    pub retain_until: Timestamp,
    /// Why this reader was let in: `review` (a drawn verifier or the posting officer; the read
    /// is in the audit log) or `owner`.
    pub purpose: Purpose,
    /// The content.
    pub bundle: B,
}

/// Why a record was read; part of its audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A drawn verifier or the officer who posted the task, reviewing the work.
    Review,
    /// The resident reading their own evidence.
    Owner,
}

impl Purpose {
    /// The word in the audit log.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Owner => "owner",
        }
    }
}

/// Why a record was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    /// Its retention date passed (by block time); every node erases it on its own.
    Retention,
    /// The owner asked, once the claim was final (AVG/GDPR art. 17).
    OwnerRequest,
}

impl ErasureReason {
    /// The words shown to people.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Retention => "retention",
            Self::OwnerRequest => "owner request",
        }
    }
}

/// Answer to `DELETE /v1/evidence/{commitment}`; also what a tombstone tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    /// The commitment, now linked to nothing.
    pub commitment: Hash,
    /// The claim it was for.
    pub claim: ClaimId,
    /// The owner.
    pub owner: AccountId,
    /// When it was erased: the signed request time, or the block time of the sweep.
    pub erased_at: Timestamp,
    /// Why.
    pub reason: ErasureReason,
    /// Whether it had been erased before this request.
    pub already: bool,
}

/// The query of `GET /v1/evidence?owner=ADDR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The owner, who signs the request.
    pub owner: String,
}

/// One photo of a record as the listing shows it: no pixels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoInfo {
    /// `jpeg` or `png`.
    pub format: String,
    /// Bytes after stripping.
    pub bytes: u64,
}

/// One read of a record, from this node's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRead {
    /// The audit log position.
    pub seq: u64,
    /// When (node clock).
    pub time: Timestamp,
    /// Who read.
    pub reader: AccountId,
    /// `review` or `owner`.
    pub purpose: String,
}

/// One record of the owner's listing: live or erased, without content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    /// The commitment.
    pub commitment: Hash,
    /// The claim.
    pub claim: ClaimId,
    /// When it was sealed.
    pub sealed_at: Timestamp,
    /// When it is (or was to be) erased.
    pub retain_until: Timestamp,
    /// The photos' formats and sizes (empty once erased).
    pub photos: Vec<PhotoInfo>,
    /// Whether a note is present (false once erased).
    pub has_note: bool,
    /// Whether a location is present (false once erased).
    pub has_location: bool,
    /// When it was erased, if it was.
    pub erased_at: Option<Timestamp>,
    /// Why it was erased, if it was.
    pub erased_reason: Option<ErasureReason>,
    /// Every read of it in this node's audit log, oldest first. Each node logs the reads it
    /// serves; ask every node for the complete list.
    pub reads: Vec<RecordRead>,
}

/// Answer to `GET /v1/evidence?owner=ADDR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerListing {
    /// The owner.
    pub owner: AccountId,
    /// Their records, by commitment.
    pub records: Vec<RecordView>,
}

/// What an audit entry about evidence says in its `what` field:
/// `evidence <commitment> claim <id> <action>`, where the action is `read review`,
/// `read owner` or `erased retention` / `erased owner_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditWhat {
    /// The record.
    pub commitment: Hash,
    /// Its claim.
    pub claim: ClaimId,
    /// `read review`, `read owner`, `erased retention` or `erased owner_request`.
    pub action: String,
}

impl AuditWhat {
    /// A read for `purpose`.
    pub fn read(commitment: Hash, claim: ClaimId, purpose: Purpose) -> Self {
        Self { commitment, claim, action: format!("read {}", purpose.name()) }
    }

    /// An erasure for `reason`.
    pub fn erased(commitment: Hash, claim: ClaimId, reason: ErasureReason) -> Self {
        let reason = match reason {
            ErasureReason::Retention => "retention",
            ErasureReason::OwnerRequest => "owner_request",
        };
        Self { commitment, claim, action: format!("erased {reason}") }
    }

    /// Reads a `what` field; `None` for entries about anything else.
    pub fn parse(what: &str) -> Option<Self> {
        let mut words = what.splitn(5, ' ');
        if words.next()? != "evidence" {
            return None;
        }
        let commitment = Hash::from_hex(words.next()?).ok()?;
        if words.next()? != "claim" {
            return None;
        }
        let claim = ClaimId(words.next()?.parse().ok()?);
        Some(Self { commitment, claim, action: words.next()?.to_owned() })
    }

    /// The purpose of a read entry (`review`, `owner`), `None` for an erasure.
    pub fn read_purpose(&self) -> Option<&str> {
        self.action.strip_prefix("read ")
    }
}

impl fmt::Display for AuditWhat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "evidence {} claim {} {}", self.commitment, self.claim, self.action)
    }
}

/// The UTC date of `time` as `YYYY-MM-DD`, for messages such as "erased on 2026-11-30".
pub fn utc_date(time: Timestamp) -> String {
    let days = time.0 / 86_400_000;
    // Civil-from-days (proleptic Gregorian), integer only.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_what_round_trips_and_ignores_other_entries() {
        let what = AuditWhat::read(Hash([7; 32]), ClaimId(3), Purpose::Review);
        assert_eq!(AuditWhat::parse(&what.to_string()), Some(what.clone()));
        assert_eq!(what.read_purpose(), Some("review"));
        let erased = AuditWhat::erased(Hash([7; 32]), ClaimId(3), ErasureReason::OwnerRequest);
        assert_eq!(AuditWhat::parse(&erased.to_string()).and_then(|w| w.read_purpose().map(str::to_owned)), None);
        assert_eq!(AuditWhat::parse("registry.bank"), None);
        assert_eq!(AuditWhat::parse("evidence nothex claim 1 read review"), None);
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(Timestamp(0)), "1970-01-01");
        assert_eq!(utc_date(Timestamp(1_795_996_800_000)), "2026-11-30");
        assert_eq!(utc_date(Timestamp(951_782_400_000)), "2000-02-29");
    }

    #[test]
    fn the_upload_path_binds_the_body() {
        let a = upload_path(ClaimId(1), Timestamp(5), b"one");
        assert_ne!(a, upload_path(ClaimId(1), Timestamp(5), b"two"));
        assert!(a.starts_with("/v1/evidence?claim=1&retain_until=5&content="));
    }
}
