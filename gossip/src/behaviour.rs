//! The composed libp2p behaviour: allow-list, connection limits, gossipsub and ping.

use std::time::Duration;

use libp2p::{allow_block_list, connection_limits, gossipsub, identity::Keypair, ping, swarm::NetworkBehaviour};

use crate::Error;

/// Room for the gossipsub envelope around a payload (author, key, sequence number, signature,
/// topic, protobuf framing), so a payload of exactly `max_message_bytes` still fits in one frame.
const FRAME_OVERHEAD: usize = 4096;

/// Established connections allowed per peer: two, so that two validators dialling each other at
/// the same moment both succeed instead of one being refused and retried.
const CONNECTIONS_PER_PEER: u32 = 2;

/// Context string of the message-id hash (one blake3 `derive_key` context per kind of hash).
const MESSAGE_ID_CONTEXT: &str = "heitje 2026-11 gossip message id";

/// Stock behaviours composed for the gossip swarm. Field order matters: the allow-list sees each
/// connection first, so a peer not on it is refused before anything else is set up for it.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub(crate) allow_list: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    pub(crate) limits: connection_limits::Behaviour,
    pub(crate) gossipsub: gossipsub::Behaviour,
    pub(crate) ping: ping::Behaviour,
}

impl Behaviour {
    /// Builds the behaviours for a node with `keypair`. The allow-list starts empty and the limits
    /// admit no one; the task fills both in from the config.
    pub(crate) fn new(keypair: &Keypair, max_message_bytes: usize, topic: &str) -> Result<Self, Error> {
        let max_transmit_size = max_message_bytes.saturating_add(topic.len()).saturating_add(FRAME_OVERHEAD);
        let config = gossipsub::ConfigBuilder::default()
            // Every message is signed by its author and carries author and sequence number.
            .validation_mode(gossipsub::ValidationMode::Strict)
            // Hold each message until the task has checked its sender, author and size.
            .validate_messages()
            .message_id_fn(message_id)
            .max_transmit_size(max_transmit_size)
            .build()
            .map_err(|error| Error::Gossipsub(error.to_string()))?;
        let gossipsub = gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(keypair.clone()), config)
            .map_err(|error| Error::Gossipsub(error.to_owned()))?;
        Ok(Self {
            allow_list: allow_block_list::Behaviour::default(),
            limits: connection_limits::Behaviour::new(limits(0)),
            gossipsub,
            ping: ping::Behaviour::new(ping::Config::new().with_interval(Duration::from_secs(5))),
        })
    }
}

/// Connection limits for an allow-list of `allowed` peers: each peer may hold
/// [`CONNECTIONS_PER_PEER`] connections, and pending handshakes (which peers off the list can
/// also start) are bounded by the same small multiple plus a little slack.
pub(crate) fn limits(allowed: usize) -> connection_limits::ConnectionLimits {
    let allowed = u32::try_from(allowed).unwrap_or(u32::MAX);
    let established = allowed.saturating_mul(CONNECTIONS_PER_PEER);
    let pending = established.saturating_add(8);
    connection_limits::ConnectionLimits::default()
        .with_max_established_per_peer(Some(CONNECTIONS_PER_PEER))
        .with_max_established(Some(established))
        .with_max_pending_incoming(Some(pending))
        .with_max_pending_outgoing(Some(pending))
}

/// Identical payloads get identical ids whoever publishes them, so gossipsub delivers them once.
fn message_id(message: &gossipsub::Message) -> gossipsub::MessageId {
    let hash = blake3::Hasher::new_derive_key(MESSAGE_ID_CONTEXT).update(&message.data).finalize();
    gossipsub::MessageId::new(hash.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(source: Option<libp2p::PeerId>, sequence_number: u64, data: &[u8]) -> gossipsub::Message {
        gossipsub::Message {
            source,
            data: data.to_vec(),
            sequence_number: Some(sequence_number),
            topic: gossipsub::IdentTopic::new("t").hash(),
        }
    }

    #[test]
    fn message_id_depends_only_on_the_payload() {
        let alice = Some(libp2p::PeerId::random());
        let bob = Some(libp2p::PeerId::random());
        assert_eq!(message_id(&message(alice, 1, b"tx")), message_id(&message(bob, 2, b"tx")));
        assert_ne!(message_id(&message(alice, 1, b"tx")), message_id(&message(alice, 1, b"ty")));
    }
}
