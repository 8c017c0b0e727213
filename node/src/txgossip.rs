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

use std::time::Duration;

use contracts::codec::{Encode, Reader, put_bytes, put_len};
use contracts::{SignedTx, VerifiedTx};
use tokio::sync::mpsc;

use crate::engine::Handle;

/// Most transactions per gossip message.
pub const BATCH_TXS: usize = 512;
/// Longest a transaction waits for its batch to fill.
pub const BATCH_WAIT: Duration = Duration::from_millis(5);
/// Largest gossip message: one sealed evidence record with its key and framing. Larger
/// messages are refused by gossipsub itself, before the node sees them.
pub const MAX_MESSAGE: usize = crate::evidence_store::MAX_SEALED_BYTES + 8 * 1024;
/// Largest batch of transactions or registry records in one gossip message.
pub const MAX_BATCH: usize = 1 << 20;
/// Largest erasure notice (JSON).
const MAX_NOTICE_BYTES: usize = 2048;
/// Admitted transactions waiting to be gossiped.
const OUTBOX: usize = 16_384;
/// How often every node republishes its merchant registry.
pub const REGISTRY_REPUBLISH: Duration = Duration::from_secs(300);
/// Message kind: a batch of transactions.
const KIND_TXS: u8 = 1;
/// Message kind: registry records, after an 8-byte nonce that keeps a republished set from
/// being taken for a duplicate.
const KIND_REGISTRY: u8 = 2;
/// Message kind: one sealed evidence record and its key, after an 8-byte nonce.
const KIND_EVIDENCE: u8 = 3;
/// Message kind: owners' signed erasure requests (JSON), after an 8-byte nonce.
const KIND_ERASURE: u8 = 4;

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

    /// Publishes a sealed evidence record with its key to the other validators now; a peer
    /// that misses it gets it when it (re)joins.
    pub fn push_evidence(&self, sealed: &[u8], key: &[u8]) {
        publish_evidence(&self.gossip, sealed, key);
    }

    /// Publishes an owner's erasure request to the other validators now; the periodic
    /// republish covers a failure.
    pub fn push_erasures(&self, notices: &[crate::evidence_store::EraseNotice]) {
        publish_erasures(&self.gossip, notices);
    }
}

fn nonce() -> [u8; 8] {
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    nonce
}

fn publish_evidence(gossip: &gossip::Handle, sealed: &[u8], key: &[u8]) {
    let mut message = Vec::with_capacity(sealed.len() + key.len() + 17);
    message.push(KIND_EVIDENCE);
    message.extend_from_slice(&nonce());
    put_bytes(&mut message, sealed);
    put_bytes(&mut message, key);
    if let Err(err) = gossip.publish(message) {
        tracing::debug!(%err, "evidence record not gossiped now; it is republished when a peer joins");
    }
}

