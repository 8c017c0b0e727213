//! Rule tables (STYLE.md §7, layer 1): every action, every rejection it can produce, and the
//! envelope errors that keep a transaction out of a block.
//!
//! Each [`Case`] starts from a small genesis-like world, runs transactions one per block and
//! checks each outcome. A failure names its case. For every rejection the runner also checks
//! R-TX-5: only the signer's nonce moved, and the state root equals the root of the old state
//! with just that nonce bumped, computed from scratch.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use contracts::block::{self, BlockError, BlockHeader, CertError, CommitCert};
use contracts::crypto::{HashKind, SignatureError};
use contracts::primitives::{
    AccountId, Amount, ClaimId, Hash, Height, IdempotencyKey, Nonce, PaymentRef, PayoutRef, ProposalId, RedemptionId,
    Role, TaskId, Timestamp, WorkOrderRef,
};
use contracts::receipt::{Event, Outcome};
use contracts::rules::{VerifiedTx, execute};
use contracts::state::{
    BlockContext, ChangeSet, Claim, ClaimStatus, Globals, Key, MAX_COUNCIL, MAX_SLOTS, MAX_TILLS, MAX_VALIDATOR_POWER,
    MAX_VALIDATORS, Overlay, PaymentRecord, Proposal, ProposalStatus, Redemption, RedemptionStatus, State, Task,
    TaskStatus, VALIDATOR_CHANGE_DELAY, Value,
};
use contracts::tx::{
    Action, Approve, ApproveWork, CancelTask, ClaimTask, CouncilAction, DefundBudget, Enroll, FundBudget, LinkTill,
    MAX_SETTLE_BATCH, ObjectToWork, OpenTask, Pay, PostTask, Propose, Redeem, RejectReason, RejectWork,
    ResolveObjection, SettleBatch, SettleRedemption, SignedTx, SubmitWork, Transfer, Tx, Unenroll, UnlinkTill,
};
use contracts::{Invalid, Rejection};

use common::{DAY, SECOND, T0, VALIDATORS, World, budget, chain_id, entries_of, id, key, root_from_scratch};

// ---------------------------------------------------------------------------------------------
// The cast. Seeds of the fixed keys.

const C1: u8 = 1;
const C2: u8 = 2;
const C3: u8 = 3;
const TREASURER: u8 = 4;
const REGISTRAR: u8 = 5;
const OFFICER: u8 = 6;
const VERIFIER: u8 = 7;
const MERCHANT: u8 = 8;
const ALICE: u8 = 9;
const BOB: u8 = 10;
const CAROL: u8 = 11;
/// Has an account and coins, but is not enrolled and holds no role.
const DAVE: u8 = 12;
/// Has no account at all.
const NOBODY: u8 = 13;
/// An officer who is also a verifier.
const OFFICER2: u8 = 14;
/// A second shop, added by [`Case::shops`].
const SHOP2: u8 = 15;
/// A fresh till key without an account.
const TILL: u8 = 16;
/// An empty account (no coins, role or enrolment), added by [`Case::shops`]: it may become a
/// till and can still sign.
const EMPTY: u8 = 17;
/// Third and fourth verifiers, so that 2-of-3 draws have a choice.
const V3: u8 = 18;
const V4: u8 = 19;
/// The objection window of the standard world.
const WINDOW: u64 = 2 * DAY;

const GRASBROEK: &str = "grasbroek";
const CHAIN: &str = "heerlen-test";

/// Three council members (threshold 2), one holder of every other role, three enrolled
/// residents, one unenrolled account, a treasury of 10 000.00 and a budget of 1 000.00.
fn standard_world() -> World {
    let mut w = World::empty();
    w.threshold = 2;
    w.treasury = Amount(1_000_000);
    w.budget(GRASBROEK, 100_000)
        .account(C1, 0, &[Role::Council], false)
        .account(C2, 0, &[Role::Council], false)
        .account(C3, 0, &[Role::Council], false)
        .account(TREASURER, 0, &[Role::Treasurer], false)
        .account(REGISTRAR, 0, &[Role::Registrar], false)
        .account(OFFICER, 0, &[Role::Officer], false)
        .account(OFFICER2, 0, &[Role::Officer, Role::Verifier], false)
        .account(VERIFIER, 0, &[Role::Verifier], false)
        .account(V3, 0, &[Role::Verifier], false)
        .account(V4, 0, &[Role::Verifier], false)
        .account(MERCHANT, 5_000, &[Role::Merchant], false)
        .account(ALICE, 10_000, &[], true)
        .account(BOB, 2_000, &[], true)
        .account(CAROL, 0, &[], true)
        .account(DAVE, 500, &[], false);
    w
}

/// What the standard world has minted.
fn minted0() -> u64 {
    standard_world().globals().minted.0
}

// ---------------------------------------------------------------------------------------------
// Actions.

fn pay(to: u8, cents: u64) -> Action {
    Action::Transfer(Transfer { recipient: id(to), amount: Amount(cents) })
}
fn propose(action: CouncilAction) -> Action {
    Action::Propose(Propose { action })
}
fn mint(cents: u64) -> Action {
    propose(CouncilAction::Mint { amount: Amount(cents) })
}
fn grant(who: u8, role: Role) -> Action {
    propose(CouncilAction::GrantRole { account: id(who), role })
}
fn revoke(who: u8, role: Role) -> Action {
    propose(CouncilAction::RevokeRole { account: id(who), role })
}
fn set_threshold(threshold: u8) -> Action {
    propose(CouncilAction::SetThreshold { threshold })
}
fn add_validator(seed: u8, power: u64) -> Action {
    propose(CouncilAction::AddValidator { key: id(seed), power })
}
fn remove_validator(seed: u8) -> Action {
    propose(CouncilAction::RemoveValidator { key: id(seed) })
}
fn rotate_validator(old: u8, new: u8) -> Action {
    propose(CouncilAction::RotateValidatorKey { old: id(old), new: id(new) })
}
fn approve(proposal: u64) -> Action {
    Action::Approve(Approve { proposal: ProposalId(proposal) })
}
fn fund(code: &str, cents: u64) -> Action {
    Action::FundBudget(FundBudget { budget: budget(code), amount: Amount(cents) })
}
fn defund(code: &str, cents: u64) -> Action {
    Action::DefundBudget(DefundBudget { budget: budget(code), amount: Amount(cents) })
}
fn enroll(who: u8) -> Action {
    Action::Enroll(Enroll { account: id(who) })
}
fn unenroll(who: u8) -> Action {
    Action::Unenroll(Unenroll { account: id(who) })
}
fn description() -> Hash {
    HashKind::Document.hash(b"zwerfafval prikken in het Aambos")
}
fn evidence(n: u8) -> Hash {
    HashKind::Evidence.hash(&[n; 40])
}
/// A task on `code` whose deadline is `deadline` ms after T0.
fn post(code: &str, reward: u64, slots: u16, deadline: u64) -> Action {
    Action::PostTask(PostTask {
        budget: budget(code),
        reward: Amount(reward),
        slots,
        deadline: Timestamp(T0 + deadline),
        description: description(),
        work_order: WorkOrderRef::new("BOR-2026-0142").expect("valid"),
        approvals: 1,
        reviewers: 1,
        draft: false,
    })
}
/// A task of `slots` slots on grasbroek due a day after T0, reviewed `k` of `n`.
fn task_k_of_n(reward: u64, slots: u16, k: u8, n: u8) -> Action {
    let Action::PostTask(mut p) = task(reward, slots) else { unreachable!() };
    p.approvals = k;
    p.reviewers = n;
    Action::PostTask(p)
}
/// A draft task (no escrow until opened).
fn draft(reward: u64, slots: u16) -> Action {
    let Action::PostTask(mut p) = task(reward, slots) else { unreachable!() };
    p.draft = true;
    Action::PostTask(p)
}
fn open(task: u64) -> Action {
    Action::OpenTask(OpenTask { task: TaskId(task) })
}
fn object(claim: u64, reason: RejectReason) -> Action {
    Action::ObjectToWork(ObjectToWork { claim: ClaimId(claim), reason })
}
fn resolve(claim: u64, uphold: bool) -> Action {
    Action::ResolveObjection(ResolveObjection { claim: ClaimId(claim), uphold })
}
fn first_reviewer(s: &State) -> u8 {
    drawn(s, 1, 0)
}
fn second_reviewer(s: &State) -> u8 {
    drawn(s, 1, 1)
}
fn third_reviewer(s: &State) -> u8 {
    drawn(s, 1, 2)
}
fn outsider(s: &State) -> u8 {
    not_drawn(s, 1)
}
/// A task on the grasbroek budget, due a day after T0.
fn task(reward: u64, slots: u16) -> Action {
    post(GRASBROEK, reward, slots, DAY)
}
fn claim(task: u64) -> Action {
    Action::ClaimTask(ClaimTask { task: TaskId(task) })
}
fn submit(claim: u64) -> Action {
    Action::SubmitWork(SubmitWork {
        claim: ClaimId(claim),
        evidence: evidence(claim as u8),
        retain_until: Timestamp(T0 + 365 * DAY),
    })
}
fn approve_work(claim: u64) -> Action {
    Action::ApproveWork(ApproveWork { claim: ClaimId(claim) })
}
fn reject_work(claim: u64, reason: RejectReason) -> Action {
    Action::RejectWork(RejectWork { claim: ClaimId(claim), reason })
}
fn cancel(task: u64) -> Action {
    Action::CancelTask(CancelTask { task: TaskId(task) })
}
/// A redemption whose idempotency key follows from its amount: distinct amounts, distinct keys.
fn redeem(cents: u64) -> Action {
    let mut key = [0; 16];
    key[8..].copy_from_slice(&cents.to_be_bytes());
    Action::Redeem(Redeem { amount: Amount(cents), key: IdempotencyKey(key) })
}
/// A redemption with the idempotency key `[n; 16]`.
fn redeem_keyed(cents: u64, n: u8) -> Action {
    Action::Redeem(Redeem { amount: Amount(cents), key: IdempotencyKey([n; 16]) })
}
fn payout_ref(text: &str) -> PayoutRef {
    PayoutRef::new(text).expect("test payout references are valid")
}
fn settle(redemption: u64, reference: &str) -> Action {
    Action::SettleRedemption(SettleRedemption {
        redemption: RedemptionId(redemption),
        reference: payout_ref(reference),
    })
}
fn settle_batch(redemptions: &[u64], reference: &str) -> Action {
    Action::SettleBatch(SettleBatch {
        reference: payout_ref(reference),
        redemptions: redemptions.iter().copied().map(RedemptionId).collect(),
    })
}
fn set_fee(cents: u64) -> Action {
    propose(CouncilAction::SetRedemptionFee { fee: Amount(cents) })
}
fn set_minimum(cents: u64) -> Action {
    propose(CouncilAction::SetRedemptionMinimum { min: Amount(cents) })
}
fn order(text: &str) -> PaymentRef {
    PaymentRef::new(text).expect("test payment references are valid")
}
/// A payment request of `shop` for `cents` under `reference`, expiring `expires` ms after T0,
/// shown by `till`.
fn pay_request(shop: u8, cents: u64, reference: &str, expires: u64, till: Option<u8>) -> Action {
    Action::Pay(Pay {
        merchant: id(shop),
        amount: Amount(cents),
        reference: order(reference),
        expires_at: Timestamp(T0 + expires),
        till: till.map(id),
    })
}
/// A request of the demo shop, valid for a day, shown by no till.
fn shop_pay(cents: u64, reference: &str) -> Action {
    pay_request(MERCHANT, cents, reference, DAY, None)
}
fn link(till: u8) -> Action {
    Action::LinkTill(LinkTill { till: id(till) })
}
fn unlink(till: u8) -> Action {
    Action::UnlinkTill(UnlinkTill { till: id(till) })
}

// ---------------------------------------------------------------------------------------------
// Reading the state in checks.

fn eq<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, want {want:?}")) }
}
fn bal(s: &State, who: u8) -> u64 {
    s.account(&id(who)).map_or(0, |a| a.balance.0)
}
fn nonce_of(s: &State, who: u8) -> u64 {
    s.account(&id(who)).map_or(0, |a| a.nonce.0)
}
fn has_role(s: &State, who: u8, role: Role) -> bool {
    s.account(&id(who)).is_some_and(|a| a.roles.has(role))
}
fn enrolled(s: &State, who: u8) -> bool {
    s.account(&id(who)).is_some_and(|a| a.enrolled)
}
/// The validator set that decides `height`, as (seed-free) keys with power, in key order.
fn set_at(s: &State, height: u64) -> Result<Vec<(AccountId, u64)>, String> {
    let schedule = s.validators().ok_or("no validator schedule")?;
    let set = schedule.at(Height(height)).ok_or(format!("no set for height {height}"))?;
    Ok(set.iter().map(|v| (v.key, v.power)).collect())
}
/// The keys of `seeds` with power 1, in key order.
fn keys_of(seeds: &[u8]) -> Vec<(AccountId, u64)> {
    let mut keys: Vec<_> = seeds.iter().map(|seed| (id(*seed), 1)).collect();
    keys.sort();
    keys
}
fn glob(s: &State) -> Globals {
    s.globals().cloned().expect("globals exist")
}
fn budget_of(s: &State, code: &str) -> Option<u64> {
    s.budget(&budget(code)).map(|b| b.balance.0)
}
fn task_of(s: &State, t: u64) -> Result<Task, String> {
    s.task(TaskId(t)).cloned().ok_or_else(|| format!("task {t} missing"))
}
fn claim_of(s: &State, c: u64) -> Result<Claim, String> {
    s.claim(ClaimId(c)).cloned().ok_or_else(|| format!("claim {c} missing"))
}
fn proposal_of(s: &State, p: u64) -> Result<Proposal, String> {
    s.proposal(ProposalId(p)).cloned().ok_or_else(|| format!("proposal {p} missing"))
}
fn redemption_of(s: &State, r: u64) -> Result<Redemption, String> {
    s.redemption(RedemptionId(r)).cloned().ok_or_else(|| format!("redemption {r} missing"))
}
fn sorted(mut ids: Vec<AccountId>) -> Vec<AccountId> {
    ids.sort();
    ids
}

// ---------------------------------------------------------------------------------------------
// The case runner.

type Check = Box<dyn Fn(&State) -> Result<(), String>>;

#[derive(Debug, Clone)]
enum Expect {
    Accept,
    Reject(Rejection),
    Invalid(Invalid),
}

#[derive(Clone)]
struct TxStep {
    who: u8,
    /// Picks the signer from the state at run time (for drawn verifiers).
    signer: Option<fn(&State) -> u8>,
    action: Action,
    nonce: Option<u64>,
    chain: Option<&'static str>,
    key: Option<u8>,
    tamper: Option<fn(&mut SignedTx)>,
    expect: Expect,
    events: Option<Vec<Event>>,
}

enum Step {
    Tx(Box<TxStep>),
    /// Sets the block time to T0 + this many ms.
    At(u64),
    Wait(u64),
    /// A block without transactions: only what falls due applies.
    Block,
    Check(&'static str, Check),
}

struct Case {
    name: &'static str,
    world: World,
    steps: Vec<Step>,
}

impl Case {
    fn new(name: &'static str) -> Self {
        Self { name, world: standard_world(), steps: Vec::new() }
    }

    fn world(mut self, change: impl FnOnce(&mut World)) -> Self {
        change(&mut self.world);
        self
    }
    fn balance(self, who: u8, cents: u64) -> Self {
        self.world(|w| w.account_mut(who).balance = Amount(cents))
    }
    fn roles(self, who: u8, roles: &[Role]) -> Self {
        let set = roles.iter().copied().collect();
        self.world(|w| w.account_mut(who).roles = set)
    }
    fn enrolled(self, who: u8, enrolled: bool) -> Self {
        self.world(|w| w.account_mut(who).enrolled = enrolled)
    }
    fn treasury(self, cents: u64) -> Self {
        self.world(|w| w.treasury = Amount(cents))
    }
    fn threshold(self, threshold: u8) -> Self {
        self.world(|w| w.threshold = threshold)
    }
    fn ttl(self, ms: u64) -> Self {
        self.world(|w| w.ttl_ms = ms)
    }
    /// Adds a second shop holding `cents` and the empty account [`EMPTY`].
    fn shops(self, cents: u64) -> Self {
        self.world(|w| {
            w.account(SHOP2, cents, &[Role::Merchant], false).account(EMPTY, 0, &[], false);
        })
    }
    fn fee(self, cents: u64) -> Self {
        self.world(|w| w.redemption_fee = Amount(cents))
    }
    fn minimum(self, cents: u64) -> Self {
        self.world(|w| w.redemption_min = Amount(cents))
    }

    fn push(mut self, who: u8, action: Action, change: impl FnOnce(&mut TxStep)) -> Self {
        let mut step = TxStep {
            who,
            signer: None,
            action,
            nonce: None,
            chain: None,
            key: None,
            tamper: None,
            expect: Expect::Accept,
            events: None,
        };
        change(&mut step);
        self.steps.push(Step::Tx(Box::new(step)));
        self
    }
    /// A transaction by `who` with its current nonce; expected to be accepted unless a
    /// `rejects` or `invalid` follows.
    fn tx(self, who: u8, action: Action) -> Self {
        self.push(who, action, |_| {})
    }
    /// A transaction by the signer `pick` chooses from the state when the step runs.
    fn tx_by(self, pick: fn(&State) -> u8, action: Action) -> Self {
        self.push(NOBODY, action, |s| s.signer = Some(pick))
    }
    /// An empty block.
    fn block(mut self) -> Self {
        self.steps.push(Step::Block);
        self
    }
    fn tx_nonce(self, who: u8, nonce: u64, action: Action) -> Self {
        self.push(who, action, |s| s.nonce = Some(nonce))
    }
    fn tx_on_chain(self, who: u8, chain: &'static str, action: Action) -> Self {
        self.push(who, action, |s| s.chain = Some(chain))
    }
    fn tx_signed_by(self, who: u8, signer: u8, action: Action) -> Self {
        self.push(who, action, |s| s.key = Some(signer))
    }
    fn tx_tampered(self, who: u8, action: Action, tamper: fn(&mut SignedTx)) -> Self {
        self.push(who, action, |s| s.tamper = Some(tamper))
    }

    fn last(&mut self) -> &mut TxStep {
        match self.steps.last_mut() {
            Some(Step::Tx(step)) => step,
            _ => panic!("case {:?}: an expectation must follow a transaction", self.name),
        }
    }
    fn accepts(mut self) -> Self {
        self.last().expect = Expect::Accept;
        self
    }
    fn rejects(mut self, rejection: Rejection) -> Self {
        self.last().expect = Expect::Reject(rejection);
        self
    }
    fn invalid(mut self, invalid: Invalid) -> Self {
        self.last().expect = Expect::Invalid(invalid);
        self
    }
    /// The last transaction is accepted with exactly these events.
    fn emits(mut self, events: Vec<Event>) -> Self {
        let last = self.last();
        last.expect = Expect::Accept;
        last.events = Some(events);
        self
    }

    fn at(mut self, offset_ms: u64) -> Self {
        self.steps.push(Step::At(offset_ms));
        self
    }
    fn wait(mut self, ms: u64) -> Self {
        self.steps.push(Step::Wait(ms));
        self
    }
    fn check(mut self, what: &'static str, check: impl Fn(&State) -> Result<(), String> + 'static) -> Self {
        self.steps.push(Step::Check(what, Box::new(check)));
        self
    }

    /// The rule id the name starts with, like `r-task-6`.
    fn rule(&self) -> &'static str {
        self.name.split(' ').next().unwrap_or(self.name)
    }

