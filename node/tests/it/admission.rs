//! Issue 12, admission: a transaction that would fail is refused at submission against the
//! committed state plus the account's pending transactions, and one that fails only at build
//! time is left out of the block, so no failing transaction is stored forever.

use contracts::tx::{Action, Transfer, Tx, Unenroll};
use contracts::{AccountId, Amount, ChainId, CommitCert, Nonce, Role, SignedTx, Timestamp, VerifiedTx};
use ed25519_dalek::SigningKey;
use genesis::{Genesis, GenesisAccount, GenesisValidator};
use node::ledger::{ConsensusApp, Ledger, Limits, SubmitError};
use node::store::Storage;

pub(crate) const CHAIN: &str = "heerlen-admission";

pub(crate) fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub(crate) fn id(seed: u8) -> AccountId {
    contracts::crypto::account_of(&key(seed))
}

pub(crate) const REGISTRAR: u8 = 1;
pub(crate) const RECIPIENT: u8 = 3;
pub(crate) const VALIDATOR: u8 = 9;

/// A payer whose address sorts after the registrar's, so a block takes the registrar's
/// transaction first (selection is round-robin in address order).
pub(crate) fn payer() -> u8 {
    (10..=u8::MAX).find(|seed| id(*seed) > id(REGISTRAR)).expect("some address sorts after the registrar's")
}

pub(crate) fn genesis() -> Genesis {
    let account = |seed: u8, roles: Vec<Role>, coins: u64| GenesisAccount {
        address: id(seed),
        roles,
        enrolled: true,
        balance: Amount::coins(coins),
    };
    Genesis {
        network: "Heerlen".into(),
        chain_id: ChainId::new(CHAIN).expect("chain id"),
        genesis_time: Timestamp(1),
        params: crate::support::one_signature_params(),
        treasury: Amount::ZERO,
        budgets: vec![],
        accounts: vec![
            account(REGISTRAR, vec![Role::Registrar], 0),
            account(payer(), vec![], 10),
            account(RECIPIENT, vec![], 0),
        ],
        validators: vec![GenesisValidator { name: "v".into(), key: id(VALIDATOR), power: 1 }],
    }
}

pub(crate) fn signed(seed: u8, nonce: u64, action: Action) -> VerifiedTx {
    let tx = Tx { chain_id: ChainId::new(CHAIN).expect("chain id"), signer: id(seed), nonce: Nonce(nonce), action };
    VerifiedTx::verify(tx.sign(&key(seed))).expect("valid signature")
}

pub(crate) fn pay(seed: u8, nonce: u64, coins: u64) -> VerifiedTx {
    signed(seed, nonce, Action::Transfer(Transfer { recipient: id(RECIPIENT), amount: Amount::coins(coins) }))
}

pub(crate) fn ledger(dir: &std::path::Path) -> Ledger {
    let limits = Limits { max_txs: 100, max_per_account: 10 };
    Ledger::open(Storage::open(dir).expect("open RocksDB"), genesis(), limits).expect("ledger")
}

pub(crate) fn commit_next(ledger: &mut Ledger) -> Vec<SignedTx> {
    let height = ledger.next_height();
    let block = ledger.build_block(height, 0, id(VALIDATOR), node::ledger::wall_clock_ms(), 100);
    let hash = block.hash();
    let chain = ChainId::new(CHAIN).expect("chain id");
    let signatures = vec![CommitCert::sign(&key(VALIDATOR), &chain, height, 0, &hash)];
    ledger.commit(&block, &CommitCert { height, round: 0, block_hash: hash, signatures }).expect("commit");
    block.txs
}

