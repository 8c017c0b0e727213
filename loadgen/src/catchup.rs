//! Catch-up: one validator is stopped, the others produce heights quickly (fast-cadence configs),
//! then slow down to their normal configs, and the stopped validator is restarted: first with its
//! own config unchanged, then (if that does not reach the head in the probe time) with a fast
//! block cadence. Each run records how long the restart took to reach the head and the value-sync
//! rate in heights per second.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::network::{Network, write_config_with};

/// What the catch-up measurement may take.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Heights the stopped validator should fall behind.
    pub(crate) heights: u64,
    /// Longest time to produce them.
    pub(crate) production_limit: Duration,
    /// How long the restarted validator runs with its own config.
    pub(crate) probe: Duration,
    /// Longest wait for the fast-cadence restart to reach the head.
    pub(crate) timeout: Duration,
    /// Heartbeat (ms) of the fast cadence.
    pub(crate) fast_heartbeat_ms: u64,
}

/// How the other validators produced the heights.
#[derive(Debug, Clone)]
pub(crate) struct Production {
    /// Heights produced.
    pub(crate) heights: u64,
    /// In this time.
    pub(crate) elapsed: Duration,
    /// The config settings used, as `table.key = value`.
    pub(crate) settings: Vec<String>,
}

/// One restart of the lagging validator.
#[derive(Debug, Clone)]
pub(crate) struct Restart {
    /// Extra settings it ran with (empty: its config unchanged).
    pub(crate) settings: Vec<String>,
    /// Heights it was behind the head when restarted.
    pub(crate) behind: u64,
    /// Heights it gained.
    pub(crate) gained: u64,
    /// From the restart until it first gained a height (process start, storage, peers, sync).
    pub(crate) startup: Option<Duration>,
    /// From the restart until it reached the head, if it did.
    pub(crate) to_head: Option<Duration>,
    /// How long it was watched.
    pub(crate) watched: Duration,
    /// Heights per second from its first gained height to the last.
    pub(crate) sync_rate: Option<f64>,
}

/// The catch-up figures.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// The validator that was stopped, numbered from 1.
    pub(crate) node: usize,
    /// How the others produced the heights it missed.
    pub(crate) production: Production,
    /// Restarted with its config unchanged.
    pub(crate) unchanged: Restart,
    /// Restarted with the fast block cadence (when the first restart did not reach the head).
    pub(crate) fast: Option<Restart>,
    /// Nodes stopped (SIGTERM) during the measurement, and how many of them had to be killed.
    pub(crate) stops: (usize, usize),
}

/// Settings of the fast-cadence configs the other validators produce heights with: no least
/// interval, a short heartbeat, and short consensus timeouts so that the stopped validator's
/// turns to propose cost little.
fn production_settings(fast_heartbeat_ms: u64) -> Vec<(&'static str, &'static str, i64)> {
    vec![
        ("block", "min_interval_ms", 0),
        ("block", "heartbeat_ms", i64::try_from(fast_heartbeat_ms).unwrap_or(i64::MAX)),
        ("consensus", "propose_timeout_ms", 100),
        ("consensus", "prevote_timeout_ms", 50),
        ("consensus", "precommit_timeout_ms", 50),
        ("consensus", "timeout_delta_ms", 10),
    ]
}

/// Runs the measurement on `network` (all nodes running). Leaves the nodes running with their
/// own configs, except the lagging one, which is stopped.
pub(crate) fn run(network: &mut Network, settings: &Settings) -> Result<Outcome> {
    let last = network.len() - 1;
    let others: Vec<usize> = (0..last).collect();

    let stopped_at = network.height(last)?;
    eprintln!("==> catch-up: stopping node {} at height {stopped_at}", last + 1);
    network.stop(last);

    // The others produce heights quickly.
    let fast = production_settings(settings.fast_heartbeat_ms);
    let fast_configs: Vec<PathBuf> = others.iter().map(|&i| network.configs[i].with_extension("fast.toml")).collect();
    for (&i, fast_config) in others.iter().zip(&fast_configs) {
        write_config_with(&network.configs[i], fast_config, &fast)?;
    }
    for &i in &others {
        network.stop(i);
    }
    for (&i, fast_config) in others.iter().zip(&fast_configs) {
        network.start(i, fast_config, &[])?;
    }
    let from = network.min_height(&others)?;
    let target = stopped_at + settings.heights;
    eprintln!(
        "==> catch-up: nodes {} produce heights {from}..{target} with fast-cadence configs",
        others.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(",")
    );
    let start = Instant::now();
    let mut reached = from;
    while reached < target && start.elapsed() < settings.production_limit {
        std::thread::sleep(Duration::from_millis(200));
        reached = network.min_height(&others)?;
    }
    let production = Production {
        heights: reached.saturating_sub(from),
        elapsed: start.elapsed(),
        settings: fast.iter().map(|(t, k, v)| format!("{t}.{k} = {v}")).collect(),
    };

    // Back to their own configs: the head now moves at the normal idle cadence.
    for &i in &others {
        network.stop(i);
    }
    for &i in &others {
        let config = network.configs[i].clone();
        network.start(i, &config, &[])?;
    }

    let config = network.configs[last].clone();
    eprintln!("==> catch-up: restarting node {} with its config unchanged for {:?}", last + 1, settings.probe);
    let unchanged = restart(network, last, &others, stopped_at, &config, &[], settings.probe)?;
    let at = network.height(last)?;
    network.stop(last);
    let fast = if unchanged.to_head.is_some() {
        None
    } else {
        let env = [
            ("HEITJE_BLOCK_MIN_INTERVAL_MS", "0".to_owned()),
            ("HEITJE_BLOCK_HEARTBEAT_MS", settings.fast_heartbeat_ms.to_string()),
        ];
        eprintln!("==> catch-up: restarting node {} with a fast block cadence", last + 1);
        let run = restart(network, last, &others, at, &config, &env, settings.timeout)?;
        network.stop(last);
        Some(run)
    };
    Ok(Outcome { node: last + 1, production, unchanged, fast, stops: (network.stops, network.forced_stops) })
}

/// Restarts node `i` (stopped at height `from`) with `config` and `env`, and watches it for at
/// most `limit` or until it reaches the lowest head of `others`.
fn restart(
    network: &mut Network,
    i: usize,
    others: &[usize],
    from: u64,
    config: &std::path::Path,
    env: &[(&str, String)],
    limit: Duration,
) -> Result<Restart> {
    let head = network.min_height(others)?;
    let start = Instant::now();
    network.start(i, config, env)?;
    let mut first: Option<(Instant, u64)> = None;
    let mut last = (start, from);
    let mut to_head = None;
    while start.elapsed() < limit {
        // A node busy syncing may answer 503 for a moment: poll again.
        let Ok(height) = network.height(i) else {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let now = Instant::now();
        if height > from && first.is_none() {
            first = Some((now, height));
        }
        if height > last.1 {
            last = (now, height);
        }
        if network.min_height(others).is_ok_and(|head| height >= head) {
            to_head = Some(now.saturating_duration_since(start));
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let sync_rate = first.and_then(|(t, h)| {
        let secs = last.0.saturating_duration_since(t).as_secs_f64();
        (secs > 0.0).then(|| (last.1 - h) as f64 / secs)
    });
    Ok(Restart {
        settings: env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        behind: head.saturating_sub(from),
        gained: last.1.saturating_sub(from),
        startup: first.map(|(t, _)| t.saturating_duration_since(start)),
        to_head,
        watched: start.elapsed(),
        sync_rate,
    })
}
