//! One module per top-level `heitje` command: its clap types (their doc comments are the help
//! text) and its `run`. The tree of files is the tree of commands: `heitje shop request` is in
//! `shop/counter.rs`, dispatched from `shop/command.rs`.
//!
//! Commands use `anyhow`; a [`crate::Failure`] carries the error to `main` with its exit code.

pub mod account;
pub mod allowance;
pub mod balance;
pub mod block;
pub mod budgets;
pub mod contacts;
pub mod council;
pub mod evidence;
pub mod history;
pub mod me;
pub mod pay;
pub mod reconcile;
pub mod redemptions;
pub mod registrar;
pub mod send;
pub mod shop;
pub mod statement;
pub mod status;
pub mod supply;
pub mod task;
pub mod treasury;
pub mod tx;
pub mod verify_chain;
