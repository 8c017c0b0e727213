//! The ledger rules: one module per area. `execute` checks the envelope and dispatches.
//!
//! Every rule module follows the same shape: `check_*` reads and returns `Result<_, Rejection>`;
//! writes happen only after all checks pass, into the transaction layer of the overlay, so a
//! rejection leaves nothing behind but the nonce (R-TX-5).

mod common;
pub mod due;
mod execute;
mod governance;
mod merchant;
mod redemption;
pub mod review;
pub mod tasks;
mod transfer;
mod treasury;

pub use execute::{VerifiedTx, check_envelope, execute};
