//! R-STO-2: the node refuses to run when its stored state and head disagree, or when the
//! database belongs to another genesis.

use contracts::codec::Encode;
use contracts::state::{Account, Key};
use contracts::{Amount, ChainId, Nonce, Role, Timestamp};
use genesis::{Genesis, GenesisAccount, GenesisValidator};
use node::ledger::Ledger;
use node::ledger::Limits;
use node::store::Storage;

fn genesis(chain: &str) -> Genesis {
    let key = |n: u8| contracts::crypto::account_of(&ed25519_dalek::SigningKey::from_bytes(&[n; 32]));
    Genesis {
        network: "Heerlen".into(),
        chain_id: ChainId::new(chain).expect("chain id"),
        genesis_time: Timestamp(1),
        params: crate::support::one_signature_params(),
        treasury: Amount::ZERO,
        budgets: vec![],
        accounts: vec![GenesisAccount {
            address: key(1),
            roles: vec![Role::Council],
            enrolled: true,
            balance: Amount::coins(10),
        }],
        validators: vec![GenesisValidator { name: "v".into(), key: key(9), power: 1 }],
    }
}

const LIMITS: Limits = Limits { max_txs: 10, max_per_account: 10 };

#[test]
fn r_sto_2_a_tampered_state_is_refused_on_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let g = genesis("heerlen-storage");
    drop(Ledger::open(Storage::open(dir.path()).expect("open"), g.clone(), LIMITS).expect("fresh ledger"));
    // Reopening the untouched database works and keeps the balance.
    let ledger = Ledger::open(Storage::open(dir.path()).expect("open"), g.clone(), LIMITS).expect("reopen");
    let who = g.accounts[0].address;
    assert_eq!(ledger.state().account(&who).map(|a| a.balance), Some(Amount::coins(10)));
    drop(ledger);

    // Give the account a coin behind the ledger's back.
    {
        let cfs = rocksdb::DB::list_cf(&rocksdb::Options::default(), dir.path()).expect("list column families");
        let db = rocksdb::DB::open_cf(&rocksdb::Options::default(), dir.path(), cfs).expect("raw open");
        let forged = Account {
            balance: Amount::coins(11),
            nonce: Nonce(0),
            roles: [Role::Council].into_iter().collect(),
            enrolled: true,
        };
        let cf = db.cf_handle("state").expect("state cf");
        db.put_cf(cf, Key::Account(who).to_bytes(), forged.to_bytes()).expect("tamper");
    }
    let err = Ledger::open(Storage::open(dir.path()).expect("open"), g, LIMITS).expect_err("must refuse");
    assert!(err.to_string().contains("refusing to run"), "{err}");
}

#[test]
fn r_sto_2_a_database_of_another_genesis_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(Ledger::open(Storage::open(dir.path()).expect("open"), genesis("heerlen-one"), LIMITS).expect("ledger"));
    let err = Ledger::open(Storage::open(dir.path()).expect("open"), genesis("heerlen-two"), LIMITS)
        .expect_err("must refuse");
    assert!(err.to_string().contains("genesis"), "{err}");
}

#[test]
fn the_audit_log_detects_a_changed_a_dropped_and_a_reordered_entry() {
    use contracts::AccountId;
    use node::offchain::audit::{audit, verify_audit};
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger =
        Ledger::open(Storage::open(dir.path()).expect("open"), genesis("heerlen-audit"), LIMITS).expect("ledger");
    let (reader, subject) = (AccountId([1; 32]), AccountId([2; 32]));
    for i in 0..4 {
        audit(&ledger, Timestamp(1000 + i), reader, subject, "registry.bank").expect("append");
    }
    assert_eq!(verify_audit(&ledger).expect("read"), Ok(4));
    let entries = ledger.storage().audit_all().expect("entries");

    // A reader edited out of entry 1: its hash no longer matches.
    let edited =
        String::from_utf8(entries[1].1.clone()).expect("json").replace(&reader.to_string(), &subject.to_string());
    ledger.storage().tamper_audit(&entries[1].0, edited.as_bytes()).expect("tamper");
    assert_eq!(verify_audit(&ledger).expect("read").map_err(|b| b.seq), Err(1));

    // Entry 2 put in place of entry 1 (a dropped entry, re-numbered or not): the chain breaks.
    ledger.storage().tamper_audit(&entries[1].0, &entries[2].1).expect("tamper");
    assert_eq!(verify_audit(&ledger).expect("read").map_err(|b| b.seq), Err(1));

    // Restored, the log verifies again.
    ledger.storage().tamper_audit(&entries[1].0, &entries[1].1).expect("restore");
    assert_eq!(verify_audit(&ledger).expect("read"), Ok(4));
}
