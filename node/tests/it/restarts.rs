//! Issue 18: a payment the wallet reports as done is a new payment, also while validators are
//! killed with SIGKILL and restarted one after another. A resident sends small transfers with
//! the real `heitje` binary, each command starting at the next node in turn (the other nodes
//! listed after it), and the test checks what the wallet told the user against what all four
//! nodes hold.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::TxState;
use api::routes;
use contracts::codec::Encode;
use contracts::tx::{Action, CouncilAction, Propose};
use contracts::{AccountId, Amount, ChainId, Hash, Nonce, Tx};
use serde_json::Value;

use crate::e2e::{Net, address_of, height_of};
use crate::support::{client, get, key_from_phrase, post, start_devnet_node, wallet_bin};

/// Transfers sent at least, and validator restarts seen during them at least.
const SENDS: usize = 100;
const RESTARTS: usize = 20;
/// The sender's opening balance (genesis), in coins.
const OPENING: &str = "1000.00";

/// What one `heitje send` told the user.
#[derive(Debug)]
struct Told {
    exit: Option<i32>,
    tx_id: Option<String>,
    height: Option<u64>,
    block_hash: Option<String>,
    stderr: String,
}

/// Gives `account` an opening balance in the network's genesis (before any node started).
fn fund_in_genesis(dir: &Path, account: &str) {
    let path = dir.join("genesis.json");
    let mut genesis: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read genesis")).expect("genesis JSON");
    let entry = genesis["accounts"]
        .as_array_mut()
        .expect("genesis accounts")
        .iter_mut()
        .find(|a| a["address"] == account)
        .expect("the account is in the genesis");
    entry["balance"] = Value::from(OPENING);
    std::fs::write(&path, serde_json::to_vec_pretty(&genesis).expect("bytes")).expect("write genesis");
}

