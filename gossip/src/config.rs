//! Gossip configuration: the node key, where to listen, whom to dial and whom to allow.

use std::fmt;

use libp2p::{Multiaddr, PeerId};

/// Capacity of the publish queue behind [`Handle::publish`](crate::Handle::publish).
pub const PUBLISH_QUEUE: usize = 1024;

/// Capacity of the [`Inbound`](crate::Inbound) channel; when the caller falls this far behind,
/// further messages are dropped (and logged) rather than stalling the network task.
pub const INBOUND_QUEUE: usize = 1024;

/// How the gossip task is set up. `Debug` does not print the secret.
#[derive(Clone)]
pub struct Config {
    /// The validator's ed25519 secret key; the node's [`PeerId`] derives from its public key, and
    /// every published message is signed with it.
    pub secret: [u8; 32],
    /// Where to accept connections, e.g. `/ip4/127.0.0.1/tcp/27100` (`tcp/0` picks a free port;
    /// read it back with [`Handle::listen_addrs`](crate::Handle::listen_addrs)).
    pub listen: Multiaddr,
    /// Persistent peers (the other validators): dialled at start and redialled with a backoff
    /// (500 ms doubling to 10 s) whenever their connection drops. Addresses are `/ip4` or `/ip6`
    /// with `/tcp` (there is no DNS resolution). Peers not in `allowed` are skipped.
    pub peers: Vec<(PeerId, Multiaddr)>,
    /// The allow-list, e.g. the validators from genesis: only these peers may hold a connection,
    /// and only messages they author are accepted. The node's own id may be included.
    pub allowed: Vec<PeerId>,
    /// The gossipsub topic, e.g. `heitje/<chain-id>/txs/v1`; nodes on other topics never exchange
    /// messages.
    pub topic: String,
    /// Largest payload in bytes: larger ones are refused by `publish` and dropped on receipt.
    pub max_message_bytes: usize,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("secret", &"<redacted>")
            .field("listen", &self.listen)
            .field("peers", &self.peers)
            .field("allowed", &self.allowed)
            .field("topic", &self.topic)
            .field("max_message_bytes", &self.max_message_bytes)
            .finish()
    }
}
