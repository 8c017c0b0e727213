//! The `heitje` binary in a temporary home, with `HEITJE_PASSWORD` and no terminal. Commands
//! that need a node talk to an in-process fake node on loopback, or to a closed port.

mod fake_node;

use std::path::Path;
use std::process::{Command, Stdio};

use contracts::crypto::HashKind;
use contracts::{AccountId, Action, Amount, Role};
use fake_node::{FakeNode, Mode};
use serde_json::Value;

const PASSWORD: &str = "test password 123";
/// Nothing listens here: connections are refused at once.
const DEAD_NODE: &str = "127.0.0.1:1";
/// The standard BIP39 test phrase and the address the shared derivation gives it.
const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ABANDON_ADDRESS: &str = "heitje1j29xha65c7mffdqwpc3gfcyr2nw0c70zqt72l9cg08nu92ys5uds87y78x";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|err| panic!("stdout is not one JSON object ({err}):\n{}", self.stdout))
    }

    fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

struct Wallet {
    home: tempfile::TempDir,
    node: String,
}

impl Wallet {
    fn new() -> Self {
        Self::with_node(DEAD_NODE)
    }

    fn with_node(node: &str) -> Self {
        let home = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
        Self { home, node: node.to_owned() }
    }

    /// The same wallet home, talking to `node`.
    fn at(self, node: &FakeNode) -> Self {
        Self { node: node.url.clone(), ..self }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.home.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[("HEITJE_PASSWORD", PASSWORD)])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_heitje"));
        command
            .args(args)
            .env("HEITJE_HOME", self.home.path())
            .env("HEITJE_NODE", &self.node)
            .env_remove("HEITJE_PASSWORD")
            .env_remove("HEITJE_ACCOUNT")
            .env_remove("HEITJE_WAIT_SECS")
            .env_remove("HEITJE_ALLOW_PLAIN_HTTP")
            .stdin(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap_or_else(|err| panic!("running heitje: {err}"));
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Creates an account and returns its address.
    fn account(&self, name: &str) -> String {
        let created = self.run(&["--json", "account", "new", name, "--words", "12"]).expect(0).json();
        created["address"].as_str().unwrap_or_default().to_owned()
    }

    fn restore_abandon(&self, name: &str) {
        let file = self.path("abandon.phrase");
        std::fs::write(&file, format!("{ABANDON}\n")).unwrap_or_else(|err| panic!("{err}"));
        self.run(&["account", "restore", name, "--phrase-file", &file.to_string_lossy()]).expect(0);
    }
}

fn address(text: &str) -> AccountId {
    AccountId::from_address(text).unwrap_or_else(|err| panic!("{err}"))
}

/// The address with one data character changed: the checksum must catch it.
fn typo(address: &str) -> String {
    let mut chars: Vec<char> = address.chars().collect();
    chars[20] = if chars[20] == 'q' { 'p' } else { 'q' };
    chars.into_iter().collect()
}

/// Every string value in a JSON document, at any depth.
fn string_values(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| string_values(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| string_values(v, out)),
        _ => {}
    }
}

#[test]
fn account_new_shows_the_phrase_once_and_stores_a_private_file() {
    let wallet = Wallet::new();
    let created = wallet.run(&["--json", "account", "new", "alice"]).expect(0).json();
    let phrase = created["phrase"].as_str().unwrap_or_default();
    assert_eq!(phrase.split(' ').count(), 24, "default is 24 words");
    let alice = created["address"].as_str().unwrap_or_default();
    assert!(alice.starts_with("heitje1"));
    assert_eq!(created["name"], "alice");

    let file = wallet.path("keystore/alice.json");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(text.contains(alice), "the address is readable without the password");
    // No phrase word is stored as a value (a word may well be a key, such as "salt").
    let stored: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let mut values = Vec::new();
    string_values(&stored, &mut values);
    for word in phrase.split(' ') {
        assert!(!values.iter().any(|v| v.split(' ').any(|w| w == word)), "phrase word {word:?} in the clear");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).map(|m| m.permissions().mode()).unwrap_or_default();
        assert_eq!(mode & 0o777, 0o600);
    }

    let text = wallet.run(&["account", "new", "bob", "--words", "12"]).expect(0);
    assert!(text.stdout.contains("Recovery phrase (12 words)"), "{}", text.stdout);
    assert!(text.stdout.contains("Anyone who has them can spend"), "backup warning: {}", text.stdout);
    assert!(text.stdout.contains("  12. "), "numbered words: {}", text.stdout);

    let again = wallet.run(&["account", "new", "alice"]).expect(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    let listed = wallet.run(&["account", "list"]).expect(0);
    assert!(listed.stdout.contains("alice") && listed.stdout.contains(alice), "{}", listed.stdout);
    assert!(listed.stdout.contains("bob"), "{}", listed.stdout);
    let listed = wallet.run(&["--json", "account", "list"]).expect(0).json();
    assert_eq!(listed["accounts"].as_array().map(Vec::len), Some(2));
}

