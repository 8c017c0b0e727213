//! Transactions: what an account asks the ledger to do, and the signed envelope around it.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::codec::{Decode, DecodeError, Encode, Reader};
use crate::crypto::{self, Domain, HashKind, Signature, SignatureError};
use crate::primitives::{
    AccountId, Amount, BudgetCode, ChainId, ClaimId, Hash, IdempotencyKey, Nonce, PaymentRef, PayoutRef, ProposalId,
    RedemptionId, Role, TaskId, Timestamp, WorkOrderRef,
};
use crate::{codec_newtype_enum, codec_struct, codec_unit_enum};

/// The largest encoded signed transaction accepted anywhere (R-TX-4).
pub const MAX_TX_BYTES: usize = 1024;
/// Most redemptions one [`SettleBatch`] settles (R-RED-6). The largest batch, with the longest
/// chain id and payout reference, still fits in [`MAX_TX_BYTES`] (184 + 8 bytes per id).
pub const MAX_SETTLE_BATCH: usize = 100;

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
    /// R-RED-4: set the flat fee every redemption pays into the treasury.
    SetRedemptionFee {
        /// The fee, at most [`crate::state::MAX_REDEMPTION_FEE`].
        fee: Amount,
    },
    /// R-RED-5: set the smallest amount a merchant may redeem.
    SetRedemptionMinimum {
        /// The minimum, at most [`crate::state::MAX_REDEMPTION_MIN`].
        min: Amount,
    },
    /// R-OBJ-1, R-REV-3, R-REV-6, R-CAP-1: set the task-review rules.
    SetTaskRules {
        /// Objection window in milliseconds of block time.
        objection_window_ms: u64,
        /// Resubmission window in milliseconds.
        resubmit_window_ms: u64,
        /// Annual earning cap per resident.
        annual_cap: Amount,
        /// Largest share of one worker's draws per verifier, in percent.
        max_review_share_pct: u8,
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
            Self::SetRedemptionFee { fee } => {
                out.push(8);
                fee.encode(out);
            }
            Self::SetRedemptionMinimum { min } => {
                out.push(9);
                min.encode(out);
            }
            Self::SetTaskRules { objection_window_ms, resubmit_window_ms, annual_cap, max_review_share_pct } => {
                out.push(10);
                objection_window_ms.encode(out);
                resubmit_window_ms.encode(out);
                annual_cap.encode(out);
                max_review_share_pct.encode(out);
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
            8 => Self::SetRedemptionFee { fee: Decode::decode(reader)? },
            9 => Self::SetRedemptionMinimum { min: Decode::decode(reader)? },
            10 => Self::SetTaskRules {
                objection_window_ms: Decode::decode(reader)?,
                resubmit_window_ms: Decode::decode(reader)?,
                annual_cap: Decode::decode(reader)?,
                max_review_share_pct: Decode::decode(reader)?,
            },
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
    /// R-TASK-10: the maintenance department's work order this task is additional to.
    pub work_order: WorkOrderRef,
    /// R-REV-1: approvals a claim needs (k), 1 to `reviewers`.
    pub approvals: u8,
    /// R-REV-1: verifiers drawn for each submission (n), 1 to [`crate::state::MAX_REVIEWERS`].
    pub reviewers: u8,
    /// Keep it as a draft: no escrow and no claims until [`OpenTask`].
    pub draft: bool,
}
codec_struct!(PostTask { budget, reward, slots, deadline, description, work_order, approvals, reviewers, draft });

/// The posting officer publishes a draft task; its escrow moves from the budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenTask {
    /// The task.
    pub task: TaskId,
}
codec_struct!(OpenTask { task });

/// During the objection window an officer or a verifier objects to an approval (R-OBJ-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectToWork {
    /// The claim.
    pub claim: ClaimId,
    /// Why, as a code.
    pub reason: RejectReason,
}
codec_struct!(ObjectToWork { claim, reason });

