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
        /// API listen address of the node.
        #[arg(long, default_value = "127.0.0.1:7700")]
        listen: SocketAddr,
    },
}

fn devnet(dir: &std::path::Path, listen: SocketAddr) -> anyhow::Result<()> {
    let template = genesis::Template::heerlen().context("the embedded Heerlen template")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize().with_context(|| format!("resolving {}", dir.display()))?;
    let devnet = genesis::devnet::create(&dir, &template, node::ledger::wall_clock_ms())?;
    let (_, _, key_path) = devnet.validators.first().context("the template has no validator")?;
    let mut config = Config::in_dir(&dir, listen);
    config.validator_key = key_path.clone();
    let config_path = dir.join("node.toml");
    std::fs::write(&config_path, config.to_toml()).with_context(|| format!("writing {}", config_path.display()))?;
    println!("chain_id {}", devnet.genesis.chain_id);
    println!("genesis {}", devnet.genesis_path.display());
    println!("config {}", config_path.display());
    for (name, address, phrase) in &devnet.accounts {
        println!("account {name} {address} {}", phrase.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HEITJE_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Devnet { dir, listen } => devnet(&dir, listen),
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
