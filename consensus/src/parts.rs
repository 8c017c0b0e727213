//! Streaming a block as proposal parts, and reassembling streams from peers.
//!
//! A stream is `Init`, one or more `Data` slices of the block's canonical bytes, and `Fin` with
//! the proposer's signature over `(height, round, block hash)`, followed by the stream's end
//! marker. The stream id is the height and round.
//!
//! Issue 12: one validator must not crowd out the honest proposal. A message is accepted only
//! when its stream is for the current height (rounds up to [`MAX_ROUNDS_AHEAD`] beyond the
//! current one) or the next height (its first rounds), and only from the peer of that round's
//! proposer (a validator's libp2p identity is its consensus key, so the peer id follows from
//! the validator set). Buffers are capped per publisher in streams and bytes, and a publisher
//! over its cap drops only its own oldest stream, never another's. A refused message says why
//! ([`StreamError::fault`]), so the driver can count the publisher's misbehaviour.

use std::collections::BTreeMap;

use bytes::Bytes;
use contracts::Block;
use contracts::codec::{Decode, Reader};
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::PeerId;
use malachitebft_app_channel::app::types::core::Round;

use crate::codec::{MAX_BLOCK_BYTES, MAX_PART_BYTES};
use contracts::AccountId;
use malachitebft_app_channel::app::types::core::{self as mc, Context as _};

use crate::context::{Address, Height, LedgerCtx, ProposalPart, ValidatorSet};
use crate::deviation::Outgoing;
use crate::signing::{Checker, Keys};

/// Most streams held per publisher; its own oldest is dropped beyond it. Only the proposer of a
/// round in the window may publish, so honest streams never need more than this.
const MAX_STREAMS_PER_PEER: usize = 4;
/// Most bytes held per publisher: a full block and most of another.
const MAX_BYTES_PER_PEER: usize = 2 * MAX_BLOCK_BYTES;
/// How many rounds beyond the current one streams are accepted for (and rounds 0 to this of the
/// next height). A node that lags further behind in rounds than this catches up by timeouts.
pub(crate) const MAX_ROUNDS_AHEAD: u32 = 4;
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
#[cfg(test)]
pub(crate) fn split(
    keys: &Keys,
    height: Height,
    round: u32,
    pol_round: Round,
    block: &Block,
) -> Vec<StreamMessage<ProposalPart>> {
    split_outgoing(keys, pol_round, &Outgoing { height: height.0, ..Outgoing::of(block, round) })
}

/// Splits one outgoing stream into stream messages, signed by `keys` (or, for a stream the
/// [`crate::Deviation`] wants badly signed, with a signature that does not verify).
pub(crate) fn split_outgoing(keys: &Keys, pol_round: Round, out: &Outgoing) -> Vec<StreamMessage<ProposalPart>> {
    let height = Height(out.height);
    let id = stream_id(height, out.round);
    let mut parts =
        vec![ProposalPart::Init { height, round: Round::new(out.round), proposer: Address(keys.account()), pol_round }];
    let mut offset = 0;
    while offset < out.bytes.len() {
        let end = (offset + MAX_PART_BYTES).min(out.bytes.len());
        parts.push(ProposalPart::Data(out.bytes.slice(offset..end)));
        offset = end;
    }
    let mut signature = keys.sign_parts(height, out.round, &out.hash);
    if out.bad_signature {
        signature.0[0] ^= 1;
    }
    parts.push(ProposalPart::Fin { block: out.hash, signature });
    let mut messages: Vec<_> = parts
        .into_iter()
        .enumerate()
        .map(|(seq, part)| StreamMessage::new(id.clone(), seq as u64, StreamContent::Data(part)))
        .collect();
    messages.push(StreamMessage::new(id, messages.len() as u64, StreamContent::Fin));
    messages
}

/// A complete, signature-checked proposal stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assembled {
    pub height: Height,
    pub round: u32,
    pub pol_round: Round,
    pub proposer: Address,
    pub block: Block,
    /// The proposer's signature over `(height, round, block hash)`.
    pub signature: contracts::crypto::Signature,
}

/// Why a stream (or one message of it) was dropped.
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
    #[error("the stream is for height {height} round {round}, whose proposer is not its publisher")]
    NotProposer { height: Height, round: u32 },
    #[error(
        "the stream is for height {height} round {round}, outside the window this node accepts \
         (the current and the next height, at most {MAX_ROUNDS_AHEAD} rounds ahead)"
    )]
    OutOfWindow { height: Height, round: u32 },
}

