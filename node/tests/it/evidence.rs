//! Issue 5, privacy: work evidence end to end on the 4-validator network with the real binaries.
//! The resident's wallet strips the photo's EXIF/GPS before upload; the node seals the bundle
//! under a fresh key and replicates it; only the drawn verifier, the posting officer and the
//! owner may read it, through any node, and each staff read is in that node's audit log; the
//! owner cannot erase it during review but can once the reward is paid, after which every node
//! answers 410 Gone and the chain, the supply and the audit logs still verify.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use api::routes;
use serde_json::Value;

use crate::e2e::{Net, address_of, claim_path, drawn_verifiers, wait_claim};

/// A 1×1 JPEG carrying an EXIF segment with a GPS position (and a comment), as a phone writes.
pub(crate) fn jpeg_with_gps() -> Vec<u8> {
    let tiff = [b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0];
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&u16::try_from(app1.len() + 2).expect("short").to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x0A]);
    out.extend_from_slice(b"Pixel 9");
    out.push(0);
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9]);
    out
}

fn run(net: &Net, node: usize, account: &str, args: &[&str]) -> Output {
    net.command(node, Some(account), args).output().expect("run heitje")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn ok_json(net: &Net, node: usize, account: &str, args: &[&str]) -> Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let out = run(net, node, account, &full);
    assert!(out.status.success(), "heitje {args:?} as {account} via node {}: {}", node + 1, text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|err| panic!("heitje {args:?}: not JSON ({err})"))
}

/// Runs `args` until `done` says the output is what is waited for (bounded wait).
fn until(net: &Net, node: usize, account: &str, args: &[&str], done: impl Fn(&Output) -> bool) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = run(net, node, account, args);
        if done(&out) {
            return out;
        }
        assert!(Instant::now() < deadline, "heitje {args:?} via node {} never got there: {}", node + 1, text(&out));
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn get_into(net: &Net, node: usize, account: &str, commitment: &str, dir: &Path) -> Output {
    run(net, node, account, &["--json", "evidence", "get", commitment, "--out", dir.to_str().expect("utf-8 path")])
}

fn json_at(net: &Net, node: usize, path: &str) -> Value {
    let (code, body) = crate::support::get(&format!("{}{path}", net.bases[node]));
    assert_eq!(code, 200, "GET {path} on node {}: {body}", node + 1);
    body
}

