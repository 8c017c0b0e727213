//! Transaction gossip between allow-listed validators: opaque batches flood over libp2p gossipsub
//! (TCP, noise, yamux), and only validators on the allow-list may hold a connection.
//!
//! [`spawn`] starts one tokio task that owns the libp2p `Swarm`. The caller gets a cloneable
//! [`Handle`] to publish and to change the allow-list, and a bounded receiver of [`Inbound`]
//! messages from other validators. Gossip is best effort: a publish that reaches nobody is not an
//! error, because the caller keeps the transaction in its own mempool and gossips it again later.
//!
//! Defences, outermost first:
//! - the allow-list (`libp2p::allow_block_list`) refuses every connection to or from a peer that
//!   is not a current validator, after the noise handshake has proven the peer's key;
//! - connection limits bound pending and established connections (two per peer, so simultaneous
//!   dials in both directions still succeed);
//! - gossipsub checks each message's author signature (`ValidationMode::Strict`), and the task
//!   drops a message whose sender or author is not allow-listed, or whose payload is larger than
//!   [`Config::max_message_bytes`], before it is forwarded or delivered.
//!
//! Message ids are a keyed blake3 hash of the payload, so the same bytes published twice, by one
//! validator or by several, are delivered once.
//!
//! [`wire`] is the format of the payloads the node sends on the topic: the message kinds, their
//! caps and the decoders of what peers send. It is pure (no libp2p), so the fuzz targets call the
//! decoders without a node.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod behaviour;
mod config;
mod error;
mod handle;
mod identity;
mod task;
pub mod wire;

pub use config::{Config, INBOUND_QUEUE, PUBLISH_QUEUE};
pub use error::{Error, PublishError};
pub use handle::{Handle, Inbound};
pub use identity::{peer_id_of, public_key_of};
pub use libp2p::{Multiaddr, PeerId};
pub use task::spawn;
