//! The consensus port: everything a block-production engine needs from the ledger.
//!
//! The BFT engine (Malachite) drives it from the `consensus` crate, through the `Host` port
//! that `host.rs` implements over the ledger thread; no engine type crosses this boundary, and
//! the ledger, mempool and storage never name one.

use contracts::{AccountId, Block, CommitCert, Height, Timestamp};
use thiserror::Error;

use crate::store::StoreError;

/// Whether a proposed block may be voted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validity {
    /// Re-execution matched the header.
    Valid,
    /// The block breaks a rule; the reason is logged.
    Invalid(String),
}

/// Why a decided block could not be committed.
#[derive(Debug, Error)]
pub enum CommitError {
    /// The certificate does not prove the decision.
    #[error("commit certificate refused: {0}")]
    Cert(#[from] contracts::block::CertError),
    /// The block does not extend the head or does not re-execute to its header.
    #[error("decided block is invalid here: {0}")]
    Block(String),
    /// A storage fault: the node must halt.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A ledger invariant broke after the block: the node must halt.
    #[error("ledger invariant broken after height {0}: {1}")]
    Invariant(Height, String),
}

/// Everything consensus needs from the ledger.
pub trait ConsensusApp {
    /// Height to decide next: the last durably committed height + 1, read from storage.
    fn next_height(&self) -> Height;

    /// Validators and voting power for `height`, from committed state.
    fn validators(&self, height: Height) -> Vec<(AccountId, u64)>;

    /// Builds a block for `height` proposed by `proposer`, dated `time` (or just after its
    /// parent), taking at most `max_txs` from the mempool. Deterministic given the parent
    /// state, the time and the selected transactions.
    fn build_block(
        &mut self,
        height: Height,
        round: u32,
        proposer: AccountId,
        time: Timestamp,
        max_txs: usize,
    ) -> Block;

    /// Re-executes a proposed block on scratch state.
    fn validate_block(&mut self, block: &Block) -> Validity;

    /// Persists a decided block with its certificate, state changes and receipts in one synced
    /// batch, then applies it. Only after this returns may the engine acknowledge the decision.
    fn commit(&mut self, block: &Block, cert: &CommitCert) -> Result<(), CommitError>;

    /// Decided blocks with their certificates in `from..=to`, for peers that catch up.
    fn decided_range(&self, from: Height, to: Height) -> Result<Vec<(Block, CommitCert)>, StoreError>;
}