/// An officer upholds or dismisses a verifier's objection (R-OBJ-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveObjection {
    /// The claim.
    pub claim: ClaimId,
    /// `true` rejects the work; `false` lets the window run out and pay.
    pub uphold: bool,
}
codec_struct!(ResolveObjection { claim, uphold });

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
    /// R-PRIV-3: the evidence store erases the record at this block time.
    pub retain_until: Timestamp,
}
codec_struct!(SubmitWork { claim, evidence, retain_until });

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
    /// The reviewer and the worker are too close (an objection).
    ConflictOfInterest,
    /// The work is regular maintenance, not additional to it (an objection).
    NotAdditional,
}
codec_unit_enum!(RejectReason {
    Incomplete = 1,
    EvidenceUnclear = 2,
    WrongLocation = 3,
    QualityInsufficient = 4,
    Duplicate = 5,
    ConflictOfInterest = 6,
    NotAdditional = 7,
});

impl RejectReason {
    /// Every reason, in code order.
    pub const ALL: [Self; 7] = [
        Self::Incomplete,
        Self::EvidenceUnclear,
        Self::WrongLocation,
        Self::QualityInsufficient,
        Self::Duplicate,
        Self::ConflictOfInterest,
        Self::NotAdditional,
    ];

    /// The snake-case code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::EvidenceUnclear => "evidence_unclear",
            Self::WrongLocation => "wrong_location",
            Self::QualityInsufficient => "quality_insufficient",
            Self::Duplicate => "duplicate",
            Self::ConflictOfInterest => "conflict_of_interest",
            Self::NotAdditional => "not_additional",
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

/// A resident pays a shop's payment request: amount, the shop's reference, its expiry and the
/// till that showed it (R-SHOP-1..3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pay {
    /// The shop; must hold the merchant role.
    pub merchant: AccountId,
    /// How much.
    pub amount: Amount,
    /// The shop's order or receipt number; paid at most once per shop.
    pub reference: PaymentRef,
    /// The request is refused in blocks after this time.
    pub expires_at: Timestamp,
    /// The till account that created the request, if any; must be linked to the shop.
    pub till: Option<AccountId>,
}
codec_struct!(Pay { merchant, amount, reference, expires_at, till });

/// A merchant links a receive-only till account for its staff (R-SHOP-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkTill {
    /// The till's key.
    pub till: AccountId,
}
codec_struct!(LinkTill { till });

/// A merchant unlinks one of its tills, effective at once (R-SHOP-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkTill {
    /// The till's key.
    pub till: AccountId,
}
codec_struct!(UnlinkTill { till });

/// A merchant burns coins and opens a payout obligation in euros. Retrying with the same key
/// burns nothing again (R-RED-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redeem {
    /// How much is paid out in euros; the redemption fee comes on top.
    pub amount: Amount,
    /// Chosen by the client once per redemption and reused for its retries.
    pub key: IdempotencyKey,
}
codec_struct!(Redeem { amount, key });

/// The treasurer records that a redemption was paid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleRedemption {
    /// The redemption.
    pub redemption: RedemptionId,
    /// The payout reference of the bank transfer.
    pub reference: PayoutRef,
}
codec_struct!(SettleRedemption { redemption, reference });

/// The treasurer records that one payout batch paid these redemptions (R-RED-6): all of them
/// or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleBatch {
    /// The payout reference of the batch.
    pub reference: PayoutRef,
    /// 1 to [`MAX_SETTLE_BATCH`] distinct pending redemptions.
    pub redemptions: Vec<RedemptionId>,
}

impl Encode for SettleBatch {
    fn encode(&self, out: &mut Vec<u8>) {
        self.reference.encode(out);
        crate::codec::put_list(out, &self.redemptions);
    }
}

crate::described_struct!(SettleBatch { reference, redemptions });

impl crate::schema::Described for CouncilAction {
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        let field = |name: &'static str, shape: Shape| (name, shape);
        Shape::Variants {
            name: "CouncilAction",
            variants: vec![
                ("Mint", vec![field("amount", Amount::shape())]),
                ("GrantRole", vec![field("account", AccountId::shape()), field("role", Role::shape())]),
                ("RevokeRole", vec![field("account", AccountId::shape()), field("role", Role::shape())]),
                ("SetThreshold", vec![field("threshold", u8::shape())]),
                ("AddValidator", vec![field("key", AccountId::shape()), field("power", u64::shape())]),
                ("RemoveValidator", vec![field("key", AccountId::shape())]),
                ("RotateValidatorKey", vec![field("old", AccountId::shape()), field("new", AccountId::shape())]),
                ("SetRedemptionFee", vec![field("fee", Amount::shape())]),
                ("SetRedemptionMinimum", vec![field("min", Amount::shape())]),
                (
                    "SetTaskRules",
                    vec![
                        field("objection_window_ms", u64::shape()),
                        field("resubmit_window_ms", u64::shape()),
                        field("annual_cap", Amount::shape()),
                        field("max_review_share_pct", u8::shape()),
                    ],
                ),
            ],
        }
    }
}

