//! Seeds: real, valid inputs for every target, built from the repository's test vectors and
//! fixtures and from values signed with fixed keys.

use std::fs;
use std::path::Path;

use api::registry::{BankDetails, MerchantRecord};
use api::staff::Unsigned;
use api::{EarningLine, SignedStatement, StatementBody, SubmitTx};
use consensus::codec::{MessageKind, samples};
use contracts::codec::{Decode, put_bytes, put_len};
use contracts::crypto::{self, Domain};
use contracts::primitives::{ClaimId, PaymentRef, TaskId};
use contracts::{AccountId, Amount, Block, ChainId, CommitCert, Hash, Height, Timestamp};
use ed25519_dalek::SigningKey;
use evidence::{Bundle, Location};
use genesis::{Genesis, GenesisAccount, GenesisBudget, GenesisValidator, Template};
use gossip::wire::{EraseNotice, KIND_ERASURE, KIND_EVIDENCE, KIND_REGISTRY, KIND_TXS};
use serde_json::Value;
use wallet::formats::payreq::{PaymentRequest, SignedRequest};
use wallet::store::keystore::{KdfParams, Keystore, Secret};

use crate::fixtures;

/// One seed input of one target.
pub(crate) struct Seed {
    pub(crate) target: &'static str,
    pub(crate) name: String,
    pub(crate) data: Vec<u8>,
}

fn seed(target: &'static str, name: impl Into<String>, data: impl Into<Vec<u8>>) -> Seed {
    Seed { target, name: name.into(), data: data.into() }
}

/// A gossip message as `node/src/network/outbox.rs` writes it: kind, nonce (all but
/// transaction batches), count, then each item with its length.
fn gossip_message(kind: u8, nonce: Option<[u8; 8]>, items: &[Vec<u8>]) -> Vec<u8> {
    let mut message = vec![kind];
    if let Some(nonce) = nonce {
        message.extend_from_slice(&nonce);
    }
    put_len(&mut message, items.len());
    for item in items {
        put_bytes(&mut message, item);
    }
    message
}

/// `data` behind a selector byte.
fn selected(choice: u8, data: &[u8]) -> Vec<u8> {
    [&[choice][..], data].concat()
}

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn account(n: u8) -> AccountId {
    crypto::account_of(&key(n))
}

/// The `Authorization` header of `method path` signed by key 6 for node 5 at `time`.
fn signed(path: &str, method: &str, time: Timestamp) -> String {
    let chain = chain();
    let request = Unsigned { chain: &chain, node: account(5), method, path_and_query: path };
    request.sign(&key(6), time, [9; 16]).header()
}

fn chain() -> ChainId {
    ChainId::new(fuzzing::CHAIN).expect("the fuzz chain id is valid")
}

fn vectors() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/tests/vectors");
    let mut out: Vec<(String, Value)> = fs::read_dir(&dir)
        .expect("the contracts vectors")
        .map(|entry| {
            let path = entry.expect("a vector file").path();
            let name = path.file_stem().expect("a file name").to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).expect("a readable vector");
            (name, serde_json::from_str(&text).expect("a JSON vector"))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn hex_field(vector: &Value, field: &str) -> Vec<u8> {
    hex::decode(vector[field].as_str().expect("a hex field")).expect("hex")
}

fn ledger(out: &mut Vec<Seed>) -> (Block, CommitCert) {
    let vectors = vectors();
    let mut batch = Vec::new();
    for (name, vector) in &vectors {
        if name.starts_with("tx_") {
            let bytes = hex_field(vector, "signed_tx_hex");
            let submit = serde_json::to_vec(&SubmitTx { tx: hex::encode(&bytes) }).expect("JSON");
            batch.push(bytes.clone());
            out.push(seed("transaction", name.as_str(), bytes));
            if name == "tx_transfer" {
                out.push(seed("api_json", "submit_tx", selected(0, &submit)));
            }
        }
    }
    out.push(seed("gossip", "transactions", gossip_message(KIND_TXS, None, &batch)));
    let (_, block_vector) = vectors.iter().find(|(n, _)| n == "block").expect("the block vector");
    let block_bytes = hex_field(block_vector, "block_hex");
    let cert_bytes = hex_field(block_vector, "commit_cert_hex");
    let block = Block::from_bytes(&block_bytes).expect("the block vector decodes");
    let cert = CommitCert::from_bytes(&cert_bytes).expect("the certificate vector decodes");
    out.push(seed("block", "vector", block_bytes));
    out.push(seed("certificate", "vector", cert_bytes));
    (block, cert)
}

fn engine(out: &mut Vec<Seed>, block: &Block, cert: &CommitCert) {
    for (index, (kind, bytes)) in samples(block, cert).into_iter().enumerate() {
        let choice = MessageKind::ALL.iter().position(|k| *k == kind).expect("a known kind") as u8;
        let name = format!("{kind:?}-{index}").to_lowercase();
        match kind {
            MessageKind::StreamMessage => out.push(seed("proposal_part", name.clone(), selected(0, &bytes))),
            MessageKind::ProposalPart => out.push(seed("proposal_part", name.clone(), selected(1, &bytes))),
            _ => {}
        }
        out.push(seed("consensus", name, selected(choice, &bytes)));
    }
}

fn photos(out: &mut Vec<Seed>) -> (Vec<u8>, Vec<u8>) {
    let parts = fixtures::jpeg_parts(300);
    let (png_file, _) = fixtures::png_file(0);
    out.push(seed("jpeg", "fixture_with_exif_gps_xmp_comment", parts.file()));
    out.push(seed("jpeg", "fixture_clean", parts.clean()));
    let app14 = fixtures::segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01");
    let icc = fixtures::segment(0xE2, b"ICC_PROFILE\0\x01\x01profile");
    let iptc = fixtures::segment(0xED, b"Photoshop 3.0\08BIM");
    let trailing = fixtures::cat(&[&parts.soi, &parts.exif, &parts.eoi]);
    let rich = fixtures::cat(&[
        &parts.soi,
        &parts.app0,
        &app14,
        &icc,
        &iptc,
        &parts.dqt,
        &parts.sof0,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.dht,
        &parts.sos,
        &parts.scan,
        &parts.eoi,
        &trailing,
    ]);
    out.push(seed("jpeg", "fixture_progressive_app14_icc_iptc_trailing", rich));
    out.push(seed("png", "fixture_with_text_exif_time", png_file.clone()));
    out.push(seed("png", "encoded_with_text", encoded_png()));
    (parts.file(), png_file)
}

/// A real PNG from the `png` encoder: 4x4 RGB with a text chunk.
fn encoded_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 4, 4);
    encoder.set_color(png::ColorType::Rgb);
    encoder.add_text_chunk("Comment".into(), "Bench at Pancratiusplein".into()).expect("a text chunk");
    let mut writer = encoder.write_header().expect("a PNG header");
    writer.write_image_data(&[0x80; 48]).expect("PNG pixels");
    writer.finish().expect("a finished PNG");
    bytes
}

