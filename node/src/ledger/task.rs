//! The ledger thread: one OS thread owns the [`Ledger`] and runs the requests that arrive
//! through its [`Handle`]s, one at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::handle::{Handle, Job};
use super::machine::Ledger;
use super::view::{MAX_READS, READ_TIMEOUT, Reads};

/// The running ledger thread.
#[derive(Debug)]
pub struct Engine {
    /// Handle for callers.
    pub handle: Handle,
    /// Reads off the ledger thread, on the snapshot of the last commit.
    pub reads: Reads,
    thread: JoinHandle<Result<(), String>>,
    stopping: Arc<AtomicBool>,
}

impl Engine {
    /// Starts the ledger thread with a queue of `queue` requests.
    pub fn start(mut ledger: Ledger, queue: usize) -> std::io::Result<Self> {
        let (jobs, inbox) = mpsc::sync_channel::<Job>(queue);
        let reads = Reads::new(ledger.snapshots(), MAX_READS, READ_TIMEOUT);
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
        Ok(Self { handle: Handle::new(jobs), reads, thread, stopping })
    }

    /// Stops the ledger thread after its current request, even while other tasks still hold
    /// handles (their later calls get [`super::Unavailable::Stopped`]), and waits for it; the ledger
    /// and its database close on that thread.
    pub fn stop(self) -> Result<(), String> {
        self.stopping.store(true, Ordering::Release);
        self.handle.wake();
        drop(self.handle);
        self.thread.join().map_err(|_| "the ledger thread panicked".to_string())?
    }

    /// Whether the ledger thread has stopped.
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}
