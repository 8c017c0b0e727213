//! The one typed, blocking client of the node's HTTP API (ureq), behind the `client` feature:
//! the wallet, the loadgen and the tests reach a node only through it.
//!
//! [`Client`] holds one or more node base URLs and moves on to the next node when one cannot
//! answer ([`Error::try_elsewhere`]); it has one method per endpoint, and every path comes from
//! [`crate::routes`]. [`Submission`] is the one-shot view of `POST /v1/tx` that a benchmark needs
//! (accepted, busy, refused, unreachable) without failover.

mod connection;
mod endpoints;
mod error;
mod submission;

pub use connection::{Client, Options, is_private_transport};
pub use error::Error;
pub use submission::Submission;

#[cfg(test)]
mod tests;
