//! `heitje status`: the node's chain, height and last block.

use crate::context::Context;
use crate::formats::time::format_utc;
use crate::output::fields;

/// Runs `heitje status`.
pub(crate) fn run(ctx: &Context) -> anyhow::Result<()> {
    status(ctx)
}

/// `status`.
pub(crate) fn status(ctx: &Context) -> anyhow::Result<()> {
    let client = ctx.client();
    let status = client.status()?;
    ctx.out.result(&status, || {
        let sync = if status.caught_up {
            "at the head".to_owned()
        } else if status.network_height.0 > status.height.0.saturating_add(1) {
            format!("CATCHING UP (validators vote on height {})", status.network_height)
        } else {
            "CATCHING UP (just started or syncing)".to_owned()
        };
        fields(&[
            ("Node", client.base().to_owned()),
            ("Sync", sync),
            ("Chain", status.chain_id.clone()),
            ("Height", status.height.to_string()),
            ("Block time", format!("{} UTC", format_utc(status.time))),
            ("Block hash", status.block_hash.to_string()),
            ("State root", status.state_root.to_string()),
            ("Mempool", format!("{} transactions", status.mempool)),
            ("Validator", status.validator.to_string()),
            ("Genesis", status.genesis_hash.to_string()),
        ])
    })?;
    Ok(())
}
