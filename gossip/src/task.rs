//! The gossip task: owns the `Swarm`, the allow-list and the redial schedule of persistent peers.

use std::{
    collections::{BTreeMap, BTreeSet, btree_map::Entry},
    pin::Pin,
    time::Duration,
};

use libp2p::{
    Multiaddr, PeerId, Swarm, SwarmBuilder, allow_block_list,
    futures::StreamExt,
    gossipsub::{self, MessageAcceptance},
    noise, ping,
    swarm::{
        DialError, ListenError, SwarmEvent,
        dial_opts::{DialOpts, PeerCondition},
    },
    tcp, yamux,
};
use tokio::{
    sync::{mpsc, watch},
    time::{Instant, Sleep},
};

use crate::{
    Config, Error, Handle, INBOUND_QUEUE, Inbound, PUBLISH_QUEUE,
    behaviour::{Behaviour, BehaviourEvent, limits},
    handle::Control,
    identity::keypair_of,
};

/// First redial delay after a persistent peer's connection drops or a dial fails.
const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The redial delay doubles up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// A connection that lived this long was healthy: after it drops, redialling starts again from
/// [`INITIAL_BACKOFF`]. Shorter ones (e.g. a peer that keeps refusing us) keep backing off.
const STABLE_CONNECTION: Duration = MAX_BACKOFF;
/// Connections are normally kept open by gossipsub's long-lived streams; this covers the gaps.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// How long [`spawn`] waits for the listener to report its address.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Capacity of the control channel (peers, listen addresses, allow-list, shutdown).
const CONTROL_QUEUE: usize = 16;

/// Starts the gossip task: binds `config.listen`, dials the persistent peers and subscribes to
/// the topic. Returns once the listener is bound, with the handle and the receiver of messages
/// from other validators. Must be called inside a tokio runtime.
pub async fn spawn(config: Config) -> Result<(Handle, mpsc::Receiver<Inbound>), Error> {
    if config.max_message_bytes == 0 {
        return Err(Error::InvalidConfig("max_message_bytes must be positive"));
    }
    if config.topic.is_empty() {
        return Err(Error::InvalidConfig("topic must not be empty"));
    }
    let keypair = keypair_of(config.secret)?;
    let behaviour = Behaviour::new(&keypair, config.max_message_bytes, &config.topic)?;
    let Ok(builder) = SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(tcp::Config::default(), noise::Config::new, yamux::Config::default)?
        .with_behaviour(|_| behaviour);
    let mut swarm =
        builder.with_swarm_config(|swarm| swarm.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT)).build();

    let topic = gossipsub::IdentTopic::new(config.topic);
    swarm.behaviour_mut().gossipsub.subscribe(&topic).map_err(|error| Error::Gossipsub(error.to_string()))?;
    swarm
        .listen_on(config.listen.clone())
        .map_err(|error| Error::Listen { address: config.listen.clone(), reason: error.to_string() })?;

    let (publish_sender, publish) = mpsc::channel(PUBLISH_QUEUE);
    let (control_sender, control) = mpsc::channel(CONTROL_QUEUE);
    let (inbound, inbound_receiver) = mpsc::channel(INBOUND_QUEUE);
    let (subscribed, subscribed_receiver) = watch::channel(BTreeSet::new());
    let (refused, refused_receiver) = watch::channel(0);
    let handle = Handle::new(
        *swarm.local_peer_id(),
        config.max_message_bytes,
        publish_sender,
        control_sender,
        subscribed_receiver,
        refused_receiver,
    );
    let mut task = Task {
        swarm,
        topic: topic.hash(),
        max_message_bytes: config.max_message_bytes,
        allowed: BTreeSet::new(),
        targets: BTreeMap::new(),
        connected: BTreeMap::new(),
        inbound,
        subscribed,
        refused,
        publish,
        control,
        redial: Box::pin(tokio::time::sleep(Duration::ZERO)),
    };
    task.set_allowed(config.allowed, config.peers);
    task.wait_listening(&config.listen).await?;
    tokio::spawn(task.run());
    Ok((handle, inbound_receiver))
}

/// A persistent peer and when to dial it next.
#[derive(Debug)]
struct Target {
    address: Multiaddr,
    /// Delay before the next retry after a failure.
    backoff: Duration,
    /// When to dial; `None` while connected or while a dial is under way.
    due: Option<Instant>,
}

impl Target {
    fn new(address: Multiaddr, due: Option<Instant>) -> Self {
        Self { address, backoff: INITIAL_BACKOFF, due }
    }

