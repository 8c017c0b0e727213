//! Streaming a block as proposal parts, and reassembling streams from peers.
//!
//! A stream is `Init`, one or more `Data` slices of the block's canonical bytes, and `Fin` with
//! the proposer's signature over `(height, round, block hash)`, followed by the stream's end
//! marker. Streams are keyed by `(publisher, stream id)`; buffers are bounded in count and
//! bytes, so a peer cannot make the node hold more than a few blocks' worth of parts.

use std::collections::BTreeMap;

use bytes::Bytes;
use contracts::Block;
use contracts::codec::{Decode, Encode, Reader};
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::PeerId;
use malachitebft_app_channel::app::types::core::Round;

use crate::codec::{MAX_BLOCK_BYTES, MAX_PART_BYTES};
use crate::context::{Address, Height, ProposalPart};
use crate::signing::{Checker, Keys};

/// Most streams assembled at once; the oldest is dropped beyond it.
const MAX_STREAMS: usize = 32;
/// Most messages in one stream (init, data, fin, end).
const MAX_STREAM_MESSAGES: u64 = (MAX_BLOCK_BYTES / MAX_PART_BYTES) as u64 + 4;

/// The stream id of a proposal: height and round.
fn stream_id(height: Height, round: u32) -> StreamId {
    let mut bytes = Vec::with_capacity(12);
    bytes.extend_from_slice(&height.0.0.to_be_bytes());
    bytes.extend_from_slice(&round.to_be_bytes());
    StreamId::new(Bytes::from(bytes))
}

/// Splits `block`, proposed for `(height, round)` with `pol_round`, into signed stream messages.
pub(crate) fn split(
    keys: &Keys,
    height: Height,
    round: u32,
    pol_round: Round,
    block: &Block,
) -> Vec<StreamMessage<ProposalPart>> {
    let id = stream_id(height, round);
    let bytes = Bytes::from(block.to_bytes());
    let mut parts =
        vec![ProposalPart::Init { height, round: Round::new(round), proposer: Address(keys.account()), pol_round }];
    let mut offset = 0;
    while offset < bytes.len() {
        let end = (offset + MAX_PART_BYTES).min(bytes.len());
        parts.push(ProposalPart::Data(bytes.slice(offset..end)));
        offset = end;
    }
    let hash = block.hash();
    parts.push(ProposalPart::Fin { block: hash, signature: keys.sign_parts(height, round, &hash) });
    let mut out: Vec<_> = parts
        .into_iter()
        .enumerate()
        .map(|(seq, part)| StreamMessage::new(id.clone(), seq as u64, StreamContent::Data(part)))
        .collect();
    out.push(StreamMessage::new(id, out.len() as u64, StreamContent::Fin));
    out
}

/// A complete, signature-checked proposal stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assembled {
    pub height: Height,
    pub round: u32,
    pub pol_round: Round,
    pub proposer: Address,
    pub block: Block,
}

/// Why a stream was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StreamError {
    #[error("stream is malformed: {0}")]
    Malformed(&'static str),
    #[error("stream is larger than a block may be")]
    TooLarge,
    #[error("the proposer's signature over the stream does not verify")]
    BadSignature,
    #[error("the streamed bytes are not a block: {0}")]
    NotABlock(String),
}

#[derive(Debug, Default)]
struct Stream {
    messages: BTreeMap<u64, StreamContent<ProposalPart>>,
    end: Option<u64>,
    bytes: usize,
    /// Height from the init part, used to evict streams of old heights first.
    height: Option<Height>,
}

/// Reassembles proposal streams.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    streams: BTreeMap<(Vec<u8>, Bytes), Stream>,
}

impl Streams {
    /// Drops every stream for heights below `height`.
    pub(crate) fn prune_below(&mut self, height: Height) {
        self.streams.retain(|_, s| s.height.is_none_or(|h| h >= height));
    }

    /// Adds one message; returns the assembled proposal once its stream is complete.
    pub(crate) fn insert(
        &mut self,
        checker: &Checker,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
    ) -> Result<Option<Assembled>, StreamError> {
        if msg.sequence >= MAX_STREAM_MESSAGES {
            return Err(StreamError::TooLarge);
        }
        let key = (publisher.to_bytes(), msg.stream_id.to_bytes());
        if !self.streams.contains_key(&key) && self.streams.len() >= MAX_STREAMS {
            // Evict the stream of the lowest height (unknown heights first).
            if let Some(oldest) = self.streams.iter().min_by_key(|(_, s)| s.height).map(|(k, _)| k.clone()) {
                self.streams.remove(&oldest);
            }
        }
        let stream = self.streams.entry(key.clone()).or_default();
        let size = match &msg.content {
            StreamContent::Data(ProposalPart::Data(bytes)) => bytes.len(),
            _ => 0,
        };
        stream.bytes = stream.bytes.saturating_add(size);
        if stream.bytes > MAX_BLOCK_BYTES {
            self.streams.remove(&key);
            return Err(StreamError::TooLarge);
        }
        match &msg.content {
            StreamContent::Fin => stream.end = Some(msg.sequence),
            StreamContent::Data(ProposalPart::Init { height, .. }) => stream.height = Some(*height),
            StreamContent::Data(_) => {}
        }
        stream.messages.insert(msg.sequence, msg.content);
        let Some(end) = stream.end else { return Ok(None) };
        if stream.messages.len() as u64 != end + 1 {
            return Ok(None);
        }
        let Some(stream) = self.streams.remove(&key) else { return Ok(None) };
        assemble(checker, stream).map(Some)
    }
}

