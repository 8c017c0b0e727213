//! Shared helpers: a dev network in a temp dir, HTTP calls (raw, and the typed `api` client),
//! free ports.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use api::client::Client;
use serde_json::Value;

/// Test nodes take ports from `20000..31800`, below Linux's default range for outgoing
/// connections (32768-60999): a port the kernel hands out as an ephemeral port (binding port 0)
/// can be taken by some client's connection while its node is stopped, and the restart fails
/// with "address in use".
const PORTS: std::ops::Range<u32> = 20_000..31_800;

/// A candidate port, spread by process id so parallel test binaries rarely try the same ones.
fn candidate_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let spread = std::process::id().wrapping_mul(7_919).wrapping_add(n.wrapping_mul(211));
    u16::try_from(PORTS.start + spread % (PORTS.end - PORTS.start)).expect("ports fit in u16")
}

/// A free loopback port (bound then released), outside the ephemeral range.
pub(crate) fn free_addr() -> SocketAddr {
    for _ in 0..1_000 {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", candidate_port())) {
            return listener.local_addr().expect("local addr");
        }
    }
    panic!("no free loopback port in {PORTS:?}");
}

/// The `heitje-node` binary.
pub(crate) fn node_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_heitje-node"))
}

/// The `heitje` wallet binary, built beside the node by `cargo test --workspace`.
pub(crate) fn wallet_bin() -> PathBuf {
    let path = node_bin().with_file_name("heitje");
    assert!(path.exists(), "wallet binary {} missing: run `cargo build -p wallet` first", path.display());
    path
}

/// The `heitje-liar` test binary (issue 12, ADR 005), built beside the node by
/// `cargo test --workspace`.
pub(crate) fn liar_bin() -> PathBuf {
    let path = node_bin().with_file_name("heitje-liar");
    assert!(path.exists(), "liar binary {} missing: run `cargo build -p liar` first", path.display());
    path
}

/// A loopback address whose port and the `count - 1` ports after it are free now: the API
/// addresses of a dev network (node k listens on the port + k - 1).
pub(crate) fn free_api_block(count: u16) -> SocketAddr {
    for _ in 0..200 {
        let addr = free_addr();
        if addr.port() > u16::MAX - count {
            continue;
        }
        let held: Vec<_> = (0..count).map(|i| TcpListener::bind(("127.0.0.1", addr.port() + i))).collect();
        if held.iter().all(Result::is_ok) {
            return addr;
        }
    }
    panic!("no free block of {count} loopback ports");
}

/// A base port `p` such that `p..p+count` and `p+100..p+100+count` are free on loopback now.
pub(crate) fn free_port_block(count: u16) -> u16 {
    for _ in 0..200 {
        let base = free_addr().port();
        if base > u16::MAX - 100 - count {
            continue;
        }
        let ports = (0..count).flat_map(|i| [base + i, base + 100 + i]);
        let held: Vec<_> = ports.map(|p| TcpListener::bind(("127.0.0.1", p))).collect();
        if held.iter().all(Result::is_ok) {
            return base;
        }
    }
    panic!("no free block of loopback ports");
}

/// The objection window of test networks: long enough to object in, short enough to wait out.
pub(crate) const OBJECTION_WINDOW_SECS: u64 = 6;

/// Creates a dev network of `validators` nodes in `dir`, the first node's API on `addr`, and
/// returns the nodes' config files.
pub(crate) fn create_network(dir: &Path, addr: SocketAddr, validators: u16) -> Vec<PathBuf> {
    let p2p = free_port_block(validators);
    let out = std::process::Command::new(node_bin())
        .args(["devnet", "--dir"])
        .arg(dir)
        .args(["--listen", &addr.to_string()])
        .args(["--validators", &validators.to_string(), "--p2p-port", &p2p.to_string()])
        .args(["--objection-window-secs", &OBJECTION_WINDOW_SECS.to_string()])
        .output()
        .expect("run heitje-node devnet");
    assert!(out.status.success(), "devnet failed: {}", String::from_utf8_lossy(&out.stderr));
    (1..=validators).map(|n| dir.join(format!("node{n}.toml"))).collect()
}

/// Creates a single-validator dev network in `dir` listening on `addr` and returns its config.
pub(crate) fn create_devnet(dir: &Path, addr: SocketAddr) -> PathBuf {
    create_network(dir, addr, 1).remove(0)
}

/// GET `url` and parse JSON; returns the status too.
pub(crate) fn get(url: &str) -> (u16, Value) {
    match ureq::get(url).call() {
        Ok(resp) => (resp.status(), resp.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap_or(Value::Null)),
        Err(err) => panic!("GET {url}: {err}"),
    }
}

/// POST a raw body and parse JSON; returns the status too.
pub(crate) fn post(url: &str, body: &[u8]) -> (u16, Value) {
    match ureq::post(url).set("content-type", "application/json").send_bytes(body) {
        Ok(resp) => (resp.status(), resp.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap_or(Value::Null)),
        Err(err) => panic!("POST {url}: {err}"),
    }
}

