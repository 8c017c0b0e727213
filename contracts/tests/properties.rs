//! Model tests (STYLE.md §7, layer 2): random histories of transactions and of block time,
//! executed block by block through `build_block` and `validate_block`, checked after every block
//! against a small `BTreeMap` model of the ledger and against the ledger's own invariants:
//!
//! - R-SUP-1: supply is conserved after the block-time effects (R-DUE-1) and after every block,
//!   on every task path: payout, expiry, cancellation, objection, rejection and resubmission;
//! - every entry the ledger keeps (balances, treasury, budget, tasks, claims with their draws,
//!   votes and windows, reservations, earnings, review counts, the verifier pool, the due
//!   schedule, parameters, proposals, redemptions, their idempotency keys, shop payments and the
//!   record of who claimed which task)
//!   equals the model's, which also predicts every outcome code, the block-time effects of
//!   `due::begin_block` and which transactions stay out of the block;
//! - R-TX-2, R-TX-5: nonces move by exactly one per included transaction and never otherwise,
//!   and a rejected transaction changes nothing but its signer's nonce;
//! - R-CAP-1: what a resident was paid this year plus what is reserved for their unpaid slots
//!   never exceeds the cap in force when they last claimed (so, with a cap that never went down,
//!   paid rewards in a year never exceed the cap);
//! - R-OBJ-1: a claim is paid at most once, and only after its objection window closed without
//!   a successful objection;
//! - R-REV-2: no drawn reviewer is the worker, the poster or a co-worker, and the draw is the
//!   lowest `draw_score`s of the eligible pool: a pure function of the parent hash, the claim,
//!   the submission number and the pool; nobody who ever claimed a slot of a task votes on,
//!   objects to or decides on its work, and nobody drawn for live work on a task claims a slot
//!   of it;
//! - R-TASK-3: every claim stays on record under its task and worker: one claim per resident and
//!   task, ever;
//! - R-ROOT-1: the incremental root equals the root of the same entries from scratch;
//! - determinism: replaying the decoded blocks from the same start reaches the same roots.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use contracts::block::{self, BlockHeader, Executed};
use contracts::codec::{Decode, Encode};
use contracts::crypto::HashKind;
use contracts::primitives::{
    AccountId, Amount, ChainId, ClaimId, Hash, Height, IdempotencyKey, Nonce, PaymentRef, PayoutRef, ProposalId,
    RedemptionId, Role, RoleSet, TaskId, Timestamp, WorkOrderRef,
};
use contracts::receipt::{Event, Outcome};
use contracts::rules::review::draw_score;
use contracts::rules::{VerifiedTx, due, execute};
use contracts::state::{
    BlockContext, ChangeSet, Claim, ClaimStatus, DueItem, Earner, Key, Objection, Overlay, ProposalStatus,
    RedemptionStatus, State, Task, TaskStatus, Value, Vote,
};
use contracts::tx::{
    Action, Approve, ApproveWork, CancelTask, ClaimTask, CouncilAction, DefundBudget, Enroll, FundBudget, ObjectToWork,
    OpenTask, Pay, PostTask, Propose, Redeem, RejectReason, RejectWork, ResolveObjection, SettleBatch,
    SettleRedemption, SubmitWork, Transfer, Tx, Unenroll,
};
use contracts::{Block, Invalid};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, FileFailurePersistence};

use common::{DAY, T0, World, budget, chain_id, id, key, root_from_scratch};

// ---------------------------------------------------------------------------------------------
// The cast: indices into `CAST`.

const C1: usize = 0;
const C2: usize = 1;
const C3: usize = 2;
const TREASURER: usize = 3;
const REGISTRAR: usize = 4;
/// Officer, also enrolled: may try to claim their own task.
const OFFICER: usize = 5;
/// Officer and verifier: never drawn for their own tasks; their objections succeed at once.
const OFFVER: usize = 6;
/// Verifier, also enrolled: drawn for others' work and doing work of their own.
const VERIFIER: usize = 7;
const MERCHANT: usize = 8;
const R1: usize = 9;
const R2: usize = 10;
const R3: usize = 11;
/// Has coins, not enrolled, no role.
const STRANGER: usize = 12;
/// Has no account until the registrar enrolls it or the council grants it a role.
const GHOST: usize = 13;
/// Verifier only.
const V2: usize = 14;
/// Verifier, also enrolled.
const V3: usize = 15;
/// Verifier only.
const V4: usize = 16;
const N: usize = 17;

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
    m(&[Role::Verifier], false, 0),
    m(&[Role::Verifier], true, 0),
    m(&[Role::Verifier], false, 0),
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
/// 2027-01-01T00:00 in the Netherlands: 23:00 UTC on 31 December 2026 (R-CAP-2).
const NEW_YEAR: u64 = 1_798_758_000_000;
/// Genesis time: 40 s before New Year, so that many histories pay rewards in both years.
const START: u64 = NEW_YEAR - 40_000;
/// Task-review rules of the world: windows of seconds, so that histories of a minute see them
/// close, and a cap that a few rewards reach.
const WINDOW0: u64 = 8_000;
const RESUBMIT0: u64 = 10_000;
const CAP0: u64 = 3_000;
const SHARE0: u8 = 50;
/// R-PRIV-3: evidence is kept at most two years.
const MAX_RETENTION: u64 = 730 * DAY;
/// R-OBJ-1, R-CAP-1, R-REV-1: the bounds of the task-review rules.
const MAX_WINDOW: u64 = 30 * DAY;
const MAX_CAP: u64 = 10_000_000;
const MAX_REVIEWERS: u8 = 7;

fn work_order() -> WorkOrderRef {
    WorkOrderRef::new("BOR-2026-0142").expect("valid work order")
}

fn world() -> World {
    let mut w = World::empty();
    w.threshold = THRESHOLD as u8;
    w.ttl_ms = TTL;
    w.treasury = Amount(TREASURY0);
    w.objection_window_ms = WINDOW0;
    w.resubmit_window_ms = RESUBMIT0;
    w.annual_cap = Amount(CAP0);
    w.review_share = SHARE0;
    w.budget(BUDGET, BUDGET0);
    for (i, member) in CAST.iter().enumerate() {
        if member.exists {
            w.account(seed(i), member.balance, member.roles, member.enrolled);
        }
    }
    w
}

/// R-CAP-2: the Dutch calendar year of a block time of these histories, written out for the
/// only New Year they can cross.
fn year(time: u64) -> u16 {
    assert!(time > NEW_YEAR - DAY && time < NEW_YEAR + 300 * DAY, "histories stay around New Year 2027");
    if time >= NEW_YEAR { 2027 } else { 2026 }
}

// ---------------------------------------------------------------------------------------------
// Operations: what a random history asks for. Ids are picked among those that exist when the
// operation runs (or one past them, which does not exist).

/// What a council member proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Motion {
    Mint(u64),
    GrantVerifier(usize),
    RevokeVerifier(usize),
    TaskRules { window: u64, resubmit: u64, cap: u64, share: u8 },
}

impl Motion {
    fn action(self) -> CouncilAction {
        match self {
            Self::Mint(amount) => CouncilAction::Mint { amount: Amount(amount) },
            Self::GrantVerifier(whom) => CouncilAction::GrantRole { account: who(whom), role: Role::Verifier },
            Self::RevokeVerifier(whom) => CouncilAction::RevokeRole { account: who(whom), role: Role::Verifier },
            Self::TaskRules { window, resubmit, cap, share } => CouncilAction::SetTaskRules {
                objection_window_ms: window,
                resubmit_window_ms: resubmit,
                annual_cap: Amount(cap),
                max_review_share_pct: share,
            },
        }
    }

    fn of(action: &CouncilAction) -> Self {
        match *action {
            CouncilAction::Mint { amount } => Self::Mint(amount.0),
            CouncilAction::GrantRole { account, role: Role::Verifier } => Self::GrantVerifier(index_of(&account)),
            CouncilAction::RevokeRole { account, role: Role::Verifier } => Self::RevokeVerifier(index_of(&account)),
            CouncilAction::SetTaskRules {
                objection_window_ms,
                resubmit_window_ms,
                annual_cap,
                max_review_share_pct,
            } => Self::TaskRules {
                window: objection_window_ms,
                resubmit: resubmit_window_ms,
                cap: annual_cap.0,
                share: max_review_share_pct,
            },
            ref other => unreachable!("not generated: {other:?}"),
        }
    }
}

/// Who signs a vote or an objection: usually one of the verifiers drawn for the claim (one who
/// has not voted yet, if any), sometimes anyone.
#[derive(Debug, Clone, Copy)]
enum Voter {
    Drawn(usize),
    Anyone(usize),
}

