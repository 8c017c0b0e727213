//! The keyspace of the state: every [`Key`], the [`Value`] stored under it, their canonical
//! bytes (the leaves of the state root) and [`ChangeSet`], a block's writes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::records::{
    Account, Budget, Claim, Earner, Globals, MerchantRecord, PaymentRecord, Proposal, Redemption, Task, TillLink,
    ValidatorSchedule, VerifierPool,
};
use crate::codec::{Decode, DecodeError, Encode, Reader, put_bytes};
use crate::primitives::{
    AccountId, Amount, BudgetCode, ClaimId, IdempotencyKey, PaymentRef, ProposalId, RedemptionId, TaskId, Timestamp,
};

/// What falls due at a block time (R-DUE-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum DueItem {
    /// A task's deadline: it expires.
    TaskDeadline(TaskId),
    /// A claim's objection window closes: pay unless objected.
    ObjectionWindow(ClaimId),
    /// A rejected claim's resubmission right lapses: free the slot.
    ResubmitLapse(ClaimId),
}

impl Encode for DueItem {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::TaskDeadline(id) => {
                out.push(1);
                id.encode(out);
            }
            Self::ObjectionWindow(id) => {
                out.push(2);
                id.encode(out);
            }
            Self::ResubmitLapse(id) => {
                out.push(3);
                id.encode(out);
            }
        }
    }
}

impl Decode for DueItem {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match reader.u8("due item")? {
            1 => Self::TaskDeadline(Decode::decode(reader)?),
            2 => Self::ObjectionWindow(Decode::decode(reader)?),
            3 => Self::ResubmitLapse(Decode::decode(reader)?),
            tag => return Err(DecodeError::UnknownTag { tag, what: "due item" }),
        })
    }
}

impl crate::schema::Described for DueItem {
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        Shape::Variants {
            name: "DueItem",
            variants: vec![
                ("TaskDeadline", vec![("0", TaskId::shape())]),
                ("ObjectionWindow", vec![("0", ClaimId::shape())]),
                ("ResubmitLapse", vec![("0", ClaimId::shape())]),
            ],
        }
    }
}

impl DueItem {
    /// The smallest item, for range scans.
    pub const FIRST: Self = Self::TaskDeadline(TaskId(0));
    /// The largest item, for range scans.
    pub const LAST: Self = Self::ResubmitLapse(ClaimId(u64::MAX));
}

/// The key of a state entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// The single [`Globals`] entry.
    Globals,
    /// An account.
    Account(AccountId),
    /// A budget.
    Budget(BudgetCode),
    /// A task.
    Task(TaskId),
    /// A claim.
    Claim(ClaimId),
    /// A redemption.
    Redemption(RedemptionId),
    /// A proposal.
    Proposal(ProposalId),
    /// The single [`ValidatorSchedule`] entry.
    Validators,
    /// A paid payment request: the shop and its reference (R-SHOP-3).
    Payment(AccountId, PaymentRef),
    /// A till account (R-SHOP-4).
    Till(AccountId),
    /// A merchant's record (R-SHOP-4).
    Merchant(AccountId),
    /// A merchant's redemption idempotency key (R-RED-3).
    RedeemKey(AccountId, IdempotencyKey),
    /// Something that falls due at a block time (R-DUE-1).
    Due(Timestamp, DueItem),
    /// The single verifier pool (R-REV-2).
    Verifiers,
    /// How often a verifier was drawn for a worker (R-REV-3): (worker, verifier).
    ReviewPair(AccountId, AccountId),
    /// A resident's reservations and draws (R-CAP-1).
    Earner(AccountId),
    /// Rewards a resident was paid in a calendar year (R-CAP-1, R-CAP-3).
    Earned(AccountId, u16),
    /// A resident's claim on a task, kept for good: one claim per resident and task (R-TASK-3),
    /// and never a reviewer of a co-worker (R-REV-2).
    WorkedOn(TaskId, AccountId),
    /// Someone drawn to review, or who objected to, work on a task: never a co-worker on it
    /// (R-REV-2).
    Reviewed(TaskId, AccountId),
}

