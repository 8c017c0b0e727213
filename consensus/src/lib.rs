//! The adapter between the Heitje ledger and the Malachite BFT engine (Tendermint).
//!
//! This crate is the only one that names Malachite types. It provides the consensus context
//! (`context`), the canonical wire codec (`codec`), ed25519 signing with `verify_strict`
//! (`signing`), block streaming as proposal parts (`parts`) and the engine loop (`driver`). The
//! node plugs in through the narrow [`Host`] port, which speaks only ledger types.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod codec;
pub mod context;
pub mod deviation;
mod driver;
pub mod guard;
mod parts;
mod port;
pub mod progress;
pub mod signing;
pub mod timeliness;

pub use deviation::{Deviation, Honest, Outgoing};
pub use driver::{Role, Running, Settings, Timeouts, has_wal, peer_id_of, start};
pub use guard::{GuardError, SignGuard};
pub use port::{Host, HostError, Misbehavior, MisbehaviorKind, Undecided};
pub use progress::{Progress, ProposalFault, ProposalFaults};
