//! The gossip wire format between validators: one topic, each message led by a kind byte; the
//! caps every node applies, and the decoders of what peers send (each refuses malformed input
//! whole). Pure: the node publishes and receives, and the fuzz targets (`fuzzing`) call these
//! decoders without a node.

use api::staff::SignedRead;
use contracts::codec::Reader;
use contracts::primitives::ClaimId;
use contracts::{AccountId, ChainId, Hash, SignedTx, Timestamp};
use serde::{Deserialize, Serialize};

/// Most transactions per gossip message.
pub const BATCH_TXS: usize = 512;
/// Largest batch of transactions or registry records in one gossip message.
pub const MAX_BATCH: usize = 1 << 20;
/// Largest erasure notice (JSON).
pub const MAX_NOTICE_BYTES: usize = 2048;
/// Largest sealed record: the photos, note and framing of a full bundle, the header, the nonce
/// and the tag.
pub const MAX_SEALED_BYTES: usize = evidence::MAX_PHOTO_BYTES + 128 * 1024;
/// Message kind: a batch of transactions.
pub const KIND_TXS: u8 = 1;
/// Message kind: registry records, after an 8-byte nonce that keeps a republished set from
/// being taken for a duplicate.
pub const KIND_REGISTRY: u8 = 2;
/// Longest `Authorization` header of an evidence upload, carried with its record.
pub const MAX_UPLOAD_PROOF_BYTES: usize = 1024;
/// Message kind: one sealed evidence record, its key and the worker's signed upload request,
/// after an 8-byte nonce.
pub const KIND_EVIDENCE: u8 = 3;
/// Message kind: owners' signed erasure requests (JSON), after an 8-byte nonce.
pub const KIND_ERASURE: u8 = 4;

/// An owner's signed erasure request, as gossiped (kind 4) and kept in the tombstone, so that
/// every validator checks the owner's signature itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EraseNotice {
    /// The record.
    pub commitment: Hash,
    /// Its claim.
    pub claim: ClaimId,
    /// The owner's `Authorization` header of `DELETE /v1/evidence/{commitment}`.
    pub authorization: String,
}

impl EraseNotice {
    /// The signed path of the request.
    pub fn path(commitment: &Hash) -> String {
        format!("/v1/evidence/{commitment}")
    }

    /// Checks the owner's signature (not the clock, the nonce or the node it was sent to: the
    /// node that accepted the request relays it, and a notice may arrive or be republished long
    /// after it was signed; it is idempotent). Returns the signer and the signed time.
    pub fn verify(&self, chain: &ChainId) -> Result<(AccountId, Timestamp), api::staff::AuthError> {
        verify_carried(&self.authorization, chain, "DELETE", &Self::path(&self.commitment))
    }
}

/// Checks a signed request that another validator passes on (an owner's erasure request, a
/// worker's evidence upload): the signature over `method` and `path` for `chain`, whichever node
/// it was sent to; not the clock or the nonce, which the caller bounds itself. Returns the
/// signer and the signed time.
pub fn verify_carried(
    header: &str,
    chain: &ChainId,
    method: &str,
    path: &str,
) -> Result<(AccountId, Timestamp), api::staff::AuthError> {
    let read = SignedRead::parse(header)?;
    read.verify_signature(chain, method, path)?;
    Ok((read.reader, read.time))
}

/// A replicated evidence record, decoded and opened.
#[derive(Debug)]
pub struct Replica {
    /// The sealed record.
    pub sealed: evidence::Sealed,
    /// Its key and salt.
    pub key: evidence::RecordKey,
    /// The worker's `Authorization` header of the upload.
    pub upload: String,
    /// `api::evidence::content_hash` of the plaintext bundle, which the upload signature covers.
    pub content: Hash,
}

/// The body of an evidence message after its kind byte and nonce: the sealed record, its key
/// and the worker's signed upload request.
pub fn encode_evidence(out: &mut Vec<u8>, sealed: &[u8], key: &[u8], upload: &str) {
    contracts::codec::put_bytes(out, sealed);
    contracts::codec::put_bytes(out, key);
    contracts::codec::put_bytes(out, upload.as_bytes());
}

