//! `heitje redemptions`: shop redemptions (coins burned for a euro payout) and their status.

use clap::ValueEnum;
use serde_json::json;

use crate::context::Context;
use crate::formats::time::format_utc;
use crate::output::Table;

/// The arguments of `heitje redemptions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only redemptions with this status.
    #[arg(long, value_enum)]
    pub status: Option<RedemptionFilter>,
}

/// Which redemptions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RedemptionFilter {
    /// Burned, payout not yet recorded.
    Pending,
    /// Paid out.
    Settled,
}

/// Runs `heitje redemptions`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    redemptions(ctx, args.status)
}

/// `redemptions [--status pending|settled]`.
pub(crate) fn redemptions(ctx: &Context, filter: Option<RedemptionFilter>) -> anyhow::Result<()> {
    let status = filter.map(|f| match f {
        RedemptionFilter::Pending => "pending",
        RedemptionFilter::Settled => "settled",
    });
    let redemptions = ctx.client().redemptions(status)?;
    ctx.out.result(&json!({ "redemptions": redemptions }), || {
        if redemptions.is_empty() {
            return "No redemptions.".to_owned();
        }
        let mut table =
            Table::new(&["ID", "MERCHANT", "AMOUNT", "STATUS", "CREATED (UTC)", "REFERENCE", "SETTLED (UTC)"]);
        for r in &redemptions {
            table.row(vec![
                r.id.to_string(),
                r.merchant.to_string(),
                r.amount.to_string(),
                format!("{:?}", r.status).to_lowercase(),
                format_utc(r.created_at),
                r.reference.as_ref().map(ToString::to_string).unwrap_or_else(|| "-".to_owned()),
                r.settled_at.map(format_utc).unwrap_or_else(|| "-".to_owned()),
            ]);
        }
        table.render()
    })?;
    Ok(())
}
