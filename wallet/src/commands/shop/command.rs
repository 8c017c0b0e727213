//! The clap types of `heitje shop` (their doc comments are the help text) and its dispatch.

use std::path::PathBuf;

use clap::Subcommand;
use contracts::Amount;

use super::{counter, redeem, statement, tills};
use crate::context::Context;

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

/// Runs `heitje shop …`.
pub(crate) fn run(ctx: &Context, command: ShopCommand) -> anyhow::Result<()> {
    match command {
        ShopCommand::Request { amount, reference, expires, label, png, svg, no_qr, wait } => counter::request(
            ctx,
            &counter::RequestArgs {
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
            counter::wait(ctx, &reference, amount, merchant.as_deref(), timeout)
        }
        ShopCommand::Receipt { reference, merchant } => counter::receipt(ctx, &reference, merchant.as_deref()),
        ShopCommand::Payments { from, to, csv, merchant } => {
            statement::payments(ctx, from.as_deref(), to.as_deref(), csv.as_deref(), merchant.as_deref())
        }
        ShopCommand::Info { target } => tills::info(ctx, target.as_deref()),
        ShopCommand::Till(TillCommand::Link { till }) => tills::till(ctx, &till, true),
        ShopCommand::Till(TillCommand::Unlink { till }) => tills::till(ctx, &till, false),
        ShopCommand::Till(TillCommand::List) => tills::tills(ctx),
        ShopCommand::Redeem { amount } => redeem::redeem(ctx, amount),
    }
}
