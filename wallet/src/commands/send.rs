//! `heitje send`: send coins to an account.

use anyhow::bail;
use contracts::tx::Transfer;
use contracts::{AccountId, Action, Amount, Role};

use crate::context::Context;
use crate::store::contacts::AddressBook;
use crate::submit::{self, begin, extra, finality, report};

/// The arguments of `heitje send`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Recipient: address or local account name.
    pub recipient: String,
    /// Coins, like 15 or 4.50.
    #[arg(allow_hyphen_values = true)]
    pub amount: Amount,
}

/// Runs `heitje send`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    send(ctx, &args.recipient, args.amount)
}

/// `send RECIPIENT AMOUNT`.
pub(crate) fn send(ctx: &Context, recipient: &str, amount: Amount) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let recipient = ctx.resolve(recipient)?;
    check(&signer.address, &recipient, amount)?;
    let mut summary = format!("Send {amount} coins to {recipient}");
    // Known: a contact, one of this wallet's accounts, or a registered shop. Else warn: a
    // mistyped or swapped address is the usual way coins go astray.
    let contact = AddressBook::open(&ctx.settings.home)?.name_of(&recipient);
    let local = !ctx.keystore().names_with_address(&recipient)?.is_empty();
    if let Some(name) = &contact {
        summary = format!("Send {amount} coins to contact {name} ({recipient})");
    } else if !local {
        let shop = matches!(ctx.client().account(&recipient), Ok(view) if view.roles.contains(&Role::Merchant));
        if !shop {
            ctx.out.warn(&format!(
                "{recipient} is not in your address book and is not a registered shop; check the address \
                 (add it with `heitje contacts add NAME ADDRESS`)"
            ));
            summary = format!("{summary} (NOT a contact or a registered shop)");
        }
    }
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Transfer(Transfer { recipient, amount })))?;
    let headline = format!("SENT {amount} to {recipient} {}", finality(&status));
    report(ctx, &status, Some(headline), extra([]))
}

/// Mistakes the ledger would refuse anyway, caught before asking for a password.
pub(crate) fn check(signer: &AccountId, recipient: &AccountId, amount: Amount) -> anyhow::Result<()> {
    if amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    if signer == recipient {
        bail!("that is your own account ({recipient}); choose another recipient");
    }
    Ok(())
}