    fn run(&self) {
        let name = self.name;
        let chain = chain_id(CHAIN);
        let mut state = self.world.state();
        assert!(state.supply().is_conserved(), "case {name:?}: the starting world does not conserve supply");
        let mut clock = T0;
        let mut height = 1u64;
        for (index, step) in self.steps.iter().enumerate() {
            let at = format!("case {name:?}, step {index}");
            match step {
                Step::At(offset) => clock = T0 + offset,
                Step::Wait(ms) => clock += ms,
                Step::Check(what, check) => {
                    if let Err(err) = check(&state) {
                        panic!("{at}: check `{what}` failed: {err}");
                    }
                }
                Step::Tx(step) => {
                    let ctx = block_context(height, clock);
                    begin_block(&mut state, &ctx);
                    run_tx(&at, &chain, &mut state, ctx, step);
                    clock += SECOND;
                    height += 1;
                }
                Step::Block => {
                    begin_block(&mut state, &block_context(height, clock));
                    assert!(state.supply().is_conserved(), "{at}: supply not conserved: {:?}", state.supply());
                    clock += SECOND;
                    height += 1;
                }
            }
        }
        assert!(state.supply().is_conserved(), "case {name:?}: supply not conserved at the end: {:?}", state.supply());
        assert_eq!(root_from_scratch(&state), state.root(), "case {name:?}: incremental root differs from scratch");
    }
}

/// The context of the block at `height`: its parent hash is a fixed function of the height.
fn block_context(height: u64, clock: u64) -> BlockContext {
    let parent = HashKind::Block.hash(&height.to_be_bytes());
    BlockContext { height: Height(height), time: Timestamp(clock), parent }
}

/// R-DUE-1: what falls due at the block time applies before the block's transaction.
fn begin_block(state: &mut State, ctx: &BlockContext) {
    let mut view = Overlay::new(state);
    contracts::rules::due::begin_block(&mut view, ctx);
    let changes = view.into_changes();
    state.apply(changes);
}

/// The seed of the `index`-th verifier drawn for `claim`.
fn drawn(state: &State, claim: u64, index: usize) -> u8 {
    let reviewer = state.claim(ClaimId(claim)).and_then(|c| c.reviewers.get(index).copied());
    (0..=u8::MAX).find(|seed| Some(id(*seed)) == reviewer).unwrap_or(NOBODY)
}

/// The seed of a verifier that was not drawn for `claim` (and is not the worker).
fn not_drawn(state: &State, claim: u64) -> u8 {
    let Some(c) = state.claim(ClaimId(claim)) else { return NOBODY };
    [VERIFIER, V3, V4].into_iter().find(|v| !c.reviewers.contains(&id(*v)) && c.worker != id(*v)).unwrap_or(NOBODY)
}

fn run_tx(at: &str, chain: &contracts::ChainId, state: &mut State, ctx: BlockContext, step: &TxStep) {
    let who = step.signer.map_or(step.who, |pick| pick(state));
    let step = &TxStep { who, ..step.clone() };
    let signer = id(step.who);
    let nonce = step.nonce.unwrap_or_else(|| nonce_of(state, step.who));
    let tx = Tx {
        chain_id: step.chain.map_or_else(|| chain.clone(), chain_id),
        signer,
        nonce: Nonce(nonce),
        action: step.action.clone(),
    };
    let tx_id = tx.id();
    let what = format!("{at} ({} by seed {})", step.action.name(), step.who);
    let mut signed = tx.sign(&key(step.key.unwrap_or(step.who)));
    if let Some(tamper) = step.tamper {
        tamper(&mut signed);
    }
    let result = VerifiedTx::verify(signed).and_then(|verified| {
        let mut view = Overlay::new(state);
        let receipt = execute(&mut view, &ctx, chain, &verified)?;
        Ok((receipt, view.into_changes()))
    });
    match (&step.expect, result) {
        (Expect::Accept, Ok((receipt, changes))) => {
            assert_eq!(receipt.tx_id, tx_id, "{what}: receipt names another tx");
            let Outcome::Accepted { events } = &receipt.outcome else {
                panic!("{what}: expected acceptance, got {:?}", receipt.outcome);
            };
            if let Some(want) = &step.events {
                assert_eq!(events, want, "{what}: events");
            }
            state.apply(changes);
            assert_eq!(nonce_of(state, step.who), nonce + 1, "{what}: the nonce must move by exactly one");
            assert!(state.supply().is_conserved(), "{what}: supply not conserved: {:?}", state.supply());
        }
        (Expect::Reject(rejection), Ok((receipt, changes))) => {
            assert_eq!(receipt.tx_id, tx_id, "{what}: receipt names another tx");
            assert_eq!(receipt.outcome, Outcome::rejected(rejection), "{what}: outcome");
            if let Outcome::Rejected { code, .. } = &receipt.outcome {
                assert_eq!(*code, rejection.code(), "{what}: code");
            }
            // R-TX-2 and R-TX-5: the nonce moves, nothing else does.
            let mut entries = entries_of(state);
            let mut account = state.account(&signer).cloned().expect("a rejected signer has an account");
            account.nonce = Nonce(nonce + 1);
            entries.insert(Key::Account(signer), Value::Account(account.clone()));
            let expected_changes: ChangeSet = BTreeMap::from([(Key::Account(signer), Some(Value::Account(account)))]);
            assert_eq!(changes, expected_changes, "{what}: a rejection may change only the nonce");
            state.apply(changes);
            assert_eq!(
                state.root(),
                State::from_entries(entries).root(),
                "{what}: root after a rejection must equal the old state with only the nonce bumped"
            );
        }
        (Expect::Invalid(invalid), Err(err)) => {
            assert_eq!(&err, invalid, "{what}: envelope error");
        }
        (expect, got) => panic!("{what}: expected {expect:?}, got {got:?}"),
    }
}

fn run_all(cases: Vec<Case>) {
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(names.insert(case.name), "duplicate case name {:?}", case.name);
        case.run();
    }
}

// ---------------------------------------------------------------------------------------------
// R-TX-1..5: the envelope.

fn envelope_cases() -> Vec<Case> {
    vec![
        Case::new("r-tx-1 a tx for another chain is invalid")
            .tx_on_chain(ALICE, "heerlen-other", pay(BOB, 100))
            .invalid(Invalid::WrongChain { expected: CHAIN.into(), got: "heerlen-other".into() })
            .check("nothing moved", |s| eq("alice", (bal(s, ALICE), nonce_of(s, ALICE)), (10_000, 0))),
        Case::new("r-tx-3 an unknown signer is invalid")
            .tx(NOBODY, pay(BOB, 100))
            .invalid(Invalid::UnknownSigner(id(NOBODY)))
            .check("no account appeared", |s| eq("nobody", s.account(&id(NOBODY)).is_some(), false)),
        Case::new("r-tx-2 a nonce from the future is invalid")
            .tx_nonce(ALICE, 1, pay(BOB, 100))
            .invalid(Invalid::BadNonce { expected: Nonce(0), got: Nonce(1) }),
        Case::new("r-tx-2 a replayed nonce is invalid")
            .tx(ALICE, pay(BOB, 100))
            .tx_nonce(ALICE, 0, pay(BOB, 100))
            .invalid(Invalid::BadNonce { expected: Nonce(1), got: Nonce(0) })
            .check("paid once", |s| eq("bob", bal(s, BOB), 2_100)),
        Case::new("r-sig-1 signed by another key")
            .tx_signed_by(ALICE, BOB, pay(BOB, 100))
            .invalid(Invalid::BadSignature(SignatureError::Mismatch)),
        Case::new("r-sig-1 amount changed after signing")
            .tx_tampered(ALICE, pay(BOB, 100), |signed| {
                if let Action::Transfer(t) = &mut signed.tx.action {
                    t.amount = Amount(10_000);
                }
            })
            .invalid(Invalid::BadSignature(SignatureError::Mismatch)),
        Case::new("r-sig-1 chain changed after signing")
            .tx_tampered(ALICE, pay(BOB, 100), |signed| signed.tx.chain_id = chain_id("heerlen-other"))
            .invalid(Invalid::BadSignature(SignatureError::Mismatch)),
        Case::new("r-sig-1 nonce changed after signing")
            .tx_tampered(ALICE, pay(BOB, 100), |signed| signed.tx.nonce = Nonce(1))
            .invalid(Invalid::BadSignature(SignatureError::Mismatch)),
        Case::new("r-sig-1 flipped signature bit")
            .tx_tampered(ALICE, pay(BOB, 100), |signed| signed.signature.0[40] ^= 1)
            .invalid(Invalid::BadSignature(SignatureError::Mismatch)),
        Case::new("r-sig-1 signer that is not a curve point")
            .tx_tampered(ALICE, pay(BOB, 100), |signed| signed.tx.signer = not_a_point())
            .invalid(Invalid::BadSignature(SignatureError::BadKey)),
        Case::new("r-tx-2 a rejected tx uses up its nonce")
            .tx(BOB, pay(ALICE, 999_999))
            .rejects(Rejection::InsufficientBalance { needed: Amount(999_999), available: Amount(2_000) })
            .tx_nonce(BOB, 0, pay(ALICE, 100))
            .invalid(Invalid::BadNonce { expected: Nonce(1), got: Nonce(0) })
            .tx(BOB, pay(ALICE, 100))
            .check("only the second payment moved coins", |s| eq("bob", (bal(s, BOB), nonce_of(s, BOB)), (1_900, 2))),
    ]
}

/// A 32-byte string that does not decompress to an ed25519 point.
fn not_a_point() -> AccountId {
    (0..=u8::MAX)
        .map(|b| [b; 32])
        .find(|bytes| ed25519_dalek::VerifyingKey::from_bytes(bytes).is_err())
        .map(AccountId)
        .expect("some repeated byte is not a point")
}

// ---------------------------------------------------------------------------------------------
// R-PAY-1..4: transfers.

fn transfer_cases() -> Vec<Case> {
    vec![
        Case::new("r-pay-4 pays an enrolled resident")
            .tx(ALICE, pay(BOB, 1_000))
            .emits(vec![Event::Transferred { from: id(ALICE), to: id(BOB), amount: Amount(1_000) }])
            .check("balances", |s| eq("alice, bob", (bal(s, ALICE), bal(s, BOB)), (9_000, 3_000))),
        Case::new("r-pay-4 spends the whole balance")
            .tx(BOB, pay(ALICE, 2_000))
            .check("bob is empty", |s| eq("bob", bal(s, BOB), 0)),
        Case::new("r-pay-4 one cent short")
            .tx(BOB, pay(ALICE, 2_001))
            .rejects(Rejection::InsufficientBalance { needed: Amount(2_001), available: Amount(2_000) }),
        Case::new("r-pay-4 an empty account pays nothing")
            .tx(CAROL, pay(ALICE, 1))
            .rejects(Rejection::InsufficientBalance { needed: Amount(1), available: Amount(0) }),
        Case::new("r-pay-4 a balance of one cent pays one cent")
            .balance(CAROL, 1)
            .tx(CAROL, pay(ALICE, 1))
            .check("carol is empty", |s| eq("carol", bal(s, CAROL), 0)),
        Case::new("r-pay-1 zero amount").tx(ALICE, pay(BOB, 0)).rejects(Rejection::ZeroAmount),
        Case::new("r-pay-1 zero to oneself is a zero amount first")
            .tx(ALICE, pay(ALICE, 0))
            .rejects(Rejection::ZeroAmount),
        Case::new("r-pay-2 paying oneself").tx(ALICE, pay(ALICE, 100)).rejects(Rejection::SelfTransfer),
        Case::new("r-pay-3 recipient neither enrolled nor holding a role")
            .tx(ALICE, pay(DAVE, 100))
            .rejects(Rejection::UnknownRecipient(id(DAVE))),
        Case::new("r-pay-3 recipient without an account")
            .tx(ALICE, pay(NOBODY, 100))
            .rejects(Rejection::UnknownRecipient(id(NOBODY)))
            .check("no account was created", |s| eq("nobody", s.account(&id(NOBODY)).is_some(), false)),
        Case::new("r-pay-3 a merchant with a role but no enrolment receives")
            .tx(ALICE, pay(MERCHANT, 500))
            .check("merchant", |s| eq("merchant", bal(s, MERCHANT), 5_500)),
        Case::new("r-enr-2 an unenrolled account still spends its coins")
            .tx(DAVE, pay(ALICE, 500))
            .check("balances", |s| eq("dave, alice", (bal(s, DAVE), bal(s, ALICE)), (0, 10_500))),
        Case::new("r-pay-4 several payments in a row")
            .tx(ALICE, pay(BOB, 100))
            .tx(BOB, pay(CAROL, 2_100))
            .tx(CAROL, pay(ALICE, 2_000))
            .check("balances", |s| {
                eq("alice, bob, carol", (bal(s, ALICE), bal(s, BOB), bal(s, CAROL)), (11_900, 0, 100))
            }),
    ]
}

// ---------------------------------------------------------------------------------------------
// R-GOV-1..4 and R-SUP-2: council proposals, mints, roles and the threshold.

fn mint_cases() -> Vec<Case> {
    let p1 = ProposalId(1);
    vec![
        Case::new("r-gov-2 the council mints with 2 of 3")
            .tx(C1, mint(50_000))
            .emits(vec![
                Event::ProposalCreated { proposal: p1, proposer: id(C1) },
                Event::ProposalApproved { proposal: p1, approver: id(C1), approvals: 1, threshold: 2 },
            ])
            .check("one signature never mints", |s| {
                eq("treasury", glob(s).treasury.0, 1_000_000)?;
                eq("minted", glob(s).minted.0, minted0())?;
                let p = proposal_of(s, 1)?;
                eq("status", p.status, ProposalStatus::Open)?;
                eq("approvals", p.approvals, vec![id(C1)])?;
                eq("expires", p.expires_at, Timestamp(T0 + DAY))
            })
            .tx(C1, approve(1))
            .rejects(Rejection::AlreadyApproved(p1))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 2 },
                Event::Minted { proposal: p1, amount: Amount(50_000) },
            ])
            .check("the second approval mints into the treasury", |s| {
                eq("treasury", glob(s).treasury.0, 1_050_000)?;
                eq("minted", glob(s).minted.0, minted0() + 50_000)?;
                let p = proposal_of(s, 1)?;
                eq("status", p.status, ProposalStatus::Executed)?;
                eq("approvals", p.approvals, sorted(vec![id(C1), id(C2)]))
            })
            .tx(C3, approve(1))
            .rejects(Rejection::ProposalExecuted(p1))
            .check("minted once", |s| eq("treasury", glob(s).treasury.0, 1_050_000)),
        Case::new("r-gov-2 an approval at the expiry time still counts")
            .ttl(10 * SECOND)
            .at(0)
            .tx(C1, mint(100))
            .at(10 * SECOND)
            .tx(C2, approve(1))
            .check("minted", |s| eq("treasury", glob(s).treasury.0, 1_000_100)),
        Case::new("r-gov-2 an expired proposal is refused")
            .ttl(10 * SECOND)
            .at(0)
            .tx(C1, mint(100))
            .at(10 * SECOND + 1)
            .tx(C2, approve(1))
            .rejects(Rejection::ProposalExpired(p1))
            .wait(DAY)
            .tx(C3, approve(1))
            .rejects(Rejection::ProposalExpired(p1))
            .check("nothing minted", |s| eq("treasury", glob(s).treasury.0, 1_000_000)),
        Case::new("r-gov-1 a non-member cannot propose")
            .tx(ALICE, mint(100))
            .rejects(Rejection::MissingRole(Role::Council)),
        Case::new("r-gov-2 a non-member cannot approve")
            .tx(C1, mint(100))
            .tx(ALICE, approve(1))
            .rejects(Rejection::MissingRole(Role::Council))
            .tx(TREASURER, approve(1))
            .rejects(Rejection::MissingRole(Role::Council)),
        Case::new("r-gov-2 approving an unknown proposal")
            .tx(C1, approve(7))
            .rejects(Rejection::UnknownProposal(ProposalId(7))),
        Case::new("r-sup-2 minting zero").tx(C1, mint(0)).rejects(Rejection::ZeroAmount),
        Case::new("r-amt-1 minting past u64 overflows")
            .treasury(u64::MAX - 117_500)
            .check("world minted u64::MAX", |s| eq("minted", glob(s).minted.0, u64::MAX))
            .tx(C1, mint(1))
            .rejects(Rejection::Overflow),
        Case::new("r-gov-2 a council of one at threshold 1 mints at once")
            .roles(C2, &[])
            .roles(C3, &[])
            .threshold(1)
            .tx(C1, mint(700))
            .emits(vec![
                Event::ProposalCreated { proposal: p1, proposer: id(C1) },
                Event::ProposalApproved { proposal: p1, approver: id(C1), approvals: 1, threshold: 1 },
                Event::Minted { proposal: p1, amount: Amount(700) },
            ]),
        Case::new("r-gov-2 threshold 3 needs every member")
            .threshold(3)
            .tx(C1, mint(100))
            .tx(C2, approve(1))
            .emits(vec![Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 3 }])
            .check("two of three is not enough", |s| eq("treasury", glob(s).treasury.0, 1_000_000))
            .tx(C3, approve(1))
            .check("minted", |s| eq("treasury", glob(s).treasury.0, 1_000_100)),
        Case::new("r-gov-2 approvals of a revoked member no longer count")
            .tx(C1, mint(10_000))
            .tx(C2, revoke(C1, Role::Council))
            .tx(C3, approve(2))
            .check("c1 is out", |s| {
                eq("council size", glob(s).council_size, 2)?;
                eq("c1 council", has_role(s, C1, Role::Council), false)
            })
            .tx(C2, approve(1))
            .emits(vec![Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 1, threshold: 2 }])
            .check("not minted", |s| eq("treasury", glob(s).treasury.0, 1_000_000))
            .tx(C1, approve(1))
            .rejects(Rejection::MissingRole(Role::Council))
            .tx(C3, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C3), approvals: 2, threshold: 2 },
                Event::Minted { proposal: p1, amount: Amount(10_000) },
            ]),
        Case::new("r-gov-2 proposal ids count up").tx(C1, mint(1)).tx(C2, mint(2)).tx(C3, approve(2)).check(
            "two proposals",
            |s| {
                eq("next", glob(s).next_proposal, ProposalId(3))?;
                eq("p2 executed", proposal_of(s, 2)?.status, ProposalStatus::Executed)?;
                eq("p1 open", proposal_of(s, 1)?.status, ProposalStatus::Open)?;
                eq("treasury", glob(s).treasury.0, 1_000_002)
            },
        ),
    ]
}

