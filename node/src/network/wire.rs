//! The gossip wire format: one topic, each message led by a kind byte; the limits every node
//! applies. The kinds, caps and decoders of what peers send live in `gossip::wire` (pure, so that
//! they are fuzzed without a node); this module adds the node's timing and queue limits.

use std::time::Duration;

pub use gossip::wire::{BATCH_TXS, MAX_BATCH};
pub(super) use gossip::wire::{
    KIND_ERASURE, KIND_EVIDENCE, KIND_REGISTRY, KIND_TXS, decode_batch, decode_erasures, decode_evidence,
    decode_records, encode_evidence,
};

/// Longest a transaction waits for its batch to fill.
pub const BATCH_WAIT: Duration = Duration::from_millis(5);
/// Largest gossip message: one sealed evidence record with its key and framing. Larger
/// messages are refused by gossipsub itself, before the node sees them.
pub const MAX_MESSAGE: usize = gossip::wire::MAX_SEALED_BYTES + 8 * 1024;
/// Admitted transactions waiting to be gossiped.
pub(super) const OUTBOX: usize = 16_384;
/// How often every node republishes its merchant registry.
pub const REGISTRY_REPUBLISH: Duration = Duration::from_secs(300);

pub(super) fn nonce() -> [u8; 8] {
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    nonce
}

/// An evidence message: the kind byte, a fresh nonce, the sealed record, its key and the worker's
/// signed upload request.
pub fn evidence_message(sealed: &[u8], key: &[u8], upload: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(sealed.len() + key.len() + upload.len() + 21);
    out.push(KIND_EVIDENCE);
    out.extend_from_slice(&nonce());
    encode_evidence(&mut out, sealed, key, upload);
    out
}
