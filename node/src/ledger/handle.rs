//! The handle to the ledger thread: a bounded channel of closures with oneshot replies, so
//! there are no shared locks and a full queue answers "busy" to the API instead of blocking the
//! HTTP server. Consensus never gets "busy": its calls wait for room ([`Handle::call_patient`]).

use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::oneshot;

use super::machine::Ledger;

/// One request to the ledger thread.
pub(super) type Job = Box<dyn FnOnce(&mut Ledger) + Send>;

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
    /// A handle that sends on `jobs`.
    pub(super) fn new(jobs: SyncSender<Job>) -> Self {
        Self { jobs }
    }

    /// Wakes the ledger thread if it waits on an empty queue (a full queue wakes it anyway).
    pub(super) fn wake(&self) {
        let _ = self.jobs.try_send(Box::new(|_| {}));
    }

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

    /// Like [`Handle::call`], but waits for room in the queue instead of answering busy. For
    /// consensus, which must never drop a request.
    pub async fn call_patient<R, F>(&self, f: F) -> Result<R, Unavailable>
    where
        R: Send + 'static,
        F: FnOnce(&mut Ledger) -> R + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let mut job: Job = Box::new(move |ledger| {
            let _ = reply.send(f(ledger));
        });
        loop {
            match self.jobs.try_send(job) {
                Ok(()) => break,
                Err(TrySendError::Full(back)) => {
                    job = back;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                Err(TrySendError::Disconnected(_)) => return Err(Unavailable::Stopped),
            }
        }
        result.await.map_err(|_| Unavailable::Stopped)
    }
}
