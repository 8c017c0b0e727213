//! The one canonical binary encoding of every message Malachite sends over the network, keeps
//! in its write-ahead log, or exchanges during value sync.
//!
//! Built on `contracts::codec`: fixed field order, big-endian fixed-width integers, capped
//! lengths, unknown tags and trailing bytes refused. A malformed or oversized message is a
//! decode error, which the engine drops; it never panics.

use bytes::Bytes;
use contracts::codec::{Decode, DecodeError, Encode, Reader, put_bytes, put_len};
use contracts::crypto::Signature;
use contracts::{AccountId, Hash};
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, ExtendedCommitCertificate, ExtendedCommitSignature, NilOrVal, PolkaCertificate, PolkaSignature,
    Round, RoundCertificate, RoundCertificateType, RoundSignature, SignedMessage, ValidatorProof, Validity, VoteType,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};
use malachitebft_sync::{ValueRequest, ValueResponse};

use crate::context::{Address, BlockHash, Height, LedgerCtx, Proposal, ProposalPart, Vote};

/// Largest slice of a block in one proposal part.
pub const MAX_PART_BYTES: usize = 1 << 20;
/// Largest encoded block accepted from a peer (value sync or a proposal stream).
pub const MAX_BLOCK_BYTES: usize = 32 << 20;
/// Most signatures in a certificate (far above any municipal validator set).
const MAX_SIGNATURES: usize = 256;
/// Most decided values in one sync response.
pub const MAX_SYNC_VALUES: usize = 1024;

/// A message that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed consensus message: {0}")]
pub struct CodecError(#[from] pub DecodeError);

/// The codec for every Malachite message of this chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct WireCodec;

/// Canonical encoding of a (possibly foreign) type.
pub(crate) trait Wire: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

fn unknown(tag: u8, what: &'static str) -> DecodeError {
    DecodeError::UnknownTag { tag, what }
}

impl Wire for Height {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(Decode::decode(r)?))
    }
}

impl Wire for Round {
    fn put(&self, out: &mut Vec<u8>) {
        self.as_u32().encode(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Option::<u32>::decode(r)?.map_or(Self::Nil, Self::new))
    }
}

impl Wire for Address {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(AccountId::decode(r)?))
    }
}

impl Wire for BlockHash {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(Hash::decode(r)?))
    }
}

impl Wire for Signature {
    fn put(&self, out: &mut Vec<u8>) {
        self.encode(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::decode(r)
    }
}

impl Wire for VoteType {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(match self {
            Self::Prevote => 0,
            Self::Precommit => 1,
        });
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("vote type")? {
            0 => Ok(Self::Prevote),
            1 => Ok(Self::Precommit),
            tag => Err(unknown(tag, "vote type")),
        }
    }
}

impl<T: Wire> Wire for NilOrVal<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Self::Nil => out.push(0),
            Self::Val(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("nil-or-value tag")? {
            0 => Ok(Self::Nil),
            1 => Ok(Self::Val(T::get(r)?)),
            tag => Err(unknown(tag, "nil-or-value")),
        }
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("option tag")? {
            0 => Ok(None),
            1 => Ok(Some(T::get(r)?)),
            tag => Err(unknown(tag, "option")),
        }
    }
}

fn put_vec<T: Wire>(out: &mut Vec<u8>, items: &[T]) {
    put_len(out, items.len());
    for item in items {
        item.put(out);
    }
}

fn get_vec<T: Wire>(r: &mut Reader<'_>, what: &'static str, max: usize) -> Result<Vec<T>, DecodeError> {
    let len = r.len(what, max)?;
    let mut items = Vec::with_capacity(len.min(r.remaining()));
    for _ in 0..len {
        items.push(T::get(r)?);
    }
    Ok(items)
}

impl Wire for Vote {
    fn put(&self, out: &mut Vec<u8>) {
        self.kind.put(out);
        self.height.put(out);
        self.round.put(out);
        self.value.put(out);
        self.validator.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            kind: Wire::get(r)?,
            height: Wire::get(r)?,
            round: Wire::get(r)?,
            value: Wire::get(r)?,
            validator: Wire::get(r)?,
        })
    }
}

