//! The ledger: the committed state with its storage and mempool ([`Ledger`]), the one thread
//! that owns it ([`Engine`]) and the cloneable [`Handle`] everyone else reaches it through, and
//! the glue to consensus: the port the ledger implements ([`ConsensusApp`]) and the Malachite
//! host over the handle ([`LedgerHost`]). API reads run off that thread, on the snapshots the
//! ledger publishes after each commit ([`Reads`]). Also what is derived from the chain alone: the
//! reconciliation report per height and the replay that re-verifies the whole chain.

pub mod chain_check;
mod handle;
mod host;
mod machine;
pub mod mempool;
mod port;
pub mod reconciliation;
mod task;
mod view;

pub use handle::{Handle, Unavailable};
pub use host::LedgerHost;
pub use machine::{Ledger, SubmitError, verify_all, wall_clock_ms};
pub use mempool::{AdmitError, Admitted, Limits, Mempool};
pub use port::{CommitError, ConsensusApp, Validity};
pub use task::Engine;
pub use view::{Committed, MAX_READS, READ_TIMEOUT, ReadError, ReadView, Reads, Snapshot};