#[test]
fn restoring_a_known_phrase_gives_its_address_and_bad_phrases_are_explained() {
    let wallet = Wallet::new();
    wallet.restore_abandon("carol");
    let shown = wallet.run(&["--json", "account", "show", "carol"]).expect(0).json();
    assert_eq!(shown["address"], ABANDON_ADDRESS);
    assert!(shown["note"].as_str().unwrap_or_default().contains("node not reachable"));

    let bad = wallet.path("bad.phrase");
    std::fs::write(&bad, ABANDON.replace("about", "abandon")).unwrap_or_else(|err| panic!("{err}"));
    let refused = wallet.run(&["account", "restore", "dave", "--phrase-file", &bad.to_string_lossy()]).expect(2);
    assert!(refused.stderr.contains("checksum"), "{}", refused.stderr);
    assert!(!wallet.path("keystore/dave.json").exists());

    std::fs::write(&bad, "abandon abandon abandon").unwrap_or_else(|err| panic!("{err}"));
    let refused = wallet.run(&["account", "restore", "dave", "--phrase-file", &bad.to_string_lossy()]).expect(2);
    assert!(refused.stderr.contains("3 words"), "{}", refused.stderr);

    let no_tty = wallet.run(&["account", "restore", "erin"]).expect(2);
    assert!(no_tty.stderr.contains("--phrase-file"), "{}", no_tty.stderr);
}

#[test]
fn export_phrase_needs_confirmation_and_the_right_password() {
    let wallet = Wallet::new();
    wallet.restore_abandon("carol");
    let refused = wallet.run(&["account", "export-phrase", "carol"]).expect(2);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(!refused.stdout.contains("abandon"));

    let wrong = wallet
        .run_env(&["--yes", "account", "export-phrase", "carol"], &[("HEITJE_PASSWORD", "not the password")])
        .expect(2);
    assert!(wrong.stderr.contains("wrong password for account carol"), "{}", wrong.stderr);

    let shown = wallet.run(&["--yes", "--json", "account", "export-phrase", "carol"]).expect(0).json();
    assert_eq!(shown["phrase"], ABANDON);

    let file = wallet.path("password");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap_or_else(|err| panic!("{err}"));
    let from_file = wallet
        .run_env(
            &["--yes", "--json", "--password-file", &file.to_string_lossy(), "account", "export-phrase", "carol"],
            &[],
        )
        .expect(0)
        .json();
    assert_eq!(from_file["phrase"], ABANDON);
}

#[test]
fn a_mistyped_address_is_caught_by_its_checksum() {
    let wallet = Wallet::new();
    wallet.account("alice");
    let run = wallet.run(&["--yes", "send", &typo(ABANDON_ADDRESS), "1.00"]).expect(2);
    assert!(run.stderr.contains("checksum"), "{}", run.stderr);
    let run = wallet.run(&["balance", &typo(ABANDON_ADDRESS)]).expect(2);
    assert!(run.stderr.contains("checksum"), "{}", run.stderr);
    let run = wallet.run(&["balance", "nobody"]).expect(2);
    assert!(run.stderr.contains("neither a Heitje address"), "{}", run.stderr);
}

