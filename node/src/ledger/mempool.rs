//! A bounded mempool with per-account nonce ordering.
//!
//! Each account's queue holds consecutive nonces starting at its committed nonce, so a block
//! can always take a prefix of every queue. Selection is round-robin across accounts, so one
//! busy account cannot crowd out the rest.
//!
//! Limits keep honest traffic flowing under a flood (issue 12): an account may hold at most
//! `max_per_account` pending transactions (a flooding account fills its own quota and hears
//! 429 `account_queue_full`), and when the whole pool is full a transaction from an account with
//! fewer pending transactions than the busiest account takes the place of that account's newest
//! one (the tail of its queue, so its nonces stay consecutive). Only when every account holds as
//! few as the newcomer would is a transaction refused as `mempool_full` (503).

use std::collections::{BTreeMap, VecDeque};

use contracts::{AccountId, Hash, Nonce, VerifiedTx};
use thiserror::Error;

/// Mempool limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most transactions in total.
    pub max_txs: usize,
    /// Most pending transactions per account.
    pub max_per_account: usize,
}

/// Why a transaction was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AdmitError {
    /// Already pending.
    #[error("transaction {0} is already pending")]
    Duplicate(Hash),
    /// Not the next nonce after the committed and pending ones.
    #[error("nonce {got} is not the next one; use nonce {expected}")]
    Nonce {
        /// The next nonce the account can use.
        expected: Nonce,
        /// The transaction's.
        got: Nonce,
    },
    /// Too many pending for this account.
    #[error("account has {0} transactions pending; wait for them to commit")]
    AccountFull(usize),
    /// The pool is full.
    #[error("the mempool is full ({0} transactions); try again shortly")]
    Full(usize),
}

/// What admission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    /// The admitted transaction.
    pub id: Hash,
    /// The newest transaction of the busiest account (that account and the transaction),
    /// evicted to make room in a full pool.
    pub evicted: Option<(AccountId, Hash)>,
}

/// Pending transactions.
#[derive(Debug)]
pub struct Mempool {
    limits: Limits,
    queues: BTreeMap<AccountId, VecDeque<VerifiedTx>>,
    ids: BTreeMap<Hash, AccountId>,
}

