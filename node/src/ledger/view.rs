//! Reads off the ledger thread (issue 12). After each commit the ledger publishes an immutable
//! [`Snapshot`] (the committed state, the head, the genesis and a weak link to the database);
//! API reads run on tokio's blocking pool against the latest one through [`Reads`], with a
//! concurrency limit and a timeout, so consensus never waits behind an API read and a flood of
//! heavy reads is answered 429/503 instead of queueing without bound.
//!
//! Publishing costs the block's changes, not a copy of the state: the snapshot from two commits
//! ago is taken back when no reader holds it any more and brought up to date with the last two
//! blocks' changes (a copy of the state is made only when a reader still holds it).

use std::sync::{Arc, Weak};
use std::time::Duration;

use contracts::state::{ChangeSet, State};
use contracts::{BlockHeader, Hash};
use genesis::Genesis;
use thiserror::Error;
use tokio::sync::{Semaphore, watch};

use crate::store::Storage;

/// Most reads in flight at once (running or waiting for a core); more are answered 429.
pub const MAX_READS: usize = 16;

/// Most reads that run at the same moment: one core fewer than the machine has (at least one),
/// so that a flood of reads always leaves a core to the ledger thread and consensus. The others
/// of the [`MAX_READS`] in flight wait for a turn, within [`READ_TIMEOUT`].
pub(super) fn read_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}
/// Longest a read may take before the caller is answered 503.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The committed ledger as of one height, shared read-only with the API.
#[derive(Debug)]
pub struct Snapshot {
    state: Arc<State>,
    head: BlockHeader,
    genesis: Arc<Genesis>,
    genesis_hash: Hash,
    storage: Weak<Storage>,
}

/// A read in progress: a snapshot and the open database.
#[derive(Debug)]
pub struct ReadView {
    snapshot: Arc<Snapshot>,
    storage: Arc<Storage>,
}

impl ReadView {
    /// The committed state at [`ReadView::head`].
    pub fn state(&self) -> &State {
        &self.snapshot.state
    }

    /// The last committed header of the snapshot.
    pub fn head(&self) -> &BlockHeader {
        &self.snapshot.head
    }

    /// The genesis document.
    pub fn genesis(&self) -> &Genesis {
        &self.snapshot.genesis
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.snapshot.genesis_hash
    }

    /// The database. Blocks and receipts above [`ReadView::head`] may already be there.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The validator schedule at the head.
    pub fn validator_schedule(&self) -> Option<&contracts::state::ValidatorSchedule> {
        self.state().validators()
    }

    /// Whether `account` holds `role` at the head.
    pub fn has_role(&self, account: &contracts::AccountId, role: contracts::Role) -> bool {
        self.state().account(account).is_some_and(|a| a.roles.has(role))
    }
}

/// What a read needs from the committed ledger: the ledger itself (on its thread) and a
/// [`ReadView`] (off it) both give it, so a read shared by both is written once.
pub trait Committed {
    /// The committed state.
    fn state(&self) -> &State;
    /// The last committed header.
    fn head(&self) -> &BlockHeader;
    /// The database.
    fn storage(&self) -> &Storage;
}

impl Committed for ReadView {
    fn state(&self) -> &State {
        Self::state(self)
    }
    fn head(&self) -> &BlockHeader {
        Self::head(self)
    }
    fn storage(&self) -> &Storage {
        Self::storage(self)
    }
}

impl Committed for super::Ledger {
    fn state(&self) -> &State {
        Self::state(self)
    }
    fn head(&self) -> &BlockHeader {
        Self::head(self)
    }
    fn storage(&self) -> &Storage {
        Self::storage(self)
    }
}

/// Why a read was not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReadError {
    /// [`MAX_READS`] reads are running.
    #[error("too many reads in flight on this node; retry after a second")]
    TooMany,
    /// The read took longer than [`READ_TIMEOUT`].
    #[error("the node is overloaded: the read did not finish in time; retry after a second")]
    Overloaded,
    /// The ledger stopped.
    #[error("the ledger has stopped")]
    Stopped,
}

