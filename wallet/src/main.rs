//! The `heitje` command: parses the arguments and hands them to [`wallet::run`].

use std::process::ExitCode;

use clap::Parser;
use wallet::cli::Cli;

fn main() -> ExitCode {
    match wallet::run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure:#}");
            failure.exit_code()
        }
    }
}