/// One `heitje -y --json send RECIPIENT 0.01`, starting at node `first` and listing the others
/// after it.
fn send(home: &Path, bases: &[String], first: usize, recipient: &str) -> Told {
    let nodes: Vec<&str> = (0..bases.len()).map(|k| bases[(first + k) % bases.len()].as_str()).collect();
    let out = Command::new(wallet_bin())
        .env("HEITJE_HOME", home)
        .env("HEITJE_NODE", nodes.join(","))
        .env("HEITJE_PASSWORD", "e2e-password")
        .env_remove("HEITJE_ACCOUNT")
        .args(["-y", "--json", "--wait-secs", "30", "-a", "verifier", "send", recipient, "0.01"])
        .output()
        .expect("run heitje");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    Told {
        exit: out.status.code(),
        tx_id: json["tx_id"].as_str().map(str::to_owned),
        height: json["height"].as_u64(),
        block_hash: json["block_hash"].as_str().map(str::to_owned),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Where node `base` has transaction `id`: `(height, block hash)` if committed.
fn committed_at(base: &str, id: &str) -> Option<(u64, String)> {
    let id = id.parse::<Hash>().unwrap_or_else(|err| panic!("transaction id {id}: {err}"));
    let (code, body) = get(&format!("{base}{}", routes::tx_status(&id)));
    (code == 200 && body["state"] == "committed")
        .then(|| (body["height"].as_u64().unwrap_or(0), body["block_hash"].as_str().unwrap_or_default().to_owned()))
}

fn cents(text: &str) -> u64 {
    let (whole, fraction) = text.split_once('.').expect("an amount with cents");
    whole.parse::<u64>().expect("coins") * 100 + fraction.parse::<u64>().expect("cents")
}

#[test]
fn issue_18_every_acknowledged_transfer_is_new_while_validators_restart() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut net = Net::create(tmp.path());
    let sender = address_of(&net, "verifier");
    let recipient = address_of(&net, "verifier-2");
    fund_in_genesis(tmp.path(), &sender);
    net.start_nodes();

    let home: PathBuf = tmp.path().join("wallet");
    let bases = net.bases.clone();
    let restarts = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sender_thread = {
        let (restarts, done, bases, recipient) = (Arc::clone(&restarts), Arc::clone(&done), bases, recipient.clone());
        std::thread::spawn(move || {
            let mut told = Vec::new();
            while told.len() < SENDS || restarts.load(Ordering::SeqCst) < RESTARTS {
                told.push(send(&home, &bases, told.len() % bases.len(), &recipient));
            }
            done.store(true, Ordering::SeqCst);
            told
        })
    };

    // Kill one validator at a time with SIGKILL and start it again; the next one goes down once
    // the restarted one answers again, so that three of four can always decide.
    let mut victim = 0;
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(1500));
        net.kill_node(victim);
        std::thread::sleep(Duration::from_millis(1000));
        net.spawn_node(victim);
        let deadline = Instant::now() + Duration::from_secs(30);
        while height_of(&net.bases[victim]).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        restarts.fetch_add(1, Ordering::SeqCst);
        victim = (victim + 1) % net.bases.len();
    }
    let told = sender_thread.join().expect("the sender thread");

    // Every node reaches the same head, and is current again, before the chain is read.
    let top = net.bases.iter().filter_map(|b| height_of(b)).max().expect("a node answers") + 1;
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = |base: &str| client(base).ready();
    while net.bases.iter().any(|b| height_of(b).is_none_or(|h| h < top) || !ready(b)) {
        assert!(Instant::now() < deadline, "the nodes did not all reach height {top}");
        std::thread::sleep(Duration::from_millis(100));
    }

    let report = |what: &str| {
        let lines: Vec<String> = told
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{i}: exit {:?} {:?} {}", t.exit, t.tx_id, t.stderr.trim()))
            .collect();
        format!("{what}\n{}", lines.join("\n"))
    };
    let acked: Vec<&Told> = told.iter().filter(|t| t.exit == Some(0)).collect();
    let unknown: Vec<&Told> = told.iter().filter(|t| t.exit == Some(3)).collect();
    assert!(told.len() >= SENDS && restarts.load(Ordering::SeqCst) >= RESTARTS);
    assert!(
        told.iter().all(|t| matches!(t.exit, Some(0 | 2 | 3))),
        "{}",
        report("a transfer was refused by the ledger or the wallet crashed")
    );
    assert!(acked.len() >= SENDS / 2, "{}", report("fewer than half of the transfers were acknowledged"));

    // Every acknowledged transfer has its own id and is committed once, at the height and in
    // the block the wallet reported, on all four nodes.
    let ids: BTreeSet<&str> =
        acked.iter().map(|t| t.tx_id.as_deref().expect("an acknowledged transfer has an id")).collect();
    assert_eq!(ids.len(), acked.len(), "{}", report("the wallet acknowledged one transaction id twice"));
    for t in &acked {
        let id = t.tx_id.as_deref().expect("id");
        let reported = (t.height.expect("height"), t.block_hash.clone().expect("block hash"));
        for base in &net.bases {
            assert_eq!(committed_at(base, id).as_ref(), Some(&reported), "transfer {id} on {base}");
        }
    }
    // Outcomes the wallet called unknown may have committed since; none of them is an
    // acknowledged id.
    let mut landed = 0;
    for t in &unknown {
        if let Some(id) = t.tx_id.as_deref() {
            assert!(!ids.contains(id), "{}", report("an id was reported both as final and as unknown"));
            if let Some(first) = committed_at(&net.bases[0], id) {
                for base in &net.bases[1..] {
                    assert_eq!(committed_at(base, id).as_ref(), Some(&first), "transfer {id} on {base}");
                }
                landed += 1;
            }
        }
    }

    // The recipient holds exactly what was acknowledged, plus the unknown ones that landed.
    let recipient_id = recipient.parse::<AccountId>().expect("recipient address");
    let balances: Vec<String> = net
        .bases
        .iter()
        .map(|b| {
            client(b).account(&recipient_id).unwrap_or_else(|err| panic!("recipient on {b}: {err}")).balance.to_string()
        })
        .collect();
    assert!(balances.iter().all(|b| *b == balances[0]), "the nodes disagree: {balances:?}");
    assert_eq!(
        cents(&balances[0]),
        (acked.len() + landed) as u64,
        "{}",
        report(&format!("{} acknowledged and {landed} unknown-but-committed transfers", acked.len()))
    );
    eprintln!(
        "issue 18: {} sends during {} restarts: {} acknowledged, {} unknown ({landed} committed), {} not sent",
        told.len(),
        restarts.load(Ordering::SeqCst),
        acked.len(),
        unknown.len(),
        told.iter().filter(|t| t.exit == Some(2)).count()
    );
}

