//! The ledger: committed state, storage, mempool and the waiters on transactions. It
//! implements the consensus port and answers the API's reads. One thread owns it (see
//! `task.rs`); everyone else reaches it through a [`super::Handle`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use contracts::block::{self, Executed};
use contracts::rules::execute;
use contracts::state::{BlockContext, ChangeSet, Overlay, State};
use contracts::{
    AccountId, Block, BlockHeader, CommitCert, Hash, Height, Invalid, Nonce, Outcome, Timestamp, VerifiedTx,
};
use genesis::Genesis;
use thiserror::Error;
use tokio::sync::{oneshot, watch};

use super::mempool::{AdmitError, Limits, Mempool};
use super::port::{CommitError, ConsensusApp, Validity};
use super::view::{Publisher, Snapshot};
use crate::store::{Storage, StoreError};

/// Why a submitted transaction was not admitted. Nothing changed.
#[derive(Debug, Error)]
pub enum SubmitError {
    /// It may not enter a block (wrong chain, unknown signer).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The mempool refused it.
    #[error(transparent)]
    Admit(#[from] AdmitError),
    /// This very transaction is already in a block: submitting it again sends nothing new.
    #[error("transaction {tx_id} was already committed at height {height}; nothing new was submitted")]
    AlreadyCommitted {
        /// The transaction.
        tx_id: Hash,
        /// The height of the block that holds it.
        height: Height,
    },
    /// One of the account's pending transactions would now fail (the state moved since it was
    /// admitted), so nothing queued behind it can be included either.
    #[error(
        "your pending transaction {tx_id} (nonce {nonce}) would now fail ({reason}: {message}); it will be \
         dropped from the next block: wait for it to clear, then submit again with that nonce"
    )]
    PendingWouldFail {
        /// The pending transaction.
        tx_id: Hash,
        /// Its nonce.
        nonce: Nonce,
        /// The rejection's stable name.
        reason: String,
        /// Why.
        message: String,
    },
    /// The ledger would reject it against the current state plus the account's pending
    /// transactions.
    #[error("{message}")]
    Rejected {
        /// The rejection's stable name.
        reason: String,
        /// Why.
        message: String,
    },
}

/// Milliseconds since the epoch by the local clock. Only the proposer reads it, to stamp a
/// block; the rules read time from the header.
pub fn wall_clock_ms() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Verifies signatures on up to two threads (every node verifies every transaction).
pub fn verify_all(txs: &[contracts::SignedTx]) -> Result<Vec<VerifiedTx>, (usize, Invalid)> {
    let half = txs.len().div_ceil(2).max(1);
    let results: Vec<Result<Vec<VerifiedTx>, (usize, Invalid)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = txs
            .chunks(half)
            .enumerate()
            .map(|(chunk, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, tx)| VerifiedTx::verify(tx.clone()).map_err(|e| (chunk * half + i, e)))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err((0, Invalid::BadSignature(contracts::crypto::SignatureError::Mismatch)))))
            .collect()
    });
    let mut out = Vec::with_capacity(txs.len());
    for part in results {
        out.extend(part?);
    }
    Ok(out)
}

/// The ledger state machine with its storage.
pub struct Ledger {
    /// Shared only weakly with the published snapshots, so the database closes with the ledger.
    storage: Arc<Storage>,
    publisher: Publisher,
    genesis: Genesis,
    genesis_hash: Hash,
    state: State,
    head: BlockHeader,
    mempool: Mempool,
    executed: BTreeMap<Hash, Executed>,
    /// Per account with pending transactions: the newest one and the changes of the whole
    /// queue's dry run on the committed state. Cleared at each commit.
    pending_changes: BTreeMap<AccountId, (Hash, ChangeSet)>,
    waiters: BTreeMap<Hash, Vec<oneshot::Sender<()>>>,
    heads: watch::Sender<Height>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("head", &self.head.height).finish_non_exhaustive()
    }
}

