//! Receipts and events: what a transaction did, or why it changed nothing.

use serde::{Deserialize, Serialize};

use crate::codec::{Decode, DecodeError, Encode, Reader, put_bytes};
use crate::error::Rejection;
use crate::primitives::{
    AccountId, Amount, BudgetCode, ClaimId, Hash, Height, PaymentRef, PayoutRef, ProposalId, RedemptionId, Role,
    TaskId, Timestamp,
};
use crate::tx::RejectReason;

/// A fact recorded by an accepted transaction. Names are past tense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Coins moved between accounts.
    Transferred {
        /// Payer.
        from: AccountId,
        /// Payee.
        to: AccountId,
        /// Amount.
        amount: Amount,
    },
    /// A council proposal was created.
    ProposalCreated {
        /// The proposal.
        proposal: ProposalId,
        /// Who proposed it.
        proposer: AccountId,
    },
    /// A council member approved.
    ProposalApproved {
        /// The proposal.
        proposal: ProposalId,
        /// Who approved.
        approver: AccountId,
        /// Approvals so far.
        approvals: u8,
        /// Approvals needed.
        threshold: u8,
    },
    /// Coins were minted into the treasury.
    Minted {
        /// The proposal that minted.
        proposal: ProposalId,
        /// Amount.
        amount: Amount,
    },
    /// A role was granted.
    RoleGranted {
        /// The proposal.
        proposal: ProposalId,
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// A role was revoked.
    RoleRevoked {
        /// The proposal.
        proposal: ProposalId,
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// R-VAL-2: a validator-set change was approved; the new set decides from height `from`.
    ValidatorSetScheduled {
        /// The proposal.
        proposal: ProposalId,
        /// The first height the new set decides.
        from: Height,
        /// Validators in the new set.
        size: u16,
    },
    /// The council threshold changed.
    ThresholdSet {
        /// The proposal.
        proposal: ProposalId,
        /// The new threshold.
        threshold: u8,
    },
    /// The treasury funded a budget.
    BudgetFunded {
        /// The budget.
        budget: BudgetCode,
        /// Amount.
        amount: Amount,
    },
    /// A budget returned coins to the treasury.
    BudgetDefunded {
        /// The budget.
        budget: BudgetCode,
        /// Amount.
        amount: Amount,
    },
    /// A resident was enrolled.
    Enrolled {
        /// The account.
        account: AccountId,
    },
    /// An enrolment ended.
    Unenrolled {
        /// The account.
        account: AccountId,
    },
    /// A task was posted and its escrow taken from the budget.
    TaskPosted {
        /// The task.
        task: TaskId,
        /// The officer.
        poster: AccountId,
        /// The budget.
        budget: BudgetCode,
        /// Escrow taken.
        escrow: Amount,
    },
    /// A slot was claimed.
    TaskClaimed {
        /// The task.
        task: TaskId,
        /// The claim.
        claim: ClaimId,
        /// The resident.
        worker: AccountId,
    },
    /// Work was submitted with an evidence commitment.
    WorkSubmitted {
        /// The claim.
        claim: ClaimId,
        /// The resident.
        worker: AccountId,
        /// The commitment.
        evidence: Hash,
    },
    /// The k-th approval: the objection window opened; the reward is paid when it closes.
    WorkApproved {
        /// The task.
        task: TaskId,
        /// The claim.
        claim: ClaimId,
        /// The resident paid.
        worker: AccountId,
        /// The verifier whose approval completed k.
        verifier: AccountId,
        /// Reward held for the worker.
        reward: Amount,
    },
    /// The submission was rejected (enough rejecting votes, or an upheld objection).
    WorkRejected {
        /// The task.
        task: TaskId,
        /// The claim.
        claim: ClaimId,
        /// The resident.
        worker: AccountId,
        /// The verifier.
        verifier: AccountId,
        /// The reason code.
        reason: RejectReason,
    },
    /// A drawn verifier voted on a submission.
    VoteCast {
        /// The claim.
        claim: ClaimId,
        /// The verifier.
        verifier: AccountId,
        /// `None` approves; a reason rejects.
        reason: Option<RejectReason>,
    },
    /// The objection window opened.
    WindowOpened {
        /// The claim.
        claim: ClaimId,
        /// The resident.
        worker: AccountId,
        /// When it closes.
        closes: Timestamp,
    },
    /// Someone objected during the window.
    ObjectionRaised {
        /// The claim.
        claim: ClaimId,
        /// Officer or verifier.
        by: AccountId,
        /// Why.
        reason: RejectReason,
    },
    /// An officer decided an objection.
    ObjectionResolved {
        /// The claim.
        claim: ClaimId,
        /// The officer.
        by: AccountId,
        /// `true`: the work is rejected.
        upheld: bool,
    },
    /// A draft task was published and its escrow moved.
    TaskOpened {
        /// The task.
        task: TaskId,
        /// Escrow.
        escrow: Amount,
    },
    /// Block-time effect: the objection window closed and the reward was paid.
    RewardPaid {
        /// The task.
        task: TaskId,
        /// The claim.
        claim: ClaimId,
        /// The resident.
        worker: AccountId,
        /// Reward.
        reward: Amount,
    },
    /// Block-time effect: a task reached its deadline; escrow of free slots went back.
    TaskExpired {
        /// The task.
        task: TaskId,
        /// The budget refunded.
        budget: BudgetCode,
        /// Refund.
        refund: Amount,
    },
    /// Block-time effect: a claim ended without pay (not submitted in time, or the right to
    /// resubmit lapsed); its slot's escrow went back if the task is closed.
    ClaimClosed {
        /// The claim.
        claim: ClaimId,
        /// The resident.
        worker: AccountId,
        /// Refunded to the budget.
        refund: Amount,
    },
    /// A task was cancelled and its unpaid escrow refunded.
    TaskCancelled {
        /// The task.
        task: TaskId,
        /// The budget refunded.
        budget: BudgetCode,
        /// Refund.
        refund: Amount,
    },
    /// A merchant burned coins for a payout.
    Redeemed {
        /// The redemption.
        redemption: RedemptionId,
        /// The merchant.
        merchant: AccountId,
        /// Burned.
        amount: Amount,
    },
    /// A redemption was paid out.
    RedemptionSettled {
        /// The redemption.
        redemption: RedemptionId,
        /// The merchant.
        merchant: AccountId,
        /// Amount.
        amount: Amount,
        /// Payout reference.
        reference: PayoutRef,
    },
    /// R-SHOP-1: a resident paid a shop's payment request.
    Paid {
        /// Payer.
        payer: AccountId,
        /// The shop.
        merchant: AccountId,
        /// Amount.
        amount: Amount,
        /// The shop's reference.
        reference: PaymentRef,
        /// The till that showed the request.
        till: Option<AccountId>,
    },
    /// R-SHOP-4: a shop linked a till.
    TillLinked {
        /// The shop.
        merchant: AccountId,
        /// The till.
        till: AccountId,
    },
    /// R-SHOP-4: a shop unlinked a till.
    TillUnlinked {
        /// The shop.
        merchant: AccountId,
        /// The till.
        till: AccountId,
    },
    /// R-RED-3: a retried redemption; nothing was burned again.
    RedemptionReplayed {
        /// The redemption the first attempt made.
        redemption: RedemptionId,
    },
    /// R-RED-4: a redemption fee moved from the merchant to the treasury.
    RedemptionFeePaid {
        /// The redemption.
        redemption: RedemptionId,
        /// The merchant.
        merchant: AccountId,
        /// The fee.
        fee: Amount,
    },
    /// R-RED-4: the council set the redemption fee.
    RedemptionFeeSet {
        /// The proposal.
        proposal: ProposalId,
        /// The new fee.
        fee: Amount,
    },
    /// R-RED-5: the council set the redemption minimum.
    RedemptionMinimumSet {
        /// The proposal.
        proposal: ProposalId,
        /// The new minimum.
        min: Amount,
    },
    /// The council changed the task-review rules (see the chain parameters).
    TaskRulesSet {
        /// The proposal.
        proposal: ProposalId,
    },
}

/// Implements the canonical codec for an enum of struct variants, fields in declared order.
macro_rules! codec_struct_enum {
    ($name:ident { $($variant:ident = $tag:literal { $($field:ident),* }),* $(,)? }) => {
        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                match self {
                    $( Self::$variant { $($field),* } => { out.push($tag); $( $field.encode(out); )* } )*
                }
            }
        }
        impl Decode for $name {
            fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(match reader.u8(stringify!($name))? {
                    $( $tag => Self::$variant { $( $field: Decode::decode(reader)? ),* }, )*
                    tag => return Err(DecodeError::UnknownTag { tag, what: stringify!($name) }),
                })
            }
        }
        impl $crate::schema::Described for $name {
            fn shape() -> $crate::schema::Shape {
                $crate::schema::Shape::Variants {
                    name: stringify!($name),
                    variants: vec![$(
                        (stringify!($variant), vec![$(
                            (
                                stringify!($field),
                                $crate::schema::shape_of(|e: &$name| match e {
                                    $name::$variant { $field, .. } => $field,
                                    #[allow(unreachable_patterns)]
                                    _ => unreachable!("a shape projection is never called"),
                                }),
                            )
                        ),*])
                    ),*],
                }
            }
        }
        impl $crate::schema::ListItem for $name {}
    };
}

