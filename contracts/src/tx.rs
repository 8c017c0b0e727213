//! Transactions: what an account asks the ledger to do, and the signed envelope around it.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::codec::{Decode, DecodeError, Encode, Reader};
use crate::crypto::{self, Domain, HashKind, Signature, SignatureError};
use crate::primitives::{
    AccountId, Amount, BudgetCode, ChainId, ClaimId, Hash, Nonce, PayoutRef, ProposalId, RedemptionId, Role, TaskId,
    Timestamp,
};
use crate::{codec_newtype_enum, codec_struct, codec_unit_enum};

/// The largest encoded signed transaction accepted anywhere (R-TX-4).
pub const MAX_TX_BYTES: usize = 1024;

/// Pay coins to another account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Who receives the coins.
    pub recipient: AccountId,
    /// How much.
    pub amount: Amount,
}
codec_struct!(Transfer { recipient, amount });

/// What the council can decide, by k-of-n approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CouncilAction {
    /// Create new coins in the treasury.
    Mint {
        /// How much.
        amount: Amount,
    },
    /// Give an account a role.
    GrantRole {
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// Take a role away.
    RevokeRole {
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// Change how many council approvals a proposal needs.
    SetThreshold {
        /// The new threshold.
        threshold: u8,
    },
    /// R-VAL-3: add a validator (effective after [`crate::state::VALIDATOR_CHANGE_DELAY`]).
    AddValidator {
        /// Its consensus key.
        key: AccountId,
        /// Its voting power.
        power: u64,
    },
    /// R-VAL-3: remove a validator.
    RemoveValidator {
        /// Its consensus key.
        key: AccountId,
    },
    /// R-VAL-3: replace a validator's key, keeping its power.
    RotateValidatorKey {
        /// The key in the set.
        old: AccountId,
        /// The key that replaces it.
        new: AccountId,
    },
}

impl Encode for CouncilAction {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Mint { amount } => {
                out.push(1);
                amount.encode(out);
            }
            Self::GrantRole { account, role } => {
                out.push(2);
                account.encode(out);
                role.encode(out);
            }
            Self::RevokeRole { account, role } => {
                out.push(3);
                account.encode(out);
                role.encode(out);
            }
            Self::SetThreshold { threshold } => {
                out.push(4);
                threshold.encode(out);
            }
            Self::AddValidator { key, power } => {
                out.push(5);
                key.encode(out);
                power.encode(out);
            }
            Self::RemoveValidator { key } => {
                out.push(6);
                key.encode(out);
            }
            Self::RotateValidatorKey { old, new } => {
                out.push(7);
                old.encode(out);
                new.encode(out);
            }
        }
    }
}

impl Decode for CouncilAction {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match reader.u8("council action")? {
            1 => Self::Mint { amount: Decode::decode(reader)? },
            2 => Self::GrantRole { account: Decode::decode(reader)?, role: Decode::decode(reader)? },
            3 => Self::RevokeRole { account: Decode::decode(reader)?, role: Decode::decode(reader)? },
            4 => Self::SetThreshold { threshold: Decode::decode(reader)? },
            5 => Self::AddValidator { key: Decode::decode(reader)?, power: Decode::decode(reader)? },
            6 => Self::RemoveValidator { key: Decode::decode(reader)? },
            7 => Self::RotateValidatorKey { old: Decode::decode(reader)?, new: Decode::decode(reader)? },
            tag => return Err(DecodeError::UnknownTag { tag, what: "council action" }),
        })
    }
}

/// A council member proposes an action; the proposal counts as their approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Propose {
    /// What is proposed.
    pub action: CouncilAction,
}
codec_struct!(Propose { action });

/// Another council member approves a proposal; at the threshold it executes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approve {
    /// Which proposal.
    pub proposal: ProposalId,
}
codec_struct!(Approve { proposal });

/// The treasurer moves coins from the treasury into a neighbourhood budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundBudget {
    /// The budget, created on first funding.
    pub budget: BudgetCode,
    /// How much.
    pub amount: Amount,
}
codec_struct!(FundBudget { budget, amount });