/// What a dropped stream says about its publisher, for the node's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The publisher broke a rule no honest validator breaks: a stream for a round it does not
    /// propose, a bad signature, an oversized or malformed stream.
    Misbehaved(crate::progress::ProposalFault),
    /// A stream outside the window (an old height, or a node ahead of this one): refused but
    /// not held against the publisher.
    Ignored,
}

impl StreamError {
    /// How the drop counts against the publisher.
    pub(crate) fn fault(&self) -> Fault {
        use crate::progress::ProposalFault as F;
        match self {
            Self::Malformed(_) | Self::NotABlock(_) => Fault::Misbehaved(F::Malformed),
            Self::TooLarge => Fault::Misbehaved(F::Oversized),
            Self::BadSignature => Fault::Misbehaved(F::BadSignature),
            Self::NotProposer { .. } => Fault::Misbehaved(F::NotProposer),
            Self::OutOfWindow { .. } => Fault::Ignored,
        }
    }
}

#[derive(Debug, Default)]
struct Stream {
    messages: BTreeMap<u64, StreamContent<ProposalPart>>,
    end: Option<u64>,
    bytes: usize,
}

/// The peer id of a validator: its libp2p identity is its consensus key (see `driver::start`),
/// so the id is the identity multihash of the protobuf-encoded ed25519 public key.
pub(crate) fn peer_of(validator: &AccountId) -> Option<PeerId> {
    // identity multihash (code 0, 36 bytes) of { KeyType = Ed25519 (1), Data = 32 bytes }.
    let mut bytes = Vec::with_capacity(38);
    bytes.extend_from_slice(&[0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
    bytes.extend_from_slice(&validator.0);
    PeerId::from_bytes(&bytes).ok()
}

/// The heights and rounds proposal streams are accepted for, and who proposes them.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    /// The height being decided.
    pub height: Height,
    /// Its round in progress.
    pub round: u32,
    /// Its validator set.
    pub set: ValidatorSet,
    /// The set of the next height, when the ledger already knows it (R-VAL-2 schedules changes
    /// three heights ahead, so it normally does).
    pub next: Option<ValidatorSet>,
}

/// Who may publish a stream for a height and round.
enum Publisher {
    /// The round's proposer, with its peer id.
    Known(Address, PeerId),
    /// The next height's set is not known yet: any validator of the current set, checked
    /// against the proposer when the height starts ([`Streams::advance`]).
    Unchecked,
}

impl Window {
    fn publisher(&self, height: Height, round: u32) -> Result<Publisher, StreamError> {
        let next = mc::Height::increment(&self.height);
        let in_window = (height == self.height && round <= self.round.saturating_add(MAX_ROUNDS_AHEAD))
            || (height == next && round <= MAX_ROUNDS_AHEAD);
        if !in_window {
            return Err(StreamError::OutOfWindow { height, round });
        }
        let set = if height == self.height { Some(&self.set) } else { self.next.as_ref() };
        let Some(set) = set else { return Ok(Publisher::Unchecked) };
        let proposer = LedgerCtx.select_proposer(set, height, Round::new(round)).address;
        let peer = peer_of(&proposer.0).ok_or(StreamError::NotProposer { height, round })?;
        Ok(Publisher::Known(proposer, peer))
    }

    fn is_validator_peer(&self, peer: &PeerId) -> bool {
        self.set.validators().iter().any(|v| peer_of(&v.address.0).as_ref() == Some(peer))
    }
}

/// Reassembles proposal streams: only the round's proposer's, only for the current and the
/// next height, within per-publisher caps.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    /// Keyed by (publisher, height, round).
    streams: BTreeMap<(PeerId, Height, u32), Stream>,
    /// `None` until consensus has started a height: every stream is refused until then.
    window: Option<Window>,
}

impl Streams {
    /// Consensus moved to `window`: streams outside it are dropped, and streams of the next
    /// height buffered before its set was known are checked against its proposers now.
    pub(crate) fn advance(&mut self, window: Window) {
        self.streams.retain(|(peer, height, round), _| match window.publisher(*height, *round) {
            Ok(Publisher::Known(_, expected)) => expected == *peer,
            Ok(Publisher::Unchecked) => window.is_validator_peer(peer),
            Err(_) => false,
        });
        self.window = Some(window);
    }

