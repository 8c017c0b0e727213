//! Node configuration: a TOML file, then `HEITJE_*` environment overrides. Relative paths are
//! relative to the config file's directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why the configuration was refused.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("config file {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// An environment override is malformed.
    #[error("environment variable {name}={value:?} is not valid: {reason}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
    /// A value is out of range.
    #[error("config value {field} is not valid: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

/// HTTP API settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Listen address; loopback by default.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
}

/// Block production settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockConfig {
    /// Least milliseconds between blocks while transactions wait.
    #[serde(default = "default_min_interval")]
    pub min_interval_ms: u64,
    /// Longest milliseconds between blocks when idle (heartbeat).
    #[serde(default = "default_heartbeat")]
    pub heartbeat_ms: u64,
    /// Most transactions per block.
    #[serde(default = "default_block_txs")]
    pub max_txs: usize,
}

/// Mempool settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MempoolConfig {
    /// Most pending transactions.
    #[serde(default = "default_mempool_txs")]
    pub max_txs: usize,
    /// Most pending transactions per account.
    #[serde(default = "default_per_account")]
    pub max_per_account: usize,
}

/// Peer-to-peer settings: where consensus and transaction gossip listen, and the other
/// validators. Only validators of the genesis set may connect; peers are dialled persistently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct P2pConfig {
    /// Consensus listen address (libp2p multiaddr), e.g. `/ip4/127.0.0.1/tcp/27000`.
    #[serde(default = "default_p2p_listen")]
    pub listen: String,
    /// Transaction gossip listen address (libp2p multiaddr).
    #[serde(default = "default_gossip_listen")]
    pub gossip_listen: String,
    /// The other validators' consensus addresses, each ending in `/p2p/<peer id>`.
    #[serde(default)]
    pub peers: Vec<String>,
    /// The other validators' gossip addresses, each ending in `/p2p/<peer id>`.
    #[serde(default)]
    pub gossip_peers: Vec<String>,
}

/// Consensus timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusConfig {
    /// Wait for a proposal in round 0, in milliseconds.
    #[serde(default = "default_propose")]
    pub propose_timeout_ms: u64,
    /// Wait for more prevotes, in milliseconds.
    #[serde(default = "default_vote_timeout")]
    pub prevote_timeout_ms: u64,
    /// Wait for more precommits, in milliseconds.
    #[serde(default = "default_vote_timeout")]
    pub precommit_timeout_ms: u64,
    /// Added to each timeout per round, in milliseconds.
    #[serde(default = "default_vote_timeout")]
    pub timeout_delta_ms: u64,
    /// Decided blocks per value-sync response.
    #[serde(default = "default_sync_batch")]
    pub sync_batch: usize,
}

/// The node's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// RocksDB directory.
    pub data_dir: PathBuf,
    /// Genesis file.
    pub genesis: PathBuf,
    /// This validator's secret key file (64 hex characters).
    pub validator_key: PathBuf,
    /// The double-sign guard's file: the highest height this key signed at. Keep it with the
    /// key, outside the data directory, and never delete it while the key is in use. Default:
    /// the key file's name with the extension `sign-state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_state: Option<PathBuf>,
    /// HTTP API.
    #[serde(default = "default_api")]
    pub api: ApiConfig,
    /// Block production.
    #[serde(default = "default_block")]
    pub block: BlockConfig,
    /// Mempool.
    #[serde(default = "default_mempool")]
    pub mempool: MempoolConfig,
    /// Peer-to-peer networking.
    #[serde(default = "default_p2p")]
    pub p2p: P2pConfig,
    /// Consensus timing.
    #[serde(default = "default_consensus")]
    pub consensus: ConsensusConfig,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 7700))
}
const fn default_min_interval() -> u64 {
    200
}
const fn default_heartbeat() -> u64 {
    10_000
}
const fn default_block_txs() -> usize {
    contracts::block::MAX_BLOCK_TXS
}
const fn default_mempool_txs() -> usize {
    100_000
}
const fn default_per_account() -> usize {
    256
}
fn default_api() -> ApiConfig {
    ApiConfig { listen: default_listen() }
}
fn default_block() -> BlockConfig {
    BlockConfig {
        min_interval_ms: default_min_interval(),
        heartbeat_ms: default_heartbeat(),
        max_txs: default_block_txs(),
    }
}
fn default_p2p_listen() -> String {
    "/ip4/127.0.0.1/tcp/27000".into()
}
fn default_gossip_listen() -> String {
    "/ip4/127.0.0.1/tcp/27100".into()
}
fn default_p2p() -> P2pConfig {
    P2pConfig {
        listen: default_p2p_listen(),
        gossip_listen: default_gossip_listen(),
        peers: Vec::new(),
        gossip_peers: Vec::new(),
    }
}
const fn default_propose() -> u64 {
    1500
}
const fn default_vote_timeout() -> u64 {
    500
}
const fn default_sync_batch() -> usize {
    64
}
fn default_consensus() -> ConsensusConfig {
    ConsensusConfig {
        propose_timeout_ms: default_propose(),
        prevote_timeout_ms: default_vote_timeout(),
        precommit_timeout_ms: default_vote_timeout(),
        timeout_delta_ms: default_vote_timeout(),
        sync_batch: default_sync_batch(),
    }
}
fn default_mempool() -> MempoolConfig {
    MempoolConfig { max_txs: default_mempool_txs(), max_per_account: default_per_account() }
}

