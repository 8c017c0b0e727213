//! Heitje validator node: block production behind a consensus port, RocksDB storage, a bounded
//! mempool, the off-chain evidence and document stores, and the HTTP API.
//!
//! Rooms: `ledger` (the ledger, its thread and handle, the mempool, the consensus glue),
//! `store` (RocksDB, one file per group of column families), `offchain` (evidence, registry
//! and audit log kept beside the chain), `api` (the HTTP router and one file per resource),
//! `network` (gossip between validators), `config` and `devnet`. This file starts them.

pub mod api;
pub mod config;
pub mod devnet;
pub mod ledger;
pub mod network;
pub mod offchain;
pub mod store;

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use ed25519_dalek::SigningKey;
use genesis::Genesis;

use crate::config::Config;
use crate::ledger::{Engine, Ledger, LedgerHost, Limits};
use crate::store::Storage;

/// Logs to stderr at the level in `HEITJE_LOG` (default `info`), as every node binary does.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HEITJE_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
}

/// Reads a validator secret key file: 64 hex characters.
pub fn load_validator_key(path: &Path) -> anyhow::Result<SigningKey> {
    check_private_file(path)?;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading validator key {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .with_context(|| format!("validator key {} must be 64 hex characters", path.display()))?;
    let secret: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("validator key {} must hold 32 bytes (64 hex characters)", path.display()))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// Refuses a validator key file that other users may read or write (issue 12): a copy of the
/// key can vote twice in this validator's name. The fix is the operator's to make, since the key
/// may already have been read.
fn check_private_file(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let metadata = std::fs::metadata(path).with_context(|| format!("reading validator key {}", path.display()))?;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "validator key {} is open to other users (mode {mode:o}); make it private with `chmod 600 {}`, \
                 and replace the key if others may have read it",
                path.display(),
                path.display()
            );
        }
    }
    Ok(())
}

/// Creates the data directory private to the node's user (0700), and makes an existing one
/// private if it is not (issue 12): it holds the sealed evidence keys and the chain.
fn prepare_data_dir(path: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        builder.mode(0o700);
        builder.create(path).with_context(|| format!("creating data directory {}", path.display()))?;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading data directory {}", path.display()))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(dir = %path.display(), mode = format!("{mode:o}"), "the data directory was open to other users; made it 0700");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("making data directory {} private (chmod 700)", path.display()))?;
        }
    }
    #[cfg(not(unix))]
    builder.create(path).with_context(|| format!("creating data directory {}", path.display()))?;
    Ok(())
}

/// Reads and validates a genesis file.
pub fn load_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading genesis file {}", path.display()))?;
    Genesis::from_json(&text).with_context(|| format!("in genesis file {}", path.display()))
}

/// Opens storage and the ledger, and starts the ledger thread. Returns it with this
/// validator's key.
pub fn start_engine(config: &Config) -> anyhow::Result<(Engine, SigningKey)> {
    let genesis = load_genesis(&config.genesis)?;
    let key = load_validator_key(&config.validator_key)?;
    let me = contracts::crypto::account_of(&key);
    prepare_data_dir(&config.data_dir)?;
    let storage = Storage::open(&config.data_dir)
        .with_context(|| format!("opening the database in {}", config.data_dir.display()))?;
    let limits = Limits { max_txs: config.mempool.max_txs, max_per_account: config.mempool.max_per_account };
    let ledger = Ledger::open(storage, genesis, limits).context("opening the ledger")?;
    tracing::info!(height = %ledger.head().height, state_root = %ledger.head().state_root, "ledger opened");
    if !ledger.validator_keys().contains(&me) {
        tracing::warn!(
            key = %me,
            file = %config.validator_key.display(),
            "this key is not in the validator set at the stored height: the node follows the chain and votes only \
             once a council change adds it (check validator_key if that is not what you expect)"
        );
    }
    let engine = Engine::start(ledger, 8192).context("starting the ledger thread")?;
    Ok((engine, key))
}

