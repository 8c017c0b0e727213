//! Command-line arguments (clap). The doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Heitje whole-network benchmark.
#[derive(Debug, Parser)]
#[command(name = "heitje-loadgen", version, about)]
pub struct Cli {
    /// What to measure.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure only this machine's ed25519 verify rates (single and batch, 1 and 2 threads).
    Verify(VerifyArgs),
    /// Measure the verify rates, then start a 4-validator network on loopback and measure
    /// throughput, finality latency, the shop figures, the flood figures and catch-up; prints
    /// tables of figures on stdout.
    Bench(Box<BenchArgs>),
}

/// Options of `verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Signatures per measurement.
    #[arg(long, default_value_t = 20_000)]
    pub signatures: usize,
}

/// Options of `bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The `heitje-node` binary to run.
    #[arg(long)]
    pub node_bin: PathBuf,
    /// Working directory for the network (created; must not hold a network yet).
    #[arg(long)]
    pub dir: PathBuf,
    /// Build profile of the node binary, printed with the figures (e.g. `dev`).
    #[arg(long, default_value = "unknown")]
    pub node_profile: String,
    /// Funded bench accounts added to the genesis (each sends to the next).
    #[arg(long, default_value_t = 4_000)]
    pub accounts: usize,
    /// HTTP connections (worker threads) per node.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Fixed offered loads to measure latency at, in transactions per second.
    #[arg(long, value_delimiter = ',', default_value = "100,1000")]
    pub rates: Vec<u32>,
    /// Seconds each fixed offered load runs.
    #[arg(long, default_value_t = 20)]
    pub rate_secs: u64,
    /// Seconds the maximum-load phase runs.
    #[arg(long, default_value_t = 30)]
    pub max_secs: u64,
    /// Maximum load: the closed loop keeps at most max(--window, --window-secs × the phase's
    /// committed rate so far) submitted transactions not yet seen final.
    #[arg(long, default_value_t = 4_000)]
    pub window: usize,
    /// Maximum load: seconds of the committed rate the window grows to when that is larger.
    #[arg(long, default_value_t = 4)]
    pub window_secs: u64,
    /// Maximum load: transactions signed in advance (the phase ends early if they run out).
    #[arg(long, default_value_t = 240_000)]
    pub presign: usize,
    /// Seconds at the start of a phase left out of the throughput figure.
    #[arg(long, default_value_t = 5)]
    pub warmup_secs: u64,
    /// Longest wait after a phase for its transactions to become final.
    #[arg(long, default_value_t = 60)]
    pub drain_secs: u64,
    /// Milliseconds between two polls of a node's head by the block watchers.
    #[arg(long, default_value_t = 10)]
    pub poll_ms: u64,
    /// Skip the load phases (throughput and latency).
    #[arg(long)]
    pub skip_load: bool,
    /// Skip the catch-up measurement.
    #[arg(long)]
    pub skip_catchup: bool,
    /// Skip the shop figures (counter latency of a payment; burning and settling redemptions).
    #[arg(long)]
    pub skip_shop: bool,
    /// Skip the flood figures (heavy reads, document posts, mempool floods at one node).
    #[arg(long)]
    pub skip_flood: bool,
    /// Run only the flood figures (skips the load phases, the shop figures and catch-up).
    #[arg(long, conflicts_with = "skip_flood")]
    pub only_flood: bool,
    /// Floods: seconds of the idle baseline (honest transfers only).
    #[arg(long, default_value_t = 20)]
    pub flood_idle_secs: u64,
    /// Floods: longest seconds each flood phase runs.
    #[arg(long, default_value_t = 30)]
    pub flood_secs: u64,
    /// Floods: parallel heavy readers at one node.
    #[arg(long, default_value_t = 64)]
    pub flood_readers: usize,
    /// Floods: document posts at one node.
    #[arg(long, default_value_t = 10_000)]
    pub flood_documents: usize,
    /// Floods: accounts of the many-account mempool flood.
    #[arg(long, default_value_t = 500)]
    pub flood_accounts: usize,
    /// Floods: transfers signed in advance for each of those accounts.
    #[arg(long, default_value_t = 100)]
    pub flood_per_account: usize,
    /// Floods: transfers signed in advance for the one-account flood.
    #[arg(long, default_value_t = 30_000)]
    pub flood_single: usize,
    /// Floods: milliseconds between two honest transfers.
    #[arg(long, default_value_t = 200)]
    pub flood_honest_ms: u64,
    /// Shop: payments at the counter, one at a time, each awaited on another node.
    #[arg(long, default_value_t = 200)]
    pub shop_payments: usize,
    /// Shop: redemptions of 1.00 burned by 100 merchants, then settled by the treasurer in
    /// batches of 100.
    #[arg(long, default_value_t = 10_000)]
    pub shop_redemptions: usize,
    /// Heights the stopped validator falls behind before it restarts.
    #[arg(long, default_value_t = 1_000)]
    pub catchup_heights: u64,
    /// Longest time the other validators get to produce those heights (fewer are used if slower).
    #[arg(long, default_value_t = 120)]
    pub catchup_production_secs: u64,
    /// Seconds the restarted validator runs with its unchanged config before the fast-cadence run.
    #[arg(long, default_value_t = 15)]
    pub catchup_probe_secs: u64,
    /// Longest wait for the restarted validator to reach the head.
    #[arg(long, default_value_t = 180)]
    pub catchup_timeout_secs: u64,
    /// Block heartbeat (ms) of the fast-cadence configs used to produce heights and to catch up.
    #[arg(long, default_value_t = 1)]
    pub fast_heartbeat_ms: u64,
    /// Signatures per verify-rate measurement.
    #[arg(long, default_value_t = 20_000)]
    pub signatures: usize,
}