codec_struct_enum!(Event {
    Transferred = 1 { from, to, amount },
    ProposalCreated = 2 { proposal, proposer },
    ProposalApproved = 3 { proposal, approver, approvals, threshold },
    Minted = 4 { proposal, amount },
    RoleGranted = 5 { proposal, account, role },
    RoleRevoked = 6 { proposal, account, role },
    ThresholdSet = 7 { proposal, threshold },
    BudgetFunded = 8 { budget, amount },
    BudgetDefunded = 9 { budget, amount },
    Enrolled = 10 { account },
    Unenrolled = 11 { account },
    TaskPosted = 12 { task, poster, budget, escrow },
    TaskClaimed = 13 { task, claim, worker },
    WorkSubmitted = 14 { claim, worker, evidence },
    WorkApproved = 15 { task, claim, worker, verifier, reward },
    WorkRejected = 16 { task, claim, worker, verifier, reason },
    TaskCancelled = 17 { task, budget, refund },
    Redeemed = 18 { redemption, merchant, amount },
    RedemptionSettled = 19 { redemption, merchant, amount, reference },
    ValidatorSetScheduled = 20 { proposal, from, size },
    Paid = 21 { payer, merchant, amount, reference, till },
    TillLinked = 22 { merchant, till },
    TillUnlinked = 23 { merchant, till },
    RedemptionReplayed = 24 { redemption },
    RedemptionFeePaid = 25 { redemption, merchant, fee },
    RedemptionFeeSet = 26 { proposal, fee },
    RedemptionMinimumSet = 27 { proposal, min },
    VoteCast = 28 { claim, verifier, reason },
    WindowOpened = 29 { claim, worker, closes },
    ObjectionRaised = 30 { claim, by, reason },
    ObjectionResolved = 31 { claim, by, upheld },
    TaskOpened = 32 { task, escrow },
    RewardPaid = 33 { task, claim, worker, reward },
    TaskExpired = 34 { task, budget, refund },
    ClaimClosed = 35 { claim, worker, refund },
    TaskRulesSet = 36 { proposal },
});