/// Consensus settings from the node config.
fn consensus_settings(
    config: &Config,
    key: SigningKey,
    chain_id: contracts::ChainId,
    guard: consensus::SignGuard,
    role: consensus::Role,
    progress: tokio::sync::watch::Sender<consensus::Progress>,
    deviation: std::sync::Arc<dyn consensus::Deviation>,
) -> consensus::Settings {
    let c = &config.consensus;
    consensus::Settings {
        moniker: contracts::crypto::account_of(&key).to_string(),
        key,
        chain_id,
        listen: config.p2p.listen.clone(),
        peers: config.p2p.peers.clone(),
        wal_dir: config.data_dir.join("wal"),
        timeouts: consensus::Timeouts {
            propose_ms: c.propose_timeout_ms,
            prevote_ms: c.prevote_timeout_ms,
            precommit_ms: c.precommit_timeout_ms,
            delta_ms: c.timeout_delta_ms,
        },
        min_block_interval: Duration::from_millis(config.block.min_interval_ms),
        heartbeat: Duration::from_millis(config.block.heartbeat_ms),
        sync_batch: c.sync_batch,
        guard,
        role,
        progress,
        deviation,
    }
}

/// Runs consensus until `stop` fires or it fails. A validator whose double-sign guard is ahead
/// of its stored chain (its data directory was wiped, the key kept) first follows the chain
/// without signing, and restarts the engine as a validator once the chain has passed the
/// highest height it signed at.
async fn run_consensus(
    config: Config,
    key: SigningKey,
    chain_id: contracts::ChainId,
    handle: ledger::Handle,
    mut stop: tokio::sync::watch::Receiver<bool>,
    progress: tokio::sync::watch::Sender<consensus::Progress>,
    deviation: std::sync::Arc<dyn consensus::Deviation>,
) -> anyhow::Result<()> {
    let guard = consensus::SignGuard::open(&config.sign_state_path(), chain_id.as_str())?;
    let host = std::sync::Arc::new(LedgerHost::new(handle.clone(), config.block.max_txs));
    let next_height =
        || async { handle.call(|l| l.head().height.0.saturating_add(1)).await.map_err(|e| anyhow::anyhow!(e)) };
    loop {
        let next = next_height().await?;
        let role = if guard.must_follow(next, consensus::has_wal(&config.data_dir.join("wal"))) {
            tracing::warn!(
                signed = guard.highest(),
                next,
                "this key already signed at a height the stored chain has not reached: following without signing until it has"
            );
            consensus::Role::Follower
        } else {
            consensus::Role::Validator
        };
        let settings = consensus_settings(
            &config,
            key.clone(),
            chain_id.clone(),
            guard.clone(),
            role,
            progress.clone(),
            std::sync::Arc::clone(&deviation),
        );
        let mut running = consensus::start(settings, std::sync::Arc::clone(&host))
            .await
            .map_err(|e| anyhow::anyhow!("starting consensus: {e:#}"))?;
        tracing::info!(p2p = %config.p2p.listen, peers = config.p2p.peers.len(), ?role, "consensus started");
        let mut poll = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                stopped = running.stopped() => {
                    tracing::error!(?stopped, "the consensus engine stopped");
                    return match stopped {
                        Ok(()) => Err(anyhow::anyhow!("the consensus engine stopped")),
                        Err(err) => Err(anyhow::anyhow!("consensus stopped: {err}")),
                    };
                }
                _ = stop.changed() => {
                    running.shutdown().await;
                    return Ok(());
                }
                _ = poll.tick(), if role == consensus::Role::Follower => {
                    if next_height().await? > guard.highest() {
                        break;
                    }
                }
            }
        }
        tracing::info!(
            signed = guard.highest(),
            "the chain has passed the last signed height: rejoining as a validator"
        );
        running.shutdown().await;
        // Peers must see the old connections close before the new engine dials them: a peer
        // that registers the new connection first and then processes the old one's close forgets
        // this node and stops receiving its votes.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Runs the node until SIGINT or SIGTERM, or until consensus stops on a ledger fault.
pub async fn run(config: Config) -> anyhow::Result<()> {
    run_with(config, std::sync::Arc::new(consensus::Honest)).await
}

