//! `heitje block`: one block, by height or the latest.

use std::fmt::Write as _;

use anyhow::anyhow;
use contracts::Height;

use crate::context::Context;
use crate::formats::time::format_utc;
use crate::output::fields;

/// The arguments of `heitje block`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A height, or `latest`.
    #[arg(default_value = "latest", value_name = "HEIGHT|latest")]
    pub height: String,
}

/// Runs `heitje block`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    block(ctx, &args.height)
}

/// `block [HEIGHT|latest]`.
pub(crate) fn block(ctx: &Context, height: &str) -> anyhow::Result<()> {
    let height = match height.trim() {
        "latest" => None,
        text => Some(Height(
            text.parse().map_err(|_| anyhow!("{text:?} is not a block height; give a number or `latest`"))?,
        )),
    };
    let block = ctx.client().block(height)?;
    ctx.out.result(&block, || {
        let header = &block.header;
        let mut text = fields(&[
            ("Block", header.height.to_string()),
            ("Hash", block.hash.to_string()),
            ("Time", format!("{} UTC", format_utc(header.time))),
            ("Chain", header.chain_id.to_string()),
            ("Parent", header.parent.to_string()),
            ("Proposer", header.proposer.to_string()),
            ("Transactions", header.tx_count.to_string()),
            ("State root", header.state_root.to_string()),
            (
                "Commit",
                block.cert.as_ref().map_or_else(
                    || "none (genesis)".to_owned(),
                    |cert| format!("round {}, {} signatures", cert.round, cert.signatures.len()),
                ),
            ),
        ]);
        for tx in &block.txs {
            let _ = writeln!(text, "  {tx}");
        }
        text
    })?;
    Ok(())
}