#[test]
fn issue_5_evidence_is_stripped_sealed_replicated_read_by_the_drawn_only_audited_and_erased_everywhere() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let net = Net::start(tmp.path());
    net.ok(Some("council-1"), &["council", "propose", "mint", "1000"]);
    net.ok(Some("council-2"), &["council", "approve", "1"]);
    net.ok(Some("treasurer"), &["treasury", "fund", "grasbroek", "100"]);
    net.ok(
        Some("officer"),
        &["task", "post", "--budget", "grasbroek", "--title", "Paint the bench at the Pancratiusplein"]
            .into_iter()
            .chain(["--reward", "10.00", "--slots", "1", "--deadline", "+14d", "--work-order", "BOR-2026-0001"])
            .chain(["--approvals", "1", "--reviewers", "1"])
            .collect::<Vec<_>>(),
    );
    for name in ["alice", "bob"] {
        net.ok(None, &["account", "new", name]);
        let address = address_of(&net, name);
        net.ok(Some("registrar"), &["registrar", "enroll", &address]);
    }
    let alice = address_of(&net, "alice");
    net.ok(Some("alice"), &["task", "claim", "1"]);

    // 1. The wallet strips the photo on the resident's device and says what it removed; a file
    //    that is not a photo is refused before anything is sent.
    let photo = tmp.path().join("bench.jpg");
    std::fs::write(&photo, jpeg_with_gps()).expect("photo");
    let photo = photo.to_str().expect("utf-8 path");
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "the neighbour at number 12 helped").expect("text");
    let refused = run(&net, 0, "alice", &["task", "submit", "1", "--evidence", notes.to_str().expect("path")]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("only JPEG and PNG photos are accepted"), "{}", text(&refused));
    let submit =
        ["task", "submit", "1", "--evidence", photo, "--note", "Two coats.", "--location", "50.888214,5.979549"];
    let submitted = run(&net, 0, "alice", &submit);
    assert!(submitted.status.success(), "{}", text(&submitted));
    assert!(
        text(&submitted).contains("removed from bench.jpg: EXIF (incl. GPS position), comment"),
        "{}",
        text(&submitted)
    );
    let claim = net.json(&claim_path("1"));
    assert_eq!(claim["status"], "submitted");
    let commitment = claim["evidence"].as_str().expect("commitment on chain").to_owned();
    let drawn = drawn_verifiers(&net, "1");
    assert_eq!(drawn.len(), 1, "{drawn:?}");
    let reviewer = drawn[0].clone();
    let bystander = ["verifier", "verifier-2", "verifier-3"].into_iter().find(|v| *v != reviewer).expect("pool of 3");

    // 2. The drawn verifier reads it through another node than the one it was uploaded to: the
    //    record was replicated, and what comes back holds no EXIF and no position.
    let read_dir = tmp.path().join("read-by-verifier");
    let read = until(
        &net,
        2,
        &reviewer,
        &["--json", "evidence", "get", &commitment, "--out", read_dir.to_str().expect("p")],
        |out| out.status.success(),
    );
    let view: Value = serde_json::from_slice(&read.stdout).expect("JSON");
    assert_eq!(view["purpose"], "review");
    assert_eq!(view["note"], "Two coats.");
    assert_eq!(view["location"], "50.888200,5.979500", "rounded to about 10 m");
    let file = view["photos"][0].as_str().expect("photo written");
    let bytes = std::fs::read(file).expect("photo file");
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF block");
    assert!(!bytes.windows(7).any(|w| w == b"Pixel 9"), "no comment");
    let again = evidence::strip_photo(&bytes).expect("a JPEG");
    assert!(again.removed().is_empty() && !again.had_gps(), "nothing left to strip: {:?}", again.removed());

    // 3. A verifier who was not drawn and another resident are refused; the officer who posted
    //    the task may read.
    for (who, node) in [(bystander, 1), ("bob", 3)] {
        let out = get_into(&net, node, who, &commitment, &tmp.path().join(format!("read-by-{who}")));
        assert_eq!(out.status.code(), Some(2), "{who}: {}", text(&out));
        assert!(
            text(&out).contains("(forbidden)") && text(&out).contains("may not read this evidence"),
            "{}",
            text(&out)
        );
    }
    let officer = until(
        &net,
        1,
        "officer",
        &["--json", "evidence", "get", &commitment, "--out", tmp.path().join("read-by-officer").to_str().expect("p")],
        |out| out.status.success(),
    );
    assert!(String::from_utf8_lossy(&officer.stdout).contains("\"purpose\":\"review\""));

    // 4. Each staff read is in the audit log of the node that served it, and the logs verify.
    let listing = ok_json(&net, 2, "alice", &["evidence", "list"]);
    let record = &listing["records"][0];
    assert_eq!(record["commitment"], commitment.as_str());
    assert_eq!(record["photos"][0]["format"], "jpeg");
    assert_eq!((record["has_note"].as_bool(), record["has_location"].as_bool()), (Some(true), Some(true)));
    let reviewer_address = address_of(&net, &reviewer);
    let reads = record["reads"].as_array().expect("reads");
    assert!(reads.iter().any(|r| r["reader"] == reviewer_address.as_str() && r["purpose"] == "review"), "{record}");
    let officer_reads = &ok_json(&net, 1, "alice", &["evidence", "list"])["records"][0]["reads"];
    let officer_address = address_of(&net, "officer");
    assert!(
        officer_reads.as_array().expect("reads").iter().any(|r| r["reader"] == officer_address.as_str()),
        "{officer_reads}"
    );
    for node in 0..4 {
        let check = json_at(&net, node, routes::AUDIT_VERIFY);
        assert_eq!(check["intact"], true, "node {}: {check}", node + 1);
    }

    // 5. The owner cannot erase it while it is reviewed; once the reward is paid, they can.
    let early = run(&net, 3, "alice", &["evidence", "erase", &commitment]);
    assert_eq!(early.status.code(), Some(2), "{}", text(&early));
    assert!(text(&early).contains("(still_needed)") && text(&early).contains("under review"), "{}", text(&early));
    net.ok(Some(&reviewer), &["task", "approve", "1"]);
    wait_claim(&net, "1", "rewarded");
    let erased = ok_json(&net, 3, "alice", &["evidence", "erase", &commitment]);
    assert_eq!((erased["reason"].as_str(), erased["already"].as_bool()), (Some("owner_request"), Some(false)));

    // 6. Every node answers 410 Gone within a bounded wait, to the owner and to staff alike.
    for node in 0..4 {
        let dir = tmp.path().join(format!("after-{node}"));
        let gone =
            until(&net, node, "alice", &["evidence", "get", &commitment, "--out", dir.to_str().expect("p")], |out| {
                text(out).contains("(erased)")
            });
        assert!(text(&gone).contains("erased on ") && text(&gone).contains("(owner request)"), "{}", text(&gone));
    }
    let staff = get_into(&net, 2, &reviewer, &commitment, &tmp.path().join("after-staff"));
    assert!(text(&staff).contains("(erased)"), "{}", text(&staff));
    let listing = ok_json(&net, 0, "alice", &["evidence", "list"]);
    let record = &listing["records"][0];
    assert_eq!(
        (record["erased_reason"].as_str(), record["photos"].as_array().map(Vec::len)),
        (Some("owner_request"), Some(0))
    );

    // 7. The chain still verifies: the claim keeps its commitment, supply is conserved, and
    //    every node's audit log (reads and the erasure) is intact.
    let claim = net.json(&claim_path("1"));
    assert_eq!((claim["status"].as_str(), claim["evidence"].as_str()), (Some("rewarded"), Some(commitment.as_str())));
    assert_eq!(net.balance(&alice), "10.00");
    for node in 0..4 {
        let supply = crate::support::client(&net.bases[node]).supply().expect("supply");
        assert!(supply.conserved, "node {}: {supply:?}", node + 1);
        let check = json_at(&net, node, routes::AUDIT_VERIFY);
        assert_eq!(check["intact"], true, "node {}: {check}", node + 1);
    }
    let chain = net.client().verify_chain().expect("chain check");
    assert!(chain.ok, "{chain:?}");
}