/// The treasurer returns unused budget to the treasury.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefundBudget {
    /// The budget.
    pub budget: BudgetCode,
    /// How much.
    pub amount: Amount,
}
codec_struct!(DefundBudget { budget, amount });

/// The registrar enrolls a resident's account. No personal data: only the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enroll {
    /// The resident's account.
    pub account: AccountId,
}
codec_struct!(Enroll { account });

/// The registrar ends an enrolment. The account keeps its coins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unenroll {
    /// The resident's account.
    pub account: AccountId,
}
codec_struct!(Unenroll { account });

/// An officer posts a task; `reward × slots` moves from the budget into escrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostTask {
    /// The budget that pays.
    pub budget: BudgetCode,
    /// Reward for each slot.
    pub reward: Amount,
    /// How many residents can do the task.
    pub slots: u16,
    /// Work must be submitted before this block time.
    pub deadline: Timestamp,
    /// Commitment to the public description, kept in the node's document store.
    pub description: Hash,
}
codec_struct!(PostTask { budget, reward, slots, deadline, description });

/// An enrolled resident claims one slot of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimTask {
    /// The task.
    pub task: TaskId,
}
codec_struct!(ClaimTask { task });

/// The resident submits work: a commitment to evidence held off chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitWork {
    /// The claim.
    pub claim: ClaimId,
    /// Salted blake3 commitment to the evidence in the node's evidence store.
    pub evidence: Hash,
}
codec_struct!(SubmitWork { claim, evidence });

/// A verifier approves submitted work; escrow pays the reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproveWork {
    /// The claim.
    pub claim: ClaimId,
}
codec_struct!(ApproveWork { claim });

/// Why a verifier rejected work. A code the resident can see, never free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The work is not finished.
    Incomplete,
    /// The evidence does not show the work.
    EvidenceUnclear,
    /// The work was done somewhere else.
    WrongLocation,
    /// The work does not meet the task's standard.
    QualityInsufficient,
    /// The same work was submitted before.
    Duplicate,
}
codec_unit_enum!(RejectReason {
    Incomplete = 1,
    EvidenceUnclear = 2,
    WrongLocation = 3,
    QualityInsufficient = 4,
    Duplicate = 5,
});

impl RejectReason {
    /// Every reason, in code order.
    pub const ALL: [Self; 5] =
        [Self::Incomplete, Self::EvidenceUnclear, Self::WrongLocation, Self::QualityInsufficient, Self::Duplicate];

    /// The snake-case code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::EvidenceUnclear => "evidence_unclear",
            Self::WrongLocation => "wrong_location",
            Self::QualityInsufficient => "quality_insufficient",
            Self::Duplicate => "duplicate",
        }
    }
}

impl std::str::FromStr for RejectReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().replace('-', "_");
        Self::ALL.into_iter().find(|r| r.code() == wanted).ok_or_else(|| {
            let codes: Vec<&str> = Self::ALL.iter().map(|r| r.code()).collect();
            format!("unknown reason {s:?}; use one of: {}", codes.join(", "))
        })
    }
}

/// A verifier rejects submitted work with a reason code; the slot opens again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectWork {
    /// The claim.
    pub claim: ClaimId,
    /// Why.
    pub reason: RejectReason,
}
codec_struct!(RejectWork { claim, reason });

/// The posting officer cancels a task; every unpaid slot goes back to the budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelTask {
    /// The task.
    pub task: TaskId,
}
codec_struct!(CancelTask { task });

/// A merchant burns coins and opens a payout obligation in euros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redeem {
    /// How much.
    pub amount: Amount,
}
codec_struct!(Redeem { amount });

/// The treasurer records that a redemption was paid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleRedemption {
    /// The redemption.
    pub redemption: RedemptionId,
    /// The payout reference of the bank transfer.
    pub reference: PayoutRef,
}
codec_struct!(SettleRedemption { redemption, reference });

