//! Heitje validator node: block production behind a consensus port, RocksDB storage, a bounded
//! mempool, the off-chain evidence and document stores, and the HTTP API.

pub mod app;
pub mod config;
pub mod engine;
pub mod http;
pub mod ledger;
pub mod mempool;
pub mod storage;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use ed25519_dalek::SigningKey;
use genesis::Genesis;

use crate::config::Config;
use crate::engine::{Cadence, Engine};
use crate::ledger::Ledger;
use crate::mempool::Limits;
use crate::storage::Storage;

/// Reads a validator secret key file: 64 hex characters.
pub fn load_validator_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading validator key {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .with_context(|| format!("validator key {} must be 64 hex characters", path.display()))?;
    let secret: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("validator key {} must hold 32 bytes (64 hex characters)", path.display()))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// Reads and validates a genesis file.
pub fn load_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading genesis file {}", path.display()))?;
    Genesis::from_json(&text).with_context(|| format!("in genesis file {}", path.display()))
}

/// Opens storage and the ledger, and starts the ledger thread.
pub fn start_engine(config: &Config) -> anyhow::Result<Engine> {
    let genesis = load_genesis(&config.genesis)?;
    let key = load_validator_key(&config.validator_key)?;
    let me = contracts::crypto::account_of(&key);
    if !genesis.validators.iter().any(|v| v.key == me) {
        bail!("validator key {} ({me}) is not a validator in the genesis file", config.validator_key.display());
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    let storage = Storage::open(&config.data_dir)
        .with_context(|| format!("opening the database in {}", config.data_dir.display()))?;
    let limits = Limits { max_txs: config.mempool.max_txs, max_per_account: config.mempool.max_per_account };
    let ledger = Ledger::open(storage, genesis, limits).context("opening the ledger")?;
    tracing::info!(height = %ledger.head().height, state_root = %ledger.head().state_root, "ledger opened");
    let cadence = Cadence {
        min_interval: Duration::from_millis(config.block.min_interval_ms),
        heartbeat: Duration::from_millis(config.block.heartbeat_ms),
        max_block_txs: config.block.max_txs,
    };
    Engine::start(ledger, key, cadence, 8192).context("starting the ledger thread")
}

/// Runs the node until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let engine = start_engine(&config)?;
    let listener = tokio::net::TcpListener::bind(config.api.listen)
        .await
        .with_context(|| format!("binding the API to {}", config.api.listen))?;
    tracing::info!(listen = %config.api.listen, "API listening");
    let router = http::router(engine.handle.clone());
    axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await.context("serving the API")?;
    tracing::info!("stopping");
    engine.stop().map_err(|e| anyhow::anyhow!(e))?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
