//! The gossip messages validators exchange (`gossip::wire`), dispatched on their kind byte as
//! the node's receiver does: transaction batches, registry records, sealed evidence records with
//! their keys, and owners' erasure notices.

use contracts::ChainId;
use contracts::codec::{Encode, put_len};
use gossip::wire::{
    KIND_ERASURE, KIND_EVIDENCE, KIND_REGISTRY, KIND_TXS, decode_batch, decode_erasures, decode_evidence,
    decode_records,
};

use crate::Verdict;
use crate::edge::CHAIN;
use crate::ledger::assert_json_round_trip;

/// One gossip message, its first byte the kind. A batch re-encodes to the input; records and
/// notices read back from their own JSON and checking their signatures answers without a
/// panic; an evidence record that is taken opened with its key.
pub fn gossip(data: &[u8]) -> Verdict {
    let Some((&kind, body)) = data.split_first() else { return Verdict::Refused };
    let chain = ChainId::new(CHAIN).unwrap_or_else(|e| panic!("the fuzz chain id {CHAIN}: {e}"));
    match kind {
        KIND_TXS => {
            let Some(txs) = decode_batch(body) else { return Verdict::Refused };
            let mut again = Vec::with_capacity(body.len());
            put_len(&mut again, txs.len());
            for tx in &txs {
                contracts::codec::put_bytes(&mut again, &tx.to_bytes());
            }
            assert_eq!(again, body, "a decoded batch re-encodes to other bytes");
            Verdict::Accepted
        }
        KIND_REGISTRY => {
            let Some(records) = decode_records(body) else { return Verdict::Refused };
            for record in &records {
                assert_json_round_trip("gossiped registry record", record);
                let _ = record.verify(&chain);
            }
            Verdict::Accepted
        }
        KIND_EVIDENCE => {
            let Some(replica) = decode_evidence(body) else { return Verdict::Refused };
            let bundle = evidence::open(&replica.sealed, &replica.key);
            let bundle = bundle.expect("a taken evidence record opens with its key");
            let content = api::evidence::content_hash(&bundle.to_canonical_bytes());
            assert_eq!(replica.content, content, "the content hash the upload signature must cover");
            Verdict::Accepted
        }
        KIND_ERASURE => {
            let Some(notices) = decode_erasures(body) else { return Verdict::Refused };
            for notice in &notices {
                assert_json_round_trip("gossiped erasure notice", notice);
                let _ = notice.verify(&chain);
            }
            Verdict::Accepted
        }
        _ => Verdict::Refused,
    }
}
