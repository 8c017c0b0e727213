//! Command-line arguments: clap derive types only. The doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use contracts::primitives::{PayoutRef, WorkOrderRef};
use contracts::tx::RejectReason;
use contracts::{Amount, BudgetCode, Role};

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
  HEITJE_WAIT_SECS  how long to wait for a transaction to be final (like --wait-secs)";

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

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Node API URL, or several separated by commas: a node that is down, catching up or behind
    /// this wallet's last transaction is skipped for the next. `host:port` means `http://host:port`.
    #[arg(
        long,
        global = true,
        env = "HEITJE_NODE",
        default_value = "http://127.0.0.1:7700",
        value_name = "URL[,URL…]"
    )]
    pub node: String,

    /// Wallet directory; the keystore is DIR/keystore [default: $HOME/.heitje].
    #[arg(long, global = true, env = "HEITJE_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Local account to sign with or look at [default: the only account, if there is one].
    #[arg(short = 'a', long, global = true, env = "HEITJE_ACCOUNT", value_name = "NAME")]
    pub account: Option<String>,

    /// Print exactly one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Read the keystore password from the first line of FILE.
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Seconds to wait for a submitted transaction to be final.
    #[arg(
        long,
        global = true,
        env = "HEITJE_WAIT_SECS",
        default_value_t = 30,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub wait_secs: u64,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, restore, list and back up local accounts.
    #[command(subcommand)]
    Account(AccountCommand),

    /// Show the node's chain, height and last block.
    Status,

    /// Show an account's balance, roles and enrolment.
    Balance {
        /// Address or local account name [default: the selected account].
        #[arg(value_name = "ACCOUNT")]
        target: Option<String>,
    },

    /// Ask the node to replay the whole chain from genesis: every block's signatures, roots and
    /// commit certificate. Exit 1 if anything does not verify.
    VerifyChain,

    /// Everything the system holds about you: account, claims and their reviews, rewards per
    /// year, payments, your evidence records and who read them, the remaining allowance. With
    /// --export, all of it as one JSON file (GDPR articles 15 and 20).
    Me {
        /// Write everything to this JSON file.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
    },

    /// Year-end statements of rewards for a benefits desk.
    #[command(subcommand)]
    Statement(StatementCommand),

    /// Show what a resident may still earn this year under the annual cap.
    Allowance {
        /// Address or local account name [default: the selected account].
        #[arg(value_name = "ACCOUNT")]
        target: Option<String>,
    },

    /// Show an account's transactions, newest first.
    History {
        /// Address or local account name [default: the selected account].
        #[arg(value_name = "ACCOUNT")]
        target: Option<String>,
        /// Most entries to show.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
        limit: u16,
        /// Only entries below this height (to page back).
        #[arg(long, value_name = "HEIGHT")]
        before_height: Option<u64>,
    },

    /// Look up transactions.
    #[command(subcommand)]
    Tx(TxCommand),

    /// List tasks (same as `task list`).
    Tasks,

    /// Neighbourhood tasks: list, post, claim, submit work, approve, reject, cancel.
    #[command(subcommand)]
    Task(TaskCommand),

    /// List neighbourhood budgets.
    Budgets,

    /// List council proposals.
    Proposals,

    /// List shop redemptions (coins burned for a euro payout).
    Redemptions {
        /// Only redemptions with this status.
        #[arg(long, value_enum)]
        status: Option<RedemptionFilter>,
    },

    /// Show the supply reconciliation: minted, burned, outstanding, and whether it adds up.
    Supply,

    /// Download work evidence.
    #[command(subcommand)]
    Evidence(EvidenceCommand),

    /// Show a block.
    Block {
        /// A height, or `latest`.
        #[arg(default_value = "latest", value_name = "HEIGHT|latest")]
        height: String,
    },

    /// Send coins to an account.
    Send {
        /// Recipient: address or local account name.
        recipient: String,
        /// Coins, like 15 or 4.50.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Pay a shop's payment request: `heitje pay 'heitje:…'` (the URI or the scanned QR text;
    /// `-` reads it from stdin). Shows the shop's verified name, the amount and the expiry, and
    /// asks for confirmation. `heitje pay SHOP AMOUNT` pays a shop without a request.
    Pay {
        /// The payment request URI (`heitje:…`), `-` for stdin, or a shop's address or name.
        request: String,
        /// Coins, only when paying a shop without a request.
        #[arg(allow_hyphen_values = true)]
        amount: Option<Amount>,
    },

    /// The address book: names for the accounts you pay.
    #[command(subcommand)]
    Contacts(ContactsCommand),

    /// Show the reconciliation report: minted − burned = outstanding, and burned = settled +
    /// pending, at the last height or at a given one.
    Reconcile {
        /// The height [default: the last].
        #[arg(long)]
        height: Option<u64>,
    },

    /// Council: propose and approve mints, role changes and the approval threshold.
    #[command(subcommand)]
    Council(CouncilCommand),

    /// Treasurer: fund and defund budgets, settle redemptions.
    #[command(subcommand)]
    Treasury(TreasuryCommand),

    /// Registrar: enroll and unenroll residents; keep the merchant registry.
    #[command(subcommand)]
    Registrar(RegistrarCommand),

    /// Shops and tills: payment requests, confirmation at the counter, receipts, statements,
    /// tills and redemption.
    #[command(subcommand)]
    Shop(ShopCommand),
}

