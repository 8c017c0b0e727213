//! The evidence store (AVG/GDPR): sealed evidence records kept apart from their keys, who may
//! read them, when they are erased, and the tombstones that answer for them afterwards.
//!
//! A record is an `evidence::Sealed` (header in the clear, bundle encrypted with
//! XChaCha20-Poly1305) in column family `evidence`; its `RecordKey` (key and commitment salt) is
//! in `evidence_keys`, its header again in `evidence_meta` for sweeps and listings. Plaintext
//! evidence never reaches the disk: the node seals in memory and opens in memory.
//!
//! Erasure deletes the key, the record and the header in one synced `WriteBatch` and writes a
//! tombstone (when, why, whose, and the owner's signed request if there was one). The tombstone
//! holds no salt and no content hash, so the on-chain commitment is linked to nothing any more
//! (crypto-shredding). Two rules erase:
//!
//! - R-EVI-1 retention: every node erases each record whose retention date (the earlier of its
//!   header's and the chain's `claim.retain_until`) is at or before the block time of its head;
//!   block time, not the wall clock, so all validators agree without talking.
//! - R-EVI-2 owner request, "when legally allowed": the owner may erase a record once its claim
//!   is final (rewarded, expired, cancelled, or rejected without a resubmission right) or when
//!   the claim does not reference it (never submitted, or superseded by a resubmission). While
//!   the work is under review, in its objection window, objected, or rejected with the right to
//!   resubmit, the verifiers and the officer need the evidence to decide (AVG art. 17(3)(b) and
//!   (e): a legal obligation of the municipality and the defence of legal claims), so the
//!   request is refused with the reason.
//!
//! R-EVI-3 access: a record is read only by the verifiers drawn for the claim that references
//! it, the officer who posted its task (each still holding their role), and its owner. Every
//! read is appended to the hash-chained audit log before the answer is sent.
//!
//! The decisions themselves (who reads, whether erasure is allowed, whether retention ran out)
//! are pure and live in `evidence::policy`; this module feeds them the committed state and
//! carries them out on the store.

use std::time::Duration;

use api::evidence::{AuditWhat, ErasureReason, Purpose};
use contracts::codec::{Decode, DecodeError, Encode, Reader};
use contracts::primitives::ClaimId;
use contracts::{AccountId, Hash, Role, Timestamp};
use evidence::policy::{self, Access, Needed, StaffRoles, UploadDenied};
pub use evidence::policy::{MAX_RECORDS_PER_CLAIM, MAX_RETENTION_MS};
use evidence::{RecordKey, Sealed};
use gossip::wire::verify_carried;
pub use gossip::wire::{EraseNotice, MAX_SEALED_BYTES, MAX_UPLOAD_PROOF_BYTES};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ledger::{Handle, Ledger, wall_clock_ms};
use crate::store::{Storage, StoreError};

/// Version byte of the header bytes in `evidence_meta`: 1 without the worker's signed upload
/// request (records stored before it was kept), 2 with it.
const META_VERSION: u8 = 2;
const META_VERSION_UNSIGNED: u8 = 1;

/// The public header of a live record, as kept in `evidence_meta`, with the worker's signed
/// upload request that proves the content is theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The commitment.
    pub commitment: Hash,
    /// The owner (the claim's worker).
    pub owner: AccountId,
    /// The claim.
    pub claim: ClaimId,
    /// When it was sealed.
    pub sealed_at: Timestamp,
    /// When it must be erased at the latest.
    pub retain_until: Timestamp,
    /// The worker's `Authorization` header of the upload (`POST /v1/evidence?…&content=…`);
    /// `None` for records stored before it was kept.
    pub upload: Option<String>,
}

