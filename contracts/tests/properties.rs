//! Model tests (STYLE.md §7, layer 2): random histories of transactions, executed block by
//! block through `build_block` and `validate_block`, checked after every block against a small
//! `BTreeMap` model of the ledger and against the ledger's own invariants:
//!
//! - R-SUP-1: supply is conserved;
//! - balances, treasury, budget, escrow, claims, proposals, redemptions, their idempotency keys
//!   and shop payments equal the model's
//!   (which also predicts every outcome code and which transactions stay out of the block);
//! - R-TX-2: nonces move by exactly one per included transaction and never otherwise;
//! - R-ROOT-1: the incremental root equals the root of the same entries from scratch;
//! - determinism: replaying the decoded blocks from the same start reaches the same roots.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use contracts::block::{self, BlockHeader};
use contracts::codec::{Decode, Encode};
use contracts::crypto::HashKind;
use contracts::primitives::{
    AccountId, Amount, ClaimId, Hash, Height, IdempotencyKey, Nonce, PaymentRef, PayoutRef, ProposalId, RedemptionId,
    Role, RoleSet, TaskId, Timestamp,
};
use contracts::receipt::Outcome;
use contracts::rules::VerifiedTx;
use contracts::state::{ClaimStatus, Key, ProposalStatus, RedemptionStatus, State, TaskStatus};
use contracts::tx::{
    Action, Approve, ApproveWork, CancelTask, ClaimTask, CouncilAction, DefundBudget, Enroll, FundBudget, Pay,
    PostTask, Propose, Redeem, RejectReason, RejectWork, SettleBatch, SettleRedemption, SubmitWork, Transfer, Tx,
    Unenroll,
};
use contracts::{Block, Invalid};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, FileFailurePersistence};

use common::{T0, World, budget, chain_id, id, key, root_from_scratch};

// ---------------------------------------------------------------------------------------------
// The cast: indices into `CAST`.

const C1: usize = 0;
const C2: usize = 1;
const C3: usize = 2;
const TREASURER: usize = 3;
const REGISTRAR: usize = 4;
/// Officer, also enrolled: may try to claim their own task.
const OFFICER: usize = 5;
/// Officer and verifier: may try to review work on their own task.
const OFFVER: usize = 6;
/// Verifier, also enrolled: may try to review their own work.
const VERIFIER: usize = 7;
const MERCHANT: usize = 8;
const R1: usize = 9;
const R2: usize = 10;
const R3: usize = 11;
/// Has coins, not enrolled, no role.
const STRANGER: usize = 12;
/// Has no account until the registrar enrolls it.
const GHOST: usize = 13;
const N: usize = 14;

struct Member {
    roles: &'static [Role],
    enrolled: bool,
    balance: u64,
    exists: bool,
}

const fn m(roles: &'static [Role], enrolled: bool, balance: u64) -> Member {
    Member { roles, enrolled, balance, exists: true }
}

const CAST: [Member; N] = [
    m(&[Role::Council], false, 0),
    m(&[Role::Council], false, 0),
    m(&[Role::Council], false, 0),
    m(&[Role::Treasurer], false, 0),
    m(&[Role::Registrar], false, 0),
    m(&[Role::Officer], true, 0),
    m(&[Role::Officer, Role::Verifier], false, 0),
    m(&[Role::Verifier], true, 100),
    m(&[Role::Merchant], false, 3_000),
    m(&[], true, 5_000),
    m(&[], true, 2_000),
    m(&[], true, 0),
    m(&[], false, 700),
    Member { roles: &[], enrolled: false, balance: 0, exists: false },
];

fn seed(i: usize) -> u8 {
    40 + u8::try_from(i).expect("small cast")
}
fn who(i: usize) -> AccountId {
    id(seed(i))
}

const CHAIN: &str = "heerlen-prop";
const BUDGET: &str = "wijk";
const TTL: u64 = 6_000;
const THRESHOLD: usize = 2;
const TREASURY0: u64 = 100_000;
const BUDGET0: u64 = 20_000;

fn world() -> World {
    let mut w = World::empty();
    w.threshold = THRESHOLD as u8;
    w.ttl_ms = TTL;
    w.treasury = Amount(TREASURY0);
    w.budget(BUDGET, BUDGET0);
    for (i, member) in CAST.iter().enumerate() {
        if member.exists {
            w.account(seed(i), member.balance, member.roles, member.enrolled);
        }
    }
    w
}

// ---------------------------------------------------------------------------------------------
// Operations: what a random history asks for. Ids are picked among those that exist when the
// operation runs (or one past them, which does not exist).

#[derive(Debug, Clone)]
enum Op {
    Transfer {
        from: usize,
        to: usize,
        amount: u64,
    },
    Mint {
        by: usize,
        amount: u64,
    },
    Approve {
        by: usize,
        pick: usize,
    },
    Fund {
        by: usize,
        amount: u64,
    },
    Defund {
        by: usize,
        amount: u64,
    },
    Enroll {
        by: usize,
        whom: usize,
    },
    Unenroll {
        by: usize,
        whom: usize,
    },
    Post {
        by: usize,
        reward: u64,
        slots: u16,
        deadline: i64,
    },
    Claim {
        by: usize,
        pick: usize,
    },
    /// `by: None` is the claim's own worker.
    Submit {
        by: Option<usize>,
        pick: usize,
    },
    ApproveWork {
        by: usize,
        pick: usize,
    },
    RejectWork {
        by: usize,
        pick: usize,
        reason: usize,
    },
    Cancel {
        by: usize,
        pick: usize,
    },
    /// `key` from a small range, so that retries with the same key happen.
    Redeem {
        by: usize,
        amount: u64,
        key: u8,
    },
    Settle {
        by: usize,
        pick: usize,
    },
    SettleBatch {
        by: usize,
        picks: Vec<usize>,
    },
    /// A payment request of `to`, expiring `expires` ms after the block time (before it when
    /// negative), under one of a few references.
    Pay {
        from: usize,
        to: usize,
        amount: u64,
        reference: u8,
        expires: i64,
    },
}

