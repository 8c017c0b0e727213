//! Finality tracking: the submitted transactions not yet final, and one watcher thread per node
//! that polls the node's head and reads each new block. A transaction is final, for the latency
//! figure, when the node it was submitted to reports the block holding it; the resolution is
//! one poll interval.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use contracts::{Hash, Height};

use crate::client::{self, Client};

/// A submitted transaction waiting to be seen final.
#[derive(Debug, Clone, Copy)]
struct Sent {
    at: Instant,
    node: usize,
}

/// One transaction's submit-to-final latency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    /// When its accepted submission was sent.
    pub(crate) submitted: Instant,
    /// From then until its node reported it committed.
    pub(crate) latency: Duration,
}

/// A block as the first node's watcher saw it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockSeen {
    /// Transactions in it.
    pub(crate) txs: usize,
    /// When the node first reported a head at or above it.
    pub(crate) seen: Instant,
}

/// What the submitters and the watchers share.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    pending: Mutex<HashMap<Hash, Sent>>,
    outstanding: AtomicUsize,
    finals: AtomicUsize,
    samples: Mutex<Vec<Sample>>,
    blocks: Mutex<Vec<BlockSeen>>,
    errors: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking watcher leaves plain data behind; keep using it.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Tracker {
    /// Records that `id` is being submitted to `node` now (before the request goes out, so a
    /// watcher can never see it committed first).
    pub(crate) fn sending(&self, id: Hash, node: usize) {
        if lock(&self.pending).insert(id, Sent { at: Instant::now(), node }).is_none() {
            self.outstanding.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Forgets `id` (its submission was refused).
    pub(crate) fn refused(&self, id: &Hash) {
        if lock(&self.pending).remove(id).is_some() {
            self.outstanding.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Submitted transactions not yet seen final.
    pub(crate) fn outstanding(&self) -> usize {
        self.outstanding.load(Ordering::Relaxed)
    }

    /// Submitted transactions seen final so far.
    pub(crate) fn finals(&self) -> usize {
        self.finals.load(Ordering::Relaxed)
    }

    /// Forgets every outstanding transaction and returns how many there were.
    pub(crate) fn abandon_outstanding(&self) -> usize {
        let mut pending = lock(&self.pending);
        let count = pending.len();
        pending.clear();
        self.outstanding.store(0, Ordering::Relaxed);
        count
    }

    /// Latency samples of transactions submitted in `from..to`.
    pub(crate) fn samples_between(&self, from: Instant, to: Instant) -> Vec<Duration> {
        lock(&self.samples).iter().filter(|s| s.submitted >= from && s.submitted < to).map(|s| s.latency).collect()
    }

    /// Blocks the first node's watcher has seen, in height order.
    pub(crate) fn blocks(&self) -> Vec<BlockSeen> {
        lock(&self.blocks).clone()
    }

    /// Errors the watchers met (each one once per kind of message, at most 20).
    pub(crate) fn errors(&self) -> Vec<String> {
        lock(&self.errors).clone()
    }

    fn error(&self, message: String) {
        let mut errors = lock(&self.errors);
        if errors.len() < 20 && !errors.contains(&message) {
            errors.push(message);
        }
    }

    fn committed(&self, node: usize, ids: &[Hash], seen: Instant) {
        let mut finals = Vec::new();
        {
            let mut pending = lock(&self.pending);
            for id in ids {
                if pending.get(id).is_some_and(|s| s.node == node)
                    && let Some(sent) = pending.remove(id)
                {
                    finals.push(Sample { submitted: sent.at, latency: seen.saturating_duration_since(sent.at) });
                }
            }
        }
        self.outstanding.fetch_sub(finals.len(), Ordering::Relaxed);
        self.finals.fetch_add(finals.len(), Ordering::Relaxed);
        lock(&self.samples).extend(finals);
    }
}

/// The running watcher threads.
#[derive(Debug)]
pub(crate) struct Watchers {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Watchers {
    /// Starts one watcher per client, each from the node's current head; the first also records
    /// every block for the throughput figures.
    pub(crate) fn start(clients: &[Client], tracker: &Arc<Tracker>, poll: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = clients
            .iter()
            .enumerate()
            .map(|(node, client)| {
                let (client, tracker, stop) = (client.clone(), Arc::clone(tracker), Arc::clone(&stop));
                std::thread::spawn(move || watch(node, &client, &tracker, &stop, poll))
            })
            .collect();
        Self { stop, threads }
    }

    /// Stops the watchers and waits for them.
    pub(crate) fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

fn watch(node: usize, client: &Client, tracker: &Tracker, stop: &AtomicBool, poll: Duration) {
    let mut next = loop {
        match client.height() {
            Ok(height) => break height.0 + 1,
            Err(err) => tracker.error(format!("watcher of node {}: {}", node + 1, client::said(err))),
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(poll);
    };
    while !stop.load(Ordering::Relaxed) {
        match client.height() {
            Ok(head) => {
                let seen = Instant::now();
                while next <= head.0 {
                    match client.block(Some(Height(next))) {
                        Ok(block) => {
                            tracker.committed(node, &block.txs, seen);
                            if node == 0 {
                                lock(&tracker.blocks).push(BlockSeen { txs: block.txs.len(), seen });
                            }
                            next += 1;
                        }
                        Err(err) => {
                            tracker.error(format!("watcher of node {}: {}", node + 1, client::said(err)));
                            break;
                        }
                    }
                }
            }
            Err(err) => tracker.error(format!("watcher of node {}: {}", node + 1, client::said(err))),
        }
        std::thread::sleep(poll);
    }
}
