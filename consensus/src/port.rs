//! The narrow port between the engine loop and the ledger. Only ledger types cross it; the
//! node implements it over its ledger thread, and no Malachite type ever reaches the node.

use std::time::Instant;

use async_trait::async_trait;
use contracts::{AccountId, Block, CommitCert, Height, Timestamp};

/// The ledger could not answer: a storage fault, or its thread stopped. The engine loop stops
/// rather than vote or commit on doubt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostError(pub String);

/// A block that consensus has seen for a height but not decided (kept for crash recovery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided {
    /// Consensus round the block was proposed in.
    pub round: u32,
    /// Proof-of-lock round of the proposal, if it re-proposed a locked block.
    pub pol_round: Option<u32>,
    /// The proposer that streamed it.
    pub proposer: AccountId,
    /// The block.
    pub block: Block,
}

/// Which kind of conflicting messages a validator signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MisbehaviorKind {
    /// Two different votes of one kind for the same height and round.
    DoubleVote,
    /// Two different proposals for the same height and round.
    DoubleProposal,
    /// Two different blocks streamed for the same height and round, each with the proposer's
    /// stream signature; `first` and `second` are each the block hash (32 bytes) followed by
    /// the signature (64 bytes, domain `ProposalParts`, over height, round and hash).
    DoubleStream,
}

/// Equivocation the engine observed: two conflicting signed messages of one validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misbehavior {
    /// The validator.
    pub validator: AccountId,
    /// Height of the conflicting messages.
    pub height: Height,
    /// Round of the conflicting messages.
    pub round: u32,
    /// What was doubled.
    pub kind: MisbehaviorKind,
    /// The first message, signed, in the canonical consensus encoding.
    pub first: Vec<u8>,
    /// The conflicting message, signed, in the same encoding.
    pub second: Vec<u8>,
}

/// Everything the engine loop needs from the ledger.
#[async_trait]
pub trait Host: Send + Sync + 'static {
    /// The last durably committed height + 1, read from storage.
    async fn next_height(&self) -> Result<Height, HostError>;

    /// Validators and power for `height`, from committed state.
    async fn validators(&self, height: Height) -> Result<Vec<(AccountId, u64)>, HostError>;

    /// Builds a block for `(height, round)` proposed by `proposer`, dated `time` (or just after
    /// its parent), from the mempool, before `deadline`. Deterministic given the parent state,
    /// the time and the selected transactions.
    async fn build_block(
        &self,
        height: Height,
        round: u32,
        proposer: AccountId,
        time: Timestamp,
        deadline: Instant,
    ) -> Result<Block, HostError>;

    /// Re-executes a proposed block on scratch state: `Ok(Err(reason))` when it is invalid.
    async fn validate_block(&self, block: Block) -> Result<Result<(), String>, HostError>;

    /// Persists an undecided block so that it survives a crash.
    async fn store_undecided(&self, height: Height, undecided: Undecided) -> Result<(), HostError>;

    /// The undecided blocks kept for `height`.
    async fn undecided(&self, height: Height) -> Result<Vec<Undecided>, HostError>;

    /// Commits a decided block and its certificate in one synced batch. Only after this
    /// returns does the engine acknowledge the decision.
    async fn commit(&self, block: Block, cert: CommitCert) -> Result<(), HostError>;

    /// Decided blocks and certificates in `from..=to`, for peers that catch up.
    async fn decided_range(&self, from: Height, to: Height) -> Result<Vec<(Block, CommitCert)>, HostError>;

    /// Records equivocation evidence.
    async fn record_misbehavior(&self, evidence: Vec<Misbehavior>) -> Result<(), HostError>;

    /// Whether transactions wait in the mempool (drives the idle heartbeat).
    async fn has_pending(&self) -> bool;

    /// This validator's clock, which a fresh proposal's time is checked against
    /// (`timeliness`); the same clock the node dates its own proposals by.
    fn now(&self) -> Timestamp;
}