impl Ledger {
    /// Opens the ledger: writes genesis into an empty database, or loads and checks the
    /// stored state (R-STO-2).
    pub fn open(storage: Storage, genesis: Genesis, limits: Limits) -> Result<Self, StoreError> {
        let genesis_hash = genesis.hash();
        let (state, head) = match storage.head()? {
            None => {
                let state = genesis.initial_state().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let header = genesis.header(&state);
                storage.init_genesis(genesis_hash, &state, &header)?;
                (state, header)
            }
            Some(head) => {
                let stored = storage.genesis_hash()?;
                if stored != Some(genesis_hash) {
                    return Err(StoreError::Corrupt(format!(
                        "the database was created from genesis {} but the configured genesis is {genesis_hash}; \
                         point the node at the right genesis file or at a fresh data directory",
                        stored.map(|h| h.to_hex()).unwrap_or_default()
                    )));
                }
                let state = storage.load_state(&head)?;
                (state, head)
            }
        };
        let supply = state.supply();
        if !supply.is_conserved() {
            return Err(StoreError::Corrupt(format!("stored state does not conserve supply: {supply:?}")));
        }
        let (heads, _) = watch::channel(head.height);
        let storage = Arc::new(storage);
        let publisher = Publisher::new(&state, &head, &genesis, &storage);
        let ledger = Self {
            storage,
            publisher,
            genesis,
            genesis_hash,
            state,
            head,
            mempool: Mempool::new(limits),
            executed: BTreeMap::new(),
            pending_changes: BTreeMap::new(),
            waiters: BTreeMap::new(),
            heads,
        };
        super::reconciliation::record(ledger.storage(), ledger.head().height, &supply)?;
        Ok(ledger)
    }

    /// The committed state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The last committed header.
    pub fn head(&self) -> &BlockHeader {
        &self.head
    }

    /// The genesis document.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// The storage, for reads.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The snapshots published after each commit, for reads off the ledger thread.
    pub fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.publisher.subscribe()
    }

    /// The mempool.
    pub fn mempool(&self) -> &Mempool {
        &self.mempool
    }

    /// The signature checks of a proposed block's transactions, each done once per node (issue
    /// 13): a transaction this node already verified at admission is taken from its mempool when
    /// it is the very same signed transaction (the id covers the body only, so the signature is
    /// compared too); the rest are verified here, with `verify_strict` as at admission, so every
    /// node judges every signature by the same rule.
    fn verify_once(&self, txs: &[contracts::SignedTx]) -> Result<Vec<VerifiedTx>, (usize, Invalid)> {
        let known: Vec<Option<VerifiedTx>> =
            txs.iter().map(|tx| self.mempool.get(&tx.id()).filter(|held| held.signed() == tx).cloned()).collect();
        let unknown: Vec<usize> = known.iter().enumerate().filter(|(_, k)| k.is_none()).map(|(i, _)| i).collect();
        let fresh = verify_all(&unknown.iter().map(|&i| txs[i].clone()).collect::<Vec<_>>())
            .map_err(|(j, reason)| (unknown[j], reason))?;
        // `fresh` holds one transaction for each `None` in `known`, in order.
        let mut fresh = fresh.into_iter();
        let mut out = Vec::with_capacity(txs.len());
        for held in known {
            out.extend(held.or_else(|| fresh.next()));
        }
        Ok(out)
    }

    /// Admits a verified transaction: envelope checks, mempool rules, then a dry run against
    /// the committed state plus the account's pending transactions (R-ADM-1). Nothing changes
    /// unless it is admitted.
    pub fn submit(&mut self, tx: VerifiedTx) -> Result<Hash, SubmitError> {
        let body = tx.tx();
        if body.chain_id != self.head.chain_id {
            return Err(Invalid::WrongChain {
                expected: self.head.chain_id.to_string(),
                got: body.chain_id.to_string(),
            }
            .into());
        }
        let committed = self.state.account(&body.signer).ok_or(Invalid::UnknownSigner(body.signer))?.nonce;
        if body.nonce < committed {
            // A client that resubmits after a lost answer must hear that its transaction is in
            // a block, not "bad nonce" (issue 18).
            let tx_id = tx.signed().id();
            match self.storage.tx_location(&tx_id) {
                Ok(Some((height, _))) => return Err(SubmitError::AlreadyCommitted { tx_id, height }),
                Ok(None) => {}
                Err(err) => tracing::warn!(%err, "looking up a resubmitted transaction"),
            }
        }
        self.mempool.check(&tx, committed)?;
        let changes = self.dry_run(&tx)?;
        let signer = tx.tx().signer;
        let admitted = self.mempool.admit(tx, committed)?;
        self.pending_changes.insert(signer, (admitted.id, changes));
        if let Some((account, evicted)) = admitted.evicted {
            // The busiest account's newest transaction made room; its cached dry run is stale.
            self.pending_changes.remove(&account);
            tracing::info!(tx = %evicted, %account, "evicted from the full mempool to make room for a less busy account");
        }
        Ok(admitted.id)
    }

    /// The context the next block will execute in, as far as this node can tell now.
    fn next_context(&self) -> BlockContext {
        BlockContext {
            height: Height(self.head.height.0.saturating_add(1)),
            time: Timestamp(wall_clock_ms().0.max(self.head.time.0.saturating_add(1))),
            parent: self.head.hash(),
        }
    }

    /// R-ADM-1 (issue 12): runs `tx` after the signer's pending transactions, in nonce order, on
    /// an overlay of the committed state, so a transaction that would fail is refused now with
    /// its rejection instead of filling a block. Returns the overlay's changes, kept so the next
    /// transaction of the account starts from them instead of re-running the whole queue.
    fn dry_run(&self, tx: &VerifiedTx) -> Result<ChangeSet, SubmitError> {
        let signer = tx.tx().signer;
        let chain_id = &self.head.chain_id;
        let ctx = self.next_context();
        let mut view = Overlay::new(&self.state);
        let newest = self.mempool.pending_for(&signer).last().map(|p| p.signed().id());
        match (self.pending_changes.get(&signer), newest) {
            (_, None) => {}
            (Some((after, changes)), Some(newest)) if *after == newest => {
                for (key, value) in changes.clone() {
                    match value {
                        Some(value) => view.put(key, value),
                        None => view.delete(key),
                    }
                }
                view.commit_tx();
            }
            _ => {
                for pending in self.mempool.pending_for(&signer) {
                    let refused = match execute(&mut view, &ctx, chain_id, pending) {
                        Ok(receipt) => match receipt.outcome {
                            Outcome::Accepted { .. } => continue,
                            Outcome::Rejected { reason, message, .. } => (reason, message),
                        },
                        Err(invalid) => ("invalid".to_owned(), invalid.to_string()),
                    };
                    return Err(SubmitError::PendingWouldFail {
                        tx_id: pending.signed().id(),
                        nonce: pending.tx().nonce,
                        reason: refused.0,
                        message: refused.1,
                    });
                }
            }
        }
        let receipt = execute(&mut view, &ctx, chain_id, tx)?;
        if let Outcome::Rejected { reason, message, .. } = receipt.outcome {
            return Err(SubmitError::Rejected { reason, message });
        }
        Ok(view.into_changes())
    }
    /// Where a committed transaction is, with its receipt.
    pub fn committed_tx(&self, id: &Hash) -> Result<Option<(Block, u32, contracts::Receipt)>, StoreError> {
        let Some((height, index)) = self.storage.tx_location(id)? else { return Ok(None) };
        let block =
            self.storage.block(height)?.ok_or_else(|| StoreError::Corrupt(format!("block {height} missing")))?;
        let receipt = self
            .storage
            .receipt(height, index)?
            .ok_or_else(|| StoreError::Corrupt(format!("receipt {height}/{index} missing")))?;
        Ok(Some((block, index, receipt)))
    }

    /// A receiver that fires when `id` is committed.
    pub fn watch(&mut self, id: Hash) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.waiters.entry(id).or_default().push(tx);
        rx
    }

    /// Watches the height of the last committed block (for long polls on payments).
    pub fn heads(&self) -> watch::Receiver<Height> {
        self.heads.subscribe()
    }

    /// The next nonce for `account` counting pending transactions.
    pub fn next_nonce(&self, account: &AccountId, committed: Nonce) -> Nonce {
        self.mempool.next_nonce(account, committed)
    }

    fn check_parent(&self, block: &Block) -> Result<(), String> {
        let expected = Height(self.head.height.0.saturating_add(1));
        if block.header.height != expected {
            return Err(format!("block height {} is not the next height {expected}", block.header.height));
        }
        if block.header.parent != self.head.hash() {
            return Err(format!("block {} does not extend the head", block.header.height));
        }
        Ok(())
    }
}