fn role_cases() -> Vec<Case> {
    let p1 = ProposalId(1);
    vec![
        Case::new("r-gov-3 the council grants a role")
            .tx(C1, grant(ALICE, Role::Merchant))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 2 },
                Event::RoleGranted { proposal: p1, account: id(ALICE), role: Role::Merchant },
            ])
            .tx(ALICE, redeem(1_000))
            .check("alice redeemed as a merchant", |s| eq("alice", bal(s, ALICE), 9_000)),
        Case::new("r-gov-3 granting the council role grows the council")
            .tx(C1, grant(BOB, Role::Council))
            .tx(C3, approve(1))
            .check("four members", |s| eq("council size", glob(s).council_size, 4))
            .tx(BOB, mint(100))
            .tx(C1, approve(2))
            .check("bob's proposal minted", |s| eq("treasury", glob(s).treasury.0, 1_000_100)),
        Case::new("r-gov-3 granting a role to an account that does not exist creates it")
            .tx(C1, grant(NOBODY, Role::Verifier))
            .tx(C2, approve(1))
            .check("nobody has an account", |s| {
                let a = s.account(&id(NOBODY)).cloned().ok_or("no account")?;
                eq("roles", a.roles.roles(), vec![Role::Verifier])?;
                eq("balance, nonce, enrolled", (a.balance, a.nonce, a.enrolled), (Amount(0), Nonce(0), false))
            })
            .tx(NOBODY, approve_work(99))
            .rejects(Rejection::UnknownClaim(ClaimId(99))),
        Case::new("r-gov-3 granting a role already held")
            .tx(C1, grant(MERCHANT, Role::Merchant))
            .rejects(Rejection::RoleAlreadyHeld(id(MERCHANT), Role::Merchant)),
        Case::new("r-gov-3 the role check runs again when the proposal executes")
            .tx(C1, grant(ALICE, Role::Merchant))
            .tx(C2, grant(ALICE, Role::Merchant))
            .tx(C3, approve(1))
            .tx(C3, approve(2))
            .rejects(Rejection::RoleAlreadyHeld(id(ALICE), Role::Merchant))
            .check("the refused approval left the proposal open", |s| {
                let p = proposal_of(s, 2)?;
                eq("status, approvals", (p.status, p.approvals), (ProposalStatus::Open, vec![id(C2)]))
            }),
        Case::new("r-gov-3 revoking a role not held")
            .tx(C1, revoke(ALICE, Role::Merchant))
            .rejects(Rejection::RoleNotHeld(id(ALICE), Role::Merchant)),
        Case::new("r-gov-3 a revoked verifier can no longer verify")
            .tx(C1, revoke(VERIFIER, Role::Verifier))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 2 },
                Event::RoleRevoked { proposal: p1, account: id(VERIFIER), role: Role::Verifier },
            ])
            .tx(VERIFIER, approve_work(1))
            .rejects(Rejection::MissingRole(Role::Verifier)),
        Case::new("r-gov-3 revoking a member of a council at its threshold")
            .roles(C3, &[])
            .tx(C1, revoke(C2, Role::Council))
            .rejects(Rejection::CouncilTooSmall { members: 1, threshold: 2 }),
        Case::new("r-gov-3 the council size check runs again when the proposal executes")
            .tx(C1, revoke(C3, Role::Council))
            .tx(C1, revoke(C2, Role::Council))
            .tx(C2, approve(1))
            .check("two members left", |s| eq("council size", glob(s).council_size, 2))
            .tx(C2, approve(2))
            .rejects(Rejection::CouncilTooSmall { members: 1, threshold: 2 })
            .check("c2 is still a member", |s| eq("c2", has_role(s, C2, Role::Council), true)),
        Case::new("r-gov-3 the council cannot grow past its maximum")
            .world(|w| {
                for seed in 100..100 + (MAX_COUNCIL as u8 - 3) {
                    w.account(seed, 0, &[Role::Council], false);
                }
            })
            .check("the council is full", |s| eq("council size", usize::from(glob(s).council_size), MAX_COUNCIL))
            .tx(C1, grant(ALICE, Role::Council))
            .rejects(Rejection::CouncilFull(MAX_COUNCIL))
            .tx(C1, grant(ALICE, Role::Verifier))
            .accepts(),
    ]
}

fn threshold_cases() -> Vec<Case> {
    let out_of_range = |threshold, members| Rejection::ThresholdOutOfRange { threshold, members };
    vec![
        Case::new("r-gov-4 a council of three may require all three")
            .tx(C1, set_threshold(3))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: ProposalId(1), approver: id(C2), approvals: 2, threshold: 2 },
                Event::ThresholdSet { proposal: ProposalId(1), threshold: 3 },
            ])
            .check("threshold 3", |s| eq("threshold", glob(s).params.council_threshold, 3))
            .tx(C1, mint(100))
            .tx(C2, approve(2))
            .check("two approvals no longer mint", |s| eq("treasury", glob(s).treasury.0, 1_000_000))
            .tx(C3, approve(2))
            .check("three do", |s| eq("treasury", glob(s).treasury.0, 1_000_100)),
        Case::new("r-gov-4 a council of three may not go down to 1")
            .tx(C1, set_threshold(1))
            .rejects(out_of_range(1, 3)),
        Case::new("r-gov-4 the threshold cannot exceed the council")
            .tx(C1, set_threshold(4))
            .rejects(out_of_range(4, 3)),
        Case::new("r-gov-4 the threshold cannot be zero").tx(C1, set_threshold(0)).rejects(out_of_range(0, 3)),
        Case::new("r-gov-4 a council of two keeps two signatures")
            .roles(C3, &[])
            .tx(C1, set_threshold(1))
            .rejects(out_of_range(1, 2))
            .tx(C1, set_threshold(2))
            .tx(C2, approve(1))
            .check("a rejected proposal used no id", |s| eq("next", glob(s).next_proposal, ProposalId(2)))
            .check("threshold 2", |s| eq("threshold", glob(s).params.council_threshold, 2)),
        Case::new("r-gov-4 a council of one works at threshold 1 only")
            .roles(C2, &[])
            .roles(C3, &[])
            .threshold(1)
            .tx(C1, set_threshold(2))
            .rejects(out_of_range(2, 1))
            .tx(C1, set_threshold(1))
            .emits(vec![
                Event::ProposalCreated { proposal: ProposalId(1), proposer: id(C1) },
                Event::ProposalApproved { proposal: ProposalId(1), approver: id(C1), approvals: 1, threshold: 1 },
                Event::ThresholdSet { proposal: ProposalId(1), threshold: 1 },
            ]),
        Case::new("r-gov-4 the range check runs again when the proposal executes")
            .tx(C1, set_threshold(3))
            .tx(C1, revoke(C3, Role::Council))
            .tx(C2, approve(2))
            .tx(C2, approve(1))
            .rejects(out_of_range(3, 2)),
    ]
}

fn validator_cases() -> Vec<Case> {
    let [v1, v2, v3, v4] = VALIDATORS;
    let (v5, v6) = (205, 206);
    let p1 = ProposalId(1);
    // Steps run one per height from 1: an approval in step n executes at height n.
    vec![
        Case::new("r-val-2 an added validator decides from a fixed number of heights after approval")
            .tx(C1, add_validator(v5, 1))
            .check("nothing scheduled before approval", |s| eq("set at 100", set_at(s, 100)?, keys_of(&VALIDATORS)))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 2 },
                Event::ValidatorSetScheduled { proposal: p1, from: Height(2 + VALIDATOR_CHANGE_DELAY), size: 5 },
            ])
            .check("the old set decides until then, the new one from then on", move |s| {
                eq("before", set_at(s, 1 + VALIDATOR_CHANGE_DELAY)?, keys_of(&VALIDATORS))?;
                eq("from", set_at(s, 2 + VALIDATOR_CHANGE_DELAY)?, keys_of(&[v1, v2, v3, v4, v5]))
            }),
        Case::new("r-val-3 a removed validator no longer decides; its power does not count")
            .tx(C1, remove_validator(v4))
            .tx(C2, approve(1))
            .check("three left", move |s| eq("set", set_at(s, 2 + VALIDATOR_CHANGE_DELAY)?, keys_of(&[v1, v2, v3]))),
        Case::new("r-val-3 rotating a key keeps the power and the size")
            .world(move |w| w.validators = vec![(v1, 1), (v2, 1), (v3, 1), (v4, 7)])
            .tx(C1, rotate_validator(v4, v6))
            .tx(C2, approve(1))
            .check("v6 replaces v4 with power 7", move |s| {
                let mut expected = vec![(id(v1), 1), (id(v2), 1), (id(v3), 1), (id(v6), 7)];
                expected.sort();
                eq("set", set_at(s, 2 + VALIDATOR_CHANGE_DELAY)?, expected)
            }),
        Case::new("r-val-2 two changes approved in a row build on each other, and old sets are pruned")
            .threshold(1)
            .tx(C1, add_validator(v5, 1))
            .tx(C1, remove_validator(v1))
            .check("each step applies at its own height", move |s| {
                eq("h3", set_at(s, 3)?, keys_of(&VALIDATORS))?;
                eq("h4", set_at(s, 1 + VALIDATOR_CHANGE_DELAY)?, keys_of(&[v1, v2, v3, v4, v5]))?;
                eq("h5", set_at(s, 2 + VALIDATOR_CHANGE_DELAY)?, keys_of(&[v2, v3, v4, v5]))
            })
            .wait(SECOND)
            .tx(C1, mint(1))
            .tx(C1, mint(1))
            .tx(C1, mint(1))
            .tx(C1, mint(1))
            .tx(C1, remove_validator(v2))
            .check("sets no height can use any more are gone", move |s| {
                let schedule = s.validators().ok_or("no schedule")?;
                let from: Vec<u64> = schedule.sets.iter().map(|set| set.from.0).collect();
                eq("from heights", from, vec![2 + VALIDATOR_CHANGE_DELAY, 7 + VALIDATOR_CHANGE_DELAY])
            }),
        Case::new("r-val-3 adding a validator already in the set")
            .tx(C1, add_validator(v1, 1))
            .rejects(Rejection::ValidatorInSet(id(v1))),
        Case::new("r-val-3 adding a validator already scheduled")
            .threshold(1)
            .tx(C1, add_validator(v5, 1))
            .tx(C1, add_validator(v5, 1))
            .rejects(Rejection::ValidatorInSet(id(v5))),
        Case::new("r-val-3 removing a key that is not a validator")
            .tx(C1, remove_validator(v5))
            .rejects(Rejection::ValidatorNotInSet(id(v5))),
        Case::new("r-val-3 rotating from a key that is not a validator")
            .tx(C1, rotate_validator(v5, v6))
            .rejects(Rejection::ValidatorNotInSet(id(v5))),
        Case::new("r-val-3 rotating onto a key already in the set")
            .tx(C1, rotate_validator(v1, v2))
            .rejects(Rejection::ValidatorInSet(id(v2))),
        Case::new("r-val-3 voting power must be 1 to the maximum")
            .tx(C1, add_validator(v5, 0))
            .rejects(Rejection::ValidatorPower { power: 0, max: MAX_VALIDATOR_POWER })
            .tx(C1, add_validator(v5, MAX_VALIDATOR_POWER + 1))
            .rejects(Rejection::ValidatorPower { power: MAX_VALIDATOR_POWER + 1, max: MAX_VALIDATOR_POWER })
            .tx(C1, add_validator(v5, MAX_VALIDATOR_POWER))
            .accepts(),
        Case::new("r-val-3 the last validator cannot be removed; the check runs again at execution")
            .world(move |w| w.validators = vec![(v1, 1), (v2, 1)])
            .tx(C1, remove_validator(v1))
            .tx(C1, remove_validator(v2))
            .tx(C2, approve(1))
            .tx(C2, approve(2))
            .rejects(Rejection::ValidatorSetSize { size: 0, max: MAX_VALIDATORS })
            .check("v2 stays", move |s| eq("set", set_at(s, 100)?, keys_of(&[v2]))),
        Case::new("r-val-3 the set cannot grow past its maximum")
            .world(|w| w.validators = (1..=MAX_VALIDATORS as u8).map(|i| (100 + i, 1)).collect())
            .tx(C1, add_validator(v5, 1))
            .rejects(Rejection::ValidatorSetSize { size: MAX_VALIDATORS + 1, max: MAX_VALIDATORS }),
    ]
}

/// R-GOV-4 says a council of two or more needs at least two signatures. `SetThreshold` checks
/// it, but granting the council role to a second member of a one-member council leaves the
/// threshold at 1: from then on either member mints alone.
#[test]
fn r_gov_4_growing_a_council_of_one_requires_two_signatures() {
    Case::new("r-gov-4 a council grown from one to two needs two signatures")
        .roles(C2, &[])
        .roles(C3, &[])
        .threshold(1)
        .tx(C1, grant(C2, Role::Council))
        .check("two members", |s| eq("council size", glob(s).council_size, 2))
        .tx(C1, mint(100_000))
        .check("one signature of a council of two never mints", |s| {
            eq("treasury", glob(s).treasury.0, 1_000_000)?;
            eq("threshold at least 2", glob(s).params.council_threshold >= 2, true)
        })
        .run();
}

// ---------------------------------------------------------------------------------------------
// R-BUD-1..2: budgets.

fn budget_cases() -> Vec<Case> {
    vec![
        Case::new("r-bud-1 the treasurer funds a budget")
            .tx(TREASURER, fund(GRASBROEK, 50_000))
            .emits(vec![Event::BudgetFunded { budget: budget(GRASBROEK), amount: Amount(50_000) }])
            .check("moved", |s| {
                eq("treasury, budget", (glob(s).treasury.0, budget_of(s, GRASBROEK)), (950_000, Some(150_000)))
            }),
        Case::new("r-bud-1 the first funding creates the budget")
            .tx(TREASURER, fund("schaesberg", 100))
            .check("created", |s| eq("schaesberg", budget_of(s, "schaesberg"), Some(100))),
        Case::new("r-bud-1 the whole treasury may go into a budget")
            .tx(TREASURER, fund(GRASBROEK, 1_000_000))
            .check("empty treasury", |s| eq("treasury", glob(s).treasury.0, 0)),
        Case::new("r-bud-1 more than the treasury holds")
            .tx(TREASURER, fund(GRASBROEK, 1_000_001))
            .rejects(Rejection::InsufficientTreasury { needed: Amount(1_000_001), available: Amount(1_000_000) }),
        Case::new("r-bud-1 funding zero").tx(TREASURER, fund(GRASBROEK, 0)).rejects(Rejection::ZeroAmount),
        Case::new("r-bud-1 only the treasurer funds")
            .tx(ALICE, fund(GRASBROEK, 100))
            .rejects(Rejection::MissingRole(Role::Treasurer))
            .tx(C1, fund(GRASBROEK, 100))
            .rejects(Rejection::MissingRole(Role::Treasurer)),
        Case::new("r-bud-2 the treasurer defunds a budget")
            .tx(TREASURER, defund(GRASBROEK, 40_000))
            .emits(vec![Event::BudgetDefunded { budget: budget(GRASBROEK), amount: Amount(40_000) }])
            .check("moved back", |s| {
                eq("treasury, budget", (glob(s).treasury.0, budget_of(s, GRASBROEK)), (1_040_000, Some(60_000)))
            }),
        Case::new("r-bud-2 defunding an unknown budget")
            .tx(TREASURER, defund("nergens", 100))
            .rejects(Rejection::UnknownBudget(budget("nergens"))),
        Case::new("r-bud-2 defunding more than the budget holds").tx(TREASURER, defund(GRASBROEK, 100_001)).rejects(
            Rejection::InsufficientBudget {
                budget: budget(GRASBROEK),
                needed: Amount(100_001),
                available: Amount(100_000),
            },
        ),
        Case::new("r-bud-2 defunding zero").tx(TREASURER, defund(GRASBROEK, 0)).rejects(Rejection::ZeroAmount),
        Case::new("r-bud-2 only the treasurer defunds")
            .tx(OFFICER, defund(GRASBROEK, 100))
            .rejects(Rejection::MissingRole(Role::Treasurer)),
        Case::new("r-bud-2 escrowed coins cannot be defunded")
            .tx(OFFICER, task(1_000, 60))
            .tx(TREASURER, defund(GRASBROEK, 50_000))
            .rejects(Rejection::InsufficientBudget {
                budget: budget(GRASBROEK),
                needed: Amount(50_000),
                available: Amount(40_000),
            }),
    ]
}

// ---------------------------------------------------------------------------------------------
// R-ENR-1..2: enrolment.

fn enrolment_cases() -> Vec<Case> {
    vec![
        Case::new("r-enr-1 the registrar enrolls an account")
            .tx(REGISTRAR, enroll(DAVE))
            .emits(vec![Event::Enrolled { account: id(DAVE) }])
            .tx(ALICE, pay(DAVE, 100))
            .check("dave receives", |s| eq("dave", (enrolled(s, DAVE), bal(s, DAVE)), (true, 600))),
        Case::new("r-enr-1 enrolling an account that does not exist creates it")
            .tx(REGISTRAR, enroll(NOBODY))
            .check("account", |s| {
                let a = s.account(&id(NOBODY)).cloned().ok_or("no account")?;
                eq("enrolled, balance, nonce", (a.enrolled, a.balance, a.nonce), (true, Amount(0), Nonce(0)))
            })
            .tx(NOBODY, pay(ALICE, 1))
            .rejects(Rejection::InsufficientBalance { needed: Amount(1), available: Amount(0) }),
        Case::new("r-enr-1 enrolling twice")
            .tx(REGISTRAR, enroll(ALICE))
            .rejects(Rejection::AlreadyEnrolled(id(ALICE))),
        Case::new("r-enr-1 only the registrar enrolls")
            .tx(ALICE, enroll(DAVE))
            .rejects(Rejection::MissingRole(Role::Registrar)),
        Case::new("r-enr-2 an unenrolled resident keeps the coins but cannot receive or claim")
            .tx(OFFICER, task(1_500, 2))
            .tx(REGISTRAR, unenroll(BOB))
            .emits(vec![Event::Unenrolled { account: id(BOB) }])
            .check("bob keeps his coins", |s| eq("bob", (enrolled(s, BOB), bal(s, BOB)), (false, 2_000)))
            .tx(ALICE, pay(BOB, 100))
            .rejects(Rejection::UnknownRecipient(id(BOB)))
            .tx(BOB, claim(1))
            .rejects(Rejection::NotEnrolled)
            .tx(BOB, pay(ALICE, 2_000))
            .accepts(),
        Case::new("r-enr-2 unenrolling an account that is not enrolled")
            .tx(REGISTRAR, unenroll(DAVE))
            .rejects(Rejection::NotEnrolledAccount(id(DAVE)))
            .tx(REGISTRAR, unenroll(NOBODY))
            .rejects(Rejection::NotEnrolledAccount(id(NOBODY))),
        Case::new("r-enr-2 only the registrar unenrolls")
            .tx(OFFICER, unenroll(ALICE))
            .rejects(Rejection::MissingRole(Role::Registrar)),
    ]
}

// ---------------------------------------------------------------------------------------------
// R-TASK-1..9: tasks.

fn post_cases() -> Vec<Case> {
    let code = || budget(GRASBROEK);
    vec![
        Case::new("r-task-1 escrow is reward times slots, taken from the budget")
            .tx(OFFICER, task(1_500, 3))
            .emits(vec![Event::TaskPosted {
                task: TaskId(1),
                poster: id(OFFICER),
                budget: code(),
                escrow: Amount(4_500),
            }])
            .check("task and budget", |s| {
                eq("budget", budget_of(s, GRASBROEK), Some(95_500))?;
                let t = task_of(s, 1)?;
                eq("escrow", t.escrow, Amount(4_500))?;
                eq("slots, rewarded, claims", (t.slots, t.rewarded, t.claims.len()), (3, 0, 0))?;
                eq("status", t.status, TaskStatus::Open)?;
                eq("poster", t.poster, id(OFFICER))?;
                eq("times", (t.posted_at, t.deadline), (Timestamp(T0), Timestamp(T0 + DAY)))?;
                eq("description", t.description, description())?;
                eq("next task", glob(s).next_task, TaskId(2))
            }),
        Case::new("r-task-1 task ids count up")
            .tx(OFFICER, task(100, 1))
            .tx(OFFICER2, task(100, 1))
            .check("two tasks", |s| {
                eq("posters", (task_of(s, 1)?.poster, task_of(s, 2)?.poster), (id(OFFICER), id(OFFICER2)))
            }),
        Case::new("r-task-1 only officers post")
            .tx(ALICE, task(1_500, 1))
            .rejects(Rejection::MissingRole(Role::Officer)),
        Case::new("r-task-2 a zero reward").tx(OFFICER, task(0, 1)).rejects(Rejection::ZeroAmount),
        Case::new("r-task-2 zero slots")
            .tx(OFFICER, task(100, 0))
            .rejects(Rejection::InvalidSlots { slots: 0, max: MAX_SLOTS }),
        Case::new("r-task-2 one slot too many")
            .tx(OFFICER, task(1, MAX_SLOTS + 1))
            .rejects(Rejection::InvalidSlots { slots: MAX_SLOTS + 1, max: MAX_SLOTS }),
        Case::new("r-task-2 the most slots, the whole budget")
            .tx(OFFICER, task(100, MAX_SLOTS))
            .check("budget empty", |s| eq("budget", budget_of(s, GRASBROEK), Some(0))),
        Case::new("r-task-2 a deadline equal to the block time is in the past")
            .at(5 * SECOND)
            .tx(OFFICER, post(GRASBROEK, 100, 1, 5 * SECOND))
            .rejects(Rejection::DeadlineInPast),
        Case::new("r-task-2 a deadline before the block time")
            .at(5 * SECOND)
            .tx(OFFICER, post(GRASBROEK, 100, 1, 0))
            .rejects(Rejection::DeadlineInPast),
        Case::new("r-task-2 a deadline one ms after the block time")
            .at(5 * SECOND)
            .tx(OFFICER, post(GRASBROEK, 100, 1, 5 * SECOND + 1))
            .accepts(),
        Case::new("r-task-1 an unknown budget")
            .tx(OFFICER, post("nergens", 100, 1, DAY))
            .rejects(Rejection::UnknownBudget(budget("nergens"))),
        Case::new("r-task-1 escrow above the budget").tx(OFFICER, task(50_001, 2)).rejects(
            Rejection::InsufficientBudget { budget: code(), needed: Amount(100_002), available: Amount(100_000) },
        ),
        Case::new("r-amt-1 escrow that overflows").tx(OFFICER, task(u64::MAX / 2 + 1, 2)).rejects(Rejection::Overflow),
    ]
}

