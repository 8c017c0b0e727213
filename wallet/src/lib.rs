//! Heitje CLI wallet for residents, shops, officers, verifiers, the treasurer and the council.
//!
//! [`run`] turns the parsed arguments into checked [`settings::Settings`] and calls one
//! function in `commands`. Keys live in an encrypted [`store::keystore`]; the node is reached only
//! over HTTP through [`client`]; everything printed goes through [`output`].

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
#![deny(clippy::print_stdout)]

pub mod cli;
pub mod client;
pub mod commands;
mod context;
mod describe;
mod failure;
pub mod formats;
pub mod output;
pub mod settings;
pub mod store;
mod submit;

pub use failure::Failure;

use cli::{Cli, Command};
use commands::council::CouncilCommand;
use commands::task::TaskCommand;
use commands::{
    account, allowance, balance, block, budgets, contacts, council, evidence, history, me, pay, reconcile, redemptions,
    registrar, send, shop, statement, status, supply, task, treasury, tx, verify_chain,
};
use context::Context;

/// Runs one `heitje` command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let settings = settings::Settings::from_global(&cli.global).map_err(anyhow::Error::from)?;
    let ctx = Context::new(settings);
    dispatch(&ctx, cli.command).map_err(Failure::from)
}

/// Calls the command's `run`; `tasks` and `proposals` are short for `task list` and
/// `council proposals`.
fn dispatch(ctx: &Context, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Account(command) => account::run(ctx, command),
        Command::Status => status::run(ctx),
        Command::Balance(args) => balance::run(ctx, &args),
        Command::VerifyChain => verify_chain::run(ctx),
        Command::Me(args) => me::run(ctx, &args),
        Command::Statement(command) => statement::run(ctx, command),
        Command::Allowance(args) => allowance::run(ctx, &args),
        Command::History(args) => history::run(ctx, &args),
        Command::Tx(command) => tx::run(ctx, command),
        Command::Tasks => task::run(ctx, TaskCommand::List),
        Command::Task(command) => task::run(ctx, command),
        Command::Budgets => budgets::run(ctx),
        Command::Proposals => council::run(ctx, CouncilCommand::Proposals),
        Command::Redemptions(args) => redemptions::run(ctx, &args),
        Command::Supply => supply::run(ctx),
        Command::Evidence(command) => evidence::run(ctx, command),
        Command::Block(args) => block::run(ctx, &args),
        Command::Send(args) => send::run(ctx, &args),
        Command::Pay(args) => pay::run(ctx, &args),
        Command::Contacts(command) => contacts::run(ctx, command),
        Command::Reconcile(args) => reconcile::run(ctx, &args),
        Command::Council(command) => council::run(ctx, command),
        Command::Treasury(command) => treasury::run(ctx, command),
        Command::Registrar(command) => registrar::run(ctx, command),
        Command::Shop(command) => shop::run(ctx, command),
    }
}
