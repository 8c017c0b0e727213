//! Ledger state: typed entries in one ordered map, a copy-on-write overlay for executing blocks
//! on scratch, and the state root.
//!
//! R-ROOT-1: the state root commits to every entry. Entries are hashed as leaves
//! (`key ‖ value`, canonical bytes), leaves are grouped into [`BUCKETS`] buckets by the first
//! bytes of the key's hash, and a binary tree over the bucket hashes gives the root. Only
//! buckets a block touches are rehashed, so the cost of a block grows with what it changes, not
//! with the size of the state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::{Decode, DecodeError, Encode, Reader, put_bytes};
use crate::crypto::HashKind;
use crate::error::Rejection;
use crate::primitives::{
    AccountId, Amount, BudgetCode, ClaimId, Hash, Height, IdempotencyKey, Nonce, PaymentRef, PayoutRef, ProposalId,
    RedemptionId, RoleSet, TaskId, Timestamp, WorkOrderRef,
};
use crate::tx::{CouncilAction, RejectReason};
use crate::{codec_struct, codec_unit_enum};

/// Number of buckets in the state commitment (a power of two).
pub const BUCKETS: usize = 4096;

/// Most approvals stored on one proposal (the council is small).
pub const MAX_COUNCIL: usize = 64;
/// Most slots a task may have (R-TASK-2).
pub const MAX_SLOTS: u16 = 1000;
/// Most validators in a set.
pub const MAX_VALIDATORS: usize = 64;
/// Most voting power of one validator.
pub const MAX_VALIDATOR_POWER: u64 = 1_000_000;
/// R-VAL-2: a validator-set change approved in the block at height `h` decides blocks from
/// height `h + VALIDATOR_CHANGE_DELAY`, the same on every node.
pub const VALIDATOR_CHANGE_DELAY: u64 = 3;
/// Most tills one merchant may link (R-SHOP-4).
pub const MAX_TILLS: u16 = 32;
/// Highest redemption fee the council may set: 100.00 coins (R-RED-4).
pub const MAX_REDEMPTION_FEE: Amount = Amount(10_000);
/// Highest redemption minimum the council may set: 10,000.00 coins (R-RED-5).
pub const MAX_REDEMPTION_MIN: Amount = Amount(1_000_000);

/// An account's ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Account {
    /// Spendable coins.
    pub balance: Amount,
    /// The nonce the next transaction must carry.
    pub nonce: Nonce,
    /// Roles granted by the council.
    pub roles: RoleSet,
    /// Enrolled as a resident by the registrar.
    pub enrolled: bool,
}
codec_struct!(Account { balance, nonce, roles, enrolled });

/// A neighbourhood budget.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Budget {
    /// Coins available for new tasks.
    pub balance: Amount,
}
codec_struct!(Budget { balance });

/// Where a task stands (R-TASK-1..11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Accepting claims until the deadline while slots remain.
    Open,
    /// Cancelled by its poster; unpaid escrow went back to the budget.
    Cancelled,
    /// Written by an officer but not published: no escrow, no claims.
    Draft,
    /// The deadline passed: escrow of free slots went back to the budget; claims under review
    /// finish.
    Expired,
}
codec_unit_enum!(TaskStatus { Open = 1, Cancelled = 2, Draft = 3, Expired = 4 });

/// A posted task with its escrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The officer who posted it.
    pub poster: AccountId,
    /// The budget that funded it.
    pub budget: BudgetCode,
    /// Reward per slot.
    pub reward: Amount,
    /// Number of slots.
    pub slots: u16,
    /// Work must be submitted before this block time.
    pub deadline: Timestamp,
    /// Commitment to the public description.
    pub description: Hash,
    /// Coins held for unpaid slots.
    pub escrow: Amount,
    /// Slots already paid.
    pub rewarded: u16,
    /// Claims that hold a slot: live or rewarded (at most `slots`).
    pub claims: Vec<ClaimId>,
    /// Status.
    pub status: TaskStatus,
    /// When it was posted.
    pub posted_at: Timestamp,
    /// R-TASK-10: the maintenance work order this task is additional to.
    pub work_order: WorkOrderRef,
    /// R-REV-1: approvals a claim needs (k).
    pub approvals: u8,
    /// R-REV-1: verifiers drawn for each submission (n).
    pub reviewers: u8,
}

crate::described_struct!(Task {
    poster,
    budget,
    reward,
    slots,
    deadline,
    description,
    escrow,
    rewarded,
    claims,
    status,
    posted_at,
    work_order,
    approvals,
    reviewers
});

impl Encode for Task {
    fn encode(&self, out: &mut Vec<u8>) {
        self.poster.encode(out);
        self.budget.encode(out);
        self.reward.encode(out);
        self.slots.encode(out);
        self.deadline.encode(out);
        self.description.encode(out);
        self.escrow.encode(out);
        self.rewarded.encode(out);
        crate::codec::put_list(out, &self.claims);
        self.status.encode(out);
        self.posted_at.encode(out);
        self.work_order.encode(out);
        self.approvals.encode(out);
        self.reviewers.encode(out);
    }
}

impl Decode for Task {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            poster: Decode::decode(reader)?,
            budget: Decode::decode(reader)?,
            reward: Decode::decode(reader)?,
            slots: Decode::decode(reader)?,
            deadline: Decode::decode(reader)?,
            description: Decode::decode(reader)?,
            escrow: Decode::decode(reader)?,
            rewarded: Decode::decode(reader)?,
            claims: reader.list("claims", usize::from(MAX_SLOTS))?,
            status: Decode::decode(reader)?,
            posted_at: Decode::decode(reader)?,
            work_order: Decode::decode(reader)?,
            approvals: Decode::decode(reader)?,
            reviewers: Decode::decode(reader)?,
        })
    }
}

impl Task {
    /// Slots neither claimed nor paid.
    pub fn free_slots(&self) -> u16 {
        let taken = u16::try_from(self.claims.len()).unwrap_or(u16::MAX);
        self.slots.saturating_sub(taken)
    }

    /// Claims holding a slot that are not paid yet.
    pub fn live_claims(&self) -> u16 {
        u16::try_from(self.claims.len()).unwrap_or(u16::MAX).saturating_sub(self.rewarded)
    }
}

/// Where a claim stands (R-TASK-3..9, R-REV-*, R-OBJ-*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Slot held; work not yet submitted.
    Claimed,
    /// Work submitted and verifiers drawn; no verdict yet.
    Submitted,
    /// Approved by k verifiers: the objection window is open; nothing is paid yet.
    InObjectionWindow,
    /// Rejected with reason codes. While `resubmit_until` is set the worker may submit once
    /// more; after that the slot is free.
    Rejected,
    /// The task was cancelled before this claim was paid.
    Cancelled,
    /// At least one verifier voted; k approvals are not reached and rejection is not certain.
    UnderReview,
    /// A verifier objected during the window; an officer decides.
    Objected,
    /// The window closed without a successful objection; the reward is paid.
    Rewarded,
    /// The deadline passed before the work was submitted.
    Expired,
}
codec_unit_enum!(ClaimStatus {
    Claimed = 1,
    Submitted = 2,
    InObjectionWindow = 3,
    Rejected = 4,
    Cancelled = 5,
    UnderReview = 6,
    Objected = 7,
    Rewarded = 8,
    Expired = 9,
});

impl ClaimStatus {
    /// Holds a slot and its escrow and may still be paid.
    pub const fn is_live(self) -> bool {
        matches!(self, Self::Claimed | Self::Submitted | Self::UnderReview | Self::InObjectionWindow | Self::Objected)
    }

