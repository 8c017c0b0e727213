//! Starting gossip: the swarm from the `gossip` crate, the tasks of this room, and an
//! allow-list that follows the validator set as council changes commit.

use std::time::Duration;

use tokio::sync::mpsc;

use super::inbound::receive_batches;
use super::outbox::{Outbox, publish_batches};
use super::republish::{republish_evidence, republish_registry};
use super::wire::{MAX_MESSAGE, OUTBOX};
use crate::ledger::Handle;

/// Gossip settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The validator's secret key bytes (also its libp2p identity).
    pub secret: [u8; 32],
    /// Listen multiaddr.
    pub listen: String,
    /// The other validators' gossip multiaddrs, each ending in `/p2p/<peer id>`.
    pub peers: Vec<String>,
    /// Public keys of the validators in force and scheduled: the first allow-list. It follows
    /// council changes of the validator set from then on.
    pub validators: Vec<[u8; 32]>,
    /// Topic, scoped to the chain.
    pub topic: String,
}

/// Starts gossip; returns the outbox for the API and the gossip handle.
pub async fn start(settings: Settings, ledger: Handle) -> anyhow::Result<(Outbox, gossip::Handle)> {
    let listen: gossip::Multiaddr = settings
        .listen
        .parse()
        .map_err(|e| anyhow::anyhow!("gossip listen address {:?} is not a multiaddr: {e}", settings.listen))?;
    let mut peers = Vec::new();
    for text in &settings.peers {
        let addr: gossip::Multiaddr =
            text.parse().map_err(|e| anyhow::anyhow!("gossip peer {text:?} is not a multiaddr: {e}"))?;
        let peer = text
            .rsplit_once("/p2p/")
            .and_then(|(_, id)| id.parse::<gossip::PeerId>().ok())
            .ok_or_else(|| anyhow::anyhow!("gossip peer {text:?} must end in /p2p/<peer id>"))?;
        peers.push((peer, addr));
    }
    let allowed = peer_ids(&settings.validators)?;
    let config = gossip::Config {
        secret: settings.secret,
        listen,
        peers: peers.clone(),
        allowed: allowed.clone(),
        topic: settings.topic,
        max_message_bytes: MAX_MESSAGE,
    };
    let (handle, inbound) = gossip::spawn(config).await.map_err(|e| anyhow::anyhow!("starting gossip: {e}"))?;
    let (outbox, queued) = mpsc::channel(OUTBOX);
    tokio::spawn(publish_batches(queued, handle.clone()));
    tokio::spawn(receive_batches(inbound, ledger.clone()));
    tokio::spawn(republish_registry(handle.clone(), ledger.clone()));
    tokio::spawn(republish_evidence(handle.clone(), ledger.clone()));
    tokio::spawn(follow_validator_set(handle.clone(), ledger, peers, settings.validators));
    Ok((Outbox { txs: outbox, gossip: handle.clone() }, handle))
}

fn peer_ids(keys: &[[u8; 32]]) -> anyhow::Result<Vec<gossip::PeerId>> {
    keys.iter()
        .map(gossip::peer_id_of)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("a validator key is not usable for gossip: {e}"))
}

/// Keeps the allow-list equal to the validators in force and scheduled, as council changes
/// of the validator set commit.
async fn follow_validator_set(
    gossip: gossip::Handle,
    ledger: Handle,
    peers: Vec<(gossip::PeerId, gossip::Multiaddr)>,
    mut current: Vec<[u8; 32]>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Ok(keys) = ledger.call(|l| l.validator_keys().iter().map(|k| k.0).collect::<Vec<_>>()).await else {
            return;
        };
        if keys == current {
            continue;
        }
        match peer_ids(&keys) {
            Ok(allowed) => {
                tracing::info!(validators = keys.len(), "the validator set changed: gossip allow-list updated");
                gossip.set_allowed(allowed, peers.clone()).await;
                current = keys;
            }
            Err(err) => tracing::error!(%err, "validator set not applied to the gossip allow-list"),
        }
    }
}