impl Ledger {
    /// Every validator key in force or scheduled: the peers allowed to gossip transactions.
    pub fn validator_keys(&self) -> Vec<AccountId> {
        self.state.validators().map(contracts::state::ValidatorSchedule::all_keys).unwrap_or_default()
    }

    /// Whether `account` holds `role` in the committed state.
    pub fn has_role(&self, account: &AccountId, role: contracts::Role) -> bool {
        self.state.account(account).is_some_and(|a| a.roles.has(role))
    }

    /// The validator schedule at the head.
    pub fn validator_schedule(&self) -> Option<&contracts::state::ValidatorSchedule> {
        self.state.validators()
    }
}

impl ConsensusApp for Ledger {
    fn next_height(&self) -> Height {
        Height(self.head.height.0.saturating_add(1))
    }

    fn validators(&self, height: Height) -> Vec<(AccountId, u64)> {
        // R-VAL-1: the state at the head knows the set of every height from the one in force
        // up to the scheduled ones; an older pruned height gets an empty set, which the caller
        // reports.
        self.state
            .validators()
            .and_then(|schedule| schedule.at(height))
            .map(|set| set.iter().map(|v| (v.key, v.power)).collect())
            .unwrap_or_default()
    }

    fn build_block(
        &mut self,
        _height: Height,
        _round: u32,
        proposer: AccountId,
        time: Timestamp,
        max_txs: usize,
    ) -> Block {
        let mut candidates = self.mempool.select(max_txs);
        loop {
            let (block, executed, dropped) =
                block::build_block(&self.state, &self.head, time, proposer, candidates.clone());
            for (tx, reason) in dropped {
                // Left out of the block already; it and the account's later ones leave the pool.
                tracing::warn!(tx = %tx.signed().id(), %reason, "dropping pending transactions that can no longer be included");
                self.mempool.drop_from(&tx.tx().signer, tx.tx().nonce);
                self.pending_changes.remove(&tx.tx().signer);
            }
            let mut failed: BTreeMap<AccountId, Nonce> = BTreeMap::new();
            // Issue 12: a transaction the rules would reject is left out of the block (and
            // out of the mempool) instead of being stored forever with a rejected receipt.
            for (tx, receipt) in block.txs.iter().zip(&executed.receipts) {
                if let Outcome::Rejected { reason, .. } = &receipt.outcome {
                    tracing::info!(tx = %receipt.tx_id, %reason, "dropping a pending transaction that now fails");
                    let nonce = failed.entry(tx.tx.signer).or_insert(tx.tx.nonce);
                    *nonce = (*nonce).min(tx.tx.nonce);
                }
            }
            if failed.is_empty() {
                self.executed.insert(block.hash(), executed);
                return block;
            }
            for (account, from) in &failed {
                self.mempool.drop_from(account, *from);
                self.pending_changes.remove(account);
            }
            // Every later transaction of those accounts depends on the dropped one's nonce; the
            // rest are built again (each round removes an account, so this ends).
            candidates.retain(|tx| failed.get(&tx.tx().signer).is_none_or(|from| tx.tx().nonce < *from));
        }
    }