    /// Waiting for a verifier's vote.
    pub const fn awaits_review(self) -> bool {
        matches!(self, Self::Submitted | Self::UnderReview)
    }
}

/// Most verifiers drawn for one submission (R-REV-1).
pub const MAX_REVIEWERS: u8 = 7;
/// Most verifiers in the pool (R-REV-2).
pub const MAX_VERIFIERS: usize = 4096;

/// One verifier's verdict on a submission: `None` approves, a reason rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// The verifier.
    pub verifier: AccountId,
    /// Why it was rejected, or `None` for an approval.
    pub reason: Option<RejectReason>,
}
codec_struct!(Vote { verifier, reason });

/// An objection raised during the objection window (R-OBJ-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    /// Who objected: an officer or a verifier.
    pub by: AccountId,
    /// Why.
    pub reason: RejectReason,
    /// When.
    pub at: Timestamp,
}
codec_struct!(Objection { by, reason, at });

/// A resident's claim on one slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The task.
    pub task: TaskId,
    /// The resident doing the work.
    pub worker: AccountId,
    /// Status.
    pub status: ClaimStatus,
    /// Salted commitment to the evidence of the latest submission.
    pub evidence: Option<Hash>,
    /// The evidence store must erase the record by this block time (R-PRIV-3).
    pub retain_until: Option<Timestamp>,
    /// The reason code of the rejection or upheld objection, once decided.
    pub reason: Option<RejectReason>,
    /// When it was claimed.
    pub claimed_at: Timestamp,
    /// Submissions so far: 1, or 2 after a resubmission (R-REV-6).
    pub submissions: u8,
    /// When the latest submission was made.
    pub submitted_at: Option<Timestamp>,
    /// The verifiers drawn for the latest submission (R-REV-2).
    pub reviewers: Vec<AccountId>,
    /// Their votes on the latest submission, in voting order.
    pub votes: Vec<Vote>,
    /// When the objection window closes (R-OBJ-1).
    pub window_closes: Option<Timestamp>,
    /// The objection raised in the window, if any.
    pub objection: Option<Objection>,
    /// Until when the worker may resubmit after a rejection (R-REV-6).
    pub resubmit_until: Option<Timestamp>,
    /// When the claim reached its final status (rewarded, rejected, expired, cancelled).
    pub closed_at: Option<Timestamp>,
}

crate::described_struct!(Claim {
    task,
    worker,
    status,
    evidence,
    retain_until,
    reason,
    claimed_at,
    submissions,
    submitted_at,
    reviewers,
    votes,
    window_closes,
    objection,
    resubmit_until,
    closed_at
});

impl Encode for Claim {
    fn encode(&self, out: &mut Vec<u8>) {
        self.task.encode(out);
        self.worker.encode(out);
        self.status.encode(out);
        self.evidence.encode(out);
        self.retain_until.encode(out);
        self.reason.encode(out);
        self.claimed_at.encode(out);
        self.submissions.encode(out);
        self.submitted_at.encode(out);
        crate::codec::put_list(out, &self.reviewers);
        crate::codec::put_list(out, &self.votes);
        self.window_closes.encode(out);
        self.objection.encode(out);
        self.resubmit_until.encode(out);
        self.closed_at.encode(out);
    }
}

impl Decode for Claim {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            task: Decode::decode(reader)?,
            worker: Decode::decode(reader)?,
            status: Decode::decode(reader)?,
            evidence: Decode::decode(reader)?,
            retain_until: Decode::decode(reader)?,
            reason: Decode::decode(reader)?,
            claimed_at: Decode::decode(reader)?,
            submissions: Decode::decode(reader)?,
            submitted_at: Decode::decode(reader)?,
            reviewers: reader.list("reviewers", usize::from(MAX_REVIEWERS))?,
            votes: reader.list("votes", usize::from(MAX_REVIEWERS))?,
            window_closes: Decode::decode(reader)?,
            objection: Decode::decode(reader)?,
            resubmit_until: Decode::decode(reader)?,
            closed_at: Decode::decode(reader)?,
        })
    }
}

impl Claim {
    /// A new claim, just made.
    pub fn new(task: TaskId, worker: AccountId, claimed_at: Timestamp) -> Self {
        Self {
            task,
            worker,
            status: ClaimStatus::Claimed,
            evidence: None,
            retain_until: None,
            reason: None,
            claimed_at,
            submissions: 0,
            submitted_at: None,
            reviewers: Vec::new(),
            votes: Vec::new(),
            window_closes: None,
            objection: None,
            resubmit_until: None,
            closed_at: None,
        }
    }

    /// Approvals of the latest submission.
    pub fn approvals(&self) -> usize {
        self.votes.iter().filter(|v| v.reason.is_none()).count()
    }

    /// Rejections of the latest submission.
    pub fn rejections(&self) -> usize {
        self.votes.iter().filter(|v| v.reason.is_some()).count()
    }
}

/// What falls due at a block time (R-DUE-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum DueItem {
    /// A task's deadline: it expires.
    TaskDeadline(TaskId),
    /// A claim's objection window closes: pay unless objected.
    ObjectionWindow(ClaimId),
    /// A rejected claim's resubmission right lapses: free the slot.
    ResubmitLapse(ClaimId),
}

impl Encode for DueItem {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::TaskDeadline(id) => {
                out.push(1);
                id.encode(out);
            }
            Self::ObjectionWindow(id) => {
                out.push(2);
                id.encode(out);
            }
            Self::ResubmitLapse(id) => {
                out.push(3);
                id.encode(out);
            }
        }
    }
}

impl Decode for DueItem {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match reader.u8("due item")? {
            1 => Self::TaskDeadline(Decode::decode(reader)?),
            2 => Self::ObjectionWindow(Decode::decode(reader)?),
            3 => Self::ResubmitLapse(Decode::decode(reader)?),
            tag => return Err(DecodeError::UnknownTag { tag, what: "due item" }),
        })
    }
}

impl crate::schema::Described for DueItem {
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        Shape::Variants {
            name: "DueItem",
            variants: vec![
                ("TaskDeadline", vec![("0", TaskId::shape())]),
                ("ObjectionWindow", vec![("0", ClaimId::shape())]),
                ("ResubmitLapse", vec![("0", ClaimId::shape())]),
            ],
        }
    }
}

impl DueItem {
    /// The smallest item, for range scans.
    pub const FIRST: Self = Self::TaskDeadline(TaskId(0));
    /// The largest item, for range scans.
    pub const LAST: Self = Self::ResubmitLapse(ClaimId(u64::MAX));
}

/// R-CAP-1: what a resident has earned and has reserved by live claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Earner {
    /// Rewards of live claims, counted against the cap from the moment of claiming.
    pub reserved: Amount,
    /// Verifier draws for this worker's submissions so far (R-REV-3).
    pub reviews: u32,
}
codec_struct!(Earner { reserved, reviews });

/// Where a redemption stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionStatus {
    /// Burned; euros not yet paid.
    Pending,
    /// Paid out; see the reference.
    Settled,
}
codec_unit_enum!(RedemptionStatus { Pending = 1, Settled = 2 });

/// A merchant's redemption: coins burned, euros owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redemption {
    /// The merchant.
    pub merchant: AccountId,
    /// Coins burned = euros owed.
    pub amount: Amount,
    /// The redemption fee moved from the merchant to the treasury (R-RED-4); not burned.
    pub fee: Amount,
    /// Status.
    pub status: RedemptionStatus,
    /// Block time of the burn.
    pub created_at: Timestamp,
    /// Payout reference once settled.
    pub reference: Option<PayoutRef>,
    /// Block time of the settlement.
    pub settled_at: Option<Timestamp>,
}
codec_struct!(Redemption { merchant, amount, fee, status, created_at, reference, settled_at });

