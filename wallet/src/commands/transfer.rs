//! `send` and `pay`: move coins to another account; `pay` first checks it is a registered shop.

use anyhow::bail;
use contracts::tx::Transfer;
use contracts::{AccountId, Action, Amount, Role};

use crate::client;
use crate::context::Context;
use crate::store::contacts::AddressBook;
use crate::submit::{self, begin, extra, finality, report};

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

/// `pay SHOP AMOUNT`: a transfer that warns when the recipient has no merchant role.
pub(crate) fn pay(ctx: &Context, recipient: &str, amount: Amount) -> anyhow::Result<()> {
    let signer = begin(ctx)?;
    let recipient = ctx.resolve(recipient)?;
    check(&signer.address, &recipient, amount)?;
    let warning = match ctx.client().account(&recipient) {
        Ok(view) if view.roles.contains(&Role::Merchant) => None,
        Ok(_) => Some(format!("{recipient} is not a registered shop (it has no merchant role)")),
        Err(err @ client::Error::Api { .. }) if err.status() == Some(404) => {
            Some(format!("{recipient} is not known on this chain; the ledger will refuse the payment"))
        }
        Err(err) => return Err(err.into()),
    };
    let mut summary = format!("Pay {amount} coins to {recipient}");
    if let Some(warning) = &warning {
        ctx.out.warn(warning);
        summary = format!("{summary} (NOT a registered shop)");
    }
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(Action::Transfer(Transfer { recipient, amount })))?;
    let headline = format!("PAID {amount} to {recipient} {}", finality(&status));
    let merchant = serde_json::Value::Bool(warning.is_none());
    report(ctx, &status, Some(headline), extra([("registered_shop", merchant)]))
}

/// Mistakes the ledger would refuse anyway, caught before asking for a password.
fn check(signer: &AccountId, recipient: &AccountId, amount: Amount) -> anyhow::Result<()> {
    if amount.is_zero() {
        bail!("the amount must be more than 0.00");
    }
    if signer == recipient {
        bail!("that is your own account ({recipient}); choose another recipient");
    }
    Ok(())
}
