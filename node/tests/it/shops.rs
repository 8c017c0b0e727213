//! Issue 4 end to end on the 4-validator network with the real binaries: two shops, a till,
//! three residents and the treasurer. Signed payment requests (PNG/SVG saved), paying with
//! `heitje pay URI`, PAID at the counter, the refusals (paid twice, expired, forged, revoked
//! till, a till that tries to spend), receipts and the CSV statement, redemption with a retry
//! after a simulated crash, the SEPA export, recording the settlement (twice), and the
//! reconciliation and audit log.

use std::process::Output;

use api::routes;
use contracts::AccountId;
use serde_json::Value;

use crate::e2e::{Net, address_of};

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout))
}

/// A wallet command that must fail before anything is sent (exit 2).
fn bad_input(net: &Net, account: &str, args: &[&str]) -> String {
    let out = net.wallet(Some(account), args);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "heitje {args:?} as {account} must be refused before sending: {all}");
    all
}

fn request(net: &Net, account: &str, args: &[&str]) -> Value {
    let mut full = vec!["--json", "shop", "request"];
    full.extend_from_slice(args);
    serde_json::from_str(&net.ok(Some(account), &full)).expect("request JSON")
}

#[test]
fn issue_4_shops_take_payments_redeem_and_the_treasurer_settles_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let net = Net::start(tmp.path());

    // Coins for three residents: mint, fund, a task with three slots, approved work.
    net.ok(Some("council-1"), &["council", "propose", "mint", "10000"]);
    net.ok(Some("council-2"), &["council", "approve", "1"]);
    net.ok(Some("treasurer"), &["treasury", "fund", "grasbroek", "1000"]);
    net.ok(
        Some("officer"),
        &["task", "post", "--budget", "grasbroek", "--title", "Weed the Vijverpark beds", "--reward", "20.00"]
            .into_iter()
            .chain(["--slots", "3", "--deadline", "+14d", "--work-order", "BOR-2026-0002"])
            .chain(["--approvals", "1", "--reviewers", "1"])
            .collect::<Vec<_>>(),
    );
    let photo = tmp.path().join("beds.jpg");
    std::fs::write(&photo, crate::evidence::jpeg_with_gps()).expect("photo");
    let mut residents = Vec::new();
    for (i, name) in ["anna", "bram", "cor"].iter().enumerate() {
        net.ok(None, &["account", "new", name]);
        let address = address_of(&net, name);
        net.ok(Some("registrar"), &["registrar", "enroll", &address]);
        net.ok(Some(name), &["task", "claim", "1"]);
        let claim = (i + 1).to_string();
        net.ok(Some(name), &["task", "submit", &claim, "--evidence", photo.to_str().expect("path")]);
        crate::e2e::approve_and_wait_paid(&net, &claim);
        assert_eq!(net.balance(&address), "20.00");
        residents.push(address);
    }

    // Two shops: the genesis shop and a bakery the council registers; the registrar records
    // their verified names and bank accounts off chain.
    let shop = address_of(&net, "shop");
    net.ok(None, &["account", "new", "bakery"]);
    let bakery = address_of(&net, "bakery");
    net.ok(Some("council-1"), &["council", "propose", "grant", &bakery, "merchant"]);
    net.ok(Some("council-3"), &["council", "approve", "2"]);
    net.ok(
        Some("registrar"),
        &["registrar", "merchant", "set", &shop, "--name", "Fietsenmaker Pancratius", "--iban", "NL91ABNA0417164300"],
    );
    net.ok(
        Some("registrar"),
        &["registrar", "merchant", "set", &bakery, "--name", "Bakkerij Jansen", "--iban", "BE68 5390 0754 7034"],
    );
    let bad_iban = bad_input(
        &net,
        "registrar",
        &["registrar", "merchant", "set", &bakery, "--name", "X", "--iban", "NL91ABNA0417164301"],
    );
    assert!(bad_iban.contains("checksum"), "{bad_iban}");
    // The registry is replicated: every node serves the verified name.
    for base in &net.bases {
        let url = format!("{base}{}", routes::registry_merchant(&bakery.parse::<AccountId>().expect("bakery address")));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (code, body) = crate::support::get(&url);
            if code == 200 {
                assert_eq!(body["display_name"], "Bakkerij Jansen");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{base} never got the registry record: {body}");
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    // A till account for the shop: it creates requests; it cannot spend.
    net.ok(None, &["account", "new", "till-1"]);
    let till = address_of(&net, "till-1");
    net.ok(Some("shop"), &["shop", "till", "link", &till]);
    let png = tmp.path().join("request.png");
    let svg = tmp.path().join("request.svg");
    let req = request(
        &net,
        "till-1",
        &[
            "4.50",
            "--ref",
            "B-0001",
            "--label",
            "Bike bell",
            "--png",
            png.to_str().expect("p"),
            "--svg",
            svg.to_str().expect("p"),
        ],
    );
    let uri = req["uri"].as_str().expect("uri").to_owned();
    assert!(uri.starts_with(&format!("heitje:{shop}?amount=4.50&ref=B-0001")), "{uri}");
    assert!(std::fs::read(&png).expect("png").starts_with(b"\x89PNG"), "a PNG was saved");
    assert!(std::fs::read_to_string(&svg).expect("svg").contains("<svg"), "an SVG was saved");

    // Anna pays the URI: the wallet shows the verified name; the till sees PAID.
    let paid = net.ok(Some("anna"), &["pay", &uri]);
    assert!(paid.contains("PAID 4.50 to Fietsenmaker Pancratius"), "{paid}");
    let counter = net.ok(Some("till-1"), &["shop", "wait", "B-0001", "--amount", "4.50", "--timeout", "10"]);
    assert!(counter.starts_with("PAID 4.50 for B-0001"), "{counter}");
    assert_eq!(net.balance(&residents[0]), "15.50");
    assert_eq!(net.balance(&shop), "4.50");
    // Issue 12: a linked till reads the shop's statement (a signed read).
    let by_till: Value =
        serde_json::from_str(&net.ok(Some("till-1"), &["--json", "shop", "payments"])).expect("statement JSON");
    assert_eq!(by_till[0]["reference"], "B-0001", "{by_till}");

    // Refusals, each with nothing sent: paid twice, a forged amount, an expired request.
    let twice = bad_input(&net, "bram", &["pay", &uri]);
    assert!(twice.contains("already paid"), "{twice}");
    let forged = uri.replace("amount=4.50", "amount=0.45");
    let forged_out = bad_input(&net, "bram", &["pay", &forged]);
    assert!(forged_out.to_lowercase().contains("signature"), "{forged_out}");
    for bad in ["heitje:nonsense", "heitje:", "bitcoin:abc?amount=1"] {
        bad_input(&net, "bram", &["pay", bad]);
    }
    let with_req = format!("{uri}&req-tip=1");
    assert!(bad_input(&net, "bram", &["pay", &with_req]).contains("req-tip"));
    let short = request(&net, "till-1", &["3.00", "--ref", "B-0002", "--expires", "1s", "--no-qr"]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let expired = bad_input(&net, "bram", &["pay", short["uri"].as_str().expect("uri")]);
    assert!(expired.contains("expired"), "{expired}");
    assert_eq!(net.balance(&residents[1]), "20.00", "nothing was sent");

    // The till cannot spend; once unlinked, its requests are refused at once.
    let spend = net.wallet(Some("till-1"), &["send", &residents[2], "1.00"]);
    assert_ne!(spend.status.code(), Some(0), "a till must not send: {}", text(&spend));
    let pending = request(&net, "till-1", &["2.00", "--ref", "B-0003", "--no-qr"]);
    net.ok(Some("shop"), &["shop", "till", "unlink", &till]);
    let revoked = bad_input(&net, "cor", &["pay", pending["uri"].as_str().expect("uri")]);
    assert!(revoked.contains("not linked"), "{revoked}");

    // The bakery's own request; Bram pays; a receipt and a CSV statement for the shop.
    let bread = request(&net, "bakery", &["7.25", "--ref", "BRD-17", "--no-qr"]);
    net.ok(Some("bram"), &["pay", bread["uri"].as_str().expect("uri")]);
    let receipt: Value =
        serde_json::from_str(&net.ok(Some("shop"), &["--json", "shop", "receipt", "B-0001"])).expect("receipt JSON");
    assert_eq!(
        (receipt["amount"].as_str(), receipt["shop_name"].as_str()),
        (Some("4.50"), Some("Fietsenmaker Pancratius"))
    );
    assert!(receipt["height"].as_u64().is_some() && receipt["tx_id"].as_str().is_some());
    let text_receipt = net.ok(Some("shop"), &["shop", "receipt", "B-0001"]);
    assert!(text_receipt.contains("RECEIPT") && text_receipt.contains("Block height"), "{text_receipt}");
    let csv = tmp.path().join("statement.csv");
    net.ok(Some("shop"), &["shop", "payments", "--csv", csv.to_str().expect("p")]);
    let statement = std::fs::read_to_string(&csv).expect("csv");
    assert_eq!(statement.lines().count(), 2, "header and one payment: {statement}");
    assert!(statement.contains(",B-0001,4.50,"), "{statement}");
    // Issue 12: the statement (who paid the shop) is a signed read of the shop, its till (above)
    // or the treasurer; not the public's, nor another shop's.
    net.ok(Some("treasurer"), &["shop", "payments", "--merchant", &address_of(&net, "shop")]);
    let by_bakery = net.wallet(Some("bakery"), &["shop", "payments", "--merchant", &address_of(&net, "shop")]);
    assert_eq!(by_bakery.status.code(), Some(2), "{}", text(&by_bakery));
    assert!(text(&by_bakery).contains("may read its statement"), "{}", text(&by_bakery));
    let shop_id = address_of(&net, "shop").parse().expect("address");
    let (public, _) = crate::support::get(&format!("{}{}", net.base(), routes::merchant_payments(&shop_id)));
    assert_eq!(public, 401, "a statement is not public");

    // Address book: a contact is paid without a warning; an unknown resident gets one.
    net.ok(Some("anna"), &["contacts", "add", "cor", &residents[2]]);
    let to_contact = net.wallet(Some("anna"), &["send", "cor", "1.00"]);
    assert!(to_contact.status.success() && !text(&to_contact).contains("not in your address book"));
    // (bram and cor are local accounts of this shared test wallet, so a stranger is needed.)
    let stranger = "heitje1j29xha65c7mffdqwpc3gfcyr2nw0c70zqt72l9cg08nu92ys5uds87y78x";
    let to_stranger = net.wallet(Some("anna"), &["send", stranger, "1.00"]);
    assert!(text(&to_stranger).contains("not in your address book"), "{}", text(&to_stranger));

    // Redemption: the shop redeems; a retry after a crash (the key survives in the wallet's
    // pending file) returns the same redemption and burns nothing more.
    let first: Value =
        serde_json::from_str(&net.ok(Some("shop"), &["--json", "shop", "redeem", "4.50"])).expect("redeem JSON");
    assert_eq!(first["replayed"], false);
    let pending_file = net.dir.join("wallet").join("pending-redemptions.json");
    let key = "00112233445566778899aabbccddeeff";
    let seed = serde_json::json!({"version": 1, "pending": [{"merchant": bakery, "amount": "7.25", "key": key, "started_ms": 0}]});
    std::fs::write(&pending_file, seed.to_string()).expect("seed pending");
    let burned: Value =
        serde_json::from_str(&net.ok(Some("bakery"), &["--json", "shop", "redeem", "7.25"])).expect("redeem JSON");
    assert_eq!(burned["replayed"], false);
    // The crash: the node committed, but the wallet died before it forgot the key.
    std::fs::write(&pending_file, seed.to_string()).expect("seed pending again");
    let again: Value =
        serde_json::from_str(&net.ok(Some("bakery"), &["--json", "shop", "redeem", "7.25"])).expect("redeem JSON");
    assert_eq!((again["replayed"].as_bool(), &again["redemption"]), (Some(true), &burned["redemption"]));
    assert_eq!(net.balance(&bakery), "0.00", "burned once");
    let not_merchant = net.refused(Some("anna"), &["shop", "redeem", "1.00"]);
    assert!(not_merchant.contains("merchant"), "{not_merchant}");

    // Settlement: export the batch, record it, record it again (nothing twice).
    let out = tmp.path().join("batch-1");
    net.ok(
        Some("treasurer"),
        &["treasury", "settlement", "export", "--out", out.to_str().expect("p"), "--payout-ref", "HLN-2026-0001"]
            .into_iter()
            .chain(["--debtor-iban", "NL02ABNA0123456789", "--debtor-bic", "ABNANL2A"])
            .collect::<Vec<_>>(),
    );
    let xml = std::fs::read_to_string(out.join("pain001.xml")).expect("pain.001");
    assert!(xml.contains("<NbOfTxs>2</NbOfTxs>") && xml.contains("<CtrlSum>11.75</CtrlSum>"), "{xml}");
    assert!(xml.contains("Bakkerij Jansen") && xml.contains("BE68539007547034"), "{xml}");
    assert!(!xml.contains(&shop), "no ledger addresses in the bank file");
    let recorded =
        net.ok(Some("treasurer"), &["treasury", "settlement", "record", out.join("batch.json").to_str().expect("p")]);
    assert!(recorded.contains("SETTLED 2"), "{recorded}");
    let replay =
        net.ok(Some("treasurer"), &["treasury", "settlement", "record", out.join("batch.json").to_str().expect("p")]);
    assert!(replay.contains("NOTHING TO DO"), "{replay}");
    let single = net.refused(Some("treasurer"), &["treasury", "settle", "1", "--reference", "HLN-2026-0002"]);
    assert!(single.contains("already"), "{single}");
    let pending = net.client().redemptions(Some("pending")).expect("pending redemptions");
    assert_eq!(pending.len(), 0, "{pending:?}");

    // Reconciliation now and at an earlier height; the audit log holds the bank-detail reads.
    let now: Value = serde_json::from_str(&net.ok(None, &["--json", "reconcile"])).expect("reconcile JSON");
    assert_eq!((now["supply_holds"].as_bool(), now["redemptions_hold"].as_bool()), (Some(true), Some(true)));
    assert_eq!(
        (now["burned"].as_str(), now["settled"].as_str(), now["pending"].as_str()),
        (Some("11.75"), Some("11.75"), Some("0.00"))
    );
    let paid_at = receipt["height"].as_u64().expect("height").to_string();
    let earlier: Value =
        serde_json::from_str(&net.ok(None, &["--json", "reconcile", "--height", &paid_at])).expect("reconcile JSON");
    assert_eq!((earlier["minted"].as_str(), earlier["burned"].as_str()), (Some("10000.00"), Some("0.00")));
    assert_eq!(earlier["height"].as_u64().map(|h| h.to_string()), Some(paid_at));
    let mut reads = 0;
    for base in &net.bases {
        let (code, check) = crate::support::get(&format!("{base}{}", routes::AUDIT_VERIFY));
        assert_eq!((code, check["intact"].as_bool()), (200, Some(true)), "{check}");
        reads += check["entries"].as_u64().unwrap_or(0);
    }
    assert!(reads >= 2, "the export read two shops' bank details: {reads} audit entries");
}

/// Every redemption of the chain as (id, status, payout reference).
fn redemptions(net: &Net) -> Vec<(u64, String, Option<String>)> {
    let list = net.json(routes::REDEMPTIONS);
    list.as_array()
        .expect("redemption list")
        .iter()
        .map(|r| {
            (
                r["id"].as_u64().expect("id"),
                r["status"].as_str().expect("status").to_owned(),
                r["reference"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn reconcile(net: &Net) -> Value {
    let now: Value = serde_json::from_str(&net.ok(None, &["--json", "reconcile"])).expect("reconcile JSON");
    assert_eq!((now["supply_holds"].as_bool(), now["redemptions_hold"].as_bool()), (Some(true), Some(true)), "{now}");
    now
}

#[test]
fn a_crash_between_burn_and_settlement_and_during_settlement_loses_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut net = Net::start(tmp.path());
    net.ok(Some("council-1"), &["council", "propose", "mint", "1000"]);
    net.ok(Some("council-2"), &["council", "approve", "1"]);
    net.ok(Some("treasurer"), &["treasury", "fund", "grasbroek", "100"]);
    net.ok(
        Some("officer"),
        &["task", "post", "--budget", "grasbroek", "--title", "Sweep the Tuinwijk alleys", "--reward", "30.00"]
            .into_iter()
            .chain(["--slots", "1", "--deadline", "+14d", "--work-order", "BOR-2026-0003"])
            .chain(["--approvals", "1", "--reviewers", "1"])
            .collect::<Vec<_>>(),
    );
    net.ok(None, &["account", "new", "dana"]);
    let dana = address_of(&net, "dana");
    net.ok(Some("registrar"), &["registrar", "enroll", &dana]);
    net.ok(Some("dana"), &["task", "claim", "1"]);
    let photo = tmp.path().join("alley.jpg");
    std::fs::write(&photo, crate::evidence::jpeg_with_gps()).expect("photo");
    net.ok(Some("dana"), &["task", "submit", "1", "--evidence", photo.to_str().expect("path")]);
    crate::e2e::approve_and_wait_paid(&net, "1");
    let shop = address_of(&net, "shop");
    net.ok(Some("dana"), &["send", &shop, "30.00"]);
    net.ok(
        Some("registrar"),
        &["registrar", "merchant", "set", &shop, "--name", "Fietsenmaker Pancratius", "--iban", "NL91ABNA0417164300"],
    );
    for _ in 0..3 {
        net.ok(Some("shop"), &["shop", "redeem", "10.00"]);
    }

    // Crash 1: every validator is killed after the burns, before any settlement.
    net.kill_nodes();
    net.start_nodes();
    let after_burn = redemptions(&net);
    assert_eq!(after_burn.len(), 3, "{after_burn:?}");
    assert!(after_burn.iter().all(|(_, status, _)| status == "pending"), "{after_burn:?}");
    assert_eq!(net.balance(&shop), "0.00", "burned once, before and after the crash");
    let before = reconcile(&net);
    assert_eq!((before["burned"].as_str(), before["pending"].as_str()), (Some("30.00"), Some("30.00")));

    let out = tmp.path().join("batch");
    net.ok(
        Some("treasurer"),
        &["treasury", "settlement", "export", "--out", out.to_str().expect("p"), "--payout-ref", "HLN-2026-0100"]
            .into_iter()
            .chain(["--debtor-iban", "NL02ABNA0123456789"])
            .collect::<Vec<_>>(),
    );
    let manifest = out.join("batch.json");
    let manifest = manifest.to_str().expect("p");

    // Crash 2: the settlement is sent while two validators are down (no quorum: it cannot be
    // final), then the other two die as well. The wallet reports "not final" (exit 3).
    net.kill_node(2);
    net.kill_node(3);
    let stuck = net
        .command(0, Some("treasurer"), &["treasury", "settlement", "record", manifest])
        .env("HEITJE_WAIT_SECS", "3")
        .output()
        .expect("run heitje");
    assert_eq!(stuck.status.code(), Some(3), "not final without a quorum: {}", text(&stuck));
    assert!(text(&stuck).contains("run the same `settlement record` again"), "{}", text(&stuck));
    net.kill_nodes();
    net.start_nodes();
    let between = redemptions(&net);
    let settled_early = between.iter().filter(|(_, status, _)| status == "settled").count();
    assert!(
        between.iter().all(|(_, s, r)| s == "pending" || r.as_deref() == Some("HLN-2026-0100")),
        "after the crash each redemption is either pending or settled under the batch: {between:?}"
    );

    // The retry records what is left, exactly once; a third run has nothing to do. The wallet
    // first finishes the transaction the stuck run signed (issue 18: sent again byte for byte if
    // the restarted nodes lost it), so the retry may find every redemption already recorded.
    let retried = net.ok(Some("treasurer"), &["--json", "treasury", "settlement", "record", manifest]);
    let retried: Value = serde_json::from_str(&retried).expect("record JSON");
    let (now, already) = (retried["settled_now"].as_u64(), retried["already"].as_u64());
    assert_eq!(now.zip(already).map(|(n, a)| n + a), Some(3), "{retried}");
    assert!(already.is_some_and(|a| a >= settled_early as u64), "{retried}");
    let replay = net.ok(Some("treasurer"), &["treasury", "settlement", "record", manifest]);
    assert!(replay.contains("NOTHING TO DO"), "{replay}");

    // Crash 3: right after the settlement is final; it is durable, and nothing pays twice.
    net.kill_nodes();
    net.start_nodes();
    let settled = redemptions(&net);
    assert_eq!(
        settled.iter().map(|(id, s, r)| (*id, s.as_str(), r.as_deref())).collect::<Vec<_>>(),
        vec![
            (1, "settled", Some("HLN-2026-0100")),
            (2, "settled", Some("HLN-2026-0100")),
            (3, "settled", Some("HLN-2026-0100"))
        ]
    );
    let after = reconcile(&net);
    assert_eq!(
        (after["burned"].as_str(), after["settled"].as_str(), after["pending"].as_str()),
        (Some("30.00"), Some("30.00"), Some("0.00"))
    );
    assert!(net.ok(Some("treasurer"), &["treasury", "settlement", "record", manifest]).contains("NOTHING TO DO"));
    // A fresh export after the crash finds nothing left to pay.
    let empty = tmp.path().join("batch-2");
    let again = net.wallet(
        Some("treasurer"),
        &["treasury", "settlement", "export", "--out", empty.to_str().expect("p"), "--payout-ref", "HLN-2026-0101"]
            .into_iter()
            .chain(["--debtor-iban", "NL02ABNA0123456789"])
            .collect::<Vec<_>>(),
    );
    assert!(text(&again).contains("no open redemption"), "{}", text(&again));
    assert!(!empty.join("pain001.xml").exists(), "no bank file for an empty batch");
}