/// R-SHOP-1: a paid payment request, under its shop and reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// Who paid.
    pub payer: AccountId,
    /// How much.
    pub amount: Amount,
    /// The height of the block that holds the payment.
    pub height: Height,
    /// That block's time.
    pub time: Timestamp,
    /// The till that showed the request, if any.
    pub till: Option<AccountId>,
}
codec_struct!(PaymentRecord { payer, amount, height, time, till });

/// R-SHOP-4: a till account and the merchant it works for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TillLink {
    /// The merchant.
    pub merchant: AccountId,
}
codec_struct!(TillLink { merchant });

/// What the ledger keeps about a merchant beyond its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MerchantRecord {
    /// Tills linked now, at most [`MAX_TILLS`].
    pub tills: u16,
}
codec_struct!(MerchantRecord { tills });

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Collecting approvals.
    Open,
    /// Reached the threshold and executed.
    Executed,
}
codec_unit_enum!(ProposalStatus { Open = 1, Executed = 2 });

/// A council proposal collecting approvals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Who proposed it.
    pub proposer: AccountId,
    /// What it does.
    pub action: CouncilAction,
    /// Council members who approved, in ascending order (the proposer included).
    pub approvals: Vec<AccountId>,
    /// Status.
    pub status: ProposalStatus,
    /// Block time of the proposal.
    pub created_at: Timestamp,
    /// Approvals after this block time are refused.
    pub expires_at: Timestamp,
}

crate::described_struct!(Proposal { proposer, action, approvals, status, created_at, expires_at });

impl Encode for Proposal {
    fn encode(&self, out: &mut Vec<u8>) {
        self.proposer.encode(out);
        self.action.encode(out);
        crate::codec::put_list(out, &self.approvals);
        self.status.encode(out);
        self.created_at.encode(out);
        self.expires_at.encode(out);
    }
}

impl Decode for Proposal {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            proposer: Decode::decode(reader)?,
            action: Decode::decode(reader)?,
            approvals: reader.list("approvals", MAX_COUNCIL)?,
            status: Decode::decode(reader)?,
            created_at: Decode::decode(reader)?,
            expires_at: Decode::decode(reader)?,
        })
    }
}

/// Chain parameters, set in genesis and changed by the council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Council approvals a proposal needs.
    pub council_threshold: u8,
    /// How long a proposal stays open, in milliseconds of block time.
    pub proposal_ttl_ms: u64,
    /// R-RED-4: flat fee of every redemption, moved to the treasury; 0.00 unless set.
    #[serde(default)]
    pub redemption_fee: Amount,
    /// R-RED-5: smallest amount a merchant may redeem; 0.00 unless set.
    #[serde(default)]
    pub redemption_min: Amount,
    /// R-OBJ-1: how long an approval waits for objections before paying, in milliseconds of
    /// block time (48 hours unless set).
    #[serde(default = "Params::default_objection_window_ms")]
    pub objection_window_ms: u64,
    /// R-REV-6: how long a rejected worker may resubmit, in milliseconds (7 days unless set).
    #[serde(default = "Params::default_resubmit_window_ms")]
    pub resubmit_window_ms: u64,
    /// R-CAP-1: most rewards one resident may earn in a calendar year (1,500.00 unless set).
    #[serde(default = "Params::default_annual_cap")]
    pub annual_cap: Amount,
    /// R-REV-3: largest share, in percent, of one worker's verifier draws that one verifier
    /// may take (50 unless set).
    #[serde(default = "Params::default_review_share")]
    pub max_review_share_pct: u8,
}
codec_struct!(Params {
    council_threshold,
    proposal_ttl_ms,
    redemption_fee,
    redemption_min,
    objection_window_ms,
    resubmit_window_ms,
    annual_cap,
    max_review_share_pct
});

/// Longest objection window the council may set: 30 days (R-OBJ-1).
pub const MAX_OBJECTION_WINDOW_MS: u64 = 30 * 86_400_000;
/// Highest annual cap the council may set: 100,000.00 coins (R-CAP-1).
pub const MAX_ANNUAL_CAP: Amount = Amount(10_000_000);

impl Params {
    /// 48 hours.
    pub const fn default_objection_window_ms() -> u64 {
        48 * 3_600_000
    }

    /// 7 days.
    pub const fn default_resubmit_window_ms() -> u64 {
        7 * 86_400_000
    }

    /// EUR 1,500.
    pub const fn default_annual_cap() -> Amount {
        Amount(150_000)
    }

    /// 50 percent.
    pub const fn default_review_share() -> u8 {
        50
    }

    /// R-OBJ-1, R-CAP-1, R-REV-3: the task-review parameters are within bounds.
    pub fn check_task_rules(&self) -> Result<(), Rejection> {
        if self.objection_window_ms > MAX_OBJECTION_WINDOW_MS || self.resubmit_window_ms > MAX_OBJECTION_WINDOW_MS {
            return Err(Rejection::WindowTooLong { max_ms: MAX_OBJECTION_WINDOW_MS });
        }
        if self.annual_cap > MAX_ANNUAL_CAP {
            return Err(Rejection::AnnualCapTooHigh { cap: self.annual_cap, max: MAX_ANNUAL_CAP });
        }
        if self.max_review_share_pct == 0 || self.max_review_share_pct > 100 {
            return Err(Rejection::ReviewShareOutOfRange(self.max_review_share_pct));
        }
        Ok(())
    }

    /// R-RED-4: a redemption fee is at most [`MAX_REDEMPTION_FEE`].
    pub fn check_redemption_fee(fee: Amount) -> Result<(), Rejection> {
        if fee > MAX_REDEMPTION_FEE {
            return Err(Rejection::RedemptionFeeTooHigh { fee, max: MAX_REDEMPTION_FEE });
        }
        Ok(())
    }

    /// R-RED-5: a redemption minimum is at most [`MAX_REDEMPTION_MIN`].
    pub fn check_redemption_min(min: Amount) -> Result<(), Rejection> {
        if min > MAX_REDEMPTION_MIN {
            return Err(Rejection::RedemptionMinimumTooHigh { min, max: MAX_REDEMPTION_MIN });
        }
        Ok(())
    }
}

/// Chain-wide figures: treasury, supply counters and id counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Globals {
    /// Minted coins not yet moved into a budget.
    pub treasury: Amount,
    /// All coins ever minted.
    pub minted: Amount,
    /// All coins ever burned by redemption.
    pub burned: Amount,
    /// Burned coins whose redemption is settled.
    pub settled: Amount,
    /// Redemption fees ever moved from merchants to the treasury (R-RED-4).
    pub redemption_fees: Amount,
    /// Parameters.
    pub params: Params,
    /// Next task id.
    pub next_task: TaskId,
    /// Next claim id.
    pub next_claim: ClaimId,
    /// Next redemption id; ids are never reused (R-RED-1).
    pub next_redemption: RedemptionId,
    /// Next proposal id.
    pub next_proposal: ProposalId,
    /// Number of accounts holding the council role.
    pub council_size: u8,
}
codec_struct!(Globals {
    treasury,
    minted,
    burned,
    settled,
    redemption_fees,
    params,
    next_task,
    next_claim,
    next_redemption,
    next_proposal,
    council_size
});

/// A validator and its voting power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ValidatorEntry {
    /// The validator's consensus key (also its libp2p identity).
    pub key: AccountId,
    /// Voting power.
    pub power: u64,
}
codec_struct!(ValidatorEntry { key, power });

