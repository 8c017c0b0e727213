//! Commands: one function per `heitje` subcommand, plus the shared transaction pipeline.
//!
//! Commands use `anyhow`; a [`crate::Failure`] carries the error to `main` with its exit code.

pub(crate) mod account;
pub(crate) mod contacts;
pub(crate) mod council;
pub(crate) mod evidence;
pub(crate) mod me;
pub(crate) mod payments;
pub(crate) mod query;
pub(crate) mod registrar;
pub(crate) mod registry;
pub(crate) mod review;
pub(crate) mod settle;
pub(crate) mod shop;
pub(crate) mod task;
pub(crate) mod transfer;
pub(crate) mod treasury;
