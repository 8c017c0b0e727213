//! `heitje verify-chain`: the node replays the whole chain from genesis and reports.

use crate::context::Context;

/// Runs `heitje verify-chain`.
pub(crate) fn run(ctx: &Context) -> anyhow::Result<()> {
    verify_chain(ctx)
}

/// `verify-chain`.
pub(crate) fn verify_chain(ctx: &Context) -> anyhow::Result<()> {
    let check = ctx.client().verify_chain()?;
    ctx.out.result(&check, || match &check.error {
        None => format!(
            "CHAIN VERIFIED: {} blocks and {} transactions replayed from genesis to height {}; state root {}\n",
            check.blocks, check.txs, check.height, check.state_root
        ),
        Some(error) => format!("CHAIN DOES NOT VERIFY at height {}: {error}\n", check.height),
    })?;
    if check.ok { Ok(()) } else { Err(crate::failure::Refused(check.error.unwrap_or_default()).into()) }
}
