//! The [`Overlay`]: a copy-on-write view for executing a block on scratch, its typed reads and
//! writes, and the [`BlockContext`] the rules execute in.

use super::keyspace::{ChangeSet, DueItem, Key, Value};
use super::records::{
    Account, Budget, Claim, Earner, Globals, MerchantRecord, PaymentRecord, Proposal, Redemption, Task, TillLink,
    ValidatorSchedule, VerifierPool,
};
use super::root::State;
use crate::primitives::{
    AccountId, Amount, BudgetCode, ClaimId, Hash, Height, IdempotencyKey, PaymentRef, ProposalId, RedemptionId, TaskId,
    Timestamp,
};

/// A scratch view over the committed state: reads fall through, writes stay here until the
/// block is committed. Each transaction writes into its own layer so that a rejection leaves
/// nothing behind (R-TX-5).
#[derive(Debug)]
pub struct Overlay<'a> {
    base: &'a State,
    block: ChangeSet,
    tx: ChangeSet,
}

impl<'a> Overlay<'a> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a State) -> Self {
        Self { base, block: ChangeSet::new(), tx: ChangeSet::new() }
    }

    /// The current value under `key`, seen through both layers.
    pub fn get(&self, key: &Key) -> Option<Value> {
        if let Some(value) = self.tx.get(key) {
            return value.clone();
        }
        if let Some(value) = self.block.get(key) {
            return value.clone();
        }
        self.base.get(key).cloned()
    }

    /// Writes `value` under `key` in the transaction layer.
    pub fn put(&mut self, key: Key, value: Value) {
        self.tx.insert(key, Some(value));
    }

    /// Deletes the entry under `key` in the transaction layer.
    pub fn delete(&mut self, key: Key) {
        self.tx.insert(key, None);
    }

    /// Keeps the transaction layer's writes.
    pub fn commit_tx(&mut self) {
        let writes = std::mem::take(&mut self.tx);
        self.block.extend(writes);
    }

    /// Drops the transaction layer's writes.
    pub fn discard_tx(&mut self) {
        self.tx.clear();
    }

    /// The block's changes so far.
    pub fn changes(&self) -> &ChangeSet {
        &self.block
    }

    /// The block's changes, consuming the overlay.
    pub fn into_changes(mut self) -> ChangeSet {
        self.commit_tx();
        self.block
    }

    /// The committed state underneath.
    pub fn base(&self) -> &State {
        self.base
    }
}

/// Typed reads and writes on an overlay.
macro_rules! typed_access {
    ($get:ident, $put:ident, $variant:ident, $ty:ty, $id:ty, $key:expr) => {
        impl Overlay<'_> {
            #[doc = concat!("Reads a ", stringify!($variant), ".")]
            pub fn $get(&self, id: $id) -> Option<$ty> {
                let make_key: fn($id) -> Key = $key;
                match self.get(&make_key(id)) {
                    Some(Value::$variant(v)) => Some(v),
                    _ => None,
                }
            }

            #[doc = concat!("Writes a ", stringify!($variant), ".")]
            pub fn $put(&mut self, id: $id, value: $ty) {
                let make_key: fn($id) -> Key = $key;
                self.put(make_key(id), Value::$variant(value));
            }
        }
    };
}

typed_access!(account, put_account, Account, Account, AccountId, Key::Account);
typed_access!(budget, put_budget, Budget, Budget, BudgetCode, Key::Budget);
typed_access!(task, put_task, Task, Task, TaskId, Key::Task);
typed_access!(claim, put_claim, Claim, Claim, ClaimId, Key::Claim);
typed_access!(redemption, put_redemption, Redemption, Redemption, RedemptionId, Key::Redemption);
typed_access!(proposal, put_proposal, Proposal, Proposal, ProposalId, Key::Proposal);
typed_access!(payment, put_payment, Payment, PaymentRecord, (AccountId, PaymentRef), |(m, r)| Key::Payment(m, r));
typed_access!(till, put_till, Till, TillLink, AccountId, Key::Till);
typed_access!(merchant, put_merchant, Merchant, MerchantRecord, AccountId, Key::Merchant);
typed_access!(redeem_key, put_redeem_key, RedeemKey, RedemptionId, (AccountId, IdempotencyKey), |(m, k)| {
    Key::RedeemKey(m, k)
});