impl Meta {
    /// The header of a sealed record uploaded with the worker's signed request `upload`.
    pub fn of(sealed: &Sealed, upload: &str) -> Self {
        let h = &sealed.header;
        Self {
            commitment: h.commitment,
            owner: h.owner,
            claim: h.claim,
            sealed_at: h.sealed_at,
            retain_until: h.retain_until,
            upload: Some(upload.to_owned()),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96 + MAX_UPLOAD_PROOF_BYTES);
        out.push(if self.upload.is_some() { META_VERSION } else { META_VERSION_UNSIGNED });
        self.owner.encode(&mut out);
        self.claim.encode(&mut out);
        self.sealed_at.encode(&mut out);
        self.retain_until.encode(&mut out);
        if let Some(upload) = &self.upload {
            contracts::codec::put_bytes(&mut out, upload.as_bytes());
        }
        out
    }

    fn from_bytes(commitment: Hash, bytes: &[u8]) -> Result<Self, StoreError> {
        let corrupt = |e: DecodeError| StoreError::Corrupt(format!("evidence header {commitment}: {e}"));
        let mut reader = Reader::new(bytes);
        let version = reader.u8("evidence header version").map_err(corrupt)?;
        if version != META_VERSION && version != META_VERSION_UNSIGNED {
            return Err(StoreError::Corrupt(format!("evidence header {commitment}: unknown version {version}")));
        }
        let mut meta = Self {
            commitment,
            owner: AccountId::decode(&mut reader).map_err(corrupt)?,
            claim: ClaimId::decode(&mut reader).map_err(corrupt)?,
            sealed_at: Timestamp::decode(&mut reader).map_err(corrupt)?,
            retain_until: Timestamp::decode(&mut reader).map_err(corrupt)?,
            upload: None,
        };
        if version == META_VERSION {
            let upload = reader.bytes("evidence upload request", MAX_UPLOAD_PROOF_BYTES).map_err(corrupt)?;
            let upload = std::str::from_utf8(upload).map_err(|_| {
                StoreError::Corrupt(format!("evidence header {commitment}: upload request is not UTF-8"))
            })?;
            meta.upload = Some(upload.to_owned());
        }
        reader.finish().map_err(corrupt)?;
        Ok(meta)
    }
}

/// What is left of an erased record: nothing that links the commitment to its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The claim it was for.
    pub claim: ClaimId,
    /// The owner.
    pub owner: AccountId,
    /// When it had been sealed, if this node held it.
    pub sealed_at: Option<Timestamp>,
    /// Its retention date, if this node held it.
    pub retain_until: Option<Timestamp>,
    /// When it was erased: the block time of the sweep, or the signed time of the request.
    pub erased_at: Timestamp,
    /// Why.
    pub reason: ErasureReason,
    /// The owner's signed request, for an erasure on request (republished to validators that
    /// missed it).
    pub notice: Option<EraseNotice>,
}

impl Tombstone {
    fn to_bytes(&self) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(self).map_err(|e| StoreError::Corrupt(format!("evidence tombstone: {e}")))
    }

    fn from_bytes(commitment: &Hash, bytes: &[u8]) -> Result<Self, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("evidence tombstone {commitment}: {e}")))
    }

    /// "erased on 2026-11-30 (owner request)".
    pub fn describe(&self) -> String {
        format!("erased on {} ({})", api::evidence::utc_date(self.erased_at), self.reason.name())
    }
}

/// A record as this node holds it.
#[derive(Debug)]
pub enum Record {
    /// Readable: the sealed record and its key.
    Live(Box<Sealed>, RecordKey),
    /// Erased.
    Erased(Tombstone),
    /// Never seen here.
    Unknown,
}

fn hash_key(bytes: &[u8]) -> Result<Hash, StoreError> {
    Hash::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("evidence key: {e}")))
}

/// The header of a live record.
pub fn meta(storage: &Storage, commitment: &Hash) -> Result<Option<Meta>, StoreError> {
    storage.evidence_meta(commitment)?.map(|bytes| Meta::from_bytes(*commitment, &bytes)).transpose()
}

/// The tombstone of an erased record.
pub fn tombstone(storage: &Storage, commitment: &Hash) -> Result<Option<Tombstone>, StoreError> {
    storage.evidence_tombstone(commitment)?.map(|bytes| Tombstone::from_bytes(commitment, &bytes)).transpose()
}