/// The typed API client of the node at `base` (one node, no failover).
pub(crate) fn client(base: &str) -> Client {
    Client::new(&[base.to_owned()])
}

/// Polls [`api::routes::READYZ`] until the node answers; each attempt waits on the socket, not a
/// sleep loop with a wall-clock assert.
pub(crate) fn wait_ready(base: &str, child: &mut std::process::Child) {
    let node = client(base);
    for _ in 0..600 {
        if node.ready() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("node exited early with {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("node at {base} never became ready");
}

/// The account key restored from a devnet phrase file (`keys/<name>.phrase`).
pub(crate) fn key_from_phrase(path: &Path) -> ed25519_dalek::SigningKey {
    let phrase = std::fs::read_to_string(path).expect("phrase file");
    let mnemonic = bip39::Mnemonic::parse(phrase.trim()).expect("valid phrase");
    contracts::crypto::signing_key_from_seed(&mnemonic.to_seed(""))
}

/// A single-validator devnet in `dir`, started and ready: the node process and its API base URL.
pub(crate) fn start_devnet_node(dir: &Path) -> (std::process::Child, String) {
    let addr = free_addr();
    let config = create_devnet(dir, addr);
    let mut child = std::process::Command::new(node_bin())
        .args(["run", "--config"])
        .arg(&config)
        .env("HEITJE_LOG", "warn")
        .spawn()
        .expect("start node");
    let base = format!("http://{addr}");
    wait_ready(&base, &mut child);
    (child, base)
}

/// A fresh nonce for a signed request: unique within this test process (a counter) and across
/// processes (the pid and the time).
pub(crate) fn fresh_nonce() -> [u8; api::staff::NONCE_BYTES] {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let seed = format!("{}:{count}:{nanos}", std::process::id());
    let hash = blake3::hash(seed.as_bytes());
    let mut nonce = [0; api::staff::NONCE_BYTES];
    nonce.copy_from_slice(&hash.as_bytes()[..api::staff::NONCE_BYTES]);
    nonce
}

/// Now, by this machine's clock, as a signed request carries it.
pub(crate) fn now() -> contracts::Timestamp {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    contracts::Timestamp(u64::try_from(ms).expect("ms fit"))
}

/// Signs one request for the typed client with `key`, now, with a fresh nonce.
pub(crate) fn signer(key: &ed25519_dalek::SigningKey) -> impl FnOnce(&api::staff::Unsigned<'_>) -> String + '_ {
    move |request| request.sign(key, now(), fresh_nonce()).header()
}

/// Chain parameters for ledger tests: one council signature, no redemption fee or minimum, a
/// one-second proposal lifetime, and Heerlen's defaults for the review rules.
pub(crate) fn one_signature_params() -> contracts::state::Params {
    use contracts::Amount;
    use contracts::state::Params;
    Params {
        council_threshold: 1,
        proposal_ttl_ms: 1000,
        redemption_fee: Amount::ZERO,
        redemption_min: Amount::ZERO,
        objection_window_ms: Params::default_objection_window_ms(),
        resubmit_window_ms: Params::default_resubmit_window_ms(),
        annual_cap: Params::default_annual_cap(),
        max_review_share_pct: Params::default_review_share(),
    }
}

/// Speaks on the transaction-gossip network as the validator of `config` (its own key, peers
/// and listen address) while that validator's node is not running: how the tests play a lying
/// validator's gossip. `validators` are the public keys allowed to gossip.
pub(crate) async fn gossip_as(config: &Path, validators: &[[u8; 32]], chain: &str) -> gossip::Handle {
    let config = node::config::Config::load(config).expect("the validator's config");
    let key = node::load_validator_key(&config.validator_key).expect("the validator's key");
    let peers = config
        .p2p
        .gossip_peers
        .iter()
        .map(|text| {
            let (_, id) = text.rsplit_once("/p2p/").expect("peer id");
            (id.parse().expect("peer id"), text.parse().expect("multiaddr"))
        })
        .collect();
    let gossip = gossip::Config {
        secret: key.to_bytes(),
        listen: config.p2p.gossip_listen.parse().expect("multiaddr"),
        peers,
        allowed: validators.iter().map(|k| gossip::peer_id_of(k).expect("a validator key")).collect(),
        topic: format!("heitje/{chain}/txs/v1"),
        max_message_bytes: node::network::MAX_MESSAGE,
    };
    gossip::spawn(gossip).await.expect("gossip as the validator").0
}

/// The public keys of the validators in force, from `GET /v1/validators` at `base`.
pub(crate) fn validator_keys(base: &str) -> Vec<[u8; 32]> {
    let (code, view) = get(&format!("{base}{}", api::routes::VALIDATORS));
    assert_eq!(code, 200, "{view}");
    view["current"]
        .as_array()
        .expect("validators")
        .iter()
        .map(|v| serde_json::from_value::<contracts::AccountId>(v["key"].clone()).expect("validator key").0)
        .collect()
}