fn claim_cases() -> Vec<Case> {
    vec![
        Case::new("r-task-3 an enrolled resident claims a slot")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .emits(vec![Event::TaskClaimed { task: TaskId(1), claim: ClaimId(1), worker: id(ALICE) }])
            .check("claim recorded", |s| {
                eq("task claims", task_of(s, 1)?.claims, vec![ClaimId(1)])?;
                let c = claim_of(s, 1)?;
                eq("claim", (c.task, c.worker, c.status), (TaskId(1), id(ALICE), ClaimStatus::Claimed))?;
                eq("claimed at", c.claimed_at, Timestamp(T0 + SECOND))?;
                eq("next claim", glob(s).next_claim, ClaimId(2))
            }),
        Case::new("r-task-3 an account that is not enrolled")
            .tx(OFFICER, task(1_500, 3))
            .tx(DAVE, claim(1))
            .rejects(Rejection::NotEnrolled)
            .tx(MERCHANT, claim(1))
            .rejects(Rejection::NotEnrolled),
        Case::new("r-task-3 the poster cannot claim their own task")
            .enrolled(OFFICER, true)
            .tx(OFFICER, task(1_500, 3))
            .tx(OFFICER, claim(1))
            .rejects(Rejection::OwnTask(TaskId(1))),
        Case::new("r-task-3 one claim per resident per task")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, claim(1))
            .rejects(Rejection::AlreadyClaimed(TaskId(1))),
        Case::new("r-task-3 a paid resident cannot claim the same task again")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx(VERIFIER, approve_work(1))
            .tx(ALICE, claim(1))
            .rejects(Rejection::AlreadyClaimed(TaskId(1))),
        Case::new("r-task-3 no free slot")
            .tx(OFFICER, task(1_500, 1))
            .tx(ALICE, claim(1))
            .tx(BOB, claim(1))
            .rejects(Rejection::TaskFull(TaskId(1))),
        Case::new("r-task-3 a paid slot stays taken")
            .tx(OFFICER, task(1_500, 1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx(VERIFIER, approve_work(1))
            .tx(BOB, claim(1))
            .rejects(Rejection::TaskFull(TaskId(1))),
        Case::new("r-task-3 claiming at the deadline")
            .at(0)
            .tx(OFFICER, post(GRASBROEK, 1_500, 1, 60 * SECOND))
            .at(60 * SECOND)
            .tx(ALICE, claim(1))
            .rejects(Rejection::DeadlinePassed(TaskId(1))),
        Case::new("r-task-3 claiming one ms before the deadline")
            .at(0)
            .tx(OFFICER, post(GRASBROEK, 1_500, 1, 60 * SECOND))
            .at(60 * SECOND - 1)
            .tx(ALICE, claim(1))
            .accepts(),
        Case::new("r-task-3 claiming a cancelled task")
            .tx(OFFICER, task(1_500, 3))
            .tx(OFFICER, cancel(1))
            .tx(ALICE, claim(1))
            .rejects(Rejection::TaskCancelled(TaskId(1))),
        Case::new("r-task-3 claiming an unknown task").tx(ALICE, claim(9)).rejects(Rejection::UnknownTask(TaskId(9))),
    ]
}

fn submit_cases() -> Vec<Case> {
    vec![
        Case::new("r-task-4 the worker submits evidence and verifiers are drawn")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .emits(vec![Event::WorkSubmitted { claim: ClaimId(1), worker: id(ALICE), evidence: evidence(1) }])
            .check("submitted", |s| {
                let c = claim_of(s, 1)?;
                eq("status, evidence", (c.status, c.evidence), (ClaimStatus::Submitted, Some(evidence(1))))?;
                eq("retention", c.retain_until, Some(Timestamp(T0 + 365 * DAY)))?;
                eq("one reviewer", c.reviewers.len(), 1)?;
                eq("submissions", c.submissions, 1)
            }),
        Case::new("r-task-4 submitting someone else's claim")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(BOB, submit(1))
            .rejects(Rejection::NotYourClaim(ClaimId(1))),
        Case::new("r-task-4 submitting twice")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx(ALICE, submit(1))
            .rejects(Rejection::ClaimStatus {
                claim: ClaimId(1),
                expected: ClaimStatus::Claimed,
                actual: ClaimStatus::Submitted,
            }),
        Case::new("r-task-4 submitting an unknown claim")
            .tx(ALICE, submit(5))
            .rejects(Rejection::UnknownClaim(ClaimId(5))),
        Case::new("r-task-4 a retention date in the past or too far ahead")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(
                ALICE,
                Action::SubmitWork(SubmitWork {
                    claim: ClaimId(1),
                    evidence: evidence(1),
                    retain_until: Timestamp(T0),
                }),
            )
            .rejects(Rejection::RetentionOutOfRange { max_days: 730 })
            .tx(
                ALICE,
                Action::SubmitWork(SubmitWork {
                    claim: ClaimId(1),
                    evidence: evidence(1),
                    retain_until: Timestamp(T0 + 800 * DAY),
                }),
            )
            .rejects(Rejection::RetentionOutOfRange { max_days: 730 }),
        Case::new("r-task-4 submitting at the deadline")
            .at(0)
            .tx(OFFICER, post(GRASBROEK, 1_500, 1, 60 * SECOND))
            .tx(ALICE, claim(1))
            .at(59 * SECOND)
            .tx(ALICE, submit(1))
            .accepts(),
        Case::new("r-task-4 submitting on a cancelled task")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(OFFICER, cancel(1))
            .tx(ALICE, submit(1))
            .rejects(Rejection::ClaimStatus {
                claim: ClaimId(1),
                expected: ClaimStatus::Claimed,
                actual: ClaimStatus::Cancelled,
            }),
    ]
}

/// Claim 1 on a 15.00 task of `slots` slots, submitted by Alice and reviewed `k` of `n`.
fn submitted(name: &'static str, slots: u16, k: u8, n: u8) -> Case {
    Case::new(name).tx(OFFICER, task_k_of_n(1_500, slots, k, n)).tx(ALICE, claim(1)).tx(ALICE, submit(1))
}

fn approve_cases() -> Vec<Case> {
    vec![
        Case::new("r-task-5 approval opens the objection window; the window closing pays 15.00")
            .tx(OFFICER, post(GRASBROEK, 1_500, 3, 10 * DAY))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx_by(first_reviewer, approve_work(1))
            .accepts()
            .check("held, not paid", |s| {
                eq("alice", bal(s, ALICE), 10_000)?;
                let c = claim_of(s, 1)?;
                eq("status", c.status, ClaimStatus::InObjectionWindow)?;
                eq("closes", c.window_closes, Some(Timestamp(T0 + 3 * SECOND + WINDOW)))?;
                eq("escrow", task_of(s, 1)?.escrow, Amount(4_500))
            })
            .wait(WINDOW - 2 * SECOND)
            .block()
            .check("one ms short of the window: still held", |s| eq("alice", bal(s, ALICE), 10_000))
            .wait(SECOND)
            .block()
            .check("paid from escrow", |s| {
                eq("alice", bal(s, ALICE), 11_500)?;
                let t = task_of(s, 1)?;
                eq("escrow, rewarded", (t.escrow, t.rewarded), (Amount(3_000), 1))?;
                eq("slot held", t.claims, vec![ClaimId(1)])?;
                eq("budget untouched", budget_of(s, GRASBROEK), Some(95_500))?;
                eq("claim", claim_of(s, 1)?.status, ClaimStatus::Rewarded)?;
                eq("earned in 2026", s.get(&Key::Earned(id(ALICE), 2026)).cloned(), Some(Value::Earned(Amount(1_500))))
            }),
        Case::new("r-task-5 work submitted in time may be approved after the deadline")
            .at(0)
            .tx(OFFICER, post(GRASBROEK, 1_500, 1, 60 * SECOND))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .at(DAY)
            .tx_by(first_reviewer, approve_work(1))
            .accepts()
            .wait(WINDOW)
            .block()
            .check("paid", |s| eq("alice", bal(s, ALICE), 11_500)),
        Case::new("r-task-6 a verifier cannot approve their own work")
            .enrolled(VERIFIER, true)
            .tx(OFFICER, task(1_500, 3))
            .tx(VERIFIER, claim(1))
            .tx(VERIFIER, submit(1))
            .check("never drawn for own work", |s| {
                eq("not a reviewer", claim_of(s, 1)?.reviewers.contains(&id(VERIFIER)), false)
            })
            .tx(VERIFIER, approve_work(1))
            .rejects(Rejection::SelfVerification)
            .tx(VERIFIER, reject_work(1, RejectReason::Incomplete))
            .rejects(Rejection::SelfVerification),
        Case::new("r-task-7 a verifier cannot review work on a task they posted")
            .tx(OFFICER2, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .check("the poster is never drawn", |s| {
                eq("reviewers", claim_of(s, 1)?.reviewers.contains(&id(OFFICER2)), false)
            })
            .tx(OFFICER2, approve_work(1))
            .rejects(Rejection::VerifierPostedTask)
            .tx(OFFICER2, reject_work(1, RejectReason::Duplicate))
            .rejects(Rejection::VerifierPostedTask),
        Case::new("r-task-5 only verifiers approve")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx(OFFICER, approve_work(1))
            .rejects(Rejection::MissingRole(Role::Verifier))
            .tx(ALICE, approve_work(1))
            .rejects(Rejection::MissingRole(Role::Verifier)),
        Case::new("r-task-5 work not yet submitted")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(VERIFIER, approve_work(1))
            .rejects(Rejection::ClaimStatus {
                claim: ClaimId(1),
                expected: ClaimStatus::Submitted,
                actual: ClaimStatus::Claimed,
            }),
        Case::new("r-task-5 approving an unknown claim")
            .tx(VERIFIER, approve_work(3))
            .rejects(Rejection::UnknownClaim(ClaimId(3))),
        submitted("r-rev-4 a verifier who was not drawn cannot vote", 1, 1, 1)
            .tx_by(outsider, approve_work(1))
            .rejects(Rejection::NotDrawnReviewer(ClaimId(1))),
        submitted("r-rev-4 one vote per verifier", 1, 2, 3)
            .tx_by(first_reviewer, approve_work(1))
            .tx_by(first_reviewer, approve_work(1))
            .rejects(Rejection::AlreadyVoted(ClaimId(1))),
        submitted("r-rev-5 two of three approvals open the window", 1, 2, 3)
            .check("three drawn, none of them Alice or the poster", |s| {
                let c = claim_of(s, 1)?;
                let mut r = c.reviewers;
                r.sort();
                r.dedup();
                eq("three distinct", r.len(), 3)?;
                eq("excluded", r.contains(&id(ALICE)) || r.contains(&id(OFFICER)), false)
            })
            .tx_by(first_reviewer, approve_work(1))
            .check("one approval: under review", |s| eq("status", claim_of(s, 1)?.status, ClaimStatus::UnderReview))
            .tx_by(second_reviewer, reject_work(1, RejectReason::Incomplete))
            .check("one each: still under review", |s| eq("status", claim_of(s, 1)?.status, ClaimStatus::UnderReview))
            .tx_by(third_reviewer, approve_work(1))
            .check("k reached", |s| eq("status", claim_of(s, 1)?.status, ClaimStatus::InObjectionWindow))
            .wait(WINDOW)
            .block()
            .check("paid", |s| eq("alice", bal(s, ALICE), 11_500)),
        submitted("r-rev-5 two of three rejections reject", 1, 2, 3)
            .tx_by(first_reviewer, reject_work(1, RejectReason::WrongLocation))
            .tx_by(second_reviewer, reject_work(1, RejectReason::Incomplete))
            .check("rejected with a reason", |s| {
                let c = claim_of(s, 1)?;
                eq("status, reason", (c.status, c.reason), (ClaimStatus::Rejected, Some(RejectReason::Incomplete)))
            })
            .tx_by(third_reviewer, approve_work(1))
            .rejects(Rejection::ClaimStatus {
                claim: ClaimId(1),
                expected: ClaimStatus::Submitted,
                actual: ClaimStatus::Rejected,
            }),
        Case::new("r-rev-1 k must be 1 to n and n 1 to 7")
            .tx(OFFICER, task_k_of_n(100, 1, 0, 1))
            .rejects(Rejection::ReviewRule { approvals: 0, reviewers: 1, max: 7 })
            .tx(OFFICER, task_k_of_n(100, 1, 3, 2))
            .rejects(Rejection::ReviewRule { approvals: 3, reviewers: 2, max: 7 })
            .tx(OFFICER, task_k_of_n(100, 1, 1, 8))
            .rejects(Rejection::ReviewRule { approvals: 1, reviewers: 8, max: 7 }),
        Case::new("r-rev-2 too few eligible verifiers refuses the submission")
            .tx(OFFICER2, task_k_of_n(1_500, 1, 4, 4))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .rejects(Rejection::NotEnoughVerifiers { needed: 4, eligible: 3 }),
        Case::new("r-rev-2 co-workers on the same task are never drawn")
            .enrolled(VERIFIER, true)
            .enrolled(V3, true)
            .tx(OFFICER2, task_k_of_n(1_500, 3, 1, 1))
            .tx(VERIFIER, claim(1))
            .tx(V3, claim(1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(3))
            .check("only V4 is eligible", |s| eq("reviewers", claim_of(s, 3)?.reviewers, vec![id(V4)])),
        Case::new("r-rev-2 a co-worker on the task never votes, objects or decides")
            .enrolled(VERIFIER, true)
            .tx(OFFICER2, task_k_of_n(1_500, 2, 1, 1))
            .tx(VERIFIER, claim(1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(2))
            .tx(VERIFIER, approve_work(2))
            .rejects(Rejection::CoWorker(TaskId(1)))
            .tx(VERIFIER, reject_work(2, RejectReason::Incomplete))
            .rejects(Rejection::CoWorker(TaskId(1))),
        Case::new("r-rev-2 a drawn verifier cannot become a co-worker")
            .enrolled(VERIFIER, true)
            .roles(V3, &[])
            .roles(V4, &[])
            .tx(OFFICER2, task_k_of_n(1_500, 2, 1, 1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .check("VERIFIER is the only eligible verifier", |s| {
                eq("drawn", claim_of(s, 1)?.reviewers, vec![id(VERIFIER)])
            })
            .tx(VERIFIER, claim(1))
            .rejects(Rejection::ReviewerOfTask(TaskId(1))),
        Case::new("r-rev-2 a reviewer never takes the slot their rejection freed")
            .enrolled(VERIFIER, true)
            .roles(V3, &[])
            .roles(V4, &[])
            .world(|w| w.review_share = 100)
            .tx(OFFICER2, task_k_of_n(1_500, 1, 1, 1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx(VERIFIER, reject_work(1, RejectReason::Incomplete))
            .tx(ALICE, submit(1))
            .tx(VERIFIER, reject_work(1, RejectReason::Incomplete))
            .check("slot free", |s| eq("claims", task_of(s, 1)?.claims, vec![]))
            .tx(VERIFIER, claim(1))
            .rejects(Rejection::ReviewerOfTask(TaskId(1))),
        Case::new("r-rev-2 the draw follows the parent block hash")
            .tx(OFFICER, task_k_of_n(100, 2, 2, 2))
            .tx(ALICE, claim(1))
            .tx(BOB, claim(1))
            .tx(ALICE, submit(1))
            .tx(BOB, submit(2))
            .check("draws are a pure function of (parent, claim, submission)", |s| {
                for c in [1u64, 2] {
                    let claim = claim_of(s, c)?;
                    let mut pool: Vec<AccountId> = [VERIFIER, OFFICER2, V3, V4].iter().map(|v| id(*v)).collect();
                    pool.sort_by_key(|v| {
                        contracts::rules::review::draw_score(
                            &HashKind::Block.hash(&(3 + c).to_be_bytes()),
                            ClaimId(c),
                            1,
                            v,
                        )
                    });
                    eq("lowest two scores", claim.reviewers.clone(), pool[..2].to_vec())?;
                }
                Ok(())
            }),
    ]
}

fn reject_cases() -> Vec<Case> {
    vec![
        submitted("r-task-8 a rejection records its reason; the slot is kept for a resubmission", 1, 1, 1)
            .tx_by(first_reviewer, reject_work(1, RejectReason::EvidenceUnclear))
            .accepts()
            .check("rejected", |s| {
                let c = claim_of(s, 1)?;
                eq("status", c.status, ClaimStatus::Rejected)?;
                eq("reason", c.reason, Some(RejectReason::EvidenceUnclear))?;
                eq("may resubmit until", c.resubmit_until, Some(Timestamp(T0 + 3 * SECOND + 7 * DAY)))?;
                let t = task_of(s, 1)?;
                eq("slot kept", t.claims, vec![ClaimId(1)])?;
                eq("escrow stays", t.escrow, Amount(1_500))?;
                eq("alice unpaid", bal(s, ALICE), 10_000)
            })
            .tx(BOB, claim(1))
            .rejects(Rejection::TaskFull(TaskId(1))),
        submitted("r-rev-6 one resubmission, with a fresh draw; a second rejection is final", 1, 1, 1)
            .tx_by(first_reviewer, reject_work(1, RejectReason::WrongLocation))
            .tx(ALICE, submit(1))
            .check("resubmitted", |s| {
                let c = claim_of(s, 1)?;
                eq(
                    "status, submissions, votes",
                    (c.status, c.submissions, c.votes.len()),
                    (ClaimStatus::Submitted, 2, 0),
                )
            })
            .tx_by(first_reviewer, reject_work(1, RejectReason::Incomplete))
            .check("final: slot free", |s| {
                let c = claim_of(s, 1)?;
                eq("status, resubmit", (c.status, c.resubmit_until), (ClaimStatus::Rejected, None))?;
                eq("slot freed", task_of(s, 1)?.claims, vec![])
            })
            .tx(ALICE, submit(1))
            .rejects(Rejection::ResubmitNotAllowed(ClaimId(1)))
            .tx(ALICE, claim(1))
            .rejects(Rejection::AlreadyClaimed(TaskId(1)))
            .tx(BOB, claim(1))
            .accepts(),
        submitted("r-rev-6 the right to resubmit lapses and frees the slot", 1, 1, 1)
            .tx_by(first_reviewer, reject_work(1, RejectReason::Incomplete))
            .wait(7 * DAY)
            .block()
            .check("lapsed: task expired meanwhile, so the slot's escrow went back", |s| {
                eq("claim", claim_of(s, 1)?.resubmit_until, None)?;
                let t = task_of(s, 1)?;
                eq("task", (t.status, t.escrow, t.claims.len()), (TaskStatus::Expired, Amount(0), 0))?;
                eq("budget whole", budget_of(s, GRASBROEK), Some(100_000))
            })
            .tx(ALICE, submit(1))
            .rejects(Rejection::ResubmitNotAllowed(ClaimId(1))),
        Case::new("r-task-8 rejecting work not yet submitted")
            .tx(OFFICER, task(1_500, 1))
            .tx(ALICE, claim(1))
            .tx(VERIFIER, reject_work(1, RejectReason::QualityInsufficient))
            .rejects(Rejection::ClaimStatus {
                claim: ClaimId(1),
                expected: ClaimStatus::Submitted,
                actual: ClaimStatus::Claimed,
            }),
        Case::new("r-task-8 only verifiers reject")
            .tx(OFFICER, task(1_500, 1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx(OFFICER, reject_work(1, RejectReason::Incomplete))
            .rejects(Rejection::MissingRole(Role::Verifier)),
        Case::new("r-task-8 rejecting an unknown claim")
            .tx(VERIFIER, reject_work(4, RejectReason::Incomplete))
            .rejects(Rejection::UnknownClaim(ClaimId(4))),
    ]
}

fn objection_cases() -> Vec<Case> {
    vec![
        submitted("r-obj-2 an officer's objection stops the payout at once", 1, 1, 1)
            .tx_by(first_reviewer, approve_work(1))
            .tx(OFFICER2, object(1, RejectReason::NotAdditional))
            .accepts()
            .check("rejected, may resubmit", |s| {
                let c = claim_of(s, 1)?;
                eq("status, reason", (c.status, c.reason), (ClaimStatus::Rejected, Some(RejectReason::NotAdditional)))?;
                eq("objector", c.objection.map(|o| o.by), Some(id(OFFICER2)))
            })
            .wait(WINDOW)
            .block()
            .check("never paid", |s| eq("alice", bal(s, ALICE), 10_000)),
        submitted("r-obj-3 a verifier's objection waits for an officer, who upholds it", 1, 1, 1)
            .tx_by(first_reviewer, approve_work(1))
            .tx_by(outsider, object(1, RejectReason::Duplicate))
            .check("objected", |s| eq("status", claim_of(s, 1)?.status, ClaimStatus::Objected))
            .wait(WINDOW)
            .block()
            .check("not paid while objected", |s| eq("alice", bal(s, ALICE), 10_000))
            .tx(OFFICER, resolve(1, true))
            .check("rejected", |s| eq("status", claim_of(s, 1)?.status, ClaimStatus::Rejected))
            .tx(OFFICER, resolve(1, true))
            .rejects(Rejection::NoObjection(ClaimId(1))),
        submitted("r-obj-3 a dismissed objection after the window pays at once", 1, 1, 1)
            .tx_by(first_reviewer, approve_work(1))
            .tx_by(outsider, object(1, RejectReason::Duplicate))
            .wait(WINDOW)
            .tx(OFFICER, resolve(1, false))
            .check("paid", |s| {
                eq("alice", bal(s, ALICE), 11_500)?;
                eq("status", claim_of(s, 1)?.status, ClaimStatus::Rewarded)
            }),
        submitted("r-obj-3 a dismissed objection inside the window lets it run out", 1, 1, 1)
            .tx_by(first_reviewer, approve_work(1))
            .tx_by(outsider, object(1, RejectReason::Duplicate))
            .tx(OFFICER, resolve(1, false))
            .check("window again", |s| eq("status", claim_of(s, 1)?.status, ClaimStatus::InObjectionWindow))
            .wait(WINDOW)
            .block()
            .check("paid", |s| eq("alice", bal(s, ALICE), 11_500)),
        submitted("r-obj-2 the worker, residents and closed windows cannot object", 1, 1, 1)
            .tx_by(first_reviewer, approve_work(1))
            .tx(ALICE, object(1, RejectReason::Duplicate))
            .rejects(Rejection::MayNotObject)
            .tx(BOB, object(1, RejectReason::Duplicate))
            .rejects(Rejection::MayNotObject)
            .wait(WINDOW)
            .tx(OFFICER, object(1, RejectReason::Duplicate))
            .rejects(Rejection::WindowClosed(ClaimId(1))),
    ]
}

fn lifecycle_cases() -> Vec<Case> {
    vec![
        Case::new("r-task-1 a draft holds no escrow until it is opened")
            .tx(OFFICER, draft(1_500, 2))
            .check("draft", |s| {
                let t = task_of(s, 1)?;
                eq("status, escrow", (t.status, t.escrow), (TaskStatus::Draft, Amount(0)))?;
                eq("budget", budget_of(s, GRASBROEK), Some(100_000))
            })
            .tx(ALICE, claim(1))
            .rejects(Rejection::TaskStatus { task: TaskId(1), expected: "open", status: "a draft" })
            .tx(OFFICER2, open(1))
            .rejects(Rejection::NotTaskPoster(TaskId(1)))
            .tx(OFFICER, open(1))
            .emits(vec![Event::TaskOpened { task: TaskId(1), escrow: Amount(3_000) }])
            .tx(OFFICER, open(1))
            .rejects(Rejection::TaskStatus { task: TaskId(1), expected: "a draft", status: "open" })
            .tx(ALICE, claim(1))
            .accepts(),
        Case::new("r-task-11 at the deadline unclaimed and unsubmitted slots go back to the budget")
            .at(0)
            .tx(OFFICER, post(GRASBROEK, 1_500, 4, 60 * SECOND))
            .tx(ALICE, claim(1))
            .tx(BOB, claim(1))
            .tx(ALICE, submit(1))
            .at(60 * SECOND)
            .block()
            .check("expired", |s| {
                let t = task_of(s, 1)?;
                eq("status", t.status, TaskStatus::Expired)?;
                eq("escrow for Alice's slot only", t.escrow, Amount(1_500))?;
                eq("budget", budget_of(s, GRASBROEK), Some(98_500))?;
                eq("bob expired", claim_of(s, 2)?.status, ClaimStatus::Expired)
            })
            .tx(CAROL, claim(1))
            .rejects(Rejection::DeadlinePassed(TaskId(1)))
            .tx_by(first_reviewer, reject_work(1, RejectReason::Incomplete))
            .tx(ALICE, submit(1))
            .tx_by(first_reviewer, reject_work(1, RejectReason::Incomplete))
            .check("final rejection after expiry refunds the slot", |s| {
                eq("escrow", task_of(s, 1)?.escrow, Amount(0))?;
                eq("budget", budget_of(s, GRASBROEK), Some(100_000))
            }),
    ]
}

fn cap_cases() -> Vec<Case> {
    vec![
        Case::new("r-cap-1 a claim that would exceed the annual cap is refused before the work")
            .world(|w| w.annual_cap = Amount(2_500))
            .tx(OFFICER, task(1_500, 3))
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, claim(2))
            .rejects(Rejection::AnnualCapReached {
                year: 2026,
                cap: Amount(2_500),
                remaining: Amount(1_000),
                reward: Amount(1_500),
            }),
        Case::new("r-cap-1 paid rewards count; a closed claim gives its reservation back")
            .world(|w| w.annual_cap = Amount(3_000))
            .tx(OFFICER, post(GRASBROEK, 1_500, 3, 10 * DAY))
            .tx(OFFICER, post(GRASBROEK, 1_500, 3, 10 * DAY))
            .tx(OFFICER, post(GRASBROEK, 1_500, 3, 10 * DAY))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx_by(first_reviewer, approve_work(1))
            .wait(WINDOW)
            .block()
            .tx(ALICE, claim(2))
            .tx(ALICE, claim(3))
            .rejects(Rejection::AnnualCapReached {
                year: 2026,
                cap: Amount(3_000),
                remaining: Amount(0),
                reward: Amount(1_500),
            })
            .tx(OFFICER, cancel(2))
            .tx(ALICE, claim(3))
            .accepts(),
        Case::new("r-cap-2 the year turns at midnight in the Netherlands").check("dutch year", |_| {
            // 2026-12-31T22:59:59.999Z is 23:59:59.999 in Heerlen; a ms later it is 2027.
            let new_year = 1_798_758_000_000u64;
            eq("years", (Timestamp(new_year - 1).dutch_year(), Timestamp(new_year).dutch_year()), (2026, 2027))?;
            eq("2024-02-29", Timestamp(1_709_164_800_000).dutch_year(), 2024)
        }),
    ]
}

fn task_rules(window: u64, resubmit: u64, cap: u64, share: u8) -> Action {
    propose(CouncilAction::SetTaskRules {
        objection_window_ms: window,
        resubmit_window_ms: resubmit,
        annual_cap: Amount(cap),
        max_review_share_pct: share,
    })
}

fn task_rule_cases() -> Vec<Case> {
    vec![
        Case::new("r-cap-3 the council changes the cap and the windows with 2 of 3")
            .tx(C1, task_rules(DAY, 3 * DAY, 200_000, 40))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: ProposalId(1), approver: id(C2), approvals: 2, threshold: 2 },
                Event::TaskRulesSet { proposal: ProposalId(1) },
            ])
            .check("params", |s| {
                let p = glob(s).params;
                eq(
                    "window, resubmit, cap, share",
                    (p.objection_window_ms, p.resubmit_window_ms, p.annual_cap, p.max_review_share_pct),
                    (DAY, 3 * DAY, Amount(200_000), 40),
                )
            }),
        Case::new("r-cap-3 out-of-range task rules are refused")
            .tx(C1, task_rules(31 * DAY, DAY, 1, 50))
            .rejects(Rejection::WindowTooLong { max_ms: 30 * DAY })
            .tx(C1, task_rules(DAY, DAY, 10_000_001, 50))
            .rejects(Rejection::AnnualCapTooHigh { cap: Amount(10_000_001), max: Amount(10_000_000) })
            .tx(C1, task_rules(DAY, DAY, 1, 0))
            .rejects(Rejection::ReviewShareOutOfRange(0)),
        Case::new("r-rev-3 no verifier takes more than the set share of one worker's draws")
            .world(|w| w.review_share = 50)
            .tx(OFFICER2, task_k_of_n(100, 1, 1, 1))
            .tx(OFFICER2, task_k_of_n(100, 1, 1, 1))
            .tx(OFFICER2, task_k_of_n(100, 1, 1, 1))
            .tx(ALICE, claim(1))
            .tx(ALICE, claim(2))
            .tx(ALICE, claim(3))
            .tx(ALICE, submit(1))
            .tx(ALICE, submit(2))
            .tx(ALICE, submit(3))
            .check("three draws from {VERIFIER, V3, V4}: at most ceil(50% of draws) each", |s| {
                let mut counts = BTreeMap::new();
                for c in 1..=3 {
                    for r in claim_of(s, c)?.reviewers {
                        *counts.entry(r).or_insert(0u32) += 1;
                    }
                }
                eq("nobody above 2 of 3", counts.values().all(|n| *n <= 2), true)?;
                for (v, n) in &counts {
                    eq("recorded", s.get(&Key::ReviewPair(id(ALICE), *v)).cloned(), Some(Value::ReviewPair(*n)))?;
                }
                Ok(())
            }),
        Case::new("r-rev-2 the pool follows the verifier role")
            .tx(C1, revoke(V3, Role::Verifier))
            .tx(C2, approve(1))
            .tx(C1, grant(ALICE, Role::Verifier))
            .tx(C2, approve(2))
            .check("pool", |s| {
                let Some(Value::Verifiers(pool)) = s.get(&Key::Verifiers).cloned() else {
                    return Err("no pool".into());
                };
                eq(
                    "V3 out, Alice in",
                    (pool.members.contains(&id(V3)), pool.members.contains(&id(ALICE))),
                    (false, true),
                )?;
                let mut sorted_members = pool.members.clone();
                sorted_members.sort();
                eq("ascending", sorted_members, pool.members)
            }),
        Case::new("r-rev-2 a full pool refuses another verifier")
            .world(|w| {
                for n in 0..contracts::state::MAX_VERIFIERS as u32 {
                    let mut bytes = [7u8; 32];
                    bytes[..4].copy_from_slice(&n.to_be_bytes());
                    w.accounts.insert(
                        AccountId(bytes),
                        contracts::state::Account {
                            roles: [Role::Verifier].into_iter().collect(),
                            ..Default::default()
                        },
                    );
                }
                for seed in [OFFICER2, VERIFIER, V3, V4] {
                    w.account_mut(seed).roles = w.account_mut(seed).roles.without(Role::Verifier);
                }
            })
            .tx(C1, grant(ALICE, Role::Verifier))
            .tx(C2, approve(1))
            .rejects(Rejection::VerifierPoolFull(contracts::state::MAX_VERIFIERS)),
    ]
}

fn cancel_cases() -> Vec<Case> {
    vec![
        Case::new("r-task-9 cancelling refunds unpaid escrow; approved work in its window is still paid")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx_by(first_reviewer, approve_work(1))
            .tx(BOB, claim(1))
            .tx(CAROL, claim(1))
            .tx(CAROL, submit(3))
            .tx(OFFICER, cancel(1))
            .emits(vec![Event::TaskCancelled { task: TaskId(1), budget: budget(GRASBROEK), refund: Amount(3_000) }])
            .check("refunded", |s| {
                eq("budget", budget_of(s, GRASBROEK), Some(98_500))?;
                let t = task_of(s, 1)?;
                eq("escrow, status", (t.escrow, t.status), (Amount(1_500), TaskStatus::Cancelled))?;
                eq(
                    "claims",
                    (claim_of(s, 1)?.status, claim_of(s, 2)?.status, claim_of(s, 3)?.status),
                    (ClaimStatus::InObjectionWindow, ClaimStatus::Cancelled, ClaimStatus::Cancelled),
                )
            })
            .tx(BOB, submit(2))
            .rejects(Rejection::ClaimStatus {
                claim: ClaimId(2),
                expected: ClaimStatus::Claimed,
                actual: ClaimStatus::Cancelled,
            })
            .tx(OFFICER, cancel(1))
            .rejects(Rejection::TaskCancelled(TaskId(1)))
            .wait(WINDOW)
            .block()
            .check("alice is paid; escrow empty", |s| {
                eq("alice", bal(s, ALICE), 11_500)?;
                eq("escrow", task_of(s, 1)?.escrow, Amount(0))
            }),
        Case::new("r-task-9 cancelling an untouched task refunds all of it")
            .tx(OFFICER, task(1_500, 3))
            .tx(OFFICER, cancel(1))
            .check("budget whole again", |s| eq("budget", budget_of(s, GRASBROEK), Some(100_000))),
        Case::new("r-task-9 cancelling ends a pending resubmission and refunds its slot")
            .tx(OFFICER, task(1_500, 1))
            .tx(ALICE, claim(1))
            .tx(ALICE, submit(1))
            .tx_by(first_reviewer, reject_work(1, RejectReason::Incomplete))
            .tx(OFFICER, cancel(1))
            .check("cancelled", |s| {
                eq("claim", claim_of(s, 1)?.status, ClaimStatus::Cancelled)?;
                eq("budget", budget_of(s, GRASBROEK), Some(100_000))
            }),
        Case::new("r-task-9 only the poster cancels")
            .tx(OFFICER, task(1_500, 3))
            .tx(OFFICER2, cancel(1))
            .rejects(Rejection::NotTaskPoster(TaskId(1))),
        Case::new("r-task-9 cancelling needs the officer role")
            .tx(OFFICER, task(1_500, 3))
            .tx(ALICE, cancel(1))
            .rejects(Rejection::MissingRole(Role::Officer)),
        Case::new("r-task-9 cancelling an unknown task")
            .tx(OFFICER, cancel(4))
            .rejects(Rejection::UnknownTask(TaskId(4))),
    ]
}

// ---------------------------------------------------------------------------------------------
// R-RED-1..2: redemptions.

fn redemption_cases() -> Vec<Case> {
    vec![
        Case::new("r-red-1 a merchant redeems and the coins are burned")
            .tx(MERCHANT, redeem(2_000))
            .emits(vec![Event::Redeemed { redemption: RedemptionId(1), merchant: id(MERCHANT), amount: Amount(2_000) }])
            .check("burned", |s| {
                eq("merchant", bal(s, MERCHANT), 3_000)?;
                let g = glob(s);
                eq("burned, settled, minted", (g.burned.0, g.settled.0, g.minted.0), (2_000, 0, minted0()))?;
                eq("next", g.next_redemption, RedemptionId(2))?;
                let r = redemption_of(s, 1)?;
                eq(
                    "redemption",
                    (r.merchant, r.amount, r.status),
                    (id(MERCHANT), Amount(2_000), RedemptionStatus::Pending),
                )?;
                eq("created, settled at", (r.created_at, r.settled_at), (Timestamp(T0), None))
            }),
        Case::new("r-red-1 only merchants redeem")
            .tx(ALICE, redeem(100))
            .rejects(Rejection::MissingRole(Role::Merchant)),
        Case::new("r-red-1 redeeming zero").tx(MERCHANT, redeem(0)).rejects(Rejection::ZeroAmount),
        Case::new("r-red-1 redeeming more than the balance")
            .tx(MERCHANT, redeem(5_001))
            .rejects(Rejection::InsufficientBalance { needed: Amount(5_001), available: Amount(5_000) }),
        Case::new("r-red-1 redemption ids increase and are never reused")
            .tx(MERCHANT, redeem(100))
            .tx(TREASURER, settle(1, "HLN-2026-000001"))
            .tx(MERCHANT, redeem(0))
            .rejects(Rejection::ZeroAmount)
            .tx(MERCHANT, redeem(200))
            .emits(vec![Event::Redeemed { redemption: RedemptionId(2), merchant: id(MERCHANT), amount: Amount(200) }])
            .tx(MERCHANT, redeem(300))
            .emits(vec![Event::Redeemed { redemption: RedemptionId(3), merchant: id(MERCHANT), amount: Amount(300) }])
            .check("three distinct redemptions", |s| {
                let ids: Vec<(u64, u64)> = s.redemptions().map(|(i, r)| (i.0, r.amount.0)).collect();
                eq("redemptions", ids, vec![(1, 100), (2, 200), (3, 300)])?;
                eq("next", glob(s).next_redemption, RedemptionId(4))
            }),
        Case::new("r-red-2 the treasurer settles a redemption")
            .tx(MERCHANT, redeem(2_000))
            .tx(TREASURER, settle(1, "HLN-2026-000001"))
            .emits(vec![Event::RedemptionSettled {
                redemption: RedemptionId(1),
                merchant: id(MERCHANT),
                amount: Amount(2_000),
                reference: payout_ref("HLN-2026-000001"),
            }])
            .check("settled", |s| {
                let r = redemption_of(s, 1)?;
                eq("status", r.status, RedemptionStatus::Settled)?;
                eq("reference", r.reference, Some(payout_ref("HLN-2026-000001")))?;
                eq("settled at", r.settled_at, Some(Timestamp(T0 + SECOND)))?;
                eq("globals settled", glob(s).settled.0, 2_000)
            }),
        Case::new("r-red-2 settling twice")
            .tx(MERCHANT, redeem(2_000))
            .tx(TREASURER, settle(1, "HLN-2026-000001"))
            .tx(TREASURER, settle(1, "HLN-2026-000002"))
            .rejects(Rejection::AlreadySettled(RedemptionId(1)))
            .check("the first settlement stands", |s| {
                eq("reference", redemption_of(s, 1)?.reference, Some(payout_ref("HLN-2026-000001")))?;
                eq("settled once", glob(s).settled.0, 2_000)
            }),
        Case::new("r-red-2 settling an unknown redemption")
            .tx(TREASURER, settle(9, "HLN-2026-000009"))
            .rejects(Rejection::UnknownRedemption(RedemptionId(9))),
        Case::new("r-red-2 only the treasurer settles")
            .tx(MERCHANT, redeem(2_000))
            .tx(MERCHANT, settle(1, "HLN-2026-000001"))
            .rejects(Rejection::MissingRole(Role::Treasurer)),
    ]
}

// ---------------------------------------------------------------------------------------------
// R-RED-3..6: idempotent retries, the fee, the minimum and batch settlement.

fn replay_cases() -> Vec<Case> {
    let r1 = RedemptionId(1);
    vec![
        Case::new("r-red-3 a retried redemption burns once and names the original")
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .emits(vec![Event::Redeemed { redemption: r1, merchant: id(MERCHANT), amount: Amount(2_000) }])
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: r1 }])
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: r1 }])
            .check("burned once", move |s| {
                eq("merchant", bal(s, MERCHANT), 3_000)?;
                eq("burned", glob(s).burned.0, 2_000)?;
                eq("redemptions", s.redemptions().count(), 1)?;
                eq("next", glob(s).next_redemption, RedemptionId(2))?;
                eq("key", s.redeem_key(&id(MERCHANT), &IdempotencyKey([1; 16])), Some(r1))
            }),
        Case::new("r-red-3 a retry names the original even when the balance no longer covers it")
            .tx(MERCHANT, redeem_keyed(5_000, 1))
            .tx(MERCHANT, redeem_keyed(5_000, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: r1 }])
            .check("merchant is empty, burned once", |s| {
                eq("merchant, burned", (bal(s, MERCHANT), glob(s).burned.0), (0, 5_000))
            }),
        Case::new("r-red-3 a retry after settlement names the settled original")
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .tx(TREASURER, settle(1, "HLN-2026-000001"))
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: r1 }])
            .check("settled once, burned once", |s| {
                eq("burned, settled", (glob(s).burned.0, glob(s).settled.0), (2_000, 2_000))
            }),
        Case::new("r-red-3 a retry after the merchant role was revoked still names the original")
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .tx(C1, revoke(MERCHANT, Role::Merchant))
            .tx(C2, approve(1))
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: r1 }])
            .tx(MERCHANT, redeem_keyed(2_000, 2))
            .rejects(Rejection::MissingRole(Role::Merchant)),
        Case::new("r-red-3 a new key makes a new redemption of the same amount")
            .tx(MERCHANT, redeem_keyed(1_000, 1))
            .tx(MERCHANT, redeem_keyed(1_000, 2))
            .emits(vec![Event::Redeemed { redemption: RedemptionId(2), merchant: id(MERCHANT), amount: Amount(1_000) }])
            .check("burned twice", |s| eq("merchant, burned", (bal(s, MERCHANT), glob(s).burned.0), (3_000, 2_000))),
        Case::new("r-red-3 a key reused for another amount is refused")
            .tx(MERCHANT, redeem_keyed(2_000, 1))
            .tx(MERCHANT, redeem_keyed(1_000, 1))
            .rejects(Rejection::IdempotencyKeyReused { redemption: r1, amount: Amount(2_000) })
            .check("burned once", |s| eq("burned", glob(s).burned.0, 2_000)),
        Case::new("r-red-3 keys are per merchant")
            .shops(1_000)
            .tx(MERCHANT, redeem_keyed(500, 1))
            .tx(SHOP2, redeem_keyed(500, 1))
            .emits(vec![Event::Redeemed { redemption: RedemptionId(2), merchant: id(SHOP2), amount: Amount(500) }])
            .check("both burned", |s| eq("shops", (bal(s, MERCHANT), bal(s, SHOP2)), (4_500, 500))),
        Case::new("r-red-3 a refused redemption does not use up its key")
            .tx(MERCHANT, redeem_keyed(5_001, 1))
            .rejects(Rejection::InsufficientBalance { needed: Amount(5_001), available: Amount(5_000) })
            .tx(MERCHANT, redeem_keyed(5_000, 1))
            .emits(vec![Event::Redeemed { redemption: r1, merchant: id(MERCHANT), amount: Amount(5_000) }]),
    ]
}