impl Encode for Key {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Globals => out.push(0),
            Self::Account(id) => {
                out.push(1);
                id.encode(out);
            }
            Self::Budget(code) => {
                out.push(2);
                put_bytes(out, code.as_str().as_bytes());
            }
            Self::Task(id) => {
                out.push(3);
                id.encode(out);
            }
            Self::Claim(id) => {
                out.push(4);
                id.encode(out);
            }
            Self::Redemption(id) => {
                out.push(5);
                id.encode(out);
            }
            Self::Proposal(id) => {
                out.push(6);
                id.encode(out);
            }
            Self::Validators => out.push(7),
            Self::Payment(merchant, reference) => {
                out.push(8);
                merchant.encode(out);
                reference.encode(out);
            }
            Self::Till(till) => {
                out.push(9);
                till.encode(out);
            }
            Self::Merchant(merchant) => {
                out.push(10);
                merchant.encode(out);
            }
            Self::RedeemKey(merchant, key) => {
                out.push(11);
                merchant.encode(out);
                key.encode(out);
            }
            Self::Due(time, item) => {
                out.push(12);
                time.encode(out);
                item.encode(out);
            }
            Self::Verifiers => out.push(13),
            Self::ReviewPair(worker, verifier) => {
                out.push(14);
                worker.encode(out);
                verifier.encode(out);
            }
            Self::Earner(account) => {
                out.push(15);
                account.encode(out);
            }
            Self::Earned(account, year) => {
                out.push(16);
                account.encode(out);
                year.encode(out);
            }
            Self::WorkedOn(task, account) => {
                out.push(17);
                task.encode(out);
                account.encode(out);
            }
            Self::Reviewed(task, account) => {
                out.push(18);
                task.encode(out);
                account.encode(out);
            }
        }
    }
}

impl Decode for Key {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match reader.u8("state key")? {
            0 => Self::Globals,
            1 => Self::Account(Decode::decode(reader)?),
            2 => Self::Budget(Decode::decode(reader)?),
            3 => Self::Task(Decode::decode(reader)?),
            4 => Self::Claim(Decode::decode(reader)?),
            5 => Self::Redemption(Decode::decode(reader)?),
            6 => Self::Proposal(Decode::decode(reader)?),
            7 => Self::Validators,
            8 => Self::Payment(Decode::decode(reader)?, Decode::decode(reader)?),
            9 => Self::Till(Decode::decode(reader)?),
            10 => Self::Merchant(Decode::decode(reader)?),
            11 => Self::RedeemKey(Decode::decode(reader)?, Decode::decode(reader)?),
            12 => Self::Due(Decode::decode(reader)?, Decode::decode(reader)?),
            13 => Self::Verifiers,
            14 => Self::ReviewPair(Decode::decode(reader)?, Decode::decode(reader)?),
            15 => Self::Earner(Decode::decode(reader)?),
            16 => Self::Earned(Decode::decode(reader)?, Decode::decode(reader)?),
            17 => Self::WorkedOn(Decode::decode(reader)?, Decode::decode(reader)?),
            18 => Self::Reviewed(Decode::decode(reader)?, Decode::decode(reader)?),
            tag => return Err(DecodeError::UnknownTag { tag, what: "state key" }),
        })
    }
}

/// The value of a state entry; its variant always matches its key's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// See [`Globals`].
    Globals(Globals),
    /// See [`Account`].
    Account(Account),
    /// See [`Budget`].
    Budget(Budget),
    /// See [`Task`].
    Task(Task),
    /// See [`Claim`].
    Claim(Claim),
    /// See [`Redemption`].
    Redemption(Redemption),
    /// See [`Proposal`].
    Proposal(Proposal),
    /// See [`ValidatorSchedule`].
    Validators(ValidatorSchedule),
    /// See [`PaymentRecord`].
    Payment(PaymentRecord),
    /// See [`TillLink`].
    Till(TillLink),
    /// See [`MerchantRecord`].
    Merchant(MerchantRecord),
    /// The redemption first made with the key (R-RED-3).
    RedeemKey(RedemptionId),
    /// A due marker; the key says everything.
    Due,
    /// See [`VerifierPool`].
    Verifiers(VerifierPool),
    /// Draws of a verifier for a worker.
    ReviewPair(u32),
    /// See [`Earner`].
    Earner(Earner),
    /// Rewards paid in a year.
    Earned(Amount),
    /// The claim a resident made on a task.
    WorkedOn(ClaimId),
    /// A review or objection marker; the key says everything.
    Reviewed,
}

