//! Issue 5 end to end on the 4-validator network with the real binaries: a task verified 2 of
//! 3 by drawn verifiers and paid after the objection window, a refused self-verification, a
//! rejection whose reason the resident sees, an officer's objection that stops a payout, an
//! expired task whose escrow returns to the budget, a resident reaching the annual cap, the
//! review queue, the personal-data export, a signed year-end statement checked against the
//! chain, and a replay of the whole chain from genesis.

use api::routes;
use contracts::primitives::TaskId;
use serde_json::Value;

use crate::e2e::{Net, address_of, claim_path, drawn_verifiers, wait_claim};
use crate::support::OBJECTION_WINDOW_SECS;

fn json(net: &Net, account: Option<&str>, args: &[&str]) -> Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let out = net.ok(account, &full);
    serde_json::from_str(&out).unwrap_or_else(|err| panic!("heitje {args:?}: not JSON ({err}): {out}"))
}

fn post(net: &Net, title: &str, reward: &str, slots: &str, deadline: &str, k: &str, n: &str) -> String {
    let out = json(
        net,
        Some("officer"),
        &["task", "post", "--budget", "grasbroek", "--title", title, "--reward", reward, "--slots", slots]
            .into_iter()
            .chain(["--deadline", deadline, "--work-order", "BOR-2026-0142", "--approvals", k, "--reviewers", n])
            .collect::<Vec<_>>(),
    );
    out["task"].as_u64().expect("task id").to_string()
}

fn claim_and_submit(net: &Net, who: &str, task: &str, photo: &str) -> String {
    let claimed = json(net, Some(who), &["task", "claim", task]);
    let claim = claimed["claim"].as_u64().expect("claim id").to_string();
    net.ok(Some(who), &["task", "submit", &claim, "--evidence", photo]);
    claim
}

fn budget(net: &Net) -> String {
    let budgets = net.client().budgets().expect("budgets");
    let grasbroek = budgets.iter().find(|x| x.code.to_string() == "grasbroek").expect("budget");
    grasbroek.balance.to_string()
}