fn publish_erasures(gossip: &gossip::Handle, notices: &[crate::evidence_store::EraseNotice]) {
    for chunk in notices.chunks(256) {
        let mut message = vec![KIND_ERASURE];
        message.extend_from_slice(&nonce());
        put_len(&mut message, chunk.len());
        for notice in chunk {
            put_bytes(&mut message, &serde_json::to_vec(notice).unwrap_or_default());
        }
        if let Err(err) = gossip.publish(message) {
            tracing::debug!(%err, notices = chunk.len(), "erasure notices not gossiped now; the republish retries");
        }
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
        if size > MAX_BATCH / 2 {
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
                    if size > MAX_BATCH / 2 {
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

/// Republishes live evidence records when a peer (re)joins, and owners' erasure requests then
/// and every [`REGISTRY_REPUBLISH`].
async fn republish_evidence(gossip: gossip::Handle, ledger: Handle) {
    let mut subscribed = gossip.subscribed();
    let mut known = subscribed.borrow_and_update().clone();
    let mut tick = tokio::time::interval(REGISTRY_REPUBLISH);
    tick.tick().await;
    loop {
        let records = tokio::select! {
            _ = tick.tick() => false,
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
                tokio::time::sleep(Duration::from_millis(500)).await;
                true
            }
        };
        let notices = ledger.call(|l| -> Result<_, crate::storage::StoreError> {
            Ok(crate::evidence_store::tombstones(l.storage())?
                .into_iter()
                .filter_map(|(_, t)| t.notice)
                .collect::<Vec<_>>())
        });
        match notices.await {
            Ok(Ok(notices)) if !notices.is_empty() => publish_erasures(&gossip, &notices),
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::warn!(%err, "could not read the evidence tombstones to republish them"),
            Err(_) => return,
        }
        if !records {
            continue;
        }
        let live = ledger.call(|l| crate::evidence_store::live(l.storage())).await;
        let live = match live {
            Ok(Ok(live)) => live,
            Ok(Err(err)) => {
                tracing::warn!(%err, "could not list the evidence records to republish them");
                continue;
            }
            Err(_) => return,
        };
        // One record per message, read one at a time, so a large store is never all in memory.
        for meta in live {
            let commitment = meta.commitment;
            match ledger.call(move |l| crate::evidence_store::raw(l.storage(), &commitment)).await {
                Ok(Ok(Some((sealed, key)))) => publish_evidence(&gossip, &sealed, &key),
                Ok(Ok(None)) => {}
                Ok(Err(err)) => tracing::warn!(%err, %commitment, "could not read an evidence record to republish it"),
                Err(_) => return,
            }
            tokio::task::yield_now().await;
        }
    }
}

/// Decodes an evidence message (after the kind byte): the sealed record and its key, checked
/// (they decode, the key opens the record and the content matches the commitment); `None` when
/// malformed. Runs off the ledger thread.
fn decode_evidence(data: &[u8]) -> Option<(evidence::Sealed, evidence::RecordKey)> {
    let mut reader = Reader::new(data.get(8..)?);
    let sealed = reader.bytes("evidence record", crate::evidence_store::MAX_SEALED_BYTES).ok()?;
    let key = reader.bytes("evidence key", evidence::KEY_BYTES_LEN).ok()?;
    reader.finish().ok()?;
    let sealed = evidence::Sealed::from_bytes(sealed).ok()?;
    let key = evidence::RecordKey::from_bytes(key).ok()?;
    evidence::open(&sealed, &key).ok()?;
    Some((sealed, key))
}

/// Decodes erasure notices (after the kind byte); `None` when malformed.
fn decode_erasures(data: &[u8]) -> Option<Vec<crate::evidence_store::EraseNotice>> {
    let mut reader = Reader::new(data.get(8..)?);
    let count = reader.len("erasure notices", 256).ok()?;
    let mut notices = Vec::with_capacity(count);
    for _ in 0..count {
        let bytes = reader.bytes("erasure notice", MAX_NOTICE_BYTES).ok()?;
        notices.push(serde_json::from_slice(bytes).ok()?);
    }
    reader.finish().ok()?;
    Some(notices)
}

/// Takes a replicated evidence record; `None` when the message is malformed, `Err` when the
/// ledger has stopped.
async fn receive_evidence(data: Vec<u8>, ledger: &Handle) -> Result<Option<bool>, ()> {
    let decoded = tokio::task::spawn_blocking(move || decode_evidence(&data)).await.ok().flatten();
    let Some((sealed, key)) = decoded else { return Ok(None) };
    ledger
        .call_patient(move |l| match crate::evidence_store::accept_replica(l, &sealed, &key) {
            Ok(stored) => Some(stored == crate::evidence_store::Stored::New),
            Err(err) => {
                tracing::debug!(%err, commitment = %sealed.header.commitment, "evidence record from gossip not taken");
                Some(false)
            }
        })
        .await
        .map_err(|_| ())
}

/// Takes erasure notices; `None` when the message is malformed, `Err` when the ledger has
/// stopped.
async fn receive_erasures(data: &[u8], ledger: &Handle) -> Result<Option<usize>, ()> {
    let Some(notices) = decode_erasures(data) else { return Ok(None) };
    ledger
        .call_patient(move |l| {
            let now = crate::ledger::wall_clock_ms();
            let mut erased = 0usize;
            for notice in notices {
                let commitment = notice.commitment;
                match crate::evidence_store::accept_notice(l, notice, now) {
                    Ok(true) => erased += 1,
                    Ok(false) => {}
                    Err(err) => tracing::debug!(%err, %commitment, "erasure notice from gossip not applied (yet)"),
                }
            }
            Some(erased)
        })
        .await
        .map_err(|_| ())
}

/// Decodes registry records from a registry message (after the kind byte); `None` when malformed.
fn decode_records(data: &[u8]) -> Option<Vec<api::registry::MerchantRecord>> {
    let mut reader = Reader::new(data.get(8..)?);
    let count = reader.len("registry records", MAX_BATCH / 64).ok()?;
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
        if kind == KIND_EVIDENCE {
            match receive_evidence(body.to_vec(), &ledger).await {
                Ok(Some(taken)) => {
                    if taken {
                        tracing::info!(from = %message.from, "evidence record replicated from gossip");
                    }
                }
                Ok(None) => {
                    tracing::warn!(from = %message.from, bytes = message.data.len(), kind, "dropped a malformed gossip batch");
                }
                Err(()) => return,
            }
            continue;
        }
        if kind == KIND_ERASURE {
            match receive_erasures(body, &ledger).await {
                Ok(Some(erased)) => {
                    if erased > 0 {
                        tracing::info!(from = %message.from, erased, "evidence erased on the owner's request from gossip");
                    }
                }
                Ok(None) => {
                    tracing::warn!(from = %message.from, bytes = message.data.len(), kind, "dropped a malformed gossip batch");
                }
                Err(()) => return,
            }
            continue;
        }
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
    fn malformed_evidence_messages_are_refused() {
        assert!(decode_evidence(&[]).is_none(), "no nonce");
        assert!(decode_evidence(&[0; 8]).is_none(), "no record");
        let mut message = vec![0u8; 8];
        put_bytes(&mut message, b"HEVR not a record");
        put_bytes(&mut message, &[0; evidence::KEY_BYTES_LEN]);
        assert!(decode_evidence(&message).is_none(), "not a record");
        let mut huge = vec![0u8; 8];
        put_len(&mut huge, u32::MAX as usize);
        assert!(decode_evidence(&huge).is_none(), "length above the cap");
        assert!(decode_erasures(&[0; 8]).is_none(), "no count");
        let mut notices = vec![0u8; 8];
        put_len(&mut notices, 1);
        put_bytes(&mut notices, b"{}");
        assert!(decode_erasures(&notices).is_none(), "not a notice");
        let mut empty = vec![0u8; 8];
        put_len(&mut empty, 0);
        assert_eq!(decode_erasures(&empty).map(|n| n.len()), Some(0));
    }

    #[test]
    fn a_sealed_record_with_its_key_travels_and_a_wrong_key_is_refused() {
        let bundle = evidence::Bundle::new(&[], Some("bench painted".into()), None).expect("bundle");
        let seal = |claim| {
            let owner = contracts::AccountId([1; 32]);
            let (t0, t1) = (contracts::Timestamp(1), contracts::Timestamp(2));
            evidence::seal(&bundle, owner, claim, t1, t0, &mut rand_core::OsRng).expect("seal")
        };
        let (sealed, key) = seal(contracts::primitives::ClaimId(1));
        let (_, other_key) = seal(contracts::primitives::ClaimId(2));
        let message = |key: &evidence::RecordKey| {
            let mut out = vec![0u8; 8];
            put_bytes(&mut out, &sealed.to_bytes());
            put_bytes(&mut out, &key.to_bytes());
            out
        };
        let (decoded, _) = decode_evidence(&message(&key)).expect("a good record decodes");
        assert_eq!(decoded, sealed);
        assert!(decode_evidence(&message(&other_key)).is_none(), "a key that does not open it");
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
