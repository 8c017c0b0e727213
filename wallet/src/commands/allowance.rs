//! `heitje allowance`: what a resident may still earn this year under the annual cap.

use contracts::AccountId;

use crate::context::{Context, not_on_chain};
use crate::output::fields;

/// The arguments of `heitje allowance`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address or local account name [default: the selected account].
    #[arg(value_name = "ACCOUNT")]
    pub target: Option<String>,
}

/// Runs `heitje allowance`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    allowance(ctx, args.target.as_deref())
}

/// `allowance [ACCOUNT]`.
pub(crate) fn allowance(ctx: &Context, account: Option<&str>) -> anyhow::Result<()> {
    let address: AccountId = ctx.target(account)?;
    let view = ctx.client().allowance(&address).map_err(|err| not_on_chain(&address, err))?;
    ctx.out.result(&view, || {
        fields(&[
            ("Account", view.account.to_string()),
            ("Year", view.year.to_string()),
            ("Annual cap", view.cap.to_string()),
            ("Earned", view.earned.to_string()),
            ("Reserved", format!("{} (claimed work not yet paid)", view.reserved)),
            ("Remaining", view.remaining.to_string()),
        ])
    })?;
    Ok(())
}