/// Runs API reads against the latest snapshot, off the ledger thread. Cloneable.
#[derive(Debug, Clone)]
pub struct Reads {
    latest: watch::Receiver<Arc<Snapshot>>,
    permits: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    timeout: Duration,
}

impl Reads {
    /// Reads of the snapshots published on `latest`, at most `max` in flight and
    /// [`read_workers`] running at once, each within `timeout`.
    pub fn new(latest: watch::Receiver<Arc<Snapshot>>, max: usize, timeout: Duration) -> Self {
        Self::with_workers(latest, max, read_workers(), timeout)
    }

    /// Like [`Self::new`] with `workers` reads running at once.
    pub fn with_workers(latest: watch::Receiver<Arc<Snapshot>>, max: usize, workers: usize, timeout: Duration) -> Self {
        Self {
            latest,
            permits: Arc::new(Semaphore::new(max)),
            workers: Arc::new(Semaphore::new(workers.max(1))),
            timeout,
        }
    }

    /// The latest snapshot's head, without a read slot (it is a copy).
    pub fn head(&self) -> BlockHeader {
        self.latest.borrow().head.clone()
    }

    /// The latest snapshot with the open database, outside the read limit: for the one chain
    /// verifier task, which bounds itself.
    pub fn view(&self) -> Result<ReadView, ReadError> {
        let snapshot = Arc::clone(&self.latest.borrow());
        let storage = snapshot.storage.upgrade().ok_or(ReadError::Stopped)?;
        Ok(ReadView { snapshot, storage })
    }

    /// Runs `f` on the blocking pool against the latest snapshot.
    pub async fn run<R, F>(&self, f: F) -> Result<R, ReadError>
    where
        R: Send + 'static,
        F: FnOnce(&ReadView) -> R + Send + 'static,
    {
        let permit = Arc::clone(&self.permits).try_acquire_owned().map_err(|_| ReadError::TooMany)?;
        let workers = Arc::clone(&self.workers);
        let view = self.view()?;
        // The permits move into the task: a read that outlives its timeout still holds its
        // slot and its core, so the limits bound the work actually running. Waiting for a core
        // counts towards the timeout.
        let task = async move {
            let worker = workers.acquire_owned().await.map_err(|_| ReadError::Stopped)?;
            let task = tokio::task::spawn_blocking(move || {
                let answer = f(&view);
                drop((worker, permit));
                answer
            });
            task.await.map_err(|_| ReadError::Stopped)
        };
        match tokio::time::timeout(self.timeout, task).await {
            Ok(answer) => answer,
            Err(_) => Err(ReadError::Overloaded),
        }
    }
}

/// The ledger's side: publishes a snapshot after each commit.
#[derive(Debug)]
pub(super) struct Publisher {
    latest: watch::Sender<Arc<Snapshot>>,
    genesis: Arc<Genesis>,
    genesis_hash: Hash,
    storage: Weak<Storage>,
    /// The state of the snapshot before the latest, with the changes that bring it to the
    /// latest: taken back at the next commit if no reader holds it.
    spare: Option<(Arc<State>, ChangeSet)>,
}

impl Publisher {
    /// Publishes the state at `head` first.
    pub(super) fn new(state: &State, head: &BlockHeader, genesis: &Genesis, storage: &Arc<Storage>) -> Self {
        let genesis = Arc::new(genesis.clone());
        let genesis_hash = genesis.hash();
        let storage = Arc::downgrade(storage);
        let first = Snapshot {
            state: Arc::new(state.clone()),
            head: head.clone(),
            genesis: Arc::clone(&genesis),
            genesis_hash,
            storage: Weak::clone(&storage),
        };
        let (latest, _) = watch::channel(Arc::new(first));
        Self { latest, genesis, genesis_hash, storage, spare: None }
    }