fn fee_cases() -> Vec<Case> {
    let r1 = RedemptionId(1);
    let p1 = ProposalId(1);
    vec![
        Case::new("r-red-4 the fee goes to the treasury and only the amount is burned")
            .fee(50)
            .tx(MERCHANT, redeem(2_000))
            .emits(vec![
                Event::Redeemed { redemption: r1, merchant: id(MERCHANT), amount: Amount(2_000) },
                Event::RedemptionFeePaid { redemption: r1, merchant: id(MERCHANT), fee: Amount(50) },
            ])
            .check("amount burned, fee in the treasury", |s| {
                eq("merchant", bal(s, MERCHANT), 2_950)?;
                let g = glob(s);
                eq("treasury, burned, fees", (g.treasury.0, g.burned.0, g.redemption_fees.0), (1_000_050, 2_000, 50))?;
                let r = redemption_of(s, 1)?;
                eq("amount, fee", (r.amount, r.fee), (Amount(2_000), Amount(50)))
            })
            .tx(TREASURER, settle(1, "HLN-2026-000001"))
            .emits(vec![Event::RedemptionSettled {
                redemption: r1,
                merchant: id(MERCHANT),
                amount: Amount(2_000),
                reference: payout_ref("HLN-2026-000001"),
            }])
            .check("settled is the euro amount", |s| eq("settled", glob(s).settled.0, 2_000)),
        Case::new("r-red-4 the balance must cover the amount and the fee")
            .fee(50)
            .tx(MERCHANT, redeem(4_951))
            .rejects(Rejection::InsufficientBalance { needed: Amount(5_001), available: Amount(5_000) })
            .tx(MERCHANT, redeem(4_950))
            .check("merchant is empty", |s| eq("merchant", bal(s, MERCHANT), 0)),
        Case::new("r-red-4 a retry pays no second fee")
            .fee(50)
            .tx(MERCHANT, redeem_keyed(1_000, 1))
            .tx(MERCHANT, redeem_keyed(1_000, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: r1 }])
            .check("one fee", |s| eq("merchant, fees", (bal(s, MERCHANT), glob(s).redemption_fees.0), (3_950, 50))),
        Case::new("r-red-4 the council sets the fee with 2 of 3")
            .tx(C1, set_fee(25))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 2 },
                Event::RedemptionFeeSet { proposal: p1, fee: Amount(25) },
            ])
            .tx(MERCHANT, redeem(1_000))
            .check("the new fee applies", |s| {
                eq("params fee", glob(s).params.redemption_fee, Amount(25))?;
                eq("redemption fee", redemption_of(s, 1)?.fee, Amount(25))?;
                eq("merchant", bal(s, MERCHANT), 3_975)
            }),
        Case::new("r-red-4 the council removes the fee")
            .fee(50)
            .tx(C1, set_fee(0))
            .tx(C2, approve(1))
            .tx(MERCHANT, redeem(1_000))
            .emits(vec![Event::Redeemed { redemption: r1, merchant: id(MERCHANT), amount: Amount(1_000) }])
            .check("no fee", |s| eq("merchant, fee", (bal(s, MERCHANT), redemption_of(s, 1)?.fee), (4_000, Amount(0)))),
        Case::new("r-red-4 a fee of at most 100.00")
            .tx(C1, set_fee(10_001))
            .rejects(Rejection::RedemptionFeeTooHigh { fee: Amount(10_001), max: Amount(10_000) })
            .tx(C1, set_fee(10_000))
            .tx(C2, approve(1))
            .check("100.00", |s| eq("fee", glob(s).params.redemption_fee, Amount(10_000))),
        Case::new("r-red-4 only the council sets the fee")
            .tx(TREASURER, set_fee(10))
            .rejects(Rejection::MissingRole(Role::Council)),
    ]
}