impl Decode for SettleBatch {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            reference: Decode::decode(reader)?,
            redemptions: reader.list("batch redemptions", MAX_SETTLE_BATCH)?,
        })
    }
}

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
    /// See [`Pay`].
    Pay(Pay),
    /// See [`LinkTill`].
    LinkTill(LinkTill),
    /// See [`UnlinkTill`].
    UnlinkTill(UnlinkTill),
    /// See [`SettleBatch`].
    SettleBatch(SettleBatch),
    /// See [`OpenTask`].
    OpenTask(OpenTask),
    /// See [`ObjectToWork`].
    ObjectToWork(ObjectToWork),
    /// See [`ResolveObjection`].
    ResolveObjection(ResolveObjection),
}
// Retired tags, never reused: 8 (`PostTask` without work order and review rule), 10
// (`SubmitWork` without a retention date), 14 (`Redeem` without an idempotency key).
codec_newtype_enum!(Action {
    Transfer = 1,
    Propose = 2,
    Approve = 3,
    FundBudget = 4,
    DefundBudget = 5,
    Enroll = 6,
    Unenroll = 7,
    PostTask = 21,
    ClaimTask = 9,
    SubmitWork = 22,
    ApproveWork = 11,
    RejectWork = 12,
    CancelTask = 13,
    SettleRedemption = 15,
    Pay = 16,
    LinkTill = 17,
    UnlinkTill = 18,
    Redeem = 19,
    SettleBatch = 20,
    OpenTask = 23,
    ObjectToWork = 24,
    ResolveObjection = 25,
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
            Self::Pay(_) => "pay",
            Self::LinkTill(_) => "link_till",
            Self::UnlinkTill(_) => "unlink_till",
            Self::SettleBatch(_) => "settle_batch",
            Self::OpenTask(_) => "open_task",
            Self::ObjectToWork(_) => "object_to_work",
            Self::ResolveObjection(_) => "resolve_objection",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_red_6_the_largest_batch_fits_in_a_transaction_and_a_larger_one_does_not_decode() {
        let longest = |len: usize| "A".repeat(len);
        let batch = |n: u64| SettleBatch {
            reference: PayoutRef::new(&longest(PayoutRef::MAX_LEN)).expect("valid"),
            redemptions: (1..=n).map(RedemptionId).collect(),
        };
        let chain_id = ChainId::new(&"a".repeat(ChainId::MAX_LEN)).expect("valid");
        let tx = Tx {
            chain_id,
            signer: AccountId([1; 32]),
            nonce: Nonce(u64::MAX),
            action: Action::SettleBatch(batch(MAX_SETTLE_BATCH as u64)),
        };
        let signed = tx.sign(&SigningKey::from_bytes(&[1; 32]));
        let bytes = signed.to_bytes();
        assert!(bytes.len() <= MAX_TX_BYTES, "{} bytes", bytes.len());
        assert_eq!(SignedTx::decode_checked(&bytes), Ok(signed));
        let too_many = batch(MAX_SETTLE_BATCH as u64 + 1).to_bytes();
        assert!(matches!(SettleBatch::from_bytes(&too_many), Err(DecodeError::TooLong { .. })));
    }

    #[test]
    fn r_red_3_idempotency_keys_read_as_32_hex_characters() {
        let key = IdempotencyKey([0xab; 16]);
        assert_eq!(key.to_string().parse::<IdempotencyKey>(), Ok(key));
        assert!("abcd".parse::<IdempotencyKey>().is_err());
        let json = serde_json::to_string(&key).expect("serializes");
        assert_eq!(json, format!("\"{}\"", "ab".repeat(16)));
    }
}