impl Encode for Value {
    fn encode(&self, out: &mut Vec<u8>) {
        // The key carries the type; the value bytes are the entity's own encoding.
        match self {
            Self::Globals(v) => v.encode(out),
            Self::Account(v) => v.encode(out),
            Self::Budget(v) => v.encode(out),
            Self::Task(v) => v.encode(out),
            Self::Claim(v) => v.encode(out),
            Self::Redemption(v) => v.encode(out),
            Self::Proposal(v) => v.encode(out),
            Self::Validators(v) => v.encode(out),
            Self::Payment(v) => v.encode(out),
            Self::Till(v) => v.encode(out),
            Self::Merchant(v) => v.encode(out),
            Self::RedeemKey(v) => v.encode(out),
            Self::Due => {}
            Self::Verifiers(v) => v.encode(out),
            Self::ReviewPair(v) => v.encode(out),
            Self::Earner(v) => v.encode(out),
            Self::Earned(v) => v.encode(out),
            Self::WorkedOn(v) => v.encode(out),
            Self::Reviewed => {}
        }
    }
}

impl Value {
    /// Decodes the value stored under `key`.
    pub fn decode_for(key: &Key, bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(match key {
            Key::Globals => Self::Globals(Globals::from_bytes(bytes)?),
            Key::Account(_) => Self::Account(Account::from_bytes(bytes)?),
            Key::Budget(_) => Self::Budget(Budget::from_bytes(bytes)?),
            Key::Task(_) => Self::Task(Task::from_bytes(bytes)?),
            Key::Claim(_) => Self::Claim(Claim::from_bytes(bytes)?),
            Key::Redemption(_) => Self::Redemption(Redemption::from_bytes(bytes)?),
            Key::Proposal(_) => Self::Proposal(Proposal::from_bytes(bytes)?),
            Key::Validators => Self::Validators(ValidatorSchedule::from_bytes(bytes)?),
            Key::Payment(..) => Self::Payment(PaymentRecord::from_bytes(bytes)?),
            Key::Till(_) => Self::Till(TillLink::from_bytes(bytes)?),
            Key::Merchant(_) => Self::Merchant(MerchantRecord::from_bytes(bytes)?),
            Key::RedeemKey(..) => Self::RedeemKey(RedemptionId::from_bytes(bytes)?),
            Key::Due(..) => {
                if !bytes.is_empty() {
                    return Err(DecodeError::Invalid { what: "due marker", reason: "must be empty" });
                }
                Self::Due
            }
            Key::Verifiers => Self::Verifiers(VerifierPool::from_bytes(bytes)?),
            Key::ReviewPair(..) => Self::ReviewPair(u32::from_bytes(bytes)?),
            Key::Earner(_) => Self::Earner(Earner::from_bytes(bytes)?),
            Key::Earned(..) => Self::Earned(Amount::from_bytes(bytes)?),
            Key::WorkedOn(..) => Self::WorkedOn(ClaimId::from_bytes(bytes)?),
            Key::Reviewed(..) => {
                if !bytes.is_empty() {
                    return Err(DecodeError::Invalid { what: "review marker", reason: "must be empty" });
                }
                Self::Reviewed
            }
        })
    }
}

impl crate::schema::Described for Value {
    /// R-PRIV-1: every kind of state value. The match below stops compiling when a variant is
    /// added, so the description cannot fall behind.
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        fn name(value: &Value) -> &'static str {
            match value {
                Value::Globals(_) => "Globals",
                Value::Account(_) => "Account",
                Value::Budget(_) => "Budget",
                Value::Task(_) => "Task",
                Value::Claim(_) => "Claim",
                Value::Redemption(_) => "Redemption",
                Value::Proposal(_) => "Proposal",
                Value::Validators(_) => "Validators",
                Value::Payment(_) => "Payment",
                Value::Till(_) => "Till",
                Value::Merchant(_) => "Merchant",
                Value::RedeemKey(_) => "RedeemKey",
                Value::Due => "Due",
                Value::Verifiers(_) => "Verifiers",
                Value::ReviewPair(_) => "ReviewPair",
                Value::Earner(_) => "Earner",
                Value::Earned(_) => "Earned",
                Value::WorkedOn(_) => "WorkedOn",
                Value::Reviewed => "Reviewed",
            }
        }
        // Referenced so that its exhaustive match is compiled: a new variant must be listed here.
        let _: fn(&Self) -> &'static str = name;
        let one = |shape: Shape| vec![("0", shape)];
        let variants = vec![
            ("Globals", one(Globals::shape())),
            ("Account", one(Account::shape())),
            ("Budget", one(Budget::shape())),
            ("Task", one(Task::shape())),
            ("Claim", one(Claim::shape())),
            ("Redemption", one(Redemption::shape())),
            ("Proposal", one(Proposal::shape())),
            ("Validators", one(ValidatorSchedule::shape())),
            ("Payment", one(PaymentRecord::shape())),
            ("Till", one(TillLink::shape())),
            ("Merchant", one(MerchantRecord::shape())),
            ("RedeemKey", one(RedemptionId::shape())),
            ("Due", vec![]),
            ("Verifiers", one(VerifierPool::shape())),
            ("ReviewPair", one(u32::shape())),
            ("Earner", one(Earner::shape())),
            ("Earned", one(Amount::shape())),
            ("WorkedOn", one(ClaimId::shape())),
            ("Reviewed", vec![]),
        ];
        Shape::Variants { name: "Value", variants }
    }
}

