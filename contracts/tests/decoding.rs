//! Decoders of outside bytes never panic, and whatever they accept is canonical: it re-encodes
//! to exactly the bytes it came from (R-COD-1..5). Inputs are every byte string of the golden
//! vectors, truncated, mutated, shortened and lengthened, plus random bytes from proptest.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use contracts::Block;
use contracts::block::{BlockHeader, CommitCert, CommitSignature};
use contracts::codec::{Decode, Encode};
use contracts::crypto::Signature;
use contracts::primitives::{
    AccountId, Amount, BudgetCode, ChainId, ClaimId, Hash, IdempotencyKey, PaymentRef, PayoutRef, ProposalId,
    RedemptionId, Role, RoleSet, TaskId,
};
use contracts::receipt::{Event, Outcome, Receipt};
use contracts::state::{
    Account, Budget, Claim, ClaimStatus, Globals, Key, MerchantRecord, Params, PaymentRecord, Proposal, ProposalStatus,
    Redemption, RedemptionStatus, Task, TaskStatus, TillLink, Value,
};
use contracts::tx::{Action, CouncilAction, Pay, RejectReason, SettleBatch, SignedTx, Tx};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::Value as Json;

type Decoder = fn(&[u8]) -> Option<Vec<u8>>;

/// Decodes a whole value and re-encodes it.
fn round<T: Decode + Encode>(bytes: &[u8]) -> Option<Vec<u8>> {
    T::from_bytes(bytes).ok().map(|value| value.to_bytes())
}

fn value_for(key: Key) -> impl Fn(&[u8]) -> Option<Vec<u8>> {
    move |bytes| Value::decode_for(&key, bytes).ok().map(|v| v.to_bytes())
}

/// Every decoder reachable from outside bytes: the network and API (transactions, blocks,
/// certificates), storage (state keys and values, receipts) and their parts.
const DECODERS: &[(&str, Decoder)] = &[
    ("SignedTx", round::<SignedTx>),
    ("SignedTx::decode_checked", |b| SignedTx::decode_checked(b).ok().map(|v| v.to_bytes())),
    ("Tx", round::<Tx>),
    ("Action", round::<Action>),
    ("CouncilAction", round::<CouncilAction>),
    ("Block", round::<Block>),
    ("BlockHeader", round::<BlockHeader>),
    ("CommitCert", round::<CommitCert>),
    ("CommitSignature", round::<CommitSignature>),
    ("Receipt", round::<Receipt>),
    ("Outcome", round::<Outcome>),
    ("Event", round::<Event>),
    ("Key", round::<Key>),
    ("Globals", round::<Globals>),
    ("Params", round::<Params>),
    ("Account", round::<Account>),
    ("Budget", round::<Budget>),
    ("Task", round::<Task>),
    ("Claim", round::<Claim>),
    ("Redemption", round::<Redemption>),
    ("Proposal", round::<Proposal>),
    ("PaymentRecord", round::<PaymentRecord>),
    ("TillLink", round::<TillLink>),
    ("MerchantRecord", round::<MerchantRecord>),
    ("Pay", round::<Pay>),
    ("SettleBatch", round::<SettleBatch>),
    ("Value::Globals", |b| value_for(Key::Globals)(b)),
    ("Value::Account", |b| value_for(Key::Account(AccountId([0; 32])))(b)),
    ("Value::Budget", |b| value_for(Key::Budget(BudgetCode::new("x").expect("valid")))(b)),
    ("Value::Task", |b| value_for(Key::Task(TaskId(0)))(b)),
    ("Value::Claim", |b| value_for(Key::Claim(ClaimId(0)))(b)),
    ("Value::Redemption", |b| value_for(Key::Redemption(RedemptionId(0)))(b)),
    ("Value::Proposal", |b| value_for(Key::Proposal(ProposalId(0)))(b)),
    ("Value::Payment", |b| value_for(Key::Payment(AccountId([0; 32]), PaymentRef::new("x").expect("valid")))(b)),
    ("Value::Till", |b| value_for(Key::Till(AccountId([0; 32])))(b)),
    ("Value::Merchant", |b| value_for(Key::Merchant(AccountId([0; 32])))(b)),
    ("Value::RedeemKey", |b| value_for(Key::RedeemKey(AccountId([0; 32]), IdempotencyKey([0; 16])))(b)),
    ("Signature", round::<Signature>),
    ("AccountId", round::<AccountId>),
    ("Hash", round::<Hash>),
    ("Amount", round::<Amount>),
    ("ChainId", round::<ChainId>),
    ("BudgetCode", round::<BudgetCode>),
    ("PayoutRef", round::<PayoutRef>),
    ("PaymentRef", round::<PaymentRef>),
    ("IdempotencyKey", round::<IdempotencyKey>),
    ("Role", round::<Role>),
    ("RoleSet", round::<RoleSet>),
    ("RejectReason", round::<RejectReason>),
    ("TaskStatus", round::<TaskStatus>),
    ("ClaimStatus", round::<ClaimStatus>),
    ("ProposalStatus", round::<ProposalStatus>),
    ("RedemptionStatus", round::<RedemptionStatus>),
    ("Option<Hash>", round::<Option<Hash>>),
];