impl Wire for Proposal {
    fn put(&self, out: &mut Vec<u8>) {
        self.height.put(out);
        self.round.put(out);
        self.value.put(out);
        self.pol_round.put(out);
        self.proposer.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            height: Wire::get(r)?,
            round: Wire::get(r)?,
            value: Wire::get(r)?,
            pol_round: Wire::get(r)?,
            proposer: Wire::get(r)?,
        })
    }
}

impl<M: Wire> Wire for SignedMessage<LedgerCtx, M> {
    fn put(&self, out: &mut Vec<u8>) {
        self.message.put(out);
        self.signature.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::new(M::get(r)?, Wire::get(r)?))
    }
}

impl Wire for () {
    fn put(&self, _out: &mut Vec<u8>) {}
    fn get(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(())
    }
}

impl Wire for ProposalPart {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Self::Init { height, round, proposer, pol_round } => {
                out.push(0);
                height.put(out);
                round.put(out);
                proposer.put(out);
                pol_round.put(out);
            }
            Self::Data(bytes) => {
                out.push(1);
                put_bytes(out, bytes);
            }
            Self::Fin { block, signature } => {
                out.push(2);
                block.encode(out);
                signature.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("proposal part tag")? {
            0 => Ok(Self::Init {
                height: Wire::get(r)?,
                round: Wire::get(r)?,
                proposer: Wire::get(r)?,
                pol_round: Wire::get(r)?,
            }),
            1 => Ok(Self::Data(Bytes::copy_from_slice(r.bytes("proposal part data", MAX_PART_BYTES)?))),
            2 => Ok(Self::Fin { block: Hash::decode(r)?, signature: Wire::get(r)? }),
            tag => Err(unknown(tag, "proposal part")),
        }
    }
}

impl Wire for SignedConsensusMsg<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Self::Vote(v) => {
                out.push(0);
                v.put(out);
            }
            Self::Proposal(p) => {
                out.push(1);
                p.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("consensus message tag")? {
            0 => Ok(Self::Vote(Wire::get(r)?)),
            1 => Ok(Self::Proposal(Wire::get(r)?)),
            tag => Err(unknown(tag, "consensus message")),
        }
    }
}

impl Wire for PolkaSignature<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.address.put(out);
        self.signature.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::new(Wire::get(r)?, Wire::get(r)?))
    }
}

impl Wire for PolkaCertificate<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.height.put(out);
        self.round.put(out);
        self.value_id.put(out);
        put_vec(out, &self.polka_signatures);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            height: Wire::get(r)?,
            round: Wire::get(r)?,
            value_id: Wire::get(r)?,
            polka_signatures: get_vec(r, "polka signatures", MAX_SIGNATURES)?,
        })
    }
}

impl Wire for RoundSignature<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.vote_type.put(out);
        self.value_id.put(out);
        self.address.put(out);
        self.signature.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { vote_type: Wire::get(r)?, value_id: Wire::get(r)?, address: Wire::get(r)?, signature: Wire::get(r)? })
    }
}

impl Wire for RoundCertificate<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.height.put(out);
        self.round.put(out);
        out.push(match self.cert_type {
            RoundCertificateType::Skip => 0,
            RoundCertificateType::Precommit => 1,
        });
        put_vec(out, &self.round_signatures);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            height: Wire::get(r)?,
            round: Wire::get(r)?,
            cert_type: match r.u8("round certificate type")? {
                0 => RoundCertificateType::Skip,
                1 => RoundCertificateType::Precommit,
                tag => return Err(unknown(tag, "round certificate type")),
            },
            round_signatures: get_vec(r, "round signatures", MAX_SIGNATURES * 2)?,
        })
    }
}

impl Wire for LivenessMsg<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Self::Vote(v) => {
                out.push(0);
                v.put(out);
            }
            Self::PolkaCertificate(c) => {
                out.push(1);
                c.put(out);
            }
            Self::SkipRoundCertificate(c) => {
                out.push(2);
                c.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("liveness message tag")? {
            0 => Ok(Self::Vote(Wire::get(r)?)),
            1 => Ok(Self::PolkaCertificate(Wire::get(r)?)),
            2 => Ok(Self::SkipRoundCertificate(Wire::get(r)?)),
            tag => Err(unknown(tag, "liveness message")),
        }
    }
}

