//! Why the ledger refuses things.
//!
//! - [`Invalid`]: the transaction may not enter a block at all (bad signature, wrong chain,
//!   unknown signer, wrong nonce). A block holding one is invalid.
//! - [`Rejection`]: the transaction is in a block, its nonce is used, and it changed nothing but
//!   the nonce. Its code and message are in the receipt, the same on every validator.

use thiserror::Error;

use crate::primitives::{
    AccountId, Amount, BudgetCode, ClaimId, Nonce, PaymentRef, ProposalId, RedemptionId, Role, TaskId, Timestamp,
};
use crate::status::ClaimStatus;

/// Why a transaction cannot be included in a block.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Invalid {
    /// Signed for another chain (R-TX-1).
    #[error("transaction is for chain {got:?}, this chain is {expected:?}")]
    WrongChain {
        /// This chain.
        expected: String,
        /// The transaction's chain.
        got: String,
    },
    /// The signature does not verify (R-SIG-1).
    #[error("bad signature: {0}")]
    BadSignature(#[from] crate::crypto::SignatureError),
    /// The signer has no account on this chain.
    #[error("signer {0} is not known on this chain; ask the registrar to enroll the account")]
    UnknownSigner(AccountId),
    /// The nonce is not the next one (R-TX-2).
    #[error("nonce {got} is not the expected {expected}")]
    BadNonce {
        /// What the account expects.
        expected: Nonce,
        /// What the transaction carries.
        got: Nonce,
    },
}