/// Decodes an evidence message (after the kind byte): the sealed record, its key and the
/// worker's upload request, checked (they decode, the key opens the record and the content
/// matches the commitment); `None` when malformed. Runs off the ledger thread.
pub fn decode_evidence(data: &[u8]) -> Option<Replica> {
    let mut reader = Reader::new(data.get(8..)?);
    let sealed = reader.bytes("evidence record", MAX_SEALED_BYTES).ok()?;
    let key = reader.bytes("evidence key", evidence::KEY_BYTES_LEN).ok()?;
    let upload = reader.bytes("upload request", MAX_UPLOAD_PROOF_BYTES).ok()?;
    reader.finish().ok()?;
    let sealed = evidence::Sealed::from_bytes(sealed).ok()?;
    let key = evidence::RecordKey::from_bytes(key).ok()?;
    let upload = std::str::from_utf8(upload).ok()?.to_owned();
    let bundle = evidence::open(&sealed, &key).ok()?;
    let content = api::evidence::content_hash(&bundle.to_canonical_bytes());
    Some(Replica { sealed, key, upload, content })
}

/// Decodes erasure notices (after the kind byte); `None` when malformed.
pub fn decode_erasures(data: &[u8]) -> Option<Vec<EraseNotice>> {
    let mut reader = Reader::new(data.get(8..)?);
    let count = reader.len("erasure notices", 256).ok()?;
    let mut notices = Vec::with_capacity(count);
    for _ in 0..count {
        let bytes = reader.bytes("erasure notice", MAX_NOTICE_BYTES).ok()?;
        notices.push(serde_json::from_slice(bytes).ok()?);
    }
    reader.finish().ok()?;
    Some(notices)
}

/// Decodes registry records from a registry message (after the kind byte); `None` when malformed.
pub fn decode_records(data: &[u8]) -> Option<Vec<api::registry::MerchantRecord>> {
    let mut reader = Reader::new(data.get(8..)?);
    let count = reader.len("registry records", MAX_BATCH / 64).ok()?;
    let mut records = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let bytes = reader.bytes("registry record", api::registry::MAX_RECORD_BYTES).ok()?;
        records.push(serde_json::from_slice(bytes).ok()?);
    }
    reader.finish().ok()?;
    Some(records)
}

/// Decodes a gossip batch (after the kind byte); `None` when it is malformed.
pub fn decode_batch(data: &[u8]) -> Option<Vec<SignedTx>> {
    let mut reader = Reader::new(data);
    let count = reader.len("gossip batch", BATCH_TXS * 4).ok()?;
    let mut txs = Vec::with_capacity(count.min(BATCH_TXS));
    for _ in 0..count {
        let bytes = reader.bytes("gossiped transaction", contracts::tx::MAX_TX_BYTES).ok()?;
        txs.push(SignedTx::decode_checked(bytes).ok()?);
    }
    reader.finish().ok()?;
    Some(txs)
}

#[cfg(test)]
mod tests {
    use contracts::codec::{put_bytes, put_len};

    use super::*;

    #[test]
    fn malformed_batches_are_refused() {
        assert!(decode_batch(&[]).is_none());
        assert!(decode_batch(&[0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3]).is_none(), "not a transaction");
        assert!(decode_batch(&[0xff, 0xff, 0xff, 0xff]).is_none(), "count above the cap");
        let mut empty = Vec::new();
        put_len(&mut empty, 0);
        assert_eq!(decode_batch(&empty).map(|b| b.len()), Some(0));
        empty.push(0);
        assert!(decode_batch(&empty).is_none(), "trailing bytes");
    }

