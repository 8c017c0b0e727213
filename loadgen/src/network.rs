//! The local network: a dev network of validators created by `heitje-node devnet` in a work
//! directory, its configs, and the node processes (started, stopped, restarted with other
//! settings). Each running node has a pid file beside its config so that `scripts/bench` can
//! clean up even if this process is killed; dropping the [`Network`] stops every node.

use std::fs::OpenOptions;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::{self, Client};
use crate::error::{Error, Result};

/// Longest wait for a node's API to answer after it was started.
const START_LIMIT: Duration = Duration::from_secs(90);
/// Longest wait for a node to exit after SIGTERM before it is killed (SIGKILL; the node is built
/// to survive that, with every commit synced).
pub(crate) const STOP_LIMIT: Duration = Duration::from_secs(3);

/// The lowest port the kernel hands out for outgoing connections (`ip_local_port_range`).
fn ephemeral_low() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// A base port `p` such that `p..p+count` and `p+spread..p+spread+count` are free on loopback
/// now. The ports lie below the kernel's range for outgoing connections, so that a stopped node's
/// ports are not taken by some connection's local port before it restarts.
pub(crate) fn free_port_block(count: u16, spread: u16) -> Result<u16> {
    const LOWEST: u16 = 10_000;
    let highest = ephemeral_low().saturating_sub(spread + count + 1);
    if highest <= LOWEST {
        return Err(Error::Setup("no room for ports below the kernel's outgoing-connection range".into()));
    }
    let seed = format!("{}-{:?}", std::process::id(), std::time::SystemTime::now());
    for attempt in 0u32..500 {
        let mut hasher = blake3::Hasher::new();
        hasher.update(seed.as_bytes());
        hasher.update(&attempt.to_le_bytes());
        let digest = hasher.finalize();
        let draw = u16::from_le_bytes([digest.as_bytes()[0], digest.as_bytes()[1]]);
        let base = LOWEST + draw % (highest - LOWEST);
        let mut ports: Vec<u16> = (0..count).map(|i| base + i).collect();
        if spread > 0 {
            ports.extend((0..count).map(|i| base + spread + i));
        }
        let held: Vec<_> = ports.iter().map(|&p| TcpListener::bind(("127.0.0.1", p))).collect();
        if held.iter().all(std::result::Result::is_ok) {
            return Ok(base);
        }
    }
    Err(Error::Setup("no free block of loopback ports found".into()))
}

/// The validators of the dev network and their processes.
#[derive(Debug)]
pub(crate) struct Network {
    dir: PathBuf,
    node_bin: PathBuf,
    /// Each node's config file as `heitje-node devnet` wrote it.
    pub(crate) configs: Vec<PathBuf>,
    /// Each node's API.
    pub(crate) clients: Vec<Client>,
    children: Vec<Option<Child>>,
    /// Nodes stopped so far.
    pub(crate) stops: usize,
    /// Stops in which a node did not exit within [`STOP_LIMIT`] of SIGTERM and was killed.
    pub(crate) forced_stops: usize,
}

