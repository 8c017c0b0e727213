//! The ledger's canonical codec: a signed transaction, a block and a commit certificate as they
//! arrive from peers, clients and value sync. The codec is strict (R-COD-1..5), so whatever
//! decodes must re-encode to exactly the input; the JSON the API shows of it must read back.

use std::fmt::Debug;

use contracts::codec::{Decode, Encode};
use contracts::{Block, CommitCert, SignedTx, VerifiedTx};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Verdict;

/// Asserts that `value`, decoded from `data`, is canonical: it re-encodes to `data` and that
/// decodes to the same value.
pub(crate) fn assert_canonical<T: Encode + Decode + PartialEq + Debug>(what: &str, data: &[u8], value: &T) {
    let bytes = value.to_bytes();
    assert_eq!(bytes, data, "{what}: a decoded value re-encodes to other bytes");
    assert_eq!(T::from_bytes(&bytes).as_ref(), Ok(value), "{what}: its own encoding decodes to another value");
}

/// Asserts that the JSON of `value` reads back to `value` (views the API serves and clients
/// read, files the wallet writes and reads).
pub(crate) fn assert_json_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(what: &str, value: &T) {
    let json = serde_json::to_string(value).unwrap_or_else(|e| panic!("{what}: no JSON for a decoded value: {e}"));
    let back: T =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{what}: its JSON {json} does not read back: {e}"));
    assert_eq!(&back, value, "{what}: its JSON reads back to another value");
}

/// `POST /v1/tx` and gossip: a signed transaction, size-capped (R-TX-4). Canonical, its JSON
/// reads back, and checking its signature answers without panicking.
pub fn transaction(data: &[u8]) -> Verdict {
    let Ok(tx) = SignedTx::decode_checked(data) else { return Verdict::Refused };
    assert_canonical("transaction", data, &tx);
    assert_json_round_trip("transaction", &tx);
    let _ = tx.id();
    let _ = VerifiedTx::verify(tx);
    Verdict::Accepted
}

/// A block from a proposal stream or value sync. Canonical, its JSON reads back, and its
/// hash and transaction root compute.
pub fn block(data: &[u8]) -> Verdict {
    let Ok(block) = Block::from_bytes(data) else { return Verdict::Refused };
    assert_canonical("block", data, &block);
    assert_json_round_trip("block", &block);
    let _ = block.hash();
    let _ = contracts::block::tx_root(&block.txs);
    Verdict::Accepted
}

/// A commit certificate. Canonical, its JSON reads back, and it survives the conversion to the
/// engine's certificate and back (value sync serves it that way), signatures in address order.
pub fn certificate(data: &[u8]) -> Verdict {
    let Ok(cert) = CommitCert::from_bytes(data) else { return Verdict::Refused };
    assert_canonical("certificate", data, &cert);
    assert_json_round_trip("certificate", &cert);
    let engine = consensus::codec::from_ledger_cert(&cert);
    let back = consensus::codec::to_ledger_cert(&engine.trim_vote_extensions());
    let mut sorted = cert;
    sorted.signatures.sort_by_key(|s| s.validator);
    assert_eq!(back, Some(sorted), "certificate: the engine's form converts back to another certificate");
    Verdict::Accepted
}
