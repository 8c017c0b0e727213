//! `heitje-liar`: a validator node that lies in one way, for the test network only (ADR 005).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use liar::Lie;
use node::config::Config;

/// A Heitje validator with one lie installed, for tests of the honest validators' defences.
#[derive(Debug, Parser)]
#[command(name = "heitje-liar", version, about)]
struct Cli {
    /// The lie, applied whenever this validator proposes.
    #[arg(long, value_enum)]
    lie: Lie,
    /// The node's TOML config (as for `heitje-node run`).
    #[arg(long, short)]
    config: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    node::init_logging();
    tracing::warn!(lie = ?cli.lie, "this validator lies: test networks only");
    let result = Config::load(&cli.config).map_err(anyhow::Error::from).and_then(|config| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?
            .block_on(node::run_with(config, Arc::new(cli.lie)))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
