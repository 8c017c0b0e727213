//! The foundation story end to end on the 4-validator devnet, with the real `heitje-node` and
//! `heitje` binaries, RocksDB on disk and HTTP on loopback: mint 2-of-3, fund, post, enroll,
//! claim, submit evidence, approve (and the refused self-approvals), pay a shop, redeem, settle
//! once, then a kill -9 of every validator and a restart that loses nothing. The wallet talks
//! to each node in turn.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use api::client::Client;
use api::routes;
use contracts::primitives::{ClaimId, RedemptionId, TaskId};
use contracts::{AccountId, Hash};
use serde_json::Value;

use crate::support::{client, create_network, free_api_block, get, node_bin, wait_ready, wallet_bin};

const VALIDATORS: u16 = 4;

pub(crate) struct Net {
    pub(crate) dir: PathBuf,
    pub(crate) bases: Vec<String>,
    configs: Vec<PathBuf>,
    nodes: Vec<Option<Child>>,
    /// The node the next wallet command talks to; reads go to the node of the last command.
    turn: Cell<usize>,
}

impl Net {
    /// A 4-validator network in `dir` with the role accounts restored in the wallet; started.
    pub(crate) fn start(dir: &Path) -> Self {
        let mut net = Self::create(dir);
        net.start_nodes();
        net
    }

    /// Like [`Net::start`], but no node runs yet (the genesis may still be changed).
    pub(crate) fn create(dir: &Path) -> Self {
        let addr = free_api_block(VALIDATORS);
        let configs = create_network(dir, addr, VALIDATORS);
        let net = Self {
            dir: dir.to_owned(),
            bases: (0..VALIDATORS).map(|i| format!("http://127.0.0.1:{}", addr.port() + i)).collect(),
            nodes: configs.iter().map(|_| None).collect(),
            configs,
            turn: Cell::new(0),
        };
        restore_role_accounts(&net, dir);
        net
    }

    pub(crate) fn start_nodes(&mut self) {
        self.start_some(&(0..self.configs.len()).collect::<Vec<_>>());
    }

    /// Starts the nodes `which` (0-based) and waits until each is ready.
    pub(crate) fn start_some(&mut self, which: &[usize]) {
        for &i in which {
            self.spawn_node(i);
        }
        for &i in which {
            let child = self.nodes[i].as_mut().expect("started");
            wait_ready(&self.bases[i], child);
        }
    }

    /// Node `i`'s config file.
    pub(crate) fn config(&self, i: usize) -> &Path {
        &self.configs[i]
    }

    /// Starts node `i` without waiting for it.
    pub(crate) fn spawn_node(&mut self, i: usize) {
        let child = Command::new(node_bin())
            .args(["run", "--config"])
            .arg(&self.configs[i])
            .env("HEITJE_LOG", "warn")
            .spawn()
            .expect("start node");
        self.nodes[i] = Some(child);
    }

    /// SIGKILL one node (no graceful shutdown).
    pub(crate) fn kill_node(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM every node; each must stop on its own and exit 0 (bounded wait).
    pub(crate) fn terminate_nodes(&mut self) {
        for child in self.nodes.iter().flatten() {
            let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
            assert!(status.success());
        }
        for (i, node) in self.nodes.iter_mut().enumerate() {
            let Some(mut child) = node.take() else { continue };
            let start = std::time::Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    break status;
                }
                if start.elapsed() > std::time::Duration::from_secs(60) {
                    let _ = child.kill();
                    panic!("node {} did not stop within 60 s of SIGTERM", i + 1);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            };
            assert!(status.success(), "node {} exited with {status} after SIGTERM", i + 1);
        }
    }

