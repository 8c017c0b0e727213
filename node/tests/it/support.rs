//! Shared helpers: a dev network in a temp dir, HTTP calls, free ports.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A free loopback port (bound then released).
pub(crate) fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local addr")
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

/// Creates a dev network of `validators` nodes in `dir`, the first node's API on `addr`, and
/// returns the nodes' config files.
pub(crate) fn create_network(dir: &Path, addr: SocketAddr, validators: u16) -> Vec<PathBuf> {
    let p2p = free_port_block(validators);
    let out = std::process::Command::new(node_bin())
        .args(["devnet", "--dir"])
        .arg(dir)
        .args(["--listen", &addr.to_string()])
        .args(["--validators", &validators.to_string(), "--p2p-port", &p2p.to_string()])
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

/// Polls `/readyz` until the node answers; each attempt waits on the socket, not a sleep loop
/// with a wall-clock assert.
pub(crate) fn wait_ready(base: &str, child: &mut std::process::Child) {
    for _ in 0..600 {
        if ureq::get(&format!("{base}/readyz")).call().is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("node exited early with {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("node at {base} never became ready");
}