/// A validator set and the first height it decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledSet {
    /// The first height this set decides.
    pub from: Height,
    /// The validators, in ascending key order.
    pub validators: Vec<ValidatorEntry>,
}

crate::described_struct!(ScheduledSet { from, validators });

impl Encode for ScheduledSet {
    fn encode(&self, out: &mut Vec<u8>) {
        self.from.encode(out);
        crate::codec::put_list(out, &self.validators);
    }
}

impl Decode for ScheduledSet {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { from: Decode::decode(reader)?, validators: reader.list("validators", MAX_VALIDATORS)? })
    }
}

/// Most sets a schedule holds: the one in force and one per height of the delay (a change
/// approved at height `h` is pruned down to the sets `h + 1 ..= h + DELAY` need).
const MAX_SCHEDULED_SETS: usize = VALIDATOR_CHANGE_DELAY as usize + 1;

/// R-VAL-1: the validator sets in force and scheduled, ascending by `from`. The first entry is
/// the set in force at the state's height; later ones wait for their height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorSchedule {
    /// The sets.
    pub sets: Vec<ScheduledSet>,
}

crate::described_struct!(ValidatorSchedule { sets });

impl Encode for ValidatorSchedule {
    fn encode(&self, out: &mut Vec<u8>) {
        crate::codec::put_list(out, &self.sets);
    }
}

impl Decode for ValidatorSchedule {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { sets: reader.list("validator sets", MAX_SCHEDULED_SETS)? })
    }
}

impl ValidatorSchedule {
    /// The set that decides `height`: the last one scheduled from that height or earlier.
    pub fn at(&self, height: Height) -> Option<&[ValidatorEntry]> {
        self.sets.iter().rev().find(|s| s.from <= height).map(|s| s.validators.as_slice())
    }

    /// The newest set, scheduled or in force: the base for the next change.
    pub fn latest(&self) -> &[ValidatorEntry] {
        self.sets.last().map_or(&[], |s| s.validators.as_slice())
    }

    /// Every key in any set of the schedule (for the peer allow-list), ascending.
    pub fn all_keys(&self) -> Vec<AccountId> {
        let mut keys: Vec<_> = self.sets.iter().flat_map(|s| s.validators.iter().map(|v| v.key)).collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// The key of a state entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// The single [`Globals`] entry.
    Globals,
    /// An account.
    Account(AccountId),
    /// A budget.
    Budget(BudgetCode),
    /// A task.
    Task(TaskId),
    /// A claim.
    Claim(ClaimId),
    /// A redemption.
    Redemption(RedemptionId),
    /// A proposal.
    Proposal(ProposalId),
    /// The single [`ValidatorSchedule`] entry.
    Validators,
    /// A paid payment request: the shop and its reference (R-SHOP-3).
    Payment(AccountId, PaymentRef),
    /// A till account (R-SHOP-4).
    Till(AccountId),
    /// A merchant's record (R-SHOP-4).
    Merchant(AccountId),
    /// A merchant's redemption idempotency key (R-RED-3).
    RedeemKey(AccountId, IdempotencyKey),
    /// Something that falls due at a block time (R-DUE-1).
    Due(Timestamp, DueItem),
    /// The single verifier pool (R-REV-2).
    Verifiers,
    /// How often a verifier was drawn for a worker (R-REV-3): (worker, verifier).
    ReviewPair(AccountId, AccountId),
    /// A resident's reservations and draws (R-CAP-1).
    Earner(AccountId),
    /// Rewards a resident was paid in a calendar year (R-CAP-1, R-CAP-3).
    Earned(AccountId, u16),
    /// A resident's claim on a task, kept for good: one claim per resident and task (R-TASK-3),
    /// and never a reviewer of a co-worker (R-REV-2).
    WorkedOn(TaskId, AccountId),
    /// Someone drawn to review, or who objected to, work on a task: never a co-worker on it
    /// (R-REV-2).
    Reviewed(TaskId, AccountId),
}

impl Encode for Key {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Globals => out.push(0),
            Self::Account(id) => {
                out.push(1);
                id.encode(out);
            }
            Self::Budget(code) => {
                out.push(2);
                put_bytes(out, code.as_str().as_bytes());
            }
            Self::Task(id) => {
                out.push(3);
                id.encode(out);
            }
            Self::Claim(id) => {
                out.push(4);
                id.encode(out);
            }
            Self::Redemption(id) => {
                out.push(5);
                id.encode(out);
            }
            Self::Proposal(id) => {
                out.push(6);
                id.encode(out);
            }
            Self::Validators => out.push(7),
            Self::Payment(merchant, reference) => {
                out.push(8);
                merchant.encode(out);
                reference.encode(out);
            }
            Self::Till(till) => {
                out.push(9);
                till.encode(out);
            }
            Self::Merchant(merchant) => {
                out.push(10);
                merchant.encode(out);
            }
            Self::RedeemKey(merchant, key) => {
                out.push(11);
                merchant.encode(out);
                key.encode(out);
            }
            Self::Due(time, item) => {
                out.push(12);
                time.encode(out);
                item.encode(out);
            }
            Self::Verifiers => out.push(13),
            Self::ReviewPair(worker, verifier) => {
                out.push(14);
                worker.encode(out);
                verifier.encode(out);
            }
            Self::Earner(account) => {
                out.push(15);
                account.encode(out);
            }
            Self::Earned(account, year) => {
                out.push(16);
                account.encode(out);
                year.encode(out);
            }
            Self::WorkedOn(task, account) => {
                out.push(17);
                task.encode(out);
                account.encode(out);
            }
            Self::Reviewed(task, account) => {
                out.push(18);
                task.encode(out);
                account.encode(out);
            }
        }
    }
}

impl Decode for Key {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match reader.u8("state key")? {
            0 => Self::Globals,
            1 => Self::Account(Decode::decode(reader)?),
            2 => Self::Budget(Decode::decode(reader)?),
            3 => Self::Task(Decode::decode(reader)?),
            4 => Self::Claim(Decode::decode(reader)?),
            5 => Self::Redemption(Decode::decode(reader)?),
            6 => Self::Proposal(Decode::decode(reader)?),
            7 => Self::Validators,
            8 => Self::Payment(Decode::decode(reader)?, Decode::decode(reader)?),
            9 => Self::Till(Decode::decode(reader)?),
            10 => Self::Merchant(Decode::decode(reader)?),
            11 => Self::RedeemKey(Decode::decode(reader)?, Decode::decode(reader)?),
            12 => Self::Due(Decode::decode(reader)?, Decode::decode(reader)?),
            13 => Self::Verifiers,
            14 => Self::ReviewPair(Decode::decode(reader)?, Decode::decode(reader)?),
            15 => Self::Earner(Decode::decode(reader)?),
            16 => Self::Earned(Decode::decode(reader)?, Decode::decode(reader)?),
            17 => Self::WorkedOn(Decode::decode(reader)?, Decode::decode(reader)?),
            18 => Self::Reviewed(Decode::decode(reader)?, Decode::decode(reader)?),
            tag => return Err(DecodeError::UnknownTag { tag, what: "state key" }),
        })
    }
}

