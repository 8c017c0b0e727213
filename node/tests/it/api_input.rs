//! Bad input to the HTTP API gets a clear 4xx with a reason and changes nothing.

use api::routes;
use contracts::codec::Encode;
use contracts::tx::{Action, Transfer, Tx};
use contracts::{AccountId, Amount, ChainId, Hash, Nonce};
use ed25519_dalek::SigningKey;

use crate::support::{client, get, key_from_phrase, post, start_devnet_node};

fn submit(base: &str, tx: &contracts::SignedTx) -> (u16, serde_json::Value) {
    let body = serde_json::json!({ "tx": hex::encode(tx.to_bytes()) }).to_string();
    post(&format!("{base}{}", routes::TX), body.as_bytes())
}

#[test]
fn bad_input_gets_a_4xx_with_a_reason_and_no_state_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, base) = start_devnet_node(dir.path());

    let node = client(&base);
    let status = node.status().expect("status");
    let chain = ChainId::new(&status.chain_id).expect("valid chain id");
    let root_before = status.state_root;
    let council = key_from_phrase(&dir.path().join("keys/council-1.phrase"));
    let council_id = contracts::crypto::account_of(&council);
    let shop = key_from_phrase(&dir.path().join("keys/shop.phrase"));
    let shop_id = contracts::crypto::account_of(&shop);
    let pay = |from: &SigningKey, chain: &ChainId, nonce: u64| {
        Tx {
            chain_id: chain.clone(),
            signer: contracts::crypto::account_of(from),
            nonce: Nonce(nonce),
            action: Action::Transfer(Transfer { recipient: shop_id, amount: Amount::coins(1) }),
        }
        .sign(from)
    };

    let tx_url = format!("{base}{}", routes::TX);
    let cases: Vec<(&str, (u16, serde_json::Value), u16, &str)> = vec![
        ("malformed json", post(&tx_url, b"{not json"), 400, "malformed_json"),
        ("not hex", post(&tx_url, br#"{"tx": "zz"}"#), 400, "bad_hex"),
        ("not a transaction", post(&tx_url, br#"{"tx": "00ff"}"#), 400, "malformed_tx"),
        ("oversized body", post(&tx_url, &vec![b' '; api::MAX_TX_BODY + 1]), 413, "body_too_large"),
        (
            "wrong chain",
            submit(&base, &pay(&council, &ChainId::new("other-chain").expect("id"), 0)),
            400,
            "wrong_chain",
        ),
        ("unknown account", submit(&base, &pay(&SigningKey::from_bytes(&[42; 32]), &chain, 0)), 404, "unknown_account"),
        ("nonce from the future", submit(&base, &pay(&council, &chain, 5)), 409, "bad_nonce"),
        // The council member holds no coins: the ledger would reject it, so it is not admitted.
        ("insufficient balance", submit(&base, &pay(&council, &chain, 0)), 422, "insufficient_balance"),
    ];
    for (name, (code, body), want_code, want_error) in cases {
        assert_eq!(code, want_code, "{name}: status; body {body}");
        assert_eq!(body["error"], want_error, "{name}: error code; body {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{name}: a message explains it");
    }

    // A forged signature: flip a byte of a valid one.
    let mut forged = pay(&council, &chain, 0);
    forged.signature.0[5] ^= 1;
    let (code, body) = submit(&base, &forged);
    assert_eq!((code, body["error"].as_str()), (401, Some("bad_signature")), "{body}");

    // Reads with bad parameters.
    // Malformed path parameters on purpose: the template filled by hand, since the typed
    // builders only take well-formed ids.
    let (code, body) = get(&format!("{base}{}", routes::ACCOUNT.replace("{address}", "heitje1notanaddress")));
    assert_eq!((code, body["error"].as_str()), (400, Some("bad_address")));
    let mut typo = council_id.to_address();
    let replacement = if &typo[20..21] == "q" { "p" } else { "q" };
    typo.replace_range(20..21, replacement);
    let (code, body) = get(&format!("{base}{}", routes::ACCOUNT.replace("{address}", &typo)));
    assert_eq!(code, 400);
    assert!(body["message"].as_str().unwrap_or_default().contains("checksum"), "{body}");
    let (code, body) = get(&format!("{base}{}", routes::account(&AccountId([7; 32]))));
    assert_eq!((code, body["error"].as_str()), (404, Some("unknown_account")));
    let (code, _) =
        get(&format!("{base}{}", routes::with_query(&routes::tx_status(&Hash([0; 32])), &[("wait_ms", "abc")])));
    assert_eq!(code, 400);
    let (code, _) = get(&format!("{base}{}", routes::TASK.replace("{id}", "not-a-number")));
    assert_eq!(code, 400);

    // Nothing changed: same state root (empty heartbeat blocks do not touch state).
    let after = node.status().expect("status");
    assert_eq!(after.state_root, root_before, "bad input must not change state");
    assert_eq!(after.mempool, 0);
    let _ = child.kill();
    let _ = child.wait();
}
