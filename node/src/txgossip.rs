//! Transaction gossip: every transaction a node admits reaches the other validators' mempools,
//! so whichever validator proposes next can include it.
//!
//! Admitted transactions are batched (up to [`BATCH_TXS`] or [`BATCH_WAIT`]) into one gossip
//! message. A received batch is decoded with caps, each transaction's signature is checked once,
//! off the ledger thread, and the valid ones are offered to the mempool, which drops duplicates
//! and transactions that no longer fit. A malformed batch is dropped whole and logged.

use std::time::Duration;

use contracts::codec::{Encode, Reader, put_bytes, put_len};
use contracts::{SignedTx, VerifiedTx};
use tokio::sync::mpsc;

use crate::engine::Handle;

/// Most transactions per gossip message.
pub const BATCH_TXS: usize = 512;
/// Longest a transaction waits for its batch to fill.
pub const BATCH_WAIT: Duration = Duration::from_millis(5);
/// Largest gossip message.
pub const MAX_MESSAGE: usize = 1 << 20;
/// Admitted transactions waiting to be gossiped.
const OUTBOX: usize = 16_384;

/// Where the API hands admitted transactions for gossip.
#[derive(Debug, Clone)]
pub struct Outbox(mpsc::Sender<Vec<u8>>);

impl Outbox {
    /// Queues an admitted transaction; if the queue is full it is not gossiped, but it stays
    /// in this node's mempool and goes into a block when this node proposes.
    pub fn push(&self, tx: &SignedTx) {
        if self.0.try_send(tx.to_bytes()).is_err() {
            tracing::debug!(tx = %tx.id(), "gossip outbox full; the transaction waits for this node's turn to propose");
        }
    }
}

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
    tokio::spawn(follow_validator_set(handle.clone(), ledger, peers, settings.validators));
    Ok((Outbox(outbox), handle))
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

async fn publish_batches(mut queued: mpsc::Receiver<Vec<u8>>, gossip: gossip::Handle) {
    while let Some(first) = queued.recv().await {
        let mut batch = vec![first];
        let mut size = batch[0].len();
        let deadline = tokio::time::Instant::now() + BATCH_WAIT;
        while batch.len() < BATCH_TXS {
            match tokio::time::timeout_at(deadline, queued.recv()).await {
                Ok(Some(tx)) => {
                    size += tx.len() + 4;
                    batch.push(tx);
                    if size > MAX_MESSAGE / 2 {
                        break;
                    }
                }
                Ok(None) | Err(_) => break,
            }
        }
        let mut message = Vec::with_capacity(size + 8);
        put_len(&mut message, batch.len());
        for tx in &batch {
            put_bytes(&mut message, tx);
        }
        if let Err(err) = gossip.publish(message) {
            tracing::warn!(%err, txs = batch.len(), "could not gossip a batch; its transactions wait in this mempool");
        }
    }
}

/// Decodes a gossip batch; `None` when it is malformed.
fn decode_batch(data: &[u8]) -> Option<Vec<SignedTx>> {
    let mut reader = Reader::new(data);
    let count = reader.len("gossip batch", BATCH_TXS * 4).ok()?;
    let mut txs = Vec::with_capacity(count.min(BATCH_TXS));
    for _ in 0..count {
        let bytes = reader.bytes("gossiped transaction", contracts::tx::MAX_TX_BYTES).ok()?;
        txs.push(SignedTx::decode_checked(bytes).ok()?);
    }
    reader.finish().ok()?;
    Some(txs)
}

async fn receive_batches(mut inbound: mpsc::Receiver<gossip::Inbound>, ledger: Handle) {
    while let Some(message) = inbound.recv().await {
        let Some(txs) = decode_batch(&message.data) else {
            tracing::warn!(from = %message.from, bytes = message.data.len(), "dropped a malformed gossip batch");
            continue;
        };
        let verified = tokio::task::spawn_blocking(move || {
            txs.into_iter().filter_map(|tx| VerifiedTx::verify(tx).ok()).collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let result = ledger
            .call_patient(move |l| {
                let mut admitted = 0usize;
                for tx in verified {
                    if l.submit(tx).is_ok() {
                        admitted += 1;
                    }
                }
                admitted
            })
            .await;
        match result {
            Ok(admitted) => tracing::trace!(from = %message.from, admitted, "gossip batch"),
            Err(err) => {
                tracing::warn!(%err, "the ledger stopped; gossip receiver ends");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_batches_are_refused() {
        assert!(decode_batch(&[]).is_none());
        assert!(decode_batch(&[0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3]).is_none(), "not a transaction");
        assert!(decode_batch(&[0xff, 0xff, 0xff, 0xff]).is_none(), "count above the cap");
        let mut empty = Vec::new();
        put_len(&mut empty, 0);
        assert_eq!(decode_batch(&empty).map(|b| b.len()), Some(0));
        empty.push(0);
        assert!(decode_batch(&empty).is_none(), "trailing bytes");
    }
}