impl Wire for StreamMessage<ProposalPart> {
    fn put(&self, out: &mut Vec<u8>) {
        put_bytes(out, &self.stream_id.to_bytes());
        self.sequence.encode(out);
        match &self.content {
            StreamContent::Data(part) => {
                out.push(0);
                part.put(out);
            }
            StreamContent::Fin => out.push(1),
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let stream_id = StreamId::new(Bytes::copy_from_slice(r.bytes("stream id", 64)?));
        let sequence = u64::decode(r)?;
        let content = match r.u8("stream content tag")? {
            0 => StreamContent::Data(Wire::get(r)?),
            1 => StreamContent::Fin,
            tag => return Err(unknown(tag, "stream content")),
        };
        Ok(Self::new(stream_id, sequence, content))
    }
}

impl Wire for ValidatorProof<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        put_bytes(out, &self.public_key);
        put_bytes(out, &self.peer_id);
        self.signature.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let public_key = r.bytes("proof public key", 32)?.to_vec();
        let peer_id = r.bytes("proof peer id", 64)?.to_vec();
        Ok(Self::new(public_key, peer_id, Wire::get(r)?))
    }
}

impl Wire for PeerId {
    fn put(&self, out: &mut Vec<u8>) {
        put_bytes(out, &self.to_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::from_bytes(r.bytes("peer id", 64)?)
            .map_err(|_| DecodeError::Invalid { what: "peer id", reason: "not a libp2p peer id" })
    }
}

impl Wire for Status<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.peer_id.put(out);
        self.tip_height.put(out);
        self.history_min_height.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { peer_id: Wire::get(r)?, tip_height: Wire::get(r)?, history_min_height: Wire::get(r)? })
    }
}

impl Wire for Request<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Self::ValueRequest(req) => {
                out.push(0);
                req.range.start().put(out);
                req.range.end().put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("sync request tag")? {
            0 => {
                let start = Height::get(r)?;
                let end = Height::get(r)?;
                Ok(Self::ValueRequest(ValueRequest::new(start..=end)))
            }
            tag => Err(unknown(tag, "sync request")),
        }
    }
}

impl Wire for ExtendedCommitSignature<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.address.put(out);
        self.signature.put(out);
        self.extension.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::new(Wire::get(r)?, Wire::get(r)?, Wire::get(r)?))
    }
}

impl Wire for ExtendedCommitCertificate<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.height.put(out);
        self.round.put(out);
        self.value_id.put(out);
        put_vec(out, &self.commit_signatures);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            height: Wire::get(r)?,
            round: Wire::get(r)?,
            value_id: Wire::get(r)?,
            commit_signatures: get_vec(r, "commit signatures", MAX_SIGNATURES)?,
        })
    }
}

impl Wire for RawDecidedValue<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        put_bytes(out, &self.value_bytes);
        self.certificate.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let value_bytes = Bytes::copy_from_slice(r.bytes("decided block", MAX_BLOCK_BYTES)?);
        Ok(Self::new(value_bytes, Wire::get(r)?))
    }
}

impl Wire for Response<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Self::ValueResponse(resp) => {
                out.push(0);
                resp.start_height.put(out);
                put_vec(out, &resp.values);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("sync response tag")? {
            0 => {
                let start = Height::get(r)?;
                let values = get_vec(r, "decided values", MAX_SYNC_VALUES)?;
                Ok(Self::ValueResponse(ValueResponse::new(start, values)))
            }
            tag => Err(unknown(tag, "sync response")),
        }
    }
}

impl Wire for Validity {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.is_valid()));
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("validity")? {
            0 => Ok(Self::Invalid),
            1 => Ok(Self::Valid),
            tag => Err(unknown(tag, "validity")),
        }
    }
}