typed_access!(review_pair, put_review_pair, ReviewPair, u32, (AccountId, AccountId), |(w, v)| Key::ReviewPair(w, v));
typed_access!(earner, put_earner, Earner, Earner, AccountId, Key::Earner);
typed_access!(earned, put_earned, Earned, Amount, (AccountId, u16), |(a, y)| Key::Earned(a, y));
typed_access!(worked_on, put_worked_on, WorkedOn, ClaimId, (TaskId, AccountId), |(t, a)| Key::WorkedOn(t, a));

impl Overlay<'_> {
    /// R-REV-2: the verifier pool (empty if none was ever written).
    pub fn verifiers(&self) -> VerifierPool {
        match self.get(&Key::Verifiers) {
            Some(Value::Verifiers(v)) => v,
            _ => VerifierPool::default(),
        }
    }

    /// Writes the verifier pool.
    pub fn put_verifiers(&mut self, pool: VerifierPool) {
        self.put(Key::Verifiers, Value::Verifiers(pool));
    }

    /// R-REV-2: whether `who` was drawn to review, or objected to, work on `task`.
    pub fn reviewed(&self, task: TaskId, who: AccountId) -> bool {
        self.get(&Key::Reviewed(task, who)).is_some()
    }

    /// Records that `who` reviewed or objected to work on `task`.
    pub fn put_reviewed(&mut self, task: TaskId, who: AccountId) {
        self.put(Key::Reviewed(task, who), Value::Reviewed);
    }

    /// R-DUE-1: schedules `item` at `time`.
    pub fn schedule(&mut self, time: Timestamp, item: DueItem) {
        self.put(Key::Due(time, item), Value::Due);
    }

    /// Removes a scheduled item.
    pub fn unschedule(&mut self, time: Timestamp, item: DueItem) {
        if self.get(&Key::Due(time, item)).is_some() {
            self.delete(Key::Due(time, item));
        }
    }

    /// The chain-wide figures.
    pub fn globals(&self) -> Option<Globals> {
        match self.get(&Key::Globals) {
            Some(Value::Globals(g)) => Some(g),
            _ => None,
        }
    }

    /// Writes the chain-wide figures.
    pub fn put_globals(&mut self, globals: Globals) {
        self.put(Key::Globals, Value::Globals(globals));
    }

    /// The validator schedule.
    pub fn validators(&self) -> Option<ValidatorSchedule> {
        match self.get(&Key::Validators) {
            Some(Value::Validators(v)) => Some(v),
            _ => None,
        }
    }

    /// Writes the validator schedule.
    pub fn put_validators(&mut self, schedule: ValidatorSchedule) {
        self.put(Key::Validators, Value::Validators(schedule));
    }
}

/// A height and block time, as seen by the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockContext {
    /// The height being executed.
    pub height: Height,
    /// The block's time from its header.
    pub time: Timestamp,
    /// The parent block's hash: the seed of verifier draws (R-REV-2).
    pub parent: Hash,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn r_tx_5_discarded_writes_leave_nothing() {
        let state = State::from_entries(BTreeMap::new());
        let mut view = Overlay::new(&state);
        view.put_account(AccountId([1; 32]), Account::default());
        view.discard_tx();
        assert!(view.account(AccountId([1; 32])).is_none());
        view.put_account(AccountId([2; 32]), Account::default());
        view.commit_tx();
        assert!(view.account(AccountId([2; 32])).is_some());
        assert_eq!(view.into_changes().len(), 1);
    }
}