#[derive(Debug, Clone)]
struct Plan {
    /// Block time advance in ms.
    step: u64,
    ops: Vec<Op>,
}

fn anyone() -> BoxedStrategy<usize> {
    (0..N).boxed()
}
/// Mostly one of `usual`, sometimes anyone (to reach the missing-role rejections).
fn mostly(usual: &'static [usize]) -> BoxedStrategy<usize> {
    prop_oneof![4 => proptest::sample::select(usual), 1 => 0..N].boxed()
}
fn amount() -> BoxedStrategy<u64> {
    prop_oneof![1 => Just(0u64), 8 => 1..2_500u64, 1 => 2_500..60_000u64, 1 => 60_000..250_000u64].boxed()
}
fn pick() -> BoxedStrategy<usize> {
    (0..64usize).boxed()
}

fn transfer_op() -> BoxedStrategy<Op> {
    (mostly(&[R1, R2, R3, MERCHANT, STRANGER, VERIFIER]), anyone(), amount())
        .prop_map(|(from, to, amount)| Op::Transfer { from, to, amount })
        .boxed()
}

fn any_op() -> BoxedStrategy<Op> {
    let council: &'static [usize] = &[C1, C2, C3];
    let officers: &'static [usize] = &[OFFICER, OFFVER];
    let verifiers: &'static [usize] = &[VERIFIER, OFFVER];
    Union::new_weighted(vec![
        (4, transfer_op()),
        (2, (mostly(council), amount()).prop_map(|(by, amount)| Op::Mint { by, amount }).boxed()),
        (3, (mostly(council), pick()).prop_map(|(by, pick)| Op::Approve { by, pick }).boxed()),
        (1, (mostly(&[TREASURER]), amount()).prop_map(|(by, amount)| Op::Fund { by, amount }).boxed()),
        (1, (mostly(&[TREASURER]), amount()).prop_map(|(by, amount)| Op::Defund { by, amount }).boxed()),
        (1, (mostly(&[REGISTRAR]), anyone()).prop_map(|(by, whom)| Op::Enroll { by, whom }).boxed()),
        (1, (mostly(&[REGISTRAR]), anyone()).prop_map(|(by, whom)| Op::Unenroll { by, whom }).boxed()),
        (
            3,
            (mostly(officers), prop_oneof![1 => Just(0u64), 6 => 1..3_000u64], 0..=4u16, -2_000..40_000i64)
                .prop_map(|(by, reward, slots, deadline)| Op::Post { by, reward, slots, deadline })
                .boxed(),
        ),
        (5, (mostly(&[R1, R2, R3, VERIFIER, OFFICER]), pick()).prop_map(|(by, pick)| Op::Claim { by, pick }).boxed()),
        (5, (proptest::option::weighted(0.2, anyone()), pick()).prop_map(|(by, pick)| Op::Submit { by, pick }).boxed()),
        (5, (mostly(verifiers), pick()).prop_map(|(by, pick)| Op::ApproveWork { by, pick }).boxed()),
        (
            2,
            (mostly(verifiers), pick(), 0..RejectReason::ALL.len())
                .prop_map(|(by, pick, reason)| Op::RejectWork { by, pick, reason })
                .boxed(),
        ),
        (1, (mostly(officers), pick()).prop_map(|(by, pick)| Op::Cancel { by, pick }).boxed()),
        (
            2,
            (mostly(&[MERCHANT]), prop_oneof![1 => Just(500u64), 3 => amount()], 0..4u8)
                .prop_map(|(by, amount, key)| Op::Redeem { by, amount, key })
                .boxed(),
        ),
        (1, (mostly(&[TREASURER]), pick()).prop_map(|(by, pick)| Op::Settle { by, pick }).boxed()),
        (
            1,
            (mostly(&[TREASURER]), proptest::collection::vec(pick(), 0..=4))
                .prop_map(|(by, picks)| Op::SettleBatch { by, picks })
                .boxed(),
        ),
        (
            2,
            (mostly(&[R1, R2, R3, STRANGER]), mostly(&[MERCHANT]), amount(), 0..3u8, -1_000..5_000i64)
                .prop_map(|(from, to, amount, reference, expires)| Op::Pay { from, to, amount, reference, expires })
                .boxed(),
        ),
    ])
    .boxed()
}

fn history(op: BoxedStrategy<Op>, blocks: usize, ops: usize) -> impl Strategy<Value = Vec<Plan>> {
    proptest::collection::vec(
        (1..=3_000u64, proptest::collection::vec(op, 0..=ops)).prop_map(|(step, ops)| Plan { step, ops }),
        1..=blocks,
    )
}

// ---------------------------------------------------------------------------------------------
// The model.

