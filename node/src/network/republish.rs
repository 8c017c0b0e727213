//! Catching up peers: every node republishes its registry and its owners' erasure requests
//! periodically and when a peer (re)joins, and its live evidence records when a peer (re)joins.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Interval;

use super::outbox::{publish_erasures, publish_evidence, publish_records};
use super::wire::REGISTRY_REPUBLISH;
use crate::ledger::Handle;
use crate::offchain::evidence;
use crate::store::StoreError;

/// Waits for the next round: the tick (`Some(false)`) or a peer that joined (`Some(true)`, once
/// its subscription has had time to settle). `None` once gossip has stopped.
async fn next_round(
    tick: &mut Interval,
    subscribed: &mut watch::Receiver<BTreeSet<gossip::PeerId>>,
    known: &mut BTreeSet<gossip::PeerId>,
) -> Option<bool> {
    loop {
        tokio::select! {
            _ = tick.tick() => return Some(false),
            changed = subscribed.changed() => {
                if changed.is_err() {
                    return None;
                }
                let now = subscribed.borrow_and_update().clone();
                let joined = now.iter().any(|peer| !known.contains(peer));
                *known = now;
                if joined {
                    // Let the new peer's subscription settle before sending it anything.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    return Some(true);
                }
            }
        }
    }
}

/// Republishes the whole registry when the set of subscribed peers grows and periodically.
pub(super) async fn republish_registry(gossip: gossip::Handle, ledger: Handle) {
    let mut subscribed = gossip.subscribed();
    let mut known = subscribed.borrow_and_update().clone();
    let mut tick = tokio::time::interval(REGISTRY_REPUBLISH);
    tick.tick().await;
    loop {
        if next_round(&mut tick, &mut subscribed, &mut known).await.is_none() {
            return;
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
pub(super) async fn republish_evidence(gossip: gossip::Handle, ledger: Handle) {
    let mut subscribed = gossip.subscribed();
    let mut known = subscribed.borrow_and_update().clone();
    let mut tick = tokio::time::interval(REGISTRY_REPUBLISH);
    tick.tick().await;
    loop {
        let Some(records) = next_round(&mut tick, &mut subscribed, &mut known).await else { return };
        let notices = ledger.call(|l| -> Result<_, StoreError> {
            Ok(evidence::tombstones(l.storage())?.into_iter().filter_map(|(_, t)| t.notice).collect::<Vec<_>>())
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
        let live = ledger.call(|l| evidence::live(l.storage())).await;
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
            match ledger.call(move |l| evidence::raw(l.storage(), &commitment)).await {
                Ok(Ok(Some(record))) => publish_evidence(&gossip, &record.sealed, &record.key, &record.upload),
                Ok(Ok(None)) => {}
                Ok(Err(err)) => tracing::warn!(%err, %commitment, "could not read an evidence record to republish it"),
                Err(_) => return,
            }
            tokio::task::yield_now().await;
        }
    }
}