/// Reads a record with its key.
pub fn lookup(storage: &Storage, commitment: &Hash) -> Result<Record, StoreError> {
    if let Some(tombstone) = tombstone(storage, commitment)? {
        return Ok(Record::Erased(tombstone));
    }
    let (Some(sealed), Some(key)) = (storage.evidence(commitment)?, storage.evidence_key(commitment)?) else {
        return Ok(Record::Unknown);
    };
    let key = zeroize::Zeroizing::new(key);
    let sealed =
        Sealed::from_bytes(&sealed).map_err(|e| StoreError::Corrupt(format!("evidence record {commitment}: {e}")))?;
    let key =
        RecordKey::from_bytes(&key).map_err(|e| StoreError::Corrupt(format!("evidence key {commitment}: {e}")))?;
    Ok(Record::Live(Box::new(sealed), key))
}

/// A live record as gossiped: the sealed bytes, its key (wiped on drop) and the worker's signed
/// upload request.
#[derive(Debug)]
pub struct RawRecord {
    /// The sealed record.
    pub sealed: Vec<u8>,
    /// Its key and salt.
    pub key: zeroize::Zeroizing<Vec<u8>>,
    /// The worker's `Authorization` header of the upload.
    pub upload: String,
}

/// The raw bytes of a live record, its key and the worker's upload request, for gossip. A record
/// kept without the upload request (stored before it was kept) is not passed on: no validator
/// takes a replica that the worker did not sign.
pub fn raw(storage: &Storage, commitment: &Hash) -> Result<Option<RawRecord>, StoreError> {
    let Some(upload) = meta(storage, commitment)?.and_then(|m| m.upload) else { return Ok(None) };
    match (storage.evidence(commitment)?, storage.evidence_key(commitment)?) {
        (Some(sealed), Some(key)) => Ok(Some(RawRecord { sealed, key: zeroize::Zeroizing::new(key), upload })),
        _ => Ok(None),
    }
}

/// What [`store`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Stored now.
    New,
    /// This node held it already.
    Held,
    /// It was erased here before; it stays erased.
    Erased,
}

/// Stores a sealed record, its key and the worker's signed upload request (idempotent; an erased
/// record is never stored again).
pub fn store(storage: &Storage, sealed: &Sealed, key: &RecordKey, upload: &str) -> Result<Stored, StoreError> {
    let commitment = sealed.header.commitment;
    if storage.evidence_tombstone(&commitment)?.is_some() {
        return Ok(Stored::Erased);
    }
    if storage.evidence_meta(&commitment)?.is_some() {
        return Ok(Stored::Held);
    }
    storage.put_evidence(&commitment, &sealed.to_bytes(), &key.to_bytes(), &Meta::of(sealed, upload).to_bytes())?;
    Ok(Stored::New)
}

/// What [`erase`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erasure {
    /// Erased now.
    Erased(Tombstone),
    /// Erased before.
    Already(Tombstone),
    /// Never held here.
    Unknown,
}

/// Erases a live record: key, record and header go in one synced batch with the tombstone.
pub fn erase(
    storage: &Storage,
    commitment: &Hash,
    erased_at: Timestamp,
    reason: ErasureReason,
    notice: Option<EraseNotice>,
) -> Result<Erasure, StoreError> {
    if let Some(tombstone) = tombstone(storage, commitment)? {
        return Ok(Erasure::Already(tombstone));
    }
    let Some(meta) = meta(storage, commitment)? else { return Ok(Erasure::Unknown) };
    let tombstone = Tombstone {
        claim: meta.claim,
        owner: meta.owner,
        sealed_at: Some(meta.sealed_at),
        retain_until: Some(meta.retain_until),
        erased_at,
        reason,
        notice,
    };
    storage.erase_evidence(commitment, &tombstone.to_bytes()?)?;
    Ok(Erasure::Erased(tombstone))
}

/// Records that this node never held were erased elsewhere: keep the tombstone so that a late
/// copy is not stored.
fn bury(storage: &Storage, commitment: &Hash, tombstone: &Tombstone) -> Result<(), StoreError> {
    storage.erase_evidence(commitment, &tombstone.to_bytes()?)
}

