//! The committed [`State`] and its root (R-ROOT-1): entries are hashed as leaves
//! (`key ‖ value`, canonical bytes), grouped into [`BUCKETS`] buckets by the first bytes of the
//! key's hash, and a binary tree over the bucket hashes gives the root. Only buckets a block
//! touches are rehashed.

use std::collections::BTreeMap;

use super::keyspace::{ChangeSet, DueItem, Key, Value};
use super::records::{
    Account, Budget, Claim, Globals, PaymentRecord, Proposal, Redemption, Task, TillLink, ValidatorSchedule,
};
use crate::codec::{Encode, put_bytes};
use crate::crypto::HashKind;
use crate::primitives::{
    AccountId, BudgetCode, ClaimId, Hash, IdempotencyKey, PaymentRef, ProposalId, RedemptionId, TaskId, Timestamp,
};

/// Number of buckets in the state commitment (a power of two).
pub const BUCKETS: usize = 4096;

fn leaf_hash(key_bytes: &[u8], value: &Value) -> Hash {
    let mut hasher = HashKind::StateLeaf.hasher();
    let mut buf = Vec::new();
    put_bytes(&mut buf, key_bytes);
    value.encode(&mut buf);
    hasher.update(&buf);
    Hash(*hasher.finalize().as_bytes())
}

fn bucket_of(key_bytes: &[u8]) -> usize {
    let digest = blake3::hash(key_bytes);
    let bytes = digest.as_bytes();
    (usize::from(bytes[0]) << 8 | usize::from(bytes[1])) % BUCKETS
}

fn bucket_hash(leaves: &BTreeMap<Vec<u8>, Hash>) -> Hash {
    let mut hasher = HashKind::StateBucket.hasher();
    for (key, leaf) in leaves {
        let mut buf = Vec::with_capacity(key.len() + 36);
        put_bytes(&mut buf, key);
        buf.extend_from_slice(&leaf.0);
        hasher.update(&buf);
    }
    Hash(*hasher.finalize().as_bytes())
}

fn tree_root(level: &[Hash]) -> Hash {
    let mut level = level.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut hasher = HashKind::StateNode.hasher();
                for node in pair {
                    hasher.update(&node.0);
                }
                Hash(*hasher.finalize().as_bytes())
            })
            .collect();
    }
    level.first().copied().unwrap_or(Hash::ZERO)
}

/// The committed state, with its root kept up to date.
#[derive(Debug, Clone)]
pub struct State {
    entries: BTreeMap<Key, Value>,
    leaves: Vec<BTreeMap<Vec<u8>, Hash>>,
    bucket_hashes: Vec<Hash>,
    root: Hash,
}

impl State {
    /// A state holding `entries`.
    pub fn from_entries(entries: BTreeMap<Key, Value>) -> Self {
        let mut leaves = vec![BTreeMap::new(); BUCKETS];
        for (key, value) in &entries {
            let key_bytes = key.to_bytes();
            let bucket = bucket_of(&key_bytes);
            if let Some(slot) = leaves.get_mut(bucket) {
                let leaf = leaf_hash(&key_bytes, value);
                slot.insert(key_bytes, leaf);
            }
        }
        let bucket_hashes: Vec<Hash> = leaves.iter().map(bucket_hash).collect();
        let root = tree_root(&bucket_hashes);
        Self { entries, leaves, bucket_hashes, root }
    }

    /// The state root (R-ROOT-1).
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The entry under `key`.
    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.entries.get(key)
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.entries.iter()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn patched_buckets(&self, changes: &ChangeSet) -> BTreeMap<usize, BTreeMap<Vec<u8>, Hash>> {
        let mut patched: BTreeMap<usize, BTreeMap<Vec<u8>, Hash>> = BTreeMap::new();
        for (key, value) in changes {
            let key_bytes = key.to_bytes();
            let bucket = bucket_of(&key_bytes);
            let leaves = patched.entry(bucket).or_insert_with(|| self.leaves.get(bucket).cloned().unwrap_or_default());
            match value {
                Some(value) => {
                    let leaf = leaf_hash(&key_bytes, value);
                    leaves.insert(key_bytes, leaf);
                }
                None => {
                    leaves.remove(&key_bytes);
                }
            }
        }
        patched
    }