    fn validate_block(&mut self, block: &Block) -> Validity {
        if let Err(reason) = self.check_parent(block) {
            return Validity::Invalid(reason);
        }
        let verified = match self.verify_once(&block.txs) {
            Ok(verified) => verified,
            Err((index, reason)) => return Validity::Invalid(format!("transaction {index}: {reason}")),
        };
        match block::validate_block(&self.state, &self.head, block, &verified) {
            Ok(executed) => {
                self.executed.insert(block.hash(), executed);
                Validity::Valid
            }
            Err(err) => Validity::Invalid(err.to_string()),
        }
    }

    fn commit(&mut self, block: &Block, cert: &CommitCert) -> Result<(), CommitError> {
        self.check_parent(block).map_err(CommitError::Block)?;
        cert.verify(&self.head.chain_id, &block.header, &self.validators(block.header.height))?;
        let hash = block.hash();
        if !self.executed.contains_key(&hash)
            && let Validity::Invalid(reason) = self.validate_block(block)
        {
            return Err(CommitError::Block(reason));
        }
        let executed = self.executed.remove(&hash).ok_or_else(|| CommitError::Block("execution result lost".into()))?;
        self.executed.clear();
        self.storage.commit_block(block, cert, &executed)?;
        self.state.apply(executed.changes.clone());
        self.head = block.header.clone();
        self.publisher.publish(&self.state, &self.head, executed.changes);
        self.pending_changes.clear();
        let state = &self.state;
        self.mempool.prune(|account| state.account(account).map_or(Nonce(0), |a| a.nonce));
        for receipt in &executed.receipts {
            if let Some(waiters) = self.waiters.remove(&receipt.tx_id) {
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            }
        }
        // Waiters on transactions that left the mempool without being committed give up.
        let mempool = &self.mempool;
        self.waiters.retain(|id, list| {
            list.retain(|w| !w.is_closed());
            mempool.contains(id) && !list.is_empty()
        });
        // R-SUP-1, checked on the committed state after every block.
        let supply = self.state.supply();
        if !supply.is_conserved() {
            return Err(CommitError::Invariant(block.header.height, format!("supply not conserved: {supply:?}")));
        }
        // The report per height is derived data: a crash before this write leaves a gap the
        // report names, never a wrong figure.
        if let Err(err) = super::reconciliation::record(self.storage(), self.head().height, &supply) {
            tracing::warn!(%err, height = %block.header.height, "could not record the reconciliation");
        }
        self.heads.send_replace(block.header.height);
        Ok(())
    }

    fn decided_range(&self, from: Height, to: Height) -> Result<Vec<(Block, CommitCert)>, StoreError> {
        let mut out = Vec::new();
        for h in from.0..=to.0.min(self.head.height.0) {
            if let (Some(block), Some(cert)) = (self.storage.block(Height(h))?, self.storage.cert(Height(h))?) {
                out.push((block, cert));
            }
        }
        Ok(out)
    }
}