/// Runs the node with `deviation` installed in its proposer (ADR 005): [`run`] installs
/// [`consensus::Honest`]; only the test network's `heitje-liar` installs anything else.
pub async fn run_with(config: Config, deviation: std::sync::Arc<dyn consensus::Deviation>) -> anyhow::Result<()> {
    let (engine, key) = start_engine(&config)?;
    let key_secret = key.to_bytes();
    let me = contracts::crypto::account_of(&key);
    let chain_id = engine.handle.call(|l| l.head().chain_id.clone()).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let head = engine.handle.call(|l| l.head().height.0).await?;
    let (progress_tx, progress) = tokio::sync::watch::channel(consensus::Progress::starting(head));
    let mut consensus = tokio::spawn(run_consensus(
        config.clone(),
        key,
        chain_id.clone(),
        engine.handle.clone(),
        stop_rx,
        progress_tx,
        deviation,
    ));
    let listener = tokio::net::TcpListener::bind(config.api.listen)
        .await
        .with_context(|| format!("binding the API to {}", config.api.listen))?;
    tracing::info!(listen = %config.api.listen, "API listening");
    let validators = engine.handle.call(|l| l.validator_keys().iter().map(|k| k.0).collect::<Vec<_>>()).await?;
    let gossip_settings = network::Settings {
        secret: key_secret,
        listen: config.p2p.gossip_listen.clone(),
        peers: config.p2p.gossip_peers.clone(),
        validators,
        topic: format!("heitje/{chain_id}/txs/v1"),
    };
    let (outbox, gossip) = network::start(gossip_settings, engine.handle.clone()).await?;
    tracing::info!(gossip = %config.p2p.gossip_listen, peers = config.p2p.gossip_peers.len(), "transaction gossip started");
    tokio::spawn(offchain::evidence::sweep_task(engine.handle.clone(), me));
    let router = api::router(engine.handle.clone(), engine.reads.clone(), Some(outbox), me, progress);
    let outcome = tokio::select! {
        served = axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()) => {
            served.context("serving the API")
        }
        stopped = &mut consensus => match stopped {
            Ok(Ok(())) => Err(anyhow::anyhow!("consensus stopped")),
            Ok(Err(err)) => Err(err),
            Err(err) => Err(anyhow::anyhow!("the consensus task failed: {err}")),
        },
    };
    match &outcome {
        Ok(()) => tracing::info!("stopping"),
        Err(err) => tracing::error!("stopping: {err:#}"),
    }
    let _ = stop_tx.send(true);
    if !consensus.is_finished() {
        let _ = tokio::time::timeout(Duration::from_secs(5), consensus).await;
    }
    gossip.shutdown().await;
    engine.stop().map_err(|e| anyhow::anyhow!(e))?;
    outcome
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

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    const KEY_HEX: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    fn key_file(dir: &Path, mode: u32) -> std::path::PathBuf {
        let path = dir.join("validator.key");
        std::fs::write(&path, KEY_HEX).expect("write key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }

    #[test]
    fn issue_12_a_validator_key_others_can_read_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().expect("temp dir");
        for mode in [0o644, 0o640, 0o604, 0o660] {
            let err = load_validator_key(&key_file(dir.path(), mode)).expect_err("an open key is refused");
            let message = format!("{err:#}");
            assert!(message.contains(&format!("mode {mode:o}")) && message.contains("chmod 600"), "{message}");
        }
        let key = load_validator_key(&key_file(dir.path(), 0o600)).expect("a private key loads");
        assert_eq!(hex::encode(key.to_bytes()), KEY_HEX);
        assert!(load_validator_key(&key_file(dir.path(), 0o400)).is_ok(), "read-only for the owner is fine");
    }

    #[test]
    fn issue_12_the_data_directory_is_private_new_or_existing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fresh = dir.path().join("a/b/data");
        prepare_data_dir(&fresh).expect("created");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&fresh), 0o700);
        let open = dir.path().join("open");
        std::fs::create_dir(&open).expect("mkdir");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        prepare_data_dir(&open).expect("tightened");
        assert_eq!(mode(&open), 0o700);
    }
}