    /// The root the state would have after `changes`, without applying them.
    pub fn root_with(&self, changes: &ChangeSet) -> Hash {
        if changes.is_empty() {
            return self.root;
        }
        let mut hashes = self.bucket_hashes.clone();
        for (bucket, leaves) in self.patched_buckets(changes) {
            if let Some(slot) = hashes.get_mut(bucket) {
                *slot = bucket_hash(&leaves);
            }
        }
        tree_root(&hashes)
    }

    /// Applies `changes` and updates the root.
    pub fn apply(&mut self, changes: ChangeSet) {
        let patched = self.patched_buckets(&changes);
        for (bucket, leaves) in patched {
            if let (Some(slot), Some(hash)) = (self.leaves.get_mut(bucket), self.bucket_hashes.get_mut(bucket)) {
                *hash = bucket_hash(&leaves);
                *slot = leaves;
            }
        }
        self.root = tree_root(&self.bucket_hashes);
        for (key, value) in changes {
            match value {
                Some(value) => self.entries.insert(key, value),
                None => self.entries.remove(&key),
            };
        }
    }

    /// R-DUE-1: the first `limit` items due at or before `time`, in (time, item) order.
    pub fn due_until(&self, time: Timestamp, limit: usize) -> Vec<(Timestamp, DueItem)> {
        self.entries
            .range(Key::Due(Timestamp(0), DueItem::FIRST)..=Key::Due(time, DueItem::LAST))
            .filter_map(|(key, _)| match key {
                Key::Due(t, item) => Some((*t, *item)),
                _ => None,
            })
            .take(limit)
            .collect()
    }

    /// The chain-wide figures. Every valid state has them (genesis writes them).
    pub fn globals(&self) -> Option<&Globals> {
        match self.entries.get(&Key::Globals) {
            Some(Value::Globals(g)) => Some(g),
            _ => None,
        }
    }

    /// The validator schedule.
    pub fn validators(&self) -> Option<&ValidatorSchedule> {
        match self.entries.get(&Key::Validators) {
            Some(Value::Validators(v)) => Some(v),
            _ => None,
        }
    }