/// Why an included transaction changed nothing. `code()` is stable and never reused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    /// Not enough coins.
    #[error("balance {available} is below the {needed} needed")]
    InsufficientBalance {
        /// Needed.
        needed: Amount,
        /// Available.
        available: Amount,
    },
    /// Arithmetic would overflow.
    #[error("amount overflow")]
    Overflow,
    /// A zero amount where a positive one is needed.
    #[error("amount must be more than 0.00")]
    ZeroAmount,
    /// Paying oneself.
    #[error("sender and recipient are the same account")]
    SelfTransfer,
    /// The recipient is not enrolled and holds no role.
    #[error("recipient {0} is not a known account on this chain")]
    UnknownRecipient(AccountId),
    /// The signer lacks a role.
    #[error("this needs the {0} role")]
    MissingRole(Role),
    /// The signer is not an enrolled resident.
    #[error("only enrolled residents can do this; ask the registrar to enroll the account")]
    NotEnrolled,
    /// No such proposal.
    #[error("proposal {0} does not exist")]
    UnknownProposal(ProposalId),
    /// The proposal already executed.
    #[error("proposal {0} has already been executed")]
    ProposalExecuted(ProposalId),
    /// The proposal expired.
    #[error("proposal {0} has expired; propose it again")]
    ProposalExpired(ProposalId),
    /// The member already approved.
    #[error("you already approved proposal {0}; another council member must approve")]
    AlreadyApproved(ProposalId),
    /// The treasury is short.
    #[error("treasury holds {available}, below the {needed} needed")]
    InsufficientTreasury {
        /// Needed.
        needed: Amount,
        /// Available.
        available: Amount,
    },
    /// No such budget.
    #[error("budget {0} does not exist; the treasurer creates it by funding it")]
    UnknownBudget(BudgetCode),
    /// The budget is short.
    #[error("budget {budget} holds {available}, below the {needed} needed")]
    InsufficientBudget {
        /// The budget.
        budget: BudgetCode,
        /// Needed.
        needed: Amount,
        /// Available.
        available: Amount,
    },
    /// Slots out of range.
    #[error("a task needs 1 to {max} slots, not {slots}")]
    InvalidSlots {
        /// Requested.
        slots: u16,
        /// Allowed maximum.
        max: u16,
    },
    /// The deadline is not in the future.
    #[error("the deadline must be after the current block time")]
    DeadlineInPast,
    /// No such task.
    #[error("task {0} does not exist")]
    UnknownTask(TaskId),
    /// The task is cancelled.
    #[error("task {0} is cancelled")]
    TaskCancelled(TaskId),
    /// The deadline passed.
    #[error("the deadline of task {0} has passed")]
    DeadlinePassed(TaskId),
    /// All slots are taken.
    #[error("task {0} has no free slots")]
    TaskFull(TaskId),
    /// The worker already holds a claim on the task.
    #[error("you already hold a claim on task {0}")]
    AlreadyClaimed(TaskId),
    /// The poster cannot work on their own task.
    #[error("the officer who posted task {0} cannot claim it")]
    OwnTask(TaskId),
    /// No such claim.
    #[error("claim {0} does not exist")]
    UnknownClaim(ClaimId),
    /// Someone else's claim.
    #[error("claim {0} belongs to another account")]
    NotYourClaim(ClaimId),
    /// The claim is in the wrong state.
    #[error("claim {claim} is {actual:?}, it must be {expected:?}")]
    ClaimStatus {
        /// The claim.
        claim: ClaimId,
        /// What it must be.
        expected: ClaimStatus,
        /// What it is.
        actual: ClaimStatus,
    },
    /// R-TASK-6: a verifier may not verify their own work.
    #[error("a verifier cannot review their own work")]
    SelfVerification,
    /// R-TASK-7: a verifier may not verify work on a task they posted.
    #[error("a verifier cannot review work on a task they posted")]
    VerifierPostedTask,
    /// Only the poster can cancel.
    #[error("only the officer who posted task {0} can cancel it")]
    NotTaskPoster(TaskId),
    /// No such redemption.
    #[error("redemption {0} does not exist")]
    UnknownRedemption(RedemptionId),
    /// R-RED-2: settled already.
    #[error("redemption {0} is already settled")]
    AlreadySettled(RedemptionId),
    /// Threshold out of range.
    #[error("threshold {threshold} is not between 1 and the {members} council members")]
    ThresholdOutOfRange {
        /// Requested.
        threshold: u8,
        /// Council size.
        members: usize,
    },
    /// Revoking would leave fewer members than the threshold.
    #[error("revoking would leave {members} council members, below the threshold {threshold}")]
    CouncilTooSmall {
        /// Members left.
        members: usize,
        /// Threshold.
        threshold: u8,
    },
    /// Granting a role the account already has.
    #[error("{0} already has the {1} role")]
    RoleAlreadyHeld(AccountId, Role),
    /// Revoking a role the account lacks.
    #[error("{0} does not have the {1} role")]
    RoleNotHeld(AccountId, Role),
    /// Enrolling twice.
    #[error("{0} is already enrolled")]
    AlreadyEnrolled(AccountId),
    /// Unenrolling someone not enrolled.
    #[error("{0} is not enrolled")]
    NotEnrolledAccount(AccountId),
    /// The council is full.
    #[error("the council already has the maximum of {0} members")]
    CouncilFull(usize),
    /// R-VAL-3: the key is already a validator (in force or scheduled).
    #[error("{0} is already in the validator set")]
    ValidatorInSet(AccountId),
    /// R-VAL-3: the key is not a validator (in force or scheduled).
    #[error("{0} is not in the validator set")]
    ValidatorNotInSet(AccountId),
    /// R-VAL-3: the set would be empty or above its maximum size.
    #[error("the validator set must keep 1 to {max} validators; this change would leave {size}")]
    ValidatorSetSize {
        /// The size the change would leave.
        size: usize,
        /// The maximum.
        max: usize,
    },
    /// R-VAL-3: voting power out of range.
    #[error("validator power {power} is not between 1 and {max}")]
    ValidatorPower {
        /// Requested.
        power: u64,
        /// The maximum.
        max: u64,
    },
    /// R-RED-4: the council may not set a fee above the cap.
    #[error("a redemption fee of {fee} is above the maximum of {max}")]
    RedemptionFeeTooHigh {
        /// Requested.
        fee: Amount,
        /// The maximum.
        max: Amount,
    },
    /// R-RED-5: the council may not set a minimum above the cap.
    #[error("a redemption minimum of {min} is above the maximum of {max}")]
    RedemptionMinimumTooHigh {
        /// Requested.
        min: Amount,
        /// The maximum.
        max: Amount,
    },
    /// R-RED-5: the amount is below the redemption minimum.
    #[error("redemptions must be at least {min}; redeem {min} or more")]
    BelowRedemptionMinimum {
        /// The minimum in force.
        min: Amount,
    },
    /// R-RED-3: the idempotency key was used for a redemption of another amount.
    #[error(
        "this idempotency key was already used for redemption {redemption} of {amount}; \
         retry with that amount, or use a new key for a new redemption"
    )]
    IdempotencyKeyReused {
        /// The redemption made with the key.
        redemption: RedemptionId,
        /// Its amount.
        amount: Amount,
    },
    /// R-RED-6: a batch names a redemption twice.
    #[error("redemption {0} appears twice in the batch; list each redemption once")]
    DuplicateInBatch(RedemptionId),
    /// R-RED-6: a batch is empty or too large.
    #[error("a settlement batch holds 1 to {max} redemptions, not {size}; split it into several batches")]
    BatchSize {
        /// Redemptions in the batch.
        size: usize,
        /// The maximum.
        max: usize,
    },
    /// R-SHOP-1: the payee is not a registered shop.
    #[error("{0} is not a registered shop; payments with a reference go to merchants only")]
    NotAMerchant(AccountId),
    /// R-SHOP-2: the payment request expired before this block.
    #[error("this payment request expired at block time {expires_at}; ask the shop for a new one")]
    PaymentRequestExpired {
        /// The request's expiry.
        expires_at: Timestamp,
    },
    /// R-SHOP-2, R-SHOP-4: the till is not linked to this shop.
    #[error("till {0} is not linked to this shop; ask the shop for a new request")]
    TillNotLinked(AccountId),
    /// R-SHOP-3: the shop's reference was paid before.
    #[error("payment reference {0} of this shop is already paid; ask the shop for a new request")]
    ReferenceAlreadyPaid(PaymentRef),
    /// R-SHOP-4: a till key must not be someone's account.
    #[error("{0} already has coins, a role or an enrolment; a till needs a fresh key")]
    TillHasAccount(AccountId),
    /// R-SHOP-4: a till works for one shop at a time.
    #[error("till {0} is already linked to a shop; that shop must unlink it first")]
    TillAlreadyLinked(AccountId),
    /// R-SHOP-4: tills only sign payment requests, off chain.
    #[error("a till account is receive-only: it cannot send, redeem or change settings")]
    TillReceiveOnly,
    /// R-SHOP-4: a shop links a limited number of tills.
    #[error("a shop may link at most {max} tills; unlink one first")]
    TooManyTills {
        /// The maximum.
        max: u16,
    },
    /// R-REV-1: k must be 1 to n and n 1 to the maximum.
    #[error("a task needs 1 to {max} reviewers and 1 to that many approvals, got {approvals} of {reviewers}")]
    ReviewRule {
        /// k.
        approvals: u8,
        /// n.
        reviewers: u8,
        /// Most reviewers.
        max: u8,
    },
    /// R-REV-2: too few verifiers may review this claim.
    #[error(
        "only {eligible} verifiers may review this claim but the task draws {needed}; ask the council to appoint more verifiers, then submit again"
    )]
    NotEnoughVerifiers {
        /// n.
        needed: u8,
        /// Eligible after the exclusions.
        eligible: u32,
    },
    /// R-REV-4: only the verifiers drawn for the submission vote on it.
    #[error("you were not drawn to review claim {0}; see `heitje review queue` for your own")]
    NotDrawnReviewer(ClaimId),
    /// R-REV-4: one vote per verifier per submission.
    #[error("you already voted on claim {0}")]
    AlreadyVoted(ClaimId),
    /// R-CAP-1: the reward would take the resident over the annual cap.
    #[error("this reward of {reward} would exceed the annual cap of {cap} for {year}: {remaining} remains")]
    AnnualCapReached {
        /// The calendar year.
        year: u16,
        /// The cap.
        cap: Amount,
        /// What is left of it (earned and reserved counted).
        remaining: Amount,
        /// The task's reward.
        reward: Amount,
    },
    /// R-OBJ-2: objections only while the window is open.
    #[error("the objection window of claim {0} is closed")]
    WindowClosed(ClaimId),
    /// R-OBJ-2: only the task's officer or a verifier other than the worker objects.
    #[error("only an officer or a verifier who did not do the work may object")]
    MayNotObject,
    /// R-REV-6: one resubmission, within the window after a rejection.
    #[error(
        "claim {0} cannot be submitted again: a rejected claim may be resubmitted once, within the resubmission window"
    )]
    ResubmitNotAllowed(ClaimId),
    /// The task is a draft, or no longer a draft.
    #[error("task {task} is {status}, not {expected}")]
    TaskStatus {
        /// The task.
        task: TaskId,
        /// Needed status.
        expected: &'static str,
        /// Its status.
        status: &'static str,
    },
    /// R-PRIV-3: evidence is kept for a bounded time after submission.
    #[error("the evidence retention date must be after now and at most {max_days} days ahead")]
    RetentionOutOfRange {
        /// Longest retention in days.
        max_days: u64,
    },
    /// R-OBJ-3: only a claim with an objection can be resolved.
    #[error("claim {0} has no open objection")]
    NoObjection(ClaimId),
    /// R-OBJ-1: an objection or resubmission window is longer than allowed.
    #[error("a task-review window may be at most {max_ms} ms (30 days)")]
    WindowTooLong {
        /// The maximum.
        max_ms: u64,
    },
    /// R-CAP-1: the annual cap is above the maximum.
    #[error("annual cap {cap} is above the maximum {max}")]
    AnnualCapTooHigh {
        /// Proposed.
        cap: Amount,
        /// Maximum.
        max: Amount,
    },
    /// R-REV-2: someone who claimed a slot of the task does not review, object or resolve on it.
    #[error("you claimed a slot of task {0} yourself, so you may not review, object or decide on its work")]
    CoWorker(TaskId),
    /// R-REV-2: someone drawn to review, or who objected to, work on a task may not claim a slot.
    #[error("you reviewed or objected to work on task {0}, so you may not claim a slot of it")]
    ReviewerOfTask(TaskId),
    /// R-REV-2: the verifier pool is full.
    #[error("the verifier pool holds at most {0} verifiers")]
    VerifierPoolFull(usize),
    /// R-REV-3: the review share must be 1 to 100 percent.
    #[error("review share {0}% must be 1 to 100")]
    ReviewShareOutOfRange(u8),
}

