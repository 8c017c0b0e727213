//! Signatures and hashes.
//!
//! R-SIG-1: a signature covers `domain tag ‖ len(chain id) ‖ chain id ‖ canonical bytes` and is
//! checked only with `verify_strict`, which refuses small-order keys and non-canonical `S`.
//! R-HASH-1: each kind of hash has its own blake3 `derive_key` context, so a hash of one kind can
//! never be passed off as another.

use ed25519_dalek::{Signature as DalekSignature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::codec::{Decode, DecodeError, Encode, Reader};
use crate::primitives::{AccountId, ChainId, Hash};

/// What is being signed. The tag is part of the signed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A transaction body.
    Transaction,
    /// A consensus vote (prevote or precommit); a precommit for a block is its commit signature.
    Vote,
    /// A consensus proposal.
    Proposal,
    /// The end of a streamed proposal: the proposer vouches for the block it streamed.
    ProposalParts,
    /// A validator binding its consensus key to its network (libp2p) identity.
    PeerProof,
    /// A shop's payment request (the `sig` of a `heitje:` URI), signed by the shop or its till.
    PaymentRequest,
    /// A merchant registry record, signed by a registrar of the municipality.
    Registry,
    /// A staff member's signed read of off-chain personal data; the node logs every read.
    StaffRead,
    /// A resident's year-end statement of rewards, signed by the resident (R-CAP-4).
    Statement,
}

impl Domain {
    const fn tag(self) -> &'static [u8] {
        match self {
            Self::Transaction => b"heitje/tx/v1",
            Self::Vote => b"heitje/vote/v1",
            Self::Proposal => b"heitje/proposal/v1",
            Self::ProposalParts => b"heitje/proposal-parts/v1",
            Self::PeerProof => b"heitje/peer-proof/v1",
            Self::PaymentRequest => b"heitje/payment-request/v1",
            Self::Registry => b"heitje/registry/v1",
            Self::StaffRead => b"heitje/staff-read/v1",
            Self::Statement => b"heitje/statement/v1",
        }
    }
}

/// What is being hashed. Each kind has its own blake3 key-derivation context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    /// Transaction id, over the canonical transaction body.
    TxId,
    /// Block id, over the canonical header.
    Block,
    /// Root over a block's transactions.
    TxRoot,
    /// Root over a block's receipts.
    ReceiptRoot,
    /// A state leaf: one key and its value.
    StateLeaf,
    /// A state bucket of leaves.
    StateBucket,
    /// An inner node of the state tree.
    StateNode,
    /// The genesis document.
    Genesis,
    /// An evidence commitment: salt and content.
    Evidence,
    /// A public document (task description).
    Document,
    /// A verifier draw score: parent block hash, claim, submission and verifier (R-REV-2).
    VerifierDraw,
}

impl HashKind {
    const fn context(self) -> &'static str {
        match self {
            Self::TxId => "heitje 2026-11 transaction id",
            Self::Block => "heitje 2026-11 block header",
            Self::TxRoot => "heitje 2026-11 transaction root",
            Self::ReceiptRoot => "heitje 2026-11 receipt root",
            Self::StateLeaf => "heitje 2026-11 state leaf",
            Self::StateBucket => "heitje 2026-11 state bucket",
            Self::StateNode => "heitje 2026-11 state node",
            Self::Genesis => "heitje 2026-11 genesis",
            Self::Evidence => "heitje 2026-11 evidence commitment",
            Self::Document => "heitje 2026-11 public document",
            Self::VerifierDraw => "heitje 2026-12 verifier draw",
        }
    }

    /// A hasher for this kind.
    pub fn hasher(self) -> blake3::Hasher {
        blake3::Hasher::new_derive_key(self.context())
    }

    /// Hashes one byte string as this kind.
    pub fn hash(self, bytes: &[u8]) -> Hash {
        Hash(*self.hasher().update(bytes).finalize().as_bytes())
    }
}

/// A 64-byte ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Signature(pub [u8; 64]);

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