/// Everything a transaction can ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// See [`Transfer`].
    Transfer(Transfer),
    /// See [`Propose`].
    Propose(Propose),
    /// See [`Approve`].
    Approve(Approve),
    /// See [`FundBudget`].
    FundBudget(FundBudget),
    /// See [`DefundBudget`].
    DefundBudget(DefundBudget),
    /// See [`Enroll`].
    Enroll(Enroll),
    /// See [`Unenroll`].
    Unenroll(Unenroll),
    /// See [`PostTask`].
    PostTask(PostTask),
    /// See [`ClaimTask`].
    ClaimTask(ClaimTask),
    /// See [`SubmitWork`].
    SubmitWork(SubmitWork),
    /// See [`ApproveWork`].
    ApproveWork(ApproveWork),
    /// See [`RejectWork`].
    RejectWork(RejectWork),
    /// See [`CancelTask`].
    CancelTask(CancelTask),
    /// See [`Redeem`].
    Redeem(Redeem),
    /// See [`SettleRedemption`].
    SettleRedemption(SettleRedemption),
}
codec_newtype_enum!(Action {
    Transfer = 1,
    Propose = 2,
    Approve = 3,
    FundBudget = 4,
    DefundBudget = 5,
    Enroll = 6,
    Unenroll = 7,
    PostTask = 8,
    ClaimTask = 9,
    SubmitWork = 10,
    ApproveWork = 11,
    RejectWork = 12,
    CancelTask = 13,
    Redeem = 14,
    SettleRedemption = 15,
});

impl Action {
    /// A short name for tables and logs.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Transfer(_) => "transfer",
            Self::Propose(_) => "propose",
            Self::Approve(_) => "approve",
            Self::FundBudget(_) => "fund_budget",
            Self::DefundBudget(_) => "defund_budget",
            Self::Enroll(_) => "enroll",
            Self::Unenroll(_) => "unenroll",
            Self::PostTask(_) => "post_task",
            Self::ClaimTask(_) => "claim_task",
            Self::SubmitWork(_) => "submit_work",
            Self::ApproveWork(_) => "approve_work",
            Self::RejectWork(_) => "reject_work",
            Self::CancelTask(_) => "cancel_task",
            Self::Redeem(_) => "redeem",
            Self::SettleRedemption(_) => "settle_redemption",
        }
    }
}

/// A transaction body: who, which nonce, on which chain, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tx {
    /// R-TX-1: the chain this transaction is for; anything else refuses it.
    pub chain_id: ChainId,
    /// The signing account.
    pub signer: AccountId,
    /// R-TX-2: must equal the signer's current nonce.
    pub nonce: Nonce,
    /// What to do.
    pub action: Action,
}
codec_struct!(Tx { chain_id, signer, nonce, action });

impl Tx {
    /// The transaction id: a hash of the canonical body (one id per signer and nonce intent).
    pub fn id(&self) -> Hash {
        HashKind::TxId.hash(&self.to_bytes())
    }

    /// Signs the body with `key`. The key must belong to `self.signer`.
    pub fn sign(self, key: &SigningKey) -> SignedTx {
        let signature = crypto::sign(key, Domain::Transaction, &self.chain_id, &self.to_bytes());
        SignedTx { tx: self, signature }
    }
}

/// A transaction with its signature, as submitted and as stored in blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTx {
    /// The body.
    pub tx: Tx,
    /// ed25519 signature by `tx.signer` over the body (R-SIG-1).
    pub signature: Signature,
}
codec_struct!(SignedTx { tx, signature });

impl SignedTx {
    /// The transaction id.
    pub fn id(&self) -> Hash {
        self.tx.id()
    }

    /// Checks the signature with `verify_strict` against the body's chain id.
    pub fn verify_signature(&self) -> Result<(), SignatureError> {
        crypto::verify(&self.tx.signer, Domain::Transaction, &self.tx.chain_id, &self.tx.to_bytes(), &self.signature)
    }

    /// Decodes a signed transaction from outside bytes, enforcing the size cap (R-TX-4).
    pub fn decode_checked(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_TX_BYTES {
            return Err(DecodeError::TooLong { what: "transaction", len: bytes.len(), max: MAX_TX_BYTES });
        }
        Self::from_bytes(bytes)
    }
}