impl Mempool {
    /// An empty pool.
    pub fn new(limits: Limits) -> Self {
        Self { limits, queues: BTreeMap::new(), ids: BTreeMap::new() }
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether `id` is pending.
    pub fn contains(&self, id: &Hash) -> bool {
        self.ids.contains_key(id)
    }

    /// A pending transaction.
    pub fn get(&self, id: &Hash) -> Option<&VerifiedTx> {
        let account = self.ids.get(id)?;
        self.queues.get(account)?.iter().find(|tx| tx.signed().id() == *id)
    }

    /// The account's pending transactions, in nonce order.
    pub fn pending_for(&self, account: &AccountId) -> impl Iterator<Item = &VerifiedTx> {
        self.queues.get(account).into_iter().flatten()
    }

    /// The nonce the account's next transaction must carry, given its committed nonce.
    pub fn next_nonce(&self, account: &AccountId, committed: Nonce) -> Nonce {
        let pending = self.queues.get(account).map_or(0, VecDeque::len);
        Nonce(committed.0.saturating_add(u64::try_from(pending).unwrap_or(u64::MAX)))
    }

    /// Checks whether `tx` could be admitted, without admitting it.
    pub fn check(&self, tx: &VerifiedTx, committed: Nonce) -> Result<(), AdmitError> {
        self.room_for(tx, committed).map(|_| ())
    }

    /// The account whose newest transaction must leave to make room for `tx`, if the pool is
    /// full; an error if `tx` may not enter.
    fn room_for(&self, tx: &VerifiedTx, committed: Nonce) -> Result<Option<AccountId>, AdmitError> {
        let id = tx.signed().id();
        if self.ids.contains_key(&id) {
            return Err(AdmitError::Duplicate(id));
        }
        let signer = tx.tx().signer;
        let expected = self.next_nonce(&signer, committed);
        if tx.tx().nonce != expected {
            return Err(AdmitError::Nonce { expected, got: tx.tx().nonce });
        }
        let pending = self.queues.get(&signer).map_or(0, VecDeque::len);
        if pending >= self.limits.max_per_account {
            return Err(AdmitError::AccountFull(pending));
        }
        if self.ids.len() < self.limits.max_txs {
            return Ok(None);
        }
        // Full: the busiest account (the highest address among equals, so every node picks the
        // same) gives up its newest transaction if it would still hold more than `tx`'s account.
        let busiest = self.queues.iter().max_by_key(|(account, queue)| (queue.len(), **account));
        match busiest {
            Some((account, queue)) if *account != signer && queue.len() > pending.saturating_add(1) => {
                Ok(Some(*account))
            }
            _ => Err(AdmitError::Full(self.ids.len())),
        }
    }

    /// Admits `tx` if [`Mempool::check`] passes, evicting the busiest account's newest
    /// transaction when the pool is full.
    pub fn admit(&mut self, tx: VerifiedTx, committed: Nonce) -> Result<Admitted, AdmitError> {
        let victim = self.room_for(&tx, committed)?;
        let evicted = victim.and_then(|account| {
            let queue = self.queues.get_mut(&account)?;
            let gone = queue.pop_back()?.signed().id();
            self.ids.remove(&gone);
            Some((account, gone))
        });
        let id = tx.signed().id();
        let signer = tx.tx().signer;
        self.ids.insert(id, signer);
        self.queues.entry(signer).or_default().push_back(tx);
        Ok(Admitted { id, evicted })
    }

    /// Up to `max` transactions, round-robin across accounts, each account in nonce order.
    pub fn select(&self, max: usize) -> Vec<VerifiedTx> {
        let mut out = Vec::with_capacity(max.min(self.ids.len()));
        let mut depth = 0;
        while out.len() < max {
            let mut any = false;
            for queue in self.queues.values() {
                if let Some(tx) = queue.get(depth) {
                    any = true;
                    out.push(tx.clone());
                    if out.len() >= max {
                        break;
                    }
                }
            }
            if !any {
                break;
            }
            depth += 1;
        }
        out
    }

    /// Drops transactions whose nonce is below the account's new committed nonce (included in
    /// a block, or made stale by one).
    pub fn prune(&mut self, committed: impl Fn(&AccountId) -> Nonce) {
        let ids = &mut self.ids;
        self.queues.retain(|account, queue| {
            let next = committed(account);
            while queue.front().is_some_and(|tx| tx.tx().nonce < next) {
                if let Some(tx) = queue.pop_front() {
                    ids.remove(&tx.signed().id());
                }
            }
            !queue.is_empty()
        });
    }

    /// Drops the account's transactions from nonce `from` on (one of them can no longer be
    /// included, so none after it can either).
    pub fn drop_from(&mut self, account: &AccountId, from: Nonce) {
        let Some(queue) = self.queues.get_mut(account) else { return };
        while queue.back().is_some_and(|tx| tx.tx().nonce >= from) {
            if let Some(tx) = queue.pop_back() {
                self.ids.remove(&tx.signed().id());
            }
        }
        if queue.is_empty() {
            self.queues.remove(account);
        }
    }

    /// Drops an account's whole queue (its head can no longer be included).
    pub fn drop_account(&mut self, account: &AccountId) {
        if let Some(queue) = self.queues.remove(account) {
            for tx in queue {
                self.ids.remove(&tx.signed().id());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::tx::{Action, Transfer, Tx};
    use contracts::{Amount, ChainId};

    fn tx(seed: u8, nonce: u64) -> VerifiedTx {
        let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let tx = Tx {
            chain_id: ChainId::new("heerlen-test").expect("chain id"),
            signer: contracts::crypto::account_of(&key),
            nonce: Nonce(nonce),
            action: Action::Transfer(Transfer { recipient: AccountId([9; 32]), amount: Amount(1) }),
        };
        VerifiedTx::verify(tx.sign(&key)).expect("valid signature")
    }

    fn pool() -> Mempool {
        Mempool::new(Limits { max_txs: 4, max_per_account: 3 })
    }

    #[test]
    fn admits_consecutive_nonces_only() {
        let mut pool = pool();
        assert!(pool.admit(tx(1, 0), Nonce(0)).is_ok());
        assert_eq!(pool.admit(tx(1, 2), Nonce(0)), Err(AdmitError::Nonce { expected: Nonce(1), got: Nonce(2) }));
        let id = tx(1, 1).signed().id();
        assert_eq!(pool.admit(tx(1, 1), Nonce(0)).map(|a| a.id), Ok(id));
        assert_eq!(pool.admit(tx(1, 1), Nonce(0)), Err(AdmitError::Duplicate(id)));
        assert_eq!(pool.next_nonce(&tx(1, 0).tx().signer, Nonce(0)), Nonce(2));
    }

    #[test]
    fn bounds_hold_per_account_and_in_total() {
        let mut pool = pool();
        for n in 0..3 {
            pool.admit(tx(1, n), Nonce(0)).expect("admitted");
        }
        assert_eq!(pool.admit(tx(1, 3), Nonce(0)), Err(AdmitError::AccountFull(3)));
        pool.admit(tx(2, 0), Nonce(0)).expect("admitted");
        // Full: account 3 (nothing pending) takes the place of account 1's newest transaction.
        let admitted = pool.admit(tx(3, 0), Nonce(0)).expect("room made by the busiest account");
        assert_eq!(admitted.evicted, Some((tx(1, 0).tx().signer, tx(1, 2).signed().id())));
        assert_eq!(pool.len(), 4);
        assert_eq!(pool.next_nonce(&tx(1, 0).tx().signer, Nonce(0)), Nonce(2), "account 1's nonces stay consecutive");
        // Accounts 1 and 3 now hold 2 and 1: account 4 takes account 1's newest again.
        assert_eq!(pool.admit(tx(4, 0), Nonce(0)).expect("room").evicted.map(|e| e.1), Some(tx(1, 1).signed().id()));
        // Every account holds 1: a newcomer would hold as many, so the pool is full for it.
        assert_eq!(pool.admit(tx(5, 0), Nonce(0)), Err(AdmitError::Full(4)));
        // An account never evicts itself.
        assert_eq!(pool.admit(tx(1, 1), Nonce(0)), Err(AdmitError::Full(4)));
    }

    #[test]
    fn issue_12_a_flooding_account_fills_its_quota_not_the_pool() {
        let mut pool = Mempool::new(Limits { max_txs: 8, max_per_account: 8 });
        for n in 0..8 {
            pool.admit(tx(1, n), Nonce(0)).expect("the flooder fills the empty pool");
        }
        for seed in 2..6 {
            let admitted = pool.admit(tx(seed, 0), Nonce(0)).expect("an honest account still gets in");
            assert!(admitted.evicted.is_some());
        }
        assert_eq!(pool.len(), 8);
        let picked = pool.select(5);
        let honest = picked.iter().filter(|t| t.tx().signer != tx(1, 0).tx().signer).count();
        assert_eq!(honest, 4, "round-robin puts every honest account into the next block");
    }

    #[test]
    fn drop_from_keeps_the_prefix() {
        let mut pool = pool();
        for n in 0..3 {
            pool.admit(tx(1, n), Nonce(0)).expect("admitted");
        }
        pool.drop_from(&tx(1, 0).tx().signer, Nonce(1));
        assert_eq!(pool.len(), 1);
        assert!(pool.contains(&tx(1, 0).signed().id()));
        pool.drop_from(&tx(1, 0).tx().signer, Nonce(0));
        assert!(pool.is_empty());
    }

    #[test]
    fn selection_is_round_robin_in_nonce_order_and_prune_removes_included() {
        let mut pool = pool();
        pool.admit(tx(1, 0), Nonce(0)).expect("a0");
        pool.admit(tx(1, 1), Nonce(0)).expect("a1");
        pool.admit(tx(2, 0), Nonce(0)).expect("b0");
        let picked: Vec<u64> = pool.select(3).iter().map(|t| t.tx().nonce.0).collect();
        assert_eq!(picked.len(), 3);
        assert_eq!(picked[2], 1, "the second nonce of an account comes after every account's first");
        let a = tx(1, 0).tx().signer;
        pool.prune(|account| if *account == a { Nonce(1) } else { Nonce(0) });
        assert_eq!(pool.len(), 2);
        assert!(!pool.contains(&tx(1, 0).signed().id()));
    }
}
