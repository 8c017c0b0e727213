//! Signing and verification of votes, proposals and peer proofs with ed25519-dalek.
//!
//! Every signature covers `domain tag ‖ chain id ‖ canonical bytes` (see `contracts::crypto`)
//! and is checked with `verify_strict`. A precommit for a block signs exactly the message that
//! [`contracts::CommitCert::verify`] checks, so a Malachite commit certificate is a ledger
//! commit certificate.

use async_trait::async_trait;
use contracts::block::{VoteKind, vote_message};
use contracts::codec::Encode;
use contracts::crypto::{self, Domain, Signature};
use contracts::{AccountId, ChainId, Hash};
use ed25519_dalek::{SigningKey, VerifyingKey};
use malachitebft_app_channel::app::types::core::{
    NilOrVal, Round, SignedMessage, ValidatorProof, VoteExtensionScope, VoteType,
};
use malachitebft_signing::{Error as SigningError, Signer, VerificationResult, Verifier};

use crate::context::{Height, LedgerCtx, Proposal, Vote};
use crate::guard::SignGuard;

fn round_u32(round: Round) -> Option<u32> {
    round.as_u32()
}

/// The bytes signed for a vote, or `None` when the vote has no defined round.
pub(crate) fn vote_bytes(vote: &Vote) -> Option<Vec<u8>> {
    let kind = match vote.kind {
        VoteType::Prevote => VoteKind::Prevote,
        VoteType::Precommit => VoteKind::Precommit,
    };
    let block = match &vote.value {
        NilOrVal::Nil => None,
        NilOrVal::Val(hash) => Some(&hash.0),
    };
    Some(vote_message(kind, vote.height.0, round_u32(vote.round)?, block))
}

/// The bytes signed for a proposal.
pub(crate) fn proposal_bytes(proposal: &Proposal) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(84);
    proposal.height.0.encode(&mut out);
    round_u32(proposal.round)?.encode(&mut out);
    proposal.value.0.encode(&mut out);
    round_u32(proposal.pol_round).encode(&mut out);
    proposal.proposer.0.encode(&mut out);
    Some(out)
}

/// The bytes the proposer signs at the end of a streamed block.
pub(crate) fn parts_bytes(height: Height, round: u32, block: &Hash) -> Vec<u8> {
    let mut out = Vec::with_capacity(44);
    height.0.encode(&mut out);
    round.encode(&mut out);
    block.encode(&mut out);
    out
}

fn verify(key: &VerifyingKey, domain: Domain, chain_id: &ChainId, bytes: Option<Vec<u8>>, sig: &Signature) -> bool {
    bytes.is_some_and(|bytes| crypto::verify(&AccountId(key.to_bytes()), domain, chain_id, &bytes, sig).is_ok())
}

/// Checks signatures of this chain.
#[derive(Debug, Clone)]
pub struct Checker {
    chain_id: ChainId,
}

impl Checker {
    /// A checker for `chain_id`.
    pub fn new(chain_id: ChainId) -> Self {
        Self { chain_id }
    }

    /// Whether the validator named in `vote` signed it.
    pub(crate) fn verify_vote(&self, vote: &Vote, sig: &Signature) -> bool {
        VerifyingKey::from_bytes(&vote.validator.0.0)
            .is_ok_and(|key| verify(&key, Domain::Vote, &self.chain_id, vote_bytes(vote), sig))
    }

    /// Whether the proposer `signer` signed the end of the block stream for `(height, round, block)`.
    pub(crate) fn verify_parts(
        &self,
        signer: &AccountId,
        height: Height,
        round: u32,
        block: &Hash,
        sig: &Signature,
    ) -> bool {
        crypto::verify(signer, Domain::ProposalParts, &self.chain_id, &parts_bytes(height, round, block), sig).is_ok()
    }
}