/// The value of a state entry; its variant always matches its key's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// See [`Globals`].
    Globals(Globals),
    /// See [`Account`].
    Account(Account),
    /// See [`Budget`].
    Budget(Budget),
    /// See [`Task`].
    Task(Task),
    /// See [`Claim`].
    Claim(Claim),
    /// See [`Redemption`].
    Redemption(Redemption),
    /// See [`Proposal`].
    Proposal(Proposal),
    /// See [`ValidatorSchedule`].
    Validators(ValidatorSchedule),
    /// See [`PaymentRecord`].
    Payment(PaymentRecord),
    /// See [`TillLink`].
    Till(TillLink),
    /// See [`MerchantRecord`].
    Merchant(MerchantRecord),
    /// The redemption first made with the key (R-RED-3).
    RedeemKey(RedemptionId),
    /// A due marker; the key says everything.
    Due,
    /// See [`VerifierPool`].
    Verifiers(VerifierPool),
    /// Draws of a verifier for a worker.
    ReviewPair(u32),
    /// See [`Earner`].
    Earner(Earner),
    /// Rewards paid in a year.
    Earned(Amount),
    /// The claim a resident made on a task.
    WorkedOn(ClaimId),
    /// A review or objection marker; the key says everything.
    Reviewed,
}

/// R-REV-2: every account holding the verifier role, ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VerifierPool {
    /// The verifiers.
    pub members: Vec<AccountId>,
}

crate::described_struct!(VerifierPool { members });

impl Encode for VerifierPool {
    fn encode(&self, out: &mut Vec<u8>) {
        crate::codec::put_list(out, &self.members);
    }
}

impl Decode for VerifierPool {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { members: reader.list("verifiers", MAX_VERIFIERS)? })
    }
}

impl Encode for Value {
    fn encode(&self, out: &mut Vec<u8>) {
        // The key carries the type; the value bytes are the entity's own encoding.
        match self {
            Self::Globals(v) => v.encode(out),
            Self::Account(v) => v.encode(out),
            Self::Budget(v) => v.encode(out),
            Self::Task(v) => v.encode(out),
            Self::Claim(v) => v.encode(out),
            Self::Redemption(v) => v.encode(out),
            Self::Proposal(v) => v.encode(out),
            Self::Validators(v) => v.encode(out),
            Self::Payment(v) => v.encode(out),
            Self::Till(v) => v.encode(out),
            Self::Merchant(v) => v.encode(out),
            Self::RedeemKey(v) => v.encode(out),
            Self::Due => {}
            Self::Verifiers(v) => v.encode(out),
            Self::ReviewPair(v) => v.encode(out),
            Self::Earner(v) => v.encode(out),
            Self::Earned(v) => v.encode(out),
            Self::WorkedOn(v) => v.encode(out),
            Self::Reviewed => {}
        }
    }
}

impl Value {
    /// Decodes the value stored under `key`.
    pub fn decode_for(key: &Key, bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(match key {
            Key::Globals => Self::Globals(Globals::from_bytes(bytes)?),
            Key::Account(_) => Self::Account(Account::from_bytes(bytes)?),
            Key::Budget(_) => Self::Budget(Budget::from_bytes(bytes)?),
            Key::Task(_) => Self::Task(Task::from_bytes(bytes)?),
            Key::Claim(_) => Self::Claim(Claim::from_bytes(bytes)?),
            Key::Redemption(_) => Self::Redemption(Redemption::from_bytes(bytes)?),
            Key::Proposal(_) => Self::Proposal(Proposal::from_bytes(bytes)?),
            Key::Validators => Self::Validators(ValidatorSchedule::from_bytes(bytes)?),
            Key::Payment(..) => Self::Payment(PaymentRecord::from_bytes(bytes)?),
            Key::Till(_) => Self::Till(TillLink::from_bytes(bytes)?),
            Key::Merchant(_) => Self::Merchant(MerchantRecord::from_bytes(bytes)?),
            Key::RedeemKey(..) => Self::RedeemKey(RedemptionId::from_bytes(bytes)?),
            Key::Due(..) => {
                if !bytes.is_empty() {
                    return Err(DecodeError::Invalid { what: "due marker", reason: "must be empty" });
                }
                Self::Due
            }
            Key::Verifiers => Self::Verifiers(VerifierPool::from_bytes(bytes)?),
            Key::ReviewPair(..) => Self::ReviewPair(u32::from_bytes(bytes)?),
            Key::Earner(_) => Self::Earner(Earner::from_bytes(bytes)?),
            Key::Earned(..) => Self::Earned(Amount::from_bytes(bytes)?),
            Key::WorkedOn(..) => Self::WorkedOn(ClaimId::from_bytes(bytes)?),
            Key::Reviewed(..) => {
                if !bytes.is_empty() {
                    return Err(DecodeError::Invalid { what: "review marker", reason: "must be empty" });
                }
                Self::Reviewed
            }
        })
    }
}

impl crate::schema::Described for Value {
    /// R-PRIV-1: every kind of state value. The match below stops compiling when a variant is
    /// added, so the description cannot fall behind.
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        fn name(value: &Value) -> &'static str {
            match value {
                Value::Globals(_) => "Globals",
                Value::Account(_) => "Account",
                Value::Budget(_) => "Budget",
                Value::Task(_) => "Task",
                Value::Claim(_) => "Claim",
                Value::Redemption(_) => "Redemption",
                Value::Proposal(_) => "Proposal",
                Value::Validators(_) => "Validators",
                Value::Payment(_) => "Payment",
                Value::Till(_) => "Till",
                Value::Merchant(_) => "Merchant",
                Value::RedeemKey(_) => "RedeemKey",
                Value::Due => "Due",
                Value::Verifiers(_) => "Verifiers",
                Value::ReviewPair(_) => "ReviewPair",
                Value::Earner(_) => "Earner",
                Value::Earned(_) => "Earned",
                Value::WorkedOn(_) => "WorkedOn",
                Value::Reviewed => "Reviewed",
            }
        }
        // Referenced so that its exhaustive match is compiled: a new variant must be listed here.
        let _: fn(&Self) -> &'static str = name;
        let one = |shape: Shape| vec![("0", shape)];
        let variants = vec![
            ("Globals", one(Globals::shape())),
            ("Account", one(Account::shape())),
            ("Budget", one(Budget::shape())),
            ("Task", one(Task::shape())),
            ("Claim", one(Claim::shape())),
            ("Redemption", one(Redemption::shape())),
            ("Proposal", one(Proposal::shape())),
            ("Validators", one(ValidatorSchedule::shape())),
            ("Payment", one(PaymentRecord::shape())),
            ("Till", one(TillLink::shape())),
            ("Merchant", one(MerchantRecord::shape())),
            ("RedeemKey", one(RedemptionId::shape())),
            ("Due", vec![]),
            ("Verifiers", one(VerifierPool::shape())),
            ("ReviewPair", one(u32::shape())),
            ("Earner", one(Earner::shape())),
            ("Earned", one(Amount::shape())),
            ("WorkedOn", one(ClaimId::shape())),
            ("Reviewed", vec![]),
        ];
        Shape::Variants { name: "Value", variants }
    }
}