    #[test]
    fn malformed_evidence_messages_are_refused() {
        assert!(decode_evidence(&[]).is_none(), "no nonce");
        assert!(decode_evidence(&[0; 8]).is_none(), "no record");
        let mut message = vec![0u8; 8];
        put_bytes(&mut message, b"HEVR not a record");
        put_bytes(&mut message, &[0; evidence::KEY_BYTES_LEN]);
        put_bytes(&mut message, b"Heitje x");
        assert!(decode_evidence(&message).is_none(), "not a record");
        let mut huge = vec![0u8; 8];
        put_len(&mut huge, u32::MAX as usize);
        assert!(decode_evidence(&huge).is_none(), "length above the cap");
        assert!(decode_erasures(&[0; 8]).is_none(), "no count");
        let mut notices = vec![0u8; 8];
        put_len(&mut notices, 1);
        put_bytes(&mut notices, b"{}");
        assert!(decode_erasures(&notices).is_none(), "not a notice");
        let mut empty = vec![0u8; 8];
        put_len(&mut empty, 0);
        assert_eq!(decode_erasures(&empty).map(|n| n.len()), Some(0));
    }

    #[test]
    fn a_sealed_record_with_its_key_travels_and_a_wrong_key_is_refused() {
        let bundle = evidence::Bundle::new(&[], Some("bench painted".into()), None).expect("bundle");
        let seal = |claim| {
            let owner = contracts::AccountId([1; 32]);
            let (t0, t1) = (contracts::Timestamp(1), contracts::Timestamp(2));
            evidence::seal(&bundle, owner, claim, t1, t0, &mut rand_core::OsRng).expect("seal")
        };
        let (sealed, key) = seal(contracts::primitives::ClaimId(1));
        let (_, other_key) = seal(contracts::primitives::ClaimId(2));
        let message = |key: &evidence::RecordKey| {
            let mut out = vec![0u8; 8];
            encode_evidence(&mut out, &sealed.to_bytes(), &key.to_bytes(), "Heitje signed");
            out
        };
        let decoded = decode_evidence(&message(&key)).expect("a good record decodes");
        assert_eq!(decoded.sealed, sealed);
        assert_eq!(decoded.upload, "Heitje signed");
        assert_eq!(decoded.content, api::evidence::content_hash(&bundle.to_canonical_bytes()));
        assert!(decode_evidence(&message(&other_key)).is_none(), "a key that does not open it");
    }

    #[test]
    fn malformed_registry_messages_are_refused() {
        assert!(decode_records(&[]).is_none(), "no nonce");
        assert!(decode_records(&[0; 8]).is_none(), "no count");
        let mut message = vec![0u8; 8];
        put_len(&mut message, 1);
        put_bytes(&mut message, b"{not json");
        assert!(decode_records(&message).is_none(), "not a record");
        let mut empty = vec![0u8; 8];
        put_len(&mut empty, 0);
        assert_eq!(decode_records(&empty).map(|r| r.len()), Some(0));
    }

    #[test]
    fn an_erase_notice_verifies_only_for_its_own_commitment() {
        let chain = ChainId::new("heerlen-test").expect("chain");
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let commitment = Hash([1; 32]);
        let path = EraseNotice::path(&commitment);
        let node = contracts::crypto::account_of(&ed25519_dalek::SigningKey::from_bytes(&[10; 32]));
        let request = |method| api::staff::Unsigned { chain: &chain, node, method, path_and_query: &path };
        let read = request("DELETE").sign(&key, Timestamp(42), [5; 16]);
        let notice = EraseNotice { commitment, claim: ClaimId(1), authorization: read.header() };
        assert_eq!(notice.verify(&chain).expect("verifies"), (contracts::crypto::account_of(&key), Timestamp(42)));
        let moved = EraseNotice { commitment: Hash([2; 32]), ..notice.clone() };
        assert!(moved.verify(&chain).is_err(), "the signature binds the commitment");
        let get = request("GET").sign(&key, Timestamp(42), [6; 16]);
        assert!(EraseNotice { authorization: get.header(), ..notice }.verify(&chain).is_err(), "a read is no erasure");
    }
}
