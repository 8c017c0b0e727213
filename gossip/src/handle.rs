//! The cloneable handle through which the node talks to the gossip task.

use std::collections::BTreeSet;

use libp2p::{Multiaddr, PeerId};
use tokio::sync::{mpsc, oneshot, watch};

use crate::PublishError;

/// A message gossiped by another validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The validator that authored (and signed) the message; not necessarily the peer that
    /// forwarded it to us.
    pub from: PeerId,
    /// The opaque payload, at most [`Config::max_message_bytes`](crate::Config::max_message_bytes).
    pub data: Vec<u8>,
}

/// Requests to the task other than publishing; each carries its reply channel.
#[derive(Debug)]
pub(crate) enum Control {
    Peers(oneshot::Sender<Vec<PeerId>>),
    ListenAddrs(oneshot::Sender<Vec<Multiaddr>>),
    SetAllowed { allowed: Vec<PeerId>, peers: Vec<(PeerId, Multiaddr)>, done: oneshot::Sender<()> },
    Shutdown(oneshot::Sender<()>),
}

/// A cloneable handle to the gossip task. The task stops when [`Handle::shutdown`] is called or
/// when every clone has been dropped.
#[derive(Debug, Clone)]
pub struct Handle {
    local_peer_id: PeerId,
    max_message_bytes: usize,
    publish: mpsc::Sender<Vec<u8>>,
    control: mpsc::Sender<Control>,
    subscribed: watch::Receiver<BTreeSet<PeerId>>,
    refused: watch::Receiver<u64>,
}

impl Handle {
    pub(crate) fn new(
        local_peer_id: PeerId,
        max_message_bytes: usize,
        publish: mpsc::Sender<Vec<u8>>,
        control: mpsc::Sender<Control>,
        subscribed: watch::Receiver<BTreeSet<PeerId>>,
        refused: watch::Receiver<u64>,
    ) -> Self {
        Self { local_peer_id, max_message_bytes, publish, control, subscribed, refused }
    }

    /// This node's peer id (from the public half of [`Config::secret`](crate::Config::secret)).
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// Queues `data` for gossip without waiting. `Ok` means queued, not delivered: if no
    /// validator is subscribed yet, or the same bytes were already sent or received within
    /// gossipsub's duplicate window (a minute), the task logs it at debug level and drops it; the
    /// caller keeps the transaction in its mempool and may publish it again later.
    pub fn publish(&self, data: Vec<u8>) -> Result<(), PublishError> {
        if data.len() > self.max_message_bytes {
            return Err(PublishError::TooLarge { size: data.len(), max: self.max_message_bytes });
        }
        self.publish.try_send(data).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => PublishError::Full,
            mpsc::error::TrySendError::Closed(_) => PublishError::Closed,
        })
    }

    /// The allow-listed peers with at least one established connection, sorted. Empty once the
    /// task has stopped.
    pub async fn peers(&self) -> Vec<PeerId> {
        self.ask(Control::Peers).await.unwrap_or_default()
    }

    /// The addresses the node is listening on (with the real port when the config said `tcp/0`),
    /// sorted. Empty once the task has stopped.
    pub async fn listen_addrs(&self) -> Vec<Multiaddr> {
        self.ask(Control::ListenAddrs).await.unwrap_or_default()
    }

    /// Watches the connected, allow-listed peers that have subscribed to the topic: the peers a
    /// publish reaches now. Use `wait_for` on it to wait until gossip is ready.
    pub fn subscribed(&self) -> watch::Receiver<BTreeSet<PeerId>> {
        self.subscribed.clone()
    }

    /// Watches how many inbound connections were refused because the peer, whose key the noise
    /// handshake had proven, is not on the allow-list: a steady rise means a node outside the
    /// validator set (or one with a stale genesis) keeps trying to join.
    pub fn refused(&self) -> watch::Receiver<u64> {
        self.refused.clone()
    }

    /// Replaces the allow-list and the persistent peers after a validator-set change: connections
    /// to removed peers are closed, new peers are dialled, and a peer whose address changed is
    /// dialled at the new address when it is not connected. Returns once the task has applied the
    /// change (immediately if it has stopped).
    pub async fn set_allowed(&self, allowed: Vec<PeerId>, peers: Vec<(PeerId, Multiaddr)>) {
        let applied = self.ask(|done| Control::SetAllowed { allowed, peers, done }).await;
        if applied.is_none() {
            tracing::warn!("gossip task has stopped; allow-list change not applied");
        }
    }

    /// Stops the task, closes the listener and all connections, and returns once the swarm is
    /// gone, so the listen port can be bound again. Later calls on any clone find it stopped.
    pub async fn shutdown(&self) {
        let _stopped = self.ask(Control::Shutdown).await;
    }

    /// Sends a request and waits for its reply; `None` when the task has stopped.
    async fn ask<T>(&self, request: impl FnOnce(oneshot::Sender<T>) -> Control) -> Option<T> {
        let (reply, response) = oneshot::channel();
        self.control.send(request(reply)).await.ok()?;
        response.await.ok()
    }
}
