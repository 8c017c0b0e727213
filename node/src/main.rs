//! `heitje-node`: run a validator, or create a dev network from the embedded Heerlen genesis.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use node::config::Config;

/// Heitje validator node.
#[derive(Debug, Parser)]
#[command(name = "heitje-node", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the node with a config file (HEITJE_* environment variables override it).
    Run {
        /// The node's TOML config.
        #[arg(long, short, env = "HEITJE_CONFIG")]
        config: PathBuf,
    },
    /// Create a dev network from the embedded Heerlen genesis with fresh keys.
    Devnet {
        /// Directory to create it in (must not hold a network yet).
        #[arg(long, default_value = ".devnet")]
        dir: PathBuf,
        /// API listen address of the first node; node k listens on the port + k - 1.
        #[arg(long, default_value = "127.0.0.1:7700")]
        listen: SocketAddr,
        /// How many validators (the first ones of the template's slots; Heerlen has 4).
        #[arg(long)]
        validators: Option<usize>,
        /// Consensus port of the first node; node k uses the port + k - 1, and gossip the port + 100 + k - 1.
        #[arg(long, default_value_t = 27000)]
        p2p_port: u16,
        /// Objection window of this dev network in seconds, instead of Heerlen's 48 hours, so
        /// that a demo or a test sees rewards paid. Written into the devnet's genesis.
        #[arg(long, value_name = "SECONDS")]
        objection_window_secs: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    node::init_logging();
    let result = match cli.command {
        Command::Devnet { dir, listen, validators, p2p_port, objection_window_secs } => {
            node::devnet::create(&dir, listen, validators, p2p_port, objection_window_secs)
        }
        Command::Run { config } => Config::load(&config).map_err(anyhow::Error::from).and_then(|config| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?
                .block_on(node::run(config))
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