/// `heitje account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account with a new recovery phrase.
    New {
        /// Local name: a-z, 0-9, '-' and '_', at most 32 characters.
        name: String,
        /// Words in the recovery phrase.
        #[arg(long, value_enum, default_value = "24")]
        words: WordCount,
    },

    /// Restore an account from its recovery phrase.
    Restore {
        /// Local name: a-z, 0-9, '-' and '_', at most 32 characters.
        name: String,
        /// Read the phrase from FILE instead of asking for it.
        #[arg(long, value_name = "FILE")]
        phrase_file: Option<PathBuf>,
    },

    /// List local accounts and their addresses.
    List,

    /// Show a local account, and its balance and roles if the node is reachable.
    Show {
        /// Local account name [default: the selected account].
        name: Option<String>,
    },

    /// Show an account's recovery phrase (after confirmation and the password).
    ExportPhrase {
        /// Local account name.
        name: String,
    },
}

/// Words in a new recovery phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WordCount {
    /// 12 words (128 bits).
    #[value(name = "12")]
    Twelve,
    /// 24 words (256 bits).
    #[value(name = "24")]
    TwentyFour,
}

/// `heitje tx …`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Show a transaction and its outcome. Exits 1 if the ledger rejected it.
    Show {
        /// The transaction id (64 hex characters).
        id: String,
        /// Wait until it is final (up to --wait-secs); exits 3 if it is still pending.
        #[arg(long)]
        wait: bool,
    },
}

/// `heitje task …`.
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// List tasks.
    List,

    /// Show a task and its claims.
    Show {
        /// Task id.
        id: u64,
    },

    /// Officer: post a task paid from a budget; reward × slots goes into escrow.
    Post {
        /// Budget that pays, like grasbroek.
        #[arg(long)]
        budget: BudgetCode,
        /// Public description (at most 4 KiB). Stored by the node; only its hash goes on chain.
        #[arg(long)]
        title: String,
        /// Coins paid for each slot.
        #[arg(long)]
        reward: Amount,
        /// How many residents can do the task (1 to 1000).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1000))]
        slots: u16,
        /// YYYY-MM-DD (end of that day, UTC), YYYY-MM-DDTHH:MM (UTC), or +Nd, +Nh, +Nm, +Ns from now.
        #[arg(long, value_name = "DATE")]
        deadline: String,
        /// The maintenance department's work-order reference this task is additional to, like
        /// BOR-2026-0142 (required: no task may displace regular maintenance work).
        #[arg(long, value_name = "REF")]
        work_order: WorkOrderRef,
        /// Approvals each submission needs (k of n).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=7))]
        approvals: u8,
        /// Verifiers drawn for each submission (n, 1 to 7).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=7))]
        reviewers: u8,
        /// Save as a draft: nothing moves into escrow until `task open`.
        #[arg(long)]
        draft: bool,
    },

    /// Officer: publish a draft task; its escrow moves from the budget.
    Open {
        /// Task id.
        task: u64,
    },

    /// Resident: claim a slot of a task.
    Claim {
        /// Task id.
        task: u64,
    },

    /// Resident: submit work for a claim with evidence. The photos' metadata (EXIF with the GPS
    /// position, XMP, comments…) is removed on this device first; the node seals the evidence
    /// under its own key and only a commitment goes on chain.
    Submit {
        /// Claim id.
        claim: u64,
        /// A JPEG or PNG photo of the work; repeat for more (at most 8, 8 MiB together).
        #[arg(long = "evidence", value_name = "PHOTO")]
        photos: Vec<PathBuf>,
        /// A short note for the verifiers (at most 1000 characters). It must not contain names
        /// or addresses of other people.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Where the work was done, as LAT,LON in decimal degrees; rounded to about 10 m.
        #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
        location: Option<String>,
        /// Days the evidence store keeps the evidence before erasing it (1 to 730).
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=730))]
        retain_days: u64,
    },

    /// Verifier drawn for a claim: approve the work. With k approvals the objection window
    /// opens; the resident is paid when it closes.
    Approve {
        /// Claim id.
        claim: u64,
    },

    /// Verifier drawn for a claim: reject the work with a reason code the resident sees.
    Reject {
        /// Claim id.
        claim: u64,
        /// incomplete, evidence_unclear, wrong_location, quality_insufficient, duplicate,
        /// conflict_of_interest or not_additional.
        #[arg(long, value_name = "CODE")]
        reason: RejectReason,
    },

    /// Officer or verifier: object to approved work during its objection window. An officer's
    /// objection rejects it at once; a verifier's waits for an officer (`task resolve`).
    Object {
        /// Claim id.
        claim: u64,
        /// A reason code, as for `task reject`.
        #[arg(long, value_name = "CODE")]
        reason: RejectReason,
    },

    /// Officer: decide a verifier's objection.
    Resolve {
        /// Claim id.
        claim: u64,
        /// Uphold the objection: the work is rejected.
        #[arg(long, conflicts_with = "dismiss", required_unless_present = "dismiss")]
        uphold: bool,
        /// Dismiss it: the reward is paid when the window closes (at once if it has).
        #[arg(long)]
        dismiss: bool,
    },

    /// Your review work: as a verifier, the claims you were drawn for and have not voted on; as
    /// an officer, the claims on your tasks waiting for review, in their objection window, or
    /// overdue.
    Queue {
        /// Submitted work waiting longer than this many hours counts as overdue.
        #[arg(long, default_value_t = 72)]
        overdue_hours: u64,
    },

    /// Officer: cancel a task you posted; unpaid escrow returns to the budget.
    Cancel {
        /// Task id.
        task: u64,
    },
}