fn minimum_cases() -> Vec<Case> {
    let p1 = ProposalId(1);
    vec![
        Case::new("r-red-5 redeeming below the minimum is refused")
            .minimum(1_000)
            .tx(MERCHANT, redeem(999))
            .rejects(Rejection::BelowRedemptionMinimum { min: Amount(1_000) })
            .tx(MERCHANT, redeem(1_000))
            .check("the minimum itself redeems", |s| eq("burned", glob(s).burned.0, 1_000)),
        Case::new("r-red-5 the council sets the minimum with 2 of 3")
            .tx(C1, set_minimum(500))
            .tx(C2, approve(1))
            .emits(vec![
                Event::ProposalApproved { proposal: p1, approver: id(C2), approvals: 2, threshold: 2 },
                Event::RedemptionMinimumSet { proposal: p1, min: Amount(500) },
            ])
            .tx(MERCHANT, redeem(499))
            .rejects(Rejection::BelowRedemptionMinimum { min: Amount(500) }),
        Case::new("r-red-5 a minimum of at most 10 000.00")
            .tx(C1, set_minimum(1_000_001))
            .rejects(Rejection::RedemptionMinimumTooHigh { min: Amount(1_000_001), max: Amount(1_000_000) })
            .tx(C1, set_minimum(1_000_000))
            .tx(C2, approve(1))
            .check("10 000.00", |s| eq("min", glob(s).params.redemption_min, Amount(1_000_000))),
        Case::new("r-red-5 a retry is not measured against a minimum raised since")
            .tx(MERCHANT, redeem_keyed(100, 1))
            .tx(C1, set_minimum(1_000))
            .tx(C2, approve(1))
            .tx(MERCHANT, redeem_keyed(100, 1))
            .emits(vec![Event::RedemptionReplayed { redemption: RedemptionId(1) }]),
    ]
}

fn batch_cases() -> Vec<Case> {
    let settled = |redemption: u64, amount: u64| Event::RedemptionSettled {
        redemption: RedemptionId(redemption),
        merchant: id(MERCHANT),
        amount: Amount(amount),
        reference: payout_ref("HLN-BATCH-7"),
    };
    let three = |case: Case| case.tx(MERCHANT, redeem(100)).tx(MERCHANT, redeem(200)).tx(MERCHANT, redeem(300));
    let all_pending = |s: &State| {
        for r in 1..=3 {
            eq("status", redemption_of(s, r)?.status, RedemptionStatus::Pending)?;
        }
        eq("settled", glob(s).settled.0, 0)
    };
    let full = (1..=MAX_SETTLE_BATCH as u64)
        .fold(Case::new("r-red-6 a batch of the largest size").balance(MERCHANT, 10_000), |case, n| {
            case.tx(MERCHANT, redeem(n))
        })
        .tx(TREASURER, settle_batch(&(1..=MAX_SETTLE_BATCH as u64).collect::<Vec<_>>(), "HLN-BATCH-7"))
        .check("all settled", |s| {
            eq(
                "settled",
                s.redemptions().filter(|(_, r)| r.status == RedemptionStatus::Settled).count(),
                MAX_SETTLE_BATCH,
            )?;
            eq("globals", glob(s).settled, glob(s).burned)
        });
    vec![
        three(Case::new("r-red-6 the treasurer settles a batch at once"))
            .tx(TREASURER, settle_batch(&[3, 1, 2], "HLN-BATCH-7"))
            .emits(vec![settled(3, 300), settled(1, 100), settled(2, 200)])
            .check("every one settled with the batch reference", |s| {
                for r in 1..=3 {
                    let redemption = redemption_of(s, r)?;
                    eq("status", redemption.status, RedemptionStatus::Settled)?;
                    eq("reference", redemption.reference, Some(payout_ref("HLN-BATCH-7")))?;
                    eq("at", redemption.settled_at, Some(Timestamp(T0 + 3 * SECOND)))?;
                }
                eq("settled", glob(s).settled.0, 600)
            }),
        three(Case::new("r-red-6 an already settled id refuses the whole batch"))
            .tx(TREASURER, settle(2, "HLN-2026-000002"))
            .tx(TREASURER, settle_batch(&[1, 2, 3], "HLN-BATCH-7"))
            .rejects(Rejection::AlreadySettled(RedemptionId(2)))
            .check("1 and 3 still pending", |s| {
                eq("1", redemption_of(s, 1)?.status, RedemptionStatus::Pending)?;
                eq("3", redemption_of(s, 3)?.status, RedemptionStatus::Pending)?;
                eq("2 keeps its reference", redemption_of(s, 2)?.reference, Some(payout_ref("HLN-2026-000002")))?;
                eq("settled", glob(s).settled.0, 200)
            })
            .tx(TREASURER, settle_batch(&[1, 3], "HLN-BATCH-7"))
            .check("settled once each", |s| eq("settled", glob(s).settled.0, 600)),
        three(Case::new("r-red-6 a duplicate id refuses the whole batch"))
            .tx(TREASURER, settle_batch(&[1, 2, 1], "HLN-BATCH-7"))
            .rejects(Rejection::DuplicateInBatch(RedemptionId(1)))
            .check("all pending", all_pending),
        three(Case::new("r-red-6 an unknown id refuses the whole batch"))
            .tx(TREASURER, settle_batch(&[1, 9, 1], "HLN-BATCH-7"))
            .rejects(Rejection::UnknownRedemption(RedemptionId(9)))
            .check("all pending", all_pending),
        three(Case::new("r-red-6 settling a batch twice pays nothing twice"))
            .tx(TREASURER, settle_batch(&[1, 2, 3], "HLN-BATCH-7"))
            .tx(TREASURER, settle_batch(&[1, 2, 3], "HLN-BATCH-7"))
            .rejects(Rejection::AlreadySettled(RedemptionId(1)))
            .check("settled once", |s| eq("settled", glob(s).settled.0, 600)),
        Case::new("r-red-6 an empty batch")
            .tx(TREASURER, settle_batch(&[], "HLN-BATCH-7"))
            .rejects(Rejection::BatchSize { size: 0, max: MAX_SETTLE_BATCH }),
        three(Case::new("r-red-6 only the treasurer settles batches"))
            .tx(MERCHANT, settle_batch(&[1], "HLN-BATCH-7"))
            .rejects(Rejection::MissingRole(Role::Treasurer)),
        full,
    ]
}

// ---------------------------------------------------------------------------------------------
// R-SHOP-1..4: payments of payment requests and till accounts.

fn payment_cases() -> Vec<Case> {
    vec![
        Case::new("r-shop-1 a resident pays a shop's request")
            .tx(ALICE, shop_pay(450, "B-2026-0001"))
            .emits(vec![Event::Paid {
                payer: id(ALICE),
                merchant: id(MERCHANT),
                amount: Amount(450),
                reference: order("B-2026-0001"),
                till: None,
            }])
            .check("coins moved and the payment is recorded", |s| {
                eq("alice, shop", (bal(s, ALICE), bal(s, MERCHANT)), (9_550, 5_450))?;
                let record = s.payment(&id(MERCHANT), &order("B-2026-0001")).cloned().ok_or("no payment record")?;
                eq(
                    "record",
                    record,
                    PaymentRecord {
                        payer: id(ALICE),
                        amount: Amount(450),
                        height: Height(1),
                        time: Timestamp(T0),
                        till: None,
                    },
                )
            }),
        Case::new("r-shop-1 paying zero").tx(ALICE, shop_pay(0, "B-1")).rejects(Rejection::ZeroAmount),
        Case::new("r-shop-1 a shop paying its own request")
            .tx(MERCHANT, shop_pay(100, "B-1"))
            .rejects(Rejection::SelfTransfer),
        Case::new("r-shop-1 paying an account that is not a shop")
            .tx(ALICE, pay_request(BOB, 100, "B-1", DAY, None))
            .rejects(Rejection::NotAMerchant(id(BOB)))
            .tx(ALICE, pay_request(NOBODY, 100, "B-1", DAY, None))
            .rejects(Rejection::NotAMerchant(id(NOBODY)))
            .check("nothing moved", |s| eq("alice, bob", (bal(s, ALICE), bal(s, BOB)), (10_000, 2_000))),
        Case::new("r-shop-1 a shop whose merchant role was revoked takes no requests")
            .tx(C1, revoke(MERCHANT, Role::Merchant))
            .tx(C2, approve(1))
            .tx(ALICE, shop_pay(100, "B-1"))
            .rejects(Rejection::NotAMerchant(id(MERCHANT))),
        Case::new("r-shop-1 one cent more than the balance")
            .tx(BOB, shop_pay(2_001, "B-1"))
            .rejects(Rejection::InsufficientBalance { needed: Amount(2_001), available: Amount(2_000) }),
        Case::new("r-shop-1 a plain transfer to a shop still works")
            .tx(ALICE, pay(MERCHANT, 100))
            .emits(vec![Event::Transferred { from: id(ALICE), to: id(MERCHANT), amount: Amount(100) }]),
        Case::new("r-shop-2 a request is paid up to its expiry time")
            .at(10 * SECOND)
            .tx(ALICE, pay_request(MERCHANT, 100, "B-1", 10 * SECOND, None))
            .check("paid", |s| eq("shop", bal(s, MERCHANT), 5_100)),
        Case::new("r-shop-2 an expired request is refused at block time")
            .at(10 * SECOND + 1)
            .tx(ALICE, pay_request(MERCHANT, 100, "B-1", 10 * SECOND, None))
            .rejects(Rejection::PaymentRequestExpired { expires_at: Timestamp(T0 + 10 * SECOND) })
            .check("nothing paid", |s| {
                eq("alice", bal(s, ALICE), 10_000)?;
                eq("record", s.payment(&id(MERCHANT), &order("B-1")).is_some(), false)
            }),
        Case::new("r-shop-2 a request shown by a linked till")
            .tx(MERCHANT, link(TILL))
            .tx(ALICE, pay_request(MERCHANT, 450, "B-1", DAY, Some(TILL)))
            .emits(vec![Event::Paid {
                payer: id(ALICE),
                merchant: id(MERCHANT),
                amount: Amount(450),
                reference: order("B-1"),
                till: Some(id(TILL)),
            }])
            .check("the record names the till", |s| {
                let record = s.payment(&id(MERCHANT), &order("B-1")).ok_or("no payment record")?;
                eq("till", record.till, Some(id(TILL)))
            }),
        Case::new("r-shop-2 a till that was never linked")
            .tx(ALICE, pay_request(MERCHANT, 450, "B-1", DAY, Some(TILL)))
            .rejects(Rejection::TillNotLinked(id(TILL))),
        Case::new("r-shop-2 a till of another shop")
            .shops(0)
            .tx(SHOP2, link(TILL))
            .tx(ALICE, pay_request(MERCHANT, 450, "B-1", DAY, Some(TILL)))
            .rejects(Rejection::TillNotLinked(id(TILL))),
        Case::new("r-shop-3 paying the same reference twice is refused")
            .tx(ALICE, shop_pay(450, "B-1"))
            .tx(ALICE, shop_pay(450, "B-1"))
            .rejects(Rejection::ReferenceAlreadyPaid(order("B-1")))
            .tx(BOB, shop_pay(100, "B-1"))
            .rejects(Rejection::ReferenceAlreadyPaid(order("B-1")))
            .check("paid once, by alice", |s| {
                eq("alice, bob, shop", (bal(s, ALICE), bal(s, BOB), bal(s, MERCHANT)), (9_550, 2_000, 5_450))?;
                let record = s.payment(&id(MERCHANT), &order("B-1")).ok_or("no payment record")?;
                eq("payer", record.payer, id(ALICE))
            }),
        Case::new("r-shop-3 references are per shop and case-sensitive")
            .shops(0)
            .tx(ALICE, shop_pay(100, "B-1"))
            .tx(ALICE, pay_request(SHOP2, 100, "B-1", DAY, None))
            .tx(ALICE, shop_pay(100, "b-1"))
            .check("three payments", |s| eq("shops", (bal(s, MERCHANT), bal(s, SHOP2)), (5_200, 100))),
        Case::new("r-shop-3 a refused payment leaves the reference unpaid")
            .tx(BOB, shop_pay(2_001, "B-1"))
            .rejects(Rejection::InsufficientBalance { needed: Amount(2_001), available: Amount(2_000) })
            .tx(BOB, shop_pay(2_000, "B-1"))
            .check("paid", |s| eq("shop", bal(s, MERCHANT), 7_000)),
    ]
}

