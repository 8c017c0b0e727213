//! Heitje ledger rules: primitives, the canonical codec, signatures and the deterministic state
//! transitions of the Heerlen community currency.
//!
//! This crate does no I/O and reads no clock or randomness: every validator turns the same
//! blocks into the same state root. Time comes from block headers only, every iterated map is a
//! `BTreeMap`, and there are no floats.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
#![forbid(unsafe_code)]

pub mod block;
pub mod codec;
pub mod crypto;
pub mod error;
pub mod primitives;
pub mod receipt;
pub mod rules;
pub mod schema;
pub mod state;
mod status;
pub mod tx;

pub use block::{Block, BlockHeader, CommitCert};
pub use error::{Invalid, Rejection};
pub use primitives::{AccountId, Amount, BudgetCode, ChainId, Hash, Height, Nonce, Role, Timestamp};
pub use receipt::{Event, Outcome, Receipt};
pub use rules::VerifiedTx;
pub use state::State;
pub use tx::{Action, SignedTx, Tx};
