//! `heitje shop`: shops and tills. Payment requests and confirmation at the counter, receipts,
//! statements of payments, tills and redemption.
//!
//! [`command`] holds the clap types and the dispatch; each other file one group of subcommands.

pub mod command;
mod counter;
mod merchant;
mod redeem;
mod statement;
mod tills;

pub(crate) use command::run;
pub use command::{ShopCommand, TillCommand};