    /// Consensus started `round` of the current height.
    pub(crate) fn started_round(&mut self, height: Height, round: u32) {
        if let Some(window) = self.window.as_mut()
            && window.height == height
        {
            window.round = window.round.max(round);
        }
    }

    /// The height being decided, once consensus has started one.
    pub(crate) fn height(&self) -> Option<Height> {
        self.window.as_ref().map(|w| w.height)
    }

    /// The expected proposer of `(height, round)`, if the window knows it.
    pub(crate) fn proposer(&self, height: Height, round: u32) -> Option<Address> {
        match self.window.as_ref()?.publisher(height, round) {
            Ok(Publisher::Known(proposer, _)) => Some(proposer),
            _ => None,
        }
    }

    /// Adds one message from `publisher`; returns the assembled proposal once its stream is
    /// complete. A message that breaks a rule is refused before anything is buffered.
    pub(crate) fn insert(
        &mut self,
        checker: &Checker,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
    ) -> Result<Option<Assembled>, StreamError> {
        let (height, round) = parse_stream_id(&msg.stream_id)?;
        let window = self.window.as_ref().ok_or(StreamError::OutOfWindow { height, round })?;
        let expected = match window.publisher(height, round)? {
            Publisher::Known(proposer, peer) if peer == publisher => Some(proposer),
            Publisher::Unchecked if window.is_validator_peer(&publisher) => None,
            _ => return Err(StreamError::NotProposer { height, round }),
        };
        if msg.sequence >= MAX_STREAM_MESSAGES {
            return Err(StreamError::TooLarge);
        }
        if let StreamContent::Data(ProposalPart::Init { height: h, round: r, proposer, .. }) = &msg.content {
            if *h != height || r.as_u32() != Some(round) {
                self.streams.remove(&(publisher, height, round));
                return Err(StreamError::Malformed("the init part names another height or round than its stream"));
            }
            if expected.is_some_and(|e| e != *proposer) {
                self.streams.remove(&(publisher, height, round));
                return Err(StreamError::NotProposer { height, round });
            }
        }
        let key = (publisher, height, round);
        if !self.streams.contains_key(&key) {
            self.make_room(publisher);
        }
        let stream = self.streams.entry(key).or_default();
        let size = match &msg.content {
            StreamContent::Data(ProposalPart::Data(bytes)) => bytes.len(),
            _ => 0,
        };
        stream.bytes = stream.bytes.saturating_add(size);
        if stream.bytes > MAX_BLOCK_BYTES {
            self.streams.remove(&key);
            return Err(StreamError::TooLarge);
        }
        if matches!(msg.content, StreamContent::Fin) {
            stream.end = Some(msg.sequence);
        }
        stream.messages.insert(msg.sequence, msg.content);
        self.trim_bytes(publisher, key);
        let Some(stream) = self.streams.get(&key) else { return Ok(None) };
        let Some(end) = stream.end else { return Ok(None) };
        if stream.messages.len() as u64 != end + 1 {
            return Ok(None);
        }
        let Some(stream) = self.streams.remove(&key) else { return Ok(None) };
        assemble(checker, stream).map(Some)
    }

    /// Before `publisher` opens a stream: at most [`MAX_STREAMS_PER_PEER`] are held for it, and
    /// its own lowest (height, round) makes room. Other publishers' streams are never touched.
    fn make_room(&mut self, publisher: PeerId) {
        while self.of(publisher).count() >= MAX_STREAMS_PER_PEER {
            let Some(oldest) = self.of(publisher).map(|(k, _)| *k).next() else { break };
            self.streams.remove(&oldest);
        }
    }

    /// Keeps `publisher`'s buffered bytes within [`MAX_BYTES_PER_PEER`], dropping its own
    /// lowest streams other than `keep` first.
    fn trim_bytes(&mut self, publisher: PeerId, keep: (PeerId, Height, u32)) {
        while self.of(publisher).map(|(_, s)| s.bytes).sum::<usize>() > MAX_BYTES_PER_PEER {
            let Some(oldest) = self.of(publisher).map(|(k, _)| *k).find(|k| *k != keep) else { break };
            self.streams.remove(&oldest);
        }
    }

    /// `publisher`'s streams, lowest (height, round) first.
    fn of(&self, publisher: PeerId) -> impl Iterator<Item = (&(PeerId, Height, u32), &Stream)> {
        self.streams
            .range((publisher, Height::default(), 0)..=(publisher, Height(contracts::Height(u64::MAX)), u32::MAX))
    }
}