impl Event {
    /// Accounts this event concerns, for history indexes.
    pub fn accounts(&self) -> Vec<AccountId> {
        match self {
            Self::Transferred { from, to, .. } => vec![*from, *to],
            Self::ProposalCreated { proposer, .. } => vec![*proposer],
            Self::ProposalApproved { approver, .. } => vec![*approver],
            Self::RoleGranted { account, .. }
            | Self::RoleRevoked { account, .. }
            | Self::Enrolled { account }
            | Self::Unenrolled { account } => vec![*account],
            Self::TaskPosted { poster, .. } => vec![*poster],
            Self::TaskClaimed { worker, .. }
            | Self::WorkSubmitted { worker, .. }
            | Self::WindowOpened { worker, .. }
            | Self::RewardPaid { worker, .. }
            | Self::ClaimClosed { worker, .. } => vec![*worker],
            Self::VoteCast { verifier, .. } => vec![*verifier],
            Self::ObjectionRaised { by, .. } | Self::ObjectionResolved { by, .. } => vec![*by],
            Self::WorkApproved { worker, verifier, .. } | Self::WorkRejected { worker, verifier, .. } => {
                vec![*worker, *verifier]
            }
            Self::Redeemed { merchant, .. }
            | Self::RedemptionSettled { merchant, .. }
            | Self::RedemptionFeePaid { merchant, .. } => vec![*merchant],
            Self::Paid { payer, merchant, till, .. } => {
                [Some(*payer), Some(*merchant), *till].into_iter().flatten().collect()
            }
            Self::TillLinked { merchant, till } | Self::TillUnlinked { merchant, till } => vec![*merchant, *till],
            Self::Minted { .. }
            | Self::RedemptionReplayed { .. }
            | Self::RedemptionFeeSet { .. }
            | Self::RedemptionMinimumSet { .. }
            | Self::ThresholdSet { .. }
            | Self::ValidatorSetScheduled { .. }
            | Self::BudgetFunded { .. }
            | Self::BudgetDefunded { .. }
            | Self::TaskCancelled { .. }
            | Self::TaskOpened { .. }
            | Self::TaskExpired { .. }
            | Self::TaskRulesSet { .. } => vec![],
        }
    }
}

