//! `heitje-node devnet`: a dev network from the embedded Heerlen genesis with fresh keys, one
//! config file per validator with its API, consensus and gossip ports, and the demo accounts.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;

use crate::config::Config;
use crate::ledger::wall_clock_ms;
use crate::load_validator_key;

/// Creates a dev network in `dir` (which must not hold one yet): `validators` of the template's
/// slots (all by default), the first API on `listen` and the first consensus port `p2p_port`
/// (node k on the port + k - 1, gossip on the consensus port + 100), and an objection window of
/// `objection_window_secs` instead of Heerlen's 48 hours. Prints the chain id, the genesis, each
/// config file and each demo account.
pub fn create(
    dir: &Path,
    listen: SocketAddr,
    validators: Option<usize>,
    p2p_port: u16,
    objection_window_secs: Option<u64>,
) -> anyhow::Result<()> {
    let mut template = genesis::Template::heerlen().context("the embedded Heerlen template")?;
    if let Some(secs) = objection_window_secs {
        template.params.objection_window_ms = secs
            .checked_mul(1000)
            .filter(|ms| *ms <= contracts::state::MAX_OBJECTION_WINDOW_MS)
            .ok_or_else(|| anyhow::anyhow!("--objection-window-secs must be at most 30 days (2592000)"))?;
    }
    let slots = template.validators.len();
    let count = validators.unwrap_or(slots);
    if count == 0 || count > slots {
        anyhow::bail!("--validators must be 1 to {slots} (the template has {slots} validator slots)");
    }
    let last_api = u32::from(listen.port()) + u32::try_from(count).unwrap_or(u32::MAX);
    let last_p2p = u32::from(p2p_port) + 100 + u32::try_from(count).unwrap_or(u32::MAX);
    if last_api > u32::from(u16::MAX) || last_p2p > u32::from(u16::MAX) {
        anyhow::bail!("the port ranges from {listen} and {p2p_port} do not fit {count} nodes");
    }
    template.validators.truncate(count);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize().with_context(|| format!("resolving {}", dir.display()))?;
    let devnet = genesis::devnet::create(&dir, &template, wall_clock_ms())?;
    let host = listen.ip().to_string();
    let mut nodes = Vec::new();
    for (i, (_, _, key_path)) in devnet.validators.iter().enumerate() {
        let key = load_validator_key(key_path)?;
        let peer = consensus::peer_id_of(&key).map_err(|e| anyhow::anyhow!(e))?;
        let offset = u16::try_from(i).unwrap_or(u16::MAX);
        nodes.push((key_path.clone(), peer, p2p_port + offset, p2p_port + 100 + offset, listen.port() + offset));
    }
    println!("chain_id {}", devnet.genesis.chain_id);
    println!("genesis {}", devnet.genesis_path.display());
    for (i, (key_path, _, p2p, gossip, api)) in nodes.iter().enumerate() {
        let n = i + 1;
        let mut config = Config::in_dir(&dir, SocketAddr::new(listen.ip(), *api));
        config.data_dir = dir.join(format!("node{n}"));
        config.validator_key = key_path.clone();
        config.p2p.listen = format!("/ip4/{host}/tcp/{p2p}");
        config.p2p.gossip_listen = format!("/ip4/{host}/tcp/{gossip}");
        for (j, (_, peer, p2p, gossip, _)) in nodes.iter().enumerate() {
            if j != i {
                config.p2p.peers.push(format!("/ip4/{host}/tcp/{p2p}/p2p/{peer}"));
                config.p2p.gossip_peers.push(format!("/ip4/{host}/tcp/{gossip}/p2p/{peer}"));
            }
        }
        let config_path = dir.join(format!("node{n}.toml"));
        std::fs::write(&config_path, config.to_toml()).with_context(|| format!("writing {}", config_path.display()))?;
        println!("config {}", config_path.display());
    }
    for (name, address, phrase) in &devnet.accounts {
        println!("account {name} {address} {}", phrase.display());
    }
    Ok(())
}