impl crate::schema::Described for Key {
    /// R-PRIV-1: every kind of state key; the match stops compiling when a variant is added.
    fn shape() -> crate::schema::Shape {
        use crate::schema::Shape;
        fn fields(key: &Key) -> Vec<(&'static str, Shape)> {
            match key {
                Key::Globals | Key::Validators | Key::Verifiers => vec![],
                Key::Account(_) | Key::Till(_) | Key::Merchant(_) | Key::Earner(_) => {
                    vec![("account", AccountId::shape())]
                }
                Key::Budget(_) => vec![("code", BudgetCode::shape())],
                Key::Task(_) => vec![("task", TaskId::shape())],
                Key::Claim(_) => vec![("claim", ClaimId::shape())],
                Key::Redemption(_) => vec![("redemption", RedemptionId::shape())],
                Key::Proposal(_) => vec![("proposal", ProposalId::shape())],
                Key::Payment(..) => vec![("merchant", AccountId::shape()), ("reference", PaymentRef::shape())],
                Key::RedeemKey(..) => vec![("merchant", AccountId::shape()), ("key", IdempotencyKey::shape())],
                Key::Due(..) => vec![("time", Timestamp::shape()), ("item", DueItem::shape())],
                Key::ReviewPair(..) => vec![("worker", AccountId::shape()), ("verifier", AccountId::shape())],
                Key::Earned(..) => vec![("account", AccountId::shape()), ("year", u16::shape())],
                Key::WorkedOn(..) | Key::Reviewed(..) => {
                    vec![("task", TaskId::shape()), ("account", AccountId::shape())]
                }
            }
        }
        let a = AccountId([0; 32]);
        let samples = [
            ("Globals", Self::Globals),
            ("Account", Self::Account(a)),
            ("Budget", Self::Budget(BudgetCode::new("x").unwrap_or_else(|_| unreachable!()))),
            ("Task", Self::Task(TaskId(0))),
            ("Claim", Self::Claim(ClaimId(0))),
            ("Redemption", Self::Redemption(RedemptionId(0))),
            ("Proposal", Self::Proposal(ProposalId(0))),
            ("Validators", Self::Validators),
            ("Payment", Self::Payment(a, PaymentRef::new("x").unwrap_or_else(|_| unreachable!()))),
            ("Till", Self::Till(a)),
            ("Merchant", Self::Merchant(a)),
            ("RedeemKey", Self::RedeemKey(a, IdempotencyKey::default())),
            ("Due", Self::Due(Timestamp(0), DueItem::FIRST)),
            ("Verifiers", Self::Verifiers),
            ("ReviewPair", Self::ReviewPair(a, a)),
            ("Earner", Self::Earner(a)),
            ("Earned", Self::Earned(a, 0)),
            ("WorkedOn", Self::WorkedOn(TaskId(0), a)),
            ("Reviewed", Self::Reviewed(TaskId(0), a)),
        ];
        Shape::Variants { name: "Key", variants: samples.iter().map(|(n, k)| (*n, fields(k))).collect() }
    }
}

/// Changes from executing transactions: `None` deletes the entry.
pub type ChangeSet = BTreeMap<Key, Option<Value>>;