#[test]
fn issue_12_a_failing_transfer_behind_a_pending_one_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger(dir.path());
    let payer = payer();
    ledger.submit(pay(payer, 0, 6)).expect("6 of 10 coins");
    // Alone it would pass (10 coins); behind the pending 6 only 4 are left.
    match ledger.submit(pay(payer, 1, 6)) {
        Err(SubmitError::Rejected { reason, message }) => {
            assert_eq!(reason, "insufficient_balance");
            assert!(message.contains('4'), "the message names what is left: {message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(ledger.mempool().len(), 1, "the refused transaction is not pending");
    // The account's queue is unchanged: the same nonce with an amount that fits goes in.
    ledger.submit(pay(payer, 1, 4)).expect("the 4 coins left");
    assert!(matches!(ledger.submit(pay(payer, 2, 1)), Err(SubmitError::Rejected { .. })));
    let included = commit_next(&mut ledger);
    assert_eq!(included.len(), 2);
    assert_eq!(ledger.state().account(&id(RECIPIENT)).map(|a| a.balance), Some(Amount::coins(10)));
}

#[test]
fn issue_12_a_transaction_that_fails_at_build_time_is_left_out_of_the_block() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger(dir.path());
    let payer = payer();
    // Each passes its own dry run; together the unenrolment (first in the block) makes the
    // payments fail (R-PAY-3: the recipient must be enrolled).
    ledger.submit(pay(payer, 0, 3)).expect("payment admitted");
    ledger.submit(pay(payer, 1, 3)).expect("second payment admitted");
    let unenroll = signed(REGISTRAR, 0, Action::Unenroll(Unenroll { account: id(RECIPIENT) }));
    let unenroll_id = unenroll.signed().id();
    ledger.submit(unenroll).expect("unenrolment admitted");

    let included = commit_next(&mut ledger);
    let ids: Vec<_> = included.iter().map(SignedTx::id).collect();
    assert_eq!(ids, vec![unenroll_id], "only the unenrolment is stored");
    assert!(ledger.mempool().is_empty(), "the failing payments left the mempool");
    assert_eq!(ledger.state().account(&id(payer)).map(|a| (a.balance, a.nonce)), Some((Amount::coins(10), Nonce(0))));
    // Submitted again now, the payment is refused with the reason.
    match ledger.submit(pay(payer, 0, 3)) {
        Err(SubmitError::Rejected { reason, .. }) => assert_eq!(reason, "unknown_recipient"),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn issue_12_a_flood_from_one_account_does_not_keep_another_accounts_transaction_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limits = Limits { max_txs: 6, max_per_account: 6 };
    let mut ledger = Ledger::open(Storage::open(dir.path()).expect("open RocksDB"), genesis(), limits).expect("ledger");
    let flooder = payer();
    for nonce in 0..6 {
        ledger.submit(pay(flooder, nonce, 1)).expect("the flooder fills the empty pool");
    }
    // The flooder's own quota is full: it hears 429 account_queue_full.
    let refused = ledger.submit(pay(flooder, 6, 1)).expect_err("over its quota");
    assert!(matches!(refused, SubmitError::Admit(node::ledger::AdmitError::AccountFull(6))), "{refused}");
    // The pool is full too, yet the registrar's transaction takes the flooder's newest slot.
    let honest = signed(REGISTRAR, 0, Action::Unenroll(Unenroll { account: id(RECIPIENT) }));
    let honest_id = honest.signed().id();
    ledger.submit(honest).expect("an honest account gets in under a flood");
    assert_eq!(ledger.mempool().len(), 6);
    assert!(!ledger.mempool().contains(&pay(flooder, 5, 1).signed().id()), "the flooder's newest made room");
    let included: Vec<_> = commit_next(&mut ledger).iter().map(SignedTx::id).collect();
    assert!(included.contains(&honest_id), "the honest transaction is in the next block");
}

/// Issue 13, verify once per node: a proposed block's transaction that this node verified at
/// admission is not verified again, but only when it is the very same signed transaction. The
/// id covers the body alone, so a block that carries a pending transaction's body under another
/// signature is refused for that signature, not waved through as "already verified".
#[test]
fn issue_13_admission_checks_are_reused_only_for_the_very_same_signed_transaction() {
    use node::ledger::Validity;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger(dir.path());
    ledger.submit(pay(payer(), 0, 3)).expect("admitted");
    let height = ledger.next_height();
    let block = ledger.build_block(height, 0, id(VALIDATOR), node::ledger::wall_clock_ms(), 100);
    assert_eq!(block.txs.len(), 1);
    assert_eq!(ledger.validate_block(&block), Validity::Valid, "the pending transaction, as admitted");

    let mut forged = block.clone();
    let mut signature = forged.txs[0].signature.0;
    signature[0] ^= 1;
    forged.txs[0].signature = contracts::crypto::Signature(signature);
    assert_eq!(forged.txs[0].id(), block.txs[0].id(), "the same id: the signature is not part of it");
    match ledger.validate_block(&forged) {
        Validity::Invalid(reason) => {
            assert!(reason.starts_with("transaction 0: "), "refused for its signature: {reason}")
        }
        Validity::Valid => panic!("a block with a forged signature was accepted"),
    }
}