impl crate::schema::Described for Key {
    /// R-PRIV-1: every kind of state key; the match stops compiling when a variant is added.
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        fn fields(key: &Key) -> Vec<(&'static str, Shape)> {
            match key {
                Key::Globals | Key::Validators | Key::Verifiers => vec![],
                Key::Account(_) | Key::Till(_) | Key::Merchant(_) | Key::Earner(_) => {
                    vec![("account", AccountId::shape())]
                }
                Key::Budget(_) => vec![("code", BudgetCode::shape())],
                Key::Task(_) => vec![("task", TaskId::shape())],
                Key::Claim(_) => vec![("claim", ClaimId::shape())],
                Key::Redemption(_) => vec![("redemption", RedemptionId::shape())],
                Key::Proposal(_) => vec![("proposal", ProposalId::shape())],
                Key::Payment(..) => vec![("merchant", AccountId::shape()), ("reference", PaymentRef::shape())],
                Key::RedeemKey(..) => vec![("merchant", AccountId::shape()), ("key", IdempotencyKey::shape())],
                Key::Due(..) => vec![("time", Timestamp::shape()), ("item", DueItem::shape())],
                Key::ReviewPair(..) => vec![("worker", AccountId::shape()), ("verifier", AccountId::shape())],
                Key::Earned(..) => vec![("account", AccountId::shape()), ("year", u16::shape())],
                Key::WorkedOn(..) | Key::Reviewed(..) => {
                    vec![("task", TaskId::shape()), ("account", AccountId::shape())]
                }
            }
        }
        let a = AccountId([0; 32]);
        let samples = [
            ("Globals", Self::Globals),
            ("Account", Self::Account(a)),
            ("Budget", Self::Budget(BudgetCode::new("x").unwrap_or_else(|_| unreachable!()))),
            ("Task", Self::Task(TaskId(0))),
            ("Claim", Self::Claim(ClaimId(0))),
            ("Redemption", Self::Redemption(RedemptionId(0))),
            ("Proposal", Self::Proposal(ProposalId(0))),
            ("Validators", Self::Validators),
            ("Payment", Self::Payment(a, PaymentRef::new("x").unwrap_or_else(|_| unreachable!()))),
            ("Till", Self::Till(a)),
            ("Merchant", Self::Merchant(a)),
            ("RedeemKey", Self::RedeemKey(a, IdempotencyKey::default())),
            ("Due", Self::Due(Timestamp(0), DueItem::FIRST)),
            ("Verifiers", Self::Verifiers),
            ("ReviewPair", Self::ReviewPair(a, a)),
            ("Earner", Self::Earner(a)),
            ("Earned", Self::Earned(a, 0)),
            ("WorkedOn", Self::WorkedOn(TaskId(0), a)),
            ("Reviewed", Self::Reviewed(TaskId(0), a)),
        ];
        Shape::Variants { name: "Key", variants: samples.iter().map(|(n, k)| (*n, fields(k))).collect() }
    }
}

/// Changes from executing transactions: `None` deletes the entry.
pub type ChangeSet = BTreeMap<Key, Option<Value>>;

fn leaf_hash(key_bytes: &[u8], value: &Value) -> Hash {
    let mut hasher = HashKind::StateLeaf.hasher();
    let mut buf = Vec::new();
    put_bytes(&mut buf, key_bytes);
    value.encode(&mut buf);
    hasher.update(&buf);
    Hash(*hasher.finalize().as_bytes())
}

fn bucket_of(key_bytes: &[u8]) -> usize {
    let digest = blake3::hash(key_bytes);
    let bytes = digest.as_bytes();
    (usize::from(bytes[0]) << 8 | usize::from(bytes[1])) % BUCKETS
}

fn bucket_hash(leaves: &BTreeMap<Vec<u8>, Hash>) -> Hash {
    let mut hasher = HashKind::StateBucket.hasher();
    for (key, leaf) in leaves {
        let mut buf = Vec::with_capacity(key.len() + 36);
        put_bytes(&mut buf, key);
        buf.extend_from_slice(&leaf.0);
        hasher.update(&buf);
    }
    Hash(*hasher.finalize().as_bytes())
}

fn tree_root(level: &[Hash]) -> Hash {
    let mut level = level.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut hasher = HashKind::StateNode.hasher();
                for node in pair {
                    hasher.update(&node.0);
                }
                Hash(*hasher.finalize().as_bytes())
            })
            .collect();
    }
    level.first().copied().unwrap_or(Hash::ZERO)
}

/// The committed state, with its root kept up to date.
#[derive(Debug, Clone)]
pub struct State {
    entries: BTreeMap<Key, Value>,
    leaves: Vec<BTreeMap<Vec<u8>, Hash>>,
    bucket_hashes: Vec<Hash>,
    root: Hash,
}

impl State {
    /// A state holding `entries`.
    pub fn from_entries(entries: BTreeMap<Key, Value>) -> Self {
        let mut leaves = vec![BTreeMap::new(); BUCKETS];
        for (key, value) in &entries {
            let key_bytes = key.to_bytes();
            let bucket = bucket_of(&key_bytes);
            if let Some(slot) = leaves.get_mut(bucket) {
                let leaf = leaf_hash(&key_bytes, value);
                slot.insert(key_bytes, leaf);
            }
        }
        let bucket_hashes: Vec<Hash> = leaves.iter().map(bucket_hash).collect();
        let root = tree_root(&bucket_hashes);
        Self { entries, leaves, bucket_hashes, root }
    }

    /// The state root (R-ROOT-1).
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The entry under `key`.
    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.entries.get(key)
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.entries.iter()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn patched_buckets(&self, changes: &ChangeSet) -> BTreeMap<usize, BTreeMap<Vec<u8>, Hash>> {
        let mut patched: BTreeMap<usize, BTreeMap<Vec<u8>, Hash>> = BTreeMap::new();
        for (key, value) in changes {
            let key_bytes = key.to_bytes();
            let bucket = bucket_of(&key_bytes);
            let leaves = patched.entry(bucket).or_insert_with(|| self.leaves.get(bucket).cloned().unwrap_or_default());
            match value {
                Some(value) => {
                    let leaf = leaf_hash(&key_bytes, value);
                    leaves.insert(key_bytes, leaf);
                }
                None => {
                    leaves.remove(&key_bytes);
                }
            }
        }
        patched
    }

    /// The root the state would have after `changes`, without applying them.
    pub fn root_with(&self, changes: &ChangeSet) -> Hash {
        if changes.is_empty() {
            return self.root;
        }
        let mut hashes = self.bucket_hashes.clone();
        for (bucket, leaves) in self.patched_buckets(changes) {
            if let Some(slot) = hashes.get_mut(bucket) {
                *slot = bucket_hash(&leaves);
            }
        }
        tree_root(&hashes)
    }

    /// Applies `changes` and updates the root.
    pub fn apply(&mut self, changes: ChangeSet) {
        let patched = self.patched_buckets(&changes);
        for (bucket, leaves) in patched {
            if let (Some(slot), Some(hash)) = (self.leaves.get_mut(bucket), self.bucket_hashes.get_mut(bucket)) {
                *hash = bucket_hash(&leaves);
                *slot = leaves;
            }
        }
        self.root = tree_root(&self.bucket_hashes);
        for (key, value) in changes {
            match value {
                Some(value) => self.entries.insert(key, value),
                None => self.entries.remove(&key),
            };
        }
    }

    /// R-DUE-1: the first `limit` items due at or before `time`, in (time, item) order.
    pub fn due_until(&self, time: Timestamp, limit: usize) -> Vec<(Timestamp, DueItem)> {
        self.entries
            .range(Key::Due(Timestamp(0), DueItem::FIRST)..=Key::Due(time, DueItem::LAST))
            .filter_map(|(key, _)| match key {
                Key::Due(t, item) => Some((*t, *item)),
                _ => None,
            })
            .take(limit)
            .collect()
    }

    /// The chain-wide figures. Every valid state has them (genesis writes them).
    pub fn globals(&self) -> Option<&Globals> {
        match self.entries.get(&Key::Globals) {
            Some(Value::Globals(g)) => Some(g),
            _ => None,
        }
    }

    /// The validator schedule.
    pub fn validators(&self) -> Option<&ValidatorSchedule> {
        match self.entries.get(&Key::Validators) {
            Some(Value::Validators(v)) => Some(v),
            _ => None,
        }
    }