#[test]
fn amounts_with_more_than_two_decimals_are_refused() {
    let wallet = Wallet::new();
    wallet.account("alice");
    for (amount, words) in [("1.234", "more than 2 decimals"), ("-1", "not a number"), ("1,50", "not a number")] {
        let run = wallet.run(&["--yes", "send", ABANDON_ADDRESS, amount]).expect(2);
        assert!(run.stderr.contains(words), "{amount}: {}", run.stderr);
    }
    let run = wallet.run(&["--yes", "send", ABANDON_ADDRESS, "0"]).expect(2);
    assert!(run.stderr.contains("more than 0.00"), "{}", run.stderr);
}

#[test]
fn an_unreachable_node_is_reported_with_its_address() {
    let wallet = Wallet::new();
    for args in [vec!["status"], vec!["balance", ABANDON_ADDRESS], vec!["tasks"]] {
        let run = wallet.run(&args).expect(2);
        assert!(run.stderr.contains("cannot reach the node at http://127.0.0.1:1"), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    wallet.account("alice");
    let run = wallet.run(&["--yes", "send", ABANDON_ADDRESS, "1.00"]).expect(2);
    assert!(run.stderr.contains("cannot reach the node"), "{}", run.stderr);
}

#[test]
fn issue_12_signed_reads_over_plain_http_to_another_machine_are_refused_unless_allowed() {
    // 192.0.2.1 (TEST-NET-1) is never this machine; nothing answers there.
    let wallet = Wallet::with_node("http://192.0.2.1:7700");
    wallet.account("alice");
    for args in [vec!["evidence", "list"], vec!["--allow-plain-http", "evidence", "list"]] {
        let run = wallet.run(&args).expect(2);
        if args.len() == 2 {
            assert!(run.stderr.contains("over plain http"), "{}", run.stderr);
            assert!(run.stderr.contains("--allow-plain-http"), "the way out is named: {}", run.stderr);
            assert!(!run.stderr.contains("cannot reach"), "refused before anything was sent: {}", run.stderr);
        } else {
            // Allowed: the wallet tries the node (and finds nothing there).
            assert!(run.stderr.contains("cannot reach the node at http://192.0.2.1:7700"), "{}", run.stderr);
        }
    }
}

#[test]
fn a_transaction_without_yes_and_without_a_terminal_is_refused_before_anything_is_sent() {
    let wallet = Wallet::new();
    wallet.account("alice");
    let run = wallet.run(&["send", ABANDON_ADDRESS, "1.00"]).expect(2);
    assert!(run.stderr.contains("pass --yes"), "{}", run.stderr);
    // The node was never asked: it would have reported "cannot reach".
    assert!(!run.stderr.contains("cannot reach"), "{}", run.stderr);
}

#[test]
fn with_several_accounts_one_must_be_chosen() {
    let wallet = Wallet::new();
    let none = wallet.run(&["balance"]).expect(2);
    assert!(none.stderr.contains("account new"), "{}", none.stderr);
    wallet.account("alice");
    wallet.account("bob");
    let run = wallet.run(&["balance"]).expect(2);
    assert!(run.stderr.contains("alice, bob") && run.stderr.contains("--account"), "{}", run.stderr);
    let run = wallet.run(&["-a", "carol", "balance"]).expect(2);
    assert!(run.stderr.contains("no account named carol"), "{}", run.stderr);
    let run = wallet.run(&["-a", "Bad Name", "balance"]).expect(2);
    assert!(run.stderr.contains("not valid"), "{}", run.stderr);
}

#[test]
fn help_documents_the_exit_codes() {
    let help = Wallet::new().run(&["--help"]).expect(0);
    for line in ["Exit codes:", "0  success", "1  refused by the ledger", "2  bad input", "3  submitted but not final"]
    {
        assert!(help.stdout.contains(line), "{line:?} missing from:\n{}", help.stdout);
    }
    let usage = Wallet::new().run(&["no-such-command"]).expect(2);
    assert!(usage.stderr.contains("no-such-command"));
}

#[test]
fn bad_deadlines_and_codes_are_refused_before_signing() {
    let wallet = Wallet::new();
    wallet.account("officer");
    let post = |deadline: &str, budget: &str| {
        wallet.run(&[
            "--yes",
            "task",
            "post",
            "--budget",
            budget,
            "--title",
            "Sweep the square",
            "--reward",
            "10",
            "--slots",
            "2",
            "--deadline",
            deadline,
            "--work-order",
            "BOR-2026-0142",
        ])
    };
    let run = post("31-12-2030", "grasbroek").expect(2);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
    let run = post("2001-01-01", "grasbroek").expect(2);
    assert!(run.stderr.contains("not in the future"), "{}", run.stderr);
    let run = post("+3d", "Gras Broek").expect(2);
    assert!(run.stderr.contains("budget code"), "{}", run.stderr);
    // Anti-displacement: no task without the work order it is additional to.
    let base = ["--yes", "task", "post", "--budget", "grasbroek", "--title", "Sweep", "--reward", "10", "--slots", "2"];
    let run = wallet.run(&[&base[..], &["--deadline", "+3d"]].concat()).expect(2);
    assert!(run.stderr.contains("--work-order"), "{}", run.stderr);
    let run = wallet.run(&[&base[..], &["--deadline", "+3d", "--work-order", "bor 12"]].concat()).expect(2);
    assert!(run.stderr.contains("work-order reference"), "{}", run.stderr);
    let run = wallet
        .run(
            &[&base[..], &["--deadline", "+3d", "--work-order", "BOR-1", "--approvals", "3", "--reviewers", "2"]]
                .concat(),
        )
        .expect(2);
    assert!(run.stderr.contains("more than --reviewers"), "{}", run.stderr);
    let run = wallet.run(&["--yes", "task", "reject", "4", "--reason", "lazy"]).expect(2);
    assert!(run.stderr.contains("evidence_unclear"), "{}", run.stderr);
    let run = wallet.run(&["--yes", "treasury", "settle", "4", "--reference", "paid to mrs. jansen"]).expect(2);
    assert!(run.stderr.contains("payout reference"), "{}", run.stderr);
}

// ---- with a fake node ----

#[test]
fn send_signs_for_the_node_chain_and_nonce_and_reports_the_final_outcome() {
    let wallet = Wallet::new();
    let alice = wallet.account("alice");
    let node = FakeNode::start(Mode::Accept, vec![(address(&alice), vec![]), (address(ABANDON_ADDRESS), vec![])]);
    let wallet = wallet.at(&node);

    let run = wallet.run(&["--yes", "send", ABANDON_ADDRESS, "4.5"]).expect(0);
    assert!(
        run.stdout.starts_with(&format!("SENT 4.50 to {ABANDON_ADDRESS} (final at height 7, tx ")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("4.50 moved from"), "{}", run.stdout);

    let submitted = node.submitted();
    assert_eq!(submitted.len(), 1);
    let tx = &submitted[0].tx;
    assert_eq!(tx.chain_id.as_str(), fake_node::CHAIN_ID);
    assert_eq!(tx.nonce.0, fake_node::NONCE);
    assert_eq!(tx.signer, address(&alice));
    match &tx.action {
        Action::Transfer(transfer) => {
            assert_eq!(transfer.amount, Amount(450));
            assert_eq!(transfer.recipient, address(ABANDON_ADDRESS));
        }
        other => panic!("expected a transfer, got {other:?}"),
    }
    let waits: Vec<_> = node.seen().into_iter().filter(|r| r.path.starts_with("/v1/tx/")).collect();
    assert!(waits.iter().all(|r| r.query.contains("wait_ms=")), "long-polls with wait_ms: {waits:?}");

    let json = wallet.run(&["--yes", "--json", "send", "carol-is-not-here", "1"]).expect(2);
    assert!(json.stdout.is_empty());
    let json = wallet.run(&["--yes", "--json", "send", ABANDON_ADDRESS, "1"]).expect(0).json();
    assert_eq!(json["state"], "committed");
    assert_eq!(json["height"], 7);
    assert_eq!(json["outcome"]["status"], "accepted");
    assert_eq!(json["tx_id"].as_str().map(str::len), Some(64));
}

#[test]
fn pay_warns_about_a_recipient_that_is_not_a_shop_and_says_paid() {
    let wallet = Wallet::new();
    let alice = wallet.account("alice");
    let shop = wallet.account("shop");
    let node = FakeNode::start(
        Mode::Accept,
        vec![(address(&alice), vec![]), (address(&shop), vec![Role::Merchant]), (address(ABANDON_ADDRESS), vec![])],
    );
    let wallet = wallet.at(&node);

    let run = wallet.run(&["--yes", "-a", "alice", "pay", "shop", "4.50"]).expect(0);
    assert!(run.stdout.starts_with(&format!("PAID 4.50 to {shop} (final at height 7, tx ")), "{}", run.stdout);
    assert!(!run.stderr.contains("not a registered shop"), "{}", run.stderr);

    let run = wallet.run(&["--yes", "-a", "alice", "pay", ABANDON_ADDRESS, "4.50"]).expect(0);
    assert!(run.stderr.contains("not a registered shop"), "{}", run.stderr);
    assert!(run.stdout.starts_with("PAID 4.50"), "{}", run.stdout);
}

#[test]
fn a_rejection_at_submission_or_in_the_receipt_exits_1() {
    for mode in [Mode::RefuseAtSubmit, Mode::RejectInReceipt] {
        let wallet = Wallet::new();
        let alice = wallet.account("alice");
        let node = FakeNode::start(mode, vec![(address(&alice), vec![])]);
        let wallet = wallet.at(&node);
        let run = wallet.run(&["--yes", "send", ABANDON_ADDRESS, "4.50"]).expect(1);
        assert!(run.stderr.contains("(insufficient_balance)"), "{mode:?}: {}", run.stderr);
        let last = run.stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("error: ") && last.ends_with("(insufficient_balance)"), "{}", run.stderr);
    }
}

#[test]
fn a_transaction_that_is_not_final_in_time_exits_3_with_its_id() {
    let wallet = Wallet::new();
    let alice = wallet.account("alice");
    let node = FakeNode::start(Mode::NeverCommit, vec![(address(&alice), vec![])]);
    let wallet = wallet.at(&node);
    let run = wallet.run(&["--yes", "--json", "--wait-secs", "1", "send", ABANDON_ADDRESS, "4.50"]).expect(3);
    let id = node.submitted()[0].id().to_string();
    assert!(run.stderr.contains(&format!("heitje tx show {id}")), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["state"], "pending");
    assert_eq!(json["tx_id"].as_str(), Some(id.as_str()));
    let shown = wallet.run(&["tx", "show", &id]).expect(0);
    assert!(shown.stdout.contains("pending"), "{}", shown.stdout);
    // Issue 18: the next command first waits for the earlier one and signs nothing new while
    // its outcome is unknown.
    let next = wallet.run(&["--yes", "--wait-secs", "1", "send", ABANDON_ADDRESS, "1"]).expect(3);
    assert!(next.stderr.contains(&id) && next.stderr.contains("nothing new was signed"), "{}", next.stderr);
    assert_eq!(node.submitted().len(), 1, "nothing new reached the node");
}

#[test]
fn an_account_that_is_not_on_chain_is_told_to_ask_the_registrar() {
    let wallet = Wallet::new();
    wallet.account("alice");
    let node = FakeNode::start(Mode::Accept, vec![]);
    let wallet = wallet.at(&node);
    let run = wallet.run(&["--yes", "send", ABANDON_ADDRESS, "4.50"]).expect(2);
    assert!(run.stderr.contains("is not on chain yet; ask the registrar to enroll it"), "{}", run.stderr);
    assert!(node.submitted().is_empty());
    let run = wallet.run(&["balance"]).expect(2);
    assert!(run.stderr.contains("not on chain yet"), "{}", run.stderr);
}

#[test]
fn task_post_puts_the_description_hash_on_chain_and_not_the_text() {
    let wallet = Wallet::new();
    let officer = wallet.account("officer");
    let node = FakeNode::start(Mode::Accept, vec![(address(&officer), vec![Role::Officer])]);
    let wallet = wallet.at(&node);
    let title = "Sweep the Pancratiusplein";
    let run = wallet
        .run(&[
            "--yes",
            "--json",
            "task",
            "post",
            "--budget",
            "grasbroek",
            "--title",
            title,
            "--reward",
            "7.50",
            "--slots",
            "3",
            "--deadline",
            "2099-12-31",
            "--work-order",
            "BOR-2026-0142",
        ])
        .expect(0)
        .json();
    assert_eq!(run["task"], 12);

    let upload = node.seen().into_iter().find(|r| r.path == "/v1/documents");
    let upload = upload.unwrap_or_else(|| panic!("the description was not uploaded"));
    assert_eq!(upload.body, title.as_bytes());
    assert!(upload.content_type.unwrap_or_default().starts_with("text/plain"));
    assert!(upload.authorization.as_deref().is_some_and(|h| h.starts_with("Heitje ")), "signed by the officer");
    match &node.submitted()[0].tx.action {
        Action::PostTask(post) => {
            assert_eq!(post.description, HashKind::Document.hash(title.as_bytes()));
            assert_eq!(post.reward, Amount(750));
            assert_eq!(post.slots, 3);
            assert_eq!(post.budget.as_str(), "grasbroek");
            // 2099-12-31 23:59:59 UTC.
            assert_eq!(post.deadline.0, 4_102_444_799_000);
            assert_eq!(post.work_order.as_str(), "BOR-2026-0142");
            assert_eq!((post.approvals, post.reviewers, post.draft), (2, 3, false), "2 of 3 unless told otherwise");
        }
        other => panic!("expected PostTask, got {other:?}"),
    }
}

/// A 1×1 JPEG carrying an EXIF segment with a GPS position.
fn jpeg_with_gps() -> Vec<u8> {
    let tiff = [b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0];
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9]);
    out
}