/// Feeds `input` to every decoder: no panic, and any value accepted re-encodes to `input`.
fn check_all(input: &[u8]) -> Result<(), String> {
    for (name, decode) in DECODERS {
        match catch_unwind(AssertUnwindSafe(|| decode(input))) {
            Err(_) => return Err(format!("{name} panicked on {}", hex::encode(input))),
            Ok(Some(again)) if again != input => {
                return Err(format!(
                    "{name} accepted non-canonical bytes {} (re-encodes to {})",
                    hex::encode(input),
                    hex::encode(again)
                ));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Every `*_hex` string of every golden vector, with the file and field it came from.
fn vector_inputs() -> Vec<(String, Vec<u8>)> {
    INPUTS.clone()
}

static INPUTS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(read_vector_inputs);

fn read_vector_inputs() -> Vec<(String, Vec<u8>)> {
    fn walk(path: &str, v: &Json, out: &mut Vec<(String, Vec<u8>)>) {
        match v {
            Json::Object(map) => {
                for (k, v) in map {
                    let p = format!("{path}.{k}");
                    if let Some(s) = v.as_str().filter(|_| k.ends_with("_hex")) {
                        out.push((p, hex::decode(s).expect("vector hex")));
                        continue;
                    }
                    walk(&p, v, out);
                }
            }
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    match item.as_str() {
                        Some(s) if path.ends_with("_hex") => out.push((p, hex::decode(s).expect("vector hex"))),
                        _ => walk(&p, item, out),
                    }
                }
            }
            _ => {}
        }
    }
    let dir = manifest_dir().join("tests").join("vectors");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("tests/vectors exists").map(|e| e.expect("entry").path()).collect();
    files.sort();
    let mut out = Vec::new();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let json: Json = serde_json::from_str(&std::fs::read_to_string(file).expect("readable")).expect("JSON");
        let name = file.file_stem().expect("stem").to_string_lossy().into_owned();
        walk(&name, &json, &mut out);
    }
    out
}

/// Every byte string one edit away from `bytes` (plus every truncation).
fn mutations(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for end in 0..bytes.len() {
        out.push(bytes[..end].to_vec());
    }
    for i in 0..bytes.len() {
        let b = bytes[i];
        for replacement in [b ^ 0x01, b ^ 0x80, 0x00, 0xff, b.wrapping_add(1), b.wrapping_sub(1)] {
            if replacement != b {
                let mut m = bytes.to_vec();
                m[i] = replacement;
                out.push(m);
            }
        }
        let mut deleted = bytes.to_vec();
        deleted.remove(i);
        out.push(deleted);
        for inserted in [0x00, 0xff] {
            let mut m = bytes.to_vec();
            m.insert(i, inserted);
            out.push(m);
        }
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    out.push(longer);
    out
}

#[test]
fn r_cod_every_vector_decodes_with_its_own_decoder_and_round_trips() {
    let inputs = vector_inputs();
    assert!(inputs.len() >= 40, "the golden vectors are present: found {} inputs", inputs.len());
    let mut checked = std::collections::BTreeSet::new();
    for (origin, bytes) in &inputs {
        let decoder: Decoder = match origin.rsplit('.').next().expect("field") {
            f if f.starts_with("signed_tx_hex") => round::<SignedTx>,
            f if f.starts_with("body_hex") => round::<Tx>,
            f if f.starts_with("block_hex") => round::<Block>,
            f if f.starts_with("header_hex") || f.starts_with("parent_header_hex") => round::<BlockHeader>,
            f if f.starts_with("commit_cert_hex") => round::<CommitCert>,
            f if f.starts_with("receipts_hex") => round::<Receipt>,
            f if f.starts_with("key_hex") => round::<Key>,
            _ => continue,
        };
        assert_eq!(decoder(bytes).as_deref(), Some(bytes.as_slice()), "{origin} decodes and round-trips");
        checked.insert(origin.rsplit('.').next().expect("field").split('[').next().expect("name").to_owned());
    }
    assert_eq!(checked.len(), 8, "every kind of vector bytes was decoded: {checked:?}");
}

#[test]
fn r_cod_mutated_vectors_never_panic_and_accepted_bytes_are_canonical() {
    let mut checked = 0usize;
    for (origin, bytes) in vector_inputs() {
        for input in mutations(&bytes) {
            if let Err(problem) = check_all(&input) {
                panic!("mutation of {origin}: {problem}");
            }
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} mutations were checked");
}

/// R-SIG-1: a signed transaction one byte away from a vector never verifies. Signatures are
/// not malleable and every body byte is signed.
#[test]
fn r_sig_1_no_single_byte_change_of_a_signed_tx_still_verifies() {
    for (origin, bytes) in vector_inputs().into_iter().filter(|(o, _)| o.ends_with("signed_tx_hex")) {
        for input in mutations(&bytes) {
            if let Ok(tx) = SignedTx::from_bytes(&input) {
                assert!(tx.verify_signature().is_err(), "{origin}: mutated {} still verifies", hex::encode(&input));
            }
        }
    }
}

#[test]
fn r_tx_4_oversized_transactions_are_refused_before_decoding() {
    let mut big = vec![0u8; contracts::tx::MAX_TX_BYTES + 1];
    big[3] = 1;
    assert!(matches!(
        SignedTx::decode_checked(&big),
        Err(contracts::codec::DecodeError::TooLong { what: "transaction", .. })
    ));
}

#[test]
fn r_cod_4_huge_length_prefixes_are_refused() {
    for prefix in [[0xff, 0xff, 0xff, 0xff], [0x00, 0x01, 0x00, 0x00], [0x7f, 0xff, 0xff, 0xff]] {
        // A chain id, a budget code, a block's tx list: each claims an absurd length.
        assert!(ChainId::from_bytes(&prefix).is_err());
        assert!(BudgetCode::from_bytes(&prefix).is_err());
        let mut block = vector_inputs()
            .into_iter()
            .find(|(o, _)| o.ends_with("header_hex") && o.starts_with("block"))
            .map(|(_, b)| b)
            .expect("block header vector");
        block.extend_from_slice(&prefix);
        assert!(Block::from_bytes(&block).is_err());
    }
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(Box::leak(
            format!("{}/proptest-regressions/decoding.txt", manifest_dir().display()).into_boxed_str(),
        )))),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random bytes into every decoder.
    #[test]
    fn r_cod_random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Err(problem) = check_all(&input) {
            prop_assert!(false, "{}", problem);
        }
    }

    /// A vector with a random run of bytes spliced in: close to valid, so decoders get deep.
    #[test]
    fn r_cod_spliced_vectors_never_panic(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        cut in 0..16usize,
        insert in proptest::collection::vec(any::<u8>(), 0..24),
    ) {
        let inputs = vector_inputs();
        let bytes = &inputs[pick.index(inputs.len())].1;
        let start = at.index(bytes.len() + 1);
        let end = (start + cut).min(bytes.len());
        let mut input = bytes[..start].to_vec();
        input.extend_from_slice(&insert);
        input.extend_from_slice(&bytes[end..]);
        if let Err(problem) = check_all(&input) {
            prop_assert!(false, "{}", problem);
        }
    }
}

/// This crate's directory. `cargo test` sets `CARGO_MANIFEST_DIR` when it runs the test, which
/// stays right when a shared target directory holds a binary built from another checkout.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}