/// `heitje statement …`.
#[derive(Debug, Subcommand)]
pub enum StatementCommand {
    /// Write a signed statement of the rewards paid to you in YEAR, as JSON, text and PDF.
    Issue {
        /// Calendar year, like 2026.
        year: u16,
        /// Directory to write statement-YEAR.json, .txt and .pdf into.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Check a statement: its signature, and every line and the total against the chain.
    Verify {
        /// The statement JSON file.
        file: PathBuf,
    },
}

/// `heitje council …`.
#[derive(Debug, Subcommand)]
pub enum CouncilCommand {
    /// Propose a change; your proposal counts as your approval.
    #[command(subcommand)]
    Propose(ProposeCommand),

    /// Approve a proposal; at the threshold it executes.
    Approve {
        /// Proposal id.
        proposal: u64,
    },

    /// List proposals.
    Proposals,
}

/// `heitje council propose …`.
#[derive(Debug, Subcommand)]
pub enum ProposeCommand {
    /// Change the task-review rules; options left out keep their current value.
    TaskRules {
        /// Objection window in hours of block time.
        #[arg(long, value_name = "HOURS")]
        objection_window_hours: Option<u64>,
        /// Resubmission window in days.
        #[arg(long, value_name = "DAYS")]
        resubmit_days: Option<u64>,
        /// Annual earning cap per resident, in coins.
        #[arg(long, value_name = "COINS")]
        annual_cap: Option<Amount>,
        /// Largest share of one worker's reviews per verifier, in percent.
        #[arg(long, value_name = "PERCENT")]
        review_share: Option<u8>,
    },

