//! Issue 12: one validator of four lies (`heitje-liar`, ADR 005), one way per test, while
//! transactions are submitted through the honest three. Each test shows that the honest
//! validators keep deciding, agree on the block hash and state root at every height, commit
//! every acknowledged transaction exactly once, date no block beyond the clock bound, and count
//! the liar's misbehaviour in `/v1/status` (`proposal_faults`).

use std::collections::BTreeMap;

use api::ProposalFaultsView;
use api::routes;

use crate::network::{Cluster, Stream, now_ms};
use crate::support::get;

/// The liar is the fourth validator.
const LIAR: usize = 3;
const HONEST: [usize; 3] = [0, 1, 2];
/// Transactions submitted one after another: each needs a height, so the liar (every fourth
/// proposer in round robin) proposes at least twice.
const TRANSACTIONS: usize = 9;

/// Runs a network with the liar lying `lie`; returns the honest nodes' fault counters, summed.
fn run(lie: &str) -> ProposalFaultsView {
    run_then(lie, |_| ())
}

/// [`run`], then `after` looks at the network before it stops.
fn run_then(lie: &str, after: impl FnOnce(&Cluster)) -> ProposalFaultsView {
    let mut cluster = Cluster::created(4);
    for i in HONEST {
        cluster.start(i);
    }
    cluster.start_liar(LIAR, lie);
    let mut stream = Stream::new(&cluster);
    for k in 0..TRANSACTIONS {
        let (member, node) = (k % 3, HONEST[k % 3]);
        stream.submit(&cluster, member, node);
        stream.wait_committed(&cluster, node);
    }
    let head = HONEST.iter().map(|&i| cluster.height(i)).min().expect("three honest nodes");
    let committed = agree(&cluster, head);
    for id in stream.submitted.keys() {
        assert_eq!(committed.get(id), Some(&1), "transaction {} is committed exactly once", id.to_hex());
    }
    let limit = now_ms() + consensus::timeliness::MAX_AHEAD_MS;
    for height in 1..=head {
        let time = cluster.block(0, height).header.time.0;
        assert!(time <= limit, "block {height} is dated {} ms ahead of the real clock", time.saturating_sub(now_ms()));
    }
    let mut total = ProposalFaultsView::default();
    for i in HONEST {
        let f = cluster.client(i).status().expect("status").proposal_faults;
        total.not_proposer += f.not_proposer;
        total.bad_signature += f.bad_signature;
        total.oversized += f.oversized;
        total.malformed += f.malformed;
        total.invalid_block += f.invalid_block;
        total.out_of_window += f.out_of_window;
    }
    eprintln!("{lie}: {head} heights, honest nodes counted {total:?}");
    after(&cluster);
    total
}

/// The honest nodes agree on every block up to `height`; returns how often each transaction
/// was committed.
fn agree(cluster: &Cluster, height: u64) -> BTreeMap<contracts::Hash, usize> {
    let mut seen = BTreeMap::new();
    for h in 1..=height {
        let reference = cluster.block(HONEST[0], h);
        for &i in &HONEST[1..] {
            let other = cluster.block(i, h);
            assert_eq!(other.hash, reference.hash, "block hash at height {h} differs on node {}", i + 1);
            assert_eq!(other.header.state_root, reference.header.state_root, "state root at height {h} differs");
        }
        assert!(reference.cert.is_some(), "block {h} has a commit certificate");
        for tx in &reference.txs {
            *seen.entry(*tx).or_insert(0) += 1;
        }
    }
    seen
}

#[test]
fn issue_12_a_liar_dating_its_blocks_at_the_end_of_time_is_voted_down() {
    let faults = run("time-max");
    assert!(faults.invalid_block >= 1, "the honest validators never refused a u64::MAX block: {faults:?}");
}

#[test]
fn issue_12_a_liar_dating_its_blocks_days_ahead_is_voted_down() {
    let faults = run("time-ahead");
    assert!(faults.invalid_block >= 1, "the honest validators never refused a block days ahead: {faults:?}");
}

#[test]
fn issue_12_a_liar_proposing_a_bad_state_root_is_voted_down() {
    let faults = run("bad-state-root");
    assert!(faults.invalid_block >= 1, "the honest validators never refused a bad state root: {faults:?}");
}

#[test]
fn issue_12_a_liar_signing_its_streams_badly_is_refused_and_counted() {
    let faults = run("bad-signature");
    assert!(faults.bad_signature >= 1, "no bad stream signature was counted: {faults:?}");
    assert_eq!(faults.invalid_block, 0, "a badly signed stream is never executed: {faults:?}");
}

#[test]
fn issue_12_a_liar_sending_oversized_streams_is_refused_and_counted() {
    let faults = run("oversized");
    assert!(faults.oversized >= 1, "no oversized stream was counted: {faults:?}");
}

