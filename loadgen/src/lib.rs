//! Heitje whole-network benchmark: starts a local network of validators from a bench-only
//! genesis with many funded accounts, offers pre-signed transfers through every node's API and
//! reports throughput, submit-to-final latency, the shop figures (counter latency of a payment,
//! burning and settling redemptions), the flood figures (see `flood`), catch-up speed and the
//! machine's ed25519 verify rates, as Markdown tables on stdout. Progress goes to stderr.
//!
//! The nodes run as real processes (`heitje-node run`) with RocksDB, libp2p and HTTP on
//! loopback; nothing in the node is changed or bypassed.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod cli;

mod accounts;
mod catchup;
mod client;
mod cpu;
mod error;
mod flood;
mod load;
mod network;
mod report;
mod shop;
mod verify;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use contracts::ChainId;

pub use error::{Error, Result};

use cli::{BenchArgs, Cli, Command};
use load::{Offered, Phase};

/// Validators of the benchmark network (the Heerlen template's four).
const VALIDATORS: u16 = 4;

/// Runs one `heitje-loadgen` command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Verify(args) => {
            let rates = verify::measure(args.signatures)?;
            report::print_rates(&rates);
            Ok(())
        }
        Command::Bench(args) => bench(&args),
    }
}

fn check(args: &BenchArgs) -> Result<()> {
    let nodes = usize::from(VALIDATORS);
    if args.accounts < nodes * args.connections.max(1) {
        return Err(Error::Setup(format!(
            "--accounts {} is too few: every one of the {} connections needs at least one account",
            args.accounts,
            nodes * args.connections.max(1)
        )));
    }
    if args.rates.contains(&0) {
        return Err(Error::Setup("--rates must be more than 0 transactions per second".into()));
    }
    if !args.skip_shop && (args.shop_payments == 0 || args.shop_redemptions == 0) {
        return Err(Error::Setup("--shop-payments and --shop-redemptions must be more than 0".into()));
    }
    if args.window == 0 || args.window_secs == 0 || args.presign == 0 || args.max_secs == 0 || args.rate_secs == 0 {
        return Err(Error::Setup(
            "--window, --window-secs, --presign, --max-secs and --rate-secs must be more than 0".into(),
        ));
    }
    if !(args.skip_flood)
        && (args.flood_readers == 0
            || args.flood_documents == 0
            || args.flood_accounts < 2
            || args.flood_per_account == 0
            || args.flood_single == 0
            || args.flood_secs == 0
            || args.flood_idle_secs == 0
            || args.flood_honest_ms == 0)
    {
        return Err(Error::Setup(
            "--flood-readers, --flood-documents, --flood-per-account, --flood-single, --flood-secs, \
             --flood-idle-secs and --flood-honest-ms must be more than 0 and --flood-accounts at least 2 \
             (or pass --skip-flood)"
                .into(),
        ));
    }
    if !args.node_bin.is_file() {
        return Err(Error::Setup(format!(
            "--node-bin {} is not a file; build heitje-node first",
            args.node_bin.display()
        )));
    }
    Ok(())
}

/// The node settings that shape the figures, read from the first node's config.
fn node_settings(config: &std::path::Path) -> Vec<String> {
    [
        ("block", "min_interval_ms"),
        ("block", "heartbeat_ms"),
        ("block", "max_txs"),
        ("mempool", "max_txs"),
        ("mempool", "max_per_account"),
        ("consensus", "propose_timeout_ms"),
        ("consensus", "prevote_timeout_ms"),
        ("consensus", "precommit_timeout_ms"),
    ]
    .iter()
    .map(|(table, key)| match network::config_value(config, table, key) {
        Some(value) => format!("{table}.{key} = {value}"),
        None => format!("{table}.{key} = (node default)"),
    })
    .collect()
}