#[test]
fn task_submit_uploads_the_evidence_bytes_and_commits_to_them() {
    let wallet = Wallet::new();
    let resident = wallet.account("resident");
    let node = FakeNode::start(Mode::Accept, vec![(address(&resident), vec![])]);
    let wallet = wallet.at(&node);
    let photo = wallet.path("bench.jpg");
    std::fs::write(&photo, jpeg_with_gps()).unwrap_or_else(|err| panic!("{err}"));
    let args = ["--yes", "task", "submit", "40", "--evidence", &photo.to_string_lossy(), "--note", "Two coats."];
    let run = wallet.run(&[&args[..], &["--location", "50.888214,5.979549"]].concat()).expect(0);
    assert!(run.stdout.starts_with("SUBMITTED work for claim 40"), "{}", run.stdout);
    assert!(run.stderr.contains("removed from bench.jpg: EXIF (incl. GPS position)"), "{}", run.stderr);
    assert!(run.stderr.contains("must not contain names or addresses of other people"), "{}", run.stderr);

    // What left the device is a signed bundle of the stripped photo, the note and the rounded location.
    let upload = node.seen().into_iter().find(|r| r.path == "/v1/evidence");
    let upload = upload.unwrap_or_else(|| panic!("the evidence was not uploaded"));
    assert_eq!(upload.content_type.as_deref(), Some("application/octet-stream"));
    assert!(upload.authorization.as_deref().is_some_and(|h| h.starts_with("Heitje ")), "signed by the worker");
    let bundle = evidence::Bundle::from_canonical_bytes(&upload.body).unwrap_or_else(|err| panic!("{err}"));
    let sent = bundle.photos()[0].bytes();
    assert!(!sent.windows(4).any(|w| w == b"Exif"), "no EXIF left the device");
    assert!(!evidence::strip_photo(sent).unwrap_or_else(|err| panic!("{err}")).had_gps());
    assert_eq!(bundle.note(), Some("Two coats."));
    let location = bundle.location().unwrap_or_else(|| panic!("location"));
    assert_eq!((location.lat_microdeg, location.lon_microdeg), (50_888_200, 5_979_500), "rounded to ~10 m");
    match &node.submitted()[0].tx.action {
        Action::SubmitWork(work) => {
            assert_eq!(work.claim.0, 40);
            assert_eq!(work.evidence, HashKind::Evidence.hash(&upload.body), "the node's commitment goes on chain");
            assert!(upload.query.contains(&format!("retain_until={}", work.retain_until.0)), "{}", upload.query);
            let days = (work.retain_until.0.saturating_sub(now_ms())) / 86_400_000;
            assert!((364..=365).contains(&days), "kept a year unless told otherwise: {days} days");
        }
        other => panic!("expected SubmitWork, got {other:?}"),
    }

    // Anything but a JPEG or PNG photo is refused before anything is sent.
    let uploads = node.seen().len();
    let text = wallet.path("notes.txt");
    std::fs::write(&text, b"not a photo").unwrap_or_else(|err| panic!("{err}"));
    let refused = wallet.run(&["--yes", "task", "submit", "40", "--evidence", &text.to_string_lossy()]).expect(2);
    assert!(refused.stderr.contains("notes.txt cannot be used as evidence"), "{}", refused.stderr);
    assert!(refused.stderr.contains("only JPEG and PNG photos are accepted"), "{}", refused.stderr);
    assert_eq!(node.seen().len(), uploads, "nothing was sent");
    let missing = wallet.run(&["--yes", "task", "submit", "40", "--evidence", "/no/such/file"]).expect(2);
    assert!(missing.stderr.contains("/no/such/file"), "{}", missing.stderr);
}