    /// Mint new coins into the treasury.
    Mint {
        /// Coins to mint.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Give an account a role.
    Grant {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
        /// council, treasurer, registrar, officer, verifier or merchant.
        role: Role,
    },

    /// Take a role away from an account.
    Revoke {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
        /// council, treasurer, registrar, officer, verifier or merchant.
        role: Role,
    },

    /// Change how many council approvals a proposal needs.
    Threshold {
        /// Approvals needed.
        #[arg(value_parser = clap::value_parser!(u8).range(1..))]
        threshold: u8,
    },

    /// Add a validator. It votes from a few heights after approval (the same height on every
    /// node); its operator must also be added to the other validators' `[p2p] peers`.
    AddValidator {
        /// The validator's key as an address (`heitje-node` prints it; `GET /v1/status` shows
        /// it as `validator`).
        #[arg(value_name = "KEY")]
        key: String,
        /// Voting power.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        power: u64,
    },

    /// Remove a validator.
    RemoveValidator {
        /// The validator's key as an address.
        #[arg(value_name = "KEY")]
        key: String,
    },

    /// Replace a validator's key (a rotated or compromised key); the power stays.
    RotateValidator {
        /// The key in the set now.
        #[arg(value_name = "OLD_KEY")]
        old: String,
        /// The key that replaces it.
        #[arg(value_name = "NEW_KEY")]
        new: String,
    },

    /// Set the flat fee every redemption pays into the treasury (at most 100.00).
    RedemptionFee {
        /// The fee in coins, like 0.25.
        fee: Amount,
    },

    /// Set the smallest amount a shop may redeem (at most 10,000.00).
    RedemptionMinimum {
        /// The minimum in coins, like 5.00.
        min: Amount,
    },
}

/// `heitje treasury …`.
#[derive(Debug, Subcommand)]
pub enum TreasuryCommand {
    /// Move coins from the treasury into a budget (created on first funding).
    Fund {
        /// Budget code, like grasbroek.
        budget: BudgetCode,
        /// Coins.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Return unused coins from a budget to the treasury.
    Defund {
        /// Budget code.
        budget: BudgetCode,
        /// Coins.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },

    /// Settlement of redemptions: export the payout batch, then record it on chain.
    #[command(subcommand)]
    Settlement(SettlementCommand),

    /// Record that one redemption was paid out in euros.
    Settle {
        /// Redemption id.
        redemption: u64,
        /// Payout reference of the bank transfer: A-Z, 0-9, '-', '/', '.', at most 35.
        #[arg(long, value_name = "REF")]
        reference: PayoutRef,
    },
}

/// `heitje registrar …`.
#[derive(Debug, Subcommand)]
pub enum RegistrarCommand {
    /// Enroll a resident's account.
    Enroll {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
    },

    /// End a resident's enrolment; the account keeps its coins.
    Unenroll {
        /// Address or local account name.
        #[arg(value_name = "ACCOUNT")]
        target: String,
    },

    /// The off-chain merchant registry: verified shop names and payout bank accounts.
    #[command(subcommand)]
    Merchant(MerchantCommand),
}

/// `heitje registrar merchant …`.
#[derive(Debug, Subcommand)]
pub enum MerchantCommand {
    /// Record (or replace) a shop's verified name and bank account; signed by you as registrar.
    Set {
        /// The shop's address or local account name.
        #[arg(value_name = "SHOP")]
        target: String,
        /// The name payers see, as checked against the trade register.
        #[arg(long)]
        name: String,
        /// The bank account redemptions are paid to.
        #[arg(long)]
        iban: String,
        /// The bank's BIC, if known.
        #[arg(long)]
        bic: Option<String>,
    },

    /// Withdraw a shop's registry record: its name and bank details are erased on every node.
    Revoke {
        /// The shop's address or local account name.
        #[arg(value_name = "SHOP")]
        target: String,
    },

    /// Show a shop's registry record; the bank details only to the treasurer, a registrar or the
    /// shop itself (every such read is logged).
    Show {
        /// The shop's address or local account name [default: the selected account].
        #[arg(value_name = "SHOP")]
        target: Option<String>,
        /// Also read the bank details (a logged read).
        #[arg(long)]
        bank: bool,
    },
}

/// `heitje treasury settlement …`.
#[derive(Debug, Subcommand)]
pub enum SettlementCommand {
    /// Export every open redemption as a SEPA credit transfer batch (pain.001 XML) and a CSV,
    /// with a manifest for `record`.
    Export {
        /// Directory to write the files to; created if missing, existing files are not replaced.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The batch's payout reference, used as message id and recorded on chain.
        #[arg(long, value_name = "REF")]
        payout_ref: PayoutRef,
        /// Requested execution date, YYYY-MM-DD [default: today, UTC].
        #[arg(long, value_name = "DATE")]
        execution_date: Option<String>,
        /// The municipality's account name (debtor).
        #[arg(long, env = "HEITJE_DEBTOR_NAME", default_value = "Gemeente Heerlen")]
        debtor_name: String,
        /// The municipality's IBAN (debtor).
        #[arg(long, env = "HEITJE_DEBTOR_IBAN")]
        debtor_iban: String,
        /// The municipality's BIC (debtor).
        #[arg(long, env = "HEITJE_DEBTOR_BIC")]
        debtor_bic: Option<String>,
    },

    /// Record on chain which redemptions the bank paid, from an exported batch manifest. Safe to
    /// run again after a crash: redemptions already recorded under this batch are skipped.
    Record {
        /// The `batch.json` written by `export`.
        #[arg(value_name = "MANIFEST")]
        manifest: PathBuf,
    },
}

/// `heitje shop …`.
#[derive(Debug, Subcommand)]
pub enum ShopCommand {
    /// Create a payment request (as the shop or a linked till): prints the `heitje:` URI and a
    /// QR code, optionally saves it as PNG/SVG, and with `--wait` waits for the payment.
    Request {
        /// Coins, like 4.50.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
        /// Your order or receipt number (A-Z, a-z, 0-9, '-'; at most 32) [default: a new one].
        #[arg(long = "ref", value_name = "REF")]
        reference: Option<String>,
        /// How long the request can be paid, like 90s, 15m or 2h.
        #[arg(long, default_value = "15m", value_name = "DURATION")]
        expires: String,
        /// A short text for the payer (shown as unverified).
        #[arg(long)]
        label: Option<String>,
        /// Save the QR code as PNG.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        /// Save the QR code as SVG.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Do not print the QR code.
        #[arg(long)]
        no_qr: bool,
        /// Wait for the payment and print PAID when it is final.
        #[arg(long)]
        wait: bool,
    },

    /// Wait at the counter until a request is paid: prints PAID once the block holding the
    /// payment is final (exit 0), or NOT PAID at the timeout (exit 3).
    Wait {
        /// The request's reference.
        #[arg(value_name = "REF")]
        reference: String,
        /// The amount asked: a payment of another amount is reported as a mismatch.
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<Amount>,
        /// The shop [default: yours, or the shop your till is linked to].
        #[arg(long, value_name = "SHOP")]
        merchant: Option<String>,
        /// Seconds to wait.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },

    /// A payment's receipt (text, or JSON with --json).
    Receipt {
        /// The request's reference.
        #[arg(value_name = "REF")]
        reference: String,
        /// The shop [default: yours, or the shop your till is linked to].
        #[arg(long, value_name = "SHOP")]
        merchant: Option<String>,
    },

    /// Payments received in a period; `--csv FILE` writes the statement as CSV.
    Payments {
        /// First day, YYYY-MM-DD (UTC) [default: the beginning].
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (UTC), included [default: today].
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Write the statement as CSV to this file (it must not exist).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// The shop [default: yours, or the shop your till is linked to].
        #[arg(long, value_name = "SHOP")]
        merchant: Option<String>,
    },

    /// A shop's verified name, registration and tills.
    Info {
        /// The shop's address or local account name [default: the selected account].
        #[arg(value_name = "SHOP")]
        target: Option<String>,
    },

    /// Link and unlink till (staff) accounts: receive-only, effective in the next block.
    #[command(subcommand)]
    Till(TillCommand),

    /// Burn coins for a euro payout by the treasurer. A redemption interrupted before it was
    /// final is retried with the same idempotency key, so it never burns twice.
    Redeem {
        /// Coins.
        #[arg(allow_hyphen_values = true)]
        amount: Amount,
    },
}

/// `heitje shop till …`.
#[derive(Debug, Subcommand)]
pub enum TillCommand {
    /// Link a till account to your shop.
    Link {
        /// The till's address or local account name.
        #[arg(value_name = "TILL")]
        till: String,
    },
    /// Unlink a till account: from the next block it can no longer sign requests.
    Unlink {
        /// The till's address or local account name.
        #[arg(value_name = "TILL")]
        till: String,
    },
    /// List your shop's tills.
    List,
}

/// `heitje contacts …`.
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Add or replace a contact.
    Add {
        /// A short name: a-z, 0-9, '-' and '_'.
        name: String,
        /// The address (heitje1…).
        address: String,
    },
    /// Remove a contact.
    Remove {
        /// The name.
        name: String,
    },
    /// List the contacts.
    List,
}

/// `heitje evidence …`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Read work evidence: as a drawn verifier, the officer who posted the task, or the
    /// resident who submitted it. The node records the read in its audit log.
    Get {
        /// The commitment (64 hex characters), as shown by `heitje task show`.
        commitment: String,
        /// Directory to write the photos to (created if missing; files are never overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Resident: erase your evidence on every node (the record and its key). Allowed once the
    /// claim is final, or if it was never submitted; refused while it is under review.
    Erase {
        /// The commitment (64 hex characters).
        commitment: String,
    },
    /// Resident: your evidence records on the node, live or erased, and who read them.
    List,
}

/// Which redemptions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RedemptionFilter {
    /// Burned, payout not yet recorded.
    Pending,
    /// Paid out.
    Settled,
}
