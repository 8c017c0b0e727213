//! `heitje history`: an account's transactions, newest first.

use std::fmt::Write as _;

use crate::context::{Context, not_on_chain};
use crate::describe;
use crate::formats::time::format_utc;
use crate::output::Table;

/// The arguments of `heitje history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address or local account name [default: the selected account].
    #[arg(value_name = "ACCOUNT")]
    pub target: Option<String>,
    /// Most entries to show.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub limit: u16,
    /// Only entries below this height (to page back).
    #[arg(long, value_name = "HEIGHT")]
    pub before_height: Option<u64>,
}

/// Runs `heitje history`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    history(ctx, args.target.as_deref(), args.limit, args.before_height)
}

/// `history [ACCOUNT] [--limit N] [--before-height H]`.
pub(crate) fn history(
    ctx: &Context,
    account: Option<&str>,
    limit: u16,
    before_height: Option<u64>,
) -> anyhow::Result<()> {
    let address = ctx.target(account)?;
    let history = ctx.client().history(&address, limit, before_height).map_err(|err| not_on_chain(&address, err))?;
    ctx.out.result(&history, || {
        if history.entries.is_empty() {
            return format!("No transactions for {address}.");
        }
        let mut table = Table::new(&["HEIGHT", "TIME (UTC)", "ACTION", "DETAILS", "OUTCOME"]);
        for entry in &history.entries {
            let (details, outcome) = describe::outcome_cells(&entry.action, &entry.outcome, &address);
            let action = if entry.signer == address {
                entry.action.name().to_owned()
            } else {
                format!("{} (by {})", entry.action.name(), entry.signer.short())
            };
            table.row(vec![entry.height.to_string(), format_utc(entry.time), action, details, outcome]);
        }
        let mut text = format!("History of {address}, newest first:\n");
        text.push_str(&table.render());
        if let Some(oldest) = history.entries.last()
            && history.entries.len() >= usize::from(limit)
        {
            let _ = write!(text, "More: heitje history {address} --before-height {}", oldest.height);
        }
        text
    })?;
    Ok(())
}