#[derive(Debug, Clone, PartialEq, Eq)]
struct MAccount {
    balance: u64,
    nonce: u64,
    roles: RoleSet,
    enrolled: bool,
}

#[derive(Debug, Clone)]
struct MProposal {
    amount: u64,
    approvals: BTreeSet<usize>,
    executed: bool,
    expires_at: u64,
}

#[derive(Debug, Clone)]
struct MTask {
    poster: usize,
    reward: u64,
    slots: u16,
    deadline: u64,
    escrow: u64,
    rewarded: u16,
    /// Claims holding a slot, by index into `claims`.
    holders: Vec<usize>,
    cancelled: bool,
}

#[derive(Debug, Clone)]
struct MClaim {
    task: usize,
    worker: usize,
    status: ClaimStatus,
}

#[derive(Debug, Clone)]
struct MRedemption {
    merchant: usize,
    amount: u64,
    settled: bool,
}

/// What the model expects of one candidate transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// Left out of the block: the signer has no account.
    Invalid,
    Accepted,
    Rejected(u16),
}

#[derive(Debug, Clone)]
struct Model {
    accounts: BTreeMap<usize, MAccount>,
    treasury: u64,
    minted: u64,
    burned: u64,
    settled: u64,
    budget: u64,
    proposals: Vec<MProposal>,
    tasks: Vec<MTask>,
    claims: Vec<MClaim>,
    redemptions: Vec<MRedemption>,
    /// Redemption index by merchant and idempotency key.
    redeem_keys: BTreeMap<(usize, u8), usize>,
    /// Payer and amount by shop and reference.
    payments: BTreeMap<(usize, u8), (usize, u64)>,
}

/// Picks an index among `len` things, or `len` itself (one that does not exist). Three times in
/// four it picks among `usable` (things in a state where the action can succeed), so that long
/// happy paths (post, claim, submit, approve) happen often enough to matter.
fn choose(pick: usize, len: usize, usable: &[usize]) -> usize {
    if !pick.is_multiple_of(4) && !usable.is_empty() { usable[(pick / 4) % usable.len()] } else { pick % (len + 1) }
}

fn id_u64(index: usize) -> u64 {
    u64::try_from(index).expect("small") + 1
}

impl Model {
    fn new() -> Self {
        let mut accounts = BTreeMap::new();
        let mut minted = TREASURY0 + BUDGET0;
        for (i, member) in CAST.iter().enumerate() {
            if member.exists {
                let roles = member.roles.iter().copied().collect();
                accounts.insert(i, MAccount { balance: member.balance, nonce: 0, roles, enrolled: member.enrolled });
                minted += member.balance;
            }
        }
        Self {
            accounts,
            treasury: TREASURY0,
            minted,
            burned: 0,
            settled: 0,
            budget: BUDGET0,
            proposals: Vec::new(),
            tasks: Vec::new(),
            claims: Vec::new(),
            redemptions: Vec::new(),
            redeem_keys: BTreeMap::new(),
            payments: BTreeMap::new(),
        }
    }

    fn has(&self, i: usize, role: Role) -> bool {
        self.accounts.get(&i).is_some_and(|a| a.roles.has(role))
    }
    fn require(&self, i: usize, role: Role) -> Result<(), u16> {
        if self.has(i, role) { Ok(()) } else { Err(200) }
    }
    fn balance_mut(&mut self, i: usize) -> &mut u64 {
        &mut self.accounts.get_mut(&i).expect("account exists").balance
    }

    /// Turns `op` into a signer and an action, predicts its outcome and applies it.
    fn step(&mut self, op: &Op, time: u64) -> (usize, Action, Expected) {
        let (signer, action) = self.resolve(op, time);
        if !self.accounts.contains_key(&signer) {
            return (signer, action, Expected::Invalid);
        }
        let expected = match self.apply(signer, &action, time) {
            Ok(()) => Expected::Accepted,
            Err(code) => Expected::Rejected(code),
        };
        self.accounts.get_mut(&signer).expect("signer exists").nonce += 1;
        (signer, action, expected)
    }