    fn retry_later(&mut self) {
        self.due = Some(Instant::now() + self.backoff);
        self.backoff = self.backoff.saturating_mul(2).min(MAX_BACKOFF);
    }
}

/// All state of the gossip node; only the task touches it.
struct Task {
    swarm: Swarm<Behaviour>,
    topic: gossipsub::TopicHash,
    max_message_bytes: usize,
    /// The allow-list, without our own id.
    allowed: BTreeSet<PeerId>,
    /// Persistent peers (allow-listed, not us), dialled and redialled by the task.
    targets: BTreeMap<PeerId, Target>,
    /// Peers with at least one established connection, and since when.
    connected: BTreeMap<PeerId, Instant>,
    inbound: mpsc::Sender<Inbound>,
    subscribed: watch::Sender<BTreeSet<PeerId>>,
    /// Inbound connections refused because the peer is not on the allow-list.
    refused: watch::Sender<u64>,
    publish: mpsc::Receiver<Vec<u8>>,
    control: mpsc::Receiver<Control>,
    /// Fires at the earliest `due` of the targets.
    redial: Pin<Box<Sleep>>,
}

impl Task {
    async fn run(mut self) {
        let stopped = loop {
            let due = self.targets.values().filter_map(|target| target.due).min();
            if let Some(due) = due
                && self.redial.deadline() != due
            {
                self.redial.as_mut().reset(due);
            }
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                Some(data) = self.publish.recv() => self.publish(data),
                control = self.control.recv() => match control {
                    Some(Control::Shutdown(done)) => break Some(done),
                    Some(control) => self.on_control(control),
                    // Every handle is gone: nobody can publish or read any more.
                    None => break None,
                },
                () = &mut self.redial, if due.is_some() => self.dial_due(),
            }
            self.update_subscribed();
        };
        // Dropping the swarm closes the listener and every connection.
        drop(self);
        tracing::debug!("gossip task stopped");
        if let Some(done) = stopped {
            let _ = done.send(());
        }
    }

    /// Handles swarm events until the listener reports its first address.
    async fn wait_listening(&mut self, address: &Multiaddr) -> Result<(), Error> {
        let failed = |reason: String| Error::Listen { address: address.clone(), reason };
        let deadline = tokio::time::sleep(LISTEN_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => match event {
                    SwarmEvent::NewListenAddr { address, .. } => {
                        tracing::info!(%address, peer = %self.swarm.local_peer_id(), "gossip listening");
                        return Ok(());
                    }
                    SwarmEvent::ListenerClosed { reason, .. } => {
                        let reason = reason.map_or_else(|error| error.to_string(), |()| "closed".to_owned());
                        return Err(failed(reason));
                    }
                    SwarmEvent::ListenerError { error, .. } => return Err(failed(error.to_string())),
                    event => self.on_swarm_event(event),
                },
                () = &mut deadline => return Err(failed("no listen address reported".to_owned())),
            }
        }
    }

    fn on_control(&mut self, control: Control) {
        match control {
            Control::Peers(reply) => {
                let peers = self.connected.keys().filter(|peer| self.allowed.contains(peer)).copied().collect();
                let _ = reply.send(peers);
            }
            Control::ListenAddrs(reply) => {
                let mut addresses: Vec<Multiaddr> = self.swarm.listeners().cloned().collect();
                addresses.sort();
                let _ = reply.send(addresses);
            }
            Control::SetAllowed { allowed, peers, done } => {
                self.set_allowed(allowed, peers);
                let _ = done.send(());
            }
            Control::Shutdown(done) => {
                // `run` stops before dispatching here; answer anyway so no caller waits forever.
                let _ = done.send(());
            }
        }
    }

    /// Replaces the allow-list and the persistent peers.
    fn set_allowed(&mut self, allowed: Vec<PeerId>, peers: Vec<(PeerId, Multiaddr)>) {
        let local = *self.swarm.local_peer_id();
        let allowed: BTreeSet<PeerId> = allowed.into_iter().filter(|peer| *peer != local).collect();
        let behaviour = self.swarm.behaviour_mut();
        for removed in self.allowed.difference(&allowed) {
            tracing::info!(peer = %removed, "peer left the allow-list; closing its connections");
            // Closes every connection to the peer.
            behaviour.allow_list.disallow_peer(*removed);
            behaviour.gossipsub.remove_explicit_peer(removed);
        }
        for added in allowed.difference(&self.allowed) {
            tracing::debug!(peer = %added, "peer joined the allow-list");
            behaviour.allow_list.allow_peer(*added);
            // Explicit peers get every message directly, outside the mesh: with a handful of
            // validators, flooding is both the fastest and the most robust choice.
            behaviour.gossipsub.add_explicit_peer(added);
        }
        *behaviour.limits.limits_mut() = limits(allowed.len());
        self.allowed = allowed;

        let mut wanted = BTreeMap::new();
        for (peer, address) in peers {
            if peer == local {
                continue;
            }
            if !self.allowed.contains(&peer) {
                tracing::warn!(%peer, %address, "persistent peer is not on the allow-list; not dialling it");
                continue;
            }
            wanted.insert(peer, address);
        }
        self.targets.retain(|peer, _| wanted.contains_key(peer));
        let now = Instant::now();
        for (peer, address) in wanted {
            let due = (!self.connected.contains_key(&peer)).then_some(now);
            match self.targets.entry(peer) {
                Entry::Vacant(entry) => {
                    entry.insert(Target::new(address, due));
                }
                Entry::Occupied(mut entry) if entry.get().address != address => {
                    *entry.get_mut() = Target::new(address, due);
                }
                Entry::Occupied(_) => {}
            }
        }
    }

    fn dial_due(&mut self) {
        let now = Instant::now();
        let mut due = Vec::new();
        for (peer, target) in &mut self.targets {
            if target.due.is_some_and(|at| at <= now) {
                target.due = None;
                due.push((*peer, target.address.clone()));
            }
        }
        for (peer, address) in due {
            let options = DialOpts::peer_id(peer)
                .addresses(vec![address.clone()])
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .allocate_new_port()
                .build();
            match self.swarm.dial(options) {
                Ok(()) => tracing::trace!(%peer, %address, "dialling persistent peer"),
                // Already connected or dialling: the outcome of that connection reschedules us.
                Err(DialError::DialPeerConditionFalse(_)) => {}
                Err(error) => {
                    tracing::debug!(%peer, %address, %error, "could not dial persistent peer");
                    if let Some(target) = self.targets.get_mut(&peer) {
                        target.retry_later();
                    }
                }
            }
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => self.on_gossip(event),
            // libp2p does not close a connection whose pings fail; we do, so that a peer that
            // vanished without a FIN is noticed and redialled.
            SwarmEvent::Behaviour(BehaviourEvent::Ping(ping::Event { peer, connection, result: Err(failure) }))
                if !matches!(failure, ping::Failure::Unsupported) =>
            {
                tracing::debug!(%peer, %failure, "ping failed; closing the connection");
                let _ = self.swarm.close_connection(connection);
            }
            SwarmEvent::Behaviour(_) => {}
            SwarmEvent::ConnectionEstablished { peer_id, num_established, endpoint, .. } => {
                tracing::debug!(peer = %peer_id, address = %endpoint.get_remote_address(), "connected");
                if num_established.get() == 1 {
                    self.connected.insert(peer_id, Instant::now());
                }
                if let Some(target) = self.targets.get_mut(&peer_id) {
                    target.due = None;
                }
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established, cause, .. } => {
                tracing::debug!(peer = %peer_id, cause = ?cause, "connection closed");
                if num_established == 0 {
                    let since = self.connected.remove(&peer_id);
                    if let Some(target) = self.targets.get_mut(&peer_id) {
                        if since.is_some_and(|at| at.elapsed() >= STABLE_CONNECTION) {
                            target.backoff = INITIAL_BACKOFF;
                        }
                        target.retry_later();
                    }
                }
            }
            // gossipsub dials its explicit peers by id alone; those dials fail with `NoAddresses`
            // and are not ours to retry.
            SwarmEvent::OutgoingConnectionError { peer_id: Some(peer_id), error, .. }
                if !matches!(error, DialError::NoAddresses) =>
            {
                tracing::debug!(peer = %peer_id, %error, "dial failed");
                if !self.connected.contains_key(&peer_id)
                    && let Some(target) = self.targets.get_mut(&peer_id)
                {
                    target.retry_later();
                }
            }
            SwarmEvent::IncomingConnectionError { send_back_addr, error, peer_id, .. } => {
                let not_allowed = matches!(&error, ListenError::Denied { cause }
                    if cause.downcast_ref::<allow_block_list::NotAllowed>().is_some());
                if not_allowed {
                    tracing::debug!(address = %send_back_addr, peer = ?peer_id, "refused a peer not on the allow-list");
                    self.refused.send_modify(|count| *count = count.saturating_add(1));
                } else {
                    tracing::debug!(address = %send_back_addr, peer = ?peer_id, %error, "inbound connection failed");
                }
            }
            SwarmEvent::NewListenAddr { address, .. } => tracing::info!(%address, "gossip listening"),
            SwarmEvent::ExpiredListenAddr { address, .. } => tracing::info!(%address, "gossip stopped listening"),
            SwarmEvent::ListenerClosed { addresses, reason, .. } => {
                tracing::warn!(?addresses, ?reason, "gossip listener closed");
            }
            SwarmEvent::ListenerError { error, .. } => tracing::warn!(%error, "gossip listener error"),
            _ => {}
        }
    }

    fn on_gossip(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message { propagation_source, message_id, message } => {
                self.on_message(propagation_source, message_id, message);
            }
            gossipsub::Event::Subscribed { peer_id, topic } => {
                tracing::debug!(peer = %peer_id, %topic, "peer subscribed");
            }
            gossipsub::Event::Unsubscribed { peer_id, topic } => {
                tracing::debug!(peer = %peer_id, %topic, "peer unsubscribed");
            }
            gossipsub::Event::GossipsubNotSupported { peer_id } => {
                tracing::warn!(peer = %peer_id, "allow-listed peer does not speak gossipsub");
            }
            gossipsub::Event::SlowPeer { peer_id, failed_messages } => {
                tracing::warn!(peer = %peer_id, ?failed_messages, "peer is too slow; gossip to it was dropped");
            }
        }
    }

    /// Checks a message gossipsub has verified (signature, author, sequence number) against the
    /// allow-list and the size limit, then lets gossipsub forward it and hands it to the caller.
    fn on_message(&mut self, source: PeerId, id: gossipsub::MessageId, message: gossipsub::Message) {
        let size = message.data.len();
        let checked = if !self.allowed.contains(&source) {
            // The allow-list should have refused the connection; never trust it alone.
            Err((MessageAcceptance::Reject, "sender is not allow-listed"))
        } else if message.topic != self.topic {
            Err((MessageAcceptance::Reject, "wrong topic"))
        } else if size > self.max_message_bytes {
            Err((MessageAcceptance::Reject, "payload over max_message_bytes"))
        } else {
            match message.source {
                Some(author) if self.allowed.contains(&author) => Ok(author),
                // An honest peer may still relay it while validator sets change: ignore, don't punish.
                Some(_) => Err((MessageAcceptance::Ignore, "author is not allow-listed")),
                None => Err((MessageAcceptance::Reject, "message has no author")),
            }
        };
        match checked {
            Ok(author) => {
                let gossipsub = &mut self.swarm.behaviour_mut().gossipsub;
                gossipsub.report_message_validation_result(&id, &source, MessageAcceptance::Accept);
                match self.inbound.try_send(Inbound { from: author, data: message.data }) {
                    Ok(()) => tracing::trace!(%id, %author, size, "gossip message received"),
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!(%id, %author, size, "inbound queue full; dropping a gossip message");
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
            Err((acceptance, reason)) => {
                tracing::debug!(%id, %source, author = ?message.source, size, reason, "dropping gossip message");
                self.swarm.behaviour_mut().gossipsub.report_message_validation_result(&id, &source, acceptance);
            }
        }
    }

    fn publish(&mut self, data: Vec<u8>) {
        let size = data.len();
        match self.swarm.behaviour_mut().gossipsub.publish(self.topic.clone(), data) {
            Ok(id) => tracing::trace!(%id, size, "published"),
            Err(gossipsub::PublishError::Duplicate) => {
                tracing::debug!(size, "same payload gossiped recently; not publishing it again");
            }
            Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {
                tracing::debug!(size, "no validator connected; not gossiped (the caller keeps it)");
            }
            Err(error) => tracing::warn!(size, %error, "gossip publish failed"),
        }
    }

    /// Publishes the connected, allow-listed peers subscribed to our topic, if they changed.
    fn update_subscribed(&mut self) {
        let topic = &self.topic;
        let current: BTreeSet<PeerId> = self
            .swarm
            .behaviour()
            .gossipsub
            .all_peers()
            .filter(|(peer, topics)| topics.contains(&topic) && self.allowed.contains(peer))
            .map(|(peer, _)| *peer)
            .collect();
        self.subscribed.send_if_modified(|subscribed| {
            let changed = *subscribed != current;
            if changed {
                *subscribed = current;
            }
            changed
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let mut target = Target::new("/ip4/127.0.0.1/tcp/1".parse().expect("valid multiaddr"), None);
        let mut delays = Vec::new();
        for _ in 0..8 {
            delays.push(target.backoff);
            target.retry_later();
            assert!(target.due.is_some());
        }
        let millis: Vec<u128> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    }
}
