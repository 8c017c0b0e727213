//! Task-review costs in the ledger rules (issue 5): the verifier draw at submission for pools of
//! 10 to 4,096 verifiers, the whole claim → submit → 2-of-3 votes lifecycle in transactions per
//! second, and the block-start sweep that pays 1,000 rewards whose objection windows close in
//! the same block. Signatures are verified once up front; these figures are the rules alone.
//!
//! Run with `cargo bench -p contracts --bench review`. Prints figures; asserts nothing about time.

#![allow(clippy::disallowed_methods, reason = "a benchmark measures wall time; the rules it runs never read it")]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use contracts::crypto::{HashKind, account_of};
use contracts::primitives::{ClaimId, RoleSet, TaskId, WorkOrderRef};
use contracts::rules::{VerifiedTx, execute};
use contracts::state::{
    Account, BlockContext, Budget, Globals, Key, Overlay, Params, ScheduledSet, State, ValidatorEntry,
    ValidatorSchedule, Value, VerifierPool,
};
use contracts::tx::{Action, ApproveWork, ClaimTask, PostTask, SubmitWork, Tx};
use contracts::{AccountId, Amount, BudgetCode, ChainId, Height, Nonce, Role, Timestamp};
use ed25519_dalek::SigningKey;

const T0: u64 = 1_767_225_600_000;
const DAY: u64 = 86_400_000;

fn key(n: u32, kind: u8) -> SigningKey {
    let mut seed = [kind; 32];
    seed[..4].copy_from_slice(&n.to_be_bytes());
    SigningKey::from_bytes(&seed)
}

struct World {
    chain: ChainId,
    state: State,
    officer: SigningKey,
    residents: Vec<SigningKey>,
    verifiers: Vec<SigningKey>,
    height: u64,
    time: u64,
}

impl World {
    fn new(verifiers: u32, residents: u32) -> Self {
        let chain = ChainId::new("heerlen-bench").expect("chain");
        let officer = key(0, 1);
        let residents: Vec<SigningKey> = (0..residents).map(|n| key(n, 2)).collect();
        let verifiers: Vec<SigningKey> = (0..verifiers).map(|n| key(n, 3)).collect();
        let mut entries = BTreeMap::new();
        let account = |roles: &[Role], enrolled: bool| {
            Value::Account(Account {
                balance: Amount::ZERO,
                nonce: Nonce(0),
                roles: roles.iter().copied().collect::<RoleSet>(),
                enrolled,
            })
        };
        entries.insert(Key::Account(account_of(&officer)), account(&[Role::Officer], false));
        for r in &residents {
            entries.insert(Key::Account(account_of(r)), account(&[], true));
        }
        let mut pool: Vec<AccountId> = verifiers.iter().map(account_of).collect();
        for v in &pool {
            entries.insert(Key::Account(*v), account(&[Role::Verifier], false));
        }
        pool.sort();
        entries.insert(Key::Verifiers, Value::Verifiers(VerifierPool { members: pool }));
        let budget = Amount(1_000_000_000);
        let code = BudgetCode::new("grasbroek").expect("code");
        entries.insert(Key::Budget(code), Value::Budget(Budget { balance: budget }));
        entries.insert(
            Key::Globals,
            Value::Globals(Globals {
                treasury: Amount::ZERO,
                minted: budget,
                burned: Amount::ZERO,
                settled: Amount::ZERO,
                redemption_fees: Amount::ZERO,
                params: Params {
                    council_threshold: 1,
                    proposal_ttl_ms: DAY,
                    redemption_fee: Amount::ZERO,
                    redemption_min: Amount::ZERO,
                    objection_window_ms: DAY,
                    resubmit_window_ms: DAY,
                    annual_cap: Amount(100_000_000),
                    max_review_share_pct: 100,
                },
                next_task: TaskId(1),
                next_claim: ClaimId(1),
                next_redemption: contracts::primitives::RedemptionId(1),
                next_proposal: contracts::primitives::ProposalId(1),
                council_size: 0,
            }),
        );
        let validators = vec![ValidatorEntry { key: account_of(&key(0, 9)), power: 1 }];
        entries.insert(
            Key::Validators,
            Value::Validators(ValidatorSchedule { sets: vec![ScheduledSet { from: Height(1), validators }] }),
        );
        Self { chain, state: State::from_entries(entries), officer, residents, verifiers, height: 1, time: T0 }
    }

    fn ctx(&self) -> BlockContext {
        BlockContext {
            height: Height(self.height),
            time: Timestamp(self.time),
            parent: HashKind::Block.hash(&self.height.to_be_bytes()),
        }
    }

    fn signed(&self, key: &SigningKey, action: Action) -> VerifiedTx {
        let signer = account_of(key);
        let nonce = self.state.account(&signer).map_or(Nonce(0), |a| a.nonce);
        VerifiedTx::verify(Tx { chain_id: self.chain.clone(), signer, nonce, action }.sign(key)).expect("signed")
    }

    /// Runs one block of already verified transactions; returns the time the rules took.
    fn block(&mut self, txs: &[VerifiedTx]) -> Duration {
        let ctx = self.ctx();
        let start = Instant::now();
        let mut view = Overlay::new(&self.state);
        contracts::rules::due::begin_block(&mut view, &ctx);
        for tx in txs {
            let receipt = execute(&mut view, &ctx, &self.chain, tx).expect("valid envelope");
            assert!(receipt.outcome.is_accepted(), "{:?}", receipt.outcome);
        }
        let changes = view.into_changes();
        let took = start.elapsed();
        self.state.apply(changes);
        self.height += 1;
        self.time += 1_000;
        took
    }