    fn resolve(&self, op: &Op, time: u64) -> (usize, Action) {
        match *op {
            Op::Transfer { from, to, amount } => {
                (from, Action::Transfer(Transfer { recipient: who(to), amount: Amount(amount) }))
            }
            Op::Mint { by, amount } => {
                (by, Action::Propose(Propose { action: CouncilAction::Mint { amount: Amount(amount) } }))
            }
            Op::Approve { by, pick } => {
                let usable: Vec<usize> = (0..self.proposals.len())
                    .filter(|p| !self.proposals[*p].executed && self.proposals[*p].expires_at >= time)
                    .collect();
                let p = choose(pick, self.proposals.len(), &usable);
                (by, Action::Approve(Approve { proposal: ProposalId(id_u64(p)) }))
            }
            Op::Fund { by, amount } => {
                (by, Action::FundBudget(FundBudget { budget: budget(BUDGET), amount: Amount(amount) }))
            }
            Op::Defund { by, amount } => {
                (by, Action::DefundBudget(DefundBudget { budget: budget(BUDGET), amount: Amount(amount) }))
            }
            Op::Enroll { by, whom } => (by, Action::Enroll(Enroll { account: who(whom) })),
            Op::Unenroll { by, whom } => (by, Action::Unenroll(Unenroll { account: who(whom) })),
            Op::Post { by, reward, slots, deadline } => {
                let deadline = time.checked_add_signed(deadline).expect("block times are far from zero");
                let action = Action::PostTask(PostTask {
                    budget: budget(BUDGET),
                    reward: Amount(reward),
                    slots,
                    deadline: Timestamp(deadline),
                    description: HashKind::Document.hash(&deadline.to_be_bytes()),
                });
                (by, action)
            }
            Op::Claim { by, pick } => {
                let t = choose(pick, self.tasks.len(), &self.open_tasks(time));
                (by, Action::ClaimTask(ClaimTask { task: TaskId(id_u64(t)) }))
            }
            Op::Submit { by, pick } => {
                let c = choose(pick, self.claims.len(), &self.claims_in(ClaimStatus::Claimed));
                let by = by.unwrap_or_else(|| self.claims.get(c).map_or(R1, |claim| claim.worker));
                let evidence = HashKind::Evidence.hash(&id_u64(c).to_be_bytes());
                (by, Action::SubmitWork(SubmitWork { claim: ClaimId(id_u64(c)), evidence }))
            }
            Op::ApproveWork { by, pick } => {
                let c = choose(pick, self.claims.len(), &self.claims_in(ClaimStatus::Submitted));
                (by, Action::ApproveWork(ApproveWork { claim: ClaimId(id_u64(c)) }))
            }
            Op::RejectWork { by, pick, reason } => {
                let c = choose(pick, self.claims.len(), &self.claims_in(ClaimStatus::Submitted));
                (by, Action::RejectWork(RejectWork { claim: ClaimId(id_u64(c)), reason: RejectReason::ALL[reason] }))
            }
            Op::Cancel { by, pick } => {
                let t = choose(pick, self.tasks.len(), &self.open_tasks(time));
                (by, Action::CancelTask(CancelTask { task: TaskId(id_u64(t)) }))
            }
            Op::Redeem { by, amount, key } => {
                (by, Action::Redeem(Redeem { amount: Amount(amount), key: IdempotencyKey([key; 16]) }))
            }
            Op::Settle { by, pick } => {
                let pending: Vec<usize> =
                    (0..self.redemptions.len()).filter(|r| !self.redemptions[*r].settled).collect();
                let r = choose(pick, self.redemptions.len(), &pending);
                let reference = PayoutRef::new(&format!("HLN-{}", id_u64(r))).expect("valid reference");
                (by, Action::SettleRedemption(SettleRedemption { redemption: RedemptionId(id_u64(r)), reference }))
            }
            Op::SettleBatch { by, ref picks } => {
                let pending: Vec<usize> =
                    (0..self.redemptions.len()).filter(|r| !self.redemptions[*r].settled).collect();
                let redemptions =
                    picks.iter().map(|p| RedemptionId(id_u64(choose(*p, self.redemptions.len(), &pending)))).collect();
                let reference = PayoutRef::new(&format!("HLN-BATCH-{time}")).expect("valid reference");
                (by, Action::SettleBatch(SettleBatch { reference, redemptions }))
            }
            Op::Pay { from, to, amount, reference, expires } => {
                let expires_at = time.checked_add_signed(expires).expect("block times are far from zero");
                let action = Action::Pay(Pay {
                    merchant: who(to),
                    amount: Amount(amount),
                    reference: payment_ref(reference),
                    expires_at: Timestamp(expires_at),
                    till: None,
                });
                (from, action)
            }
        }
    }

    fn open_tasks(&self, time: u64) -> Vec<usize> {
        (0..self.tasks.len()).filter(|t| !self.tasks[*t].cancelled && self.tasks[*t].deadline > time).collect()
    }

    fn claims_in(&self, status: ClaimStatus) -> Vec<usize> {
        (0..self.claims.len()).filter(|c| self.claims[*c].status == status).collect()
    }

    fn index_of(whom: &AccountId) -> Option<usize> {
        (0..N).find(|i| who(*i) == *whom)
    }

