//! `heitje reconcile`: the reconciliation report (minted − burned = outstanding, burned = settled +
//! pending).

use anyhow::bail;

use crate::context::Context;
use crate::output::fields;

/// The arguments of `heitje reconcile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The height [default: the last].
    #[arg(long)]
    pub height: Option<u64>,
}

/// Runs `heitje reconcile`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    reconcile(ctx, args.height)
}

/// `reconcile [--height H]`.
pub(crate) fn reconcile(ctx: &Context, height: Option<u64>) -> anyhow::Result<()> {
    let view = ctx.client().reconciliation(height)?;
    let ok = |b: bool| if b { "holds" } else { "DOES NOT HOLD" };
    ctx.out.result(&view, || {
        let mut text = format!("Reconciliation at height {}\n", view.height);
        text.push_str(&fields(&[
            ("minted", view.minted.to_string()),
            ("− burned", view.burned.to_string()),
            ("= outstanding", format!("{}  ({})", view.outstanding, ok(view.supply_holds))),
            ("burned", view.burned.to_string()),
            ("= settled", view.settled.to_string()),
            ("+ pending", format!("{}  ({})", view.pending, ok(view.redemptions_hold))),
            ("fees to treasury", view.redemption_fees.to_string()),
        ]));
        text
    })?;
    if !(view.supply_holds && view.redemptions_hold) {
        bail!("the reconciliation does not hold at height {}; report this to the node operators", view.height);
    }
    Ok(())
}
