//! The records stored in the state: accounts, budgets, tasks, claims, redemptions, shops,
//! proposals, chain-wide figures, the validator schedule and the verifier pool, with their
//! canonical encodings and the limits that bound them.

use serde::{Deserialize, Serialize};

use super::params::Params;
use crate::codec::{Decode, DecodeError, Encode, Reader};
use crate::codec_struct;
use crate::primitives::{
    AccountId, Amount, BudgetCode, ClaimId, Hash, Height, Nonce, PayoutRef, ProposalId, RedemptionId, RoleSet, TaskId,
    Timestamp, WorkOrderRef,
};
use crate::status::{ClaimStatus, ProposalStatus, RedemptionStatus, TaskStatus};
use crate::tx::{CouncilAction, RejectReason};

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

/// R-CAP-1: what a resident has earned and has reserved by live claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Earner {
    /// Rewards of live claims, counted against the cap from the moment of claiming.
    pub reserved: Amount,
    /// Verifier draws for this worker's submissions so far (R-REV-3).
    pub reviews: u32,
}
codec_struct!(Earner { reserved, reviews });

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