fn env_override<T: std::str::FromStr>(name: &'static str, target: &mut T) -> Result<(), ConfigError>
where
    T::Err: std::fmt::Display,
{
    if let Ok(value) = std::env::var(name) {
        *target = value.parse().map_err(|e: T::Err| ConfigError::Env {
            name,
            value: value.clone(),
            reason: e.to_string(),
        })?;
    }
    Ok(())
}

impl Config {
    /// A configuration for files in `dir`, with defaults elsewhere.
    pub fn in_dir(dir: &Path, listen: SocketAddr) -> Self {
        Self {
            data_dir: dir.join("data"),
            genesis: dir.join("genesis.json"),
            validator_key: dir.join("validator.key"),
            sign_state: None,
            api: ApiConfig { listen },
            block: default_block(),
            mempool: default_mempool(),
            p2p: default_p2p(),
            consensus: default_consensus(),
        }
    }

    /// Reads `path`, applies `HEITJE_*` overrides, resolves relative paths and checks ranges.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        let mut config: Self =
            toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.into(), message: e.to_string() })?;
        env_override("HEITJE_DATA_DIR", &mut config.data_dir)?;
        env_override("HEITJE_GENESIS", &mut config.genesis)?;
        env_override("HEITJE_VALIDATOR_KEY", &mut config.validator_key)?;
        env_override("HEITJE_API_LISTEN", &mut config.api.listen)?;
        env_override("HEITJE_BLOCK_MIN_INTERVAL_MS", &mut config.block.min_interval_ms)?;
        env_override("HEITJE_BLOCK_HEARTBEAT_MS", &mut config.block.heartbeat_ms)?;
        env_override("HEITJE_P2P_LISTEN", &mut config.p2p.listen)?;
        env_override("HEITJE_GOSSIP_LISTEN", &mut config.p2p.gossip_listen)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [&mut config.data_dir, &mut config.genesis, &mut config.validator_key]
            .into_iter()
            .chain(config.sign_state.as_mut())
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        config.check()?;
        Ok(config)
    }

    /// The double-sign guard's file.
    pub fn sign_state_path(&self) -> PathBuf {
        self.sign_state.clone().unwrap_or_else(|| self.validator_key.with_extension("sign-state"))
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| Err(ConfigError::Invalid { field, reason: reason.into() });
        if self.block.heartbeat_ms == 0 || self.block.heartbeat_ms > 60_000 {
            return invalid("block.heartbeat_ms", "must be 1 to 60000");
        }
        if self.block.min_interval_ms > self.block.heartbeat_ms {
            return invalid("block.min_interval_ms", "must not exceed block.heartbeat_ms");
        }
        if self.block.max_txs == 0 || self.block.max_txs > contracts::block::MAX_BLOCK_TXS {
            return invalid("block.max_txs", "must be 1 to 20000");
        }
        if self.mempool.max_txs == 0 || self.mempool.max_per_account == 0 {
            return invalid("mempool", "limits must be more than 0");
        }
        let c = &self.consensus;
        for (field, value) in [
            ("consensus.propose_timeout_ms", c.propose_timeout_ms),
            ("consensus.prevote_timeout_ms", c.prevote_timeout_ms),
            ("consensus.precommit_timeout_ms", c.precommit_timeout_ms),
        ] {
            if !(10..=60_000).contains(&value) {
                return invalid(field, "must be 10 to 60000");
            }
        }
        if c.timeout_delta_ms > 60_000 {
            return invalid("consensus.timeout_delta_ms", "must be at most 60000");
        }
        if c.sync_batch == 0 || c.sync_batch > 1024 {
            return invalid("consensus.sync_batch", "must be 1 to 1024");
        }
        if self.sign_state_path().starts_with(&self.data_dir) {
            return invalid(
                "sign_state",
                "must be outside data_dir (keep it beside validator_key), so that wiping the data directory keeps it",
            );
        }
        Ok(())
    }

    /// The TOML form.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_loads_with_defaults_and_resolves_paths() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("node.toml");
        std::fs::write(&path, "data_dir = \"data\"\ngenesis = \"g.json\"\nvalidator_key = \"v.key\"\n").expect("write");
        let config = Config::load(&path).expect("valid");
        assert_eq!(config.data_dir, dir.path().join("data"));
        assert_eq!(config.api.listen, default_listen());
        assert_eq!(config.block.heartbeat_ms, 10_000);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_the_field_named() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("node.toml");
        std::fs::write(&path, "data_dir = \"d\"\ngenesis = \"g\"\nvalidator_key = \"v\"\nlisten = 1\n").expect("write");
        assert!(Config::load(&path).unwrap_err().to_string().contains("listen"));
        std::fs::write(&path, "data_dir = \"d\"\ngenesis = \"g\"\nvalidator_key = \"v\"\n[block]\nheartbeat_ms = 0\n")
            .expect("write");
        assert!(Config::load(&path).unwrap_err().to_string().contains("heartbeat_ms"));
        assert!(Config::load(&dir.path().join("missing.toml")).unwrap_err().to_string().contains("cannot read"));
    }
}