#[test]
fn issue_12_a_liar_flooding_future_heights_and_rounds_is_refused_and_counted() {
    let faults = run("flood");
    assert!(faults.out_of_window >= 1, "no stream outside the window was refused: {faults:?}");
    assert!(faults.not_proposer >= 1, "no stream for another proposer's round was refused: {faults:?}");
}

#[test]
fn issue_12_a_liar_streaming_two_blocks_for_one_round_is_recorded_as_equivocating() {
    run_then("equivocate", |cluster| {
        let liar = cluster.client(LIAR).status().expect("status of the liar").validator;
        let recorded = HONEST.iter().any(|&i| {
            let (code, body) = get(&format!("{}{}", cluster.apis[i], routes::MISBEHAVIOR));
            assert_eq!(code, 200, "{body}");
            let records: Vec<api::MisbehaviorView> = serde_json::from_value(body).expect("misbehaviour records");
            records.iter().any(|r| r.validator == liar && r.kind == "double_stream")
        });
        assert!(recorded, "no honest node recorded the liar's two blocks for one round");
    });
}

/// Gossip messages a lying validator floods with: a batch of 512 transactions whose signatures
/// do not verify, a batch of 512 well-signed transfers from accounts that do not exist, and
/// garbage under every message kind and an unknown one.
fn flood_messages(chain: &contracts::ChainId) -> Vec<Vec<u8>> {
    use contracts::codec::{Encode, put_bytes, put_len};
    use contracts::tx::{Action, Transfer, Tx};
    let batch = |forge: bool| {
        let mut message = vec![1u8];
        put_len(&mut message, 512);
        for n in 0..512u32 {
            let mut seed = [7u8; 32];
            seed[..4].copy_from_slice(&n.to_be_bytes());
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let action = Action::Transfer(Transfer {
                recipient: contracts::AccountId([9; 32]),
                amount: contracts::Amount::coins(1),
            });
            let tx = Tx {
                chain_id: chain.clone(),
                signer: contracts::crypto::account_of(&key),
                nonce: contracts::Nonce(0),
                action,
            };
            let mut bytes = tx.sign(&key).to_bytes();
            if forge {
                let last = bytes.len() - 1;
                bytes[last] ^= 0x55;
            }
            put_bytes(&mut message, &bytes);
        }
        message
    };
    let mut messages = vec![batch(true), batch(false)];
    for kind in [1u8, 2, 3, 4, 9] {
        let mut garbage = vec![kind];
        garbage.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        messages.push(garbage);
    }
    messages
}

/// A validator floods the transaction gossip (the test speaks as validator 4 with its own key
/// while its node is not running; a lie on gossip needs no consensus hooks): forged and
/// unfunded transaction batches and garbage of every kind, for as long as the honest three take
/// the transactions. They keep deciding, agree at every height, commit each acknowledged
/// transaction exactly once, and admit nothing of the flood.
#[test]
fn issue_12_a_validator_flooding_gossip_does_not_stop_or_bend_the_honest_three() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let mut cluster = Cluster::created(4);
    for i in HONEST {
        cluster.start(i);
    }
    let chain = cluster.client(0).status().expect("status").chain_id;
    let validators = crate::support::validator_keys(&cluster.apis[0]);
    let (config, stop) = (cluster.config(LIAR).to_owned(), Arc::new(AtomicBool::new(false)));
    let flooding = Arc::clone(&stop);
    let flood = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let gossip = crate::support::gossip_as(&config, &validators, &chain).await;
            let messages = flood_messages(&contracts::ChainId::new(&chain).expect("chain id"));
            let mut published = 0u64;
            while !flooding.load(Ordering::Relaxed) {
                for message in &messages {
                    published += u64::from(gossip.publish(message.clone()).is_ok());
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            published
        })
    });
    let mut stream = Stream::new(&cluster);
    for k in 0..TRANSACTIONS {
        let (member, node) = (k % 3, HONEST[k % 3]);
        stream.submit(&cluster, member, node);
        stream.wait_committed(&cluster, node);
    }
    stop.store(true, Ordering::Relaxed);
    let published = flood.join().expect("the flood thread");
    assert!(published > 0, "the flood never reached the gossip network");
    let head = HONEST.iter().map(|&i| cluster.height(i)).min().expect("three honest nodes");
    let committed = agree(&cluster, head);
    for id in stream.submitted.keys() {
        assert_eq!(committed.get(id), Some(&1), "transaction {} is committed exactly once", id.to_hex());
    }
    assert_eq!(committed.len(), stream.submitted.len(), "only the honest transactions were committed");
    for i in HONEST {
        assert_eq!(cluster.client(i).status().expect("status").mempool, 0, "node {} admitted part of the flood", i + 1);
    }
    eprintln!("gossip flood: {published} messages published, {head} heights decided");
}