impl Encode for Signature {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
}

impl Decode for Signature {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        reader.array("signature").map(Self)
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = hex::decode(text).map_err(serde::de::Error::custom)?;
        let array: [u8; 64] = bytes.try_into().map_err(|_| serde::de::Error::custom("signature must be 64 bytes"))?;
        Ok(Self(array))
    }
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// The public key is not a valid ed25519 point.
    #[error("the signer's public key is not a valid ed25519 key")]
    BadKey,
    /// The signature does not verify under `verify_strict`.
    #[error("the signature does not match the signer and the signed bytes")]
    Mismatch,
}

fn message(domain: Domain, chain_id: &ChainId, bytes: &[u8]) -> Vec<u8> {
    let tag = domain.tag();
    let chain = chain_id.as_str().as_bytes();
    let mut msg = Vec::with_capacity(tag.len() + 1 + chain.len() + bytes.len());
    msg.extend_from_slice(tag);
    // Chain ids are at most 32 bytes (ChainId::MAX_LEN), so the length fits one byte.
    msg.push(u8::try_from(chain.len()).unwrap_or(u8::MAX));
    msg.extend_from_slice(chain);
    msg.extend_from_slice(bytes);
    msg
}

/// Signs `bytes` for `domain` on `chain_id`.
pub fn sign(key: &SigningKey, domain: Domain, chain_id: &ChainId, bytes: &[u8]) -> Signature {
    Signature(key.sign(&message(domain, chain_id, bytes)).to_bytes())
}

/// Verifies a signature with `verify_strict` (R-SIG-1).
pub fn verify(
    signer: &AccountId,
    domain: Domain,
    chain_id: &ChainId,
    bytes: &[u8],
    signature: &Signature,
) -> Result<(), SignatureError> {
    let key = VerifyingKey::from_bytes(&signer.0).map_err(|_| SignatureError::BadKey)?;
    key.verify_strict(&message(domain, chain_id, bytes), &DalekSignature::from_bytes(&signature.0))
        .map_err(|_| SignatureError::Mismatch)
}

/// The account a signing key controls.
pub fn account_of(key: &SigningKey) -> AccountId {
    AccountId(key.verifying_key().to_bytes())
}

/// Derives the account key from a BIP39 seed (the 64 bytes of `Mnemonic::to_seed("")`).
///
/// The wallet and the genesis tooling both use this, so a restored phrase always yields the
/// same account.
pub fn signing_key_from_seed(seed: &[u8; 64]) -> SigningKey {
    let secret = blake3::derive_key("heitje 2026-11 wallet ed25519 account key", seed);
    SigningKey::from_bytes(&secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ChainId {
        ChainId::new("heerlen-test").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn r_sig_1_signatures_bind_domain_and_chain() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let who = account_of(&key);
        let sig = sign(&key, Domain::Transaction, &chain(), b"pay");
        assert_eq!(verify(&who, Domain::Transaction, &chain(), b"pay", &sig), Ok(()));
        let other_chain = ChainId::new("heerlen-other").unwrap_or_else(|_| unreachable!());
        assert_eq!(verify(&who, Domain::Transaction, &other_chain, b"pay", &sig), Err(SignatureError::Mismatch));
        assert_eq!(verify(&who, Domain::Vote, &chain(), b"pay", &sig), Err(SignatureError::Mismatch));
        assert_eq!(verify(&who, Domain::Transaction, &chain(), b"pax", &sig), Err(SignatureError::Mismatch));
    }

    #[test]
    fn r_sig_1_small_order_keys_are_refused() {
        // The identity point is a valid encoding but small-order: verify_strict must refuse it.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let sig = Signature([0; 64]);
        assert!(verify(&AccountId(identity), Domain::Transaction, &chain(), b"x", &sig).is_err());
    }

    #[test]
    fn r_hash_1_hash_kinds_differ() {
        assert_ne!(HashKind::TxId.hash(b"x"), HashKind::Block.hash(b"x"));
    }
}
