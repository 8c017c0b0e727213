//! `heitje supply`: the supply reconciliation (minted, burned, outstanding).

use crate::context::Context;
use crate::output::{fields, yes_no};

/// Runs `heitje supply`.
pub(crate) fn run(ctx: &Context) -> anyhow::Result<()> {
    supply(ctx)
}

/// `supply`: the reconciliation, with "conserved" as yes or no.
pub(crate) fn supply(ctx: &Context) -> anyhow::Result<()> {
    let supply = ctx.client().supply()?;
    ctx.out.result(&supply, || {
        let mut text = fields(&[
            ("At height", supply.height.to_string()),
            ("Minted", supply.minted.to_string()),
            ("Burned", supply.burned.to_string()),
            ("  settled", supply.settled.to_string()),
            ("  payout pending", supply.pending_redemptions.to_string()),
            ("Treasury", supply.treasury.to_string()),
            ("Budgets", supply.budgets.to_string()),
            ("Task escrow", supply.escrow.to_string()),
            ("Account balances", supply.balances.to_string()),
            ("Outstanding", supply.outstanding.to_string()),
            ("Conserved", yes_no(supply.conserved)),
        ]);
        if !supply.conserved {
            text.push_str(
                "\nWARNING: minted − burned ≠ outstanding, or burned ≠ settled + pending. Report this \
                 to the operators of the node.\n",
            );
        }
        text
    })?;
    Ok(())
}
