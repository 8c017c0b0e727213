//! Heitje CLI wallet for residents, shops, officers, verifiers, the treasurer and the council.
//!
//! [`run`] turns the parsed arguments into checked [`settings::Settings`] and calls one
//! function in `commands`. Keys live in an encrypted [`store::keystore`]; the node is reached only
//! over HTTP through [`client`]; everything printed goes through [`output`].

#![deny(clippy::print_stdout)]

pub mod cli;
pub mod client;
mod commands;
mod context;
mod describe;
mod failure;
pub mod formats;
pub mod output;
pub mod settings;
pub mod store;
mod submit;

pub use failure::Failure;

use cli::{
    AccountCommand, Cli, Command, ContactsCommand, CouncilCommand, EvidenceCommand, MerchantCommand, RegistrarCommand,
    SettlementCommand, ShopCommand, StatementCommand, TaskCommand, TillCommand, TreasuryCommand, TxCommand,
};
use commands::{
    account, contacts, council, me, payments, query, registrar, registry, review, settle, shop, task, transfer,
    treasury,
};
use context::Context;

/// Runs one `heitje` command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let settings = settings::Settings::from_global(&cli.global).map_err(anyhow::Error::from)?;
    let ctx = Context::new(settings);
    dispatch(&ctx, cli.command).map_err(Failure::from)
}

