//! The command line: the top-level [`Cli`] with the global options, and the [`Command`] enum whose
//! variants wrap each command's own clap types in [`crate::commands`]. The doc comments are the
//! help text.

use clap::{Parser, Subcommand};

use crate::commands::{
    account, allowance, balance, block, contacts, council, evidence, history, me, pay, reconcile, redemptions,
    registrar, send, shop, statement, task, treasury, tx,
};
use crate::settings::Global;

/// Shown after `heitje --help`: exit codes and environment variables.
pub const AFTER_HELP: &str = "\
Amounts are coins with at most two decimals (15, 4.50); 1 coin = EUR 1.
Where an ACCOUNT is asked, give a heitje1… address or the name of a local account.

Exit codes:
  0  success
  1  refused by the ledger: rejected at submission (422) or in the receipt
  2  bad input, configuration, keystore or file error, or the node could not be reached
  3  submitted but not final within the wait: the outcome is unknown;
     look it up later with `heitje tx show ID --wait`

Environment:
  HEITJE_NODE       node API URL(s) (like --node)
  HEITJE_HOME       wallet directory (like --home)
  HEITJE_ACCOUNT    account to use (like --account)
  HEITJE_PASSWORD   keystore password, for scripts (else --password-file, else a prompt)
  HEITJE_WAIT_SECS  how long to wait for a transaction to be final (like --wait-secs)
  HEITJE_ALLOW_PLAIN_HTTP  send signed requests over plain http to another machine
                    (like --allow-plain-http; refused otherwise: no TLS yet)";

/// Heitje wallet: the Heerlen community currency from the command line.
///
/// Residents earn coins for neighbourhood tasks and pay shops with them; officers, verifiers,
/// the treasurer, the registrar and the council run the scheme. Keys stay in an encrypted
/// keystore on this computer; the wallet talks to a Heitje node over HTTP.
#[derive(Debug, Parser)]
#[command(name = "heitje", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, restore, list and back up local accounts.
    #[command(subcommand)]
    Account(account::AccountCommand),

    /// Show the node's chain, height and last block.
    Status,

    /// Show an account's balance, roles and enrolment.
    Balance(balance::Args),

    /// Ask the node to replay the whole chain from genesis: every block's signatures, roots and
    /// commit certificate. Exit 1 if anything does not verify.
    VerifyChain,

    /// Everything the system holds about you: account, claims and their reviews, rewards per
    /// year, payments, your evidence records and who read them, the remaining allowance. With
    /// --export, all of it as one JSON file (GDPR articles 15 and 20).
    Me(me::Args),

    /// Year-end statements of rewards for a benefits desk.
    #[command(subcommand)]
    Statement(statement::StatementCommand),

    /// Show what a resident may still earn this year under the annual cap.
    Allowance(allowance::Args),

    /// Show an account's transactions, newest first.
    History(history::Args),

    /// Look up transactions.
    #[command(subcommand)]
    Tx(tx::TxCommand),

    /// List tasks (same as `task list`).
    Tasks,

    /// Neighbourhood tasks: list, post, claim, submit work, approve, reject, cancel.
    #[command(subcommand)]
    Task(task::TaskCommand),

    /// List neighbourhood budgets.
    Budgets,

    /// List council proposals.
    Proposals,

    /// List shop redemptions (coins burned for a euro payout).
    Redemptions(redemptions::Args),

    /// Show the supply reconciliation: minted, burned, outstanding, and whether it adds up.
    Supply,

    /// Download work evidence.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCommand),

    /// Show a block.
    Block(block::Args),

    /// Send coins to an account.
    Send(send::Args),

    /// Pay a shop's payment request: `heitje pay 'heitje:…'` (the URI or the scanned QR text;
    /// `-` reads it from stdin). Shows the shop's verified name, the amount and the expiry, and
    /// asks for confirmation. `heitje pay SHOP AMOUNT` pays a shop without a request.
    Pay(pay::Args),

    /// The address book: names for the accounts you pay.
    #[command(subcommand)]
    Contacts(contacts::ContactsCommand),

    /// Show the reconciliation report: minted − burned = outstanding, and burned = settled +
    /// pending, at the last height or at a given one.
    Reconcile(reconcile::Args),

    /// Council: propose and approve mints, role changes and the approval threshold.
    #[command(subcommand)]
    Council(council::CouncilCommand),

    /// Treasurer: fund and defund budgets, settle redemptions.
    #[command(subcommand)]
    Treasury(treasury::TreasuryCommand),

    /// Registrar: enroll and unenroll residents; keep the merchant registry.
    #[command(subcommand)]
    Registrar(registrar::RegistrarCommand),

    /// Shops and tills: payment requests, confirmation at the counter, receipts, statements,
    /// tills and redemption.
    #[command(subcommand)]
    Shop(shop::ShopCommand),
}