impl Network {
    /// Creates a dev network of `validators` in `dir` (fresh keys, free loopback ports) and
    /// returns it with no node running. The genesis file is `dir/genesis.json`.
    pub(crate) fn create(node_bin: &Path, dir: &Path, validators: u16) -> Result<Self> {
        if dir.join("genesis.json").exists() {
            return Err(Error::Setup(format!("{} already holds a network; use an empty directory", dir.display())));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
        let api = free_port_block(validators, 0)?;
        let mut p2p = free_port_block(validators, 100)?;
        let overlaps = |p2p: u16| [p2p, p2p + 100].iter().any(|&b| b < api + validators && api < b + validators);
        while overlaps(p2p) {
            p2p = free_port_block(validators, 100)?;
        }
        let out = Command::new(node_bin)
            .args(["devnet", "--dir"])
            .arg(dir)
            .args(["--listen", &format!("127.0.0.1:{api}")])
            .args(["--validators", &validators.to_string(), "--p2p-port", &p2p.to_string()])
            .output()
            .map_err(|e| Error::io("running", node_bin, e))?;
        if !out.status.success() {
            return Err(Error::Setup(format!(
                "`heitje-node devnet` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let configs = (1..=validators).map(|n| dir.join(format!("node{n}.toml"))).collect();
        let clients = (0..validators).map(|i| client::connect(&format!("http://127.0.0.1:{}", api + i))).collect();
        let children = (0..validators).map(|_| None).collect();
        Ok(Self {
            dir: dir.to_owned(),
            node_bin: node_bin.to_owned(),
            configs,
            clients,
            children,
            stops: 0,
            forced_stops: 0,
        })
    }

    /// The genesis file all nodes use.
    pub(crate) fn genesis_path(&self) -> PathBuf {
        self.dir.join("genesis.json")
    }

    /// How many validators.
    pub(crate) fn len(&self) -> usize {
        self.configs.len()
    }

    /// The process ids of the running nodes.
    pub(crate) fn pids(&self) -> Vec<Option<u32>> {
        self.children.iter().map(|c| c.as_ref().map(Child::id)).collect()
    }

    fn log_path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("node{}.log", i + 1))
    }

    fn pid_path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("node{}.pid", i + 1))
    }

    /// The last lines of node `i`'s log.
    pub(crate) fn log_tail(&self, i: usize) -> String {
        let text = std::fs::read_to_string(self.log_path(i)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Starts node `i` with `config` and extra environment `env`, and waits until its API is
    /// ready. Its log (level info) is appended to `node<k>.log`.
    pub(crate) fn start(&mut self, i: usize, config: &Path, env: &[(&str, String)]) -> Result<()> {
        let log_path = self.log_path(i);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| Error::io("opening", &log_path, e))?;
        let mut command = Command::new(&self.node_bin);
        command.args(["run", "--config"]).arg(config).env("HEITJE_LOG", "info").stdout(Stdio::null()).stderr(log);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().map_err(|e| Error::io("starting", &self.node_bin, e))?;
        let pid_path = self.pid_path(i);
        std::fs::write(&pid_path, format!("{}\n", child.id())).map_err(|e| Error::io("writing", &pid_path, e))?;
        self.children[i] = Some(child);
        self.wait_ready(i)
    }

    fn wait_ready(&mut self, i: usize) -> Result<()> {
        let start = Instant::now();
        while start.elapsed() < START_LIMIT {
            if self.clients[i].ready() {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.children[i].as_mut().map(Child::try_wait) {
                self.children[i] = None;
                return Err(Error::Node {
                    node: i + 1,
                    message: format!("exited at start with {status}; log:\n{}", self.log_tail(i)),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(Error::Node {
            node: i + 1,
            message: format!(
                "API {} not ready after {START_LIMIT:?}; log:\n{}",
                self.clients[i].base(),
                self.log_tail(i)
            ),
        })
    }

    /// Stops node `i`: SIGTERM (a clean shutdown), then SIGKILL if it has not exited in time
    /// (counted in [`Network::forced_stops`]).
    pub(crate) fn stop(&mut self, i: usize) {
        if let Some(mut child) = self.children[i].take() {
            self.stops += 1;
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let start = Instant::now();
            while start.elapsed() < STOP_LIMIT {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if let Ok(None) = child.try_wait() {
                self.forced_stops += 1;
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let _ = std::fs::remove_file(self.pid_path(i));
    }

    /// Node `i`'s committed height, or an error naming the node.
    pub(crate) fn height(&self, i: usize) -> Result<u64> {
        self.clients[i]
            .height()
            .map(|height| height.0)
            .map_err(|err| Error::Node { node: i + 1, message: client::said(err) })
    }

    /// The lowest committed height among `nodes`.
    pub(crate) fn min_height(&self, nodes: &[usize]) -> Result<u64> {
        let mut lowest = u64::MAX;
        for &i in nodes {
            lowest = lowest.min(self.height(i)?);
        }
        Ok(lowest)
    }

    /// Waits until every node in `nodes` has committed `height`, for at most `limit`.
    pub(crate) fn wait_height(&self, nodes: &[usize], height: u64, limit: Duration) -> Result<()> {
        let start = Instant::now();
        loop {
            if self.min_height(nodes)? >= height {
                return Ok(());
            }
            if start.elapsed() > limit {
                let i = nodes.first().copied().unwrap_or(0);
                return Err(Error::Node {
                    node: i + 1,
                    message: format!(
                        "nodes {nodes:?} did not reach height {height} within {limit:?}; log:\n{}",
                        self.log_tail(i)
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            if let Some(mut child) = self.children[i].take() {
                let _ = child.kill();
                let _ = child.wait();
            }
            let _ = std::fs::remove_file(self.pid_path(i));
        }
    }
}

/// Writes a copy of the node config `from` to `to` with the `(table, key, value)` settings
/// changed; other keys stay as they are.
pub(crate) fn write_config_with(from: &Path, to: &Path, settings: &[(&str, &str, i64)]) -> Result<()> {
    let text = std::fs::read_to_string(from).map_err(|e| Error::io("reading", from, e))?;
    let mut config: toml::Table =
        text.parse().map_err(|e| Error::Setup(format!("config {} is not TOML: {e}", from.display())))?;
    for (table, key, value) in settings {
        let section = config.entry((*table).to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section) = section.as_table_mut() else {
            return Err(Error::Setup(format!("config {}: [{table}] is not a table", from.display())));
        };
        section.insert((*key).to_owned(), toml::Value::Integer(*value));
    }
    let text = toml::to_string(&config).map_err(|e| Error::Setup(format!("writing config {}: {e}", to.display())))?;
    std::fs::write(to, text).map_err(|e| Error::io("writing", to, e))
}

/// A number in a node config, e.g. `("block", "min_interval_ms")`, if set there.
pub(crate) fn config_value(path: &Path, table: &str, key: &str) -> Option<i64> {
    let config: toml::Table = std::fs::read_to_string(path).ok()?.parse().ok()?;
    config.get(table)?.get(key)?.as_integer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_edits_keep_other_keys() {
        let dir = std::env::temp_dir().join(format!("heitje-loadgen-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let from = dir.join("a.toml");
        let to = dir.join("b.toml");
        std::fs::write(&from, "data_dir = \"d\"\n[block]\nmin_interval_ms = 200\nheartbeat_ms = 10000\n")
            .expect("write");
        write_config_with(&from, &to, &[("block", "heartbeat_ms", 1), ("consensus", "propose_timeout_ms", 100)])
            .expect("edited");
        assert_eq!(config_value(&to, "block", "heartbeat_ms"), Some(1));
        assert_eq!(config_value(&to, "block", "min_interval_ms"), Some(200));
        assert_eq!(config_value(&to, "consensus", "propose_timeout_ms"), Some(100));
        assert_eq!(config_value(&from, "block", "heartbeat_ms"), Some(10_000));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
