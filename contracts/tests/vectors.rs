//! Golden vectors (STYLE.md §7, layer 3): canonical bytes, ids and signatures of one
//! transaction of each kind, a small state and its root, a block with its receipts and commit
//! certificate, addresses and hash domains. Another implementation must reproduce these files
//! byte for byte.
//!
//! Changing a vector is a protocol change (docs/protocol-change.md). To regenerate after an
//! intended change: `UPDATE_VECTORS=1 cargo test -p contracts --test vectors`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use contracts::block::{self, BlockHeader, CommitCert};
use contracts::codec::{Decode, Encode};
use contracts::crypto::{HashKind, signing_key_from_seed};
use contracts::primitives::{
    AccountId, Amount, ClaimId, Hash, Height, IdempotencyKey, Nonce, PaymentRef, PayoutRef, ProposalId, RedemptionId,
    Role, TaskId, Timestamp, WorkOrderRef,
};
use contracts::receipt::{Outcome, Receipt};
use contracts::rules::VerifiedTx;
use contracts::state::{
    Account, Budget, Claim, ClaimStatus, Globals, Key, MerchantRecord, Params, PaymentRecord, Proposal, ProposalStatus,
    Redemption, RedemptionStatus, ScheduledSet, State, Task, TaskStatus, TillLink, ValidatorEntry, ValidatorSchedule,
    Value,
};
use contracts::tx::{
    Action, Approve, ApproveWork, CancelTask, ClaimTask, CouncilAction, DefundBudget, Enroll, FundBudget, LinkTill,
    Pay, PostTask, Propose, Redeem, RejectReason, RejectWork, SettleBatch, SettleRedemption, SignedTx, SubmitWork,
    Transfer, Tx, Unenroll, UnlinkTill,
};
use contracts::{Block, crypto};
use serde_json::{Value as Json, json};

use common::{DAY, T0, budget, chain_id, id, key};

const CHAIN: &str = "heerlen-vectors";

fn dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("tests")
        .join("vectors")
}

fn description() -> Hash {
    HashKind::Document.hash(b"Zwerfafval prikken in het Aambos, 2 uur")
}
fn evidence() -> Hash {
    HashKind::Evidence.hash(b"salt-0123456789abcdef|photo-before-after")
}
fn reference() -> PayoutRef {
    PayoutRef::new("HLN-2026-000001").expect("valid")
}
fn order(text: &str) -> PaymentRef {
    PaymentRef::new(text).expect("valid")
}
/// Seed 9 pays 4.50 to shop seed 8 for order B-2026-0042, shown by till seed 11, valid until
/// `valid_ms` after T0.
fn counter_payment(valid_ms: u64) -> Action {
    Action::Pay(Pay {
        merchant: id(8),
        amount: Amount(450),
        reference: order("B-2026-0042"),
        expires_at: Timestamp(T0 + valid_ms),
        till: Some(id(11)),
    })
}
/// The idempotency key of redemption 1 in the fixed state.
fn first_key() -> IdempotencyKey {
    IdempotencyKey(*b"heitje-redeem-01")
}

// ---------------------------------------------------------------------------------------------
// Transactions.

fn tx_vector(description: &str, seed: u8, nonce: u64, action: Action) -> Json {
    let tx = Tx { chain_id: chain_id(CHAIN), signer: id(seed), nonce: Nonce(nonce), action };
    let signed = tx.clone().sign(&key(seed));
    json!({
        "description": description,
        "chain_id": CHAIN,
        "signer_secret_key": hex::encode([seed; 32]),
        "signer_public_key": hex::encode(id(seed).0),
        "signer": id(seed).to_address(),
        "nonce": nonce,
        "tx": serde_json::to_value(&tx).expect("serializes"),
        "body_hex": hex::encode(tx.to_bytes()),
        "tx_id": tx.id().to_hex(),
        "signature": hex::encode(signed.signature.0),
        "signed_tx_hex": hex::encode(signed.to_bytes()),
    })
}