/// The node side of issue 18 on one validator: a client that names a height the node has not
/// reached gets `503 behind` (submission and account read), and the bytes of a transaction that
/// is already in a block are answered `409 already_committed`, never "accepted".
#[test]
fn issue_18_a_node_refuses_reads_below_the_named_height_and_never_takes_a_committed_tx_as_new() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, base) = start_devnet_node(dir.path());
    let node = client(&base);
    let status = node.status().expect("status");
    assert!(status.caught_up, "a ready node says it is at the head: {status:?}");
    let chain = ChainId::new(&status.chain_id).expect("chain id");

    let council = key_from_phrase(&dir.path().join("keys/council-1.phrase"));
    let member = contracts::crypto::account_of(&council);
    let action = Action::Propose(Propose { action: CouncilAction::Mint { amount: Amount(100) } });
    let tx = Tx { chain_id: chain, signer: member, nonce: Nonce(0), action }.sign(&council);
    let body = serde_json::json!({ "tx": hex::encode(tx.to_bytes()) }).to_string();

    // Read-your-writes: a height far beyond the head.
    let tx_at = |min_height: &str| format!("{base}{}", routes::with_query(routes::TX, &[("min_height", min_height)]));
    let account_at = |min_height: &str| {
        format!("{base}{}", routes::with_query(&routes::account(&member), &[("min_height", min_height)]))
    };
    let (code, answer) = post(&tx_at("1000000"), body.as_bytes());
    assert_eq!((code, answer["error"].as_str()), (503, Some("behind")), "{answer}");
    let (code, answer) = get(&account_at("1000000"));
    assert_eq!((code, answer["error"].as_str()), (503, Some("behind")), "{answer}");
    assert!(answer["message"].as_str().is_some_and(|m| m.contains("another node")), "{answer}");
    let (code, answer) = get(&account_at("bogus"));
    assert_eq!((code, answer["error"].as_str()), (400, Some("bad_query")), "{answer}");

    // Accepted once; the same bytes again while pending are a duplicate, after the commit they
    // are "already committed" with the height: never a new transaction.
    let (code, answer) = post(&tx_at("0"), body.as_bytes());
    assert_eq!(code, 202, "{answer}");
    let id = tx.id().to_string();
    let committed = node.tx(&tx.id(), Some(Duration::from_secs(20))).expect("transaction status");
    assert_eq!(committed.state, TxState::Committed, "{committed:?}");
    let (code, answer) = post(&format!("{base}{}", routes::TX), body.as_bytes());
    assert_eq!((code, answer["error"].as_str()), (409, Some("already_committed")), "{answer}");
    let committed_height = committed.height.expect("height");
    let height = committed_height.to_string();
    assert!(answer["message"].as_str().is_some_and(|m| m.contains(&id) && m.contains(&height)), "{answer}");
    let account = node.account_since(&member, committed_height).expect("account");
    assert_eq!(account.nonce, Nonce(1), "{account:?}");

    let _ = child.kill();
    let _ = child.wait();
}