#[test]
fn issue_5_review_is_k_of_n_objections_stop_payouts_caps_hold_and_residents_see_their_data() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let net = Net::start(tmp.path());
    net.ok(Some("council-1"), &["council", "propose", "mint", "1000"]);
    net.ok(Some("council-2"), &["council", "approve", "1"]);
    net.ok(Some("treasurer"), &["treasury", "fund", "grasbroek", "100"]);
    let photo = tmp.path().join("work.jpg");
    std::fs::write(&photo, crate::evidence::jpeg_with_gps()).expect("photo");
    let photo = photo.to_str().expect("path");
    let mut residents = Vec::new();
    for name in ["anna", "bram", "cor"] {
        net.ok(None, &["account", "new", name]);
        let address = address_of(&net, name);
        net.ok(Some("registrar"), &["registrar", "enroll", &address]);
        residents.push(address);
    }
    let anna = residents[0].clone();

    // A task reviewed 2 of 3: the three drawn verifiers never include the worker or the poster.
    let task = post(&net, "Clean the play equipment at the Mijnwerkerspark", "10.00", "1", "+14d", "2", "3");
    let claim = claim_and_submit(&net, "anna", &task, photo);
    let drawn = drawn_verifiers(&net, &claim);
    assert_eq!(drawn.len(), 3, "{drawn:?}");
    assert!(drawn.iter().all(|name| name.starts_with("verifier")), "{drawn:?}");
    // Issue 12: who was drawn is not public before they vote; each drawn verifier's queue (a
    // signed read) shows them the claim.
    let public = net.json(&claim_path(&claim));
    assert_eq!(public["reviewers"], serde_json::json!([]), "nobody has voted: {public}");
    assert_eq!(public["reviewers_drawn"], 3);
    let shown = net.ok(None, &["task", "show", &task]);
    for name in &drawn {
        assert!(!shown.contains(&address_of(&net, name)), "task show names no drawn verifier: {shown}");
    }
    let queue = json(&net, Some(&drawn[0]), &["task", "queue"]);
    assert_eq!(queue["to_review"][0].as_u64().map(|c| c.to_string()), Some(claim.clone()), "{queue}");
    net.ok(Some(&drawn[0]), &["task", "approve", &claim]);
    let public = net.json(&claim_path(&claim));
    assert_eq!(public["reviewers"], serde_json::json!([address_of(&net, &drawn[0])]), "a voter is public: {public}");
    let queue = json(&net, Some(&drawn[1]), &["task", "queue"]);
    assert_eq!(queue["to_review"][0].as_u64().map(|c| c.to_string()), Some(claim.clone()), "{queue}");
    assert_eq!(net.json(&claim_path(&claim))["status"], "under_review", "one approval is not enough");
    // The second verifier looks at the evidence first, through node 1 (the node logs the read).
    let commitment = net.json(&claim_path(&claim))["evidence"].as_str().expect("commitment").to_owned();
    let look = tmp.path().join("review-copy");
    let read = net
        .command(0, Some(&drawn[1]), &["evidence", "get", &commitment, "--out", look.to_str().expect("p")])
        .output()
        .expect("run heitje");
    assert!(read.status.success(), "a drawn verifier reads the evidence: {}", String::from_utf8_lossy(&read.stderr));
    let window = net.ok(Some(&drawn[1]), &["task", "approve", &claim]);
    assert!(window.contains("objection window open until"), "{window}");
    let watching = json(&net, Some("officer"), &["task", "queue"]);
    assert!(watching.to_string().contains(&claim), "the officer sees the claim in its window: {watching}");
    wait_claim(&net, &claim, "rewarded");
    assert_eq!(net.balance(&anna), "10.00");
    let late = net.refused(Some(&drawn[2]), &["task", "approve", &claim]);
    assert!(late.contains("claim_status") || late.contains("rewarded"), "the third vote comes too late: {late}");

    // Self-verification: a verifier who did the work can never approve it, and is not drawn.
    let verifier2 = address_of(&net, "verifier-2");
    net.ok(Some("registrar"), &["registrar", "enroll", &verifier2]);
    let own_task = post(&net, "Weed the Tuinwijk beds", "5.00", "1", "+14d", "1", "1");
    let own = claim_and_submit(&net, "verifier-2", &own_task, photo);
    assert!(!drawn_verifiers(&net, &own).contains(&"verifier-2".to_owned()));
    let refused = net.refused(Some("verifier-2"), &["task", "approve", &own]);
    assert!(refused.contains("self_verification"), "{refused}");
    // The drawn verifier rejects; the worker sees the reason code.
    let reviewer = drawn_verifiers(&net, &own).remove(0);
    net.ok(Some(&reviewer), &["task", "reject", &own, "--reason", "evidence_unclear"]);
    let seen = json(&net, Some("verifier-2"), &["task", "show", &own_task]);
    assert_eq!(seen["claims"][0]["reason"], "evidence_unclear", "{seen}");

    // An officer's objection during the window stops the payout.
    let objected_task = post(&net, "Paint the fence at the Schelsberg", "7.00", "1", "+14d", "1", "1");
    let objected = claim_and_submit(&net, "bram", &objected_task, photo);
    let reviewer = drawn_verifiers(&net, &objected).remove(0);
    net.ok(Some(&reviewer), &["task", "approve", &objected]);
    let objection = net.ok(Some("officer"), &["task", "object", &objected, "--reason", "not_additional"]);
    assert!(objection.contains("WORK REJECTED"), "{objection}");
    std::thread::sleep(std::time::Duration::from_secs(OBJECTION_WINDOW_SECS + 2));
    let bram = net.json(&claim_path(&objected));
    assert_eq!((bram["status"].as_str(), bram["reason"].as_str()), (Some("rejected"), Some("not_additional")));
    assert_eq!(net.balance(&residents[1]), "0.00", "no reward after an upheld objection");

    // A task that expires: the unclaimed and unsubmitted slots' escrow returns to the budget.
    let before = budget(&net);
    let expiring = post(&net, "Sweep the Pancratiusplein", "4.00", "3", "+12s", "1", "1");
    json(&net, Some("cor"), &["task", "claim", &expiring]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let task = net.json(&routes::task(TaskId(expiring.parse().expect("task id"))));
        if task["task"]["status"] == "expired" {
            assert_eq!(task["task"]["escrow"], "0.00");
            assert_eq!(task["claims"][0]["status"], "expired");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the task never expired: {task}");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert_eq!(budget(&net), before, "all 12.00 of escrow came back");

    // The annual cap: the council lowers it to 25.00; Anna (10.00 earned) cannot claim 20.00.
    net.ok(Some("council-1"), &["council", "propose", "task-rules", "--annual-cap", "25"]);
    net.ok(Some("council-3"), &["council", "approve", "2"]);
    let allowance = json(&net, Some("anna"), &["allowance"]);
    assert_eq!((allowance["earned"].as_str(), allowance["remaining"].as_str()), (Some("10.00"), Some("15.00")));
    let big = post(&net, "Repaint the bus shelter", "20.00", "1", "+14d", "1", "1");
    let capped = net.refused(Some("anna"), &["task", "claim", &big]);
    assert!(capped.contains("annual cap") && capped.contains("15.00"), "{capped}");

    // Anna has her evidence erased now that the reward is paid: every node answers 410, and
    // the chain still verifies (checked at the end).
    let erased = net.ok(Some("anna"), &["evidence", "erase", &commitment]);
    assert!(erased.to_uppercase().contains("ERASED"), "{erased}");

    // Anna's data: everything in one JSON file, and a statement the chain confirms.
    let export = tmp.path().join("anna.json");
    // Asked of node 1, which logged the verifier's read (audit logs are kept per node).
    let exported =
        net.command(0, Some("anna"), &["me", "--export", export.to_str().expect("p")]).output().expect("run heitje");
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let data: Value = serde_json::from_slice(&std::fs::read(&export).expect("export")).expect("JSON");
    assert_eq!(data["account"]["address"], anna.as_str());
    assert_eq!(data["claims_as_worker"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["rewards_by_year"][0]["total"], "10.00");
    assert!(data["transactions"].as_array().is_some_and(|t| t.len() >= 2), "claim and submit: {data}");
    let records = data["evidence_records"]["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(records.len(), 1, "one evidence record, now erased: {data}");
    assert!(records[0]["erased_at"].is_u64(), "{data}");
    assert!(
        records[0]["reads"].as_array().is_some_and(|reads| reads.iter().any(|r| r["purpose"] == "review")),
        "the drawn verifier's read is listed: {data}"
    );
    let year = allowance["year"].as_u64().expect("year").to_string();
    let out = tmp.path().join("statements");
    let holder = "A. Müller, Geleen-Zuid";
    net.ok(Some("anna"), &["statement", "issue", &year, "--out", out.to_str().expect("p"), "--holder", holder]);
    let pdf = std::fs::read(out.join(format!("statement-{year}.pdf"))).expect("the PDF statement");
    let printed = pdf_extract::extract_text_from_mem(&pdf).expect("a PDF whose text can be read back");
    assert!(printed.contains(holder), "the holder as written: {printed}");
    assert!(printed.contains("STATEMENT OF HEERLEN COIN REWARDS"), "{printed}");
    let json_text = std::fs::read_to_string(out.join(format!("statement-{year}.json"))).expect("the JSON statement");
    assert!(!json_text.contains("Müller"), "the holder's name stays on paper, out of the signed JSON");
    let file = out.join(format!("statement-{year}.json"));
    let valid = net.ok(None, &["statement", "verify", file.to_str().expect("p")]);
    assert!(valid.starts_with("VALID: 1 rewards, total 10.00"), "{valid}");
    let mut forged: Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("JSON");
    forged["statement"]["total"] = Value::from("100.00");
    std::fs::write(&file, forged.to_string()).expect("write");
    let out = net.wallet(None, &["statement", "verify", file.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(1), "a changed statement does not verify");
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature"));

    // Supply is conserved through every path, and the whole chain replays from genesis.
    assert!(net.supply().conserved);
    let check = json(&net, None, &["verify-chain"]);
    assert_eq!(check["ok"], true, "{check}");
}