fn evidence(out: &mut Vec<Seed>, jpeg: &[u8], png: &[u8]) {
    let location = Location::rounded(50_888_000, 5_981_000).expect("a location in Heerlen");
    let full = Bundle::new(&[jpeg, png], Some("Bench painted\ngreen".into()), Some(location)).expect("a bundle");
    let note = Bundle::new(&[], Some("Hedge trimmed".into()), None).expect("a note-only bundle");
    for (name, bundle) in [("photos_note_location", &full), ("note_only", &note)] {
        out.push(seed("evidence_bundle", format!("canonical_{name}"), selected(0, &bundle.to_canonical_bytes())));
        let json = serde_json::to_vec(bundle).expect("bundle JSON");
        out.push(seed("evidence_bundle", format!("json_{name}"), selected(1, &json)));
        let (sealed, record_key) = evidence::seal(
            bundle,
            account(1),
            ClaimId(3),
            Timestamp(1_900_000_000_000),
            Timestamp(1_800_000_000_000),
            &mut rand_core::OsRng,
        )
        .expect("a sealed record");
        let record = sealed.to_bytes();
        let mut data = u32::try_from(record.len()).expect("a small record").to_be_bytes().to_vec();
        data.extend_from_slice(&record);
        data.extend_from_slice(&record_key.to_bytes());
        out.push(seed("evidence_record", name, data));
        let mut message = vec![KIND_EVIDENCE];
        message.extend_from_slice(&[0; 8]);
        let upload_path =
            api::evidence::upload_path(ClaimId(3), Timestamp(1_900_000_000_000), &bundle.to_canonical_bytes());
        let upload = signed(&upload_path, "POST", Timestamp(1_800_000_000_000));
        gossip::wire::encode_evidence(&mut message, &record, &record_key.to_bytes(), &upload);
        out.push(seed("gossip", format!("evidence_{name}"), message));
        let path = EraseNotice::path(&sealed.header.commitment);
        let authorization = signed(&path, "DELETE", Timestamp(1_850_000_000_000));
        let notice = EraseNotice { commitment: sealed.header.commitment, claim: ClaimId(3), authorization };
        let json = serde_json::to_vec(&notice).expect("notice JSON");
        out.push(seed("gossip", format!("erasure_{name}"), gossip_message(KIND_ERASURE, Some([0; 8]), &[json])));
    }
}

fn payment_requests(out: &mut Vec<Seed>) {
    let plain = PaymentRequest {
        merchant: account(4),
        amount: "4.50".parse().expect("an amount"),
        reference: PaymentRef::new("B-2026-0042").expect("a reference"),
        expires_at: Timestamp(1_795_000_000_000),
        label: None,
        till: None,
        chain: chain(),
    };
    let signed = SignedRequest::sign(plain.clone(), &key(4)).expect("signed by the shop");
    out.push(seed("payreq", "shop", signed.to_uri()));
    let till = PaymentRequest { label: Some("Koffie & vlaai, tafel 3".into()), till: Some(account(5)), ..plain };
    let signed = SignedRequest::sign(till, &key(5)).expect("signed by the till");
    out.push(seed("payreq", "till_with_label", signed.to_uri()));
}

