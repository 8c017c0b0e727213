//! Fixtures shared by the integration tests of `contracts`: fixed keys, a genesis-like state
//! builder and the transaction envelope. Nothing here reads a clock or randomness.

#![allow(dead_code, reason = "each test binary uses its own part of the fixtures")]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use contracts::crypto::account_of;
use contracts::primitives::{
    AccountId, Amount, BudgetCode, ChainId, ClaimId, Height, Nonce, ProposalId, RedemptionId, Role, RoleSet, TaskId,
};
use contracts::state::{
    Account, Budget, Globals, Key, Params, ScheduledSet, State, ValidatorEntry, ValidatorSchedule, Value, VerifierPool,
};
use contracts::tx::{Action, SignedTx, Tx};
use ed25519_dalek::SigningKey;

/// 2026-01-01T00:00:00Z in milliseconds: the block time of the first test block.
pub(crate) const T0: u64 = 1_767_225_600_000;
/// One second of block time.
pub(crate) const SECOND: u64 = 1_000;
/// One day of block time.
pub(crate) const DAY: u64 = 86_400_000;

/// Key seeds of the four validators of a test world.
pub(crate) const VALIDATORS: [u8; 4] = [201, 202, 203, 204];

/// The signing key with secret `[seed; 32]`.
pub(crate) fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

static IDS: LazyLock<Vec<AccountId>> = LazyLock::new(|| (0..=u8::MAX).map(|seed| account_of(&key(seed))).collect());

/// The account of `key(seed)`.
pub(crate) fn id(seed: u8) -> AccountId {
    IDS[usize::from(seed)]
}

/// A chain id from a literal.
pub(crate) fn chain_id(text: &str) -> ChainId {
    ChainId::new(text).expect("test chain ids are valid")
}

/// A budget code from a literal.
pub(crate) fn budget(text: &str) -> BudgetCode {
    BudgetCode::new(text).expect("test budget codes are valid")
}

/// Signs `action` for `seed` on `chain` with an explicit nonce.
pub(crate) fn signed(chain: &ChainId, seed: u8, nonce: u64, action: Action) -> SignedTx {
    Tx { chain_id: chain.clone(), signer: id(seed), nonce: Nonce(nonce), action }.sign(&key(seed))
}

/// The entries of a genesis-like state. Globals are derived so that supply is conserved and the
/// council size matches the roles.
#[derive(Debug, Clone)]
pub(crate) struct World {
    /// Accounts by id.
    pub(crate) accounts: BTreeMap<AccountId, Account>,
    /// Budgets and their balances.
    pub(crate) budgets: BTreeMap<BudgetCode, Amount>,
    /// The treasury.
    pub(crate) treasury: Amount,
    /// Council approvals a proposal needs.
    pub(crate) threshold: u8,
    /// Proposal lifetime in ms of block time.
    pub(crate) ttl_ms: u64,
    /// Validators (key seeds) with their power, in force from height 1.
    pub(crate) validators: Vec<(u8, u64)>,
    /// Flat fee of every redemption, in cents.
    pub(crate) redemption_fee: Amount,
    /// Smallest redemption, in cents.
    pub(crate) redemption_min: Amount,
    /// Objection window in ms of block time.
    pub(crate) objection_window_ms: u64,
    /// Resubmission window in ms.
    pub(crate) resubmit_window_ms: u64,
    /// Annual earning cap.
    pub(crate) annual_cap: Amount,
    /// Largest share of a worker's draws per verifier, percent.
    pub(crate) review_share: u8,
}

impl World {
    /// No accounts, no budgets, an empty treasury, threshold 1, proposals live a day.
    pub(crate) fn empty() -> Self {
        Self {
            accounts: BTreeMap::new(),
            budgets: BTreeMap::new(),
            treasury: Amount::ZERO,
            threshold: 1,
            ttl_ms: DAY,
            validators: VALIDATORS.iter().map(|seed| (*seed, 1)).collect(),
            redemption_fee: Amount::ZERO,
            redemption_min: Amount::ZERO,
            objection_window_ms: Params::default_objection_window_ms(),
            resubmit_window_ms: Params::default_resubmit_window_ms(),
            annual_cap: Params::default_annual_cap(),
            review_share: Params::default_review_share(),
        }
    }

