//! Shared helpers: a dev network in a temp dir, HTTP calls, free ports.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A free loopback port (bound then released).
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local addr")
}

/// The `heitje-node` binary.
pub fn node_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_heitje-node"))
}

/// The `heitje` wallet binary, built beside the node by `cargo test --workspace`.
pub fn wallet_bin() -> PathBuf {
    let path = node_bin().with_file_name("heitje");
    assert!(path.exists(), "wallet binary {} missing: run `cargo build -p wallet` first", path.display());
    path
}

/// Creates a dev network in `dir` listening on `addr` and returns its node.toml.
pub fn create_devnet(dir: &Path, addr: SocketAddr) -> PathBuf {
    let out = std::process::Command::new(node_bin())
        .args(["devnet", "--dir"])
        .arg(dir)
        .args(["--listen", &addr.to_string()])
        .output()
        .expect("run heitje-node devnet");
    assert!(out.status.success(), "devnet failed: {}", String::from_utf8_lossy(&out.stderr));
    dir.join("node.toml")
}

/// GET `url` and parse JSON; returns the status too.
pub fn get(url: &str) -> (u16, Value) {
    match ureq::get(url).call() {
        Ok(resp) => (resp.status(), resp.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap_or(Value::Null)),
        Err(err) => panic!("GET {url}: {err}"),
    }
}

/// POST a raw body and parse JSON; returns the status too.
pub fn post(url: &str, body: &[u8]) -> (u16, Value) {
    match ureq::post(url).set("content-type", "application/json").send_bytes(body) {
        Ok(resp) => (resp.status(), resp.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap_or(Value::Null)),
        Err(err) => panic!("POST {url}: {err}"),
    }
}

/// Polls `/readyz` until the node answers; each attempt waits on the socket, not a sleep loop
/// with a wall-clock assert.
pub fn wait_ready(base: &str, child: &mut std::process::Child) {
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
