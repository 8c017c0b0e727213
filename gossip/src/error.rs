//! Errors from starting the gossip task and from publishing.

/// Why the gossip task could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a valid ed25519 public key.
    #[error("invalid ed25519 public key: {0}")]
    InvalidPublicKey(String),
    /// The bytes are not a valid ed25519 secret key.
    #[error("invalid ed25519 secret key: {0}")]
    InvalidSecretKey(String),
    /// A [`Config`](crate::Config) field is out of range.
    #[error("invalid gossip config: {0}")]
    InvalidConfig(&'static str),
    /// The noise handshake could not be set up with the node key.
    #[error("setting up the noise handshake: {0}")]
    Noise(#[from] libp2p::noise::Error),
    /// gossipsub refused its configuration.
    #[error("setting up gossipsub: {0}")]
    Gossipsub(String),
    /// The listen address could not be bound (in use, not local, unsupported).
    #[error("listening on {address}: {reason}")]
    Listen {
        /// The address from the config.
        address: libp2p::Multiaddr,
        /// What the transport reported.
        reason: String,
    },
}

/// Why [`Handle::publish`](crate::Handle::publish) refused a message. Nothing was queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// The payload is over [`Config::max_message_bytes`](crate::Config::max_message_bytes).
    #[error("message of {size} bytes is over the {max} byte limit")]
    TooLarge {
        /// The payload length.
        size: usize,
        /// The configured limit.
        max: usize,
    },
    /// The publish queue is full; try again later (the caller still holds the data).
    #[error("gossip publish queue is full")]
    Full,
    /// The gossip task has stopped.
    #[error("gossip task has stopped")]
    Closed,
}