/// Issue 12: a validator that passes on an evidence record its worker never signed. Three
/// validators run; the test speaks on the gossip network as the fourth, with that validator's
/// own key, and sends sealed records that open and match their commitments, but whose upload
/// signature is someone else's (to fill a resident's claim with records that are not theirs),
/// or missing. Every honest node drops them, stores nothing, and records the sender as
/// misbehaving in `GET /v1/misbehavior`.
#[test]
fn issue_12_a_forged_evidence_replica_is_dropped_and_its_sender_recorded_as_misbehaving() {
    use api::evidence::{content_hash, signed_upload_path};
    use api::staff::Unsigned;
    use contracts::primitives::ClaimId;
    use contracts::{ChainId, Timestamp};

    let tmp = tempfile::tempdir().expect("temp dir");
    let mut net = Net::create(tmp.path());
    net.start_some(&[0, 1, 2]);
    let liar_config = node::config::Config::load(net.config(3)).expect("node 4's config");
    let liar_key = node::load_validator_key(&liar_config.validator_key).expect("node 4's key");
    let liar = contracts::crypto::account_of(&liar_key);
    let status = crate::support::client(&net.bases[0]).status().expect("status");
    let chain = ChainId::new(&status.chain_id).expect("chain id");

    // A resident's record for claim 1, sealed as a node would, but "signed" by mallory.
    let resident = ed25519_dalek::SigningKey::from_bytes(&[21; 32]);
    let mallory = ed25519_dalek::SigningKey::from_bytes(&[22; 32]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64;
    let (sealed_at, retain_until) = (Timestamp(now), Timestamp(now + 86_400_000));
    let bundle = evidence::Bundle::new(&[], Some("not the resident's work".into()), None).expect("bundle");
    let owner = contracts::crypto::account_of(&resident);
    let (sealed, key) =
        evidence::seal(&bundle, owner, ClaimId(1), retain_until, sealed_at, &mut rand_core::OsRng).expect("seal");
    let path = signed_upload_path(ClaimId(1), retain_until, &content_hash(&bundle.to_canonical_bytes()));
    let upload = Unsigned { chain: &chain, node: status.validator, method: "POST", path_and_query: &path };
    let by_mallory = upload.sign(&mallory, sealed_at, [7; 16]).header();
    let forged = [
        node::network::evidence_message(&sealed.to_bytes(), &key.to_bytes(), &by_mallory),
        node::network::evidence_message(&sealed.to_bytes(), &key.to_bytes(), "Heitje no-signature"),
    ];

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let recorded = runtime.block_on(async {
        let validators = crate::support::validator_keys(&net.bases[0]);
        let gossip = crate::support::gossip_as(net.config(3), &validators, &status.chain_id).await;
        // Publish until the mesh has formed and every honest node has recorded the forgery.
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            for message in &forged {
                let _ = gossip.publish(message.clone());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let seen: Vec<Vec<Value>> = (0..3).map(|node| forgeries_of(&net, node, &liar)).collect();
            if seen.iter().all(|records| !records.is_empty()) || Instant::now() > deadline {
                break seen;
            }
        }
    });
    for (node, records) in recorded.iter().enumerate() {
        assert!(!records.is_empty(), "node {} did not record validator 4's forgery", node + 1);
        let record = &records[0];
        assert_eq!(record["first"], sealed.header.commitment.to_string());
        let detail = record["detail"].as_str().expect("detail");
        assert!(detail.contains("forged"), "{detail}");
    }
    // Nothing was stored: the officer's signed read finds no such record on any node.
    let officer = crate::support::key_from_phrase(&tmp.path().join("keys/officer.phrase"));
    for (node, base) in net.bases.iter().enumerate().take(3) {
        let commitment = sealed.header.commitment;
        let answer = crate::support::client(base).evidence(&commitment, |request: &Unsigned<'_>| {
            request.sign(&officer, Timestamp(now_ms()), [node as u8 + 1; 16]).header()
        });
        let err = answer.expect_err("no record");
        assert!(err.to_string().contains("unknown_evidence"), "node {}: {err}", node + 1);
    }
    // The flood is recorded once per height, not once per message.
    let heights: std::collections::BTreeSet<_> =
        recorded[0].iter().map(|r| r["height"].as_u64().expect("height")).collect();
    assert_eq!(heights.len(), recorded[0].len(), "one record per height: {:?}", recorded[0]);
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// The `forged_evidence` records naming `liar` in node `node`'s misbehaviour list.
fn forgeries_of(net: &Net, node: usize, liar: &contracts::AccountId) -> Vec<Value> {
    let records = json_at(net, node, routes::MISBEHAVIOR);
    records
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["kind"] == "forged_evidence" && r["validator"] == liar.to_string().as_str())
        .cloned()
        .collect()
}