fn till_of(s: &State, till: u8) -> Option<AccountId> {
    s.till(&id(till)).map(|link| link.merchant)
}
fn tills_of(s: &State, shop: u8) -> u16 {
    match s.get(&Key::Merchant(id(shop))) {
        Some(Value::Merchant(record)) => record.tills,
        _ => 0,
    }
}

fn till_cases() -> Vec<Case> {
    // Seeds 100..=132: 33 fresh till keys.
    let many = (100..100 + MAX_TILLS as u8)
        .fold(Case::new("r-shop-4 a shop links at most 32 tills"), |case, seed| case.tx(MERCHANT, link(seed)));
    let last = 100 + MAX_TILLS as u8;
    vec![
        Case::new("r-shop-4 a shop links a till")
            .tx(MERCHANT, link(TILL))
            .emits(vec![Event::TillLinked { merchant: id(MERCHANT), till: id(TILL) }])
            .check("linked and counted", |s| {
                eq("till", till_of(s, TILL), Some(id(MERCHANT)))?;
                eq("count", tills_of(s, MERCHANT), 1)?;
                eq("no account for the till", s.account(&id(TILL)).is_some(), false)
            }),
        Case::new("r-shop-4 only merchants link tills")
            .tx(ALICE, link(TILL))
            .rejects(Rejection::MissingRole(Role::Merchant)),
        Case::new("r-shop-4 a till key with coins, a role or an enrolment is refused")
            .shops(0)
            .tx(MERCHANT, link(DAVE))
            .rejects(Rejection::TillHasAccount(id(DAVE)))
            .tx(MERCHANT, link(TREASURER))
            .rejects(Rejection::TillHasAccount(id(TREASURER)))
            .tx(MERCHANT, link(CAROL))
            .rejects(Rejection::TillHasAccount(id(CAROL)))
            .tx(MERCHANT, link(MERCHANT))
            .rejects(Rejection::TillHasAccount(id(MERCHANT)))
            .tx(MERCHANT, link(EMPTY))
            .check("an empty account may become a till", |s| eq("till", till_of(s, EMPTY), Some(id(MERCHANT)))),
        Case::new("r-shop-4 a till works for one shop at a time")
            .shops(0)
            .tx(MERCHANT, link(TILL))
            .tx(SHOP2, link(TILL))
            .rejects(Rejection::TillAlreadyLinked(id(TILL)))
            .tx(MERCHANT, link(TILL))
            .rejects(Rejection::TillAlreadyLinked(id(TILL)))
            .tx(MERCHANT, unlink(TILL))
            .tx(SHOP2, link(TILL))
            .check("now the second shop's", |s| {
                eq("till", till_of(s, TILL), Some(id(SHOP2)))?;
                eq("counts", (tills_of(s, MERCHANT), tills_of(s, SHOP2)), (0, 1))
            }),
        many.tx(MERCHANT, link(last))
            .rejects(Rejection::TooManyTills { max: MAX_TILLS })
            .check("32 tills", |s| eq("count", tills_of(s, MERCHANT), MAX_TILLS))
            .tx(MERCHANT, unlink(100))
            .tx(MERCHANT, link(last))
            .check("still 32 tills", move |s| {
                eq("count", tills_of(s, MERCHANT), MAX_TILLS)?;
                eq("old", till_of(s, 100), None)?;
                eq("new", till_of(s, last), Some(id(MERCHANT)))
            }),
        Case::new("r-shop-4 unlinking takes effect in the next transaction")
            .tx(MERCHANT, link(TILL))
            .tx(ALICE, pay_request(MERCHANT, 100, "B-1", DAY, Some(TILL)))
            .tx(MERCHANT, unlink(TILL))
            .emits(vec![Event::TillUnlinked { merchant: id(MERCHANT), till: id(TILL) }])
            .tx(ALICE, pay_request(MERCHANT, 100, "B-2", DAY, Some(TILL)))
            .rejects(Rejection::TillNotLinked(id(TILL)))
            .check("unlinked", |s| {
                eq("till", till_of(s, TILL), None)?;
                eq("count", tills_of(s, MERCHANT), 0)?;
                eq("shop paid once", bal(s, MERCHANT), 5_100)
            }),
        Case::new("r-shop-4 only the shop that linked a till unlinks it")
            .shops(0)
            .tx(MERCHANT, link(TILL))
            .tx(SHOP2, unlink(TILL))
            .rejects(Rejection::TillNotLinked(id(TILL)))
            .tx(MERCHANT, unlink(EMPTY))
            .rejects(Rejection::TillNotLinked(id(EMPTY)))
            .check("still linked", |s| eq("till", till_of(s, TILL), Some(id(MERCHANT)))),
        Case::new("r-shop-4 a shop whose merchant role was revoked still unlinks its tills")
            .tx(MERCHANT, link(TILL))
            .tx(C1, revoke(MERCHANT, Role::Merchant))
            .tx(C2, approve(1))
            .tx(MERCHANT, unlink(TILL))
            .check("unlinked", |s| eq("till", till_of(s, TILL), None)),
        Case::new("r-shop-4 a till sends, redeems and changes nothing")
            .shops(0)
            .tx(MERCHANT, link(EMPTY))
            .tx(EMPTY, pay(ALICE, 1))
            .rejects(Rejection::TillReceiveOnly)
            .tx(EMPTY, shop_pay(1, "B-1"))
            .rejects(Rejection::TillReceiveOnly)
            .tx(EMPTY, redeem(1))
            .rejects(Rejection::TillReceiveOnly)
            .tx(EMPTY, link(TILL))
            .rejects(Rejection::TillReceiveOnly)
            .tx(EMPTY, unlink(EMPTY))
            .rejects(Rejection::TillReceiveOnly)
            .tx(MERCHANT, unlink(EMPTY))
            .tx(EMPTY, pay(ALICE, 1))
            .rejects(Rejection::InsufficientBalance { needed: Amount(1), available: Amount(0) }),
        Case::new("r-shop-4 a till granted a role later still signs nothing")
            .shops(0)
            .tx(MERCHANT, link(EMPTY))
            .tx(C1, grant(EMPTY, Role::Merchant))
            .tx(C2, approve(1))
            .tx(EMPTY, redeem(1))
            .rejects(Rejection::TillReceiveOnly),
    ]
}

// ---------------------------------------------------------------------------------------------
// One test per rule: the cases whose name starts with its id.

/// Runs every case of `rule`; a rule without cases is a mistake in this file.
fn run_rule(rule: &str) {
    let cases: Vec<Case> = all_cases().into_iter().filter(|case| case.rule() == rule).collect();
    assert!(!cases.is_empty(), "no case for {rule}");
    run_all(cases);
}

macro_rules! rule_tests {
    ($($test:ident => $rule:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_rule($rule);
            }
        )*
        /// Every rule that has a test above.
        const RULES: &[&str] = &[$($rule),*];
    };
}

rule_tests! {
    r_tx_1_a_tx_for_another_chain_is_invalid => "r-tx-1",
    r_tx_2_the_nonce_is_exactly_the_next_and_is_used_up_by_rejections => "r-tx-2",
    r_tx_3_an_unknown_signer_is_invalid => "r-tx-3",
    r_sig_1_only_the_signers_untouched_signature_verifies => "r-sig-1",
    r_amt_1_overflow_is_a_rejection => "r-amt-1",
    r_pay_1_amounts_are_positive => "r-pay-1",
    r_pay_2_no_payment_to_oneself => "r-pay-2",
    r_pay_3_recipient_is_enrolled_or_holds_a_role => "r-pay-3",
    r_pay_4_sender_has_the_coins => "r-pay-4",
    r_gov_1_only_council_members_propose => "r-gov-1",
    r_gov_2_proposals_execute_at_the_threshold_and_only_once => "r-gov-2",
    r_gov_3_council_grants_and_revokes_roles => "r-gov-3",
    r_gov_4_threshold_stays_between_two_and_the_council_size => "r-gov-4",
    r_val_2_validator_changes_take_effect_a_fixed_delay_after_approval => "r-val-2",
    r_val_3_council_adds_removes_and_rotates_validators_within_limits => "r-val-3",
    r_sup_2_mints_are_positive => "r-sup-2",
    r_bud_1_treasurer_funds_budgets_from_the_treasury => "r-bud-1",
    r_bud_2_treasurer_returns_budget_to_the_treasury => "r-bud-2",
    r_enr_1_registrar_enrolls => "r-enr-1",
    r_enr_2_unenrolled_accounts_keep_their_coins => "r-enr-2",
    r_task_1_posting_moves_reward_times_slots_into_escrow => "r-task-1",
    r_task_2_slots_and_deadline_are_in_range => "r-task-2",
    r_task_3_enrolled_residents_claim_free_slots => "r-task-3",
    r_task_4_only_the_worker_submits_before_the_deadline => "r-task-4",
    r_task_5_approval_pays_the_reward_from_escrow => "r-task-5",
    r_task_6_verifier_cannot_review_own_work => "r-task-6",
    r_task_7_verifier_cannot_review_work_on_a_task_they_posted => "r-task-7",
    r_task_8_rejection_records_a_reason_and_frees_the_slot => "r-task-8",
    r_task_9_cancel_refunds_unpaid_escrow_to_the_budget => "r-task-9",
    r_task_11_the_deadline_returns_unneeded_escrow => "r-task-11",
    r_rev_1_k_of_n_is_in_range => "r-rev-1",
    r_rev_2_verifiers_are_drawn_from_the_pool_never_the_worker_poster_or_co_workers => "r-rev-2",
    r_rev_3_no_verifier_exceeds_the_share_of_a_workers_draws => "r-rev-3",
    r_rev_4_only_drawn_verifiers_vote_once => "r-rev-4",
    r_rev_5_k_approvals_open_the_window_and_enough_rejections_reject => "r-rev-5",
    r_rev_6_one_resubmission_within_the_window => "r-rev-6",
    r_obj_2_objections_stop_the_payout => "r-obj-2",
    r_obj_3_officers_resolve_verifier_objections => "r-obj-3",
    r_cap_1_rewards_stay_within_the_annual_cap => "r-cap-1",
    r_cap_2_years_are_dutch_calendar_years => "r-cap-2",
    r_cap_3_the_council_sets_the_task_rules => "r-cap-3",
    r_red_1_merchants_redeem_by_burning_with_fresh_ids => "r-red-1",
    r_red_2_treasurer_settles_each_redemption_once => "r-red-2",
    r_red_3_a_retried_redemption_never_burns_twice => "r-red-3",
    r_red_4_the_redemption_fee_goes_to_the_treasury => "r-red-4",
    r_red_5_redemptions_are_at_least_the_minimum => "r-red-5",
    r_red_6_a_batch_settles_all_its_redemptions_or_none => "r-red-6",
    r_shop_1_payments_go_to_merchants_and_are_covered => "r-shop-1",
    r_shop_2_requests_expire_and_name_only_linked_tills => "r-shop-2",
    r_shop_3_each_reference_is_paid_once => "r-shop-3",
    r_shop_4_tills_are_linked_receive_only_and_unlinked_at_once => "r-shop-4",
}

/// The runner itself: a wrong expectation fails, naming the case.
#[test]
#[should_panic(expected = "case \"harness: a wrong acceptance\", step 0 (transfer by seed 10): expected acceptance")]
fn the_runner_fails_a_wrong_acceptance_and_names_the_case() {
    Case::new("harness: a wrong acceptance").tx(BOB, pay(ALICE, 2_001)).accepts().run();
}

#[test]
#[should_panic(expected = "case \"harness: a wrong rejection\", step 0 (transfer by seed 10): outcome")]
fn the_runner_fails_a_wrong_rejection_detail() {
    Case::new("harness: a wrong rejection")
        .tx(BOB, pay(ALICE, 2_001))
        .rejects(Rejection::InsufficientBalance { needed: Amount(2_001), available: Amount(1_999) })
        .run();
}

#[test]
#[should_panic(expected = "check `wrong` failed: bob: got 2000, want 1")]
fn the_runner_fails_a_wrong_check() {
    Case::new("harness: a wrong check").check("wrong", |s| eq("bob", bal(s, BOB), 1)).run();
}

