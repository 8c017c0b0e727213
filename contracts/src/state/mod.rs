//! Ledger state: typed entries in one ordered map, a copy-on-write overlay for executing blocks
//! on scratch, and the state root.
//!
//! R-ROOT-1: the state root commits to every entry. Entries are hashed as leaves
//! (`key ‖ value`, canonical bytes), leaves are grouped into [`BUCKETS`] buckets by the first
//! bytes of the key's hash, and a binary tree over the bucket hashes gives the root. Only
//! buckets a block touches are rehashed, so the cost of a block grows with what it changes, not
//! with the size of the state.
//!
//! The parts, each in its own file and re-exported here:
//! - `records`: what the state stores (accounts, budgets, tasks, claims, redemptions, shops,
//!   proposals, [`Globals`], the validator schedule, the verifier pool) and their limits;
//! - `params`: the chain [`Params`] and the bounds the council must keep them within;
//! - `keyspace`: every [`Key`], the [`Value`] under it, [`DueItem`] and [`ChangeSet`];
//! - `root`: the committed [`State`] and its bucketed root;
//! - `supply`: the [`Supply`] figures of a state (R-SUP-1);
//! - `overlay`: the copy-on-write [`Overlay`] and the [`BlockContext`] the rules execute in.
//!
//! The lifecycle enums ([`TaskStatus`], [`ClaimStatus`], [`RedemptionStatus`],
//! [`ProposalStatus`]) live in the crate's `status` module, below both this module and
//! [`crate::error`], and are re-exported here.

mod keyspace;
mod overlay;
mod params;
mod records;
mod root;
mod supply;

pub use keyspace::{ChangeSet, DueItem, Key, Value};
pub use overlay::{BlockContext, Overlay};
pub use params::{MAX_ANNUAL_CAP, MAX_OBJECTION_WINDOW_MS, MAX_REDEMPTION_FEE, MAX_REDEMPTION_MIN, Params};
pub use records::{
    Account, Budget, Claim, Earner, Globals, MAX_COUNCIL, MAX_REVIEWERS, MAX_SLOTS, MAX_TILLS, MAX_VALIDATOR_POWER,
    MAX_VALIDATORS, MAX_VERIFIERS, MerchantRecord, Objection, PaymentRecord, Proposal, Redemption, ScheduledSet, Task,
    TillLink, VALIDATOR_CHANGE_DELAY, ValidatorEntry, ValidatorSchedule, VerifierPool, Vote,
};
pub use root::{BUCKETS, State};
pub use supply::Supply;

pub use crate::status::{ClaimStatus, ProposalStatus, RedemptionStatus, TaskStatus};