    /// Sets (or replaces) the account of `seed`.
    pub(crate) fn account(&mut self, seed: u8, cents: u64, roles: &[Role], enrolled: bool) -> &mut Self {
        let roles: RoleSet = roles.iter().copied().collect();
        self.accounts.insert(id(seed), Account { balance: Amount(cents), nonce: Nonce(0), roles, enrolled });
        self
    }

    /// The account of `seed`, which must exist.
    pub(crate) fn account_mut(&mut self, seed: u8) -> &mut Account {
        self.accounts.get_mut(&id(seed)).expect("account exists in the world")
    }

    /// Sets a budget's balance.
    pub(crate) fn budget(&mut self, code: &str, cents: u64) -> &mut Self {
        self.budgets.insert(budget(code), Amount(cents));
        self
    }

    /// The globals this world implies: minted equals everything outstanding.
    pub(crate) fn globals(&self) -> Globals {
        let balances = self.accounts.values().map(|a| u128::from(a.balance.0));
        let budgets = self.budgets.values().map(|b| u128::from(b.0));
        let minted: u128 = balances.chain(budgets).sum::<u128>() + u128::from(self.treasury.0);
        let council = self.accounts.values().filter(|a| a.roles.has(Role::Council)).count();
        Globals {
            treasury: self.treasury,
            minted: Amount(u64::try_from(minted).expect("the test world's supply fits in u64")),
            burned: Amount::ZERO,
            settled: Amount::ZERO,
            redemption_fees: Amount::ZERO,
            params: Params {
                council_threshold: self.threshold,
                proposal_ttl_ms: self.ttl_ms,
                redemption_fee: self.redemption_fee,
                redemption_min: self.redemption_min,
                objection_window_ms: self.objection_window_ms,
                resubmit_window_ms: self.resubmit_window_ms,
                annual_cap: self.annual_cap,
                max_review_share_pct: self.review_share,
            },
            next_task: TaskId(1),
            next_claim: ClaimId(1),
            next_redemption: RedemptionId(1),
            next_proposal: ProposalId(1),
            council_size: u8::try_from(council).expect("council fits in u8"),
        }
    }

    /// The entries of the state.
    pub(crate) fn entries(&self) -> BTreeMap<Key, Value> {
        let mut entries = BTreeMap::new();
        entries.insert(Key::Globals, Value::Globals(self.globals()));
        for (who, account) in &self.accounts {
            entries.insert(Key::Account(*who), Value::Account(account.clone()));
        }
        for (code, balance) in &self.budgets {
            entries.insert(Key::Budget(code.clone()), Value::Budget(Budget { balance: *balance }));
        }
        let members = self.accounts.iter().filter(|(_, a)| a.roles.has(Role::Verifier)).map(|(who, _)| *who).collect();
        entries.insert(Key::Verifiers, Value::Verifiers(VerifierPool { members }));
        let mut validators: Vec<_> =
            self.validators.iter().map(|(seed, power)| ValidatorEntry { key: id(*seed), power: *power }).collect();
        validators.sort();
        let schedule = ValidatorSchedule { sets: vec![ScheduledSet { from: Height(1), validators }] };
        entries.insert(Key::Validators, Value::Validators(schedule));
        entries
    }

    /// The state.
    pub(crate) fn state(&self) -> State {
        State::from_entries(self.entries())
    }
}

/// Every entry of `state`, copied.
pub(crate) fn entries_of(state: &State) -> BTreeMap<Key, Value> {
    state.entries().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// R-ROOT-1: the incrementally kept root equals the root computed from scratch.
pub(crate) fn root_from_scratch(state: &State) -> contracts::Hash {
    State::from_entries(entries_of(state)).root()
}