fn tx_vectors() -> Vec<(String, Json)> {
    let p = |action| Action::Propose(Propose { action });
    let list = [
        (
            "transfer",
            "seed 9 pays 15.00 to seed 10",
            9,
            7,
            Action::Transfer(Transfer { recipient: id(10), amount: Amount(1_500) }),
        ),
        (
            "propose_mint",
            "council seed 1 proposes minting 1 000.00",
            1,
            0,
            p(CouncilAction::Mint { amount: Amount(100_000) }),
        ),
        (
            "propose_grant_role",
            "council seed 2 proposes seed 8 as merchant",
            2,
            0,
            p(CouncilAction::GrantRole { account: id(8), role: Role::Merchant }),
        ),
        (
            "propose_revoke_role",
            "council seed 2 proposes revoking verifier from seed 7",
            2,
            1,
            p(CouncilAction::RevokeRole { account: id(7), role: Role::Verifier }),
        ),
        (
            "propose_set_threshold",
            "council seed 3 proposes threshold 2",
            3,
            0,
            p(CouncilAction::SetThreshold { threshold: 2 }),
        ),
        (
            "propose_add_validator",
            "council seed 1 proposes seed 20 as a validator with power 1",
            1,
            1,
            p(CouncilAction::AddValidator { key: id(20), power: 1 }),
        ),
        (
            "propose_remove_validator",
            "council seed 2 proposes removing validator seed 21",
            2,
            2,
            p(CouncilAction::RemoveValidator { key: id(21) }),
        ),
        (
            "propose_rotate_validator_key",
            "council seed 3 proposes replacing validator key seed 21 by seed 22",
            3,
            1,
            p(CouncilAction::RotateValidatorKey { old: id(21), new: id(22) }),
        ),
        ("approve", "council seed 3 approves proposal 1", 3, 1, Action::Approve(Approve { proposal: ProposalId(1) })),
        (
            "fund_budget",
            "treasurer seed 4 funds grasbroek with 500.00",
            4,
            0,
            Action::FundBudget(FundBudget { budget: budget("grasbroek"), amount: Amount(50_000) }),
        ),
        (
            "defund_budget",
            "treasurer seed 4 returns 100.00 of grasbroek",
            4,
            1,
            Action::DefundBudget(DefundBudget { budget: budget("grasbroek"), amount: Amount(10_000) }),
        ),
        ("enroll", "registrar seed 5 enrolls seed 9", 5, 0, Action::Enroll(Enroll { account: id(9) })),
        ("unenroll", "registrar seed 5 unenrolls seed 9", 5, 1, Action::Unenroll(Unenroll { account: id(9) })),
        (
            "post_task",
            "officer seed 6 posts 3 slots of 15.00 on grasbroek",
            6,
            0,
            Action::PostTask(PostTask {
                budget: budget("grasbroek"),
                reward: Amount(1_500),
                slots: 3,
                deadline: Timestamp(T0 + DAY),
                description: description(),
                work_order: WorkOrderRef::new("BOR-2026-0142").expect("valid"),
                approvals: 2,
                reviewers: 3,
                draft: false,
            }),
        ),
        ("claim_task", "resident seed 9 claims task 1", 9, 0, Action::ClaimTask(ClaimTask { task: TaskId(1) })),
        (
            "submit_work",
            "resident seed 9 submits evidence for claim 1",
            9,
            1,
            Action::SubmitWork(SubmitWork {
                claim: ClaimId(1),
                evidence: evidence(),
                retain_until: Timestamp(T0 + 365 * DAY),
            }),
        ),
        (
            "approve_work",
            "verifier seed 7 approves claim 1",
            7,
            0,
            Action::ApproveWork(ApproveWork { claim: ClaimId(1) }),
        ),
        (
            "reject_work",
            "verifier seed 7 rejects claim 2: quality insufficient",
            7,
            1,
            Action::RejectWork(RejectWork { claim: ClaimId(2), reason: RejectReason::QualityInsufficient }),
        ),
        ("cancel_task", "officer seed 6 cancels task 1", 6, 1, Action::CancelTask(CancelTask { task: TaskId(1) })),
        (
            "redeem",
            "merchant seed 8 redeems 25.00 with idempotency key \"heitje-redeem-01\"",
            8,
            0,
            Action::Redeem(Redeem { amount: Amount(2_500), key: first_key() }),
        ),
        (
            "settle_batch",
            "treasurer seed 4 settles redemptions 2, 3 and 5 in one payout batch",
            4,
            3,
            Action::SettleBatch(SettleBatch {
                reference: PayoutRef::new("HLN-2026-BATCH-07").expect("valid"),
                redemptions: vec![RedemptionId(2), RedemptionId(3), RedemptionId(5)],
            }),
        ),
        (
            "pay",
            "seed 9 pays 4.50 to shop seed 8 for order B-2026-0042, shown by till seed 11",
            9,
            3,
            counter_payment(120_000),
        ),
        (
            "pay_without_till",
            "seed 10 pays 12.00 to shop seed 8 for order kassa-7, no till",
            10,
            1,
            Action::Pay(Pay {
                merchant: id(8),
                amount: Amount(1_200),
                reference: order("kassa-7"),
                expires_at: Timestamp(T0 + 600_000),
                till: None,
            }),
        ),
        ("link_till", "shop seed 8 links till seed 11", 8, 1, Action::LinkTill(LinkTill { till: id(11) })),
        ("unlink_till", "shop seed 8 unlinks till seed 11", 8, 2, Action::UnlinkTill(UnlinkTill { till: id(11) })),
        (
            "propose_set_redemption_fee",
            "council seed 1 proposes a redemption fee of 0.25",
            1,
            2,
            p(CouncilAction::SetRedemptionFee { fee: Amount(25) }),
        ),
        (
            "propose_set_redemption_minimum",
            "council seed 2 proposes a redemption minimum of 5.00",
            2,
            3,
            p(CouncilAction::SetRedemptionMinimum { min: Amount(500) }),
        ),
        (
            "settle_redemption",
            "treasurer seed 4 settles redemption 1",
            4,
            2,
            Action::SettleRedemption(SettleRedemption { redemption: RedemptionId(1), reference: reference() }),
        ),
        (
            "transfer_large_nonce",
            "seed 10 pays 0.01 to seed 9 at a nonce using all 8 bytes",
            10,
            0x0102_0304_0506_0708,
            Action::Transfer(Transfer { recipient: id(9), amount: Amount(1) }),
        ),
    ];
    list.into_iter()
        .map(|(name, text, seed, nonce, action)| (format!("tx_{name}"), tx_vector(text, seed, nonce, action)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A small state holding one entry of every kind.

fn fixed_entries() -> BTreeMap<Key, Value> {
    let mut entries = BTreeMap::new();
    let mut account = |seed: u8, cents: u64, roles: &[Role], enrolled: bool| {
        let roles = roles.iter().copied().collect();
        entries.insert(
            Key::Account(id(seed)),
            Value::Account(Account { balance: Amount(cents), nonce: Nonce(0), roles, enrolled }),
        );
    };
    account(1, 0, &[Role::Council], false);
    account(2, 0, &[Role::Council], false);
    account(3, 0, &[Role::Council, Role::Treasurer], false);
    account(4, 0, &[Role::Treasurer], false);
    account(5, 0, &[Role::Registrar], false);
    account(6, 0, &[Role::Officer], false);
    account(7, 0, &[Role::Verifier], true);
    account(8, 7_500, &[Role::Merchant], false);
    account(9, 10_000, &[], true);
    account(10, 0, &[], true);
    entries.insert(Key::Budget(budget("grasbroek")), Value::Budget(Budget { balance: Amount(95_500) }));
    entries.insert(
        Key::Task(TaskId(1)),
        Value::Task(Task {
            poster: id(6),
            budget: budget("grasbroek"),
            reward: Amount(1_500),
            slots: 3,
            deadline: Timestamp(T0 + DAY),
            description: description(),
            escrow: Amount(4_500),
            rewarded: 0,
            claims: vec![ClaimId(1)],
            status: TaskStatus::Open,
            posted_at: Timestamp(T0 - 1_000),
            work_order: WorkOrderRef::new("BOR-2026-0142").expect("valid"),
            approvals: 1,
            reviewers: 1,
        }),
    );
    entries.insert(
        Key::Claim(ClaimId(1)),
        Value::Claim(Claim {
            task: TaskId(1),
            worker: id(9),
            status: ClaimStatus::Submitted,
            evidence: Some(evidence()),
            retain_until: Some(Timestamp(T0 + 365 * DAY)),
            reason: None,
            claimed_at: Timestamp(T0 - 500),
            submissions: 1,
            submitted_at: Some(Timestamp(T0 - 400)),
            reviewers: vec![id(7)],
            votes: Vec::new(),
            window_closes: None,
            objection: None,
            resubmit_until: None,
            closed_at: None,
        }),
    );
    entries.insert(
        Key::Redemption(RedemptionId(1)),
        Value::Redemption(Redemption {
            merchant: id(8),
            amount: Amount(2_500),
            fee: Amount(25),
            status: RedemptionStatus::Pending,
            created_at: Timestamp(T0 - 300),
            reference: None,
            settled_at: None,
        }),
    );
    entries.insert(
        Key::Proposal(ProposalId(1)),
        Value::Proposal(Proposal {
            proposer: id(1),
            action: CouncilAction::Mint { amount: Amount(50_000) },
            approvals: vec![id(1)],
            status: ProposalStatus::Open,
            created_at: Timestamp(T0 - 200),
            expires_at: Timestamp(T0 - 200 + DAY),
        }),
    );
    entries.insert(
        Key::Validators,
        Value::Validators(ValidatorSchedule {
            sets: vec![
                ScheduledSet {
                    from: Height(1),
                    validators: vec![
                        ValidatorEntry { key: id(21), power: 1 },
                        ValidatorEntry { key: id(23), power: 2 },
                    ],
                },
                ScheduledSet { from: Height(9), validators: vec![ValidatorEntry { key: id(23), power: 2 }] },
            ],
        }),
    );
    entries.insert(Key::RedeemKey(id(8), first_key()), Value::RedeemKey(RedemptionId(1)));
    entries.insert(
        Key::Payment(id(8), order("B-2026-0041")),
        Value::Payment(PaymentRecord {
            payer: id(9),
            amount: Amount(300),
            height: Height(0),
            time: Timestamp(T0 - 400),
            till: Some(id(11)),
        }),
    );
    entries.insert(Key::Till(id(11)), Value::Till(TillLink { merchant: id(8) }));
    entries.insert(Key::Merchant(id(8)), Value::Merchant(MerchantRecord { tills: 1 }));
    // minted = treasury + budgets + escrow + balances + burned; burned = settled + pending; the
    // 0.25 fee of redemption 1 is in the treasury.
    let treasury = 100_000;
    let burned = 2_500;
    let minted = treasury + 95_500 + 4_500 + 7_500 + 10_000 + burned;
    entries.insert(
        Key::Globals,
        Value::Globals(Globals {
            treasury: Amount(treasury),
            minted: Amount(minted),
            burned: Amount(burned),
            settled: Amount(0),
            redemption_fees: Amount(25),
            params: Params {
                council_threshold: 2,
                proposal_ttl_ms: DAY,
                redemption_fee: Amount(25),
                redemption_min: Amount(500),
                objection_window_ms: Params::default_objection_window_ms(),
                resubmit_window_ms: Params::default_resubmit_window_ms(),
                annual_cap: Params::default_annual_cap(),
                max_review_share_pct: Params::default_review_share(),
            },
            next_task: TaskId(2),
            next_claim: ClaimId(2),
            next_redemption: RedemptionId(2),
            next_proposal: ProposalId(2),
            council_size: 3,
        }),
    );
    entries
}

fn state_vector() -> Json {
    let entries = fixed_entries();
    let state = State::from_entries(entries.clone());
    assert!(state.supply().is_conserved(), "the fixed state conserves supply");
    let list: Vec<Json> = entries
        .iter()
        .map(|(k, v)| json!({ "key_hex": hex::encode(k.to_bytes()), "value_hex": hex::encode(v.to_bytes()) }))
        .collect();
    json!({
        "description": "one entry of every kind; root per R-ROOT-1",
        "entries": list,
        "state_root": state.root().to_hex(),
        "empty_state_root": State::from_entries(BTreeMap::new()).root().to_hex(),
    })
}

// ---------------------------------------------------------------------------------------------
// A block on top of the fixed state.

fn genesis_header(state: &State) -> BlockHeader {
    BlockHeader {
        chain_id: chain_id(CHAIN),
        height: Height(0),
        parent: Hash::ZERO,
        time: Timestamp(T0 - 1_000),
        proposer: id(1),
        tx_count: 0,
        tx_root: block::tx_root(&[]),
        receipt_root: block::receipt_root(&[]),
        state_root: state.root(),
    }
}

fn block_txs() -> Vec<SignedTx> {
    let chain = chain_id(CHAIN);
    vec![
        common::signed(&chain, 9, 0, Action::Transfer(Transfer { recipient: id(10), amount: Amount(1_000) })),
        common::signed(&chain, 7, 0, Action::ApproveWork(ApproveWork { claim: ClaimId(1) })),
        common::signed(&chain, 8, 0, Action::Redeem(Redeem { amount: Amount(2_000), key: IdempotencyKey([2; 16]) })),
        common::signed(
            &chain,
            4,
            0,
            Action::SettleRedemption(SettleRedemption { redemption: RedemptionId(1), reference: reference() }),
        ),
        common::signed(&chain, 2, 0, Action::Approve(Approve { proposal: ProposalId(1) })),
        common::signed(&chain, 8, 1, Action::Redeem(Redeem { amount: Amount(2_500), key: first_key() })),
        common::signed(
            &chain,
            4,
            1,
            Action::SettleBatch(SettleBatch {
                reference: PayoutRef::new("HLN-2026-BATCH-01").expect("valid"),
                redemptions: vec![RedemptionId(2)],
            }),
        ),
        common::signed(&chain, 9, 1, counter_payment(60_000)),
        common::signed(&chain, 10, 0, Action::Transfer(Transfer { recipient: id(9), amount: Amount(5_000) })),
    ]
}

fn block_vector() -> Json {
    let state = State::from_entries(fixed_entries());
    let genesis = genesis_header(&state);
    let verified: Vec<VerifiedTx> =
        block_txs().into_iter().map(|tx| VerifiedTx::verify(tx).expect("verifies")).collect();
    let (block, executed, dropped) = block::build_block(&state, &genesis, Timestamp(T0), id(1), verified);
    assert!(dropped.is_empty(), "every vector tx is valid: {dropped:?}");
    let accepted: Vec<bool> = executed.receipts.iter().map(|r| r.outcome.is_accepted()).collect();
    assert_eq!(
        accepted,
        vec![true, true, true, true, true, true, true, true, false],
        "the last payment is rejected: seed 10 holds 10.00"
    );
    let mut after = state;
    after.apply(executed.changes.clone());
    assert!(after.supply().is_conserved());
    let chain = chain_id(CHAIN);
    let hash = block.hash();
    let cert = CommitCert {
        height: block.header.height,
        round: 0,
        block_hash: hash,
        signatures: [1, 2, 3]
            .iter()
            .map(|s| CommitCert::sign(&key(*s), &chain, block.header.height, 0, &hash))
            .collect(),
    };
    let validators: Vec<(AccountId, u64)> = [1, 2, 3].iter().map(|s| (id(*s), 1)).collect();
    assert_eq!(cert.verify(&chain, &block.header, &validators), Ok(()));
    json!({
        "description": "block 1 on the fixed state of state.json: transfer, approve work, redeem with a fee, settle, mint, a replayed redemption, a batch settlement, a shop payment via a till, and one rejected transfer",
        "parent_header_hex": hex::encode(genesis.to_bytes()),
        "parent_hash": genesis.hash().to_hex(),
        "header_hex": hex::encode(block.header.to_bytes()),
        "block_hash": hash.to_hex(),
        "tx_root": block.header.tx_root.to_hex(),
        "receipt_root": block.header.receipt_root.to_hex(),
        "state_root": block.header.state_root.to_hex(),
        "block_hex": hex::encode(block.to_bytes()),
        "receipts_hex": executed.receipts.iter().map(|r| hex::encode(r.to_bytes())).collect::<Vec<_>>(),
        "receipts": serde_json::to_value(&executed.receipts).expect("serializes"),
        "commit_validators": validators.iter().map(|(a, _)| a.to_address()).collect::<Vec<_>>(),
        "commit_cert_hex": hex::encode(cert.to_bytes()),
    })
}

// ---------------------------------------------------------------------------------------------
// Addresses and hash domains.

fn address_vector() -> Json {
    let mut list: Vec<Json> = (1..=3u8)
        .map(|s| json!({ "secret_key": hex::encode([s; 32]), "public_key": hex::encode(id(s).0), "address": id(s).to_address() }))
        .collect();
    for raw in [[0u8; 32], [0xff; 32]] {
        list.push(json!({ "public_key": hex::encode(raw), "address": AccountId(raw).to_address() }));
    }
    let wallet = crypto::account_of(&signing_key_from_seed(&[7; 64]));
    json!({
        "description": "bech32m addresses (hrp heitje) and the wallet key derived from a BIP39 seed",
        "addresses": list,
        "wallet_seed": hex::encode([7u8; 64]),
        "wallet_address": wallet.to_address(),
    })
}

fn hash_vector() -> Json {
    let kinds = [
        ("tx_id", HashKind::TxId),
        ("block", HashKind::Block),
        ("tx_root", HashKind::TxRoot),
        ("receipt_root", HashKind::ReceiptRoot),
        ("state_leaf", HashKind::StateLeaf),
        ("state_bucket", HashKind::StateBucket),
        ("state_node", HashKind::StateNode),
        ("genesis", HashKind::Genesis),
        ("verifier_draw", HashKind::VerifierDraw),
        ("evidence", HashKind::Evidence),
        ("document", HashKind::Document),
    ];
    let map: serde_json::Map<String, Json> =
        kinds.iter().map(|(name, kind)| ((*name).to_owned(), json!(kind.hash(b"heitje").to_hex()))).collect();
    json!({ "description": "each hash kind over the 6 bytes \"heitje\" (R-HASH-1)", "input_hex": hex::encode(b"heitje"), "hashes": map })
}

fn all_vectors() -> Vec<(String, Json)> {
    let mut all = tx_vectors();
    all.push(("state".into(), state_vector()));
    all.push(("block".into(), block_vector()));
    all.push(("address".into(), address_vector()));
    all.push(("hash_kinds".into(), hash_vector()));
    all
}

// ---------------------------------------------------------------------------------------------
// Comparing and regenerating.

fn diff(path: &str, got: &Json, want: &Json, out: &mut Vec<String>) {
    match (got, want) {
        (Json::Object(g), Json::Object(w)) => {
            for key in g.keys().chain(w.keys().filter(|k| !g.contains_key(*k))) {
                let p = format!("{path}.{key}");
                match (g.get(key), w.get(key)) {
                    (Some(a), Some(b)) => diff(&p, a, b, out),
                    (a, b) => out.push(format!("{p}: computed {a:?}, file {b:?}")),
                }
            }
        }
        (Json::Array(g), Json::Array(w)) if g.len() == w.len() => {
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                diff(&format!("{path}[{i}]"), a, b, out);
            }
        }
        (a, b) if a != b => out.push(format!("{path}: computed {a}, file {b}")),
        _ => {}
    }
}

fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).expect("write vector");
    std::fs::rename(&tmp, path).expect("rename vector");
}