/// Most events one transaction can record: a batch settlement emits one per redemption.
pub const MAX_EVENTS: usize = crate::tx::MAX_SETTLE_BATCH + 16;
/// Longest rejection message kept in a receipt.
pub const MAX_MESSAGE: usize = 512;

/// What happened to an included transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied; these facts are now true.
    Accepted {
        /// The facts.
        events: Vec<Event>,
    },
    /// Refused by the rules; only the nonce moved.
    Rejected {
        /// Stable numeric code.
        code: u16,
        /// Stable name of the code.
        reason: String,
        /// Human-readable explanation.
        message: String,
    },
}

impl Outcome {
    /// The outcome of a rejection.
    pub fn rejected(rejection: &Rejection) -> Self {
        let mut message = rejection.to_string();
        message.truncate(MAX_MESSAGE);
        Self::Rejected { code: rejection.code(), reason: rejection.name().to_owned(), message }
    }

    /// Whether the transaction was applied.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }
}

impl Encode for Outcome {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Accepted { events } => {
                out.push(1);
                crate::codec::put_list(out, events);
            }
            Self::Rejected { code, reason, message } => {
                out.push(2);
                code.encode(out);
                put_bytes(out, reason.as_bytes());
                put_bytes(out, message.as_bytes());
            }
        }
    }
}

impl crate::schema::Described for Outcome {
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        Shape::Variants {
            name: "Outcome",
            variants: vec![
                ("Accepted", vec![("events", <Vec<Event> as crate::schema::Described>::shape())]),
                (
                    "Rejected",
                    vec![
                        ("code", Shape::Count),
                        ("reason", Shape::Rendered("the code's fixed snake-case name")),
                        ("message", Shape::Rendered("rendered by the ledger from the code and its typed fields")),
                    ],
                ),
            ],
        }
    }
}

fn text(reader: &mut Reader<'_>, what: &'static str) -> Result<String, DecodeError> {
    let bytes = reader.bytes(what, MAX_MESSAGE)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::Invalid { what, reason: "not UTF-8" })
}

impl Decode for Outcome {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match reader.u8("outcome")? {
            1 => Self::Accepted { events: reader.list("events", MAX_EVENTS)? },
            2 => Self::Rejected {
                code: Decode::decode(reader)?,
                reason: text(reader, "reason")?,
                message: text(reader, "message")?,
            },
            tag => return Err(DecodeError::UnknownTag { tag, what: "outcome" }),
        })
    }
}

/// The receipt of one included transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The transaction id.
    pub tx_id: Hash,
    /// What happened.
    pub outcome: Outcome,
}
crate::codec_struct!(Receipt { tx_id, outcome });
