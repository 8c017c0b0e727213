//! Transaction gossip: every transaction a node admits reaches the other validators' mempools,
//! so whichever validator proposes next can include it.
//!
//! Admitted transactions are batched (up to [`BATCH_TXS`] or [`BATCH_WAIT`]) into one gossip
//! message. A received batch is decoded with caps, each transaction's signature is checked once,
//! off the ledger thread, and the valid ones are offered to the mempool, which drops duplicates
//! and transactions that no longer fit. A malformed batch is dropped whole and logged.
//!
//! The same topic carries the off-chain merchant registry: each message starts with a kind
//! byte. Registry records are self-authenticating (signed by a registrar on chain), so a node
//! takes a record from any allow-listed peer if it verifies and is newer than the one it holds.
//! Every node republishes its whole registry when a peer (re)joins and every
//! [`REGISTRY_REPUBLISH`], so a node that was down catches up.
//!
//! Evidence records travel on the same topic so that any validator can serve a verifier
//! (kind 3: one sealed record with its key; kind 4: owners' signed erasure requests).
//! Keys travel only between validators: the topic's peers are the allow-listed validators, each
//! connection is authenticated by the validator key and encrypted (noise), and gossipsub never
//! forwards to a peer off the allow-list. A validator takes a record only if it opens with its
//! key, matches its commitment, belongs to its claim's worker, is within its retention period
//! and was not erased here; it takes an erasure only if the owner's signature verifies and the
//! claim allows erasure in its own state. Both are idempotent. Every node republishes its live
//! records (one message each, at most [`MAX_MESSAGE`] bytes) when a peer (re)joins, and its
//! erasure requests then and every [`REGISTRY_REPUBLISH`]; retention erasures need no message,
//! since every node sweeps by block time.
//!
//! `wire` holds the message kinds, limits and decoders; `outbox` what the API hands over and
//! the publishing; `inbound` what arrives; `republish` the catch-up of peers that (re)join;
//! `service` starts it all and follows the validator set.

mod inbound;
mod outbox;
mod republish;
mod service;
mod wire;

pub use outbox::Outbox;
pub use service::{Settings, start};
pub use wire::{BATCH_TXS, BATCH_WAIT, MAX_BATCH, MAX_MESSAGE, REGISTRY_REPUBLISH, evidence_message};