#[test]
fn council_and_shop_commands_report_the_new_ids() {
    let wallet = Wallet::new();
    let member = wallet.account("member");
    let node = FakeNode::start(Mode::Accept, vec![(address(&member), vec![Role::Council, Role::Merchant])]);
    let wallet = wallet.at(&node);

    let run = wallet.run(&["--yes", "council", "propose", "mint", "1000"]).expect(0);
    assert!(run.stdout.starts_with("PROPOSED proposal 7: 1/3 approvals"), "{}", run.stdout);
    let json =
        wallet.run(&["--yes", "--json", "council", "propose", "grant", ABANDON_ADDRESS, "verifier"]).expect(0).json();
    assert_eq!(json["proposal"], 7);
    assert_eq!(json["approvals"], 1);
    assert_eq!(json["threshold"], 3);
    // The redemption fee and minimum are council decisions too.
    wallet.run(&["--yes", "council", "propose", "redemption-fee", "0.25"]).expect(0);
    wallet.run(&["--yes", "council", "propose", "redemption-minimum", "5"]).expect(0);
    let proposed: Vec<_> = node
        .submitted()
        .iter()
        .filter_map(|s| match &s.tx.action {
            Action::Propose(p) => Some(p.action.clone()),
            _ => None,
        })
        .collect();
    assert!(proposed.contains(&contracts::tx::CouncilAction::SetRedemptionFee { fee: Amount(25) }), "{proposed:?}");
    assert!(proposed.contains(&contracts::tx::CouncilAction::SetRedemptionMinimum { min: Amount(500) }));

    let run = wallet.run(&["--yes", "shop", "redeem", "120"]).expect(0);
    assert!(run.stdout.starts_with("REDEEMED 120.00: redemption 5"), "{}", run.stdout);
}

#[test]
fn a_password_file_is_enough_for_scripts() {
    let wallet = Wallet::new();
    let file = wallet.path("password");
    std::fs::write(&file, format!("{PASSWORD}\r\n")).unwrap_or_else(|err| panic!("{err}"));
    let file = file.to_string_lossy().into_owned();
    wallet.run_env(&["--password-file", &file, "account", "new", "alice"], &[]).expect(0);
    // The first line is the password, without its line ending.
    wallet.run(&["--yes", "account", "export-phrase", "alice"]).expect(0);
    let short = wallet.path("short");
    std::fs::write(&short, "abc\n").unwrap_or_else(|err| panic!("{err}"));
    let run = wallet.run_env(&["--password-file", &short.to_string_lossy(), "account", "new", "bob"], &[]).expect(2);
    assert!(run.stderr.contains("at least 8 characters"), "{}", run.stderr);
    assert!(!Path::new(&wallet.path("keystore/bob.json")).exists());
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