    /// An account.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        match self.entries.get(&Key::Account(*id)) {
            Some(Value::Account(a)) => Some(a),
            _ => None,
        }
    }

    /// A task.
    pub fn task(&self, id: TaskId) -> Option<&Task> {
        match self.entries.get(&Key::Task(id)) {
            Some(Value::Task(t)) => Some(t),
            _ => None,
        }
    }

    /// A claim.
    pub fn claim(&self, id: ClaimId) -> Option<&Claim> {
        match self.entries.get(&Key::Claim(id)) {
            Some(Value::Claim(c)) => Some(c),
            _ => None,
        }
    }

    /// A redemption.
    pub fn redemption(&self, id: RedemptionId) -> Option<&Redemption> {
        match self.entries.get(&Key::Redemption(id)) {
            Some(Value::Redemption(r)) => Some(r),
            _ => None,
        }
    }

    /// A proposal.
    pub fn proposal(&self, id: ProposalId) -> Option<&Proposal> {
        match self.entries.get(&Key::Proposal(id)) {
            Some(Value::Proposal(p)) => Some(p),
            _ => None,
        }
    }

    /// A budget.
    pub fn budget(&self, code: &BudgetCode) -> Option<&Budget> {
        match self.entries.get(&Key::Budget(code.clone())) {
            Some(Value::Budget(b)) => Some(b),
            _ => None,
        }
    }

    /// R-SHOP-3: the payment of `merchant`'s `reference`, if it was paid.
    pub fn payment(&self, merchant: &AccountId, reference: &PaymentRef) -> Option<&PaymentRecord> {
        match self.entries.get(&Key::Payment(*merchant, reference.clone())) {
            Some(Value::Payment(p)) => Some(p),
            _ => None,
        }
    }

    /// R-SHOP-4: the merchant `till` is linked to, if any.
    pub fn till(&self, till: &AccountId) -> Option<&TillLink> {
        match self.entries.get(&Key::Till(*till)) {
            Some(Value::Till(t)) => Some(t),
            _ => None,
        }
    }

    /// R-RED-3: the redemption `merchant` made with `key`, if any.
    pub fn redeem_key(&self, merchant: &AccountId, key: &IdempotencyKey) -> Option<RedemptionId> {
        match self.entries.get(&Key::RedeemKey(*merchant, *key)) {
            Some(Value::RedeemKey(id)) => Some(*id),
            _ => None,
        }
    }

    /// Every account, in id order.
    pub fn accounts(&self) -> impl Iterator<Item = (&AccountId, &Account)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Account(id), Value::Account(a)) => Some((id, a)),
            _ => None,
        })
    }

    /// Every budget, in code order.
    pub fn budgets(&self) -> impl Iterator<Item = (&BudgetCode, &Budget)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Budget(code), Value::Budget(b)) => Some((code, b)),
            _ => None,
        })
    }

    /// Every task, in id order.
    pub fn tasks(&self) -> impl Iterator<Item = (TaskId, &Task)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Task(id), Value::Task(t)) => Some((*id, t)),
            _ => None,
        })
    }

    /// Every claim, in id order.
    pub fn claims(&self) -> impl Iterator<Item = (ClaimId, &Claim)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Claim(id), Value::Claim(c)) => Some((*id, c)),
            _ => None,
        })
    }

    /// Every redemption, in id order.
    pub fn redemptions(&self) -> impl Iterator<Item = (RedemptionId, &Redemption)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Redemption(id), Value::Redemption(r)) => Some((*id, r)),
            _ => None,
        })
    }

    /// Every proposal, in id order.
    pub fn proposals(&self) -> impl Iterator<Item = (ProposalId, &Proposal)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Proposal(id), Value::Proposal(p)) => Some((*id, p)),
            _ => None,
        })
    }

    /// The paid requests of `merchant`, by reference.
    pub fn payments_of<'a>(
        &'a self,
        merchant: &'a AccountId,
    ) -> impl Iterator<Item = (&'a PaymentRef, &'a PaymentRecord)> + 'a {
        self.entries.iter().filter_map(move |(k, v)| match (k, v) {
            (Key::Payment(m, reference), Value::Payment(p)) if m == merchant => Some((reference, p)),
            _ => None,
        })
    }

    /// The tills linked to `merchant` now.
    pub fn tills_of<'a>(&'a self, merchant: &'a AccountId) -> impl Iterator<Item = AccountId> + 'a {
        self.entries.iter().filter_map(move |(k, v)| match (k, v) {
            (Key::Till(till), Value::Till(link)) if link.merchant == *merchant => Some(*till),
            _ => None,
        })
    }

    /// The supply figures, summed over the whole state (R-SUP-1).
    pub fn supply(&self) -> Supply {
        let mut supply = Supply::default();
        if let Some(g) = self.globals() {
            supply.minted = u128::from(g.minted.0);
            supply.burned = u128::from(g.burned.0);
            supply.settled = u128::from(g.settled.0);
            supply.treasury = u128::from(g.treasury.0);
            supply.redemption_fees = u128::from(g.redemption_fees.0);
        }
        for (_, value) in self.entries.iter() {
            match value {
                Value::Account(a) => supply.balances += u128::from(a.balance.0),
                Value::Budget(b) => supply.budgets += u128::from(b.balance.0),
                Value::Task(t) => supply.escrow += u128::from(t.escrow.0),
                Value::Redemption(r) => {
                    supply.fees_recorded += u128::from(r.fee.0);
                    if r.status == RedemptionStatus::Pending {
                        supply.pending_redemptions += u128::from(r.amount.0);
                    }
                }
                _ => {}
            }
        }
        supply
    }
}

/// Supply figures in cents, summed in 128 bits so a sum can never wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Supply {
    /// All coins ever minted.
    pub minted: u128,
    /// All coins ever burned.
    pub burned: u128,
    /// Burned coins whose payout is settled.
    pub settled: u128,
    /// Burned coins whose payout is pending, summed over redemptions.
    pub pending_redemptions: u128,
    /// The treasury.
    pub treasury: u128,
    /// All account balances.
    pub balances: u128,
    /// All budgets.
    pub budgets: u128,
    /// All task escrow.
    pub escrow: u128,
    /// Redemption fees the treasury received, by its own count (R-RED-4).
    pub redemption_fees: u128,
    /// Redemption fees recorded on the redemptions, summed.
    pub fees_recorded: u128,
}

impl Supply {
    /// Coins in circulation anywhere: treasury, budgets, escrow and balances.
    pub fn outstanding(&self) -> u128 {
        self.treasury + self.budgets + self.escrow + self.balances
    }

    /// R-SUP-1: minted − burned = outstanding, burned = settled + pending, and the fees the
    /// treasury received are the fees recorded on redemptions.
    pub fn is_conserved(&self) -> bool {
        self.minted.checked_sub(self.burned) == Some(self.outstanding())
            && self.burned == self.settled + self.pending_redemptions
            && self.redemption_fees == self.fees_recorded
    }
}

/// A scratch view over the committed state: reads fall through, writes stay here until the
/// block is committed. Each transaction writes into its own layer so that a rejection leaves
/// nothing behind (R-TX-5).
#[derive(Debug)]
pub struct Overlay<'a> {
    base: &'a State,
    block: ChangeSet,
    tx: ChangeSet,
}

