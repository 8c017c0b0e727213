//! The gossip wire format: one topic, each message led by a kind byte; the limits every node
//! applies, and the decoders of what peers send (each refuses malformed input whole).

use std::time::Duration;

use contracts::SignedTx;
use contracts::codec::Reader;

use crate::offchain::evidence::EraseNotice;

/// Most transactions per gossip message.
pub const BATCH_TXS: usize = 512;
/// Longest a transaction waits for its batch to fill.
pub const BATCH_WAIT: Duration = Duration::from_millis(5);
/// Largest gossip message: one sealed evidence record with its key and framing. Larger
/// messages are refused by gossipsub itself, before the node sees them.
pub const MAX_MESSAGE: usize = crate::offchain::evidence::MAX_SEALED_BYTES + 8 * 1024;
/// Largest batch of transactions or registry records in one gossip message.
pub const MAX_BATCH: usize = 1 << 20;
/// Largest erasure notice (JSON).
pub(super) const MAX_NOTICE_BYTES: usize = 2048;
/// Admitted transactions waiting to be gossiped.
pub(super) const OUTBOX: usize = 16_384;
/// How often every node republishes its merchant registry.
pub const REGISTRY_REPUBLISH: Duration = Duration::from_secs(300);
/// Message kind: a batch of transactions.
pub(super) const KIND_TXS: u8 = 1;
/// Message kind: registry records, after an 8-byte nonce that keeps a republished set from
/// being taken for a duplicate.
pub(super) const KIND_REGISTRY: u8 = 2;
/// Message kind: one sealed evidence record, its key and the worker's signed upload request,
/// after an 8-byte nonce.
pub(super) const KIND_EVIDENCE: u8 = 3;
/// Message kind: owners' signed erasure requests (JSON), after an 8-byte nonce.
pub(super) const KIND_ERASURE: u8 = 4;

pub(super) fn nonce() -> [u8; 8] {
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    nonce
}

/// A replicated evidence record, decoded and opened.
#[derive(Debug)]
pub(super) struct Replica {
    pub sealed: evidence::Sealed,
    pub key: evidence::RecordKey,
    /// The worker's `Authorization` header of the upload.
    pub upload: String,
    /// `api::evidence::content_hash` of the plaintext bundle, which the upload signature covers.
    pub content: contracts::Hash,
}

/// An evidence message: the kind byte, a fresh nonce, the sealed record, its key and the worker's
/// signed upload request.
pub fn evidence_message(sealed: &[u8], key: &[u8], upload: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(sealed.len() + key.len() + upload.len() + 21);
    out.push(KIND_EVIDENCE);
    out.extend_from_slice(&nonce());
    contracts::codec::put_bytes(&mut out, sealed);
    contracts::codec::put_bytes(&mut out, key);
    contracts::codec::put_bytes(&mut out, upload.as_bytes());
    out
}

/// Decodes an evidence message (after the kind byte): the sealed record, its key and the
/// worker's upload request, checked (they decode, the key opens the record and the content
/// matches the commitment); `None` when malformed. Runs off the ledger thread.
pub(super) fn decode_evidence(data: &[u8]) -> Option<Replica> {
    let mut reader = Reader::new(data.get(8..)?);
    let sealed = reader.bytes("evidence record", crate::offchain::evidence::MAX_SEALED_BYTES).ok()?;
    let key = reader.bytes("evidence key", evidence::KEY_BYTES_LEN).ok()?;
    let upload = reader.bytes("upload request", crate::offchain::evidence::MAX_UPLOAD_PROOF_BYTES).ok()?;
    reader.finish().ok()?;
    let sealed = evidence::Sealed::from_bytes(sealed).ok()?;
    let key = evidence::RecordKey::from_bytes(key).ok()?;
    let upload = std::str::from_utf8(upload).ok()?.to_owned();
    let bundle = evidence::open(&sealed, &key).ok()?;
    let content = api::evidence::content_hash(&bundle.to_canonical_bytes());
    Some(Replica { sealed, key, upload, content })
}

/// Decodes erasure notices (after the kind byte); `None` when malformed.
pub(super) fn decode_erasures(data: &[u8]) -> Option<Vec<EraseNotice>> {
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
pub(super) fn decode_records(data: &[u8]) -> Option<Vec<api::registry::MerchantRecord>> {
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
pub(super) fn decode_batch(data: &[u8]) -> Option<Vec<SignedTx>> {
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
            evidence_message(&sealed.to_bytes(), &key.to_bytes(), "Heitje signed").split_off(1)
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
}