fn assemble(checker: &Checker, stream: Stream) -> Result<Assembled, StreamError> {
    let mut parts = stream.messages.into_values();
    let Some(StreamContent::Data(ProposalPart::Init { height, round, proposer, pol_round })) = parts.next() else {
        return Err(StreamError::Malformed("the first part is not an init part"));
    };
    let round = round.as_u32().ok_or(StreamError::Malformed("the init part has no round"))?;
    let mut bytes = Vec::with_capacity(stream.bytes);
    let mut fin = None;
    for part in parts {
        match part {
            StreamContent::Data(ProposalPart::Data(data)) if fin.is_none() => bytes.extend_from_slice(&data),
            StreamContent::Data(ProposalPart::Fin { block, signature }) if fin.is_none() => {
                fin = Some((block, signature))
            }
            StreamContent::Fin if fin.is_some() => {}
            _ => return Err(StreamError::Malformed("parts are out of order")),
        }
    }
    let (hash, signature) = fin.ok_or(StreamError::Malformed("no fin part"))?;
    if !checker.verify_parts(&proposer.0, height, round, &hash, &signature) {
        return Err(StreamError::BadSignature);
    }
    let mut reader = Reader::new(&bytes);
    let block = Block::decode(&mut reader)
        .and_then(|b| reader.finish().map(|()| b))
        .map_err(|e| StreamError::NotABlock(e.to_string()))?;
    if block.hash() != hash || block.header.height != height.0 {
        return Err(StreamError::Malformed("the block does not match the signed hash and height"));
    }
    Ok(Assembled { height, round, pol_round, proposer, block })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::scratch;
    use contracts::{AccountId, BlockHeader, ChainId, Hash, Timestamp};
    use ed25519_dalek::SigningKey;

    fn block(height: u64) -> Block {
        Block {
            header: BlockHeader {
                chain_id: ChainId::new("test").expect("chain id"),
                height: contracts::Height(height),
                parent: Hash::ZERO,
                time: Timestamp(1),
                proposer: AccountId([1; 32]),
                tx_count: 0,
                tx_root: Hash::ZERO,
                receipt_root: Hash::ZERO,
                state_root: Hash::ZERO,
            },
            txs: vec![],
        }
    }

    #[test]
    fn split_then_insert_in_any_order_reassembles() {
        let keys = Keys::new(SigningKey::from_bytes(&[7; 32]), ChainId::new("test").expect("chain id"), scratch("p7"));
        let b = block(5);
        let mut msgs = split(&keys, Height(contracts::Height(5)), 2, Round::Nil, &b);
        msgs.reverse();
        let mut streams = Streams::default();
        let peer = PeerId::from_bytes(&[0, 4, 1, 2, 3, 4]).expect("an identity peer id");
        let mut done = None;
        for m in msgs {
            if let Some(a) = streams.insert(&keys.checker(), peer, m).expect("valid parts") {
                done = Some(a);
            }
        }
        let done = done.expect("stream completes");
        assert_eq!(done.block, b);
        assert_eq!(done.round, 2);
        assert_eq!(done.proposer, Address(keys.account()));
    }

    #[test]
    fn a_forged_fin_is_refused() {
        let keys = Keys::new(SigningKey::from_bytes(&[7; 32]), ChainId::new("test").expect("chain id"), scratch("p7b"));
        let other = Keys::new(SigningKey::from_bytes(&[8; 32]), ChainId::new("test").expect("chain id"), scratch("p8"));
        let b = block(5);
        let mut msgs = split(&keys, Height(contracts::Height(5)), 0, Round::Nil, &b);
        // Replace the fin part with one signed by another key.
        let forged = split(&other, Height(contracts::Height(5)), 0, Round::Nil, &b);
        let n = msgs.len();
        msgs[n - 2] = forged[n - 2].clone();
        let mut streams = Streams::default();
        let peer = PeerId::from_bytes(&[0, 4, 1, 2, 3, 4]).expect("an identity peer id");
        let mut result = Ok(None);
        for m in msgs {
            result = streams.insert(&keys.checker(), peer, m);
        }
        assert_eq!(result, Err(StreamError::BadSignature));
    }
}