fn keystores(out: &mut Vec<Seed>) {
    let home = tempfile::tempdir().expect("a temp dir");
    let params = KdfParams { memory_kib: 8, iterations: 1, parallelism: 1 };
    for words in [12, 24] {
        let store = Keystore::new(&home.path().join(words.to_string()));
        let secret = Secret::generate(words).expect("a secret");
        let entry = store.create_with(fuzzing::KEYSTORE_NAME, &secret, b"fuzz password", params).expect("a key file");
        out.push(seed("keystore", format!("{words}_words"), fs::read(&entry.path).expect("the key file")));
    }
}

fn genesis_files(out: &mut Vec<Seed>) {
    let template = Template::heerlen().expect("the embedded template");
    out.push(seed("genesis", "heerlen_template", genesis::HEERLEN_TEMPLATE));
    let mut n = 10u8;
    let mut next = || {
        n += 1;
        account(n)
    };
    let genesis = Genesis {
        network: template.network.clone(),
        chain_id: chain(),
        genesis_time: Timestamp(1_800_000_000_000),
        params: template.params.clone(),
        treasury: Amount::coins(1000),
        budgets: template
            .budgets
            .iter()
            .map(|code| GenesisBudget { code: code.clone(), balance: Amount::coins(10) })
            .collect(),
        accounts: template
            .roles
            .iter()
            .map(|slot| GenesisAccount {
                address: next(),
                roles: slot.roles.clone(),
                enrolled: true,
                balance: Amount::coins(1),
            })
            .collect(),
        validators: template
            .validators
            .iter()
            .map(|slot| GenesisValidator { name: slot.slot.clone(), key: next(), power: slot.power })
            .collect(),
    };
    genesis.validate().expect("a valid genesis");
    out.push(seed("genesis", "heerlen_filled", genesis.to_json()));
}

fn edge(out: &mut Vec<Seed>) {
    let header = signed("/v1/registry/merchants/x/bank", "GET", Timestamp(1_800_000_000_000));
    out.push(seed("signed_read", "bank_details", header));
    let bank = BankDetails { iban: "NL91ABNA0417164300".into(), bic: Some("ABNANL2A".into()), salt: Hash([7; 32]) };
    let record = MerchantRecord::sign(
        &key(7),
        &chain(),
        account(4),
        "Fietsenmaker Pancratius",
        bank,
        Timestamp(1_800_000_000_000),
    )
    .expect("a registry record");
    out.push(seed("api_json", "registry_record", selected(1, &serde_json::to_vec(&record).expect("JSON"))));
    let revoked = MerchantRecord::revoke(&key(7), &chain(), account(4), Timestamp(1_800_000_000_001));
    let records = [&record, &revoked].map(|r| serde_json::to_vec(r).expect("JSON")).to_vec();
    out.push(seed("gossip", "registry", gossip_message(KIND_REGISTRY, Some([1; 8]), &records)));
    out.push(seed("api_json", "registry_revocation", selected(1, &serde_json::to_vec(&revoked).expect("JSON"))));
    let statement = StatementBody {
        kind: "heitje-rewards-statement".into(),
        version: 1,
        chain_id: chain(),
        account: account(8),
        year: 2026,
        total: Amount::coins(15),
        rewards: vec![EarningLine {
            claim: ClaimId(1),
            task: TaskId(1),
            amount: Amount::coins(15),
            paid_at: Timestamp(1_790_000_000_000),
        }],
        height: Height(42),
        state_root: Hash([9; 32]),
    };
    let signature = crypto::sign(&key(8), Domain::Statement, &chain(), &statement.signing_bytes());
    let signed = SignedStatement { statement, signature };
    out.push(seed("api_json", "signed_statement", selected(2, &serde_json::to_vec(&signed).expect("JSON"))));
    let queries: [(u8, &str, String); 8] = [
        (3, "head", "min_height=5".into()),
        (4, "history", "limit=50&before_height=100".into()),
        (5, "wait", "wait_ms=1000".into()),
        (6, "payment", "wait_ms=0".into()),
        (7, "statement", "from_ms=1790000000000&to_ms=1800000000000".into()),
        (8, "upload", format!("claim=1&retain_until=1900000000000&content={}", Hash([3; 32]))),
        (9, "list", format!("owner={}", account(8))),
        (9, "list_empty", "owner=".into()),
    ];
    for (choice, name, query) in queries {
        out.push(seed("api_json", format!("query_{name}"), selected(choice, query.as_bytes())));
    }
}

/// Every seed, in a fixed order.
pub(crate) fn all() -> Vec<Seed> {
    let mut out = Vec::new();
    let (block, cert) = ledger(&mut out);
    engine(&mut out, &block, &cert);
    let (jpeg, png) = photos(&mut out);
    evidence(&mut out, &jpeg, &png);
    payment_requests(&mut out);
    keystores(&mut out);
    genesis_files(&mut out);
    edge(&mut out);
    out
}