    /// An account.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        match self.entries.get(&Key::Account(*id)) {
            Some(Value::Account(a)) => Some(a),
            _ => None,
        }
    }

    /// A task.
    pub fn task(&self, id: TaskId) -> Option<&Task> {
        match self.entries.get(&Key::Task(id)) {
            Some(Value::Task(t)) => Some(t),
            _ => None,
        }
    }

    /// A claim.
    pub fn claim(&self, id: ClaimId) -> Option<&Claim> {
        match self.entries.get(&Key::Claim(id)) {
            Some(Value::Claim(c)) => Some(c),
            _ => None,
        }
    }

    /// A redemption.
    pub fn redemption(&self, id: RedemptionId) -> Option<&Redemption> {
        match self.entries.get(&Key::Redemption(id)) {
            Some(Value::Redemption(r)) => Some(r),
            _ => None,
        }
    }

    /// A proposal.
    pub fn proposal(&self, id: ProposalId) -> Option<&Proposal> {
        match self.entries.get(&Key::Proposal(id)) {
            Some(Value::Proposal(p)) => Some(p),
            _ => None,
        }
    }

    /// A budget.
    pub fn budget(&self, code: &BudgetCode) -> Option<&Budget> {
        match self.entries.get(&Key::Budget(code.clone())) {
            Some(Value::Budget(b)) => Some(b),
            _ => None,
        }
    }

    /// R-SHOP-3: the payment of `merchant`'s `reference`, if it was paid.
    pub fn payment(&self, merchant: &AccountId, reference: &PaymentRef) -> Option<&PaymentRecord> {
        match self.entries.get(&Key::Payment(*merchant, reference.clone())) {
            Some(Value::Payment(p)) => Some(p),
            _ => None,
        }
    }

    /// R-SHOP-4: the merchant `till` is linked to, if any.
    pub fn till(&self, till: &AccountId) -> Option<&TillLink> {
        match self.entries.get(&Key::Till(*till)) {
            Some(Value::Till(t)) => Some(t),
            _ => None,
        }
    }

    /// R-RED-3: the redemption `merchant` made with `key`, if any.
    pub fn redeem_key(&self, merchant: &AccountId, key: &IdempotencyKey) -> Option<RedemptionId> {
        match self.entries.get(&Key::RedeemKey(*merchant, *key)) {
            Some(Value::RedeemKey(id)) => Some(*id),
            _ => None,
        }
    }

    /// Every account, in id order.
    pub fn accounts(&self) -> impl Iterator<Item = (&AccountId, &Account)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Account(id), Value::Account(a)) => Some((id, a)),
            _ => None,
        })
    }

    /// Every budget, in code order.
    pub fn budgets(&self) -> impl Iterator<Item = (&BudgetCode, &Budget)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Budget(code), Value::Budget(b)) => Some((code, b)),
            _ => None,
        })
    }

    /// Every task, in id order.
    pub fn tasks(&self) -> impl Iterator<Item = (TaskId, &Task)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Task(id), Value::Task(t)) => Some((*id, t)),
            _ => None,
        })
    }

    /// Every claim, in id order.
    pub fn claims(&self) -> impl Iterator<Item = (ClaimId, &Claim)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Claim(id), Value::Claim(c)) => Some((*id, c)),
            _ => None,
        })
    }

    /// Every redemption, in id order.
    pub fn redemptions(&self) -> impl Iterator<Item = (RedemptionId, &Redemption)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Redemption(id), Value::Redemption(r)) => Some((*id, r)),
            _ => None,
        })
    }

    /// Every proposal, in id order.
    pub fn proposals(&self) -> impl Iterator<Item = (ProposalId, &Proposal)> {
        self.entries.iter().filter_map(|(k, v)| match (k, v) {
            (Key::Proposal(id), Value::Proposal(p)) => Some((*id, p)),
            _ => None,
        })
    }

    /// The paid requests of `merchant`, by reference.
    pub fn payments_of<'a>(
        &'a self,
        merchant: &'a AccountId,
    ) -> impl Iterator<Item = (&'a PaymentRef, &'a PaymentRecord)> + 'a {
        self.entries.iter().filter_map(move |(k, v)| match (k, v) {
            (Key::Payment(m, reference), Value::Payment(p)) if m == merchant => Some((reference, p)),
            _ => None,
        })
    }

    /// The tills linked to `merchant` now.
    pub fn tills_of<'a>(&'a self, merchant: &'a AccountId) -> impl Iterator<Item = AccountId> + 'a {
        self.entries.iter().filter_map(move |(k, v)| match (k, v) {
            (Key::Till(till), Value::Till(link)) if link.merchant == *merchant => Some(*till),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::Amount;

    fn account(balance: u64) -> Value {
        Value::Account(Account { balance: Amount(balance), ..Account::default() })
    }

    #[test]
    fn r_root_1_root_with_equals_root_after_apply_and_from_scratch() {
        let mut entries = BTreeMap::new();
        for i in 0..50u8 {
            entries.insert(Key::Account(AccountId([i; 32])), account(u64::from(i)));
        }
        let mut state = State::from_entries(entries.clone());
        let mut changes = ChangeSet::new();
        changes.insert(Key::Account(AccountId([3; 32])), None);
        changes.insert(Key::Account(AccountId([99; 32])), Some(account(7)));
        changes.insert(Key::Account(AccountId([4; 32])), Some(account(40)));
        let predicted = state.root_with(&changes);
        state.apply(changes.clone());
        assert_eq!(state.root(), predicted);
        for (key, value) in changes {
            match value {
                Some(v) => entries.insert(key, v),
                None => entries.remove(&key),
            };
        }
        assert_eq!(State::from_entries(entries).root(), predicted);
    }

    #[test]
    fn r_root_1_root_changes_with_any_value() {
        let a = State::from_entries(BTreeMap::from([(Key::Account(AccountId([1; 32])), account(1))]));
        let b = State::from_entries(BTreeMap::from([(Key::Account(AccountId([1; 32])), account(2))]));
        assert_ne!(a.root(), b.root());
    }
}