#[test]
fn golden_vectors_are_unchanged() {
    let update = std::env::var_os("UPDATE_VECTORS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for (name, computed) in all_vectors() {
        let path = dir().join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(dir()).expect("create vectors dir");
            let text = serde_json::to_string_pretty(&computed).expect("serializes") + "\n";
            write_atomically(&path, &text);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!("{name}: {} is missing", path.display()));
            continue;
        };
        let stored: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        let mut diffs = Vec::new();
        diff(&name, &computed, &stored, &mut diffs);
        problems.extend(diffs);
    }
    assert!(
        problems.is_empty(),
        "golden vectors differ from tests/vectors:\n  {}\n\nChanging a vector is a protocol change: every node, wallet and \
         other implementation must change with it. Follow docs/protocol-change.md. Only if the change is intended, \
         regenerate with `UPDATE_VECTORS=1 cargo test -p contracts --test vectors` and commit the files together with \
         the protocol change.",
        problems.join("\n  ")
    );
}

#[test]
fn no_stale_vector_files() {
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        return;
    }
    let known: Vec<String> = all_vectors().into_iter().map(|(name, _)| format!("{name}.json")).collect();
    for entry in std::fs::read_dir(dir()).expect("tests/vectors exists") {
        let name = entry.expect("dir entry").file_name().to_string_lossy().into_owned();
        assert!(known.contains(&name), "tests/vectors/{name} is not produced by any vector; remove it or add it");
    }
}