impl Wire for ProposedValue<LedgerCtx> {
    fn put(&self, out: &mut Vec<u8>) {
        self.height.put(out);
        self.round.put(out);
        self.valid_round.put(out);
        self.proposer.put(out);
        self.value.put(out);
        self.validity.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            height: Wire::get(r)?,
            round: Wire::get(r)?,
            valid_round: Wire::get(r)?,
            proposer: Wire::get(r)?,
            value: Wire::get(r)?,
            validity: Wire::get(r)?,
        })
    }
}

/// Encodes a value with [`Wire`].
pub(crate) fn to_bytes<T: Wire>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.put(&mut out);
    out
}

/// Decodes a complete value with [`Wire`]; trailing bytes are an error.
pub(crate) fn from_bytes<T: Wire>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut reader = Reader::new(bytes);
    let value = T::get(&mut reader)?;
    reader.finish()?;
    Ok(value)
}

macro_rules! wire_codec {
    ($($t:ty),* $(,)?) => {$(
        impl Codec<$t> for WireCodec {
            type Error = CodecError;

            fn decode(&self, bytes: Bytes) -> Result<$t, CodecError> {
                Ok(from_bytes(&bytes)?)
            }

            fn encode(&self, msg: &$t) -> Result<Bytes, CodecError> {
                Ok(Bytes::from(to_bytes(msg)))
            }
        }
    )*};
}

wire_codec!(
    ProposalPart,
    SignedConsensusMsg<LedgerCtx>,
    LivenessMsg<LedgerCtx>,
    StreamMessage<ProposalPart>,
    ValidatorProof<LedgerCtx>,
    Status<LedgerCtx>,
    Request<LedgerCtx>,
    Response<LedgerCtx>,
    ProposedValue<LedgerCtx>,
    PolkaCertificate<LedgerCtx>,
);

impl HasEncodedLen<Response<LedgerCtx>> for WireCodec {
    fn encoded_len(&self, msg: &Response<LedgerCtx>) -> Result<usize, CodecError> {
        Ok(to_bytes(msg).len())
    }
}

/// Every kind of message this codec reads from peers or from value sync, for the fuzz targets
/// (the `fuzzing` crate), which cannot name Malachite types.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A proposal part on its own.
    ProposalPart,
    /// A proposal part in its stream framing, as gossiped.
    StreamMessage,
    /// A signed vote or proposal.
    ConsensusMsg,
    /// A liveness message: a vote or a round certificate.
    Liveness,
    /// A validator's proof of its peer id.
    ValidatorProof,
    /// A sync status.
    Status,
    /// A sync request.
    Request,
    /// A sync response: decided blocks with their certificates.
    Response,
    /// A proposed value (the engine's write-ahead log).
    ProposedValue,
    /// A polka certificate.
    PolkaCertificate,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [Self; 10] = [
        Self::ProposalPart,
        Self::StreamMessage,
        Self::ConsensusMsg,
        Self::Liveness,
        Self::ValidatorProof,
        Self::Status,
        Self::Request,
        Self::Response,
        Self::ProposedValue,
        Self::PolkaCertificate,
    ];
}

/// Decodes `bytes` as a message of `kind`, as the engine does, and encodes the message again.
/// The codec is canonical, so the fuzz targets check that this gives back `bytes`.
#[doc(hidden)]
pub fn decode_and_encode(kind: MessageKind, bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    fn again<T: Wire>(bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
        from_bytes::<T>(bytes).map(|message| to_bytes(&message))
    }
    match kind {
        MessageKind::ProposalPart => again::<ProposalPart>(bytes),
        MessageKind::StreamMessage => again::<StreamMessage<ProposalPart>>(bytes),
        MessageKind::ConsensusMsg => again::<SignedConsensusMsg<LedgerCtx>>(bytes),
        MessageKind::Liveness => again::<LivenessMsg<LedgerCtx>>(bytes),
        MessageKind::ValidatorProof => again::<ValidatorProof<LedgerCtx>>(bytes),
        MessageKind::Status => again::<Status<LedgerCtx>>(bytes),
        MessageKind::Request => again::<Request<LedgerCtx>>(bytes),
        MessageKind::Response => again::<Response<LedgerCtx>>(bytes),
        MessageKind::ProposedValue => again::<ProposedValue<LedgerCtx>>(bytes),
        MessageKind::PolkaCertificate => again::<PolkaCertificate<LedgerCtx>>(bytes),
    }
}

