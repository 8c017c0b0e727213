//! `heitje tx`: look up a transaction and its outcome.

use std::fmt::Write as _;

use anyhow::anyhow;
use api::{TxState, TxStatus};
use clap::Subcommand;
use contracts::{Hash, Outcome};

use crate::context::Context;
use crate::failure::{Refused, Unconfirmed};
use crate::formats::time::format_utc;
use crate::output::fields;
use crate::{describe, submit};

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

/// Runs `heitje tx …`.
pub(crate) fn run(ctx: &Context, command: TxCommand) -> anyhow::Result<()> {
    match command {
        TxCommand::Show { id, wait } => tx_show(ctx, &id, wait),
    }
}

/// Reads a 64-hex-digit hash given on the command line; `what` names it in the error.
pub(crate) fn hash_arg(text: &str, what: &str) -> anyhow::Result<Hash> {
    Hash::from_hex(text).map_err(|err| anyhow!("{what} {text:?} is not valid: {err}"))
}

/// `tx show ID [--wait]`: exits 1 if the ledger rejected it, 3 if `--wait` ran out.
pub(crate) fn tx_show(ctx: &Context, id: &str, wait: bool) -> anyhow::Result<()> {
    let tx_id = hash_arg(id, "transaction id")?;
    let client = ctx.client();
    let mut status = client.tx(&tx_id, None)?;
    if wait && status.state == TxState::Pending {
        match submit::wait(&client, &tx_id, ctx.settings.wait, false)? {
            Some(committed) => status = committed,
            None => {
                ctx.out.json_only(&status)?;
                return Err(Unconfirmed { tx_id, seconds: ctx.settings.wait.as_secs(), detail: String::new() }.into());
            }
        }
    }
    ctx.out.result(&status, || tx_text(&status))?;
    if let Some(Outcome::Rejected { reason, message, .. }) = &status.outcome {
        return Err(Refused(format!("the ledger rejected transaction {tx_id}: {message} ({reason})")).into());
    }
    Ok(())
}

fn tx_text(status: &TxStatus) -> String {
    let mut pairs = vec![
        ("Transaction", status.tx_id.to_string()),
        ("Signer", status.signer.to_string()),
        ("Nonce", status.nonce.to_string()),
        ("Action", format!("{}: {}", status.action.name(), describe::action(&status.action))),
    ];
    match status.state {
        TxState::Pending => pairs.push(("State", "pending (in the mempool, not yet final)".to_owned())),
        TxState::Committed => {
            pairs.push(("State", "final".to_owned()));
            if let Some(height) = status.height {
                pairs.push(("Height", height.to_string()));
            }
            if let Some(time) = status.time {
                pairs.push(("Block time", format!("{} UTC", format_utc(time))));
            }
            if let Some(hash) = status.block_hash {
                pairs.push(("Block hash", hash.to_string()));
            }
        }
    }
    match &status.outcome {
        Some(Outcome::Accepted { .. }) => pairs.push(("Outcome", "accepted".to_owned())),
        Some(Outcome::Rejected { code, reason, message }) => {
            pairs.push(("Outcome", format!("rejected: {message} ({reason}, code {code})")));
        }
        None => {}
    }
    let mut text = fields(&pairs);
    for event in submit::events(status) {
        let _ = writeln!(text, "  - {}", describe::event(event));
    }
    text
}