impl<'a> Overlay<'a> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a State) -> Self {
        Self { base, block: ChangeSet::new(), tx: ChangeSet::new() }
    }

    /// The current value under `key`, seen through both layers.
    pub fn get(&self, key: &Key) -> Option<Value> {
        if let Some(value) = self.tx.get(key) {
            return value.clone();
        }
        if let Some(value) = self.block.get(key) {
            return value.clone();
        }
        self.base.get(key).cloned()
    }

    /// Writes `value` under `key` in the transaction layer.
    pub fn put(&mut self, key: Key, value: Value) {
        self.tx.insert(key, Some(value));
    }

    /// Deletes the entry under `key` in the transaction layer.
    pub fn delete(&mut self, key: Key) {
        self.tx.insert(key, None);
    }

    /// Keeps the transaction layer's writes.
    pub fn commit_tx(&mut self) {
        let writes = std::mem::take(&mut self.tx);
        self.block.extend(writes);
    }

    /// Drops the transaction layer's writes.
    pub fn discard_tx(&mut self) {
        self.tx.clear();
    }

    /// The block's changes so far.
    pub fn changes(&self) -> &ChangeSet {
        &self.block
    }

    /// The block's changes, consuming the overlay.
    pub fn into_changes(mut self) -> ChangeSet {
        self.commit_tx();
        self.block
    }

    /// The committed state underneath.
    pub fn base(&self) -> &State {
        self.base
    }
}

/// Typed reads and writes on an overlay.
macro_rules! typed_access {
    ($get:ident, $put:ident, $variant:ident, $ty:ty, $id:ty, $key:expr) => {
        impl Overlay<'_> {
            #[doc = concat!("Reads a ", stringify!($variant), ".")]
            pub fn $get(&self, id: $id) -> Option<$ty> {
                let make_key: fn($id) -> Key = $key;
                match self.get(&make_key(id)) {
                    Some(Value::$variant(v)) => Some(v),
                    _ => None,
                }
            }

            #[doc = concat!("Writes a ", stringify!($variant), ".")]
            pub fn $put(&mut self, id: $id, value: $ty) {
                let make_key: fn($id) -> Key = $key;
                self.put(make_key(id), Value::$variant(value));
            }
        }
    };
}

typed_access!(account, put_account, Account, Account, AccountId, Key::Account);
typed_access!(budget, put_budget, Budget, Budget, BudgetCode, Key::Budget);
typed_access!(task, put_task, Task, Task, TaskId, Key::Task);
typed_access!(claim, put_claim, Claim, Claim, ClaimId, Key::Claim);
typed_access!(redemption, put_redemption, Redemption, Redemption, RedemptionId, Key::Redemption);
typed_access!(proposal, put_proposal, Proposal, Proposal, ProposalId, Key::Proposal);
typed_access!(payment, put_payment, Payment, PaymentRecord, (AccountId, PaymentRef), |(m, r)| Key::Payment(m, r));
typed_access!(till, put_till, Till, TillLink, AccountId, Key::Till);
typed_access!(merchant, put_merchant, Merchant, MerchantRecord, AccountId, Key::Merchant);
typed_access!(redeem_key, put_redeem_key, RedeemKey, RedemptionId, (AccountId, IdempotencyKey), |(m, k)| {
    Key::RedeemKey(m, k)
});

typed_access!(review_pair, put_review_pair, ReviewPair, u32, (AccountId, AccountId), |(w, v)| Key::ReviewPair(w, v));
typed_access!(earner, put_earner, Earner, Earner, AccountId, Key::Earner);
typed_access!(earned, put_earned, Earned, Amount, (AccountId, u16), |(a, y)| Key::Earned(a, y));
typed_access!(worked_on, put_worked_on, WorkedOn, ClaimId, (TaskId, AccountId), |(t, a)| Key::WorkedOn(t, a));

impl Overlay<'_> {
    /// R-REV-2: the verifier pool (empty if none was ever written).
    pub fn verifiers(&self) -> VerifierPool {
        match self.get(&Key::Verifiers) {
            Some(Value::Verifiers(v)) => v,
            _ => VerifierPool::default(),
        }
    }

    /// Writes the verifier pool.
    pub fn put_verifiers(&mut self, pool: VerifierPool) {
        self.put(Key::Verifiers, Value::Verifiers(pool));
    }

    /// R-REV-2: whether `who` was drawn to review, or objected to, work on `task`.
    pub fn reviewed(&self, task: TaskId, who: AccountId) -> bool {
        self.get(&Key::Reviewed(task, who)).is_some()
    }

    /// Records that `who` reviewed or objected to work on `task`.
    pub fn put_reviewed(&mut self, task: TaskId, who: AccountId) {
        self.put(Key::Reviewed(task, who), Value::Reviewed);
    }

    /// R-DUE-1: schedules `item` at `time`.
    pub fn schedule(&mut self, time: Timestamp, item: DueItem) {
        self.put(Key::Due(time, item), Value::Due);
    }

    /// Removes a scheduled item.
    pub fn unschedule(&mut self, time: Timestamp, item: DueItem) {
        if self.get(&Key::Due(time, item)).is_some() {
            self.delete(Key::Due(time, item));
        }
    }

    /// The chain-wide figures.
    pub fn globals(&self) -> Option<Globals> {
        match self.get(&Key::Globals) {
            Some(Value::Globals(g)) => Some(g),
            _ => None,
        }
    }

    /// Writes the chain-wide figures.
    pub fn put_globals(&mut self, globals: Globals) {
        self.put(Key::Globals, Value::Globals(globals));
    }

    /// The validator schedule.
    pub fn validators(&self) -> Option<ValidatorSchedule> {
        match self.get(&Key::Validators) {
            Some(Value::Validators(v)) => Some(v),
            _ => None,
        }
    }

    /// Writes the validator schedule.
    pub fn put_validators(&mut self, schedule: ValidatorSchedule) {
        self.put(Key::Validators, Value::Validators(schedule));
    }
}

/// A height and block time, as seen by the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockContext {
    /// The height being executed.
    pub height: Height,
    /// The block's time from its header.
    pub time: Timestamp,
    /// The parent block's hash: the seed of verifier draws (R-REV-2).
    pub parent: Hash,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(balance: u64) -> Value {
        Value::Account(Account { balance: Amount(balance), ..Account::default() })
    }

    #[test]
    fn r_root_1_root_with_equals_root_after_apply_and_from_scratch() {
        let mut entries = BTreeMap::new();
        for i in 0..50u8 {
            entries.insert(Key::Account(AccountId([i; 32])), account(u64::from(i)));
        }
        let mut state = State::from_entries(entries.clone());
        let mut changes = ChangeSet::new();
        changes.insert(Key::Account(AccountId([3; 32])), None);
        changes.insert(Key::Account(AccountId([99; 32])), Some(account(7)));
        changes.insert(Key::Account(AccountId([4; 32])), Some(account(40)));
        let predicted = state.root_with(&changes);
        state.apply(changes.clone());
        assert_eq!(state.root(), predicted);
        for (key, value) in changes {
            match value {
                Some(v) => entries.insert(key, v),
                None => entries.remove(&key),
            };
        }
        assert_eq!(State::from_entries(entries).root(), predicted);
    }

    #[test]
    fn r_root_1_root_changes_with_any_value() {
        let a = State::from_entries(BTreeMap::from([(Key::Account(AccountId([1; 32])), account(1))]));
        let b = State::from_entries(BTreeMap::from([(Key::Account(AccountId([1; 32])), account(2))]));
        assert_ne!(a.root(), b.root());
    }

    #[test]
    fn r_tx_5_discarded_writes_leave_nothing() {
        let state = State::from_entries(BTreeMap::new());
        let mut view = Overlay::new(&state);
        view.put_account(AccountId([1; 32]), Account::default());
        view.discard_tx();
        assert!(view.account(AccountId([1; 32])).is_none());
        view.put_account(AccountId([2; 32]), Account::default());
        view.commit_tx();
        assert!(view.account(AccountId([2; 32])).is_some());
        assert_eq!(view.into_changes().len(), 1);
    }
}