fn bench(args: &BenchArgs) -> Result<()> {
    let mut args = args.clone();
    if args.only_flood {
        (args.skip_load, args.skip_shop, args.skip_catchup) = (true, true, true);
    }
    let args = &args;
    check(args)?;
    eprintln!("==> measuring this machine's ed25519 verify rates ({} signatures each)", args.signatures);
    let rates = verify::measure(args.signatures)?;

    eprintln!("==> creating a {VALIDATORS}-validator dev network in {}", args.dir.display());
    let mut network = network::Network::create(&args.node_bin, &args.dir, VALIDATORS)?;
    let mut accounts = accounts::create(args.accounts, network.len());
    let shop_keys = shop::Keys::new();
    let shop_settings = shop::Settings { payments: args.shop_payments, redemptions: args.shop_redemptions };
    let flood_keys = flood::Keys::new(args.flood_accounts);
    let mut extra = shop_keys.genesis_accounts(&shop_settings);
    if !args.skip_flood {
        extra.extend(flood_keys.genesis_accounts());
    }
    let genesis = accounts::fund_genesis(&network.genesis_path(), &accounts, extra)?;
    let chain_id: ChainId = genesis.chain_id;
    for i in 0..network.len() {
        let config = network.configs[i].clone();
        network.start(i, &config, &[])?;
    }
    let all: Vec<usize> = (0..network.len()).collect();
    network.wait_height(&all, 1, Duration::from_secs(90))?;
    eprintln!(
        "==> {} validators are deciding blocks; {} bench accounts funded at genesis",
        network.len(),
        args.accounts
    );

    let tracker = Arc::new(watch::Tracker::default());
    let poll = Duration::from_millis(args.poll_ms.max(1));
    let watchers = watch::Watchers::start(&network.clients, &tracker, poll);
    let runner = load::Runner {
        network: &network,
        chain_id: chain_id.clone(),
        tracker: Arc::clone(&tracker),
        connections: args.connections.max(1),
        warmup: Duration::from_secs(args.warmup_secs),
        drain: Duration::from_secs(args.drain_secs),
    };
    let mut phases = Vec::new();
    let mut plan: Vec<Phase> = args
        .rates
        .iter()
        .map(|&rate| Phase {
            offered: Offered::Rate(rate),
            duration: Duration::from_secs(args.rate_secs),
            budget: usize::try_from(u64::from(rate) * args.rate_secs).unwrap_or(usize::MAX),
        })
        .collect();
    plan.push(Phase {
        offered: Offered::Max { floor: args.window, secs: args.window_secs },
        duration: Duration::from_secs(args.max_secs),
        budget: args.presign,
    });
    if args.skip_load {
        plan.clear();
    }
    for phase in &plan {
        eprintln!("==> offering {:?} for {:?}", phase.offered, phase.duration);
        let result = runner.run(&mut accounts, phase)?;
        eprintln!(
            "    accepted {} ({:.0}/s), committed {}/s, final {} of them, p50 {:?}, p99 {:?}",
            result.accepted,
            result.accepted_per_sec(),
            result.committed_per_sec.map_or_else(|| "-".into(), |r| format!("{r:.0}")),
            result.latencies.len(),
            load::quantile(&result.latencies, 0.5),
            load::quantile(&result.latencies, 0.99),
        );
        phases.push(result);
    }
    watchers.stop();
    for error in tracker.errors() {
        eprintln!("    block watcher: {error}");
    }

    // After the load phases (the watchers are stopped, so only the shop's requests reach the
    // nodes) and before the catch-up run changes the nodes' configs.
    let shop = (!args.skip_shop).then(|| shop::run(&network, &chain_id, &shop_keys, &shop_settings));

    // After the shop figures and before the catch-up run changes the nodes' configs.
    let flood_settings = flood::Settings {
        idle: Duration::from_secs(args.flood_idle_secs),
        phase: Duration::from_secs(args.flood_secs),
        readers: args.flood_readers,
        documents: args.flood_documents,
        accounts: args.flood_accounts,
        per_account: args.flood_per_account,
        single: args.flood_single,
        honest_every: Duration::from_millis(args.flood_honest_ms),
        poll,
    };
    let floods = (!args.skip_flood).then(|| flood::run(&network, &chain_id, &flood_keys, &flood_settings));

    let setup = report::Setup {
        profile: args.node_profile.clone(),
        validators: network.len(),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        accounts: args.accounts,
        connections: args.connections.max(1),
        node_settings: node_settings(&network.configs[0]),
        poll,
        warmup: Duration::from_secs(args.warmup_secs),
    };
    let catchup = if args.skip_catchup {
        None
    } else {
        let settings = catchup::Settings {
            heights: args.catchup_heights,
            production_limit: Duration::from_secs(args.catchup_production_secs),
            probe: Duration::from_secs(args.catchup_probe_secs),
            timeout: Duration::from_secs(args.catchup_timeout_secs),
            fast_heartbeat_ms: args.fast_heartbeat_ms.max(1),
        };
        Some(catchup::run(&mut network, &settings)?)
    };
    drop(network);
    report::print(&setup, &rates, &phases, shop.as_ref(), catchup.as_ref());
    if let Some(figures) = &floods {
        flood::print(figures, &flood_settings, &args.node_profile);
    }
    Ok(())
}