fn dispatch(ctx: &Context, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Account(command) => match command {
            AccountCommand::New { name, words } => account::new(ctx, &name, words),
            AccountCommand::Restore { name, phrase_file } => account::restore(ctx, &name, phrase_file.as_deref()),
            AccountCommand::List => account::list(ctx),
            AccountCommand::Show { name } => account::show(ctx, name.as_deref()),
            AccountCommand::ExportPhrase { name } => account::export_phrase(ctx, &name),
        },
        Command::Status => query::status(ctx),
        Command::Balance { target } => query::balance(ctx, target.as_deref()),
        Command::Allowance { target } => review::allowance(ctx, target.as_deref()),
        Command::VerifyChain => review::verify_chain(ctx),
        Command::Me { export } => me::me(ctx, export.as_deref()),
        Command::Statement(StatementCommand::Issue { year, out }) => me::issue_statement(ctx, year, &out),
        Command::Statement(StatementCommand::Verify { file }) => me::verify_statement(ctx, &file),
        Command::History { target, limit, before_height } => {
            query::history(ctx, target.as_deref(), limit, before_height)
        }
        Command::Tx(TxCommand::Show { id, wait }) => query::tx_show(ctx, &id, wait),
        Command::Tasks | Command::Task(TaskCommand::List) => query::tasks(ctx),
        Command::Task(command) => match command {
            TaskCommand::List => query::tasks(ctx),
            TaskCommand::Show { id } => query::task(ctx, id),
            TaskCommand::Post { budget, title, reward, slots, deadline, work_order, approvals, reviewers, draft } => {
                task::post(
                    ctx,
                    &task::Posting {
                        budget: &budget,
                        title: &title,
                        reward,
                        slots,
                        deadline: &deadline,
                        work_order: &work_order,
                        approvals,
                        reviewers,
                        draft,
                    },
                )
            }
            TaskCommand::Open { task: id } => task::open(ctx, id),
            TaskCommand::Claim { task: id } => task::claim(ctx, id),
            TaskCommand::Submit { claim, photos, note, location, retain_days } => task::submit_work(
                ctx,
                claim,
                &task::Submission {
                    photos: &photos,
                    note: note.as_deref(),
                    location: location.as_deref(),
                    retain_days,
                },
            ),
            TaskCommand::Approve { claim } => task::approve(ctx, claim),
            TaskCommand::Reject { claim, reason } => task::reject(ctx, claim, reason),
            TaskCommand::Object { claim, reason } => task::object(ctx, claim, reason),
            TaskCommand::Resolve { claim, uphold, dismiss: _ } => task::resolve(ctx, claim, uphold),
            TaskCommand::Queue { overdue_hours } => review::queue(ctx, overdue_hours),
            TaskCommand::Cancel { task: id } => task::cancel(ctx, id),
        },
        Command::Budgets => query::budgets(ctx),
        Command::Proposals | Command::Council(CouncilCommand::Proposals) => query::proposals(ctx),
        Command::Redemptions { status } => query::redemptions(ctx, status),
        Command::Supply => query::supply(ctx),
        Command::Evidence(EvidenceCommand::Get { commitment, out }) => commands::evidence::get(ctx, &commitment, &out),
        Command::Evidence(EvidenceCommand::Erase { commitment }) => commands::evidence::erase(ctx, &commitment),
        Command::Evidence(EvidenceCommand::List) => commands::evidence::list(ctx),
        Command::Block { height } => query::block(ctx, &height),
        Command::Send { recipient, amount } => transfer::send(ctx, &recipient, amount),
        Command::Pay { request, amount: None } => payments::pay_request(ctx, &request),
        Command::Pay { request, amount: Some(amount) } => transfer::pay(ctx, &request, amount),
        Command::Contacts(command) => match command {
            ContactsCommand::Add { name, address } => contacts::add(ctx, &name, &address),
            ContactsCommand::Remove { name } => contacts::remove(ctx, &name),
            ContactsCommand::List => contacts::list(ctx),
        },
        Command::Reconcile { height } => payments::reconcile(ctx, height),
        Command::Council(command) => match command {
            CouncilCommand::Propose(propose) => council::propose(ctx, &propose),
            CouncilCommand::Approve { proposal } => council::approve(ctx, proposal),
            CouncilCommand::Proposals => query::proposals(ctx),
        },
        Command::Treasury(command) => match command {
            TreasuryCommand::Fund { budget, amount } => treasury::fund(ctx, &budget, amount),
            TreasuryCommand::Defund { budget, amount } => treasury::defund(ctx, &budget, amount),
            TreasuryCommand::Settle { redemption, reference } => treasury::settle(ctx, redemption, &reference),
            TreasuryCommand::Settlement(SettlementCommand::Export {
                out,
                payout_ref,
                execution_date,
                debtor_name,
                debtor_iban,
                debtor_bic,
            }) => settle::export(
                ctx,
                &settle::ExportArgs {
                    out: &out,
                    payout_ref: &payout_ref,
                    execution_date: execution_date.as_deref(),
                    debtor_name: &debtor_name,
                    debtor_iban: &debtor_iban,
                    debtor_bic: debtor_bic.as_deref(),
                },
            ),
            TreasuryCommand::Settlement(SettlementCommand::Record { manifest }) => settle::record(ctx, &manifest),
        },
        Command::Registrar(command) => match command {
            RegistrarCommand::Enroll { target } => registrar::enroll(ctx, &target),
            RegistrarCommand::Unenroll { target } => registrar::unenroll(ctx, &target),
            RegistrarCommand::Merchant(command) => match command {
                MerchantCommand::Set { target, name, iban, bic } => {
                    registry::set(ctx, &target, &name, &iban, bic.as_deref())
                }
                MerchantCommand::Revoke { target } => registry::revoke(ctx, &target),
                MerchantCommand::Show { target, bank } => registry::show(ctx, target.as_deref(), bank),
            },
        },
        Command::Shop(command) => match command {
            ShopCommand::Request { amount, reference, expires, label, png, svg, no_qr, wait } => payments::request(
                ctx,
                &payments::RequestArgs {
                    amount,
                    reference: reference.as_deref(),
                    expires: &expires,
                    label: label.as_deref(),
                    png: png.as_deref(),
                    svg: svg.as_deref(),
                    no_qr,
                    wait,
                },
            ),
            ShopCommand::Wait { reference, amount, merchant, timeout } => {
                payments::wait(ctx, &reference, amount, merchant.as_deref(), timeout)
            }
            ShopCommand::Receipt { reference, merchant } => payments::receipt(ctx, &reference, merchant.as_deref()),
            ShopCommand::Payments { from, to, csv, merchant } => {
                payments::payments(ctx, from.as_deref(), to.as_deref(), csv.as_deref(), merchant.as_deref())
            }
            ShopCommand::Info { target } => payments::info(ctx, target.as_deref()),
            ShopCommand::Till(TillCommand::Link { till }) => payments::till(ctx, &till, true),
            ShopCommand::Till(TillCommand::Unlink { till }) => payments::till(ctx, &till, false),
            ShopCommand::Till(TillCommand::List) => payments::tills(ctx),
            ShopCommand::Redeem { amount } => shop::redeem(ctx, amount),
        },
    }
}