#[derive(Debug, Clone)]
enum Op {
    Transfer {
        from: usize,
        to: usize,
        amount: u64,
    },
    Propose {
        by: usize,
        motion: Motion,
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
    /// A task due `deadline` ms after the block time (before it when negative), reviewed
    /// `approvals` of `reviewers`, kept as a draft or published.
    Post {
        by: usize,
        reward: u64,
        slots: u16,
        deadline: i64,
        approvals: u8,
        reviewers: u8,
        draft: bool,
    },
    Open {
        by: usize,
        pick: usize,
    },
    Claim {
        by: usize,
        pick: usize,
    },
    /// `by: None` is the claim's own worker; the evidence is kept `retain` ms after the block
    /// time (R-PRIV-3; out of range when not positive or beyond two years).
    Submit {
        by: Option<usize>,
        pick: usize,
        retain: i64,
    },
    /// Approves without a reason, rejects with one.
    Vote {
        voter: Voter,
        pick: usize,
        reason: Option<usize>,
    },
    Object {
        by: Voter,
        pick: usize,
        reason: usize,
    },
    Resolve {
        by: usize,
        pick: usize,
        uphold: bool,
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

/// One block: its time advance in ms and its transactions. A block without transactions after
/// a long advance is the "time passes" operation: only `due::begin_block` runs.
#[derive(Debug, Clone)]
struct Plan {
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
/// Mostly a valid value, sometimes `invalid`.
fn valid_or(valid: &'static [u64], invalid: u64) -> BoxedStrategy<u64> {
    prop_oneof![9 => proptest::sample::select(valid), 1 => Just(invalid)].boxed()
}

const COUNCIL: &[usize] = &[C1, C2, C3];
const OFFICERS: &[usize] = &[OFFICER, OFFVER];
const VERIFIERS: &[usize] = &[VERIFIER, OFFVER, V2, V3, V4];
const WORKERS: &[usize] = &[R1, R2, R3, VERIFIER, V3, OFFICER];
const OBJECTORS: &[usize] = &[OFFICER, OFFVER, VERIFIER, V2, V3, V4];

fn motion() -> BoxedStrategy<Motion> {
    let rules = (
        valid_or(&[0, 1_000, WINDOW0, 20_000], MAX_WINDOW + 1),
        valid_or(&[0, 2_000, RESUBMIT0, 20_000], MAX_WINDOW + 1),
        valid_or(&[1_500, CAP0, 5_000, 15_000], MAX_CAP + 1),
        prop_oneof![
            9 => proptest::sample::select(&[34u8, SHARE0, 100][..]),
            1 => proptest::sample::select(&[0u8, 101][..]),
        ],
    )
        .prop_map(|(window, resubmit, cap, share)| Motion::TaskRules { window, resubmit, cap, share });
    prop_oneof![
        3 => amount().prop_map(Motion::Mint),
        1 => mostly(&[R1, R2, GHOST, VERIFIER]).prop_map(Motion::GrantVerifier),
        1 => mostly(&[VERIFIER, V2, V3, OFFVER]).prop_map(Motion::RevokeVerifier),
        2 => rules,
    ]
    .boxed()
}

/// R-REV-1: mostly 1 ≤ k ≤ n ≤ 3 (the pool holds five verifiers), sometimes anything.
fn review_rule() -> BoxedStrategy<(u8, u8)> {
    prop_oneof![
        9 => valid_review_rule(),
        1 => (0..=9u8, 0..=9u8),
    ]
    .boxed()
}

fn valid_review_rule() -> BoxedStrategy<(u8, u8)> {
    prop_oneof![4 => Just((1u8, 1u8)), 3 => (1..=2u8).prop_map(|k| (k, 2)), 2 => (1..=3u8).prop_map(|k| (k, 3))].boxed()
}

/// A task that can be claimed at once: the first block of a lifecycle history.
fn valid_post_op() -> BoxedStrategy<Op> {
    (proptest::sample::select(OFFICERS), 1..2_000u64, 1..=4u16, 10_000..40_000i64, valid_review_rule())
        .prop_map(|(by, reward, slots, deadline, (approvals, reviewers))| Op::Post {
            by,
            reward,
            slots,
            deadline,
            approvals,
            reviewers,
            draft: false,
        })
        .boxed()
}

fn retention() -> BoxedStrategy<i64> {
    let max = i64::try_from(MAX_RETENTION).expect("fits");
    let day = i64::try_from(DAY).expect("fits");
    prop_oneof![8 => day..=max, 1 => -5_000..=0i64, 1 => max + 1..=max + day].boxed()
}

fn voter(usual: &'static [usize]) -> BoxedStrategy<Voter> {
    prop_oneof![4 => (0..7usize).prop_map(Voter::Drawn), 1 => mostly(usual).prop_map(Voter::Anyone)].boxed()
}

fn transfer_op() -> BoxedStrategy<Op> {
    (mostly(&[R1, R2, R3, MERCHANT, STRANGER, VERIFIER]), anyone(), amount())
        .prop_map(|(from, to, amount)| Op::Transfer { from, to, amount })
        .boxed()
}

fn propose_op() -> BoxedStrategy<Op> {
    (mostly(COUNCIL), motion()).prop_map(|(by, motion)| Op::Propose { by, motion }).boxed()
}

fn approve_op() -> BoxedStrategy<Op> {
    (mostly(COUNCIL), pick()).prop_map(|(by, pick)| Op::Approve { by, pick }).boxed()
}

/// The task operations with their weights.
fn task_ops() -> Vec<(u32, BoxedStrategy<Op>)> {
    vec![
        (
            3,
            (
                mostly(OFFICERS),
                prop_oneof![1 => Just(0u64), 15 => 1..2_000u64],
                prop_oneof![1 => Just(0u16), 9 => 1..=4u16],
                -2_000..40_000i64,
                review_rule(),
                proptest::bool::weighted(0.2),
            )
                .prop_map(|(by, reward, slots, deadline, (approvals, reviewers), draft)| Op::Post {
                    by,
                    reward,
                    slots,
                    deadline,
                    approvals,
                    reviewers,
                    draft,
                })
                .boxed(),
        ),
        (2, (mostly(OFFICERS), pick()).prop_map(|(by, pick)| Op::Open { by, pick }).boxed()),
        (5, (mostly(WORKERS), pick()).prop_map(|(by, pick)| Op::Claim { by, pick }).boxed()),
        (
            5,
            (proptest::option::weighted(0.1, anyone()), pick(), retention())
                .prop_map(|(by, pick, retain)| Op::Submit { by, pick, retain })
                .boxed(),
        ),
        (
            7,
            (voter(VERIFIERS), pick(), proptest::option::weighted(0.3, 0..RejectReason::ALL.len()))
                .prop_map(|(voter, pick, reason)| Op::Vote { voter, pick, reason })
                .boxed(),
        ),
        (
            3,
            (
                prop_oneof![1 => (0..7usize).prop_map(Voter::Drawn), 3 => mostly(OBJECTORS).prop_map(Voter::Anyone)],
                pick(),
                0..RejectReason::ALL.len(),
            )
                .prop_map(|(by, pick, reason)| Op::Object { by, pick, reason })
                .boxed(),
        ),
        (
            3,
            (mostly(OFFICERS), pick(), proptest::bool::ANY)
                .prop_map(|(by, pick, uphold)| Op::Resolve { by, pick, uphold })
                .boxed(),
        ),
        (1, (mostly(OFFICERS), pick()).prop_map(|(by, pick)| Op::Cancel { by, pick }).boxed()),
    ]
}

fn any_op() -> BoxedStrategy<Op> {
    let mut ops = vec![
        (4, transfer_op()),
        (3, propose_op()),
        (3, approve_op()),
        (1, (mostly(&[TREASURER]), amount()).prop_map(|(by, amount)| Op::Fund { by, amount }).boxed()),
        (1, (mostly(&[TREASURER]), amount()).prop_map(|(by, amount)| Op::Defund { by, amount }).boxed()),
        (1, (mostly(&[REGISTRAR]), anyone()).prop_map(|(by, whom)| Op::Enroll { by, whom }).boxed()),
        (1, (mostly(&[REGISTRAR]), anyone()).prop_map(|(by, whom)| Op::Unenroll { by, whom }).boxed()),
        (
            2,
            (mostly(&[MERCHANT]), prop_oneof![1 => Just(500u64), 3 => amount()], 0..4u8)
                .prop_map(|(by, amount, key)| Op::Redeem { by, amount, key })
                .boxed(),
        ),
        (1, (mostly(&[TREASURER]), pick()).prop_map(|(by, pick)| Op::Settle { by, pick }).boxed()),
        (
            2,
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
    ];
    ops.extend(task_ops());
    Union::new_weighted(ops).boxed()
}

/// Mostly the task workflow, with the council changing the review rules and the pool now and
/// then, so that long paths (post, claim, submit, k votes, window, payout) are common.
fn task_op() -> BoxedStrategy<Op> {
    let mut ops = task_ops();
    ops.push((1, propose_op()));
    ops.push((1, approve_op()));
    ops.push((1, (mostly(&[REGISTRAR]), anyone()).prop_map(|(by, whom)| Op::Unenroll { by, whom }).boxed()));
    Union::new_weighted(ops).boxed()
}

fn history(op: BoxedStrategy<Op>, blocks: usize, ops: usize) -> BoxedStrategy<Vec<Plan>> {
    let busy = (1..=3_000u64, proptest::collection::vec(op, 0..=ops)).prop_map(|(step, ops)| Plan { step, ops });
    // Time passes: an empty block after a longer wait closes windows, passes deadlines and
    // lets resubmission rights lapse.
    let idle = (3_000..=20_000u64).prop_map(|step| Plan { step, ops: Vec::new() });
    proptest::collection::vec(prop_oneof![4 => busy, 1 => idle], 1..=blocks).boxed()
}

/// A history of the task workflow: a first block posts a few tasks and claims slots, so that
/// the later blocks have work to submit, review, object to, cancel and let expire.
fn lifecycle(blocks: usize, ops: usize) -> BoxedStrategy<Vec<Plan>> {
    let claims = (mostly(WORKERS), pick()).prop_map(|(by, pick)| Op::Claim { by, pick });
    let first = (proptest::collection::vec(valid_post_op(), 1..=3), proptest::collection::vec(claims, 1..=5)).prop_map(
        |(mut ops, claims)| {
            ops.extend(claims);
            Plan { step: 1, ops }
        },
    );
    (first, history(task_op(), blocks, ops))
        .prop_map(|(first, mut rest)| {
            rest.insert(0, first);
            rest
        })
        .boxed()
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
    motion: Motion,
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
    description: Hash,
    escrow: u64,
    rewarded: u16,
    /// Claims holding a slot (live, rejected with a right to resubmit, or paid), by index into
    /// `claims`, in claiming order.
    holders: Vec<usize>,
    status: TaskStatus,
    posted_at: u64,
    approvals: u8,
    reviewers: u8,
}

#[derive(Debug, Clone)]
struct MClaim {
    task: usize,
    worker: usize,
    status: ClaimStatus,
    evidence: Option<Hash>,
    retain_until: Option<u64>,
    reason: Option<RejectReason>,
    claimed_at: u64,
    submissions: u8,
    submitted_at: Option<u64>,
    reviewers: Vec<usize>,
    votes: Vec<(usize, Option<RejectReason>)>,
    window_closes: Option<u64>,
    objection: Option<(usize, RejectReason, u64)>,
    resubmit_until: Option<u64>,
    closed_at: Option<u64>,
    /// How often the reward was paid: never more than once.
    paid: u32,
}

#[derive(Debug, Clone)]
struct MRedemption {
    merchant: usize,
    amount: u64,
    settled: bool,
}

/// The task-review parameters in force.
#[derive(Debug, Clone, Copy)]
struct MParams {
    window: u64,
    resubmit: u64,
    cap: u64,
    share: u8,
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
    params: MParams,
    proposals: Vec<MProposal>,
    tasks: Vec<MTask>,
    claims: Vec<MClaim>,
    redemptions: Vec<MRedemption>,
    /// Redemption index by merchant and idempotency key.
    redeem_keys: BTreeMap<(usize, u8), usize>,
    /// Payer and amount by shop and reference.
    payments: BTreeMap<(usize, u8), (usize, u64)>,
    /// R-CAP-1: rewards of each resident's unpaid slots.
    reserved: BTreeMap<usize, u64>,
    /// R-CAP-1: rewards paid, by resident and year of payment.
    earned: BTreeMap<(usize, u16), u64>,
    /// R-REV-3: verifiers drawn for each worker's submissions, in all and per verifier.
    reviews: BTreeMap<usize, u32>,
    pairs: BTreeMap<(usize, usize), u32>,
    /// R-TASK-3, R-REV-2: every claim ever made, by task and resident, kept for good: one claim
    /// per resident and task, and nobody who claimed a slot reviews, objects or decides on it.
    worked_on: BTreeMap<(usize, usize), usize>,
    /// (task, account) pairs drawn to review or objecting on the task, kept for good.
    reviewed: BTreeSet<(usize, usize)>,
    /// R-DUE-1: block-time effects waiting for their time.
    due: BTreeSet<(u64, DueItem)>,
    /// The cap in force at each resident's latest accepted claim.
    cap_at_claim: BTreeMap<usize, u64>,
    /// The highest cap ever in force.
    cap_high: u64,
    /// How often each lifecycle path was taken (for the generator test).
    paths: BTreeMap<&'static str, usize>,
}

/// Picks an index among `len` things, or `len` itself (one that does not exist). Three times in
/// four it picks among `usable` (things in a state where the action can succeed), so that long
/// happy paths (post, claim, submit, vote, window) happen often enough to matter.
fn choose(pick: usize, len: usize, usable: &[usize]) -> usize {
    if !pick.is_multiple_of(4) && !usable.is_empty() { usable[(pick / 4) % usable.len()] } else { pick % (len + 1) }
}

fn id_u64(index: usize) -> u64 {
    u64::try_from(index).expect("small") + 1
}
fn index(id: u64) -> usize {
    usize::try_from(id).expect("small") - 1
}
fn claim_id(index: usize) -> ClaimId {
    ClaimId(id_u64(index))
}
fn task_id(index: usize) -> TaskId {
    TaskId(id_u64(index))
}
fn index_of(whom: &AccountId) -> usize {
    (0..N).find(|i| who(*i) == *whom).expect("only the cast appears")
}

/// R-REV-3: how many of a worker's draws one verifier may take once this draw of `n` counts:
/// the share of all draws, rounded up, and at least one.
fn allowance(share: u8, so_far: u32, n: u8) -> u32 {
    let total = u64::from(so_far) + u64::from(n);
    let allowed = (u64::from(share) * total).div_ceil(100).max(1);
    u32::try_from(allowed).expect("small")
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
            params: MParams { window: WINDOW0, resubmit: RESUBMIT0, cap: CAP0, share: SHARE0 },
            proposals: Vec::new(),
            tasks: Vec::new(),
            claims: Vec::new(),
            redemptions: Vec::new(),
            redeem_keys: BTreeMap::new(),
            payments: BTreeMap::new(),
            reserved: BTreeMap::new(),
            earned: BTreeMap::new(),
            reviews: BTreeMap::new(),
            pairs: BTreeMap::new(),
            worked_on: BTreeMap::new(),
            reviewed: BTreeSet::new(),
            due: BTreeSet::new(),
            cap_at_claim: BTreeMap::new(),
            cap_high: CAP0,
            paths: BTreeMap::new(),
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
    fn note(&mut self, path: &'static str) {
        *self.paths.entry(path).or_default() += 1;
    }
    /// The verifier pool: every account holding the role, in account order (R-REV-2).
    fn pool(&self) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..N).filter(|i| self.has(*i, Role::Verifier)).collect();
        pool.sort_by_key(|i| who(*i));
        pool
    }

    /// Turns `op` into a signer and an action, predicts its outcome and applies it.
    fn step(&mut self, op: &Op, ctx: &BlockContext) -> (usize, Action, Expected) {
        let (signer, action) = self.resolve(op, ctx.time.0);
        if !self.accounts.contains_key(&signer) {
            return (signer, action, Expected::Invalid);
        }
        // R-TX-5: a rejection leaves nothing behind, here as in the ledger.
        let saved = self.clone();
        let expected = match self.apply(signer, &action, ctx) {
            Ok(()) => Expected::Accepted,
            Err(code) => {
                *self = saved;
                Expected::Rejected(code)
            }
        };
        self.accounts.get_mut(&signer).expect("signer exists").nonce += 1;
        (signer, action, expected)
    }

    fn resolve(&self, op: &Op, time: u64) -> (usize, Action) {
        match *op {
            Op::Transfer { from, to, amount } => {
                (from, Action::Transfer(Transfer { recipient: who(to), amount: Amount(amount) }))
            }
            Op::Propose { by, motion } => (by, Action::Propose(Propose { action: motion.action() })),
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
            Op::Post { by, reward, slots, deadline, approvals, reviewers, draft } => {
                let deadline = time.checked_add_signed(deadline).expect("block times are far from zero");
                let action = Action::PostTask(PostTask {
                    budget: budget(BUDGET),
                    reward: Amount(reward),
                    slots,
                    deadline: Timestamp(deadline),
                    description: HashKind::Document.hash(&deadline.to_be_bytes()),
                    work_order: work_order(),
                    approvals,
                    reviewers,
                    draft,
                });
                (by, action)
            }
            Op::Open { by, pick } => {
                let drafts = self.tasks_where(|t| t.status == TaskStatus::Draft);
                let t = choose(pick, self.tasks.len(), &drafts);
                (by, Action::OpenTask(OpenTask { task: task_id(t) }))
            }
            Op::Claim { by, pick } => {
                let open = self.tasks_where(|t| t.status == TaskStatus::Open && t.deadline > time);
                let t = choose(pick, self.tasks.len(), &open);
                (by, Action::ClaimTask(ClaimTask { task: task_id(t) }))
            }
            Op::Submit { by, pick, retain } => {
                let usable = self.claims_where(|c| match c.status {
                    ClaimStatus::Claimed => true,
                    ClaimStatus::Rejected => c.resubmit_until.is_some_and(|until| until > time),
                    _ => false,
                });
                let c = choose(pick, self.claims.len(), &usable);
                let by = by.unwrap_or_else(|| self.claims.get(c).map_or(R1, |claim| claim.worker));
                let submission = self.claims.get(c).map_or(0, |claim| claim.submissions);
                let evidence =
                    HashKind::Evidence.hash(&[id_u64(c).to_be_bytes(), u64::from(submission).to_be_bytes()].concat());
                let retain_until = Timestamp(time.checked_add_signed(retain).expect("far from zero"));
                (by, Action::SubmitWork(SubmitWork { claim: claim_id(c), evidence, retain_until }))
            }
            Op::Vote { voter, pick, reason } => {
                let awaiting =
                    self.claims_where(|c| matches!(c.status, ClaimStatus::Submitted | ClaimStatus::UnderReview));
                let c = choose(pick, self.claims.len(), &awaiting);
                let by = self.voter(voter, c);
                let action = match reason {
                    None => Action::ApproveWork(ApproveWork { claim: claim_id(c) }),
                    Some(r) => Action::RejectWork(RejectWork { claim: claim_id(c), reason: RejectReason::ALL[r] }),
                };
                (by, action)
            }
            Op::Object { by, pick, reason } => {
                let open = self.claims_where(|c| {
                    c.status == ClaimStatus::InObjectionWindow && c.window_closes.is_some_and(|t| t > time)
                });
                let c = choose(pick, self.claims.len(), &open);
                let by = self.voter(by, c);
                (by, Action::ObjectToWork(ObjectToWork { claim: claim_id(c), reason: RejectReason::ALL[reason] }))
            }
            Op::Resolve { by, pick, uphold } => {
                let objected = self.claims_where(|c| c.status == ClaimStatus::Objected);
                let c = choose(pick, self.claims.len(), &objected);
                (by, Action::ResolveObjection(ResolveObjection { claim: claim_id(c), uphold }))
            }
            Op::Cancel { by, pick } => {
                let live = self.tasks_where(|t| t.status != TaskStatus::Cancelled);
                let t = choose(pick, self.tasks.len(), &live);
                (by, Action::CancelTask(CancelTask { task: task_id(t) }))
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

    fn tasks_where(&self, keep: impl Fn(&MTask) -> bool) -> Vec<usize> {
        (0..self.tasks.len()).filter(|t| keep(&self.tasks[*t])).collect()
    }

    fn claims_where(&self, keep: impl Fn(&MClaim) -> bool) -> Vec<usize> {
        (0..self.claims.len()).filter(|c| keep(&self.claims[*c])).collect()
    }

    fn voter(&self, voter: Voter, c: usize) -> usize {
        match voter {
            Voter::Anyone(i) => i,
            Voter::Drawn(i) => {
                let Some(claim) = self.claims.get(c) else { return VERIFIER };
                let fresh: Vec<usize> =
                    claim.reviewers.iter().copied().filter(|r| !claim.votes.iter().any(|(v, _)| v == r)).collect();
                let list = if fresh.is_empty() { &claim.reviewers } else { &fresh };
                if list.is_empty() { VERIFIER } else { list[i % list.len()] }
            }
        }
    }

    /// The rules, written again as plainly as possible. `Err` is the rejection code; the
    /// caller restores the model on `Err`.
    fn apply(&mut self, by: usize, action: &Action, ctx: &BlockContext) -> Result<(), u16> {
        let now = ctx.time.0;
        match action {
            Action::Transfer(t) => {
                let amount = t.amount.0;
                let to = index_of(&t.recipient);
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
                let motion = Motion::of(&p.action);
                self.check_motion(motion)?;
                self.proposals.push(MProposal {
                    motion,
                    approvals: BTreeSet::from([by]),
                    executed: false,
                    expires_at: now + TTL,
                });
            }
            Action::Approve(a) => {
                self.require(by, Role::Council)?;
                let Some(p) = self.proposals.get_mut(index(a.proposal.0)) else { return Err(300) };
                if p.executed {
                    return Err(301);
                }
                if now > p.expires_at {
                    return Err(302);
                }
                if !p.approvals.insert(by) {
                    return Err(303);
                }
                if p.approvals.len() >= THRESHOLD {
                    p.executed = true;
                    let motion = p.motion;
                    // The checks run again when the proposal executes.
                    self.execute_motion(motion)?;
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
                let account = self.accounts.entry(index_of(&e.account)).or_insert(MAccount {
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
                match self.accounts.get_mut(&index_of(&u.account)) {
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
                if p.deadline.0 <= now {
                    return Err(601);
                }
                if p.reviewers == 0 || p.reviewers > MAX_REVIEWERS || p.approvals == 0 || p.approvals > p.reviewers {
                    return Err(614);
                }
                self.tasks.push(MTask {
                    poster: by,
                    reward: p.reward.0,
                    slots: p.slots,
                    deadline: p.deadline.0,
                    description: p.description,
                    escrow: 0,
                    rewarded: 0,
                    holders: Vec::new(),
                    status: TaskStatus::Draft,
                    posted_at: now,
                    approvals: p.approvals,
                    reviewers: p.reviewers,
                });
                if !p.draft {
                    self.fund(self.tasks.len() - 1)?;
                }
            }
            Action::OpenTask(o) => {
                self.require(by, Role::Officer)?;
                let t = index(o.task.0);
                let Some(task) = self.tasks.get(t) else { return Err(602) };
                if task.poster != by {
                    return Err(613);
                }
                if task.status != TaskStatus::Draft {
                    return Err(622);
                }
                if task.deadline <= now {
                    return Err(601);
                }
                self.fund(t)?;
                self.note("draft opened");
            }
            Action::ClaimTask(c) => {
                if !self.accounts.get(&by).is_some_and(|a| a.enrolled) {
                    return Err(201);
                }
                let t = index(c.task.0);
                let Some(task) = self.tasks.get(t) else { return Err(602) };
                Self::check_open(task, now)?;
                if task.poster == by {
                    return Err(607);
                }
                // One claim per resident and task, ever: a finally rejected worker does not
                // start over.
                if self.worked_on.contains_key(&(t, by)) {
                    return Err(606);
                }
                // R-REV-2: anyone ever drawn for, or who objected to, work on the task does not
                // become a co-worker on it.
                if self.reviewed.contains(&(t, by)) {
                    return Err(626);
                }
                if task.holders.len() >= usize::from(task.slots) {
                    return Err(605);
                }
                // R-CAP-1: paid this year + reserved + this reward within the cap.
                let earned = self.earned.get(&(by, year(now))).copied().unwrap_or(0);
                let reserved = self.reserved.get(&by).copied().unwrap_or(0);
                if earned + reserved + task.reward > self.params.cap {
                    return Err(618);
                }
                *self.reserved.entry(by).or_default() += task.reward;
                self.cap_at_claim.insert(by, self.params.cap);
                let c = self.claims.len();
                self.claims.push(MClaim {
                    task: t,
                    worker: by,
                    status: ClaimStatus::Claimed,
                    evidence: None,
                    retain_until: None,
                    reason: None,
                    claimed_at: now,
                    submissions: 0,
                    submitted_at: None,
                    reviewers: Vec::new(),
                    votes: Vec::new(),
                    window_closes: None,
                    objection: None,
                    resubmit_until: None,
                    closed_at: None,
                    paid: 0,
                });
                self.tasks[t].holders.push(c);
                self.worked_on.insert((t, by), c);
            }
            Action::SubmitWork(s) => {
                let c = index(s.claim.0);
                let Some(claim) = self.claims.get(c) else { return Err(608) };
                if claim.worker != by {
                    return Err(609);
                }
                let retain = s.retain_until.0;
                if retain <= now || retain > now + MAX_RETENTION {
                    return Err(623);
                }
                let lapse = match claim.status {
                    ClaimStatus::Claimed => {
                        Self::check_open(&self.tasks[claim.task], now)?;
                        None
                    }
                    // R-REV-6: once more, within the resubmission window.
                    ClaimStatus::Rejected => match claim.resubmit_until {
                        Some(until) if now < until && claim.submissions < 2 => Some(until),
                        _ => return Err(621),
                    },
                    _ => return Err(610),
                };
                let (worker, submission) = (claim.worker, claim.submissions + 1);
                let drawn = self.draw(ctx, c, submission)?;
                if let Some(until) = lapse {
                    self.due.remove(&(until, DueItem::ResubmitLapse(s.claim)));
                    self.note("resubmitted");
                }
                let task = self.claims[c].task;
                for v in &drawn {
                    *self.pairs.entry((worker, *v)).or_default() += 1;
                    self.reviewed.insert((task, *v));
                }
                *self.reviews.entry(worker).or_default() += u32::try_from(drawn.len()).expect("small");
                let claim = &mut self.claims[c];
                claim.submissions = submission;
                claim.reviewers = drawn;
                claim.status = ClaimStatus::Submitted;
                claim.evidence = Some(s.evidence);
                claim.retain_until = Some(retain);
                claim.submitted_at = Some(now);
                claim.votes.clear();
                claim.reason = None;
                claim.resubmit_until = None;
            }
            Action::ApproveWork(ApproveWork { claim: id }) | Action::RejectWork(RejectWork { claim: id, .. }) => {
                let reason = match action {
                    Action::RejectWork(r) => Some(r.reason),
                    _ => None,
                };
                self.require(by, Role::Verifier)?;
                let c = index(id.0);
                let Some(claim) = self.claims.get(c) else { return Err(608) };
                if claim.worker == by {
                    return Err(611);
                }
                let t = claim.task;
                if self.tasks[t].poster == by {
                    return Err(612);
                }
                if self.worked_on.contains_key(&(t, by)) {
                    return Err(625);
                }
                if !matches!(claim.status, ClaimStatus::Submitted | ClaimStatus::UnderReview) {
                    return Err(610);
                }
                if !claim.reviewers.contains(&by) {
                    return Err(616);
                }
                if claim.votes.iter().any(|(v, _)| *v == by) {
                    return Err(617);
                }
                // R-REV-5: k approvals open the window; more than n − k rejections reject.
                let (k, n) = (usize::from(self.tasks[t].approvals), usize::from(self.tasks[t].reviewers));
                let claim = &mut self.claims[c];
                claim.votes.push((by, reason));
                let approvals = claim.votes.iter().filter(|(_, r)| r.is_none()).count();
                let rejections = claim.votes.len() - approvals;
                if approvals >= k {
                    let closes = now + self.params.window;
                    claim.status = ClaimStatus::InObjectionWindow;
                    claim.window_closes = Some(closes);
                    self.due.insert((closes, DueItem::ObjectionWindow(*id)));
                    self.note(if n > 1 { "approved by k of n > 1" } else { "approved by 1 of 1" });
                } else if rejections > n - k {
                    self.reject_submission(c, reason.expect("only a rejection rejects"), now);
                    self.note(if n > 1 { "rejected by votes of n > 1" } else { "rejected by 1 of 1" });
                } else {
                    claim.status = ClaimStatus::UnderReview;
                }
            }
            Action::ObjectToWork(o) => {
                let c = index(o.claim.0);
                let Some(claim) = self.claims.get(c) else { return Err(608) };
                if claim.worker == by {
                    return Err(620);
                }
                if self.worked_on.contains_key(&(claim.task, by)) {
                    return Err(625);
                }
                let officer = self.has(by, Role::Officer);
                if !officer && !self.has(by, Role::Verifier) {
                    return Err(620);
                }
                let open =
                    claim.status == ClaimStatus::InObjectionWindow && claim.window_closes.is_some_and(|t| now < t);
                if !open {
                    return Err(619);
                }
                let closes = claim.window_closes;
                self.reviewed.insert((claim.task, by));
                self.claims[c].objection = Some((by, o.reason, now));
                if officer {
                    // R-OBJ-2: an officer's objection succeeds at once.
                    if let Some(closes) = closes {
                        self.due.remove(&(closes, DueItem::ObjectionWindow(o.claim)));
                    }
                    self.reject_submission(c, o.reason, now);
                    self.note("objection of an officer");
                } else {
                    self.claims[c].status = ClaimStatus::Objected;
                    self.note("objection of a verifier");
                }
            }
            Action::ResolveObjection(r) => {
                self.require(by, Role::Officer)?;
                let c = index(r.claim.0);
                let Some(claim) = self.claims.get(c) else { return Err(608) };
                if claim.worker == by {
                    return Err(611);
                }
                if self.worked_on.contains_key(&(claim.task, by)) {
                    return Err(625);
                }
                let (ClaimStatus::Objected, Some((_, reason, _))) = (claim.status, claim.objection) else {
                    return Err(624);
                };
                let closes = claim.window_closes;
                if r.uphold {
                    if let Some(closes) = closes {
                        self.due.remove(&(closes, DueItem::ObjectionWindow(r.claim)));
                    }
                    self.reject_submission(c, reason, now);
                    self.note("objection upheld");
                } else if closes.is_some_and(|t| now >= t) {
                    self.pay(c, now);
                    self.note("paid when an objection was dismissed after the window");
                } else {
                    self.claims[c].status = ClaimStatus::InObjectionWindow;
                    self.note("objection dismissed inside the window");
                }
            }
            Action::CancelTask(c) => {
                self.require(by, Role::Officer)?;
                let t = index(c.task.0);
                let Some(task) = self.tasks.get(t) else { return Err(602) };
                if task.poster != by {
                    return Err(613);
                }
                if task.status == TaskStatus::Cancelled {
                    return Err(603);
                }
                if task.status == TaskStatus::Open {
                    self.due.remove(&(task.deadline, DueItem::TaskDeadline(c.task)));
                }
                let reward = task.reward;
                self.tasks[t].status = TaskStatus::Cancelled;
                let mut kept = Vec::new();
                for h in std::mem::take(&mut self.tasks[t].holders) {
                    match self.claims[h].status {
                        ClaimStatus::Claimed
                        | ClaimStatus::Submitted
                        | ClaimStatus::UnderReview
                        | ClaimStatus::Rejected => {
                            let claim = &mut self.claims[h];
                            claim.status = ClaimStatus::Cancelled;
                            claim.resubmit_until = None;
                            claim.closed_at = Some(now);
                            *self.reserved.get_mut(&claim.worker).expect("reserved at claim") -= reward;
                        }
                        // Approved work waits out its window (or its objection) and is paid or
                        // refunded then; paid work keeps its slot.
                        ClaimStatus::Rewarded => kept.push(h),
                        _ => {
                            self.note("approved work outlives a cancellation");
                            kept.push(h);
                        }
                    }
                }
                let task = &mut self.tasks[t];
                task.holders = kept;
                let keep = reward * u64::try_from(task.holders.len() - usize::from(task.rewarded)).expect("small");
                let refund = task.escrow - keep;
                task.escrow -= refund;
                self.budget += refund;
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
                    let r = index(id.0);
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
                let to = index_of(&p.merchant);
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
                if now > p.expires_at.0 {
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
                let Some(redemption) = self.redemptions.get_mut(index(s.redemption.0)) else { return Err(700) };
                if redemption.settled {
                    return Err(701);
                }
                redemption.settled = true;
                self.settled += redemption.amount;
            }
        }
        Ok(())
    }

    fn check_motion(&self, motion: Motion) -> Result<(), u16> {
        match motion {
            Motion::Mint(0) => Err(102),
            Motion::Mint(_) => Ok(()),
            Motion::GrantVerifier(whom) if self.has(whom, Role::Verifier) => Err(306),
            Motion::RevokeVerifier(whom) if !self.has(whom, Role::Verifier) => Err(307),
            Motion::GrantVerifier(_) | Motion::RevokeVerifier(_) => Ok(()),
            Motion::TaskRules { window, resubmit, .. } if window > MAX_WINDOW || resubmit > MAX_WINDOW => Err(315),
            Motion::TaskRules { cap, .. } if cap > MAX_CAP => Err(316),
            Motion::TaskRules { share, .. } if share == 0 || share > 100 => Err(317),
            Motion::TaskRules { .. } => Ok(()),
        }
    }

    fn execute_motion(&mut self, motion: Motion) -> Result<(), u16> {
        self.check_motion(motion)?;
        match motion {
            Motion::Mint(amount) => {
                self.minted += amount;
                self.treasury += amount;
            }
            Motion::GrantVerifier(whom) => {
                let account = self.accounts.entry(whom).or_insert(MAccount {
                    balance: 0,
                    nonce: 0,
                    roles: RoleSet::EMPTY,
                    enrolled: false,
                });
                account.roles = account.roles.with(Role::Verifier);
            }
            Motion::RevokeVerifier(whom) => {
                let account = self.accounts.get_mut(&whom).expect("checked: holds the role");
                account.roles = account.roles.without(Role::Verifier);
            }
            Motion::TaskRules { window, resubmit, cap, share } => {
                self.params = MParams { window, resubmit, cap, share };
                self.cap_high = self.cap_high.max(cap);
                self.note("task rules changed");
            }
        }
        Ok(())
    }

    /// R-TASK-3: the task takes claims (and first submissions).
    fn check_open(task: &MTask, now: u64) -> Result<(), u16> {
        match task.status {
            TaskStatus::Cancelled => Err(603),
            TaskStatus::Expired => Err(604),
            TaskStatus::Draft => Err(622),
            TaskStatus::Open if now >= task.deadline => Err(604),
            TaskStatus::Open => Ok(()),
        }
    }

    /// R-TASK-1: `reward × slots` from the budget into escrow; the deadline is scheduled.
    fn fund(&mut self, t: usize) -> Result<(), u16> {
        let task = &mut self.tasks[t];
        let escrow = task.reward * u64::from(task.slots);
        if self.budget < escrow {
            return Err(402);
        }
        self.budget -= escrow;
        task.escrow = escrow;
        task.status = TaskStatus::Open;
        self.due.insert((task.deadline, DueItem::TaskDeadline(task_id(t))));
        Ok(())
    }

    /// R-REV-2, R-REV-3: the model's own draw. The model does not read the drawn reviewers
    /// from the ledger: it calls the ledger's `draw_score` with the same inputs (parent hash,
    /// claim, submission number, verifier) and takes the `n` lowest among the verifiers it
    /// finds eligible itself (pool, exclusions and share rule all kept in the model), so a
    /// wrong draw shows up as a claim that differs from the model's.
    fn draw(&self, ctx: &BlockContext, c: usize, submission: u8) -> Result<Vec<usize>, u16> {
        let claim = &self.claims[c];
        let task = &self.tasks[claim.task];
        let worker = claim.worker;
        let so_far = self.reviews.get(&worker).copied().unwrap_or(0);
        let allowed = allowance(self.params.share, so_far, task.reviewers);
        // Anyone who ever claimed a slot of the task, holding it or not.
        let co_workers: BTreeSet<usize> =
            self.worked_on.keys().filter(|(t, _)| *t == claim.task).map(|(_, resident)| *resident).collect();
        let mut scored: Vec<(Hash, AccountId, usize)> = self
            .pool()
            .into_iter()
            .filter(|v| *v != worker && *v != task.poster && !co_workers.contains(v))
            .filter(|v| self.pairs.get(&(worker, *v)).copied().unwrap_or(0) < allowed)
            .map(|v| (draw_score(&ctx.parent, claim_id(c), submission, &who(v)), who(v), v))
            .collect();
        if scored.len() < usize::from(task.reviewers) {
            return Err(615);
        }
        scored.sort();
        Ok(scored.into_iter().take(usize::from(task.reviewers)).map(|(_, _, v)| v).collect())
    }

    /// R-REV-6: a rejected first submission keeps its slot for the resubmission window (unless
    /// the task is cancelled); a rejected second one frees the slot at once.
    fn reject_submission(&mut self, c: usize, reason: RejectReason, now: u64) {
        let cancelled = self.tasks[self.claims[c].task].status == TaskStatus::Cancelled;
        let claim = &mut self.claims[c];
        claim.status = ClaimStatus::Rejected;
        claim.reason = Some(reason);
        if claim.submissions < 2 && !cancelled {
            let until = now + self.params.resubmit;
            claim.resubmit_until = Some(until);
            self.due.insert((until, DueItem::ResubmitLapse(claim_id(c))));
        } else {
            claim.resubmit_until = None;
            self.free_slot(c, now);
            self.note("final rejection");
        }
    }

    /// A claim ends unpaid: slot and reservation freed; a closed task refunds the slot.
    fn free_slot(&mut self, c: usize, now: u64) -> u64 {
        let (t, worker) = (self.claims[c].task, self.claims[c].worker);
        self.claims[c].closed_at = Some(now);
        let task = &mut self.tasks[t];
        task.holders.retain(|h| *h != c);
        *self.reserved.get_mut(&worker).expect("reserved at claim") -= task.reward;
        if task.status == TaskStatus::Open {
            return 0;
        }
        task.escrow -= task.reward;
        self.budget += task.reward;
        task.reward
    }

    /// R-OBJ-1: escrow pays the worker; the reward counts towards the year it is paid in.
    fn pay(&mut self, c: usize, now: u64) -> Event {
        let (t, worker) = (self.claims[c].task, self.claims[c].worker);
        let task = &mut self.tasks[t];
        let reward = task.reward;
        task.escrow -= reward;
        task.rewarded += 1;
        let status = task.status;
        *self.balance_mut(worker) += reward;
        *self.reserved.get_mut(&worker).expect("reserved at claim") -= reward;
        *self.earned.entry((worker, year(now))).or_default() += reward;
        let claim = &mut self.claims[c];
        claim.status = ClaimStatus::Rewarded;
        claim.closed_at = Some(now);
        claim.paid += 1;
        assert_eq!(claim.paid, 1, "the model pays a claim once");
        if year(claim.claimed_at) != year(now) {
            self.note("paid in the year after the claim");
        }
        match status {
            TaskStatus::Cancelled => self.note("paid on a cancelled task"),
            TaskStatus::Expired => self.note("paid on an expired task"),
            TaskStatus::Open | TaskStatus::Draft => {}
        }
        Event::RewardPaid { task: task_id(t), claim: claim_id(c), worker: who(worker), reward: Amount(reward) }
    }

    /// R-DUE-1: what falls due at or before the block time, in (time, item) order, before the
    /// block's transactions. Returns the events the ledger must report.
    fn begin_block(&mut self, ctx: &BlockContext) -> Vec<Event> {
        let now = ctx.time.0;
        let due: Vec<(u64, DueItem)> = self.due.iter().copied().take_while(|(time, _)| *time <= now).collect();
        let mut events = Vec::new();
        for (time, item) in due {
            self.due.remove(&(time, item));
            match item {
                DueItem::TaskDeadline(id) => events.extend(self.expire(index(id.0), time, now)),
                DueItem::ObjectionWindow(id) => {
                    let c = index(id.0);
                    let claim = &self.claims[c];
                    if claim.status == ClaimStatus::InObjectionWindow && claim.window_closes == Some(time) {
                        events.push(self.pay(c, now));
                        self.note("paid when the window closed");
                    }
                }
                DueItem::ResubmitLapse(id) => {
                    let c = index(id.0);
                    let claim = &mut self.claims[c];
                    if claim.status == ClaimStatus::Rejected && claim.resubmit_until == Some(time) {
                        claim.resubmit_until = None;
                        let worker = claim.worker;
                        let refund = self.free_slot(c, now);
                        events.push(Event::ClaimClosed { claim: id, worker: who(worker), refund: Amount(refund) });
                        self.note("resubmission right lapsed");
                    }
                }
            }
        }
        events
    }

    /// R-TASK-11: at its deadline an open task expires; unsubmitted claims end, and the escrow
    /// of every slot not held goes back to the budget.
    fn expire(&mut self, t: usize, time: u64, now: u64) -> Vec<Event> {
        let task = &self.tasks[t];
        if task.status != TaskStatus::Open || task.deadline != time {
            return Vec::new();
        }
        self.tasks[t].status = TaskStatus::Expired;
        let mut events = Vec::new();
        for h in self.tasks[t].holders.clone() {
            if self.claims[h].status == ClaimStatus::Claimed {
                self.claims[h].status = ClaimStatus::Expired;
                let refund = self.free_slot(h, now);
                let worker = who(self.claims[h].worker);
                events.push(Event::ClaimClosed { claim: claim_id(h), worker, refund: Amount(refund) });
                self.note("unsubmitted claim expired");
            }
        }
        let task = &mut self.tasks[t];
        let live = task.holders.len() - usize::from(task.rewarded);
        let refund = task.escrow - task.reward * u64::try_from(live).expect("small");
        task.escrow -= refund;
        self.budget += refund;
        if refund > 0 {
            self.note("expiry refunded free slots");
        }
        events.insert(0, Event::TaskExpired { task: task_id(t), budget: budget(BUDGET), refund: Amount(refund) });
        events
    }

    /// The claim as the ledger must hold it.
    fn ledger_claim(&self, c: usize) -> Claim {
        let m = &self.claims[c];
        Claim {
            task: task_id(m.task),
            worker: who(m.worker),
            status: m.status,
            evidence: m.evidence,
            retain_until: m.retain_until.map(Timestamp),
            reason: m.reason,
            claimed_at: Timestamp(m.claimed_at),
            submissions: m.submissions,
            submitted_at: m.submitted_at.map(Timestamp),
            reviewers: m.reviewers.iter().map(|v| who(*v)).collect(),
            votes: m.votes.iter().map(|(v, reason)| Vote { verifier: who(*v), reason: *reason }).collect(),
            window_closes: m.window_closes.map(Timestamp),
            objection: m.objection.map(|(by, reason, at)| Objection { by: who(by), reason, at: Timestamp(at) }),
            resubmit_until: m.resubmit_until.map(Timestamp),
            closed_at: m.closed_at.map(Timestamp),
        }
    }

    /// The task as the ledger must hold it.
    fn ledger_task(&self, t: usize) -> Task {
        let m = &self.tasks[t];
        Task {
            poster: who(m.poster),
            budget: budget(BUDGET),
            reward: Amount(m.reward),
            slots: m.slots,
            deadline: Timestamp(m.deadline),
            description: m.description,
            escrow: Amount(m.escrow),
            rewarded: m.rewarded,
            claims: m.holders.iter().map(|h| claim_id(*h)).collect(),
            status: m.status,
            posted_at: Timestamp(m.posted_at),
            work_order: work_order(),
            approvals: m.approvals,
            reviewers: m.reviewers,
        }
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
        let p = &g.params;
        prop_assert_eq!(
            (p.objection_window_ms, p.resubmit_window_ms, p.annual_cap.0, p.max_review_share_pct),
            (self.params.window, self.params.resubmit, self.params.cap, self.params.share),
            "task-review rules"
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
            let mut approvals: Vec<AccountId> = p.approvals.iter().map(|a| who(*a)).collect();
            approvals.sort();
            prop_assert_eq!((got.status, &got.approvals), (status, &approvals), "proposal {}", i + 1);
            prop_assert_eq!((&got.action, got.expires_at), (&p.motion.action(), Timestamp(p.expires_at)));
        }
        prop_assert_eq!(state.tasks().count(), self.tasks.len());
        for t in 0..self.tasks.len() {
            prop_assert_eq!(state.task(task_id(t)), Some(&self.ledger_task(t)), "task {}", t + 1);
        }
        prop_assert_eq!(state.claims().count(), self.claims.len());
        for c in 0..self.claims.len() {
            prop_assert_eq!(state.claim(claim_id(c)), Some(&self.ledger_claim(c)), "claim {}", c + 1);
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

        // R-REV-2: the pool is every holder of the verifier role, in account order.
        let pool: Vec<AccountId> = self.pool().into_iter().map(who).collect();
        prop_assert_eq!(
            state.get(&Key::Verifiers),
            Some(&Value::Verifiers(contracts::state::VerifierPool { members: pool }))
        );
        // R-DUE-1: the same block-time effects wait, at the same times.
        let due: BTreeSet<(u64, DueItem)> = state
            .entries()
            .filter_map(|(k, _)| match k {
                Key::Due(time, item) => Some((time.0, *item)),
                _ => None,
            })
            .collect();
        prop_assert_eq!(&due, &self.due, "due schedule");
        // R-CAP-1, R-REV-3: reservations, earnings and draw counts.
        for i in 0..N {
            let got = match state.get(&Key::Earner(who(i))) {
                Some(Value::Earner(earner)) => *earner,
                _ => Earner::default(),
            };
            let want = Earner {
                reserved: Amount(self.reserved.get(&i).copied().unwrap_or(0)),
                reviews: self.reviews.get(&i).copied().unwrap_or(0),
            };
            prop_assert_eq!(got, want, "earner {}", i);
        }
        let mut earned = BTreeMap::new();
        let mut pairs = BTreeMap::new();
        let mut worked_on = BTreeMap::new();
        let mut reviewed = BTreeSet::new();
        for (k, v) in state.entries() {
            match (k, v) {
                (Key::Reviewed(task, who), Value::Reviewed) => {
                    reviewed.insert((index(task.0), index_of(who)));
                }
                (Key::WorkedOn(task, resident), Value::WorkedOn(claim)) => {
                    worked_on.insert((index(task.0), index_of(resident)), index(claim.0));
                }
                (Key::Earned(a, year), Value::Earned(amount)) => {
                    earned.insert((index_of(a), *year), amount.0);
                }
                (Key::ReviewPair(w, v), Value::ReviewPair(count)) => {
                    pairs.insert((index_of(w), index_of(v)), *count);
                }
                _ => {}
            }
        }
        prop_assert_eq!(&earned, &self.earned, "paid rewards by resident and year");
        prop_assert_eq!(&pairs, &self.pairs, "draws by worker and verifier");
        prop_assert_eq!(&worked_on, &self.worked_on, "claims by task and resident, kept for good");
        prop_assert_eq!(&reviewed, &self.reviewed, "reviewers and objectors by task, kept for good");
        Ok(())
    }
}

/// The reference `ORD-n` of a model payment.
fn payment_ref(n: u8) -> PaymentRef {
    PaymentRef::new(&format!("ORD-{n}")).expect("valid reference")
}

// ---------------------------------------------------------------------------------------------
// Checks on the ledger alone: they hold whatever the model says.

/// The ledger's own invariants of the task workflow after a block at `now`.
fn check_invariants(state: &State, model: &Model, now: u64) -> Result<(), TestCaseError> {
    // R-TASK-*: escrow covers exactly the unpaid slots that may still be paid.
    let mut reserved: BTreeMap<AccountId, u64> = BTreeMap::new();
    for (id, task) in state.tasks() {
        let mut rewarded = 0u16;
        for c in &task.claims {
            let claim = state.claim(*c).expect("held claims exist");
            prop_assert_eq!(claim.task, id, "claim {} holds a slot of its own task", c.0);
            match claim.status {
                ClaimStatus::Rewarded => rewarded += 1,
                ClaimStatus::Rejected if claim.resubmit_until.is_some() => {
                    *reserved.entry(claim.worker).or_default() += task.reward.0;
                }
                status if status.is_live() => *reserved.entry(claim.worker).or_default() += task.reward.0,
                status => prop_assert!(false, "claim {} holds a slot of task {} as {:?}", c.0, id.0, status),
            }
        }
        prop_assert_eq!(rewarded, task.rewarded, "paid slots of task {}", id.0);
        prop_assert!(task.claims.len() <= usize::from(task.slots));
        let held = u16::try_from(task.claims.len()).expect("small");
        let unpaid = match task.status {
            TaskStatus::Draft => 0,
            TaskStatus::Open => task.slots - task.rewarded,
            TaskStatus::Expired | TaskStatus::Cancelled => held - task.rewarded,
        };
        prop_assert_eq!(
            task.escrow.0,
            task.reward.0 * u64::from(unpaid),
            "escrow of task {} ({:?})",
            id.0,
            task.status
        );
    }
    for (id, claim) in state.claims() {
        let task = state.task(claim.task).expect("claims belong to tasks");
        // R-REV-2: n distinct reviewers, never the worker or the poster.
        if claim.submissions > 0 {
            let distinct: BTreeSet<AccountId> = claim.reviewers.iter().copied().collect();
            prop_assert_eq!(
                distinct.len(),
                usize::from(task.reviewers),
                "claim {} reviewers {:?}",
                id.0,
                claim.reviewers
            );
            prop_assert!(!distinct.contains(&claim.worker) && !distinct.contains(&task.poster), "claim {}", id.0);
        }
        // R-TASK-3: every claim is on record for good, under its task and worker.
        prop_assert_eq!(
            state.get(&Key::WorkedOn(claim.task, claim.worker)),
            Some(&Value::WorkedOn(id)),
            "claim {} on record",
            id.0
        );
        // R-REV-2: nobody drawn for live work on a task ever claimed a slot of it.
        if claim.status.is_live() {
            for reviewer in &claim.reviewers {
                let worked = state.get(&Key::WorkedOn(claim.task, *reviewer));
                prop_assert!(worked.is_none(), "claim {}: reviewer {:?} claimed {:?}", id.0, reviewer, worked);
            }
        }
        // R-OBJ-1: paid only once the window closed.
        if claim.status == ClaimStatus::Rewarded {
            prop_assert!(claim.window_closes.is_some_and(|t| Some(t) <= claim.closed_at), "claim {} paid early", id.0);
        }
    }
    // R-CAP-1: reservations are the rewards of unpaid slots held, and what was paid this year
    // plus what is reserved stays within the cap in force at the resident's latest claim.
    let this_year = year(now);
    for i in 0..N {
        let got = match state.get(&Key::Earner(who(i))) {
            Some(Value::Earner(earner)) => earner.reserved.0,
            _ => 0,
        };
        prop_assert_eq!(got, reserved.get(&who(i)).copied().unwrap_or(0), "reserved of {}", i);
        let earned = match state.get(&Key::Earned(who(i), this_year)) {
            Some(Value::Earned(amount)) => amount.0,
            _ => 0,
        };
        let cap = model.cap_at_claim.get(&i).copied().unwrap_or(0);
        prop_assert!(earned + got <= cap, "resident {}: paid {} + reserved {} above the cap {}", i, earned, got, cap);
    }
    let mut records = 0;
    for (k, v) in state.entries() {
        if let (Key::Earned(a, year), Value::Earned(amount)) = (k, v) {
            prop_assert!(amount.0 <= model.cap_high, "{:?} paid {} in {}, above every cap", a, amount.0, year);
        }
        if let Key::WorkedOn(..) = k {
            records += 1;
        }
    }
    // R-TASK-3: one claim per resident and task, ever, so one record per claim.
    prop_assert_eq!(records, state.claims().count(), "one record per claim");
    Ok(())
}

/// R-REV-2: the draw for `id`'s next submission, from the ledger state alone: the `n` lowest
/// `draw_score`s among the pool minus the worker, the poster, everyone who ever claimed a slot of
/// the task, and (R-REV-3) verifiers who took their share of the worker's draws.
fn ledger_draw(view: &Overlay<'_>, ctx: &BlockContext, id: ClaimId) -> Option<Vec<AccountId>> {
    let claim = view.claim(id)?;
    let task = view.task(claim.task)?;
    let share = view.globals()?.params.max_review_share_pct;
    let so_far = view.earner(claim.worker).unwrap_or_default().reviews;
    let allowed = allowance(share, so_far, task.reviewers);
    let excluded = excluded_reviewers(view, id)?;
    let mut scored: Vec<(Hash, AccountId)> = view
        .verifiers()
        .members
        .into_iter()
        .filter(|v| !excluded.contains(v))
        .filter(|v| view.review_pair((claim.worker, *v)).unwrap_or(0) < allowed)
        .map(|v| (draw_score(&ctx.parent, id, claim.submissions + 1, &v), v))
        .collect();
    scored.sort();
    Some(scored.into_iter().take(usize::from(task.reviewers)).map(|(_, v)| v).collect())
}

/// Who may never review, object to or decide on `id`: its worker, its task's poster, every
/// worker holding a slot on the same task and (R-TASK-3) everyone of the cast the ledger records
/// as having ever claimed a slot of it.
fn excluded_reviewers(view: &Overlay<'_>, id: ClaimId) -> Option<BTreeSet<AccountId>> {
    let claim = view.claim(id)?;
    let task = view.task(claim.task)?;
    let mut excluded: BTreeSet<AccountId> =
        task.claims.iter().filter_map(|c| view.claim(*c)).map(|c| c.worker).collect();
    excluded.extend((0..N).map(who).filter(|a| view.worked_on((claim.task, *a)).is_some()));
    excluded.insert(claim.worker);
    excluded.insert(task.poster);
    Some(excluded)
}

fn claim_in(action: &Action) -> Option<ClaimId> {
    match action {
        Action::SubmitWork(SubmitWork { claim, .. })
        | Action::ApproveWork(ApproveWork { claim })
        | Action::RejectWork(RejectWork { claim, .. })
        | Action::ObjectToWork(ObjectToWork { claim, .. })
        | Action::ResolveObjection(ResolveObjection { claim, .. }) => Some(*claim),
        _ => None,
    }
}

/// Which checks a history run makes beyond those every run makes.
#[derive(Debug, Clone, Copy)]
struct Checks {
    /// R-REV-2: nobody who claimed a slot of a task (holding it or not) votes on, objects to or
    /// decides on work for it, even when they were drawn before they claimed (issue 5, see
    /// `issue_5_a_drawn_verifier_who_then_claims_a_slot_votes_on_a_co_worker`).
    co_worker_votes: bool,
}

/// Every check that the rules pass today.
const CHECKS: Checks = Checks { co_worker_votes: true };

/// Executes the block again one step at a time (block-time effects, then each transaction) on
/// a scratch overlay, and checks each step on its own: R-TX-5 for rejections, R-REV-2 for
/// draws and votes, R-OBJ-1 for payouts, R-SUP-1 after the block-time effects. `paid` holds
/// every claim paid so far in the history.
fn recheck_block(
    state: &State,
    ctx: &BlockContext,
    chain: &ChainId,
    txs: &[VerifiedTx],
    executed: &Executed,
    paid: &mut BTreeSet<ClaimId>,
    checks: Checks,
) -> Result<(), TestCaseError> {
    let mut view = Overlay::new(state);
    let system = due::begin_block(&mut view, ctx);
    prop_assert_eq!(&system, &executed.system_events);
    for event in &system {
        match event {
            Event::RewardPaid { claim, .. } => {
                // R-OBJ-1: the window closed, k approved and nobody objected since.
                let before = state.claim(*claim).expect("a paid claim exists");
                let task = state.task(before.task).expect("its task exists");
                prop_assert_eq!(before.status, ClaimStatus::InObjectionWindow, "claim {} paid", claim.0);
                prop_assert!(before.window_closes.is_some_and(|t| t <= ctx.time), "claim {} paid early", claim.0);
                prop_assert!(before.approvals() >= usize::from(task.approvals), "claim {} paid unapproved", claim.0);
                prop_assert!(paid.insert(*claim), "claim {} paid twice", claim.0);
            }
            Event::TaskExpired { .. } | Event::ClaimClosed { .. } => {}
            other => prop_assert!(false, "unexpected block-time event {:?}", other),
        }
    }
    if !system.is_empty() {
        let mut after = state.clone();
        after.apply(view.changes().clone());
        prop_assert!(after.supply().is_conserved(), "supply after the block-time effects {:?}", after.supply());
    }
    let mut so_far = view.changes().clone();
    for (tx, receipt) in txs.iter().zip(&executed.receipts) {
        let action = &tx.tx().action;
        let signer = tx.tx().signer;
        let mut account = view.account(signer).expect("included signers have accounts");
        let claim = claim_in(action);
        let claim_before = claim.and_then(|id| view.claim(id));
        let draw = match action {
            Action::SubmitWork(s) => ledger_draw(&view, ctx, s.claim),
            _ => None,
        };
        let excluded = claim.and_then(|id| excluded_reviewers(&view, id));
        let co_worker = claim_before.as_ref().is_some_and(|c| view.worked_on((c.task, signer)).is_some());
        let got = execute(&mut view, ctx, chain, tx).map_err(|e| TestCaseError::fail(format!("invalid: {e}")))?;
        prop_assert_eq!(&got, receipt, "receipt of {}", action.name());
        let now = view.changes().clone();
        match &got.outcome {
            Outcome::Rejected { .. } => {
                // R-TX-5: the nonce moves, nothing else does.
                let diff: ChangeSet = now
                    .iter()
                    .filter(|(k, v)| so_far.get(*k) != Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                account.nonce = Nonce(account.nonce.0 + 1);
                let only_nonce = BTreeMap::from([(Key::Account(signer), Some(Value::Account(account)))]);
                prop_assert_eq!(diff, only_nonce, "a rejected {} may change only the nonce", action.name());
            }
            Outcome::Accepted { events } => {
                let excluded = excluded.unwrap_or_default();
                match action {
                    Action::SubmitWork(s) => {
                        // R-REV-2: the draw is the lowest scores of the eligible pool, and never
                        // the worker, the poster or a co-worker.
                        let after = view.claim(s.claim).expect("submitted claim exists");
                        prop_assert_eq!(Some(&after.reviewers), draw.as_ref(), "draw of claim {}", s.claim.0);
                        for reviewer in &after.reviewers {
                            prop_assert!(!excluded.contains(reviewer), "claim {} drew {:?}", s.claim.0, reviewer);
                        }
                    }
                    Action::ApproveWork(_) | Action::RejectWork(_) => {
                        // R-REV-4: only a drawn verifier votes, never the worker, the poster or a
                        // co-worker on the same task.
                        let before = claim_before.as_ref().expect("voted claim exists");
                        prop_assert!(before.reviewers.contains(&signer), "undrawn vote on {:?}", claim);
                        if checks.co_worker_votes {
                            prop_assert!(
                                !excluded.contains(&signer),
                                "{:?} voted on {:?} as a co-worker",
                                signer,
                                claim
                            );
                        }
                    }
                    Action::ObjectToWork(_) | Action::ResolveObjection(_) if checks.co_worker_votes => {
                        // R-REV-2: nor does a co-worker object or decide on an objection.
                        prop_assert!(!co_worker, "{:?} ran {} on {:?} as a co-worker", signer, action.name(), claim);
                    }
                    _ => {}
                }
                for event in events {
                    if let Event::RewardPaid { claim: id, .. } = event {
                        // R-OBJ-3: only a dismissed objection pays in a transaction, and only once
                        // the window closed.
                        let dismissed = matches!(action, Action::ResolveObjection(r) if !r.uphold && r.claim == *id);
                        prop_assert!(dismissed, "{} paid claim {}", action.name(), id.0);
                        let before = claim_before.as_ref().expect("paid claim exists");
                        prop_assert_eq!(before.status, ClaimStatus::Objected);
                        prop_assert!(before.window_closes.is_some_and(|t| t <= ctx.time), "claim {} paid early", id.0);
                        prop_assert!(paid.insert(*id), "claim {} paid twice", id.0);
                    }
                }
            }
        }
        so_far = now;
    }
    prop_assert_eq!(&view.into_changes(), &executed.changes, "step by step equals the whole block");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Running a history.

fn genesis_header(state: &State) -> BlockHeader {
    BlockHeader {
        chain_id: chain_id(CHAIN),
        height: Height(0),
        parent: Hash::ZERO,
        time: Timestamp(START),
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
fn run_history(plans: &[Plan], checks: Checks) -> Result<(Vec<Vec<u8>>, Vec<Hash>), TestCaseError> {
    let chain = chain_id(CHAIN);
    let mut state = world().state();
    prop_assert!(state.supply().is_conserved());
    let mut parent = genesis_header(&state);
    let mut model = Model::new();
    model.matches(&state)?;
    let mut time = START;
    let mut paid = BTreeSet::new();
    let mut encoded = Vec::new();
    let mut roots = Vec::new();
    for plan in plans {
        time += plan.step;
        let ctx = BlockContext { height: Height(parent.height.0 + 1), time: Timestamp(time), parent: parent.hash() };
        let due_events = model.begin_block(&ctx);
        let mut candidates = Vec::new();
        let mut expected = Vec::new();
        for op in &plan.ops {
            let (signer, action, outcome) = model.step(op, &ctx);
            let nonce = if outcome == Expected::Invalid { 0 } else { model.accounts[&signer].nonce - 1 };
            let tx = Tx { chain_id: chain.clone(), signer: who(signer), nonce: Nonce(nonce), action };
            candidates.push(VerifiedTx::verify(tx.sign(&key(seed(signer)))).expect("signed correctly"));
            expected.push(outcome);
        }
        let before = nonces(&state);
        let (block, executed, dropped) = block::build_block(&state, &parent, Timestamp(time), who(C1), candidates);
        prop_assert_eq!(
            (block.header.height, block.header.time, block.header.parent),
            (ctx.height, ctx.time, ctx.parent)
        );

        // The model predicts the block-time effects, what stays out and what each included tx
        // does.
        prop_assert_eq!(&executed.system_events, &due_events, "block-time effects of block {}", ctx.height.0);
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
        prop_assert_eq!(&validated.system_events, &executed.system_events);

        recheck_block(&state, &ctx, &chain, &verified, &executed, &mut paid, checks)?;
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
        check_invariants(&state, &model, time)?;
        // R-OBJ-1: every claim the ledger shows as paid was paid exactly once, by an event.
        let rewarded: BTreeSet<ClaimId> =
            state.claims().filter(|(_, c)| c.status == ClaimStatus::Rewarded).map(|(id, _)| id).collect();
        prop_assert_eq!(&rewarded, &paid, "paid claims");
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

fn check_history(plans: &[Plan], checks: Checks) -> Result<(), TestCaseError> {
    let (encoded, roots) = run_history(plans, checks)?;
    prop_assert_eq!(replay(&encoded), roots, "replaying the same blocks reaches the same roots");
    Ok(())
}

proptest! {
    #![proptest_config(config(160))]

    /// Random histories of every action keep every invariant and match the model.
    #[test]
    fn r_sup_1_random_histories_match_the_model(plans in history(any_op(), 12, 10)) {
        check_history(&plans, CHECKS)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Histories of the task workflow (post, claim, submit, k-of-n votes, objections,
    /// resubmissions, cancellations, expiry and payouts across New Year) keep every invariant,
    /// R-CAP-1, R-OBJ-1 and R-REV-2 included, and match the model.
    #[test]
    fn r_task_random_lifecycles_match_the_model(plans in lifecycle(16, 8)) {
        check_history(&plans, CHECKS)?;
    }

}

proptest! {
    #![proptest_config(config(48))]

    /// Many transfers per block: balances follow a plain map of balances.
    #[test]
    fn r_pay_transfers_match_a_balance_map(plans in history(transfer_op(), 8, 20)) {
        check_history(&plans, CHECKS)?;
    }
}

proptest! {
    #![proptest_config(config(1_000))]

    /// The same, many more histories. Nightly: `cargo test -p contracts -- --ignored _slow`.
    #[test]
    #[ignore = "slow: nightly runs the _slow tests"]
    fn r_sup_1_random_histories_match_the_model_slow(plans in history(any_op(), 24, 12)) {
        check_history(&plans, CHECKS)?;
    }

    /// The same, many more histories. Nightly: `cargo test -p contracts -- --ignored _slow`.
    #[test]
    #[ignore = "slow: nightly runs the _slow tests"]
    fn r_task_random_lifecycles_match_the_model_slow(plans in lifecycle(32, 10)) {
        check_history(&plans, CHECKS)?;
    }

    /// The same, many more histories. Nightly: `cargo test -p contracts -- --ignored _slow`.
    #[test]
    #[ignore = "slow: nightly runs the _slow tests"]
    fn r_pay_transfers_match_a_balance_map_slow(plans in history(transfer_op(), 16, 32)) {
        check_history(&plans, CHECKS)?;
    }
}

// ---------------------------------------------------------------------------------------------
// R-REV-2: the draw depends on the parent hash, the claim, the submission and the pool only.

/// Key seeds of the officer and the worker of the small worlds below.
const POSTER_SEED: u8 = 90;
const WORKER_SEED: u8 = 91;

/// A task on `BUDGET` due a day after `time`, with `slots` slots of 1.00, reviewed 1 of `n`.
fn small_task(slots: u16, n: u8, time: u64) -> Action {
    Action::PostTask(PostTask {
        budget: budget(BUDGET),
        reward: Amount(100),
        slots,
        deadline: Timestamp(time + DAY),
        description: HashKind::Document.hash(b"draw"),
        work_order: work_order(),
        approvals: 1,
        reviewers: n,
        draft: false,
    })
}

/// Runs `steps` (signer seed, action) on `world`, each in its own block whose parent hash is
/// `parent`, from `height` and `time` on, with what fell due applied first. Returns every
/// outcome and the final state.
fn run_steps(world: &World, parent: Hash, height: u64, time: u64, steps: Vec<(u8, Action)>) -> (Vec<Outcome>, State) {
    let chain = chain_id(CHAIN);
    let mut state = world.state();
    let mut outcomes = Vec::new();
    for (offset, (signer, action)) in (0u64..).zip(steps) {
        let ctx = BlockContext { height: Height(height + offset), time: Timestamp(time + offset), parent };
        let nonce = state.account(&id(signer)).expect("signer exists").nonce;
        let tx = Tx { chain_id: chain.clone(), signer: id(signer), nonce, action }.sign(&key(signer));
        let mut view = Overlay::new(&state);
        due::begin_block(&mut view, &ctx);
        let receipt = execute(&mut view, &ctx, &chain, &VerifiedTx::verify(tx).expect("signed")).expect("valid");
        state.apply(view.into_changes());
        outcomes.push(receipt.outcome);
    }
    (outcomes, state)
}

/// Posts a one-slot task reviewed 1 of `n`, claims and submits it; returns the submission's
/// outcome and the state.
fn submit_in(world: &World, parent: Hash, n: u8, height: u64, time: u64) -> (Outcome, State) {
    let evidence = HashKind::Evidence.hash(b"draw");
    let retain_until = Timestamp(time + DAY);
    let steps = vec![
        (POSTER_SEED, small_task(1, n, time)),
        (WORKER_SEED, Action::ClaimTask(ClaimTask { task: TaskId(1) })),
        (WORKER_SEED, Action::SubmitWork(SubmitWork { claim: ClaimId(1), evidence, retain_until })),
    ];
    let (mut outcomes, state) = run_steps(world, parent, height, time, steps);
    (outcomes.pop().expect("three steps"), state)
}

proptest! {
    #![proptest_config(config(128))]

    /// Two ledgers that agree on the parent hash, the claim, the submission number and the
    /// pool draw the same verifiers, whatever else differs (balances, other accounts, budget,
    /// treasury, height, time, the order roles were granted in), and the draw is the `n` lowest
    /// `draw_score`s of the pool; with fewer than `n` verifiers the submission is refused.
    #[test]
    fn r_rev_2_the_draw_is_a_pure_function_of_parent_claim_submission_and_pool(
        parent in any::<[u8; 32]>(),
        pool in proptest::sample::subsequence((100u8..110).collect::<Vec<_>>(), 0..=10),
        n in 1..=4u8,
        noise in (1..1_000u64, 0..5u8, 1..DAY),
    ) {
        let parent = Hash(parent);
        let make = |reversed: bool, noise: (u64, u8, u64)| {
            let mut w = World::empty();
            w.budget(BUDGET, 10_000 + noise.0);
            w.treasury = Amount(noise.0);
            w.account(POSTER_SEED, 0, &[Role::Officer], false);
            w.account(WORKER_SEED, noise.0, &[], true);
            for extra in 0..noise.1 {
                w.account(120 + extra, noise.0, &[], true);
            }
            let mut seeds = pool.clone();
            if reversed {
                seeds.reverse();
            }
            for seed in seeds {
                w.account(seed, noise.0 % 7, &[Role::Verifier], seed % 2 == 0);
            }
            w
        };
        let (outcome_a, a) = submit_in(&make(false, (1, 0, 0)), parent, n, 1, T0);
        let (outcome_b, b) = submit_in(&make(true, noise), parent, n, 1 + noise.0, T0 + noise.2);
        prop_assert_eq!(&outcome_a, &outcome_b);
        if pool.len() < usize::from(n) {
            prop_assert!(matches!(outcome_a, Outcome::Rejected { code: 615, .. }), "{:?}", outcome_a);
        } else {
            let drawn_a = a.claim(ClaimId(1)).expect("claimed").reviewers.clone();
            let drawn_b = b.claim(ClaimId(1)).expect("claimed").reviewers.clone();
            let mut lowest: Vec<AccountId> = pool.iter().map(|s| id(*s)).collect();
            lowest.sort_by_key(|v| (draw_score(&parent, ClaimId(1), 1, v), *v));
            lowest.truncate(usize::from(n));
            prop_assert_eq!(&drawn_a, &lowest);
            prop_assert_eq!(&drawn_b, &lowest);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 5, found by the properties above: a verifier drawn for a claim could claim a slot on the
// same task afterwards, and then vote on a co-worker's work (R-REV-2 kept co-workers out of the
// draw only at draw time). The rules now refuse the slot (`ReviewerOfTask`) and any co-worker's
// vote, objection or decision (`CoWorker`).

/// The smallest case: the only eligible verifier is drawn for the worker's submission, claims
/// the task's second slot, and approves the worker's claim. Either the claim of the slot or the
/// vote must be refused; the rules refuse the slot, and the vote then counts.
#[test]
fn issue_5_a_drawn_verifier_who_then_claims_a_slot_votes_on_a_co_worker() {
    const DRAWN: u8 = 92;
    let mut w = World::empty();
    w.budget(BUDGET, 10_000);
    w.account(POSTER_SEED, 0, &[Role::Officer], false);
    w.account(WORKER_SEED, 0, &[], true);
    w.account(DRAWN, 0, &[Role::Verifier], true);
    let steps = vec![
        (POSTER_SEED, small_task(2, 1, T0)),
        (WORKER_SEED, Action::ClaimTask(ClaimTask { task: TaskId(1) })),
        (
            WORKER_SEED,
            Action::SubmitWork(SubmitWork {
                claim: ClaimId(1),
                evidence: HashKind::Evidence.hash(b"work"),
                retain_until: Timestamp(T0 + DAY),
            }),
        ),
        (DRAWN, Action::ClaimTask(ClaimTask { task: TaskId(1) })),
        (DRAWN, Action::ApproveWork(ApproveWork { claim: ClaimId(1) })),
    ];
    let (outcomes, state) = run_steps(&w, Hash::ZERO, 1, T0, steps);
    assert!(outcomes[..3].iter().all(|o| matches!(o, Outcome::Accepted { .. })), "setup: {outcomes:?}");
    assert_eq!(state.claim(ClaimId(1)).map(|c| c.reviewers.clone()), Some(vec![id(DRAWN)]), "the only verifier");
    let both = outcomes[3..].iter().all(|o| matches!(o, Outcome::Accepted { .. }));
    assert!(!both, "a drawn verifier claimed a slot on the task and then voted on a co-worker: {outcomes:?}");
    assert!(matches!(outcomes[3], Outcome::Rejected { code: 626, .. }), "the slot is refused: {outcomes:?}");
    assert!(matches!(outcomes[4], Outcome::Accepted { .. }), "the drawn verifier still votes: {outcomes:?}");
}

proptest! {
    #![proptest_config(config(128))]

    /// R-REV-2 in full: no verifier ever votes on work for a task they hold a slot on.
    #[test]
    fn r_rev_2_a_drawn_verifier_never_votes_as_a_co_worker(plans in lifecycle(16, 8)) {
        check_history(&plans, Checks { co_worker_votes: true })?;
    }
}

/// The generators reach the interesting outcomes and lifecycle paths: a model test that only
/// ever sees rejections for a missing role would prove little.
#[test]
fn the_generators_reach_accepted_and_rejected_outcomes_of_every_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut accepted: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut codes = BTreeSet::new();
    let mut paths: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (strategy, histories) in [(history(any_op(), 12, 10), 300), (lifecycle(16, 8), 800)] {
        for _ in 0..histories {
            let plans = strategy.new_tree(&mut runner).expect("generates").current();
            let mut model = Model::new();
            let mut time = START;
            for (height, plan) in (1u64..).zip(&plans) {
                time += plan.step;
                let parent = HashKind::Block.hash(&height.to_be_bytes());
                let ctx = BlockContext { height: Height(height), time: Timestamp(time), parent };
                model.begin_block(&ctx);
                for op in &plan.ops {
                    let (_, action, outcome) = model.step(op, &ctx);
                    match outcome {
                        Expected::Accepted => *accepted.entry(action.name()).or_default() += 1,
                        Expected::Rejected(code) => {
                            codes.insert(code);
                        }
                        Expected::Invalid => {}
                    }
                }
            }
            for (path, count) in model.paths {
                *paths.entry(path).or_default() += count;
            }
        }
    }
    // Every action but the till links, which the rule tables cover.
    assert_eq!(accepted.len(), 20, "every action is accepted somewhere: {accepted:?}");
    for name in [
        "approve_work",
        "reject_work",
        "object_to_work",
        "resolve_objection",
        "open_task",
        "cancel_task",
        "settle_redemption",
        "approve",
        "settle_batch",
        "pay",
    ] {
        assert!(accepted[name] >= 10, "{name} is accepted too rarely to be tested: {accepted:?}");
    }
    for code in [
        100, 102, 103, 104, 200, 201, 300, 301, 302, 303, 306, 307, 315, 316, 317, 400, 402, 500, 501, 600, 601, 602,
        603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614, 615, 616, 617, 618, 619, 620, 621, 622, 623, 624,
        625, 626, 700, 701, 703, 704, 705, 800, 801, 803,
    ] {
        assert!(codes.contains(&code), "no generated history produces rejection {code}; reached {codes:?}");
    }
    for path in [
        "approved by 1 of 1",
        "approved by k of n > 1",
        "rejected by 1 of 1",
        "rejected by votes of n > 1",
        "paid when the window closed",
        "paid when an objection was dismissed after the window",
        "objection dismissed inside the window",
        "objection of an officer",
        "objection of a verifier",
        "objection upheld",
        "resubmitted",
        "final rejection",
        "resubmission right lapsed",
        "unsubmitted claim expired",
        "expiry refunded free slots",
        "approved work outlives a cancellation",
        "paid on an expired task",
        "paid on a cancelled task",
        "paid in the year after the claim",
        "draft opened",
        "task rules changed",
    ] {
        assert!(paths.get(path).copied().unwrap_or(0) >= 5, "path {path:?} is taken too rarely: {paths:?}");
    }
}

/// This crate's directory. `cargo test` sets `CARGO_MANIFEST_DIR` when it runs the test, which
/// stays right when a shared target directory holds a binary built from another checkout.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}