    fn post(&mut self, slots: u16, k: u8, n: u8) {
        let action = Action::PostTask(PostTask {
            budget: BudgetCode::new("grasbroek").expect("code"),
            reward: Amount(1_500),
            slots,
            deadline: Timestamp(T0 + 30 * DAY),
            description: HashKind::Document.hash(b"bench"),
            work_order: WorkOrderRef::new("BOR-2026-0001").expect("ref"),
            approvals: k,
            reviewers: n,
            draft: false,
        });
        let tx = self.signed(&self.officer.clone(), action);
        self.block(&[tx]);
    }

    fn verifier_key(&self, id: &AccountId) -> SigningKey {
        self.verifiers.iter().find(|v| account_of(v) == *id).cloned().expect("a drawn verifier is in the pool")
    }
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn draw_cost(pool: u32) {
    let mut w = World::new(pool, 1);
    w.post(1, 2, 3);
    let resident = w.residents[0].clone();
    let claim = w.signed(&resident, Action::ClaimTask(ClaimTask { task: TaskId(1) }));
    w.block(&[claim]);
    let submit = w.signed(
        &resident,
        Action::SubmitWork(SubmitWork {
            claim: ClaimId(1),
            evidence: HashKind::Evidence.hash(b"x"),
            retain_until: Timestamp(T0 + 365 * DAY),
        }),
    );
    let ctx = w.ctx();
    let mut times = Vec::new();
    for _ in 0..300 {
        let start = Instant::now();
        let mut view = Overlay::new(&w.state);
        let receipt = execute(&mut view, &ctx, &w.chain, &submit).expect("valid");
        std::hint::black_box(view.into_changes());
        times.push(start.elapsed());
        assert!(receipt.outcome.is_accepted());
    }
    times.sort();
    println!(
        "submit with a 3-verifier draw from a pool of {pool:>5}: p50 {:>8.1} µs  p99 {:>8.1} µs",
        percentile(&times, 50).as_secs_f64() * 1e6,
        percentile(&times, 99).as_secs_f64() * 1e6
    );
}

fn lifecycle(claims: u32) {
    let mut w = World::new(50, claims);
    let slots = u16::try_from(claims).expect("slots");
    w.post(slots, 2, 3);
    let mut rules = Duration::ZERO;
    let mut txs = 0usize;
    let residents = w.residents.clone();
    let batch: Vec<_> =
        residents.iter().map(|r| w.signed(r, Action::ClaimTask(ClaimTask { task: TaskId(1) }))).collect();
    txs += batch.len();
    rules += w.block(&batch);
    let batch: Vec<_> = residents
        .iter()
        .enumerate()
        .map(|(i, r)| {
            w.signed(
                r,
                Action::SubmitWork(SubmitWork {
                    claim: ClaimId(i as u64 + 1),
                    evidence: HashKind::Evidence.hash(&i.to_be_bytes()),
                    retain_until: Timestamp(T0 + 365 * DAY),
                }),
            )
        })
        .collect();
    txs += batch.len();
    rules += w.block(&batch);
    // Two votes per claim, one block per round so that nonces follow on.
    for round in 0..2 {
        let mut by_verifier: BTreeMap<AccountId, u64> = BTreeMap::new();
        let mut batch = Vec::new();
        for c in 1..=u64::from(claims) {
            let claim = w.state.claim(ClaimId(c)).expect("claim").clone();
            let verifier = claim.reviewers[round];
            let key = w.verifier_key(&verifier);
            let signer = account_of(&key);
            let base = w.state.account(&signer).map_or(0, |a| a.nonce.0);
            let offset = by_verifier.entry(signer).or_insert(0);
            let tx = Tx {
                chain_id: w.chain.clone(),
                signer,
                nonce: Nonce(base + *offset),
                action: Action::ApproveWork(ApproveWork { claim: ClaimId(c) }),
            };
            *offset += 1;
            batch.push(VerifiedTx::verify(tx.sign(&key)).expect("signed"));
        }
        txs += batch.len();
        rules += w.block(&batch);
    }
    let in_window = w.state.claims().filter(|(_, c)| c.window_closes.is_some()).count();
    assert_eq!(in_window, claims as usize, "every claim reached its objection window");
    println!(
        "lifecycle (claim, submit, 2 of 3 votes) for {claims} claims: {txs} txs in {:.1} ms of rules = {:.0} tx/s",
        rules.as_secs_f64() * 1e3,
        txs as f64 / rules.as_secs_f64()
    );
    // Every window closes at the same block time: one sweep pays them all.
    w.time += DAY;
    let sweep = w.block(&[]);
    let paid = w.state.claims().filter(|(_, c)| c.closed_at.is_some()).count();
    assert_eq!(paid, claims as usize, "the sweep paid every reward");
    println!(
        "block-start sweep paying {paid} rewards whose windows closed: {:.1} ms ({:.1} µs per reward)",
        sweep.as_secs_f64() * 1e3,
        sweep.as_secs_f64() * 1e6 / paid as f64
    );
    assert!(w.state.supply().is_conserved());
}

fn main() {
    for pool in [10, 100, 1_000, 4_096] {
        draw_cost(pool);
    }
    lifecycle(1_000);
}