    /// The rules, written again as plainly as possible. `Err` is the rejection code.
    fn apply(&mut self, by: usize, action: &Action, time: u64) -> Result<(), u16> {
        match action {
            Action::Transfer(t) => {
                let amount = t.amount.0;
                let to = Self::index_of(&t.recipient).expect("recipients are in the cast");
                if amount == 0 {
                    return Err(102);
                }
                if to == by {
                    return Err(103);
                }
                if !self.accounts.get(&to).is_some_and(|a| a.enrolled || !a.roles.is_empty()) {
                    return Err(104);
                }
                if self.accounts[&by].balance < amount {
                    return Err(100);
                }
                *self.balance_mut(by) -= amount;
                *self.balance_mut(to) += amount;
            }
            Action::Propose(p) => {
                self.require(by, Role::Council)?;
                let CouncilAction::Mint { amount } = p.action else { unreachable!("only mints are generated") };
                if amount.0 == 0 {
                    return Err(102);
                }
                self.proposals.push(MProposal {
                    amount: amount.0,
                    approvals: BTreeSet::from([by]),
                    executed: false,
                    expires_at: time + TTL,
                });
            }
            Action::Approve(a) => {
                self.require(by, Role::Council)?;
                let index = usize::try_from(a.proposal.0).expect("small") - 1;
                let Some(p) = self.proposals.get_mut(index) else { return Err(300) };
                if p.executed {
                    return Err(301);
                }
                if time > p.expires_at {
                    return Err(302);
                }
                if !p.approvals.insert(by) {
                    return Err(303);
                }
                if p.approvals.len() >= THRESHOLD {
                    p.executed = true;
                    let amount = p.amount;
                    self.minted += amount;
                    self.treasury += amount;
                }
            }
            Action::FundBudget(f) => {
                self.require(by, Role::Treasurer)?;
                let amount = f.amount.0;
                if amount == 0 {
                    return Err(102);
                }
                if self.treasury < amount {
                    return Err(400);
                }
                self.treasury -= amount;
                self.budget += amount;
            }
            Action::DefundBudget(d) => {
                self.require(by, Role::Treasurer)?;
                let amount = d.amount.0;
                if amount == 0 {
                    return Err(102);
                }
                if self.budget < amount {
                    return Err(402);
                }
                self.budget -= amount;
                self.treasury += amount;
            }
            Action::Enroll(e) => {
                self.require(by, Role::Registrar)?;
                let whom = Self::index_of(&e.account).expect("in the cast");
                let account = self.accounts.entry(whom).or_insert(MAccount {
                    balance: 0,
                    nonce: 0,
                    roles: RoleSet::EMPTY,
                    enrolled: false,
                });
                if account.enrolled {
                    return Err(500);
                }
                account.enrolled = true;
            }
            Action::Unenroll(u) => {
                self.require(by, Role::Registrar)?;
                let whom = Self::index_of(&u.account).expect("in the cast");
                match self.accounts.get_mut(&whom) {
                    Some(account) if account.enrolled => account.enrolled = false,
                    _ => return Err(501),
                }
            }
            Action::PostTask(p) => {
                self.require(by, Role::Officer)?;
                if p.reward.0 == 0 {
                    return Err(102);
                }
                if p.slots == 0 || p.slots > 1000 {
                    return Err(600);
                }
                if p.deadline.0 <= time {
                    return Err(601);
                }
                let escrow = p.reward.0 * u64::from(p.slots);
                if self.budget < escrow {
                    return Err(402);
                }
                self.budget -= escrow;
                self.tasks.push(MTask {
                    poster: by,
                    reward: p.reward.0,
                    slots: p.slots,
                    deadline: p.deadline.0,
                    escrow,
                    rewarded: 0,
                    holders: Vec::new(),
                    cancelled: false,
                });
            }
            Action::ClaimTask(c) => {
                if !self.accounts.get(&by).is_some_and(|a| a.enrolled) {
                    return Err(201);
                }
                let t = usize::try_from(c.task.0).expect("small") - 1;
                let Some(task) = self.tasks.get(t) else { return Err(602) };
                if task.cancelled {
                    return Err(603);
                }
                if time >= task.deadline {
                    return Err(604);
                }
                if task.poster == by {
                    return Err(607);
                }
                if task.holders.iter().any(|h| self.claims[*h].worker == by) {
                    return Err(606);
                }
                if task.holders.len() >= usize::from(task.slots) {
                    return Err(605);
                }
                let claim = self.claims.len();
                self.claims.push(MClaim { task: t, worker: by, status: ClaimStatus::Claimed });
                self.tasks[t].holders.push(claim);
            }
            Action::SubmitWork(s) => {
                let c = usize::try_from(s.claim.0).expect("small") - 1;
                let Some(claim) = self.claims.get(c) else { return Err(608) };
                if claim.worker != by {
                    return Err(609);
                }
                if claim.status != ClaimStatus::Claimed {
                    return Err(610);
                }
                let task = &self.tasks[claim.task];
                if task.cancelled {
                    return Err(603);
                }
                if time >= task.deadline {
                    return Err(604);
                }
                self.claims[c].status = ClaimStatus::Submitted;
            }
            Action::ApproveWork(ApproveWork { claim }) | Action::RejectWork(RejectWork { claim, .. }) => {
                self.require(by, Role::Verifier)?;
                let c = usize::try_from(claim.0).expect("small") - 1;
                let Some(found) = self.claims.get(c) else { return Err(608) };
                if found.status != ClaimStatus::Submitted {
                    return Err(610);
                }
                if found.worker == by {
                    return Err(611);
                }
                let (t, worker) = (found.task, found.worker);
                if self.tasks[t].poster == by {
                    return Err(612);
                }
                if self.tasks[t].cancelled {
                    return Err(603);
                }
                if matches!(action, Action::ApproveWork(_)) {
                    let reward = self.tasks[t].reward;
                    self.tasks[t].escrow -= reward;
                    self.tasks[t].rewarded += 1;
                    *self.balance_mut(worker) += reward;
                    self.claims[c].status = ClaimStatus::Approved;
                } else {
                    self.tasks[t].holders.retain(|h| *h != c);
                    self.claims[c].status = ClaimStatus::Rejected;
                }
            }
            Action::CancelTask(c) => {
                self.require(by, Role::Officer)?;
                let t = usize::try_from(c.task.0).expect("small") - 1;
                let Some(task) = self.tasks.get_mut(t) else { return Err(602) };
                if task.poster != by {
                    return Err(613);
                }
                if task.cancelled {
                    return Err(603);
                }
                task.cancelled = true;
                self.budget += std::mem::take(&mut task.escrow);
                for h in task.holders.clone() {
                    if matches!(self.claims[h].status, ClaimStatus::Claimed | ClaimStatus::Submitted) {
                        self.claims[h].status = ClaimStatus::Cancelled;
                    }
                }
            }
            Action::Redeem(r) => {
                let key = (by, r.key.0[0]);
                if let Some(&original) = self.redeem_keys.get(&key) {
                    // R-RED-3: a retry burns nothing; another amount under the key is refused.
                    return if self.redemptions[original].amount == r.amount.0 { Ok(()) } else { Err(703) };
                }
                self.require(by, Role::Merchant)?;
                if r.amount.0 == 0 {
                    return Err(102);
                }
                if self.accounts[&by].balance < r.amount.0 {
                    return Err(100);
                }
                *self.balance_mut(by) -= r.amount.0;
                self.burned += r.amount.0;
                self.redeem_keys.insert(key, self.redemptions.len());
                self.redemptions.push(MRedemption { merchant: by, amount: r.amount.0, settled: false });
            }
            Action::SettleBatch(b) => {
                self.require(by, Role::Treasurer)?;
                if b.redemptions.is_empty() {
                    return Err(705);
                }
                let mut batch = Vec::new();
                for id in &b.redemptions {
                    let r = usize::try_from(id.0).expect("small") - 1;
                    if batch.contains(&r) {
                        return Err(704);
                    }
                    match self.redemptions.get(r) {
                        None => return Err(700),
                        Some(redemption) if redemption.settled => return Err(701),
                        Some(_) => batch.push(r),
                    }
                }
                for r in batch {
                    self.redemptions[r].settled = true;
                    self.settled += self.redemptions[r].amount;
                }
            }
            Action::Pay(p) => {
                let to = Self::index_of(&p.merchant).expect("shops are in the cast");
                let amount = p.amount.0;
                let reference = (to, p.reference.as_str().as_bytes()[4] - b'0');
                if amount == 0 {
                    return Err(102);
                }
                if to == by {
                    return Err(103);
                }
                if !self.has(to, Role::Merchant) {
                    return Err(800);
                }
                if time > p.expires_at.0 {
                    return Err(801);
                }
                if self.payments.contains_key(&reference) {
                    return Err(803);
                }
                if self.accounts[&by].balance < amount {
                    return Err(100);
                }
                *self.balance_mut(by) -= amount;
                *self.balance_mut(to) += amount;
                self.payments.insert(reference, (by, amount));
            }
            Action::LinkTill(_) | Action::UnlinkTill(_) => unreachable!("tills are covered by the rule tables"),
            Action::SettleRedemption(s) => {
                self.require(by, Role::Treasurer)?;
                let r = usize::try_from(s.redemption.0).expect("small") - 1;
                let Some(redemption) = self.redemptions.get_mut(r) else { return Err(700) };
                if redemption.settled {
                    return Err(701);
                }
                redemption.settled = true;
                self.settled += redemption.amount;
            }
        }
        Ok(())
    }

