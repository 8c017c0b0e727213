//! The Malachite `Context` for the Heitje ledger: heights, validators, votes, proposals and
//! proposal parts, all as thin wrappers around the ledger's own types.
//!
//! A consensus value is the hash of a block. The block itself travels as proposal parts (see
//! `parts.rs`) and is kept by the driver until it is decided.

use std::fmt;

use bytes::Bytes;
use contracts::crypto::Signature;
use contracts::{AccountId, Hash};
use ed25519_dalek::{SigningKey, VerifyingKey};
use malachitebft_app_channel::app::types::core::{
    self as mc, LinearTimeouts, NilOrVal, Round, SignedExtension, VoteType, VotingPower,
};

/// The ledger's consensus context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerCtx;

/// A block height as consensus sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Height(pub contracts::Height);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mc::Height for Height {
    const ZERO: Self = Self(contracts::Height(0));
    // Genesis is height 0; consensus decides from height 1.
    const INITIAL: Self = Self(contracts::Height(1));

    fn increment_by(&self, n: u64) -> Self {
        Self(contracts::Height(self.0.0.saturating_add(n)))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.0.checked_sub(n).map(|h| Self(contracts::Height(h)))
    }

    fn as_u64(&self) -> u64 {
        self.0.0
    }
}

/// A validator's address: its ed25519 public key, shown in bech32 like any account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub AccountId);

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mc::Address for Address {}

/// The value consensus agrees on: a block hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockHash(pub Hash);

impl fmt::Display for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_hex())
    }
}

impl mc::Value for BlockHash {
    type Id = Self;

    fn id(&self) -> Self {
        *self
    }
}

/// The signing scheme: ed25519, checked with `verify_strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ed25519;

/// A malformed key or signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub &'static str);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl mc::SigningScheme for Ed25519 {
    type DecodingError = KeyError;
    type Signature = Signature;
    type PublicKey = VerifyingKey;
    type PrivateKey = SigningKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, KeyError> {
        let array: [u8; 64] = bytes.try_into().map_err(|_| KeyError("a signature is 64 bytes"))?;
        Ok(Signature(array))
    }

    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<VerifyingKey, KeyError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| KeyError("a public key is 32 bytes"))?;
        VerifyingKey::from_bytes(&array).map_err(|_| KeyError("not an ed25519 public key"))
    }

    fn encode_public_key(public_key: &VerifyingKey) -> Vec<u8> {
        public_key.to_bytes().to_vec()
    }
}

/// A validator and its voting power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    /// Address (the public key as an account id).
    pub address: Address,
    /// The key votes are checked with.
    pub public_key: VerifyingKey,
    /// Voting power.
    pub power: VotingPower,
}

impl mc::Validator<LedgerCtx> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.public_key
    }

    fn voting_power(&self) -> VotingPower {
        self.power
    }
}

/// The validators of one height, sorted by address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
}

/// A validator list that cannot drive consensus.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorSetError {
    /// No validators.
    #[error("the validator set is empty")]
    Empty,
    /// A key is not an ed25519 point.
    #[error("validator {0} does not have a valid ed25519 key")]
    BadKey(AccountId),
    /// A validator appears twice.
    #[error("validator {0} appears twice")]
    Duplicate(AccountId),
    /// A validator has no power, or the total overflows.
    #[error("validator powers must be positive and sum to at most 2^63")]
    Power,
}

impl ValidatorSet {
    /// Builds a set from the ledger's `(account, power)` list.
    pub fn new(validators: &[(AccountId, u64)]) -> Result<Self, ValidatorSetError> {
        let mut list = Vec::with_capacity(validators.len());
        let mut total: u64 = 0;
        for (id, power) in validators {
            let public_key = VerifyingKey::from_bytes(&id.0).map_err(|_| ValidatorSetError::BadKey(*id))?;
            if *power == 0 {
                return Err(ValidatorSetError::Power);
            }
            total = total.checked_add(*power).filter(|t| *t <= 1 << 63).ok_or(ValidatorSetError::Power)?;
            list.push(Validator { address: Address(*id), public_key, power: *power });
        }
        if list.is_empty() {
            return Err(ValidatorSetError::Empty);
        }
        list.sort_by_key(|a| a.address);
        if let Some(pair) = list.windows(2).find(|pair| pair[0].address == pair[1].address) {
            return Err(ValidatorSetError::Duplicate(pair[0].address.0));
        }
        Ok(Self { validators: list })
    }

    /// The validators, sorted by address.
    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    /// The ledger's view: `(account, power)` pairs.
    pub fn to_ledger(&self) -> Vec<(AccountId, u64)> {
        self.validators.iter().map(|v| (v.address.0, v.power)).collect()
    }
}

impl mc::ValidatorSet<LedgerCtx> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> VotingPower {
        self.validators.iter().map(|v| v.power).sum()
    }

    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.validators.binary_search_by(|v| v.address.cmp(address)).ok().map(|i| &self.validators[i])
    }

    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// A prevote or precommit. Votes never carry extensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Vote {
    /// Prevote or precommit.
    pub kind: VoteType,
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block voted for, or nil.
    pub value: NilOrVal<BlockHash>,
    /// The voter.
    pub validator: Address,
}

