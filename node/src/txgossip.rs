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
/// How often every node republishes its merchant registry.
pub const REGISTRY_REPUBLISH: Duration = Duration::from_secs(300);
/// Message kind: a batch of transactions.
const KIND_TXS: u8 = 1;
/// Message kind: registry records, after an 8-byte nonce that keeps a republished set from
/// being taken for a duplicate.
const KIND_REGISTRY: u8 = 2;

/// Where the API hands admitted transactions and registry records for gossip.
#[derive(Debug, Clone)]
pub struct Outbox {
    txs: mpsc::Sender<Vec<u8>>,
    gossip: gossip::Handle,
}

impl Outbox {
    /// Queues an admitted transaction; if the queue is full it is not gossiped, but it stays
    /// in this node's mempool and goes into a block when this node proposes.
    pub fn push(&self, tx: &SignedTx) {
        if self.txs.try_send(tx.to_bytes()).is_err() {
            tracing::debug!(tx = %tx.id(), "gossip outbox full; the transaction waits for this node's turn to propose");
        }
    }

    /// Publishes registry records (JSON) to the other validators now; the periodic republish
    /// covers a failure.
    pub fn push_records(&self, records: Vec<Vec<u8>>) {
        publish_records(&self.gossip, records);
    }
}

fn publish_records(gossip: &gossip::Handle, records: Vec<Vec<u8>>) {
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    let mut chunk: Vec<Vec<u8>> = Vec::new();
    let mut size = 0usize;
    let flush = |chunk: &mut Vec<Vec<u8>>| {
        if chunk.is_empty() {
            return;
        }
        let mut message = vec![KIND_REGISTRY];
        message.extend_from_slice(&nonce);
        put_len(&mut message, chunk.len());
        for record in chunk.iter() {
            put_bytes(&mut message, record);
        }
        if let Err(err) = gossip.publish(message) {
            tracing::debug!(%err, records = chunk.len(), "registry records not gossiped now; the republish retries");
        }
        chunk.clear();
    };
    for record in records {
        size += record.len() + 4;
        chunk.push(record);
        if size > MAX_MESSAGE / 2 {
            flush(&mut chunk);
            size = 0;
        }
    }
    flush(&mut chunk);
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
    tokio::spawn(republish_registry(handle.clone(), ledger.clone()));
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
        let mut message = Vec::with_capacity(size + 9);
        message.push(KIND_TXS);
        put_len(&mut message, batch.len());
        for tx in &batch {
            put_bytes(&mut message, tx);
        }
        if let Err(err) = gossip.publish(message) {
            tracing::warn!(%err, txs = batch.len(), "could not gossip a batch; its transactions wait in this mempool");
        }
    }
}

/// Republishes the whole registry when the set of subscribed peers grows and periodically.
async fn republish_registry(gossip: gossip::Handle, ledger: Handle) {
    let mut subscribed = gossip.subscribed();
    let mut known = subscribed.borrow_and_update().clone();
    let mut tick = tokio::time::interval(REGISTRY_REPUBLISH);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = subscribed.changed() => {
                if changed.is_err() {
                    return;
                }
                let now = subscribed.borrow_and_update().clone();
                let joined = now.iter().any(|peer| !known.contains(peer));
                known = now;
                if !joined {
                    continue;
                }
                // Let the new peer's subscription settle before sending it the registry.
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        match ledger.call(|l| l.storage().registry_all()).await {
            Ok(Ok(records)) if !records.is_empty() => publish_records(&gossip, records),
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::warn!(%err, "could not read the registry to republish it"),
            Err(_) => return,
        }
    }
}

/// Decodes registry records from a registry message (after the kind byte); `None` when malformed.
fn decode_records(data: &[u8]) -> Option<Vec<api::registry::MerchantRecord>> {
    let mut reader = Reader::new(data.get(8..)?);
    let count = reader.len("registry records", MAX_MESSAGE / 64).ok()?;
    let mut records = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let bytes = reader.bytes("registry record", api::registry::MAX_RECORD_BYTES).ok()?;
        records.push(serde_json::from_slice(bytes).ok()?);
    }
    reader.finish().ok()?;
    Some(records)
}

/// Takes the registry records of a message; `None` when the message is malformed. `Err` when
/// the ledger has stopped.
async fn receive_records(data: &[u8], ledger: &Handle) -> Result<Option<usize>, ()> {
    let Some(records) = decode_records(data) else { return Ok(None) };
    ledger
        .call_patient(move |l| {
            let mut taken = 0usize;
            for record in &records {
                match crate::shop::accept_record(l, record) {
                    Ok(_) => taken += 1,
                    Err(crate::shop::RegistryRefusal::Stale(_)) => {}
                    Err(err) => tracing::debug!(%err, "registry record from gossip not taken"),
                }
            }
            Some(taken)
        })
        .await
        .map_err(|_| ())
}

/// Decodes a gossip batch (after the kind byte); `None` when it is malformed.
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
        let (kind, body) = match message.data.split_first() {
            Some((kind, body)) => (*kind, body),
            None => (0, &[][..]),
        };
        if kind == KIND_REGISTRY {
            match receive_records(body, &ledger).await {
                Ok(Some(taken)) => {
                    if taken > 0 {
                        tracing::info!(from = %message.from, taken, "registry records taken from gossip");
                    }
                    continue;
                }
                Ok(None) => {
                    tracing::warn!(from = %message.from, bytes = message.data.len(), "dropped a malformed gossip batch");
                    continue;
                }
                Err(()) => return,
            }
        }
        let decoded = if kind == KIND_TXS { decode_batch(body) } else { None };
        let Some(txs) = decoded else {
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

    #[test]
    fn malformed_registry_messages_are_refused() {
        assert!(decode_records(&[]).is_none(), "no nonce");
        assert!(decode_records(&[0; 8]).is_none(), "no count");
        let mut message = vec![0u8; 8];
        put_len(&mut message, 1);
        put_bytes(&mut message, b"{not json");
        assert!(decode_records(&message).is_none(), "not a record");
        let mut empty = vec![0u8; 8];
        put_len(&mut empty, 0);
        assert_eq!(decode_records(&empty).map(|r| r.len()), Some(0));
    }
}