    /// A receiver of the snapshots.
    pub(super) fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.latest.subscribe()
    }

    /// Publishes the ledger after a commit: `state` at `head`, reached with `changes`.
    pub(super) fn publish(&mut self, state: &State, head: &BlockHeader, changes: ChangeSet) {
        let reused = self.spare.take().and_then(|(spare, previous)| {
            let mut spare = Arc::try_unwrap(spare).ok()?;
            spare.apply(previous);
            spare.apply(changes.clone());
            Some(spare)
        });
        // The root is cached in the state, so this check is free; a mismatch cannot happen
        // unless a change set was lost, and then a copy repairs it.
        let fresh = reused.filter(|s| s.root() == state.root()).unwrap_or_else(|| state.clone());
        let snapshot = Snapshot {
            state: Arc::new(fresh),
            head: head.clone(),
            genesis: Arc::clone(&self.genesis),
            genesis_hash: self.genesis_hash,
            storage: Weak::clone(&self.storage),
        };
        let previous = self.latest.send_replace(Arc::new(snapshot));
        self.spare = Some((Arc::clone(&previous.state), changes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_over_the_limit_are_refused_and_slow_ones_time_out() {
        let (dir, storage, publisher) = fixture();
        let reads = Reads::new(publisher.subscribe(), 1, Duration::from_millis(200));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let slow = {
            let reads = reads.clone();
            tokio::spawn(async move { reads.run(move |_| held.recv().is_ok()).await })
        };
        // Wait until the slow read holds the only slot.
        while reads.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(reads.run(|v| v.head().height).await, Err(ReadError::TooMany));
        assert_eq!(slow.await.expect("task"), Err(ReadError::Overloaded));
        release.send(()).expect("the slow read still runs");
        drop(storage);
        // The ledger's database closed: reads stop instead of keeping it open.
        while reads.permits.available_permits() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(reads.run(|v| v.head().height).await, Err(ReadError::Stopped));
        drop(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue_12_reads_in_flight_wait_for_one_of_the_read_cores() {
        let (_dir, _storage, publisher) = fixture();
        // Room for 4 in flight, one running at a time.
        let reads = Reads::with_workers(publisher.subscribe(), 4, 1, Duration::from_millis(300));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let slow = {
            let reads = reads.clone();
            tokio::spawn(async move { reads.run(move |_| held.recv().is_ok()).await })
        };
        while reads.workers.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        // A second read is admitted (no 429) but waits for the core, and times out waiting.
        assert_eq!(reads.run(|v| v.head().height).await, Err(ReadError::Overloaded));
        release.send(()).expect("the slow read still runs");
        assert_eq!(slow.await.expect("task"), Err(ReadError::Overloaded), "its caller gave up as well");
        // Once the slow read has finished, the core is free again and reads run.
        assert_eq!(reads.run(|v| v.head().height).await, Ok(contracts::Height(0)));
    }

    fn fixture() -> (tempfile::TempDir, Arc<Storage>, Publisher) {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = Arc::new(Storage::open(dir.path()).expect("open"));
        let state = State::from_entries(std::collections::BTreeMap::new());
        let head = BlockHeader {
            chain_id: contracts::ChainId::new("t").expect("chain"),
            height: contracts::Height(0),
            parent: Hash::ZERO,
            time: contracts::Timestamp(1),
            proposer: contracts::AccountId([1; 32]),
            tx_count: 0,
            tx_root: Hash::ZERO,
            receipt_root: Hash::ZERO,
            state_root: state.root(),
        };
        let template = genesis::Template::heerlen().expect("template");
        let genesis = genesis::devnet::create(&dir.path().join("net"), &template, contracts::Timestamp(1))
            .expect("devnet")
            .genesis;
        let publisher = Publisher::new(&state, &head, &genesis, &storage);
        (dir, storage, publisher)
    }
}