/// One encoded message of every kind and variant, around `block` and its `cert`, to seed the
/// fuzz corpus with real messages (the `fuzzing` crate cannot name Malachite types). Signatures
/// are placeholders: the codec does not check them.
#[doc(hidden)]
pub fn samples(block: &contracts::Block, cert: &contracts::CommitCert) -> Vec<(MessageKind, Vec<u8>)> {
    let height = Height(block.header.height);
    let round = Round::new(cert.round);
    let proposer = Address(block.header.proposer);
    let value = BlockHash(block.hash());
    let signature = Signature([7; 64]);
    let block_bytes = Bytes::from(block.to_bytes());
    let parts = [
        ProposalPart::Init { height, round, proposer, pol_round: Round::Nil },
        ProposalPart::Data(block_bytes.clone()),
        ProposalPart::Fin { block: value.0, signature },
    ];
    let stream = StreamId::new(Bytes::from_static(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]));
    let vote = |kind, value| Vote { kind, height, round, value, validator: proposer };
    let prevote = SignedMessage::new(vote(VoteType::Prevote, NilOrVal::Nil), signature);
    let precommit = SignedMessage::new(vote(VoteType::Precommit, NilOrVal::Val(value)), signature);
    let proposal = Proposal { height, round, value, pol_round: Round::Nil, proposer };
    let polka = PolkaCertificate {
        height,
        round,
        value_id: value,
        polka_signatures: vec![PolkaSignature::new(proposer, signature)],
    };
    let skip = RoundCertificate {
        height,
        round,
        cert_type: RoundCertificateType::Skip,
        round_signatures: vec![RoundSignature::new(VoteType::Precommit, NilOrVal::Val(value), proposer, signature)],
    };
    let peer = PeerId::from_bytes(&[
        0, 36, 8, 1, 18, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
        26, 27, 28, 29, 30, 31, 32,
    ]);
    let mut out = Vec::new();
    for (sequence, part) in parts.iter().enumerate() {
        out.push((MessageKind::ProposalPart, to_bytes(part)));
        let message = StreamMessage::new(stream.clone(), sequence as u64, StreamContent::Data(part.clone()));
        out.push((MessageKind::StreamMessage, to_bytes(&message)));
    }
    let fin = StreamMessage::<ProposalPart>::new(stream, parts.len() as u64, StreamContent::Fin);
    out.push((MessageKind::StreamMessage, to_bytes(&fin)));
    out.push((MessageKind::ConsensusMsg, to_bytes(&SignedConsensusMsg::<LedgerCtx>::Vote(prevote.clone()))));
    out.push((MessageKind::ConsensusMsg, to_bytes(&SignedConsensusMsg::<LedgerCtx>::Vote(precommit))));
    out.push((
        MessageKind::ConsensusMsg,
        to_bytes(&SignedConsensusMsg::<LedgerCtx>::Proposal(SignedMessage::new(proposal, signature))),
    ));
    out.push((MessageKind::Liveness, to_bytes(&LivenessMsg::<LedgerCtx>::Vote(prevote))));
    out.push((MessageKind::Liveness, to_bytes(&LivenessMsg::<LedgerCtx>::PolkaCertificate(polka.clone()))));
    out.push((MessageKind::Liveness, to_bytes(&LivenessMsg::<LedgerCtx>::SkipRoundCertificate(skip))));
    out.push((
        MessageKind::ValidatorProof,
        to_bytes(&ValidatorProof::<LedgerCtx>::new(proposer.0.0.to_vec(), vec![0, 36, 8, 1], signature)),
    ));
    if let Ok(peer_id) = peer {
        let status =
            Status::<LedgerCtx> { peer_id, tip_height: height, history_min_height: Height(contracts::Height(1)) };
        out.push((MessageKind::Status, to_bytes(&status)));
    }
    let range = ValueRequest::new(Height(contracts::Height(1))..=height);
    out.push((MessageKind::Request, to_bytes(&Request::<LedgerCtx>::ValueRequest(range))));
    let decided = RawDecidedValue::<LedgerCtx>::new(block_bytes, from_ledger_cert(cert));
    out.push((MessageKind::Response, to_bytes(&Response::ValueResponse(ValueResponse::new(height, vec![decided])))));
    let proposed = ProposedValue::<LedgerCtx> {
        height,
        round,
        valid_round: Round::Nil,
        proposer,
        value,
        validity: Validity::Valid,
    };
    out.push((MessageKind::ProposedValue, to_bytes(&proposed)));
    out.push((MessageKind::PolkaCertificate, to_bytes(&polka)));
    out
}