    pub(crate) fn kill_nodes(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill_node(i);
        }
    }

    /// The node the last wallet command talked to.
    pub(crate) fn base(&self) -> &str {
        let n = self.bases.len();
        &self.bases[(self.turn.get() + n - 1) % n]
    }

    pub(crate) fn wallet(&self, account: Option<&str>, args: &[&str]) -> Output {
        let node = self.turn.get() % self.bases.len();
        // Read your writes across the rotation: the next node first reaches the height the last
        // one had (a few milliseconds; bounded), as a wallet pinned to one node would see it.
        let previous = &self.bases[(node + self.bases.len() - 1) % self.bases.len()];
        if let Some(height) = height_of(previous) {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while height_of(&self.bases[node]).is_some_and(|h| h < height) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        self.turn.set(node + 1);
        self.command(node, account, args).output().expect("run heitje")
    }

    /// The wallet command for `account`, talking to node `node` only.
    pub(crate) fn command(&self, node: usize, account: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = Command::new(wallet_bin());
        cmd.env("HEITJE_HOME", self.dir.join("wallet"))
            .env("HEITJE_NODE", &self.bases[node])
            .env("HEITJE_PASSWORD", "e2e-password")
            .env_remove("HEITJE_ACCOUNT")
            .arg("--yes");
        if let Some(account) = account {
            cmd.args(["-a", account]);
        }
        cmd.args(args);
        cmd
    }

    /// Runs a wallet command that must succeed; returns stdout.
    pub(crate) fn ok(&self, account: Option<&str>, args: &[&str]) -> String {
        let out = self.wallet(account, args);
        assert!(
            out.status.success(),
            "heitje {args:?} as {account:?} via {} failed ({:?}):\nstdout: {}\nstderr: {}",
            self.base(),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs a wallet command the ledger must refuse (exit 1); returns stderr+stdout.
    pub(crate) fn refused(&self, account: Option<&str>, args: &[&str]) -> String {
        let out = self.wallet(account, args);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
        assert_eq!(out.status.code(), Some(1), "heitje {args:?} as {account:?} must be refused by the ledger: {text}");
        text
    }

    /// `GET path` (from [`routes`]) on the node of the last command, as raw JSON; must be 200.
    pub(crate) fn json(&self, path: &str) -> Value {
        let (code, body) = get(&format!("{}{path}", self.base()));
        assert_eq!(code, 200, "GET {path}: {body}");
        body
    }

    /// The typed API client of the node the last wallet command talked to.
    pub(crate) fn client(&self) -> Client {
        client(self.base())
    }

    /// The account at `address` (a wallet's text), read through the typed client.
    pub(crate) fn account(&self, address: &str) -> api::AccountView {
        let id = address.parse::<AccountId>().unwrap_or_else(|err| panic!("address {address}: {err}"));
        self.client().account(&id).unwrap_or_else(|err| panic!("account {address}: {err}"))
    }

    pub(crate) fn balance(&self, address: &str) -> String {
        self.account(address).balance.to_string()
    }

    pub(crate) fn supply(&self) -> api::SupplyView {
        self.client().supply().expect("supply")
    }

    pub(crate) fn task(&self, id: u64) -> api::TaskDetail {
        self.client().task(TaskId(id)).unwrap_or_else(|err| panic!("task {id}: {err}"))
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        self.kill_nodes();
    }
}

/// The head height of the node at `base`, or `None` if it does not answer (stopped or killed).
pub(crate) fn height_of(base: &str) -> Option<u64> {
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(2)).build();
    let status: Value = agent.get(&format!("{base}{}", routes::STATUS)).call().ok()?.into_json().ok()?;
    status["height"].as_u64()
}

pub(crate) fn address_of(net: &Net, name: &str) -> String {
    let out = net.ok(None, &["--json", "account", "list"]);
    let list: Value = serde_json::from_str(&out).expect("account list is JSON");
    let accounts = list.get("accounts").unwrap_or(&list);
    accounts
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == name))
        .and_then(|x| x["address"].as_str())
        .unwrap_or_else(|| panic!("no account {name} in {out}"))
        .to_owned()
}

/// [`routes::CLAIM`] of `claim` (its id as the wallet takes it).
pub(crate) fn claim_path(claim: &str) -> String {
    routes::claim(ClaimId(claim.parse().unwrap_or_else(|err| panic!("claim id {claim}: {err}"))))
}

/// The local account names of the verifiers drawn for `claim`, in draw order: as the officer
/// who posted its task sees them on a signed read (the public sees only those who voted).
pub(crate) fn drawn_verifiers(net: &Net, claim: &str) -> Vec<String> {
    let officer = crate::support::key_from_phrase(&net.dir.join("keys/officer.phrase"));
    let claims =
        net.client().claims_signed(crate::support::signer(&officer)).expect("the officer's view of the claims");
    let view = claims.iter().find(|c| c.id.to_string() == claim).unwrap_or_else(|| panic!("claim {claim}"));
    let view = serde_json::to_value(view).expect("json");
    let list: Value = serde_json::from_str(&net.ok(None, &["--json", "account", "list"])).expect("account list");
    let accounts = list.get("accounts").unwrap_or(&list).as_array().cloned().unwrap_or_default();
    view["reviewers"]
        .as_array()
        .expect("reviewers")
        .iter()
        .map(|r| {
            accounts
                .iter()
                .find(|a| a["address"] == *r)
                .and_then(|a| a["name"].as_str())
                .unwrap_or_else(|| panic!("drawn verifier {r} is not a local account"))
                .to_owned()
        })
        .collect()
}