    /// Every figure of the ledger state equals the model's.
    fn matches(&self, state: &State) -> Result<(), TestCaseError> {
        for i in 0..N {
            let got = state.account(&who(i)).map(|a| MAccount {
                balance: a.balance.0,
                nonce: a.nonce.0,
                roles: a.roles,
                enrolled: a.enrolled,
            });
            prop_assert_eq!(got.as_ref(), self.accounts.get(&i), "account {}", i);
        }
        prop_assert_eq!(state.accounts().count(), self.accounts.len(), "no accounts outside the cast");
        let g = state.globals().cloned().expect("globals");
        prop_assert_eq!(
            (g.treasury.0, g.minted.0, g.burned.0, g.settled.0),
            (self.treasury, self.minted, self.burned, self.settled),
            "treasury, minted, burned, settled"
        );
        prop_assert_eq!(state.budget(&budget(BUDGET)).map(|b| b.balance.0), Some(self.budget), "budget");
        prop_assert_eq!(state.budgets().count(), 1, "one budget");
        prop_assert_eq!(
            (g.next_proposal.0, g.next_task.0, g.next_claim.0, g.next_redemption.0),
            (
                id_u64(self.proposals.len()),
                id_u64(self.tasks.len()),
                id_u64(self.claims.len()),
                id_u64(self.redemptions.len())
            ),
            "id counters"
        );
        prop_assert_eq!(state.proposals().count(), self.proposals.len());
        for (i, p) in self.proposals.iter().enumerate() {
            let got = state.proposal(ProposalId(id_u64(i))).expect("proposal exists");
            let status = if p.executed { ProposalStatus::Executed } else { ProposalStatus::Open };
            let approvals: Vec<AccountId> = {
                let mut ids: Vec<AccountId> = p.approvals.iter().map(|a| who(*a)).collect();
                ids.sort();
                ids
            };
            prop_assert_eq!((got.status, &got.approvals), (status, &approvals), "proposal {}", i + 1);
            prop_assert_eq!(got.expires_at, Timestamp(p.expires_at));
        }
        prop_assert_eq!(state.tasks().count(), self.tasks.len());
        for (i, t) in self.tasks.iter().enumerate() {
            let got = state.task(TaskId(id_u64(i))).expect("task exists");
            let status = if t.cancelled { TaskStatus::Cancelled } else { TaskStatus::Open };
            let holders: Vec<ClaimId> = t.holders.iter().map(|h| ClaimId(id_u64(*h))).collect();
            prop_assert_eq!(got.poster, who(t.poster), "task {} poster", i + 1);
            prop_assert_eq!((got.reward.0, got.slots, got.deadline.0), (t.reward, t.slots, t.deadline));
            prop_assert_eq!(
                (got.escrow.0, got.rewarded, got.status, &got.claims),
                (t.escrow, t.rewarded, status, &holders),
                "task {}",
                i + 1
            );
            if !t.cancelled {
                prop_assert_eq!(t.escrow, t.reward * u64::from(t.slots - t.rewarded), "escrow covers unpaid slots");
            }
        }
        prop_assert_eq!(state.claims().count(), self.claims.len());
        for (i, c) in self.claims.iter().enumerate() {
            let got = state.claim(ClaimId(id_u64(i))).expect("claim exists");
            prop_assert_eq!(
                (got.task, got.worker, got.status),
                (TaskId(id_u64(c.task)), who(c.worker), c.status),
                "claim {}",
                i + 1
            );
        }
        prop_assert_eq!(state.redemptions().count(), self.redemptions.len());
        for (i, r) in self.redemptions.iter().enumerate() {
            let got = state.redemption(RedemptionId(id_u64(i))).expect("redemption exists");
            let status = if r.settled { RedemptionStatus::Settled } else { RedemptionStatus::Pending };
            prop_assert_eq!((got.merchant, got.amount.0, got.status), (who(r.merchant), r.amount, status));
        }
        let keys = state.entries().filter(|(k, _)| matches!(k, Key::RedeemKey(..))).count();
        prop_assert_eq!(keys, self.redeem_keys.len(), "one idempotency key per redemption");
        for (&(merchant, key), &r) in &self.redeem_keys {
            prop_assert_eq!(
                state.redeem_key(&who(merchant), &IdempotencyKey([key; 16])),
                Some(RedemptionId(id_u64(r)))
            );
        }
        let payments = state.entries().filter(|(k, _)| matches!(k, Key::Payment(..))).count();
        prop_assert_eq!(payments, self.payments.len(), "one record per paid reference");
        for (&(shop, reference), &(payer, amount)) in &self.payments {
            let got = state.payment(&who(shop), &payment_ref(reference)).expect("payment recorded");
            prop_assert_eq!((got.payer, got.amount.0), (who(payer), amount));
        }
        Ok(())
    }
}

