//! Issue 3: four validators as real processes on loopback (RocksDB, libp2p, HTTP), with faults
//! injected while transactions stream in: kill -9 and restart, SIGSTOP/SIGCONT, two of four
//! down (no blocks, no fork) and back. Afterwards every node has the same block hash and state
//! root at every height, and every transaction the API reported as committed is in exactly one
//! block.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use api::client::Client;
use api::routes;
use contracts::primitives::ProposalId;
use contracts::tx::{Action, Approve, CouncilAction, Propose};
use contracts::{AccountId, Amount, ChainId, Hash, Height, Nonce, Tx};
use ed25519_dalek::SigningKey;

use crate::support::{client, create_network, free_api_block, get, key_from_phrase, node_bin, post};

pub(crate) struct Cluster {
    dir: tempfile::TempDir,
    configs: Vec<PathBuf>,
    pub(crate) apis: Vec<String>,
    children: Vec<Option<Child>>,
}

impl Cluster {
    pub(crate) fn new(validators: u16) -> Self {
        let mut cluster = Self::created(validators);
        for i in 0..usize::from(validators) {
            cluster.start(i);
        }
        cluster
    }

    /// A network of `validators` with none started yet.
    pub(crate) fn created(validators: u16) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let api = free_api_block(validators);
        let configs = create_network(dir.path(), api, validators);
        let apis = (0..validators).map(|i| format!("http://127.0.0.1:{}", api.port() + i)).collect();
        let children = (0..validators).map(|_| None).collect();
        Self { dir, configs, apis, children }
    }

    pub(crate) fn start(&mut self, i: usize) {
        self.start_with_clock(i, None);
    }

    /// Starts node `i`; with `shift` (e.g. `+2d`) under Debian's `faketime`, so that its wall
    /// clock is off by that much (its monotonic clock, which drives timeouts, is left alone).
    fn start_with_clock(&mut self, i: usize, shift: Option<&str>) {
        let mut command = match shift {
            None => Command::new(node_bin()),
            Some(shift) => {
                let mut faketime = Command::new("faketime");
                faketime.args(["-f", shift]).arg(node_bin()).env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
                faketime
            }
        };
        self.spawn(i, command.args(["run", "--config"]));
    }

    /// Starts node `i` as `heitje-liar --lie <lie>` (issue 12, ADR 005).
    pub(crate) fn start_liar(&mut self, i: usize, lie: &str) {
        let mut command = Command::new(crate::support::liar_bin());
        self.spawn(i, command.args(["--lie", lie, "--config"]));
    }

    /// Spawns `command` (which ends in the config flag) for node `i`, logging to its file.
    fn spawn(&mut self, i: usize, command: &mut Command) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("node{}.log", i + 1)))
            .expect("log file");
        let child = command
            .arg(&self.configs[i])
            .env("HEITJE_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start heitje-node (and faketime for a shifted clock: scripts/test installs it)");
        self.children[i] = Some(child);
        self.wait_api(i);
    }

    /// The typed API client of node `i`.
    /// Node `i`'s config file.
    pub(crate) fn config(&self, i: usize) -> &std::path::Path {
        &self.configs[i]
    }

    pub(crate) fn client(&self, i: usize) -> Client {
        client(&self.apis[i])
    }

    fn wait_api(&mut self, i: usize) {
        let node = self.client(i);
        for _ in 0..600 {
            if node.ready() {
                return;
            }
            if let Some(Ok(Some(status))) = self.children[i].as_mut().map(Child::try_wait) {
                panic!("node {} exited early with {status}; log:\n{}", i + 1, self.log(i));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("node {} never became ready", i + 1);
    }

    pub(crate) fn log(&self, i: usize) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(format!("node{}.log", i + 1))).unwrap_or_default();
        text.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    pub(crate) fn full_log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("node{}.log", i + 1))).unwrap_or_default()
    }

    fn kill9(&mut self, i: usize) {
        if let Some(mut child) = self.children[i].take() {
            child.kill().expect("kill -9");
            child.wait().expect("reap");
        }
    }

    fn signal(&self, i: usize, signal: &str) {
        let pid = self.children[i].as_ref().expect("running").id();
        let status = Command::new("kill").args([signal, &pid.to_string()]).status().expect("kill");
        assert!(status.success(), "kill {signal} {pid}");
    }

    pub(crate) fn height(&self, i: usize) -> u64 {
        let status = self.client(i).status().unwrap_or_else(|err| panic!("status of node {}: {err}", i + 1));
        status.height.0
    }

    /// Waits until node `i` reaches `height`; panics with its log after `limit`.
    pub(crate) fn wait_height(&self, i: usize, height: u64, limit: Duration) {
        let start = Instant::now();
        while self.height(i) < height {
            assert!(start.elapsed() < limit, "node {} stuck below height {height}; log:\n{}", i + 1, self.log(i));
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `GET` [`routes::VALIDATORS`] on node `i` (the typed client has no method for it).
    fn validators(&self, i: usize) -> api::ValidatorsView {
        let (code, body) = get(&format!("{}{}", self.apis[i], routes::VALIDATORS));
        assert_eq!(code, 200, "validators on node {}: {body}", i + 1);
        serde_json::from_value(body).expect("a validators view")
    }

    pub(crate) fn block(&self, i: usize, height: u64) -> api::BlockView {
        self.client(i)
            .block(Some(Height(height)))
            .unwrap_or_else(|err| panic!("block {height} on node {}: {err}", i + 1))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Keep the logs of a failed run for diagnosis.
            let keep = std::env::temp_dir().join(format!("heitje-failed-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&keep);
            for i in 0..self.children.len() {
                let name = format!("node{}.log", i + 1);
                let _ = std::fs::copy(self.dir.path().join(&name), keep.join(&name));
            }
            eprintln!("node logs kept in {}", keep.display());
        }
        for i in 0..self.children.len() {
            if let Some(child) = &self.children[i] {
                let _ = Command::new("kill").args(["-CONT", &child.id().to_string()]).status();
            }
            self.kill9(i);
        }
    }
}

/// Streams council proposals (each one is an accepted transaction that changes state) from the
/// three council members. A member's transactions go to one node at a time; it moves to another
/// node only after everything it sent is committed, since a node admits only the next nonce.
pub(crate) struct Stream {
    chain_id: ChainId,
    members: Vec<(SigningKey, u64)>,
    /// Transaction id -> the node it was submitted to.
    pub(crate) submitted: BTreeMap<Hash, usize>,
}

impl Stream {
    pub(crate) fn new(cluster: &Cluster) -> Self {
        let status = cluster.client(0).status().expect("status");
        let chain_id = ChainId::new(&status.chain_id).expect("chain id");
        let members = (1..=3)
            .map(|n| (key_from_phrase(&cluster.dir.path().join(format!("keys/council-{n}.phrase"))), 0))
            .collect();
        Self { chain_id, members, submitted: BTreeMap::new() }
    }

    /// Submits member `m`'s next proposal (a mint) to `node` and panics with the node's answer
    /// if it is refused.
    pub(crate) fn submit(&mut self, cluster: &Cluster, m: usize, node: usize) {
        self.submit_action(
            cluster,
            m,
            node,
            Action::Propose(Propose { action: CouncilAction::Mint { amount: Amount(100) } }),
        );
    }

    /// Submits `action` signed by member `m` to `node`; returns its id.
    fn submit_action(&mut self, cluster: &Cluster, m: usize, node: usize, action: Action) -> Hash {
        let (key, nonce) = &mut self.members[m];
        let tx = Tx {
            chain_id: self.chain_id.clone(),
            signer: contracts::crypto::account_of(key),
            nonce: Nonce(*nonce),
            action,
        }
        .sign(key);
        let body = serde_json::json!({ "tx": hex::encode(contracts::codec::Encode::to_bytes(&tx)) }).to_string();
        let (code, answer) = post(&format!("{}{}", cluster.apis[node], routes::TX), body.as_bytes());
        assert_eq!(code, 202, "member {} submitting nonce {} to node {}: {answer}", m + 1, *nonce, node + 1);
        *nonce += 1;
        self.submitted.insert(tx.id(), node);
        tx.id()
    }

    /// Waits until node `via` reports every submitted transaction as committed.
    pub(crate) fn wait_committed(&self, cluster: &Cluster, via: usize) {
        let start = Instant::now();
        loop {
            let pending = self
                .submitted
                .keys()
                .filter(|id| {
                    let (_, status) = get(&format!("{}{}", cluster.apis[via], routes::tx_status(id)));
                    status["state"] != "committed"
                })
                .count();
            if pending == 0 {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "{pending} submitted transactions never committed; node {} log:\n{}",
                via + 1,
                cluster.log(via)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn wait_all_at(cluster: &Cluster, nodes: &[usize], height: u64) {
    for &i in nodes {
        cluster.wait_height(i, height, Duration::from_secs(90));
    }
}

/// Every node agrees on every block up to `height`; returns the committed transaction ids with
/// how often each occurs.
fn check_agreement(cluster: &Cluster, height: u64) -> BTreeMap<Hash, usize> {
    let mut seen = BTreeMap::new();
    for h in 1..=height {
        let reference = cluster.block(0, h);
        for i in 1..cluster.apis.len() {
            let other = cluster.block(i, h);
            assert_eq!(other.hash, reference.hash, "block hash at height {h} differs on node {}", i + 1);
            assert_eq!(
                other.header.state_root,
                reference.header.state_root,
                "state root at height {h} differs on node {}",
                i + 1
            );
        }
        assert!(reference.cert.is_some(), "block {h} has a commit certificate");
        for tx in &reference.txs {
            *seen.entry(*tx).or_insert(0) += 1;
        }
    }
    seen
}

#[test]
fn issue_3_four_validators_survive_crash_pause_and_half_outage_without_forking() {
    let mut cluster = Cluster::new(4);
    let mut stream = Stream::new(&cluster);
    wait_all_at(&cluster, &[0, 1, 2, 3], 1);

    // Transactions submitted to any node are committed (gossip reaches the proposer).
    for _ in 0..5 {
        for (m, node) in [(0, 0), (1, 1), (2, 2)] {
            stream.submit(&cluster, m, node);
        }
    }
    stream.wait_committed(&cluster, 0);
    for _ in 0..5 {
        stream.submit(&cluster, 2, 3);
    }
    stream.wait_committed(&cluster, 1);

    // kill -9 one validator: the other three go on; it restarts and catches up.
    cluster.kill9(2);
    let h = cluster.height(0);
    for _ in 0..5 {
        for (m, node) in [(0, 0), (1, 1), (2, 3)] {
            stream.submit(&cluster, m, node);
        }
    }
    wait_all_at(&cluster, &[0, 1, 3], h + 2);
    cluster.start(2);
    let h = cluster.height(0);
    wait_all_at(&cluster, &[2], h);
    stream.wait_committed(&cluster, 2);

    // SIGSTOP one validator for a while, then SIGCONT: it catches up.
    cluster.signal(1, "-STOP");
    let h = cluster.height(0);
    for _ in 0..5 {
        for (m, node) in [(0, 0), (1, 2), (2, 3)] {
            stream.submit(&cluster, m, node);
        }
    }
    wait_all_at(&cluster, &[0, 2, 3], h + 2);
    std::thread::sleep(Duration::from_secs(3));
    cluster.signal(1, "-CONT");
    let h = cluster.height(0);
    wait_all_at(&cluster, &[1], h);
    stream.wait_committed(&cluster, 1);

    // Two of four down: no block is decided. Back up: the chain resumes.
    cluster.kill9(2);
    cluster.kill9(3);
    std::thread::sleep(Duration::from_secs(2));
    let stalled = cluster.height(0);
    for _ in 0..5 {
        stream.submit(&cluster, 0, 0);
    }
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(cluster.height(0), stalled, "two of four validators cannot decide a block");
    assert_eq!(cluster.height(1), stalled, "nor can the other one");
    cluster.start(2);
    cluster.start(3);
    wait_all_at(&cluster, &[0, 1, 2, 3], stalled + 2);
    stream.wait_committed(&cluster, 3);

    // Every submitted transaction is committed exactly once, and all nodes agree.
    let top = (0..4).map(|i| cluster.height(i)).min().expect("nodes");
    let seen = check_agreement(&cluster, top);
    for id in stream.submitted.keys() {
        assert_eq!(seen.get(id), Some(&1), "transaction {} is in exactly one block", id.to_hex());
    }
    assert_eq!(stream.submitted.len(), 55, "every submission was accepted");
}

#[test]
fn issue_3_a_wiped_validator_resyncs_without_double_signing() {
    let mut cluster = Cluster::new(4);
    wait_all_at(&cluster, &[0, 1, 2, 3], 3);
    cluster.kill9(3);
    let sign_state = cluster.dir.path().join("keys/partner-parkstad.validator.sign-state");
    let signed = std::fs::read_to_string(&sign_state).expect("node 4 keeps a sign-state file beside its key");
    assert!(signed.contains("height "), "{signed}");
    std::fs::remove_dir_all(cluster.dir.path().join("node4")).expect("wipe node 4's data directory");
    let h = cluster.height(0);
    cluster.start(3);
    // It follows without signing until the chain passes the height it last signed at, then
    // rejoins as a validator.
    wait_all_at(&cluster, &[3], h + 1);
    let start = Instant::now();
    while !cluster.full_log(3).contains("rejoining as a validator") {
        assert!(start.elapsed() < Duration::from_secs(60), "node 4 never rejoined; log:\n{}", cluster.log(3));
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(cluster.full_log(3).contains("following without signing"), "node 4 did not follow first");
    // Proof that it signs again: with node 2 down, blocks need node 4's votes (3 of 4).
    cluster.kill9(1);
    let h = cluster.height(0);
    wait_all_at(&cluster, &[0, 2, 3], h + 3);
    let top = [0, 2, 3].into_iter().map(|i| cluster.height(i)).min().expect("nodes");
    for h in 1..=top {
        let reference = cluster.block(0, h);
        for i in [2, 3] {
            let other = cluster.block(i, h);
            assert_eq!(other.hash, reference.hash, "block hash at height {h} differs on node {}", i + 1);
        }
    }
    for i in [0, 2, 3] {
        let (code, evidence) = get(&format!("{}{}", cluster.apis[i], routes::MISBEHAVIOR));
        assert_eq!(code, 200);
        assert_eq!(evidence.as_array().map(Vec::len), Some(0), "node {} saw equivocation: {evidence}", i + 1);
    }
}

/// The validator key of node `i` (slots in genesis order).
fn validator_key(cluster: &Cluster, i: usize) -> AccountId {
    let slots = ["gemeente-heerlen", "gemeente-reserve", "partner-zuyd", "partner-parkstad"];
    let path = cluster.dir.path().join(format!("keys/{}.validator.key", slots[i]));
    contracts::crypto::account_of(&node::load_validator_key(&path).expect("validator key"))
}

/// Proposal ids are assigned in order; reads the one created by `tx`.
fn proposal_of(cluster: &Cluster, tx: &Hash) -> ProposalId {
    let path = routes::with_query(&routes::tx_status(tx), &[("wait_ms", "20000")]);
    let (_, status) = get(&format!("{}{path}", cluster.apis[0]));
    let events = status["outcome"]["events"].as_array().cloned().unwrap_or_default();
    let created = events.iter().find(|e| e["event"] == "proposal_created").and_then(|e| e["proposal"].as_u64());
    ProposalId(created.unwrap_or_else(|| panic!("transaction {} created no proposal: {status}", tx.to_hex())))
}

#[test]
fn issue_3_the_council_shrinks_the_validator_set_and_two_validators_then_decide_alone() {
    let mut cluster = Cluster::new(4);
    let mut stream = Stream::new(&cluster);
    wait_all_at(&cluster, &[0, 1, 2, 3], 1);
    let before = cluster.validators(0);
    assert_eq!(before.current.len(), 4, "{before:?}");

    // The council removes validators 3 and 4: proposed by member 1, approved by member 2.
    for i in [2, 3] {
        let key = validator_key(&cluster, i);
        let tx = stream.submit_action(
            &cluster,
            0,
            0,
            Action::Propose(Propose { action: CouncilAction::RemoveValidator { key } }),
        );
        let proposal = proposal_of(&cluster, &tx);
        stream.submit_action(&cluster, 1, 1, Action::Approve(Approve { proposal }));
    }
    stream.wait_committed(&cluster, 0);
    let scheduled = cluster.validators(1);
    let from =
        scheduled.scheduled.last().map(|set| set.from.0).unwrap_or_else(|| panic!("no scheduled set: {scheduled:?}"));

    // Until the set applies, all four still decide; transactions keep the heights coming.
    while cluster.height(0) < from {
        stream.submit(&cluster, 2, 0);
        std::thread::sleep(Duration::from_millis(300));
    }
    stream.wait_committed(&cluster, 0);
    for i in 0..4 {
        let now = cluster.validators(i);
        let current: Vec<_> = now.current.iter().map(|v| v.key).collect();
        assert_eq!(current.len(), 2, "node {} sees the new set: {now:?}", i + 1);
    }

    // With 3 and 4 gone, 1 and 2 hold all the power: they decide alone, which 2 of the old 4
    // could never do.
    cluster.kill9(2);
    cluster.kill9(3);
    let h = cluster.height(0);
    for _ in 0..3 {
        stream.submit(&cluster, 0, 0);
    }
    wait_all_at(&cluster, &[0, 1], h + 3);
    stream.wait_committed(&cluster, 1);
    let top = cluster.height(0).min(cluster.height(1));
    for h in 1..=top {
        assert_eq!(cluster.block(0, h).hash, cluster.block(1, h).hash, "block hash at height {h} differs");
    }
}

#[test]
fn issue_12_a_validator_with_its_clock_two_days_ahead_does_not_move_chain_time() {
    let mut cluster = Cluster::new(4);
    cluster.kill9(3);
    cluster.start_with_clock(3, Some("+2d"));
    let mut stream = Stream::new(&cluster);
    // Enough heights that the fast validator is the proposer of several rounds (round robin).
    for round in 0..12 {
        stream.submit(&cluster, round % 3, 0);
        stream.wait_committed(&cluster, 0);
    }
    let limit = now_ms() + consensus::timeliness::MAX_AHEAD_MS;
    let head = cluster.height(0);
    for height in 1..=head {
        let block = cluster.block(0, height);
        assert!(
            block.header.time.0 <= limit,
            "block {height} is dated {} ms ahead of the real clock",
            block.header.time.0.saturating_sub(now_ms())
        );
    }
    let refused = (0..3).any(|i| cluster.full_log(i).contains("ahead of this validator's clock"));
    assert!(
        refused,
        "the honest validators never saw (and refused) a proposal from the fast clock; node 4 log:\n{}",
        cluster.log(3)
    );
    wait_all_at(&cluster, &[0, 1, 2, 3], head);
    check_agreement(&cluster, head);
}

pub(crate) fn now_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
    u64::try_from(since.as_millis()).expect("ms fit u64")
}

/// Issue 12: one council member signs two different transactions with the same nonce and sends
/// them to two different validators at once. Both may be acknowledged, but exactly one is
/// committed, on every node, and the other is gone from every mempool.
#[test]
fn issue_12_the_same_nonce_spent_differently_via_two_nodes_commits_exactly_one() {
    let cluster = Cluster::new(4);
    let stream = Stream::new(&cluster);
    wait_all_at(&cluster, &[0, 1, 2, 3], 1);
    let (key, _) = &stream.members[0];
    let member = contracts::crypto::account_of(key);
    let mut pairs = Vec::new();
    for (round, (first, second)) in [(0usize, 1usize), (2, 3), (1, 2)].into_iter().enumerate() {
        let nonce = u64::try_from(round).expect("small");
        let spend = |amount: u64| {
            Tx {
                chain_id: stream.chain_id.clone(),
                signer: member,
                nonce: Nonce(nonce),
                action: Action::Propose(Propose { action: CouncilAction::Mint { amount: Amount(amount) } }),
            }
            .sign(key)
        };
        let (a, b) = (spend(100 + nonce), spend(200 + nonce));
        let body = |tx: &contracts::SignedTx| {
            serde_json::json!({ "tx": hex::encode(contracts::codec::Encode::to_bytes(tx)) }).to_string()
        };
        let (body_a, body_b) = (body(&a), body(&b));
        let (url_a, url_b) =
            (format!("{}{}", cluster.apis[first], routes::TX), format!("{}{}", cluster.apis[second], routes::TX));
        let sent_b = std::thread::spawn(move || post(&url_b, body_b.as_bytes()));
        let (code_a, answer_a) = post(&url_a, body_a.as_bytes());
        let (code_b, answer_b) = sent_b.join().expect("second submission");
        assert!(code_a == 202 || code_b == 202, "at least one is acknowledged: {answer_a} / {answer_b}");
        for (code, answer) in [(code_a, &answer_a), (code_b, &answer_b)] {
            assert!(code == 202 || code == 409, "acknowledged or refused as a nonce conflict: {code} {answer}");
        }
        // Wait until the member's nonce has moved on every node.
        let start = Instant::now();
        for i in 0..4 {
            loop {
                let account = cluster.client(i).account(&member).expect("account");
                if account.nonce.0 > nonce {
                    break;
                }
                assert!(start.elapsed() < Duration::from_secs(60), "nonce {nonce} never committed on node {}", i + 1);
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        pairs.push((a.id(), b.id()));
    }
    let top = (0..4).map(|i| cluster.height(i)).min().expect("nodes");
    let seen = check_agreement(&cluster, top);
    for (round, (a, b)) in pairs.iter().enumerate() {
        let committed = seen.get(a).copied().unwrap_or(0) + seen.get(b).copied().unwrap_or(0);
        assert_eq!(committed, 1, "round {round}: exactly one of the two spends of the nonce is committed");
        let loser = if seen.contains_key(a) { b } else { a };
        for i in 0..4 {
            let (code, body) = get(&format!("{}{}", cluster.apis[i], routes::tx_status(loser)));
            assert_eq!(
                code,
                404,
                "round {round}: the other spend is neither pending nor committed on node {}: {body}",
                i + 1
            );
        }
    }
    for i in 0..4 {
        assert_eq!(cluster.client(i).account(&member).expect("account").nonce, Nonce(3), "node {}", i + 1);
    }
}