/// Waits (bounded) until `claim` has `status`; returns the claim.
pub(crate) fn wait_claim(net: &Net, claim: &str, status: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let view = net.json(&claim_path(claim));
        if view["status"] == status {
            return view;
        }
        assert!(std::time::Instant::now() < deadline, "claim {claim} never became {status}: {view}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The drawn verifiers approve `claim` until it is in its objection window; then waits until
/// the window closed and the reward is paid.
pub(crate) fn approve_and_wait_paid(net: &Net, claim: &str) {
    for name in drawn_verifiers(net, claim) {
        let status = net.json(&claim_path(claim))["status"].clone();
        if status == "in_objection_window" {
            break;
        }
        net.ok(Some(&name), &["task", "approve", claim]);
    }
    wait_claim(net, claim, "rewarded");
}

pub(crate) fn restore_role_accounts(net: &Net, dir: &Path) {
    for entry in std::fs::read_dir(dir.join("keys")).expect("keys dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "phrase") {
            let name = path.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
            net.ok(None, &["account", "restore", &name, "--phrase-file", path.to_str().expect("utf-8 path")]);
        }
    }
}

#[test]
fn issue_2_and_3_the_whole_story_runs_on_four_validators_and_survives_kill_9() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let addr = free_api_block(VALIDATORS);
    let configs = create_network(tmp.path(), addr, VALIDATORS);
    let mut net = Net {
        dir: tmp.path().to_owned(),
        bases: (0..VALIDATORS).map(|i| format!("http://127.0.0.1:{}", addr.port() + i)).collect(),
        nodes: configs.iter().map(|_| None).collect(),
        configs,
        turn: Cell::new(0),
    };
    restore_role_accounts(&net, tmp.path());
    net.start_nodes();

    // 2. Mint 10,000 with 2 of 3 council signatures; one signature never mints.
    net.ok(Some("council-1"), &["council", "propose", "mint", "10000"]);
    assert_eq!(net.supply().minted.to_string(), "0.00", "a single signature must not mint");
    net.refused(Some("council-1"), &["council", "approve", "1"]);
    net.ok(Some("council-2"), &["council", "approve", "1"]);
    let supply = net.supply();
    assert_eq!(
        (supply.minted.to_string(), supply.treasury.to_string()),
        ("10000.00".to_owned(), "10000.00".to_owned())
    );
    net.refused(Some("council-3"), &["council", "approve", "1"]);

    // The treasurer funds Grasbroek; the officer posts a task with 3 slots of 15.00 in escrow.
    net.ok(Some("treasurer"), &["treasury", "fund", "grasbroek", "1000"]);
    net.ok(
        Some("officer"),
        &[
            "task",
            "post",
            "--budget",
            "grasbroek",
            "--title",
            "Paint the bench at the Pancratiusplein",
            "--reward",
            "15.00",
            "--slots",
            "3",
            "--deadline",
            "+14d",
            "--work-order",
            "BOR-2026-0001",
            "--approvals",
            "1",
            "--reviewers",
            "1",
        ],
    );
    let task = net.task(1).task;
    assert_eq!(task.escrow.to_string(), "45.00");
    assert_eq!(task.description.as_deref(), Some("Paint the bench at the Pancratiusplein"));
    let budgets = net.client().budgets().expect("budgets");
    let grasbroek = budgets.iter().find(|x| x.code.to_string() == "grasbroek").expect("budget");
    assert_eq!(grasbroek.balance.to_string(), "955.00");

    // 4. A resident creates an account with a 24-word phrase; the registrar enrolls it.
    let created: Value = serde_json::from_str(&net.ok(None, &["--json", "account", "new", "alice"])).expect("JSON");
    assert_eq!(created["phrase"].as_str().map(|p| p.split_whitespace().count()), Some(24));
    let alice = address_of(&net, "alice");
    net.ok(Some("registrar"), &["registrar", "enroll", &alice]);
    assert!(net.account(&alice).enrolled);

    // 5. Claim and submit evidence: the wallet strips the photo's EXIF/GPS, the node seals it in
    // its evidence store, the chain holds a salted commitment. (The verifier, enrolled too,
    // claims the second slot before Alice submits, so it is never drawn to review her.)
    net.ok(Some("alice"), &["task", "claim", "1"]);
    let verifier = address_of(&net, "verifier");
    net.ok(Some("registrar"), &["registrar", "enroll", &verifier]);
    net.ok(Some("verifier"), &["task", "claim", "1"]);
    let photo = tmp.path().join("bench.jpg");
    std::fs::write(&photo, crate::evidence::jpeg_with_gps()).expect("photo");
    let submitted = net.ok(Some("alice"), &["task", "submit", "1", "--evidence", photo.to_str().expect("path")]);
    assert!(submitted.contains("SUBMITTED"), "{submitted}");
    let claim = net.json(&claim_path("1"));
    assert_eq!(claim["status"], "submitted");
    let commitment = claim["evidence"].as_str().expect("commitment on chain").to_owned();
    let record = routes::evidence_record(&commitment.parse::<Hash>().expect("commitment is a hash"));
    let (code, _) = crate::support::get(&format!("{}{record}", net.base()));
    assert!(code == 401 || code == 403, "an unsigned read of evidence is refused: {code}");
    let copy = tmp.path().join("alice-evidence");
    net.ok(Some("alice"), &["evidence", "get", &commitment, "--out", copy.to_str().expect("path")]);
    let files: Vec<_> = std::fs::read_dir(&copy).expect("evidence copy").collect();
    assert!(!files.is_empty(), "the photo comes back");

    // 6. A verifier may not approve their own claim, nor a task they posted.
    net.ok(Some("verifier"), &["task", "submit", "2", "--evidence", photo.to_str().expect("path")]);
    let own = net.refused(Some("verifier"), &["task", "approve", "2"]);
    assert!(own.contains("self_verification") || own.contains("own work"), "{own}");
    let officer = address_of(&net, "officer");
    net.ok(Some("council-1"), &["council", "propose", "grant", &officer, "verifier"]);
    net.ok(Some("council-3"), &["council", "approve", "2"]);
    let posted = net.refused(Some("officer"), &["task", "approve", "1"]);
    assert!(posted.contains("verifier_posted_task") || posted.contains("task they posted"), "{posted}");
    // The drawn verifier approves; the reward is paid when the objection window closes.
    let drawn = drawn_verifiers(&net, "1");
    assert_eq!(drawn.len(), 1);
    assert!(drawn[0].starts_with("verifier"), "drawn from the verifier pool: {drawn:?}");
    let approved = net.ok(Some(&drawn[0]), &["task", "approve", "1"]);
    assert!(approved.contains("objection window open until"), "paid only after the window: {approved}");
    wait_claim(&net, "1", "rewarded");
    assert_eq!(net.balance(&alice), "15.00");
    assert_eq!(net.task(1).task.escrow.to_string(), "30.00");

    // 7. Alice pays the shop 4.50; the shop sees it final.
    let shop = address_of(&net, "shop");
    let paid = net.ok(Some("alice"), &["pay", &shop, "4.50"]);
    assert!(paid.contains("PAID"), "{paid}");
    assert_eq!((net.balance(&alice), net.balance(&shop)), ("10.50".to_owned(), "4.50".to_owned()));

    // 8. The shop redeems; the treasurer settles once; settling twice is refused.
    net.ok(Some("shop"), &["shop", "redeem", "4.50"]);
    assert_eq!(net.balance(&shop), "0.00");
    let redemption = net.json(&routes::redemption(RedemptionId(1)));
    assert_eq!((redemption["status"].as_str(), redemption["amount"].as_str()), (Some("pending"), Some("4.50")));
    net.ok(Some("treasurer"), &["treasury", "settle", "1", "--reference", "HLN-2026-0001"]);
    assert_eq!(net.json(&routes::redemption(RedemptionId(1)))["status"], "settled");
    let twice = net.refused(Some("treasurer"), &["treasury", "settle", "1", "--reference", "HLN-2026-0002"]);
    assert!(twice.contains("already_settled") || twice.contains("already settled"), "{twice}");
    let supply = net.supply();
    assert!(supply.conserved);
    assert_eq!((supply.burned.to_string(), supply.settled.to_string()), ("4.50".to_owned(), "4.50".to_owned()));

    // 9. History and JSON output; a typo in an address is caught by the checksum (exit 2).
    let history: Value = serde_json::from_str(&net.ok(Some("alice"), &["--json", "history"])).expect("history JSON");
    assert!(history.to_string().contains("transfer"), "history shows the payment: {history}");
    let mut typo = shop.clone();
    let replacement = if &typo[15..16] == "q" { "p" } else { "q" };
    typo.replace_range(15..16, replacement);
    let out = net.wallet(Some("alice"), &["send", &typo, "1.00"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum"));

    // Kill -9 every validator and restart them: the same heights, state root and balances.
    let height = net.client().height().expect("height");
    let block_before = net.client().block(Some(height)).expect("block");
    net.kill_nodes();
    net.start_nodes();
    assert!(net.client().height().expect("height") >= height);
    assert_eq!(
        net.client().block(Some(height)).expect("block"),
        block_before,
        "block {height} is unchanged after restart"
    );
    assert_eq!((net.balance(&alice), net.balance(&shop)), ("10.50".to_owned(), "0.00".to_owned()));
    assert!(net.supply().conserved);

    // An operator's stop (SIGTERM, as `scripts/devnet --stop` sends): every node shuts down.
    net.terminate_nodes();
}