/// The reference `ORD-n` of a model payment.
fn payment_ref(n: u8) -> PaymentRef {
    PaymentRef::new(&format!("ORD-{n}")).expect("valid reference")
}

// ---------------------------------------------------------------------------------------------
// Running a history.

fn genesis_header(state: &State) -> BlockHeader {
    BlockHeader {
        chain_id: chain_id(CHAIN),
        height: Height(0),
        parent: Hash::ZERO,
        time: Timestamp(T0),
        proposer: who(C1),
        tx_count: 0,
        tx_root: block::tx_root(&[]),
        receipt_root: block::receipt_root(&[]),
        state_root: state.root(),
    }
}

fn nonces(state: &State) -> BTreeMap<AccountId, u64> {
    state.accounts().map(|(a, acc)| (*a, acc.nonce.0)).collect()
}

/// Builds and checks every block of `plans`; returns the encoded blocks and the state root
/// after each.
fn run_history(plans: &[Plan]) -> Result<(Vec<Vec<u8>>, Vec<Hash>), TestCaseError> {
    let chain = chain_id(CHAIN);
    let mut state = world().state();
    prop_assert!(state.supply().is_conserved());
    let mut parent = genesis_header(&state);
    let mut model = Model::new();
    model.matches(&state)?;
    let mut time = T0;
    let mut encoded = Vec::new();
    let mut roots = Vec::new();
    for plan in plans {
        time += plan.step;
        let mut candidates = Vec::new();
        let mut expected = Vec::new();
        for op in &plan.ops {
            let (signer, action, outcome) = model.step(op, time);
            let nonce = if outcome == Expected::Invalid { 0 } else { model.accounts[&signer].nonce - 1 };
            let tx = Tx { chain_id: chain.clone(), signer: who(signer), nonce: Nonce(nonce), action };
            candidates.push(VerifiedTx::verify(tx.sign(&key(seed(signer)))).expect("signed correctly"));
            expected.push(outcome);
        }
        let before = nonces(&state);
        let (block, executed, dropped) = block::build_block(&state, &parent, Timestamp(time), who(C1), candidates);

        // The model predicts what stays out and what each included tx does.
        let invalid = expected.iter().filter(|e| **e == Expected::Invalid).count();
        prop_assert_eq!(dropped.len(), invalid, "dropped txs");
        for (_, reason) in &dropped {
            prop_assert_eq!(reason, &Invalid::UnknownSigner(who(GHOST)));
        }
        let included: Vec<Expected> = expected.iter().copied().filter(|e| *e != Expected::Invalid).collect();
        let got: Vec<Expected> = executed
            .receipts
            .iter()
            .map(|r| match &r.outcome {
                Outcome::Accepted { .. } => Expected::Accepted,
                Outcome::Rejected { code, .. } => Expected::Rejected(*code),
            })
            .collect();
        prop_assert_eq!(&got, &included, "outcomes of block {}", block.header.height.0);
        prop_assert_eq!(block.txs.len(), included.len());

        // Other validators accept the block as sent over the wire.
        let wire = block.to_bytes();
        let received = Block::from_bytes(&wire).expect("a built block decodes");
        prop_assert_eq!(&received, &block);
        let verified: Vec<VerifiedTx> =
            received.txs.iter().map(|tx| VerifiedTx::verify(tx.clone()).expect("verifies")).collect();
        let validated = block::validate_block(&state, &parent, &received, &verified).expect("a built block validates");
        prop_assert_eq!(&validated.changes, &executed.changes);
        prop_assert_eq!(&validated.receipts, &executed.receipts);

        state.apply(executed.changes);

        prop_assert_eq!(state.root(), block.header.state_root, "applied root equals the header's");
        prop_assert_eq!(root_from_scratch(&state), state.root(), "incremental root equals root from scratch");
        prop_assert!(state.supply().is_conserved(), "supply {:?}", state.supply());

        // R-TX-2: one nonce step per included tx, nothing for anything else.
        let mut per_signer: BTreeMap<AccountId, u64> = BTreeMap::new();
        for tx in &block.txs {
            *per_signer.entry(tx.tx.signer).or_default() += 1;
        }
        for (account, nonce) in nonces(&state) {
            let old = before.get(&account).copied().unwrap_or(0);
            prop_assert_eq!(nonce, old + per_signer.get(&account).copied().unwrap_or(0), "nonce of {:?}", account);
        }

        model.matches(&state)?;
        encoded.push(wire);
        roots.push(state.root());
        parent = block.header;
    }
    Ok((encoded, roots))
}