fn read(name: &str) -> Json {
    let path = dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("vector is JSON")
}

fn bytes(v: &Json, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap_or_else(|| panic!("{field} is a string"))).expect("hex")
}

/// The stored files stand on their own: what they claim can be checked from their bytes.
#[test]
fn stored_vectors_are_self_consistent() {
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        return;
    }
    for (name, _) in tx_vectors() {
        let v = read(&name);
        let signed = SignedTx::from_bytes(&bytes(&v, "signed_tx_hex")).expect("signed tx decodes");
        assert_eq!(signed.tx.to_bytes(), bytes(&v, "body_hex"), "{name}: body");
        assert_eq!(signed.id().to_hex(), v["tx_id"], "{name}: id");
        assert_eq!(
            HashKind::TxId.hash(&bytes(&v, "body_hex")).to_hex(),
            v["tx_id"],
            "{name}: id is the TxId hash of the body"
        );
        assert_eq!(hex::encode(signed.signature.0), v["signature"], "{name}: signature");
        assert_eq!(signed.verify_signature(), Ok(()), "{name}: signature verifies");
        assert_eq!(signed.tx.signer.to_address(), v["signer"], "{name}: signer");
        assert_eq!(signed.tx.nonce.0, v["nonce"].as_u64().expect("nonce"), "{name}: nonce");
        let from_json: Tx = serde_json::from_value(v["tx"].clone()).expect("tx JSON parses");
        assert_eq!(from_json, signed.tx, "{name}: JSON form and bytes agree");
        assert_eq!(SignedTx::decode_checked(&bytes(&v, "signed_tx_hex")), Ok(signed), "{name}: within the size cap");
    }

    let v = read("state");
    let mut entries = BTreeMap::new();
    for entry in v["entries"].as_array().expect("entries") {
        let key = Key::from_bytes(&bytes(entry, "key_hex")).expect("key decodes");
        let value = Value::decode_for(&key, &bytes(entry, "value_hex")).expect("value decodes");
        entries.insert(key, value);
    }
    assert_eq!(
        entries.len(),
        21,
        "globals, 10 accounts, a budget, task, claim, redemption, proposal, validators, a redemption key, a payment, \
         a till and a merchant record"
    );
    let state = State::from_entries(entries);
    assert_eq!(state.root().to_hex(), v["state_root"]);
    assert!(state.supply().is_conserved());

    let b = read("block");
    let block = Block::from_bytes(&bytes(&b, "block_hex")).expect("block decodes");
    let parent = BlockHeader::from_bytes(&bytes(&b, "parent_header_hex")).expect("parent decodes");
    assert_eq!(parent.state_root, state.root(), "the block builds on state.json");
    assert_eq!(block.hash().to_hex(), b["block_hash"]);
    assert_eq!(block.header.to_bytes(), bytes(&b, "header_hex"));
    let txs: Vec<VerifiedTx> = block.txs.iter().map(|tx| VerifiedTx::verify(tx.clone()).expect("verifies")).collect();
    let executed = block::validate_block(&state, &parent, &block, &txs).expect("the stored block validates");
    let receipts: Vec<Vec<u8>> = b["receipts_hex"]
        .as_array()
        .expect("receipts")
        .iter()
        .map(|r| hex::decode(r.as_str().expect("hex")).expect("hex"))
        .collect();
    assert_eq!(executed.receipts.iter().map(Encode::to_bytes).collect::<Vec<_>>(), receipts);
    for r in &receipts {
        let receipt = Receipt::from_bytes(r).expect("receipt decodes");
        assert!(matches!(receipt.outcome, Outcome::Accepted { .. } | Outcome::Rejected { code: 100, .. }));
    }
    let cert = CommitCert::from_bytes(&bytes(&b, "commit_cert_hex")).expect("cert decodes");
    let validators: Vec<(AccountId, u64)> = b["commit_validators"]
        .as_array()
        .expect("validators")
        .iter()
        .map(|a| (AccountId::from_address(a.as_str().expect("address")).expect("address parses"), 1))
        .collect();
    assert_eq!(cert.verify(&chain_id(CHAIN), &block.header, &validators), Ok(()));

    for a in read("address")["addresses"].as_array().expect("addresses") {
        let account = AccountId::from_address(a["address"].as_str().expect("address")).expect("parses");
        assert_eq!(hex::encode(account.0), a["public_key"]);
    }
}
