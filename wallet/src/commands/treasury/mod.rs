//! `heitje treasury`: the treasurer funds and defunds budgets, settles single redemptions, and
//! exports and records settlement batches.
//!
//! [`command`] holds the clap types and the dispatch; [`settlement`] the batch subcommands.

pub mod command;
pub mod settlement;

pub use command::TreasuryCommand;
pub(crate) use command::run;