/// Converts the engine's commit certificate into the ledger's.
pub fn to_ledger_cert(cert: &CommitCertificate<LedgerCtx>) -> Option<contracts::CommitCert> {
    Some(contracts::CommitCert {
        height: cert.height.0,
        round: cert.round.as_u32()?,
        block_hash: cert.value_id.0,
        signatures: cert
            .commit_signatures
            .iter()
            .map(|s| contracts::block::CommitSignature { validator: s.address.0, signature: s.signature })
            .collect(),
    })
}

/// Converts a ledger commit certificate into the engine's (for value sync).
pub fn from_ledger_cert(cert: &contracts::CommitCert) -> ExtendedCommitCertificate<LedgerCtx> {
    let mut commit_signatures: Vec<_> =
        cert.signatures.iter().map(|s| ExtendedCommitSignature::new(Address(s.validator), s.signature, None)).collect();
    commit_signatures.sort_by_key(|a: &ExtendedCommitSignature<LedgerCtx>| a.address);
    ExtendedCommitCertificate {
        height: Height(cert.height),
        round: Round::new(cert.round),
        value_id: BlockHash(cert.block_hash),
        commit_signatures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote() -> Vote {
        Vote {
            kind: VoteType::Precommit,
            height: Height(contracts::Height(7)),
            round: Round::new(2),
            value: NilOrVal::Val(BlockHash(Hash([9; 32]))),
            validator: Address(AccountId([3; 32])),
        }
    }

    #[test]
    fn round_trips_and_refuses_mutations() {
        let msg = SignedConsensusMsg::<LedgerCtx>::Vote(SignedMessage::new(vote(), Signature([5; 64])));
        let bytes = to_bytes(&msg);
        assert_eq!(from_bytes::<SignedConsensusMsg<LedgerCtx>>(&bytes), Ok(msg));
        // Every truncation fails cleanly; trailing bytes are refused.
        for cut in 0..bytes.len() {
            assert!(from_bytes::<SignedConsensusMsg<LedgerCtx>>(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(from_bytes::<SignedConsensusMsg<LedgerCtx>>(&long), Err(DecodeError::TrailingBytes(1)));
        let mut bad_tag = bytes;
        bad_tag[0] = 9;
        assert!(matches!(
            from_bytes::<SignedConsensusMsg<LedgerCtx>>(&bad_tag),
            Err(DecodeError::UnknownTag { tag: 9, .. })
        ));
    }

    #[test]
    fn oversized_parts_are_refused() {
        let mut bytes = vec![1u8];
        put_len(&mut bytes, MAX_PART_BYTES + 1);
        assert!(matches!(from_bytes::<ProposalPart>(&bytes), Err(DecodeError::TooLong { .. })));
    }

    #[test]
    fn ledger_and_engine_certificates_convert_both_ways() {
        let cert = contracts::CommitCert {
            height: contracts::Height(4),
            round: 1,
            block_hash: Hash([1; 32]),
            signatures: vec![contracts::block::CommitSignature {
                validator: AccountId([2; 32]),
                signature: Signature([3; 64]),
            }],
        };
        let engine = from_ledger_cert(&cert);
        let back = to_ledger_cert(&engine.trim_vote_extensions());
        assert_eq!(back, Some(cert));
        let raw = RawDecidedValue::<LedgerCtx>::new(Bytes::from_static(b"block"), engine);
        let resp = Response::ValueResponse(ValueResponse::new(Height(contracts::Height(4)), vec![raw]));
        assert_eq!(from_bytes::<Response<LedgerCtx>>(&to_bytes(&resp)), Ok(resp));
    }
}