/// Replays encoded blocks from the same start, as a second validator would.
fn replay(encoded: &[Vec<u8>]) -> Vec<Hash> {
    let mut state = world().state();
    let mut parent = genesis_header(&state);
    let mut roots = Vec::new();
    for bytes in encoded {
        let block = Block::from_bytes(bytes).expect("decodes");
        let txs: Vec<VerifiedTx> =
            block.txs.iter().map(|tx| VerifiedTx::verify(tx.clone()).expect("verifies")).collect();
        let executed = block::validate_block(&state, &parent, &block, &txs).expect("validates on replay");
        state.apply(executed.changes);
        roots.push(state.root());
        parent = block.header;
    }
    roots
}

/// `cases` random histories, or `PROPTEST_CASES` of them when set.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(Box::leak(
            format!("{}/proptest-regressions/properties.txt", manifest_dir().display()).into_boxed_str(),
        )))),
        ..Config::default()
    }
}

fn check_history(plans: &[Plan]) -> Result<(), TestCaseError> {
    let (encoded, roots) = run_history(plans)?;
    prop_assert_eq!(replay(&encoded), roots, "replaying the same blocks reaches the same roots");
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    /// Random histories of every action keep every invariant and match the model.
    #[test]
    fn r_sup_1_random_histories_match_the_model(plans in history(any_op(), 12, 10)) {
        check_history(&plans)?;
    }

    /// Many transfers per block: balances follow a plain map of balances.
    #[test]
    fn r_pay_transfers_match_a_balance_map(plans in history(transfer_op(), 8, 20)) {
        check_history(&plans)?;
    }
}

proptest! {
    #![proptest_config(config(1_000))]

    /// The same, many more histories. Nightly: `cargo test -p contracts -- --ignored _slow`.
    #[test]
    #[ignore = "slow: nightly runs the _slow tests"]
    fn r_sup_1_random_histories_match_the_model_slow(plans in history(any_op(), 24, 12)) {
        check_history(&plans)?;
    }

    /// The same, many more histories. Nightly: `cargo test -p contracts -- --ignored _slow`.
    #[test]
    #[ignore = "slow: nightly runs the _slow tests"]
    fn r_pay_transfers_match_a_balance_map_slow(plans in history(transfer_op(), 16, 32)) {
        check_history(&plans)?;
    }
}

/// The generators reach the interesting outcomes: a model test that only ever sees rejections
/// for a missing role would prove little.
#[test]
fn the_generators_reach_accepted_and_rejected_outcomes_of_every_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = history(any_op(), 12, 10);
    let mut accepted: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut codes = BTreeSet::new();
    for _ in 0..300 {
        let plans = strategy.new_tree(&mut runner).expect("generates").current();
        let mut model = Model::new();
        let mut time = T0;
        for plan in &plans {
            time += plan.step;
            for op in &plan.ops {
                let (_, action, outcome) = model.step(op, time);
                match outcome {
                    Expected::Accepted => *accepted.entry(action.name()).or_default() += 1,
                    Expected::Rejected(code) => {
                        codes.insert(code);
                    }
                    Expected::Invalid => {}
                }
            }
        }
    }
    // Every action but the till links, which the rule tables cover.
    assert_eq!(accepted.len(), 17, "every action is accepted somewhere: {accepted:?}");
    // The end of the longest happy path (post, claim, submit, review) must be common enough.
    for name in ["approve_work", "reject_work", "cancel_task", "settle_redemption", "approve", "settle_batch", "pay"] {
        assert!(accepted[name] >= 10, "{name} is accepted too rarely to be tested: {accepted:?}");
    }
    for code in [
        100, 102, 103, 104, 200, 201, 300, 301, 302, 303, 400, 402, 500, 501, 600, 601, 602, 603, 604, 605, 606, 607,
        608, 609, 610, 611, 612, 613, 700, 701, 703, 704, 705, 800, 801, 803,
    ] {
        assert!(codes.contains(&code), "no generated history produces rejection {code}; reached {codes:?}");
    }
}

/// This crate's directory. `cargo test` sets `CARGO_MANIFEST_DIR` when it runs the test, which
/// stays right when a shared target directory holds a binary built from another checkout.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}