#[async_trait]
impl Verifier<LedgerCtx> for Checker {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &VerifyingKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(verify(public_key, Domain::Vote, &self.chain_id, vote_bytes(vote), signature)))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &VerifyingKey,
    ) -> Result<VerificationResult, SigningError> {
        let bytes = proposal_bytes(proposal);
        Ok(VerificationResult::from_bool(verify(public_key, Domain::Proposal, &self.chain_id, bytes, signature)))
    }

    async fn verify_signed_vote_extension(
        &self,
        _scope: &VoteExtensionScope<LedgerCtx>,
        _extension: &(),
        _signature: &Signature,
        _public_key: &VerifyingKey,
    ) -> Result<VerificationResult, SigningError> {
        // Vote extensions are disabled on this chain: none is ever valid.
        Ok(VerificationResult::Invalid)
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<LedgerCtx>,
    ) -> Result<VerificationResult, SigningError> {
        let Ok(key) = <[u8; 32]>::try_from(proof.public_key.as_slice()) else {
            return Ok(VerificationResult::Invalid);
        };
        let bytes = ValidatorProof::<LedgerCtx>::signing_bytes(&proof.public_key, &proof.peer_id);
        let ok = crypto::verify(&AccountId(key), Domain::PeerProof, &self.chain_id, &bytes, &proof.signature).is_ok();
        Ok(VerificationResult::from_bool(ok))
    }
}

/// Signs as one validator of this chain.
#[derive(Clone)]
pub struct Keys {
    key: SigningKey,
    checker: Checker,
    guard: SignGuard,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys({})", crypto::account_of(&self.key))
    }
}

impl Keys {
    /// Keys of the validator `key` on `chain_id`; votes and proposals pass `guard` first.
    pub fn new(key: SigningKey, chain_id: ChainId, guard: SignGuard) -> Self {
        Self { key, checker: Checker::new(chain_id), guard }
    }

    fn guarded(&self, height: Height) -> Result<(), SigningError> {
        self.guard.before_signing(height.0.0).map_err(|err| {
            tracing::error!(%err, "double-sign guard refused to sign");
            SigningError::from_source(err.to_string())
        })
    }

    /// The validator's account.
    pub fn account(&self) -> AccountId {
        crypto::account_of(&self.key)
    }

    /// The checker for the same chain.
    pub fn checker(&self) -> Checker {
        self.checker.clone()
    }

    fn sign(&self, domain: Domain, bytes: &[u8]) -> Signature {
        crypto::sign(&self.key, domain, &self.checker.chain_id, bytes)
    }

    /// Signs the end of a block stream.
    pub(crate) fn sign_parts(&self, height: Height, round: u32, block: &Hash) -> Signature {
        self.sign(Domain::ProposalParts, &parts_bytes(height, round, block))
    }

    /// Signs the binding between this validator's key and its libp2p peer id.
    pub fn peer_proof(&self, peer_id: Vec<u8>) -> ValidatorProof<LedgerCtx> {
        let public_key = self.key.verifying_key().to_bytes().to_vec();
        let bytes = ValidatorProof::<LedgerCtx>::signing_bytes(&public_key, &peer_id);
        let signature = self.sign(Domain::PeerProof, &bytes);
        ValidatorProof::new(public_key, peer_id, signature)
    }
}

fn undefined_round() -> SigningError {
    SigningError::from_source("refusing to sign a message without a defined round")
}

#[async_trait]
impl Signer<LedgerCtx> for Keys {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<LedgerCtx, Vote>, SigningError> {
        let bytes = vote_bytes(&vote).ok_or_else(undefined_round)?;
        self.guarded(vote.height)?;
        let signature = self.sign(Domain::Vote, &bytes);
        Ok(SignedMessage::new(vote, signature))
    }

    async fn sign_proposal(&self, proposal: Proposal) -> Result<SignedMessage<LedgerCtx, Proposal>, SigningError> {
        let bytes = proposal_bytes(&proposal).ok_or_else(undefined_round)?;
        self.guarded(proposal.height)?;
        let signature = self.sign(Domain::Proposal, &bytes);
        Ok(SignedMessage::new(proposal, signature))
    }

    async fn sign_vote_extension(
        &self,
        _scope: VoteExtensionScope<LedgerCtx>,
        _extension: (),
    ) -> Result<SignedMessage<LedgerCtx, ()>, SigningError> {
        Err(SigningError::from_source("vote extensions are disabled on this chain"))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<LedgerCtx>, SigningError> {
        if public_key != self.key.verifying_key().to_bytes() {
            return Err(SigningError::from_source("asked to prove a public key that is not this validator's"));
        }
        Ok(self.peer_proof(peer_id))
    }
}
