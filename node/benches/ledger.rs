//! Single-node throughput: transfers per second through build + commit (execute on the
//! overlay, state root, one synced RocksDB batch), next to the machine's ed25519 verify rates,
//! so the ratio to the signature limit is visible.
//!
//! Run with `cargo bench -p node --bench ledger`. Prints figures; asserts nothing about time.

use std::time::Instant;

use contracts::tx::{Action, Transfer, Tx};
use contracts::{Amount, ChainId, CommitCert, Nonce, SignedTx, Timestamp};
use ed25519_dalek::SigningKey;
use genesis::{Genesis, GenesisAccount, GenesisValidator};
use node::ledger::ConsensusApp;
use node::ledger::Ledger;
use node::ledger::Limits;
use node::store::Storage;

const ACCOUNTS: usize = 2_000;
const BLOCKS: usize = 10;
const BLOCK_TXS: usize = 10_000;

fn key(i: usize) -> SigningKey {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    SigningKey::from_bytes(&seed)
}

fn main() {
    let chain = ChainId::new("heerlen-bench").expect("chain id");
    let keys: Vec<SigningKey> = (0..ACCOUNTS).map(key).collect();
    let validator = key(usize::MAX - 1);
    let genesis = Genesis {
        network: "Heerlen".into(),
        chain_id: chain.clone(),
        genesis_time: Timestamp(1),
        params: contracts::state::Params {
            council_threshold: 1,
            proposal_ttl_ms: 1000,
            redemption_fee: Amount::ZERO,
            redemption_min: Amount::ZERO,
            objection_window_ms: contracts::state::Params::default_objection_window_ms(),
            resubmit_window_ms: contracts::state::Params::default_resubmit_window_ms(),
            annual_cap: contracts::state::Params::default_annual_cap(),
            max_review_share_pct: contracts::state::Params::default_review_share(),
        },
        treasury: Amount::ZERO,
        budgets: vec![],
        accounts: keys
            .iter()
            .enumerate()
            .map(|(i, k)| GenesisAccount {
                address: contracts::crypto::account_of(k),
                roles: if i == 0 { vec![contracts::Role::Council] } else { vec![] },
                enrolled: true,
                balance: Amount::coins(1_000_000),
            })
            .collect(),
        validators: vec![GenesisValidator {
            name: "bench".into(),
            key: contracts::crypto::account_of(&validator),
            power: 1,
        }],
    };

    // Pre-sign every transfer: account i pays account i+1, nonces in order.
    let per_account = BLOCKS * BLOCK_TXS / ACCOUNTS;
    let mut txs: Vec<SignedTx> = Vec::with_capacity(BLOCKS * BLOCK_TXS);
    for n in 0..per_account {
        for (i, k) in keys.iter().enumerate() {
            let recipient = contracts::crypto::account_of(&keys[(i + 1) % ACCOUNTS]);
            let tx = Tx {
                chain_id: chain.clone(),
                signer: contracts::crypto::account_of(k),
                nonce: Nonce(n as u64),
                action: Action::Transfer(Transfer { recipient, amount: Amount(1) }),
            };
            txs.push(tx.sign(k));
        }
    }

    // Signature limits on this machine.
    let sample = &txs[..20_000.min(txs.len())];
    let start = Instant::now();
    for tx in sample {
        tx.verify_signature().expect("valid");
    }
    let strict_rate = sample.len() as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    let verified_two = node::ledger::verify_all(sample).expect("valid");
    let strict_two_rate = sample.len() as f64 / start.elapsed().as_secs_f64();
    drop(verified_two);
    let batch: Vec<(Vec<u8>, ed25519_dalek::Signature, ed25519_dalek::VerifyingKey)> = sample
        .iter()
        .map(|tx| {
            let mut msg = b"heitje/tx/v1".to_vec();
            msg.push(chain.as_str().len() as u8);
            msg.extend_from_slice(chain.as_str().as_bytes());
            msg.extend_from_slice(&contracts::codec::Encode::to_bytes(&tx.tx));
            (
                msg,
                ed25519_dalek::Signature::from_bytes(&tx.signature.0),
                ed25519_dalek::VerifyingKey::from_bytes(&tx.tx.signer.0).expect("key"),
            )
        })
        .collect();
    let messages: Vec<&[u8]> = batch.iter().map(|(m, _, _)| m.as_slice()).collect();
    let signatures: Vec<_> = batch.iter().map(|(_, s, _)| *s).collect();
    let keys_v: Vec<_> = batch.iter().map(|(_, _, k)| *k).collect();
    let start = Instant::now();
    ed25519_dalek::verify_batch(&messages, &signatures, &keys_v).expect("batch verifies");
    let batch_rate = sample.len() as f64 / start.elapsed().as_secs_f64();

    // Apply + commit through the consensus port, on RocksDB in a temp dir.
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = Storage::open(dir.path()).expect("open RocksDB");
    let mut ledger =
        Ledger::open(storage, genesis, Limits { max_txs: BLOCKS * BLOCK_TXS, max_per_account: per_account + 1 })
            .expect("ledger");
    let verified = node::ledger::verify_all(&txs).expect("valid");
    for tx in verified {
        ledger.submit(tx).expect("admitted");
    }
    let me = contracts::crypto::account_of(&validator);
    let mut block_ms = Vec::new();
    let start = Instant::now();
    let mut committed = 0;
    for _ in 0..BLOCKS {
        let t = Instant::now();
        let height = ledger.next_height();
        let block = ledger.build_block(height, 0, me, node::ledger::wall_clock_ms(), BLOCK_TXS);
        let hash = block.hash();
        let cert = CommitCert {
            height,
            round: 0,
            block_hash: hash,
            signatures: vec![CommitCert::sign(&validator, &chain, height, 0, &hash)],
        };
        ledger.commit(&block, &cert).expect("commit");
        committed += block.txs.len();
        block_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let tps = committed as f64 / elapsed;
    block_ms.sort_by(f64::total_cmp);
    let p50 = block_ms[block_ms.len() / 2];
    let max = block_ms[block_ms.len() - 1];

    // Validating a block from elsewhere: verify signatures (2 threads) + re-execute.
    println!("heitje ledger benchmark ({ACCOUNTS} accounts, {BLOCKS} blocks x {BLOCK_TXS} transfers)");
    println!("  verify_strict, 1 thread        : {strict_rate:>10.0} signatures/s");
    println!("  verify_strict, 2 threads       : {strict_two_rate:>10.0} signatures/s");
    println!("  verify_batch (20k), 1 thread   : {batch_rate:>10.0} signatures/s");
    println!("  build + commit (apply+RocksDB) : {tps:>10.0} transfers/s  ({committed} committed)");
    println!("  block of {BLOCK_TXS} transfers         : p50 {p50:.1} ms, max {max:.1} ms");
    println!("  ratio to the 2-thread verify limit: {:.2}", tps / strict_two_rate);
}
