//! The ledger thread and the single-validator engine.
//!
//! One OS thread owns the [`Ledger`]. The API reaches it through a [`Handle`]: a bounded channel
//! of closures with oneshot replies, so there are no shared locks and a full queue answers
//! "busy" instead of blocking the HTTP server. Between requests the thread drives the consensus
//! port as a single validator: it builds a block when transactions wait (no sooner than
//! `min_interval` after the last one) and a heartbeat block after `heartbeat` when idle, signs a
//! commit certificate and commits. The BFT engine replaces only this driving loop.

use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use contracts::CommitCert;
use ed25519_dalek::SigningKey;
use thiserror::Error;
use tokio::sync::oneshot;

use crate::app::ConsensusApp;
use crate::ledger::Ledger;

type Job = Box<dyn FnOnce(&mut Ledger) + Send>;

/// Block cadence for the single-validator engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// Least time between blocks while transactions wait.
    pub min_interval: Duration,
    /// Longest time between blocks when idle.
    pub heartbeat: Duration,
    /// Most transactions per block.
    pub max_block_txs: usize,
}

/// The ledger thread is gone or its queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Unavailable {
    /// The queue is full: try again.
    #[error("the node is busy; try again shortly")]
    Busy,
    /// The ledger thread stopped.
    #[error("the ledger has stopped")]
    Stopped,
}

/// A cloneable handle to the ledger thread.
#[derive(Debug, Clone)]
pub struct Handle {
    jobs: SyncSender<Job>,
}

impl Handle {
    /// Runs `f` on the ledger thread and returns its result.
    pub async fn call<R, F>(&self, f: F) -> Result<R, Unavailable>
    where
        R: Send + 'static,
        F: FnOnce(&mut Ledger) -> R + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |ledger| {
            let _ = reply.send(f(ledger));
        });
        self.jobs.try_send(job).map_err(|err| match err {
            TrySendError::Full(_) => Unavailable::Busy,
            TrySendError::Disconnected(_) => Unavailable::Stopped,
        })?;
        result.await.map_err(|_| Unavailable::Stopped)
    }
}

/// The running ledger thread.
#[derive(Debug)]
pub struct Engine {
    /// Handle for callers.
    pub handle: Handle,
    thread: JoinHandle<Result<(), String>>,
}

impl Engine {
    /// Starts the ledger thread as the single validator `key`.
    pub fn start(mut ledger: Ledger, key: SigningKey, cadence: Cadence, queue: usize) -> std::io::Result<Self> {
        let (jobs, inbox) = mpsc::sync_channel::<Job>(queue);
        let thread = std::thread::Builder::new()
            .name("ledger".into())
            .spawn(move || run_solo(&mut ledger, &key, cadence, &inbox))?;
        Ok(Self { handle: Handle { jobs }, thread })
    }

    /// Drops the handle and waits for the thread to finish its current block.
    pub fn stop(self) -> Result<(), String> {
        drop(self.handle);
        self.thread.join().map_err(|_| "the ledger thread panicked".to_string())?
    }

    /// Whether the ledger thread has stopped (it stops on a storage fault).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}

fn run_solo(
    ledger: &mut Ledger,
    key: &SigningKey,
    cadence: Cadence,
    inbox: &mpsc::Receiver<Job>,
) -> Result<(), String> {
    let me = contracts::crypto::account_of(key);
    let mut last_block = Instant::now();
    loop {
        let wait = if ledger.mempool().is_empty() { cadence.heartbeat } else { cadence.min_interval };
        let due = last_block + wait;
        let now = Instant::now();
        if now < due {
            match inbox.recv_timeout(due - now) {
                Ok(job) => {
                    job(ledger);
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        let height = ledger.next_height();
        let block = ledger.build_block(height, 0, me, cadence.max_block_txs);
        let hash = block.hash();
        let cert = CommitCert {
            height,
            round: 0,
            block_hash: hash,
            signatures: vec![CommitCert::sign(key, &block.header.chain_id, height, 0, &hash)],
        };
        if let Err(err) = ledger.commit(&block, &cert) {
            // A storage fault or a broken invariant: stop rather than build on doubt.
            tracing::error!(%err, %height, "commit failed; the node stops producing blocks");
            return Err(err.to_string());
        }
        tracing::debug!(%height, txs = block.txs.len(), "committed block");
        last_block = Instant::now();
    }
}
