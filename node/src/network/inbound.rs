//! What arrives over gossip: transaction batches for the mempool, replicated evidence records,
//! owners' erasure requests and registry records, each decoded off the ledger thread and
//! checked there again before it is taken.

use contracts::{AccountId, Hash, VerifiedTx};
use tokio::sync::mpsc;

use super::wire::{
    KIND_ERASURE, KIND_EVIDENCE, KIND_REGISTRY, KIND_TXS, decode_batch, decode_erasures, decode_evidence,
    decode_records,
};
use crate::ledger::{Handle, Ledger, wall_clock_ms};
use crate::offchain::evidence::{self, Refusal, Stored};
use crate::offchain::registry::{self, RegistryRefusal};
use crate::store::StoreError;

/// What became of a replicated evidence record.
enum ReplicaOutcome {
    /// Stored now.
    Taken,
    /// Held already, erased here, or not (yet) acceptable under the upload rules.
    Dropped,
    /// Forged by its sender (recorded as misbehaviour).
    Forged,
}

/// Takes a replicated evidence record from `from`; `None` when the message is malformed, `Err`
/// when the ledger has stopped. A forged record is dropped and its sender recorded as
/// misbehaving, at most once per validator and height so that a flood cannot fill the disk.
async fn receive_evidence(data: Vec<u8>, from: gossip::PeerId, ledger: &Handle) -> Result<Option<ReplicaOutcome>, ()> {
    let decoded = tokio::task::spawn_blocking(move || decode_evidence(&data)).await.ok().flatten();
    let Some(replica) = decoded else { return Ok(None) };
    ledger
        .call_patient(move |l| {
            let commitment = replica.sealed.header.commitment;
            match evidence::accept_replica(l, &replica.sealed, &replica.key, &replica.upload, &replica.content) {
                Ok(Stored::New) => Some(ReplicaOutcome::Taken),
                Ok(_) => Some(ReplicaOutcome::Dropped),
                Err(err @ Refusal::Forged { .. }) => {
                    tracing::warn!(%from, %err, %commitment, "forged evidence record from gossip dropped");
                    if let Err(store_err) = record_forgery(l, &from, &commitment, &err.to_string()) {
                        tracing::error!(%store_err, "could not record a validator's misbehaviour");
                    }
                    Some(ReplicaOutcome::Forged)
                }
                Err(err) => {
                    tracing::debug!(%err, %commitment, "evidence record from gossip not taken");
                    Some(ReplicaOutcome::Dropped)
                }
            }
        })
        .await
        .map_err(|_| ())
}

/// Records that validator `from` passed on a forged evidence record, once per height.
fn record_forgery(l: &Ledger, from: &gossip::PeerId, commitment: &Hash, why: &str) -> Result<(), StoreError> {
    let Some(key) = gossip::public_key_of(from) else { return Ok(()) };
    let height = l.head().height;
    let view = api::MisbehaviorView {
        validator: AccountId(key),
        height,
        round: 0,
        kind: "forged_evidence".into(),
        first: commitment.to_string(),
        second: String::new(),
        detail: why.to_owned(),
    };
    let already = l.storage().misbehavior(64)?.iter().any(|raw| {
        serde_json::from_slice::<api::MisbehaviorView>(raw)
            .is_ok_and(|seen| seen.kind == view.kind && seen.validator == view.validator && seen.height == height)
    });
    if already {
        return Ok(());
    }
    let record = serde_json::to_vec(&view).map_err(|e| StoreError::Corrupt(format!("misbehaviour record: {e}")))?;
    l.storage().put_misbehavior(height, &record)
}

/// Takes erasure notices; `None` when the message is malformed, `Err` when the ledger has
/// stopped.
async fn receive_erasures(data: &[u8], ledger: &Handle) -> Result<Option<usize>, ()> {
    let Some(notices) = decode_erasures(data) else { return Ok(None) };
    ledger
        .call_patient(move |l| {
            let now = wall_clock_ms();
            let mut erased = 0usize;
            for notice in notices {
                let commitment = notice.commitment;
                match evidence::accept_notice(l, notice, now) {
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

/// Takes the registry records of a message; `None` when the message is malformed. `Err` when
/// the ledger has stopped.
async fn receive_records(data: &[u8], ledger: &Handle) -> Result<Option<usize>, ()> {
    let Some(records) = decode_records(data) else { return Ok(None) };
    ledger
        .call_patient(move |l| {
            let mut taken = 0usize;
            for record in &records {
                match registry::accept_record(l, record) {
                    Ok(_) => taken += 1,
                    Err(RegistryRefusal::Stale(_)) => {}
                    Err(err) => tracing::debug!(%err, "registry record from gossip not taken"),
                }
            }
            Some(taken)
        })
        .await
        .map_err(|_| ())
}

pub(super) async fn receive_batches(mut inbound: mpsc::Receiver<gossip::Inbound>, ledger: Handle) {
    while let Some(message) = inbound.recv().await {
        let (kind, body) = match message.data.split_first() {
            Some((kind, body)) => (*kind, body),
            None => (0, &[][..]),
        };
        if kind == KIND_EVIDENCE {
            match receive_evidence(body.to_vec(), message.from, &ledger).await {
                Ok(Some(ReplicaOutcome::Taken)) => {
                    tracing::info!(from = %message.from, "evidence record replicated from gossip");
                }
                Ok(Some(ReplicaOutcome::Dropped | ReplicaOutcome::Forged)) => {}
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