impl Rejection {
    /// The stable numeric code (recorded in receipts, never reused) and its snake-case name:
    /// one table, so a code never goes without its name.
    const fn code_and_name(&self) -> (u16, &'static str) {
        match self {
            Self::InsufficientBalance { .. } => (100, "insufficient_balance"),
            Self::Overflow => (101, "overflow"),
            Self::ZeroAmount => (102, "zero_amount"),
            Self::SelfTransfer => (103, "self_transfer"),
            Self::UnknownRecipient(_) => (104, "unknown_recipient"),
            Self::MissingRole(_) => (200, "missing_role"),
            Self::NotEnrolled => (201, "not_enrolled"),
            Self::UnknownProposal(_) => (300, "unknown_proposal"),
            Self::ProposalExecuted(_) => (301, "proposal_executed"),
            Self::ProposalExpired(_) => (302, "proposal_expired"),
            Self::AlreadyApproved(_) => (303, "already_approved"),
            Self::ThresholdOutOfRange { .. } => (304, "threshold_out_of_range"),
            Self::CouncilTooSmall { .. } => (305, "council_too_small"),
            Self::RoleAlreadyHeld(..) => (306, "role_already_held"),
            Self::RoleNotHeld(..) => (307, "role_not_held"),
            Self::CouncilFull(_) => (308, "council_full"),
            Self::ValidatorInSet(_) => (309, "validator_in_set"),
            Self::ValidatorNotInSet(_) => (310, "validator_not_in_set"),
            Self::ValidatorSetSize { .. } => (311, "validator_set_size"),
            Self::ValidatorPower { .. } => (312, "validator_power"),
            Self::InsufficientTreasury { .. } => (400, "insufficient_treasury"),
            Self::UnknownBudget(_) => (401, "unknown_budget"),
            Self::InsufficientBudget { .. } => (402, "insufficient_budget"),
            Self::AlreadyEnrolled(_) => (500, "already_enrolled"),
            Self::NotEnrolledAccount(_) => (501, "not_enrolled_account"),
            Self::InvalidSlots { .. } => (600, "invalid_slots"),
            Self::DeadlineInPast => (601, "deadline_in_past"),
            Self::UnknownTask(_) => (602, "unknown_task"),
            Self::TaskCancelled(_) => (603, "task_cancelled"),
            Self::DeadlinePassed(_) => (604, "deadline_passed"),
            Self::TaskFull(_) => (605, "task_full"),
            Self::AlreadyClaimed(_) => (606, "already_claimed"),
            Self::OwnTask(_) => (607, "own_task"),
            Self::UnknownClaim(_) => (608, "unknown_claim"),
            Self::NotYourClaim(_) => (609, "not_your_claim"),
            Self::ClaimStatus { .. } => (610, "claim_status"),
            Self::SelfVerification => (611, "self_verification"),
            Self::VerifierPostedTask => (612, "verifier_posted_task"),
            Self::NotTaskPoster(_) => (613, "not_task_poster"),
            Self::UnknownRedemption(_) => (700, "unknown_redemption"),
            Self::AlreadySettled(_) => (701, "already_settled"),
            Self::RedemptionFeeTooHigh { .. } => (313, "redemption_fee_too_high"),
            Self::RedemptionMinimumTooHigh { .. } => (314, "redemption_minimum_too_high"),
            Self::BelowRedemptionMinimum { .. } => (702, "below_redemption_minimum"),
            Self::IdempotencyKeyReused { .. } => (703, "idempotency_key_reused"),
            Self::DuplicateInBatch(_) => (704, "duplicate_in_batch"),
            Self::BatchSize { .. } => (705, "batch_size"),
            Self::NotAMerchant(_) => (800, "not_a_merchant"),
            Self::PaymentRequestExpired { .. } => (801, "payment_request_expired"),
            Self::TillNotLinked(_) => (802, "till_not_linked"),
            Self::ReferenceAlreadyPaid(_) => (803, "reference_already_paid"),
            Self::TillHasAccount(_) => (804, "till_has_account"),
            Self::TillAlreadyLinked(_) => (805, "till_already_linked"),
            Self::TillReceiveOnly => (806, "till_receive_only"),
            Self::TooManyTills { .. } => (807, "too_many_tills"),
            Self::ReviewRule { .. } => (614, "review_rule"),
            Self::NotEnoughVerifiers { .. } => (615, "not_enough_verifiers"),
            Self::NotDrawnReviewer(_) => (616, "not_drawn_reviewer"),
            Self::AlreadyVoted(_) => (617, "already_voted"),
            Self::AnnualCapReached { .. } => (618, "annual_cap_reached"),
            Self::WindowClosed(_) => (619, "window_closed"),
            Self::MayNotObject => (620, "may_not_object"),
            Self::ResubmitNotAllowed(_) => (621, "resubmit_not_allowed"),
            Self::TaskStatus { .. } => (622, "task_status"),
            Self::RetentionOutOfRange { .. } => (623, "retention_out_of_range"),
            Self::NoObjection(_) => (624, "no_objection"),
            Self::WindowTooLong { .. } => (315, "window_too_long"),
            Self::AnnualCapTooHigh { .. } => (316, "annual_cap_too_high"),
            Self::ReviewShareOutOfRange(_) => (317, "review_share_out_of_range"),
            Self::VerifierPoolFull(_) => (318, "verifier_pool_full"),
            Self::CoWorker(_) => (625, "co_worker"),
            Self::ReviewerOfTask(_) => (626, "reviewer_of_task"),
        }
    }

    /// A stable numeric code, recorded in receipts. Codes are never reused.
    pub const fn code(&self) -> u16 {
        self.code_and_name().0
    }

    /// A stable snake-case name for the code.
    pub const fn name(&self) -> &'static str {
        self.code_and_name().1
    }
}