/// `(height, round)` from a stream id written by [`stream_id`].
fn parse_stream_id(id: &StreamId) -> Result<(Height, u32), StreamError> {
    let bytes = id.to_bytes();
    let malformed = StreamError::Malformed("the stream id is not a height and a round");
    let height: [u8; 8] = bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or(malformed.clone())?;
    let round: [u8; 4] = bytes.get(8..).and_then(|b| b.try_into().ok()).ok_or(malformed)?;
    Ok((Height(contracts::Height(u64::from_be_bytes(height))), u32::from_be_bytes(round)))
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
    Ok(Assembled { height, round, pol_round, proposer, block, signature })
}

#[cfg(test)]
impl Streams {
    /// Streams and bytes held for `publisher`.
    fn held(&self, publisher: PeerId) -> (usize, usize) {
        (self.of(publisher).count(), self.of(publisher).map(|(_, s)| s.bytes).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::scratch;
    use contracts::{BlockHeader, ChainId, Hash, Timestamp};
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

    fn h(n: u64) -> Height {
        Height(contracts::Height(n))
    }

    /// `n` validators with keys [1; 32], [2; 32], …
    struct Net {
        keys: Vec<Keys>,
        set: ValidatorSet,
    }

    impl Net {
        fn new(n: u8) -> Self {
            let keys: Vec<Keys> = (1..=n)
                .map(|i| {
                    let name = format!("parts-{i}-{:?}", std::thread::current().id());
                    Keys::new(SigningKey::from_bytes(&[i; 32]), ChainId::new("test").expect("chain id"), scratch(&name))
                })
                .collect();
            let ids: Vec<_> = keys.iter().map(|k| (k.account(), 1)).collect();
            Self { set: ValidatorSet::new(&ids).expect("a valid set"), keys }
        }

        /// The keys of the proposer of `(height, round)`.
        fn proposer(&self, height: Height, round: u32) -> &Keys {
            let address = LedgerCtx.select_proposer(&self.set, height, Round::new(round)).address;
            self.keys.iter().find(|k| k.account() == address.0).expect("the proposer is one of the keys")
        }

        /// Keys of a validator that does not propose `(height, round)`.
        fn other(&self, height: Height, round: u32) -> &Keys {
            let proposer = self.proposer(height, round).account();
            self.keys.iter().find(|k| k.account() != proposer).expect("more than one validator")
        }

        fn streams(&self, height: u64, round: u32, next_known: bool) -> Streams {
            let mut streams = Streams::default();
            let next = next_known.then(|| self.set.clone());
            streams.advance(Window { height: h(height), round, set: self.set.clone(), next });
            streams
        }
    }

    fn peer(keys: &Keys) -> PeerId {
        peer_of(&keys.account()).expect("an ed25519 peer id")
    }

    /// Inserts every message; returns the last answer.
    fn feed(
        streams: &mut Streams,
        checker: &Checker,
        publisher: PeerId,
        msgs: Vec<StreamMessage<ProposalPart>>,
    ) -> Result<Option<Assembled>, StreamError> {
        let mut last = None;
        for m in msgs {
            last = streams.insert(checker, publisher, m)?;
        }
        Ok(last)
    }

    #[test]
    fn a_validators_peer_id_is_its_libp2p_identity() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let account = contracts::crypto::account_of(&key);
        let from_libp2p = crate::driver::peer_id_of(&key).expect("a libp2p key");
        assert_eq!(peer_of(&account).map(|p| p.to_base58()), Some(from_libp2p));
    }

    #[test]
    fn split_then_insert_in_any_order_reassembles() {
        let net = Net::new(4);
        let keys = net.proposer(h(5), 2);
        let b = block(5);
        let mut msgs = split(keys, h(5), 2, Round::Nil, &b);
        msgs.reverse();
        let mut streams = net.streams(5, 0, true);
        let done = feed(&mut streams, &keys.checker(), peer(keys), msgs).expect("valid parts").expect("complete");
        assert_eq!(done.block, b);
        assert_eq!(done.round, 2);
        assert_eq!(done.proposer, Address(keys.account()));
    }

    #[test]
    fn a_forged_fin_is_refused() {
        let net = Net::new(4);
        let keys = net.proposer(h(5), 0);
        let other = net.other(h(5), 0);
        let b = block(5);
        let mut msgs = split(keys, h(5), 0, Round::Nil, &b);
        // Replace the fin part with one signed by another key.
        let forged = split(other, h(5), 0, Round::Nil, &b);
        let n = msgs.len();
        msgs[n - 2] = forged[n - 2].clone();
        let mut streams = net.streams(5, 0, true);
        let result = feed(&mut streams, &keys.checker(), peer(keys), msgs);
        assert_eq!(result, Err(StreamError::BadSignature));
        assert_eq!(result.unwrap_err().fault(), Fault::Misbehaved(crate::progress::ProposalFault::BadSignature));
    }

    #[test]
    fn issue_12_a_stream_from_a_validator_that_does_not_propose_the_round_is_refused() {
        let net = Net::new(4);
        let liar = net.other(h(5), 0);
        // A well-signed stream of the liar's own block, for a round it does not propose.
        let msgs = split(liar, h(5), 0, Round::Nil, &block(5));
        let mut streams = net.streams(5, 0, true);
        for m in msgs {
            assert_eq!(
                streams.insert(&liar.checker(), peer(liar), m),
                Err(StreamError::NotProposer { height: h(5), round: 0 }),
                "every message is refused"
            );
        }
        assert_eq!(streams.held(peer(liar)), (0, 0), "nothing is buffered");
    }

    #[test]
    fn issue_12_the_proposers_stream_relayed_by_another_peer_is_refused() {
        let net = Net::new(4);
        let proposer = net.proposer(h(5), 0);
        let other = net.other(h(5), 0);
        let msgs = split(proposer, h(5), 0, Round::Nil, &block(5));
        let mut streams = net.streams(5, 0, true);
        let result = feed(&mut streams, &proposer.checker(), peer(other), msgs);
        assert_eq!(result, Err(StreamError::NotProposer { height: h(5), round: 0 }));
    }

    #[test]
    fn issue_12_an_init_part_naming_another_proposer_is_refused() {
        let net = Net::new(4);
        let proposer = net.proposer(h(5), 0);
        let liar = net.other(h(5), 0);
        // The round's proposer's peer publishes a block signed by (and naming) another validator.
        let msgs = split(liar, h(5), 0, Round::Nil, &block(5));
        let mut streams = net.streams(5, 0, true);
        let result = feed(&mut streams, &liar.checker(), peer(proposer), msgs);
        assert_eq!(result, Err(StreamError::NotProposer { height: h(5), round: 0 }));
    }

    #[test]
    fn issue_12_only_the_current_and_next_height_and_near_rounds_are_accepted() {
        let net = Net::new(4);
        let mut streams = net.streams(5, 1, true);
        let mut try_stream = |height: u64, round: u32| {
            let keys = net.proposer(h(height), round);
            let first = split(keys, h(height), round, Round::Nil, &block(height)).remove(0);
            streams.insert(&keys.checker(), peer(keys), first)
        };
        assert_eq!(try_stream(5, 0), Ok(None), "an earlier round of the current height");
        assert_eq!(try_stream(5, 1 + MAX_ROUNDS_AHEAD), Ok(None));
        assert_eq!(try_stream(6, MAX_ROUNDS_AHEAD), Ok(None), "the next height's first rounds");
        for (height, round) in [(5, 2 + MAX_ROUNDS_AHEAD), (5, u32::MAX), (6, MAX_ROUNDS_AHEAD + 1), (7, 0), (4, 0)] {
            let refused = try_stream(height, round);
            assert_eq!(refused, Err(StreamError::OutOfWindow { height: h(height), round }));
            assert_eq!(refused.unwrap_err().fault(), Fault::Ignored);
        }
        let keys = net.proposer(h(u64::MAX), 0);
        let far = split(keys, h(u64::MAX), 0, Round::Nil, &block(5)).remove(0);
        assert!(matches!(streams.insert(&keys.checker(), peer(keys), far), Err(StreamError::OutOfWindow { .. })));
    }

    #[test]
    fn issue_12_nothing_is_accepted_before_consensus_starts_a_height() {
        let net = Net::new(1);
        let keys = &net.keys[0];
        let msgs = split(keys, h(1), 0, Round::Nil, &block(1));
        let mut streams = Streams::default();
        let result = feed(&mut streams, &keys.checker(), peer(keys), msgs);
        assert_eq!(result, Err(StreamError::OutOfWindow { height: h(1), round: 0 }));
    }

    #[test]
    fn issue_12_a_flooding_proposer_cannot_evict_another_publishers_stream() {
        // Two validators: A proposes (5, 0); B proposes (5, 1), (5, 3), (6, 0), (6, 2), (6, 4).
        let net = Net::new(2);
        let a = net.proposer(h(5), 0);
        let b = net.other(h(5), 0);
        let mut streams = net.streams(5, 0, true);
        let mut honest = split(a, h(5), 0, Round::Nil, &block(5));
        let last = honest.pop().expect("an end marker");
        assert_eq!(feed(&mut streams, &a.checker(), peer(a), honest), Ok(None));
        // B floods every stream it may open with 1 MiB parts that never end.
        let junk = Bytes::from(vec![0u8; MAX_PART_BYTES]);
        let slots = [(5, 1), (5, 3), (6, 0), (6, 2), (6, 4)];
        for (height, round) in slots {
            for seq in 1..=(MAX_BLOCK_BYTES / MAX_PART_BYTES) as u64 {
                let msg = StreamMessage::new(
                    stream_id(h(height), round),
                    seq,
                    StreamContent::Data(ProposalPart::Data(junk.clone())),
                );
                assert_eq!(streams.insert(&b.checker(), peer(b), msg), Ok(None));
            }
        }
        let (count, bytes) = streams.held(peer(b));
        assert!(count <= MAX_STREAMS_PER_PEER, "B holds {count} streams");
        assert!(bytes <= MAX_BYTES_PER_PEER, "B holds {bytes} bytes");
        let done = streams.insert(&a.checker(), peer(a), last).expect("A's stream is intact");
        assert_eq!(done.map(|d| d.proposer), Some(Address(a.account())));
    }

    #[test]
    fn issue_12_an_oversized_stream_is_refused() {
        let net = Net::new(1);
        let keys = &net.keys[0];
        let mut streams = net.streams(5, 0, true);
        let junk = Bytes::from(vec![0u8; MAX_PART_BYTES]);
        let mut result = Ok(None);
        for seq in 1..MAX_STREAM_MESSAGES - 1 {
            let msg =
                StreamMessage::new(stream_id(h(5), 0), seq, StreamContent::Data(ProposalPart::Data(junk.clone())));
            result = streams.insert(&keys.checker(), peer(keys), msg);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(StreamError::TooLarge));
        let beyond = StreamMessage::new(stream_id(h(5), 0), MAX_STREAM_MESSAGES, StreamContent::Fin);
        assert_eq!(streams.insert(&keys.checker(), peer(keys), beyond), Err(StreamError::TooLarge));
        assert_eq!(streams.held(peer(keys)), (0, 0));
    }

    #[test]
    fn issue_12_a_stream_id_that_is_not_a_height_and_round_is_refused() {
        let net = Net::new(1);
        let keys = &net.keys[0];
        let mut streams = net.streams(5, 0, true);
        let msg = StreamMessage::new(StreamId::new(Bytes::from_static(b"junk")), 0, StreamContent::Fin);
        assert!(matches!(streams.insert(&keys.checker(), peer(keys), msg), Err(StreamError::Malformed(_))));
    }

    #[test]
    fn issue_12_next_height_streams_of_an_unknown_set_are_checked_when_it_starts() {
        let net = Net::new(4);
        let mut streams = net.streams(5, 0, false);
        let proposer = net.proposer(h(6), 0);
        let other = net.other(h(6), 0);
        let outsider =
            Keys::new(SigningKey::from_bytes(&[99; 32]), ChainId::new("test").expect("chain id"), scratch("parts-out"));
        let first = |keys: &Keys| split(keys, h(6), 0, Round::Nil, &block(6)).remove(0);
        assert_eq!(streams.insert(&proposer.checker(), peer(proposer), first(proposer)), Ok(None));
        assert_eq!(streams.insert(&other.checker(), peer(other), first(other)), Ok(None), "buffered unchecked");
        assert_eq!(
            streams.insert(&outsider.checker(), peer(&outsider), first(&outsider)),
            Err(StreamError::NotProposer { height: h(6), round: 0 }),
            "a peer outside the set is refused at once"
        );
        streams.advance(Window { height: h(6), round: 0, set: net.set.clone(), next: None });
        assert_eq!(streams.held(peer(proposer)).0, 1, "the proposer's stream is kept");
        assert_eq!(streams.held(peer(other)).0, 0, "the other validator's is dropped when the height starts");
        assert_eq!(streams.proposer(h(6), 0), Some(Address(proposer.account())));
    }
}
