//! `heitje balance`: an account's balance, roles and enrolment.

use crate::context::{Context, not_on_chain};
use crate::output::{fields, roles, yes_no};

/// The arguments of `heitje balance`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address or local account name [default: the selected account].
    #[arg(value_name = "ACCOUNT")]
    pub target: Option<String>,
}

/// Runs `heitje balance`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    balance(ctx, args.target.as_deref())
}

/// `balance [ACCOUNT]`.
pub(crate) fn balance(ctx: &Context, account: Option<&str>) -> anyhow::Result<()> {
    let address = ctx.target(account)?;
    let view = ctx.client().account(&address).map_err(|err| not_on_chain(&address, err))?;
    ctx.out.result(&view, || {
        fields(&[
            ("Address", view.address.to_string()),
            ("Balance", view.balance.to_string()),
            ("Roles", roles(&view.roles)),
            ("Enrolled", yes_no(view.enrolled)),
            ("Nonce", view.nonce.to_string()),
            ("At height", view.height.to_string()),
        ])
    })?;
    Ok(())
}
