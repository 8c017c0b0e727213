//! What the API hands to gossip: admitted transactions (batched), registry records, sealed
//! evidence records and owners' erasure requests, each published to the other validators.

use contracts::SignedTx;
use contracts::codec::{Encode, put_bytes, put_len};
use tokio::sync::mpsc;

use super::wire::{BATCH_TXS, BATCH_WAIT, KIND_ERASURE, KIND_REGISTRY, KIND_TXS, MAX_BATCH, evidence_message, nonce};
use crate::offchain::evidence::EraseNotice;

/// Where the API hands admitted transactions and registry records for gossip.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub(super) txs: mpsc::Sender<Vec<u8>>,
    pub(super) gossip: gossip::Handle,
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

    /// Publishes a sealed evidence record with its key and the worker's signed upload request
    /// to the other validators now; a peer that misses it gets it when it (re)joins.
    pub fn push_evidence(&self, sealed: &[u8], key: &[u8], upload: &str) {
        publish_evidence(&self.gossip, sealed, key, upload);
    }

    /// Publishes an owner's erasure request to the other validators now; the periodic
    /// republish covers a failure.
    pub fn push_erasures(&self, notices: &[EraseNotice]) {
        publish_erasures(&self.gossip, notices);
    }
}

pub(super) fn publish_evidence(gossip: &gossip::Handle, sealed: &[u8], key: &[u8], upload: &str) {
    if let Err(err) = gossip.publish(evidence_message(sealed, key, upload)) {
        tracing::debug!(%err, "evidence record not gossiped now; it is republished when a peer joins");
    }
}

pub(super) fn publish_erasures(gossip: &gossip::Handle, notices: &[EraseNotice]) {
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

pub(super) fn publish_records(gossip: &gossip::Handle, records: Vec<Vec<u8>>) {
    let nonce = nonce();
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

pub(super) async fn publish_batches(mut queued: mpsc::Receiver<Vec<u8>>, gossip: gossip::Handle) {
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
