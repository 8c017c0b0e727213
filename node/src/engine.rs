//! The ledger thread.
//!
//! One OS thread owns the [`Ledger`]. The API, the consensus loop and the gossip receiver reach
//! it through a [`Handle`]: a bounded channel of closures with oneshot replies, so there are no
//! shared locks and a full queue answers "busy" to the API instead of blocking the HTTP server.
//! Consensus never gets "busy": its calls wait for room ([`Handle::call_patient`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use thiserror::Error;
use tokio::sync::oneshot;

use crate::ledger::Ledger;

type Job = Box<dyn FnOnce(&mut Ledger) + Send>;

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

/// The running ledger thread.
#[derive(Debug)]
pub struct Engine {
    /// Handle for callers.
    pub handle: Handle,
    thread: JoinHandle<Result<(), String>>,
    stopping: Arc<AtomicBool>,
}

impl Engine {
    /// Starts the ledger thread with a queue of `queue` requests.
    pub fn start(mut ledger: Ledger, queue: usize) -> std::io::Result<Self> {
        let (jobs, inbox) = mpsc::sync_channel::<Job>(queue);
        let stopping = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stopping);
        let thread = std::thread::Builder::new().name("ledger".into()).spawn(move || {
            while let Ok(job) = inbox.recv() {
                if flag.load(Ordering::Acquire) {
                    break;
                }
                job(&mut ledger);
            }
            Ok(())
        })?;
        Ok(Self { handle: Handle { jobs }, thread, stopping })
    }

    /// Stops the ledger thread after its current request, even while other tasks still hold
    /// handles (their later calls get [`Unavailable::Stopped`]), and waits for it; the ledger
    /// and its database close on that thread.
    pub fn stop(self) -> Result<(), String> {
        self.stopping.store(true, Ordering::Release);
        // Wake the thread if it waits on an empty queue; a full queue wakes it anyway.
        let _ = self.handle.jobs.try_send(Box::new(|_| {}));
        drop(self.handle);
        self.thread.join().map_err(|_| "the ledger thread panicked".to_string())?
    }

    /// Whether the ledger thread has stopped.
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}
