//! `heitje pay`: pay a shop's signed payment request, or a shop without a request.

use std::time::Duration;

use anyhow::{Context as _, bail};
use contracts::tx::{Pay, Transfer};
use contracts::{Action, Amount, Role, Timestamp};
use serde_json::json;

use super::send::check;
use crate::client;
use crate::context::{Context, chain_id};
use crate::formats::payreq::SignedRequest;
use crate::formats::time::{format_utc, now_ms};
use crate::submit::{self, begin, extra, finality, report};

/// The arguments of `heitje pay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The payment request URI (`heitje:…`), `-` for stdin, or a shop's address or name.
    pub request: String,
    /// Coins, only when paying a shop without a request.
    #[arg(allow_hyphen_values = true)]
    pub amount: Option<Amount>,
}

/// Runs `heitje pay`.
pub(crate) fn run(ctx: &Context, args: &Args) -> anyhow::Result<()> {
    match args.amount {
        None => pay_request(ctx, &args.request),
        Some(amount) => pay(ctx, &args.request, amount),
    }
}

/// `pay URI`: checks the request, shows the verified shop, confirms and pays.
pub(crate) fn pay_request(ctx: &Context, text: &str) -> anyhow::Result<()> {
    let text = if text == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading the payment request from stdin")?;
        line
    } else {
        text.to_owned()
    };
    let parsed = SignedRequest::parse(&text)?;
    let request = &parsed.signed.request;
    for key in &parsed.ignored {
        ctx.out.warn(&format!("the request has a parameter this wallet does not know ({key}); it is ignored"));
    }
    let signer = begin(ctx)?;
    let client = ctx.client();
    let chain = chain_id(&client)?;
    if request.chain != chain {
        bail!("the request is for chain {} but the node runs {chain}; nothing was sent", request.chain);
    }
    let now = now_ms();
    if request.is_expired(Timestamp(now)) {
        bail!(
            "the request expired at {} UTC; ask the shop for a new one. Nothing was sent",
            format_utc(request.expires_at)
        );
    }
    if signer.address == request.merchant {
        bail!("that is your own shop's request; a shop cannot pay itself");
    }
    let shop = client.merchant(&request.merchant)?;
    if !shop.registered {
        bail!(
            "{} is not a registered shop: the municipality has not registered it, so the request is refused. \
             Nothing was sent",
            request.merchant
        );
    }
    if let Some(till) = request.till
        && !shop.tills.contains(&till)
    {
        bail!("the request was signed by till {till}, which is not linked to this shop (now); nothing was sent");
    }
    let verified = match &shop.profile {
        Some(profile) if !profile.revoked && shop.registrar_ok && profile.verify(&chain).is_ok() => {
            Some(profile.display_name.clone())
        }
        _ => None,
    };
    match client.payment(&request.merchant, request.reference.as_str(), Duration::ZERO) {
        Ok(view) => bail!(
            "request {} is already paid (height {}, tx {}); nothing was sent",
            request.reference,
            view.height,
            view.tx_id
        ),
        Err(err) if err.code() == Some("not_paid") => {}
        Err(err) => return Err(err.into()),
    }
    let name = verified.clone().unwrap_or_else(|| "(no verified name in the municipal registry)".into());
    if verified.is_none() {
        ctx.out.warn("the shop has no verified name in the municipality's registry; check the address with the shop");
    }
    let mut summary = format!(
        "Pay {} coins to {name}\n  shop      {}\n  reference {}\n  expires   {} UTC (in {} s)",
        request.amount,
        request.merchant,
        request.reference,
        format_utc(request.expires_at),
        request.expires_at.0.saturating_sub(now) / 1000
    );
    if let Some(label) = &request.label {
        summary.push_str(&format!("\n  label     {label} (from the shop, not verified)"));
    }
    let action = Action::Pay(Pay {
        merchant: request.merchant,
        amount: request.amount,
        reference: request.reference.clone(),
        expires_at: request.expires_at,
        till: request.till,
    });
    let status = submit::submit(ctx, &signer, &summary, |_| Ok(action))?;
    let headline = format!("PAID {} to {name} for {} {}", request.amount, request.reference, finality(&status));
    report(
        ctx,
        &status,
        Some(headline),
        extra([("shop_name", json!(verified)), ("reference", json!(request.reference))]),
    )
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