/// Every live record's header.
pub fn live(storage: &Storage) -> Result<Vec<Meta>, StoreError> {
    storage.evidence_meta_all()?.iter().map(|(key, value)| Meta::from_bytes(hash_key(key)?, value)).collect()
}

/// Every tombstone, by commitment.
pub fn tombstones(storage: &Storage) -> Result<Vec<(Hash, Tombstone)>, StoreError> {
    storage
        .evidence_tombstones()?
        .iter()
        .map(|(key, value)| {
            let commitment = hash_key(key)?;
            Ok((commitment, Tombstone::from_bytes(&commitment, value)?))
        })
        .collect()
}

/// Why the node refuses an evidence request. Each message says what to do next.
#[derive(Debug, Error)]
pub enum Refusal {
    /// No such claim.
    #[error("claim {0} does not exist")]
    UnknownClaim(ClaimId),
    /// The signer is not the claim's worker.
    #[error("claim {claim} belongs to {worker}, not to {signer}; sign with the account that claimed it")]
    NotYourClaim {
        /// The claim.
        claim: ClaimId,
        /// Its worker.
        worker: AccountId,
        /// Who signed.
        signer: AccountId,
    },
    /// The claim does not take evidence now.
    #[error("claim {claim} is {status}; evidence is taken while it is claimed, or rejected with a resubmission right")]
    ClaimClosed {
        /// The claim.
        claim: ClaimId,
        /// Its status.
        status: &'static str,
    },
    /// Too many live records for the claim.
    #[error(
        "claim {claim} already has {held} evidence records on this node (at most {max}); submit one of them, or \
         erase the ones you do not use"
    )]
    TooManyRecords {
        /// The claim.
        claim: ClaimId,
        /// Records held.
        held: usize,
        /// The limit.
        max: usize,
    },
    /// The reader may not read this record (R-EVI-3).
    #[error(
        "{reader} may not read this evidence: only the verifiers drawn for claim {claim}, the officer who posted its \
         task and the resident who submitted it may"
    )]
    Forbidden {
        /// Who asked.
        reader: AccountId,
        /// The record's claim.
        claim: ClaimId,
    },
    /// Only the owner may erase.
    #[error("only the resident who submitted this evidence may ask to erase it, not {0}")]
    NotOwner(AccountId),
    /// The evidence is still needed (R-EVI-2).
    #[error("the evidence cannot be erased yet: {0}; ask again once the claim is final")]
    StillNeeded(String),
    /// A gossiped erasure notice does not carry a valid signature of its owner.
    #[error("the erasure notice does not verify: {0}")]
    BadNotice(String),
    /// A gossiped record is past (or beyond) its retention period.
    #[error("the record of claim {0} is outside its retention period")]
    OutOfRetention(ClaimId),
    /// A replicated record that its worker did not upload as it stands: no or a bad signature of
    /// the worker over its claim, retention date and content, or dates out of bounds. Its sender
    /// is misbehaving.
    #[error("the replicated record of claim {claim} is forged: {why}")]
    Forged {
        /// The claim it names.
        claim: ClaimId,
        /// What is wrong.
        why: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks an upload by `signer` for `claim`: the signer is its worker, the claim takes evidence
/// now (claimed, or rejected with a resubmission right), and it holds fewer than
/// [`MAX_RECORDS_PER_CLAIM`] live records here.
pub fn check_upload(l: &Ledger, signer: AccountId, claim_id: ClaimId) -> Result<(), Refusal> {
    policy::check_upload(signer, l.state().claim(claim_id), l.head().time).map_err(|denied| match denied {
        UploadDenied::UnknownClaim => Refusal::UnknownClaim(claim_id),
        UploadDenied::NotYourClaim { worker } => Refusal::NotYourClaim { claim: claim_id, worker, signer },
        UploadDenied::ClaimClosed { status } => Refusal::ClaimClosed { claim: claim_id, status },
    })?;
    let held = live(l.storage())?.iter().filter(|meta| meta.claim == claim_id).count();
    if !policy::has_room(held) {
        return Err(Refusal::TooManyRecords { claim: claim_id, held, max: MAX_RECORDS_PER_CLAIM });
    }
    Ok(())
}

/// R-EVI-3: why `reader` may read the record, or the refusal (the rule is
/// [`evidence::policy::access`]).
pub fn access(l: &Ledger, reader: AccountId, meta: &Meta) -> Result<Purpose, Refusal> {
    let claim = l.state().claim(meta.claim);
    let poster = claim.and_then(|claim| l.state().task(claim.task)).map(|task| task.poster);
    let roles =
        StaffRoles { verifier: l.has_role(&reader, Role::Verifier), officer: l.has_role(&reader, Role::Officer) };
    let record = policy::Record { commitment: meta.commitment, owner: meta.owner, claim, poster };
    match policy::access(reader, roles, record) {
        Some(Access::Owner) => Ok(Purpose::Owner),
        Some(Access::Review) => Ok(Purpose::Review),
        None => Err(Refusal::Forbidden { reader, claim: meta.claim }),
    }
}

/// R-EVI-2: whether the owner may have the record erased now, judged on this node's state (the
/// rule is [`evidence::policy::check_erasure`]).
pub fn check_erasure(l: &Ledger, commitment: &Hash, claim_id: ClaimId) -> Result<(), Refusal> {
    let date = api::evidence::utc_date;
    policy::check_erasure(commitment, l.state().claim(claim_id), l.head().time).map_err(|needed| {
        Refusal::StillNeeded(match needed {
            Needed::Resubmittable { until } => format!(
                "claim {claim_id} was rejected and may be resubmitted until {}; the verifiers compare a \
                 resubmission with it",
                date(until)
            ),
            Needed::UnderReview => format!("claim {claim_id} is under review and the drawn verifiers need it"),
            Needed::ObjectionWindow { closes } => format!(
                "claim {claim_id} is in its objection window until {}; an objection is decided on this evidence",
                date(closes)
            ),
            Needed::Objected => format!("an objection to claim {claim_id} awaits the officer's decision"),
        })
    })
}

/// Appends an evidence entry to the audit log (synced before the caller answers).
pub fn audit(
    l: &Ledger,
    time: Timestamp,
    actor: AccountId,
    owner: AccountId,
    what: &AuditWhat,
) -> Result<(), StoreError> {
    super::audit::audit(l, time, actor, owner, &what.to_string())
}

/// Erases a record on the owner's verified request: checks ownership and R-EVI-2, erases, and
/// logs the erasure. `signed_at` is the request's signed time, the same on every node.
pub fn erase_on_request(
    l: &Ledger,
    signer: AccountId,
    signed_at: Timestamp,
    notice: EraseNotice,
    now: Timestamp,
) -> Result<Erasure, Refusal> {
    let commitment = notice.commitment;
    if let Some(tombstone) = tombstone(l.storage(), &commitment)? {
        return Ok(Erasure::Already(tombstone));
    }
    let Some(meta) = meta(l.storage(), &commitment)? else { return Ok(Erasure::Unknown) };
    if meta.owner != signer {
        return Err(Refusal::NotOwner(signer));
    }
    check_erasure(l, &commitment, meta.claim)?;
    let done = erase(l.storage(), &commitment, signed_at, ErasureReason::OwnerRequest, Some(notice))?;
    let what = AuditWhat::erased(commitment, meta.claim, ErasureReason::OwnerRequest);
    audit(l, now, signer, meta.owner, &what)?;
    Ok(done)
}

/// Takes an erasure notice from another validator: the owner's signature and R-EVI-2 are checked
/// here again. A record never held here gets a tombstone when the notice's claim is the
/// signer's, so that a late copy is not stored. Returns whether anything changed.
pub fn accept_notice(l: &Ledger, notice: EraseNotice, now: Timestamp) -> Result<bool, Refusal> {
    let chain = l.head().chain_id.clone();
    let (signer, signed_at) = notice.verify(&chain).map_err(|e| Refusal::BadNotice(e.to_string()))?;
    let commitment = notice.commitment;
    if meta(l.storage(), &commitment)?.is_none() {
        if tombstone(l.storage(), &commitment)?.is_some() {
            return Ok(false);
        }
        let worker = l.state().claim(notice.claim).map(|claim| claim.worker);
        if worker != Some(signer) {
            return Err(Refusal::NotOwner(signer));
        }
        let claim = notice.claim;
        let tombstone = Tombstone {
            claim,
            owner: signer,
            sealed_at: None,
            retain_until: None,
            erased_at: signed_at,
            reason: ErasureReason::OwnerRequest,
            notice: Some(notice),
        };
        bury(l.storage(), &commitment, &tombstone)?;
        return Ok(true);
    }
    Ok(matches!(erase_on_request(l, signer, signed_at, notice, now)?, Erasure::Erased(_)))
}

/// R-EVI-1: erases every live record whose retention date is at or before the head's block
/// time, and logs each erasure with `node` (this validator) as the actor. Returns the erased
/// commitments.
pub fn sweep(l: &Ledger, node: AccountId, now: Timestamp) -> Result<Vec<Hash>, StoreError> {
    let block_time = l.head().time;
    let mut erased = Vec::new();
    for meta in live(l.storage())? {
        if !policy::retention_over(&meta.commitment, meta.retain_until, l.state().claim(meta.claim), block_time) {
            continue;
        }
        if let Erasure::Erased(_) = erase(l.storage(), &meta.commitment, block_time, ErasureReason::Retention, None)? {
            let what = AuditWhat::erased(meta.commitment, meta.claim, ErasureReason::Retention);
            audit(l, now, node, meta.owner, &what)?;
            erased.push(meta.commitment);
        }
    }
    Ok(erased)
}

/// Takes a replicated record from another validator (gossip kind 3). `check` opened it with its
/// key off the ledger thread and hashed its content (`content`, [`api::evidence::content_hash`]
/// of the plaintext). Here, the same rules as an upload, and the worker's own word for it:
/// - the worker's signed upload request covers this claim, retention date and content, was
///   signed by the record's owner within [`api::staff::MAX_SKEW_MS`] of its sealing time, and
///   the retention date was allowed then; the sealing time is not ahead of this node's clock by
///   more than that skew. Otherwise [`Refusal::Forged`]: the sender misbehaves.
/// - the claim's worker is the owner (forged otherwise), the record is in its retention period,
///   and unless the claim's latest submission references it, the claim takes evidence now and
///   holds fewer than [`MAX_RECORDS_PER_CLAIM`] records here, as for an upload.
pub fn accept_replica(
    l: &Ledger,
    sealed: &Sealed,
    key: &RecordKey,
    upload: &str,
    content: &Hash,
) -> Result<Stored, Refusal> {
    let header = &sealed.header;
    let forged = |why: String| Refusal::Forged { claim: header.claim, why };
    let path = api::evidence::signed_upload_path(header.claim, header.retain_until, content);
    let chain = l.head().chain_id.clone();
    let (signer, signed_at) = verify_carried(upload, &chain, "POST", &path)
        .map_err(|e| forged(format!("the worker's upload signature does not cover it: {e}")))?;
    if signer != header.owner {
        return Err(forged(format!("the upload was signed by {signer}, the record names {}", header.owner)));
    }
    let skew = api::staff::MAX_SKEW_MS;
    if signed_at.0.abs_diff(header.sealed_at.0) > skew {
        return Err(forged(format!(
            "sealed at {} ms but the upload was signed at {} ms",
            header.sealed_at.0, signed_at.0
        )));
    }
    if header.sealed_at.0 > wall_clock_ms().0.saturating_add(skew) {
        return Err(forged(format!("sealed at {} ms, ahead of this node's clock", header.sealed_at.0)));
    }
    if !policy::retention_allowed(header.retain_until, header.sealed_at) {
        return Err(forged(format!("retention until {} ms was not allowed when sealed", header.retain_until.0)));
    }
    let Some(claim) = l.state().claim(header.claim) else { return Err(Refusal::UnknownClaim(header.claim)) };
    if claim.worker != header.owner {
        return Err(forged(format!("claim {} belongs to {}, not to {}", header.claim, claim.worker, header.owner)));
    }
    if !policy::replica_in_retention(header.sealed_at, header.retain_until, l.head().time) {
        return Err(Refusal::OutOfRetention(header.claim));
    }
    if claim.evidence != Some(header.commitment) && meta(l.storage(), &header.commitment)?.is_none() {
        check_upload(l, header.owner, header.claim)?;
    }
    Ok(store(l.storage(), sealed, key, upload)?)
}

/// How often the retention sweep runs (also once at start).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// R-EVI-1: erases every record past its retention date by the head's block time, at start and
/// every [`SWEEP_INTERVAL`]. `node` is this validator, named as the actor in the audit log.
pub async fn sweep_task(handle: Handle, node: AccountId) {
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    loop {
        tick.tick().await;
        match handle.call_patient(move |l| sweep(l, node, wall_clock_ms())).await {
            Ok(Ok(erased)) if !erased.is_empty() => {
                tracing::info!(records = erased.len(), "evidence past its retention date erased");
            }
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!(%err, "the evidence retention sweep failed; it runs again"),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use evidence::{Bundle, open, seal};
    use rand_core::OsRng;

    fn jpeg_with_gps() -> Vec<u8> {
        // SOI, APP1 "Exif" with a GPS IFD pointer, SOF0 (1×1, one component), SOS with two data
        // bytes, EOI.
        let tiff = [b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9]);
        out
    }

    /// The worker's upload request kept with a record (its form is not checked by `store`).
    const UPLOAD: &str = "Heitje worker-signed-upload";

    fn sealed_record(owner: AccountId) -> (Sealed, RecordKey) {
        let bundle = Bundle::new(&[&jpeg_with_gps()], Some("painted".into()), None).expect("bundle");
        seal(&bundle, owner, ClaimId(1), Timestamp(2_000), Timestamp(1_000), &mut OsRng).expect("seal")
    }

    #[test]
    fn seal_store_read_erase_leaves_a_tombstone_without_key_or_content() {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = Storage::open(dir.path()).expect("open");
        let owner = AccountId([4; 32]);
        let (sealed, key) = sealed_record(owner);
        let commitment = sealed.header.commitment;

        assert_eq!(store(&storage, &sealed, &key, UPLOAD).expect("store"), Stored::New);
        assert_eq!(store(&storage, &sealed, &key, UPLOAD).expect("store again"), Stored::Held, "idempotent");
        let Record::Live(read, read_key) = lookup(&storage, &commitment).expect("lookup") else {
            panic!("the record must be live");
        };
        let bundle = open(&read, &read_key).expect("open");
        assert_eq!(bundle.note(), Some("painted"));
        assert!(!evidence::strip_photo(bundle.photos()[0].bytes()).expect("photo").had_exif(), "stored stripped");
        assert_eq!(live(&storage).expect("live"), vec![Meta::of(&sealed, UPLOAD)]);

        let erased = erase(&storage, &commitment, Timestamp(1_795_996_800_000), ErasureReason::OwnerRequest, None)
            .expect("erase");
        let Erasure::Erased(tombstone) = erased else { panic!("erased now") };
        assert_eq!(tombstone.describe(), "erased on 2026-11-30 (owner request)");
        assert_eq!(storage.evidence_raw_counts().expect("counts"), (0, 0), "no record and no key left");
        assert!(storage.evidence_meta(&commitment).expect("meta").is_none());
        assert!(live(&storage).expect("live").is_empty());
        assert!(matches!(lookup(&storage, &commitment).expect("lookup"), Record::Erased(_)));
        assert!(matches!(
            erase(&storage, &commitment, Timestamp(9), ErasureReason::Retention, None),
            Ok(Erasure::Already(_))
        ));
        assert_eq!(
            store(&storage, &sealed, &key, UPLOAD).expect("store after erasure"),
            Stored::Erased,
            "never resurrected"
        );
        assert_eq!(storage.evidence_raw_counts().expect("counts"), (0, 0));

        // The tombstone holds no salt and no content hash: nothing links the commitment to content.
        let raw = storage.evidence_tombstone(&commitment).expect("tombstone").expect("present");
        let salt = key.salt();
        assert!(!raw.windows(32).any(|w| w == salt), "raw salt");
        let text = String::from_utf8(raw).expect("JSON");
        assert!(!text.contains(&hex::encode(salt)), "hex salt: {text}");
        assert!(!text.contains(UPLOAD), "the upload request (it names the content hash): {text}");
        assert!(!text.contains(&hex::encode(bundle.content_hash())), "content hash: {text}");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let mut fields: Vec<&str> = value.as_object().expect("object").keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["claim", "erased_at", "notice", "owner", "reason", "retain_until", "sealed_at"]);
    }

    /// The files under `dir` (recursively) that contain `needle`.
    fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                found.extend(files_containing(&path, needle));
            } else if std::fs::read(&path).expect("read file").windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
        found
    }

    #[test]
    fn erasure_leaves_no_byte_of_the_key_or_the_record_in_any_file_of_the_data_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = Storage::open(dir.path()).expect("open");
        let mut records = Vec::new();
        for owner in [6u8, 7] {
            let (sealed, key) = sealed_record(AccountId([owner; 32]));
            store(&storage, &sealed, &key, UPLOAD).expect("store");
            records.push((sealed, key));
        }
        // Both records are on disk (in the write-ahead log at least) before erasure.
        let (erased, kept) = (&records[0], &records[1]);
        let secret = |key: &RecordKey| key.to_bytes()[..32].to_vec();
        let ciphertext_tail = |sealed: &Sealed| sealed.ciphertext[sealed.ciphertext.len() - 32..].to_vec();
        assert!(!files_containing(dir.path(), &secret(&erased.1)).is_empty(), "the key was written");
        assert!(!files_containing(dir.path(), erased.1.salt()).is_empty(), "the salt was written");

        let commitment = erased.0.header.commitment;
        erase(&storage, &commitment, Timestamp(3_000), ErasureReason::OwnerRequest, None).expect("erase");
        for (what, needle) in
            [("key", secret(&erased.1)), ("salt", erased.1.salt().to_vec()), ("ciphertext", ciphertext_tail(&erased.0))]
        {
            let left = files_containing(dir.path(), &needle);
            assert!(left.is_empty(), "the erased record's {what} is still in {left:?}");
        }
        // The other record is untouched and still opens.
        let Record::Live(sealed, key) = lookup(&storage, &kept.0.header.commitment).expect("lookup") else {
            panic!("the other record stays live");
        };
        assert!(open(&sealed, &key).is_ok());
        drop(storage);
        let storage = Storage::open(dir.path()).expect("reopen");
        assert!(matches!(lookup(&storage, &commitment).expect("lookup"), Record::Erased(_)));
        assert!(files_containing(dir.path(), &secret(&erased.1)).is_empty(), "not back after a reopen");
    }

    #[test]
    fn erasure_survives_a_reopen_of_the_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (sealed, key) = sealed_record(AccountId([5; 32]));
        let commitment = sealed.header.commitment;
        {
            let storage = Storage::open(dir.path()).expect("open");
            store(&storage, &sealed, &key, UPLOAD).expect("store");
            erase(&storage, &commitment, Timestamp(3_000), ErasureReason::Retention, None).expect("erase");
        }
        let storage = Storage::open(dir.path()).expect("reopen");
        let Record::Erased(tombstone) = lookup(&storage, &commitment).expect("lookup") else { panic!("erased") };
        assert_eq!(tombstone.reason, ErasureReason::Retention);
        assert_eq!(storage.evidence_raw_counts().expect("counts"), (0, 0));
    }
}