#[test]
fn every_case_runs_under_a_rule_test() {
    for case in all_cases() {
        assert!(RULES.contains(&case.rule()), "case {:?} is not run by any rule test", case.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Coverage: every action is accepted somewhere, every rejection and envelope error is produced.

fn all_cases() -> Vec<Case> {
    [
        envelope_cases(),
        transfer_cases(),
        mint_cases(),
        role_cases(),
        threshold_cases(),
        validator_cases(),
        budget_cases(),
        enrolment_cases(),
        post_cases(),
        claim_cases(),
        submit_cases(),
        approve_cases(),
        reject_cases(),
        cancel_cases(),
        objection_cases(),
        lifecycle_cases(),
        cap_cases(),
        task_rule_cases(),
        redemption_cases(),
        replay_cases(),
        fee_cases(),
        minimum_cases(),
        batch_cases(),
        payment_cases(),
        till_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// One of every rejection. The exhaustive match below stops this file compiling when a
/// variant is added, so the tables must grow with the rules.
fn every_rejection() -> Vec<Rejection> {
    let a = AccountId([0; 32]);
    let list = vec![
        Rejection::InsufficientBalance { needed: Amount(1), available: Amount(0) },
        Rejection::Overflow,
        Rejection::ZeroAmount,
        Rejection::SelfTransfer,
        Rejection::UnknownRecipient(a),
        Rejection::MissingRole(Role::Council),
        Rejection::NotEnrolled,
        Rejection::UnknownProposal(ProposalId(0)),
        Rejection::ProposalExecuted(ProposalId(0)),
        Rejection::ProposalExpired(ProposalId(0)),
        Rejection::AlreadyApproved(ProposalId(0)),
        Rejection::InsufficientTreasury { needed: Amount(1), available: Amount(0) },
        Rejection::UnknownBudget(budget("x")),
        Rejection::InsufficientBudget { budget: budget("x"), needed: Amount(1), available: Amount(0) },
        Rejection::InvalidSlots { slots: 0, max: 0 },
        Rejection::DeadlineInPast,
        Rejection::UnknownTask(TaskId(0)),
        Rejection::TaskCancelled(TaskId(0)),
        Rejection::DeadlinePassed(TaskId(0)),
        Rejection::TaskFull(TaskId(0)),
        Rejection::AlreadyClaimed(TaskId(0)),
        Rejection::OwnTask(TaskId(0)),
        Rejection::UnknownClaim(ClaimId(0)),
        Rejection::NotYourClaim(ClaimId(0)),
        Rejection::ClaimStatus { claim: ClaimId(0), expected: ClaimStatus::Claimed, actual: ClaimStatus::Claimed },
        Rejection::SelfVerification,
        Rejection::VerifierPostedTask,
        Rejection::NotTaskPoster(TaskId(0)),
        Rejection::UnknownRedemption(RedemptionId(0)),
        Rejection::AlreadySettled(RedemptionId(0)),
        Rejection::ThresholdOutOfRange { threshold: 0, members: 0 },
        Rejection::CouncilTooSmall { members: 0, threshold: 0 },
        Rejection::RoleAlreadyHeld(a, Role::Council),
        Rejection::RoleNotHeld(a, Role::Council),
        Rejection::AlreadyEnrolled(a),
        Rejection::NotEnrolledAccount(a),
        Rejection::CouncilFull(0),
        Rejection::ValidatorInSet(a),
        Rejection::ValidatorNotInSet(a),
        Rejection::ValidatorSetSize { size: 0, max: 0 },
        Rejection::ValidatorPower { power: 0, max: 0 },
        Rejection::RedemptionFeeTooHigh { fee: Amount(0), max: Amount(0) },
        Rejection::RedemptionMinimumTooHigh { min: Amount(0), max: Amount(0) },
        Rejection::BelowRedemptionMinimum { min: Amount(0) },
        Rejection::IdempotencyKeyReused { redemption: RedemptionId(0), amount: Amount(0) },
        Rejection::DuplicateInBatch(RedemptionId(0)),
        Rejection::BatchSize { size: 0, max: 0 },
        Rejection::NotAMerchant(a),
        Rejection::PaymentRequestExpired { expires_at: Timestamp(0) },
        Rejection::TillNotLinked(a),
        Rejection::ReferenceAlreadyPaid(order("X")),
        Rejection::TillHasAccount(a),
        Rejection::TillAlreadyLinked(a),
        Rejection::TillReceiveOnly,
        Rejection::TooManyTills { max: 0 },
        Rejection::ReviewRule { approvals: 0, reviewers: 0, max: 0 },
        Rejection::NotEnoughVerifiers { needed: 0, eligible: 0 },
        Rejection::NotDrawnReviewer(ClaimId(0)),
        Rejection::AlreadyVoted(ClaimId(0)),
        Rejection::AnnualCapReached { year: 0, cap: Amount(0), remaining: Amount(0), reward: Amount(0) },
        Rejection::WindowClosed(ClaimId(0)),
        Rejection::MayNotObject,
        Rejection::ResubmitNotAllowed(ClaimId(0)),
        Rejection::TaskStatus { task: TaskId(0), expected: "", status: "" },
        Rejection::RetentionOutOfRange { max_days: 0 },
        Rejection::NoObjection(ClaimId(0)),
        Rejection::WindowTooLong { max_ms: 0 },
        Rejection::AnnualCapTooHigh { cap: Amount(0), max: Amount(0) },
        Rejection::ReviewShareOutOfRange(0),
        Rejection::VerifierPoolFull(0),
        Rejection::CoWorker(TaskId(0)),
        Rejection::ReviewerOfTask(TaskId(0)),
    ];
    for rejection in &list {
        match rejection {
            Rejection::InsufficientBalance { .. }
            | Rejection::Overflow
            | Rejection::ZeroAmount
            | Rejection::SelfTransfer
            | Rejection::UnknownRecipient(_)
            | Rejection::MissingRole(_)
            | Rejection::NotEnrolled
            | Rejection::UnknownProposal(_)
            | Rejection::ProposalExecuted(_)
            | Rejection::ProposalExpired(_)
            | Rejection::AlreadyApproved(_)
            | Rejection::InsufficientTreasury { .. }
            | Rejection::UnknownBudget(_)
            | Rejection::InsufficientBudget { .. }
            | Rejection::InvalidSlots { .. }
            | Rejection::DeadlineInPast
            | Rejection::UnknownTask(_)
            | Rejection::TaskCancelled(_)
            | Rejection::DeadlinePassed(_)
            | Rejection::TaskFull(_)
            | Rejection::AlreadyClaimed(_)
            | Rejection::OwnTask(_)
            | Rejection::UnknownClaim(_)
            | Rejection::NotYourClaim(_)
            | Rejection::ClaimStatus { .. }
            | Rejection::SelfVerification
            | Rejection::VerifierPostedTask
            | Rejection::NotTaskPoster(_)
            | Rejection::UnknownRedemption(_)
            | Rejection::AlreadySettled(_)
            | Rejection::ThresholdOutOfRange { .. }
            | Rejection::CouncilTooSmall { .. }
            | Rejection::RoleAlreadyHeld(..)
            | Rejection::RoleNotHeld(..)
            | Rejection::AlreadyEnrolled(_)
            | Rejection::NotEnrolledAccount(_)
            | Rejection::CouncilFull(_)
            | Rejection::ValidatorInSet(_)
            | Rejection::ValidatorNotInSet(_)
            | Rejection::ValidatorSetSize { .. }
            | Rejection::ValidatorPower { .. }
            | Rejection::RedemptionFeeTooHigh { .. }
            | Rejection::RedemptionMinimumTooHigh { .. }
            | Rejection::BelowRedemptionMinimum { .. }
            | Rejection::IdempotencyKeyReused { .. }
            | Rejection::DuplicateInBatch(_)
            | Rejection::BatchSize { .. }
            | Rejection::NotAMerchant(_)
            | Rejection::PaymentRequestExpired { .. }
            | Rejection::TillNotLinked(_)
            | Rejection::ReferenceAlreadyPaid(_)
            | Rejection::TillHasAccount(_)
            | Rejection::TillAlreadyLinked(_)
            | Rejection::TillReceiveOnly
            | Rejection::TooManyTills { .. }
            | Rejection::ReviewRule { .. }
            | Rejection::NotEnoughVerifiers { .. }
            | Rejection::NotDrawnReviewer(_)
            | Rejection::AlreadyVoted(_)
            | Rejection::AnnualCapReached { .. }
            | Rejection::WindowClosed(_)
            | Rejection::MayNotObject
            | Rejection::ResubmitNotAllowed(_)
            | Rejection::TaskStatus { .. }
            | Rejection::RetentionOutOfRange { .. }
            | Rejection::NoObjection(_)
            | Rejection::WindowTooLong { .. }
            | Rejection::AnnualCapTooHigh { .. }
            | Rejection::ReviewShareOutOfRange(_)
            | Rejection::VerifierPoolFull(_)
            | Rejection::CoWorker(_)
            | Rejection::ReviewerOfTask(_) => {}
        }
    }
    list
}

fn action_names() -> BTreeSet<&'static str> {
    let h = Hash::ZERO;
    let b = budget("x");
    let a = AccountId([0; 32]);
    let actions = [
        Action::Transfer(Transfer { recipient: a, amount: Amount(0) }),
        Action::Propose(Propose { action: CouncilAction::Mint { amount: Amount(0) } }),
        Action::Approve(Approve { proposal: ProposalId(0) }),
        Action::FundBudget(FundBudget { budget: b.clone(), amount: Amount(0) }),
        Action::DefundBudget(DefundBudget { budget: b.clone(), amount: Amount(0) }),
        Action::Enroll(Enroll { account: a }),
        Action::Unenroll(Unenroll { account: a }),
        Action::PostTask(PostTask {
            budget: b,
            reward: Amount(0),
            slots: 0,
            deadline: Timestamp(0),
            description: h,
            work_order: WorkOrderRef::new("X").expect("valid"),
            approvals: 1,
            reviewers: 1,
            draft: false,
        }),
        Action::ClaimTask(ClaimTask { task: TaskId(0) }),
        Action::SubmitWork(SubmitWork { claim: ClaimId(0), evidence: h, retain_until: Timestamp(0) }),
        Action::OpenTask(OpenTask { task: TaskId(0) }),
        Action::ObjectToWork(ObjectToWork { claim: ClaimId(0), reason: RejectReason::Incomplete }),
        Action::ResolveObjection(ResolveObjection { claim: ClaimId(0), uphold: true }),
        Action::ApproveWork(ApproveWork { claim: ClaimId(0) }),
        Action::RejectWork(RejectWork { claim: ClaimId(0), reason: RejectReason::Incomplete }),
        Action::CancelTask(CancelTask { task: TaskId(0) }),
        Action::Redeem(Redeem { amount: Amount(0), key: IdempotencyKey::default() }),
        Action::SettleRedemption(SettleRedemption { redemption: RedemptionId(0), reference: payout_ref("X") }),
        Action::SettleBatch(SettleBatch { reference: payout_ref("X"), redemptions: vec![] }),
        Action::Pay(Pay {
            merchant: a,
            amount: Amount(0),
            reference: order("X"),
            expires_at: Timestamp(0),
            till: None,
        }),
        Action::LinkTill(LinkTill { till: a }),
        Action::UnlinkTill(UnlinkTill { till: a }),
    ];
    actions.iter().map(Action::name).collect()
}

#[test]
fn every_action_is_accepted_and_every_rejection_is_produced_by_some_case() {
    let every: BTreeMap<u16, &'static str> = every_rejection().iter().map(|r| (r.code(), r.name())).collect();
    assert_eq!(every.len(), every_rejection().len(), "rejection codes must be unique");
    let mut rejected = BTreeSet::new();
    let mut accepted = BTreeSet::new();
    let mut council_actions = BTreeSet::new();
    let mut invalid = BTreeSet::new();
    for case in all_cases() {
        for step in &case.steps {
            let Step::Tx(step) = step else { continue };
            match &step.expect {
                Expect::Reject(r) => {
                    rejected.insert(r.code());
                }
                Expect::Accept => {
                    accepted.insert(step.action.name());
                    if let Action::Propose(p) = &step.action {
                        council_actions.insert(match p.action {
                            CouncilAction::Mint { .. } => "mint",
                            CouncilAction::GrantRole { .. } => "grant",
                            CouncilAction::RevokeRole { .. } => "revoke",
                            CouncilAction::SetThreshold { .. } => "threshold",
                            CouncilAction::AddValidator { .. } => "add validator",
                            CouncilAction::RemoveValidator { .. } => "remove validator",
                            CouncilAction::RotateValidatorKey { .. } => "rotate validator",
                            CouncilAction::SetRedemptionFee { .. } => "redemption fee",
                            CouncilAction::SetRedemptionMinimum { .. } => "redemption minimum",
                            CouncilAction::SetTaskRules { .. } => "task rules",
                        });
                    }
                }
                Expect::Invalid(i) => {
                    invalid.insert(match i {
                        Invalid::WrongChain { .. } => "chain",
                        Invalid::BadSignature(_) => "signature",
                        Invalid::UnknownSigner(_) => "signer",
                        Invalid::BadNonce { .. } => "nonce",
                    });
                }
            }
        }
    }
    let missing: Vec<&str> = every.iter().filter(|(code, _)| !rejected.contains(*code)).map(|(_, n)| *n).collect();
    assert!(missing.is_empty(), "no case produces these rejections: {missing:?}");
    let missing: Vec<&str> = action_names().into_iter().filter(|n| !accepted.contains(n)).collect();
    assert!(missing.is_empty(), "no case accepts these actions: {missing:?}");
    assert_eq!(council_actions.len(), 10, "every council action is executed by some case");
    assert_eq!(invalid.len(), 4, "every envelope error (chain, signature, signer, nonce) is produced by some case");
}

// ---------------------------------------------------------------------------------------------
// R-TX-5 spelled out on its own: a rejection changes nothing but the nonce.

#[test]
fn r_tx_5_a_rejected_tx_changes_only_the_signers_nonce() {
    let chain = chain_id(CHAIN);
    let state = standard_world().state();
    let ctx = block_context(1, T0);
    let rejected = [
        (BOB, pay(ALICE, 1_000_000)),
        (ALICE, mint(5)),
        (TREASURER, fund(GRASBROEK, 10_000_000)),
        (OFFICER, task(100_000, 2)),
        (DAVE, claim(1)),
        (MERCHANT, redeem(5_001)),
        (TREASURER, settle(1, "HLN-1")),
        (REGISTRAR, enroll(BOB)),
        (ALICE, pay_request(MERCHANT, 100, "B-1", 0, Some(TILL))),
        (MERCHANT, link(ALICE)),
        (TREASURER, settle_batch(&[1, 1], "HLN-1")),
    ];
    for (who, action) in rejected {
        let name = action.name();
        let tx = Tx { chain_id: chain.clone(), signer: id(who), nonce: Nonce(0), action }.sign(&key(who));
        let verified = VerifiedTx::verify(tx).expect("signed correctly");
        let mut view = Overlay::new(&state);
        let receipt = execute(&mut view, &ctx, &chain, &verified).expect("valid envelope");
        assert!(!receipt.outcome.is_accepted(), "{name} must be rejected");
        let mut after = state.clone();
        after.apply(view.into_changes());

        let mut entries = entries_of(&state);
        if let Some(Value::Account(account)) = entries.get_mut(&Key::Account(id(who))) {
            account.nonce = Nonce(1);
        }
        assert_eq!(after.root(), State::from_entries(entries.clone()).root(), "{name}: root");
        assert_eq!(entries_of(&after), entries, "{name}: entries");
        assert_ne!(after.root(), state.root(), "{name}: the nonce did move");
    }
}

// ---------------------------------------------------------------------------------------------
// R-BLK-1..3: building, validating and certifying blocks.

fn genesis_header(state: &State) -> BlockHeader {
    BlockHeader {
        chain_id: chain_id(CHAIN),
        height: Height(0),
        parent: Hash::ZERO,
        time: Timestamp(T0 - SECOND),
        proposer: id(C1),
        tx_count: 0,
        tx_root: block::tx_root(&[]),
        receipt_root: block::receipt_root(&[]),
        state_root: state.root(),
    }
}

fn verified(chain: &str, who: u8, nonce: u64, action: Action) -> VerifiedTx {
    VerifiedTx::verify(common::signed(&chain_id(chain), who, nonce, action)).expect("signed correctly")
}

fn verify_all(txs: &[contracts::SignedTx]) -> Vec<VerifiedTx> {
    txs.iter().map(|tx| VerifiedTx::verify(tx.clone()).expect("block txs verify")).collect()
}

#[test]
fn r_blk_1_built_blocks_validate_and_leave_invalid_txs_out() {
    let state = standard_world().state();
    let genesis = genesis_header(&state);
    let candidates = vec![
        verified(CHAIN, ALICE, 0, pay(BOB, 100)),
        verified(CHAIN, ALICE, 1, pay(BOB, 200)),
        verified(CHAIN, NOBODY, 0, pay(BOB, 1)),
        verified(CHAIN, BOB, 5, pay(ALICE, 1)),
        verified(CHAIN, CAROL, 0, pay(ALICE, 1)),
        verified("heerlen-other", CAROL, 1, pay(ALICE, 1)),
        verified(CHAIN, ALICE, 3, pay(BOB, 1)),
    ];
    let (block, executed, dropped) = block::build_block(&state, &genesis, T0_TS, id(C1), candidates);

    assert_eq!(block.txs.len(), 3);
    assert_eq!(block.header.tx_count, 3);
    assert_eq!(block.header.height, Height(1));
    assert_eq!(block.header.parent, genesis.hash());
    assert_eq!(block.header.time, T0_TS);
    assert_eq!(block.header.tx_root, block::tx_root(&block.txs));
    assert_eq!(block.header.state_root, executed.state_root);
    let reasons: Vec<Invalid> = dropped.into_iter().map(|(_, reason)| reason).collect();
    assert_eq!(
        reasons,
        vec![
            Invalid::UnknownSigner(id(NOBODY)),
            Invalid::BadNonce { expected: Nonce(0), got: Nonce(5) },
            Invalid::WrongChain { expected: CHAIN.into(), got: "heerlen-other".into() },
            Invalid::BadNonce { expected: Nonce(2), got: Nonce(3) },
        ]
    );
    let codes: Vec<Option<u16>> = executed
        .receipts
        .iter()
        .map(|r| match &r.outcome {
            Outcome::Accepted { .. } => None,
            Outcome::Rejected { code, .. } => Some(*code),
        })
        .collect();
    assert_eq!(codes, vec![None, None, Some(100)], "carol's empty-handed payment is included as rejected");

    let validated = block::validate_block(&state, &genesis, &block, &verify_all(&block.txs)).expect("valid block");
    assert_eq!(validated.state_root, block.header.state_root);
    assert_eq!(validated.receipts, executed.receipts);
    assert_eq!(validated.changes, executed.changes);

    let mut next = state;
    next.apply(validated.changes);
    assert_eq!(next.root(), block.header.state_root);
    assert_eq!(root_from_scratch(&next), next.root());
    assert_eq!((bal(&next, ALICE), bal(&next, BOB)), (9_700, 2_300));
    assert_eq!((nonce_of(&next, ALICE), nonce_of(&next, CAROL), nonce_of(&next, BOB)), (2, 1, 0));
}

const T0_TS: Timestamp = Timestamp(T0);

#[test]
fn r_blk_2_built_block_time_moves_forward() {
    let state = standard_world().state();
    let genesis = genesis_header(&state);
    let (block, _, _) = block::build_block(&state, &genesis, Timestamp(T0 - DAY), id(C1), vec![]);
    assert_eq!(block.header.time, Timestamp(genesis.time.0 + 1));
    assert!(block::validate_block(&state, &genesis, &block, &[]).is_ok());
}

#[test]
fn r_blk_1_validation_refuses_every_tampered_header_field() {
    let state = standard_world().state();
    let genesis = genesis_header(&state);
    let candidates = vec![verified(CHAIN, ALICE, 0, pay(BOB, 100)), verified(CHAIN, MERCHANT, 0, redeem(100))];
    let (block, _, _) = block::build_block(&state, &genesis, T0_TS, id(C1), candidates);
    let txs = verify_all(&block.txs);
    assert!(block::validate_block(&state, &genesis, &block, &txs).is_ok());

    let tampered = |change: fn(&mut contracts::Block)| {
        let mut b = block.clone();
        change(&mut b);
        block::validate_block(&state, &genesis, &b, &verify_all(&b.txs)).err()
    };
    assert!(matches!(tampered(|b| b.header.chain_id = chain_id("heerlen-other")), Some(BlockError::WrongChain(_))));
    assert_eq!(
        tampered(|b| b.header.height = Height(2)),
        Some(BlockError::WrongHeight { expected: Height(1), got: Height(2) })
    );
    assert!(matches!(tampered(|b| b.header.parent = Hash([7; 32])), Some(BlockError::WrongParent { .. })));
    assert_eq!(
        tampered(|b| b.header.time = Timestamp(T0 - SECOND)),
        Some(BlockError::TimeNotAfterParent { parent: Timestamp(T0 - SECOND), got: Timestamp(T0 - SECOND) })
    );
    assert_eq!(tampered(|b| b.header.tx_count = 3), Some(BlockError::TxCount(2)));
    assert!(matches!(
        tampered(|b| b.header.tx_root = Hash([1; 32])),
        Some(BlockError::RootMismatch { which: "transaction", .. })
    ));
    assert!(matches!(
        tampered(|b| b.header.receipt_root = Hash([1; 32])),
        Some(BlockError::RootMismatch { which: "receipt", .. })
    ));
    assert!(matches!(
        tampered(|b| b.header.state_root = Hash([1; 32])),
        Some(BlockError::RootMismatch { which: "state", .. })
    ));
    assert!(matches!(tampered(|b| b.txs.swap(0, 1)), Some(BlockError::RootMismatch { which: "transaction", .. })));
    // Fewer verified transactions than the block holds.
    assert_eq!(block::validate_block(&state, &genesis, &block, &txs[..1]).err(), Some(BlockError::TxCount(2)));
}

#[test]
fn r_blk_1_a_block_holding_an_invalid_tx_is_invalid() {
    let state = standard_world().state();
    let genesis = genesis_header(&state);
    let (mut block, _, _) =
        block::build_block(&state, &genesis, T0_TS, id(C1), vec![verified(CHAIN, ALICE, 0, pay(BOB, 100))]);
    block.txs.push(common::signed(&chain_id(CHAIN), ALICE, 7, pay(BOB, 100)));
    block.header.tx_count = 2;
    block.header.tx_root = block::tx_root(&block.txs);
    assert_eq!(
        block::validate_block(&state, &genesis, &block, &verify_all(&block.txs)).err(),
        Some(BlockError::InvalidTx { index: 1, reason: Invalid::BadNonce { expected: Nonce(1), got: Nonce(7) } })
    );
}

/// `execute` commits the transaction's writes before bumping the nonce; when the bump
/// overflows it returns `Invalid`, `build_block` drops the transaction, but its writes stay in
/// the block's change set.
#[test]
fn r_tx_2_a_tx_dropped_for_nonce_overflow_leaves_no_effects() {
    let mut world = standard_world();
    world.account_mut(ALICE).nonce = Nonce(u64::MAX);
    let state = world.state();
    let genesis = genesis_header(&state);
    let (block, executed, dropped) =
        block::build_block(&state, &genesis, T0_TS, id(C1), vec![verified(CHAIN, ALICE, u64::MAX, pay(BOB, 100))]);
    assert_eq!(dropped.len(), 1, "the tx cannot be included: its nonce cannot move");
    assert!(block.txs.is_empty());
    assert!(executed.changes.is_empty(), "a dropped tx must leave nothing behind: {:?}", executed.changes);
    assert_eq!(block.header.state_root, state.root());
    assert!(block::validate_block(&state, &genesis, &block, &[]).is_ok(), "the proposer's own block must validate");
}

#[test]
fn r_blk_3_commit_certificates_need_more_than_two_thirds() {
    let chain = chain_id(CHAIN);
    let state = standard_world().state();
    let genesis = genesis_header(&state);
    let (block, _, _) = block::build_block(&state, &genesis, T0_TS, id(C1), vec![]);
    let header = &block.header;
    let hash = header.hash();
    let validators: Vec<(AccountId, u64)> = [C1, C2, C3, TREASURER].iter().map(|s| (id(*s), 1)).collect();
    let sig = |seed: u8| CommitCert::sign(&key(seed), &chain, header.height, 0, &hash);
    let cert = |sigs: Vec<block::CommitSignature>| CommitCert {
        height: header.height,
        round: 0,
        block_hash: hash,
        signatures: sigs,
    };

    assert_eq!(cert(vec![sig(C1), sig(C2), sig(C3)]).verify(&chain, header, &validators), Ok(()));
    assert_eq!(
        cert(vec![sig(C1), sig(C2)]).verify(&chain, header, &validators),
        Err(CertError::NotEnoughPower { got: 2, total: 4 })
    );
    assert_eq!(
        cert(vec![sig(C1), sig(C2), sig(C1)]).verify(&chain, header, &validators),
        Err(CertError::UnknownSigner(id(C1))),
        "a validator counts once"
    );
    assert_eq!(
        cert(vec![sig(C1), sig(C2), sig(ALICE)]).verify(&chain, header, &validators),
        Err(CertError::UnknownSigner(id(ALICE)))
    );
    let other_round = CommitCert::sign(&key(C3), &chain, header.height, 1, &hash);
    assert_eq!(
        cert(vec![sig(C1), sig(C2), other_round]).verify(&chain, header, &validators),
        Err(CertError::BadSignature(id(C3)))
    );
    let other_chain = CommitCert::sign(&key(C3), &chain_id("heerlen-other"), header.height, 0, &hash);
    assert_eq!(
        cert(vec![sig(C1), sig(C2), other_chain]).verify(&chain, header, &validators),
        Err(CertError::BadSignature(id(C3)))
    );
    let mut wrong = cert(vec![sig(C1), sig(C2), sig(C3)]);
    wrong.height = Height(2);
    assert_eq!(wrong.verify(&chain, header, &validators), Err(CertError::WrongBlock));
    let mut wrong = cert(vec![sig(C1), sig(C2), sig(C3)]);
    wrong.block_hash = genesis.hash();
    assert_eq!(wrong.verify(&chain, header, &validators), Err(CertError::WrongBlock));
    // Unequal power: one validator with 3 of 4 is exactly three quarters, more than two thirds.
    let weighted = vec![(id(C1), 3), (id(C2), 1)];
    assert_eq!(cert(vec![sig(C1)]).verify(&chain, header, &weighted), Ok(()));
    let weighted = vec![(id(C1), 2), (id(C2), 1)];
    assert_eq!(
        cert(vec![sig(C1)]).verify(&chain, header, &weighted),
        Err(CertError::NotEnoughPower { got: 2, total: 3 }),
        "exactly two thirds is not enough"
    );
}