impl mc::Vote<LedgerCtx> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BlockHash> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BlockHash> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        self.kind
    }

    fn validator_address(&self) -> &Address {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<LedgerCtx>> {
        None
    }

    fn take_extension(&mut self) -> Option<SignedExtension<LedgerCtx>> {
        None
    }

    fn extend(self, _extension: SignedExtension<LedgerCtx>) -> Self {
        // Vote extensions are disabled; an extension is never attached.
        self
    }
}

/// A proposal: the proposer's signed claim that `value` is its block for `(height, round)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The proposed block's hash.
    pub value: BlockHash,
    /// Proof-of-lock round, or nil for a fresh block.
    pub pol_round: Round,
    /// The proposer.
    pub proposer: Address,
}

impl mc::Proposal<LedgerCtx> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BlockHash {
        &self.value
    }

    fn take_value(self) -> BlockHash {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// One part of a streamed block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalPart {
    /// First part: whose block, for which height and round.
    Init {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// The proposer.
        proposer: Address,
        /// Proof-of-lock round of the proposal.
        pol_round: Round,
    },
    /// A slice of the block's canonical bytes.
    Data(Bytes),
    /// Last part: the proposer's signature over `(height, round, block hash)`.
    Fin {
        /// The block hash.
        block: Hash,
        /// The proposer's signature (domain `ProposalParts`).
        signature: Signature,
    },
}

impl mc::ProposalPart<LedgerCtx> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, Self::Init { .. })
    }

    fn is_last(&self) -> bool {
        matches!(self, Self::Fin { .. })
    }
}

/// Round-robin proposer index for `(height, round)` over `count` validators.
pub(crate) fn proposer_index(height: Height, round: Round, count: usize) -> usize {
    let round = u64::from(round.as_u32().unwrap_or(0));
    let count = u64::try_from(count.max(1)).unwrap_or(u64::MAX);
    // The result is below `count`, which came from a usize.
    usize::try_from(height.0.0.wrapping_add(round) % count).unwrap_or(0)
}

impl mc::Context for LedgerCtx {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = BlockHash;
    type Vote = Vote;
    type Extension = ();
    type SigningScheme = Ed25519;

    fn select_proposer<'a>(&self, validator_set: &'a ValidatorSet, height: Height, round: Round) -> &'a Validator {
        let index = proposer_index(height, round, validator_set.validators.len());
        // A ValidatorSet is never empty (ValidatorSet::new refuses that), so index 0 exists.
        &validator_set.validators[index]
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: BlockHash,
        pol_round: Round,
        address: Address,
    ) -> Proposal {
        Proposal { height, round, value, pol_round, proposer: address }
    }

    fn new_prevote(&self, height: Height, round: Round, value_id: NilOrVal<BlockHash>, address: Address) -> Vote {
        Vote { kind: VoteType::Prevote, height, round, value: value_id, validator: address }
    }

    fn new_precommit(&self, height: Height, round: Round, value_id: NilOrVal<BlockHash>, address: Address) -> Vote {
        Vote { kind: VoteType::Precommit, height, round, value: value_id, validator: address }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachitebft_app_channel::app::types::core::{Context as _, ValidatorSet as _};

    fn set(n: u8) -> ValidatorSet {
        let ids: Vec<(AccountId, u64)> =
            (1..=n).map(|i| (contracts::crypto::account_of(&SigningKey::from_bytes(&[i; 32])), 1)).collect();
        ValidatorSet::new(&ids).expect("valid set")
    }

    #[test]
    fn proposer_rotates_over_heights_and_rounds() {
        let vs = set(4);
        let mut seen = std::collections::BTreeSet::new();
        for h in 1..=4 {
            seen.insert(LedgerCtx.select_proposer(&vs, Height(contracts::Height(h)), Round::new(0)).address);
        }
        assert_eq!(seen.len(), 4, "four heights in round 0 use four different proposers");
        let a = LedgerCtx.select_proposer(&vs, Height(contracts::Height(7)), Round::new(1)).address;
        let b = LedgerCtx.select_proposer(&vs, Height(contracts::Height(8)), Round::new(0)).address;
        assert_eq!(a, b, "round r at height h is the proposer of round 0 at height h + r");
    }

    #[test]
    fn validator_set_refuses_bad_lists() {
        assert_eq!(ValidatorSet::new(&[]), Err(ValidatorSetError::Empty));
        let id = contracts::crypto::account_of(&SigningKey::from_bytes(&[1; 32]));
        assert_eq!(ValidatorSet::new(&[(id, 1), (id, 1)]), Err(ValidatorSetError::Duplicate(id)));
        assert_eq!(ValidatorSet::new(&[(id, 0)]), Err(ValidatorSetError::Power));
        let vs = set(4);
        assert_eq!(vs.total_voting_power(), 4);
        let first = vs.validators()[0].address;
        assert_eq!(vs.get_by_address(&first).map(|v| v.address), Some(first));
    }
}
